"""The map step of ``index add`` and ``check``: documents to stored records and band keys.

The same stages as the scan (:func:`syndetect.pipeline.stages.map_units`,
the boilerplate rules through :mod:`syndetect.pipeline.rules`), so an
indexed paragraph is keyed exactly as a scanned one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import xxhash

from syndetect.config import Params
from syndetect.index.stores.base import EMPTY, PreparedDocument
from syndetect.model import BoilerplateFlag, Document
from syndetect.pipeline import rules
from syndetect.pipeline.rules import Boilerplate
from syndetect.pipeline.stages import map_units, paragraphs_of

__all__ = [
    "unit_band_keys", "Mapped", "map_documents", "finish_batch", "prepare_documents", "map_task", "key_fingerprint",
    "PROBE",
]

# Texts whose band keys fingerprint the text processing (tokens, units, signatures):
# an index whose fingerprint differs was built by code that keys text differently.
PROBE = (
    "“This morning Pakistan undertook a series of highly coordinated strikes,” the ministry said in a statement.",
    "Don’t miss: the café’s Ｏｆｆｉｃｉａｌ report — 12½ pages — was “unprecedented”, officials said on Tuesday, "
    "and the council will meet again next week to discuss the findings in detail before any decision is made.",
    "Short one.",
)


def unit_band_keys(texts: Sequence[str], params: Params) -> tuple[np.ndarray, np.ndarray]:
    """Every LSH band key of every unit of each text: ``(keys, owners)``.

    ``keys`` are signed 64-bit (the ``uint64`` band keys viewed as ``int64``),
    ``owners`` the position of the text in ``texts``; pairs are unique and
    sorted by key. A pure function of each text and the index's parameters
    (texts shorter than ``min_span_words`` words get no keys), so the keys of
    a stored paragraph can always be recomputed from its text.
    """
    if not texts:
        return EMPTY, EMPTY
    batch = map_units(texts, range(len(texts)), params)
    if len(batch.owners) == 0:
        return EMPTY, EMPTY
    # map_units signs each distinct unit content once; give every unit its keys
    order = np.argsort(batch.rep_content, kind="stable")
    row = order[np.searchsorted(batch.rep_content, batch.content, sorter=order)]
    per_unit = batch.keys[row]
    keys = np.ascontiguousarray(per_unit).reshape(-1).view(np.int64)
    owners = np.repeat(batch.owners, per_unit.shape[1])
    order = np.lexsort((owners, keys))
    keys, owners = keys[order], owners[order]
    keep = np.ones(len(keys), dtype=bool)
    keep[1:] = (keys[1:] != keys[:-1]) | (owners[1:] != owners[:-1])
    return keys[keep], owners[keep].astype(np.int64)


@dataclass(frozen=True)
class Mapped:
    """A document after the per-document rules (lexicon, shape) and keying: the map step's output."""

    prep: PreparedDocument
    flags: tuple[BoilerplateFlag, ...]
    site: str | None


def map_documents(docs: Sequence[Document], params: Params, detector: Boilerplate) -> list[Mapped]:
    """The map step: paragraphs, per-document boilerplate flags and the band keys of the other paragraphs.

    A pure function of each document (any split of a batch gives the same result).
    """
    pars_of = [paragraphs_of(d) for d in docs]
    flags, sites = rules.detect_documents(detector, list(zip(docs, pars_of)))
    by_doc: dict[str, list[BoilerplateFlag]] = {}
    for f in flags:
        by_doc.setdefault(f.doc, []).append(f)
    out = []
    for doc, pars in zip(docs, pars_of):
        mine = by_doc.get(doc.id, [])
        flagged = {f.paragraph for f in mine}
        keyed = tuple(p.index not in flagged for p in pars)
        positions = np.array([i for i, k in enumerate(keyed) if k], dtype=np.int64)
        keys, owners = unit_band_keys([p.text for p, k in zip(pars, keyed) if k], params)
        prep = PreparedDocument(
            meta=replace(doc, text=""),
            outlet=rules.outlet_of(doc, sites),
            text_hash=xxhash.xxh3_64_hexdigest(doc.text.encode("utf-8")),
            paragraphs=tuple(pars),
            keyed=keyed,
            keys=keys,
            owners=positions[owners] if len(owners) else EMPTY,
            content_chars=sum(len(p.text) for p, k in zip(pars, keyed) if k),
        )
        out.append(Mapped(prep, tuple(mine), sites.get(doc.id)))
    return out


def finish_batch(mapped: Sequence[Mapped], detector: Boilerplate) -> list[PreparedDocument]:
    """The batch step: the rules over the whole batch (an outlet's repeated template), as the scan's ``finish``.

    Paragraphs these rules flag lose their band keys.
    """
    docs = [m.prep.meta for m in mapped]
    paragraphs = [p for m in mapped for p in m.prep.paragraphs]
    sites = {m.prep.meta.id: m.site for m in mapped if m.site}
    flags = rules.finish(detector, docs, paragraphs, [f for m in mapped for f in m.flags], sites)
    flagged = {(f.doc, f.paragraph) for f in flags}
    out = []
    for m in mapped:
        prep = m.prep
        keyed = tuple(k and (prep.meta.id, p.index) not in flagged for p, k in zip(prep.paragraphs, prep.keyed))
        if keyed != prep.keyed:
            keep = np.array(keyed, dtype=bool)[prep.owners] if len(prep.owners) else np.zeros(0, dtype=bool)
            prep = replace(
                prep, keyed=keyed, keys=prep.keys[keep], owners=prep.owners[keep],
                content_chars=sum(len(p.text) for p, k in zip(prep.paragraphs, keyed) if k),
            )
        out.append(prep)
    return out


def prepare_documents(docs: Sequence[Document], params: Params, detector: Boilerplate) -> list[PreparedDocument]:
    """Paragraphs, boilerplate flags and band keys of a batch of documents (map, then finish)."""
    return finish_batch(map_documents(docs, params, detector), detector)


def map_task(context: tuple[Params, Boilerplate], docs: Sequence[Document]) -> list[Mapped]:
    """:func:`map_documents` in the form executors call."""
    params, detector = context
    return map_documents(docs, params, detector)


def key_fingerprint(params: Params) -> str:
    """A hash of the band keys of fixed probe texts: equal when two runs key text the same way."""
    keys, owners = unit_band_keys(PROBE, params)
    return xxhash.xxh3_64_hexdigest(keys.tobytes() + owners.tobytes())
