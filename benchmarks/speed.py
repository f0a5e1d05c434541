"""Speed benchmark: syndetect scan vs the naive datasketch recipe, per stage.

    python benchmarks/speed.py --paragraphs 10000,100000,1000000 [--naive-max 100000]

For each size it generates a syndicated corpus with ground truth
(``generate_corpus.py``; about ten paragraphs an article), then runs, each in
its own process so that peak RSS is measured per run:

* ``syndetect scan corpus.jsonl --format json -o report.json --timings``:
  wall time (process start to report written), peak RSS, and the per-stage
  times from the report (the rest of the wall time is start-up, reading the
  JSONL and rendering/writing the report);
* the naive recipe (``naive.py``: datasketch ``MinHash`` per paragraph with
  per-shingle ``update``, ``MinHashLSH(threshold=0.5)``, every candidate kept),
  on the same corpus, up to ``--naive-max`` paragraphs.

Writes ``benchmarks/out/speed.json`` and prints markdown tables (copied into
``benchmarks/README.md``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _measure import machine_info, run_measured  # noqa: E402

NAIVE_SNIPPET = """
import json, sys, time
sys.path.insert(0, {here!r})
from naive import naive_pairs
t = time.perf_counter()
result = naive_pairs({path!r}, return_timings=True)
pairs, timings = result if isinstance(result, tuple) else (result, {{}})
print(json.dumps({{"pairs": len(pairs), "timings": timings, "wall_in_process": time.perf_counter() - t}}))
"""


def count_paragraphs(path: Path) -> int:
    n = 0
    with path.open(encoding="utf-8") as f:
        for line in f:
            n += json.loads(line)["text"].count("\n\n") + 1
    return n


def generate(target_paragraphs: int, out: Path, seed: int) -> tuple[Path, int]:
    corpus = out / "corpus.jsonl"
    if not corpus.exists():
        articles = max(10, target_paragraphs // 10)
        res = run_measured([sys.executable, str(HERE / "generate_corpus.py"), "--articles", str(articles),
                            "--seed", str(seed), "--out", str(out)])
        if res["returncode"] != 0:
            raise SystemExit(f"generator failed:\n{res['stderr'][-2000:]}")
    return corpus, count_paragraphs(corpus)


def run_syndetect(corpus: Path, out: Path, workers: int | None) -> dict:
    report = out / "report.json"
    cmd = [sys.executable, "-m", "syndetect", "scan", str(corpus), "--format", "json", "-o", str(report),
           "--timings", "--quiet"]
    if workers:
        cmd += ["--workers", str(workers)]
    res = run_measured(cmd)
    if res["returncode"] != 0:
        raise SystemExit(f"syndetect failed:\n{res['stderr'][-2000:]}")
    data = json.loads(report.read_text(encoding="utf-8"))
    stages = data.get("timings", {})
    return {
        "wall_s": res["wall_s"],
        "peak_rss_mb": res["peak_rss_mb"],
        "stages": stages,
        "startup_read_render_s": max(0.0, res["wall_s"] - stages.get("total", 0.0)),
        "clusters": len(data["clusters"]),
    }


def run_naive(corpus: Path) -> dict:
    code = NAIVE_SNIPPET.format(here=str(HERE), path=str(corpus))
    res = run_measured([sys.executable, "-c", code])
    if res["returncode"] != 0:
        raise SystemExit(f"naive recipe failed:\n{res['stderr'][-2000:]}")
    info = json.loads(res["stdout"].strip().splitlines()[-1])
    return {"wall_s": res["wall_s"], "peak_rss_mb": res["peak_rss_mb"], **info}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--paragraphs", default="10000,100000,1000000", help="comma-separated corpus sizes")
    ap.add_argument("--naive-max", type=int, default=100_000, help="largest size to run the naive recipe on")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--out", type=Path, default=HERE / "out" / "speed")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.paragraphs.split(",") if s]
    results = {"machine": machine_info(), "command": "python benchmarks/speed.py " + " ".join(argv or sys.argv[1:]), "runs": []}
    for size in sizes:
        out = args.out / f"p{size}"
        out.mkdir(parents=True, exist_ok=True)
        corpus, paragraphs = generate(size, out, args.seed)
        print(f"[{size}] corpus: {paragraphs} paragraphs", file=sys.stderr)
        run = {"target": size, "paragraphs": paragraphs, "syndetect": run_syndetect(corpus, out, args.workers)}
        print(f"[{size}] syndetect: {run['syndetect']['wall_s']:.1f} s", file=sys.stderr)
        if size <= args.naive_max:
            run["naive"] = run_naive(corpus)
            run["speedup"] = run["naive"]["wall_s"] / run["syndetect"]["wall_s"]
            print(f"[{size}] naive: {run['naive']['wall_s']:.1f} s", file=sys.stderr)
        results["runs"].append(run)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out.parent / "speed.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(render(results))
    return 0


def render(results: dict) -> str:
    lines = ["| paragraphs | syndetect wall (s) | paragraphs/s | peak RSS (MB) | naive wall (s) | naive peak RSS (MB) | speed-up |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results["runs"]:
        s = r["syndetect"]
        n = r.get("naive")
        lines.append(
            f"| {r['paragraphs']:,} | {s['wall_s']:.1f} | {r['paragraphs'] / s['wall_s']:,.0f} | {s['peak_rss_mb']:.0f} "
            f"| {n['wall_s']:.1f} | {n['peak_rss_mb']:.0f} | {r['speedup']:.1f}× |" if n else
            f"| {r['paragraphs']:,} | {s['wall_s']:.1f} | {r['paragraphs'] / s['wall_s']:,.0f} | {s['peak_rss_mb']:.0f} | — | — | — |"
        )
    stages = sorted({k for r in results["runs"] for k in r["syndetect"]["stages"] if k != "total"})
    lines += ["", "Per stage (seconds; `rest` = process start-up, reading the JSONL, rendering and writing the report):", "",
              "| paragraphs | " + " | ".join(stages) + " | rest | total |", "|---:|" + "---:|" * (len(stages) + 2)]
    for r in results["runs"]:
        s = r["syndetect"]
        cells = [f"{s['stages'].get(k, 0):.2f}" for k in stages]
        lines.append(f"| {r['paragraphs']:,} | " + " | ".join(cells) + f" | {s['startup_read_render_s']:.2f} | {s['wall_s']:.2f} |")
    naive_runs = [r for r in results["runs"] if "naive" in r and r["naive"].get("timings")]
    if naive_runs:
        keys = sorted({k for r in naive_runs for k in r["naive"]["timings"]})
        lines += ["", "Naive recipe per stage (seconds):", "", "| paragraphs | " + " | ".join(keys) + " |",
                  "|---:|" + "---:|" * len(keys)]
        for r in naive_runs:
            lines.append(f"| {r['paragraphs']:,} | " + " | ".join(f"{r['naive']['timings'].get(k, 0):.2f}" for k in keys) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
