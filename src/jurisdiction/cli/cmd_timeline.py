"""``jurisdiction timeline [POLICY]``: every day on which the policy's answers change."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .options import text_or_json

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

    Exit codes: 0 listed (also for a policy with nothing dated), 3 the policy
    does not load.
    """
    from ..analysis.timeline import timeline
    from .common import load_policy_for, reports_errors

    @reports_errors
    def run() -> None:
        policy = load_policy_for(policy_dir)
        changes = [c for c in timeline(policy) if c.answers_change or not changes_only]
        if fmt == "json":
            data = {"policy": policy.name, "days": [c.to_dict() for c in changes]}
            click.echo(json.dumps(data, ensure_ascii=False, indent=2))
            return
        if policy.dating is None:
            click.echo("the policy dates nothing: it answers alike on every day")
            return
        click.echo("\n".join(c.render() for c in changes) or "no day changes an answer")

    run()
