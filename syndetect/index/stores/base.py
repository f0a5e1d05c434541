"""What every index store provides, and the records it stores.

Two protocols:

* :class:`Reader` — what ``check`` needs: :meth:`~Reader.lookup` band keys
  to paragraph ids, :meth:`~Reader.fetch` paragraphs by id, inside one
  :meth:`~Reader.snapshot`;
* :class:`Store` — a reader that also keeps documents: metadata, write,
  remove, documents, stats, verify, close.

A store holds what it is given and knows no text processing: wherever it
must know the band keys of paragraphs it already holds (to remove them, or to
verify them) it asks the ``keys_of`` function the index passes in.
Implementations: :mod:`.memory` (the reference), :mod:`.sqlite`, :mod:`.redis`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple, Protocol, runtime_checkable

import numpy as np

from syndetect.index.results import IndexedDocument
from syndetect.model import Document, Paragraph

__all__ = [
    "Reader", "Store", "KeysOf", "PreparedDocument", "IndexedParagraph", "EMPTY", "COUNTERS", "removal_pairs",
    "now", "REDIS_SCHEMES",
]

EMPTY = np.empty(0, dtype=np.int64)
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")  # locations of the Redis store (imported only when used)
COUNTERS = ("documents", "paragraphs", "key_rows")

KeysOf = Callable[[Sequence[str]], tuple[np.ndarray, np.ndarray]]
"""The index's keying: texts -> ``(band keys, position of the text)``, sorted by key."""


@dataclass(frozen=True)
class PreparedDocument:
    """A document ready to be stored: its paragraphs, which are keyed, and their band keys."""

    meta: Document  # the document without its text
    outlet: str | None
    text_hash: str
    paragraphs: tuple[Paragraph, ...]
    keyed: tuple[bool, ...]
    keys: np.ndarray  # int64, sorted
    owners: np.ndarray  # position in ``paragraphs``
    content_chars: int


class IndexedParagraph(NamedTuple):
    """A candidate paragraph fetched from a store, with its document's metadata."""

    doc_id: str
    idx: int
    text: str
    title: str | None
    outlet: str | None
    url: str | None
    published: str | None
    pending: bool = False


@runtime_checkable
class Reader(Protocol):
    """Band keys to paragraphs: all ``check`` reads."""

    def snapshot(self) -> AbstractContextManager[None]:
        """One consistent view for the lookups and fetches inside it."""
        ...

    def lookup(self, keys: np.ndarray, cap: int) -> tuple[np.ndarray, np.ndarray]:
        """``(key, paragraph id)`` pairs of the stored paragraphs with any of ``keys``; at most
        ``cap`` paragraphs (the smallest ids) per key."""
        ...

    def fetch(self, pids: Sequence[int]) -> dict[int, IndexedParagraph]:
        """The stored paragraphs with these ids (missing ids are left out)."""
        ...


@runtime_checkable
class Store(Reader, Protocol):
    """A reader that keeps whole documents."""

    backend: str
    location: str
    schema_version: int  # of the store's layout, kept in the index metadata
    @property
    def path(self) -> Path | None:
        """The file, for a store that is one."""
        ...

    def read_meta(self) -> dict | None:
        """The index metadata (``None``: an empty store, no index yet)."""
        ...

    def init_meta(self, meta: dict) -> dict:
        """Store ``meta`` unless another process did first; returns the metadata in force."""
        ...

    def write(self, batch: Sequence[PreparedDocument], keys_of: KeysOf) -> int:
        """Add or replace whole documents atomically; returns how many were replaced."""
        ...

    def remove(self, ids: Sequence[str], keys_of: KeysOf) -> list[str]:
        """Remove documents by id; returns the ids that were stored."""
        ...

    def checkpoint(self) -> None:
        """Make what was written durable in the store's own form (best effort)."""
        ...

    def documents(self) -> list[IndexedDocument]:
        """Every stored document, by id."""
        ...

    def stats(self) -> dict:
        """``documents``, ``paragraphs``, ``key_rows``, ``size_bytes``, ``size_note``."""
        ...

    def verify(self, keys_of: KeysOf) -> list[str]:
        """Problems found (empty: sound): every document whole, with all its band keys."""
        ...

    def close(self) -> None:
        ...


def removal_pairs(rows: Sequence[tuple[int, int, str]], keys_of: KeysOf) -> tuple[np.ndarray, np.ndarray]:
    """``(keys, paragraph ids)`` of stored paragraphs ``(id, keyed, text)``, from their text."""
    keyed = [(pid, text) for pid, k, text in rows if k]
    if not keyed:
        return EMPTY, EMPTY
    keys, owners = keys_of([t for _, t in keyed])
    return keys, np.array([pid for pid, _ in keyed], dtype=np.int64)[owners]


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
