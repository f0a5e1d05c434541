"""The scan on Apache Spark: the same stage functions, moved between machines by Spark.

``syndetect scan PATH... --engine spark`` and :func:`scan_dataframe` run:

1. **per document** (``mapPartitions``): paragraphs, the lexicon and shape
   boilerplate rules;
2. **per outlet** (shuffle by outlet): the same-outlet repetition rule;
3. **per identical text** (shuffle by a hash of the paragraph): verbatim
   repeats;
4. **per partition** (``mapPartitions``): units, MinHash signatures, LSH band
   keys (:func:`~syndetect.pipeline.scan.map_units`);
5. **per content key, then per band key** (two shuffles of numpy blocks):
   candidate pairs (:func:`~syndetect.core.candidates.bucket_pairs`, each
   bucket whole in one partition);
6. **per candidate pair** (two joins bring each pair its two paragraphs):
   exact verification (:func:`~syndetect.pipeline.scan.verify_pairs`);
7. **connected components** of the paragraphs linked by matches
   (large-star / small-star over RDDs; no edge list on the driver), then
   :func:`~syndetect.core.cluster.build_clusters` per component and one
   distributed sort for the cluster ids;
8. **per connected group of documents and clusters** (components again):
   the cross-document repetition rule, provenance, document and pair
   summaries.

Every call into the pipeline goes through :mod:`syndetect.engines.stages`.
The answer equals the local engine's (tested on the seeds and on a
generated corpus).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from typing import Any

import numpy as np
import xxhash

from syndetect import __version__
from syndetect.config import Params
from syndetect.engines import stages
from syndetect.errors import ParameterError, SyndetectError
from syndetect.model import Document, Report, Skipped

__all__ = [
    "spark_session", "scan_dataframe", "scan_paths", "scan_to_report", "SparkScan", "SparkUnavailable",
    "connected_components", "main",
]

_MIX = np.uint64(0x9E3779B97F4A7C15)
# the record kinds of SparkScan.results, by number
_KINDS = ("provenance", "clusters", "documents", "pairs", "contexts", "boilerplate")


class SparkUnavailable(SyndetectError):
    """pyspark is not installed (``pip install 'syndetect[spark]'``)."""


def _pyspark():
    try:
        import pyspark  # noqa: F401
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise SparkUnavailable("the Spark engine needs pyspark: pip install 'syndetect[spark]'") from exc
    return SparkSession


def spark_session(master: str | None = None, app_name: str = "syndetect", conf: dict | None = None):
    """A Spark session: the one ``spark-submit`` configured, else ``master``
    (default ``local[*]``, driver memory 2g)."""
    SparkSession = _pyspark()
    from pyspark import SparkConf

    builder = SparkSession.builder.appName(app_name)
    preset = SparkConf()
    if master:
        builder = builder.master(master)
    elif not preset.contains("spark.master"):
        builder = builder.master("local[*]")
    local = (master or preset.get("spark.master", "local[*]")).startswith("local")
    if local:
        # executors are this machine's Python: the same interpreter and package. PySpark starts the workers of
        # RDD functions with $PYSPARK_PYTHON (default: whatever `python3` is on PATH, which outside an activated
        # virtual environment lacks syndetect's dependencies); the conf alone does not reach them.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        builder = builder.config("spark.pyspark.python", os.environ["PYSPARK_PYTHON"])
        if not preset.contains("spark.driver.memory"):
            builder = builder.config("spark.driver.memory", "2g")
        if not preset.contains("spark.driver.maxResultSize"):  # the report is collected whole
            builder = builder.config("spark.driver.maxResultSize", "0")
    builder = builder.config("spark.ui.showConsoleProgress", "false")
    for k, v in (conf or {}).items():
        builder = builder.config(k, v)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


# ---------------------------------------------------------------------------
# Connected components: large-star / small-star (Kiveris et al., 2014)
# ---------------------------------------------------------------------------
def _large_star(kv):
    u, neighbours = kv
    nb = set(neighbours)
    m = min(nb | {u})
    changed = m != u
    return [((v, m), changed) for v in nb if v > u]


def _small_star(kv):
    u, smaller = kv
    nb = set(smaller)
    m = min(nb)
    changed = len(nb) > 1
    return [((v, m), changed) for v in nb | {u} if v != m]


def connected_components(edges, partitions: int, storage=None, held: list | None = None):
    """``(node, root)`` for every node of ``edges`` (an RDD of ``(u, v)``
    pairs of comparable, hashable nodes); ``root`` is the smallest node of
    the component. Rounds of large-star and small-star until neither changes
    an edge (O(log n) rounds); every round is two shuffles, nothing is
    collected on the driver. The last round's edges stay persisted (the
    result is computed from them): appended to ``held`` for the caller to
    unpersist."""
    from pyspark import StorageLevel

    storage = storage or StorageLevel.DISK_ONLY
    e = edges.filter(lambda uv: uv[0] != uv[1]).map(lambda uv: (max(uv), min(uv)))
    previous = None
    while True:
        large = (
            e.flatMap(lambda vm: (vm, (vm[1], vm[0])))
            .groupByKey(partitions)
            .flatMap(_large_star)
            .persist(storage)
        )
        small = large.keys().groupByKey(partitions).flatMap(_small_star).persist(storage)
        # one job: both stars run, and count the edges they changed
        changed = large.values().union(small.values()).filter(bool).count()
        if previous is not None:  # the round before's edges: computed into this round's
            previous.unpersist()
        large.unpersist()
        previous, e = small, small.keys()
        if changed == 0:
            break
    if held is not None:
        held.append(small)
    return e.flatMap(lambda vm: (vm, (vm[1], vm[1]))).reduceByKey(min, partitions)


# ---------------------------------------------------------------------------
# Candidate search on numpy blocks: each shuffle moves one array per
# (source partition, target partition), not one Python object per unit.
# ---------------------------------------------------------------------------
def _chunked(items, size: int) -> Iterator[list]:
    chunk: list = []
    for x in items:
        chunk.append(x)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


_MAP_CHUNK = 20000  # paragraphs per map_units call (the local engine's ceiling too)
_VERIFY_CHUNK = 20000  # candidate pairs per verify_pairs call


def _unit_blocks(params: Params, parts: int, items) -> Iterator[tuple[int, tuple]]:
    for chunk in _chunked(items, _MAP_CHUNK):
        yield from _unit_blocks_of(params, parts, stages.units_stage(params, chunk))


def _unit_blocks_of(params: Params, parts: int, batch) -> Iterator[tuple[int, tuple]]:
    if len(batch.owners) == 0:
        return
    target = (batch.content % np.uint64(parts)).astype(np.int64)
    rep_target = (batch.rep_content % np.uint64(parts)).astype(np.int64)
    for t in range(parts):
        sel = target == t
        rsel = rep_target == t
        if sel.any():
            yield t, ("u", batch.owners[sel], batch.content[sel])
        if rsel.any():
            yield t, ("r", batch.rep_owners[rsel], batch.rep_content[rsel], batch.keys[rsel])


def _content_groups(params: Params, parts: int, blocks) -> Iterator[tuple[int, tuple]]:
    """Every unit of one content key is here: identical-unit pairs, and the
    unit's representative (its smallest owner) with its band keys."""
    us: list[tuple] = []
    rs: list[tuple] = []
    for _, block in blocks:
        (us if block[0] == "u" else rs).append(block)
    if us:
        owners = np.concatenate([b[1] for b in us])
        content = np.concatenate([b[2] for b in us])
        yield -1, ("pairs", stages.bucket_stage(content, owners, params.max_bucket))
    if not rs:
        return
    rep_owners = np.concatenate([b[1] for b in rs])
    rep_content = np.concatenate([b[2] for b in rs])
    keys = np.concatenate([b[3] for b in rs])
    order = np.lexsort((rep_owners, rep_content))
    rep_content, rep_owners, keys = rep_content[order], rep_owners[order], keys[order]
    first = np.r_[True, rep_content[1:] != rep_content[:-1]]
    rep_owners, keys = rep_owners[first], keys[first]
    bands = keys.shape[1]
    for b in range(bands):
        k = keys[:, b]
        with np.errstate(over="ignore"):
            target = ((k ^ (np.uint64(b + 1) * _MIX)) % np.uint64(parts)).astype(np.int64)
        for t in np.unique(target).tolist():
            sel = target == t
            yield t, ("band", b, k[sel], rep_owners[sel])


def _band_groups(params: Params, blocks) -> Iterator[np.ndarray]:
    """Every unit of one (band, key) bucket is here: the bucket's pairs."""
    per_band: dict[int, list] = {}
    for _, (_, b, k, o) in blocks:
        per_band.setdefault(b, []).append((k, o))
    for b in sorted(per_band):
        got = per_band[b]
        yield stages.bucket_stage(np.concatenate([k for k, _ in got]), np.concatenate([o for _, o in got]),
                                  params.max_bucket)


def _pair_tuples(arr: np.ndarray) -> list[tuple[int, int]]:
    arr = stages.cross_doc(arr)
    return [(int(a), int(b)) for a, b in arr.tolist()]


# ---------------------------------------------------------------------------
# The scan
# ---------------------------------------------------------------------------
@dataclass
class SparkScan:
    """The result of a scan on Spark: RDDs of the report's records, as
    DataFrames (:meth:`tables`), one :class:`~syndetect.model.Report`
    (:meth:`to_report`, collected on the driver) or Parquet tables
    (:meth:`write_parquet`)."""

    spark: Any
    params: Params
    documents: Any  # RDD[DocumentSummary]
    clusters: Any  # RDD[Cluster]
    pairs: Any  # RDD[PairSummary]
    boilerplate: Any  # RDD[BoilerplateFlag]
    provenance: Any  # RDD[ProvenanceEdge]
    contexts: Any  # RDD[((doc, paragraph), text)]
    skipped: tuple[Skipped, ...] = ()
    timings: dict | None = None
    results: Any = None  # RDD[(kind, record)]: all of the above, kinds in the order of _KINDS

    def to_report(self) -> Report:
        """Everything collected into the report the local engine returns:
        one pass over the results, a partition at a time (the driver's JVM
        holds one partition of them, never the whole report)."""
        t = time.perf_counter()
        got: dict[int, list] = {k: [] for k in range(len(_KINDS))}
        if self.results is not None:
            for k, item in self.results.toLocalIterator():
                got[k].append(item)
        else:  # built by hand from the per-kind RDDs
            for k, name in enumerate(_KINDS):
                got[k] = getattr(self, name).collect()
        edges, clusters, docs, pairs, contexts, flags = (got[k] for k in range(len(_KINDS)))
        report = Report(
            version=__version__,
            parameters=self.params.to_dict(),
            documents=tuple(sorted(docs, key=lambda d: d.id)),
            clusters=tuple(sorted(clusters, key=lambda c: int(c.id[1:]))),
            pairs=tuple(sorted(pairs, key=lambda p: (p.a, p.b))),
            boilerplate=tuple(sorted(flags, key=lambda f: (f.doc, f.paragraph))),
            provenance=tuple(sorted(edges, key=lambda e: (e.copy, e.source, e.basis))),
            skipped=self.skipped,
            timings=dict(self.timings or {}),
            contexts=dict(contexts),
        )
        report.timings["collect"] = time.perf_counter() - t
        return report

    def tables(self) -> dict[str, Any]:
        """DataFrames: ``documents``, ``clusters``, ``members``, ``pairs``, ``boilerplate``, ``provenance``."""
        from pyspark.sql import types as T

        s = self.spark
        S, N, D = T.StringType(), T.LongType(), T.DoubleType()

        def schema(*cols):
            return T.StructType([T.StructField(n, t, True) for n, t in cols])

        docs = s.createDataFrame(
            self.documents.map(lambda d: (d.id, d.source, d.title, d.outlet, d.published, d.paragraphs,
                                          d.reused_fraction, d.boilerplate, list(d.upstream))),
            schema(("id", S), ("source", S), ("title", S), ("outlet", S), ("published", S), ("paragraphs", N),
                   ("reused_fraction", D), ("boilerplate_paragraphs", N), ("upstream", T.ArrayType(S))),
        )
        link = T.StructType([T.StructField("source", S), T.StructField("copy", S)])
        clusters = s.createDataFrame(
            self.clusters.map(lambda c: (c.id, int(c.id[1:]), c.fingerprint, c.words, len(c.docs), c.origin,
                                         [{"source": a, "copy": b} for a, b in c.chain])),
            schema(("id", S), ("order", N), ("fingerprint", S), ("words", N), ("documents", N), ("origin", S),
                   ("chain", T.ArrayType(link))),
        )
        members = s.createDataFrame(
            self.clusters.flatMap(lambda c: [(c.id, m.doc, m.paragraph, m.start, m.end, m.text) for m in c.members]),
            schema(("cluster", S), ("doc", S), ("paragraph", N), ("start", N), ("end", N), ("text", S)),
        )
        pairs = s.createDataFrame(
            self.pairs.map(lambda p: (p.a, p.b, p.clusters, p.a_paragraphs, p.b_paragraphs, p.a_fraction,
                                      p.b_fraction)),
            schema(("a", S), ("b", S), ("clusters", N), ("a_paragraphs", N), ("b_paragraphs", N),
                   ("a_reused_fraction", D), ("b_reused_fraction", D)),
        )
        boilerplate = s.createDataFrame(
            self.boilerplate.map(lambda f: (f.doc, f.paragraph, f.text, f.category, f.reason)),
            schema(("doc", S), ("paragraph", N), ("text", S), ("category", S), ("reason", S)),
        )
        provenance = s.createDataFrame(
            self.provenance.map(lambda e: (e.source, e.copy, e.basis, float(e.confidence), list(e.evidence),
                                           list(e.clusters))),
            schema(("source", S), ("copy", S), ("basis", S), ("confidence", D), ("evidence", T.ArrayType(S)),
                   ("clusters", T.ArrayType(S))),
        )
        return {"documents": docs, "clusters": clusters, "members": members, "pairs": pairs,
                "boilerplate": boilerplate, "provenance": provenance}

    def write_parquet(self, directory: str, mode: str = "overwrite") -> None:
        """One Parquet table per record kind under ``directory`` (any path Spark writes to)."""
        for name, df in self.tables().items():
            df.write.mode(mode).parquet(f"{directory.rstrip('/')}/{name}")


STORAGE_CONF = "spark.syndetect.storageLevel"


def storage_level(spark):
    """Where the scan keeps the RDDs it reads more than once: the session's
    conf ``spark.syndetect.storageLevel`` (a :class:`pyspark.StorageLevel`
    name; ``--conf`` of spark-submit, or ``spark.conf.set``), default ``DISK_ONLY``.

    Python RDD blocks are pickled bytes whatever the level; held in the JVM
    heap (``MEMORY_*``) they are stored in 1 MB chunks, which G1 allocates as
    humongous objects of two 1 MB regions each, so the memory store takes
    about twice the heap it accounts for. On disk they cost no heap (the
    operating system's page cache keeps them in memory while it can).
    """
    from pyspark import StorageLevel

    name = spark.conf.get(STORAGE_CONF, "DISK_ONLY")
    level = getattr(StorageLevel, name, None)
    if not isinstance(level, StorageLevel):
        raise ParameterError(f"{STORAGE_CONF}={name!r} is not a storage level (e.g. DISK_ONLY, MEMORY_AND_DISK)")
    return level


def _exact_records(params: Params, it) -> Iterator[tuple]:
    """:func:`stages.exact_stage` over one partition, as one record per
    representative (``(0, (pid, paragraph))``) and per match (``(1, (a, b, match))``):
    records stay the size of a paragraph, however many a partition holds."""
    reps, matches = stages.exact_stage(params, (kv for _, kv in it))
    for rep in reps:
        yield 0, rep
    for m in matches:
        yield 1, m


def _run(spark, docs, params: Params, detector, partitions: int, skipped: tuple = (), ranked=None) -> SparkScan:
    """The pipeline over an RDD of :class:`Document` (ids unique), or over
    ``ranked``, an RDD of ``(document, rank in id order)``.

    Every RDD read more than once is persisted at :func:`storage_level` and
    unpersisted once the results are computed; only the results stay."""
    store = storage_level(spark)
    held: list = []

    def keep(rdd):
        held.append(rdd)
        return rdd.persist(store)

    sc = spark.sparkContext
    P = max(1, int(partitions))
    det = sc.broadcast(detector)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()

    # 1-2. paragraphs and boilerplate: per document, then per outlet
    if ranked is None:
        ranked = docs.sortBy(lambda d: d.id, numPartitions=P).zipWithIndex()
    per_doc = ranked.mapPartitions(lambda it: stages.detect_documents(det.value, it))
    recs = keep(
        per_doc.map(lambda r: (stages.outlet_key(r) or ("", r[0] % P), r))
        .partitionBy(P)
        .mapPartitions(lambda it: stages.finish_outlet(det.value, (r for _, r in it)))
    )

    # 3. verbatim repeats: every copy of a text in one partition
    content = recs.flatMap(stages.content_paragraphs)
    exact = keep(
        content.map(lambda kv: (xxhash.xxh3_64_intdigest(kv[1].text.encode("utf-8", "surrogatepass")), kv))
        .partitionBy(P)
        .mapPartitions(lambda it: _exact_records(params, it))
    )
    reps = exact.filter(lambda x: x[0] == 0).values()  # (pid, paragraph)
    exact_matches = exact.filter(lambda x: x[0] == 1).values()

    # 4-5. units and band keys per partition; group by content key, then band key
    units = reps.mapPartitions(lambda it: _unit_blocks(params, P, it))
    grouped = keep(units.partitionBy(P, lambda t: t).mapPartitions(lambda it: _content_groups(params, P, it)))
    content_pairs = grouped.filter(lambda tb: tb[0] < 0).map(lambda tb: tb[1][1])
    band_pairs = (
        grouped.filter(lambda tb: tb[0] >= 0)
        .partitionBy(P, lambda t: t)
        .mapPartitions(lambda it: _band_groups(params, it))
    )
    pairs = content_pairs.union(band_pairs).flatMap(_pair_tuples).distinct(P)

    # 6. verification: each pair brings its two paragraphs
    with_a = pairs.join(reps, P)  # (a, (b, Pa))
    rows = with_a.map(lambda kv: (kv[1][0], (kv[0], kv[1][1]))).join(reps, P).map(
        lambda kv: (kv[1][0][0], kv[0], kv[1][0][1], kv[1][1])
    )
    matches = keep(  # (a pid, b pid, match)
        rows.mapPartitions(lambda it: (m for ch in _chunked(it, _VERIFY_CHUNK) for m in stages.verify_stage(params, ch)))
        .union(exact_matches)
    )

    # 7. clusters: connected components of paragraphs linked by matches,
    #    build_clusters per component, one distributed sort for the ids
    labels = connected_components(matches.map(lambda t: (t[0], t[1])), P, store, held)  # (pid, root)
    comp_matches = matches.map(lambda t: (t[0], t[2])).join(labels, P).map(lambda kv: (kv[1][1], kv[1][0]))
    comp_pars = labels.join(content, P).map(lambda kv: (kv[1][0], (kv[0], kv[1][1])))
    raw_clusters = comp_matches.cogroup(comp_pars, P).flatMap(
        lambda kv: stages.cluster_stage(kv[1][0], dict(kv[1][1]))
    )
    ordered = keep(
        raw_clusters.sortBy(lambda cr: stages.cluster_order(cr[0].members, cr[0].words), numPartitions=P)
        .zipWithIndex()
        .map(lambda cro: (cro[1], (replace(cro[0][0], id=f"C{cro[1] + 1}"), cro[0][1])))
    )

    # 8. groups of documents linked by clusters (components again: cluster o
    #    is node -o-1, a document its rank): cross-document repetition, then
    #    (with the final cluster ids) provenance and summaries
    glabels = keep(connected_components(ordered.flatMap(lambda ocr: [(-ocr[0] - 1, r) for r in ocr[1][1]]), P,
                                        store, held))
    cluster_group = glabels.filter(lambda nr: nr[0] < 0).map(lambda nr: (-nr[0] - 1, nr[1]))
    doc_group = glabels.filter(lambda nr: nr[0] >= 0)
    # one shuffle of the documents: each with its group, or alone (in no cluster)
    placed = keep(
        recs.map(lambda r: (r[0], r))
        .cogroup(doc_group, P)
        .map(lambda kv: (next(iter(kv[1][1]), None), next(iter(kv[1][0]))))
    )
    group_recs = placed.filter(lambda gr: gr[0] is not None)
    lone_recs = placed.filter(lambda gr: gr[0] is None).values()
    group_clusters = ordered.mapValues(lambda cr: cr[0]).join(cluster_group, P).map(
        lambda kv: (kv[1][1], (kv[0], kv[1][0]))
    )

    def refine_part(it):
        recs_, clusters_ = [], []
        for g, (rs, cs) in it:
            recs_.extend((g, r) for r in rs)
            clusters_.extend((g, oc) for oc in cs)
        if not recs_:
            return []
        group_of = {r[1].id: g for g, r in recs_}
        new_recs, kept = stages.refine_stage(det.value, [r for _, r in recs_], [oc for _, oc in clusters_])
        return [("r", group_of[r[1].id], r) for r in new_recs] + [
            ("c", group_of[c.members[0].doc], (o, c)) for o, c in kept
        ]

    refined = keep(group_recs.cogroup(group_clusters, P).mapPartitions(refine_part))
    final_group_recs = refined.filter(lambda x: x[0] == "r").map(lambda x: (x[1], x[2]))
    renumbered = (
        refined.filter(lambda x: x[0] == "c")
        .map(lambda x: (x[2][0], (x[1], x[2][1])))
        .sortByKey(numPartitions=P)
        .zipWithIndex()
        .map(lambda x: (x[0][1][0], replace(x[0][1][1], id=f"C{x[1] + 1}")))
    )

    def report_part(recs_, clusters_):
        edges, clusters, summaries, pair_rows, contexts = stages.provenance_stage(det.value, params, recs_, clusters_)
        flags = [f for r in recs_ for f in r[2]]
        for kind, items in enumerate((edges, clusters, summaries, pair_rows, contexts.items(), flags)):
            for item in items:
                yield kind, item

    def provenance_part(it):
        recs_, clusters_ = [], []
        for _, (rs, cs) in it:
            recs_.extend(rs)
            clusters_.extend(cs)
        if recs_:
            yield from report_part(recs_, sorted(clusters_, key=lambda c: int(c.id[1:])))

    prov = final_group_recs.cogroup(renumbered, P).mapPartitions(provenance_part)
    lone = lone_recs.mapPartitions(lambda it: report_part(list(it), []))
    # the report's records, one each: (kind, record), kinds as in _KINDS
    results = prov.union(lone).persist(store)
    n = results.count()  # runs the pipeline
    for rdd in held:  # everything but the results
        rdd.unpersist()
    timings["spark"] = time.perf_counter() - t0
    timings["records"] = float(n)

    def kind(k: int):
        return results.filter(lambda kr: kr[0] == k).values()

    return SparkScan(
        spark=spark,
        params=params,
        provenance=kind(0),
        clusters=kind(1),
        documents=kind(2),
        pairs=kind(3),
        contexts=kind(4),
        boilerplate=kind(5),
        skipped=tuple(skipped),
        timings=timings,
        results=results,
    )


# ---------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------
def _row_document(row: dict, source: str, line: int, options=None) -> Document | Skipped:
    return stages.record_to_document(row, row.get("source") or source, line, options)


def _documents_from_dataframe(df, source: str, options=None):
    cols = [c for c in df.columns if c in ("id", "text", "title", "outlet", "url", "published", "source")]
    if "id" not in cols or "text" not in cols:
        raise ParameterError(f"{source}: a documents DataFrame needs the columns 'id' and 'text' (has {', '.join(df.columns)})")
    rows = df.select(*cols).rdd.zipWithIndex()
    return rows.map(lambda ri: _row_document(ri[0].asDict(), source, ri[1] + 1, options))


def _parse_remote(path_bytes, options=None) -> list:
    """One file Spark read (``binaryFiles``): parsed by the local reader, sources named by the URI."""
    uri, data = path_bytes
    name = PurePosixPath(uri.split("?")[0]).name
    with tempfile.TemporaryDirectory() as tmp:
        local = os.path.join(tmp, name)
        with open(local, "wb") as fh:
            fh.write(data)
        out = []
        for item in stages.read_file(local, options):
            src = item.source.replace(local, uri, 1)
            out.append(replace(item, source=src))
        return out


def _check_unique(docs, where: str) -> None:
    dups = docs.map(lambda d: (d.id, 1)).reduceByKey(lambda a, b: a + b).filter(lambda kv: kv[1] > 1).keys().take(3)
    if dups:
        raise ParameterError(f"{where}: document ids must be unique; repeated: {', '.join(map(repr, sorted(dups)))}")


def scan_dataframe(
    df,
    params: Params | None = None,
    *,
    lexicon_paths: Sequence[str] = (),
    partitions: int | None = None,
) -> SparkScan:
    """Scan a Spark DataFrame of documents (``id``, ``text``; optional
    ``title``, ``outlet``, ``url``, ``published``, ``source``). Rows without
    an id or text are listed as skipped; ids must be unique."""
    params = params or Params()
    _ = params.banding  # validate now, on the driver
    spark = df.sparkSession
    detector = stages.load_detector(lexicon_paths)
    parsed = _documents_from_dataframe(df, "dataframe").persist(storage_level(spark))
    skipped = tuple(parsed.filter(lambda x: isinstance(x, Skipped)).collect())
    docs = parsed.filter(lambda x: isinstance(x, Document))
    _check_unique(docs, "dataframe")
    P = partitions or max(2, spark.sparkContext.defaultParallelism)
    result = _run(spark, docs, params, detector, P, skipped)
    parsed.unpersist()  # the results are computed (and persisted)
    return result


def scan_paths(
    spark,
    paths: Sequence[str],
    params: Params | None = None,
    *,
    lexicon_paths: Sequence[str] = (),
    partitions: int | None = None,
    options=None,
) -> SparkScan:
    """Scan files: local paths are read as the local engine reads them (on
    the driver); URIs Spark understands (``hdfs://``, ``s3a://``,
    ``file://`` …) are read by Spark, one file per task, each parsed by the
    local engine's per-file reader; ``*.parquet`` paths are read as
    DataFrames of documents."""
    params = params or Params()
    _ = params.banding  # validate now, on the driver
    sc = spark.sparkContext
    P = partitions or max(2, sc.defaultParallelism)
    detector = stages.load_detector(lexicon_paths)
    auto = partitions is None
    local = [p for p in paths if "://" not in p and not p.rstrip("/").endswith(".parquet")]
    remote = [p for p in paths if "://" in p and not p.rstrip("/").endswith(".parquet")]
    parquet = [p for p in paths if p.rstrip("/").endswith(".parquet")]
    parts = []
    held = []  # the parsed inputs, persisted until the results are computed
    skipped: list[Skipped] = []
    local_docs: list[Document] = []
    if local:
        for x in stages.read_local(local, options):
            if isinstance(x, Skipped):
                skipped.append(x)
            else:
                local_docs.append(x)
        if auto:  # about 2,000 documents (~20k paragraphs) a partition
            P = max(P, len(local_docs) // 2000)
        if not (remote or parquet):  # read on the driver: rank here, no distributed sort
            local_docs.sort(key=lambda d: d.id)
            ranked = sc.parallelize([(d, i) for i, d in enumerate(local_docs)], P)
            return _run(spark, None, params, detector, P, tuple(skipped), ranked=ranked)
        parts.append(sc.parallelize(local_docs, P))
    if remote:
        sc._jsc.hadoopConfiguration().set("mapreduce.input.fileinputformat.input.dir.recursive", "true")
        parsed = sc.union([sc.binaryFiles(p, P) for p in remote]).flatMap(lambda pb: _parse_remote(pb, options))
        held.append(parsed.persist(storage_level(spark)))
        skipped.extend(parsed.filter(lambda x: isinstance(x, Skipped)).collect())
        parts.append(parsed.filter(lambda x: isinstance(x, Document)))
    for p in parquet:
        parsed = _documents_from_dataframe(spark.read.parquet(p), p, options)
        held.append(parsed.persist(storage_level(spark)))
        skipped.extend(parsed.filter(lambda x: isinstance(x, Skipped)).collect())
        parts.append(parsed.filter(lambda x: isinstance(x, Document)))
    docs = sc.union(parts) if len(parts) > 1 else (parts[0] if parts else sc.parallelize([], 1))
    if remote or parquet:
        _check_unique(docs, ", ".join(paths))
    result = _run(spark, docs, params, detector, P, tuple(skipped))
    for rdd in held:
        rdd.unpersist()
    return result


def scan_to_report(
    paths: Sequence[str],
    params: Params | None = None,
    *,
    master: str | None = None,
    lexicon_paths: Sequence[str] = (),
    partitions: int | None = None,
    parquet: str | None = None,
    options=None,
) -> Report:
    """What ``syndetect scan --engine spark`` runs: a session (``master``, or
    spark-submit's, or ``local[*]``), the scan, the report collected on the
    driver, optionally the Parquet tables; a session started here is stopped after."""
    SparkSession = _pyspark()
    owned = SparkSession.getActiveSession() is None
    spark = spark_session(master)
    try:
        result = scan_paths(spark, paths, params, lexicon_paths=lexicon_paths, partitions=partitions, options=options)
        if parquet:
            result.write_parquet(parquet)
        return result.to_report()
    finally:
        if owned:  # a session the caller started is the caller's to stop
            spark.stop()


def main(argv: Sequence[str] | None = None) -> None:
    """``syndetect scan ARGS --engine spark`` (what :mod:`syndetect.engines.spark_submit` runs)."""
    from syndetect.cli.app import app

    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] != ["scan"]:
        args = ["scan", *args]
    if "--engine" not in args:
        args += ["--engine", "spark"]
    app(args=args, prog_name="syndetect")

