"""A national root (#19 item 4): the root's code prefix may be empty, so that every code of the
hierarchy lies in the jurisdiction — a regulation of the whole country. Only the root may be
empty (`empty-prefix`)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pytest

import jurisdiction
from jurisdiction.batch.embedded import decide_table

from policy_kit import ROOT

EXAMPLE = ROOT / "examples" / "housing_subsidy"
FACTS = {
    "kind": "household",
    "residence": "NS02",  # a ward of region NS: outside the example's city (prefix K)
    "applicant_age": 30,
    "members": [{"relation": "child", "age": 3}],
}


def _national(tmp_path: Path) -> Path:
    root = tmp_path / "national"
    shutil.copytree(EXAMPLE, root)
    policy = root / "policy.yaml"
    text = policy.read_text(encoding="utf-8")
    assert '    value: "K"\n' in text
    policy.write_text(text.replace('    value: "K"\n', '    value: ""\n'), encoding="utf-8")
    return root


def test_a_national_root_holds_every_place(tmp_path: Path) -> None:
    city = jurisdiction.load(EXAMPLE).decide(FACTS, "review", as_of="2025-01-01")
    national = jurisdiction.load(_national(tmp_path)).decide(FACTS, "review", as_of="2025-01-01")
    assert city.outcome == "not_applicable"
    assert national.outcome == "responsible"
    assert {b.place_code for b in national.bodies} == {"NS02", "NS"}


def test_check_proves_no_place_is_outside_a_national_root(tmp_path: Path) -> None:
    findings = list(jurisdiction.check(_national(tmp_path)))
    # the answers for a place outside the city can no longer apply: everything is inside
    assert {(f.code, f.rules[0] if f.rules else None) for f in findings} == {
        ("unreachable", "application.outside_scope.outside_city"),
        ("unreachable", "review.outside_scope.outside_city"),
    }
    assert list(jurisdiction.check(EXAMPLE)) == []


def test_only_the_root_may_be_empty(tmp_path: Path) -> None:
    root = _national(tmp_path)
    (root / "extra.yaml").write_text(
        'parameters:\n  home: {type: code_prefix, value: "", doc: a home, cite: {article: 2}}\n',
        encoding="utf-8",
    )
    with pytest.raises(jurisdiction.PolicyError) as err:
        jurisdiction.load(root)
    assert [
        (d.code, Path(d.location.file).name, d.location.line) for d in err.value.diagnostics
    ] == [("empty-prefix", "extra.yaml", 2)]


@pytest.mark.parametrize("residence", ["NS02", "KS02"])
def test_every_evaluator_and_the_batch_agree_on_a_national_root(
    tmp_path: Path, residence: str
) -> None:
    root = _national(tmp_path)
    facts = dict(FACTS, residence=residence)
    engine = jurisdiction.load(root)
    decided = engine.decide(facts, "review", as_of="2025-01-01")
    durable = jurisdiction.load(root, evaluator="durable").decide(
        facts, "review", as_of="2025-01-01"
    )
    assert decided.outcome == durable.outcome == "responsible"
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
    row = {
        "id": "1",
        "residence": residence,
        "applicant_age": 30,
        "applicant_income": 0,
        "members": [{"relation": "child", "age": 3, "income": 0}],
    }
    table = pa.Table.from_pylist([row], schema=schema)
    out = decide_table(engine, table, "review", id_column="id", as_of="2025-01-01").to_pylist()
    assert [(r["outcome"], r["error"]) for r in out] == [("responsible", None)]
