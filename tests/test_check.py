"""`jurisdiction.check`: exact findings with witnesses that `decide` confirms."""

from __future__ import annotations

import inspect
import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import jurisdiction
from jurisdiction.analysis.check import Checker
from jurisdiction.analysis.partition import DecidedClass, QuestionPartition, partition, realiser_for
from jurisdiction.cli.main import cli
from jurisdiction.policy.load import load_policy
from policy_files import FIXTURES, bundled_copy, compose, line_of, patch
from test_policy_errors import confirm_witness

TIERS = FIXTURES / "_tiers"
RESOLUTION = "        overrides: [tier.adult]\n"

EXAMPLE_OVERLAYS = Path(__file__).resolve().parent.parent / "examples" / "overlays"


def _engine(root: Path) -> jurisdiction.Engine:
    return jurisdiction.Engine(load_policy(root, strict=False))


# --- the bundled policy ---------------------------------------------------------------------------


def test_the_bundled_policy_has_no_overlap_gap_or_lint() -> None:
    """Clean, except articles of chapters that no rule encodes yet (chapters 2-5 arrive with the
    unit and area subjects); once every chapter has rules, this asserts a clean check."""
    engine = jurisdiction.load()
    policy = engine.policy
    findings = list(jurisdiction.check(engine))
    encoded_chapters = {
        policy.articles[c.article].chapter
        for q in policy.questions.values()
        for r in q.rules
        for c in r.cites
    }
    for f in findings:
        assert f.code == "uncited-article", str(f)
        (cite,) = f.articles
        assert policy.articles[cite.article].chapter not in encoded_chapters, str(f)


def test_every_witness_of_a_patched_bundled_policy_is_confirmed(tmp_path: Path) -> None:
    root = bundled_copy(tmp_path / "p")
    # a man whose wife's hukou place is known is now also "unknown": two answers
    patch(
        root / "chapter1.yaml",
        "when: not resident.woman_hukou_known",
        'when: resident.sex == "male"',
    )
    # a dispute where both sides reported is no longer ruled on by the city: no answer
    patch(
        root / "chapter1.yaml",
        "          or birth_case.attribution_disputed\n",
        "",
    )
    engine = _engine(root)
    findings = [f for f in jurisdiction.check(engine) if f.code != "uncited-article"]
    # (the wife's hukou place in the city, or outside it: both rules now meet "unknown")
    assert [(f.code, f.question) for f in findings] == [
        ("overlap", "second_child_approval"),
        ("overlap", "second_child_approval"),
        ("gap", "out_of_policy_birth_assessment"),
    ]
    outside, overlap, gap = findings
    assert overlap.rules == (
        "second_child_approval.woman_hukou",
        "second_child_approval.woman_unknown",
    )
    assert outside.rules == (
        "second_child_approval.woman_hukou_outside_city",
        "second_child_approval.woman_unknown",
    )
    assert overlap.location is not None
    assert overlap.location.line == line_of(
        root / "chapter1.yaml", "- id: second_child_approval.woman_hukou"
    )
    witness = overlap.witness_data()
    assert witness is not None
    assert (witness["sex"], witness["spouse_sex"]) == ("male", "female")
    gap_facts = gap.witness_data()
    assert gap_facts is not None
    assert gap_facts["attribution_disputed"] is True
    assert gap_facts["hukou_reported"] is gap_facts["residence_reported"] is True
    for finding in findings:
        confirm_witness(engine, finding)


# --- the 1000-staff case, over a stand-in tier policy ---------------------------------------------


def test_the_tiers_stand_in_checks_clean(tmp_path: Path) -> None:
    root = compose(tmp_path / "p", TIERS)
    assert list(jurisdiction.check(root)) == []
    decision = jurisdiction.load(root).decide(
        {
            "kind": "resident",
            "hukou": "120101001",
            "residence": "120101002",
            "sex": "male",
            "age": 60,
        },
        "tier",
    )
    assert decision.rules_applied == ("tier.senior",)
    assert decision.rules_overridden == ("tier.adult",)


def test_deleting_the_resolution_gives_one_overlap_at_exactly_the_threshold(tmp_path: Path) -> None:
    root = compose(tmp_path / "p", TIERS)
    patch(root / "rules.yaml", RESOLUTION, "")
    engine = _engine(root)
    (finding,) = jurisdiction.check(engine)
    assert finding.code == "overlap"
    assert finding.severity == "error"
    assert finding.location == jurisdiction.Location(
        str(root / "rules.yaml"), line_of(root / "rules.yaml", "- id: tier.senior"), 9
    )
    assert finding.rules == ("tier.senior", "tier.adult")
    assert [str(c) for c in finding.articles] == ["(一)1"]
    witness = finding.witness_data()
    assert witness is not None
    assert witness["age"] == 60
    assert "resident.age = 60" in finding.message
    confirm_witness(engine, finding)


def test_the_cli_prints_the_overlap_and_its_witness_and_fails(tmp_path: Path) -> None:
    root = compose(tmp_path / "p", TIERS)
    patch(root / "rules.yaml", RESOLUTION, "")
    result = CliRunner().invoke(cli, ["check", str(root)])
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    line = line_of(root / "rules.yaml", "- id: tier.senior")
    assert lines[0].startswith(f"{root / 'rules.yaml'}:{line}:9: overlap: question `tier`: ")
    assert lines[1].startswith("  witness: ")
    witness = json.loads(lines[1].removeprefix("  witness: "))
    assert witness["age"] == 60
    assert jurisdiction.load(
        root,
    ).question("tier")  # the witness is a fact set decide accepts
    with pytest.raises(jurisdiction.ConflictError):
        _engine(root).decide(witness, "tier")
    assert len(lines) == 2
    assert "1 finding (1 error, 0 warnings)" in result.stderr


def test_the_cli_exits_0_on_a_clean_policy(tmp_path: Path) -> None:
    root = compose(tmp_path / "p", TIERS)
    result = CliRunner().invoke(cli, ["check", str(root)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("clean: no findings; ")


def test_the_cli_exits_3_when_the_policy_does_not_load(tmp_path: Path) -> None:
    root = compose(tmp_path / "p", FIXTURES / "unknown-fact")
    result = CliRunner().invoke(cli, ["check", str(root)])
    assert result.exit_code == 3
    assert "unknown-fact" in result.stderr


def test_the_cli_json_format(tmp_path: Path) -> None:
    root = compose(tmp_path / "p", FIXTURES / "gap")
    result = CliRunner().invoke(cli, ["check", str(root), "--format", "json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    (finding,) = report["findings"]
    assert finding["code"] == "gap"
    assert finding["location"] == {"file": str(root / "rules.yaml"), "line": 10, "column": 3}
    assert finding["witness"]["age"] == 17
    assert report["fingerprint"] == load_policy(root).fingerprint
    assert report["classes_decided"] == 5


# --- the certificate ------------------------------------------------------------------------------


def test_the_certificate_lists_every_class_with_its_answer(tmp_path: Path) -> None:
    root = compose(tmp_path / "p", TIERS)
    out = tmp_path / "cert.json"
    result = CliRunner().invoke(cli, ["check", str(root), "--certificate", str(out)])
    assert result.exit_code == 0, result.output
    cert = json.loads(out.read_text(encoding="utf-8"))
    policy = load_policy(root)
    assert cert["policy"]["fingerprint"] == policy.fingerprint
    assert cert["clean"] is True
    (question,) = cert["questions"]
    assert question["features"] == {
        "resident.age": {
            "type": "int",
            "values": [
                {"min": 0, "max": 17},
                {"min": 18, "max": 18},
                {"min": 19, "max": 59},
                {"min": 60, "max": 60},
                {"min": 61, "max": 150},
            ],
            "range": {"min": 0, "max": 150},
            "thresholds": [18, 60],
        }
    }
    answers = {
        json.dumps(c["when"]["resident.age"], sort_keys=True): (
            c["rules_applied"],
            c["articles"],
            [(b["place"], b["level"]) for b in c["bodies"]],
        )
        for c in question["classes"]
    }
    assert answers == {
        '{"max": 17, "min": 0}': (["tier.minor"], ["(一)2"], [("hukou", "street")]),
        '{"max": 18, "min": 18}': (["tier.adult"], ["(一)1"], [("residence", "street")]),
        '{"max": 59, "min": 19}': (["tier.adult"], ["(一)1"], [("residence", "street")]),
        '{"max": 60, "min": 60}': (["tier.senior"], ["(一)1"], [("residence", "district")]),
        '{"max": 150, "min": 61}': (["tier.senior"], ["(一)1"], [("residence", "district")]),
    }
    at_60 = next(c for c in question["classes"] if c["when"]["resident.age"]["min"] == 60)
    assert at_60["rules_overridden"] == ["tier.adult"]
    again = tmp_path / "again.json"
    CliRunner().invoke(cli, ["check", str(root), "--certificate", str(again)])
    assert again.read_bytes() == out.read_bytes(), "a certificate is deterministic"


def test_a_certificate_records_conflicts(tmp_path: Path) -> None:
    root = compose(tmp_path / "p", FIXTURES / "overlap")
    out = tmp_path / "cert.json"
    assert CliRunner().invoke(cli, ["check", str(root), "--certificate", str(out)]).exit_code == 1
    cert = json.loads(out.read_text(encoding="utf-8"))
    assert cert["clean"] is False
    outcomes = {
        json.dumps(c["when"]["resident.age"]): c["outcome"] for c in cert["questions"][0]["classes"]
    }
    assert outcomes['{"min": 18, "max": 18}'] == "conflict"
    assert sorted(set(outcomes.values())) == ["conflict", "responsible"]


def test_a_certificate_records_answers_that_fail_for_some_facts_of_a_class(tmp_path: Path) -> None:
    root = compose(tmp_path / "p", FIXTURES / "answer-place")
    out = tmp_path / "cert.json"
    assert CliRunner().invoke(cli, ["check", str(root), "--certificate", str(out)]).exit_code == 1
    (question,) = json.loads(out.read_text(encoding="utf-8"))["questions"]
    failing = [c for c in question["classes"] if "fails_for" in c]
    assert [c["rules_applied"] for c in failing] == [["who.adult"], ["who.adult"]]
    for c in failing:
        assert c["fails_for"]["witness"]["sex"] == "male"
        assert "woman_hukou" in c["fails_for"]["error"]


def test_a_community_level_answer_for_street_codes_cannot_be_given(tmp_path: Path) -> None:
    root = compose(tmp_path / "p")
    patch(
        root / "rules.yaml",
        "place: residence, level: street",
        "place: residence, level: community",
    )
    engine = _engine(root)
    (finding,) = jurisdiction.check(engine)
    assert finding.code == "answer-place"
    assert "names the community of the residence place" in finding.message
    confirm_witness(engine, finding)
    out = tmp_path / "cert.json"
    CliRunner().invoke(cli, ["check", str(root), "--certificate", str(out)])
    (question,) = json.loads(out.read_text(encoding="utf-8"))["questions"]
    outcomes = sorted({(c["outcome"], tuple(c["rules_applied"])) for c in question["classes"]})
    assert outcomes == [("error", ("who.adult",)), ("responsible", ("who.minor",))]


# --- exactness and laziness -----------------------------------------------------------------------


def _is_interval(v: object) -> bool:
    return not isinstance(v, bool | str)


class _Classes:
    """The classes of a partition, found by the values of a fact set's features: indexed by
    their boolean and enum values, then searched by their intervals."""

    def __init__(self, part: QuestionPartition, engine: jurisdiction.Engine) -> None:
        self.engine, self.names = engine, [s.feature for s in part.splits]
        self.subject = engine.subjects[part.question.subject]
        self.index: dict[tuple[tuple[str, object], ...], list[DecidedClass]] = {}
        for cls in part.classes:
            key = tuple(sorted((n, v) for n, v in cls.values if not _is_interval(v)))
            self.index.setdefault(key, []).append(cls)
        self.shapes = {tuple(n for n, _v in key) for key in self.index}  # the non-interval names

    def of(self, facts: object) -> DecidedClass:
        features = self.subject.features
        values = {n: features[n].get(facts, self.engine.context) for n in self.names}
        for shape in self.shapes:  # a dictionary lookup, not a scan of every class
            for cls in self.index.get(tuple((n, values[n]) for n in shape), []):
                if all(
                    v.low <= values[name] <= v.high for name, v in cls.values if _is_interval(v)
                ):
                    return cls
        raise AssertionError(f"no class holds {facts}")


def _ages(part: QuestionPartition) -> list[int]:
    """Every age under JURISDICTION_FULL=1; by default the ends of every interval the classes
    split whole numbers at and one either side (ages between two ends fall in the same classes),
    so that the README's test command keeps within its budget on 2 cores."""
    if os.environ.get("JURISDICTION_FULL"):
        return list(range(151))
    ends = {0, 150}
    for cls in part.classes:
        for _name, v in cls.values:
            if _is_interval(v):
                ends |= {e + d for e in (v.low, v.high) for d in (-1, 0, 1)}
    return sorted(a for a in ends if 0 <= a <= 150)


@pytest.mark.parametrize("question", ["first_child_certificate", "second_child_approval"])
def test_every_fact_set_decides_as_its_class(question: str) -> None:
    """Exhaustively over every class's witness and every age: the class's decision is the
    decision."""
    engine = jurisdiction.load().at("2012-06-01")  # the text as written (later law ends some)
    q = engine.question(question)
    part = partition(engine, q, realiser_for(engine))
    classes = _Classes(part, engine)
    checked, ages = 0, _ages(part)
    for base in (c.facts for c in part.classes):
        for age in ages:
            facts = base.model_copy(update={"age": age})
            cls = classes.of(facts)
            assert cls.decision is not None
            decision = engine.decide(facts, question)
            assert decision.rules_applied == cls.decision.rules_applied, (
                facts,
                cls.describe("resident"),
            )
            checked += 1
    assert checked >= 3 * len(part.classes)  # every class at several ages


def test_findings_come_lazily(tmp_path: Path) -> None:
    root = bundled_copy(tmp_path / "p")
    patch(root / "chapter1.yaml", "when: not resident.woman_hukou_known", "when: 'true'")
    checker = Checker(_engine(root))
    stream = checker.findings()
    assert inspect.isgenerator(stream)
    assert checker.classes_decided == 0
    first = next(stream)
    assert first.code == "overlap"
    partly = checker.classes_decided
    rest = list(stream)
    assert 0 < partly < checker.classes_decided
    # the other overlaps are of the same question (the rules that meet the patched one)
    assert all(f.code != "overlap" or f.question == first.question for f in rest)


def test_check_takes_a_directory_and_loads_it_leniently(tmp_path: Path) -> None:
    root = compose(tmp_path / "p", FIXTURES / "override")
    with pytest.raises(jurisdiction.PolicyError):
        load_policy(root)
    (finding,) = jurisdiction.check(root)
    assert finding.code == "override"
    assert finding.rules == ("who.adult",)
    assert "did you mean `who.minor`?" in finding.message


def test_an_override_cycle_is_a_finding_and_its_cases_a_gap_and_its_rule_unreachable(
    tmp_path: Path,
) -> None:
    root = compose(tmp_path / "p")
    patch(
        root / "rules.yaml",
        "        when: adult\n",
        "        when: adult\n        overrides: [who.minor]\n",
    )
    patch(
        root / "rules.yaml",
        "        when: not adult\n",
        "        when: 'true'\n        overrides: [who.adult]\n",
    )
    codes = sorted(f.code for f in jurisdiction.check(root))
    # adults: both rules hold and knock each other out; and `who.adult` never gives the answer
    assert codes == ["gap", "override", "unreachable"]


def test_a_scope_that_always_holds_makes_its_not_applicable_rule_unreachable(
    tmp_path: Path,
) -> None:
    root = compose(tmp_path / "p")
    patch(
        root / "rules.yaml",
        "    when: resident.age >= param.adult_age\n",
        "    when: resident.age >= param.adult_age\n"
        "  anyone:\n    subject: resident\n    doc: anyone\n    cite: {article: 1}\n"
        "    when: 'true'\n    outside: {zh: 不适用, en: not applicable}\n",
    )
    patch(root / "rules.yaml", "    rules:\n", "    scope: anyone\n    rules:\n")
    (finding,) = jurisdiction.check(root)
    assert finding.code == "unreachable"
    assert finding.rules == ("who.outside_scope",)
    assert "scope `anyone` holds for every case" in finding.message


def test_a_finding_prints_as_file_line_col_code_message(tmp_path: Path) -> None:
    root = compose(tmp_path / "p", FIXTURES / "unused-parameter")
    (finding,) = jurisdiction.check(root)
    assert str(finding).startswith(f"{root / 'more.yaml'}:2:3: unused-parameter: parameter ")
    assert finding.to_dict()["witness"] is None
    assert finding.witness_json() is None


def test_an_overlay_is_checked_with_its_own_values(tmp_path: Path) -> None:
    """A district's overlay that makes the street tier unreachable there is found, with a witness
    in that district that `decide` confirms; the city's own ranges stay clean."""
    root = bundled_copy(tmp_path / "policy")
    shutil.copytree(EXAMPLE_OVERLAYS, root / "overlays")  # the illustrative overlay, as its own
    patch(root / "overlays" / "120104.yaml", "value: 500", "value: 1")
    engine = jurisdiction.Engine(load_policy(root, strict=False))
    findings = list(jurisdiction.check(engine))
    assert findings, "the overlay's tiers should leave the street rule unreachable"
    # The readings of (十) are rules of their own beside the tier's rule (CHANGELOG, Unreleased,
    # issue 20.7): a reading at the street tier is unreachable with it, and the overlay's own
    # unit_vice_bureau_rank_counts: true leaves the deputy-bureau reading no unit at any tier.
    readings = set()
    for finding in findings:
        assert finding.code == "unreachable", str(finding)
        assert "overlays/120104.yaml (district 120104)" in finding.message
        rule = finding.rules[0].split(".")[1]
        if rule.startswith("vice_bureau_by_staff_"):
            readings.add(rule)
        else:
            assert rule.startswith("street") or rule.endswith("_street"), rule
        data = finding.witness_data()
        if data is None:  # readings and the questions that read unit_management's tier
            assert "can never apply" in finding.message
            assert finding.question in ("unit_instrument", "unit_guidance") or not (
                rule.startswith("street")
            )
            continue
        assert data["location"].startswith("120104")
        decision = engine.decide(data, finding.question or "")
        assert finding.rules[0] in decision.rules_overridden
        assert decision.sources == ("overlays/120104.yaml",)
    assert readings == {f"vice_bureau_by_staff_{t}" for t in ("district", "street", "community")}


def test_the_cli_reports_overlay_findings(tmp_path: Path) -> None:
    root = bundled_copy(tmp_path / "policy")
    shutil.copytree(EXAMPLE_OVERLAYS, root / "overlays")  # the illustrative overlay, as its own
    patch(root / "overlays" / "120104.yaml", "value: 500", "value: 1")
    result = CliRunner().invoke(cli, ["check", str(root)])
    assert result.exit_code == 1
    assert "unreachable: with the overlay overlays/120104.yaml (district 120104)" in result.output
    assert '"location":"120104' in result.output


def test_a_later_stretch_is_checked_for_what_a_value_can_change_and_nothing_less(
    tmp_path: Path,
) -> None:
    """A dated policy's later stretches are checked for the findings a parameter's value can
    change (``value_findings``) and not for the lints, which read the text alone: the same
    findings, in the same order, as the whole check's of those codes."""
    from jurisdiction.analysis.check import _BY_VALUE

    cycle = compose(tmp_path / "cycle")
    patch(
        cycle / "rules.yaml",
        "        when: adult\n",
        "        when: adult\n        overrides: [who.minor]\n",
    )
    patch(
        cycle / "rules.yaml",
        "        when: not adult\n",
        "        when: 'true'\n        overrides: [who.adult]\n",
    )
    overlap = compose(tmp_path / "overlap", TIERS)
    patch(overlap / "rules.yaml", RESOLUTION, "")
    seen: set[str] = set()
    for root in (cycle, overlap, bundled_copy(tmp_path / "bundled")):
        everything = list(Checker(_engine(root)).findings())
        by_value = list(Checker(_engine(root)).value_findings())
        assert by_value == [f for f in everything if f.code in _BY_VALUE]
        seen |= {f.code for f in everything}
    # the fixtures hold findings of both kinds, so the filter above is tested on each
    assert {"gap", "unreachable", "overlap"} <= seen
    assert seen - set(_BY_VALUE)  # override, uncited-article: lints left out of later stretches
