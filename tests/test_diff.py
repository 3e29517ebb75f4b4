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
    summary, *rest = out.splitlines()
    assert summary == (
        "3 changes in 3 questions: unit_guidance 1 body; unit_instrument 1 body; "
        "unit_management 1 answer"
    )
    heads = [line for line in rest if not line.startswith(" ")]
    assert {h.split(" ")[0] for h in heads} == UNIT_QUESTIONS
    assert all(h.endswith("in every district but 120104 (own overlay values):") for h in heads)
    regions = [line for line in rest if line.startswith("  ") and ":" not in line]
    assert regions
    assert all(r.endswith("unit.staff in 801..999") for r in regions)
    # one change a question: the street -> community move, whatever the rank or category
    assert sorted(r.split("]")[0].strip() for r in regions if "[" in r) == [
        "[answer",
        "[body",
        "[body",
    ]
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
    assert data["summary"] == {
        "unit_management": {"answer": 1, "body": 0, "reason-text-only": 0},
        "unit_instrument": {"answer": 0, "body": 1, "reason-text-only": 0},
        "unit_guidance": {"answer": 0, "body": 1, "reason-text-only": 0},
    }
    assert {q["question"] for q in data["questions"]} == UNIT_QUESTIONS
    for q in data["questions"]:
        assert q["district"] is None
        assert q["other_districts_apart"] == ["120104"]
        assert len(q["changes"]) == 1
        for change in q["changes"]:
            assert change["kind"] == ("answer" if q["question"] == "unit_management" else "body")
            assert change["when"]["unit.staff"] == [{"min": 801, "max": 999}]
            assert all(w["unit.staff"] == [{"min": 801, "max": 999}] for w in change["also_when"])
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


def test_a_changed_reason_text_is_tagged_as_such_and_not_as_an_answer(tmp_path: Path) -> None:
    """Rewording why an area is no blind spot changes the reason of the not-applicable answers
    only: every change is `reason-text-only`, and the summary counts it so."""
    old = "city), so it is not a blind spot under article (六)\n"
    copy = _copy_with(tmp_path, "chapter2.yaml", old, old.replace("so it is", "hence it is"))
    only = {"blind_spot_management"}
    result = diff_policies(load_policy(_with_overlay(tmp_path)), load_policy(copy), only)
    (q,) = [q for q in result.questions if q.changes]
    assert {c.kind for c in q.changes} == {"reason-text-only"}
    assert all(c.old.key[0] == c.new.key[0] == "not_applicable" for c in q.changes)
    assert result.counts() == {
        "blind_spot_management": {"answer": 0, "body": 0, "reason-text-only": len(q.changes)}
    }
    n = len(q.changes)
    plural = "s" if n != 1 else ""
    assert result.render().splitlines()[0] == (
        f"{n} change{plural} in 1 question: blind_spot_management {n} reason-text-only"
    )


def test_regions_of_one_change_are_joined_exactly_or_listed_as_alternatives() -> None:
    """Two regions that differ in one feature's values are one region (the union is exact);
    two that differ in more stay alternatives of the same change — never a change each."""
    from jurisdiction.analysis.diff import Answer, Change, Region, _unions

    old, new = Answer(("a",), "a", (), ()), Answer(("b",), "b", (), ())
    other = Answer(("c",), "c", (), ())

    def box(x: tuple[object, ...], y: tuple[object, ...]) -> Region:
        return Region((("x", x), ("y", y)))

    changes = [
        Change(box((True,), (1,)), old, new, 1),
        Change(box((False,), (1,)), old, new, 1),  # joins the first: x either way, y = 1
        Change(box((True,), (2,)), other, new, 1),  # another change
        Change(box((False,), (3,)), other, new, 1),  # differs in both: an alternative
    ]
    first, second = _unions(changes)
    assert first.regions == (box((True, False), (1,)),)
    assert first.classes == 2
    assert second.regions == (box((True,), (2,)), box((False,), (3,)))


def test_the_summary_counts_questions_added_and_removed() -> None:
    from jurisdiction.analysis.diff import PolicyDiff

    policy = load_policy(POLICIES)
    result = PolicyDiff(policy, policy, ("x",), ("y", "z"), ())
    assert result.differs
    assert result.render().splitlines() == [
        "0 changes in 0 questions (questions 1 added, 2 removed)",
        "question added: x",
        "question removed: y",
        "question removed: z",
    ]
