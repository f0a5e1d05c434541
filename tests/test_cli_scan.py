"""`syndetect scan` end to end: JSON contract, formats, bad input, exit codes."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

import syndetect
from syndetect.cli.app import app
from syndetect.model import Document
from syndetect.pipeline.scan import paragraphs_of
from syndetect.readers.inputs import read_inputs
from syndetect.rules.boilerplate import CATEGORIES

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "fixtures" / "seeds"
ENV = {"COLUMNS": "200", "NO_COLOR": "1"}


def run(*args: str):
    return CliRunner().invoke(app, list(args), env=ENV)


@pytest.fixture(scope="module")
def schema() -> dict:
    text = resources.files("syndetect").joinpath("data/report.schema.json").read_text(encoding="utf-8")
    data = json.loads(text)
    jsonschema.Draft202012Validator.check_schema(data)
    return data


@pytest.fixture(scope="module")
def seeds_json() -> tuple[str, dict]:
    result = run("scan", str(SEEDS), "--format", "json")
    assert result.exit_code == 0, result.output
    return result.stdout, json.loads(result.stdout)


def test_json_report_validates_against_schema(schema, seeds_json):
    _, report = seeds_json
    jsonschema.Draft202012Validator(schema).validate(report)
    assert report["schema"] == 1 and report["version"] == syndetect.__version__
    assert len(report["documents"]) == 5 and report["clusters"] and report["skipped"] == []
    # the schema's category enum is the library's
    assert schema["$defs"]["boilerplate"]["properties"]["category"]["enum"] == list(CATEGORIES)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda r: r.pop("clusters"),
        lambda r: r["clusters"][0]["members"][0].__setitem__("paragraph", 0),
        lambda r: r["clusters"][0]["members"][0].pop("text"),
        lambda r: r["documents"][0].pop("reused_fraction"),
        lambda r: r["documents"][0].__setitem__("reused_fraction", 1.5),
        lambda r: r["provenance"][0].__setitem__("basis", "copied"),
        lambda r: r["provenance"][0].__setitem__("confidence", 2),
        lambda r: r["provenance"][0].__setitem__("evidence", "text"),
        lambda r: r["boilerplate"][0].__setitem__("category", "spam"),
        lambda r: r["skipped"].append({"source": "x", "line": 0, "reason": "r"}),
        lambda r: r.__setitem__("schema", 2),
    ],
)
def test_schema_rejects_broken_reports(schema, seeds_json, mutate):
    report = copy.deepcopy(seeds_json[1])
    assert report["provenance"] and report["boilerplate"]
    mutate(report)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate(report)


def test_member_offsets_point_into_paragraphs(seeds_json):
    _, report = seeds_json
    docs = {d.id: d for d in read_inputs([str(SEEDS)]) if isinstance(d, Document)}
    paragraphs = {(p.doc, p.index): p.text for d in docs.values() for p in paragraphs_of(d)}
    checked = 0
    for cluster in report["clusters"]:
        assert len({m["doc"] for m in cluster["members"]}) >= 2
        for m in cluster["members"]:
            text = paragraphs[(m["doc"], m["paragraph"])]
            assert 0 <= m["start"] < m["end"] <= len(text)
            assert text[m["start"] : m["end"]] == m["text"]
            checked += 1
    assert checked >= 10
    for d in report["documents"]:
        assert d["paragraphs"] == len(paragraphs_of(docs[d["id"]]))
    for f in report["boilerplate"]:
        assert (f["doc"], f["paragraph"]) in paragraphs


def test_json_is_deterministic(seeds_json):
    first, _ = seeds_json
    assert run("scan", str(SEEDS), "--format", "json").stdout == first
    # and across processes with different hash seeds
    outs = []
    for hashseed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hashseed}
        proc = subprocess.run(
            [sys.executable, "-m", "syndetect", "scan", str(SEEDS), "--format", "json", "--quiet"],
            capture_output=True, text=True, env=env, cwd=ROOT, timeout=120,
        )
        assert proc.returncode == 0, proc.stderr
        outs.append(proc.stdout)
    assert outs[0] == outs[1] == first


def test_output_file(tmp_path, seeds_json):
    out = tmp_path / "report.json"
    result = run("scan", str(SEEDS), "-o", str(out))  # format from the suffix
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert out.read_text(encoding="utf-8") == seeds_json[0]
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]  # no temporary left behind


def test_output_into_missing_directory_is_an_error(tmp_path):
    out = tmp_path / "missing" / "report.json"
    result = run("scan", str(SEEDS), "-o", str(out))
    assert isinstance(result.exception, SystemExit)
    assert result.exit_code == 2
    assert "report.json" in result.stderr


def test_markdown_includes_clusters(seeds_json, tmp_path):
    _, report = seeds_json
    result = run("scan", str(SEEDS), "--format", "markdown")
    assert result.exit_code == 0, result.output
    md = result.stdout
    assert md.startswith("# syndetect report")
    assert f"## Reuse clusters ({len(report['clusters'])})" in md
    for c in report["clusters"]:
        assert f"### {c['id']}: {c['words']} words in {len(c['documents'])} documents" in md
        for m in c["members"]:
            assert f"- `{m['doc']}` ¶{m['paragraph']} [{m['start']}:{m['end']}]" in md
    for d in report["documents"]:
        assert f"| {d['id']} |" in md
    out = tmp_path / "r.md"
    assert run("scan", str(SEEDS), "-o", str(out)).exit_code == 0
    assert out.read_text(encoding="utf-8") == md


def test_text_format_shows_summary_table(seeds_json):
    _, report = seeds_json
    result = run("scan", str(SEEDS), "--format", "text", "--no-color")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "\x1b[" not in out
    assert "Documents" in out
    for col in ("id", "outlet", "paragraphs", "reused", "boilerplate"):
        assert col in out
    for d in report["documents"]:
        row = next(line for line in out.splitlines() if d["id"] in line)
        assert f"{round(100 * d['reused_fraction'])}%" in row
        assert str(d["paragraphs"]) in row
    assert f"{len(report['clusters'])} reuse clusters" in out
    assert f"{len(report['documents'])} documents, {len(report['clusters'])} clusters" in out


@pytest.fixture()
def corpus_with_bad_file(tmp_path) -> tuple[Path, Path]:
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    bad = corpus / "999_corrupt.txt"
    bad.write_bytes(b"\x00\x01\x02binary garbage\x00")
    return corpus, bad


def test_bad_file_is_skipped_and_good_files_reported(corpus_with_bad_file, schema):
    corpus, bad = corpus_with_bad_file
    result = run("scan", str(corpus), "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    jsonschema.Draft202012Validator(schema).validate(report)
    assert sorted(d["id"] for d in report["documents"]) == sorted(p.stem for p in SEEDS.glob("*.txt"))
    assert report["clusters"]
    assert [(s["source"], s["line"]) for s in report["skipped"]] == [(str(bad), None)]
    assert "binary" in report["skipped"][0]["reason"]
    assert bad.name in result.stderr  # a note on stderr
    # the text and markdown reports list it as well
    md = run("scan", str(corpus), "--format", "markdown", "--quiet")
    assert md.exit_code == 0 and "## Skipped inputs" in md.stdout and bad.name in md.stdout
    assert md.stderr == ""


def test_strict_exits_2_naming_the_file(corpus_with_bad_file):
    corpus, bad = corpus_with_bad_file
    result = run("scan", str(corpus), "--format", "json", "--strict")
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)
    assert bad.name in result.stderr
    # without bad input --strict is fine
    assert run("scan", str(SEEDS), "--format", "json", "--strict").exit_code == 0


@pytest.mark.parametrize(
    "args, message",
    [
        (["--threshold", "2"], "threshold"),
        (["--bands", "40", "--rows", "4"], "num_perm"),
        (["--bands", "4"], "rows"),
        (["--min-span-words", "3"], "min_span_words"),
        (["--min-overlap", "0"], "min_overlap"),
    ],
)
def test_bad_parameter_exits_2_without_traceback(args, message):
    result = run("scan", str(SEEDS), "--format", "json", *args)
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)
    assert message in result.stderr and "error" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr  # one line, no traceback
    assert result.stdout == ""


def test_missing_path_is_skipped_or_strict_error(tmp_path):
    missing = tmp_path / "nowhere"
    result = run("scan", str(SEEDS), str(missing), "--format", "json", "--quiet")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["skipped"][0]["source"] == str(missing)
    result = run("scan", str(missing), "--format", "json", "--strict")
    assert result.exit_code == 2 and "nowhere" in result.stderr


def test_stdin_jsonl(seeds_json):
    lines = "".join(
        json.dumps({"id": p.stem, "text": p.read_text(encoding="utf-8")}) + "\n" for p in sorted(SEEDS.glob("*.txt"))
    )
    result = CliRunner().invoke(app, ["scan", "-", "--format", "json"], input=lines, env=ENV)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [d["source"] for d in report["documents"]] == [f"<stdin>:{i}" for i in range(1, 6)]
    assert report["clusters"] == seeds_json[1]["clusters"]


def test_console_script_writes_the_same_report_and_exit_codes(tmp_path, corpus_with_bad_file, seeds_json):
    """The console script leaves the report to the end of the process (``_keep_until_exit``): what it
    writes, and its exit codes, are the in-process command's."""
    out = tmp_path / "r.json"
    proc = subprocess.run([sys.executable, "-m", "syndetect", "scan", str(SEEDS), "-o", str(out), "--quiet"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert out.read_text(encoding="utf-8") == seeds_json[0]
    corpus, bad = corpus_with_bad_file
    proc = subprocess.run([sys.executable, "-m", "syndetect", "scan", str(corpus), "--format", "json", "--strict"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 2 and bad.name in proc.stderr


def test_keep_until_exit_only_in_the_console_script():
    code = """
import gc, sys, weakref
import syndetect.cli.app
cli = sys.modules["syndetect.cli.app"]
class Big: pass
big = Big(); ref = weakref.ref(big)
cli._keep_until_exit(big); del big; gc.collect()
assert ref() is None  # a command run in this process (CliRunner, a test): freed as usual
cli._KEEP_AT_EXIT = True  # as main() sets it
big = Big(); ref = weakref.ref(big)
cli._keep_until_exit(big); del big; gc.collect()
assert ref() is not None and gc.get_freeze_count() > 0  # left to the process's end, out of the collector's reach
print("ok")
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr


def test_python_m_version():
    proc = subprocess.run(
        [sys.executable, "-m", "syndetect", "--version"], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"syndetect {syndetect.__version__}"
