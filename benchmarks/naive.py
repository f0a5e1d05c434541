#!/usr/bin/env python3
"""The naive recipe a user would otherwise write: paragraph MinHash + LSH, no verification.

    python benchmarks/naive.py benchmarks/out/q1000/corpus.jsonl

Split every document's text on blank lines into paragraphs, lowercase and split on whitespace,
take word 5-shingles, build a datasketch ``MinHash(num_perm=128)`` per paragraph (one
``update(shingle.encode())`` per shingle), insert all into ``MinHashLSH(threshold=0.5)``, query
every paragraph and keep every candidate pair across different documents.

A paragraph shorter than the shingle size becomes a single shingle (the whole paragraph), as
most hand-written versions do; otherwise empty MinHashes would all collide.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

from datasketch import MinHash, MinHashLSH

_BLANK = re.compile(r"\n[ \t]*\n")


def iter_paragraphs(jsonl_path):
    """Yield (doc_id, paragraph_number (1-based), text) for every non-empty paragraph."""
    with open(jsonl_path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            rec = json.loads(line)
            for k, p in enumerate(_BLANK.split(rec.get("text") or ""), 1):
                if p.strip():
                    yield rec["id"], k, p


def naive_pairs(jsonl_path, threshold: float = 0.5, num_perm: int = 128, shingle: int = 5,
                return_timings: bool = False):
    """Candidate paragraph pairs of the naive recipe.

    Returns a set of unordered pairs ``((doc, paragraph), (doc, paragraph))`` with the smaller
    key first; with ``return_timings=True`` returns ``(pairs, timings)`` where timings holds the
    wall time in seconds of each stage (read, minhash, index, query, total) and counts."""
    t0 = time.perf_counter()
    keys, shingle_sets = [], []
    for doc, k, text in iter_paragraphs(jsonl_path):
        words = text.lower().split()
        if not words:
            continue
        n = max(1, len(words) - shingle + 1)
        shingle_sets.append({" ".join(words[i:i + shingle]) for i in range(n)})
        keys.append((doc, k))
    t1 = time.perf_counter()
    sketches = []
    for sh in shingle_sets:
        m = MinHash(num_perm=num_perm)
        for s in sh:
            m.update(s.encode("utf-8"))
        sketches.append(m)
    del shingle_sets
    t2 = time.perf_counter()
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    for i, m in enumerate(sketches):
        lsh.insert(i, m, check_duplication=False)
    t3 = time.perf_counter()
    pairs = set()
    for i, m in enumerate(sketches):
        a = keys[i]
        for j in lsh.query(m):
            if j <= i:
                continue
            b = keys[j]
            if a[0] != b[0]:
                pairs.add((a, b) if a < b else (b, a))
    t4 = time.perf_counter()
    if not return_timings:
        return pairs
    timings = {"read": t1 - t0, "minhash": t2 - t1, "index": t3 - t2, "query": t4 - t3, "total": t4 - t0,
               "paragraphs": len(keys), "pairs": len(pairs)}
    return pairs, timings


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Naive MinHash-LSH paragraph pairs (baseline).")
    ap.add_argument("corpus", type=Path, help="JSONL with id and text")
    ap.add_argument("--threshold", type=float, default=0.5)
    ap.add_argument("--num-perm", type=int, default=128)
    ap.add_argument("--shingle", type=int, default=5)
    ap.add_argument("--out", type=Path, help="write the pairs as JSON lines [[doc, p], [doc, p]]")
    args = ap.parse_args(argv)
    pairs, timings = naive_pairs(args.corpus, args.threshold, args.num_perm, args.shingle, return_timings=True)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            for a, b in sorted(pairs):
                f.write(json.dumps([list(a), list(b)]) + "\n")
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in timings.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
