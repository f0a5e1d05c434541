"""Exact verification: align two paragraphs and return the reused spans.

No LSH candidate is ever reported unverified. Alignment seeds on exact
shared ``k``-word runs (``k`` = shingle size), extends each to a maximal
run, then chains runs that follow each other in both paragraphs with gaps
of at most ``max_gap_words`` into one span. A span is kept when it holds at
least ``min_span_words`` matching words (``min_secondary_words`` once the
pair holds one such span) and at least ``min_overlap`` of its words, on each
side, match.
"""

from __future__ import annotations

import itertools
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple, cast

import numpy as np

from syndetect.config import Params
from syndetect.core.hot import HOT
from syndetect.core.minhash import _POSITION, shingle_hashes, token_hash, token_hashes

__all__ = ["TokenSpan", "Prepared", "prepare", "align", "align_many", "TokenColumns", "token_columns", "align_columns"]

_MAX_POSITIONS = 32  # a k-gram repeated more often inside one paragraph is ignored


@dataclass(frozen=True, slots=True)
class TokenSpan:
    """A verified span as token ranges ``[a_start, a_end)`` and ``[b_start, b_end)``."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    words: int


@dataclass(frozen=True, slots=True)
class Prepared:
    """A paragraph ready for alignment: tokens and an index of its k-gram hashes.

    With the compiled hot path (:mod:`syndetect.core.hot`) ``grams`` and
    ``index`` stay empty and ``ids`` holds the tokens as ids of this
    process's token table (equal ids, equal tokens): the compiled
    :func:`_runs` computes the same k-gram hashes from them.
    """

    tokens: tuple[str, ...]
    grams: list[int]
    index: dict[int, list[int]]
    ids: array | None = None


# The token table of the compiled path: token -> id, and the token hash of each id.
_TOKEN_ID: dict[str, int] = {}
_HASH_OF_ID = array("Q")
_TABLE_MAX = 4_000_000  # ids beyond this: the reference path (bounded memory)


def _token_ids(toks: tuple[str, ...]) -> array | None:
    ids = list(map(_TOKEN_ID.get, toks))
    if None in ids:
        if len(_TOKEN_ID) + len(toks) > _TABLE_MAX:
            return None
        for i, (g, t) in enumerate(zip(ids, toks)):
            if g is None:
                g = _TOKEN_ID.get(t)
                if g is None:
                    g = _TOKEN_ID[t] = len(_HASH_OF_ID)
                    _HASH_OF_ID.append(token_hash(t))
                ids[i] = g
    return array("q", cast(list[int], ids))  # every None was filled above


def _id_of(tok: str) -> int:
    """The id of a token in the token table (added when new), or -1 when the table is full."""
    g = _TOKEN_ID.get(tok)
    if g is None:
        if len(_TOKEN_ID) >= _TABLE_MAX:
            return -1
        g = _TOKEN_ID[tok] = len(_HASH_OF_ID)
        _HASH_OF_ID.append(token_hash(tok))
    return g


def prepare(tokens: Sequence[str], k: int, *, compiled: bool | None = None) -> Prepared:
    """Index the ``k``-grams of a token sequence by their shingle hash (once per paragraph).

    ``compiled``: use the compiled hot path (default: when it is built).
    """
    toks = tuple(tokens)
    if (HOT is not None if compiled is None else compiled) and k <= len(_POSITION):
        ids = _token_ids(toks)
        if ids is not None:
            return Prepared(toks, [], {}, ids)
    if len(toks) < k:
        return Prepared(toks, [], {})
    grams = shingle_hashes(token_hashes(toks), k).tolist()
    index: dict[int, list[int]] = {}
    for j, g in enumerate(grams):
        index.setdefault(g, []).append(j)
    return Prepared(toks, grams, index)


def _runs(pa: Prepared, pb: Prepared, k: int) -> list[tuple[int, int, int]]:
    """Maximal exact runs ``(i, j, length)`` with ``length >= k`` (compiled when both sides were prepared so)."""
    if pa.ids is not None and pb.ids is not None and HOT is not None:
        return HOT.runs(pa.ids, pb.ids, _HASH_OF_ID, _POSITION, k, _MAX_POSITIONS)
    return _runs_reference(_indexed(pa, k), _indexed(pb, k), k)


def _indexed(p: Prepared, k: int) -> Prepared:
    return prepare(p.tokens, k, compiled=False) if p.ids is not None else p


def _runs_reference(pa: Prepared, pb: Prepared, k: int) -> list[tuple[int, int, int]]:
    """Maximal exact runs ``(i, j, length)`` with ``length >= k``: the reference (and readable) algorithm.

    For each k-gram of ``a`` (in order), every position of the same k-gram in
    ``b`` (ascending; none if it recurs more than ``_MAX_POSITIONS`` times)
    not already covered by a run on the same diagonal starts a run, extended
    while the tokens agree.
    """
    a, b = pa.tokens, pb.tokens
    if not pa.grams or not pb.grams:
        return []
    index = pb.index
    runs: list[tuple[int, int, int]] = []
    reach: dict[int, int] = {}  # diagonal (i - j) -> end of the last run on it
    la, lb = len(a), len(b)
    for i, gram in enumerate(pa.grams):
        hits = index.get(gram)
        if not hits or len(hits) > _MAX_POSITIONS:
            continue
        for j in hits:
            d = i - j
            if reach.get(d, -1) > i or a[i : i + k] != b[j : j + k]:  # covered, or a hash collision
                continue
            n = k
            while i + n < la and j + n < lb and a[i + n] == b[j + n]:
                n += 1
            reach[d] = i + n
            runs.append((i, j, n))
    return runs


def align(
    a: Sequence[str] | Prepared, b: Sequence[str] | Prepared, params: Params
) -> list[TokenSpan]:
    """Reused spans between token sequences ``a`` and ``b``, in order of ``a``.

    ``a`` and ``b`` may be :class:`Prepared` (see :func:`prepare`) to reuse
    the k-gram index of a paragraph across many pairs.
    """
    k = params.shingle_size
    pa = a if isinstance(a, Prepared) else prepare(a, k)
    pb = b if isinstance(b, Prepared) else prepare(b, k)
    runs = _runs(pa, pb, k)
    if not runs:
        return []
    runs.sort()
    gap = params.max_gap_words
    chains: list[list[tuple[int, int, int]]] = []
    for run in runs:
        i, j, n = run
        best = None
        best_words = -1
        for chain in chains:
            li, lj, ln = chain[-1]
            ga, gb = i - (li + ln), j - (lj + ln)
            if 0 <= ga <= gap and 0 <= gb <= gap:
                words = sum(r[2] for r in chain)
                if words > best_words:
                    best, best_words = chain, words
        if best is None:
            chains.append([run])
        else:
            best.append(run)
    spans: list[TokenSpan] = []
    full = any(sum(r[2] for r in chain) >= params.min_span_words for chain in chains)
    floor = params.min_secondary_words if full else params.min_span_words
    for chain in chains:
        words = sum(r[2] for r in chain)
        if words < floor:
            continue
        a0, b0 = chain[0][0], chain[0][1]
        a1, b1 = chain[-1][0] + chain[-1][2], chain[-1][1] + chain[-1][2]
        if words < params.min_overlap * (a1 - a0) or words < params.min_overlap * (b1 - b0):
            continue
        spans.append(TokenSpan(a0, a1, b0, b1, words))
    spans.sort(key=lambda s: (s.a_start, s.b_start))
    return spans


def align_many(
    tokens: Sequence[Sequence[str]], pairs: np.ndarray, params: Params, *,
    hashes: Sequence[np.ndarray] | None = None, compiled: bool | None = None,
) -> np.ndarray:
    """:func:`align` of many pairs of token sequences, as one ``(n, 6)`` ``int64`` array.

    ``pairs`` is an ``(m, 2)`` array of positions into ``tokens``; a row
    ``(pair, a_start, a_end, b_start, b_end, words)`` per span, in the order
    of ``pairs`` and, inside a pair, of :func:`align`. ``hashes[i]``, when
    given, holds :func:`~syndetect.core.minhash.token_hash` of each token of
    ``tokens[i]`` (as :func:`~syndetect.core.text.token_arrays` returns them).
    ``compiled``: the compiled hot path (default: when it is built), which
    indexes each sequence once for all its pairs; otherwise :func:`align`
    pair by pair, each sequence prepared once (the reference).
    """
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    k = params.shingle_size
    if (HOT is not None if compiled is None else compiled) and HOT is not None and k <= len(_POSITION):
        offsets = np.zeros(len(tokens) + 1, dtype=np.int64)
        np.cumsum([len(toks) for toks in tokens], out=offsets[1:])
        # token -> id, local to the call (equal ids, equal tokens)
        table = {t: i for i, t in enumerate(dict.fromkeys(itertools.chain.from_iterable(tokens)))}
        ids = np.fromiter(map(table.__getitem__, itertools.chain.from_iterable(tokens)), dtype=np.int64, count=int(offsets[-1]))
        if hashes is None:
            th = np.fromiter(map(token_hash, itertools.chain.from_iterable(tokens)), dtype=np.uint64, count=len(ids))
        else:
            th = np.concatenate([np.asarray(h, dtype=np.uint64) for h in hashes]) if len(hashes) else np.empty(0, np.uint64)
        return _align_pairs(ids, th, offsets, pairs, params)
    prepared: dict[int, Prepared] = {}

    def prep(i: int) -> Prepared:
        got = prepared.get(i)
        if got is None:
            got = prepared[i] = prepare(tokens[i], k, compiled=False)
        return got

    rows = [(q, s.a_start, s.a_end, s.b_start, s.b_end, s.words)
            for q, (a, b) in enumerate(pairs.tolist()) for s in align(prep(a), prep(b), params)]
    return np.array(rows, dtype=np.int64).reshape(-1, 6)


class TokenColumns(NamedTuple):
    """The tokens of many texts back to back (:func:`token_columns`): text ``i`` holds tokens
    ``offsets[i]:offsets[i + 1]``."""

    ids: np.ndarray  # int64 ids of the token table (equal ids, equal tokens)
    hashes: np.ndarray  # uint64 token_hash of each token
    starts: np.ndarray  # int64 character offsets of each token in its text
    ends: np.ndarray
    offsets: np.ndarray  # int64, len(texts) + 1


def token_columns(texts: Sequence[str], k: int) -> TokenColumns | None:
    """The tokens of ``texts`` (as :func:`~syndetect.core.text.token_arrays` gives them) as ids of the token
    table, hashes and offsets, for :func:`align_columns` with shingles of ``k`` words, in one compiled call
    (each raw token's id kept in the tokeniser's cache: no Python work per token); ``None`` without the
    compiled path, for a ``k`` it does not handle, or when the table is full."""
    if HOT is None or k > len(_POSITION):
        return None
    ids, th, starts, ends, counts = HOT.token_columns(texts, _id_of)
    if ids is None:
        return None
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(np.frombuffer(counts, dtype=np.int64), out=offsets[1:])
    return TokenColumns(np.frombuffer(ids, dtype=np.int64), np.frombuffer(th, dtype=np.uint64),
                        np.frombuffer(starts, dtype=np.int64), np.frombuffer(ends, dtype=np.int64), offsets)


def align_columns(columns: TokenColumns, pairs: np.ndarray, params: Params) -> np.ndarray:
    """:func:`align_many` of pairs of texts given as :func:`token_columns` (compiled only): the same rows."""
    assert HOT is not None and params.shingle_size <= len(_POSITION)
    return _align_pairs(columns.ids, columns.hashes, columns.offsets, np.asarray(pairs, dtype=np.int64), params)


def _align_pairs(ids: np.ndarray, th: np.ndarray, offsets: np.ndarray, pairs: np.ndarray, params: Params) -> np.ndarray:
    assert HOT is not None
    got = HOT.align_pairs(ids, np.ascontiguousarray(th), offsets, np.ascontiguousarray(pairs.reshape(-1, 2)), _POSITION,
                          params.shingle_size, _MAX_POSITIONS, params.max_gap_words, params.min_span_words,
                          params.min_secondary_words, float(params.min_overlap))
    return np.frombuffer(got, dtype=np.int64).reshape(-1, 6).copy()
