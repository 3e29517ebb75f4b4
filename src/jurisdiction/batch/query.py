"""The part of a batch common to every backend: the SELECT of a question's answer columns
over a register (``batch_sql``, from the plans of ``plan``), the facts of a row, the rows the SQL
flagged decided again by ``Engine.decide`` (``patch_batch``), and the summary of a run.

DuckDB (``embedded``) and Spark (``spark``) each run this SQL in their own dialect.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa
from sqlglot import exp

from ..core.errors import ConflictError, FactsError
from ..engine.engine import facts_message
from ..policy.fact_models import field_checks
from .days import AS_OF, AS_OF_SOURCE, ROW_DAY, RowDays, day_in, engine_on, epoch_of, runs
from .plan import (
    QuestionPlan,
    answer_columns,
    answer_number,
    decision_row,
    error_row,
    features_read,
    levelled,
    output_columns,
    places_read,
    plan_question,
    reason_facts,
)
from .sql_vocabulary import ColumnKinds, Given, SqlVocabulary, cast, lit, sql_type

if TYPE_CHECKING:
    from ..engine.engine import Engine

__all__ = ["BatchSummary", "arrow_schema", "batch_sql", "column_kinds", "patch_batch"]

FAILED = "#failed"
"""The member of a refused row's facts that names the fields the validity test refused
(``SqlVocabulary.failed_fields``): ``decide_row`` validates those alone for the row's errors."""


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
    days: RowDays | None = None,
) -> tuple[exp.Select, str]:
    """The SELECT that answers ``questions`` for every row of table ``source`` (columns ``names``
    of ``types``): the id column, each question's answer columns, ``_flag_<i>`` per question,
    ``_facts`` for flagged rows, each row's ``as_of`` and ``as_of_source`` (and the columns
    ``carry``, as they are). Returns it with the subject the questions are about.

    ``days`` says how each row finds its day (``days.RowDays``; default: the day ``engine`` is
    bound to by ``at``, else today). Where rows find their own day, each stretch of the policy
    (``engine.epochs()``) has its own plans, and a row takes those of its day's stretch, with
    ``as_of`` in conditions bound to its day.

    Five projections, one over the other (each is streamed, in input order): the field values
    the rest reads (each computed once); the features, place codes and validity of a row (and
    over it, where a feature repeats another's whole SQL, that feature reading the other's
    column: ``_StretchColumns.later``); each question's answer number; the answer columns and
    flags; the facts of the flagged rows.
    """
    subject = _one_subject(engine, questions)
    kinds = column_kinds(engine, subject, names, types)
    if days is None:
        day = engine.day
        days = RowDays("given" if day is not None else "today", day or datetime.date.today())
    if days.source == "column" and days.column not in names:
        raise FactsError(
            f"no as-of column `{days.column}` among the input's columns: " + ", ".join(names)
        )
    given = Given()  # the field values, computed once per row under the features
    v = SqlVocabulary(engine.policy, subject, kinds, given=given)
    day_sql = days.day_sql(SqlVocabulary(engine.policy, subject, kinds))
    stretches, engines = _engines(engine, days)
    # `as_of` in a condition reads the row's day (one day for every row unless they have theirs)
    vocabularies = [
        SqlVocabulary(e.policy, subject, kinds, as_of=day_sql, given=given) for e in engines
    ]
    # per question, the runs of stretches where it answers alike: one plan per run
    by_run = [runs(engines, q) for q in questions]
    plans = [
        {first: plan_question(engines[first], q) for first, _last in by_run[i]}
        for i, q in enumerate(questions)
    ]

    def keep() -> list[exp.Expr]:
        return [_col(n) for n in ([id_column] if id_column is not None else []) + list(carry)]

    cols = _StretchColumns(engines, vocabularies, plans)
    facts = _facts_struct(engine, subject, kinds)
    if days.source == "column":
        facts = _with_day(facts, days.text_sql(v))
    # the input's own columns go up to the last projection, where the facts of a flagged row
    # are put together (only for the rows flagged: a struct per row costs)
    raw = [_col(n) for n, kind in kinds.items() if kind != "missing" and n != id_column]
    if days.source == "column" and days.column not in kinds and days.column != id_column:
        raw.append(_col(str(days.column)))
    epoch: exp.Expr | None = None
    dated = [_as(day_sql.copy(), "_day"), _as(days.source_sql(v), "_day_source")]
    if len(engines) > 1:
        dated.append(_as(epoch_of(day_sql, stretches), "_epoch"))
        epoch = _col("_epoch")
    valid = _as(v.valid(), "_valid")
    failed_reads, refused, facts = _refused_fields(v, given, facts)
    fields = (
        exp.Select()
        .select(exp.Star(), *given.select(), copy=False)
        .from_(exp.to_table(source), copy=False)
    )
    first = (
        exp.Select()
        .select(
            *keep(),
            *(_as(sql, name) for name, sql in cols.sql.values() if name not in cols.later),
            valid,
            *dated,
            *raw,
            *(_col(n) for n in sorted({*failed_reads, *cols.reads(given)})),
            copy=False,
        )
        .from_(fields.subquery("given", copy=False), copy=False)
    )

    def by_epoch(i: int, parts: Sequence[exp.Expr]) -> exp.Expr:
        return _by_epoch(epoch, by_run[i], parts)

    second = (
        exp.Select()
        .select(
            *(
                _col(c.alias_or_name)
                for c in first.expressions
                if c.alias_or_name not in cols.feature_cols and c.alias_or_name not in given.names()
            ),
            *refused,
            *(
                _as(
                    by_epoch(
                        i,
                        [
                            answer_number(plan, cols.features[k], cols.places[k])
                            for k, plan in plans[i].items()
                        ],
                    ),
                    f"_a{i}",
                )
                for i in range(len(questions))
            ),
            copy=False,
        )
        .from_(cols.over(first).subquery("featured", copy=False), copy=False)
    )
    third = exp.Select().select(*keep(), copy=False)
    fourth = exp.Select().select(*keep(), copy=False)
    flags: list[exp.Expr] = []
    for i, q in enumerate(questions):
        prefix = f"{q}." if len(questions) > 1 else ""
        per_epoch = [
            answer_columns(
                engines[k],
                plan,
                _col(f"_a{i}"),
                cols.places[k],
                cols.shown[k],
                nested=nested,
                prefix=prefix,
            )
            for k, plan in plans[i].items()
        ]
        for j, (name, _sql) in enumerate(per_epoch[0][0]):
            third = third.select(
                _as(by_epoch(i, [columns[j][1] for columns, _f in per_epoch]), name), copy=False
            )
            fourth = fourth.select(_col(name), copy=False)
        flag = exp.or_(
            exp.Not(this=_col("_valid")), by_epoch(i, [f for _c, f in per_epoch]), copy=False
        )
        if days.source == "column":  # a row without a day: decide says why
            flag = exp.or_(exp.Is(this=_col("_day"), expression=exp.Null()), flag, copy=False)
        third = third.select(_as(flag, f"_flag_{i}"), copy=False)
        fourth = fourth.select(_col(f"_flag_{i}"), copy=False)
        flags.append(_col(f"_flag_{i}"))
    # the flags are computed once, in the fourth projection; the fifth reads them to put the
    # facts of the flagged rows together
    third = third.select(
        *(_col(c.alias_or_name) for c in raw),
        *(_col(FAILED) for _r in refused),
        _col("_day"),
        _col("_day_source"),
        copy=False,
    ).from_(second.subquery("numbered", copy=False), copy=False)
    picked = exp.Case().when(
        exp.or_(*flags, copy=False), facts if facts is not None else _no_facts(), copy=False
    )
    fourth = fourth.select(
        _as(picked, "_facts"),
        _as(_col("_day"), AS_OF),
        _as(_col("_day_source"), AS_OF_SOURCE),
        copy=False,
    ).from_(third.subquery("answered", copy=False), copy=False)
    return fourth, subject


def _refused_fields(
    v: SqlVocabulary, given: Given, facts: exp.Expr | None
) -> tuple[list[str], list[exp.Expr], exp.Expr | None]:
    """The fields a refused row fails, for its errors (``FAILED``): the given values their
    tests read, which go up to the second projection; there the column that names them on
    the rows the validity test refused (on no other: it costs a pass per field); and the
    facts of a flagged row with that column as their member ``FAILED``."""
    failed = v.failed_fields() if facts is not None else None
    if failed is None:
        return [], [], facts
    reads = sorted({c.name for c in failed.find_all(exp.Column)} & given.names())
    picked = exp.Case().when(exp.Not(this=_col("_valid")), failed, copy=False)
    return reads, [_as(picked, FAILED)], _with_member(facts, FAILED, _col(FAILED))


def _one_subject(engine: Engine, questions: Sequence[str]) -> str:
    """The subject all ``questions`` are about (FactsError if they are about several)."""
    subjects = {engine.question(q).subject for q in questions}
    if len(subjects) != 1:
        raise FactsError(
            "one batch answers questions about one kind of fact set; these are about "
            + ", ".join(sorted(subjects))
        )
    return subjects.pop()


def _engines(
    engine: Engine, days: RowDays
) -> tuple[Sequence[tuple[datetime.date | None, datetime.date | None]], list[Engine]]:
    """The stretches rows are decided in, and the engine of the policy as it stands in each:
    every stretch where rows have their own days, else the one of the fixed day."""
    if days.per_row:
        stretches = engine.epochs()
        return stretches, [engine_on(engine, day_in(start, end)) for start, end in stretches]
    return ((None, None),), [engine if engine.day == days.day else engine_on(engine, days.day)]


def _by_epoch(
    epoch: exp.Expr | None, by_run: Sequence[tuple[int, int]], parts: Sequence[exp.Expr]
) -> exp.Expr:
    """The part of the run of stretches the row's stretch is in (``parts`` one per run; the
    one part where there is one run). A row without a stretch (no day) gets none."""
    if epoch is None or len(parts) == 1:
        return parts[0]
    case = exp.Case()
    for (_first, last), part in zip(by_run, parts, strict=True):
        case = case.when(exp.LTE(this=epoch.copy(), expression=lit(last)), part, copy=False)
    return case


class _StretchColumns:
    """The features, places and shown values each stretch's plans read, as the columns of the
    first projection: one column per distinct SQL (stretches that read the same share it)."""

    def __init__(
        self,
        engines: Sequence[Engine],
        vocabularies: Sequence[SqlVocabulary],
        plans: Sequence[Mapping[int, QuestionPlan]],
    ) -> None:
        """``plans``: per question, its plan by the first stretch of each run it serves."""
        self.sql: dict[str, tuple[str, exp.Expr]] = {}
        self.features: dict[int, dict[str, exp.Expr]] = {}
        self.places: dict[int, dict[str, tuple[exp.Expr, bool]]] = {}
        self.shown: dict[int, dict[str, exp.Expr]] = {}
        for k, (e, v) in enumerate(zip(engines, vocabularies, strict=True)):
            eplans = [p[k] for p in plans if k in p]
            if not eplans:
                continue
            fnames = sorted({f for p in eplans for f in features_read(p)})
            pnames = sorted({pl for p in eplans for pl in places_read(e, p)})
            snames = sorted({n for p in eplans for n in reason_facts(p)})
            self.features[k] = {n: self.column("_f", v.feature(n)) for n in fnames}
            pmap: dict[str, tuple[exp.Expr, bool]] = {}
            for name in pnames:
                sql, many = v.place(name)
                pmap[name] = (self.column("_p", sql), many)
            self.places[k] = pmap
            self.shown[k] = {n: self.column("_r", v.shown(n)) for n in snames}
        self.feature_cols = {
            c.alias_or_name for fmap in self.features.values() for c in fmap.values()
        }
        self.later = self._reusing()

    def _reusing(self) -> dict[str, exp.Expr]:
        """The feature columns whose SQL holds another feature column's whole SQL, by name,
        that part read from that column: computed once, in a projection over the first (a
        feature "the cause is one of these" repeats the cause's own CASE otherwise)."""
        features = {
            key: name
            for key, (name, sql) in self.sql.items()
            if name in self.feature_cols and not isinstance(sql, exp.Column)
        }
        # a node can hold a feature's whole SQL only if it is of the class of a feature's root:
        # only those are written as SQL to compare (writing every node cost more than the
        # projection saves, at a million rows)
        roots = tuple({type(self.sql[key][1]) for key in features})

        def written(node: exp.Expr) -> str | None:
            return node.sql() if type(node) in roots else None

        parts = {
            key: {written(n) for n in self.sql[key][1].walk()} - {key, None} for key in features
        }
        # a column read by another is one that reads no other (one projection over the first)
        read = {key: name for key, name in features.items() if not parts[key] & features.keys()}

        def reading(node: exp.Expr) -> exp.Expr:
            text = written(node)
            name = None if text is None else read.get(text)
            return node if name is None else _col(name)

        later: dict[str, exp.Expr] = {}
        for key, name in features.items():
            if key not in read and parts[key] & read.keys():
                later[name] = self.sql[key][1].copy().transform(reading, copy=False)
        return later

    def reads(self, given: Given) -> set[str]:
        """The given values the feature columns of ``later`` read (passed up to them)."""
        return {c.name for sql in self.later.values() for c in sql.find_all(exp.Column)} & (
            given.names()
        )

    def over(self, first: exp.Select) -> exp.Select:
        """The first projection with the feature columns that read others (``later``)."""
        if not self.later:
            return first
        return (
            exp.Select()
            .select(exp.Star(), *(_as(sql, name) for name, sql in self.later.items()), copy=False)
            .from_(first.subquery("featured_first", copy=False), copy=False)
        )

    def column(self, prefix: str, sql: exp.Expr) -> exp.Expr:
        key = sql.sql()
        if key not in self.sql:
            self.sql[key] = (f"{prefix}{len(self.sql)}", sql)
        return _col(self.sql[key][0])


def _with_day(facts: exp.Expr | None, day: exp.Expr) -> exp.Expr:
    """The facts of a row with its day (as text) for ``decide``, as the member ``ROW_DAY``."""
    return _with_member(facts, ROW_DAY, day)


def _with_member(facts: exp.Expr | None, name: str, value: exp.Expr) -> exp.Expr:
    member = exp.PropertyEQ(this=exp.to_identifier(name, quoted=True), expression=value)
    items = list(facts.expressions) if isinstance(facts, exp.Struct) else []
    return exp.Struct(expressions=[*items, member])


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
        if key.endswith("#text") or key.startswith("#"):
            continue
        given = value if value is not None else raw.get(f"{key}#text")
        if given is not None:
            facts[key] = _absent_dropped(given)
    return facts


def decide_row(
    engine: Engine,
    subject: str,
    raw: Mapping[str, Any],
    question: str,
    nested: bool,
    levels: bool | None = None,
) -> dict[str, Any]:
    """One row's answer columns as ``decide`` gives them (its error, if it raises one), as of
    the row's own day where it carries one (``ROW_DAY``). ``levels``: ``levelled(engine)``,
    if the caller knows it.

    Facts the model refuses field by field get ``decide``'s message from the fields' own checks
    (``FieldChecks``: the same errors, in the same words, each invalid value validated once per
    run); the rest are decided by ``decide``."""
    as_of = raw.get(ROW_DAY)
    if levels is None:
        levels = levelled(engine)
    if ROW_DAY in raw and as_of is None:
        return error_row("no as-of date: the row's as-of column is empty", nested, levels)
    facts = facts_of_row(subject, raw)
    errors = field_checks(engine.policy.subjects[subject].model).errors(facts, raw.get(FAILED))
    if errors is not None:
        return error_row(facts_message(errors), nested, levels)
    try:
        decision = engine.decide(facts, question, as_of=as_of)
    except (FactsError, ConflictError) as exc:
        return error_row(str(exc), nested, levels)
    return decision_row(decision, nested, levels)


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
        levels = levelled(engine)
        rows = [decide_row(engine, subject, raw or {}, q, nested, levels) for raw in raws]
        prefix = f"{q}." if len(questions) > 1 else ""
        indices = list(range(n))
        for k, j in enumerate(flagged):
            indices[j] = n + k
        take = pa.array(indices, type=pa.int64())
        for name in output_columns(nested, levelled(engine)):
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
