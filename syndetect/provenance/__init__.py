"""Provenance: evidence per document (evidence), the wires registry (wires) and the inference of who copied whom.

The names are imported on first use (PEP 562): the boilerplate rules need
only ``wires``, and ``check`` none of the inference."""

from __future__ import annotations

from typing import TYPE_CHECKING

from syndetect._lazy import lazy_names

_LAZY = {
    **{n: "syndetect.provenance.evidence" for n in ("EVIDENCE_KINDS", "DocEvidence", "collect_evidence", "parse_date")},
    "infer_provenance": "syndetect.provenance.inference",
    **{n: "syndetect.provenance.wires" for n in ("Wire", "Wires", "registrable_domain")},
}

__all__ = [
    "infer_provenance", "collect_evidence", "DocEvidence", "parse_date", "EVIDENCE_KINDS", "Wire", "Wires",
    "registrable_domain",
]

if TYPE_CHECKING:
    from syndetect.provenance.evidence import EVIDENCE_KINDS, DocEvidence, collect_evidence, parse_date
    from syndetect.provenance.inference import infer_provenance
    from syndetect.provenance.wires import Wire, Wires, registrable_domain


__getattr__, __dir__ = lazy_names('syndetect.provenance', _LAZY, globals())
