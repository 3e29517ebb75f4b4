"""Benchmarks: what one decision costs, per evaluator, against a hand-written baseline; and
each ratio of issue 24 beside its goal, measured in one run.

    python benchmarks/run.py                 # a few minutes; --quick for a rough run in seconds
    python benchmarks/run.py --batch 1000000 # and batch.py on a million units and residents

Needs the package installed (``pip install '.[durable]'``; without the extra the durable rows
are skipped, and it says so). Every evaluator decides the same fact sets (``drawn.py``), as of
2012-06-01 (the text as written), in one run:

* ``dict``      ``engine.decide(facts_dict, q)``: the default evaluator, validating the facts;
* ``model``     ``engine.decide(model, q)``: the default evaluator on already-validated facts;
* ``durable``   the same facts, with ``load(evaluator="durable")``;
* ``baseline``  the hand-written if/else functions of ``baseline.py`` on the same models
  (``tests/test_handwritten_baseline.py`` keeps them equal to the policy);
* ``build``     a ``Decision`` built from its field values, nothing decided: the floor under
  ``model``.

Before timing, every evaluator's answers are checked against the default one's. Then: µs per
decision (the best of several passes over the fact sets, the evaluators taking turns pass by
pass), the ratios the targets are about, the time to load and compile the bundled policy, and
the start-up of the command line beside the interpreter's (``startup.py``'s way), the CPU
time of ``jurisdiction check`` on the bundled policy (``bench_check.py``), and zen-engine on
``unit_management`` (``zen_engine.py``; skipped with a note unless ``pip install zen-engine``).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from functools import partial
from pathlib import Path
from typing import Any

import jurisdiction
from jurisdiction import Decision, Engine, EvaluatorError
from jurisdiction.engine.decision import make_decision

sys.path.insert(0, str(Path(__file__).resolve().parent))
from baseline import build, light
from drawn import QUESTIONS, fact_sets
from timing import Variant, per_call

TEXT_DAY = "2012-06-01"
"""Decisions are timed as of a day the text stood as written (from 2016 two of the questions
answer that they are no longer in force, which costs nothing to decide)."""
TARGET_DURABLE = 10.0  # decide on validated facts at least 10x faster than durable_rules
TARGET_BASELINE = 3.0  # ... and within 3x of the hand-written baseline
TARGET_LOAD_MS = 150.0  # load and compile the bundled policy
TARGET_STARTUP = 2.0  # a command's whole process within 2x of the interpreter's reference
TARGET_BATCH = 2.0  # the batch plan within 2x of a hand-written DuckDB query
TARGET_CHECK_S = 2.0  # `jurisdiction check` of the bundled policy, CPU seconds
BEFORE_DATING_US = 2.6  # decide(model) of unit_management before dated decisions (issue 18)


# --- timing --------------------------------------------------------------------------------------


def _load_times(runs: int) -> tuple[float, float, float]:
    """Median ms of: importing the package, and its first load() — each in a fresh process —
    and of a second load() in that process."""
    code = (
        "import time; t0 = time.perf_counter(); import jurisdiction; t1 = time.perf_counter(); "
        "jurisdiction.load(); t2 = time.perf_counter(); jurisdiction.load(); "
        "t3 = time.perf_counter(); print(t1 - t0, t2 - t1, t3 - t2)"
    )
    rows = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
        rows.append([float(x) * 1e3 for x in out.stdout.split()])
    imported, first, second = (statistics.median(r[i] for r in rows) for i in range(3))
    return imported, first, second


def _table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in rows
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer facts and passes: seconds")
    parser.add_argument(
        "--batch",
        type=int,
        default=0,
        metavar="ROWS",
        help="also run batch.py on this many units and residents (1000000: a few minutes more)",
    )
    args = parser.parse_args()
    count, rounds, load_runs = (50, 5, 3) if args.quick else (200, 40, 7)

    print(
        f"python {platform.python_version()} on {platform.machine()} ({platform.system()}), "
        f"jurisdiction {jurisdiction.__version__}"
    )
    engine: Engine = jurisdiction.load().at(TEXT_DAY)
    durable: Engine | None
    try:
        durable = jurisdiction.load(evaluator="durable").at(TEXT_DAY)
    except EvaluatorError as exc:
        durable = None
        print(f"\nNOTE: durable_rules is not available, its column is skipped: {exc}\n")
    baseline = build(engine)
    facts = fact_sets(count)
    models = {q: [jurisdiction.parse_facts(f) for f in fs] for q, fs in facts.items()}

    # the same answers first: otherwise the timings would compare different work
    for q in QUESTIONS:
        for model in models[q]:
            expected = engine.decide(model, q)
            assert baseline[q](model) == light(expected), (q, model)
            if durable is not None:
                assert durable.decide(model, q) == expected, (q, model)
    print(f"checked: on {count} fact sets per question, every evaluator gives the default's answer")

    header = ("question", "dict µs", "model µs", "durable µs", "baseline µs", "build µs")
    rows: list[tuple[str, ...]] = [(*header, "durable/model", "model/baseline")]
    totals: dict[str, list[float]] = {}
    per_question: dict[str, dict[str, float]] = {}
    for q in QUESTIONS:
        variants: dict[str, Variant] = {
            "dict": (partial(_decide, engine, q), facts[q]),
            "model": (partial(_decide, engine, q), models[q]),
            "baseline": (baseline[q], models[q]),
        }
        if durable is not None:
            variants["durable"] = (partial(_decide, durable, q), models[q])
        # the floor under the engine's figure: a Decision built from its field values, nothing
        # decided (the 23 fields of a frozen value; the baseline builds a 3-tuple)
        built = [_fields(engine.decide(m, q)) for m in models[q]]
        variants["build"] = (_build_decision, built)
        t = per_call(variants, rounds)
        per_question[q] = t
        for k, v in t.items():
            totals.setdefault(k, []).append(v)
        rows.append(_row(q, t))
    mean = {k: statistics.fmean(v) for k, v in totals.items()}
    rows.append(_row("mean of the four", mean))
    print(
        f"\nµs per decision, best of {rounds} passes over the {count} fact sets of each question:"
    )
    print(_table(rows))

    imported, first, second = _load_times(load_runs)
    print(
        f"\nload and compile the bundled policy, median of {load_runs} fresh processes: "
        f"first load() {first:.0f} ms, second load() {second:.0f} ms "
        f"(import jurisdiction before it: {imported:.0f} ms)"
    )
    if durable is not None:
        t0 = time.perf_counter()
        jurisdiction.load(evaluator="durable")
        print(
            "load(evaluator='durable') again in this process (rulesets already registered): "
            f"{(time.perf_counter() - t0) * 1e3:.0f} ms"
        )

    ok = _targets(args, durable is not None, mean, per_question, first)
    return 0 if ok else 1


def _targets(
    args: argparse.Namespace,
    durable: bool,
    mean: dict[str, float],
    per_question: dict[str, dict[str, float]],
    first: float,
) -> bool:
    """Each ratio beside its goal; whether every one is met."""
    print("\ntargets:")
    ok = True
    if durable:
        ratio = mean["durable"] / mean["model"]
        ok &= _target(
            f"decide(model) at least {TARGET_DURABLE:g}x faster than durable_rules",
            ratio >= TARGET_DURABLE,
            f"{ratio:.1f}x",
        )
    for q, t in per_question.items():
        ratio = t["model"] / t["baseline"]
        ok &= _target(
            f"decide(model) of {q} within {TARGET_BASELINE:g}x of the hand-written baseline",
            ratio <= TARGET_BASELINE,
            f"{ratio:.1f}x ({t['model']:.2f} µs / {t['baseline']:.2f} µs; building the "
            f"Decision alone {t['build']:.2f} µs, {t['build'] / t['baseline']:.1f}x)",
        )
    unit = per_question["unit_management"]["model"]
    ok &= _target(
        "decide(model) of unit_management within 1.2x of before dated decisions (issue 18: "
        f"{BEFORE_DATING_US:g} µs then, on an idle machine; a figure of another run)",
        unit <= BEFORE_DATING_US * 1.2,
        f"{unit / BEFORE_DATING_US:.2f}x ({unit:.2f} µs)",
    )
    ok &= _target(
        f"load and compile within {TARGET_LOAD_MS:g} ms", first <= TARGET_LOAD_MS, f"{first:.0f} ms"
    )
    _zen_row(args.quick)
    if not args.quick:
        ok &= _startup_targets(5)
        ok &= _check_target(3)
    if args.batch:
        ok &= _batch_target(args.batch)
    return ok


ONE_MODEL = "from pydantic import BaseModel\nclass A(BaseModel):\n    x: int"
"""The least a process that validates facts with a pydantic model pays: ``BaseModel`` (its
schema builder, and the plugin lookup of the first model made) and one model of one field."""


def _startup_targets(runs: int) -> bool:
    """Whole-process start-up, beside the interpreter's own (median of ``runs`` warm runs, each
    command's bytecode kept as an installed package's is; see startup.py)."""
    import tempfile

    from startup import EXAMPLE, EXE, timed

    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    commands = {
        "pass": [sys.executable, "-c", "pass"],
        "pydantic": [sys.executable, "-c", "import pydantic"],
        "one model": [sys.executable, "-c", ONE_MODEL],
        "fact models": [sys.executable, "-c", "import jurisdiction.models"],
        "help": [EXE, "--help"],
        "decide": [EXE, "decide", EXAMPLE, "-q", "unit_management", "--as-of", TEXT_DAY],
    }
    with tempfile.TemporaryDirectory(prefix="startup-pycache-") as prefix:
        env["PYTHONPYCACHEPREFIX"] = prefix
        for argv in commands.values():
            timed(argv, env)  # warm-up: bytecode, file cache, the command line's caches
        walls: dict[str, list[float]] = {name: [] for name in commands}
        cpus: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(runs):  # in turns, so that a change of load hits every command alike
            for name, argv in commands.items():
                wall, cpu = timed(argv, env)
                walls[name].append(wall)
                cpus[name].append(cpu)
    wall_ms = {name: statistics.median(found) * 1e3 for name, found in walls.items()}
    cpu_ms = {name: statistics.median(found) * 1e3 for name, found in cpus.items()}

    def measured(what: str, reference: str) -> str:
        return (
            f"{wall_ms[what] / wall_ms[reference]:.1f}x ({wall_ms[what]:.0f} ms / "
            f"{wall_ms[reference]:.0f} ms, median of {runs}; CPU "
            f"{cpu_ms[what] / cpu_ms[reference]:.1f}x, {cpu_ms[what]:.0f} / "
            f"{cpu_ms[reference]:.0f} ms)"
        )

    ok = _target(
        f"jurisdiction decide FILE -q Q, warm, within {TARGET_STARTUP:g}x of "
        "python -c 'import pydantic'",
        wall_ms["decide"] <= TARGET_STARTUP * wall_ms["pydantic"],
        measured("decide", "pydantic"),
    )
    print(
        "  [floor] one pydantic model of one int field made, nothing else (what any process "
        f"that validates with a pydantic model pays): {measured('one model', 'pydantic')}"
    )
    print(
        "  [floor] the bundled policy's fact models (import jurisdiction.models), nothing of "
        f"the engine: {measured('fact models', 'pydantic')}"
    )
    ok &= _target(
        f"jurisdiction --help within {TARGET_STARTUP:g}x of python -c pass",
        wall_ms["help"] <= TARGET_STARTUP * wall_ms["pass"],
        measured("help", "pass"),
    )
    return ok


def _zen_row(quick: bool) -> None:
    """zen-engine on unit_management beside decide(model) and the baseline (``zen_engine.py``),
    or a note that it is not installed: no goal, the issue's table names it for comparison."""
    from zen_engine import measure

    t = measure(*((50, 5) if quick else (200, 40)))
    if t is None:
        print("  [—] zen-engine: not installed (pip install zen-engine), its row is skipped")
        return
    print(
        f"  [—] zen-engine, unit_management (answers checked equal first): {t['zen']:.2f} µs; "
        f"decide(model) {t['model']:.2f} µs takes {t['model'] / t['zen']:.2f}x its time "
        f"(hand-written {t['baseline']:.2f} µs)"
    )


def _check_target(repeat: int) -> bool:
    """``bench_check.py`` on the bundled policy: the check's median CPU time of ``repeat``."""
    argv = [sys.executable, str(Path(__file__).with_name("bench_check.py"))]
    argv += ["--repeat", str(repeat), "--thresholds", ""]
    out = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("check "))
    seconds = float(line.split("median")[1].split("ms")[0]) / 1000
    return _target(
        f"jurisdiction check of the bundled policy within {TARGET_CHECK_S:g} s CPU",
        seconds <= TARGET_CHECK_S,
        f"{seconds:.2f} s CPU (median of {repeat}; {line.split('(')[-1].rstrip(')')} ms)",
    )


def _batch_target(rows: int) -> bool:
    """``batch.py`` on ``rows`` units and as many residents (no Spark; the decide loop on 10,000
    rows): its tables, and per register the plan's time beside the hand-written DuckDB query's."""
    argv = [sys.executable, str(Path(__file__).with_name("batch.py")), "--rows", str(rows)]
    argv += ["--no-spark", "--loop-rows", "10000", "--repeat", "2"]
    out = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
    print("\n" + out.strip())
    seconds: dict[str, dict[str, float]] = {}  # per register, per run
    register = ""
    for line in out.splitlines():
        found = re.match(r"[0-9,]+ (\w+), ", line)
        if found:
            register = found[1]
        elif line.startswith("| ") and not line.startswith("| run"):
            cells = line.split("|")
            seconds.setdefault(register, {})[cells[1].strip()] = float(cells[3])
    ok = True
    for register, runs in seconds.items():
        plan = next(v for k, v in runs.items() if k.startswith("batch plan, DuckDB"))
        hand = next(v for k, v in runs.items() if k.startswith("hand-written DuckDB"))
        ok &= _target(
            f"jurisdiction batch, {rows:,} {register}, within {TARGET_BATCH:g}x of a hand-written "
            "query",
            plan <= TARGET_BATCH * hand,
            f"{plan / hand:.1f}x ({plan:.2f} s / {hand:.2f} s)",
        )
    return ok


def _fields(decision: Decision) -> tuple[Any, ...]:
    return tuple(getattr(decision, f.name) for f in dataclasses.fields(decision))


def _build_decision(values: tuple[Any, ...]) -> Decision:
    return make_decision(*values)


def _decide(engine: Engine, question: str, facts: Any) -> Decision:
    return engine.decide(facts, question)


def _row(name: str, t: dict[str, float]) -> tuple[str, ...]:
    durable = t.get("durable")
    return (
        name,
        f"{t['dict']:.1f}",
        f"{t['model']:.2f}",
        f"{durable:.1f}" if durable is not None else "—",
        f"{t['baseline']:.2f}",
        f"{t['build']:.2f}",
        f"{durable / t['model']:.1f}x" if durable is not None else "—",
        f"{t['model'] / t['baseline']:.1f}x",
    )


def _target(what: str, met: bool, measured: str) -> bool:
    print(f"  [{'met' if met else 'MISSED'}] {what}: {measured}")
    return met


if __name__ == "__main__":
    sys.exit(main())
