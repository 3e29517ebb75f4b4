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
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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
  SELECT id,
    CASE
      WHEN substr(location, 1, 2) <> '12' THEN NULL
      WHEN category IN ('government_organ', 'public_institution')
           AND (rank IN ('ministerial', 'bureau')
                OR (rank = 'vice_bureau' AND substr(location, 1, 6) = '120104'))
        THEN substr(location, 1, 6)
      WHEN large_state_owned_enterprise THEN substr(location, 1, 6)
      WHEN substr(location, 1, 6) = '120104' THEN
        CASE WHEN staff >= 500 THEN substr(location, 1, 6)
             WHEN staff >= 50 AND staff <= 499 THEN substr(location, 1, 9)
             ELSE location END
      ELSE
        CASE WHEN staff >= 1000 THEN substr(location, 1, 6)
             WHEN staff >= 100 AND staff <= 1000 THEN substr(location, 1, 9)
             ELSE location END
    END AS body_place_code
  FROM read_parquet('{src}')
) TO '{out}' (FORMAT PARQUET)
"""

# Each timed run is a child process: its own peak RSS, nothing warm from another run.
CHILD = {
    "plan": """
import sys, time, jurisdiction
from jurisdiction._batch import run_batch
engine = jurisdiction.load()
t = time.perf_counter()
s = run_batch(engine, sys.argv[1], ["{q}"], sys.argv[2])
print(time.perf_counter() - t, s.rows, s.decided_in_python)
""",
    "spark": """
import sys, time, jurisdiction
from jurisdiction._batch_spark import run_batch_spark, session
engine = jurisdiction.load()
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
import sys, time, json, jurisdiction, pyarrow.parquet as pq
engine = jurisdiction.load()
limit = int(sys.argv[3])
rows = pq.read_table(sys.argv[1]).slice(0, limit).to_pylist()
out = []
t = time.perf_counter()
for row in rows:
    facts = {{k: v for k, v in row.items() if v is not None and k != "id"}}
    facts["kind"] = "unit"
    try:
        d = engine.decide(facts, "{q}")
        out.append([d.outcome, "; ".join(b.place_code for b in d.bodies) or None, None])
    except jurisdiction.JurisdictionError as exc:
        out.append([None, None, str(exc)])
elapsed = time.perf_counter() - t
json.dump(out, open(sys.argv[2], "w"))
print(elapsed, len(rows), 0)
""",
}


def child(name: str, *args: str) -> tuple[float, int, int, float]:
    """Run one timed child; (seconds, rows, rows decided one by one, peak RSS in MB)."""
    code = CHILD[name].format(q=QUESTION)
    wrapper = (
        "import resource, runpy, sys\n"
        f"exec(compile({code!r}, '<{name}>', 'exec'))\n"
        "print('rss', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    done = subprocess.run(
        [sys.executable, "-c", wrapper, *args], capture_output=True, text=True, env=env, check=False
    )
    if done.returncode:
        raise RuntimeError(f"{name} failed:\n{done.stderr[-3000:]}")
    lines = [ln for ln in done.stdout.splitlines() if ln.strip()]
    seconds, rows, python = lines[-2].split()
    rss_kb = int(lines[-1].split()[1])
    return float(seconds), int(rows), int(python), rss_kb / 1024


def check(plan_out: Path, loop_out: Path, baseline_out: Path) -> tuple[int, int]:
    """The plan's answers equal decide's on every row the loop covered; the baseline's body
    equals the plan's on every row both answer. Returns (rows compared, rows with an error)."""
    import pyarrow.parquet as pq

    loop = json.loads(loop_out.read_text())
    plan = pq.read_table(plan_out, columns=["outcome", "body_place_code", "error"])
    plan = plan.slice(0, len(loop)).to_pylist()
    errors = 0
    for i, (mine, theirs) in enumerate(zip(plan, loop, strict=True)):
        got = [mine["outcome"], mine["body_place_code"], mine["error"]]
        if got != theirs:
            raise AssertionError(f"row {i}: plan {got}, decide {theirs}")
        errors += mine["error"] is not None
    base = pq.read_table(baseline_out, columns=["body_place_code"]).column(0).to_pylist()
    full = pq.read_table(plan_out, columns=["outcome", "body_place_code", "error"]).to_pylist()
    for i, (mine, code) in enumerate(zip(full, base, strict=True)):
        if (
            mine["error"] is None
            and mine["outcome"] == "responsible"
            and code != mine["body_place_code"]
        ):
            raise AssertionError(f"row {i}: baseline {code}, plan {mine['body_place_code']}")
    return len(loop), errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--loop-rows", type=int, default=None, help="rows the decide loop runs on (default: all)"
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
    results: dict[str, tuple[float, int, int, float]] = {}
    results["plan"] = child("plan", str(src), str(work / "plan.parquet"))
    results["baseline"] = child("baseline", str(src), str(work / "baseline.parquet"), str(sql))
    if not args.no_spark:
        results["spark"] = child("spark", str(src), str(work / "spark_out"))
    results["loop"] = child("loop", str(src), str(work / "loop.json"), str(loop_rows))
    compared, errors = check(work / "plan.parquet", work / "loop.json", work / "baseline.parquet")
    plan_rate = results["plan"][1] / results["plan"][0]
    print(
        f"\n{args.rows:,} units, {errors:,} of the first {compared:,} with an error; the plan "
        f"equals decide on all {compared:,} rows and the baseline's body on every answered row"
    )
    print(f"plan rows decided one by one (flagged): {results['plan'][2]:,}\n")
    print("| run | rows | seconds | rows/s | plan ÷ run | peak RSS MB |")
    print("|---|---:|---:|---:|---:|---:|")
    labels = {
        "plan": "batch plan, DuckDB (jurisdiction batch)",
        "baseline": "hand-written DuckDB CASE WHEN",
        "spark": "batch plan, Spark local[2]",
        "loop": "decide(dict) loop",
    }
    for name, (seconds, rows, _python, rss) in results.items():
        rate = rows / seconds
        print(
            f"| {labels[name]} | {rows:,} | {seconds:.2f} | {rate:,.0f} | "
            f"{plan_rate / rate:.2f} | {rss:,.0f} |"
        )


if __name__ == "__main__":
    main()
