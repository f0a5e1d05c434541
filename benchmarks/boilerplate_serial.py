"""CPU seconds of the boilerplate stage's serial part (the parent's passes), in one process.

    PYTHONPATH=TREE python benchmarks/boilerplate_serial.py CORPUS.jsonl CACHE_DIR [--repeat N] [--profile STEP]

Wired as :func:`syndetect.pipeline.scan._stages` wires them: the corpus read and split, the per-document
pass (``rules.detect_task``, the workers' part: run once serially and kept in ``CACHE_DIR/per_doc.pkl``),
then ``rules.finish`` (``--repeat`` times, each with a fresh detector; the least is printed),
``stale_bodies`` and the bodies told (``body_spans_task``, here in this process), the candidate stages
(once, kept in ``CACHE_DIR/clusters.pkl``) and ``rules.refine`` (``--repeat`` times, each from the
detector's state after the bodies were told). Prints ``step: seconds`` lines and digests of the flags
(the same digest: the same flags). ``--profile finish|refine``: cProfile that step (tottime).
Run it with ``PYTHONPATH`` set to the tree to time (a ``git archive`` of main, or this checkout).
"""

from __future__ import annotations

import argparse
import copy
import cProfile
import gc
import hashlib
import inspect
import os
import pickle
import pstats
import sys
import time
from dataclasses import replace

from syndetect.config import Params
from syndetect.model import Skipped
from syndetect.pipeline import rules
from syndetect.pipeline import scan as scan_module
from syndetect.pipeline.executors import SerialExecutor, chunk_size, chunks
from syndetect.readers.inputs import read_inputs


def _digest(flags) -> str:
    h = hashlib.sha256()
    for f in flags:
        h.update(repr((f.doc, f.paragraph, f.text, f.category, f.reason, f.rule)).encode())
    return h.hexdigest()[:16]


def _cached(path: str, make):
    if os.path.exists(path):
        with open(path, "rb") as fh:
            return pickle.load(fh)
    value = make()
    with open(path, "wb") as fh:
        pickle.dump(value, fh, protocol=5)
    return value


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("cache")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--profile", choices=("finish", "refine"))
    args = ap.parse_args()
    os.makedirs(args.cache, exist_ok=True)
    gc.disable()  # as the scan runs (executors.collector_paused)
    docs = sorted((d for d in read_inputs([args.corpus]) if not isinstance(d, Skipped)), key=lambda d: d.id)
    paragraphs, owner_doc, items = scan_module.split_documents(docs)

    def per_document():
        worker = rules.load_rules(())
        ranges = chunks(len(docs), chunk_size(len(docs), 2, 64, len(docs)))
        return [rules.detect_task(worker, items[lo:hi]) for lo, hi in ranges]

    per_doc = _cached(os.path.join(args.cache, "per_doc.pkl"), per_document)
    gc.freeze()
    print(f"{len(docs)} documents, {len(paragraphs)} paragraphs", file=sys.stderr)

    def timed(step: str, fn):
        prof = cProfile.Profile() if args.profile == step else None
        t = time.process_time()
        if prof:
            prof.enable()
        out = fn()
        if prof:
            prof.disable()
            pstats.Stats(prof, stream=sys.stderr).sort_stats("tottime").print_stats(25)
        return out, time.process_time() - t

    text_of = {(p.doc, p.index): p.text for p in paragraphs}
    rows = [row for rs, _, _, _ in per_doc for row in rs]
    sites = {k: v for _, s, _, _ in per_doc for k, v in s.items()}
    spans = {k: v for _, _, s, _ in per_doc for k, v in s.items()}
    keys = [k for _, _, _, ks in per_doc for k in ks]
    per_doc_flags = rules.flags_from_rows(rows, text_of)
    best = []
    for _ in range(args.repeat):
        detector = rules.load_rules(())
        flags, dt = timed("finish", lambda d=detector: rules.finish(d, docs, paragraphs, per_doc_flags, sites, spans, keys))
        best.append(dt)
    print(f"finish: {min(best):.3f}")
    tasks, dt = timed("stale_bodies", lambda: rules.stale_bodies(detector, paragraphs, flags, [(r[0], r[1]) for r in rows]))
    print(f"stale_bodies: {dt:.3f} ({len(tasks)} documents)")
    told, dt = timed("body_spans", lambda: rules.body_spans_task(detector.shape, tasks))
    rules.add_spans(detector, told)
    print(f"body_spans: {dt:.3f} (in the workers in a scan)")
    print(f"finish flags: {len(flags)} {_digest(flags)}")
    flagged = {(f.doc, f.paragraph) for f in flags}
    content_ids = [i for i, p in enumerate(paragraphs) if (p.doc, p.index) not in flagged]
    clusters = _cached(os.path.join(args.cache, "clusters.pkl"), lambda: scan_module.candidate_clusters(
        paragraphs, content_ids, owner_doc, Params(), SerialExecutor()).clusters)
    docs[:] = [replace(d, text=d.text[:400]) if len(d.text) > 400 else d for d in docs]  # as the scan does
    with_text = "text_of" in inspect.signature(rules.refine).parameters  # (main before this round: no text_of)
    memo = detector._cores_memo
    told_cache = dict(memo[2]._cache) if memo is not None else {}
    extra = (text_of,) if with_text else ()
    best = []
    for _ in range(args.repeat):
        if memo is not None:  # each run from the state the bodies were told in
            cores = copy.copy(memo[2])
            cores._cache = dict(told_cache)
            detector._cores_memo = (memo[0], memo[1], cores)
        (refined, kept), dt = timed("refine", lambda: rules.refine(detector, docs, paragraphs, flags, clusters, *extra))
        best.append(dt)
    print(f"refine: {min(best):.3f}")
    print(f"refine flags: {len(refined)} {_digest(refined)}, clusters kept {len(kept)}")


if __name__ == "__main__":
    main()
