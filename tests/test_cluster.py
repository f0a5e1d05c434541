"""Clusters of verified matches, range merging and reuse fractions."""

from __future__ import annotations

import random

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from syndetect.core.cluster import (
    build_clusters,
    build_clusters_from_rows,
    merge_ranges,
    pair_summaries,
    reused_fractions,
)
from syndetect.model import Match, Paragraph

DOCS = ["d0", "d1", "d2", "d3"]
PARS = (1, 2)
LENGTH = 120
TEXT = {
    (d, p): "".join(chr(ord("a") + (i * 7 + di * 3 + p) % 26) for i in range(LENGTH))
    for di, d in enumerate(DOCS) for p in PARS
}


@st.composite
def matches(draw):
    a_doc, b_doc = draw(st.lists(st.sampled_from(DOCS), min_size=2, max_size=2, unique=True))
    out = []
    for doc in (a_doc, b_doc):
        par = draw(st.sampled_from(PARS))
        start = draw(st.integers(0, LENGTH - 5))
        end = draw(st.integers(start + 1, min(LENGTH, start + 60)))
        out.append((doc, par, start, end))
    (ad, ap, as_, ae), (bd, bp, bs, be) = out
    return Match(ad, ap, as_, ae, bd, bp, bs, be, draw(st.integers(1, 50)))


MATCHES = st.lists(matches(), min_size=0, max_size=14)


def segments(ms):
    for m in ms:
        yield (m.a_doc, m.a_paragraph, m.a_start, m.a_end)
        yield (m.b_doc, m.b_paragraph, m.b_start, m.b_end)


PARAGRAPHS = [Paragraph(d, p, 0, LENGTH, TEXT[(d, p)]) for d in DOCS for p in PARS]  # the scan's order
PID = {(p.doc, p.index): i for i, p in enumerate(PARAGRAPHS)}
DOC_OF = np.array([DOCS.index(p.doc) for p in PARAGRAPHS])


def as_rows(ms):
    return np.array([(PID[(m.a_doc, m.a_paragraph)], m.a_start, m.a_end, PID[(m.b_doc, m.b_paragraph)], m.b_start,
                      m.b_end, m.words) for m in ms], dtype=np.int64).reshape(-1, 7)


@settings(max_examples=500, deadline=None)
@given(st.lists(matches(), min_size=0, max_size=30))
def test_clusters_from_rows_are_the_clusters_of_matches(ms):
    assert build_clusters_from_rows(as_rows(ms), PARAGRAPHS, DOC_OF) == build_clusters(ms, TEXT)


def test_clusters_from_rows_on_nested_and_touching_segments():
    ms = [Match("d0", 1, 0, 50, "d1", 1, 0, 50, 9), Match("d0", 1, 10, 20, "d2", 1, 5, 15, 3),
          Match("d0", 1, 50, 60, "d3", 2, 0, 10, 2), Match("d0", 1, 45, 70, "d2", 2, 40, 65, 5),
          Match("d1", 2, 0, 10, "d3", 1, 0, 10, 2), Match("d1", 2, 10, 30, "d3", 1, 12, 30, 4)]
    for k in range(len(ms)):
        assert build_clusters_from_rows(as_rows(ms[k:] + ms[:k]), PARAGRAPHS, DOC_OF) == build_clusters(ms, TEXT)


@settings(max_examples=300, deadline=None)
@given(MATCHES)
def test_cluster_invariants(ms):
    clusters = build_clusters(ms, TEXT)
    assert [c.id for c in clusters] == [f"C{i}" for i in range(1, len(clusters) + 1)]
    seen_members = set()
    for c in clusters:
        assert len(c.docs) >= 2
        assert len({m.doc for m in c.members}) >= 2
        assert c.words >= 1 and len(c.fingerprint) == 16
        assert list(c.members) == sorted(c.members, key=lambda m: (m.doc, m.paragraph, m.start))
        by_par: dict = {}
        for m in c.members:
            assert 0 <= m.start < m.end <= LENGTH
            assert m.text == TEXT[(m.doc, m.paragraph)][m.start : m.end]
            key = (m.doc, m.paragraph, m.start, m.end)
            assert key not in seen_members  # a member belongs to one cluster only
            seen_members.add(key)
            by_par.setdefault((m.doc, m.paragraph), []).append((m.start, m.end))
        for ranges in by_par.values():  # members of one cluster in one paragraph are disjoint
            ranges.sort()
            assert all(e1 < s2 for (_, e1), (s2, _) in zip(ranges, ranges[1:]))
    # every matched segment lies inside a member of exactly one cluster
    for doc, par, s, e in segments(ms):
        owners = [
            c.id for c in clusters
            if any(m.doc == doc and m.paragraph == par and m.start <= s and e <= m.end for m in c.members)
        ]
        assert len(owners) == 1, (doc, par, s, e, owners)
    # every member is made of matched segments (nothing invented)
    for c in clusters:
        for m in c.members:
            inside = [(s, e) for d, p, s, e in segments(ms) if d == m.doc and p == m.paragraph
                      and m.start <= s and e <= m.end]
            assert merge_ranges(inside) == [(m.start, m.end)]


@settings(max_examples=100, deadline=None)
@given(MATCHES, st.randoms(use_true_random=False))
def test_clusters_do_not_depend_on_match_order(ms, rnd):
    shuffled = list(ms)
    rnd.shuffle(shuffled)
    assert build_clusters(shuffled, TEXT) == build_clusters(ms, TEXT)


@settings(max_examples=200, deadline=None)
@given(MATCHES)
def test_reused_fractions_and_pairs_in_unit_interval(ms):
    clusters = build_clusters(ms, TEXT)
    chars = {d: LENGTH * len(PARS) for d in DOCS}
    chars["empty"] = 0
    fractions = reused_fractions(clusters, chars)
    assert set(fractions) == set(chars)
    assert all(0.0 <= f <= 1.0 for f in fractions.values())
    assert fractions["empty"] == 0.0
    for d in DOCS:
        covered = sum(e - s for p in PARS for s, e in merge_ranges(
            [(m.start, m.end) for c in clusters for m in c.members if m.doc == d and m.paragraph == p]))
        assert fractions[d] == round(covered / chars[d], 4)
    for p in pair_summaries(clusters, chars):
        assert p.a < p.b and p.clusters >= 1
        assert 0.0 <= p.a_fraction <= 1.0 and 0.0 <= p.b_fraction <= 1.0


def test_fraction_capped_when_content_is_smaller_than_covered():
    clusters = build_clusters([Match("d0", 1, 0, 100, "d1", 1, 0, 100, 20)], TEXT)
    assert reused_fractions(clusters, {"d0": 50, "d1": 200}) == {"d0": 1.0, "d1": 0.5}


def test_build_clusters_examples():
    ms = [
        Match("d0", 1, 10, 50, "d1", 1, 0, 40, 20),
        Match("d1", 1, 5, 40, "d2", 2, 60, 95, 18),  # overlaps d1's segment by >= half: same passage
        Match("d0", 2, 0, 30, "d3", 1, 0, 30, 15),  # unrelated passage
        Match("d2", 1, 0, 20, "d3", 2, 0, 20, 16),
        Match("d2", 1, 18, 60, "d3", 2, 40, 82, 17),  # overlaps the previous one by 2 of 20: separate
    ]
    clusters = build_clusters(ms, TEXT)
    first = clusters[0]
    assert first.id == "C1" and first.docs == ("d0", "d1", "d2")
    assert [(m.doc, m.paragraph, m.start, m.end) for m in first.members] == [
        ("d0", 1, 10, 50), ("d1", 1, 0, 40), ("d2", 2, 60, 95)
    ]
    assert first.words == 20
    rest = sorted((c.docs, [(m.doc, m.paragraph, m.start, m.end) for m in c.members]) for c in clusters[1:])
    assert rest == [
        (("d0", "d3"), [("d0", 2, 0, 30), ("d3", 1, 0, 30)]),
        (("d2", "d3"), [("d2", 1, 0, 20), ("d3", 2, 0, 20)]),
        (("d2", "d3"), [("d2", 1, 18, 60), ("d3", 2, 40, 82)]),
    ]
    # clusters are ordered by number of documents, then words
    assert [c.words for c in clusters[1:]] == [17, 16, 15]
    assert build_clusters([], TEXT) == []


def test_merge_ranges():
    assert merge_ranges([]) == []
    assert merge_ranges([(5, 8), (0, 3)]) == [(0, 3), (5, 8)]
    assert merge_ranges([(0, 3), (3, 5)]) == [(0, 5)]  # touching
    assert merge_ranges([(0, 10), (2, 4), (9, 12), (20, 21)]) == [(0, 12), (20, 21)]
    assert merge_ranges(iter([(4, 6), (1, 2), (1, 5)])) == [(1, 6)]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 50), st.integers(1, 10)).map(lambda t: (t[0], t[0] + t[1])), max_size=20))
def test_merge_ranges_property(ranges):
    merged = merge_ranges(ranges)
    points = {x for s, e in ranges for x in range(s, e)}
    assert {x for s, e in merged for x in range(s, e)} == points
    assert all(s < e for s, e in merged)
    assert all(e1 < s2 for (_, e1), (s2, _) in zip(merged, merged[1:]))
    assert merged == merge_ranges(random.sample(ranges, len(ranges)))
