"""A body's own level, computed from the place it is at (`bodies.<kind>.level`), comes out of the
batch as `decide` gives it (#19): the level's expression is compiled into the plan's SQL over the
body's place code, like every other place expression.

The fixture policy (tests/batch_body_levels) has a department whose level follows a parameter
(bureau-level in the central region KN, section-level elsewhere), one whose level a lookup table
gives (no row: no level), at each of a list of places (one body per branch), and an office
without a level. Every row of a grid over places, staff and branches is compared with `decide`,
flat and nested, on DuckDB, through the command line, and on Spark; a policy that computes no
level keeps its output's columns."""

from __future__ import annotations

import itertools
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

if os.environ.get("CI"):  # under CI the batch extra must be there (as in test_batch.py)
    import pyarrow as pa
else:
    pa = pytest.importorskip("pyarrow")
    pytest.importorskip("duckdb")

import jurisdiction
from jurisdiction.batch.embedded import decide_table
from jurisdiction.batch.plan import decision_row, error_row, levelled
from jurisdiction.batch.query import arrow_schema

HERE = Path(__file__).resolve().parent
ENGINE = jurisdiction.load(HERE / "batch_body_levels")
QUESTIONS = ["inspection", "branch_registration"]
WARDS = ["KN01", "KS02", "KX03", "LA01"]  # central, with a table row, without one, outside
BRANCHES: list[list[str] | None] = [
    None,
    [],
    ["KN02"],
    ["KX04"],
    ["KS01", "KX02"],
    ["KN03", "KS03", "KX05"],
]
FLAT = (
    "outcome",
    "body_kind",
    "body_level",
    "body_place_code",
    "body_role",
    "body_cite",
    "citations",
    "sources",
    "reason_zh",
    "reason_en",
    "error",
)
"""The flat output's answer columns as they were before bodies had levels of their own."""


def _rows() -> list[dict[str, Any]]:
    grid = itertools.product(WARDS, (10, 100), BRANCHES)
    rows = [
        {"id": str(i), "ward": w, "staff": s, "branches": b} for i, (w, s, b) in enumerate(grid)
    ]
    rows.append({"id": "bad", "ward": "KN1", "staff": 10, "branches": None})  # decide refuses
    return rows


def _table() -> pa.Table:
    schema = arrow_schema(ENGINE, "site").insert(0, pa.field("id", pa.string()))
    return pa.Table.from_pylist(_rows(), schema=schema)


def _want(row: dict[str, Any], question: str, nested: bool) -> dict[str, Any]:
    facts = {"kind": "site", **{k: v for k, v in row.items() if k != "id" and v is not None}}
    try:
        decision = ENGINE.decide(facts, question)
    except jurisdiction.JurisdictionError as exc:
        return error_row(str(exc), nested, levels=True)
    return decision_row(decision, nested, levels=True)


def _answers(got: dict[str, Any], question: str) -> dict[str, Any]:
    prefix = f"{question}."
    return {k[len(prefix) :]: v for k, v in got.items() if k.startswith(prefix)}


@pytest.mark.parametrize("nested", [False, True], ids=["flat", "nested"])
def test_the_batch_gives_each_body_its_own_level_as_decide_does(nested: bool) -> None:
    assert levelled(ENGINE)
    out = decide_table(ENGINE, _table(), QUESTIONS, nested=nested, id_column="id").to_pylist()
    rows = _rows()
    assert [r["id"] for r in out] == [r["id"] for r in rows]
    for row, got in zip(rows, out, strict=True):
        for q in QUESTIONS:
            assert _answers(got, q) == _want(row, q, nested), (row, q)
    if nested:
        return
    # the level follows the place: not one value for every row, and null where none is given
    inspected = {
        (r["ward"], o["inspection.body_body_level"]) for r, o in zip(rows, out, strict=True)
    }
    assert {("KN01", "; bureau"), ("KS02", "; section"), ("KN01", "bureau")} <= inspected
    assert ("LA01", None) in inspected  # outside the city: no body, no level
    registered = {
        (tuple(r["branches"] or ()), r["ward"]): o["branch_registration.body_body_level"]
        for r, o in zip(rows, out, strict=True)
    }
    # one level per branch (the table's, "" for region KX, which has no row), then the site's
    assert registered[(("KN03", "KS03", "KX05"), "KS02")] == "bureau; section; ; section"
    assert registered[(("KX04",), "KN01")] == "; bureau"


def test_a_policy_without_computed_levels_keeps_its_columns() -> None:
    dogs = jurisdiction.load(HERE.parent / "examples" / "dog_licence")
    assert not levelled(dogs)
    subject = "application"
    table = pa.Table.from_pylist([], schema=arrow_schema(dogs, subject))
    question = next(iter(dogs.questions(subject)))
    flat = decide_table(dogs, table, question, as_of="2025-01-01")
    assert tuple(flat.schema.names) == (*FLAT, "as_of", "as_of_source")
    nested = decide_table(dogs, table, question, nested=True, as_of="2025-01-01")
    bodies = nested.schema.field("bodies").type.value_type
    assert [f.name for f in bodies] == ["kind", "level", "place_code", "role", "cite", "via"]
    # with computed levels, one column more, beside the place's level
    levels = decide_table(ENGINE, _table().slice(0, 0), "inspection", id_column="id")
    own = (*FLAT[:3], "body_body_level", *FLAT[3:])
    assert tuple(levels.schema.names) == ("id", *own, "as_of", "as_of_source")


def test_the_command_line_writes_the_levels(tmp_path: Path) -> None:
    import pyarrow.parquet as pq
    from click.testing import CliRunner

    from jurisdiction.cli.main import cli

    pq.write_table(_table(), tmp_path / "sites.parquet")
    out = tmp_path / "answers.parquet"
    args = ["batch", str(tmp_path / "sites.parquet"), "-q", "inspection", "-o", str(out)]
    run = CliRunner().invoke(cli, [*args, "--quiet", "--policy", str(HERE / "batch_body_levels")])
    assert run.exit_code == 1, run.output  # 1: the row `bad` has its error
    for row, got in zip(_rows(), pq.read_table(out).to_pylist(), strict=True):
        assert {k: got[k] for k in FLAT} | {"body_body_level": got["body_body_level"]} == _want(
            row, "inspection", nested=False
        )


@pytest.mark.skipif(
    not os.environ.get("CI") and (shutil.which("java") is None and not os.environ.get("JAVA_HOME")),
    reason="Spark needs Java",
)
@pytest.mark.filterwarnings(
    "ignore::FutureWarning", "ignore::DeprecationWarning", "ignore::ResourceWarning"
)
def test_spark_gives_the_same_levels() -> None:
    pytest.importorskip("pyspark")
    table = _table()
    for nested in (False, True):
        spark = decide_table(ENGINE, table, QUESTIONS, nested=nested, backend="spark")
        duck = decide_table(ENGINE, table, QUESTIONS, nested=nested)
        assert spark.to_pylist() == duck.to_pylist()
