"""Word counts and whitespace folding, the way the rules use ``str.split()``.

The boilerplate rules ask the same two things of a paragraph again and again:
how many whitespace-separated words it has (``len(text.split())``) and its
words joined by single spaces (``" ".join(text.split())``). These functions
are that reference, readable; with the compiled hot path
(:mod:`syndetect.core.hot`) the same results come without building the list
of words (``str.split()``'s whitespace is ``Py_UNICODE_ISSPACE``, which the C
code tests too; ``tests/test_hot.py`` checks both paths code point by code point).
"""

from __future__ import annotations

from syndetect.core.hot import HOT

__all__ = ["word_count", "fold_words", "fold_lower", "word_count_reference", "fold_words_reference"]


def word_count_reference(text: str) -> int:
    """``len(text.split())``."""
    return len(text.split())


def fold_words_reference(text: str) -> tuple[int, str]:
    """``(len(words), " ".join(words))`` of ``words = text.split()``."""
    words = text.split()
    return len(words), " ".join(words)


word_count = HOT.word_count if HOT is not None else word_count_reference
fold_words = HOT.fold_words if HOT is not None else fold_words_reference


def fold_lower(text: str) -> tuple[int, str, str]:
    """:func:`fold_words` and the folded text in lower case: what the lexicon (:meth:`Lexicon.match
    <syndetect.rules.lexicon.Lexicon.match>`) and the template keys both ask of a paragraph, so the
    per-document pass folds each paragraph once for both."""
    n, flat = fold_words(text)
    return n, flat, flat.lower()
