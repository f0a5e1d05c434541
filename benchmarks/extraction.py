"""HTML extraction quality on the 181 real pages, scored against their ground-truth bodies.

    python benchmarks/extraction.py [--html DIR] [--truth FILE] [--workers N] [--out benchmarks/out/extraction.json]

Scores, per page then averaged over pages (as the article-extraction-benchmark does):

* **body words** — bag of lower-cased ``\\w+`` words: precision = shared
  words / extracted words, recall = shared words / ground-truth words;
* **benchmark shingles** — the benchmark's own measure, re-implemented:
  4-word shingles of ``\\w+`` tokens, true/false positives and false
  negatives normalised per page, mean precision and recall, F1 of the means.
  Trafilatura's published figures on this benchmark use this measure (the
  anchor).

Rows: syndetect's HTML reader (what ``syndetect scan`` reads), plain
``trafilatura.extract(html, include_comments=False)`` as the benchmark's
harness calls it (same library, this machine), and — if ``inscriptis`` is
installed (``pip install 'syndetect[bench]'``) — the whole page as text, the
floor extraction is measured against. Also counted: pages with a
publication date, an outlet, a title.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from syndetect.model import Document  # noqa: E402
from syndetect.readers import ReaderOptions, read_inputs  # noqa: E402
from syndetect.rules.boilerplate import outlet_of  # noqa: E402

BENCH = ROOT / "fixtures" / "article-extraction-benchmark"
_WORD = re.compile(r"\w+", re.UNICODE)
# trafilatura 2.0.0 on this benchmark, as published in scrapinghub/article-extraction-benchmark's README
ANCHOR = {"name": "trafilatura 2.0.0 (published)", "f1": 0.958, "precision": 0.938, "recall": 0.978}


def _counts(items: list) -> Counter:
    return Counter(items)


def body_words(truth: str, pred: str) -> tuple[float | None, float | None]:
    t = _counts(_WORD.findall(truth.lower()))
    p = _counts(_WORD.findall(pred.lower()))
    shared = sum((t & p).values())
    precision = shared / sum(p.values()) if p else None
    recall = shared / sum(t.values()) if t else None
    return precision, recall


def _shingles(text: str, n: int = 4) -> Counter:
    tokens = _WORD.findall(text or "")
    return Counter(tuple(tokens[i:i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i:i + n])


def shingle_tp_fp_fn(truth: str, pred: str) -> tuple[float, float, float]:
    t, p = _shingles(truth), _shingles(pred)
    tp = sum((t & p).values())
    fp = sum((p - t).values())
    fn = sum((t - p).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fp == 0 else tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fn == 0 else tp / (tp + fn)


def score(truth: dict[str, str], pred: dict[str, str]) -> dict:
    words_p, words_r, triples = [], [], []
    for key, body in truth.items():
        text = pred.get(key) or ""
        p, r = body_words(body, text)
        if p is not None:
            words_p.append(p)
        if r is not None:
            words_r.append(r)
        triples.append(shingle_tp_fp_fn(body, text))
    sp = statistics.mean(_precision(*t) for t in triples if t[0] + t[1] > 0)
    sr = statistics.mean(_recall(*t) for t in triples if t[0] + t[2] > 0)
    wp, wr = statistics.mean(words_p), statistics.mean(words_r)
    return {
        "words": {"precision": wp, "recall": wr, "f1": 2 * wp * wr / (wp + wr)},
        "shingles": {"precision": sp, "recall": sr, "f1": 2 * sp * sr / (sp + sr)},
        "pages": len(truth), "extracted": sum(1 for k in truth if pred.get(k)),
    }


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--html", type=Path, default=BENCH / "html")
    ap.add_argument("--truth", type=Path, default=BENCH / "ground-truth.json")
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "extraction.json")
    ap.add_argument("--no-baselines", action="store_true", help="score syndetect's reader only")
    args = ap.parse_args(argv)

    truth_all = json.loads(args.truth.read_text(encoding="utf-8"))
    pages = sorted(args.html.glob("*.html.gz"))
    truth = {p.name.split(".")[0]: truth_all[p.name.split(".")[0]]["articleBody"] for p in pages}

    t0 = time.perf_counter()
    docs = [d for d in read_inputs([str(args.html)], options=ReaderOptions(workers=args.workers)) if isinstance(d, Document)]
    seconds = time.perf_counter() - t0
    ours = {d.id: d.text for d in docs}
    rows = [{"name": "syndetect HTML reader (trafilatura 2.3.1 + page metadata)", **score(truth, ours),
             "seconds": seconds}]
    found = {
        "pages": len(pages), "documents": len(docs),
        "published": sum(1 for d in docs if d.published), "outlet": sum(1 for d in docs if outlet_of(d)),
        "title": sum(1 for d in docs if d.title),
        "date_sources": dict(Counter((d.date_source or "none").split(":")[0] for d in docs).most_common()),
    }
    if not args.no_baselines:
        import trafilatura

        t0 = time.perf_counter()
        plain = {}
        for p in pages:
            html = gzip.decompress(p.read_bytes()).decode("utf-8")
            plain[p.name.split(".")[0]] = trafilatura.extract(html, include_comments=False) or ""
        rows.append({"name": f"trafilatura.extract {trafilatura.__version__} (the benchmark's call, serial)",
                     **score(truth, plain), "seconds": time.perf_counter() - t0})
        try:
            from inscriptis import get_text
        except ImportError:
            get_text = None
        if get_text is not None:
            whole = {p.name.split(".")[0]: get_text(gzip.decompress(p.read_bytes()).decode("utf-8")) for p in pages}
            rows.append({"name": "whole page as text (inscriptis, no extraction)", **score(truth, whole), "seconds": None})
    result = {"anchor": ANCHOR, "rows": rows, "found": found}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")

    print("| extractor | body words P | R | F1 | benchmark shingles P | R | F1 | time |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        w, s = r["words"], r["shingles"]
        t = f"{r['seconds']:.1f} s" if r.get("seconds") is not None else "—"
        print(f"| {r['name']} | {w['precision']:.3f} | {w['recall']:.3f} | {w['f1']:.3f} "
              f"| {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | {t} |")
    print(f"| {ANCHOR['name']} | — | — | — | {ANCHOR['precision']:.3f} | {ANCHOR['recall']:.3f} | {ANCHOR['f1']:.3f} | — |")
    print(f"\n{found}")
    return result


if __name__ == "__main__":
    main()
