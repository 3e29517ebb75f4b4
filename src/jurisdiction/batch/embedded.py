"""The batch evaluator: every row of a table answered by the questions' batch plans, on DuckDB.

``decide_table`` (``Engine.decide_table``) and ``jurisdiction batch`` both come here. The input —
an Arrow table, a Polars or pandas frame, a DuckDB relation, or a Parquet, CSV or JSON Lines file
— becomes a DuckDB relation; one SELECT computes, for each question, the answer columns of every
row (``_batch_plan``) and a flag; DuckDB streams the result in record batches, in input order.
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa
from sqlglot import exp

from ._batch_plan import (
    BODY_FIELDS,
    answer_columns,
    answer_number,
    decision_row,
    error_row,
    features_read,
    output_columns,
    places_read,
    plan_question,
    reason_facts,
)
from ._errors import ConflictError, FactsError
from ._sql_vocabulary import ColumnKinds, SqlVocabulary, cast, sql_type

if TYPE_CHECKING:
    from ._engine import Engine

__all__ = ["BatchSummary", "arrow_schema", "batch_sql", "column_kinds", "decide_table", "run_batch"]

FORMATS = ("parquet", "csv", "jsonl")


@dataclass
class BatchSummary:
    """What a batch run did: rows, and per question how many rows got each outcome or an error."""

    rows: int = 0
    outcomes: dict[str, Counter[str]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    decided_in_python: int = 0
    seconds: float = 0.0
    total: int | None = None
    """The rows of the input, where known before the run (a Parquet file's metadata)."""
    share: float = 0.0
    """While running: the share of the work done, as DuckDB estimates it."""

    def to_json(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "seconds": round(self.seconds, 3),
            "decided_row_by_row": self.decided_in_python,
            "questions": {
                q: {"outcomes": dict(sorted(c.items())), "errors": self.errors.get(q, 0)}
                for q, c in self.outcomes.items()
            },
        }


# --- inputs --------------------------------------------------------------------------------------


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


def relation_of(con: duckdb.DuckDBPyConnection, table: Any) -> Any:
    """A DuckDB relation over an Arrow table, a Polars or pandas frame, or a relation."""
    if isinstance(table, duckdb.DuckDBPyRelation):  # of its own connection: streamed across
        reader = (
            table.to_arrow_reader()
            if hasattr(table, "to_arrow_reader")  # DuckDB 1.4 and later
            else table.fetch_arrow_reader()
        )
        return con.from_arrow(reader)
    if isinstance(table, pa.RecordBatch):
        table = pa.Table.from_batches([table])
    if isinstance(table, pa.Table):
        return con.from_arrow(table)
    module = type(table).__module__.split(".")[0]
    if module == "polars":
        return con.from_arrow(table.to_arrow())
    if module == "pandas":
        return con.from_arrow(pa.Table.from_pandas(table, preserve_index=False))
    raise TypeError(
        "decide_table reads an Arrow table, a Polars or pandas DataFrame or a DuckDB relation, "
        f"got {type(table).__name__}"
    )


_INTEGERS = {
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "HUGEINT",
}


def _kind_of(declared: str | None, field_kind: str, actual: str) -> str:
    actual = actual.upper()
    if actual in ("NULL", '"NULL"'):
        return "missing"
    if field_kind == "subject":
        return "ok" if actual.startswith("STRUCT") else "wrong"
    if field_kind == "int":
        if actual in _INTEGERS:
            return "ok"
        return "text" if actual == "VARCHAR" else "wrong"
    if field_kind in ("bool", "date"):
        if actual == declared:
            return "ok"
        return "text" if actual == "VARCHAR" else "wrong"
    if field_kind == "places":
        return "ok" if actual in ("VARCHAR[]",) else "wrong"
    return "ok" if actual == "VARCHAR" else "wrong"


def column_kinds(
    engine: Engine, subject: str, names: Sequence[str], types: Sequence[str]
) -> dict[str, str]:
    """How each declared field of ``subject`` is found among the input's columns."""
    found = dict(zip(names, (str(t) for t in types), strict=True))
    kinds: dict[str, str] = {}
    for fname, info in engine.policy.subjects[subject].fields.items():
        if fname not in found:
            kinds[fname] = "missing"
        else:
            kinds[fname] = _kind_of(sql_type(info), info.kind, found[fname])
    return kinds


def arrow_schema(engine: Engine, subject: str) -> pa.Schema:
    """The Arrow schema of a table of ``subject``'s fact sets, as the batch plan reads it: one
    column per declared field (a nested subject a struct, a list of places a list of text)."""
    return pa.schema([pa.field(n, t) for n, t in _arrow_fields(engine, subject)])


def _arrow_fields(engine: Engine, subject: str) -> list[tuple[str, pa.DataType]]:
    out: list[tuple[str, pa.DataType]] = []
    for name, info in engine.policy.subjects[subject].fields.items():
        if info.kind == "subject":
            assert info.subject is not None
            out.append((name, pa.struct(_arrow_fields(engine, info.subject))))
        else:
            out.append((name, _ARROW[info.kind]))
    return out


_ARROW: Mapping[str, pa.DataType] = {
    "bool": pa.bool_(),
    "int": pa.int64(),
    "date": pa.date32(),
    "text": pa.string(),
    "enum": pa.string(),
    "place": pa.string(),
    "places": pa.list_(pa.string()),
}


# --- the query -----------------------------------------------------------------------------------


def _facts_struct(engine: Engine, subject: str, kinds: ColumnKinds) -> exp.Expr | None:
    """The declared fields of a row as given (cast from text where the input is text), for the
    rows decided one by one."""
    v = SqlVocabulary(engine.policy, subject, kinds)
    fields = engine.policy.subjects[subject].fields
    items: list[exp.Expr] = []
    for name, kind in kinds.items():
        if kind == "missing":
            continue
        value = v.raw(name) if kind == "text" else exp.column(name, quoted=True)
        if kind == "ok" and fields[name].kind == "int":  # HUGEINT (JSON) reads back as int
            value = cast(value, "BIGINT")
        items.append(exp.PropertyEQ(this=exp.to_identifier(name, quoted=True), expression=value))
        if kind == "text":
            items.append(
                exp.PropertyEQ(
                    this=exp.to_identifier(f"{name}#text", quoted=True),
                    expression=exp.column(name, quoted=True),
                )
            )
    return exp.Struct(expressions=items) if items else None


def _no_facts() -> exp.Expr:
    """The facts of a row of a table without any declared field: a struct all the same (the
    function that decides flagged rows takes one), whose one member ``facts_of_row`` skips."""
    return exp.Struct(
        expressions=[
            exp.PropertyEQ(
                this=exp.to_identifier("#none", quoted=True),
                expression=cast(exp.Null(), "VARCHAR"),
            )
        ]
    )


def _col(name: str) -> exp.Column:
    return exp.column(name, quoted=True)


def _as(sql: exp.Expr, name: str) -> exp.Expr:
    return exp.alias_(sql, name, quoted=True, copy=False)


def batch_sql(
    engine: Engine,
    questions: Sequence[str],
    names: Sequence[str],
    types: Sequence[str],
    *,
    nested: bool = False,
    id_column: str | None = None,
    source: str = "src",
) -> tuple[exp.Select, str]:
    """The SELECT that answers ``questions`` for every row of table ``source`` (columns ``names``
    of ``types``): the id column, each question's answer columns, ``_flag_<i>`` per question and
    ``_facts`` for flagged rows. Returns it with the subject the questions are about.

    Three projections, one over the other (each is streamed, in input order): the features,
    place codes and validity of a row; each question's answer number; the answer columns
    and the facts of the flagged rows.
    """
    subjects = {engine.question(q).subject for q in questions}
    if len(subjects) != 1:
        raise FactsError(
            "one batch answers questions about one kind of fact set; these are about "
            + ", ".join(sorted(subjects))
        )
    subject = subjects.pop()
    kinds = column_kinds(engine, subject, names, types)
    v = SqlVocabulary(engine.policy, subject, kinds)
    plans = [plan_question(engine, q) for q in questions]

    def keep() -> list[exp.Expr]:
        return [_col(id_column)] if id_column is not None else []

    feature_names = sorted({f for p in plans for f in features_read(p)})
    place_names = sorted({pl for p in plans for pl in places_read(engine, p)})
    places_sql = {name: v.place(name) for name in place_names}
    shown_names = sorted({n for p in plans for n in reason_facts(p)})
    fcol = {name: f"_f{i}" for i, name in enumerate(feature_names)}
    pcol = {name: f"_p{i}" for i, name in enumerate(place_names)}
    rcol = {name: f"_r{i}" for i, name in enumerate(shown_names)}
    facts = _facts_struct(engine, subject, kinds)
    # the input's own columns go up to the last projection, where the facts of a flagged row
    # are put together (only for the rows flagged: a struct per row costs)
    raw = [_col(n) for n, kind in kinds.items() if kind != "missing" and n != id_column]
    first = (
        exp.Select()
        .select(
            *keep(),
            *(_as(v.feature(name), fcol[name]) for name in feature_names),
            *(_as(places_sql[name][0].copy(), pcol[name]) for name in place_names),
            *(_as(v.shown(name), rcol[name]) for name in shown_names),
            _as(v.valid(), "_valid"),
            *raw,
            copy=False,
        )
        .from_(exp.to_table(source), copy=False)
    )
    features = {name: _col(c) for name, c in fcol.items()}
    places = {name: (_col(pcol[name]), places_sql[name][1]) for name in place_names}
    shown = {name: _col(c) for name, c in rcol.items()}
    second = (
        exp.Select()
        .select(
            *(
                _col(c.alias_or_name)
                for c in first.expressions
                if c.alias_or_name not in fcol.values()
            ),
            *(_as(answer_number(p, features, places), f"_a{i}") for i, p in enumerate(plans)),
            copy=False,
        )
        .from_(first.subquery("featured", copy=False), copy=False)
    )
    third = exp.Select().select(*keep(), copy=False)
    flags: list[exp.Expr] = []
    for i, (q, p) in enumerate(zip(questions, plans, strict=True)):
        prefix = f"{q}." if len(questions) > 1 else ""
        columns, flag = answer_columns(
            engine, p, _col(f"_a{i}"), places, shown, nested=nested, prefix=prefix
        )
        third = third.select(*(_as(sql, name) for name, sql in columns), copy=False)
        flag = exp.or_(exp.Not(this=_col("_valid")), flag)
        third = third.select(_as(flag, f"_flag_{i}"), copy=False)
        flags.append(flag)
    picked = exp.Case().when(
        exp.or_(*(f.copy() for f in flags)), facts if facts is not None else _no_facts(), copy=False
    )
    third = third.select(_as(picked, "_facts"), copy=False).from_(
        second.subquery("numbered", copy=False), copy=False
    )
    return third, subject


# --- rows decided one by one ---------------------------------------------------------------------


def _absent_dropped(value: Any) -> Any:
    """A row's value as a fact set mapping: null fields are absent."""
    if isinstance(value, dict):
        return {k: _absent_dropped(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_absent_dropped(v) for v in value]
    return value


def facts_of_row(subject: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    """The fact set ``decide`` is given for a row: its declared fields (a text cell that is not
    of the field's type is passed as it was written, for decide to refuse), nulls absent."""
    facts: dict[str, Any] = {"kind": subject}
    for key, value in raw.items():
        if key.endswith("#text") or key == "#none":
            continue
        given = value if value is not None else raw.get(f"{key}#text")
        if given is not None:
            facts[key] = _absent_dropped(given)
    return facts


def decide_row(
    engine: Engine, subject: str, raw: Mapping[str, Any], question: str, nested: bool
) -> dict[str, Any]:
    """One row's answer columns as ``decide`` gives them (its error, if it raises one)."""
    try:
        decision = engine.decide(facts_of_row(subject, raw), question)
    except (FactsError, ConflictError) as exc:
        return error_row(str(exc), nested)
    return decision_row(decision, nested)


def patch_batch(
    engine: Engine,
    subject: str,
    questions: Sequence[str],
    batch: pa.RecordBatch,
    nested: bool,
) -> tuple[pa.RecordBatch, int]:
    """The batch with its flagged rows decided by ``decide``, and without the internal columns;
    with the number of rows so decided."""
    names = batch.schema.names
    columns = {n: batch.column(i) for i, n in enumerate(names)}
    facts_col = columns.get("_facts")
    decided = 0
    n = batch.num_rows
    for i, q in enumerate(questions):
        flag = columns[f"_flag_{i}"]
        if not _any_true(flag):
            continue
        flagged = [j for j, f in enumerate(flag.to_pylist()) if f]
        if not flagged:
            continue
        decided += len(flagged)
        raws = (
            facts_col.take(pa.array(flagged)).to_pylist()
            if facts_col is not None
            else [{} for _ in flagged]
        )
        rows = [decide_row(engine, subject, raw or {}, q, nested) for raw in raws]
        prefix = f"{q}." if len(questions) > 1 else ""
        indices = list(range(n))
        for k, j in enumerate(flagged):
            indices[j] = n + k
        take = pa.array(indices, type=pa.int64())
        for name in output_columns(nested):
            col = columns[prefix + name]
            patch = pa.array([r[name] for r in rows], type=col.type)
            columns[prefix + name] = pa.concat_arrays([col, patch]).take(take)
    keep = [n_ for n_ in names if not n_.startswith("_flag_") and n_ != "_facts"]
    return pa.RecordBatch.from_arrays([columns[k] for k in keep], names=keep), decided


def _any_true(flag: pa.Array) -> bool:
    import pyarrow.compute as pc

    return bool(pc.any(flag).as_py())


def _count(summary: BatchSummary, questions: Sequence[str], batch: pa.RecordBatch) -> None:
    import pyarrow.compute as pc

    summary.rows += batch.num_rows
    for q in questions:
        prefix = f"{q}." if len(questions) > 1 else ""
        counter = summary.outcomes.setdefault(q, Counter())
        outcome = batch.column(batch.schema.get_field_index(prefix + "outcome"))
        for item in pc.value_counts(outcome).to_pylist():
            if item["values"] is not None:
                counter[item["values"]] += item["counts"]
        error = batch.column(batch.schema.get_field_index(prefix + "error"))
        summary.errors[q] = summary.errors.get(q, 0) + (len(error) - error.null_count)


# --- running on DuckDB ---------------------------------------------------------------------------


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
) -> pa.Table:
    """Every row of ``table`` answered (see ``Engine.decide_table``); ``summary``, if given,
    is filled in."""
    questions = [question] if isinstance(question, str) else list(question)
    for q in questions:
        engine.question(q)  # an unknown question fails here, with its suggestion
    if backend == "spark":
        from ._batch_spark import decide_table_spark

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
) -> BatchSummary:
    """Answer ``questions`` for every row of the file ``source``, writing ``target``: one
    DuckDB statement, ``COPY (the plan) TO target``, that streams (a file larger than memory
    goes through) and runs on all cores. ``progress``, if given, is called about twice a
    second with the summary so far (its ``total`` set where the file's metadata gives it)."""
    fin, fout = format_of(source, in_format), format_of(target, out_format)
    if nested and fout == "csv":
        raise ValueError(
            "a CSV file holds flat columns only; drop --nested or write Parquet or JSON Lines"
        )
    for q in questions:
        engine.question(q)
    if backend == "spark":
        from ._batch_spark import run_batch_spark

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
