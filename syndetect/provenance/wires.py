"""The wires registry: news agencies, syndicators and release distributors.

One data file (``data/wires.toml``) holds every service's name, aliases,
dateline/credit tags and own hosts; users add ``[[wire]]`` tables in a
``--lexicon`` file. Everything that needs to know "is this a wire?" asks a
:class:`Wires` instance: credit normalisation, dateline tags, the lexicon's
``{wire_tags}`` placeholder and "this document is on the wire's own host".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from syndetect.core.text import normalize_text
from syndetect.errors import ParameterError

__all__ = ["Wire", "Wires", "registrable_domain", "host_of", "canon_label"]

KINDS = ("wire", "syndicator", "press-release")


@dataclass(frozen=True)
class Wire:
    name: str
    aliases: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()
    kind: str = "wire"


_LABEL_NOISE = re.compile(
    r"\b(copyright|all rights reserved|with inputs from|inputs from|media group|group|inc|ltd|llc|plc|l\.?p|"
    r"the|by|trust principles|our standards|writer|writers|staff|\d{4}|\(c\))\b|[©]"
)


@lru_cache(maxsize=1 << 16)
def canon_label(label: str) -> str:
    """A credit or outlet label without noise: "© 2008 The Associated Press." -> "associated press"."""
    flat = _LABEL_NOISE.sub(" ", normalize_text(label))
    return " ".join(flat.split())


@lru_cache(maxsize=1 << 16)
def host_of(url: str | None) -> str | None:
    if not url:
        return None
    from urllib.parse import urlparse

    try:
        host = urlparse(url if "//" in url else "//" + url).hostname
    except ValueError:
        return None
    return host or None


_EXTRACT: Any = None


@lru_cache(maxsize=1 << 16)
def registrable_domain(host: str) -> str:
    """The registrable domain of a host (public-suffix aware, offline): ``sport.guardian.co.uk`` -> ``guardian.co.uk``.

    A name that is not a host (an outlet field such as "Daily Planet") is returned as it is.
    """
    global _EXTRACT
    h = host.strip().lower().rstrip(".")
    if not h or " " in h or "." not in h:
        return host
    if _EXTRACT is None:
        import tldextract

        # the bundled public-suffix snapshot: never fetched
        _EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    parts = _EXTRACT(h)
    if parts.domain and parts.suffix:
        return f"{parts.domain}.{parts.suffix}"
    return h


def _strings(raw: dict, key: str, where: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ParameterError(f"{where}: {key} must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def parse_wires(data: dict[str, Any], origin: str) -> list[Wire]:
    out = []
    for i, raw in enumerate(data.get("wire", []), 1):
        where = f"{origin}: wire {i}"
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or not raw["name"].strip():
            raise ParameterError(f"{where}: needs a 'name'")
        kind = raw.get("kind", "wire")
        if kind not in KINDS:
            raise ParameterError(f"{where}: unknown kind {kind!r} (use one of {', '.join(KINDS)})")
        hosts = tuple(h.lower().removeprefix("www.") for h in _strings(raw, "hosts", where))
        out.append(Wire(raw["name"].strip(), _strings(raw, "aliases", where), _strings(raw, "tags", where), hosts, kind))
    return out


class Wires:
    """Lookup by credit label, tag and host."""

    def __init__(self, wires: Sequence[Wire]) -> None:
        self.wires = list(wires)
        self._by_label: dict[str, Wire] = {}
        self._by_host: dict[str, Wire] = {}
        self._by_tag: dict[str, Wire] = {}
        for w in self.wires:  # later entries (the user's) override earlier ones
            for label in (w.name, *w.aliases):
                key = canon_label(label)
                if key:
                    self._by_label[key] = w
            for tag in w.tags:
                self._by_tag[tag] = w
            for h in w.hosts:
                self._by_host[h] = w
        tags = sorted(self._by_tag, key=lambda t: (-len(t), t))
        self.tag_alternation = "|".join(re.escape(t) for t in tags) or r"(?!x)x"
        self.tag_in_parens = re.compile(rf"\((?P<tag>{self.tag_alternation})\)")
        # "LOS ANGELES (Reuters) -", "BEIJING, Jan. 15 (Xinhua) --", "(AP) —"
        self.dateline_tag = re.compile(
            rf"^\W{{0,3}}(?:[A-Z][A-Za-z.'’ -]{{1,40}}(?:,\s*[A-Za-z.]{{2,20}}(?:\s+\d{{1,2}})?)?\s*)?\((?P<tag>{self.tag_alternation})\)\s*(?:[-—–]{{1,2}}|:)"
        )

    @classmethod
    def builtin_data(cls) -> dict[str, Any]:
        import tomllib

        text = resources.files("syndetect").joinpath("data/wires.toml").read_text("utf-8")
        return tomllib.loads(text)

    @classmethod
    def load(cls, extra: Iterable[tuple[dict[str, Any], str]] = ()) -> Wires:
        wires = parse_wires(cls.builtin_data(), "built-in wires")
        for data, origin in extra:
            wires.extend(parse_wires(data, origin))
        return cls(wires)

    def by_label(self, label: str | None) -> Wire | None:
        if not label:
            return None
        return self._by_label.get(canon_label(label))

    def by_tag(self, tag: str) -> Wire | None:
        return self._by_tag.get(tag)

    def by_host(self, host: str | None) -> Wire | None:
        """The service whose own site ``host`` is (the host or a parent domain is listed)."""
        if not host:
            return None
        h = host.lower().removeprefix("www.")
        while h:
            w = self._by_host.get(h)
            if w:
                return w
            if "." not in h:
                return None
            h = h.split(".", 1)[1]
        return None

    def canonical(self, label: str) -> str:
        """The comparison key of a label: a wire's name when it names one, else the cleaned label."""
        w = self.by_label(label)
        return canon_label(w.name) if w else canon_label(label)
