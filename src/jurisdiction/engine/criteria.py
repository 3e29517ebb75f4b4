"""Every failed criterion of a scope (``criteria: all`` on its definition): each case of the
scope's ``outside`` tested on the facts, and the reasons of those that hold, with the values
they name. The rules are those of ``criteria: first`` (the first case that holds applies, and
the checker proves the cases cover the outside): only the decision says more."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..core.text import Text
from ..language.compile import Predicate
from ..language.subjects import Context
from .decision import Failure, joined

__all__ = ["Criterion", "failed", "joined"]

Fill = tuple[str, Callable[[Any, Context], Any]]
"""A placeholder of a reason (``{subject.field}``) and the getter of its value."""


@dataclass(frozen=True, slots=True)
class Criterion:
    """One case of a scope's ``outside``: whether the facts fail it, and what it then says."""

    id: str
    holds: Predicate
    reason: Text
    fills: tuple[Fill, ...]


def failed(
    criteria: Sequence[Criterion], facts: Any, ctx: Context, shown: Callable[[Any], str]
) -> tuple[Failure, ...]:
    """The criteria the facts fail, in the order the policy writes them, each with its reason
    filled in and the values it names (``shown`` as every reason shows a value)."""
    out: list[Failure] = []
    for c in criteria:
        if not c.holds(facts, ctx):
            continue
        zh, en = c.reason.zh, c.reason.en
        values: list[tuple[str, str]] = []
        for placeholder, get in c.fills:
            value = shown(get(facts, ctx))
            zh, en = zh.replace(placeholder, value), en.replace(placeholder, value)
            values.append((placeholder[1:-1], value))
        out.append(Failure(c.id, Text(zh, en), tuple(values)))
    return tuple(out)
