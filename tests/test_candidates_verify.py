"""Candidate grouping (LSH buckets) and exact verification (alignment)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syndetect.config import Params
from syndetect.core.candidates import bucket_pairs, by_component, candidate_pairs, components
from syndetect.core.text import tokenize
from syndetect.core.verify import align


def as_set(pairs: np.ndarray) -> set[tuple[int, int]]:
    return {tuple(p) for p in pairs.tolist()}


# ---------------------------------------------------------------------------
# components / by_component (the order the verify stage batches pairs in)
# ---------------------------------------------------------------------------
def _components_reference(pairs: list[tuple[int, int]], n: int) -> list[int]:
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        parent[max(ra, rb)] = min(ra, rb)
    return [find(x) for x in range(n)]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=80))
def test_components_are_the_union_find_components(edges):
    pairs = np.array(edges, dtype=np.int64).reshape(-1, 2)
    assert components(pairs, 41).tolist() == _components_reference(edges, 41)


def test_a_long_path_is_one_component():
    n = 3000
    pairs = np.stack([np.arange(n - 1), np.arange(1, n)], axis=1)[::-1].copy()
    assert set(components(pairs, n).tolist()) == {0}


def test_by_component_keeps_the_pairs_and_makes_each_component_contiguous():
    rng = np.random.default_rng(3)
    # three components over sparse paragraph ids, interleaved in sorted order
    groups = [np.array([5, 40, 900, 1200]), np.array([7, 41, 950]), np.array([8, 60, 61, 2000, 3000])]
    pairs = np.concatenate([np.stack([g[ii], g[jj]], axis=1)
                            for g in groups for ii, jj in [np.triu_indices(len(g), k=1)]])
    pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
    pairs = pairs[rng.permutation(len(pairs))]
    pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]  # the group stage's order: sorted
    out = by_component(pairs)
    assert as_set(out) == as_set(pairs) and len(out) == len(pairs)
    label = {int(x): gi for gi, g in enumerate(groups) for x in g}
    runs = [label[int(a)] for a, _ in out.tolist()]
    assert [k for k, _ in itertools.groupby(runs)] == [0, 1, 2]  # each component once, by its smallest id
    inside = out[[r == 0 for r in runs]]
    assert inside.tolist() == sorted(inside.tolist())  # the group stage's order kept inside a component


# ---------------------------------------------------------------------------
# bucket_pairs
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("n", [65, 100, 1000])
def test_big_bucket_is_a_star_with_linear_pair_count(n):
    rng = np.random.default_rng(n)
    owners = rng.permutation(np.arange(10, 10 + n))
    keys = np.full(n, 7, dtype=np.uint64)
    pairs = bucket_pairs(keys, owners, max_bucket=64)
    assert pairs.dtype == np.int64 and pairs.shape == (n - 1, 2)
    assert set(pairs[:, 0].tolist()) == {10}  # around the smallest owner
    assert sorted(pairs[:, 1].tolist()) == list(range(11, 10 + n))


@pytest.mark.parametrize("n", [2, 3, 10, 64])
def test_bucket_up_to_max_bucket_gives_all_pairs(n):
    owners = np.arange(n)[::-1].copy()
    keys = np.full(n, 3, dtype=np.uint64)
    pairs = bucket_pairs(keys, owners, max_bucket=64)
    assert len(pairs) == n * (n - 1) // 2
    assert as_set(pairs) == set(itertools.combinations(range(n), 2))


def test_bucket_pairs_collapse_repeated_owners_and_separate_keys():
    keys = np.array([1, 1, 1, 1, 2, 2, 9, 5, 5], dtype=np.uint64)
    owners = np.array([3, 1, 3, 1, 4, 4, 0, 8, 2])
    assert as_set(bucket_pairs(keys, owners, 64)) == {(1, 3), (2, 8)}
    assert len(bucket_pairs(np.array([4], dtype=np.uint64), np.array([0]), 64)) == 0
    # bucket of 4 distinct owners with max_bucket 3 -> star (3 pairs), not 6
    keys = np.zeros(4, dtype=np.uint64)
    assert as_set(bucket_pairs(keys, np.array([9, 4, 6, 5]), 3)) == {(4, 5), (4, 6), (4, 9)}


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, 12)), min_size=0, max_size=60),
    st.integers(2, 6),
)
def test_bucket_pairs_property(items, max_bucket):
    keys = np.array([k for k, _ in items], dtype=np.uint64)
    owners = np.array([o for _, o in items], dtype=np.int64)
    got = bucket_pairs(keys, owners, max_bucket)
    assert got.dtype == np.int64 and (len(got) == 0 or bool((got[:, 0] < got[:, 1]).all()))
    expected: set[tuple[int, int]] = set()
    for key in set(keys.tolist()):
        members = sorted(set(owners[keys == key].tolist()))
        if len(members) > max_bucket:
            expected |= {(members[0], m) for m in members[1:]}
        else:
            expected |= set(itertools.combinations(members, 2))
    assert as_set(got) == expected


def test_candidate_pairs_are_cross_document_sorted_unique():
    # units 0..5 owned by paragraphs; paragraphs 0,1 in doc 0, paragraph 2 in doc 1, 3 in doc 2
    owners = np.array([0, 1, 2, 3, 0, 2])
    owner_doc = np.array([0, 0, 1, 2])
    keys = np.array(
        [[1, 7], [1, 8], [1, 9], [2, 9], [3, 5], [3, 5]],
        dtype=np.uint64,
    )
    got = candidate_pairs(keys, owners, owner_doc, max_bucket=64)
    assert got.tolist() == [[0, 2], [1, 2], [2, 3]]


# ---------------------------------------------------------------------------
# align
# ---------------------------------------------------------------------------
P = Params()
QUOTE = tokenize(
    "Pakistan fully respects the sovereignty and territorial integrity of the Islamic Republic of Iran and its people"
)
QUOTE2 = tokenize(
    "The sole objective of today's act was in pursuit of Pakistan's own security and national interest which is paramount"
)
FILL_A = tokenize("In a statement issued late on Thursday the foreign office in Islamabad told reporters that")
FILL_B = tokenize("Speaking to journalists at a hastily arranged briefing a spokeswoman insisted")
TAIL_A = tokenize("before adding that more details would follow")
TAIL_B = tokenize("she said when asked about the next steps")


def test_quote_embedded_in_different_paragraphs():
    assert len(QUOTE) >= 15
    a, b = FILL_A + QUOTE + TAIL_A, FILL_B + QUOTE + TAIL_B
    spans = align(a, b, P)
    assert len(spans) == 1
    s = spans[0]
    assert (s.a_start, s.a_end) == (len(FILL_A), len(FILL_A) + len(QUOTE))
    assert (s.b_start, s.b_end) == (len(FILL_B), len(FILL_B) + len(QUOTE))
    assert s.words == len(QUOTE)
    assert a[s.a_start : s.a_end] == b[s.b_start : s.b_end] == QUOTE


def test_inserted_word_is_bridged_into_one_span():
    edited = QUOTE[:8] + ["reportedly"] + QUOTE[8:]
    spans = align(FILL_A + QUOTE + TAIL_A, FILL_B + edited + TAIL_B, P)
    assert len(spans) == 1
    s = spans[0]
    assert (s.a_start, s.a_end) == (len(FILL_A), len(FILL_A) + len(QUOTE))
    assert (s.b_start, s.b_end) == (len(FILL_B), len(FILL_B) + len(edited))
    assert s.words == len(QUOTE)
    # and a replaced word too
    replaced = QUOTE[:9] + ["whole"] + QUOTE[10:]
    (s,) = align(QUOTE, replaced, P)
    assert (s.a_start, s.a_end, s.b_start, s.b_end, s.words) == (0, len(QUOTE), 0, len(QUOTE), len(QUOTE) - 1)


def test_gap_longer_than_max_gap_splits():
    left, right = QUOTE, QUOTE2
    gap_words = tokenize("one two three four five six seven eight nine ten")
    a = left + right
    b = left + gap_words + right
    assert len(align(a, b, P)) == 2
    spans = align(a, b, P.with_(max_gap_words=10))
    assert len(spans) == 1 and spans[0].words == len(left) + len(right)


def test_shared_stock_phrase_is_rejected():
    stock = tokenize("on the sidelines of the World Economic Forum in Davos")
    assert len(stock) == 10
    a = FILL_A + stock + tokenize("the minister met his counterpart")
    b = FILL_B + stock + tokenize("officials confirmed late on Tuesday")
    assert align(a, b, P) == []
    # the same phrase is enough when the threshold is lowered to it
    assert len(align(a, b, P.with_(min_span_words=10))) == 1


def test_two_spans_in_opposite_order():
    a = QUOTE + FILL_A + QUOTE2
    b = QUOTE2 + FILL_B + QUOTE
    spans = align(a, b, P)
    assert [(s.a_start, s.a_end, s.b_start, s.b_end) for s in spans] == [
        (0, len(QUOTE), len(QUOTE2) + len(FILL_B), len(b)),
        (len(QUOTE) + len(FILL_A), len(a), 0, len(QUOTE2)),
    ]
    # directly adjacent too (A: s1 s2, B: s2 s1)
    spans = align(QUOTE + QUOTE2, QUOTE2 + QUOTE, P)
    assert sorted((s.a_start, s.b_start, s.words) for s in spans) == [
        (0, len(QUOTE2), len(QUOTE)),
        (len(QUOTE), 0, len(QUOTE2)),
    ]


SECONDARY = tokenize("we have talked with Pakistani officials several times on this matter")  # 11 words
SEP_A = tokenize("alpha beta gamma delta epsilon zeta eta theta iota kappa")
SEP_B = tokenize("red orange yellow green blue indigo violet black white grey")


def test_min_secondary_words():
    assert len(SECONDARY) == 11
    a = FILL_A + QUOTE + SEP_A + SECONDARY
    b = FILL_B + QUOTE + SEP_B + SECONDARY
    spans = align(a, b, P)  # min_secondary_words 10: the 11-word second span is kept
    assert [s.words for s in spans] == [len(QUOTE), 11]
    assert (spans[1].a_start, spans[1].a_end) == (len(a) - 11, len(a))
    assert (spans[1].b_start, spans[1].b_end) == (len(b) - 11, len(b))
    # raised to the full span length: only the quote
    assert [s.words for s in align(a, b, P.with_(min_secondary_words=15))] == [len(QUOTE)]
    # without a full span in the pair, an 11-word span alone is not enough
    assert align(FILL_A + SECONDARY, FILL_B + SECONDARY, P) == []
    # a secondary span below min_secondary_words is dropped
    short = SECONDARY[:9]
    assert [s.words for s in align(QUOTE + SEP_A + short, QUOTE + SEP_B + short, P)] == [len(QUOTE)]


def test_min_overlap_rejects_sparse_chains():
    # 3 runs of 5 shared words separated by 6 differing words on one side only
    pieces = [tokenize(f"shared{i}a shared{i}b shared{i}c shared{i}d shared{i}e") for i in range(4)]
    filler = [tokenize(f"x{i}1 x{i}2 x{i}3 x{i}4 x{i}5 x{i}6") for i in range(3)]
    a = pieces[0] + pieces[1] + pieces[2] + pieces[3]
    b = pieces[0] + filler[0] + pieces[1] + filler[1] + pieces[2] + filler[2] + pieces[3]
    assert align(a, b, P) == []  # 20 of 38 words match on b's side: below 0.7
    (s,) = align(a, b, P.with_(min_overlap=0.5))
    assert (s.a_start, s.a_end, s.b_start, s.b_end, s.words) == (0, 20, 0, len(b), 20)


def test_align_short_and_empty_inputs():
    assert align([], QUOTE, P) == []
    assert align(QUOTE[:4], QUOTE, P) == []
    (s,) = align(QUOTE, QUOTE, P)
    assert (s.a_start, s.a_end, s.b_start, s.b_end) == (0, len(QUOTE), 0, len(QUOTE))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 12), st.integers(0, 30)), max_size=120), st.integers(2, 6), st.booleans())
def test_bucket_pairs_equals_its_bucket_by_bucket_reference(entries, max_bucket, ascending):
    from syndetect.core.candidates import _bucket_pairs_reference

    if ascending:
        entries = sorted(entries, key=lambda e: e[1])
    keys = np.array([k * 0x9E3779B97F4A7C15 % (1 << 64) for k, _ in entries], dtype=np.uint64)
    owners = np.array([o for _, o in entries], dtype=np.int64)
    got = bucket_pairs(keys, owners, max_bucket)
    want = _bucket_pairs_reference(keys, owners, max_bucket)
    assert sorted(map(tuple, got.tolist())) == sorted(map(tuple, want.tolist()))


def test_bucket_pairs_with_few_repeated_keys_among_many():
    rng = np.random.default_rng(5)
    keys = rng.integers(0, 1 << 62, 5000, dtype=np.uint64)
    keys[[10, 400, 4999]] = keys[77]
    keys[[3, 2000]] = keys[1500]
    owners = np.arange(5000)
    assert as_set(bucket_pairs(keys, owners, 64)) == {
        (10, 77), (10, 400), (10, 4999), (77, 400), (77, 4999), (400, 4999), (3, 1500), (3, 2000), (1500, 2000)}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 40), max_size=300), st.sampled_from([np.uint64, np.int64]))
def test_repeated_keys_compiled_and_reference_agree(small, dtype):
    """The positions of the keys that occur more than once, in key order: the compiled hash-table pass
    (when built) and the one-sort reference find the same entries, in the same key order."""
    from syndetect.core.candidates import _repeated_reference, repeated

    keys = np.array([(k * 0x9E3779B97F4A7C15) % (1 << 63) for k in small], dtype=dtype)
    got, want = repeated(keys), _repeated_reference(keys)
    assert sorted(got.tolist()) == sorted(want.tolist())
    assert keys[got].tolist() == keys[want].tolist()  # key order (ties in any order)
    counts = {k: small.count(k) for k in small}
    assert sorted(got.tolist()) == [i for i, k in enumerate(small) if counts[k] > 1]
