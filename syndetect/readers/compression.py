"""Compression by magic bytes (never by suffix): gzip, bz2, xz, zstd.

Every reader gets a decompressed binary stream; a ``.jsonl.gz`` is a JSONL
file and a ``page.html.zst`` an HTML page. Suffixes only help name things
(:func:`strip_suffixes`), the bytes decide how a file is opened.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
from typing import IO, BinaryIO, cast

__all__ = ["MAGIC", "COMPRESSION_SUFFIXES", "detect", "open_stream", "strip_suffixes"]

MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bz2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
)
COMPRESSION_SUFFIXES = {".gz", ".gzip", ".bz2", ".xz", ".zst", ".zstd", ".lzma"}


def detect(head: bytes) -> str | None:
    """The compression of a stream from its first bytes, or ``None``."""
    for magic, name in MAGIC:
        if head.startswith(magic):
            return name
    return None


def open_stream(raw: BinaryIO, kind: str | None) -> IO[bytes]:
    """A decompressing reader over ``raw`` (returned as is when ``kind`` is ``None``)."""
    if kind is None:
        return raw
    if kind == "gzip":
        return cast(IO[bytes], gzip.GzipFile(fileobj=raw, mode="rb"))
    if kind == "bz2":
        return cast(IO[bytes], bz2.BZ2File(raw, mode="rb"))
    if kind == "xz":
        return cast(IO[bytes], lzma.LZMAFile(raw, mode="rb"))
    if kind == "zstd":
        import zstandard

        # read_across_frames: files written frame by frame (zstd CLI, streaming writers) are read whole
        return io.BufferedReader(zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True))
    raise ValueError(f"unknown compression {kind!r}")


def strip_suffixes(name: str) -> tuple[str, str]:
    """``("story", ".html")`` from ``story.html.gz``: the name without compression and format suffixes, and the format suffix."""
    lower = name.lower()
    for suffix in sorted(COMPRESSION_SUFFIXES, key=len, reverse=True):
        if lower.endswith(suffix) and len(name) > len(suffix):
            name, lower = name[: -len(suffix)], lower[: -len(suffix)]
            break
    dot = name.rfind(".")
    if dot <= 0:
        return name, ""
    return name[:dot], name[dot:].lower()
