"""One whole scan of a corpus with one tree, for same-window A/B runs: wall, CPU, peak PSS, stages, report digest.

    python benchmarks/scan_ab.py TREE CORPUS.jsonl OUTDIR

Runs ``syndetect scan CORPUS --format json -o OUTDIR/report.json --timings --quiet`` with ``PYTHONPATH=TREE``
(e.g. ``main`` exported with ``git archive``, its extension built or copied) under
:func:`benchmarks._measure.run_measured`, and prints one JSON line: wall and CPU seconds of the process
tree, peak PSS, ``rest`` (wall minus the scan's ``total``), the report's stage clocks and the sha256 of
``json.dumps(report, sort_keys=True)`` with the keys ``timings``, ``source``, ``sources``, ``path`` and
``generated_at`` stripped at every level (the same digest = the same report).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _measure import run_measured  # noqa: E402

_VOLATILE = ("timings", "source", "sources", "path", "generated_at")


def stripped(x):
    if isinstance(x, dict):
        return {k: stripped(v) for k, v in x.items() if k not in _VOLATILE}
    if isinstance(x, list):
        return [stripped(v) for v in x]
    return x


def main() -> None:
    tree, corpus, out = sys.argv[1:4]
    tree = os.path.abspath(tree)
    os.makedirs(out, exist_ok=True)
    report = os.path.join(out, "report.json")
    os.environ["PYTHONPATH"] = tree
    # run in the tree: `python -m` puts the working directory first on sys.path, before PYTHONPATH
    # (from another checkout's directory that checkout's syndetect would be timed instead)
    res = run_measured([sys.executable, "-m", "syndetect", "scan", os.path.abspath(corpus), "--format", "json", "-o",
                        os.path.abspath(report), "--timings", "--quiet"], cwd=tree)
    if res["returncode"] not in (0, 1):
        raise SystemExit(res["stderr"][-2000:])
    with open(report, encoding="utf-8") as fh:
        data = json.load(fh)
    st = data.get("timings", {})
    digest = hashlib.sha256(json.dumps(stripped(data), sort_keys=True).encode()).hexdigest()
    print(json.dumps({"tree": tree, "wall": round(res["wall_s"], 2), "cpu": round(res.get("cpu_s") or 0, 2),
                      "pss": res.get("peak_pss_mb"), "rest": round(res["wall_s"] - st.get("total", 0), 2),
                      "stages": {k: round(v, 2) for k, v in st.items()}, "sha": digest,
                      "load": round(os.getloadavg()[0], 2)}))


if __name__ == "__main__":
    main()
