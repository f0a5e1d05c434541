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
from functools import lru_cache
from datetime import datetime, timezone
from typing import Sequence

from syndetect.rules.boilerplate import outlet_of
from syndetect.model import BoilerplateFlag, Cluster, Document, Member, Paragraph, ProvenanceEdge
from syndetect.core.text import normalize_text, tokenize

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


_OUTLET_NOISE = re.compile(
    r"\b(copyright|all rights reserved|with inputs from|inputs from|media group|group|inc|ltd|llc|plc|"
    r"the|trust principles|our standards|\d{4})\b|[©]"
)
_GENERIC_CREDITS = {"agencies", "agency", "wires", "news agencies", "wire services"}
_ALIASES = {"thomson reuters": "reuters", "ap": "associated press", "agence france presse": "afp",
            "press trust of india": "pti"}


@lru_cache(maxsize=1 << 16)
def _canon(label: str) -> str:
    """Canonical outlet name: "The Associated Press", "AP" and "© 2024 AP" compare equal."""
    flat = _OUTLET_NOISE.sub(" ", normalize_text(label))
    flat = " ".join(flat.split())
    return _ALIASES.get(flat, flat)


def collect_evidence(
    docs: Sequence[Document], paragraphs: Sequence[Paragraph], flags: Sequence[BoilerplateFlag], site_names: dict
) -> dict[str, DocEvidence]:
    from syndetect.rules.boilerplate import Boilerplate

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
            if m and not (outlet and _same_outlet(m.group(1), outlet)):
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
            label = _display(source)
            own = out[f.doc].outlet
            if not _canon(label) or (own and _same_outlet(label, own)):
                continue  # the outlet's own copyright line is no upstream
            out[f.doc].credits.append((label, f"credit line '{line}'"))
    return out


def _display(label: str) -> str:
    """A readable credit label: "© 2024 The Associated Press." -> "Associated Press"."""
    canon = _canon(label)
    for alias, name in WIRES.items():
        if canon == _canon(alias):
            return name
    words = re.sub(r"^(?:with inputs from|inputs from)\s+", "", label.strip().rstrip(".").strip(), flags=re.I)
    words = re.sub(r"^(?:©|copyright|\(c\))\s*(?:\d{4}\s*)?", "", words, flags=re.I).strip()
    return re.sub(r"^the\s+", "", words, flags=re.I) or label.strip()


@lru_cache(maxsize=1 << 16)
def _same_outlet(a: str, b: str) -> bool:
    ca, cb = _canon(a), _canon(b)
    return bool(ca and cb) and (ca == cb or f" {ca} " in f" {cb} " or f" {cb} " in f" {ca} ")


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


@lru_cache(maxsize=1 << 16)
def _words(text: str) -> int:
    return len(tokenize(text))


@lru_cache(maxsize=1 << 14)
def _token_set(text: str) -> frozenset[str]:
    return frozenset(tokenize(text))


def _similarity(a: str, b: str) -> float:
    ta, tb = _token_set(a), _token_set(b)
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

    affinity = _affinity(clusters)
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
        # 1. Credits: the credited outlet's own document if the corpus holds
        #    it (the most similar one), else an external source.
        member_text = {d: " ".join(m.text for m in by_doc[d]) for d in docs_in}
        placed: set[str] = set()
        externals: dict[str, list[str]] = defaultdict(list)
        for d in docs_in:
            for lab, line in evidence[d].credits:
                inside = [o for o in docs_in if o != d and evidence[o].outlet and _same_outlet(evidence[o].outlet, lab)]
                if inside and line.startswith("wire tag"):
                    continue  # the tag travelled with the text: dates and similarity decide (step 2)
                if _canon(lab) in _GENERIC_CREDITS and any(evidence[o].is_wire for o in docs_in if o != d):
                    continue  # "(Agencies)" names no outlet: the wire in the cluster is the better answer
                if inside:
                    src = max(inside, key=lambda o: (_similarity(member_text[d], member_text[o]), -_ts(evidence[o]), o))
                    add(src, d, "direct", 0.9, [f"{d}: {line}", f"{src} is {evidence[src].outlet}"], c.id)
                    chain.append((src, d))
                    origin = origin or src
                else:
                    ext = f"external:{lab}"
                    add(ext, d, "direct", 0.85, [f"{d}: {line}"], c.id)
                    chain.append((ext, d))
                    externals[ext].append(d)
                    origin = origin or ext
                placed.add(d)
        # 2. The rest: the most similar earlier document by wire status or
        #    date; else the external source others credit; else containment.
        ordered = _order_by_evidence(docs_in, evidence)
        undirected: list[tuple[str, str, float, list[str]]] = []
        for pos, (d, _) in enumerate(ordered):
            if d in placed:
                continue
            link = _link(d, [o for o, _ in ordered[:pos]], affinity, evidence)
            if link is None and externals:
                ext, crediting = sorted(externals.items(), key=lambda kv: (-len(kv[1]), kv[0]))[0]
                names = ", ".join(sorted(set(crediting)))
                add(ext, d, "common-upstream", 0.6,
                    [f"{d} shares this text with {names}, which credit{'s' if len(set(crediting)) == 1 else ''} {ext[9:]}",
                     f"no date or credit says {d} and {names} copied each other"], c.id)
                chain.append((ext, d))
                continue
            if link is None:
                link = _weak_link(d, [o for o in docs_in if o != d], by_doc, text_of, member_text)
            src, basis, conf, why = link
            if basis == "unknown-direction":  # decided after the directed links
                undirected.append((*sorted((src, d)), conf, why))
                continue
            add(src, d, basis, conf, why, c.id)
            if basis != "unknown-direction":
                chain.append((src, d))
                if origin is None:
                    origin = ordered[0][0]
        for a, b, conf, why in undirected:  # only pairs no evidence gave a direction
            if (a, b, "direct") not in edges and (b, a, "direct") not in edges:
                add(a, b, "unknown-direction", conf, why, c.id)
        out_clusters.append(replace(c, origin=origin, chain=tuple(chain)))

    result = [
        ProvenanceEdge(s, cp, b, v["confidence"], tuple(v["evidence"]), tuple(x for x in v["clusters"] if x))
        for (s, cp, b), v in edges.items()
    ]
    result.sort(key=lambda e: (e.copy, e.source, e.basis))
    return result, out_clusters


def _ts(ev: DocEvidence) -> float:
    return ev.date.timestamp() if ev.date else float("inf")


def _order_by_evidence(docs_in: list[str], evidence: dict[str, DocEvidence]) -> list[tuple[str, str]]:
    """Docs ordered upstream-first, with why: wires first, then by date; undated last."""
    ordered = sorted(docs_in, key=lambda d: (not evidence[d].is_wire, _ts(evidence[d]), d))
    return [(d, "wire" if evidence[d].is_wire else ("dated" if evidence[d].date else "undated")) for d in ordered]


def _link(d: str, earlier: list[str], affinity: dict, evidence: dict[str, DocEvidence]):
    """``d``'s upstream among the ``earlier`` docs when a wire or the dates say so."""
    ev = evidence[d]
    candidates = []
    for src in earlier:
        sev = evidence[src]
        if sev.is_wire and not ev.is_wire:
            candidates.append((src, 0.8, [f"{src} is a wire service ({sev.outlet})", f"{d} is not"]))
        elif sev.date and ev.date and ev.date > sev.date:
            hours = (ev.date - sev.date).total_seconds() / 3600
            candidates.append((src, 0.75 if hours >= 1 else 0.6,
                               [f"{src}: {sev.date_source}", f"{d}: {ev.date_source}", f"{d} is {hours:.1f} h later"]))
    if not candidates:
        return None
    # the copy's text is closest to the document it was taken from (edits
    # carried along); among equally close ones, the earliest (the original)
    credited = [lab for lab, _ in ev.credits]

    def rank(cand):
        src = cand[0]
        sev = evidence[src]
        names_it = any(sev.outlet and _same_outlet(sev.outlet, lab) for lab in credited)
        return (round(affinity.get((min(d, src), max(d, src)), 0.0), 3), names_it, sev.is_wire, -_ts(sev), src)

    src, conf, why = max(candidates, key=rank)
    if any(evidence[src].outlet and _same_outlet(evidence[src].outlet, lab) for lab in credited):
        why = why + [f"{d} credits {evidence[src].outlet}"]
        conf = max(conf, 0.85)
    return src, "direct", conf, why


_AFFINITY_MAX_VERSIONS = 32


def _affinity(clusters: Sequence[Cluster]) -> dict[tuple[str, str], float]:
    """How closely two documents' versions of their shared passages agree.

    Sum over the clusters both are in of the word-bigram Jaccard similarity of
    their member texts: a copy keeps the edits of the version it was taken
    from. Documents with identical versions are grouped first, so a passage
    reprinted verbatim by hundreds of outlets costs one comparison per pair of
    distinct versions (clusters with more than ``_AFFINITY_MAX_VERSIONS``
    distinct versions are left out).
    """
    out: dict[tuple[str, str], float] = defaultdict(float)
    for c in clusters:
        texts: dict[str, list[str]] = defaultdict(list)
        for m in c.members:
            texts[m.doc].append(m.text)
        versions: dict[str, list[str]] = defaultdict(list)
        for d, t in texts.items():
            versions[" ".join(t)].append(d)
        if len(versions) > _AFFINITY_MAX_VERSIONS:
            continue
        keys = sorted(versions)
        grams = [_bigrams(k) for k in keys]
        for i, a in enumerate(keys):
            same = sorted(versions[a])
            for x, da in enumerate(same):
                for db in same[x + 1 :]:
                    out[(da, db)] += 1.0
            for j2 in range(i + 1, len(keys)):
                sim = len(grams[i] & grams[j2]) / max(1, len(grams[i] | grams[j2]))
                for da in versions[a]:
                    for db in versions[keys[j2]]:
                        out[(min(da, db), max(da, db))] += sim
    return out


@lru_cache(maxsize=1 << 14)
def _bigrams(text: str) -> frozenset[tuple[str, str]]:
    toks = tokenize(text)
    return frozenset(zip(toks, toks[1:])) | {(t, "") for t in toks}


def _weak_link(d: str, others: list[str], by_doc, text_of, member_text):
    """Containment, else an edge whose direction is unknown."""
    for src in others:
        contained = _contained(by_doc[d], by_doc[src], text_of)
        if contained:
            return src, "direct", 0.5, [contained]
    src = max(others, key=lambda o: (_similarity(member_text[d], member_text[o]), o))
    a, b = sorted((d, src))
    return src, "unknown-direction", 0.0, [f"{a} and {b} share text; no date, credit or containment says who was first"]


def _contained(copy: list[Member], source: list[Member], text_of) -> str | None:
    """Containment: the copy's shared text is a trimmed part of the source's paragraph."""
    c_words = sum(_words(m.text) for m in copy)
    s_words = sum(_words(text_of[(m.doc, m.paragraph)]) for m in source)
    c_pars = sum(_words(text_of[(m.doc, m.paragraph)]) for m in copy)
    # the copy's paragraphs are (nearly) all shared text; the source's hold more
    if c_pars and c_words >= 0.95 * c_pars and s_words > 1.2 * c_pars:
        return f"containment: {copy[0].doc} holds a trimmed version of {source[0].doc}'s paragraphs"
    return None
