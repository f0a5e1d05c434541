"""The one place a distributed engine calls the pipeline's stage functions.

The Spark engine (:mod:`syndetect.engines.spark`) moves data between
machines; everything it does *to* the data is a call into this module, and
this module only calls the functions the local scan runs
(:mod:`syndetect.pipeline.stages`, :mod:`syndetect.pipeline.rules`,
:mod:`syndetect.pipeline.scan`, :mod:`syndetect.core`,
:mod:`syndetect.provenance.inference`).
When the local pipeline's stage functions move or change shape, this is
the file that follows them.

Each function takes one partition's (or one group's) records and returns
plain, picklable Python objects or numpy arrays. Paragraph ids are
``rank << PID_SHIFT | index``: ``rank`` is the document's place in id order,
``index`` the paragraph's 1-based index, so ids sort exactly as the local
scan's global paragraph numbers do (same stars in large buckets, same side
``a`` of a match) and the document of a paragraph is ``pid >> PID_SHIFT``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import cast

import numpy as np

from syndetect.config import Params
from syndetect.core.candidates import bucket_pairs
from syndetect.core.cluster import build_clusters, cluster_order
from syndetect.model import BoilerplateFlag, Cluster, Document, Match, Paragraph, ProvenanceEdge, Skipped
from syndetect.pipeline import rules
from syndetect.pipeline.rules import Boilerplate
from syndetect.pipeline.scan import summarize
from syndetect.pipeline.stages import exact_repeats, map_units, pair_batch, paragraphs_of, verify_pairs
from syndetect.provenance.inference import infer_provenance
from syndetect.readers import ReaderOptions, read_inputs
from syndetect.readers.records import record_to_document as _record_to_document

__all__ = [
    "PID_SHIFT", "DocRec", "load_detector", "read_local", "record_to_document", "read_file",
    "detect_documents", "outlet_key", "finish_outlet", "content_paragraphs", "exact_stage", "units_stage",
    "bucket_stage", "cross_doc", "verify_stage", "cluster_stage",
    "cluster_order", "refine_stage", "provenance_stage",
]

PID_SHIFT = 24  # up to 16.7M paragraphs per document, 2**39 documents

# A document with what the per-document stages learned: (rank, doc, flags, site name or None)
DocRec = tuple[int, Document, tuple[BoilerplateFlag, ...], "str | None"]


# --- inputs -------------------------------------------------------------------
def load_detector(lexicon_paths: Sequence[str] = ()) -> Boilerplate:
    """The boilerplate detector (built-in lexicon plus the user's files), built on the driver."""
    return rules.load_rules(lexicon_paths)


def read_local(paths: Sequence[str], options: ReaderOptions | None = None) -> Iterable[Document | Skipped]:
    """The local engine's reader (files, directories, ``-``)."""
    return read_inputs(paths, options=options)


def record_to_document(obj: dict, source: str, line: int, options: ReaderOptions | None = None) -> Document | Skipped:
    """One record (a DataFrame row as a dict) checked as a JSONL line is."""
    return _record_to_document(obj, source, line, options or ReaderOptions(), str(line))


def read_file(local_path: str, options: ReaderOptions | None = None) -> Iterable[Document | Skipped]:
    """Documents of one file, parsed by the local engine's reader."""
    return read_inputs([local_path], options=options)


# --- boilerplate, per document and per outlet -----------------------------------
def detect_documents(detector: Boilerplate, ranked: Iterable[tuple[Document, int]]) -> list[DocRec]:
    """Per-document boilerplate rules (lexicon, shape) over one partition."""
    items = [(doc, rank, paragraphs_of(doc)) for doc, rank in ranked]
    flags, sites = rules.detect_documents(detector, [(doc, pars) for doc, _, pars in items])
    by_doc: dict[str, list[BoilerplateFlag]] = {}
    for f in flags:
        by_doc.setdefault(f.doc, []).append(f)
    return [
        (rank, doc, tuple(sorted(by_doc.get(doc.id, ()), key=lambda f: f.paragraph)), sites.get(doc.id))
        for doc, rank, _ in items
    ]


def outlet_key(rec: DocRec) -> str | None:
    """The outlet the same-outlet repetition rule groups a document by."""
    _, doc, _, site = rec
    return rules.outlet_of(doc, {doc.id: site} if site else None)


def finish_outlet(detector: Boilerplate, recs: Iterable[DocRec]) -> list[DocRec]:
    """The same-outlet repetition rule over all documents of one outlet.

    The rule only ever compares documents of one outlet, so running it per
    outlet gives the flags the whole-corpus pass gives.
    """
    recs = sorted(recs, key=lambda r: r[0])
    docs = [r[1] for r in recs]
    paragraphs = [p for d in docs for p in paragraphs_of(d)]
    sites = {r[1].id: r[3] for r in recs if r[3]}
    flags = rules.finish(detector, docs, paragraphs, [f for r in recs for f in r[2]], sites)
    by_doc: dict[str, list[BoilerplateFlag]] = {}
    for f in flags:
        by_doc.setdefault(f.doc, []).append(f)
    return [(rank, doc, tuple(by_doc.get(doc.id, ())), site) for rank, doc, _, site in recs]


def content_paragraphs(rec: DocRec) -> list[tuple[int, Paragraph]]:
    """``(pid, paragraph)`` for the paragraphs no boilerplate rule flagged."""
    rank, doc, flags, _ = rec
    flagged = {f.paragraph for f in flags}
    return [((rank << PID_SHIFT) | p.index, p) for p in paragraphs_of(doc) if p.index not in flagged]


# --- candidates -------------------------------------------------------------------
def exact_stage(
    params: Params, items: Iterable[tuple[int, Paragraph]]
) -> tuple[list[tuple[int, Paragraph]], list[tuple[int, int, Match]]]:
    """Verbatim repeats among paragraphs that all identical copies share a
    partition with: the representatives, and ``(a pid, b pid, match)``."""
    by_pid = dict(items)
    ids = sorted(by_pid)
    reps, matches = exact_repeats(cast(Sequence[Paragraph], by_pid), ids, params)  # indexed by pid
    return [(i, by_pid[i]) for i in reps], _with_pids(matches, by_pid)


def _with_pids(matches: list[Match], by_pid: dict[int, Paragraph]) -> list[tuple[int, int, Match]]:
    pid_of = {(p.doc, p.index): pid for pid, p in by_pid.items()}
    return [(pid_of[(m.a_doc, m.a_paragraph)], pid_of[(m.b_doc, m.b_paragraph)], m) for m in matches]


def units_stage(params: Params, items: Iterable[tuple[int, Paragraph]]):
    """Units, content keys and LSH band keys of one partition's paragraphs (a UnitBatch)."""
    items = sorted(items, key=lambda kv: kv[0])
    return map_units([p.text for _, p in items], [pid for pid, _ in items], params)


def bucket_stage(keys: np.ndarray, owners: np.ndarray, max_bucket: int) -> np.ndarray:
    """Candidate pairs of the buckets whose every member is in ``keys``/``owners``."""
    return bucket_pairs(keys, owners, max_bucket)


def cross_doc(pairs: np.ndarray) -> np.ndarray:
    """The pairs whose paragraphs are in different documents."""
    return pairs[(pairs[:, 0] >> PID_SHIFT) != (pairs[:, 1] >> PID_SHIFT)]


def verify_stage(params: Params, rows: Iterable[tuple[int, int, Paragraph, Paragraph]]) -> list[tuple[int, int, Match]]:
    """Exact verification of candidate pairs that carry their paragraphs:
    ``(a pid, b pid, match)``."""
    by_pid: dict[int, Paragraph] = {}
    pairs = []
    for a, b, pa, pb in rows:
        by_pid[a] = pa
        by_pid[b] = pb
        pairs.append((a, b))
    if not pairs:
        return []
    pairs.sort()
    batch = pair_batch(np.asarray(pairs, dtype=np.int64), cast(Sequence[Paragraph], by_pid))  # indexed by pid
    matches = verify_pairs(batch, params)
    return _with_pids(matches, by_pid)


# --- clusters ------------------------------------------------------------------------
def cluster_stage(matches: Iterable[Match], paragraphs: dict[int, Paragraph]) -> list[tuple[Cluster, tuple[int, ...]]]:
    """The clusters of one connected component of paragraphs (linked by
    matches), with the ranks of their documents; ids are assigned later.

    Every cluster lies inside one such component (its spans are joined by
    matches, and overlapping spans share a paragraph), so clustering each
    component alone gives the clusters of the whole corpus.
    """
    texts = {(p.doc, p.index): p.text for p in paragraphs.values()}
    rank_of = {p.doc: pid >> PID_SHIFT for pid, p in paragraphs.items()}
    return [(c, tuple(sorted({rank_of[d] for d in c.docs}))) for c in build_clusters(list(matches), texts)]


# --- after clustering: per connected group of documents and clusters --------------
def _docs_and_paragraphs(recs: Sequence[DocRec]):
    recs = sorted(recs, key=lambda r: r[0])
    docs = [r[1] for r in recs]
    paragraphs = [p for d in docs for p in paragraphs_of(d)]
    flags = sorted((f for r in recs for f in r[2]), key=lambda f: (f.doc, f.paragraph))
    sites = {r[1].id: r[3] for r in recs if r[3]}
    return docs, paragraphs, flags, sites


def refine_stage(
    detector: Boilerplate, recs: Sequence[DocRec], clusters: Sequence[tuple[int, Cluster]]
) -> tuple[list[DocRec], list[tuple[int, Cluster]]]:
    """Cross-document repetition over one group of documents and the clusters
    they are in (every cluster of those documents, in global order).

    Returns the documents with their final flags and the clusters that stay,
    each with its global order number (ids are given afterwards).
    """
    docs, paragraphs, flags, sites = _docs_and_paragraphs(recs)
    detector.site_names = sites  # what `finish` left there in the local scan, for these documents
    ordered = sorted(clusters, key=lambda oc: oc[0])
    new_flags, kept = rules.refine(detector, docs, paragraphs, flags, [c for _, c in ordered])
    # refine keeps the order of the clusters it was given, and gives them
    # ids in that order: map them back to the global order numbers
    # (kept is a subsequence of the input: members dropped, fingerprint kept)
    surviving = []
    pos = 0
    for c in kept:
        while True:
            o, original = ordered[pos]
            pos += 1
            if original.fingerprint == c.fingerprint and _same_place(original, c):
                break
        surviving.append((o, c))
    by_doc: dict[str, list[BoilerplateFlag]] = {}
    for f in new_flags:
        by_doc.setdefault(f.doc, []).append(f)
    out = [(r[0], r[1], tuple(by_doc.get(r[1].id, ())), r[3]) for r in sorted(recs, key=lambda r: r[0])]
    return out, surviving


def _same_place(original: Cluster, kept: Cluster) -> bool:
    """``kept`` is ``original`` with some members dropped."""
    keys = {(m.doc, m.paragraph, m.start) for m in original.members}
    return all((m.doc, m.paragraph, m.start) in keys for m in kept.members)


def provenance_stage(
    detector: Boilerplate, params: Params, recs: Sequence[DocRec], clusters: Sequence[Cluster]
) -> tuple[list[ProvenanceEdge], list[Cluster], list, list, dict]:
    """Provenance, document and pair summaries over one group of documents
    and the clusters they are in (with their final ids, in id order).

    Also returns the texts of the paragraphs that hold cluster members.
    """
    docs, paragraphs, flags, sites = _docs_and_paragraphs(recs)
    edges, clusters = infer_provenance(docs, paragraphs, clusters, flags, sites, detector=detector)
    summaries, pairs = summarize(docs, paragraphs, flags, clusters, edges, sites, params)
    text_of = {(p.doc, p.index): p.text for p in paragraphs}
    contexts = {(m.doc, m.paragraph): text_of[(m.doc, m.paragraph)] for c in clusters for m in c.members}
    return edges, list(clusters), list(summaries), pairs, contexts
