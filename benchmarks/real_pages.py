#!/usr/bin/env python3
"""Real-page benchmark: boilerplate and provenance on the 181 real pages.

Two measurements, both on the whole-page text of
``fixtures/article-extraction-benchmark`` (HTML → text with page furniture
kept, as :mod:`prepare_datasets` converts it):

1. **Boilerplate on the real pages.** The 181 pages are scanned together;
   every paragraph of a page is labelled *body* (it lies inside the page's
   ground-truth ``articleBody``) or *furniture* (everything else). Reported:
   furniture recall (furniture paragraphs flagged) and the share of body
   paragraphs flagged; the body paragraphs flagged by rule and kind (:func:`body_kind`:
   template, edge, inside, prose); and the same flags against labels that take the
   ground truth's short lines just outside the labelled body as body (``edge_labelled``,
   :func:`edge_labels`).

2. **Transplants with ground truth.** Real article bodies are put into real
   page templates (the furniture before and after a page's own body):

   * *template repeats* — three different bodies in one site's template
     (one of them on a sister host): the pages share only furniture, so any
     pair reported among them is "page text only";
   * *syndication* — one body in the templates of 2, 3, 4 or 6 sites;
   * *wire* — a wire body on a wire-host URL (reuters.com, apnews.com, ...)
     with a dateline and tag ("LOS ANGELES (Reuters) -") and the wire's own
     copyright line, reprinted later by two outlets with the tag and a credit;
   * *aggregator* — an outlet's dated body, whose first paragraphs another
     site reprints later with "Source: <Outlet>";
   * *quote-only* — two unrelated bodies that quote the same statement.

   Reported: reused-pair precision/recall/F1, pairs made of page text only,
   furniture recall and body paragraphs flagged, wire → copy direction right
   and reversed, provenance accuracy where dates or credits exist, and what
   the undated syndication groups get (they must not get a direction).

Usage::

    python benchmarks/real_pages.py [--out benchmarks/out] [--json FILE]

The page conversion is cached in ``<out>/real_pages_cache.json``.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
import zlib
from collections import Counter
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import cache
from itertools import combinations
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))
if str(REPO_ROOT) not in sys.path:  # a fallback: an installed (or PYTHONPATH) syndetect comes first
    sys.path.append(str(REPO_ROOT))

from prepare_datasets import (  # noqa: E402
    DEFAULT_GROUND_TRUTH,
    DEFAULT_HTML_DIR,
    convert_page,
    list_html_files,
    load_ground_truth,
    page_hash_from_path,
)

from syndetect import Document, Params, scan  # noqa: E402
from syndetect.core.text import normalize_text  # noqa: E402
from syndetect.pipeline.scan import paragraphs_of  # noqa: E402

SEED = 20080115
WIRE_HOSTS = [
    ("Reuters", "www.reuters.com", "Reuters", "Copyright 2008 Reuters. All rights reserved."),
    ("Associated Press", "hosted.ap.org", "AP", "Copyright 2008 The Associated Press. All rights reserved. This material may not be published, broadcast, rewritten or redistributed."),
    ("AFP", "www.afp.com", "AFP", "Copyright © 2008 AFP. All rights reserved."),
    ("Canadian Press", "www.thecanadianpress.com", "CP", "© The Canadian Press, 2008"),
    ("Xinhua", "news.xinhuanet.com", "Xinhua", "Copyright 2008 Xinhua News Agency"),
    ("PTI", "www.ptinews.com", "PTI", "Copyright 2008 Press Trust of India"),
]
CITIES = ["LOS ANGELES", "LONDON", "BEIJING", "OTTAWA", "NEW DELHI", "PARIS", "WASHINGTON", "SYDNEY"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October"]
STATEMENTS = [
    ("We will not accept any agreement that leaves our farmers worse off than they were before the talks began last year", "the Agriculture Ministry said in a statement"),
    ("The safety of passengers and crew is our highest priority and we are cooperating fully with the investigators", "the airline said in a statement"),
    ("This decision protects thousands of jobs and gives the region the certainty it has been asking for since the plant closed", "the Economy Ministry said in a statement"),
    ("Our teams worked through the night to restore power to every home and we thank residents for their patience", "the utility said in a statement"),
]


# the construction's own date-stamp finder (independent of the code under test)
_DATE_STAMP = re.compile(
    r"\b(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+(?:19|20)\d\d"
    r"|\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+(?:19|20)\d\d"
    r"|(?:19|20)\d\d-\d\d-\d\d)\b",
    re.I,
)


def _norm_tokens(text: str) -> list[str]:
    return normalize_text(text).split()


def _trigrams(tokens: list[str]) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + 3]) for i in range(max(0, len(tokens) - 2))}


@dataclass
class Page:
    id: str
    url: str
    host: str
    text: str
    body: str
    labels: list[bool]  # per paragraph of `text`: True = body
    paragraphs: list[str]

    @property
    def located(self) -> bool:
        return sum(self.labels) >= 3

    def span(self) -> tuple[int, int]:
        idx = [i for i, b in enumerate(self.labels) if b]
        return idx[0], idx[-1]

    def template(self) -> tuple[list[str], list[str]]:
        """Furniture before and after the body, without the page's own date stamps (the
        transplanted body gets the dates the ground truth says, or none)."""
        lo, hi = self.span()
        keep = [p for p in self.paragraphs if not _DATE_STAMP.search(p)]
        before = [p for p in self.paragraphs[:lo] if p in keep]
        after = [p for p in self.paragraphs[hi + 1 :] if p in keep]
        return before, after


def label_paragraphs(paragraphs: list[str], body: str) -> list[bool]:
    """True for paragraphs inside the ground-truth body (by word trigrams; short lines by equality)."""
    body_lines = [ln for ln in body.split("\n") if ln.strip()]
    body_tokens = _norm_tokens(body)
    grams = _trigrams(body_tokens)
    line_norms = {normalize_text(ln) for ln in body_lines}
    labels = []
    for p in paragraphs:
        toks = _norm_tokens(p)
        if len(toks) >= 6:
            g = _trigrams(toks)
            labels.append(bool(g) and len(g & grams) >= 0.6 * len(g))
        else:
            labels.append(bool(toks) and normalize_text(p) in line_norms)
    # short lines equal to a body line count only inside the body's span
    long_idx = [i for i, p in enumerate(paragraphs) if labels[i] and len(_norm_tokens(p)) >= 6]
    if long_idx:
        lo, hi = long_idx[0], long_idx[-1]
        labels = [lab and (lo <= i <= hi or len(_norm_tokens(paragraphs[i])) >= 6) for i, lab in enumerate(labels)]
    else:
        labels = [False] * len(paragraphs)
    return labels


ALIGN_MIN_BLOCK = 3  # tokens: shorter common runs are chance (a "the", a name)
ALIGN_SHARE = 0.6  # of a paragraph's tokens in aligned runs


def aligned_labels(paragraphs: list[str], body: str) -> list[bool]:
    """True for paragraphs whose text *is* the ground-truth body's, in its order: the page's
    tokens are aligned with the body's (one in-order alignment, :class:`difflib.SequenceMatcher`
    without its junk heuristic), and a paragraph is body when at least ``ALIGN_SHARE`` of its
    tokens lie in aligned runs of ``ALIGN_MIN_BLOCK`` tokens or more.

    Stricter than :func:`label_paragraphs` where it errs: a headline, deck or teaser that
    paraphrases the lead ("Three Cases of Plague Diagnosed in China" above "Three cases of plague
    have been diagnosed in China, …") shares trigrams with the body but is not in it, and a line
    the page shows twice (a pull quote, the related list's copy of the article's own headline) is
    in the body once; and kinder where it misses: a short line of the body that is not a whole
    body line of its own (list items, box lines the ground truth joins) is body here."""
    gt = normalize_text(body).split()
    toks: list[str] = []
    owner: list[int] = []
    for i, p in enumerate(paragraphs):
        t = normalize_text(p).split()
        toks += t
        owner += [i] * len(t)
    hit = [0] * len(paragraphs)
    if gt and toks:
        for a, _, n in SequenceMatcher(None, toks, gt, autojunk=False).get_matching_blocks():
            if n >= ALIGN_MIN_BLOCK:
                for k in range(a, a + n):
                    hit[owner[k]] += 1
    return [bool(n) and hit[i] >= ALIGN_SHARE * n
            for i, n in enumerate(len(normalize_text(p).split()) for p in paragraphs)]


def edge_labels(paragraphs: list[str], labels: list[bool], body: str) -> list[bool]:
    """``labels`` with the short lines just outside the labelled span that equal a ground-truth body
    line taken as body too, outward line by line while they do (the ground truth's own headline,
    info box or list at the ends of its body, which :func:`label_paragraphs` leaves as furniture)."""
    idx = [i for i, lab in enumerate(labels) if lab]
    if not idx:
        return labels
    lines = {normalize_text(ln) for ln in body.split("\n") if ln.strip()}
    out = list(labels)
    for start, step in ((idx[-1] + 1, 1), (idx[0] - 1, -1)):
        j = start
        while 0 <= j < len(paragraphs) and normalize_text(paragraphs[j]) in lines:
            out[j] = True
            j += step
    return out


def load_pages(out: Path, limit: int | None = None) -> list[Page]:
    cache = out / "real_pages_cache.json"
    truth = load_ground_truth(DEFAULT_GROUND_TRUTH)
    if cache.exists():
        raw = json.loads(cache.read_text("utf-8"))
    else:
        raw = []
        for path in list_html_files(DEFAULT_HTML_DIR):
            h = page_hash_from_path(path)
            if h not in truth:
                continue
            text, _ = convert_page(path)
            raw.append({"hash": h, "url": truth[h].get("url") or "", "text": text, "body": truth[h].get("articleBody") or ""})
        out.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps(raw, ensure_ascii=False), "utf-8")
    pages = []
    for r in raw[:limit]:
        d = Document(id=r["hash"][:16], text=r["text"], url=r["url"])
        pars = [p.text for p in paragraphs_of(d)]
        from urllib.parse import urlsplit

        host = (urlsplit(r["url"]).hostname or "").lower()
        pages.append(Page(r["hash"][:16], r["url"], host, r["text"], r["body"], label_paragraphs(pars, r["body"]), pars))
    return pages


# ---------------------------------------------------------------------------
# 1. boilerplate on the real pages
# ---------------------------------------------------------------------------
# the construction's own test of a sentence (independent of the rules under test)
_SENTENCE_LINE = re.compile(r"[.!?…][\"'”’)\]]*$")
TEMPLATE_MAX_WORDS = 25


def _line_key(text: str) -> str:
    return re.sub(r"\d+", "#", normalize_text(text))


def recurring_lines(pages: list[Page]) -> set[str]:
    """Short lines (at most ``TEMPLATE_MAX_WORDS`` words; digits masked) that occur in two or more
    of the real pages: site templates ("FTC: We use income earning auto affiliate links",
    "Story Timeline", a wire's copyright line), some of which the ground truth keeps in its bodies."""
    seen: Counter = Counter()
    for p in pages:
        seen.update({_line_key(t) for t in p.paragraphs if len(t.split()) <= TEMPLATE_MAX_WORDS and _line_key(t)})
    return {k for k, n in seen.items() if n >= 2}


def body_kind(texts: list[str], labs: list[bool], i: int, recurring: set[str]) -> str:
    """What a body paragraph is, by the construction's own tests: ``template`` (a short line that
    recurs in other real pages: page furniture the ground truth keeps), ``edge`` (before the first
    or after the last sentence-shaped body paragraph: headlines, decks, lists, info boxes at the
    body's ends), ``inside`` (a non-sentence line between them: captions, sub-headings, list items)
    or ``prose`` (a sentence-shaped paragraph: at least 12 words ending a sentence)."""
    t = texts[i]
    if len(t.split()) <= TEMPLATE_MAX_WORDS and _line_key(t) in recurring:
        return "template"
    sentence = [j for j, lab in enumerate(labs) if lab and len(texts[j].split()) >= 12
                and _SENTENCE_LINE.search(texts[j].strip())]
    if i in sentence:
        return "prose"
    if not sentence or i < sentence[0] or i > sentence[-1]:
        return "edge"
    return "inside"


# the construction's own test of a credit or notice line (independent of the lexicon under test)
_CREDIT_OR_NOTICE = re.compile(
    r"©|\bcopyright\b|all rights reserved|\b(?:reporting|editing|written) by\b|originally published|"
    r"\b(?:image|photo|main image) (?:credit|source)|\bprovided by\b|\bstaff reports?\b|\bcorrespondent\b|"
    r"\bfollow\b.*\b(?:facebook|twitter|instagram)\b|\bsubscribe\b|\bnewsletter\b|\baffiliate\b|\bsponsored\b",
    re.I,
)


def flags_by_definition(report, pages: list[Page], labels: dict[str, list[bool]]) -> dict:
    """The body paragraphs flagged, by what the issue and the brief call them, told by the
    construction's own tests: ``same_site_template`` (the line, digits aside, is also on another
    page of the same registrable domain: the issue's "same-outlet page templates ... in 2–5 pages
    of one site"), ``credit_or_notice`` (:data:`_CREDIT_OR_NOTICE`: the brief's "credits and notices"),
    ``other`` (article content the rules take for furniture: boxes, lists, headings, captions).
    ``other_share``: ``other`` over the body paragraphs that are neither."""
    flagged = {(f.doc, f.paragraph) for f in report.boilerplate}
    site = {p.id: _registrable(p.host) for p in pages}
    on: dict[str, set[str]] = {}
    for p in pages:
        for t in p.paragraphs:
            on.setdefault(_line_key(t), set()).add(p.id)
    out: Counter = Counter()
    body: Counter = Counter()
    for p in pages:
        for i, (t, lab) in enumerate(zip(p.paragraphs, labels[p.id])):
            if not lab:
                continue
            if any(q != p.id and site[q] == site[p.id] for q in on[_line_key(t)]):
                kind = "same_site_template"
            elif len(t.split()) <= TEMPLATE_MAX_WORDS and _CREDIT_OR_NOTICE.search(t):
                kind = "credit_or_notice"
            else:
                kind = "other"
            body[kind] += 1
            out[kind] += (p.id, i + 1) in flagged
    return {"flagged": dict(out), "body_paragraphs": dict(body),
            "other_share": round(out["other"] / max(1, body["other"]), 4)}


def score_flags(report, labels: dict[str, list[bool]], texts: dict[str, list[str]] | None = None,
                recurring: set[str] | None = None) -> dict:
    flagged = {(f.doc, f.paragraph) for f in report.boilerplate}
    furn = body = furn_hit = body_hit = 0
    by_rule_body: dict[str, int] = {}
    by_kind: Counter = Counter()
    by_kind_all: Counter = Counter()
    words = [0, 0]  # body words, and those in flagged paragraphs
    rules = {(f.doc, f.paragraph): getattr(f, "rule", f.reason) for f in report.boilerplate}
    for doc, labs in labels.items():
        for i, is_body in enumerate(labs, 1):
            hit = (doc, i) in flagged
            if is_body:
                body += 1
                body_hit += hit
                kind = body_kind(texts[doc], labs, i - 1, recurring or set()) if texts is not None else None
                if texts is not None:
                    n = len(texts[doc][i - 1].split())
                    words[0] += n
                    words[1] += n * hit
                by_kind_all[kind] += 1
                if hit:
                    by_rule_body[rules[(doc, i)]] = by_rule_body.get(rules[(doc, i)], 0) + 1
                    by_kind[f"{rules[(doc, i)]} {kind}" if kind else rules[(doc, i)]] += 1
            else:
                furn += 1
                furn_hit += hit
    return {
        "furniture_paragraphs": furn,
        "body_paragraphs": body,
        "furniture_recall": round(furn_hit / max(1, furn), 4),
        "body_flagged": round(body_hit / max(1, body), 4),
        "body_flags_by_rule": dict(sorted(by_rule_body.items(), key=lambda kv: -kv[1])),
        **({"body_words_flagged": round(words[1] / max(1, words[0]), 4),
            "body_paragraphs_by_kind": dict(sorted(by_kind_all.items())),
            "body_flags_by_rule_and_kind": dict(sorted(by_kind.items(), key=lambda kv: (-kv[1], kv[0])))}
           if texts is not None else {}),
    }


def real_pages(pages: list[Page]) -> dict:
    docs = [Document(id=p.id, text=p.text, url=p.url) for p in pages]
    t = time.perf_counter()
    report = scan(docs, Params(), workers=1)
    wall = time.perf_counter() - t
    hosts = {p.id: p.host for p in pages}
    out = score_flags(report, {p.id: p.labels for p in pages}, {p.id: p.paragraphs for p in pages}, recurring_lines(pages))
    out.update(pages=len(pages), located=sum(p.located for p in pages), clusters=len(report.clusters),
               pairs=len(report.pairs), wall_s=round(wall, 2))
    # the same flags against labels that also take the ground truth's edge lines as body
    edged = score_flags(report, {p.id: edge_labels(p.paragraphs, p.labels, p.body) for p in pages})
    out["edge_labelled"] = {k: edged[k] for k in ("body_paragraphs", "furniture_recall", "body_flagged")}
    # the same flags against the in-order alignment with the ground truth (:func:`aligned_labels`)
    aligned = {p.id: aligned_labels(p.paragraphs, p.body) for p in pages}
    out["aligned_labelled"] = score_flags(report, aligned, {p.id: p.paragraphs for p in pages}, recurring_lines(pages))
    out["aligned_labelled"]["body_flags_by_definition"] = flags_by_definition(report, pages, aligned)
    # both, in the two halves of the sites (crc32 of the registrable domain mod 2): a rule that
    # holds on real pages holds on both, not on the half it was read from
    halves = {}
    for name, labs in (("trigram", {p.id: p.labels for p in pages}), ("aligned", aligned)):
        for h in (0, 1):
            part = {k: v for k, v in labs.items() if zlib.crc32(_registrable(hosts[k]).encode()) % 2 == h}
            r = score_flags(report, part)
            halves[f"{name} {'AB'[h]}"] = {"pages": len(part), "body_paragraphs": r["body_paragraphs"],
                                            "body_flagged": r["body_flagged"], "furniture_recall": r["furniture_recall"]}
    out["site_halves"] = halves
    # the clean bodies alone (every flag there is on article text)
    bodies = [Document(id=p.id, text=p.body, url=p.url) for p in pages if p.body.strip()]
    rb = scan(bodies, Params(), workers=1)
    out["clean_body_paragraphs"] = sum(len(paragraphs_of(d)) for d in bodies)
    out["clean_body_flags"] = len(rb.boilerplate)
    return out


# ---------------------------------------------------------------------------
# 2. transplants
# ---------------------------------------------------------------------------
@dataclass
class Built:
    docs: list[Document]
    labels: dict[str, list[bool]]
    true_pairs: set[tuple[str, str]]
    directed: list[tuple[str, str, str]]  # (source, copy, group) where dates/credits say so
    undirected: list[tuple[str, str]]  # pairs nothing can direct (undated syndication)
    statements: list[tuple[str, str]]  # quote-only pairs
    common: list[tuple[str, str, str]]  # (external source, doc, doc): both credit it, neither copied the other
    templates: dict[str, Page] = field(default_factory=dict)  # the real page whose template each document is in
    quoted: set[tuple[str, str]] = field(default_factory=set)  # pairs where a template quotes the other's body
    ignored: set[tuple[str, str]] = field(default_factory=set)  # pairs neither required nor counted false


def _doc(doc_id: str, url: str, before: list[str], body: list[str], after: list[str]) -> tuple[Document, list[bool]]:
    pars = before + body + after
    labels = [False] * len(before) + [True] * len(body) + [False] * len(after)
    return Document(id=doc_id, text="\n\n".join(pars), url=url), labels


def _sister(host: str) -> str:
    parts = host.split(".")
    if parts[0] == "www" and len(parts) > 2:
        return "news." + ".".join(parts[1:])
    return "www2." + host


def _site_name(host: str) -> str:
    """A display name for a host: "www.dailyplanet.com" -> "Dailyplanet"."""
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)(host).domain.capitalize()


def build(pages: list[Page], rng: random.Random) -> Built:
    located = [p for p in pages if p.located]
    # one template per host; bodies of at least 4 paragraphs
    by_host: dict[str, Page] = {}
    for p in located:
        by_host.setdefault(p.host, p)
    templates = sorted(by_host.values(), key=lambda p: p.id)
    rng.shuffle(templates)
    bodies = [[ln.strip() for ln in p.body.split("\n") if ln.strip()] for p in sorted(located, key=lambda p: p.id)]
    line_host = {ln: p.host for b, p in zip(bodies, sorted(located, key=lambda p: p.id)) for ln in b}
    bodies = [b for b in bodies if len(b) >= 4 and sum(len(x.split()) for x in b) >= 150]
    # the fixture holds some articles twice (and pages quoting each other): keep bodies that share no text
    seen: set[tuple[str, ...]] = set()
    distinct = []
    for b in bodies:
        g = _trigrams(_norm_tokens(" ".join(b)))
        if len(g & seen) <= 0.15 * len(g):
            distinct.append(b)
        seen |= g
    bodies = distinct
    rng.shuffle(bodies)
    docs: list[Document] = []
    labels: dict[str, list[bool]] = {}
    true_pairs: set[tuple[str, str]] = set()
    directed: list[tuple[str, str, str]] = []
    undirected: list[tuple[str, str]] = []
    statements: list[tuple[str, str]] = []
    common: list[tuple[str, str, str]] = []
    next_body = iter(bodies)
    tpl_i = 0
    template_of: dict[str, Page] = {}
    current: list[Page] = []

    origin: dict[str, tuple[str, str]] = {}  # doc -> (host of its template page, host its body came from)

    def template():
        nonlocal tpl_i
        t = templates[tpl_i % len(templates)]
        tpl_i += 1
        current[:] = [t]
        return t

    def add(doc: Document, labs: list[bool]) -> str:  # in the template last picked
        docs.append(doc)
        labels[doc.id] = labs
        template_of[doc.id] = current[0]
        body = [p.text for p, lab in zip(paragraphs_of(doc), labs) if lab]
        origin[doc.id] = (current[0].host, line_host.get(body[-1], "") if body else "")
        return doc.id

    def share(ids: list[str]) -> None:
        for a, b in combinations(sorted(ids), 2):
            true_pairs.add((a, b))

    # template repeats: 3 bodies in one site's template, one on a sister host
    for g in range(12):
        t = template()
        before, after = t.template()
        for k in range(3):
            host = _sister(t.host) if k == 2 else t.host
            add(*_doc(f"tpl{g:02d}-{k}", f"https://{host}/story/{g}-{k}.html", before, next(next_body), after))
    # syndication: one body in the templates of 2, 3, 4, 6 sites (no dates)
    for g, n in enumerate([2, 3, 4, 6, 2, 3, 4, 6]):
        body = next(next_body)
        ids = []
        for k in range(n):
            t = template()
            before, after = t.template()
            ids.append(add(*_doc(f"syn{g:02d}-{k}", f"https://{t.host}/syndicated/{g}-{k}.html", before, body, after)))
        share(ids)
        undirected.extend(combinations(sorted(ids), 2))
    # wire bodies on wire hosts, reprinted later by two outlets
    for g, (name, host, tag, copyright_line) in enumerate(WIRE_HOSTS):
        body = next(next_body)
        city = CITIES[g % len(CITIES)]
        month, day = MONTHS[g % len(MONTHS)], 3 + g
        lead = f"{city} ({tag}) - {body[0]}"
        wire_body = [lead] + body[1:]
        t = template()
        before, after = t.template()
        wire_id = add(*_doc(f"wire{g:02d}", f"https://{host}/article/2008/{g}.html", before + [f"{month} {day}, 2008"],
                            wire_body, [copyright_line] + after))
        ids = [wire_id]
        for k in range(2):
            t = template()
            before, after = t.template()
            copy_body = [lead] + body[1:]
            credit = [f"Copyright 2008 {name}"] if k == 0 else []
            cid = add(*_doc(f"wire{g:02d}-copy{k}", f"https://{t.host}/news/{g}-{k}.html",
                            before + [f"{month} {day + 1 + k}, 2008"], copy_body, credit + after))
            ids.append(cid)
            directed.append((wire_id, cid, "wire"))
        share(ids)
    # reprints of a wire story that is not in the corpus: both outlets credit the wire (common upstream)
    for g, (name, _host, tag, _copyright) in enumerate(WIRE_HOSTS[:4]):
        body = next(next_body)
        lead = f"{CITIES[(g + 3) % len(CITIES)]} ({tag}) - {body[0]}"
        ids = []
        for k in range(2):
            t = template()
            before, after = t.template()
            ids.append(add(*_doc(f"reprint{g:02d}-{k}", f"https://{t.host}/wire/{g}-{k}.html",
                                 before + [f"{MONTHS[g]} {12 + k}, 2008"], [lead] + body[1:], after)))
        share(ids)
        common.append((f"external:{name}", ids[0], ids[1]))
    # aggregator copies: an outlet's dated body, its first paragraphs reprinted with a credit
    for g in range(6):
        body = next(next_body)
        t = template()
        before, after = t.template()
        month, day = MONTHS[(g + 3) % len(MONTHS)], 10 + g
        src = add(*_doc(f"agg{g:02d}-source", f"https://{t.host}/local/{g}.html", before + [f"{month} {day}, 2008"], body,
                        after))
        t2 = template()
        before2, after2 = t2.template()
        cp = add(*_doc(f"agg{g:02d}-copy", f"https://{t2.host}/aggregated/{g}.html", before2 + [f"{month} {day + 2}, 2008"],
                       body[:3], [f"Source: {_site_name(t.host)}"] + after2))
        share([src, cp])
        directed.append((src, cp, "aggregator"))
    # quote-only shares: two unrelated bodies quote the same statement
    for g, (quote, attribution) in enumerate(STATEMENTS):
        ids = []
        for k in range(2):
            body = next(next_body)
            t = template()
            before, after = t.template()
            qp = f'"{quote}," {attribution}.' if k == 0 else f'In a statement, {attribution.replace(" said in a statement", " said")}: "{quote}."'
            body = body[:2] + [qp] + body[2:]
            ids.append(add(*_doc(f"quote{g:02d}-{k}", f"https://{t.host}/q/{g}-{k}.html", before, body, after)))
        share(ids)
        statements.append(tuple(sorted(ids)))
    quoted = _template_quotes_body(docs, labels, origin) - true_pairs
    true_pairs |= quoted
    return Built(docs, labels, true_pairs, directed, undirected, statements, common, template_of, quoted)


QUOTE_MIN_WORDS = 15


def _template_quotes_body(docs: list[Document], labels: dict[str, list[bool]],
                          origin: dict[str, tuple[str, str]]) -> set[tuple[str, str]]:
    """Pairs where one page's template (its real furniture) quotes another page's body: a teaser of
    another site that summarises the very story transplanted there (digg.com's sidebar quoting an
    article another fixture page carries). That is real reuse of the body, not page text only.
    Found by the construction's own test: a run of ``QUOTE_MIN_WORDS`` words of a template line in
    the body of a document whose body came from another site than the template."""
    n = QUOTE_MIN_WORDS
    grams: dict[tuple[str, ...], set[str]] = {}
    for d in docs:
        for text, is_body in zip((p.text for p in paragraphs_of(d)), labels[d.id]):
            if is_body:
                toks = _norm_tokens(text)
                for i in range(len(toks) - n + 1):
                    grams.setdefault(tuple(toks[i : i + n]), set()).add(d.id)
    out: set[tuple[str, str]] = set()
    for d in docs:
        tpl_host = origin[d.id][0]
        for text, is_body in zip((p.text for p in paragraphs_of(d)), labels[d.id]):
            if is_body:
                continue
            toks = _norm_tokens(text)
            for i in range(len(toks) - n + 1):
                for other in grams.get(tuple(toks[i : i + n]), ()):
                    if other != d.id and origin[other][1] != tpl_host:
                        out.add(tuple(sorted((d.id, other))))
    return out


def score_transplants(built: Built, recurring: set[str] | None = None) -> dict:
    t = time.perf_counter()
    report = scan(built.docs, Params(), workers=1)
    wall = time.perf_counter() - t
    reported = {tuple(sorted((p.a, p.b))) for p in report.pairs} - built.ignored
    tp = len(reported & built.true_pairs)
    prec = tp / max(1, len(reported))
    rec = tp / max(1, len(built.true_pairs))
    f1 = 2 * prec * rec / max(1e-9, prec + rec)
    false_pairs = sorted(reported - built.true_pairs)
    edges = {(e.source, e.copy): e for e in report.provenance}
    right = reversed_ = ambiguous = 0
    wire_right = wire_rev = wire_n = 0
    for src, cp, group in built.directed:
        e = edges.get((src, cp))
        r = edges.get((cp, src))
        ok = e is not None and e.basis == "direct"
        rev = r is not None and r.basis == "direct"
        # an honest "either the wire or this outlet" answer: both candidates named
        amb = not ok and not rev and any(
            x.copy == cp and x.basis != "direct" and x.source in (src, f"external:{src}") for x in report.provenance
        )
        right += ok
        reversed_ += rev
        ambiguous += amb
        if group == "wire":
            wire_n += 1
            wire_right += ok
            wire_rev += rev
    for ext, a, b in built.common:
        ok = all((ext, x) in edges and edges[(ext, x)].basis in ("direct", "common-upstream") for x in (a, b))
        rev = any((x, y) in edges and edges[(x, y)].basis == "direct" for x, y in ((a, b), (b, a)))
        right += ok and not rev
        reversed_ += rev
    guessed = sum(
        1 for a, b in built.undirected
        if (edges.get((a, b)) and edges[(a, b)].basis == "direct") or (edges.get((b, a)) and edges[(b, a)].basis == "direct")
    )
    statements_ok = sum(
        1 for a, b in built.statements
        if any(c.origin and c.origin.startswith("external:") and {a, b} <= set(c.docs) for c in report.clusters)
    )
    out = {
        "documents": len(built.docs),
        "true_pairs": len(built.true_pairs),
        "reported_pairs": len(reported),
        "pair_precision": round(prec, 4),
        "pair_recall": round(rec, 4),
        "pair_f1": round(f1, 4),
        "page_text_only_pairs": len(false_pairs),
        "template_quotes_body_pairs": f"{len(reported & built.quoted)}/{len(built.quoted)}",
        "page_text_only_examples": [list(p) for p in false_pairs[:10]],
        "missed_pairs_examples": [list(p) for p in sorted(built.true_pairs - reported)[:10]],
        "wire_direction_right": f"{wire_right}/{wire_n}",
        "wire_direction_reversed": wire_rev,
        "provenance_cases_dated_or_credited": len(built.directed) + len(built.common),
        "provenance_accuracy_dated_or_credited": round(right / max(1, len(built.directed) + len(built.common)), 4),
        "provenance_reversed_or_invented": reversed_,
        "provenance_ambiguous_reported": ambiguous,
        "undated_syndication_pairs_given_a_direction": f"{guessed}/{len(built.undirected)}",
        "quote_only_as_statement": f"{statements_ok}/{len(built.statements)}",
        "wall_s": round(wall, 2),
    }
    texts = {d.id: [p.text for p in paragraphs_of(d)] for d in built.docs} if recurring is not None else None
    out.update({f"transplant_{k}": v for k, v in score_flags(report, built.labels, texts, recurring).items()})
    return out


# ---------------------------------------------------------------------------
# 3. the same transplants as HTML pages, read by syndetect's HTML reader
# ---------------------------------------------------------------------------
@cache
def _registrable(host: str) -> str:
    import tldextract

    parts = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)(host)
    return f"{parts.domain}.{parts.suffix}" if parts.suffix else host


_OG_SITE_NAME = re.compile(
    r"""<meta\s[^>]*(?:property|name)\s*=\s*["']og:site_name["'][^>]*>""", re.I)
_CONTENT = re.compile(r"""content\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)


def real_site_names(pages: list[Page]) -> dict[str, str]:
    """The ``og:site_name`` each real page declares in its own markup (fixture HTML), by page id."""
    out: dict[str, str] = {}
    for page_id, head in _fixture_heads(pages).items():
        m = _OG_SITE_NAME.search(head)
        c = _CONTENT.search(m.group(0)) if m else None
        name = " ".join((c.group(1) or c.group(2) or "").split()) if c else ""
        if name:
            from html import unescape

            out[page_id] = unescape(name)
    return out


def _fixture_heads(pages: list[Page]) -> dict[str, str]:
    """The first 200,000 characters of each real page's fixture HTML, by page id."""
    import gzip

    by_id = {page_hash_from_path(p)[:16]: p for p in list_html_files(DEFAULT_HTML_DIR)}
    out: dict[str, str] = {}
    for page in pages:
        path = by_id.get(page.id)
        if path is None:
            continue
        raw = path.read_bytes()
        out[page.id] = (gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw)[:200_000].decode("utf-8", "replace")
    return out


_TAG_LEAD = re.compile(r"^[A-Z][A-Za-z.,' -]{1,40}\s*\([A-Za-z]{2,10}\)\s*[-—–]+\s*")


def _headline(lead: str) -> str:
    """A headline for a body: its first sentence without the dateline tag, at most 12 words."""
    first = re.split(r"(?<=[.!?])\s", _TAG_LEAD.sub("", lead), maxsplit=1)[0]
    words = first.split()
    return " ".join(words[:12]).rstrip(",;:") if words else lead[:80]


def _html_page(doc: Document, labels: list[bool], template: Page | None = None, site_name: str | None = None) -> str:
    """The transplant as an HTML page, in the markup a real news page carries:

    * ``<link rel=canonical>`` and ``og:url`` (174 of the 181 real pages have one);
    * ``og:site_name`` only where the real page of that site declares one in its own
      markup (154 of 181; ``site_name``), never one made up from the host: a page on
      a host without a real page (the wire hosts) has none, as 27 real pages;
    * a ``<title>`` and ``<h1>`` headline (the lead's first words, without the
      dateline tag), the title with " | <site name>" where there is one;
    * the article's date stamp as ``<time datetime=…>`` opening the ``<article>``
      (55 of the 66 real pages with a ``<time>`` in ``<article>`` give ``datetime``),
      and no ``article:published_time``: the date is the article's own stamp, not
      metadata (the harder case);
    * the template's lines before the body as a ``<nav>`` list, the lines after it in
      an ``<aside>`` and ``<footer>`` — *with the template's own date stamps* (a
      related story's time, today's date in the header, "Updated …" lines of the
      page's original story), which the whole-page-text variant removes: on a real
      page they are furniture beside the article's own date;
    * a credit line right after the body as the article's last paragraph.

    The markup is generated (the fixture's own markup is not transplanted): it
    measures what syndetect's reader (trafilatura) leaves of a page's furniture and
    what the rules do with it, not trafilatura on the original markup."""
    from datetime import datetime
    from html import escape

    pars = [p.text for p in paragraphs_of(doc)]
    first = labels.index(True) if True in labels else len(pars)
    last = len(labels) - 1 - labels[::-1].index(True) if True in labels else len(pars) - 1
    before, body, after = pars[:first], pars[first : last + 1], pars[last + 1 :]
    # the furniture of the real template page, with its own date stamps
    t_before, t_after = template.template() if template is not None else (before, after)
    stamp = before[-1] if len(before) > len(t_before) and _DATE_STAMP.search(before[-1]) else None
    credit = after[0] if len(after) > len(t_after) and _CREDIT_LINE.match(after[0]) else None
    if template is not None:
        lo, hi = template.span()
        before, after = template.paragraphs[:lo], template.paragraphs[hi + 1 :]
    else:
        before, after = before[: len(before) - bool(stamp)], after[bool(credit) :]
    headline = _headline(body[0]) if body else doc.id
    site = site_name or ""
    title = escape(headline + (f" | {site}" if site else ""))
    url = escape(doc.url or "", quote=True)
    nav = "".join(f'<li><a href="/{i}">{escape(t)}</a></li>' for i, t in enumerate(before))
    mid = len(after) // 2
    aside = "".join(f'<li><a href="/r{i}">{escape(t)}</a></li>' for i, t in enumerate(after[:mid]))
    foot = "".join(f"<p>{escape(t)}</p>" for t in after[mid:])
    art = "".join(f"<p>{escape(t)}</p>" for t in body + ([credit] if credit else []))
    if stamp:
        when = datetime.strptime(stamp.strip(), "%B %d, %Y").date().isoformat()
        art = f'<p><time datetime="{when}">{escape(stamp)}</time></p>' + art
    site_meta = f'<meta property="og:site_name" content="{escape(site, quote=True)}">' if site else ""
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>'
        f'<link rel="canonical" href="{url}"><meta property="og:url" content="{url}">'
        f"{site_meta}</head><body>"
        f"<header><nav><ul>{nav}</ul></nav></header><main><article><h1>{escape(headline)}</h1>{art}</article>"
        f"<aside><ul>{aside}</ul></aside></main><footer>{foot}</footer></body></html>"
    )


_CREDIT_LINE = re.compile(r"^(?:Copyright\b|©|Source: )")


def score_html(built: Built, out: Path) -> dict:
    """Write every transplant as ``<id>.html`` and scan them through :func:`syndetect.read_inputs`;
    the pair and direction figures of :func:`score_transplants` on what the reader gives."""
    from syndetect import read_inputs

    folder = out / "real_pages_html"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.html"):
        old.unlink()
    from urllib.parse import urlsplit

    names = real_site_names(list({p.id: p for p in built.templates.values()}.values()))
    files = []
    for doc in built.docs:
        tpl = built.templates.get(doc.id)
        host = urlsplit(doc.url or "").hostname or ""
        # the site's real name, on a page of that site (a sister host is the same site)
        name = names.get(tpl.id) if tpl is not None and _registrable(host) == _registrable(tpl.host) else None
        path = folder / f"{doc.id}.html"
        path.write_text(_html_page(doc, built.labels[doc.id], tpl, name), "utf-8")
        files.append(str(path))
    inputs = read_inputs(files)
    docs = list(inputs)
    skipped = len(getattr(inputs, "skipped", ()) or ())
    by_url = {d.url: d.id for d in built.docs}
    from dataclasses import replace

    renamed = [replace(d, id=by_url.get(d.url, d.id)) for d in docs]
    # a template's teaser quoting another document's body sits in the generated <aside>, which the
    # reader drops as furniture: that pair is neither required nor counted false here
    html_built = Built(renamed, {d.id: [False] * len(paragraphs_of(d)) for d in renamed},
                       built.true_pairs - built.quoted, built.directed, built.undirected, built.statements,
                       built.common, templates=built.templates, ignored=built.quoted)
    result = score_transplants(html_built)
    keep = ("documents", "true_pairs", "reported_pairs", "pair_precision", "pair_recall", "pair_f1",
            "page_text_only_pairs", "page_text_only_examples", "missed_pairs_examples", "wire_direction_right",
            "wire_direction_reversed", "provenance_cases_dated_or_credited", "provenance_accuracy_dated_or_credited",
            "provenance_reversed_or_invented", "provenance_ambiguous_reported", "undated_syndication_pairs_given_a_direction",
            "quote_only_as_statement",
            "wall_s")
    out_d = {k: result[k] for k in keep if k in result}
    out_d["read"] = len(docs)
    out_d["skipped"] = skipped
    out_d["paragraphs_read"] = sum(len(paragraphs_of(d)) for d in renamed)
    out_d["paragraphs_transplanted"] = sum(len(v) for v in built.labels.values())
    out_d["date_sources"] = dict(sorted(Counter((d.date_source or "none").split(":")[0] for d in docs).items()))
    out_d["declared_site_names"] = sum(1 for d in docs if d.outlet)
    return out_d


def profile_rules(pages: list[Page], repeat: int = 3) -> dict:
    """The boilerplate stage of a scan of the real pages under cProfile (best of ``repeat``):
    cumulative seconds in lexicon matching, in body finding (``body_core``, and ``body_span``
    where the code has it) and the number of body computations, and the scan's wall time."""
    import cProfile
    import pstats

    docs = [Document(id=p.id, text=p.text, url=p.url) for p in pages]
    scan(docs[:3], Params(), workers=1)  # imports, caches
    best: dict | None = None
    for _ in range(repeat):
        prof = cProfile.Profile()
        t = time.perf_counter()
        prof.enable()
        scan(docs, Params(), workers=1)
        prof.disable()
        wall = time.perf_counter() - t
        stats = pstats.Stats(prof).stats  # type: ignore[attr-defined]
        out = {"scan_wall_s": round(wall, 2), "lexicon_match_s": 0.0, "body_core_s": 0.0, "body_core_calls": 0,
               "boilerplate_detect_s": 0.0, "boilerplate_finish_s": 0.0, "boilerplate_refine_s": 0.0}
        for (path, _line, name), (_cc, calls, _tt, cum, _callers) in stats.items():
            if path.endswith("rules/lexicon.py") and name == "match":
                out["lexicon_match_s"] += cum
            elif path.endswith("rules/shape.py") and name == "body_core":
                out["body_core_s"] += cum
                out["body_core_calls"] += calls
            elif path.endswith("pipeline/rules.py") and name in ("detect_task", "finish", "refine"):
                out[f"boilerplate_{'detect' if name == 'detect_task' else name}_s"] += cum
        out = {k: round(v, 3) if isinstance(v, float) else v for k, v in out.items()}
        if best is None or out["scan_wall_s"] < best["scan_wall_s"]:
            best = out
    assert best is not None
    return best


# ---------------------------------------------------------------------------
# 4. an audit of the body's edge: what the ground truth calls the article's own lines
# ---------------------------------------------------------------------------
_OG_TITLE = re.compile(r"""<meta\s[^>]*(?:property|name)\s*=\s*["']og:title["'][^>]*>""", re.I)
_TITLE_TAG = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
_CONTENT_WORD = re.compile(r"[^\W\d_]{3,}")
# the construction's own stop list (function words of English; other languages keep theirs)
_STOP = frozenset("""the and but for with from into over after before about than then that this these those
there here what which who whom whose when where why how all any some more most other such only own same
too very can will just should now also not nor are was were been being has have had does did would could
may might must shall its his her their our your they them she him you says said one two three new via per
""".split())


def declared_titles(pages: list[Page]) -> dict[str, str]:
    """The title each real page declares in its markup (``og:title``, else ``<title>``), by page id."""
    from html import unescape

    out: dict[str, str] = {}
    for page_id, head in _fixture_heads(pages).items():
        m = _OG_TITLE.search(head)
        c = _CONTENT.search(m.group(0)) if m else None
        title = (c.group(1) or c.group(2) or "") if c else ""
        if not title:
            t = _TITLE_TAG.search(head)
            title = t.group(1) if t else ""
        title = " ".join(unescape(title).split())
        if title:
            out[page_id] = title
    return out


def _title_lines(paragraphs: list[str], title: str) -> list[int]:
    """The lines of a page that are its declared title (normalised; a title may carry the site's
    name after the headline, so a line of at least 4 words the title starts with counts)."""
    tn = normalize_text(title)
    out = []
    for i, t in enumerate(paragraphs):
        n = normalize_text(t)
        if n and (n == tn or (len(n.split()) >= 4 and tn.startswith(n) and len(n) >= 0.6 * len(tn))):
            out.append(i)
    return out


def _content_words(text: str) -> set[str]:
    return {w for w in _CONTENT_WORD.findall(normalize_text(text)) if w not in _STOP}


def edge_audit(pages: list[Page]) -> dict:
    """Two signals of "the article's own line" at the body's edge, measured against the ground
    truth (``--audit-edges``): the page's declared title found as a line (is it body or furniture
    in the ground truth, is it flagged), and *lexical cohesion* — a ``shape/outside-body`` flag at
    most ``d`` lines from the told body (:func:`syndetect.rules.shape.body_span` around the flags
    the body is told around), on a site with one page in the scan, sharing at least ``k`` content
    words (and at least a share ``s`` of its own) with the told body's prose: the flags such a rule
    would drop, body and furniture, in the two halves of the sites (crc32 of the registrable
    domain mod 2)."""
    import zlib

    from syndetect.rules import shape
    from syndetect.rules.boilerplate import Boilerplate, body_skip, site_of

    docs = [Document(id=p.id, text=p.text, url=p.url) for p in pages]
    report = scan(docs, Params(), workers=1)
    flags = {(f.doc, f.paragraph): f for f in report.boilerplate}
    sp = Boilerplate.load().shape
    skip_keys = body_skip(report.boilerplate)
    site = {d.id: site_of(d) or d.id for d in docs}
    per_site = Counter(site.values())
    titles = declared_titles(pages)
    t_out = Counter()
    near: list[tuple[int, int, bool, int, float]] = []  # (half, distance, body, shared words, share)
    for p in pages:
        for i in _title_lines(p.paragraphs, titles.get(p.id, "")):
            lab = "body" if p.labels[i] else "furniture"
            t_out[f"{lab}"] += 1
            t_out[f"{lab}_flagged"] += (p.id, i + 1) in flags
        t_out["pages_with_title_line"] += bool(_title_lines(p.paragraphs, titles.get(p.id, "")))
        if per_site[site[p.id]] != 1:
            continue
        span = shape.body_span(p.paragraphs, [(p.id, i + 1) in skip_keys for i in range(len(p.paragraphs))], sp)
        if span is None:
            continue
        lo, hi = span
        body_words = set().union(*(_content_words(p.paragraphs[j]) for j in range(lo, hi + 1)
                                   if shape.is_prose(p.paragraphs[j], sp)))
        half = zlib.crc32(site[p.id].encode()) % 2
        for i, t in enumerate(p.paragraphs):
            f = flags.get((p.id, i + 1))
            dist = lo - i if i < lo else i - hi
            if f is None or f.rule != "shape/outside-body" or not 0 < dist <= 3:
                continue
            words = _content_words(t)
            shared = len(words & body_words)
            near.append((half, dist, p.labels[i], shared, shared / max(1, len(words))))
    grid = {}
    for d in (1, 2, 3):
        for k in (1, 2, 3, 5):
            for s in (0.0, 0.5, 0.75):
                cell = []
                for h in (0, 1):
                    sel = [x for x in near if x[0] == h and x[1] <= d and x[3] >= k and x[4] >= s]
                    cell.append(f"{'AB'[h]}: body {sum(x[2] for x in sel)} / furniture {sum(not x[2] for x in sel)}")
                grid[f"d<={d} k>={k} share>={s}"] = "; ".join(cell)
    return {"title_lines": dict(t_out), "cohesion_one_page_sites": grid,
            "near_flags_one_page_sites": {"body": sum(x[2] for x in near), "furniture": sum(not x[2] for x in near)}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=str(HERE / "out"))
    ap.add_argument("--json", default=None, help="write the figures to this file")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--no-html", action="store_true", help="skip the HTML variant (transplants read as .html)")
    ap.add_argument("--profile-rules", action="store_true",
                    help="only profile the boilerplate stage on the real pages (lexicon, body finding) and exit")
    ap.add_argument("--audit-edges", action="store_true",
                    help="only audit the body's edge against the ground truth (declared titles, lexical cohesion) and exit")
    args = ap.parse_args(argv)
    pages = load_pages(Path(args.out), args.limit)
    if args.profile_rules:
        print(json.dumps(profile_rules(pages), indent=2))
        return 0
    if args.audit_edges:
        return emit(edge_audit(pages), args.json)
    built = build(pages, random.Random(SEED))
    result = {"real_pages": real_pages(pages), "transplants": score_transplants(built, recurring_lines(pages))}
    if not args.no_html:
        result["transplants_html"] = score_html(built, Path(args.out))
    return emit(result, args.json)


def emit(result: dict, path: str | None) -> int:
    """Print the figures (and write them to ``path`` when given)."""
    text = json.dumps(result, indent=2, ensure_ascii=False)
    if path:
        Path(path).write_text(text + "\n", "utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
