"""The compiled hot path (syndetect/core/_hot.c) is bit-identical to the readable references.

Compared, function by function: MinHash signatures (with datasketch and the
numpy reference), LSH band keys, the exact runs of the alignment (with
``_runs_reference``, on real article paragraphs and on generated token
sequences full of repeats), and a whole scan report with and without the
compiled path (``SYNDETECT_PURE=1``). ``.ci/run`` sets
``SYNDETECT_REQUIRE_COMPILED=1``: there a missing build fails instead of skipping.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from datasketch import MinHash
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syndetect.config import Params
from syndetect.core import minhash, verify
from syndetect.core.hot import HOT
from syndetect.core.text import tokenize

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])

if HOT is None:
    if os.environ.get("SYNDETECT_REQUIRE_COMPILED") == "1":
        pytest.fail("the compiled hot path is not built (pip install -e . needs a C compiler)", pytrace=False)
    pytest.skip("the compiled hot path is not built", allow_module_level=True)


def _real_paragraphs(limit: int = 400) -> list[list[str]]:
    bodies = json.loads((ROOT / "fixtures" / "article-extraction-benchmark" / "ground-truth.json").read_text("utf-8"))
    out = []
    for key in sorted(bodies):
        for p in (bodies[key].get("articleBody") or "").split("\n\n"):
            toks = tokenize(p)
            if toks:
                out.append(toks)
    return out[:limit]


def _numpy_signatures(values, offsets, num_perm, seed, width):
    a, b = minhash.permutations(num_perm, seed)
    out = np.empty((len(offsets) - 1, width), dtype=np.uint32)
    return minhash._signatures_numpy(values, np.asarray(offsets, dtype=np.int64), a, b, out)


@SETTINGS
@given(
    st.lists(st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=60), min_size=1, max_size=12),
    st.sampled_from([(128, 1, 128), (128, 1, 111), (64, 42, 64), (16, 7, 5)]),
)
def test_signatures_equal_numpy_reference(sets, shape):
    num_perm, seed, width = shape
    values = np.array([v for s in sets for v in s], dtype=np.uint32)
    offsets = np.cumsum([0] + [len(s) for s in sets])
    got = minhash.signatures(values, offsets, num_perm, seed, columns=width)
    assert got.dtype == np.uint32 and got.shape == (len(sets), width)
    assert np.array_equal(got, _numpy_signatures(values, offsets, num_perm, seed, width))


def test_signatures_of_real_paragraphs_equal_datasketch_and_numpy():
    k, num_perm, seed = 5, 128, 1
    pars = _real_paragraphs(300)
    parts = [minhash.shingle_hashes(minhash.token_hashes(t), k) for t in pars]
    offsets = np.cumsum([0] + [len(p) for p in parts])
    values = np.concatenate(parts)
    got = minhash.signatures(values, offsets, num_perm, seed)
    assert np.array_equal(got, _numpy_signatures(values, offsets, num_perm, seed, num_perm))
    for row, toks in list(zip(got, pars))[:60]:
        ref = MinHash(num_perm=num_perm, seed=seed, hashfunc=minhash.shingle_hash)
        for i in range(max(1, len(toks) - k + 1)):
            ref.update(toks[i : i + k])
        assert np.array_equal(row, ref.hashvalues)
    bands, rows = Params().banding
    keys = minhash.band_keys(got, bands, rows)
    assert np.array_equal(keys, minhash._band_keys_numpy(got, bands, rows, np.empty_like(keys)))


@SETTINGS
@given(st.integers(1, 300), st.sampled_from([(37, 3), (32, 4), (1, 1), (20, 5)]), st.integers(0, 2**31))
def test_band_keys_equal_numpy_reference(m, banding, seed):
    bands, rows = banding
    sig = np.random.default_rng(seed).integers(0, 2**32, size=(m, 128), dtype=np.uint32)
    got = minhash.band_keys(sig, bands, rows)
    assert np.array_equal(got, minhash._band_keys_numpy(sig, bands, rows, np.empty_like(got)))


def test_compiled_calls_reject_inconsistent_shapes():
    with pytest.raises(ValueError):
        HOT.signatures(np.zeros(3, np.uint32), np.array([0, 5], np.int64), np.ones(4, np.uint32),
                       np.ones(4, np.uint32), np.empty((1, 4), np.uint32), 4)
    with pytest.raises(ValueError):
        HOT.band_keys(np.zeros((2, 8), np.uint32), 8, 3, 3, minhash._BAND_ROW, np.empty((2, 3), np.uint64))
    with pytest.raises(ValueError):
        HOT.runs(np.array([0, 1], np.int64), np.array([7], np.int64), np.zeros(2, np.uint64), minhash._POSITION, 1, 32)


def _both_runs(a: list[str], b: list[str], k: int):
    ref = verify._runs_reference(verify.prepare(a, k, compiled=False), verify.prepare(b, k, compiled=False), k)
    pa, pb = verify.prepare(a, k, compiled=True), verify.prepare(b, k, compiled=True)
    assert pa.ids is not None and pb.ids is not None
    return ref, verify._runs(pa, pb, k)


REPEATS = st.lists(st.sampled_from(["a", "b", "c", "the", "x"]), min_size=0, max_size=90)


@SETTINGS
@given(REPEATS, REPEATS, st.sampled_from([1, 2, 3, 5]))
def test_runs_equal_reference_on_repetitive_tokens(a, b, k):
    """Small vocabularies: many hits per k-gram, more than 32 positions, covered diagonals."""
    ref, got = _both_runs(a, b, k)
    assert got == ref


def test_runs_equal_reference_on_real_paragraph_pairs():
    pars = _real_paragraphs(400)
    rng = np.random.default_rng(1)
    pairs = [(pars[i], pars[j]) for i, j in rng.integers(0, len(pars), size=(300, 2))]
    # and pairs that share text: a paragraph against an edited, shifted copy of itself
    for toks in pars[:200]:
        edited = list(toks)
        if len(edited) > 6:
            edited[len(edited) // 2] = "zzz"
        pairs.append((toks, ["framing", "words"] + edited + toks[:7]))
    found = 0
    for a, b in pairs:
        ref, got = _both_runs(a, b, 5)
        assert got == ref
        found += bool(ref)
    assert found >= 150  # the comparison covered real runs, not only empty results


def test_align_spans_equal_with_and_without_compiled_path():
    params = Params()
    pars = _real_paragraphs(120)
    for toks in pars:
        copy = ["as", "reported"] + toks[3:] + ["end"]
        ref = verify.align(verify.prepare(toks, 5, compiled=False), verify.prepare(copy, 5, compiled=False), params)
        got = verify.align(verify.prepare(toks, 5, compiled=True), verify.prepare(copy, 5, compiled=True), params)
        assert got == ref


@pytest.mark.slow
def test_scan_report_identical_without_compiled_path(tmp_path):
    """A whole scan (real HTML pages and the seeds) renders the same JSON report on both paths."""
    corpus = tmp_path / "corpus.jsonl"
    bodies = json.loads((ROOT / "fixtures" / "article-extraction-benchmark" / "ground-truth.json").read_text("utf-8"))
    with corpus.open("w", encoding="utf-8") as fh:
        for i, key in enumerate(sorted(bodies)):
            body = bodies[key].get("articleBody") or ""
            # every page twice under another id, half of them trimmed: plenty of verified reuse
            fh.write(json.dumps({"id": f"p{i:03d}", "text": body}) + "\n")
            paras = body.split("\n\n")
            fh.write(json.dumps({"id": f"q{i:03d}", "text": "\n\n".join(paras[: max(1, len(paras) // 2 + i % 2)])}) + "\n")
    outs = {}
    for mode in ("0", "1"):
        out = tmp_path / f"report{mode}.json"
        env = dict(os.environ, SYNDETECT_PURE=mode)
        res = subprocess.run([sys.executable, "-m", "syndetect", "scan", str(corpus), str(ROOT / "fixtures" / "seeds"),
                              "--format", "json", "-o", str(out), "--quiet", "--workers", "1"],
                             env=env, capture_output=True, text=True, cwd=tmp_path)
        assert res.returncode == 0, res.stderr
        outs[mode] = out.read_bytes()
    assert len(json.loads(outs["1"])["clusters"]) > 50
    assert outs["0"] == outs["1"]
