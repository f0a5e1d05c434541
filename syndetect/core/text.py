"""Text layer: paragraphs, normalised tokens with original offsets, and units.

Everything here works on the *original* text and reports character offsets into
it. Normalisation (Unicode NFKC, case folding, quote/apostrophe/dash variants,
soft hyphens and common mojibake) is applied per token, so a token always
knows the span of original text it came from.

Pipeline position: documents -> **paragraphs -> tokens -> units** -> shingles.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple, cast

import numpy as np

from syndetect.core.hot import HOT
from syndetect.core.minhash import token_hash

__all__ = [
    "split_paragraphs",
    "tokenize",
    "token_spans",
    "normalize_text",
    "normalize_token",
    "sentence_units",
    "units_from_cuts",
    "segment_hashes",
    "segment_batch",
    "ParagraphTokens",
    "analyze_paragraph",
    "TokenArrays",
    "token_arrays",
]

# --------------------------------------------------------------------------
# Mojibake: UTF-8 text decoded as cp1252/latin-1 turns one character into
# two or three. We repair the common ones *in place* with a same-length
# replacement (the fixed character padded with soft hyphens, which the
# tokenizer treats as in-word joiners and normalisation deletes), so offsets
# into the original text stay valid.
# --------------------------------------------------------------------------
_SOFT_HYPHEN = "\u00ad"
_MOJIBAKE_SOURCES = (
    "\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u2013\u2014\u2026\u2022\u00a0"
    "\u00e0\u00e1\u00e2\u00e3\u00e4\u00e5\u00e7\u00e8\u00e9\u00ea\u00eb\u00ec\u00ed\u00ee\u00ef"
    "\u00f1\u00f2\u00f3\u00f4\u00f5\u00f6\u00f9\u00fa\u00fb\u00fc\u00fd\u00ff\u00df"
    "\u00c0\u00c1\u00c2\u00c4\u00c7\u00c8\u00c9\u00ca\u00d1\u00d3\u00d6\u00dc"
)


def _lenient_cp1252(raw: bytes) -> str:
    out = []
    for byte in raw:
        try:
            out.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            out.append(chr(byte))
    return "".join(out)


def _build_mojibake_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for ch in _MOJIBAKE_SOURCES:
        raw = ch.encode("utf-8")
        # Byte by byte, as lenient decoders do: cp1252 where it defines the
        # byte, latin-1 (the C1 control) where it does not.
        for garbled in (_lenient_cp1252(raw), raw.decode("latin-1")):
            if garbled != ch and len(garbled) > 1:
                table[garbled] = ch + _SOFT_HYPHEN * (len(garbled) - 1)
    return table


_MOJIBAKE = _build_mojibake_table()
# "”" garbled is "â€" plus a C1 byte that is often lost on the way: the
# two-character remnant still stands for a closing quote.
_MOJIBAKE.setdefault("\u00e2\u20ac", "\u201d" + _SOFT_HYPHEN)
_MOJIBAKE_RE = re.compile("|".join(re.escape(k) for k in sorted(_MOJIBAKE, key=len, reverse=True)))
_MOJIBAKE_HINT = re.compile("[\u00c2\u00c3\u00e2]")


def _repair(text: str) -> str:
    """Same-length mojibake repair (offsets are preserved)."""
    if not _MOJIBAKE_HINT.search(text):
        return text
    return _MOJIBAKE_RE.sub(lambda m: _MOJIBAKE[m.group()], text)


# A token: letters/digits, joined by in-word apostrophes (any style, including
# a ``?`` that stands for a lost apostrophe as in ``Pakistan?s``) or soft
# hyphens. Hyphens and dashes split tokens.
_APOS = "'\u2019\u2018\u02bc\u00b4`\u2032"
_WORD = r"[^\W_]+"
TOKEN_RE = re.compile(
    rf"{_WORD}(?:(?:[{_APOS}{_SOFT_HYPHEN}]+|\?(?=(?:s|t|ll|re|ve|d|m)\b)){_WORD}|{_SOFT_HYPHEN}+)*"
)
_DELETE = {ord(c): None for c in _APOS + _SOFT_HYPHEN + "?"}


@lru_cache(maxsize=1 << 18)
def normalize_token(raw: str) -> str:
    """Normalise one raw token: NFKC, case fold, drop apostrophes/joiners.

    ``"Pakistan’s"``, ``"Pakistan's"`` and ``"Pakistan?s"`` all become
    ``"pakistans"``; ``"ＰＡＫ"`` becomes ``"pak"``.
    """
    if raw.isascii():
        return raw.translate(_DELETE).lower()
    tok = unicodedata.normalize("NFKC", raw).casefold().translate(_DELETE)
    # NFKC can yield characters that are not word characters (e.g. the
    # fraction slash of "½"); keep only the word characters so that
    # normalisation is idempotent.
    return "".join(TOKEN_RE.findall(tok)) if not tok.isalnum() else tok


_NORM: dict[str, str] = {}


def _norm_all(raws: list[str]) -> list[str]:
    """Normalise raw tokens through a plain dict cache (no per-call overhead)."""
    got = list(map(_NORM.get, raws))
    if None in got:
        for i, (g, r) in enumerate(zip(got, raws)):
            if g is None:
                g = got[i] = normalize_token(r)
                if len(_NORM) < 2_000_000:
                    _NORM[r] = g
    return cast(list[str], got)  # every None was filled above


def tokenize(text: str) -> list[str]:
    """Normalised tokens of ``text`` (the fast path: no offsets)."""
    if _SCAN is not None:  # the compiled tokeniser (same tokens, tests/test_hot.py)
        return cast(list[str], _SCAN(text, 0))
    return [t for t in _norm_all(TOKEN_RE.findall(_repair(text))) if t]


def token_spans(text: str) -> tuple[list[str], list[tuple[int, int]]]:
    """Normalised tokens and their ``(start, end)`` offsets in ``text``.

    Gives exactly the tokens of :func:`tokenize`.
    """
    if _SCAN is not None:  # the compiled tokeniser (same tokens and offsets, tests/test_hot.py)
        return cast(tuple[list[str], list[tuple[int, int]]], _SCAN(text, 1))
    matches = list(TOKEN_RE.finditer(_repair(text)))
    toks = _norm_all([m.group() for m in matches])
    spans = [m.span() for m in matches]
    if "" in toks:  # a raw token that normalises to nothing (rare)
        keep = [i for i, t in enumerate(toks) if t]
        toks = [toks[i] for i in keep]
        spans = [spans[i] for i in keep]
    return toks, spans


def normalize_text(text: str) -> str:
    """The canonical normalised form of a text: its tokens joined by spaces.

    Idempotent: ``normalize_text(normalize_text(x)) == normalize_text(x)``.
    """
    return " ".join(tokenize(text))


# --------------------------------------------------------------------------
# Paragraphs
# --------------------------------------------------------------------------
_LINE_RE = re.compile(r"[^\n]*(?:\n|$)")
_LINE_END_RE = re.compile(r"[.!?:\"'\u201d\u2019)]$")


def split_paragraphs(text: str) -> list[tuple[int, int]]:
    """Split a document into paragraphs; returns ``(start, end)`` offsets.

    Handles one paragraph per line, blank-line separated paragraphs, and
    hard-wrapped text (a paragraph spread over several lines of about the
    same width): a line is joined to the next when the document is
    hard-wrapped and the line is "full" (at least 60% of the wrap width).
    Offsets exclude surrounding whitespace.
    """
    if _SPLIT is not None:  # the same loop compiled (tests/test_hot.py)
        return cast(list[tuple[int, int]], _SPLIT(text))
    lines: list[tuple[int, int]] = []  # stripped (start, end) or (-1, -1) for blank
    for m in _LINE_RE.finditer(text):
        if m.start() == m.end():
            break
        seg = m.group()
        stripped = seg.strip()
        if not stripped:
            lines.append((-1, -1))
        else:
            lead = len(seg) - len(seg.lstrip())
            s = m.start() + lead
            lines.append((s, s + len(stripped)))
    lengths = [e - s for s, e in lines if s >= 0]
    if not lengths:
        return []
    ends = sum(1 for s, e in lines if s >= 0 and _LINE_END_RE.search(text, s, e))
    wrap = _wrap_width(lengths, ends)
    paragraphs: list[tuple[int, int]] = []
    cur: tuple[int, int] | None = None
    prev_full = False
    for s, e in lines:
        if s < 0:
            if cur:
                paragraphs.append(cur)
            cur, prev_full = None, False
            continue
        if cur is not None and prev_full:
            cur = (cur[0], e)
        else:
            if cur:
                paragraphs.append(cur)
            cur = (s, e)
        prev_full = wrap is not None and (e - s) >= 0.6 * wrap
    if cur:
        paragraphs.append(cur)
    return paragraphs


def _wrap_width(lengths: list[int], ends_sentence: int = 0) -> int | None:
    """The wrap width if the text looks hard-wrapped, else ``None``.

    ``ends_sentence``: how many lines end with sentence-final punctuation
    (wrapped lines mostly end mid-sentence).
    """
    if len(lengths) < 4:
        return None
    ordered = sorted(lengths)
    width = ordered[int(0.9 * (len(ordered) - 1))]
    if width > 100 or width < 30:
        return None
    if ends_sentence >= 0.6 * len(lengths):  # one sentence per line, not wrapped prose
        return None
    near = sum(1 for n in lengths if n >= 0.6 * width)
    over = sum(1 for n in lengths if n > width + 10)
    return width if near >= 0.6 * len(lengths) and over <= 0.05 * len(lengths) else None


# --------------------------------------------------------------------------
# Units: the sub-paragraph pieces that get MinHash signatures.
# --------------------------------------------------------------------------
_SENT_END_RE = re.compile(r"[.!?\u2026]+[\"'\u201d\u2019\u00bb)\]]*(?=\s|$)")
_QUOTE_RE = re.compile("[\"\u201c\u201d\u201e\u00ab\u00bb]")


@dataclass(frozen=True, slots=True)
class ParagraphTokens:
    """Tokens of one paragraph and its units (token ranges)."""

    tokens: tuple[str, ...]
    units: tuple[tuple[int, int], ...]


def _token_index_at(spans: list[tuple[int, int]], offset: int) -> int:
    """Index of the first token that starts at or after ``offset``."""
    lo, hi = 0, len(spans)
    while lo < hi:
        mid = (lo + hi) // 2
        if spans[mid][0] < offset:
            lo = mid + 1
        else:
            hi = mid
    return lo


def units_from_cuts(
    n: int,
    sentence_cuts: list[int],
    quote_cuts: list[int],
    *,
    min_unit: int = 8,
    max_unit: int = 40,
) -> list[tuple[int, int]]:
    """Units of a paragraph of ``n`` tokens, from sentence and quotation cuts.

    Units are sentences (short ones merged with the next), windows of
    ``max_unit`` tokens with a stride of half that over long sentences, and
    quotation-delimited segments of ``min_unit`` to ``max_unit`` tokens, so a
    quote embedded in an otherwise different paragraph is a unit of its own.
    Sorted, without duplicates.
    """
    if n == 0:
        return []
    bounds = sorted({0, n, *(c for c in sentence_cuts if 0 < c < n)})
    sentences: list[tuple[int, int]] = []
    start = 0
    for b in bounds[1:]:
        if b - start >= min_unit or b == n:
            if b > start:
                sentences.append((start, b))
            start = b
    if len(sentences) > 1 and sentences[-1][1] - sentences[-1][0] < min_unit:
        last = sentences.pop()
        prev = sentences.pop()
        sentences.append((prev[0], last[1]))
    units: set[tuple[int, int]] = set()
    half = max(max_unit // 2, 1)
    for s, e in sentences:
        if e - s <= max_unit:
            units.add((s, e))
        else:
            for w in range(s, e - half, half):
                units.add((w, min(w + max_unit, e)))
    if quote_cuts:
        edges = sorted({0, n, *(c for c in quote_cuts if 0 < c < n)})
        for a, b in zip(edges, edges[1:]):
            if min_unit <= b - a <= max_unit:
                units.add((a, b))
    return sorted(units)


def sentence_units(
    spans: list[tuple[int, int]],
    text: str,
    *,
    min_unit: int = 8,
    max_unit: int = 40,
) -> list[tuple[int, int]]:
    """Token ranges of the units of a paragraph, given its token spans (see :func:`units_from_cuts`)."""
    text = _repair(text)
    sentence_cuts = [_token_index_at(spans, m.end()) for m in _SENT_END_RE.finditer(text)]
    quote_cuts = [_token_index_at(spans, m.start()) for m in _QUOTE_RE.finditer(text)]
    return units_from_cuts(len(spans), sentence_cuts, quote_cuts, min_unit=min_unit, max_unit=max_unit)


# The fast path of the candidate stage: split at sentence ends and quotation
# marks with one C-level ``re.split``, then find tokens piece by piece, so no
# Python code runs per token except one dictionary look-up.
_PIECE_SPLIT = re.compile(f"({_SENT_END_RE.pattern}|{_QUOTE_RE.pattern})")
_RAW_HASH: dict[str, int | None] = {}


def _raw_hash(raw: str) -> int | None:
    tok = normalize_token(raw)
    h = token_hash(tok) if tok else None
    if len(_RAW_HASH) < 2_000_000:
        _RAW_HASH[raw] = h
    return h


def segment_hashes(text: str) -> tuple[list[int], list[int], list[int]]:
    """Token hashes of a paragraph, with its sentence and quotation cuts.

    The hashes are :func:`syndetect.core.minhash.token_hash` of exactly the tokens
    of :func:`tokenize`; cuts are token indexes as :func:`sentence_units`
    computes them.
    """
    if _SCAN is not None:  # the compiled tokeniser (same hashes and cuts, tests/test_hot.py)
        th, sentences, quotes = _SCAN(text, 3)
        return np.frombuffer(th, dtype=np.uint64).tolist(), sentences, quotes
    parts = _PIECE_SPLIT.split(_repair(text))
    hashes: list[int] = []
    sentence_cuts: list[int] = []
    quote_cuts: list[int] = []
    get = _RAW_HASH.get
    findall = TOKEN_RE.findall
    for i, part in enumerate(parts):
        if i % 2 == 0:
            raws = findall(part)
            got = list(map(get, raws))
            if None in got:  # first sight of a token (or one that normalises to nothing)
                got = [h for h in (g if g is not None else _raw_hash(r) for g, r in zip(got, raws)) if h is not None]
            hashes.extend(cast(list[int], got))
        else:
            n = len(hashes)
            if _QUOTE_RE.search(part):
                if _QUOTE_RE.match(part):
                    quote_cuts.append(n)
                else:  # a sentence end closed by a quotation mark: both
                    sentence_cuts.append(n)
                    quote_cuts.append(n)
            else:
                sentence_cuts.append(n)
    return hashes, sentence_cuts, quote_cuts


# The batch form of segment_hashes: one C-level ``findall`` over a whole batch
# of paragraphs joined by blank lines (a paragraph never holds one), with the
# markers as alternatives of the same pattern, and one dictionary look-up per
# match; cuts and paragraph boundaries are then found with numpy. Markers and
# tokens never overlap (they start with different characters), so this finds
# exactly the tokens and cuts of segment_hashes paragraph by paragraph (tested).
_BATCH_RE = re.compile(f"{_SENT_END_RE.pattern}|{_QUOTE_RE.pattern}|\n\n|{TOKEN_RE.pattern}")
_PARAGRAPH, _SENTENCE, _QUOTE, _BOTH, _EMPTY = range(5)  # codes of non-tokens (token hashes are >= 5)
_CODES: dict[str, int] = {}
_COLLIDING: set[str] = set()  # tokens whose hash is one of the codes above (never seen; kept exact anyway)


def _code(raw: str) -> int:
    if raw == "\n\n":
        code = _PARAGRAPH
    elif _QUOTE_RE.search(raw):
        code = _QUOTE if _QUOTE_RE.match(raw) else _BOTH
    elif _SENT_END_RE.match(raw):
        code = _SENTENCE
    else:
        h = _RAW_HASH.get(raw) if raw in _RAW_HASH else _raw_hash(raw)
        code = _EMPTY if h is None else h
        if h is not None and h < 5:
            _COLLIDING.add(raw)
    if len(_CODES) < 2_000_000:
        _CODES[raw] = code
    return code


def segment_batch(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`segment_hashes` of many paragraphs at once, as arrays.

    Returns ``(hashes, offsets, cut_paragraph, cut_position, cut_kind)``:
    the ``uint64`` token hashes of all paragraphs back to back (paragraph
    ``i`` is ``hashes[offsets[i]:offsets[i+1]]``); and every cut, in order,
    with its paragraph, its token index inside that paragraph and its kind
    (1 sentence, 2 quotation, 3 both).
    """
    n = len(texts)
    if n == 0 or any("\n\n" in t for t in texts):  # not a paragraph of split_paragraphs: one at a time
        return _segment_each(texts)
    raws = _BATCH_RE.findall(_repair("\n\n".join(texts)))
    codes = list(map(_CODES.get, raws))
    if None in codes:  # first sight of some tokens: code each distinct one once, then look all up again
        for r in {r for c, r in zip(codes, raws) if c is None}:
            _code(r)
        codes = list(map(_CODES.get, raws))
        if None in codes:  # the cache is full
            codes = [c if c is not None else _code(r) for c, r in zip(codes, raws)]
    if _COLLIDING and not _COLLIDING.isdisjoint(raws):
        return _segment_each(texts)
    arr = np.array(codes, dtype=np.uint64)
    is_token = arr >= _EMPTY + 1
    is_sep = arr == _PARAGRAPH
    if int(is_sep.sum()) != n - 1:  # texts that end and start with a line break ("a\n", "\nb")
        return _segment_each(texts)
    before: np.ndarray = np.cumsum(is_token) - is_token  # tokens before each match
    offsets = np.empty(n + 1, dtype=np.int64)
    offsets[0] = 0
    offsets[1:-1] = before[is_sep]
    offsets[-1] = int(is_token.sum())
    cut = (arr >= _SENTENCE) & (arr <= _BOTH)
    cut_paragraph = np.cumsum(is_sep)[cut]
    cut_position = before[cut] - offsets[cut_paragraph]
    return arr[is_token], offsets, cut_paragraph, cut_position, arr[cut].astype(np.int64)


def _segment_each(texts: Sequence[str]):
    """The batch result built paragraph by paragraph (the exact reference)."""
    hashes: list[int] = []
    offsets = [0]
    cuts: list[tuple[int, int, int]] = []  # paragraph, position, kind
    for i, text in enumerate(texts):
        h, sentence_cuts, quote_cuts = segment_hashes(text)
        cuts.extend(sorted([(i, c, _SENTENCE) for c in sentence_cuts] + [(i, c, _QUOTE) for c in quote_cuts]))
        hashes.extend(h)
        offsets.append(len(hashes))
    c = np.array(cuts, dtype=np.int64).reshape(-1, 3)
    return np.array(hashes, dtype=np.uint64), np.array(offsets, dtype=np.int64), c[:, 0], c[:, 1], c[:, 2]


def analyze_paragraph(text: str, *, min_unit: int = 8, max_unit: int = 40) -> ParagraphTokens:
    """Tokens and units of one paragraph."""
    toks, spans = token_spans(text)
    units = sentence_units(spans, text, min_unit=min_unit, max_unit=max_unit)
    return ParagraphTokens(tuple(toks), tuple(units))


class TokenArrays(NamedTuple):
    """Tokens of a text with their hashes and character offsets, as arrays (:func:`token_arrays`)."""

    tokens: list[str]
    hashes: np.ndarray  # uint64, token_hash of each token
    starts: np.ndarray  # int64 offsets into the text
    ends: np.ndarray


def token_arrays(text: str) -> TokenArrays:
    """:func:`token_spans` of ``text`` with the tokens' hashes, offsets as ``int64`` arrays.

    ``tokens[i]`` spans ``text[starts[i]:ends[i]]`` and hashes to
    ``hashes[i] == token_hash(tokens[i])``; compiled when the hot path is built.
    """
    if _SCAN is not None:
        toks, th, starts, ends = _SCAN(text, 2)
        return TokenArrays(toks, np.frombuffer(th, dtype=np.uint64), np.frombuffer(starts, dtype=np.int64),
                           np.frombuffer(ends, dtype=np.int64))
    toks, spans = token_spans(text)
    offsets = np.array(spans, dtype=np.int64).reshape(-1, 2)
    return TokenArrays(toks, np.fromiter(map(token_hash, toks), dtype=np.uint64, count=len(toks)),
                       offsets[:, 0].copy(), offsets[:, 1].copy())


# --------------------------------------------------------------------------
# The compiled tokeniser (syndetect/core/_hot.c): the scanning of TOKEN_RE,
# _SENT_END_RE and _QUOTE_RE above written out in C with re's semantics and
# character classes; normalisation, hashing and mojibake repair stay the
# Python above (called once per distinct raw token, and for paragraphs with a
# mojibake hint). ``_SCAN`` is ``None`` on the pure path; so is ``_SPLIT``,
# split_paragraphs compiled.
# --------------------------------------------------------------------------
def _resolve(raw: str) -> tuple[str, int] | None:
    """The normalised token of a raw token and its hash, or ``None`` when it normalises to nothing."""
    tok = normalize_token(raw)
    return (tok, token_hash(tok)) if tok else None


if HOT is not None:
    HOT.configure(_resolve, _repair)
_SCAN = HOT.scan if HOT is not None else None
_SPLIT = HOT.split_paragraphs if HOT is not None else None
