"""Boilerplate: label the noise between paragraphs, never call it syndication.

Three rule families, combined:

1. **lexicon** — patterns for calls to action, widgets, credits, notices,
   bylines and end markers, from ``data/boilerplate.toml`` plus any files
   the user adds (``--lexicon``);
2. **shape** — pipe/bullet-separated link lists, the short title-like lines
   of a related-links block, a headline repeated in the body, a site name
   standing alone;
3. **repetition** — a paragraph that recurs in several documents of one
   outlet (a template), or recurs whole in several documents that share no
   other text.

A wrong flag on real content is worse than a missed prompt: lexicon rules
are anchored and length-capped, and every flag carries its ``reason``.
"""

from __future__ import annotations

import re
import tomllib
from collections import defaultdict
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Iterable, Sequence
from urllib.parse import urlparse

from syndetect.errors import ParameterError
from syndetect.model import BoilerplateFlag, Cluster, Document, Paragraph
from syndetect.core.text import normalize_text, tokenize

__all__ = ["Rule", "Boilerplate", "CATEGORIES", "outlet_of"]

CATEGORIES = (
    "newsletter", "social", "comments", "related", "credit", "notice",
    "byline", "navigation", "repeated-headline", "end-marker", "other",
)
_WS = re.compile(r"\s+")
_NAV_SPLIT = re.compile(r"\s*(?:\||•|·|»|\u2022)\s*")
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")
_SENTENCE_END = re.compile(r"[.!?][\"'”’)]*$")
_TEMPLATE_MAX_WORDS = 40
_NAV_CHARS = re.compile(r"[|•·»\u2022]")
_SITE_IN_SOCIAL = re.compile(r"\b(?i:stay connected to|follow)\s+(?P<site>[A-Z][\w&.'’-]*(?:\s+[A-Z][\w&.'’-]*){0,4})\s+on\b")


@dataclass(frozen=True)
class Rule:
    """One lexicon rule (see ``data/boilerplate.toml`` for the format)."""

    name: str
    category: str
    pattern: re.Pattern
    max_words: int
    header: bool = False
    requires: tuple[str, ...] = ()


def _load_rules(text: str, origin: str) -> list[Rule]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ParameterError(f"{origin}: not valid TOML: {exc}") from exc
    rules = []
    for i, raw in enumerate(data.get("rule", []), 1):
        where = f"{origin}: rule {i}"
        if not isinstance(raw, dict) or "pattern" not in raw or "category" not in raw:
            raise ParameterError(f"{where}: needs 'category' and 'pattern'")
        if raw["category"] not in CATEGORIES:
            raise ParameterError(f"{where}: unknown category {raw['category']!r} (use one of {', '.join(CATEGORIES)})")
        try:
            pattern = re.compile(raw["pattern"], re.IGNORECASE)
        except re.error as exc:
            raise ParameterError(f"{where}: bad pattern: {exc}") from exc
        max_words = raw.get("max_words", 40)
        if not isinstance(max_words, int) or max_words < 1:
            raise ParameterError(f"{where}: max_words must be a positive integer")
        requires = raw.get("requires", [])
        if not isinstance(requires, list) or not all(isinstance(r, str) and r for r in requires):
            raise ParameterError(f"{where}: requires must be a list of non-empty strings")
        rules.append(
            Rule(str(raw.get("name", f"rule-{i}")), raw["category"], pattern, max_words, bool(raw.get("header")),
                 tuple(r.lower() for r in requires))
        )
    return rules


def outlet_of(doc: Document, site_names: dict[str, str] | None = None) -> str | None:
    """The outlet of a document: its field, else its URL host, else a learned site name."""
    if doc.outlet:
        return doc.outlet
    if doc.url:
        host = urlparse(doc.url if "//" in doc.url else "//" + doc.url).hostname
        if host:
            return host.removeprefix("www.")
    if site_names:
        return site_names.get(doc.id)
    return None


class Boilerplate:
    """The boilerplate detector: ``detect`` before candidate search, ``refine`` after clustering."""

    def __init__(self, rules: Sequence[Rule], *, min_repeats: int = 3) -> None:
        self.rules = list(rules)
        self.min_repeats = min_repeats
        self._max_words = max((r.max_words for r in self.rules), default=0)
        # one C-level scan finds which `requires` substrings a paragraph holds
        triggers = sorted({t for r in self.rules for t in r.requires}, key=lambda t: (-len(t), t))
        self._triggers = re.compile("|".join(map(re.escape, triggers))) if triggers else None
        self._implied = {m: frozenset(t for t in triggers if t in m) for m in triggers}
        self.site_names: dict[str, str] = {}

    @classmethod
    def load(cls, extra_paths: Iterable[str] = (), **kwargs) -> "Boilerplate":
        """The built-in lexicon plus the user's rule files."""
        text = resources.files("syndetect").joinpath("data/boilerplate.toml").read_text("utf-8")
        rules = _load_rules(text, "built-in lexicon")
        for path in extra_paths:
            try:
                content = Path(path).read_text("utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise ParameterError(f"{path}: cannot read lexicon: {exc}") from exc
            rules.extend(_load_rules(content, str(path)))
        return cls(rules, **kwargs)

    # -- family 1: lexicon --------------------------------------------------
    def match_rule(self, text: str) -> tuple[Rule, re.Match] | None:
        """The first lexicon rule that matches the whole paragraph, with its match."""
        words = len(text.split())
        if words > self._max_words:
            return None
        flat = " ".join(text.split())
        present: set[str] = set()
        if self._triggers is not None:
            for hit in self._triggers.findall(flat.lower()):
                present |= self._implied[hit]
        for rule in self.rules:
            if words <= rule.max_words and (not rule.requires or present.intersection(rule.requires)):
                m = rule.pattern.search(flat)
                if m:
                    return rule, m
        return None

    # -- the pre-candidate pass ---------------------------------------------
    def detect(self, docs: Sequence[Document], paragraphs: Sequence[Paragraph]) -> list[BoilerplateFlag]:
        """Flags from the lexicon, shape and same-outlet repetition rules."""
        by_doc: dict[str, list[Paragraph]] = defaultdict(list)
        for p in paragraphs:
            by_doc[p.doc].append(p)
        flags, sites = self.detect_documents([(d, by_doc.get(d.id, [])) for d in docs])
        return self.finish(docs, paragraphs, flags, sites)

    def detect_documents(
        self, items: Sequence[tuple[Document, Sequence[Paragraph]]]
    ) -> tuple[list[BoilerplateFlag], dict[str, str]]:
        """The per-document rules (lexicon and shape): a pure map over documents.

        Returns the flags and the site names learned (doc id -> name).
        """
        flags: dict[tuple[str, int], BoilerplateFlag] = {}
        sites: dict[str, str] = {}
        for doc, pars in items:
            site = self._detect_doc(doc, list(pars), flags)
            if site:
                sites[doc.id] = site
        return list(flags.values()), sites

    def finish(
        self,
        docs: Sequence[Document],
        paragraphs: Sequence[Paragraph],
        flags: Iterable[BoilerplateFlag],
        sites: dict[str, str],
    ) -> list[BoilerplateFlag]:
        """Combine per-document flags, then apply the same-outlet repetition rule."""
        self.site_names = dict(sites)
        by_key = {(f.doc, f.paragraph): f for f in flags}
        self._detect_templates(docs, paragraphs, by_key)
        return sorted(by_key.values(), key=lambda f: (f.doc, f.paragraph))

    def _detect_doc(self, doc: Document, pars: list[Paragraph], flags: dict) -> str | None:
        def flag(p: Paragraph, category: str, reason: str) -> None:
            flags.setdefault((p.doc, p.index), BoilerplateFlag(p.doc, p.index, p.text, category, reason))

        headline = normalize_text(doc.title) if doc.title else (normalize_text(pars[0].text) if pars else "")
        if len(headline.split()) < 4:  # a one-word "headline" is a menu item, not a title
            headline = ""
        headline_words = len(headline.split())
        in_block_after_header: Rule | None = None
        links_after_header = 0
        sites: list[str] = []
        for i, p in enumerate(pars):
            same_block = i > 0 and not _BLANK_LINE.search(doc.text, pars[i - 1].end, p.start)
            found = self.match_rule(p.text)
            if found:
                rule, m = found
                flag(p, rule.category, f"lexicon rule '{rule.name}'")
                site = m.groupdict().get("site")
                if site:
                    sites.append(site.strip())
                if rule.category == "social":
                    follow = _SITE_IN_SOCIAL.search(p.text)
                    if follow:
                        sites.append(follow.group("site"))
                in_block_after_header = rule if rule.header else None
                links_after_header = 0
                continue
            if in_block_after_header is not None and _is_link_title(p.text, strict=not same_block):
                links_after_header += 1
                if links_after_header <= 12:
                    flag(p, "related", f"link under '{in_block_after_header.name}' header")
                    continue
            in_block_after_header = None
            if headline and abs(len(p.text.split()) - headline_words) <= 3 and normalize_text(p.text) == headline:
                if i > 0:
                    flag(p, "repeated-headline", "repeats the headline inside the body")
                continue
            if _NAV_CHARS.search(p.text):
                parts = [s for s in _NAV_SPLIT.split(_WS.sub(" ", p.text).strip()) if s]
                if len(parts) >= 3 and all(len(s.split()) <= 4 for s in parts):
                    flag(p, "navigation", f"link list of {len(parts)} short items separated by | or bullets")
        if not sites:
            return None
        site_norms = {normalize_text(s) for s in sites}
        longest = max(len(s.split()) for s in sites)
        for p in pars:
            if len(p.text.split()) <= longest and normalize_text(p.text) in site_norms:
                flag(p, "byline", "the site's own name standing alone")
        return sites[0]

    def _detect_templates(self, docs: Sequence[Document], paragraphs: Sequence[Paragraph], flags: dict) -> None:
        """Same-outlet repetition: a short paragraph repeated verbatim in several
        documents of one outlet that share no other paragraph (a template, not a
        story the outlet printed twice)."""
        outlet = {d.id: outlet_of(d, self.site_names) for d in docs}
        seen: dict[tuple[str, str], set[str]] = defaultdict(set)
        for p in paragraphs:
            o = outlet.get(p.doc)
            if o and (p.doc, p.index) not in flags and len(p.text.split()) <= _TEMPLATE_MAX_WORDS:
                seen[(o, _key(p.text))].add(p.doc)
        repeated = {key: ds for key, ds in seen.items() if len(ds) >= self.min_repeats and key[1]}
        if not repeated:
            return
        # paragraphs each document shares with others (outside the candidates)
        shared_keys: dict[str, set[str]] = defaultdict(set)
        holders: dict[str, set[str]] = defaultdict(set)
        for p in paragraphs:
            holders[_key(p.text)].add(p.doc)
        for p in paragraphs:
            k = _key(p.text)
            if len(holders[k]) > 1 and (outlet.get(p.doc), k) not in repeated:
                shared_keys[p.doc].add(k)
        for p in paragraphs:
            o = outlet.get(p.doc)
            key = (o, _key(p.text)) if o else None
            if key in repeated and (p.doc, p.index) not in flags:
                ds = repeated[key]
                related = sum(1 for d in ds if any(len(holders[k] & ds) > 1 for k in shared_keys[d]))
                if related > len(ds) // 2:
                    continue
                flags[(p.doc, p.index)] = BoilerplateFlag(
                    p.doc, p.index, p.text, self._category(p.text), f"outlet template: repeated in {len(ds)} documents of {o}"
                )

    def _category(self, text: str) -> str:
        found = self.match_rule(text)
        return found[0].category if found else "other"

    # -- the post-cluster pass ----------------------------------------------
    def refine(
        self,
        docs: Sequence[Document],
        paragraphs: Sequence[Paragraph],
        flags: list[BoilerplateFlag],
        clusters: list[Cluster],
    ) -> tuple[list[BoilerplateFlag], list[Cluster]]:
        """Repetition across documents: flag clusters that are templates, drop boilerplate from clusters."""
        outlet = {d.id: outlet_of(d, self.site_names) for d in docs}
        text_of = {(p.doc, p.index): p.text for p in paragraphs}
        doc_clusters: dict[str, set[str]] = defaultdict(set)
        for c in clusters:
            for d in c.docs:
                doc_clusters[d].add(c.id)
        new_flags = {(f.doc, f.paragraph): f for f in flags}
        for c in clusters:
            docs_in = c.docs
            if len(docs_in) < self.min_repeats:
                continue
            whole = all(
                (m.end - m.start) >= 0.8 * len(text_of[(m.doc, m.paragraph)].strip())
                and len(text_of[(m.doc, m.paragraph)].split()) <= 40
                for m in c.members
            )
            if not whole:
                continue
            # documents that share nothing but this passage are unrelated
            unrelated = sum(
                1
                for i, a in enumerate(docs_in)
                for b in docs_in[i + 1 :]
                if not ((doc_clusters[a] & doc_clusters[b]) - {c.id})
            )
            n_pairs = len(docs_in) * (len(docs_in) - 1) // 2
            outlets = {outlet.get(d) for d in docs_in}
            if unrelated < 0.8 * n_pairs:
                continue
            if len(outlets) == 1 and None not in outlets:
                reason = f"outlet template: recurs in {len(docs_in)} documents of {next(iter(outlets))} that share no other text"
            else:
                reason = f"recurs whole in {len(docs_in)} documents that share no other text"
            for m in c.members:
                key = (m.doc, m.paragraph)
                if key not in new_flags:
                    found = self.match_rule(text_of[key])
                    category = found[0].category if found else "other"
                    new_flags[key] = BoilerplateFlag(m.doc, m.paragraph, text_of[key], category, reason)
        kept: list[Cluster] = []
        for c in clusters:
            members = tuple(m for m in c.members if (m.doc, m.paragraph) not in new_flags)
            if len({m.doc for m in members}) >= 2:
                kept.append(replace(c, members=members))
        kept = [replace(c, id=f"C{i + 1}") for i, c in enumerate(kept)]
        return sorted(new_flags.values(), key=lambda f: (f.doc, f.paragraph)), kept


def _key(text: str) -> str:
    """The exact-repeat key of a paragraph (its text; paragraphs are stripped)."""
    return text


def _is_link_title(text: str, strict: bool = False) -> bool:
    """A short title-like line (as in a related-links block).

    ``strict`` (a separate paragraph, not a line of the header's block): at
    most 14 words and no sentence-final punctuation.
    """
    words = text.split()
    if not words or len(words) > (14 if strict else 25) or "\n" in text.strip():
        return False
    if _SENTENCE_END.search(text.strip()) and (strict or len(words) > 6):
        return False
    return True
