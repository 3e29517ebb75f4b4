"""``jurisdiction diff OLD NEW``: what an edit of a policy changes, and for whom."""

from __future__ import annotations

import datetime
import json
import sys
from pathlib import Path

import click

from .options import text_or_json

__all__ = ["diff_command"]


@click.command("diff")
@click.argument("old", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.argument(
    "new", required=False, type=click.Path(path_type=Path, file_okay=False, exists=True)
)
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    metavar="YYYY-MM-DD",
    help="Compare OLD and NEW as each stands on this day (default: today).",
)
@click.option(
    "--at",
    "at",
    multiple=True,
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="Give twice, without NEW: compare the policy OLD on the first day with itself on the "
    "second.",
)
@text_or_json()
def diff_command(
    old: Path,
    new: Path | None,
    as_of: datetime.datetime | None,
    at: tuple[datetime.datetime, ...],
    fmt: str,
) -> None:
    """Compare two policy directories (overlays included) exactly, or one
    policy on two days (--at D1 --at D2).

    Each question's fact space is cut at the union of both policies' thresholds
    and values, every class is decided by both, and each change of answer is
    printed as feature ranges and values (its regions joined where the union
    is exact, the rest as "or" alternatives) with the old and the new answer
    and the rules and articles behind them, tagged answer (outcome or value),
    body (who answers) or reason-text-only. The first line counts the changes
    per question and kind. No output but "no difference" proves the two
    policies decide every case alike.

    A policy that dates what it answers (docs/time.md) is compared as it
    stands on one day: --as-of (default today) for OLD and NEW; with --at, the
    same policy on the first day and on the second.

    \b
    Examples:
      jurisdiction diff policies/ my-edit/
      jurisdiction diff policies/ --at 2015-12-31 --at 2016-01-01

    Classes of cases that neither policy's realiser can construct nor prove
    impossible are not compared: the output says how many, for which question
    and why (INCOMPLETE, as `check-incomplete`).

    Exit codes: 0 no difference, 1 they differ, 2 usage, 3 a policy does not
    load, 8 no difference found but the comparison is incomplete.
    """
    from ..analysis.diff import diff_policies
    from ..core.errors import JurisdictionError
    from ..policy.dated import policy_on
    from ..policy.load import load_policy

    if new is None and len(at) != 2:
        raise click.UsageError("give NEW, or the policy OLD with --at twice (two days)")
    if new is not None and at:
        raise click.UsageError("--at compares one policy on two days: give OLD only")
    try:
        if new is None:
            policy = load_policy(old)
            first, second = policy_on(policy, at[0].date()), policy_on(policy, at[1].date())
        else:
            day = as_of.date() if as_of is not None else datetime.date.today()
            first, second = policy_on(load_policy(old), day), policy_on(load_policy(new), day)
        result = diff_policies(first, second)
    except JurisdictionError as exc:
        click.echo(f"error ({type(exc).__name__}): {exc}", err=True)
        sys.exit(exc.exit_code)
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(result.render())
    if result.differs:
        sys.exit(1)
    if not result.complete:
        sys.exit(8)  # as an incomplete check (docs/errors.md)
