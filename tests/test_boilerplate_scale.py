"""The boilerplate stage's structure at scale: work moved to the executor gives the same flags.

* the article bodies the corpus-wide rules change (their site-template flags are new skipped
  lines) are told by the executor's workers (:meth:`Boilerplate.stale_bodies`,
  :func:`syndetect.rules.boilerplate.body_spans`) and then reused by refine and provenance,
  which tell no body themselves;
* the lexicon's early "nothing can match" answer keeps a user's rule that has no trigger.
"""

from __future__ import annotations

from test_boilerplate import _page, _story

from syndetect import Params, scan
from syndetect.pipeline import rules
from syndetect.pipeline.executors import ProcessExecutor
from syndetect.pipeline.scan import paragraphs_of
from syndetect.rules import boilerplate, shape
from syndetect.rules.boilerplate import Boilerplate, body_spans
from syndetect.rules.lexicon import Lexicon, Rule, compile_pattern

MENU = ["Home", "News", "Sport", "Weather", "Business"]
TAIL = ["Share", "Tweet", "Email",
        "Get the Riverside Ledger app for breaking news alerts and the daily crossword on your phone.",
        "Most Read", "Contact Us", "Privacy Policy"]


def _docs(n: int = 6):
    return [_page(i, "www.ledger.co.uk", [_story(i + 900)], head=MENU, tail=TAIL) for i in range(n)]


def _per_doc(det: Boilerplate, docs):
    pars = [p for d in docs for p in paragraphs_of(d)]
    flags, sites = det.detect_documents([(d, [p for p in pars if p.doc == d.id]) for d in docs])
    return pars, flags, sites


def test_stale_bodies_are_the_documents_the_templates_changed_and_their_spans_are_reused(monkeypatch):
    docs = _docs()
    det = Boilerplate.load()
    pars, per_doc, sites = _per_doc(det, docs)
    flags = det.finish(docs, pars, per_doc, sites)
    new = {f.doc for f in flags if f.rule == "repetition/site-template"}
    assert new  # the corpus-wide rule flagged the app blurb in every page
    tasks = det.stale_bodies(pars, flags, [(f.doc, f.paragraph) for f in per_doc])
    assert {t[0] for t in tasks} <= new and tasks
    # what a detector that tells every body itself finds
    fresh = Boilerplate.load()
    pars2, per_doc2, sites2 = _per_doc(fresh, docs)
    flags2 = fresh.finish(docs, pars2, per_doc2, sites2)
    assert flags2 == flags
    expected = {d.id: fresh.body_cores(pars2, flags2).get(d.id) for d in docs}

    det.add_spans(body_spans(det.shape, tasks))
    told = []
    real = shape.body_span
    monkeypatch.setattr(boilerplate.shape, "body_span", lambda *a: told.append(a) or real(*a))
    got = {d.id: det.body_cores(pars, flags).get(d.id) for d in docs}
    assert got == expected
    assert told == []  # every body came from the per-document pass or the told spans
    # the next scan forgets them (a document of the same id may have other text)
    det.finish(docs, pars, per_doc, sites)
    assert det._more == {}


def test_scan_with_workers_gives_the_serial_report_and_tells_the_bodies_in_the_workers(monkeypatch):
    docs = _docs(8)
    serial = scan(docs, Params(), workers=1)
    stale = []
    real_stale = rules.stale_bodies
    monkeypatch.setattr(rules, "stale_bodies", lambda *a: stale.append(real_stale(*a)) or stale[-1])
    told = []  # bodies told in this process (the workers' own calls are counted in their copies)
    real = shape.body_span
    monkeypatch.setattr(boilerplate.shape, "body_span", lambda *a: told.append(a) or real(*a))
    with ProcessExecutor(2) as ex:
        pooled = scan(docs, Params(), executor=ex)
    assert stale and stale[0]  # the site template changed some bodies: the workers told them
    assert told == []  # refine and provenance reused them
    assert pooled.boilerplate == serial.boilerplate and pooled.clusters == serial.clusters
    assert pooled.provenance == serial.provenance and pooled.documents == serial.documents


def test_a_user_rule_without_trigger_is_still_tried_after_the_early_answer():
    user = Rule("shout", "other", compile_pattern(r"^ZZZ top$", "test", trusted=False), 5)
    builtin = Boilerplate.load().rules
    for lex in (Lexicon([*builtin, user]), Lexicon([user, *builtin])):
        found = lex.match("  zzz   TOP ")
        assert found is not None and found[0].name == "shout"
        assert lex.match("nothing to see here") is None
    # the built-in rules alone: no trigger and no prefilter hit is no match
    lex = Lexicon(builtin)
    assert lex.match("zzz top") is None
    assert lex.match("Share") is not None


def test_the_split_prefilter_finds_what_one_merged_search_finds():
    import re

    from syndetect.rules.lexicon import _anchored, _mergeable, _Prefilter, _unnamed

    rules_ = [r for r in Boilerplate.load().rules if _mergeable(r)]
    sources = [r.pattern.pattern for r in rules_]
    assert sum(map(_anchored, sources)) > 10 and not all(map(_anchored, sources))
    assert not _anchored("^a|b") and not _anchored("a^") and not _anchored("(^a)|b") and not _anchored("(?m)^a") and _anchored("^(a|b)c")
    lines = [e for r in Boilerplate.load().rules for e in (*r.examples, *r.not_examples)]
    lines += ["x " + e for e in lines] + [e + " y" for e in lines] + ["", " ", "b", "ab"]
    for subset in (sources, sources[::2], sources[1::3], ["^a|b", "(?m:^c)", "^(d|e)f", "x^"]):
        split = _Prefilter(subset)
        whole = re.compile("|".join(f"(?:{_unnamed(s)})" for s in subset), re.IGNORECASE)
        for line in lines:
            flat = " ".join(line.split())
            assert split.search(flat) == (whole.search(flat) is not None), (line, subset[:2])


def test_template_keys_of_the_per_document_pass_are_the_ones_finish_makes(monkeypatch):
    """The template keys the workers make (detect_task) are template_key of each short paragraph
    of a page with a site, and finish given them flags what it flags when it makes them itself."""
    from syndetect.core.words import word_count
    from syndetect.rules import repetition

    docs = _docs(6) + [_page(7, "", [_story(7)], head=MENU)]
    det = Boilerplate.load()
    pars = [p for d in docs for p in paragraphs_of(d)]
    items = [rules.DocumentParagraphs(d, [p for p in pars if p.doc == d.id]) for d in docs]
    rows, sites, spans, keys = rules.detect_task(det, items)
    assert len(keys) == len(pars)
    site = {d.id: boilerplate.site_of(d, sites) for d in docs}
    max_words = det.repetition.template_max_words
    expected = [repetition.template_key(p.text, site[p.doc]) if site[p.doc] and word_count(p.text) <= max_words
                else None for p in pars]
    assert keys == [k or None for k in expected]
    assert any(k is None for k in keys) and any(k is not None for k in keys)
    text_of = {(p.doc, p.index): p.text for p in pars}
    with_keys = rules.finish(Boilerplate.load(), docs, pars, rules.flags_from_rows(rows, text_of), sites, spans, keys)
    without = rules.finish(Boilerplate.load(), docs, pars, rules.flags_from_rows(rows, text_of), sites, spans)
    assert with_keys == without
    assert any(f.rule == "repetition/site-template" for f in with_keys)
