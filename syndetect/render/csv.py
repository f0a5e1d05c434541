"""The report as tables: one CSV file per table in a directory (optionally Parquet too).

Tables (columns documented in the README, "CSV and Parquet"): ``documents``,
``clusters`` (one row per member), ``pairs``, ``outlets``, ``outlet_matrix``,
``boilerplate``, ``provenance``. Multi-valued cells are joined with ``"; "``
(evidence with ``" | "``). Cells are quoted as RFC 4180 says; a text cell
starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a
leading ``'`` so that a spreadsheet does not run it as a formula (Parquet
keeps the raw value).
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Any

from syndetect.errors import OutputError
from syndetect.model import Report
from syndetect.render.figures import gc_paused, outlet_figures

__all__ = ["report_tables", "write_csv", "TABLES"]

TABLES: dict[str, tuple[str, ...]] = {
    "documents": ("id", "source", "title", "outlet", "url", "published", "paragraphs", "content_chars",
                  "reused_fraction", "boilerplate_paragraphs", "upstream"),
    "clusters": ("cluster", "fingerprint", "words", "documents", "origin", "doc", "paragraph", "start", "end", "text"),
    "pairs": ("a", "b", "clusters", "a_paragraphs", "b_paragraphs", "a_reused_fraction", "b_reused_fraction"),
    "outlets": ("outlet", "documents", "paragraphs", "content_chars", "reused_chars", "reused_fraction", "clusters",
                "boilerplate_paragraphs", "from", "to"),
    "outlet_matrix": ("outlet", "other", "chars", "fraction"),
    "boilerplate": ("doc", "paragraph", "category", "rule", "reason", "text"),
    "provenance": ("source", "copy", "basis", "confidence", "evidence", "clusters"),
}

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _ranked(items) -> str:
    return "; ".join(f"{name} ({n})" for name, n in items)


def report_tables(report: Report) -> dict[str, list[tuple]]:
    """Each table as rows (tuples in the order of :data:`TABLES`); ``None`` is an empty cell."""
    outlets = outlet_figures(report)
    members = []
    for c in report.clusters:
        n_docs = len(c.docs)
        for m in c.members:
            members.append((c.id, c.fingerprint, c.words, n_docs, c.origin, m.doc, m.paragraph, m.start, m.end, m.text))
    return {
        "documents": [
            (d.id, d.source, d.title, d.outlet, d.url, d.published, d.paragraphs, d.content_chars, d.reused_fraction,
             d.boilerplate, "; ".join(d.upstream))
            for d in report.documents
        ],
        "clusters": members,
        "pairs": [(p.a, p.b, p.clusters, p.a_paragraphs, p.b_paragraphs, p.a_fraction, p.b_fraction)
                  for p in report.pairs],
        "outlets": [
            (o.outlet, o.documents, o.paragraphs, o.content_chars, o.reused_chars, o.reused_fraction, o.clusters,
             o.boilerplate_paragraphs, _ranked(o.sources), _ranked(o.copies))
            for o in outlets
        ],
        "outlet_matrix": [(o.outlet, other, n, f) for o in outlets for other, n, f in o.shared],
        "boilerplate": [(f.doc, f.paragraph, f.category, getattr(f, "rule", None), f.reason, f.text)
                        for f in report.boilerplate],
        "provenance": [(e.source, e.copy, e.basis, e.confidence, " | ".join(e.evidence), "; ".join(e.clusters))
                       for e in report.provenance],
    }


def _cell(v):
    if v is None:
        return ""
    if isinstance(v, str) and v.startswith(_FORMULA_START):
        return "'" + v
    return v


def _csv_bytes(columns: tuple[str, ...], rows: list[tuple]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    w.writerows([_cell(v) for v in row] for row in rows)
    return buf.getvalue().encode("utf-8", "replace")  # a lone surrogate (from a JSON escape) becomes ?


def write_csv(report: Report, directory: Path, *, parquet: bool = False) -> list[Path]:
    """Write every table into ``directory`` (created); returns the files written."""
    pa: Any = None
    pq: Any = None
    if parquet:
        try:
            import pyarrow as pa  # type: ignore[no-redef]
            import pyarrow.parquet as pq  # type: ignore[no-redef]
        except ImportError as exc:
            raise OutputError("--parquet needs pyarrow: pip install 'syndetect[parquet]'") from exc
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{directory}: cannot create the report directory: {exc.strerror or exc}") from exc
    written = []
    with gc_paused():
        tables = report_tables(report)
    for name, rows in tables.items():
        columns = TABLES[name]
        path = directory / f"{name}.csv"
        _atomic_write(path, _csv_bytes(columns, rows))
        written.append(path)
        if pq is not None:
            target = directory / f"{name}.parquet"
            table = pa.table({col: [row[i] for row in rows] for i, col in enumerate(columns)})
            try:
                pq.write_table(table, str(target))
            except OSError as exc:
                raise OutputError(f"{target}: cannot write: {exc}") from exc
            written.append(target)
    return written


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write the report: {exc.strerror or exc}") from exc
