"""Lists of records and lookup tables: the closures of ``any``, ``all``, ``count``, ``sum``,
``min``, ``max`` over a list of records, and of ``lookup`` in a policy's table.

A list of records is a field ``{type: list, of: <subject>}``: a tuple of nested fact sets, never
null (absent, it is empty). ``f(list, m -> body)`` checks ``body`` about each record as ``m`` and
combines the results:

* ``any``: some record's body holds; ``all``: every record's does (true of an empty list);
* ``count``: how many records' bodies hold;
* ``sum``: the sum of the bodies' whole numbers (null ones left out; 0 of an empty list);
* ``min``, ``max``: the least, the greatest of them (null of an empty list).

A body that is null is read as false by ``any``, ``all`` and ``count``, like ``and``. A lookup
table is policy data (``tables:``): rows from a typed key to a typed value, read by
``lookup(table.name, key)``; a key the table has no row for (or null) gives the table's
``default``, or null without one. The type checking is in ``language.expressions``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["AGGREGATES", "Table", "aggregate", "lookup"]

Getter = Callable[[Any, Any], Any]

AGGREGATES: Mapping[str, str] = {
    "any": "any(list, m -> condition): some record of the list meets the condition",
    "all": "all(list, m -> condition): every record of the list meets it (true of an empty list)",
    "count": "count(list, m -> condition): how many records of the list meet the condition",
    "sum": "sum(list, m -> number): the sum over the records (0 of an empty list)",
    "min": "min(list, m -> number): the least over the records (null of an empty list)",
    "max": "max(list, m -> number): the greatest over the records (null of an empty list)",
}
"""The functions over a list of records, with what each gives."""

CONDITIONS = frozenset({"any", "all", "count"})
"""The aggregates whose body is a condition (the others' is a whole number)."""


@dataclass(frozen=True, slots=True)
class Table:
    """A lookup table of a policy: its rows from key to value, typed when the policy loads."""

    name: str
    key: str
    """The key's type: ``int``, ``text``, ``place`` or an enum's name."""
    value: str
    """The value's type: ``int``, ``bool``, ``text`` or an enum's name."""
    rows: Mapping[Any, Any]
    default: Any = None
    doc: str = ""

    def get(self, key: Any) -> Any:
        if key is None:
            return self.default
        return self.rows.get(key, self.default)


def aggregate(name: str, items: Getter, body: Getter) -> Getter:
    """The closure of ``name(items, m -> body)``: ``items`` reads the list from the fact set,
    ``body`` one record."""
    if name == "any":
        return lambda o, c: any(body(r, c) for r in items(o, c) or ())
    if name == "all":
        return lambda o, c: all(body(r, c) for r in items(o, c) or ())
    if name == "count":
        return lambda o, c: sum(1 for r in items(o, c) or () if body(r, c))
    fold: Callable[[list[int]], int | None]
    if name == "sum":
        fold = sum
    elif name == "min":
        fold = _least
    else:
        fold = _greatest

    def get(o: Any, c: Any) -> Any:
        values = [v for r in items(o, c) or () if (v := body(r, c)) is not None]
        return fold(values)

    return get


def _least(values: list[int]) -> int | None:
    return min(values) if values else None


def _greatest(values: list[int]) -> int | None:
    return max(values) if values else None


def lookup(table: Table, key: Getter) -> Getter:
    """The closure of ``lookup(table.<name>, key)``."""
    rows, default = table.rows, table.default
    return lambda o, c: default if (k := key(o, c)) is None else rows.get(k, default)
