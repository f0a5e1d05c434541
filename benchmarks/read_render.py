"""The scan's two ends alone: reading a JSONL corpus, and writing a finished report as compact JSON.

    python benchmarks/read_render.py read CORPUS.jsonl            # CPU seconds of read_inputs, documents
    python benchmarks/read_render.py dump CORPUS.jsonl REPORT.pkl # scan (2 workers) and pickle the Report
    python benchmarks/read_render.py render REPORT.pkl OUT.json   # write it as `scan -o OUT.json` does

``PYTHONPATH`` picks the tree to time (e.g. ``main`` exported with ``git archive``). Each prints one
JSON line: CPU and wall seconds, and for ``render`` the process's peak RSS and the sha256 of the bytes
written (the same digest = the same report file).
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import importlib
import json
import pickle
import resource
import time
from pathlib import Path


def read(corpus: str) -> dict:
    from syndetect.readers.inputs import read_inputs

    gc.disable()
    t, c = time.perf_counter(), time.process_time()
    n = sum(1 for _ in read_inputs([corpus]))
    return {"items": n, "cpu_s": round(time.process_time() - c, 2), "wall_s": round(time.perf_counter() - t, 2)}


def dump(corpus: str, out: str) -> dict:
    from syndetect.pipeline.scan import scan
    from syndetect.readers.inputs import read_inputs

    gc.disable()
    report = scan(read_inputs([corpus]), workers=2)
    with open(out, "wb") as fh:
        pickle.dump(report, fh, protocol=5)
    return {"clusters": len(report.clusters)}


def render(path: str, out: str) -> dict:
    app = importlib.import_module("syndetect.cli.app")
    from syndetect.render.json import json_chunks

    gc.disable()
    with open(path, "rb") as fh:
        report = pickle.load(fh)
    gc.freeze()  # as the console script leaves the finished report (cli.app._keep_until_exit)
    t, c = time.perf_counter(), time.process_time()
    app._write(json_chunks(report, pretty=False), Path(out))
    return {"cpu_s": round(time.process_time() - c, 2), "wall_s": round(time.perf_counter() - t, 2),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
            "sha256": hashlib.sha256(Path(out).read_bytes()).hexdigest()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("read").add_argument("corpus")
    d = sub.add_parser("dump")
    d.add_argument("corpus")
    d.add_argument("out")
    r = sub.add_parser("render")
    r.add_argument("report")
    r.add_argument("out")
    a = ap.parse_args()
    if a.cmd == "read":
        print(json.dumps(read(a.corpus)))
    elif a.cmd == "dump":
        print(json.dumps(dump(a.corpus, a.out)))
    else:
        print(json.dumps(render(a.report, a.out)))


if __name__ == "__main__":
    main()
