"""Readers: files, directories and streams into documents (or skipped inputs).

One reader per input kind behind :class:`~syndetect.readers.base.Reader`
(text/Markdown, JSONL, CSV/TSV, HTML, WARC), chosen by suffix and content;
compression (gzip, bz2, xz, zstd) by magic bytes for all of them.
"""

from syndetect.readers.base import REGISTRY, Reader, ReaderOptions, Source, register  # noqa: F401
from syndetect.readers.inputs import (  # noqa: F401
    SUFFIXES,
    TEXT_SUFFIXES,
    Inputs,
    read_csv,
    read_inputs,
    read_jsonl,
    read_text_file,
)

__all__ = [
    "read_inputs", "Inputs", "ReaderOptions", "Reader", "Source", "REGISTRY", "register",
    "read_jsonl", "read_csv", "read_text_file", "TEXT_SUFFIXES", "SUFFIXES",
]
