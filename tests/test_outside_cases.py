"""An `outside` case written once (docs/policy-format.md, "definitions"): `same_as:
DEFINITION.CASE` in a definition's `outside` list is that definition's case, copied — the scope
answers with its reason exactly as if it were written out — and a name that is no definition or
no case of it is a located `unknown-definition`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import jurisdiction
from jurisdiction.policy.load import load_policy
from jurisdiction.policy.model import Policy
from policy_files import bundled_copy, line_of, patch

CHAPTER1 = "chapter1.yaml"
QUESTION = "second_child_approval"


def _written_out(root: Path) -> str:
    """The case `hukou_not_in_city` as chapter1_resident (policy.yaml) writes it."""
    text = (root / "policy.yaml").read_text(encoding="utf-8")
    start = text.index("      - id: hukou_not_in_city\n")
    return text[start : text.index("      - id: same_street\n", start)]


def _rules(policy: Policy, question: str) -> list[tuple[Any, ...]]:
    return [(r.id, r.condition, r.answer) for r in policy.questions[question].rules]


def test_a_case_named_by_same_as_decides_as_if_written_out(tmp_path: Path) -> None:
    root = bundled_copy(tmp_path / "policy")
    written_out = _written_out(root)
    assert "不具有本市户籍" in written_out
    patch(root / CHAPTER1, "      - same_as: chapter1_resident.hukou_not_in_city\n", written_out)
    written = load_policy(root)
    shared = jurisdiction.load().policy
    assert _rules(shared, "second_child_approval") == _rules(written, "second_child_approval")
    outside = {
        r.id.rpartition(".")[2]
        for r in shared.questions["second_child_approval"].rules
        if r.id.startswith("second_child_approval.outside_scope.")
    }
    assert outside == {"hukou_not_in_city", "same_street", "couple_not_of_childbearing_age"}
    facts = {"kind": "resident", "hukou": "310101001", "residence": "120104002"}
    decision = jurisdiction.load().decide(
        {**facts, "sex": "female", "age": 30}, QUESTION, as_of="2012-06-01"
    )
    assert decision.outcome == "not_applicable"
    assert "户籍地 310101001 不在本市" in decision.render("zh")


@pytest.mark.parametrize(
    ("reference", "needle"),
    [
        ("chapter1_resident.hukou_not_in_cty", "has no case `hukou_not_in_cty`"),
        ("chapter1_residnt.hukou_not_in_city", "no definition `chapter1_residnt`"),
    ],
)
def test_an_unknown_name_is_located_at_the_same_as(
    tmp_path: Path, reference: str, needle: str
) -> None:
    root = bundled_copy(tmp_path / "policy")
    patch(root / CHAPTER1, "same_as: chapter1_resident.hukou_not_in_city", f"same_as: {reference}")
    with pytest.raises(jurisdiction.PolicyError) as err:
        load_policy(root)
    (found,) = err.value.diagnostics
    assert found.code == "unknown-definition"
    assert needle in found.message
    assert found.location is not None
    assert found.location.line == line_of(root / CHAPTER1, f"same_as: {reference}")
    assert found.suggestion in {"hukou_not_in_city", "chapter1_resident"}
