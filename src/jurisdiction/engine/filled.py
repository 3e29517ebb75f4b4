"""A decision's reason with the fact set's values in it, filled only when it is read.

A reason may show values of the facts (``{subject.field}``) and of parameters. Filling it costs
more than the rest of a decision, and most decisions are never read as text (a batch, a service
that answers in JSON fields, a test that checks the outcome); so the engine gives a
:class:`FilledText`: a :class:`~jurisdiction.core.text.Text` whose ``zh`` and ``en`` are computed
on first read and kept. It equals, hashes, prints, pickles and serialises as the ``Text`` of
the same words.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..core.text import Text, filled, shown
from ..language.expressions import Names

__all__ = ["Fill", "FilledText", "filled", "later", "shown"]

Fill = tuple[str, Callable[[Any, Any], Any]]
"""A placeholder of a reason, and the getter of the value it shows."""

_ZH = Text.__dict__["zh"]  # Text's own slots: where a FilledText keeps its words once filled
_EN = Text.__dict__["en"]


class FilledText(Text):
    """``filled(reason, fills, facts, ctx)``, computed when ``zh`` or ``en`` is first read.

    The facts are validated models, which nothing changes after validation, so the words are the
    same whenever they are read."""

    __slots__ = ("_pending",)
    _pending: tuple[Text, tuple[Fill, ...], Any, Any] | None
    """``(reason, fills, facts, ctx)`` until the words are filled (one slot: one store, on
    the path of every decision whose reason shows values)."""

    def __init__(self, reason: Text, fills: tuple[Fill, ...], facts: Any, ctx: Any) -> None:
        object.__setattr__(self, "_pending", (reason, fills, facts, ctx))

    def _fill(self) -> None:
        pending = self._pending
        assert pending is not None  # filled once: the words are kept from then on
        text = filled(*pending)
        _ZH.__set__(self, text.zh)
        _EN.__set__(self, text.en)
        object.__setattr__(self, "_pending", None)  # the words are kept: the facts need not be

    @property
    def zh(self) -> str:
        try:
            return str(_ZH.__get__(self))
        except AttributeError:
            self._fill()
            return str(_ZH.__get__(self))

    @property
    def en(self) -> str:
        try:
            return str(_EN.__get__(self))
        except AttributeError:
            self._fill()
            return str(_EN.__get__(self))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Text):
            return (self.zh, self.en) == (other.zh, other.en)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.zh, self.en))

    def __repr__(self) -> str:
        return f"Text(zh={self.zh!r}, en={self.en!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Text, (self.zh, self.en))


_PENDING = FilledText.__dict__["_pending"]  # its one slot's descriptor


def later(names: Names, reason: str, fills: str, facts: str, ctx: str) -> str:
    """``FilledText(reason, fills, facts, ctx)`` as a Python expression over those names, for a
    generated function (``engine.specialise``): the instance made by ``object.__new__`` and its
    one slot set through its descriptor, without the call of ``__init__`` (a third of the cost
    of making it)."""
    made, k = names.temp(), names.bind
    new = f"({made} := {k(object.__new__)}({k(FilledText)}))"
    return f"({k(_PENDING.__set__)}({new}, ({reason}, {fills}, {facts}, {ctx})) or {made})"
