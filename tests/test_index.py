"""The persistent index (SQLite and Redis backends) and ``Index.check``."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from syndetect import Document, Index, IndexStoreError, ParameterError, Params, Verdict, read_inputs
from syndetect.cli.app import app
from syndetect.index import INDEX_FILE, MEMORY, SCHEMA_VERSION, Allowlist, content_hash, migrate, unit_band_keys
from syndetect.index.stores.sqlite import HEAD
from syndetect.pipeline.scan import paragraphs_of

ROOT = Path(__file__).resolve().parent.parent

FM_STATEMENT = "This morning Pakistan undertook a series of highly coordinated"
SHELTER_QUOTE = "The group has taken shelter in some parts of Pakistan"


def seed_docs(seed_paths) -> dict[str, Document]:
    return {k: next(iter(read_inputs([str(p)]))) for k, p in seed_paths.items()}


def corpus(bodies, n: int, start: int = 0, prefix: str = "a") -> list[Document]:
    """``n`` distinct documents made from the benchmark articles (cycled, tagged to be unique)."""
    out = []
    for i in range(start, start + n):
        key, body = bodies[i % len(bodies)]
        text = body if i < len(bodies) else f"Edition {i} of the story.\n\n{body}"
        out.append(Document(id=f"{prefix}{i:05d}", text=text, source=f"gt:{key}", outlet=f"outlet{i % 7}"))
    return out


def write_jsonl(path: Path, docs) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        for d in docs:
            fh.write(json.dumps({"id": d.id, "text": d.text, "outlet": d.outlet}) + "\n")
    return path


def expected_paragraphs(docs) -> dict[str, int]:
    return {d.id: len(paragraphs_of(d)) for d in docs}


def stored_paragraphs(index: Index) -> dict[str, int]:
    return {d.id: d.paragraphs for d in index.documents()}


@pytest.fixture(params=["sqlite", "redis", "memory"])
def location(request, tmp_path):
    """A fresh index location for each backend (``memory:`` is fresh at every open)."""
    if request.param == "sqlite":
        return str(tmp_path / "idx")
    if request.param == "memory":
        return MEMORY
    return request.getfixturevalue("redis_url")


# ---------------------------------------------------------------------------
# The seeds: the "done when"
# ---------------------------------------------------------------------------
def test_seeds_check_names_statement_and_quotes(location, seed_paths):
    docs = seed_docs(seed_paths)
    with Index.open(location, create=True) as index:
        index.add([docs["000"], docs["002"], docs["003"]])
        verdict = index.check(docs["001"])
        assert isinstance(verdict, Verdict)
        assert verdict.reused and bool(verdict)
        assert verdict.reused_fraction > 0
        by_doc = {m.indexed_doc[:3] for m in verdict.matches}
        assert by_doc == {"000", "002", "003"}
        statement = [m for m in verdict.matches if m.text.startswith(FM_STATEMENT)]
        assert {m.indexed_doc[:3] for m in statement} == {"000", "003"}
        quotes = [m for m in verdict.matches if m.indexed_doc.startswith("002")]
        assert quotes and all(m.text.startswith(SHELTER_QUOTE) for m in quotes)
        for m in verdict.matches:  # spans are real text on both sides
            par = paragraphs_of(docs["001"])[m.paragraph - 1]
            assert par.text[m.start : m.end] == m.text
            assert m.words >= 15
            assert m.hash == content_hash(m.indexed_text)
        assert {d.id[:3] for d in verdict.documents} == {"000", "002", "003"}

        index.add([docs["001"]])
        verdict = index.check(docs["004"])
        assert verdict.reused
        verbatim = {
            (m.paragraph, m.indexed_paragraph)
            for m in verdict.matches
            if m.indexed_doc.startswith("001") and m.words >= 30
        }
        # the three paragraphs 004 copies verbatim from 001 (and the statement)
        assert {(2, 2), (8, 7), (9, 8)} <= verbatim
        assert verdict.documents[0].id.startswith("001")


def test_unrelated_article_is_clean(location, seed_paths, ground_truth_bodies):
    docs = seed_docs(seed_paths)
    with Index.open(location, create=True) as index:
        index.add(docs.values())
        key, body = ground_truth_bodies[0]
        verdict = index.check(Document(id=key, text=body))
        assert not verdict.reused
        assert verdict.matches == () and verdict.reused_fraction == 0.0


def test_check_accepts_plain_text(tmp_path, seed_paths):
    docs = seed_docs(seed_paths)
    with Index.open(tmp_path / "idx", create=True) as index:
        index.add([docs["001"]])
        verdict = index.check(docs["004"].text)
        assert verdict.doc == "-" and verdict.reused


def test_check_ignores_the_document_itself(location, seed_paths):
    docs = seed_docs(seed_paths)
    with Index.open(location, create=True) as index:
        index.add([docs["001"]])
        assert not index.check(docs["001"]).reused  # re-checking an indexed article


def test_check_many_compares_new_documents_with_each_other(tmp_path, seed_paths):
    docs = seed_docs(seed_paths)
    with Index.open(tmp_path / "idx", create=True) as index:
        index.add([docs["002"]])
        first, second = index.check_many([docs["001"], docs["004"]])
        assert first.reused  # the quote shared with 002
        assert second.reused
        pending = [d for d in second.documents if d.pending]
        assert [d.id for d in pending] == [docs["001"].id]
        assert index.stats().documents == 1  # checking adds nothing


# ---------------------------------------------------------------------------
# Thresholds, boilerplate, allowlist
# ---------------------------------------------------------------------------
def test_thresholds(tmp_path, seed_paths):
    docs = seed_docs(seed_paths)
    with Index.open(tmp_path / "idx", create=True) as index:
        index.add([docs["001"]])
        v = index.check(docs["004"])
        assert 0.2 < v.reused_fraction < 0.5
        relaxed = index.check(docs["004"], max_reused_fraction=0.5)
        assert not relaxed.reused and relaxed.matches  # spans still reported
        assert index.check(docs["004"], max_reused_fraction=0.1).reused
        long_only = index.check(docs["004"], min_span_words=35)
        assert long_only.matches and all(m.words >= 35 for m in long_only.matches)
        assert not index.check(docs["004"], min_span_words=60).matches
        with pytest.raises(ParameterError):
            index.check(docs["004"], max_reused_fraction=1.5)
        with pytest.raises(ParameterError):
            index.check(docs["004"], min_span_words=2)  # below the shingle size


BODY = (
    "The city council voted on Tuesday to expand the bus network with three new routes that will connect the "
    "northern suburbs to the central station before the end of next year."
)
OTHER = (
    "Farmers in the valley reported an early harvest this season after weeks of unusually warm weather that "
    "ripened the apples and pears well ahead of the usual schedule."
)
PROMPT = "Subscribe to our newsletter and stay updated on the latest news and updates from around the world!"
TEMPLATE = (
    "Except for the headline, this story has been prepared by the regional desk of our partners and is "
    "reproduced here under a standing content exchange agreement between the two outlets."
)


def test_boilerplate_is_not_a_copy(tmp_path):
    with Index.open(tmp_path / "idx", create=True) as index:
        index.add([Document("old", f"{BODY}\n\n{PROMPT}")])
        verdict = index.check(Document("new", f"{OTHER}\n\n{PROMPT}"))
        assert not verdict.reused and not verdict.matches
        assert verdict.boilerplate == (2,)


def test_outlet_template_is_not_a_copy(tmp_path, ground_truth_bodies):
    # a line not in the lexicon, repeated whole by one outlet: its template
    bodies = [b for _, b in ground_truth_bodies[:4]]
    with Index.open(tmp_path / "idx", create=True) as index:
        for i in range(3):  # one at a time, as an ingestion job adds them
            index.add([Document(f"o{i}", f"{bodies[i][:1500]}\n\n{TEMPLATE}", outlet="Daily Post")])
        verdict = index.check(Document("new", f"{bodies[3][:1500]}\n\n{TEMPLATE}", outlet="Daily Post"))
        assert not verdict.reused, verdict.matches
        assert verdict.boilerplate == (verdict.paragraphs,)
        # another outlet printing Daily Post's line is reported (allowlist it if licensed)
        elsewhere = index.check(Document("new2", f"{BODY}\n\n{TEMPLATE}", outlet="Third"))
        assert elsewhere.reused and elsewhere.boilerplate == ()
        hashes = {m.hash for m in elsewhere.matches}
        allowed = index.check(Document("new2", f"{BODY}\n\n{TEMPLATE}", outlet="Third"), allow=Allowlist.of(hashes))
        assert not allowed.reused
    for workers in (1, 2):  # mapped in one task or three, the batch's rules see the whole batch
        with Index.open(tmp_path / f"idx-w{workers}", create=True) as index:
            # added in one batch, the outlet's template is recognised at add time and not keyed
            batch = [Document(f"o{i}", f"{bodies[i][:1500]}\n\n{TEMPLATE}", outlet="Daily Post") for i in range(3)]
            index.add(batch, workers=workers)
            assert not index.check(Document("new3", f"{BODY}\n\n{TEMPLATE}")).matches


def test_allowlist_by_hash_and_outlet(tmp_path, seed_paths):
    docs = seed_docs(seed_paths)
    with Index.open(tmp_path / "idx", create=True) as index:
        index.add([docs["000"], docs["002"], docs["003"]])
        verdict = index.check(docs["001"])
        hashes = {m.hash for m in verdict.matches}
        allowed = index.check(docs["001"], allow=Allowlist.of(hashes))
        assert not allowed.reused and not allowed.matches
        assert len(allowed.allowed) == len(verdict.matches)
        assert all(m.allowed_by.startswith("allowlist ") for m in allowed.allowed)
        # only part of it allowed: still a copy
        statement = {m.hash for m in verdict.matches if m.text.startswith(FM_STATEMENT)}
        partial = index.check(docs["001"], allow=Allowlist.of(statement))
        assert partial.reused and not any(m.text.startswith(FM_STATEMENT) for m in partial.matches)
        # the outlet of 003 is licensed
        by_outlet = index.check(docs["001"], allow=Allowlist.of(outlets=["the telegraph online"]))
        assert all(not m.indexed_doc.startswith("003") for m in by_outlet.matches)
        assert any(m.indexed_doc.startswith("003") for m in by_outlet.allowed)


def test_allowlist_hash_survives_edits_elsewhere(tmp_path, seed_paths):
    docs = seed_docs(seed_paths)
    with Index.open(tmp_path / "idx", create=True) as index:
        index.add([docs["001"]])
        hashes = {m.hash for m in index.check(docs["004"]).matches}
        edited = Document(docs["004"].id, "A new opening paragraph written today.\n\n" + docs["004"].text.upper())
        assert not index.check(edited, allow=Allowlist.of(hashes)).reused


def test_allowlist_files(tmp_path):
    h1, h2 = content_hash("one passage"), content_hash("another passage")
    (tmp_path / "a.json").write_text(json.dumps({"allow": [{"hash": h1, "note": "AP feed"}, h2, {"outlet": "AP"}]}))
    (tmp_path / "a.toml").write_text(f'[[allow]]\nhash = "{h1}"\nnote = "AP"\n\n[[allow]]\noutlet = "AP"\n')
    (tmp_path / "a.txt").write_text(f"# licensed\n{h1} AP feed\n{h2.upper()}\noutlet: AP\n")
    for name in ("a.json", "a.toml", "a.txt"):
        allow = Allowlist.load(tmp_path / name)
        assert h1 in allow.hashes and "ap" in allow.outlets
        assert allow.reason([h1], None).startswith(f"allowlist {h1}")
        assert allow.reason(["0" * 16], "AP") == "allowed outlet AP"
        assert allow.reason(["0" * 16], "Reuters") is None
    (tmp_path / "bad.txt").write_text("not-a-hash\n")
    with pytest.raises(ParameterError, match="bad.txt:1"):
        Allowlist.load(tmp_path / "bad.txt")
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(ParameterError, match="not valid JSON"):
        Allowlist.load(tmp_path / "bad.json")
    with pytest.raises(ParameterError, match="cannot read"):
        Allowlist.load(tmp_path / "missing.txt")


# ---------------------------------------------------------------------------
# Add, re-add, remove, stats
# ---------------------------------------------------------------------------
def test_add_is_idempotent_and_replaces(location, seed_paths):
    docs = seed_docs(seed_paths)
    with Index.open(location, create=True) as index:
        first = index.add(docs.values())
        assert (first.documents, first.replaced) == (5, 0)
        s1 = index.stats()
        again = index.add(docs.values())
        assert again.replaced == 5
        s2 = index.stats()
        assert (s2.documents, s2.paragraphs, s2.key_rows) == (s1.documents, s1.paragraphs, s1.key_rows)
        assert stored_paragraphs(index) == expected_paragraphs(docs.values())
        # replacing 001 with unrelated text: 004 no longer matches it
        index.add([Document(docs["001"].id, OTHER)])
        assert index.stats().documents == 5
        assert all(not m.indexed_doc.startswith("001") for m in index.check(docs["004"]).matches)
        assert index.verify() == []


def test_remove(location, seed_paths):
    docs = seed_docs(seed_paths)
    with Index.open(location, create=True) as index:
        index.add([docs["000"], docs["002"]])
        before = index.stats()
        index.add([docs["001"]])
        assert index.check(docs["004"]).reused
        assert index.remove([docs["001"].id, "no-such-id"]) == [docs["001"].id]
        after = index.stats()
        assert (after.documents, after.paragraphs, after.key_rows) == (
            before.documents, before.paragraphs, before.key_rows
        )
        assert all(not m.indexed_doc.startswith("001") for m in index.check(docs["004"]).matches)
        assert index.remove(["no-such-id"]) == []
        assert index.verify() == []


def test_stats_and_documents(location, seed_paths):
    docs = seed_docs(seed_paths)
    with Index.open(location, create=True) as index:
        index.add(docs.values())
        s = index.stats()
        assert s.documents == 5 and s.paragraphs == sum(expected_paragraphs(docs.values()).values())
        assert s.key_rows > s.paragraphs and s.size_bytes > 0
        assert s.schema_version == {"sqlite": SCHEMA_VERSION, "redis": 1, "memory": 1}[s.backend]  # SQLite: 2
        assert s.parameters == Params().to_dict()
        listed = index.documents()
        assert [d.id for d in listed] == sorted(d.id for d in docs.values())
        assert next(d for d in listed if d.id.startswith("003")).outlet == "The Telegraph Online"


def test_workers_give_the_same_index(tmp_path, ground_truth_bodies):
    docs = corpus(ground_truth_bodies, 60)
    stats = []
    for workers in (1, 2):
        with Index.open(tmp_path / f"w{workers}", create=True) as index:
            index.add(docs, workers=workers, batch_size=16)
            s = index.stats()
            stats.append((s.documents, s.paragraphs, s.key_rows))
            assert index.verify() == []
    assert stats[0] == stats[1]


def test_band_keys_are_a_function_of_the_text():
    params = Params()
    texts = [BODY, OTHER, BODY]
    keys, owners = unit_band_keys(texts, params)
    assert keys.dtype.name == "int64" and list(keys) == sorted(keys)
    per = {o: set(keys[owners == o].tolist()) for o in range(3)}
    assert per[0] == per[2] and per[0] and not per[0] & per[1]
    alone, _ = unit_band_keys([BODY], params)
    assert set(alone.tolist()) == per[0]  # same keys whatever else is in the batch


# ---------------------------------------------------------------------------
# Opening: missing, corrupt, incompatible
# ---------------------------------------------------------------------------
def test_missing_index(tmp_path):
    with pytest.raises(IndexStoreError, match="no index at"):
        Index.open(tmp_path / "nothing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(IndexStoreError, match="no index at"):
        Index.open(tmp_path / "empty")
    assert not (tmp_path / "nothing").exists()  # opening does not create


def test_missing_redis_index(redis_url):
    with pytest.raises(IndexStoreError, match="no index at redis://"):
        Index.open(redis_url)


def test_unreachable_redis():
    with pytest.raises(IndexStoreError, match="cannot reach"):
        Index.open("redis://127.0.0.1:1/0", timeout=1)


def test_corrupt_index_files(tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / INDEX_FILE).write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(IndexStoreError, match=f"{INDEX_FILE} is not a syndetect index"):
        Index.open(bad)
    with pytest.raises(IndexStoreError, match="not an SQLite database"):
        Index.open(bad, create=True)  # never overwritten
    other = tmp_path / "other"
    other.mkdir()
    conn = sqlite3.connect(other / INDEX_FILE)
    conn.execute("CREATE TABLE something (x)")
    conn.commit()
    conn.close()
    with pytest.raises(IndexStoreError, match="no counters, documents, meta, paragraphs, postings table"):
        Index.open(other)


def test_truncated_index_file(tmp_path, seed_paths):
    docs = seed_docs(seed_paths)
    with Index.open(tmp_path / "idx", create=True) as index:
        index.add(docs.values())
    path = tmp_path / "idx" / INDEX_FILE
    data = path.read_bytes()
    path.write_bytes(data[:100] + b"\x00" * 4000)
    for f in (tmp_path / "idx").glob(INDEX_FILE + "-*"):
        f.unlink()
    with pytest.raises(IndexStoreError, match=INDEX_FILE):
        with Index.open(tmp_path / "idx") as index:
            index.check(docs["004"])


def test_schema_version_and_parameters_are_checked(tmp_path, seed_paths):
    with Index.open(tmp_path / "idx", create=True) as index:
        pass
    with pytest.raises(IndexStoreError, match=r"built with shingle_size=5; this run asks for shingle_size=4"):
        Index.open(tmp_path / "idx", {"shingle_size": 4})
    with pytest.raises(IndexStoreError, match=r"bands=37, rows=3"):
        Index.open(tmp_path / "idx", Params(threshold=0.5))
    # verification settings may differ
    with Index.open(tmp_path / "idx", {"min_span_words": 20, "shingle_size": 5}) as index:
        assert index.params.min_span_words == 20
    conn = sqlite3.connect(tmp_path / "idx" / INDEX_FILE)
    conn.execute("UPDATE meta SET value = '0123456789abcdef' WHERE name = 'key_fingerprint'")
    conn.commit()
    with pytest.raises(IndexStoreError, match="splits or hashes text differently"):
        Index.open(tmp_path / "idx")
    conn.execute("UPDATE meta SET value = '99' WHERE name = 'schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(IndexStoreError, match="schema version '99'"):
        Index.open(tmp_path / "idx")


def test_redis_parameters_are_checked(redis_url):
    Index.open(redis_url, create=True, params=Params(num_perm=64, bands=16, rows=4)).close()
    with pytest.raises(IndexStoreError, match="num_perm=64, bands=16, rows=4"):
        Index.open(redis_url, Params())
    with Index.open(redis_url) as index:
        assert index.params.num_perm == 64


def test_index_file_holds_plain_values_only(tmp_path, seed_paths):
    """No pickle: every stored value is an integer or text (the posting lists: packed integers), parameters are JSON."""
    docs = seed_docs(seed_paths)
    with Index.open(tmp_path / "idx", create=True) as index:
        index.add(docs.values())
        key_rows = index.stats().key_rows
    conn = sqlite3.connect(tmp_path / "idx" / INDEX_FILE)
    for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
        cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
        for col in cols:
            types = {r[0] for r in conn.execute(f"SELECT DISTINCT typeof({col}) FROM {table}")}
            if (table, col) == ("postings", "paras"):  # paragraph ids: one integer, or little-endian int64s
                assert types == {"blob", "integer"}
                rows = conn.execute("SELECT paras FROM postings").fetchall()
                assert all(isinstance(b, int) or (len(b) % 8 == 0 and len(b) >= 16) for (b,) in rows)
                assert sum(1 if isinstance(b, int) else len(b) // 8 for (b,) in rows) == key_rows
                continue
            assert types <= {"integer", "text", "null"}, (table, col, types)
    params = dict(conn.execute("SELECT name, value FROM meta"))["params"]
    assert Params.from_dict(json.loads(params)) == Params.from_dict(Params().to_dict())
    conn.close()
    for path in (ROOT / "syndetect" / "index").rglob("*.py"):
        source = path.read_text()
        assert "pickle" not in source.replace("No pickle", "").replace("no pickle", ""), path


# ---------------------------------------------------------------------------
# Crash safety and concurrency (real processes)
# ---------------------------------------------------------------------------
def _run_add(paths, location, *extra) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "syndetect", "index", "add", *map(str, paths), "--index", location, "--quiet", *extra],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )


def _documents_in(location) -> int:
    try:
        with Index.open(location) as index:
            return index.stats().documents
    except IndexStoreError:
        return 0


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_sigkill_during_add_leaves_whole_documents(backend, tmp_path, request, ground_truth_bodies):
    docs = corpus(ground_truth_bodies, 700)
    big = write_jsonl(tmp_path / "big.jsonl", docs)
    want = expected_paragraphs(docs)
    kills = 0
    for attempt, delay in enumerate((0.0, 0.05, 0.3)):
        location = str(tmp_path / f"idx{attempt}") if backend == "sqlite" else request.getfixturevalue("redis_url")
        proc = _run_add([big], location, "--batch-size", "7")
        deadline = time.monotonic() + 60
        while _documents_in(location) == 0 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(delay)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            kills += 1
        proc.wait()
        proc.stdout.close()
        proc.stderr.close()
        with Index.open(location) as index:
            stored = stored_paragraphs(index)
            assert 0 < len(stored) <= len(docs)
            for doc_id, n in stored.items():
                assert n == want[doc_id], f"{doc_id}: {n} of {want[doc_id]} paragraphs"
            assert index.verify() == []
            s = index.stats()
            assert (s.documents, s.paragraphs) == (len(stored), sum(stored.values()))
        if backend == "sqlite":
            conn = sqlite3.connect(Path(location) / INDEX_FILE)
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            conn.close()
        # finishing the job afterwards gives the full index, no duplicates
        if attempt == 0:
            proc = _run_add([big], location, "--batch-size", "100")
            assert proc.wait() == 0, proc.stderr.read().decode()
            proc.stdout.close()
            proc.stderr.close()
            with Index.open(location) as index:
                assert stored_paragraphs(index) == want
                assert index.verify() == []
    assert kills >= 2, "the add finished before it could be killed: make the corpus bigger"


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_eight_concurrent_writers(backend, tmp_path, request, ground_truth_bodies):
    location = str(tmp_path / "idx") if backend == "sqlite" else request.getfixturevalue("redis_url")
    shared = corpus(ground_truth_bodies, 4, prefix="shared")  # added by every writer
    parts = [corpus(ground_truth_bodies, 25, start=25 * i, prefix="w") for i in range(8)]
    files = [write_jsonl(tmp_path / f"part{i}.jsonl", part + shared) for i, part in enumerate(parts)]
    procs = [_run_add([f], location, "--batch-size", "3") for f in files]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()
    want = expected_paragraphs([d for part in parts for d in part] + shared)
    with Index.open(location) as index:
        assert stored_paragraphs(index) == want  # nothing lost, nothing doubled
        s = index.stats()
        assert (s.documents, s.paragraphs) == (len(want), sum(want.values()))
        assert index.verify() == []
        # and the index works: a stored article is found as a copy of itself under another id
        probe = parts[3][5]
        verdict = index.check(Document("probe", probe.text))
        assert probe.id in {m.indexed_doc for m in verdict.matches}


def test_damaged_pages_are_an_index_error(tmp_path, ground_truth_bodies):
    """Damage deep inside the file surfaces as IndexStoreError naming the file, never a raw sqlite3 error."""
    docs = corpus(ground_truth_bodies, 60)
    with Index.open(tmp_path / "idx", create=True) as index:
        index.add(docs)
    path = tmp_path / "idx" / INDEX_FILE
    data = bytearray(path.read_bytes())
    assert len(data) > 64 * 4096
    for page in range(len(data) // 4096 // 2, len(data) // 4096):  # the later half of the pages
        data[page * 4096 + 8 : page * 4096 + 4000] = b"\xff" * 3992
    path.write_bytes(bytes(data))
    with pytest.raises(IndexStoreError, match=INDEX_FILE):
        with Index.open(tmp_path / "idx") as index:
            for doc in docs[:20]:
                index.check(doc)
            index.documents()
            index.stats()
    with Index.open(tmp_path / "idx") as index:
        assert any("idx" in p for p in index.verify())


# ---------------------------------------------------------------------------
# One check path: scan and check agree on the same text
# ---------------------------------------------------------------------------
BACKGROUND = (
    "The regional transport authority has spent the past four years planning a network of express routes, "
    "dedicated bus lanes and new interchanges, after a consultation in which more than twelve thousand residents "
    "asked for faster links between the suburbs and the hospitals, colleges and business parks of the city."
)


def _agreement_case(bodies, related: bool) -> tuple[list[Document], Document]:
    """Three Daily Post articles and a fourth, all ending in the outlet's TEMPLATE line; with
    ``related`` the fourth also shares a long background paragraph with two of the others."""
    def doc(i: int, background: bool) -> Document:
        parts = [bodies[i][:1500]] + ([BACKGROUND] if background else []) + [TEMPLATE]
        return Document(f"o{i}", "\n\n".join(parts), outlet="Daily Post")

    return [doc(0, related), doc(1, related), doc(2, False)], doc(3, related)


@pytest.mark.parametrize("related", [False, True], ids=["unrelated", "related"])
def test_scan_and_check_agree(tmp_path, ground_truth_bodies, related):
    """The template rule has one implementation: a short line the outlet repeats in articles that share
    nothing else is boilerplate in both; once the articles share other text it is reuse in both."""
    from syndetect import scan

    bodies = [b for _, b in ground_truth_bodies[:4]]
    indexed, new = _agreement_case(bodies, related)
    report = scan(indexed + [new], Params(), workers=1)
    scan_flags = {f.paragraph for f in report.boilerplate if f.doc == new.id}
    scan_reused = {m.paragraph for c in report.clusters for m in c.members if m.doc == new.id}
    with Index.open(tmp_path / "idx", create=True) as index:
        for d in indexed:  # one at a time, as an ingestion job adds them
            index.add([d])
        verdict = index.check(new)
    last = len(paragraphs_of(new))
    assert (last in scan_flags) is (not related)  # the case tests what it says
    assert set(verdict.boilerplate) == scan_flags
    assert {m.paragraph for m in verdict.matches} == scan_reused
    assert verdict.reused is bool(scan_reused)


def _downgrade_to_version_1(db) -> None:
    """Rewrite an index file in the layout of schema version 1: a ``keys`` row per (key, paragraph)."""
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE keys (key INTEGER NOT NULL, para INTEGER NOT NULL, PRIMARY KEY (key, para)) WITHOUT ROWID")
    pairs = [
        (key, int(pid)) for key, ids in conn.execute("SELECT key, paras FROM postings")
        for pid in ([ids] if isinstance(ids, int) else np.frombuffer(ids, dtype="<i8"))
    ]
    conn.executemany("INSERT INTO keys VALUES (?, ?)", pairs)
    conn.execute("INSERT INTO keys SELECT key, para FROM postings_overflow")
    conn.execute("DROP TABLE postings")
    conn.execute("DROP TABLE postings_overflow")
    conn.execute("UPDATE meta SET value = '1' WHERE name = 'schema_version'")
    conn.commit()
    conn.close()


def test_version_1_index_is_refused_then_migrated_in_place(tmp_path, seed_paths):
    docs = seed_docs(seed_paths)
    with Index.open(tmp_path / "idx", create=True) as index:
        index.add([d for k, d in docs.items() if k != "004"])
        before = index.check(docs["004"]).to_dict()
        stats = index.stats()
    assert before["matches"]  # the check finds something to compare
    _downgrade_to_version_1(tmp_path / "idx" / INDEX_FILE)
    with pytest.raises(IndexStoreError, match=r"schema version '1'.*syndetect index migrate --index"):
        Index.open(tmp_path / "idx")
    result = CliRunner().invoke(app, ["index", "migrate", "--index", str(tmp_path / "idx")])
    assert result.exit_code == 0, result.output
    assert f"migrated {tmp_path / 'idx'} ({stats.key_rows} band-key rows)" in result.output
    with Index.open(tmp_path / "idx") as index:
        assert index.stats().schema_version == SCHEMA_VERSION == 2
        assert index.stats().key_rows == stats.key_rows
        assert index.verify() == []
        assert index.check(docs["004"]).to_dict() == before  # the same findings
    _downgrade_to_version_1(tmp_path / "idx" / INDEX_FILE)  # again, read back in small parts: keys span parts
    assert migrate(tmp_path / "idx", chunk=7) == (1, stats.key_rows)
    with Index.open(tmp_path / "idx") as index:
        assert index.verify() == []
        assert index.check(docs["004"]).to_dict() == before
        index.remove([next(iter(docs.values())).id])  # and it is writable as any other
        assert index.verify() == []
    again = CliRunner().invoke(app, ["index", "migrate", "--index", str(tmp_path / "idx")])
    assert again.exit_code == 0 and "already current" in again.output
    missing = CliRunner().invoke(app, ["index", "migrate", "--index", str(tmp_path / "none")])
    assert missing.exit_code == 2 and isinstance(missing.exception, SystemExit)


def test_malformed_posting_list_is_a_clear_error_and_a_verify_problem(tmp_path, seed_paths):
    docs = seed_docs(seed_paths)
    with Index.open(tmp_path / "idx", create=True) as index:
        index.add([d for k, d in docs.items() if k != "004"])
        assert index.check(docs["004"]).matches
        keys, _ = unit_band_keys([p.text for p in paragraphs_of(docs["004"])], index.params)
    conn = sqlite3.connect(tmp_path / "idx" / INDEX_FILE)
    hit = next(k for k in keys.tolist() if conn.execute("SELECT 1 FROM postings WHERE key = ?", (k,)).fetchone())
    conn.execute("UPDATE postings SET paras = 'not ids' WHERE key = ?", (hit,))
    conn.commit()
    conn.close()
    with Index.open(tmp_path / "idx") as index:
        with pytest.raises(IndexStoreError, match=rf"{INDEX_FILE}: band key {hit} holds a malformed posting list"):
            index.check(docs["004"])
        assert "1 band keys hold a malformed posting list" in index.verify()
    result = CliRunner().invoke(app, ["check", str(seed_paths["004"]), "--index", str(tmp_path / "idx")])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.output


def test_migrate_a_key_of_more_paragraphs_than_a_head_holds(tmp_path, seed_paths):
    """A version-1 key with more than HEAD paragraphs: the HEAD smallest ids in its postings row, the rest
    overflow rows, whether the old rows are read in one part or in parts of 7; check finds the same."""
    docs = seed_docs(seed_paths)
    shared = max((p.text for p in paragraphs_of(docs["004"])), key=len)
    reprints = [Document(f"w{i:03d}", f"{shared}\n\nA line of its own, number {i}.") for i in range(HEAD + 44)]
    with Index.open(tmp_path / "idx", create=True) as index:
        index.add(reprints)  # one batch: the head fills and the rest overflows in the same add
        before = index.check(docs["004"]).to_dict()
        stats = index.stats()
    assert before["matches"]
    db = tmp_path / "idx" / INDEX_FILE

    def layout():
        conn = sqlite3.connect(db)
        try:
            longest = conn.execute("SELECT MAX(length(paras)) FROM postings").fetchone()[0]
            over = conn.execute("SELECT key, COUNT(*) FROM postings_overflow GROUP BY key").fetchall()
            return longest, over
        finally:
            conn.close()

    built = layout()
    assert built[0] == HEAD * 8 and built[1] and all(n == 44 for _, n in built[1])
    for chunk in (1 << 18, 7):
        _downgrade_to_version_1(db)
        assert migrate(tmp_path / "idx", chunk=chunk) == (1, stats.key_rows)
        assert layout() == built
        with Index.open(tmp_path / "idx") as index:
            assert index.verify() == []
            assert index.check(docs["004"]).to_dict() == before


def test_directory_made_by_another_writer_while_opening_is_used(tmp_path, monkeypatch):
    """A writer that sees the index directory appear while it opens (another writer's mkdir
    between its checks) still opens ``<dir>/INDEX_FILE``, never the directory as a file."""
    location = tmp_path / "idx"
    real_stat = os.stat
    made = []

    def stat(path, *args, **kwargs):
        if Path(path) == location and not made:  # not there when looked at; made just after
            made.append(True)
            location.mkdir()
            raise FileNotFoundError(path)
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat)
    with Index.open(location, create=True) as index:
        index.add([Document(id="a", text="one two three four five six seven eight nine ten eleven twelve")])
    monkeypatch.undo()
    assert made and (location / INDEX_FILE).is_file()
