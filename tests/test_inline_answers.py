"""A rule's answer written in the rule itself (docs/policy-format.md, "questions and rules"): the
keys `bodies`, `detail`, `not_applicable`, `undetermined` beside the rule's `id` load exactly as
under `answer:`, in a question's rules and in a template's; a problem inside them is reported
where it is written; a rule that writes both forms is refused, located at the key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import jurisdiction
from jurisdiction.policy.load import load_policy
from jurisdiction.policy.model import Policy
from policy_files import compose, line_of

NESTED = """\
templates:
  outside_city:
    doc: the residence outside the city
    arguments: {base: the rule it overrides}
    rules:
      - id: ${question}.outside_city
        cite: {article: 1, item: 1}
        when: resident.age > 90
        overrides: ["${question}.${base}"]
        answer:
          not_applicable: {zh: 不适用, en: does not apply}
questions:
  q:
    subject: resident
    title: {zh: 由谁负责, en: "Who is responsible?"}
    rules:
      - id: q.residence
        cite: {article: 1, item: 1}
        answer:
          bodies:
            - {body: office, place: residence, level: street, role: responsible}
          detail: [{zh: 一, en: one}]
      - id: q.young
        cite: {article: 1, item: 1}
        when: resident.age < 5
        overrides: [q.residence]
        answer:
          undetermined: {zh: 无法确定, en: cannot tell}
      - {use: outside_city, with: {base: residence}}
"""
INLINE = """\
templates:
  outside_city:
    doc: the residence outside the city
    arguments: {base: the rule it overrides}
    rules:
      - id: ${question}.outside_city
        cite: {article: 1, item: 1}
        when: resident.age > 90
        overrides: ["${question}.${base}"]
        not_applicable: {zh: 不适用, en: does not apply}
questions:
  q:
    subject: resident
    title: {zh: 由谁负责, en: "Who is responsible?"}
    rules:
      - id: q.residence
        cite: {article: 1, item: 1}
        bodies:
          - {body: office, place: residence, level: street, role: responsible}
        detail: [{zh: 一, en: one}]
      - id: q.young
        cite: {article: 1, item: 1}
        when: resident.age < 5
        overrides: [q.residence]
        undetermined: {zh: 无法确定, en: cannot tell}
      - {use: outside_city, with: {base: residence}}
"""


def _root(tmp_path: Path, text: str, name: str) -> Path:
    root = compose(tmp_path / name)
    (root / "rules.yaml").write_text(text, encoding="utf-8")
    return root


def _plain(policy: Policy) -> list[tuple[Any, ...]]:
    return [
        (r.id, r.cites, r.condition, r.answer, r.overrides) for r in policy.questions["q"].rules
    ]


def test_answers_in_the_rule_load_as_if_nested(tmp_path: Path) -> None:
    nested = load_policy(_root(tmp_path, NESTED, "nested"))
    inline = load_policy(_root(tmp_path, INLINE, "inline"))
    assert _plain(inline) == _plain(nested)
    outcomes = {r.id: r.answer.outcome for r in inline.questions["q"].rules}
    assert outcomes == {
        "q.residence": "responsible",
        "q.young": "undetermined",
        "q.outside_city": "not_applicable",
    }
    facts = {"kind": "resident", "hukou": "120101001", "residence": "120104002", "sex": "female"}
    engine = jurisdiction.load(_root(tmp_path, INLINE, "decide"))
    assert engine.decide({**facts, "age": 30}, "q").outcome == "responsible"
    assert engine.decide({**facts, "age": 3}, "q").outcome == "undetermined"
    assert engine.decide({**facts, "age": 95}, "q").outcome == "not_applicable"


def test_a_rule_that_writes_both_forms_is_refused_at_the_key(tmp_path: Path) -> None:
    both = INLINE.replace(
        "        detail: [{zh: 一, en: one}]\n",
        "        detail: [{zh: 一, en: one}]\n"
        "        answer: {undetermined: {zh: 否, en: not so}}\n",
    )
    root = _root(tmp_path, both, "both")
    with pytest.raises(jurisdiction.PolicyError) as err:
        load_policy(root)
    (found,) = err.value.diagnostics
    assert found.code == "schema"
    assert "both `answer` and `bodies`" in found.message
    assert found.location is not None
    assert found.location.line == line_of(root / "rules.yaml", "        bodies:")


def test_a_problem_inside_an_inline_answer_is_located_where_it_is_written(
    tmp_path: Path,
) -> None:
    root = _root(tmp_path, INLINE.replace("role: responsible", "role: responsibel"), "bad")
    with pytest.raises(jurisdiction.PolicyError) as err:
        load_policy(root)
    line = line_of(root / "rules.yaml", "role: responsibel")
    assert any(d.location is not None and d.location.line == line for d in err.value.diagnostics), (
        "\n".join(map(str, err.value.diagnostics))
    )
