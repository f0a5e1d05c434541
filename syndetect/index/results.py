"""What the index returns: check verdicts and their matches, stats, stored documents."""

from __future__ import annotations

from dataclasses import asdict, dataclass

__all__ = ["IndexMatch", "MatchedDocument", "Verdict", "IndexStats", "IndexedDocument", "AddResult"]


@dataclass(frozen=True)
class IndexMatch:
    """A verified span of the checked document that is also in an indexed paragraph.

    ``paragraph`` (1-based) and ``start``/``end`` (character offsets within that
    paragraph's text) locate the span in the checked document; ``indexed_*`` in
    the indexed document. ``words`` counts the words that match exactly;
    ``hash`` is :func:`~syndetect.core.measures.content_hash` of the indexed span (copy it into an
    allowlist). ``allowed_by`` says why an allowed match does not count.
    """

    indexed_doc: str
    indexed_paragraph: int
    paragraph: int
    start: int
    end: int
    indexed_start: int
    indexed_end: int
    text: str
    words: int
    hash: str
    indexed_text: str = ""
    allowed_by: str | None = None

    def to_dict(self) -> dict:
        d = asdict(self)
        if d["allowed_by"] is None:
            del d["allowed_by"]
        return d


@dataclass(frozen=True)
class MatchedDocument:
    """An indexed document the checked document takes text from.

    ``pending`` is true for a document of the same ``check_many`` batch (not
    in the index yet).
    """

    id: str
    title: str | None
    outlet: str | None
    url: str | None
    published: str | None
    spans: int
    words: int
    reused_fraction: float
    pending: bool = False

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Verdict:
    """The result of checking one document against the index.

    ``reused`` is true when at least one verified span remains after the
    allowed ones are set aside and ``reused_fraction`` (the share of the
    document's non-boilerplate characters inside such spans) exceeds
    ``max_reused_fraction`` (default 0: any verified span counts).
    """

    doc: str
    reused: bool
    reused_fraction: float
    matches: tuple[IndexMatch, ...]
    allowed: tuple[IndexMatch, ...] = ()
    documents: tuple[MatchedDocument, ...] = ()
    source: str = ""
    paragraphs: int = 0
    boilerplate: tuple[int, ...] = ()
    max_reused_fraction: float = 0.0

    def __bool__(self) -> bool:  # a verdict is "truthy" when the document is a copy
        return self.reused

    def to_dict(self) -> dict:
        return {
            "doc": self.doc,
            "source": self.source,
            "reused": self.reused,
            "reused_fraction": self.reused_fraction,
            "max_reused_fraction": self.max_reused_fraction,
            "paragraphs": self.paragraphs,
            "boilerplate": list(self.boilerplate),
            "documents": [d.to_dict() for d in self.documents],
            "matches": [m.to_dict() for m in self.matches],
            "allowed": [m.to_dict() for m in self.allowed],
        }


@dataclass(frozen=True)
class IndexStats:
    """What an index holds (``syndetect index stats``)."""

    location: str
    backend: str
    documents: int
    paragraphs: int
    key_rows: int
    size_bytes: int
    parameters: dict
    schema_version: int
    created: str | None = None
    created_by: str | None = None
    size_note: str = ""
    key_fingerprint: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class IndexedDocument:
    """One document as stored: ``paragraphs`` counts the stored paragraph rows."""

    id: str
    title: str | None
    outlet: str | None
    url: str | None
    published: str | None
    source: str | None
    text_hash: str
    paragraphs: int
    added: str | None = None


@dataclass(frozen=True)
class AddResult:
    """What ``Index.add`` did."""

    documents: int
    replaced: int
    paragraphs: int
    seconds: float
