"""The user's sample corpus: what the scan must report, and a golden report.

Regenerate the golden file after an intended change with
``SYNDETECT_UPDATE_GOLDEN=1 python -m pytest tests/test_seeds.py`` and
review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from syndetect import Params, read_inputs, scan
from syndetect.render.report import report_to_dict

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "fixtures" / "golden" / "seeds.json"

D000, D001, D002, D003, D004 = (
    "000_b2a058ac03e6db85", "001_df5bf45f4cf73b0f", "002_e13c31d3710c05dd",
    "003_6b8fc7f63de2bbec", "004_4cf0f7c4e857d004",
)


@pytest.fixture(scope="module")
def report(monkeypatch_module=None):
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        return report_to_dict(scan(read_inputs(["fixtures/seeds"]), Params(), workers=1))
    finally:
        os.chdir(cwd)


def clusters_with(report, *phrases: str, docs: set[str] | None = None):
    out = []
    for c in report["clusters"]:
        joined = " ".join(m["text"] for m in c["members"])
        if all(p in joined for p in phrases) and (docs is None or set(c["documents"]) == docs):
            out.append(c)
    return out


def test_golden_report(report):
    if os.environ.get("SYNDETECT_UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert report == expected


def test_three_verbatim_paragraphs_shared_by_001_and_004(report):
    whole = [
        c for c in report["clusters"]
        if set(c["documents"]) == {D001, D004} and all(m["start"] == 0 for m in c["members"])
        and len({m["text"] for m in c["members"]}) == 1
    ]
    firsts = sorted(c["members"][0]["text"][:30] for c in whole)
    assert firsts == [
        "A Pakistani intelligence sourc",
        "A day after Iran admitted to c",
        "Pakistan on Wednesday condemne",
    ]


def test_foreign_ministry_statement_is_one_cluster_over_four_docs(report):
    found = clusters_with(report, "This morning Pakistan undertook a series of highly coordinated")
    assert len(found) == 1
    assert set(found[0]["documents"]) == {D000, D001, D003, D004}


def test_statement_quote_in_opposite_order_000_002(report):
    assert clusters_with(report, "The sole objective of today", docs={D000, D002})
    assert clusters_with(report, "Pakistan fully respects the sovereignty", docs={D000, D002})


def test_taken_shelter_quote_001_002(report):
    found = clusters_with(report, "taken shelter", "talked with Pakistani officials", docs={D001, D002})
    assert len(found) == 1


@pytest.mark.parametrize("phrase", ["safe havens", "credible intelligence", "unflinching resolve"])
def test_short_statement_quotes_000_003(report, phrase):
    assert clusters_with(report, phrase, docs={D000, D003})


def test_multiple_dossiers_002_003(report):
    assert clusters_with(report, "multiple dossiers", docs={D002, D003})


def test_offsets_point_into_the_original_paragraphs(report):
    from syndetect.pipeline.scan import paragraphs_of

    docs = {d.id: d for d in read_inputs([str(ROOT / "fixtures" / "seeds")])}
    for c in report["clusters"]:
        for m in c["members"]:
            par = paragraphs_of(docs[m["doc"]])[m["paragraph"] - 1]
            assert par.text[m["start"] : m["end"]] == m["text"]


def test_stock_phrase_alone_is_not_a_cluster(report):
    for c in report["clusters"]:
        if any("World Economic Forum in Davos" in m["text"] for m in c["members"]):
            # allowed only as part of a longer reused passage
            assert c["words"] >= 15


def test_boilerplate_never_in_clusters(report):
    flagged = {(f["doc"], f["paragraph"]) for f in report["boilerplate"]}
    for c in report["clusters"]:
        for m in c["members"]:
            assert (m["doc"], m["paragraph"]) not in flagged


EXPECTED_BOILERPLATE = {
    (D000, "Subscribe to our newsletter"): "newsletter",
    (D001, "ends"): "end-marker",
    (D001, "No comments:"): "comments",
    (D001, "Post a Comment"): "comments",
    (D003, "Except for the headline, this story"): "notice",
    (D004, "7 killed as Pakistan hits"): {"repeated-headline", "related"},  # in the body / under "Also Read"
    (D004, "Anjali Raj / Jaano Junction"): "byline",
    (D004, "Also Read"): "related",
    (D004, "Iran Strikes Jaish al-Adl Militant Bases"): "related",
    (D004, "Source: India Today"): "credit",
    (D004, "Stay connected to Jaano Junction"): "social",
    (D004, "Related Stories"): "related",
    (D004, "No stories found."): "related",
    (D004, "Jaano Junction"): "byline",
}


def test_every_boilerplate_example_is_flagged_with_its_category(report):
    for (doc, start), category in EXPECTED_BOILERPLATE.items():
        hits = [f for f in report["boilerplate"] if f["doc"] == doc and f["text"].startswith(start)]
        assert hits, (doc, start)
        allowed = category if isinstance(category, set) else {category}
        assert {f["category"] for f in hits} <= allowed, (doc, start, hits)
        assert all(f["reason"] for f in hits)


def test_headline_repeat_in_body_is_repeated_headline(report):
    hits = [f for f in report["boilerplate"] if f["doc"] == D004 and f["paragraph"] == 3]
    assert [f["category"] for f in hits] == ["repeated-headline"]


def test_no_article_paragraph_is_flagged(report):
    for f in report["boilerplate"]:
        assert any(
            f["doc"] == doc and f["text"].startswith(start) for (doc, start) in EXPECTED_BOILERPLATE
        ), f"content flagged as boilerplate: {f}"


def _edges(report, **match):
    return [e for e in report["provenance"] if all(e[k] == v for k, v in match.items())]


def test_provenance_004_names_india_today(report):
    edges = _edges(report, source="external:India Today", copy=D004)
    assert edges and edges[0]["basis"] == "direct"
    assert any("Source: India Today" in ev for ev in edges[0]["evidence"])


def test_provenance_003_names_the_syndicated_feed(report):
    edges = _edges(report, source="external:syndicated feed", copy=D003)
    assert edges and any("syndicated feed" in ev for ev in edges[0]["evidence"])


def test_statement_cluster_has_an_external_common_source(report):
    (c,) = clusters_with(report, "This morning Pakistan undertook")
    assert c["origin"].startswith("external:") and "Foreign" in c["origin"]
    for doc in (D000, D001, D003, D004):
        assert _edges(report, source=c["origin"], copy=doc, basis="common-upstream")


def test_001_and_004_share_an_upstream_rather_than_copy_each_other(report):
    assert not _edges(report, source=D001, copy=D004)
    assert not _edges(report, source=D004, copy=D001)
    assert _edges(report, source="external:India Today", copy=D001, basis="common-upstream")
    for c in clusters_with(report, "A day after Iran admitted", docs={D001, D004}):
        assert c["origin"] == "external:India Today"


def test_outlets_learned_from_boilerplate(report):
    outlets = {d["id"]: d["outlet"] for d in report["documents"]}
    assert outlets[D004] == "Jaano Junction"
    assert outlets[D003] == "The Telegraph Online"


def test_dateline_is_date_evidence():
    from syndetect.pipeline.scan import paragraphs_of
    from syndetect.provenance.inference import collect_evidence

    docs = [d for d in read_inputs([str(ROOT / "fixtures" / "seeds")])]
    pars = [p for d in docs for p in paragraphs_of(d)]
    ev = collect_evidence(docs, pars, [], {})
    assert ev[D002].date is not None and ev[D002].date.date().isoformat() == "2024-01-18"
    assert ev[D000].date is None
