"""The same batch plan on Spark: the SELECT of ``_batch.batch_sql`` rendered as Spark SQL.

The plan's SQL runs over a temporary view of the input; the flagged rows of each partition are
decided with ``Engine.decide`` by ``mapInArrow`` on the executors. The engine travels in the plan
as the bytes behind its policy's fingerprint (``policy.content``): policy, overlays and the
caller's overlay folder are rebuilt on each executor from them, never looked up by path, so an
executor on another machine, in another working directory, decides with the same policy. A CSV
is read with the layout DuckDB reads it with (``csv_layout``): a row with fewer or more fields
than the header is that row's error, in the same words, and the other rows are answered.
The session is the active one (``spark-submit``, a notebook), else one built from
``SPARK_REMOTE`` (Spark Connect) or ``JURISDICTION_SPARK_MASTER`` (default ``local[2]``):
docs/batch.md.
"""

from __future__ import annotations

import datetime
import os
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from ..core.errors import FactsError
from .csv_layout import MALFORMED, csv_header, malformed_message
from .days import RowDays, engine_on, row_days
from .plan import levelled, output_columns
from .query import BatchSummary, _count, batch_sql, patch_batch
from .sql_records import spark_sums

if TYPE_CHECKING:
    from ..engine.engine import Engine

__all__ = ["decide_frame", "decide_table_spark", "run_batch_spark", "session"]


def session(*, progress: bool = True) -> Any:
    """The active Spark session, or a new one (local unless configured otherwise; with Spark's
    console progress bars only if ``progress``)."""
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        spark = active
    else:
        builder = SparkSession.builder.appName("jurisdiction batch")
        builder = builder.config("spark.ui.showConsoleProgress", "true" if progress else "false")
        if not os.environ.get("SPARK_REMOTE"):
            # local workers run this interpreter, which has jurisdiction installed
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
            builder = builder.master(os.environ.get("JURISDICTION_SPARK_MASTER", "local[2]"))
            builder = builder.config("spark.ui.enabled", "false")
            builder = builder.config("spark.sql.shuffle.partitions", "2")
        spark = builder.getOrCreate()
    # the plan guards its casts itself; ANSI mode would fail a whole job on one bad cell
    spark.conf.set("spark.sql.ansi.enabled", "false")
    return spark


_SPARK_TYPES = {
    "string": "VARCHAR",
    "bigint": "BIGINT",
    "int": "INTEGER",
    "smallint": "SMALLINT",
    "tinyint": "TINYINT",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "array<string>": "VARCHAR[]",
    "void": "NULL",
}


def _duck_type(simple: str) -> str:
    """A Spark column type in the words ``_batch.column_kinds`` reads (DuckDB's)."""
    if simple.startswith("struct<"):
        return "STRUCT"
    if simple.startswith("array<struct<"):  # a list of records
        return "STRUCT[]"
    return _SPARK_TYPES.get(simple, simple.upper())


def _answered(
    engine: Engine,
    frame: Any,
    questions: Sequence[str],
    nested: bool,
    id_column: str | None,
    days: RowDays | None = None,
) -> Any:
    from pyspark.sql.types import StructType

    names = list(frame.columns)
    if id_column is None and "id" in names:
        id_column = "id"
    types = [_duck_type(f.dataType.simpleString()) for f in frame.schema.fields]
    carry = [MALFORMED] if MALFORMED in names else []
    width = len(names) - len(carry)
    select, subject = batch_sql(
        engine,
        questions,
        names,
        types,
        nested=nested,
        id_column=id_column,
        source="src",
        carry=carry,
        days=days,
    )
    view = f"jurisdiction_src_{id(frame)}"
    frame.createOrReplaceTempView(view)
    sql = spark_sums(select).sql(dialect="spark").replace("FROM src", f"FROM {view}")
    planned = frame.sparkSession.sql(sql)
    names_in = list(planned.columns)
    safe = [f"c{i}" for i in range(len(names_in))]  # Spark resolves a dot as a struct's field
    planned = planned.toDF(*safe)
    kept = [
        i
        for i, n in enumerate(names_in)
        if not n.startswith("_flag_") and n not in ("_facts", MALFORMED)
    ]
    schema = StructType([planned.schema.fields[i] for i in kept])
    asked = list(questions)

    def patch(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            named = pa.RecordBatch.from_arrays(batch.columns, names=names_in)
            if carry:
                named = _malformed_answered(named, asked, width, nested, levelled(engine))
            done = patch_batch(engine, subject, asked, named, nested)[0]
            yield pa.RecordBatch.from_arrays(
                [done.column(names_in[i]) for i in kept], names=[safe[i] for i in kept]
            )

    return planned.mapInArrow(patch, schema).toDF(*[names_in[i] for i in kept])


def _malformed_answered(
    batch: pa.RecordBatch, questions: Sequence[str], width: int, nested: bool, levels: bool
) -> pa.RecordBatch:
    """A batch whose malformed CSV rows (their text in ``MALFORMED``) are not decided but
    answered with their error alone, as DuckDB answers them."""
    raw = batch.column(batch.schema.get_field_index(MALFORMED))
    if raw.null_count == len(raw):
        return batch
    bad = raw.is_valid()
    messages = pa.array(
        [None if r is None else malformed_message(r, width) for r in raw.to_pylist()],
        type=pa.string(),
    )
    columns = dict(zip(batch.schema.names, batch.columns, strict=True))
    for i, q in enumerate(questions):
        columns[f"_flag_{i}"] = pc.and_(columns[f"_flag_{i}"], pc.invert(bad))
        prefix = f"{q}." if len(questions) > 1 else ""
        for name in output_columns(nested, levels):
            col = columns[prefix + name]
            given = messages if name == "error" else pa.nulls(len(col), type=col.type)
            columns[prefix + name] = pc.if_else(bad, given.cast(col.type), col)
    return pa.RecordBatch.from_arrays(list(columns.values()), names=list(columns))


def decide_frame(
    engine: Engine,
    frame: Any,
    question: str | Sequence[str],
    *,
    nested: bool = False,
    id_column: str | None = None,
    as_of: datetime.date | str | None = None,
    as_of_column: str | None = None,
) -> Any:
    """A Spark DataFrame's rows answered, lazily, as a Spark DataFrame (``Engine.decide_frame``),
    as of ``as_of``, or each row as of its day (``as_of_column``, the field that dates it), or
    today."""
    if not type(frame).__module__.startswith("pyspark"):
        raise FactsError(
            f"decide_frame answers a Spark DataFrame, got {type(frame).__name__}; "
            "decide_table takes Arrow, Polars, pandas and DuckDB tables"
        )
    questions = [question] if isinstance(question, str) else list(question)
    for q in questions:
        engine.question(q)  # an unknown question fails here, with its suggestion
    subject = engine.question(questions[0]).subject
    days = row_days(engine, subject, as_of, as_of_column)
    if not days.per_row:
        engine = engine_on(engine, days.day)
    return _answered(engine, frame, questions, nested, id_column, days)


def _frame_of(spark: Any, table: Any) -> Any:
    if type(table).__module__.startswith("pyspark"):
        return table
    if not isinstance(table, pa.Table):
        import duckdb

        from .query import relation_of

        con = duckdb.connect()
        try:
            table = relation_of(con, table).to_arrow_table()
        finally:
            con.close()
    return spark.createDataFrame(table)


def decide_table_spark(
    engine: Engine,
    table: Any,
    questions: Sequence[str],
    *,
    nested: bool = False,
    id_column: str | None = None,
    summary: BatchSummary | None = None,
    days: RowDays | None = None,
) -> pa.Table:
    """``decide_table`` on Spark, collected to the driver as an Arrow table."""
    spark = session()
    frame = _frame_of(spark, table)
    result = _answered(engine, frame, questions, nested, id_column, days).toArrow()
    if summary is not None:
        for batch in result.to_batches():
            _count(summary, questions, batch)
    return result


def _read_csv(spark: Any, source: str) -> Any:
    """A CSV file (or glob) as Spark reads it in DuckDB's layout: every column text, an empty
    cell null, and a row with fewer or more fields than the header kept, its text in
    ``MALFORMED`` (Spark's corrupt-record column) for its error."""
    from pyspark.sql.functions import col, when
    from pyspark.sql.types import StringType, StructField, StructType

    if "://" in source:
        import duckdb

        con = duckdb.connect()
        try:
            header = csv_header(con, source)
        finally:
            con.close()
    else:
        header = csv_header(None, source)
    schema = StructType([StructField(n, StringType()) for n in [*header, MALFORMED]])
    frame = (  # a fixed layout, as DuckDB reads it: nothing guessed
        spark.read.schema(schema)
        .option("header", "true")
        .option("enforceSchema", "true")
        .option("sep", ",")
        .option("quote", '"')
        .option("escape", '"')
        .option("mode", "PERMISSIVE")
        .option("columnNameOfCorruptRecord", MALFORMED)
        .csv(source)
    )
    cells = [when(col(f"`{n}`") == "", None).otherwise(col(f"`{n}`")).alias(n) for n in header]
    return frame.select(*cells, col(f"`{MALFORMED}`"))


def run_batch_spark(
    engine: Engine,
    source: str | Path,
    questions: Sequence[str],
    target: str | Path,
    *,
    in_format: str,
    out_format: str,
    nested: bool = False,
    id_column: str | None = None,
    progress: bool = False,
    days: RowDays | None = None,
) -> BatchSummary:
    """Answer a file on Spark, written by Spark (a directory of part files at ``target``);
    Spark's own progress bars on stderr only if ``progress``."""
    from pyspark.sql.functions import count, lit

    started = time.perf_counter()
    spark = session(progress=progress)
    reader = spark.read
    if in_format == "parquet":
        frame = reader.parquet(str(source))
    elif in_format == "csv":
        frame = _read_csv(spark, str(source))
    else:
        frame = reader.json(str(source))
    answered = _answered(engine, frame, questions, nested, id_column, days).cache()
    writer = answered.write.mode("overwrite")
    if out_format == "parquet":
        writer.parquet(str(target))
    elif out_format == "csv":
        writer.option("header", "true").csv(str(target))
    else:
        writer.json(str(target))
    summary = BatchSummary()
    for q in questions:  # as _batch._summarised: one aggregate of the cached answers each
        prefix = f"{q}." if len(questions) > 1 else ""
        outcome, error = answered[f"`{prefix}outcome`"], answered[f"`{prefix}error`"]
        rows = answered.groupBy(outcome).agg(count(lit(1)), count(error)).collect()
        summary.outcomes[q] = Counter({o: int(n) for o, n, _e in rows if o is not None})
        summary.errors[q] = sum(int(e) for _o, _n, e in rows)
        summary.rows = sum(int(n) for _o, n, _e in rows)
    summary.seconds = time.perf_counter() - started
    answered.unpersist()
    return summary
