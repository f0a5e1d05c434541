"""Quoted speech in a checked document: ``syndetect check --ignore-quoted``.

Newsrooms quote the same official statements all the time. A span counts as
quoted speech when nearly all of it lies inside quotation marks and the quote
is attributed to a speaker ("…," a statement read; the ministry said "…"; "…,"
he claimed, adding that "…"). The quotation and attribution rules are the
provenance stage's (:mod:`syndetect.provenance.inference`), so a check and a
scan agree on what a quoted statement is. Verbatim paragraphs outside quotes
are never quoted speech.
"""

from __future__ import annotations

from syndetect.provenance.inference import _QUOTES, _quoted_share, _speaker

__all__ = ["quoted_speech", "MIN_QUOTED_SHARE"]

MIN_QUOTED_SHARE = 0.8  # at least this share of the span's characters inside quotation marks


def quoted_speech(paragraph: str, start: int, end: int) -> str | None:
    """Why ``paragraph[start:end]`` is quoted, attributed speech (``None``: it is not).

    Attribution is looked for around every quotation that overlaps the span:
    before its opening mark and after its closing mark (which also finds an
    attribution between two quotes inside the span).
    """
    if end <= start or _quoted_share(paragraph, start, end) < MIN_QUOTED_SHARE:
        return None
    marks = [m.start() for m in _QUOTES.finditer(paragraph)]
    regions = list(zip(marks[0::2], marks[1::2]))
    if len(marks) % 2:
        regions.append((marks[-1], len(paragraph)))
    for open_at, close_at in regions:
        if close_at < start or open_at >= end:
            continue
        attributed, who = _speaker(paragraph, open_at, close_at)
        if attributed:
            return "quoted speech" + (f" attributed to {who}" if who else "") + " (--ignore-quoted)"
    return None
