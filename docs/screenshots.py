#!/usr/bin/env python3
"""Regenerate the README's screenshots from the seeds (needs chromium):

    python docs/screenshots.py

docs/html-report.png: the HTML report (``syndetect scan fixtures/seeds -o r.html``)
in headless Chromium; docs/terminal-report.png: the terminal report at 100
columns (rich's SVG export, rasterised by Chromium).
"""

from __future__ import annotations

import io
import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from _browser import screenshot  # noqa: E402


def main() -> int:
    from rich.console import Console

    from syndetect import Params, read_inputs, scan
    from syndetect.render.html import html_bytes
    from syndetect.render.text import render_text

    os.chdir(ROOT)
    report = scan(read_inputs(["fixtures/seeds"]), Params(), workers=1)
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "report.html"
        page.write_bytes(html_bytes(report))
        screenshot(page, ROOT / "docs" / "html-report.png", width=1400, height=1900)

        console = Console(record=True, width=100, file=io.StringIO(), force_terminal=True, color_system="truecolor")
        render_text(report, console, top=3)
        svg = console.export_svg(title="syndetect scan fixtures/seeds --top 3")
        w, h = (int(float(x)) for x in re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg).groups())
        svg_path = Path(tmp) / "terminal.svg"
        svg_path.write_text(svg, encoding="utf-8")
        wrapper = Path(tmp) / "terminal.html"
        wrapper.write_text(f'<!DOCTYPE html><html><body style="margin:0;background:#fff">'
                           f'<img src="terminal.svg" width="{w}" height="{h}"></body></html>', encoding="utf-8")
        screenshot(wrapper, ROOT / "docs" / "terminal-report.png", width=w, height=min(h, 2600))
    print("wrote docs/html-report.png, docs/terminal-report.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
