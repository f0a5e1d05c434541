"""syndetect: find syndicated and reused text across news outlets.

Library first; the ``syndetect`` command is a thin layer over it::

    from syndetect import scan, read_inputs, Params
    report = scan(read_inputs(["fixtures/seeds"]), Params())

The names are imported on first use (PEP 562), so ``syndetect check`` does
not pay for the scan pipeline, the readers or the index it does not use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from syndetect._lazy import lazy_names

__version__ = "0.1.0"

_LAZY = {
    "Params": "syndetect.config",
    **{n: "syndetect.errors" for n in ("ExitCode", "IndexStoreError", "InputError", "ParameterError", "SyndetectError")},
    **{
        n: "syndetect.model"
        for n in ("BoilerplateFlag", "Cluster", "Document", "Match", "Member", "Paragraph", "ProvenanceEdge", "Report",
                  "Skipped")
    },
    "scan": "syndetect.pipeline.scan",
    "read_inputs": "syndetect.readers.inputs",
    "Index": "syndetect.index", "Verdict": "syndetect.index", "Allowlist": "syndetect.index",
}

__all__ = [
    "__version__", "Params", "scan", "read_inputs", "Report", "Document", "Paragraph", "Match", "Member",
    "Cluster", "BoilerplateFlag", "ProvenanceEdge", "Skipped", "ExitCode", "SyndetectError", "InputError",
    "ParameterError", "IndexStoreError",
]

if TYPE_CHECKING:
    from syndetect.config import Params
    from syndetect.errors import ExitCode, IndexStoreError, InputError, ParameterError, SyndetectError
    from syndetect.index import Allowlist, Index, Verdict  # noqa: F401  (not in __all__: the index is opt-in)
    from syndetect.model import (
        BoilerplateFlag,
        Cluster,
        Document,
        Match,
        Member,
        Paragraph,
        ProvenanceEdge,
        Report,
        Skipped,
    )
    from syndetect.pipeline.scan import scan
    from syndetect.readers.inputs import read_inputs


__getattr__, __dir__ = lazy_names('syndetect', _LAZY, globals())
