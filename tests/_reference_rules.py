"""The same-site template rule of main before the bpserial round, kept as the oracle of
tests/test_boilerplate_serial.py: ``outlet_templates`` as it walked every paragraph (the rewritten walk in
syndetect/rules/repetition.py shares its later passes, so the two read alike on purpose). The site-unique
test needs no copy here: ``repetition.site_unique`` without shipped keys is still that walk."""

from __future__ import annotations

from collections import Counter, defaultdict

from syndetect.model import BoilerplateFlag, Paragraph
from syndetect.rules.repetition import page_keys_of


def outlet_templates_reference(
    paragraphs, flags, ctx,
    page_keys=None,
) -> None:
    """``repetition/site-template`` on exact templates: adds flags to ``flags`` in place.
    ``page_keys``: :func:`template_keys` of ``paragraphs`` (aligned with them), when the per-document
    pass made them; else they are made here."""
    site, outside, prose, category, params = ctx.site, ctx.outside, ctx.prose, ctx.category, ctx.params
    if page_keys is None:
        page_keys = page_keys_of(paragraphs, site, params.template_max_words)
    seen: dict[tuple[str | None, str | None], set[str]] = defaultdict(set)
    keys: dict[tuple[str, int], str] = {}
    # the paragraphs with a key, in order, as (paragraph, (site, key)): the later passes over keys walk only these
    keyed: list[tuple[Paragraph, tuple[str | None, str]]] = []
    for p, k in zip(paragraphs, page_keys, strict=True):  # keys made elsewhere must be aligned: never silently shifted
        if k is None:
            continue
        pk = (p.doc, p.index)
        if pk in flags:
            continue
        keys[pk] = k
        sk = (site[p.doc], k)
        keyed.append((p, sk))
        seen[sk].add(p.doc)
    repeated: dict[tuple[str | None, str | None], set[str]] = {key: ds for key, ds in seen.items() if len(ds) >= min(params.min_repeats, params.min_repeats_outside_body)}
    if not repeated:
        return
    # furniture-like repeats (outside the body in one of the site's pages, or not sentence-shaped
    # in every page) do not shield each other; shared body prose does (a story the site printed twice)
    furniture_like: dict[tuple[str | None, str | None], bool] = {}
    placed_outside: set[tuple[str | None, str | None]] = set()
    for p, sk in keyed:
        if sk in repeated:
            furniture_like[sk] = furniture_like.get(sk, True) and not prose(p.text)
            if outside(p.doc, p.index):
                placed_outside.add(sk)
    for key in placed_outside:
        furniture_like[key] = True
    body_shared: dict[str, set[str]] = defaultdict(set)
    holders: dict[str, set[str]] = defaultdict(set)
    # only the pages that hold a candidate need to know what body text they share
    candidate_docs = {d for ds in repeated.values() for d in ds}
    candidates = [p for p in paragraphs if p.doc in candidate_docs]
    recurring = {t for t, n in Counter(p.text for p in candidates).items() if n > 1}
    # Only text that recurs can relate pages. holders[t]: the pages holding t unflagged inside their
    # body — told exactly for the candidate pages; the other pages' bodies are told only as far as
    # needed to know whether t has two holders (each body told is a page-shape pass).
    others: dict[str, list[Paragraph]] = defaultdict(list)
    for p in paragraphs:
        if p.text in recurring and (p.doc, p.index) not in flags:
            if p.doc not in candidate_docs:
                others[p.text].append(p)
            elif not outside(p.doc, p.index):
                holders[p.text].add(p.doc)
    several: dict[str, bool] = {}

    def held_twice(text: str) -> bool:
        """Whether at least two pages hold ``text`` unflagged inside their body (only recurring text can)."""
        got = several.get(text)
        if got is None:
            n = len(holders.get(text, ()))
            extra: set[str] = set()
            for q in others.get(text, ()):
                if n + len(extra) > 1:
                    break
                if q.doc not in extra and not outside(q.doc, q.index):
                    extra.add(q.doc)
            got = several[text] = n + len(extra) > 1
        return got

    for p in candidates:
        if p.text in recurring:
            k = keys.get((p.doc, p.index))
            if (k is None or not furniture_like.get((site.get(p.doc), k), False)) and held_twice(p.text):
                body_shared[p.doc].add(p.text)
    unrelated: dict[tuple[str | None, str, str], bool] = {}  # (site, template, text) -> the pages share nothing else
    for p, (o, k) in keyed:
        if (p.doc, p.index) in flags:
            continue
        ds = repeated.get((o, k))
        if not ds:
            continue
        if outside(p.doc, p.index) and len(ds) >= params.min_repeats_outside_body:
            where = "outside the article body"
        elif len(ds) >= params.min_repeats:
            ok = unrelated.get((o, k, p.text))
            if ok is None:  # (holders[t] & ds: ds are candidate pages, whose holders are all told)
                related = sum(1 for d in ds if any(len(holders.get(t, set()) & ds) > 1 for t in body_shared[d]
                                                   if t != p.text))
                ok = unrelated[(o, k, p.text)] = not related > len(ds) // 2
            if not ok:
                continue  # the site printed a story twice: its paragraphs are not a template
            where = "that share no other body text"
        else:
            continue
        flags[(p.doc, p.index)] = BoilerplateFlag(
            p.doc, p.index, p.text, category(p.text),
            f"site template: repeated in {len(ds)} pages of {o} {where}", "repetition/site-template",
        )
