"""A root of several code prefixes (#19 item 4): a regulation made for two municipalities, or a
national one whose codes start 1-8. ``value: ["K", "N"]`` for the root's code_prefix: a place is
in the jurisdiction when its code starts with any of them, in decide, the durable evaluator,
check (whose realiser draws places inside each prefix and outside all) and the batch (SQL)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pytest

import jurisdiction
from jurisdiction.analysis.realise import place_pool
from jurisdiction.batch.embedded import decide_table

from policy_kit import ROOT

EXAMPLE = ROOT / "examples" / "housing_subsidy"
FACTS = {
    "kind": "household",
    "residence": "NS02",
    "applicant_age": 30,
    "members": [{"relation": "child", "age": 3}],
}


def _with_root(tmp_path: Path, value: str) -> Path:
    root = tmp_path / "two"
    shutil.copytree(EXAMPLE, root)
    policy = root / "policy.yaml"
    text = policy.read_text(encoding="utf-8")
    assert '    value: "K"\n' in text
    policy.write_text(text.replace('    value: "K"\n', f"    value: {value}\n"), encoding="utf-8")
    return root


@pytest.mark.parametrize(
    ("residence", "inside"), [("NS02", True), ("KS02", True), ("AS02", False), ("ZK01", False)]
)
def test_a_place_is_in_the_jurisdiction_when_it_starts_with_any_prefix(
    tmp_path: Path, residence: str, inside: bool
) -> None:
    root = _with_root(tmp_path, '["K", "N"]')
    facts = dict(FACTS, residence=residence)
    decided = jurisdiction.load(root).decide(facts, "review", as_of="2025-01-01")
    durable = jurisdiction.load(root, evaluator="durable").decide(
        facts, "review", as_of="2025-01-01"
    )
    want = "responsible" if inside else "not_applicable"
    assert decided.outcome == durable.outcome == want


def test_one_prefix_in_a_list_answers_as_the_prefix_alone(tmp_path: Path) -> None:
    listed = jurisdiction.load(_with_root(tmp_path, '["K"]'))
    alone = jurisdiction.load(EXAMPLE)
    for residence in ("NS02", "KS02", "KN01"):
        facts = dict(FACTS, residence=residence)
        a = listed.decide(facts, "review", as_of="2025-01-01")
        b = alone.decide(facts, "review", as_of="2025-01-01")
        assert (a.outcome, a.bodies) == (b.outcome, b.bodies)


def test_the_realisers_pool_has_places_in_each_prefix_and_outside_all(tmp_path: Path) -> None:
    policy = jurisdiction.load(_with_root(tmp_path, '["K", "N"]')).policy
    pool = place_pool(policy.hierarchy, ("K", "N"))["region"]
    assert any(c.startswith("K") for c in pool)
    assert any(c.startswith("N") for c in pool)
    assert any(not c.startswith(("K", "N")) for c in pool)
    # check then finds every answer reachable: a household inside either prefix, and outside
    assert list(jurisdiction.check(_with_root(tmp_path / "c", '["K", "N"]'))) == []


def test_the_batch_tests_each_prefix(tmp_path: Path) -> None:
    engine = jurisdiction.load(_with_root(tmp_path, '["K", "N"]'))
    member = pa.struct([("relation", pa.string()), ("age", pa.int64()), ("income", pa.int64())])
    schema = pa.schema(
        [
            ("id", pa.string()),
            ("residence", pa.string()),
            ("applicant_age", pa.int64()),
            ("applicant_income", pa.int64()),
            ("members", pa.list_(member)),
        ]
    )
    residences = ["NS02", "KS02", "AS02", None]
    rows = [
        {
            "id": str(i),
            "residence": r,
            "applicant_age": 30,
            "applicant_income": 0,
            "members": [{"relation": "child", "age": 3, "income": 0}],
        }
        for i, r in enumerate(residences)
    ]
    table = pa.Table.from_pylist(rows, schema=schema)
    out = decide_table(engine, table, "review", id_column="id", as_of="2025-01-01").to_pylist()
    for row, residence in zip(out, residences, strict=True):
        if residence is None:
            assert row["error"] is not None
            continue
        facts = dict(FACTS, residence=residence)
        assert row["outcome"] == engine.decide(facts, "review", as_of="2025-01-01").outcome


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("[]", "lists no prefix"),
        ('["K", "K"]', "more than once"),
        ('["K", "KN"]', "inside 'K'"),
        ('["K", ""]', "empty prefix"),
    ],
)
def test_a_bad_list_of_prefixes_is_a_located_error(tmp_path: Path, value: str, why: str) -> None:
    root = _with_root(tmp_path, value)
    with pytest.raises(jurisdiction.PolicyError) as err:
        jurisdiction.load(root)
    [d] = err.value.diagnostics
    assert (d.code, Path(d.location.file).name, d.location.line) == (
        "prefix-list",
        "policy.yaml",
        14,
    )
    assert why in d.message


def test_only_a_code_prefix_is_a_list(tmp_path: Path) -> None:
    root = _with_root(tmp_path, '["K"]')
    policy = root / "policy.yaml"
    text = policy.read_text(encoding="utf-8")
    policy.write_text(text.replace("    value: 18\n", "    value: [18]\n"), encoding="utf-8")
    with pytest.raises(jurisdiction.PolicyError) as err:
        jurisdiction.load(root)
    assert [d.code for d in err.value.diagnostics] == ["schema"]
    assert "only a code_prefix may be a list" in str(err.value)


def test_the_root_place_of_several_prefixes_is_not_one_place(tmp_path: Path) -> None:
    root = _with_root(tmp_path, '["K", "N"]')
    facts = root / "facts.yaml"
    text = facts.read_text(encoding="utf-8")
    old = "      residence: {expr: household.residence, doc: the ward where the household lives}\n"
    assert old in text
    facts.write_text(
        text.replace(old, old + "      whole: {expr: household.city, doc: the city}\n"),
        encoding="utf-8",
    )
    with pytest.raises(jurisdiction.PolicyError) as err:
        jurisdiction.load(root)
    [d] = err.value.diagnostics
    assert d.code == "type-mismatch"
    assert "several places" in d.message
    assert Path(d.location.file).name == "facts.yaml"
