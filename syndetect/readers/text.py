"""Plain text and Markdown: one article per file, front matter read for metadata."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from syndetect.model import Document, Skipped
from syndetect.readers.base import Item, Reader, ReaderOptions, Source, register, skip
from syndetect.readers.encoding import DecodeError, decode
from syndetect.readers.records import record_to_document

__all__ = ["TextReader", "read_text_file", "decode_source"]


def decode_source(source: Source, options: ReaderOptions, declared: str | None = None) -> tuple[str, str | None] | Skipped:
    """The whole decompressed file as text (and the encoding note), or why it cannot be read."""
    try:
        data = source.read_bytes()
    except OSError as exc:
        return skip(source.path, f"cannot read: {exc.strerror or exc}")
    except (EOFError, ValueError, RuntimeError) as exc:  # truncated or corrupt compressed data
        return skip(source.path, f"corrupt {source.compression or ''} data: {exc}".replace("  ", " "))
    except Exception as exc:  # zstandard raises its own ZstdError
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
    if not body.strip():
        return skip(path, "no article text")
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

    def read(self, source: Source, options: ReaderOptions, pool: Any = None) -> Iterator[Item]:
        got = decode_source(source, options)
        if isinstance(got, Skipped):
            yield got
            return
        text, note = got
        yield read_text_file(text, source.path, doc_id=source.doc_id, options=options, encoding=note)


TEXT = register(TextReader())
