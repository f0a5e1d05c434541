"""A persistent index of the archive, and ``check``: is a new article a copy?

An :class:`Index` holds the paragraphs of the documents added to it and the
LSH band keys of their units (the same units, signatures and band keys as
:func:`syndetect.pipeline.scan.scan`). ``check`` maps a new document the same way,
looks its band keys up in the index to find candidate paragraphs, and
verifies every candidate with the exact aligner
(:func:`syndetect.core.verify.align`), so every reported span is real text.

Two backends share one interface:

* **SQLite** (default; ``location`` is a directory, the index is
  ``DIR/index.sqlite3``): WAL mode, one ``BEGIN IMMEDIATE`` transaction per
  batch of whole documents, so a killed writer leaves every document either
  complete or absent, and concurrent writers queue on the lock
  (``busy_timeout``). Tables: ``meta`` (schema version and the parameters the
  index was built with), ``counters``, ``documents``, ``paragraphs`` and
  ``keys`` (``WITHOUT ROWID``, primary key ``(key, para)``: one b-tree probe
  per band key). Only plain values are stored (no pickle): an index file from
  elsewhere cannot run code.
* **Redis** (``redis://host:port/db``, optional ``?prefix=NAME`` to namespace
  the keys, default ``syndetect``): for many ingestion workers on several
  machines. Each batch of documents is one ``MULTI``/``EXEC`` transaction,
  guarded by ``WATCH`` on the documents' keys.

Boilerplate paragraphs (:class:`syndetect.rules.boilerplate.Boilerplate`) are
stored but not keyed, and ignored by ``check``: a shared newsletter prompt is
not a copy.
"""

from __future__ import annotations

import gc
import json
import math
import os
import sqlite3
import time
import tomllib
from collections import defaultdict
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from itertools import chain
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, NamedTuple, Sequence
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import numpy as np
import xxhash

from syndetect import __version__
from syndetect.rules.boilerplate import Boilerplate, outlet_of
from syndetect.core.cluster import merge_ranges
from syndetect.config import Params
from syndetect.errors import IndexStoreError, ParameterError, SyndetectError
from syndetect.core.minhash import shingle_hashes, token_hashes
from syndetect.model import Document, Paragraph
from syndetect.pipeline.scan import map_units, paragraphs_of
from syndetect.core.text import normalize_text, token_spans
from syndetect.core.verify import Prepared, align, prepare

__all__ = [
    "Index",
    "Verdict",
    "IndexMatch",
    "MatchedDocument",
    "IndexStats",
    "IndexedDocument",
    "AddResult",
    "Allowlist",
    "content_hash",
    "SCHEMA_VERSION",
    "INDEX_FILE",
]

SCHEMA_VERSION = 1
INDEX_FILE = "index.sqlite3"
_SQLITE_HEADER = b"SQLite format 3\x00"
_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
_CANDIDATE_KEYS = ("shingle_size", "num_perm", "seed", "bands", "rows", "min_unit", "max_unit")
_WHOLE = 0.8  # a match covering this share of a paragraph is "the whole paragraph"
# Texts whose band keys fingerprint the text processing (tokens, units, signatures):
# an index whose fingerprint differs was built by code that keys text differently.
_PROBE = (
    "“This morning Pakistan undertook a series of highly coordinated strikes,” the ministry said in a statement.",
    "Don’t miss: the café’s Ｏｆｆｉｃｉａｌ report — 12½ pages — was “unprecedented”, officials said on Tuesday, "
    "and the council will meet again next week to discuss the findings in detail before any decision is made.",
    "Short one.",
)
_SHORT_PARAGRAPH = 40  # words: longer paragraphs are never treated as repeated boilerplate


def content_hash(text: str) -> str:
    """The content hash of a passage: ``xxh3_64`` (hex) of its normalised text.

    Used for allowlist entries and reported with every match; equal to the
    ``fingerprint`` of a scan cluster whose longest member is that passage.
    Survives changes of case, punctuation and spacing, and edits elsewhere in
    the file.
    """
    return xxhash.xxh3_64_hexdigest(normalize_text(text).encode("utf-8"))


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class IndexMatch:
    """A verified span of the checked document that is also in an indexed paragraph.

    ``paragraph`` (1-based) and ``start``/``end`` (character offsets within that
    paragraph's text) locate the span in the checked document; ``indexed_*`` in
    the indexed document. ``words`` counts the words that match exactly;
    ``hash`` is :func:`content_hash` of the indexed span (copy it into an
    allowlist). ``allowed_by`` says why an allowed match does not count.
    """

    indexed_doc: str
    indexed_paragraph: int
    paragraph: int
    start: int
    end: int
    indexed_start: int
    indexed_end: int
    text: str
    words: int
    hash: str
    indexed_text: str = ""
    allowed_by: str | None = None

    def to_dict(self) -> dict:
        d = asdict(self)
        if d["allowed_by"] is None:
            del d["allowed_by"]
        return d


@dataclass(frozen=True)
class MatchedDocument:
    """An indexed document the checked document takes text from.

    ``pending`` is true for a document of the same ``check_many`` batch (not
    in the index yet).
    """

    id: str
    title: str | None
    outlet: str | None
    url: str | None
    published: str | None
    spans: int
    words: int
    reused_fraction: float
    pending: bool = False

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Verdict:
    """The result of checking one document against the index.

    ``reused`` is true when at least one verified span remains after the
    allowed ones are set aside and ``reused_fraction`` (the share of the
    document's non-boilerplate characters inside such spans) exceeds
    ``max_reused_fraction`` (default 0: any verified span counts).
    """

    doc: str
    reused: bool
    reused_fraction: float
    matches: tuple[IndexMatch, ...]
    allowed: tuple[IndexMatch, ...] = ()
    documents: tuple[MatchedDocument, ...] = ()
    source: str = ""
    paragraphs: int = 0
    boilerplate: tuple[int, ...] = ()
    max_reused_fraction: float = 0.0

    def __bool__(self) -> bool:  # a verdict is "truthy" when the document is a copy
        return self.reused

    def to_dict(self) -> dict:
        return {
            "doc": self.doc,
            "source": self.source,
            "reused": self.reused,
            "reused_fraction": self.reused_fraction,
            "max_reused_fraction": self.max_reused_fraction,
            "paragraphs": self.paragraphs,
            "boilerplate": list(self.boilerplate),
            "documents": [d.to_dict() for d in self.documents],
            "matches": [m.to_dict() for m in self.matches],
            "allowed": [m.to_dict() for m in self.allowed],
        }


@dataclass(frozen=True)
class IndexStats:
    """What an index holds (``syndetect index stats``)."""

    location: str
    backend: str
    documents: int
    paragraphs: int
    key_rows: int
    size_bytes: int
    parameters: dict
    schema_version: int
    created: str | None = None
    created_by: str | None = None
    size_note: str = ""
    key_fingerprint: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class IndexedDocument:
    """One document as stored: ``paragraphs`` counts the stored paragraph rows."""

    id: str
    title: str | None
    outlet: str | None
    url: str | None
    published: str | None
    source: str | None
    text_hash: str
    paragraphs: int
    added: str | None = None


@dataclass(frozen=True)
class AddResult:
    """What ``Index.add`` did."""

    documents: int
    replaced: int
    paragraphs: int
    seconds: float


# ---------------------------------------------------------------------------
# Allowlist
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Allowlist:
    """Licensed text that may be reprinted: content hashes and outlets.

    A match is allowed when the indexed span, the whole indexed paragraph or
    the checked span has an allowlisted :func:`content_hash`, or when the
    indexed document's outlet is allowlisted (case-insensitive).
    """

    hashes: Mapping[str, str] = field(default_factory=dict)  # hash -> note
    outlets: frozenset[str] = frozenset()

    @classmethod
    def of(cls, hashes: Iterable[str] | Mapping[str, str] = (), outlets: Iterable[str] = ()) -> "Allowlist":
        items = hashes.items() if isinstance(hashes, Mapping) else ((h, "") for h in hashes)
        checked = {}
        for h, note in items:
            checked[_check_hash(str(h), "allowlist")] = str(note or "")
        return cls(checked, frozenset(o.strip().casefold() for o in outlets if o and o.strip()))

    def merged(self, other: "Allowlist") -> "Allowlist":
        return Allowlist({**self.hashes, **other.hashes}, self.outlets | other.outlets)

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Allowlist":
        """Read an allowlist file.

        * ``.json``: a list of hashes or of ``{"hash": ..., "note": ...}`` /
          ``{"outlet": ...}`` objects, or an object with such a list under
          ``"allow"``;
        * ``.toml``: ``[[allow]]`` tables with ``hash`` (and ``note``) or ``outlet``;
        * anything else: one hash per line, then an optional note; ``#`` starts
          a comment; ``outlet: NAME`` lines allow an outlet.
        """
        p = Path(path)
        try:
            text = p.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ParameterError(f"{p}: cannot read allowlist: {exc}") from exc
        suffix = p.suffix.lower()
        entries: list[Any]
        if suffix == ".json":
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                raise ParameterError(f"{p}: not valid JSON: {exc.msg} (line {exc.lineno})") from exc
            entries = data.get("allow", []) if isinstance(data, dict) else data
        elif suffix == ".toml":
            try:
                data = tomllib.loads(text)
            except tomllib.TOMLDecodeError as exc:
                raise ParameterError(f"{p}: not valid TOML: {exc}") from exc
            entries = data.get("allow", [])
        else:
            entries = []
            for number, line in enumerate(text.splitlines(), 1):
                line = line.split("#", 1)[0].strip()
                if not line:
                    continue
                if line.lower().startswith("outlet:"):
                    entries.append({"outlet": line[7:].strip(), "_line": number})
                else:
                    h, _, note = line.partition(" ")
                    entries.append({"hash": h, "note": note.strip(), "_line": number})
        if not isinstance(entries, list):
            raise ParameterError(f"{p}: expected a list of allowlist entries")
        hashes: dict[str, str] = {}
        outlets: list[str] = []
        for i, entry in enumerate(entries, 1):
            if isinstance(entry, str):
                entry = {"hash": entry}
            where = f"{p}:{entry.get('_line', i)}" if isinstance(entry, dict) else f"{p}: entry {i}"
            if not isinstance(entry, dict) or not ("hash" in entry or "outlet" in entry):
                raise ParameterError(f"{where}: an entry needs 'hash' or 'outlet'")
            if "hash" in entry:
                hashes[_check_hash(str(entry["hash"]), where)] = str(entry.get("note") or "")
            if "outlet" in entry and str(entry["outlet"]).strip():
                outlets.append(str(entry["outlet"]))
        return cls.of(hashes, outlets)

    def reason(self, match_hashes: Sequence[str], indexed_outlet: str | None) -> str | None:
        """Why a match is allowed (``None``: it is not)."""
        for h in match_hashes:
            if h in self.hashes:
                note = self.hashes[h]
                return f"allowlist {h}" + (f" ({note})" if note else "")
        if indexed_outlet and indexed_outlet.strip().casefold() in self.outlets:
            return f"allowed outlet {indexed_outlet}"
        return None


def _tokens_hash(tokens: Sequence[str]) -> str:
    """:func:`content_hash` of a text, from its normalised tokens."""
    return xxhash.xxh3_64_hexdigest(" ".join(tokens).encode("utf-8"))


def _check_hash(h: str, where: str) -> str:
    h = h.strip().lower()
    if len(h) != 16 or any(c not in "0123456789abcdef" for c in h):
        raise ParameterError(f"{where}: {h!r} is not a content hash (16 hex digits, as in `check --format json`)")
    return h


# ---------------------------------------------------------------------------
# Preparation: the pure map step of add and check
# ---------------------------------------------------------------------------
_EMPTY = np.empty(0, dtype=np.int64)
_MAX_INT64 = (1 << 63) - 1
_LOCAL = 1 << 20  # candidate pairs are coded as indexed id * _LOCAL + local paragraph position
_MMAP_BYTES = 1 << 34  # map up to 16 GB of the index file (address space only)


def unit_band_keys(texts: Sequence[str], params: Params) -> tuple[np.ndarray, np.ndarray]:
    """Every LSH band key of every unit of each text: ``(keys, owners)``.

    ``keys`` are signed 64-bit (the ``uint64`` band keys viewed as ``int64``),
    ``owners`` the position of the text in ``texts``; pairs are unique and
    sorted by key. A pure function of each text and the index's parameters
    (texts shorter than ``min_span_words`` words get no keys), so the keys of
    a stored paragraph can always be recomputed from its text.
    """
    if not texts:
        return _EMPTY, _EMPTY
    batch = map_units(texts, range(len(texts)), params)
    if len(batch.owners) == 0:
        return _EMPTY, _EMPTY
    # map_units signs each distinct unit content once; give every unit its keys
    order = np.argsort(batch.rep_content, kind="stable")
    row = order[np.searchsorted(batch.rep_content, batch.content, sorter=order)]
    per_unit = batch.keys[row]
    keys = np.ascontiguousarray(per_unit).reshape(-1).view(np.int64)
    owners = np.repeat(batch.owners, per_unit.shape[1])
    order = np.lexsort((owners, keys))
    keys, owners = keys[order], owners[order]
    keep = np.ones(len(keys), dtype=bool)
    keep[1:] = (keys[1:] != keys[:-1]) | (owners[1:] != owners[:-1])
    return keys[keep], owners[keep].astype(np.int64)


@dataclass(frozen=True)
class _Prepared:
    """A document mapped for the index: paragraphs, which are keyed, band keys."""

    meta: Document  # the document without its text
    outlet: str | None
    text_hash: str
    paragraphs: tuple[Paragraph, ...]
    keyed: tuple[bool, ...]
    keys: np.ndarray  # int64, sorted
    owners: np.ndarray  # position in ``paragraphs``
    content_chars: int


def _prepare_many(docs: Sequence[Document], params: Params, detector: Boilerplate) -> list[_Prepared]:
    """Paragraphs, boilerplate flags and band keys of a batch of documents."""
    pars_of = [paragraphs_of(d) for d in docs]
    flags = detector.detect(list(docs), [p for ps in pars_of for p in ps])
    flagged = {(f.doc, f.paragraph) for f in flags}
    out = []
    for doc, pars in zip(docs, pars_of):
        keyed = tuple((doc.id, p.index) not in flagged for p in pars)
        positions = np.array([i for i, k in enumerate(keyed) if k], dtype=np.int64)
        keys, owners = unit_band_keys([p.text for p, k in zip(pars, keyed) if k], params)
        out.append(
            _Prepared(
                meta=replace(doc, text=""),
                outlet=outlet_of(doc, detector.site_names),
                text_hash=xxhash.xxh3_64_hexdigest(doc.text.encode("utf-8")),
                paragraphs=tuple(pars),
                keyed=keyed,
                keys=keys,
                owners=positions[owners] if len(owners) else _EMPTY,
                content_chars=sum(len(p.text) for p, k in zip(pars, keyed) if k),
            )
        )
    return out


_WORKER: dict = {}


def _worker_init(params_dict: dict, lexicon_paths: tuple[str, ...]) -> None:
    _WORKER["params"] = Params.from_dict(params_dict)
    _WORKER["detector"] = Boilerplate.load(lexicon_paths)


def _worker_prepare(docs: list[Document]) -> list[_Prepared]:
    return _prepare_many(docs, _WORKER["params"], _WORKER["detector"])


class _Indexed(NamedTuple):
    """A candidate paragraph fetched from a store."""

    doc_id: str
    idx: int
    text: str
    title: str | None
    outlet: str | None
    url: str | None
    published: str | None
    pending: bool = False


def _cap_per_key(keys: np.ndarray, paras: np.ndarray, cap: int) -> tuple[np.ndarray, np.ndarray]:
    """At most ``cap`` paragraphs (the smallest ids) per key."""
    if len(keys) == 0:
        return _EMPTY, _EMPTY
    order = np.lexsort((paras, keys))
    keys, paras = keys[order], paras[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    rank = np.arange(len(keys)) - np.repeat(starts, np.diff(np.r_[starts, len(keys)]))
    keep = rank < cap
    return keys[keep], paras[keep]


def _removal_pairs(rows: Sequence[tuple[int, int, str]], params: Params) -> tuple[np.ndarray, np.ndarray]:
    """``(keys, paragraph ids)`` of stored paragraphs ``(id, keyed, text)``, recomputed from their text."""
    keyed = [(pid, text) for pid, k, text in rows if k]
    if not keyed:
        return _EMPTY, _EMPTY
    keys, owners = unit_band_keys([t for _, t in keyed], params)
    return keys, np.array([pid for pid, _ in keyed], dtype=np.int64)[owners]


def key_fingerprint(params: Params) -> str:
    """A hash of the band keys of fixed probe texts: equal when two runs key text the same way."""
    keys, owners = unit_band_keys(_PROBE, params)
    return xxhash.xxh3_64_hexdigest(keys.tobytes() + owners.tobytes())


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Hold Python's cyclic garbage collector during a check.

    A check allocates thousands of short-lived objects and no reference
    cycles. A collection in the middle of it frees nothing but promotes them
    to the oldest generation, which soon triggers a full collection: a pause
    of 20-30 ms once numpy and SciPy are loaded, the main source of p95/p99
    latency. Reference counting frees everything a check leaves behind.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# ---------------------------------------------------------------------------
# SQLite backend
# ---------------------------------------------------------------------------
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
    """CREATE TABLE IF NOT EXISTS keys (
        key INTEGER NOT NULL,
        para INTEGER NOT NULL,
        PRIMARY KEY (key, para)) WITHOUT ROWID""",
)
_COUNTERS = ("documents", "paragraphs", "key_rows")


class _SQLiteStore:
    """The embedded backend: one SQLite file in WAL mode."""

    backend = "sqlite"

    def __init__(self, location: str | os.PathLike, *, create: bool, timeout: float, cache_mb: int) -> None:
        path = Path(location)
        if path.is_dir() or (not path.exists() and path.suffix.lower() not in (".sqlite3", ".sqlite", ".db")):
            db = path / INDEX_FILE
        else:
            db = path
        self.location = str(path)
        self.path = db
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
        try:
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
        missing = {"meta", "counters", "documents", "paragraphs", "keys"} - tables
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
            conn.executemany("INSERT OR IGNORE INTO counters (name, value) VALUES (?, 0)", [(c,) for c in _COUNTERS])
            return dict(meta)

    # -- writes --------------------------------------------------------------
    def write(self, batch: Sequence[_Prepared], params: Params) -> int:
        """Add (or replace) whole documents in one transaction; returns how many were replaced."""
        with self._write() as conn:
            replaced = 0
            for prep in batch:
                row = conn.execute("SELECT id FROM documents WHERE doc_id = ?", (prep.meta.id,)).fetchone()
                if row:
                    self._delete(conn, row[0], params)
                    replaced += 1
            seq = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'paragraphs'").fetchone()
            top = conn.execute("SELECT MAX(id) FROM paragraphs").fetchone()[0]
            next_id = max(seq[0] if seq else 0, top or 0) + 1
            par_rows: list[tuple] = []
            key_parts: list[np.ndarray] = []
            pid_parts: list[np.ndarray] = []
            added = _now()
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
            keys = np.concatenate(key_parts) if key_parts else _EMPTY
            pids = np.concatenate(pid_parts) if pid_parts else _EMPTY
            order = np.lexsort((pids, keys))  # in key order: neighbouring b-tree pages
            before = conn.total_changes
            conn.executemany(
                "INSERT OR IGNORE INTO keys (key, para) VALUES (?, ?)", zip(keys[order].tolist(), pids[order].tolist())
            )
            self._count(conn, len(batch), len(par_rows), conn.total_changes - before)
            return replaced

    def _delete(self, conn: sqlite3.Connection, doc_row: int, params: Params) -> None:
        rows = conn.execute("SELECT id, keyed, text FROM paragraphs WHERE doc = ?", (doc_row,)).fetchall()
        keys, pids = _removal_pairs(rows, params)
        before = conn.total_changes
        conn.executemany("DELETE FROM keys WHERE key = ? AND para = ?", zip(keys.tolist(), pids.tolist()))
        key_rows = conn.total_changes - before
        conn.execute("DELETE FROM paragraphs WHERE doc = ?", (doc_row,))
        conn.execute("DELETE FROM documents WHERE id = ?", (doc_row,))
        self._count(conn, -1, -len(rows), -key_rows)

    @staticmethod
    def _count(conn: sqlite3.Connection, documents: int, paragraphs: int, key_rows: int) -> None:
        conn.executemany(
            "UPDATE counters SET value = value + ? WHERE name = ?",
            [(documents, "documents"), (paragraphs, "paragraphs"), (key_rows, "key_rows")],
        )

    def remove(self, ids: Sequence[str], params: Params) -> list[str]:
        removed = []
        with self._write() as conn:
            for doc_id in ids:
                row = conn.execute("SELECT id FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
                if row:
                    self._delete(conn, row[0], params)
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
        if len(keys) == 0:
            return _EMPTY, _EMPTY
        # at most `cap` paragraphs (the smallest ids) per key, bounded inside SQLite:
        # the subquery gives the cap-th paragraph id of the key (one range scan per key)
        rows = self._conn.execute(
            "SELECT k.key, k.para FROM json_each(?1) AS j JOIN keys AS k ON k.key = j.value AND k.para <= "
            "COALESCE((SELECT para FROM keys WHERE key = j.value ORDER BY para LIMIT 1 OFFSET ?2), ?3)",
            (json.dumps(keys.tolist()), cap - 1, _MAX_INT64),
        ).fetchall()
        if not rows:
            return _EMPTY, _EMPTY
        flat = np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=2 * len(rows))
        return flat[0::2], flat[1::2]

    def fetch(self, pids: Sequence[int]) -> dict[int, _Indexed]:
        if not pids:
            return {}
        rows = self._conn.execute(
            "SELECT p.id, d.doc_id, p.idx, p.text, d.title, d.outlet, d.url, d.published"
            " FROM json_each(?) AS j JOIN paragraphs AS p ON p.id = j.value JOIN documents AS d ON d.id = p.doc",
            (json.dumps(list(pids)),),
        ).fetchall()
        return {r[0]: _Indexed(*r[1:]) for r in rows}

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
        return {**{c: counts.get(c, 0) for c in _COUNTERS}, "size_bytes": size, "size_note": f"{self.path} (+ WAL)"}

    def verify(self, params: Params) -> list[str]:
        problems: list[str] = []
        try:
            result = [r[0] for r in self._conn.execute("PRAGMA integrity_check")]
        except sqlite3.DatabaseError as exc:
            return [f"{self.path}: integrity check failed: {exc}"]
        if result != ["ok"]:
            return [f"{self.path}: {r}" for r in result[:20]]
        with self._read() as conn:
            docs = conn.execute("SELECT id, doc_id, paragraphs FROM documents").fetchall()
            for doc_row, doc_id, expected in docs:
                rows = conn.execute("SELECT id, keyed, text FROM paragraphs WHERE doc = ?", (doc_row,)).fetchall()
                if len(rows) != expected:
                    problems.append(f"{doc_id}: {len(rows)} of {expected} paragraphs stored")
                keys, pids = _removal_pairs(rows, params)
                if len(keys):
                    found = conn.execute(
                        "SELECT COUNT(*) FROM json_each(?) AS j JOIN keys AS k"
                        " ON k.key = json_extract(j.value, '$[0]') AND k.para = json_extract(j.value, '$[1]')",
                        (json.dumps(list(zip(keys.tolist(), pids.tolist()))),),
                    ).fetchone()[0]
                    if found != len(keys):
                        problems.append(f"{doc_id}: {found} of {len(keys)} band keys stored")
            counts = {k: v for k, v in conn.execute("SELECT name, value FROM counters")}
            n_docs = conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
            n_pars = conn.execute("SELECT COUNT(*) FROM paragraphs").fetchone()[0]
            orphans = conn.execute(
                "SELECT COUNT(*) FROM paragraphs p WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE d.id = p.doc)"
            ).fetchone()[0]
        if orphans:
            problems.append(f"{orphans} paragraphs belong to no document")
        if counts.get("documents") != n_docs or counts.get("paragraphs") != n_pars:
            problems.append(
                f"counters say {counts.get('documents')} documents / {counts.get('paragraphs')} paragraphs,"
                f" tables hold {n_docs} / {n_pars}"
            )
        return problems

    def close(self) -> None:
        self._conn.close()


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    msg = str(exc).lower()
    return "locked" in msg or "busy" in msg


# ---------------------------------------------------------------------------
# Redis backend
# ---------------------------------------------------------------------------
class _RedisStore:
    """The shared backend: one Redis database, keys under ``PREFIX:``.

    ``PREFIX:meta`` (JSON: schema version and parameters), ``PREFIX:stats``
    (hash of counters), ``PREFIX:next`` (paragraph id sequence),
    ``PREFIX:docs`` (set of document ids), ``PREFIX:d:<id>`` (JSON document
    record with its paragraph ids), ``PREFIX:paras`` (hash: paragraph id ->
    JSON ``[doc, index, keyed, text]``), ``PREFIX:b:<key>`` (set of paragraph
    ids per band key, key in hex).
    """

    backend = "redis"

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
        clean = urlunsplit(parts._replace(query=urlencode(query, doseq=True)))
        netloc = parts.netloc.rsplit("@", 1)[-1]
        self.location = urlunsplit(parts._replace(netloc=netloc, query=f"prefix={prefix}"))
        self.path = None
        self._p = prefix + ":"
        try:
            self._r = redis.Redis.from_url(clean, socket_connect_timeout=5, socket_timeout=max(timeout, 5.0))
            self._r.ping()
        except (redis.RedisError, ValueError) as exc:
            raise IndexStoreError(f"cannot reach the Redis index at {self.location}: {exc}") from exc
        self._create = create
        self._lookup_script = self._r.register_script(_REDIS_LOOKUP)
        self._sets_script = self._r.register_script(_REDIS_SETS)

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
    def _record(prep: _Prepared, pids: list[int], added: str) -> str:
        m = prep.meta
        return json.dumps(
            {
                "id": m.id, "title": m.title, "outlet": prep.outlet, "url": m.url, "published": m.published,
                "source": m.source, "text_hash": prep.text_hash, "paragraphs": len(prep.paragraphs),
                "content_chars": prep.content_chars, "added": added, "pids": pids,
            }
        )

    def _old_removal(self, pipe, record: dict, params: Params) -> tuple[list[int], np.ndarray, np.ndarray]:
        pids = [int(p) for p in record.get("pids", [])]
        values = pipe.hmget(self._k("paras"), pids) if pids else []
        rows = []
        for pid, raw in zip(pids, values):
            if raw is not None:
                _, _, keyed, text = json.loads(raw)
                rows.append((pid, keyed, text))
        keys, owners = _removal_pairs(rows, params)
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

    def write(self, batch: Sequence[_Prepared], params: Params) -> int:
        doc_keys = [self._doc_key(p.meta.id) for p in batch]
        total = sum(len(p.paragraphs) for p in batch)
        with self._errors(), self._r.pipeline(transaction=True) as pipe:
            while True:
                try:
                    pipe.watch(*doc_keys)
                    olds = pipe.mget(doc_keys)
                    removals = [
                        (prep.meta.id, *self._old_removal(pipe, json.loads(old), params))
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

    def _queue_add(self, pipe, batch: Sequence[_Prepared], next_id: int) -> None:
        added = _now()
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

    def remove(self, ids: Sequence[str], params: Params) -> list[str]:
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
                        removal = self._old_removal(pipe, json.loads(old), params)
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

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        yield

    def lookup(self, keys: np.ndarray, cap: int) -> tuple[np.ndarray, np.ndarray]:
        if len(keys) == 0:
            return _EMPTY, _EMPTY
        klist = keys.tolist()
        with self._errors():
            flat = self._lookup_script(keys=[self._band_key(k) for k in klist], args=[cap])
        if not flat:
            return _EMPTY, _EMPTY
        arr = np.array(flat, dtype=np.int64)  # (1-based key position, paragraph id) pairs
        return keys[arr[0::2] - 1], arr[1::2]

    def fetch(self, pids: Sequence[int]) -> dict[int, _Indexed]:
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
                    out[pid] = _Indexed(
                        doc_id, idx, text, rec.get("title"), rec.get("outlet"), rec.get("url"), rec.get("published")
                    )
        return out

    def _records(self) -> list[dict]:
        with self._errors():
            ids = sorted(m.decode() if isinstance(m, bytes) else m for m in self._r.smembers(self._k("docs")))
            out = []
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
            **{c: counts.get(c, 0) for c in _COUNTERS},
            "size_bytes": int(info.get("used_memory", 0)),
            "size_note": "memory used by the whole Redis server",
        }

    def verify(self, params: Params) -> list[str]:
        problems = []
        with self._errors():
            records = self._records()
            for rec in records:
                pids = rec.get("pids", [])
                values = self._r.hmget(self._k("paras"), pids) if pids else []
                rows = [(pid, *json.loads(v)[2:]) for pid, v in zip(pids, values) if v is not None]
                if len(rows) != rec.get("paragraphs"):
                    problems.append(f"{rec['id']}: {len(rows)} of {rec.get('paragraphs')} paragraphs stored")
                keys, owners = _removal_pairs(rows, params)
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


# One round trip for a check's band keys: (position, paragraph id) pairs, at most
# ARGV[1] paragraphs (the smallest ids) per key.
_REDIS_LOOKUP = """
local out, n, cap = {}, 0, tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  local members = redis.call('SMEMBERS', key)
  if #members > 0 then
    for j = 1, #members do members[j] = tonumber(members[j]) end
    if #members > cap then table.sort(members) end
    for j = 1, math.min(#members, cap) do
      out[n + 1] = i
      out[n + 2] = members[j]
      n = n + 2
    end
  end
end
return out
"""


# SADD or SREM (ARGV[1]) of member ARGV[i + 1] to/from set KEYS[i], for every i:
# thousands of set updates as one command of a MULTI/EXEC transaction.
_REDIS_SETS = """
local command = ARGV[1]
for i, key in ipairs(KEYS) do
  redis.call(command, key, ARGV[i + 1])
end
return #KEYS
"""
_REDIS_CHUNK = 20000


# ---------------------------------------------------------------------------
# The batch overlay of check_many
# ---------------------------------------------------------------------------
class _Overlay:
    """The documents checked earlier in a ``check_many`` batch (negative paragraph ids)."""

    def __init__(self) -> None:
        self._keys: list[np.ndarray] = []
        self._pids: list[np.ndarray] = []
        self._paras: dict[int, _Indexed] = {}
        self._next = -1

    def add(self, prep: _Prepared) -> None:
        n = len(prep.paragraphs)
        base = self._next
        for i, p in enumerate(prep.paragraphs):
            m = prep.meta
            self._paras[base - i] = _Indexed(m.id, p.index, p.text, m.title, prep.outlet, m.url, m.published, True)
        self._keys.append(prep.keys)
        self._pids.append(base - prep.owners)
        self._next -= n

    def lookup(self, keys: np.ndarray, cap: int) -> tuple[np.ndarray, np.ndarray]:
        if not self._keys or len(keys) == 0:
            return _EMPTY, _EMPTY
        all_k = np.concatenate(self._keys)
        all_p = np.concatenate(self._pids)
        hit = np.isin(all_k, keys)
        return _cap_per_key(all_k[hit], all_p[hit], cap)

    def fetch(self, pids: Sequence[int]) -> dict[int, _Indexed]:
        return {p: self._paras[p] for p in pids if p in self._paras}


# ---------------------------------------------------------------------------
# The index
# ---------------------------------------------------------------------------
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
    diff = [k for k in _CANDIDATE_KEYS if a[k] != b[k]]
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

    def __init__(
        self, store: _SQLiteStore | _RedisStore, params: Params, meta: dict, lexicon_paths: Sequence[str]
    ) -> None:
        self._store = store
        self._params = params  # this session's parameters (verification settings may differ from the index's)
        self._key_params = Params.from_dict(meta["params"])  # the index's own: every band key is made with them
        self._meta = meta
        self._lexicon_paths = tuple(str(p) for p in lexicon_paths)
        self._detector = Boilerplate.load(self._lexicon_paths)  # parsed once, reused by every check

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
    ) -> "Index":
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
        store: _SQLiteStore | _RedisStore
        if loc.startswith(_REDIS_SCHEMES):
            store = _RedisStore(loc, create=create, timeout=timeout)
        else:
            store = _SQLiteStore(loc, create=create, timeout=timeout, cache_mb=cache_mb)
        try:
            where = f"index {store.path or store.location}"
            meta = store.read_meta()
            if meta is None:
                if not create:
                    raise IndexStoreError(
                        f"{store.path or store.location} holds no index yet; create it with `syndetect index add`"
                    )
                fresh = _resolve_params(None, params, where)
                meta = store.init_meta(cls._new_meta(fresh))
            meta = cls._check_meta(meta, where)
            resolved = _resolve_params(meta["params"], params, where)
            now = key_fingerprint(Params.from_dict(meta["params"]))
            if meta.get("key_fingerprint") != now:
                raise IndexStoreError(
                    f"{where} was built by a syndetect that splits or hashes text differently"
                    f" (key fingerprint {meta.get('key_fingerprint')}, this one {now}); rebuild it with"
                    " `syndetect index add`"
                )
            return cls(store, resolved, meta, [os.fspath(p) for p in lexicon_paths])
        except BaseException:
            store.close()
            raise

    @staticmethod
    def _new_meta(params: Params) -> dict:
        return {
            "schema_version": str(SCHEMA_VERSION),
            "key_fingerprint": key_fingerprint(params),
            "params": json.dumps(params.to_dict(), sort_keys=True),
            "created": _now(),
            "created_by": f"syndetect {__version__}",
        }

    @staticmethod
    def _check_meta(meta: dict, where: str) -> dict:
        version = meta.get("schema_version")
        if str(version) != str(SCHEMA_VERSION):
            raise IndexStoreError(
                f"{where} has schema version {version!r}; this syndetect reads version {SCHEMA_VERSION}. "
                "Rebuild the index with `syndetect index add`."
            )
        try:
            params = json.loads(meta["params"]) if isinstance(meta.get("params"), str) else meta["params"]
            if not isinstance(params, dict):
                raise ValueError("not an object")
            for k in _CANDIDATE_KEYS:
                if not isinstance(params.get(k), int) or isinstance(params.get(k), bool):
                    raise ValueError(f"{k} is not an integer")
        except (KeyError, ValueError) as exc:
            raise IndexStoreError(f"{where}: the stored parameters are missing or corrupt ({exc})") from exc
        return {**meta, "params": params}

    def close(self) -> None:
        self._store.close()

    def __enter__(self) -> "Index":
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
    ) -> AddResult:
        """Add documents; a document whose id is already indexed is replaced.

        Documents are written in transactions of ``batch_size`` whole
        documents: an interrupted add leaves each document complete or absent.
        ``workers`` > 1 maps documents in that many forked processes while the
        main process writes.
        """
        if batch_size < 1:
            raise ParameterError("batch_size must be at least 1")
        if workers < 1:
            raise ParameterError("workers must be at least 1")
        t0 = time.perf_counter()
        n_docs = n_replaced = n_pars = 0
        for batch in self._prepared_batches(docs, batch_size, workers):
            n_replaced += self._store.write(batch, self._key_params)
            n_docs += len(batch)
            n_pars += sum(len(p.paragraphs) for p in batch)
            if progress:
                progress("adding", n_docs, None)
        self._store.checkpoint()
        return AddResult(n_docs, n_replaced, n_pars, time.perf_counter() - t0)

    def _prepared_batches(self, docs: Iterable[Document], batch_size: int, workers: int) -> Iterator[list[_Prepared]]:
        def chunks() -> Iterator[list[Document]]:
            batch: dict[str, Document] = {}
            for d in docs:
                if not isinstance(d, Document):
                    raise ParameterError(f"Index.add takes Document objects, got {type(d).__name__}")
                if d.id in batch:  # the last one wins, as a later add would
                    del batch[d.id]
                batch[d.id] = d
                if len(batch) >= batch_size:
                    yield list(batch.values())
                    batch = {}
            if batch:
                yield list(batch.values())

        if workers == 1:
            for chunk in chunks():
                yield _prepare_many(chunk, self._key_params, self._detector)
            return
        import multiprocessing

        with ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_worker_init,
            initargs=(self._key_params.to_dict(), self._lexicon_paths),
        ) as pool:
            pending: list[list[Future]] = []
            sub = max(1, math.ceil(batch_size / workers))
            for chunk in chunks():
                pending.append([pool.submit(_worker_prepare, chunk[i : i + sub]) for i in range(0, len(chunk), sub)])
                if len(pending) > 2:
                    yield [p for f in pending.pop(0) for p in f.result()]
            while pending:
                yield [p for f in pending.pop(0) for p in f.result()]

    def remove(self, ids: Iterable[str]) -> list[str]:
        """Remove documents by id; returns the ids that were in the index."""
        ids = list(dict.fromkeys(str(i) for i in ids))
        return self._store.remove(ids, self._key_params)

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
        return self._store.verify(self._key_params)

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
        with _collector_paused():
            prepared = _prepare_many(docs, kparams, self._detector) if docs else []
            overlay = _Overlay()
            verdicts = []
            for prep in prepared:
                batch = overlay if len(docs) > 1 else None
                verdicts.append(self._check_one(prep, vparams, max_reused_fraction, allow, batch))
                overlay.add(prep)
        return verdicts

    def _candidates(self, prep: _Prepared, overlay: _Overlay | None) -> tuple[np.ndarray, dict[int, _Indexed]]:
        """Candidate ``(local paragraph, indexed paragraph id)`` pairs and the fetched paragraphs."""
        cap = self._key_params.max_bucket
        if len(prep.keys) == 0:
            return np.empty((0, 2), dtype=np.int64), {}
        uniq = np.unique(prep.keys)
        with self._store.snapshot():
            hk, hp = self._store.lookup(uniq, cap)
            if overlay is not None:
                ok, op = overlay.lookup(uniq, cap)
                hk, hp = np.concatenate([hk, ok]), np.concatenate([hp, op])
            if len(hk) == 0:
                return np.empty((0, 2), dtype=np.int64), {}
            # join the hits to this document's paragraphs on the band key
            lo = np.searchsorted(prep.keys, hk, "left")
            n = np.searchsorted(prep.keys, hk, "right") - lo
            hit = np.repeat(np.arange(len(hk)), n)
            pos = np.repeat(lo, n) + np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
            codes, shared = np.unique(hp[hit] * _LOCAL + prep.owners[pos], return_counts=True)
            local, remote = codes % _LOCAL, codes // _LOCAL
            # per paragraph, the `cap` candidates sharing most band keys
            order = np.lexsort((remote, -shared, local))
            local, remote = local[order], remote[order]
            starts = np.flatnonzero(np.r_[True, local[1:] != local[:-1]])
            rank = np.arange(len(local)) - np.repeat(starts, np.diff(np.r_[starts, len(local)]))
            keep = rank < cap
            pairs = np.stack([local[keep], remote[keep]], axis=1)
            wanted = np.unique(remote[keep]).tolist()
            fetched = self._store.fetch([p for p in wanted if p > 0])
        if overlay is not None:
            fetched.update(overlay.fetch([p for p in wanted if p < 0]))
        return pairs, fetched

    def _check_one(
        self, prep: _Prepared, vparams: Params, max_fraction: float, allow: Allowlist, overlay: _Overlay | None
    ) -> Verdict:
        pairs, fetched = self._candidates(prep, overlay)
        doc_id = prep.meta.id
        k = vparams.shingle_size
        # (k-gram index, char offsets) of this document's and the indexed paragraphs; nothing is kept
        # between checks (a cache of parsed paragraphs costs more in garbage-collector pauses than it saves)
        local_tokens: dict[int, tuple[Prepared, list[tuple[int, int]]]] = {}
        for local in np.unique(pairs[:, 0]).tolist():
            toks, offsets = token_spans(prep.paragraphs[local].text)
            local_tokens[local] = (prepare(toks, k), offsets)
        doc_grams = {g for pt, _ in local_tokens.values() for g in pt.grams}
        remote_tokens: dict[str, tuple[Prepared, list[tuple[int, int]]] | None] = {}

        def remote(text: str) -> tuple[Prepared, list[tuple[int, int]]] | None:
            """An indexed paragraph ready for alignment; None when it shares no k-gram with the document."""
            if text not in remote_tokens:
                toks, offsets = token_spans(text)
                grams = shingle_hashes(token_hashes(toks), k).tolist() if len(toks) >= k else []
                shares = not doc_grams.isdisjoint(grams)
                remote_tokens[text] = (prepare(toks, k), offsets) if shares else None
            return remote_tokens[text]

        aligned: dict[tuple[int, str], list] = {}
        found: list[tuple[IndexMatch, _Indexed]] = []
        for local, pid in pairs.tolist():
            ind = fetched.get(pid)
            if ind is None or ind.doc_id == doc_id:
                continue
            lt = local_tokens[local]
            spans = aligned.get((local, ind.text))
            if spans is None:
                rt = remote(ind.text)
                spans = aligned[(local, ind.text)] = (
                    [(s, rt) for s in align(lt[0], rt[0], vparams)] if rt is not None else []
                )
            par = prep.paragraphs[local]
            for span, (rprep, roffsets) in spans:
                start, end = lt[1][span.a_start][0], lt[1][span.a_end - 1][1]
                istart, iend = roffsets[span.b_start][0], roffsets[span.b_end - 1][1]
                found.append(
                    (
                        IndexMatch(
                            indexed_doc=ind.doc_id, indexed_paragraph=ind.idx, paragraph=par.index,
                            start=start, end=end, indexed_start=istart, indexed_end=iend,
                            text=par.text[start:end], words=span.words,
                            hash=_tokens_hash(rprep.tokens[span.b_start : span.b_end]),
                            indexed_text=ind.text[istart:iend],
                        ),
                        ind,
                    )
                )
        # a short paragraph found whole in the same outlet's documents is its template
        repeated = self._repeated(prep, found, local_tokens)
        flagged = tuple(sorted({p.index for p, k in zip(prep.paragraphs, prep.keyed) if not k} | repeated))
        counted: list[IndexMatch] = []
        allowed: list[IndexMatch] = []
        meta_of: dict[str, _Indexed] = {}
        for m, ind in found:
            if m.paragraph in repeated:
                continue
            hashes = (m.hash, content_hash(ind.text), content_hash(m.text)) if allow.hashes else (m.hash,)
            reason = allow.reason(hashes, ind.outlet)
            if reason:
                allowed.append(replace(m, allowed_by=reason))
            else:
                counted.append(m)
                meta_of.setdefault(m.indexed_doc, ind)
        key = lambda m: (m.paragraph, m.start, m.indexed_doc, m.indexed_paragraph, m.indexed_start)  # noqa: E731
        counted.sort(key=key)
        allowed.sort(key=key)
        content = sum(len(p.text) for p in prep.paragraphs if p.index not in flagged)
        fraction = _covered_fraction(counted, content)
        documents = []
        for d in sorted(meta_of):
            ms = [m for m in counted if m.indexed_doc == d]
            ind = meta_of[d]
            documents.append(
                MatchedDocument(
                    id=d, title=ind.title, outlet=ind.outlet, url=ind.url, published=ind.published,
                    spans=len(ms), words=sum(m.words for m in ms), reused_fraction=_covered_fraction(ms, content),
                    pending=ind.pending,
                )
            )
        documents.sort(key=lambda d: (-d.reused_fraction, d.id))
        return Verdict(
            doc=doc_id,
            reused=bool(counted) and fraction > max_fraction,
            reused_fraction=fraction,
            matches=tuple(counted),
            allowed=tuple(allowed),
            documents=tuple(documents),
            source=prep.meta.source,
            paragraphs=len(prep.paragraphs),
            boilerplate=flagged,
            max_reused_fraction=max_fraction,
        )

    def _repeated(self, prep: _Prepared, found: list[tuple[IndexMatch, _Indexed]], local_tokens: dict) -> set[int]:
        """Paragraphs of the checked document that are its outlet's template, not copies.

        As the scan's outlet-template rule: a short paragraph matched whole in
        at least ``min_repeats - 1`` indexed documents of the document's own
        outlet (so it recurs in ``min_repeats`` documents of that outlet).
        Text shared with *other* outlets always counts (allowlist it if it is
        licensed or a known prompt).
        """
        mine = (prep.outlet or "").strip().casefold()
        if not mine or not found:
            return set()
        need = self._detector.min_repeats - 1
        pos_of = {p.index: i for i, p in enumerate(prep.paragraphs)}
        whole: dict[int, set[str]] = defaultdict(set)
        for m, ind in found:
            text = prep.paragraphs[pos_of[m.paragraph]].text
            toks = local_tokens.get(pos_of[m.paragraph])
            if (
                toks is not None
                and len(toks[0].tokens) <= _SHORT_PARAGRAPH
                and (ind.outlet or "").strip().casefold() == mine
                and (m.end - m.start) >= _WHOLE * len(text.strip())
                and (m.indexed_end - m.indexed_start) >= _WHOLE * len(ind.text.strip())
            ):
                whole[m.paragraph].add(ind.doc_id)
        return {par for par, docs in whole.items() if len(docs) >= need}


def _covered_fraction(matches: Sequence[IndexMatch], content_chars: int) -> float:
    if not content_chars or not matches:
        return 0.0
    ranges: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for m in matches:
        ranges[m.paragraph].append((m.start, m.end))
    covered = sum(e - s for rs in ranges.values() for s, e in merge_ranges(rs))
    return round(min(covered / content_chars, 1.0), 4)
