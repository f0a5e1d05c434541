"""Tests for the benchmark dataset preparation, measurement and scan scripts."""

from __future__ import annotations

import codecs
import gzip
import io
import json
import re
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
FIXTURE = ROOT / "fixtures" / "article-extraction-benchmark"
GROUND_TRUTH = FIXTURE / "ground-truth.json"
HTML_DIR = FIXTURE / "html"

sys.path.insert(0, str(BENCH))

import _measure  # noqa: E402
import prepare_datasets as pd  # noqa: E402
import scan_articles  # noqa: E402

pytest.importorskip("inscriptis")
pytest.importorskip("psutil")

WORD = re.compile(r"\w+")

# A few real pages: the first ones in sorted order, plus the page laid out
# with tables (thespacereview.com) and a Japanese page.
SAMPLE_PREFIXES = ("042bb7b5", "04a6711c", "05844573", "c00962aa", "f105de6e")


@pytest.fixture(scope="module")
def ground_truth() -> dict:
    return json.loads(GROUND_TRUTH.read_text(encoding="utf-8"))


def _read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _sample_files() -> list[Path]:
    files = [p for p in pd.list_html_files(HTML_DIR) if p.name.startswith(SAMPLE_PREFIXES)]
    assert len(files) == len(SAMPLE_PREFIXES)
    return files


# ---------------------------------------------------------------- bodies


def test_bodies_jsonl_matches_ground_truth(tmp_path, ground_truth):
    out = tmp_path / "bodies.jsonl"
    n = pd.bodies_to_jsonl(GROUND_TRUTH, out)
    rows = _read_jsonl(out)
    assert n == len(rows) == 181 == len(ground_truth)

    ids = [r["id"] for r in rows]
    assert len(set(ids)) == 181
    assert ids == sorted(ids)
    by_prefix = {h[:16]: v for h, v in ground_truth.items()}
    for r in rows:
        assert set(r) == {"id", "url", "outlet", "title", "published", "text"}
        assert re.fullmatch(r"[0-9a-f]{16}", r["id"])
        gt = by_prefix[r["id"]]
        assert r["text"].strip()
        assert r["text"] == gt["articleBody"]
        assert r["url"] == gt["url"]
        assert r["outlet"] and not r["outlet"].startswith("www.")
        assert r["outlet"] in r["url"]
        assert r["title"] is None and r["published"] is None


def test_bodies_jsonl_is_deterministic(tmp_path):
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    pd.bodies_to_jsonl(GROUND_TRUTH, a)
    pd.bodies_to_jsonl(GROUND_TRUTH, b)
    assert a.read_bytes() == b.read_bytes()


def test_outlet_from_url():
    assert pd.outlet_from_url("https://www.wsj.com/articles/x") == "wsj.com"
    assert pd.outlet_from_url("http://News.BBC.co.uk:80/a") == "news.bbc.co.uk"
    assert pd.outlet_from_url("https://wwwhat.com/") == "wwwhat.com"
    assert pd.outlet_from_url(None) is None


# ---------------------------------------------------------------- pages


def test_pages_keep_body_text_and_chrome(tmp_path, ground_truth):
    out = tmp_path / "pages.jsonl"
    log = io.StringIO()
    stats = pd.PageStats()
    n = pd.pages_to_jsonl(HTML_DIR, out, GROUND_TRUTH, files=_sample_files(), stats=stats, log=log)
    rows = _read_jsonl(out)
    assert n == len(rows) == len(SAMPLE_PREFIXES)
    assert stats.failed == [] and stats.converted == n

    by_prefix = {h[:16]: v for h, v in ground_truth.items()}
    for r in rows:
        gt = by_prefix[r["id"]]
        assert r["url"] == gt["url"]
        assert r["outlet"] == pd.outlet_from_url(gt["url"])
        body, page = gt["articleBody"], r["text"]

        body_words = set(WORD.findall(body.lower()))
        page_words = set(WORD.findall(page.lower()))
        coverage = len(body_words & page_words) / len(body_words)
        assert coverage > 0.6, (r["id"], coverage)

        body_lines = [ln for ln in body.splitlines() if ln.strip()]
        page_lines = [ln for ln in page.splitlines() if ln.strip()]
        assert len(page_lines) > len(body_lines), r["id"]  # chrome kept
        assert len(page) > len(body)

        # post-processing contract
        lines = page.split("\n")
        assert all(ln == ln.rstrip() for ln in lines)
        assert "\n\n\n\n" not in page
        assert all(any(ch.isalnum() for ch in ln) for ln in lines if ln.strip())
        assert "<div" not in page and "<script" not in page


def test_pages_keep_chrome_lines(tmp_path):
    """The WSJ page: its navigation/footer chrome is in the page text."""
    out = tmp_path / "pages.jsonl"
    pd.pages_to_jsonl(HTML_DIR, out, GROUND_TRUTH, files=[p for p in _sample_files() if p.name.startswith("042bb7b5")])
    (row,) = _read_jsonl(out)
    text = row["text"].lower()
    assert "subscribe" in text or "sign in" in text
    assert "gaming used to be so simple" in text


def test_layout_table_page_is_not_interleaved(tmp_path, ground_truth):
    """thespacereview.com puts the article in a layout table: paragraphs stay whole."""
    (path,) = [p for p in _sample_files() if p.name.startswith("c00962aa")]
    text, _ = pd.convert_page(path)
    body = ground_truth[pd.page_hash_from_path(path)]["articleBody"]
    paragraphs = [p.strip() for p in body.split("\n") if len(p.strip()) > 80]
    lines = set(text.splitlines())
    found = sum(p in lines for p in paragraphs)
    assert found / len(paragraphs) > 0.9
    assert not any(ln.startswith("|") for ln in lines)


def test_pages_limit_and_determinism(tmp_path):
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    assert pd.pages_to_jsonl(HTML_DIR, a, GROUND_TRUTH, limit=3) == 3
    pd.pages_to_jsonl(HTML_DIR, b, GROUND_TRUTH, limit=3)
    assert a.read_bytes() == b.read_bytes()
    ids = [r["id"] for r in _read_jsonl(a)]
    assert ids == sorted(p.name[:16] for p in pd.list_html_files(HTML_DIR)[:3])


def _gz(path: Path, data: bytes) -> None:
    with gzip.open(path, "wb") as fh:
        fh.write(data)


def test_bad_pages_are_reported_not_fatal(tmp_path):
    html = tmp_path / "html"
    html.mkdir()
    good = "a" * 64
    latin = "b" * 64
    broken = "c" * 64
    empty = "d" * 64
    _gz(html / f"{good}.html.gz", b"<html><body><nav>Home | News</nav><p>Hello world article.</p></body></html>")
    _gz(
        html / f"{latin}.html.gz",
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"></head>'
        "<body><p>Caf\u00e9 cr\u00e8me \u2013 \u20ac5</p></body></html>".encode("cp1252"),
    )
    (html / f"{broken}.html.gz").write_bytes(b"\x1f\x8b this is not gzip")
    _gz(html / f"{empty}.html.gz", b"<html><body><script>var x = 1;</script></body></html>")
    gt = tmp_path / "ground-truth.json"
    gt.write_text(json.dumps({
        good: {"articleBody": "Hello world article.", "url": "https://www.example.com/a"},
        latin: {"articleBody": "Caf\u00e9", "url": "https://example.org/b"},
    }))
    log = io.StringIO()
    stats = pd.PageStats()
    n = pd.pages_to_jsonl(html, tmp_path / "pages.jsonl", gt, stats=stats, log=log)
    rows = {r["id"]: r for r in _read_jsonl(tmp_path / "pages.jsonl")}
    assert n == 2 and set(rows) == {good[:16], latin[:16]}
    assert rows[good[:16]]["outlet"] == "example.com"
    assert rows[good[:16]]["text"] == "Home | News\n\nHello world article.\n"
    assert "Caf\u00e9 cr\u00e8me \u2013 \u20ac5" in rows[latin[:16]]["text"]
    messages = log.getvalue()
    assert broken in messages and "failed" in messages
    assert empty[:16] in messages
    assert [pid for pid, _ in stats.failed] == [broken[:16]]
    assert stats.empty == [empty[:16]]


@pytest.mark.parametrize(
    "raw, expected_text, expected_codec",
    [
        (b'<meta charset="windows-1252"><p>\x93quoted\x94</p>', "\u201cquoted\u201d", "cp1252"),
        (
            b"<meta http-equiv='content-type' content='text/html;charset=KOI8-R'><p>\xf0\xd2\xc9</p>",
            "\u041f\u0440\u0438",
            "koi8_r",
        ),
        (b'<?xml version="1.0" encoding="ISO-8859-2"?><p>\xb1</p>', "\u0105", "iso8859_2"),
        ("\ufeff<p>\u00e9t\u00e9</p>".encode("utf-16-le"), "\u00e9t\u00e9", "utf-16-le"),
        (b"\xef\xbb\xbf<p>\xc3\xa9</p>", "\u00e9", "utf-8"),
        (b'<meta charset="no-such-charset"><p>\xc3\xa9</p>', "\u00e9", "utf-8"),
        (b'<meta charset="utf-16"><p>\xc3\xa9</p>', "\u00e9", "utf-8"),
    ],
)
def test_decode_html(raw, expected_text, expected_codec):
    decoded = pd.decode_html(raw)
    assert expected_text in decoded.text
    assert decoded.encoding == codecs.lookup(expected_codec).name
    assert "\ufeff" not in decoded.text


def test_decode_invalid_utf8_is_replaced():
    decoded = pd.decode_html(b"<p>ok \xff\xfe bad</p>")
    assert decoded.encoding == "utf-8"
    assert "ok" in decoded.text and "\ufffd" in decoded.text
    assert decoded.replaced == 2 and decoded.notes


def test_clean_page_text():
    raw = (
        "  Title  \n\n\n\n\n\n  *  \n | \n\u00bb\nBody  text\u00a0\u00a0here   \n\n\n\n\n"
        "| a | | b |\n\u00a9 2019 Outlet\n\n"
    )
    cleaned = pd.clean_page_text(raw)
    assert cleaned == "Title\n\n\nBody text here\n\n\na | b\n\u00a9 2019 Outlet\n"
    assert pd.clean_page_text(raw, max_blank_lines=1) == "Title\n\nBody text here\n\na | b\n\u00a9 2019 Outlet\n"
    assert pd.clean_page_text(" \n ... \n") == ""


def test_html_to_text_block_structure():
    html = """<html><body>
      <nav><ul><li><a href="/">Home</a></li><li><a href="/w">World</a></li></ul></nav>
      <h1>Headline</h1><p>First <b>para</b>graph.</p><div>Second<br>line</div>
      <table><tr><th>Team</th><th>Pts</th></tr><tr><td>A</td><td>3</td></tr></table>
      <footer>&copy; 2020 Outlet &middot; <span>Privacy</span></footer>
      <script>var hidden = 1;</script><svg><text>icon</text></svg>
    </body></html>"""
    text = pd.clean_page_text(pd.html_to_text(html))
    lines = [ln for ln in text.splitlines() if ln]
    assert lines == ["Home", "World", "Headline", "First paragraph.", "Second", "line",
                     "Team | Pts", "A | 3", "\u00a9 2020 Outlet \u00b7 Privacy"]


def test_prepare_cli_writes_both_files_and_licence(tmp_path):
    out = tmp_path / "out"
    assert pd.main(["--out", str(out), "--limit", "2", "--summary-json", str(out / "s.json")]) == 0
    assert len(_read_jsonl(out / "bodies.jsonl")) == 181
    assert len(_read_jsonl(out / "pages.jsonl")) == 2
    assert (out / pd.LICENCE_COPY_NAME).read_text() == (FIXTURE / "LICENSE").read_text()
    summary = json.loads((out / "s.json").read_text())
    assert summary["pages"]["documents"] == 2 and summary["pages"]["failed"] == []


# ---------------------------------------------------------------- measuring


def test_run_measured_reports_child_peak_rss():
    code = "import time; x = bytes(range(256)) * (400 * 1024); time.sleep(0.3); print(len(x))"
    r = _measure.run_measured([sys.executable, "-c", code])
    assert r["returncode"] == 0
    assert r["stdout"].strip() == str(100 * 1024 * 1024)
    assert r["peak_rss_mb"] >= 90
    assert r["peak_rss_mb"] < 1000
    assert r["peak_rss_mb_psutil"] >= 90  # the polling saw it while it slept
    assert r["wall_s"] >= 0.3
    assert r["rss_samples"] >= 5


def test_run_measured_peak_of_a_child_too_short_to_sample():
    # no poll ever sees this child (the poller waits 60 s before its first sample but one);
    # its own high-water mark comes from wait4, so the peak is never 0
    code = "x = bytes(range(256)) * (200 * 1024); print(len(x))"
    r = _measure.run_measured([sys.executable, "-c", code], poll_interval=60.0)
    assert r["returncode"] == 0
    assert r["peak_rss_mb_wait4"] >= 45
    assert r["peak_rss_mb"] >= 45


def test_run_measured_failure_and_timeout():
    r = _measure.run_measured([sys.executable, "-c", "import sys; sys.stderr.write('boom'); sys.exit(3)"])
    assert r["returncode"] == 3 and r["stderr"] == "boom" and not r["timed_out"]
    r = _measure.run_measured([sys.executable, "-c", "import time; time.sleep(30)"], timeout=0.5)
    assert r["timed_out"] and r["returncode"] != 0 and r["wall_s"] < 10


def test_machine_info():
    info = _measure.machine_info()
    assert info["cpu_logical"] >= 1
    assert info["ram_gb"] > 0
    assert info["python"] == ".".join(map(str, sys.version_info[:3]))
    assert info["cpu_model"] and info["platform"]


# ---------------------------------------------------------------- scan_articles


STUB = textwrap.dedent(
    """
    import json, sys
    args = sys.argv[1:]
    assert args[0] == "scan" and "--quiet" in args and args[args.index("--format") + 1] == "json"
    src, out = args[1], args[args.index("-o") + 1]
    if "FAIL" in open(src).read():
        sys.stderr.write("Traceback: stub exploded\\n")
        sys.exit(2)
    docs, boiler, paras = [], [], {}
    for line in open(src):
        r = json.loads(line)
        ps = [p for p in r["text"].split("\\n") if p.strip()]
        docs.append({"id": r["id"], "source": src, "title": None, "outlet": r["outlet"],
                     "published": None, "paragraphs": len(ps), "reused_fraction": 0.0})
        for i, p in enumerate(ps):
            paras.setdefault(p, []).append({"doc": r["id"], "paragraph": i, "start": 0, "end": len(p), "text": p})
            if p.startswith("Share"):
                boiler.append({"doc": r["id"], "paragraph": i, "text": p, "category": "share", "reason": "stub"})
            if p.startswith("Sign up"):
                boiler.append({"doc": r["id"], "paragraph": i, "text": p, "category": "newsletter", "reason": "stub"})
    clusters = [{"id": n, "members": m} for n, m in enumerate(v for v in paras.values() if len(v) > 1)]
    json.dump({"documents": docs, "clusters": clusters, "boilerplate": boiler, "provenance": [],
               "parameters": {}, "version": "stub"}, open(out, "w"))
    """
)


def _write_inputs(out: Path, pages_extra: str = "") -> None:
    out.mkdir(parents=True, exist_ok=True)
    bodies = [
        {"id": "a" * 16, "url": "https://a.com/1", "outlet": "a.com", "title": None, "published": None,
         "text": "Share the load, said the minister.\nSecond paragraph."},
        {"id": "b" * 16, "url": "https://b.com/1", "outlet": "b.com", "title": None, "published": None,
         "text": "Second paragraph.\nThird one."},
    ]
    pages = [dict(r, text="Home\nShare this\nSign up now\n" + r["text"] + pages_extra) for r in bodies]
    for name, rows in (("bodies", bodies), ("pages", pages)):
        (out / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_scan_articles_with_stub_cli(tmp_path, capsys):
    stub = tmp_path / "stub.py"
    stub.write_text(STUB)
    out = tmp_path / "out"
    _write_inputs(out)
    rc = scan_articles.main(["--out", str(out), "--skip-prepare", "--syndetect", f"{sys.executable} {stub}"])
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    assert "| bodies | 2 | 4 | 1 | 1 |" in captured.out
    assert "| pages | 2 | 10 |" in captured.out

    result = json.loads((out / "articles.json").read_text())
    assert result["ok"] is True and result["machine"]["cpu_logical"] >= 1
    bodies, pages = result["runs"]
    assert bodies["summary"]["paragraphs"] == 4 and bodies["summary"]["clusters"] == 1
    assert bodies["content_flags"]["total"] == 1
    assert bodies["content_flags"]["by_category"] == {"share": 1}
    assert bodies["content_flags"]["examples"][0]["text"].startswith("Share the load")
    assert pages["summary"]["boilerplate_flags"] == 5
    assert pages["summary"]["clusters"] == 4  # Home, Share this, Sign up now, Second paragraph.
    assert [(t["category"], t["count"]) for t in pages["top_categories"]] == [("share", 3), ("newsletter", 2)]
    assert bodies["measure"]["peak_rss_mb"] > 0 and bodies["measure"]["wall_s"] > 0


def test_scan_articles_reports_cli_failure(tmp_path, capsys):
    stub = tmp_path / "stub.py"
    stub.write_text(STUB)
    out = tmp_path / "out"
    _write_inputs(out, pages_extra="\nFAIL")
    rc = scan_articles.main(["--out", str(out), "--skip-prepare", "--syndetect", f"{sys.executable} {stub}"])
    captured = capsys.readouterr()
    assert rc == 1
    assert "stub exploded" in captured.err
    assert "pages (FAILED)" in captured.out
    result = json.loads((out / "articles.json").read_text())
    assert result["ok"] is False
    assert result["runs"][0].get("error") is None
    assert "exit status 2" in result["runs"][1]["error"]
    assert "stub exploded" in result["runs"][1]["stderr_tail"]
