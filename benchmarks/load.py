"""Load time of the bundled policy with its names table beside the same policy without it.

    python benchmarks/load.py [--runs N]

The baseline is measured in the same run: a copy of `policies/` without `place_names.yaml`
(the 5,932 names of Tianjin's division codes), loaded in turns with the bundled policy in one
process (after one warm-up load of each), N times each (default 15). Prints the median and best
of each and the ratio of the medians; issue 19's goal is a load within 1.2x of the policy's
without the table. Run it from the repository root with the package installed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from jurisdiction.policy.load import load_policy

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "policies"
NAMES = "place_names.yaml"
GOAL = 1.2


def timed(root: Path) -> float:
    start = time.perf_counter()
    load_policy(root)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="load-bench-") as tmp:
        without = Path(tmp) / "policies"
        shutil.copytree(BUNDLED, without)
        (without / NAMES).unlink()
        (without / ".manifest").unlink(missing_ok=True)
        times: dict[str, list[float]] = {"without the names table": [], "bundled": []}
        timed(without)
        timed(BUNDLED)
        for _ in range(args.runs):
            times["without the names table"].append(timed(without))
            times["bundled"].append(timed(BUNDLED))
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average {load}; {args.runs} loads of each, in turns")
    for name, ts in times.items():
        median, best = statistics.median(ts) * 1000, min(ts) * 1000
        print(f"{name:<26} median {median:7.1f} ms  best {best:7.1f} ms")
    ratio = statistics.median(times["bundled"]) / statistics.median(
        times["without the names table"]
    )
    print(f"ratio of the medians {ratio:.3f} (goal <= {GOAL})")


if __name__ == "__main__":
    main()
