"""The pytest plugin on an analyst's own policy (issue 21): opt-in, the policy inferred from a
``cases/`` folder's parent, a clear error when a case file names no policy it can find; and the
loader unbothered by what pytest writes into ``cases/``."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from jurisdiction.policy.load import load_policy

ROOT = Path(__file__).resolve().parent.parent
PERMIT = ROOT / "examples" / "residence_permit"

CASE = {
    "name": "a child's guardian applies",
    "question": "application",
    "facts": {"kind": "applicant", "residence": "KN01", "hukou_in_city": False, "age": 12},
    "expect": {"outcome": "responsible", "rules_applied": ["application.through_guardian"]},
}


def _pytest(cwd: Path, *args: str, cache: bool = False) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", *([] if cache else ["-p", "no:cacheprovider"]), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )


def _permit(tmp: Path) -> Path:
    root = tmp / "permit"
    shutil.copytree(PERMIT, root)
    (root / "cases").mkdir()
    cases = {
        "cases": [
            CASE,
            {
                **CASE,
                "name": "an adult",
                "facts": {**CASE["facts"], "age": 30},
                "expect": {"outcome": "responsible"},
            },
        ]
    }
    (root / "cases" / "basic.yaml").write_text(json.dumps(cases), "utf-8")
    return root


def test_pytest_pointed_at_a_policys_cases_decides_them_with_that_policy(tmp_path: Path) -> None:
    root = _permit(tmp_path)
    proc = _pytest(tmp_path, "-q", "permit/cases", cache=True)  # writes .pytest_cache into cases/
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 passed" in proc.stdout
    assert (root / "cases" / ".pytest_cache").is_dir() or (tmp_path / ".pytest_cache").is_dir()
    (root / "cases" / ".pytest_cache").mkdir(exist_ok=True)
    (root / "cases" / "__pycache__").mkdir()
    (root / ".pytest_cache").mkdir()
    assert load_policy(root).name == "residence_permit"  # still loadable


def test_the_plugin_leaves_other_projects_cases_alone(tmp_path: Path) -> None:
    (tmp_path / "cases").mkdir()
    (tmp_path / "cases" / "data.yaml").write_text("cases: [1, 2]\n", "utf-8")
    (tmp_path / "test_x.py").write_text("def test_x():\n    pass\n", "utf-8")
    proc = _pytest(tmp_path, "-q")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 passed" in proc.stdout


def test_a_case_file_that_finds_no_policy_says_so(tmp_path: Path) -> None:
    (tmp_path / "cases").mkdir()
    (tmp_path / "cases" / "c.yaml").write_text(json.dumps({"cases": [CASE]}), "utf-8")
    (tmp_path / "named.cases.yaml").write_text(
        json.dumps({"policy": "nowhere", "cases": [CASE]}), "utf-8"
    )
    (tmp_path / "pytest.ini").write_text("[pytest]\njurisdiction_cases = true\n", "utf-8")
    proc = _pytest(tmp_path, "-q")
    out = proc.stdout
    assert proc.returncode != 0
    assert "names no policy, and is in no policy's cases/ folder" in out
    assert "`policy: nowhere` names" in out
    assert "holds no policy" in out
    assert "Traceback" not in out


def test_a_schema_beside_the_policy_is_allowed(tmp_path: Path) -> None:
    root = _permit(tmp_path)
    (root / "policy.schema.json").write_text("{}", "utf-8")
    assert load_policy(root).name == "residence_permit"
