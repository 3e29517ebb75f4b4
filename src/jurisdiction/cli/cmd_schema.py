"""``jurisdiction schema KIND``: the JSON Schema of a kind of file, for editors and validators."""

from __future__ import annotations

from pathlib import Path

import click

from .options import output_file

__all__ = ["schema_command"]


@click.command("schema")
@click.argument("kind", type=click.Choice(["policy", "overlay", "facts", "cases", "decision"]))
@click.option(
    "--policy",
    "policy_dir",
    type=click.Path(path_type=Path, exists=False),
    default=None,
    metavar="DIR",
    help="For `facts`: the policy whose fact sets it describes (default: the bundled one).",
)
@output_file("the schema")
def schema_command(kind: str, policy_dir: Path | None, output: Path | None) -> None:
    """Print the JSON Schema (draft 2020-12) of a KIND of file.

    policy: a policy file; overlay: a district overlay file; facts: a facts
    file of the policy (one fact set or a list); cases: a file of test cases;
    decision: a decision as `decide --format json` and the service write it.
    They are generated from the models the loader validates with. The package
    ships them (schemas/ beside the bundled policy); a YAML file whose first
    line is `# yaml-language-server: $schema=PATH` is completed and validated
    while one types in editors that read that line.
    """
    from .common import reports_errors
    from .schemas import render_schema, schema

    @reports_errors
    def run() -> None:
        text = render_schema(schema(kind, policy_dir))  # type: ignore[arg-type]
        if output is None:
            click.echo(text, nl=False)
        else:
            output.write_text(text, encoding="utf-8")
            click.echo(f"wrote {output}", err=True)

    run()
