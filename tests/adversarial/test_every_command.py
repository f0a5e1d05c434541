"""The adversarial corpus through every command and format, and generated input (hypothesis).

Whatever the input: a documented exit code, no escaped exception, JSON that
parses and is valid UTF-8, and no control sequence in anything meant for
people (text, Markdown, check and list output, stderr).
"""

from __future__ import annotations

import json
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import SEEDS, assert_for_people, assert_one_line_messages, hostile_records, run

SEED = {p.name[:3]: p for p in sorted(SEEDS.glob("*.txt"))}
SHARED_QUOTE = next(line for line in SEED["000"].read_text("utf-8").splitlines() if len(line.split()) > 30)


def _people(result) -> None:
    assert_for_people(result.stdout)
    assert_for_people(result.stderr)
    assert_one_line_messages(result.stderr)


def _json(result) -> dict:
    result.stdout.encode("utf-8")
    return json.loads(result.stdout)


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_scan_in_every_format(hostile_corpus, fmt, tmp_path):
    r = run("scan", hostile_corpus, "-f", fmt, "--no-color")  # our own styling off: any ESC left came from input
    assert r.exit_code == 0
    if fmt == "json":
        report = _json(r)
        reasons = {s["source"].rsplit("/", 1)[-1]: s["reason"] for s in report["skipped"] if s["line"] is None}
        assert reasons["pipe.jsonl"].startswith("not a regular file")
        assert reasons["blank.txt"].startswith("no article text")
        assert {s["line"] for s in report["skipped"] if s["source"].endswith("hostile.jsonl")} == {2, 3, 4, 5, 6}
        assert_for_people(r.stderr)
    else:
        _people(r)
    suffix = {"text": ".txt", "json": ".json", "markdown": ".md"}[fmt]
    out = tmp_path / f"report{suffix}"
    assert run("scan", hostile_corpus, "-o", out, "-q").exit_code == 0
    written = out.read_bytes().decode("utf-8")
    if fmt == "json":
        json.loads(written)
    else:
        assert_for_people(written)
    strict = run("scan", hostile_corpus, "-f", fmt, "--strict", "-q", "--no-color")
    assert strict.exit_code == 2
    assert_for_people(strict.stderr)


def test_index_commands_and_check_in_every_format(hostile_corpus, tmp_path):
    index = str(tmp_path / "idx")
    r = run("index", "add", hostile_corpus, "--index", index)
    assert r.exit_code == 0
    _people(r)
    assert run("index", "add", hostile_corpus, "--index", index, "--strict", "-q").exit_code == 2
    for args in (["index", "list"], ["index", "stats"], ["index", "verify"]):
        r = run(*args, "--index", index)
        assert r.exit_code == 0, r.stderr
        _people(r)
    _json(run("index", "stats", "--index", index, "--format", "json"))
    # check: the corpus (its documents copy each other; bad inputs named), a hostile probe (a copy)
    for fmt in ("text", "json"):
        r = run("check", hostile_corpus, "--index", index, "-f", fmt)
        assert r.exit_code == 1  # the hostile documents share a passage with each other
        assert "pipe.jsonl: not a regular file" in r.stderr  # and each unreadable input is named
        (_json(r) if fmt == "json" else _people(r))
        one = hostile_corpus / "hostile.jsonl"
        r = run("check", one, "--index", index, "-f", fmt)
        assert r.exit_code == 1 and f"{one}:2: " in r.stderr
        probe = tmp_path / "probe.jsonl"
        rec = dict(hostile_records()[1], id="probe\x1b[2J[/]")
        probe.write_text(json.dumps(rec) + "\n", "utf-8")
        r = run("check", probe, "--index", index, "-f", fmt, "--ignore-quoted", "--add")
        assert r.exit_code == 1
        if fmt == "json":
            assert _json(r)["documents"][0]["doc"] == "probe\x1b[2J[/]"  # JSON keeps the original
        else:
            _people(r)
    ids = [rec["id"] for rec in hostile_records()]
    r = run("index", "remove", *ids, "nonexistent\x1b]0;x\x07", "--index", index)
    assert r.exit_code == 0 and r.stdout == f"removed {len(ids)} document(s)\n"
    _people(r)


def test_stdin_through_every_command(tmp_path):
    lines = "".join(json.dumps(rec) + "\n" for rec in hostile_records()).encode() + b'{"id": "x", "text": "\xff"}\n'
    r = run("scan", "-", "-f", "text", "--no-color", input=lines)
    assert r.exit_code == 0
    _people(r)
    index = str(tmp_path / "idx")
    r = run("index", "add", "-", "--index", index, input=lines)
    assert r.exit_code == 0 and "<stdin>:6: not utf-8" in r.stderr.lower()
    r = run("check", "-", "--index", index, input=lines)
    assert r.exit_code == 1 and "<stdin>:6: " in r.stderr  # they copy each other; the bad line is named
    _people(r)


# --- generated input --------------------------------------------------------------
# Text drawn from every Unicode category, with the attacker's favourites over-represented.
HOSTILE_CHARS = st.sampled_from(list("\x00\x07\x08\x0b\x0c\r\x1b\x7f\x85\x9b\u061c\u200b\u200e\u202a\u202e\u2028"
                                     "\u2066\ufeff[]/\\|<>`*_:&#\"'\n\t") + ["\udc80", "\U000e0041"])
TEXT = st.text(st.one_of(HOSTILE_CHARS, st.characters(), st.sampled_from(string.ascii_letters + " .")), max_size=60)


@pytest.fixture(scope="module")
def seeded_index(tmp_path_factory) -> str:
    index = str(tmp_path_factory.mktemp("gen") / "idx")
    assert run("index", "add", SEED["000"], SEED["002"], "--index", index, "-q").exit_code == 0
    return index


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    records=st.lists(
        st.fixed_dictionaries(
            {"id": st.one_of(TEXT, st.integers()), "text": TEXT},
            optional={"title": TEXT, "outlet": TEXT, "published": TEXT, "url": TEXT},
        ),
        min_size=1, max_size=4,
    ),
    quote=st.booleans(),
)
def test_no_generated_input_makes_a_command_crash_or_print_a_control_sequence(records, quote, seeded_index):
    shared = SHARED_QUOTE  # a paragraph of seed 000 (indexed): there is a match to show
    for rec in records:
        if quote and isinstance(rec["text"], str):
            rec["text"] = rec["text"] + "\n\n" + shared
    data = "".join(json.dumps(r) + "\n" for r in records).encode("utf-8", "surrogatepass")
    for fmt in ("text", "markdown"):
        r = run("scan", "-", "-f", fmt, "--no-color", input=data)
        assert r.exit_code in (0, 2)  # 2: no document at all could be read
        _people(r)
    r = run("scan", "-", "-f", "json", input=data)
    if r.exit_code == 0:
        _json(r)
    r = run("check", "-", "--index", seeded_index, input=data)
    assert r.exit_code in (0, 1, 2)
    _people(r)
    r = run("check", "-", "--index", seeded_index, "-f", "json", input=data)
    if r.stdout:  # nothing on stdout only when no line was readable (exit 2)
        _json(r)


@settings(max_examples=40, deadline=None)
@given(raw=st.binary(max_size=300))
def test_no_byte_string_makes_scan_crash(raw):
    r = run("scan", "-", "-f", "text", "--no-color", input=raw)
    assert r.exit_code in (0, 2)  # 2: no document at all could be read
    _people(r)
