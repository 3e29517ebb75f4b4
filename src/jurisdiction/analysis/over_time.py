"""The checks of a policy over time: each stretch between two dates where the policy changes is
checked as the policy stands then, and each finding says in which period it holds.

A dated policy (``policy.dated``) changes only at its breaks: between two of them, every rule,
value and ended question is fixed, so the exact partition of each question in each stretch is the
exact check of the policy over time. The first stretch is checked whole (every check, every
district overlay); a later one re-checks only the questions that changed (a rule in or out of
force, an ended question, a parameter value it reads), with the checks a change can affect
(``overlap``, ``gap``, ``answer-place``, ``unreachable``). A finding that holds in several
stretches in a row is reported once, with the whole period.
"""

from __future__ import annotations

import dataclasses
import datetime
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..engine.engine import Engine, parameters_read
from ..policy.load import load_policy
from ..policy.model import Policy
from .check import _BY_VALUE, Checker, Finding, reads_as_of
from .partition import QuestionPartition

__all__ = ["TimeChecker", "check", "checker_for"]


def _day_in(start: datetime.date | None, end: datetime.date | None) -> datetime.date:
    """The day a stretch is checked as of: its first, or the day before it ends; today for
    the whole of time (a policy that dates nothing but reads ``as_of``)."""
    if start is not None:
        return start
    if end is None:
        return datetime.date.today()
    return end - datetime.timedelta(days=1)


def _changed(before: Policy, after: Policy) -> frozenset[str]:
    """The questions whose answers may differ between two stretches of one policy."""
    out = set()
    for name, q in after.questions.items():
        old = before.questions[name]
        if old != q:
            out.add(name)
            continue
        for p in parameters_read(q):
            if before.parameters[p].value != after.parameters[p].value:
                out.add(name)
                break
    return frozenset(out)


class TimeChecker:
    """One run of the checks over every stretch of a dated policy (the interface of
    :class:`Checker` that the command line and the certificate read)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.policy = engine.policy
        self.stretches: list[tuple[datetime.date | None, datetime.date | None, Checker]] = []
        previous: Policy | None = None
        for start, end in engine.epochs():
            sub = engine.at(_day_in(start, end))
            only = None if previous is None else _changed(previous, sub.policy)
            self.stretches.append((start, end, Checker(sub, only=only)))
            previous = sub.policy

    @property
    def classes_decided(self) -> int:
        return sum(c.classes_decided for _s, _e, c in self.stretches)

    def partitions(self) -> Iterator[QuestionPartition]:
        """The partitions of the first stretch (the policy before any change)."""
        return self.stretches[0][2].partitions()

    def later(
        self,
    ) -> Iterator[tuple[datetime.date, datetime.date | None, list[QuestionPartition]]]:
        """For each later stretch, its period and the partitions of the questions it re-checks."""
        for start, end, checker in self.stretches[1:]:
            assert start is not None
            yield start, end, list(checker.partitions())

    def all_findings(self) -> Iterator[Finding]:
        out: list[Finding] = []
        last: dict[tuple[Any, ...], int] = {}
        for i, (start, end, checker) in enumerate(self.stretches):
            begins = start.isoformat() if start else None
            ends = end.isoformat() if end else None
            for f in checker.all_findings() if i == 0 else checker.value_findings():
                if i > 0 and f.code not in _BY_VALUE:
                    continue
                key = (f.code, f.question, f.rules, f.message)
                at = last.get(key)
                if at is not None and out[at].period is not None:
                    period = out[at].period
                    assert period is not None
                    if period[1] == begins:  # the same finding, the stretch before: one period
                        whole = period[0] is None and ends is None
                        out[at] = dataclasses.replace(
                            out[at], period=None if whole else (period[0], ends)
                        )
                        continue
                last[key] = len(out)
                whole = begins is None and ends is None
                out.append(dataclasses.replace(f, period=None if whole else (begins, ends)))
        yield from out


def check(policy: Policy | Engine | str | os.PathLike[str]) -> Iterator[Finding]:
    """The findings of every check on ``policy``, lazily: overlaps and gaps first — for a policy
    that dates what it answers, stretch by stretch, each finding with its period.

    ``policy`` is a loaded :class:`Policy`, an :class:`Engine`, or a policy directory (loaded
    leniently, so that inconsistent overrides are findings rather than a ``PolicyError``).
    """
    if isinstance(policy, Engine):
        engine = policy
    elif isinstance(policy, Policy):
        engine = Engine(policy)
    else:
        engine = Engine(load_policy(Path(policy), strict=False))
    return checker_for(engine).all_findings()


def checker_for(engine: Engine) -> Checker | TimeChecker:
    """The checker of ``engine``'s policy: over time where the policy dates anything or reads
    ``as_of`` (checked as of a day: its cases cannot be decided as of none)."""
    if engine.policy.dating is None and not any(
        reads_as_of(engine.policy, q) for q in engine.policy.questions.values()
    ):
        return Checker(engine)
    return TimeChecker(engine)
