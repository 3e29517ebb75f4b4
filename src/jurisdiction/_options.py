"""Command-line options that several commands share, defined once."""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["LANG", "OVERLAYS", "POLICY"]

POLICY = click.option(
    "--policy",
    "policy_dir",
    type=click.Path(path_type=Path, exists=False),
    default=None,
    metavar="DIR",
    help="Policy directory to use instead of the bundled one.",
)
OVERLAYS = click.option(
    "--overlays",
    "overlays_dir",
    type=click.Path(path_type=Path, exists=True, file_okay=False),
    default=None,
    metavar="DIR",
    help="A folder of overlay files (<place>.yaml) to decide with, besides the policy's own.",
)
LANG = click.option(
    "--lang",
    type=click.Choice(["en", "zh"]),
    default="en",
    show_default=True,
    help="Language of the text output.",
)
