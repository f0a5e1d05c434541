"""The stages of the scan: pure functions from a batch of records to a batch of records.

In pipeline order:

1. :func:`paragraphs_of` — a document to its paragraphs;
2. the per-document boilerplate rules over a batch of documents
   (:func:`syndetect.pipeline.rules.detect_task`), then the corpus-wide ones;
3. :func:`exact_repeats` — a group-by on paragraph text: verbatim reprints
   are linked without alignment;
4. :func:`map_units` — paragraph texts to units, their content keys and LSH
   band keys (:class:`UnitBatch`);
5. :func:`group_candidates` — a group-by on band keys (and unit content):
   candidate paragraph pairs in different documents (a reduce: it runs where
   the batches are collected);
6. :func:`verify_pairs` — candidate pairs that carry their own texts
   (:class:`PairBatch`) to verified :class:`~syndetect.model.Match` spans;
7. clustering (:func:`syndetect.core.cluster.build_clusters`).

Nothing here reads global state: every input is an argument, so an
:class:`~syndetect.pipeline.executors.Executor` can run the batch stages
anywhere. ``*_task(context, task)`` are the forms the executors call.
``index add`` and ``check`` use the same stages (:mod:`syndetect.index`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from syndetect.config import Params
from syndetect.core.candidates import bucket_pairs, unique_cross_doc
from syndetect.core.text import split_paragraphs, token_arrays, token_spans
from syndetect.core.units import map_paragraphs
from syndetect.core.verify import align_columns, align_many, token_columns
from syndetect.model import Document, Match, Paragraph

__all__ = [
    "paragraphs_of", "UnitBatch", "map_units", "map_task", "group_candidates", "PairBatch", "pair_batch",
    "verify_pairs", "verify_task", "verify_rows", "verify_rows_task", "exact_repeats", "exact_repeat_rows", "match_row",
]


def paragraphs_of(doc: Document) -> list[Paragraph]:
    """The paragraphs of a document (1-based index, offsets into ``doc.text``)."""
    return [
        Paragraph(doc.id, i, s, e, doc.text[s:e]) for i, (s, e) in enumerate(split_paragraphs(doc.text), 1)
    ]


@dataclass(frozen=True)
class UnitBatch:
    """Units of a batch of paragraphs.

    ``owners``/``content``: one entry per unit (owner = global paragraph id);
    ``rep_owners``/``keys``: one entry per distinct unit content in the
    batch, with its ``(bands,)`` LSH band keys.
    """

    owners: np.ndarray
    content: np.ndarray
    rep_owners: np.ndarray
    rep_content: np.ndarray
    keys: np.ndarray


def map_units(texts: Sequence[str], ids: Sequence[int], params: Params) -> UnitBatch:
    """Map stage: units, their content keys and LSH band keys for a batch of paragraphs (columnar, in
    :func:`syndetect.core.units.map_paragraphs`)."""
    return UnitBatch(*map_paragraphs(texts, ids, params))


def group_candidates(batches: Sequence[UnitBatch], owner_doc: np.ndarray, params: Params) -> np.ndarray:
    """Group stage: candidate pairs of paragraphs (in different documents).

    Identical units are grouped by content key; distinct units by LSH band
    key (one group-by per band, over each distinct content once).
    """
    if not batches:
        return np.empty((0, 2), dtype=np.int64)
    owners = np.concatenate([b.owners for b in batches])
    content = np.concatenate([b.content for b in batches])
    pieces = [bucket_pairs(content, owners, params.max_bucket)]
    del owners, content
    rep_owners = np.concatenate([b.rep_owners for b in batches])
    _, first = np.unique(np.concatenate([b.rep_content for b in batches]), return_index=True)
    first.sort()
    rep_owners = rep_owners[first]
    # The first occurrence of each content, batch by batch; one band's keys at a time
    # (the whole key matrix is the largest array of the scan: never copied whole).
    bounds = np.cumsum([0] + [len(b.rep_owners) for b in batches])
    cuts = np.searchsorted(first, bounds)
    local = [first[cuts[i] : cuts[i + 1]] - bounds[i] for i in range(len(batches))]
    for band in range(batches[0].keys.shape[1]):
        column = np.concatenate([b.keys[sel, band] for b, sel in zip(batches, local)])
        pieces.append(bucket_pairs(column, rep_owners, params.max_bucket))
    return unique_cross_doc(pieces, owner_doc)


@dataclass(frozen=True)
class PairBatch:
    """Candidate paragraph pairs that carry their own texts.

    ``refs[i]`` is ``(doc, paragraph index)`` of ``texts[i]``; ``pairs`` is
    an ``(n, 2)`` array of positions into ``texts`` (side a, side b). A batch
    needs nothing else to be verified, wherever it runs.
    """

    refs: tuple[tuple[str, int], ...]
    texts: tuple[str, ...]
    pairs: np.ndarray
    ids: np.ndarray | None = None  # the paragraph id of each text (positions in the scan's paragraphs)


def pair_batch(pairs: np.ndarray, paragraphs: Sequence[Paragraph]) -> PairBatch:
    """The :class:`PairBatch` of candidate pairs of paragraph ids (positions in ``paragraphs``)."""
    if len(pairs) == 0:
        return PairBatch((), (), np.empty((0, 2), dtype=np.int64), np.empty(0, dtype=np.int64))
    ids, local = np.unique(pairs, return_inverse=True)
    pars = [paragraphs[i] for i in ids.tolist()]
    return PairBatch(
        tuple((p.doc, p.index) for p in pars), tuple(p.text for p in pars), local.reshape(-1, 2).astype(np.int64),
        ids.astype(np.int64),
    )


def verify_pairs(batch: PairBatch, params: Params) -> list[Match]:
    """Verify stage: exact alignment of candidate paragraph pairs.

    Every span is aligned token by token (:func:`syndetect.core.verify.align`)
    and reported with character offsets into each paragraph's text, in the
    order of ``batch.pairs``.
    """
    refs = batch.refs
    out: list[Match] = []
    for a, b, a0, a1, b0, b1, words in _verified(batch, params).tolist():
        (a_doc, a_par), (b_doc, b_par) = refs[a], refs[b]
        out.append(Match(a_doc, a_par, a0, a1, b_doc, b_par, b0, b1, words))
    return out


def verify_rows(batch: PairBatch, params: Params) -> np.ndarray:
    """:func:`verify_pairs` as an ``(n, 7)`` array of ``(a, a_start, a_end, b, b_start, b_end, words)``, ``a``
    and ``b`` paragraph ids (``batch.ids``): the rows :func:`syndetect.core.cluster.build_clusters_from_rows` reads."""
    rows = _verified(batch, params)
    if len(rows):
        assert batch.ids is not None
        ids = batch.ids
        rows = rows[:, [0, 2, 3, 1, 4, 5, 6]]
        rows[:, 0], rows[:, 3] = ids[rows[:, 0]], ids[rows[:, 3]]
    return rows


def _verified(batch: PairBatch, params: Params) -> np.ndarray:
    """``(a, b, a_start, a_end, b_start, b_end, words)`` of every verified span as an ``(n, 7)`` array,
    ``a``/``b`` positions in the batch, character offsets (:func:`~syndetect.core.verify.align_many`
    over the texts' tokens, token offsets turned into character offsets)."""
    if len(batch.pairs) == 0:
        return np.empty((0, 7), dtype=np.int64)
    columns = token_columns(batch.texts, params.shingle_size)
    if columns is not None:  # compiled: tokens as ids of the token table, no Python per token
        spans = align_columns(columns, batch.pairs, params)
        starts, ends, base = columns.starts, columns.ends, columns.offsets
    else:
        arrays = [token_arrays(t) for t in batch.texts]
        spans = align_many([ta.tokens for ta in arrays], batch.pairs, params, hashes=[ta.hashes for ta in arrays])
        base = np.zeros(len(arrays) + 1, dtype=np.int64)
        np.cumsum([len(ta.tokens) for ta in arrays], out=base[1:])
        starts = np.concatenate([ta.starts for ta in arrays]) if arrays else np.empty(0, np.int64)
        ends = np.concatenate([ta.ends for ta in arrays]) if arrays else np.empty(0, np.int64)
    out = np.empty((len(spans), 7), dtype=np.int64)
    if len(spans) == 0:
        return out
    pairs = np.asarray(batch.pairs, dtype=np.int64)[spans[:, 0]]
    a, b = pairs[:, 0], pairs[:, 1]
    out[:, 0], out[:, 1] = a, b
    out[:, 2] = starts[base[a] + spans[:, 1]]
    out[:, 3] = ends[base[a] + spans[:, 2] - 1]
    out[:, 4] = starts[base[b] + spans[:, 3]]
    out[:, 5] = ends[base[b] + spans[:, 4] - 1]
    out[:, 6] = spans[:, 5]
    return out


def match_row(m: Match) -> tuple:
    """A match as a plain tuple (an order of magnitude cheaper to send between processes)."""
    return (m.a_doc, m.a_paragraph, m.a_start, m.a_end, m.b_doc, m.b_paragraph, m.b_start, m.b_end, m.words)


def exact_repeats(
    paragraphs: Sequence[Paragraph], ids: Sequence[int], params: Params
) -> tuple[list[int], list[Match]]:
    """Group paragraphs with identical text (verbatim reprints).

    Returns the ids of one paragraph per distinct text (in order), which go
    on to candidate search, and the matches that link every other copy to
    that one: a whole-paragraph span, verified by equality, without any
    alignment. Copies inside one document are not reuse across documents.
    """
    reps, rows = exact_repeat_rows(paragraphs, ids, params)
    matches = []
    for r, s, e, i, _, _, words in rows.tolist():
        rp, cp = paragraphs[r], paragraphs[i]
        matches.append(Match(rp.doc, rp.index, s, e, cp.doc, cp.index, s, e, words))
    return reps, matches


def exact_repeat_rows(
    paragraphs: Sequence[Paragraph], ids: Sequence[int], params: Params
) -> tuple[list[int], np.ndarray]:
    """:func:`exact_repeats` with the matches as :func:`verify_rows` rows (paragraph ids)."""
    first: dict[str, int] = {}
    reps: list[int] = []
    rows: list[tuple[int, ...]] = []
    spans_of: dict[int, list[tuple[int, int]]] = {}
    for i in ids:
        text = paragraphs[i].text
        r = first.get(text)
        if r is None:
            first[text] = i
            reps.append(i)
            continue
        if paragraphs[r].doc == paragraphs[i].doc:
            continue
        spans = spans_of.get(r)
        if spans is None:
            spans = spans_of[r] = token_spans(text)[1]
        if len(spans) < params.min_span_words:
            continue
        s, e = spans[0][0], spans[-1][1]
        rows.append((r, s, e, i, s, e, len(spans)))
    return reps, np.array(rows, dtype=np.int64).reshape(-1, 7)


# ---------------------------------------------------------------------------
# The forms executors call: fn(context, task)
# ---------------------------------------------------------------------------
def map_task(params: Params, task: tuple[Sequence[str], Sequence[int]]) -> UnitBatch:
    """:func:`map_units` over ``(texts, paragraph ids)``."""
    texts, ids = task
    return map_units(texts, ids, params)


def verify_task(params: Params, batch: PairBatch) -> list[tuple]:
    """:func:`verify_pairs`, the matches as :func:`match_row` tuples."""
    return [match_row(m) for m in verify_pairs(batch, params)]


def verify_rows_task(params: Params, batch: PairBatch) -> np.ndarray:
    """:func:`verify_rows` (what the scan runs: a compact array to send back)."""
    return verify_rows(batch, params)
