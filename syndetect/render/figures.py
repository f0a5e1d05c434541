"""Figures shared by every renderer: per-outlet table, outlet x outlet matrix,
provenance trees, the order in which clusters and documents are shown.

Everything here is computed from a :class:`~syndetect.model.Report` only, is
deterministic, and costs at most (members of a cluster) x (distinct outlets
in it) per cluster -- never pairs of documents.
"""

from __future__ import annotations

import gc
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from syndetect.core.cluster import merge_ranges
from syndetect.model import Cluster, DocumentSummary, Report

__all__ = [
    "OutletFigure", "Summary", "outlet_figures", "summary", "outlet_matrix", "provenance_children",
    "provenance_roots", "top_clusters", "top_documents", "cluster_bases", "NO_OUTLET", "gc_paused", "pct", "short",
]

NO_OUTLET = "(no outlet)"  # label of documents whose outlet is unknown (``outlet: null`` in JSON)


@dataclass(frozen=True, slots=True)
class OutletFigure:
    """What one outlet publishes and shares. ``outlet`` is ``None`` for documents without one."""

    outlet: str | None
    documents: int
    paragraphs: int
    content_chars: int
    reused_chars: int
    reused_fraction: float  # reused_chars / content_chars (characters outside boilerplate)
    clusters: int  # clusters with at least one member in this outlet
    boilerplate_paragraphs: int
    sources: tuple[tuple[str, int], ...]  # from whom: (outlet or external:<label>, provenance links)
    copies: tuple[tuple[str, int], ...]  # to whom: (outlet, provenance links)
    shared: tuple[tuple[str | None, int, float], ...]  # (other outlet, chars of this outlet's text also there, share)
    widely_shared_chars: int = 0  # chars in passages shared by more than ``popular_docs`` outlets (not in ``shared``)

    @property
    def label(self) -> str:
        return self.outlet if self.outlet is not None else NO_OUTLET


@dataclass(frozen=True, slots=True)
class Summary:
    documents: int
    outlets: int
    paragraphs: int
    clusters: int
    content_chars: int
    reused_chars: int
    reused_fraction: float
    boilerplate_paragraphs: int
    provenance_links: int
    skipped: int


def pct(x: float) -> str:
    """A fraction as a whole percentage: ``0.2346`` -> ``23%``."""
    return f"{100 * x:.0f}%"


def short(text: str, n: int) -> str:
    """``text`` on one line, at most ``n`` characters (an ellipsis where cut)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= n else flat[: n - 1] + "…"


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a renderer builds many small,
    acyclic objects next to a large report (its passes would grow with the
    report, making rendering superlinear)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _doc_index(report: Report) -> dict[str, DocumentSummary]:
    return {d.id: d for d in report.documents}


def _cluster_chars(c: Cluster) -> dict[str, int]:
    """Characters of each member document inside this cluster (overlaps merged)."""
    ranges: dict[tuple[str, int], list[tuple[int, int]]] = defaultdict(list)
    for m in c.members:
        ranges[(m.doc, m.paragraph)].append((m.start, m.end))
    out: dict[str, int] = defaultdict(int)
    for (doc, _), rs in ranges.items():
        out[doc] += sum(e - s for s, e in merge_ranges(rs))
    return out


def _frac(part: int, whole: int) -> float:
    return round(min(part / whole, 1.0), 4) if whole else 0.0


def _endpoint_label(node: str, docs: dict[str, DocumentSummary]) -> str:
    d = docs.get(node)
    if d is None:
        return node  # external:<label>
    return d.outlet if d.outlet is not None else NO_OUTLET


def outlet_figures(report: Report) -> list[OutletFigure]:
    """One row per outlet (documents without an outlet together), most documents first.

    The outlet x outlet rows (``shared``) come from passages shared by at most
    ``popular_docs`` outlets (the report's parameter): a passage reprinted by
    N outlets would otherwise add N² cells. Its characters are counted in each
    outlet's ``widely_shared_chars`` instead, so the figures stay linear.
    """
    docs = _doc_index(report)
    popular = int(report.parameters.get("popular_docs") or 16)
    widely: Counter = Counter()
    # spans of different clusters never overlap within a paragraph (overlapping
    # spans are one cluster), so per-cluster characters add up per document
    reused: Counter = Counter()
    by_outlet: dict[str | None, list[DocumentSummary]] = defaultdict(list)
    for d in report.documents:
        by_outlet[d.outlet].append(d)

    n_clusters: Counter = Counter()
    shared: dict[str | None, Counter] = defaultdict(Counter)
    for c in report.clusters:
        chars = _cluster_chars(c)
        per_outlet: Counter = Counter()
        doc_count: Counter = Counter()
        for doc, n in chars.items():
            reused[doc] += n
            o = docs[doc].outlet if doc in docs else None
            per_outlet[o] += n
            doc_count[o] += 1
        for o in per_outlet:
            n_clusters[o] += 1
        if len(per_outlet) > popular:
            for r, n in per_outlet.items():
                widely[r] += n
            continue
        for r, n in per_outlet.items():
            for col in per_outlet:
                if col != r or doc_count[r] >= 2:
                    shared[r][col] += n

    sources: dict[str | None, Counter] = defaultdict(Counter)
    copies: dict[str | None, Counter] = defaultdict(Counter)
    for e in report.provenance:
        if e.basis == "unknown-direction":
            continue
        if e.copy in docs:
            sources[docs[e.copy].outlet][_endpoint_label(e.source, docs)] += 1
        if e.source in docs:
            copies[docs[e.source].outlet][_endpoint_label(e.copy, docs)] += 1

    def ranked(counter: Counter) -> tuple[tuple[str, int], ...]:
        return tuple(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))

    out = []
    for outlet, ds in by_outlet.items():
        content = sum(d.content_chars for d in ds)
        reused_n = sum(reused.get(d.id, 0) for d in ds)
        row = shared.get(outlet, Counter())
        out.append(
            OutletFigure(
                outlet=outlet,
                documents=len(ds),
                paragraphs=sum(d.paragraphs for d in ds),
                content_chars=content,
                reused_chars=reused_n,
                reused_fraction=_frac(reused_n, content),
                clusters=n_clusters.get(outlet, 0),
                boilerplate_paragraphs=sum(d.boilerplate for d in ds),
                sources=ranked(sources.get(outlet, Counter())),
                copies=ranked(copies.get(outlet, Counter())),
                shared=tuple(
                    (o, n, _frac(n, content))
                    for o, n in sorted(row.items(), key=lambda kv: (-kv[1], kv[0] is None, kv[0] or ""))
                ),
                widely_shared_chars=widely.get(outlet, 0),
            )
        )
    out.sort(key=lambda f: (-f.documents, -f.reused_chars, f.outlet is None, f.outlet or ""))
    return out


def summary(report: Report, outlets: Iterable[OutletFigure] | None = None) -> Summary:
    outlets = list(outlets if outlets is not None else outlet_figures(report))
    content = sum(o.content_chars for o in outlets)
    reused_n = sum(o.reused_chars for o in outlets)
    return Summary(
        documents=len(report.documents),
        outlets=sum(1 for o in outlets if o.outlet is not None),
        paragraphs=sum(d.paragraphs for d in report.documents),
        clusters=len(report.clusters),
        content_chars=content,
        reused_chars=reused_n,
        reused_fraction=_frac(reused_n, content),
        boilerplate_paragraphs=len(report.boilerplate),
        provenance_links=len(report.provenance),
        skipped=len(report.skipped),
    )


def outlet_matrix(outlets: list[OutletFigure], limit: int = 30) -> tuple[list[str | None], list[list[float]]]:
    """The ``limit`` outlets with most documents, and for each row the share of
    its text that also appears in each column's documents."""
    keep = [o.outlet for o in outlets[:limit]]
    rows = []
    for o in outlets[:limit]:
        shares = {other: frac for other, _, frac in o.shared}
        rows.append([shares.get(col, 0.0) for col in keep])
    return keep, rows


def provenance_children(report: Report) -> dict[str, list]:
    """Provenance as children lists: source -> sorted [(copy, basis, confidence, evidence, clusters)]."""
    children: dict[str, list] = defaultdict(list)
    for e in report.provenance:
        if e.basis == "unknown-direction":
            continue
        children[e.source].append((e.copy, e.basis, e.confidence, tuple(e.evidence), tuple(e.clusters)))
    for kids in children.values():
        kids.sort()
    return dict(children)


def provenance_roots(children: dict[str, list]) -> list[str]:
    """Sources that copy nothing (chain starts); every source if all are in cycles."""
    copies = {k[0] for kids in children.values() for k in kids}
    roots = sorted(s for s in children if s not in copies)
    return roots or sorted(children)


def top_clusters(clusters: Iterable[Cluster]) -> list[Cluster]:
    """Clusters in reading order: most documents, then most words, then id number."""
    return sorted(clusters, key=lambda c: (-len(c.docs), -c.words, int(c.id[1:]) if c.id[1:].isdigit() else 0, c.id))


def top_documents(documents: Iterable[DocumentSummary]) -> list[DocumentSummary]:
    """Documents in reading order: largest reused share first."""
    return sorted(documents, key=lambda d: (-d.reused_fraction, d.id))


def cluster_bases(report: Report) -> dict[str, tuple[str, ...]]:
    """For each cluster id, the provenance bases of the links that cite it."""
    out: dict[str, set[str]] = defaultdict(set)
    for e in report.provenance:
        for cid in e.clusters:
            out[cid].add(e.basis)
    return {k: tuple(sorted(v)) for k, v in out.items()}
