"""A template argument's `default` may be built from the arguments given (docs/policy-format.md,
"Templates"): `${name}` in it stands for the argument the use, the enclosing template or the
question gave. A use that gives the argument keeps its own, and a default naming an argument that
is not given is reported at the template's arguments."""

from __future__ import annotations

from pathlib import Path

import pytest

import jurisdiction
from jurisdiction.policy.load import load_policy
from policy_files import compose, line_of

RULES = """\
templates:
  duty:
    doc: a duty at a place, cited as given
    arguments:
      - {where: the place}
      - {item: the item}
      - {cites: {doc: its citations, default: [{article: 1, item: "${item}"}]}}
    rules:
      - id: ${question}.${where}
        cite: ${cites}
        bodies: [{body: office, place: "${where}", level: street, role: responsible}]
questions:
  q:
    subject: resident
    title: {zh: 由谁负责, en: "Who is responsible?"}
    rules:
"""


def _policy(tmp_path: Path, name: str, uses: str, rules: str = RULES) -> Path:
    root = compose(tmp_path / name)
    (root / "rules.yaml").write_text(rules + uses, encoding="utf-8")
    return root


def test_a_default_is_built_from_the_arguments_given(tmp_path: Path) -> None:
    uses = "      - {use: duty, with: {where: hukou, item: 2}}\n"
    policy = load_policy(_policy(tmp_path, "built", uses))
    (rule,) = policy.questions["q"].rules
    assert [(c.article, c.item) for c in rule.cites] == [(1, 2)]


def test_a_use_that_gives_the_argument_keeps_its_own(tmp_path: Path) -> None:
    uses = "      - {use: duty, with: {where: hukou, item: 2, cites: [{article: 1, item: 1}]}}\n"
    policy = load_policy(_policy(tmp_path, "own", uses))
    (rule,) = policy.questions["q"].rules
    assert [(c.article, c.item) for c in rule.cites] == [(1, 1)]


def test_a_default_naming_no_given_argument_is_located(tmp_path: Path) -> None:
    rules = RULES.replace('item: "${item}"', 'item: "${iten}"')
    root = _policy(tmp_path, "bad", "      - {use: duty, with: {where: hukou, item: 2}}\n", rules)
    with pytest.raises(jurisdiction.PolicyError) as err:
        load_policy(root)
    (found,) = [d for d in err.value.diagnostics if "iten" in d.message]
    assert found.code == "template-argument"
    assert found.suggestion == "item"
    assert found.location is not None
    assert found.location.line == line_of(root / "rules.yaml", "{cites: {doc:")


def test_the_bundled_shared_duties_build_their_hukou_side_once() -> None:
    policy = jurisdiction.load().policy
    text = (Path(policy.root) / "chapter1.yaml").read_text(encoding="utf-8")
    assert text.count('hukou_cites: ["${hukou_duty}"]') == 0  # each exception inherits it
    rules = {r.id: r for r in policy.questions["social_maintenance_fee"].rules}
    hukou = list(rules["social_maintenance_fee.blind_spot_district"].answer.bodies)
    assert any(b.place == "hukou" and b.level == "district" for b in hukou), hukou
