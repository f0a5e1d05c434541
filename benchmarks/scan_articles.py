#!/usr/bin/env python3
"""Benchmark ``syndetect scan`` on the real-article fixture.

Prepares the two datasets of :mod:`prepare_datasets` (clean article bodies and
whole pages with their chrome), runs

    python -m syndetect scan <input.jsonl> --format json -o <report.json> --quiet

on each one as a measured child process, and prints a markdown table (input,
documents, paragraphs, clusters, boilerplate flags, wall time, peak RSS).

It also reports

* **content flags** -- every boilerplate entry in the *bodies* report is a flag
  on clean article prose (the bodies contain no chrome), so all of them are
  false positives; counted with a breakdown by ``category``;
* the top boilerplate categories on the *pages* report.

Everything is written to ``<out>/articles.json``.

Usage::

    python benchmarks/scan_articles.py [--out benchmarks/out] [--skip-prepare]
                                       [--limit N] [--timeout S]
                                       [--syndetect "python -m syndetect"]
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import shlex
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from _measure import machine_info, run_measured  # noqa: E402

INPUTS = ("bodies", "pages")
REPORT_KEYS = ("documents", "clusters", "boilerplate", "provenance", "parameters", "version")
STDERR_TAIL = 4000
EXAMPLES = 10


class ScanError(RuntimeError):
    pass


def count_lines(path: Path) -> int:
    with open(path, "rb") as fh:
        return sum(1 for line in fh if line.strip())


def _paragraph_count(doc: dict) -> int:
    value = doc.get("paragraphs", 0)
    if isinstance(value, (list, tuple)):
        return len(value)
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _category(entry: dict) -> str:
    cat = entry.get("category")
    return str(cat) if cat not in (None, "") else "(none)"


def _short(text: str | None, n: int = 120) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


def load_report(path: Path) -> tuple[dict, list[str]]:
    """Read a syndetect JSON report; return it with a list of contract problems."""
    if not path.exists():
        raise ScanError(f"report {path} was not written")
    try:
        with open(path, encoding="utf-8") as fh:
            report = json.load(fh)
    except json.JSONDecodeError as exc:
        raise ScanError(f"report {path} is not valid JSON: {exc}") from exc
    if not isinstance(report, dict):
        raise ScanError(f"report {path}: expected one JSON object, got {type(report).__name__}")
    problems = [f"missing key {k!r}" for k in REPORT_KEYS if k not in report]
    for key in ("documents", "clusters", "boilerplate"):
        if key in report and not isinstance(report[key], list):
            problems.append(f"{key!r} is not a list")
    return report, problems


def summarize_report(report: dict) -> dict:
    """Counts from a report following the syndetect JSON contract."""
    docs = [d for d in report.get("documents") or [] if isinstance(d, dict)]
    clusters = [c for c in report.get("clusters") or [] if isinstance(c, dict)]
    boiler = [b for b in report.get("boilerplate") or [] if isinstance(b, dict)]
    paragraphs = sum(_paragraph_count(d) for d in docs)
    by_cat = Counter(_category(b) for b in boiler)
    flagged_docs = {b.get("doc") for b in boiler}
    member_docs = Counter()
    n_members = 0
    for c in clusters:
        members = c.get("members") or []
        n_members += len(members)
        member_docs.update({m.get("doc") for m in members if isinstance(m, dict)})
    reused = [d.get("reused_fraction") for d in docs if isinstance(d.get("reused_fraction"), (int, float))]
    return {
        "documents": len(docs),
        "paragraphs": paragraphs,
        "clusters": len(clusters),
        "cluster_members": n_members,
        "documents_in_clusters": len(member_docs),
        "boilerplate_flags": len(boiler),
        "boilerplate_by_category": dict(by_cat.most_common()),
        "documents_with_boilerplate": len(flagged_docs),
        "boilerplate_fraction_of_paragraphs": round(len(boiler) / paragraphs, 4) if paragraphs else None,
        "mean_reused_fraction": round(sum(reused) / len(reused), 4) if reused else None,
        "version": report.get("version"),
        "parameters": report.get("parameters"),
    }


def content_flags(report: dict) -> dict:
    """Boilerplate flags on the clean bodies: every one is a false positive."""
    boiler = [b for b in report.get("boilerplate") or [] if isinstance(b, dict)]
    by_cat = Counter(_category(b) for b in boiler)
    texts = Counter(_short(b.get("text")) for b in boiler)
    examples = []
    seen = set()
    for b in boiler:
        key = (_category(b), _short(b.get("text")))
        if key in seen:
            continue
        seen.add(key)
        examples.append({
            "doc": b.get("doc"),
            "paragraph": b.get("paragraph"),
            "category": _category(b),
            "reason": b.get("reason"),
            "text": _short(b.get("text"), 200),
            "occurrences": texts[_short(b.get("text"))],
        })
    examples.sort(key=lambda e: (-e["occurrences"], e["category"], str(e["doc"])))
    paragraphs = sum(_paragraph_count(d) for d in report.get("documents") or [] if isinstance(d, dict))
    return {
        "total": len(boiler),
        "by_category": dict(by_cat.most_common()),
        "documents_affected": len({b.get("doc") for b in boiler}),
        "fraction_of_paragraphs": round(len(boiler) / paragraphs, 4) if paragraphs else None,
        "examples": examples[:EXAMPLES],
    }


def top_categories(report: dict, n: int = 10) -> list[dict]:
    boiler = [b for b in report.get("boilerplate") or [] if isinstance(b, dict)]
    by_cat = Counter(_category(b) for b in boiler)
    out = []
    for cat, count in by_cat.most_common(n):
        sample = Counter(_short(b.get("text"), 80) for b in boiler if _category(b) == cat).most_common(3)
        out.append({"category": cat, "count": count, "most_common_texts": [t for t, _ in sample]})
    return out


def prepare_in_child(out_dir: Path, limit: int | None) -> dict:
    """Run prepare_datasets.py as a child process (measured) and return its summary.

    Done out of process so this (measuring) process stays small: the
    ``ru_maxrss`` cross-check of :func:`_measure.run_measured` is only
    usable for children that peak above the parent's own peak.
    """
    summary_path = out_dir / "prepare-summary.json"
    if summary_path.exists():
        summary_path.unlink()
    cmd = [sys.executable, str(HERE / "prepare_datasets.py"), "--out", str(out_dir),
           "--summary-json", str(summary_path)]
    if limit is not None:
        cmd += ["--limit", str(limit)]
    measured = run_measured(cmd, cwd=REPO_ROOT)
    if measured["stderr"].strip():
        sys.stderr.write(measured["stderr"])
    if measured["returncode"] != 0 or not summary_path.exists():
        raise ScanError(f"exit status {measured['returncode']} from {shlex.join(cmd)}", measured)
    with open(summary_path, encoding="utf-8") as fh:
        summary = json.load(fh)
    summary["process"] = {k: measured[k] for k in ("wall_s", "peak_rss_mb", "returncode")}
    return summary


def run_scan(base_cmd: list[str], jsonl: Path, report_path: Path, timeout: float | None) -> dict:
    """Run syndetect on one input, measured; raise ScanError on any failure."""
    if report_path.exists():
        report_path.unlink()
    cmd = [*base_cmd, "scan", str(jsonl), "--format", "json", "-o", str(report_path), "--quiet"]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH")) if p)
    try:
        measured = run_measured(cmd, cwd=REPO_ROOT, env=env, timeout=timeout)
    except OSError as exc:
        raise ScanError(f"cannot start {shlex.join(cmd)}: {exc}") from exc
    measured["command"] = shlex.join(cmd)
    if measured["timed_out"]:
        raise ScanError(f"timed out after {timeout} s", measured)
    if measured["returncode"] != 0:
        raise ScanError(f"exit status {measured['returncode']}", measured)
    return measured


def _fmt(value, spec: str = "") -> str:
    if value is None:
        return "–"
    return format(value, spec) if spec else str(value)


def markdown_table(rows: list[dict]) -> str:
    lines = [
        "| input | documents | paragraphs | clusters | boilerplate flags | wall time (s) | peak RSS (MB) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        s = r.get("summary") or {}
        m = r.get("measure") or {}
        name = r["input"] if not r.get("error") else f"{r['input']} (FAILED)"
        lines.append(
            f"| {name} | {_fmt(s.get('documents'))} | {_fmt(s.get('paragraphs'))} | {_fmt(s.get('clusters'))} "
            f"| {_fmt(s.get('boilerplate_flags'))} | {_fmt(m.get('wall_s'), '.2f')} "
            f"| {_fmt(m.get('peak_rss_mb'), '.1f')} |"
        )
    return "\n".join(lines)


def markdown_details(rows: list[dict]) -> str:
    out = []
    for r in rows:
        if r["input"] == "bodies" and r.get("content_flags"):
            cf = r["content_flags"]
            frac = cf["fraction_of_paragraphs"]
            out.append(
                f"**Content flags (boilerplate flags on clean bodies, all false positives):** {cf['total']}"
                + (f" ({frac:.2%} of paragraphs, {cf['documents_affected']} documents)" if frac is not None else "")
            )
            if cf["by_category"]:
                out.append("")
                out.append("| category | flags |")
                out.append("|---|---:|")
                out.extend(f"| {c} | {n} |" for c, n in cf["by_category"].items())
            out.append("")
        if r["input"] == "pages" and r.get("top_categories") is not None:
            out.append("**Top boilerplate categories on whole pages:**")
            out.append("")
            if r["top_categories"]:
                out.append("| category | flags | most common text |")
                out.append("|---|---:|---|")
                for t in r["top_categories"]:
                    example = (t["most_common_texts"] or [""])[0].replace("|", "\\|")
                    out.append(f"| {t['category']} | {t['count']} | {example} |")
            else:
                out.append("(none)")
            out.append("")
    return "\n".join(out).rstrip()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Benchmark syndetect scan on real article bodies and whole pages.")
    ap.add_argument("--out", default=str(HERE / "out"), help="output directory (default: benchmarks/out)")
    ap.add_argument("--skip-prepare", action="store_true", help="reuse existing bodies.jsonl / pages.jsonl")
    ap.add_argument("--limit", type=int, default=None, help="convert only the first N pages (quick runs)")
    ap.add_argument("--timeout", type=float, default=1800.0, help="per-scan timeout in seconds")
    ap.add_argument("--syndetect", default=None,
                    help='command that runs the CLI (default: "<this python> -m syndetect")')
    ap.add_argument("--inputs", default=",".join(INPUTS), help="comma-separated subset of: bodies,pages")
    args = ap.parse_args(argv)

    out_dir = Path(args.out).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    base_cmd = shlex.split(args.syndetect) if args.syndetect else [sys.executable, "-m", "syndetect"]
    inputs = [i.strip() for i in args.inputs.split(",") if i.strip()]
    unknown = [i for i in inputs if i not in INPUTS]
    if unknown:
        ap.error(f"unknown inputs: {unknown}")

    result: dict = {
        "benchmark": "scan_articles",
        "started": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "machine": machine_info(),
        "dataset": "fixtures/article-extraction-benchmark (MIT, see its LICENSE)",
    }

    if args.skip_prepare:
        missing = [str(out_dir / f"{i}.jsonl") for i in inputs if not (out_dir / f"{i}.jsonl").exists()]
        if missing:
            print(f"scan_articles: --skip-prepare but missing {missing}", file=sys.stderr)
            return 2
        result["prepare"] = None
    else:
        print("Preparing datasets...", file=sys.stderr)
        try:
            result["prepare"] = prepare_in_child(out_dir, args.limit)
        except ScanError as exc:
            print(f"scan_articles: preparing the datasets failed: {exc.args[0]}", file=sys.stderr)
            return 2
        p = result["prepare"]["pages"]
        print(f"  bodies: {result['prepare']['bodies']['documents']} docs; pages: {p['documents']} docs "
              f"converted in {p['seconds']:.2f} s ({len(p['failed'])} failed)", file=sys.stderr)

    rows = []
    failures = 0
    for name in inputs:
        jsonl = out_dir / f"{name}.jsonl"
        report_path = out_dir / f"report-{name}.json"
        row: dict = {"input": name, "jsonl": str(jsonl), "jsonl_documents": count_lines(jsonl),
                     "report": str(report_path)}
        print(f"Scanning {name} ({row['jsonl_documents']} documents)...", file=sys.stderr)
        try:
            measured = run_scan(base_cmd, jsonl, report_path, args.timeout)
            row["measure"] = {k: v for k, v in measured.items() if k not in ("stdout", "stderr", "cmd")}
            report, problems = load_report(report_path)
            if problems:
                row["contract_problems"] = problems
                print(f"scan_articles: {name}: report does not follow the JSON contract: {problems}",
                      file=sys.stderr)
            row["summary"] = summarize_report(report)
            if name == "bodies":
                row["content_flags"] = content_flags(report)
            if name == "pages":
                row["top_categories"] = top_categories(report)
        except ScanError as exc:
            failures += 1
            measured = exc.args[1] if len(exc.args) > 1 else {}
            row["error"] = str(exc.args[0])
            if measured:
                row["measure"] = {k: v for k, v in measured.items() if k not in ("stdout", "stderr", "cmd")}
                row["stderr_tail"] = measured.get("stderr", "")[-STDERR_TAIL:]
                row["stdout_tail"] = measured.get("stdout", "")[-STDERR_TAIL:]
            print(f"scan_articles: syndetect scan failed on {name}: {row['error']}", file=sys.stderr)
            if measured:
                print(f"  command: {measured.get('command')}", file=sys.stderr)
                tail = row["stderr_tail"].rstrip() or "(no stderr)"
                print("  ---- syndetect stderr (tail) ----", file=sys.stderr)
                print("  " + tail.replace("\n", "\n  "), file=sys.stderr)
                print("  ---------------------------------", file=sys.stderr)
        rows.append(row)

    table = markdown_table(rows)
    details = markdown_details(rows)
    result["runs"] = rows
    result["markdown"] = table + ("\n\n" + details if details else "")
    result["ok"] = failures == 0
    out_json = out_dir / "articles.json"
    with open(out_json, "w", encoding="utf-8") as fh:
        json.dump(result, fh, indent=2, ensure_ascii=False)
        fh.write("\n")

    print(table)
    if details:
        print()
        print(details)
    print(f"\nWrote {out_json}", file=sys.stderr)
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
