"""The scan pipeline: stages over batches of records (``stages``), run by an executor (``executors``),
orchestrated by ``scan``; the boilerplate rules are reached through ``rules``."""

from syndetect.pipeline.executors import (  # noqa: F401
    Executor,
    ProcessExecutor,
    SerialExecutor,
    chunk_size,
    collector_paused,
    default_workers,
    make_executor,
)
from syndetect.pipeline.scan import Progress, scan  # noqa: F401
from syndetect.pipeline.stages import (  # noqa: F401
    PairBatch,
    UnitBatch,
    exact_repeats,
    group_candidates,
    map_units,
    pair_batch,
    paragraphs_of,
    verify_pairs,
)

__all__ = [
    "scan", "map_units", "group_candidates", "verify_pairs", "exact_repeats", "paragraphs_of", "pair_batch",
    "UnitBatch", "PairBatch", "Progress", "Executor", "SerialExecutor", "ProcessExecutor", "make_executor",
    "default_workers", "chunk_size", "collector_paused",
]
