"""Start-up cost of the command line, whole process, beside `python -c pass`.

    python benchmarks/startup.py [--runs N] [--no-bytecode] [--before DIR]

Runs each command N times (default 15), the commands taking turns (so that a change of the
machine's load hits each alike), after one warm-up run of each (which also fills the caches of
the command line in the user's cache directory: the help texts, see `cli/entry.py` and
`cli/main.py`'s `_help_values`, and the parsed conditions, see `language/parse_cache.py`), and
prints the median and the best wall-clock time of each (and the median CPU time, user and system,
which the machine's load moves less), with the targets of issue 10:
`jurisdiction --help` <= 150 ms, `jurisdiction decide` on one example <= 300 ms; then issue
24's ratios: `--help` within 2x of `python -c pass`, `decide`
within 2x of `python -c "import pydantic"` (the medians of one run). Run it from the repository
root with the package installed.

The warm-up also fills the policy's documents kept by the command line (`policy/doc_cache.py`)
and the question's kept answer program (`cli/kept_answers.py`), which a warm `decide` runs
instead of the engine.
Two further rows: importing the modules a `decide` imports, and nothing else (how much of a
`decide` its imports are); and importing the bundled policy's fact models as generated pydantic
classes (`jurisdiction.models`), the least a process that validates facts with pydantic pays.
`--before DIR` adds the same `decide` run from an older tree (`DIR`
holding its `src/` and `policies/`, e.g. `git archive REV src policies | tar -x -C DIR`), by
`PYTHONPATH`, in the same turns: before and after in one run.

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
import resource
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
DECIDE = ["decide", EXAMPLE, "-q", "unit_management"]
IMPORTS = "import jurisdiction._api, jurisdiction.cli.main, jurisdiction.policy.facts_files"
"""What a `decide` imports (the engine, the loader, the command line, the facts reader)."""
MODELS = "import jurisdiction.models"
"""The bundled policy's fact models as a generated module of pydantic classes, and nothing else:
what validating facts with pydantic costs a process (its plugins looked for, its classes made)."""
COMMANDS: list[tuple[str, list[str], float | None]] = [
    ("python -c pass", [sys.executable, "-c", "pass"], None),
    ("python -c 'import pydantic'", [sys.executable, "-c", "import pydantic"], None),
    ("python -c 'import jurisdiction'", [sys.executable, "-c", "import jurisdiction"], None),
    ("import what decide imports", [sys.executable, "-c", IMPORTS], None),
    ("python -c 'import jurisdiction.models'", [sys.executable, "-c", MODELS], None),
    ("jurisdiction --help", [EXE, "--help"], 0.150),
    ("jurisdiction decide (one example)", [EXE, *DECIDE], 0.300),
]
RATIOS = {
    "jurisdiction --help": ("python -c pass", 2.0),
    "jurisdiction decide (one example)": ("python -c 'import pydantic'", 2.0),
}
"""Issue 24's goals: each command within this many times the interpreter's reference."""


BEFORE = "decide, the --before tree"
ENTRY = "from jurisdiction.cli.entry import main; main()"


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """The wall-clock time of a run, and the CPU time (user and system) of its process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, cwd=ROOT, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument(
        "--no-bytecode",
        action="store_true",
        help="run with PYTHONDONTWRITEBYTECODE=1: modules without bytecode compile on every run",
    )
    parser.add_argument(
        "--before",
        type=Path,
        default=None,
        help="also time decide from this older tree (its src/ and policies/), by PYTHONPATH",
    )
    args = parser.parse_args()
    commands = list(COMMANDS)
    if args.before is not None:
        commands.append((BEFORE, [sys.executable, "-c", ENTRY, *DECIDE], None))
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
        print(f"{'command':<36} {'median':>8} {'best':>8} {'CPU':>8}  target")
        medians: dict[str, float] = {}
        cpus: dict[str, float] = {}
        envs = {name: env for name, _, _ in commands}
        if args.before is not None:
            envs[BEFORE] = {**env, "PYTHONPATH": str(args.before.resolve() / "src")}
        for name, argv, _ in commands:
            timed(argv, envs[name])  # warm-up: file cache, bytecode, the command line's caches
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name, _, _ in commands}
        for _ in range(args.runs):  # in turns, so that a change of load hits each command alike
            for name, argv, _ in commands:
                runs[name].append(timed(argv, envs[name]))
        for name, _, target in commands:
            times = [wall for wall, _ in runs[name]]
            median, best = statistics.median(times), min(times)
            medians[name] = median
            cpus[name] = statistics.median(cpu for _, cpu in runs[name])
            goal = "" if target is None else f"<= {target * 1000:.0f} ms"
            if target is not None:
                goal += "  ok" if median <= target else "  MISSED"
            cpu = cpus[name] * 1000
            print(f"{name:<36} {median * 1000:>6.0f}ms {best * 1000:>6.0f}ms {cpu:>6.0f}ms  {goal}")
        if args.before is not None:
            now = "jurisdiction decide (one example)"
            ratio, cpu_ratio = medians[now] / medians[BEFORE], cpus[now] / cpus[BEFORE]
            print(f"decide now / decide before: {ratio:.2f}x (CPU {cpu_ratio:.2f}x)")
        for name, (reference, most) in RATIOS.items():
            ratio = medians[name] / medians[reference]
            verdict = "ok" if ratio <= most else "MISSED"
            cpu_ratio = cpus[name] / cpus[reference]
            print(
                f"{name} / {reference}: {ratio:.1f}x (goal <= {most:g}x)  {verdict}"
                f"  (CPU {cpu_ratio:.1f}x)"
            )


if __name__ == "__main__":
    main()
