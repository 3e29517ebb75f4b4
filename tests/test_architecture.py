"""The package shows its architecture: stage folders whose imports run one way.

``pyproject.toml`` states the stages as import-linter contracts (a layers contract and no import
circles); these tests run them on the package as it is — and on a copy in which the engine
imports the batch layer, to show that the contract would catch it.
"""

from __future__ import annotations

import os
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import jurisdiction

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = Path(jurisdiction.__file__).resolve().parent
LINT = "from importlinter.cli import lint_imports_command; lint_imports_command()"


def _lint(src: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` with the project's contracts, on the package found under ``src``."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run(
        [sys.executable, "-c", LINT, "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_the_contracts_hold(tmp_path: Path) -> None:
    result = _lint(PACKAGE.parent, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "planted", "broken"),
    [
        # the engine reaching up into the batch layer
        ("engine/engine.py", "from ..batch import plan as _plan", "Stages import downward"),
        # the language reaching up into the policy
        ("language/compile.py", "from ..policy import model as _model", "Stages import downward"),
        # a circle inside one stage
        ("core/text.py", "from . import errors as _errors", "No import circles"),
    ],
)
def test_the_contracts_catch_an_import_against_them(
    tmp_path: Path, module: str, planted: str, broken: str
) -> None:
    copy = tmp_path / "src" / "jurisdiction"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "policies"))
    if module == "core/text.py":  # errors must import text for a circle: plant both ends
        errors = copy / "core" / "errors.py"
        errors.write_text(errors.read_text() + "\nfrom . import text as _text\n")
    target = copy / module
    target.write_text(target.read_text() + f"\n{planted}\n")
    result = _lint(tmp_path / "src", tmp_path)
    assert result.returncode != 0
    assert f"{broken}" in result.stdout
    assert "BROKEN" in result.stdout


def test_at_most_six_modules_at_the_top_and_at_least_five_stages() -> None:
    found = list(pkgutil.iter_modules(jurisdiction.__path__))
    modules = [m.name for m in found if not m.ispkg]
    stages = [m.name for m in found if m.ispkg]
    assert len(modules) + 1 <= 6, modules  # with __init__.py
    assert len(stages) >= 5, stages
