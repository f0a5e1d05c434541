"""Boilerplate rule families: lexicon, shape, repetition; and that noise never forms clusters."""

from __future__ import annotations

import pytest

from syndetect import Document, Params, scan
from syndetect.rules.boilerplate import CATEGORIES, Boilerplate
from syndetect.errors import ParameterError
from syndetect.pipeline.scan import paragraphs_of

ARTICLE = (
    "The city council voted on Tuesday to approve a new budget for public transport, "
    "raising spending on buses and trams by a fifth over the next two years."
)


def flags_for(text: str, **doc_fields):
    doc = Document(id="d", text=text, **doc_fields)
    return Boilerplate.load().detect([doc], paragraphs_of(doc))


@pytest.mark.parametrize(
    "line, category",
    [
        ("Subscribe to our newsletter and stay updated on the latest news and updates from around the Muslim world!", "newsletter"),
        ("Sign up for our daily briefing newsletter", "newsletter"),
        ("Stay connected to Jaano Junction on Instagram, Facebook, YouTube, Twitter and Koo. Listen to our Podcast on Spotify or Apple Podcasts.", "social"),
        ("Follow us on Twitter and Facebook", "social"),
        ("No comments:", "comments"),
        ("Post a Comment", "comments"),
        ("12 comments", "comments"),
        ("Also Read", "related"),
        ("Related Stories", "related"),
        ("No stories found.", "related"),
        ("Source: India Today", "credit"),
        ("Copyright 2008 The Associated Press. All rights reserved. This material may not be published, broadcast, rewritten, or redistributed.", "credit"),
        ("(AP)", "credit"),
        ("Except for the headline, this story has not been edited by The Telegraph Online staff and has been published from a syndicated feed.", "notice"),
        ("This article was originally published on The Conversation.", "notice"),
        ("ends", "end-marker"),
        ("-30-", "end-marker"),
        ("E-mail to a friend | Printable version", "navigation"),
        ("By Jane Smith", "byline"),
        ("Anjali Raj / Jaano Junction", "byline"),
    ],
)
def test_lexicon_rules(line, category):
    flags = flags_for(f"{ARTICLE}\n{line}\n{ARTICLE.replace('Tuesday', 'Monday')}")
    got = {(f.paragraph, f.category) for f in flags}
    assert got == {(2, category)}, flags
    assert flags[0].reason


def test_shape_navigation_link_list():
    flags = flags_for(f"News | Sport | Weather | Business | Travel\n{ARTICLE}")
    assert [(f.paragraph, f.category) for f in flags] == [(1, "navigation")]
    assert "separated" in flags[0].reason


def test_shape_related_block_links_and_site_name():
    text = (
        f"{ARTICLE}\n\nRelated Stories\nCouncil Approves Tram Extension To Airport\n"
        "Bus Fares Frozen For Another Year\n\nStay connected to Metro Daily on Instagram\n\nMetro Daily"
    )
    flags = {f.text: f.category for f in flags_for(text)}
    assert flags == {
        "Related Stories": "related",
        "Council Approves Tram Extension To Airport": "related",
        "Bus Fares Frozen For Another Year": "related",
        "Stay connected to Metro Daily on Instagram": "social",
        "Metro Daily": "byline",
    }


def test_repeated_headline_inside_body():
    title = "Council approves record transport budget"
    flags = flags_for(f"{title}\n{ARTICLE}\n{title}")
    assert [(f.paragraph, f.category) for f in flags] == [(3, "repeated-headline")]
    flags = flags_for(f"{ARTICLE}\nCouncil approves record transport budget", title=title)
    assert [(f.paragraph, f.category) for f in flags] == [(2, "repeated-headline")]


def test_article_prose_with_trigger_words_is_not_flagged():
    prose = [
        "Readers who subscribe to the paper's print edition will see prices rise next month, the publisher said in a letter that also announced new delivery routes for rural areas.",
        "The minister said she would follow the committee's advice on Instagram and Facebook advertising rules before the election campaign begins in earnest.",
        "Tehran protests attack",
        "Source code for the voting software was released by the election commission on Monday after a court order.",
    ]
    assert flags_for("\n".join(prose)) == []


def test_user_lexicon_extends_the_builtin(tmp_path):
    rules = tmp_path / "rules.toml"
    rules.write_text("[[rule]]\nname = 'app'\ncategory = 'social'\npattern = '''^download our app\\b'''\nmax_words = 12\n")
    doc = Document(id="d", text=f"{ARTICLE}\nDownload our app for breaking news")
    assert Boilerplate.load().detect([doc], paragraphs_of(doc)) == []
    flags = Boilerplate.load([str(rules)]).detect([doc], paragraphs_of(doc))
    assert [(f.category, f.reason) for f in flags] == [("social", "lexicon rule 'app'")]


@pytest.mark.parametrize(
    "content, message",
    [
        ("[[rule]]\ncategory = 'social'\n", "needs 'category' and 'pattern'"),
        ("[[rule]]\ncategory = 'ads'\npattern = 'x'\n", "unknown category"),
        ("[[rule]]\ncategory = 'social'\npattern = '('\n", "bad pattern"),
        ("[[rule\n", "not valid TOML"),
    ],
)
def test_bad_lexicon_names_the_file(tmp_path, content, message):
    path = tmp_path / "bad.toml"
    path.write_text(content)
    with pytest.raises(ParameterError, match=message) as err:
        Boilerplate.load([str(path)])
    assert str(path) in str(err.value)


def _story(i: int) -> str:
    # independent stories: no shared text between them
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"]
    return " ".join(f"{words[(i * 7 + j * 3) % 10]}{i}x{j}" for j in range(30)) + "."


def test_synthetic_outlet_template_repeated_across_documents():
    template = "Read more local reporting from the Riverside Ledger every weekday morning at seven."
    docs = [
        Document(id=f"r{i}", text=f"{_story(i)}\n{template}\n{_story(i + 100)}", outlet="Riverside Ledger")
        for i in range(4)
    ]
    report = scan(docs, Params(), workers=1)
    flagged = [f for f in report.boilerplate if f.text == template]
    assert len(flagged) == 4
    assert all("template" in f.reason and "Riverside Ledger" in f.reason for f in flagged)
    assert report.clusters == ()
    assert all(d.reused_fraction == 0 for d in report.documents)


def test_template_without_outlet_field_found_by_repetition_across_unrelated_docs():
    template = "Thanks for reading our independent journalism, which depends on readers like you to keep going."
    docs = [Document(id=f"u{i}", text=f"{_story(i)}\n{template}\n{_story(i + 50)}") for i in range(4)]
    report = scan(docs, Params(), workers=1)
    assert {f.doc for f in report.boilerplate if f.text == template} == {f"u{i}" for i in range(4)}
    assert all("share no other text" in f.reason for f in report.boilerplate)
    assert report.clusters == ()


def test_boilerplate_never_joins_a_cluster_and_not_counted_in_fractions():
    shared = (
        "The regional water authority confirmed that the reservoir reached its lowest level in forty years "
        "and warned that restrictions on garden hoses would remain in force until the autumn rains arrive."
    )
    prompt = "Subscribe to our newsletter and stay updated on the latest news from the valley and beyond!"
    docs = [
        Document(id="a", text=f"{_story(1)}\n{shared}\n{prompt}"),
        Document(id="b", text=f"{shared}\n{prompt}\n{_story(2)}"),
    ]
    report = scan(docs, Params(), workers=1)
    assert len(report.clusters) == 1
    members = report.clusters[0].members
    assert {m.text for m in members} == {shared.rstrip(".")}  # spans run from first to last matching word
    assert {(f.doc, f.category) for f in report.boilerplate} == {("a", "newsletter"), ("b", "newsletter")}
    fractions = {d.id: d.reused_fraction for d in report.documents}
    content_b = len(shared) + len(_story(2))
    span = len(shared.rstrip("."))
    assert fractions["b"] == pytest.approx(span / content_b, abs=1e-3)
    assert fractions["a"] == pytest.approx(span / (len(shared) + len(_story(1))), abs=1e-3)


def test_categories_are_the_documented_ones():
    rules = Boilerplate.load().rules
    assert {r.category for r in rules} <= set(CATEGORIES)
