"""Load time of the bundled policy with its names table beside the same policy without it.

    python benchmarks/load.py [--runs N]

The baseline is measured in the same run: a copy of `policies/` without `place_names.yaml`
(the 5,932 names of Tianjin's division codes), loaded in turns with the bundled policy in one
process (after one warm-up load of each), N times each (default 15): `load_policy` (the policy
files read, checked and built) and `jurisdiction.load` (that and the engine, what a caller
waits for). Prints the median and best of each and the ratio of the medians; issue 19's goal is
a load within 1.2x of the policy's without the table. Run it from the repository root with the
package installed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import jurisdiction
from jurisdiction.policy.load import load_policy

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "policies"
NAMES = "place_names.yaml"
GOAL = 1.2


def timed(load: Callable[[Path], object], root: Path) -> float:
    start = time.perf_counter()
    load(root)
    return time.perf_counter() - start


def measure(load: Callable[[Path], object], without: Path, runs: int) -> tuple[float, float]:
    """The medians of ``runs`` loads of the policy without the table and of the bundled one."""
    times: dict[Path, list[float]] = {without: [], BUNDLED: []}
    timed(load, without)
    timed(load, BUNDLED)
    for _ in range(runs):
        for root, ts in times.items():
            ts.append(timed(load, root))
    return statistics.median(times[without]), statistics.median(times[BUNDLED])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average {load}; median of {args.runs} loads of each, in turns")
    with tempfile.TemporaryDirectory(prefix="load-bench-") as tmp:
        without = Path(tmp) / "policies"
        shutil.copytree(BUNDLED, without)
        (without / NAMES).unlink()
        (without / ".manifest").unlink(missing_ok=True)
        for name, fn in (("load_policy", load_policy), ("jurisdiction.load", jurisdiction.load)):
            base, named = measure(fn, without, args.runs)
            print(
                f"{name:<18} without the table {base * 1000:7.1f} ms  bundled "
                f"{named * 1000:7.1f} ms  ratio {named / base:.3f} (goal <= {GOAL})"
            )


if __name__ == "__main__":
    main()
