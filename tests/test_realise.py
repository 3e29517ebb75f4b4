"""The realiser: fact sets for feature assignments, found from the policy's declaration alone.

The checker cuts each question's fact space into classes of feature values and asks the realiser
for a fact set of each; a class it cannot realise is left out as impossible. So the realiser must
find a fact set for every assignment some valid fact set has, and none for the others.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

import jurisdiction
from jurisdiction.analysis.partition import Interval, Realiser, partition, realiser_for
from jurisdiction.language.subjects import FeatureValue, Subject
from jurisdiction.testing import strategies as testing
from test_certificate_unchanged import CHANGED_BY_ISSUE_9, CHANGED_BY_READINGS

ENGINE = jurisdiction.load()
CTX = ENGINE.context
SUBJECTS = ENGINE.subjects
HIERARCHY = ENGINE.policy.hierarchy
REALISER = realiser_for(ENGINE)
CERTIFICATE = Path(__file__).parent / "fixtures" / "certificate_before_vocabulary.json"


def _features(subject: Subject, facts: BaseModel) -> dict[str, FeatureValue]:
    return {n: f.get(facts, CTX) for n, f in subject.features.items()}


def _finite(subject: Subject) -> list[str]:
    return [n for n, f in subject.features.items() if f.type.kind != "int"]


def _values(subject: Subject, name: str) -> list[FeatureValue]:
    ftype = subject.features[name].type
    if ftype.kind == "bool":
        return [False, True]
    if ftype.kind == "enum":
        return list(ftype.values)
    return [ftype.minimum, ftype.maximum]


def _realised(subject: Subject, assignment: Mapping[str, FeatureValue]) -> BaseModel | None:
    """The realiser's fact set, checked to be valid and to have the assigned values."""
    facts = REALISER.realise(subject, assignment)
    if facts is not None:
        assert ENGINE.parse_facts(facts.model_dump()) == facts
        got = _features(subject, facts)
        assert {k: got[k] for k in assignment} == dict(assignment)
    return facts


# --- every value, and only what some fact set can have -------------------------------------------


@pytest.mark.parametrize("name", sorted(SUBJECTS))
def test_every_value_of_every_feature_is_realised(name: str) -> None:
    """Every value of every feature of the bundled subjects is one some fact set has (the
    property test below draws them independently of the realiser), so each must be realised —
    by the quick search, or where it gives up (a value tied to several optional fields, such as
    a wife's age) by the exact search that ``check`` and ``diff`` fall back to."""
    subject = SUBJECTS[name]
    for feature in subject.features:
        for value in _values(subject, feature):
            if _realised(subject, {feature: value}) is not None:
                continue
            found = REALISER.realise_class(subject, {feature: value})
            assert isinstance(found, BaseModel), f"{name}.{feature}={value!r}: {found}"
            got = _features(subject, ENGINE.parse_facts(found.model_dump()))
            assert got[feature] == value, f"{name}.{feature}={value!r}"


@pytest.mark.parametrize(
    ("name", "assignment"),
    [
        ("area", {"blind_spot": False, "blind_spot_cause": "division_unclear"}),
        ("area", {"blind_spot": True, "blind_spot_cause": "none"}),
        (
            "area",
            {
                "blind_spot_cause": "no_community_organisation",
                "community_organisation": "established",
            },
        ),
        ("area", {"urbanisation": "apartment_blocks", "community_organisation": "unknown"}),
        ("area", {"proxy_community_designated": True, "community_organisation": "established"}),
        ("area", {"households_known": False, "households": 2000}),
        ("resident", {"cross_street": False, "cross_district": True}),
        ("resident", {"sex": "female", "woman_hukou_known": False}),
        ("resident", {"residence_in_city": False, "blind_spot_cause": "affiliation_unclear"}),
        ("resident", {"cross_district": False, "hukou_in_city": True, "residence_in_city": False}),
        ("unit", {"large_state_owned_enterprise": True, "category": "other_enterprise"}),
        ("birth_case", {"cross_street": False, "cross_district": True, "hukou_reported": True}),
    ],
)
def test_what_no_fact_set_can_have_is_not_realised(
    name: str, assignment: dict[str, FeatureValue]
) -> None:
    subject = SUBJECTS[name]
    assert REALISER.realise(subject, assignment) is None
    for feature, value in assignment.items():  # each value alone is realisable
        assert _realised(subject, {feature: value}) is not None


@pytest.mark.parametrize("name", sorted(SUBJECTS))
@given(data=st.data())
def test_every_combination_a_fact_set_has_is_realised(name: str, data: st.DataObject) -> None:
    """Fact sets built field by field (not by the realiser) have feature values the realiser
    must find a fact set for, all of them at once."""
    subject = SUBJECTS[name]
    facts = data.draw(testing._from_fields(ENGINE, subject))
    wanted = _features(subject, facts)
    if _realised(subject, wanted) is None:  # the quick search gave up: the exact one, as check
        found = REALISER.realise_class(subject, wanted)
        assert isinstance(found, BaseModel), (wanted, found)
        got = _features(subject, ENGINE.parse_facts(found.model_dump()))
        assert {k: got[k] for k in wanted} == dict(wanted)


def _consistent_unit(v: Mapping[str, Any]) -> bool:
    return v["category"] == "state_owned_enterprise" or not v["large_state_owned_enterprise"]


def _consistent_birth_case(v: Mapping[str, Any]) -> bool:
    """Two places: different districts means different streets; the same district means both
    in the city or both out of it."""
    return (v["cross_street"] or not v["cross_district"]) and (
        v["cross_district"] or v["hukou_in_city"] == v["residence_in_city"]
    )


@pytest.mark.parametrize(
    ("name", "consistent"),
    [
        ("unit", _consistent_unit),
        ("birth_case", _consistent_birth_case),
        ("district", lambda _v: True),
    ],
)
def test_exactly_the_consistent_combinations_are_realised(
    name: str, consistent: Callable[[Mapping[str, Any]], bool]
) -> None:
    """Every combination of the finite features, against what the declaration allows, stated
    here independently of it."""
    subject = SUBJECTS[name]
    names = _finite(subject)
    wrong = []
    for combo in itertools.product(*(_values(subject, n) for n in names)):
        assignment = dict(zip(names, combo, strict=True))
        if (_realised(subject, assignment) is not None) != consistent(assignment):
            wrong.append(assignment)
    assert not wrong, f"{len(wrong)} combinations wrongly (un)realised, e.g. {wrong[:2]}"


# --- whole numbers and goals --------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SUBJECTS))
def test_integer_features_are_realised_at_the_value_asked(name: str) -> None:
    subject = SUBJECTS[name]
    ts = testing.thresholds(ENGINE, name)
    for feature, f in subject.features.items():
        if f.type.kind != "int":
            continue
        lo, hi = f.type.minimum, f.type.maximum
        for value in {lo, hi, *(t + d for t in ts.get(feature, ()) for d in (-1, 0, 1))}:
            if lo <= value <= hi:
                facts = _realised(subject, {feature: value})
                assert facts is not None, f"{name}.{feature}={value}"


def test_thresholds_of_the_bundled_policy_are_exercised() -> None:
    """The integer test above would prove little without thresholds to be near."""
    assert testing.thresholds(ENGINE, "resident") == {"age": (15, 18, 49)}
    assert {100, 1000} <= set(testing.thresholds(ENGINE, "unit")["staff"])
    assert 2000 in testing.thresholds(ENGINE, "area")["households"]


def test_an_optional_integer_left_out_is_realised_as_unknown() -> None:
    area = SUBJECTS["area"]
    unknown = _realised(area, {"households_known": False, "households": 0})
    assert unknown is not None
    assert getattr(unknown, "households", "?") is None
    known = _realised(area, {"households_known": True, "households": 2000})
    assert known is not None
    assert getattr(known, "households", None) == 2000


def _spouse_elsewhere(facts: Any, _ctx: Any) -> bool:
    """The spouse's hukou place is known and in another district than the resident's."""
    spouse = facts.spouse_hukou
    return spouse is not None and HIERARCHY.at(spouse, "district") != HIERARCHY.at(
        facts.hukou, "district"
    )


GOAL = (_spouse_elsewhere, frozenset({"spouse_hukou", "hukou"}), "spouse-elsewhere")


def test_a_goal_is_honoured() -> None:
    resident = SUBJECTS["resident"]
    plain = _realised(resident, {"marital_status": "married", "sex": "male"})
    assert plain is not None
    assert not _spouse_elsewhere(plain, CTX)  # the goal is not met by chance
    facts = REALISER.realise(resident, {"marital_status": "married", "sex": "male"}, GOAL)
    assert facts is not None
    assert _spouse_elsewhere(facts, CTX)
    assert _features(resident, facts)["marital_status"] == "married"


def test_a_goal_no_fact_set_meets_is_not_realised() -> None:
    """Only a married resident may give the spouse's hukou place (a constraint)."""
    resident = SUBJECTS["resident"]
    assert REALISER.realise(resident, {"marital_status": "unmarried"}, GOAL) is None


# --- the place pool ------------------------------------------------------------------------------


def test_the_pool_has_codes_of_every_level_inside_and_outside_the_root() -> None:
    root = CTX.root
    for level in HIERARCHY.levels:
        codes = REALISER.pool[level.name]
        assert all(HIERARCHY.problem(c) is None for c in codes)
        assert all(HIERARCHY.level_of(c) == level.name for c in codes)
        assert any(c.startswith(root) for c in codes), level.name
        assert any(not c.startswith(root) for c in codes), level.name


@pytest.mark.parametrize("inside", [True, False])
def test_the_pool_has_every_form_and_class_inside_and_outside_the_root(inside: bool) -> None:
    root = CTX.root
    for level in HIERARCHY.levels:
        if not level.ranges:
            continue
        codes = [c for c in REALISER.pool[level.name] if c.startswith(root) == inside]
        assert {HIERARCHY.klass(c) for c in codes} == {r.klass for r in level.ranges}
        assert {HIERARCHY.form_of(c) for c in codes} == {r.form for r in level.ranges}


@pytest.mark.parametrize("inside", [True, False])
def test_the_pool_has_every_path_of_ranges_inside_and_outside_the_root(inside: bool) -> None:
    """Every combination of ranges down the levels — a villagers' committee under a town, not
    only under a subdistrict — is in the pool: a feature may read the class of the place and of
    its parent together (a place's form and its street's form), and a combination missing from
    the pool is a class the checker would call impossible."""
    root = CTX.root
    ranged = [lv for lv in HIERARCHY.levels if lv.ranges]
    last = HIERARCHY.levels[-1]
    codes = [c for c in REALISER.pool[last.name] if c.startswith(root) == inside]

    def path(code: str) -> tuple[str | None, ...]:
        return tuple(HIERARCHY.klass(code[: lv.length]) for lv in ranged)

    every = set(itertools.product(*({r.klass for r in lv.ranges} for lv in ranged)))
    assert {path(c) for c in codes} == every


def test_the_pool_has_siblings_for_every_relation() -> None:
    """Two streets of one district and two communities of one street inside the root, so that
    same street / same district / another district are all realisable."""
    root = CTX.root
    streets = [c for c in REALISER.pool["street"] if c.startswith(root)]
    communities = [c for c in REALISER.pool["community"] if c.startswith(root)]
    assert any(a != b and a[:6] == b[:6] for a, b in itertools.combinations(streets, 2))
    assert any(a != b and a[:9] == b[:9] for a, b in itertools.combinations(communities, 2))
    assert len({c[:6] for c in streets}) >= 2


def test_codes_the_policy_names_join_the_pool() -> None:
    realiser = Realiser(SUBJECTS, HIERARCHY, CTX, ["990101305", "bad"])
    assert "990101305" in realiser.pool["street"]
    assert "990101" in realiser.pool["district"]
    assert "bad" not in {c for codes in realiser.pool.values() for c in codes}


# --- the same classes as the checker counted before the vocabulary moved -------------------------


def _certificate() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(CERTIFICATE.read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize("entry", _certificate()["questions"], ids=lambda q: q["question"])
def test_the_search_realises_the_classes_the_certificate_counts(entry: dict[str, Any]) -> None:
    """Questions issue 9 changed read new features (see test_certificate_unchanged): for them,
    every class the search finds is realised by its witness, which has the class's values."""
    question = ENGINE.question(entry["question"])
    part = partition(ENGINE, question, REALISER)
    # Issue 20.7 (CHANGELOG, Unreleased): the readings of (十)/(十八) are rules of their own and
    # the new area feature street_form splits fp_staffing's classes, so the count is not the
    # certificate's; every class found must still be realised with its values.
    if entry["question"] in CHANGED_BY_ISSUE_9 | CHANGED_BY_READINGS:
        features = ENGINE.subjects[question.subject].features
        assert len(part.classes) >= entry["classes_realisable"]
        for c in part.classes:
            for name, value in c.values:
                got = features[name].get(c.facts, CTX)
                if isinstance(value, Interval):
                    assert value.low <= got <= value.high, (name, value, got)
                else:
                    assert got == value, (name, value, got)
        return
    assert part.considered == entry["classes_considered"]
    assert len(part.classes) == entry["classes_realisable"]
    subject = question.subject
    realised = {
        json.dumps(
            {f"{subject}.{n}": v.to_json() if hasattr(v, "to_json") else v for n, v in c.values},
            sort_keys=True,
        )
        for c in part.classes
    }
    certified = {json.dumps(c["when"], sort_keys=True) for c in entry["classes"]}
    assert realised == certified
