"""`jurisdiction check` over dates: never falsely clean (issue 18, item 6).

The fixture ``tests/time_policies/months_gap`` ties a months field to two dates through
``years_between`` and leaves a gap at exactly 24 months. The checker used to drop every class it
could not construct (those at 12 months and more) without a word, and so missed the gap and
called the settled rule unreachable. Now each class is either realised, proved impossible, or
reported as unverified (``check-incomplete``); and dates are realised under such constraints, so
the gap is found with a witness that ``decide`` confirms.
"""

from __future__ import annotations

from pathlib import Path

import jurisdiction
from jurisdiction.policy.load import load_policy

TIME_POLICIES = Path(__file__).resolve().parent / "time_policies"
MONTHS_GAP = TIME_POLICIES / "months_gap"


def _engine(root: Path) -> jurisdiction.Engine:
    return jurisdiction.Engine(load_policy(root, strict=False))


def test_a_gap_behind_a_date_constraint_is_found_with_a_witness() -> None:
    engine = _engine(MONTHS_GAP)
    findings = list(jurisdiction.check(engine))
    assert [f.code for f in findings] == ["gap"], [str(f) for f in findings]
    (gap,) = findings
    assert gap.question == "permit"
    facts = gap.witness_data()
    assert facts is not None and facts["months"] == 24
    assert engine.decide(facts, "permit").outcome == "no_rule"
