"""The Spark engine in local mode beside the local engine, on the same corpora.

    python benchmarks/spark_bench.py --paragraphs 10000,100000,1000000 [--master local[2]] [--partitions N]

For each size it generates (or reuses) a syndicated corpus with
``generate_corpus.py`` (about ten paragraphs an article, as ``speed.py``),
then runs, each in its own process (wall time from process start to report
written; peak RSS summed over the process tree: for Spark that is the
driver's Python, the JVM and the Python workers):

* ``syndetect scan corpus.jsonl --format json -o local.json --timings``;
* ``syndetect scan corpus.jsonl --engine spark --spark-master MASTER
  --format json -o spark.json --timings`` (driver memory 2g);

records the CPU seconds of each process tree (sampled with psutil), from
the Spark run's event log the shuffle volume, the driver JVM's peak heap
and storage memory (stage executor metrics) and the wall time of the
stages by the line of ``syndetect/engines/spark.py`` that made them (the
pipeline step), and checks that both
reports hold the same clusters (members and spans),
boilerplate and provenance. The machine's load average (``/proc/loadavg``)
is recorded before and after each run: the machine is shared, and the
figures mean little without it.

Writes ``benchmarks/out/spark_bench.json`` and prints a markdown table
(copied into ``benchmarks/README.md``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import threading
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _measure import machine_info, run_measured  # noqa: E402
from speed import generate  # noqa: E402


def load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:  # pragma: no cover - not Linux
        return "?"


def run(corpus: Path, out: Path, engine: str, master: str, partitions: int | None, timeout: float | None) -> dict:
    report = out / f"{engine}.json"
    cmd = [sys.executable, "-m", "syndetect", "scan", str(corpus), "--format", "json", "-o", str(report),
           "--timings", "--quiet"]
    if engine == "spark":
        cmd += ["--engine", "spark", "--spark-master", master]
        if partitions:
            cmd += ["--partitions", str(partitions)]
    env = None
    events = (out / "spark-events").resolve()  # a file: URI needs an absolute path
    if engine == "spark":
        # the event log gives the shuffle volume (bytes and records written by every task)
        shutil.rmtree(events, ignore_errors=True)
        events.mkdir(parents=True)
        env = dict(os.environ, PYSPARK_SUBMIT_ARGS=(
            f"--conf spark.eventLog.enabled=true --conf spark.eventLog.dir={events.as_uri()} "
            "--conf spark.eventLog.compress=false --conf spark.eventLog.rolling.enabled=false "
            "--conf spark.eventLog.logStageExecutorMetrics=true pyspark-shell"))
    before = load()
    with CpuOfTree() as cpu:
        res = run_measured(cmd, timeout=timeout, env=env)
    after = load()
    cpu_s = cpu.seconds
    if res["returncode"] != 0:
        return {"failed": True, "returncode": res["returncode"], "timed_out": res.get("timed_out"),
                "wall_s": res["wall_s"], "cpu_s": round(cpu_s, 1), "load_before": before, "load_after": after,
                "stderr": res["stderr"][-2000:], **(event_figures(events) if engine == "spark" else {})}
    data = json.loads(report.read_text(encoding="utf-8"))
    extra = event_figures(events) if engine == "spark" else {}
    return {
        **extra,
        "cpu_s": round(cpu_s, 1),
        "wall_s": res["wall_s"],
        "peak_rss_mb": res["peak_rss_mb"],
        "timings": data.get("timings", {}),
        "load_before": before,
        "load_after": after,
        "clusters": len(data["clusters"]),
        "members": sum(len(c["members"]) for c in data["clusters"]),
        "boilerplate": len(data["boilerplate"]),
        "provenance": len(data["provenance"]),
    }


class CpuOfTree:
    """CPU seconds (user + system) of every process below this one, sampled
    twice a second with psutil: the JVM and its Python workers are not all
    reaped by the process that started them, so rusage misses them."""

    def __init__(self, interval: float = 0.5) -> None:
        self.interval = interval
        self.last: dict[int, float] = {}
        self._stop = threading.Event()

    def _sample(self) -> None:
        for p in psutil.Process().children(recursive=True):
            try:
                t = p.cpu_times()
                self.last[p.pid] = t.user + t.system
            except psutil.Error:
                pass

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def __enter__(self) -> CpuOfTree:
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def seconds(self) -> float:
        return sum(self.last.values())


def _events(events: Path):
    for log in events.rglob("*"):
        if not log.is_file() or log.name.startswith("appstatus"):
            continue
        with log.open(encoding="utf-8", errors="replace") as f:
            for line in f:
                try:
                    yield json.loads(line)
                except ValueError:  # the last line of a log still being written (or of a killed run)
                    continue


def _step(stage_name: str) -> str:
    """``"partitionBy at /…/syndetect/engines/spark.py:372"`` → the source line it names."""
    op, _, where = stage_name.partition(" at ")
    path, _, line = where.rpartition(":")
    try:
        text = Path(path).read_text(encoding="utf-8").splitlines()[int(line) - 1].strip()
    except (OSError, ValueError, IndexError):
        text = ""
    return f"{op} @{line}: {text[:70]}"


def event_figures(events: Path) -> dict:
    """From a Spark event log: shuffle bytes and records written (summed over
    the tasks), the driver JVM's peak heap and storage memory (stage
    executor metrics), and the stages' wall time by the source line that
    created them (largest first)."""
    written = records = tasks = 0
    heap = storage = 0
    by_step: dict[str, list[float]] = {}
    for ev in _events(events):
        kind = ev.get("Event")
        if kind == "SparkListenerTaskEnd":
            sw = (ev.get("Task Metrics") or {}).get("Shuffle Write Metrics") or {}
            written += sw.get("Shuffle Bytes Written", 0)
            records += sw.get("Shuffle Records Written", 0)
            tasks += 1
        elif kind == "SparkListenerStageExecutorMetrics":
            m = ev.get("Executor Metrics") or {}
            heap = max(heap, m.get("JVMHeapMemory", 0))
            storage = max(storage, m.get("OnHeapStorageMemory", 0))
        elif kind == "SparkListenerStageCompleted":
            si = ev["Stage Info"]
            wall = (si.get("Completion Time", 0) - si.get("Submission Time", 0)) / 1000
            got = by_step.setdefault(_step(si["Stage Name"]), [0.0, 0])
            got[0] += wall
            got[1] += 1
    steps = sorted(({"step": k, "wall_s": round(v[0], 1), "stages": v[1]} for k, v in by_step.items()),
                   key=lambda d: -d["wall_s"])
    return {"shuffle_write_mb": round(written / 1e6, 1), "shuffle_records": records, "tasks": tasks,
            "jvm_heap_peak_mb": round(heap / 2**20), "jvm_storage_peak_mb": round(storage / 2**20),
            "stage_wall_s": round(sum(s["wall_s"] for s in steps), 1), "steps": steps}


def same_answer(out: Path) -> bool:
    a = json.loads((out / "local.json").read_text(encoding="utf-8"))
    b = json.loads((out / "spark.json").read_text(encoding="utf-8"))
    keys = ("clusters", "boilerplate", "provenance", "pairs", "documents", "skipped", "parameters")
    return all(a[k] == b[k] for k in keys)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--paragraphs", default="10000,100000,1000000", help="comma-separated corpus sizes")
    ap.add_argument("--master", default="local[2]", help="Spark master (default local[2])")
    ap.add_argument("--partitions", type=int, default=None, help="--partitions for the Spark engine")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=None, help="seconds per run before it is killed")
    ap.add_argument("--engines", default="local,spark", help="engines to run, in this order")
    ap.add_argument("--out", type=Path, default=HERE / "out" / "spark")
    ap.add_argument("--json", type=Path, default=None, help="results file (default OUT/../spark_bench.json)")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.paragraphs.split(",") if s]
    results = {"machine": machine_info(), "command": "python benchmarks/spark_bench.py " + " ".join(argv or sys.argv[1:]),
               "runs": []}
    args.out.mkdir(parents=True, exist_ok=True)
    for size in sizes:
        out = args.out / f"p{size}"
        out.mkdir(parents=True, exist_ok=True)
        corpus, paragraphs = generate(size, out, args.seed)
        print(f"[{size}] corpus: {paragraphs} paragraphs (load {load()})", file=sys.stderr)
        entry: dict = {"target": size, "paragraphs": paragraphs}
        for engine in args.engines.split(","):
            entry[engine] = run(corpus, out, engine, args.master, args.partitions, args.timeout)
            print(f"[{size}] {engine}: {entry[engine]['wall_s']:.1f} s "
                  f"{'FAILED' if entry[engine].get('failed') else ''} (load {entry[engine]['load_after']})",
                  file=sys.stderr)
        if all(e in entry and not entry[e].get("failed") for e in ("local", "spark")):
            entry["equal"] = same_answer(out)
        results["runs"].append(entry)
        (args.json or args.out.parent / "spark_bench.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(render(results))
    return 0


def render(results: dict) -> str:
    lines = [
        "| paragraphs | local wall (s) | local CPU (s) | local peak RSS (MB) | Spark wall (s) | Spark CPU (s) "
        "| Spark peak RSS (MB) | Spark JVM heap peak (MB) | Spark / local (wall) "
        "| shuffle written (MB) | same answer | load avg before → after (local; Spark) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in results["runs"]:
        missing = {"failed": True, "load_before": "–", "load_after": "–"}
        lo, sp = r.get("local", missing), r.get("spark", missing)

        def cell(x, key, fmt):
            return "failed" if x.get("failed") else format(x[key], fmt)

        ratio = "–" if lo.get("failed") or sp.get("failed") else f"{sp['wall_s'] / lo['wall_s']:.1f}×"
        lines.append(
            f"| {r['paragraphs']:,} | {cell(lo, 'wall_s', '.1f')} | {cell(lo, 'cpu_s', '.0f')} "
            f"| {cell(lo, 'peak_rss_mb', '.0f')} | {cell(sp, 'wall_s', '.1f')} | {cell(sp, 'cpu_s', '.0f')} "
            f"| {cell(sp, 'peak_rss_mb', '.0f')} | {cell(sp, 'jvm_heap_peak_mb', ',.0f')} | {ratio} "
            f"| {cell(sp, 'shuffle_write_mb', ',.0f')} "
            f"| {'yes' if r.get('equal') else ('no' if 'equal' in r else '–')} "
            f"| {lo['load_before']} → {lo['load_after']}; {sp['load_before']} → {sp['load_after']} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
