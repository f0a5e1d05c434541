"""The scan: documents -> paragraphs -> boilerplate -> units -> LSH candidates
-> verified matches -> clusters -> boilerplate and provenance -> report.

This module only orchestrates: the stages are pure functions in
:mod:`syndetect.pipeline.stages`, run over batches by an
:class:`~syndetect.pipeline.executors.Executor` (serial, or a local process
pool under any start method); the boilerplate rules are reached through
:mod:`syndetect.pipeline.rules`.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import fields
from operator import attrgetter
from typing import NamedTuple, TypeVar

import numpy as np

from syndetect import __version__
from syndetect.config import Params
from syndetect.core.candidates import by_component
from syndetect.core.cluster import build_clusters_from_rows, pair_summaries, reused_fractions
from syndetect.core.measures import content_chars
from syndetect.model import (
    BoilerplateFlag,
    Cluster,
    Document,
    DocumentSummary,
    PairSummary,
    Paragraph,
    ProvenanceEdge,
    Report,
    Skipped,
)
from syndetect.pipeline import rules
from syndetect.pipeline.executors import (
    Executor,
    ProcessExecutor,
    SerialExecutor,
    chunk_size,
    chunks,
    collector_paused,
    default_workers,
    make_executor,
    release_memory,
)
from syndetect.pipeline.stages import (
    exact_repeat_rows,
    group_candidates,
    map_task,
    pair_batch,
    paragraphs_of,
    verify_rows_task,
)

__all__ = ["scan", "split_documents", "candidate_clusters", "Candidates", "paragraphs_of", "summarize", "Progress"]

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: called as a stage advances."""

_HEAD = 400  # characters of a document kept after paragraph splitting
_PARALLEL_MIN = 2000  # paragraphs: a smaller corpus is scanned in this process
_EARLY_POOL_CHARS = 1 << 20  # characters read after which the worker processes are started (see _scan)
T = TypeVar("T")


def _run(
    executor: Executor, fn: Callable, context: object, tasks: Iterable[T], sizes: Sequence[int],
    progress: Progress | None, stage: str,
) -> Iterator:
    """The results of ``fn(context, task)`` in order, reporting progress by task size."""
    total = sum(sizes)
    done = 0
    for size, result in zip(sizes, executor.map(fn, context, tasks)):
        done += size
        if progress:
            progress(stage, done, total)
        yield result


def scan(
    documents: Iterable[Document | Skipped],
    params: Params | None = None,
    *,
    workers: int | None = None,
    progress: Progress | None = None,
    lexicon_paths: Sequence[str] = (),
    executor: Executor | None = None,
) -> Report:
    """Scan a corpus and return a :class:`~syndetect.model.Report`.

    ``documents`` may include :class:`~syndetect.model.Skipped` items (from
    :func:`syndetect.readers.inputs.read_inputs`); they are listed in the report.
    ``executor`` runs the batch stages (default: ``workers`` local processes,
    or this process for a small corpus); the report is the same whichever runs them.
    """
    params = params or Params()
    # The scan builds millions of long-lived, acyclic objects: the cyclic
    # collector is paused, and the parsed corpus frozen so that forked
    # workers do not copy pages just to update collector bookkeeping.
    with collector_paused(freeze=True):
        return _scan(documents, params, workers=workers, progress=progress, lexicon_paths=lexicon_paths,
                     executor=executor)


def _scan(documents, params: Params, *, workers, progress, lexicon_paths, executor) -> Report:
    from syndetect.provenance.inference import infer_provenance

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    docs: list[Document] = []
    skipped: list[Skipped] = []
    owned = executor is None
    n_workers = (default_workers() if workers is None else max(1, workers)) if owned else 1
    pool: Executor | None = None
    try:
        seen = 0  # characters read, a cheap stand-in for paragraphs until the pool is started
        for item in documents:
            if isinstance(item, Skipped):
                skipped.append(item)
                continue
            docs.append(item)
            seen += len(item.text)
            if pool is None and n_workers > 1 and seen >= _EARLY_POOL_CHARS:
                # Start the worker processes now, while this process holds only the first
                # documents: forked later they would share (and keep alive) the whole corpus.
                pool = make_executor(n_workers)
                if isinstance(pool, ProcessExecutor):
                    pool.start()
        docs.sort(key=lambda d: d.id)
        paragraphs, owner_doc, items = split_documents(docs)
        gc.freeze()
        timings["parse"] = time.perf_counter() - t0
        if owned:
            if len(paragraphs) >= _PARALLEL_MIN and n_workers > 1:
                executor = pool or make_executor(n_workers)
            else:
                executor = SerialExecutor()
                if pool is not None:
                    pool.close()
            pool = executor
        assert executor is not None
        return _stages(docs, skipped, paragraphs, owner_doc, items, params, executor, progress,
                       lexicon_paths, timings, t0, infer_provenance, owned)
    finally:
        if owned and pool is not None:
            pool.close()


def split_documents(docs: Sequence) -> tuple[list[Paragraph], np.ndarray, list[rules.DocumentParagraphs]]:
    """The parse stage over documents in their scan order: every paragraph, the index of its
    document for each (``owner_doc``), and each document with its paragraphs (the boilerplate
    stage's input)."""
    paragraphs: list[Paragraph] = []
    para_doc: list[int] = []
    items: list[rules.DocumentParagraphs] = []
    for di, doc in enumerate(docs):
        pars = paragraphs_of(doc)
        items.append(rules.DocumentParagraphs(doc, pars))
        paragraphs.extend(pars)
        para_doc.extend([di] * len(pars))
    return paragraphs, np.asarray(para_doc, dtype=np.int64), items


class Candidates(NamedTuple):
    """What :func:`candidate_clusters` found: the clusters, and how many candidate pairs and verified
    match rows led to them."""

    clusters: list
    pairs: int
    verified_rows: int


def candidate_clusters(
    paragraphs, content_ids: Sequence[int], owner_doc: np.ndarray, params: Params, executor: Executor, *,
    progress: Progress | None = None, timings: dict[str, float] | None = None,
    clock: Callable[[], float] = time.perf_counter, after_verify: Callable[[], None] | None = None,
) -> Candidates:
    """The candidate stages of a scan, from the content paragraphs (``content_ids``: what the
    boilerplate stage left) to clusters: exact repeats, shingles and signatures, LSH candidate pairs,
    verification, clustering. ``timings`` gets each stage's ``clock`` seconds; ``after_verify`` runs
    once the executor's last stage (verify) is done. The one wiring of these stages, used by
    :func:`scan` and by the benchmarks that time them alone."""
    timings = {} if timings is None else timings
    w = executor.workers
    t = clock()
    reps, exact = exact_repeat_rows(paragraphs, content_ids, params)
    timings["exact-repeats"] = clock() - t

    t = clock()
    ranges = chunks(len(reps), chunk_size(len(reps), w, 256, 20000))
    batches = list(_run(executor, map_task, params,
                        [([paragraphs[i].text for i in reps[lo:hi]], reps[lo:hi]) for lo, hi in ranges],
                        [hi - lo for lo, hi in ranges], progress, "signatures"))
    timings["shingle+signatures"] = clock() - t

    t = clock()
    pairs = by_component(group_candidates(batches, owner_doc, params))
    del batches
    timings["lsh"] = clock() - t

    t = clock()
    # up to 100k pairs a task: a family of versions cut into fewer tasks is tokenised fewer times
    ranges = chunks(len(pairs), chunk_size(len(pairs), w, 500, 100_000))
    tasks = (pair_batch(pairs[lo:hi], paragraphs) for lo, hi in ranges)
    # matches as (a, a_start, a_end, b, b_start, b_end, words) rows of paragraph ids
    matches = np.concatenate([*_run(executor, verify_rows_task, params, tasks, [hi - lo for lo, hi in ranges],
                                    progress, "verify"), exact])
    if after_verify is not None:  # e.g. release the workers' memory for the rest
        after_verify()
    timings["verify"] = clock() - t

    t = clock()
    clusters = build_clusters_from_rows(matches, paragraphs, owner_doc)
    timings["cluster"] = clock() - t
    return Candidates(clusters, len(pairs), len(matches))


def _stages(docs, skipped, paragraphs, owner_doc, items, params, executor, progress, lexicon_paths,
            timings, t0, infer_provenance, owned) -> Report:
    w = executor.workers
    t = time.perf_counter()
    detector = rules.load_rules(lexicon_paths)
    ranges = chunks(len(docs), chunk_size(len(docs), w, 64, len(docs)))
    per_doc = list(_run(executor, rules.detect_task, detector,
                        [items[lo:hi] for lo, hi in ranges],
                        [hi - lo for lo, hi in ranges], progress, "boilerplate"))
    text_of = {(p.doc, p.index): p.text for p in paragraphs}
    flags = rules.finish(
        detector, docs, paragraphs,
        rules.flags_from_rows([row for rows, _, _, _ in per_doc for row in rows], text_of),
        {k: v for _, sites, _, _ in per_doc for k, v in sites.items()},
        {k: v for _, _, spans, _ in per_doc for k, v in spans.items()},
        [k for _, _, _, keys in per_doc for k in keys],
    )
    before = [(row[0], row[1]) for rows, _, _, _ in per_doc for row in rows]
    del per_doc
    _tell_bodies(executor, detector, paragraphs, flags, before)
    flagged = {(f.doc, f.paragraph) for f in flags}
    content_ids = [i for i, p in enumerate(paragraphs) if (p.doc, p.index) not in flagged]
    # From here on the paragraphs hold the text: keep only each document's
    # head (for datelines), so the corpus is not held in memory twice.
    # (in place: the caller's lists must not keep the whole texts alive either)
    items.clear()
    docs[:] = [_head_of(d) if len(d.text) > _HEAD else d for d in docs]
    release_memory()
    timings["boilerplate"] = time.perf_counter() - t

    found = candidate_clusters(paragraphs, content_ids, owner_doc, params, executor, progress=progress, timings=timings,
                               after_verify=executor.close if owned else None)
    clusters = found.clusters

    t = time.perf_counter()
    flags, clusters = rules.refine(detector, docs, paragraphs, flags, clusters, text_of)
    timings["boilerplate"] += time.perf_counter() - t

    t = time.perf_counter()
    edges, clusters = infer_provenance(docs, paragraphs, clusters, flags, rules.site_names(detector), detector=detector,
                                       text_of=text_of)
    timings["provenance"] = time.perf_counter() - t

    summaries, pairs_summary = summarize(docs, paragraphs, flags, clusters, edges, rules.site_names(detector), params)
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


_DOC_FIELDS = tuple(f.name for f in fields(Document))
_DOC_VALUES = attrgetter(*_DOC_FIELDS)
_TEXT_AT = _DOC_FIELDS.index("text")


def _head_of(doc: Document) -> Document:
    """``replace(doc, text=doc.text[:_HEAD])``, without ``replace``'s per-call field walk."""
    values = list(_DOC_VALUES(doc))
    values[_TEXT_AT] = doc.text[:_HEAD]
    return Document(*values)


def _tell_bodies(executor: Executor, detector, paragraphs, flags, before) -> None:
    """The article bodies the corpus-wide rules changed (their new flags are skipped lines), told by the
    executor now rather than one by one in this process when refine and provenance ask for them."""
    tasks = rules.stale_bodies(detector, paragraphs, flags, before)
    if not tasks:
        return
    ranges = chunks(len(tasks), chunk_size(len(tasks), executor.workers, 64, 4096))
    for spans in _run(executor, rules.body_spans_task, detector.shape, [tasks[lo:hi] for lo, hi in ranges],
                      [hi - lo for lo, hi in ranges], None, "boilerplate"):
        rules.add_spans(detector, spans)


def summarize(
    docs: Sequence[Document],
    paragraphs: Sequence[Paragraph],
    flags: Sequence[BoilerplateFlag],
    clusters: Sequence[Cluster],
    edges: Sequence[ProvenanceEdge],
    site_names: dict[str, str],
    params: Params,
) -> tuple[tuple[DocumentSummary, ...], list[PairSummary]]:
    """Per-document and per-pair summaries of a finished scan.

    Exact over any subset of the documents that holds every document of each
    of its clusters and every edge whose copy is in the subset (the Spark
    engine runs it per connected group of documents).
    """
    flagged = {(f.doc, f.paragraph) for f in flags}
    content = {d.id: 0 for d in docs} | content_chars(paragraphs, flagged)
    fractions = reused_fractions(clusters, content)
    pairs_summary = pair_summaries(clusters, content, popular_docs=None if params.all_pairs else params.popular_docs)
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
            outlet=rules.outlet_of(d, site_names),
            published=d.published,
            paragraphs=n_pars.get(d.id, 0),
            reused_fraction=fractions.get(d.id, 0.0),
            boilerplate=n_flags.get(d.id, 0),
            upstream=tuple(sorted(set(upstream.get(d.id, ())))),
            url=d.url,
            content_chars=content.get(d.id, 0),
            date_source=d.date_source,
            crawled=d.crawled,
            encoding=d.encoding,
            meta=d.meta,
        )
        for d in docs
    )
    return summaries, pairs_summary
