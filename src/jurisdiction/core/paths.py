"""Where the package keeps its data: a module that imports nothing heavy, for the command line."""

from __future__ import annotations

from pathlib import Path

__all__ = ["bundled_policy_path"]


def bundled_policy_path() -> Path:
    """The policy shipped with the package (or, in a source checkout, the top-level folder)."""
    here = Path(__file__).resolve().parent.parent  # the package's folder
    packaged = here / "policies"
    if packaged.is_dir():
        return packaged
    checkout = here.parent.parent / "policies"
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError("the bundled policy is missing from this installation")
