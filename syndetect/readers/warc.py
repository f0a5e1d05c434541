"""WARC archives (``.warc``, ``.warc.gz``, any compression), streamed record by record with warcio.

One document per HTML ``response`` record (HTTP 200 … 299) and per
``resource``/``conversion`` record holding HTML or plain text: id = the
record's ``WARC-Target-URI``, ``url`` = that URI, ``outlet`` = the page's site
name (else the URL's host, as for every document with a URL), ``published``
= the page's own date (metadata, else a dateline), ``crawled`` = the
``WARC-Date`` (when the page was fetched — weaker evidence than a
publication date; relative datelines such as "18 hours ago" are resolved
against it). Other records (requests, metadata, revisits, images …) are
passed over without being read into memory. Pages are extracted by the
pipeline's executor when there is one (records read as it consumes them, a
bounded number in flight, results in order).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from syndetect.model import Document
from syndetect.readers.base import Item, Reader, ReaderOptions, Source, register, skip
from syndetect.readers.dates import find_dateline, parse_crawled
from syndetect.readers.encoding import DecodeError, decode
from syndetect.readers.html import extract_page

__all__ = ["WarcReader"]

_HTML_TYPES = ("text/html", "application/xhtml+xml")


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def _text_record(data: bytes, url: str, crawled, charset: str | None, encoding: str | None) -> dict:
    try:
        text, note = decode(data, encoding=encoding, declared=charset)
    except DecodeError as exc:
        return {"skip": str(exc)}
    if not text.strip():
        return {"skip": "empty text record"}
    published = date_source = None
    found = find_dateline(text, crawled)
    if found:
        published, date_source = found
    return {"text": text, "url": url, "published": published, "date_source": date_source,
            "crawled": crawled.isoformat() if crawled else None, "encoding": note}


def extract_record_task(options: ReaderOptions, task: tuple) -> Item:
    """Executor stage: one record's payload → its document (or skip notice)."""
    if task[0] == "skip":
        return skip(task[1], task[2])
    kind, data, url, crawled, charset, where = task
    if kind == "html":
        result = extract_page(data, url=url, crawled=crawled, charset=charset, encoding=options.encoding,
                              max_bytes=options.max_page_bytes)
    else:
        result = _text_record(data, url, crawled, charset, options.encoding)
    if "skip" in result:
        return skip(where, result["skip"])
    return Document(id=url, source=where, **result)


class WarcReader(Reader):
    name = "warc"
    suffixes = (".warc", ".arc")
    heavy = True

    def sniff(self, head: bytes) -> bool:
        return head.startswith((b"WARC/", b"filedesc://"))

    def read(self, source: Source, options: ReaderOptions, executor: Any = None) -> Iterator[Item]:
        self.passed_over: Counter[str] = Counter()
        tasks = self._tasks(source, options)
        if executor is None:
            yield from (extract_record_task(options, t) for t in tasks)
        else:  # records are read as the executor consumes them: a bounded number in flight
            yield from executor.map(extract_record_task, options, tasks)

    def _tasks(self, source: Source, options: ReaderOptions) -> Iterator[tuple]:
        from warcio.archiveiterator import ArchiveIterator

        try:
            stream = source.open()
        except OSError as exc:
            yield ("skip", source.path, f"cannot read: {exc.strerror or exc}")
            return
        pages = 0
        with stream:
            records = ArchiveIterator(stream, arc2warc=True)
            while True:
                try:
                    record = next(records)
                    job = self._job(record, source, options)
                except StopIteration:
                    break
                except Exception as exc:  # a damaged archive or compressed stream: what came before is kept
                    yield ("skip", source.path, f"WARC not readable after {pages} page(s): {exc or type(exc).__name__}")
                    break
                if job is not None:
                    pages += job[0] != "skip"
                    yield job

    def _job(self, record, source: Source, options: ReaderOptions):
        rtype = record.rec_type
        if rtype not in ("response", "resource", "conversion"):
            self.passed_over[rtype] += 1
            return None
        url = record.rec_headers.get_header("WARC-Target-URI")
        if rtype == "response":
            if record.http_headers is None:
                self.passed_over["response without HTTP headers"] += 1
                return None
            status = record.http_headers.get_statuscode() or ""
            if not status.startswith("2"):
                self.passed_over[f"HTTP {status}"] += 1
                return None
            ctype = record.http_headers.get_header("Content-Type") or ""
        else:
            ctype = record.rec_headers.get_header("Content-Type") or ""
        mime = ctype.split(";")[0].strip().lower()
        if mime in _HTML_TYPES:
            kind = "html"
        elif mime == "text/plain" and rtype != "response":
            kind = "text"
        else:
            self.passed_over[mime or "no content type"] += 1
            return None
        where = f"{source.path}#{url}"
        if not url:
            return ("skip", source.path, "WARC record without WARC-Target-URI")
        length = record.rec_headers.get_header("Content-Length")
        if length and length.isdigit() and int(length) > options.max_page_bytes:
            return ("skip", where, f"record larger than {options.max_page_bytes:,} bytes (not read)")
        data = record.content_stream().read(options.max_page_bytes + 1)
        if len(data) > options.max_page_bytes:
            return ("skip", where, f"page larger than {options.max_page_bytes:,} bytes (not read)")
        crawled = parse_crawled(record.rec_headers.get_header("WARC-Date"))
        return kind, data, url, crawled, _charset(ctype), where


WARC = register(WarcReader())
