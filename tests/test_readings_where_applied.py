"""Issue 20.7: a reading of the text is said where it is applied, and only there. Each reading
of (十) and (十八) is a rule beside the tier's rule, with the same answer, that holds only for the
units or places the reading touches (policies/chapter3.yaml, chapter5.yaml); the YAML cases in
tests/cases/faithful_round3.yaml show each where it applies, these show it absent elsewhere."""

from __future__ import annotations

from typing import Any

import pytest

import jurisdiction

ENGINE = jurisdiction.load().at("2012-06-01")
OVERLAP = (
    "原文没有说明以哪一级为准"  # the overlap note, then on district_by_staff, now its own rule
)
VICE = "副厅局级是否计为局级及以上"
ENTERPRISE = "企业和其他单位的行政级别不计"


def _notes(facts: dict[str, Any], question: str) -> str:
    decision = ENGINE.decide(facts, question)
    return " ".join(n.zh for n in decision.notes)


def _unit(staff: int, category: str = "other_enterprise", rank: str = "none") -> dict[str, Any]:
    return {
        "kind": "unit",
        "category": category,
        "rank": rank,
        "staff": staff,
        "location": "120101002001",
    }


@pytest.mark.parametrize("staff", [20, 100, 999, 1001, 5000])
def test_the_overlap_is_said_only_at_the_overlap(staff: int) -> None:
    assert OVERLAP not in _notes(_unit(staff), "unit_management")


def test_the_overlap_is_said_at_exactly_1000() -> None:
    assert OVERLAP in _notes(_unit(1000), "unit_management")


@pytest.mark.parametrize("staff", [20, 500, 1000])
def test_the_deputy_bureau_reading_is_said_for_a_deputy_bureau_organ_tiered_by_staff(
    staff: int,
) -> None:
    assert VICE in _notes(_unit(staff, "government_organ", "vice_bureau"), "unit_management")
    assert VICE not in _notes(_unit(staff, "government_organ", "bureau"), "unit_management")
    assert VICE not in _notes(_unit(staff, "government_organ", "division"), "unit_management")


@pytest.mark.parametrize("staff", [20, 500, 1000])
def test_the_enterprise_rank_reading_is_said_only_for_a_ranked_enterprise(staff: int) -> None:
    assert ENTERPRISE in _notes(_unit(staff, "other_enterprise", "bureau"), "unit_management")
    assert ENTERPRISE not in _notes(_unit(staff, "other_enterprise"), "unit_management")
    assert ENTERPRISE not in _notes(_unit(staff, "public_institution", "bureau"), "unit_management")


def test_the_staffing_readings_are_said_only_where_they_apply() -> None:
    town_committee = {
        "kind": "area",
        "place": "120113101001",
        "management_in_place": True,
        "households": 2500,
    }
    street_committee = {**town_committee, "place": "120101002001"}
    street_village = {"kind": "area", "place": "120101002201", "management_in_place": True}
    town_village = {**street_village, "place": "120113101201"}
    assert "位于镇（乡）" in _notes(town_committee, "fp_staffing")
    assert "位于镇（乡）" not in _notes(street_committee, "fp_staffing")
    assert "该村位于街道" in _notes(street_village, "fp_staffing")
    assert "该村位于街道" not in _notes(town_village, "fp_staffing")
