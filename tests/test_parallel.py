"""The process pool changes nothing: a parallel scan equals a serial one."""

from __future__ import annotations

import json
from pathlib import Path

from syndetect import Document, Params, scan
from syndetect.render.report import report_to_dict

BODIES = Path(__file__).resolve().parent.parent / "fixtures" / "article-extraction-benchmark" / "ground-truth.json"


def test_parallel_scan_equals_serial_scan():
    data = json.loads(BODIES.read_text(encoding="utf-8"))
    docs = [Document(id=k[:16], text=v["articleBody"], url=v.get("url")) for k, v in sorted(data.items())]
    assert sum(v["articleBody"].count("\n") + 1 for v in data.values()) > 2000  # big enough for the pool
    serial = report_to_dict(scan(docs, Params(), workers=1))
    parallel = report_to_dict(scan(docs, Params(), workers=2))
    assert serial == parallel
    assert serial["clusters"] and serial["boilerplate"]  # the comparison covers real findings
