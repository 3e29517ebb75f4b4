"""A second, unrelated policy (examples/dog_licence) runs on the same engine with no Python of
its own; and the bundled policy grows an enum value or a field by YAML alone."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

import jurisdiction
from jurisdiction.analysis.certificate import certificate
from jurisdiction.analysis.check import Checker
from jurisdiction.cli.main import cli
from jurisdiction.engine.engine import Engine
from jurisdiction.policy.load import load_policy
from policy_files import bundled_copy, patch

ROOT = Path(__file__).resolve().parent.parent
DOGS = ROOT / "examples" / "dog_licence"
FACTS = sorted((DOGS.parent / "dog_licence_facts").glob("*.yaml"))
ENGINES = {
    "compiled": jurisdiction.load(DOGS),
    "durable": jurisdiction.load(DOGS, evaluator="durable"),  # the extra is installed in CI
}
_CLAIM = re.compile(r"^# (item|question|outcome|codes): (.+)$", re.MULTILINE)


def claims(path: Path) -> list[dict[str, str]]:
    """The `# question:` claims of a fact file, each with its `# outcome:` and `# codes:`; in a
    file holding a list of fact sets, `# item: N` says which one the claims below it are about."""
    out: list[dict[str, str]] = []
    item = "0"
    for key, value in _CLAIM.findall(path.read_text(encoding="utf-8")):
        if key == "item":
            item = value.strip()
        elif key == "question":
            out.append({"question": value.strip(), "item": item})
        else:
            out[-1][key] = value.strip()
    return out


def test_it_loads_with_its_own_vocabulary() -> None:
    engine = ENGINES["compiled"]
    assert engine.policy.name == "dog_licence"
    assert set(engine.policy.subjects) == {"owner", "dog", "application"}
    assert engine.policy.hierarchy.names == ("city", "region", "ward")
    assert set(engine.questions("application")) == {
        "licence_issuing",
        "licence_notification",
        "dangerous_dog_inspection",
        "annual_fee",
        "rabies_vaccination",
    }
    assert "illustrative" in engine.policy.title["en"]


def test_it_checks_clean() -> None:
    assert list(jurisdiction.check(DOGS)) == []
    result = CliRunner().invoke(cli, ["check", str(DOGS)])
    assert result.exit_code == 0, result.output
    assert "clean" in result.output


def test_the_certificate_has_classes() -> None:
    checker = Checker(Engine(load_policy(DOGS, strict=False)))
    findings = list(checker.all_findings())
    cert = certificate(checker, findings)
    assert cert["classes_decided"] > 0
    assert {q["question"] for q in cert["questions"]} >= {"licence_issuing", "annual_fee"}
    assert all(q["classes"] for q in cert["questions"])


def test_every_fact_file_says_what_it_answers_and_why() -> None:
    assert len(FACTS) >= 5
    covered = set()
    for path in FACTS:
        header = path.read_text(encoding="utf-8")
        assert "Answer" in header, path.name
        assert "Why:" in header, path.name
        stated = claims(path)
        assert stated, path.name
        covered |= {c["question"] for c in stated}
    assert covered == set(ENGINES["compiled"].questions())


@pytest.mark.parametrize("evaluator", sorted(ENGINES))
@pytest.mark.parametrize("path", FACTS, ids=[p.name for p in FACTS])
def test_each_fact_file_decides_as_its_comment_says(path: Path, evaluator: str) -> None:
    engine = ENGINES[evaluator]
    facts = yaml.safe_load(path.read_text(encoding="utf-8"))
    for claim in claims(path):
        fact_set = facts[int(claim["item"])] if isinstance(facts, list) else facts
        decision = engine.decide(fact_set, claim["question"])
        assert decision.outcome == claim["outcome"], (path.name, claim, decision.render("en"))
        if "codes" in claim:
            assert [b.place_code for b in decision.bodies] == claim["codes"].split(), claim


def test_the_region_overlay_is_named_in_the_decision() -> None:
    facts = yaml.safe_load(
        (DOGS.parent / "dog_licence_facts" / "fee_exemptions.yaml").read_text(encoding="utf-8")
    )
    decision = ENGINES["compiled"].decide(facts[2], "annual_fee")
    assert any("KS.yaml" in s for s in decision.sources)


@pytest.mark.parametrize("evaluator", sorted(ENGINES))
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_decide_renders_from_the_cli(evaluator: str, lang: str) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "decide",
            str(DOGS.parent / "dog_licence_facts" / "dangerous_breed.yaml"),
            "--policy",
            str(DOGS),
            "--evaluator",
            evaluator,
            "--lang",
            lang,
        ],
    )
    assert result.exit_code == 0, result.output
    if lang == "zh":
        assert "乡办事处" in result.output  # the rural form of the ward office
        assert "第(三)条" in result.output
    else:
        assert "rural ward office" in result.output
        assert "a person may not keep a dangerous-breed dog in an urban ward" in result.output


# --- growing the bundled policy by YAML alone ----------------------------------------------------

DIVISION_UNCLEAR = (
    "    division_unclear: {zh: 行政区划不清, en: the administrative division is unclear — (九)}\n"
)
FLOOD_ENUM = (
    DIVISION_UNCLEAR
    + """\
    flood_relocation: {zh: 洪灾搬迁安置, en: resettled after a flood}
"""
)
UNSPECIFIED_RULE = "      - id: blind_spot_management.cause_unspecified\n"
FLOOD_RULE = """\
      - id: blind_spot_management.flood_relocation
        cite: {article: 8}
        when: area.blind_spot_cause == "flood_relocation"
        answer:
          bodies:
            - {body: fp_department, place: locality, level: district, role: responsible}

      - id: blind_spot_management.cause_unspecified
"""
FLOOD_AREA: dict[str, Any] = {
    "kind": "area",
    "place": "120101002",
    "management_in_place": False,
    "blind_spot_cause": "flood_relocation",
}


def _add_flood_cause(policy: Path) -> None:
    patch(policy / "facts.yaml", DIVISION_UNCLEAR, FLOOD_ENUM)
    patch(policy / "chapter2.yaml", UNSPECIFIED_RULE, FLOOD_RULE)


def test_a_new_enum_value_and_its_rule_need_no_python(tmp_path: Path) -> None:
    policy = bundled_copy(tmp_path / "policy")
    _add_flood_cause(policy)
    engine = jurisdiction.load(policy)
    decision = engine.decide(FLOOD_AREA, "blind_spot_management")
    assert decision.outcome == "responsible"
    assert [b.place_code for b in decision.bodies] == ["120101"]
    assert decision.rules_applied == ("blind_spot_management.flood_relocation",)
    assert list(jurisdiction.check(policy)) == []


def test_a_new_enum_value_without_a_rule_is_a_gap_the_checker_shows(tmp_path: Path) -> None:
    policy = bundled_copy(tmp_path / "policy")
    patch(policy / "facts.yaml", DIVISION_UNCLEAR, FLOOD_ENUM)
    findings = list(jurisdiction.check(policy))
    assert {(f.code, f.question) for f in findings} == {("gap", "blind_spot_management")}
    assert all('"flood_relocation"' in f.message for f in findings)


def test_a_new_field_and_a_rule_reading_it_need_no_python(tmp_path: Path) -> None:
    policy = bundled_copy(tmp_path / "policy")
    patch(
        policy / "facts.yaml",
        "      staff: {type: int, min: 0, max: 10000000, doc: total staff (职工总数)}\n",
        "      staff: {type: int, min: 0, max: 10000000, doc: total staff (职工总数)}\n"
        "      foreign_invested:\n"
        "        type: bool\n"
        "        default: false\n"
        "        doc: a foreign-invested enterprise (an illustrative new fact)\n",
    )
    patch(
        policy / "chapter3.yaml",
        "      - id: unit_management.street_by_staff\n",
        "      - id: unit_management.district_foreign_invested\n"
        "        cite: {article: 10}\n"
        "        value: district\n"
        '        when: unit.category == "other_enterprise" and unit.foreign_invested\n'
        # a rule that moves a unit to another tier overrides the tier's rules and the readings
        # said beside them (issue 20.7), which give the tier's answer
        "        overrides: [unit_management.street_by_staff, unit_management.community,\n"
        "                    unit_management.enterprise_rank_ignored_street,\n"
        "                    unit_management.enterprise_rank_ignored_community]\n"
        "        answer:\n"
        "          bodies:\n"
        "            - {body: fp_department, place: location, level: district, role: responsible}\n"
        "\n"
        "      - id: unit_management.street_by_staff\n",
    )
    engine = jurisdiction.load(policy)
    unit = {"kind": "unit", "category": "other_enterprise", "staff": 20, "location": "120101002001"}
    before = engine.decide(unit, "unit_management")
    after = engine.decide({**unit, "foreign_invested": True}, "unit_management")
    assert [b.place_code for b in before.bodies] == ["120101002001"]
    assert [b.place_code for b in after.bodies] == ["120101"]
    assert after.rules_applied == ("unit_management.district_foreign_invested",)
    assert list(jurisdiction.check(policy)) == []
