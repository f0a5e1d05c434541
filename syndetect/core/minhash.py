"""Shingles, MinHash signatures and LSH band keys, vectorised with numpy.

Signatures are bit-identical to ``datasketch.MinHash(num_perm, seed,
hashfunc=shingle_hash)`` updated with every shingle of a unit (datasketch's
default ``affine32`` scheme: the MurmurHash3 finalizer, then
``a * h + b mod 2**32``), but computed for a whole batch of units at once.
``tests/test_minhash.py`` proves the equality.

Shingle hashes: each token is hashed with ``xxhash.xxh3_64``; a shingle of
``k`` consecutive tokens hashes to the top 32 bits of
``sum(token_hash[i] * POSITION[i]) mod 2**64`` (order-sensitive).
:func:`shingle_hash` is the same function on one shingle, for datasketch.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import xxhash

from syndetect.core.hot import HOT
from syndetect.errors import ParameterError

__all__ = [
    "token_hash",
    "token_hashes",
    "shingle_hash",
    "shingle_hashes",
    "permutations",
    "signatures",
    "band_keys",
    "unit_content_keys",
    "optimal_banding",
]

_U64 = (1 << 64) - 1
# Fixed odd multipliers, one per position in a shingle (up to 32 words).
_POSITION = np.array(
    [xxhash.xxh3_64_intdigest(f"syndetect-shingle-{i}".encode()) | 1 for i in range(32)],
    dtype=np.uint64,
)
_BAND_ROW = np.array(
    [xxhash.xxh3_64_intdigest(f"syndetect-band-row-{i}".encode()) | 1 for i in range(1024)],
    dtype=np.uint64,
)


@lru_cache(maxsize=1 << 20)
def token_hash(token: str) -> int:
    """64-bit xxhash of one normalised token."""
    return xxhash.xxh3_64_intdigest(token.encode("utf-8"))


def token_hashes(tokens: Sequence[str]) -> np.ndarray:
    """``uint64`` array of the token hashes."""
    return np.fromiter(map(token_hash, tokens), dtype=np.uint64, count=len(tokens))


def shingle_hash(shingle: Sequence[str]) -> int:
    """32-bit hash of one shingle (a sequence of normalised tokens).

    The scalar reference of :func:`shingle_hashes`; usable as datasketch's
    ``hashfunc``.
    """
    if not 1 <= len(shingle) <= len(_POSITION):
        raise ParameterError("a shingle holds 1 to 32 tokens")
    acc = 0
    for i, tok in enumerate(shingle):
        acc = (acc + token_hash(tok) * int(_POSITION[i])) & _U64
    return acc >> 32


def shingle_hashes(th: np.ndarray, k: int) -> np.ndarray:
    """Hashes of every ``k``-shingle of a token-hash array (``uint32``).

    A sequence shorter than ``k`` yields one shingle of all its tokens.
    """
    n = len(th)
    if n == 0:
        return np.empty(0, dtype=np.uint32)
    width = min(k, n)
    count = n - width + 1
    acc = np.zeros(count, dtype=np.uint64)
    for i in range(width):
        acc += th[i : i + count] * _POSITION[i]
    return (acc >> np.uint64(32)).astype(np.uint32)


@lru_cache(maxsize=8)
def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's ``affine32`` permutation parameters ``(a, b)`` (``uint32``).

    The same draw as ``datasketch.MinHash(num_perm, seed).permutations`` (odd
    ``a``, any ``b``, from ``numpy.random.RandomState(seed)``), made here so
    that a ``check`` does not pay for importing datasketch and SciPy;
    ``tests/test_minhash.py`` asserts equality with datasketch.
    """
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer (as datasketch pre-mixes inputs)."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def signatures(
    hashes: np.ndarray,
    offsets: np.ndarray,
    num_perm: int = 128,
    seed: int = 1,
    columns: int | None = None,
) -> np.ndarray:
    """MinHash signatures of many sets at once.

    ``hashes`` (``uint32``) holds the shingle hashes of all sets back to
    back; set ``i`` is ``hashes[offsets[i]:offsets[i+1]]`` and must not be
    empty. Returns a ``(len(offsets) - 1, num_perm)`` ``uint32`` matrix, or
    only its first ``columns`` columns (LSH reads ``bands * rows`` of them).
    One permutation at a time over the whole batch (contiguous 1-D passes,
    then a segmented minimum), which is cache-friendly.
    """
    offsets = np.asarray(offsets, dtype=np.int64)
    m = len(offsets) - 1
    width = num_perm if columns is None else min(columns, num_perm)
    out = np.empty((m, width), dtype=np.uint32)
    if m == 0:
        return out
    if np.any(np.diff(offsets) <= 0):
        raise ParameterError("every set needs at least one shingle")
    a, b = permutations(num_perm, seed)
    if HOT is not None:  # the compiled loop (syndetect/core/_hot.c), bit-identical to the numpy below
        HOT.signatures(np.ascontiguousarray(hashes[offsets[0] : offsets[-1]], dtype=np.uint32),
                       np.ascontiguousarray(offsets), a, b, out, width)
        return out
    return _signatures_numpy(hashes, offsets, a, b, out)


def _signatures_numpy(hashes: np.ndarray, offsets: np.ndarray, a: np.ndarray, b: np.ndarray,
                      out: np.ndarray) -> np.ndarray:
    """The reference of :func:`signatures` in numpy (fills and returns ``out``)."""
    width = out.shape[1]
    mixed = _fmix32(np.asarray(hashes[offsets[0] : offsets[-1]], dtype=np.uint32))
    starts = offsets[:-1] - offsets[0]
    if len(mixed) * width <= _SMALL_BATCH:  # a few sets (a check): all permutations in one 2-D pass
        with np.errstate(over="ignore"):
            out[:] = np.minimum.reduceat(mixed[:, None] * a[None, :width] + b[None, :width], starts, axis=0)
        return out
    row = np.empty_like(mixed)
    with np.errstate(over="ignore"):
        for j in range(width):
            np.multiply(mixed, a[j], out=row)
            row += b[j]
            out[:, j] = np.minimum.reduceat(row, starts)
    return out


_SMALL_BATCH = 1 << 16  # cells up to which one 2-D pass beats a loop over columns (measured)


def band_keys(sig: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """``(m, bands)`` ``uint64`` LSH band keys: a hash of each band's rows.

    Two signatures share band key ``i`` exactly when their rows
    ``i*rows .. (i+1)*rows`` agree (up to a 64-bit hash collision), as in
    ``datasketch.MinHashLSH`` with ``params=(bands, rows)``.
    """
    m, num_perm = sig.shape
    if bands * rows > num_perm:
        raise ParameterError("bands * rows exceeds the signature length")
    keys = np.empty((m, bands), dtype=np.uint64)
    if HOT is not None and m:  # the compiled loop, bit-identical to the numpy below
        HOT.band_keys(np.ascontiguousarray(sig, dtype=np.uint32), num_perm, bands, rows, _BAND_ROW, keys)
        return keys
    return _band_keys_numpy(sig, bands, rows, keys)


def _band_keys_numpy(sig: np.ndarray, bands: int, rows: int, keys: np.ndarray) -> np.ndarray:
    """The reference of :func:`band_keys` in numpy (fills and returns ``keys``)."""
    m = sig.shape[0]
    if m * bands * rows <= _SMALL_BATCH:  # all bands at once (sums mod 2**64 in any order are equal)
        with np.errstate(over="ignore"):
            acc = (sig[:, : bands * rows].astype(np.uint64).reshape(m, bands, rows) * _BAND_ROW[:rows]).sum(
                axis=2, dtype=np.uint64
            )
            acc += (np.arange(1, bands + 1, dtype=np.uint64) * _BAND_ROW[1023])[None, :]
            acc ^= acc >> np.uint64(33)
            acc *= np.uint64(0xFF51AFD7ED558CCD)
            acc ^= acc >> np.uint64(33)
        keys[:] = acc
        return keys
    s64 = sig.astype(np.uint64)
    with np.errstate(over="ignore"):
        for band in range(bands):
            acc = np.full(m, np.uint64(band + 1) * _BAND_ROW[1023], dtype=np.uint64)
            for r in range(rows):
                acc += s64[:, band * rows + r] * _BAND_ROW[r]
            acc ^= acc >> np.uint64(33)
            acc *= np.uint64(0xFF51AFD7ED558CCD)
            acc ^= acc >> np.uint64(33)
            keys[:, band] = acc
    return keys


def unit_content_keys(th: np.ndarray, starts: Sequence[int], ends: Sequence[int]) -> np.ndarray:
    """A 64-bit content key per unit ``th[start:end]`` (same tokens, same key)."""
    buf = th.tobytes()
    digest = xxhash.xxh3_64_intdigest
    return np.fromiter(
        (digest(buf[s * 8 : e * 8]) for s, e in zip(starts, ends)), dtype=np.uint64, count=len(starts)
    )


@lru_cache(maxsize=64)
def optimal_banding(threshold: float, num_perm: int, weights: tuple[float, float] = (0.5, 0.5)) -> tuple[int, int]:
    """``(bands, rows)`` minimising the weighted false positive + false negative area.

    The same optimum as ``datasketch.lsh._optimal_param`` (which
    ``MinHashLSH(threshold, num_perm)`` uses), without importing datasketch
    and SciPy: the probability that a pair of Jaccard similarity ``s`` shares
    a band is ``P(s) = 1 - (1 - s**r)**b``; the false positive area is the
    integral of ``P`` over ``[0, threshold]``, the false negative area that of
    ``1 - P`` over ``[threshold, 1]``. ``P`` is a polynomial of degree
    ``b * r <= num_perm``, so Gauss-Legendre quadrature with
    ``num_perm // 2 + 1`` nodes integrates it exactly (up to rounding); ties
    go to the first ``(b, r)`` in datasketch's order (``b`` then ``r``
    ascending). ``tests/test_minhash.py`` compares a grid with datasketch.
    """
    fp_weight, fn_weight = weights
    nodes, node_weights = np.polynomial.legendre.leggauss(max(32, num_perm // 2 + 1))
    b = np.concatenate([np.full(num_perm // bb, bb) for bb in range(1, num_perm + 1)]).astype(np.float64)
    r = np.concatenate([np.arange(1, num_perm // bb + 1) for bb in range(1, num_perm + 1)]).astype(np.float64)

    def area(lo: float, hi: float, false_negative: bool) -> np.ndarray:
        s = (hi - lo) / 2 * nodes + (hi + lo) / 2  # nodes mapped onto [lo, hi]
        miss = (1.0 - s[None, :] ** r[:, None]) ** b[:, None]  # 1 - P(s)
        values = miss if false_negative else 1.0 - miss
        return (values @ node_weights) * (hi - lo) / 2

    error = area(0.0, threshold, False) * fp_weight + area(threshold, 1.0, True) * fn_weight
    best = int(np.argmin(error))  # first minimum, in datasketch's loop order
    return int(b[best]), int(r[best])
