"""One contract for every index store: memory (the reference), SQLite (a real file), Redis (a real server)."""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest

from syndetect import Document, Params, read_inputs
from syndetect.index.prepare import prepare_documents, unit_band_keys
from syndetect.index.stores import MemoryStore, Reader, SQLiteStore, Store
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
