"""The boilerplate stage's serial part (the parent's corpus-wide passes) reads what it already has:

* :class:`syndetect.rules.repetition.Pages` groups a paragraph list by document once (finish,
  stale bodies, refine and :class:`BodyCores` walk the pages they need through it);
* ``site_unique`` reads the template keys the per-document pass made instead of making them again;
* ``outlet_templates`` walks only the keys that more than one paragraph has;
* refine takes the scan's ``text_of`` and tells a page's last paragraph only where it asks.

Each is checked against the rules as they were (``tests/_reference_rules.py``: main's code) on
random pages of a few sites with menus, site lines, shared stories and the site's own name.
"""

from __future__ import annotations

import random

import pytest
from _reference_rules import outlet_templates_reference

from syndetect import Params, scan
from syndetect.model import Document, Paragraph
from syndetect.pipeline import rules
from syndetect.pipeline.scan import paragraphs_of
from syndetect.rules import repetition
from syndetect.rules.boilerplate import Boilerplate, site_of
from syndetect.rules.repetition import Pages, RepetitionParams

# the site-unique test without shipped keys or pages: the walk over every paragraph that main's rules made
# (the oracle of the shipped-keys path; taken before any test patches the module)
_site_unique_plain = repetition.site_unique


def site_unique_reference(candidates, paragraphs, site):
    return _site_unique_plain(candidates, paragraphs, site)

_WORDS = ("river", "council", "budget", "school", "harbour", "market", "police", "museum", "league", "storm",
          "bridge", "library", "garden", "festival", "station", "tower", "valley", "mayor", "ferry", "orchard")


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(n)).capitalize() + "."


def _corpus(seed: int, n_docs: int = 40) -> list[Document]:
    """Pages of four sites: menus, a shared pool of site lines (some with digits, some naming the
    site), stories some pages share (a story printed twice), long lines that differ only by the
    site's name, and a few pages without a site."""
    rng = random.Random(seed)
    hosts = ["www.ledger.co.uk", "sport.ledger.co.uk", "www.harbourtimes.com", "news.valleypost.org", ""]
    stories = [[_sentence(rng, rng.randint(14, 30)) for _ in range(rng.randint(3, 6))] for _ in range(8)]
    site_lines = ["Ledger", "Harbourtimes", "Follow the Ledger on social media", "Updated 12:30 on 4 May",
                  "Updated 09:15 on 7 June", "Sign up for the harbourtimes morning briefing",
                  "Read more", "Most read this week", "Photo: staff photographer",
                  " ".join(["ledger"] * 3 + list(_WORDS[:5])), " ".join(_WORDS[:5]), " ".join(("Ledger", *_WORDS[:5]))]
    menus = [["Home", "News", "Sport", "Weather", "Business", "Culture"], ["Home", "Local", "Opinion", "Video"]]
    docs = []
    for i in range(n_docs):
        host = rng.choice(hosts)
        head = rng.choice(menus)[: rng.randint(0, 6)] + rng.sample(site_lines, rng.randint(0, 3))
        body = list(rng.choice(stories)) if rng.random() < 0.4 else [_sentence(rng, rng.randint(14, 40))
                                                                      for _ in range(rng.randint(2, 6))]
        body.insert(rng.randint(0, len(body)), rng.choice(site_lines))
        if rng.random() < 0.3:
            body.insert(1, f"Published {rng.randint(1, 28)} May 2024, {rng.randint(1, 12)}:{rng.randint(10, 59)}")
        tail = rng.sample(site_lines, rng.randint(0, 4)) + ["Share", "Contact Us", "Privacy Policy"][: rng.randint(0, 3)]
        text = "\n\n".join([*head, *body, *tail])
        docs.append(Document(id=f"d{i:03d}", text=text, url=f"https://{host}/a/{i}.html" if host else None,
                             outlet=None if host else rng.choice([None, "The Valley Post"])))
    return sorted(docs, key=lambda d: d.id)


def _per_doc(det: Boilerplate, docs):
    pars = [p for d in docs for p in paragraphs_of(d)]
    items = [rules.DocumentParagraphs(d, [p for p in pars if p.doc == d.id]) for d in docs]
    rows, sites, spans, keys = rules.detect_task(det, items)
    text_of = {(p.doc, p.index): p.text for p in pars}
    return pars, rules.flags_from_rows(rows, text_of), sites, spans, keys


def test_pages_group_the_paragraphs_of_each_document_in_order():
    pars = [Paragraph(d, i, 0, 0, f"{d}{i}") for d, i in
            [("a", 1), ("a", 2), ("b", 1), ("c", 1), ("c", 2), ("b", 2), ("c", 3)]]  # b and c cut in two
    pages = Pages(pars)
    for doc in "abc":
        assert pages.of(doc) == [p for p in pars if p.doc == doc]
    assert pages.of("z") == []
    assert pages.positions(["c", "a", "z"]) == [0, 1, 3, 4, 6]
    assert Pages([]).ranges == {}
    interleaved = [Paragraph(d, i, 0, 0, "") for i in range(1, 4) for d in "xy"]  # x1 y1 x2 y2 x3 y3
    assert Pages(interleaved).of("y") == [p for p in interleaved if p.doc == "y"]


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("repeats", [(3, 2), (1, 1), (2, 3)])
def test_finish_flags_what_the_rules_as_they_were_flag(seed, repeats, monkeypatch):
    docs = _corpus(seed)
    params = RepetitionParams(min_repeats=repeats[0], min_repeats_outside_body=repeats[1])
    det = Boilerplate.load(repetition_params=params)
    pars, flags, sites, spans, keys = _per_doc(det, docs)
    got = rules.finish(Boilerplate.load(repetition_params=params), docs, pars, flags, sites, spans, keys)
    assert rules.finish(Boilerplate.load(repetition_params=params), docs, pars, flags, sites, spans) == got
    monkeypatch.setattr(repetition, "outlet_templates", lambda pars, flags, ctx, keys, pages:
                        outlet_templates_reference(pars, flags, ctx, keys))
    monkeypatch.setattr(repetition, "site_unique", lambda cands, pars, site, *rest: site_unique_reference(cands, pars, site))
    expected = rules.finish(Boilerplate.load(repetition_params=params), docs, pars, flags, sites, spans, keys)
    assert got == expected
    assert seed or any(f.rule == "repetition/site-template" for f in got)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("key_max_words", [0, 3, 6, 40])
def test_site_unique_with_the_shipped_keys_is_site_unique_without(seed, key_max_words):
    """Keys shipped for paragraphs of up to ``key_max_words`` words (``None`` above, and for an empty
    key): the candidates over that length, an empty key (a line that is only the site's name) and a
    long line whose key loses the site's name are told as when every key is made again."""
    docs = _corpus(seed)
    pars = [p for d in docs for p in paragraphs_of(d)]
    site = {d.id: site_of(d) for d in docs}
    keys = repetition.page_keys_of(pars, site, key_max_words)
    rng = random.Random(seed)
    short = [p for p in pars if len(p.text.split()) <= 5]  # the 6-word line has a 5-word key: no holder
    assert any(p.text == " ".join(_WORDS[:5]) for p in short)
    for cands in (rng.sample(pars, 30), short, pars):
        expected = site_unique_reference(cands, pars, site)
        assert repetition.site_unique(cands, pars, site, keys, key_max_words, Pages(pars)) == expected


def test_site_unique_keeps_a_long_line_whose_key_is_a_candidates_apart():
    """A 6-word line whose key (the site's name removed) is a 5-word candidate's is no holder of it
    (only paragraphs as short as the longest candidate are compared); an empty key is compared."""
    five = " ".join(_WORDS[:5])
    texts = {"a": [five, "Ledger", "one two"], "b": [f"Ledger {five}", "Ledger"], "c": ["three four"]}
    pars = [Paragraph(d, i, 0, 0, t) for d, ts in texts.items() for i, t in enumerate(ts, 1)]
    site = dict.fromkeys(texts, "ledger.co.uk")
    cands = [pars[0], pars[1], pars[2]]
    expected = site_unique_reference(cands, pars, site)
    assert expected == {("a", 1), ("a", 3)}
    for key_max_words in (0, 5, 40):
        keys = repetition.page_keys_of(pars, site, key_max_words)
        assert repetition.site_unique(cands, pars, site, keys, key_max_words, Pages(pars)) == expected


def test_site_unique_makes_no_key_the_per_document_pass_made(monkeypatch):
    docs = _corpus(1, 60)
    pars = [p for d in docs for p in paragraphs_of(d)]
    site = {d.id: site_of(d) for d in docs}
    keys = repetition.page_keys_of(pars, site, 40)
    cands = [p for p in pars if p.text in ("Read more", "Most read this week")]
    expected = site_unique_reference(cands, pars, site)
    calls = []
    real = repetition.fold_words
    monkeypatch.setattr(repetition, "fold_words", lambda text: calls.append(text) or real(text))
    assert repetition.site_unique(cands, pars, site, keys, 40, Pages(pars)) == expected
    # the candidates' own keys and a word count of each paragraph whose key is one of theirs: not every paragraph
    assert 0 < len(calls) < len(pars) / 2


@pytest.mark.parametrize("seed", range(4))
def test_refine_with_the_scans_text_of_is_refine_without(seed, monkeypatch):
    docs = _corpus(seed, 30)
    report = scan(docs, Params(), workers=1)
    det = Boilerplate.load()
    pars, flags, sites, spans, keys = _per_doc(det, docs)
    flags = rules.finish(det, docs, pars, flags, sites, spans, keys)
    clusters = list(report.clusters)
    text_of = {(p.doc, p.index): p.text for p in pars}
    got = rules.refine(det, docs, pars, flags, clusters, text_of)
    assert rules.refine(det, docs, pars, flags, clusters) == got
    # unrelated_recurrences told each page's last paragraph from text_of's keys
    real = repetition.unrelated_recurrences
    monkeypatch.setattr(repetition, "unrelated_recurrences", lambda c, t, f, ctx, last: real(c, t, f, ctx))
    assert rules.refine(det, docs, pars, flags, clusters, text_of) == got
    assert got[0] == list(report.boilerplate)


def test_a_documents_head_is_replace_with_its_text_cut():
    from dataclasses import replace

    from syndetect.pipeline.scan import _HEAD, _head_of

    doc = Document(id="x", text="word " * 200, source="f.jsonl:3", title="T", outlet="O", url="https://o.com/a",
                   published="2024-05-01", date_source="field:date", crawled="2024-05-02", encoding="latin-1 (meta)",
                   meta={"k": [1, 2]})
    got = _head_of(doc)
    assert got == replace(doc, text=doc.text[:_HEAD]) and got.meta is doc.meta and len(got.text) == _HEAD
