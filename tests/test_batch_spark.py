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
            answer = {
                k[len(prefix) :]: v
                for k, v in got.items()
                if k.startswith(prefix) and k not in ("as_of", "as_of_source")
            }
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


def _answers(path: Path) -> list[dict[str, object]]:
    import pyarrow.parquet as pq

    return sorted(pq.read_table(path).to_pylist(), key=lambda r: str(r["id"]))


def test_a_ragged_csv_row_is_its_own_error_on_spark_as_on_duckdb(tmp_path: Path) -> None:
    """Spark's CSV reader dropped or padded a ragged row's fields silently; now such a row is
    that row's error in DuckDB's words, and every other row is answered as DuckDB answers it."""
    from click.testing import CliRunner

    from jurisdiction.cli.main import cli

    src = tmp_path / "units.csv"
    src.write_text(
        "id,category,staff,location\n"
        "a,other,1000,120101001001\n"
        "b,other,50\n"
        'c,other,50,120104001001,"extra, quoted"\n'
        'd,other,600,"120104002001"\n'
        "e,other,7,\n",
        encoding="utf-8",
    )
    runs = {}
    for backend in ("duckdb", "spark"):
        out = tmp_path / f"{backend}.parquet"
        args = ["batch", str(src), "-q", "unit_management", "-o", str(out), "--quiet"]
        args += ["--engine", backend, "--overlays", str(EXAMPLE_OVERLAYS)]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 1, result.output  # some rows have errors, output complete
        runs[backend] = _answers(out)
    assert runs["spark"] == runs["duckdb"]
    errors = {r["id"]: r["error"] for r in runs["spark"]}
    assert errors["b"] == "a malformed CSV row: 3 fields where the header has 4"
    assert errors["c"] == "a malformed CSV row: more fields than the header has (4)"
    assert errors["a"] is None
    assert errors["d"] is None
    assert "location" in str(errors["e"])


# --- a standalone cluster on 127.0.0.1 ------------------------------------------------------------

CLUSTER_ROWS = 3000
CLUSTER_START = 120.0  # seconds a master and a worker may take to start and register
CLUSTER_RUN = 420.0  # seconds the batch on the cluster may take


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _await(log: Path, needle: str, process, deadline: float) -> None:
    import time

    while time.monotonic() < deadline:
        if needle in log.read_text(encoding="utf-8", errors="replace"):
            return
        if process.poll() is not None:
            break
        time.sleep(0.5)
    message = (
        f"the Spark cluster did not start ({needle!r} not in {log}):\n"
        + log.read_text(encoding="utf-8", errors="replace")[-3000:]
    )
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A master and one worker (one core) on 127.0.0.1, started with ``spark-class`` from the
    pyspark install, in a working directory of their own: the executors' working directory is
    under it, where no path of the caller's resolves. Stopped (by process id) afterwards."""
    import subprocess
    import sys
    import time

    import pyspark

    home = Path(pyspark.__file__).parent
    where = tmp_path_factory.mktemp("cluster")
    master_port, worker_port = _free_port(), _free_port()
    env = {
        **os.environ,
        "SPARK_HOME": str(home),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "PYSPARK_PYTHON": sys.executable,
        "SPARK_NO_DAEMONIZE": "1",
    }
    url = f"spark://127.0.0.1:{master_port}"
    commands = {
        "master": [
            "org.apache.spark.deploy.master.Master",
            *("--host", "127.0.0.1", "--port", str(master_port)),
            *("--webui-port", str(_free_port())),
        ],
        "worker": [
            "org.apache.spark.deploy.worker.Worker",
            url,
            *("--host", "127.0.0.1", "--port", str(worker_port)),
            *("--webui-port", str(_free_port()), "--cores", "1", "--memory", "1g"),
            *("--work-dir", str(where / "work")),
        ],
    }
    started = []
    try:
        for name, needle in (
            ("master", "I have been elected leader"),
            ("worker", "Successfully registered with master"),
        ):
            log = where / f"{name}.log"
            with log.open("wb") as out:
                process = subprocess.Popen(
                    [str(home / "bin" / "spark-class"), *commands[name]],
                    cwd=where,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            started.append(process)
            _await(log, needle, process, time.monotonic() + CLUSTER_START)
        yield url
    finally:
        for process in reversed(started):
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_a_callers_overlays_answer_on_a_standalone_cluster_as_on_duckdb(
    cluster: str, tmp_path: Path
) -> None:
    """#23: on a cluster the executors resolved ``--overlays examples/overlays`` in their own
    working directory and failed (``overlay-district: no overlay folder here``). The engine now
    carries the files' bytes: the cluster answers a few thousand rows as DuckDB does."""
    import subprocess
    import sys

    driver = tmp_path / "driver"  # the caller's folder: its relative paths resolve here only
    shutil.copytree(EXAMPLE_OVERLAYS, driver / "examples" / "overlays")
    categories = ["other", "ministry", "other", "other"]
    lines = ["id,category,staff,location"]
    for i in range(CLUSTER_ROWS):
        district = "120104" if i % 2 else "120101"
        lines.append(f"u{i:05},{categories[i % 4]},{(i * 37) % 1500},{district}00{1 + i % 3}001")
    lines[17] = "u00016,other"  # and a ragged row among them
    (driver / "units.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    command = Path(sys.executable).parent / "jurisdiction"
    base = [str(command), "batch", "units.csv", "-q", "unit_management", "--quiet"]
    base += ["--overlays", "examples/overlays"]
    env = {**os.environ, "JURISDICTION_SPARK_MASTER": cluster, "SPARK_LOCAL_IP": "127.0.0.1"}
    env["PYSPARK_SUBMIT_ARGS"] = "--conf spark.executor.memory=512m pyspark-shell"
    answers = {}
    for backend in ("duckdb", "spark"):
        run = subprocess.run(
            [*base, "--engine", backend, "-o", f"{backend}.parquet"],
            cwd=driver,
            env=env,
            capture_output=True,
            text=True,
            timeout=CLUSTER_RUN,
            check=False,
        )
        assert run.returncode == 1, run.stderr[-3000:]  # the ragged row's error; all answered
        answers[backend] = _answers(driver / f"{backend}.parquet")
    assert len(answers["spark"]) == CLUSTER_ROWS
    assert answers["spark"] == answers["duckdb"]
    sources = {s for r in answers["spark"] for s in (r["sources"] or "").split("; ") if s}
    assert "examples/overlays/120104.yaml" in sources  # the caller's overlay decided there
