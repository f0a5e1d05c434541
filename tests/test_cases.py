"""Golden cases as directories (as black does): ``tests/cases/<area>/<name>/``.

Each case holds ``input.jsonl`` (the documents), optionally ``lexicon.toml``
(passed as ``--lexicon``) and ``expected.json``: the findings of the area
(``boilerplate``: flags and clusters; ``provenance``: edges and cluster
origins). Regenerate after an intended change with
``SYNDETECT_UPDATE_GOLDEN=1 python -m pytest tests/test_cases.py`` and
review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from syndetect import Params, read_inputs, scan

CASES = Path(__file__).resolve().parent / "cases"
AREAS = ("boilerplate", "provenance")


def _cases():
    return sorted(p for area in AREAS for p in (CASES / area).iterdir() if p.is_dir())


def findings(case: Path) -> dict:
    lexicon = [str(case / "lexicon.toml")] if (case / "lexicon.toml").exists() else []
    report = scan(read_inputs([str(case / "input.jsonl")]), Params(), workers=1, lexicon_paths=lexicon)
    assert not report.skipped, report.skipped
    clusters = [
        {"documents": list(c.docs), "origin": c.origin, "words": c.words} for c in report.clusters
    ]
    if case.parent.name == "boilerplate":
        return {
            "boilerplate": [
                {"doc": f.doc, "paragraph": f.paragraph, "category": f.category, "rule": f.rule, "reason": f.reason}
                for f in report.boilerplate
            ],
            "clusters": clusters,
        }
    return {
        "provenance": [
            {"source": e.source, "copy": e.copy, "basis": e.basis, "confidence": e.confidence, "kinds": list(e.kinds)}
            for e in report.provenance
        ],
        "clusters": clusters,
    }


@pytest.mark.parametrize("case", _cases(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_case(case: Path):
    got = findings(case)
    expected_path = case / "expected.json"
    if os.environ.get("SYNDETECT_UPDATE_GOLDEN"):
        expected_path.write_text(json.dumps(got, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    assert expected_path.exists(), f"{expected_path} missing: run with SYNDETECT_UPDATE_GOLDEN=1 and review it"
    assert got == json.loads(expected_path.read_text(encoding="utf-8"))


def test_there_are_cases_for_every_area():
    assert {p.parent.name for p in _cases()} == set(AREAS)
