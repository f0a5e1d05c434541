#!/usr/bin/env python3
"""Benchmark the persistent index: ``index add`` throughput, size on disk, ``check`` latency.

    python benchmarks/index_bench.py                      # 1,000,000 paragraphs
    python benchmarks/index_bench.py --paragraphs 100000  # a quick run

Steps:

1. **Corpus**: a synthetic syndicated-news corpus from
   ``benchmarks/generate_corpus.py`` (real article prose, Markov text, wire
   copies, partial reprints, quotes, boilerplate), with enough articles for
   ``--paragraphs``; or ``--corpus FILE.jsonl``. ``--checks`` articles spread
   over the corpus are held out: they are the "new" articles that get checked.
2. **Add**: every other article is added with :meth:`syndetect.Index.add`
   (in-process, batches of ``--batch-size``, ``--workers`` mapping processes);
   throughput = paragraphs / wall time; size = the index files after a WAL
   checkpoint, also scaled to 1M paragraphs.
3. **Check**: each held-out article is checked with :meth:`Index.check`
   in-process on the open index (start-up excluded): p50 / p95 / p99 / max
   latency, with a breakdown (mapping the article; band-key lookup and
   candidate fetch; the rest = verification and the verdict).
4. **CLI**: ``python -m syndetect check ARTICLE.txt --index DIR`` as a whole
   process for ``--cli-checks`` articles (includes interpreter start-up and
   imports; Python's own start-up with the imports is reported separately), with the
   package's bytecode compiled first, as an installed package has it;
   ``--cli-baseline CHECKOUT`` runs another checkout's ``syndetect check`` on
   the same articles, alternately, for a before/after under the same load
   (``--cli-baseline-index LOCATION``: the baseline's own index of the same
   documents, when it reads another index format).

Prints a markdown table and writes ``<out>/index_bench.json``.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from syndetect import Document, Index  # noqa: E402
from syndetect.index.check import candidates  # noqa: E402
from syndetect.index.prepare import prepare_documents  # noqa: E402
from syndetect.pipeline.scan import paragraphs_of  # noqa: E402

STARTUP = "import syndetect.cli.app, syndetect.index.index, syndetect.core.minhash as m; m.permutations(128, 1)"
PARAGRAPHS_PER_ARTICLE = 10.0  # generate_corpus.py averages ~10.7; we ask for a few more articles


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..100)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def generate(articles: int, seed: int, out: Path) -> Path:
    """Run generate_corpus.py; returns the corpus JSONL."""
    script = HERE / "generate_corpus.py"
    if not script.exists():
        raise SystemExit("benchmarks/generate_corpus.py is missing: pass --corpus FILE.jsonl")
    cmd = [sys.executable, str(script), "--articles", str(articles), "--seed", str(seed), "--out", str(out), "--quiet"]
    print(f"generating {articles:,} articles: {' '.join(cmd)}", file=sys.stderr)
    subprocess.run(cmd, check=True)
    return out / "corpus.jsonl"


def read_corpus(path: Path) -> Iterator[Document]:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                o = json.loads(line)
                yield Document(
                    id=str(o["id"]), text=o["text"], source=str(path), title=o.get("title"),
                    outlet=o.get("outlet"), url=o.get("url"), published=o.get("published"),
                )


def split_corpus(path: Path, paragraphs: int, checks: int) -> tuple[list[Document], list[Document], int]:
    """Documents to add (up to ``paragraphs`` paragraphs) and ``checks`` held-out documents."""
    docs = list(read_corpus(path))
    every = max(2, len(docs) // max(1, checks))
    held = [d for i, d in enumerate(docs) if i % every == every // 2][:checks]
    held_ids = {d.id for d in held}
    added: list[Document] = []
    n = 0
    for d in docs:
        if d.id in held_ids:
            continue
        if n >= paragraphs:
            break
        added.append(d)
        n += len(paragraphs_of(d))
    return added, held, n


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def bench_add(location: str, docs: list[Document], batch_size: int, workers: int) -> dict:
    done = {"docs": 0}
    start = time.perf_counter()
    last = [start]

    def progress(stage: str, n: int, total) -> None:
        done["docs"] = n
        now = time.perf_counter()
        if now - last[0] > 10:
            last[0] = now
            print(f"  added {n:,} documents in {now - start:.0f} s", file=sys.stderr)

    with Index.open(location, create=True, cache_mb=512) as index:
        result = index.add(docs, batch_size=batch_size, workers=workers, progress=progress)
        stats = index.stats()
    return {
        "documents": result.documents,
        "paragraphs": result.paragraphs,
        "seconds": round(result.seconds, 2),
        "paragraphs_per_s": round(result.paragraphs / result.seconds, 1),
        "documents_per_s": round(result.documents / result.seconds, 1),
        "key_rows": stats.key_rows,
        "size_bytes": stats.size_bytes,
        "size_per_1m_paragraphs_bytes": int(stats.size_bytes * 1_000_000 / max(1, stats.paragraphs)),
        "bytes_per_paragraph": round(stats.size_bytes / max(1, stats.paragraphs), 1),
        "key_rows_per_paragraph": round(stats.key_rows / max(1, stats.paragraphs), 1),
        "batch_size": batch_size,
        "workers": workers,
    }


def bench_check(location: str, held: list[Document]) -> dict:
    with Index.open(location) as index:
        t = time.perf_counter()
        index.check(held[0])  # first check after opening (cold caches)
        first = time.perf_counter() - t
        totals, cpus, maps, lookups = [], [], [], []
        reused = 0
        spans = 0
        findings = hashlib.sha256()
        for doc in held:
            c0 = time.process_time()
            t0 = time.perf_counter()
            verdict = index.check(doc)
            totals.append(time.perf_counter() - t0)
            cpus.append(time.process_time() - c0)
            reused += verdict.reused
            spans += len(verdict.matches)
            found = {k: v for k, v in verdict.to_dict().items() if k != "source"}  # the path as given to --corpus
            findings.update(json.dumps(found, sort_keys=True, default=str).encode())
        # breakdown, measured separately on the same articles
        for doc in held:
            t0 = time.perf_counter()
            (prep,) = prepare_documents([doc], index._key_params, index._detector)
            t1 = time.perf_counter()
            candidates(index._store, prep, index._key_params.max_bucket)
            t2 = time.perf_counter()
            maps.append(t1 - t0)
            lookups.append(t2 - t1)
    ms = lambda xs, q: round(percentile(xs, q) * 1000, 2)  # noqa: E731
    return {
        "checks": len(held),
        "reused": reused,
        "spans": spans,
        # every verdict (spans, offsets, hashes, documents): equal digests = the same findings
        "findings_sha256": findings.hexdigest(),
        "first_check_ms": round(first * 1000, 2),
        "p50_ms": ms(totals, 50),
        "p95_ms": ms(totals, 95),
        "p99_ms": ms(totals, 99),
        "max_ms": ms(totals, 100),
        "mean_ms": round(statistics.mean(totals) * 1000, 2),
        # CPU time of the checking process: what a check costs where the machine is not shared
        "cpu_p50_ms": ms(cpus, 50),
        "cpu_p95_ms": ms(cpus, 95),
        "map_p50_ms": ms(maps, 50),
        "map_p95_ms": ms(maps, 95),
        "lookup_fetch_p50_ms": ms(lookups, 50),
        "lookup_fetch_p95_ms": ms(lookups, 95),
    }


def bench_cli(
    location: str, held: list[Document], n: int, workdir: Path, baseline: Path | None = None,
    baseline_location: str | None = None,
) -> dict:
    """Whole ``syndetect check`` processes; with ``baseline`` (another checkout of syndetect) the
    same articles are checked by it too, run for run alternately, so both see the same load
    (against ``baseline_location``, the same documents in the baseline's index format, if given)."""
    import resource

    def children_cpu() -> float:
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        return ru.ru_utime + ru.ru_stime

    def resolved(loc: str) -> str:
        return loc if "://" in loc or loc == "memory:" else str(Path(loc).resolve())  # the processes run in each tree

    trees = [ROOT] + ([baseline] if baseline is not None else [])
    where = {ROOT: resolved(location)}
    if baseline is not None:
        where[baseline] = resolved(baseline_location or location)
    for tree in trees:
        # the package's modules compiled as an install compiles them (pip writes the .pyc files);
        # without them (PYTHONDONTWRITEBYTECODE, a fresh checkout) every run compiles every module again
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "syndetect")], check=True,
                       stdout=subprocess.DEVNULL)
    runs: dict[Path, tuple[list[float], list[float], list[int]]] = {tree: ([], [], []) for tree in trees}
    for i, doc in enumerate(held[:n]):
        path = workdir / f"check-{i}.txt"
        path.write_text(doc.text, encoding="utf-8")
        for tree in trees:  # `python -m` from the tree: its own syndetect comes first on sys.path
            times, cpus, codes = runs[tree]
            t = time.perf_counter()
            c = children_cpu()
            proc = subprocess.run(
                [sys.executable, "-m", "syndetect", "check", str(path), "--index", where[tree]],
                cwd=tree, capture_output=True, text=True,
            )
            times.append(time.perf_counter() - t)
            cpus.append(children_cpu() - c)
            codes.append(proc.returncode)
            if proc.returncode not in (0, 1):
                raise SystemExit(f"check failed ({proc.returncode}, {tree}): {proc.stderr[-2000:]}")
    startup, startup_cpu = [], []
    for _ in range(5):
        t = time.perf_counter()
        c = children_cpu()
        subprocess.run(
            [sys.executable, "-c", STARTUP],
            cwd=ROOT, check=True,
        )
        startup.append(time.perf_counter() - t)
        startup_cpu.append(children_cpu() - c)
    times, cpus, codes = runs[ROOT]
    out = {
        "runs": len(times),
        "exit_codes": codes,
        "median_s": round(statistics.median(times), 3),
        "max_s": round(max(times), 3),
        "python_startup_and_imports_s": round(statistics.median(startup), 3),
        # CPU seconds (user + system) of the process: what it costs where the machine is not shared
        "cpu_median_s": round(statistics.median(cpus), 3),
        "cpu_min_s": round(min(cpus), 3),  # the least disturbed run on a shared machine
        "startup_cpu_median_s": round(statistics.median(startup_cpu), 3),
    }
    if baseline is not None:
        b_times, b_cpus, b_codes = runs[baseline]
        out["baseline"] = {
            "tree": str(baseline),
            "index": where[baseline],
            "same_exit_codes": b_codes == codes,
            "median_s": round(statistics.median(b_times), 3),
            "cpu_median_s": round(statistics.median(b_cpus), 3),
            "cpu_min_s": round(min(b_cpus), 3),
        }
    return out


def markdown(result: dict) -> str:
    a, c, k = result["add"], result["check"], result["cli"]
    gb = a["size_per_1m_paragraphs_bytes"] / 1e9
    rows = [
        ("index backend", result["backend"]),
        ("indexed paragraphs / documents", f"{a['paragraphs']:,} / {a['documents']:,}"),
        ("band-key rows (per paragraph)", f"{a['key_rows']:,} ({a['key_rows_per_paragraph']})"),
        (
            "`index add` throughput",
            f"{a['paragraphs_per_s']:,.0f} paragraphs/s ({a['seconds']:.0f} s, {a['workers']} worker(s))",
        ),
        (
            "size on disk" if result["backend"] == "sqlite" else "Redis memory (used_memory of the server)",
            f"{a['size_bytes'] / 1e6:,.0f} MB ({a['bytes_per_paragraph']:.0f} B/paragraph)",
        ),
        ("… per 1M paragraphs", f"{gb:.2f} GB"),
        ("`check` latency p50 / p95 (in-process)", f"{c['p50_ms']} ms / {c['p95_ms']} ms"),
        ("`check` latency p99 / max", f"{c['p99_ms']} ms / {c['max_ms']} ms"),
        ("`check` CPU time p50 / p95", f"{c.get('cpu_p50_ms')} ms / {c.get('cpu_p95_ms')} ms"),
        ("… of which mapping the article p50 / p95", f"{c['map_p50_ms']} ms / {c['map_p95_ms']} ms"),
        (
            "… of which band-key lookup + fetch p50 / p95",
            f"{c['lookup_fetch_p50_ms']} ms / {c['lookup_fetch_p95_ms']} ms",
        ),
        ("first check after opening", f"{c['first_check_ms']} ms"),
        ("checked articles reusing indexed text", f"{c['reused']} of {c['checks']}"),
        ("… their findings (sha256 of every verdict)", f"`{c.get('findings_sha256', '?')[:16]}…`"),
        (
            "`syndetect check` whole process (median)",
            f"{k['median_s']} s (Python start-up + imports: {k['python_startup_and_imports_s']} s)",
        ),
        (
            "`syndetect check` whole process, CPU time (median)",
            f"{k.get('cpu_median_s')} s, least {k.get('cpu_min_s')} s"
            f" (Python start-up + imports: {k.get('startup_cpu_median_s')} s)",
        ),
    ]
    if "baseline" in k:
        b = k["baseline"]
        rows.append((
            f"… the same runs by `{b['tree']}`, alternately (CPU median, least; wall median)",
            f"{b['cpu_median_s']} s, {b['cpu_min_s']} s; {b['median_s']} s"
            + ("" if b["same_exit_codes"] else " (**exit codes differ**)"),
        ))
    if "load_avg_before_after_check" in result:
        rows.append(("load average (1, 5, 15 min) before / after the checks",
                     " / ".join(", ".join(str(x) for x in result["load_avg_before_after_check"][i:i + 3]) for i in (0, 3))))
    out = ["| measure | value |", "|---|---|"]
    out += [f"| {a_} | {b_} |" for a_, b_ in rows]
    return "\n".join(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--paragraphs", type=int, default=1_000_000, help="paragraphs to index (default 1,000,000)")
    ap.add_argument("--checks", type=int, default=200, help="held-out articles to check in-process")
    ap.add_argument("--cli-checks", type=int, default=5, help="whole-process `syndetect check` runs")
    ap.add_argument("--corpus", type=Path, help="use this JSONL corpus instead of generating one")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--batch-size", type=int, default=2000, help="documents per add transaction")
    ap.add_argument(
        "--workers", type=int, default=max(1, min(4, os.cpu_count() or 1)), help="mapping processes for add"
    )
    ap.add_argument("--index", help="index location (default: a temporary directory); redis://... works too")
    ap.add_argument("--keep", action="store_true", help="keep the temporary index and corpus")
    ap.add_argument(
        "--reuse-index", action="store_true",
        help="--index already holds the added documents (from an earlier run with the same --corpus): "
        "skip the add step and measure check only; the add figures are taken from the earlier index_bench.json",
    )
    ap.add_argument("--out", type=Path, default=HERE / "out", help="where index_bench.json goes")
    ap.add_argument(
        "--cli-baseline", type=Path, metavar="CHECKOUT",
        help="another checkout of syndetect (e.g. `git worktree add /tmp/base main`): its `syndetect check`"
        " runs alternate with this tree's on the same articles, for a before/after under the same load",
    )
    ap.add_argument(
        "--cli-baseline-index", metavar="LOCATION",
        help="the index the --cli-baseline checkout checks against (the same documents in its own index format,"
        " when the formats differ; default: --index)",
    )
    args = ap.parse_args(argv)
    if args.paragraphs < 1000 or args.checks < 1:
        ap.error("need --paragraphs >= 1000 and --checks >= 1")
    if args.cli_baseline is not None:
        args.cli_baseline = args.cli_baseline.resolve()
        if not (args.cli_baseline / "syndetect" / "__main__.py").is_file():
            ap.error(f"--cli-baseline {args.cli_baseline}: not a checkout of syndetect (no syndetect/__main__.py)")

    work = Path(tempfile.mkdtemp(prefix="syndetect-index-bench-"))
    try:
        corpus = args.corpus
        if corpus is None:
            articles = math.ceil(args.paragraphs / PARAGRAPHS_PER_ARTICLE) + 2 * args.checks
            corpus = generate(articles, args.seed, work / "corpus")
        added, held, n_pars = split_corpus(corpus, args.paragraphs, args.checks)
        if n_pars < args.paragraphs:
            print(f"note: the corpus holds only {n_pars:,} paragraphs to add", file=sys.stderr)
        location = args.index or str(work / "index")
        print(f"adding {len(added):,} documents ({n_pars:,} paragraphs) to {location}", file=sys.stderr)
        previous = args.out / "index_bench.json"
        if args.reuse_index:
            if not args.index or not previous.exists():
                ap.error("--reuse-index needs --index and an earlier index_bench.json in --out")
            add = json.loads(previous.read_text())["add"]
        else:
            add = bench_add(location, added, args.batch_size, args.workers)
        del added  # an ingestion worker does not hold the archive in memory
        gc.collect()
        print(f"checking {len(held)} held-out articles", file=sys.stderr)
        load_before = os.getloadavg()
        check = bench_check(location, held)
        cli = bench_cli(location, held, args.cli_checks, work, args.cli_baseline, args.cli_baseline_index)
        load = [round(x, 2) for x in load_before + os.getloadavg()]
        result = {
            "benchmark": "index",
            "backend": "redis" if location.startswith(("redis://", "rediss://", "unix://")) else "sqlite",
            "corpus": str(args.corpus or "generate_corpus.py"),
            "seed": args.seed,
            "add": add,
            "check": check,
            "cli": cli,
            "machine": {
                "python": platform.python_version(),
                "platform": platform.platform(),
                "cpus": os.cpu_count(),
            },
            "date": time.strftime("%Y-%m-%d"),
            "load_avg_before_after_check": load,
        }
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "index_bench.json").write_text(json.dumps(result, indent=2) + "\n")
        print(markdown(result))
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
