"""The partition's rule sweep (analysis/sweep.py) finds, class after class, exactly the rules the
engine finds holding on each class's witness."""

from __future__ import annotations

import pytest

import jurisdiction
from jurisdiction.analysis.partition import int_thresholds, partition, realiser_for, splits
from jurisdiction.analysis.sweep import RuleSweep

ENGINE = jurisdiction.load().at("2012-06-01")
QUESTIONS = sorted(ENGINE.policy.questions)


def test_the_sweep_serves_the_questions_with_thresholds_and_enums() -> None:
    policy = ENGINE.policy
    served = {
        name
        for name, q in policy.questions.items()
        if RuleSweep.of(
            ENGINE,
            q,
            splits(policy, q),
            lambda e, q=q: int_thresholds(policy, policy.subjects[q.subject], [e]),
        )
        is not None
    }
    assert {"unit_management", "first_child_certificate", "fp_staffing"} <= served


@pytest.mark.parametrize("name", QUESTIONS)
def test_every_class_holds_the_rules_the_engine_finds(name: str) -> None:
    question = ENGINE.policy.questions[name]
    part = partition(ENGINE, question, realiser_for(ENGINE))
    assert part.classes
    for cls in part.classes:
        assert frozenset(cls.fired) == ENGINE.holding(question, cls.facts), cls.describe("x")
