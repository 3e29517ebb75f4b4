"""The README's Python example runs and prints what its comments say."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_python_example_runs_as_documented() -> None:
    text = README.read_text(encoding="utf-8")
    block = re.search(r"```python\n(.*?)```", text, re.DOTALL)
    assert block is not None
    code = block.group(1)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, str(README), "exec"), {})  # runs our own documentation
    printed = out.getvalue().splitlines()
    assert printed[0] == "residence 120104002 (二)5"
    assert printed[1].startswith("问题：")
    assert (
        "现居住地（街道 鼓楼街道(120104002)，层级为本政策的解读：参数 residence_fp_level）"
        "人口和计划生育部门" in out.getvalue()
    )


def test_ci_runs_the_readme_test_command() -> None:
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "<!-- ci:test -->" in ci
    assert "<!-- ci:test -->" in README.read_text(encoding="utf-8")
