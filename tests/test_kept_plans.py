"""The batch plan's SQL kept in the user's cache (``batch.kept_plans``): used again only while
everything it was made from is the same, verified on reading, rebuilt otherwise, a few kept per
kind of file; the command line keeps plans, ``run_batch`` only when asked."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

if os.environ.get("CI"):  # under CI the batch extra must be there: missing, it fails
    import pyarrow.parquet as pq
else:
    pq = pytest.importorskip("pyarrow.parquet")
    pytest.importorskip("duckdb")
    pytest.importorskip("sqlglot")

import jurisdiction
from jurisdiction.batch import embedded, kept_plans
from jurisdiction.cli.main import cli

OVERLAYS = Path(__file__).resolve().parent.parent / "examples" / "overlays"
ENGINE = jurisdiction.load(overlays=OVERLAYS)
ROWS = [  # a good row of each tier, an overlay's, one refused, one outside the city
    "a,government_organ,bureau,5,120101001001",
    "b,other,none,1000,120101001001",
    "c,other,none,50,120104001001",
    "d,ministry,none,50,120104001001",
    "e,other,none,-1,120101901001",
    "f,other,none,7,130101001001",
]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "cache"
    home.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home / "jurisdiction"


@pytest.fixture
def units(tmp_path: Path) -> Path:
    path = tmp_path / "units.csv"
    path.write_text("id,category,rank,staff,location\n" + "\n".join(ROWS) + "\n", "utf-8")
    return path


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times the plan's SQL was built (not read from the cache)."""
    count: list[int] = []
    real = embedded.batch_sql

    def counted(*args: Any, **kwargs: Any) -> Any:
        count.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(embedded, "batch_sql", counted)
    return count


def _rows(path: Path) -> list[dict[str, Any]]:
    return pq.read_table(path).to_pylist()  # type: ignore[no-any-return]


def _plans(cache: Path) -> list[str]:
    return sorted(n for n in os.listdir(cache) if n.startswith("batch-")) if cache.exists() else []


def _run(engine: Any, units: Path, out: Path, **options: Any) -> list[dict[str, Any]]:
    embedded.run_batch(engine, units, ["unit_management"], out, **options)
    return _rows(out)


def test_a_kept_plan_answers_as_a_built_one_without_building(
    cache: Path, units: Path, tmp_path: Path, builds: list[int]
) -> None:
    built = _run(ENGINE, units, tmp_path / "a.parquet")  # not kept: nothing in the cache
    assert _plans(cache) == []
    assert len(builds) == 1
    first = _run(ENGINE, units, tmp_path / "b.parquet", keep_plan=True)
    assert len(builds) == 2
    assert len(_plans(cache)) == 1
    again = _run(ENGINE, units, tmp_path / "c.parquet", keep_plan=True)
    assert len(builds) == 2  # read from the cache
    assert built == first == again
    assert {r["error"] is not None for r in again} == {True, False}  # refused rows too


def test_what_the_plan_is_made_from_changing_builds_it_again(
    cache: Path, units: Path, tmp_path: Path, builds: list[int]
) -> None:
    out = tmp_path / "out.parquet"
    _run(ENGINE, units, out, keep_plan=True)
    city = _run(jurisdiction.load(), units, out, keep_plan=True)  # no overlay: another policy
    assert len(builds) == 2
    old = _run(ENGINE, units, out, keep_plan=True, as_of="2012-06-01")  # another day
    assert len(builds) == 3
    assert _run(ENGINE, units, out, keep_plan=True, as_of="2012-06-01") == old
    assert len(builds) == 3
    assert city != _run(ENGINE, units, out, keep_plan=True)  # the overlay's district differs
    assert len(builds) == 3


def test_a_plan_changed_in_the_cache_is_not_used(
    cache: Path, units: Path, tmp_path: Path, builds: list[int]
) -> None:
    out = tmp_path / "out.parquet"
    expected = _run(ENGINE, units, out, keep_plan=True)
    (name,) = _plans(cache)
    data = (cache / name).read_bytes()
    (cache / name).write_bytes(data.replace(b"'responsible'", b"'irresponsib'"))
    assert _run(ENGINE, units, out, keep_plan=True) == expected
    assert len(builds) == 2  # refused, built again, and kept anew
    assert (cache / name).read_bytes() == data
    (cache / name).chmod(0o622)  # others may write it: not the user's alone
    assert _run(ENGINE, units, out, keep_plan=True) == expected
    assert len(builds) == 3


def test_a_kind_of_file_keeps_its_newest_plans(
    cache: Path, units: Path, tmp_path: Path, builds: list[int]
) -> None:
    out = tmp_path / "out.parquet"
    days = ["2012-06-01", "2013-06-01", "2016-06-01", "2021-06-01", "2025-06-01"]
    for day in days:
        _run(ENGINE, units, out, keep_plan=True, as_of=day)
    assert len(_plans(cache)) == kept_plans.KEPT_PER_SHAPE
    _run(ENGINE, units, out, keep_plan=True, as_of=days[-1])  # the newest: kept
    assert len(builds) == len(days)
    _run(ENGINE, units, out, keep_plan=True, as_of=days[0])  # the oldest: pruned
    assert len(builds) == len(days) + 1


def test_the_command_line_keeps_the_plan(
    cache: Path, units: Path, tmp_path: Path, builds: list[int]
) -> None:
    args = ["batch", str(units), "-q", "unit_management", "--overlays", str(OVERLAYS)]
    outs = [tmp_path / "a.parquet", tmp_path / "b.parquet"]
    for out in outs:
        result = CliRunner().invoke(cli, [*args, "-o", str(out)])
        assert result.exit_code == 1, result.output  # 1: some rows have an error
    assert len(builds) == 1
    assert len(_plans(cache)) == 1
    assert _rows(outs[0]) == _rows(outs[1]) == _run(ENGINE, units, tmp_path / "c.parquet")
