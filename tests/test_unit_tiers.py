"""Article (十): the tiers are resolved by explicit overrides, and every unit question agrees."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path
from typing import Any

import pytest

import jurisdiction

ROOT = Path(__file__).resolve().parent.parent
THE_OVERRIDE = "          - unit_management.street_by_staff   # the overlap: rule staff_overlap\n"


_FACTS = jurisdiction.load().policy.facts
assert _FACTS is not None
_ENUMS = _FACTS.enums


def _unit(staff: int, **more: Any) -> dict[str, Any]:
    return {"kind": "unit", "category": "other_enterprise", "staff": staff,
            "location": "120101002001", **more}  # fmt: skip


def test_the_1000_overlap_is_resolved_by_one_override_line() -> None:
    chapter = (ROOT / "policies" / "chapter3.yaml").read_text(encoding="utf-8")
    assert chapter.count(THE_OVERRIDE) == 1


def test_removing_the_override_makes_1000_staff_a_conflict(tmp_path: Path) -> None:
    policy = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", policy)
    chapter = policy / "chapter3.yaml"
    chapter.write_text(
        chapter.read_text(encoding="utf-8").replace(THE_OVERRIDE, ""), encoding="utf-8"
    )
    engine = jurisdiction.load(policy)
    with pytest.raises(jurisdiction.ConflictError) as info:
        engine.decide(_unit(1000), "unit_management")
    assert {rule for rule, _cite, _loc in info.value.rules} == {
        "unit_management.district_by_staff",
        "unit_management.staff_overlap",  # the reading said at the overlap (issue 20.7)
        "unit_management.street_by_staff",
    }
    assert "(十)" in str(info.value)
    for staff in (999, 1001):  # only the shared number conflicts
        engine.decide(_unit(staff), "unit_management")
    # the bundled policy, with the override, answers 1000 once
    decision = jurisdiction.load().decide(_unit(1000), "unit_management")
    assert decision.rules_applied == (
        "unit_management.district_by_staff",
        "unit_management.staff_overlap",
    )


def _units() -> list[dict[str, Any]]:
    staffs = (0, 49, 50, 99, 100, 499, 500, 999, 1000, 1001)
    locations = ("120101002001", "120113101201", "120104002001")
    return [
        {
            "kind": "unit",
            "category": category,
            "rank": rank,
            "large_state_owned_enterprise": large,
            "staff": staff,
            "location": location,
        }
        for category, rank, staff, location in itertools.product(
            _ENUMS["unit_category"], _ENUMS["rank"], staffs, locations
        )
        for large in ((False, True) if category == "state_owned_enterprise" else (False,))
    ]


def test_management_instrument_and_guidance_name_the_same_tier() -> None:
    engine = jurisdiction.load(
        overlays=Path(__file__).resolve().parent.parent / "examples" / "overlays"
    )
    for unit in _units():
        levels = {
            q: tuple(b.level for b in engine.decide(unit, q).bodies)
            for q in ("unit_management", "unit_instrument", "unit_guidance")
        }
        assert len(set(levels.values())) == 1, (unit, levels)


def _expected_level(unit: dict[str, Any], district_min: int, street: tuple[int, int],
                    vice_counts: bool) -> str:  # fmt: skip
    ranked = unit["category"] in ("government_organ", "public_institution") and (
        unit["rank"] in ("ministerial", "bureau") or (unit["rank"] == "vice_bureau" and vice_counts)
    )
    if ranked or unit["large_state_owned_enterprise"] or unit["staff"] >= district_min:
        return "district"
    if street[0] <= unit["staff"] <= street[1]:
        return "street"
    return "community"


def test_the_tiers_follow_the_text_for_every_kind_of_unit() -> None:
    """An independent statement of (十), checked against the engine, city and overlay (the
    illustrative one of examples/overlays/, which a caller adds)."""
    engine = jurisdiction.load(
        overlays=Path(__file__).resolve().parent.parent / "examples" / "overlays"
    )
    for unit in _units():
        in_overlay = unit["location"].startswith("120104")
        expected = (
            _expected_level(unit, 500, (50, 499), vice_counts=True)
            if in_overlay
            else _expected_level(unit, 1000, (100, 1000), vice_counts=False)
        )
        decision = engine.decide(unit, "unit_management")
        assert decision.bodies[0].level == expected, (unit, decision.rules_applied)
        assert decision.sources == (("examples/overlays/120104.yaml",) if in_overlay else ())
