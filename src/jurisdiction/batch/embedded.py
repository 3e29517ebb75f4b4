"""The batch evaluator: every row of a table answered by the questions' batch plans, on DuckDB.

``decide_table`` (``Engine.decide_table``) and ``jurisdiction batch`` both come here. The input —
an Arrow table, a Polars or pandas frame, a DuckDB relation, or a Parquet, CSV or JSON Lines file
— becomes a DuckDB relation; one SELECT computes, for each question, the answer columns of every
row (``plan``) and a flag; DuckDB streams the result in record batches, in input order.
Flagged rows (facts the model refuses, a conflict, an answer naming a place the facts lack) are
decided here with ``Engine.decide``, so an invalid row's ``error`` is decide's own message, and a
row the SQL test was too strict about still gets decide's answer. Rows in = rows out.

Imported only when a batch runs: DuckDB, pyarrow and sqlglot are the ``batch`` extra.
"""

from __future__ import annotations

import datetime
import json
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa

from ..core.errors import FactsError
from .plan import (
    BODY_FIELDS,
    output_columns,
)

if TYPE_CHECKING:
    from ..engine.engine import Engine

__all__ = ["BatchSummary", "arrow_schema", "batch_sql", "column_kinds", "decide_table", "run_batch"]

from .query import (
    BatchSummary,
    arrow_schema,
    batch_sql,
    column_kinds,
    decide_row,
    relation_of,
)

FORMATS = ("parquet", "csv", "jsonl")


def format_of(path: str | Path, given: str | None = None) -> str:
    """The file format: given, or from the name's ending."""
    if given:
        return given
    name = str(path).lower()
    for ending, fmt in (
        (".parquet", "parquet"),
        (".pq", "parquet"),
        (".csv", "csv"),
        (".jsonl", "jsonl"),
        (".ndjson", "jsonl"),
        (".json", "jsonl"),
    ):
        if name.endswith(ending):
            return fmt
    raise ValueError(
        f"cannot tell the format of {path} from its name; give --format " + "/".join(FORMATS)
    )


def read_file(con: duckdb.DuckDBPyConnection, path: str | Path, fmt: str) -> Any:
    """A relation over a file, read lazily by DuckDB (a CSV as text: the plan types it)."""
    p = str(path)
    if fmt == "parquet":
        return con.read_parquet(p)
    if fmt == "csv":
        return con.read_csv(p, header=True, all_varchar=True)
    return con.read_json(p, format="newline_delimited")


def _connect() -> duckdb.DuckDBPyConnection:
    """A DuckDB connection of our own for one batch. Its optimizer leaves a list of constants
    ``x IN (a, b, ...)`` a list: by default DuckDB turns a longer list into a join with a table
    of the constants, and a join does not keep the rows in input order (measured: a third of
    a 10,000,000-row output out of place)."""
    con = duckdb.connect()
    con.execute("SET disabled_optimizers = 'in_clause'")
    return con


def _default_id(names: Sequence[str]) -> str | None:
    return "id" if "id" in names else None


_UDF = "jurisdiction_decide"
_SOURCE = "jurisdiction_src"


def _ident(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def _json_type(name: str, nested: bool) -> str:
    """The JSON structure of an answer column, for DuckDB's ``json_transform``."""
    if name == "bodies":
        return "[{" + ", ".join(f'"{f}": "VARCHAR"' for f in BODY_FIELDS) + "}]"
    return '["VARCHAR"]' if nested and name in ("citations", "sources") else '"VARCHAR"'


class _Query:
    """One DuckDB query answering every row of a relation: the plan's SELECT, and for the rows
    it flags, ``decide`` called from the query itself (a Python function DuckDB calls only on
    those rows, on its own threads), so that DuckDB reads, answers and writes in one streaming,
    parallel pass, in input order.

    The function takes the row's facts and gives its answer columns as JSON text: a text in
    and out costs DuckDB a few microseconds a call, a struct ten times more."""

    def __init__(
        self,
        engine: Engine,
        con: duckdb.DuckDBPyConnection,
        relation: Any,
        questions: Sequence[str],
        *,
        nested: bool,
        id_column: str | None,
    ) -> None:
        names = list(relation.columns)
        if id_column is None:
            id_column = _default_id(names)
        elif id_column not in names:
            raise FactsError(
                f"no id column `{id_column}` among the input's columns: " + ", ".join(names)
            )
        select, subject = batch_sql(
            engine,
            questions,
            names,
            [str(t) for t in relation.types],
            nested=nested,
            id_column=id_column,
            source=_SOURCE,
        )
        relation.create_view(_SOURCE, replace=True)
        inner = select.sql(dialect="duckdb")
        self.decided = 0
        lock = threading.Lock()
        asked = list(questions)
        dates = _date_fields(engine, subject)

        def decide(facts: str | None, i: int) -> str:
            with lock:
                self.decided += 1
            raw = _dates_back(json.loads(facts), dates) if facts else {}
            row = decide_row(engine, subject, raw, asked[i], nested)
            return json.dumps(row, ensure_ascii=False)

        text = duckdb.sqltype("VARCHAR")
        create: Any = con.create_function  # its stubs want an enum DuckDB 1.1 lacks
        create(
            _UDF,
            decide,
            [text, duckdb.sqltype("INTEGER")],
            text,
            null_handling="special",
            side_effects=True,
        )
        columns = output_columns(nested)
        structure = "{" + ", ".join(f'"{c}": {_json_type(c, nested)}' for c in columns) + "}"
        decided = ", ".join(
            f'CASE WHEN "_flag_{i}" THEN json_transform({_UDF}(to_json("_facts"), {i}), '
            f"'{structure}') END AS \"_d{i}\""
            for i in range(len(questions))
        )
        prefixes = [f"{q}." if len(questions) > 1 else "" for q in questions]
        keep = [_ident(id_column)] if id_column is not None else []
        picked = [
            f'CASE WHEN "_flag_{i}" THEN "_d{i}".{_ident(c)} ELSE {_ident(p + c)} END '
            f"AS {_ident(p + c)}"
            for i, p in enumerate(prefixes)
            for c in columns
        ]
        self.sql = f"SELECT {', '.join(keep + picked)} FROM (SELECT *, {decided} FROM ({inner}))"
        self.questions = asked


_Dates = Mapping[str, Any]
"""The date fields of a subject, and for each nested subject its own (None for a date)."""


def _date_fields(engine: Engine, subject: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, info in engine.policy.subjects[subject].fields.items():
        if info.kind == "date":
            out[name] = None
        elif info.kind == "subject" and info.subject is not None:
            inner = _date_fields(engine, info.subject)
            if inner:
                out[name] = inner
    return out


def _dates_back(raw: dict[str, Any], dates: _Dates) -> dict[str, Any]:
    """A row's facts read back from JSON, its dates dates again (JSON wrote them as text)."""
    for name, inner in dates.items():
        value = raw.get(name)
        if value is None:
            continue
        if inner is None and isinstance(value, str):
            raw[name] = datetime.date.fromisoformat(value)
        elif isinstance(value, dict):
            _dates_back(value, inner)
    return raw


def _summarised(
    con: duckdb.DuckDBPyConnection, source: str, questions: Sequence[str]
) -> BatchSummary:
    """The outcomes and errors of the answered rows in table or file ``source``."""
    summary = BatchSummary()
    for q in questions:
        p = f"{q}." if len(questions) > 1 else ""
        rows = con.sql(
            f'SELECT "{p}outcome", count(*), count("{p}error") FROM {source} GROUP BY 1'
        ).fetchall()
        summary.outcomes[q] = Counter({o: n for o, n, _e in rows if o is not None})
        summary.errors[q] = sum(e for _o, _n, e in rows)
        summary.rows = sum(n for _o, n, _e in rows)
    return summary


def decide_table(
    engine: Engine,
    table: Any,
    question: str | Sequence[str],
    *,
    nested: bool = False,
    id_column: str | None = None,
    backend: str = "duckdb",
    summary: BatchSummary | None = None,
    as_of: datetime.date | str | None = None,
) -> pa.Table:
    """Every row of ``table`` answered (see ``Engine.decide_table``) as of ``as_of`` (default:
    today); ``summary``, if given, is filled in."""
    engine = engine.at(as_of if as_of is not None else datetime.date.today())
    questions = [question] if isinstance(question, str) else list(question)
    for q in questions:
        engine.question(q)  # an unknown question fails here, with its suggestion
    if backend == "spark":
        from .spark import decide_table_spark

        return decide_table_spark(
            engine, table, questions, nested=nested, id_column=id_column, summary=summary
        )
    if backend != "duckdb":
        raise ValueError(f"unknown batch engine `{backend}`; choose duckdb or spark")
    started = time.perf_counter()
    con = _connect()
    try:
        query = _Query(
            engine,
            con,
            relation_of(con, table),
            questions,
            nested=nested,
            id_column=id_column,
        )
        result = con.sql(query.sql)
        out: pa.Table = (
            result.to_arrow_table()
            if hasattr(result, "to_arrow_table")  # DuckDB 1.4 and later
            else result.fetch_arrow_table()
        )
        if summary is not None:
            con.register("jurisdiction_out", out)
            done = _summarised(con, "jurisdiction_out", questions)
            _fill(summary, done, query.decided, time.perf_counter() - started)
    finally:
        con.close()
    return out


def _fill(summary: BatchSummary, done: BatchSummary, decided: int, seconds: float) -> None:
    summary.rows, summary.outcomes, summary.errors = done.rows, done.outcomes, done.errors
    summary.decided_in_python, summary.seconds = decided, seconds


# --- files ---------------------------------------------------------------------------------------


def _copy_options(fmt: str) -> str:
    return {"parquet": "FORMAT PARQUET", "csv": "FORMAT CSV, HEADER", "jsonl": "FORMAT JSON"}[fmt]


def count_rows(con: duckdb.DuckDBPyConnection, source: str | Path, fmt: str) -> int | None:
    """The rows of a file, where they are known without reading it (a Parquet's metadata)."""
    if fmt != "parquet":
        return None
    (found,) = con.execute(
        "SELECT sum(num_rows) FROM parquet_file_metadata(?)", [str(source)]
    ).fetchall()
    return int(found[0]) if found[0] is not None else None


class _Watch:
    """Calls ``progress`` about twice a second while a query runs, with the rows done as far
    as DuckDB's own progress tells (a share of the total when the total is known)."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        progress: Callable[[BatchSummary], None],
        summary: BatchSummary,
    ) -> None:
        self.con, self.progress, self.summary = con, progress, summary
        self.stop = threading.Event()
        self.started = time.perf_counter()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        while not self.stop.wait(0.5):
            share = self.con.query_progress()
            if share < 0:
                continue
            self.summary.share = min(share / 100, 1.0)
            if self.summary.total is not None:
                self.summary.rows = int(self.summary.total * self.summary.share)
            self.summary.seconds = time.perf_counter() - self.started
            self.progress(self.summary)

    def __enter__(self) -> _Watch:
        self.con.execute("SET enable_progress_bar = true")
        self.con.execute("SET enable_progress_bar_print = false")
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()


def run_batch(
    engine: Engine,
    source: str | Path,
    questions: Sequence[str],
    target: str | Path,
    *,
    in_format: str | None = None,
    out_format: str | None = None,
    nested: bool = False,
    id_column: str | None = None,
    backend: str = "duckdb",
    progress: Callable[[BatchSummary], None] | None = None,
    memory_limit: str | None = None,
    as_of: datetime.date | str | None = None,
) -> BatchSummary:
    """Answer ``questions`` for every row of the file ``source``, writing ``target``: one
    DuckDB statement, ``COPY (the plan) TO target``, that streams (a file larger than memory
    goes through) and runs on all cores. ``progress``, if given, is called about twice a
    second with the summary so far (its ``total`` set where the file's metadata gives it).
    Every row is decided as of ``as_of`` (default: today), by the policy as it stands then."""
    engine = engine.at(as_of if as_of is not None else datetime.date.today())
    fin, fout = format_of(source, in_format), format_of(target, out_format)
    if nested and fout == "csv":
        raise ValueError(
            "a CSV file holds flat columns only; drop --nested or write Parquet or JSON Lines"
        )
    for q in questions:
        engine.question(q)
    if backend == "spark":
        from .spark import run_batch_spark

        return run_batch_spark(
            engine,
            source,
            questions,
            target,
            in_format=fin,
            out_format=fout,
            nested=nested,
            id_column=id_column,
        )
    started = time.perf_counter()
    summary = BatchSummary()
    con = _connect()
    try:
        if memory_limit:
            con.execute(f"SET memory_limit = '{_checked_size(memory_limit)}'")
        if progress is not None:  # the total only tells the progress bar how far it is
            summary.total = count_rows(con, source, fin)
        query = _Query(
            engine,
            con,
            read_file(con, source, fin),
            questions,
            nested=nested,
            id_column=id_column,
        )
        statement = f"COPY ({query.sql}) TO '{_quoted(target)}' ({_copy_options(fout)})"
        if progress is not None:
            with _Watch(con, progress, summary):
                con.execute(statement)
        else:
            con.execute(statement)
        done = _summarised(con, _reader_sql(target, fout), questions)
        _fill(summary, done, query.decided, time.perf_counter() - started)
    finally:
        con.close()
    return summary


def _quoted(path: str | Path) -> str:
    return str(path).replace("'", "''")


def _reader_sql(path: str | Path, fmt: str) -> str:
    p = _quoted(path)
    if fmt == "parquet":
        return f"read_parquet('{p}')"
    if fmt == "csv":
        return f"read_csv('{p}', header = true, all_varchar = true)"
    return f"read_json('{p}', format = 'newline_delimited')"


def _checked_size(size: str) -> str:
    if not re.fullmatch(r"\s*[0-9]+(\.[0-9]+)?\s*[KMGT]?i?B\s*", size, flags=re.IGNORECASE):
        raise ValueError(f"--memory-limit: not a size like 2GB or 500MB: {size!r}")
    return size.strip()
