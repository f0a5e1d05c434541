"""Boilerplate rules: lexicon, shape and repetition, combined by the detector (boilerplate)."""

from syndetect.rules.boilerplate import Boilerplate, outlet_of  # noqa: F401
from syndetect.rules.lexicon import CATEGORIES, Lexicon, Rule  # noqa: F401
from syndetect.rules.repetition import REPETITION_RULES, RepetitionParams  # noqa: F401
from syndetect.rules.shape import SHAPE_RULES, ShapeParams  # noqa: F401

__all__ = [
    "Rule", "Lexicon", "Boilerplate", "CATEGORIES", "outlet_of", "SHAPE_RULES", "REPETITION_RULES", "ShapeParams",
    "RepetitionParams",
]
