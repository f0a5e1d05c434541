"""CSV and TSV: a header row, then one article per record; the delimiter is sniffed (``,`` ``;`` tab ``|``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import IO, Any

from syndetect.model import Skipped
from syndetect.readers.base import Item, Reader, ReaderOptions, Source, register, skip, with_encoding
from syndetect.readers.records import ALIASES, pick, record_to_document
from syndetect.readers.text import decode_source

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
    stream: IO[str], source: str, options: ReaderOptions | None = None, file_id: str | None = None,
    delimiter: str | None = None,
) -> Iterator[Item]:
    """A header row, then one article per record (a text column is required: ``text``, ``body`` … or ``--text-field``)."""
    opts = options or ReaderOptions()
    if delimiter is None:
        start = stream.tell() if stream.seekable() else None
        sample = stream.read(65536)
        if start is not None:
            stream.seek(start)
            delimiter = sniff_delimiter(sample)
        else:  # pragma: no cover - callers pass seekable streams
            stream = io.StringIO(sample + stream.read(), newline="")
            delimiter = sniff_delimiter(sample)
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
        yield record_to_document(row, source, start_line, opts, f"{file_id or source}:{start_line}")


def _show(delimiter: str) -> str:
    return {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}.get(delimiter, repr(delimiter))


class TableReader(Reader):
    name = "table"
    suffixes = (".csv", ".tsv", ".tab")

    def read(self, source: Source, options: ReaderOptions, pool: Any = None) -> Iterator[Item]:
        got = decode_source(source, options)
        if isinstance(got, Skipped):
            yield got
            return
        from syndetect.readers.compression import strip_suffixes

        suffix = strip_suffixes(source.path.rsplit("/", 1)[-1])[1]
        delimiter = "\t" if suffix in (".tsv", ".tab") else None
        rows = read_csv(io.StringIO(got[0], newline=""), source.path, options, source.doc_id, delimiter)
        yield from with_encoding(rows, got[1])


TABLE = register(TableReader())
