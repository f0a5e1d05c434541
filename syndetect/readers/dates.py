"""Dates in any common form, to ISO 8601 (timezones kept, precision kept).

:func:`parse_date` reads ISO 8601, RFC 2822 (``Thu, 18 Jan 2024 08:00:00
GMT``), human forms through python-dateutil (``January 18, 2024``,
``18 Jan 2024 8:00 am EST``) and relative ones (``18 hours ago``,
``yesterday``) when a reference time (the crawl date) is known. A date
without a time stays a date (``2024-01-18``); a time without a zone stays
naive; a zone given is kept (``2024-01-18T08:00:00+00:00``).

:func:`find_dateline` looks for a date in the first lines of an article's
text ("January 15, 2008 - 11:16 AM", "Updated: 18 Jan 2024",
"date 2024-01-18 Islamabad …").

Every date a reader finds comes with ``date_source``: ``kind:detail`` where
kind is ``field`` (a JSONL/CSV field), ``front-matter``, ``html-meta`` (a
page's own metadata tag), ``html`` (htmldate's reading of the page),
``dateline`` (the text's first lines) or ``relative`` (resolved against the
crawl date).
"""

from __future__ import annotations

import re
import warnings
from datetime import UTC, date, datetime, timedelta
from functools import cache

__all__ = ["parse_date", "parse_datetime", "find_dateline"]

# Zone abbreviations news pages print. IST is India Standard Time here (the
# usual meaning in English-language news), not Irish or Israel time.
_TZINFOS = {
    "UTC": 0, "GMT": 0, "Z": 0, "UT": 0,
    "EST": -5 * 3600, "EDT": -4 * 3600, "CST": -6 * 3600, "CDT": -5 * 3600,
    "MST": -7 * 3600, "MDT": -6 * 3600, "PST": -8 * 3600, "PDT": -7 * 3600,
    "ET": None, "PT": None,  # ambiguous (standard or daylight): read, zone left out
    "BST": 3600, "CET": 3600, "CEST": 2 * 3600, "EET": 2 * 3600, "EEST": 3 * 3600,
    "IST": 5 * 3600 + 1800, "PKT": 5 * 3600, "JST": 9 * 3600, "AEST": 10 * 3600, "AEDT": 11 * 3600,
}
_UNITS = {
    "second": timedelta(seconds=1), "minute": timedelta(minutes=1), "hour": timedelta(hours=1),
    "day": timedelta(days=1), "week": timedelta(weeks=1), "month": timedelta(days=30), "year": timedelta(days=365),
}
_RELATIVE = re.compile(
    r"^(?:(?:updated|published|posted)\s*:?\s*)?(?P<n>\d+|an?|one)\s*(?P<unit>sec(?:ond)?|min(?:ute)?|hr|hour|day|week|month|year)s?\s+ago$",
    re.IGNORECASE,
)
_WORDS = {"today": 0, "yesterday": 1}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_RFC2822 = re.compile(
    r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{2}:\d{2}(?::\d{2})?\s*(?:[+-]\d{4}|[A-Z]{1,5})?$"
)
_LABEL_PREFIX = re.compile(r"^(?:(?:last\s+)?updated|first\s+published|published|posted|date)\s*[:\-–—]?\s*", re.IGNORECASE)


def _iso(dt: datetime | date) -> str:
    if isinstance(dt, datetime):
        return dt.isoformat()
    return dt.isoformat()


def _unit(name: str) -> timedelta:
    name = name.lower()
    for key, delta in _UNITS.items():
        if key.startswith(name[:3]) or (name == "hr" and key == "hour"):
            return delta
    raise KeyError(name)


def _relative(value: str, crawled: datetime | None) -> datetime | date | None:
    if crawled is None:
        return None
    v = value.strip().lower()
    if v in _WORDS:
        return (crawled - timedelta(days=_WORDS[v])).date()
    m = _RELATIVE.match(v)
    if not m:
        return None
    n = 1 if m.group("n") in ("a", "an", "one") else int(m.group("n"))
    delta = _unit(m.group("unit"))
    when = crawled - n * delta
    return when if delta < timedelta(days=1) else when.date()


def parse_datetime(value: str | None, crawled: datetime | None = None) -> tuple[datetime | date, str] | None:
    """``(value, how)`` with ``how`` in ``iso``, ``rfc2822``, ``human``, ``relative``; ``None`` if not a date."""
    if not value or not isinstance(value, str):
        return None
    v = " ".join(value.split())
    if not v or len(v) > 80:
        return None
    if _ISO_DATE.match(v):
        try:
            return date.fromisoformat(v), "iso"
        except ValueError:
            return None
    if v[:4].isdigit() and len(v) > 10 and v[4] == "-":
        try:
            return datetime.fromisoformat(v.replace("z", "Z")), "iso"
        except ValueError:
            pass
    v = _LABEL_PREFIX.sub("", v) or v
    if _RFC2822.match(v):
        from email.utils import parsedate_to_datetime  # only for such dates (its import costs a check ~20 ms)

        try:
            dt = parsedate_to_datetime(v)
        except (TypeError, ValueError, IndexError):
            dt = None
        if dt is not None:
            return dt, "rfc2822"
    rel = _relative(v, crawled)
    if rel is not None:
        return rel, "relative"
    return _human(v)


def _human(v: str) -> tuple[datetime | date, str] | None:
    from dateutil import parser
    from dateutil.tz import tzoffset

    if not re.search(r"\d", v) or not re.search(r"\d{4}", v):  # a year must be written out
        return None
    text = re.sub(r"(?<=\d)\s*-\s*(?=\d{1,2}:\d{2})", " ", v)  # "January 15, 2008 - 11:16 AM"
    text = re.sub(r"\b(a\.m\.|p\.m\.)", lambda m: m.group(1).replace(".", ""), text, flags=re.IGNORECASE)
    text = re.sub(r"\s+at\s+(?=\d)", " ", text, flags=re.IGNORECASE)
    text = re.sub(r"(?<=\d{4} )(\d{1,2})\.(\d{2})\b", r"\1:\2", text)  # "19 Nov 2019 10.32 GMT"
    tzinfos = {k: (tzoffset(k, s) if s is not None else None) for k, s in _TZINFOS.items()}
    a = datetime(1, 1, 1, 0, 0, 0)
    b = datetime(2, 2, 2, 1, 1, 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            one = parser.parse(text, default=a, tzinfos=tzinfos)
            two = parser.parse(text, default=b, tzinfos=tzinfos)
    except (ValueError, OverflowError, TypeError, parser.ParserError):
        return None
    if (one.year, one.month, one.day) != (two.year, two.month, two.day):
        return None  # year, month or day missing
    if not 1800 <= one.year <= 2200:
        return None
    if one.time() == two.time() and one.tzinfo is None and not re.search(r"\d:\d\d", text):
        return one.date(), "human"
    if one.hour != two.hour:  # no time given (only a zone, say)
        return one.date(), "human"
    return one, "human"


def parse_date(value: str | None, crawled: datetime | None = None) -> str | None:
    """``value`` as an ISO 8601 string (date or datetime, zone kept), or ``None`` if it is not a date."""
    got = parse_datetime(value, crawled)
    return _iso(got[0]) if got else None


def parse_crawled(value: str | None) -> datetime | None:
    """A WARC-Date (or any ISO/RFC 2822 timestamp) as an aware datetime (UTC when no zone is given)."""
    got = parse_datetime(value)
    if got is None or not isinstance(got[0], datetime):
        return None
    dt = got[0]
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


_LABEL = r"(?:(?:last\s+)?updated|first\s+published|published|posted|date|on)\s*[:\-–—]?\s*"
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
_TIME = r"(?:\s*(?:[-–—|,@]|at)?\s*\d{1,2}[:.]\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?(?:\s*\(?[A-Z]{2,4}\)?)?)?"
_DATE_EXPR = (
    r"(?P<date>"
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?"  # ISO
    rf"|{_WEEKDAY}{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}{_TIME}"  # January 15, 2008 - 11:16 AM
    rf"|{_WEEKDAY}\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+\d{{4}}{_TIME}"  # 18 Jan 2024 08:00 GMT
    r"|(?:\d+|an?)\s+(?:second|minute|hour|day|week|month|year)s?\s+ago"  # 18 hours ago
    r")"
)


@cache  # on first use: `re` parses these in Python (≈ 5 ms), which a process reading no dateline need not pay
def _dateline_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """``(at the start of a line, later in a short line)``."""
    at_start = re.compile(rf"^\W{{0,3}}(?:{_LABEL})?{_DATE_EXPR}", re.IGNORECASE)
    # later in a short line, a date stamp follows a separator or a label ("By X | Jan 15, 2008", "Date: [2008-01-15]",
    # "Story by X on Jan 15, 2008"), never a word of a sentence: "As of 29 November 2018, thirty artworks …" is a
    # headline
    anywhere = re.compile(rf"(?:(?:^|[|•·,(\[:—–-])\s*(?:{_LABEL})?|\s{_LABEL}){_DATE_EXPR}", re.IGNORECASE)
    return at_start, anywhere


_SHORT_LINE = 100  # a line this short may hold its date stamp anywhere (a byline)


def find_dateline(text: str, crawled: datetime | None = None, lines: int = 5) -> tuple[str, str] | None:
    """``(iso date, date_source)`` from the text's first non-blank lines, or ``None``.

    ``date_source`` is ``dateline:<the matched text>``, or ``relative:<it>``
    when it was relative ("18 hours ago") and resolved against ``crawled``.
    """
    seen = 0
    at_start, anywhere = _dateline_patterns()
    for line in text[:2000].splitlines():
        if not line.strip():
            continue
        seen += 1
        if seen > lines:
            break
        m = at_start.match(line) or (anywhere.search(line) if len(line.strip()) <= _SHORT_LINE else None)
        if m:
            got = parse_datetime(m.group("date").strip(" -–—|,"), crawled)
            if got:
                kind = "relative" if got[1] == "relative" else "dateline"
                return _iso(got[0]), f"{kind}:{m.group(0).strip(' -–—|,•·(')}"
    return None
