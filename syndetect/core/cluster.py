"""Group verified matches into reuse clusters, and summarise documents and pairs.

A segment is a span of one paragraph. Segments joined by a match, or
overlapping by at least half of the shorter one inside one paragraph, end up
in one cluster (union-find). Each segment belongs to exactly one cluster, so
clusters partition their members. A cluster must span at least two
documents.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from syndetect.core.candidates import components
from syndetect.core.measures import content_hash, covered_chars, fraction
from syndetect.model import Cluster, Match, Member, PairSummary, Paragraph

__all__ = ["build_clusters", "build_clusters_from_rows", "pair_summaries", "reused_fractions", "merge_ranges",
           "cluster_order"]

Segment = tuple[str, int, int, int]  # doc, paragraph, start, end


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict = {}

    def find(self, x):
        parent = self.parent
        parent.setdefault(x, x)
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, x, y) -> None:
        rx, ry = self.find(x), self.find(y)
        if rx != ry:
            if ry < rx:
                rx, ry = ry, rx
            self.parent[ry] = rx


def merge_ranges(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Union of half-open ranges, sorted, overlapping or touching ones merged."""
    out: list[tuple[int, int]] = []
    for s, e in sorted(ranges):
        if out and s <= out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def cluster_order(members: Sequence[Member], words: int) -> tuple:
    """Sort key of a cluster (``members`` sorted): most documents, then most
    words, then the first member's place. Cluster ids follow this order."""
    first = members[0]
    return (-len({m.doc for m in members}), -words, first.doc, first.paragraph, first.start)


def build_clusters(
    matches: Iterable[Match],
    paragraph_text: Mapping[tuple[str, int], str],
) -> list[Cluster]:
    """Reuse clusters from verified matches (deterministic order and ids)."""
    uf = _UnionFind()
    by_paragraph: dict[tuple[str, int], set[Segment]] = defaultdict(set)
    words_of: dict[Segment, int] = {}
    for m in matches:
        sa: Segment = (m.a_doc, m.a_paragraph, m.a_start, m.a_end)
        sb: Segment = (m.b_doc, m.b_paragraph, m.b_start, m.b_end)
        uf.union(sa, sb)
        by_paragraph[(m.a_doc, m.a_paragraph)].add(sa)
        by_paragraph[(m.b_doc, m.b_paragraph)].add(sb)
        for s in (sa, sb):
            words_of[s] = max(words_of.get(s, 0), m.words)
    # Overlapping segments of one paragraph are the same passage.
    for par_segs in by_paragraph.values():
        ordered = sorted(par_segs, key=lambda s: (s[2], s[3]))
        for i, x in enumerate(ordered):
            for y in ordered[i + 1 :]:
                if y[2] >= x[3]:
                    break
                inter = min(x[3], y[3]) - y[2]
                shorter = min(x[3] - x[2], y[3] - y[2])
                if inter * 2 >= shorter:
                    uf.union(x, y)
    groups: dict[Segment, list[Segment]] = defaultdict(list)
    for par_segs in by_paragraph.values():
        for s in par_segs:
            groups[uf.find(s)].append(s)
    clusters = []
    for segs in groups.values():
        if len({s[0] for s in segs}) < 2:
            continue
        per_par: dict[tuple[str, int], list[tuple[int, int]]] = defaultdict(list)
        for doc, par, start, end in segs:
            per_par[(doc, par)].append((start, end))
        members = []
        for (doc, par), ranges in per_par.items():
            text = paragraph_text[(doc, par)]
            for start, end in merge_ranges(ranges):
                members.append(Member(doc, par, start, end, text[start:end]))
        members.sort(key=lambda m: (m.doc, m.paragraph, m.start))
        words = max(words_of[s] for s in segs)
        longest = max(members, key=lambda m: m.end - m.start)  # first of the longest
        fingerprint = content_hash(longest.text)
        clusters.append((members, words, fingerprint))
    clusters.sort(key=lambda c: cluster_order(c[0], c[1]))
    return [
        Cluster(id=f"C{i + 1}", fingerprint=fp, members=tuple(members), words=words)
        for i, (members, words, fp) in enumerate(clusters)
    ]


def build_clusters_from_rows(rows: np.ndarray, paragraphs: Sequence[Paragraph], doc_of: np.ndarray) -> list[Cluster]:
    """:func:`build_clusters` over matches as an ``(n, 7)`` integer array, the same clusters.

    A row is ``(a, a_start, a_end, b, b_start, b_end, words)`` with ``a``/``b``
    positions in ``paragraphs`` (sorted by document, then paragraph index:
    the scan's order) and ``doc_of[p]`` the document number of paragraph
    ``p``. The segments, their unions (a match; an overlap of at least half
    the shorter segment inside one paragraph) and the members' merged
    ranges are computed on arrays; only the members are Python objects.
    """
    if len(rows) == 0:
        return []
    rows = np.asarray(rows, dtype=np.int64)
    n = len(rows)
    both = np.concatenate([rows[:, 0:3], rows[:, 3:6]])  # (2n, 3): paragraph, start, end
    span = int(both[:, 1:].max()) + 1 if len(both) else 1
    if int(both.min()) >= 0 and (int(both[:, 0].max()) + 1) * span * span < 2**63:
        # (paragraph, start, end) as one int64 code: one unstable sort (equal codes are equal segments)
        code = (both[:, 0] * span + both[:, 1]) * span + both[:, 2]
        order = np.argsort(code)
        code = code[order]
        srt = both[order]
        new = np.ones(len(srt), dtype=bool)
        new[1:] = code[1:] != code[:-1]
    else:
        order = np.lexsort((both[:, 2], both[:, 1], both[:, 0]))
        srt = both[order]
        new = np.ones(len(srt), dtype=bool)
        new[1:] = np.any(srt[1:] != srt[:-1], axis=1)
    seg_of = np.empty(len(srt), dtype=np.int64)
    seg_of[order] = np.cumsum(new) - 1
    segs = srt[new]  # unique segments, sorted by (paragraph, start, end)
    m = len(segs)
    words = np.zeros(m, dtype=np.int64)
    np.maximum.at(words, seg_of, np.concatenate([rows[:, 6], rows[:, 6]]))
    edges = [np.stack([seg_of[:n], seg_of[n:]], axis=1)]
    # Overlaps inside a paragraph: every later segment of the paragraph starting before x ends.
    par, start, end = segs[:, 0], segs[:, 1], segs[:, 2]
    width = int(max(int(end.max()), int(start.max()))) + 1
    at = par * width + start
    hi = np.searchsorted(at, par * width + end, side="left")
    count = hi - np.arange(m) - 1
    if count.any():
        x = np.repeat(np.arange(m), np.maximum(count, 0))
        offsets = np.arange(len(x)) - np.repeat(np.cumsum(np.maximum(count, 0)) - np.maximum(count, 0), np.maximum(count, 0))
        y = x + 1 + offsets
        inter = np.minimum(end[x], end[y]) - start[y]
        shorter = np.minimum(end[x] - start[x], end[y] - start[y])
        keep = inter * 2 >= shorter
        edges.append(np.stack([x[keep], y[keep]], axis=1))
    label = components(np.concatenate(edges), m)
    # Segments by component, then (paragraph, start, end); members: each paragraph's ranges merged.
    by = np.sort(label * m + np.arange(m)) % m  # by label, then segment (a stable argsort, by one unstable sort)
    lab, p, s, e = label[by], par[by], start[by], end[by]
    group = np.ones(m, dtype=bool)  # first segment of a (component, paragraph)
    group[1:] = (lab[1:] != lab[:-1]) | (p[1:] != p[:-1])
    gid = np.cumsum(group) - 1
    reach = np.maximum.accumulate(gid * (width + 1) + e) - gid * (width + 1)  # running end inside the group
    first = group.copy()
    first[1:] |= s[1:] > reach[:-1]
    member_of = np.cumsum(first) - 1
    m_start = s[first]
    m_end = np.zeros(int(member_of[-1]) + 1, dtype=np.int64)
    np.maximum.at(m_end, member_of, e)
    m_par = p[first]
    m_lab = lab[first]
    # clusters: components over at least two documents
    comp_first = np.flatnonzero(np.r_[True, m_lab[1:] != m_lab[:-1]])
    comp_end = np.r_[comp_first[1:], len(m_lab)]
    seg_first = np.flatnonzero(np.r_[True, lab[1:] != lab[:-1]])
    comp_words = np.maximum.reduceat(words[by], seg_first)
    docs_of = doc_of[m_par]
    clusters = []
    for ci, (lo, hi) in enumerate(zip(comp_first.tolist(), comp_end.tolist())):
        if docs_of[lo] == docs_of[hi - 1]:  # one document (its members are in paragraph order)
            continue
        members = []
        for q, a, b in zip(m_par[lo:hi].tolist(), m_start[lo:hi].tolist(), m_end[lo:hi].tolist()):
            para = paragraphs[q]
            members.append(Member(para.doc, para.index, a, b, para.text[a:b]))
        longest = max(members, key=lambda mm: mm.end - mm.start)  # first of the longest
        clusters.append((members, int(comp_words[ci]), content_hash(longest.text)))
    clusters.sort(key=lambda c: cluster_order(c[0], c[1]))
    return [
        Cluster(id=f"C{i + 1}", fingerprint=fp, members=tuple(members), words=words_)
        for i, (members, words_, fp) in enumerate(clusters)
    ]


def reused_fractions(
    clusters: Iterable[Cluster],
    content_chars: Mapping[str, int],
) -> dict[str, float]:
    """Share of each document's (non-boilerplate) characters inside clusters."""
    ranges: dict[str, dict[int, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
    for c in clusters:
        for m in c.members:
            ranges[m.doc][m.paragraph].append((m.start, m.end))
    return {
        doc: fraction(covered_chars(ranges[doc]) if doc in ranges else 0, total)
        for doc, total in content_chars.items()
    }


def pair_summaries(
    clusters: Iterable[Cluster],
    content_chars: Mapping[str, int],
    *,
    popular_docs: int | None = None,
) -> list[PairSummary]:
    """What each pair of documents shares, through the clusters they are both in.

    A cluster over more than ``popular_docs`` documents is a *popular
    passage* (wire copy printed by hundreds of outlets): it does not make its
    documents a pair by itself — their N²/2 pairs would say nothing the
    cluster's member list does not — but it is counted in the summary of every
    pair that also shares a less popular cluster. ``None`` lists every pair.
    Work and output are linear in the members of popular clusters: pairs come
    from the other clusters (at most ``popular_docs`` documents each), and each
    pair reads only its two documents' members.
    """
    clusters = list(clusters)
    of_doc: dict[str, list[int]] = defaultdict(list)  # doc -> indexes of its clusters (ascending)
    ranges: dict[tuple[int, str], dict[int, list[tuple[int, int]]]] = {}  # (cluster, doc) -> paragraph -> ranges
    for ci, c in enumerate(clusters):
        for m in c.members:
            per = ranges.get((ci, m.doc))
            if per is None:
                per = ranges[(ci, m.doc)] = defaultdict(list)
                of_doc[m.doc].append(ci)
            per[m.paragraph].append((m.start, m.end))
    pairs: set[tuple[str, str]] = set()
    for c in clusters:
        docs = c.docs
        if popular_docs is not None and len(docs) > popular_docs:
            continue
        for i, a in enumerate(docs):
            for b in docs[i + 1 :]:
                pairs.add((a, b))
    out = []
    for a, b in sorted(pairs):
        shared = sorted(set(of_doc[a]).intersection(of_doc[b]))
        side: dict[str, dict[int, list[tuple[int, int]]]] = {a: defaultdict(list), b: defaultdict(list)}
        for ci in shared:
            for doc in (a, b):
                for par, rs in ranges[(ci, doc)].items():
                    side[doc][par].extend(rs)

        out.append(
            PairSummary(
                a, b, len(shared), len(side[a]), len(side[b]),
                fraction(covered_chars(side[a]), content_chars.get(a, 0)),
                fraction(covered_chars(side[b]), content_chars.get(b, 0)),
            )
        )
    return out

