"""The persistent index: add, remove, list, verify, and check documents against it.

An :class:`Index` holds the paragraphs of the documents added to it and the
LSH band keys of their units (the same units, signatures and band keys as
:func:`syndetect.pipeline.scan.scan`) in a store
(:mod:`syndetect.index.stores`): SQLite (a directory), Redis
(``redis://host:port/db[?prefix=NAME]``) or memory (``memory:``, for tests
and one-off checks). ``check`` (:mod:`syndetect.index.check`) maps a new
document the same way, looks its band keys up, and verifies every candidate
with the scan's verification, so every reported span is real text.

Boilerplate paragraphs are stored but not keyed, and ignored by ``check``: a
shared newsletter prompt is not a copy.
"""

from __future__ import annotations

import json
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from syndetect import __version__
from syndetect.config import Params
from syndetect.errors import IndexStoreError, ParameterError
from syndetect.index.allowlist import Allowlist
from syndetect.index.check import check_documents
from syndetect.index.prepare import (
    Mapped,
    finish_batch,
    key_fingerprint,
    map_task,
    prepare_documents,
    unit_band_keys,
)
from syndetect.index.results import AddResult, IndexedDocument, IndexStats, Verdict
from syndetect.index.stores.base import REDIS_SCHEMES, PreparedDocument, Store, now
from syndetect.index.stores.memory import MemoryStore
from syndetect.index.stores.sqlite import SQLiteStore
from syndetect.model import Document
from syndetect.pipeline import rules
from syndetect.pipeline.executors import Executor, chunk_size, chunks, collector_paused, make_executor

__all__ = ["Index", "SCHEMA_VERSION", "CANDIDATE_KEYS", "MEMORY"]

SCHEMA_VERSION = SQLiteStore.schema_version  # of the default store; each store has its own (Redis, memory: 1)
MEMORY = "memory:"  # the location of a fresh in-memory index
CANDIDATE_KEYS = ("shingle_size", "num_perm", "seed", "bands", "rows", "min_unit", "max_unit")


def _resolve_params(stored: dict | None, requested: Params | Mapping[str, Any] | None, where: str) -> Params:
    """The index's parameters, refusing a request that would change the candidate search."""
    if stored is None:
        if isinstance(requested, Params):
            return requested
        return Params(**dict(requested or {}))
    try:
        have = Params.from_dict(stored)
    except (TypeError, ParameterError) as exc:
        raise IndexStoreError(f"{where}: the stored parameters are invalid: {exc}") from exc
    if requested is None:
        return have
    if isinstance(requested, Params):
        want = requested
    else:
        changes = dict(requested)
        if "threshold" in changes and "bands" not in changes:
            changes.update(bands=None, rows=None)
        want = have.with_(**changes)
    a, b = have.candidate_key(), want.candidate_key()
    diff = [k for k in CANDIDATE_KEYS if a[k] != b[k]]
    if diff:
        built = ", ".join(f"{k}={a[k]}" for k in diff)
        asked = ", ".join(f"{k}={b[k]}" for k in diff)
        raise IndexStoreError(
            f"{where} was built with {built}; this run asks for {asked}. "
            "Use the index's parameters (omit these options) or build a new index."
        )
    # verification settings may differ per run; the candidate search may not
    return want


class Index:
    """A persistent index of documents, for ``check``.

    Open with :meth:`open`; use as a context manager to close it::

        with Index.open("archive-index") as index:
            verdict = index.check(article)
            if not verdict.reused:
                index.add([article])
    """

    def __init__(self, store: Store, params: Params, meta: dict, lexicon_paths: Sequence[str]) -> None:
        self._store = store
        self._params = params  # this session's parameters (verification settings may differ from the index's)
        self._key_params = Params.from_dict(meta["params"])  # the index's own: every band key is made with them
        self._meta = meta
        self._lexicon_paths = tuple(str(p) for p in lexicon_paths)
        self._detector = rules.load_rules(self._lexicon_paths)  # parsed once, reused by every check

    def _keys_of(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """The index's keying of stored texts (what a store asks to remove or verify them)."""
        return unit_band_keys(texts, self._key_params)

    # -- opening -------------------------------------------------------------
    @classmethod
    def open(
        cls,
        location: str | os.PathLike,
        params: Params | Mapping[str, Any] | None = None,
        *,
        create: bool = False,
        lexicon_paths: Sequence[str | os.PathLike] = (),
        timeout: float = 60.0,
        cache_mb: int = 64,
    ) -> Index:
        """Open the index at ``location`` (a directory, or ``redis://host:port/db[?prefix=NAME]``).

        ``params``: ``None`` uses the index's parameters; a :class:`Params` or
        a mapping of parameter overrides must agree with the index on the
        candidate parameters (:meth:`Params.candidate_key`), else
        :class:`IndexStoreError`. ``create`` makes a new index when there is
        none (with ``params``, default :class:`Params`). ``timeout``: seconds
        to wait for another writer's lock.
        """
        if timeout <= 0:
            raise ParameterError("timeout must be positive")
        loc = os.fspath(location)
        if not loc:
            raise ParameterError("give an index location (a directory or redis://host:port/db)")
        store: Store
        if loc.startswith(REDIS_SCHEMES):
            from syndetect.index.stores.redis import RedisStore

            store = RedisStore(loc, create=create, timeout=timeout)
        elif loc == MEMORY:
            store = MemoryStore()
        else:
            store = SQLiteStore(loc, create=create, timeout=timeout, cache_mb=cache_mb)
        try:
            where = f"index {store.path or store.location}"
            meta = store.read_meta()
            if meta is None:
                if not create:
                    raise IndexStoreError(
                        f"{store.path or store.location} holds no index yet; create it with `syndetect index add`"
                    )
                fresh = _resolve_params(None, params, where)
                meta = store.init_meta(cls._new_meta(fresh, store.schema_version))
            meta = cls._check_meta(meta, where, store)
            resolved = _resolve_params(meta["params"], params, where)
            current = key_fingerprint(Params.from_dict(meta["params"]))
            if meta.get("key_fingerprint") != current:
                raise IndexStoreError(
                    f"{where} was built by a syndetect that splits or hashes text differently"
                    f" (key fingerprint {meta.get('key_fingerprint')}, this one {current}); rebuild it with"
                    " `syndetect index add`"
                )
            return cls(store, resolved, meta, [os.fspath(p) for p in lexicon_paths])
        except BaseException:
            store.close()
            raise

    @staticmethod
    def _new_meta(params: Params, version: int) -> dict:
        return {
            "schema_version": str(version),
            "key_fingerprint": key_fingerprint(params),
            "params": json.dumps(params.to_dict(), sort_keys=True),
            "created": now(),
            "created_by": f"syndetect {__version__}",
        }

    @staticmethod
    def _check_meta(meta: dict, where: str, store: Store) -> dict:
        version = meta.get("schema_version")
        if str(version) != str(store.schema_version):
            upgrade = (
                f"Convert it with `syndetect index migrate --index {store.location}`"
                if store.backend == "sqlite" and str(version) == "1" else "Rebuild the index with `syndetect index add`"
            )
            raise IndexStoreError(
                f"{where} has schema version {version!r}; this syndetect reads version {store.schema_version}. "
                f"{upgrade}."
            )
        try:
            params = json.loads(meta["params"]) if isinstance(meta.get("params"), str) else meta["params"]
            if not isinstance(params, dict):
                raise ValueError("not an object")
            for k in CANDIDATE_KEYS:
                if not isinstance(params.get(k), int) or isinstance(params.get(k), bool):
                    raise ValueError(f"{k} is not an integer")
        except (KeyError, ValueError) as exc:
            raise IndexStoreError(f"{where}: the stored parameters are missing or corrupt ({exc})") from exc
        return {**meta, "params": params}

    def close(self) -> None:
        self._store.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def params(self) -> Params:
        """The parameters of this index (with this session's verification settings)."""
        return self._params

    @property
    def location(self) -> str:
        return self._store.location

    def __repr__(self) -> str:
        return f"Index({self.location!r}, backend={self._store.backend!r})"

    # -- writing -------------------------------------------------------------
    def add(
        self,
        docs: Iterable[Document],
        *,
        batch_size: int = 500,
        workers: int = 1,
        progress: Callable[[str, int, int | None], None] | None = None,
        executor: Executor | None = None,
    ) -> AddResult:
        """Add documents; a document whose id is already indexed is replaced.

        Documents are written in transactions of ``batch_size`` whole
        documents: an interrupted add leaves each document complete or absent.
        ``workers`` > 1 maps documents in that many processes (the scan's
        executor, chunking rule and collector policy) while this process writes;
        or pass an ``executor``.
        """
        if batch_size < 1:
            raise ParameterError("batch_size must be at least 1")
        if workers < 1:
            raise ParameterError("workers must be at least 1")
        t0 = time.perf_counter()
        n_docs = n_replaced = n_pars = 0
        owned = executor is None
        run = make_executor(workers) if executor is None else executor
        try:
            with collector_paused():
                for batch in self._prepared_batches(docs, batch_size, run):
                    n_replaced += self._store.write(batch, self._keys_of)
                    n_docs += len(batch)
                    n_pars += sum(len(p.paragraphs) for p in batch)
                    if progress:
                        progress("adding", n_docs, None)
        finally:
            if owned:
                run.close()
        self._store.checkpoint()
        return AddResult(n_docs, n_replaced, n_pars, time.perf_counter() - t0)

    def _prepared_batches(
        self, docs: Iterable[Document], batch_size: int, executor: Executor
    ) -> Iterator[list[PreparedDocument]]:
        """Write batches of prepared documents.

        The map step runs on ``executor`` in tasks cut by the scan's chunking
        rule, a few batches ahead of the writes; the batch rules
        (:func:`~syndetect.index.prepare.finish_batch`) run here on each whole
        batch, so the index is the same whatever the number of workers.
        """
        last_of_batch: deque[bool] = deque()

        def tasks() -> Iterator[list[Document]]:
            def split(items: list[Document]) -> Iterator[list[Document]]:
                ranges = chunks(len(items), chunk_size(len(items), executor.workers, 1, len(items)))
                for lo, hi in ranges:
                    last_of_batch.append(hi == len(items))
                    yield items[lo:hi]

            batch: dict[str, Document] = {}
            for d in docs:
                if not isinstance(d, Document):
                    raise ParameterError(f"Index.add takes Document objects, got {type(d).__name__}")
                if d.id in batch:  # the last one wins, as a later add would
                    del batch[d.id]
                batch[d.id] = d
                if len(batch) >= batch_size:
                    yield from split(list(batch.values()))
                    batch = {}
            if batch:
                yield from split(list(batch.values()))

        mapped: list[Mapped] = []
        for part in executor.map(map_task, (self._key_params, self._detector), tasks()):
            mapped.extend(part)
            if last_of_batch.popleft():
                yield finish_batch(mapped, self._detector)
                mapped = []

    def remove(self, ids: Iterable[str]) -> list[str]:
        """Remove documents by id; returns the ids that were in the index."""
        ids = list(dict.fromkeys(str(i) for i in ids))
        return self._store.remove(ids, self._keys_of)

    # -- reading -------------------------------------------------------------
    def stats(self) -> IndexStats:
        s = self._store.stats()
        return IndexStats(
            location=str(self._store.path or self._store.location),
            backend=self._store.backend,
            documents=s["documents"],
            paragraphs=s["paragraphs"],
            key_rows=s["key_rows"],
            size_bytes=s["size_bytes"],
            parameters=Params.from_dict(self._meta["params"]).to_dict(),
            schema_version=int(self._meta["schema_version"]),
            created=self._meta.get("created"),
            created_by=self._meta.get("created_by"),
            size_note=s.get("size_note", ""),
            key_fingerprint=str(self._meta.get("key_fingerprint", "")),
        )

    def documents(self) -> list[IndexedDocument]:
        """Every indexed document, by id (``paragraphs`` = paragraph rows actually stored)."""
        return self._store.documents()

    def verify(self) -> list[str]:
        """Check the index: storage integrity, every document whole with all its band keys.

        Returns a list of problems (empty when the index is sound).
        """
        return self._store.verify(self._keys_of)

    # -- checking ------------------------------------------------------------
    def check(
        self,
        doc: Document | str,
        *,
        max_reused_fraction: float = 0.0,
        min_span_words: int | None = None,
        allow: Allowlist | None = None,
    ) -> Verdict:
        """Compare one document (or a bare text) with the index.

        A text is checked as a document with id ``"-"``. Matches with an
        indexed document of the same id are ignored (re-checking an indexed
        article finds nothing in itself).
        """
        if isinstance(doc, str):
            doc = Document(id="-", text=doc, source="<text>")
        (verdict,) = self.check_many(
            [doc], max_reused_fraction=max_reused_fraction, min_span_words=min_span_words, allow=allow
        )
        return verdict

    def check_many(
        self,
        docs: Iterable[Document],
        *,
        max_reused_fraction: float = 0.0,
        min_span_words: int | None = None,
        allow: Allowlist | None = None,
    ) -> list[Verdict]:
        """Check documents against the index and against each other.

        Each document is compared with the index and with the documents
        before it in ``docs`` (as if they had been added in that order), so
        two new files that copy each other are caught too.
        """
        if not 0.0 <= max_reused_fraction <= 1.0:
            raise ParameterError("max_reused_fraction must be between 0 and 1")
        vparams = self._params
        if min_span_words is not None:
            vparams = vparams.with_(
                min_span_words=min_span_words,
                min_secondary_words=min(vparams.min_secondary_words, min_span_words),
            )
        docs = list(docs)
        for d in docs:
            if not isinstance(d, Document):
                raise ParameterError(f"check takes Document objects or text, got {type(d).__name__}")
        allow = allow or Allowlist()
        # the index's keying, down to this check's shortest span (a short new paragraph
        # may still be found inside a longer indexed one)
        shortest = min(self._key_params.min_span_words, vparams.min_span_words)
        kparams = self._key_params.with_(
            min_span_words=shortest, min_secondary_words=min(self._key_params.min_secondary_words, shortest)
        )
        with collector_paused():
            prepared = prepare_documents(docs, kparams, self._detector) if docs else []
            return check_documents(
                self._store, prepared, params=vparams, cap=self._key_params.max_bucket, detector=self._detector,
                allow=allow, max_fraction=max_reused_fraction, keys_of=self._keys_of,
            )
