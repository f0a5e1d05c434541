"""Provenance: evidence per document and the inference of who copied whom."""

from syndetect.provenance.inference import WIRES, DocEvidence, infer_provenance, parse_date  # noqa: F401

__all__ = ["infer_provenance", "DocEvidence", "parse_date", "WIRES"]
