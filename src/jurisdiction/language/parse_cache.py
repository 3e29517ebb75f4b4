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
* the file is lines of JSON of plain data (a text, then its tree: class names from a fixed list,
  strings, whole numbers, booleans), decoded field by field: never pickle, nothing in it can run
  code. A tree is decoded only when its exact text is asked for (see :class:`Store`);
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

FORMAT = 2
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


def _key(text: str) -> bytes:
    """How ``text`` is written at the start of its line: as JSON, which never holds a raw tab or
    line break, and gives one text one key."""
    return json.dumps(text, ensure_ascii=False).encode("utf-8", "surrogatepass")


class Store:
    """The trees kept for one parser, read on the first lookup: each line of the file is one
    text (as JSON), a tab, and its tree (as JSON), after a line that names the format and the
    parser. Reading the file splits it into lines by text; a tree is decoded only when its text
    is asked for, so a run that needs the ~160 texts of one policy does not decode the 4,096 a
    file may hold (once test suites and generated policies have filled it)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.parser: str | None = None
        self.kept: dict[bytes, bytes] = {}
        self.used: set[bytes] = set()
        self.new: dict[bytes, bytes] = {}

    def _name(self) -> str:
        return f"conditions-{self.parser}.jsonl"

    def _load(self) -> dict[bytes, bytes]:
        """The entries of the file as it is now, each text's key and its tree's JSON ({} when
        absent, not private, not ours, or of another format or parser)."""
        dir_fd = _open_directory(self.directory, create=False)
        if dir_fd is None:
            return {}
        try:
            data = _read(dir_fd, self._name())
        finally:
            os.close(dir_fd)
        if data is None:
            return {}
        head, _, body = data.partition(b"\n")
        try:
            found = json.loads(head)
        except (ValueError, RecursionError):
            return {}
        if not isinstance(found, dict) or found.get("format") != FORMAT:
            return {}
        if found.get("parser") != self.parser:
            return {}
        entries: dict[bytes, bytes] = {}
        for line in body.split(b"\n"):
            key, tab, tree = line.partition(b"\t")
            if tab:
                entries[key] = tree
        return entries

    def get(self, parser: str, text: str) -> Any | None:
        """The kept value for ``text`` under ``parser`` (a digest), or None."""
        if self.parser != parser:  # the first lookup (one parser per process)
            self.parser, self.used, self.new = parser, set(), {}
            self.kept = self._load()
        key = _key(text)
        found = self.kept.get(key)
        if found is None:
            return None
        try:
            value = json.loads(found)
        except (ValueError, RecursionError):
            self.kept.pop(key, None)  # replaced by the next parse of its text
            return None
        self.used.add(key)
        return value

    def put(self, parser: str, text: str, value: Any) -> None:
        if self.parser == parser:
            self.new[_key(text)] = json.dumps(
                value, ensure_ascii=False, separators=(",", ":")
            ).encode("utf-8", "surrogatepass")

    def forget(self, text: str) -> None:
        """Drop an entry that did not decode: it is replaced by the next parse of its text."""
        key = _key(text)
        self.kept.pop(key, None)
        self.used.discard(key)

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
        head = json.dumps({"format": FORMAT, "parser": self.parser}).encode()
        data = b"\n".join([head, *(key + b"\t" + tree for key, tree in entries.items())])
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
