"""A body's level computed by an expression over the place it is at (#19 item 4): a city
government is province-level in a municipality and prefecture-level elsewhere. The housing
example's region housing department is bureau-level in region KN and section-level elsewhere
(`bodies.housing_department.level`); checked on load, evaluated when a decision names it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import jurisdiction

from policy_kit import ROOT

EXAMPLE = ROOT / "examples" / "housing_subsidy"


def _facts(ward: str) -> dict[str, object]:
    return {
        "kind": "household",
        "residence": ward,
        "applicant_age": 30,
        "members": [{"relation": "child", "age": 3}],
    }


@pytest.mark.parametrize(
    ("ward", "level", "zh", "en"),
    [("KN01", "bureau", "局级", "bureau-level"), ("KS02", "section", "科级", "section-level")],
)
def test_the_level_follows_the_place(ward: str, level: str, zh: str, en: str) -> None:
    decision = jurisdiction.load(EXAMPLE).decide(_facts(ward), "review", as_of="2025-01-01")
    [department] = [b for b in decision.bodies if b.kind == "housing_department"]
    [office] = [b for b in decision.bodies if b.kind == "ward_office"]
    assert department.body_level == level
    assert office.body_level is None  # a body without a level expression: as before
    assert f"区住房部门（{zh}）" in decision.render("zh")
    assert f"the region housing department ({en}) of the" in decision.render("en")
    assert decision.to_dict()["bodies"][1]["body_level"] == level
    assert jurisdiction.Decision.from_json(decision.to_json()) == decision


def _with_level(tmp_path: Path, expr: str) -> Path:
    root = tmp_path / "housing"
    shutil.copytree(EXAMPLE, root)
    policy = root / "policy.yaml"
    text = policy.read_text(encoding="utf-8")
    old = """      expr: 'if within(body.place, "KN") then "bureau" else "section"'\n"""
    assert old in text
    policy.write_text(text.replace(old, f"      expr: '{expr}'\n"), encoding="utf-8")
    return root


@pytest.mark.parametrize(
    ("expr", "code"),
    [
        ('if within(body.place, "KN") then "bureau" else "ministry"', "body-level"),
        ("within(body.place, param.city_code)", "body-level"),
        ('if within(body.region, "KN") then "bureau" else "section"', "unknown-fact"),
        ('if within(body.place, "KN" then "bureau"', "condition-syntax"),
    ],
)
def test_a_bad_level_expression_is_a_located_error(tmp_path: Path, expr: str, code: str) -> None:
    with pytest.raises(jurisdiction.PolicyError) as err:
        jurisdiction.load(_with_level(tmp_path, expr))
    [d] = err.value.diagnostics
    assert d.code == code
    assert Path(d.location.file).name == "policy.yaml"


def test_a_parameter_read_by_a_level_expression_alone_is_in_use() -> None:
    # tests/batch_body_levels: `central_region` is read by the inspection department's level
    # only; `check` does not call it unused
    root = ROOT / "tests" / "batch_body_levels"
    assert "param.central_region" in (root / "policy.yaml").read_text(encoding="utf-8")
    assert [f.code for f in jurisdiction.check(root)] == []
