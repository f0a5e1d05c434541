"""The embedded store: one SQLite file in WAL mode.

``location`` is a directory (the index is ``DIR/index.sqlite3``) or the
file itself. One ``BEGIN IMMEDIATE`` transaction per batch of whole
documents, so a killed writer leaves every document either complete or
absent, and concurrent writers queue on the lock (``busy_timeout``). Tables:
``meta`` (schema version and the parameters the index was built with),
``counters``, ``documents``, ``paragraphs``, ``postings`` and
``postings_overflow`` (schema version 2). ``postings`` holds one row per band
key, ``key INTEGER PRIMARY KEY`` (the b-tree of the table itself: one probe
per band key) and ``paras``, the **head** of the key's posting list: its
smallest ``min(n, HEAD)`` paragraph ids (:data:`HEAD` = 256, above the default
look-up cap, the index's ``max_bucket`` of 64), an integer when there is one
(most keys), else a blob of ascending little-endian 64-bit integers. The ids
beyond the head are ``postings_overflow`` rows ``(key, para)``, ``WITHOUT
ROWID``. A new paragraph's id is above every stored one, so an add looks up
the lengths of its keys' heads (no blob read), appends to a head until it is
full and inserts the rest as overflow rows: an add writes at most ``HEAD``
ids of a key however many paragraphs share it (a passage reprinted by
thousands of outlets, added one article at a time, is not rewritten whole at
each add). A removal cuts ids from the head and the overflow and refills a
full head from the smallest overflow ids, so the head is always the smallest
ids and full whenever the key has overflow. A look-up reads at most ``cap``
ids per key (``substr`` of the head); only a ``cap`` above ``HEAD`` also reads
the overflow of full heads. Version 1 kept a row per (key, paragraph) pair,
``WITHOUT ROWID``: about 2.8 rows per hit and two probes per key;
:func:`migrate` converts such an index in place. Only plain values are
stored (no pickle): integers, text and the id blobs, so an index file from
elsewhere cannot run code.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from syndetect.errors import IndexStoreError
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

__all__ = ["SQLiteStore", "INDEX_FILE", "SCHEMA_VERSION", "migrate"]

INDEX_FILE = "index.sqlite3"
SCHEMA_VERSION = 2  # 2: band keys as posting lists (``postings``); 1: one ``keys`` row per (key, paragraph)
_ID = np.dtype("<i8")  # a posting list's ids, as stored
_ID_BYTES = _ID.itemsize
_SQLITE_HEADER = b"SQLite format 3\x00"
_MMAP_BYTES = 1 << 34  # map up to 16 GB of the index file (address space only)

_SQLITE_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)",
    """CREATE TABLE IF NOT EXISTS documents (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        doc_id TEXT NOT NULL UNIQUE,
        title TEXT, outlet TEXT, url TEXT, published TEXT, source TEXT,
        text_hash TEXT NOT NULL,
        paragraphs INTEGER NOT NULL,
        content_chars INTEGER NOT NULL,
        added TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS paragraphs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        doc INTEGER NOT NULL,
        idx INTEGER NOT NULL,
        keyed INTEGER NOT NULL,
        text TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS paragraphs_by_doc ON paragraphs (doc, idx)",
    "CREATE TABLE IF NOT EXISTS postings (key INTEGER PRIMARY KEY, paras NOT NULL)",  # an id, or a blob of ids
    "CREATE TABLE IF NOT EXISTS postings_overflow (key INTEGER NOT NULL, para INTEGER NOT NULL,"
    " PRIMARY KEY (key, para)) WITHOUT ROWID",  # a key's ids beyond the HEAD smallest
)
_POSTINGS = _SQLITE_SCHEMA[-2:]
_TABLES = {"meta", "counters", "documents", "paragraphs"}  # and `postings` (version 2) or `keys` (version 1)
HEAD = 256  # ids of a key in its `postings` row (the smallest; >= the default look-up cap, max_bucket 64)
_HEAD_LENGTH = (
    "CASE typeof(p.paras) WHEN 'integer' THEN 1 ELSE length(p.paras) / 8 END"  # ids in a head (8: _ID_BYTES)
)


class SQLiteStore:
    """The embedded backend: one SQLite file in WAL mode."""

    backend = "sqlite"
    schema_version = SCHEMA_VERSION

    def __init__(self, location: str | os.PathLike, *, create: bool, timeout: float, cache_mb: int) -> None:
        path = Path(location)
        # one stat decides (an is_dir() then an exists() could see another writer create the directory
        # in between, and take the directory itself for the index file)
        try:
            is_dir, exists = stat.S_ISDIR(os.stat(path).st_mode), True
        except OSError:
            is_dir, exists = False, False
        if is_dir or (not exists and path.suffix.lower() not in (".sqlite3", ".sqlite", ".db")):
            db = path / INDEX_FILE
        else:
            db = path
        self.location = str(path)
        self.path: Path | None = db
        self._timeout = timeout
        if not db.exists():
            if not create:
                raise IndexStoreError(
                    f"no index at {path}; create it with `syndetect index add PATH... --index {path}`"
                )
            try:
                db.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise IndexStoreError(f"cannot create index directory {db.parent}: {exc.strerror or exc}") from exc
        elif db.is_dir():
            raise IndexStoreError(f"{db} is a directory, not an index file")
        else:
            try:
                with open(db, "rb") as fh:
                    head = fh.read(len(_SQLITE_HEADER))
            except OSError as exc:
                raise IndexStoreError(f"cannot read index file {db}: {exc.strerror or exc}") from exc
            if head and head != _SQLITE_HEADER:
                raise IndexStoreError(f"{db} is not a syndetect index (not an SQLite database)")
        self.read_only = not create and db.exists() and not _writable(db)
        try:
            if self.read_only:
                self._conn = _connect_read_only(db, timeout)
            else:
                self._conn = sqlite3.connect(db, timeout=timeout, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise IndexStoreError(f"cannot open index file {db}: {exc}") from exc
        try:
            self._configure(cache_mb)
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise IndexStoreError(f"{db} is not a usable syndetect index: {exc}") from exc

    # -- connection and transactions ---------------------------------------
    def _configure(self, cache_mb: int) -> None:
        conn = self._conn
        if self.read_only:  # the journal mode is the file's; only reading settings
            conn.execute(f"PRAGMA cache_size={-1024 * max(1, cache_mb)}")
            conn.execute(f"PRAGMA mmap_size={_MMAP_BYTES}")
            return
        deadline = time.monotonic() + self._timeout
        while True:  # switching to WAL needs a moment without other writers
            try:
                mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
                break
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
        if str(mode).lower() != "wal":
            raise IndexStoreError(f"{self.path}: cannot use WAL journal mode (got {mode})")
        conn.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: a killed process never corrupts
        conn.execute(f"PRAGMA busy_timeout={int(self._timeout * 1000)}")
        conn.execute(f"PRAGMA cache_size={-1024 * max(1, cache_mb)}")
        conn.execute("PRAGMA journal_size_limit=67108864")
        conn.execute(f"PRAGMA mmap_size={_MMAP_BYTES}")  # reads straight from the page cache
        conn.execute("PRAGMA foreign_keys=OFF")
        conn.create_function("syndetect_append", 2, _joined, deterministic=True)  # posting lists grow by it

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE`` transaction: committed whole, or rolled back."""
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if _is_busy(exc):
                raise IndexStoreError(
                    f"index {self.path} stayed locked by another writer for {self._timeout:g} s"
                ) from exc
            raise IndexStoreError(f"cannot write to index {self.path}: {exc}") from exc
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException as exc:
            self._rollback()
            if isinstance(exc, sqlite3.Error):
                raise IndexStoreError(f"cannot write to index {self.path}: {exc}") from exc
            raise

    def _rollback(self) -> None:
        try:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # the transaction is gone with the connection's state; SQLite recovers on next open

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """A read transaction (one consistent snapshot); database errors name the index file."""
        conn = self._conn
        try:
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                if conn.in_transaction:
                    conn.execute("COMMIT")
        except sqlite3.Error as exc:
            raise IndexStoreError(f"cannot read index {self.path}: {exc}") from exc

    # -- metadata ----------------------------------------------------------
    def read_meta(self) -> dict | None:
        try:
            tables = {r[0] for r in self._conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.DatabaseError as exc:
            raise IndexStoreError(f"{self.path} is not a syndetect index: {exc}") from exc
        if not tables:
            return None
        missing = _TABLES - tables
        if not tables & {"postings", "keys"}:  # an index of version 1 has `keys`: its version is reported
            missing.add("postings")
        elif "postings" in tables and "postings_overflow" not in tables:
            missing.add("postings_overflow")
        if missing:
            raise IndexStoreError(f"{self.path} is not a syndetect index (no {', '.join(sorted(missing))} table)")
        try:
            return {k: v for k, v in self._conn.execute("SELECT name, value FROM meta")}
        except sqlite3.DatabaseError as exc:
            raise IndexStoreError(f"{self.path}: cannot read the index metadata: {exc}") from exc

    def init_meta(self, meta: dict) -> dict:
        """Create the schema and store ``meta`` unless another process did first."""
        with self._write() as conn:
            for statement in _SQLITE_SCHEMA:
                conn.execute(statement)
            have = {k: v for k, v in conn.execute("SELECT name, value FROM meta")}
            if have:
                return have
            conn.executemany("INSERT INTO meta (name, value) VALUES (?, ?)", meta.items())
            conn.executemany("INSERT OR IGNORE INTO counters (name, value) VALUES (?, 0)", [(c,) for c in COUNTERS])
            return dict(meta)

    # -- writes --------------------------------------------------------------
    def write(self, batch: Sequence[PreparedDocument], keys_of: KeysOf) -> int:
        """Add (or replace) whole documents in one transaction; returns how many were replaced."""
        with self._write() as conn:
            replaced = 0
            for prep in batch:
                row = conn.execute("SELECT id FROM documents WHERE doc_id = ?", (prep.meta.id,)).fetchone()
                if row:
                    self._delete(conn, row[0], keys_of)
                    replaced += 1
            seq = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'paragraphs'").fetchone()
            top = conn.execute("SELECT MAX(id) FROM paragraphs").fetchone()[0]
            next_id = max(seq[0] if seq else 0, top or 0) + 1
            par_rows: list[tuple] = []
            key_parts: list[np.ndarray] = []
            pid_parts: list[np.ndarray] = []
            added = now()
            for prep in batch:
                m = prep.meta
                cur = conn.execute(
                    "INSERT INTO documents (doc_id, title, outlet, url, published, source, text_hash, paragraphs,"
                    " content_chars, added) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (m.id, m.title, prep.outlet, m.url, m.published, m.source, prep.text_hash,
                     len(prep.paragraphs), prep.content_chars, added),
                )
                doc_row = cur.lastrowid
                par_rows.extend(
                    (next_id + i, doc_row, p.index, int(k), p.text)
                    for i, (p, k) in enumerate(zip(prep.paragraphs, prep.keyed))
                )
                key_parts.append(prep.keys)
                pid_parts.append(prep.owners + next_id)
                next_id += len(prep.paragraphs)
            conn.executemany("INSERT INTO paragraphs (id, doc, idx, keyed, text) VALUES (?, ?, ?, ?, ?)", par_rows)
            keys = np.concatenate(key_parts) if key_parts else EMPTY
            pids = np.concatenate(pid_parts) if pid_parts else EMPTY
            self._count(conn, len(batch), len(par_rows), _append_postings(conn, keys, pids))
            return replaced

    def _delete(self, conn: sqlite3.Connection, doc_row: int, keys_of: KeysOf) -> None:
        rows = conn.execute("SELECT id, keyed, text FROM paragraphs WHERE doc = ?", (doc_row,)).fetchall()
        keys, pids = removal_pairs(rows, keys_of)
        key_rows = _remove_postings(conn, keys, pids)
        conn.execute("DELETE FROM paragraphs WHERE doc = ?", (doc_row,))
        conn.execute("DELETE FROM documents WHERE id = ?", (doc_row,))
        self._count(conn, -1, -len(rows), -key_rows)

    @staticmethod
    def _count(conn: sqlite3.Connection, documents: int, paragraphs: int, key_rows: int) -> None:
        conn.executemany(
            "UPDATE counters SET value = value + ? WHERE name = ?",
            [(documents, "documents"), (paragraphs, "paragraphs"), (key_rows, "key_rows")],
        )

    def remove(self, ids: Sequence[str], keys_of: KeysOf) -> list[str]:
        removed = []
        with self._write() as conn:
            for doc_id in ids:
                row = conn.execute("SELECT id FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
                if row:
                    self._delete(conn, row[0], keys_of)
                    removed.append(doc_id)
        return removed

    def checkpoint(self) -> None:
        """Fold the WAL back into the database file (best effort)."""
        try:
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error:
            pass

    # -- reads -------------------------------------------------------------
    @contextmanager
    def snapshot(self) -> Iterator[None]:
        with self._read():
            yield

    def lookup(self, keys: np.ndarray, cap: int) -> tuple[np.ndarray, np.ndarray]:
        if len(keys) == 0 or cap < 1:
            return EMPTY, EMPTY
        # one probe per key; at most `cap` paragraphs (the smallest ids: the list is ascending) per key
        rows = self._conn.execute(
            "SELECT p.key, CASE WHEN typeof(p.paras) = 'blob' THEN substr(p.paras, 1, ?2) ELSE p.paras END"
            " FROM json_each(?1) AS j JOIN postings AS p ON p.key = j.value",
            (json.dumps(keys.tolist()), cap * _ID_BYTES),
        ).fetchall()
        try:
            hk, hp = _unpack(rows)
        except _Malformed as exc:
            raise IndexStoreError(
                f"{self.path}: band key {exc.args[0]} holds a malformed posting list (not a syndetect index of"
                " this version, or damaged); `syndetect index verify` lists the problems"
            ) from None
        if cap <= HEAD:
            return hk, hp
        # a cap above the head: the overflow of the keys whose head is full (rare), at most cap - HEAD ids each
        full = [k for k, v in rows if isinstance(v, bytes) and len(v) == HEAD * _ID_BYTES]
        more = [
            r for k in full
            for r in self._conn.execute(
                "SELECT key, para FROM postings_overflow WHERE key = ? ORDER BY para LIMIT ?", (k, cap - HEAD)
            )
        ]
        if not more:
            return hk, hp
        extra = np.array(more, dtype=np.int64).reshape(-1, 2)
        return np.concatenate([hk, extra[:, 0]]), np.concatenate([hp, extra[:, 1]])

    def fetch(self, pids: Sequence[int]) -> dict[int, IndexedParagraph]:
        if not pids:
            return {}
        rows = self._conn.execute(
            "SELECT p.id, d.doc_id, p.idx, p.text, d.title, d.outlet, d.url, d.published"
            " FROM json_each(?) AS j JOIN paragraphs AS p ON p.id = j.value JOIN documents AS d ON d.id = p.doc",
            (json.dumps(list(pids)),),
        ).fetchall()
        return {r[0]: IndexedParagraph(*r[1:]) for r in rows}

    def documents(self) -> list[IndexedDocument]:
        with self._read() as conn:
            rows = conn.execute(
                "SELECT d.doc_id, d.title, d.outlet, d.url, d.published, d.source, d.text_hash,"
                " (SELECT COUNT(*) FROM paragraphs p WHERE p.doc = d.id), d.added FROM documents d ORDER BY d.doc_id"
            ).fetchall()
        return [IndexedDocument(*r) for r in rows]

    def stats(self) -> dict:
        with self._read() as conn:
            counts = {k: v for k, v in conn.execute("SELECT name, value FROM counters")}
        size = 0
        for suffix in ("", "-wal", "-shm"):
            try:
                size += os.path.getsize(str(self.path) + suffix)
            except OSError:
                pass
        return {**{c: counts.get(c, 0) for c in COUNTERS}, "size_bytes": size, "size_note": f"{self.path} (+ WAL)"}

    def verify(self, keys_of: KeysOf) -> list[str]:
        problems: list[str] = []
        try:
            result = [r[0] for r in self._conn.execute("PRAGMA integrity_check")]
        except sqlite3.DatabaseError as exc:
            return [f"{self.path}: integrity check failed: {exc}"]
        if result != ["ok"]:
            return [f"{self.path}: {r}" for r in result[:20]]
        with self._read() as conn:
            docs = conn.execute("SELECT id, doc_id, paragraphs FROM documents").fetchall()
            pairs = 0
            for doc_row, doc_id, expected in docs:
                rows = conn.execute("SELECT id, keyed, text FROM paragraphs WHERE doc = ?", (doc_row,)).fetchall()
                if len(rows) != expected:
                    problems.append(f"{doc_id}: {len(rows)} of {expected} paragraphs stored")
                keys, pids = removal_pairs(rows, keys_of)
                if len(keys):
                    found, wanted = _stored_pairs(conn, keys, pids)
                    pairs += wanted
                    if found != wanted:
                        problems.append(f"{doc_id}: {found} of {wanted} band keys stored")
            counts = {k: v for k, v in conn.execute("SELECT name, value FROM counters")}
            held = conn.execute(f"SELECT COALESCE(SUM({_HEAD_LENGTH}), 0) FROM postings AS p").fetchone()[0]
            held += conn.execute("SELECT COUNT(*) FROM postings_overflow").fetchone()[0]
            problems.extend(_posting_problems(conn))
            bad = conn.execute(
                "SELECT COUNT(*) FROM postings WHERE typeof(paras) != 'integer' AND (typeof(paras) != 'blob'"
                f" OR length(paras) < {2 * _ID_BYTES} OR length(paras) % {_ID_BYTES} != 0)"
            ).fetchone()[0]
            n_docs = conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
            n_pars = conn.execute("SELECT COUNT(*) FROM paragraphs").fetchone()[0]
            orphans = conn.execute(
                "SELECT COUNT(*) FROM paragraphs p WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE d.id = p.doc)"
            ).fetchone()[0]
        if orphans:
            problems.append(f"{orphans} paragraphs belong to no document")
        if bad:
            problems.append(f"{bad} band keys hold a malformed posting list")
        if not bad and held != pairs:
            problems.append(f"{held} (band key, paragraph) entries stored, the documents have {pairs}")
        if counts.get("key_rows") != held:
            problems.append(f"counters say {counts.get('key_rows')} band-key entries, the posting lists hold {held}")
        if counts.get("documents") != n_docs or counts.get("paragraphs") != n_pars:
            problems.append(
                f"counters say {counts.get('documents')} documents / {counts.get('paragraphs')} paragraphs,"
                f" tables hold {n_docs} / {n_pars}"
            )
        return problems

    def close(self) -> None:
        self._conn.close()


def _writable(db: Path) -> bool:
    """Whether this process may write the index file and create its ``-wal``/``-shm`` files beside it."""
    return os.access(db, os.W_OK) and os.access(db.parent, os.W_OK | os.X_OK)


def _connect_read_only(db: Path, timeout: float) -> sqlite3.Connection:
    """A read-only connection to an index in a directory this process cannot write (``check`` still works).

    With the WAL files present (a writer is active or was killed) SQLite reads
    them read-only; without them the database file is complete and is opened
    ``immutable`` (no locking files to create).
    """
    from urllib.parse import quote

    wal = db.with_name(db.name + "-wal").exists() and db.with_name(db.name + "-shm").exists()
    uri = f"file:{quote(str(db.resolve()))}?mode=ro" + ("" if wal else "&immutable=1")
    return sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None, check_same_thread=False)


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    msg = str(exc).lower()
    return "locked" in msg or "busy" in msg


# -- posting lists -----------------------------------------------------------
def _grouped(keys: np.ndarray, pids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct ``(key, id)`` pairs sorted by key then id: ``(distinct keys, start of each key's run, ids)``."""
    order = np.lexsort((pids, keys))
    keys, pids = keys[order], pids[order]
    if len(keys):
        keep = np.ones(len(keys), dtype=bool)
        keep[1:] = (keys[1:] != keys[:-1]) | (pids[1:] != pids[:-1])
        keys, pids = keys[keep], pids[keep]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else EMPTY
    return keys[starts], starts, pids


class _Malformed(ValueError):
    """A stored posting list that is neither an integer nor a whole number of ids (``args[0]``: the key)."""


def _well_formed(value: object) -> bool:
    return isinstance(value, int) or (isinstance(value, bytes) and len(value) > 0 and len(value) % _ID_BYTES == 0)


def _as_ids(value: int | bytes) -> bytes:
    return value.to_bytes(_ID_BYTES, "little", signed=True) if isinstance(value, int) else value


def _joined(stored: int | bytes, added: int | bytes) -> bytes:
    """SQL function ``syndetect_append(stored, added)``: two posting lists (an id or a blob of ids) as one blob."""
    return _as_ids(stored) + _as_ids(added)


def _stored_form(ids: np.ndarray) -> int | bytes:
    """A posting list as stored: one id as an integer, more as a blob."""
    return int(ids[0]) if len(ids) == 1 else ids.astype(_ID).tobytes()


def _head_lengths(conn: sqlite3.Connection, keys: Sequence[int]) -> dict[int, int]:
    """How many ids the heads of ``keys`` hold (absent keys left out); reads no blob, only its length."""
    return dict(conn.execute(
        f"SELECT p.key, {_HEAD_LENGTH} FROM json_each(?) AS j JOIN postings AS p ON p.key = j.value",
        (json.dumps(list(keys)),),
    ).fetchall())


def _append_postings(conn: sqlite3.Connection, keys: np.ndarray, pids: np.ndarray) -> int:
    """Add ``(key, id)`` pairs of new paragraphs (ids above every stored one); returns how many.

    A key's head takes the new ids until it holds :data:`HEAD`, the rest go to
    ``postings_overflow``: an add rewrites at most ``HEAD`` ids of a key however
    many paragraphs share it, and the head stays the smallest ids.
    """
    distinct, starts, pids = _grouped(keys, pids)
    if not len(distinct):
        return 0
    counts = np.diff(np.r_[starts, len(pids)])
    held = _head_lengths(conn, distinct.tolist())
    room = HEAD - np.fromiter((held.get(k, 0) for k in distinct.tolist()), dtype=np.int64, count=len(distinct))
    fits = np.clip(room, 0, counts)
    spill = np.flatnonzero(fits < counts)
    if len(spill):  # each such key's last `counts - fits` new ids (the largest) beyond its head
        rest = (counts - fits)[spill]
        over = np.repeat(starts[spill] + fits[spill] - np.r_[0, np.cumsum(rest)[:-1]], rest) + np.arange(rest.sum())
        conn.executemany(
            "INSERT INTO postings_overflow (key, para) VALUES (?, ?)",
            zip(np.repeat(distinct[spill], rest).tolist(), pids[over].tolist()),
        )
    into = np.flatnonzero(fits > 0)
    values: list[int | bytes] = pids[starts[into]].tolist()  # one id per key: an integer (most keys)
    multi = np.flatnonzero(fits[into] > 1)
    if len(multi):
        blob = pids.astype(_ID).tobytes()
        sel = into[multi]
        for i, a, n in zip(multi.tolist(), (starts[sel] * _ID_BYTES).tolist(), (fits[sel] * _ID_BYTES).tolist()):
            values[i] = blob[a : a + n]
    # in key order: neighbouring b-tree pages; appending keeps each head ascending
    conn.executemany(
        "INSERT INTO postings (key, paras) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET paras = syndetect_append(paras, excluded.paras)",
        zip(distinct[into].tolist(), values),
    )
    return len(pids)


def _lists(conn: sqlite3.Connection, keys: Sequence[int]) -> dict[int, np.ndarray]:
    """The whole posting lists of ``keys`` (absent and malformed ones left out: ``verify`` counts the latter)."""
    rows = conn.execute(
        "SELECT p.key, p.paras FROM json_each(?) AS j JOIN postings AS p ON p.key = j.value", (json.dumps(list(keys)),)
    ).fetchall()
    return {k: np.frombuffer(_as_ids(v), dtype=_ID) for k, v in rows if _well_formed(v)}


def _remove_postings(conn: sqlite3.Connection, keys: np.ndarray, pids: np.ndarray) -> int:
    """Remove ``(key, id)`` pairs from heads and overflow; returns how many were stored.

    A full head that lost ids takes as many of the smallest overflow ids (all
    above its own), so the head stays the smallest ids and is full whenever
    the key has overflow.
    """
    distinct, starts, pids = _grouped(keys, pids)
    if not len(distinct):
        return 0
    ends = np.r_[starts[1:], len(pids)].tolist()
    have = _lists(conn, distinct.tolist())
    updates, deletes, removed = [], [], 0
    for key, a, b in zip(distinct.tolist(), starts.tolist(), ends):
        stored = have.get(key)
        if stored is None:
            continue
        gone = pids[a:b]
        cut = np.isin(stored, gone)
        keep = stored[~cut]
        lost = len(stored) - len(keep)
        removed += lost
        if len(stored) >= HEAD:  # a full head: the key may have overflow
            beyond = gone[~np.isin(gone, stored)].tolist()
            if beyond:
                removed += conn.executemany(
                    "DELETE FROM postings_overflow WHERE key = ? AND para = ?", [(key, pid) for pid in beyond]
                ).rowcount
            if lost:
                moved = [r[0] for r in conn.execute(
                    "SELECT para FROM postings_overflow WHERE key = ? ORDER BY para LIMIT ?", (key, lost)
                )]
                if moved:
                    conn.execute("DELETE FROM postings_overflow WHERE key = ? AND para <= ?", (key, moved[-1]))
                    keep = np.concatenate([keep, np.array(moved, dtype=np.int64)])
        if not lost:
            continue
        if len(keep):
            updates.append((_stored_form(keep), key))
        else:
            deletes.append((key,))
    conn.executemany("UPDATE postings SET paras = ? WHERE key = ?", updates)
    conn.executemany("DELETE FROM postings WHERE key = ?", deletes)
    return removed


def _stored_pairs(conn: sqlite3.Connection, keys: np.ndarray, pids: np.ndarray) -> tuple[int, int]:
    """How many of the distinct ``(key, id)`` pairs are stored (in a head or its overflow), of how many."""
    distinct, starts, pids = _grouped(keys, pids)
    ends = np.r_[starts[1:], len(pids)].tolist()
    have = _lists(conn, distinct.tolist())
    found = 0
    beyond: list[tuple[int, int]] = []
    for key, a, b in zip(distinct.tolist(), starts.tolist(), ends):
        stored = have.get(key)
        if stored is not None:
            hit = np.isin(pids[a:b], stored)
            found += int(hit.sum())
            if len(stored) >= HEAD:
                beyond.extend((key, pid) for pid in pids[a:b][~hit].tolist())
    if beyond:
        found += conn.execute(
            "SELECT COUNT(*) FROM json_each(?) AS j JOIN postings_overflow AS o"
            " ON o.key = json_extract(j.value, '$[0]') AND o.para = json_extract(j.value, '$[1]')",
            (json.dumps(beyond),),
        ).fetchone()[0]
    return found, len(pids)


def _posting_problems(conn: sqlite3.Connection) -> list[str]:
    """Heads not ascending or longer than :data:`HEAD`, overflow beside a head that is not full or not below it."""
    disordered = long = 0
    rows = conn.execute(
        f"SELECT paras FROM postings WHERE typeof(paras) = 'blob' AND length(paras) >= {2 * _ID_BYTES}"
        f" AND length(paras) % {_ID_BYTES} = 0"
    )
    while part := rows.fetchmany(1 << 16):
        blobs = [r[0] for r in part]
        lengths = np.fromiter(map(len, blobs), dtype=np.int64, count=len(blobs)) // _ID_BYTES
        long += int((lengths > HEAD).sum())
        ids = np.frombuffer(b"".join(blobs), dtype=_ID)
        rises = np.diff(ids) > 0
        bounds = np.cumsum(lengths)
        rises[bounds[:-1] - 1] = True  # the last id of a list and the first of the next are not compared
        disordered += len(np.unique(np.searchsorted(bounds, np.flatnonzero(~rises), side="right")))
    unfull = conn.execute(
        "SELECT COUNT(DISTINCT o.key) FROM postings_overflow AS o LEFT JOIN postings AS p ON p.key = o.key"
        " WHERE p.key IS NULL OR typeof(p.paras) != 'blob' OR length(p.paras) != ?",
        (HEAD * _ID_BYTES,),
    ).fetchone()[0]
    above = 0
    for paras, low in conn.execute(
        "SELECT p.paras, MIN(o.para) FROM postings_overflow AS o JOIN postings AS p ON p.key = o.key GROUP BY o.key"
    ):
        if _well_formed(paras) and int(np.frombuffer(_as_ids(paras)[-_ID_BYTES:], dtype=_ID)[0]) >= low:
            above += 1
    problems = []
    if disordered:
        problems.append(f"{disordered} band keys hold a posting list that is not ascending")
    if long:
        problems.append(f"{long} band keys hold more than {HEAD} ids in their postings row")
    if unfull:
        problems.append(f"{unfull} band keys have overflow ids but no full postings row")
    if above:
        problems.append(f"{above} band keys have overflow ids not above their postings row")
    return problems


def _unpack(rows: list[tuple[int, int | bytes]]) -> tuple[np.ndarray, np.ndarray]:
    """``(key, posting list)`` rows to parallel ``(key, paragraph id)`` arrays."""
    if not rows:
        return EMPTY, EMPTY
    keys: list[int] = []
    pids: list[int] = []
    many_keys: list[int] = []
    blobs: list[bytes] = []
    for key, ids in rows:
        if isinstance(ids, int):
            keys.append(key)
            pids.append(ids)
        elif _well_formed(ids):
            many_keys.append(key)
            blobs.append(ids)
        else:
            raise _Malformed(key)
    if not blobs:
        return np.array(keys, dtype=np.int64), np.array(pids, dtype=np.int64)
    lengths = np.fromiter(map(len, blobs), dtype=np.int64, count=len(blobs)) // _ID_BYTES
    return (
        np.concatenate([np.array(keys, dtype=np.int64), np.repeat(np.array(many_keys, dtype=np.int64), lengths)]),
        np.concatenate([np.array(pids, dtype=np.int64), np.frombuffer(b"".join(blobs), dtype=_ID).astype(np.int64)]),
    )


def migrate(location: str | os.PathLike, *, timeout: float = 60.0, chunk: int = 1 << 18) -> tuple[int, int]:
    """Convert an SQLite index of schema version 1 to version 2 in place: ``(from version, key rows)``.

    One write transaction: the posting lists are built from the ``keys`` rows
    (read in key order), ``keys`` is dropped and the version set; a killed
    migration leaves the index as it was. An index of version 2 is left alone.
    The freed pages stay in the file and are reused by later adds (``VACUUM``
    returns them to the file system).
    """
    store = SQLiteStore(location, create=False, timeout=timeout, cache_mb=256)
    try:
        if store.read_only:
            raise IndexStoreError(f"cannot migrate {store.path}: not writable")
        meta = store.read_meta()
        if meta is None:
            raise IndexStoreError(f"{store.path} holds no index yet")
        version = str(meta.get("schema_version"))
        if version == str(SCHEMA_VERSION):
            return SCHEMA_VERSION, int(store.stats()["key_rows"])
        if version != "1":
            raise IndexStoreError(f"{store.path} has schema version {version!r}; only version 1 can be migrated")
        with store._write() as conn:
            for statement in _POSTINGS:
                conn.execute(statement)
            if conn.execute("SELECT (SELECT COUNT(*) FROM postings) + (SELECT COUNT(*) FROM postings_overflow)"
                            ).fetchone()[0]:
                raise IndexStoreError(f"{store.path}: a version 1 index with posting lists already (not migrated)")
            rows = conn.execute("SELECT key, para FROM keys ORDER BY key, para")
            total = 0
            while part := rows.fetchmany(chunk):  # a key split between chunks is appended to, still ascending
                flat = np.array(part, dtype=np.int64).reshape(-1, 2)
                total += _append_postings(conn, flat[:, 0], flat[:, 1])
            conn.execute("DROP TABLE keys")
            conn.execute("UPDATE meta SET value = ? WHERE name = 'schema_version'", (str(SCHEMA_VERSION),))
            conn.execute("UPDATE counters SET value = ? WHERE name = 'key_rows'", (total,))
        store.checkpoint()
        return 1, total
    finally:
        store.close()
