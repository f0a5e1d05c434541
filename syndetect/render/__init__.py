"""Renderers of a report, one module per format: JSON (the stable contract),
rich text, Markdown, HTML, CSV/Parquet; shared figures in ``figures``.

Rendering never computes findings; every format shows the same facts from
one :class:`~syndetect.model.Report`.
"""

from syndetect.render.csv import write_csv  # noqa: F401
from syndetect.render.figures import OutletFigure, outlet_figures  # noqa: F401
from syndetect.render.html import render_html  # noqa: F401
from syndetect.render.json import SCHEMA_VERSION, render_json, report_to_dict  # noqa: F401
from syndetect.render.markdown import render_markdown  # noqa: F401
from syndetect.render.text import render_text  # noqa: F401

__all__ = [
    "report_to_dict", "render_json", "render_text", "render_markdown", "render_html", "write_csv",
    "outlet_figures", "OutletFigure", "SCHEMA_VERSION",
]
