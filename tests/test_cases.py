"""Golden cases as directories (as black does): ``tests/cases/<area>/<name>/``.

Each case holds ``input.jsonl`` (the documents), optionally ``lexicon.toml``
(passed as ``--lexicon``) and ``expected.json``: the findings of the area
(``boilerplate``: flags and clusters; ``provenance``: edges and cluster
origins; ``check``: the verdict on each document of ``input.jsonl`` against an
index of ``indexed.jsonl``, with the options in ``options.json`` if present —
``ignore_quoted``, ``allow_outlets``, ``max_reused_fraction``). Regenerate after an intended change with
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
AREAS = ("boilerplate", "provenance", "check")


def _cases():
    return sorted(p for area in AREAS for p in (CASES / area).iterdir() if p.is_dir())


def check_findings(case: Path) -> dict:
    from syndetect import Index
    from syndetect.index import Allowlist

    options = json.loads((case / "options.json").read_text("utf-8")) if (case / "options.json").exists() else {}
    lexicon = [str(case / "lexicon.toml")] if (case / "lexicon.toml").exists() else []
    indexed = [d for d in read_inputs([str(case / "indexed.jsonl")])]
    incoming = [d for d in read_inputs([str(case / "input.jsonl")])]
    with Index.open("memory:", create=True, lexicon_paths=lexicon) as index:
        index.add(indexed)
        allow = Allowlist.of(outlets=options.get("allow_outlets", ()), quoted=bool(options.get("ignore_quoted")))
        verdicts = index.check_many(
            incoming, allow=allow, max_reused_fraction=float(options.get("max_reused_fraction", 0.0))
        )
    return {
        "verdicts": [
            {
                "doc": v.doc,
                "reused": v.reused,
                "reused_fraction": round(v.reused_fraction, 4),
                "documents": sorted(d.id for d in v.documents),
                "matches": sorted(
                    [m.paragraph, m.indexed_doc, m.indexed_paragraph, m.words, m.hash] for m in v.matches
                ),
                "allowed": sorted([m.paragraph, m.indexed_doc, m.words] for m in v.allowed),
                "boilerplate": sorted(v.boilerplate),
            }
            for v in verdicts
        ]
    }


def findings(case: Path) -> dict:
    if case.parent.name == "check":
        return check_findings(case)
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
