"""MinHash signatures and LSH banding, checked against datasketch itself."""

from __future__ import annotations

import numpy as np
import pytest
from datasketch import MinHash, MinHashLSH
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syndetect.config import Params
from syndetect.core.candidates import bucket_pairs
from syndetect.core.minhash import band_keys, shingle_hash, shingle_hashes, signatures, token_hashes, unit_content_keys
from syndetect.core.text import tokenize
from syndetect.errors import ParameterError

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
WORDS = st.sampled_from([f"w{i}" for i in range(30)] + ["pakistan", "iran", "the", "a", "é", "ß", "中文"])
TOKENS = st.lists(WORDS, min_size=1, max_size=40)


def shingles(tokens: list[str], k: int) -> list[list[str]]:
    if len(tokens) < k:
        return [list(tokens)]
    return [tokens[i : i + k] for i in range(len(tokens) - k + 1)]


def reference_minhash(tokens: list[str], k: int, num_perm: int, seed: int) -> MinHash:
    m = MinHash(num_perm=num_perm, seed=seed, hashfunc=shingle_hash)
    for sh in shingles(tokens, k):
        m.update(sh)
    return m


def our_signature(tokens: list[str], k: int, num_perm: int, seed: int) -> np.ndarray:
    sh = shingle_hashes(token_hashes(tokens), k)
    return signatures(sh, np.array([0, len(sh)]), num_perm, seed)[0]


@SETTINGS
@given(TOKENS, st.integers(1, 8))
def test_shingle_hashes_equal_scalar_shingle_hash(tokens, k):
    got = shingle_hashes(token_hashes(tokens), k)
    assert got.dtype == np.uint32
    assert got.tolist() == [shingle_hash(s) for s in shingles(tokens, k)]


def test_shingle_hash_is_order_sensitive_and_bounded():
    assert shingle_hash(["a", "b", "c"]) != shingle_hash(["c", "b", "a"])
    assert 0 <= shingle_hash(["x"] * 32) < 2**32
    with pytest.raises(ParameterError):
        shingle_hash([])
    with pytest.raises(ParameterError):
        shingle_hash(["x"] * 33)
    assert len(shingle_hashes(token_hashes([]), 5)) == 0


@SETTINGS
@given(
    TOKENS,
    st.sampled_from([1, 3, 5, 9]),
    st.sampled_from([16, 64, 128, 250]),
    st.sampled_from([1, 2, 42, 12345]),
)
def test_signature_bit_identical_to_datasketch(tokens, k, num_perm, seed):
    ref = reference_minhash(tokens, k, num_perm, seed)
    got = our_signature(tokens, k, num_perm, seed)
    assert got.dtype == np.uint32 and ref.hashvalues.dtype == np.uint32
    assert np.array_equal(got, ref.hashvalues)


@SETTINGS
@given(st.lists(TOKENS, min_size=1, max_size=8))
def test_batched_signatures_match_datasketch(sets):
    """Many sets of different sizes back to back, in one call."""
    k, num_perm, seed = 3, 32, 7
    parts = [shingle_hashes(token_hashes(t), k) for t in sets]
    offsets = np.zeros(len(parts) + 1, dtype=np.int64)
    np.cumsum([len(p) for p in parts], out=offsets[1:])
    sig = signatures(np.concatenate(parts), offsets, num_perm, seed)
    assert sig.shape == (len(sets), num_perm)
    for row, tokens in zip(sig, sets):
        assert np.array_equal(row, reference_minhash(tokens, k, num_perm, seed).hashvalues)


def test_signatures_reject_empty_sets():
    with pytest.raises(ParameterError):
        signatures(np.array([5, 6], dtype=np.uint32), np.array([0, 2, 2]), 16, 1)
    assert signatures(np.empty(0, np.uint32), np.array([0]), 16, 1).shape == (0, 16)


def test_unit_content_keys_equal_for_equal_tokens():
    th = token_hashes("a b c a b c d".split())
    keys = unit_content_keys(th, [0, 3, 0], [3, 6, 4])
    assert keys[0] == keys[1] != keys[2]


# ---------------------------------------------------------------------------
# LSH banding against datasketch.MinHashLSH
# ---------------------------------------------------------------------------
BASE = [
    "Pakistan undertook a series of highly coordinated and specifically targeted precision military strikes",
    "against terrorist hideouts in the province of Iran the foreign office said in a statement on Thursday",
    "The ministry said it had consistently shared serious concerns about the safe havens enjoyed by militants",
    "China urged both sides to exercise restraint and avoid actions that would lead to an escalation",
    "Iranian media reported that at least two headquarters of the militant group were destroyed in the attack",
]
UNRELATED = [
    "The football club announced a new coach after a disappointing season at the national stadium",
    "Heavy rain is expected across the northern region over the weekend according to the weather service",
    "Shares of the technology company rose sharply after it reported better than expected quarterly earnings",
    "The museum will reopen next month with an exhibition of paintings from the early twentieth century",
]


def _variants(sentence: str, i: int) -> list[str]:
    words = sentence.split()
    edited = words[:]
    edited[len(words) // 2] = "replaced"
    inserted = words[:4] + ["indeed"] + words[4:]
    dropped = words[:-3]
    swapped = words[len(words) // 2 :] + words[: len(words) // 2]
    return [" ".join(w) for w in (words, edited, inserted, dropped, swapped)][: 3 + i % 3]


CORPUS = [v for i, s in enumerate(BASE) for v in _variants(s, i)] + UNRELATED


@pytest.fixture(scope="module")
def corpus_signatures():
    k, num_perm, seed = 3, 128, 1
    sigs = np.stack([our_signature(tokenize(t), k, num_perm, seed) for t in CORPUS])
    return sigs, num_perm


@pytest.mark.parametrize("b, r", [(32, 4), (16, 8), (42, 3), (8, 2), (64, 2), (20, 5)])
def test_band_keys_and_bucket_pairs_equal_datasketch_lsh(corpus_signatures, b, r):
    sigs, num_perm = corpus_signatures
    keys = band_keys(sigs, b, r)
    assert keys.shape == (len(sigs), b) and keys.dtype == np.uint64
    owners = np.arange(len(sigs))
    ours: set[tuple[int, int]] = set()
    for band in range(b):
        ours |= {tuple(p) for p in bucket_pairs(keys[:, band], owners, max_bucket=1000).tolist()}

    lsh = MinHashLSH(num_perm=num_perm, params=(b, r))
    minhashes = [MinHash(hashvalues=s, scheme="affine32", num_perm=num_perm) for s in sigs]
    for i, m in enumerate(minhashes):
        lsh.insert(i, m)
    theirs = {(min(i, j), max(i, j)) for i, m in enumerate(minhashes) for j in lsh.query(m) if j != i}

    assert ours == theirs
    # the corpus is informative: some near duplicates collide, unrelated sentences do not
    assert ours
    unrelated = set(range(len(CORPUS) - len(UNRELATED), len(CORPUS)))
    assert not any(i in unrelated or j in unrelated for i, j in ours)


def test_band_keys_agree_exactly_when_band_rows_agree():
    rng = np.random.default_rng(3)
    sig = rng.integers(0, 2**32, size=(2, 12), dtype=np.uint32)
    sig[1, 4:8] = sig[0, 4:8]  # only band 1 (rows 4..7) is shared
    keys = band_keys(sig, 3, 4)
    assert (keys[0] == keys[1]).tolist() == [False, True, False]
    with pytest.raises(ParameterError):
        band_keys(sig, 4, 4)


# ---------------------------------------------------------------------------
# Params
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs",
    [
        dict(bands=40, rows=4),  # 160 > num_perm 128
        dict(bands=5),  # rows missing
        dict(rows=5),
        dict(bands=0, rows=4),
        dict(threshold=0.0),
        dict(threshold=1.0),
        dict(threshold=2.0),
        dict(threshold=-0.5),
        dict(shingle_size=0),
        dict(shingle_size=33),
        dict(num_perm=0),
        dict(num_perm=2048),
        dict(min_unit=1),
        dict(min_unit=50, max_unit=40),
        dict(max_bucket=1),
        dict(min_span_words=4),  # < shingle_size 5
        dict(min_overlap=0.0),
        dict(min_overlap=1.5),
        dict(max_gap_words=-1),
        dict(min_secondary_words=16),  # > min_span_words
        dict(min_secondary_words=3),  # < shingle_size
    ],
)
def test_params_reject_bad_values(kwargs):
    with pytest.raises(ValueError) as info:
        Params(**kwargs)
    assert isinstance(info.value, ParameterError)
    assert str(info.value)


def test_params_accept_edges():
    assert Params(bands=32, rows=4).banding == (32, 4)
    assert Params(min_overlap=1.0, max_gap_words=0, shingle_size=1, min_secondary_words=1).min_overlap == 1.0


@pytest.mark.parametrize("threshold, num_perm", [(0.3, 128), (0.5, 128), (0.8, 256), (0.1, 64), (0.9, 32)])
def test_default_banding_is_datasketch_optimum(threshold, num_perm):
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    p = Params(threshold=threshold, num_perm=num_perm)
    assert p.banding == (lsh.b, lsh.r)
    assert p.to_dict()["bands"] == lsh.b and p.to_dict()["rows"] == lsh.r


def test_params_roundtrip():
    p = Params(threshold=0.5, max_gap_words=3)
    q = Params.from_dict({**p.to_dict(), "unknown": 1})
    assert q.banding == p.banding and q.max_gap_words == 3
    assert Params().banding == (MinHashLSH(threshold=0.3, num_perm=128).b, MinHashLSH(threshold=0.3, num_perm=128).r)


@pytest.mark.parametrize("num_perm, seed", [(128, 1), (64, 7), (16, 12345)])
def test_permutations_are_datasketchs(num_perm, seed):
    from datasketch import MinHash

    from syndetect.core.minhash import permutations

    a, b = permutations(num_perm, seed)
    da, db = MinHash(num_perm=num_perm, seed=seed).permutations
    assert np.array_equal(a, np.asarray(da, dtype=np.uint32)) and np.array_equal(b, np.asarray(db, dtype=np.uint32))


@pytest.mark.parametrize("num_perm", [8, 16, 64, 100, 128, 256])
def test_optimal_banding_equals_datasketch_on_a_grid(num_perm):
    from datasketch.lsh import _optimal_param

    from syndetect.core.minhash import optimal_banding

    thresholds = [round(0.05 * i, 2) for i in range(1, 20)] + [0.01, 0.33, 0.99]
    for t in thresholds:
        assert optimal_banding(t, num_perm) == _optimal_param(t, num_perm, 0.5, 0.5), (t, num_perm)
    for weights in [(0.3, 0.7), (0.9, 0.1)]:
        assert optimal_banding(0.4, num_perm, weights) == _optimal_param(0.4, num_perm, *weights), weights


def test_params_banding_does_not_import_datasketch_or_scipy():
    import subprocess
    import sys

    code = (
        "import sys; from syndetect.config import Params; b = Params(threshold=0.45, num_perm=96).banding; "
        "print(b, 'datasketch' in sys.modules, 'scipy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    from datasketch.lsh import _optimal_param

    assert out[-2:] == ["False", "False"]
    assert " ".join(out[:-2]) == str(_optimal_param(0.45, 96, 0.5, 0.5))


def test_signature_columns_are_the_leading_columns():
    rng = np.random.default_rng(3)
    hashes = rng.integers(0, 1 << 32, 500, dtype=np.uint64).astype(np.uint32)
    offsets = np.array([0, 7, 8, 120, 500])
    full = signatures(hashes, offsets, 128, 1)
    assert np.array_equal(signatures(hashes, offsets, 128, 1, columns=111), full[:, :111])
    assert np.array_equal(signatures(hashes, offsets, 128, 1, columns=500), full)


def test_map_stage_band_keys_are_those_of_the_full_datasketch_signatures():
    from datasketch import MinHash

    from syndetect.core.text import segment_hashes, tokenize, units_from_cuts
    from syndetect.core.units import map_paragraphs

    params = Params()
    bands, rows = params.banding
    text = (
        'The ministry said in a statement that the talks between the two delegations had been constructive. '
        '"Both sides agreed to meet again next month to settle the remaining questions," an official said, '
        'adding that the border crossings would stay open for trade and for families until the next round.'
    )
    owners, content, rep_owners, rep_content, keys = map_paragraphs([text], [0], params)
    toks = tokenize(text)
    _, sc, qc = segment_hashes(text)
    units = units_from_cuts(len(toks), sc, qc, min_unit=params.min_unit, max_unit=params.max_unit)
    assert len(units) == len(owners) == len(keys)  # every unit distinct here
    for (s, e), key in zip(units, keys):
        m = MinHash(num_perm=params.num_perm, seed=params.seed, hashfunc=shingle_hash)
        for i in range(max(1, e - s - params.shingle_size + 1)):
            m.update(toks[s + i : min(s + i + params.shingle_size, e)])
        sig = np.asarray(m.hashvalues, dtype=np.uint32)[None, :]
        assert np.array_equal(band_keys(sig, bands, rows)[0], key)


@pytest.mark.parametrize("n_sets", [1, 7, 60, 400])
def test_small_and_large_batch_paths_agree(n_sets, monkeypatch):
    import syndetect.core.minhash as mh

    rng = np.random.default_rng(n_sets)
    offsets = np.r_[0, np.cumsum(rng.integers(1, 50, n_sets))]
    hashes = rng.integers(0, 1 << 32, offsets[-1], dtype=np.uint64).astype(np.uint32)
    monkeypatch.setattr(mh, "_SMALL_BATCH", 1 << 40)
    sig2d = signatures(hashes, offsets, 128, 1)
    keys2d = band_keys(sig2d, 37, 3)
    monkeypatch.setattr(mh, "_SMALL_BATCH", 0)
    sig = signatures(hashes, offsets, 128, 1)
    assert np.array_equal(sig2d, sig) and np.array_equal(keys2d, band_keys(sig, 37, 3))
