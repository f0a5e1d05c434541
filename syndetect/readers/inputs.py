"""Read articles from files, directories and stdin, through the reader registry.

Bad input never stops a scan: each unreadable file or malformed line becomes
a :class:`~syndetect.model.Skipped` entry naming the file (and line) and the
rest of the corpus is read. Callers decide whether skipped inputs are fatal
(``scan --strict``, ``check``), and ask :meth:`Inputs.why_empty` why nothing
was read when nothing was.
"""

from __future__ import annotations

import os
import stat
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import IO

from syndetect.model import Skipped
from syndetect.readers import compression
from syndetect.readers.base import (
    HEAD_BYTES,
    Item,
    Reader,
    ReaderOptions,
    Source,
    known_suffixes,
    reader_for_suffix,
    skip,
    sniff_reader,
)
from syndetect.readers.html import HTML, extract_file_task
from syndetect.readers.ids import assign_file_ids, path_id
from syndetect.readers.jsonl import read_jsonl
from syndetect.readers.table import read_csv  # noqa: F401  (re-exported)
from syndetect.readers.text import TEXT, read_text_file  # noqa: F401  (re-exported)
from syndetect.readers.warc import WARC

__all__ = ["read_inputs", "Inputs", "read_jsonl", "read_csv", "read_text_file", "TEXT_SUFFIXES", "SUFFIXES"]

TEXT_SUFFIXES = set(TEXT.suffixes)
SUFFIXES = known_suffixes()


def _split_source(source: str) -> tuple[str, int | None]:
    head, _, tail = source.rpartition(":")
    if head and tail.isdigit():
        return head, int(tail)
    return source, None


def _format_suffix(name: str) -> str:
    return compression.strip_suffixes(name)[1]


class Inputs:
    """Documents (or skip notices) from every path, in a deterministic order; iterate once.

    Directories are walked recursively (sorted; hidden names left out),
    taking files whose format suffix a reader knows, compressed or not
    (``.txt .md .html .warc .jsonl .csv .tsv`` …, ``page.html.gz``); a file
    named explicitly is read whatever its suffix (an unknown one by content:
    WARC, HTML, JSONL, else plain text). ``-`` reads JSONL from ``stdin``.
    Ids follow :mod:`syndetect.readers.ids`; a record id seen before is
    skipped with a message naming both places.
    """

    def __init__(
        self, paths: Iterable[str], stdin: IO[str] | None = None, options: ReaderOptions | None = None,
        progress: Callable[[str, int, int | None], None] | None = None,
    ) -> None:
        self.paths = list(paths)
        self.stdin = stdin
        self.options = options or ReaderOptions()
        self.documents = 0
        self.skipped: list[Skipped] = []
        self.ignored: Counter[str] = Counter()  # suffix -> files in directories no reader takes
        self.passed_over: Counter[str] = Counter()  # WARC records that are not pages
        self.files = 0
        self.progress = progress  # progress("read", documents so far, None): reading has no known total
        self._used = False
        self._file_ids: dict[str, str] = {}

    # --- expansion ----------------------------------------------------
    def _expand(self) -> list[tuple[str, bool] | Skipped]:
        out: list[tuple[str, bool] | Skipped] = []
        suffixes = known_suffixes()
        for raw in self.paths:
            if raw == "-":
                out.append((raw, True))
                continue
            path = Path(raw)
            if path.is_dir():
                found: list[str] = []
                errors: list[Skipped] = []

                def onerror(exc: OSError, errors: list[Skipped] = errors, raw: str = raw) -> None:
                    errors.append(skip(exc.filename or raw, f"cannot read directory: {exc.strerror or exc}"))

                for root, dirs, files in os.walk(path, onerror=onerror):
                    dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                    for name in files:
                        if name.startswith("."):
                            continue
                        suffix = _format_suffix(name)
                        if suffix in suffixes:
                            found.append(os.path.join(root, name))
                        else:
                            self.ignored[Path(name).suffix.lower() if suffix == "" else _shown_suffix(name)] += 1
                out.extend((f, False) for f in sorted(found))
                errors.sort(key=lambda s: s.source)
                out.extend(errors)
            elif path.exists() or path.is_symlink():
                out.append((raw, True))
            else:
                out.append(skip(raw, "no such file or directory"))
        return out

    # --- reading one file ---------------------------------------------
    def _source(self, path: str, doc_id: str) -> tuple[Reader, Source] | Skipped:
        try:
            st = os.stat(path)
        except OSError as exc:
            return skip(path, f"cannot read: {exc.strerror or exc}")
        if not stat.S_ISREG(st.st_mode):
            return skip(path, "not a regular file (a FIFO, socket or device is not read)")
        if st.st_size > MAX_DOCUMENT_BYTES and _format_suffix(os.path.basename(path)) not in _STREAMED:
            return skip(path, f"larger than the {MAX_DOCUMENT_BYTES >> 20} MB per-document limit; not read")
        try:
            with open(path, "rb") as raw:
                magic = raw.read(8)
        except OSError as exc:
            return skip(path, f"cannot read: {exc.strerror or exc}")
        kind = compression.detect(magic)
        src = Source(path, doc_id, kind)
        try:
            with src.open() as stream:
                src.head = stream.read(HEAD_BYTES)
        except OSError as exc:
            if isinstance(exc, (PermissionError, FileNotFoundError)):
                return skip(path, f"cannot read: {exc.strerror or exc}")
            return skip(path, f"corrupt {kind} data: {exc}")
        except Exception as exc:  # lzma/bz2/zstd errors
            return skip(path, f"corrupt {kind} data: {exc}")
        reader = reader_for_suffix(_format_suffix(os.path.basename(path)))
        if reader is None:  # a known suffix decides; an unknown one (named explicitly): the content
            reader = sniff_reader(src.head) or TEXT
        return reader, src

    def __iter__(self) -> Iterator[Item]:
        if self._used:
            raise RuntimeError("Inputs can be iterated once")
        self._used = True
        seen: dict[str, str] = {}
        for item in self._items():
            if isinstance(item, Skipped):
                self.skipped.append(item)
                yield item
                continue
            if item.id in seen:
                if self._file_ids.get(item.source) == item.id:  # a file whose stem a record took: its path
                    for fallback in (path_id(item.source), path_id(item.source, keep_suffix=True)):
                        if fallback not in seen:
                            item = replace(item, id=fallback)
                            break
                if item.id in seen:
                    where, line = _split_source(item.source)
                    s = skip(where, f"duplicate document id {item.id!r} (first read from {seen[item.id]})", line)
                    self.skipped.append(s)
                    yield s
                    continue
            seen[item.id] = item.source
            self.documents += 1
            if self.progress is not None and self.documents % 8 == 0:
                self.progress("read", self.documents, None)
            yield item
        if self.progress is not None:
            self.progress("read", self.documents, self.documents)

    def _items(self) -> Iterator[Item]:
        from syndetect.pipeline.executors import SerialExecutor, make_executor

        entries = self._expand()
        files = [e[0] for e in entries if not isinstance(e, Skipped) and e[0] != "-"]
        ids = self._file_ids = assign_file_ids(files)
        heavy = sum(1 for f in files if _format_suffix(os.path.basename(f)) in HTML.suffixes)
        has_warc = any(_format_suffix(os.path.basename(f)) in WARC.suffixes for f in files)
        use_pool = heavy >= self.options.pool_min or has_warc
        executor = make_executor(self.options.workers) if use_pool else SerialExecutor()
        try:
            yield from self._read_all(entries, ids, executor)
        finally:
            executor.close()

    def _read_all(self, entries, ids, executor) -> Iterator[Item]:
        """Runs of HTML files go to the executor (in order, a bounded number in flight); other inputs are read here."""
        run: list[tuple] = []

        def flush() -> Iterator[Item]:
            if run:
                for items in executor.map(extract_file_task, self.options, list(run)):
                    yield from items
                run.clear()

        def settled(item: Skipped) -> Iterator[Item]:  # in order: behind the pages still in the run
            if run:
                run.append(("done", [item]))
            else:
                yield item

        for entry in entries:
            if isinstance(entry, Skipped):
                yield from settled(entry)
                continue
            path, _explicit = entry
            if path == "-":
                yield from flush()
                yield from read_jsonl(_stdin_lines(self.stdin, self.options), "<stdin>", self.options)
                continue
            self.files += 1
            chosen = self._source(path, ids[path])
            if isinstance(chosen, Skipped):
                yield from settled(chosen)
                continue
            reader, src = chosen
            if reader is HTML:
                run.append(("html", src.path, src.doc_id, src.compression))
                continue
            yield from flush()
            yield from reader.read(src, self.options, executor if reader is WARC else None)
            if reader is WARC:
                self.passed_over.update(WARC.passed_over)
        yield from flush()

    # --- when nothing was read ----------------------------------------
    def why_empty(self) -> str:
        """Why no document was read, in one line (for the exit-2 message)."""
        parts: list[str] = []
        known = ", ".join(sorted(known_suffixes()))
        if self.ignored:
            top = ", ".join(f"{n} file(s) with suffix {s or '(none)'}" for s, n in self.ignored.most_common(3))
            parts.append(f"{top} in the directories are not an input kind syndetect reads (it reads {known},"
                         " compressed or not; name a file explicitly to read it as text)")
        if self.passed_over:
            top = ", ".join(f"{n} {k}" for k, n in self.passed_over.most_common(4))
            parts.append(f"the WARC records hold no HTML or text pages ({top})")
        if self.skipped:
            reasons = Counter(s.reason.split(" (")[0] for s in self.skipped)
            top = "; ".join(f"{n}× {r}" for r, n in reasons.most_common(3))
            parts.append(f"{len(self.skipped)} input(s) skipped ({top}; first: {self.skipped[0]})")
        if not parts:
            parts.append("no documents to read: " + ("the paths hold no files" if not self.files else "the files hold no articles"))
        return "0 documents: " + "; ".join(parts)


def _shown_suffix(name: str) -> str:
    base, fmt = compression.strip_suffixes(name)
    lower = name.lower()
    comp = next((s for s in compression.COMPRESSION_SUFFIXES if lower.endswith(s)), "")
    return (fmt + comp) or Path(name).suffix.lower()


def read_inputs(
    paths: Iterable[str], stdin: IO[str] | None = None, options: ReaderOptions | None = None,
    progress: Callable[[str, int, int | None], None] | None = None,
) -> Inputs:
    """Documents (or skip notices) from every path; see :class:`Inputs`."""
    return Inputs(paths, stdin, options, progress)


# Hostile-input limit (issue 11): a one-document file larger than this is skipped unread
# (JSONL and CSV stream line by line and are not capped as a whole).
MAX_DOCUMENT_BYTES = 64 << 20
_STREAMED = {".jsonl", ".ndjson", ".csv", ".tsv", ".warc", ".arc"}


def _stdin_lines(stdin: IO[str] | None, options: ReaderOptions):
    """Standard input line by line as bytes, decoded one by one: a bad byte costs its line only (hostile input)."""
    from syndetect.readers.text import DecodedLines

    stream = stdin if stdin is not None else sys.stdin
    binary = getattr(stream, "buffer", None)
    if binary is None:  # a text stream handed in by a library caller
        return stream
    return DecodedLines(binary, options.encoding or "utf-8")
