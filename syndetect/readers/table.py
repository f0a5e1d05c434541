"""CSV and TSV: a header row, then one article per record; the delimiter is sniffed (``,`` ``;`` tab ``|``)."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Iterator
from typing import IO, Any

from syndetect.readers.base import Item, Reader, ReaderOptions, Source, register, skip
from syndetect.readers.compression import strip_suffixes
from syndetect.readers.records import ALIASES, pick, record_to_document
from syndetect.readers.text import DecodedLines, read_lines

__all__ = ["TableReader", "read_csv", "sniff_delimiter"]

csv.field_size_limit(1 << 30)
_DELIMITERS = ",;\t|"


def sniff_delimiter(sample: str, default: str = ",") -> str:
    """The delimiter of a table from its header line: the candidate that splits it into the most columns."""
    header = sample.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(sample[:65536], delimiters=_DELIMITERS).delimiter
    except csv.Error:
        pass
    counts = {d: header.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: (counts[d], d == default))
    return best if counts[best] else default


def read_csv(
    stream: IO[str] | Iterable[str], source: str, options: ReaderOptions | None = None, file_id: str | None = None,
    delimiter: str | None = None,
) -> Iterator[Item]:
    """A header row, then one article per record (a text column is required: ``text``, ``body`` … or ``--text-field``)."""
    opts = options or ReaderOptions()
    if delimiter is None:  # a stream given directly: sniff from its start
        text = stream.read() if isinstance(stream, io.TextIOBase) else "".join(stream)
        delimiter = sniff_delimiter(text[:65536])
        stream = io.StringIO(text, newline="")
    reader = csv.DictReader(stream, delimiter=delimiter, strict=True)
    try:
        header = reader.fieldnames
    except csv.Error as exc:
        yield skip(source, f"malformed CSV header: {exc}", 1)
        return
    header = list(header or [])
    missing = [name for name in ("id", "text") if opts.field_for(name) and pick(header, name, opts) is None]
    if pick(header, "text", opts) is None and "text" not in missing:
        missing.append("text")
    if missing:
        shown = {"id": opts.id_field or "id", "text": opts.text_field or "text"}
        hint = "" if opts.text_field else f" (or one of {', '.join(ALIASES['text'][1:])}; see --text-field)"
        yield skip(
            source,
            f"table header ({_show(delimiter)}-separated: {', '.join(header[:8]) or 'empty'}) lacks required column(s): "
            f"{', '.join(shown[m] for m in missing)}{hint}",
            1,
        )
        return
    while True:
        start_line = reader.line_num + 1  # a record may span lines: report where it starts
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            # the reader cannot find the next record boundary after this
            yield skip(source, f"malformed CSV record ({exc}); the rest of the file is not read", start_line)
            return
        if None in row:
            yield skip(source, "more fields than the header names", start_line)
            continue
        if any(isinstance(v, str) and "\x00" in v for v in row.values()):  # hostile input: costs this record
            yield skip(source, "binary data (NUL byte) in the record", start_line)
            continue
        yield record_to_document(row, source, start_line, opts, f"{file_id or source}:{start_line}")


def _show(delimiter: str) -> str:
    return {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}.get(delimiter, repr(delimiter))


class TableReader(Reader):
    name = "table"
    suffixes = (".csv", ".tsv", ".tab")

    def read(self, source: Source, options: ReaderOptions, executor: Any = None) -> Iterator[Item]:
        suffix = strip_suffixes(os.path.basename(source.path))[1]

        def parse(lines: DecodedLines) -> Iterator[Item]:
            if suffix in (".tsv", ".tab"):
                delimiter = "\t"
            else:
                delimiter = sniff_delimiter(source.head.decode(lines.codec, errors="ignore"))
            return read_csv(_stop_at_bad(lines), source.path, options, source.doc_id, delimiter)

        yield from read_lines(source, options, parse)


def _stop_at_bad(lines: DecodedLines) -> Iterator[str]:
    """A CSV record may span lines, so an undecodable line ends the table (the error names it)."""
    for line in lines:
        if line is None:
            raise lines.error or UnicodeDecodeError("utf-8", b"", 0, 1, "undecodable line")
        yield line


TABLE = register(TableReader())
