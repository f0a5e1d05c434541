"""The compiled hot path (syndetect/core/_hot.c) is bit-identical to the readable references.

Compared, function by function: MinHash signatures (with datasketch and the
numpy reference), LSH band keys, the exact runs of the alignment (with
``_runs_reference``, on real article paragraphs and on generated token
sequences full of repeats), and a whole scan report with and without the
compiled path (``SYNDETECT_PURE=1``).

The compiled tokeniser (``_hot.scan``/``_hot.map_units``/``_hot.split_paragraphs``)
against the Python of ``syndetect/core/text.py`` with its compiled dispatch
switched off (``text._SCAN = text._SPLIT = None``) and
:func:`syndetect.core.units.unit_ranges` with ``compiled=False``: on random
Unicode (every category, the characters the patterns single out, mojibake,
contractions with ``?``, a modifier letter that is both apostrophe and
letter), on the real article paragraphs of the extraction benchmark and their
mojibake, and on hostile text: tokens, character offsets, token hashes,
sentence and quotation cuts, units, paragraph offsets and whole map-stage outputs. ``.ci/run`` sets
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
from syndetect.core import minhash, text, units, verify
from syndetect.core.hot import HOT
from syndetect.core.minhash import token_hash
from syndetect.core.text import tokenize

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TEXT_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

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


def _both_align_many(tokens, pairs, params):
    ref = verify.align_many(tokens, pairs, params, compiled=False)
    got = verify.align_many(tokens, pairs, params, compiled=True)
    hashes = [np.array([token_hash(t) for t in toks], dtype=np.uint64) for toks in tokens]
    assert np.array_equal(verify.align_many(tokens, pairs, params, hashes=hashes, compiled=True), got)
    return ref, got


@SETTINGS
@given(st.lists(REPEATS, min_size=1, max_size=6), st.data(), st.sampled_from([1, 2, 3, 5]),
       st.integers(0, 8), st.integers(1, 4), st.sampled_from([0.3, 0.7, 1.0]))
def test_align_many_equals_reference_on_repetitive_tokens(tokens, data, k, gap, secondary, overlap):
    """Many runs, chains and ties: the compiled batch aligner gives align()'s spans in align()'s order."""
    params = Params(shingle_size=k, min_secondary_words=k + secondary - 1, min_span_words=k + 2 * secondary,
                    max_gap_words=gap, min_overlap=overlap)
    n = len(tokens)
    pairs = np.array(data.draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=12)),
                     dtype=np.int64).reshape(-1, 2)
    ref, got = _both_align_many(tokens, pairs, params)
    assert np.array_equal(got, ref)
    by_pair = [(q, s.a_start, s.a_end, s.b_start, s.b_end, s.words)
               for q, (a, b) in enumerate(pairs.tolist()) for s in verify.align(tokens[a], tokens[b], params)]
    assert got.tolist() == [list(r) for r in by_pair]


def test_align_many_equals_reference_on_real_paragraph_pairs():
    pars = _real_paragraphs(300)
    rng = np.random.default_rng(2)
    tokens = list(pars)
    for toks in pars[:150]:  # edited, framed, trimmed and doubled copies
        edited = list(toks)
        for at in rng.integers(0, max(1, len(edited)), size=2).tolist():
            if edited:
                edited[at] = "zzz"
        tokens.append(["framing", "words", "here"] + edited + toks[:9])
        tokens.append(toks[len(toks) // 3 :] + ["and"] + toks)
    pairs = np.concatenate([rng.integers(0, len(tokens), size=(400, 2)),
                            np.array([(i, len(pars) + 2 * i + d) for i in range(150) for d in (0, 1)])])
    for params in (Params(), Params(max_gap_words=2, min_overlap=0.9), Params(shingle_size=3, min_secondary_words=6)):
        ref, got = _both_align_many(tokens, pairs, params)
        assert np.array_equal(got, ref)
        assert len(np.unique(ref[:, 0])) >= 200  # the comparison covered real spans, not only empty results


def _verified_rows(texts: list[str], pairs: np.ndarray, params: Params) -> np.ndarray:
    from syndetect.pipeline.stages import PairBatch, _verified

    return _verified(PairBatch(tuple(("d", i) for i in range(len(texts))), tuple(texts), pairs), params)


def test_align_columns_equal_align_many_on_real_paragraph_pairs():
    """The verify stage over token_columns (ids of the token table) gives the spans and character offsets of
    align_many over token_arrays (a table local to the call), and of the reference."""
    pars = _real_texts()[:300]
    rng = np.random.default_rng(5)
    texts = list(pars)
    for p in pars[:150]:  # edited, framed and doubled copies, in other characters
        words = p.split()
        if len(words) > 4:
            words[len(words) // 2] = "Zzz"
        texts.append("Framing words here: " + " ".join(words) + " " + p[:60])
        texts.append(p.upper() + " — " + p)
    pairs = np.concatenate([rng.integers(0, len(texts), size=(300, 2)),
                            np.array([(i, len(pars) + 2 * i + d) for i in range(150) for d in (0, 1)])])
    arrays = [text.token_arrays(t) for t in texts]
    for params in (Params(), Params(max_gap_words=2, min_overlap=0.9), Params(shingle_size=3, min_secondary_words=6)):
        cols = verify.token_columns(texts, params.shingle_size)
        assert cols is not None
        got = verify.align_columns(cols, pairs, params)
        assert np.array_equal(got, verify.align_many([a.tokens for a in arrays], pairs, params, compiled=False))
        assert len(np.unique(got[:, 0])) >= 200
        rows = _verified_rows(texts, pairs, params)
        assert len(rows) == len(got)
        saved = verify.HOT
        verify.HOT = None  # the verify stage without token_columns: token_arrays and align_many's own path
        try:
            assert np.array_equal(rows, _verified_rows(texts, pairs, params))
        finally:
            verify.HOT = saved


def test_token_columns_with_a_full_cache_or_table(monkeypatch):
    """Beyond the tokeniser's cache every token's id is asked at sight (the same columns); beyond the token
    table's bound there are no columns and the verify stage takes align_many's path (the same rows)."""
    texts = _real_texts()[:200]
    want = verify.token_columns(texts, 5)
    try:
        for entries in (0, 50):
            HOT.configure(text._resolve, text._repair, entries)
            got = verify.token_columns(texts, 5)
            assert got is not None and all(np.array_equal(a, b) for a, b in zip(got, want))
    finally:
        HOT.configure(text._resolve, text._repair)
    pairs = np.array([(i, j) for i in range(0, 200, 7) for j in range(0, 200, 5)], dtype=np.int64)
    rows = _verified_rows(texts + [texts[3] + " a neverseenbeforetoken"], np.r_[pairs, [[3, 200]]], Params())
    monkeypatch.setattr(verify, "_TABLE_MAX", len(verify._TOKEN_ID))
    fresh = texts + [texts[3] + " a neverseenbeforetokentoo"]
    assert verify.token_columns(fresh, 5) is None
    assert verify.token_columns(texts, 5) is not None  # known tokens only: still columns
    assert np.array_equal(_verified_rows(fresh, np.r_[pairs, [[3, 200]]], Params()), rows)
    assert len(rows) >= 5  # spans were compared, not only empty results


def test_token_columns_rejects_bad_id_callbacks():
    with pytest.raises(TypeError):
        HOT.token_columns(["a b"], None)
    with pytest.raises(TypeError):
        HOT.token_columns(["a b", 3], verify._id_of)
    with pytest.raises(ValueError):
        HOT.token_columns(["a brandnewtokenforthistest"], lambda tok: -5)
    with pytest.raises(ZeroDivisionError):
        HOT.token_columns(["another brandnewtokenforthistest"], lambda tok: 1 / 0)
    assert HOT.token_columns(["yet another brandnewtoken"], lambda tok: -1)[0] is None  # a full table: no ids
    assert verify.token_columns(["yet another brandnewtoken"], 5) is not None  # ids not kept from the refusal


def test_align_many_rejects_bad_arguments():
    ids, th = np.arange(4, dtype=np.int64), np.zeros(4, np.uint64)
    with pytest.raises(ValueError):  # a pair beyond the paragraphs
        HOT.align_pairs(ids, th, np.array([0, 4], np.int64), np.array([0, 1], np.int64), minhash._POSITION,
                        2, 32, 8, 15, 10, 0.7)
    with pytest.raises(ValueError):  # offsets beyond the tokens
        HOT.align_pairs(ids, th, np.array([0, 9], np.int64), np.array([0, 0], np.int64), minhash._POSITION,
                        2, 32, 8, 15, 10, 0.7)
    with pytest.raises(ValueError):  # hashes not parallel to the ids
        HOT.align_pairs(ids, th[:3], np.array([0, 4], np.int64), np.array([0, 0], np.int64), minhash._POSITION,
                        2, 32, 8, 15, 10, 0.7)


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


# Characters the patterns single out, with neighbours that test the classes' edges.
SPECIAL = list(
    "'\u2019\u2018\u02bc\u00b4`\u2032\u00ad?.!\u2026\"\u201c\u201d\u201e\u00ab\u00bb)](_-\u2013\u2014/ \t\n\r\x0b\x0c"
    "\x1c\x1f\x85\xa0\u2028\u3000\u200b\ufeff"
    "stlrevdmS0\u00bd\u00b2\u0660\u2164\u00aa\u00ba\u00df\u0130\ufb01\uff30\u0301\u05d0\u4e2d\u0e01"
    "\u00c2\u00c3\u00e2\u20ac\u2122\u0153\u00a9\u009d\u0080"
)
MOJIBAKE = [k for k in text._MOJIBAKE] + ["\u00e2\u20ac\u2122s", "\u00c3\u00a9t\u00c3\u00a9"]
WORDS = ["it", "Pakistan", "s", "ll", "re", "don", "t", "I", "m", "ve", "d", "caf\u00e9", "na\u00efve", "x1", "42"]

PIECE = st.one_of(
    st.sampled_from(SPECIAL),
    st.sampled_from(MOJIBAKE),
    st.sampled_from(WORDS),
    st.characters(),  # any code point (surrogates included)
    st.text(alphabet=st.characters(codec="utf-8"), max_size=4),
)
TEXTS = st.lists(PIECE, max_size=40).map("".join)


def _reference(fn, *args, **kwargs):
    saved = text._SCAN, text._SPLIT
    text._SCAN = text._SPLIT = None
    try:
        return fn(*args, **kwargs)
    finally:
        text._SCAN, text._SPLIT = saved


def _same_everywhere(s: str) -> None:
    try:
        ref_spans = _reference(text.token_spans, s)
    except UnicodeEncodeError:  # a lone surrogate in a token: the reference cannot hash it, nor can the compiled path
        with pytest.raises(UnicodeEncodeError):
            text.token_spans(s)
        return
    assert text.token_spans(s) == ref_spans
    assert text.tokenize(s) == _reference(text.tokenize, s) == ref_spans[0]
    assert text.segment_hashes(s) == _reference(text.segment_hashes, s)
    arrays = text.token_arrays(s)
    assert arrays.tokens == ref_spans[0]
    assert arrays.starts.tolist() == [a for a, _ in ref_spans[1]]
    assert arrays.ends.tolist() == [b for _, b in ref_spans[1]]
    assert arrays.hashes.tolist() == [token_hash(t) for t in ref_spans[0]]
    assert arrays.hashes.dtype == np.uint64 and arrays.starts.dtype == np.int64
    _same_columns([s, s[::-1], s])


def _same_columns(texts: list[str]) -> None:
    """token_columns: token_arrays of each text back to back, one id per distinct token (the token table's)."""
    cols = verify.token_columns(texts, 5)
    assert cols is not None
    arrays = [_reference(text.token_arrays, t) for t in texts]
    assert cols.offsets.tolist() == np.cumsum([0] + [len(a.tokens) for a in arrays]).tolist()
    assert cols.starts.tolist() == [x for a in arrays for x in a.starts.tolist()]
    assert cols.ends.tolist() == [x for a in arrays for x in a.ends.tolist()]
    assert cols.hashes.tolist() == [x for a in arrays for x in a.hashes.tolist()]
    assert cols.ids.tolist() == [verify._TOKEN_ID[t] for a in arrays for t in a.tokens]


@TEXT_SETTINGS
@given(TEXTS)
def test_scan_equals_reference_on_random_unicode(s):
    _same_everywhere(s)


@TEXT_SETTINGS
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=80))
def test_scan_equals_reference_on_arbitrary_text(s):
    _same_everywhere(s)


@TEXT_SETTINGS
@given(st.text(alphabet="as_1 \n\t\x1f\x85\xa0\u3000.?!\u2026'\u2019\u02bc\u00ad\"\u201c\u201d\u00ab\u00bb)]", max_size=30))
def test_scan_equals_reference_on_dense_punctuation(s):
    """A small alphabet of the characters the patterns care about: every adjacency occurs."""
    _same_everywhere(s)


def _real_texts() -> list[str]:
    bodies = json.loads((ROOT / "fixtures" / "article-extraction-benchmark" / "ground-truth.json").read_text("utf-8"))
    return [p for k in sorted(bodies) for p in (bodies[k].get("articleBody") or "").split("\n\n") if p.strip()]


def _garble(s: str) -> str:
    """UTF-8 bytes read back as cp1252 (latin-1 where cp1252 leaves a byte undefined)."""
    return text._lenient_cp1252(s.encode("utf-8"))


def test_scan_equals_reference_on_real_paragraphs_and_their_mojibake():
    pars = _real_texts()
    assert len(pars) > 2000
    non_ascii = 0
    for p in pars:
        _same_everywhere(p)
        if not p.isascii():
            non_ascii += 1
            _same_everywhere(_garble(p))
    assert non_ascii > 300  # curly quotes, dashes, accented letters: the comparison covered more than ASCII


HOSTILE = [
    "",
    " ",
    "a" * 100_000,
    "?" * 5000 + "s",
    "it?" * 3000 + "s",
    "'" * 3000 + "a" + "\u00ad" * 3000 + "'",
    "word\u00ad" * 2000,
    ".'\"" * 2000 + " ",
    "\u02bc" * 50 + "a\u02bc'\u02bc" * 50,
    "\x00a\x00b\x00. c",
    "\ud800 lone surrogates \udfff are not word characters",
    "\u00c2" * 1000,
    "\u00e2\u20ac\u2122" * 1000,
    "x?ll y?llz z?s_ w?s1 v?S u?re.",
    "\U0001d400\U0001d7ce\U0001f600 astral \U00020000 letters",
]


@pytest.mark.parametrize("s", HOSTILE, ids=range(len(HOSTILE)))
def test_scan_equals_reference_on_hostile_text(s):
    _same_everywhere(s)


LINE = st.one_of(
    st.just(""),
    st.sampled_from([" ", "\t", "\u3000", "\x1f", "\x85", "\u2028", "\r"]),
    st.lists(st.sampled_from(["word", "x" * 12, " ", ".", "\u201d", ":", ")", "\u2019", "\u00a0"]), max_size=30).map("".join),
    st.integers(20, 120).map(lambda n: ("lorem ipsum dolor " * 8)[:n]),
    st.text(max_size=20),
)


@TEXT_SETTINGS
@given(st.lists(LINE, max_size=30).map("\n".join))
def test_split_paragraphs_equals_reference(doc):
    assert text.split_paragraphs(doc) == _reference(text.split_paragraphs, doc)


SIZED_LINE = st.tuples(st.integers(0, 115), st.sampled_from(list(".!?:\"')\u201d\u2019ax ]"))).map(
    lambda t: ("word " * 30)[: t[0]] + t[1]
)


@TEXT_SETTINGS
@given(st.lists(st.one_of(SIZED_LINE, st.just("")), min_size=4, max_size=40).map("\n".join))
def test_split_paragraphs_equals_reference_near_the_wrap_thresholds(doc):
    """Lines of chosen lengths and endings: the 60% / 90th-percentile / +10 rules of _wrap_width at their edges."""
    assert text.split_paragraphs(doc) == _reference(text.split_paragraphs, doc)


def test_split_paragraphs_equals_reference_on_a_grid_of_wrap_edges():
    """n lines of width w, with k lines of w + d (d around the +10 rule) and some shorter ones, every ending."""
    import random

    rng = random.Random(7)
    checked = joined = 0
    for w in (29, 30, 31, 50, 99, 100, 101):
        for n in range(4, 26):
            for k in range(0, 3):
                for d in (-w // 2, 9, 10, 11):
                    lengths = [w] * n + [w + d] * k + [rng.randint(1, w) for _ in range(rng.randint(0, 3))]
                    rng.shuffle(lengths)
                    lines = [("word " * 40)[: m - 1] + rng.choice("x.:a)") for m in lengths]
                    doc = "\n".join(lines)
                    got = text.split_paragraphs(doc)
                    assert got == _reference(text.split_paragraphs, doc), (w, n, k, d)
                    checked += 1
                    joined += len(got) < len(lines)
    assert joined > 100 and checked - joined > 100  # both sides of the rule were compared


def test_split_paragraphs_equals_reference_on_real_and_wrapped_documents():
    import textwrap

    bodies = json.loads((ROOT / "fixtures" / "article-extraction-benchmark" / "ground-truth.json").read_text("utf-8"))
    docs = [bodies[k].get("articleBody") or "" for k in sorted(bodies)]
    docs += [textwrap.fill(d, width) for d in docs[:60] for width in (35, 72, 99)]
    docs += [d.replace("\n\n", "\n") for d in docs[:60]] + [p.read_text("utf-8") for p in (ROOT / "fixtures" / "seeds").glob("*.txt")]
    wrapped = 0
    for d in docs:
        got = text.split_paragraphs(d)
        assert got == _reference(text.split_paragraphs, d)
        wrapped += any("\n" in d[s:e] for s, e in got)
    assert wrapped > 50  # hard-wrapped documents were joined, not only split


def _units(texts, compiled):
    if compiled:
        return units.unit_ranges(texts, PARAMS, compiled=True)
    return _reference(units.unit_ranges, texts, PARAMS, compiled=False)


PARAMS = Params()


@TEXT_SETTINGS
@given(st.lists(st.lists(st.one_of(st.sampled_from(WORDS + [". ", "! ", "\u201c", "\u201d", ".\u201d ", " ", ", "]),
                                   PIECE), max_size=120).map("".join), max_size=8))
def test_unit_ranges_equal_reference(texts):
    got, ref = _units(texts, True), _units(texts, False)
    assert [a.tolist() for a in got] == [a.tolist() for a in ref]
    assert got[0].dtype == np.uint64 and all(a.dtype == np.int64 for a in got[1:])


def test_map_stage_equals_reference_on_real_texts():
    pars = _real_texts()
    pars += [_garble(p) for p in pars[:300]]
    pars += [" ".join(pars[i : i + 4]) for i in range(0, 400, 4)]  # long paragraphs: windows
    for lo in range(0, len(pars), 700):
        batch = pars[lo : lo + 700]
        got, ref = _units(batch, True), _units(batch, False)
        assert [a.tolist() for a in got] == [a.tolist() for a in ref]
    got, ref = _units(pars, True), _units(pars, False)
    assert len(got[1]) > 4000  # units were compared, not only empty results
    ids = list(range(1000, 1000 + len(pars)))
    compiled = units.map_paragraphs(pars, ids, PARAMS)
    saved = units.HOT
    units.HOT = None
    try:
        reference = _reference(units.map_paragraphs, pars, ids, PARAMS)
    finally:
        units.HOT = saved
    for a, b in zip(compiled, reference):
        assert a.dtype == b.dtype and np.array_equal(a, b)


def test_a_full_token_cache_gives_the_same_results():
    """Beyond its capacity the cache stops storing: every token is resolved at sight, the output is unchanged."""
    pars = _real_texts()[:400]
    want = [text.token_spans(p) for p in pars]
    want_units = [a.tolist() for a in _units(pars, True)]
    try:
        HOT.configure(text._resolve, text._repair, 50)
        assert [text.token_spans(p) for p in pars] == want
        assert [a.tolist() for a in _units(pars, True)] == want_units
        HOT.configure(text._resolve, text._repair, 0)
        assert [text.token_spans(p) for p in pars] == want
    finally:
        HOT.configure(text._resolve, text._repair)


def test_bad_arguments_and_callbacks_raise():
    with pytest.raises(ValueError):
        HOT.scan("a b", 7)
    with pytest.raises(TypeError):
        HOT.scan(b"bytes", 0)
    with pytest.raises(TypeError):
        HOT.map_units(["ok", 3], 1, 8, 40)
    with pytest.raises(TypeError):
        HOT.configure("not callable", text._repair)
    try:
        HOT.configure(lambda raw: 42, text._repair)
        with pytest.raises(TypeError):
            HOT.scan("words", 0)
        HOT.configure(text._resolve, lambda s: s + "x")
        with pytest.raises(ValueError):
            HOT.scan("caf\u00c3\u00a9", 0)
        HOT.configure(lambda raw: 1 / 0, text._repair)
        with pytest.raises(ZeroDivisionError):
            HOT.map_units(["a fresh token"], 1, 8, 40)

        def reconfigure(raw):  # emptying the cache while a scan holds tokens borrowed from it is refused
            HOT.configure(text._resolve, text._repair)

        HOT.configure(reconfigure, text._repair)
        with pytest.raises(RuntimeError):
            HOT.scan("another fresh token", 1)
        with pytest.raises(RuntimeError):
            HOT.map_units(["and one more"], 1, 8, 40)
    finally:
        HOT.configure(text._resolve, text._repair)
    assert text.tokenize("caf\u00c3\u00a9 works again") == ["caf\u00e9", "works", "again"]


UNIT_TEXT = st.lists(st.tuples(st.integers(0, 45), st.sampled_from([". ", "\u201c", "\u201d ", ".\u201d ", "! ", ""])),
                     max_size=8).map(lambda segs: "".join("w " * n + sep for n, sep in segs))


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(UNIT_TEXT, max_size=5), st.integers(2, 12), st.integers(0, 30), st.integers(0, 10))
def test_unit_ranges_equal_reference_for_any_unit_sizes(texts, min_unit, extra, min_words):
    """units_from_cuts transcribed: every min_unit / max_unit / min_span_words, dense sentence and quote cuts."""
    params = Params(min_unit=min_unit, max_unit=min_unit + extra, min_span_words=5 + min_words, min_secondary_words=5)
    got = units.unit_ranges(texts, params, compiled=True)
    ref = _reference(units.unit_ranges, texts, params, compiled=False)
    assert [a.tolist() for a in got] == [a.tolist() for a in ref]


# --- word counts and whitespace folding (syndetect.core.words) ---------------
def _same_words(s: str) -> None:
    from syndetect.core import words

    assert HOT.word_count(s) == words.word_count_reference(s)
    n, folded = HOT.fold_words(s)
    ref = words.fold_words_reference(s)
    # == also compares the string's internal kind: a non-canonical (too wide) result would differ
    assert (n, folded) == ref and type(folded) is str and sys.getsizeof(folded) == sys.getsizeof(ref[1])


def test_word_counts_equal_reference_on_every_code_point():
    for c in map(chr, range(0x110000)):
        _same_words(c)
        _same_words(f"a{c}b")
        _same_words(f"{c} x{c}{c}y {c}")


@TEXT_SETTINGS
@given(st.text(alphabet=st.characters(codec=None), max_size=200))
def test_word_counts_equal_reference_on_random_unicode(s):
    _same_words(s)


@TEXT_SETTINGS
@given(st.lists(st.sampled_from([" ", "\t", "\n", "\u3000", "\u00a0", "\u2028", "\x1c", "\u200b", "a", "\u00e9",
                                 "\u20ac", "\U0001f600", "\x00"]), max_size=60).map("".join))
def test_word_counts_equal_reference_on_whitespace_mixtures(s):
    _same_words(s)


@TEXT_SETTINGS
@given(st.lists(st.text(alphabet=st.characters(codec=None), min_size=1, max_size=12)
                .filter(lambda w: not any(c.isspace() for c in w)), max_size=12).map(" ".join))
def test_fold_words_hands_back_an_already_folded_text_itself(s):
    """A text that is its own folding (most paragraphs: single spaces, none at the ends) comes back as
    the same object, not a copy; the same words as the reference."""
    _same_words(s)
    assert HOT.fold_words(s)[1] is s
    for t in (" " + s, s + " ", s.replace(" ", "  ", 1), s.replace(" ", "\n", 1)):
        if t != s:
            _same_words(t)


def test_fold_words_copies_a_str_subclass():
    class Sub(str):
        pass

    n, folded = HOT.fold_words(Sub("a b"))
    assert (n, folded) == (2, "a b") and type(folded) is str


# --- the shape rules' title case (syndetect.rules.shape.long_word_case) ------
def _same_case(s: str) -> None:
    from syndetect.rules import shape

    assert HOT.long_word_case(s) == shape.long_word_case_reference(s), repr(s)


def test_long_word_case_equals_reference_on_every_code_point():
    for c in map(chr, range(0x110000)):
        _same_case(f"{c}bcd")
        _same_case(f"ab{c}d {c}{c}{c}{c}")


@TEXT_SETTINGS
@given(st.text(alphabet=st.characters(codec=None), max_size=120))
def test_long_word_case_equals_reference_on_random_unicode(s):
    _same_case(s)


@TEXT_SETTINGS
@given(st.lists(st.sampled_from(["a", "B", "É", "ǅ", "ß", "1", "²", "_", "'", "’", ".", "-", " ", "\n", "x.y",
                                 "Word", "word", "don’t", "U.S.", "\u0301", "\u3000", "Ⅻ"]), max_size=60).map("".join))
def test_long_word_case_equals_reference_on_word_pieces(s):
    _same_case(s)


@pytest.mark.parametrize("same", [_same_words, _same_case], ids=["word_counts", "long_word_case"])
def test_equal_reference_on_real_paragraphs_and_hostile_text(same):
    for p in _real_texts():
        same(p)
        same(_garble(p))
    for p in HOSTILE:
        same(p)
