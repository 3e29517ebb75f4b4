"""The evaluation semantics: overrides, conflicts, gaps, order independence, thread safety."""

from __future__ import annotations

import dataclasses
import json
import random
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import jurisdiction
from jurisdiction import ConflictError, Decision, Engine

from policy_kit import base_policy, write

SEPARATED = {
    "kind": "resident",
    "hukou": "120101001",
    "residence": "120104002",
    "sex": "female",
    "age": 30,
}

AGE_RULES = """
questions:
  by_age:
    subject: resident
    title: {zh: 按年龄, en: by age}
    rules:
      - id: by_age.young
        cite: {article: 2, item: 4}
        when: resident.age < 40
        answer:
          bodies: [{body: fp_department, place: residence, level: street, role: responsible}]
      - id: by_age.old
        cite: {article: 3, item: 2}
        when: resident.age >= 40
        answer:
          bodies: [{body: fp_department, place: hukou, level: street, role: responsible}]
      - id: by_age.exactly_forty
        cite: {article: 3, item: 3}
        when: resident.age == 40
        {overrides}
        answer:
          bodies: [{body: fp_department, place: hukou, level: district, role: responsible}]
"""


def _engine(tmp_path: Path, rules: str) -> Engine:
    root = base_policy(tmp_path)
    write(root, "rules.yaml", rules)
    return jurisdiction.load(root)


def test_override_drops_the_overridden_rule(tmp_path: Path) -> None:
    engine = _engine(tmp_path, AGE_RULES.replace("{overrides}", "overrides: [by_age.old]"))
    d = engine.decide({**SEPARATED, "age": 40}, "by_age")
    assert d.rules_applied == ("by_age.exactly_forty",)
    assert d.rules_overridden == ("by_age.old",)
    assert set(d.rules_fired) == {"by_age.old", "by_age.exactly_forty"}
    assert d.bodies[0].level == "district"
    assert [str(c.cite) for c in d.citations] == ["(三)3"]


def test_two_holding_rules_with_different_answers_conflict(tmp_path: Path) -> None:
    engine = _engine(tmp_path, AGE_RULES.replace("{overrides}", ""))
    with pytest.raises(ConflictError) as info:
        engine.decide({**SEPARATED, "age": 40}, "by_age")
    message = str(info.value)
    assert "by_age.old" in message
    assert "by_age.exactly_forty" in message
    assert "(三)2" in message
    assert "(三)3" in message
    assert "rules.yaml:" in message  # located
    assert info.value.exit_code == 5


def test_no_holding_rule_is_an_explicit_no_rule_decision(tmp_path: Path) -> None:
    rules = AGE_RULES.replace("{overrides}", "").replace("resident.age >= 40", "resident.age > 40")
    rules = rules.replace("resident.age == 40", "false")
    engine = _engine(tmp_path, rules)
    d = engine.decide({**SEPARATED, "age": 40}, "by_age")
    assert d.outcome == "no_rule"
    assert d.bodies == ()
    assert d.citations == ()
    assert d.rules_applied == ()
    assert "no rule applies" in d.render("en")


def test_rule_order_never_changes_an_answer(tmp_path: Path) -> None:
    engine = _engine(tmp_path, AGE_RULES.replace("{overrides}", "overrides: [by_age.old]"))
    policy = engine.policy
    question = policy.questions["by_age"]
    rng = random.Random(7)
    for _ in range(10):
        rules = list(question.rules)
        rng.shuffle(rules)
        shuffled = dataclasses.replace(
            policy,
            questions={
                **policy.questions,
                "by_age": dataclasses.replace(question, rules=tuple(rules)),
            },
        )
        other = Engine(shuffled)
        for age in (20, 39, 40, 41):
            assert other.decide({**SEPARATED, "age": age}, "by_age") == engine.decide(
                {**SEPARATED, "age": age}, "by_age"
            )


def test_decision_round_trips_through_json() -> None:
    engine = jurisdiction.load()
    for question in engine.questions("resident"):
        d = engine.decide(SEPARATED, question)
        again = Decision.from_json(d.to_json())
        assert again == d
        assert Decision.from_dict(json.loads(d.to_json())) == d


def test_decision_carries_fingerprint_and_is_frozen() -> None:
    engine = jurisdiction.load()
    d = engine.decide(SEPARATED, "first_child_certificate")
    assert d.policy_fingerprint == engine.policy.fingerprint
    assert d.policy_fingerprint.startswith("sha256:")
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.outcome = "no_rule"  # type: ignore[misc]


def test_fingerprint_changes_with_the_policy(tmp_path: Path) -> None:
    a = _engine(tmp_path, AGE_RULES.replace("{overrides}", "overrides: [by_age.old]"))
    (tmp_path / "policy" / "rules.yaml").write_text(
        (tmp_path / "policy" / "rules.yaml").read_text().replace("< 40", "< 41")
    )
    b = jurisdiction.load(tmp_path / "policy")
    assert a.policy.fingerprint != b.policy.fingerprint


def test_render_in_both_languages() -> None:
    engine = jurisdiction.load()
    d = engine.decide(SEPARATED, "first_child_certificate", as_of="2012-06-01")
    zh, en = d.render("zh"), d.render("en")
    assert (
        "现居住地（街道 鼓楼街道(120104002)，层级为本政策的解读：参数 residence_fp_level）"
        "人口和计划生育部门" in zh
    )
    assert "第(二)条第五项" in zh
    assert "《一孩生育服务证》" in zh
    assert (
        "residence place (subdistrict 鼓楼街道 (120104002); the level is this policy's reading, "
        "parameter residence_fp_level)" in en
    )
    assert "article (二) item 5" in en


def test_rural_places_render_in_township_form() -> None:
    engine = jurisdiction.load()
    d = engine.decide({**SEPARATED, "residence": "120221101"}, "contraceptives")
    assert d.bodies[0].level_name.zh == "乡镇"


def test_one_engine_is_safe_to_share_across_threads() -> None:
    engine = jurisdiction.load()
    facts = [
        {**SEPARATED, "age": age, "sex": sex} for age in range(10, 60) for sex in ("female", "male")
    ]
    expected = [engine.decide(f, "management_principle") for f in facts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(5):
            got = list(pool.map(lambda f: engine.decide(f, "management_principle"), facts))
            assert got == expected


def test_unknown_question_suggests_the_nearest() -> None:
    engine = jurisdiction.load()
    with pytest.raises(jurisdiction.FactsError, match="first_child_certificate"):
        engine.decide(SEPARATED, "first_child_certificat")


def test_decide_all_answers_every_question_about_the_subject() -> None:
    engine = jurisdiction.load()
    answers = engine.decide_all(SEPARATED)
    assert set(answers) == set(engine.questions("resident"))
    assert all(d.subject == "resident" for d in answers.values())


def test_models_are_accepted_as_well_as_mappings() -> None:
    engine = jurisdiction.load()
    model = jurisdiction.Resident(
        hukou="120101001", residence="120104002", sex=jurisdiction.Sex.female, age=30
    )
    assert engine.decide(model, "contraceptives") == engine.decide(SEPARATED, "contraceptives")
