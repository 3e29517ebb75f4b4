"""The specialised path decides exactly as the general path (``engine.specialise``).

A question decided often enough is decided by one generated function, its decision tree; the
general path computes every feature and looks up the class. For every question of the bundled
policy and every district variant (with the example overlay), as the text stood and as of
today, both must give equal decisions on drawn fact sets — the benchmarks' (which reach every
rule of the questions they are drawn for) and hypothesis's for every subject — and a value
the tree does not know must reach the general path, not a wrong answer.
"""

from __future__ import annotations

import datetime
import os
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from pydantic import BaseModel

import jurisdiction
from jurisdiction import Engine, JurisdictionError
from jurisdiction.engine import engine as engine_module
from jurisdiction.engine import specialise as specialise_module
from jurisdiction.testing import facts

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from drawn import SUBJECT, fact_sets

from drawn_settings import compared_on

EXAMPLES = 200 if os.environ.get("JURISDICTION_FULL") else 10
OVERLAYS = Path(__file__).resolve().parent.parent / "examples" / "overlays"
ENGINE = jurisdiction.load(overlays=OVERLAYS)
DRAWN: dict[str, list[BaseModel]] = {}
for _question, _drawn in fact_sets(500 if EXAMPLES < 100 else 5000).items():
    DRAWN.setdefault(SUBJECT[_question], []).extend(ENGINE.parse_facts(f) for f in _drawn)
DAYS = ("2012-06-01", datetime.date.today().isoformat())


def _outcome(fn: Any, model: BaseModel, ctx: Any) -> object:
    try:
        return fn(model, ctx, "2012-06-01", "given")
    except JurisdictionError as exc:
        return (type(exc).__name__, str(exc))


def _paths(engine: Engine, question: str) -> list[tuple[Any, Any]]:
    """(specialised, general) for the city and each district variant of the question."""
    out = []
    for compiled in engine.compiled_variants(question):
        counted: list[int] = []
        real = specialise_module._product

        def product(sizes: Any, real: Any = real, counted: list[int] = counted) -> int:
            counted.append(real(sizes))
            return counted[-1]

        with pytest.MonkeyPatch.context() as m:
            m.setattr(specialise_module, "_product", product)
            special = engine.specialised(compiled)
        general = engine_module.partial(engine_module._general, engine.policy, compiled)
        if special is None:  # only where the classes are too many to enumerate (documented)
            assert counted, f"{question} ({compiled.district}) was not specialised"
            assert counted[-1] > specialise_module.MAX_CLASSES, f"{question} was not specialised"
            special = general  # decide keeps the general path for it
        out.append((special, general))
    return out


@pytest.mark.parametrize("day", DAYS)
@pytest.mark.parametrize("question", sorted(ENGINE.policy.questions))
def test_the_specialised_path_decides_as_the_general_one(question: str, day: str) -> None:
    engine = ENGINE.at(day)
    q = engine.policy.questions[question]
    paths = _paths(engine, question)
    ctx = engine.context
    for model in DRAWN.get(q.subject, ()):
        for special, general in paths:
            assert _outcome(special, model, ctx) == _outcome(general, model, ctx)

    @compared_on(EXAMPLES)
    @given(facts(engine, q.subject))
    def same(model: BaseModel) -> None:
        for special, general in paths:
            assert _outcome(special, model, ctx) == _outcome(general, model, ctx)

    same()


@pytest.mark.parametrize("question", sorted(ENGINE.policy.questions))
def test_the_tree_grown_from_the_conditions_decides_as_the_general_path(
    question: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A question whose classes are too many to enumerate gets a tree grown from what is left
    of its conditions (``engine.residual``): forced on every question here, and on every
    district variant, it decides as the general path on the drawn fact sets."""
    monkeypatch.setattr(specialise_module, "MAX_CLASSES", 0)
    engine = ENGINE.at(DAYS[0])
    q = engine.policy.questions[question]
    ctx = engine.context
    for compiled in engine.compiled_variants(question):
        special = engine.specialised(compiled)
        assert special is not None, f"{question} ({compiled.district}) was not specialised"
        general = engine_module.partial(engine_module._general, engine.policy, compiled)
        for model in DRAWN.get(q.subject, ()):
            assert _outcome(special, model, ctx) == _outcome(general, model, ctx)


def test_second_child_approval_is_specialised_though_its_classes_are_many() -> None:
    """50,176 classes: more than ``MAX_CLASSES``, so its tree is grown from the conditions."""
    engine = ENGINE.at(DAYS[0])
    counted: list[int] = []
    real = specialise_module._product
    with pytest.MonkeyPatch.context() as m:
        m.setattr(specialise_module, "_product", lambda s: counted.append(real(s)) or counted[-1])
        for compiled in engine.compiled_variants("second_child_approval"):
            assert engine.specialised(compiled) is not None
    assert counted
    assert min(counted) > specialise_module.MAX_CLASSES


def test_a_value_the_tree_does_not_know_goes_the_general_way() -> None:
    engine = ENGINE.at(DAYS[0])
    valid = engine.parse_facts(
        {
            "kind": "unit",
            "category": "government_organ",
            "rank": "bureau",
            "staff": 50,
            "location": "120101001001",
        }
    )
    # an enum value no class holds (the models refuse it; a stand-in reads like one)
    odd = SimpleNamespace(**{**dict(valid), "category": "not_a_category"})
    for special, general in _paths(engine, "unit_management"):
        assert _outcome(special, odd, engine.context) == _outcome(general, odd, engine.context)


def test_decide_switches_to_the_specialised_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_module, "SPECIALISE_AFTER", 3)
    engine = jurisdiction.load().at(DAYS[0])
    facts = {"kind": "resident", "hukou": "120101001", "residence": "120102001", "sex": "female"}
    facts["age"] = 30
    decisions = [engine.decide(facts, "first_child_certificate") for _ in range(5)]
    compiled = engine.compiled_variants("first_child_certificate")[0]
    assert callable(compiled.fast[1])  # specialised after the third decision
    assert all(d == decisions[0] for d in decisions)
    assert [b.place_code for b in decisions[-1].bodies] == ["120102001"]  # the residence


EXAMPLE_POLICIES = sorted(
    p.parent.name for p in (OVERLAYS.parent).glob("*/policy.yaml") if p.parent.name != "overlays"
)


@pytest.mark.parametrize("grown", [False, True], ids=["enumerated", "grown"])
@pytest.mark.parametrize("name", EXAMPLE_POLICIES)
def test_other_policies_specialise_alike_or_keep_the_general_path(
    name: str, grown: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The example policies (lists of records, lookup tables, every failed criterion, answer
    values): where a question gets a specialised function it decides as the general path; where
    it cannot (a feature the tree does not handle), ``specialised`` says None, never a wrong
    function. ``grown``: every tree grown from the conditions, none enumerated."""
    if grown:
        monkeypatch.setattr(specialise_module, "MAX_CLASSES", 0)
    engine = jurisdiction.load(OVERLAYS.parent / name)
    for day in (DAYS[0], DAYS[1]):
        at = engine.at(day)
        for question, q in sorted(at.policy.questions.items()):
            ctx = at.context
            for compiled in at.compiled_variants(question):
                special = at.specialised(compiled)
                if special is not None:
                    general = engine_module.partial(engine_module._general, at.policy, compiled)
                    _alike(special, general, facts(at, q.subject), ctx)


def _alike(special: Any, general: Any, strategy: Any, ctx: Any) -> None:
    @compared_on(EXAMPLES)
    @given(strategy)
    def same(model: BaseModel) -> None:
        assert _outcome(special, model, ctx) == _outcome(general, model, ctx)

    same()


def test_an_engine_of_one_day_goes_straight_to_the_specialised_function(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``engine.at(day).decide(model, q)`` calls the question's specialised function directly
    once it has one (no day, district or subject to work out again): the same decisions as with
    the day given (which takes the long way), an engine of another day keeps its own, and facts
    of another subject are refused as before."""
    monkeypatch.setattr(engine_module, "SPECIALISE_AFTER", 3)
    base = jurisdiction.load()
    engine, other = base.at(DAYS[0]), base.at(DAYS[1])
    question = "first_child_certificate"
    models = DRAWN[SUBJECT[question]][:40]
    straight = [engine.decide(m, question) for m in models]
    assert question in engine._fast  # the straight way was taken for most of them
    assert question not in other._fast
    assert straight == [base.decide(m, question, as_of=DAYS[0]) for m in models]
    assert [other.decide(m, question) for m in models] == [
        base.decide(m, question, as_of=DAYS[1]) for m in models
    ]
    unit = engine.parse_facts(
        {"kind": "unit", "category": "government_organ", "rank": "bureau", "staff": 5}
        | {"location": "120101001001"}
    )
    with pytest.raises(JurisdictionError, match="is about a resident"):
        engine.decide(unit, question)
