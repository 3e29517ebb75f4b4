"""A misspelt name in a condition is reported at its exact file:line:col, with a suggestion,
whatever YAML style the condition is written in."""

from __future__ import annotations

from pathlib import Path

import pytest

import jurisdiction
from jurisdiction import PolicyError

from policy_kit import base_policy, copy_bundled, write

TEMPLATE = """
questions:
  q:
    subject: resident
    title: {zh: 问, en: q}
    rules:
      - id: q.one
        cite: {article: 1}
WHEN
        answer:
          bodies: [{body: fp_department, place: residence, level: street, role: primary}]
"""


@pytest.mark.parametrize(
    ("when", "line", "column"),
    [
        ("        when: resident.age > 3 and resident.hukou_in_ciyt", 8, 36),
        ('        when: "resident.age > 3 and resident.hukou_in_ciyt"', 8, 37),
        (
            "        when: >-\n          resident.age > 3\n          and resident.hukou_in_ciyt",
            10,
            15,
        ),
        (
            "        when: |\n          resident.age > 3 and\n          resident.hukou_in_ciyt",
            10,
            11,
        ),
    ],
    ids=["plain", "quoted", "folded", "literal"],
)
def test_misspelt_fact_is_located_with_a_suggestion(
    tmp_path: Path, when: str, line: int, column: int
) -> None:
    root = base_policy(tmp_path)
    path = write(root, "rules.yaml", TEMPLATE.replace("WHEN", when))
    with pytest.raises(PolicyError) as info:
        jurisdiction.load(root)
    (diag,) = info.value.diagnostics
    assert diag.code == "unknown-fact"
    assert diag.location == jurisdiction.Location(str(path), line, column)
    assert diag.suggestion == "resident.hukou_in_city"
    assert f"{path}:{line}:{column}: unknown-fact:" in str(info.value)
    assert "did you mean `resident.hukou_in_city`?" in str(info.value)


def test_a_misspelt_fact_in_the_bundled_policy_is_found(tmp_path: Path) -> None:
    root = copy_bundled(tmp_path)
    chapter = root / "chapter1.yaml"
    text = chapter.read_text(encoding="utf-8")
    assert "birth_case.attribution_disputed\n" in text
    chapter.write_text(
        text.replace("birth_case.attribution_disputed\n", "birth_case.atribution_disputed\n", 1),
        encoding="utf-8",
    )
    with pytest.raises(PolicyError) as info:
        jurisdiction.load(root)
    diag = info.value.diagnostics[0]
    assert diag.code == "unknown-fact"
    assert diag.suggestion == "birth_case.attribution_disputed"
    assert diag.location is not None
    assert diag.location.file == str(chapter)
    lines = text.splitlines()
    assert "birth_case.attribution_disputed" in lines[diag.location.line - 1]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    root = base_policy(tmp_path)
    write(
        root,
        "rules.yaml",
        TEMPLATE.replace(
            "WHEN", '        when: resident.agee > param.nope and resident.sex == "femal"'
        ),
    )
    with pytest.raises(PolicyError) as info:
        jurisdiction.load(root)
    assert info.value.codes == ("unknown-fact", "unknown-parameter", "unknown-value")
    assert [d.suggestion for d in info.value.diagnostics] == ["resident.age", None, "female"]
