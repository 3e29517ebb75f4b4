"""Drawn fact sets: the ones the benchmarks time and the hand-written baseline is checked on.

Seeded, so the same on every run. Every branch of the four benchmarked questions is reached:
residences and hukou places in and out of the city, on and off the boundaries of childbearing
age (the resident's and the spouse's), spouses of the other sex and of the same, with and
without a spouse's age, each cause of a blind spot with and without a designated street or
proxy community, units on and off each staff boundary and in the district that has an overlay.
"""

from __future__ import annotations

import random
from typing import Any

import jurisdiction

QUESTIONS = (
    "first_child_certificate",
    "second_child_approval",
    "out_of_policy_birth_assessment",
    "unit_management",
)
SUBJECT = {
    "first_child_certificate": "resident",
    "second_child_approval": "resident",
    "out_of_policy_birth_assessment": "birth_case",
    "unit_management": "unit",
}
CAUSES = (
    None,
    "affiliation_unclear",
    "no_community_organisation",
    "not_fully_occupied",
    "division_unclear",
    "other",
)


def _street(rng: random.Random) -> str:
    district = rng.choice(["120101", "120102", "120104", "120106", "120221", "110101"])
    return district + rng.choice(["001", "002", "003", "101", "201"])


def _resident(rng: random.Random) -> dict[str, Any]:
    residence = _street(rng)
    facts: dict[str, Any] = {
        "kind": "resident",
        "hukou": residence if rng.random() < 0.15 else _street(rng),
        "residence": residence,
        "sex": rng.choice(["female", "male"]),
        "age": rng.choice([rng.randint(0, 90), 14, 15, 17, 18, 49, 50]),
        "marital_status": rng.choice(["unmarried", "married", "married", "divorced", "widowed"]),
    }
    if facts["marital_status"] == "married" and rng.random() < 0.7:
        other = "male" if facts["sex"] == "female" else "female"
        facts["spouse_sex"] = other if rng.random() < 0.9 else facts["sex"]
        if rng.random() < 0.7:
            facts["spouse_hukou"] = _street(rng)
        if rng.random() < 0.6:
            facts["spouse_age"] = rng.choice([rng.randint(0, 90), 14, 15, 49, 50])
    if rng.random() < 0.4:
        cause = rng.choice(CAUSES)
        in_place = cause is None and rng.random() < 0.8
        area: dict[str, Any] = {"place": residence, "management_in_place": in_place}
        if cause is not None:
            area["blind_spot_cause"] = cause
        if cause in ("no_community_organisation", "not_fully_occupied"):
            if rng.random() < 0.5:
                area["designated_street"] = residence[:6] + rng.choice(["001", "002"])
            if rng.random() < 0.4:
                area["proxy_community"] = residence + rng.choice(["001", "201"])
        if cause == "division_unclear":
            area["adjacent_districts"] = rng.choice([["120101", "120102"], ["120104"]])
        facts["area"] = area
    return facts


def _birth_case(rng: random.Random) -> dict[str, Any]:
    return {
        "kind": "birth_case",
        "hukou": _street(rng),
        "residence": _street(rng),
        "hukou_reported": rng.random() < 0.7,
        "residence_reported": rng.random() < 0.7,
        "attribution_disputed": rng.random() < 0.2,
    }


def _unit(rng: random.Random) -> dict[str, Any]:
    category = rng.choice(
        ["government_organ", "public_institution", "state_owned_enterprise", "other_enterprise"]
    )
    return {
        "kind": "unit",
        "category": category,
        "rank": rng.choice(["ministerial", "bureau", "vice_bureau", "division", "none"]),
        "large_state_owned_enterprise": category == "state_owned_enterprise" and rng.random() < 0.3,
        "staff": rng.choice([rng.randint(0, 3000), 99, 100, 499, 500, 999, 1000, 1001]),
        "location": _street(rng) + rng.choice(["001", "002", "201"]),
    }


_MAKERS = {"resident": _resident, "birth_case": _birth_case, "unit": _unit}


def fact_sets(
    count: int, seed: int = 20240607, questions: tuple[str, ...] = QUESTIONS
) -> dict[str, list[dict[str, Any]]]:
    """``count`` valid fact sets per question (those the model refuses are drawn again)."""
    rng = random.Random(seed)
    out: dict[str, list[dict[str, Any]]] = {}
    for question in questions:
        found: list[dict[str, Any]] = []
        while len(found) < count:
            raw = _MAKERS[SUBJECT[question]](rng)
            try:
                jurisdiction.parse_facts(raw)
            except jurisdiction.FactsError:
                continue
            found.append(raw)
        out[question] = found
    return out
