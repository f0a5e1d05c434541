"""One passage shared by N documents: time and peak memory of the scan and of its provenance stage.

    python benchmarks/popular_passage.py --docs 2000

Each document prints one popular wire paragraph (a one-word edit in a third of
them) between words of its own; a quarter are dated (an hour apart), one in
ten credits "The Associated Press", one in fifty is on apnews.com (the wire's
own copy). Prints one JSON line: documents, scan wall seconds, provenance
seconds (``--timings``' stage), provenance edges, the largest cluster's size
and the process's peak RSS (``ru_maxrss``: the whole scan in this process).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from syndetect import Document, Params, scan  # noqa: E402

PASSAGE = (
    "the ministry said in a statement that the talks between the two delegations had been constructive and "
    "that both sides agreed to meet again next month to settle the remaining questions about the border crossings"
)


def corpus(n: int, seed: int = 11) -> list[Document]:
    rng = random.Random(seed)
    vocab = [f"w{i}" for i in range(20000)]

    def words(k: int) -> str:
        return " ".join(rng.choice(vocab) for _ in range(k))

    docs = []
    for i in range(n):
        q = PASSAGE.split()
        if i % 3 == 1:
            q[rng.randrange(len(q))] = rng.choice(vocab)
        body = [words(40) + ".", words(8) + " " + " ".join(q) + ". " + words(10) + ".", words(45) + "."]
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
    args = ap.parse_args()
    docs = corpus(args.docs)
    t = time.perf_counter()
    report = scan(docs, Params(), workers=1)
    wall = time.perf_counter() - t
    big = max((len(c.docs) for c in report.clusters), default=0)
    print(json.dumps({
        "docs": args.docs, "scan_s": round(wall, 2), "provenance_s": round(report.timings.get("provenance", 0.0), 2),
        "edges": len(report.provenance), "largest_cluster": big,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }))


if __name__ == "__main__":
    main()
