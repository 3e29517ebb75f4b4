"""Start-up cost of the command line, whole process, beside `python -c pass`.

    python benchmarks/startup.py [--runs N]

Runs each command N times (default 15) after one warm-up run (which also fills the help cache,
see `_cli._help_values`), and prints the median and the best wall-clock time of each, with the
targets of issue 10: `jurisdiction --help` <= 150 ms, `jurisdiction decide` on one example
<= 300 ms. Run it from the repository root with the package installed.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXE = shutil.which("jurisdiction", path=str(Path(sys.executable).parent)) or "jurisdiction"
EXAMPLE = str(ROOT / "examples" / "unit_1000_staff.yaml")
COMMANDS: list[tuple[str, list[str], float | None]] = [
    ("python -c pass", [sys.executable, "-c", "pass"], None),
    ("python -c 'import jurisdiction'", [sys.executable, "-c", "import jurisdiction"], None),
    ("jurisdiction --help", [EXE, "--help"], 0.150),
    ("jurisdiction decide (one example)", [EXE, "decide", EXAMPLE, "-q", "unit_management"], 0.300),
]


def timed(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    print(f"{'command':<36} {'median':>8} {'best':>8}  target")
    for name, argv, target in COMMANDS:
        timed(argv)  # warm-up: file cache, help cache
        times = [timed(argv) for _ in range(runs)]
        median, best = statistics.median(times), min(times)
        goal = "" if target is None else f"<= {target * 1000:.0f} ms"
        if target is not None:
            goal += "  ok" if median <= target else "  MISSED"
        print(f"{name:<36} {median * 1000:>6.0f}ms {best * 1000:>6.0f}ms  {goal}")


if __name__ == "__main__":
    main()
