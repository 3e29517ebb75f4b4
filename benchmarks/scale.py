"""Benchmark: check, diff and explain on the bundled policy plus N generated rules, as processes.

    python benchmarks/scale.py [--sizes 0,30,300,3000] [--commands check,diff,explain]
                               [--timeout 300]

For each N, ``gen_rules.py`` writes a copy of ``policies/`` with N extra rules (questions of 100
rules about a unit, each cutting the staff count into tiers at thresholds of its own) and a
second copy with one threshold moved by one. Each command then runs once as a whole process
(``jurisdiction check OLD``, ``jurisdiction diff OLD NEW``, ``jurisdiction explain
examples/unit_1000_staff.yaml -q generated_000 --policy OLD``; N = 0 explains
``unit_management``), and the process's own CPU time, wall time and peak RSS are read from
``os.wait4`` (the same figures ``/usr/bin/time -v`` prints). Then, per command, the growth
exponent: the slope of log(CPU seconds beyond N = 0) over log(N) between the two largest N, and
the least-squares slope over every N > 0 (n/a where the growth is lost in the noise: a size
that takes no more than N = 0), and the slope of the whole process's CPU time (which the fixed
cost of the bundled policy flattens). The goal (issue 21): at N = 3,000 each command within
60 s and 1 GB on a 2-core machine, near-linear growth.
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from gen_rules import generate

ROOT = Path(__file__).resolve().parent.parent
CASE = ROOT / "examples" / "unit_1000_staff.yaml"
JURISDICTION = Path(sys.executable).with_name("jurisdiction")


@dataclass(frozen=True)
class Run:
    command: str
    n: int
    cpu: float
    wall: float
    rss_mb: float
    code: int | None  # None: stopped at the timeout


def _run(argv: list[str], timeout: float) -> tuple[float, float, float, int | None]:
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = t0 + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - t0
            return usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss / 1024, None
        time.sleep(0.02)
    wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    return usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss / 1024, code


def _argv(command: str, old: Path, new: Path, n: int) -> list[str]:
    exe = str(JURISDICTION)
    if command == "check":
        return [exe, "check", str(old)]
    if command == "diff":
        return [exe, "diff", str(old), str(new)]
    question = "generated_000" if n else "unit_management"
    return [exe, "explain", str(CASE), "-q", question, "--policy", str(old)]


def _slope(points: list[tuple[float, float]]) -> float | None:
    points = [(math.log(x), math.log(y)) for x, y in points if x > 0 and y > 0]
    if len(points) < 2:
        return None
    mx = sum(x for x, _ in points) / len(points)
    my = sum(y for _, y in points) / len(points)
    sxx = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / sxx if sxx else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="0,30,300,3000")
    parser.add_argument("--commands", default="check,diff,explain")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds a process may run")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    commands = args.commands.split(",")
    runs: list[Run] = []
    print(f"{'command':8} {'N':>6} {'CPU s':>8} {'wall s':>8} {'peak RSS MB':>12} exit")
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            old = generate(n, Path(tmp) / f"old_{n}")
            new = generate(n, Path(tmp) / f"new_{n}", bump=True)
            for command in commands:
                cpu, wall, rss, code = _run(_argv(command, old, new, n), args.timeout)
                runs.append(Run(command, n, cpu, wall, rss, code))
                shown = "timeout" if code is None else str(code)
                print(f"{command:8} {n:>6} {cpu:8.2f} {wall:8.2f} {rss:12.1f} {shown}", flush=True)
    print()
    for command in commands:
        mine = {r.n: r for r in runs if r.command == command}
        base = mine.get(0)
        grown = [(n, r.cpu - (base.cpu if base else 0.0)) for n, r in sorted(mine.items()) if n > 0]
        total = [(n, r.cpu) for n, r in sorted(mine.items()) if n > 0]
        fmt = lambda s: "n/a" if s is None else f"{s:.2f}"  # noqa: E731
        print(
            f"{command:8} growth exponent, CPU beyond N = 0: last two sizes "
            f"{fmt(_slope(grown[-2:]))}, all sizes {fmt(_slope(grown))}; "
            f"whole CPU: last two sizes {fmt(_slope(total[-2:]))}"
        )


if __name__ == "__main__":
    main()
