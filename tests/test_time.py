"""Time: every decision is made as of a day, and what is in force that day decides.

The format (periods of force, dated parameter values, amendments) on a tiny policy built here;
the bundled policy's later law (policies/amendments.yaml) through the command line, as a
caseworker meets it; the checker and the timeline over time.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import jurisdiction
from jurisdiction.cli.main import cli
from jurisdiction.policy.dated import policy_on
from policy_files import compose, patch

ROOT = Path(__file__).resolve().parent.parent
SEPARATED = ROOT / "examples" / "separated_resident.yaml"
DOGS = ROOT / "examples" / "dog_licence"
ADULT = {
    "kind": "resident",
    "hukou": "120101001",
    "residence": "120104002",
    "sex": "female",
    "age": 30,
}
YOUNG = {**ADULT, "age": 19}

_OUTCOME = "    not_in_force: {zh: 已不再施行, en: no longer in force}\n"

_DATED = """
parameters:
  senior_age:
    type: int
    value: 60
    bound: inclusive
    doc: the age from which a resident is a senior
    cite: {article: 1, item: 1}
    values:
      - {from: "2020-01-01", value: 65}
questions:
  senior:
    subject: resident
    title: {zh: 老年人由谁负责, en: "Who is responsible for seniors?"}
    always_answers: false
    rules:
      - id: senior.residence
        cite: {article: 1, item: 1}
        when: resident.age >= param.senior_age
        answer:
          bodies:
            - {body: office, place: residence, level: street, role: responsible}
  pilot:
    subject: resident
    title: {zh: 试点由谁负责, en: "Who runs the pilot?"}
    in_force: {from: "2018-01-01", until: "2019-01-01"}
    rules:
      - id: pilot.residence
        cite: {article: 1, item: 1}
        answer:
          bodies:
            - {body: office, place: residence, level: street, role: responsible}
amendments:
  - id: adults_act
    title: {zh: 成年人条例, en: The adults act}
    adopted: "2021-12-01"
    in_force: "2022-01-01"
    certainty: certain
    source: an official gazette
    summary: {zh: 成年人改由户籍地负责, en: adults are the hukou place's}
    effects:
      - ends: {rule: who.adult}
  - id: minors_act
    title: {zh: 未成年人条例, en: The minors act}
    in_force: "2023-01-01"
    certainty: certain
    source: an official gazette
    summary: {zh: 删除第二项, en: item 2 deleted}
    effects:
      - ends: {item: {article: 1, item: 2}}
        replaced_by: {zh: 监护人负责, en: the guardian}
  - id: rename_act
    title: {zh: 机构改革, en: The reform}
    in_force: "2019"
    certainty: uncertain
    source: a press report
    summary: {zh: 办公室或已改名, en: the office may have been renamed}
    effects:
      - caution: {zh: 办公室或已改名, en: the office may have been renamed}
        questions: [who]
"""


@pytest.fixture(scope="module")
def dated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = compose(tmp_path_factory.mktemp("dated"))
    patch(
        root / "policy.yaml",
        "    no_rule: {zh: 无适用规则, en: no rule applies}\n",
        "    no_rule: {zh: 无适用规则, en: no rule applies}\n" + _OUTCOME,
    )
    (root / "time.yaml").write_text(_DATED, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def engine(dated: Path) -> jurisdiction.Engine:
    return jurisdiction.load(dated)


# --- the format -----------------------------------------------------------------------------------


def test_a_dated_parameter_value_decides_from_its_day(engine: jurisdiction.Engine) -> None:
    sixty_two = {**ADULT, "age": 62}
    assert engine.decide(sixty_two, "senior", as_of="2019-12-31").outcome == "responsible"
    assert engine.decide(sixty_two, "senior", as_of="2020-01-01").outcome == "no_rule"
    assert engine.at("2020-01-01").policy.parameters["senior_age"].value == 65


def test_a_question_is_in_force_only_in_its_period(engine: jurisdiction.Engine) -> None:
    assert engine.decide(ADULT, "pilot", as_of="2017-12-31").outcome == "not_in_force"
    inside = engine.decide(ADULT, "pilot", as_of="2018-06-01")
    assert inside.outcome == "responsible"
    after = engine.decide(ADULT, "pilot", as_of="2019-01-01")  # `until` is the first day out
    assert after.outcome == "not_in_force"
    assert after.reason is not None
    assert "from 2018-01-01 until 2019-01-01" in after.reason.en


def test_an_amendment_ends_a_rule_and_then_an_item(engine: jurisdiction.Engine) -> None:
    before = engine.decide(ADULT, "who", as_of="2021-12-31")
    assert before.rules_applied == ("who.adult",)
    assert [i.id for i in before.instruments] == ["rename_act"]  # the caution from 2019
    # the adults act ends who.adult: the adult has no rule left
    assert engine.decide(ADULT, "who", as_of="2022-01-01").outcome == "no_rule"
    assert engine.decide(YOUNG | {"age": 10}, "who", as_of="2022-06-01").outcome == "responsible"
    # the minors act ends item 2, the last rule naming bodies: the question is not in force
    ended = engine.decide(YOUNG | {"age": 10}, "who", as_of="2023-01-01")
    assert ended.outcome == "not_in_force"
    assert ended.bodies == ()
    assert ended.reason is not None
    assert "The minors act, in force from 2023-01-01" in ended.reason.en
    assert "replaced by: the guardian" in ended.reason.en
    # both instruments that ended its rules are named, and the caution stands
    assert [i.id for i in ended.instruments] == ["adults_act", "minors_act", "rename_act"]
    minors = ended.instruments[1]
    assert (minors.in_force, minors.certainty, minors.summary) == ("2023-01-01", "certain", True)


def test_the_day_is_given_or_from_the_facts_or_today() -> None:
    dogs = jurisdiction.load(DOGS)
    application = {
        "kind": "application",
        "owner": {"kind": "person", "age": 62},
        "dog": {"breed_class": "ordinary"},
        "kept_at": "KNA1",
        "applied_on": "2025-04-01",
    }
    from_facts = dogs.decide(application, "annual_fee")
    assert (from_facts.as_of, from_facts.as_of_source) == ("2025-04-01", "facts")
    assert from_facts.outcome == "responsible"  # 62 < 65: the fee is collected
    given = dogs.decide(application, "annual_fee", as_of=datetime.date(2026, 1, 1))
    assert (given.as_of, given.as_of_source) == ("2026-01-01", "given")
    assert given.outcome == "not_applicable"  # from 2026 the exemption starts at 60
    today = jurisdiction.load().decide(
        {"kind": "district", "code": "120104"}, "target_responsibility"
    )
    assert (today.as_of, today.as_of_source) == (datetime.date.today().isoformat(), "today")


def test_a_bad_day_is_a_facts_error(engine: jurisdiction.Engine) -> None:
    with pytest.raises(jurisdiction.FactsError, match="as_of must be a date"):
        engine.decide(ADULT, "who", as_of="31/12/2020")


def test_a_decision_keeps_its_day_through_json(engine: jurisdiction.Engine) -> None:
    decision = engine.decide(YOUNG | {"age": 10}, "who", as_of="2023-01-01")
    back = jurisdiction.Decision.from_json(decision.to_json())
    assert back == decision
    data = decision.to_dict()
    assert data["as_of"] == "2023-01-01"
    assert data["as_of_source"] == "given"
    assert data["instruments"][1]["id"] == "minors_act"
    # a decision written before dates existed still reads back
    for key in ("as_of", "as_of_source", "provenance", "instruments"):
        data.pop(key)
    assert jurisdiction.Decision.from_dict(data).as_of is None


def test_the_policy_on_a_day_has_nothing_dated(dated: Path) -> None:
    policy = jurisdiction.load_policy(dated)
    assert policy.dating is not None
    assert [d.isoformat() for d in policy.dating.breaks] == [
        "2018-01-01",
        "2019-01-01",
        "2020-01-01",
        "2022-01-01",
        "2023-01-01",
    ]
    on = policy_on(policy, datetime.date(2022, 1, 1))
    assert on.dating is None
    assert [r.id for r in on.questions["who"].rules] == ["who.minor"]


# --- checking and listing over time ------------------------------------------------------------


def test_check_reports_each_finding_with_the_period_it_holds_in(dated: Path) -> None:
    findings = [f for f in jurisdiction.check(dated) if f.code == "gap"]
    # who.adult ends on 2022-01-01: adults have no rule until the minors act ends the question
    gap = next(f for f in findings if f.question == "who")
    assert gap.period == ("2022-01-01", "2023-01-01")
    assert "[from 2022-01-01 until 2023-01-01]" in str(gap)
    assert gap.day() == "2022-01-01"
    assert gap.witness_data() is not None
    engine = jurisdiction.load(dated)
    assert engine.decide(gap.witness_data() or {}, "who", as_of=gap.day()).outcome == "no_rule"
    result = CliRunner().invoke(cli, ["check", str(dated), "--certificate", "/dev/null"])
    assert result.exit_code == 1
    assert "(decide --as-of 2022-01-01)" in result.output


def test_the_certificate_gives_each_later_period_its_questions(dated: Path, tmp_path: Path) -> None:
    out = tmp_path / "cert.json"
    CliRunner().invoke(cli, ["check", str(dated), "--certificate", str(out)])
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["until"] == "2018-01-01"
    later = {
        (p["from"], p["until"]): [q["question"] for q in p["questions"]] for p in data["later"]
    }
    assert later[("2022-01-01", "2023-01-01")] == ["who"]
    assert later[("2020-01-01", "2022-01-01")] == ["senior"]


def test_the_timeline_lists_the_days_answers_change(dated: Path) -> None:
    result = CliRunner().invoke(cli, ["timeline", str(dated), "--format", "json"])
    assert result.exit_code == 0, result.output
    days = {d["day"]: d for d in json.loads(result.output)["days"]}
    assert set(days) == {"2018-01-01", "2019-01-01", "2020-01-01", "2022-01-01", "2023-01-01"}
    assert days["2019-01-01"]["answers_change"]  # the pilot ends (a caution starts too)
    assert days["2022-01-01"]["instruments"][0]["id"] == "adults_act"
    changed = {q["question"] for q in days["2020-01-01"]["questions"]}
    assert changed == {"senior"}
    (senior,) = days["2020-01-01"]["questions"]
    (change,) = senior["changes"]
    assert change["old"]["answer"].startswith("responsible")
    assert change["new"]["answer"].startswith("no_rule")


def test_diff_compares_one_policy_on_two_days(dated: Path) -> None:
    runner = CliRunner()
    same = runner.invoke(cli, ["diff", str(dated), "--at", "2020-06-01", "--at", "2021-06-01"])
    assert same.exit_code == 0, same.output
    moved = runner.invoke(cli, ["diff", str(dated), "--at", "2021-12-31", "--at", "2022-01-01"])
    assert moved.exit_code == 1
    assert "who [resident]" in moved.output
    usage = runner.invoke(cli, ["diff", str(dated), "--at", "2021-12-31"])
    assert usage.exit_code == 2


# --- the bundled policy, as a caseworker meets it ------------------------------------------------


def _decide(*args: str) -> str:
    result = CliRunner().invoke(cli, ["decide", str(SEPARATED), *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_fee_as_the_text_stood_and_after_2021() -> None:
    then = _decide("-q", "social_maintenance_fee", "--as-of", "2010-06-01")
    assert "district/county 和平区 (120101)" in then
    assert "As of: 2010-06-01 (given)" in then
    assert "The text names no issuer, document number, date or city" in then
    now = _decide("-q", "social_maintenance_fee", "--as-of", "2022-01-01")
    assert "Outcome: no longer in force" in now
    assert "in force from 2021-08-20, ended this duty" in now
    assert "district/county 和平区 (120101)" not in now
    zh = _decide("-q", "social_maintenance_fee", "--as-of", "2022-01-01", "--lang", "zh")
    assert "结论：已不再施行" in zh
    assert "决定日期：2022-01-01（由调用方指定）" in zh
    today = _decide("-q", "social_maintenance_fee")
    assert f"As of: {datetime.date.today().isoformat()} (today)" in today


def test_the_second_child_approval_names_the_2016_change() -> None:
    out = _decide("-q", "second_child_approval", "--as-of", "2017-01-01", "--format", "json")
    (decision,) = json.loads(out)
    assert decision["outcome"] == "not_in_force"
    assert "2016-01-01" in decision["reason"]["en"]
    assert "birth registration" in decision["reason"]["en"]
    assert [i["id"] for i in decision["instruments"]] == ["pfpl_amendment_2015"]


def test_the_bundled_policy_changes_on_the_days_later_law_took_effect() -> None:
    policy = jurisdiction.load().policy
    assert policy.dating is not None
    breaks = {d.isoformat() for d in policy.dating.breaks}
    assert {"2016-01-01", "2021-08-20"} <= breaks
    # only certain changes with a known day change an answer: the others are cautions
    for day in sorted(policy.dating.breaks):
        changed = {
            name
            for name, q in policy_on(policy, day).questions.items()
            if q != policy_on(policy, day - datetime.timedelta(days=1)).questions[name]
        }
        expected = {
            "2016-01-01": {"first_child_certificate", "second_child_approval"},
            "2021-08-20": {"social_maintenance_fee"},
        }.get(day.isoformat(), set())
        assert changed == expected, day


def test_explain_and_batch_take_the_day() -> None:
    explained = CliRunner().invoke(
        cli,
        ["explain", str(SEPARATED), "-q", "social_maintenance_fee", "--as-of", "2022-01-01"],
    )
    assert explained.exit_code == 0, explained.output
    assert "no longer in force" in explained.output
    pa = pytest.importorskip("pyarrow")
    pytest.importorskip("duckdb")
    table = pa.Table.from_pylist(
        [
            {
                "kind": "resident",
                "hukou": "120101001",
                "residence": "120104002",
                "sex": "female",
                "age": 31,
            }
        ]
    )
    engine = jurisdiction.load()
    then = engine.decide_table(table, "social_maintenance_fee", as_of="2010-06-01")
    now = engine.decide_table(table, "social_maintenance_fee", as_of="2022-01-01")
    assert then.column("outcome").to_pylist() == ["responsible"]
    assert now.column("outcome").to_pylist() == ["not_in_force"]


_READS_AS_OF = """
questions:
  renewal:
    subject: resident
    title: {zh: 续期由谁办理, en: "Who renews?"}
    rules:
      - id: renewal.residence
        cite: {article: 1, item: 1}
        when: as_of >= date("2020-01-01")
        answer:
          bodies:
            - {body: office, place: residence, level: street, role: responsible}
      - id: renewal.hukou
        cite: {article: 1, item: 2}
        when: as_of < date("2020-01-01")
        answer:
          bodies:
            - {body: office, place: hukou, level: street, role: responsible}
"""


def test_a_condition_reads_the_day_of_the_decision(tmp_path: Path) -> None:
    root = compose(tmp_path / "p")
    (root / "renewal.yaml").write_text(_READS_AS_OF, encoding="utf-8")
    engine = jurisdiction.load(root)
    before = engine.decide(ADULT, "renewal", as_of="2019-12-31")
    after = engine.decide(ADULT, "renewal", as_of="2020-01-01")
    assert before.rules_applied == ("renewal.hukou",)
    assert after.rules_applied == ("renewal.residence",)
    # an engine for a day decides as of that day, in a batch too
    assert engine.at("2019-12-31").decide(ADULT, "renewal").rules_applied == ("renewal.hukou",)
    pa = pytest.importorskip("pyarrow")
    pytest.importorskip("duckdb")
    table = pa.Table.from_pylist([ADULT])
    for day, rule_place in (("2019-12-31", "120101001"), ("2020-01-01", "120104002")):
        out = engine.decide_table(table, "renewal", as_of=day)
        assert out.column("body_place_code").to_pylist() == [rule_place]


def test_a_gap_in_months_between_two_dates_is_found_with_a_witness(tmp_path: Path) -> None:
    """The issue's residence-permit trial: months counted from the day moved in to the day
    applied (``months_between``), a deliberate gap at 24 months — never clean."""
    import shutil

    root = tmp_path / "months"
    shutil.copytree(ROOT / "tests" / "time_policies" / "months_gap", root)
    dates = "(applicant.moved_in, applicant.applied_on)"
    patch(
        root / "facts.yaml",
        f"          applicant.months >= 12 * years_between{dates}\n"
        f"          and applicant.months < 12 * years_between{dates} + 12\n",
        f"          applicant.months == months_between{dates}\n",
    )
    findings = list(jurisdiction.check(root))
    (gap,) = [f for f in findings if f.code == "gap"]
    facts = gap.witness_data()
    assert facts is not None
    assert facts["months"] == 24
    engine = jurisdiction.load(root)
    assert engine.decide(facts, gap.question or "").outcome == "no_rule"
    result = CliRunner().invoke(cli, ["check", str(root)])
    assert result.exit_code == 1
