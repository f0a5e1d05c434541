"""CPU seconds of the candidate stages alone (exact repeats, signatures, lsh, verify, cluster), one process.

    python benchmarks/candidate_stages.py CORPUS.jsonl

Reads and parses the corpus, runs the boilerplate stage once (its content paragraphs are cached in
``benchmarks/out/candidate-stages/``, keyed by the corpus path and size), then the stages after it through the scan's own
wiring (:func:`syndetect.pipeline.scan.candidate_clusters`), serially, each timed with ``time.process_time``. Prints one JSON line: the stages' CPU
seconds, the candidate pairs, verified rows, clusters and a hash of the clusters (ids, fingerprints,
words, members' ranges) to compare two versions of the code (``PYTHONPATH``).
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import time
from pathlib import Path

import numpy as np

from syndetect.config import Params
from syndetect.model import Skipped
from syndetect.pipeline import rules
from syndetect.pipeline.executors import SerialExecutor
from syndetect.pipeline.scan import candidate_clusters, split_documents
from syndetect.readers.inputs import read_inputs

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", type=Path)
    args = ap.parse_args(argv)
    gc.disable()
    docs = sorted((d for d in read_inputs([str(args.corpus)]) if not isinstance(d, Skipped)), key=lambda d: d.id)
    paragraphs, owner_doc, items = split_documents(docs)
    params = Params()
    key = hashlib.sha256(f"{args.corpus.resolve()}:{args.corpus.stat().st_size}".encode()).hexdigest()[:16]
    cache = HERE / "out" / "candidate-stages" / f"{key}.npy"
    if cache.exists():
        content_ids = np.load(cache).tolist()
    else:
        detector = rules.load_rules(())
        rows, sites, spans = rules.detect_task(detector, items)
        text_of = {(p.doc, p.index): p.text for p in paragraphs}
        flags = rules.finish(detector, docs, paragraphs, rules.flags_from_rows(rows, text_of), sites, spans)
        flagged = {(f.doc, f.paragraph) for f in flags}
        content_ids = [i for i, p in enumerate(paragraphs) if (p.doc, p.index) not in flagged]
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.save(cache, np.array(content_ids, dtype=np.int64))
    del items
    cpu: dict[str, float] = {}
    found = candidate_clusters(paragraphs, content_ids, owner_doc, params, SerialExecutor(), timings=cpu,
                               clock=time.process_time)
    clusters = found.clusters
    digest = hashlib.sha256(repr([(c.id, c.fingerprint, c.words, [(m.doc, m.paragraph, m.start, m.end) for m in c.members])
                                  for c in clusters]).encode()).hexdigest()[:16]
    print(json.dumps({"paragraphs": len(paragraphs), "pairs": found.pairs, "verified_rows": found.verified_rows,
                      "clusters": len(clusters), "clusters_sha256": digest,
                      **{k: round(v, 3) for k, v in cpu.items()}, "load": round(os.getloadavg()[0], 2)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
