"""Batch benchmark: a register of units answered by the batch plan, on DuckDB and on Spark, against
a hand-written DuckDB ``CASE WHEN`` of the same tiers and against ``decide`` in a Python loop.

    python benchmarks/batch.py                 # 1,000,000 rows (1 % of them invalid)
    python benchmarks/batch.py --rows 10000000 # the 10,000,000-row run
    python benchmarks/batch.py --no-spark --loop-rows 100000

Every figure is rows per second over the same Parquet file, file to file (read, answer, write
Parquet), each run in a fresh process so that its peak RSS is its own. The decide loop reads the
rows with pyarrow and calls ``engine.decide(dict, "unit_management")`` per row (validation
included, as the plan validates); with ``--loop-rows`` it runs on the first N rows only and its
rate is reported per row. Before the table, the plan's output is checked equal to decide's on
every row the loop covered (the good rows' answers, the bad rows' errors).

The hand-written baseline is what a data team would write for the unit tiers of article (十),
the city's ranges and district 120104's overlay inlined: no validation, no citations, no
sources, no flagged rows. It is checked to give the plan's body on the rows both answer.
Needs ``pip install '.[batch]'`` (and ``'.[spark]'`` for the Spark column).
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

QUESTION = "unit_management"
CATEGORIES = [
    "government_organ",
    "public_institution",
    "state_owned_enterprise",
    "other_enterprise",
    "other",
]
RANKS = ["ministerial", "bureau", "vice_bureau", "division", "section", "none"]
DISTRICTS = ["120101", "120104", "120102", "120116", "130101"]


ROW_GROUP = 122_880
"""Rows per Parquet row group of the register: DuckDB's own default (pyarrow's, 1 Mi rows, would
give a 1,000,000-row file one group, which DuckDB reads on one thread only)."""


def make_units(path: Path, rows: int, chunk: int = 1_000_000) -> None:
    """``rows`` units (seeded), 1 % invalid in one field each, written in chunks."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = random.Random(7)
    writer = None
    for start in range(0, rows, chunk):
        n = min(chunk, rows - start)
        cols: dict[str, list[object]] = {
            k: []
            for k in ("id", "category", "rank", "large_state_owned_enterprise", "staff", "location")
        }
        for i in range(start, start + n):
            category = rng.choice(CATEGORIES)
            staff = rng.choice(
                [
                    rng.randint(0, 3000),
                    rng.choice([49, 50, 51, 99, 100, 101, 499, 500, 501, 999, 1000, 1001]),
                ]
            )
            location = (
                rng.choice(DISTRICTS) + f"{rng.randint(0, 599):03d}" + f"{rng.randint(0, 799):03d}"
            )
            cols["id"].append(f"u{i}")
            cols["category"].append(category)
            cols["rank"].append(rng.choice(RANKS))
            cols["large_state_owned_enterprise"].append(
                category == "state_owned_enterprise" and rng.random() < 0.2
            )
            cols["staff"].append(staff)
            cols["location"].append(location)
            if i % 100 == 42:  # 1 % bad rows, four kinds
                kind = (i // 100) % 4
                if kind == 0:
                    cols["staff"][-1] = -5
                elif kind == 1:
                    cols["category"][-1] = "ministry"
                elif kind == 2:
                    cols["location"][-1] = location[:6] + "901" + location[9:]
                else:
                    cols["location"][-1] = None
        table = pa.table(cols)
        if writer is None:
            writer = pq.ParquetWriter(str(path), table.schema)
        writer.write_table(table, row_group_size=ROW_GROUP)
    assert writer is not None
    writer.close()


BASELINE_SQL = """
COPY (
  WITH tiered AS (
    SELECT id, location, substr(location, 1, 6) = '120104' AS overlay,
      CASE
        WHEN substr(location, 1, 2) <> '12' THEN 0
        WHEN category IN ('government_organ', 'public_institution')
             AND (rank IN ('ministerial', 'bureau')
                  OR (rank = 'vice_bureau' AND substr(location, 1, 6) = '120104')) THEN 1
        WHEN large_state_owned_enterprise THEN 1
        WHEN substr(location, 1, 6) = '120104' THEN
          CASE WHEN staff >= 500 THEN 1 WHEN staff >= 50 THEN 3 ELSE 2 END
        ELSE CASE WHEN staff >= 1000 THEN 1 WHEN staff >= 100 THEN 3 ELSE 2 END
      END AS tier
    FROM read_parquet('{src}')
  )
  SELECT id,
    CASE WHEN tier = 0 THEN 'not_applicable' ELSE 'responsible' END AS outcome,
    CASE tier WHEN 1 THEN 'fp_department' WHEN 2 THEN 'community_committee'
              WHEN 3 THEN 'street_office' END AS body_kind,
    CASE tier WHEN 1 THEN 'district' WHEN 2 THEN 'community' WHEN 3 THEN 'street' END
      AS body_level,
    CASE tier WHEN 1 THEN substr(location, 1, 6) WHEN 2 THEN location
              WHEN 3 THEN substr(location, 1, 9) END AS body_place_code,
    CASE WHEN tier > 0 THEN 'responsible' END AS body_role,
    CASE WHEN tier > 0 THEN '(十)' END AS body_cite,
    '(十)' AS citations,
    CASE WHEN overlay THEN 'examples/overlays/120104.yaml' END AS sources,
    CASE WHEN tier = 0 THEN '该单位不坐落在本市所辖区域内，不属于驻地单位' END AS reason_zh,
    CASE WHEN tier = 0
         THEN 'the unit is not located in this city, so it is not a unit of article (十)' END
      AS reason_en,
    CAST(NULL AS VARCHAR) AS error
  FROM tiered
) TO '{out}' (FORMAT PARQUET)
"""
"""The unit tiers of article (十) as a data team would write them, the city's ranges and district
120104's overlay (examples/overlays/120104.yaml) inlined, with the same columns as the plan's
flat output (constants per tier: kind, level, role, citations, sources, reasons); no
validation, so no errors and nothing decided one by one."""

# Each timed run is a child process: its own peak RSS, nothing warm from another run.
CHILD = {
    "plan": """
import sys, time, jurisdiction
from jurisdiction.batch.embedded import run_batch
engine = jurisdiction.load(overlays="examples/overlays")  # cwd: the repository
t = time.perf_counter()
s = run_batch(engine, sys.argv[1], ["{q}"], sys.argv[2])
print(time.perf_counter() - t, s.rows, s.decided_in_python)
""",
    "spark": """
import sys, time, jurisdiction
from jurisdiction.batch.spark import run_batch_spark, session
engine = jurisdiction.load(overlays="examples/overlays")  # cwd: the repository
session()
t = time.perf_counter()
s = run_batch_spark(engine, sys.argv[1], ["{q}"], sys.argv[2], in_format="parquet",
                    out_format="parquet")
print(time.perf_counter() - t, s.rows, 0)
""",
    "baseline": """
import sys, time, duckdb
sql = open(sys.argv[3]).read().format(src=sys.argv[1], out=sys.argv[2])
con = duckdb.connect()
t = time.perf_counter()
con.execute(sql)
n = con.execute(f"select count(*) from read_parquet('{{sys.argv[2]}}')").fetchone()[0]
print(time.perf_counter() - t, n, 0)
""",
    "loop": """
import sys, time, jurisdiction, pyarrow as pa, pyarrow.parquet as pq
from jurisdiction.batch.plan import decision_row, error_row
engine = jurisdiction.load(overlays="examples/overlays")  # cwd: the repository
limit = int(sys.argv[3])
t = time.perf_counter()
rows = []  # the first `limit` rows only: reading all 10,000,000 would be timed too
for batch in pq.ParquetFile(sys.argv[1]).iter_batches(batch_size=65536):
    rows += batch.to_pylist()
    if len(rows) >= limit:
        break
rows = rows[:limit]
out = []
for row in rows:
    facts = {{k: v for k, v in row.items() if v is not None and k != "id"}}
    facts["kind"] = "unit"
    try:
        answer = decision_row(engine.decide(facts, "{q}"), nested=False)
    except jurisdiction.JurisdictionError as exc:
        answer = error_row(str(exc), nested=False)
    out.append({{"id": row["id"], **answer}})
schema = pa.schema([(name, pa.string()) for name in out[0]])
pq.write_table(pa.Table.from_pylist(out, schema=schema), sys.argv[2])
print(time.perf_counter() - t, len(rows), 0)
""",
}


def child(name: str, *args: str) -> tuple[float, int, int, float]:
    """Run one timed child (in the repository: the overlay's path is relative to it);
    (seconds, rows, rows decided one by one, peak RSS in MB)."""
    code = CHILD[name].format(q=QUESTION)
    # the peak of this process's own memory: VmHWM, not getrusage's ru_maxrss, which a child
    # inherits from the process that forked it (here, the one that wrote the register)
    wrapper = (
        "import sys\n"
        f"exec(compile({code!r}, '<{name}>', 'exec'))\n"
        "hwm = [ln for ln in open('/proc/self/status') if ln.startswith('VmHWM:')]\n"
        "print('rss', hwm[0].split()[1])\n"
    )
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    done = subprocess.run(
        [sys.executable, "-c", wrapper, *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        cwd=ROOT,
    )
    if done.returncode:
        raise RuntimeError(f"{name} failed:\n{done.stderr[-3000:]}")
    lines = [ln for ln in done.stdout.splitlines() if ln.strip()]
    seconds, rows, python = lines[-2].split()
    rss_kb = int(lines[-1].split()[1])
    return float(seconds), int(rows), int(python), rss_kb / 1024


def check(plan_out: Path, loop_out: Path, baseline_out: Path) -> tuple[int, int]:
    """The plan's output equals the decide loop's, every column, on every row the loop covered;
    the baseline's equals the plan's, every column, on every row without an error (compared
    by DuckDB, row by row in file order: 10,000,000 rows do not fit in Python objects).
    Returns (rows compared with the loop, rows with an error among them)."""
    import duckdb
    import pyarrow.parquet as pq

    con = duckdb.connect()
    today = datetime.date.today()
    loop = pq.read_table(loop_out).to_pylist()
    plan = con.sql(f"SELECT * FROM '{plan_out}' LIMIT {len(loop)}").fetchall()
    columns = [d[0] for d in con.execute(f"DESCRIBE SELECT * FROM '{plan_out}'").fetchall()]
    plan = [dict(zip(columns, row, strict=True)) for row in plan]
    errors = 0
    days = ("as_of", "as_of_source")  # the day each row was decided as of: the loop's is today's
    for i, (mine, theirs) in enumerate(zip(plan, loop, strict=True)):
        day, source = (mine.pop(k) for k in days)
        if mine["error"] is None and (day, source) != (today, "today"):
            raise AssertionError(f"row {i}: decided as of {day} ({source}), not today")
        if mine != theirs:
            raise AssertionError(f"row {i}: plan {mine}, decide {theirs}")
        errors += mine["error"] is not None
    names = [c for c in columns if c not in days]
    base = [d[0] for d in con.execute(f"DESCRIBE SELECT * FROM '{baseline_out}'").fetchall()]
    if base != names:
        raise AssertionError(f"columns: baseline {base}, plan {names}")
    differs = " OR ".join(f'p."{n}" IS DISTINCT FROM b."{n}"' for n in names)
    found = con.execute(
        f"SELECT count(*), min(p.id) FILTER (WHERE {differs}), count(*) FILTER (WHERE {differs}) "
        f"FROM (SELECT * FROM '{plan_out}') p POSITIONAL JOIN (SELECT * FROM '{baseline_out}') b "
        "WHERE p.error IS NULL"
    ).fetchone()
    assert found is not None
    if found[2]:
        raise AssertionError(f"{found[2]:,} rows differ from the baseline's, the first {found[1]}")
    return len(loop), errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--loop-rows", type=int, default=None, help="rows the decide loop runs on (default: all)"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs of the plan and of the baseline, taken in turn; the fastest of each counts",
    )
    parser.add_argument("--no-spark", action="store_true")
    parser.add_argument("--dir", type=Path, default=None, help="where to keep the files")
    args = parser.parse_args()
    work = args.dir or Path(tempfile.mkdtemp(prefix="jurisdiction-batch-"))
    work.mkdir(parents=True, exist_ok=True)
    src = work / f"units_{args.rows}.parquet"
    if not src.exists():
        t = time.perf_counter()
        make_units(src, args.rows)
        print(f"made {src} in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    sql = work / "baseline.sql"
    sql.write_text(BASELINE_SQL)
    loop_rows = args.loop_rows or args.rows
    load_before = os.getloadavg()
    runs: dict[str, list[tuple[float, int, int, float]]] = {"plan": [], "baseline": []}
    for _ in range(args.repeat):
        runs["plan"].append(child("plan", str(src), str(work / "plan.parquet")))
        runs["baseline"].append(
            child("baseline", str(src), str(work / "baseline.parquet"), str(sql))
        )
        print(f"plan {runs['plan'][-1]}, baseline {runs['baseline'][-1]}", file=sys.stderr)
    results = {name: min(found) for name, found in runs.items()}
    if not args.no_spark:
        results["spark"] = child("spark", str(src), str(work / "spark_out"))
        print(f"spark {results['spark']}", file=sys.stderr)
    results["loop"] = child("loop", str(src), str(work / "loop.parquet"), str(loop_rows))
    print(f"loop {results['loop']}", file=sys.stderr)
    load_after = os.getloadavg()
    compared, errors = check(
        work / "plan.parquet", work / "loop.parquet", work / "baseline.parquet"
    )
    plan_rate = results["plan"][1] / results["plan"][0]
    print(
        f"\n{args.rows:,} units, {errors:,} of the first {compared:,} with an error; the plan's "
        f"output equals the decide loop's on all {compared:,} rows and the baseline's on every "
        "row without an error, every column"
    )
    print(f"plan rows decided one by one (flagged): {results['plan'][2]:,}")
    print(
        f"{os.cpu_count()} CPUs; load average (1 min) {load_before[0]:.2f} before, "
        f"{load_after[0]:.2f} after; plan and baseline: fastest of {args.repeat} runs each "
        "(all: "
        + ", ".join(
            f"{name} " + "/".join(f"{r[0]:.2f}" for r in found) for name, found in runs.items()
        )
        + " s)\n"
    )
    print("| run | rows | seconds | rows/s | plan ÷ run | peak RSS MB |")
    print("|---|---:|---:|---:|---:|---:|")
    labels = {
        "plan": "batch plan, DuckDB (jurisdiction batch)",
        "baseline": "hand-written DuckDB CASE WHEN, same columns",
        "spark": "batch plan, Spark local[2]",
        "loop": "decide(dict) loop, Parquet to Parquet",
    }
    for name, (seconds, rows, _python, rss) in results.items():
        rate = rows / seconds
        print(
            f"| {labels[name]} | {rows:,} | {seconds:.2f} | {rate:,.0f} | "
            f"{plan_rate / rate:.2f} | {rss:,.0f} |"
        )


if __name__ == "__main__":
    main()
