"""The report as Markdown, for pasting into a ticket.

Input text is made terminal-safe (:func:`syndetect.render.safe.terminal_safe`)
and Markdown-escaped by :func:`md`: no input can open a link, an image, a code
span, a table cell or raw HTML.
"""

from __future__ import annotations

import re

from syndetect.model import Report
from syndetect.render.figures import (
    NO_OUTLET,
    outlet_figures,
    pct,
    provenance_children,
    provenance_roots,
    short,
    summary,
    top_clusters,
    top_documents,
)
from syndetect.render.safe import terminal_safe

__all__ = ["render_markdown", "md", "code"]

_MD_SPECIAL = re.compile(r"([\\`*\[\]|~])")
_MD_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")  # intraword _ is never emphasis


def md(value: object) -> str:
    """Input text as inline Markdown that renders literally (one line)."""
    s = " ".join(terminal_safe(value).split())
    s = s.replace("&", "&amp;").replace("<", "&lt;")
    return _MD_UNDERSCORE.sub(r"\\_", _MD_SPECIAL.sub(r"\\\1", s))


def code(value: object) -> str:
    """Input text as a Markdown code span (literal; fenced with more backticks than it holds)."""
    s = " ".join(terminal_safe(value).split())
    run = max((len(r) for r in re.findall(r"`+", s)), default=0)
    fence = "`" * (run + 1)
    pad = " " if run or s.startswith(" ") else ""
    return f"{fence}{pad}{s}{pad}{fence}"


_pct, _short = pct, short


def _names(items, n: int = 3) -> str:
    if not items:
        return "—"
    out = ", ".join(f"{md(name)} ({count})" for name, count in items[:n])
    return out + (f" +{len(items) - n}" if len(items) > n else "")


def render_markdown(report: Report, *, top: int | None = None) -> str:
    """The same facts as the terminal report; ``top`` limits each list (``None``: everything)."""
    cut = (lambda seq: list(seq)) if top is None else (lambda seq: list(seq)[:top])
    outlets = outlet_figures(report)
    s = summary(report, outlets)
    out = [
        "# syndetect report", "",
        f"{s.documents:,} documents, {s.outlets:,} outlets, {s.paragraphs:,} paragraphs: {s.clusters:,} reuse clusters, "
        f"{100 * s.reused_fraction:.1f}% of the text reused, {s.boilerplate_paragraphs:,} boilerplate paragraphs, "
        f"{s.provenance_links:,} provenance links" + (f", {s.skipped:,} inputs skipped" if s.skipped else "") + ".",
        "", "## Outlets", "",
        "| outlet | documents | paragraphs | reused | clusters | boilerplate | from whom | to whom |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for o in cut(outlets):
        out.append(
            f"| {md(o.label)} | {o.documents} | {o.paragraphs} | {_pct(o.reused_fraction)} | {o.clusters} "
            f"| {o.boilerplate_paragraphs} | {_names(o.sources)} | {_names(o.copies)} |"
        )
    out += ["", "## Documents", "",
            "| id | outlet | date | paragraphs | reused | boilerplate | likely upstream |",
            "|---|---|---|---:|---:|---:|---|"]
    for d in cut(top_documents(report.documents)):
        out.append(
            f"| {md(d.id)} | {md(d.outlet or NO_OUTLET)} | {md(d.published or '—')} | {d.paragraphs} "
            f"| {_pct(d.reused_fraction)} | {d.boilerplate} | {', '.join(md(u) for u in d.upstream) or '—'} |"
        )
    out += ["", "## Provenance", ""]
    children = provenance_children(report)

    def walk(src: str, depth: int, seen: frozenset[str]) -> None:
        for copy, basis, conf, evidence, _ in children.get(src, []):
            why = md(evidence[0]) if evidence else ""
            out.append(f"{'  ' * depth}- → **{md(copy)}** ({basis}, confidence {conf:.2f}): {why}")
            if copy not in seen:
                walk(copy, depth + 1, seen | {copy})

    if children:
        for root in cut(provenance_roots(children)):
            out.append(f"- **{md(root)}**")
            walk(root, 1, frozenset({root}))
    for e in report.provenance:
        if e.basis == "unknown-direction":
            out.append(f"- {md(e.source)} ↔ {md(e.copy)}: direction unknown ({md('; '.join(e.evidence))})")
    clusters = top_clusters(report.clusters)
    out += ["", f"## Reuse clusters ({len(clusters):,})", ""]
    for c in cut(clusters):
        origin = f", origin {md(c.origin)}" if c.origin else ""
        out.append(f"### {c.id}: {c.words} words in {len(c.docs)} documents{origin}")
        out.append("")
        for m in c.members:
            out.append(f"- {code(m.doc)} ¶{m.paragraph} [{m.start}:{m.end}]: “{md(_short(m.text, 300))}”")
        out.append("")
    out += ["## Boilerplate", "", "| category | doc | ¶ | text | rule | why |", "|---|---|---:|---|---|---|"]
    for f in sorted(report.boilerplate, key=lambda f: (f.category, f.doc, f.paragraph)):
        rule = getattr(f, "rule", None)
        out.append(
            f"| {md(f.category)} | {md(f.doc)} | {f.paragraph} | {md(_short(f.text, 60))} | {md(rule or '—')} "
            f"| {md(f.reason)} |"
        )
    if report.skipped:
        out += ["", "## Skipped inputs", ""] + [f"- {md(str(sk))}" for sk in report.skipped]
    if top is not None and (len(clusters) > top or len(report.documents) > top or len(outlets) > top):
        out += ["", f"_Top {top} of each list; `--all` for everything._"]
    return "\n".join(out) + "\n"
