"""The reference store: everything in this process's memory.

The plainest implementation of :class:`~syndetect.index.stores.base.Store`,
against which the contract tests hold the SQLite and Redis stores; ``check_many``
keeps the documents checked earlier in its batch in one. Nothing persists.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

import numpy as np

from syndetect.index.results import IndexedDocument
from syndetect.index.stores.base import (
    COUNTERS,
    EMPTY,
    IndexedParagraph,
    KeysOf,
    PreparedDocument,
    now,
    removal_pairs,
)

__all__ = ["MemoryStore"]


class MemoryStore:
    """A store in memory (``location`` names it in messages)."""

    backend = "memory"
    schema_version = 1

    def __init__(self, location: str = "memory:") -> None:
        self.location = location
        self.path: Path | None = None
        self._meta: dict | None = None
        self._docs: dict[str, tuple[IndexedDocument, int, list[int]]] = {}  # id -> (record, content_chars, pids)
        self._paras: dict[int, tuple[str, int, bool, str]] = {}  # pid -> (doc id, index, keyed, text)
        self._keys: dict[int, set[int]] = {}  # band key -> paragraph ids
        self._next = 1
        self._key_rows = 0

    # -- metadata ------------------------------------------------------------
    def read_meta(self) -> dict | None:
        return None if self._meta is None else dict(self._meta)

    def init_meta(self, meta: dict) -> dict:
        if self._meta is None:
            self._meta = dict(meta)
        return dict(self._meta)

    # -- writes --------------------------------------------------------------
    def write(self, batch: Sequence[PreparedDocument], keys_of: KeysOf) -> int:
        replaced = 0
        for prep in batch:
            if prep.meta.id in self._docs:
                self._delete(prep.meta.id, keys_of)
                replaced += 1
        added = now()
        for prep in batch:
            m = prep.meta
            pids = list(range(self._next, self._next + len(prep.paragraphs)))
            self._next += len(prep.paragraphs)
            for pid, p, k in zip(pids, prep.paragraphs, prep.keyed):
                self._paras[pid] = (m.id, p.index, bool(k), p.text)
            for key, owner in zip(prep.keys.tolist(), prep.owners.tolist()):
                members = self._keys.setdefault(key, set())
                if pids[owner] not in members:
                    members.add(pids[owner])
                    self._key_rows += 1
            record = IndexedDocument(
                m.id, m.title, prep.outlet, m.url, m.published, m.source, prep.text_hash, len(pids), added
            )
            self._docs[m.id] = (record, prep.content_chars, pids)
        return replaced

    def _delete(self, doc_id: str, keys_of: KeysOf) -> None:
        _, _, pids = self._docs.pop(doc_id)
        rows = [(pid, self._paras[pid][2], self._paras[pid][3]) for pid in pids]
        keys, owners = removal_pairs(rows, keys_of)
        for key, pid in zip(keys.tolist(), owners.tolist()):
            members = self._keys.get(key)
            if members is not None and pid in members:
                members.discard(pid)
                self._key_rows -= 1
                if not members:
                    del self._keys[key]
        for pid in pids:
            del self._paras[pid]

    def remove(self, ids: Sequence[str], keys_of: KeysOf) -> list[str]:
        removed = []
        for doc_id in ids:
            if doc_id in self._docs:
                self._delete(doc_id, keys_of)
                removed.append(doc_id)
        return removed

    def checkpoint(self) -> None:
        """Nothing to do: nothing persists."""

    # -- reads ---------------------------------------------------------------
    def snapshot(self) -> AbstractContextManager[None]:
        return nullcontext()  # every read sees the latest writes

    def lookup(self, keys: np.ndarray, cap: int) -> tuple[np.ndarray, np.ndarray]:
        out_k: list[int] = []
        out_p: list[int] = []
        for key in keys.tolist():
            members = self._keys.get(key)
            if members:
                chosen = sorted(members)[:cap] if len(members) > cap else members
                out_k.extend([key] * len(chosen))
                out_p.extend(chosen)
        if not out_k:
            return EMPTY, EMPTY
        return np.array(out_k, dtype=np.int64), np.array(out_p, dtype=np.int64)

    def fetch(self, pids: Sequence[int]) -> dict[int, IndexedParagraph]:
        out = {}
        for pid in pids:
            row = self._paras.get(pid)
            if row is not None:
                doc = self._docs[row[0]][0]
                out[pid] = IndexedParagraph(row[0], row[1], row[3], doc.title, doc.outlet, doc.url, doc.published)
        return out

    def documents(self) -> list[IndexedDocument]:
        return [self._docs[d][0] for d in sorted(self._docs)]

    def stats(self) -> dict:
        counts = {"documents": len(self._docs), "paragraphs": len(self._paras), "key_rows": self._key_rows}
        size = sum(len(t) for _, _, _, t in self._paras.values()) + 16 * self._key_rows
        return {**{c: counts[c] for c in COUNTERS}, "size_bytes": size, "size_note": "text and key rows in memory"}

    def verify(self, keys_of: KeysOf) -> list[str]:
        problems = []
        for doc_id in sorted(self._docs):
            record, _, pids = self._docs[doc_id]
            rows = [(pid, self._paras[pid][2], self._paras[pid][3]) for pid in pids if pid in self._paras]
            if len(rows) != record.paragraphs:
                problems.append(f"{doc_id}: {len(rows)} of {record.paragraphs} paragraphs stored")
            keys, owners = removal_pairs(rows, keys_of)
            found = sum(1 for k, pid in zip(keys.tolist(), owners.tolist()) if pid in self._keys.get(k, ()))
            if found != len(keys):
                problems.append(f"{doc_id}: {found} of {len(keys)} band keys stored")
        return problems

    def close(self) -> None:
        pass
