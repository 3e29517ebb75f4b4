"""``jurisdiction serve``: the decision service; ``jurisdiction replay``: a decision log decided
again (docs/service.md)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .options import OVERLAYS, POLICY

if TYPE_CHECKING:
    from .._api import Engine

__all__ = ["replay_command", "serve_command"]

_LOOPBACK = ("127.0.0.1", "::1", "localhost")


@click.command("serve")
@click.argument(
    "policy_arg",
    required=False,
    type=click.Path(path_type=Path, exists=False),
    metavar="[POLICY]",
)
@POLICY
@OVERLAYS
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--token-file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    metavar="FILE",
    help="Require `Authorization: Bearer <token>` (the file's first line) on /v1/ and "
    "/openapi.json; also enables POST /v1/admin/reload.",
)
@click.option(
    "--decision-log",
    default=None,
    metavar="FILE|-",
    help="Append one JSON line per decision to FILE (or standard output).",
)
@click.option(
    "--log-facts/--hash-facts",
    default=False,
    show_default=True,
    help="Log each decision's facts (replayable), or only their SHA-256.",
)
@click.option("--max-body", default=1 << 20, show_default=True, help="Largest body, in bytes.")
@click.option(
    "--max-decisions",
    default=1000,
    show_default=True,
    help="Most decisions one POST /v1/decide may ask.",
)
@click.option(
    "--timeout",
    default=10.0,
    show_default=True,
    help="Seconds a body may take to arrive, and a request of several decisions to decide.",
)
@click.option(
    "--no-reload-check",
    is_flag=True,
    help="On reload, only load the new policy; by default it must also pass `check`.",
)
@click.option("--access-log", is_flag=True, help="Log every request (uvicorn's access log).")
def serve_command(
    policy_arg: Path | None,
    policy_dir: Path | None,
    overlays_dir: Path | None,
    host: str,
    port: int,
    token_file: Path | None,
    decision_log: str | None,
    log_facts: bool,
    max_body: int,
    max_decisions: int,
    timeout: float,
    no_reload_check: bool,
    access_log: bool,
) -> None:
    """Serve decisions over HTTP: POST /v1/decide/{question} with a fact set as
    JSON; the contract at /openapi.json; the caseworker page at /.

    Binds 127.0.0.1 unless --host says otherwise. SIGHUP (or POST
    /v1/admin/reload with the token) loads and checks the policy again and
    swaps it in; a policy that fails keeps the old one serving. Needs
    pip install 'jurisdiction[serve]'. See docs/service.md.
    """
    from .common import reports_errors

    @reports_errors
    def start() -> None:
        try:
            import starlette  # noqa: F401
            import uvicorn  # noqa: F401
        except ImportError:
            click.echo(
                "error: the service needs its extra: pip install 'jurisdiction[serve]'", err=True
            )
            sys.exit(6)
        from ..service.log import DecisionLog
        from ..service.run import run
        from ..service.service import Service, Settings

        if policy_arg is not None and policy_dir is not None:
            raise click.UsageError("give the policy as POLICY or as --policy, not both")
        token = None
        if token_file is not None:
            lines = token_file.read_text("utf-8").splitlines()
            token = lines[0].strip() if lines else ""
            if len(token) < 16:
                raise click.UsageError(
                    "the token file's first line must hold 16 characters or more"
                )
        if host not in _LOOPBACK:
            click.echo(f"serving on {host}: reachable from other machines", err=True)
        settings = Settings(
            policy_dir=policy_arg or policy_dir,
            overlays_dir=overlays_dir,
            token=token,
            max_body_bytes=max_body,
            max_decisions=max_decisions,
            timeout_seconds=timeout,
            check_on_reload=not no_reload_check,
        )
        try:
            log = DecisionLog(decision_log, with_facts=log_facts) if decision_log else None
        except OSError as exc:
            raise click.UsageError(f"cannot write the decision log: {exc}") from None
        service = Service(settings, decision_log=log)
        policy = service.engine.policy
        click.echo(f"policy {policy.name} {policy.fingerprint}", err=True)
        run(service, host, port, access_log=access_log)

    start()


@click.command("replay")
@click.argument("log", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True))
@POLICY
@OVERLAYS
@click.option("--quiet", is_flag=True, help="Print only the summary and the changed decisions.")
def replay_command(
    log: Path, policy_dir: Path | None, overlays_dir: Path | None, quiet: bool
) -> None:
    """Decide each decision of a decision LOG (- for standard input) again and
    report those the current policy answers differently.

    Only decisions logged with their facts (serve --log-facts) can be decided
    again; the others are counted. Exit 0 when every replayed decision is the
    same, 1 when any changed or could not be decided.
    """
    from .common import engine_for, reports_errors

    @reports_errors
    def go() -> None:
        engine = engine_for(policy_dir, overlays=overlays_dir)
        counts = {"same": 0, "changed": 0, "no_facts": 0, "error": 0}
        if str(log) == "-":
            _replay_lines(engine, iter(sys.stdin.readline, ""), counts, quiet)
        else:
            with log.open(encoding="utf-8") as lines:
                _replay_lines(engine, lines, counts, quiet)
        click.echo(
            f"{counts['same']} same, {counts['changed']} changed, {counts['error']} failed, "
            f"{counts['no_facts']} without facts (policy {engine.policy.fingerprint})",
            err=True,
        )
        if counts["changed"] or counts["error"]:
            sys.exit(1)

    go()


def _replay_lines(
    engine: Engine, lines: Iterator[str], counts: dict[str, int], quiet: bool
) -> None:
    from ..service.log import replay

    for found in replay(engine, lines):
        counts[found.status] += 1
        if found.status in ("changed", "error") or not quiet:
            detail = f": {found.detail}" if found.detail else ""
            click.echo(f"line {found.line} {found.decision_id or '-'}: {found.status}{detail}")
