"""Building small policy directories for tests: the bad-policy fixtures and patched copies."""

from __future__ import annotations

import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "policy_errors"
BASE = FIXTURES / "_base"
BUNDLED = HERE.parent / "policies"
EXAMPLE_OVERLAY = HERE.parent / "examples" / "overlays" / "120104.yaml"
"""The illustrative overlay of district 120104 (the bundled policy carries none)."""


def compose(target: Path, *layers: Path) -> Path:
    """A policy directory: the base fixture policy, then each layer's YAML files (and district
    overlays) on top (a file of the same name replaces the one below; ``expect.yaml`` is not part
    of a policy)."""
    target.mkdir(parents=True, exist_ok=True)
    for layer in (BASE, *layers):
        for f in layer.glob("*.yaml"):
            if f.name != "expect.yaml":
                shutil.copy(f, target / f.name)
        if (layer / "overlays").is_dir():
            shutil.copytree(layer / "overlays", target / "overlays", dirs_exist_ok=True)
    return target


def bundled_copy(target: Path) -> Path:
    """A copy of the bundled policy, to patch."""
    shutil.copytree(BUNDLED, target)
    return target


def patch(file: Path, old: str, new: str) -> None:
    """Replace the one occurrence of ``old`` in ``file`` (fails if there is not exactly one)."""
    text = file.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {file}"
    file.write_text(text.replace(old, new), encoding="utf-8")


def line_of(file: Path, needle: str) -> int:
    """The line (from 1) where ``needle`` first occurs in ``file``."""
    for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} is not in {file}")
