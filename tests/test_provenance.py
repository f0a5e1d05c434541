"""Provenance: dates, credits, wires, containment, quotes; direct copy vs common upstream."""

from __future__ import annotations

from syndetect import Document, Params, scan
from syndetect.provenance.inference import parse_date

WIRE = [
    "The national statistics office said on Thursday that consumer prices rose by 3.2 percent in the year to March, driven by food and energy costs that have climbed since the winter.",
    "Economists polled before the release had expected inflation to ease slightly, and the figures make a rate cut at the central bank's meeting next month less likely, analysts said.",
    "Fuel prices alone rose by eleven percent over the twelve months, the office said, while the cost of rent increased for the fourteenth month in a row across most regions.",
]
OUTLET_EXTRA = "Local retailers told our reporters that customers were buying fewer fresh goods and switching to cheaper own brands as the weekly shop became more expensive."
AGG_EXTRA = "Here is what the new numbers mean for your household budget this spring, in three charts and a short explainer from our personal finance desk."


def edges(report, **match):
    return [e for e in report.provenance if all(getattr(e, k) == v for k, v in match.items())]


def test_chain_wire_outlet_aggregator_by_dates_and_wire():
    docs = [
        Document(id="wire", text="\n".join(WIRE), outlet="Reuters", published="2024-03-14T08:00:00Z"),
        Document(id="outlet", text="\n".join(WIRE[:2] + [OUTLET_EXTRA]), outlet="Daily Planet", published="2024-03-14T10:00:00Z"),
        Document(id="agg", text="\n".join([AGG_EXTRA, WIRE[0], OUTLET_EXTRA]), outlet="Blog Roll", published="2024-03-14T15:30:00Z"),
    ]
    report = scan(docs, Params(), workers=1)
    assert edges(report, source="wire", copy="outlet", basis="direct")
    # the aggregator took the outlet's own paragraph: it copied the outlet
    assert edges(report, source="outlet", copy="agg", basis="direct")
    e = edges(report, source="wire", copy="outlet")[0]
    assert e.confidence >= 0.7 and any("wire" in ev for ev in e.evidence)
    origins = {c.origin for c in report.clusters}
    assert "wire" in origins


def test_dates_decide_direction_without_wire():
    docs = [
        Document(id="late", text="\n".join(WIRE), published="2024-03-15"),
        Document(id="early", text="\n".join(WIRE), published="2024-03-14"),
    ]
    report = scan(docs, Params(), workers=1)
    assert edges(report, source="early", copy="late", basis="direct")
    assert not edges(report, source="late", copy="early")


def test_no_evidence_means_unknown_direction():
    docs = [Document(id="x", text="\n".join(WIRE)), Document(id="y", text="\n".join(WIRE))]
    report = scan(docs, Params(), workers=1)
    assert not [e for e in report.provenance if e.basis == "direct"]
    assert edges(report, basis="unknown-direction")
    assert all(c.origin is None for c in report.clusters)


def test_common_credit_means_common_upstream():
    docs = [
        Document(id="p", text="\n".join(WIRE + ["Source: Reuters"])),
        Document(id="q", text="\n".join(WIRE[:2] + ["(Reuters)"])),
    ]
    report = scan(docs, Params(), workers=1)
    for doc in ("p", "q"):
        assert edges(report, source="external:Reuters", copy=doc, basis="direct")
    assert not edges(report, source="p", copy="q") and not edges(report, source="q", copy="p")


def test_credit_naming_an_outlet_in_the_corpus_is_a_direct_copy():
    docs = [
        Document(id="orig", text="\n".join(WIRE), outlet="India Today"),
        Document(id="copy", text="\n".join(WIRE[:2] + ["Source: India Today"])),
    ]
    report = scan(docs, Params(), workers=1)
    (e,) = edges(report, source="orig", copy="copy")
    assert e.basis == "direct" and e.confidence >= 0.85


def test_containment_gives_a_weak_direction():
    long_par = WIRE[0] + " " + WIRE[1]
    docs = [
        Document(id="full", text=long_par + "\n" + OUTLET_EXTRA),
        Document(id="trim", text=WIRE[0] + "\n" + AGG_EXTRA),
    ]
    report = scan(docs, Params(), workers=1)
    (e,) = edges(report, source="full", copy="trim")
    assert e.basis == "direct" and e.confidence <= 0.6
    assert any("containment" in ev for ev in e.evidence)


def test_quoted_statement_is_an_external_common_source():
    quote = "We will not accept any agreement that leaves our farmers worse off than they were before the talks began last year"
    docs = [
        Document(id="s1", text=f'Talks stalled again on Monday. "{quote}," the Agriculture Ministry said in a statement.'),
        Document(id="s2", text=f'In a statement, the Agriculture Ministry said: "{quote}." Negotiators will meet again in May.'),
    ]
    report = scan(docs, Params(), workers=1)
    (c,) = report.clusters
    assert c.origin == "external:Agriculture Ministry statement"
    for doc in ("s1", "s2"):
        assert edges(report, source=c.origin, copy=doc, basis="common-upstream")


def test_parse_date():
    assert parse_date("2024-01-18").isoformat() == "2024-01-18T00:00:00+00:00"
    assert parse_date("2024-01-18T10:30:00Z").hour == 10
    assert parse_date("yesterday") is None and parse_date(None) is None
