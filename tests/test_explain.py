"""`engine.explain(facts, q)` and `jurisdiction explain`: every rule's condition node by node,
fired/overridden and by whom, and for each rule that does not apply the nearest change of facts
(from the exact partition) with the answer then."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import jurisdiction
from jurisdiction.analysis.explain import Explanation, NodeTrace, RuleTrace
from jurisdiction.cli.main import cli

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "unit_1000_staff.yaml"
UNIT = {"kind": "unit", "category": "other_enterprise", "staff": 1000, "location": "120101002001"}


@pytest.fixture(scope="module")
def explained() -> Explanation:
    return jurisdiction.load().explain(UNIT, "unit_management")


def _rule(e: Explanation, name: str) -> RuleTrace:
    return next(r for r in e.rules if r.rule == f"unit_management.{name}")


def _nodes(node: NodeTrace) -> list[NodeTrace]:
    return [node, *(n for c in node.children for n in _nodes(c))]


def test_the_overlap_at_1000_and_the_override_that_resolves_it(explained: Explanation) -> None:
    assert explained.decision is not None
    assert explained.decision.rules_applied == (
        "unit_management.district_by_staff",
        "unit_management.staff_overlap",  # the reading, said where it applies (issue 20.7)
    )
    street, district = _rule(explained, "street_by_staff"), _rule(explained, "district_by_staff")
    overlap = _rule(explained, "staff_overlap")
    assert street.fired
    assert district.fired
    assert not street.applied
    assert district.applied
    assert overlap.applied
    assert street.overridden_by == ("unit_management.district_by_staff",)
    assert overlap.note is not None
    assert "exactly 1000 staff" in overlap.note.en
    assert "恰好1000人" in overlap.note.zh
    seen = {k: v for n in _nodes(street.condition) for k, v in n.seen}
    assert seen["unit.staff"] == 1000
    assert seen["param.unit_street_max_staff"] == 1000
    leaf = next(
        n for n in _nodes(street.condition) if n.text.endswith("<= param.unit_street_max_staff")
    )
    assert leaf.value is True


def test_the_nearest_change_comes_from_the_partition(explained: Explanation) -> None:
    street = _rule(explained, "street_by_staff").nearest
    assert street is not None
    assert street.changes == (("unit.staff", 1000, 999),)
    assert street.rules_applied == ("unit_management.street_by_staff",)
    assert "subdistrict office" in street.answer.en
    # the witness is a fact set that decide answers so
    decision = jurisdiction.load().decide(street.witness, "unit_management")
    assert decision.rules_applied == street.rules_applied
    community = _rule(explained, "community").nearest
    assert community is not None
    assert community.changes == (("unit.staff", 1000, 99),)
    rank = _rule(explained, "district_by_rank")
    assert not rank.fired
    assert rank.nearest is not None
    assert {f for f, _a, _b in rank.nearest.changes} == {"unit.category", "unit.rank"}
    assert rank.condition.value is False


def test_the_command_in_english_chinese_and_json() -> None:
    runner = CliRunner()
    out = runner.invoke(cli, ["explain", str(EXAMPLE), "-q", "unit_management", "--full", "--ids"])
    assert out.exit_code == 0, out.output
    text = out.output
    assert "unit_management.district_by_staff overrides unit_management.street_by_staff" in text
    assert "unit_management.street_by_staff ((十)): fired, overridden by" in text
    assert "nearest change: unit.staff: 1000 → 999 — then the subdistrict office" in text
    assert "[unit.staff = 1000, param.unit_street_max_staff = 1000]" in text
    zh = runner.invoke(
        cli, ["explain", str(EXAMPLE), "-q", "unit_management", "--lang", "zh", "--full", "--ids"]
    )
    assert "最近的改变：unit.staff：1000 → 999 — 则 街道办事处（第(十)条）" in zh.output
    js = runner.invoke(cli, ["explain", str(EXAMPLE), "-q", "unit_management", "--format", "json"])
    data = json.loads(js.output)
    rules = {r["rule"]: r for r in data[0]["rules"]}
    street = rules["unit_management.street_by_staff"]
    assert street["overridden_by"] == ["unit_management.district_by_staff"]
    assert street["nearest_change"]["changes"] == [
        {"feature": "unit.staff", "now": 1000, "then": 999}
    ]


def test_in_an_overlay_district_the_nearest_change_uses_its_values() -> None:
    facts = {**UNIT, "staff": 499, "location": "120104002001"}
    overlays = ROOT / "examples" / "overlays"
    e = jurisdiction.load(overlays=overlays).explain(facts, "unit_management")
    assert len(e.sources) == 1
    assert e.sources[0].endswith("examples/overlays/120104.yaml")
    district = _rule(e, "district_by_staff").nearest
    assert district is not None
    assert district.changes == (("unit.staff", 499, 500),)


def test_the_short_form_by_default_the_full_tree_on_full() -> None:
    runner = CliRunner()
    args = ["explain", str(EXAMPLE), "-q", "unit_management", "--ids"]
    short = runner.invoke(cli, args).output
    full = runner.invoke(cli, [*args, "--full"]).output
    tail = short.split("\n\n")[-1].splitlines()
    assert tail == [
        "decided by: unit_management.district_by_staff ((十)): fired, applied",
        "  unit_in_city and (unit.staff >= param.unit_district_min_staff)",
        "  [unit.in_city = true, unit.staff = 1000, param.unit_district_min_staff = 1000]",
        "decided by: unit_management.staff_overlap ((十)): fired, applied",
        "  unit_in_city and (unit_street_tier and unit.staff >= param.unit_district_min_staff)",
        "  [unit.in_city = true, unit.staff = 1000, param.unit_street_min_staff = 100, "
        "param.unit_street_max_staff = 1000, param.unit_district_min_staff = 1000]",
        "nearest change: unit.staff: 1000 → 999 — then the subdistrict office of the subdistrict"
        " ((十)) [unit_management.street_by_staff]",
        "(every rule, node by node: --full)",
    ]
    assert "unit_management.community ((十)): fired" not in short
    assert "unit_management.community ((十)): fired" in full
    assert len(full.splitlines()) > 2 * len(short.splitlines())


PERMIT = ROOT / "examples" / "residence_permit"


def test_the_nearest_change_speaks_of_the_callers_own_values(tmp_path: Path) -> None:
    """The reason of the nearest answer is filled in with the caller's values; a value the
    change alters reads as the change — never the example codes of the partition's witness."""
    engine = jurisdiction.load(PERMIT)
    facts = {"kind": "applicant", "residence": "KN01", "hukou_in_city": True, "age": 30}
    e = engine.explain(facts, "application")
    witness_codes = {r.nearest.witness["residence"] for r in e.rules if r.nearest is not None}
    outside = next(r for r in e.rules if r.rule.endswith("residence_outside_city")).nearest
    assert outside is not None
    assert outside.answer.en == (
        "the residence [applicant.resides_in_city → false] is not in the city, so Article 2"
        " item (1) excludes it"
    )
    text = e.render(full=True)
    assert all(code not in text for code in witness_codes - {"KN01"}), text


def test_a_derived_feature_prints_as_written(tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "permit"
    shutil.copytree(PERMIT, root)
    facts = root / "facts.yaml"
    facts.write_text(
        facts.read_text("utf-8").replace(
            "      age: {type: int, min: 0, max: 150, doc: age in whole years}\n",
            "      age: {type: int, min: 0, max: 150, doc: age in whole years}\n"
            "      applied_on: {type: date, optional: true, doc: the day of the application}\n",
        ),
        "utf-8",
    )
    rules = root / "rules.yaml"
    rules.write_text(
        rules.read_text("utf-8").replace(
            "when: applicant.age >= param.own_application_age\n",
            "when: applicant.age >= param.own_application_age and applicant.applied_on >= "
            'date("2020-01-01")\n',
            1,
        ),
        "utf-8",
    )
    facts_in = {
        "kind": "applicant",
        "residence": "KN01",
        "hukou_in_city": False,
        "age": 30,
        "applied_on": "2021-05-01",
    }
    text = jurisdiction.load(root).explain(facts_in, "application").render(full=True)
    assert 'applicant.applied_on >= date("2020-01-01")' in text
    assert "applicant.applicant." not in text


def test_a_caseworker_reads_no_identifiers_and_chinese_punctuation() -> None:
    """Issue 20.8: without --ids, explain names rules by their articles as the text reads them,
    shows no question, rule or parameter id nor the conditions as written; Chinese is set with
    full-width punctuation. --ids brings the ids back; JSON keeps them always."""
    runner = CliRunner()
    for full in ([], ["--full"]):
        zh = runner.invoke(
            cli, ["explain", str(EXAMPLE), "-q", "unit_management", "--lang", "zh", *full]
        ).output
        assert "unit_management" not in zh
        assert "param." not in zh
        assert "unit_street_tier" not in zh
        assert "据以决定的规则：第(十)条：成立，适用" in zh or "第(十)条：成立，适用" in zh
        assert "最近的改变：unit.staff：1000 → 999 — 则 街道办事处（第(十)条）" in zh
        assert "（规则及其条件：--ids）" in zh
        assert ": " not in zh.split("政策指纹")[-1].split("\n", 1)[-1]
        en = runner.invoke(cli, ["explain", str(EXAMPLE), "-q", "unit_management", *full]).output
        assert "unit_management" not in en
        assert "param." not in en
        assert "(rules and their conditions: --ids)" in en
