"""The shared store: one Redis database, for many ingestion workers on several machines.

``redis://host:port/db``, optional ``?prefix=NAME`` to namespace the keys
(default ``syndetect``). Each batch of documents is one ``MULTI``/``EXEC``
transaction, guarded by ``WATCH`` on the documents' keys. The server-side
scripts are package data (``syndetect/data/redis_*.lua``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from importlib import resources
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import numpy as np

from syndetect.errors import IndexStoreError, SyndetectError
from syndetect.index.results import IndexedDocument
from syndetect.index.stores.base import (
    COUNTERS,
    EMPTY,
    REDIS_SCHEMES,
    IndexedParagraph,
    KeysOf,
    PreparedDocument,
    now,
    removal_pairs,
)

__all__ = ["RedisStore", "REDIS_SCHEMES"]

_REDIS_CHUNK = 20000


def _lua(name: str) -> str:
    """A server-side script shipped in ``syndetect/data``."""
    return resources.files("syndetect").joinpath("data", name).read_text("utf-8")


def _unsplit(parts) -> str:
    """``urlunsplit`` that keeps the ``//`` of ``unix:///path/redis.sock`` (it would write ``unix:/path``)."""
    url = urlunsplit(parts)
    if not parts.netloc and url.startswith(parts.scheme + ":") and not url.startswith(parts.scheme + "://"):
        url = f"{parts.scheme}://{url[len(parts.scheme) + 1:]}"
    return url


class RedisStore:
    """The shared backend: one Redis database, keys under ``PREFIX:``.

    ``PREFIX:meta`` (JSON: schema version and parameters), ``PREFIX:stats``
    (hash of counters), ``PREFIX:next`` (paragraph id sequence),
    ``PREFIX:docs`` (set of document ids), ``PREFIX:d:<id>`` (JSON document
    record with its paragraph ids), ``PREFIX:paras`` (hash: paragraph id ->
    JSON ``[doc, index, keyed, text]``), ``PREFIX:b:<key>`` (set of paragraph
    ids per band key, key in hex).
    """

    backend = "redis"
    schema_version = 1

    def __init__(self, url: str, *, create: bool, timeout: float) -> None:
        try:
            import redis
        except ImportError as exc:  # pragma: no cover - redis is in the test extra
            raise IndexStoreError(
                "the Redis backend needs the 'redis' package: pip install 'syndetect[redis]'"
            ) from exc
        self._redis = redis
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        prefix = (query.pop("prefix", ["syndetect"])[0] or "syndetect").rstrip(":")
        clean = _unsplit(parts._replace(query=urlencode(query, doseq=True)))
        netloc = parts.netloc.rsplit("@", 1)[-1]
        self.location = _unsplit(parts._replace(netloc=netloc, query=f"prefix={prefix}"))
        self.path: Path | None = None
        self._p = prefix + ":"
        try:
            self._r = redis.Redis.from_url(clean, socket_connect_timeout=5, socket_timeout=max(timeout, 5.0))
            self._r.ping()
        except (redis.RedisError, ValueError) as exc:
            raise IndexStoreError(f"cannot reach the Redis index at {self.location}: {exc}") from exc
        self._create = create
        self._lookup_script = self._r.register_script(_lua("redis_lookup.lua"))
        self._sets_script = self._r.register_script(_lua("redis_sets.lua"))

    def _k(self, *parts: str) -> str:
        return self._p + ":".join(parts)

    def _doc_key(self, doc_id: str) -> str:
        return self._k("d", doc_id)

    def _band_key(self, key: int) -> str:
        return self._k("b", format(key & 0xFFFFFFFFFFFFFFFF, "016x"))

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Redis failures and undecodable records become :class:`IndexStoreError`."""
        try:
            yield
        except (self._redis.exceptions.WatchError, SyndetectError):
            raise
        except self._redis.RedisError as exc:
            raise IndexStoreError(f"Redis index {self.location}: {exc}") from exc
        except (ValueError, TypeError, KeyError) as exc:
            raise IndexStoreError(f"Redis index {self.location} holds a corrupt record: {exc}") from exc

    def read_meta(self) -> dict | None:
        with self._errors():
            raw = self._r.get(self._k("meta"))
        if raw is None:
            if not self._create:
                raise IndexStoreError(
                    f"no index at {self.location}; create it with `syndetect index add PATH... --index {self.location}`"
                )
            return None
        try:
            meta = json.loads(raw)
            if not isinstance(meta, dict):
                raise ValueError("not an object")
        except ValueError as exc:
            raise IndexStoreError(f"{self.location}: the index metadata ({self._k('meta')}) is corrupt: {exc}") from exc
        return meta

    def init_meta(self, meta: dict) -> dict:
        with self._errors():
            self._r.set(self._k("meta"), json.dumps(meta), nx=True)
        return self.read_meta() or meta

    @staticmethod
    def _record(prep: PreparedDocument, pids: list[int], added: str) -> str:
        m = prep.meta
        return json.dumps(
            {
                "id": m.id, "title": m.title, "outlet": prep.outlet, "url": m.url, "published": m.published,
                "source": m.source, "text_hash": prep.text_hash, "paragraphs": len(prep.paragraphs),
                "content_chars": prep.content_chars, "added": added, "pids": pids,
            }
        )

    def _old_removal(self, pipe, record: dict, keys_of: KeysOf) -> tuple[list[int], np.ndarray, np.ndarray]:
        pids = [int(p) for p in record.get("pids", [])]
        values = pipe.hmget(self._k("paras"), pids) if pids else []
        rows = []
        for pid, raw in zip(pids, values):
            if raw is not None:
                _, _, keyed, text = json.loads(raw)
                rows.append((pid, keyed, text))
        keys, owners = removal_pairs(rows, keys_of)
        return pids, keys, owners

    def _queue_removal(self, pipe, doc_id: str, pids: list[int], keys: np.ndarray, owners: np.ndarray) -> None:
        self._queue_sets(pipe, "SREM", keys, owners)
        if pids:
            pipe.hdel(self._k("paras"), *pids)
        pipe.delete(self._doc_key(doc_id))
        pipe.srem(self._k("docs"), doc_id)
        stats = self._k("stats")
        pipe.hincrby(stats, "documents", -1)
        pipe.hincrby(stats, "paragraphs", -len(pids))
        pipe.hincrby(stats, "key_rows", -len(keys))

    def write(self, batch: Sequence[PreparedDocument], keys_of: KeysOf) -> int:
        doc_keys = [self._doc_key(p.meta.id) for p in batch]
        total = sum(len(p.paragraphs) for p in batch)
        with self._errors(), self._r.pipeline(transaction=True) as pipe:
            while True:
                try:
                    pipe.watch(*doc_keys)
                    olds = pipe.mget(doc_keys)
                    removals = [
                        (prep.meta.id, *self._old_removal(pipe, json.loads(old), keys_of))
                        for prep, old in zip(batch, olds)
                        if old is not None
                    ]
                    next_id = pipe.incrby(self._k("next"), total) - total + 1 if total else 0
                    pipe.multi()
                    for removal in removals:
                        self._queue_removal(pipe, *removal)
                    self._queue_add(pipe, batch, next_id)
                    pipe.execute()
                    return len(removals)
                except self._redis.exceptions.WatchError:
                    continue  # another worker changed one of these documents: read again

    def _queue_add(self, pipe, batch: Sequence[PreparedDocument], next_id: int) -> None:
        added = now()
        key_parts, pid_parts = [], []
        paras: dict[int, str] = {}
        key_rows = 0
        for prep in batch:
            pids = list(range(next_id, next_id + len(prep.paragraphs)))
            for pid, p, k in zip(pids, prep.paragraphs, prep.keyed):
                paras[pid] = json.dumps([prep.meta.id, p.index, int(k), p.text])
            pipe.set(self._doc_key(prep.meta.id), self._record(prep, pids, added))
            pipe.sadd(self._k("docs"), prep.meta.id)
            key_parts.append(prep.keys)
            pid_parts.append(prep.owners + next_id)
            key_rows += len(prep.keys)
            next_id += len(prep.paragraphs)
        if paras:
            pipe.hset(self._k("paras"), mapping=paras)
        if key_parts:
            self._queue_sets(pipe, "SADD", np.concatenate(key_parts), np.concatenate(pid_parts))
        stats = self._k("stats")
        pipe.hincrby(stats, "documents", len(batch))
        pipe.hincrby(stats, "paragraphs", len(paras))
        pipe.hincrby(stats, "key_rows", key_rows)

    def _queue_sets(self, pipe, command: str, keys: np.ndarray, pids: np.ndarray) -> None:
        """Queue ``SADD``/``SREM`` of each paragraph id to its band key's set (server-side, in chunks)."""
        names = [self._band_key(k) for k in keys.tolist()]
        members = pids.tolist()
        for i in range(0, len(names), _REDIS_CHUNK):
            chunk = slice(i, i + _REDIS_CHUNK)
            self._sets_script(keys=names[chunk], args=[command, *members[chunk]], client=pipe)

    def remove(self, ids: Sequence[str], keys_of: KeysOf) -> list[str]:
        removed = []
        with self._errors(), self._r.pipeline(transaction=True) as pipe:
            for doc_id in ids:
                while True:
                    try:
                        pipe.watch(self._doc_key(doc_id))
                        old = pipe.get(self._doc_key(doc_id))
                        if old is None:
                            pipe.unwatch()
                            break
                        removal = self._old_removal(pipe, json.loads(old), keys_of)
                        pipe.multi()
                        self._queue_removal(pipe, doc_id, *removal)
                        pipe.execute()
                        removed.append(doc_id)
                        break
                    except self._redis.exceptions.WatchError:
                        continue
        return removed

    def checkpoint(self) -> None:
        """Nothing to do: Redis persists on its own schedule."""

    def snapshot(self) -> AbstractContextManager[None]:
        return nullcontext()  # every read sees the latest writes

    def lookup(self, keys: np.ndarray, cap: int) -> tuple[np.ndarray, np.ndarray]:
        if len(keys) == 0:
            return EMPTY, EMPTY
        klist = keys.tolist()
        with self._errors():
            flat = self._lookup_script(keys=[self._band_key(k) for k in klist], args=[cap])
        if not flat:
            return EMPTY, EMPTY
        arr = np.array(flat, dtype=np.int64)  # (1-based key position, paragraph id) pairs
        return keys[arr[0::2] - 1], arr[1::2]

    def fetch(self, pids: Sequence[int]) -> dict[int, IndexedParagraph]:
        if not pids:
            return {}
        out = {}
        with self._errors():
            values = self._r.hmget(self._k("paras"), list(pids))
            paras = {pid: json.loads(v) for pid, v in zip(pids, values) if v is not None}
            doc_ids = sorted({v[0] for v in paras.values()})
            records = self._r.mget([self._doc_key(d) for d in doc_ids]) if doc_ids else []
            docs = {d: json.loads(r) for d, r in zip(doc_ids, records) if r is not None}
            for pid, (doc_id, idx, _, text) in paras.items():
                rec = docs.get(doc_id)
                if rec is not None and pid in rec.get("pids", ()):  # a record being replaced is skipped
                    out[pid] = IndexedParagraph(
                        doc_id, idx, text, rec.get("title"), rec.get("outlet"), rec.get("url"), rec.get("published")
                    )
        return out

    def _records(self) -> list[dict]:
        with self._errors():
            ids = sorted(m.decode() if isinstance(m, bytes) else m for m in self._r.smembers(self._k("docs")))
            out: list[dict] = []
            for i in range(0, len(ids), 1000):
                chunk = ids[i : i + 1000]
                out.extend(json.loads(r) for r in self._r.mget([self._doc_key(d) for d in chunk]) if r is not None)
        return out

    def documents(self) -> list[IndexedDocument]:
        out = []
        with self._errors():
            for rec in self._records():
                pids = rec.get("pids", [])
                stored = sum(1 for v in self._r.hmget(self._k("paras"), pids) if v is not None) if pids else 0
                out.append(
                    IndexedDocument(
                        rec["id"], rec.get("title"), rec.get("outlet"), rec.get("url"), rec.get("published"),
                        rec.get("source"), rec.get("text_hash", ""), stored, rec.get("added"),
                    )
                )
        return out

    def stats(self) -> dict:
        with self._errors():
            raw = self._r.hgetall(self._k("stats"))
            info = self._r.info("memory")
        counts = {(k.decode() if isinstance(k, bytes) else k): int(v) for k, v in raw.items()}
        return {
            **{c: counts.get(c, 0) for c in COUNTERS},
            "size_bytes": int(info.get("used_memory", 0)),
            "size_note": "memory used by the whole Redis server",
        }

    def verify(self, keys_of: KeysOf) -> list[str]:
        problems = []
        with self._errors():
            records = self._records()
            for rec in records:
                pids = rec.get("pids", [])
                values = self._r.hmget(self._k("paras"), pids) if pids else []
                rows = [(pid, *json.loads(v)[2:]) for pid, v in zip(pids, values) if v is not None]
                if len(rows) != rec.get("paragraphs"):
                    problems.append(f"{rec['id']}: {len(rows)} of {rec.get('paragraphs')} paragraphs stored")
                keys, owners = removal_pairs(rows, keys_of)
                pipe = self._r.pipeline(transaction=False)
                for k, pid in zip(keys.tolist(), owners.tolist()):
                    pipe.sismember(self._band_key(k), pid)
                found = sum(1 for x in pipe.execute() if x)
                if found != len(keys):
                    problems.append(f"{rec['id']}: {found} of {len(keys)} band keys stored")
            counts = self.stats()
        if counts["documents"] != len(records):
            problems.append(f"counters say {counts['documents']} documents, the index holds {len(records)}")
        return problems

    def close(self) -> None:
        self._r.close()
