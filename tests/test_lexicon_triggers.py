"""The lexicon's trigger search (rules/lexicon.py): a trie of the literal triggers, the same hits as their alternation."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from syndetect.pipeline import rules
from syndetect.rules.lexicon import literal_union

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
