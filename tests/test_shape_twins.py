"""The shape rules' cheaper forms (rules/shape.py) tell what the plain searches they stand for tell."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from syndetect.rules import shape

# the characters the patterns care about, and some they do not, mixed into random text
PIECES = [".", "!", "?", "…", '"', "'", "”", "’", ")", "]", "(", "\n", " ", "\t", "-", "_", "1", "²", "a", "B",
          "é", "Ǆ", "ǅ", "ß", "word", "Word", "x.y", "don’t", "\u3000", "\u200b"]
TEXT = st.one_of(st.lists(st.sampled_from(PIECES), max_size=40).map("".join),
                 st.text(alphabet=st.characters(codec=None), max_size=60))
SETTINGS = settings(max_examples=800, deadline=None)

_WORD = re.compile(r"[^\W\d_][\w'’.-]*")  # the words is_prose and is_title_like count


@SETTINGS
@given(TEXT)
def test_ends_sentence_is_the_prose_end_search(text):
    assert shape.ends_sentence(text) is bool(shape._PROSE_END.search(text))
    assert shape.ends_sentence(text.strip()) is bool(shape._PROSE_END.search(text.strip()))


@SETTINGS
@given(TEXT)
def test_long_word_initials_are_the_first_letters_of_the_long_words(text):
    assert shape._LONG_WORD_INITIAL.findall(text) == [w[0] for w in _WORD.findall(text) if len(w) > 3]


def _is_prose_plain(text: str, params: shape.ShapeParams) -> bool:
    n = len(text.split())
    if n >= params.prose_long_words:
        return True
    if n < params.prose_min_words or not shape._PROSE_END.search(text.strip()):
        return False
    alpha = [w for w in _WORD.findall(text) if len(w) > 3]
    return bool(alpha) and sum(1 for w in alpha if w[0].isupper()) < params.headline_capitalised_share * len(alpha)


def _is_title_like_plain(text: str, params: shape.ShapeParams) -> bool:
    stripped = text.strip()
    if shape._PROSE_END.search(stripped) or shape.table_cells(stripped):
        return False
    alpha = [w for w in _WORD.findall(stripped) if len(w) > 3]
    if len(stripped.split()) <= 2 or not alpha:
        return True
    return sum(1 for w in alpha if w[0].isupper()) >= params.headline_capitalised_share * len(alpha)


WORDS = st.lists(st.sampled_from(["The", "the", "Market", "market", "rose", "ROSE", "at", "3", "of", "Élan", "ǅemal",
                                  "U.S.", "don’t", "|", "12", "-", "and", "Said"]), max_size=40)
ENDS = st.sampled_from(["", ".", "!", "?”", ".)", ":", " |", "\n", "…’"])


@SETTINGS
@given(WORDS, ENDS, st.floats(0, 1), st.integers(0, 20), st.integers(0, 40))
def test_is_prose_and_is_title_like_tell_what_the_plain_forms_tell(words, end, share, min_words, long_words):
    params = shape.ShapeParams(headline_capitalised_share=share, prose_min_words=min_words, prose_long_words=long_words)
    text = " ".join(words) + end
    assert shape.is_prose.__wrapped__(text, params) == _is_prose_plain(text, params)
    assert shape.is_title_like.__wrapped__(text, params) == _is_title_like_plain(text, params)


@SETTINGS
@given(TEXT, st.sampled_from(["", "|", "•", "·", "»", "\u2022", "¦", "‣", "◦"]))
def test_has_nav_mark_is_the_nav_chars_search(text, mark):
    text = text + mark + text
    assert shape.has_nav_mark(text) is bool(shape._NAV_CHARS.search(text))
