"""The JSON report: the stable contract (``syndetect/data/report.schema.json``)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import msgspec

from syndetect.model import Report
from syndetect.render.figures import OutletFigure, gc_paused, outlet_figures

__all__ = ["SCHEMA_VERSION", "report_to_dict", "render_json", "json_chunks", "outlet_to_dict"]

SCHEMA_VERSION = 1

_ENCODER = msgspec.json.Encoder()


def _compact(value: Any) -> str:
    """``value`` as compact JSON (no spaces after ``,`` and ``:``): msgspec's encoder, about six times
    faster than :func:`json.dumps` on a report's lists; text with a lone surrogate (which UTF-8 cannot
    hold, and msgspec refuses) goes through :func:`json.dumps` with the same separators instead (the
    writer escapes the surrogate). The two agree on every value a report holds but one spelling of
    floats with exponents (``1e-05`` / ``0.00001``): the same number."""
    try:
        return _ENCODER.encode(value).decode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _edge_dict(e) -> dict:
    return {
        "source": e.source,
        "copy": e.copy,
        "basis": e.basis,
        "confidence": e.confidence,
        "evidence": list(e.evidence),
        "clusters": list(e.clusters),
        "kinds": list(getattr(e, "kinds", ())),  # ids of the evidence kinds
    }


def _flag_dict(f) -> dict:
    out = {"doc": f.doc, "paragraph": f.paragraph, "text": f.text, "category": f.category, "reason": f.reason}
    rule = getattr(f, "rule", None)  # rule ids, where the boilerplate rules provide them
    if rule is not None:
        out["rule"] = rule
    return out


def outlet_to_dict(o: OutletFigure) -> dict[str, Any]:
    return {
        "outlet": o.outlet,
        "documents": o.documents,
        "paragraphs": o.paragraphs,
        "content_chars": o.content_chars,
        "reused_chars": o.reused_chars,
        "reused_fraction": o.reused_fraction,
        "clusters": o.clusters,
        "boilerplate_paragraphs": o.boilerplate_paragraphs,
        "from": [{"outlet": name, "links": n} for name, n in o.sources],
        "to": [{"outlet": name, "links": n} for name, n in o.copies],
        "shared_with": [{"outlet": name, "chars": n, "fraction": f} for name, n, f in o.shared],
        "widely_shared_chars": o.widely_shared_chars,
    }


def _sections(report: Report, *, timings: bool = False) -> list[tuple[str, Callable[[], Any]]]:
    """The report's top-level keys in order, each with what builds its value (built when called:
    :func:`json_chunks` builds a section only where it is written)."""
    out: list[tuple[str, Callable[[], Any]]] = [
        ("schema", lambda: SCHEMA_VERSION),
        ("version", lambda: report.version),
        ("parameters", lambda: report.parameters),
        ("documents", lambda: [
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
                "url": d.url,
                "content_chars": d.content_chars,
                "date_source": d.date_source,
                "crawled": d.crawled,
                "encoding": d.encoding,
                "meta": d.meta or {},
            }
            for d in report.documents
        ]),
        ("clusters", lambda: [
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
        ]),
        ("pairs", lambda: [
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
        ]),
        ("boilerplate", lambda: [_flag_dict(f) for f in report.boilerplate]),
        ("provenance", lambda: [_edge_dict(e) for e in report.provenance]),
        ("skipped", lambda: [{"source": s.source, "line": s.line, "reason": s.reason} for s in report.skipped]),
        ("outlets", lambda: [outlet_to_dict(o) for o in outlet_figures(report)]),
    ]
    if timings:
        out.append(("timings", lambda: {k: round(v, 4) for k, v in report.timings.items()}))
    return out


def report_to_dict(report: Report, *, timings: bool = False) -> dict[str, Any]:
    """The JSON contract (see README, "JSON report"). Deterministic unless ``timings``."""
    return {key: build() for key, build in _sections(report, timings=timings)}


def render_json(report: Report, *, timings: bool = False, pretty: bool = True) -> str:
    """The report as JSON; ``pretty=False`` is compact (and several times faster for large reports)."""
    with gc_paused():
        if not pretty:
            return _compact(report_to_dict(report, timings=timings)) + "\n"
        return json.dumps(report_to_dict(report, timings=timings), ensure_ascii=False, indent=2) + "\n"


_SLICE = 2000  # list items encoded at a time by json_chunks


def json_chunks(report: Report, *, timings: bool = False, pretty: bool = True, slice_items: int = _SLICE) -> Iterator[str]:
    """:func:`render_json` in pieces: ``"".join(json_chunks(...)) == render_json(...)``.

    The compact form is encoded ``slice_items`` list items at a time (each
    with :func:`_compact`), so writing a large report never
    holds the whole text in memory (195 MB of JSON at 1M paragraphs, up to
    four bytes a character in a ``str``); the indented form, used for small
    reports, is one piece. The compact form builds each top-level section's
    value only when it is written, and releases it then: never the whole
    report as dicts at once.
    """
    if pretty:
        yield render_json(report, timings=timings, pretty=True)
        return
    yield "{"
    for n, (key, build) in enumerate(_sections(report, timings=timings)):
        with gc_paused():
            value = build()
        yield ("," if n else "") + _compact(key) + ":"
        if not isinstance(value, list) or len(value) <= slice_items:
            yield _compact(value)
            continue
        yield "["
        for lo in range(0, len(value), slice_items):
            # the items of a list, without its brackets, as the compact encoder separates them
            yield ("," if lo else "") + _compact(value[lo : lo + slice_items])[1:-1]
        yield "]"
        del value  # released once written
    yield "}\n"
