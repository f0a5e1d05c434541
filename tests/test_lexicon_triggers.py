"""The lexicon's trigger search (rules/lexicon.py): a trie of the literal triggers, the same hits as their alternation."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from syndetect.pipeline import rules
from syndetect.rules.lexicon import _trigger_search, literal_union

FRAGMENTS = ["wire", "wir", "w", "ire", "agency", "age", "ag", "syndicat", "syndicated", " by", "edited by", "a.b",
             "(x)", "cookie", "cookies", "é", "ß", "-", " "]


def _alternation(words):
    return "|".join(map(re.escape, sorted(set(words), key=lambda t: (-len(t), t))))


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS).filter(str.strip), min_size=1, max_size=8),
       st.lists(st.sampled_from(FRAGMENTS + ["x", "y", "z"]), max_size=20).map("".join))
def test_trie_finds_what_the_alternation_finds(words, text):
    assert re.findall(literal_union(words), text) == re.findall(_alternation(words), text)


def test_the_built_in_tiers_find_the_same_triggers_in_lexicon_lines():
    lexicon = rules.load_rules(()).lexicon
    triggers = sorted({t for r in lexicon.rules for t in r.requires})
    lines = [e.lower() for r in lexicon.rules for e in (*r.examples, *r.not_examples)]
    lines += [" ".join(lines[i : i + 3]) for i in range(0, len(lines), 3)]
    assert len(triggers) > 20 and len(lines) > 50
    for words in (triggers, triggers[::3], triggers[1::2]):
        trie, alternation = re.compile(literal_union(words)), re.compile(_alternation(words))
        for line in lines:
            assert trie.findall(line) == alternation.findall(line), line


def test_a_very_long_trigger_falls_back_to_the_alternation():
    words = ["x" * 300, "ab"]
    assert literal_union(words) == _alternation(words)


def _compiled_hits():
    from syndetect.core.hot import HOT

    if HOT is None:
        import pytest

        pytest.skip("the compiled hot path is not built")
    return HOT.trigger_hits


def _longest_first(words):
    return tuple(sorted(set(words), key=lambda t: (-len(t), t)))


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS).filter(str.strip), min_size=1, max_size=8),
       st.lists(st.sampled_from(FRAGMENTS + ["x", "y", "z", "\u20ac", "\U0001f600"]), max_size=20).map("".join))
def test_compiled_trigger_search_finds_what_the_trie_finds(words, text):
    hits = _compiled_hits()
    assert hits(text, _longest_first(words)) == re.findall(literal_union(words), text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=4), min_size=1, max_size=6), st.text(max_size=60))
def test_compiled_trigger_search_on_arbitrary_text(words, text):
    hits = _compiled_hits()
    assert hits(text, _longest_first(words)) == re.findall(literal_union(words), text)


def test_compiled_trigger_search_on_the_built_in_tiers_and_lexicon_lines():
    hits = _compiled_hits()
    lexicon = rules.load_rules(()).lexicon
    lines = [e.lower() for r in lexicon.rules for e in (*r.examples, *r.not_examples)]
    lines += [" ".join(lines[i : i + 3]) for i in range(0, len(lines), 3)]
    checked = 0
    for i in range(len(lexicon._caps)):
        lexicon._tier(i)
        if not lexicon._triggers[i]:
            continue
        regex = _trigger_search(lexicon._triggers[i])  # the tier's trie (compiled only without the hot path)
        for line in lines:
            assert hits(line, lexicon._triggers[i]) == regex.findall(line), line
            checked += 1
    assert checked > 500


def test_compiled_trigger_search_rejects_bad_triggers():
    import pytest

    hits = _compiled_hits()
    with pytest.raises(ValueError):
        hits("abc", ("a", ""))
    with pytest.raises(ValueError):
        hits("abc", ("a", "ab"))  # not longest first
    with pytest.raises(TypeError):
        hits("abc", ["a"])


def test_a_match_on_the_callers_folding_is_the_match_on_the_text():
    """Lexicon.match(text, fold_lower(text)) (the per-document pass folds each paragraph once) finds
    what Lexicon.match(text) finds, on the rules' own lines unfolded (spaces, case) too."""
    from syndetect.core.words import fold_lower

    lexicon = rules.load_rules(()).lexicon
    lines = [e for r in lexicon.rules for e in (*r.examples, *r.not_examples)]
    lines += [f"  {e.upper()}\n" for e in lines] + [e.replace(" ", " \t ") for e in lines]
    hits = 0
    for line in lines:
        plain, folded = lexicon.match(line), lexicon.match(line, fold_lower(line))
        assert (plain and (plain[0], plain[1].group())) == (folded and (folded[0], folded[1].group())), line
        hits += plain is not None
    assert hits > 100


def test_a_lexicon_made_later_in_the_process_starts_with_the_tiers_own_prefilters():
    """Each detect task unpickles a fresh detector in the worker: a tier whose own prefilter this process
    compiled before (an earlier task's) is gated by it from the first paragraph, not by the broad one."""
    from syndetect.rules.lexicon import _OWN_PREFILTER_AFTER, _Prefilter

    first = rules.load_rules(()).lexicon
    line = "share this article"  # a 3-word line: the tier of rules capped at 3 words or more
    for _ in range(_OWN_PREFILTER_AFTER):
        first.match(line)
    i = [j for j, t in enumerate(first._tiers) if t is not None][0]
    own = first._tiers[i][3]
    assert isinstance(own, _Prefilter) and own is not first._all_merged
    later = rules.load_rules(()).lexicon
    found = later.match(line)
    assert found is not None and found[0].name == first.match(line)[0].name
    assert later._tiers[i][3] is own and later._all_merged is None
