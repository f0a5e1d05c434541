"""JSONL / NDJSON (and ``-``, JSONL on standard input): one article per line."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from syndetect.readers.base import Item, Reader, ReaderOptions, Source, register, skip
from syndetect.readers.records import record_to_document
from syndetect.readers.text import bad_line_reason, read_lines

__all__ = ["JsonlReader", "read_jsonl"]

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def read_jsonl(
    stream: Iterable[str | None], source: str, options: ReaderOptions | None = None, file_id: str | None = None
) -> Iterator[Item]:
    """One article per line; fields mapped as :mod:`syndetect.readers.records` says (``None``: an undecodable line)."""
    opts = options or ReaderOptions()
    clean = getattr(stream, "surrogate_free", False)  # DecodedLines: no lone surrogate of its own in any line
    for number, line in enumerate(stream, 1):
        if line is None:
            yield skip(source, bad_line_reason(getattr(stream, "error", None)), number)
            continue
        if not line.strip():
            continue
        line = line.lstrip("\ufeff") if number == 1 else line
        if "\x00" in line:  # a raw NUL (not the \u0000 escape): binary data costs its line only
            yield skip(source, "binary data (NUL byte) in the line", number)
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield skip(source, f"invalid JSON: {exc.msg} (column {exc.colno})", number)
            continue
        except RecursionError:  # hostile input: costs this line only
            yield skip(source, "invalid JSON: nested too deeply", number)
            continue
        except ValueError as exc:  # e.g. an integer of more than 4300 digits
            yield skip(source, f"invalid JSON: {str(exc).split(';')[0]}", number)
            continue
        # a "\udc80" escape is no character: U+FFFD, as a UTF-8 decoder does (a line of a
        # surrogate-free stream without a "\u" escape holds none: its values are left as they are)
        if isinstance(obj, dict) and (not clean or "\\u" in line):
            obj = {k: _LONE_SURROGATE.sub("\ufffd", v) if isinstance(v, str) else v for k, v in obj.items()}
        yield record_to_document(obj, source, number, opts, f"{file_id or source}:{number}")


class JsonlReader(Reader):
    name = "jsonl"
    suffixes = (".jsonl", ".ndjson")

    def sniff(self, head: bytes) -> bool:
        first = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
        if first != b"{":
            return False
        line = head.lstrip(b"\xef\xbb\xbf \t\r\n").split(b"\n", 1)[0]
        try:
            return isinstance(json.loads(line), dict)
        except ValueError:
            return False

    def read(self, source: Source, options: ReaderOptions, executor: Any = None) -> Iterator[Item]:
        yield from read_lines(source, options, lambda lines: read_jsonl(lines, source.path, options, source.doc_id))


JSONL = register(JsonlReader())
