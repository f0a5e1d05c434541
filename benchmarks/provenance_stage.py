"""The provenance stage alone, on the inputs a real scan hands it: CPU seconds, and a digest of its output.

    python benchmarks/provenance_stage.py dump CORPUS.jsonl benchmarks/out/prov100k.pkl   # scan up to provenance
    python benchmarks/provenance_stage.py run benchmarks/out/prov100k.pkl                 # time infer_provenance

``dump`` scans ``CORPUS`` (``--workers``, default 2) and pickles the arguments of
:func:`syndetect.provenance.inference.infer_provenance` (documents, paragraphs,
clusters, flags, site names, paragraph texts, and the detector's body spans) instead
of running it. ``run`` loads them (``PYTHONPATH`` picks the tree to time, e.g. an
exported ``main``), runs the stage once in this process with the collector paused as
in a scan, and prints one JSON line: wall and CPU seconds, edges, clusters and the
sha256 of the edges and clusters (the same digest = the same provenance).
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import pickle
import sys
import time


def dump(corpus: str, out: str, workers: int) -> None:
    import syndetect.pipeline.scan  # noqa: F401  (the module; the package exports a function of that name)
    import syndetect.provenance.inference as inference
    from syndetect.readers.inputs import read_inputs

    def capture(docs, paragraphs, clusters, flags, site_names=None, *, detector=None, text_of=None):
        with open(out, "wb") as fh:
            # the detector's body spans as the scan left them (the per-document pass's, those told
            # for stale bodies, and the cores and pages refine asked for: their memos hold ``paragraphs``
            # itself, pickled here once, so ``run`` finds them as the scan's provenance would)
            state = {k: getattr(detector, k) for k in ("_known", "_more", "_cores_memo", "_pages_memo")
                     if hasattr(detector, k)}
            pickle.dump((list(docs), paragraphs, list(clusters), list(flags), site_names, text_of, state), fh,
                        protocol=5)
        raise SystemExit(0)

    inference.infer_provenance = capture  # type: ignore[assignment]
    sys.modules["syndetect.pipeline.scan"].scan(iter(read_inputs([corpus])), workers=workers)


def run(path: str) -> dict:
    from syndetect.pipeline import rules
    from syndetect.provenance.inference import infer_provenance

    gc.disable()
    with open(path, "rb") as fh:
        docs, paragraphs, clusters, flags, site_names, text_of, state = pickle.load(fh)
    gc.freeze()
    detector = rules.load_rules(())
    if not isinstance(state, dict) or "_known" not in state:  # a dump made before the state was a dict
        state = {"_known": state}
    for k, v in state.items():  # the body spans, as the scan's detector has them
        setattr(detector, k, v)
    wall, cpu = time.perf_counter(), time.process_time()
    edges, out = infer_provenance(docs, paragraphs, clusters, flags, site_names, detector=detector, text_of=text_of)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    digest = hashlib.sha256(repr((edges, out)).encode()).hexdigest()[:16]
    return {"wall_s": round(wall, 3), "cpu_s": round(cpu, 3), "edges": len(edges), "clusters": len(out), "sha256": digest}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("dump")
    d.add_argument("corpus")
    d.add_argument("out")
    d.add_argument("--workers", type=int, default=2)
    r = sub.add_parser("run")
    r.add_argument("inputs")
    args = ap.parse_args(argv)
    if args.cmd == "dump":
        dump(args.corpus, args.out, args.workers)
    else:
        print(json.dumps(run(args.inputs)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
