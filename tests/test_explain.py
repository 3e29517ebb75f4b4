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
    assert explained.decision.rules_applied == ("unit_management.district_by_staff",)
    street, district = _rule(explained, "street_by_staff"), _rule(explained, "district_by_staff")
    assert street.fired
    assert district.fired
    assert not street.applied
    assert district.applied
    assert street.overridden_by == ("unit_management.district_by_staff",)
    assert district.note is not None
    assert "exactly 1000 staff" in district.note.en
    assert "恰为1000人" in district.note.zh
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
    out = runner.invoke(cli, ["explain", str(EXAMPLE), "-q", "unit_management"])
    assert out.exit_code == 0, out.output
    text = out.output
    assert "unit_management.district_by_staff overrides unit_management.street_by_staff" in text
    assert "unit_management.street_by_staff ((十)): fired, overridden by" in text
    assert "nearest change: unit.staff: 1000 → 999 — then the subdistrict office" in text
    assert "[unit.staff = 1000, param.unit_street_max_staff = 1000]" in text
    zh = runner.invoke(cli, ["explain", str(EXAMPLE), "-q", "unit_management", "--lang", "zh"])
    assert "最近的改变: unit.staff: 1000 → 999 — 则 街道办事处((十))" in zh.output
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
