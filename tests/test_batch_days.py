"""Each row of a batch decided as of its own day (issue 18): ``as_of_column`` (``--as-of-column``)
and the field a policy dates its cases by (``dated_by``), across the stretches where the policy
differs. The plans of every stretch are combined by the row's day; a row must get, one by one,
what ``decide`` gives it as of that day — on DuckDB and on Spark local — and carry its day and
where the day came from. A row without a usable day gets that as its error; no row is lost.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

if os.environ.get("CI"):
    import duckdb  # noqa: F401
    import pyarrow as pa
else:
    pa = pytest.importorskip("pyarrow")
    pytest.importorskip("duckdb")

import pyarrow.parquet as pq
from click.testing import CliRunner

from jurisdiction import Engine, FactsError, JurisdictionError
from jurisdiction.batch.plan import decision_row, error_row
from jurisdiction.batch.query import arrow_schema
from jurisdiction.cli.main import cli
from test_batch import BUNDLED, DOGS, _drawn

# a day in each stretch of the bundled policy and on both sides of its breaks, a leap day, and
# two that are no day at all (an empty cell, a day that does not exist)
DAYS = [
    "2010-06-01",
    "2015-12-31",
    "2016-01-01",
    "2018-03-01",
    None,
    "2021-05-01",
    "2021-08-19",
    "2021-08-20",
    "2024-02-29",
    "2021-02-30",
]
ROWS = 60


def _table(engine: Engine, subject: str, rows: int = ROWS) -> tuple[list[dict[str, Any]], Any]:
    drawn = [
        {**row, "day": DAYS[i % len(DAYS)]}
        for i, row in enumerate(_drawn(engine, subject, rows)[:rows])
    ]
    schema = arrow_schema(engine, subject).insert(0, pa.field("id", pa.string()))
    schema = schema.append(pa.field("day", pa.string()))
    return drawn, pa.Table.from_pylist(drawn, schema=schema)


def _expected(engine: Engine, subject: str, row: dict[str, Any], q: str, **how: Any) -> dict:
    facts = {k: v for k, v in row.items() if k not in ("id", "day") and v is not None}

    def present(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: present(v) for k, v in value.items() if v is not None}
        return value

    try:
        decision = engine.decide({"kind": subject, **present(facts)}, q, **how)
    except JurisdictionError as exc:
        return error_row(str(exc), nested=True)
    return decision_row(decision, nested=True) | {"_day": decision.as_of}


def _same(got: dict[str, Any], want: dict[str, Any]) -> None:
    day = want.pop("_day", None)
    got_day, source = got.pop("as_of"), got.pop("as_of_source")
    assert got == want
    if day is not None:
        assert got_day == datetime.date.fromisoformat(day)
        assert source in ("column", "facts", "today")


@pytest.mark.parametrize("subject", ["resident", "unit"])
def test_each_row_is_decided_as_of_its_column(subject: str) -> None:
    questions = list(BUNDLED.questions(subject))
    drawn, table = _table(BUNDLED, subject)
    out = BUNDLED.decide_table(table, questions, nested=True, as_of_column="day").to_pylist()
    assert [r["id"] for r in out] == [r["id"] for r in drawn]  # rows in = rows out, in order
    changed = set()
    for row, got in zip(drawn, out, strict=True):
        assert got["as_of_source"] == "column"
        for q in questions:
            p = f"{q}."
            answer = {k[len(p) :]: v for k, v in got.items() if k.startswith(p)}
            answer |= {"as_of": got["as_of"], "as_of_source": got["as_of_source"]}
            if row["day"] is None:
                assert answer["error"].startswith("no as-of date"), answer
                assert answer["outcome"] is None
                continue
            want = _expected(BUNDLED, subject, row, q, as_of=row["day"])
            changed.add((q, want.get("outcome")))
            _same(answer, want)
    if subject == "resident":  # the test crossed the breaks: ended questions among the answers
        assert ("social_maintenance_fee", "not_in_force") in changed
        assert ("social_maintenance_fee", "responsible") in changed


def test_rows_dated_by_their_own_field_as_decide_reads_it() -> None:
    """The dog licence dates an application by `applied_on`; its senior age is 65 until 2025
    and 60 from 2026-01-01. Without as_of, each row is decided as of its own application day
    (as_of_source `facts`), as `decide` does."""
    questions = list(DOGS.questions("application"))
    drawn = list(_drawn(DOGS, "application", ROWS)[:ROWS])
    days = ["2025-12-31", "2026-01-01", "2019-04-01", "2030-07-15"]
    for i, row in enumerate(drawn):
        if row.get("applied_on") is not None and i % 5:
            row["applied_on"] = datetime.date.fromisoformat(days[i % len(days)])
    schema = arrow_schema(DOGS, "application").insert(0, pa.field("id", pa.string()))
    table = pa.Table.from_pylist(drawn, schema=schema)
    out = DOGS.decide_table(table, questions, nested=True).to_pylist()
    sources = set()
    for row, got in zip(drawn, out, strict=True):
        sources.add(got["as_of_source"])
        for q in questions:
            p = f"{q}."
            answer = {k[len(p) :]: v for k, v in got.items() if k.startswith(p)}
            answer |= {"as_of": got["as_of"], "as_of_source": got["as_of_source"]}
            _same(answer, _expected(DOGS, "application", row, q))
    assert "facts" in sources
    fixed = DOGS.decide_table(table, questions, as_of="2025-12-31").to_pylist()
    assert {(r["as_of"], r["as_of_source"]) for r in fixed} == {
        (datetime.date(2025, 12, 31), "given")
    }


def test_as_of_and_as_of_column_together_are_refused() -> None:
    _drawn_rows, table = _table(BUNDLED, "unit", 5)
    with pytest.raises(FactsError, match="as_of_column"):
        BUNDLED.decide_table(table, "unit_management", as_of="2012-06-01", as_of_column="day")
    with pytest.raises(FactsError, match="no as-of column `when`"):
        BUNDLED.decide_table(table, "unit_management", as_of_column="when")


def test_the_cli_takes_an_as_of_column(tmp_path: Path) -> None:
    drawn, table = _table(BUNDLED, "resident", 20)
    pq.write_table(table, tmp_path / "in.parquet")
    out = tmp_path / "out.parquet"
    args = ["batch", str(tmp_path / "in.parquet"), "-q", "social_maintenance_fee", "-o", str(out)]
    result = CliRunner().invoke(cli, [*args, "--as-of-column", "day", "--quiet"])
    assert result.exit_code in (0, 1), result.output
    written = pq.read_table(out).to_pylist()
    want = BUNDLED.decide_table(table, "social_maintenance_fee", as_of_column="day").to_pylist()
    assert written == want
    assert json.loads(result.stdout)["rows"] == len(drawn)
    both = CliRunner().invoke(cli, [*args, "--as-of-column", "day", "--as-of", "2012-06-01"])
    assert both.exit_code == 4, both.output


def _spark_ready() -> None:
    if os.environ.get("CI"):
        return
    pytest.importorskip("pyspark")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("Spark needs Java")


SPARK_QUESTIONS = ("first_child_certificate", "information_sharing", "social_maintenance_fee")
"""Resident questions that answer differently on each side of a break (policies/amendments.yaml):
one ends in 2016, one gains a caution then, one ends in 2021."""


@pytest.mark.filterwarnings("ignore::FutureWarning", "ignore::DeprecationWarning")
def test_spark_decides_each_row_as_of_its_day_as_duckdb_does() -> None:
    _spark_ready()
    from jurisdiction.batch.spark import session

    # the questions the breaks change (the DuckDB test above takes every one): a plan of every
    # resident question and stretch costs Spark's optimiser a minute and proves no more
    questions = [q for q in BUNDLED.questions("resident") if q in SPARK_QUESTIONS]
    assert len(questions) == len(SPARK_QUESTIONS)
    drawn, table = _table(BUNDLED, "resident", 30)
    spark = BUNDLED.decide_table(
        table, questions, nested=True, as_of_column="day", engine="spark"
    ).to_pylist()
    for row, got in zip(drawn, spark, strict=True):  # row by row, as decide on the row's day
        assert got["id"] == row["id"]
        for q in questions:
            answer = {k[len(q) + 1 :]: v for k, v in got.items() if k.startswith(f"{q}.")}
            answer |= {"as_of": got["as_of"], "as_of_source": got["as_of_source"]}
            if row["day"] is None:
                assert answer["error"].startswith("no as-of date")
            else:
                _same(answer, _expected(BUNDLED, "resident", row, q, as_of=row["day"]))
    duck = BUNDLED.decide_table(table, questions, nested=True, as_of_column="day").to_pylist()
    assert spark == duck
    frame = session().createDataFrame(table)  # lazy, on Spark: the same rows (an Arrow table
    # keeps a missing integer null; through pandas it would be NaN, a float)
    lazy = BUNDLED.decide_frame(frame, "social_maintenance_fee", as_of_column="day")
    got_rows = sorted(lazy.toArrow().to_pylist(), key=lambda r: r["id"])
    want = BUNDLED.decide_table(table, "social_maintenance_fee", as_of_column="day").to_pylist()
    assert got_rows == sorted(want, key=lambda r: r["id"])
    dogs = list(_drawn(DOGS, "application", 30)[:30])
    schema = arrow_schema(DOGS, "application").insert(0, pa.field("id", pa.string()))
    dogs_table = pa.Table.from_pylist(dogs, schema=schema)
    q = list(DOGS.questions("application"))
    got = DOGS.decide_table(dogs_table, q, nested=True, engine="spark").to_pylist()
    assert got == DOGS.decide_table(dogs_table, q, nested=True).to_pylist()
