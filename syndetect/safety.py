"""Input text made safe to show: terminals, rich consoles, Markdown, JSON.

Article text, ids, titles, outlets and file names are data. Nothing from input
may drive a terminal (escape sequences, bidi overrides), rich (markup such as
``[link=file:///etc/passwd]``, ``[/]``, ``:emoji:`` codes) or a Markdown
renderer (pipes and newlines breaking tables, raw HTML, links). Every place
that shows input to a person goes through one of these functions; JSON keeps
the original text (only lone surrogates are written as ``\\udc80`` escapes, so
the output is always valid UTF-8).

* :func:`for_terminal` — the one terminal-safe form of a string: every C0/C1
  control character, DEL, bidi control, line separator, Unicode tag character
  and lone surrogate is shown as a visible escape (``\\x1b``, ``\\u202e``), so
  an ESC sequence is printed as harmless text and nothing is lost.
* :func:`text` — a :class:`rich.text.Text` of :func:`for_terminal` (no markup,
  no emoji codes are interpreted in a ``Text``).
* :func:`markup` — :func:`for_terminal` with rich markup escaped, for the rare
  place that must build a markup string.
* :func:`markdown` — :func:`for_terminal` on one line with Markdown's active
  characters backslash-escaped (tables, HTML, links, emphasis, code spans).
* :func:`escape_surrogates` — serialised JSON (or any output) with lone
  surrogates escaped, so it encodes as UTF-8 and means the same.
"""

from __future__ import annotations

import re

from rich.markup import escape as _rich_escape
from rich.text import Text

__all__ = ["for_terminal", "text", "markup", "markdown", "escape_surrogates", "UNSAFE"]

# Characters that can move the cursor, change the terminal's state, reorder
# what is displayed, start a new line where one line is expected, or are not
# valid Unicode scalar values (lone surrogates).
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 except TAB and LF, DEL, C1 (incl. 8-bit CSI U+009B)
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_SEPARATORS = "\u2028\u2029"
_TAGS = "\U000e0000-\U000e007f"  # invisible "ASCII smuggling" tag characters
_SURROGATES = "\ud800-\udfff"
UNSAFE = re.compile(f"[{_CONTROLS}{_BIDI}{_SEPARATORS}{_TAGS}{_SURROGATES}]")
_UNSAFE_ONE_LINE = re.compile(f"[\t\n{_CONTROLS}{_BIDI}{_SEPARATORS}{_TAGS}{_SURROGATES}]")
_SURROGATE = re.compile(f"[{_SURROGATES}]")


def _visible(match: re.Match) -> str:
    code = ord(match.group())
    if code == 0x0A:
        return "\\n"
    if code == 0x09:
        return "\\t"
    if code == 0x0D:
        return "\\r"
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def for_terminal(value: object, *, one_line: bool = True) -> str:
    """``value`` as text that cannot control a terminal.

    Control characters, ESC (and so every escape sequence), C1 controls, bidi
    overrides and isolates, line/paragraph separators, tag characters and lone
    surrogates become visible escapes (``\\x1b``). ``one_line`` (the default)
    also escapes newlines and tabs, so a value cannot break a ``file:line:
    reason`` line or a table row; ``one_line=False`` keeps ``\\n`` and ``\\t``
    (article text shown as paragraphs) and turns CRLF into LF.
    """
    s = value if isinstance(value, str) else str(value)
    if one_line:
        return _UNSAFE_ONE_LINE.sub(_visible, s)
    return UNSAFE.sub(_visible, s.replace("\r\n", "\n"))


def text(value: object, style: str | None = None, *, one_line: bool = True) -> Text:
    """A rich ``Text`` of :func:`for_terminal` — never parsed as markup or emoji codes."""
    return Text(for_terminal(value, one_line=one_line), style=style or "")


def markup(value: object, *, one_line: bool = True) -> str:
    """:func:`for_terminal`, then rich markup escaped: safe inside a markup string."""
    return _rich_escape(for_terminal(value, one_line=one_line))


# Markdown's active characters (CommonMark lets any ASCII punctuation be
# backslash-escaped): emphasis, code spans, links and images, raw HTML and
# entities, table cells, strikethrough, headings.
_MD_ACTIVE = re.compile(r"([\\`*_\[\]{}()<>|~&#!])")
_MD_SCHEME = re.compile(r"\b(javascript|vbscript|data|file)(\s*):", re.IGNORECASE)


def markdown(value: object) -> str:
    """``value`` as inert Markdown text on one line (safe in a table cell or list item).

    Newlines and controls are escaped (:func:`for_terminal`), Markdown's
    active characters are backslash-escaped — so ``|`` cannot end a table
    cell, ``<script>`` is text, ``[x](javascript:…)`` is not a link — and the
    colon of a ``javascript:``/``data:``/``file:`` scheme is escaped too.
    """
    s = _MD_ACTIVE.sub(r"\\\1", for_terminal(value))
    return _MD_SCHEME.sub(lambda m: f"{m.group(1)}{m.group(2)}\\:", s)


def escape_surrogates(s: str) -> str:
    """``s`` with every lone surrogate written as a ``\\udXXX`` escape: always valid UTF-8.

    ``json.dumps(..., ensure_ascii=False)`` copies a lone surrogate (from a
    ``"\\udc80"`` escape in the input) into its output as is, which cannot
    be encoded as UTF-8. Inside a JSON string the escape decodes back to the
    same value, so serialised JSON passed through this means the same and is
    valid UTF-8; in text it shows where the bad code point was.
    """
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", s)
