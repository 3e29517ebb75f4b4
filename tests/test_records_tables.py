"""Lists of records and lookup tables (#19 item 5): a field `{type: list, of: <subject>}` read by
`any`, `all`, `count`, `sum`, `min`, `max` with `m -> …`, and `lookup(table.<name>, key)` over a
policy's `tables:` — type-checked with located errors, compiled to closures, decided alike by
both evaluators and by batch, and counted as unverified (never falsely clean) by the checker."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

import jurisdiction
from jurisdiction.batch.embedded import decide_table
from jurisdiction.batch.query import arrow_schema
from jurisdiction.core.errors import FactsError, PolicyError

from policy_kit import ROOT, write

EXAMPLE = ROOT / "examples" / "residence_permit"

FACTS_EXTRA = """
enums:
  relation:
    spouse: {zh: 配偶, en: spouse}
    child: {zh: 子女, en: child}

tables:
  region_quota:
    doc: the yearly quota of each region
    key: place
    value: int
    default: 0
    rows: {KN: 300, KS: 100}
  child_allowance:
    doc: the allowance by relation
    key: relation
    value: bool
    rows: {child: true}
"""

MEMBER = """
  member:
    doc: a family member
    fields:
      age: {type: int, min: 0, max: 150, doc: age}
      relation: {type: relation, doc: how the member is related}
      income: {type: int, min: 0, max: 1000000, optional: true, doc: yearly income}
"""

FEATURES = """
      minors:
        expr: count(applicant.family, m -> m.age < 18)
        doc: minors in the family
      members:
        expr: count(applicant.family)
        doc: how many members
      income:
        expr: sum(applicant.family, m -> m.income)
        doc: the family's income
      youngest:
        expr: >-
          if min(applicant.family, m -> m.age) != null
          then min(applicant.family, m -> m.age) else 0
        doc: the youngest member's age (0 without one)
      oldest:
        expr: >-
          if max(applicant.family, m -> m.age) != null
          then max(applicant.family, m -> m.age) else 0
        doc: the oldest member's age (0 without one)
      all_adults:
        expr: all(applicant.family, m -> m.age >= 18)
        doc: every member is an adult (true of no family)
      allowance:
        expr: any(applicant.family, m -> lookup(table.child_allowance, m.relation) == true)
        doc: some member draws the allowance
      quota:
        expr: lookup(table.region_quota, at(applicant.residence, "region"))
        doc: the quota of the residence's region
"""

QUESTION = """
  family_help:
    subject: applicant
    title: {zh: 谁协助, en: "Who helps?"}
    rules:
      - id: family_help.spouse
        cite: {article: 3, paragraph: 2}
        when: any(applicant.family, m -> m.relation == "spouse" and m.age >= param.adult_age)
        answer:
          bodies:
            - {body: police_station, place: residence, level: ward, role: accepts}
      - id: family_help.none
        cite: {article: 3, paragraph: 2}
        when: not any(applicant.family, m -> m.relation == "spouse" and m.age >= param.adult_age)
        answer:
          not_applicable: {zh: 无成年配偶, en: no adult spouse}

parameters:
  adult_age:
    type: int
    value: 18
    bound: inclusive
    doc: the age from which a spouse is an adult (成年, inclusive)
    cite: {article: 3, paragraph: 2}
"""


def _policy(tmp: Path, features: str = FEATURES, extra: str = "") -> Path:
    root = tmp / "rp"
    shutil.copytree(EXAMPLE, root)
    facts = (root / "facts.yaml").read_text(encoding="utf-8")
    facts = facts.replace("subjects:\n", FACTS_EXTRA + "\nsubjects:" + MEMBER, 1)
    facts = facts.replace(
        "      age: {type: int, min: 0, max: 150, doc: age in whole years}\n",
        "      age: {type: int, min: 0, max: 150, doc: age in whole years}\n"
        "      family: {type: list, of: member, max: 4, optional: true, doc: the family}\n",
    )
    facts = facts.replace(
        "    places:\n      residence", features + extra + "    places:\n      residence"
    )
    (root / "facts.yaml").write_text(facts, encoding="utf-8")
    rules = (root / "rules.yaml").read_text(encoding="utf-8")
    (root / "rules.yaml").write_text(rules + QUESTION, encoding="utf-8")
    return root


def _facts(residence: str = "KN01", **more: Any) -> dict[str, Any]:
    return {"kind": "applicant", "residence": residence, "hukou_in_city": False, "age": 30, **more}


FAMILY = [
    {"age": 5, "relation": "child"},
    {"age": 40, "relation": "spouse", "income": 5000},
    {"age": 17, "relation": "child", "income": 700},
]


@pytest.fixture(scope="module")
def policy_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _policy(tmp_path_factory.mktemp("records"))


def _features(engine: jurisdiction.Engine, data: dict[str, Any]) -> dict[str, Any]:
    subject = engine.policy.facts.subjects["applicant"]  # type: ignore[union-attr]
    facts = engine.parse_facts(data)
    names = ("minors", "members", "income", "youngest", "oldest", "all_adults", "allowance")
    return {n: subject.features[n].get(facts, engine.context) for n in (*names, "quota")}


def test_functions_over_a_list_of_records(policy_dir: Path) -> None:
    engine = jurisdiction.load(policy_dir)
    got = _features(engine, _facts(family=FAMILY))
    assert got == {
        "minors": 2,
        "members": 3,
        "income": 5700,
        "youngest": 5,
        "oldest": 40,
        "all_adults": False,
        "allowance": True,
        "quota": 300,
    }
    none = _features(engine, _facts(residence="KX01"))  # no family: an empty list
    assert none == {
        "minors": 0,
        "members": 0,
        "income": 0,
        "youngest": 0,
        "oldest": 0,
        "all_adults": True,
        "allowance": False,
        "quota": 0,  # no row for region KX: the table's default
    }
    subject = engine.policy.facts.subjects["applicant"]  # type: ignore[union-attr]
    assert (subject.features["minors"].type.minimum, subject.features["minors"].type.maximum) == (
        0,
        4,  # the list holds at most `max: 4` records
    )
    assert subject.features["quota"].type.maximum == 300  # the table's greatest value


def test_a_list_longer_than_its_max_or_a_bad_record_is_refused(policy_dir: Path) -> None:
    engine = jurisdiction.load(policy_dir)
    with pytest.raises(FactsError, match="family"):
        engine.decide(_facts(family=[FAMILY[0]] * 5), "family_help")
    with pytest.raises(FactsError, match=r"family\.0\.relation"):
        engine.decide(_facts(family=[{"age": 3, "relation": "cousin"}]), "family_help")


CASES = [
    _facts(family=FAMILY),
    _facts(family=[FAMILY[0]]),
    _facts(family=[{"age": 16, "relation": "spouse"}]),
    _facts(),
]


@pytest.mark.parametrize("evaluator", ["compiled", "durable"])
def test_a_rule_reads_any_in_both_evaluators(policy_dir: Path, evaluator: str) -> None:
    engine = jurisdiction.load(policy_dir, evaluator=evaluator)  # type: ignore[arg-type]
    outcomes = [engine.decide(f, "family_help").outcome for f in CASES]
    assert outcomes == ["responsible", "not_applicable", "not_applicable", "not_applicable"]


def test_batch_decides_lists_of_records_and_lookups_as_decide_does(policy_dir: Path) -> None:
    engine = jurisdiction.load(policy_dir)
    rows = [dict(f, id=str(i)) for i, f in enumerate(CASES)]
    for row in rows:
        row.pop("kind")
        row.setdefault("family", None)
    member = pa.struct([("age", pa.int64()), ("relation", pa.string()), ("income", pa.int64())])
    schema = pa.schema(
        [
            ("id", pa.string()),
            ("residence", pa.string()),
            ("hukou_in_city", pa.bool_()),
            ("age", pa.int64()),
            ("family", pa.list_(member)),
        ]
    )
    for row in rows:
        for m in row["family"] or ():
            m.setdefault("income", None)
    table = pa.Table.from_pylist(rows, schema=schema)
    out = decide_table(engine, table, "family_help", id_column="id").to_pylist()
    assert [r["outcome"] for r in out] == [engine.decide(f, "family_help").outcome for f in CASES]
    assert [r["error"] for r in out] == [None] * len(CASES)


def test_the_checker_constructs_lists_of_records(policy_dir: Path) -> None:
    findings = list(jurisdiction.check(policy_dir))
    assert [f for f in findings if f.question == "family_help"] == []  # an adult spouse, or not


def test_the_checker_counts_classes_it_cannot_construct_as_unverified(tmp_path: Path) -> None:
    root = _policy(tmp_path)
    rules = (root / "rules.yaml").read_text(encoding="utf-8")
    odd = 'm.relation == "spouse" and m.income == 123457'  # no sample record has this income
    write(
        root,
        "rules.yaml",
        rules.replace('m.relation == "spouse" and m.age >= param.adult_age', odd),
    )
    codes = {f.code for f in jurisdiction.check(root) if f.question == "family_help"}
    assert "check-incomplete" in codes  # the class needing that record is not constructed …
    assert "unreachable" not in codes  # … and so its rule is not called unreachable


@pytest.mark.parametrize(
    ("feature", "code", "at", "message"),
    [
        ("sum(applicant.family, m -> m.relation)", "type-mismatch", "m ->", "whole numbers"),
        (
            "count(applicant.family, m -> m.age > applicant.age) > 0",
            "unknown-fact",
            "applicant.age)",
            "reads the record",
        ),
        ("any(applicant.age, m -> m.age > 1)", "type-mismatch", "any", "a list of records"),
        (
            "lookup(table.region_quotas, applicant.residence) > 1",
            "unknown-table",
            "table.",
            "unknown table",
        ),
        ('lookup(table.region_quota, "KN") == true', "type-mismatch", "lookup", "never equal"),
        ("applicant.family", "type-mismatch", "applicant", "a list of member records"),
        ("table.region_quota", "type-mismatch", "table", "lookup(table.region_quota, key)"),
    ],
)
def test_misuses_are_located(
    tmp_path: Path, feature: str, code: str, at: str, message: str
) -> None:
    column = len("        expr: ") + 1 + feature.index(at)
    extra = f"      bad:\n        expr: {feature}\n        doc: a misuse\n"
    root = _policy(tmp_path, extra=extra)
    with pytest.raises(PolicyError) as err:
        jurisdiction.load(root)
    found = [d for d in err.value.diagnostics if d.code == code]
    assert found, [str(d) for d in err.value.diagnostics]
    assert found[0].location is not None
    assert Path(found[0].location.file).name == "facts.yaml"
    lines = (root / "facts.yaml").read_text(encoding="utf-8").splitlines()
    assert "bad:" in lines[found[0].location.line - 2]
    assert found[0].location.column == column
    assert message in found[0].message


@pytest.mark.parametrize(
    ("field", "code"),
    [
        ("{type: list, doc: no of}", "schema"),
        ("{type: list, of: membr, doc: misspelt}", "unknown-type"),
        ("{type: int, min: 0, max: 1, of: member, doc: of on an int}", "schema"),
    ],
)
def test_a_list_field_declared_wrongly_is_located(tmp_path: Path, field: str, code: str) -> None:
    root = _policy(tmp_path)
    text = (root / "facts.yaml").read_text(encoding="utf-8")
    text = text.replace("      hukou_in_city:", f"      broken: {field}\n      hukou_in_city:", 1)
    write(root, "facts.yaml", text)
    with pytest.raises(PolicyError) as err:
        jurisdiction.load(root)
    found = [d for d in err.value.diagnostics if d.code == code]
    assert found, [str(d) for d in err.value.diagnostics]
    assert found[0].location is not None
    line = text.splitlines()[found[0].location.line - 1]
    assert "broken" in line


def test_batch_equals_decide_on_drawn_fact_sets(policy_dir: Path) -> None:
    """Drawn by the library's strategies (lists of records of 0–3 members, one row in ten
    spoiled): the plan gives each row what decide gives."""
    from test_batch import _drawn, _reference

    engine = jurisdiction.load(policy_dir)
    drawn = _drawn(engine, "applicant", 60)
    schema = arrow_schema(engine, "applicant").insert(0, pa.field("id", pa.string()))
    table = pa.Table.from_pylist(list(drawn), schema=schema)
    out = decide_table(engine, table, "family_help", nested=True).to_pylist()
    outcomes = set()
    for row, got in zip(drawn, out, strict=True):
        assert got.pop("id") == row["id"]
        assert (got.pop("as_of"), got.pop("as_of_source")) == (datetime.date.today(), "today")
        facts = {k: v for k, v in row.items() if k != "id"}
        assert got == _reference(engine, "applicant", facts, "family_help"), row
        outcomes.add(got["outcome"])
    assert {"responsible", "not_applicable"} <= outcomes  # both answers are drawn
