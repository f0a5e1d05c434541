"""Document ids for files: readable, never shared by two files, stable from one working directory.

The scheme (also in the README):

* A file that is one document (text, Markdown, HTML) is called by its
  **stem** — the name without compression and format suffixes
  (``000_b2a058ac03e6db85.txt`` → ``000_b2a058ac03e6db85``,
  ``page.html.gz`` → ``page``) — when that stem names it alone among the
  files read.
* It is called by its **path** instead — relative to the working directory
  (absolute outside it), ``/``-separated, without the suffixes
  (``archive/posts/b/index``) — when its stem is a generic page-bundle name
  (``index``, ``_index``, ``README``, ``default``, ``item``, ``page``,
  ``content``: Hugo, Jekyll, Grav), when two files read together share the stem, or
  when a record or front matter already took the stem. Two files that differ
  only by suffix keep the suffix in their path ids (``notes.md``, ``notes.txt``).
* Records (JSONL lines, CSV rows) carry their own ``id``; without one they
  are ``<file id>:<line>``. WARC pages are their target URI.

So page bundles (``posts/a/index.md``, ``posts/b/index.md``) are distinct
documents, and ``index add archive/`` then ``check archive/posts/b/index.md``
(from the same directory) agree on the id. The one case that depends on the
other inputs is a stem shared by two files read together: they are called
by their paths, while a later run that reads one of them alone calls it by
its stem.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable

from syndetect.readers.compression import COMPRESSION_SUFFIXES, strip_suffixes

__all__ = ["GENERIC_STEMS", "stem_of", "path_id", "assign_file_ids", "own_ids"]

GENERIC_STEMS = frozenset({"index", "_index", "readme", "default", "item", "page", "content"})


def stem_of(path: str) -> str:
    return strip_suffixes(os.path.basename(path))[0]


def path_id(path: str, keep_suffix: bool = False) -> str:
    """The path id: relative to the working directory (absolute outside it), ``/``-separated."""
    full = os.path.abspath(path)
    try:
        rel = os.path.relpath(full)
    except ValueError:  # another drive (Windows)
        rel = full
    if rel == ".." or rel.startswith(".." + os.sep):
        rel = full
    rel = rel.replace(os.sep, "/")
    if keep_suffix:
        head, _, name = rel.rpartition("/")
        lower = name.lower()
        for suffix in COMPRESSION_SUFFIXES:
            if lower.endswith(suffix):
                name = name[: -len(suffix)]
                break
        return f"{head}/{name}" if head else name
    head, _, name = rel.rpartition("/")
    stem = strip_suffixes(name)[0]
    return f"{head}/{stem}" if head else stem


def assign_file_ids(paths: Iterable[str]) -> dict[str, str]:
    """The id of each file read together (see the module docstring)."""
    paths = list(dict.fromkeys(paths))
    stems = Counter(stem_of(p) for p in paths)
    ids: dict[str, str] = {}
    for p in paths:
        stem = stem_of(p)
        ids[p] = stem if stems[stem] == 1 and stem.lower() not in GENERIC_STEMS else path_id(p)
    by_id = Counter(ids.values())
    for p, i in ids.items():
        if by_id[i] > 1:  # notes.md and notes.txt in one directory
            ids[p] = path_id(p, keep_suffix=True)
    return ids


def own_ids(doc_id: str, source: str) -> frozenset[str]:
    """The ids a document may have been indexed under: its own id, and, for a
    document read from a file of its own, that file's path id.

    A file named alone gets its stem, but beside another file with the same
    stem it gets its path id: ``index add archive/`` may have stored
    ``archive/2024/01/story`` for the file that ``check archive/2024/01/story.md``
    calls ``story``. Both name the same file (from the same working
    directory), so neither is a copy of the other.
    """
    ids = {doc_id}
    if source and os.path.isfile(source):
        ids.add(path_id(source))
    return frozenset(ids)
