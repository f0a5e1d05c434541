"""The optional compiled hot path (:mod:`syndetect.core._hot`, built from ``_hot.c`` at install).

``pip install .`` / ``pip install -e .`` compiles ``syndetect/core/_hot.c``
(plain CPython C API) with the machine's C compiler; where none is available
the install goes on without it. :data:`HOT` is the module, or ``None`` when it
is not built, was built from an older ``_hot.c`` (lacks one of its functions:
``pip install -e .`` again) or ``SYNDETECT_PURE=1`` is set: then every caller uses its
pure-Python/numpy reference, which stays the readable algorithm
(:func:`syndetect.core.minhash.signatures`, :func:`syndetect.core.minhash.band_keys`,
:func:`syndetect.core.verify._runs_reference`, :func:`syndetect.core.verify.align`; the word counts of :mod:`syndetect.core.words`; the title case of :func:`syndetect.rules.shape.long_word_case_reference`; the tokeniser, paragraph split and
unit cutting of :mod:`syndetect.core.text` and :func:`syndetect.core.units.unit_ranges`; the repeated
LSH keys of :func:`syndetect.core.candidates.repeated`).
Both paths give bit-identical results (``tests/test_hot.py``).
"""

from __future__ import annotations

import os
from types import ModuleType

__all__ = ["HOT", "compiled"]


def _load() -> ModuleType | None:
    if os.environ.get("SYNDETECT_PURE", "") not in ("", "0"):
        return None
    try:
        from syndetect.core import _hot  # type: ignore[attr-defined]  # the compiled extension
    except ImportError:
        return None
    if not all(hasattr(_hot, name) for name in _FUNCTIONS):  # built from an older _hot.c: not rebuilt since
        return None
    return _hot


_FUNCTIONS = ("signatures", "band_keys", "runs", "align_pairs", "configure", "scan", "map_units", "split_paragraphs",
              "word_count", "fold_words", "trigger_hits", "token_columns", "repeated", "long_word_case")


HOT: ModuleType | None = _load()


def compiled() -> bool:
    """Whether the compiled hot path is in use."""
    return HOT is not None
