"""Benchmark: the full check of a policy (default: the bundled one), and the classes decided.

    python benchmarks/bench_check.py [POLICY_DIR] [--repeat N]

Prints the time of loading, of the check (every partition and every lint), the number of
classes of cases decided, and the findings by code. The target is under 2 s on one core for the
bundled policy. Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter
from pathlib import Path

from jurisdiction import Engine, bundled_policy_path
from jurisdiction.analysis.check import Checker
from jurisdiction.policy.load import load_policy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("policy", nargs="?", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=5, help="runs to time (default 5)")
    args = parser.parse_args()
    root = args.policy or bundled_policy_path()

    loads, checks = [], []
    for _ in range(args.repeat):
        t0 = time.process_time()
        engine = Engine(load_policy(root, strict=False))
        t1 = time.process_time()
        checker = Checker(engine)
        findings = list(checker.findings())
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
    print(f"classes     {checker.classes_decided} decided ({considered} in the split products)")
    print(f"load        median {load_ms:7.1f} ms CPU  (of {args.repeat})")
    every = ", ".join(f"{c * 1000:.0f}" for c in checks)
    print(f"check       median {check_ms:7.1f} ms CPU  min {min(checks) * 1000:.1f} ms  ({every})")
    per_class = check_ms * 1000 / max(checker.classes_decided, 1)
    print(f"per class   {per_class:7.1f} µs (the whole check divided by the classes decided)")
    counts = Counter(f.code for f in findings)
    print("findings    " + (", ".join(f"{c} {n}" for c, n in sorted(counts.items())) or "none"))


if __name__ == "__main__":
    main()
