"""The pipeline's one door into the boilerplate rules (:mod:`syndetect.rules`).

The scan, ``index add`` and ``check`` reach the rules only through these
functions, so the rules can change shape without touching the stages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields

from syndetect.model import BoilerplateFlag, Cluster, Document, Paragraph
from syndetect.rules import shape
from syndetect.rules.boilerplate import Boilerplate, body_spans, outlet_of
from syndetect.rules.shape import ShapeParams

__all__ = [
    "Boilerplate", "DocumentParagraphs", "load_rules", "detect_task", "flags_from_rows", "detect_documents", "finish", "refine", "outlet_of",
    "site_names", "stale_bodies", "body_spans_task", "add_spans",
]

_FLAG_FIELDS = tuple(f.name for f in fields(BoilerplateFlag))


def load_rules(lexicon_paths: Sequence[str] = ()) -> Boilerplate:
    """The built-in lexicon and the user's rule files, parsed once."""
    return Boilerplate.load(lexicon_paths)


class DocumentParagraphs:
    """A document with its paragraphs: a task of :func:`detect_task`.

    In this process the paragraphs are used as they are; sent to another
    process it travels as the document and its paragraph offsets, and the
    paragraphs are cut again from the text there (cheaper to send).
    """

    __slots__ = ("doc", "paragraphs")

    def __init__(self, doc: Document, paragraphs: Sequence[Paragraph]) -> None:
        self.doc = doc
        self.paragraphs = paragraphs

    def __reduce__(self):
        return _cut, (self.doc, [(p.index, p.start, p.end) for p in self.paragraphs])


def _cut(doc: Document, spans: Sequence[tuple[int, int, int]]) -> DocumentParagraphs:
    return DocumentParagraphs(doc, [Paragraph(doc.id, i, s, e, doc.text[s:e]) for i, s, e in spans])


def detect_task(
    detector: Boilerplate, items: Sequence[DocumentParagraphs]
) -> tuple[list[tuple], dict[str, str], dict[str, tuple], list[str | None]]:
    """Stage: the per-document rules (lexicon, shape) over a batch of documents.

    Returns compact flag rows (without the paragraph text, which the caller
    has) for :func:`flags_from_rows`, the site names learned, the article
    body spans the shape rules found (for :func:`finish`: the corpus-wide
    rules ask for the same bodies, and a worker's detector is not the caller's),
    and the template keys of the batch's paragraphs, in order (:meth:`Boilerplate.page_keys`,
    for :func:`finish`'s same-site template rule: made here, in the workers, not in the caller).
    """
    keys: list[str | None] = []
    flags, sites = detector.detect_documents([(item.doc, item.paragraphs) for item in items], keys)
    known = getattr(detector, "_spans", None) or {}
    spans = {item.doc.id: known[item.doc.id] for item in items if item.doc.id in known}
    _release_caches()
    return [tuple("" if n == "text" else getattr(f, n) for n in _FLAG_FIELDS) for f in flags], sites, spans, keys


def _release_caches() -> None:
    """Empty the shape rules' per-text memo caches at the end of a task.

    They keep up to 2 x 131,072 paragraph texts alive; in a worker process,
    which runs a few large tasks of this stage and then the map and verify
    stages, that was about 150 MB per worker at 1M paragraphs held through the
    scan's peak. (The answers do not change: they are pure functions of the text.)
    """
    shape.is_prose.cache_clear()
    shape.is_title_like.cache_clear()


def flags_from_rows(rows: Sequence[tuple], text_of: dict[tuple[str, int], str]) -> list[BoilerplateFlag]:
    """The flags of :func:`detect_task` rows, with their paragraph texts back."""
    out = []
    for row in rows:
        kw = dict(zip(_FLAG_FIELDS, row))
        kw["text"] = text_of[(kw["doc"], kw["paragraph"])]
        out.append(BoilerplateFlag(**kw))
    return out


def detect_documents(
    detector: Boilerplate, items: Sequence[tuple[Document, Sequence[Paragraph]]]
) -> tuple[list[BoilerplateFlag], dict[str, str]]:
    """The per-document rules (lexicon, shape) over ``(document, paragraphs)``: flags and site names."""
    return detector.detect_documents(items)


def finish(
    detector: Boilerplate,
    docs: Sequence[Document],
    paragraphs: Sequence[Paragraph],
    flags: Sequence[BoilerplateFlag],
    sites: dict[str, str],
    spans: dict[str, tuple] | None = None,
    keys: Sequence[str | None] | None = None,
) -> list[BoilerplateFlag]:
    """Combine per-document flags and apply the same-outlet repetition rule.

    ``spans``: the body spans of :func:`detect_task` run in other processes;
    the detector reuses each one only where its paragraphs and skipped lines
    are the ones it was computed with (as for the spans it computed itself).
    ``keys``: :func:`detect_task`'s template keys, aligned with ``paragraphs``.
    """
    if spans and isinstance(getattr(detector, "_spans", None), dict):
        detector._spans.update(spans)
    return detector.finish(docs, paragraphs, flags, sites, keys)


def refine(
    detector: Boilerplate,
    docs: Sequence[Document],
    paragraphs: Sequence[Paragraph],
    flags: list[BoilerplateFlag],
    clusters: list[Cluster],
    text_of: dict[tuple[str, int], str] | None = None,
) -> tuple[list[BoilerplateFlag], list[Cluster]]:
    """The post-cluster repetition rule: passages recurring whole in documents that share nothing else.
    ``text_of``: ``(doc, paragraph) -> text`` of ``paragraphs``, when the caller has it (else made here)."""
    return detector.refine(docs, paragraphs, flags, clusters, text_of)


def site_names(detector: Boilerplate) -> dict[str, str]:
    """Site names the rules learned (doc id -> name), for :func:`outlet_of`."""
    return detector.site_names


def stale_bodies(
    detector: Boilerplate, paragraphs: Sequence[Paragraph], flags: Sequence[BoilerplateFlag],
    before: Sequence[tuple[str, int]],
) -> list[tuple[str, int, list[str], list[bool]]]:
    """After :func:`finish`: the article bodies the later passes will ask for that the per-document
    pass (flag keys ``before``) did not tell, as tasks for :func:`body_spans_task`."""
    return detector.stale_bodies(paragraphs, flags, before)


def body_spans_task(params: ShapeParams, tasks: Sequence[tuple[str, int, list[str], list[bool]]]) -> list[tuple]:
    """Stage: the article-body spans of a batch of :func:`stale_bodies` tasks (a pure map over documents)."""
    spans = body_spans(params, tasks)
    _release_caches()
    return spans


def add_spans(detector: Boilerplate, spans: Sequence[tuple]) -> None:
    """Hand :func:`body_spans_task` results back to the detector (its later passes reuse them)."""
    detector.add_spans(spans)
