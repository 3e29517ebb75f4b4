"""A question's `cite`: the citation of each of its rules that gives none (docs/policy-format.md,
"questions and rules"). The rules must load exactly as if each wrote it out, a rule's own citation
must win, and a bad or idle one must be reported where it is written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import jurisdiction
from jurisdiction.policy.load import load_policy
from jurisdiction.policy.model import Policy
from policy_files import compose, line_of

QUESTION = """\
questions:
  q:
    subject: resident
    title: {{zh: 由谁负责, en: "Who is responsible?"}}
{head}    rules:
      - id: q.adult
{first}        when: resident.age >= param.adult_age
        bodies: [{{body: office, place: residence, level: street, role: responsible}}]
      - id: q.minor
{second}        when: resident.age < param.adult_age
        not_applicable: {{zh: 未成年, en: a minor}}
"""
ONE = "        cite: {article: 1, item: 1}\n"


def _root(tmp_path: Path, name: str, head: str, first: str, second: str) -> Path:
    root = compose(tmp_path / name)
    text = QUESTION.format(head=head, first=first, second=second)
    (root / "rules.yaml").write_text(text, encoding="utf-8")
    return root


def _cites(policy: Policy) -> list[tuple[str, Any]]:
    return sorted((r.id, r.cites) for r in policy.questions["q"].rules)


def test_rules_load_as_if_each_wrote_the_citation_out(tmp_path: Path) -> None:
    out = load_policy(_root(tmp_path, "out", "", ONE, ONE))
    given = load_policy(_root(tmp_path, "given", ONE[4:], "", ""))
    assert _cites(given) == _cites(out)
    assert all(cites for _id, cites in _cites(given))


def test_a_rule_that_cites_keeps_its_own(tmp_path: Path) -> None:
    own = "        cite: {article: 1}\n"
    policy = load_policy(_root(tmp_path, "own", ONE[4:], own, ""))
    by_id = dict(_cites(policy))
    assert by_id["q.adult"] != by_id["q.minor"]
    assert (
        by_id["q.adult"] == dict(_cites(load_policy(_root(tmp_path, "o", "", own, ONE))))["q.adult"]
    )


def test_a_bad_citation_is_located_at_the_question_naming_the_rule(tmp_path: Path) -> None:
    root = _root(tmp_path, "bad", "    cite: {article: 1, item: 9}\n", "", ONE)
    with pytest.raises(jurisdiction.PolicyError) as err:
        load_policy(root)
    (found,) = [d for d in err.value.diagnostics if d.code == "unknown-item"]
    assert found.location is not None
    assert found.location.line == line_of(root / "rules.yaml", "item: 9")
    assert "rule `q.adult`" in (found.location.context or "")


def test_a_citation_no_rule_takes_is_refused_at_its_key(tmp_path: Path) -> None:
    root = _root(tmp_path, "idle", ONE[4:], ONE, ONE)
    with pytest.raises(jurisdiction.PolicyError) as err:
        load_policy(root)
    (found,) = err.value.diagnostics
    assert found.code == "schema"
    assert "every rule written here gives its own" in found.message
    assert found.location is not None
    assert found.location.line == line_of(root / "rules.yaml", "    cite:")


def test_the_bundled_policy_cites_at_the_question_where_its_rules_agree() -> None:
    policy = jurisdiction.load().policy
    text = (Path(policy.root) / "chapter3.yaml").read_text(encoding="utf-8")
    written = text[text.index("\n  unit_management:\n") : text.index("\n  unit_instrument:\n")]
    assert "\n    cite: {article: 10}\n" in written
    assert "\n        cite:" not in written  # no rule of it writes (十) out
    rules = [r for r in policy.questions["unit_management"].rules if "outside" not in r.id]
    assert len(rules) >= 5
    assert {(c.article, c.item) for r in rules for c in r.cites} == {(10, None)}
