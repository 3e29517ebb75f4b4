"""``jurisdiction diff OLD NEW``: what an edit of a policy changes, and for whom."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .options import text_or_json

__all__ = ["diff_command"]


@click.command("diff")
@click.argument("old", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.argument("new", type=click.Path(path_type=Path, file_okay=False, exists=True))
@text_or_json()
def diff_command(old: Path, new: Path, fmt: str) -> None:
    """Compare two policy directories (overlays included) exactly.

    Each question's fact space is cut at the union of both policies' thresholds
    and values, every class is decided by both, and each region whose answer
    changes is printed as feature ranges and values with the old and the new
    answer and the rules and articles behind them. No output but "no
    difference" proves the two policies decide every case alike.

    Exit codes: 0 no difference, 1 they differ, 3 a policy does not load.
    """
    from ..analysis.diff import diff_policies
    from ..core.errors import JurisdictionError
    from ..policy.load import load_policy

    try:
        result = diff_policies(load_policy(old), load_policy(new))
    except JurisdictionError as exc:
        click.echo(f"error ({type(exc).__name__}): {exc}", err=True)
        sys.exit(exc.exit_code)
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(result.render())
    if result.differs:
        sys.exit(1)
