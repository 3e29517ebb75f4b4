"""``jurisdiction batch IN -q Q [-q Q2 ...] -o OUT``: a whole register answered at once."""

from __future__ import annotations

import datetime
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .options import OVERLAYS, POLICY

if TYPE_CHECKING:
    from ..batch.embedded import BatchSummary

__all__ = ["batch_command"]

_FORMATS = click.Choice(["parquet", "csv", "jsonl"])


@click.command("batch")
@click.argument("source", metavar="IN")
@click.option(
    "-q",
    "--question",
    "questions",
    multiple=True,
    required=True,
    metavar="Q",
    help="A question to answer for every row (repeatable; all about one kind of fact set).",
)
@click.option(
    "-o",
    "--output",
    "target",
    required=True,
    metavar="OUT",
    help="The file to write: one row per input row, in input order (with --engine spark, a "
    "directory of part files, as Spark writes; IN and OUT may then be URLs, hdfs://...).",
)
@click.option("--in-format", type=_FORMATS, default=None, help="Format of IN (default: by name).")
@click.option("--out-format", type=_FORMATS, default=None, help="Format of OUT (default: by name).")
@click.option(
    "--id",
    "id_column",
    default=None,
    metavar="COLUMN",
    help="The input column copied to the output to identify a row (default: `id`, if present).",
)
@click.option(
    "--nested",
    is_flag=True,
    help="Bodies as a list of (kind, level, place_code, role, cite, via) structs, citations "
    "and sources as lists; the default is flat text columns, several values joined by '; '.",
)
@click.option(
    "--engine",
    "backend",
    type=click.Choice(["duckdb", "spark"]),
    default="duckdb",
    show_default=True,
    help="DuckDB embedded, or Spark (pip install 'jurisdiction[spark]'; local unless "
    "SPARK_REMOTE or spark-submit says otherwise: docs/batch.md).",
)
@click.option(
    "--memory-limit",
    default=None,
    metavar="SIZE",
    help="DuckDB's memory limit, e.g. 2GB (it streams and spills beyond it).",
)
@click.option(
    "--progress/--no-progress",
    "show_progress",
    default=None,
    help="A progress bar on stderr: rows done of the total (a Parquet file's metadata gives "
    "it; other formats show the share done), rows/s and time left. Default: on when stderr "
    "is a terminal.",
)
@click.option("--quiet", is_flag=True, help="No progress bar (same as --no-progress).")
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    metavar="YYYY-MM-DD",
    help="Decide every row as of this day: what was in force then decides (default: each "
    "row's own day, from --as-of-column or the field the policy dates its cases by, else "
    "today).",
)
@click.option(
    "--as-of-column",
    "as_of_column",
    default=None,
    metavar="COL",
    help="Decide each row as of its own day, the date (YYYY-MM-DD) in column COL of IN: what "
    "was in force that day decides. A row whose COL is empty or not a date gets that as its "
    "error.",
)
@POLICY
@OVERLAYS
def batch_command(
    source: str,
    questions: tuple[str, ...],
    target: str,
    in_format: str | None,
    out_format: str | None,
    id_column: str | None,
    nested: bool,
    backend: str,
    memory_limit: str | None,
    show_progress: bool | None,
    quiet: bool,
    as_of: datetime.datetime | None,
    as_of_column: str | None,
    policy_dir: Path | None,
    overlays_dir: Path | None,
) -> None:
    """Answer questions Q for every row of IN (Parquet, CSV or JSON Lines), writing OUT.

    Each row of IN is a fact set: one column per field of the questions' kind
    (`jurisdiction schema`, `jurisdiction features`), a nested fact set a struct
    column (Parquet, JSON), a list of places a list column. A null cell is an
    absent field. A CSV is read as text and each column cast to its field's
    type.

    \b
    OUT has one row per row of IN, in order: the id column, then for each
    question (its name and a dot before each column when there are several):
      outcome          responsible, not_applicable, undetermined or no_rule
      body_kind, body_level, body_place_code, body_role
                       the bodies, several joined by '; ' (--nested: `bodies`)
      body_body_level  after body_level, where the policy computes a body's
                       own level from its place: each body's ('' if none)
      body_cite        each body's article, as a chain where it applies
                       through another: "VIA → CITE" (--nested: cite, via)
      citations        the articles (and items) the answer rests on
      sources          the district overlay file that decided it, if any
      reason_zh, reason_en
                       why the answer is not_applicable (or other), with the
                       row's values in it, as decide gives it
      error            why the row has no answer: decide's own message
    and once per row:
      as_of            the day the row is decided as of
      as_of_source     given (--as-of), column (--as-of-column), facts (the
                       field the policy dates its cases by) or today

    A row whose facts are invalid (a missing field, an impossible place code,
    an unknown enum value, a broken constraint) is not dropped: it gets its
    `error`, and every other row is answered. A summary of outcomes and errors
    per question is printed on stdout (JSON).

    The questions are compiled to one SQL plan from the policy (same answers
    as `decide`, by construction and by a differential test) and run by
    DuckDB in one streaming pass on all cores: IN may be larger than memory.
    The rows the plan cannot answer itself (invalid facts, a conflict) are
    decided by `decide`, inside the same pass. District overlays are yours
    to add, as for `decide`: --overlays DIR.

    A progress bar (rows done of the total, rows/s, time left) is drawn on
    stderr when it is a terminal; --progress forces it (a line every 10 s
    into a log), --no-progress or --quiet turns it off. The total is known
    for Parquet (from its metadata); for CSV and JSON Lines the bar shows the
    share read.

    \b
    Examples:
      jurisdiction batch units.parquet -q unit_management -o answers.parquet
      jurisdiction batch units.parquet -q unit_management -o answers.parquet \\
          --overlays examples/overlays     # a district's own parameter values
      jurisdiction batch people.csv -q first_child_certificate \\
          -q second_child_approval -o answers.csv --id person_no
      jurisdiction batch units.jsonl -q unit_management -o out.jsonl --nested
      jurisdiction batch 'parts/*.parquet' -q unit_management -o out.parquet
      jurisdiction batch big.parquet -q unit_management -o out.parquet \\
          --memory-limit 2GB --progress 2> progress.log
      jurisdiction schema facts        # the fields (columns) of each kind

    A CSV is read as written, never guessed: comma, double quote, a header
    line. A row with more or fewer fields than the header keeps its place
    and gets an error. OUT is written beside itself and renamed once complete:
    a failure or a signal leaves no OUT (an existing OUT is then untouched).

    \b
    Exit codes (docs/errors.md):
      0    every row answered
      1    some rows have an error (OUT is complete all the same)
      3    policy error
      4    bad question or input (IN unreadable, malformed, IN = OUT)
      6    the batch extra (or Spark) is not installed
      7    OUT cannot be written (folder missing or not writable, disk full)
      130  interrupted (SIGINT), 143 terminated (SIGTERM): no OUT written
    """
    from .common import reports_errors

    @reports_errors
    def run() -> None:
        from ..core.errors import EvaluatorError, FactsError
        from ..engine.engine import load

        try:
            from ..batch.embedded import run_batch
        except ImportError as exc:  # the batch extra is not installed: the environment's fault
            raise EvaluatorError(
                f"jurisdiction batch needs the batch extra: pip install 'jurisdiction[batch]' "
                f"({exc})"
            ) from None
        engine = load(policy_dir, overlays=overlays_dir)
        _check_paths(source, target, backend)
        wanted = sys.stderr.isatty() if show_progress is None else show_progress
        progress = _Progress() if wanted and not quiet else None
        try:
            summary = run_batch(
                engine,
                source,
                questions,
                target,
                in_format=in_format,
                out_format=out_format,
                nested=nested,
                id_column=id_column,
                backend=backend,
                progress=progress,
                memory_limit=memory_limit,
                as_of=as_of.date() if as_of is not None else None,
                as_of_column=as_of_column,
                keep_plan=True,
            )
        except ValueError as exc:
            raise FactsError(str(exc)) from exc
        except ImportError as exc:  # --engine spark without pyspark
            raise EvaluatorError(
                f"--engine {backend} needs its extra: pip install 'jurisdiction[{backend}]' ({exc})"
            ) from None
        except Exception as exc:
            if type(exc).__module__.split(".")[0] not in ("pyspark", "py4j"):
                raise
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise FactsError(f"Spark failed: {first[:300]}") from None
        if progress is not None:
            progress.done(summary)
        click.echo(json.dumps(summary.to_json(), ensure_ascii=False, indent=2))
        if any(summary.errors.values()):
            sys.exit(1)

    run()


def _check_paths(source: str, target: str, backend: str) -> None:
    """IN exists (unless it is a URL or a glob, which the engine resolves); on DuckDB, IN and
    OUT are files (Spark reads and writes directories of part files)."""
    from ..core.errors import FactsError

    local = "://" not in source
    if local and not any(c in source for c in "*?[") and not Path(source).exists():
        raise FactsError(f"no such file: {source}")
    if backend == "duckdb":
        if local and Path(source).is_dir():
            raise FactsError(
                f"IN is a directory: {source}; DuckDB reads a file, or a glob such as "
                f"{source.rstrip('/')}/*.parquet"
            )
        if Path(target).is_dir():
            raise FactsError(f"OUT is a directory: {target}; DuckDB writes one file")


class _Progress:
    """A progress bar on stderr: redrawn in place on a terminal, a line every 10 s otherwise
    (asked for with --progress, into a log)."""

    WIDTH = 30

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.shown = 0.0
        self.tty = sys.stderr.isatty()

    def __call__(self, summary: BatchSummary) -> None:
        now = time.perf_counter()
        if now - self.shown < (0.5 if self.tty else 10):
            return
        self.shown = now
        self.show(summary, now, final=False)

    def line(self, summary: BatchSummary, now: float, *, final: bool) -> str:
        elapsed = max(now - self.started, 1e-9)
        share = 1.0 if final else summary.share
        filled = int(self.WIDTH * share)
        bar = "█" * filled + "·" * (self.WIDTH - filled)
        if summary.total is not None:
            done = summary.total if final else summary.rows
            count = f"{done:,}/{summary.total:,} rows, {done / elapsed:,.0f} rows/s"
        elif final:
            count = f"{summary.rows:,} rows, {summary.rows / elapsed:,.0f} rows/s"
        else:
            count = "rows: counted at the end"
        left = ""
        if not final and 0 < share < 1:
            left = f", about {elapsed * (1 - share) / share:,.0f} s left"
        return f"{bar} {share:4.0%} {count}, {elapsed:,.1f} s{left}"

    def show(self, summary: BatchSummary, now: float, *, final: bool) -> None:
        text = self.line(summary, now, final=final)
        if self.tty:
            click.echo("\r" + text + "\033[K", err=True, nl=final)
        else:
            click.echo(text, err=True)

    def done(self, summary: BatchSummary) -> None:
        self.show(summary, time.perf_counter(), final=True)
