"""The timeline of a policy: every day on which something it answers changes, and for whom.

At each break of a dated policy (``policy.dated``) the policy the day before and the policy that
day are compared exactly, question by question (``diff``): the regions of facts whose answer
changes, with the old and the new answer and the rules behind them. A break that changes no
answer (a caution, a body's name) is listed with what it adds.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..policy.dated import policy_on
from ..policy.dating import Instrument
from ..policy.model import Policy
from .diff import PolicyDiff, diff_policies
from .over_time import _changed

__all__ = ["Change", "timeline"]


@dataclass(frozen=True, slots=True)
class Change:
    """What changes on one day."""

    day: datetime.date
    instruments: tuple[Instrument, ...]
    """The instruments in force from that day (none: a period of force or a dated value)."""
    diff: PolicyDiff
    """The questions whose answers change that day, region by region."""

    @property
    def answers_change(self) -> bool:
        return self.diff.differs

    def render(self) -> str:
        head = f"{self.day.isoformat()}:"
        lines = [head]
        lines.extend(
            f"  {i.title.en} ({i.certainty.replace('_', ' ')}; in force {i.in_force})"
            for i in self.instruments
        )
        if self.diff.differs or not self.diff.complete:
            lines.extend("  " + line for line in self.diff.render().splitlines())
        else:
            lines.append("  no answer changes (cautions or names only)")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "instruments": [
                {"id": i.id, "title": i.title.en, "in_force": i.in_force, "certainty": i.certainty}
                for i in self.instruments
            ],
            "answers_change": self.answers_change,
            "complete": self.diff.complete,
            "questions": self.diff.to_dict()["questions"],
        }


def timeline(policy: Policy) -> Iterator[Change]:
    """Each day on which the policy changes, in order, with the exact changes of its answers."""
    dating = policy.dating
    if dating is None or not dating.breaks:
        return
    before = policy_on(policy, dating.breaks[0] - datetime.timedelta(days=1))
    for day in dating.breaks:
        after = policy_on(policy, day)
        changed = _changed(before, after)
        yield Change(
            day,
            tuple(i for i in dating.instruments if i.starts == day),
            diff_policies(before, after, only=changed),
        )
        before = after
