"""The persistent index and `check`."""

from syndetect.index.core import (  # noqa: F401
    Index,
    Verdict,
    IndexMatch,
    MatchedDocument,
    IndexStats,
    IndexedDocument,
    AddResult,
    Allowlist,
    content_hash,
    SCHEMA_VERSION,
    INDEX_FILE,
)

__all__ = ["Index", "Verdict", "IndexMatch", "MatchedDocument", "IndexStats", "IndexedDocument", "AddResult", "Allowlist", "content_hash", "SCHEMA_VERSION", "INDEX_FILE"]
