"""Benchmark: the full check of a policy (default: the bundled one), and the classes decided.

    python benchmarks/bench_check.py [POLICY_DIR] [--repeat N] [--thresholds 256,512,1024,2048]

Prints the CPU time of loading, of the check as `jurisdiction check` runs it (every stretch of
the policy's time: every partition and every lint; the collector as the command line sets it),
the number of classes of cases decided, and the findings by code. The target (issue 24) is 2 s
of CPU for the bundled policy. Then the growth in thresholds: for each T of ``--thresholds``, a
copy of the bundled policy with one generated question whose rules cut a unit's staff at T
thresholds (``gen_rules.py``), and the CPU time of the check of that question alone (its
partition: every class realised and decided), with the exponent of the growth (the slope of log
time over log T, between each size and the next, and over all); the target is 1.2 or less up to
2,048 thresholds.
Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import gc
import math
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

from gen_rules import generate

from jurisdiction import Engine, bundled_policy_path
from jurisdiction.analysis.check import Checker
from jurisdiction.analysis.over_time import checker_for
from jurisdiction.core.collector import held_back, paused, whole_process
from jurisdiction.policy.load import load_policy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("policy", nargs="?", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=5, help="runs to time (default 5)")
    parser.add_argument(
        "--thresholds", default="256,512,1024,2048", help="sizes of the growth run ('' for none)"
    )
    args = parser.parse_args()
    root = args.policy or bundled_policy_path()

    loads, checks = [], []
    for _ in range(args.repeat):
        # as `jurisdiction check` runs it: the collector paused while the policy loads, what the
        # load made frozen (cli/main.py), then every stretch of the policy's time checked, the
        # lints included (its `checker_for(...).all_findings()`), the collector held back
        with whole_process():
            t0 = time.process_time()
            with paused():
                engine = Engine(load_policy(root, strict=False))
            t1 = time.process_time()
            checker = checker_for(engine)
            with held_back():
                findings = list(checker.all_findings())
            t2 = time.process_time()
        loads.append(t1 - t0)
        checks.append(t2 - t1)

    policy = engine.policy
    parts = list(checker.partitions())
    considered = sum(p.considered for p in parts)
    rules = sum(len(q.rules) for q in policy.questions.values())
    check_ms, load_ms = statistics.median(checks) * 1000, statistics.median(loads) * 1000
    print(f"policy      {policy.name} {policy.fingerprint[:19]}… ({root})")
    print(f"questions   {len(policy.questions)}, rules {rules}")
    print(f"stretches   {len(getattr(checker, 'stretches', ())) or 1} of the policy's time checked")
    print(f"classes     {checker.classes_decided} decided ({considered} in the split products)")
    print(f"load        median {load_ms:7.1f} ms CPU  (of {args.repeat})")
    every = ", ".join(f"{c * 1000:.0f}" for c in checks)
    print(f"check       median {check_ms:7.1f} ms CPU  min {min(checks) * 1000:.1f} ms  ({every})")
    per_class = check_ms * 1000 / max(checker.classes_decided, 1)
    print(f"per class   {per_class:7.1f} µs (the whole check divided by the classes decided)")
    counts = Counter(f.code for f in findings)
    print("findings    " + (", ".join(f"{c} {n}" for c, n in sorted(counts.items())) or "none"))
    if args.thresholds:
        growth([int(t) for t in args.thresholds.split(",")])


def growth(sizes: list[int]) -> None:
    """The check of one question whose rules cut one whole number at T thresholds, for each T."""
    points: list[tuple[int, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for t in sizes:
            root = generate(t + 1, Path(tmp) / f"t{t}", per_question=t + 1)
            engine = Engine(load_policy(root, strict=False))
            question = engine.policy.questions["generated_000"]
            # each size from the same start (what the sizes before it left collected, so that
            # the collector's timing does not fall on one size and not the next), and checked
            # as the command checks, the collector held back
            gc.collect()
            t0 = time.process_time()
            with held_back():
                part = Checker(engine, only={question.name}).partition(question)
            seconds = time.process_time() - t0
            points.append((t, seconds))
            slope = ""
            if len(points) > 1:
                (a, ta), (b, tb) = points[-2], points[-1]
                slope = f"  exponent {math.log(tb / ta) / math.log(b / a):.2f} from T = {a}"
            print(
                f"thresholds  {t:5d}: {len(part.classes):6d} classes, {seconds * 1000:8.1f} ms CPU"
                + slope
            )
    if len(points) > 1:
        (a, ta), (b, tb) = points[0], points[-1]
        print(f"exponent    {math.log(tb / ta) / math.log(b / a):.2f} from T = {a} to {b}")


if __name__ == "__main__":
    main()
