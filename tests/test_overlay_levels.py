"""Overlays at every level the hierarchy declares (#19 item 4): `places.overlays: [district,
street]`; a fact set is decided with the overlay of every place containing it, the widest first
(a street's value replaces its district's), and the decision names each overlay file that set a
value it used — in `sources`, the text, JSON and explain. `check`, `diff` and the batch take each
combination that can occur."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pytest

import jurisdiction
from jurisdiction.batch.embedded import decide_table
from policy_files import EXAMPLE_OVERLAY, bundled_copy, patch

STREET = """\
overlay:
  place: "120104003"
  within: "120104"
  title: {zh: 街道驻地单位范围（示例）, en: Unit ranges of street 120104003 (example)}
parameters:
  unit_street_min_staff:
    value: 30
    note: {zh: 本街道自30人起管理单位（示例）, en: the street manages units from 30 staff (example)}
"""


def _policy(tmp_path: Path, street: str = STREET) -> Path:
    root = bundled_copy(tmp_path / "policy")
    patch(root / "facts.yaml", "  overlays: district\n", "  overlays: [district, street]\n")
    (root / "overlays").mkdir()
    shutil.copy(EXAMPLE_OVERLAY, root / "overlays" / "120104.yaml")
    (root / "overlays" / "120104003.yaml").write_text(street, encoding="utf-8")
    return root


def _unit(staff: int, location: str) -> dict[str, object]:
    return {"kind": "unit", "category": "other_enterprise", "staff": staff, "location": location}


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> jurisdiction.Engine:
    return jurisdiction.load(_policy(tmp_path_factory.mktemp("levels")))


def test_a_street_overlay_applies_over_its_districts(engine: jurisdiction.Engine) -> None:
    in_street = engine.parameters_for(engine.parse_facts(_unit(40, "120104003001")))
    in_district = engine.parameters_for(engine.parse_facts(_unit(40, "120104002001")))
    assert in_street["unit_street_min_staff"] == 30  # the street's
    assert in_street["unit_street_max_staff"] == 499  # the district's, which the street keeps
    assert in_district["unit_street_min_staff"] == 50  # the district's alone
    # 40 staff: the street office in street 120104003, not elsewhere in the district
    here = engine.decide(_unit(40, "120104003001"), "unit_management")
    there = engine.decide(_unit(40, "120104002001"), "unit_management")
    assert [b.level for b in here.bodies] == ["street"]
    assert [b.level for b in there.bodies] != ["street"]


def test_the_decision_names_each_overlay_that_set_a_value_it_used(
    engine: jurisdiction.Engine,
) -> None:
    decision = engine.decide(_unit(40, "120104003001"), "unit_management")
    assert decision.sources == ("overlays/120104.yaml", "overlays/120104003.yaml")
    assert decision.to_dict()["sources"] == ["overlays/120104.yaml", "overlays/120104003.yaml"]
    text = decision.render("en")
    assert "overlays/120104.yaml" in text
    assert "overlays/120104003.yaml" in text
    assert "unit_street_min_staff = 30 (overlays/120104003.yaml)" in text
    assert "unit_street_max_staff = 499 (overlays/120104.yaml)" in text
    explained = engine.explain(_unit(40, "120104003001"), "unit_management")
    assert explained.sources == ("overlays/120104.yaml", "overlays/120104003.yaml")
    # a place of the district outside the street: the district's file alone
    other = engine.decide(_unit(40, "120104002001"), "unit_management")
    assert other.sources == ("overlays/120104.yaml",)


def test_a_street_value_that_replaces_every_district_value_read_names_the_street_alone(
    tmp_path: Path,
) -> None:
    street = STREET + "".join(
        f"  {name}:\n    value: {value}\n    note: example\n"
        for name, value in [
            ("unit_street_max_staff", 499),
            ("unit_district_min_staff", 500),
            ("unit_vice_bureau_rank_counts", "true"),
        ]
    )
    engine = jurisdiction.load(_policy(tmp_path, street))
    decision = engine.decide(_unit(40, "120104003001"), "unit_management")
    assert decision.sources == ("overlays/120104003.yaml",)


def test_the_durable_evaluator_and_the_batch_decide_each_combination_alike(
    engine: jurisdiction.Engine, tmp_path: Path
) -> None:
    durable = jurisdiction.load(engine.policy.root, evaluator="durable")
    places = ["120104003001", "120104002001", "120101002001"]
    units = [_unit(staff, p) for p in places for staff in (20, 40, 60, 600)]
    for unit in units:
        a = engine.decide(unit, "unit_management")
        b = durable.decide(unit, "unit_management")
        assert (a.outcome, a.bodies, a.sources) == (b.outcome, b.bodies, b.sources)
    rows = [dict(u, id=str(i), kind=None) for i, u in enumerate(units)]
    for row in rows:
        del row["kind"]
    table = pa.Table.from_pylist(rows)
    out = decide_table(engine, table, "unit_management", id_column="id").to_pylist()
    for row, unit in zip(out, units, strict=True):
        want = engine.decide(unit, "unit_management")
        assert row["outcome"] == want.outcome
        assert (row["sources"] or "") == "; ".join(want.sources)


def _by_file(root: Path) -> dict[str, set[tuple[str, tuple[str, ...]]]]:
    found: dict[str, set[tuple[str, tuple[str, ...]]]] = {}
    for f in jurisdiction.check(root):
        for file in ("overlays/120104.yaml", "overlays/120104003.yaml"):
            if f"overlay {file} " in f.message:
                found.setdefault(file, set()).add((f.code, f.rules))
    return found


def test_check_checks_the_street_with_its_district_applied(tmp_path: Path) -> None:
    # the district's values hold in the street (its deputy-bureau reading among them), so the
    # street's combination has the district's findings, at the street's file; its range 30-499
    # meets the district's 500, so nothing more
    found = _by_file(_policy(tmp_path))
    assert found["overlays/120104003.yaml"] == found["overlays/120104.yaml"] != set()


def test_an_overlay_at_an_undeclared_level_is_a_located_error(tmp_path: Path) -> None:
    root = _policy(tmp_path)
    patch(root / "facts.yaml", "  overlays: [district, street]\n", "  overlays: district\n")
    with pytest.raises(jurisdiction.PolicyError) as err:
        jurisdiction.load(root)
    [d] = err.value.diagnostics
    assert (d.code, Path(d.location.file).name, d.location.line) == (
        "overlay-district",
        "120104003.yaml",
        2,
    )
    assert "a street" in d.message


def test_a_within_that_is_not_the_wider_overlay_is_a_located_error(tmp_path: Path) -> None:
    root = _policy(tmp_path, STREET.replace('within: "120104"', 'within: "120101"'))
    with pytest.raises(jurisdiction.PolicyError) as err:
        jurisdiction.load(root)
    [d] = err.value.diagnostics
    assert (d.code, Path(d.location.file).name, d.location.line) == (
        "overlay-parent",
        "120104003.yaml",
        3,
    )
