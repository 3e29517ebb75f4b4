"""The batch plan on Spark (local mode) answers as DuckDB does and as ``decide`` does.

One Spark session for the module (its start is slow); per subject one job answers all its
questions for the first ``JURISDICTION_SPARK_ROWS`` (default 50) of the fact sets
``test_batch`` draws (the same draw: hypothesis is not asked twice), spoiled rows among them,
compared row for row with ``decide`` and with DuckDB. Spark's cost here is its start and one
job per kind of fact set, hardly the rows.
"""

from __future__ import annotations

import os
import shutil

import pytest

# Under CI (.ci/run sets it) the Spark plan is part of what must pass: a missing pyspark, duckdb
# or Java fails the run instead of skipping it. A developer without them skips it.
if os.environ.get("CI"):
    import duckdb  # noqa: F401
    import pyspark  # noqa: F401

    assert shutil.which("java") or os.environ.get("JAVA_HOME"), "Spark needs Java 17"
else:
    pytest.importorskip("pyspark")
    pytest.importorskip("duckdb")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("Spark needs Java", allow_module_level=True)

import pyarrow as pa

from jurisdiction._batch import arrow_schema, decide_table
from test_batch import BUNDLED, DOGS, _drawn, _reference
from test_batch import ROWS as DRAWN

ROWS = int(os.environ.get("JURISDICTION_SPARK_ROWS", "50"))

pytestmark = pytest.mark.filterwarnings(
    "ignore::FutureWarning", "ignore::DeprecationWarning", "ignore::ResourceWarning"
)


@pytest.mark.parametrize(
    ("engine", "subject"),
    [(BUNDLED, s) for s in BUNDLED.subjects] + [(DOGS, s) for s in ("application",)],
    ids=lambda x: x if isinstance(x, str) else "",
)
def test_spark_plan_equals_decide(engine, subject) -> None:
    questions = list(engine.questions(subject))
    drawn = _drawn(engine, subject, max(DRAWN, ROWS))[:ROWS]
    schema = arrow_schema(engine, subject).insert(0, pa.field("id", pa.string()))
    table = pa.Table.from_pylist(list(drawn), schema=schema)
    spark = decide_table(engine, table, questions, nested=True, backend="spark").to_pylist()
    duck = decide_table(engine, table, questions, nested=True).to_pylist()
    assert spark == duck
    assert [r["id"] for r in spark] == [r["id"] for r in drawn]
    for row, got in zip(drawn, spark, strict=True):
        facts = {k: v for k, v in row.items() if k != "id"}
        for q in questions:
            prefix = f"{q}." if len(questions) > 1 else ""
            answer = {k[len(prefix) :]: v for k, v in got.items() if k.startswith(prefix)}
            assert answer == _reference(engine, subject, facts, q), (row, q)
