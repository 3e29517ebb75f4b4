"""Start-up cost of the command line, whole process, beside `python -c pass`.

    python benchmarks/startup.py [--runs N] [--no-bytecode]

Runs each command N times (default 15), the commands taking turns (so that a change of the
machine's load hits each alike), after one warm-up run of each (which also fills the caches of
the command line in the user's cache directory: the help texts, see `cli/entry.py` and
`cli/main.py`'s `_help_values`, and the parsed conditions, see `language/parse_cache.py`), and
prints the median and the best wall-clock time of each, with the targets of issue 10:
`jurisdiction --help` <= 150 ms, `jurisdiction decide` on one example <= 300 ms; then issue
24's ratios: `--help` within 2x of `python -c pass`, `decide`
within 2x of `python -c "import pydantic"` (the medians of one run). Run it from the repository
root with the package installed.

Bytecode: an installed package runs from the bytecode pip compiled when it installed it, and a
development install writes its own on first import, unless PYTHONDONTWRITEBYTECODE is set, as it
is in some sandboxes; then every run compiles the package's modules again (about 60-120 ms on
the 2-vCPU VM). By default the commands run with bytecode kept in a temporary
PYTHONPYCACHEPREFIX (written by the warm-up run, so the source tree is not touched), as an
installed package runs; `--no-bytecode` runs them with PYTHONDONTWRITEBYTECODE=1 and no prefix
instead (the modules of site-packages still have the bytecode pip wrote; an editable install's do
not, unless a `__pycache__` was left in the source tree by a run without the variable). The load
average of the machine is printed first: the figures are wall-clock times.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXE = shutil.which("jurisdiction", path=str(Path(sys.executable).parent)) or "jurisdiction"
EXAMPLE = str(ROOT / "examples" / "unit_1000_staff.yaml")
COMMANDS: list[tuple[str, list[str], float | None]] = [
    ("python -c pass", [sys.executable, "-c", "pass"], None),
    ("python -c 'import pydantic'", [sys.executable, "-c", "import pydantic"], None),
    ("python -c 'import jurisdiction'", [sys.executable, "-c", "import jurisdiction"], None),
    ("jurisdiction --help", [EXE, "--help"], 0.150),
    ("jurisdiction decide (one example)", [EXE, "decide", EXAMPLE, "-q", "unit_management"], 0.300),
]
RATIOS = {
    "jurisdiction --help": ("python -c pass", 2.0),
    "jurisdiction decide (one example)": ("python -c 'import pydantic'", 2.0),
}
"""Issue 24's goals: each command within this many times the interpreter's reference."""


def timed(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, cwd=ROOT, env=env)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument(
        "--no-bytecode",
        action="store_true",
        help="run with PYTHONDONTWRITEBYTECODE=1: modules without bytecode compile on every run",
    )
    args = parser.parse_args()
    env = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="startup-pycache-") as prefix:
        if args.no_bytecode:
            env["PYTHONDONTWRITEBYTECODE"] = "1"
            env.pop("PYTHONPYCACHEPREFIX", None)
            mode = "no bytecode written (PYTHONDONTWRITEBYTECODE=1)"
        else:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = prefix
            mode = "bytecode kept (PYTHONPYCACHEPREFIX, written by the warm-up run)"
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"{mode}; load average {load}; median of {args.runs} runs")
        print(f"{'command':<36} {'median':>8} {'best':>8}  target")
        medians: dict[str, float] = {}
        for _, argv, _ in COMMANDS:
            timed(argv, env)  # warm-up: file cache, bytecode, the command line's caches
        runs: dict[str, list[float]] = {name: [] for name, _, _ in COMMANDS}
        for _ in range(args.runs):  # in turns, so that a change of load hits each command alike
            for name, argv, _ in COMMANDS:
                runs[name].append(timed(argv, env))
        for name, _, target in COMMANDS:
            times = runs[name]
            median, best = statistics.median(times), min(times)
            medians[name] = median
            goal = "" if target is None else f"<= {target * 1000:.0f} ms"
            if target is not None:
                goal += "  ok" if median <= target else "  MISSED"
            print(f"{name:<36} {median * 1000:>6.0f}ms {best * 1000:>6.0f}ms  {goal}")
        for name, (reference, most) in RATIOS.items():
            ratio = medians[name] / medians[reference]
            verdict = "ok" if ratio <= most else "MISSED"
            print(f"{name} / {reference}: {ratio:.1f}x (goal <= {most:g}x)  {verdict}")


if __name__ == "__main__":
    main()
