"""Frozen dataclasses for documents and findings.

Findings are keyed by content where it matters (cluster ``fingerprint``,
boilerplate ``fingerprint``) so that they survive edits elsewhere in a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Document:
    """One article. ``source`` says where it came from (``path`` or ``path:line``).

    ``published`` is ISO 8601 (a date, or a datetime with its zone when one
    was given) and ``date_source`` says where it came from (``field:pubDate``,
    ``html-meta:article:published_time``, ``dateline:Updated: 18 Jan 2024`` …;
    see :mod:`syndetect.readers.dates`). ``crawled`` is when a crawler fetched
    the page (a WARC record's date): weaker evidence than a publication date.
    ``encoding`` names a non-UTF-8 encoding the text was decoded from and why;
    ``meta`` holds the input's other fields, passed through to the report.
    """

    id: str
    text: str
    source: str = ""
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    published: str | None = None
    date_source: str | None = None
    crawled: str | None = None
    encoding: str | None = None
    meta: dict | None = field(default=None, hash=False)


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph of a document: 1-based ``index``, offsets into the document text."""

    doc: str
    index: int
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Skipped:
    """An input that could not be read (the rest of the corpus is still scanned)."""

    source: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        return f"{where}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Match:
    """A verified reused span between two paragraphs (character offsets)."""

    a_doc: str
    a_paragraph: int
    a_start: int
    a_end: int
    b_doc: str
    b_paragraph: int
    b_start: int
    b_end: int
    words: int  # words that match exactly


@dataclass(frozen=True, slots=True)
class Member:
    """One occurrence of a reused passage: ``start``/``end`` within the paragraph."""

    doc: str
    paragraph: int
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Cluster:
    """One passage reused across two or more documents."""

    id: str
    fingerprint: str
    members: tuple[Member, ...]
    words: int
    origin: str | None = None
    chain: tuple[tuple[str, str], ...] = ()  # (source, copy) links from the origin

    @property
    def docs(self) -> tuple[str, ...]:
        return tuple(sorted({m.doc for m in self.members}))


@dataclass(frozen=True, slots=True)
class BoilerplateFlag:
    """A paragraph labelled as noise: ``rule`` is the stable id of the rule
    that flagged it (``lexicon/<name>``, ``shape/...``, ``repetition/...``),
    ``reason`` says why in words."""

    doc: str
    paragraph: int
    text: str
    category: str
    reason: str
    rule: str = ""


@dataclass(frozen=True, slots=True)
class ProvenanceEdge:
    """``copy`` took text from ``source`` (doc ids or ``external:<label>``).

    ``basis`` is ``direct`` (copy took it from source), ``common-upstream``
    (source is a shared origin of several docs), or ``unknown-direction``.
    """

    source: str
    copy: str
    basis: str
    confidence: float
    evidence: tuple[str, ...] = ()
    clusters: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()  # ids of the evidence kinds (syndetect.provenance.evidence.EVIDENCE_KINDS)


@dataclass(frozen=True, slots=True)
class PairSummary:
    """What two documents share."""

    a: str
    b: str
    clusters: int
    a_paragraphs: int
    b_paragraphs: int
    a_fraction: float
    b_fraction: float


@dataclass(frozen=True, slots=True)
class DocumentSummary:
    id: str
    source: str
    title: str | None
    outlet: str | None
    published: str | None
    paragraphs: int
    reused_fraction: float
    boilerplate: int = 0
    upstream: tuple[str, ...] = ()
    url: str | None = None
    content_chars: int = 0  # characters outside boilerplate paragraphs (denominator of reused_fraction)
    date_source: str | None = None
    crawled: str | None = None
    encoding: str | None = None
    meta: dict | None = field(default=None, hash=False)


@dataclass(frozen=True)
class Report:
    """The result of a scan; rendered by :mod:`syndetect.render.report`."""

    version: str
    parameters: dict
    documents: tuple[DocumentSummary, ...]
    clusters: tuple[Cluster, ...]
    pairs: tuple[PairSummary, ...]
    boilerplate: tuple[BoilerplateFlag, ...]
    provenance: tuple[ProvenanceEdge, ...]
    skipped: tuple[Skipped, ...]
    timings: dict = field(default_factory=dict, compare=False)
    # paragraph texts of cluster members, for showing spans in context (not in JSON)
    contexts: dict = field(default_factory=dict, compare=False, repr=False)
