"""Scale of the policy: load and check with N generated district overlays.

    python benchmarks/overlays.py [--sizes 0,100,1000] [--runs 3] [--no-check-above N]

For each N, generates N overlays into a temporary copy of ``policies/`` (``gen_overlays.py``,
seeded), then times, each in a fresh process (``import jurisdiction`` excluded, timed inside the
process with ``perf_counter``):

* load: ``jurisdiction.load(DIR)`` — the policy with its overlays, and the engine;
* check: what ``jurisdiction check DIR`` does — ``load_policy(DIR, strict=False)``, an engine,
  and every finding of ``Checker.all_findings()`` (the city's, then each overlay's).

Prints the median wall-clock time of ``--runs`` processes for each, the median CPU time of the
process meanwhile (``process_time``: less sensitive to a busy machine), and the ratio of the wall
times to N = 0 measured in the same run. Targets (issue 11, item 7), with 1,000 overlays:
load <= 1 s, check <= 30 s.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from gen_overlays import generate  # noqa: E402

_CHILD = """
import json, sys, time
import jurisdiction
from pathlib import Path
what, root = sys.argv[1], Path(sys.argv[2])
if what == "load":
    t, c = time.perf_counter(), time.process_time()
    jurisdiction.load(root)
    out = {"seconds": time.perf_counter() - t, "cpu": time.process_time() - c}
else:
    from jurisdiction.analysis.check import Checker
    from jurisdiction.engine.engine import Engine
    from jurisdiction.policy.load import load_policy
    t, c = time.perf_counter(), time.process_time()
    checker = Checker(Engine(load_policy(root, strict=False)))
    findings = list(checker.all_findings())
    out = {
        "seconds": time.perf_counter() - t,
        "cpu": time.process_time() - c,
        "findings": len(findings),
    }
print(json.dumps(out))
"""

TARGETS = {"load": 1.0, "check": 30.0}


def timed(what: str, root: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, what, str(root)], check=True, capture_output=True, text=True
    )
    result: dict[str, float] = json.loads(done.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="0,100,1000", help="numbers of overlays")
    parser.add_argument("--runs", type=int, default=3, help="processes per figure (median)")
    parser.add_argument(
        "--no-check-above", type=int, default=None, help="skip the check for larger N"
    )
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            root = Path(tmp) / f"p{n}"
            generate(n, root)
            row: dict[str, object] = {"n": n}
            for what in ("load", "check"):
                if what == "check" and args.no_check_above is not None and n > args.no_check_above:
                    continue
                runs = [timed(what, root) for _ in range(args.runs)]
                row[what] = statistics.median(r["seconds"] for r in runs)
                row[what + "_cpu"] = statistics.median(r["cpu"] for r in runs)
                if what == "check":
                    row["findings"] = runs[0]["findings"]
            rows.append(row)
            print(f"measured N={n}: {row}", file=sys.stderr)
    base = rows[0]
    ref = f"N={base['n']}"
    print(
        f"| overlays | load s | load CPU s | load / {ref} "
        f"| check s | check CPU s | check / {ref} | findings |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for row in rows:
        cells = [str(row["n"])]
        for what in ("load", "check"):
            if what in row:
                seconds = float(row[what])  # type: ignore[arg-type]
                cpu = float(row[what + "_cpu"])  # type: ignore[arg-type]
                ratio = seconds / float(base[what])  # type: ignore[arg-type]
                cells += [f"{seconds:.2f}", f"{cpu:.2f}", f"{ratio:.1f}x"]
            else:
                cells += ["—", "—", "—"]
        cells.append(str(row.get("findings", "—")))
        print("| " + " | ".join(cells) + " |")
    last = rows[-1]
    for what, target in TARGETS.items():
        if what in last:
            seconds = float(last[what])  # type: ignore[arg-type]
            verdict = "met" if seconds <= target else "missed"
            n = last["n"]
            print(f"{what}, {n} overlays: {seconds:.2f} s (target <= {target:g} s): {verdict}")


if __name__ == "__main__":
    main()
