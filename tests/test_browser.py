"""The HTML report in a real browser: Debian's headless Chromium (installed by
``.ci/run``) loads the seeds report; the page script must run without a
console message and show the statement cluster side by side and the
per-outlet table. Hostile input must not run. Screenshots are kept under
``test-artifacts/`` (gitignored).

Without chromium these tests are skipped, unless ``SYNDETECT_REQUIRE_BROWSER=1``
(set by ``.ci/run``): then they fail.
"""

from __future__ import annotations

import html.parser
import importlib.util
import os
import sys
from pathlib import Path

import pytest
from test_render import D000, D001, D003, D004, STATEMENT, scan_hostile, scan_seeds

from syndetect.render.html import html_bytes

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"


def _browser():
    spec = importlib.util.spec_from_file_location("_browser", ROOT / "benchmarks" / "_browser.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("_browser", mod)
    spec.loader.exec_module(mod)
    return mod


browser = _browser()


@pytest.fixture(scope="module")
def seeds():
    return scan_seeds()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    return scan_hostile(tmp_path_factory.mktemp("hostile"))


@pytest.fixture(scope="module", autouse=True)
def need_chromium():
    if browser.chromium() is None:
        if os.environ.get("SYNDETECT_REQUIRE_BROWSER") == "1":
            pytest.fail("chromium is not installed (SYNDETECT_REQUIRE_BROWSER=1)")
        pytest.skip("chromium is not installed")


class _Dom(html.parser.HTMLParser):
    """Elements with classes and text, enough to query the dumped DOM."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[dict] = []
        self.nodes: list[dict] = []

    def handle_starttag(self, tag, attrs):
        node = {"tag": tag, "attrs": dict(attrs), "text": "", "children": []}
        if self.stack:
            self.stack[-1]["children"].append(node)
        self.nodes.append(node)
        if tag not in ("meta", "input", "br", "hr", "img", "link"):
            self.stack.append(node)

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()["tag"] == tag:
                break

    def handle_data(self, data):
        for node in self.stack:
            node["text"] += data


def dom_of(text: str) -> _Dom:
    d = _Dom()
    d.feed(text)
    return d


def classes(node) -> set[str]:
    return set((node["attrs"].get("class") or "").split())


def descendants(node):
    for c in node["children"]:
        yield c
        yield from descendants(c)


def open_page(report, name: str):
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.html"
    path.write_bytes(html_bytes(report))
    page = browser.dump_dom(path)
    return path, page, dom_of(page.dom)


def test_seeds_report_in_chromium(seeds):
    path, page, dom = open_page(seeds, "seeds-report")
    assert page.console == [], page.console  # no console error (nor any other message)
    body = next(n for n in dom.nodes if n["tag"] == "body")
    assert body["attrs"].get("data-ready") == "1"
    html_el = next(n for n in dom.nodes if n["tag"] == "html")
    assert "data-errors" not in html_el["attrs"]

    # the statement cluster comes first, its members side by side, the span highlighted in each
    clusters = [n for n in dom.nodes if n["tag"] == "article" and "cluster" in classes(n)]
    assert len(clusters) == 12
    first = clusters[0]
    grid = next(n for n in descendants(first) if "members" in classes(n))
    cards = [n for n in grid["children"] if "member" in classes(n)]
    assert {c["attrs"]["data-doc"] for c in cards} == {D000, D001, D003, D004}
    marked = [n for c in cards for n in descendants(c) if n["tag"] == "mark"]
    assert sum(STATEMENT in n["text"] for n in marked) == 4
    # differences against the reference version are marked (the longer quote in 001/004)
    assert any(n["tag"] == "ins" for c in cards for n in descendants(c))

    # the per-outlet table: a row per outlet with documents and reused share
    table = next(n for n in dom.nodes if n["attrs"].get("id") == "outlet-table")
    rows = [n for n in descendants(table) if n["tag"] == "tr"]
    cells = [[c["text"].strip() for c in r["children"]] for r in rows[1:]]
    assert [c[0] for c in cells] == ["(no outlet)", "Jaano Junction", "The Telegraph Online"]
    assert cells[1][1] == "1" and cells[1][3] == "30%"
    matrix = next(n for n in dom.nodes if n["attrs"].get("id") == "outlet-matrix")
    assert sum(1 for n in descendants(matrix) if n["tag"] == "td") == 9

    shot = ARTIFACTS / "seeds-report.png"
    browser.screenshot(path, shot, width=1400, height=1800)
    assert shot.stat().st_size > 20_000


def test_hostile_report_runs_no_input_in_chromium(hostile):
    path, page, dom = open_page(hostile, "hostile-report")
    assert page.console == [], page.console
    title = next(n for n in dom.nodes if n["tag"] == "title")
    assert title["text"] == "syndetect report"  # the payloads would set it to PWNED
    assert [n["attrs"] for n in dom.nodes if n["tag"] == "script"] == [
        {"type": "application/json", "id": "syndetect-data"}, {}]
    for n in dom.nodes:
        assert n["tag"] not in ("img", "iframe", "object", "embed")
        assert not any(k.startswith("on") for k in n["attrs"]), n
        href = n["attrs"].get("href")
        assert href is None or href.startswith(("#", "https://")), href
    body = next(n for n in dom.nodes if n["tag"] == "body")
    assert body["attrs"].get("data-ready") == "1"
    text = body["text"]
    assert "<script>document.title='PWNED'</script>" in text  # shown, as text
    links = [n["attrs"]["href"] for n in dom.nodes if n["tag"] == "a" and not n["attrs"]["href"].startswith("#")]
    assert links == ["https://example.org/a?b=%3Cc%3E&d"]  # the only http(s) URL is the only link
    rows = [n for n in dom.nodes if n["tag"] == "tr" and n["text"].strip().startswith(("__proto__", "javascript:"))]
    assert len(rows) == 2  # the documents table lists the documents with these ids, as text


def test_only_the_reports_own_script_may_run(seeds):
    """Defence in depth: the page's Content-Security-Policy names its script by hash,
    so even markup that got into the page could not run a script or a handler."""
    ARTIFACTS.mkdir(exist_ok=True)
    page = html_bytes(seeds).decode("utf-8")
    injected = page.replace(
        "<main>", "<main><script>document.title='PWNED'</script><img src=x onerror=\"document.title='PWNED'\">", 1)
    path = ARTIFACTS / "csp-check.html"
    path.write_text(injected, encoding="utf-8")
    result = browser.dump_dom(path)
    dom = dom_of(result.dom)
    assert next(n for n in dom.nodes if n["tag"] == "title")["text"] == "syndetect report"
    assert next(n for n in dom.nodes if n["tag"] == "body")["attrs"].get("data-ready") == "1"  # ours ran
    assert any("Content Security Policy" in line for line in result.console)  # the browser refused the others
