"""Batch with a day per row: the cost of deciding each row as of its own day (``--as-of-column``,
every stretch of the policy's plans combined by the row's day) against one fixed day for every
row (``--as-of``), on the same register, in the same run.

    python benchmarks/batch_days.py                # 200,000 units, best of 3 runs each
    python benchmarks/batch_days.py --rows 1000000 --runs 5

The register is ``batch.py``'s (seeded units, 1 % invalid) with a ``day`` column whose dates are
spread over every stretch of the bundled policy (and 1 % empty). Each figure is the wall time of
``jurisdiction batch`` file to file (read Parquet, answer, write Parquet), in a fresh process, as
``hyperfine`` would time it; the ratio is per-row days over the fixed day.
"""

from __future__ import annotations

import argparse
import datetime
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from batch import QUESTION, make_units

DAYS = [datetime.date(2010, 6, 1) + datetime.timedelta(days=97 * i) for i in range(60)]


def with_days(src: Path, dst: Path) -> None:
    """The register ``src`` with a ``day`` column (seeded, spread over 2010-2026, 1 % empty)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(src)
    rng = random.Random(11)
    days = [None if rng.random() < 0.01 else rng.choice(DAYS) for _ in range(table.num_rows)]
    pq.write_table(table.append_column("day", pa.array(days, pa.date32())), dst)


def best(args: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(args, check=False, capture_output=True)
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    opts = parser.parse_args()
    cli = str(Path(sys.executable).parent / "jurisdiction")
    with tempfile.TemporaryDirectory() as tmp:
        units, dated = Path(tmp) / "units.parquet", Path(tmp) / "dated.parquet"
        make_units(units, opts.rows)
        with_days(units, dated)
        base = [cli, "batch", str(dated), "-q", QUESTION, "-o", str(Path(tmp) / "out.parquet")]
        fixed = best([*base, "--as-of", "2012-06-01", "--quiet"], opts.runs)
        per_row = best([*base, "--as-of-column", "day", "--quiet"], opts.runs)
    print(f"rows: {opts.rows:,}, best of {opts.runs}")
    print("| days | seconds | rows/s | ratio |\n|---|---|---|---|")
    for name, secs in (("--as-of 2012-06-01", fixed), ("--as-of-column day", per_row)):
        print(f"| {name} | {secs:.2f} | {opts.rows / secs:,.0f} | {secs / fixed:.2f} |")


if __name__ == "__main__":
    main()
