#!/usr/bin/env python3
"""Turn the article-extraction-benchmark fixture into syndetect JSONL inputs.

Two datasets are produced from ``fixtures/article-extraction-benchmark``
(MIT licence, see the LICENSE file next to the data):

``bodies.jsonl``
    The clean article bodies from ``ground-truth.json`` (one document per
    page).  Every paragraph here is real article prose, so anything syndetect
    flags as boilerplate in this file is a false positive ("content flag").

``pages.jsonl``
    The whole-page text of every HTML page, *keeping* the page chrome
    (navigation, footers, share bars, newsletter prompts, related links...),
    converted with ``inscriptis``.  This is what a naive crawler would feed the
    tool, and where the boilerplate detector has real work to do.

Each JSONL line is an object
``{"id", "url", "outlet", "title", "published", "text"}`` where ``id`` is the
first 16 hex characters of the page hash, ``outlet`` is the URL host without a
leading ``www.`` and ``title``/``published`` are ``null``.  Lines are sorted by
id, so the output is byte-for-byte deterministic.

Usage::

    python benchmarks/prepare_datasets.py --out benchmarks/out [--limit N]
                                          [--summary-json FILE]
"""

from __future__ import annotations

import argparse
import codecs
import gzip
import json
import re
import shutil
import sys
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURE_DIR = REPO_ROOT / "fixtures" / "article-extraction-benchmark"
DEFAULT_GROUND_TRUTH = FIXTURE_DIR / "ground-truth.json"
DEFAULT_HTML_DIR = FIXTURE_DIR / "html"

ID_LEN = 16
HTML_SUFFIXES = (".html.gz", ".htm.gz", ".html", ".htm")


# --------------------------------------------------------------------------
# shared helpers
# --------------------------------------------------------------------------


def doc_id(page_hash: str) -> str:
    """Document id: the first 16 hex characters of the page hash."""
    return page_hash[:ID_LEN]


def outlet_from_url(url: str | None) -> str | None:
    """URL host, lower-cased, without a leading ``www.``; None if unknown."""
    if not url:
        return None
    host = urlsplit(url).hostname
    if not host:
        return None
    host = host.lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    return host or None


def load_ground_truth(ground_truth_path: str | Path) -> dict[str, dict]:
    with open(ground_truth_path, encoding="utf-8") as fh:
        data = json.load(fh)
    if not isinstance(data, dict):
        raise ValueError(f"{ground_truth_path}: expected a JSON object keyed by page hash")
    return data


def _record(page_hash: str, url: str | None, text: str) -> dict:
    return {
        "id": doc_id(page_hash),
        "url": url,
        "outlet": outlet_from_url(url),
        "title": None,
        "published": None,
        "text": text,
    }


def _write_jsonl(records: Iterable[dict], out_path: str | Path) -> int:
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    rows = sorted(records, key=lambda r: r["id"])
    ids = [r["id"] for r in rows]
    if len(set(ids)) != len(ids):
        dup = sorted({i for i in ids if ids.count(i) > 1})
        raise ValueError(f"duplicate document ids (16-char hash prefix collision?): {dup[:5]}")
    tmp = out_path.with_name(out_path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False, sort_keys=False))
            fh.write("\n")
    tmp.replace(out_path)
    return len(rows)


# --------------------------------------------------------------------------
# bodies
# --------------------------------------------------------------------------


def bodies_to_jsonl(ground_truth_path: str | Path, out_path: str | Path) -> int:
    """Write one JSONL line per ground-truth article body; return the line count.

    The ``text`` is the ``articleBody`` exactly as in the ground truth.
    """
    gt = load_ground_truth(ground_truth_path)
    records = []
    for page_hash, entry in gt.items():
        body = entry.get("articleBody")
        if not isinstance(body, str) or not body.strip():
            print(f"prepare_datasets: {doc_id(page_hash)}: empty articleBody, skipped", file=sys.stderr)
            continue
        records.append(_record(page_hash, entry.get("url"), body))
    return _write_jsonl(records, out_path)


# --------------------------------------------------------------------------
# pages: decoding
# --------------------------------------------------------------------------

# How far into the document to look for a charset declaration (the HTML spec
# says 1024 bytes; real pages often put it later, after big inline scripts).
_SNIFF_BYTES = 64 * 1024

_META_CHARSET = re.compile(rb"""<meta[^>]*?\bcharset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.I | re.S)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9_.:\-]+)["']""", re.I)

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE, which is its prefix
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Labels browsers treat as something else (WHATWG Encoding Standard).
_LABEL_ALIASES = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "x-sjis": "shift_jis",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "utf8": "utf-8",
    "unicode": "utf-16-le",
}


@dataclass
class DecodedPage:
    text: str
    encoding: str  # codec actually used
    source: str  # "bom", "meta", "xml", "default", "fallback"
    declared: str | None = None  # label found in the document, if any
    replaced: int = 0  # number of U+FFFD produced by decoding
    notes: list[str] = field(default_factory=list)


def _codec_name(label: str) -> str | None:
    label = label.strip().lower()
    label = _LABEL_ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def sniff_charset(raw: bytes) -> tuple[str | None, str | None, str]:
    """Return (codec, declared label, source) from BOM / XML decl / <meta>."""
    for bom, name in _BOMS:
        if raw.startswith(bom):
            return name, name, "bom"
    head = raw[:_SNIFF_BYTES]
    m = _XML_ENCODING.match(head)
    if m:
        label = m.group(1).decode("ascii", "replace")
        return _codec_name(label), label, "xml"
    # <meta charset="x"> and <meta http-equiv="Content-Type" content="text/html; charset=x">
    m = _META_CHARSET.search(head)
    if m:
        label = m.group(1).decode("ascii", "replace")
        return _codec_name(label), label, "meta"
    return None, None, "default"


def decode_html(raw: bytes) -> DecodedPage:
    """Decode HTML bytes: BOM, then declared charset, else UTF-8 (errors replaced)."""
    codec, declared, source = sniff_charset(raw)
    notes: list[str] = []
    if declared and codec is None:
        notes.append(f"unknown charset label {declared!r}, using utf-8")
    # A page served as UTF-16/32 cannot carry an ASCII <meta> we could read,
    # so a meta claiming utf-16 is a lie; browsers treat it as utf-8.
    if source in ("meta", "xml") and codec and codec.startswith(("utf-16", "utf-32")):
        notes.append(f"declared {declared!r} inside an 8-bit document, using utf-8")
        codec = None
    if codec is None:
        codec = "utf-8"
        if source != "bom":
            source = "default" if declared is None else "fallback"
    if source == "bom":
        bom_len = next(len(b) for b, n in _BOMS if n == codec)
        raw = raw[bom_len:]
    try:
        text = raw.decode(codec)
        replaced = 0
    except UnicodeDecodeError as exc:
        # Mislabelled pages are common: a page declaring cp1252 that is valid
        # UTF-8 is handled by the declaration (as a browser would); a page
        # declaring UTF-8 that is not gets U+FFFD for the bad bytes.
        notes.append(f"invalid {codec} at byte {exc.start}, undecodable bytes replaced")
        before = raw.count("\ufffd".encode(codec, "ignore")) if codec.startswith("utf") else 0
        text = raw.decode(codec, errors="replace")
        replaced = max(0, text.count("\ufffd") - before)
    return DecodedPage(text=text, encoding=codec, source=source, declared=declared, replaced=replaced, notes=notes)


def read_html_file(path: str | Path) -> bytes:
    path = Path(path)
    if path.name.endswith(".gz"):
        with gzip.open(path, "rb") as fh:
            return fh.read()
    return path.read_bytes()


def page_hash_from_path(path: str | Path) -> str:
    name = Path(path).name
    for suffix in HTML_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name.split(".", 1)[0]


# --------------------------------------------------------------------------
# pages: HTML -> text
# --------------------------------------------------------------------------

_CONFIG = None


def inscriptis_config():
    """inscriptis ParserConfig keeping block structure, one block per line.

    Based on the browser-like ``strict`` CSS profile (the ``relaxed`` one
    indents every ``<div>``), with:

    * no list indentation and no ``*``/``+``/``o`` bullets for ``<ul>``
      (ordered lists keep their ``1.`` numbers, which a reader sees);
    * data tables rendered by inscriptis row by row with `` | `` between
      cells (padding and empty cells are squeezed out afterwards by
      :func:`clean_page_text`); layout tables are turned into blocks first
      (:func:`unlayout_tables`);
    * elements a reader never sees as text hidden (svg, iframes, templates,
      drop-down option lists).

    Everything else (nav, header, footer, aside, forms, noscript prompts...)
    is kept: the chrome is the point of this dataset.
    """
    global _CONFIG
    if _CONFIG is not None:
        return _CONFIG
    from inscriptis.css_profiles import CSS_PROFILES
    from inscriptis.html_properties import Display
    from inscriptis.model.config import ParserConfig
    from inscriptis.model.html_element import HtmlElement
    from inscriptis.model.tag import CustomHtmlTagHandlerMapping
    from inscriptis.model.tag.list_tag import li_start_handler

    css = CSS_PROFILES["strict"].copy()
    css["ul"] = HtmlElement(display=Display.block, margin_before=0, margin_after=0, padding_inline=0)
    css["ol"] = HtmlElement(display=Display.block, margin_before=0, margin_after=0, padding_inline=0)
    for tag in ("svg", "iframe", "template", "object", "embed", "canvas", "select", "datalist", "video", "audio"):
        css[tag] = HtmlElement(display=Display.none)
    for tag in ("section", "dl", "dt", "dd", "details", "summary", "form", "fieldset", "legend", "caption", "hr"):
        css.setdefault(tag, HtmlElement(display=Display.block))

    def li_no_bullet(state, attrs):
        li_start_handler(state, attrs)
        bullet = state.tags[-1].list_bullet
        if bullet and not bullet[0].isdigit():
            state.tags[-1].list_bullet = ""

    _CONFIG = ParserConfig(
        css=css,
        display_images=False,
        display_links=False,
        display_anchors=False,
        table_cell_separator=" | ",
        custom_html_tag_handler_mapping=CustomHtmlTagHandlerMapping(
            start_tag_mapping={"li": li_no_bullet},
            end_tag_mapping={},
        ),
    )
    return _CONFIG


_XML_DECL = re.compile(r"^<\?xml[^>]*\?>")
_BLOCK_IN_CELL = "p|div|ul|ol|h1|h2|h3|h4|h5|h6|blockquote|section|article|table|figure|form|header|footer|nav|aside"
_LAYOUT_CELL_CHARS = 300


def _parse_html(html: str):
    """lxml tree of a page (what ``inscriptis.get_text`` does internally)."""
    from lxml.etree import ParserError
    from lxml.html import document_fromstring

    html = html.lstrip("\ufeff").strip()
    if not html:
        return None
    if html.startswith("<?xml"):
        html = _XML_DECL.sub("", html, count=1)
    try:
        return document_fromstring(html)
    except ParserError:
        return document_fromstring("<pre>" + html + "</pre>")


def _table_parts(table):
    """Rows and cells that belong to ``table`` itself (not to nested tables)."""
    parts = []
    for child in table:
        if not isinstance(child.tag, str):
            continue
        if child.tag in ("thead", "tbody", "tfoot"):
            parts.append(child)
            rows = [r for r in child if r.tag == "tr"]
        elif child.tag == "tr":
            rows = [child]
        elif child.tag == "caption":
            parts.append(child)
            continue
        else:
            continue
        for row in rows:
            parts.append(row)
            parts.extend(c for c in row if c.tag in ("td", "th"))
    return parts


def _is_layout_table(table) -> bool:
    if table.xpath(".//table"):
        return True
    cells = [c for c in _table_parts(table) if c.tag in ("td", "th")]
    for cell in cells:
        if cell.xpath(".//*[" + " or ".join(f"self::{t}" for t in _BLOCK_IN_CELL.split("|")) + "]"):
            return True
        if len(cell.text_content()) > _LAYOUT_CELL_CHARS:
            return True
    return False


def unlayout_tables(tree) -> int:
    """Turn layout tables into plain blocks; return how many were converted.

    inscriptis renders every ``<table>`` as a text grid: fine for data
    tables, but a page laid out with tables (article in one cell, sidebar in
    the next) comes out with the sidebar interleaved line by line with the
    article.  A table that nests another table, has block content (``<p>``,
    ``<div>``, lists, headings...) in a cell, or a cell longer than 300
    characters is treated as layout: the table, its rows and its cells become
    ``<div>`` so every cell is rendered as ordinary blocks.  Data tables are
    left to inscriptis (cells joined with `` | `` on one line per row).
    """
    layout = [t for t in tree.iter("table") if _is_layout_table(t)]
    for table in layout:
        for part in _table_parts(table):
            part.tag = "div"
        table.tag = "div"
    return len(layout)


def html_to_text(html: str) -> str:
    """Raw inscriptis rendering of a whole page (no post-processing)."""
    from inscriptis.html_engine import Inscriptis

    tree = _parse_html(html)
    if tree is None:
        return ""
    unlayout_tables(tree)
    return Inscriptis(tree, inscriptis_config()).get_text()


_SPACE_RUN = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]")


_EDGE_PIPES = re.compile(r"^(?:\|\s*)+|(?:\s*\|)+$")
_EMPTY_CELLS = re.compile(r"\|(?:\s*\|)+")


def _tidy_table_row(line: str) -> str:
    """Drop the empty cells and edge separators of a flattened table row."""
    line = _EMPTY_CELLS.sub("|", line)
    return _EDGE_PIPES.sub("", line).strip()


def _has_content(line: str) -> bool:
    """True if the line has at least one letter or digit."""
    return any(unicodedata.category(ch)[0] in "LN" for ch in line)


def clean_page_text(text: str, max_blank_lines: int = 2) -> str:
    """Post-process an inscriptis rendering.

    * normalise line endings, drop zero-width characters;
    * strip each line and squeeze runs of spaces (table padding, ``&nbsp;``);
    * in flattened table rows, drop empty cells and leading/trailing ``|``;
    * drop lines made only of whitespace / punctuation / symbols (empty
      bullets, ``|`` separators, ``»``, share-button glyphs...);
    * collapse runs of more than ``max_blank_lines`` blank lines;
    * strip leading/trailing blank lines.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ZERO_WIDTH.sub("", text)
    out: list[str] = []
    blanks = 0
    for line in text.split("\n"):
        line = _SPACE_RUN.sub(" ", line).strip()
        if "|" in line:
            line = _tidy_table_row(line)
        if not line:
            blanks += 1
            if blanks <= max_blank_lines and out:
                out.append("")
            continue
        if not _has_content(line):
            # A dropped line must not create a paragraph break of its own.
            continue
        blanks = 0
        out.append(line)
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + ("\n" if out else "")


@dataclass
class PageStats:
    converted: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    encodings: dict[str, int] = field(default_factory=dict)
    charset_sources: dict[str, int] = field(default_factory=dict)
    replaced_pages: list[tuple[str, int]] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)
    missing_url: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {
            "converted": self.converted,
            "failed": [{"id": i, "error": e} for i, e in self.failed],
            "encodings": dict(sorted(self.encodings.items())),
            "charset_sources": dict(sorted(self.charset_sources.items())),
            "pages_with_replacement_chars": [{"id": i, "replaced": n} for i, n in self.replaced_pages],
            "empty_pages": self.empty,
            "missing_url": self.missing_url,
            "seconds": round(self.seconds, 3),
        }


def list_html_files(html_dir: str | Path) -> list[Path]:
    html_dir = Path(html_dir)
    return sorted(p for p in html_dir.iterdir() if p.is_file() and p.name.endswith(HTML_SUFFIXES))


def convert_page(path: str | Path) -> tuple[str, DecodedPage]:
    decoded = decode_html(read_html_file(path))
    return clean_page_text(html_to_text(decoded.text)), decoded


def pages_to_jsonl(
    html_dir: str | Path,
    out_path: str | Path,
    ground_truth_path: str | Path | None = None,
    *,
    limit: int | None = None,
    files: Iterable[str | Path] | None = None,
    stats: PageStats | None = None,
    log: TextIO | None = None,
) -> int:
    """Write the whole-page text (chrome kept) of every page; return the line count.

    ``ground_truth_path`` defaults to ``ground-truth.json`` next to ``html_dir``
    (it supplies ``url``/``outlet``).  ``files`` restricts the conversion to
    the given page files (names are resolved against ``html_dir``);
    ``limit`` keeps only the first N files in sorted order.  A page that
    fails to read, decode or convert is reported on stderr and skipped.
    """
    log = log if log is not None else sys.stderr
    stats = stats if stats is not None else PageStats()
    html_dir = Path(html_dir)
    if ground_truth_path is None:
        ground_truth_path = html_dir.parent / "ground-truth.json"
    gt = load_ground_truth(ground_truth_path) if Path(ground_truth_path).exists() else {}
    if not gt:
        print(f"prepare_datasets: no ground truth at {ground_truth_path}; url/outlet will be null", file=log)

    if files is not None:
        paths = sorted((Path(f) if Path(f).is_absolute() or Path(f).exists() else html_dir / f) for f in files)
    else:
        paths = list_html_files(html_dir)
    if limit is not None:
        paths = paths[:limit]

    t0 = time.perf_counter()
    records = []
    for path in paths:
        page_hash = page_hash_from_path(path)
        pid = doc_id(page_hash)
        try:
            text, decoded = convert_page(path)
        except Exception as exc:  # one bad page must not stop the run
            msg = f"{type(exc).__name__}: {exc}"
            stats.failed.append((pid, msg))
            print(f"prepare_datasets: page {path.name} failed: {msg}", file=log)
            continue
        stats.encodings[decoded.encoding] = stats.encodings.get(decoded.encoding, 0) + 1
        stats.charset_sources[decoded.source] = stats.charset_sources.get(decoded.source, 0) + 1
        for note in decoded.notes:
            print(f"prepare_datasets: page {pid}: {note}", file=log)
        if decoded.replaced:
            stats.replaced_pages.append((pid, decoded.replaced))
        if not text.strip():
            stats.empty.append(pid)
            print(f"prepare_datasets: page {pid}: no text after conversion, skipped", file=log)
            continue
        entry = gt.get(page_hash) or {}
        url = entry.get("url")
        if not url:
            stats.missing_url.append(pid)
            print(f"prepare_datasets: page {pid}: no url in ground truth", file=log)
        records.append(_record(page_hash, url, text))
        stats.converted += 1
    n = _write_jsonl(records, out_path)
    stats.seconds = time.perf_counter() - t0
    return n


# --------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------


LICENCE_COPY_NAME = "LICENSE.article-extraction-benchmark"


def copy_licence(fixture_dir: Path, out_dir: Path) -> Path | None:
    """Keep the dataset's (MIT) LICENSE beside the derived JSONL files."""
    src = Path(fixture_dir) / "LICENSE"
    if not src.exists():
        print(f"prepare_datasets: warning: no LICENSE at {src}", file=sys.stderr)
        return None
    dst = Path(out_dir) / LICENCE_COPY_NAME
    shutil.copyfile(src, dst)
    return dst


def prepare(out_dir: str | Path, ground_truth: str | Path = DEFAULT_GROUND_TRUTH,
            html_dir: str | Path = DEFAULT_HTML_DIR, limit: int | None = None) -> dict:
    """Write ``bodies.jsonl``, ``pages.jsonl`` and a copy of the dataset LICENSE
    into out_dir; return a summary (counts, encodings, failures, timings)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    n_bodies = bodies_to_jsonl(ground_truth, out_dir / "bodies.jsonl")
    t_bodies = time.perf_counter() - t0
    stats = PageStats()
    n_pages = pages_to_jsonl(html_dir, out_dir / "pages.jsonl", ground_truth, limit=limit, stats=stats)
    licence = copy_licence(Path(html_dir).parent, out_dir)
    return {
        "bodies": {"path": str(out_dir / "bodies.jsonl"), "documents": n_bodies, "seconds": round(t_bodies, 3)},
        "pages": {"path": str(out_dir / "pages.jsonl"), "documents": n_pages, **stats.as_dict()},
        "source": str(Path(html_dir).parent),
        "licence": str(licence) if licence else None,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=str(REPO_ROOT / "benchmarks" / "out"), help="output directory")
    ap.add_argument("--ground-truth", default=str(DEFAULT_GROUND_TRUTH))
    ap.add_argument("--html-dir", default=str(DEFAULT_HTML_DIR))
    ap.add_argument("--limit", type=int, default=None, help="convert only the first N pages")
    ap.add_argument("--summary-json", default=None, help="also write the run summary (counts, timings) here")
    args = ap.parse_args(argv)
    summary = prepare(args.out, args.ground_truth, args.html_dir, args.limit)
    if args.summary_json:
        Path(args.summary_json).parent.mkdir(parents=True, exist_ok=True)
        with open(args.summary_json, "w", encoding="utf-8") as fh:
            json.dump(summary, fh, indent=2, ensure_ascii=False)
            fh.write("\n")
    p = summary["pages"]
    print(f"bodies: {summary['bodies']['documents']} documents -> {summary['bodies']['path']}")
    print(f"pages:  {p['documents']} documents -> {p['path']} "
          f"({p['seconds']:.2f} s, {len(p['failed'])} failed, encodings {p['encodings']})")
    return 1 if p["documents"] == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
