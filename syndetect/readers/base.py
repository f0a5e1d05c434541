"""The reader interface, the registry that picks a reader, and the skip mechanism.

A :class:`Reader` turns one input (a :class:`Source`: a file, already
decompressed, with its first bytes at hand) into :class:`~syndetect.model.Document`
objects and :class:`~syndetect.model.Skipped` notices. Bad input never stops
a scan: a reader yields a ``Skipped`` (file and line, one clear reason) for
what it cannot read and goes on; callers decide whether skipped inputs are
fatal (``scan --strict``, ``check``).

Readers are chosen by the format suffix (after any compression suffix:
``feed.jsonl.gz`` is JSONL) and, for a file named explicitly with an unknown
or no suffix, by content sniffing (``WARC/1.0``, ``<!doctype html``, a JSON
object on the first line); what nothing claims is read as plain text.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any, ClassVar, TypeVar

from syndetect.model import Document, Skipped
from syndetect.readers import compression

__all__ = [
    "ReaderOptions", "Source", "Reader", "REGISTRY", "register", "reader_for_suffix", "sniff_reader",
    "skip", "Item", "HEAD_BYTES",
]

Item = Document | Skipped
HEAD_BYTES = 64 * 1024


def with_encoding(items: Iterator[Item], note: str | None) -> Iterator[Item]:
    """The documents of ``items`` marked with the encoding their file was decoded from."""
    if note is None:
        yield from items
        return
    from dataclasses import replace

    for item in items:
        yield replace(item, encoding=note) if isinstance(item, Document) else item


def skip(source: str, reason: str, line: int | None = None) -> Skipped:
    """The one way readers report an input (or a line of it) they cannot read."""
    return Skipped(source, reason, line)


@dataclass(frozen=True)
class ReaderOptions:
    """How inputs are read (CLI: ``--id-field`` … ``--encoding``, ``--workers``).

    A ``*_field`` names the JSONL/CSV field (column) that holds that value;
    without it the common aliases are tried (see :mod:`syndetect.readers.records`).
    ``encoding`` forces a text encoding (otherwise: BOM, UTF-8, declared
    charset, charset-normalizer's guess). ``workers`` processes (the
    pipeline's executor) extract HTML pages, of files or WARC records, when
    there are at least ``pool_min`` HTML files or any WARC (``None``: all
    cores; 1: in this process). ``max_page_bytes``: an HTML
    page or WARC payload larger than this is skipped (memory stays bounded).
    """

    id_field: str | None = None
    text_field: str | None = None
    title_field: str | None = None
    date_field: str | None = None
    outlet_field: str | None = None
    url_field: str | None = None
    encoding: str | None = None
    workers: int | None = None
    pool_min: int = 16
    max_page_bytes: int = 32 * 1024 * 1024

    def field_for(self, name: str) -> str | None:
        return {
            "id": self.id_field, "text": self.text_field, "title": self.title_field, "published": self.date_field,
            "outlet": self.outlet_field, "url": self.url_field,
        }.get(name)


@dataclass
class Source:
    """One input file: its name as given (``path``), the id it gets if it is one document, its compression."""

    path: str
    doc_id: str
    compression: str | None = None
    head: bytes = b""
    _opener: Callable[[], IO[bytes]] | None = field(default=None, repr=False)

    def open(self) -> IO[bytes]:
        """The decompressed content as a binary stream (the caller closes it)."""
        if self._opener is not None:
            return self._opener()
        raw = open(self.path, "rb")
        try:
            return compression.open_stream(raw, self.compression)
        except Exception:
            raw.close()
            raise

    def read_bytes(self, limit: int | None = None) -> bytes:
        """The decompressed content (at most ``limit + 1`` bytes, so a caller can tell it was cut)."""
        with self.open() as stream:
            return stream.read() if limit is None else stream.read(limit + 1)

    @classmethod
    def from_bytes(cls, data: bytes, path: str = "<memory>", doc_id: str = "doc") -> Source:
        kind = compression.detect(data[:8])

        def opener() -> IO[bytes]:
            return compression.open_stream(io.BytesIO(data), kind)

        src = cls(path, doc_id, kind, b"", opener)
        with src.open() as s:
            src.head = s.read(HEAD_BYTES)
        return src


class Reader:
    """One input kind. Subclasses set ``name``, ``suffixes`` and implement :meth:`read`."""

    name: ClassVar[str] = ""
    suffixes: ClassVar[tuple[str, ...]] = ()
    heavy: ClassVar[bool] = False  # HTML extraction: worth a process pool
    one_document: ClassVar[bool] = False  # one document per file (id: the file's id)

    def sniff(self, head: bytes) -> bool:
        """Whether decompressed content starting with ``head`` is this kind (for unknown suffixes)."""
        return False

    def read(self, source: Source, options: ReaderOptions, executor: Any = None) -> Iterator[Item]:
        """Documents and skip notices of one input; ``executor`` (a
        :class:`syndetect.pipeline.executors.Executor`) may run the heavy part."""
        raise NotImplementedError


REGISTRY: list[Reader] = []
R = TypeVar("R", bound=Reader)


def register(reader: R) -> R:
    """Add a reader (later registrations win a suffix)."""
    REGISTRY.append(reader)
    return reader


def reader_for_suffix(suffix: str) -> Reader | None:
    for reader in reversed(REGISTRY):
        if suffix.lower() in reader.suffixes:
            return reader
    return None


def sniff_reader(head: bytes) -> Reader | None:
    for reader in REGISTRY:
        if reader.sniff(head):
            return reader
    return None


def known_suffixes() -> set[str]:
    return {s for r in REGISTRY for s in r.suffixes}
