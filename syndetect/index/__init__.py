"""The persistent index and ``check``.

``index`` (the :class:`Index`), ``check`` (the check path: the scan's
verification, rules and measures against a store), ``prepare`` (documents
to stored records and band keys), ``allowlist``, ``results`` (verdicts and
stats), ``stores/`` (memory, SQLite, Redis behind one protocol).
"""

from syndetect.core.measures import content_hash  # noqa: F401
from syndetect.index.allowlist import Allowlist  # noqa: F401
from syndetect.index.index import MEMORY, SCHEMA_VERSION, Index  # noqa: F401
from syndetect.index.prepare import key_fingerprint, unit_band_keys  # noqa: F401
from syndetect.index.results import (  # noqa: F401
    AddResult,
    IndexedDocument,
    IndexMatch,
    IndexStats,
    MatchedDocument,
    Verdict,
)
from syndetect.index.stores.sqlite import INDEX_FILE, migrate  # noqa: F401

__all__ = [
    "Index", "Verdict", "IndexMatch", "MatchedDocument", "IndexStats", "IndexedDocument", "AddResult", "Allowlist",
    "content_hash", "unit_band_keys", "key_fingerprint", "SCHEMA_VERSION", "INDEX_FILE", "MEMORY",
    "migrate",
]
