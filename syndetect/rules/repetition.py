"""Repetition rules: furniture recognised because it recurs — never syndication.

A prose paragraph shared across outlets is syndication, however many outlets
share it: recurrence alone never makes boilerplate. It marks furniture only
with more evidence:

* ``repetition/site-template`` (before candidate search) — a short paragraph
  repeated in several documents of **one site** (registrable domain:
  ``sport.guardian.co.uk`` and ``www.guardian.co.uk`` are one site), compared
  as a *template* (digits, years and the site's own name normalised), when
  it lies outside the article body of those pages (2 pages are enough), or
  recurs in ``min_repeats`` pages that share no body text otherwise;
* ``repetition/site-template`` (after clustering) — the same, for passages
  the verification found (near-duplicates);
* ``repetition/outside-body`` (after clustering) — a passage of different
  sites that lies outside the article body in every page that holds it (an
  ad network's blurb, a widget).

Two more uses of the site's other pages, for the page-shape rule (no flag of their own):
:func:`site_shared_prose` (prose a page shares whole with the site's other pages is not its
article when its body is told for ``shape/outside-body``) and :func:`site_unique` (a line next
to the body that no other page of the site carries is the article's: ``edge_own_lines``).

"Outside the article body" is the page position of
:func:`syndetect.rules.shape.body_core`. Thresholds come from the
``[repetition]`` table of ``data/boilerplate.toml``.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, compress, groupby, repeat
from operator import attrgetter, is_not, lt
from typing import Any

from syndetect.core.words import fold_lower, fold_words, word_count
from syndetect.model import BoilerplateFlag, Cluster, Paragraph
from syndetect.rules.shape import params_from

__all__ = [
    "RepetitionParams", "REPETITION_RULES", "Context", "template_key", "template_keys", "outlet_templates",
    "unrelated_recurrences", "site_unique", "Pages", "page_keys_of",
]

REPETITION_RULES = ("repetition/site-template", "repetition/outside-body")

_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class RepetitionParams:
    min_repeats: int = 3  # pages of one site a template must recur in when it sits inside their bodies
    min_repeats_outside_body: int = 2  # ... and when it sits outside them
    template_max_words: int = 40
    whole_fraction: float = 0.8  # a cluster member covering this share of its paragraph is "whole"
    whole_max_words: int = 40
    site_whole_max_words: int = 150  # one site's whole paragraph (an author bio) recurring in min_repeats pages
    edge_paragraphs: int = 1  # paragraphs at either end of the article body that count as its edge
    edge_own_lines: int = 2  # lines this close to the body that no other page of the site carries are the article's

    @classmethod
    def from_data(cls, data: dict[str, Any], origin: str) -> RepetitionParams:
        return params_from(cls, data.get("repetition", {}), f"{origin}: [repetition]")


def template_key(text: str, site: str | None = None) -> str:
    """The template form of a paragraph: case and spacing folded, digits as ``#``, the site's own name removed."""
    return _template(fold_words(text)[1].lower(), _site_name(site) if site else "")


@lru_cache(maxsize=4096)
def _site_name(site: str) -> str:
    """The site's own name as :func:`template_key` removes it ("" when shorter than 3 characters)."""
    name = " ".join((site.split(".")[0] if "." in site and " " not in site else site).lower().split())
    return name if len(name) >= 3 else ""


def _template(folded: str, name: str) -> str:
    """:func:`template_key` of a paragraph already folded to single spaces and lower case."""
    key = _DIGITS.sub("#", folded)
    if name:
        key = f" {key} ".replace(f" {name} ", " ").strip()
    return key


def template_keys(texts: Sequence[str], site: str | None, max_words: int,
                  folded: Sequence[tuple[int, str, str]] | None = None) -> list[str | None]:
    """The :func:`template_key` of each of one page's paragraph ``texts`` (``site``: the page's site)
    that :func:`outlet_templates` compares: ``None`` for a paragraph over ``max_words`` words, an
    empty key, or a page without a site. A pure function of the page, so the per-document pass can
    make the keys in the executor's workers and hand them to :func:`outlet_templates`.
    ``folded``: the texts' :func:`~syndetect.core.words.fold_lower`, when the caller has them."""
    if not site:
        return [None] * len(texts)
    name = _site_name(site)
    if folded is None:
        folded = [fold_lower(t) for t in texts]
    return [(_template(low, name) or None) if n <= max_words else None for n, _, low in folded]


Outside = Callable[[str, int], bool]  # (doc, paragraph) -> lies outside the page's article body


@dataclass(frozen=True)
class Context:
    """What the repetition rules know about the pages: each document's site, the
    page position of its paragraphs, the shape and category tests, the thresholds."""

    site: dict[str, str | None]
    outside: Outside
    prose: Callable[[str], bool]
    category: Callable[[str], str]
    params: RepetitionParams
    edge: Outside | None = None  # (doc, paragraph) -> within edge_paragraphs of the body's first or last


_DOC = attrgetter("doc")
_TEXT = attrgetter("text")


class Pages:
    """The paragraphs of a list grouped by document: for each document, the positions of its
    paragraphs in the list (in order). One pass at C speed (the paragraphs of a page are
    consecutive in a scan's list); the corpus-wide rules walk the pages they need through it
    instead of walking every paragraph."""

    __slots__ = ("paragraphs", "ranges")

    def __init__(self, paragraphs: Sequence[Paragraph]) -> None:
        self.paragraphs = paragraphs
        ranges: dict[str, range | list[int]] = {}
        lo = 0
        for doc, group in groupby(map(_DOC, paragraphs)):
            hi = lo + len(list(group))
            got = ranges.get(doc)
            if got is None:
                ranges[doc] = range(lo, hi)
            elif isinstance(got, range):  # a page cut in pieces (paragraphs not in page order)
                ranges[doc] = [*got, *range(lo, hi)]
            else:
                got.extend(range(lo, hi))
            lo = hi
        self.ranges = ranges

    def of(self, doc: str) -> list[Paragraph]:
        """The paragraphs of ``doc``, in the list's order."""
        r = self.ranges.get(doc)
        if r is None:
            return []
        if isinstance(r, range):
            return list(self.paragraphs[r.start:r.stop])
        return [self.paragraphs[i] for i in r]

    def positions(self, docs: Iterable[str]) -> list[int]:
        """The positions of the paragraphs of ``docs``, in the list's order."""
        ranges = self.ranges
        return sorted(chain.from_iterable(ranges[d] for d in docs if d in ranges))


def outlet_templates(
    paragraphs: Sequence[Paragraph], flags: dict[tuple[str, int], BoilerplateFlag], ctx: Context,
    page_keys: Sequence[str | None] | None = None, pages: Pages | None = None,
) -> None:
    """``repetition/site-template`` on exact templates: adds flags to ``flags`` in place.
    ``page_keys``: :func:`template_keys` of ``paragraphs`` (aligned with them), when the per-document
    pass made them; else they are made here. ``pages``: :class:`Pages` of ``paragraphs``, when the
    caller has it (else the candidate pages are found by a walk over the paragraphs)."""
    site, outside, prose, category, params = ctx.site, ctx.outside, ctx.prose, ctx.category, ctx.params
    if page_keys is None:
        page_keys = page_keys_of(paragraphs, site, params.template_max_words)
    if len(page_keys) != len(paragraphs):  # keys made elsewhere must be aligned: never silently shifted
        raise ValueError(f"{len(page_keys)} template keys for {len(paragraphs)} paragraphs")
    # the pages of each (site, key): the first page, and the pages of the keys found in more than one
    # (most keys are in one page only: no set is made for them)
    first: dict[tuple[str | None, str | None], str] = {}
    several: dict[tuple[str | None, str | None], set[str]] = {}
    # the paragraphs with a key, in order, as (position, paragraph, (site, key))
    keyed: list[tuple[int, Paragraph, tuple[str | None, str | None]]] = []
    least = min(params.min_repeats, params.min_repeats_outside_body)
    if least <= 1:
        at: Iterable[int] = compress(range(len(page_keys)), map(is_not, page_keys, repeat(None)))
    else:  # a key that only one paragraph has is in one page: only the others are walked (at C speed)
        times = Counter(page_keys)
        times[None] = 0
        at = compress(range(len(page_keys)), map(lt, repeat(1), map(times.__getitem__, page_keys)))
    for i in at:
        p = paragraphs[i]
        d = p.doc
        if (d, p.index) in flags:
            continue
        sk = (site[d], page_keys[i])
        keyed.append((i, p, sk))
        f = first.setdefault(sk, d)
        if f != d:
            ds = several.get(sk)
            if ds is None:
                several[sk] = {f, d}
            else:
                ds.add(d)
    if least <= 1:
        for sk, d in first.items():
            several.setdefault(sk, {d})
    repeated: dict[tuple[str | None, str | None], set[str]] = {key: ds for key, ds in several.items() if len(ds) >= least}
    if not repeated:
        return
    keyed = [item for item in keyed if item[2] in repeated]  # the later passes over keys want only these
    # furniture-like repeats (outside the body in one of the site's pages, or not sentence-shaped
    # in every page) do not shield each other; shared body prose does (a story the site printed twice)
    furniture_like: dict[tuple[str | None, str | None], bool] = {}
    placed_outside: set[tuple[str | None, str | None]] = set()
    for _, p, sk in keyed:
        furniture_like[sk] = furniture_like.get(sk, True) and not prose(p.text)
        if outside(p.doc, p.index):
            placed_outside.add(sk)
    for key in placed_outside:
        furniture_like[key] = True
    body_shared: dict[str, set[str]] = defaultdict(set)
    holders: dict[str, set[str]] = defaultdict(set)
    # only the pages that hold a candidate need to know what body text they share
    candidate_docs = {d for ds in repeated.values() for d in ds}
    if pages is not None:
        spots = pages.positions(candidate_docs)
    else:
        spots = [i for i, p in enumerate(paragraphs) if p.doc in candidate_docs]
    candidates = [paragraphs[i] for i in spots]
    recurring = {t for t, n in Counter(map(_TEXT, candidates)).items() if n > 1}
    # Only text that recurs can relate pages. holders[t]: the pages holding t unflagged inside their
    # body — told exactly for the candidate pages; the other pages' bodies are told only as far as
    # needed to know whether t has two holders (each body told is a page-shape pass).
    others: dict[str, list[Paragraph]] = defaultdict(list)
    for p in compress(paragraphs, map(recurring.__contains__, map(_TEXT, paragraphs))):
        if (p.doc, p.index) not in flags:
            if p.doc not in candidate_docs:
                others[p.text].append(p)
            elif not outside(p.doc, p.index):
                holders[p.text].add(p.doc)
    twice: dict[str, bool] = {}

    def held_twice(text: str) -> bool:
        """Whether at least two pages hold ``text`` unflagged inside their body (only recurring text can)."""
        got = twice.get(text)
        if got is None:
            n = len(holders.get(text, ()))
            extra: set[str] = set()
            for q in others.get(text, ()):
                if n + len(extra) > 1:
                    break
                if q.doc not in extra and not outside(q.doc, q.index):
                    extra.add(q.doc)
            got = twice[text] = n + len(extra) > 1
        return got

    for i, p in compress(zip(spots, candidates), map(recurring.__contains__, map(_TEXT, candidates))):
        k = page_keys[i]
        if k is not None and (p.doc, p.index) in flags:
            k = None  # (a flagged paragraph has no key here)
        if (k is None or not furniture_like.get((site.get(p.doc), k), False)) and held_twice(p.text):
            body_shared[p.doc].add(p.text)
    unrelated: dict[tuple[str | None, str | None, str], bool] = {}  # (site, template, text) -> the pages share nothing else
    # (site, template) -> text -> at least two of the template's pages hold it in their body
    shared_by: dict[tuple[str | None, str | None], dict[str, bool]] = defaultdict(dict)
    categories: dict[str, str] = {}
    for _, p, (o, k) in keyed:
        if (p.doc, p.index) in flags:
            continue
        ds = repeated[(o, k)]
        if outside(p.doc, p.index) and len(ds) >= params.min_repeats_outside_body:
            where = "outside the article body"
        elif len(ds) >= params.min_repeats:
            ok = unrelated.get((o, k, p.text))
            if ok is None:  # (holders[t] & ds: ds are candidate pages, whose holders are all told)
                good = shared_by[(o, k)]

                def shares(t: str, good: dict[str, bool] = good, ds: set[str] = ds) -> bool:
                    got = good.get(t)
                    if got is None:
                        got = good[t] = len(holders.get(t, set()) & ds) > 1
                    return got

                related = sum(1 for d in ds if any(shares(t) for t in body_shared[d] if t != p.text))
                ok = unrelated[(o, k, p.text)] = not related > len(ds) // 2
            if not ok:
                continue  # the site printed a story twice: its paragraphs are not a template
            where = "that share no other body text"
        else:
            continue
        cat = categories.get(p.text)
        if cat is None:
            cat = categories[p.text] = category(p.text)
        flags[(p.doc, p.index)] = BoilerplateFlag(
            p.doc, p.index, p.text, cat,
            f"site template: repeated in {len(ds)} pages of {o} {where}", "repetition/site-template",
        )


def page_keys_of(paragraphs: Sequence[Paragraph], site: dict[str, str | None], max_words: int) -> list[str | None]:
    """:func:`template_keys` of ``paragraphs`` (of any pages, each page's paragraphs together)."""
    out: list[str | None] = []
    i = 0
    while i < len(paragraphs):
        doc = paragraphs[i].doc
        j = i + 1
        while j < len(paragraphs) and paragraphs[j].doc == doc:
            j += 1
        out.extend(template_keys([p.text for p in paragraphs[i:j]], site.get(doc), max_words))
        i = j
    return out


def site_shared_prose(
    paragraphs: Sequence[Paragraph],
    flags: dict[tuple[str, int], BoilerplateFlag],
    site: dict[str, str | None],
    prose: Callable[[str], bool],
) -> frozenset[tuple[str, int]]:
    """The prose paragraphs (``prose``, unflagged) a page shares whole with another page of its
    site, compared as templates (:func:`template_key`): the site's disclaimers, sidebar blurbs
    and footers — or a story the site printed twice. No flag is made from this: it only keeps
    such prose from being taken for the page's article by the page-shape rule (``shape/outside-body``);
    the repetition rules keep the body told around the flags, so that shared prose is never made a
    template by its own recurrence. Returns ``(doc, paragraph)`` keys. Linear in the paragraphs:
    a first pass by hash, exact keys only for the hashes that recur."""
    by_site: dict[str, set[str]] = defaultdict(set)
    for p in paragraphs:
        o = site.get(p.doc)
        if o:
            by_site[o].add(p.doc)
    multi = {o for o, ds in by_site.items() if len(ds) >= 2}
    if not multi:
        return frozenset()

    def key_of(p: Paragraph, o: str) -> str:
        return _template(fold_words(p.text)[1].lower(), _site_name(o))

    first: dict[tuple[str, int], str] = {}
    recurring: set[tuple[str, int]] = set()
    cands: list[tuple[Paragraph, str]] = []
    for p in paragraphs:
        o = site.get(p.doc)
        if o is None or o not in multi or (p.doc, p.index) in flags or not prose(p.text):
            continue
        cands.append((p, o))
        h = (o, hash(key_of(p, o)))
        if first.setdefault(h, p.doc) != p.doc:
            recurring.add(h)
    holders: dict[tuple[str, str], set[str]] = defaultdict(set)
    maybe: list[tuple[Paragraph, tuple[str, str]]] = []
    for p, o in cands:
        k = key_of(p, o)
        if (o, hash(k)) in recurring:
            holders[(o, k)].add(p.doc)
            maybe.append((p, (o, k)))
    return frozenset((p.doc, p.index) for p, ok in maybe if len(holders[ok]) >= 2)


def site_unique(
    candidates: Sequence[Paragraph], paragraphs: Sequence[Paragraph], site: dict[str, str | None],
    page_keys: Sequence[str | None] | None = None, key_max_words: int = 0, pages: Pages | None = None,
) -> set[tuple[str, int]]:
    """Of ``candidates``, the paragraphs no other page of their site carries (compared as
    templates, :func:`template_key`) where the site has other pages to tell its template by: the
    page's own lines, not its site's template (a site seen in one page gives no such evidence). One
    pass over the paragraphs; keys are made only for the pages of the candidates' sites.
    ``page_keys`` (:func:`template_keys` of ``paragraphs`` with ``key_max_words``, aligned with them)
    and ``pages`` (:class:`Pages` of ``paragraphs``), when the caller has them: then only the pages
    of the candidates' sites are walked, and their keys are not made again."""
    want: dict[tuple[str | None, str], set[str]] = defaultdict(set)
    max_words = 0
    for p in candidates:
        o = site.get(p.doc)
        want[(o, _template(fold_words(p.text)[1].lower(), _site_name(o) if o else ""))].add(p.doc)
        max_words = max(max_words, word_count(p.text))
    sites = {o for o, _ in want}
    pages_of: dict[str | None, set[str]] = defaultdict(set)
    if page_keys is None or pages is None or len(page_keys) != len(paragraphs):
        for p in paragraphs:
            o = site.get(p.doc)
            if o not in sites:
                continue
            pages_of[o].add(p.doc)
            n, flat = fold_words(p.text)
            if n > max_words:
                continue
            holders = want.get((o, _template(flat.lower(), _site_name(o) if o else "")))
            if holders is not None:
                holders.add(p.doc)
    else:
        # Only a site with a name gives an answer below. Its paragraphs' keys are the shipped ones:
        # a key is None for a paragraph over key_max_words words or with an empty key, so the key is
        # made here only where either could matter (candidates over key_max_words words, an empty key
        # wanted); a key found is checked for max_words (a key may have fewer words than its paragraph).
        by_site: dict[str, list[str]] = defaultdict(list)
        for doc in pages.ranges:
            o = site.get(doc)
            if o and o in sites:
                by_site[o].append(doc)
        for o, docs in by_site.items():
            pages_of[o].update(docs)
            remake = max_words > key_max_words or (o, "") in want
            name = _site_name(o)
            for i in pages.positions(docs):
                k = page_keys[i]
                p = paragraphs[i]
                if k is None:
                    if not remake:
                        continue
                    n, flat = fold_words(p.text)
                    if n > max_words:
                        continue
                    holders = want.get((o, _template(flat.lower(), name)))
                else:
                    holders = want.get((o, k))
                    if holders is None or fold_words(p.text)[0] > max_words:
                        continue
                if holders is not None:
                    holders.add(p.doc)
    out = set()
    for p in candidates:
        o = site.get(p.doc)
        if o and len(pages_of[o]) >= 2 and len(want[(o, _template(fold_words(p.text)[1].lower(), _site_name(o)))]) == 1:
            out.add((p.doc, p.index))
    return out


def unrelated_recurrences(
    clusters: Sequence[Cluster],
    text_of: dict[tuple[str, int], str],
    flags: dict[tuple[str, int], BoilerplateFlag],
    ctx: Context,
    last: Callable[[str], int] | None = None,
) -> None:
    """The post-cluster repetition rules: adds flags to ``flags`` in place.

    Cost is linear in the cluster members (no pairwise work over the
    documents that share a passage). ``last(doc)``: the document's last paragraph number
    among ``text_of``'s keys, when the caller can tell it without a walk over them.
    """
    site, outside, prose, category, params = ctx.site, ctx.outside, ctx.prose, ctx.category, ctx.params
    covered: dict[int, bool] = {}  # id(cluster) -> covers (the clusters are held by the caller)

    def covers(c: Cluster) -> bool:
        got = covered.get(id(c))
        if got is None:
            got = covered[id(c)] = all(
                (m.end - m.start) >= params.whole_fraction * len(text_of[(m.doc, m.paragraph)].strip())
                for m in c.members)
        return got

    def one_site(c: Cluster) -> str | None:
        sites = {site.get(d) for d in c.docs}
        return next(iter(sites)) if len(sites) == 1 else None

    # same-site furniture candidates: whole paragraphs recurring in pages of one site, outside the
    # body or not sentence-shaped; they do not shield each other (two templates in the same pages
    # are still templates), while shared body prose does (a story the site printed twice)
    last_of = last
    if last_of is None:
        ends: dict[str, int] = defaultdict(int)
        for doc, index in text_of:
            ends[doc] = max(ends[doc], index)
        last_of = ends.__getitem__

    def same_place(c: Cluster) -> bool:
        """At the same place of the page template in every page: the same paragraph number from
        the top, or from the bottom."""
        return len({m.paragraph for m in c.members}) == 1 or len({last_of(m.doc) - m.paragraph for m in c.members}) == 1

    longest_of: dict[int, int] = {}  # id(cluster) -> the most words of a member's paragraph

    def longest(c: Cluster) -> int:
        got = longest_of.get(id(c))
        if got is None:
            got = longest_of[id(c)] = max(word_count(text_of[(m.doc, m.paragraph)]) for m in c.members)
        return got

    def short(c: Cluster) -> bool:
        return longest(c) <= params.whole_max_words

    candidates = {
        c.id for c in clusters
        if one_site(c) and covers(c) and (
            all(outside(m.doc, m.paragraph) for m in c.members)
            or (short(c) and (not any(prose(text_of[(m.doc, m.paragraph)]) for m in c.members) or same_place(c)))
        )
    }
    # clusters inside the bodies of each page: a page pair sharing one is related
    body_clusters: dict[str, set[str]] = defaultdict(set)
    for c in clusters:
        for m in c.members:
            if not outside(m.doc, m.paragraph):
                body_clusters[m.doc].add(c.id)
    for c in clusters:
        docs_in = c.docs
        most = longest(c)
        whole = covers(c) and most <= params.whole_max_words
        site_whole = covers(c) and most <= params.site_whole_max_words
        sites = {site.get(d) for d in docs_in}
        all_outside = all(outside(m.doc, m.paragraph) for m in c.members)
        if not (site_whole or all_outside):
            continue
        # pages that share body text besides this passage are related (syndication, a story printed twice)
        holders: dict[str, list[str]] = defaultdict(list)
        for d in docs_in:
            for cid in body_clusters[d] - {c.id} - candidates:
                holders[cid].append(d)
        related_docs = {d for ds in holders.values() if len(ds) > 1 for d in ds}
        related = 2 * len(related_docs) > len(docs_in)
        rule = None
        if len(sites) == 1 and None not in sites:
            o = next(iter(sites))
            if all_outside and len(docs_in) >= params.min_repeats_outside_body:
                rule, reason = "repetition/site-template", f"site template: recurs in {len(docs_in)} pages of {o} outside the article body"
            elif site_whole and len(docs_in) >= params.min_repeats and not related:
                rule, reason = "repetition/site-template", f"site template: recurs in {len(docs_in)} pages of {o} that share no other body text"
            elif (
                whole and len(docs_in) >= params.min_repeats_outside_body and not related and ctx.edge is not None
                and all(ctx.edge(m.doc, m.paragraph) for m in c.members)
            ):
                rule, reason = "repetition/site-template", f"site template: recurs in {len(docs_in)} pages of {o} at the edge of the article body, sharing no other body text"
        elif all_outside and len(docs_in) >= params.min_repeats_outside_body and not related:
            rule, reason = "repetition/outside-body", f"recurs in {len(docs_in)} pages of {len(sites)} sites, outside the article body in each"
        if rule is None:
            continue
        for m in c.members:
            key = (m.doc, m.paragraph)
            if key not in flags:
                flags[key] = BoilerplateFlag(m.doc, m.paragraph, text_of[key], category(text_of[key]), reason, rule)
