"""Records (a JSONL line, a CSV row, front matter) to documents: field mapping and aliases.

Each document field is taken from the field named by its option
(``--text-field body``) or, without one, from the first of its aliases the
record has (exact name first, then case-insensitively):

========== ==========================================================================
id         id, doc_id, document_id, article_id, guid, uuid
text       text, body, content, article, articleBody, article_body, full_text, maintext
title      title, headline, heading
published  published, date, pubDate, pubdate, published_at, publishedAt, publication_date,
           datePublished, date_published, pub_date, issued
outlet     outlet, source, site, series (passim), publisher, publication, site_name, sitename
url        url, link, uri, canonical_url
crawled    crawled, crawled_at, crawl_date, fetched_at, warc_date
========== ==========================================================================

Every other field is kept in ``meta`` (passed through to the report, as
passim does), and so is a date field that is not a date. A record without
an id gets ``<file id>:<line>``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from syndetect.model import Document, Skipped
from syndetect.readers.base import ReaderOptions, skip
from syndetect.readers.dates import find_dateline, parse_crawled, parse_date
from syndetect.safety import has_article_text

__all__ = ["ALIASES", "record_to_document", "pick", "date_from_value"]

ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "doc_id", "document_id", "article_id", "guid", "uuid"),
    "text": ("text", "body", "content", "article", "articleBody", "article_body", "full_text", "maintext"),
    "title": ("title", "headline", "heading"),
    "published": (
        "published", "date", "pubDate", "pubdate", "published_at", "publishedAt", "publication_date",
        "datePublished", "date_published", "pub_date", "issued",
    ),
    "outlet": ("outlet", "source", "site", "series", "publisher", "publication", "site_name", "sitename"),
    "url": ("url", "link", "uri", "canonical_url"),
    "crawled": ("crawled", "crawled_at", "crawl_date", "fetched_at", "warc_date"),
}
_OPTION = {"id": "--id-field", "text": "--text-field", "title": "--title-field", "published": "--date-field",
           "outlet": "--outlet-field", "url": "--url-field"}


def pick(keys: list[str] | tuple[str, ...], name: str, options: ReaderOptions) -> str | None:
    """The key of ``keys`` that holds document field ``name`` (option, else the first alias present)."""
    chosen = options.field_for(name)
    if chosen is not None:
        return chosen if chosen in keys else None
    present = set(keys)
    for alias in ALIASES[name]:
        if alias in present:
            return alias
    lower = {k.lower(): k for k in reversed(keys) if isinstance(k, str)}
    for alias in ALIASES[name]:
        if alias.lower() in lower:
            return lower[alias.lower()]
    return None


_FIELDS: dict[tuple[tuple[str, ...], ReaderOptions], dict[str, str | None]] = {}


def _fields(keys: tuple[str, ...], options: ReaderOptions) -> dict[str, str | None]:
    """``{name: pick(keys, name, options)}`` for every document field, once per distinct key list (the
    records of a file mostly share one)."""
    got = _FIELDS.get((keys, options))
    if got is None:
        if len(_FIELDS) >= 1024:  # records of ever new shapes: bounded
            _FIELDS.clear()
        got = _FIELDS[(keys, options)] = {name: pick(keys, name, options) for name in ALIASES}
    return got


def _epoch(value: float) -> str | None:
    if 1e8 <= value < 1e10:  # seconds since 1970 (1973 … 2286)
        return datetime.fromtimestamp(value, tz=UTC).isoformat()
    if 1e11 <= value < 1e13:  # milliseconds
        return datetime.fromtimestamp(value / 1000, tz=UTC).isoformat()
    return None


def date_from_value(value: Any, crawled: datetime | None = None) -> str | None:
    """A field's value as an ISO date (strings in any format :func:`parse_date` reads, or Unix epochs)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return _epoch(float(value))
    if isinstance(value, str):
        s = value.strip()
        if s.isdigit() and len(s) in (10, 13):
            return _epoch(float(s))
        return parse_date(s, crawled)
    return None


def _as_text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, str) else str(value)


def record_to_document(
    obj: object, source: str, line: int | None, options: ReaderOptions, default_id: str,
    *, where: str | None = None, date_kind: str = "field",
) -> Document | Skipped:
    """A document from one record, or why not. ``where`` is the document's ``source`` (default ``source:line``)."""
    if not isinstance(obj, dict):
        return skip(source, f"expected a JSON object, got {type(obj).__name__}", line)
    used = _fields(tuple(k for k in obj if isinstance(k, str)), options)
    text_key = used["text"]
    if text_key is None:
        opt = options.field_for("text")
        what = f"{opt!r} ({_OPTION['text']})" if opt else "'text' (or body, content, article; see --text-field)"
        return skip(source, f"missing required field {what}", line)
    text = obj[text_key]
    if text is None or text == "":
        return skip(source, f"missing required field {text_key!r}", line)
    if not isinstance(text, str):
        return skip(source, f"field {text_key!r} must be a string", line)
    if not has_article_text(text):
        return skip(source, f"field {text_key!r} is blank (only blanks or invisible characters)", line)
    id_key = used["id"]
    if id_key is None and options.id_field:
        return skip(source, f"missing required field {options.id_field!r} ({_OPTION['id']})", line)
    doc_id: Any = default_id if id_key is None else obj[id_key]
    if doc_id is None or doc_id == "":
        return skip(source, f"missing required field {id_key!r}", line)
    if not isinstance(doc_id, (str, int)) or isinstance(doc_id, bool):
        return skip(source, f"field {id_key!r} must be a string or integer", line)
    crawled_raw = _as_text(obj.get(used["crawled"])) if used["crawled"] else None
    crawled_dt = parse_crawled(crawled_raw) if crawled_raw else None
    taken = set(used.values())
    meta = {k: v for k, v in obj.items() if k not in taken}
    published = date_source = None
    date_key = used["published"]
    if date_key is not None and obj[date_key] not in (None, ""):
        published = date_from_value(obj[date_key], crawled_dt)
        if published is not None:
            date_source = f"{date_kind}:{date_key}"
        else:
            meta[date_key] = obj[date_key]  # not a date: kept as it was
    if published is None:
        found = find_dateline(text, crawled_dt)
        if found:
            published, date_source = found
    return Document(
        id=str(doc_id),
        text=text,
        source=where if where is not None else (f"{source}:{line}" if line is not None else source),
        title=_as_text(obj.get(used["title"])) if used["title"] else None,
        outlet=_as_text(obj.get(used["outlet"])) if used["outlet"] else None,
        url=_as_text(obj.get(used["url"])) if used["url"] else None,
        published=published,
        date_source=date_source,
        crawled=crawled_dt.isoformat() if crawled_dt else None,
        meta=meta or None,
    )
