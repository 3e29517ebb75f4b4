"""`jurisdiction diff OLD NEW`: the regions of the fact space whose answer an edit changes, from
the two partitions overlaid exactly."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from jurisdiction.analysis.diff import diff_policies
from jurisdiction.cli.main import cli
from jurisdiction.policy.load import load_policy

ROOT = Path(__file__).resolve().parent.parent
POLICIES = ROOT / "policies"
EXAMPLE_OVERLAYS = ROOT / "examples" / "overlays"
UNIT_QUESTIONS = {"unit_management", "unit_instrument", "unit_guidance"}


def _with_overlay(tmp_path: Path, name: str = "base") -> Path:
    """The bundled policy with the example overlay of district 120104 as its own."""
    copy = tmp_path / name
    shutil.copytree(POLICIES, copy)
    shutil.copytree(EXAMPLE_OVERLAYS, copy / "overlays")
    return copy


def _copy_with(tmp_path: Path, file: str, old: str, new: str) -> Path:
    copy = _with_overlay(tmp_path, "copy")
    path = copy / file
    text = path.read_text("utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), "utf-8")
    return copy


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _with_overlay(tmp_path_factory.mktemp("b"))


@pytest.fixture(scope="module")
def street_max_800(tmp_path_factory: pytest.TempPathFactory) -> Path:
    old = "  unit_street_max_staff:\n    type: int\n    value: 1000\n"
    return _copy_with(tmp_path_factory.mktemp("p"), "policy.yaml", old, old.replace("1000", "800"))


def test_lowering_the_street_maximum_changes_exactly_staff_801_to_999(
    base: Path, street_max_800: Path
) -> None:
    result = CliRunner().invoke(cli, ["diff", str(base), str(street_max_800)])
    assert result.exit_code == 1, result.output
    out = result.output
    heads = [line for line in out.splitlines() if not line.startswith(" ")]
    assert {h.split(" ")[0] for h in heads} == UNIT_QUESTIONS
    assert all(h.endswith("in every district but 120104 (own overlay values):") for h in heads)
    regions = [line for line in out.splitlines() if line.startswith("  ") and ":" not in line]
    assert regions
    assert all(r.endswith("unit.staff in 801..999") for r in regions)
    assert "old: responsible: subdistrict office (street of location, responsible) (十)" in out
    assert "[unit_management.street_by_staff]" in out
    assert "[unit_management.community]" in out


def test_the_json_names_the_same_region_with_old_and_new_rules(
    base: Path, street_max_800: Path
) -> None:
    result = CliRunner().invoke(cli, ["diff", str(base), str(street_max_800), "--format", "json"])
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["differs"] is True
    assert {q["question"] for q in data["questions"]} == UNIT_QUESTIONS
    for q in data["questions"]:
        assert q["district"] is None
        assert q["other_districts_apart"] == ["120104"]
        for change in q["changes"]:
            assert change["when"]["unit.staff"] == [{"min": 801, "max": 999}]
            assert change["when"]["unit.in_city"] == [True]
            assert change["old"]["articles"] == change["new"]["articles"]
            assert change["old"]["rules"] != change["new"]["rules"]


def test_an_unchanged_policy_has_no_difference_and_exits_0() -> None:
    result = CliRunner().invoke(cli, ["diff", str(POLICIES), str(POLICIES)])
    assert result.exit_code == 0
    assert result.output.startswith("no difference: ")


def test_an_overlay_edit_changes_only_its_district(tmp_path: Path) -> None:
    old = "  unit_district_min_staff:\n    value: 500\n"
    copy = _copy_with(tmp_path, "overlays/120104.yaml", old, old.replace("500", "600"))
    result = diff_policies(load_policy(_with_overlay(tmp_path)), load_policy(copy))
    changed = [q for q in result.questions if q.changes]
    assert {q.question for q in changed} == UNIT_QUESTIONS
    assert {q.scope for q in changed} == {"120104"}
    for q in changed:
        for change in q.changes:
            assert "unit.staff in 500..599" in change.describe(q.subject, q.splits)
            assert "district" in change.old.text
