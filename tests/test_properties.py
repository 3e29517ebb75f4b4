"""Property tests, written with the strategies the library ships (`jurisdiction.testing`)."""

from __future__ import annotations

import importlib
import random
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

import jurisdiction
from jurisdiction import testing
from jurisdiction._load import load_policy
from jurisdiction._places import validate_place
from jurisdiction._subjects import SUBJECTS
from jurisdiction.testing import (
    check_decision,
    facts,
    place_codes,
    policy_properties,
    question_property,
    thresholds,
)
from policy_files import FIXTURES, compose

BUNDLED = jurisdiction.load()
BUNDLED_AGAIN = jurisdiction.load()
ERRORS = {"overlap", "gap", "answer-place", "override"}


def _fixture_engine(tmp: Path, *layers: str) -> jurisdiction.Engine:
    root = compose(tmp, *(FIXTURES / layer for layer in layers))
    return jurisdiction.Engine(load_policy(root, strict=False))


# --- the module itself ----------------------------------------------------------------------------


def test_importing_it_without_hypothesis_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delitem(sys.modules, "jurisdiction.testing")
    monkeypatch.setitem(sys.modules, "hypothesis", None)
    with pytest.raises(ImportError, match=r"pip install 'jurisdiction\[test\]'"):
        importlib.import_module("jurisdiction.testing")


def test_thresholds_come_from_the_policy() -> None:
    assert thresholds(BUNDLED, "resident") == {"age": (15, 18, 49)}
    assert thresholds(BUNDLED, "birth_case") == {}


@pytest.mark.parametrize("subject", sorted(SUBJECTS))
@given(data=st.data())
def test_every_subject_gets_valid_fact_sets(subject: str, data: st.DataObject) -> None:
    fact_set = data.draw(facts(BUNDLED, subject))
    assert isinstance(fact_set, SUBJECTS[subject].model)
    assert jurisdiction.parse_facts(fact_set.model_dump()) == fact_set
    for decision in BUNDLED.decide_all(fact_set).values():
        assert decision.subject == subject


@pytest.mark.parametrize("subject", sorted(SUBJECTS))
@given(data=st.data())
def test_the_samples_realise_every_combination_that_facts_can_have(
    subject: str, data: st.DataObject
) -> None:
    """The partition's exactness rests on this: any valid fact set's boolean and enum features
    are those of some sample (field-built fact sets are drawn independently of the samples)."""
    subj = SUBJECTS[subject]
    built = testing._from_fields(BUNDLED, subj)
    assert built is not None
    fact_set = data.draw(built)
    ctx = BUNDLED.context
    values = {n: f.get(fact_set, ctx) for n, f in subj.features.items() if f.type.kind != "int"}
    assert any(values == v for _m, v in testing._samples(BUNDLED, subject)), values


@given(place_codes("12"))
def test_place_codes_are_valid_streets_or_communities(code: str) -> None:
    assert validate_place(code) == code
    assert len(code) in (9, 12)


@given(facts(BUNDLED, "resident", where={"cross_street": True, "cross_district": False, "age": 49}))
def test_facts_where_fixes_features(fact_set: BaseModel) -> None:
    ctx = BUNDLED.context
    features = SUBJECTS["resident"].features
    assert features["cross_street"].get(fact_set, ctx) is True
    assert features["cross_district"].get(fact_set, ctx) is False
    assert features["age"].get(fact_set, ctx) == 49


def test_facts_where_refuses_what_no_fact_set_can_be() -> None:
    with pytest.raises(ValueError, match="no feature"):
        facts(BUNDLED, "resident", where={"staff": 3})
    with pytest.raises(ValueError, match="no resident fact set"):
        facts(BUNDLED, "resident", where={"cross_street": False, "cross_district": True})


# --- checker soundness: what check finds clean, decide never contradicts --------------------------


@pytest.mark.parametrize("question", BUNDLED.questions())
def test_the_bundled_policy_holds_its_properties(question: str) -> None:
    assert not [f for f in jurisdiction.check(BUNDLED) if f.code in ERRORS]
    question_property(BUNDLED, question)()


@pytest.mark.parametrize("layers", [(), ("_tiers",), ("unreachable",), ("bounds",)])
def test_a_policy_the_checker_finds_clean_never_conflicts_or_gaps(
    layers: tuple[str, ...], tmp_path: Path
) -> None:
    engine = _fixture_engine(tmp_path / "p", *layers)
    assert not [f for f in jurisdiction.check(engine) if f.code in ERRORS]
    for prop in policy_properties(engine).values():
        prop()


@pytest.mark.parametrize(
    ("layer", "message"),
    [
        ("overlap", "decide raised a conflict"),
        ("gap", "no rule answers `who`"),
        ("answer-place", "decide refused valid facts"),
    ],
)
def test_the_properties_fail_where_the_checker_finds_errors(
    layer: str, message: str, tmp_path: Path
) -> None:
    engine = _fixture_engine(tmp_path / "p", layer)
    assert {f.code for f in jurisdiction.check(engine)} == {layer}
    quick = settings(
        derandomize=True, database=None, max_examples=300, phases=[Phase.explicit, Phase.generate]
    )
    prop = question_property(engine, "who", settings=quick)
    with pytest.raises(AssertionError, match=message):
        prop()


# --- determinism and rule-order independence ------------------------------------------------------


def _outcome(engine: jurisdiction.Engine, fact_set: BaseModel, question: str) -> Any:
    try:
        return engine.decide(fact_set, question)
    except jurisdiction.ConflictError as exc:
        return ("conflict", sorted(r[0] for r in exc.rules))


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory) -> dict[str, jurisdiction.Engine]:
    """The bundled policy and fixture policies with several rules and overrides per question."""
    out = {"bundled": BUNDLED}
    for layer in ("_tiers", "unreachable", "bounds"):
        out[layer] = _fixture_engine(tmp_path_factory.mktemp(layer) / "p", layer)
    return out


@pytest.mark.parametrize("which", ["bundled", "_tiers", "unreachable", "bounds"])
@given(data=st.data())
def test_rule_order_never_changes_a_decision(
    which: str, data: st.DataObject, engines: dict[str, jurisdiction.Engine]
) -> None:
    engine = engines[which]
    policy = engine.policy
    name = data.draw(st.sampled_from(engine.questions()))
    question = policy.questions[name]
    order = data.draw(st.permutations(question.rules))
    shuffled = jurisdiction.Engine(
        replace(policy, questions={**policy.questions, name: replace(question, rules=tuple(order))})
    )
    fact_set = data.draw(facts(engine, question.subject))
    assert _outcome(shuffled, fact_set, name) == _outcome(engine, fact_set, name)


@given(data=st.data())
def test_decisions_are_deterministic_and_survive_json(data: st.DataObject) -> None:
    subject = data.draw(st.sampled_from(sorted(SUBJECTS)))
    fact_set = data.draw(facts(BUNDLED, subject))
    first = BUNDLED.decide_all(fact_set)
    again = BUNDLED.decide_all(fact_set.model_dump(mode="json"))
    fresh = BUNDLED_AGAIN.decide_all(fact_set)
    assert first == again == fresh
    for decision in first.values():
        assert jurisdiction.Decision.from_json(decision.to_json()) == decision
        assert jurisdiction.Decision.from_dict(decision.to_dict()) == decision


@given(data=st.data())
def test_every_citation_exists_in_the_policy(data: st.DataObject) -> None:
    subject = data.draw(st.sampled_from(sorted(SUBJECTS)))
    fact_set = data.draw(facts(BUNDLED, subject))
    for name, decision in BUNDLED.decide_all(fact_set).items():
        assert decision.citations, f"{name} answers without citing an article"
        check_decision(BUNDLED, name, fact_set)


def test_shuffling_is_not_a_no_op() -> None:
    """The order test would prove nothing if every question had one rule."""
    assert any(len(q.rules) > 1 for q in BUNDLED.policy.questions.values())
    rules = list(BUNDLED.question("second_child_approval").rules)
    random.Random(4).shuffle(rules)
    assert [r.id for r in rules] != sorted(r.id for r in rules)


# --- the policy's own principles ------------------------------------------------------------------

REPORTED_CROSS_DISTRICT = {
    "hukou_in_city": True,
    "residence_in_city": True,
    "cross_district": True,
    "hukou_reported": True,
    "residence_reported": True,
    "attribution_disputed": False,
}


@given(facts(BUNDLED, "birth_case", where=REPORTED_CROSS_DISTRICT))
def test_residence_district_is_primary_for_a_reported_cross_district_birth(case: Any) -> None:
    """(五): both places reported and agree: residence place primary, hukou place joint."""
    decision = check_decision(BUNDLED, "out_of_policy_birth_assessment", case)
    roles = {(b.place, b.role, b.level, b.place_code) for b in decision.bodies}
    assert roles == {
        ("residence", "primary", "district", case.residence[:6]),
        ("hukou", "joint", "district", case.hukou[:6]),
    }
    assert [str(c.cite) for c in decision.citations] == ["(五)"]


def test_thresholds_include_the_district_overlays() -> None:
    """Unit staff is concentrated around the city's tiers and the overlay district's own."""
    found = testing.thresholds(BUNDLED, "unit")["staff"]
    city = BUNDLED.policy.parameters
    overlay = BUNDLED.policy.overlays["120104"].parameters
    for name in ("unit_district_min_staff", "unit_street_min_staff", "unit_street_max_staff"):
        assert city[name].value in found
        assert overlay[name].value in found
