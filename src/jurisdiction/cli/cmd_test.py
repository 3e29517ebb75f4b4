"""``jurisdiction test``: run YAML test cases, like pytest, with article and rule coverage."""

from __future__ import annotations

import datetime
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .options import AS_OF, IDS, text_or_json

if TYPE_CHECKING:
    from ..testing.cases import CaseResult, Coverage

__all__ = ["test_command"]


def _split_arguments(paths: Sequence[Path]) -> tuple[Path | None, list[Path]]:
    """POLICY is the first argument when it is a directory holding a policy."""
    if paths and paths[0].is_dir() and (paths[0] / "policy.yaml").is_file():
        return paths[0], list(paths[1:])
    return None, list(paths)


def _default_cases(policy: Path | None) -> list[Path]:
    for candidate in ([policy / "cases"] if policy else []) + [Path("tests") / "cases"]:
        if candidate.is_dir():
            return [candidate]
    return []


def _print_report(
    results: Sequence[CaseResult],
    errors: Sequence[str],
    cov: Coverage | None,
    below: float | None,
    ids: bool = False,
) -> None:
    """The failures, expected-vs-got, the invalid files, then the coverage."""
    failed = [r for r in results if not r.passed]
    if failed or errors:
        click.echo("\n" + " FAILURES ".center(72, "="))
    for result in failed:
        click.echo(f" {result.id} ".center(72, "_"))
        click.echo(result.report(ids=ids))
    for error in errors:
        click.echo(" invalid case file ".center(72, "_"))
        click.echo(error)
    if cov is not None:
        click.echo("\n" + " coverage ".center(72, "-"))
        click.echo(cov.render())
        if below is not None:
            click.echo(f"coverage below --min-coverage {below:g}%")


@click.command("test")
@click.argument(
    "paths", nargs=-1, type=click.Path(path_type=Path, exists=True), metavar="[POLICY] [CASES...]"
)
@click.option(
    "--coverage",
    "show_coverage",
    is_flag=True,
    help="Report, per article, item and rule, whether some case exercised it.",
)
@click.option(
    "--min-coverage",
    type=click.FloatRange(0, 100),
    default=None,
    metavar="N",
    help="Fail (exit 1) when article/item or rule coverage is below N percent.",
)
@AS_OF
@IDS
@text_or_json()
def test_command(
    paths: Sequence[Path],
    show_coverage: bool,
    min_coverage: float | None,
    as_of: datetime.datetime | None,
    ids: bool,
    fmt: str,
) -> None:
    """Run the YAML test cases in CASES against POLICY.

    POLICY is a policy directory (default: the bundled policy); CASES are case
    files or directories of them (default: POLICY/cases, else tests/cases).
    A case gives facts, a question and the decision expected (outcome, bodies,
    citations, rules, overlays), optionally with parameter values of its own;
    see docs/testing.md. A case is decided as of its own `as_of`, else its
    file's, else --as-of, else as decide does (the facts' date, or today).
    Prints a dot per passing case and F per failing one, then each failure
    as expected-vs-got (with the rules that fired, under --ids).

    Exit codes: 0 all passed (and coverage reached), 1 failures or coverage
    below --min-coverage, 2 a case file is invalid, 3 the policy does not load.
    """
    from ..core.errors import JurisdictionError
    from ..engine.engine import bundled_policy_path
    from ..policy.load import load_policy
    from ..testing.cases import CaseFileError, Engines, case_files, coverage, run_file

    policy_dir, cases = _split_arguments(paths)
    cases = cases or _default_cases(policy_dir)
    files = case_files(cases)
    if not files:
        raise click.UsageError("no case files: name them, or put them in POLICY/cases")
    started = time.perf_counter()
    engines = Engines(policy_dir)
    results: list[CaseResult] = []
    errors: list[str] = []
    text = fmt == "text"
    try:
        for file in files:
            marks = ""
            try:
                day = as_of.date().isoformat() if as_of is not None else None
                for result in run_file(engines, file, day):
                    results.append(result)
                    marks += "." if result.passed else "F"
            except CaseFileError as exc:
                errors.append(str(exc))
                marks += "E"
            if text:
                click.echo(f"{file} {marks}")
    except JurisdictionError as exc:
        click.echo(f"error ({type(exc).__name__}): {exc}", err=True)
        sys.exit(exc.exit_code)
    failed = [r for r in results if not r.passed]
    policy = load_policy(policy_dir if policy_dir is not None else bundled_policy_path())
    cov = coverage(policy, results) if show_coverage or min_coverage is not None else None
    low = (
        cov is not None
        and min_coverage is not None
        and (min(cov.article_percent, cov.rule_percent) < min_coverage)
    )
    if fmt == "json":
        report = {
            "passed": len(results) - len(failed),
            "failed": [{"case": r.id, "problems": list(r.problems)} for r in failed],
            "errors": errors,
            **({"coverage": cov.to_dict()} if cov is not None else {}),
        }
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        _print_report(results, errors, cov, min_coverage if low else None, ids)
        seconds = time.perf_counter() - started
        parts = [f"{len(failed)} failed"] if failed else []
        parts.append(f"{len(results) - len(failed)} passed")
        parts += [f"{len(errors)} invalid file{'s' * (len(errors) != 1)}"] if errors else []
        click.echo(f"{', '.join(parts)} in {seconds:.2f}s")
    if errors:
        sys.exit(2)
    if failed or low:
        sys.exit(1)
