"""Lexicon rules: anchored, length-capped patterns for page furniture.

The rules live in ``data/boilerplate.toml`` (``[[rule]]`` tables) plus any
files the user adds (``--lexicon``). Each rule has a stable ``id`` (its
``name``), a ``category``, a ``pattern`` and a word cap, and may carry
``examples`` (lines it must flag) and ``not_examples`` (lines it must not).
A pattern may use ``{wire_tags}``: the wire services' short tags from the
wires registry (``data/wires.toml``), so the list lives in one place.

Every regular expression of a lexicon is compiled by :func:`compile_pattern`.
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from syndetect.core.hot import HOT
from syndetect.core.words import fold_words
from syndetect.errors import ParameterError
from syndetect.safety import LEXICON_MAX_CHARS, GuardedPattern, compile_lexicon_pattern

__all__ = ["CATEGORIES", "Rule", "Lexicon", "compile_pattern", "parse_rules", "read_toml", "literal_union"]

CATEGORIES = (
    "newsletter", "social", "comments", "related", "credit", "notice",
    "byline", "navigation", "repeated-headline", "end-marker", "markup", "other",
)
DEFAULT_MAX_WORDS = 40


@dataclass(frozen=True)
class Rule:
    """One lexicon rule (see ``data/boilerplate.toml`` for the format)."""

    name: str
    category: str
    pattern: re.Pattern | GuardedPattern
    max_words: int
    header: bool = False
    requires: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    not_examples: tuple[str, ...] = ()
    origin: str = ""
    copyright: bool = False  # a form sites also use on their own pages: a credit only when it names a wire
    thread: bool = False  # a comment's author line: the lines between such lines are comments

    @property
    def id(self) -> str:
        """The stable rule id carried by flags (``lexicon/<name>``)."""
        return f"lexicon/{self.name}"


def compile_pattern(pattern: str, where: str, trusted: bool = False) -> GuardedPattern:
    """The one place lexicon patterns are compiled (case-insensitive).

    Through :func:`syndetect.safety.compile_lexicon_pattern`: a user's rule is
    searched with the ``regex`` module's timeout, every rule with a character
    cap (no ``--lexicon`` file can hang a run); ``trusted``: the built-in lexicon.
    """
    return compile_lexicon_pattern(pattern, where, trusted=trusted)


def read_toml(text: str, origin: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ParameterError(f"{origin}: not valid TOML: {exc}") from exc


def _strings(raw: dict, key: str, where: str, *, lower: bool = False) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(r, str) and r for r in value):
        raise ParameterError(f"{where}: {key} must be a list of non-empty strings")
    return tuple(v.lower() for v in value) if lower else tuple(value)


def parse_rules(data: dict[str, Any], origin: str, substitutions: dict[str, str] | None = None) -> list[Rule]:
    """The ``[[rule]]`` tables of one parsed lexicon file."""
    rules = []
    for i, raw in enumerate(data.get("rule", []), 1):
        where = f"{origin}: rule {i}"
        if not isinstance(raw, dict) or "pattern" not in raw or "category" not in raw:
            raise ParameterError(f"{where}: needs 'category' and 'pattern'")
        if raw["category"] not in CATEGORIES:
            raise ParameterError(f"{where}: unknown category {raw['category']!r} (use one of {', '.join(CATEGORIES)})")
        if not isinstance(raw["pattern"], str):
            raise ParameterError(f"{where}: pattern must be a string")
        source = raw["pattern"]
        for key, value in (substitutions or {}).items():
            source = source.replace("{" + key + "}", value)
        pattern = compile_pattern(source, where, trusted=origin == "built-in lexicon")
        max_words = raw.get("max_words", DEFAULT_MAX_WORDS)
        if not isinstance(max_words, int) or isinstance(max_words, bool) or max_words < 1:
            raise ParameterError(f"{where}: max_words must be a positive integer")
        rules.append(
            Rule(
                str(raw.get("name", f"rule-{i}")), raw["category"], pattern, max_words, bool(raw.get("header")),
                _strings(raw, "requires", where, lower=True), _strings(raw, "examples", where),
                _strings(raw, "not_examples", where), origin, bool(raw.get("copyright")), bool(raw.get("thread")),
            )
        )
    return rules


_trigger_hits = HOT.trigger_hits if HOT is not None else None
_OWN_PREFILTER_AFTER = 512  # paragraphs of a tier before it compiles its own prefilter (see Lexicon._uses)

# a word-cap tier: its rules, their trigger search (None where `_hot.trigger_hits` searches), trigger -> triggers it contains, the merged
# prefilter of the rules without triggers, and those rules' names
_Tier = tuple[list[Rule], "re.Pattern[str] | None", dict[str, frozenset[str]], "_Prefilter | None", frozenset[str]]


class _Prefilter:
    """Whether any of some patterns matches somewhere in a text: one merged search.

    The patterns anchored at the start (``^...`` without a top-level ``|``) are merged apart and
    tried at the start only (``match``): a merged search would try each of them, in vain, at every
    position of the text. The rest are merged into one search. Case-insensitive, like the rules.
    """

    __slots__ = ("_start", "_anywhere")

    def __init__(self, sources: Sequence[str]) -> None:
        start = tuple(s for s in sources if _anchored(s))
        anywhere = tuple(s for s in sources if not _anchored(s))
        self._start = _merged(start)
        self._anywhere = _merged(anywhere)

    def search(self, text: str) -> bool:
        """Some pattern matches somewhere in ``text``."""
        return bool((self._start is not None and self._start.match(text))
                    or (self._anywhere is not None and self._anywhere.search(text)))


@cache  # tiers of neighbouring word caps often merge the same patterns: compiled once per process
def _merged(sources: tuple[str, ...]) -> re.Pattern[str] | None:
    return re.compile("|".join(f"(?:{_unnamed(s)})" for s in sources), re.IGNORECASE) if sources else None


@cache  # every tier holding the pattern asks again; parsing is `re`'s pure-Python parser
def _trigger_search(triggers: tuple[str, ...]) -> re.Pattern[str]:
    """The trie search of a tier's triggers (what :func:`_hot.trigger_hits` finds; used without it)."""
    return re.compile(literal_union(triggers))


@cache  # every tier holding the pattern asks again; parsing is `re`'s pure-Python parser
def _anchored(source: str) -> bool:
    """The pattern can match only at the start of a text: its first element is ``^`` (no top-level ``|``)."""
    try:
        from re import _constants, _parser  # type: ignore[attr-defined]

        parsed = _parser.parse(source, re.IGNORECASE)
        first = parsed.data[0] if parsed.data else None
        if parsed.state.flags & re.MULTILINE:  # ``^`` is then the start of any line
            return False
        return first is not None and first[0] is _constants.AT and first[1] is _constants.AT_BEGINNING
    except Exception:  # noqa: BLE001 - an internal of `re` that moved: merge it with the rest (always right)
        return False


# The tiers' own prefilters compiled in this process, by their patterns: a lexicon made here later (each
# task's detector, unpickled anew in a worker process) gates such a tier with its own prefilter at once.
_OWN_PREFILTERS: dict[tuple[str, ...], _Prefilter] = {}


def _merged_sources(tier_rules: Sequence[Rule], merged: frozenset[str]) -> tuple[str, ...]:
    return tuple(r.pattern.pattern for r in tier_rules if r.name in merged)


class Lexicon:
    """An ordered list of rules: the first rule that matches a paragraph wins."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = list(rules)
        self.max_words = max((r.max_words for r in self.rules), default=0)
        self.by_name = {r.name: r for r in self.rules}
        # Tiers by word cap: a paragraph of w words is tried only against the rules whose cap
        # allows it, and one C-level scan finds which of *their* `requires` substrings it holds
        # (so one long-paragraph rule does not make every long paragraph pay for all triggers).
        # The built-in rules without `requires` are tried only when one search of all of them merged
        # (`prefilter`) finds something: a paragraph that none of them matches costs one search.
        self._caps = sorted({r.max_words for r in self.rules})
        self._tiers: list[_Tier | None] = [None] * len(self._caps)  # built on first use (a check needs few)
        self._unguarded: list[bool] = [True] * len(self._caps)
        self._triggers: list[tuple[str, ...]] = [()] * len(self._caps)
        # A tier's own prefilter is compiled once the tier has met _OWN_PREFILTER_AFTER paragraphs;
        # before, the prefilter of all merged rules gates it (compiled once): the same matches (what
        # none of the merged rules matches, none of the tier's matches; where it finds something the
        # rules are tried one by one), a broader search per paragraph (≈ 7 µs more) but one compile
        # (3-5 ms: `re` parses in Python) instead of one per tier, for a process checking a few documents.
        # One compiled in this process before (_OWN_PREFILTERS: an earlier task's) gates the tier at once.
        self._uses: list[int] = [0] * len(self._caps)
        self._all_merged: _Prefilter | None = None

    def _tier(self, i: int) -> _Tier:
        tier = self._tiers[i]
        if tier is None:
            cap = self._caps[i]
            tier_rules = [r for r in self.rules if r.max_words >= cap]
            triggers = sorted({t for r in tier_rules for t in r.requires}, key=lambda t: (-len(t), t))
            # the trie regex only where the compiled search is missing (`re` parses it in Python)
            regex = _trigger_search(tuple(triggers)) if triggers and _trigger_hits is None else None
            implied = {m: frozenset(t for t in triggers if t in m) for m in triggers}
            merged = frozenset(r.name for r in tier_rules if _mergeable(r))
            prefilter = _OWN_PREFILTERS.get(_merged_sources(tier_rules, merged)) if merged else None
            if merged and prefilter is None:
                if self._all_merged is None:
                    self._all_merged = _Prefilter([r.pattern.pattern for r in self.rules if _mergeable(r)])
                prefilter = self._all_merged
            tier = self._tiers[i] = (tier_rules, regex, implied, prefilter, merged)
            self._triggers[i] = tuple(triggers)  # longest first: what the compiled search takes
            # the tier's rules that neither need a trigger nor are behind the prefilter (a user's rule)
            self._unguarded[i] = any(not r.requires and r.name not in merged for r in tier_rules)
        return tier

    def _own_prefilter(self, i: int) -> None:
        """Gate tier ``i`` with a prefilter of its own merged rules only (see ``_uses``)."""
        tier_rules, regex, implied, prefilter, merged = self._tier(i)
        if merged:
            sources = _merged_sources(tier_rules, merged)
            own = _OWN_PREFILTERS.get(sources)
            if own is None:
                own = _OWN_PREFILTERS[sources] = _Prefilter(sources)
            self._tiers[i] = (tier_rules, regex, implied, own, merged)

    def match(self, text: str, folded: tuple[int, str, str] | None = None) -> tuple[Rule, re.Match] | None:
        """The first rule that matches the whole paragraph, with its match. ``folded``: the text's
        :func:`~syndetect.core.words.fold_lower`, when the caller has it."""
        # len(text.split()), " ".join(text.split())
        words, flat = (folded[0], folded[1]) if folded is not None else fold_words(text)
        if words > self.max_words:
            return None
        i = bisect_left(self._caps, words)
        self._uses[i] += 1
        if self._uses[i] == _OWN_PREFILTER_AFTER:
            self._own_prefilter(i)
        tier_rules, triggers, implied, prefilter, merged = self._tier(i)
        present: set[str] = set()
        if self._triggers[i]:
            low = folded[2] if folded is not None else flat.lower()
            # the compiled search finds what the trie's findall finds (tests/test_lexicon_triggers.py)
            for hit in (triggers.findall(low) if triggers is not None
                        else _trigger_hits(low, self._triggers[i])):  # type: ignore[misc]
                present |= implied[hit]
        # None: not searched yet; the merged rules can match only if it finds something
        maybe: bool | None = None if prefilter is not None and len(flat) <= LEXICON_MAX_CHARS else False
        if not present and not self._unguarded[i]:
            # no trigger found: only the merged rules could match, and only where the prefilter finds one
            # (most paragraphs end here, without the walk over the tier's rules below)
            if maybe is False or not prefilter.search(flat):  # type: ignore[union-attr]
                return None
            maybe = True
        for rule in tier_rules:
            if words <= rule.max_words and (not rule.requires or present.intersection(rule.requires)):
                if rule.name in merged:
                    if maybe is None:
                        maybe = prefilter.search(flat)  # type: ignore[union-attr]
                    if not maybe:
                        continue
                m = rule.pattern.search(flat)
                if m:
                    return rule, m
        return None

    def category(self, text: str, default: str = "other") -> str:
        found = self.match(text)
        return found[0].category if found else default


def literal_union(words: Iterable[str]) -> str:
    """A regular expression that matches what ``"|".join(map(re.escape, longest_first))`` matches.

    At each position of a search it matches the longest of ``words`` that
    starts there, like the plain alternation of the words longest first,
    but as a trie (``abc|abd|ab`` -> ``ab(?:c|d)?``): the engine tests one
    character per position where the alternation tests every word.
    """
    words = sorted(set(words), key=lambda t: (-len(t), t))
    if any(len(w) > 200 for w in words):  # a deep trie is no faster (and would recurse deeply): the alternation
        return "|".join(map(re.escape, words))
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        alts = [re.escape(ch) + build(node[ch]) for ch in sorted(k for k in node if k)]
        if not alts:
            return ""
        if len(alts) == 1 and "" not in node:
            return alts[0]
        return "(?:" + "|".join(alts) + ")" + ("?" if "" in node else "")

    return build(trie)


_NAMED_GROUP = re.compile(r"\(\?P<\w+>")


def _mergeable(rule: Rule) -> bool:
    """A built-in rule without `requires` whose pattern can join the merged prefilter (no
    back-references, no inline flags)."""
    src = getattr(rule.pattern, "pattern", None)
    return (not rule.requires and getattr(rule.pattern, "trusted", False) and isinstance(src, str)
            and "(?P=" not in src and "(?i" not in src and not re.search(r"\\[1-9]", src))


def _unnamed(source: str) -> str:
    return _NAMED_GROUP.sub("(?:", source)


def all_examples(rules: Iterable[Rule]) -> list[tuple[Rule, str, bool]]:
    """``(rule, line, should_match)`` for every example a rule carries."""
    return [(r, e, True) for r in rules for e in r.examples] + [(r, e, False) for r in rules for e in r.not_examples]
