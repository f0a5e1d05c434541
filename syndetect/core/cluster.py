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

from syndetect.core.measures import content_hash, covered_chars, fraction
from syndetect.model import Cluster, Match, Member, PairSummary

__all__ = ["build_clusters", "pair_summaries", "reused_fractions", "merge_ranges", "cluster_order"]

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

