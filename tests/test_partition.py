"""How a question's fact space is cut into classes."""

from __future__ import annotations

from dataclasses import replace

import pytest

import jurisdiction
from jurisdiction.analysis.partition import (
    Interval,
    _intervals,
    _representatives,
    int_thresholds,
    partition,
    realiser_for,
    splits,
)
from jurisdiction.language.parse import parse_condition
from jurisdiction.language.subjects import Feature, FeatureType

ENGINE = jurisdiction.load()
SUBJECTS = ENGINE.subjects

AGE = FeatureType("int", minimum=0, maximum=150)


def test_an_integer_is_cut_at_each_threshold_into_intervals_and_single_values() -> None:
    assert _intervals(AGE, {15, 18, 49, 200, -3}, relational=False) == [
        Interval(0, 14),
        Interval(15, 15),
        Interval(16, 17),
        Interval(18, 18),
        Interval(19, 48),
        Interval(49, 49),
        Interval(50, 150),
    ]
    assert _intervals(AGE, set(), relational=False) == [Interval(0, 150)]
    assert _intervals(AGE, {0, 150}, relational=False) == [
        Interval(0, 0),
        Interval(1, 149),
        Interval(150, 150),
    ]


def test_representatives_sit_next_to_a_threshold() -> None:
    assert _representatives(Interval(0, 14), AGE) == (14, 0)  # t-1 first
    assert _representatives(Interval(16, 17), AGE) == (16, 17)  # t+1 first
    assert _representatives(Interval(50, 150), AGE) == (50, 150)
    assert _representatives(Interval(18, 18), AGE) == (18,)


def test_a_comparison_between_two_facts_splits_both_at_every_interval_end() -> None:
    two = replace(
        SUBJECTS["resident"],
        features={
            **SUBJECTS["resident"].features,
            "spouse_age": Feature("spouse_age", AGE, "the spouse's age", lambda f, c: 0),
        },
    )
    policy = ENGINE.policy
    found, relational = int_thresholds(
        policy, two, [parse_condition("resident.age >= 18 and resident.age < resident.spouse_age")]
    )
    assert found == {"age": {18}, "spouse_age": set()}
    assert relational == {"age", "spouse_age"}
    assert _intervals(AGE, {18}, relational=True) == [
        Interval(0, 0),
        Interval(1, 16),
        Interval(17, 17),
        Interval(18, 18),
        Interval(19, 19),
        Interval(20, 149),
        Interval(150, 150),
    ]


def test_thresholds_come_from_parameters_literals_and_sets() -> None:
    policy = ENGINE.policy
    found, relational = int_thresholds(
        policy,
        SUBJECTS["resident"],
        [
            parse_condition("param.childbearing_age_male_min <= resident.age"),
            parse_condition('resident.age in [3, 7] and resident.sex == "male"'),
        ],
    )
    assert found == {"age": {18, 3, 7}}
    assert relational == set()


def test_the_splits_of_a_bundled_question_are_the_features_its_rules_read() -> None:
    engine = ENGINE
    q = engine.question("second_child_approval")
    cut = splits(engine.policy, q)
    assert [s.feature for s in cut] == [
        "hukou_in_city",
        "cross_street",
        "sex",
        "age",
        "marital_status",  # issue 20.9: a man with no wife is answered, not asked for her
        "woman_hukou_in_city",  # issue 9: (三)1 names no body outside the city
        "wife_of_childbearing_age",  # issue 20.5: childbearing age is the couple's
        "wife_age_missing",
        "same_sex_spouse",
        "woman_hukou_known",
        "blind_spot_cause",  # issue 20.6: (七) reaches a resident of such an area, separated or not
    ]
    (age,) = [s for s in cut if s.feature == "age"]
    assert age.thresholds == (15, 18, 49)
    part = partition(engine, q, realiser_for(engine))
    assert part.considered == 2 * 2 * 2 * 7 * 4 * 2 * 2 * 2 * 2 * 2 * 7
    # the features are tied to each other (a hukou place in the city is a known one; a wife's
    # age is missing or of childbearing age only for a married man…): most combinations have
    # no fact set, and each class kept has one, which the engine decides as the class says
    assert 0 < len(part.classes) < part.considered
    for c in part.classes:
        if c.decision is not None:
            got = engine.decide(c.facts, q.name, as_of="2012-06-01")  # the text as written
            assert (got.outcome, got.bodies) == (c.decision.outcome, c.decision.bodies), c.values


@pytest.mark.parametrize(
    ("assignment", "realisable"),
    [
        ({"cross_street": False, "cross_district": True}, False),
        ({"cross_street": False, "cross_district": True, "age": 30}, False),
        ({"cross_street": True, "cross_district": False, "age": 150}, True),
        ({"sex": "female", "woman_hukou_known": False}, False),
    ],
)
def test_the_realiser_finds_a_fact_set_exactly_when_one_exists(
    assignment: dict[str, bool | int | str], realisable: bool
) -> None:
    engine = ENGINE
    subject = SUBJECTS["resident"]
    facts = realiser_for(engine).realise(subject, assignment)
    assert (facts is not None) is realisable
    if facts is not None:
        assert all(
            subject.features[k].get(facts, engine.context) == v for k, v in assignment.items()
        )


@pytest.mark.parametrize("subject", sorted(SUBJECTS))
def test_every_integer_feature_has_a_range_and_reads_a_whole_number_field(subject: str) -> None:
    """The partition cuts [minimum, maximum] and the realiser reaches a value through the
    fields the feature reads: a feature without a real range, or reading no whole-number field,
    would be decided at one value only, and silently."""
    subj = SUBJECTS[subject]
    for name, feature in subj.features.items():
        if feature.type.kind == "int":
            assert feature.type.minimum < feature.type.maximum, name
            kinds = {subj.fields[r].kind for r in feature.reads if r in subj.fields}
            assert "int" in kinds, name


def test_the_bundled_subjects_have_integer_features() -> None:
    """The test above would pass vacuously without any."""
    assert {
        (s.name, n)
        for s in SUBJECTS.values()
        for n, f in s.features.items()
        if f.type.kind == "int"
    } == {("resident", "age"), ("unit", "staff"), ("area", "households")}
