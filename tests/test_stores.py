"""One contract for every index store: memory (the reference), SQLite (a real file), Redis (a real server)."""

from __future__ import annotations

import shutil
import sqlite3
from functools import partial

import numpy as np
import pytest

from syndetect import Document, Params, read_inputs
from syndetect.index.prepare import prepare_documents, unit_band_keys
from syndetect.index.stores import MemoryStore, Reader, SQLiteStore, Store
from syndetect.index.stores.sqlite import HEAD
from syndetect.pipeline.rules import load_rules

PARAMS = Params()
KEYS_OF = partial(unit_band_keys, params=PARAMS)
META = {"schema_version": "1", "params": "{}", "key_fingerprint": "0" * 16}


@pytest.fixture(params=["memory", "sqlite", "redis"])
def store(request, tmp_path):
    if request.param == "memory":
        s = MemoryStore()
    elif request.param == "sqlite":
        s = SQLiteStore(tmp_path / "idx", create=True, timeout=5, cache_mb=8)
    else:
        from syndetect.index.stores.redis import RedisStore

        s = RedisStore(request.getfixturevalue("redis_url"), create=True, timeout=5)
    assert isinstance(s, Store) and isinstance(s, Reader)
    assert s.read_meta() is None  # a fresh store holds no index
    assert s.init_meta(META) == META
    yield s
    s.close()


def prepared(docs):
    return prepare_documents(list(docs), PARAMS, load_rules())


@pytest.fixture(scope="module")
def seeds(seed_paths):
    return prepared(next(iter(read_inputs([str(p)]))) for p in seed_paths.values())


def all_pairs(store, preps, cap=1000):
    keys = np.unique(np.concatenate([p.keys for p in preps]))
    with store.snapshot():
        return store.lookup(keys, cap)


def test_meta_is_written_once(store):
    assert store.init_meta({**META, "schema_version": "2"}) == META
    assert store.read_meta() == META


def test_write_lookup_fetch(store, seeds):
    assert store.write(seeds, KEYS_OF) == 0
    stats = store.stats()
    assert stats["documents"] == len(seeds)
    assert stats["paragraphs"] == sum(len(p.paragraphs) for p in seeds)
    assert stats["key_rows"] == sum(len(p.keys) for p in seeds) and stats["size_bytes"] > 0
    keys, pids = all_pairs(store, seeds)
    fetched = store.fetch(sorted(set(pids.tolist())))
    stored = {(f.doc_id, f.idx): f for f in fetched.values()}
    for prep in seeds:
        for pos in set(prep.owners.tolist()):  # every keyed paragraph is found by its keys, text intact
            par = prep.paragraphs[pos]
            got = stored[(prep.meta.id, par.index)]
            assert got.text == par.text and got.outlet == prep.outlet and not got.pending
            mine = set(prep.keys[prep.owners == pos].tolist())
            pid = next(p for p, f in fetched.items() if (f.doc_id, f.idx) == (prep.meta.id, par.index))
            assert set(keys[pids == pid].tolist()) == mine  # exactly its keys
    assert store.fetch([10**9]) == {}
    assert store.lookup(np.empty(0, dtype=np.int64), 8)[0].size == 0
    assert [d.id for d in store.documents()] == sorted(p.meta.id for p in seeds)
    assert {d.id: d.paragraphs for d in store.documents()} == {p.meta.id: len(p.paragraphs) for p in seeds}
    assert store.verify(KEYS_OF) == []


def test_lookup_caps_each_key_at_the_smallest_ids(store):
    text = (
        "The city council voted on Tuesday to expand the bus network with three new routes that will connect "
        "the northern suburbs to the central station before the end of next year."
    )
    preps = prepared(Document(f"d{i}", text) for i in range(5))
    store.write(preps, KEYS_OF)
    keys, pids = all_pairs(store, preps, cap=2)
    assert len(keys) and all(np.sum(keys == k) == 2 for k in np.unique(keys))
    _, every = all_pairs(store, preps)
    assert set(pids.tolist()) == set(sorted(set(every.tolist()))[:2])


def test_keys_shared_across_batches_replacements_and_removals_match_the_reference(store):
    """The same writes, replacements and removals give every store the reference's look-ups (SQLite appends
    each batch's paragraph ids to a key's posting list and cuts removed ids out of its middle)."""
    text = (
        "The city council voted on Tuesday to expand the bus network with three new routes that will connect "
        "the northern suburbs to the central station before the end of next year."
    )
    other = "A different paragraph about the weather, which was mild and dry for most of the week across the region."
    reference = MemoryStore()
    reference.init_meta(META)
    batches = [
        prepared(Document(f"d{i}", text if i % 3 else text + "\n\n" + other) for i in range(b * 4, b * 4 + 4))
        for b in range(3)
    ]
    replaced = prepared([Document("d1", other), Document("d6", text)])
    for s in (store, reference):
        for batch in batches:
            s.write(batch, KEYS_OF)
        assert s.write(replaced, KEYS_OF) == 2
        assert s.remove(["d4", "d9"], KEYS_OF) == ["d4", "d9"]
    keys = np.unique(np.concatenate([p.keys for b in batches for p in b]))
    for cap in (1, 3, 64):
        with store.snapshot():
            got = store.lookup(keys, cap)
        want = reference.lookup(keys, cap)
        assert sorted(zip(*map(np.ndarray.tolist, got))) == sorted(zip(*map(np.ndarray.tolist, want)))
    assert store.stats()["key_rows"] == reference.stats()["key_rows"]
    assert store.verify(KEYS_OF) == []


def test_replace_and_remove(store, seeds):
    store.write(seeds, KEYS_OF)
    before = store.stats()
    assert store.write(seeds[:2], KEYS_OF) == 2  # re-adding replaces
    after = store.stats()
    assert {k: after[k] for k in ("documents", "paragraphs", "key_rows")} == {
        k: before[k] for k in ("documents", "paragraphs", "key_rows")
    }
    assert store.verify(KEYS_OF) == []
    gone = seeds[0].meta.id
    assert store.remove([gone, "no-such-id"], KEYS_OF) == [gone]
    assert store.remove([gone], KEYS_OF) == []
    s = store.stats()
    assert s["documents"] == len(seeds) - 1
    assert s["paragraphs"] == sum(len(p.paragraphs) for p in seeds[1:])
    assert s["key_rows"] == sum(len(p.keys) for p in seeds[1:])
    _, pids = all_pairs(store, seeds[:1])
    assert all(f.doc_id != gone for f in store.fetch(sorted(set(pids.tolist()))).values())
    assert gone not in {d.id for d in store.documents()}
    assert store.verify(KEYS_OF) == []


# -- SQLite: a key's head row holds its HEAD smallest ids, the rest overflow ------------------------------------
SHARED = (
    "The wire service reported on Monday that the central bank would hold its main interest rate steady for a "
    "third consecutive meeting, citing slowing inflation and a cooling labour market across the region."
)


@pytest.fixture(scope="module")
def wire_reprints():
    """1,000 documents reprinting one passage, each with a paragraph of its own: one document per batch."""
    return prepared(
        Document(f"r{i:04d}", f"{SHARED}\n\nLocal note number {i} about a council meeting in town {i} this week.")
        for i in range(1000)
    )


def _heads_and_overflow(store, keys):
    conn = sqlite3.connect(store.path)
    try:
        heads = {k: (np.frombuffer(v, dtype="<i8") if isinstance(v, bytes) else np.array([v]))
                 for k, v in conn.execute("SELECT key, paras FROM postings") if k in keys}
        over: dict[int, list[int]] = {}
        for k, p in conn.execute("SELECT key, para FROM postings_overflow ORDER BY key, para"):
            over.setdefault(k, []).append(p)
        longest = conn.execute("SELECT MAX(length(paras)) FROM postings").fetchone()[0]
        return heads, over, longest
    finally:
        conn.close()


def _same_lookups(store, reference, keys, caps):
    for cap in caps:
        with store.snapshot():
            got = store.lookup(keys, cap)
        want = reference.lookup(keys, cap)
        assert sorted(zip(*map(np.ndarray.tolist, got))) == sorted(zip(*map(np.ndarray.tolist, want))), cap


def test_sqlite_key_shared_by_many_batches_keeps_a_bounded_head(tmp_path, wire_reprints):
    """A passage reprinted by 1,000 documents added one per batch: no head row ever holds more than HEAD ids
    (an add rewrites a bounded row, not the whole list); the rest are overflow rows; look-ups (any cap) and
    removals, which refill a head from the overflow, match the reference store."""
    store = SQLiteStore(tmp_path / "idx", create=True, timeout=5, cache_mb=8)
    reference = MemoryStore()
    store.init_meta(META)
    reference.init_meta(META)
    shared = set(np.unique(np.concatenate([p.keys for p in wire_reprints])).tolist())
    shared = {k for k in shared if all(k in set(p.keys.tolist()) for p in wire_reprints[:3])}
    assert shared
    for prep in wire_reprints:
        store.write([prep], KEYS_OF)
        reference.write([prep], KEYS_OF)
        _, _, longest = _heads_and_overflow(store, shared)
        assert longest <= HEAD * 8
    heads, over, _ = _heads_and_overflow(store, shared)
    pid_of = {f.doc_id: pid for pid, f in store.fetch(list(range(1, 3001))).items() if f.text == SHARED}
    ids = np.array(sorted(pid_of.values()))
    assert len(ids) == 1000
    for k in shared:
        assert heads[k].tolist() == ids[:HEAD].tolist() and over[k] == ids[HEAD:].tolist()
    keys = np.unique(np.concatenate([p.keys for p in wire_reprints]))
    assert store.stats()["key_rows"] == reference.stats()["key_rows"] == sum(len(p.keys) for p in wire_reprints)
    _same_lookups(store, reference, keys, (1, 64, HEAD, HEAD + 10, 2000))
    assert store.verify(KEYS_OF) == []
    # removals from the head (refilled from the overflow) and from the overflow
    gone = [f"r{i:04d}" for i in (*range(0, 40), 100, 255, 256, 300, 999)]
    for s in (store, reference):
        assert s.remove(gone, KEYS_OF) == gone
    heads, over, _ = _heads_and_overflow(store, shared)
    left = np.array([pid_of[d] for d in sorted(set(pid_of) - set(gone))])
    for k in shared:
        assert heads[k].tolist() == left[:HEAD].tolist() and over[k] == left[HEAD:].tolist()
    _same_lookups(store, reference, keys, (1, 64, HEAD, HEAD + 10, 2000))
    assert store.stats()["key_rows"] == reference.stats()["key_rows"]
    assert store.verify(KEYS_OF) == []
    # so many removed that the overflow is used up: the head holds all that is left, no overflow rows
    many = [f"r{i:04d}" for i in range(40, 990) if f"r{i:04d}" not in gone]
    for s in (store, reference):
        assert s.remove(many, KEYS_OF) == many
    heads, over, _ = _heads_and_overflow(store, shared)
    assert not over and all(len(heads[k]) == 1000 - len(gone) - len(many) for k in shared)
    _same_lookups(store, reference, keys, (1, 64, HEAD + 10))
    assert store.verify(KEYS_OF) == []
    store.close()


def test_sqlite_verify_finds_a_wrong_head_or_overflow(tmp_path, wire_reprints):
    db = tmp_path / "idx"
    store = SQLiteStore(db, create=True, timeout=5, cache_mb=8)
    store.init_meta(META)
    for i in range(0, HEAD + 20, 50):  # some batches, the first already beyond a head
        store.write(wire_reprints[i : min(i + 50, HEAD + 20)], KEYS_OF)
    store.close()
    conn = sqlite3.connect(db / "index.sqlite3")
    key, low = conn.execute("SELECT key, MIN(para) FROM postings_overflow GROUP BY key LIMIT 1").fetchone()
    head = np.frombuffer(conn.execute("SELECT paras FROM postings WHERE key = ?", (key,)).fetchone()[0], dtype="<i8")
    conn.close()
    store = SQLiteStore(db, create=False, timeout=5, cache_mb=8)
    doc_of = {pid: f.doc_id for pid, f in store.fetch([int(head[-1]), low]).items()}
    store.close()
    n = len(wire_reprints[0].keys)  # band keys of a document (all of the shared passage)

    def problems_after(*statements):
        copy = tmp_path / f"copy{len(list(tmp_path.iterdir()))}"
        shutil.copytree(db, copy)
        c = sqlite3.connect(copy / "index.sqlite3")
        for sql, args in statements:
            c.execute(sql, args)
        c.commit()
        c.close()
        s = SQLiteStore(copy, create=False, timeout=5, cache_mb=8)
        try:
            return s.verify(KEYS_OF)
        finally:
            s.close()

    assert problems_after() == []
    swapped = np.r_[head[:-1], low].astype("<i8")  # the head holds an overflow id, the overflow the head's last
    found = problems_after(
        ("UPDATE postings SET paras = ? WHERE key = ?", (swapped.tobytes(), key)),
        ("UPDATE postings_overflow SET para = ? WHERE key = ? AND para = ?", (int(head[-1]), key, low)),
    )
    assert "1 band keys have overflow ids not above their postings row" in found
    found = problems_after(("UPDATE postings SET paras = ? WHERE key = ?", (head[::-1].copy().tobytes(), key)))
    assert "1 band keys hold a posting list that is not ascending" in found
    found = problems_after(("UPDATE postings SET paras = ? WHERE key = ?", (head[:-1].copy().tobytes(), key)))
    assert "1 band keys have overflow ids but no full postings row" in found
    assert f"{doc_of[int(head[-1])]}: {n - 1} of {n} band keys stored" in found
    found = problems_after(("INSERT INTO postings_overflow VALUES (?, ?)", (key, 10**6)))  # a stale id
    pairs = (HEAD + 20) * n
    assert f"{pairs + 1} (band key, paragraph) entries stored, the documents have {pairs}" in found
    assert f"counters say {pairs} band-key entries, the posting lists hold {pairs + 1}" in found
    found = problems_after(("DELETE FROM postings_overflow WHERE key = ? AND para = ?", (key, low)))
    assert f"{doc_of[low]}: {n - 1} of {n} band keys stored" in found
