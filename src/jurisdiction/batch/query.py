"""The part of a batch common to every backend: the SELECT of a question's answer columns
over a register (``batch_sql``, from the plans of ``plan``), the facts of a row, the rows the SQL
flagged decided again by ``Engine.decide`` (``patch_batch``), and the summary of a run.

DuckDB (``embedded``) and Spark (``spark``) each run this SQL in their own dialect.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa
from sqlglot import exp

from ..core.errors import ConflictError, FactsError
from .plan import (
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
from .sql_vocabulary import ColumnKinds, SqlVocabulary, cast, sql_type

if TYPE_CHECKING:
    from ..engine.engine import Engine

__all__ = ["BatchSummary", "arrow_schema", "batch_sql", "column_kinds", "patch_batch"]


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
    raise FactsError(
        "decide_table reads an Arrow table, a Polars or pandas DataFrame or a DuckDB relation, "
        f"got {type(table).__name__}"
    )


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


def _kind_of(declared: str | None, field_kind: str, actual: str) -> str:
    actual = actual.upper()
    if actual in ("NULL", '"NULL"'):
        return "missing"
    if field_kind == "subject":
        return "ok" if actual.startswith("STRUCT") else "wrong"
    if field_kind == "records":  # a list of records: a list of structs
        return "ok" if actual.startswith("STRUCT") and actual.endswith("[]") else "wrong"
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
    column per declared field (a nested subject a struct, a list of places a list of text, a
    list of records a list of structs)."""
    return pa.schema([pa.field(n, t) for n, t in _arrow_fields(engine, subject)])


def _arrow_fields(engine: Engine, subject: str) -> list[tuple[str, pa.DataType]]:
    out: list[tuple[str, pa.DataType]] = []
    for name, info in engine.policy.subjects[subject].fields.items():
        if info.kind == "subject":
            assert info.subject is not None
            out.append((name, pa.struct(_arrow_fields(engine, info.subject))))
        elif info.kind == "records":
            assert info.subject is not None
            out.append((name, pa.list_(pa.struct(_arrow_fields(engine, info.subject)))))
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
    carry: Sequence[str] = (),
) -> tuple[exp.Select, str]:
    """The SELECT that answers ``questions`` for every row of table ``source`` (columns ``names``
    of ``types``): the id column, each question's answer columns, ``_flag_<i>`` per question and
    ``_facts`` for flagged rows (and the columns ``carry``, as they are). Returns it with the
    subject the questions are about.

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
    # `as_of` in a condition reads the day the batch is decided as of (the engine's, from `at`)
    day = engine.day
    as_of = exp.cast(exp.Literal.string(day.isoformat()), "DATE") if day is not None else None
    v = SqlVocabulary(engine.policy, subject, kinds, as_of=as_of)
    plans = [plan_question(engine, q) for q in questions]

    def keep() -> list[exp.Expr]:
        return [_col(n) for n in ([id_column] if id_column is not None else []) + list(carry)]

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
