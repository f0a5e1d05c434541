"""Reading articles: text/Markdown files, JSONL, CSV, stdin, directories, bad input."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from syndetect.model import Document, Skipped
from syndetect.readers.base import ReaderOptions
from syndetect.readers.ids import path_id
from syndetect.readers.inputs import read_csv, read_inputs, read_jsonl, read_text_file

BODY = "Pakistan struck hideouts in Iran on Thursday.\nThe ministry said the operation was a success.\n"


def read(*paths, stdin=None):
    items = list(read_inputs([str(p) for p in paths], stdin=stdin))
    docs = [i for i in items if isinstance(i, Document)]
    skipped = [i for i in items if isinstance(i, Skipped)]
    assert len(docs) + len(skipped) == len(items)
    return docs, skipped


# ---------------------------------------------------------------------------
# Plain text and Markdown
# ---------------------------------------------------------------------------
def test_txt_file_is_one_article(tmp_path):
    f = tmp_path / "story-1.txt"
    f.write_text(BODY, encoding="utf-8")
    docs, skipped = read(f)
    assert skipped == []
    (doc,) = docs
    assert (doc.id, doc.text, doc.source) == ("story-1", BODY, str(f))
    assert doc.title is doc.outlet is doc.published is None


def test_markdown_front_matter(tmp_path):
    f = tmp_path / "a.md"
    f.write_text(
        "---\ntitle: \"Pakistan strikes Iran\"\noutlet: Dawn\npublished: 2024-01-18\nurl: https://x.test/a\n"
        "ignored: yes\n---\n" + BODY,
        encoding="utf-8",
    )
    (doc,), skipped = read(f)
    assert skipped == []
    assert (doc.id, doc.title, doc.outlet, doc.published, doc.url) == (
        "a", "Pakistan strikes Iran", "Dawn", "2024-01-18", "https://x.test/a"
    )
    assert doc.text == BODY  # front matter removed


def test_front_matter_date_alias_id_and_crlf():
    doc = read_text_file("---\r\ndate: '2024-01-19'\r\nid: custom\r\n---\r\n" + BODY, "x/y.md")
    assert isinstance(doc, Document)
    assert (doc.id, doc.published, doc.text) == ("custom", "2024-01-19", BODY)
    only_meta = read_text_file("---\ntitle: t\n---\n\n  \n", "z.md")
    assert isinstance(only_meta, Skipped) and only_meta.source == "z.md"


def test_utf8_bom_is_dropped(tmp_path):
    f = tmp_path / "bom.txt"
    f.write_bytes("\ufeff".encode() + BODY.encode())
    (doc,), _ = read(f)
    assert doc.text == BODY


# ---------------------------------------------------------------------------
# JSONL
# ---------------------------------------------------------------------------
JSONL_LINES = [
    json.dumps({"id": "a1", "text": BODY, "title": "T", "outlet": "O", "published": "2024-01-18", "url": None}),
    '{"id": "a2", "text": "broken',  # 2: invalid JSON
    "[1, 2, 3]",  # 3: not an object
    json.dumps({"text": BODY}),  # 4: no id: <file id>:<line>
    json.dumps({"id": "a5"}),  # 5: missing text
    json.dumps({"id": "a6", "text": "   \n "}),  # 6: blank text
    "",  # 7: blank line, ignored
    json.dumps({"id": 7, "text": BODY, "published": 2024}),  # 8: integer id, non-string field
    json.dumps({"id": True, "text": BODY}),  # 9: bad id type
    json.dumps({"id": "a10", "text": ["x"]}),  # 10: bad text type
    json.dumps({"id": "a11", "text": ""}),  # 11: empty text
]


def test_jsonl_good_and_bad_lines(tmp_path):
    f = tmp_path / "feed.jsonl"
    f.write_text("\n".join(JSONL_LINES) + "\n", encoding="utf-8")
    docs, skipped = read(f)
    assert [(d.id, d.source) for d in docs] == [("a1", f"{f}:1"), ("feed:4", f"{f}:4"), ("7", f"{f}:8")]
    a1, a4, a7 = docs
    assert (a1.title, a1.outlet, a1.published, a1.url, a1.text) == ("T", "O", "2024-01-18", None, BODY)
    assert (a1.date_source, a1.meta) == ("field:published", None)
    assert a7.published is None and a7.meta == {"published": 2024}  # a year alone is not a date: kept in meta
    assert all(s.source == str(f) for s in skipped)
    assert [s.line for s in skipped] == [2, 3, 5, 6, 9, 10, 11]
    reasons = {s.line: s.reason for s in skipped}
    assert "invalid JSON" in reasons[2]
    assert "JSON object" in reasons[3] and "list" in reasons[3]
    assert "'text'" in reasons[5]
    assert "blank" in reasons[6]
    assert "'id'" in reasons[9] and "'text'" in reasons[10] and "'text'" in reasons[11]
    assert str(skipped[0]).startswith(f"{f}:2: ")


def test_read_jsonl_stream_and_crlf():
    stream = io.StringIO('{"id": "x", "text": "hello world"}\r\n\r\n{"id": "y", "text": "again"}\r\n')
    items = list(read_jsonl(stream, "feed"))
    assert [(d.id, d.source) for d in items] == [("x", "feed:1"), ("y", "feed:3")]


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252", "utf-16"])
def test_jsonl_lone_surrogates_become_replacement_characters(tmp_path, encoding):
    """A "\\udc80" escape is no character (U+FFFD), whatever the file's encoding; other lines are kept as read
    (the surrogate-free fast path)."""
    f = tmp_path / "feed.jsonl"
    lines = ['{"id": "a\\udc80", "text": "caf\u00e9 one \\ud800 two", "title": "x\\u00e9"}',
             '{"id": "b", "text": "caf\u00e9 \\\\u not an escape", "title": "T\u00e9"}']
    f.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    items = list(read_inputs([str(f)], options=ReaderOptions(encoding=encoding)))
    docs = [i for i in items if isinstance(i, Document)]
    assert [(d.id, d.text, d.title) for d in docs] == [
        ("a\ufffd", "caf\u00e9 one \ufffd two", "x\u00e9"), ("b", "caf\u00e9 \\u not an escape", "T\u00e9")]


def test_read_jsonl_of_any_stream_replaces_raw_lone_surrogates():
    """Lines from a stream that may hold a lone surrogate of its own (e.g. decoded with surrogateescape)."""
    stream = ['{"id": "x", "text": "caf\udce9 ok"}\n']
    assert [d.text for d in read_jsonl(stream, "feed")] == ["caf\ufffd ok"]


def test_stdin_dash_reads_jsonl():
    stdin = io.StringIO(JSONL_LINES[0] + "\n" + JSONL_LINES[1] + "\n")
    docs, skipped = read("-", stdin=stdin)
    assert [(d.id, d.source) for d in docs] == [("a1", "<stdin>:1")]
    assert [(s.source, s.line) for s in skipped] == [("<stdin>", 2)]


# ---------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------
def test_csv_good_rows_extra_fields_and_missing_values(tmp_path):
    f = tmp_path / "feed.csv"
    f.write_text(
        "id,text,outlet\n"
        "c1,\"Pakistan struck, it said.\",Dawn\n"  # 2
        "c2,too,many,fields\n"  # 3
        "c3,\"multi\nline text\",Geo\n"  # 4-5
        "c4\n"  # 6: too few fields -> text missing
        "c5,plain text,\n",  # 7
        encoding="utf-8",
    )
    docs, skipped = read(f)
    assert [(d.id, d.text, d.outlet) for d in docs] == [
        ("c1", "Pakistan struck, it said.", "Dawn"),
        ("c3", "multi\nline text", "Geo"),
        ("c5", "plain text", None),
    ]
    assert docs[0].source == f"{f}:2" and docs[2].source == f"{f}:7"
    assert [(s.source, s.line) for s in skipped] == [(str(f), 3), (str(f), 6)]
    assert "more fields" in skipped[0].reason
    assert "'text'" in skipped[1].reason


@pytest.mark.parametrize("header", ["id,summary\n", "doc,title\n", "title\n"])
def test_csv_without_a_text_column(tmp_path, header):
    f = tmp_path / "bad.csv"
    f.write_text(header + "1,x\n", encoding="utf-8")
    docs, skipped = read(f)
    assert docs == []
    (s,) = skipped
    assert (s.source, s.line) == (str(f), 1)
    assert "lacks required column(s): text" in s.reason and "--text-field" in s.reason


def test_csv_multiline_record_is_located_at_its_first_line():
    src = 'id,text\nc1,"multi\nline\ntext"\nc2,"two\nlines",extra\n'
    items = list(read_csv(io.StringIO(src, newline=""), "f.csv"))
    assert [(type(i).__name__, i.source, getattr(i, "line", None)) for i in items] == [
        ("Document", "f.csv:2", None),
        ("Skipped", "f.csv", 5),
    ]


def test_csv_unterminated_quote_is_reported():
    src = 'id,text\nc1,"unterminated quote\nc2,second story\nc3,third story\n'
    items = list(read_csv(io.StringIO(src, newline=""), "f.csv"))
    assert not any(isinstance(i, Document) and "second story" in i.text for i in items)
    assert any(isinstance(i, Skipped) and i.source == "f.csv" and i.line == 2 for i in items)


def test_read_csv_stream():
    items = list(read_csv(io.StringIO("text,id\nhello there,9\n"), "mem.csv"))
    assert [(d.id, d.text, d.source) for d in items] == [("9", "hello there", "mem.csv:2")]


# ---------------------------------------------------------------------------
# Unreadable files
# ---------------------------------------------------------------------------
def test_bad_files_are_skipped_with_reasons(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(BODY, encoding="utf-8")
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    blank = tmp_path / "blank.md"
    blank.write_text("  \n\n\t\n", encoding="utf-8")
    missing = tmp_path / "nope.txt"
    docs, skipped = read(binary, good, empty, blank, missing)
    assert [d.id for d in docs] == ["good"]
    by_source = {s.source: s for s in skipped}
    assert set(by_source) == {str(binary), str(empty), str(blank), str(missing)}
    assert all(s.line is None for s in skipped)
    assert "binary" in by_source[str(binary)].reason
    assert "empty" in by_source[str(empty)].reason and "empty" in by_source[str(blank)].reason
    assert "no such file" in by_source[str(missing)].reason
    # order follows the arguments
    assert [s.source for s in skipped] == [str(binary), str(empty), str(blank), str(missing)]


def test_unknown_suffix_named_explicitly_is_read_as_text(tmp_path):
    f = tmp_path / "article.story"
    f.write_text(BODY, encoding="utf-8")
    (doc,), skipped = read(f)
    assert skipped == [] and doc.id == "article"


# ---------------------------------------------------------------------------
# Directories
# ---------------------------------------------------------------------------
def _tree(root: Path) -> list[Path]:
    files = {
        "b.txt": BODY,
        "a/z.md": BODY,
        "a/c/d.txt": BODY,
        "a b/x.txt": BODY,
        "A/y.txt": BODY,
        "feed.jsonl": json.dumps({"id": "j1", "text": BODY}) + "\n",
        "table.csv": "id,text\nk1,hello\n",
        "skip.pdf": BODY,  # unknown suffix in a directory: not read
        ".hidden.txt": BODY,  # hidden: not read
        ".git/config.txt": BODY,  # hidden directory: not read
        "Q.TXT": BODY,  # suffixes are case-insensitive
    }
    made = []
    for rel, content in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(content, encoding="utf-8")
        made.append(p)
    return made


def test_directory_recursion_is_sorted_and_deterministic(tmp_path):
    root = tmp_path / "corpus"
    _tree(root)
    docs, skipped = read(root)
    assert skipped == []
    expected_files = sorted(
        os.path.join(str(root), rel)
        for rel in ("b.txt", "a/z.md", "a/c/d.txt", "a b/x.txt", "A/y.txt", "feed.jsonl", "table.csv", "Q.TXT")
    )
    files = []
    for d in docs:
        head, _, tail = d.source.rpartition(":")
        path = head if d.source.endswith((".jsonl:" + tail, ".csv:" + tail)) and tail.isdigit() else d.source
        if not files or files[-1] != path:
            files.append(path)
    assert files == expected_files
    again, _ = read(root)
    assert [(d.id, d.source) for d in again] == [(d.id, d.source) for d in docs]
    assert {d.id for d in docs} == {"b", "z", "d", "x", "y", "j1", "k1", "Q"}


def test_duplicate_ids_are_skipped_naming_both_places(tmp_path):
    one = tmp_path / "one.jsonl"
    one.write_text(json.dumps({"id": "dup", "text": "first"}) + "\n", encoding="utf-8")
    two = tmp_path / "two.jsonl"
    two.write_text(
        json.dumps({"id": "other", "text": "x"}) + "\n" + json.dumps({"id": "dup", "text": "second"}) + "\n",
        encoding="utf-8",
    )
    txt = tmp_path / "dup.txt"
    txt.write_text("third", encoding="utf-8")
    docs, skipped = read(one, two, txt)
    # a file is never skipped for a clash: the record took its stem, so it is called by its path
    assert [(d.id, d.text) for d in docs] == [("dup", "first"), ("other", "x"), (path_id(str(txt)), "third")]
    (s1,) = skipped
    assert (s1.source, s1.line) == (str(two), 2)
    assert "'dup'" in s1.reason and f"{one}:1" in s1.reason
    assert str(two) in str(s1) and f"{one}:1" in str(s1)
