"""Boilerplate rule families: lexicon, shape, repetition; and that noise never forms clusters."""

from __future__ import annotations

from dataclasses import replace

import pytest

from syndetect import Document, Params, scan
from syndetect.errors import ParameterError
from syndetect.pipeline.scan import paragraphs_of
from syndetect.rules.boilerplate import CATEGORIES, Boilerplate
from syndetect.rules.lexicon import all_examples

ARTICLE = (
    "The city council voted on Tuesday to approve a new budget for public transport, "
    "raising spending on buses and trams by a fifth over the next two years."
)


def flags_for(text: str, **doc_fields):
    doc = Document(id="d", text=text, **doc_fields)
    return Boilerplate.load().detect([doc], paragraphs_of(doc))


_BUILTIN = Boilerplate.load()


@pytest.mark.parametrize(
    "rule, line, should_flag",
    all_examples(_BUILTIN.rules),
    ids=[f"{r.name}:{'ex' if w else 'not'}:{line[:30]}" for r, line, w in all_examples(_BUILTIN.rules)],
)
def test_lexicon_rule_examples(rule, line, should_flag):
    """Every lexicon rule's `examples` are flagged in an article, with its category and
    rule id; its `not_examples` do not match it."""
    flat = " ".join(line.split())
    matches = len(line.split()) <= rule.max_words and rule.pattern.search(flat) is not None
    assert matches == should_flag, (rule.name, line)
    if should_flag:
        flags = flags_for(f"{ARTICLE}\n{line}\n{ARTICLE.replace('Tuesday', 'Monday')}")
        assert [(f.paragraph, f.category) for f in flags] == [(2, rule.category)], flags
        assert flags[0].rule.startswith("lexicon/") and flags[0].reason


def test_every_builtin_rule_has_an_example_and_a_unique_id():
    assert [r.name for r in _BUILTIN.rules if not r.examples] == []
    assert len({r.id for r in _BUILTIN.rules}) == len(_BUILTIN.rules)


def test_user_rules_carry_examples(tmp_path):
    rules = tmp_path / "rules.toml"
    rules.write_text(
        "[[rule]]\nname = 'app'\ncategory = 'social'\npattern = '^download our app'\n"
        "examples = ['Download our app']\nnot_examples = ['Please download the report']\n"
    )
    (rule,) = [r for r in Boilerplate.load([str(rules)]).rules if r.name == "app"]
    assert rule.examples == ("Download our app",) and rule.not_examples == ("Please download the report",)
    assert rule.id == "lexicon/app"


def test_shape_navigation_link_list():
    flags = flags_for(f"News | Sport | Weather | Business | Travel\n{ARTICLE}")
    assert [(f.paragraph, f.category) for f in flags] == [(1, "navigation")]
    assert "separated" in flags[0].reason and flags[0].rule == "shape/link-list"


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
    assert [(f.category, f.reason, f.rule) for f in flags] == [("social", "lexicon rule 'app'", "lexicon/app")]


@pytest.mark.parametrize(
    "content, message",
    [
        ("[[rule]]\ncategory = 'social'\n", "needs 'category' and 'pattern'"),
        ("[[rule]]\ncategory = 'ads'\npattern = 'x'\n", "unknown category"),
        ("[[rule]]\ncategory = 'social'\npattern = '('\n", "bad pattern"),
        ("[[rule\n", "not valid TOML"),
        ("[shape]\nlink_list_min_items = 'three'\n", "link_list_min_items must be a int"),
        ("[repetition]\nmin_repeat = 2\n", "unknown setting 'min_repeat'"),
        ("[[wire]]\naliases = ['x']\n", "needs a 'name'"),
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
    assert {f.rule for f in flagged} == {"repetition/site-template"}
    assert report.clusters == ()
    assert all(d.reused_fraction == 0 for d in report.documents)


def test_recurring_prose_without_outlets_is_reported_not_suppressed():
    """Without outlets nothing says the pages are one site's: a prose paragraph recurring in
    pages that share nothing else may be syndication, so it stays a cluster."""
    template = "Thanks for reading our independent journalism, which depends on readers like you to keep going."
    docs = [Document(id=f"u{i}", text=f"{_story(i)}\n{template}\n{_story(i + 50)}") for i in range(4)]
    report = scan(docs, Params(), workers=1)
    assert report.boilerplate == ()
    assert [c.docs for c in report.clusters] == [("u0", "u1", "u2", "u3")]
    # the same pages on one site: a site template
    docs = [replace(d, url=f"https://news.example.co.uk/{i}") for i, d in enumerate(docs)]
    report = scan(docs, Params(), workers=1)
    assert {f.doc for f in report.boilerplate if f.text == template} == {f"u{i}" for i in range(4)}
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


def test_every_flag_has_a_known_rule_id():
    from syndetect.rules import REPETITION_RULES, SHAPE_RULES

    text = (
        f"News | Sport | Weather | Business\n{ARTICLE}\n\nRelated Stories\nCouncil Approves Tram Extension To Airport\n\n"
        "Stay connected to Metro Daily on Instagram\n\nMetro Daily"
    )
    flags = flags_for(text, title="Council approves record transport budget")
    known = set(SHAPE_RULES) | set(REPETITION_RULES) | {r.id for r in _BUILTIN.rules}
    assert flags and all(f.rule in known for f in flags)
    assert {f.rule for f in flags} >= {"shape/link-list", "shape/related-link", "shape/site-name"}


def test_thresholds_come_from_data(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text("[shape]\nlink_list_min_items = 6\n")
    text = f"News | Sport | Weather | Business | Travel\n{ARTICLE}"
    assert [f.rule for f in flags_for(text)] == ["shape/link-list"]
    doc = Document(id="d", text=text)
    assert Boilerplate.load([str(path)]).detect([doc], paragraphs_of(doc)) == []


# -- issue 10: boilerplate by evidence, never against syndication -----------
WIRE_PARAGRAPH = (
    "Rescue teams pulled two more survivors from the collapsed apartment block early on Wednesday, "
    "bringing the number of people found alive to eleven, the regional emergency ministry said."
)


def _page(i: int, host: str, middle: list[str], *, head: list[str] = (), tail: list[str] = ()) -> Document:
    body = [_story(i), *middle, _story(i + 500)]
    return Document(id=f"p{i:02d}", text="\n\n".join([*head, *body, *tail]), url=f"https://{host}/story/{i}.html")


@pytest.mark.parametrize("outlets", [2, 3, 6, 20])
def test_wire_paragraph_in_unrelated_outlets_is_one_cluster_never_boilerplate(outlets):
    docs = [_page(i, f"www.outlet{i}.com", [WIRE_PARAGRAPH]) for i in range(outlets)]
    report = scan(docs, Params(), workers=1)
    assert report.boilerplate == ()
    (cluster,) = report.clusters
    assert cluster.docs == tuple(d.id for d in docs)
    if outlets <= Params().popular_docs:  # a more popular passage is listed once, without its document pairs
        assert len(report.pairs) == outlets * (outlets - 1) // 2


def test_one_outlet_promo_line_in_four_pages_is_boilerplate_and_no_cluster():
    promo = "Get the Riverside Ledger app for breaking news alerts and the daily crossword on your phone."
    hosts = ["www.ledger.co.uk", "sport.ledger.co.uk", "www.ledger.co.uk", "news.ledger.co.uk"]
    docs = [_page(i, host, [promo]) for i, host in enumerate(hosts)]
    report = scan(docs, Params(), workers=1)
    assert report.clusters == () and report.pairs == ()
    assert {(f.doc, f.rule) for f in report.boilerplate} == {(d.id, "repetition/site-template") for d in docs}
    assert all("ledger.co.uk" in f.reason for f in report.boilerplate)


def test_two_page_template_outside_the_body_with_varying_year():
    furniture = ["Home", "News", "Sport", "Weather"]
    footers = [
        "Copyright holders of the Riverside Ledger 2007 reserve the use of every photograph shown on this website",
        "Copyright holders of the Riverside Ledger 2008 reserve the use of every photograph shown on this website",
    ]
    docs = [
        _page(i, "www.ledger.co.uk" if i == 0 else "sport.ledger.co.uk", [], head=furniture,
              tail=["Most Read", "Council Approves Tram Extension", "Bakery Wins Rye Prize", footers[i]])
        for i in range(2)
    ]
    report = scan(docs, Params(), workers=1)
    assert report.pairs == ()
    flagged = {(f.doc, f.text) for f in report.boilerplate}
    assert {(d.id, footers[i]) for i, d in enumerate(docs)} <= flagged
    assert all((d.id, "Home") in flagged for d in docs)


def test_two_templates_in_the_same_pages_do_not_shield_each_other():
    templates = [
        "Get the Riverside Ledger app for breaking news alerts and the daily crossword on your phone.",
        "Our reporters answer readers' questions about the valley every Friday in the letters pages and online.",
    ]
    menu = ["Home", "News", "Sport", "Weather", "Business"]
    docs = [
        _page(i, "www.ledger.co.uk", [_story(i + 900)], head=menu,
              tail=["Share", "Tweet", "Email", templates[0], "Most Read", "Contact Us", templates[1], "Privacy Policy"])
        for i in range(3)
    ]
    report = scan(docs, Params(), workers=1)
    assert report.clusters == ()
    assert set(templates) <= {f.text for f in report.boilerplate if f.rule == "repetition/site-template"}


def test_same_site_story_printed_twice_is_reported():
    docs = [_page(i, "www.ledger.co.uk", [WIRE_PARAGRAPH, _story(77), _story(78)]) for i in range(2)]
    report = scan(docs, Params(), workers=1)
    assert report.boilerplate == ()
    assert [(p.a, p.b) for p in report.pairs] == [("p00", "p01")]


def test_cross_site_blurb_outside_the_body_is_furniture_prose_inside_is_not():
    blurb = ("Sponsored content from our partners at the regional credit union, helping families across the valley "
             "plan for tomorrow with savings accounts and home loans")
    menu = ["Home", "Local News", "Weather Radar", "Traffic Cameras"]
    docs = [
        _page(i, f"www.tv{i}.com", [WIRE_PARAGRAPH] if i < 2 else [], head=menu,
              tail=["Trending Now", "School Board Names New Chief", blurb, "Contact Us", "Privacy Policy"])
        for i in range(4)
    ]
    report = scan(docs, Params(), workers=1)
    assert {f.doc for f in report.boilerplate if f.text == blurb} == {d.id for d in docs}
    assert {f.rule for f in report.boilerplate if f.text == blurb} <= {"repetition/outside-body", "shape/outside-body"}
    assert [c.docs for c in report.clusters] == [("p00", "p01")]


def test_article_tail_headline_run_is_furniture_clean_article_is_untouched():
    tail = ["Related Coverage", "Council Approves Tram Extension To Airport", "Bus Fares Frozen For Another Year",
            "Library Extends Opening Hours", "Share", "Tweet", "Comments", "November 19, 2019"]
    head = ["Home", "News", "Local", "Sport", "Business"]
    doc = _page(1, "www.ledger.co.uk", [ARTICLE], head=head, tail=tail)
    other = _page(2, "www.ledger.co.uk", [], head=head, tail=tail)  # the site's template shows in its other page
    flags = Boilerplate.load().detect([doc, other], paragraphs_of(doc) + paragraphs_of(other))
    flagged = {f.text for f in flags if f.doc == doc.id}
    assert set(tail) | set(head) <= flagged
    assert ARTICLE not in flagged and not any(t.startswith("alpha") or "x0 " in t for t in flagged)
    # a clean article: headline, byline, dateline and body
    clean = Document(id="c", text="\n\n".join(["Council approves record transport budget", "Jane Smith",
                                               "November 19, 2019", ARTICLE, _story(3)]))
    assert Boilerplate.load().detect([clean], paragraphs_of(clean)) == []


def test_table_rows_of_the_article_are_not_link_lists():
    rows = "Pos. | Driver | Points | Wins\n1 | Kyle Busch | 5040 | 5\n2 | Martin Truex Jr. | 5035 | 7"
    flags = flags_for(f"{ARTICLE}\n\n{rows}", title="Busch wins the championship by five points")
    assert [f.text for f in flags] == []


def test_every_threshold_lives_in_the_data_file():
    import dataclasses
    import tomllib
    from importlib import resources

    from syndetect.rules import RepetitionParams, ShapeParams

    data = tomllib.loads(resources.files("syndetect").joinpath("data/boilerplate.toml").read_text("utf-8"))
    assert {f.name for f in dataclasses.fields(ShapeParams)} == set(data["shape"])
    assert {f.name for f in dataclasses.fields(RepetitionParams)} == set(data["repetition"])
    assert set(data) == {"shape", "repetition", "rule"}


AUTHOR_BIO = (
    "Maria Lindqvist writes about schools, families and the valley's towns for the Riverside Ledger. "
    "Before joining the paper she taught history for twelve years in two secondary schools, and she "
    "still coaches the under-fourteen football team on Saturday mornings. She lives with her husband, "
    "two children and an old sheepdog in a farmhouse above the river, and she answers every reader who "
    "writes to her about the stories she has covered."
)


def test_one_site_author_bio_after_the_body_in_three_pages_is_boilerplate_and_no_cluster():
    hosts = ["www.ledger.co.uk", "www.ledger.co.uk", "news.ledger.co.uk"]
    docs = [_page(i, host, [], tail=[AUTHOR_BIO]) for i, host in enumerate(hosts)]
    report = scan(docs, Params(), workers=1)
    assert report.clusters == () and report.pairs == ()
    assert {(f.doc, f.rule) for f in report.boilerplate if f.text == AUTHOR_BIO} == {
        (d.id, "repetition/site-template") for d in docs
    }


@pytest.mark.parametrize("outlets", [2, 3, 6])
def test_the_same_long_paragraph_in_unrelated_outlets_stays_syndication(outlets):
    docs = [_page(i, f"www.outlet{i}.com", [], tail=[AUTHOR_BIO]) for i in range(outlets)]
    report = scan(docs, Params(), workers=1)
    assert report.boilerplate == ()
    (cluster,) = report.clusters
    assert cluster.docs == tuple(d.id for d in docs)


CONTRIBUTORS = "The weekend edition carries the full list of the valley's summer fairs, markets and open gardens."


def test_one_site_line_closing_the_body_of_two_pages_is_boilerplate():
    docs = [_page(i, "www.ledger.co.uk", [], tail=[CONTRIBUTORS]) for i in range(2)]
    report = scan(docs, Params(), workers=1)
    assert report.pairs == ()
    assert {(f.doc, f.rule) for f in report.boilerplate if f.text == CONTRIBUTORS} == {
        (d.id, "repetition/site-template") for d in docs
    }
    # in two outlets it is shared text, reported
    other = [_page(i, f"www.outlet{i}.com", [], tail=[CONTRIBUTORS]) for i in range(2)]
    assert [c.docs for c in scan(other, Params(), workers=1).clusters] == [("p00", "p01")]


# -- issue 10, third pass --------------------------------------------------------
MENU = ["Home", "Local News", "Weather Radar", "Traffic Cameras", "Sports Scores"]
TAIL = ["Box Office", "Season Tickets", "Gift Cards", "Trending Now", "School Board Names New Chief",
        "Council Approves Tram Extension", "Contact Us", "Privacy Policy", "Terms Of Use"]


def test_a_passage_outside_the_body_of_some_pages_and_inside_the_body_of_one_stays_syndication():
    """A teaser another site shows outside its body (an aggregator's sidebar quoting the story) and
    the story itself inside one page's body: reuse, one cluster, never boilerplate — however many
    pages carry the teaser outside their bodies."""
    teaser = ("A team of scientists has created the most detailed large-scale model of the universe to date, "
              "a simulation they call TNG50, after a year of computing on sixteen thousand processor cores.")
    docs = [_page(i, f"www.aggregator{i}.com", [], head=MENU, tail=[*TAIL[:3], teaser, *TAIL[3:]]) for i in range(3)]
    docs.append(_page(3, "www.outlet3.com", [teaser, _story(903)], head=MENU, tail=TAIL))
    report = scan(docs, Params(), workers=1)
    assert not any(f.text == teaser for f in report.boilerplate)
    (cluster,) = [c for c in report.clusters if any(m.text.startswith("team of scientists") or "TNG50" in m.text
                                                    for m in c.members)]
    assert set(cluster.docs) == {d.id for d in docs}


def test_the_articles_repeated_elements_just_after_its_prose_are_body():
    """A caption (or a product box's lines) recurring inside the body recurs again just after the
    last prose paragraph: the body goes on to it; the page's own furniture after it is still flagged."""
    caption = "Festival Series Performance at Marronnier Park Photo Gallery"
    middle = [caption, _story(801), caption, _story(802), caption, _story(803)]
    doc = _page(1, "www.theatre.example", middle, head=MENU, tail=[caption, "Tickets On Sale Now", caption, *TAIL])
    flags = Boilerplate.load().detect([doc], paragraphs_of(doc))
    flagged = {(f.paragraph, f.text) for f in flags}
    texts = [p.text for p in paragraphs_of(doc)]
    assert not any(t == caption for _, t in flagged)
    assert set(TAIL) <= {t for _, t in flagged} and set(MENU) <= {t for _, t in flagged}
    assert texts.index("Tickets On Sale Now") + 1 not in {i for i, _ in flagged}


def test_a_line_recurring_only_in_a_teaser_list_the_core_ran_into_does_not_extend_the_body():
    """A kicker repeated only at the end of the core (a teaser list whose teasers are sentences)
    is not an element of the article: the furniture after the core stays furniture."""
    kicker = "Company Town"
    teasers = [kicker, "Agency signs franchise agreement with writers", _story(811), kicker,
               "Film business regulations thrown out", _story(812)]
    doc = _page(2, "www.paper.example", [_story(810), _story(813), _story(814), _story(815)], head=MENU,
                tail=[*teasers, kicker, "Studio shakes up distribution ranks", kicker, "Network signs correspondent",
                      *TAIL])
    flags = Boilerplate.load().detect([doc], paragraphs_of(doc))
    assert "Studio shakes up distribution ranks" in {f.text for f in flags}


def test_table_header_rows_and_rows_with_few_numbers_are_not_link_lists():
    table = ["Defensive Line", "Pos | Player | Plays | % | Stats", "Pos | Player | Plays | % | Stats",
             "DL | Larry Ogunjobi | 63 | 85% | 1 tackle", "DL | Myles Garrett | 57 | 77% | 3 QH",
             "LB | Sione Takitaki | 6 | 8% | No stats registered."]
    text = "\n\n".join([ARTICLE, *table, ARTICLE.replace("Tuesday", "Monday")])
    assert flags_for(text, title="Snap counts and stats on defense") == []
    # a pipe line that is not a table row of the article is still a link list
    assert [f.rule for f in flags_for(f"{text}\n\nNews | Sport | Weather | Travel")] == ["shape/link-list"]


def test_comment_thread_is_furniture_the_article_is_not():
    comments = []
    for k in range(1, 5):
        comments += [f"{k}. reader{k} says:", f"November 19, 2019 at {k}:34 am",
                     f"Comment number {k} says the coach should have gone for it on fourth down, and I agree."]
    doc = _page(3, "www.football.example", [_story(820)], head=MENU, tail=["Leave a Reply", *comments])
    flags = {f.text: f.rule for f in Boilerplate.load().detect([doc], paragraphs_of(doc))}
    for k in range(1, 5):
        assert flags[f"{k}. reader{k} says:"] == "lexicon/comments-author"
        assert flags[f"Comment number {k} says the coach should have gone for it on fourth down, and I agree."] in (
            "shape/comment-thread", "shape/outside-body")
    assert not any(t.startswith(("alpha", "bravo", "charlie")) or "x0 " in t for t in flags)
    # two author lines are no thread
    few = _page(4, "www.football.example", [_story(821)], head=MENU, tail=comments[:6])
    assert "shape/comment-thread" not in {f.rule for f in Boilerplate.load().detect([few], paragraphs_of(few))}


def test_an_embedded_post_just_after_the_body_is_the_articles():
    post = ["Who are we as a nation if we respond to threats of political retribution with retribution ourselves",
            "— Rep. Jane Doe (@janedoe) November 19, 2019"]
    doc = _page(5, "www.capitol.example", [], head=MENU, tail=[*post, "Updated at 1:23 p.m.", *TAIL])
    flagged = {f.text for f in Boilerplate.load().detect([doc], paragraphs_of(doc))}
    assert not set(post) & flagged
    assert set(TAIL) <= flagged


def test_a_long_tail_run_is_furniture_at_a_lower_title_share_a_short_one_is_not():
    titled = [f"Council Approves Tram Extension Number {k}" for k in range(13)]
    plain = [f"local team wins the regional final for the {k}th time in a row" for k in range(7)]
    long_tail = [x for pair in zip(titled, plain + [""] * 6) for x in pair if x]  # 20 lines, 0.65 title-like
    doc = _page(6, "www.paper.example", [], head=MENU, tail=long_tail)
    flagged = {f.text for f in Boilerplate.load().detect([doc], paragraphs_of(doc))}
    assert set(long_tail) <= flagged
    short_tail = titled[:6] + plain[:4]  # 10 lines, 0.6 title-like: not furniture by shape
    doc = _page(7, "www.paper.example", [], head=MENU, tail=short_tail)
    flagged = {f.text for f in Boilerplate.load().detect([doc], paragraphs_of(doc))}
    assert not set(short_tail) & flagged


def test_a_site_template_outside_the_body_of_one_page_does_not_shield_its_copies_inside_others():
    """Two templates of one site: outside the body on one page (after its menu-like tail), right after
    the body's prose on the others. Sharing them does not make the pages related."""
    t1 = "Get the day's big stories and the fun stuff you love like mock drafts, picks and power rankings."
    t2 = "I agree that the Riverside Ledger can send me its weekly sports newsletter by email every Friday."
    docs = [_page(0, "www.ledger.co.uk", [], head=MENU, tail=[*TAIL, t1, t2, *TAIL])]
    docs += [_page(i, "sport.ledger.co.uk", [], head=MENU, tail=[t1, t2, *TAIL]) for i in (1, 2)]
    report = scan(docs, Params(), workers=1)
    assert report.clusters == () and report.pairs == ()
    assert {(f.doc, f.text) for f in report.boilerplate if f.text in (t1, t2)} == {
        (d.id, t) for d in docs for t in (t1, t2)
    }


def test_product_boxes_that_go_on_after_a_break_are_the_articles():
    """The article goes on after its prose with product boxes (name, price, shop, disclosure, button);
    a long non-sentence line breaks the run, and the next box repeats the lines of the earlier ones:
    still the article's. The page's furniture after it is flagged."""
    features = ["Automatically on, automatically connected", "Easy setup for all your devices",
                "Quick access to the assistant by saying its name", "Double-tap to play or skip forward",
                "Charges quickly in the case"]

    def box(name: str, price: str, n_features: int) -> list[str]:
        return [name, *features[:n_features], f"{name} (Latest Model)", price, "Available from Amazon",
                "The Site may receive a commission", "Buy Now"]
    long_line = ("Comes with wireless headphones, carrying case, remote talk cable, universal charging cable, "
                 "quick start guide, warranty card and a spare set of ear tips in three sizes in the box with the "
                 "usual accessories")
    boxes = box("Wireless Earbuds", "$139.00", 5) + box("Wireless Earbuds Pro", "$234.98", 5)
    after = [long_line, *box("Studio Headphones", "$164.99", 1)]  # title-like enough to pass for furniture
    follow = ("Follow the deals desk on every network to keep up with the latest and greatest offers from around "
              "the web, because quantities and prices are limited and may change at any time without notice.")
    doc = _page(8, "www.deals.example", [], head=MENU, tail=[*boxes, *after, follow, *TAIL])
    flagged = {f.text for f in Boilerplate.load().detect([doc], paragraphs_of(doc))}
    assert not set(boxes + after) & flagged
    assert set(TAIL) <= flagged


def test_a_long_menu_after_the_body_is_furniture_whatever_colon_line_heads_it():
    menu = [f"Section Number {k} News" for k in range(16)]
    doc = _page(9, "www.paper.example", [], head=MENU, tail=["Follow us elsewhere:", *menu])
    flagged = {f.text for f in Boilerplate.load().detect([doc], paragraphs_of(doc))}
    assert set(menu) <= flagged
    # a short list the article introduces with a colon stays the article's
    items = ["Bus fares frozen for another year", "Trams every ten minutes at peak", "Two new park-and-ride sites"]
    doc = _page(10, "www.paper.example", ["The plan has three parts for riders:"], head=MENU, tail=[*items, *TAIL])
    doc = replace(doc, text=doc.text.replace(_story(510) + "\n\n", ""))  # the list closes the body
    flagged = {f.text for f in Boilerplate.load().detect([doc], paragraphs_of(doc))}
    assert not set(items) & flagged


def test_a_long_list_of_sentence_case_headlines_far_after_the_body_is_furniture():
    headlines = [f"queen and prince spend their {k}th anniversary apart as the royal tour goes on" for k in range(16)]
    banner = ("sign in to read the full digital edition of the daily paper on your phone tablet or computer "
              "with the puzzles the archive and the weekend magazine included at no extra cost for members")
    tail = ["Share", "Tweet", banner, *headlines]
    doc = _page(11, "www.paper.example", [], head=MENU, tail=tail)
    flagged = {f.text for f in Boilerplate.load().detect([doc], paragraphs_of(doc))}
    assert set(headlines) <= flagged


def test_a_line_next_to_the_body_only_its_own_page_carries_is_the_articles():
    """Next to the body, the site's template shows itself in the site's other pages; a line right
    at the body's edge that no other page of the site carries (a headline, a caption) is the
    article's own and not shape/outside-body. A line there that another page carries stays furniture."""
    own = {1: ("Council Approves Tram Extension To Airport", "Riders Wait At The New Tram Stop"),
           2: ("Library Extends Opening Hours In Winter", "Readers Queue Outside The Reading Room")}
    docs = [_page(i, "www.ledger.co.uk", [], head=[*MENU, own[i][0]], tail=[own[i][1], *TAIL]) for i in (1, 2)]
    docs.append(_page(3, "news.ledger.co.uk", [], head=[*MENU, "Sports Scores Today"], tail=TAIL))
    docs.append(_page(4, "www.ledger.co.uk", [], head=[*MENU, "Sports Scores Today"], tail=TAIL))
    pars = [p for d in docs for p in paragraphs_of(d)]
    det = Boilerplate.load()
    flags = {(f.doc, f.text): f for f in det.detect(docs, pars)}
    for i in (1, 2):
        d = f"p{i:02d}"
        assert (d, own[i][0]) not in flags and (d, own[i][1]) not in flags
        assert {(d, t) for t in MENU + TAIL} <= set(flags)
    # the same line at the edge of two pages of the site: the site's template
    assert {flags[(d, "Sports Scores Today")].rule for d in ("p03", "p04")} == {"shape/outside-body"}
    # without the rule, the page's own edge lines are flagged like the rest of the run
    det.repetition = replace(det.repetition, edge_own_lines=0)
    flags = {(f.doc, f.text) for f in det.detect(docs, pars)}
    assert {("p01", own[1][0]), ("p01", own[1][1])} <= flags


_DISCLAIMER = [
    "The information provided on this website is for general information only and is not a substitute for "
    "professional medical advice, diagnosis or treatment of any kind whatsoever.",
    "Results vary depending on starting point, goals and effort, and exercise and a proper diet are necessary "
    "to achieve and maintain weight loss and muscle definition over time.",
    "These statements have not been evaluated by the food and drug authorities, and these products are not "
    "intended to diagnose, treat, cure or prevent any disease at all.",
]


def test_prose_the_sites_other_pages_share_is_not_taken_for_the_article(monkeypatch):
    """A site's footer disclaimer (prose, the same in its pages) outweighs a short article that goes
    on as a list: told without the prose the site's other pages share, the body is the article, and
    its list is not furniture. The page-shape rule alone (no site evidence) took the footer."""
    from syndetect.rules import repetition

    plans = {1: ["1. Oatmeal with berries and nuts for breakfast", "2. Chicken salad with greens for lunch",
                 "3. Salmon with sweet potato for dinner"],
             2: ["1. A banana and almond butter before the workout", "2. A protein shake after the workout",
                 "3. Grilled tofu with rice for dinner"]}
    docs = [Document(id=f"p{i}", url=f"https://www.fitness.example/blog/{i}", text="\n\n".join(
        [*MENU, _story(i), _story(i + 500), *plans[i], *TAIL, *_DISCLAIMER, "Contact Us | Terms | Privacy"]))
        for i in (1, 2)]
    pars = [p for d in docs for p in paragraphs_of(d)]

    def flagged() -> set[tuple[str, str]]:
        return {(f.doc, f.text) for f in Boilerplate.load().detect(docs, pars)}

    got = flagged()
    for i in (1, 2):
        assert not {(f"p{i}", t) for t in plans[i] + _DISCLAIMER} & got
        assert {(f"p{i}", t) for t in MENU[1:] + TAIL[:3]} <= got
    assert any("told without the prose the site's other pages share" in f.reason
               for f in Boilerplate.load().detect(docs, pars))
    monkeypatch.setattr(repetition, "site_shared_prose", lambda *args: frozenset())
    got = flagged()
    assert {(f"p{i}", t) for i in (1, 2) for t in plans[i]} <= got  # before the footer taken for the body
