"""A large WARC streams through the reader in bounded memory.

    python benchmarks/warc_stream.py [--sizes-mb 256,1024] [--html-share 0.1] [--workers N] [--gzip]

Writes WARCs of the given sizes under ``benchmarks/out/`` (never commit
them), shaped like a crawl: HTML ``response`` records (the 181 real pages,
each under many URLs), ``request`` records, image-like binary responses,
and one 200 MB video-like record (a single record much larger than any
buffer). Then reads each one with ``syndetect.readers.read_inputs`` in a
child process — every page extracted, every document counted and dropped,
as an ingestion job consuming the stream would — and reports wall time,
pages, and the peak RSS of the whole process tree (worker pool included).
Bounded memory means the peak does not grow with the file.

``--consume-only`` (used by the child) reads one WARC and prints a JSON line.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

MB = 1024 * 1024
OUT = ROOT / "benchmarks" / "out"


def write_warc(path: Path, size_mb: int, html_share: float, seed: int = 1, compress: bool = False) -> dict:
    """A crawl-shaped WARC of about ``size_mb`` MB on disk."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    pages = [gzip.decompress(p.read_bytes()) for p in sorted((ROOT / "fixtures" / "article-extraction-benchmark" / "html").glob("*.html.gz"))]
    rng = random.Random(seed)
    target = size_mb * MB
    counts = {"html": 0, "binary": 0, "request": 0, "video": 0}
    html_bytes = 0
    blob = rng.randbytes(4 * MB)
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=compress)

        def response(url: str, body: bytes | io.RawIOBase, ctype: str, length: int | None = None) -> None:
            headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
            payload = body if not isinstance(body, bytes) else io.BytesIO(body)
            writer.write_record(writer.create_warc_record(
                url, "response", payload=payload, length=length, http_headers=headers,
                warc_headers_dict={"WARC-Date": "2019-11-21T10:00:00Z"},
            ))

        class Repeat(io.RawIOBase):
            """Many bytes without holding them: the video-like record."""

            def __init__(self, n: int) -> None:
                self.left = n

            def readable(self) -> bool:
                return True

            def readinto(self, b) -> int:
                n = min(len(b), self.left, len(blob))
                b[:n] = blob[:n]
                self.left -= n
                return n

        i = 0
        video = min(200 * MB, target // 4)
        video_done = False
        while fh.tell() < target:
            i += 1
            if not video_done and fh.tell() > target // 2:
                response(f"https://video.test/v{i}.mp4", Repeat(video), "video/mp4", length=video)
                counts["video"] += 1
                video_done = True
                continue
            if html_bytes <= html_share * fh.tell():
                page = pages[i % len(pages)]
                url = f"https://site{i % 97}.test/{i}/story.html"
                writer.write_record(writer.create_warc_record(url, "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n")))
                counts["request"] += 1
                response(url, page, "text/html; charset=utf-8")
                counts["html"] += 1
                html_bytes += len(page)
            else:
                n = rng.randint(50_000, 2 * MB)
                response(f"https://cdn.test/{i}.jpg", blob[:n], "image/jpeg")
                counts["binary"] += 1
    return {"path": str(path), "size_mb": round(path.stat().st_size / MB, 1), "records": counts,
            "html_mb": round(html_bytes / MB, 1)}


def consume(path: str, workers: int | None) -> dict:
    from syndetect.model import Document
    from syndetect.readers import ReaderOptions, read_inputs

    t0 = time.perf_counter()
    docs = skipped = chars = 0
    for item in read_inputs([path], options=ReaderOptions(workers=workers)):
        if isinstance(item, Document):
            docs += 1
            chars += len(item.text)
        else:
            skipped += 1
    return {"documents": docs, "skipped": skipped, "text_mb": round(chars / MB, 1), "seconds": round(time.perf_counter() - t0, 1)}


def main(argv: list[str] | None = None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes-mb", default="256,1024")
    ap.add_argument("--html-share", type=float, default=0.1, help="share of the file that is HTML pages")
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--gzip", action="store_true", help="write .warc.gz (per-record gzip)")
    ap.add_argument("--consume-only", metavar="WARC")
    ap.add_argument("--keep", action="store_true", help="keep the generated WARCs")
    args = ap.parse_args(argv)
    if args.consume_only:
        print(json.dumps(consume(args.consume_only, args.workers)))
        return []

    from _measure import run_measured

    OUT.mkdir(parents=True, exist_ok=True)
    rows = []
    for size in [int(s) for s in args.sizes_mb.split(",")]:
        path = OUT / f"crawl-{size}mb.warc{'.gz' if args.gzip else ''}"
        t0 = time.perf_counter()
        info = write_warc(path, size, args.html_share, compress=args.gzip)
        info["write_s"] = round(time.perf_counter() - t0, 1)
        cmd = [sys.executable, __file__, "--consume-only", str(path)]
        if args.workers is not None:
            cmd += ["--workers", str(args.workers)]
        m = run_measured(cmd)
        if m["returncode"] != 0:
            raise SystemExit(m["stderr"])
        got = json.loads(m["stdout"].strip().splitlines()[-1])
        row = {**info, **got, "wall_s": m["wall_s"], "peak_rss_mb": m["peak_rss_mb"],
               "peak_rss_mb_largest_process": m["peak_rss_mb_hwm"]}
        rows.append(row)
        print(json.dumps(row), flush=True)
        if not args.keep:
            os.unlink(path)
    (OUT / "warc_stream.json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    print("\n| WARC on disk | HTML pages (MB) | other records | documents | wall time | peak RSS (tree) | largest process |")
    print("|---:|---:|---|---:|---:|---:|---:|")
    for r in rows:
        rec = r["records"]
        print(f"| {r['size_mb']:,.0f} MB | {rec['html']:,} ({r['html_mb']:,.0f} MB) | {rec['binary']:,} images, "
              f"{rec['request']:,} requests, {rec['video']} video of {min(200, r['size_mb'] / 4):.0f} MB | {r['documents']:,} | {r['wall_s']:.0f} s "
              f"| {r['peak_rss_mb']:.0f} MB | {r['peak_rss_mb_largest_process']:.0f} MB |")
    return rows


if __name__ == "__main__":
    main()
