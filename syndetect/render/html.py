"""The HTML report: one self-contained file (inline CSS and JS, no network).

The report's data is embedded once, as JSON in a ``<script
type="application/json">`` block with ``<``, ``>``, ``&`` and U+2028/U+2029
written as ``\\uXXXX`` escapes, so no input can close the block or open a
tag. The page script builds the DOM from it with ``textContent`` only (never
``innerHTML``), and makes links only of ``http:``/``https:`` URLs. Nothing
from the input appears anywhere else in the file.

Size is linear in the corpus: each paragraph that holds a reused span is
stored once, members point into it by offsets; clusters are paged (top
clusters first) and provenance trees and boilerplate lists are built only
when opened.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from importlib import resources

from syndetect.model import Report
from syndetect.render.figures import (
    cluster_bases,
    gc_paused,
    outlet_figures,
    outlet_matrix,
    provenance_children,
    provenance_roots,
    summary,
    top_clusters,
)

__all__ = ["render_html", "html_bytes", "html_payload", "script_json"]

_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src '{script_hash}'; img-src data:; base-uri 'none'; form-action 'none'">
<meta name="referrer" content="no-referrer">
<title>syndetect report</title>
<style>
{css}
</style>
</head>
<body>
<header><h1>syndetect report</h1><div class="sub">syndetect {version} · reused text, provenance and boilerplate</div></header>
<div class="banner" id="banner" role="alert"></div>
<nav>
<a href="#summary">Summary</a><a href="#outlets">Outlets</a><a href="#matrix">Matrix</a><a href="#documents">Documents</a>
<a href="#provenance">Provenance</a><a href="#clusters">Clusters</a><a href="#boilerplate">Boilerplate</a><a href="#skipped">Skipped</a>
<span class="filters">
<label>outlet <select id="f-outlet"><option value="-1">all</option></select></label>
<label>min. words <input id="f-words" type="number" min="0" step="1" value="0" size="4"></label>
<label>basis <select id="f-basis"><option value="">any</option><option value="direct">direct</option><option value="common-upstream">common-upstream</option><option value="unknown-direction">unknown-direction</option></select></label>
</span>
</nav>
<main>
<section id="summary"><h2>Summary</h2><div class="cards" id="summary-cards"></div></section>
<section id="outlets"><h2>Outlets</h2>
<p class="legend">Per outlet: its documents, the share of its text (outside boilerplate) that is reused, and the provenance links to it (from whom) and from it (to whom). Click a column to sort.</p>
<div class="scroll"><table id="outlet-table"></table></div></section>
<section id="matrix"><h2>Outlet × outlet</h2>
<p class="legend">Share of the row outlet's text that also appears in documents of the column outlet (percent; the outlets with most documents).</p>
<div class="matrix-wrap"><table class="matrix" id="outlet-matrix"></table></div></section>
<section id="documents"><h2>Documents</h2><table id="doc-table"></table><div class="pager" id="doc-pager"></div></section>
<section id="provenance"><h2>Provenance</h2>
<p class="legend">Chains from each origin (a document or an external source); open a link for its evidence and the next step.</p>
<div class="tree" id="prov-tree"></div></section>
<section id="clusters"><h2>Reuse clusters</h2>
<p class="legend">Most documents first. Each member's paragraph, the reused span <mark>highlighted</mark>; against the reference version, words <ins>added or changed</ins> and words <del>missing</del> are marked.</p>
<div class="pager" id="cluster-pager"></div><div id="cluster-list"></div><div class="pager" id="cluster-pager-bottom"></div></section>
<section id="boilerplate"><h2>Boilerplate</h2>
<p class="legend">Paragraphs labelled as page noise (not syndication), by category, with the rule and the reason.</p>
<div id="bp-list"></div></section>
<section id="skipped"><h2>Skipped inputs</h2><div id="skipped-list"></div></section>
</main>
<script type="application/json" id="syndetect-data">{data}</script>
<script>{js}</script>
</body>
</html>
"""

_SURROGATE = re.compile("[\ud800-\udfff]")
_JSON_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


def script_json(payload: object) -> str:
    """JSON that is safe inside ``<script type="application/json">``: no ``<``,
    ``>``, ``&``, U+2028 or U+2029 characters (they occur only inside strings,
    where the ``\\uXXXX`` escape means the same)."""
    out = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    if _SURROGATE.search(out):  # a lone surrogate (a JSON input can hold one) is no character: U+FFFD
        out = _SURROGATE.sub("\ufffd", out)
    for char, escape in _JSON_ESCAPES:  # str.replace: far faster than str.translate on non-ASCII text
        out = out.replace(char, escape)
    return out


def _asset(name: str) -> str:
    return resources.files("syndetect.render").joinpath("assets", name).read_text(encoding="utf-8")


def html_payload(report: Report) -> dict:
    """What the page script renders (documents referenced by index, paragraphs stored once)."""
    outlets = outlet_figures(report)
    s = summary(report, outlets)
    doc_ix = {d.id: i for i, d in enumerate(report.documents)}
    contexts: list[str] = []
    ctx_ix: dict[tuple[str, int], int] = {}
    bases = cluster_bases(report)
    clusters = []
    for c in top_clusters(report.clusters):
        members = []
        for m in c.members:
            key = (m.doc, m.paragraph)
            text = report.contexts.get(key)
            if text is not None and text[m.start : m.end] == m.text:
                if key not in ctx_ix:
                    ctx_ix[key] = len(contexts)
                    contexts.append(text)
                ref: int | str = ctx_ix[key]
            else:
                ref = m.text
            members.append([doc_ix[m.doc], m.paragraph, m.start, m.end, ref])
        clusters.append({"id": c.id, "words": c.words, "origin": c.origin, "bases": list(bases.get(c.id, ())), "m": members})
    names, rows = outlet_matrix(outlets)
    children = provenance_children(report)
    return {
        "version": report.version,
        "parameters": report.parameters,
        "summary": {
            "documents": s.documents, "outlets": s.outlets, "paragraphs": s.paragraphs, "clusters": s.clusters,
            "content_chars": s.content_chars, "reused_chars": s.reused_chars, "reused_fraction": s.reused_fraction,
            "boilerplate_paragraphs": s.boilerplate_paragraphs, "provenance_links": s.provenance_links,
            "skipped": s.skipped,
        },
        "docs": [
            {"id": d.id, "outlet": d.outlet, "title": d.title, "url": d.url, "published": d.published,
             "source": d.source, "paragraphs": d.paragraphs, "reused": d.reused_fraction, "bp": d.boilerplate,
             "upstream": list(d.upstream)}
            for d in report.documents
        ],
        "outlets": [
            {"outlet": o.outlet, "documents": o.documents, "paragraphs": o.paragraphs,
             "reused_fraction": o.reused_fraction, "clusters": o.clusters,
             "boilerplate_paragraphs": o.boilerplate_paragraphs,
             "from": [list(x) for x in o.sources], "to": [list(x) for x in o.copies]}
            for o in outlets
        ],
        "matrix": {"outlets": names, "rows": rows},
        "clusters": clusters,
        "contexts": contexts,
        "prov": {
            "children": [[src, [[k[0], k[1], k[2], list(k[3]), list(k[4])] for k in kids]]
                         for src, kids in sorted(children.items())],
            "roots": provenance_roots(children) if children else [],
            "unknown": [[e.source, e.copy, list(e.evidence)] for e in report.provenance if e.basis == "unknown-direction"],
        },
        "boilerplate": [[doc_ix[f.doc], f.paragraph, f.category, getattr(f, "rule", None), f.reason, f.text]
                        for f in report.boilerplate if f.doc in doc_ix],
        "skipped": [str(x) for x in report.skipped],
    }


def render_html(report: Report) -> str:
    """The whole report as one HTML document."""
    version = "".join(ch for ch in str(report.version) if ch.isalnum() or ch in ".+-")
    with gc_paused():
        data = script_json(html_payload(report))
    js = _asset("report.js")
    # only this exact script may run (Content-Security-Policy hash), whatever else a page might hold
    script_hash = "sha256-" + base64.b64encode(hashlib.sha256(js.encode("utf-8")).digest()).decode("ascii")
    return _TEMPLATE.format(css=_asset("report.css"), js=js, version=version, data=data, script_hash=script_hash)


def html_bytes(report: Report) -> bytes:
    """:func:`render_html` encoded as UTF-8."""
    return render_html(report).encode("utf-8")
