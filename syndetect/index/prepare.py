"""The map step of ``index add`` and ``check``: documents to stored records and band keys.

The same stages as the scan (:func:`syndetect.pipeline.stages.map_units`,
the boilerplate rules through :mod:`syndetect.pipeline.rules`), so an
indexed paragraph is keyed exactly as a scanned one.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

import numpy as np
import xxhash

from syndetect.config import Params
from syndetect.index.stores.base import EMPTY, PreparedDocument
from syndetect.model import Document
from syndetect.pipeline import rules
from syndetect.pipeline.rules import Boilerplate
from syndetect.pipeline.stages import map_units, paragraphs_of

__all__ = ["unit_band_keys", "prepare_documents", "prepare_task", "key_fingerprint", "PROBE"]

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


def prepare_documents(docs: Sequence[Document], params: Params, detector: Boilerplate) -> list[PreparedDocument]:
    """Paragraphs, boilerplate flags and band keys of a batch of documents."""
    pars_of = [paragraphs_of(d) for d in docs]
    flags = rules.detect(detector, list(docs), [p for ps in pars_of for p in ps])
    flagged = {(f.doc, f.paragraph) for f in flags}
    sites = rules.site_names(detector)
    out = []
    for doc, pars in zip(docs, pars_of):
        keyed = tuple((doc.id, p.index) not in flagged for p in pars)
        positions = np.array([i for i, k in enumerate(keyed) if k], dtype=np.int64)
        keys, owners = unit_band_keys([p.text for p, k in zip(pars, keyed) if k], params)
        out.append(
            PreparedDocument(
                meta=replace(doc, text=""),
                outlet=rules.outlet_of(doc, sites),
                text_hash=xxhash.xxh3_64_hexdigest(doc.text.encode("utf-8")),
                paragraphs=tuple(pars),
                keyed=keyed,
                keys=keys,
                owners=positions[owners] if len(owners) else EMPTY,
                content_chars=sum(len(p.text) for p, k in zip(pars, keyed) if k),
            )
        )
    return out


def prepare_task(context: tuple[Params, Boilerplate], docs: Sequence[Document]) -> list[PreparedDocument]:
    """:func:`prepare_documents` in the form executors call."""
    params, detector = context
    return prepare_documents(docs, params, detector)


def key_fingerprint(params: Params) -> str:
    """A hash of the band keys of fixed probe texts: equal when two runs key text the same way."""
    keys, owners = unit_band_keys(PROBE, params)
    return xxhash.xxh3_64_hexdigest(keys.tobytes() + owners.tobytes())
