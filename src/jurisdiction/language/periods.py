"""Calendar arithmetic on dates: what the language's period functions compute.

``days_between``, ``months_between``, ``add_days``, ``add_months`` and ``next_anniversary`` of
the condition language (``language.expressions`` wraps these in closures; the batch evaluator's
SQL, ``batch.sql_vocabulary``, computes the same values). The calendar is the proleptic Gregorian
one of :mod:`datetime`, of DuckDB and of Spark.

Month ends: adding months keeps the day of the month unless the month is too short, then gives
its last day (31 January + 1 month is 29 February in a leap year, 28 February otherwise). An
anniversary is a whole number of years (twelve months) added so: 29 February's falls on 28
February in a common year.

Dates outside 0001-01-01 .. 9999-12-31 do not exist here: a function whose result would fall
outside gives ``None`` (``null`` in the language), never an error.
"""

from __future__ import annotations

import datetime

__all__ = [
    "MAX_DAYS",
    "MAX_MONTHS",
    "add_days",
    "add_months",
    "days_between",
    "month_length",
    "months_between",
    "next_anniversary",
]

MAX_DAYS = (datetime.date.max - datetime.date.min).days
"""The most days between two dates: a larger offset always leaves the calendar."""
MAX_MONTHS = 12 * (datetime.MAXYEAR - datetime.MINYEAR + 1)
"""The most months between two dates, likewise."""

_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def month_length(year: int, month: int) -> int:
    """How many days the month has (February's 29 in a leap year of the Gregorian calendar)."""
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _DAYS[month - 1]


def days_between(a: datetime.date, b: datetime.date) -> int:
    """Whole days from ``a`` to ``b``: negative if ``b`` is before ``a``."""
    return b.toordinal() - a.toordinal()


def add_days(d: datetime.date, n: int) -> datetime.date | None:
    """``n`` days after ``d`` (before, if ``n`` is negative); None outside the calendar."""
    ordinal = d.toordinal() + n
    if not 1 <= ordinal <= _MAX_ORDINAL:
        return None
    return datetime.date.fromordinal(ordinal)


_MAX_ORDINAL = datetime.date.max.toordinal()


def add_months(d: datetime.date, n: int) -> datetime.date | None:
    """``n`` calendar months after ``d`` (before, if negative), the day kept unless the month is
    shorter, then its last day; None outside the calendar."""
    year, month0 = divmod(d.year * 12 + d.month - 1 + n, 12)
    if not datetime.MINYEAR <= year <= datetime.MAXYEAR:
        return None
    month = month0 + 1
    return datetime.date(year, month, min(d.day, month_length(year, month)))


def months_between(a: datetime.date, b: datetime.date) -> int:
    """Whole calendar months from ``a`` to ``b``: for ``a <= b`` the largest ``n`` with
    ``add_months(a, n) <= b``; for ``b < a``, ``-months_between(b, a)``."""
    if b < a:
        return -months_between(b, a)
    n = (b.year - a.year) * 12 + b.month - a.month
    # add_months(a, n) falls in b's month, on min(a.day, the month's length): after b exactly
    # when b's day is before a's and b is not its month's last day
    if b.day < a.day and b.day < month_length(b.year, b.month):
        n -= 1
    return n


def next_anniversary(d: datetime.date, ref: datetime.date) -> datetime.date | None:
    """The first anniversary of ``d`` (``add_months(d, 12 * k)`` for k = 1, 2, ...) on or after
    ``ref``: ``d``'s first anniversary when ``ref`` is before it; None outside the calendar."""
    k = max(ref.year - d.year, 1)
    found = add_months(d, 12 * k)
    if found is not None and found < ref:
        found = add_months(d, 12 * (k + 1))
    return found
