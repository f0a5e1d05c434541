"""Group units by LSH band key (and by identical content) into candidate pairs.

Pure functions over arrays, so the same grouping can run as a
"group by band key" on a distributed engine: each band is independent.
A bucket larger than ``max_bucket`` is linked as a star around its
smallest member instead of all pairs: popular passages (boilerplate, stock
phrases, wire copy printed by hundreds of outlets) stay linear.
"""

from __future__ import annotations

import numpy as np

from syndetect.core.hot import HOT

__all__ = ["bucket_pairs", "candidate_pairs", "components", "by_component", "repeated"]

_OWNER_BITS = 32
_OWNER_LIMIT = 1 << _OWNER_BITS  # owners below this are packed with their key's rank into one int64


def bucket_pairs(keys: np.ndarray, owners: np.ndarray, max_bucket: int) -> np.ndarray:
    """Pairs of owners that share a key; ``(p, 2)`` ``int64``, ``lo < hi``.

    ``keys`` and ``owners`` are parallel 1-D arrays. Owners equal within a
    bucket are collapsed. Buckets of more than ``max_bucket`` distinct owners
    are linked as a star around their smallest owner. The pairs come in no
    particular order (:func:`unique_cross_doc` sorts them).
    """
    if len(keys) < 2:
        return np.empty((0, 2), dtype=np.int64)
    # Most keys occur once: only the entries of the repeated ones are put in (key, owner) order.
    sel = repeated(keys)
    if len(sel) == 0:
        return np.empty((0, 2), dtype=np.int64)
    ks = keys[sel]  # the repeated keys, sorted
    o = owners[sel].astype(np.int64)
    if len(o) and 0 <= int(o.min()) and int(o.max()) < _OWNER_LIMIT:
        # (key rank, owner) as one int64 code: one unstable sort orders and dedupes them
        rank = np.cumsum(np.r_[False, ks[1:] != ks[:-1]])
        code = np.sort((rank << _OWNER_BITS) | o)
        code = code[np.r_[True, code[1:] != code[:-1]]]
        k, o = code >> _OWNER_BITS, code & (_OWNER_LIMIT - 1)
    else:  # owners beyond 32 bits: the (key, owner) order by lexsort
        keys, owners = ks, o
        srt = np.lexsort((owners, keys))
        k, o = keys[srt], owners[srt]
        # drop repeated (key, owner)
        keep = np.ones(len(k), dtype=bool)
        keep[1:] = (k[1:] != k[:-1]) | (o[1:] != o[:-1])
        k, o = k[keep], o[keep]
    starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
    sizes = np.diff(np.r_[starts, len(k)])
    multi = sizes >= 2
    starts, sizes = starts[multi], sizes[multi]
    if len(starts) == 0:
        return np.empty((0, 2), dtype=np.int64)
    out: list[np.ndarray] = []
    # stars: every member linked to the first (smallest) owner
    big = sizes > max_bucket
    if big.any():
        s, n = starts[big], sizes[big]
        members = np.repeat(s, n - 1) + (np.arange(int((n - 1).sum())) - np.repeat(np.cumsum(n - 1) - (n - 1), n - 1)) + 1
        out.append(np.stack([o[np.repeat(s, n - 1)], o[members]], axis=1))
    # the other buckets: all pairs, one array operation per bucket size
    for n in np.unique(sizes[~big]).tolist():
        s = starts[sizes == n]
        ii, jj = np.triu_indices(n, k=1)
        out.append(np.stack([o[s[:, None] + ii].ravel(), o[s[:, None] + jj].ravel()], axis=1))
    return np.concatenate(out).astype(np.int64)


def repeated(keys: np.ndarray) -> np.ndarray:
    """Positions of the entries of ``keys`` whose key occurs more than once, in key order (equal keys in
    no particular order). Compiled, one pass over two bitmaps (:func:`_hot.repeated`) marks the entries
    that may repeat (every repeated one, and about 1 in 16 of the rest) and only those are sorted;
    else all are (:func:`_repeated_reference`)."""
    if HOT is not None and keys.dtype.itemsize == 8 and keys.dtype.kind in "iu" and len(keys) > 1:
        keys = np.ascontiguousarray(keys)
        mark = np.empty(len(keys), dtype=np.uint8)
        HOT.repeated(keys, mark)
        maybe = np.flatnonzero(mark)
        return maybe[_repeated_reference(keys[maybe])]
    return _repeated_reference(keys)


def _repeated_reference(keys: np.ndarray) -> np.ndarray:
    """:func:`repeated` by one sort of all the keys: the runs of equal neighbours."""
    order = np.argsort(keys)
    ks = keys[order]
    eq = ks[1:] == ks[:-1]
    return order[np.flatnonzero(np.r_[eq, False] | np.r_[False, eq])]


def _bucket_pairs_reference(keys: np.ndarray, owners: np.ndarray, max_bucket: int) -> np.ndarray:
    """:func:`bucket_pairs` bucket by bucket (the readable form; tests compare the two)."""
    if len(keys) < 2:
        return np.empty((0, 2), dtype=np.int64)
    order = np.lexsort((owners, keys))
    k, o = keys[order], owners[order].astype(np.int64)
    out: list[tuple[int, int]] = []
    lo = 0
    while lo < len(k):
        hi = lo
        while hi < len(k) and k[hi] == k[lo]:
            hi += 1
        members = sorted(set(o[lo:hi].tolist()))
        if len(members) > max_bucket:
            out.extend((members[0], m) for m in members[1:])
        else:
            out.extend((a, b) for i, a in enumerate(members) for b in members[i + 1 :])
        lo = hi
    return np.array(out, dtype=np.int64).reshape(-1, 2)


def candidate_pairs(
    band_keys: np.ndarray,
    owners: np.ndarray,
    owner_doc: np.ndarray,
    max_bucket: int,
) -> np.ndarray:
    """Candidate owner pairs across documents from ``(m, bands)`` band keys.

    ``owners[i]`` is the owner (a paragraph id) of unit ``i``;
    ``owner_doc[p]`` the document of paragraph ``p``. Returns sorted unique
    ``(lo, hi)`` pairs of paragraphs in different documents.
    """
    pieces = [bucket_pairs(band_keys[:, b], owners, max_bucket) for b in range(band_keys.shape[1])]
    return unique_cross_doc(pieces, owner_doc)


def unique_cross_doc(pieces: list[np.ndarray], owner_doc: np.ndarray) -> np.ndarray:
    """Union of pair arrays: sorted, unique, ``lo < hi``, different documents."""
    pieces = [p for p in pieces if len(p)]
    if not pieces:
        return np.empty((0, 2), dtype=np.int64)
    # each pair as one int64 code lo * width + hi, sorted like the rows (by lo, then hi); the
    # union by one unstable sort (numpy's hash-based unique is several times slower here)
    width = np.int64(len(owner_doc))  # owners index owner_doc
    codes = []
    for p in pieces:
        lo, hi = np.minimum(p[:, 0], p[:, 1]), np.maximum(p[:, 0], p[:, 1])
        cross = owner_doc[lo] != owner_doc[hi]
        codes.append(lo[cross] * width + hi[cross])
    code = np.sort(np.concatenate(codes))
    code = code[np.r_[True, code[1:] != code[:-1]]] if len(code) else code
    return np.stack([code // width, code % width], axis=1)


def components(pairs: np.ndarray, n: int) -> np.ndarray:
    """Connected component of each of ``n`` nodes under the edges ``pairs``: its smallest node.

    Vectorised label propagation (each edge lowers both ends to the smaller
    label, then pointer jumping), a few passes for the shallow graphs that
    candidate buckets make.
    """
    labels = np.arange(n, dtype=np.int64)
    if len(pairs) == 0:
        return labels
    a, b = pairs[:, 0], pairs[:, 1]
    while True:
        low = np.minimum(labels[a], labels[b])
        before = labels.copy()
        np.minimum.at(labels, a, low)
        np.minimum.at(labels, b, low)
        while True:  # pointer jumping: every label to its label's label
            jumped = labels[labels]
            if np.array_equal(jumped, labels):
                break
            labels = jumped
        if np.array_equal(labels, before):
            return labels


def by_component(pairs: np.ndarray) -> np.ndarray:
    """``pairs`` reordered so that the pairs of one connected component are contiguous.

    Components in order of their smallest paragraph, pairs in their order
    inside each. Cut into batches, each paragraph then lands in about one
    batch (it is tokenised and indexed once per batch it is in), instead of
    in every batch that holds one of its partners.
    """
    if len(pairs) < 2:
        return pairs
    ids, local = np.unique(pairs, return_inverse=True)
    local = local.reshape(-1, 2)
    labels = components(local, len(ids))
    order = np.argsort(labels[local[:, 0]], kind="stable")
    return pairs[order]
