"""Levels the text does not state are this policy's reading, kept in a parameter of type level:
an answer's body names it as ``level: param.NAME``, the decision says the level is a reading
and which parameter holds it, and an analyst changes the reading in one place."""

from __future__ import annotations

from pathlib import Path

import pytest

import jurisdiction
from jurisdiction.testing.cases import CaseFileError, with_parameters
from policy_files import bundled_copy, line_of, patch

WOMAN = {
    "kind": "resident",
    "hukou": "120101001",
    "residence": "120104002",
    "sex": "female",
    "age": 30,
    "marital_status": "married",
}
TEXT_DAY = "2012-06-01"  # the text as written: the fee was deleted from the law on 2021-08-20
FEE_LEVEL = "  fee_collection_level:\n    type: level\n    value: district\n"


def test_the_fee_collector_is_the_county_level_by_a_documented_parameter() -> None:
    engine = jurisdiction.load()
    param = engine.policy.parameters["fee_collection_level"]
    assert (param.type, param.value) == ("level", "district")
    assert "社会抚养费征收管理办法" in param.doc
    decision = engine.decide(WOMAN, "social_maintenance_fee", as_of=TEXT_DAY)
    collector = next(b for b in decision.bodies if b.role == "responsible")
    assert (collector.level, collector.place_code) == ("district", "120101")
    assert collector.level_param == "fee_collection_level"
    assert "the level is this policy's reading, parameter fee_collection_level" in (
        decision.render("en")
    )
    assert "层级为本政策的解读：参数 fee_collection_level" in decision.render("zh")
    assert jurisdiction.Decision.from_json(decision.to_json()) == decision


def test_changing_the_reading_in_one_place_moves_every_answer_that_uses_it(tmp_path: Path) -> None:
    root = bundled_copy(tmp_path / "p")
    patch(root / "policy.yaml", FEE_LEVEL, FEE_LEVEL.replace("district", "street"))
    collector = next(
        b
        for b in jurisdiction.load(root)
        .decide(WOMAN, "social_maintenance_fee", as_of=TEXT_DAY)
        .bodies
        if b.role == "responsible"
    )
    assert (collector.level, collector.place_code) == ("street", "120101001")


def test_article_five_names_its_own_level_whatever_the_fee_reading(tmp_path: Path) -> None:
    """Issue 20.3: (五) says 区县 itself (“由市人口计生委会同当事双方区县进行个案裁定”), so a
    change of the fee parameter moves no party of a (五) ruling and no report to the street."""
    root = bundled_copy(tmp_path / "p")
    patch(root / "policy.yaml", FEE_LEVEL, FEE_LEVEL.replace("district", "street"))
    engine = jurisdiction.load(root)
    birth = {
        "kind": "birth_case",
        "hukou": "120101001",
        "residence": "120104002",
        "hukou_reported": False,
        "residence_reported": True,
    }
    for question in ("out_of_policy_birth_reporting", "out_of_policy_birth_assessment"):
        hukou = [b for b in engine.decide(birth, question).bodies if b.place == "hukou"]
        assert [(b.level, b.place_code, b.level_param) for b in hukou] == [
            ("district", "120101", None)
        ], question


def test_a_stated_level_names_no_parameter() -> None:
    blind = {
        **WOMAN,
        "area": {
            "place": "120104002001",
            "management_in_place": False,
            "blind_spot_cause": "no_community_organisation",
        },
    }
    decision = jurisdiction.load().decide(blind, "contraceptives")
    (body,) = decision.bodies
    assert (body.level, body.level_param) == ("district", None)  # (八) says 区县 itself


@pytest.mark.parametrize(
    ("level", "code", "words"),
    [
        ("param.fee_collection_levl", "unknown-parameter", "unknown parameter"),
        ("param.city_code", "unknown-parameter", "parameter of type code_prefix"),
    ],
)
def test_a_body_level_must_read_a_level_parameter(
    tmp_path: Path, level: str, code: str, words: str
) -> None:
    root = bundled_copy(tmp_path / "p")
    file = root / "chapter1.yaml"
    text = file.read_text(encoding="utf-8")
    first = text.index("level: param.fee_collection_level")
    file.write_text(
        text[:first] + text[first:].replace("param.fee_collection_level", level, 1), "utf-8"
    )
    with pytest.raises(jurisdiction.PolicyError) as err:
        jurisdiction.load(root)
    (diagnostic,) = err.value.diagnostics
    assert diagnostic.code == code
    assert words in diagnostic.message
    assert diagnostic.location is not None
    assert diagnostic.location.line == line_of(file, f"level: {level},")


def test_a_level_parameter_must_name_a_level_and_cannot_be_delegated(tmp_path: Path) -> None:
    root = bundled_copy(tmp_path / "p")
    patch(root / "policy.yaml", FEE_LEVEL, FEE_LEVEL.replace("district", "county"))
    with pytest.raises(jurisdiction.PolicyError) as err:
        jurisdiction.load(root)
    assert {d.code for d in err.value.diagnostics} == {"unknown-place"}
    assert all("parameter `fee_collection_level` gives" in d.message for d in err.value.diagnostics)
    root2 = bundled_copy(tmp_path / "p2")
    patch(root2 / "policy.yaml", FEE_LEVEL, FEE_LEVEL + "    delegated: true\n")
    with pytest.raises(jurisdiction.PolicyError) as err2:
        jurisdiction.load(root2)
    assert "cannot be delegated" in str(err2.value)


def test_a_case_cannot_set_a_level_parameter() -> None:
    policy = jurisdiction.load().policy
    with pytest.raises(CaseFileError, match="resolves when it loads"):
        with_parameters(policy, {"fee_collection_level": "street"})
