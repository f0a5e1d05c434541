#!/usr/bin/env python3
"""``index add`` of two checkouts, alternately, on the same documents: CPU seconds, index size.

    python benchmarks/index_add_ab.py --before /tmp/syndetect-main --corpus corpus.jsonl --paragraphs 100000

Each round adds the first ``--paragraphs`` paragraphs of ``--corpus`` to a fresh
SQLite index with ``Index.add`` (one process, ``--workers`` mapping processes,
batches of 2,000 documents) in the ``--before`` checkout, then in ``--after``
(default: this tree), so both see the same load. Reports the CPU time of
``Index.add`` in the adding process (``process_time``: with ``--workers 1`` the
whole add), its wall time and the index size. Each checkout runs its own
``syndetect`` (``cwd`` = the checkout); run ``compileall`` / keep ``.pyc`` as you like,
the add itself dominates.

    python benchmarks/index_add_ab.py --before /tmp/syndetect-main --corpus corpus.jsonl --reprints 5000

instead adds ``--reprints`` documents that each reprint the corpus's first article
in full after a corpus article of their own, one document per ``Index.add`` (the
ingestion use: check, then add one article), and reports the CPU of the adds by
position (how an add's cost grows with the reprints already stored) and the bytes
it writes (``wchar`` of ``/proc/self/io``: the WAL and the checkpoints into the file).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

ADD = r"""
import json, sys, time
sys.path.insert(0, ".")  # this checkout's syndetect
from syndetect import Document, Index
from syndetect.pipeline.scan import paragraphs_of
docs, n = [], 0
with open(sys.argv[1], encoding="utf-8") as fh:  # as index_bench.read_corpus
    for line in fh:
        if n >= int(sys.argv[3]):
            break
        if line.strip():
            o = json.loads(line)
            d = Document(id=str(o["id"]), text=o["text"], source=sys.argv[1], title=o.get("title"),
                         outlet=o.get("outlet"), url=o.get("url"), published=o.get("published"))
            docs.append(d)
            n += len(paragraphs_of(d))
c = time.process_time()
with Index.open(sys.argv[2], create=True) as ix:
    r = ix.add(docs, batch_size=2000, workers=int(sys.argv[5]))
    s = ix.stats()
import syndetect
assert syndetect.__file__.startswith(sys.argv[4] or "."), syndetect.__file__
print(json.dumps({"paragraphs": r.paragraphs, "cpu_s": time.process_time() - c, "wall_s": r.seconds,
                  "size_bytes": s.size_bytes, "schema_version": s.schema_version}))
"""

REPRINTS = r"""
import json, sys, time
sys.path.insert(0, ".")
from syndetect import Document, Index
n = int(sys.argv[3])
with open(sys.argv[1], encoding="utf-8") as fh:
    rows = [json.loads(line) for _, line in zip(range(n + 1), fh)]
wire = rows[0]["text"]
def written():  # bytes this process passed to write(): the WAL, and the checkpoints into the file
    with open("/proc/self/io") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("wchar:"))
cpu, wrote = [], []
with Index.open(sys.argv[2], create=True) as ix:
    for i, o in enumerate(rows[1:]):
        d = Document(id=f"reprint-{i}", text=o["text"] + "\n\n" + wire, outlet=f"outlet{i}.example")
        c, w = time.process_time(), written()
        ix.add([d])
        cpu.append(time.process_time() - c)
        wrote.append(written() - w)
    s = ix.stats()
tenth = max(1, len(cpu) // 10)
print(json.dumps({"adds": len(cpu), "cpu_s": sum(cpu), "ms_by_tenth": [round(1000 * sum(cpu[k:k + tenth]) / tenth, 1)
      for k in range(0, len(cpu), tenth)], "kb_by_tenth": [round(sum(wrote[k:k + tenth]) / tenth / 1e3)
      for k in range(0, len(cpu), tenth)], "size_bytes": s.size_bytes,
      "schema_version": s.schema_version}))
"""


def reprints(args: argparse.Namespace, trees: dict[str, Path], work: Path) -> None:
    for rnd in range(args.rounds):
        for name, tree in trees.items():
            loc = work / f"{name}-{rnd}"
            proc = subprocess.run(
                [sys.executable, "-c", REPRINTS, str(args.corpus.resolve()), str(loc), str(args.reprints)],
                cwd=tree, capture_output=True, text=True,
            )
            if proc.returncode:
                raise SystemExit(f"{name} ({tree}) failed: {proc.stderr[-2000:]}")
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            print(f"| {name} round {rnd + 1} | {r['adds']:,} | {r['cpu_s']:.1f} | "
                  + " ".join(f"{m:g}" for m in r["ms_by_tenth"])
                  + " | " + " ".join(f"{k:g}" for k in r["kb_by_tenth"]) + f" | {r['size_bytes'] / 1e6:.1f} | {r['schema_version']}"
                  f" | {os.getloadavg()[0]:.1f} |", flush=True)
            shutil.rmtree(loc, ignore_errors=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--before", type=Path, required=True, help="a checkout of syndetect (e.g. main)")
    ap.add_argument("--after", type=Path, default=HERE.parent, help="another checkout (default: this tree)")
    ap.add_argument("--corpus", type=Path, required=True, help="JSONL corpus (generate_corpus.py's)")
    ap.add_argument("--paragraphs", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--reprints", type=int, default=0,
                    help="instead: this many documents reprinting one article, one document per add")
    args = ap.parse_args(argv)
    trees = {"before": args.before.resolve(), "after": args.after.resolve()}
    for name, tree in trees.items():
        if not (tree / "syndetect" / "__main__.py").is_file():
            ap.error(f"--{name} {tree}: not a checkout of syndetect")
    work = Path(tempfile.mkdtemp(prefix="syndetect-add-ab-"))
    results: dict[str, list[dict]] = {name: [] for name in trees}
    if args.reprints:
        print("| checkout | adds | CPU s | ms per add, by tenth of the adds | KB written per add, by tenth | size MB | schema | load |")
        print("|---|---:|---:|---|---:|---:|---:|---:|")
        try:
            reprints(args, trees, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return 0
    try:
        for rnd in range(args.rounds):
            for name, tree in trees.items():
                loc = work / f"{name}-{rnd}"
                proc = subprocess.run(
                    [sys.executable, "-c", ADD, str(args.corpus.resolve()), str(loc), str(args.paragraphs), str(tree),
                     str(args.workers)],
                    cwd=tree, capture_output=True, text=True,
                )
                if proc.returncode:
                    raise SystemExit(f"{name} ({tree}) failed: {proc.stderr[-2000:]}")
                r = json.loads(proc.stdout.strip().splitlines()[-1])
                r["load_1min"] = round(os.getloadavg()[0], 2)
                results[name].append(r)
                print(f"{name} round {rnd + 1}: {r['paragraphs']:,} paragraphs, add {r['cpu_s']:.1f} s CPU"
                      f" ({r['paragraphs'] / r['cpu_s']:,.0f} paragraphs per CPU-s), {r['wall_s']:.1f} s wall,"
                      f" {r['size_bytes'] / 1e6:.0f} MB, schema {r['schema_version']}, load {r['load_1min']}",
                      file=sys.stderr)
                shutil.rmtree(loc, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("| checkout | CPU s per round | wall s per round | size (MB) | schema |")
    print("|---|---|---|---:|---:|")
    for name, rs in results.items():
        cpu = ", ".join(f"{r['cpu_s']:.1f}" for r in rs)
        wall = ", ".join(f"{r['wall_s']:.1f}" for r in rs)
        print(f"| {name} ({trees[name]}) | {cpu} | {wall} | {rs[-1]['size_bytes'] / 1e6:.0f} | {rs[-1]['schema_version']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
