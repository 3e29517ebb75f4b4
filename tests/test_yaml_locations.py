"""Positions inside YAML scalars map back to the file, whatever the scalar's style.

YAML folds plain and ``>`` scalars and unescapes quoted ones, so a column in the parsed condition
is not a fixed offset in the file; every style must still point at the right character.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import jurisdiction
from jurisdiction.policy.strict_yaml import parse_yaml

NEEDLE = "resident.agee"


def _locate(text: str) -> tuple[int, int]:
    """Where the parsed value of `when` has NEEDLE, mapped back to the file."""
    doc = parse_yaml(text, "f.yaml")
    scalar = doc.scalar(("when",))
    assert scalar is not None
    lines = scalar.text.split("\n")
    (line,) = [i for i, t in enumerate(lines, start=1) if NEEDLE in t]
    loc = scalar.location(line, lines[line - 1].index(NEEDLE) + 1)
    return loc.line, loc.column


def _written(text: str) -> tuple[int, int]:
    """Where NEEDLE is written in the file."""
    for number, line in enumerate(text.splitlines(), start=1):
        if NEEDLE in line:
            return number, line.index(NEEDLE) + 1
    raise AssertionError


@pytest.mark.parametrize(
    "text",
    [
        "when: resident.hukou_in_city and resident.agee >= 3\n",
        "when: resident.hukou_in_city\n  and resident.agee >= 3\n",
        'when: >-\n  resident.sex == "female"\n  and resident.agee >= 3\n',
        'when: >\n  (resident.sex == "female"\n    and resident.agee >= 3)\n',
        "when: |\n  resident.hukou_in_city\n  and resident.agee >= 3\n",
        'when: "resident.sex == \\"male\\" and resident.agee >= 3"\n',
        "when: 'resident.sex == \"male\" and it''s resident.agee'\n",
        'when: "resident.sex == \\"male\\"\n  and resident.agee >= 3"\n',
    ],
    ids=[
        "plain",
        "plain-multiline",
        "folded",
        "folded-indented",
        "literal",
        "double",
        "single",
        "double-multiline",
    ],
)
def test_positions_map_back_to_the_file(text: str) -> None:
    assert _locate(text) == _written(text)


def test_a_misspelt_fact_in_a_folded_condition_is_located(tmp_path: Path) -> None:
    root = tmp_path / "p"
    root.mkdir()
    src = Path(__file__).resolve().parent.parent / "policies"
    for f in src.glob("*.yaml"):
        text = f.read_text(encoding="utf-8")
        if f.name == "chapter1.yaml":
            text = text.replace(
                "          or birth_case.attribution_disputed\n",
                "          or birth_case.attribution_dispute\n",
            )
        (root / f.name).write_text(text, encoding="utf-8")
    with pytest.raises(jurisdiction.PolicyError) as err:
        jurisdiction.load(root)
    (d,) = err.value.diagnostics
    lines = (root / "chapter1.yaml").read_text(encoding="utf-8").splitlines()
    (line,) = [i for i, t in enumerate(lines, start=1) if t.endswith("attribution_dispute")]
    assert (d.code, d.location) == (
        "unknown-fact",
        jurisdiction.Location(str(root / "chapter1.yaml"), line, 14),
    )
    assert d.suggestion == "birth_case.attribution_disputed"


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("a: &x 1\nb: 2\n", (1, 4)),
        ("a: 1\nb: *x\n", (2, 4)),
        ("a: [1, &y 2]\n", (1, 8)),
    ],
)
def test_anchors_and_aliases_are_refused_before_anything_is_expanded(
    text: str, where: tuple[int, int]
) -> None:
    with pytest.raises(jurisdiction.PolicyError) as err:
        parse_yaml(text, "f.yaml")
    (d,) = err.value.diagnostics
    assert (d.code, d.location) == ("yaml-alias", jurisdiction.Location("f.yaml", *where))


def test_a_billion_laughs_is_refused_at_its_first_anchor() -> None:
    lines = ['a0: &a0 "lol"'] + [
        f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)
    ]
    with pytest.raises(jurisdiction.PolicyError) as err:
        parse_yaml("\n".join(lines) + "\n", "f.yaml")
    assert err.value.codes == ("yaml-alias",)


def test_an_unknown_key_points_at_the_key() -> None:
    doc = parse_yaml("rule:\n  whn: adult\n", "f.yaml")
    assert doc.key_location(("rule", "whn")) == jurisdiction.Location("f.yaml", 2, 3)
    assert doc.location(("rule", "whn")) == jurisdiction.Location("f.yaml", 2, 8)
