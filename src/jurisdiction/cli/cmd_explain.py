"""``jurisdiction explain FACTS -q Q``: why the answer, and what would change it."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import click

from .options import AS_OF, IDS, LANG, OVERLAYS, POLICY, text_or_json

__all__ = ["explain_command"]


@click.command("explain")
@click.argument("facts", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("-q", "--question", required=True, metavar="Q", help="The question to explain.")
@click.option(
    "--full",
    is_flag=True,
    help="Every rule of Q, node by node (default: the answer, the deciding rule, the nearest "
    "change).",
)
@text_or_json()
@AS_OF
@LANG
@IDS
@POLICY
@OVERLAYS
def explain_command(
    facts: Path,
    question: str,
    full: bool,
    fmt: str,
    as_of: datetime.datetime | None,
    lang: str,
    ids: bool,
    policy_dir: Path | None,
    overlays_dir: Path | None,
) -> None:
    """Explain the answer to question Q for the fact set(s) in FACTS.

    By default, the short form: the answer, the rule that decided it with the
    values it read, and the nearest change of the facts that gives another
    answer (from the exact partition of Q's fact space), with that answer.
    --full: every rule of Q with its condition evaluated node by node (the
    values it read, true or false); which rules fired, which were overridden
    and by which rule; and for each rule that does not apply, the nearest
    change that would make it apply. Text names rules by their articles and
    leaves out identifiers and the conditions as written unless --ids; JSON
    always holds the full explanation.
    """
    from .common import engine_for, read_facts, reports_errors

    @reports_errors
    def run() -> None:
        engine = engine_for(policy_dir, overlays=overlays_dir)
        day = as_of.date() if as_of is not None else None
        explained = [
            engine.explain(model, question, as_of=day) for model in read_facts(facts, engine)
        ]
        if fmt == "json":
            click.echo(json.dumps([e.to_dict() for e in explained], ensure_ascii=False, indent=2))
        else:
            click.echo(
                "\n\n".join(
                    e.render("zh" if lang == "zh" else "en", full=full, ids=ids) for e in explained
                )
            )

    run()
