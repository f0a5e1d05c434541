"""Boilerplate: label the noise between paragraphs, never call it syndication.

The detector combines three rule families, each in its own module:

1. **lexicon** (:mod:`syndetect.rules.lexicon`) — patterns for calls to
   action, widgets, credits, notices, bylines and end markers, from
   ``data/boilerplate.toml`` plus any files the user adds (``--lexicon``);
2. **shape** (:mod:`syndetect.rules.shape`) — link lists, related-link
   blocks, a headline repeated in the body, a site name standing alone;
3. **repetition** (:mod:`syndetect.rules.repetition`) — templates of one
   outlet, whole paragraphs recurring in documents that share nothing else.

Every flag carries a stable ``rule`` id and a ``reason``. The same
:class:`Boilerplate` object (with the user's rules and wires) is handed on to
provenance, so a user ``credit`` rule is evidence there too.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from importlib import resources
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING

from syndetect.core.text import normalize_text
from syndetect.core.words import fold_lower
from syndetect.errors import ParameterError
from syndetect.model import BoilerplateFlag, Cluster, Document, Paragraph
from syndetect.rules import repetition, shape
from syndetect.rules.lexicon import CATEGORIES, Lexicon, Rule, parse_rules, read_toml
from syndetect.rules.repetition import Pages, RepetitionParams
from syndetect.rules.shape import ShapeParams

if TYPE_CHECKING:
    from syndetect.provenance.wires import Wires

__all__ = ["Rule", "Boilerplate", "CATEGORIES", "outlet_of", "site_of"]

_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")
_SITE_IN_SOCIAL = re.compile(r"\b(?i:stay connected to|follow)\s+(?P<site>[A-Z][\w&.'’-]*(?:\s+[A-Z][\w&.'’-]*){0,4})\s+on\b")


def outlet_of(doc: Document, site_names: dict[str, str] | None = None) -> str | None:
    """The outlet of a document: its field, else its URL host, else a learned site name."""
    from syndetect.provenance.wires import host_of

    if doc.outlet:
        return doc.outlet
    host = host_of(doc.url)
    if host:
        return host.removeprefix("www.")
    if site_names:
        return site_names.get(doc.id)
    return None


def site_of(doc: Document, site_names: dict[str, str] | None = None) -> str | None:
    """The site a page belongs to, for template rules: the registrable domain of its URL
    (``sport.guardian.co.uk`` -> ``guardian.co.uk``), else its outlet, else a learned site name."""
    from syndetect.provenance.wires import host_of, registrable_domain

    host = host_of(doc.url)
    if host:
        return registrable_domain(host.removeprefix("www."))
    if doc.outlet:
        return doc.outlet.strip() or None
    if site_names:
        return site_names.get(doc.id)
    return None


# flags the per-document pass derives from the body it told (they do not move it)
_AFTER_BODY_RULES = ("shape/outside-body", "shape/site-name")


def body_skip(flags: Iterable) -> frozenset:
    """The paragraphs the body is told around, as ``(doc, paragraph)``: every flag but those
    derived from the body itself (``shape/outside-body``, ``shape/site-name``) — so a document
    without site-template flags keeps the body the per-document pass told.
    ``flags``: :class:`BoilerplateFlag` objects, or bare keys (all taken)."""
    out = set()
    for f in flags:
        if isinstance(f, BoilerplateFlag):
            if not f.rule.startswith(_AFTER_BODY_RULES):
                out.add((f.doc, f.paragraph))
        else:
            out.add(tuple(f))
    return frozenset(out)


class BodyCores:
    """Lazily computed article-body spans (:func:`syndetect.rules.shape.body_span`) of the
    documents of a paragraph list, the paragraphs in ``skip`` left out. Spans the per-document
    pass already computed with the same paragraphs and skipped lines (``known``) are reused.
    ``pages``: the :class:`~syndetect.rules.repetition.Pages` of ``paragraphs``, when the caller has it."""

    def __init__(self, paragraphs: Sequence[Paragraph], skip: frozenset, params: ShapeParams,
                 known: dict | None = None, more: dict | None = None, pages: Pages | None = None) -> None:
        self._pages = pages if pages is not None else Pages(paragraphs)
        self._skip_at: dict[str, set[int]] = defaultdict(set)  # doc -> the paragraph numbers in skip
        for doc, index in skip:
            self._skip_at[doc].add(index)
        self._params = params
        self._known = known if known is not None else {}
        # (doc, signature) -> span, told elsewhere (Boilerplate.add_spans): the detector's own dict, so
        # spans added after these cores were made are found
        self._more = more if more is not None else {}
        self._cache: dict[str, tuple[int, int] | None] = {}

    def inherit(self, other: BodyCores, changed: set[str]) -> None:
        """Take the spans ``other`` (of the same paragraphs) told, but for the documents in
        ``changed`` (those whose skipped lines differ): a span is a function of the document's
        paragraphs and skipped lines."""
        self._cache.update((d, span) for d, span in other._cache.items() if d not in changed)

    def get(self, doc: str) -> tuple[int, int] | None:
        if doc in self._cache:
            return self._cache[doc]
        pars = self._pages.of(doc)
        at = self._skip_at.get(doc)
        skip = [p.index in at for p in pars] if at else [False] * len(pars)
        known = self._known.get(doc)
        sig = _signature(pars, skip) if known is not None or self._more else None
        if known is not None and known[0] == sig:
            local = known[1]
        elif (doc, sig) in self._more:
            local = self._more[(doc, sig)]
        else:
            local = shape.body_span([p.text for p in pars], skip, self._params) if pars else None
        span = None if local is None else (pars[local[0]].index, pars[local[1]].index)
        self._cache[doc] = span
        return span


_PLACE = attrgetter("index", "start", "end")


def _signature(pars: Sequence[Paragraph], skip: Sequence[bool]) -> int:
    return hash((tuple(map(_PLACE, pars)), tuple(skip)))  # ((p.index, p.start, p.end) of each, skip)


def body_spans(
    params: ShapeParams, tasks: Iterable[tuple[str, int, Sequence[str], Sequence[bool]]]
) -> list[tuple[str, int, tuple[int, int] | None]]:
    """:func:`syndetect.rules.shape.body_span` of each ``(doc, signature, texts, skip)`` of
    :meth:`Boilerplate.stale_bodies`, as ``(doc, signature, span)`` for :meth:`Boilerplate.add_spans`."""
    return [(doc, sig, shape.body_span(texts, skip, params) if texts else None) for doc, sig, texts, skip in tasks]


class Boilerplate:
    """The boilerplate detector: ``detect`` before candidate search, ``refine`` after clustering."""

    def __init__(
        self,
        rules: Sequence[Rule],
        *,
        min_repeats: int | None = None,
        shape_params: ShapeParams | None = None,
        repetition_params: RepetitionParams | None = None,
        wires: Wires | None = None,
    ) -> None:
        self.lexicon = Lexicon(rules)
        self.shape = shape_params or ShapeParams()
        rep = repetition_params or RepetitionParams()
        self.repetition = replace(rep, min_repeats=min_repeats) if min_repeats is not None else rep
        self._wires = wires
        self.site_names: dict[str, str] = {}
        self._cores_memo: tuple[Sequence[Paragraph], frozenset, BodyCores] | None = None
        self._pages_memo: tuple[Sequence[Paragraph], int, Pages] | None = None
        # body spans the per-document pass computed in this process: doc -> (signature, span)
        self._spans: dict[str, tuple[int, tuple[int, int] | None]] = {}
        self._known: dict[str, tuple[int, tuple[int, int] | None]] = {}  # the last finished scan's
        # spans told elsewhere for the later passes' skipped lines (add_spans): (doc, signature) -> span
        self._more: dict[tuple[str, int], tuple[int, int] | None] = {}

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["_cores_memo"] = None  # never ship a corpus to a worker
        state["_pages_memo"] = None
        state["_spans"] = {}
        state["_known"] = {}
        state["_more"] = {}
        return state

    @property
    def rules(self) -> list[Rule]:
        return self.lexicon.rules

    @property
    def min_repeats(self) -> int:
        return self.repetition.min_repeats

    @property
    def wires(self) -> Wires:
        if self._wires is None:
            from syndetect.provenance.wires import Wires

            self._wires = Wires.load()
        return self._wires

    @classmethod
    def load(cls, extra_paths: Iterable[str] = (), **kwargs) -> Boilerplate:
        """The built-in lexicon, shape/repetition settings and wires, plus the user's files.

        A user file may hold ``[[rule]]`` and ``[[wire]]`` tables and
        ``[shape]``/``[repetition]`` settings (which override the built-in ones).
        """
        from syndetect.provenance.wires import Wires

        builtin = read_toml(resources.files("syndetect").joinpath("data/boilerplate.toml").read_text("utf-8"),
                            "built-in lexicon")
        files: list[tuple[dict, str]] = []
        for path in extra_paths:
            try:
                content = Path(path).read_text("utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise ParameterError(f"{path}: cannot read lexicon: {exc}") from exc
            files.append((read_toml(content, str(path)), str(path)))
        wires = Wires.load(files)
        subs = {"wire_tags": wires.tag_alternation}
        rules = parse_rules(builtin, "built-in lexicon", subs)
        shape_table = dict(builtin.get("shape", {}))
        rep_table = dict(builtin.get("repetition", {}))
        for data, origin in files:
            rules.extend(parse_rules(data, origin, subs))
            ShapeParams.from_data(data, origin)  # each file's settings checked (and named) on their own
            RepetitionParams.from_data(data, origin)
            shape_table.update(data.get("shape", {}))
            rep_table.update(data.get("repetition", {}))
        kwargs.setdefault("shape_params", ShapeParams.from_data({"shape": shape_table}, "lexicon"))
        kwargs.setdefault("repetition_params", RepetitionParams.from_data({"repetition": rep_table}, "lexicon"))
        return cls(rules, wires=wires, **kwargs)

    # -- family 1: lexicon --------------------------------------------------
    def match_rule(self, text: str) -> tuple[Rule, re.Match] | None:
        """The first lexicon rule that matches the whole paragraph, with its match."""
        return self.lexicon.match(text)

    # -- the pre-candidate pass ---------------------------------------------
    def detect(self, docs: Sequence[Document], paragraphs: Sequence[Paragraph]) -> list[BoilerplateFlag]:
        """Flags from the lexicon, shape and same-outlet repetition rules."""
        by_doc: dict[str, list[Paragraph]] = defaultdict(list)
        for p in paragraphs:
            by_doc[p.doc].append(p)
        flags, sites = self.detect_documents([(d, by_doc.get(d.id, [])) for d in docs])
        return self.finish(docs, paragraphs, flags, sites)

    def detect_documents(
        self, items: Sequence[tuple[Document, Sequence[Paragraph]]], keys: list[str | None] | None = None,
    ) -> tuple[list[BoilerplateFlag], dict[str, str]]:
        """The per-document rules (lexicon and shape): a pure map over documents.

        Returns the flags and the site names learned (doc id -> name). ``keys``: a list the
        :meth:`page_keys` of each document's paragraphs are added to, in order (made from the
        same folding of each paragraph as the lexicon's).
        """
        flags: dict[tuple[str, int], BoilerplateFlag] = {}
        sites: dict[str, str] = {}
        for doc, pars in items:
            pars = list(pars)
            folded = [fold_lower(p.text) for p in pars]
            site = self._detect_doc(doc, pars, flags, folded)
            if site:
                sites[doc.id] = site
            if keys is not None:
                keys.extend(self.page_keys(doc, pars, sites, folded))
        return list(flags.values()), sites

    def finish(
        self,
        docs: Sequence[Document],
        paragraphs: Sequence[Paragraph],
        flags: Iterable[BoilerplateFlag],
        sites: dict[str, str],
        keys: Sequence[str | None] | None = None,
    ) -> list[BoilerplateFlag]:
        """Combine per-document flags, then apply the same-outlet repetition rule. ``keys``: the
        :meth:`page_keys` of ``paragraphs`` (aligned with them), when the per-document pass made them."""
        self.site_names = dict(sites)
        self._cores_memo = self._pages_memo = None  # (an earlier scan's, were its list the same object)
        # this scan's per-document spans, for its later passes (templates, refine, provenance)
        self._known, self._spans = self._spans, {}
        self._more = {}  # spans told for an earlier scan's documents
        by_key = {(f.doc, f.paragraph): f for f in flags}
        site = {d.id: site_of(d, self.site_names) for d in docs}
        if keys is None:  # (the per-document pass did not make them)
            keys = repetition.page_keys_of(paragraphs, site, self.repetition.template_max_words)
        elif len(keys) != len(paragraphs):  # keys made elsewhere must be aligned: never silently shifted
            raise ValueError(f"{len(keys)} template keys for {len(paragraphs)} paragraphs")
        moved = self._shared_shape(paragraphs, by_key, site)
        self._own_edge_lines(paragraphs, by_key, site, moved, keys)
        repetition.outlet_templates(paragraphs, by_key, self._context(site, self.outside_body(paragraphs, by_key.values())),
                                    keys, self.pages(paragraphs))
        return sorted(by_key.values(), key=lambda f: (f.doc, f.paragraph))

    def pages(self, paragraphs: Sequence[Paragraph]) -> Pages:
        """The :class:`~syndetect.rules.repetition.Pages` of ``paragraphs``, made once for the scan's
        passes over the same list (finish, stale bodies, refine)."""
        memo = self._pages_memo
        if memo is not None and memo[0] is paragraphs and memo[1] == len(paragraphs):
            return memo[2]
        pages = Pages(paragraphs)
        self._pages_memo = (paragraphs, len(paragraphs), pages)
        return pages

    def page_keys(self, doc: Document, pars: Sequence[Paragraph], sites: dict[str, str],
                  folded: Sequence[tuple[int, str, str]] | None = None) -> list[str | None]:
        """The template keys (:func:`syndetect.rules.repetition.template_keys`) of one page's paragraphs,
        its site told as :meth:`finish` tells it (``sites``: the site names the per-document pass learned;
        ``folded``: the paragraphs' :func:`~syndetect.core.words.fold_lower`, when the caller has them)."""
        return repetition.template_keys([p.text for p in pars], site_of(doc, sites),
                                        self.repetition.template_max_words, folded)

    def body_cores(self, paragraphs: Sequence[Paragraph], flags: Iterable) -> BodyCores:
        """Per document, the first and last paragraph number of its article body
        (:func:`syndetect.rules.shape.body_span`; ``get`` gives ``None`` for documents
        without a clear body), told around the per-document flags (:func:`body_skip`), so
        the later passes see the body the per-document pass saw. Computed lazily, once per
        document asked for (reusing the per-document pass's spans in this process)."""
        skip = body_skip(flags)
        memo = self._cores_memo
        pages = self.pages(paragraphs)
        if memo is not None and memo[0] is paragraphs and memo[2]._pages is pages and memo[1] == skip:
            return memo[2]  # the scan asks again (templates, refine, provenance) with the same flags
        cores = BodyCores(paragraphs, skip, self.shape, self._known, self._more, pages)
        if memo is not None and memo[0] is paragraphs and memo[2]._pages is pages:
            # the flags changed (the templates', refine's): the other pages keep the bodies told
            cores.inherit(memo[2], {d for d, _ in memo[1] ^ skip})
        self._cores_memo = (paragraphs, skip, cores)
        return cores

    def _shared_shape(
        self, paragraphs: Sequence[Paragraph], by_key: dict[tuple[str, int], BoilerplateFlag], site: dict[str, str | None]
    ) -> dict[str, tuple[int, int] | None]:
        """``shape/outside-body`` told again, on the whole pages (those the per-document pass told
        page furniture in) that carry prose their site's other such pages share whole (:func:`syndetect.rules.repetition.site_shared_prose`: a disclaimer, a sidebar
        blurb the per-document pass took for the article), around the body told without that prose
        (the runs around it are read as before: the shared prose still ends a run). Returns the
        pages whose body moved, with it (paragraph numbers; ``None``: no body to tell)."""
        sp = self.shape
        moved: dict[str, tuple[int, int] | None] = {}
        # only whole pages carry their site's template and have furniture to tell around a body:
        # the pages the per-document pass told furniture around a body in
        pages = {f.doc for f in by_key.values() if f.rule == "shape/outside-body"}
        if not pages:
            return moved
        by_doc = self.pages(paragraphs)
        pars_of = {doc: by_doc.of(doc) for doc in sorted(pages & by_doc.ranges.keys(), key=lambda d: by_doc.ranges[d][0])}
        shared = repetition.site_shared_prose([p for pars in pars_of.values() for p in pars], by_key, site,
                                              lambda text: shape.is_prose(text, sp))
        for doc in sorted({d for d, _ in shared}):
            pars = pars_of[doc]
            texts = [p.text for p in pars]
            skip = [(doc, p.index) in by_key and not by_key[(doc, p.index)].rule.startswith(_AFTER_BODY_RULES)
                    for p in pars]
            span = shape.body_span(texts, [sk or (doc, p.index) in shared for sk, p in zip(skip, pars)], sp)
            known = self._known.get(doc)
            before = known[1] if known is not None and known[0] == _signature(pars, skip) else shape.body_span(texts, skip, sp)
            if span == before:
                continue  # the same body: the same flags
            moved[doc] = None if span is None else (pars[span[0]].index, pars[span[1]].index)
            for p in pars:
                f = by_key.get((doc, p.index))
                if f is not None and f.rule == "shape/outside-body":
                    del by_key[(doc, p.index)]
            if span is None:
                continue
            for i, side in shape.outside_body(texts, skip, sp, span):
                p = pars[i]
                if (doc, p.index) not in by_key:
                    by_key[(doc, p.index)] = BoilerplateFlag(
                        doc, p.index, p.text, "navigation" if side == "before" else "related",
                        f"short line in a run of page furniture {side} the article body (told without the prose "
                        "the site's other pages share)", "shape/outside-body")
        return moved

    def _own_edge_lines(
        self, paragraphs: Sequence[Paragraph], by_key: dict[tuple[str, int], BoilerplateFlag], site: dict[str, str | None],
        moved: dict[str, tuple[int, int] | None], keys: Sequence[str | None] | None = None,
    ) -> None:
        """``shape/outside-body`` flags on lines at most ``edge_own_lines`` from the article body
        (``moved``: the body :meth:`_shared_shape` told, where it moved) that no other page of the
        site carries, where the site has other pages in the scan, are dropped: next to the body, a line of the site's
        template shows itself in the site's other pages (a menu, a share bar, a byline box); a
        line only this page has is the article's own (its headline, deck, caption, closing line)."""
        n = self.repetition.edge_own_lines
        if n <= 0:
            return
        cores = self.body_cores(paragraphs, by_key.values())
        pages = self.pages(paragraphs)
        near: list[Paragraph] = []
        for (doc, index), f in by_key.items():  # (the flags are of these paragraphs)
            if f.rule != "shape/outside-body" or doc not in pages.ranges:
                continue
            span = moved[doc] if doc in moved else cores.get(doc)
            if span is not None and (0 < span[0] - index <= n or 0 < index - span[1] <= n):
                near.append(Paragraph(doc, index, 0, 0, f.text))
        for key in repetition.site_unique(near, paragraphs, site, keys, self.repetition.template_max_words, pages):
            del by_key[key]

    def stale_bodies(
        self, paragraphs: Sequence[Paragraph], flags: Iterable[BoilerplateFlag], before: Iterable[tuple[str, int]]
    ) -> list[tuple[str, int, list[str], list[bool]]]:
        """The documents whose article body the later passes (templates' refine, provenance) will ask
        for around ``flags`` and which the per-document pass told around other lines: a flag the
        body is told around (:func:`body_skip`) that is not in ``before`` (the per-document flags'
        keys). As ``(doc, signature, texts, skip)``: the work of :func:`syndetect.rules.shape.body_span`,
        to be done anywhere (an executor's workers) and handed back to :meth:`add_spans`, so
        :meth:`body_cores` finds the spans instead of telling them one by one in this process."""
        cores = self.body_cores(paragraphs, flags)  # (the cores refine will ask: made once)
        docs = {d for d, i in body_skip(flags) - set(before)}
        if not docs:
            return []
        pages = cores._pages
        out = []
        for doc in sorted(docs & pages.ranges.keys()):
            pars = pages.of(doc)
            at = cores._skip_at[doc]
            sk = [p.index in at for p in pars]
            sig = _signature(pars, sk)
            known = self._known.get(doc)
            if (known is None or known[0] != sig) and (doc, sig) not in self._more:
                out.append((doc, sig, [p.text for p in pars], sk))
        return out

    def add_spans(self, spans: Iterable[tuple[str, int, tuple[int, int] | None]]) -> None:
        """Keep ``(doc, signature, span)`` told by :func:`body_spans` for :meth:`stale_bodies`' documents."""
        for doc, sig, span in spans:
            self._more[(doc, sig)] = span

    def _context(self, site: dict[str, str | None], outside: repetition.Outside, cores: BodyCores | None = None) -> repetition.Context:
        edge = None
        if cores is not None:
            n = self.repetition.edge_paragraphs

            def edge(doc: str, index: int) -> bool:
                core = cores.get(doc)
                return core is not None and (abs(index - core[0]) < n or abs(index - core[1]) < n)

        return repetition.Context(site, outside, lambda text: shape.is_prose(text, self.shape), self.lexicon.category,
                                  self.repetition, edge)

    def outside_body(self, paragraphs: Sequence[Paragraph], flags: Iterable) -> repetition.Outside:
        """``outside(doc, paragraph)``: the paragraph lies outside its page's article body
        (:func:`syndetect.rules.shape.body_core`; pages without a clear body: never)."""
        cores = self.body_cores(paragraphs, flags)

        def outside(doc: str, index: int) -> bool:
            core = cores.get(doc)
            return core is not None and not core[0] <= index <= core[1]

        return outside

    def _detect_doc(self, doc: Document, pars: list[Paragraph], flags: dict,
                    folded: Sequence[tuple[int, str, str]]) -> str | None:
        sp = self.shape

        def flag(p: Paragraph, category: str, reason: str, rule: str) -> None:
            flags.setdefault((p.doc, p.index), BoilerplateFlag(p.doc, p.index, p.text, category, reason, rule))

        headline = normalize_text(doc.title) if doc.title else (normalize_text(pars[0].text) if pars else "")
        if len(headline.split()) < sp.headline_min_words:
            headline = ""
        headline_words = len(headline.split())
        texts = [p.text for p in pars]
        rows = shape.table_rows(texts)
        in_block_after_header: Rule | None = None
        links_after_header = 0
        authors: list[int] = []
        sites: list[str] = []
        for i, p in enumerate(pars):
            found = self.lexicon.match(p.text, folded[i])
            if found:
                rule, m = found
                flag(p, rule.category, f"lexicon rule '{rule.name}'", rule.id)
                site = m.groupdict().get("site")
                if site:
                    sites.append(site.strip())
                if rule.category == "social":
                    follow = _SITE_IN_SOCIAL.search(p.text)
                    if follow:
                        sites.append(follow.group("site"))
                if rule.thread:
                    authors.append(i)
                in_block_after_header = rule if rule.header else None
                links_after_header = 0
                continue
            if in_block_after_header is not None:
                same_block = i > 0 and not _BLANK_LINE.search(doc.text, pars[i - 1].end, p.start)
                if shape.is_link_title(p.text, sp, strict=not same_block):
                    links_after_header += 1
                    if links_after_header <= sp.related_max_links:
                        flag(p, "related", f"link under '{in_block_after_header.name}' header", "shape/related-link")
                        continue
            in_block_after_header = None
            if (
                headline
                and abs(folded[i][0] - headline_words) <= sp.headline_word_slack
                and normalize_text(p.text) == headline
            ):
                if i > 0:
                    flag(p, "repeated-headline", "repeats the headline inside the body", "shape/repeated-headline")
                continue
            items = 0 if i in rows else shape.link_list_items(p.text, sp, pars[i + 1].text if i + 1 < len(pars) else None)
            if items:
                flag(p, "navigation", f"link list of {items} short items separated by | or bullets", "shape/link-list")
        if len(authors) >= sp.comment_thread_min_authors:
            marked = [(p.doc, p.index) in flags for p in pars]
            for i in shape.comment_thread(authors, marked, sp):
                flag(pars[i], "comments", "a comment under an author line of the page's comment thread",
                     "shape/comment-thread")
        skip = [(p.doc, p.index) in flags for p in pars]
        words = [n for n, _, _ in folded]
        span = shape.body_span(texts, skip, sp, words) if pars else None
        self._spans[doc.id] = (_signature(pars, skip), span)
        for i, side in shape.outside_body(texts, skip, sp, span, words):
            p = pars[i]
            flag(p, "navigation" if side == "before" else "related",
                 f"short line in a run of page furniture {side} the article body", "shape/outside-body")
        if not sites:
            return None
        site_norms = {normalize_text(s) for s in sites}
        longest = max(len(s.split()) for s in sites)
        for p, (n, _, _) in zip(pars, folded):
            if n <= longest and normalize_text(p.text) in site_norms:
                flag(p, "byline", "the site's own name standing alone", "shape/site-name")
        return sites[0]

    # -- the post-cluster pass ----------------------------------------------
    def refine(
        self,
        docs: Sequence[Document],
        paragraphs: Sequence[Paragraph],
        flags: list[BoilerplateFlag],
        clusters: list[Cluster],
        text_of: dict[tuple[str, int], str] | None = None,
    ) -> tuple[list[BoilerplateFlag], list[Cluster]]:
        """Repetition across documents: flag clusters that are templates, drop boilerplate from clusters.
        ``text_of``: ``(doc, paragraph) -> text`` of ``paragraphs``, when the caller has it."""
        site = {d.id: site_of(d, self.site_names) for d in docs}
        if text_of is None:
            text_of = {(p.doc, p.index): p.text for p in paragraphs}
        new_flags = {(f.doc, f.paragraph): f for f in flags}
        ctx = self._context(site, self.outside_body(paragraphs, new_flags.values()),
                            self.body_cores(paragraphs, new_flags.values()))
        pages = self.pages(paragraphs)
        ends: dict[str, int] = {}

        def last(doc: str) -> int:  # the document's last paragraph number (0: none)
            got = ends.get(doc)
            if got is None:
                got = ends[doc] = max((p.index for p in pages.of(doc)), default=0)
            return got

        repetition.unrelated_recurrences(clusters, text_of, new_flags, ctx, last)
        kept: list[Cluster] = []
        for c in clusters:
            members = tuple(m for m in c.members if (m.doc, m.paragraph) not in new_flags)
            if len({m.doc for m in members}) >= 2:
                kept.append(replace(c, members=members))
        kept = [replace(c, id=f"C{i + 1}") for i, c in enumerate(kept)]
        return sorted(new_flags.values(), key=lambda f: (f.doc, f.paragraph)), kept
