"""Provenance evidence: what each document says about its own origin.

Every kind of evidence has a stable id (:data:`EVIDENCE_KINDS`); provenance
edges list the kinds they rest on (``ProvenanceEdge.kinds``).

Evidence is read with the *same* detector the scan used (the user's
``--lexicon`` rules and ``[[wire]]`` entries included): a user ``credit`` rule
with a ``source`` group is a credit here too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING

from syndetect.model import BoilerplateFlag, Document, Paragraph
from syndetect.provenance.wires import Wires, canon_label, host_of, registrable_domain
from syndetect.rules.boilerplate import outlet_of
from syndetect.rules.shape import is_prose, looks_like_page

if TYPE_CHECKING:
    from syndetect.rules.boilerplate import BodyCores, Boilerplate

__all__ = ["EVIDENCE_KINDS", "DocEvidence", "collect_evidence", "parse_date", "Labels"]

EVIDENCE_KINDS = {
    "date/published": "the document's publication date (field or front matter)",
    "date/dateline": "a date at the top of the text ('date 2024-01-18')",
    "date/text": "a date written out beside the article body ('January 15, 2008', 'Updated : 19 November 2019')",
    "credit/line": "a credit line flagged by a lexicon credit rule ('Source: India Today', '© 2024 AP')",
    "credit/wire-tag": "a wire tag opening the body or a later paragraph ('(AP)', 'LONDON (Reuters) -'); it credits that text on",
    "notice/syndicated": "a notice that the text came from a syndicated or agency feed",
    "wire/outlet": "the document's outlet is a wire service of the registry",
    "wire/host": "the document is on a wire service's own host (reuters.com, hosted.ap.org): the wire's own copy",
    "ambiguous": "the text cannot tell the wire from an outlet that reprinted it: both are named",
    "similarity": "the copy's version of the passage is closest to the source's",
    "containment": "the copy holds a trimmed version of the source's paragraphs",
    "quote/statement": "the passage is quoted speech: a statement both documents quote",
    "none": "nothing says who was first",
}

_DATELINE = re.compile(
    r"^\s*(?:date|published|posted|updated)?\s*[:\-]?\s*(\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?)",
    re.IGNORECASE,
)
_GENERIC_CREDITS = {"agencies", "agency", "wires", "news agencies", "wire services"}

# Date sources that are an extractor's guess from the page, not the page's own
# statement of its publication date: htmldate's reading of an undated page may
# come from a copyright year or a template ("2005" -> 2005-01-01). Reported in
# the document, never used to give a link a direction.
GUESSED_DATE_SOURCES = ("html:htmldate",)


def _guessed_date(d) -> bool:
    return (getattr(d, "date_source", None) or "").startswith(GUESSED_DATE_SOURCES)


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
        return dt if dt.tzinfo else dt.replace(tzinfo=UTC)
    return None


class Labels:
    """Outlet and credit labels compared through the wires registry."""

    def __init__(self, wires: Wires) -> None:
        self.wires = wires
        self._canon = lru_cache(maxsize=1 << 16)(self._canon_uncached)
        self.same = lru_cache(maxsize=1 << 16)(self._same_uncached)

    def _canon_uncached(self, label: str) -> str:
        """Canonical outlet name: "The Associated Press", "AP" and "© 2024 AP" compare equal."""
        return self.wires.canonical(label)

    def canon(self, label: str) -> str:
        return self._canon(label)

    def _same_uncached(self, a: str, b: str) -> bool:
        wa, wb = self.wire_of(a), self.wire_of(b)
        if wa is not None or wb is not None:
            return wa is not None and wa == wb
        ca, cb = self._compact(a), self._compact(b)
        if ca and ca == cb:
            return True
        ca, cb = self.canon(a), self.canon(b)
        return bool(ca and cb) and (ca == cb or f" {ca} " in f" {cb} " or f" {cb} " in f" {ca} ")

    @staticmethod
    def _is_host(x: str) -> bool:
        return "." in x and " " not in x.strip()

    def wire_of(self, x: str | None) -> str | None:
        """The wire service a label or host names, if any."""
        if not x:
            return None
        w = self.wires.by_host(x) if self._is_host(x) else self.wires.by_label(x)
        return w.name if w else None

    def _compact(self, x: str) -> str:
        """A host's site label ("newsnation.in" -> "newsnation") or a label without spaces ("News Nation")."""
        if self._is_host(x):
            return registrable_domain(x.lower().removeprefix("www.")).split(".")[0]
        return self.canon(x).replace(" ", "")

    def is_generic(self, label: str) -> bool:
        return self.canon(label) in _GENERIC_CREDITS

    def display(self, label: str) -> str:
        """A readable credit label: "© 2024 The Associated Press." -> "Associated Press"."""
        w = self.wires.by_label(label)
        if w:
            return w.name
        words = re.sub(r"^(?:with inputs from|inputs from)\s+", "", label.strip().rstrip(".").strip(), flags=re.I)
        words = re.sub(r"^(?:©|copyright|\(c\))\s*(?:\d{4}\s*)?", "", words, flags=re.I).strip()
        return re.sub(r"^the\s+", "", words, flags=re.I) or label.strip()

    def is_wire(self, outlet: str | None) -> bool:
        return self.wire_of(outlet) is not None

    def names(self, ev: DocEvidence, label: str) -> bool:
        """Whether ``label`` (a credit) names the document: its outlet, the site of its URL ("Source:
        Smithsonianmag" names the page on smithsonianmag.com whose site name is "Smithsonian"), or the wire
        whose own copy it is (a page on ``thecanadianpress.com`` is what "(CP)" and "© The Canadian Press"
        credit, whatever its site name says)."""
        return any(n and self.same(n, label) for n in (ev.outlet, ev.host, ev.wire))

    @staticmethod
    def named_as(ev: DocEvidence) -> str:
        """How a document is named in evidence: the wire whose own host it is on, else its outlet (or site)."""
        if ev.wire and ev.wire_basis == "wire/host":
            return f"on {ev.wire}'s own host"
        return ev.outlet or ev.host or ev.doc


@dataclass
class DocEvidence:
    """What one document says about its own origin."""

    doc: str
    outlet: str | None
    date: datetime | None = None
    date_source: str | None = None
    date_kind: str | None = None
    credits: list[tuple[str, str]] = field(default_factory=list)  # (label, quoted line)
    # per credit, the first paragraph it covers: a wire tag travels with the text from its paragraph on
    credit_from: list[int] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    is_wire: bool = False
    wire: str | None = None  # the wire service this document is the own copy of
    host: str | None = None  # the registrable domain of its URL (the fetched URL, else the page's canonical one)
    wire_basis: str | None = None  # "wire/host" or "wire/outlet"


def credit_kind(line: str) -> str:
    return "credit/wire-tag" if line.startswith("wire tag") else "credit/line"


_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
     "december"], 1)}
_MON = r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_TIME = r"(?:[\s,|at-]+(?P<h>\d{1,2})[:.](?P<mi>\d{2})\s*(?P<ampm>[ap]\.?m\.?)?(?:\s*(?P<tz>[A-Z]{2,4}|UTC|GMT))?)?"
_TEXT_DATES = [
    re.compile(rf"\b{_MON}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d{{2}})\b{_TIME}", re.I),
    re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MON},?\s+(?P<y>(?:19|20)\d{{2}})\b{_TIME}", re.I),
    re.compile(rf"\b(?P<y>(?:19|20)\d{{2}})-(?P<m>\d{{2}})-(?P<d>\d{{2}})\b{_TIME}"),
]
_TEXT_DATE_MAX_WORDS = 30  # a date stamp or dateline, not a sentence that mentions a date


def text_date(text: str) -> tuple[datetime, str] | None:
    """A written-out date (and time) in a short line: "January 15, 2008", "Updated : 19 November 2019, 09:01 AM"."""
    if len(text.split()) > _TEXT_DATE_MAX_WORDS:
        return None
    for rx in _TEXT_DATES:
        m = rx.search(text)
        if not m:
            continue
        g = m.groupdict()
        month = int(g["m"]) if g.get("m") else next(v for k, v in _MONTHS.items() if k.startswith(g["mon"].lower()[:3]))
        hour, minute = int(g["h"] or 0), int(g["mi"] or 0)
        if g.get("ampm") and g["ampm"].lower().startswith("p") and hour < 12:
            hour += 12
        elif g.get("ampm") and g["ampm"].lower().startswith("a") and hour == 12:
            hour = 0
        try:
            return datetime(int(g["y"]), month, int(g["d"]), hour, minute, tzinfo=UTC), m.group(0).strip()
        except ValueError:
            continue
    return None


def collect_evidence(
    docs: Sequence[Document],
    paragraphs: Sequence[Paragraph],
    flags: Sequence[BoilerplateFlag],
    site_names: dict,
    detector: Boilerplate | None = None,
) -> dict[str, DocEvidence]:
    """Evidence per document, read with ``detector`` (the scan's; the built-in one if not given)."""
    if detector is None:
        from syndetect.rules.boilerplate import Boilerplate

        detector = Boilerplate.load()
    labels = Labels(detector.wires)
    wires = detector.wires
    by_doc: dict[str, list[Paragraph]] = {}
    for p in paragraphs:
        by_doc.setdefault(p.doc, []).append(p)
    cores = detector.body_cores(paragraphs, flags)

    def prose(text: str) -> bool:
        return is_prose(text, detector.shape)

    def page(pars: Sequence[Paragraph]) -> bool:
        """A whole page (furniture around its body), where the body's start is worth telling."""
        return bool(pars) and not prose(pars[0].text) and looks_like_page([p.text for p in pars], detector.shape)

    out: dict[str, DocEvidence] = {}
    tag_in_parens = wires.tag_in_parens
    for d in docs:
        outlet = outlet_of(d, site_names)
        host = host_of(d.url)
        ev = DocEvidence(d.id, outlet, host=registrable_domain(host.removeprefix("www.")) if host else None)
        w = wires.by_host(host) if host else None
        if w is not None:
            ev.wire, ev.wire_basis = w.name, "wire/host"
        elif labels.is_wire(outlet):
            ev.wire, ev.wire_basis = labels.wire_of(outlet), "wire/outlet"
        ev.is_wire = ev.wire is not None
        pars = by_doc.get(d.id, [])
        is_page: bool | None = None  # page(pars), computed when it matters
        published = parse_date(d.published)
        if published and not _guessed_date(d):
            ev.date, ev.date_source, ev.date_kind = published, f"published {d.published}", "date/published"
        else:
            head = pars[0].text[:200] if pars else d.text[:200]
            m = _DATELINE.match(head)
            if m and parse_date(m.group(1)):
                ev.date, ev.date_source, ev.date_kind = (
                    parse_date(m.group(1)), f"dateline '{m.group(0).strip()}'", "date/dateline"
                )
            else:
                is_page = page(pars)
                found = _date_near_body(pars, cores.get(d.id) if is_page else None)
                if found:
                    ev.date, line = found
                    ev.date_source, ev.date_kind = f"date '{line}' beside the article", "date/text"
        # a wire tag is looked for in the first 300 characters of a paragraph, always as "(<tag>)"
        # (wires.tag_in_parens; dateline_tag holds it too): where no paragraph has one, the lead does not matter
        tagged = any(p.text.find("(", 0, 300) >= 0 and tag_in_parens.search(p.text, 0, 300) for p in pars)
        if tagged and is_page is None:
            is_page = page(pars)
        lead = _lead(pars, cores if is_page else None) if tagged else None
        if lead is not None:
            m = wires.dateline_tag.search(lead.text[:300]) or wires.tag_in_parens.search(lead.text[:300])
            if not m:  # a wire story further down the page: "LONDON (Reuters) - ..." opening a paragraph
                for p in pars:
                    if p.index > lead.index and "(" in p.text[:80]:
                        m = wires.dateline_tag.match(p.text[:300])
                        if m:
                            lead = p
                            break
            if m:
                w = wires.by_tag(m.group("tag"))
                label = w.name if w else m.group("tag")
                if not (labels.same(label, ev.wire) if ev.wire else labels.names(ev, label)):
                    ev.credits.append((label, f"wire tag '{m.group(0).strip()}' in paragraph {lead.index}"))
                    ev.credit_from.append(lead.index)
        out[d.id] = ev
    for f in flags:
        if f.category not in ("credit", "notice"):
            continue
        hit = detector.match_rule(f.text)
        if not hit:
            continue
        rule, match = hit
        line = " ".join(f.text.split())
        if f.category == "notice":
            out[f.doc].notices.append(line)
        source = match.groupdict().get("source")
        if source:
            label = labels.display(source)
            ev = out[f.doc]
            if not canon_label(label) or labels.names(ev, label):
                continue  # the outlet's (the site's, the wire's) own line on its own copy is no upstream
            if rule.copyright and not labels.is_wire(label):
                continue  # "© 2008 <Site>", "Copyright <Publisher>": a site's own line, not a credit
            ev.credits.append((label, f"credit line '{line}'"))
            ev.credit_from.append(0)
    return out


def _lead(pars: Sequence[Paragraph], cores: BodyCores | None) -> Paragraph | None:
    """The first paragraph of the article body (of the document when it is no whole page)."""
    if not pars:
        return None
    if cores is None:
        return pars[0]
    core = cores.get(pars[0].doc)
    if core is None:
        return pars[0]
    return next((p for p in pars if p.index == core[0]), pars[0])


def _date_near_body(pars: Sequence[Paragraph], core: tuple[int, int] | None) -> tuple[datetime, str] | None:
    """A date stamp beside the start of the body: the lines just above it first, then its first lines."""
    if not pars:
        return None
    pos = {p.index: i for i, p in enumerate(pars)}
    start = pos.get(core[0], 0) if core else 0
    order = [start - k for k in range(1, 4)] + [start + k for k in range(0, 3)]
    for i in order:
        if 0 <= i < len(pars):
            found = text_date(pars[i].text)
            if found:
                return found
    return None
