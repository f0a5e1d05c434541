"""HTML pages through trafilatura: main text (paragraphs kept), title, date, site name, URL, language.

Nothing here touches the network: trafilatura, htmldate and courlan get the
page's markup (an lxml tree), never a URL to fetch.

The publication date, strongest first — the article's own statements before
anything found elsewhere on the page:

1. the page's own metadata tags (``article:published_time``, ``datePublished``
   in JSON-LD or microdata, ``pubdate``, Dublin Core …, read with their time and
   zone; ``date_source`` ``html-meta:<name>``);
2. the first ``<time>`` of the page's main ``<article>`` (the one with most
   text; its ``datetime`` attribute, else its text; an "updated" stamp passed
   over; ``html-article:time``): the article's own date stamp, not a related
   story's in the page furniture;
3. a dateline in the first lines of the extracted text (``dateline:<text>``);
4. htmldate's reading of the page (``html:htmldate``): a *guess*, which may come
   from page furniture (a copyright year, a related story's time stamp, the
   oldest date anywhere on the page). It is reported, and provenance never
   takes it as a publication date (:data:`syndetect.provenance.evidence.GUESSED_DATE_SOURCES`).

A page's crawl date (from a WARC) is only used to resolve relative datelines
("18 hours ago").

The outlet is the site name the page declares in its metadata (``og:site_name``,
``application-name``, a publisher tag, JSON-LD ``publisher``); without one it is
left to the page's URL (the WARC target URI, else the canonical link or
``og:url``): trafilatura's fallback of a part of the ``<title>`` (often the
headline, or a dateline such as "COLUMBIA, S.C. (AP)") is not an outlet.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from itertools import islice
from typing import Any

from syndetect.model import Document, Skipped
from syndetect.readers.base import Item, Reader, ReaderOptions, Source, register, skip
from syndetect.readers.dates import find_dateline, parse_date
from syndetect.readers.encoding import DecodeError, decode

__all__ = ["HtmlReader", "extract_page", "PageResult", "declared_charset"]

_META_DATES = (
    "article:published_time", "og:published_time", "datepublished", "article:published", "published_time",
    "pubdate", "publishdate", "publish-date", "publish_date", "dc.date.issued", "dcterms.issued", "dc.date",
    "dcterms.date", "sailthru.date", "parsely-pub-date", "cxenseparse:recs:publishtime", "date",
)
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.IGNORECASE)
_JSONLD_NAME = re.compile(r'\s*:[^}]{0,600}?"name"\s*:\s*"([^"\\]{1,200})"')
_JSONLD_DATE = re.compile(r'"datePublished"\s*:\s*"([^"]{6,40})"')

PageResult = dict  # the fields of a Document (without id/source), or {"skip": reason}


def declared_charset(head: bytes) -> str | None:
    """The charset a page declares in a ``<meta>`` tag in its first bytes."""
    m = _CHARSET.search(head[:4096])
    return m.group(1).decode("ascii", "replace") if m else None


def _meta_date(tree) -> tuple[str, str] | None:
    """``(iso, name)`` from the page's own date metadata (time and zone kept)."""
    found: dict[str, str] = {}
    for el in tree.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        value = el.get("content")
        if key in _META_DATES and value and key not in found:
            found[key] = value
    for el in tree.iter("time"):
        if el.get("itemprop", "").lower() == "datepublished" or el.get("pubdate") is not None:
            if el.get("datetime"):
                found.setdefault("time[datePublished]", el.get("datetime"))
    for script in tree.iter("script"):
        if (script.get("type") or "").lower() == "application/ld+json" and script.text:
            m = _JSONLD_DATE.search(script.text)
            if m:
                found.setdefault("json-ld:datePublished", json.loads(f'"{m.group(1)}"'))
                break
    order = ["json-ld:datePublished", "time[datePublished]", *_META_DATES]
    for key in order:
        if key in found:
            iso = parse_date(found[key])
            if iso:
                return iso, key
    return None


_SITE_NAME_KEYS = frozenset({
    "og:site_name", "application-name", "twitter:app:name:iphone", "twitter:app:name:googleplay", "twitter:site",
    "article:publisher", "publisher", "dc.publisher", "dc:publisher", "dcterms.publisher", "sailthru.publisher",
})


def _jsonld_names(data: Any, out: set[str], depth: int = 0) -> None:
    """Site names in JSON-LD: a ``publisher``'s name, a ``WebSite``'s or news organisation's name."""
    if depth > 8:
        return
    if isinstance(data, list):
        for x in data:
            _jsonld_names(x, out, depth + 1)
    elif isinstance(data, dict):
        kind = data.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        if any(isinstance(k, str) and (k == "WebSite" or k.endswith("Organization")) for k in kinds):
            if isinstance(data.get("name"), str):
                out.add(data["name"])
        pub = data.get("publisher")
        if isinstance(pub, str):
            out.add(pub)
        elif isinstance(pub, dict) and isinstance(pub.get("name"), str):
            out.add(pub["name"])
        for value in data.values():
            if isinstance(value, dict | list):
                _jsonld_names(value, out, depth + 1)


def declared_site_names(tree) -> set[str]:
    """The site names a page declares in its metadata (meta tags and JSON-LD), lowercased, without a leading '@'."""
    names: set[str] = set()
    for el in tree.iter("meta"):
        key = (el.get("property") or el.get("name") or "").strip().lower()
        value = (el.get("content") or "").strip()
        if key in _SITE_NAME_KEYS and value and not value.startswith(("http://", "https://")):
            names.add(value)
    for script in tree.iter("script"):
        if (script.get("type") or "").lower() == "application/ld+json" and script.text and '"name"' in script.text:
            try:
                _jsonld_names(json.loads(script.text), names)
            except (ValueError, RecursionError):  # invalid JSON-LD is common: the publisher's name as trafilatura reads it
                names.update(_publisher_names(script.text))
    return {k for k in map(_site_key, names) if k}


def _publisher_names(text: str, most: int = 8) -> list[str]:
    """``"publisher": {… "name": "X"`` in JSON-LD that does not parse: in the first few, each read in a bounded window."""
    out: list[str] = []
    at = 0
    for _ in range(most):  # a bounded number of tries: a hostile page may repeat the key a million times
        at = text.find('"publisher"', at)
        if at < 0:
            break
        at += len('"publisher"')
        m = _JSONLD_NAME.match(text, at, at + 1000)
        if m:
            out.append(m.group(1))
    return out


def _site_key(name: str) -> str:
    """A site name compared without case, spaces or a leading '@' (trafilatura joins "Inexhibit magazine")."""
    return "".join(name.strip().lstrip("@").split()).lower()


def _outlet(sitename: str | None, declared: set[str]) -> str | None:
    """trafilatura's site name when the page's metadata declares it, else ``None`` (the URL's host decides)."""
    if not sitename:
        return None
    return sitename if _site_key(sitename) in declared else None


_MODIFIED = re.compile(r"updat|modif|edited", re.IGNORECASE)


def _article_time(tree) -> tuple[str, str] | None:
    """``(iso, "time")`` from the first ``<time>`` of the page's main ``<article>`` (the one with most text: teaser
    cards are ``<article>``s too) that holds a date; an "updated" or "modified" stamp is passed over."""
    articles = list(islice(tree.iter("article"), 64))  # bounded: a hostile page may nest thousands
    if not articles:
        return None
    main = max(articles, key=lambda el: len(el.text_content()))
    for el in main.iter("time"):
        marks = " ".join(filter(None, (el.get("itemprop"), el.get("class"), el.getparent().get("class")
                                       if el.getparent() is not None else None)))
        if _MODIFIED.search(marks):
            continue
        for value in (el.get("datetime"), el.text_content()):
            iso = parse_date(value) if value else None
            if iso:
                return iso, "time"
        return None  # the article's first time stamp holds no date: nothing later is surely the article's
    return None


def _language(tree) -> str | None:
    lang = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
    if not lang:
        for el in tree.iter("meta"):
            key = (el.get("property") or el.get("http-equiv") or el.get("name") or "").lower()
            if key in ("og:locale", "content-language", "language") and el.get("content"):
                lang = el.get("content")
                break
    return lang.strip().replace("_", "-") if lang and lang.strip() else None


def extract_page(
    data: bytes, *, url: str | None = None, crawled: datetime | None = None, charset: str | None = None,
    encoding: str | None = None, max_bytes: int | None = None,
) -> PageResult:
    """Extract one page (bytes as fetched); a dict of document fields, or ``{"skip": reason}``."""
    if max_bytes is not None and len(data) > max_bytes:
        return {"skip": f"page larger than {max_bytes:,} bytes (not read)"}
    try:
        text, note = decode(data, encoding=encoding, declared=charset or declared_charset(data))
    except DecodeError as exc:
        return {"skip": str(exc)}
    if "<" not in text:
        return {"skip": "no HTML markup"}
    import trafilatura
    from trafilatura.utils import load_html

    tree = load_html(text)
    if tree is None:
        return {"skip": "not parseable as HTML"}
    language = _language(tree)
    meta_date = _meta_date(tree)
    stamp = _article_time(tree)  # read before trafilatura prunes the tree
    declared = declared_site_names(tree)
    doc: Any = trafilatura.bare_extraction(
        tree, url=url, with_metadata=True, include_comments=False, include_tables=True, deduplicate=False,
    )
    if doc is None or not (doc.text or "").strip():
        return {"skip": "no article text found in the page"}
    body = doc.text
    published = date_source = None
    if meta_date:
        published, date_source = meta_date[0], f"html-meta:{meta_date[1]}"
    elif stamp is not None:
        published, date_source = stamp[0], f"html-article:{stamp[1]}"
    elif (found := find_dateline(str(body), crawled)) is not None:
        published, date_source = found
    elif doc.date and parse_date(doc.date):
        published, date_source = parse_date(doc.date), "html:htmldate"
    canonical = doc.url if doc.url and doc.url != url else None
    meta = {
        k: v for k, v in (
            ("language", language), ("author", doc.author), ("hostname", doc.hostname),
            ("canonical_url", canonical if url else None),
        ) if v
    }
    return {
        "text": body,
        "title": doc.title or None,
        "outlet": _outlet(doc.sitename, declared),
        "url": url or doc.url or None,  # the URL it was fetched from (WARC), else the page's canonical URL
        "published": published,
        "date_source": date_source,
        "crawled": crawled.isoformat() if crawled else None,
        "encoding": note,
        "meta": meta or None,
    }


def page_document(result: PageResult, doc_id: str, source: str) -> Document | Skipped:
    if "skip" in result:
        return skip(source, result["skip"])
    return Document(id=doc_id, source=source, **result)


def extract_file_task(options: ReaderOptions, task: tuple) -> list[Item]:
    """Executor stage: ``("html", path, doc_id, compression)`` → the page's document (or skip);
    ``("done", items)`` → those items (inputs already settled in the main process, kept in order)."""
    if task[0] == "done":
        return task[1]
    _, path, doc_id, compression_kind = task
    return list(HTML.read(Source(path, doc_id, compression_kind), options))


class HtmlReader(Reader):
    name = "html"
    suffixes = (".html", ".htm", ".xhtml", ".shtml")
    heavy = True
    one_document = True

    def sniff(self, head: bytes) -> bool:
        start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:512].lower()
        return start.startswith((b"<!doctype html", b"<html")) or (start.startswith(b"<") and b"<html" in start)

    def read(self, source: Source, options: ReaderOptions, executor: Any = None) -> Iterator[Item]:
        try:
            data = source.read_bytes(options.max_page_bytes)
        except OSError as exc:
            yield skip(source.path, f"cannot read: {exc.strerror or exc}")
            return
        except Exception as exc:  # corrupt compressed data (gzip, bz2, xz, zstd errors)
            yield skip(source.path, f"corrupt {source.compression} data: {exc}")
            return
        if not data.strip():
            yield skip(source.path, "empty file")
            return
        yield page_document(
            extract_page(data, encoding=options.encoding, max_bytes=options.max_page_bytes), source.doc_id, source.path
        )


HTML = register(HtmlReader())
