"""Renderers on the seeds and on hostile input: per-outlet figures, HTML
structure and escaping, CSV tables, Markdown, the terminal report at 80
columns, and the scan command's output options."""

from __future__ import annotations

import csv
import dataclasses
import html.parser
import io
import json
import os
import re
from collections import defaultdict
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from syndetect import Params, read_inputs, scan
from syndetect.cli.app import app
from syndetect.core.cluster import merge_ranges
from syndetect.render.csv import TABLES, write_csv
from syndetect.render.figures import outlet_figures, summary, top_clusters
from syndetect.render.html import html_bytes, html_payload, render_html, script_json
from syndetect.render.json import json_chunks, render_json, report_to_dict
from syndetect.render.markdown import render_markdown
from syndetect.render.text import render_text

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "fixtures" / "seeds"
D000, D001, D002, D003, D004 = (
    "000_b2a058ac03e6db85", "001_df5bf45f4cf73b0f", "002_e13c31d3710c05dd",
    "003_6b8fc7f63de2bbec", "004_4cf0f7c4e857d004",
)
STATEMENT = "This morning Pakistan undertook a series of highly coordinated"


def run(*args: str, env: dict | None = None):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "120", **(env or {})})


def scan_seeds():
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        return scan(read_inputs(["fixtures/seeds"]), Params(), workers=1)
    finally:
        os.chdir(cwd)


@pytest.fixture(scope="module")
def seeds():
    return scan_seeds()


# --- hostile input -----------------------------------------------------------
XSS = "<script>document.title='PWNED'</script>"
HOSTILE_ID = "\"><img src=x onerror=\"document.title='PWNED'\">"
HOSTILE_TITLE = "</script><script>document.title='PWNED'</script><!--"
HOSTILE_OUTLET = "<b onmouseover=\"document.title='PWNED'\">Evil & Co</b>"
HOSTILE_URL = "javascript:document.title='PWNED'"
SHARED = (
    "Officials said on Monday that the new bridge across the river would open to traffic next spring, "
    f"after {XSS} years of delays \u2028 and disputes over \u2029 funding between the city and the "
    "regional government, which had promised \x1b[31m the money in 2019 =HYPERLINK(\"http://x\") __proto__ \ud800."
)


def hostile_docs() -> list[dict]:
    return [
        {"id": HOSTILE_ID, "title": HOSTILE_TITLE, "outlet": HOSTILE_OUTLET, "url": HOSTILE_URL,
         "published": "2024-01-01", "text": f"{SHARED}\n\nA first paragraph of its own about nothing in particular."},
        {"id": "__proto__", "title": "=cmd|' /C calc'!A0", "outlet": "constructor", "url": "https://example.org/a?b=<c>&d",
         "published": "2024-01-02", "text": f"Another intro that is different from the first one.\n\n{SHARED}"},
        {"id": "javascript:alert(1)", "title": "\u202eevil", "outlet": HOSTILE_OUTLET, "url": "data:text/html,<script>x</script>",
         "published": "2024-01-03", "text": f"{SHARED}\n\nThird document, with {XSS} in its own text."},
    ]


def scan_hostile(directory: Path):
    path = directory / "feed.jsonl"
    path.write_text("\n".join(json.dumps(d) for d in hostile_docs()) + "\n", encoding="utf-8")
    report = scan(read_inputs([str(path)]), Params(), workers=1)
    assert report.clusters, "the hostile documents must share a cluster, or nothing is tested"
    return report


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    return scan_hostile(tmp_path_factory.mktemp("hostile"))


class _Collect(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def parse(doc: str) -> _Collect:
    p = _Collect()
    p.feed(doc)
    p.close()
    return p


# --- per-outlet figures ----------------------------------------------------------
def test_outlet_figures_on_the_seeds_match_an_independent_count(seeds):
    d = report_to_dict(seeds)
    outlets = {o["outlet"]: o for o in d["outlets"]}
    assert set(outlets) == {None, "Jaano Junction", "The Telegraph Online"}
    assert [o["outlet"] for o in d["outlets"]] == [None, "Jaano Junction", "The Telegraph Online"]  # most docs first
    assert outlets[None]["documents"] == 3 and outlets["Jaano Junction"]["documents"] == 1
    # reused characters: merged member spans per paragraph, counted here independently
    ranges = defaultdict(list)
    for c in d["clusters"]:
        for m in c["members"]:
            ranges[(m["doc"], m["paragraph"])].append((m["start"], m["end"]))
    covered = defaultdict(int)
    for (doc, _), rs in ranges.items():
        covered[doc] += sum(e - s for s, e in merge_ranges(rs))
    docs = {x["id"]: x for x in d["documents"]}
    for name, o in outlets.items():
        members = [x for x in d["documents"] if x["outlet"] == name]
        assert o["content_chars"] == sum(x["content_chars"] for x in members) > 0
        assert o["reused_chars"] == sum(covered[x["id"]] for x in members) > 0
        assert o["reused_fraction"] == round(o["reused_chars"] / o["content_chars"], 4)
        assert o["paragraphs"] == sum(x["paragraphs"] for x in members)
        assert o["boilerplate_paragraphs"] == sum(x["boilerplate_paragraphs"] for x in members)
    # a one-document outlet's share is its document's share
    assert outlets["Jaano Junction"]["reused_fraction"] == pytest.approx(docs[D004]["reused_fraction"], abs=1e-4)
    # 004 (Jaano Junction) shares the India Today paragraphs with 001 (no outlet); 004 credits India Today
    row = {x["outlet"]: x for x in outlets["Jaano Junction"]["shared_with"]}
    assert row[None]["chars"] > 0 and "The Telegraph Online" in row
    assert {"outlet": "external:India Today", "links": 1} in outlets["Jaano Junction"]["from"]
    # the statement cluster joins all three outlets: the unknown-outlet docs share among themselves too
    assert any(x["outlet"] is None for x in outlets[None]["shared_with"])
    assert sum(o["documents"] for o in d["outlets"]) == len(d["documents"])
    s = summary(seeds)
    assert s.reused_chars == sum(covered.values())
    assert s.outlets == 2 and s.documents == 5 and s.clusters == len(d["clusters"])


def test_top_clusters_put_the_statement_cluster_first(seeds):
    first = top_clusters(seeds.clusters)[0]
    assert set(first.docs) == {D000, D001, D003, D004}
    assert any(STATEMENT in m.text for m in first.members)


# --- HTML ------------------------------------------------------------------------
SECTIONS = ["summary", "outlets", "matrix", "documents", "provenance", "clusters", "boilerplate", "skipped"]


def test_html_structure_on_the_seeds(seeds):
    doc = render_html(seeds)
    assert doc.startswith("<!DOCTYPE html>")
    p = parse(doc)
    ids = [a["id"] for t, a in p.tags if t == "section"]
    assert ids == SECTIONS
    element_ids = {a.get("id") for _, a in p.tags}
    for needed in ("outlet-table", "outlet-matrix", "doc-table", "prov-tree", "cluster-list", "bp-list",
                   "f-outlet", "f-words", "f-basis", "syndetect-data"):
        assert needed in element_ids
    # self-contained: no external resource, no inline handler, two scripts (data + code)
    for tag, attrs in p.tags:
        assert "src" not in attrs, (tag, attrs)
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)
        if "href" in attrs:
            assert attrs["href"].startswith("#"), attrs
        assert tag not in ("link", "iframe", "object", "embed", "img")
    scripts = [a for t, a in p.tags if t == "script"]
    assert scripts == [{"type": "application/json", "id": "syndetect-data"}, {}]
    data = json.loads(p.scripts[0])
    assert data == json.loads(json.dumps(html_payload(seeds)))
    assert [c["id"] for c in data["clusters"]] == [c.id for c in top_clusters(seeds.clusters)]
    first = data["clusters"][0]
    assert {data["docs"][m[0]]["id"] for m in first["m"]} == {D000, D001, D003, D004}
    # each member paragraph is stored once; members point into it by offsets
    for c, orig in zip(data["clusters"], top_clusters(seeds.clusters)):
        for m, om in zip(c["m"], orig.members):
            text = data["contexts"][m[4]] if isinstance(m[4], int) else m[4]
            assert (text[m[2]:m[3]] if isinstance(m[4], int) else text) == om.text
    assert len(data["contexts"]) == len({(m.doc, m.paragraph) for c in seeds.clusters for m in c.members})
    assert [o["outlet"] for o in data["outlets"]] == [None, "Jaano Junction", "The Telegraph Online"]
    assert len(data["boilerplate"]) == len(seeds.boilerplate)


def test_script_json_cannot_close_its_block():
    s = script_json({"k": "</script><!-- & \u2028\u2029 >"})
    assert not set(s) & {"<", ">", "&", "\u2028", "\u2029"}
    assert json.loads(s) == {"k": "</script><!-- & \u2028\u2029 >"}


def test_hostile_input_is_data_in_the_html(hostile):
    doc = html_bytes(hostile).decode("utf-8")
    p = parse(doc)
    assert [a for t, a in p.tags if t == "script"] == [{"type": "application/json", "id": "syndetect-data"}, {}]
    assert not [t for t, _ in p.tags if t in ("img", "b", "iframe")]
    for _, attrs in p.tags:
        assert not any(k.startswith("on") for k in attrs)
        assert not any("javascript:" in (v or "") for v in attrs.values())
    json_block = p.scripts[0]
    assert not set(json_block) & {"<", ">", "&", "\u2028", "\u2029"}
    data = json.loads(json_block)
    assert {d["id"] for d in data["docs"]} == {d["id"] for d in hostile_docs()}
    assert {d["url"] for d in data["docs"]} == {d["url"] for d in hostile_docs()}
    assert any(XSS in t for t in data["contexts"])
    # nothing from the input appears outside the data block
    outside = doc.replace(json_block, "")
    for needle in ("PWNED", "onerror", "Evil", "__proto__", "HYPERLINK"):
        assert needle not in outside
    # the page code never parses strings as markup
    code = p.scripts[1]
    assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function", code)


def test_lone_surrogate_becomes_a_replacement_character():
    raw = script_json({"id": "x\ud800y"}).encode("utf-8")  # strict: no surrogate left
    assert json.loads(raw.decode("utf-8")) == {"id": "x\ufffdy"}


# --- CSV ---------------------------------------------------------------------
def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_csv_tables_on_the_seeds(seeds, tmp_path):
    files = write_csv(seeds, tmp_path / "t")
    assert sorted(f.name for f in files) == sorted(f"{n}.csv" for n in TABLES)
    for name, columns in TABLES.items():
        with (tmp_path / "t" / f"{name}.csv").open(encoding="utf-8", newline="") as f:
            assert tuple(next(csv.reader(f))) == columns
    d = report_to_dict(seeds)
    docs = read_csv(tmp_path / "t" / "documents.csv")
    assert [r["id"] for r in docs] == [x["id"] for x in d["documents"]]
    assert [float(r["reused_fraction"]) for r in docs] == [x["reused_fraction"] for x in d["documents"]]
    members = read_csv(tmp_path / "t" / "clusters.csv")
    assert len(members) == sum(len(c["members"]) for c in d["clusters"])
    by_id = {c["id"]: c for c in d["clusters"]}
    for r in members:
        c = by_id[r["cluster"]]
        assert int(r["documents"]) == len(c["documents"]) and int(r["words"]) == c["words"]
        assert any(m["doc"] == r["doc"] and m["start"] == int(r["start"]) and m["text"] == r["text"] for m in c["members"])
    outlets = read_csv(tmp_path / "t" / "outlets.csv")
    assert [(r["outlet"] or None, int(r["documents"]), float(r["reused_fraction"])) for r in outlets] == [
        (o["outlet"], o["documents"], o["reused_fraction"]) for o in d["outlets"]
    ]
    assert len(read_csv(tmp_path / "t" / "pairs.csv")) == len(d["pairs"])
    assert len(read_csv(tmp_path / "t" / "boilerplate.csv")) == len(d["boilerplate"])
    prov = read_csv(tmp_path / "t" / "provenance.csv")
    assert [(r["source"], r["copy"], r["basis"]) for r in prov] == [(e["source"], e["copy"], e["basis"]) for e in d["provenance"]]
    matrix = read_csv(tmp_path / "t" / "outlet_matrix.csv")
    assert len(matrix) == sum(len(o["shared_with"]) for o in d["outlets"])


def test_csv_quotes_hostile_cells_and_defuses_formulas(hostile, tmp_path):
    write_csv(hostile, tmp_path)
    docs = {r["url"]: r for r in read_csv(tmp_path / "documents.csv")}
    assert set(docs) == {d["url"] for d in hostile_docs()}
    assert docs["https://example.org/a?b=<c>&d"]["title"] == "'=cmd|' /C calc'!A0"  # not a formula
    texts = [r["text"] for r in read_csv(tmp_path / "clusters.csv")]
    assert any(XSS in t and "\u2028" in t for t in texts)  # the raw text, quoted, round-trips
    assert {r["id"] for r in read_csv(tmp_path / "documents.csv")} == {d["id"] for d in hostile_docs()}


def test_parquet_tables_when_pyarrow_is_installed(seeds, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    write_csv(seeds, tmp_path, parquet=True)
    t = pq.read_table(tmp_path / "outlets.parquet")
    assert tuple(t.column_names) == TABLES["outlets"]
    assert t.column("documents").to_pylist() == [o.documents for o in outlet_figures(seeds)]


# --- Markdown and terminal ----------------------------------------------------------
def test_markdown_has_outlets_and_escapes_hostile_input(seeds, hostile):
    md = render_markdown(seeds)
    assert "## Outlets" in md
    assert "| Jaano Junction | 1 | 25 | 30% |" in md
    h = render_markdown(hostile)
    assert "\x1b" not in h and "\u202e" not in h
    assert "`` \"><img src=x onerror=" in h or "`\"><img src=x onerror=" in h  # ids: code spans, literal in Markdown
    prose = re.sub(r"(`+).*?\1", "", h)  # outside code spans nothing may open a tag
    assert "<script" not in prose and "<img" not in prose and "<b " not in prose
    assert "&lt;script>" in h
    assert "](javascript" not in h


def render(report, width=80, top=10) -> str:
    console = Console(width=width, record=True, file=io.StringIO(), highlight=False, color_system=None)
    render_text(report, console, top=top)
    return console.export_text()


def test_terminal_report_at_80_columns(seeds):
    out = render(seeds)
    lines = out.splitlines()
    assert max(len(x) for x in lines) <= 80
    assert lines[0].startswith("5 documents, 12 clusters")  # summary first (and last)
    assert out.rstrip().rsplit("\n\n", 1)[-1].startswith(lines[0])
    header = next(x for x in lines if x.startswith("id "))
    assert "outlet" in header and "reused" in header and "likely upstream" in header
    for doc in (D000, D001, D002, D003, D004):  # each id on one line with its figures
        row = next(x for x in lines if doc in x and "%" in x)
        assert re.search(r"\d+%", row)
    assert "Outlets" in out and "Jaano Junction" in out


def test_terminal_report_scales_with_top(seeds):
    many = dataclasses.replace(seeds, clusters=tuple(
        dataclasses.replace(c, id=f"C{i}") for i, c in enumerate(list(seeds.clusters) * 40, 1)))
    short = render(many, top=10)
    full = render(many, top=None)
    assert len(short.splitlines()) < 400 < len(full.splitlines())
    assert f"{len(many.clusters) - 10:,} more clusters" in short
    ids = set(re.findall(r"─ (C\d+):", full))
    assert ids == {c.id for c in many.clusters}


def test_terminal_report_neutralises_control_characters(hostile):
    out = render(hostile, width=100)
    assert "\x1b" not in out and "\u202e" not in out
    assert XSS in out  # shown as text


# --- the scan command's outputs -----------------------------------------------------------
def test_scan_o_html_writes_html_and_says_so(tmp_path):
    out = tmp_path / "r.html"
    result = run("scan", str(SEEDS), "-o", str(out))
    assert result.exception is None and result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"<!DOCTYPE html>")
    assert re.search(r"wrote .*r\.html \(\d+\.\d KB\)", result.stderr)
    assert result.stdout == ""


@pytest.mark.parametrize("args, message", [
    (["-o", "{tmp}/r.csv"], "CSV output is a directory"),
    (["-o", "{tmp}/r.xlsx"], "cannot tell the format"),
    (["-f", "csv"], "give a directory with -o DIR"),
    (["-f", "json", "--parquet", "-o", "{tmp}/r.json"], "--parquet goes with --format csv"),
])
def test_scan_refuses_outputs_it_cannot_write(tmp_path, args, message):
    result = run("scan", str(SEEDS), *[a.format(tmp=tmp_path) for a in args])
    assert isinstance(result.exception, SystemExit) and result.exit_code == 2
    assert message in result.stderr
    assert list(tmp_path.iterdir()) == []  # nothing written, in particular no text report


def test_scan_csv_into_a_directory(tmp_path):
    result = run("scan", str(SEEDS), "-f", "csv", "-o", str(tmp_path / "tables"))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "tables").iterdir()) == sorted(f"{n}.csv" for n in TABLES)
    assert "wrote 7 files to" in result.stderr
    # an existing directory as -o means csv, and so does a new one written with a trailing slash
    result = run("scan", str(SEEDS), "-o", str(tmp_path / "tables"))
    assert result.exit_code == 0 and "wrote 7 files" in result.stderr
    result = run("scan", str(SEEDS), "-o", str(tmp_path / "new") + "/")
    assert result.exit_code == 0 and (tmp_path / "new" / "clusters.csv").is_file()


def test_explicit_text_format_into_a_pipe_keeps_colour_unless_told_not_to():
    coloured = run("scan", str(SEEDS), "-f", "text", "--top", "2")
    assert coloured.exit_code == 0 and "\x1b[" in coloured.stdout
    plain = run("scan", str(SEEDS), "-f", "text", "--no-color")
    assert plain.exit_code == 0 and "\x1b[" not in plain.stdout
    assert run("scan", str(SEEDS)).stdout.startswith("{")  # no format asked for, not a terminal: JSON


def test_top_and_all(tmp_path):
    top1 = run("scan", str(SEEDS), "-f", "text", "--no-color", "--top", "1").stdout
    assert "11 more clusters" in top1 and "4 more documents" in top1
    everything = run("scan", str(SEEDS), "-f", "text", "--no-color", "--all").stdout
    assert "more clusters" not in everything and all(f"C{i}:" in everything for i in range(1, 13))
    md = run("scan", str(SEEDS), "-f", "markdown", "--top", "2").stdout
    assert md.count("\n### C") == 2


def test_verbose_prints_stage_times_and_version_flag():
    result = run("scan", str(SEEDS), "-v", "-f", "json")
    assert result.exit_code == 0 and re.search(r"verify\s+\d+\.\d\d s", result.stderr)
    v = run("-V")
    assert v.exit_code == 0 and v.stdout.startswith("syndetect ")


@pytest.mark.parametrize("command", [[], ["scan"], ["check"], ["index"], ["index", "add"], ["index", "stats"]])
def test_help_has_examples_and_clean_metavars(command):
    result = run(*command, "--help")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Examples" in out and "syndetect " in out.split("Examples", 1)[1]
    assert not re.search(r"<(bool|int|float|str|path|list\[[^\]]*\]|text\|[^>]*)>", out), out


def test_progress_has_a_counted_line_per_stage():
    from syndetect.cli.progress import StageProgress

    buf = io.StringIO()
    console = Console(file=buf, force_terminal=True, width=100, color_system=None)
    p = StageProgress(console)
    p.start()
    assert sum(1 for _ in p.counted(range(1234), "read")) == 1234
    for done in (500, 1000, 1234):
        p.update("boilerplate", done, 1234)
    p.update("signatures", 10, 40)
    p.update("signatures", 40, 40)
    p.update("verify", 7, 7)
    p.begin("write", "writing r.html")
    p.stop()
    final = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", buf.getvalue()).split("\r")[-1]
    lines = [x for x in final.splitlines() if x.strip()][-6:]
    assert [re.split(r"\s{2,}|━", x)[0] for x in lines] == [
        "✓ documents read", "✓ documents checked for boilerplate", "✓ units signed", "✓ pairs verified",
        "✓ clusters and provenance", "✓ writing r.html"]
    assert "1,234/1,234" in lines[0] and "1,234/1,234" in lines[1] and "40/40" in lines[2] and "7/7" in lines[3]
    assert all(re.search(r"\d+\.\d s", x) for x in lines)


@pytest.mark.parametrize("pretty", [False, True])
@pytest.mark.parametrize("slice_items", [1, 2, 3, 2000])
def test_json_chunks_join_to_the_rendered_report(seeds, tmp_path, pretty, slice_items):
    """The report written in pieces is the report rendered whole, lone surrogates, empty lists and all."""
    hostile = scan_hostile(tmp_path)
    for report in (seeds, hostile, dataclasses.replace(seeds, pairs=(), provenance=())):
        for timings in (False, True):
            whole = render_json(report, timings=timings, pretty=pretty)
            pieces = list(json_chunks(report, timings=timings, pretty=pretty, slice_items=slice_items))
            assert "".join(pieces) == whole
            if not pretty and slice_items == 1:
                assert len(pieces) > len(report.clusters)  # a list item a piece: never the whole text at once


def test_scan_o_json_in_pieces_is_byte_identical_and_valid_utf8(tmp_path):
    hostile = scan_hostile(tmp_path)
    out = tmp_path / "r.json"
    res = run("scan", str(tmp_path / "feed.jsonl"), "--format", "json", "-o", str(out))
    assert res.exit_code == 0, res.output
    raw = out.read_bytes()
    raw.decode("utf-8")  # strict: the lone surrogate was escaped
    assert raw == render_json(hostile, pretty=True).replace("\ud800", "\\ud800").encode("utf-8")
    assert not (tmp_path / "r.json.tmp").exists()


def test_compact_json_is_the_same_data_as_json_dumps(seeds):
    """The compact encoder (msgspec, or json.dumps where a lone surrogate is in the text) writes the
    same data json.dumps writes, with no spaces after the separators."""
    from syndetect.render.json import _compact

    data = report_to_dict(seeds)
    text = _compact(data)
    assert json.loads(text) == json.loads(json.dumps(data, ensure_ascii=False))
    assert text == json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    hostile = {"text": "a\ud800b", "n": [1, 2.5, None, True]}
    assert _compact(hostile) == '{"text":"a\ud800b","n":[1,2.5,null,true]}'
