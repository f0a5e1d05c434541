"""Speed benchmark: syndetect scan vs the naive datasketch recipe, per stage.

    python benchmarks/speed.py --paragraphs 10000,100000,300000,1000000 [--naive-max 100000] [--corpus real]

For each size it builds a corpus (about ten paragraphs an article), then runs,
each in its own process so that peak memory is measured per run:

``--corpus real`` (the default): **recombined real article bodies** from
``fixtures/article-extraction-benchmark/ground-truth.json`` (see
:func:`real_corpus`): about 20% of the paragraphs are reused passages drawn
with a Zipf-like popularity from the real paragraphs (verbatim, with a
one-word edit, or embedded after a framing sentence), the rest are real
paragraphs with the words of each sentence shuffled (real token, length and
punctuation statistics, no accidental reuse). The pool of passages is fixed,
so, as with wire copy, a popular passage recurs more often as the corpus
grows (the most popular one in about 1% of the reused paragraphs).
``--corpus generated``: ``generate_corpus.py``'s syndicated corpus with
ground truth, whose popular passages do not grow with the corpus.

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
import os
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


GROUND_TRUTH = HERE.parent / "fixtures" / "article-extraction-benchmark" / "ground-truth.json"


def real_corpus(target_paragraphs: int, out: Path, seed: int, reuse: float = 0.2) -> Path:
    """Write ``out/corpus.jsonl``: recombined real article bodies (see the module docstring). Deterministic."""
    import random
    import re

    bodies = json.loads(GROUND_TRUTH.read_text(encoding="utf-8"))
    paragraphs = [p.strip() for k in sorted(bodies) for p in (bodies[k].get("articleBody") or "").split("\n\n") if p.strip()]
    rng = random.Random(seed)
    passages = [p for p in paragraphs if len(p.split()) >= 15]
    rng.shuffle(passages)
    # popularity of passage i proportional to 1 / (i + 20): the first one takes about 1% of the reuse
    cum, acc = [], 0.0
    for i in range(len(passages)):
        acc += 1.0 / (i + 20)
        cum.append(acc)
    sentence = re.compile(r"(?<=[.!?])\s+")
    split_sentences = [sentence.split(p) for p in paragraphs]

    def fresh() -> str:
        out_sentences = []
        for sent in rng.choice(split_sentences):
            words = sent.split()
            rng.shuffle(words)
            out_sentences.append(" ".join(words))
        return " ".join(out_sentences)

    def reused() -> str:
        text = passages[min(len(passages) - 1, __import__("bisect").bisect(cum, rng.random() * acc))]
        roll = rng.random()
        if roll < 0.25:  # a one-word edit
            words = text.split()
            words[rng.randrange(len(words))] = rng.choice(words)
            return " ".join(words)
        if roll < 0.4:  # embedded after a framing sentence of the outlet's own
            return " ".join(fresh().split()[:12]) + ', the statement read: "' + text + '"'
        return text

    outlets = [f"outlet{i:03d}.example" for i in range(300)]
    n = 0
    doc = 0
    path = out / "corpus.jsonl"
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        while n < target_paragraphs:
            k = min(rng.randint(6, 14), target_paragraphs - n)
            body = [reused() if rng.random() < reuse else fresh() for _ in range(k)]
            rec = {
                "id": f"a{doc:07d}", "title": f"Article {doc}", "outlet": rng.choice(outlets),
                "published": f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", "text": "\n\n".join(body),
            }
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            n += k
            doc += 1
    tmp.replace(path)
    return path


def generate(target_paragraphs: int, out: Path, seed: int, kind: str = "generated") -> tuple[Path, int]:
    corpus = out / "corpus.jsonl"
    if kind == "real":
        if not corpus.exists():
            real_corpus(target_paragraphs, out, seed)
        return corpus, count_paragraphs(corpus)
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
        "cpu_s": res.get("cpu_s"),
        "peak_rss_mb": res["peak_rss_mb"],
        "peak_pss_mb": res.get("peak_pss_mb"),
        "report_mb": round(report.stat().st_size / 1e6, 2),
        "pairs": len(data["pairs"]),
        "stages": stages,
        "startup_read_render_s": max(0.0, res["wall_s"] - stages.get("total", 0.0)),
        "clusters": len(data["clusters"]),
    }


def compiled_hot_path() -> bool:
    """Whether the scans run with syndetect's compiled hot path (``syndetect/core/_hot.c``) or the pure one."""
    import subprocess

    res = subprocess.run([sys.executable, "-c", "from syndetect.core.hot import compiled; print(compiled())"],
                         capture_output=True, text=True)
    return res.stdout.strip() == "True"


def run_naive(corpus: Path) -> dict:
    code = NAIVE_SNIPPET.format(here=str(HERE), path=str(corpus))
    res = run_measured([sys.executable, "-c", code])
    if res["returncode"] != 0:
        raise SystemExit(f"naive recipe failed:\n{res['stderr'][-2000:]}")
    info = json.loads(res["stdout"].strip().splitlines()[-1])
    return {"wall_s": res["wall_s"], "cpu_s": res.get("cpu_s"), "peak_rss_mb": res["peak_rss_mb"], **info}


def stage_cpu(corpus: Path, workers: int = 1) -> dict:
    """One scan of ``corpus`` in this process, its stage clocks switched to CPU time (``time.process_time``).

    With ``workers`` 1 (the default) every stage runs here, so the figures are
    the stages' CPU seconds; ``read`` and ``render`` (the JSON report) beside them.
    """
    import time
    import types

    import syndetect.pipeline.scan  # noqa: F401  (the module; the package exports a function of that name)
    from syndetect.readers.inputs import read_inputs
    from syndetect.render.json import render_json

    scan_module = sys.modules["syndetect.pipeline.scan"]
    clock = scan_module.time  # type: ignore[attr-defined]
    scan_module.time = types.SimpleNamespace(perf_counter=time.process_time)  # type: ignore[attr-defined]
    try:
        t0 = time.process_time()
        docs = iter(read_inputs([str(corpus)]))
        report = scan_module.scan(docs, workers=workers)
        t1 = time.process_time()
        render_json(report)
        t2 = time.process_time()
    finally:
        scan_module.time = clock  # type: ignore[attr-defined]
    out = {k: round(v, 2) for k, v in report.timings.items()}
    out.update(read_and_scan=round(t1 - t0, 2), render=round(t2 - t1, 2), load=round(os.getloadavg()[0], 2))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stage-cpu", type=Path, default=None, metavar="CORPUS",
                    help="only: scan CORPUS in this process (--workers, default 1) and print its stages' CPU seconds")
    ap.add_argument("--paragraphs", default="10000,100000,1000000", help="comma-separated corpus sizes")
    ap.add_argument("--naive-max", type=int, default=100_000, help="largest size to run the naive recipe on")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--corpus", choices=["real", "generated"], default="real",
                    help="recombined real article bodies (default) or generate_corpus.py's corpus")
    ap.add_argument("--out", type=Path, default=None, help="default benchmarks/out/speed-<corpus>")
    args = ap.parse_args(argv)
    if args.stage_cpu:
        print(json.dumps(stage_cpu(args.stage_cpu, args.workers or 1)))
        return 0
    sizes = [int(s) for s in args.paragraphs.split(",") if s]
    args.out = args.out or HERE / "out" / f"speed-{args.corpus}"
    results = {"machine": machine_info(), "command": "python benchmarks/speed.py " + " ".join(argv or sys.argv[1:]),
               "compiled_hot_path": compiled_hot_path(), "runs": []}
    for size in sizes:
        out = args.out / f"p{size}"
        out.mkdir(parents=True, exist_ok=True)
        corpus, paragraphs = generate(size, out, args.seed, args.corpus)
        print(f"[{size}] corpus: {paragraphs} paragraphs", file=sys.stderr)
        load_before = os.getloadavg()
        run = {"target": size, "paragraphs": paragraphs, "syndetect": run_syndetect(corpus, out, args.workers)}
        print(f"[{size}] syndetect: {run['syndetect']['wall_s']:.1f} s wall, {run['syndetect'].get('cpu_s') or 0:.1f} s CPU, "
              f"{run['syndetect'].get('peak_pss_mb') or 0:.0f} MB peak PSS", file=sys.stderr)
        if size <= args.naive_max:
            run["naive"] = run_naive(corpus)
            run["speedup"] = run["naive"]["wall_s"] / run["syndetect"]["wall_s"]
            if run["naive"].get("cpu_s") and run["syndetect"].get("cpu_s"):
                run["speedup_cpu"] = run["naive"]["cpu_s"] / run["syndetect"]["cpu_s"]
            print(f"[{size}] naive: {run['naive']['wall_s']:.1f} s wall, {run['naive'].get('cpu_s') or 0:.1f} s CPU",
                  file=sys.stderr)
        run["load"] = [round(x, 2) for x in load_before] + [round(x, 2) for x in os.getloadavg()]
        results["runs"].append(run)
        args.out.mkdir(parents=True, exist_ok=True)  # after every size: a long run's first sizes survive it
        (args.out / "speed.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(render(results))
    return 0


def render(results: dict) -> str:
    lines = ["| paragraphs | syndetect wall (s) | paragraphs/s | peak PSS (MB) | peak RSS sum (MB) | report (MB) | clusters | pairs "
             "| CPU (s) | naive wall (s) | naive CPU (s) | naive peak RSS (MB) | speed-up wall / CPU | load avg 1-min before/after |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in results["runs"]:
        s = r["syndetect"]
        n = r.get("naive")
        load = r.get("load", [None] * 6)
        cpu = lambda x: f"{x:.1f}" if x else "—"  # noqa: E731
        naive = (f"| {n['wall_s']:.1f} | {cpu(n.get('cpu_s'))} | {n['peak_rss_mb']:.0f} | {r['speedup']:.1f}× / "
                 f"{r.get('speedup_cpu', 0):.1f}× " if n else "| — | — | — | — ")
        lines.append(
            f"| {r['paragraphs']:,} | {s['wall_s']:.1f} | {r['paragraphs'] / s['wall_s']:,.0f} | {s.get('peak_pss_mb') or 0:.0f} "
            f"| {s['peak_rss_mb']:.0f} | {s.get('report_mb', 0):.1f} | {s['clusters']:,} | {s.get('pairs', 0):,} "
            f"| {cpu(s.get('cpu_s'))} " + naive + f"| {load[0]} / {load[3]} |"
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
        keys = sorted({k for r in naive_runs for k in r["naive"]["timings"]} - {"paragraphs", "pairs"}) + ["pairs"]
        lines += ["", "Naive recipe per stage (seconds):", "", "| paragraphs | " + " | ".join(keys) + " |",
                  "|---:|" + "---:|" * len(keys)]
        for r in naive_runs:
            lines.append(f"| {r['paragraphs']:,} | " + " | ".join(f"{r['naive']['timings'].get(k, 0):.2f}" for k in keys) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
