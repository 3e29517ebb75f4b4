"""A file's `question_defaults`: what every question of the file says unless it says otherwise
(docs/policy-format.md). The questions must load exactly as if each wrote the keys out, a key a
question gives must win, and a bad default must be reported where it is written, naming the
question it was given to."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import jurisdiction
from jurisdiction.policy.load import load_policy
from jurisdiction.policy.model import Policy
from policy_files import compose, line_of

DEFINITIONS = """\
definitions:
  adult:
    subject: resident
    doc: an adult
    cite: {article: 1, item: 1}
    when: resident.age >= param.adult_age
    outside: {zh: 未成年, en: a minor}
"""
QUESTION = """\
  {name}:
{head}    title: {{zh: 由谁负责, en: "Who is responsible?"}}
    rules:
      - id: {name}.residence
        cite: {{article: 1, item: 1}}
        answer:
          bodies:
            - {{body: office, place: residence, level: street, role: responsible}}
"""
WRITTEN_OUT = "    subject: resident\n    scope: adult\n"


def _root(tmp_path: Path, text: str, name: str) -> Path:
    root = compose(tmp_path / name)
    (root / "rules.yaml").write_text(DEFINITIONS + text, encoding="utf-8")
    return root


def _plain(policy: Policy, question: str) -> list[tuple[Any, ...]]:
    return [
        (r.id, r.cites, r.condition, r.expanded, r.answer, r.overrides)
        for r in policy.questions[question].rules
    ]


def _questions(defaults: str, heads: list[str]) -> str:
    body = "".join(QUESTION.format(name=f"q{i}", head=h) for i, h in enumerate(heads))
    return defaults + "questions:\n" + body


def test_questions_load_as_if_each_wrote_the_defaults_out(tmp_path: Path) -> None:
    out = load_policy(_root(tmp_path, _questions("", [WRITTEN_OUT] * 2), "out"))
    given = _questions("question_defaults: {subject: resident, scope: adult}\n", ["", ""])
    policy = load_policy(_root(tmp_path, given, "given"))
    for name in ("q0", "q1"):
        assert policy.questions[name].subject == out.questions[name].subject == "resident"
        assert _plain(policy, name) == _plain(out, name)
    minor = {"kind": "resident", "hukou": "120101001", "residence": "120104002", "age": 12}
    minor["sex"] = "female"
    decision = jurisdiction.load(_root(tmp_path, given, "decide")).decide(minor, "q0")
    assert decision.outcome == "not_applicable"  # the default scope holds


def test_a_key_the_question_gives_wins(tmp_path: Path) -> None:
    text = _questions(
        "question_defaults: {subject: resident, scope: adult}\n", ["", "    scope: null\n"]
    )
    policy = load_policy(_root(tmp_path, text, "own"))
    assert next(r.id for r in policy.questions["q0"].rules).endswith("outside_scope")
    assert all(not r.id.endswith("outside_scope") for r in policy.questions["q1"].rules)


@pytest.mark.parametrize(
    ("defaults", "code", "needle"),
    [
        ("question_defaults: {subject: resident, rules: []}\n", "unknown-key", "rules"),
        ("question_defaults: {subject: resident, always_answers: maybe}\n", "schema", "bool"),
        ("question_defaults: [resident]\n", "schema", "question_defaults"),
        ("question_defaults: {subject: resident, scope: adlut}\n", "", "adlut"),
    ],
)
def test_a_bad_default_is_located_where_it_is_written(
    tmp_path: Path, defaults: str, code: str, needle: str
) -> None:
    root = _root(tmp_path, _questions(defaults, ["", ""]), "bad")
    with pytest.raises(jurisdiction.PolicyError) as err:
        load_policy(root)
    found = [d for d in err.value.diagnostics if needle in str(d)]
    assert found, "\n".join(map(str, err.value.diagnostics))
    line = line_of(root / "rules.yaml", "question_defaults:")
    for d in found:
        assert d.location is not None
        assert d.location.line == line
        assert not code or d.code == code
    if not code:  # a value given to each question: reported for it, naming it
        assert {d.location.context for d in found if d.location} == {
            "the default of question `q0` (question_defaults)",
            "the default of question `q1` (question_defaults)",
        }
        assert found[0].suggestion == "adult"


DEFINITION = """\
  {name}:
{head}    doc: an adult
    when: resident.age >= param.adult_age
"""
DEFINITION_OUT = "    subject: resident\n    cite: {article: 1, item: 1}\n"
QUESTION_ON = """\
questions:
  q:
    subject: resident
    title: {zh: 由谁负责, en: "Who is responsible?"}
    rules:
      - id: q.adult
        cite: {article: 1, item: 2}
        when: d0 and d1
        bodies: [{body: office, place: residence, level: street, role: responsible}]
"""


def _definitions(defaults: str, heads: list[str]) -> str:
    body = "".join(DEFINITION.format(name=f"d{i}", head=h) for i, h in enumerate(heads))
    return defaults + "definitions:\n" + body + QUESTION_ON


def _definitions_root(tmp_path: Path, text: str, name: str) -> Path:
    root = compose(tmp_path / name)
    (root / "rules.yaml").write_text(text, encoding="utf-8")
    return root


def test_definitions_load_as_if_each_wrote_the_defaults_out(tmp_path: Path) -> None:
    out = load_policy(_definitions_root(tmp_path, _definitions("", [DEFINITION_OUT] * 2), "o"))
    defaults = "definition_defaults: {subject: resident, cite: {article: 1, item: 1}}\n"
    given = load_policy(_definitions_root(tmp_path, _definitions(defaults, ["", ""]), "g"))
    for name in ("d0", "d1"):
        a, b = given.definitions[name], out.definitions[name]
        assert (a.subject, a.cite, a.condition, a.expanded) == (
            b.subject,
            b.cite,
            b.condition,
            b.expanded,
        )
        assert a.subject == "resident"
        assert a.cite is not None


def test_a_key_the_definition_gives_wins(tmp_path: Path) -> None:
    defaults = "definition_defaults: {subject: resident, cite: {article: 1, item: 1}}\n"
    own = "    cite: {article: 1, item: 2}\n"
    policy = load_policy(_definitions_root(tmp_path, _definitions(defaults, ["", own]), "own"))
    assert policy.definitions["d0"].cite != policy.definitions["d1"].cite


@pytest.mark.parametrize(
    ("defaults", "code", "needle"),
    [
        ("definition_defaults: {subject: resident, when: x}\n", "unknown-key", "when"),
        ("definition_defaults: {subject: residnet}\n", "", "residnet"),
    ],
)
def test_a_bad_definition_default_is_located_where_it_is_written(
    tmp_path: Path, defaults: str, code: str, needle: str
) -> None:
    root = _definitions_root(tmp_path, _definitions(defaults, ["", ""]), "bad")
    with pytest.raises(jurisdiction.PolicyError) as err:
        load_policy(root)
    found = [  # at the definitions (a question reading one may fail as well)
        d for d in err.value.diagnostics if needle in str(d) and d.path[:1] != ("questions",)
    ]
    assert found, "\n".join(map(str, err.value.diagnostics))
    line = line_of(root / "rules.yaml", "definition_defaults:")
    for d in found:
        assert d.location is not None
        assert d.location.line == line
        assert not code or d.code == code
    if not code:  # a value given to each definition: reported for it, naming it
        contexts = {d.location.context for d in found if d.location}
        assert "the default of definition `d0` (definition_defaults)" in contexts
