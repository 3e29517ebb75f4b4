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
from collections import Counter
from pathlib import Path

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

import jurisdiction
from jurisdiction import FactsError
from jurisdiction.batch.embedded import decide_table
from jurisdiction.batch.query import arrow_schema
from test_batch import BUNDLED, DOGS, EXAMPLE_OVERLAYS, _drawn, _reference
from test_batch import ROWS as DRAWN

ROWS = int(os.environ.get("JURISDICTION_SPARK_ROWS", "50"))
HOUSING = jurisdiction.load(Path(__file__).resolve().parent.parent / "examples" / "housing_subsidy")

pytestmark = pytest.mark.filterwarnings(
    "ignore::FutureWarning", "ignore::DeprecationWarning", "ignore::ResourceWarning"
)


@pytest.mark.parametrize(
    ("engine", "subject"),
    [(BUNDLED, s) for s in BUNDLED.subjects]
    + [(DOGS, s) for s in ("application",)]
    + [(HOUSING, "household")],  # lists of records (a list column of structs), a lookup table
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


def test_decide_frame_keeps_a_spark_frame_a_spark_frame() -> None:
    from pyspark.sql import DataFrame

    from jurisdiction.batch.spark import session

    drawn = _drawn(BUNDLED, "unit", max(DRAWN, ROWS))[:ROWS]
    schema = arrow_schema(BUNDLED, "unit").insert(0, pa.field("id", pa.string()))
    table = pa.Table.from_pylist(list(drawn), schema=schema)
    frame = session().createDataFrame(table.to_pandas())
    answered = BUNDLED.decide_frame(frame, "unit_management")
    assert isinstance(answered, DataFrame)  # lazy: nothing collected to the driver
    got = sorted(answered.toArrow().to_pylist(), key=lambda r: r["id"])
    want = decide_table(BUNDLED, table, "unit_management").to_pylist()
    want.sort(key=lambda r: r["id"])
    assert got == want
    with pytest.raises(FactsError, match="Spark DataFrame"):
        BUNDLED.decide_frame(table, "unit_management")


def test_the_cli_answers_a_file_on_spark(tmp_path: Path) -> None:
    import json

    import pyarrow.parquet as pq
    from click.testing import CliRunner

    from jurisdiction.cli.main import cli

    drawn = _drawn(BUNDLED, "unit", max(DRAWN, ROWS))[:ROWS]
    schema = arrow_schema(BUNDLED, "unit").insert(0, pa.field("id", pa.string()))
    table = pa.Table.from_pylist(list(drawn), schema=schema)
    pq.write_table(table, tmp_path / "units.parquet")
    out = tmp_path / "answers.parquet"
    args = ["batch", str(tmp_path / "units.parquet"), "-q", "unit_management", "-o", str(out)]
    args += ["--engine", "spark", "--quiet", "--overlays", str(EXAMPLE_OVERLAYS)]
    for _run in range(2):  # a second run replaces the directory Spark wrote
        result = CliRunner().invoke(cli, args)
        assert result.exit_code in (0, 1), result.output
    written = pq.read_table(out).to_pylist()  # a directory of part files
    want = decide_table(BUNDLED, table, "unit_management").to_pylist()
    assert sorted(written, key=lambda r: r["id"]) == sorted(want, key=lambda r: r["id"])
    summary = json.loads(result.stdout)["questions"]["unit_management"]
    assert summary["errors"] == sum(r["error"] is not None for r in want)
    outcomes = Counter(r["outcome"] for r in want if r["outcome"] is not None)
    assert summary["outcomes"] == dict(sorted(outcomes.items()))
    assert (result.exit_code == 1) == (summary["errors"] > 0)
