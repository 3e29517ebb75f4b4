"""`jurisdiction check` over dates: never falsely clean (issue 18, item 6).

The fixture ``tests/time_policies/months_gap`` ties a months field to two dates through
``years_between`` and leaves a gap at exactly 24 months. The checker used to drop every class it
could not construct (those at 12 months and more) without a word, and so missed the gap and
called the settled rule unreachable. Now each class is either realised, proved impossible, or
reported as unverified (``check-incomplete``); and dates are realised under such constraints, so
the gap is found with a witness that ``decide`` confirms.
"""

from __future__ import annotations

import datetime
import json
import shutil
from pathlib import Path

from click.testing import CliRunner

import jurisdiction
from jurisdiction.analysis.check import Checker
from jurisdiction.analysis.cuts import target_uses, uses_of
from jurisdiction.analysis.over_time import TimeChecker, checker_for
from jurisdiction.analysis.partition import realiser_for
from jurisdiction.analysis.realise import Unrealised
from jurisdiction.cli.main import cli
from jurisdiction.policy.load import load_policy
from policy_files import FIXTURES, compose, patch

HERE = Path(__file__).resolve().parent
TIME_POLICIES = HERE / "time_policies"
MONTHS_GAP = TIME_POLICIES / "months_gap"
DOG_LICENCE = HERE.parent / "examples" / "dog_licence"


def _engine(root: Path) -> jurisdiction.Engine:
    return jurisdiction.Engine(load_policy(root, strict=False))


def test_a_gap_behind_a_date_constraint_is_found_with_a_witness() -> None:
    engine = _engine(MONTHS_GAP)
    findings = list(jurisdiction.check(engine))
    assert [f.code for f in findings] == ["gap"], [str(f) for f in findings]
    (gap,) = findings
    assert gap.question == "permit"
    facts = gap.witness_data()
    assert facts is not None
    assert facts["months"] == 24
    assert engine.decide(facts, "permit").outcome == "no_rule"


def test_dates_are_constructed_for_every_class_of_the_fixture() -> None:
    """Every class is realised (none unverified, none dropped): months tied to the dates
    (`permit`), a date literal (`permit_issuer`), and a feature computed from the dates
    (`settled`: years_between cut at 3, up to 150 years); each witness decides as its class."""
    engine = _engine(MONTHS_GAP)
    checker = Checker(engine)
    list(checker.all_findings())
    assert checker.classes_unverified == 0
    parts = {p.question.name: p for p in checker.partitions()}
    assert [len(parts[q].classes) for q in ("permit", "permit_issuer", "settled")] == [10, 4, 6]
    for part in parts.values():
        for cls in part.classes:
            assert cls.decision is not None
            decided = engine.decide(cls.facts, part.question.name)
            assert decided.outcome == cls.decision.outcome
            assert decided.rules_applied == cls.decision.rules_applied
    years = {
        cls.describe("applicant"): engine.policy.subjects["applicant"]
        .features["years_lived"]
        .get(cls.facts, engine.context)
        for cls in parts["settled"].classes
    }
    assert sorted(set(years.values())) == [0, 3, 4]


def test_a_class_the_realiser_cannot_construct_is_reported_not_dropped(tmp_path: Path) -> None:
    """Two whole numbers tied by arithmetic: the classes of 24 months and more are neither
    constructed nor proved impossible. They used to vanish (and `stay_office.long` was called
    unreachable); now the check is incomplete there, exits 8, and the certificate lists them."""
    root = compose(tmp_path / "policy", FIXTURES / "check-incomplete")
    findings = list(jurisdiction.check(_engine(root)))
    assert [f.code for f in findings] == ["check-incomplete"], [str(f) for f in findings]
    (finding,) = findings
    assert finding.severity == "error"
    assert finding.question == "stay_office"
    assert "2 of 3 classes" in finding.message
    assert "stay.months = 24" in finding.message
    assert "stay.months >= 12 * stay.years" in finding.message  # why: the constraint
    assert finding.witness is None

    cert = tmp_path / "cert.json"
    result = CliRunner().invoke(cli, ["check", str(root), "--certificate", str(cert)])
    assert result.exit_code == 8, result.output
    assert "INCOMPLETE" in result.output
    data = json.loads(cert.read_text(encoding="utf-8"))
    assert data["clean"] is False
    assert data["classes_unverified"] == 2
    (question,) = [q for q in data["questions"] if q["question"] == "stay_office"]
    assert question["classes_unverified"] == 2
    assert [u["when"] for u in question["unverified"]] == [
        {"stay.months": {"min": 24, "max": 24}},
        {"stay.months": {"min": 25, "max": 1200}},
    ]
    assert all("stay.years" in u["why"] for u in question["unverified"])
    (other,) = [q for q in data["questions"] if q["question"] == "who"]
    assert "unverified" not in other

    result = CliRunner().invoke(cli, ["check", str(root), "--format", "json"])
    assert result.exit_code == 8
    assert json.loads(result.output)["complete"] is False


def test_incomplete_and_other_findings_exit_1(tmp_path: Path) -> None:
    root = compose(tmp_path / "policy", FIXTURES / "check-incomplete", FIXTURES / "gap")
    result = CliRunner().invoke(cli, ["check", str(root)])
    codes = {line.split(": ")[1] for line in result.output.splitlines() if line.count(": ") >= 2}
    assert {"gap", "check-incomplete"} <= codes, result.output
    assert result.exit_code == 1


def test_impossible_is_said_only_where_proved() -> None:
    """A company's owner_age is 0 (it has no age): a company keeper of 65 is impossible, and
    the realiser proves it by exhausting complete domains; the whole-number field `licensed_dogs`
    is cut at 0, so a keeper with another dog is constructed (it used to be dropped)."""
    engine = _engine(DOG_LICENCE)
    subject = engine.policy.subjects["application"]
    realiser = realiser_for(engine)
    company = 'application.owner.kind == "company"'
    found = realiser.realise_class(subject, {company: True, "owner_age": range(65, 66)})
    assert isinstance(found, Unrealised)
    assert found.proved
    other_dogs = "application.owner.licensed_dogs == 0"
    found = realiser.realise_class(subject, {other_dogs: False})
    assert not isinstance(found, Unrealised)
    assert subject.features[other_dogs].get(found, engine.context) is False
    sites = realiser.realise_class(subject, {"sites": range(3, 101)})
    assert not isinstance(sites, Unrealised)
    assert subject.features["sites"].get(sites, engine.context) >= 3


def test_the_dog_licence_example_is_clean_with_every_class_accounted_for() -> None:
    engine = _engine(DOG_LICENCE)
    checker = Checker(engine)
    assert list(checker.all_findings()) == []
    assert checker.classes_unverified == 0
    parts = {p.question.name: p for p in checker.partitions()}
    # the keepers with another licensed dog, and the companies at three or more premises
    assert len(parts["annual_fee"].classes) == 64
    assert len(parts["licence_issuing"].classes) == 96
    for part in parts.values():
        for cls in part.classes:
            if cls.decision is not None:
                decided = engine.decide(cls.facts, part.question.name)
                assert decided.outcome == cls.decision.outcome


def test_a_count_beyond_the_first_lists_is_constructed_not_called_impossible(
    tmp_path: Path,
) -> None:
    """The first search tries lists of at most two places: a rule that asks for three premises
    (a derived boolean, no whole-number feature) must not be proved unreachable by it."""
    root = tmp_path / "dogs"
    shutil.copytree(DOG_LICENCE, root)
    patch(
        root / "chapter1.yaml",
        "when: company_keeper and application.sites >= param.company_multi_site_min",
        "when: company_keeper and count(application.owner.premises) >= 3",
    )
    engine = _engine(root)
    findings = list(jurisdiction.check(engine))
    # the literal 3 now stands where the parameter and the feature were read: all three warned
    assert [f.code for f in findings] == ["unused-parameter", "unused-feature", "bounds"], [
        str(f) for f in findings
    ]
    assert "`application.sites`" in findings[1].message
    assert "`>= 3`" in findings[2].message
    part = next(p for p in Checker(engine).partitions() if p.question.name == "licence_issuing")
    three = [
        c for c in part.classes if dict(c.values)["count(application.owner.premises) >= 3"] is True
    ]
    assert any("licence_issuing.company_multi_site" in cls.fired for cls in three)
    for cls in three:
        assert engine.decide(cls.facts, "licence_issuing").rules_applied == (
            cls.decision.rules_applied if cls.decision is not None else ()
        )


def test_the_cuts_of_each_field_are_read_from_the_expressions() -> None:
    """`analysis.cuts`: a field compared only with constants is cut at them (a complete domain);
    one compared with another field, in arithmetic or in `years_between`, is tied — with the
    functions that tie it and what it is compared with, which the realiser uses to construct
    values — and the amounts a function's value is compared with are kept."""
    engine = _engine(MONTHS_GAP)
    subject = engine.policy.subjects["applicant"]
    uses = uses_of(engine.policy.subjects, subject, engine.context)
    months, moved_in = uses.of("months"), uses.of("moved_in")
    assert months.tied
    assert months.partners  # 12 * years_between(...) and 12 * years_between(...) + 12
    assert moved_in.tied
    assert moved_in.functions == {"years_between"}
    assert any("years_between" in b for b in moved_in.by)
    target = target_uses(engine.policy.subjects, subject, engine.context, "months", range(25, 31))
    assert target.of("months").cuts == {25, 30}
    assert not target.of("months").tied
    literal = 'applicant.applied_on < date("2025-01-01")'
    target = target_uses(engine.policy.subjects, subject, engine.context, literal, True)
    assert target.of("applied_on").cuts == {datetime.date(2025, 1, 1)}
    assert not target.of("applied_on").tied
    years = target_uses(engine.policy.subjects, subject, engine.context, "years_lived", 3)
    assert years.amounts == {3}
    assert years.of("applied_on").functions == {"years_between"}


AS_OF_WINDOW = TIME_POLICIES / "as_of_window"


def test_a_condition_reading_as_of_is_never_falsely_clean() -> None:
    """`moved_in > add_months(as_of, -6)` and `moved_in <= date("2020-06-01")` meet exactly on
    the stretch's first day (2020-12-01), where the check decides it: every class there is
    constructed (`add_months(as_of, -6)` is a cut of `moved_in` on that day) and none falls in a
    gap. On a later day of the same stretch a gap opens, which `decide` meets. The check says
    it is incomplete there (exit 8), never clean."""
    engine = _engine(AS_OF_WINDOW)
    checker = checker_for(engine)
    findings = list(checker.all_findings())
    assert [(f.code, f.rules) for f in findings] == [
        ("check-incomplete", ("registration.recent",))
    ], [str(f) for f in findings]
    (finding,) = findings
    assert "reads `as_of`" in finding.message
    assert "as of 2020-12-01 only" in finding.message
    assert finding.period == ("2020-12-01", None)
    # the first day itself: every class constructed, none in a gap
    assert isinstance(checker, TimeChecker)
    assert [c.classes_unverified for _s, _e, c in checker.stretches] == [0, 0]

    facts = {"kind": "arrival", "home": "KNA1", "moved_in": "2020-09-01"}
    assert engine.decide(facts, "registration", as_of="2020-12-01").outcome == "responsible"
    assert engine.decide(facts, "registration", as_of="2021-06-01").outcome == "no_rule"

    result = CliRunner().invoke(cli, ["check", str(AS_OF_WINDOW)])
    assert result.exit_code == 8, result.output
    assert "INCOMPLETE" in result.output


def test_a_policy_reading_as_of_but_dating_nothing_is_checked_as_of_a_day(tmp_path: Path) -> None:
    """Without any period the check used to stop at the first case (`as_of` has no value when
    no day is given, exit 4); it decides as of today and says it is incomplete for other days."""
    root = tmp_path / "undated"
    shutil.copytree(AS_OF_WINDOW, root)
    patch(root / "rules.yaml", '    in_force: {from: "2020-12-01"}\n', "")
    result = CliRunner().invoke(cli, ["check", str(root)])
    assert result.exit_code in (1, 8), result.output
    assert f"as of {datetime.date.today().isoformat()} only" in result.output
