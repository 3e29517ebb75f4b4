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
    # the tier's rule, and the reading applied beside it to a deputy-bureau organ tiered by staff
    old_rules = "[unit_management.street_by_staff, unit_management.vice_bureau_by_staff_street]"
    assert f"(street of location, responsible) (十)  {old_rules}" in out
    # unit_management's two alternatives are the units its definition of rank leaves out
    named = "  [answer] not unit_bureau_rank_or_above, unit.in_city = true, "
    assert named + "unit.large_state_owned_enterprise = false, unit.staff in 801..999" in out
    new_rules = "[unit_management.community, unit_management.vice_bureau_by_staff_community]"
    assert f"(community of location, responsible) (十)  {new_rules}" in out


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
    old = "this city), so it is not a blind spot under article (六)\n"
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


PERMIT = ROOT / "examples" / "residence_permit"
COVERED = "    when: applicant.resides_in_city and not applicant.hukou_in_city\n"


def _permit(tmp: Path, name: str, covered: str, age: int) -> Path:
    """The residence-permit example with the scope ``covered`` written as ``covered`` and the
    age of applying in person ``age``."""
    root = tmp / name
    shutil.copytree(PERMIT, root)
    path = root / "policy.yaml"
    text = path.read_text("utf-8")
    assert text.count(COVERED) == 1
    assert text.count("    value: 16\n") == 1
    text = text.replace(COVERED, f"    when: {covered}\n").replace(
        "    value: 16\n", f"    value: {age}\n"
    )
    path.write_text(text, "utf-8")
    return root


def test_a_change_within_a_disjunctive_definition_is_one_region_named_by_it(
    tmp_path: Path,
) -> None:
    """The scope is a disjunction: raising the age of applying in person changes the answer
    wherever the scope holds, which as products of feature values is two alternatives; the
    policy's own name for their union makes it one region, and the JSON keeps both forms."""
    covered = "applicant.resides_in_city or not applicant.hukou_in_city"
    old = load_policy(_permit(tmp_path, "old", covered, 16))
    new = load_policy(_permit(tmp_path, "new", covered, 18))
    result = diff_policies(old, new, {"application"})
    (q,) = result.questions
    (change,) = q.changes
    assert len(change.regions) == 2  # the two disjuncts, as products
    assert change.named is not None
    assert (change.named.definition, change.named.holds) == ("covered", True)
    assert change.lines(q.subject, q.splits) == [["covered", "applicant.age in 16..17"]]
    rendered = q.render().splitlines()
    assert rendered[1] == "  [body] covered, applicant.age in 16..17"
    assert not any(line.startswith("  or") for line in rendered)
    data = q.to_dict()["changes"][0]
    assert data["as_defined"] == {
        "definition": "covered",
        "holds": True,
        "and_when": {"applicant.age": [{"min": 16, "max": 17}]},
    }
    assert len(data["also_when"]) == 1  # the products, as before
    # the name says what the products say: the scope's cases, at 16 and 17
    for resides in (True, False):
        for hukou in (True, False):
            cases = (("resides_in_city", resides), ("hukou_in_city", hukou))
            inside = any(all(v in dict(r.values)[n] for n, v in cases) for r in change.regions)
            assert inside == (resides or not hukou), cases
    assert {str(v) for r in change.regions for v in dict(r.values)["age"]} == {"16", "17"}


def test_a_region_no_definition_says_exactly_keeps_its_products(tmp_path: Path) -> None:
    """Where the change is not a definition's region (here a part of the scope only), the
    products are reported as they were."""
    covered = "applicant.resides_in_city or not applicant.hukou_in_city"
    old = load_policy(_permit(tmp_path, "old", covered, 16))
    new_root = _permit(tmp_path, "new", covered, 18)
    rules = new_root / "rules.yaml"
    text = rules.read_text("utf-8")
    text = text.replace(
        "when: not (applicant.age >= param.own_application_age)\n",
        "when: not (applicant.age >= param.own_application_age) or applicant.hukou_in_city\n",
    ).replace(
        "when: applicant.age >= param.own_application_age\n",
        "when: applicant.age >= param.own_application_age and not applicant.hukou_in_city\n",
    )
    rules.write_text(text, "utf-8")
    result = diff_policies(old, load_policy(new_root), {"application"})
    (q,) = result.questions
    (change,) = q.changes
    assert change.named is None  # the scope at 16..17, and the local hukou at any older age
    assert change.lines(q.subject, q.splits) == [
        ["applicant.hukou_in_city = false", "applicant.age in 16..17"],
        [
            "applicant.resides_in_city = true",
            "applicant.hukou_in_city = true",
            "applicant.age in 16..150",
        ],
    ]
    assert "as_defined" not in q.to_dict()["changes"][0]
