"""What a condition may read since the vocabulary is the policy's: raw fields, place functions,
nested fields, lists and counts, arithmetic, dates, and another question's answer — each loaded,
decided and checked exactly, with located errors where a condition is wrong."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import jurisdiction
from jurisdiction.analysis.certificate import certificate
from jurisdiction.analysis.check import Checker
from policy_files import compose

from policy_kit import write

RESIDENT = {"kind": "resident", "hukou": "120101001", "residence": "120104002", "sex": "female"}


def _policy(tmp: Path, rules: str, extra: str | None = None) -> Path:
    root = compose(tmp / "policy")
    write(root, "rules.yaml", rules)
    if extra is not None:
        write(root, "extra.yaml", extra)
    return root


def _question(qid: str, subject: str, when_a: str, when_b: str, place: str = "residence") -> str:
    return f"""
    questions:
      {qid}:
        subject: {subject}
        title: {{zh: 由谁负责, en: "Who is responsible?"}}
        rules:
          - id: {qid}.a
            cite: {{article: 1, item: 1}}
            when: >-
              {when_a}
            answer:
              bodies:
                - {{body: office, place: {place}, level: street, role: responsible}}
          - id: {qid}.b
            cite: {{article: 1, item: 2}}
            when: >-
              {when_b}
            answer:
              bodies:
                - {{body: office, place: hukou, level: street, role: responsible}}
    """


def _clean_with_features(engine: jurisdiction.Engine) -> dict[str, Any]:
    checker = Checker(engine)
    findings = list(checker.all_findings())
    # the base policy's parameter and definition are not read by these questions: that is all
    assert [str(f) for f in findings if not f.code.startswith("unused-")] == []
    return certificate(checker, findings)


def _load_error(root: Path) -> jurisdiction.PolicyError:
    with pytest.raises(jurisdiction.PolicyError) as info:
        jurisdiction.load(root)
    return info.value


def test_a_raw_field_and_a_place_function(tmp_path: Path) -> None:
    condition = 'at(resident.hukou, "district") == "120101"'
    root = _policy(tmp_path, _question("who", "resident", condition, f"not ({condition})"))
    engine = jurisdiction.load(root)
    assert engine.decide({**RESIDENT, "age": 30}, "who").rules_applied == ("who.a",)
    other = {**RESIDENT, "hukou": "120102001", "age": 30}
    assert engine.decide(other, "who").rules_applied == ("who.b",)
    (question,) = _clean_with_features(engine)["questions"]
    split = question["features"][f"({condition})"]
    assert split["values"] == [False, True]
    assert {c["outcome"] for c in question["classes"]} == {"responsible"}
    assert len(question["classes"]) == 2  # both values realised: the literal code was tried


def test_a_nested_field_and_arithmetic(tmp_path: Path) -> None:
    nested = "resident.area != null and resident.area.management_in_place == false"
    root = _policy(tmp_path, _question("who", "resident", nested, f"not ({nested})"))
    engine = jurisdiction.load(root)
    blind = {**RESIDENT, "age": 30, "area": {"place": "120104002", "management_in_place": False}}
    assert engine.decide(blind, "who").rules_applied == ("who.a",)
    assert engine.decide({**RESIDENT, "age": 30}, "who").rules_applied == ("who.b",)
    _clean_with_features(engine)
    twice = "resident.age * 2 - 1 >= 39"
    root2 = _policy(tmp_path / "2", _question("who", "resident", twice, f"not ({twice})"))
    engine2 = jurisdiction.load(root2)
    assert engine2.decide({**RESIDENT, "age": 20}, "who").rules_applied == ("who.a",)
    assert engine2.decide({**RESIDENT, "age": 19}, "who").rules_applied == ("who.b",)


def test_lists_counts_and_membership(tmp_path: Path) -> None:
    many = 'count(area.adjacent_districts) >= param.parties and "120101" in area.adjacent_districts'
    rules = _question("where", "area", many, f"not ({many})", place="locality").replace(
        "place: hukou", "place: locality"
    )
    # the threshold is a named, cited and bounded parameter, as `check` asks (`bounds`)
    rules += """
    parameters:
      parties:
        type: int
        value: 2
        bound: inclusive
        doc: the districts an area must adjoin (两个以上, inclusive)
        cite: {article: 1, item: 1}
    """
    extra = """
    vocabulary_extra_places: null
    """
    del extra
    root = _policy(tmp_path, rules)
    (root / "policy.yaml").write_text(
        (root / "policy.yaml")
        .read_text(encoding="utf-8")
        .replace(
            "    hukou: {zh: 户籍地",
            "    locality: {zh: 所属地, en: locality}\n    hukou: {zh: 户籍地",
        ),
        encoding="utf-8",
    )
    engine = jurisdiction.load(root)
    area = {
        "kind": "area",
        "place": "120101001",
        "management_in_place": False,
        "blind_spot_cause": "division_unclear",
        "adjacent_districts": ["120101", "120102"],
    }
    assert engine.decide(area, "where").rules_applied == ("where.a",)
    area["adjacent_districts"] = ["120103", "120102"]
    assert engine.decide(area, "where").rules_applied == ("where.b",)
    _clean_with_features(engine)


def test_all_within_holds_when_every_place_of_a_list_lies_inside(tmp_path: Path) -> None:
    inside = 'all_within(area.adjacent_districts, "1201")'
    rules = _question("where", "area", inside, f"not ({inside})", place="locality").replace(
        "place: hukou", "place: locality"
    )
    root = _policy(tmp_path, rules)
    (root / "policy.yaml").write_text(
        (root / "policy.yaml")
        .read_text(encoding="utf-8")
        .replace(
            "    hukou: {zh: 户籍地",
            "    locality: {zh: 所属地, en: locality}\n    hukou: {zh: 户籍地",
        ),
        encoding="utf-8",
    )
    engine = jurisdiction.load(root)
    area: dict[str, Any] = {"kind": "area", "place": "120101001", "management_in_place": True}
    assert engine.decide(area, "where").rules_applied == ("where.a",)  # no list: vacuously
    area = {**area, "management_in_place": False, "blind_spot_cause": "division_unclear"}
    area["adjacent_districts"] = ["120101", "120102"]
    assert engine.decide(area, "where").rules_applied == ("where.a",)
    area["adjacent_districts"] = ["120101", "120202"]
    assert engine.decide(area, "where").rules_applied == ("where.b",)
    _clean_with_features(engine)


def test_a_district_outside_the_city_is_no_party_of_article_9() -> None:
    area = {
        "kind": "area",
        "place": "120104002",
        "management_in_place": False,
        "blind_spot_cause": "division_unclear",
        "adjacent_districts": ["110105", "120104"],
    }
    with pytest.raises(jurisdiction.FactsError) as info:
        jurisdiction.load().decide(area, "blind_spot_management")
    assert "adjacent_districts" in str(info.value)
    assert "no party to the negotiation of (九)" in str(info.value)
    area["adjacent_districts"] = ["120103", "120104"]
    decision = jurisdiction.load().decide(area, "blind_spot_management")
    assert {b.place_code for b in decision.bodies} == {"120103", "120104"}


def test_a_date_field_compared_with_a_date(tmp_path: Path) -> None:
    pets = """
    subjects:
      pet:
        doc: a pet
        location: home
        fields:
          home: {type: place, levels: [street, community], doc: where it lives}
          born: {type: date, doc: its date of birth}
        places:
          home: {expr: pet.home, doc: where it lives}
          hukou: {expr: pet.home, doc: its owner's registration (here its home)}
          residence: {expr: pet.home, doc: its home}
    """
    born = 'pet.born < date("2020-01-01")'
    root = _policy(tmp_path, _question("vet", "pet", born, f"not ({born})"), pets)
    engine = jurisdiction.load(root)
    old = {"kind": "pet", "home": "120101001", "born": "2019-12-31"}
    assert engine.decide(old, "vet").rules_applied == ("vet.a",)
    assert engine.decide({**old, "born": "2020-01-01"}, "vet").rules_applied == ("vet.b",)
    (question,) = _clean_with_features(engine)["questions"]
    assert len(question["classes"]) == 2  # both sides of the date realised


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_date_at_the_end_of_the_calendar_is_checked(tmp_path: Path, day: str) -> None:
    """`check` crashed with OverflowError looking for the day after 9999-12-31 (issue 23)."""
    pets = """
    subjects:
      pet:
        doc: a pet
        location: home
        fields:
          home: {type: place, levels: [street, community], doc: where it lives}
          born: {type: date, doc: its date of birth}
        places:
          home: {expr: pet.home, doc: where it lives}
          hukou: {expr: pet.home, doc: its owner's registration (here its home)}
          residence: {expr: pet.home, doc: its home}
    """
    op = "<" if day.startswith("9") else "<="  # both sides of the comparison can hold
    born = f'pet.born {op} date("{day}")'
    engine = jurisdiction.load(
        _policy(tmp_path, _question("vet", "pet", born, f"not ({born})"), pets)
    )
    (question,) = _clean_with_features(engine)["questions"]
    assert len(question["classes"]) == 2


def test_a_question_reads_another_questions_value(tmp_path: Path) -> None:
    rules = """
    questions:
      who:
        subject: resident
        title: {zh: 由谁负责, en: "Who is responsible?"}
        values: [adult, minor]
        rules:
          - id: who.adult
            cite: {article: 1, item: 1}
            value: adult
            when: adult
            answer:
              bodies:
                - {body: office, place: residence, level: street, role: responsible}
          - id: who.minor
            cite: {article: 1, item: 2}
            value: minor
            when: not adult
            answer:
              bodies:
                - {body: office, place: hukou, level: street, role: responsible}
      again:
        subject: resident
        title: {zh: 再问, en: "Who again?"}
        rules:
          - id: again.adult
            cite: {article: 1, item: 1}
            when: question.who == "adult"
            answer:
              bodies:
                - {body: office, place: residence, level: street, role: responsible}
          - id: again.minor
            cite: {article: 1, item: 2}
            when: question.who in ["minor"]
            answer:
              bodies:
                - {body: office, place: hukou, level: street, role: responsible}
    definitions:
      adult:
        subject: resident
        doc: an adult
        cite: {article: 1, item: 1}
        when: resident.age >= param.adult_age
    """
    root = compose(tmp_path / "policy")
    write(root, "rules.yaml", rules)
    engine = jurisdiction.load(root)
    for age in (17, 18, 40):
        first = engine.decide({**RESIDENT, "age": age}, "who")
        second = engine.decide({**RESIDENT, "age": age}, "again")
        assert first.bodies[0].place == second.bodies[0].place
    _clean_with_features(engine)


@pytest.mark.parametrize(
    ("when", "code", "says"),
    [
        ('question.whoo == "adult"', "unknown-fact", "no question `whoo`"),
        ('question.who == "adlt"', "unknown-value", "is not a value of `question.who`"),
        ("question.who", "type-mismatch", "compare it with one of its values"),
        ('question.again == "x"', "definition-cycle", "questions read each other"),
        ('at(resident.hukou, "distrct") == "120101"', "unknown-value", "the level is one of"),
        ("count(resident.hukou) > 1", "type-mismatch", "takes a list"),
        ('resident.hukou == "12010"', "type-mismatch", "a place code has"),
        ("resident.age + resident.sex > 1", "type-mismatch", "works on whole numbers"),
        ("resident.age - 1 >= param.adult_age", "type-mismatch", "delegated"),
    ],
)
def test_a_wrong_condition_is_a_located_error(
    tmp_path: Path, when: str, code: str, says: str
) -> None:
    rules = f"""
    questions:
      who:
        subject: resident
        title: {{zh: 由谁负责, en: "Who is responsible?"}}
        values: [adult]
        rules:
          - id: who.adult
            cite: {{article: 1, item: 1}}
            value: adult
            when: resident.age >= 18
            answer:
              bodies:
                - {{body: office, place: residence, level: street, role: responsible}}
      again:
        subject: resident
        title: {{zh: 再问, en: "Again?"}}
        rules:
          - id: again.x
            cite: {{article: 1, item: 1}}
            when: '{when}'
            answer:
              bodies:
                - {{body: office, place: residence, level: street, role: responsible}}
    """
    root = compose(tmp_path / "policy")
    write(root, "rules.yaml", rules)
    error = _load_error(root)
    found = [d for d in error.diagnostics if d.code == code]
    assert found, str(error)
    assert says in found[0].message
    assert found[0].location is not None
    assert found[0].location.file.endswith("rules.yaml")
    assert found[0].location.line == 20
