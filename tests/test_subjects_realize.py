"""Every subject can realise every consistent feature assignment.

The checker enumerates classes of boolean and enum features (and integer thresholds) and asks
``realize`` for a witness. So the samples of a subject must cover every combination that some
valid fact set has: a property test draws valid fact sets at random and finds each one's
combination among the samples'.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from jurisdiction._facts import (
    BlindSpotCause,
    CommunityOrganisation,
    MaritalStatus,
    Rank,
    Sex,
    UnitCategory,
    Urbanisation,
)
from jurisdiction._subjects import SUBJECTS, Context, Subject, realize

CTX = Context(city_prefix="12")

Vector = tuple[bool | int | str, ...]


def _finite(subject: Subject) -> tuple[str, ...]:
    return tuple(n for n, f in subject.features.items() if f.type.kind != "int")


def _vector(subject: Subject, model: BaseModel) -> Vector:
    return tuple(subject.features[n].get(model, CTX) for n in _finite(subject))


@cache
def _sample_models(name: str) -> tuple[BaseModel, ...]:
    subject = SUBJECTS[name]
    return tuple(subject.model.model_validate(s) for s in subject.samples(CTX))


@cache
def _realised(name: str) -> frozenset[Vector]:
    subject = SUBJECTS[name]
    return frozenset(_vector(subject, m) for m in _sample_models(name))


def _values(subject: Subject, name: str) -> list[bool | int | str]:
    kind = subject.features[name].type
    if kind.kind == "bool":
        return [False, True]
    if kind.kind == "enum":
        return list(kind.values)
    return [kind.minimum, kind.maximum]


@pytest.mark.parametrize("name", sorted(SUBJECTS))
def test_every_sample_is_valid(name: str) -> None:
    assert len(_sample_models(name)) == len(list(SUBJECTS[name].samples(CTX)))


@pytest.mark.parametrize("name", sorted(SUBJECTS))
def test_every_value_of_every_feature_is_reachable(name: str) -> None:
    subject = SUBJECTS[name]
    for feature in subject.features:
        for value in _values(subject, feature):
            model = realize(subject, {feature: value}, CTX)
            assert model is not None, f"{name}.{feature} == {value!r} cannot be realised"
            assert subject.features[feature].get(model, CTX) == value


@pytest.mark.parametrize("name", sorted(SUBJECTS))
def test_integer_fields_do_not_move_other_features(name: str) -> None:
    subject = SUBJECTS[name]
    for base, model in zip(subject.samples(CTX), _sample_models(name), strict=True):
        before = _vector(subject, model)
        for feature, field in subject.int_fields.items():
            if base.get(field, 0) is None:
                continue
            for value in _values(subject, feature):
                moved = subject.model.model_validate({**base, field: value})
                assert _vector(subject, moved) == before


def test_an_optional_integer_left_out_is_realised_as_unknown() -> None:
    area = SUBJECTS["area"]
    unknown = realize(area, {"households_known": False, "households": 0}, CTX)
    assert unknown is not None
    assert getattr(unknown, "households", "?") is None
    assert realize(area, {"households_known": False, "households": 2000}, CTX) is None
    known = realize(area, {"households_known": True, "households": 2000}, CTX)
    assert known is not None
    assert getattr(known, "households", None) == 2000


# --- random valid fact sets ---------------------------------------------------------------------

_STREETS = ["120101002", "120101101", "120101201", "120102002", "110101002", "110101101"]
_FINE = [
    *_STREETS,
    "120101002001",
    "120101002201",
    "120101101005",
    "120101101205",
    "110101002001",
    "110101101201",
]
_COMMUNITIES = [c for c in _FINE if len(c) == 12]


def _values_of(enum: Any) -> st.SearchStrategy[str]:
    return st.sampled_from([e.value for e in enum])


def _area(place: st.SearchStrategy[str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"place": place, "management_in_place": st.booleans()},
        optional={
            "blind_spot_cause": _values_of(BlindSpotCause),
            "designated_street": st.sampled_from(["120101003", "120102003", "110101003"]),
            "proxy_community": st.sampled_from(["120101003001", "120101003201"]),
            "adjacent_districts": st.lists(
                st.sampled_from(["120101", "120102", "120103"]), max_size=3
            ),
            "community_organisation": _values_of(CommunityOrganisation),
            "community": st.sampled_from(["120101002005", "120101101005"]),
            "original_villagers_committee": st.booleans(),
            "original_village": st.sampled_from(["120101002205", "120101101205"]),
            "urbanisation": _values_of(Urbanisation),
            "households": st.integers(0, 10_000_000),
        },
    )


@st.composite
def _resident(draw: st.DrawFn) -> dict[str, Any]:
    residence = draw(st.sampled_from(_FINE))
    facts: dict[str, Any] = {
        "kind": "resident",
        "hukou": draw(st.sampled_from(_FINE)),
        "residence": residence,
        "sex": draw(_values_of(Sex)),
        "age": draw(st.integers(0, 150)),
        "marital_status": draw(_values_of(MaritalStatus)),
    }
    if draw(st.booleans()):
        facts["spouse_sex"] = draw(_values_of(Sex))
    if draw(st.booleans()):
        facts["spouse_hukou"] = draw(st.sampled_from(_FINE))
    if draw(st.booleans()):
        street = residence[:9]
        facts["area"] = draw(_area(st.sampled_from([street, street + "003", street + "203"])))
    return facts


_STRATEGIES: Mapping[str, st.SearchStrategy[dict[str, Any]]] = {
    "resident": _resident(),
    "birth_case": st.fixed_dictionaries(
        {
            "kind": st.just("birth_case"),
            "hukou": st.sampled_from(_FINE),
            "residence": st.sampled_from(_FINE),
            "hukou_reported": st.booleans(),
            "residence_reported": st.booleans(),
            "attribution_disputed": st.booleans(),
        }
    ),
    "area": _area(st.sampled_from(_FINE)).map(lambda a: {"kind": "area", **a}),
    "unit": st.fixed_dictionaries(
        {
            "kind": st.just("unit"),
            "category": _values_of(UnitCategory),
            "rank": _values_of(Rank),
            "large_state_owned_enterprise": st.booleans(),
            "staff": st.integers(0, 10_000_000),
            "location": st.sampled_from(_COMMUNITIES),
        }
    ),
    "district": st.fixed_dictionaries(
        {"kind": st.just("district"), "code": st.sampled_from(["120101", "120104", "110101"])}
    ),
}


def test_every_subject_has_a_strategy() -> None:
    assert set(_STRATEGIES) == set(SUBJECTS)


@pytest.mark.parametrize("name", sorted(SUBJECTS))
def test_every_valid_fact_set_is_realisable(name: str) -> None:
    subject = SUBJECTS[name]

    @settings(
        max_examples=150,
        deadline=None,
        suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
    )
    @given(_STRATEGIES[name])
    def check(raw: dict[str, Any]) -> None:
        try:
            model = subject.model.model_validate(raw)
        except ValidationError:
            assume(False)
            return
        vector = _vector(subject, model)
        assert vector in _realised(name), dict(zip(_finite(subject), vector, strict=True))
        assignment = {n: f.get(model, CTX) for n, f in subject.features.items()}
        witness = realize(subject, assignment, CTX)
        assert witness is not None
        assert {n: f.get(witness, CTX) for n, f in subject.features.items()} == assignment

    check()


# --- exhaustive: the realised combinations are exactly the consistent ones -----------------------

_SECTION_8 = {"no_community_organisation", "not_fully_occupied"}


def _area_consistent(v: Mapping[str, Any]) -> bool:
    """What the Area model allows, stated independently of its samples."""
    cause, status = v["blind_spot_cause"], v["community_organisation"]
    return (
        v["blind_spot"] == (cause != "none")
        and (cause in _SECTION_8 or not (v["street_designated"] or v["proxy_community_designated"]))
        and not (v["proxy_community_designated"] and status == "established")
        and not (cause == "no_community_organisation" and status in ("established", "unknown"))
        and not (v["urbanisation"] != "none" and status == "unknown")
    )


def _unit_consistent(v: Mapping[str, Any]) -> bool:
    return v["category"] == "state_owned_enterprise" or not v["large_state_owned_enterprise"]


def _resident_consistent(v: Mapping[str, Any]) -> bool:
    return (
        (v["cross_street"] or not v["cross_district"])
        and (v["cross_district"] or v["hukou_in_city"] == v["residence_in_city"])
        and (v["sex"] == "female" or v["marital_status"] == "married" or not v["woman_hukou_known"])
        and (v["woman_hukou_known"] or v["sex"] == "male")
        and (v["residence_in_city"] or v["blind_spot_cause"] == "none")
    )


def _birth_case_consistent(v: Mapping[str, Any]) -> bool:
    return (v["cross_street"] or not v["cross_district"]) and (
        v["cross_district"] or v["hukou_in_city"] == v["residence_in_city"]
    )


_CONSISTENT = {
    "area": _area_consistent,
    "unit": _unit_consistent,
    "resident": _resident_consistent,
    "birth_case": _birth_case_consistent,
    "district": lambda _v: True,
}


@pytest.mark.parametrize("name", sorted(SUBJECTS))
def test_the_samples_realise_exactly_the_consistent_combinations(name: str) -> None:
    subject = SUBJECTS[name]
    names = _finite(subject)
    consistent = {
        combo
        for combo in itertools.product(*(_values(subject, n) for n in names))
        if _CONSISTENT[name](dict(zip(names, combo, strict=True)))
    }
    realised = _realised(name)
    missing = [dict(zip(names, c, strict=True)) for c in sorted(consistent - realised, key=str)]
    extra = [dict(zip(names, c, strict=True)) for c in sorted(realised - consistent, key=str)]
    assert not missing, f"{len(missing)} consistent combinations not realised, e.g. {missing[:2]}"
    assert not extra, f"{len(extra)} combinations realised that the spec forbids: {extra[:2]}"
