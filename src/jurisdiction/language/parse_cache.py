"""Parsed conditions kept between runs of the command line, in the user's cache directory.

Every run of a command parses the same conditions again: for the bundled policy, 108 texts, which
cost importing lark, building its parser and parsing them — about 60 ms of a ``jurisdiction
decide`` of 400. Inside :func:`persisting` (the command line runs each command in it),
:func:`jurisdiction.language.parse.parse_expression` looks a text up among the trees kept by earlier
runs before it parses it, and the trees it parsed meanwhile are added to the file at the end. A
library caller (``jurisdiction.load()``) reads and writes nothing here.

Why a kept tree is the tree that parsing would give, and why reading one is safe:

* a tree is a function of its text and of the parser alone, and it is looked up by the exact
  text: a policy whose bytes change has its changed conditions parsed again, never matched to an
  old tree. The file is named by a digest of the parser — the source of the modules that build
  trees and lark's version (:func:`jurisdiction.language.parse.parser_digest`) — so a changed parser
  starts a file of its own;
* the file is JSON of plain data (class names from a fixed list, strings, whole numbers,
  booleans), decoded field by field: never pickle, nothing in it can run code;
* a file is read only if the user owns it, no one else may write to it, and it is a regular file
  (opened without following a link, and judged by what was opened, not by its name): only the
  user (or root) can have written what such a file holds, so the trees in it were put there by
  the user's own runs, whoever else may rename or delete names in the directory. The directory
  must be the user's too and not writable by everyone (``/tmp`` is not a cache: neither read
  nor written there). These checks, and writing a file whole, live in ``core.user_cache``.

The directory is ``$XDG_CACHE_HOME/jurisdiction``, else ``~/.cache/jurisdiction`` (created
``0700``); the help texts of the command line are kept there too.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..core import user_cache

__all__ = ["Store", "active", "cache_directory", "persisting"]

FORMAT = 1
"""The layout of the file; a file of another layout is ignored (and replaced when written)."""
MAX_ENTRIES = 4096
"""At most this many texts are kept (the bundled policy has 108); the least recently used go."""
MAX_FILE_BYTES = 16 << 20
"""A larger file is not read."""

_SUPPORTED = user_cache.SUPPORTED
_open_directory = user_cache.open_directory


def cache_directory() -> Path | None:
    """The user's cache directory of this package (which need not exist yet), or None if there
    is no home directory to put it in."""
    found = user_cache.cache_path()
    return Path(found) if found is not None else None


def _read(dir_fd: int, name: str) -> bytes | None:
    return user_cache.read_private(dir_fd, name, MAX_FILE_BYTES)


_write = user_cache.write_private


class Store:
    """The trees kept for one parser, as JSON values by text, read on the first lookup."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.parser: str | None = None
        self.kept: dict[str, Any] = {}
        self.used: set[str] = set()
        self.new: dict[str, Any] = {}

    def _name(self) -> str:
        return f"conditions-{self.parser}.json"

    def _load(self) -> dict[str, Any]:
        """The entries of the file as it is now ({} when absent, not private, or not ours)."""
        dir_fd = _open_directory(self.directory, create=False)
        if dir_fd is None:
            return {}
        try:
            data = _read(dir_fd, self._name())
        finally:
            os.close(dir_fd)
        if data is None:
            return {}
        try:
            found = json.loads(data)
        except (ValueError, RecursionError):
            return {}
        if not isinstance(found, dict) or found.get("format") != FORMAT:
            return {}
        trees = found.get("trees")
        if found.get("parser") != self.parser or not isinstance(trees, dict):
            return {}
        return trees

    def get(self, parser: str, text: str) -> Any | None:
        """The kept value for ``text`` under ``parser`` (a digest), or None."""
        if self.parser != parser:  # the first lookup (one parser per process)
            self.parser, self.used, self.new = parser, set(), {}
            self.kept = self._load()
        found = self.kept.get(text)
        if found is not None:
            self.used.add(text)
        return found

    def put(self, parser: str, text: str, value: Any) -> None:
        if self.parser == parser:
            self.new[text] = value

    def forget(self, text: str) -> None:
        """Drop an entry that did not decode: it is replaced by the next parse of its text."""
        self.kept.pop(text, None)
        self.used.discard(text)

    def save(self) -> None:
        """Add the new trees to the file, with those other runs added meanwhile; keep the most
        recently used when there are too many."""
        if not self.new or self.parser is None:
            return
        current = self._load()
        recent = [t for t in current if t in self.used and t not in self.new]
        entries = {t: v for t, v in current.items() if t not in self.used and t not in self.new}
        entries.update((t, current[t]) for t in recent)
        entries.update(self.new)
        if len(entries) > MAX_ENTRIES:
            entries = dict(list(entries.items())[-MAX_ENTRIES:])
        data = json.dumps(
            {"format": FORMAT, "parser": self.parser, "trees": entries},
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode("utf-8")
        dir_fd = _open_directory(self.directory, create=True)
        if dir_fd is None:
            return
        try:
            _write(dir_fd, self._name(), data)
        finally:
            os.close(dir_fd)
        self.new = {}


_ACTIVE: list[Store] = []


def active() -> Store | None:
    """The store of the enclosing :func:`persisting`, if any."""
    return _ACTIVE[-1] if _ACTIVE else None


@contextmanager
def persisting(directory: Path | None = None) -> Iterator[None]:
    """Look parsed conditions up in, and add them to, the user's cache (or ``directory``)."""
    directory = directory or cache_directory()
    if _ACTIVE or not _SUPPORTED or directory is None:  # nested: the outer one saves
        yield
        return
    store = Store(directory)
    _ACTIVE.append(store)
    try:
        yield
    finally:
        _ACTIVE.clear()
        store.save()
