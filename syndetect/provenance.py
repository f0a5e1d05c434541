"""Provenance: who has the text first, who copied it, and how sure that is.

Evidence, strongest first: publication dates (``published``, front matter,
or a dateline such as ``date 2024-01-18`` at the top of the text); explicit
credits and notices ("Source: India Today", "(AP)", "published from a
syndicated feed", "Copyright ... The Associated Press"); wire outlets;
containment (the copy holds a subset or trimmed version of the source's
paragraphs); attribution around quoted speech ("a statement read", "the
ministry said").

Each cluster gets an ``origin`` and a ``chain`` of ``(source, copy)`` links.
Edges say ``basis``:

* ``direct`` — the copy took the text from the source;
* ``common-upstream`` — the source (often ``external:...``, outside the
  corpus) is a shared origin: the docs did not copy each other by any
  evidence in the corpus;
* ``unknown-direction`` — two docs share text and nothing says who was first.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Sequence

from .boilerplate import outlet_of
from .model import BoilerplateFlag, Cluster, Document, Member, Paragraph, ProvenanceEdge
from .text import normalize_text, tokenize

__all__ = ["infer_provenance", "DocEvidence", "parse_date", "WIRES"]

WIRES = {
    "associated press": "Associated Press", "ap": "Associated Press", "reuters": "Reuters",
    "afp": "AFP", "agence france-presse": "AFP", "pti": "PTI", "press trust of india": "PTI",
    "ians": "IANS", "ani": "ANI", "uni": "UNI", "bloomberg": "Bloomberg", "dpa": "dpa",
    "xinhua": "Xinhua", "efe": "EFE", "ansa": "ANSA", "kyodo": "Kyodo",
}
_WIRE_TAG = re.compile(r"\((AP|Reuters|AFP|PTI|IANS|ANI|UNI|Bloomberg|dpa|Xinhua)\)")
_DATELINE = re.compile(
    r"^\s*(?:date|published|posted|updated)?\s*[:\-]?\s*(\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?)",
    re.IGNORECASE,
)
_QUOTES = re.compile("[\"\u201c\u201d\u201e]")
_SPEECH_AFTER = re.compile(
    r"^[\s,.;:'’\"”)]*(?:(?:he|she|it|they)\s+)?(?:the\s+|an?\s+(?:official\s+)?)?"
    r"(?P<who>(?:[A-Z][\w'’-]*\s+){0,4}?(?:statement|ministry|office|spokes\w+|minister|government|official|[A-Z][\w'’-]*))?\s*"
    r"(?:said|says|added|read|stated|claimed|told|wrote|announced)\b",
)
_SPEECH_INVERTED = re.compile(
    r"^[\s,.;:'’\"”)]*(?:said|says|added|stated|claimed|wrote|announced)\s+(?:the\s+)?"
    r"(?P<who>[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){0,4})",
)
_SPEECH_BEFORE = re.compile(
    r"(?P<who>(?:[A-Z][\w'’-]*\s+){1,4}|(?:[A-Z][\w'’-]*\s+){0,3}(?:ministry|office|statement|spokes\w+|minister|government)\s+)?"
    r"(?:said|says|added|stated|claimed|told|read)\b[^.]{0,40}$",
)


def parse_date(value: str | None) -> datetime | None:
    """An ISO 8601 date or datetime (naive ones taken as UTC)."""
    if not value:
        return None
    v = value.strip().replace("Z", "+00:00")
    for candidate in (v, v[:10]):
        try:
            dt = datetime.fromisoformat(candidate)
        except ValueError:
            continue
        return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)
    return None


@dataclass
class DocEvidence:
    """What one document says about its own origin."""

    doc: str
    outlet: str | None
    date: datetime | None = None
    date_source: str | None = None
    credits: list[tuple[str, str]] = field(default_factory=list)  # (label, quoted line)
    notices: list[str] = field(default_factory=list)
    is_wire: bool = False


def _canon(label: str) -> str:
    return normalize_text(label)


def collect_evidence(
    docs: Sequence[Document], paragraphs: Sequence[Paragraph], flags: Sequence[BoilerplateFlag], site_names: dict
) -> dict[str, DocEvidence]:
    from .boilerplate import Boilerplate

    detector = Boilerplate.load()
    first_par: dict[str, Paragraph] = {}
    for p in paragraphs:
        first_par.setdefault(p.doc, p)
    out: dict[str, DocEvidence] = {}
    for d in docs:
        outlet = outlet_of(d, site_names)
        ev = DocEvidence(d.id, outlet)
        ev.is_wire = bool(outlet and _canon(outlet) in WIRES)
        if parse_date(d.published):
            ev.date, ev.date_source = parse_date(d.published), f"published {d.published}"
        else:
            m = _DATELINE.match(d.text[:200])
            if m and parse_date(m.group(1)):
                ev.date, ev.date_source = parse_date(m.group(1)), f"dateline '{m.group(0).strip()}'"
        fp = first_par.get(d.id)
        if fp:
            m = _WIRE_TAG.search(fp.text[:300])
            if m:
                ev.credits.append((WIRES.get(m.group(1).lower(), m.group(1)), f"wire tag '{m.group(0)}' in the first paragraph"))
        out[d.id] = ev
    for f in flags:
        if f.category not in ("credit", "notice"):
            continue
        found = detector.match_rule(f.text)
        if not found:
            continue
        rule, m = found
        line = " ".join(f.text.split())
        if f.category == "notice":
            out[f.doc].notices.append(line)
        source = m.groupdict().get("source")
        if source:
            label = source.strip().rstrip(".").strip()
            label = WIRES.get(label.lower(), label)
            out[f.doc].credits.append((label, f"credit line '{line}'"))
    return out


def _quoted_share(text: str, start: int, end: int) -> float:
    """Share of ``text[start:end]`` that lies inside quotation marks."""
    marks = [m.start() for m in _QUOTES.finditer(text)]
    if not marks:
        return 0.0
    inside = 0
    regions = list(zip(marks[0::2], marks[1::2]))
    if len(marks) % 2:  # an unclosed quote runs to the end of the paragraph
        regions.append((marks[-1], len(text)))
    for s, e in regions:
        inside += max(0, min(e, end) - max(s, start))
    return inside / max(1, end - start)


def _speaker(text: str, start: int, end: int) -> tuple[bool, str | None]:
    """Whether speech is attributed around the span, and to whom."""
    after = text[end : end + 120]
    m = _SPEECH_INVERTED.search(after) or _SPEECH_AFTER.search(after)
    if m:
        return True, (m.group("who") or "").strip() or None
    before = text[max(0, start - 120) : start]
    m = _SPEECH_BEFORE.search(before)
    if m:
        return True, (m.group("who") or "").strip() or None
    return False, None


_GENERIC = {"statement", "ministry", "official", "government", "office", "it", "he", "she", "they", "official statement"}


def _statement_label(members: Sequence[Member], text_of: dict, cluster_id: str) -> tuple[str | None, list[str]]:
    """``external:<speaker> statement`` when the passage is quoted speech."""
    quoted = 0
    speakers: Counter = Counter()
    evidence = []
    for m in members:
        text = text_of[(m.doc, m.paragraph)]
        share = _quoted_share(text, m.start, m.end)
        attributed, who = _speaker(text, m.start, m.end)
        if share >= 0.7 or (share >= 0.3 and attributed):
            quoted += 1
            if who and who.lower() not in ("he", "she", "it", "they"):
                speakers[who] += 1
            evidence.append(f"{m.doc}: quoted speech{' attributed to ' + who if who else ''}")
    if quoted < max(2, (len(members) + 1) // 2):
        return None, []
    named = {
        re.sub(r"^(?:The|An?)\s+", "", who): n
        for who, n in speakers.items()
        if who[:1].isupper() and re.sub(r"^(?:the|an?)\s+", "", who.lower()) not in _GENERIC
    }
    if named:
        # the most frequent named speaker ("Pakistani Foreign Ministry"), then the longest
        top = max(named.items(), key=lambda kv: (kv[1], len(kv[0]), kv[0]))[0]
        label = top if "statement" in top.lower() else f"{top} statement"
    else:  # no named speaker: a statement of its own, not lumped with others
        label = f"statement quoted in {cluster_id}"
    return f"external:{label}", evidence


def _similarity(a: str, b: str) -> float:
    ta, tb = set(tokenize(a)), set(tokenize(b))
    return len(ta & tb) / max(1, len(ta | tb))


def infer_provenance(
    docs: Sequence[Document],
    paragraphs: Sequence[Paragraph],
    clusters: Sequence[Cluster],
    flags: Sequence[BoilerplateFlag],
    site_names: dict | None = None,
) -> tuple[list[ProvenanceEdge], list[Cluster]]:
    """Provenance edges between documents (and external sources), and clusters with origin and chain."""
    evidence = collect_evidence(docs, paragraphs, flags, site_names or {})
    text_of = {(p.doc, p.index): p.text for p in paragraphs}
    doc_outlet = {d: _canon(e.outlet) for d, e in evidence.items() if e.outlet}
    edges: dict[tuple[str, str, str], dict] = {}

    def add(source: str, copy: str, basis: str, confidence: float, why: list[str], cid: str) -> None:
        key = (source, copy, basis)
        e = edges.setdefault(key, {"confidence": 0.0, "evidence": [], "clusters": []})
        e["confidence"] = max(e["confidence"], round(confidence, 2))
        for w in why:
            if w not in e["evidence"]:
                e["evidence"].append(w)
        if cid not in e["clusters"]:
            e["clusters"].append(cid)

    # Document-level notices: a syndicated feed is an upstream of its own.
    for d in sorted(evidence):
        for notice in evidence[d].notices:
            if re.search(r"syndicated|agency feed|wire (feed|copy)", notice, re.IGNORECASE):
                add("external:syndicated feed", d, "direct", 0.9, [f"notice '{notice}'"], "")

    out_clusters = []
    for c in clusters:
        docs_in = list(c.docs)
        origin: str | None = None
        chain: list[tuple[str, str]] = []
        by_doc: dict[str, list[Member]] = defaultdict(list)
        for m in c.members:
            by_doc[m.doc].append(m)
        label, quote_ev = _statement_label(c.members, text_of, c.id)
        if label:
            origin = label
            for d in docs_in:
                why = [w for w in quote_ev if w.startswith(d + ":")] or [f"{d}: carries the quoted passage"]
                why.append(f"{len(docs_in)} documents quote the same words")
                add(label, d, "common-upstream", 0.8, why, c.id)
                chain.append((label, d))
            out_clusters.append(replace(c, origin=origin, chain=tuple(chain)))
            continue
        # Credits naming an outlet outside the cluster: a shared upstream.
        credited: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for d in docs_in:
            for lab, line in evidence[d].credits:
                credited[lab].append((d, line))
        direct_done: set[str] = set()
        for lab, who in sorted(credited.items()):
            inside = [d for d in docs_in if doc_outlet.get(d) == _canon(lab)]
            crediting = sorted({d for d, _ in who})
            if inside:
                src = sorted(inside, key=lambda d: (evidence[d].date or datetime.max.replace(tzinfo=timezone.utc), d))[0]
                for d, line in who:
                    if d != src:
                        add(src, d, "direct", 0.9, [f"{d}: {line}", f"{src} is {lab}"], c.id)
                        chain.append((src, d))
                        direct_done.add(d)
                origin = origin or src
                continue
            ext = f"external:{lab}"
            origin = origin or ext
            for d, line in who:
                add(ext, d, "direct", 0.85, [f"{d}: {line}"], c.id)
                chain.append((ext, d))
                direct_done.add(d)
            for d in docs_in:
                if d not in direct_done and d not in crediting:
                    add(ext, d, "common-upstream", 0.6,
                        [f"{d} shares this text with {', '.join(crediting)}, which credit{'s' if len(crediting) == 1 else ''} {lab}",
                         f"no date or credit says {d} and {', '.join(crediting)} copied each other"], c.id)
                    chain.append((ext, d))
                    direct_done.add(d)
        rest = [d for d in docs_in if d not in direct_done]
        if origin is None or rest:
            pool = docs_in if origin is None else rest
            ordered = _order_by_evidence(pool, evidence)
            links = _link(ordered, by_doc, text_of, evidence)
            for d, src, basis, conf, why in links:
                add(src, d, basis, conf, why, c.id)
                if basis != "unknown-direction":
                    chain.append((src, d))
            if origin is None and any(link[2] != "unknown-direction" for link in links):
                origin = ordered[0][0]
        out_clusters.append(replace(c, origin=origin, chain=tuple(chain)))

    result = [
        ProvenanceEdge(s, cp, b, v["confidence"], tuple(v["evidence"]), tuple(x for x in v["clusters"] if x))
        for (s, cp, b), v in edges.items()
    ]
    result.sort(key=lambda e: (e.copy, e.source, e.basis))
    return result, out_clusters


def _order_by_evidence(docs_in: list[str], evidence: dict[str, DocEvidence]) -> list[tuple[str, str]]:
    """Docs ordered upstream-first, with why: wires first, then by date; undated last."""
    far = datetime.max.replace(tzinfo=timezone.utc)
    ordered = sorted(docs_in, key=lambda d: (not evidence[d].is_wire, evidence[d].date or far, d))
    return [(d, "wire" if evidence[d].is_wire else ("dated" if evidence[d].date else "undated")) for d in ordered]


def _link(ordered, by_doc, text_of, evidence):
    """For each doc after the first: its most similar earlier doc and the basis."""
    out = []
    for i, (d, kind) in enumerate(ordered):
        if i == 0:
            continue
        ev = evidence[d]
        best, best_sim = None, -1.0
        d_text = " ".join(text_of[(m.doc, m.paragraph)][m.start : m.end] for m in by_doc[d])
        for src, src_kind in ordered[:i]:
            s_text = " ".join(text_of[(m.doc, m.paragraph)][m.start : m.end] for m in by_doc[src])
            sim = _similarity(d_text, s_text)
            if sim > best_sim:
                best, best_sim = (src, src_kind), sim
        src, src_kind = best
        sev = evidence[src]
        if sev.is_wire and not ev.is_wire:
            out.append((d, src, "direct", 0.8, [f"{src} is a wire service ({sev.outlet})", f"{d} is not"]))
        elif sev.date and ev.date and ev.date > sev.date:
            hours = (ev.date - sev.date).total_seconds() / 3600
            conf = 0.75 if hours >= 1 else 0.6
            out.append((d, src, "direct", conf, [f"{src}: {sev.date_source}", f"{d}: {ev.date_source}", f"{d} is {hours:.1f} h later"]))
        else:
            contained = _contained(by_doc[d], by_doc[src], text_of)
            if contained:
                out.append((d, src, "direct", 0.5, [contained]))
            else:
                out.append((d, src, "unknown-direction", 0.0, [f"{d} and {src} share text; no date, credit or containment says who was first"]))
    return out


def _contained(copy: list[Member], source: list[Member], text_of) -> str | None:
    """Containment: the copy's shared text is a trimmed part of the source's paragraph."""
    c_words = sum(len(tokenize(m.text)) for m in copy)
    s_words = sum(len(tokenize(text_of[(m.doc, m.paragraph)])) for m in source)
    c_pars = sum(len(tokenize(text_of[(m.doc, m.paragraph)])) for m in copy)
    # the copy's paragraphs are (nearly) all shared text; the source's hold more
    if c_pars and c_words >= 0.95 * c_pars and s_words > 1.2 * c_pars:
        return f"containment: {copy[0].doc} holds a trimmed version of {source[0].doc}'s paragraphs"
    return None
