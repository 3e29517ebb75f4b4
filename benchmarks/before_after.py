"""Decide speed before and after a change, measured in one run (issue 18's "within 1.2x").

    python benchmarks/before_after.py COMMIT [--after REV] [--turns N] [--rounds N] [--count N]

Extracts ``src/`` and ``policies/`` of COMMIT and of REV (default ``HEAD``) with ``git archive``
into a temporary folder, then times ``engine.decide(model, q)`` in fresh processes of this same
interpreter (one virtualenv), each importing its own copy through ``PYTHONPATH``, taking turns:
before, after, before, after ... ``--turns`` times each. Each process decides the same fact sets
(``drawn.py``, seeded) of ``unit_management``, ``first_child_certificate`` and
``second_child_approval`` and reports, per question, the best of ``--rounds`` passes in µs per
decision; the figure of a side is its best over its turns. A third kind of process runs
the after engine on the before commit's policies: its answers are checked equal to the before
engine's (outcome and rules fired, as of 2012-06-01), so that the engines are compared on the
same work; each commit's own policy may answer otherwise where its content changed since (a
note counts those).

The after side is timed twice in each of its processes: as of 2012-06-01 (``load().at(day)``,
as ``run.py`` times it) and as a caller who gives no day (``load().decide(model, q)``: as of the
day the facts date, else today). A commit that has no ``Engine.at`` is timed the second way only.

For issue 18 the before commit is the last one before the time work: ``a130f53`` (the parent of
the first "Time:" commit, where the time-language branch also started).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from revisions import extracted

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
QUESTIONS = ("unit_management", "first_child_certificate", "second_child_approval")
TEXT_DAY = "2012-06-01"
GOAL = 1.2


def _worker(count: int, rounds: int, policy: str | None) -> None:
    """Runs in a side's process: prints one JSON line of its timings and answers."""
    import datetime

    from drawn import fact_sets

    import jurisdiction

    facts = fact_sets(count, questions=QUESTIONS)
    engine = jurisdiction.load(policy)
    models = {q: [engine.parse_facts(f) for f in fs] for q, fs in facts.items()}
    engines: dict[str, Any] = {"plain": engine}
    if hasattr(engine, "at"):
        engines["at_text_day"] = engine.at(datetime.date.fromisoformat(TEXT_DAY))
    answered = engines.get("at_text_day", engine)
    answers = {
        q: [[str(d.outcome), list(d.rules_fired)] for d in (answered.decide(m, q) for m in ms)]
        for q, ms in models.items()
    }
    best = {name: dict.fromkeys(QUESTIONS, float("inf")) for name in engines}
    for q in QUESTIONS:
        for e in engines.values():
            for m in models[q]:  # warm: first decisions compile and specialise
                e.decide(m, q)
        for _ in range(rounds):
            for name, e in engines.items():  # the ways take turns, pass by pass
                decide = e.decide
                t0 = time.perf_counter()
                for m in models[q]:
                    decide(m, q)
                per = (time.perf_counter() - t0) / len(models[q]) * 1e6
                best[name][q] = min(best[name][q], per)
    print(json.dumps({"best": best, "answers": answers}))


def _run_side(src: Path, count: int, rounds: int, policy: Path | None) -> dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=str(src))
    argv = [sys.executable, __file__, "--worker", "--count", str(count), "--rounds", str(rounds)]
    out = subprocess.run(
        argv + (["--policy", str(policy)] if policy else []),
        cwd=HERE,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("commit", nargs="?", help="the commit before the change")
    parser.add_argument("--after", default="HEAD", help="the commit after it (default HEAD)")
    parser.add_argument("--turns", type=int, default=3, help="processes per side, alternated")
    parser.add_argument("--rounds", type=int, default=30, help="passes per question a process")
    parser.add_argument("--count", type=int, default=200, help="fact sets per question")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--policy", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        _worker(args.count, args.rounds, args.policy)
        return 0
    if args.commit is None:
        parser.error("COMMIT is required")
    names = {
        side: subprocess.run(
            ["git", "rev-parse", "--short", rev],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        for side, rev in (("before", args.commit), ("after", args.after))
    }
    load_start = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="before-after-") as tmp:
        srcs = {side: extracted(names[side], Path(tmp) / side) for side in names}
        old_policy = Path(tmp) / "before" / "policies"
        runs = {"before": (srcs["before"], None), "after": (srcs["after"], None)}
        runs["after engine, before policy"] = (srcs["after"], old_policy)
        results: dict[str, list[dict[str, Any]]] = {side: [] for side in runs}
        for _ in range(args.turns):
            for side, (src, policy) in runs.items():
                results[side].append(_run_side(src, args.count, args.rounds, policy))
    load_end = os.getloadavg()

    answers = {side: results[side][0]["answers"] for side in runs}
    for q in QUESTIONS:
        same_policy = zip(
            answers["before"][q], answers["after engine, before policy"][q], strict=True
        )
        differ = sum(a != b for a, b in same_policy)
        assert differ == 0, f"{q}: {differ} of {args.count} answers differ on the same policy"
        own = sum(
            a[0] != b[0] for a, b in zip(answers["before"][q], answers["after"][q], strict=True)
        )
        if own:
            print(
                f"note: {q}: {own} of {args.count} outcomes differ with each commit's own policy "
                "(its content changed since, as CHANGELOG.md says)"
            )
    print(
        f"checked: on the {args.count} drawn fact sets of each question, the engine after "
        f"({names['after']}, as of {TEXT_DAY}) answers the policy before ({names['before']}) "
        "as the engine before does: the same outcomes and rules fired"
    )
    print(
        f"load average {load_start[0]:.2f} at the start, {load_end[0]:.2f} at the end; "
        f"{args.turns} processes a side, alternated; best of {args.rounds} passes each"
    )

    def best(side: str, way: str, q: str) -> float:
        return min(r["best"][way][q] for r in results[side] if way in r["best"])

    way = "at_text_day" if "at_text_day" in results["after"][0]["best"] else "plain"
    columns = [
        ("after, own policy", "after", way),
        ("after, own, no day", "after", "plain"),
        ("after, policy before", "after engine, before policy", way),
    ]
    print(
        f"\nµs per decision (ratio to before; goal <= {GOAL}x)\n{'question':<26} {'before':>8}"
        + "".join(f" {title:>22}" for title, _, _ in columns)
    )
    met = True
    for q in QUESTIONS:
        b = best("before", "plain", q)
        cells = []
        for _, side, how in columns:
            t = best(side, how, q)
            cells.append(f"{t:.2f} ({t / b:.2f}x)")
            met = met and ((how == "plain" and side == "after") or t / b <= GOAL)
        print(f"{q:<26} {b:>8.2f}" + "".join(f" {c:>22}" for c in cells))
    print(
        f"\nissue 18's goal, decide within {GOAL}x of before dates existed: "
        f"{'met' if met else 'missed'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
