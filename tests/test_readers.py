"""The reader registry: every input kind, compression, field mapping, encodings, dates, ids, and empty inputs."""

from __future__ import annotations

import bz2
import codecs
import gzip
import io
import json
import lzma
import os
import socket
from pathlib import Path

import pytest
import zstandard
from typer.testing import CliRunner

from syndetect.cli.app import app
from syndetect.model import Document, Skipped
from syndetect.pipeline.scan import paragraphs_of
from syndetect.readers import ReaderOptions, read_inputs
from syndetect.readers.base import REGISTRY, Source, reader_for_suffix, sniff_reader
from syndetect.readers.dates import find_dateline, parse_crawled, parse_date
from syndetect.readers.ids import path_id
from syndetect.rules.boilerplate import outlet_of

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "fixtures" / "article-extraction-benchmark"
HTML_DIR = BENCH / "html"
BODY = "Pakistan struck hideouts in Iran on Thursday.\nThe ministry said the operation was a success.\n"
PAGE = (
    "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Strikes in Iran | Dawn</title>"
    "<meta property='og:site_name' content='Dawn'>"
    "<meta property='article:published_time' content='2024-01-18T08:00:00+05:00'>"
    "<link rel='canonical' href='https://www.dawn.test/news/strikes'></head><body>"
    "<nav><a href='/'>Home</a> | <a href='/world'>World</a></nav><article><h1>Strikes in Iran</h1>"
    "<p>Pakistan struck what it called terrorist hideouts in Iran on Thursday, a day after Iranian strikes.</p>"
    "<p>The foreign ministry said the operation was based on credible intelligence of impending attacks.</p>"
    "<p>Officials in Tehran said several people were killed in the strikes near the border town.</p>"
    "</article><footer>Copyright Dawn</footer></body></html>"
)


def items_of(*paths, options=None, stdin=None):
    items = list(read_inputs([str(p) for p in paths], stdin=stdin, options=options or ReaderOptions(workers=1)))
    return [i for i in items if isinstance(i, Document)], [i for i in items if isinstance(i, Skipped)]


class Result:
    def __init__(self, result) -> None:
        self.exit_code = result.exit_code
        self.stdout = result.stdout
        self.stderr = result.stderr.replace("\n", "")
        self.exception = result.exception


def run(*args) -> Result:
    result = CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert "Traceback" not in (result.stdout + result.stderr), result.stdout + result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Result(result)


def scan_json(*args) -> dict:
    r = run("scan", *args, "--format", "json", "--workers", "1")
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


# ---------------------------------------------------------------------------
# The registry
# ---------------------------------------------------------------------------
def test_registry_has_a_reader_per_kind_and_suffix():
    names = {r.name for r in REGISTRY}
    assert {"text", "jsonl", "table", "html", "warc"} <= names
    for suffix, name in {
        ".txt": "text", ".md": "text", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "table", ".tsv": "table",
        ".html": "html", ".htm": "html", ".warc": "warc",
    }.items():
        assert reader_for_suffix(suffix).name == name


@pytest.mark.parametrize("head, name", [
    (b"WARC/1.0\r\nWARC-Type: warcinfo\r\n", "warc"),
    (b"<!DOCTYPE html><html><body><p>x</p>", "html"),
    (b"  <html lang='en'><head>", "html"),
    (b'{"id": "a", "text": "hello"}\n', "jsonl"),
])
def test_content_sniffing(head, name):
    assert sniff_reader(head).name == name


def test_plain_text_is_claimed_by_no_sniffer():
    assert sniff_reader(b"Just an article.\nSecond line.") is None
    assert sniff_reader(b"{not json") is None


def test_file_named_explicitly_with_unknown_suffix_is_read_by_its_content(tmp_path):
    (tmp_path / "strikes.saved").write_text(PAGE, encoding="utf-8")
    (tmp_path / "feed.log").write_text(json.dumps({"id": "j", "text": BODY}) + "\n", encoding="utf-8")
    (tmp_path / "notes").write_text(BODY, encoding="utf-8")
    docs, skipped = items_of(tmp_path / "strikes.saved", tmp_path / "feed.log", tmp_path / "notes")
    assert skipped == []
    assert [(d.id, d.outlet) for d in docs] == [("strikes", "Dawn"), ("j", None), ("notes", None)]
    assert docs[2].text == BODY


# ---------------------------------------------------------------------------
# Compression, by magic bytes, for every reader
# ---------------------------------------------------------------------------
COMPRESSORS = {
    "gzip": (".gz", gzip.compress),
    "bz2": (".bz2", bz2.compress),
    "xz": (".xz", lzma.compress),
    "zstd": (".zst", lambda b: zstandard.ZstdCompressor().compress(b)),
}


def _warc_bytes(pages: list[tuple[str, bytes]], date: str = "2024-01-19T06:00:00Z", extra=None) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=False)
    for url, body in pages:
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(
            url, "response", payload=io.BytesIO(body), http_headers=headers, warc_headers_dict={"WARC-Date": date}
        ))
    for record in extra or ():
        record(writer)
    return buf.getvalue()


def _inputs_of_every_kind() -> dict[str, tuple[str, bytes]]:
    return {
        "text": (".txt", BODY.encode()),
        "jsonl": (".jsonl", (json.dumps({"id": "r1", "text": BODY}) + "\n").encode()),
        "csv": (".csv", b"id,text\nr1,\"" + BODY.encode() + b"\"\n"),
        "html": (".html", PAGE.encode()),
        "warc": (".warc", _warc_bytes([("https://www.dawn.test/news/strikes", PAGE.encode())])),
    }


@pytest.mark.parametrize("kind", list(_inputs_of_every_kind()))
@pytest.mark.parametrize("comp", list(COMPRESSORS))
def test_every_reader_reads_every_compression(tmp_path, kind, comp):
    suffix, data = _inputs_of_every_kind()[kind]
    ext, compress = COMPRESSORS[comp]
    plain = tmp_path / "plain" / f"story{suffix}"
    packed = tmp_path / "packed" / f"story{suffix}{ext}"
    for p, content in ((plain, data), (packed, compress(data))):
        p.parent.mkdir()
        p.write_bytes(content)
    want, skipped_plain = items_of(plain.parent)  # found in a directory walk, compressed or not
    got, skipped_packed = items_of(packed.parent)
    assert skipped_plain == skipped_packed == []
    assert len(got) == 1 and [(d.id, d.text, d.title, d.published) for d in got] == [
        (d.id, d.text, d.title, d.published) for d in want
    ]


def test_compression_is_told_by_magic_bytes_not_suffix(tmp_path):
    disguised = tmp_path / "feed.jsonl"  # gzip data without .gz
    disguised.write_bytes(gzip.compress((json.dumps({"id": "g", "text": BODY}) + "\n").encode()))
    plain = tmp_path / "story.html.gz"  # not compressed at all
    plain.write_text(PAGE, encoding="utf-8")
    docs, skipped = items_of(disguised, plain)
    assert skipped == [] and [d.id for d in docs] == ["g", "story"]


def test_corrupt_compressed_file_is_skipped_with_reason(tmp_path):
    bad = tmp_path / "feed.jsonl.gz"
    bad.write_bytes(gzip.compress(b'{"id": "x", "text": "hello"}\n' * 50)[:40])
    good = tmp_path / "good.txt"
    good.write_text(BODY, encoding="utf-8")
    docs, skipped = items_of(bad, good)
    assert [d.id for d in docs] == ["good"]
    (s,) = skipped
    assert s.source == str(bad) and "gzip" in s.reason


# ---------------------------------------------------------------------------
# Field mapping: aliases without options, options, meta passed through
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("field", ["text", "body", "content", "article"])
def test_text_aliases(tmp_path, field):
    f = tmp_path / "feed.jsonl"
    f.write_text(json.dumps({"id": "a", field: BODY}) + "\n", encoding="utf-8")
    (doc,), skipped = items_of(f)
    assert skipped == [] and doc.text == BODY and doc.meta is None


@pytest.mark.parametrize("field", ["published", "date", "pubDate", "published_at"])
def test_date_aliases(tmp_path, field):
    f = tmp_path / "feed.jsonl"
    f.write_text(json.dumps({"id": "a", "text": BODY, field: "Thu, 18 Jan 2024 08:00:00 GMT"}) + "\n", encoding="utf-8")
    (doc,), _ = items_of(f)
    assert (doc.published, doc.date_source) == ("2024-01-18T08:00:00+00:00", f"field:{field}")


@pytest.mark.parametrize("field", ["outlet", "source", "site", "series"])
def test_outlet_aliases(tmp_path, field):
    f = tmp_path / "feed.csv"
    f.write_text(f"id,text,{field}\nc1,hello there,Dawn\n", encoding="utf-8")
    (doc,), _ = items_of(f)
    assert doc.outlet == "Dawn"


def test_title_url_and_id_aliases_and_other_fields_in_meta(tmp_path):
    f = tmp_path / "export.jsonl"
    f.write_text(json.dumps({
        "doc_id": 17, "headline": "Strikes", "body": BODY, "link": "https://dawn.test/a", "section": "World",
        "tags": ["iran", "pakistan"], "date": "January 18, 2024",
    }) + "\n", encoding="utf-8")
    (doc,), _ = items_of(f)
    assert (doc.id, doc.title, doc.url, doc.published) == ("17", "Strikes", "https://dawn.test/a", "2024-01-18")
    assert doc.meta == {"section": "World", "tags": ["iran", "pakistan"]}


def test_a_date_field_that_is_not_a_date_is_kept_in_meta(tmp_path):
    f = tmp_path / "feed.jsonl"
    f.write_text(json.dumps({"id": "a", "text": BODY, "date": "sometime last spring"}) + "\n", encoding="utf-8")
    (doc,), _ = items_of(f)
    assert doc.published is None and doc.meta == {"date": "sometime last spring"}


def test_epoch_dates(tmp_path):
    f = tmp_path / "feed.jsonl"
    f.write_text(json.dumps({"id": "a", "text": BODY, "published_at": 1705564800}) + "\n"
                 + json.dumps({"id": "b", "text": BODY, "published_at": "1705564800000"}) + "\n", encoding="utf-8")
    docs, _ = items_of(f)
    assert [d.published for d in docs] == ["2024-01-18T08:00:00+00:00"] * 2


def test_cli_field_options_on_scan(tmp_path):
    f = tmp_path / "odd.jsonl"
    row = {"key": "k1", "story": BODY, "hed": "Strikes", "when": "2024-01-18", "paper": "Dawn", "where": "https://dawn.test/x",
           "extra": 5}
    f.write_text(json.dumps(row) + "\n", encoding="utf-8")
    plain = run("scan", f, "--format", "json")
    assert plain.exit_code == 2 and "missing required field" in plain.stderr  # no text alias fits
    report = scan_json(f, "--id-field", "key", "--text-field", "story", "--title-field", "hed", "--date-field", "when",
                       "--outlet-field", "paper", "--url-field", "where")
    (doc,) = report["documents"]
    assert (doc["id"], doc["title"], doc["published"], doc["outlet"], doc["url"], doc["date_source"]) == (
        "k1", "Strikes", "2024-01-18", "Dawn", "https://dawn.test/x", "field:when")
    assert doc["meta"] == {"extra": 5}


def test_field_option_naming_an_absent_field_skips_the_record(tmp_path):
    f = tmp_path / "feed.jsonl"
    f.write_text(json.dumps({"id": "a", "text": BODY}) + "\n", encoding="utf-8")
    docs, skipped = items_of(f, options=ReaderOptions(workers=1, id_field="guid"))
    assert docs == [] and "'guid' (--id-field)" in skipped[0].reason
    docs, skipped = items_of(f, options=ReaderOptions(workers=1, text_field="body"))
    assert docs == [] and "'body' (--text-field)" in skipped[0].reason


def test_field_options_on_check_and_index_add(tmp_path):
    archive = tmp_path / "archive.csv"
    story = ("Pakistan undertook a series of highly coordinated and specifically targeted precision military strikes "
             "against terrorist hideouts in the province, the foreign ministry said in a statement on Thursday.")
    archive.write_text(f"guid;copy\nold-1;\"{story}\"\n", encoding="utf-8")
    index = tmp_path / "idx"
    r = run("index", "add", archive, "--index", index, "--id-field", "guid", "--text-field", "copy", "--quiet")
    assert r.exit_code == 0, r.stderr
    new = tmp_path / "new.jsonl"
    new.write_text(json.dumps({"ref": "new-1", "words": "In other news. " + story}) + "\n", encoding="utf-8")
    r = run("check", new, "--index", index, "--id-field", "ref", "--text-field", "words", "--format", "json")
    assert r.exit_code == 1, r.stderr
    verdict = json.loads(r.stdout)["documents"][0]
    assert verdict["doc"] == "new-1" and verdict["documents"][0]["id"] == "old-1"


# ---------------------------------------------------------------------------
# Tables: delimiter sniffed, TSV, the headline/body/date export
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("name, sep", [("feed.csv", ","), ("feed.csv", ";"), ("feed.csv", "\t"), ("feed.tsv", "\t")])
def test_table_delimiters(tmp_path, name, sep):
    f = tmp_path / name
    f.write_text(sep.join(["headline", "body", "date"]) + "\n" + sep.join(["Strikes", '"One, two; three."', "2024-01-18"]) + "\n",
                 encoding="utf-8")
    (doc,), skipped = items_of(f)
    assert skipped == []
    assert (doc.id, doc.title, doc.text, doc.published) == ("feed:2", "Strikes", "One, two; three.", "2024-01-18")


def test_semicolon_csv_missing_text_names_the_delimiter(tmp_path):
    f = tmp_path / "feed.csv"
    f.write_text("id;summary\n1;x\n", encoding="utf-8")
    docs, (s,) = items_of(f)
    assert docs == [] and "semicolon-separated" in s.reason and "text" in s.reason


# ---------------------------------------------------------------------------
# Encodings
# ---------------------------------------------------------------------------
def test_cp1252_text_is_decoded_and_the_guess_reported(tmp_path):
    f = tmp_path / "old.txt"
    text = "Caf\u00e9 owners in Islamabad said \u201cthe strikes\u201d changed nothing \u2013 for now.\n" * 3
    f.write_bytes(text.encode("cp1252"))
    (doc,), skipped = items_of(f)
    assert skipped == [] and doc.text == text
    assert doc.encoding.startswith("cp125") and doc.encoding.endswith(" (guessed by charset-normalizer)")
    report = scan_json(f)
    assert report["documents"][0]["encoding"] == doc.encoding


@pytest.mark.parametrize("codec, bom", [("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE),
                                        ("utf-32-le", codecs.BOM_UTF32_LE)])
def test_utf16_and_utf32_with_bom(tmp_path, codec, bom):
    f = tmp_path / "wide.txt"
    f.write_bytes(bom + BODY.encode(codec))
    (doc,), skipped = items_of(f)
    assert skipped == [] and doc.text == BODY and "byte-order mark" in doc.encoding


def test_encoding_option(tmp_path):
    f = tmp_path / "latin.csv"
    f.write_bytes("id,text\n1,Caf\u00e9 au lait in Peshawar\n".encode("latin-1"))
    (doc,), _ = items_of(f, options=ReaderOptions(workers=1, encoding="latin-1"))
    assert doc.text == "Caf\u00e9 au lait in Peshawar" and doc.encoding == "iso8859-1 (--encoding)"
    _, (s,) = items_of(tmp_path / "latin.csv", options=ReaderOptions(workers=1, encoding="utf-8"))
    assert "not utf-8 text" in s.reason and "0xe9" in s.reason
    r = run("scan", f, "--encoding", "no-such-codec")
    assert r.exit_code == 2 and "unknown encoding" in r.stderr


def test_html_declared_charset(tmp_path):
    f = tmp_path / "old.html"
    f.write_bytes(PAGE.replace("charset='utf-8'", "charset='windows-1252'").replace("Tehran", "T\u00e9h\u00e9ran").encode("cp1252"))
    (doc,), _ = items_of(f)
    assert "T\u00e9h\u00e9ran" in doc.text and doc.encoding == "cp1252 (declared)"


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------
CRAWLED = parse_crawled("2024-01-19T06:00:00Z")


@pytest.mark.parametrize("value, expected", [
    ("2024-01-18", "2024-01-18"),
    ("2024-01-18T08:00:00Z", "2024-01-18T08:00:00+00:00"),
    ("2024-01-18T08:00:00+05:30", "2024-01-18T08:00:00+05:30"),
    ("2024-01-18 08:00", "2024-01-18T08:00:00"),
    ("Thu, 18 Jan 2024 08:00:00 GMT", "2024-01-18T08:00:00+00:00"),
    ("18 Jan 2024 08:00:00 +0100", "2024-01-18T08:00:00+01:00"),
    ("January 18, 2024", "2024-01-18"),
    ("Jan. 18, 2024", "2024-01-18"),
    ("18 January 2024", "2024-01-18"),
    ("January 15, 2008 - 11:16 AM", "2008-01-15T11:16:00"),
    ("Nov. 19, 2019 at 3:14 p.m. EST", "2019-11-19T15:14:00-05:00"),
    ("Jan 18 2024 10:30 PM PST", "2024-01-18T22:30:00-08:00"),
    ("Updated: 18 Jan 2024", "2024-01-18"),
    ("Tue 19 Nov 2019 10.32 GMT", "2019-11-19T10:32:00+00:00"),
    ("18 hours ago", "2024-01-18T12:00:00+00:00"),
    ("3 days ago", "2024-01-16"),
    ("yesterday", "2024-01-18"),
])
def test_date_formats(value, expected):
    assert parse_date(value, CRAWLED) == expected


@pytest.mark.parametrize("value", ["", "hello", "5", "March 2024", "2024", "18 hours ago (no crawl date)"])
def test_not_dates(value):
    assert parse_date(value) is None


def test_relative_date_needs_a_crawl_date():
    assert parse_date("18 hours ago") is None


@pytest.mark.parametrize("text, iso, source", [
    (" date 2024-01-18 Islamabad, Pakistan — Pakistan hit Iran", "2024-01-18", "dateline:date 2024-01-18"),
    ("Strikes in Iran\nJanuary 15, 2008 - 11:16 AM\nBody text follows here.", "2008-01-15T11:16:00",
     "dateline:January 15, 2008 - 11:16 AM"),
    ("Strikes\nBy Jane Doe | Updated: 18 Jan 2024\nBody.", "2024-01-18", "dateline:Updated: 18 Jan 2024"),
    ("Strikes\nPosted 18 hours ago\nBody.", "2024-01-18T12:00:00+00:00", "relative:Posted 18 hours ago"),
    ("Strikes\nBy Jane Doe, January 15, 2008\nBody.", "2008-01-15", "dateline:January 15, 2008"),
    ("Strikes\nStory by Jane Doe on January 15, 2008\nBody.", "2008-01-15", "dateline:on January 15, 2008"),
    ("Entermedia\n기사입력 :[ 2018-08-25 15:24 ]\nBody.", "2018-08-25T15:24:00", "dateline:[ 2018-08-25 15:24"),
])
def test_datelines(text, iso, source):
    assert find_dateline(text, CRAWLED) == (iso, source)


@pytest.mark.parametrize("text", [
    "As of 29 November 2018, thirty artworks will light up the city\nThe festival opens on Thursday.",
    "Strikes planned for January 15, 2008 were called off\nBody.",
])
def test_a_date_inside_a_headline_is_no_dateline(text):
    """A short line that mentions a date in a sentence (a headline) is not the article's date stamp."""
    assert find_dateline(text, CRAWLED) is None


def test_no_dateline_past_the_first_lines():
    text = "\n".join(f"Paragraph {i} of the story." for i in range(8)) + "\nJanuary 15, 2008\n"
    assert find_dateline(text) is None


def test_dateline_in_text_and_crawled_field_resolve_a_relative_date(tmp_path):
    f = tmp_path / "feed.jsonl"
    f.write_text(json.dumps({"id": "a", "text": "18 hours ago\n" + BODY, "crawled": "2024-01-19T06:00:00Z"}) + "\n",
                 encoding="utf-8")
    (doc,), _ = items_of(f)
    assert (doc.published, doc.date_source, doc.crawled) == (
        "2024-01-18T12:00:00+00:00", "relative:18 hours ago", "2024-01-19T06:00:00+00:00")


def test_front_matter_dates_are_normalised(tmp_path):
    f = tmp_path / "a.md"
    f.write_text("---\ntitle: T\ndate: Thu, 18 Jan 2024 08:00:00 GMT\ncategory: world\n---\n" + BODY, encoding="utf-8")
    (doc,), _ = items_of(f)
    assert (doc.published, doc.date_source, doc.meta) == ("2024-01-18T08:00:00+00:00", "front-matter:date",
                                                          {"category": "world"})


def test_report_says_where_each_date_came_from(tmp_path):
    (tmp_path / "a.txt").write_text("January 15, 2008 - 11:16 AM\n" + BODY, encoding="utf-8")
    (tmp_path / "b.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "c.txt").write_text(BODY, encoding="utf-8")
    docs = {d["id"]: d for d in scan_json(tmp_path)["documents"]}
    assert (docs["a"]["published"], docs["a"]["date_source"]) == ("2008-01-15T11:16:00", "dateline:January 15, 2008 - 11:16 AM")
    assert (docs["b"]["published"], docs["b"]["date_source"]) == ("2024-01-18T08:00:00+05:00",
                                                                  "html-meta:article:published_time")
    assert (docs["c"]["published"], docs["c"]["date_source"]) == (None, None)


# ---------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------
def test_html_page_main_text_metadata_and_paragraphs(tmp_path):
    f = tmp_path / "strikes.html"
    f.write_text(PAGE, encoding="utf-8")
    (doc,), skipped = items_of(f)
    assert skipped == []
    assert (doc.id, doc.title, doc.outlet, doc.url) == ("strikes", "Strikes in Iran", "Dawn", "https://www.dawn.test/news/strikes")
    assert doc.meta["language"] == "en"
    assert "Home" not in doc.text and "Copyright" not in doc.text
    assert [p.text[:20] for p in paragraphs_of(doc)] == [
        "Strikes in Iran", "Pakistan struck what", "The foreign ministry", "Officials in Tehran "]


def test_html_without_article_text_is_skipped(tmp_path):
    f = tmp_path / "empty.html"
    f.write_text("<html><head><title>x</title></head><body><div></div></body></html>", encoding="utf-8")
    docs, (s,) = items_of(f)
    assert docs == [] and s.source == str(f) and "no article text" in s.reason


@pytest.fixture(scope="module")
def html_folder_docs() -> list[Document]:
    docs, skipped = items_of(HTML_DIR, options=ReaderOptions(workers=2))
    assert skipped == []
    return docs


@pytest.mark.slow
def test_the_181_real_pages_are_read_with_dates_and_outlets(html_folder_docs):
    docs = html_folder_docs
    assert len(docs) == 181 and len({d.id for d in docs}) == 181
    assert sum(1 for d in docs if d.published) >= 170
    assert sum(1 for d in docs if outlet_of(d)) >= 170
    assert all(len(paragraphs_of(d)) >= 1 for d in docs)
    truth = json.loads((BENCH / "ground-truth.json").read_text(encoding="utf-8"))
    assert {d.id for d in docs} == set(truth)  # the stem of <hash>.html.gz


def test_worker_pool_gives_the_same_documents():
    some = sorted(HTML_DIR.iterdir())[:12]
    pooled, _ = items_of(*some, options=ReaderOptions(workers=2, pool_min=1))
    serial, _ = items_of(*some, options=ReaderOptions(workers=1))
    assert len(serial) == 12 and pooled == serial


def test_no_network_access(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    pages = sorted(HTML_DIR.iterdir())[:5]
    warc = tmp_path / "five.warc"
    warc.write_bytes(_warc_bytes([(f"https://example.test/{p.name}", gzip.decompress(p.read_bytes())) for p in pages]))
    (tmp_path / "url.html").write_text("https://example.test/fetch-me", encoding="utf-8")  # a bare URL is not fetched
    docs, skipped = items_of(*pages, warc, tmp_path / "url.html", options=ReaderOptions(workers=1))
    assert len(docs) == 10 and [s.source for s in skipped] == [str(tmp_path / "url.html")]


# ---------------------------------------------------------------------------
# WARC
# ---------------------------------------------------------------------------
@pytest.mark.slow
def test_warc_of_the_181_pages_gives_the_same_documents_as_the_folder(tmp_path, html_folder_docs):
    truth = json.loads((BENCH / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for p in sorted(HTML_DIR.iterdir()):
        key = p.name.split(".")[0]
        pages.append((truth[key].get("url") or f"https://example.test/{key}", gzip.decompress(p.read_bytes())))
    warc = tmp_path / "crawl.warc.gz"
    warc.write_bytes(gzip.compress(_warc_bytes(pages)))
    docs, skipped = items_of(warc, options=ReaderOptions(workers=2))
    assert skipped == [] and len(docs) == 181
    assert [d.id for d in docs] == [u for u, _ in pages]  # id = target URI
    assert all(d.crawled == "2024-01-19T06:00:00+00:00" and d.source == f"{warc}#{d.id}" for d in docs)
    assert all(d.url == d.id for d in docs)  # the target URI (a different canonical URL is in meta)
    key = lambda d: (d.text, d.title, d.published, d.date_source, d.meta and d.meta.get("language"))  # noqa: E731
    assert [key(d) for d in docs] == [key(d) for d in html_folder_docs]
    assert sum(1 for d in docs if outlet_of(d)) == 181  # every page has its URL host at least


def test_warc_record_kinds(tmp_path):
    from warcio.statusandheaders import StatusAndHeaders

    def request(w):
        w.write_record(w.create_warc_record("https://a.test/x", "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n")))

    def image(w):
        h = StatusAndHeaders("200 OK", [("Content-Type", "image/jpeg")], protocol="HTTP/1.1")
        w.write_record(w.create_warc_record("https://a.test/i.jpg", "response", payload=io.BytesIO(b"\xff\xd8" * 1000),
                                            http_headers=h))

    def not_found(w):
        h = StatusAndHeaders("404 Not Found", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        w.write_record(w.create_warc_record("https://a.test/404", "response", payload=io.BytesIO(PAGE.encode()),
                                            http_headers=h))

    def text_resource(w):
        w.write_record(w.create_warc_record(
            "https://a.test/story.txt", "resource", payload=io.BytesIO(("Updated: 18 Jan 2024\n" + BODY).encode()),
            warc_content_type="text/plain", warc_headers_dict={"WARC-Date": "2024-01-19T06:00:00Z"}))

    def conversion(w):
        w.write_record(w.create_warc_record(
            "https://a.test/conv", "conversion", payload=io.BytesIO(BODY.encode()), warc_content_type="text/plain"))

    f = tmp_path / "mixed.warc"
    f.write_bytes(_warc_bytes([("https://www.dawn.test/news/strikes", PAGE.encode())],
                              extra=[request, image, not_found, text_resource, conversion]))
    docs, skipped = items_of(f)
    assert skipped == []
    assert [d.id for d in docs] == ["https://www.dawn.test/news/strikes", "https://a.test/story.txt", "https://a.test/conv"]
    page, resource, _ = docs
    assert (page.outlet, page.published, page.crawled) == ("Dawn", "2024-01-18T08:00:00+05:00", "2024-01-19T06:00:00+00:00")
    assert (resource.published, resource.date_source) == ("2024-01-18", "dateline:Updated: 18 Jan 2024")


def test_warc_with_no_pages_exits_2_saying_why(tmp_path):
    from warcio.statusandheaders import StatusAndHeaders

    def image(w):
        h = StatusAndHeaders("200 OK", [("Content-Type", "image/png")], protocol="HTTP/1.1")
        w.write_record(w.create_warc_record("https://a.test/i.png", "response", payload=io.BytesIO(b"\x89PNG" * 10),
                                            http_headers=h))

    f = tmp_path / "images.warc"
    f.write_bytes(_warc_bytes([], extra=[image]))
    r = run("scan", f, "--format", "json")
    assert r.exit_code == 2 and "0 documents" in r.stderr and "image/png" in r.stderr


def test_truncated_warc_keeps_the_pages_before_the_damage(tmp_path):
    pages = [gzip.decompress(p.read_bytes()) for p in sorted(HTML_DIR.iterdir())[:3]]
    data = _warc_bytes([(f"https://a.test/{i}", page) for i, page in enumerate(pages)])
    f = tmp_path / "cut.warc"
    f.write_bytes(data[: len(data) - len(pages[2]) // 2])  # the third record cut in half
    docs, skipped = items_of(f)
    assert [d.id for d in docs][:2] == ["https://a.test/0", "https://a.test/1"]
    assert len(docs) + len(skipped) == 3


# ---------------------------------------------------------------------------
# Ids
# ---------------------------------------------------------------------------
def test_page_bundles_are_distinct_documents(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("a", "b", "c"):
        p = tmp_path / "archive" / "posts" / name / "index.md"
        p.parent.mkdir(parents=True)
        p.write_text(f"Story {name}.\n" + BODY, encoding="utf-8")
    docs, skipped = items_of("archive")
    assert skipped == []
    assert [d.id for d in docs] == ["archive/posts/a/index", "archive/posts/b/index", "archive/posts/c/index"]
    assert [d.id for d in items_of("archive/posts/b/index.md")[0]] == ["archive/posts/b/index"]
    assert [d.id for d in items_of("./archive/posts/b/index.md")[0]] == ["archive/posts/b/index"]


def test_index_add_then_check_of_one_bundle_agree_on_its_id(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    story = ("Pakistan undertook a series of highly coordinated and specifically targeted precision military strikes "
             "against terrorist hideouts in the province, the foreign ministry said in a statement on Thursday.\n")
    for name in ("a", "b"):
        p = tmp_path / "archive" / "posts" / name / "index.md"
        p.parent.mkdir(parents=True)
        p.write_text(story if name == "b" else "Another story entirely, about the weather in Lahore this week.\n",
                     encoding="utf-8")
    assert run("index", "add", "archive/", "--index", ".syndetect/index", "--quiet").exit_code == 0
    # the pre-commit hook passes the file from the repo root: it is the indexed document, not a copy of it
    r = run("check", "archive/posts/b/index.md", "--index", ".syndetect/index")
    assert r.exit_code == 0, r.stdout + r.stderr
    copy = tmp_path / "incoming" / "copy.md"
    copy.parent.mkdir()
    copy.write_text(story, encoding="utf-8")
    r = run("check", "incoming/copy.md", "--index", ".syndetect/index")
    assert r.exit_code == 1 and "archive/posts/b/index" in r.stdout


def test_a_file_indexed_under_its_path_id_is_itself_when_checked_alone(tmp_path, monkeypatch):
    """Two files share a stem, so `index add` gives them path ids; `check` of one of them alone calls it by
    its stem, and must still know it is the indexed file (not a copy of it), while a copy elsewhere is caught."""
    monkeypatch.chdir(tmp_path)
    story = ("Pakistan undertook a series of highly coordinated and specifically targeted precision military strikes "
             "against terrorist hideouts in the province, the foreign ministry said in a statement on Thursday.\n")
    for month, text in (("01", story), ("02", "Another story entirely, about the weather in Lahore this week.\n")):
        p = tmp_path / "archive" / "2024" / month / "story.md"
        p.parent.mkdir(parents=True)
        p.write_text(text, encoding="utf-8")
    assert run("index", "add", "archive/", "--index", ".syndetect/index", "--quiet").exit_code == 0
    assert [d.id for d in items_of("archive/2024/01/story.md")[0]] == ["story"]  # alone: its stem
    r = run("check", "archive/2024/01/story.md", "--index", ".syndetect/index")
    assert r.exception is None and r.exit_code == 0, r.stdout + r.stderr
    copy = tmp_path / "incoming" / "story.md"
    copy.parent.mkdir()
    copy.write_text(story, encoding="utf-8")
    r = run("check", "incoming/story.md", "--index", ".syndetect/index")
    assert r.exit_code == 1 and "archive/2024/01/story" in r.stdout, r.stdout + r.stderr


def test_stems_shared_by_two_files_use_paths_and_suffix_twins_keep_suffixes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for rel in ("2024/01/story.md", "2024/02/story.md", "notes/n.md", "notes/n.txt", "unique.txt"):
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(BODY, encoding="utf-8")
    docs, skipped = items_of(".")
    assert skipped == []
    assert sorted(d.id for d in docs) == ["2024/01/story", "2024/02/story", "notes/n.md", "notes/n.txt", "unique"]


def test_ids_outside_the_working_directory_are_absolute(tmp_path, monkeypatch):
    (tmp_path / "in").mkdir()
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    p = tmp_path / "in" / "index.md"
    p.write_text(BODY, encoding="utf-8")
    assert path_id(str(p)) == str(tmp_path / "in" / "index")
    assert [d.id for d in items_of(p)[0]] == [str(tmp_path / "in" / "index")]


def test_seed_ids_are_file_stems():
    docs, _ = items_of(ROOT / "fixtures" / "seeds")
    assert [d.id for d in docs] == sorted(p.stem for p in (ROOT / "fixtures" / "seeds").glob("*.txt"))


def test_records_without_ids_are_file_id_and_line(tmp_path):
    f = tmp_path / "export.csv.gz"
    f.write_bytes(gzip.compress(b"headline,body\nOne,first story\nTwo,second story\n"))
    docs, _ = items_of(f)
    assert [(d.id, d.source) for d in docs] == [("export:2", f"{f}:2"), ("export:3", f"{f}:3")]


# ---------------------------------------------------------------------------
# Nothing read is an error; unreadable directories; non-regular files
# ---------------------------------------------------------------------------
def test_zero_documents_exit_2_naming_the_suffix(tmp_path):
    for i in range(3):
        (tmp_path / f"page{i}.pdf").write_bytes(b"%PDF-1.4")
    r = run("scan", tmp_path, "--format", "json")
    assert r.exit_code == 2
    assert "0 documents: 3 file(s) with suffix .pdf" in r.stderr and r.stdout == ""


def test_zero_documents_from_skipped_files_exit_2_with_the_reasons(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"")
    (tmp_path / "b.jsonl").write_text('{"id": 1}\n', encoding="utf-8")
    r = run("scan", tmp_path, "--format", "json")
    assert r.exit_code == 2 and "0 documents: 2 input(s) skipped" in r.stderr and "empty file" in r.stderr
    r = run("index", "add", tmp_path, "--index", tmp_path / "idx", "--quiet")
    assert r.exit_code == 2 and "0 documents" in r.stderr
    r = run("index", "add", tmp_path, "--index", tmp_path / "idx2", "--quiet", "--strict")
    assert r.exit_code == 2


def test_empty_directory_exit_2(tmp_path):
    r = run("scan", tmp_path, "--format", "json")
    assert r.exit_code == 2 and "no documents to read" in r.stderr


def test_unreadable_directory_is_listed_and_strict_exits_2(tmp_path, monkeypatch):
    (tmp_path / "ok.txt").write_text(BODY, encoding="utf-8")
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "x.txt").write_text(BODY, encoding="utf-8")
    real_scandir = os.scandir

    def scandir(path="."):
        if os.fspath(path) == str(locked):
            raise PermissionError(13, "Permission denied", str(locked))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    docs, skipped = items_of(tmp_path)
    assert [d.id for d in docs] == ["ok"]
    assert [(s.source, s.reason) for s in skipped] == [(str(locked), "cannot read directory: Permission denied")]
    report = json.loads(run("scan", tmp_path, "--format", "json").stdout)
    assert report["skipped"] == [{"source": str(locked), "line": None, "reason": "cannot read directory: Permission denied"}]
    assert run("scan", tmp_path, "--format", "json", "--strict").exit_code == 2


def test_fifo_is_not_read(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    (tmp_path / "ok.txt").write_text(BODY, encoding="utf-8")
    docs, skipped = items_of(tmp_path)
    assert [d.id for d in docs] == ["ok"] and "not a regular file" in skipped[0].reason


def test_source_from_bytes_reads_compressed_memory():
    src = Source.from_bytes(gzip.compress(BODY.encode()), "mem.txt.gz", "mem")
    assert src.compression == "gzip" and src.read_bytes() == BODY.encode()


@pytest.mark.slow
def test_syndetect_scan_of_the_html_folder(tmp_path):
    """The done-when command: `syndetect scan fixtures/article-extraction-benchmark/html`."""
    out = tmp_path / "report.json"
    r = run("scan", HTML_DIR, "-o", out, "--workers", "2", "--quiet")
    assert r.exit_code == 0, r.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    docs = report["documents"]
    assert len(docs) == 181 and report["skipped"] == []
    assert sum(1 for d in docs if d["published"]) >= 170
    assert sum(1 for d in docs if d["outlet"]) >= 170
    assert all(d["date_source"] for d in docs if d["published"])


def test_progress_is_counted_in_documents(tmp_path):
    for i in range(20):
        (tmp_path / f"s{i:02}.txt").write_text(BODY, encoding="utf-8")
    calls = []
    docs = [d for d in read_inputs([str(tmp_path)], options=ReaderOptions(workers=1),
                                   progress=lambda stage, done, total: calls.append((stage, done, total)))]
    assert len(docs) == 20
    assert calls == [("read", 8, None), ("read", 16, None), ("read", 20, 20)]


def test_jsonl_and_csv_are_streamed_and_a_break_costs_only_the_rest(tmp_path):
    lines = [json.dumps({"id": f"r{i}", "text": f"story number {i} " * 20}) for i in range(3000)]
    data = ("\n".join(lines) + "\n").encode()
    cut = tmp_path / "feed.jsonl.gz"
    cut.write_bytes(gzip.compress(data)[:-2000])  # truncated: the end of the stream is missing
    docs, skipped = items_of(cut)
    assert 0 < len(docs) < 3000 and [d.id for d in docs] == [f"r{i}" for i in range(len(docs))]
    (s,) = skipped
    assert s.source == str(cut) and "corrupt gzip data" in s.reason and "rest of the file" in s.reason
    bad = tmp_path / "late.csv"  # UTF-8 for the first 64 KiB, then a stray cp1252 byte
    bad.write_bytes(b"id,text\n" + b"".join(b"r%d,plain words here\n" % i for i in range(5000)) + b"r9,caf\xe9\n")
    docs, (s,) = items_of(bad)
    assert len(docs) == 5000 and s.line == 5002 and "not utf-8 text" in s.reason and "--encoding" in s.reason


def test_an_undecodable_jsonl_line_costs_only_itself(tmp_path):
    f = tmp_path / "feed.jsonl"
    good = [json.dumps({"id": f"r{i}", "text": "plain words " * 30}).encode() for i in range(4000)]
    good[3000] = b'{"id": "bad", "text": "caf\xe9"}'
    f.write_bytes(b"\n".join(good) + b"\n")
    docs, skipped = items_of(f)
    assert len(docs) == 3999 and "bad" not in {d.id for d in docs}
    assert [(s.line, "not utf-8 text" in s.reason) for s in skipped] == [(3001, True)]


def test_reading_under_spawn_equals_serial():
    """The readers' tasks run on the pipeline's executor under the spawn start method too."""
    from syndetect.pipeline.executors import ProcessExecutor
    from syndetect.readers.ids import assign_file_ids
    from syndetect.readers.inputs import Inputs

    some = [str(p) for p in sorted(HTML_DIR.iterdir())[:4]]
    serial = list(read_inputs(some, options=ReaderOptions(workers=1)))
    inputs = Inputs(some, options=ReaderOptions(workers=2))
    with ProcessExecutor(2, start_method="spawn") as executor:
        spawned = list(inputs._read_all(inputs._expand(), assign_file_ids(some), executor))
    assert len(serial) == 4 and spawned == serial
