"""A question's `with`: the arguments every use of a template among its rules takes unless it
gives its own, as a use inside a template takes the enclosing template's (docs/policy-format.md,
"Templates"). The rules must come out exactly as if each use wrote the arguments out, a use's own
must win, and a name no used template declares must be reported where it is written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import jurisdiction
from jurisdiction.policy.load import load_policy
from jurisdiction.policy.model import Policy
from policy_files import compose, line_of

TEMPLATES = """\
templates:
  by_age:
    doc: a body by age
    arguments: {place: where, role: {doc: its role, default: responsible}}
    rules:
      - id: ${question}.${place}
        cite: {article: 1, item: 1}
        when: resident.age >= param.adult_age
        bodies: [{body: office, place: "${place}", level: street, role: "${role}"}]
  minors:
    doc: minors
    arguments: {place: where}
    rules:
      - id: ${question}.minor_${place}
        cite: {article: 1, item: 2}
        when: resident.age < param.adult_age
        bodies: [{body: office, place: "${place}", level: street, role: responsible}]
questions:
  q:
    subject: resident
    title: {zh: 由谁负责, en: "Who is responsible?"}
"""


def _root(tmp_path: Path, name: str, question: str) -> Path:
    root = compose(tmp_path / name)
    (root / "rules.yaml").write_text(TEMPLATES + question, encoding="utf-8")
    return root


def _rules(policy: Policy) -> list[tuple[Any, ...]]:
    return sorted((r.id, r.cites, r.condition, r.answer) for r in policy.questions["q"].rules)


OUT = """\
    rules:
      - {use: by_age, with: {place: hukou}}
      - {use: minors, with: {place: hukou}}
"""


def test_uses_take_the_question_arguments_as_if_written_out(tmp_path: Path) -> None:
    given = "    with: {place: hukou}\n    rules: [{use: by_age}, {use: minors}]\n"
    out = load_policy(_root(tmp_path, "out", OUT))
    policy = load_policy(_root(tmp_path, "given", given))
    assert _rules(policy) == _rules(out)
    assert {r.id for r in policy.questions["q"].rules} == {"q.hukou", "q.minor_hukou"}


def test_a_use_keeps_its_own_argument(tmp_path: Path) -> None:
    own = "    with: {place: hukou}\n    rules: [{use: by_age, with: {place: residence}}]\n"
    policy = load_policy(_root(tmp_path, "own", own))
    assert [r.id for r in policy.questions["q"].rules] == ["q.residence"]


@pytest.mark.parametrize(
    ("question", "needle"),
    [
        ("    with: {place: hukou, rloe: joint}\n    rules: [{use: by_age}]\n", "rloe"),
        (
            "    with: {place: hukou}\n    rules:\n"
            "      - {id: q.x, cite: {article: 1}, bodies: "
            "[{body: office, place: hukou, level: street, role: responsible}]}\n",
            "place",
        ),
    ],
)
def test_an_argument_no_used_template_declares_is_located(
    tmp_path: Path, question: str, needle: str
) -> None:
    root = _root(tmp_path, "bad", question)
    with pytest.raises(jurisdiction.PolicyError) as err:
        load_policy(root)
    (found,) = err.value.diagnostics
    assert found.code == "template-argument"
    assert f"gives `{needle}` to its uses" in found.message
    assert found.location is not None
    assert found.location.line == line_of(root / "rules.yaml", "    with:")
    if needle == "rloe":
        assert found.suggestion == "role"


def test_the_bundled_principle_gives_its_exceptions_article_one_once() -> None:
    policy = jurisdiction.load().policy
    text = (Path(policy.root) / "chapter1.yaml").read_text(encoding="utf-8")
    written = text[text.index("\n  management_principle:") : text.index("\n  basic_information")]
    assert written.count("duty: {article: 1}") == 1  # said once, in the question's `with`
    rules = {r.id: r for r in policy.questions["management_principle"].rules}
    for rule in ("blind_spot_district", "blind_spot_cause_unknown", "residence_outside_city"):
        cites = rules[f"management_principle.{rule}"].cites
        assert any(c.article == 1 for c in cites), (rule, cites)
