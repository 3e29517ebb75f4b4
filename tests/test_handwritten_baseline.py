"""The benchmarks' hand-written baseline decides as the engine does: it cannot drift.

``benchmarks/baseline.py`` is what ``decide`` is measured against (``benchmarks/run.py``); a
baseline that gives other answers would make the ratios compare different work. Every function
it has is checked against ``engine.decide`` on thousands of drawn fact sets (the benchmarks' own,
``benchmarks/drawn.py``), as of the day the text stood as written and as of today, and the drawn
sets must reach every rule of each question on the first day — so a policy change that the
baseline does not follow fails here, in the suite.
"""

from __future__ import annotations

import datetime
import os
import sys
from pathlib import Path

import pytest

import jurisdiction

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from baseline import build, light
from drawn import QUESTIONS, fact_sets

COUNT = 20_000 if os.environ.get("JURISDICTION_FULL") else 2_000
"""Fact sets per question: thousands in CI, ten times as many under JURISDICTION_FULL=1."""

ENGINE = jurisdiction.load()
FACTS = fact_sets(COUNT)
MODELS = {q: [jurisdiction.parse_facts(f) for f in fs] for q, fs in FACTS.items()}
DAYS = ("2012-06-01", datetime.date.today().isoformat())


@pytest.mark.parametrize("day", DAYS)
@pytest.mark.parametrize("question", QUESTIONS)
def test_the_baseline_decides_as_the_engine(question: str, day: str) -> None:
    engine = ENGINE.at(day)
    handwritten = build(engine)[question]
    differ = [
        (model, handwritten(model), light(d))
        for model in MODELS[question]
        if handwritten(model) != light(d := engine.decide(model, question))
    ]
    assert not differ, f"{len(differ)} of {COUNT} differ, the first: {differ[0]}"


@pytest.mark.parametrize("question", QUESTIONS)
def test_the_drawn_facts_reach_every_rule(question: str) -> None:
    engine = ENGINE.at(DAYS[0])
    applied = {r for m in MODELS[question] for r in engine.decide(m, question).rules_applied}
    rules = {r.id for r in engine.policy.questions[question].rules}
    assert rules - applied == set(), "no drawn fact set reaches these rules"


def test_a_drifted_baseline_is_caught() -> None:
    """The check above would fail: a baseline with the wrong threshold differs somewhere."""
    engine = ENGINE.at(DAYS[0])
    handwritten = build(engine)["unit_management"]

    def drifted(model: object) -> object:
        got = handwritten(model)
        return ("undetermined", (), ()) if getattr(model, "staff", 0) == 1000 else got

    assert any(
        drifted(m) != light(engine.decide(m, "unit_management")) for m in MODELS["unit_management"]
    )
