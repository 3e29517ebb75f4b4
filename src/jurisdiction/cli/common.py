"""What the commands share: errors reported as exit codes, facts files read, the engine loaded."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ..core.collector import paused
from ..core.errors import FactsError, JurisdictionError
from ..core.paths import bundled_policy_path

if TYPE_CHECKING:
    from pydantic import BaseModel

    from .._api import Engine
    from ..engine.engine import Evaluator
    from ..policy.model import Policy
    from ..policy.strict_yaml import LocatedDocument

__all__ = [
    "engine_for",
    "guarded",
    "load_policy_for",
    "read_facts",
    "read_stdin",
    "reports_errors",
]

F = TypeVar("F", bound=Callable[..., Any])


EXIT_IO = 7
"""A file cannot be read or written for a reason outside the library (exit code)."""
EXIT_INTERRUPTED = 130
"""SIGINT (Ctrl-C): 128 + 2, as a shell gives it."""
EXIT_INTERNAL = 70
"""A defect of the library itself (EX_SOFTWARE), to be fixed by us."""


def reports_errors(func: F) -> F:
    """Turn our exceptions into one line on stderr and the exit code of their class, and
    everything else as :func:`guarded` does."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except JurisdictionError as exc:
            kind = type(exc).__name__
            click.echo(f"error ({kind}): {exc}", err=True)
            sys.exit(exc.exit_code)

    return guarded(wrapper)  # type: ignore[return-value]


def guarded(func: F) -> F:
    """Every other exception as one line on stderr and a documented exit code (docs/errors.md):
    a file the system cannot read or write 7; Ctrl-C 130; anything else is a defect of ours, 70
    (``JURISDICTION_DEBUG=1`` shows its traceback)."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("error: interrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            click.echo(f"error (OSError): {where}{exc.strerror or exc}", err=True)
            sys.exit(EXIT_IO)
        except Exception as exc:
            if os.environ.get("JURISDICTION_DEBUG"):
                raise
            first = (str(exc).strip().splitlines() or [""])[0][:300]
            click.echo(
                f"error (internal, {type(exc).__name__}): {first} - a defect of jurisdiction: "
                "please report it (JURISDICTION_DEBUG=1 shows where)",
                err=True,
            )
            sys.exit(EXIT_INTERNAL)

    return wrapper  # type: ignore[return-value]


def read_facts(path: Path, engine: Engine) -> list[BaseModel]:
    """The fact sets of a facts file, or of standard input when ``path`` is ``-``."""
    from ..policy.facts_files import read_facts_bytes, read_facts_file

    doc = read_facts_bytes(read_stdin()) if str(path) == "-" else read_facts_file(path)
    value = doc.value
    items: list[tuple[tuple[str | int, ...], Any]]
    items = [((i,), v) for i, v in enumerate(value)] if isinstance(value, list) else [((), value)]
    if not items:
        raise FactsError("the facts file holds no fact set", source=path)
    return [_one_fact_set(doc, where, v, engine) for where, v in items]


def read_stdin() -> bytes:
    """Standard input, read to its end (a byte over the facts limit is enough to refuse it)."""
    from ..policy.files import MAX_FACTS_BYTES

    data: bytes = sys.stdin.buffer.read(MAX_FACTS_BYTES + 1)
    return data


def _one_fact_set(
    doc: LocatedDocument, where: tuple[str | int, ...], value: Any, engine: Engine
) -> BaseModel:
    from pydantic import ValidationError

    location = doc.location(where)
    if not isinstance(value, dict):
        raise FactsError(f"{location}: a fact set is a mapping with a `kind`")
    try:
        return engine.parse_facts(value)  # the subjects of the policy asked, not the bundled
    except FactsError as exc:
        cause = exc.__cause__
        if isinstance(cause, ValidationError):
            lines = []
            for err in cause.errors():
                path = tuple(p for p in err["loc"][1:] if isinstance(p, str | int))
                loc = doc.location((*where, *path))
                field = ".".join(str(p) for p in path) or "facts"
                lines.append(f"{loc}: {field}: {err['msg']}")
            raise FactsError("invalid facts:\n" + "\n".join(lines)) from cause
        raise FactsError(f"{location}: {exc}") from exc


def load_policy_for(policy_dir: Path | None) -> Policy:
    with paused():  # see engine_for
        from ..policy.load import load_policy

        return load_policy(policy_dir if policy_dir is not None else bundled_policy_path())


def engine_for(
    policy_dir: Path | None, evaluator: Evaluator = "compiled", overlays: Path | None = None
) -> Engine:
    """The engine of a command: its modules imported and its policy loaded with the collector
    paused (they allocate much and free little: see ``core.collector``)."""
    with paused():
        from .._api import load

        return load(policy_dir, evaluator=evaluator, overlays=overlays)
