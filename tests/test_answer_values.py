"""A question that declares `values`: a rule that answers `undetermined` (or not applicable)
needs no value — another question reads it as no value (`null`) — while a rule naming bodies still
must say which value it gives."""

from __future__ import annotations

from pathlib import Path

import pytest

import jurisdiction
from jurisdiction.policy.load import load_policy
from policy_files import compose, line_of

RULES = """\
definitions:
  adult:
    subject: resident
    doc: an adult
    cite: {article: 1, item: 1}
    when: resident.age >= param.adult_age
questions:
  who:
    subject: resident
    title: {zh: 由谁负责, en: "Who is responsible?"}
    values: [residence]
    rules:
      - id: who.adult
        cite: {article: 1, item: 1}
        value: residence
        when: adult
        answer:
          bodies:
            - {body: office, place: residence, level: street, role: responsible}
      - id: who.minor
        cite: {article: 1, item: 2}
        when: not adult
        answer:
          undetermined: {zh: 无法确定, en: cannot tell}
  follows:
    subject: resident
    title: {zh: 随之, en: "Follows who?"}
    rules:
      - id: follows.residence
        cite: {article: 1, item: 1}
        when: question.who == "residence"
        answer:
          bodies:
            - {body: office, place: residence, level: street, role: responsible}
      - id: follows.none
        cite: {article: 1, item: 2}
        when: question.who == null
        answer:
          bodies:
            - {body: office, place: hukou, level: street, role: responsible}
"""
FACTS = {"kind": "resident", "hukou": "120101001", "residence": "120104002", "sex": "female"}


def _root(tmp_path: Path, text: str) -> Path:
    root = compose(tmp_path / "policy")
    (root / "rules.yaml").write_text(text, encoding="utf-8")
    return root


def test_an_undetermined_rule_needs_no_value(tmp_path: Path) -> None:
    engine = jurisdiction.load(_root(tmp_path, RULES))
    assert engine.decide({**FACTS, "age": 12}, "who").outcome == "undetermined"
    assert engine.decide({**FACTS, "age": 12}, "follows").rules_applied == ("follows.none",)
    assert engine.decide({**FACTS, "age": 30}, "follows").rules_applied == ("follows.residence",)


def test_a_rule_naming_bodies_still_needs_its_value(tmp_path: Path) -> None:
    root = _root(tmp_path, RULES.replace("        value: residence\n", ""))
    with pytest.raises(jurisdiction.PolicyError) as err:
        load_policy(root)
    (found,) = err.value.diagnostics
    assert found.code == "missing-key"
    assert found.location is not None
    assert found.location.line == line_of(root / "rules.yaml", "- id: who.adult")


def test_a_value_with_words_is_carried_and_rendered_in_both_languages(tmp_path: Path) -> None:
    text = RULES.replace(
        "    values: [residence]\n",
        "    values:\n      residence: {zh: 由现居住地负责, en: the residence place's}\n",
    )
    engine = jurisdiction.load(_root(tmp_path, text))
    decision = engine.decide({**FACTS, "age": 30}, "who")
    assert decision.value == "residence"
    assert decision.value_name == jurisdiction.Text("由现居住地负责", "the residence place's")
    assert "取值：由现居住地负责 [residence]" in decision.render("zh")
    assert "Value: the residence place's [residence]" in decision.render("en")
    assert jurisdiction.Decision.from_json(decision.to_json()) == decision
    undetermined = engine.decide({**FACTS, "age": 12}, "who")
    assert undetermined.value is None
    assert "Value" not in undetermined.render("en")


def test_a_value_without_words_is_carried_but_not_rendered() -> None:
    engine = jurisdiction.load()
    unit = {"kind": "unit", "location": "120104002001", "category": "other", "staff": 50}
    decision = engine.decide(unit, "unit_management")
    assert decision.value == "community"
    assert decision.value_name is None
    assert "Value" not in decision.render("en")
