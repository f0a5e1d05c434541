"""The scan pipeline: stages over batches of records, run by an executor."""

from syndetect.pipeline.scan import (  # noqa: F401
    Progress, UnitBatch, exact_repeats, group_candidates, map_units, paragraphs_of, scan, verify_pairs,
)

__all__ = ["scan", "map_units", "group_candidates", "verify_pairs", "exact_repeats", "paragraphs_of", "UnitBatch", "Progress"]
