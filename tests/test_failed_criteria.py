"""A yes/no eligibility that lists every failed criterion (#19 item 2): a scope whose definition
says `criteria: all` gives, outside it, a decision that lists each case of `outside` the facts
fail, with its reason and values — in both languages, in JSON, by both evaluators and in batch —
while a definition without it keeps naming the first case only (examples/housing_subsidy)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from click.testing import CliRunner

import jurisdiction
from jurisdiction.batch.embedded import decide_table
from jurisdiction.cli.main import cli
from jurisdiction.core.errors import PolicyError
from jurisdiction.engine.decision import Decision

from policy_kit import ROOT

EXAMPLE = ROOT / "examples" / "housing_subsidy"

NOT_ELIGIBLE: dict[str, Any] = {
    "kind": "household",
    "residence": "KN01",
    "applicant_age": 17,
    "applicant_income": 50000,
    "members": [{"relation": "parent", "age": 60, "income": 20000}],
}
FAILED = ["applicant_under_age", "income_above_standard", "no_minor_child"]


@pytest.mark.parametrize("evaluator", ["compiled", "durable"])
def test_every_failed_criterion_with_its_values(evaluator: str) -> None:
    engine = jurisdiction.load(EXAMPLE, evaluator=evaluator)  # type: ignore[arg-type]
    d = engine.decide(NOT_ELIGIBLE, "application", as_of="2025-01-01")
    assert d.outcome == "not_applicable"
    assert [f.criterion for f in d.failed] == FAILED  # in the order the policy writes them
    assert dict(d.failed[1].values) == {
        "household.family_income": "70000",
        "household.income_limit": "60000",
    }
    assert dict(d.failed[0].values) == {"household.applicant_age": "17", "param.adult_age": "18"}
    assert d.reason is not None
    assert d.reason.en == "; ".join(f.reason.en for f in d.failed)
    assert d.reason.zh == "；".join(f.reason.zh for f in d.failed)
    assert d.rules_applied == ("application.outside_scope.applicant_under_age",)


def test_rendered_in_both_languages_and_in_json() -> None:
    engine = jurisdiction.load(EXAMPLE)
    d = engine.decide(NOT_ELIGIBLE, "application", as_of="2025-01-01")
    zh, en = d.render("zh"), d.render("en")
    assert "未满足的条件：" in zh
    assert "Criteria not met:" in en
    for f in d.failed:
        assert f"  - {f.reason.zh} [{f.criterion}]" in zh.splitlines()
        assert f"  - {f.reason.en} [{f.criterion}]" in en.splitlines()
    assert "申请人 17 周岁，未满 18 周岁（第三条第（一）项）" in zh  # full-width (issue 20.8)
    data = d.to_dict()
    assert [f["criterion"] for f in data["failed"]] == FAILED
    assert data["failed"][0]["values"] == [
        ["household.applicant_age", "17"],
        ["param.adult_age", "18"],
    ]
    assert Decision.from_json(d.to_json()) == d


def test_an_eligible_household_lists_nothing() -> None:
    engine = jurisdiction.load(EXAMPLE)
    facts = dict(NOT_ELIGIBLE, applicant_age=30, applicant_income=0)
    facts["members"] = [{"relation": "child", "age": 4}]
    d = engine.decide(facts, "application", as_of="2025-01-01")
    assert (d.outcome, d.failed) == ("responsible", ())


def test_without_criteria_all_the_first_case_alone_is_named(tmp_path: Path) -> None:
    root = tmp_path / "first"
    shutil.copytree(EXAMPLE, root)
    policy = root / "policy.yaml"
    text = policy.read_text(encoding="utf-8")
    policy.write_text(text.replace("    criteria: all ", "    # criteria: all "), encoding="utf-8")
    d = jurisdiction.load(root).decide(NOT_ELIGIBLE, "application", as_of="2025-01-01")
    assert d.failed == ()
    assert d.reason is not None
    assert d.reason.en == "the applicant is 17, under 18 (Article 3 item (1))"
    assert "Reason: the applicant is 17" in d.render("en")


def test_batch_gives_each_row_its_failed_criteria() -> None:
    engine = jurisdiction.load(EXAMPLE)
    rows = [
        NOT_ELIGIBLE,
        dict(NOT_ELIGIBLE, applicant_age=40),
        dict(NOT_ELIGIBLE, residence="AB01"),
    ]
    member = pa.struct([("relation", pa.string()), ("age", pa.int64()), ("income", pa.int64())])
    schema = pa.schema(
        [
            ("residence", pa.string()),
            ("applicant_age", pa.int64()),
            ("applicant_income", pa.int64()),
            ("members", pa.list_(member)),
        ]
    )
    table = pa.Table.from_pylist(
        [
            {
                **{k: v for k, v in r.items() if k != "kind"},
                "members": [dict({"income": None}, **m) for m in r["members"]],
            }
            for r in rows
        ],
        schema=schema,
    )
    out = decide_table(engine, table, "application", as_of="2025-01-01").to_pylist()
    for row, facts in zip(out, rows, strict=True):
        d = engine.decide(facts, "application", as_of="2025-01-01")
        assert d.reason is not None
        assert (row["outcome"], row["reason_en"], row["reason_zh"]) == (
            d.outcome,
            d.reason.en,
            d.reason.zh,
        )
    assert len({r["reason_en"] for r in out}) == 3


def test_criteria_all_needs_outside_as_cases(tmp_path: Path) -> None:
    root = tmp_path / "bad"
    shutil.copytree(EXAMPLE, root)
    policy = root / "policy.yaml"
    text = policy.read_text(encoding="utf-8")
    head, _cases = text.split("    outside:\n", 1)
    policy.write_text(head + "    outside: {zh: 不符合条件, en: not eligible}\n", encoding="utf-8")
    with pytest.raises(PolicyError) as err:
        jurisdiction.load(root)
    found = [d for d in err.value.diagnostics if d.code == "scope"]
    assert found, [str(d) for d in err.value.diagnostics]
    assert found[0].location is not None
    line = policy.read_text(encoding="utf-8").splitlines()[found[0].location.line - 1]
    assert line.strip().startswith("criteria: all")
    assert "give `outside` as a list of cases" in found[0].message


def test_the_example_cases_pass() -> None:
    result = CliRunner().invoke(cli, ["test", str(ROOT / "examples" / "housing_subsidy_cases")])
    assert result.exit_code == 0, result.output
    assert "7 passed" in result.output


def test_the_example_checks_clean() -> None:
    assert list(jurisdiction.check(EXAMPLE)) == []
