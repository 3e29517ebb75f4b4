"""Pass 4a (with the vocabulary): the policy's lookup tables (``tables:``), each row's key and
value checked against the table's declared types, with located errors (``unknown-type`` for a
type that is none, ``table-row`` for a row that does not fit)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..core.errors import Diagnostic, suggest
from ..language.aggregates import Table
from ..language.places import Hierarchy
from .sources import _Source
from .strict_yaml import Path_

if TYPE_CHECKING:  # read, not validated, here: kept documents come without it (kept_models)
    from . import schema as s

__all__ = ["build_tables"]

KEY_TYPES = ("int", "text", "place")
VALUE_TYPES = ("int", "bool", "text")


def _fits(kind: str, value: Any, enums: Mapping[str, tuple[str, ...]], h: Hierarchy) -> str | None:
    """Why ``value`` is not of type ``kind`` (None if it is)."""
    if kind in enums:
        if value in enums[kind]:
            return None
        return f"{value!r} is not a value of enum `{kind}` (" + ", ".join(enums[kind]) + ")"
    if kind == "int":
        ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok else f"{value!r} is not a whole number"
    if kind == "bool":
        return None if isinstance(value, bool) else f"{value!r} is not true or false"
    if not isinstance(value, str):
        return f"{value!r} is not a text"
    if kind == "place":
        return h.problem(value)
    return None


def build_tables(
    decls: Mapping[str, tuple[s.Table, _Source]],
    enums: Mapping[str, tuple[str, ...]],
    hierarchy: Hierarchy,
) -> tuple[dict[str, Table], list[Diagnostic]]:
    """The tables, or the problems found in them."""
    tables: dict[str, Table] = {}
    problems: list[Diagnostic] = []

    def at(code: str, message: str, src: _Source, path: Path_, near: str | None = None) -> None:
        problems.append(Diagnostic(code, message, src.doc.location(path), near, path))

    for name, (decl, src) in decls.items():
        base: Path_ = ("tables", name)
        bad = False
        for what, allowed in (("key", KEY_TYPES), ("value", VALUE_TYPES)):
            kind = getattr(decl, what)
            if kind not in allowed and kind not in enums:
                known = (*allowed, *sorted(enums))
                at(
                    "unknown-type",
                    f"unknown {what} type `{kind}`; a table's {what} is "
                    + ", ".join(allowed)
                    + " or an enum ("
                    + (", ".join(sorted(enums)) or "none declared")
                    + ")",
                    src,
                    (*base, what),
                    suggest(kind, set(known)),
                )
                bad = True
        if bad:
            continue
        for key, value in decl.rows.items():
            why = _fits(decl.key, key, enums, hierarchy)
            if why is not None:
                at("table-row", f"key of table `{name}`: {why}", src, (*base, "rows", key))
                bad = True
            why = _fits(decl.value, value, enums, hierarchy)
            if why is not None:
                at("table-row", f"value of table `{name}`: {why}", src, (*base, "rows", key))
                bad = True
        if decl.default is not None:
            why = _fits(decl.value, decl.default, enums, hierarchy)
            if why is not None:
                at("table-row", f"default of table `{name}`: {why}", src, (*base, "default"))
                bad = True
        if not bad:
            tables[name] = Table(
                name, decl.key, decl.value, dict(decl.rows), decl.default, decl.doc
            )
    return tables, problems
