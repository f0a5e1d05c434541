"""The template keys of the same-site repetition rule (rules/repetition.py)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from syndetect.rules.repetition import template_key


def _reference(text: str, site: str | None = None) -> str:
    """template_key as first written (kept here as the specification)."""
    key = re.sub(r"\d+", "#", " ".join(text.lower().split()))
    if site:
        name = " ".join((site.split(".")[0] if "." in site and " " not in site else site).lower().split())
        if len(name) >= 3:
            key = f" {key} ".replace(f" {name} ", " ").strip()
    return key


_WORDS = st.sampled_from(["Reuters", "reuters", "The", "İstanbul", "ǅemal", "ẞtraße", "2024", "a1b22", "\u00a0", "\u2003",
                          "\t", "\n", "example", "EXAMPLE", "ex", "news"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_WORDS, max_size=12).map(" ".join),
       st.one_of(st.none(), st.sampled_from(["reuters.com", "Example News", "ex.org", "news.example.co.uk", "ab", "İstanbul.tr"])))
def test_template_key_matches_its_reference(text, site):
    assert template_key(text, site) == _reference(text, site)


def test_template_key_folds_digits_case_spacing_and_the_site_name():
    assert template_key("Subscribe to  Example News\n2024 edition", "example.com") == "subscribe to news # edition"
