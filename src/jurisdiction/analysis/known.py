"""Values of a subject's features that some fact set found so far takes together.

The partition's walk asks, pair by pair and prefix by prefix, whether values of several
features have a fact set at all (``partition._ImpossiblePairs``); most do, and a search that
finds one costs as much as one that proves there is none. But every fact set found — a class's
witness, a pair's or a prefix's — already answers that question for every set of the values it
takes: these are kept here, per feature and value, so that such a question is answered by a
lookup when a fact set already found takes them all. Only a yes is answered so: a no still
needs its proof. The walk then skips the same classes (a proof is a proof: values a found fact
set takes are never proved impossible), and the witnesses are those the searches find.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["KnownValues"]


class KnownValues:
    """For one subject: which fact sets found (by number) take each feature's value."""

    __slots__ = ("_count", "_holders", "_sets")

    def __init__(self) -> None:
        self._holders: dict[tuple[str, Any], set[int]] = {}
        self._count = 0
        self._sets: set[tuple[tuple[str, Any], ...]] = set()  # each set of values added

    def add(self, values: Iterable[tuple[str, Any]]) -> None:
        """A fact set found, by the values its features take (feature name, value)."""
        values = tuple(values)
        if values in self._sets:  # (another class of the same values but its whole numbers)
            return
        self._sets.add(values)
        n = self._count
        self._count += 1
        holders = self._holders
        for item in values:
            found = holders.get(item)
            if found is None:
                holders[item] = {n}
            else:
                found.add(n)

    def together(self, values: Sequence[tuple[str, Any]]) -> bool:
        """Whether some fact set found takes every one of these values."""
        sets = []
        for item in values:
            found = self._holders.get(item)
            if not found:
                return False
            sets.append(found)
        if not sets:
            return self._count > 0
        sets.sort(key=len)
        common = sets[0]
        for other in sets[1:]:
            common = common & other
            if not common:
                return False
        return True
