#!/usr/bin/env python3
"""HTML report benchmark: file size and time to open in headless Chromium.

    python benchmarks/html_report.py --paragraphs 10000,100000

For each size it generates a syndicated corpus (``generate_corpus.py``,
about ten paragraphs an article; reused if ``benchmarks/out/html/pN`` holds
one), scans it in-process, renders ``report.html`` and measures:

* scan and render time, the file size and what it is made of (paragraph
  contexts, clusters, documents, boilerplate, page code);
* the file opened in headless Chromium (``--dump-dom``): wall time from
  browser start to the rendered DOM, the page script's own time
  (``data-render-ms``: JSON.parse, tables, first page of clusters), and any
  console message; the same browser on an empty page, for its start-up cost;
* a screenshot (``benchmarks/out/html/pN/report.png``).

Writes ``benchmarks/out/html/results.json`` and prints the markdown table
copied into ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _browser import dump_dom, screenshot  # noqa: E402
from _measure import machine_info, run_measured  # noqa: E402


def generate(target_paragraphs: int, out: Path, seed: int) -> Path:
    corpus = out / "corpus.jsonl"
    if not corpus.exists():
        articles = max(10, target_paragraphs // 10)
        res = run_measured([sys.executable, str(HERE / "generate_corpus.py"), "--articles", str(articles),
                            "--seed", str(seed), "--out", str(out), "--quiet"])
        if res["returncode"] != 0:
            raise SystemExit(f"generator failed:\n{res['stderr'][-2000:]}")
    return corpus


def measure(target: int, out_root: Path, seed: int, workers: int | None) -> dict:
    from syndetect import Params, read_inputs, scan
    from syndetect.render.html import _asset, html_bytes, html_payload, script_json

    out = out_root / f"p{target}"
    corpus = generate(target, out, seed)
    t = time.perf_counter()
    report = scan(read_inputs([str(corpus)]), Params(), workers=workers)
    scan_s = time.perf_counter() - t
    t, cpu = time.perf_counter(), time.process_time()
    data = html_bytes(report)
    render_s, render_cpu_s = time.perf_counter() - t, time.process_time() - cpu
    path = out / "report.html"
    path.write_bytes(data)
    payload = html_payload(report)
    parts = {k: len(script_json(payload[k]).encode("utf-8")) for k in ("contexts", "clusters", "docs", "boilerplate", "prov", "outlets")}
    parts["page code (css+js)"] = len(_asset("report.js").encode()) + len(_asset("report.css").encode())

    empty = out / "empty.html"
    empty.write_text("<!DOCTYPE html><html><body>empty</body></html>", encoding="utf-8")
    dump_dom(empty)  # warm the disk cache for the browser binary
    base = min(dump_dom(empty).seconds for _ in range(2))
    opens = []
    for _ in range(3):
        page = dump_dom(path, timeout=120)
        m = re.search(r'data-render-ms="(\d+)"', page.dom)
        r = re.search(r'data-ready-ms="(\d+)"', page.dom)
        ready = 'data-ready="1"' in page.dom
        opens.append({"wall_s": round(page.seconds, 3), "render_ms": int(m.group(1)) if m else None,
                      "ready_ms": int(r.group(1)) if r else None, "ready": ready, "console": page.console})
    shot = out / "report.png"
    screenshot(path, shot, width=1400, height=1800, timeout=120)
    paragraphs = sum(d.paragraphs for d in report.documents)
    members = sum(len(c.members) for c in report.clusters)
    return {
        "target": target, "documents": len(report.documents), "paragraphs": paragraphs,
        "clusters": len(report.clusters), "members": members, "boilerplate": len(report.boilerplate),
        "scan_s": round(scan_s, 2), "render_s": round(render_s, 2), "render_cpu_s": round(render_cpu_s, 2),
        "html_bytes": len(data), "bytes_per_paragraph": round(len(data) / max(1, paragraphs), 1), "parts": parts,
        "browser_empty_page_s": round(base, 3), "opens": opens,
        "open_wall_s_median": sorted(o["wall_s"] for o in opens)[1],
        "render_ms_median": sorted(o["render_ms"] or 0 for o in opens)[1],
        "ready_ms_median": sorted(o["ready_ms"] or 0 for o in opens)[1],
        "all_ready_no_console": all(o["ready"] and not o["console"] for o in opens),
        "screenshot": str(shot),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--paragraphs", default="10000,100000", help="comma-separated corpus sizes")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--out", type=Path, default=HERE / "out" / "html")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    for target in [int(x) for x in args.paragraphs.split(",") if x]:
        r = measure(target, args.out, args.seed, args.workers)
        rows.append(r)
        print(json.dumps(r), file=sys.stderr)
    result = {"machine": machine_info(), "command": "python benchmarks/html_report.py " + " ".join(argv or sys.argv[1:]),
              "rows": rows}
    (args.out / "results.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    print("| paragraphs | documents | clusters | members | HTML size | bytes/paragraph | scan (s) | render wall / CPU (s) "
          "| page ready after navigation (s) | of which page script (ms) | chromium process: start to DOM dumped (s) "
          "| same, empty page (s) | console |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        print(f"| {r['paragraphs']:,} | {r['documents']:,} | {r['clusters']:,} | {r['members']:,} "
              f"| {r['html_bytes'] / 1e6:.1f} MB | {r['bytes_per_paragraph']:.0f} | {r['scan_s']:.1f} | {r['render_s']:.2f} / {r['render_cpu_s']:.2f} "
              f"| {r['ready_ms_median'] / 1000:.2f} | {r['render_ms_median']} | {r['open_wall_s_median']:.2f} "
              f"| {r['browser_empty_page_s']:.2f} "
              f"| {'none' if r['all_ready_no_console'] else 'ERRORS'} |")
    print()
    for r in rows:
        print(f"{r['paragraphs']:,} paragraphs, bytes by part: " +
              ", ".join(f"{k} {v / 1e6:.1f} MB" for k, v in r["parts"].items()))
    return 0 if all(r["all_ready_no_console"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
