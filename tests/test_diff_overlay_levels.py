"""`jurisdiction diff` across overlays at several levels (#19): the bundled policy with district
120104's overlay and two street overlays inside it — 120104003 sets its own street minimum,
120104002 only another value. An edit to the district's overlay changes the answers of the
district and of every street that keeps the district's value, never of the street that sets its
own; an edit to a street's overlay changes that street alone. Each change is reported once, in
the scope whose values give it, and the answers `decide` gives at places of each scope agree."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import jurisdiction
from jurisdiction.analysis.diff import PolicyDiff, diff_policies
from jurisdiction.policy.load import load_policy
from policy_files import EXAMPLE_OVERLAY, bundled_copy, patch

QUESTION = "unit_management"
OWN_MINIMUM = """\
overlay:
  place: "120104003"
  within: "120104"
  title: {zh: 街道单位范围（示例）, en: Unit ranges of street 120104003 (example)}
parameters:
  unit_street_min_staff:
    value: 30
    note: {zh: 本街道自30人起管理单位（示例）, en: the street manages units from 30 staff (example)}
"""
OTHER_VALUE = """\
overlay:
  place: "120104002"
  within: "120104"
  title: {zh: 街道副局级单位（示例）, en: Deputy-bureau units of street 120104002 (example)}
parameters:
  unit_vice_bureau_rank_counts:
    value: false
    note: {zh: 副局级单位不按局级管理（示例）, en: deputy-bureau units tiered by staff (example)}
"""
DISTRICT_MIN = "  unit_street_min_staff:\n    value: 50\n"
STREET_MIN = "  unit_street_min_staff:\n    value: 30\n"


def _policy(root: Path) -> Path:
    bundled_copy(root)
    patch(root / "facts.yaml", "  overlays: district\n", "  overlays: [district, street]\n")
    (root / "overlays").mkdir()
    shutil.copy(EXAMPLE_OVERLAY, root / "overlays" / "120104.yaml")
    (root / "overlays" / "120104003.yaml").write_text(OWN_MINIMUM, encoding="utf-8")
    (root / "overlays" / "120104002.yaml").write_text(OTHER_VALUE, encoding="utf-8")
    return root


def _edited(root: Path, file: str, old: str, new: str) -> Path:
    _policy(root)
    patch(root / "overlays" / file, old, new)
    return root


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _policy(tmp_path_factory.mktemp("levels") / "base")


@pytest.fixture(scope="module")
def district_edit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("district") / "new"
    return _edited(root, "120104.yaml", DISTRICT_MIN, DISTRICT_MIN.replace("50", "45"))


@pytest.fixture(scope="module")
def street_edit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("street") / "new"
    return _edited(root, "120104003.yaml", STREET_MIN, STREET_MIN.replace("30", "35"))


def _changed(result: PolicyDiff) -> dict[str | None, list[list[str]]]:
    """Per scope, the regions of the changes (every scope compared is a key)."""
    return {
        q.scope: [c.describe(q.subject, q.splits) for c in q.changes]
        for q in result.questions
        if q.question == QUESTION
    }


def _unit(staff: int, location: str) -> dict[str, object]:
    return {"kind": "unit", "category": "other_enterprise", "staff": staff, "location": location}


def _moved(old: Path, new: Path, staff: int, location: str) -> bool:
    """Whether ``decide`` answers a unit of ``staff`` at ``location`` differently."""
    a = jurisdiction.load(old).decide(_unit(staff, location), QUESTION)
    b = jurisdiction.load(new).decide(_unit(staff, location), QUESTION)
    return (a.outcome, a.bodies) != (b.outcome, b.bodies)


def test_a_district_edit_shows_in_its_streets_that_keep_its_value_and_not_in_one_that_does_not(
    base: Path, district_edit: Path
) -> None:
    result = diff_policies(load_policy(base), load_policy(district_edit), only={QUESTION})
    changed = _changed(result)
    assert set(changed) == {None, "120104", "120104002", "120104003"}
    assert changed[None] == []  # the rest of the city: the city's values, not edited
    assert changed["120104003"] == []  # its own minimum replaces the district's
    for scope in ("120104", "120104002"):  # the district's other streets, and 120104002
        [region] = changed[scope]
        assert "unit.staff in 45..49" in region
    # decide agrees at a place of each scope: 47 staff moves from community to street office
    assert _moved(base, district_edit, 47, "120104001001")
    assert _moved(base, district_edit, 47, "120104002001")
    assert not _moved(base, district_edit, 47, "120104003001")
    assert not _moved(base, district_edit, 47, "120101001001")


def test_a_street_edit_shows_in_that_street_alone(base: Path, street_edit: Path) -> None:
    result = diff_policies(load_policy(base), load_policy(street_edit), only={QUESTION})
    changed = _changed(result)
    [region] = changed.pop("120104003")
    assert "unit.staff in 30..34" in region
    assert changed == {None: [], "120104": [], "120104002": []}
    assert _moved(base, street_edit, 32, "120104003001")
    assert not _moved(base, street_edit, 32, "120104002001")
    assert not _moved(base, street_edit, 32, "120104001001")


def test_each_scope_names_its_level_and_the_narrower_places_compared_apart(
    base: Path, district_edit: Path
) -> None:
    result = diff_policies(load_policy(base), load_policy(district_edit), only={QUESTION})
    data = json.loads(json.dumps(result.to_dict()))  # as `diff --format json` prints it
    scopes = {q["district"]: q for q in data["questions"]}
    assert set(scopes) == {"120104", "120104002"}  # the scopes with changes
    assert scopes["120104"]["level"] == "district"
    assert scopes["120104"]["other_districts_apart"] == ["120104002", "120104003"]
    assert scopes["120104002"]["level"] == "street"
    assert scopes["120104002"]["other_districts_apart"] == []
    heads = [line for line in result.render().splitlines() if line.startswith(QUESTION)]
    assert heads == [
        f"{QUESTION} [unit] in district 120104, with its overlay's values, "
        "but not in 120104002, 120104003 (own overlay values):",
        f"{QUESTION} [unit] in street 120104002, with its overlay's values:",
    ]
