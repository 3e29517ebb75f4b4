"""Properties of the bundled policy that the issues state, proved on generated facts, and the
1000-staff overlap found by the checker once its explicit resolution is removed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner
from hypothesis import Phase, assume, find, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

import jurisdiction
from jurisdiction import testing
from jurisdiction.cli.main import cli
from jurisdiction.policy.load import load_policy
from policy_files import bundled_copy, line_of, patch

ENGINE = jurisdiction.load()
TEXT_DAY = "2012-06-01"  # the text as written: registration replaced the certificates in 2016
TIER = {"community": 1, "street": 2, "district": 3}
UNIT_QUESTIONS = ("unit_management", "unit_instrument", "unit_guidance")
CERTIFICATES = {"first_child_certificate", "only_child_honour_certificate"}


def _tier(facts: BaseModel, question: str) -> int | None:
    decision = ENGINE.decide(facts, question)
    if decision.outcome != "responsible":
        return None
    return max(TIER[b.level] for b in decision.bodies)


@settings(max_examples=300, deadline=None)
@given(unit=testing.facts(ENGINE, "unit"), more=st.integers(1, 5000))
def test_more_staff_never_moves_a_unit_to_a_lower_tier(unit: BaseModel, more: int) -> None:
    try:  # a copy is validated: past the declared maximum of staff it is no unit at all
        bigger = unit.model_copy(update={"staff": unit.staff + more})  # type: ignore[attr-defined]
    except jurisdiction.FactsError:
        assume(False)
    for question in UNIT_QUESTIONS:
        before, after = _tier(unit, question), _tier(bigger, question)
        assert (before is None) == (after is None)
        if before is not None and after is not None:
            assert after >= before, (question, unit, more)


@settings(max_examples=150, deadline=None)
@given(
    resident=testing.facts(ENGINE, "resident", where={"blind_spot_cause": "affiliation_unclear"})
)
def test_unclear_affiliation_moves_exactly_the_two_certificates(resident: BaseModel) -> None:
    """(七): in a blind spot whose affiliation is unclear, the two certificates of (二)5 move to
    the hukou place and nothing else changes; the same resident in an area whose management is
    in place is the comparison."""
    area = resident.area  # type: ignore[attr-defined]
    settled = resident.model_copy(
        update={
            "area": area.model_copy(update={"management_in_place": True, "blind_spot_cause": None})
        }
    )
    # (七) as amended (CHANGELOG, Unreleased, issue 20.6): it speaks of the area, so a resident
    # of childbearing age there is answered under it whether or not a separated person. One who
    # is not (same street, or hukou outside the city) has no comparison: settled, chapter 1 does
    # not apply; in the blind spot every question's scope holds, or none (not of childbearing age).
    not_separated = {"same_street", "hukou_not_in_city"}
    in_scope: set[bool] = set()
    for question in ENGINE.questions("resident"):
        blind, normal = ENGINE.decide(resident, question), ENGINE.decide(settled, question)
        if any(r.rsplit(".", 1)[-1] in not_separated for r in normal.rules_applied):
            assert normal.outcome == "not_applicable", question
            if question != "second_child_approval":  # its scope is the couple's age ((三)1)
                in_scope.add(not any(".outside_scope." in r for r in blind.rules_applied))
            if question == "management_principle" and blind.outcome == "responsible":
                assert "(七)" in {str(c.cite) for c in blind.citations}
            continue
        if question in CERTIFICATES and normal.outcome == "responsible":
            assert [b.place for b in normal.bodies] == ["residence"]
            assert [(b.place, str(b.cite)) for b in blind.bodies] == [("hukou", "(七)")]
        elif question == "management_principle" and normal.outcome == "responsible":
            # (七): 共同负责管理, with no 以现居住地为主 — joint, no primary (issue 9)
            assert [(b.place, b.role, str(b.cite)) for b in blind.bodies] == [
                ("locality", "joint", "(七)"),  # the residence, named 所属地 as (七) does
                ("hukou", "joint", "(七)"),
            ]
        else:
            # the same bodies; a duty kept by (七) cites the chain (七) → its item (issue 9)
            assert blind.outcome == normal.outcome, question
            # (七) names the residence 所属地 (the locality): the same place, its own word
            same = {"locality": "residence"}
            view = sorted(
                (same.get(b.place, b.place), b.place_code, b.role, b.cite) for b in blind.bodies
            )
            assert view == sorted((b.place, b.place_code, b.role, b.cite) for b in normal.bodies)
            chained = any(r.endswith(".affiliation_unclear") for r in blind.rules_applied)
            assert all((str(b.via) == "(七)") == chained for b in blind.bodies), question
    assert len(in_scope) <= 1, in_scope


def test_the_strategies_reach_the_cases_the_two_properties_are_about() -> None:
    """Neither property above is vacuous: a unit's tier can rise with its staff, and a resident
    in a blind spot of unclear affiliation can be one whose certificates someone issues."""
    quick = settings(max_examples=2000, database=None, phases=[Phase.generate])
    unit = find(
        testing.facts(ENGINE, "unit"),
        lambda u: _tier(u, "unit_management") == TIER["street"],
        settings=quick,
    )
    assert _tier(unit, "unit_management") == TIER["street"]
    assert _tier(unit.model_copy(update={"staff": 5000}), "unit_management") == TIER["district"]
    resident = find(
        testing.facts(ENGINE, "resident", where={"blind_spot_cause": "affiliation_unclear"}),
        lambda r: (
            ENGINE.decide(r, "first_child_certificate", as_of=TEXT_DAY).outcome == "responsible"
        ),
        settings=quick,
    )
    decision = ENGINE.decide(resident, "first_child_certificate", as_of=TEXT_DAY)
    assert [str(c.cite) for c in decision.citations] == ["(七)"]


def test_removing_the_1000_staff_resolution_gives_an_overlap_at_1000(tmp_path: Path) -> None:
    """One overlap in unit_management, and the same one in the two questions that read its
    tier (question.unit_management): where it has two values, so do they."""
    root = bundled_copy(tmp_path / "policy")
    chapter = root / "chapter3.yaml"
    line = line_of(chapter, "- id: unit_management.district_by_staff")
    patch(
        chapter,
        "          - unit_management.street_by_staff   # the overlap: rule staff_overlap\n",
        "",
    )
    engine = jurisdiction.Engine(load_policy(root, strict=False))
    findings = list(jurisdiction.check(engine))
    assert {f.code for f in findings} == {"overlap"}, "\n".join(map(str, findings))
    by_question: dict[str, list[Any]] = {}
    for f in findings:
        by_question.setdefault(f.question, []).append(f)
    # unit_management's tier rules overlap at 1000 (with the readings said for those units:
    # staff_overlap, and the rank readings tiered by staff), and so do the two readers
    assert set(by_question) == {"unit_management", "unit_instrument", "unit_guidance"}
    for overlaps in by_question.values():
        for overlap in overlaps:
            data = overlap.witness_data()
            assert data is not None
            assert data["staff"] == 1000
    for overlap in by_question["unit_management"]:
        assert {"unit_management.district_by_staff", "unit_management.street_by_staff"} <= set(
            overlap.rules
        )
    assert any(
        (Path(f.location.file).name, f.location.line) == ("chapter3.yaml", line)
        for f in findings
        if f.location is not None and "unit_management.district_by_staff" in f.message
    ) or any(f"chapter3.yaml:{line}" in str(f) for f in findings)
    result = CliRunner().invoke(cli, ["check", str(root)])
    assert result.exit_code == 1
    assert f"chapter3.yaml:{line}:" in result.output
    assert "overlap" in result.output
    assert '"staff":1000' in result.output
