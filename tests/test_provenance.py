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


def test_user_credit_rule_reaches_provenance(tmp_path):
    """A user `credit` rule with a `source` group is provenance evidence, not only a flag."""
    rules = tmp_path / "credits.toml"
    rules.write_text(
        "[[rule]]\nname = 'distributed-by'\ncategory = 'credit'\n"
        "pattern = '''^distributed by (?P<source>[A-Z][\\w ]{2,40}?)\\.?$'''\nmax_words = 8\n"
    )
    docs = [
        Document(id="orig", text="\n".join(WIRE), outlet="Northern Star"),
        Document(id="copy", text="\n".join(WIRE[:2] + ["Distributed by Northern Star"])),
    ]
    builtin = scan(docs, Params(), workers=1)
    assert not edges(builtin, basis="direct")  # the built-in lexicon knows no such credit
    report = scan(docs, Params(), workers=1, lexicon_paths=[str(rules)])
    (flag,) = [f for f in report.boilerplate if f.doc == "copy"]
    assert (flag.category, flag.rule) == ("credit", "lexicon/distributed-by")
    (e,) = edges(report, source="orig", copy="copy")
    assert e.basis == "direct" and "credit/line" in e.kinds
    assert not edges(report, basis="unknown-direction")


def test_edges_name_their_evidence_kinds():
    from syndetect.provenance.evidence import EVIDENCE_KINDS

    docs = [
        Document(id="late", text="\n".join(WIRE), published="2024-03-15"),
        Document(id="early", text="\n".join(WIRE), published="2024-03-14"),
        Document(id="x", text="\n".join(WIRE[1:])),
    ]
    report = scan(docs, Params(), workers=1)
    assert report.provenance and all(e.kinds and set(e.kinds) <= set(EVIDENCE_KINDS) for e in report.provenance)
    (e,) = edges(report, source="early", copy="late")
    assert "date/published" in e.kinds


# -- issue 10: provenance that knows the news business ----------------------
LEAD = "LONDON (Reuters) - " + WIRE[0]


def _edges_into(report, doc):
    return {(e.source, e.basis) for e in report.provenance if e.copy == doc}


def test_wire_host_document_is_the_wires_own_copy_and_own_lines_are_not_credits():
    docs = [
        Document(id="wire", url="https://www.reuters.com/article/prices-idUS123",
                 text="\n\n".join([LEAD, *WIRE[1:], "Copyright 2008 Reuters. All rights reserved."])),
        Document(id="copy", url="https://www.dailyplanet.com/business/prices.html",
                 text="\n\n".join([LEAD, *WIRE[1:], "© 2008 Daily Planet. All rights reserved."])),
    ]
    report = scan(docs, Params(), workers=1)
    (e,) = edges(report, source="wire", copy="copy")
    assert e.basis == "direct" and "wire/host" in e.kinds
    assert _edges_into(report, "wire") == set()  # the wire's own copy has no upstream
    assert not [e for e in report.provenance if e.source.startswith("external:")]


def test_own_site_and_publisher_copyright_lines_are_not_credits_a_wire_copyright_is():
    docs = [
        Document(id="a", text="\n\n".join(WIRE + ["Copyright 2008 Cox Media Group. All rights reserved."])),
        Document(id="b", text="\n\n".join(WIRE + ["© 2008 The Valley Gazette"])),
    ]
    report = scan(docs, Params(), workers=1)
    assert not [e for e in report.provenance if e.source.startswith("external:")]
    assert {e.basis for e in report.provenance} == {"unknown-direction"}
    docs[1] = Document(id="b", text="\n\n".join(WIRE + ["Copyright 2008 by The Associated Press"]))
    docs.append(Document(id="c", text="\n\n".join(WIRE + ["© AP 2008"])))
    report = scan(docs, Params(), workers=1)
    for doc in ("b", "c"):
        assert ("external:Associated Press", "direct") in _edges_into(report, doc)


def test_dates_written_beside_the_body_give_the_direction():
    menu = [f"Section {k}" for k in "ABCDEFGH"]
    docs = [
        Document(id="late", url="https://www.gazette.example/x", text="\n\n".join(menu + ["Updated : 16 January 2008, 09:01 AM", *WIRE])),
        Document(id="early", url="https://www.planet.example/y", text="\n\n".join(menu + ["January 15, 2008", *WIRE])),
    ]
    report = scan(docs, Params(), workers=1)
    (e,) = edges(report, source="early", copy="late")
    assert e.basis == "direct" and "date/text" in e.kinds
    assert not edges(report, source="late", copy="early")


def test_quote_inside_a_copied_passage_folds_into_the_passage_edge():
    quote = "We will not accept any agreement that leaves our farmers worse off than they were before the talks began"
    para = f'Negotiators met again on Monday. "{quote}," the Agriculture Ministry said in a statement.'
    docs = [
        Document(id="src", published="2024-03-14", text="\n\n".join([WIRE[0], para, WIRE[1]])),
        Document(id="cp", published="2024-03-15",
                 text="\n\n".join([WIRE[0], f'Talks resumed. "{quote}," the ministry said.', WIRE[1]])),
    ]
    report = scan(docs, Params(), workers=1)
    assert not [e for e in report.provenance if e.source.startswith("external:")]
    assert edges(report, source="src", copy="cp", basis="direct")
    assert all(c.origin == "src" for c in report.clusters)
    # quote-only sharing keeps its statement upstream
    docs = [
        Document(id="s1", text=f'{OUTLET_EXTRA}\n\n{para}'),
        Document(id="s2", text=f'{AGG_EXTRA}\n\nIn a statement, the Agriculture Ministry said: "{quote}."'),
    ]
    report = scan(docs, Params(), workers=1)
    assert [c.origin for c in report.clusters] == ["external:Agriculture Ministry statement"]


def test_wire_or_reprinting_outlet_is_reported_as_ambiguous():
    docs = [
        Document(id="wire", url="https://www.reuters.com/article/a", text="\n\n".join([LEAD, *WIRE[1:]])),
        Document(id="outlet", url="https://www.planet.example/a", published="2024-03-14",
                 text="\n\n".join([LEAD, *WIRE[1:]])),
        Document(id="late", url="https://www.blogroll.example/a", published="2024-03-15", text="\n\n".join(WIRE)),
    ]
    report = scan(docs, Params(), workers=1)
    into = [e for e in report.provenance if e.copy == "late"]
    assert {(e.source, e.basis) for e in into} == {("wire", "direct"), ("outlet", "direct")}
    assert all("ambiguous" in e.kinds and e.confidence <= 0.5 for e in into)
    assert edges(report, source="wire", copy="outlet", basis="direct")


def test_user_wire_entry_is_known_to_provenance(tmp_path):
    extra = tmp_path / "wires.toml"
    extra.write_text("[[wire]]\nname = 'Valley News Service'\naliases = ['vns']\ntags = ['VNS']\nhosts = ['vns.example']\n")
    docs = [
        Document(id="w", url="https://feed.vns.example/1", text="\n\n".join(WIRE)),
        Document(id="c", url="https://www.planet.example/1", text="\n\n".join(WIRE)),
    ]
    assert edges(scan(docs, Params(), workers=1), basis="unknown-direction")
    report = scan(docs, Params(), workers=1, lexicon_paths=[str(extra)])
    (e,) = edges(report, source="w", copy="c")
    assert e.basis == "direct" and "wire/host" in e.kinds


def test_markup_attribute_quotes_are_not_quoted_speech():
    """Residue such as <img alt="..."> carries sentences in quote marks: they are not a statement."""
    docs = [
        Document(id=f"m{i}", text=f'{OUTLET_EXTRA if i else AGG_EXTRA}\n\n{WIRE[1][:60]} <img alt="{WIRE[0]}" '
                                  f'title="{WIRE[2]}" src="http://img.example.com/{i}.jpg">')
        for i in range(2)
    ]
    report = scan(docs, Params(), workers=1)
    assert report.clusters and not [c for c in report.clusters if (c.origin or "").startswith("external:")]
    assert edges(report, basis="unknown-direction")


def test_a_wire_tag_credits_the_text_it_travels_with_not_the_outlets_own_paragraphs():
    own = [
        "Our own reporter visited three supermarkets in the city centre on Thursday and found the price of a loaf had risen again.",
        "Shoppers told the paper they were cutting back on fresh fruit and buying more tinned food to make their money last.",
    ]
    docs = [
        Document(id="outlet", published="2024-03-14", text="\n\n".join([*own, LEAD, *WIRE[1:]])),
        Document(id="blog", published="2024-03-15", text="\n\n".join([AGG_EXTRA, *own])),
    ]
    report = scan(docs, Params(), workers=1)
    (e,) = [e for e in report.provenance if e.copy == "blog"]
    assert (e.source, e.basis) == ("outlet", "direct")
    assert not [e for e in report.provenance if e.source == "external:Reuters"]


def test_an_extractors_guessed_date_never_gives_a_direction():
    """htmldate's reading of an undated page (e.g. a copyright year, 2005-01-01) is reported, not used for
    direction: two outlets sharing a story with only guessed dates are `unknown-direction`; the same dates
    from the pages' own metadata decide it."""
    def docs(date_source):
        return [
            Document(id="late", text="\n".join(WIRE), outlet="Daily Planet", published="2019-01-01",
                     date_source=date_source),
            Document(id="early", text="\n".join(WIRE), outlet="Evening Star", published="2005-01-01",
                     date_source=date_source),
        ]

    guessed = scan(docs("html:htmldate"), Params(), workers=1)
    assert guessed.provenance and all(e.basis == "unknown-direction" for e in guessed.provenance)
    assert {d.published for d in guessed.documents} == {"2019-01-01", "2005-01-01"}  # still reported
    stated = scan(docs("html-meta:article:published_time"), Params(), workers=1)
    assert edges(stated, source="early", copy="late", basis="direct")
