"""Read articles from files, directories, JSONL, CSV and stdin.

Bad input never stops a scan: each unreadable file or malformed line becomes
a :class:`~syndetect.model.Skipped` entry naming the file (and line) and the
rest of the corpus is read. Callers decide whether skipped inputs are fatal
(``scan --strict``, ``check``).
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from pathlib import Path
from typing import IO, Iterable, Iterator

from syndetect.model import Document, Skipped

__all__ = ["read_inputs", "read_jsonl", "read_csv", "read_text_file", "TEXT_SUFFIXES", "SUFFIXES"]

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
SUFFIXES = TEXT_SUFFIXES | {".jsonl", ".ndjson", ".csv"}
OPTIONAL_FIELDS = ("title", "outlet", "url", "published")
csv.field_size_limit(1 << 30)


def read_inputs(paths: Iterable[str], stdin: IO[str] | None = None) -> Iterator[Document | Skipped]:
    """Documents (or skip notices) from every path, in a deterministic order.

    Directories are walked recursively (sorted), taking files with a known
    suffix (``.txt .md .jsonl .csv`` ...); a file named explicitly is read
    whatever its suffix (unknown suffixes as one plain-text article).
    ``-`` reads JSONL from ``stdin``. Document ids must be unique: a repeated
    id is skipped with a message naming both places.
    """
    seen: dict[str, str] = {}
    for item in _expand(paths):
        if isinstance(item, Skipped):
            yield item
            continue
        for doc in _read_one(item, stdin):
            if isinstance(doc, Document):
                if doc.id in seen:
                    where, line = _split_source(doc.source)
                    yield Skipped(where, f"duplicate document id {doc.id!r} (first read from {seen[doc.id]})", line)
                    continue
                seen[doc.id] = doc.source
            yield doc


def _split_source(source: str) -> tuple[str, int | None]:
    head, _, tail = source.rpartition(":")
    if head and tail.isdigit():
        return head, int(tail)
    return source, None


def _expand(paths: Iterable[str]) -> Iterator[str | Skipped]:
    for raw in paths:
        if raw == "-":
            yield raw
            continue
        path = Path(raw)
        if path.is_dir():
            found = []
            for root, dirs, files in os.walk(path, onerror=None):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in files:
                    if Path(name).suffix.lower() in SUFFIXES and not name.startswith("."):
                        found.append(os.path.join(root, name))
            for f in sorted(found):
                yield f
        elif path.exists():
            yield raw
        else:
            yield Skipped(raw, "no such file or directory")


def _read_one(path: str, stdin: IO[str] | None) -> Iterator[Document | Skipped]:
    if path == "-":
        stream = stdin if stdin is not None else sys.stdin
        yield from read_jsonl(stream, "<stdin>")
        return
    suffix = Path(path).suffix.lower()
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        yield Skipped(path, f"cannot read: {exc.strerror or exc}")
        return
    if not data.strip():
        yield Skipped(path, "empty file")
        return
    if b"\x00" in data[:8192]:
        yield Skipped(path, "binary file (contains NUL bytes)")
        return
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield Skipped(path, f"not UTF-8 text (invalid byte 0x{data[exc.start]:02x} at offset {exc.start})")
        return
    if suffix in (".jsonl", ".ndjson"):
        yield from read_jsonl(io.StringIO(text), path)
    elif suffix == ".csv":
        yield from read_csv(io.StringIO(text, newline=""), path)
    else:
        yield read_text_file(text, path)


def read_text_file(text: str, path: str) -> Document | Skipped:
    """One article per file; id = file stem; Markdown/YAML front matter read for metadata."""
    meta: dict[str, str] = {}
    if text.startswith("---\n") or text.startswith("---\r\n"):
        end = text.find("\n---", 4)
        if end != -1:
            for line in text[4:end].splitlines():
                key, sep, value = line.partition(":")
                if sep and key.strip().lower() in (*OPTIONAL_FIELDS, "date", "id"):
                    meta[key.strip().lower()] = value.strip().strip("\"'")
            nl = text.find("\n", end + 4)
            text = text[nl + 1 :] if nl != -1 else ""
    if not text.strip():
        return Skipped(path, "no article text")
    return Document(
        id=meta.get("id") or Path(path).stem,
        text=text,
        source=path,
        title=meta.get("title"),
        outlet=meta.get("outlet"),
        url=meta.get("url"),
        published=meta.get("published") or meta.get("date"),
    )


def _record(obj: object, source: str, line: int) -> Document | Skipped:
    if not isinstance(obj, dict):
        return Skipped(source, f"expected a JSON object, got {type(obj).__name__}", line)
    for key in ("id", "text"):
        if key not in obj or obj[key] is None or obj[key] == "":
            return Skipped(source, f"missing required field {key!r}", line)
    doc_id, text = obj["id"], obj["text"]
    if not isinstance(doc_id, (str, int)) or isinstance(doc_id, bool):
        return Skipped(source, "field 'id' must be a string or integer", line)
    if not isinstance(text, str):
        return Skipped(source, "field 'text' must be a string", line)
    if not text.strip():
        return Skipped(source, "field 'text' is blank", line)
    extra = {}
    for key in OPTIONAL_FIELDS:
        value = obj.get(key)
        if value is not None and not isinstance(value, str):
            value = str(value)
        extra[key] = value or None
    return Document(id=str(doc_id), text=text, source=f"{source}:{line}", **extra)


def read_jsonl(stream: IO[str], source: str) -> Iterator[Document | Skipped]:
    """One article per line: ``id`` and ``text`` required."""
    for number, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Skipped(source, f"invalid JSON: {exc.msg} (column {exc.colno})", number)
            continue
        yield _record(obj, source, number)


def read_csv(stream: IO[str], source: str) -> Iterator[Document | Skipped]:
    """A header row, then one article per record: ``id`` and ``text`` columns required."""
    reader = csv.DictReader(stream, strict=True)
    try:
        header = reader.fieldnames
    except csv.Error as exc:
        yield Skipped(source, f"malformed CSV header: {exc}", 1)
        return
    missing = [c for c in ("id", "text") if not header or c not in header]
    if missing:
        yield Skipped(source, f"CSV header lacks required column(s): {', '.join(missing)}", 1)
        return
    while True:
        start = reader.line_num + 1  # a record may span lines: report where it starts
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            # the reader cannot find the next record boundary after this
            yield Skipped(source, f"malformed CSV record ({exc}); the rest of the file is not read", start)
            return
        if None in row:
            yield Skipped(source, "more fields than the header names", start)
            continue
        yield _record(row, source, start)
