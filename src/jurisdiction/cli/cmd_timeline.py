"""``jurisdiction timeline [POLICY]``: every day on which the policy's answers change."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .options import text_or_json

CHECK_INCOMPLETE = 8
"""The exit code of an incomplete check, diff or timeline (docs/errors.md)."""

__all__ = ["timeline_command"]


@click.command("timeline")
@click.argument(
    "policy_dir", required=False, type=click.Path(path_type=Path, exists=True), metavar="[POLICY]"
)
@click.option("--changes-only", is_flag=True, help="Only the days on which some answer changes.")
@text_or_json()
def timeline_command(policy_dir: Path | None, changes_only: bool, fmt: str) -> None:
    """List every day on which what POLICY answers changes (default: the bundled policy).

    A day is a break of the policy's time: a period of force that starts or
    ends, a dated parameter value, an amendment in force (docs/time.md). For
    each, the instruments in force from it, and each question whose answer
    changes that day, region by region of its facts, with the answer the day
    before and the answer from that day (as `jurisdiction diff`). A day that
    changes no answer (a caution, a renamed body) says so.

    \b
    Examples:
      jurisdiction timeline
      jurisdiction timeline --changes-only --format json
      jurisdiction diff --at 2015-12-31 --at 2016-01-01   # one day's changes

    A day on which some classes of cases could be neither constructed nor
    proved impossible says so (INCOMPLETE, as `check-incomplete`): its list
    of changes may miss some.

    Exit codes: 0 listed (also for a policy with nothing dated), 3 the policy
    does not load, 8 listed but incomplete on some day (docs/errors.md).
    """
    from ..analysis.timeline import timeline
    from .common import load_policy_for, reports_errors

    @reports_errors
    def run() -> bool:
        policy = load_policy_for(policy_dir)
        days = list(timeline(policy))
        complete = all(c.diff.complete for c in days)
        changes = [c for c in days if c.answers_change or not c.diff.complete or not changes_only]
        if fmt == "json":
            data = {
                "policy": policy.name,
                "complete": complete,
                "days": [c.to_dict() for c in changes],
            }
            click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        elif policy.dating is None:
            click.echo("the policy dates nothing: it answers alike on every day")
        else:
            click.echo("\n".join(c.render() for c in changes) or "no day changes an answer")
        return complete

    if not run():
        sys.exit(CHECK_INCOMPLETE)
