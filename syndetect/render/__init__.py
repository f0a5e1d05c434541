"""Renderers of a report: JSON, rich text, markdown."""

from syndetect.render.report import SCHEMA_VERSION, render_json, render_markdown, render_text, report_to_dict  # noqa: F401

__all__ = ["report_to_dict", "render_json", "render_text", "render_markdown", "SCHEMA_VERSION"]
