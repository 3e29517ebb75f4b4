"""The SQL of a batch plan kept between runs of ``jurisdiction batch``: building it (the decision
trees of the questions, then the SQL, with sqlglot's DuckDB dialect imported for it) takes
0.2–0.4 s of every run, the same each time for the same policy and the same kind of file.

A plan is kept in the user's cache (``core.user_cache``: the user's own files, no one else's to
write) under a full description of what it was made from, compared in full before its SQL is
used: the input's columns and their types, the questions, the options that shape the SQL
(nested output, id column, the columns carried through, how each row finds its day), today's
date, the engine's evaluator and the day it is bound to, the policy's fingerprint (every file's
name and bytes) and the sha256 of the policy as it stands in memory (its ``repr``), and the
path, size and modification time of every module of this package, of sqlglot and of DuckDB's
Python package (``core.sources_key``). The file holds the SQL with its sha256, checked on reading:
plain text, never pickle. Anything not so verified is built again and kept anew; a cache that
cannot be used (no home directory, not the user's) is no error: the plan is built, nothing kept.
A kind of file (its columns and questions) keeps its newest ``KEPT_PER_SHAPE`` plans.

The command line keeps plans; ``run_batch`` from Python only when asked to (``keep_plan=``).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import zlib
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ..core import user_cache
from ..core.sources_key import sources_key
from .days import RowDays

if TYPE_CHECKING:
    from ..engine.engine import Engine

__all__ = ["KEPT_PER_SHAPE", "kept_sql", "plan_key"]

KEPT_PER_SHAPE = 3
"""How many plans a kind of file (its columns and questions) keeps: one per change of the
policy or the package would grow without end."""

LIMIT = 16 << 20
"""The largest plan file read (a plan's SQL is tens of kilobytes)."""


def plan_key(
    engine: Engine, days: RowDays | None, shape: Mapping[str, Any], options: Mapping[str, Any]
) -> tuple[str, bytes]:
    """The kind of file a plan is for (``shape``: its questions, columns and types, as JSON) and
    the full description of what the plan is made from (see the module's text); ``options``:
    the rest of ``batch_sql``'s arguments but ``days`` (plain values)."""
    kind = json.dumps(shape, ensure_ascii=False, sort_keys=True)
    policy = engine.policy
    head = "\0".join(
        [
            "batch",
            kind,
            json.dumps(options, ensure_ascii=False, sort_keys=True),
            repr(days),
            repr(engine.day),
            datetime.date.today().isoformat(),  # a plan may read today (``days``)
            engine.evaluator,
            policy.fingerprint,
            hashlib.sha256(repr(policy).encode("utf-8", "surrogateescape")).hexdigest(),
        ]
    )
    return kind, sources_key(head, ("sqlglot", "duckdb"))


def _crc(text: bytes) -> str:
    return f"{zlib.crc32(text):08x}"


def _prefix(shape: str) -> str:
    return f"batch-{_crc(shape.encode('utf-8', 'surrogateescape'))}-"


def kept_sql(shape: str, key: bytes, build: Callable[[], str]) -> str:
    """The SQL kept under ``key`` (from ``plan_key``), verified; else ``build()``'s, kept."""
    directory = user_cache.cache_path() if user_cache.SUPPORTED else None
    dir_fd = None if directory is None else user_cache.open_directory(directory, create=True)
    if dir_fd is None:
        return build()
    try:
        name = f"{_prefix(shape)}{_crc(key)}-{len(key)}.sql"
        found = user_cache.unkeyed(user_cache.read_private(dir_fd, name, LIMIT), key)
        if found is not None:
            try:
                return found.decode("utf-8")
            except UnicodeDecodeError:
                pass  # not what was kept (the digest matched bytes that are not ours): rebuilt
        sql = build()
        user_cache.write_private(dir_fd, name, user_cache.keyed(key, sql.encode("utf-8")))
        user_cache.prune(dir_fd, _prefix(shape), ".sql", name, KEPT_PER_SHAPE)
        return sql
    finally:
        os.close(dir_fd)
