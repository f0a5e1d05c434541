"""One passage shared by N documents: time and peak memory of the scan and of its provenance stage.

    python benchmarks/popular_passage.py --docs 2000

Each document prints one popular wire paragraph between words of its own; a
third of them carry a one-word edit, one of ``--versions`` edits (default 6:
a few versions of the passage, as wire copy has; 0: each edited copy is a
version of its own); a quarter are dated (an hour apart), one in
ten credits "The Associated Press", one in fifty is on apnews.com (the wire's
own copy). Prints one JSON line: documents, scan wall seconds, provenance
seconds (``--timings``' stage, wall) and CPU seconds, provenance edges, the largest cluster's size
and the process's peak RSS (``ru_maxrss``: the whole scan in this process);
with ``--trace-memory`` also the provenance stage's own peak allocations.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import syndetect.provenance.inference as inference  # noqa: E402
from syndetect import Document, Params, scan  # noqa: E402

PASSAGE = (
    "the ministry said in a statement that the talks between the two delegations had been constructive and "
    "that both sides agreed to meet again next month to settle the remaining questions about the border crossings"
)


def corpus(n: int, versions: int = 6, seed: int = 11, trimmed: bool = False) -> list[Document]:
    """``n`` documents sharing the passage (``trimmed``: every seventh prints it bare, a paragraph of its own)."""
    rng = random.Random(seed)
    vocab = [f"w{i}" for i in range(20000)]
    edits = [(rng.randrange(len(PASSAGE.split())), rng.choice(vocab)) for _ in range(versions)]

    def words(k: int) -> str:
        return " ".join(rng.choice(vocab) for _ in range(k))

    docs = []
    for i in range(n):
        q = PASSAGE.split()
        if i % 3 == 1:
            at, word = edits[rng.randrange(versions)] if versions else (rng.randrange(len(q)), rng.choice(vocab))
            q[at] = word
        shared = " ".join(q) + "."
        framed = shared if trimmed and i % 7 == 2 else words(8) + " " + shared + " " + words(10) + "."
        body = [words(40) + ".", framed, words(45) + "."]
        if i % 10 == 3:
            body.append("(The Associated Press)")
        published = f"2024-01-{1 + (i // 24) % 28:02d}T{i % 24:02d}:00:00+00:00" if i % 4 == 0 else None
        url = f"https://apnews.com/article/{i}" if i % 50 == 7 else f"https://outlet{i}.example.com/story/{i}"
        docs.append(Document(id=f"d{i:05d}", text="\n\n".join(body), outlet=f"outlet{i}", url=url,
                             published=published))
    return docs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--versions", type=int, default=6, help="distinct edited versions of the passage (0: one per edit)")
    ap.add_argument("--trace-memory", action="store_true",
                    help="also the provenance stage's peak Python allocations (tracemalloc: slows that stage)")
    args = ap.parse_args()
    docs = corpus(args.docs, args.versions)
    cpu = {"provenance": 0.0}
    infer = inference.infer_provenance

    def timed(*a, **k):  # the stage's CPU seconds: the machine may be busy
        if args.trace_memory:
            tracemalloc.start()
        c = time.process_time()
        try:
            return infer(*a, **k)
        finally:
            cpu["provenance"] += time.process_time() - c
            if args.trace_memory:
                cpu["provenance_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
                tracemalloc.stop()

    inference.infer_provenance = timed
    t = time.perf_counter()
    report = scan(docs, Params(), workers=1)
    wall = time.perf_counter() - t
    big = max((len(c.docs) for c in report.clusters), default=0)
    print(json.dumps({
        "docs": args.docs, "versions": args.versions, "scan_s": round(wall, 2), "provenance_s": round(report.timings.get("provenance", 0.0), 2),
        "provenance_cpu_s": round(cpu["provenance"], 2),
        "edges": len(report.provenance), "largest_cluster": big,
        **({"provenance_peak_mb": cpu["provenance_peak_mb"]} if args.trace_memory else {}),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }))


if __name__ == "__main__":
    main()
