"""Licensed text that may be reprinted: an allowlist of content hashes and outlets."""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from syndetect.errors import ParameterError

__all__ = ["Allowlist"]


@dataclass(frozen=True)
class Allowlist:
    """Licensed text that may be reprinted: content hashes and outlets.

    A match is allowed when the indexed span, the whole indexed paragraph or
    the checked span has an allowlisted :func:`~syndetect.core.measures.content_hash`, or when the
    indexed document's outlet is allowlisted (case-insensitive).
    """

    hashes: Mapping[str, str] = field(default_factory=dict)  # hash -> note
    outlets: frozenset[str] = frozenset()
    quoted: bool = False  # quoted, attributed speech is allowed (check --ignore-quoted)

    @classmethod
    def of(
        cls, hashes: Iterable[str] | Mapping[str, str] = (), outlets: Iterable[str] = (), quoted: bool = False
    ) -> Allowlist:
        items = hashes.items() if isinstance(hashes, Mapping) else ((h, "") for h in hashes)
        checked = {}
        for h, note in items:
            checked[check_hash(str(h), "allowlist")] = str(note or "")
        return cls(checked, frozenset(o.strip().casefold() for o in outlets if o and o.strip()), quoted)

    def merged(self, other: Allowlist) -> Allowlist:
        return Allowlist({**self.hashes, **other.hashes}, self.outlets | other.outlets, self.quoted or other.quoted)

    def speech(self, paragraph: str, start: int, end: int) -> str | None:
        """Why a span of the checked paragraph is allowed as quoted speech (``None``: it is not)."""
        if not self.quoted:
            return None
        from syndetect.index.quoted import quoted_speech

        return quoted_speech(paragraph, start, end)

    @classmethod
    def load(cls, path: str | os.PathLike) -> Allowlist:
        """Read an allowlist file.

        * ``.json``: a list of hashes or of ``{"hash": ..., "note": ...}`` /
          ``{"outlet": ...}`` objects, or an object with such a list under
          ``"allow"``;
        * ``.toml``: ``[[allow]]`` tables with ``hash`` (and ``note``) or ``outlet``;
        * anything else: one hash per line, then an optional note; ``#`` starts
          a comment; ``outlet: NAME`` lines allow an outlet.
        """
        p = Path(path)
        try:
            text = p.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ParameterError(f"{p}: cannot read allowlist: {exc}") from exc
        suffix = p.suffix.lower()
        entries: list[Any]
        if suffix == ".json":
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                raise ParameterError(f"{p}: not valid JSON: {exc.msg} (line {exc.lineno})") from exc
            entries = data.get("allow", []) if isinstance(data, dict) else data
        elif suffix == ".toml":
            try:
                data = tomllib.loads(text)
            except tomllib.TOMLDecodeError as exc:
                raise ParameterError(f"{p}: not valid TOML: {exc}") from exc
            entries = data.get("allow", [])
        else:
            entries = []
            for number, line in enumerate(text.splitlines(), 1):
                line = line.split("#", 1)[0].strip()
                if not line:
                    continue
                if line.lower().startswith("outlet:"):
                    entries.append({"outlet": line[7:].strip(), "_line": number})
                else:
                    h, _, note = line.partition(" ")
                    entries.append({"hash": h, "note": note.strip(), "_line": number})
        if not isinstance(entries, list):
            raise ParameterError(f"{p}: expected a list of allowlist entries")
        hashes: dict[str, str] = {}
        outlets: list[str] = []
        for i, entry in enumerate(entries, 1):
            if isinstance(entry, str):
                entry = {"hash": entry}
            where = f"{p}:{entry.get('_line', i)}" if isinstance(entry, dict) else f"{p}: entry {i}"
            if not isinstance(entry, dict) or not ("hash" in entry or "outlet" in entry):
                raise ParameterError(f"{where}: an entry needs 'hash' or 'outlet'")
            if "hash" in entry:
                hashes[check_hash(str(entry["hash"]), where)] = str(entry.get("note") or "")
            if "outlet" in entry and str(entry["outlet"]).strip():
                outlets.append(str(entry["outlet"]))
        return cls.of(hashes, outlets)

    def reason(self, match_hashes: Sequence[str], indexed_outlet: str | None) -> str | None:
        """Why a match is allowed (``None``: it is not)."""
        for h in match_hashes:
            if h in self.hashes:
                note = self.hashes[h]
                return f"allowlist {h}" + (f" ({note})" if note else "")
        if indexed_outlet and indexed_outlet.strip().casefold() in self.outlets:
            return f"allowed outlet {indexed_outlet}"
        return None


def check_hash(h: str, where: str) -> str:
    h = h.strip().lower()
    if len(h) != 16 or any(c not in "0123456789abcdef" for c in h):
        raise ParameterError(f"{where}: {h!r} is not a content hash (16 hex digits, as in `check --format json`)")
    return h
