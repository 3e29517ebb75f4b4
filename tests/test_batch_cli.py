"""``jurisdiction batch``: files in and out, bad rows kept as rows with decide's error."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

# Under CI (.ci/run sets it) the batch extra must be there: missing, it fails, not skips.
if os.environ.get("CI"):
    import duckdb  # noqa: F401
    import pyarrow.parquet as pq
    import sqlglot  # noqa: F401
else:
    pq = pytest.importorskip("pyarrow.parquet")
    pytest.importorskip("duckdb")
    pytest.importorskip("sqlglot")

import jurisdiction
from jurisdiction import JurisdictionError
from jurisdiction.cli.main import cli

OVERLAYS = Path(__file__).resolve().parent.parent / "examples" / "overlays"
ENGINE = jurisdiction.load(overlays=OVERLAYS)
UNITS = [
    {"id": "a", "category": "other", "staff": "1000", "location": "120101001001"},
    {"id": "b", "category": "other", "staff": "50", "location": "120104001001"},
    {"id": "c", "category": "ministry", "staff": "50", "location": "120104001001"},
    {"id": "d", "category": "other", "staff": "-1", "location": "120101901001"},
    {"id": "e", "category": "other", "staff": "many", "location": "120101001001"},
    {"id": "f", "category": "other", "staff": "7", "location": ""},
]


def _csv(path: Path) -> Path:
    lines = ["id,category,staff,location"]
    lines += [",".join(u.values()) for u in UNITS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _expected(unit: dict[str, str]) -> tuple[str | None, str | None, str | None]:
    facts: dict[str, object] = {"kind": "unit", "category": unit["category"]}
    facts["staff"] = int(unit["staff"]) if unit["staff"].lstrip("-").isdigit() else unit["staff"]
    if unit["location"]:
        facts["location"] = unit["location"]
    try:
        decision = ENGINE.decide(facts, "unit_management")
    except JurisdictionError as exc:
        return None, str(exc), None
    return decision.outcome, None, "; ".join(decision.sources) or None


def test_csv_to_parquet_keeps_every_row_and_gives_decides_errors(tmp_path: Path) -> None:
    out = tmp_path / "out.parquet"
    result = CliRunner().invoke(
        cli,
        [
            "batch",
            str(_csv(tmp_path / "units.csv")),
            "-q",
            "unit_management",
            "-o",
            str(out),
            "--overlays",
            str(OVERLAYS),
        ],
    )
    assert result.exit_code == 1, result.output  # some rows have an error
    summary = json.loads(result.stdout)
    assert summary["rows"] == len(UNITS)
    rows = pq.read_table(out).to_pylist()
    assert [r["id"] for r in rows] == [u["id"] for u in UNITS]
    for unit, row in zip(UNITS, rows, strict=True):
        assert (row["outcome"], row["error"], row["sources"]) == _expected(unit)
    assert summary["questions"]["unit_management"]["errors"] == 4
    assert rows[1]["sources"].endswith("overlays/120104.yaml")  # the overlay district's plan


def test_without_overlays_no_district_plan(tmp_path: Path) -> None:
    out = tmp_path / "out.parquet"
    args = ["batch", str(_csv(tmp_path / "units.csv")), "-q", "unit_management", "-o", str(out)]
    assert CliRunner().invoke(cli, args).exit_code == 1
    assert pq.read_table(out).column("sources").null_count == len(UNITS)


def test_nested_jsonl_and_several_questions(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    args = ["batch", str(_csv(tmp_path / "units.csv")), "-o", str(out), "--nested", "--quiet"]
    args += ["--overlays", str(OVERLAYS)]
    args += ["-q", "unit_management", "-q", "unit_guidance"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == len(UNITS)
    first = rows[0]
    assert first["unit_management.bodies"] == [
        {
            "kind": "fp_department",
            "level": "district",
            "place_code": "120101",
            "role": "responsible",
            "cite": "(十)",
            "via": None,
        }
    ]
    assert first["unit_guidance.citations"]


def test_a_csv_cannot_hold_nested_columns(tmp_path: Path) -> None:
    args = [
        "batch",
        str(_csv(tmp_path / "u.csv")),
        "-q",
        "unit_management",
        "-o",
        str(tmp_path / "o.csv"),
        "--nested",
    ]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 4
    assert "flat columns only" in result.stderr


def test_help_teaches() -> None:
    result = CliRunner().invoke(cli, ["batch", "--help"])
    assert result.exit_code == 0
    for words in ("Parquet, CSV or JSON Lines", "error", "--nested", "--engine", "Examples"):
        assert words in result.output


def test_progress_bar_counts_rows_of_a_parquet_and_is_off_in_a_pipe(tmp_path: Path) -> None:
    import pyarrow as pa

    source = tmp_path / "units.parquet"
    rows = [{**u, "staff": 10 + i} for i, u in enumerate(UNITS * 5)]
    pq.write_table(pa.Table.from_pylist(rows), source)
    args = ["batch", str(source), "-q", "unit_management", "-o", str(tmp_path / "o.parquet")]
    shown = CliRunner().invoke(cli, [*args, "--progress"])
    assert shown.exit_code == 1, shown.output
    last = shown.stderr.strip().splitlines()[-1]
    assert f"{len(rows)}/{len(rows)} rows" in last  # the total, from the file's metadata
    assert "rows/s" in last
    assert "100%" in last
    quiet = CliRunner().invoke(cli, args)  # not a terminal: no bar unless asked
    assert quiet.exit_code == 1
    assert quiet.stderr == ""


def test_decide_table_reads_a_relation_of_the_callers_own_connection() -> None:
    import duckdb

    mine = duckdb.connect()
    relation = mine.sql(
        "SELECT 'u' || range::VARCHAR AS id, 'other' AS category, range * 40 AS staff, "
        "'120101001001' AS location FROM range(30)"
    )
    out = ENGINE.decide_table(relation, "unit_management").to_pylist()
    assert [r["id"] for r in out] == [f"u{i}" for i in range(30)]
    for i, row in enumerate(out):
        facts = {"kind": "unit", "category": "other", "staff": i * 40, "location": "120101001001"}
        assert (
            row["body_place_code"] == ENGINE.decide(facts, "unit_management").bodies[0].place_code
        )


def test_a_directory_is_refused_where_duckdb_wants_a_file(tmp_path: Path) -> None:
    units = _csv(tmp_path / "u.csv")
    run = ["batch", "-q", "unit_management", "--quiet"]
    as_input = CliRunner().invoke(cli, [*run, str(tmp_path), "-o", str(tmp_path / "o.csv")])
    assert as_input.exit_code == 4
    assert "IN is a directory" in as_input.stderr
    assert "/*.parquet" in as_input.stderr  # how to read the files of a directory instead
    (tmp_path / "out").mkdir()
    as_output = CliRunner().invoke(cli, [*run, str(units), "-o", str(tmp_path / "out")])
    assert as_output.exit_code == 4
    assert "OUT is a directory" in as_output.stderr
    missing = CliRunner().invoke(cli, [*run, str(tmp_path / "no.csv"), "-o", "o.csv"])
    assert missing.exit_code == 4
    assert "no such file" in missing.stderr


def test_a_glob_reads_every_file_it_matches(tmp_path: Path) -> None:
    parts = tmp_path / "parts"
    parts.mkdir()
    _csv(parts / "a.csv")
    _csv(parts / "b.csv")
    out = tmp_path / "out.parquet"
    args = ["batch", str(parts / "*.csv"), "-q", "unit_management", "-o", str(out)]
    args += ["--in-format", "csv", "--quiet"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1, result.output
    assert json.loads(result.stdout)["rows"] == 2 * len(UNITS)
    assert pq.read_table(out).num_rows == 2 * len(UNITS)
