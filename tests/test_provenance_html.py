"""Provenance of HTML pages: the outlet and host from the page's URL, the article's own date before page
furniture, htmldate's guess never giving a direction — through the HTML reader, in scan and in check."""

from __future__ import annotations

from html import escape
from pathlib import Path

from syndetect import Index, Params, read_inputs, scan
from syndetect.model import Document
from syndetect.readers import ReaderOptions
from syndetect.readers.html import extract_page
from syndetect.rules.boilerplate import outlet_of

LEAD = ("NEW YORK (AP) — U.S. stocks slid on Thursday as the price of oil topped 100 dollars a barrel for the first "
        "time, and traders said worries about inflation had returned to the market after a quiet week.")
BODY = [
    "The Dow Jones industrial average fell more than two hundred points in the first hour of trading, led by airlines "
    "and carmakers, whose fuel costs have risen sharply since the autumn.",
    "Analysts said the central bank would find it harder to cut interest rates again while energy prices kept climbing, "
    "and several said they expected a volatile session ahead of Friday's jobs report.",
]
OWN_LEAD = LEAD.removeprefix("NEW YORK (AP) — ")  # an outlet's own story: no wire tag
FURNITURE_DATES = ["Tuesday, November 19, 2019", "March 3, 2006", "July 9, 2007"]


def page(url: str, *, title: str, paragraphs: list[str], site_name: str | None = None, article_time: str = "",
         furniture: list[str] = FURNITURE_DATES, teaser_time: str | None = None, footer: str = "© 2005 Media Group") -> str:
    """A news page: header with today's date, the article, related stories with their dates, a footer."""
    site = f'<meta property="og:site_name" content="{escape(site_name)}">' if site_name else ""
    teaser = (f'<article class="teaser"><a href="/t">Earlier: a related story</a> <time datetime="{teaser_time}">'
              f"{teaser_time}</time></article>" if teaser_time else "")
    related = "".join(f'<li><a href="/r{i}">Related story number {i}</a> <span>{d}</span></li>'
                      for i, d in enumerate(furniture[1:]))
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f'<link rel="canonical" href="{url}">{site}</head><body>'
        f'<header><nav><ul><li><a href="/">Home</a></li><li>{furniture[0]}</li></ul></nav></header>'
        f"<main>{teaser}<article><h1>{escape(title)}</h1>{article_time}{body}</article>"
        f"<aside><ul>{related}</ul></aside></main><footer><p>{footer}</p></footer></body></html>"
    )


def read(tmp_path: Path, pages: dict[str, str]) -> list[Document]:
    for name, html in pages.items():
        (tmp_path / f"{name}.html").write_text(html, encoding="utf-8")
    docs = list(read_inputs(sorted(str(p) for p in tmp_path.glob("*.html")), options=ReaderOptions(workers=1)))
    assert all(isinstance(d, Document) for d in docs), docs
    return docs


def edges(report, **match):
    return [e for e in report.provenance if all(getattr(e, k) == v for k, v in match.items())]


# ---------------------------------------------------------------------------
# the outlet and the wire's own page, from the URL
# ---------------------------------------------------------------------------
def wire_pages() -> dict[str, str]:
    # "<headline> - <section>" with a '.' in the headline: trafilatura's title fallback takes the headline as site name
    headline = "U.S. stocks slide as oil tops $100 - Markets"
    return {
        "ap": page("https://hosted.ap.org/dynamic/stories/stocks-2008.html", title=headline,
                   paragraphs=[LEAD, *BODY, "Copyright 2008 The Associated Press. All rights reserved."]),
        "planet": page("https://www.dailyplanet.example/business/stocks.html", title=headline, site_name="Daily Planet",
                       paragraphs=[LEAD, *BODY]),
        "star": page("https://www.eveningstar.example/markets/oil.html", title=headline, site_name="Evening Star",
                     paragraphs=[LEAD, *BODY[:1], "Copyright 2008 The Associated Press"]),
    }


def test_an_html_outlet_is_a_declared_site_name_never_the_title():
    """Without og:site_name (or another site name in the page's metadata) the outlet is left to the page's URL,
    not taken from the <title> (a headline such as 'U.S. stocks slide …', or 'Copyright 2014')."""
    html = wire_pages()["ap"]
    got = extract_page(html.encode())
    assert got["outlet"] is None
    assert got["url"] == "https://hosted.ap.org/dynamic/stories/stocks-2008.html"
    assert outlet_of(Document("ap", got["text"], url=got["url"])) == "hosted.ap.org"
    copyright_meta = html.replace("</title>", '</title><meta name="copyright" content="Copyright 2014">')
    assert extract_page(copyright_meta.encode())["outlet"] is None
    declared = extract_page(wire_pages()["planet"].encode())
    assert declared["outlet"] == "Daily Planet"
    # JSON-LD that does not parse (common on real pages) still declares its publisher
    jsonld = html.replace("</title>", '</title><script type="application/ld+json">{"@type": "NewsArticle", '
                          '"publisher": {"@type": "Organization", "name": "AP News",}, }</script>')
    assert extract_page(jsonld.encode())["outlet"] == "AP News"


def test_a_wires_own_page_is_known_from_its_url_without_a_site_name(tmp_path):
    """A page on a wire's host (hosted.ap.org) with no og:site_name is that wire's own copy: the outlets that
    reprint it with '(AP)' or 'Copyright … The Associated Press' copied it; no external 'Associated Press'."""
    docs = read(tmp_path, wire_pages())
    report = scan(docs, Params(), workers=1)
    for copy in ("planet", "star"):
        (e,) = edges(report, source="ap", copy=copy)
        assert e.basis == "direct", e
    assert not [e for e in report.provenance if e.source.startswith("external:")]
    assert next(d for d in report.documents if d.id == "ap").outlet == "hosted.ap.org"


def test_check_gives_an_html_page_the_outlet_scan_gives(tmp_path):
    """One implementation: `check` reads the page with the same reader and outlet rule as `scan`."""
    docs = {d.id: d for d in read(tmp_path, wire_pages())}
    scanned = {d.id: d.outlet for d in scan(list(docs.values()), Params(), workers=1).documents}
    with Index.open("memory:", create=True) as index:
        index.add([docs["ap"]])
        (verdict,) = index.check_many([docs["planet"]])
    assert verdict.reused
    (matched,) = verdict.documents
    assert (matched.id, matched.outlet) == ("ap", scanned["ap"]) == ("ap", "hosted.ap.org")


# ---------------------------------------------------------------------------
# dates: the article's own before the page furniture's; a guess gives no direction
# ---------------------------------------------------------------------------
def test_the_articles_dateline_beats_a_date_in_the_page_furniture():
    """htmldate takes the oldest date anywhere on the page (a related story's 'March 3, 2006'); the article's
    own dateline comes first."""
    html = page("https://www.dailyplanet.example/a.html", title="Council shuts bridge", site_name="Daily Planet",
                paragraphs=["January 15, 2008 - 11:16 AM", LEAD, *BODY])
    got = extract_page(html.encode())
    assert (got["published"], got["date_source"]) == ("2008-01-15T11:16:00", "dateline:January 15, 2008 - 11:16 AM")


def test_the_main_articles_time_beats_a_teasers_time():
    """The first <time> of the main <article> is the article's date; a teaser card (an <article> too, with
    less text) and the furniture's dates are not."""
    html = page("https://www.dailyplanet.example/a.html", title="Council shuts bridge", site_name="Daily Planet",
                paragraphs=[LEAD, *BODY], teaser_time="2005-03-01",
                article_time='<p><time class="updated" datetime="2008-02-01">Updated February 1, 2008</time> '
                             '<time datetime="2008-01-15T11:16:00-05:00">January 15, 2008</time></p>')
    got = extract_page(html.encode())
    assert (got["published"], got["date_source"]) == ("2008-01-15T11:16:00-05:00", "html-article:time")


def dated_pair(first: str, second: str) -> dict[str, str]:
    """Two outlets' pages of one story, with the article's own <time> when given; both pages carry older
    dates in their furniture (related stories, a copyright year)."""
    def stamp(d: str) -> str:
        return f'<p><time datetime="{d}">{d}</time></p>' if d else ""

    return {
        "early": page("https://www.dailyplanet.example/early.html", title="Oil tops $100", site_name="Daily Planet",
                      paragraphs=[OWN_LEAD, *BODY], article_time=stamp(first), footer="© 2019 Daily Planet"),
        "late": page("https://www.eveningstar.example/late.html", title="Oil tops $100", site_name="Evening Star",
                     paragraphs=[OWN_LEAD, *BODY], article_time=stamp(second), furniture=["Home", "May 2, 2004"]),
    }


def test_the_articles_own_time_gives_the_direction_despite_older_furniture_dates(tmp_path):
    docs = {d.id: d for d in read(tmp_path, dated_pair("2008-01-15", "2008-01-16"))}
    assert {d.date_source for d in docs.values()} == {"html-article:time"}
    report = scan(list(docs.values()), Params(), workers=1)
    assert edges(report, source="early", copy="late", basis="direct")
    assert not edges(report, source="late", copy="early")


def test_a_guessed_html_date_gives_no_direction(tmp_path):
    """Pages without an article date: htmldate's reading of their furniture (2004, 2006 …) is reported as
    `html:htmldate` and never directs a link: `unknown-direction`."""
    docs = {d.id: d for d in read(tmp_path, dated_pair("", ""))}
    assert {d.date_source for d in docs.values()} == {"html:htmldate"}
    assert docs["early"].published != docs["late"].published  # the guesses differ: they would direct the link
    report = scan(list(docs.values()), Params(), workers=1)
    assert report.provenance and all(e.basis == "unknown-direction" for e in report.provenance)
