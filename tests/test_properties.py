"""Property tests, written with the strategies the library ships (`jurisdiction.testing`)."""

from __future__ import annotations

import importlib
import random
import shutil
import sys
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

import jurisdiction
from jurisdiction import testing
from jurisdiction.policy.load import load_policy
from jurisdiction.testing.strategies import (
    check_decision,
    facts,
    place_codes,
    policy_properties,
    question_property,
    thresholds,
)
from policy_files import BUNDLED as BUNDLED_POLICY
from policy_files import FIXTURES, compose

# with the illustrative overlay (the bundled policy has none), so that overlay districts come up
BUNDLED = jurisdiction.load(
    overlays=Path(__file__).resolve().parent.parent / "examples" / "overlays"
)
BUNDLED_AGAIN = jurisdiction.load(
    overlays=Path(__file__).resolve().parent.parent / "examples" / "overlays"
)
SUBJECTS = BUNDLED.subjects
HIERARCHY = BUNDLED.policy.hierarchy
ROOT = BUNDLED.context.root
ERRORS = {"overlap", "gap", "answer-place", "override"}


def _fixture_engine(tmp: Path, *layers: str) -> jurisdiction.Engine:
    root = compose(tmp, *(FIXTURES / layer for layer in layers))
    if not (root / "facts.yaml").exists():  # the fixtures read the bundled policy's facts
        shutil.copy(BUNDLED_POLICY / "facts.yaml", root / "facts.yaml")
    return jurisdiction.Engine(load_policy(root, strict=False))


# --- the module itself ----------------------------------------------------------------------------


def test_importing_it_without_hypothesis_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delitem(sys.modules, "jurisdiction.testing")
    monkeypatch.delitem(sys.modules, "jurisdiction.testing.strategies")
    monkeypatch.setitem(sys.modules, "hypothesis", None)
    # the package imports (the pytest plugin lives in it); its strategies need hypothesis
    testing = importlib.import_module("jurisdiction.testing")
    with pytest.raises(ImportError, match=r"pip install 'jurisdiction\[test\]'"):
        testing.facts  # noqa: B018


def test_thresholds_come_from_the_policy() -> None:
    assert thresholds(BUNDLED, "resident") == {"age": (15, 18, 49)}
    assert thresholds(BUNDLED, "birth_case") == {}


@pytest.mark.parametrize("subject", sorted(SUBJECTS))
@given(data=st.data())
def test_every_subject_gets_valid_fact_sets(subject: str, data: st.DataObject) -> None:
    fact_set = data.draw(facts(BUNDLED, subject))
    assert isinstance(fact_set, SUBJECTS[subject].model)
    assert BUNDLED.parse_facts(fact_set.model_dump()) == fact_set
    for decision in BUNDLED.decide_all(fact_set).values():
        assert decision.subject == subject


@pytest.mark.parametrize("subject", sorted(SUBJECTS))
def test_the_strategies_pass_the_health_checks(subject: str) -> None:
    """Few drawn fact sets are refused by the model, none too large: hypothesis's own health
    checks filter_too_much and data_too_large run strict. (too_slow is off, as in every
    property test of a loaded machine: the speed of drawing is a benchmark's business.)"""
    strict = settings(max_examples=50, database=None, suppress_health_check=[HealthCheck.too_slow])

    @strict
    @given(facts(BUNDLED, subject))
    def draw(fact_set: BaseModel) -> None:
        assert isinstance(fact_set, SUBJECTS[subject].model)

    draw()


def _features(subject: str, fact_set: BaseModel) -> dict[str, Any]:
    ctx = BUNDLED.context
    return {n: f.get(fact_set, ctx) for n, f in SUBJECTS[subject].features.items()}


def _relation(a: str, b: str) -> str:
    """How two place codes lie: same street, same district, same city, or further apart."""
    if HIERARCHY.at(a, "street") == HIERARCHY.at(b, "street"):
        return "same street"
    if HIERARCHY.at(a, "district") == HIERARCHY.at(b, "district"):
        return "same district, another street"
    if a.startswith(ROOT) == b.startswith(ROOT):
        return "another district"
    return "another city"


_FOUND = settings(max_examples=2000, database=None, phases=[Phase.generate])


@pytest.mark.parametrize(
    "relation", ["same street", "same district, another street", "another district", "another city"]
)
def test_every_relation_between_two_places_comes_up(relation: str) -> None:
    found = find(
        facts(BUNDLED, "birth_case"),
        lambda c: _relation(c.hukou, c.residence) == relation,  # type: ignore[attr-defined]
        settings=_FOUND,
    )
    assert _relation(found.hukou, found.residence) == relation  # type: ignore[attr-defined]


@pytest.mark.parametrize("code", ["120104", "000001"])
def test_places_come_up_in_an_overlay_district_and_outside_the_root(code: str) -> None:
    """Overlay districts are drawn too, so decisions under an overlay's parameters come up."""
    prefix = code if code in BUNDLED.policy.overlays else "0"
    found = find(
        facts(BUNDLED, "unit"),
        lambda u: u.location.startswith(prefix),  # type: ignore[attr-defined]
        settings=_FOUND,
    )
    assert found.location.startswith(prefix)  # type: ignore[attr-defined]
    assert found.location.startswith(ROOT) == (prefix == code)  # type: ignore[attr-defined]


def test_rare_feature_combinations_come_up() -> None:
    """A resident in a blind spot of unclear division, with the hukou place of the woman
    unknown: the realiser's witnesses make such combinations as common as any."""
    wanted = {"blind_spot_cause": "division_unclear", "woman_hukou_known": False}
    found = find(
        facts(BUNDLED, "resident"),
        lambda r: _features("resident", r).items() >= wanted.items(),
        settings=_FOUND,
    )
    assert _features("resident", found).items() >= wanted.items()


@pytest.mark.parametrize(("feature", "value"), [("age", 49), ("age", 50), ("age", 14)])
def test_integers_come_up_at_the_thresholds(feature: str, value: int) -> None:
    found = find(
        facts(BUNDLED, "resident"),
        lambda r: _features("resident", r)[feature] == value,
        settings=_FOUND,
    )
    assert _features("resident", found)[feature] == value


@given(place_codes(BUNDLED))
def test_place_codes_are_codes_of_the_hierarchy(code: str) -> None:
    assert HIERARCHY.problem(code) is None


@given(place_codes(BUNDLED, ["district", "community"]))
def test_place_codes_are_of_the_levels_asked(code: str) -> None:
    assert HIERARCHY.problem(code) is None
    assert HIERARCHY.level_of(code) in ("district", "community")


@pytest.mark.parametrize("inside", [True, False])
@pytest.mark.parametrize(
    "klass",
    sorted({r.klass for lv in HIERARCHY.levels for r in lv.ranges}),
)
def test_place_codes_have_every_class_inside_and_outside_the_root(klass: str, inside: bool) -> None:
    found = find(
        place_codes(BUNDLED),
        lambda c: HIERARCHY.klass(c) == klass and c.startswith(ROOT) == inside,
        settings=_FOUND,
    )
    assert HIERARCHY.klass(found) == klass


def test_place_codes_refuses_an_unknown_level() -> None:
    with pytest.raises(ValueError, match="no level town"):
        place_codes(BUNDLED, ["town"])


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


@cache
def _bundled_errors() -> tuple[str, ...]:
    """The checker's error findings on the bundled policy (checked once for every question)."""
    return tuple(f"{f.code}: {f.message}" for f in jurisdiction.check(BUNDLED) if f.code in ERRORS)


@pytest.mark.parametrize("question", BUNDLED.questions())
def test_the_bundled_policy_holds_its_properties(question: str) -> None:
    assert not _bundled_errors()
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
