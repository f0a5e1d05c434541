#!/usr/bin/env python3
"""Generate a synthetic syndicated-news corpus with exact ground truth.

    python benchmarks/generate_corpus.py --articles 10000 --seed 1 --out benchmarks/out/c10k
    python benchmarks/generate_corpus.py --articles 2000 --seed 3 --out /tmp/c --self-check

Source prose is the 181 real article bodies of
fixtures/article-extraction-benchmark/ground-truth.json (MIT, see the LICENSE beside it).

Original text
-------------
Only ~4,000 real paragraphs exist, so the text of most stories is synthesised with a word-level
Markov model trained on the real sentences (real vocabulary, Zipfian word statistics, real
sentence starts and ends).  Order 1 is the default: with order 2 the model reproduces long runs
of its small training text, so about one sentence in five shares a 12-word run with another
generated sentence or with the real text (see ``--self-check``, which measures both orders).

On top of the model, every piece of original text (generated or real) passes a global filter:
a sentence that would create a 12-word run (word = lowercase alphanumeric run) already present
in any earlier original text -- including all real paragraphs -- is dropped.  So independently
written documents never share a 12-word run by accident; the only shared runs of >= 12 words are
the reuse recorded in truth.json plus boilerplate.  Real paragraphs are used directly as story
text (each belongs to one original story only; real paragraphs that repeat text of another real
paragraph are not used).

Corpus model
------------
Stories originate at a wire agency (role "wire") or at an outlet ("independent").  Wire stories
are reprinted whole or in part by outlets ("outlet"), some of which are copied again by
aggregators ("aggregator"); aggregators also copy wires directly and outlet stories are sometimes
copied too, so chains have depth 2-3.  Some stories come with an official statement (an external
source that is not in the corpus); several outlets quote one of its sentences (15-40 words) inside
otherwise new paragraphs ("statement-quoter", upstream "external:<label>").  Some stories get
"hard-negative" articles: written independently about the same story, sharing names and stock
phrases (< 12 words) but no copied text.  Copies carry light edits (spelling locale, quote and
dash style, rare word substitutions, dropped/merged sentences, merged/split/reordered/truncated
paragraphs, mojibake), new headlines and bylines, credits and syndication notices; every outlet
has its own boilerplate repeated with small variations.

Outputs
-------
DIR/corpus.jsonl  {"id","title","outlet","url","published","text"} per line; paragraphs of text
                  are separated by "\\n\\n" and contain no newline.  ``published`` may be null.
DIR/truth.json    {"parameters", "stats", "documents", "reused_pairs", "spans", "boilerplate"}
                  (see write-up in ``TRUTH_FORMAT`` below).

The whole thing streams: stories are generated in batches, documents go to bucket files keyed by
their (random) id and are sorted bucket by bucket at the end, so memory stays bounded.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import random
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import xxhash

from syndetect.rules.lexicon import literal_union

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT / "fixtures" / "article-extraction-benchmark" / "ground-truth.json"
GENERATOR_VERSION = "1.0"
WORD_RE = re.compile(r"[a-z0-9]+")

TRUTH_FORMAT = """
truth.json
  parameters: every generator option (plus source file and generator version)
  stats: counts (documents per role, paragraphs, pairs, spans, boilerplate, seconds)
  documents: {id: {outlet, is_wire, upstream, role, story, credit, published, time_error_hours}}
      upstream: doc id the text was copied from, "external:<label>" for statement quoters, or null
      role: wire | outlet | aggregator | independent | hard-negative | statement-quoter
      story: story number (documents of one story may share text; different stories never do)
      credit: outlet named by a credit line / dateline on the copy, or null
      time_error_hours: 0, or the shift applied to a deliberately wrong `published`
  reused_pairs: [{a, a_paragraph, b, b_paragraph, source}] every unordered pair of paragraphs in
      different documents sharing >= reuse_words (15) words of copied text, (a, a_paragraph) <
      (b, b_paragraph); source = the document where the shared text first appeared (root of the
      copy chain) or the "external:<label>" of a quoted statement.  Boilerplate is never listed.
  spans: [{group, doc, paragraph, start, end}] character offsets of reused text inside the
      paragraph; one group per source passage (an original paragraph, or a statement quote).
  boilerplate: [{doc, paragraph, category}]; categories: newsletter, social, comments, related,
      credit (credit lines and copyright lines), notice, byline, navigation, repeated-headline,
      end-marker, other.
"""


# --------------------------------------------------------------------------------------------
# parameters

@dataclasses.dataclass
class Params:
    articles: int = 1000
    seed: int = 1
    markov_order: int = 1
    min_run: int = 12                # no accidental shared run of this many words
    reuse_words: int = 15            # paragraphs sharing >= this many copied words are a pair
    wire_story_prob: float = 0.3     # a story starts at a wire agency (else at an outlet)
    mean_reprints: float = 4.0       # mean number of direct copies of a wire story
    max_reprints: int = 40
    outlet_copied_prob: float = 0.25  # an outlet story is copied by 1-3 others
    direct_aggregator_prob: float = 0.15  # a direct copy is made by an aggregator
    aggregator_prob: float = 0.3     # an outlet copy is copied again by 1-2 aggregators
    hard_negative_prob: float = 0.2  # a wire story gets 1-3 independent same-story articles
    statement_prob: float = 0.15     # a story comes with an official statement that gets quoted
    real_text_prob: float = 0.35     # an original story uses real paragraphs (while they last)
    partial_prob: float = 0.4        # a copy keeps only the first part of the story
    drop_paragraph_prob: float = 0.15
    reorder_prob: float = 0.1
    merge_paragraph_prob: float = 0.08
    split_paragraph_prob: float = 0.08
    drop_sentence_prob: float = 0.03
    merge_sentence_prob: float = 0.03
    added_paragraph_prob: float = 0.12  # a copy adds a paragraph of its own
    substitution_prob: float = 0.1   # a copy substitutes 1-3 words
    mojibake_prob: float = 0.03
    new_headline_prob: float = 0.6
    byline_prob: float = 0.7
    credit_prob: float = 0.35
    notice_prob: float = 0.12
    wire_trailer_prob: float = 0.3   # a copy keeps the wire's trailer (copyright, "Reporting by")
    dateline_keep_prob: float = 0.6  # a copy keeps the wire dateline "CITY (AP) --"
    missing_time_prob: float = 0.10
    wrong_time_prob: float = 0.03
    start: str = "2024-01-01"
    days: int = 180
    outlets: int = 0                 # 0 = automatic (articles / 50, 12..1500)
    aggregators: int = 0             # 0 = automatic (outlets / 8, at least 3)
    batch_stories: int = 600


HELP = {
    "articles": "number of documents to generate",
    "seed": "random seed (same seed and options = byte-identical output)",
    "markov_order": "order of the word Markov model for synthetic prose (1 or 2; 2 reads better but "
                    "copies long runs of its training text, so the run filter drops far more)",
    "min_run": "no run of this many words is shared by chance between independent texts",
    "reuse_words": "a paragraph pair is listed as reused when it shares this many copied words",
    "wire_story_prob": "probability that a story starts at a wire agency (else at an outlet)",
    "mean_reprints": "mean number of direct copies of a wire story (geometric)",
    "max_reprints": "cap on the direct copies of one wire story",
    "outlet_copied_prob": "probability that an outlet's own story is copied by 1-3 others",
    "direct_aggregator_prob": "probability that a direct copy is made by an aggregator",
    "aggregator_prob": "probability that an outlet's copy is copied again by 1-2 aggregators",
    "hard_negative_prob": "probability that a wire story gets 1-3 independent same-story articles "
                          "(half of it for outlet stories)",
    "statement_prob": "probability that a story comes with an official statement quoted by outlets",
    "real_text_prob": "probability that an original story uses real paragraphs (while unused ones last)",
    "partial_prob": "probability that a copy keeps only the first part of the story",
    "drop_paragraph_prob": "probability that a copy drops a paragraph in the middle",
    "reorder_prob": "probability that a copy swaps two adjacent paragraphs",
    "merge_paragraph_prob": "probability that a copy merges two adjacent paragraphs",
    "split_paragraph_prob": "probability that a copy splits a paragraph in two",
    "drop_sentence_prob": "per-sentence probability that a copy drops it",
    "merge_sentence_prob": "per-sentence probability that a copy merges it with the next one",
    "added_paragraph_prob": "probability that a copy adds a paragraph of its own",
    "substitution_prob": "probability that a copy substitutes 1-3 words (said -> stated, ...)",
    "mojibake_prob": "probability that a document is mis-decoded (cp1252 mojibake or '?')",
    "new_headline_prob": "probability that a copy gets a new headline",
    "byline_prob": "probability that a document has a byline paragraph",
    "credit_prob": "probability that a copy carries a credit line (Source: X, (AP), ...)",
    "notice_prob": "probability that a copy carries a syndication notice",
    "wire_trailer_prob": "probability that a copy keeps the wire's trailer (copyright, 'Reporting by')",
    "dateline_keep_prob": "probability that a copy keeps the wire dateline 'CITY (AP) --'",
    "missing_time_prob": "probability that `published` is null",
    "wrong_time_prob": "probability that `published` is off by a few hours",
    "start": "first publication day (YYYY-MM-DD, UTC)",
    "days": "days over which stories are spread",
    "outlets": "number of ordinary outlets (0 = articles / 50, between 12 and 1500)",
    "aggregators": "number of aggregators (0 = outlets / 8, at least 3)",
    "batch_stories": "stories generated per batch (memory / speed trade-off; part of the output's identity)",
}


# --------------------------------------------------------------------------------------------
# word lists (hand-written, generic)

PLACES = [
    "Washington", "New York", "London", "Paris", "Berlin", "Madrid", "Rome", "Brussels", "Geneva",
    "Moscow", "Kyiv", "Warsaw", "Vienna", "Athens", "Istanbul", "Cairo", "Nairobi", "Lagos",
    "Johannesburg", "Dubai", "Riyadh", "Tehran", "Karachi", "Islamabad", "New Delhi", "Mumbai",
    "Bengaluru", "Chennai", "Kolkata", "Hyderabad", "Dhaka", "Colombo", "Kathmandu", "Bangkok",
    "Jakarta", "Manila", "Singapore", "Kuala Lumpur", "Hanoi", "Beijing", "Shanghai", "Hong Kong",
    "Taipei", "Seoul", "Tokyo", "Osaka", "Sydney", "Melbourne", "Auckland", "Toronto", "Montreal",
    "Vancouver", "Ottawa", "Chicago", "Boston", "Atlanta", "Miami", "Houston", "Dallas", "Denver",
    "Phoenix", "Seattle", "Los Angeles", "San Francisco", "Mexico City", "Bogota", "Lima",
    "Santiago", "Buenos Aires", "Sao Paulo", "Rio de Janeiro", "Lisbon", "Dublin", "Edinburgh",
    "Manchester", "Stockholm", "Oslo", "Copenhagen", "Helsinki", "Prague", "Budapest", "Bucharest",
    "Zurich", "Amsterdam", "Jerusalem", "Beirut", "Doha", "Accra", "Addis Ababa", "Kampala",
    "Pune", "Ahmedabad", "Jaipur", "Lucknow", "Perth", "Brisbane", "Glasgow", "Cardiff", "Leeds",
]
FIRST = [
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
    "Daniel", "Karen", "Matthew", "Nancy", "Anthony", "Lisa", "Mark", "Sandra", "Steven", "Ashley",
    "Andrew", "Emily", "Rahul", "Priya", "Amit", "Neha", "Arjun", "Ananya", "Vikram", "Kavita",
    "Sanjay", "Pooja", "Mohammed", "Fatima", "Ahmed", "Aisha", "Omar", "Layla", "Yusuf", "Zainab",
    "Wei", "Mei", "Hiroshi", "Yuki", "Min-jun", "Ji-woo", "Carlos", "Maria", "Jose", "Lucia",
    "Diego", "Sofia", "Pierre", "Claire", "Hans", "Greta", "Giovanni", "Chiara", "Olga", "Dmitri",
    "Kwame", "Amara", "Chinedu", "Ngozi", "Lars", "Ingrid", "Sean", "Siobhan", "Tomasz", "Agnieszka",
]
LAST = [
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson",
    "Martin", "Lee", "Thompson", "White", "Harris", "Clark", "Lewis", "Robinson", "Walker", "Young",
    "Allen", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson", "Hill", "Campbell",
    "Mitchell", "Roberts", "Sharma", "Verma", "Gupta", "Singh", "Kumar", "Patel", "Reddy", "Iyer",
    "Nair", "Menon", "Chatterjee", "Banerjee", "Khan", "Hussain", "Rahman", "Ali", "Qureshi",
    "Haddad", "Nasser", "Wang", "Li", "Zhang", "Liu", "Chen", "Yamamoto", "Tanaka", "Kim", "Park",
    "Nguyen", "Silva", "Santos", "Oliveira", "Costa", "Dubois", "Laurent", "Schmidt", "Fischer",
    "Weber", "Rossi", "Romano", "Kowalski", "Novak", "Ivanov", "Petrov", "Okafor", "Mensah",
    "Mwangi", "Osei", "Larsen", "Andersson", "Murphy", "Kelly", "O'Brien", "Byrne", "Walsh",
]
PAPER_NOUNS = [
    "Herald", "Tribune", "Gazette", "Chronicle", "Times", "Post", "Courier", "Observer", "Sentinel",
    "Journal", "Standard", "Express", "Star", "Mirror", "Dispatch", "Bulletin", "Record", "Ledger",
    "Examiner", "Press", "Review", "Monitor", "Telegraph", "Register", "Enquirer", "Leader",
    "Guardian", "Advertiser", "News", "Daily", "Today", "Live", "Insider", "Voice", "Mail",
]
AGG_PREFIX = ["News", "Top", "Daily", "Buzz", "Quick", "Flash", "World", "Live", "Now", "Hot",
              "Prime", "Smart", "Global", "Pulse", "Zip", "Snap", "Feed", "Info", "Hub", "Echo"]
AGG_SUFFIX = ["Hub", "Feed", "Stream", "Digest", "Roundup", "Point", "Desk", "Lens", "Wire Digest",
              "Bytes", "Bulletin", "Radar", "Now", "Express", "Central", "Tracker", "Box", "Post"]
SECTIONS = ["news", "world", "business", "politics", "national", "local", "tech", "health",
            "sports", "science", "entertainment", "economy", "markets", "nation", "city"]
AREAS = ["Health", "Finance", "Home Affairs", "Defence", "Education", "Environment", "Transport",
         "Energy", "Agriculture", "Foreign Affairs", "Justice", "Labour", "Commerce", "Railways",
         "Housing", "Water Resources", "Tourism", "Culture"]
COMPANY_SUFFIX = ["Holdings", "Group", "Technologies", "Industries", "Energy", "Motors", "Pharma",
                  "Airlines", "Bank", "Capital", "Systems", "Foods", "Telecom", "Logistics"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
NETWORKS = ["Instagram", "Facebook", "X", "Threads", "LinkedIn", "YouTube", "WhatsApp", "Telegram",
            "TikTok", "Bluesky"]

# (name, abbreviation used in datelines/credits, domain, locale, weight)
WIRES = [
    ("Associated Press", "AP", "apnews.com", "us", 0.30),
    ("Reuters", "Reuters", "reuters.com", "uk", 0.25),
    ("AFP", "AFP", "afp.com", "uk", 0.15),
    ("PTI", "PTI", "ptinews.com", "in", 0.15),
    ("IANS", "IANS", "ians.in", "in", 0.08),
    ("UPI", "UPI", "upi.com", "us", 0.07),
]

NEWSLETTER = [
    "Subscribe to our newsletter to get the latest {topic} news delivered to your inbox every {period}.",
    "Sign up for the {outlet} {nl} newsletter for the day's top stories, straight to your inbox.",
    "Get the {nl} newsletter: {outlet}'s best {topic} reporting, delivered free every {period}. Sign up here.",
    "Never miss a story. Subscribe to {outlet}'s free {nl} newsletter and get the {topic} news that matters each {period}.",
    "Enjoying this article? Sign up for our free {nl} email to receive the biggest {topic} stories every {period}.",
    "Want more stories like this? Subscribe to {outlet} {nl} today.",
]
NL_TOPICS = ["local", "national", "world", "business", "political", "breaking", "top", "tech"]
NL_PERIODS = ["morning", "evening", "day", "weekday", "week"]
NL_NAMES = ["Morning Briefing", "Daily Digest", "Evening Wrap", "First Edition", "Headlines",
            "Today", "Weekender", "Big Story", "Newsroom"]
SOCIAL = [
    "Follow {outlet} on {nets}.",
    "Follow us on {nets} for the latest updates.",
    "Stay updated: follow {outlet} on {nets}.",
    "Join {outlet} on {nets} to get breaking news alerts.",
    "Catch all the latest news on {nets}. Follow {outlet} now.",
]
COMMENTS = [
    "Comments are closed.",
    "Join the conversation: share your thoughts in the comments below.",
    "We welcome your comments. Please keep them civil, respectful and on topic.",
    "Comments on this article are moderated and may take some time to appear.",
    "{n} comments",
    "Have your say: leave a comment below.",
]
RELATED_HEAD = ["Related Stories", "Related Articles", "Also Read", "More from {outlet}", "Read more",
                "You may also like", "Trending Now", "Recommended for you", "Most Read"]
RELATED_INLINE = ["Also Read: {title}", "READ MORE: {title}", "ALSO READ | {title}",
                  "Related: {title}", "Read also: {title}"]
COPYRIGHT = [
    "Copyright {year} {outlet}. All rights reserved.",
    "\u00a9 {year} {outlet}. All rights reserved.",
    "Copyright \u00a9 {year} {outlet} Media Group. All Rights Reserved.",
    "All content \u00a9 {year} {outlet}. This material may not be reproduced without permission.",
    "(c) {year} {outlet} \u2014 all rights reserved.",
]
NAVIGATION = ["Home > {s1} > {s2}", "Home | {s1} | {s2} | {s3} | {s4}", "You are here: Home / {s1} / {s2}",
              "Skip to main content", "Menu Search {s1} {s2} {s3}"]
END_MARKERS = ["\u2014 End \u2014", "###", "(ENDS)", "-30-", "***", "END"]
OTHER_LINES = ["Advertisement", "ADVERTISEMENT", "Story continues below advertisement",
               "Click here to listen to this article", "Listen to this article", "{n} min read",
               "Image: Getty Images", "Photo: {reporter}/{outlet}"]
BYLINES = ["By {reporter}", "By {reporter}, {outlet}", "By {reporter} | {outlet}",
           "{reporter}, {outlet} correspondent", "Written by {reporter}; edited by {reporter2}",
           "By {outlet} Staff", "By {outlet} Web Desk", "{outlet} News Desk", "Reported by {reporter}",
           "Updated: {date}"]
CREDITS = ["Source: {up}", "(With inputs from {up})", "\u2014 {up}", "This article originally appeared on {up}.",
           "Read the original story on {up}.", "Courtesy: {up}", "Credit: {up}"]
WIRE_CREDITS = ["({abbr})", "With inputs from {abbr}", "Source: {up}", "\u2014 {abbr}", "(Agencies)",
                "Content provided by {up}."]
NOTICES = [
    "This story has been published from a syndicated feed.",
    "(This story has not been edited by {outlet} staff and is auto-generated from a syndicated feed.)",
    "Disclaimer: This story is auto-generated from a syndicated feed; only the headline may have been changed.",
    "This article is republished under a content-sharing agreement with {up}.",
    "(Except for the headline, this story has not been edited by {outlet} staff and is published from a syndicated feed.)",
    "This is an agency copy and has not been edited.",
]
STOCK_SENTENCES = [
    "{pshort} did not immediately respond to a request for comment.",
    "{Org} declined to comment.",
    "{Org} did not respond to questions on {day}.",
    "{pshort} could not be reached for comment.",
    "Further details were awaited.",
    "More details are expected on {day}.",
    "The investigation is continuing, {org} said.",
]
ATTRIB_SUFFIX = ["{person} said", "said {ptitle} {person}", "according to {org}",
                 "{org} said in a statement", "officials said", "{pshort} told reporters",
                 "{pshort} said on {day}", "a source close to {pshort} said", "police said"]
ATTRIB_PREFIX = ["In {place}, ", "On {day}, ", "According to {org}, ", "{person} said ",
                 "{Ptitle} {person} said ", "Speaking in {place} on {day}, {pshort} said "]
SUBSTITUTIONS = {"said": "stated", "people": "persons", "about": "around", "also": "further",
                 "big": "large", "help": "assist", "start": "begin", "show": "indicate",
                 "buy": "purchase", "need": "require", "get": "obtain", "use": "utilise",
                 "quickly": "rapidly", "percent": "per cent", "told": "informed"}
HEADLINE_PREFIX = ["Watch: ", "Explained: ", "Update: ", "Breaking: ", "{Place}: ", "Report: "]

IZE_STEMS = ("organ recogn real apolog critic emphas author categor character mobil modern normal "
             "priorit stabil summar minim maxim util final legal hospital jeopard memor capital civil "
             "global privat special symbol subsid vandal visual familiar revolution sympath penal "
             "neutral optim standard digit item").split()
SPELL_PAIRS = [("color", "colour"), ("colors", "colours"), ("favor", "favour"), ("favorite", "favourite"),
               ("favorable", "favourable"), ("honor", "honour"), ("honored", "honoured"),
               ("labor", "labour"), ("neighbor", "neighbour"), ("neighbors", "neighbours"),
               ("neighborhood", "neighbourhood"), ("behavior", "behaviour"), ("humor", "humour"),
               ("rumor", "rumour"), ("rumors", "rumours"), ("center", "centre"), ("centers", "centres"),
               ("theater", "theatre"), ("defense", "defence"), ("offense", "offence"),
               ("traveled", "travelled"), ("traveling", "travelling"), ("canceled", "cancelled"),
               ("modeling", "modelling"), ("labeled", "labelled"), ("fueled", "fuelled"),
               ("jewelry", "jewellery"), ("gray", "grey"), ("catalog", "catalogue"),
               ("analyze", "analyse"), ("analyzed", "analysed"), ("paralyzed", "paralysed"),
               ("program", "programme"), ("programs", "programmes"), ("fiber", "fibre"),
               ("aluminum", "aluminium"), ("tire", "tyre"), ("tires", "tyres"), ("mold", "mould")]


# --------------------------------------------------------------------------------------------
# small helpers

def cap_first(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


def words_of(text: str) -> list[str]:
    return WORD_RE.findall(text.lower())


_CTRL_RE = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")
_SPACES_RE = re.compile(r" {2,}")
_SENT_SPLIT = re.compile(r"(?<=[.!?])([\"\u201d\u2019)\]]?)\s+(?=[\"\u201c\u2018(\[]?[A-Z0-9])")


def clean_text(s: str) -> str:
    return _SPACES_RE.sub(" ", _CTRL_RE.sub(" ", s)).strip()


def split_sentences(p: str) -> list[str]:
    parts = _SENT_SPLIT.split(p)
    # re.split with one group returns [s0, g0, s1, g1, ...]; glue the closing char back on
    out = []
    for i in range(0, len(parts), 2):
        s = parts[i] + (parts[i + 1] if i + 1 < len(parts) else "")
        s = s.strip()
        if s:
            out.append(s)
    return out or [p]


def iso(ts: float) -> str:
    return datetime.fromtimestamp(round(ts), tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def slugify(s: str, n: int = 8) -> str:
    return "-".join(words_of(s)[:n]) or "story"


# --------------------------------------------------------------------------------------------
# text style transforms (applied to whole documents; \x00-\x02 are structure separators)

_STRAIGHT = (("\u201c", '"'), ("\u201d", '"'), ("\u201e", '"'), ("\u2018", "'"), ("\u2019", "'"))
_OPEN_DQ = re.compile(r"(?:(?<=^)|(?<=[\s\x00\x01\x02(\[\u2014\u2013]))\"")
_OPEN_SQ = re.compile(r"(?:(?<=^)|(?<=[\s\x00\x01\x02(\[\u2014\u2013]))'(?=\w)")
_DASH_RE = re.compile(r" (?:--|\u2014|\u2013|-) ")
_NONASCII = re.compile(r"[^\x00-\x7f]")


def _spelling_tables():
    us2uk, uk2us = {}, {}
    for us, uk in SPELL_PAIRS:
        us2uk[us] = uk
        uk2us[uk] = us
    for stem in IZE_STEMS:
        for suf in ("e", "es", "ed", "ing", "ation", "ations", "er", "ers"):
            us2uk[stem + "iz" + suf] = stem + "is" + suf
            uk2us[stem + "is" + suf] = stem + "iz" + suf
    return us2uk, uk2us


_US2UK, _UK2US = _spelling_tables()


def _spell_regex(table):
    forms = set(table) | {cap_first(w) for w in table} | {w.upper() for w in table}
    return re.compile(r"\b" + literal_union(forms) + r"\b")  # a trie: much faster than a flat alternation


_US_RE = _spell_regex(_US2UK)
_UK_RE = _spell_regex(_UK2US)


def _case_like(src: str, repl: str) -> str:
    if src.isupper() and len(src) > 1:
        return repl.upper()
    if src[:1].isupper():
        return repl[:1].upper() + repl[1:]
    return repl


def respell(text: str, locale: str) -> str:
    if locale == "us":
        return _UK_RE.sub(lambda m: _case_like(m.group(0), _UK2US[m.group(0).lower()]), text)
    return _US_RE.sub(lambda m: _case_like(m.group(0), _US2UK[m.group(0).lower()]), text)


def restyle(text: str, quotes: str, dash: str, locale: str, mojibake: str | None) -> str:
    if quotes == "straight":
        for a, b in _STRAIGHT:
            if a in text:
                text = text.replace(a, b)
    else:
        if '"' in text:
            text = _OPEN_DQ.sub("\u201c", text).replace('"', "\u201d")
        if "'" in text:
            text = _OPEN_SQ.sub("\u2018", text).replace("'", "\u2019")
    text = _DASH_RE.sub(dash, text)
    text = respell(text, locale)
    if mojibake == "cp1252":
        text = text.encode("utf-8").decode("cp1252", errors="replace")
    elif mojibake == "ascii":
        text = _NONASCII.sub("?", text)
    return text


# --------------------------------------------------------------------------------------------
# Markov model (vectorised generation: many independent chains advance together)

class Markov:
    def __init__(self, sentences: list[list[str]], order: int, seed: int):
        if order not in (1, 2):
            raise ValueError("markov order must be 1 or 2")
        self.order = order
        vocab = {"<s>": 0, "\n": 1}
        seqs = [[vocab.setdefault(w, len(vocab)) for w in s] for s in sentences]
        self.V = V = len(vocab)
        self.words = np.array(list(vocab), dtype=object)
        src1, dst1, src2 = [], [], []
        for s in seqs:
            q = [0, 0] + s + [1]
            src1.extend(q[1:-1])
            dst1.extend(q[2:])
            src2.extend(a * V + b for a, b in zip(q[:-2], q[1:-1]))
        src1 = np.asarray(src1, dtype=np.int64)
        dst1 = np.asarray(dst1, dtype=np.int64)
        o = np.argsort(src1, kind="stable")
        self.d1 = dst1[o]
        s1 = src1[o]
        self.start1 = np.searchsorted(s1, np.arange(V))
        self.cnt1 = np.searchsorted(s1, np.arange(V), side="right") - self.start1
        if order == 2:
            src2 = np.asarray(src2, dtype=np.int64)
            o = np.argsort(src2, kind="stable")
            self.d2 = dst1[o]
            self.keys2, self.start2, self.cnt2 = np.unique(src2[o], return_index=True, return_counts=True)
        self.rng = np.random.default_rng(seed)
        self.buf: list[str] = []
        self.pos = 0

    def _refill(self, lanes: int = 4096, steps: int = 320) -> None:
        rng, V = self.rng, self.V
        prev = np.zeros(lanes, np.int64)
        cur = np.zeros(lanes, np.int64)
        out = np.empty((steps, lanes), np.int64)
        nd1 = len(self.d1) - 1
        for t in range(steps):
            r = rng.random(lanes)
            nxt = self.d1[np.minimum(self.start1[cur] + (r * self.cnt1[cur]).astype(np.int64), nd1)]
            if self.order == 2:
                k = prev * V + cur
                idx = np.minimum(np.searchsorted(self.keys2, k), len(self.keys2) - 1)
                has = self.keys2[idx] == k
                n2 = self.d2[self.start2[idx] + (r * self.cnt2[idx]).astype(np.int64)]
                nxt = np.where(has, n2, nxt)
            out[t] = nxt
            end = nxt == 1
            prev = np.where(end, 0, cur)
            cur = np.where(end, 0, nxt)
        words = self.words
        buf = []
        for lane in range(lanes):
            toks = out[:, lane]
            ends = np.flatnonzero(toks == 1)
            if not len(ends):
                continue
            txt = " ".join(words[toks[: ends[-1]]].tolist())
            for s in txt.split("\n"):
                s = s.strip()
                n = s.count(" ") + 1
                if 5 <= n <= 45:
                    buf.append(s)
        self.buf = buf
        self.pos = 0

    def take(self) -> str:
        if self.pos >= len(self.buf):
            self._refill()
        s = self.buf[self.pos]
        self.pos += 1
        return s

    def take_between(self, lo: int, hi: int) -> str:
        while True:
            s = self.take()
            if lo <= len(words_of(s)) <= hi:
                return s


# --------------------------------------------------------------------------------------------
# global filter: no 12-word run may appear twice in original text

class RunFilter:
    P = np.uint64(0x9E3779B97F4A7C15)

    def __init__(self, n: int):
        self.n = n
        self.chunks: list[np.ndarray] = []
        self.cache: dict[str, int] = {}
        self.mixed: dict[int, int] = {}     # runs mixing quoted and own words -> story

    def _vals(self, ws: list[str]) -> list[int]:
        c = self.cache
        try:
            return [c[w] for w in ws]
        except KeyError:
            for w in ws:    # spelling variants hash alike: copies get respelled later
                if w not in c:
                    c[w] = xxhash.xxh64_intdigest(_UK2US.get(w, w).encode())
            return [c[w] for w in ws]

    def _hash(self, vals: np.ndarray) -> np.ndarray:
        m = len(vals) - self.n + 1
        if m <= 0:
            return np.empty(0, np.uint64)
        h = np.zeros(m, np.uint64)
        for k in range(self.n):
            h = h * self.P + vals[k:k + m]
        return h

    @staticmethod
    def _sorted_unique(a: np.ndarray) -> np.ndarray:
        a = np.sort(a, kind="stable")      # timsort: linear on concatenated sorted runs
        if len(a) > 1:
            a = a[np.concatenate(([True], a[1:] != a[:-1]))]
        return a

    def contains_sorted(self, h: np.ndarray) -> np.ndarray:
        """h must be sorted (sorted needles keep searchsorted cache friendly)."""
        found = np.zeros(len(h), bool)
        for c in self.chunks:
            idx = np.searchsorted(c, h)
            idx[idx == len(c)] = 0
            found |= c[idx] == h
        return found

    def add(self, h: np.ndarray) -> None:
        if not len(h):
            return
        self.chunks.append(self._sorted_unique(h))
        while len(self.chunks) > 1 and 2 * len(self.chunks[-1]) >= len(self.chunks[-2]):
            b = self.chunks.pop()
            a = self.chunks.pop()
            self.chunks.append(self._sorted_unique(np.concatenate([a, b])))

    def add_texts(self, texts: list[str]) -> None:
        hs = [self._hash(np.array(self._vals(words_of(t)), dtype=np.uint64)) for t in texts]
        hs = [h for h in hs if len(h)]
        if hs:
            self.add(np.concatenate(hs))

    def check(self, segments: list[tuple[int, list]]) -> tuple[set[int], set[int]]:
        """segments: (story, items) where items are (owner_sentence, text, protected, verbatim)
        and the words of one segment are contiguous.  Runs wholly inside verbatim text (quotes of
        a statement) are exempt; runs mixing quote and other words may repeat within their story
        (two outlets quoting the same sentence the same way) but not across stories.  Returns
        (ids of sentences to drop, ids of protected sentences to re-word); when both are empty
        the runs are stored."""
        vals: list[int] = []
        seg_of: list[int] = []
        counts: list[int] = []
        owners: list[list] = []
        prot: list[bool] = []
        verb: list[bool] = []
        story_of: list[int] = []
        for si, (story, items) in enumerate(segments):
            for it in items:
                ws = words_of(it[1])
                if not ws:
                    continue
                vals += self._vals(ws)
                counts.append(len(ws))
                seg_of.append(si)
                owners.append(it[0])
                prot.append(it[2])
                verb.append(it[3])
                story_of.append(story)
        if not vals:
            return set(), set()
        n = self.n
        v = np.array(vals, dtype=np.uint64)
        counts_a = np.array(counts)
        seg_w = np.repeat(np.array(seg_of), counts_a)
        item_w = np.repeat(np.arange(len(owners)), counts_a)
        h = self._hash(v)
        if not len(h):
            return set(), set()
        ok = seg_w[: len(h)] == seg_w[n - 1:]
        if any(verb):
            verb_w = np.repeat(np.array(verb), counts_a).astype(np.int64)
            csum = np.concatenate(([0], np.cumsum(verb_w)))
            vc = csum[n:] - csum[:-n]
            mixed = ok & (vc > 0) & (vc < n)
            ok &= vc == 0
        else:
            mixed = None
        pos = np.flatnonzero(ok)
        hv = h[pos]
        order = np.argsort(hv, kind="stable")
        hs = hv[order]
        dup_s = self.contains_sorted(hs)
        if len(hs) > 1:          # later occurrences of a run within this batch
            dup_s[1:] |= hs[1:] == hs[:-1]
        if self.mixed:
            mk = np.array(sorted(self.mixed), dtype=np.uint64)
            idx = np.searchsorted(mk, hs)
            idx[idx == len(mk)] = 0
            dup_s |= mk[idx] == hs
        bad_pos = [pos[order[dup_s]]]
        new_mixed = {}
        if mixed is not None and mixed.any():
            mpos = np.flatnonzero(mixed)
            mh = h[mpos]
            in_main = self.contains_sorted(mh)
            stories = np.array(story_of)[item_w[mpos]]
            plain_set = set(hs.tolist()) if len(hs) < 200000 else None
            mbad = []
            for k, (hh, stn) in enumerate(zip(mh.tolist(), stories.tolist())):
                prev = self.mixed.get(hh, new_mixed.get(hh))
                if in_main[k] or (prev is not None and prev != stn) or (plain_set is not None and hh in plain_set):
                    mbad.append(mpos[k])
                elif prev is None:
                    new_mixed[hh] = stn
            if mbad:
                bad_pos.append(np.array(mbad, dtype=np.int64))
        p = np.concatenate(bad_pos)
        if not len(p):
            self.add(hs)
            self.mixed.update(new_mixed)
            return set(), set()
        prot_a = np.array(prot)
        mid, first, last = item_w[p + n // 2], item_w[p], item_w[p + n - 1]
        pick = np.where(prot_a[mid], np.where(prot_a[first], last, first), mid)
        drop, reword = set(), set()
        for i in np.unique(pick).tolist():
            (reword if prot[i] else drop).add(id(owners[i]))
        return drop, reword

    def window_hashes(self, seqs: list[list[str]]) -> np.ndarray:
        hs = [self._hash(np.array(self._vals(ws), dtype=np.uint64)) for ws in seqs if len(ws) >= self.n]
        return np.concatenate(hs) if hs else np.empty(0, np.uint64)


# --------------------------------------------------------------------------------------------
# source text

_STOP = frozenset("the a an of to in and is that for on it with as was at by be this are from or have has "
                  "he she they we you i not but his her their its will would said which who been were "
                  "had more about after than".split())


def english(text: str, ratio: float) -> bool:
    ws = words_of(text)
    return bool(ws) and sum(w in _STOP for w in ws) >= ratio * len(ws)


def load_source(path: Path, min_run: int):
    """Real paragraphs (English prose, not repeating another real paragraph's run), grouped into
    chunks of consecutive paragraphs; plus the training sentences for the Markov model; plus every
    real paragraph (for seeding the run filter)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    all_paras, train, chunks = [], [], []
    seen: set = set()
    for key in sorted(data):
        body = data[key].get("articleBody") or ""
        paras = [p for p in (clean_text(r) for r in body.split("\n")) if p]
        all_paras.extend(paras)
        if not english(body, 0.15):
            continue
        kept = []
        for p in paras:
            letters = [c for c in p if c.isalpha()]
            if not letters or sum(c.isascii() for c in letters) < 0.97 * len(letters) or not english(p, 0.1):
                continue
            sents = split_sentences(p)
            for s in sents:
                toks = s.split()
                if len(toks) >= 5:
                    train.append(toks)
            ws = words_of(p)
            grams = {tuple(ws[i:i + min_run]) for i in range(len(ws) - min_run + 1)}
            if grams & seen:
                continue
            seen |= grams
            if len(ws) >= 8:            # real story text: prose paragraphs only
                kept.append(sents)
        i = 0
        while i < len(kept):
            n = 4 + (len(kept) * 7 + i * 3) % 7      # 4..10, deterministic
            chunk = kept[i:i + n]
            if len(chunk) >= 3:
                chunks.append(chunk)
            i += n
    return all_paras, train, chunks


_NAME_RE = re.compile(r"\b([A-Z][a-z]{2,}) ([A-Z][a-z]{2,})\b")
_NOT_NAMES = {"The", "This", "That", "But", "And", "When", "Apple", "New", "United", "North",
              "South", "East", "West", "White", "Supreme"}


def names_in(paras: list[list[str]]) -> list[str]:
    c = Counter()
    for sents in paras:
        for s in sents:
            for a, b in _NAME_RE.findall(s):
                if a not in _NOT_NAMES and b not in _NOT_NAMES:
                    c[f"{a} {b}"] += 1
    return [n for n, _ in c.most_common(3)]


# --------------------------------------------------------------------------------------------
# outlets

class Outlet:
    __slots__ = ("name", "kind", "abbr", "domain", "locale", "quotes", "dash", "titlecase", "bp",
                 "reporters", "sections", "weight")

    def __init__(self, name, kind, abbr, domain, locale, rng: random.Random, weight=1.0):
        self.name, self.kind, self.abbr, self.domain, self.locale = name, kind, abbr, domain, locale
        self.weight = weight
        self.quotes = "curly" if rng.random() < 0.6 else "straight"
        self.dash = rng.choice([" \u2014 ", " \u2014 ", " - ", " \u2013 "])
        self.titlecase = rng.random() < 0.4
        self.reporters = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(rng.randint(3, 12))]
        self.sections = rng.sample(SECTIONS, 5)
        agg = kind == "aggregator"
        wire = kind == "wire"
        bp = {}
        if rng.random() < (0.2 if wire else 0.55):
            bp["newsletter"] = (rng.choice(NEWSLETTER), rng.sample(NL_TOPICS, 2), rng.sample(NL_PERIODS, 2),
                                rng.sample(NL_NAMES, 2), rng.random() < 0.5)  # last: mid-article
        if rng.random() < (0.3 if wire else 0.6):
            bp["social"] = (rng.choice(SOCIAL), rng.sample(NETWORKS, rng.randint(3, 5)))
        if rng.random() < (0.0 if wire else 0.3):
            bp["comments"] = rng.choice(COMMENTS)
        if rng.random() < (0.0 if wire else 0.5):
            bp["related"] = (rng.choice(RELATED_HEAD), rng.random() < 0.4, rng.choice(RELATED_INLINE))
        if rng.random() < (0.0 if wire else 0.6):
            bp["copyright"] = rng.choice(COPYRIGHT)
        if rng.random() < (0.0 if wire else 0.15):
            bp["navigation"] = rng.choice(NAVIGATION)
        if rng.random() < (0.0 if wire else 0.12):
            bp["end"] = rng.choice(END_MARKERS)
        if rng.random() < (0.0 if wire else 0.25):
            bp["other"] = rng.choice(OTHER_LINES)
        if rng.random() < (0.0 if wire or agg else 0.08):
            bp["repeat_headline"] = True
        bp["byline"] = rng.sample(BYLINES[:5] if wire else BYLINES, 2)
        self.bp = bp


def make_outlets(P: Params, rng: random.Random):
    n_out = P.outlets or max(12, min(1500, P.articles // 50))
    n_agg = P.aggregators or max(3, n_out // 8)
    wires = [Outlet(n, "wire", a, d, loc, rng, w) for n, a, d, loc, w in WIRES]
    names = set()
    outlets = []
    while len(outlets) < n_out:
        r = rng.random()
        place = rng.choice(PLACES)
        if r < 0.6:
            name = f"The {place} {rng.choice(PAPER_NOUNS)}"
        elif r < 0.8:
            name = f"{place} {rng.choice(['News Network', 'Today', 'Live', 'Daily', 'News', 'Online'])}"
        else:
            name = f"{rng.choice(LAST)}'s {rng.choice(PAPER_NOUNS)}" if r < 0.85 else \
                f"The Daily {rng.choice(PAPER_NOUNS)} of {place}"
        if name in names:
            continue
        names.add(name)
        base = re.sub(r"[^a-z0-9]+", "", name.lower().replace("the ", ""))
        loc = rng.choice(["us", "us", "uk", "in"])
        tld = {"us": ".com", "uk": ".co.uk", "in": ".in"}[loc]
        outlets.append(Outlet(name, "outlet", None, base + tld, loc, rng, 1.0 / (len(outlets) + 3) ** 0.8))
    aggs = []
    while len(aggs) < n_agg:
        name = rng.choice(AGG_PREFIX) + rng.choice(AGG_SUFFIX)
        if rng.random() < 0.3:
            name += f" {rng.choice(['News', 'Daily', 'Live', 'India', 'World'])}"
        if name in names:
            continue
        names.add(name)
        base = re.sub(r"[^a-z0-9]+", "", name.lower())
        aggs.append(Outlet(name, "aggregator", None, base + ".com", rng.choice(["us", "uk", "in"]), rng,
                           1.0 / (len(aggs) + 2) ** 0.7))
    return wires, outlets, aggs


# --------------------------------------------------------------------------------------------
# stories and documents

class Ents:
    __slots__ = ("person", "pshort", "ptitle", "org", "place", "day")

    def __init__(self, rng: random.Random, people: list[str] | None = None):
        self.place = rng.choice(PLACES)
        self.day = rng.choice(DAYS)
        self.person = people[0] if people else f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        self.pshort = self.person.split()[-1]
        r = rng.random()
        if r < 0.5:
            area = rng.choice(AREAS)
            self.org = f"the Ministry of {area}"
            self.ptitle = f"{area} Minister"
        elif r < 0.75:
            company = f"{rng.choice(LAST)} {rng.choice(COMPANY_SUFFIX)}"
            self.org = company
            self.ptitle = f"{company} chief executive"
        else:
            self.org = f"the {self.place} Police Department"
            self.ptitle = f"{self.place} police chief"

    def fill(self, template: str) -> str:
        return template.format(person=self.person, pshort=self.pshort, ptitle=self.ptitle,
                               Ptitle=cap_first(self.ptitle), org=self.org, Org=cap_first(self.org),
                               place=self.place, Place=self.place, day=self.day)


class Doc:
    __slots__ = ("n", "id", "outlet", "role", "upstream", "t", "published", "time_error", "credit",
                 "title", "paras", "added", "final", "mojibake", "dateline", "wire_origin", "quote_slots")

    def __init__(self, n, did, outlet, role, upstream, t):
        self.n, self.id, self.outlet, self.role, self.upstream, self.t = n, did, outlet, role, upstream, t
        self.published = None
        self.time_error = 0
        self.credit = None
        self.title = ""
        self.paras: list = []       # original content: paragraphs -> sentences -> (text, sid) pieces
        self.added = None           # a copy's own extra paragraph
        self.final = None           # content as published (after edits), used by downstream copies
        self.mojibake = None
        self.dateline = None        # wire dateline prefix on the first sentence (for stripping)
        self.wire_origin = None     # the wire outlet at the root of this doc's chain, if any
        self.quote_slots = 0


class Story:
    __slots__ = ("n", "docs", "sid_root", "sid_group", "sid_text", "ngroups", "ents", "statement",
                 "statement_label", "origin_quotes", "real")

    def __init__(self, n):
        self.n = n
        self.docs: list[Doc] = []
        self.sid_root: list[str] = []
        self.sid_group: list[int] = []
        self.sid_text: list[str] = []
        self.ngroups = 0
        self.ents = None
        self.statement = None       # list of sentences (single piece each) once generated
        self.statement_label = None
        self.origin_quotes = False
        self.real = False

    def group(self) -> int:
        self.ngroups += 1
        return self.ngroups - 1

    def piece(self, text: str, root: str, group: int):
        self.sid_root.append(root)
        self.sid_group.append(group)
        self.sid_text.append(text)
        return (text, len(self.sid_root) - 1)


# --------------------------------------------------------------------------------------------
# the generator

class Generator:
    def __init__(self, P: Params, source: Path = DEFAULT_SOURCE):
        self.P = P
        self.rng = random.Random(P.seed)
        all_paras, train, chunks = load_source(source, P.min_run)
        self.model = Markov(train, P.markov_order, P.seed)
        self.lower_vocab = {w for toks in train for w in toks if w[:1].islower()}
        self.filter = RunFilter(P.min_run)
        self.filter.add_texts(all_paras)
        self.rng.shuffle(chunks)
        self.chunks = chunks
        self.n_real_paragraphs = sum(len(c) for c in chunks)
        self.wires, self.outlets, self.aggs = make_outlets(P, self.rng)
        self.out_w = self._cum([o.weight for o in self.outlets])
        self.agg_w = self._cum([o.weight for o in self.aggs])
        self.wire_w = self._cum([o.weight for o in self.wires])
        ids = list(range(P.articles))
        self.rng.shuffle(ids)
        width = max(6, len(str(max(P.articles - 1, 0))))
        self.ids = [f"d{i:0{width}d}" for i in ids]
        self.id_width = width
        self.t_start = datetime.strptime(P.start, "%Y-%m-%d").replace(tzinfo=UTC).timestamp()
        self.ndocs = 0
        self.recent_titles: list[str] = []
        self.group_counter = 0
        self.stats = Counter()

    @staticmethod
    def _cum(ws):
        out, s = [], 0.0
        for w in ws:
            s += w
            out.append(s)
        return out

    def _pick(self, items, cum, avoid):
        for _ in range(20):
            o = self.rng.choices(items, cum_weights=cum)[0]
            if o.name not in avoid:
                avoid.add(o.name)
                return o
        o = self.rng.choice(items)
        avoid.add(o.name)
        return o

    # ---------------------------------------------------------------- planning
    def _new_doc(self, story, outlet, role, upstream, t):
        if self.ndocs >= self.P.articles:
            return None
        d = Doc(self.ndocs, self.ids[self.ndocs], outlet, role, upstream, t)
        self.ndocs += 1
        story.docs.append(d)
        return d

    def _delay(self, median_min: float, sigma: float, lo: float, hi: float) -> float:
        m = math.exp(math.log(median_min) + sigma * self.rng.gauss(0, 1))
        return 60 * min(max(m, lo), hi)

    def plan_story(self, n: int) -> Story:
        P, rng = self.P, self.rng
        st = Story(n)
        t0 = self.t_start + rng.random() * P.days * 86400
        wire = rng.random() < P.wire_story_prob
        used: set = set()
        has_statement = rng.random() < P.statement_prob
        st.origin_quotes = has_statement and rng.random() < 0.6
        if has_statement and st.origin_quotes:
            t0_statement = t0 - rng.uniform(0.2, 2.0) * 3600
        else:
            t0_statement = t0 + rng.uniform(-3, 3) * 3600
        if wire:
            origin = self._new_doc(st, self._pick(self.wires, self.wire_w, used), "wire", None, t0)
            p = 1.0 / max(P.mean_reprints, 1.0)
            k = 1 if p >= 1 else 1 + int(math.log(1 - rng.random()) / math.log(1 - p))
            k = min(k, P.max_reprints)
        else:
            origin = self._new_doc(st, self._pick(self.outlets, self.out_w, used), "independent", None, t0)
            k = rng.randint(1, 3) if rng.random() < P.outlet_copied_prob else 0
        origin.wire_origin = origin.outlet if wire else None
        for _ in range(k):
            if rng.random() < P.direct_aggregator_prob:
                c = self._new_doc(st, self._pick(self.aggs, self.agg_w, used), "aggregator", origin,
                                  origin.t + self._delay(25, 0.9, 1, 1440))
            else:
                c = self._new_doc(st, self._pick(self.outlets, self.out_w, used), "outlet", origin,
                                  origin.t + self._delay(45, 1.0, 3, 2160))
                if c is not None and rng.random() < P.aggregator_prob:
                    for _ in range(1 if rng.random() < 0.7 else 2):
                        self._new_doc(st, self._pick(self.aggs, self.agg_w, used), "aggregator", c,
                                      c.t + self._delay(20, 0.8, 1, 1440))
        if rng.random() < (P.hard_negative_prob if wire else P.hard_negative_prob / 2):
            for _ in range(rng.choice([1, 1, 2, 3])):
                pool, cum = (self.wires, self.wire_w) if rng.random() < 0.15 else (self.outlets, self.out_w)
                self._new_doc(st, self._pick(pool, cum, used), "hard-negative", None,
                              t0 + rng.uniform(-2, 8) * 3600)
        if has_statement:
            st.statement_label = f"external:statement s{n}"
            nq = rng.randint(1 if st.origin_quotes else 2, 4)
            for _ in range(nq):
                self._new_doc(st, self._pick(self.outlets, self.out_w, used), "statement-quoter",
                              st.statement_label, t0_statement + self._delay(60, 0.8, 10, 1440))
        return st

    # ---------------------------------------------------------------- original text
    def _lcfirst(self, s: str) -> str:
        first = s.split(" ", 1)[0]
        if first[:1].isupper() and first.lower() in self.lower_vocab and first[1:2].islower():
            return s[0].lower() + s[1:]
        return s

    def _sentence(self, ents: Ents, deco: float) -> str:
        rng = self.rng
        s = self.model.take()
        if ents is None or rng.random() >= deco:
            return s
        if rng.random() < 0.5 and s[-1:] == "." and s[-2:-1] not in ('"', "\u201d", "'"):
            return s[:-1] + ", " + ents.fill(rng.choice(ATTRIB_SUFFIX)) + "."
        return ents.fill(rng.choice(ATTRIB_PREFIX)) + self._lcfirst(s)

    def _gen_paragraphs(self, st: Story, doc: Doc, n: int, ents: Ents, deco: float, stock: float):
        rng = self.rng
        paras = []
        for _ in range(n):
            g = st.group()
            k = rng.choices((1, 2, 3, 4), (0.35, 0.4, 0.18, 0.07))[0]
            sents = [[st.piece(self._sentence(ents, deco), doc.id, g)] for _ in range(k)]
            if ents is not None and rng.random() < stock:
                sents.append([st.piece(ents.fill(rng.choice(STOCK_SENTENCES)), doc.id, g)])
            paras.append(sents)
        return paras

    def _title(self, ents: Ents | None, outlet: Outlet) -> str:
        rng = self.rng
        toks = self.model.take().split()
        toks = toks[: rng.randint(6, 11)]
        while len(toks) > 3 and (toks[-1].lower().strip(".,;:!?\"'") in _STOP or not toks[-1][-1:].isalnum()):
            toks.pop()
        frag = " ".join(toks).rstrip(".,;:!?\"'\u201d\u2019)(\u2014\u2013-\u201c\u2018 ")
        if ents is not None and rng.random() < 0.5:
            frag = rng.choice([f"{ents.person}: {frag}", f"{frag} in {ents.place}",
                               f"{ents.pshort} says {self._lcfirst(frag)}", f"{cap_first(ents.org)}: {frag}"])
        return self._case(cap_first(frag), outlet).strip()

    @staticmethod
    def _case(title: str, outlet: Outlet) -> str:
        if not outlet.titlecase:
            return title
        small = {"a", "an", "the", "of", "in", "on", "to", "and", "for", "at", "by", "or"}
        ws = title.split(" ")
        return " ".join(w if (i and w in small) or not w[:1].islower() else w[:1].upper() + w[1:]
                        for i, w in enumerate(ws))

    def _dateline(self, wire: Outlet, place: str, t: float) -> str:
        dt = datetime.fromtimestamp(t, tz=UTC)
        a = wire.abbr
        if a == "AP":
            return f"{place.upper()} (AP) \u2014 "
        if a in ("PTI", "IANS"):
            return f"{place}, {MONTHS[dt.month - 1]} {dt.day} ({a}) "
        return f"{place.upper() if a == 'UPI' else place} ({a}) - "

    def original_text(self, st: Story) -> None:
        """Text of every document that writes something new (origin, hard negatives, statement
        quoters, copies' extra paragraphs) plus the statement."""
        P, rng = self.P, self.rng
        origin = st.docs[0]
        use_real = self.chunks and rng.random() < P.real_text_prob
        if use_real:
            chunk = self.chunks.pop()
            st.real = True
            st.ents = Ents(rng, names_in(chunk))
            for sents in chunk:
                g = st.group()
                origin.paras.append([[st.piece(s, origin.id, g)] for s in sents])
        else:
            st.ents = Ents(rng)
            n = rng.randint(5, 12) if origin.role == "wire" else rng.randint(3, 12)
            origin.paras = self._gen_paragraphs(st, origin, n, st.ents, 0.25, 0.12)
        if origin.role == "wire":
            if rng.random() < 0.75:
                dl = self._dateline(origin.outlet, st.ents.place, origin.t)
                text, sid = origin.paras[0][0][0]
                origin.paras[0][0][0] = (dl + text, sid)
                st.sid_text[sid] = dl + text
                origin.dateline = dl
                if use_real:
                    self.filter.add_texts(["".join(dl + text)])
        origin.title = self._title(st.ents, origin.outlet)
        self.recent_titles.append(origin.title)
        if len(self.recent_titles) > 400:
            del self.recent_titles[:200]
        for d in st.docs[1:]:
            if d.role == "hard-negative":
                d.paras = self._gen_paragraphs(st, d, rng.randint(3, 9), st.ents, 0.5, 0.3)
                d.title = self._title(st.ents, d.outlet)
            elif d.role == "statement-quoter":
                d.paras = self._gen_paragraphs(st, d, rng.randint(3, 7), st.ents, 0.3, 0.1)
                d.title = self._title(st.ents, d.outlet)
                d.quote_slots = 1 if rng.random() < 0.7 else 2
            elif d.role in ("outlet", "aggregator") and rng.random() < P.added_paragraph_prob:
                d.added = self._gen_paragraphs(st, d, 1, st.ents, 0.4, 0.1)[0]
        if st.statement_label:   # one group per quotable sentence
            st.statement = [[st.piece(self.model.take_between(15, 40), st.statement_label, st.group())]
                            for _ in range(rng.randint(3, 6))]

    @staticmethod
    def _items(para, quote_sids) -> list:
        items = []
        for sent in para:
            if len(sent) == 1 or not any(p[1] in quote_sids for p in sent):
                items.append((sent, "".join(p[0] for p in sent), False, False))
                continue
            for text, sid in sent:      # a sentence quoting the statement
                items.append((sent, text, True, sid in quote_sids))
        return items

    def segments(self, st: Story) -> list:
        quote_sids = {s[0][1] for s in st.statement} if st.statement else set()
        segs = []
        for d in st.docs:
            if not (st.real and d is st.docs[0]):
                segs.extend((st.n, self._items(p, quote_sids)) for p in d.paras)
            if d.added:
                segs.append((st.n, self._items(d.added, quote_sids)))
        return segs

    def run_filter(self, stories: list[Story]) -> None:
        # statements first (their sentences are quoted verbatim), then quotes go in, then the rest
        for _ in range(50):
            segs = [(st.n, [(s, s[0][0], False, False)]) for st in stories if st.statement for s in st.statement]
            drop, _ = self.filter.check(segs)
            if not drop:
                break
            self.stats["filter_dropped_sentences"] += len(drop)
            for st in stories:
                if st.statement:
                    st.statement = [s for s in st.statement if id(s) not in drop]
                    if not st.statement:
                        st.statement = [[st.piece(self.model.take_between(15, 40), st.statement_label,
                                                  st.group())]]
        else:
            raise RuntimeError("run filter did not converge")
        for st in stories:
            self.insert_quotes(st)
        for _ in range(50):
            segs = [s for st in stories for s in self.segments(st)]
            drop, reword = self.filter.check(segs)
            if not drop and not reword:
                return
            self.stats["filter_dropped_sentences"] += len(drop)
            self.stats["filter_reworded_quotes"] += len(reword)
            for st in stories:
                quote_sids = {s[0][1] for s in st.statement} if st.statement else set()
                for d in st.docs:
                    if d.paras:
                        d.paras = [[s for s in p if id(s) not in drop] for p in d.paras]
                        d.paras = [p for p in d.paras if p]
                        if not d.paras:
                            d.paras = self._gen_paragraphs(st, d, 1, st.ents, 0.0, 0.0)
                        if reword:
                            for p in d.paras:
                                for sent in p:
                                    if id(sent) in reword:
                                        q = next(x for x in sent if x[1] in quote_sids)
                                        g = st.sid_group[sent[0][1]]
                                        sent[:] = self._quote_sentence(st, d, g, [q], plain=True)
                    if d.added:
                        d.added = [s for s in d.added if id(s) not in drop] or None
        raise RuntimeError("run filter did not converge")

    def _quote_sentence(self, st: Story, doc: Doc, g: int, quote, plain: bool = False) -> list:
        """A sentence embedding a statement quote: framing pieces belong to the doc, the quote
        piece keeps the statement's sid.  `plain`: minimal framing (after a collision)."""
        rng, e = self.rng, st.ents
        qtext, qsid = quote[0]
        if plain:
            if qtext.endswith("."):
                qtext = qtext[:-1]
            return [st.piece("\u201c", doc.id, g), (qtext, qsid),
                    st.piece(f",\u201d {rng.choice(['it said', 'the statement said', 'it added'])}.", doc.id, g)]
        form = rng.random()
        if form < 0.45 and qtext.endswith("."):
            attrib = e.fill(rng.choice(["{org} said in a statement", "the statement said",
                                        "{person} said in the statement", "{pshort} said",
                                        "the statement read"]))
            return [st.piece("\u201c", doc.id, g), (qtext[:-1], qsid), st.piece(f",\u201d {attrib}.", doc.id, g)]
        lead = e.fill(rng.choice(["In a statement, {org} said: \u201c", "{Org} said in a statement: \u201c",
                                  "{person} said: \u201c", "The statement from {org} read: \u201c",
                                  "According to the statement, \u201c"]))
        return [st.piece(lead, doc.id, g), (qtext, qsid), st.piece("\u201d", doc.id, g)]

    def insert_quotes(self, st: Story) -> None:
        if not st.statement:
            return
        rng = self.rng
        for d in st.docs:
            if d.role == "statement-quoter":
                n = min(d.quote_slots, len(st.statement))
                picks = rng.sample(range(len(st.statement)), n)
            elif d is st.docs[0] and st.origin_quotes and not st.real:
                picks = [rng.randrange(len(st.statement))]
            else:
                continue
            for q in picks:
                pi = rng.randrange(min(3, len(d.paras)))
                para = d.paras[pi]
                g = st.sid_group[para[0][0][1]]
                pos = rng.randint(0 if d.role == "statement-quoter" else 1, len(para))
                para.insert(pos, self._quote_sentence(st, d, g, st.statement[q]))

    # ---------------------------------------------------------------- copies
    def make_copy(self, st: Story, d: Doc) -> list:
        P, rng = self.P, self.rng
        up = d.upstream
        paras = [[list(s) for s in p] for p in up.final]
        agg = d.role == "aggregator"
        # wire dateline
        first = paras[0][0][0] if paras and paras[0] and paras[0][0] else None
        dl_kept = False
        if d.wire_origin is not None and first is not None and first[1] is not None:
            dl = st.docs[0].dateline
            if dl:
                m = re.match(r"^[^()]{1,40}\(" + re.escape(d.wire_origin.abbr) + r"\)\s*[-\u2014\u2013]?\s*", first[0])
                if m:
                    if rng.random() < P.dateline_keep_prob:
                        dl_kept = True
                    else:
                        rest = first[0][m.end():]
                        paras[0][0][0] = (cap_first(rest), first[1])
        if dl_kept:
            d.credit = d.wire_origin.name
        n = len(paras)
        if n > 2 and rng.random() < (P.partial_prob * (1.3 if agg else 1.0)):
            keep = max(2, int(round(n * rng.uniform(0.35, 0.9))))
            paras = paras[:keep]
        if len(paras) > 3 and rng.random() < P.drop_paragraph_prob:
            del paras[rng.randrange(1, len(paras) - 1)]
        if len(paras) > 2 and rng.random() < P.reorder_prob:
            i = rng.randrange(1, len(paras) - 1)
            paras[i], paras[i + 1] = paras[i + 1], paras[i]
        if len(paras) > 2 and rng.random() < P.merge_paragraph_prob:
            i = rng.randrange(len(paras) - 1)
            paras[i] = paras[i] + paras[i + 1]
            del paras[i + 1]
        if rng.random() < P.split_paragraph_prob:
            cand = [i for i, p in enumerate(paras) if len(p) >= 2]
            if cand:
                i = rng.choice(cand)
                cut = rng.randrange(1, len(paras[i]))
                paras[i:i + 1] = [paras[i][:cut], paras[i][cut:]]
        for p in paras:
            if len(p) > 1 and P.drop_sentence_prob:
                kept = [s for s in p if rng.random() >= P.drop_sentence_prob]
                p[:] = kept or p[:1]
            if len(p) > 1 and rng.random() < P.merge_sentence_prob * len(p):
                i = rng.randrange(len(p) - 1)
                a, b = p[i], p[i + 1]
                ta, sa = a[-1]
                tb, sb = b[0]
                if ta.endswith(".") and not a[-1][0].endswith(".\u201d"):
                    joiner = rng.choice(["; ", ", and ", " \u2014 "])
                    p[i] = a[:-1] + [(ta[:-1], sa), (joiner, None), (self._lcfirst(tb), sb)] + b[1:]
                    del p[i + 1]
        if d.added:
            pos = rng.randint(1, len(paras)) if len(paras) > 1 else len(paras)
            paras.insert(pos, [list(s) for s in d.added])
        paras = self._check_junctions(up, d, paras)
        if rng.random() < P.substitution_prob:
            for _ in range(rng.randint(1, 3)):
                p = rng.choice(paras)
                s = rng.choice(p)
                j = rng.randrange(len(s))
                text, sid = s[j]
                if sid is None:
                    continue
                words = [w for w in SUBSTITUTIONS if re.search(r"\b" + w + r"\b", text)]
                if words:
                    w = rng.choice(words)
                    s[j] = (re.sub(r"\b" + w + r"\b", SUBSTITUTIONS[w], text, count=1), sid)
        return paras

    @staticmethod
    def _adjacent(paras, known: set) -> None:
        for p in paras:
            prev = None
            for sent in p:
                for _, sid in sent:
                    if sid is not None:
                        if prev is not None:
                            known.add((prev, sid))
                        prev = sid

    def _check_junctions(self, up: Doc, d: Doc, paras: list) -> list:
        """Edits put texts side by side that never were (dropped or merged sentences, merged
        paragraphs).  A run across such a junction must not repeat a run found anywhere else in
        the corpus; where it would, the paragraph is split at the junction instead."""
        known: set = set()
        self._adjacent(up.final, known)
        if d.added:
            self._adjacent([d.added], known)
        n = self.P.min_run
        out = []
        for p in paras:
            flat = [(pt, sid, si) for si, sent in enumerate(p) for pt, sid in sent]
            cuts, seqs = [], []
            prev = None
            for j, (_pt, sid, _si) in enumerate(flat):
                if sid is None:
                    continue
                if prev is not None and (flat[prev][1], sid) not in known:
                    before = words_of(" ".join(x[0] for x in flat[: prev + 1]))[-(n - 1):]
                    mid = words_of(" ".join(x[0] for x in flat[prev + 1: j]))
                    after = words_of(" ".join(x[0] for x in flat[j:]))[: n - 1]
                    seqs.append(before + mid + after)
                    cuts.append((prev, j))
                prev = j
            if not cuts:
                out.append(p)
                continue
            bad_cuts = []
            for (a, b), seq in zip(cuts, seqs):
                h = self.filter.window_hashes([seq])
                if not len(h):
                    continue
                h = np.sort(h)
                if self.filter.contains_sorted(h).any() or any(x in self.filter.mixed for x in h.tolist()):
                    bad_cuts.append((a, b))
                    self.stats["junction_splits"] += 1
                else:
                    self.filter.add(h)
            if not bad_cuts:
                out.append(p)
                continue
            # rebuild the paragraph as several, cutting between flat pieces a and b
            cut_at = {b for _, b in bad_cuts}
            pieces_by_para, cur, cur_sent, cur_si = [], [], [], None
            for j, (pt, sid, si) in enumerate(flat):
                if j in cut_at:
                    if cur_sent:
                        cur.append(cur_sent)
                    cur_sent, cur_si = [], si
                    while cur and cur[-1] and cur[-1][-1][1] is None:   # no trailing glue
                        cur[-1].pop()
                    cur = [x for x in cur if x]
                    if cur:
                        pieces_by_para.append(cur)
                    cur = []
                if si != cur_si:
                    if cur_sent:
                        cur.append(cur_sent)
                    cur_sent, cur_si = [], si
                if sid is None and not cur_sent:
                    continue                                            # no leading glue
                cur_sent.append((pt, sid))
            if cur_sent:
                cur.append(cur_sent)
            cur = [x for x in cur if x]
            if cur:
                pieces_by_para.append(cur)
            out.extend(pieces_by_para)
        return out

    def copy_title(self, st: Story, d: Doc) -> str:
        rng = self.rng
        up = d.upstream
        if rng.random() >= self.P.new_headline_prob:
            return self._case(up.title, d.outlet)
        r = rng.random()
        if r < 0.5:
            return self._title(st.ents, d.outlet)
        if r < 0.8:
            return self._case(st.ents.fill(rng.choice(HEADLINE_PREFIX)) + up.title, d.outlet)
        return up.title.upper() if rng.random() < 0.3 else up.title.lower().capitalize()

    # ---------------------------------------------------------------- boilerplate and layout
    def boilerplate(self, st: Story, d: Doc):
        """Returns (top, inline, end): lists of (text, category); inline items carry a position."""
        rng, P = self.rng, self.P
        o, bp = d.outlet, d.outlet.bp
        year = datetime.fromtimestamp(d.t, tz=UTC).year
        top, inline, end = [], [], []
        if "navigation" in bp and rng.random() < 0.9:
            s = rng.sample(o.sections, 4)
            top.append((bp["navigation"].format(s1=s[0].capitalize(), s2=s[1].capitalize(),
                                                s3=s[2].capitalize(), s4=s[3].capitalize()), "navigation"))
        if bp.get("repeat_headline"):
            top.append((d.title, "repeated-headline"))
        if rng.random() < P.byline_prob:
            r1, r2 = rng.sample(o.reporters, 2) if len(o.reporters) > 1 else (o.reporters[0],) * 2
            date = datetime.fromtimestamp(d.t, tz=UTC)
            date_s = f"{MONTHS[date.month - 1]} {date.day}, {date.year}, {date.hour:02d}:{date.minute:02d} " + \
                rng.choice(["IST", "GMT", "ET", "UTC"])
            top.append((rng.choice(bp["byline"]).format(reporter=r1, reporter2=r2, outlet=o.name, date=date_s),
                        "byline"))
        if "other" in bp and rng.random() < 0.8:
            txt = bp["other"].format(n=rng.randint(2, 9), reporter=rng.choice(o.reporters), outlet=o.name)
            if txt.startswith(("Advert", "ADVERT", "Story continues")):
                inline.append((3, txt, "other"))
            else:
                top.append((txt, "other"))
        if "related" in bp and bp["related"][1] and self.recent_titles:
            inline.append((2, bp["related"][2].format(title=rng.choice(self.recent_titles)), "related"))
        if "newsletter" in bp and bp["newsletter"][4]:
            inline.append((rng.randint(2, 4), self._newsletter(o), "newsletter"))
        # end of article
        if d.upstream is not None and d.role in ("outlet", "aggregator"):
            up = d.upstream
            if rng.random() < P.credit_prob * (1.4 if d.role == "aggregator" else 1.0):
                target = up.outlet
                if d.wire_origin is not None and (up.outlet.kind != "wire") and rng.random() < 0.3:
                    target = d.wire_origin
                if target.kind == "wire":
                    tmpl = rng.choice(WIRE_CREDITS)
                else:
                    tmpl = rng.choice(CREDITS)
                if tmpl != "(Agencies)":
                    d.credit = target.name
                end.append((tmpl.format(up=target.name, abbr=target.abbr or target.name), "credit"))
            if rng.random() < P.notice_prob * (1.5 if d.role == "aggregator" else 1.0):
                end.append((rng.choice(NOTICES).format(outlet=o.name, up=up.outlet.name), "notice"))
        if d.wire_origin is not None and (d is st.docs[0] and rng.random() < 0.8 or
                                          d is not st.docs[0] and rng.random() < P.wire_trailer_prob):
            end.extend(self._wire_trailer(d.wire_origin, year))
        if "end" in bp:
            end.append((bp["end"], "end-marker"))
        if "related" in bp and not bp["related"][1] and self.recent_titles:
            end.append((bp["related"][0].format(outlet=o.name), "related"))
            for t in rng.sample(self.recent_titles, min(len(self.recent_titles), rng.randint(2, 4))):
                end.append((t, "related"))
        if "social" in bp:
            tmpl, nets = bp["social"]
            nets = list(nets)
            rng.shuffle(nets)
            if len(nets) > 3 and rng.random() < 0.3:
                nets.pop()
            end.append((tmpl.format(outlet=o.name, nets=", ".join(nets[:-1]) + " and " + nets[-1]), "social"))
        if "newsletter" in bp and not bp["newsletter"][4]:
            end.append((self._newsletter(o), "newsletter"))
        if "comments" in bp:
            end.append((bp["comments"].format(n=rng.randint(0, 250)), "comments"))
        if "copyright" in bp:
            end.append((bp["copyright"].format(year=year if rng.random() < 0.8 else year - 1, outlet=o.name),
                        "credit"))
        return top, inline, end

    def _newsletter(self, o: Outlet) -> str:
        tmpl, topics, periods, names, _ = o.bp["newsletter"]
        rng = self.rng
        return tmpl.format(outlet=o.name, topic=rng.choice(topics), period=rng.choice(periods),
                           nl=rng.choice(names)).replace("the The ", "the ")

    def _wire_trailer(self, w: Outlet, year: int):
        rng = self.rng
        a, b = rng.sample(w.reporters, 2) if len(w.reporters) > 1 else (w.reporters[0],) * 2
        if w.abbr == "AP":
            if rng.random() < 0.5:
                return [(f"Associated Press writer {a} in {rng.choice(PLACES)} contributed to this report.", "byline")]
            return [(f"Copyright {year} The Associated Press. All rights reserved. This material may not be "
                     "published, broadcast, rewritten or redistributed.", "credit")]
        if w.abbr == "Reuters":
            out = [(f"(Reporting by {a}; Editing by {b})", "byline")]
            if rng.random() < 0.4:
                out.append(("Our Standards: The Thomson Reuters Trust Principles.", "other"))
            return out
        initials = "".join(rng.choice("abcdefghijklmnoprstuvwy") for _ in range(3))
        if w.abbr == "AFP":
            return [(f"{initials}/{''.join(rng.choice('abcdefghjklmnprst') for _ in range(2))}", "end-marker")]
        if w.abbr == "PTI":
            return [(f"PTI {initials.upper()} {''.join(rng.choice('ABCDEFGHKLMNRST') for _ in range(3))}", "byline")]
        if w.abbr == "IANS":
            return [("--IANS", "end-marker")]
        return [(f"Copyright {year} United Press International, Inc. All Rights Reserved.", "credit")]

    # ---------------------------------------------------------------- rendering
    def render(self, st: Story, d: Doc, content: list):
        top, inline, end = self.boilerplate(st, d)
        top = [(t.strip(), c) for t, c in top if t.strip()]
        inline = [(pos, t.strip(), c) for pos, t, c in inline if t.strip()]
        end = [(t.strip(), c) for t, c in end if t.strip()]
        layout = [(t, c) for t, c in top]
        inline_at = defaultdict(list)
        for pos, t, c in inline:
            inline_at[max(1, min(pos, len(content)))].append((t, c))
        for ci in range(len(content)):
            layout.append((None, ci))
            layout.extend(inline_at.get(ci + 1, ()))
        layout.extend(end)
        parts = []
        for t, c in layout:
            if t is None:
                parts.append("\x01".join("\x00".join(p[0] for p in s) for s in content[c]))
            else:
                parts.append(t)
        o = d.outlet
        big = restyle("\x02".join(parts), o.quotes, o.dash, o.locale, d.mojibake)
        out = big.split("\x02")
        texts: list[str] = []
        final: list = [None] * len(content)
        pieces: dict[int, list] = {}
        bps: list = []
        for k, ((t, c), s) in enumerate(zip(layout, out), 1):
            if t is not None:
                texts.append(s.strip() or "-")
                bps.append((k, c))
                continue
            para = content[c]
            new_para, offs, buf, pos = [], [], [], 0
            for si, (sent, stext) in enumerate(zip(para, s.split("\x01"))):
                if si:
                    buf.append(" ")
                    pos += 1
                new_sent = []
                for (_, sid), pt in zip(sent, stext.split("\x00")):
                    new_sent.append((pt, sid))
                    if sid is not None:
                        offs.append((pos, pos + len(pt), sid))
                    pos += len(pt)
                    buf.append(pt)
                new_para.append(new_sent)
            final[c] = new_para
            text = "".join(buf)
            stripped = text.strip()
            if stripped != text:            # e.g. mojibake turned a last letter into "\u00c3\u00a0"
                lead = len(text) - len(text.lstrip())
                n = len(stripped)
                offs = [(min(max(a - lead, 0), n), min(max(b - lead, 0), n), sid) for a, b, sid in offs]
                offs = [o for o in offs if o[1] > o[0]]
                text = stripped
            texts.append(text)
            pieces[k] = offs
        d.final = final
        return texts, pieces, bps

    # ---------------------------------------------------------------- truth for one story
    def story_truth(self, st: Story, docs_pieces: dict):
        """docs_pieces: {(doc_id, k): [(start, end, sid), ...]} for content paragraphs, with the
        paragraph text under key ("text", doc_id, k).  Returns pairs and spans."""
        need = self.P.reuse_words
        sid_paras = defaultdict(list)
        para_sids = {}
        for key, offs in docs_pieces.items():
            if key[0] == "text":
                continue
            sids = {o[2] for o in offs}
            para_sids[key] = sids
            for s in sids:
                sid_paras[s].append(key)
        wcache = {}

        def words(s):
            w = wcache.get(s)
            if w is None:
                w = wcache[s] = len(words_of(st.sid_text[s]))
            return w

        sig_w = defaultdict(int)        # sids found in the same set of paragraphs count together
        for s, lst in sid_paras.items():
            if len(lst) > 1 and len({k[0] for k in lst}) > 1:
                sig_w[tuple(lst)] += words(s)
        pair_w = defaultdict(int)
        for lst, w in sig_w.items():
            if not w:
                continue
            for i in range(len(lst)):
                a = lst[i]
                for j in range(i + 1, len(lst)):
                    b = lst[j]
                    if a[0] == b[0]:
                        continue
                    pair_w[(a, b) if a < b else (b, a)] += w
        pairs, shared_marks = [], defaultdict(set)
        for (a, b), w in pair_w.items():
            if w < need - 2:
                continue
            common = para_sids[a] & para_sids[b]
            if w < need + 10:   # borderline: count the shared words in the published texts
                ca = Counter(self._piece_words(docs_pieces, a, common))
                cb = Counter(self._piece_words(docs_pieces, b, common))
                if sum((ca & cb).values()) < need:
                    continue
            roots: dict = {}
            for s in common:
                r = st.sid_root[s]
                roots[r] = roots.get(r, 0) + words(s) * (1 if r.startswith("external:") else 1000)
            pairs.append((a, b, max(roots, key=roots.get)))
            shared_marks[a] |= common
            shared_marks[b] |= common
        spans = []
        gid_map = {}
        for key, marked in shared_marks.items():
            offs = docs_pieces[key]
            for g in sorted({st.sid_group[s] for s in marked}):
                i = 0
                while i < len(offs):
                    if offs[i][2] in marked and st.sid_group[offs[i][2]] == g:
                        j = last = i
                        while j + 1 < len(offs) and offs[j + 1][2] in marked:
                            j += 1
                            if st.sid_group[offs[j][2]] == g:
                                last = j
                        if g not in gid_map:
                            gid_map[g] = self.group_counter
                            self.group_counter += 1
                        spans.append((gid_map[g], key[0], key[1], offs[i][0], offs[last][1]))
                        i = last + 1
                    else:
                        i += 1
        return pairs, spans

    @staticmethod
    def _piece_words(docs_pieces, key, sids):
        text = docs_pieces[("text",) + key]
        out = []
        for s, e, sid in docs_pieces[key]:
            if sid in sids:
                out.extend(words_of(text[s:e]))
        return out

    # ---------------------------------------------------------------- main loop
    def generate(self, out_dir: Path, log=None) -> dict:
        P = self.P
        t_begin = time.time()
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".gen-", dir=out_dir))
        bucket_size = 20000
        nb = max(1, math.ceil(P.articles / bucket_size))
        buckets = [open(tmp / f"b{i}.jsonl", "w", encoding="utf-8") for i in range(nb)]
        f_pairs = open(tmp / "pairs.json", "w", encoding="utf-8")
        f_spans = open(tmp / "spans.json", "w", encoding="utf-8")
        f_bp = open(tmp / "bp.json", "w", encoding="utf-8")
        firsts = {"pairs": True, "spans": True, "bp": True}
        documents = {}
        story_n = 0
        w = self.id_width + 1
        try:
            while self.ndocs < P.articles:
                batch = []
                while len(batch) < P.batch_stories and self.ndocs < P.articles:
                    st = self.plan_story(story_n)
                    story_n += 1
                    self.original_text(st)
                    batch.append(st)
                self.run_filter(batch)
                for st in batch:
                    self._emit_story(st, buckets, bucket_size, documents, f_pairs, f_spans, f_bp, firsts)
                    st.docs = []
                if log:
                    log(f"  {self.ndocs}/{P.articles} documents, {time.time() - t_begin:.1f}s")
            for f in buckets:
                f.close()
            for f in (f_pairs, f_spans, f_bp):
                f.close()
            # corpus: buckets sorted by id (ids are a random permutation: order says nothing)
            with open(out_dir / "corpus.jsonl", "w", encoding="utf-8") as out:
                for i in range(nb):
                    with open(tmp / f"b{i}.jsonl", encoding="utf-8") as f:
                        lines = f.readlines()
                    lines.sort(key=lambda line: line[:w + 9])
                    out.writelines(lines)
                    del lines
            self.stats["stories"] = story_n
            self.stats["seconds"] = round(time.time() - t_begin, 2)
            params = dataclasses.asdict(P)
            params["source"] = str(DEFAULT_SOURCE.relative_to(ROOT)) if DEFAULT_SOURCE.is_relative_to(ROOT) else str(DEFAULT_SOURCE)
            params["generator_version"] = GENERATOR_VERSION
            stats = dict(sorted(self.stats.items()))
            with open(out_dir / "truth.json", "w", encoding="utf-8") as out:
                out.write('{"parameters": ' + json.dumps(params) + ',\n"stats": ' + json.dumps(stats) +
                          ',\n"documents": {\n')
                items = sorted(documents.items())
                out.write(",\n".join(json.dumps(k) + ": " + json.dumps(v) for k, v in items))
                for name, key in (("reused_pairs", "pairs"), ("spans", "spans"), ("boilerplate", "bp")):
                    out.write(f'}},\n"{name}": [\n' if name == "reused_pairs" else f'],\n"{name}": [\n')
                    with open(tmp / f"{key}.json", encoding="utf-8") as f:
                        while True:
                            block = f.read(1 << 20)
                            if not block:
                                break
                            out.write(block)
                out.write("\n]}\n")
        finally:
            for f in buckets + [f_pairs, f_spans, f_bp]:
                if not f.closed:
                    f.close()
            for p in tmp.iterdir():
                p.unlink()
            tmp.rmdir()
        return stats

    def _emit_story(self, st, buckets, bucket_size, documents, f_pairs, f_spans, f_bp, firsts):
        P, rng = self.P, self.rng
        docs_pieces = {}
        for d in st.docs:
            if isinstance(d.upstream, Doc):
                d.wire_origin = d.upstream.wire_origin
                content = self.make_copy(st, d)
                d.title = self.copy_title(st, d)
            else:
                content = d.paras
            if rng.random() < P.mojibake_prob:
                d.mojibake = "cp1252" if rng.random() < 0.6 else "ascii"
            texts, pieces, bps = self.render(st, d, content)
            for k, offs in pieces.items():
                docs_pieces[(d.id, k)] = offs
                docs_pieces[("text", d.id, k)] = texts[k - 1]
            # time
            t = d.t
            if rng.random() < P.missing_time_prob:
                published = None
            else:
                if rng.random() < P.wrong_time_prob:
                    d.time_error = rng.choice([-8, -6, -5.5, -5, -4, -3, 3, 4, 5, 5.5, 6, 8])
                    t += d.time_error * 3600
                published = iso(t)
            section = rng.choice(d.outlet.sections)
            url = f"https://www.{d.outlet.domain}/{section}/{slugify(d.title)}-{d.id[1:]}"
            title = d.title
            if d.mojibake:
                title = restyle(title, d.outlet.quotes, d.outlet.dash, d.outlet.locale, d.mojibake)
            rec = {"id": d.id, "title": title, "outlet": d.outlet.name, "url": url, "published": published,
                   "text": "\n\n".join(texts)}
            bnum = int(d.id[1:]) // bucket_size
            buckets[bnum].write(json.dumps(rec, ensure_ascii=False) + "\n")
            up = d.upstream.id if isinstance(d.upstream, Doc) else d.upstream
            documents[d.id] = {"outlet": d.outlet.name, "is_wire": d.outlet.kind == "wire", "upstream": up,
                               "role": d.role, "story": st.n, "credit": d.credit, "published": published,
                               "time_error_hours": d.time_error}
            self.stats["documents"] += 1
            self.stats[f"role_{d.role}"] += 1
            self.stats["paragraphs"] += len(texts)
            self.stats["content_paragraphs"] += len(pieces)
            if bps:
                f_bp.write(("" if firsts["bp"] else ",\n") + ",\n".join(
                    f'{{"doc": "{d.id}", "paragraph": {k}, "category": "{c}"}}' for k, c in bps))
                firsts["bp"] = False
                self.stats["boilerplate"] += len(bps)
        # free the copy bases of this story
        pairs, spans = self.story_truth(st, docs_pieces)
        if pairs:
            # ids and labels are plain ASCII without quotes or backslashes: format directly
            f_pairs.write(("" if firsts["pairs"] else ",\n") + ",\n".join(
                f'{{"a": "{a[0]}", "a_paragraph": {a[1]}, "b": "{b[0]}", "b_paragraph": {b[1]}, "source": "{src}"}}'
                for a, b, src in pairs))
            firsts["pairs"] = False
            self.stats["reused_pairs"] += len(pairs)
        if spans:
            f_spans.write(("" if firsts["spans"] else ",\n") + ",\n".join(
                f'{{"group": {g}, "doc": "{doc}", "paragraph": {k}, "start": {s}, "end": {e}}}'
                for g, doc, k, s, e in spans))
            firsts["spans"] = False
            self.stats["spans"] += len(spans)
        for d in st.docs:
            d.final = None
            d.paras = None


# --------------------------------------------------------------------------------------------
# checks

def model_check(order: int, stories: int = 1500, sentences: int = 20, run: int = 12, seed: int = 1,
                source: Path = DEFAULT_SOURCE) -> dict:
    """Raw Markov model, no filter: how many independently generated stories share a run of
    `run` words with another story or with the real text?"""
    all_paras, train, _ = load_source(source, run)
    m = Markov(train, order, seed)
    real = set()
    for p in all_paras:
        ws = words_of(p)
        real.update(hash(tuple(ws[i:i + run])) for i in range(len(ws) - run + 1))
    owner = {}
    bad_story, bad_real = set(), set()
    for s in range(stories):
        for _ in range(sentences):
            ws = words_of(m.take())
            for i in range(len(ws) - run + 1):
                h = hash(tuple(ws[i:i + run]))
                if h in real:
                    bad_real.add(s)
                o = owner.setdefault(h, s)
                if o != s:
                    bad_story.update((o, s))
    return {"order": order, "stories": stories, "sentences_per_story": sentences, "run": run,
            "stories_sharing_a_run_with_another": len(bad_story),
            "stories_sharing_a_run_with_real_text": len(bad_real)}


def corpus_check(out_dir: Path, run: int = 12, sample: int = 20000, seed: int = 0) -> dict:
    """Generated corpus: documents of different stories, and hard negatives with anyone, must
    share no `run`-word run outside boilerplate paragraphs."""
    out_dir = Path(out_dir)
    truth = json.loads((out_dir / "truth.json").read_text(encoding="utf-8"))
    docs = truth["documents"]
    bp = {(b["doc"], b["paragraph"]) for b in truth["boilerplate"]}
    ids = sorted(docs)
    if len(ids) > sample:
        ids = sorted(random.Random(seed).sample(ids, sample))
    keep = set(ids)
    owner = {}
    violations = []
    checked = 0
    with open(out_dir / "corpus.jsonl", encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            did = rec["id"]
            if did not in keep:
                continue
            checked += 1
            story = docs[did]["story"]
            hn = docs[did]["role"] == "hard-negative"
            seen_here = set()
            for k, p in enumerate(rec["text"].split("\n\n"), 1):
                if (did, k) in bp:
                    continue
                ws = words_of(p)
                for i in range(len(ws) - run + 1):
                    h = hash(tuple(ws[i:i + run]))
                    if h in seen_here:
                        continue
                    seen_here.add(h)
                    o = owner.get(h)
                    if o is None:
                        owner[h] = (did, story, hn)
                    elif o[1] != story or hn or o[2]:
                        violations.append({"a": o[0], "b": did, "run": " ".join(ws[i:i + run])})
    return {"documents_checked": checked, "run": run, "violations": len(violations),
            "examples": violations[:10]}


def self_check(out_dir: Path | None, run: int = 12) -> bool:
    ok = True
    for order in (1, 2):
        r = model_check(order, run=run)
        print(f"raw Markov order {order}: {r['stories_sharing_a_run_with_another']} of {r['stories']} stories "
              f"share a {run}-word run with another story, {r['stories_sharing_a_run_with_real_text']} with "
              f"the real text (before the run filter)")
    if out_dir is not None:
        r = corpus_check(out_dir, run=run)
        print(f"corpus {out_dir}: {r['documents_checked']} documents checked, {r['violations']} accidental "
              f"{run}-word runs across stories or involving hard negatives")
        for v in r["examples"]:
            print("  ", v)
        ok = r["violations"] == 0
    return ok


# --------------------------------------------------------------------------------------------
# CLI

def params_from_args(argv=None) -> tuple[Params, argparse.Namespace]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    for f in dataclasses.fields(Params):
        typ = type(f.default)
        ap.add_argument("--" + f.name.replace("_", "-"), type=typ, default=f.default,
                        help=HELP.get(f.name, f.name.replace("_", " ")))
    ap.add_argument("--out", type=Path, help="output directory")
    ap.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="ground-truth.json with real articles")
    ap.add_argument("--self-check", action="store_true",
                    help="measure accidental shared runs of the raw model (order 1 and 2) and verify the "
                         "generated corpus has none across stories")
    ap.add_argument("--check-only", action="store_true", help="run --self-check on an existing --out")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    P = Params(**{f.name: getattr(args, f.name) for f in dataclasses.fields(Params)})
    return P, args


def generate(P: Params, out_dir: Path, source: Path = DEFAULT_SOURCE, log=None) -> dict:
    return Generator(P, source).generate(out_dir, log=log)


def main(argv=None) -> int:
    P, args = params_from_args(argv)
    if args.check_only:
        if not args.out:
            print("--check-only needs --out", file=sys.stderr)
            return 2
        return 0 if self_check(args.out, P.min_run) else 1
    if not args.out:
        if args.self_check:
            return 0 if self_check(None, P.min_run) else 1
        print("--out is required", file=sys.stderr)
        return 2
    log = None if args.quiet else (lambda m: print(m, file=sys.stderr))
    stats = generate(P, args.out, args.source, log=log)
    if not args.quiet:
        print(json.dumps(stats, indent=1))
    if args.self_check:
        return 0 if self_check(args.out, P.min_run) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
