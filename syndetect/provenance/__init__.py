"""Provenance: evidence per document (evidence), the wires registry (wires) and the inference of who copied whom."""

from syndetect.provenance.evidence import EVIDENCE_KINDS, DocEvidence, collect_evidence, parse_date  # noqa: F401
from syndetect.provenance.inference import infer_provenance  # noqa: F401
from syndetect.provenance.wires import Wire, Wires, registrable_domain  # noqa: F401

__all__ = [
    "infer_provenance", "collect_evidence", "DocEvidence", "parse_date", "EVIDENCE_KINDS", "Wire", "Wires",
    "registrable_domain",
]
