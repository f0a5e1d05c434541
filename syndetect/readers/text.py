"""Plain text and Markdown: one article per file, front matter read for metadata."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import IO, Any, BinaryIO, cast

from syndetect.model import Document, Skipped
from syndetect.readers.base import Item, Reader, ReaderOptions, Source, register, skip
from syndetect.readers.encoding import DecodeError, choose_encoding, decode
from syndetect.readers.records import record_to_document
from syndetect.safety import has_article_text

__all__ = ["TextReader", "read_text_file", "decode_source", "open_text", "STREAM_ERRORS", "stream_error",
           "MAX_LINE_BYTES", "LineTooLong",
           "DecodedLines", "read_lines"]

# what reading a decompressed, decoded stream can raise past its first bytes
STREAM_ERRORS: tuple[type[BaseException], ...] = (OSError, EOFError, ValueError, RuntimeError)


def stream_error(source: Source, exc: BaseException, line: int) -> Skipped:
    """The skip notice for a stream that breaks at ``line`` (bad byte, truncated or corrupt compressed data)."""
    if isinstance(exc, UnicodeDecodeError | LineTooLong):
        what = bad_line_reason(exc)
    elif isinstance(exc, PermissionError | FileNotFoundError):
        what = f"cannot read: {exc.strerror or exc}"
    else:
        what = f"corrupt {source.compression or 'file'} data ({exc or type(exc).__name__})"
    return skip(source.path, f"{what}; the rest of the file is not read", line)


MAX_LINE_BYTES = 64 << 20  # one record of a JSONL/CSV file: the per-document limit of one-document files


class LineTooLong(ValueError):
    """A line longer than the per-document limit: skipped unread (it costs that line only)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"line longer than the {limit >> 20} MB per-document limit; not read")


def _surrogate_free(codec: str) -> bool:
    """Whether text decoded strictly with ``codec`` never holds a lone surrogate: UTF-8 and the
    single-byte code pages map every byte sequence they accept to a scalar value (UTF-7 and the
    escape codecs may not; those are not vouched for)."""
    import codecs

    try:
        name = codecs.lookup(codec).name
    except LookupError:
        return False
    return name in ("utf-8", "utf-8-sig", "ascii", "latin-1") or name.startswith(("cp", "iso8859", "windows-"))


class DecodedLines:
    """The lines of a decompressed binary stream, decoded one by one and counted.

    A line that does not decode is given as ``None`` (``error`` says why), so
    a JSONL reader can skip just that line; byte-order-mark wide encodings
    (UTF-16/32) are decoded as a stream instead. ``surrogate_free``: no line
    holds a lone surrogate character (the codec cannot decode to one).
    """

    def __init__(self, raw: IO[bytes], codec: str, max_line_bytes: int | None = None) -> None:
        self.raw = raw
        self.codec = codec
        self.number = 0
        self.error: UnicodeDecodeError | LineTooLong | None = None
        self.max_line_bytes = MAX_LINE_BYTES if max_line_bytes is None else max_line_bytes
        self.surrogate_free = _surrogate_free(codec)

    def __iter__(self) -> Iterator[str | None]:
        if self.codec.startswith(("utf-16", "utf-32")):
            for line in io.TextIOWrapper(cast(BinaryIO, self.raw), encoding=self.codec, newline=""):
                self.number += 1
                yield line
            return
        limit = self.max_line_bytes
        while True:
            chunk = self.raw.readline(limit + 1)  # never more than the limit in memory
            if not chunk:
                return
            self.number += 1
            if len(chunk) > limit and not chunk.endswith(b"\n"):
                while True:  # the rest of the line, read and dropped in bounded pieces
                    rest = self.raw.readline(1 << 20)
                    if not rest or rest.endswith(b"\n"):
                        break
                self.error = LineTooLong(limit)
                yield None
                continue
            try:
                yield chunk.decode(self.codec)
            except UnicodeDecodeError as exc:
                self.error = exc
                yield None

    def close(self) -> None:
        self.raw.close()

    def __enter__(self) -> DecodedLines:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def bad_line_reason(exc: UnicodeDecodeError | LineTooLong | None) -> str:
    if exc is None:  # pragma: no cover
        return "undecodable line"
    if isinstance(exc, LineTooLong):
        return str(exc)
    return f"not {exc.encoding} text (invalid byte 0x{exc.object[exc.start]:02x}; give --encoding)"


def open_text(source: Source, options: ReaderOptions) -> tuple[DecodedLines, str | None] | Skipped:
    """The decompressed file as decoded lines (never read whole), and the encoding note; or why not."""
    if not source.head.strip():
        return skip(source.path, "empty file")
    try:
        codec, bom, note = choose_encoding(source.head, encoding=options.encoding)
    except DecodeError as exc:
        return skip(source.path, str(exc))
    try:
        raw = source.open()
        if bom:
            raw.read(bom)
    except STREAM_ERRORS as exc:
        return skip(source.path, f"cannot read: {exc}")
    return DecodedLines(raw, codec), note


def read_lines(
    source: Source, options: ReaderOptions, parse: Callable[[DecodedLines], Iterator[Item]]
) -> Iterator[Item]:
    """Stream a line-oriented file (JSONL, CSV) through ``parse``: never read whole; a break (a bad byte,
    truncated or corrupt compressed data) ends it with a notice at its line, keeping what came before."""
    from syndetect.readers.base import with_encoding

    got = open_text(source, options)
    if isinstance(got, Skipped):
        yield got
        return
    lines, note = got
    with lines:
        try:
            yield from with_encoding(parse(lines), note)
        except STREAM_ERRORS as exc:
            yield stream_error(source, exc, lines.number + (0 if isinstance(exc, UnicodeDecodeError | LineTooLong) else 1))


def decode_source(source: Source, options: ReaderOptions, declared: str | None = None) -> tuple[str, str | None] | Skipped:
    """The whole decompressed file as text (and the encoding note), or why it cannot be read (one-document files)."""
    try:
        data = source.read_bytes()
    except OSError as exc:
        return skip(source.path, f"cannot read: {exc.strerror or exc}")
    except Exception as exc:  # truncated or corrupt compressed data (EOFError, lzma/zstd errors)
        return skip(source.path, f"corrupt {source.compression} data: {exc}")
    if not data.strip():
        return skip(source.path, "empty file")
    try:
        return decode(data, encoding=options.encoding, declared=declared)
    except DecodeError as exc:
        return skip(source.path, str(exc))


def _front_matter(text: str) -> tuple[dict[str, Any], str]:
    """``key: value`` lines between ``---`` fences at the very top, and the text after them."""
    meta: dict[str, Any] = {}
    if not (text.startswith("---\n") or text.startswith("---\r\n")):
        return meta, text
    end = text.find("\n---", 4)
    if end == -1:
        return meta, text
    for line in text[4:end].splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() and not key.startswith((" ", "\t", "-")):
            meta[key.strip()] = value.strip().strip("\"'")
    nl = text.find("\n", end + 4)
    return meta, (text[nl + 1:] if nl != -1 else "")


def read_text_file(
    text: str, path: str, *, doc_id: str | None = None, options: ReaderOptions | None = None, encoding: str | None = None
) -> Document | Skipped:
    """One article: id = the file's id (see :mod:`syndetect.readers.ids`), or ``id`` in its front matter."""
    from pathlib import Path

    from syndetect.readers.compression import strip_suffixes

    meta, body = _front_matter(text)
    if not has_article_text(body):
        return skip(path, "no article text (only blanks or invisible characters)")
    record = {k: v for k, v in meta.items() if k.lower() != "text"}
    record["text"] = body
    opts = ReaderOptions() if options is None else ReaderOptions(encoding=options.encoding)  # field options: JSONL/CSV only
    doc = record_to_document(
        record, path, None, opts, doc_id or strip_suffixes(Path(path).name)[0], where=path, date_kind="front-matter"
    )
    if isinstance(doc, Document) and encoding:
        from dataclasses import replace

        doc = replace(doc, encoding=encoding)
    return doc


class TextReader(Reader):
    name = "text"
    suffixes = (".txt", ".md", ".markdown", ".text")
    one_document = True

    def read(self, source: Source, options: ReaderOptions, executor: Any = None) -> Iterator[Item]:
        got = decode_source(source, options)
        if isinstance(got, Skipped):
            yield got
            return
        text, note = got
        yield read_text_file(text, source.path, doc_id=source.doc_id, options=options, encoding=note)


TEXT = register(TextReader())
