"""docs/tutorial.md, run: every file it shows is written and every command it shows is run, in
order, in an empty directory; each command's exit code and the output lines shown are checked."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "docs" / "tutorial.md"
STEP = re.compile(r"<!-- (file|run): ([^ ]+) -->\n```[a-z]*\n(.*?)```", re.DOTALL)


def test_the_tutorial_runs_as_written(tmp_path: Path) -> None:
    steps = STEP.findall(TUTORIAL.read_text("utf-8"))
    assert [kind for kind, _arg, _body in steps].count("run") >= 5
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    for kind, arg, body in steps:
        if kind == "file":
            path = tmp_path / arg
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(body, "utf-8")
            continue
        expected_exit = int(arg.removeprefix("exit="))
        lines = body.splitlines()
        commands = [line[2:] for line in lines if line.startswith("$ ")]
        shown = [line.strip() for line in lines if not line.startswith("$ ") and line.strip()]
        for i, command in enumerate(commands):
            proc = subprocess.run(
                ["bash", "-c", command],
                cwd=tmp_path,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            last = i == len(commands) - 1
            want = expected_exit if last else 0
            assert proc.returncode == want, f"{command}: exit {proc.returncode}\n{proc.stderr}"
        output = [line.strip() for line in (proc.stdout + proc.stderr).splitlines()]
        for line in shown:
            assert any(line in got for got in output), f"{commands[-1]}: no line with {line!r}"
