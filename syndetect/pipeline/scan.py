"""The scan: documents -> paragraphs -> units -> signatures -> LSH candidates
-> verified matches -> clusters -> boilerplate and provenance -> report.

Each heavy stage is a pure function over a batch:

* :func:`map_units` (paragraph texts -> unit owners, content keys, band keys),
* :func:`group_candidates` (band keys -> candidate paragraph pairs; a group-by),
* :func:`verify_pairs` (paragraph pairs -> :class:`~syndetect.model.Match`),

so the same code can run on a distributed engine. Locally, the map and
verify stages run in a fork-based process pool (``workers``).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from typing import Callable, Iterable, Sequence

import numpy as np

from syndetect import __version__
from syndetect.core.candidates import bucket_pairs, unique_cross_doc
from syndetect.core.cluster import build_clusters, pair_summaries, reused_fractions
from syndetect.config import Params
from syndetect.core.minhash import band_keys, shingle_hashes, signatures, token_hashes, unit_content_keys
from syndetect.model import BoilerplateFlag, Document, DocumentSummary, Match, Paragraph, Report, Skipped
from syndetect.core.text import segment_hashes, split_paragraphs, token_spans, units_from_cuts
from syndetect.core.verify import Prepared, align, prepare

__all__ = [
    "scan", "map_units", "group_candidates", "verify_pairs", "exact_repeats", "paragraphs_of", "UnitBatch", "Progress",
]

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: called as a stage advances."""


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
    """Map stage: units, their content keys and LSH band keys for a batch of paragraphs."""
    k = params.shingle_size
    bands, rows = params.banding
    all_hashes: list[int] = []
    unit_owner: list[int] = []
    unit_start: list[int] = []  # token offsets into the batch's concatenated token hashes
    unit_end: list[int] = []
    for pid, text in zip(ids, texts):
        hashes, sentence_cuts, quote_cuts = segment_hashes(text)
        n = len(hashes)
        if n < params.min_span_words:  # too short to hold a reused span
            continue
        base = len(all_hashes)
        all_hashes.extend(hashes)
        for s, e in units_from_cuts(n, sentence_cuts, quote_cuts, min_unit=params.min_unit, max_unit=params.max_unit):
            unit_owner.append(pid)
            unit_start.append(base + s)
            unit_end.append(base + e)
    empty64 = np.empty(0, dtype=np.uint64)
    if not unit_owner:
        return UnitBatch(np.empty(0, np.int64), empty64, np.empty(0, np.int64), empty64, np.empty((0, bands), np.uint64))
    th = np.array(all_hashes, dtype=np.uint64)
    owners = np.asarray(unit_owner, dtype=np.int64)
    content = unit_content_keys(th, unit_start, unit_end)
    _, first = np.unique(content, return_index=True)
    first.sort()
    starts = np.asarray(unit_start, dtype=np.int64)[first]
    ends = np.asarray(unit_end, dtype=np.int64)[first]
    # Shingles of the whole batch at once; a unit of at least k tokens takes
    # the shingles that start inside it and end inside it.
    sh = shingle_hashes(th, k)
    counts = np.maximum(ends - starts - k + 1, 1)
    offsets = np.zeros(len(first) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    gather = np.repeat(starts - offsets[:-1], counts) + np.arange(offsets[-1])
    values = sh[np.minimum(gather, len(sh) - 1)]
    short = np.flatnonzero(ends - starts < k)
    for u in short.tolist():  # a unit shorter than a shingle is one short shingle
        values[offsets[u]] = shingle_hashes(th[starts[u] : ends[u]], k)[0]
    sig = signatures(values, offsets, params.num_perm, params.seed)
    return UnitBatch(owners, content, owners[first], content[first], band_keys(sig, bands, rows))


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
    rep_owners = np.concatenate([b.rep_owners for b in batches])
    rep_content = np.concatenate([b.rep_content for b in batches])
    keys = np.concatenate([b.keys for b in batches])
    _, first = np.unique(rep_content, return_index=True)
    first.sort()
    rep_owners, keys = rep_owners[first], keys[first]
    for band in range(keys.shape[1]):
        pieces.append(bucket_pairs(keys[:, band], rep_owners, params.max_bucket))
    return unique_cross_doc(pieces, owner_doc)


def verify_pairs(
    pairs: np.ndarray,
    paragraphs: Sequence[Paragraph],
    params: Params,
) -> list[Match]:
    """Verify stage: exact alignment of candidate paragraph pairs."""
    k = params.shingle_size
    cache: dict[int, tuple[Prepared, list[tuple[int, int]]]] = {}

    def prepared(pid: int) -> tuple[Prepared, list[tuple[int, int]]]:
        got = cache.get(pid)
        if got is None:
            if len(cache) > 8192:
                cache.clear()
            toks, spans = token_spans(paragraphs[pid].text)
            got = cache[pid] = (prepare(toks, k), spans)
        return got

    out: list[Match] = []
    for a_id, b_id in pairs.tolist():
        pa_, sa = prepared(a_id)
        pb_, sb = prepared(b_id)
        pa, pb = paragraphs[a_id], paragraphs[b_id]
        for span in align(pa_, pb_, params):
            out.append(
                Match(
                    pa.doc, pa.index, sa[span.a_start][0], sa[span.a_end - 1][1],
                    pb.doc, pb.index, sb[span.b_start][0], sb[span.b_end - 1][1],
                    span.words,
                )
            )
    return out


def exact_repeats(
    paragraphs: Sequence[Paragraph], ids: Sequence[int], params: Params
) -> tuple[list[int], list[Match]]:
    """Group paragraphs with identical text (verbatim reprints).

    Returns the ids of one paragraph per distinct text (in order), which go
    on to candidate search, and the matches that link every other copy to
    that one: a whole-paragraph span, verified by equality, without any
    alignment. Copies inside one document are not reuse across documents.
    """
    first: dict[str, int] = {}
    reps: list[int] = []
    matches: list[Match] = []
    spans_of: dict[int, list[tuple[int, int]]] = {}
    for i in ids:
        text = paragraphs[i].text
        r = first.get(text)
        if r is None:
            first[text] = i
            reps.append(i)
            continue
        rp, cp = paragraphs[r], paragraphs[i]
        if rp.doc == cp.doc:
            continue
        spans = spans_of.get(r)
        if spans is None:
            spans = spans_of[r] = token_spans(text)[1]
        if len(spans) < params.min_span_words:
            continue
        s, e = spans[0][0], spans[-1][1]
        matches.append(Match(rp.doc, rp.index, s, e, cp.doc, cp.index, s, e, len(spans)))
    return reps, matches


# ---------------------------------------------------------------------------
# Local parallel execution (fork: workers read the paragraphs without copies)
# ---------------------------------------------------------------------------
_SHARED: dict = {}
_HEAD = 400  # characters of a document kept after paragraph splitting


def _map_worker(args: tuple[int, int]) -> UnitBatch:
    lo, hi = args
    texts, ids, params = _SHARED["texts"], _SHARED["ids"], _SHARED["params"]
    return map_units(texts[lo:hi], ids[lo:hi], params)


def _boilerplate_worker(args: tuple[int, int]):
    lo, hi = args
    docs, spans, paragraphs = _SHARED["docs"], _SHARED["spans"], _SHARED["paragraphs"]
    items = [(docs[i], paragraphs[spans[i][0] : spans[i][1]]) for i in range(lo, hi)]
    flags, sites = _SHARED["detector"].detect_documents(items)
    # compact tuples (no paragraph text): cheap to send back to the parent
    return [(f.doc, f.paragraph, f.category, f.reason) for f in flags], sites


def _doc_spans(docs: Sequence[Document], para_doc: Sequence[int]) -> list[tuple[int, int]]:
    """For each document, the range of its paragraphs in the global list."""
    spans = [(0, 0)] * len(docs)
    start = 0
    for i in range(1, len(para_doc) + 1):
        if i == len(para_doc) or para_doc[i] != para_doc[start]:
            spans[para_doc[start]] = (start, i)
            start = i
    return spans


def _verify_worker(args: tuple[int, int]) -> list[tuple]:
    lo, hi = args
    # plain tuples: an order of magnitude cheaper to send back than dataclasses
    return [astuple_match(m) for m in verify_pairs(_SHARED["pairs"][lo:hi], _SHARED["paragraphs"], _SHARED["params"])]


def astuple_match(m: Match) -> tuple:
    return (m.a_doc, m.a_paragraph, m.a_start, m.a_end, m.b_doc, m.b_paragraph, m.b_start, m.b_end, m.words)


def _chunks(n: int, size: int) -> list[tuple[int, int]]:
    return [(i, min(i + size, n)) for i in range(0, n, size)]


def _run(fn, tasks, workers: int, progress: Progress | None, stage: str, total: int):
    """Run ``fn`` over ``tasks``; with ``workers > 1`` in a pool forked now, so
    the workers see the current ``_SHARED`` state without copying it."""
    done = 0
    results = []
    pool = None
    if workers > 1 and len(tasks) > 1:
        pool = ProcessPoolExecutor(min(workers, len(tasks)), mp_context=multiprocessing.get_context("fork"))
    try:
        it = pool.map(fn, tasks) if pool is not None else map(fn, tasks)
        for (lo, hi), res in zip(tasks, it):
            results.append(res)
            done += hi - lo
            if progress:
                progress(stage, done, total)
    finally:
        if pool is not None:
            pool.shutdown()
    return results


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - non-Linux
        return max(1, os.cpu_count() or 1)


def scan(
    documents: Iterable[Document | Skipped],
    params: Params | None = None,
    *,
    workers: int | None = None,
    progress: Progress | None = None,
    lexicon_paths: Sequence[str] = (),
) -> Report:
    """Scan a corpus and return a :class:`~syndetect.model.Report`.

    ``documents`` may include :class:`~syndetect.model.Skipped` items (from
    :func:`syndetect.readers.inputs.read_inputs`); they are listed in the report.
    """
    params = params or Params()
    # The scan builds millions of long-lived, acyclic objects: the cyclic
    # garbage collector would traverse them again and again (cost growing
    # with corpus size). Pause it, and freeze what exists so forked workers
    # do not copy pages just to update collector bookkeeping.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _scan(documents, params, workers=workers, progress=progress, lexicon_paths=lexicon_paths)
    finally:
        gc.unfreeze()
        if gc_was_enabled:
            gc.enable()


def _scan(documents, params: Params, *, workers, progress, lexicon_paths) -> Report:
    from syndetect.rules.boilerplate import Boilerplate, outlet_of
    from syndetect.provenance.inference import infer_provenance

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    docs: list[Document] = []
    skipped: list[Skipped] = []
    for item in documents:
        (skipped if isinstance(item, Skipped) else docs).append(item)
    docs.sort(key=lambda d: d.id)
    paragraphs: list[Paragraph] = []
    para_doc: list[int] = []
    for di, doc in enumerate(docs):
        for p in paragraphs_of(doc):
            paragraphs.append(p)
            para_doc.append(di)
    owner_doc = np.asarray(para_doc, dtype=np.int64)
    gc.freeze()
    timings["parse"] = time.perf_counter() - t0

    workers = default_workers() if workers is None else max(1, workers)
    if len(paragraphs) < 2000:
        workers = 1

    t = time.perf_counter()
    detector = Boilerplate.load(lexicon_paths)
    _SHARED.update(detector=detector, docs=docs, spans=_doc_spans(docs, para_doc), paragraphs=paragraphs)
    try:
        per_doc = _run(_boilerplate_worker, _chunks(len(docs), max(64, len(docs) // (workers * 4) + 1)),
                       workers, progress, "boilerplate", len(docs))
    finally:
        _SHARED.clear()
    first_par = {}
    for i, p in enumerate(paragraphs):
        first_par.setdefault(p.doc, i)
    flags = detector.finish(
        docs,
        paragraphs,
        [BoilerplateFlag(d, n, paragraphs[first_par[d] + n - 1].text, c, r) for fl, _ in per_doc for d, n, c, r in fl],
        {k: v for _, sites in per_doc for k, v in sites.items()},
    )
    flagged = {(f.doc, f.paragraph) for f in flags}
    content_ids = [i for i, p in enumerate(paragraphs) if (p.doc, p.index) not in flagged]
    # From here on the paragraphs hold the text: keep only each document's
    # head (for datelines), so the corpus is not held in memory twice.
    docs = [replace(d, text=d.text[:_HEAD]) if len(d.text) > _HEAD else d for d in docs]
    timings["boilerplate"] = time.perf_counter() - t

    t = time.perf_counter()
    reps, exact = exact_repeats(paragraphs, content_ids, params)
    timings["exact-repeats"] = time.perf_counter() - t
    try:
        _SHARED.update(texts=[paragraphs[i].text for i in reps], ids=reps, params=params, paragraphs=paragraphs)
        t = time.perf_counter()
        n = len(reps)
        tasks = _chunks(n, max(256, min(20000, n // (workers * 4) + 1)))
        batches = _run(_map_worker, tasks, workers, progress, "signatures", n)
        timings["shingle+signatures"] = time.perf_counter() - t

        t = time.perf_counter()
        pairs = group_candidates(batches, owner_doc, params)
        del batches
        timings["lsh"] = time.perf_counter() - t

        t = time.perf_counter()
        _SHARED["pairs"] = pairs
        tasks = _chunks(len(pairs), max(500, min(20000, len(pairs) // (workers * 4) + 1)))
        matches = [Match(*m) for chunk in _run(_verify_worker, tasks, workers, progress, "verify", len(pairs)) for m in chunk]
        matches.extend(exact)
        timings["verify"] = time.perf_counter() - t
    finally:
        _SHARED.clear()

    t = time.perf_counter()
    text_of = {(p.doc, p.index): p.text for p in paragraphs}
    clusters = build_clusters(matches, text_of)
    timings["cluster"] = time.perf_counter() - t

    t = time.perf_counter()
    flags, clusters = detector.refine(docs, paragraphs, flags, clusters)
    flagged = {(f.doc, f.paragraph) for f in flags}
    content_chars: dict[str, int] = {d.id: 0 for d in docs}
    for p in paragraphs:
        if (p.doc, p.index) not in flagged:
            content_chars[p.doc] += len(p.text)
    timings["boilerplate"] += time.perf_counter() - t

    t = time.perf_counter()
    edges, clusters = infer_provenance(docs, paragraphs, clusters, flags, detector.site_names)
    timings["provenance"] = time.perf_counter() - t

    fractions = reused_fractions(clusters, content_chars)
    pairs_summary = pair_summaries(clusters, content_chars)
    n_pars: dict[str, int] = {}
    n_flags: dict[str, int] = {}
    for p in paragraphs:
        n_pars[p.doc] = n_pars.get(p.doc, 0) + 1
    for f in flags:
        n_flags[f.doc] = n_flags.get(f.doc, 0) + 1
    upstream: dict[str, list[str]] = {}
    for e in edges:
        if e.basis != "unknown-direction":
            upstream.setdefault(e.copy, []).append(e.source)
    summaries = tuple(
        DocumentSummary(
            id=d.id,
            source=d.source,
            title=d.title,
            outlet=outlet_of(d, detector.site_names),
            published=d.published,
            paragraphs=n_pars.get(d.id, 0),
            reused_fraction=fractions.get(d.id, 0.0),
            boilerplate=n_flags.get(d.id, 0),
            upstream=tuple(sorted(set(upstream.get(d.id, ())))),
        )
        for d in docs
    )
    timings["total"] = time.perf_counter() - t0
    return Report(
        version=__version__,
        parameters=params.to_dict(),
        documents=summaries,
        clusters=tuple(clusters),
        pairs=tuple(pairs_summary),
        boilerplate=tuple(sorted(flags, key=lambda f: (f.doc, f.paragraph))),
        provenance=tuple(edges),
        skipped=tuple(skipped),
        timings=timings,
        contexts={(m.doc, m.paragraph): text_of[(m.doc, m.paragraph)] for c in clusters for m in c.members},
    )
