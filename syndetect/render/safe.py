"""The one place where input text is made safe for a terminal or Markdown.

Every piece of input (article text, ids, titles, outlets, URLs, reasons) that
the text and Markdown renderers show goes through :func:`terminal_safe`
(and from there into rich :class:`~rich.text.Text` objects, never into
console markup), so hardening it here hardens every renderer.
"""

from __future__ import annotations

import re

from rich.text import Text

__all__ = ["terminal_safe", "safe_text"]

# C0 controls except tab/newline, DEL, C1 controls (ESC-less CSI 0x9b included),
# bidirectional overrides and isolates (Trojan-source style reordering), and lone
# surrogates (a JSON input can hold them; no terminal encoding can write them).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def terminal_safe(value: object) -> str:
    """``value`` as a string with no control characters a terminal would act on."""
    s = "" if value is None else str(value)
    return _UNSAFE.sub("\ufffd", s)


def safe_text(value: object, style: str | None = None) -> Text:
    """Input text as a rich ``Text`` (no markup is interpreted)."""
    return Text(terminal_safe(value), style=style or "")
