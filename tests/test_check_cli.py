"""``syndetect check`` and ``syndetect index add|stats|remove|list|verify``: output and exit codes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from syndetect.cli.app import app
from syndetect.index import INDEX_FILE

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


class Result:
    """A CLI run: exit code, stdout, and stderr with the console's line wrapping undone."""

    def __init__(self, result) -> None:
        self.exit_code = result.exit_code
        self.stdout = result.stdout
        self.stderr = result.stderr.replace("\n", "")


def run(*args: str) -> Result:
    result = runner.invoke(app, [str(a) for a in args])
    # every run ends in a documented exit code, never an escaped exception (CliRunner keeps those
    # in result.exception, exit code 1 - the code of "reuse found")
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert result.exit_code in (0, 1, 2), (result.exit_code, result.stderr)
    return Result(result)


@pytest.fixture
def seeded(tmp_path, seed_paths) -> str:
    """An index holding seeds 000, 002 and 003."""
    index = str(tmp_path / "idx")
    r = run("index", "add", seed_paths["000"], seed_paths["002"], seed_paths["003"], "--index", index, "--quiet")
    assert r.exit_code == 0, r.stderr
    return index


@pytest.fixture
def unrelated(tmp_path, ground_truth_bodies) -> Path:
    key, body = ground_truth_bodies[0]
    path = tmp_path / f"{key[:12]}.txt"
    path.write_text(body, encoding="utf-8")
    return path


# ---------------------------------------------------------------------------
# The "done when", through the command line
# ---------------------------------------------------------------------------
def test_seed_workflow(seeded, seed_paths, unrelated):
    r = run("check", seed_paths["001"], "--index", seeded)
    assert r.exit_code == 1, r.stdout + r.stderr
    out = r.stdout
    assert "REUSED  001_df5bf45f4cf73b0f" in out
    assert "This morning Pakistan undertook a series of highly coordinated" in out  # the ministry statement
    assert "000_b2a058ac03e6db85 ¶3" in out and "003_6b8fc7f63de2bbec ¶2" in out
    assert "The group has taken shelter in some parts of Pakistan" in out  # the quote shared with 002
    assert "002_e13c31d3710c05dd ¶15" in out
    assert "% of its text is in the index" in out

    assert run("index", "add", seed_paths["001"], "--index", seeded, "--quiet").exit_code == 0
    r = run("check", seed_paths["004"], "--index", seeded)
    assert r.exit_code == 1
    for verbatim in (
        "A day after Iran admitted to carrying out a missile and drone attack",
        "A Pakistani intelligence source told news agency Reuters",
        "Pakistan on Wednesday condemned Iran for carrying out a missile and drone strike",
    ):
        assert verbatim in r.stdout
    for where in ("001_df5bf45f4cf73b0f ¶2", "001_df5bf45f4cf73b0f ¶7", "001_df5bf45f4cf73b0f ¶8"):
        assert where in r.stdout

    r = run("check", unrelated, "--index", seeded)
    assert r.exit_code == 0, r.stdout
    assert r.stdout.startswith("clean   ")


def test_jsonl_line_without_text_exits_2(seeded, tmp_path):
    bad = tmp_path / "incoming.jsonl"
    bad.write_text('{"id": "a", "text": "Some fine article text."}\n{"id": "b", "title": "no text here"}\n')
    r = run("check", bad, "--index", seeded)
    assert r.exit_code == 2
    assert f"{bad}:2" in r.stderr and "'text'" in r.stderr


def test_unreadable_inputs_exit_2(seeded, tmp_path):
    assert run("check", tmp_path / "missing.txt", "--index", seeded).exit_code == 2
    (tmp_path / "empty").mkdir()
    r = run("check", tmp_path / "empty", "--index", seeded)
    assert r.exit_code == 2 and "no documents" in r.stderr


def test_missing_and_corrupt_index_exit_2(tmp_path, seed_paths):
    r = run("check", seed_paths["001"], "--index", tmp_path / "none")
    assert r.exit_code == 2
    assert "no index at" in r.stderr and "syndetect index add" in r.stderr
    corrupt = tmp_path / "corrupt"
    corrupt.mkdir()
    (corrupt / INDEX_FILE).write_text("garbage " * 200)
    r = run("check", seed_paths["001"], "--index", corrupt)
    assert r.exit_code == 2 and INDEX_FILE in r.stderr
    for cmd in (["index", "stats"], ["index", "list"], ["index", "verify"], ["index", "remove", "x"]):
        assert run(*cmd, "--index", corrupt).exit_code == 2
    assert run("index", "add", seed_paths["001"], "--index", corrupt).exit_code == 2  # never overwritten


def test_other_parameters_are_refused(seeded, seed_paths):
    r = run("check", seed_paths["001"], "--index", seeded, "--shingle-size", "4")
    assert r.exit_code == 2
    assert "shingle_size=5" in r.stderr and "shingle_size=4" in r.stderr
    assert run("check", seed_paths["001"], "--index", seeded, "--threshold", "0.6").exit_code == 2
    assert run("index", "add", seed_paths["004"], "--index", seeded, "--num-perm", "64").exit_code == 2
    assert run("check", seed_paths["001"], "--index", seeded, "--shingle-size", "5").exit_code == 1


def test_a_process_never_prints_a_traceback(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1}\n')
    proc = subprocess.run(
        [sys.executable, "-m", "syndetect", "check", str(bad), "--index", str(tmp_path / "none")],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert proc.returncode == 2
    assert proc.returncode == 2 and "bad.jsonl:1" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr  # one line, no traceback


# ---------------------------------------------------------------------------
# Options
# ---------------------------------------------------------------------------
def test_json_output(seeded, seed_paths, unrelated):
    r = run("check", seed_paths["001"], unrelated, "--index", seeded, "--format", "json")
    assert r.exit_code == 1
    data = json.loads(r.stdout)
    assert data["schema"] == "syndetect-check/1" and data["reused"] == 1 and data["checked"] == 2
    first, second = data["documents"]
    assert first["reused"] and not second["reused"]
    assert {d["id"][:3] for d in first["documents"]} == {"000", "002", "003"}
    for m in first["matches"]:
        assert len(m["hash"]) == 16 and m["words"] >= 15
        assert {"indexed_doc", "indexed_paragraph", "paragraph", "start", "end", "text"} <= set(m)
    assert 0 < first["reused_fraction"] < 1


def test_allowlist_and_allowed_outlets(seeded, seed_paths, tmp_path):
    r = run("check", seed_paths["001"], "--index", seeded, "--format", "json")
    matches = json.loads(r.stdout)["documents"][0]["matches"]
    allow = tmp_path / "allow.json"
    allow.write_text(json.dumps([{"hash": m["hash"], "note": "licensed"} for m in matches]))
    r = run("check", seed_paths["001"], "--index", seeded, "--allowlist", allow)
    assert r.exit_code == 0, r.stdout
    assert "allowed span(s)" in r.stdout and "allowlist" in r.stdout

    text_list = tmp_path / "allow.txt"
    text_list.write_text("\n".join(m["hash"] for m in matches if m["indexed_doc"].startswith("002")) + "\n")
    r = run("check", seed_paths["001"], "--index", seeded, "--allowlist", text_list)
    assert r.exit_code == 1  # the ministry statement is still a copy

    outlets = ["--allow-outlet", "The Telegraph Online"]
    r = run("check", seed_paths["001"], "--index", seeded, *outlets)
    assert r.exit_code == 1 and "allowed outlet The Telegraph Online" in r.stdout
    r = run("check", seed_paths["001"], "--index", seeded, *outlets, "--allowlist", text_list, "--format", "json")
    remaining = json.loads(r.stdout)["documents"][0]["matches"]
    assert {m["indexed_doc"][:3] for m in remaining} == {"000"}

    bad = tmp_path / "bad.txt"
    bad.write_text("zzz\n")
    r = run("check", seed_paths["001"], "--index", seeded, "--allowlist", bad)
    assert r.exit_code == 2 and "bad.txt:1" in r.stderr


def test_thresholds(seeded, seed_paths):
    assert run("check", seed_paths["001"], "--index", seeded, "--max-reused-fraction", "0.5").exit_code == 0
    assert run("check", seed_paths["001"], "--index", seeded, "--max-reused-fraction", "0.01").exit_code == 1
    assert run("check", seed_paths["001"], "--index", seeded, "--min-span-words", "30").exit_code == 0
    assert run("check", seed_paths["001"], "--index", seeded, "--min-span-words", "2").exit_code == 2
    assert run("check", seed_paths["001"], "--index", seeded, "--max-reused-fraction", "2").exit_code == 2


def test_add_after_clean_check(seeded, seed_paths, unrelated):
    before = json.loads(run("index", "stats", "--index", seeded, "--format", "json").stdout)
    r = run("check", seed_paths["001"], "--index", seeded, "--add")
    assert r.exit_code == 1 and "nothing added" in r.stderr
    r = run("check", unrelated, "--index", seeded, "--add")
    assert r.exit_code == 0 and "added 1 document(s)" in r.stderr
    after = json.loads(run("index", "stats", "--index", seeded, "--format", "json").stdout)
    assert after["documents"] == before["documents"] + 1
    assert run("check", unrelated, "--index", seeded).exit_code == 0  # itself: no reuse


def test_new_files_are_compared_with_each_other(tmp_path, seed_paths, unrelated):
    index = str(tmp_path / "idx")
    assert run("index", "add", unrelated, "--index", index, "--quiet").exit_code == 0
    r = run("check", seed_paths["001"], seed_paths["004"], "--index", index)
    assert r.exit_code == 1
    assert "REUSED  004_4cf0f7c4e857d004" in r.stdout and "[earlier in this check]" in r.stdout


# ---------------------------------------------------------------------------
# index add | stats | remove | list | verify
# ---------------------------------------------------------------------------
def test_index_commands(tmp_path, seed_paths):
    index = str(tmp_path / "idx")
    seeds = list(seed_paths.values())
    r = run("index", "add", *seeds, "--index", index)
    assert r.exit_code == 0 and "added 5 document(s)" in r.stderr
    r = run("index", "add", *seeds, "--index", index, "--batch-size", "2")  # idempotent
    assert r.exit_code == 0 and "(5 replaced)" in r.stderr

    r = run("index", "stats", "--index", index)
    assert r.exit_code == 0
    assert "documents   5" in r.stdout and "shingle_size=5" in r.stdout and "band keys" in r.stdout
    stats = json.loads(run("index", "stats", "--index", index, "--format", "json").stdout)
    assert stats["documents"] == 5 and stats["backend"] == "sqlite" and stats["size_bytes"] > 0

    listed = run("index", "list", "--index", index).stdout.splitlines()
    assert [line.split("\t")[0][:3] for line in listed] == ["000", "001", "002", "003", "004"]
    assert run("index", "verify", "--index", index).stdout.startswith("ok: 5 document(s)")

    r = run("index", "remove", "001_df5bf45f4cf73b0f", "nope", "--index", index)
    assert r.exit_code == 0 and "removed 1 document(s)" in r.stdout and "nope" in r.stderr
    assert json.loads(run("index", "stats", "--index", index, "-f", "json").stdout)["documents"] == 4
    assert run("check", seed_paths["004"], "--index", index).exit_code == 1  # the statement, via 000 and 003
    assert run("index", "stats", "--index", tmp_path / "none").exit_code == 2


def test_index_add_skips_or_refuses_bad_inputs(tmp_path, seed_paths):
    bad = tmp_path / "feed.jsonl"
    bad.write_text('{"id": "ok", "text": "A perfectly good article."}\n{"id": "broken"}\n')
    index = str(tmp_path / "idx")
    r = run("index", "add", bad, "--index", index, "--strict")
    assert r.exit_code == 2 and f"{bad}:2" in r.stderr
    assert run("index", "stats", "--index", index).exit_code == 2 or "documents   0" in run(
        "index", "stats", "--index", index
    ).stdout
    r = run("index", "add", bad, "--index", index)
    assert r.exit_code == 0 and "skipped" in r.stderr and "added 1 document(s)" in r.stderr


def test_redis_index_through_the_cli(redis_url, seed_paths):
    r = run("index", "add", seed_paths["000"], seed_paths["002"], seed_paths["003"], "--index", redis_url)
    assert r.exit_code == 0, r.stderr
    r = run("check", seed_paths["001"], "--index", redis_url)
    assert r.exit_code == 1 and "This morning Pakistan undertook" in r.stdout
    stats = json.loads(run("index", "stats", "--index", redis_url, "-f", "json").stdout)
    assert stats["backend"] == "redis" and stats["documents"] == 3
    assert run("index", "verify", "--index", redis_url).exit_code == 0
    other = redis_url.rsplit("=", 1)[0] + "=never-created"
    r = run("check", seed_paths["001"], "--index", other)
    assert r.exit_code == 2 and "no index at" in r.stderr


# ---------------------------------------------------------------------------
# The pre-commit hook definition
# ---------------------------------------------------------------------------
def test_pre_commit_hook_definition():
    text = (ROOT / ".pre-commit-hooks.yaml").read_text()
    assert "- id: syndetect-check" in text
    assert "entry: syndetect check" in text
    assert "require_serial: true" in text
    try:
        import yaml
    except ImportError:
        return
    (hook,) = yaml.safe_load(text)
    assert hook["id"] == "syndetect-check" and hook["require_serial"] is True
    assert hook["types"] == ["text"]
    pattern = re.compile(hook["files"])
    assert all(pattern.search(n) for n in ("a.txt", "b/c.md", "feed.jsonl", "x.markdown"))
    assert not any(pattern.search(n) for n in ("a.py", "b.json", "c.html"))
