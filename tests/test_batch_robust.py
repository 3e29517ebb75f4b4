"""Issue 23, the batch's promises under adversarial inputs (round 3): a CSV read with a fixed
layout, a malformed row its own error, rows in = rows out, OUT written whole or not at all, every
failure one line with a documented exit code."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from jurisdiction.cli.main import cli

if os.environ.get("CI"):  # under CI the batch extra is part of what must pass
    import duckdb
    import pyarrow as pa
    import pyarrow.parquet as pq
else:
    duckdb = pytest.importorskip("duckdb")
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")

import jurisdiction

HEADER = "id,category,staff,location"
GOOD = "a,other,1000,120101001001"


def _batch(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["batch", "-q", "unit_management", "--quiet", *args])
    return result.exit_code, result.stdout, result.stderr


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_a_ragged_row_is_its_own_error_and_every_other_row_is_answered(tmp_path: Path) -> None:
    """DuckDB's sniffer guessed another layout from one ragged row: 3 rows in, 0 out, exit 0."""
    src = tmp_path / "units.csv"
    src.write_text(
        "\n".join([HEADER, GOOD, "b,other,50", "c,other,50,120104001001,extra", "d,other,7,"])
        + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    code, stdout, _err = _batch(str(src), "-o", str(out))
    assert code == 1
    rows = _rows(out)
    assert [r["id"] for r in rows] == ["a", "b", "c", "d"]
    assert rows[0]["outcome"] == "responsible"
    assert rows[1]["error"] == "a malformed CSV row: 3 fields where the header has 4"
    assert rows[2]["error"] == "a malformed CSV row: more fields than the header has (4)"
    assert "location: Field required" in rows[3]["error"]  # an empty cell is an absent field
    assert json.loads(stdout)["rows"] == 4


def test_many_rows_with_one_ragged_keep_their_columns(tmp_path: Path) -> None:
    """1,100 rows with one ragged: every row was "Field required" and the id column lost."""
    lines = [HEADER] + [f"u{i},other,{i},120101001001" for i in range(1100)]
    lines[700] = "u699,other"
    src = tmp_path / "units.csv"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.parquet"
    code, _out, _err = _batch(str(src), "-o", str(out))
    assert code == 1
    table = pq.read_table(out)
    assert table.column("id").to_pylist() == [f"u{i}" for i in range(1100)]
    assert table.column("error").null_count == 1099


def test_a_missing_required_column_is_refused_before_any_row(tmp_path: Path) -> None:
    src = tmp_path / "units.csv"
    src.write_text("id,category,staf,location\n" + GOOD + "\n", encoding="utf-8")
    code, _out, err = _batch(str(src), "-o", str(tmp_path / "out.csv"))
    assert code == 4
    assert "no column for the required field(s) staff of `unit`" in err
    assert not (tmp_path / "out.csv").exists()


def test_a_struct_missing_a_sub_field_is_answered_not_a_binder_error() -> None:
    """A nested `area` struct lacking any sub-field failed with DuckDB's BinderException."""
    engine = jurisdiction.load()
    facts = {
        "kind": "resident",
        "hukou": "120101001",
        "residence": "120104002",
        "sex": "female",
        "age": 31,
    }
    table = pa.table(
        {
            **{k: [v, v] for k, v in facts.items() if k != "kind"},
            "area": [{"blind_spot": True}, None],
        }
    )
    out = engine.decide_table(table, "first_child_certificate").to_pylist()
    assert len(out) == 2
    assert out[0]["error"] is not None
    assert "area." in out[0]["error"]
    expected = engine.decide(facts, "first_child_certificate")
    assert out[1]["outcome"] == expected.outcome
    assert out[1]["error"] is None


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("empty.csv", b"", "the CSV file is empty"),
        ("latin.csv", f"{HEADER}\nb,caf\xe9,1,120101001001\n".encode("latin-1"), "not UTF-8"),
        ("big.csv", f"{HEADER}\na,other,1,{'1' * 3_000_000}\n".encode(), "line size"),
        ("bad.jsonl", b'{"id": "a", "staff": 1}\n{"id": b\n', "Malformed JSON"),
        ("dup.csv", b"id,staff,staff\n1,2,3\n", "names a column twice"),
    ],
)
def test_an_unreadable_input_is_one_line_and_exit_4(
    tmp_path: Path, name: str, content: bytes, says: str
) -> None:
    src = tmp_path / name
    src.write_bytes(content)
    out = tmp_path / ("out" + src.suffix)
    code, _out, err = _batch(str(src), "-o", str(out))
    assert code == 4, err
    assert says in err
    assert len(err.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # nothing written


def test_a_glob_matching_nothing_is_exit_4(tmp_path: Path) -> None:
    code, _out, err = _batch(str(tmp_path / "none*.csv"), "-o", str(tmp_path / "o.csv"))
    assert (code, err.strip()) == (4, f"error (FactsError): no file matches {tmp_path}/none*.csv")


def _units(path: Path) -> Path:
    path.write_text(f"{HEADER}\n{GOOD}\n", encoding="utf-8")
    return path


def test_an_output_folder_that_is_missing_or_read_only_is_exit_7(tmp_path: Path) -> None:
    src = _units(tmp_path / "u.csv")
    code, _out, err = _batch(str(src), "-o", str(tmp_path / "no" / "o.csv"))
    assert (code, len(err.strip().splitlines())) == (7, 1)
    assert "no such folder" in err
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    if os.access(locked, os.W_OK):  # root writes anywhere
        return
    code, _out, err = _batch(str(src), "-o", str(locked / "o.csv"))
    assert (code, "not writable" in err) == (7, True)


def test_input_as_output_is_refused_and_the_input_kept(tmp_path: Path) -> None:
    """`batch X.csv -o X.csv` replaced the register with its answers, exit 0."""
    src = _units(tmp_path / "u.csv")
    before = src.read_bytes()
    code, _out, err = _batch(str(src), "-o", str(src))
    assert code == 4
    assert "OUT is IN" in err
    code, _out, _err = _batch(str(tmp_path / "*.csv"), "-o", str(src), "--in-format", "csv")
    assert code == 4
    assert src.read_bytes() == before


def test_an_existing_output_is_replaced_only_by_a_complete_one(tmp_path: Path) -> None:
    out = tmp_path / "o.csv"
    out.write_text("the previous answers\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("", encoding="utf-8")
    assert _batch(str(bad), "-o", str(out))[0] == 4
    assert out.read_text(encoding="utf-8") == "the previous answers\n"
    assert _batch(str(_units(tmp_path / "u.csv")), "-o", str(out))[0] == 0
    assert _rows(out)[0]["outcome"] == "responsible"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv", "o.csv", "u.csv"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_leaves_no_output_and_the_previous_one_intact(
    tmp_path: Path, signum: signal.Signals
) -> None:
    """SIGTERM left a truncated file under the final name that read as a valid CSV."""
    src = tmp_path / "units.csv"
    with src.open("w", encoding="utf-8") as f:  # every row decided in Python: a long run
        f.write(HEADER + "\n")
        f.writelines(f"{i},other,many,120101001001\n" for i in range(400_000))
    out = tmp_path / "o.csv"
    out.write_text("the previous answers\n", encoding="utf-8")
    cmd = [str(Path(sys.executable).parent / "jurisdiction")]  # the console script
    proc = subprocess.Popen(
        [*cmd, "batch", str(src), "-q", "unit_management", "-o", str(out), "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    while not any(p.name.endswith(".partial") for p in tmp_path.iterdir()):
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        time.sleep(0.02)
    proc.send_signal(signum)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 128 + signum, err
    assert err.strip().splitlines()[-1].startswith("error (InterruptedRunError)")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o.csv", "units.csv"]
    assert out.read_text(encoding="utf-8") == "the previous answers\n"


def test_an_unknown_output_format_names_out_format(tmp_path: Path) -> None:
    code, _out, err = _batch(str(_units(tmp_path / "u.csv")), "-o", str(tmp_path / "o.txt"))
    assert code == 4
    assert "give --out-format" in err
