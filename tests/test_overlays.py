"""District overlays: a district may set what the city delegates, and nothing else."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import jurisdiction
from jurisdiction.cli.main import cli

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_OVERLAYS = ROOT / "examples" / "overlays"
UNIT_1000 = {"kind": "unit", "category": "other_enterprise", "staff": 600}


def _policy_copy(tmp_path: Path) -> Path:
    """The bundled policy with the illustrative overlay as one of its own (overlays/)."""
    target = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", target)
    shutil.copytree(EXAMPLE_OVERLAYS, target / "overlays")
    return target


def _with_example() -> jurisdiction.Engine:
    return jurisdiction.load(overlays=EXAMPLE_OVERLAYS)


def _overlay(policy: Path, district: str, body: str, name: str | None = None) -> Path:
    path = policy / "overlays" / f"{name or district}.yaml"
    path.write_text(body, encoding="utf-8")
    return path


_HEAD = """overlay:
  district: "{district}"
  title: {{zh: 示例, en: example}}
"""


def _refused(policy: Path) -> jurisdiction.PolicyError:
    with pytest.raises(jurisdiction.PolicyError) as info:
        jurisdiction.load(policy)
    return info.value


def test_the_bundled_policy_has_no_overlay_and_holds_no_invented_values() -> None:
    """The text sets no district's ranges: the illustrative overlay is not part of the policy,
    so a unit of 60 staff in 120104 is managed by its community, by the city's ranges."""
    engine = jurisdiction.load()
    assert engine.policy.overlays == {}
    decision = engine.decide(
        {**UNIT_1000, "staff": 60, "location": "120104002001"}, "unit_management"
    )
    assert [b.level for b in decision.bodies] == ["community"]
    assert decision.sources == ()
    assert "exactly 1000" not in " ".join(n.en for n in decision.notes)


def test_a_caller_adds_overlays_explicitly_and_the_decision_names_them(tmp_path: Path) -> None:
    engine = _with_example()
    decision = engine.decide(
        {**UNIT_1000, "staff": 1000, "location": "120104002001"}, "unit_management"
    )
    assert decision.sources == ("examples/overlays/120104.yaml",)
    text = decision.render("en")
    body_line = next(line for line in text.splitlines() if line.startswith("  - the "))
    assert "examples/overlays/120104.yaml" in body_line  # in the body of the answer
    assert any(n.en.startswith("unit_district_min_staff = 500 (") for n in decision.notes)
    assert not any("exactly 1000" in n.en for n in decision.notes)  # the city's note does not apply
    # the overlay's notes are in both languages: the Chinese rendering has the Chinese note
    zh = decision.render("zh")
    assert "职工总数在500人以上的单位由区县负责管理（本区的示例范围）" in zh
    assert "example range" not in zh
    assert "example range of this district" in text
    city = engine.decide(
        {**UNIT_1000, "staff": 1000, "location": "120101002001"}, "unit_management"
    )
    assert any("exactly 1000" in n.en for n in city.notes)
    assert any("恰好1000人" in n.zh for n in city.notes)  # the reading, at the overlap only
    with pytest.raises(jurisdiction.PolicyError) as info:
        jurisdiction.load(overlays=tmp_path / "missing")
    assert info.value.codes == ("overlay-district",)
    twice = _policy_copy(tmp_path)
    with pytest.raises(jurisdiction.PolicyError) as info:
        jurisdiction.load(twice, overlays=EXAMPLE_OVERLAYS)
    assert "already has an overlay" in str(info.value)


def test_the_cli_takes_overlays() -> None:
    facts = ROOT / "examples" / "unit_in_overlay_district.yaml"
    plain = CliRunner().invoke(cli, ["decide", str(facts), "-q", "unit_management"])
    added = CliRunner().invoke(
        cli, ["decide", str(facts), "-q", "unit_management", "--overlays", str(EXAMPLE_OVERLAYS)]
    )
    assert plain.exit_code == added.exit_code == 0, added.output
    assert "120104.yaml" not in plain.output
    assert "district/county 南开区 (120104)" in added.output


def test_the_example_overlay_is_loaded_with_its_file() -> None:
    policy = _with_example().policy
    overlay = policy.overlays["120104"]
    assert overlay.file == "examples/overlays/120104.yaml"
    assert overlay.parameters["unit_district_min_staff"].value == 500
    assert overlay.parameters["unit_district_min_staff"].note
    assert overlay.parameters["unit_district_min_staff"].source.endswith("overlays/120104.yaml")
    assert policy.parameters_for("120104")["unit_district_min_staff"].value == 500
    assert policy.parameters_for("120101")["unit_district_min_staff"].value == 1000
    assert policy.parameters_for(None)["unit_district_min_staff"].value == 1000
    assert any(f.endswith("overlays/120104.yaml") for f in policy.files)


def test_a_unit_is_decided_with_its_district_overlay() -> None:
    engine = _with_example()
    inside = engine.decide({**UNIT_1000, "location": "120104002001"}, "unit_management")
    outside = engine.decide({**UNIT_1000, "location": "120101002001"}, "unit_management")
    assert (inside.bodies[0].level, outside.bodies[0].level) == ("district", "street")
    assert inside.sources == ("examples/overlays/120104.yaml",)
    assert outside.sources == ()
    assert [str(c.cite) for c in inside.citations] == ["(十)"]
    assert "overlays/120104.yaml" in inside.render("en")
    facts = jurisdiction.parse_facts({**UNIT_1000, "location": "120104002001"})
    assert engine.district_of(facts) == "120104"
    assert engine.parameters_for(facts)["unit_street_max_staff"] == 499


def test_the_overlay_is_part_of_the_fingerprint(tmp_path: Path) -> None:
    policy = _policy_copy(tmp_path)
    before = jurisdiction.load(policy).policy.fingerprint
    overlay = policy / "overlays" / "120104.yaml"
    overlay.write_text(
        overlay.read_text(encoding="utf-8").replace("value: 500", "value: 600"), encoding="utf-8"
    )
    after = jurisdiction.load(policy)
    assert after.policy.fingerprint != before
    decision = after.decide(
        {**UNIT_1000, "staff": 550, "location": "120104002001"}, "unit_management"
    )
    assert decision.bodies[0].level == "community"  # 550 is above the street range, below 600


def test_an_overlay_that_sets_a_non_delegated_parameter_is_refused_with_its_location(
    tmp_path: Path,
) -> None:
    policy = _policy_copy(tmp_path)
    _overlay(
        policy,
        "120105",
        _HEAD.format(district="120105")
        + "parameters:\n"
        + "  large_community_min_households:\n"
        + "    value: 1500\n"
        + "    note: smaller communities get an assistant here\n",
    )
    error = _refused(policy)
    assert error.codes == ("overlay-not-delegated",)
    diagnostic = error.diagnostics[0]
    assert diagnostic.location is not None
    assert diagnostic.location.file.endswith("overlays/120105.yaml")
    assert (diagnostic.location.line, diagnostic.location.column) == (5, 3)
    assert "unit_district_min_staff" in diagnostic.message  # lists what may be set
    assert "overlays/120105.yaml:5:3: overlay-not-delegated" in str(error)


def test_an_unknown_parameter_is_refused_with_a_suggestion(tmp_path: Path) -> None:
    policy = _policy_copy(tmp_path)
    _overlay(
        policy,
        "120105",
        _HEAD.format(district="120105")
        + "parameters:\n  unit_district_min_staf:\n    value: 800\n    note: typo\n",
    )
    error = _refused(policy)
    assert error.codes == ("overlay-unknown-parameter",)
    assert error.diagnostics[0].suggestion == "unit_district_min_staff"
    assert "did you mean `unit_district_min_staff`?" in str(error)


@pytest.mark.parametrize("section", ["questions", "rules", "definitions", "bodies"])
def test_an_overlay_with_rules_or_a_new_section_is_refused(tmp_path: Path, section: str) -> None:
    policy = _policy_copy(tmp_path)
    _overlay(
        policy,
        "120105",
        _HEAD.format(district="120105")
        + "parameters:\n  unit_district_min_staff: {value: 800, note: own range}\n"
        + f"{section}:\n  anything: {{}}\n",
    )
    error = _refused(policy)
    assert error.codes == ("overlay-section",)
    location = error.diagnostics[0].location
    assert location is not None
    assert location.line == 6
    assert f"`{section}`" in error.diagnostics[0].message


def test_a_value_of_the_wrong_type_is_refused(tmp_path: Path) -> None:
    policy = _policy_copy(tmp_path)
    _overlay(
        policy,
        "120105",
        _HEAD.format(district="120105")
        + "parameters:\n  unit_vice_bureau_rank_counts: {value: 1, note: counts}\n",
    )
    error = _refused(policy)
    assert error.codes == ("overlay-value",)


@pytest.mark.parametrize(
    ("district", "file_name", "words"),
    [
        ("120105", "120106", "must be named 120105.yaml"),
        ("110105", "110105", "not in this city"),
        ("120000", "120000", "province"),
    ],
)
def test_the_overlay_district_must_match_its_file_and_the_city(
    tmp_path: Path, district: str, file_name: str, words: str
) -> None:
    policy = _policy_copy(tmp_path)
    _overlay(
        policy,
        district,
        _HEAD.format(district=district)
        + "parameters:\n  unit_district_min_staff: {value: 800, note: own range}\n",
        name=file_name,
    )
    error = _refused(policy)
    assert set(error.codes) == {"overlay-district"}
    assert words in str(error)


def test_an_overlay_entry_sets_only_a_value_and_a_note(tmp_path: Path) -> None:
    policy = _policy_copy(tmp_path)
    _overlay(
        policy,
        "120105",
        _HEAD.format(district="120105")
        + "parameters:\n  unit_district_min_staff: {value: 800, delegated: false}\n",
    )
    error = _refused(policy)
    assert set(error.codes) == {"unknown-key", "missing-key"}


def test_every_problem_of_every_overlay_is_reported_at_once(tmp_path: Path) -> None:
    policy = _policy_copy(tmp_path)
    _overlay(
        policy,
        "120105",
        _HEAD.format(district="120105")
        + "parameters:\n"
        + "  city_code: {value: '13', note: not ours}\n"
        + "  unit_street_max_staff: {value: many, note: wrong type}\n",
    )
    _overlay(policy, "120106", _HEAD.format(district="120106") + "questions: {}\n")
    error = _refused(policy)
    assert sorted(error.codes) == ["overlay-not-delegated", "overlay-section", "overlay-value"]


def test_the_cli_refuses_a_bad_overlay_with_its_location(tmp_path: Path) -> None:
    policy = _policy_copy(tmp_path)
    _overlay(
        policy,
        "120105",
        _HEAD.format(district="120105")
        + "parameters:\n  childbearing_age_female_min: {value: 18, note: not delegated}\n",
    )
    facts = tmp_path / "unit.yaml"
    facts.write_text(
        "kind: unit\ncategory: other\nstaff: 10\nlocation: '120105002001'\n", encoding="utf-8"
    )
    result = CliRunner().invoke(cli, ["decide", str(facts), "--policy", str(policy)])
    assert result.exit_code == 3
    assert "overlays/120105.yaml:5:3: overlay-not-delegated" in result.output


def test_a_policy_without_overlays_loads_as_before(tmp_path: Path) -> None:
    policy = _policy_copy(tmp_path)
    shutil.rmtree(policy / "overlays")
    engine = jurisdiction.load(policy)
    assert engine.policy.overlays == {}
    decision = engine.decide({**UNIT_1000, "location": "120104002001"}, "unit_management")
    assert decision.bodies[0].level == "street"
    assert decision.sources == ()


def test_sources_and_notes_survive_json() -> None:
    engine = _with_example()
    decision = engine.decide(
        {**UNIT_1000, "staff": 1000, "location": "120104002001"}, "unit_management"
    )
    assert decision.sources
    assert decision.notes
    assert jurisdiction.Decision.from_json(decision.to_json()) == decision
    assert decision.to_dict()["sources"] == ["examples/overlays/120104.yaml"]
