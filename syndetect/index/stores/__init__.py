"""Index stores behind one protocol (``base``): ``memory`` (the reference), ``sqlite``, ``redis``."""

from syndetect.index.stores.base import IndexedParagraph, KeysOf, PreparedDocument, Reader, Store  # noqa: F401
from syndetect.index.stores.memory import MemoryStore  # noqa: F401
from syndetect.index.stores.sqlite import INDEX_FILE, SQLiteStore  # noqa: F401

__all__ = ["Reader", "Store", "KeysOf", "PreparedDocument", "IndexedParagraph", "MemoryStore", "SQLiteStore",
           "INDEX_FILE"]
