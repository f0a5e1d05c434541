"""Rendering of reports: JSON (the stable contract), rich text, Markdown.

Rendering never computes findings; every format shows the same facts from
one :class:`~syndetect.model.Report`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from syndetect.model import Cluster, Report

__all__ = ["report_to_dict", "render_json", "render_text", "render_markdown", "SCHEMA_VERSION"]

SCHEMA_VERSION = 1


def _edge_dict(e) -> dict:
    return {
        "source": e.source,
        "copy": e.copy,
        "basis": e.basis,
        "confidence": e.confidence,
        "evidence": list(e.evidence),
        "clusters": list(e.clusters),
    }


def report_to_dict(report: Report, *, timings: bool = False) -> dict[str, Any]:
    """The JSON contract (see README, "JSON report"). Deterministic unless ``timings``."""
    out: dict[str, Any] = {
        "schema": SCHEMA_VERSION,
        "version": report.version,
        "parameters": report.parameters,
        "documents": [
            {
                "id": d.id,
                "source": d.source,
                "title": d.title,
                "outlet": d.outlet,
                "published": d.published,
                "paragraphs": d.paragraphs,
                "reused_fraction": d.reused_fraction,
                "boilerplate_paragraphs": d.boilerplate,
                "upstream": list(d.upstream),
            }
            for d in report.documents
        ],
        "clusters": [
            {
                "id": c.id,
                "fingerprint": c.fingerprint,
                "words": c.words,
                "documents": list(c.docs),
                "origin": c.origin,
                "chain": [list(link) for link in c.chain],
                "members": [
                    {"doc": m.doc, "paragraph": m.paragraph, "start": m.start, "end": m.end, "text": m.text}
                    for m in c.members
                ],
            }
            for c in report.clusters
        ],
        "pairs": [
            {
                "a": p.a,
                "b": p.b,
                "clusters": p.clusters,
                "a_paragraphs": p.a_paragraphs,
                "b_paragraphs": p.b_paragraphs,
                "a_reused_fraction": p.a_fraction,
                "b_reused_fraction": p.b_fraction,
            }
            for p in report.pairs
        ],
        "boilerplate": [
            {"doc": f.doc, "paragraph": f.paragraph, "text": f.text, "category": f.category, "reason": f.reason}
            for f in report.boilerplate
        ],
        "provenance": [_edge_dict(e) for e in report.provenance],
        "skipped": [{"source": s.source, "line": s.line, "reason": s.reason} for s in report.skipped],
    }
    if timings:
        out["timings"] = {k: round(v, 4) for k, v in report.timings.items()}
    return out


def render_json(report: Report, *, timings: bool = False, pretty: bool = True) -> str:
    """The report as JSON; ``pretty=False`` is compact (and several times faster for large reports)."""
    return json.dumps(report_to_dict(report, timings=timings), ensure_ascii=False, indent=2 if pretty else None) + "\n"


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _short(text: str, n: int = 90) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= n else flat[: n - 1] + "…"


def _chains(report: Report) -> dict[str, list[tuple[str, str, str, float]]]:
    """Provenance as children lists: source -> [(copy, basis, evidence, confidence)]."""
    children: dict[str, list] = defaultdict(list)
    for e in report.provenance:
        if e.basis == "unknown-direction":
            continue
        children[e.source].append((e.copy, e.basis, e.evidence[0] if e.evidence else "", e.confidence))
    return children


def _roots(children: dict) -> list[str]:
    copies = {c for kids in children.values() for c, *_ in kids}
    return sorted(s for s in children if s not in copies)


def _highlighted(text: str, start: int, end: int) -> Text:
    t = Text()
    lo, hi = max(0, start - 80), min(len(text), end + 80)
    t.append(("…" if lo else "") + text[lo:start], style="dim")
    t.append(text[start:end], style="bold yellow")
    t.append(text[end:hi] + ("…" if hi < len(text) else ""), style="dim")
    return t


def render_text(report: Report, console: Console) -> None:
    """The report a person reads, in the terminal."""
    table = Table(title="Documents", show_lines=False)
    for col in ("id", "outlet", "date", "paragraphs", "reused", "boilerplate", "likely upstream"):
        table.add_column(col, overflow="fold")
    for d in report.documents:
        table.add_row(
            d.id, d.outlet or "—", d.published or "—", str(d.paragraphs), _pct(d.reused_fraction),
            str(d.boilerplate), ", ".join(d.upstream) or "—",
        )
    console.print(table)

    children = _chains(report)
    if children:
        tree = Tree("[bold]Provenance[/bold]")

        def grow(node: Tree, src: str, seen: set[str]) -> None:
            for copy, basis, why, conf in sorted(children.get(src, [])):
                label = f"{copy} [dim]({basis}, {conf:.2f}: {why})[/dim]"
                child = node.add(label)
                if copy not in seen:
                    grow(child, copy, seen | {copy})

        for root in _roots(children) or sorted(children):
            grow(tree.add(f"[bold cyan]{root}[/bold cyan]"), root, {root})
        console.print(tree)
    unknown = [e for e in report.provenance if e.basis == "unknown-direction"]
    for e in unknown:
        console.print(f"[dim]direction unknown:[/dim] {e.source} ↔ {e.copy}: {e.evidence[0] if e.evidence else ''}")

    console.print(f"\n[bold]{len(report.clusters)} reuse clusters[/bold]")
    for c in report.clusters:
        console.print(_cluster_panel(c, report.contexts))

    if report.boilerplate:
        by_cat: dict[str, list] = defaultdict(list)
        for f in report.boilerplate:
            by_cat[f.category].append(f)
        bt = Table(title="Boilerplate (noise, not syndication)")
        for col in ("category", "doc", "¶", "text", "why"):
            bt.add_column(col, overflow="fold")
        for cat in sorted(by_cat):
            for f in by_cat[cat]:
                bt.add_row(cat, f.doc, str(f.paragraph), _short(f.text, 60), f.reason)
        console.print(bt)
    if report.skipped:
        console.print(f"\n[bold red]{len(report.skipped)} input(s) skipped[/bold red]")
        for s in report.skipped:
            console.print(f"  [red]•[/red] {s}")
    console.print(
        f"\n{len(report.documents)} documents, {len(report.clusters)} clusters, "
        f"{len(report.boilerplate)} boilerplate paragraphs, {len(report.provenance)} provenance links"
    )


def _cluster_panel(c: Cluster, contexts: dict) -> Panel:
    """A cluster, each member's shared span highlighted inside its paragraph."""
    rows = []
    for m in c.members:
        rows.append(Text(f"{m.doc} ¶{m.paragraph} [{m.start}:{m.end}]", style="cyan"))
        paragraph = contexts.get((m.doc, m.paragraph))
        if paragraph is not None and paragraph[m.start : m.end] == m.text:
            rows.append(_highlighted(paragraph, m.start, m.end))
        else:
            rows.append(Text(m.text, style="bold yellow"))
    origin = f" — origin {c.origin}" if c.origin else ""
    return Panel(Group(*rows), title=f"{c.id}: {c.words} words in {len(c.docs)} documents{origin}", title_align="left")


def render_markdown(report: Report) -> str:
    """The same facts as Markdown, for pasting into a ticket."""
    out = ["# syndetect report", "", "## Documents", "",
           "| id | outlet | date | paragraphs | reused | boilerplate | likely upstream |",
           "|---|---|---|---|---|---|---|"]
    for d in report.documents:
        out.append(
            f"| {d.id} | {d.outlet or '—'} | {d.published or '—'} | {d.paragraphs} | {_pct(d.reused_fraction)} "
            f"| {d.boilerplate} | {', '.join(d.upstream) or '—'} |"
        )
    out += ["", "## Provenance", ""]
    children = _chains(report)

    def walk(src: str, depth: int, seen: set[str]) -> None:
        for copy, basis, why, conf in sorted(children.get(src, [])):
            out.append(f"{'  ' * depth}- → **{copy}** ({basis}, confidence {conf:.2f}): {why}")
            if copy not in seen:
                walk(copy, depth + 1, seen | {copy})

    for root in _roots(children) or sorted(children):
        out.append(f"- **{root}**")
        walk(root, 1, {root})
    for e in report.provenance:
        if e.basis == "unknown-direction":
            out.append(f"- {e.source} ↔ {e.copy}: direction unknown ({'; '.join(e.evidence)})")
    out += ["", f"## Reuse clusters ({len(report.clusters)})", ""]
    for c in report.clusters:
        origin = f", origin {c.origin}" if c.origin else ""
        out.append(f"### {c.id}: {c.words} words in {len(c.docs)} documents{origin}")
        out.append("")
        for m in c.members:
            out.append(f"- `{m.doc}` ¶{m.paragraph} [{m.start}:{m.end}]: > {_short(m.text, 300)}")
        out.append("")
    out += ["## Boilerplate", "", "| category | doc | ¶ | text | why |", "|---|---|---|---|---|"]
    for f in sorted(report.boilerplate, key=lambda f: (f.category, f.doc, f.paragraph)):
        cell = _short(f.text, 60).replace("|", "\\|")
        out.append(f"| {f.category} | {f.doc} | {f.paragraph} | {cell} | {f.reason} |")
    if report.skipped:
        out += ["", "## Skipped inputs", ""] + [f"- {s}" for s in report.skipped]
    return "\n".join(out) + "\n"
