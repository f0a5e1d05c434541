"""Provenance: who has the text first, who copied it, and how sure that is.

Evidence (:mod:`syndetect.provenance.evidence`), strongest first:
publication dates (``published``, front matter, or a dateline such as
``date 2024-01-18`` at the top of the text); explicit credits and notices
("Source: India Today", "(AP)", "published from a syndicated feed",
"Copyright ... The Associated Press"); wire outlets (the registry in
``data/wires.toml``); containment (the copy holds a subset or trimmed version
of the source's paragraphs); attribution around quoted speech ("a statement
read", "the ministry said").

Each cluster gets an ``origin`` and a ``chain`` of ``(source, copy)`` links.
Edges say ``basis``:

* ``direct`` — the copy took the text from the source;
* ``common-upstream`` — the source (often ``external:...``, outside the
  corpus) is a shared origin: the docs did not copy each other by any
  evidence in the corpus;
* ``unknown-direction`` — two docs share text and nothing says who was first.

and ``kinds``: the ids of the evidence kinds they rest on
(:data:`~syndetect.provenance.evidence.EVIDENCE_KINDS`).

Cost: no work or output quadratic in the documents of a cluster. A cluster of
at most :data:`ALL_PAIRS_DOCS` documents compares every document with every
earlier one. In a larger cluster a document's upstream candidates are
bounded (:func:`_Cluster.candidates`): the :data:`EARLIEST` first documents in
upstream order (wires, then by date) and the last one before it among those
tied with the first; per distinct version of the passage (when it has at
most ``_AFFINITY_MAX_VERSIONS``) the :data:`PER_VERSION` first documents of
that version and the last one before it tied with that version's first; the
documents of each *other* cluster it shares with at most
:data:`ALL_PAIRS_DOCS` documents (the strongest affinity); and the
:data:`EARLIEST` first documents whose outlet it credits. Affinity between
two documents is computed on demand from a cluster→versions index (never a
table of all pairs). Containment and similarity fall-backs use per-cluster
indexes (first document by size; versions, the ``_AFFINITY_MAX_VERSIONS``
most common ones and the document's own when there are more), and an evidence line names at
most :data:`NAMES_LISTED` documents ("and N more").
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import lru_cache
from itertools import chain
from typing import TYPE_CHECKING

from syndetect.core.text import tokenize
from syndetect.model import BoilerplateFlag, Cluster, Document, Member, Paragraph, ProvenanceEdge
from syndetect.provenance.evidence import DocEvidence, Labels, collect_evidence, credit_kind, parse_date

if TYPE_CHECKING:
    from syndetect.rules.boilerplate import Boilerplate

__all__ = ["infer_provenance", "DocEvidence", "parse_date"]

ALL_PAIRS_DOCS = 64  # clusters up to this many documents: every earlier document is a candidate
EARLIEST = 16  # larger clusters: the first documents in upstream order (and of the credited outlet)
PER_VERSION = 4  # larger clusters: the first documents of each distinct version of the passage
NAMES_LISTED = 10  # larger clusters: documents named in one evidence line

_QUOTES = re.compile("[\"\u201c\u201d\u201e]")
_SPEECH_AFTER = re.compile(
    r"^[\s,.;:'’\"”)]*(?:(?:he|she|it|they)\s+)?(?:the\s+|an?\s+(?:official\s+)?)?"
    r"(?P<who>(?:[A-Z][\w'’-]*\s+){0,4}?(?:statement|ministry|office|spokes\w+|minister|government|official|[A-Z][\w'’-]*))?\s*"
    r"(?:said|says|added|read|stated|claimed|told|wrote|announced)\b",
)
_SPEECH_INVERTED = re.compile(
    r"^[\s,.;:'’\"”)]*(?:said|says|added|stated|claimed|wrote|announced)\s+(?:the\s+)?"
    r"(?P<who>[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){0,4})",
)
_SPEECH_BEFORE = re.compile(
    r"(?P<who>(?:[A-Z][\w'’-]*\s+){1,4}|(?:[A-Z][\w'’-]*\s+){0,3}(?:ministry|office|statement|spokes\w+|minister|government)\s+)?"
    r"(?:said|says|added|stated|claimed|told|read)\b[^.]{0,40}$",
)


_MARKUP = re.compile(r"<[a-zA-Z/!][^<>]{0,400}>|\b[\w:-]+=\"[^\"<>]{0,400}\"")


def _unmarked(text: str) -> str:
    """The text with HTML tags and attribute values blanked: their quote marks are not speech."""
    if "<" not in text and '="' not in text:
        return text
    return _MARKUP.sub(lambda m: " " * len(m.group(0)), text)


def _quoted_share(text: str, start: int, end: int) -> float:
    """Share of ``text[start:end]`` that lies inside quotation marks (never those of markup residue)."""
    marks = [m.start() for m in _QUOTES.finditer(_unmarked(text))]
    if not marks:
        return 0.0
    inside = 0
    regions = list(zip(marks[0::2], marks[1::2]))
    if len(marks) % 2:  # an unclosed quote runs to the end of the paragraph
        regions.append((marks[-1], len(text)))
    for s, e in regions:
        inside += max(0, min(e, end) - max(s, start))
    return inside / max(1, end - start)


def _speaker(text: str, start: int, end: int) -> tuple[bool, str | None]:
    """Whether speech is attributed around the span, and to whom."""
    after = text[end : end + 120]
    m = _SPEECH_INVERTED.search(after) or _SPEECH_AFTER.search(after)
    if m:
        return True, (m.group("who") or "").strip() or None
    before = text[max(0, start - 120) : start]
    m = _SPEECH_BEFORE.search(before)
    if m:
        return True, (m.group("who") or "").strip() or None
    return False, None


_GENERIC = {"statement", "ministry", "official", "government", "office", "it", "he", "she", "they", "official statement"}


def _statement_label(members: Sequence[Member], text_of: dict, cluster_id: str) -> tuple[str | None, list[str]]:
    """``external:<speaker> statement`` when the passage is quoted speech."""
    quoted = 0
    speakers: Counter = Counter()
    evidence = []
    needed = max(2, (len(members) + 1) // 2)
    for i, m in enumerate(members):
        text = text_of[(m.doc, m.paragraph)]
        share = _quoted_share(text, m.start, m.end)
        if share >= 0.3:  # else no quoted speech, whoever is said to speak
            attributed, who = _speaker(text, m.start, m.end)
            if share >= 0.7 or attributed:
                quoted += 1
                if who and who.lower() not in ("he", "she", "it", "they"):
                    speakers[who] += 1
                evidence.append(f"{m.doc}: quoted speech{' attributed to ' + who if who else ''}")
        if quoted + len(members) - 1 - i < needed:
            return None, []  # too few members are left to be quoted
    if quoted < needed:
        return None, []
    named = {
        re.sub(r"^(?:The|An?)\s+", "", who): n
        for who, n in speakers.items()
        if who[:1].isupper() and re.sub(r"^(?:the|an?)\s+", "", who.lower()) not in _GENERIC
    }
    if named:
        # the most frequent named speaker ("Pakistani Foreign Ministry"), then the longest
        top = max(named.items(), key=lambda kv: (kv[1], len(kv[0]), kv[0]))[0]
        label = top if "statement" in top.lower() else f"{top} statement"
    else:  # no named speaker: a statement of its own, not lumped with others
        label = f"statement quoted in {cluster_id}"
    return f"external:{label}", evidence


@lru_cache(maxsize=1 << 16)
def _words(text: str) -> int:
    return len(tokenize(text))


@lru_cache(maxsize=1 << 14)
def _token_set(text: str) -> frozenset[str]:
    return frozenset(tokenize(text))


def _similarity(a: str, b: str) -> float:
    ta, tb = _token_set(a), _token_set(b)
    return len(ta & tb) / max(1, len(ta | tb))


def infer_provenance(
    docs: Sequence[Document],
    paragraphs: Sequence[Paragraph],
    clusters: Sequence[Cluster],
    flags: Sequence[BoilerplateFlag],
    site_names: dict | None = None,
    *,
    detector: Boilerplate | None = None,
    text_of: dict[tuple[str, int], str] | None = None,
) -> tuple[list[ProvenanceEdge], list[Cluster]]:
    """Provenance edges between documents (and external sources), and clusters with origin and chain.

    ``detector`` is the scan's boilerplate detector (its lexicon, with the
    user's rules, and its wires registry read the evidence); ``text_of``:
    ``(doc, paragraph index) -> text`` of ``paragraphs``, when the caller has it.
    """
    if detector is None:
        from syndetect.rules.boilerplate import Boilerplate

        detector = Boilerplate.load()
    labels = Labels(detector.wires)
    evidence = collect_evidence(docs, paragraphs, flags, site_names or {}, detector)
    if text_of is None:
        text_of = {(p.doc, p.index): p.text for p in paragraphs}
    edges: dict[tuple[str, str, str], dict] = {}
    copies_of: dict[str, set[str]] = defaultdict(set)  # source -> the copies of its "direct" edges (an index of edges)

    def add(source: str, copy: str, basis: str, confidence: float, why: list[str], cid: str, kinds: Sequence[str]) -> None:
        key = (source, copy, basis)
        e = edges.get(key)
        if e is None:
            e = edges[key] = {"confidence": 0.0, "evidence": [], "clusters": [], "kinds": []}
            if basis == "direct":
                copies_of[source].add(copy)
        e["confidence"] = max(e["confidence"], round(confidence, 2))
        for w in why:
            if w not in e["evidence"]:
                e["evidence"].append(w)
        for k in kinds:
            if k not in e["kinds"]:
                e["kinds"].append(k)
        if cid not in e["clusters"]:
            e["clusters"].append(cid)

    # Document-level notices: a syndicated feed is an upstream of its own.
    for d in sorted(evidence):
        for notice in evidence[d].notices:
            if re.search(r"syndicated|agency feed|wire (feed|copy)", notice, re.IGNORECASE):
                add("external:syndicated feed", d, "direct", 0.9, [f"notice '{notice}'"], "", ["notice/syndicated"])

    affinity = _Affinity(clusters)
    ts_of = {d: _ts(ev) for d, ev in evidence.items()}
    statements = {c.id: _statement_label(c.members, text_of, c.id) for c in clusters}
    # A quote inside a larger passage that the same documents share travelled with that passage:
    # it folds into the passage's edge (a statement upstream is for quote-only sharing).
    # "Inside" = in the same or a neighbouring paragraph of the passage, in every document.
    passages_at: dict[tuple[str, int], set[str]] = defaultdict(set)
    for c in clusters:
        if not statements[c.id][0]:
            for m in c.members:
                for k in (m.paragraph - 1, m.paragraph, m.paragraph + 1):
                    passages_at[(m.doc, k)].add(c.id)
    for c in clusters:
        if statements[c.id][0]:
            common: set[str] | None = None
            for m in c.members:
                here = passages_at.get((m.doc, m.paragraph), set())
                common = set(here) if common is None else common & here
                if not common:
                    break
            if common:
                statements[c.id] = (None, [])
    out_clusters = []
    for ci, c in enumerate(clusters):
        docs_in = list(c.docs)
        origin: str | None = None
        chain: list[tuple[str, str]] = []
        by_doc: dict[str, list[Member]] = defaultdict(list)
        for m in c.members:
            by_doc[m.doc].append(m)
        label, quote_ev = statements[c.id]
        if label:
            origin = label
            lines_of = _lines_by_doc(quote_ev, docs_in)
            for d in docs_in:
                why = lines_of(d) or [f"{d}: carries the quoted passage"]
                why.append(f"{len(docs_in)} documents quote the same words")
                add(label, d, "common-upstream", 0.8, why, c.id, ["quote/statement"])
                chain.append((label, d))
            out_clusters.append(replace(c, origin=origin, chain=tuple(chain)))
            continue
        # 1. Credits: the credited outlet's own document if the corpus holds
        #    it (the most similar one), else an external source.
        member_text = {d: " ".join(m.text for m in by_doc[d]) for d in docs_in}
        ordered = _order_by_evidence(docs_in, evidence)
        upstream = [o for o, _ in ordered]
        # a large cluster: bounded candidates through its indexes (module docstring, "Cost")
        index = (_Cluster(ci, docs_in, ordered, by_doc, member_text, text_of, evidence, labels, affinity)
                 if len(docs_in) > ALL_PAIRS_DOCS else None)
        wires_in = sum(1 for o in docs_in if evidence[o].is_wire)
        placed: set[str] = set()
        externals: dict[str, list[str]] = defaultdict(list)
        for d in docs_in:
            first = min(m.paragraph for m in by_doc[d])
            for (lab, line), scope in zip(evidence[d].credits, evidence[d].credit_from):
                if first < scope:
                    continue  # the document's own text before the credited wire copy
                kind = credit_kind(line)
                if index is None:
                    inside = [o for o in docs_in if o != d and labels.names(evidence[o], lab)]
                else:
                    inside = [o for o in index.outlet_docs(lab)[: ALL_PAIRS_DOCS + 1] if o != d][:ALL_PAIRS_DOCS]
                if inside and kind == "credit/wire-tag":
                    continue  # the tag travelled with the text: dates and similarity decide (step 2)
                if labels.is_generic(lab) and wires_in - evidence[d].is_wire > 0:
                    continue  # "(Agencies)" names no outlet: the wire in the cluster is the better answer
                if inside:
                    src = max(inside, key=lambda o: (_similarity(member_text[d], member_text[o]), -_ts(evidence[o]), o))
                    add(src, d, "direct", 0.9, [f"{d}: {line}", f"{src} is {labels.named_as(evidence[src])}"], c.id, [kind])
                    chain.append((src, d))
                    origin = origin or src
                else:
                    ext = f"external:{lab}"
                    add(ext, d, "direct", 0.85, [f"{d}: {line}"], c.id, [kind])
                    chain.append((ext, d))
                    externals[ext].append(d)
                    origin = origin or ext
                placed.add(d)
        # 2. The rest: the most similar earlier document by wire status or
        #    date; else the external source others credit; else containment.
        undirected: list[tuple[str, str, float, list[str], list[str]]] = []
        if externals:  # the external source most documents credit (step 1 is over: it no longer changes)
            ext, crediting = sorted(externals.items(), key=lambda kv: (-len(kv[1]), kv[0]))[0]
            crediters = sorted(set(crediting))
            names = (", ".join(crediters) if index is None or len(crediters) <= NAMES_LISTED
                     else ", ".join(crediters[:NAMES_LISTED]) + f" and {len(crediters) - NAMES_LISTED} more")
            ext_kinds = sorted({credit_kind(line) for o in crediters for lab, line in evidence[o].credits})
        for pos, (d, _) in enumerate(ordered):
            if d in placed:
                continue
            # never against a direction already found: a document credited as d's source is not its copy
            pool = upstream[:pos] if index is None else index.candidates(d, pos)
            taken = copies_of.get(d)  # documents with a "direct" edge from d
            earlier = [o for o in pool if o not in taken] if taken else pool
            link = _link(d, earlier, affinity, evidence, labels, ts_of, ci)
            if link is None and externals:
                add(ext, d, "common-upstream", 0.6,
                    [f"{d} shares this text with {names}, which credit{'s' if len(crediters) == 1 else ''} {ext[9:]}",
                     f"no date or credit says {d} and {names} copied each other"], c.id, ext_kinds)
                chain.append((ext, d))
                continue
            if link is None:
                link = (_weak_link(d, [o for o in docs_in if o != d], by_doc, text_of, member_text) if index is None
                        else index.weak_link(d))
            src, basis, conf, why, kinds, *alternatives = link
            if basis == "unknown-direction":  # decided after the directed links
                undirected.append((*sorted((src, d)), conf, why, kinds))
                continue
            add(src, d, basis, conf, why, c.id, kinds)
            chain.append((src, d))
            for alt, alt_why, alt_kinds in alternatives[0] if alternatives else ():
                add(alt, d, basis, conf, alt_why, c.id, alt_kinds)
                chain.append((alt, d))
            if origin is None:
                origin = ordered[0][0]
        for a, b, conf, why, kinds in undirected:  # only pairs no evidence gave a direction
            if (a, b, "direct") not in edges and (b, a, "direct") not in edges:
                add(a, b, "unknown-direction", conf, why, c.id, kinds)
        out_clusters.append(replace(c, origin=origin, chain=tuple(chain)))

    result = [
        ProvenanceEdge(s, cp, b, v["confidence"], tuple(v["evidence"]), tuple(x for x in v["clusters"] if x),
                       tuple(v["kinds"]))
        for (s, cp, b), v in edges.items()
    ]
    result.sort(key=lambda e: (e.copy, e.source, e.basis))
    return result, out_clusters


def _lines_by_doc(lines: list[str], docs_in: list[str]) -> Callable[[str], list[str]]:
    """``d -> [w for w in lines if w.startswith(d + ":")]``, in O(len(lines)) for all of ``docs_in`` together."""
    if any(":" in d for d in docs_in):  # an id that holds a colon may prefix another's line: compare them all
        return lambda d: [w for w in lines if w.startswith(d + ":")]
    by_doc: dict[str, list[str]] = defaultdict(list)
    for w in lines:  # "<doc>: ...": the doc is what comes before the first colon
        by_doc[w.partition(":")[0]].append(w)
    return lambda d: list(by_doc.get(d, ()))


def _ts(ev: DocEvidence) -> float:
    return ev.date.timestamp() if ev.date else float("inf")


def _order_by_evidence(docs_in: list[str], evidence: dict[str, DocEvidence]) -> list[tuple[str, str]]:
    """Docs ordered upstream-first, with why: wires first, then by date; undated last."""
    ordered = sorted(docs_in, key=lambda d: (not evidence[d].is_wire, _ts(evidence[d]), d))
    return [(d, "wire" if evidence[d].is_wire else ("dated" if evidence[d].date else "undated")) for d in ordered]


def _link(d: str, earlier: list[str], affinity: _Affinity, evidence: dict[str, DocEvidence], labels: Labels,
          ts_of: dict[str, float] | None = None, ci: int | None = None):
    """``d``'s upstream among the ``earlier`` docs when a wire or the dates say so.

    ``ts_of``: each document's :func:`_ts`, when the caller has computed them once; ``ci``: the
    index of a cluster that holds ``d`` and all of ``earlier`` (a shortcut for the affinities).
    """
    ev = evidence[d]
    d_wire, d_date = ev.is_wire, ev.date
    # the candidates: an earlier wire for a document that is none, else an earlier date
    candidates = [src for src in earlier
                  if ((sev := evidence[src]).is_wire and not d_wire)
                  or (d_date is not None and sev.date is not None and d_date > sev.date)]
    if not candidates:
        return None

    def confidence(src: str) -> float:
        sev = evidence[src]
        if sev.is_wire and not d_wire:
            return 0.8
        assert sev.date and d_date
        return 0.75 if (d_date - sev.date).total_seconds() / 3600 >= 1 else 0.6

    def detail(src: str) -> tuple[list[str], list[str]]:
        """Why ``src`` is a candidate upstream of ``d``, and the evidence kinds."""
        sev = evidence[src]
        if sev.is_wire and not ev.is_wire:
            wire_why = (f"{src} is on {sev.wire}'s own host: the wire's copy" if sev.wire_basis == "wire/host"
                        else f"{src} is a wire service ({sev.outlet})")
            return [wire_why, f"{d} is not"], [sev.wire_basis or "wire/outlet"]
        assert sev.date and ev.date
        hours = (ev.date - sev.date).total_seconds() / 3600
        return ([f"{src}: {sev.date_source}", f"{d}: {ev.date_source}", f"{d} is {hours:.1f} h later"],
                sorted({sev.date_kind or "", ev.date_kind or ""} - {""}))

    # the copy's text is closest to the document it was taken from (edits
    # carried along); among equally close ones, the earliest (the original):
    # the candidate of greatest (affinity rounded to 3 places, names one of d's credits, is a wire,
    # earliest, greatest id)
    credited = [lab for lab, _ in ev.credits]

    def closeness(src: str) -> float:
        return round(affinity.get((min(d, src), max(d, src)), 0.0), 3)

    if len(candidates) == 1:
        src = candidates[0]
    else:
        close = affinity.rounded(d, candidates, ci)
        top = max(close)

        def rest_of_rank(src: str) -> tuple:
            sev = evidence[src]
            names_it = bool(credited) and any(labels.names(sev, lab) for lab in credited)
            return (names_it, sev.is_wire, -(ts_of[src] if ts_of is not None else _ts(sev)), src)

        src = max((c for c, r in zip(candidates, close) if r == top), key=rest_of_rank)
    conf = confidence(src)
    best_why, best_kinds = detail(src)
    why: list[str] = list(best_why)
    kinds: list[str] = list(best_kinds)
    sev = evidence[src]
    if any(labels.names(sev, lab) for lab in credited):
        by_outlet = bool(sev.outlet) and any(labels.same(sev.outlet, lab) for lab in credited)
        why = why + [f"{d} credits {sev.outlet if by_outlet else sev.wire}"]
        kinds = kinds + sorted({credit_kind(line) for lab, line in ev.credits if labels.names(sev, lab)})
        conf = max(conf, 0.85)
        return src, "direct", conf, why, kinds
    if len(candidates) > 1:
        kinds = kinds + ["similarity"]
    # The wire, or an outlet that reprinted the wire? When their versions are equally close and
    # nothing else tells, say so: both candidates, lower confidence.
    if sev.is_wire:
        top = closeness(src)
        reprinters = sorted(
            (c for c in candidates
             if c != src and not evidence[c].is_wire
             and any(labels.same(lab, sev.wire) for lab, _ in evidence[c].credits) and closeness(c) == top),
        )
        if reprinters:
            names = ", ".join(reprinters)
            note = (f"{d}'s text is as close to {names} (which reprint{'s' if len(reprinters) == 1 else ''} "
                    f"{sev.wire}) as to {src}: either may be {d}'s source")
            alternatives = [(c, detail(c)[0] + [note], detail(c)[1] + ["similarity", "ambiguous"]) for c in reprinters]
            return src, "direct", 0.5, why + [note], kinds + ["ambiguous"], alternatives
    return src, "direct", conf, why, kinds



_AFFINITY_MAX_VERSIONS = 32


class _Affinity:
    """How closely two documents' versions of their shared passages agree, on demand.

    Sum over the clusters both are in of the word-bigram Jaccard similarity of
    their member texts: a copy keeps the edits of the version it was taken
    from. Identical versions count 1.0; clusters with more than
    ``_AFFINITY_MAX_VERSIONS`` distinct versions are left out. Kept as an
    index (document → clusters, cluster → document → version), so a passage
    reprinted by N outlets costs O(N) to index, and a query costs the
    clusters of one of the two documents — never a table of all pairs.
    """

    def __init__(self, clusters: Sequence[Cluster]) -> None:
        self.clusters_of: dict[str, list[int]] = defaultdict(list)
        self.docs_of: list[list[str]] = []
        self._version_of: list[dict[str, int] | None] = []
        self._version_text: list[list[str]] = []
        self._sims: dict[int, list[list[float]]] = {}  # cluster -> its versions' similarities
        self._close: dict[tuple[int, int], list[float]] = {}  # (cluster, version) -> _closeness
        for ci, c in enumerate(clusters):
            texts: dict[str, list[str]] = defaultdict(list)
            for m in c.members:
                texts[m.doc].append(m.text)
            self.docs_of.append(list(texts))
            versions: dict[str, int] = {}
            vmap: dict[str, int] = {}
            for d, t in texts.items():
                self.clusters_of[d].append(ci)
                vmap[d] = versions.setdefault(" ".join(t), len(versions))
            few = len(versions) <= _AFFINITY_MAX_VERSIONS
            self._version_of.append(vmap if few else None)
            self._version_text.append(list(versions) if few else [])

    def get(self, key: tuple[str, str], default: float = 0.0) -> float:
        a, b = key
        ca, cb = self.clusters_of.get(a, ()), self.clusters_of.get(b, ())
        if len(cb) < len(ca):
            a, b, ca = b, a, cb
        total: float | None = None
        for ci in ca:  # in cluster order: the same sum, added in the same order, as a table of pairs
            vmap = self._version_of[ci]
            if vmap is None or b not in vmap:
                continue
            va, vb = vmap[a], vmap[b]
            sim = 1.0 if va == vb else self._similarity(ci, min(va, vb), max(va, vb))
            total = sim if total is None else total + sim
        return default if total is None else total

    def rounded(self, a: str, others: Sequence[str], ci: int | None = None) -> list[float]:
        """``[round(self.get((a, o)), 3) for o in others]``, faster for documents ``others`` of
        cluster ``ci``, which ``a`` is in too.

        Most of ``others`` share no cluster with ``a`` but ``ci`` (among those with few versions):
        their affinity is the similarity of their version of ``ci`` to ``a``'s, computed once per
        version. The others are summed by :meth:`get`.
        """
        if ci is None:
            return [round(self.get((a, o)), 3) for o in others]
        vmap = self._version_of[ci]
        if vmap is None:  # ci adds nothing to an affinity
            out = [0.0] * len(others)
        else:
            close = self._closeness(ci, vmap[a])
            out = [close[vmap[o]] for o in others]
        elsewhere = [vm for cj in self.clusters_of[a] if cj != ci and (vm := self._version_of[cj]) is not None]
        if elsewhere:  # documents in another of a's clusters too: the whole sum
            pool = set(others)
            shared = set().union(*(vm.keys() & pool for vm in elsewhere))
            if shared:
                for i, o in enumerate(others):
                    if o in shared:
                        out[i] = round(self.get((a, o)), 3)
        return out

    def _similarity(self, ci: int, va: int, vb: int) -> float:
        return self._similarities(ci)[va][vb]

    def _closeness(self, ci: int, va: int) -> list[float]:
        """``[v]``: the affinity that cluster ``ci`` alone gives versions ``va`` and ``v``, rounded to 3 places."""
        key = (ci, va)
        close = self._close.get(key)
        if close is None:
            close = self._close[key] = [1.0 if v == va else round(x, 3) for v, x in enumerate(self._similarities(ci)[va])]
        return close

    def _similarities(self, ci: int) -> list[list[float]]:
        """``[va][vb]``: the Jaccard similarity of versions ``va`` and ``vb`` of cluster ``ci``, of their
        word bigrams and words (a word as the pair ``(word, "")``); every pair of the cluster's versions
        at once, as a 0/1 matrix of versions x grams times its transpose (exact counts: the same
        ``|A & B| / |A | B|`` as sets of pairs of strings)."""
        sims = self._sims.get(ci)
        if sims is None:
            import numpy as np

            words = [tokenize(text) for text in self._version_text[ci]]
            flat = list(chain.from_iterable(words))
            first: dict[str, int] = {}  # word -> where it first occurs: an id (0 stands for "")
            ids = np.array(list(map(first.setdefault, flat, range(1, len(flat) + 1))), dtype=np.int64)
            shift = len(flat).bit_length()  # a pair of ids is one int, (version, pair) another
            version = np.repeat(np.arange(len(words), dtype=np.int64), [len(w) for w in words])
            inside = version[1:] == version[:-1]  # bigrams within a version
            pairs = np.concatenate([version << 2 * shift | ids << shift,
                                    (version[:-1] << 2 * shift | ids[:-1] << shift | ids[1:])[inside]])
            pairs.sort()
            held = pairs[np.concatenate([[True], pairs[1:] != pairs[:-1]])]  # each version's distinct grams
            of = held >> 2 * shift
            _, column = np.unique(held & ((1 << 2 * shift) - 1), return_inverse=True)
            member = np.zeros((len(words), len(held) and int(column.max()) + 1))
            member[of, column] = 1.0
            sizes = np.bincount(of, minlength=len(words)).astype(np.float64)
            common = member @ member.T
            sims = self._sims[ci] = (common / np.maximum(1.0, sizes[:, None] + sizes[None, :] - common)).tolist()
        return sims


class _Cluster:
    """Indexes of one large cluster that bound each document's upstream candidates (module docstring, "Cost")."""

    def __init__(self, ci: int, docs_in: list[str], ordered: list[tuple[str, str]], by_doc, member_text: dict,
                 text_of: dict, evidence: dict[str, DocEvidence], labels: Labels, affinity: _Affinity) -> None:
        self.ci, self.docs_in, self.by_doc, self.member_text, self.text_of = ci, docs_in, by_doc, member_text, text_of
        self.evidence, self.labels, self.affinity = evidence, labels, affinity
        self.ordered = [d for d, _ in ordered]
        self.pos = {d: i for i, d in enumerate(self.ordered)}
        key = [(not evidence[d].is_wire, _ts(evidence[d])) for d in self.ordered]
        self.runs: list[tuple[list[int], int, int]] = []  # (positions in upstream order, how many first, tied with the first)
        self.runs.append((list(range(len(key))), EARLIEST, _tied(key, range(len(key)))))
        by_version: dict[str, list[int]] = defaultdict(list)
        for i, d in enumerate(self.ordered):
            by_version[member_text[d]].append(i)
        self.by_version = by_version
        if len(by_version) <= _AFFINITY_MAX_VERSIONS:  # else this cluster adds nothing to any affinity
            for positions in by_version.values():
                self.runs.append((positions, PER_VERSION, _tied(key, positions)))
        self.by_outlet: dict[str, list[int]] = defaultdict(list)
        for i, d in enumerate(self.ordered):  # by outlet, site and the wire a document is the own copy of (Labels.names)
            for name in dict.fromkeys(n for n in (evidence[d].outlet, evidence[d].host, evidence[d].wire) if n):
                self.by_outlet[name].append(i)
        self._outlet_docs: dict[str, list[str]] = {}
        self._sizes: tuple[list[float], list[int], list[int]] | None = None
        self._top_versions: list[tuple[str, list[str]]] | None = None
        self._greatest: dict[str, list[str]] = {}
        self._early = sorted({i for positions, first, _ in self.runs for i in positions[:first]})
        self._ties = [run for run in self.runs if run[2] > run[1]]
        self._shared: dict[int, list[int]] = {}

    def outlet_docs(self, label: str) -> list[str]:
        """The cluster's documents whose outlet is ``label``, upstream first (once per label)."""
        if label not in self._outlet_docs:
            hits = sorted({i for outlet, positions in self.by_outlet.items()
                           if self.labels.same(outlet, label) for i in positions})
            self._outlet_docs[label] = [self.ordered[i] for i in hits]
        return self._outlet_docs[label]

    def candidates(self, d: str, pos: int) -> list[str]:
        """``d``'s upstream candidates among the documents before it, upstream first: a bounded number.

        Of each run, the ``first`` positions before ``pos`` and the last one before ``pos`` tied with
        the run's first (ties go to the greatest id); through :attr:`_early` (every run's ``first``
        positions, sorted) and :attr:`_ties` (the runs whose ties reach past their ``first``).
        """
        early = self._early
        picked = set(early[: bisect_left(early, pos)])
        for positions, first, tied in self._ties:
            last = min(tied, bisect_left(positions, pos))  # how many of the run's ties lie before pos
            if last > first:  # (the others are among its first positions)
                picked.add(positions[last - 1])
        for cj in self.affinity.clusters_of[d]:  # the documents it shares other, smaller clusters with
            if cj != self.ci and len(self.affinity.docs_of[cj]) <= ALL_PAIRS_DOCS:
                shared = self._shared.get(cj)
                if shared is None:  # their positions here, sorted
                    shared = self._shared[cj] = sorted(i for o in self.affinity.docs_of[cj] if (i := self.pos.get(o)) is not None)
                picked.update(shared[: bisect_left(shared, pos)])
        for lab, _ in self.evidence[d].credits:  # the first documents of the outlets it credits
            picked.update([i for i in (self.pos[o] for o in self.outlet_docs(lab)[:EARLIEST]) if i < pos])
        return [self.ordered[i] for i in sorted(picked)]

    def weak_link(self, d: str):
        """:func:`_weak_link` through the cluster's indexes: the same answer, O(log N) for containment."""
        copy = self.by_doc[d]
        c_words = sum(_words(m.text) for m in copy)
        c_pars = sum(_words(self.text_of[(m.doc, m.paragraph)]) for m in copy)
        if c_pars and c_words >= 0.95 * c_pars:
            src = self._first_larger(1.2 * c_pars, d)
            if src is not None:
                return src, "direct", 0.5, [f"containment: {d} holds a trimmed version of {src}'s paragraphs"], ["containment"]
        if self._top_versions is None:  # the versions compared: all, or the most common ones when there are many
            ranked = sorted(self.by_version.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:_AFFINITY_MAX_VERSIONS]
            self._top_versions = [(v, sorted((self.ordered[i] for i in ps), reverse=True)[:2]) for v, ps in ranked]
        mine = self.member_text[d]
        versions = self._top_versions
        if all(v != mine for v, _ in versions):
            if mine not in self._greatest:
                self._greatest[mine] = sorted((self.ordered[i] for i in self.by_version[mine]), reverse=True)[:2]
            versions = versions + [(mine, self._greatest[mine])]
        best: tuple[float, str] | None = None
        for v, top in versions:
            o = next((x for x in top if x != d), None)
            if o is not None and (best is None or (_similarity(mine, v), o) > best):
                best = (_similarity(mine, v), o)
        assert best is not None
        a, b = sorted((d, best[1]))
        return best[1], "unknown-direction", 0.0, [f"{a} and {b} share text; no date, credit or containment says who was first"], ["none"]

    def _first_larger(self, threshold: float, d: str) -> str | None:
        """The first document in cluster order other than ``d`` whose paragraphs hold more than ``threshold`` words."""
        if self._sizes is None:
            size = [sum(_words(self.text_of[(m.doc, m.paragraph)]) for m in self.by_doc[o]) for o in self.docs_in]
            order = sorted(range(len(size)), key=lambda i: -size[i])
            first, second, f, s2 = [], [], len(size), len(size)
            for i in order:  # the two first positions among the k largest, for each k
                if i < f:
                    f, s2 = i, f
                elif i < s2:
                    s2 = i
                first.append(f)
                second.append(s2)
            self._sizes = ([-size[i] for i in order], first, second)
        neg, first, second = self._sizes
        k = bisect_left(neg, -threshold)  # how many hold more than threshold
        if not k:
            return None
        i = first[k - 1] if self.docs_in[first[k - 1]] != d else second[k - 1]
        return self.docs_in[i] if i < len(self.docs_in) else None


def _tied(key: list, positions) -> int:
    """How many of ``positions`` (in upstream order) share the first one's wire status and date."""
    n = 0
    for i in positions:
        if key[i] != key[positions[0]]:
            break
        n += 1
    return n


def _weak_link(d: str, others: list[str], by_doc, text_of, member_text):
    """Containment, else an edge whose direction is unknown."""
    for src in others:
        contained = _contained(by_doc[d], by_doc[src], text_of)
        if contained:
            return src, "direct", 0.5, [contained], ["containment"]
    src = max(others, key=lambda o: (_similarity(member_text[d], member_text[o]), o))
    a, b = sorted((d, src))
    return src, "unknown-direction", 0.0, [f"{a} and {b} share text; no date, credit or containment says who was first"], ["none"]


def _contained(copy: list[Member], source: list[Member], text_of) -> str | None:
    """Containment: the copy's shared text is a trimmed part of the source's paragraph."""
    c_words = sum(_words(m.text) for m in copy)
    s_words = sum(_words(text_of[(m.doc, m.paragraph)]) for m in source)
    c_pars = sum(_words(text_of[(m.doc, m.paragraph)]) for m in copy)
    # the copy's paragraphs are (nearly) all shared text; the source's hold more
    if c_pars and c_words >= 0.95 * c_pars and s_words > 1.2 * c_pars:
        return f"containment: {copy[0].doc} holds a trimmed version of {source[0].doc}'s paragraphs"
    return None
