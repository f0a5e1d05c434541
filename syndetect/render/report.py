"""Compatibility module: the renderers now live in one module per format
(:mod:`~syndetect.render.json`, :mod:`~syndetect.render.text`,
:mod:`~syndetect.render.markdown`, :mod:`~syndetect.render.html`,
:mod:`~syndetect.render.csv`) with shared figures in
:mod:`~syndetect.render.figures`."""

from syndetect.render.json import SCHEMA_VERSION, render_json, report_to_dict  # noqa: F401
from syndetect.render.markdown import render_markdown  # noqa: F401
from syndetect.render.text import render_text  # noqa: F401

__all__ = ["report_to_dict", "render_json", "render_text", "render_markdown", "SCHEMA_VERSION"]
