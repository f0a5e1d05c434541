"""Text layer: paragraph segmentation, normalisation, offsets and units."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syndetect.core.text import (
    analyze_paragraph,
    normalize_text,
    normalize_token,
    sentence_units,
    split_paragraphs,
    token_spans,
    tokenize,
)

SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"


def seed(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def paragraphs(text: str) -> list[str]:
    return [text[s:e] for s, e in split_paragraphs(text)]


def flat(s: str) -> str:
    return " ".join(s.split())


def garble(text: str) -> str:
    """UTF-8 bytes read back as cp1252 (latin-1 for the bytes cp1252 leaves undefined)."""
    out = []
    for byte in text.encode("utf-8"):
        try:
            out.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            out.append(chr(byte))
    return "".join(out)


# ---------------------------------------------------------------------------
# Paragraphs
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("prefix", ["000", "001", "003"])
def test_one_paragraph_per_line(prefix):
    text = seed(prefix)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert paragraphs(text) == lines
    assert len(lines) > 10


def test_blank_line_separated_seed_002():
    text = seed("002")
    blocks = [b.strip() for b in text.split("\n\n") if b.strip()]
    assert all("\n" not in b for b in blocks)
    assert paragraphs(text) == blocks
    assert len(blocks) == 15


def test_blank_line_blocks_with_single_newline_lines_seed_004():
    text = seed("004")
    got = paragraphs(text)
    # every non-blank line is its own paragraph, including lines that share a block
    assert got == [line.strip() for line in text.splitlines() if line.strip()]
    i = got.index("Also Read")
    assert got[i + 1].startswith("Iran Strikes Jaish al-Adl")
    assert got[i + 2].startswith("7 killed as Pakistan hits")
    assert got[2].startswith("7 killed as") and got[3] == "Anjali Raj / Jaano Junction"


def test_single_newline_lines_inside_blank_line_blocks_synthetic():
    text = (
        "Headline about the strikes\n\n"
        "The first paragraph of the story is a single long line that runs well past the wrap width of a terminal.\n"
        "Reporter Name / Outlet\n\n"
        "Also Read\nAnother headline\n\n"
        "Final paragraph.\n"
    )
    assert paragraphs(text) == [
        "Headline about the strikes",
        "The first paragraph of the story is a single long line that runs well past the wrap width of a terminal.",
        "Reporter Name / Outlet",
        "Also Read",
        "Another headline",
        "Final paragraph.",
    ]


def _wrapped(paras: list[str], width: int = 70) -> list[str]:
    return [textwrap.fill(p, width, break_on_hyphens=False) for p in paras]


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_hard_wrapped_with_blank_lines(prefix):
    paras = paragraphs(seed(prefix))
    fills = _wrapped(paras)
    assert sum(f.count("\n") for f in fills) > 10  # really multi-line paragraphs
    text = "\n\n".join(fills) + "\n"
    got = paragraphs(text)
    assert [flat(p) for p in got] == [flat(p) for p in paras]


@pytest.mark.parametrize("prefix", ["000", "001", "002", "004"])
def test_hard_wrapped_without_blank_lines(prefix):
    # Without blank lines a paragraph ends at a short ("not full") line, so use the
    # paragraphs whose last wrapped line is clearly short.
    paras = [p for p, f in zip(paragraphs(seed(prefix)), _wrapped(paragraphs(seed(prefix))))
             if len(f.splitlines()[-1]) < 35]
    assert len(paras) >= 4
    fills = _wrapped(paras)
    assert any(f.count("\n") >= 2 for f in fills)
    text = "\n".join(fills) + "\n"
    got = paragraphs(text)
    assert [flat(p) for p in got] == [flat(p) for p in paras]
    # offsets point into the wrapped text: the slices keep the original line breaks
    assert any("\n" in p for p in got)


def test_hard_wrapped_synthetic_paragraph_spans_lines():
    body = " ".join(f"word{i}" for i in range(60))
    other = " ".join(f"item{i}" for i in range(45)) + " end."
    text = textwrap.fill(body, 68) + "\n" + textwrap.fill(other, 68) + "\n"
    got = paragraphs(text)
    assert [flat(p) for p in got] == [body, other]


def test_one_sentence_per_line_is_not_mistaken_for_hard_wrap():
    lines = [
        "Pakistan launched retaliatory strikes inside Iran on Thursday morning.",
        "The foreign office said the strikes targeted militant hideouts in Sistan.",
        "Iran said nine people, including four children, were killed in the attack.",
        "Tehran summoned the Pakistani charge d'affaires to demand an explanation.",
        "China urged both neighbours to show restraint and avoid an escalation.",
        "The United States said it was monitoring the situation closely.",
        "Analysts said neither side wanted a wider conflict in the region.",
    ]
    assert paragraphs("\n".join(lines) + "\n") == lines


def test_split_paragraphs_edge_cases():
    assert split_paragraphs("") == []
    assert split_paragraphs("\n \n\t\n") == []
    text = "  indented line  \r\n\r\nsecond\n"
    assert paragraphs(text) == ["indented line", "second"]


# ---------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "variant, clean",
    [
        ("ＰＡＫＩＳＴＡＮ ＳＴＲＩＫＥＳ ２０２４", "Pakistan strikes 2024"),  # fullwidth (NFKC)
        ("the ﬁnal ﬂight ﬀ", "the final flight ff"),  # ligatures
        ("“This morning,” he said", '"This morning," he said'),
        ("‘This morning,’ he said", "'This morning,' he said"),
        ("«This morning» he said", "This morning he said"),
        ("Pakistan’s Iran‘s Kabulʼs Delhi`s Tehran´s", "Pakistan's Iran's Kabul's Delhi's Tehran's"),
        ("don’t we’ll they’re I’ve she’d I’m", "don't we'll they're I've she'd I'm"),
        ("Pakistan?s Iran?s don?t", "Pakistan's Iran's don't"),  # lost apostrophe
        ("Marg Bar – codenamed — Sarmachar ― x", "Marg Bar - codenamed - Sarmachar - x"),
        ("Siestan–o–Baluchistan", "Siestan-o-Baluchistan"),
        ("state-run media", "state run media"),
        ("PAKISTAN And IRAN", "pakistan and iran"),
        ("Straße", "strasse"),
        ("  a\tb\u00a0c\n\nd \u2003 e  ", "a b c d e"),
        ("co\u00adoperate", "cooperate"),  # soft hyphen
        ("Pakistanâ€™s", "Pakistan’s"),  # mojibake
        ("â€œquoteâ€\x9d", "“quote”"),
        ("cafÃ© dÃ©jÃ\u00a0 vu", "café déjà vu"),
        ("Marg Barâ€“codenamed", "Marg Bar–codenamed"),
    ],
)
def test_normalisation_variants_give_clean_tokens(variant, clean):
    assert tokenize(variant) == tokenize(clean)
    assert normalize_text(variant) == normalize_text(clean)
    assert tokenize(variant)  # non-trivial


def test_mojibake_closing_quote_without_c1_byte():
    # "”" is E2 80 9D; the 0x9D control is routinely lost (stripped, or decoded with errors="ignore")
    assert tokenize("â€œquoteâ€ said") == ["quote", "said"]


def test_normalised_forms():
    assert tokenize("Pakistan?s") == ["pakistans"]
    assert tokenize("Pakistanâ€™s") == ["pakistans"]
    assert tokenize("â€œquoteâ€\x9d") == ["quote"]
    assert tokenize("Ｔｅｈｒａｎ") == ["tehran"]
    assert normalize_token("Pakistan’s") == "pakistans"
    assert normalize_token("ＰＡＫ") == "pak"
    # a question mark is only an apostrophe before a contraction suffix
    assert tokenize("what? said") == ["what", "said"]
    assert normalize_text("Hello,   WORLD!  It’s — fine.") == "hello world its fine"


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_mojibake_seed_gives_same_tokens(prefix):
    clean = seed(prefix)
    assert any(ord(c) > 127 for c in clean)
    assert tokenize(garble(clean)) == tokenize(clean)
    assert tokenize(clean.encode("utf-8").decode("latin-1")) == tokenize(clean)


# ---------------------------------------------------------------------------
# Offsets
# ---------------------------------------------------------------------------
def test_token_spans_point_into_original_text():
    text = "â€œThis morningâ€\x9d, Pakistanâ€™s — ＦＭ said"
    toks, spans = token_spans(text)
    assert toks == ["this", "morning", "pakistans", "fm", "said"]
    assert [text[s:e] for s, e in spans] == ["This", "morning", "Pakistanâ€™s", "ＦＭ", "said"]


def test_token_spans_clean_text():
    text = "  It’s   “Marg Bar Sarmachar” – codenamed.  "
    toks, spans = token_spans(text)
    assert toks == ["its", "marg", "bar", "sarmachar", "codenamed"]
    assert [text[s:e] for s, e in spans] == ["It’s", "Marg", "Bar", "Sarmachar", "codenamed"]
    assert [normalize_token(text[s:e]) for s, e in spans] == toks


@pytest.mark.parametrize("prefix", ["000", "002", "004"])
def test_token_spans_on_seeds_and_their_mojibake(prefix):
    for text in (seed(prefix), garble(seed(prefix))):
        toks, spans = token_spans(text)
        assert toks == tokenize(text)
        assert all(tokenize(text[s:e]) == [t] for t, (s, e) in zip(toks, spans))


# ---------------------------------------------------------------------------
# Property tests
# ---------------------------------------------------------------------------
_PIECES = st.sampled_from([
    "Pakistan", "Iran", "s", "t", "ll", "re", "x1", "42", "'", "\u2019", "\u2018", "`", "?", "\u00ad",
    "â€™", "â€œ", "â€\x9d", "â€“", "Ã©", "Ã", "Â", "\u00a0", "ＰＡＫ", "ﬁ", "½", "²", "—", "–", "-",
    " ", "  ", "\t", "\n", "\n\n", "\r\n", ".", "!", "?", "…", '"', "“", "”", "«", "»", "é", "e\u0301",
    "İ", "ß", "ǅ", "_", "\u2028", "ﷺ", "㍱",
])
TEXTS = st.one_of(st.lists(_PIECES, max_size=40).map("".join), st.text(max_size=60))
PROPS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(TEXTS)
def test_normalize_text_is_idempotent(text):
    once = normalize_text(text)
    assert normalize_text(once) == once


@PROPS
@given(TEXTS)
def test_tokenize_equals_token_spans(text):
    assert tokenize(text) == token_spans(text)[0]


@PROPS
@given(TEXTS)
def test_token_slices_normalise_back(text):
    toks, spans = token_spans(text)
    garbled = any(c in text for c in "\u00c2\u00c3\u00e2")
    prev_end = 0
    for tok, (s, e) in zip(toks, spans):
        assert prev_end <= s < e <= len(text)
        prev_end = e
        raw = text[s:e]
        assert tokenize(raw) == [tok]
        if not garbled:  # without mojibake the raw slice is one token as it stands
            assert normalize_token(raw) == tok


LINE = st.one_of(
    st.just(""), st.just("   "),
    st.lists(st.sampled_from(["word", "Pakistan", "strikes", "x", "“q”", "a-b", "\t", " "]), min_size=1, max_size=25)
    .map(" ".join),
    st.text(st.characters(codec="utf-8"), max_size=90),
)


@PROPS
@given(st.lists(LINE, max_size=25), st.sampled_from(["\n", "\r\n"]))
def test_paragraph_offsets_well_formed(lines, nl):
    text = nl.join(lines)
    prev_end = 0
    for s, e in split_paragraphs(text):
        assert 0 <= prev_end <= s < e <= len(text)
        chunk = text[s:e]
        assert chunk == chunk.strip() and chunk
        prev_end = e


@PROPS
@given(TEXTS, st.integers(2, 12), st.integers(0, 30))
def test_sentence_units_sorted_and_in_range(text, min_unit, extra):
    max_unit = min_unit + extra
    toks, spans = token_spans(text)
    units = sentence_units(spans, text, min_unit=min_unit, max_unit=max_unit)
    assert units == sorted(set(units))
    for s, e in units:
        assert 0 <= s < e <= len(toks)
    if toks:
        assert units
        assert units[0][0] == 0
        assert max(e for _, e in units) == len(toks)  # every token is covered at the end


@PROPS
@given(TEXTS, st.integers(2, 8), st.integers(0, 20))
def test_fast_segment_hashes_agree_with_tokens_and_units(text, min_unit, extra):
    """The candidate stage's fast path gives the tokens and units of the reference path."""
    from syndetect.core import text as text_mod
    from syndetect.core.minhash import token_hash

    segment_hashes = getattr(text_mod, "segment_hashes", None)
    units_from_cuts = getattr(text_mod, "units_from_cuts", None)
    if segment_hashes is None or units_from_cuts is None:
        pytest.skip("no fast path in this version")
    hashes, sentence_cuts, quote_cuts = segment_hashes(text)
    toks, spans = token_spans(text)
    assert hashes == [token_hash(t) for t in toks]
    kw = dict(min_unit=min_unit, max_unit=min_unit + extra)
    assert units_from_cuts(len(hashes), sentence_cuts, quote_cuts, **kw) == sentence_units(spans, text, **kw)


# ---------------------------------------------------------------------------
# Units
# ---------------------------------------------------------------------------
def test_units_sentences_windows_and_quotes():
    sent1 = "Pakistan said on Thursday that it struck hideouts inside Iran overnight."  # 11 words
    short = "It was brief."  # 3 words: merged with the next sentence
    sent3 = "The ministry added that the operation had been planned for weeks by officials."
    text = f"{sent1} {short} {sent3}"
    pt = analyze_paragraph(text)
    n1, n2 = len(tokenize(sent1)), len(tokenize(short))
    assert pt.units == ((0, n1), (n1, len(pt.tokens)))
    assert n1 + n2 < len(pt.tokens)

    long = " ".join(f"w{i}" for i in range(100)) + "."
    units = analyze_paragraph(long, max_unit=40).units
    assert units == ((0, 40), (20, 60), (40, 80), (60, 100))

    quote = "“" + " ".join(f"q{i}" for i in range(12)) + "”"
    text = "Before the quote there were these words, " + quote + " said the spokesman after it."
    pt = analyze_paragraph(text)
    start = pt.tokens.index("q0")
    assert (start, start + 12) in pt.units


# ---------------------------------------------------------------------------
# The batch segmentation of the map stage equals segment_hashes paragraph by paragraph
# ---------------------------------------------------------------------------
def _per_paragraph(batch, n):
    hashes, offsets, cut_par, cut_pos, cut_kind = batch
    out = []
    for i in range(n):
        mine = cut_par == i
        out.append((
            hashes[offsets[i] : offsets[i + 1]].tolist(),
            cut_pos[mine & (cut_kind != 2)].tolist(),
            cut_pos[mine & (cut_kind != 1)].tolist(),
        ))
    return out


def _real_paragraphs() -> list[str]:
    import json

    truth = Path(__file__).resolve().parent.parent / "fixtures" / "article-extraction-benchmark" / "ground-truth.json"
    bodies = json.loads(truth.read_text(encoding="utf-8"))
    texts = [b.get("articleBody") or "" for _, b in sorted(bodies.items())]
    texts += [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    return [t[s:e] for t in texts for s, e in split_paragraphs(t)]


def test_segment_batch_equals_segment_hashes_on_real_paragraphs():
    from syndetect.core.text import segment_batch, segment_hashes

    texts = _real_paragraphs()
    assert len(texts) > 4000
    expected = [segment_hashes(t) for t in texts]
    assert _per_paragraph(segment_batch(texts), len(texts)) == expected
    garbled = [garble(t) for t in texts[:500]]  # mojibake repaired in place
    assert _per_paragraph(segment_batch(garbled), len(garbled)) == [segment_hashes(t) for t in garbled]


@PROPS
@given(st.lists(TEXTS, max_size=6))
def test_segment_batch_equals_segment_hashes_property(texts):
    from syndetect.core.text import segment_batch, segment_hashes

    # paragraphs as split_paragraphs gives them (stripped, no blank line), and raw strings (any, e.g. "a\n\nb")
    pars = [p for t in texts for p in paragraphs(t)]
    for batch in (pars, texts):
        assert _per_paragraph(segment_batch(batch), len(batch)) == [segment_hashes(t) for t in batch]


def test_segment_batch_line_breaks_at_the_edges():
    from syndetect.core.text import segment_batch, segment_hashes

    for texts in (["a b.\n", "\nc d"], ["x\n", "\n", "y"], ["one\n\ntwo", "three"], [], ["\n", "\n"]):
        assert _per_paragraph(segment_batch(texts), len(texts)) == [segment_hashes(t) for t in texts]


def test_token_arrays_are_token_spans_with_hashes():
    """On whichever path is in use (compiled or pure): the arrays form of token_spans."""
    import numpy as np

    from syndetect.core.minhash import token_hash
    from syndetect.core.text import token_arrays

    for text in ["", "Pakistan\u2019s \u201cbig\u201d day. It?s fine \u00bd", garble("Caf\u00e9 \u201cno\u201d"), seed("001")]:
        toks, spans = token_spans(text)
        got = token_arrays(text)
        assert got.tokens == toks
        assert got.hashes.dtype == np.uint64 and got.hashes.tolist() == [token_hash(t) for t in toks]
        assert got.starts.dtype == np.int64 and list(zip(got.starts.tolist(), got.ends.tolist())) == spans


def test_a_stale_compiled_module_is_not_used(monkeypatch):
    """An extension built from an older _hot.c (without the tokeniser) is ignored: the pure path runs."""
    import sys
    import types

    import syndetect.core
    from syndetect.core import hot

    stale = types.ModuleType("syndetect.core._hot")
    for name in ("signatures", "band_keys", "runs"):
        setattr(stale, name, lambda *a: None)
    monkeypatch.setitem(sys.modules, "syndetect.core._hot", stale)
    monkeypatch.setattr(syndetect.core, "_hot", stale, raising=False)
    monkeypatch.delenv("SYNDETECT_PURE", raising=False)
    assert hot._load() is None
    stale.configure = stale.scan = stale.map_units = stale.split_paragraphs = lambda *a: None
    assert hot._load() is None  # nor one without the rules' word counts and trigger search
    for name in hot._FUNCTIONS:  # every function of the current _hot.c (the tokeniser, the aligners)
        if not hasattr(stale, name):
            setattr(stale, name, lambda *a: None)
    assert hot._load() is stale
