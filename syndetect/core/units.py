"""The map stage over a batch of paragraphs: tokens -> units -> shingles -> signatures -> band keys.

Columnar: the token hashes of the whole batch are one ``uint64`` array, units
are ``(start, end)`` token offsets into it, and the shingles, MinHash
signatures and band keys of all distinct units are computed in a few numpy
passes (see :mod:`syndetect.core.minhash`). On the pure path the only
Python work per paragraph is choosing its units from its sentence and
quotation cuts (:func:`syndetect.core.text.units_from_cuts`); with the
compiled hot path (:mod:`syndetect.core.hot`) tokenising, hashing and cutting
a batch is one C call (``_hot.map_units``) that gives the same token hashes
and units (``tests/test_hot.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from syndetect.config import Params
from syndetect.core.hot import HOT
from syndetect.core.minhash import band_keys, shingle_hashes, signatures, unit_content_keys
from syndetect.core.text import segment_batch, units_from_cuts

__all__ = ["map_paragraphs", "unit_ranges"]


def map_paragraphs(
    texts: Sequence[str], ids: Sequence[int], params: Params
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Units of a batch of paragraphs: ``(owners, content, rep_owners, rep_content, keys)``.

    ``owners``/``content``: the paragraph id and a 64-bit content key of every
    unit; ``rep_owners``/``rep_content``/``keys``: one entry per distinct unit
    content in the batch (its first occurrence), with its ``(bands,)`` LSH band
    keys. Paragraphs with fewer than ``min_span_words`` tokens have no units.
    """
    k = params.shingle_size
    bands, rows = params.banding
    th, unit_par, unit_start, unit_end = unit_ranges(texts, params)
    empty64 = np.empty(0, dtype=np.uint64)
    if len(unit_par) == 0:
        return np.empty(0, np.int64), empty64, np.empty(0, np.int64), empty64, np.empty((0, bands), np.uint64)
    owners = np.asarray(ids, dtype=np.int64)[unit_par]
    content = unit_content_keys(th, unit_start.tolist(), unit_end.tolist())
    _, first = np.unique(content, return_index=True)
    first.sort()
    starts = unit_start[first]
    ends = unit_end[first]
    # Shingles of the whole batch at once; a unit of at least k tokens takes
    # the shingles that start inside it and end inside it.
    sh = shingle_hashes(th, k)
    counts = np.maximum(ends - starts - k + 1, 1)
    unit_offsets = np.zeros(len(first) + 1, dtype=np.int64)
    np.cumsum(counts, out=unit_offsets[1:])
    gather = np.repeat(starts - unit_offsets[:-1], counts) + np.arange(unit_offsets[-1])
    values = sh[np.minimum(gather, len(sh) - 1)]
    short = np.flatnonzero(ends - starts < k)
    for u in short.tolist():  # a unit shorter than a shingle is one short shingle
        values[unit_offsets[u]] = shingle_hashes(th[starts[u] : ends[u]], k)[0]
    sig = signatures(values, unit_offsets, params.num_perm, params.seed, columns=bands * rows)
    return owners, content, owners[first], content[first], band_keys(sig, bands, rows)


def unit_ranges(
    texts: Sequence[str], params: Params, *, compiled: bool | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Token hashes and units of a batch of paragraphs: ``(hashes, paragraph, start, end)``.

    ``hashes``: the ``uint64`` token hashes of all paragraphs back to back;
    one entry of the three ``int64`` arrays per unit (its paragraph's position
    in ``texts`` and its token range in ``hashes``), the units of each
    paragraph of at least ``min_span_words`` tokens in order. ``compiled``:
    the compiled hot path (default: when it is built); the reference below
    otherwise.
    """
    if HOT is not None if compiled is None else compiled:
        got = HOT.map_units(list(texts), params.min_span_words, params.min_unit, params.max_unit)  # type: ignore[union-attr]
        hashes, par, start, end = got
        return (np.frombuffer(hashes, dtype=np.uint64), np.frombuffer(par, dtype=np.int64),
                np.frombuffer(start, dtype=np.int64), np.frombuffer(end, dtype=np.int64))
    th, offsets, cut_par, cut_pos, cut_kind = segment_batch(texts)
    offs = offsets.tolist()
    cps, cpos, ckind = cut_par.tolist(), cut_pos.tolist(), cut_kind.tolist()
    unit_par: list[int] = []
    unit_start: list[int] = []  # token offsets into the batch's concatenated token hashes
    unit_end: list[int] = []
    c = 0
    ncuts = len(cps)
    for i in range(len(texts)):
        base, n = offs[i], offs[i + 1] - offs[i]
        lo = c
        while c < ncuts and cps[c] == i:
            c += 1
        if n < params.min_span_words:  # too short to hold a reused span
            continue
        sentence_cuts = [cpos[j] for j in range(lo, c) if ckind[j] != 2]
        quote_cuts = [cpos[j] for j in range(lo, c) if ckind[j] != 1]
        for s, e in units_from_cuts(n, sentence_cuts, quote_cuts, min_unit=params.min_unit, max_unit=params.max_unit):
            unit_par.append(i)
            unit_start.append(base + s)
            unit_end.append(base + e)
    as64 = [np.asarray(x, dtype=np.int64) for x in (unit_par, unit_start, unit_end)]
    return th, as64[0], as64[1], as64[2]
