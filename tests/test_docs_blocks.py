"""Every code block of the README and docs/ runs as written (issue 23): Python blocks are run, and
so are shell blocks (``sh``) and the commands of ``console`` blocks, in the checkout, with each
console block's shown output lines checked (``...`` stands for lines left out, ``…`` for part of
a line). A block that cannot run here says why, in a comment on the line before it:
``<!-- not-run: the reason -->``; ``<!-- ci:main -->`` and ``<!-- ci:test -->`` blocks are run by
.ci/run, and the tutorial's ``<!-- run: … -->`` blocks by tests/test_tutorial.py, in the folder it
builds. YAML and plain blocks are data (policy files, outputs), not code.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
CODE = ("python", "sh", "console")
FENCE = re.compile(r"^```([a-z]*)\n(.*?)^```$", re.DOTALL | re.MULTILINE)
MARK = re.compile(r"<!-- (not-run: .+|ci:main|ci:test|run: .+|file: .+) -->\s*$")
ENV = {
    **os.environ,
    "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    "NO_COLOR": "1",
}


def _blocks() -> list[tuple[str, str, str, str | None]]:
    """(where, language, body, the mark before it) of every code block."""
    found = []
    for doc in DOCUMENTS:
        text = doc.read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            lang, body = match.group(1), match.group(2)
            if lang not in CODE:
                continue
            before = text[: match.start()].rstrip("\n").splitlines()
            mark = MARK.search(before[-1]) if before else None
            line = text[: match.start()].count("\n") + 1
            found.append(
                (f"{doc.relative_to(ROOT)}:{line}", lang, body, mark.group(1) if mark else None)
            )
    return found


BLOCKS = _blocks()
RUN = [b for b in BLOCKS if b[3] is None]


def test_every_block_runs_or_says_why_not() -> None:
    assert len(RUN) >= 9
    for where, _lang, _body, mark in BLOCKS:
        if mark is not None and mark.startswith("not-run:"):
            assert len(mark.removeprefix("not-run:").strip()) > 10, f"{where}: give the reason"


def _run(args: list[str], where: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        args, cwd=ROOT, env=ENV, capture_output=True, text=True, check=False, timeout=300
    )
    assert proc.returncode == 0, f"{where}: exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


def _shown_in(line: str, output: list[str]) -> bool:
    parts = [p.strip() for p in line.split("…") if p.strip()]
    return any(all(p in got for p in parts) for got in output)


@pytest.mark.parametrize(("where", "lang", "body"), [b[:3] for b in RUN], ids=[b[0] for b in RUN])
def test_the_block_runs_as_written(where: str, lang: str, body: str) -> None:
    if lang == "python":
        _run([sys.executable, "-c", body], where)
    elif lang == "sh":
        _run(["bash", "-euo", "pipefail", "-c", body], where)
    else:
        lines = body.splitlines()
        commands = [line[2:] for line in lines if line.startswith("$ ")]
        shown = [ln.strip() for ln in lines if not ln.startswith("$ ") and ln.strip() != "..."]
        output: list[str] = []
        for command in commands:
            proc = _run(["bash", "-c", command], where)
            output = [ln.strip() for ln in (proc.stdout + proc.stderr).splitlines()]
        for line in filter(None, shown):
            assert _shown_in(line, output), f"{where}: no output line with {line!r}"
