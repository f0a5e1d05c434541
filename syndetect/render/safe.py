"""The one place where input text is made safe for a terminal or Markdown.

Every piece of input (article text, ids, titles, outlets, URLs, reasons) that
the text and Markdown renderers show goes through :func:`terminal_safe`
(and from there into rich :class:`~rich.text.Text` objects, never into
console markup), so hardening it here hardens every renderer.
"""

from __future__ import annotations

from rich.text import Text

from syndetect.safety import for_terminal

__all__ = ["terminal_safe", "safe_text"]


def terminal_safe(value: object) -> str:
    """``value`` as a string with no control characters a terminal would act on.

    The project's one terminal-safe form, :func:`syndetect.safety.for_terminal`
    (C0/C1 controls, ESC sequences, bidi controls, separators, tag characters
    and lone surrogates shown as visible escapes), keeping newlines and tabs.
    """
    return for_terminal("" if value is None else value, one_line=False)


def safe_text(value: object, style: str | None = None) -> Text:
    """Input text as a rich ``Text`` (no markup is interpreted)."""
    return Text(terminal_safe(value), style=style or "")
