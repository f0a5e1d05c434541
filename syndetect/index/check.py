"""``check``: is a new document a copy of indexed text?

The scan's later stages, against a store instead of a corpus:

1. band keys of the document's units (:func:`syndetect.index.prepare.prepare_documents`);
2. :meth:`Reader.lookup <syndetect.index.stores.base.Reader.lookup>` of those keys,
   joined back to the document's paragraphs: candidate pairs (:func:`candidates`);
3. the scan's verification, :func:`syndetect.pipeline.stages.verify_pairs`,
   over pairs that carry their texts;
4. the scan's clustering and repetition rule
   (:func:`syndetect.core.cluster.build_clusters`,
   :func:`syndetect.pipeline.rules.refine`): a short paragraph found whole in
   other documents of the document's own outlet that share nothing else with
   it is that outlet's template, not a copy;
5. the scan's measures (:func:`syndetect.core.measures.covered_fraction`,
   :func:`~syndetect.core.measures.content_hash`, :func:`~syndetect.core.measures.content_chars`).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import replace

import numpy as np

from syndetect.config import Params
from syndetect.core.cluster import build_clusters
from syndetect.core.measures import content_chars, content_hash, covered_fraction
from syndetect.index.allowlist import Allowlist
from syndetect.index.results import IndexMatch, MatchedDocument, Verdict
from syndetect.index.stores.base import IndexedParagraph, KeysOf, PreparedDocument, Reader
from syndetect.index.stores.memory import MemoryStore
from syndetect.model import Document, Match, Paragraph
from syndetect.pipeline import rules
from syndetect.pipeline.rules import Boilerplate
from syndetect.pipeline.stages import PairBatch, verify_pairs
from syndetect.readers.ids import own_ids

__all__ = ["check_documents", "candidates", "Pending"]

_LOCAL = 1 << 20  # candidate pairs are coded as indexed id * _LOCAL + local paragraph position


class Pending:
    """A reader over the index and the documents checked earlier in the same batch.

    The batch's documents live in a :class:`MemoryStore`; their paragraph
    ids are negated here so they never meet the index's, and they are
    fetched as ``pending``.
    """

    def __init__(self, index: Reader, keys_of: KeysOf) -> None:
        self._index = index
        self._batch = MemoryStore("check batch")
        self._keys_of = keys_of

    def add(self, prep: PreparedDocument) -> None:
        self._batch.write([prep], self._keys_of)

    def snapshot(self) -> AbstractContextManager[None]:
        return self._index.snapshot()

    def lookup(self, keys: np.ndarray, cap: int) -> tuple[np.ndarray, np.ndarray]:
        hk, hp = self._index.lookup(keys, cap)
        bk, bp = self._batch.lookup(keys, cap)
        return np.concatenate([hk, bk]), np.concatenate([hp, -bp])

    def fetch(self, pids: Sequence[int]) -> dict[int, IndexedParagraph]:
        out = self._index.fetch([p for p in pids if p > 0])
        for pid, par in self._batch.fetch([-p for p in pids if p < 0]).items():
            out[-pid] = par._replace(pending=True)
        return out


def candidates(reader: Reader, prep: PreparedDocument, cap: int) -> tuple[np.ndarray, dict[int, IndexedParagraph]]:
    """Candidate ``(local paragraph position, indexed paragraph id)`` pairs and the fetched paragraphs.

    Per paragraph of the document, the ``cap`` indexed paragraphs that share
    most band keys with it.
    """
    if len(prep.keys) == 0:
        return np.empty((0, 2), dtype=np.int64), {}
    uniq = _distinct(prep.keys)
    with reader.snapshot():
        hk, hp = reader.lookup(uniq, cap)
        if len(hk) == 0:
            return np.empty((0, 2), dtype=np.int64), {}
        # join the hits to this document's paragraphs on the band key
        lo = np.searchsorted(prep.keys, hk, "left")
        n = np.searchsorted(prep.keys, hk, "right") - lo
        hit = np.repeat(np.arange(len(hk)), n)
        pos = np.repeat(lo, n) + np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
        codes, shared = np.unique(hp[hit] * _LOCAL + prep.owners[pos], return_counts=True)
        local, remote = codes % _LOCAL, codes // _LOCAL
        # per paragraph, the `cap` candidates sharing most band keys
        order = np.lexsort((remote, -shared, local))
        local, remote = local[order], remote[order]
        starts = np.flatnonzero(np.r_[True, local[1:] != local[:-1]])
        rank = np.arange(len(local)) - np.repeat(starts, np.diff(np.r_[starts, len(local)]))
        keep = rank < cap
        pairs = np.stack([local[keep], remote[keep]], axis=1)
        fetched = reader.fetch(_distinct(np.sort(remote[keep])).tolist())
    return pairs, fetched


def _distinct(ordered: np.ndarray) -> np.ndarray:
    """The distinct values of a sorted array (``np.unique`` without its ``numpy.ma`` import, 30 ms a process)."""
    if len(ordered) == 0:
        return ordered
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def _verified(
    prep: PreparedDocument, pairs: np.ndarray, fetched: dict[int, IndexedParagraph], params: Params
) -> list[tuple[Match, IndexedParagraph, str]]:
    """Every verified span between the document and its candidates (the scan's verification), with the
    content hash of the indexed span.

    Each distinct indexed text is aligned once with each local paragraph, in
    one :class:`PairBatch` that carries the texts; a span found in a text is a
    match with every candidate paragraph holding that text.
    """
    doc_id = prep.meta.id
    itself = own_ids(doc_id, prep.meta.source)
    texts = [p.text for p in prep.paragraphs]
    refs = [("", i) for i in range(len(texts))]  # positions: mapped back to paragraphs below
    position: dict[str, int] = {}
    for i, text in enumerate(texts):  # an indexed copy of a paragraph of the document is not tokenised again
        position.setdefault(text, i)
    holders: dict[tuple[int, int], list[IndexedParagraph]] = {}
    for local, pid in pairs.tolist():
        ind = fetched.get(pid)
        if ind is None or ind.doc_id in itself:  # gone since the lookup, or the document itself
            continue
        j = position.get(ind.text)
        if j is None:
            j = position[ind.text] = len(texts)
            texts.append(ind.text)
            refs.append(("", j))
        holders.setdefault((local, j), []).append(ind)
    if not holders:
        return []
    batch = PairBatch(tuple(refs), tuple(texts), np.array(list(holders), dtype=np.int64).reshape(-1, 2))
    found = []
    for m in verify_pairs(batch, params):
        index = prep.paragraphs[m.a_paragraph].index
        span_hash = content_hash(texts[m.b_paragraph][m.b_start : m.b_end])  # once per text, not per holder
        for ind in holders[(m.a_paragraph, m.b_paragraph)]:
            found.append(
                (Match(doc_id, index, m.a_start, m.a_end, ind.doc_id, ind.idx, m.b_start, m.b_end, m.words), ind,
                 span_hash)
            )
    return found


def _templates(
    prep: PreparedDocument, found: list[tuple[Match, IndexedParagraph, str]], detector: Boilerplate
) -> set[int]:
    """Paragraphs of the document that are its own outlet's template, not copies.

    The scan's rule (:func:`syndetect.pipeline.rules.refine`) over the
    clusters of the document's matches with indexed documents of its own
    outlet: a short passage recurring whole in ``min_repeats`` documents that
    share no other text. Text shared with *other* outlets always counts in a
    check (allowlist it if it is licensed or a known prompt). What indexed
    documents share with each other is not looked up: only their text shared
    with the checked document relates them.
    """
    mine = (prep.outlet or "").strip().casefold()
    if not mine:
        return set()
    same = [(m, ind) for m, ind, _ in found if (ind.outlet or "").strip().casefold() == mine]
    if not same:
        return set()
    doc_id = prep.meta.id
    docs = {doc_id: Document(doc_id, "", outlet=prep.outlet)}
    pars = {(doc_id, p.index): p for p in prep.paragraphs}
    for _, ind in same:
        docs.setdefault(ind.doc_id, Document(ind.doc_id, "", outlet=ind.outlet))
        pars.setdefault((ind.doc_id, ind.idx), Paragraph(ind.doc_id, ind.idx, 0, len(ind.text), ind.text))
    text_of = {key: p.text for key, p in pars.items()}
    clusters = build_clusters([m for m, _ in same], text_of)
    flags, _ = rules.refine(detector, list(docs.values()), list(pars.values()), [], clusters)
    return {f.paragraph for f in flags if f.doc == doc_id}


def check_one(
    reader: Reader,
    prep: PreparedDocument,
    *,
    params: Params,
    cap: int,
    detector: Boilerplate,
    allow: Allowlist,
    max_fraction: float,
) -> Verdict:
    """The verdict on one prepared document (see the module docstring for the steps)."""
    pairs, fetched = candidates(reader, prep, cap)
    found = _verified(prep, pairs, fetched, params)
    repeated = _templates(prep, found, detector)
    doc_id = prep.meta.id
    flagged = tuple(sorted({p.index for p, k in zip(prep.paragraphs, prep.keyed) if not k} | repeated))
    text_of = {p.index: p.text for p in prep.paragraphs}
    counted: list[IndexMatch] = []
    allowed: list[IndexMatch] = []
    meta_of: dict[str, IndexedParagraph] = {}
    for m, ind, span_hash in found:
        if m.a_paragraph in repeated:
            continue
        indexed_text = ind.text[m.b_start : m.b_end]
        match = IndexMatch(
            indexed_doc=ind.doc_id, indexed_paragraph=ind.idx, paragraph=m.a_paragraph,
            start=m.a_start, end=m.a_end, indexed_start=m.b_start, indexed_end=m.b_end,
            text=text_of[m.a_paragraph][m.a_start : m.a_end], words=m.words,
            hash=span_hash, indexed_text=indexed_text,
        )
        hashes = (match.hash, content_hash(ind.text), content_hash(match.text)) if allow.hashes else (match.hash,)
        reason = allow.reason(hashes, ind.outlet) or allow.speech(text_of[m.a_paragraph], m.a_start, m.a_end)
        if reason:
            allowed.append(replace(match, allowed_by=reason))
        else:
            counted.append(match)
            meta_of.setdefault(match.indexed_doc, ind)
    key = lambda m: (m.paragraph, m.start, m.indexed_doc, m.indexed_paragraph, m.indexed_start)  # noqa: E731
    counted.sort(key=key)
    allowed.sort(key=key)
    content = content_chars(prep.paragraphs, {(doc_id, i) for i in flagged}).get(doc_id, 0)
    fraction = covered_fraction(((m.paragraph, m.start, m.end) for m in counted), content)
    documents = []
    for d in sorted(meta_of):
        ms = [m for m in counted if m.indexed_doc == d]
        ind = meta_of[d]
        documents.append(
            MatchedDocument(
                id=d, title=ind.title, outlet=ind.outlet, url=ind.url, published=ind.published,
                spans=len(ms), words=sum(m.words for m in ms),
                reused_fraction=covered_fraction(((m.paragraph, m.start, m.end) for m in ms), content),
                pending=ind.pending,
            )
        )
    documents.sort(key=lambda d: (-d.reused_fraction, d.id))
    return Verdict(
        doc=doc_id,
        reused=bool(counted) and fraction > max_fraction,
        reused_fraction=fraction,
        matches=tuple(counted),
        allowed=tuple(allowed),
        documents=tuple(documents),
        source=prep.meta.source,
        paragraphs=len(prep.paragraphs),
        boilerplate=flagged,
        max_reused_fraction=max_fraction,
    )


def check_documents(
    reader: Reader,
    prepared: Sequence[PreparedDocument],
    *,
    params: Params,
    cap: int,
    detector: Boilerplate,
    allow: Allowlist,
    max_fraction: float,
    keys_of: KeysOf,
) -> list[Verdict]:
    """Verdicts on prepared documents, each compared with the index and the documents before it."""
    if len(prepared) == 1:
        return [check_one(reader, prepared[0], params=params, cap=cap, detector=detector, allow=allow,
                          max_fraction=max_fraction)]
    pending = Pending(reader, keys_of)
    verdicts = []
    for prep in prepared:
        verdicts.append(check_one(pending, prep, params=params, cap=cap, detector=detector, allow=allow,
                                  max_fraction=max_fraction))
        pending.add(prep)
    return verdicts

