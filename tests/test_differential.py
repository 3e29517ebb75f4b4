"""Differential tests: the durable_rules evaluator decides exactly as the default one.

For every question of the bundled policy, hypothesis generates valid fact sets (every consistent
combination of features, whole numbers at the thresholds, districts with and without an overlay)
and both engines must give equal decisions — or raise the same error with the same message.
A second, synthetic policy exercises what the bundled one does not: overlapping ``or`` branches,
negations of conjunctions, comparisons between two facts, a rule that never holds, chains of
overrides and a conflict.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from pydantic import BaseModel

import jurisdiction
from drawn_settings import compared_on
from jurisdiction import Decision, Engine, JurisdictionError
from jurisdiction.analysis.partition import partition, realiser_for
from jurisdiction.engine.engine import parameters_read
from jurisdiction.language.conditions import FactRef, walk

from fact_strategies import fact_sets
from policy_kit import base_policy, write

# Every class witness of the exact partition is decided first; the generated examples come on top.
# By default 25 per question and stretch (beside every class's witness), within the README test
# command's budget on 2 cores; JURISDICTION_FULL=1 draws 500, and
# JURISDICTION_DIFFERENTIAL_EXAMPLES any number.
EXAMPLES = int(
    os.environ.get(
        "JURISDICTION_DIFFERENTIAL_EXAMPLES", "500" if os.environ.get("JURISDICTION_FULL") else "25"
    )
)

_SETTINGS = compared_on(EXAMPLES)

Outcome = Decision | tuple[str, str]

EXAMPLE_OVERLAYS = Path(__file__).resolve().parent.parent / "examples" / "overlays"
# with the illustrative overlay (the bundled policy has none), so that overlay variants are covered
COMPILED = jurisdiction.load(overlays=EXAMPLE_OVERLAYS)
DURABLE = jurisdiction.load(evaluator="durable", overlays=EXAMPLE_OVERLAYS)
TEXT_DAY = "2012-06-01"
"""A day when the text stood as written (later law ends some of its duties from 2016)."""


def _outcome(engine: Engine, facts: BaseModel, question: str) -> Outcome:
    try:
        return engine.decide(facts, question)
    except JurisdictionError as exc:
        return (type(exc).__name__, str(exc))


def _differential(compiled: Engine, durable: Engine, question: str) -> list[Outcome]:
    """Run the property for one question; return every outcome seen (for coverage checks).

    First on the witness of every class of the question's exact partition (so every rule and
    override that can take effect does, whatever hypothesis draws), then on generated fact sets.
    """
    seen: list[Outcome] = []
    q = compiled.policy.questions[question]
    classes = partition(compiled, q, realiser_for(compiled)).classes
    for cls in classes:
        expected = _outcome(compiled, cls.facts, question)
        assert _outcome(durable, cls.facts, question) == expected, cls.describe(q.subject)
        seen.append(expected)
    read = {n.feature for r in q.rules for n in walk(r.expanded) if isinstance(n, FactRef)}

    @_SETTINGS
    @given(fact_sets(compiled, q.subject, focus=read, classes=[c.values for c in classes]))
    def same(facts: BaseModel) -> None:
        expected = _outcome(compiled, facts, question)
        assert _outcome(durable, facts, question) == expected
        seen.append(expected)

    same()
    return seen


def _fired(outcomes: list[Outcome]) -> tuple[set[str], set[str]]:
    decisions = [o for o in outcomes if isinstance(o, Decision)]
    return (
        {r for d in decisions for r in d.rules_fired},
        {r for d in decisions for r in d.rules_overridden},
    )


def test_the_durable_engine_says_which_evaluator_it_is() -> None:
    assert (COMPILED.evaluator, DURABLE.evaluator) == ("compiled", "durable")


@pytest.mark.parametrize("question", sorted(COMPILED.policy.questions))
def test_both_evaluators_decide_alike(question: str) -> None:
    # the text as written (every rule in force), then each later stretch of time in which later
    # law changed the question (policies/amendments.yaml): the two evaluators decide alike in each
    outcomes = _differential(COMPILED.at(TEXT_DAY), DURABLE.at(TEXT_DAY), question)
    previous = COMPILED.at(TEXT_DAY).policy.questions[question]
    for start, _end in COMPILED.epochs()[1:]:
        assert start is not None
        now = COMPILED.at(start).policy.questions[question]
        if now != previous:
            later = _differential(COMPILED.at(start), DURABLE.at(start), question)
            assert later  # the ended question was asked, and both evaluators agreed
        previous = now
    q = COMPILED.policy.questions[question]
    fired, overridden = _fired(outcomes)
    # the generated facts reached every rule and every override of the question
    assert fired == {r.id for r in q.rules}
    assert overridden == {t for r in q.rules for t in r.overrides}
    if any(parameters_read(q) & set(o.parameters) for o in COMPILED.policy.overlays.values()):
        assert any(isinstance(o, Decision) and o.sources for o in outcomes)  # an overlay decided


SYNTHETIC = """
definitions:
  grown:
    subject: resident
    cite: {article: 1}
    doc: of age, or married
    when: resident.age >= param.childbearing_age_male_min or resident.marital_status == "married"

questions:
  synthetic:
    subject: resident
    title: {zh: 合成, en: synthetic}
    rules:
      - id: synthetic.overlapping_or
        cite: {article: 2, item: 1}
        when: >-
          resident.hukou_in_city or resident.cross_street or resident.age > 10
          or resident.sex in ["female", "male"]
        answer:
          bodies: [{body: fp_department, place: residence, level: street, role: responsible}]
      - id: synthetic.negated
        cite: {article: 2, item: 2}
        when: >-
          not (grown and (resident.cross_district or not resident.residence_in_city))
          and not resident.age in [0, 1, 2, 60]
        overrides: [synthetic.overlapping_or]
        answer:
          bodies: [{body: fp_department, place: hukou, level: street, role: responsible}]
      - id: synthetic.facts_compared
        cite: {article: 2, item: 3}
        when: >-
          resident.hukou_in_city == resident.residence_in_city
          and resident.cross_street != resident.cross_district
          and resident.age <= resident.age and not resident.sex == resident.marital_status
        overrides: [synthetic.negated]
        answer:
          bodies: [{body: fp_department, place: hukou, level: district, role: responsible}]
      - id: synthetic.never
        cite: {article: 2, item: 4}
        when: false or (resident.age < 5 and resident.age > 100)
        answer:
          bodies: [{body: fp_department, place: hukou, level: district, role: joint}]
      - id: synthetic.conflicting
        cite: {article: 3, item: 1}
        when: >-
          resident.age == param.childbearing_age_female_max and resident.cross_street
          and param.childbearing_age_female_min < 20
        answer:
          bodies: [{body: fp_department, place: woman_hukou, level: street, role: responsible}]
"""


def test_both_evaluators_decide_alike_on_a_synthetic_policy(tmp_path: Path) -> None:
    root = base_policy(tmp_path)
    write(root, "synthetic.yaml", SYNTHETIC)
    compiled = jurisdiction.load(root)
    durable = jurisdiction.load(root, evaluator="durable")
    outcomes = _differential(compiled, durable, "synthetic")
    fired, overridden = _fired(outcomes)
    assert fired == {"synthetic.overlapping_or", "synthetic.negated", "synthetic.facts_compared"}
    assert overridden == {"synthetic.overlapping_or", "synthetic.negated"}
    conflicts = [o[1] for o in outcomes if isinstance(o, tuple) and o[0] == "ConflictError"]
    # both evaluators raised the same ConflictError, with the same message
    assert any("synthetic.conflicting" in message for message in conflicts)
