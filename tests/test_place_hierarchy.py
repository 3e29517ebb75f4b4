"""The bundled policy's place hierarchy, declared in policies/facts.yaml, against real data: every
published statistical division code of Tianjin below the district level (tests/data, from the
MIT-licensed `china-division` package 2.7.0) is accepted, at its level, and classified by range."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

import jurisdiction

CODES = Path(__file__).parent / "data" / "tianjin_division_codes.csv"
HIERARCHY = jurisdiction.load().policy.hierarchy


def _rows() -> list[dict[str, str]]:
    with CODES.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_every_published_code_is_accepted_at_its_level_and_classified() -> None:
    rows = _rows()
    assert len(rows) == 299 + 5617
    refused = {r["code"]: HIERARCHY.problem(r["code"]) for r in rows}
    assert {c: p for c, p in refused.items() if p is not None} == {}
    assert all(HIERARCHY.level_of(r["code"]) == r["level"] for r in rows)
    kinds = Counter((r["level"], HIERARCHY.klass(r["code"])) for r in rows)
    assert None not in {k for _level, k in kinds}
    # the units the old, hand-written rule refused: 47 township-like street-level units
    # (development zones, industrial parks, state farms) and 141 residents'-committee-like ones
    assert kinds[("street", "township_like")] == 47
    assert kinds[("community", "residents_committee_like")] == 141
    in_zones = [r for r in rows if r["level"] == "community" and r["code"][6:9] >= "400"]
    assert len(in_zones) == 108  # communities of those zones: accepted as their street is
    assert sum(kinds.values()) == len(rows)


@pytest.mark.parametrize(
    ("code", "form", "kind"),
    [
        ("120101001", "urban", "subdistrict"),
        ("120221100", "rural", "town"),
        ("120221201", "rural", "township"),
        ("120110402", "rural", "township_like"),
        ("120101001001", "urban", "residents_committee"),
        ("120221100201", "rural", "villagers_committee"),
        ("120110402401", "urban", "residents_committee_like"),
        ("120110402601", "rural", "villagers_committee_like"),
        ("120101", "urban", None),
    ],
)
def test_form_and_class_follow_the_declared_ranges(code: str, form: str, kind: str | None) -> None:
    assert HIERARCHY.problem(code) is None
    assert HIERARCHY.form_of(code) == form
    assert HIERARCHY.klass(code) == kind


@pytest.mark.parametrize(
    ("code", "says"),
    [
        ("120101800", "the street part 800 is in none of its ranges"),
        ("120101001900", "the community part 900 is in none of its ranges"),
        ("120000", "that is a province"),
        ("12010", "a place code has 6 (district), 9 (street), 12 (community) characters"),
        ("1201010A1", "is not a street code"),
    ],
)
def test_codes_outside_the_declaration_are_refused_with_the_reason(code: str, says: str) -> None:
    problem = HIERARCHY.problem(code)
    assert problem is not None
    assert says in problem


def test_a_refused_code_is_a_located_facts_error() -> None:
    with pytest.raises(jurisdiction.FactsError, match=r"residence: .*part 800 is in none"):
        jurisdiction.parse_facts(
            {
                "kind": "resident",
                "hukou": "120101001",
                "residence": "120104800",
                "sex": "female",
                "age": 30,
            }
        )


def test_a_development_zone_resident_is_decided_with_its_rural_form() -> None:
    engine = jurisdiction.load()
    decision = engine.decide(
        {
            "kind": "resident",
            "hukou": "120101001",
            "residence": "120110402",
            "sex": "female",
            "age": 30,
        },
        "first_child_certificate",
        as_of="2012-06-01",  # the text as written: registration replaced the certificate in 2016
    )
    (body,) = decision.bodies
    assert body.place_code == "120110402"
    assert body.level_name.zh == "乡镇"  # a township-level unit: named as a township
