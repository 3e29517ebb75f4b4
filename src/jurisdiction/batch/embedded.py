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
import glob
import json
import os
import re
import secrets
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa

from ..core.errors import FactsError, InterruptedRunError, OutputError
from .csv_layout import MALFORMED, csv_header, more_fields
from .plan import (
    body_fields,
    levelled,
    output_columns,
)

if TYPE_CHECKING:
    from ..engine.engine import Engine
    from ..language.subjects import FieldInfo

__all__ = ["BatchSummary", "arrow_schema", "batch_sql", "column_kinds", "decide_table", "run_batch"]

from .days import AS_OF, AS_OF_SOURCE, RowDays, engine_on, row_days
from .query import (
    _INTEGERS,
    BatchSummary,
    _kind_of,
    arrow_schema,
    batch_sql,
    column_kinds,
    decide_row,
    relation_of,
)
from .sql_vocabulary import sql_type

FORMATS = ("parquet", "csv", "jsonl")


def format_of(path: str | Path, given: str | None = None, option: str = "--format") -> str:
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
        f"cannot tell the format of {path} from its name; give {option} " + "/".join(FORMATS)
    )


_EXTRA = "#extra"
_NEVER_NULL = "\x01jurisdiction:no-null\x01"  # a cell is never this: an empty cell stays ''


def read_file(con: duckdb.DuckDBPyConnection, path: str | Path, fmt: str) -> Any:
    """A relation over a file, read lazily by DuckDB (a CSV as text: the plan types it).

    A CSV is read with a fixed layout, never a guessed one: comma, double quote (doubled to
    escape), a header line whose names are the columns. A row with fewer or more fields than
    the header is kept, and says so in the column ``MALFORMED``; an empty cell is null."""
    p = str(path)
    if fmt == "parquet":
        return con.read_parquet(p)
    if fmt == "jsonl":
        return con.read_json(p, format="newline_delimited")
    header = csv_header(con, p)
    columns = ", ".join(f"{_literal(n)}: 'VARCHAR'" for n in [*header, _EXTRA])
    read = (
        f"read_csv({_literal(p)}, header = true, delim = ',', quote = '\"', escape = '\"', "
        f"auto_detect = false, columns = {{{columns}}}, null_padding = true, "
        f"strict_mode = false, nullstr = {_literal(_NEVER_NULL)})"
    )
    given = " + ".join(f"(CASE WHEN {_ident(n)} IS NULL THEN 0 ELSE 1 END)" for n in header)
    malformed = (
        f"CASE WHEN {_ident(_EXTRA)} IS NOT NULL THEN "
        f"{_literal(more_fields(len(header)))} "
        f"WHEN {_ident(header[-1])} IS NULL THEN 'a malformed CSV row: ' || ({given}) || "
        f"{_literal(f' fields where the header has {len(header)}')} END"
    )
    cells = ", ".join(f"NULLIF({_ident(n)}, '') AS {_ident(n)}" for n in header)
    return con.sql(f"SELECT {cells}, {malformed} AS {_ident(MALFORMED)} FROM {read}")


def _literal(text: str) -> str:
    """A quoted SQL string."""
    return "'" + text.replace("'", "''") + "'"


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
_REFUSED_KEPT = 4096
"""Error rows kept as JSON per query, at most (their errors repeat; a bound for those that do
not)."""
_SOURCE = "jurisdiction_src"


def _ident(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def _json_type(name: str, nested: bool, levels: bool = False) -> str:
    """The JSON structure of an answer column, for DuckDB's ``json_transform``."""
    if name == "bodies":
        return "[{" + ", ".join(f'"{f}": "VARCHAR"' for f in body_fields(levels)) + "}]"
    return '["VARCHAR"]' if nested and name in ("citations", "sources") else '"VARCHAR"'


def _subject_of(engine: Engine, questions: Sequence[str]) -> str:
    subjects = {engine.question(q).subject for q in questions}
    if len(subjects) != 1:
        raise FactsError(
            "one batch answers questions about one kind of fact set; these are about "
            + ", ".join(sorted(subjects))
        )
    return subjects.pop()


def _required(info: FieldInfo) -> bool:
    return not (info.optional or info.has_default or info.derived_default or info.kind == "places")


_DUCK_TYPES = {"bool": "BOOLEAN", "int": "BIGINT", "date": "DATE", "places": "VARCHAR[]"}


def _duck_type(engine: Engine, info: FieldInfo) -> str:
    """The DuckDB type of a declared field, a nested subject's as a struct."""
    if info.kind == "subject" and info.subject is not None:
        fields = engine.policy.subjects[info.subject].fields
        inner = ", ".join(f"{_ident(n)} {_duck_type(engine, f)}" for n, f in fields.items())
        return f"STRUCT({inner})"
    return _DUCK_TYPES.get(info.kind, "VARCHAR")


def _struct_conformed(engine: Engine, subject: str, ref: str, given: Any) -> str:
    """A struct value of ``subject`` with every declared field: those the input's struct lacks
    null (decide then says, for the rows that have the struct, which field is missing)."""
    children = dict(given.children)
    parts = []
    for name, info in engine.policy.subjects[subject].fields.items():
        inner = f"{ref}.{_ident(name)}"
        if name not in children:
            value = f"CAST(NULL AS {_duck_type(engine, info)})"
        elif info.subject is not None and children[name].id == "struct":
            value = _struct_conformed(engine, info.subject, inner, children[name])
        else:
            value = inner
        parts.append(f"{_ident(name)} := {value}")
    return f"CASE WHEN {ref} IS NULL THEN NULL ELSE struct_pack({', '.join(parts)}) END"


def _complete(engine: Engine, subject: str, given: Any) -> bool:
    """The struct type ``given`` has every declared field of ``subject``, at every depth."""
    children = dict(given.children)
    for name, info in engine.policy.subjects[subject].fields.items():
        if name not in children:
            return False
        inner = children[name]
        if (
            info.subject is not None
            and inner.id == "struct"
            and not _complete(engine, info.subject, inner)
        ):
            return False
    return True


_AS_TEXT = {*_INTEGERS, "BOOLEAN", "DATE"}
"""Column types whose text is the value as a CSV would give it: such a column of a field of
another type is read as text, and cast as ``batch`` casts a CSV's cells."""


def _as_text(name: str, info: FieldInfo, actual: str, dtype: str | None) -> str:
    """A column of a field of another type, as text (then typed as a CSV's cells are); or a
    FactsError up front naming the column and its type, where the text would not be the value
    (a float for a whole number, say: pandas reads a column with blank cells as float64)."""
    column = _ident(name)
    if actual in _AS_TEXT and info.kind in ("bool", "int", "date", "enum", "place", "text"):
        return f"CAST({column} AS VARCHAR) AS {column}"
    if actual.startswith("TIMESTAMP") and info.kind == "date":
        return f"CAST({column} AS DATE) AS {column}"
    shown = f"{actual} ({dtype})" if dtype and dtype.upper() != actual else actual
    hint = (
        "; a whole-number column with blank cells reads as float64 in pandas: read it with "
        f"dtype={{'{name}': 'Int64'}} or dtype=str"
        if info.kind == "int" and actual in ("DOUBLE", "FLOAT")
        else "; read it as text (pandas: dtype=str), and it is cast as `jurisdiction batch` "
        "casts a CSV"
    )
    raise FactsError(
        f"column `{name}` is {shown}, which cannot stand for the field `{name}` ({info.kind}){hint}"
    )


def _conformed(
    relation: Any, engine: Engine, subject: str, dtypes: Mapping[str, str] | None = None
) -> Any:
    """The input checked before any row is decided: every required field of ``subject`` has a
    column (else FactsError, naming the fields), and a nested subject's struct column has every
    declared field (one it lacks is added, null). A column of a field of another type (a code
    pandas read as a number) is read as text and cast as a CSV's cells are — one set of rules
    for ``batch`` and ``decide_table`` — or refused up front, naming it and its type
    (``dtypes``: the types the caller's frame gives its columns)."""
    names = list(relation.columns)
    fields = engine.policy.subjects[subject].fields
    missing = [n for n, info in fields.items() if n not in names and _required(info)]
    if missing:
        raise FactsError(
            f"the input has no column for the required field(s) {', '.join(missing)} of "
            f"`{subject}`; its columns: {', '.join(names) or 'none'} (jurisdiction schema facts)"
        )
    select, changed = [], False
    for name, given in zip(names, relation.types, strict=True):
        info = fields.get(name)
        if info is not None and info.subject is not None and given.id == "struct":
            conformed = _struct_conformed(engine, info.subject, _ident(name), given)
            changed = changed or not _complete(engine, info.subject, given)
            select.append(f"{conformed} AS {_ident(name)}")
        elif (
            info is not None
            and info.subject is None
            and _kind_of(sql_type(info), info.kind, str(given)) == "wrong"
        ):
            actual = str(given).upper()
            select.append(_as_text(name, info, actual, (dtypes or {}).get(name)))
            changed = True
        else:
            select.append(_ident(name))
    return relation.project(", ".join(select)) if changed else relation


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
        days: RowDays | None = None,
        dtypes: Mapping[str, str] | None = None,
        keep_plan: bool = False,
    ) -> None:
        subject = _subject_of(engine, questions)
        relation = _conformed(relation, engine, subject, dtypes)
        names = [n for n in relation.columns if n != MALFORMED]
        carry = [MALFORMED] if MALFORMED in relation.columns else []
        if id_column is None:
            id_column = _default_id(names)
        elif id_column not in names:
            raise FactsError(
                f"no id column `{id_column}` among the input's columns: " + ", ".join(names)
            )
        shape = {
            "questions": list(questions),
            "names": list(relation.columns),
            "types": [str(t) for t in relation.types],
        }
        options = {"nested": nested, "id_column": id_column, "carry": carry}
        inner = _inner_sql(engine, days, shape, options, keep_plan)
        relation.create_view(_SOURCE, replace=True)
        self.decided = 0
        lock = threading.Lock()
        asked = list(questions)
        dates = _date_fields(engine, subject)
        levels = levelled(engine)
        refused: dict[str, str] = {}  # an error row's JSON by its error: rows refused alike

        def decide(facts: str | None, i: int) -> str:
            with lock:
                self.decided += 1
            raw = _dates_back(json.loads(facts), dates) if facts else {}
            row = decide_row(engine, subject, raw, asked[i], nested, levels)
            error = row["error"]  # an error row holds its error alone (``error_row``)
            if error is None:
                return json.dumps(row, ensure_ascii=False)
            found = refused.get(error)
            if found is None:
                found = json.dumps(row, ensure_ascii=False)
                if len(refused) < _REFUSED_KEPT:
                    refused[error] = found
            return found

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
        columns = output_columns(nested, levels)
        structure = (
            "{" + ", ".join(f'"{c}": {_json_type(c, nested, levels)}' for c in columns) + "}"
        )
        well = f" AND {_ident(MALFORMED)} IS NULL" if carry else ""
        decided = ", ".join(
            f'CASE WHEN "_flag_{i}"{well} THEN json_transform({_UDF}(to_json("_facts"), {i}), '
            f"'{structure}') END AS \"_d{i}\""
            for i in range(len(questions))
        )
        prefixes = [f"{q}." if len(questions) > 1 else "" for q in questions]
        keep = [_ident(id_column)] if id_column is not None else []

        def malformed(c: str) -> str:  # a malformed row's answer: its error, nothing else
            if not carry:
                return ""
            value = _ident(MALFORMED) if c == "error" else "NULL"
            return f"WHEN {_ident(MALFORMED)} IS NOT NULL THEN {value} "

        picked = [
            f"CASE {malformed(c)}"
            f'WHEN "_flag_{i}" THEN "_d{i}".{_ident(c)} ELSE {_ident(p + c)} END '
            f"AS {_ident(p + c)}"
            for i, p in enumerate(prefixes)
            for c in columns
        ]
        dated = [_ident(AS_OF), _ident(AS_OF_SOURCE)]
        self.sql = (
            f"SELECT {', '.join(keep + picked + dated)} FROM (SELECT *, {decided} FROM ({inner}))"
        )
        self.questions = asked


def _inner_sql(
    engine: Engine,
    days: RowDays | None,
    shape: Mapping[str, Any],
    options: Mapping[str, Any],
    keep_plan: bool,
) -> str:
    """``batch_sql``'s SELECT over ``_SOURCE`` as DuckDB's SQL, for ``shape``'s questions,
    column names and types with ``options``: kept in the user's cache and read from it where
    ``keep_plan`` (``kept_plans``)."""

    def build() -> str:
        select, _subject = batch_sql(engine, **shape, **options, days=days, source=_SOURCE)
        return select.sql(dialect="duckdb")

    if not keep_plan:
        return build()
    from .kept_plans import kept_sql, plan_key

    kind, key = plan_key(engine, days, shape, options)
    return kept_sql(kind, key, build)


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


def _dtypes(table: Any) -> dict[str, str]:
    """The types a pandas or Polars frame gives its columns, as it names them (for messages)."""
    module = type(table).__module__.split(".")[0]
    if module == "pandas":
        return {str(c): str(t) for c, t in table.dtypes.items()}
    if module == "polars":
        return {str(c): str(t) for c, t in table.schema.items()}
    return {}


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
    as_of_column: str | None = None,
) -> pa.Table:
    """Every row of ``table`` answered (see ``Engine.decide_table``) as of ``as_of``, or each
    as of its day in ``as_of_column``, or of the field that dates it, or today (``days``);
    ``summary``, if given, is filled in."""
    questions = [question] if isinstance(question, str) else list(question)
    for q in questions:
        engine.question(q)  # an unknown question fails here, with its suggestion
    days = row_days(engine, _subject_of(engine, questions), as_of, as_of_column)
    if not days.per_row:
        engine = engine_on(engine, days.day)
    if backend == "spark":
        from .spark import decide_table_spark

        return decide_table_spark(
            engine,
            table,
            questions,
            nested=nested,
            id_column=id_column,
            summary=summary,
            days=days,
        )
    if backend != "duckdb":
        raise FactsError(f"unknown batch engine `{backend}`; choose duckdb or spark")
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
            days=days,
            dtypes=_dtypes(table),
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
    as_of_column: str | None = None,
    keep_plan: bool = False,
) -> BatchSummary:
    """Answer ``questions`` for every row of the file ``source``, writing ``target``: one
    DuckDB statement, ``COPY (the plan) TO target``, that streams (a file larger than memory
    goes through) and runs on all cores. ``progress``, if given, is called about twice a
    second with the summary so far (its ``total`` set where the file's metadata gives it).
    Every row is decided as of ``as_of``; or each as of its day in the column ``as_of_column``,
    or in the field that dates it (``dated_by``); else today — by the policy as it stands
    on that day (``days``). ``keep_plan``: keep the plan's SQL in the user's cache and use it
    again while nothing it was made from changed (``kept_plans``; DuckDB only), as the command
    line does."""
    fin = format_of(source, in_format, "--in-format")
    fout = format_of(target, out_format, "--out-format")
    if nested and fout == "csv":
        raise ValueError(
            "a CSV file holds flat columns only; drop --nested or write Parquet or JSON Lines"
        )
    for q in questions:
        engine.question(q)
    days = row_days(engine, _subject_of(engine, questions), as_of, as_of_column)
    if not days.per_row:
        engine = engine_on(engine, days.day)
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
            progress=progress is not None,
            days=days,
        )
    return _run_duckdb(
        engine,
        source,
        fin,
        questions,
        target,
        fout,
        nested,
        id_column,
        progress,
        memory_limit,
        days,
        keep_plan,
    )


def _run_duckdb(
    engine: Engine,
    source: str | Path,
    fin: str,
    questions: Sequence[str],
    target: str | Path,
    fout: str,
    nested: bool,
    id_column: str | None,
    progress: Callable[[BatchSummary], None] | None,
    memory_limit: str | None,
    days: RowDays,
    keep_plan: bool = False,
) -> BatchSummary:
    """``run_batch`` on DuckDB: into a file beside OUT, renamed to OUT once complete and
    checked (rows in = rows out); removed on any failure or signal."""
    local = "://" not in str(target)
    _refuse_same_file(source, target)
    temporary = _temporary_beside(target) if local else str(target)
    started = time.perf_counter()
    summary = BatchSummary()
    con = _connect()
    try:
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
                days=days,
                keep_plan=keep_plan,
            )
            statement = f"COPY ({query.sql}) TO '{_quoted(temporary)}' ({_copy_options(fout)})"
            if progress is not None:
                with _Watch(con, progress, summary):
                    _interruptible(con, statement)
            else:
                _interruptible(con, statement)
            done = _summarised(con, _reader_sql(temporary, fout), questions)
            (rows_in,) = con.execute(f"SELECT count(*) FROM {_SOURCE}").fetchone() or (0,)
        except duckdb.Error as exc:
            raise _one_line(exc, temporary) from None
        _same_count(rows_in, done.rows)
        _fill(summary, done, query.decided, time.perf_counter() - started)
        if local:
            os.replace(temporary, target)
    except BaseException:
        if local:
            Path(temporary).unlink(missing_ok=True)
        raise
    finally:
        con.close()
    return summary


def _same_count(rows_in: int, rows_out: int) -> None:
    if rows_in != rows_out:
        raise FactsError(f"{rows_in} rows read but {rows_out} answered; no output was written")


def _refuse_same_file(source: str | Path, target: str | Path) -> None:
    """IN and OUT the same file (OUT among the files a glob IN matches) is refused: the
    answers would replace the register."""
    src, out = str(source), str(target)
    if "://" in src or "://" in out or not Path(out).exists():
        return
    files = glob.glob(src) if any(c in src for c in "*?[") else [src]
    for f in files:
        if Path(f).exists() and os.path.samefile(f, out):
            raise FactsError(f"OUT is IN: {target} is the input; write the answers elsewhere")


def _temporary_beside(target: str | Path) -> str:
    """A new file name in OUT's folder, which must exist and be writable: the output is
    written there and renamed to OUT once complete (OUT is never seen half-written)."""
    out = Path(target)
    folder = out.parent
    if not folder.is_dir():
        raise OutputError(f"cannot write {target}: no such folder {folder}")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write {target}: the folder {folder} is not writable")
    return str(folder / f".{out.name}.{os.getpid()}-{secrets.token_hex(4)}.partial")


def _one_line(exc: duckdb.Error, temporary: str) -> FactsError | OutputError | InterruptedRunError:
    """A DuckDB error as one of ours, in one line: writing OUT (exit 7) or reading IN (4)."""
    if isinstance(exc, duckdb.InterruptException):
        return InterruptedRunError(signal.SIGINT)
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    text = lines[0] if lines else type(exc).__name__
    if len(lines) > 2 and lines[1].startswith("Original Line"):  # a CSV error: its reason
        text = f"{text}: {lines[2]}"
    text = text[:300]
    writing = Path(temporary).name in str(exc) or "No space left" in str(exc)
    if writing:
        return OutputError(f"cannot write the output: {text.replace(temporary, '<OUT>')}")
    return FactsError(f"cannot read the input: {text}")


def _interruptible(con: duckdb.DuckDBPyConnection, statement: str) -> None:
    """Run ``statement`` on a thread of its own; SIGINT or SIGTERM, while it runs, interrupts
    it and raises InterruptedRunError (the caller then removes what it wrote). Signal handlers can
    only be set from the main thread: elsewhere the statement simply runs."""
    if threading.current_thread() is not threading.main_thread():
        con.execute(statement)
        return
    failed: list[BaseException] = []
    received: list[int] = []

    def work() -> None:
        try:
            con.execute(statement)
        except BaseException as exc:  # handed to the caller's thread
            failed.append(exc)

    def stop(signum: int, _frame: object) -> None:
        received.append(signum)
        con.interrupt()

    worker = threading.Thread(target=work, name="batch statement", daemon=True)
    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        worker.start()
        while worker.is_alive():
            worker.join(0.1)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    if received:
        raise InterruptedRunError(received[0])
    if failed:
        raise failed[0]


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
