"""Measures shared by the scan and ``check``: passage fingerprints and covered fractions.

One definition each, so a scan report and a check verdict say the same
thing about the same text: a cluster's ``fingerprint`` equals the ``hash`` of
a check match of the same passage, and a ``reused_fraction`` is computed the
same way in both.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Hashable, Iterable, Mapping
from typing import Any

import xxhash

from syndetect.core.text import normalize_text
from syndetect.model import Paragraph

__all__ = ["content_hash", "fraction", "covered_chars", "covered_fraction", "content_chars"]


def content_hash(text: str) -> str:
    """The content hash of a passage: ``xxh3_64`` (hex) of its normalised text.

    Survives changes of case, punctuation and spacing, and edits elsewhere in
    the file.
    """
    return xxhash.xxh3_64_hexdigest(normalize_text(text).encode("utf-8"))


def fraction(covered: int, total: int) -> float:
    """``covered / total`` rounded to 4 places, at most 1; 0 when ``total`` is 0."""
    return round(min(covered / total, 1.0), 4) if total else 0.0


def covered_chars(ranges: Mapping[Any, Iterable[tuple[int, int]]]) -> int:
    """Characters inside the ``(start, end)`` ranges of each paragraph, overlaps counted once."""
    from syndetect.core.cluster import merge_ranges  # (cluster.py imports this module)

    return sum(e - s for rs in ranges.values() for s, e in merge_ranges(rs))


def covered_fraction(spans: Iterable[tuple[Hashable, int, int]], total: int) -> float:
    """Share of ``total`` characters inside ``(paragraph, start, end)`` spans (:func:`fraction`)."""
    if not total:
        return 0.0
    ranges: dict[Hashable, list[tuple[int, int]]] = defaultdict(list)
    for par, s, e in spans:
        ranges[par].append((s, e))
    return fraction(covered_chars(ranges), total)


def content_chars(paragraphs: Iterable[Paragraph], flagged: Collection[tuple[str, int]]) -> dict[str, int]:
    """Characters of each document's paragraphs that are not boilerplate (``(doc, paragraph)`` in ``flagged``)."""
    out: dict[str, int] = {}
    for p in paragraphs:
        n = out.get(p.doc, 0)
        out[p.doc] = n if (p.doc, p.index) in flagged else n + len(p.text)
    return out
