"""The terminal report (rich): summary first, then the top N of everything.

All input text reaches the console as :class:`rich.text.Text` built by
:func:`syndetect.render.safe.safe_text` -- never as console markup.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from syndetect.model import Cluster, Report
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
from syndetect.render.safe import safe_text, terminal_safe

__all__ = ["render_text", "DEFAULT_TOP"]

DEFAULT_TOP = 10  # rows/clusters/trees shown unless --top N or --all


_pct = pct


def _short(text: str, n: int = 90) -> str:
    return short(terminal_safe(text), n)


def _names(items, n: int = 2, width: int = 28) -> Text:
    """``a (3), b (1) +4`` -- the first few of a ranked (name, count) list."""
    if not items:
        return Text("—", style="dim")
    shown = ", ".join(f"{_short(name, width)} ({count})" for name, count in items[:n])
    t = safe_text(shown)
    if len(items) > n:
        t.append(f" +{len(items) - n}", style="dim")
    return t


def _table(title: str) -> Table:
    return Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)


def _more(shown: int, total: int, what: str) -> Text | None:
    if shown >= total:
        return None
    return Text(f"  … {total - shown:,} more {what} (--top N or --all)", style="dim")


def render_text(report: Report, console: Console, *, top: int | None = DEFAULT_TOP) -> None:
    """The report a person reads in a terminal; ``top=None`` shows everything."""
    limit = (lambda seq: list(seq)) if top is None else (lambda seq: list(seq)[:top])
    wide = console.width >= 110
    n_names, n_up = (2, 2) if wide else (1, 1)
    outlets = outlet_figures(report)
    s = summary(report, outlets)
    console.print(_summary_line(s))

    ot = _table("Outlets (share of their text reused; from whom, to whom)")
    ot.add_column("outlet", overflow="fold", ratio=3)
    ot.add_column("docs", justify="right", no_wrap=True)
    ot.add_column("reused", justify="right", no_wrap=True)
    ot.add_column("from", overflow="fold", ratio=3)
    ot.add_column("to", overflow="fold", ratio=2)
    shown = limit(outlets)
    for o in shown:
        ot.add_row(safe_text(o.label, None if o.outlet else "dim"), f"{o.documents:,}", _pct(o.reused_fraction),
                   _names(o.sources, n_names), _names(o.copies, n_names))
    console.print(ot)
    _print_more(console, _more(len(shown), len(outlets), "outlets"))

    dt = _table("Documents (most reused first)")
    dt.add_column("id", no_wrap=True, overflow="ellipsis", max_width=28)
    dt.add_column("outlet", overflow="fold", ratio=2)
    dt.add_column("¶", justify="right", no_wrap=True)
    dt.add_column("reused", justify="right", no_wrap=True)
    dt.add_column("bp", justify="right", no_wrap=True)
    dt.add_column("likely upstream", overflow="fold", ratio=4)
    docs = top_documents(report.documents)
    shown_docs = limit(docs)
    for d in shown_docs:
        up = [u.removeprefix("external:") for u in d.upstream]
        ups = safe_text(", ".join(_short(name, 30) for name in up[:n_up]) or "—")
        if len(up) > n_up:
            ups.append(f" +{len(up) - n_up}", style="dim")
        dt.add_row(safe_text(d.id), safe_text(d.outlet or NO_OUTLET, None if d.outlet else "dim"),
                   str(d.paragraphs), _pct(d.reused_fraction), str(d.boilerplate), ups)
    console.print(dt)
    _print_more(console, _more(len(shown_docs), len(docs), "documents"))

    _print_provenance(report, console, top)

    clusters = top_clusters(report.clusters)
    shown_clusters = limit(clusters)
    console.print(Text(f"\n{len(clusters):,} reuse clusters (most documents first)", style="bold"))
    for c in shown_clusters:
        console.print(_cluster_panel(c, report.contexts, None if top is None else max(3, min(top, 5))))
    _print_more(console, _more(len(shown_clusters), len(clusters), "clusters"))

    if report.boilerplate:
        _print_boilerplate(report, console, top)
    if report.skipped:
        console.print(Text(f"\n{len(report.skipped):,} input(s) skipped", style="bold red"))
        sk = limit(report.skipped)
        for item in sk:
            console.print(Text("  • ", style="red") + safe_text(str(item)))
        _print_more(console, _more(len(sk), len(report.skipped), "skipped inputs"))
    console.print()
    console.print(_summary_line(s))


def _print_more(console: Console, line: Text | None) -> None:
    if line is not None:
        console.print(line)


def _summary_line(s) -> Text:
    t = Text()
    t.append(f"{s.documents:,} documents, {s.clusters:,} clusters", style="bold")
    t.append(" (")
    t.append(f"{100 * s.reused_fraction:.1f}% of the text reused", style="bold yellow")
    t.append(f"), {s.outlets:,} outlets, {s.paragraphs:,} paragraphs, {s.boilerplate_paragraphs:,} boilerplate "
             f"paragraphs, {s.provenance_links:,} provenance links")
    if s.skipped:
        t.append(f", {s.skipped:,} inputs skipped", style="red")
    return t


def _print_provenance(report: Report, console: Console, top: int | None) -> None:
    children = provenance_children(report)
    if children:
        roots = provenance_roots(children)

        def size(root: str) -> int:
            return len(children.get(root, ()))

        roots.sort(key=lambda r: (-size(r), r))
        shown = roots if top is None else roots[:top]
        tree = Tree(Text("Provenance (source → copy; basis, confidence: first evidence)", style="bold"))
        budget = [0]  # links still shown in the current tree (top N per tree)

        def grow(node: Tree, src: str, seen: frozenset[str]) -> None:
            kids = children.get(src, [])
            n_show = len(kids) if top is None else max(0, min(len(kids), budget[0]))
            budget[0] -= n_show
            for copy, basis, conf, evidence, _ in kids[:n_show]:
                label = safe_text(copy)
                label.append(f" ({basis}, {conf:.2f}", style="dim")
                if evidence:
                    label.append(": ", style="dim")
                    label.append_text(safe_text(_short(evidence[0], 100), "dim"))
                label.append(")", style="dim")
                child = node.add(label)
                if copy not in seen:
                    grow(child, copy, seen | {copy})
            if n_show < len(kids):
                node.add(Text(f"… {len(kids) - n_show} more", style="dim"))

        for root in shown:
            budget[0] = top or 0
            grow(tree.add(safe_text(root, "bold cyan")), root, frozenset({root}))
        console.print(tree)
        _print_more(console, _more(len(shown), len(roots), "provenance roots"))
    unknown = [e for e in report.provenance if e.basis == "unknown-direction"]
    for e in unknown if top is None else unknown[:top]:
        line = Text("direction unknown: ", style="dim")
        line.append_text(safe_text(f"{e.source} ↔ {e.copy}: {e.evidence[0] if e.evidence else ''}"))
        console.print(line)
    if top is not None:
        _print_more(console, _more(min(top, len(unknown)), len(unknown), "links of unknown direction"))


def _print_boilerplate(report: Report, console: Console, top: int | None) -> None:
    by_cat: dict[str, list] = defaultdict(list)
    for f in report.boilerplate:
        by_cat[f.category].append(f)
    counts = Counter({k: len(v) for k, v in by_cat.items()})
    console.print(Text("\nBoilerplate (noise, not syndication), by category", style="bold"))
    for cat, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        flags = by_cat[cat]
        console.print(Text(f"{cat} ({n})", style="bold"))
        shown = flags if top is None else flags[: max(1, min(3, top))]
        for f in shown:
            line = Text("  ")
            line.append_text(safe_text(f"{f.doc} ¶{f.paragraph}", "cyan"))
            line.append(" “")
            line.append_text(safe_text(_short(f.text, 50)))
            line.append("” — ", style="dim")
            rule = getattr(f, "rule", None)
            if rule:
                line.append_text(safe_text(f"{rule}: ", "dim"))
            line.append_text(safe_text(f.reason, "dim"))
            console.print(line)
        if len(shown) < len(flags):
            console.print(Text(f"  … {len(flags) - len(shown)} more", style="dim"))


def _highlighted(text: str, start: int, end: int) -> Text:
    t = Text()
    lo, hi = max(0, start - 80), min(len(text), end + 80)
    t.append_text(safe_text(("…" if lo else "") + text[lo:start], "dim"))
    t.append_text(safe_text(text[start:end], "bold yellow"))
    t.append_text(safe_text(text[end:hi] + ("…" if hi < len(text) else ""), "dim"))
    return t


def _cluster_panel(c: Cluster, contexts: dict, members: int | None = None) -> Panel:
    """A cluster, each member's shared span highlighted inside its paragraph
    (the first ``members`` of them; ``None``: all)."""
    rows: list = []
    shown = c.members if members is None else c.members[:members]
    for m in shown:
        rows.append(safe_text(f"{m.doc} ¶{m.paragraph} [{m.start}:{m.end}]", "cyan"))
        paragraph = contexts.get((m.doc, m.paragraph))
        if paragraph is not None and paragraph[m.start : m.end] == m.text:
            rows.append(_highlighted(paragraph, m.start, m.end))
        else:
            rows.append(safe_text(m.text, "bold yellow"))
    if len(shown) < len(c.members):
        rows.append(Text(f"… {len(c.members) - len(shown)} more members (--all)", style="dim"))
    title = safe_text(f"{c.id}: {c.words} words in {len(c.docs)} documents")
    if c.origin:
        title.append_text(safe_text(f" — origin {c.origin}"))
    return Panel(Group(*rows), title=title, title_align="left")
