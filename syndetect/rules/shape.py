"""Shape rules: furniture recognised by its form, not its words.

Each rule has a stable id; thresholds come from the ``[shape]`` table of
``data/boilerplate.toml`` (:class:`ShapeParams`).

* ``shape/link-list`` — pipe/bullet-separated lists of short items;
* ``shape/related-link`` — the short title-like lines under a "Related" header;
* ``shape/repeated-headline`` — the headline repeated inside the body;
* ``shape/site-name`` — the site's own name standing alone;
* ``shape/comment-thread`` — the comments (and their time stamps) between the
  author lines of a comment thread (a lexicon rule with ``thread = true``);
* ``shape/outside-body`` — runs of short non-prose lines (menus, headline
  lists, tags, share bars, date stamps) before or after the article body,
  found as the densest run of prose paragraphs (:func:`body_core`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any

from syndetect.core.hot import HOT
from syndetect.core.words import fold_words, word_count
from syndetect.errors import ParameterError

__all__ = ["ShapeParams", "SHAPE_RULES", "link_list_items", "is_link_title"]

SHAPE_RULES = {
    "shape/link-list": "navigation",
    "shape/related-link": "related",
    "shape/repeated-headline": "repeated-headline",
    "shape/site-name": "byline",
    "shape/outside-body": "navigation",
    "shape/comment-thread": "comments",
}

_WS = re.compile(r"\s+")
_NAV_SPLIT = re.compile(r"\s*(?:\||•|·|»|\u2022)\s*")
_NAV_CHARS = re.compile(r"[|•·»\u2022]")  # what has_nav_mark tells, by a search


def has_nav_mark(text: str) -> bool:
    """``_NAV_CHARS.search(text)``: a pipe or bullet (four substring tests, cheaper than the search)."""
    return "|" in text or "•" in text or "·" in text or "»" in text
_DIGIT = re.compile(r"\d")
_DIGITS = re.compile(r"\d+")
_ALNUM = re.compile(r"[^\W_]")
_SENTENCE_END = re.compile(r"[.!?][\"'”’)]*$")


@dataclass(frozen=True)
class ShapeParams:
    headline_min_words: int = 4  # a one-word "headline" is a menu item, not a title
    headline_word_slack: int = 3
    link_list_min_items: int = 3
    link_list_max_item_words: int = 4
    related_max_links: int = 12
    link_title_max_words: int = 25  # a line of the header's own block
    link_title_max_words_strict: int = 14  # a separate paragraph
    link_title_punctuated_max_words: int = 6
    prose_min_words: int = 12  # shorter lines are never prose
    prose_long_words: int = 35  # longer paragraphs are prose whatever their ending
    headline_capitalised_share: float = 0.6  # a title-cased line is a headline, not a sentence
    core_gap_penalty: float = 6.0  # weight of a title-like paragraph inside the body (plus half its words)
    core_content_penalty: float = 1.0  # weight of another non-prose paragraph (a list item, a caption)
    core_min_words: int = 60  # less prose than this: no body to tell
    outside_max_words: int = 25  # longer non-prose paragraphs are left alone
    outside_min_run: int = 2  # consecutive furniture lines
    outside_min_lines: int = 6  # a page needs this many to have furniture around its body
    outside_min_header: int = 3  # ... of which this many above it (a page's navigation; an article has none)
    outside_title_share: float = 0.7  # a run is furniture when this share of it is title-like or flagged
    outside_title_share_far: float = 0.5  # ... when it starts further than article_list_max_gap lines after the body
    outside_long_run: int = 15  # a run this long (a page's tail, a menu; an article's own list is shorter) ...
    outside_title_share_long: float = 0.65  # ... is furniture at this share
    outside_unpunctuated_share: float = 0.9  # a long run far after the body: this share of lines without a sentence end
    article_list_max_gap: int = 3  # a list the article goes on with starts at most this far after the body
    article_list_min_items: int = 3  # list items just after the body that the article goes on with
    article_sentence_min_words: int = 4  # a short sentence just after the body goes on with it
    article_heading_max_words: int = 8  # a heading between such lines
    article_list_intro_min_words: int = 3  # a list introduced by a colon line this long ("Topics:" is a tag label)
    comment_thread_min_authors: int = 3  # comment author lines ("jdoe says:") that make a comment thread
    comment_max_lines: int = 8  # lines of one comment under its author line
    core_repeat_min: int = 2  # a line recurring this often inside the body core is the article's own element
    core_repeat_gap: int = 12  # ... and the body goes on to its recurrences at most this many lines apart
    article_repeat_share: int = 4  # a run after the body one line in this many of which repeats the article's lines is the article's

    def __post_init__(self) -> None:
        # the shape tests are cached on (text, params): hash the settings once, not per call
        object.__setattr__(self, "_hash", hash(tuple(getattr(self, f.name) for f in fields(self))))

    def __hash__(self) -> int:
        return self._hash  # type: ignore[attr-defined]

    @classmethod
    def from_data(cls, data: dict[str, Any], origin: str) -> ShapeParams:
        return params_from(cls, data.get("shape", {}), f"{origin}: [shape]")


def params_from(cls, table: Any, where: str):
    if not isinstance(table, dict):
        raise ParameterError(f"{where}: must be a table")
    known = {f.name: f for f in fields(cls)}
    values = {}
    for key, value in table.items():
        if key not in known:
            raise ParameterError(f"{where}: unknown setting {key!r}")
        default = known[key].default
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (
            isinstance(default, int) and not isinstance(value, int)
        ):
            raise ParameterError(f"{where}: {key} must be a {type(default).__name__}")
        if value < 0:
            raise ParameterError(f"{where}: {key} must not be negative")
        values[key] = value
    return cls(**values)


def table_cells(text: str) -> int:
    """The number of cells when ``text`` is a table row of numbers (most cells hold digits), else 0."""
    if "|" not in text:
        return 0
    parts = [s for s in _NAV_SPLIT.split(_WS.sub(" ", text).strip()) if s]
    return len(parts) if len(parts) >= 2 and 2 * sum(1 for s in parts if _DIGIT.search(s)) >= len(parts) else 0


def link_list_items(text: str, params: ShapeParams, next_text: str | None = None) -> int:
    """The number of items when ``text`` is a list of short links separated by | or bullets, else 0."""
    if not has_nav_mark(text):
        return 0
    parts = [s for s in _NAV_SPLIT.split(_WS.sub(" ", text).strip()) if s]
    if len(parts) >= params.link_list_min_items and all(word_count(s) <= params.link_list_max_item_words for s in parts):
        if table_cells(text) or (next_text is not None and table_cells(next_text) == len(parts)):
            return 0  # a table row (or the header of one) of the article, not a list of links
        return len(parts)
    return 0


def is_link_title(text: str, params: ShapeParams, strict: bool = False) -> bool:
    """A short title-like line (as in a related-links block).

    ``strict`` (a separate paragraph, not a line of the header's block): at
    most ``link_title_max_words_strict`` words and no sentence-final punctuation.
    """
    n = word_count(text)
    cap = params.link_title_max_words_strict if strict else params.link_title_max_words
    if not n or n > cap or "\n" in text.strip():
        return False
    if _SENTENCE_END.search(text.strip()) and (strict or n > params.link_title_punctuated_max_words):
        return False
    return True


# -- page position: the article body and what lies around it ----------------
# the first letter of each word (a letter, then letters, digits, apostrophes, dots, hyphens) of more than
# three characters: what ``[w[0] for w in re.findall(r"[^\W\d_][\w'’.-]*", text) if len(w) > 3]`` gives
_LONG_WORD_INITIAL = re.compile(r"([^\W\d_])[\w'’.-]{3,}")
_PROSE_END = re.compile(r"[.!?…][\"'”’)\]]*$")  # what ends_sentence tells, by a search
_CLOSERS = "\"'”’)]"
_SENTENCE_ENDS = (".", "!", "?", "…")


def ends_sentence(text: str) -> bool:
    """``_PROSE_END.search(text)``: a sentence end, then only closing quotes and brackets (``$``
    matches before a final newline too), read from the end instead of a search from every full stop."""
    if text.endswith("\n"):
        text = text[:-1]
    return text.rstrip(_CLOSERS).endswith(_SENTENCE_ENDS)


def long_word_case_reference(text: str) -> tuple[int, int]:
    """The words of more than three characters (:data:`_LONG_WORD_INITIAL`) of ``text``, and how
    many of them start upper case (``_hot.long_word_case`` gives the same without the list)."""
    initials = _LONG_WORD_INITIAL.findall(text)
    return len(initials), sum(map(str.isupper, initials))


long_word_case = HOT.long_word_case if HOT is not None else long_word_case_reference


def _capitalised(words: int, upper: int, params: ShapeParams) -> bool:
    """Title-cased: this share of the long words (:func:`long_word_case`) start upper case."""
    return upper >= params.headline_capitalised_share * words


@lru_cache(maxsize=1 << 17)
def is_prose(text: str, params: ShapeParams) -> bool:
    """A sentence-shaped paragraph: long enough, ends like a sentence, not a title-cased headline."""
    n = word_count(text)
    if n >= params.prose_long_words:
        return True
    if n < params.prose_min_words or not ends_sentence(text.strip()):
        return False
    words, upper = long_word_case(text)
    return words > 0 and not _capitalised(words, upper, params)


@lru_cache(maxsize=1 << 17)
def is_title_like(text: str, params: ShapeParams) -> bool:
    """A menu item or headline: no sentence ending, and title-cased or at most two words."""
    stripped = text.strip()
    if ends_sentence(stripped) or table_cells(stripped):
        return False
    if word_count(stripped) <= 2:
        return True
    words, upper = long_word_case(stripped)
    return not words or _capitalised(words, upper, params)


def body_core(
    texts: Sequence[str], skip: Sequence[bool], params: ShapeParams, rows: frozenset[int] | set[int] = frozenset(),
    words: Sequence[int] | None = None,
) -> tuple[int, int] | None:
    """The densest run of prose paragraphs (0-based, inclusive): the article body of a page.

    Prose paragraphs weigh their word count, other paragraphs a penalty
    (``core_gap_penalty`` plus half their words); the core is the run of
    greatest total weight (Kadane). ``None`` when the page holds too little
    prose to tell a body (``core_min_words``). ``rows``: lines of a table of the
    article (:func:`table_rows`), content however title-like its header. ``words``: the texts'
    word counts, when the caller has them.
    """
    if words is None:
        words = [word_count(t) for t in texts]
    best, best_lo, best_hi = 0.0, -1, -1
    run, lo = 0.0, 0
    prose_words = 0
    prose = [not sk and is_prose(t, params) for t, sk in zip(texts, skip)]
    # furniture-like: flagged, or title-like; a title-like line alone between content lines is a
    # heading of the article, runs of them are navigation
    heavy = [sk or (not pr and i not in rows and is_title_like(t, params))
             for i, (t, sk, pr) in enumerate(zip(texts, skip, prose))]
    for i, (text, sk, n) in enumerate(zip(texts, skip, words)):
        if not _ALNUM.search(text):  # an empty line (zero-width spaces, rules): neutral
            continue
        in_run = heavy[i] and ((i > 0 and heavy[i - 1]) or (i + 1 < len(texts) and heavy[i + 1]))
        # a non-prose line between two furniture-like ones (a teaser under its headline, above
        # its time stamp) is part of that furniture, not a caption of the article
        in_run = in_run or (not prose[i] and 0 < i < len(texts) - 1 and heavy[i - 1] and heavy[i + 1])
        if prose[i]:
            w = float(n)
            prose_words += n
        elif not in_run and not sk:
            w = -params.core_content_penalty  # a list item, caption or heading of the article
        else:
            w = -(params.core_gap_penalty + 0.5 * n)
        if run <= 0:
            run, lo = w, i
        else:
            run += w
        if run > best:
            best, best_lo, best_hi = run, lo, i
    if best_lo < 0 or best < params.core_min_words:
        return None
    return best_lo, best_hi


def looks_like_page(texts: Sequence[str], params: ShapeParams, words: Sequence[int] | None = None) -> bool:
    """A cheap test: a whole page (not a clean article) has enough short lines that are not sentences.
    ``words``: the texts' word counts, when the caller has them."""
    short = 0
    for i, t in enumerate(texts):
        if (word_count(t) if words is None else words[i]) <= params.outside_max_words and not ends_sentence(t.rstrip()):
            short += 1
            if short >= params.outside_min_lines:
                return True
    return False


def outside_body(
    texts: Sequence[str], skip: Sequence[bool], params: ShapeParams,
    span: tuple[int, int] | None | bool = False, words: Sequence[int] | None = None,
) -> list[tuple[int, str]]:
    """``shape/outside-body``: title-like lines (menu items, headlines) in runs before or after the body.

    Returns ``(index, side)`` with side ``"before"`` or ``"after"``. Only
    pages with furniture around the body qualify: at least
    ``outside_min_lines`` such lines in all, each in a run of at least
    ``outside_min_run`` consecutive ones (so the headline, a byline or a
    dateline of a clean article are never flagged). ``span``: the page's
    :func:`body_span` when the caller has it (``False``: computed here); ``words``: the texts'
    word counts, when the caller has them.
    """
    if not looks_like_page(texts, params, words):
        return []
    if span is False:
        span = body_span(texts, skip, params, words)
    if span is None or span is True:
        return []
    lo, hi = span
    candidates: list[tuple[int, str]] = []
    # lines of the article's own (the body's, and the runs after it judged the article's): a run
    # after the body that repeats them (the next product box, the next caption) goes on with it
    in_body = Counter(_line_key(texts[j]) for j in range(lo, hi + 1) if not skip[j] and not is_prose(texts[j], params))
    article_keys = {k for k, n in in_body.items() if n >= params.core_repeat_min}
    for side, idx in (("before", range(0, lo)), ("after", range(hi + 1, len(texts)))):
        run: list[int] = []
        for i in list(idx) + [-1]:
            if i >= 0 and not _ALNUM.search(texts[i]):
                continue  # empty lines neither break nor make a run
            ok = i >= 0 and (skip[i] or (
                (word_count(texts[i]) if words is None else words[i]) <= params.outside_max_words
                and not is_prose(texts[i], params)
            ))
            if ok:
                run.append(i)
                continue
            if side == "after":
                cut = _article_list_prefix(texts, skip, hi, run, params)
                article_keys.update(_line_key(texts[j]) for j in run[:cut] if not skip[j])
                run = run[cut:]
            lines = [j for j in run if not skip[j]]
            keys = [_line_key(texts[j]) for j in lines] if side == "after" else []
            repeats = [k for k in keys if k in article_keys]
            if len(set(repeats)) >= params.core_repeat_min and len(repeats) * params.article_repeat_share >= len(run):
                article_keys.update(keys)  # the article goes on: its repeated elements again
                run = []
                continue
            furniture_like = sum(1 for j in run if skip[j] or is_title_like(texts[j], params))
            if side == "after" and run and run[0] - hi > params.article_list_max_gap:
                share = params.outside_title_share_far
            elif len(run) >= params.outside_long_run:
                share = params.outside_title_share_long
            else:
                share = params.outside_title_share
            if side == "after" and len(run) >= params.outside_long_run and run[0] - hi > params.article_list_max_gap:
                # a long list far after the body whose lines end no sentence (sentence-case headlines)
                unpunctuated = sum(1 for j in run if skip[j] or not ends_sentence(texts[j].strip()))
                if unpunctuated >= params.outside_unpunctuated_share * len(run):
                    furniture_like = max(furniture_like, unpunctuated)
            if (
                len(run) >= params.outside_min_run
                and furniture_like >= share * len(run)
                and not (side == "after" and _article_list(
                    texts, hi, run, params,
                    # a long run of title-like lines is a menu, whatever colon line heads it
                    colon=len(run) < params.outside_long_run or furniture_like < params.outside_title_share * len(run)))
            ):
                candidates.extend((j, side) for j in lines)
            elif side == "after":
                article_keys.update(keys)
            run = []
    # only a whole page qualifies: furniture around the body, a navigation header above it
    if len(candidates) < params.outside_min_lines or sum(1 for _, side in candidates if side == "before") < params.outside_min_header:
        return []
    return candidates


_LIST_ITEM = re.compile(r"^\s*(?:\d{1,3}[.)]\s|\d{1,3}(?:st|nd|rd|th|a|o|º|ª)?[.):]?\s+\w+:\s|[-*•·–]\s|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b|\$\d)", re.I)


# the signature line of an embedded social post: "— Rep. Jane Doe (@janedoe) November 19, 2019"
_EMBED_SIGNATURE = re.compile(r"^\s*[—–-]\s*\S.{0,80}\(@\w{1,30}\)\s+\w+\.?\s+\d{1,2},\s+\d{4}\s*$")


_MARKS = re.compile(r"[^\w\s]")
# marks of one line split into many (a tag list "MacBook Pro," "Mac,"; a breadcrumb), not of list items
_SEPARATORS = ",;|/"


def list_skeleton(text: str) -> str:
    """The marks of a list item's line, words and digits aside ("Spain (Group F): 11th
    appearance" → ``():``); ``""`` for a line without marks (a menu item) — lines of one list
    share it."""
    return "".join(_MARKS.findall(text))


def _article_list_prefix(
    texts: Sequence[str], skip: Sequence[bool], last: int, run: Sequence[int], params: ShapeParams
) -> int:
    """How many lines at the head of a run just after the body are a list the article goes on
    with (tour dates, a schedule, numbered points, embedded posts, a list of uniform items —
    :func:`list_skeleton` the same in ``article_list_min_items`` lines in a row): an optional heading,
    then at least ``article_list_min_items`` consecutive list-item lines, up to the first flagged line.
    The rest of the run is judged on its own (the furniture after such a list stays furniture)."""
    if not run or run[0] - last > params.article_list_max_gap:
        return 0
    # a list of uniform items: at least article_list_min_items lines in a row with the same marks
    # ("England (Group A): 10th appearance", "Spain (Group F): 11th appearance"; "%250 votes")
    marks = [list_skeleton(texts[i]) if not skip[i] else "" for i in run]
    uniform = [False] * len(run)
    start = 0
    for end in range(1, len(run) + 1):
        if end == len(run) or marks[end] != marks[start]:
            if marks[start].strip(_SEPARATORS) and end - start >= params.article_list_min_items:
                uniform[start:end] = [True] * (end - start)
            start = end

    def kind(j: int) -> str:
        t = texts[run[j]]
        if skip[run[j]]:
            return "flagged"
        if _EMBED_SIGNATURE.match(t) or (j + 1 < len(run) and _EMBED_SIGNATURE.match(texts[run[j + 1]])):
            return "sentence"  # an embedded post: its text, then "— Name (@handle) date"
        if _LIST_ITEM.match(t) or uniform[j]:
            return "item"
        if ends_sentence(t.rstrip()) and word_count(t) >= params.article_sentence_min_words:
            return "sentence"
        return "heading" if word_count(t) <= params.article_heading_max_words else "other"

    n = items = sentences = 0
    while n < len(run):
        k = kind(n)
        if k == "heading" and n + 1 < len(run) and kind(n + 1) in ("item", "sentence"):
            n += 1  # a heading counts only when more of the article follows it at once
            continue
        if k not in ("item", "sentence"):
            break
        items += 1
        sentences += k == "sentence"
        n += 1
    return n if sentences or items >= params.article_list_min_items else 0


def _article_list(texts: Sequence[str], last: int, run: Sequence[int], params: ShapeParams, colon: bool = True) -> bool:
    """A list the article itself goes on with, just after its body (at most two lines between):
    introduced by a colon (when ``colon``), or made of numbered/dated items."""
    if run[0] - last > params.article_list_max_gap:
        return False
    if colon and any(texts[j].rstrip().endswith(":") and word_count(texts[j]) >= params.article_list_intro_min_words
           for j in range(last, run[0] + 1)):
        return True
    return sum(1 for j in run if _LIST_ITEM.match(texts[j])) * 2 >= len(run)


def comment_thread(authors: Sequence[int], flagged: Sequence[bool], params: ShapeParams) -> list[int]:
    """``shape/comment-thread``: the lines of the comments under the author lines ``authors``
    (indices, ascending) of a page — those between two author lines at most
    ``comment_max_lines`` apart, and up to that many after the last one — when the page has at
    least ``comment_thread_min_authors`` of them. A flagged line ends a comment."""
    if len(authors) < params.comment_thread_min_authors:
        return []
    out: list[int] = []
    for k, a in enumerate(authors):
        end = authors[k + 1] if k + 1 < len(authors) else len(flagged)
        if end - a - 1 > params.comment_max_lines and k + 1 < len(authors):
            continue  # too far apart: not one comment
        for j in range(a + 1, min(end, a + 1 + params.comment_max_lines)):
            if flagged[j]:
                break
            out.append(j)
    return out


def body_span(
    texts: Sequence[str], skip: Sequence[bool], params: ShapeParams, words: Sequence[int] | None = None
) -> tuple[int, int] | None:
    """The article body of a page (0-based, inclusive), or ``None``: the :func:`body_core`
    widened by what the article goes on with next to it (:func:`body_region`). Computed once
    per document; ``shape/outside-body`` and the repetition rules' "outside the body" use it.
    ``words``: the texts' word counts, when the caller has them."""
    core = body_core(texts, skip, params, table_rows(texts), words)
    return None if core is None else body_region(texts, skip, core, params)


def body_region(
    texts: Sequence[str], skip: Sequence[bool], core: tuple[int, int], params: ShapeParams | None = None
) -> tuple[int, int]:
    """The body core widened by what the article goes on with next to it: the sentences next to
    it (a short lead or closing line is body, though too short to count as prose) and, with
    ``params``, the article's own repeated elements (a photo caption, the lines of a product
    box: a line that recurs inside the core from its first half on, digits aside, recurring
    again just outside it, at most ``core_repeat_gap`` lines from the last one; a flagged line
    ends the search)."""
    lo, hi = core
    while True:
        start = (lo, hi)
        while lo > 0 and not skip[lo - 1] and ends_sentence(texts[lo - 1].strip()) and word_count(texts[lo - 1]) >= 3:
            lo -= 1
        while hi + 1 < len(texts) and not skip[hi + 1] and ends_sentence(texts[hi + 1].strip()) and word_count(texts[hi + 1]) >= 3:
            hi += 1
        if params is not None:
            lo, hi = _repeated_elements(texts, skip, lo, hi, params)
        if (lo, hi) == start:
            return lo, hi


def _line_key(text: str) -> str:
    return _DIGITS.sub("#", fold_words(text.lower())[1])


def _repeated_elements(texts: Sequence[str], skip: Sequence[bool], lo: int, hi: int, params: ShapeParams) -> tuple[int, int]:
    counts: dict[str, int] = {}
    first: dict[str, int] = {}
    for i in range(lo, hi + 1):
        if not skip[i] and _ALNUM.search(texts[i]) and not is_prose(texts[i], params):
            k = _line_key(texts[i])
            counts[k] = counts.get(k, 0) + 1
            first.setdefault(k, i)
    # an element of the whole article recurs from its first half on (a kicker repeated in a
    # teaser list the core ran into recurs only at its end)
    repeated = {k for k, n in counts.items() if n >= params.core_repeat_min and 2 * (first[k] - lo) <= hi - lo}
    if not repeated:
        return lo, hi
    for step in (1, -1):
        edge = hi if step == 1 else lo
        j = edge + step
        while 0 <= j < len(texts) and not skip[j] and abs(j - edge) <= params.core_repeat_gap:
            if _line_key(texts[j]) in repeated:
                edge = j
            j += step
        if step == 1:
            hi = edge
        else:
            lo = edge
    return lo, hi


TABLE_MIN = 3  # cells per row, and rows


def table_rows(texts: Sequence[str]) -> set[int]:
    """Lines of a table of the article: pipe-separated cells, in a block of lines with the same
    number of cells (at least ``TABLE_MIN`` of each) of which one is a row of numbers
    (:func:`table_cells`) — its header row (``Pos | Player | Plays``) and its rows with few
    numbers (``LB | Name | 6 | 8% | No stats``)."""
    cells = [_cell_count(t) for t in texts]
    rows: set[int] = set()
    for i, n in enumerate(cells):
        if n >= TABLE_MIN and table_cells(texts[i]):
            j = i
            while j > 0 and cells[j - 1] == n:
                j -= 1
            k = i
            while k + 1 < len(texts) and cells[k + 1] == n:
                k += 1
            if k - j + 1 >= TABLE_MIN:
                rows.update(range(j, k + 1))
    return rows


def _cell_count(text: str) -> int:
    if "|" not in text:
        return 0
    return len([s for s in _NAV_SPLIT.split(_WS.sub(" ", text).strip()) if s])
