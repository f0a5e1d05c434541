"""Boilerplate rules: lexicon, shape and repetition."""

from syndetect.rules.boilerplate import CATEGORIES, Boilerplate, Rule, outlet_of  # noqa: F401

__all__ = ["Rule", "Boilerplate", "CATEGORIES", "outlet_of"]
