"""`jurisdiction test`: YAML cases run like pytest, with parameter overrides and coverage; and
the pytest plugin that collects the same files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml
from click.testing import CliRunner

from jurisdiction.cli.main import cli

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "cases"

AT_1000 = {
    "kind": "unit",
    "category": "other_enterprise",
    "staff": 1000,
    "location": "120101002001",
}
AT_600 = {**AT_1000, "staff": 600}


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["test", *args])
    return result.exit_code, result.output


def _write(path: Path, cases: list[dict[str, object]], **head: object) -> Path:
    path.write_text(
        json.dumps({**head, "cases": cases}, ensure_ascii=False), "utf-8"
    )  # JSON is YAML
    return path


def _bundled_case_count() -> int:
    return sum(
        len(yaml.safe_load(p.read_text("utf-8"))["cases"]) for p in sorted(CASES.glob("*.yaml"))
    )


def test_the_bundled_cases_pass_with_every_article_covered() -> None:
    code, out = _run(str(ROOT / "policies"), str(CASES), "--coverage")
    assert code == 0, out
    assert f"{_bundled_case_count()} passed" in out
    assert "F" not in "".join(line.split(" ", 1)[1] for line in out.splitlines()[:13])
    for numeral in ("一", "二", "三", "九", "十", "十一", "十九"):
        line = next(x for x in out.splitlines() if x.strip().startswith(f"({numeral})"))
        assert line.rstrip().endswith("ok"), line
    assert "coverage: articles and items 32/32 (100.0%)" in out
    assert "unit_management.street_by_staff" in out


def test_a_failing_case_shows_expected_got_and_the_rules_that_fired(tmp_path: Path) -> None:
    wrong = {"kind": "street_office"}
    case = {
        "name": "wrong tier",
        "question": "unit_management",
        "facts": AT_1000,
        "expect": {"outcome": "responsible", "bodies": [wrong]},
    }
    file = str(_write(tmp_path / "c.yaml", [case]))
    code, plain = _run(file)  # issue 20.8: rule ids only under --ids
    assert code == 1
    assert "bodies: expected [{'kind': 'street_office'}]" in plain
    assert "rules fired" not in plain
    assert "(the rules that fired, overridden and applied: --ids)" in plain
    code, out = _run(file, "--ids")
    assert code == 1
    assert "c.yaml F" in out
    assert "c.yaml::wrong tier" in out
    assert "bodies: expected [{'kind': 'street_office'}]" in out
    assert "'kind': 'fp_department'" in out  # what it got
    assert "rules fired: unit_management.community, unit_management.district_by_staff" in out
    assert "rules overridden: unit_management.community, unit_management.street_by_staff" in out
    assert "1 failed, 0 passed" in out


def test_parameters_per_case_and_per_file(tmp_path: Path) -> None:
    district = {
        "outcome": "responsible",
        "bodies": [{"kind": "fp_department", "level": "district"}],
    }
    lowered = {"unit_district_min_staff": 500, "unit_street_max_staff": 499}
    with_override = {
        "name": "lowered",
        "question": "unit_management",
        "facts": AT_600,
        "parameters": lowered,
        "expect": district,
    }
    without = {
        "name": "city values",
        "question": "unit_management",
        "facts": AT_600,
        "expect": district,
    }
    code, out = _run(str(_write(tmp_path / "c.yaml", [with_override, without])))
    assert code == 1
    assert "c.yaml .F" in out  # the city's street range takes 600 staff
    code, out = _run(str(_write(tmp_path / "f.yaml", [without], parameters=lowered)))
    assert code == 0, out


def test_a_wrong_parameter_or_key_is_an_invalid_case_file(tmp_path: Path) -> None:
    case = {
        "name": "x",
        "question": "unit_management",
        "facts": AT_1000,
        "parameters": {"no_such_parameter": 1},
        "expect": {"outcome": "responsible"},
    }
    code, out = _run(str(_write(tmp_path / "c.yaml", [case])))
    assert code == 2
    assert "no parameter `no_such_parameter`" in out
    case = {**case, "parameters": {}, "expect": {"outcome": "responsible", "bodeis": []}}
    code, out = _run(str(_write(tmp_path / "d.yaml", [case])))
    assert code == 2
    assert "d.yaml:" in out
    assert "expect.bodeis: Extra inputs are not permitted" in out


def test_min_coverage(tmp_path: Path) -> None:
    case = {
        "name": "one",
        "question": "unit_management",
        "facts": AT_1000,
        "expect": {"outcome": "responsible"},
    }
    path = str(_write(tmp_path / "c.yaml", [case]))
    code, out = _run(path, "--min-coverage", "50")
    assert code == 1
    assert "coverage below --min-coverage 50%" in out
    assert "(二)" in out
    assert "MISSED (二) (二)1" in out  # the whole article (a parameter cites it), then items
    code, out = _run(path, "--min-coverage", "0")
    assert code == 0, out


def test_the_pytest_plugin_collects_case_files(tmp_path: Path) -> None:
    good = {
        "name": "district at 1000",
        "question": "unit_management",
        "facts": AT_1000,
        "expect": {
            "outcome": "responsible",
            "rules_applied": [
                "unit_management.district_by_staff",
                "unit_management.staff_overlap",
            ],
        },
    }
    bad = {
        **good,
        "name": "street at 1000",
        "expect": {"outcome": "responsible", "rules_applied": ["unit_management.street_by_staff"]},
    }
    (tmp_path / "cases").mkdir()
    _write(tmp_path / "cases" / "units.yaml", [good, bad])
    (tmp_path / "cases" / "other.yaml").write_text("not: a case file\n", "utf-8")
    _write(tmp_path / "more.cases.yaml", [{**good, "name": "again"}])
    (tmp_path / "pytest.ini").write_text(  # the plugin is opt-in
        f"[pytest]\njurisdiction_cases = true\njurisdiction_policy = {ROOT / 'policies'}\n",
        "utf-8",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rA", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    out = proc.stdout
    assert proc.returncode == 1, out + proc.stderr
    assert "1 failed, 2 passed" in out
    assert "PASSED cases/units.yaml::district at 1000" in out
    assert "FAILED cases/units.yaml::street at 1000" in out
    assert "rules_applied: expected ['unit_management.street_by_staff']" in out
    assert "rules fired: unit_management.community" in out
