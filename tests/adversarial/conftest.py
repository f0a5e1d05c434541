"""Hostile and careless input (issue 11): a corpus builder and the checks every run must pass.

The adversarial corpus is built in a temporary directory per test (FIFOs and
unreadable directories cannot live in git): control characters and escape
sequences, rich markup, Markdown/HTML, lone surrogates, huge integer ids,
deep nesting, NUL and latin-1 bytes, blank and zero-width-only files, a FIFO.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from syndetect.cli.app import app

# The oracle, independent of syndetect.safety: what must never reach people's screens.
UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 (but TAB, LF), ESC, DEL, C1
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidi controls
    "\u2028\u2029\U000e0000-\U000e007f\ud800-\udfff]"  # line separators, tag characters, lone surrogates
)

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "fixtures" / "seeds"
ENV = {"COLUMNS": "200", "NO_COLOR": "1"}

# what an attacker puts in ids, titles, outlets and text
ESC_CLEAR = "\x1b[2J\x1b[H"  # clear the screen
ESC_TITLE = "\x1b]0;pwned\x07"  # set the window title
CSI_8BIT = "\x9b31m"  # C1 CSI
BIDI = "\u202egnp.exe"  # right-to-left override
MARKUP_LINK = "[link=file:///etc/passwd]click[/link]"
MARKUP_CLOSE = "x[/]y"
MARKUP_BOLD = "[bold red]boss[/bold red]"
EMOJI_CODE = "feed:100:"  # rich turns :100: into an emoji unless told not to
MD_HOSTILE = 'a|b <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>'

# a sentence long enough to be a reused span, shared by the hostile documents
SHARED = (
    "The finance ministry announced on Tuesday that the new tariff schedule would take effect next month "
    "after consultations with exporters, importers and provincial governments across the country."
)


def body(extra: str = "") -> str:
    return f"{SHARED}\n\nLocal reporting adds that {extra or 'the markets were calm'} and traders waited for details."


def run(*args: object, input: str | bytes | None = None, env: dict | None = None):
    """A CLI run that must end in a documented exit code with no escaped exception."""
    result = CliRunner().invoke(app, [str(a) for a in args], input=input, env={**ENV, **(env or {})})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert result.exit_code in (0, 1, 2), (result.exit_code, result.stdout, result.stderr)
    return result


def controls(text: str) -> list[str]:
    """Characters in ``text`` that could drive a terminal (newline and tab are fine)."""
    return UNSAFE.findall(text)


def assert_for_people(text: str) -> None:
    """Output meant for people: no control sequence, no bidi override, valid UTF-8."""
    assert controls(text) == [], controls(text)
    text.encode("utf-8")  # raises on a lone surrogate


def assert_one_line_messages(stderr: str) -> None:
    """Each stderr message is one ``where: reason`` line (never wrapped, no traceback)."""
    assert "Traceback" not in stderr
    for line in stderr.splitlines():
        assert line.startswith(("skipped ", "syndetect: ", "added ", "nothing added", "not in the index")), line


def hostile_records() -> list[dict]:
    """JSONL records with hostile ids, titles, outlets and text (all valid documents)."""
    return [
        {"id": "esc" + ESC_CLEAR, "title": "t" + ESC_TITLE, "outlet": "o" + CSI_8BIT, "text": body(ESC_CLEAR + "x")},
        {"id": MARKUP_LINK, "title": MARKUP_BOLD, "outlet": MARKUP_CLOSE, "text": body(MARKUP_LINK)},
        {"id": "bidi" + BIDI, "title": EMOJI_CODE, "outlet": "[/]", "text": body(BIDI)},
        {"id": MD_HOSTILE, "title": MD_HOSTILE, "outlet": "out|let\nnext", "text": body(MD_HOSTILE)},
        {"id": "nl\nid\r", "title": "\u2028sep", "outlet": "\U000e0041tag", "text": body("tabs\tand\x07bells")},
    ]


def bad_lines() -> list[bytes]:
    """JSONL lines that must each cost only themselves."""
    return [
        b'{"id": ' + b"9" * 5000 + b', "text": "a huge integer id"}\n',
        b"[" * 100_000 + b"]" * 100_000 + b"\n",
        b'{"id": "nul", "text": "raw \x00 byte"}\n',
        b'{"id": "latin", "text": "caf\xe9 au lait"}\n',
        b'{"id": "blank", "text": "\\u200b\\u200c\\u2060 \\t \\u00a0"}\n',
    ]


def write_jsonl(path: Path, records: list[dict], bad: list[bytes] = ()) -> Path:
    """Records as JSONL, with ``bad`` lines interleaved after the first record."""
    lines = [json.dumps(r, ensure_ascii=False).encode("utf-8") + b"\n" for r in records]
    path.write_bytes(b"".join(lines[:1] + list(bad) + lines[1:]))
    return path


@pytest.fixture
def hostile_corpus(tmp_path) -> Path:
    """A directory of every kind of hostile input, plus two seeds (so there is reuse to report)."""
    d = tmp_path / "corpus"
    d.mkdir()
    write_jsonl(d / "hostile.jsonl", hostile_records(), bad_lines())
    for name in ("000", "002"):
        src = next(SEEDS.glob(f"{name}_*.txt"))
        (d / src.name).write_text(src.read_text("utf-8"), "utf-8")
    (d / "blank.txt").write_text(" \u200b\u200c\u200d\ufeff\u2060 \n\t\n", "utf-8")
    (d / "binary.txt").write_bytes(b"\x00\x01\x02 binary")
    (d / "latin1.md").write_bytes("caf\xe9".encode("latin-1"))
    (d / f"{ESC_CLEAR}x[").mkdir()
    (d / f"{ESC_CLEAR}x[" / "]name\u202e.txt").write_text(body("a hostile file name"), "utf-8")  # path holds [/]
    csv = 'id,text,outlet\n"c[/]1","' + body("csv one").replace('"', '""') + '","o\x1b[31m"\nc2,"nul \x00 here",x\n'
    (d / "feed.csv").write_text(csv, "utf-8")
    os.mkfifo(d / "pipe.jsonl")
    return d

