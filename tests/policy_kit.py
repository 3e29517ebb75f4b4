"""Helpers to build small policies in a temporary directory for tests."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "policies"


_KEEP = ("policy.yaml", "articles.yaml", "facts.yaml")


def base_policy(tmp: Path, *, keep: tuple[str, ...] = _KEEP) -> Path:
    """A policy directory with the bundled policy.yaml and articles.yaml, and no questions."""
    root = tmp / "policy"
    root.mkdir()
    for name in keep:
        shutil.copy(BUNDLED / name, root / name)
    return root


def copy_bundled(tmp: Path) -> Path:
    """A full copy of the bundled policy (with its overlays, if any)."""
    root = tmp / "bundled"
    shutil.copytree(BUNDLED, root)
    return root


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path
