"""The values of time in a policy: periods of force, later instruments and what they end or
caution, and what a policy as it stands on a day carries (``Epoch``). Built and applied in
``dated``; read by the engine and the checker. Imports nothing of the policy, which holds them.
"""

from __future__ import annotations

import datetime
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..core.errors import Location
from ..core.text import Cite, Text

DatedValue = tuple[datetime.date, int | bool | str | tuple[str, ...], Text | None, str]
"""A parameter's value from a day: (from, value, note, who set it)."""

__all__ = ["NOT_IN_FORCE", "Caution", "Dating", "Ending", "Epoch", "Instrument", "Period"]

NOT_IN_FORCE = "not_in_force"
"""The outcome of a question that is not in force on the day asked."""


@dataclass(frozen=True, slots=True)
class Period:
    """From ``start`` (inclusive) until ``end`` (exclusive); None is open."""

    start: datetime.date | None = None
    end: datetime.date | None = None

    def holds(self, day: datetime.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)

    def label(self) -> Text:
        start = self.start.isoformat() if self.start else None
        end = self.end.isoformat() if self.end else None
        if start and end:
            return Text(f"{start} 至 {end}", f"from {start} until {end}")
        if start:
            return Text(f"自 {start} 起", f"from {start}")
        if end:
            return Text(f"至 {end}", f"until {end}")
        return Text("始终", "always")


@dataclass(frozen=True, slots=True)
class Instrument:
    """A later instrument, as a decision names it."""

    id: str
    title: Text
    issuer: Text | None
    adopted: str | None
    in_force: str
    """As the policy writes it: a day, or a month or year where the day is not known."""
    starts: datetime.date
    certainty: str
    source: str
    summary: Text
    quoted: bool
    """True where ``summary`` quotes text the project ships; otherwise it is our summary."""
    location: Location


@dataclass(frozen=True, slots=True)
class Ending:
    """Why a question, rule or article is no longer in force: the instrument, what replaces it."""

    instrument: Instrument
    replaced_by: Text | None = None

    @property
    def note(self) -> Text:
        """What a decision says of it: what the instrument does, and what replaces the duty."""
        summary = self.instrument.summary
        if self.replaced_by is None:
            return Text(f"终止:{summary.zh}", f"ended: {summary.en}")
        by = self.replaced_by
        return Text(
            f"终止:{summary.zh};代之以:{by.zh}", f"ended: {summary.en}; replaced by: {by.en}"
        )


@dataclass(frozen=True, slots=True)
class Caution:
    instrument: Instrument
    note: Text
    questions: frozenset[str] | None  # None: every question


@dataclass(frozen=True, slots=True)
class Dating:
    """Everything dated in a policy, resolved and checked on load."""

    in_force: Period
    articles: Mapping[int, Period] = field(default_factory=dict)
    questions: Mapping[str, Period] = field(default_factory=dict)
    rules: Mapping[str, Period] = field(default_factory=dict)
    values: Mapping[str, tuple[DatedValue, ...]] = field(default_factory=dict)
    """Each parameter's later values: (from, value, note, who set it)."""
    ends_questions: Mapping[str, Ending] = field(default_factory=dict)
    ends_rules: Mapping[str, Ending] = field(default_factory=dict)
    ends_cites: Mapping[Cite, Ending] = field(default_factory=dict)
    renames: Mapping[str, tuple[tuple[datetime.date, tuple[Text, ...], Instrument], ...]] = field(
        default_factory=dict
    )
    cautions: tuple[Caution, ...] = ()
    instruments: tuple[Instrument, ...] = ()
    breaks: tuple[datetime.date, ...] = ()
    """Every date from which something changes, sorted: the policy is the same between two."""

    def epoch(self, day: datetime.date) -> int:
        return bisect_right(self.breaks, day)

    def epoch_start(self, epoch: int) -> datetime.date | None:
        return self.breaks[epoch - 1] if epoch > 0 else None

    def epoch_period(self, epoch: int) -> Period:
        end = self.breaks[epoch] if epoch < len(self.breaks) else None
        return Period(self.epoch_start(epoch), end)

    def day_in(self, epoch: int) -> datetime.date:
        """A day of that epoch (its first, or the day before the first break)."""
        start = self.epoch_start(epoch)
        if start is not None:
            return start
        return self.breaks[0] - datetime.timedelta(days=1) if self.breaks else datetime.date.min


@dataclass(frozen=True, slots=True)
class Epoch:
    """What a policy on a day carries besides its rules: for the decisions it makes."""

    period: Period
    endings: Mapping[str, tuple[Ending, ...]] = field(default_factory=dict)
    """For each question that is not in force, why (empty: not in force by a period of force)."""
    cautions: Mapping[str, tuple[Caution, ...]] = field(default_factory=dict)
    renamed: tuple[Instrument, ...] = ()
