"""An older commit of the project beside the working tree, to time it in the same run."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def extracted(rev: str, into: Path) -> Path:
    """``src`` and ``policies`` of commit ``rev`` (``git archive``) in ``into`` (made once: a
    folder that is there already is used as it is); the ``src`` to put on ``PYTHONPATH``."""
    if not into.exists():
        into.mkdir(parents=True)
        archive = subprocess.run(
            ["git", "archive", rev, "src", "policies"], cwd=ROOT, check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into / "src"
