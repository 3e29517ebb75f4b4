"""Names of place codes shipped with a policy (#19 item 4, `place_names`): a decision shows a
code after its name where the policy names it — `南开区(120104)` — in both languages and in its
JSON (`bodies[i].place_label`); a code without a name reads as before."""

from __future__ import annotations

from pathlib import Path

import jurisdiction

from policy_kit import ROOT, copy_bundled, write

UNIT = {"kind": "unit", "category": "other", "staff": 10, "location": "120104001001"}


def test_the_bundled_policy_with_names_reads_nankai(tmp_path: Path) -> None:
    root = copy_bundled(tmp_path)
    write(
        root,
        "names.yaml",
        """
        place_names:
          "120104": {zh: 南开区, en: Nankai District}
          "120104001001": 南开区某社区
        """,
    )
    before = jurisdiction.load().decide(UNIT, "unit_management", as_of="2012-06-01")
    after = jurisdiction.load(root).decide(UNIT, "unit_management", as_of="2012-06-01")
    assert [b.place_code for b in after.bodies] == [b.place_code for b in before.bodies]
    labels = {b.place_code: b.place_label for b in after.bodies}
    assert labels["120104001001"] is not None
    assert labels["120104001001"].zh == "南开区某社区"
    assert all(b.place_label is None for b in before.bodies)  # no names: as before
    zh, en = after.render("zh"), after.render("en")
    assert "南开区某社区(120104001001)" in zh
    assert "南开区某社区 (120104001001)" in en  # one name for both languages
    assert "南开区某社区" not in before.render("zh")
    assert after.to_dict()["bodies"][0]["place_label"] == {
        "zh": "南开区某社区",
        "en": "南开区某社区",
    }


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
