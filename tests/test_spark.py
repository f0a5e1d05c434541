"""The Spark engine gives the local engine's answer (real Spark, local[2]).

One Spark session for the module (``spark``), stopped at the end. Without
pyspark (or Java) the module is skipped, unless ``SYNDETECT_REQUIRE_SPARK=1``
(set by ``.ci/run``): then it fails. Select with ``-m spark``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import random
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "fixtures" / "seeds"

pytestmark = pytest.mark.spark


def _missing(reason: str) -> None:
    if os.environ.get("SYNDETECT_REQUIRE_SPARK") == "1":
        pytest.fail(f"{reason} (SYNDETECT_REQUIRE_SPARK=1)", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


if importlib.util.find_spec("pyspark") is None:
    _missing("pyspark is not installed (pip install 'syndetect[spark]')")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    _missing("Java is not installed (Spark needs a JVM)")

from typer.testing import CliRunner  # noqa: E402

from syndetect import Params, read_inputs, scan  # noqa: E402
from syndetect.cli import app  # noqa: E402
from syndetect.core.candidates import bucket_pairs  # noqa: E402
from syndetect.engines.spark import connected_components, scan_dataframe, scan_paths, spark_session  # noqa: E402
from syndetect.pipeline.stages import map_units, paragraphs_of  # noqa: E402
from syndetect.render.report import render_json, report_to_dict  # noqa: E402


@pytest.fixture(scope="module")
def spark():
    session = spark_session("local[2]", conf={"spark.default.parallelism": "2"})
    try:
        yield session
    finally:
        session.stop()


def _local(paths, **kw):
    return scan(read_inputs([str(p) for p in paths]), Params(), workers=1, **kw)


def _generated(tmp_path: Path, articles: int, seed: int) -> Path:
    spec = importlib.util.spec_from_file_location("_gen_for_spark", ROOT / "benchmarks" / "generate_corpus.py")
    gen = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = gen
    spec.loader.exec_module(gen)
    out = tmp_path / f"gen{articles}-{seed}"
    gen.generate(gen.Params(articles=articles, seed=seed), out)
    return out / "corpus.jsonl"


def _members(report) -> list:
    return [[(m.doc, m.paragraph, m.start, m.end) for m in c.members] for c in report.clusters]


def test_workers_run_the_drivers_python(spark):
    """Local mode: the Python workers run the interpreter (and so the packages) of the process that made the
    session, not whatever `python3` is first on PATH (outside an activated venv it lacks syndetect's
    dependencies: tldextract failed to import in the workers)."""
    prefixes = spark.sparkContext.parallelize(range(2), 2).map(lambda _: __import__("sys").prefix).collect()
    assert prefixes == [sys.prefix, sys.prefix]


def test_cli_seeds_spark_equals_local(spark, tmp_path):
    """`scan --engine spark` writes the local engine's report, byte for byte
    (clusters, spans, boilerplate, provenance), with a user lexicon broadcast
    to the executors."""
    lexicon = tmp_path / "extra.toml"
    lexicon.write_text(
        "[[rule]]\nname = 'shelter-line'\ncategory = 'other'\npattern = '''^the us has taken shelter'''\n"
        "max_words = 60\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    out_local, out_spark = tmp_path / "local.json", tmp_path / "spark.json"
    args = ["scan", str(SEEDS), "--lexicon", str(lexicon), "--format", "json", "--workers", "1"]
    r1 = runner.invoke(app, [*args, "-o", str(out_local)])
    assert r1.exit_code == 0, r1.output
    r2 = runner.invoke(app, [*args, "-o", str(out_spark), "--engine", "spark", "--spark-master", "local[2]",
                             "--partitions", "2", "--spark-tables", str(tmp_path / "tables")])
    assert r2.exception is None or isinstance(r2.exception, SystemExit), r2.exception
    assert r2.exit_code == 0, r2.output
    local, remote = json.loads(out_local.read_text()), json.loads(out_spark.read_text())
    assert remote == local
    assert len(local["clusters"]) >= 6 and local["provenance"] and local["boilerplate"]
    # the Parquet tables hold the same records
    members = spark.read.parquet(str(tmp_path / "tables" / "members")).collect()
    assert sorted((r.cluster, r.doc, r.paragraph, r.start, r.end) for r in members) == sorted(
        (c["id"], m["doc"], m["paragraph"], m["start"], m["end"]) for c in local["clusters"] for m in c["members"]
    )
    edges = spark.read.parquet(str(tmp_path / "tables" / "provenance")).collect()
    assert sorted((e.source, e.copy, e.basis) for e in edges) == sorted(
        (e["source"], e["copy"], e["basis"]) for e in local["provenance"]
    )
    flags = spark.read.parquet(str(tmp_path / "tables" / "boilerplate")).collect()
    assert sorted((f.doc, f.paragraph, f.category) for f in flags) == sorted(
        (f["doc"], f["paragraph"], f["category"]) for f in local["boilerplate"]
    )


def test_cli_spark_options_need_the_spark_engine(tmp_path):
    r = CliRunner().invoke(app, ["scan", str(SEEDS), "--spark-tables", str(tmp_path / "t"), "--format", "json"])
    assert r.exit_code == 2
    assert "--engine spark" in r.output


def test_generated_corpus_dataframe_api_equals_local(spark, tmp_path):
    """On a generated corpus (wire chains, quotes, edits, outlet boilerplate),
    the DataFrame API gives the local engine's clusters, boilerplate and
    provenance, and the DataFrames hold them."""
    corpus = _generated(tmp_path, 160, 11)
    local = _local([corpus])
    assert len(local.clusters) > 50 and len(local.boilerplate) > 100
    records = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines()]
    rows = [{k: r.get(k) for k in ("id", "text", "title", "outlet", "url", "published")} for r in records]
    for r in rows:
        r["source"] = None
    df = spark.createDataFrame(rows, "id string, text string, title string, outlet string, url string, "
                                     "published string, source string")
    result = scan_dataframe(df, Params(), partitions=3)
    report = result.to_report()
    assert _members(report) == _members(local)
    assert report.clusters == local.clusters
    assert report.boilerplate == local.boilerplate
    assert report.provenance == local.provenance
    assert report.pairs == local.pairs
    # documents: everything but `source` (a DataFrame row has no file:line)
    strip = lambda ds: [(d.id, d.outlet, d.paragraphs, d.reused_fraction, d.boilerplate, d.upstream) for d in ds]  # noqa: E731
    assert strip(report.documents) == strip(local.documents)
    tables = result.tables()
    assert tables["clusters"].count() == len(local.clusters)
    assert tables["members"].count() == sum(len(c.members) for c in local.clusters)
    assert tables["pairs"].count() == len(local.pairs)
    assert tables["boilerplate"].count() == len(local.boilerplate)
    assert tables["provenance"].count() == len(local.provenance)
    assert tables["documents"].count() == len(records)
    top = tables["clusters"].orderBy("order").first()
    assert (top.id, top.fingerprint, top.words) == (local.clusters[0].id, local.clusters[0].fingerprint,
                                                     local.clusters[0].words)


def test_uri_and_parquet_inputs_equal_local(spark, tmp_path):
    """Files Spark reads itself (a file:// URI, one task per file, parsed by
    the local reader) and a Parquet table give the local engine's clusters."""
    corpus = _generated(tmp_path, 60, 5)
    records = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines()]
    half = len(records) // 2
    jdir = tmp_path / "jsonl"
    jdir.mkdir()
    (jdir / "a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records[:half]), encoding="utf-8")
    (jdir / "bad.jsonl").write_text('{"id": "x"}\n', encoding="utf-8")  # no text: skipped, as locally
    cols = ("id", "text", "title", "outlet", "url", "published")
    pq = str(tmp_path / "rest.parquet")
    spark.createDataFrame([{k: r.get(k) for k in cols} for r in records[half:]],
                          ", ".join(f"{c} string" for c in cols)).write.parquet(pq)
    both = tmp_path / "both.jsonl"
    both.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    local = _local([both])
    report = scan_paths(spark, [jdir.as_uri(), pq], Params(), partitions=2).to_report()
    assert report.clusters == local.clusters
    assert report.boilerplate == local.boilerplate
    assert report.provenance == local.provenance
    alone = _local([jdir / "bad.jsonl"])
    assert [(s.reason, s.line) for s in report.skipped] == [(s.reason, s.line) for s in alone.skipped]
    assert len(report.skipped) == 1 and report.skipped[0].source.endswith("bad.jsonl")


def test_star_buckets_equal_local(spark, tmp_path):
    """Buckets larger than max_bucket are linked as a star around their
    smallest member on Spark as in the local engine: with max_bucket=2 every
    passage shared by three or more paragraphs goes through a star, and the
    clusters, boilerplate and provenance are still the local engine's."""
    corpus = _generated(tmp_path, 80, 7)
    params = Params(max_bucket=2)
    local = scan(read_inputs([str(corpus)]), params, workers=1)
    # stars are used: fewer candidate pairs from the identical-unit buckets than all pairs
    pars = [p for d in read_inputs([str(corpus)]) for p in paragraphs_of(d)]
    units = map_units([p.text for p in pars], list(range(len(pars))), params)
    assert len(bucket_pairs(units.content, units.owners, 2)) < len(bucket_pairs(units.content, units.owners, 64))
    report = scan_paths(spark, [str(corpus)], params, partitions=3).to_report()
    assert report.clusters == local.clusters
    assert report.boilerplate == local.boilerplate
    assert report.provenance == local.provenance
    assert report.pairs == local.pairs


def test_storage_level_is_checked(spark):
    from syndetect.engines.spark import STORAGE_CONF, storage_level
    from syndetect.errors import ParameterError

    assert storage_level(spark).useDisk and not storage_level(spark).useMemory  # DISK_ONLY by default
    spark.conf.set(STORAGE_CONF, "NOT_A_LEVEL")
    try:
        with pytest.raises(ParameterError, match="not a storage level"):
            storage_level(spark)
    finally:
        spark.conf.unset(STORAGE_CONF)


def test_seeds_library_report_equals_local(spark):
    local = _local([SEEDS])
    report = scan_paths(spark, [str(SEEDS)], Params(), partitions=2).to_report()
    assert render_json(report) == render_json(local)
    assert report_to_dict(report)["clusters"]


def test_connected_components_match_union_find(spark):
    rng = random.Random(3)
    nodes = [("p", i) for i in range(400)]
    edges = [(rng.choice(nodes), rng.choice(nodes)) for _ in range(330)]
    parent: dict = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            x = parent[x]
        return x

    for u, v in edges:
        if u != v:
            a, b = find(u), find(v)
            if a != b:
                parent[max(a, b)] = min(a, b)
    seen = {x for u, v in edges if u != v for x in (u, v)}
    groups: dict = {}
    for x in seen:
        groups.setdefault(find(x), []).append(x)
    want = {x: min(groups[find(x)]) for x in seen}
    got = dict(connected_components(spark.sparkContext.parallelize(edges, 3), 3).collect())
    assert got == want
    assert len(set(want.values())) > 10  # many components, some long chains


def test_nothing_readable_gives_the_local_report(spark, tmp_path):
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "bad.jsonl").write_text('{"id": 1}\nnot json\n', encoding="utf-8")
    local = _local([tmp_path])
    report = scan_paths(spark, [str(tmp_path)], Params(), partitions=2).to_report()
    assert render_json(report) == render_json(local)
    assert report.skipped and not report.documents
