"""The scan pipeline: stages over batches of records (``stages``), run by an executor (``executors``),
orchestrated by ``scan`` (the module; the function is :func:`syndetect.scan`); the boilerplate rules are reached through ``rules``.

The names are imported on first use (PEP 562): ``check`` imports ``stages``
and ``rules`` without the scan's orchestration."""

from __future__ import annotations

from typing import TYPE_CHECKING

from syndetect._lazy import lazy_names

_EXECUTORS = ("Executor", "ProcessExecutor", "SerialExecutor", "chunk_size", "collector_paused", "default_workers",
              "make_executor")
_STAGES = ("PairBatch", "UnitBatch", "exact_repeats", "group_candidates", "map_units", "pair_batch", "paragraphs_of",
           "verify_pairs")
_LAZY = {
    **{n: "syndetect.pipeline.executors" for n in _EXECUTORS},
    **{n: "syndetect.pipeline.stages" for n in _STAGES},
    "Progress": "syndetect.pipeline.scan",
}

# the scan itself is ``syndetect.scan`` (``syndetect.pipeline.scan`` is its module)
__all__ = [
    "map_units", "group_candidates", "verify_pairs", "exact_repeats", "paragraphs_of", "pair_batch",
    "UnitBatch", "PairBatch", "Progress", "Executor", "SerialExecutor", "ProcessExecutor", "make_executor",
    "default_workers", "chunk_size", "collector_paused",
]

if TYPE_CHECKING:
    from syndetect.pipeline.executors import (
        Executor,
        ProcessExecutor,
        SerialExecutor,
        chunk_size,
        collector_paused,
        default_workers,
        make_executor,
    )
    from syndetect.pipeline.scan import Progress
    from syndetect.pipeline.stages import (
        PairBatch,
        UnitBatch,
        exact_repeats,
        group_candidates,
        map_units,
        pair_batch,
        paragraphs_of,
        verify_pairs,
    )


__getattr__, __dir__ = lazy_names('syndetect.pipeline', _LAZY, globals())
