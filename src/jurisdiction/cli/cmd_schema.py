"""``jurisdiction schema KIND``: the JSON Schema of a kind of file, for editors and validators."""

from __future__ import annotations

from pathlib import Path

import click

from .options import output_file

__all__ = ["schema_command"]


@click.command("schema")
@click.argument(
    "kind", type=click.Choice(["policy", "overlay", "facts", "cases", "decision"]), required=False
)
@click.option(
    "--policy",
    "policy_dir",
    type=click.Path(path_type=Path, exists=False),
    default=None,
    metavar="DIR",
    help="For `facts`: the policy whose fact sets it describes (default: the bundled one).",
)
@click.option(
    "--write",
    "write_dir",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=None,
    metavar="DIR",
    help="Write the policy, overlay, cases and facts schemas into the policy directory DIR "
    "(as <kind>.schema.json, its facts schema from its own facts), instead of printing one.",
)
@click.option(
    "--modelines",
    is_flag=True,
    help="With --write: give each YAML file of DIR (and of its overlays/ and cases/) a first "
    "line naming the schema beside it, by a relative path a copy of DIR keeps.",
)
@output_file("the schema")
def schema_command(
    kind: str | None,
    policy_dir: Path | None,
    write_dir: Path | None,
    modelines: bool,
    output: Path | None,
) -> None:
    """Print the JSON Schema (draft 2020-12) of a KIND of file.

    policy: a policy file; overlay: a district overlay file; facts: a facts
    file of the policy (one fact set or a list); cases: a file of test cases;
    decision: a decision as `decide --format json` and the service write it.
    They are generated from the models the loader validates with. The package
    ships them (schemas/ beside the bundled policy); a YAML file whose first
    line is `# yaml-language-server: $schema=PATH` is completed and validated
    while one types in editors that read that line.

    `--write DIR` writes them beside a policy instead (DIR/policy.schema.json,
    overlay, cases, facts), and `--modelines` points each YAML file of DIR at
    them by a relative path: editor support that survives copying the folder.
    """
    from .common import reports_errors
    from .schemas import render_schema, schema, set_modelines, write_beside

    if write_dir is None and kind is None:
        raise click.UsageError("name a KIND of schema to print, or --write DIR")
    if write_dir is not None and (kind is not None or output is not None):
        raise click.UsageError("--write DIR writes every schema of a policy: no KIND, no -o")
    if modelines and write_dir is None:
        raise click.UsageError("--modelines goes with --write DIR")

    @reports_errors
    def run() -> None:
        if write_dir is not None:
            for path in write_beside(write_dir):
                click.echo(f"wrote {path}", err=True)
            for path in set_modelines(write_dir) if modelines else []:
                click.echo(f"modeline set in {path}", err=True)
            return
        assert kind is not None
        text = render_schema(schema(kind, policy_dir))  # type: ignore[arg-type]
        if output is None:
            click.echo(text, nl=False)
        else:
            output.write_text(text, encoding="utf-8")
            click.echo(f"wrote {output}", err=True)

    run()
