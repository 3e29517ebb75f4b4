"""Templates: rules written once and used by many questions (docs/policy-format.md).

An instance must be the very rule one would write out by hand — for the loader, the checker, diff,
both evaluators and batch — and every problem in one must be located where its value is written
(the template's line, or the argument at the use) and name the instance.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

import jurisdiction
from jurisdiction.analysis.diff import diff_policies
from jurisdiction.batch.query import arrow_schema
from jurisdiction.policy.load import load_policy
from jurisdiction.policy.model import Policy, Rule
from policy_files import compose, line_of

TEMPLATED = """\
templates:
  by_age:
    doc: one rule of an age band
    arguments:
      band: the band, the last part of the rule's id
      item: the item of article 1
      place: the place that is responsible
      when: {doc: the condition}
    rules:
      - id: ${question}.${band}
        cite: {article: 1, item: "${item}"}
        when: ${when}
        answer:
          bodies:
            - {body: office, place: "${place}", level: street, role: responsible}
questions:
  who:
    subject: resident
    title: {zh: 由谁负责, en: "Who is responsible?"}
    rules:
      - use: by_age
        with: {band: adult, item: 1, place: residence, when: adult}
      - use: by_age
        with: {band: minor, item: 2, place: hukou, when: not adult}
"""
DEFINITIONS = """\
definitions:
  adult:
    subject: resident
    doc: an adult
    cite: {article: 1, item: 1}
    when: resident.age >= param.adult_age
"""
ADULT = {"kind": "resident", "hukou": "120101001", "residence": "120104002", "sex": "female"}


def _policy(tmp_path: Path, rules: str, name: str = "policy") -> Path:
    root = compose(tmp_path / name)
    (root / "rules.yaml").write_text(DEFINITIONS + rules, encoding="utf-8")
    return root


def _plain(rule: Rule) -> tuple[Any, ...]:
    return (rule.id, rule.cites, rule.condition, rule.expanded, rule.answer, rule.overrides)


def _rules(policy: Policy) -> list[tuple[Any, ...]]:
    return [_plain(r) for q in policy.questions.values() for r in q.rules]


def _diagnostics(root: Path) -> tuple[jurisdiction.Diagnostic, ...]:
    with pytest.raises(jurisdiction.PolicyError) as err:
        load_policy(root)
    return err.value.diagnostics


def test_an_instance_is_the_rule_written_out(tmp_path: Path) -> None:
    by_hand = load_policy(compose(tmp_path / "by_hand"))
    templated = load_policy(_policy(tmp_path, TEMPLATED))
    assert _rules(templated) == _rules(by_hand)
    assert not diff_policies(by_hand, templated).differs
    assert list(jurisdiction.check(templated)) == []


def test_an_instance_decides_alike_in_both_evaluators_explain_and_batch(tmp_path: Path) -> None:
    root = _policy(tmp_path, TEMPLATED)
    engine = jurisdiction.load(root)
    durable = jurisdiction.load(root, evaluator="durable")
    rows = [{**ADULT, "age": 30}, {**ADULT, "age": 12}]
    decisions = [engine.decide(facts, "who") for facts in rows]
    assert [d.rules_applied for d in decisions] == [("who.adult",), ("who.minor",)]
    for facts, decision in zip(rows, decisions, strict=True):
        assert durable.decide(facts, "who") == decision
        explained = engine.explain(facts, "who")
        assert {r.rule for r in explained.rules if r.applied} == set(decision.rules_applied)
    schema = arrow_schema(engine, "resident")
    table = engine.decide_table(pa.Table.from_pylist(rows, schema=schema), "who").to_pylist()
    assert [row["body_place_code"] for row in table] == [d.bodies[0].place_code for d in decisions]
    assert [row["body_cite"] for row in table] == ["(一)1", "(一)2"]


def test_the_bundled_policy_writes_each_block_once_and_keeps_its_rule_ids() -> None:
    policy = jurisdiction.load().policy
    rule = policy.rule("contraceptives.blind_spot_proxy_community")
    chapter1 = Path(policy.root) / "chapter1.yaml"
    assert Path(rule.location.file) == chapter1
    assert rule.location.line < line_of(chapter1, "cross_district_in_city:")  # the template's
    assert "template `blind_spots` for question `contraceptives`" in rule.location.context
    twin = policy.rule("dynamic_records.blind_spot_proxy_community")
    assert twin.location == rule.location  # one template line, two instances
    assert twin.location.context != rule.location.context
    assert rule.cites == (
        jurisdiction.Cite(8),
        jurisdiction.Cite(2, 4),
    )
    assert rule.overrides == (
        "contraceptives.residence",
        "contraceptives.blind_spot_district",
    )


def test_a_problem_in_a_template_is_at_its_line_and_names_each_instance(tmp_path: Path) -> None:
    root = _policy(tmp_path, TEMPLATED.replace("role: responsible}", "role: responsibel}"))
    found = _diagnostics(root)
    assert [d.code for d in found] == ["unknown-role", "unknown-role"]
    line = line_of(root / "rules.yaml", "role: responsibel")
    assert {(d.location.line if d.location else 0) for d in found} == {line}
    uses = [line_of(root / "rules.yaml", "- use: by_age"), line_of(root / "rules.yaml", "minor")]
    for d, use in zip(sorted(found, key=str), uses, strict=True):
        assert d.suggestion == "responsible"
        assert "in an instance of template `by_age` for question `who`" in str(d)
        assert f"rules.yaml:{use}:" in str(d) or f"rules.yaml:{use - 1}:" in str(d)


def test_a_bad_argument_is_located_where_it_is_written(tmp_path: Path) -> None:
    text = TEMPLATED.replace('cite: {article: 1, item: "${item}"}', "cite: ${item}")
    text = text.replace("item: 1,", "item: {article: 1, item: 1},")
    text = text.replace("item: 2,", "item: {article: 1, item: 7},")
    root = _policy(tmp_path, text)
    (found,) = _diagnostics(root)
    assert found.code == "unknown-item"
    assert found.location is not None
    assert found.location.line == line_of(root / "rules.yaml", "item: 7}")  # at the use
    use = line_of(root / "rules.yaml", "band: minor") - 1
    where = f"used at {root / 'rules.yaml'}:{use}:"
    assert f"instance of template `by_age` for question `who`, {where}" in str(found)


def test_a_check_finding_about_an_instance_names_it(tmp_path: Path) -> None:
    root = _policy(tmp_path, TEMPLATED.replace("when: not adult}", "when: adult}"))
    findings = [f for f in jurisdiction.check(load_policy(root)) if f.code == "overlap"]
    assert findings
    (overlap,) = findings
    assert overlap.location is not None
    assert overlap.location.line == line_of(root / "rules.yaml", "- id: ${question}.${band}")
    assert "instance of template `by_age`" in str(overlap)
    assert "instance of template `by_age`" in overlap.to_dict()["location"]["context"]


GROUPS = """\
templates:
  one:
    doc: one rule
    arguments:
      duty: {doc: the item}
      extra: {doc: further bodies, default: []}
      name: {doc: a name, default: x}
    rules:
      - id: ${question}.${name}
        cite: "${duty}"
        note: "rests on ${duty:cite}, 依${duty:cite_zh}, costs $${money}"
        when: adult
        answer:
          bodies:
            - {body: office, place: residence, level: street, role: responsible}
            - ${extra}
  both:
    doc: a group of rules, by way of another template
    arguments:
      place: {doc: the second body's place}
    rules:
      - use: one
        with: {duty: {article: 1, item: 1}, name: first}
      - use: one
        with:
          duty: {article: 1, item: 2}
          name: second
          extra: [{body: office, place: "${place}", level: street, role: responsible}]
questions:
  who:
    subject: resident
    title: {zh: 由谁负责, en: "Who is responsible?"}
    rules:
      - {use: both, with: {place: hukou}}
      - id: who.minor
        cite: {article: 1, item: 2}
        when: not adult
        overrides: [who.first]
        answer:
          bodies:
            - {body: office, place: hukou, level: street, role: responsible}
"""


def test_groups_splices_and_citations(tmp_path: Path) -> None:
    policy = load_policy(_policy(tmp_path, GROUPS))
    first, second = policy.rule("who.first"), policy.rule("who.second")
    assert [b.place for b in first.answer.bodies] == ["residence"]  # an empty list: no item
    assert [b.place for b in second.answer.bodies] == ["residence", "hukou"]
    assert first.note is not None
    assert second.note is not None
    assert first.note.en == "rests on (一)1, 依第(一)条第一项, costs ${money}"
    assert second.note.zh == "rests on (一)2, 依第(一)条第二项, costs ${money}"
    assert "within template `both`" in first.location.context


@pytest.mark.parametrize(
    ("old", "new", "needle"),
    [
        ('note: "rests on ${duty:cite}', 'note: "rests on ${extra}', "must be a text or a number"),
        ("${duty:cite_zh}", "${name:cite}", "writes a citation"),
        (
            "      - use: one\n        with: {duty",
            "      - use: both\n        with: {duty",
            "circle",
        ),
    ],
)
def test_template_argument_problems(tmp_path: Path, old: str, new: str, needle: str) -> None:
    text = GROUPS.replace(old, new, 1)
    assert text != GROUPS
    found = _diagnostics(_policy(tmp_path, text))
    assert {d.code for d in found} <= {"template-argument"}
    assert any(needle in d.message for d in found), "\n".join(map(str, found))


SHARED = """\
template_arguments:
  band: the band, the last part of the rule's id
  item: the item of article 1
  place: {doc: the place that is responsible, default: residence}
"""


def test_arguments_declared_once_and_listed_by_name(tmp_path: Path) -> None:
    listed = TEMPLATED.replace(
        """    arguments:
      band: the band, the last part of the rule's id
      item: the item of article 1
      place: the place that is responsible
      when: {doc: the condition}
""",
        "    arguments: [band, item, place, {when: the condition}]\n",
    )
    assert listed != TEMPLATED
    templated = load_policy(_policy(tmp_path, TEMPLATED, "own"))
    shared = load_policy(_policy(tmp_path, SHARED + listed, "shared"))
    assert _rules(shared) == _rules(templated)
    # a shared declaration's default holds for every template that lists it
    defaulted = SHARED + listed.replace(", place: residence,", ",")
    assert _rules(load_policy(_policy(tmp_path, defaulted, "defaulted"))) == _rules(templated)


@pytest.mark.parametrize(
    ("old", "new", "code", "needle", "at"),
    [
        ("[band, item,", "[band, itme,", "template-argument", "no `template_arguments`", "itme"),
        ("{when: the condition}]", "{band: twice}]", "template-argument", "twice", "twice"),
        ("  item: the item", "  question: the item", "template-argument", "every use", "question:"),
        (
            "  band: the band, the last part of the rule's id",
            "  band: [a list]",
            "schema",
            "template_arguments.band",
            "band:",
        ),
    ],
)
def test_shared_argument_problems_are_located(
    tmp_path: Path, old: str, new: str, code: str, needle: str, at: str
) -> None:
    listed = TEMPLATED.replace(
        "    arguments:\n      band: the band, the last part of the rule's id\n"
        "      item: the item of article 1\n      place: the place that is responsible\n"
        "      when: {doc: the condition}\n",
        "    arguments: [band, item, place, {when: the condition}]\n",
    )
    text = (SHARED + listed).replace(old, new, 1)
    assert text != SHARED + listed
    root = _policy(tmp_path, text)
    found = [d for d in _diagnostics(root) if d.code == code]
    assert any(needle in d.message for d in found), "\n".join(map(str, found))
    (hit,) = [d for d in found if needle in d.message]
    assert hit.location is not None
    assert hit.location.line == line_of(root / "rules.yaml", at)
    if "itme" in new:
        assert hit.suggestion == "item"


def test_a_shared_argument_is_declared_in_one_file_only(tmp_path: Path) -> None:
    root = _policy(tmp_path, SHARED + TEMPLATED)
    (root / "more.yaml").write_text("template_arguments:\n  band: again\n", encoding="utf-8")
    (found,) = _diagnostics(root)
    assert found.code == "duplicate-name"
    assert "`band` is declared twice" in found.message
    assert found.location is not None
    files = {Path(found.location.file).name, found.message.rsplit("also in ", 1)[1].rstrip(")")}
    assert {Path(f).name for f in files} == {"more.yaml", "rules.yaml"}


def test_a_use_inside_a_template_takes_the_enclosing_arguments(tmp_path: Path) -> None:
    inherit = GROUPS.replace(
        "    arguments:\n      place: {doc: the second body's place}\n",
        "    arguments:\n      place: {doc: the second body's place}\n"
        "      name: {doc: the first rule's name}\n",
    ).replace(
        "with: {duty: {article: 1, item: 1}, name: first}", "with: {duty: {article: 1, item: 1}}"
    )
    inherit = inherit.replace(
        "{use: both, with: {place: hukou}}", "{use: both, with: {place: hukou, name: first}}"
    )
    assert inherit.count("name: first") == 1
    written = load_policy(_policy(tmp_path, GROUPS, "written"))
    inherited = load_policy(_policy(tmp_path, inherit, "inherited"))
    assert _rules(inherited) == _rules(written)  # `one` took `name` from `both`'s use
    # the use's own argument wins over the enclosing one, which wins over the default
    assert inherited.rule("who.second").id == "who.second"
    defaulted = inherit.replace(", name: first}}", "}}").replace(
        "      name: {doc: the first rule's name}\n", ""
    )
    assert "who.x" in {
        r.id
        for r in load_policy(_policy(tmp_path, defaulted, "d"), strict=False).questions["who"].rules
    }
