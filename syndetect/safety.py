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
* Markdown: :func:`syndetect.render.markdown.md` and ``code`` escape
  :func:`for_terminal`'s output for Markdown (tables, HTML, links, code spans).
* :func:`escape_surrogates` — serialised JSON (or any output) with lone
  surrogates escaped, so it encodes as UTF-8 and means the same.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.text import Text  # rich is imported where it is used: a check that prints no rich text never loads it

__all__ = [
    "for_terminal", "text", "markup", "escape_surrogates", "UNSAFE",
    "GuardedPattern", "compile_lexicon_pattern", "has_article_text",
]

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
    from rich.text import Text

    return Text(for_terminal(value, one_line=one_line), style=style or "")


def markup(value: object, *, one_line: bool = True) -> str:
    """:func:`for_terminal`, then rich markup escaped: safe inside a markup string."""
    from rich.markup import escape

    return escape(for_terminal(value, one_line=one_line))


def escape_surrogates(s: str) -> str:
    """``s`` with every lone surrogate written as a ``\\udXXX`` escape: always valid UTF-8.

    ``json.dumps(..., ensure_ascii=False)`` copies a lone surrogate (from a
    ``"\\udc80"`` escape in the input) into its output as is, which cannot
    be encoded as UTF-8. Inside a JSON string the escape decodes back to the
    same value, so serialised JSON passed through this means the same and is
    valid UTF-8; in text it shows where the bad code point was.
    """
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", s)


# --- user-supplied regular expressions (lexicon rules) -----------------------
# A lexicon rule is a regular expression from a file anyone may hand to the
# command. Python's `re` backtracks without bound (`^(a+)+$` never returns on
# a long enough paragraph), so every lexicon pattern is compiled here: a user's
# with the `regex` module, searched with a timeout; the built-in lexicon's
# (reviewed and tested with the package) with `re`, as the timer costs about
# 3x the search itself. Both get the character cap.
LEXICON_MAX_CHARS = 4000  # paragraphs longer than this are never boilerplate-by-lexicon
LEXICON_TIMEOUT = 0.25  # seconds for one search; longer is a broken rule, not a slow machine


class GuardedPattern:
    """A compiled lexicon pattern whose :meth:`search` cannot hang."""

    __slots__ = ("pattern", "where", "trusted", "_compiled", "_timeout")
    _compiled: Any  # re.Pattern (built-in lexicon; None until its first search) or regex.Pattern
    _timeout: dict[str, float]

    def __init__(self, source: str, where: str, trusted: bool = False) -> None:
        from syndetect.errors import ParameterError

        if not isinstance(source, str):
            raise ParameterError(f"{where}: pattern must be a string")
        try:
            if trusted:  # reviewed and tested with the package: compiled on its first search (a check needs few)
                self._compiled = None
            else:
                import regex  # only for --lexicon rules (its import costs a `check` process ~10 ms)

                try:
                    self._compiled = regex.compile(source, regex.IGNORECASE | regex.VERSION0)
                except regex.error as exc:
                    raise re.error(str(exc)) from exc
        except (re.error, OverflowError, RecursionError, ValueError) as exc:
            raise ParameterError(f"{where}: bad pattern: {exc}") from exc
        self.pattern = source
        self.where = where
        self.trusted = trusted
        self._timeout = {} if trusted else {"timeout": LEXICON_TIMEOUT}

    def search(self, text: str):
        """The first match in ``text`` (``None`` past :data:`LEXICON_MAX_CHARS`); a rule that runs away is an error."""
        if len(text) > LEXICON_MAX_CHARS:
            return None
        if self._compiled is None:
            self._compiled = re.compile(self.pattern, re.IGNORECASE)
        try:
            return self._compiled.search(text, **self._timeout)
        except TimeoutError:
            from syndetect.errors import ParameterError

            raise ParameterError(
                f"{self.where}: pattern {self.pattern!r} took over {LEXICON_TIMEOUT:g} s on one paragraph"
                " (catastrophic backtracking, e.g. a nested quantifier like (a+)+); simplify it"
            ) from None

    def __reduce__(self):
        return (GuardedPattern, (self.pattern, self.where, self.trusted))


def compile_lexicon_pattern(source: str, where: str, *, trusted: bool = False) -> GuardedPattern:
    """The one place a lexicon rule's pattern is compiled (case-insensitive; bounded search).

    ``trusted`` only for the built-in lexicon shipped with syndetect.
    """
    return GuardedPattern(source, where, trusted)


def has_article_text(text: str) -> bool:
    """Whether ``text`` holds a letter or digit (blanks, zero-width and control characters alone are no article)."""
    import unicodedata

    return any(unicodedata.category(ch)[0] in "LN" for ch in text)
