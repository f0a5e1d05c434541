"""Before/after: ``speed.py`` on two versions of syndetect, interleaved, wall and CPU time.

    python benchmarks/ab_speed.py --before main --after HEAD [--paragraphs 100000] [--rounds 5]

Each revision is exported with ``git archive`` into a temporary directory and
put first on ``PYTHONPATH``; the rounds alternate before, after, before, …
so that a busy machine's load falls on both alike. Per run: the scan's wall
time and peak RSS (from ``speed.py``) and the CPU time (user + system) of the
whole process tree (``getrusage(RUSAGE_CHILDREN)``), which a busy machine
disturbs far less than wall time. Prints a markdown table; writes
``benchmarks/out/ab_speed.json``. The generated corpus is shared by all runs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def export(rev: str, into: Path) -> str:
    sha = subprocess.run(["git", "rev-parse", "--short", rev], cwd=ROOT, check=True, capture_output=True, text=True)
    archive = subprocess.run(["git", "archive", rev], cwd=ROOT, check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return sha.stdout.strip()


def run_once(tree: Path, paragraphs: int, out: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    cmd = [sys.executable, str(HERE / "speed.py"), "--paragraphs", str(paragraphs), "--naive-max", "0", "--out", str(out)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"speed.py failed with {tree}:\n{done.stderr[-2000:]}")
    written = out / "speed.json" if (out / "speed.json").exists() else out.parent / "speed.json"  # speed.py's --out
    run = json.loads(written.read_text(encoding="utf-8"))["runs"][0]
    s = run["syndetect"]
    return {
        "paragraphs": run["paragraphs"],
        "wall_s": s["wall_s"],
        "cpu_s": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        "peak_rss_mb": s["peak_rss_mb"],
        "clusters": s["clusters"],
        "load": os.getloadavg()[0],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--before", default="main", help="git revision before the change")
    ap.add_argument("--after", default="HEAD", help="git revision after the change")
    ap.add_argument("--paragraphs", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--out", type=Path, default=HERE / "out" / "speed")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        trees = {}
        for name, rev in (("before", args.before), ("after", args.after)):
            tree = Path(tmp) / name
            tree.mkdir()
            trees[name] = (tree, export(rev, tree))
        runs: dict[str, list[dict]] = {"before": [], "after": []}
        for i in range(args.rounds):
            for name in ("before", "after"):
                r = run_once(trees[name][0], args.paragraphs, args.out)
                runs[name].append(r)
                print(f"round {i + 1} {name}: wall {r['wall_s']:.1f} s, cpu {r['cpu_s']:.1f} s", file=sys.stderr)
    result = {"command": "python benchmarks/ab_speed.py " + " ".join(argv or sys.argv[1:]),
              "revisions": {k: v[1] for k, v in trees.items()}, "runs": runs}
    (HERE / "out").mkdir(exist_ok=True)
    (HERE / "out" / "ab_speed.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(render(result))
    return 0


def render(result: dict) -> str:
    lines = ["| version | paragraphs | scan wall (s), each run | median | CPU (s), each run | median | mean | peak RSS (MB) |",
             "|---|---:|---|---:|---|---:|---:|---:|"]
    for name in ("before", "after"):
        rs = result["runs"][name]
        walls, cpus = [r["wall_s"] for r in rs], [r["cpu_s"] for r in rs]
        lines.append(
            f"| {name} ({result['revisions'][name]}) | {rs[0]['paragraphs']:,} | {', '.join(f'{w:.1f}' for w in walls)} "
            f"| {statistics.median(walls):.1f} | {', '.join(f'{c:.1f}' for c in cpus)} | {statistics.median(cpus):.1f} "
            f"| {statistics.mean(cpus):.1f} | {statistics.median(r['peak_rss_mb'] for r in rs):.0f} |"
        )
    loads = [r["load"] for rs in result["runs"].values() for r in rs]
    lines.append(f"\n1-minute load average during the runs: {min(loads):.1f}–{max(loads):.1f} (2 cores).")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
