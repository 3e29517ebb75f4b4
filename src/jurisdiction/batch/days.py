"""The day each row of a batch is decided as of, and where it comes from — as ``decide`` finds
it for one fact set (docs/time.md):

* ``given``: one day for every row (``as_of=``, ``--as-of``);
* ``column``: the row's own day, from a date column of the input (``as_of_column=``,
  ``--as-of-column``); a row whose cell is empty or not a date gets that as its ``error``;
* ``facts``: the field the policy names as dating this kind of case (``dated_by``), read per
  row; a row without it is decided as of ``today``, as ``decide`` does;
* ``today``: neither given nor named.

A dated policy stands differently in each stretch between its changes (``engine.epochs()``):
the plan of a row is the plan of its day's stretch (``epoch_of``), and ``as_of`` in a condition
reads the row's day (``day``).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from sqlglot import exp

from ..core.errors import FactsError
from .sql_vocabulary import SqlVocabulary, cast, lit

if TYPE_CHECKING:
    from ..engine.engine import Engine

__all__ = ["AS_OF", "AS_OF_SOURCE", "ROW_DAY", "RowDays", "engine_on", "row_days", "runs"]

AS_OF = "as_of"
"""The output column of each row's day (a date; null where the row has none)."""
AS_OF_SOURCE = "as_of_source"
"""The output column saying where the row's day came from: given, column, facts or today."""
ROW_DAY = "#as_of"
"""The member of a flagged row's facts that carries its day (as text) to ``decide``."""

Source = Literal["given", "column", "facts", "today"]


@dataclass(frozen=True, slots=True)
class RowDays:
    """How the rows of one batch find their day."""

    source: Source
    day: datetime.date
    """The fixed day (``given``, ``today``), or the day a row without its dating field is
    decided as of (``facts``: today)."""
    column: str | None = None
    """The input column (``column``) or the dating field (``facts``) read per row."""

    @property
    def per_row(self) -> bool:
        return self.source in ("column", "facts")

    def day_sql(self, v: SqlVocabulary) -> exp.Expr:
        """The row's day as a SQL date (null where a column's cell is empty or not a date)."""
        fixed = cast(lit(self.day.isoformat()), "DATE")
        if self.source == "column":
            assert self.column is not None
            return exp.TryCast(
                this=exp.column(self.column, quoted=True), to=exp.DataType.build("DATE")
            )
        if self.source == "facts":
            assert self.column is not None
            return exp.func("COALESCE", v.raw(self.column), fixed)
        return fixed

    def source_sql(self, v: SqlVocabulary) -> exp.Expr:
        """Where the row's day came from, as text."""
        if self.source == "facts":
            assert self.column is not None
            present = exp.Not(this=exp.Is(this=v.raw(self.column), expression=exp.Null()))
            return exp.Case().when(present, lit("facts")).else_(lit("today"))
        return lit(self.source)

    def text_sql(self, v: SqlVocabulary) -> exp.Expr:
        """The row's day as text for ``decide`` (a column's cell as written where it is not a
        date, so that the row's error quotes it)."""
        assert self.column is not None
        day = self.day_sql(v)
        written = cast(exp.column(self.column, quoted=True), "VARCHAR")
        return (
            exp.Case()
            .when(
                exp.Not(this=exp.Is(this=day.copy(), expression=exp.Null())), cast(day, "VARCHAR")
            )
            .else_(written)
        )


def row_days(
    engine: Engine,
    subject: str,
    as_of: datetime.date | str | None,
    as_of_column: str | None,
) -> RowDays:
    """How a batch about ``subject`` finds each row's day (see the module's doc)."""
    from ..engine.engine import as_day

    if as_of is not None and as_of_column is not None:
        raise FactsError("give one day for every row (as_of) or a column of days (as_of_column)")
    if as_of is not None:
        return RowDays("given", as_day(as_of))
    today = datetime.date.today()
    if as_of_column is not None:
        return RowDays("column", today, as_of_column)
    field = engine.policy.dated_by.get(subject)
    if field is not None:
        return RowDays("facts", today, field)
    return RowDays("today", today)


def runs(engines: Sequence[Engine], question: str) -> list[tuple[int, int]]:
    """The stretches (by index) in which ``question`` answers alike, as runs of consecutive
    stretches (first, last): its rules, the parameter values it reads and the overlays the
    same from one stretch to the next. One plan per run serves all its stretches."""
    from ..engine.engine import parameters_read

    out: list[tuple[int, int]] = []
    for k, e in enumerate(engines):
        if out:
            before = engines[out[-1][0]].policy
            now = e.policy
            q = now.questions[question]
            if (
                before.questions[question] == q
                and all(before.parameters[p] == now.parameters[p] for p in parameters_read(q))
                and before.overlays == now.overlays
            ):
                out[-1] = (out[-1][0], k)
                continue
        out.append((k, k))
    return out


def epoch_of(
    day: exp.Expr, stretches: Sequence[tuple[datetime.date | None, datetime.date | None]]
) -> exp.Expr:
    """The index of the stretch ``day`` falls in (null for a null day)."""
    case = exp.Case().when(exp.Is(this=day.copy(), expression=exp.Null()), exp.Null())
    for i, (_start, end) in enumerate(stretches[:-1]):
        assert end is not None
        case = case.when(
            exp.LT(this=day.copy(), expression=cast(lit(end.isoformat()), "DATE")), lit(i)
        )
    return case.else_(lit(len(stretches) - 1))


_ON: dict[tuple[int, datetime.date], tuple[Engine, Engine]] = {}
"""The engines of the policy on a day (``engine.at(day)``), for the last few (engine, day)
pairs: a new engine from ``at`` each batch would build each question's plans again (seconds)."""
_ON_KEPT = 32


def engine_on(engine: Engine, day: datetime.date) -> Engine:
    """``engine.at(day)``, the same engine for the same engine and day (its plans are kept)."""
    key = (id(engine), day)
    found = _ON.get(key)
    if found is None:
        while len(_ON) >= _ON_KEPT:
            del _ON[next(iter(_ON))]
        found = _ON[key] = (engine, engine.at(day))  # the engine held: its id stays its own
    return found[1]


def day_in(start: datetime.date | None, end: datetime.date | None) -> datetime.date:
    """A day of a stretch (its first; the day before it ends for the first stretch)."""
    if start is not None:
        return start
    if end is not None:
        return end - datetime.timedelta(days=1)
    return datetime.date.today()
