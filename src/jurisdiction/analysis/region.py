"""A region of a question's fact space as ``diff`` prints it: a product of feature values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .partition import ClassValue

__all__ = ["Region", "union"]


@dataclass(frozen=True, slots=True)
class Region:
    """A product of feature values: each feature's values, in the order of its split."""

    values: tuple[tuple[str, tuple[ClassValue, ...]], ...]

    def contains(self, cls_values: Sequence[tuple[str, ClassValue]]) -> bool:
        mine = dict(self.values)
        return all(v in mine[name] for name, v in cls_values)

    def join(self, other: Region) -> Region:
        theirs = dict(other.values)
        return Region(tuple((name, union(vs, theirs[name])) for name, vs in self.values))


def union(a: tuple[ClassValue, ...], b: tuple[ClassValue, ...]) -> tuple[ClassValue, ...]:
    """The values of ``a``, then those of ``b`` not in ``a``."""
    return a + tuple(v for v in b if v not in a)
