"""Command-line options that several commands share, defined once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

__all__ = ["AS_OF", "IDS", "LANG", "OVERLAYS", "POLICY", "output_file", "text_or_json"]

_F = TypeVar("_F", bound=Callable[..., Any])

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
AS_OF = click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    metavar="YYYY-MM-DD",
    help="Decide as of this day: what was in force then decides. Default: the date field the "
    "policy names as dating the case, if the facts have it; else today. Every decision says "
    "which day it used and why.",
)
LANG = click.option(
    "--lang",
    type=click.Choice(["en", "zh"]),
    default="en",
    show_default=True,
    help="Language of the text output.",
)

IDS = click.option(
    "--ids",
    is_flag=True,
    help="Show the question, value, rule and parameter identifiers in text output "
    "(a caseworker reads the titles and articles; JSON always has them).",
)


def text_or_json(help: str = "Text for people, JSON for programs.") -> Callable[[_F], _F]:
    """``--format text|json`` (the parameter ``fmt``), text by default."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["text", "json"]),
        default="text",
        show_default=True,
        help=help,
    )


def output_file(what: str) -> Callable[[_F], _F]:
    """``-o/--output FILE`` (the parameter ``output``): write ``what`` there, not to stdout."""
    return click.option(
        "-o",
        "--output",
        type=click.Path(path_type=Path, dir_okay=False, writable=True),
        default=None,
        metavar="FILE",
        help=f"Write {what} to FILE instead of standard output.",
    )
