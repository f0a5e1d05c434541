"""syndetect: find syndicated and reused text across news outlets.

Library first; the ``syndetect`` command is a thin layer over it::

    from syndetect import scan, read_inputs, Params
    report = scan(read_inputs(["fixtures/seeds"]), Params())
"""

__version__ = "0.1.0"

from syndetect.config import Params  # noqa: E402
from syndetect.errors import ExitCode, IndexStoreError, InputError, ParameterError, SyndetectError  # noqa: E402
from syndetect.model import (  # noqa: E402
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
from syndetect.pipeline.scan import scan  # noqa: E402
from syndetect.readers.inputs import read_inputs  # noqa: E402

__all__ = [
    "__version__", "Params", "scan", "read_inputs", "Report", "Document", "Paragraph", "Match", "Member",
    "Cluster", "BoilerplateFlag", "ProvenanceEdge", "Skipped", "ExitCode", "SyndetectError", "InputError",
    "ParameterError", "IndexStoreError",
]


def __getattr__(name):  # lazy: the index pulls in sqlite3 / redis only when used
    if name in ("Index", "Verdict", "Allowlist"):
        from syndetect import index

        return getattr(index, name)
    raise AttributeError(name)
