"""The compiled tokeniser (``_hot.scan``/``_hot.map_units``) gives exactly the Python reference's results.

Compared on random Unicode (every category, the characters the patterns
treat specially, mojibake, contractions with ``?``, modifier letters that are
both apostrophes and letters), on the real article paragraphs of the
extraction benchmark and their mojibake, and on hostile text: tokens,
character offsets, token hashes, sentence and quotation cuts, units, and
whole map-stage outputs. The reference is the code in ``syndetect/core/text.py``
with its compiled dispatch switched off (``text._SCAN = None``) and
:func:`syndetect.core.units.unit_ranges` with ``compiled=False``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syndetect.config import Params
from syndetect.core import text, units
from syndetect.core.hot import HOT
from syndetect.core.minhash import token_hash

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

if HOT is None:
    if os.environ.get("SYNDETECT_REQUIRE_COMPILED") == "1":
        pytest.fail("the compiled hot path is not built (pip install -e . needs a C compiler)", pytrace=False)
    pytest.skip("the compiled hot path is not built", allow_module_level=True)

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


@SETTINGS
@given(TEXTS)
def test_scan_equals_reference_on_random_unicode(s):
    _same_everywhere(s)


@SETTINGS
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=80))
def test_scan_equals_reference_on_arbitrary_text(s):
    _same_everywhere(s)


@SETTINGS
@given(st.text(alphabet="as_1 \n\t\x1f\x85\xa0\u3000.?!\u2026'\u2019\u02bc\u00ad\"\u201c\u201d\u00ab\u00bb)]", max_size=30))
def test_scan_equals_reference_on_dense_punctuation(s):
    """A small alphabet of the characters the patterns care about: every adjacency occurs."""
    _same_everywhere(s)


def _real_paragraphs() -> list[str]:
    bodies = json.loads((ROOT / "fixtures" / "article-extraction-benchmark" / "ground-truth.json").read_text("utf-8"))
    return [p for k in sorted(bodies) for p in (bodies[k].get("articleBody") or "").split("\n\n") if p.strip()]


def _garble(s: str) -> str:
    out = []
    for byte in s.encode("utf-8"):
        try:
            out.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            out.append(chr(byte))
    return "".join(out)


def test_scan_equals_reference_on_real_paragraphs_and_their_mojibake():
    pars = _real_paragraphs()
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


@SETTINGS
@given(st.lists(LINE, max_size=30).map("\n".join))
def test_split_paragraphs_equals_reference(doc):
    assert text.split_paragraphs(doc) == _reference(text.split_paragraphs, doc)


SIZED_LINE = st.tuples(st.integers(0, 115), st.sampled_from(list(".!?:\"')\u201d\u2019ax ]"))).map(
    lambda t: ("word " * 30)[: t[0]] + t[1]
)


@SETTINGS
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


@SETTINGS
@given(st.lists(st.lists(st.one_of(st.sampled_from(WORDS + [". ", "! ", "\u201c", "\u201d", ".\u201d ", " ", ", "]),
                                   PIECE), max_size=120).map("".join), max_size=8))
def test_unit_ranges_equal_reference(texts):
    got, ref = _units(texts, True), _units(texts, False)
    assert [a.tolist() for a in got] == [a.tolist() for a in ref]
    assert got[0].dtype == np.uint64 and all(a.dtype == np.int64 for a in got[1:])


def test_map_stage_equals_reference_on_real_paragraphs():
    pars = _real_paragraphs()
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
    pars = _real_paragraphs()[:400]
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
    finally:
        HOT.configure(text._resolve, text._repair)
    assert text.tokenize("caf\u00c3\u00a9 works again") == ["caf\u00e9", "works", "again"]
