"""Memory stays flat across 1,000 loads of a policy, with either evaluator (#23 item 6, the
durable half of it: "the durable evaluator still keeps ~3.8 MB per policy reload").

A load is a whole ``jurisdiction.load``: files read, policy built, evaluator compiled (for
durable_rules, its rulesets looked up or registered) and one decision made. The small fixture
policy keeps a thousand loads to about a minute; a load kept alive, or a ruleset registered per
load, costs hundreds of kilobytes each, hundreds of megabytes over the run. Loads are counted,
never timed.

durable_rules 2.0.28 cannot release a ruleset (``delete_state`` crashes the process, reproduced
below in a child; ``delete_ruleset`` alone frees about a third of one): the evaluator registers
each translated question once per process, by a digest of its definition, and every later load
of the same content shares it (docs/durable.md).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from policy_files import compose

from policy_kit import base_policy, write

LOADS = 1000 if os.environ.get("JURISDICTION_FULL") else 250  # the fast run: about a minute
WARM = 20  # loads before the first measure: caches of a first load, allocator arenas
GROWTH_MB = max(4.0, LOADS * 0.012)  # under 12 kB a load, where one kept load costs far more
FACTS = {
    "kind": "resident",
    "hukou": "120101001",
    "residence": "120104002",
    "sex": "female",
    "age": 30,
}


def _evaluator_available(evaluator: str) -> None:
    if evaluator == "durable" and not os.environ.get("CI"):
        pytest.importorskip("durable")


_MEASURE = """
import gc, json, os, sys
import jurisdiction
from jurisdiction.policy.model import Policy

root, evaluator, loads, warm = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
facts = json.loads(sys.argv[5])


def rss_mb():
    with open("/proc/self/statm", encoding="ascii") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def live():
    return sum(isinstance(o, Policy) for o in gc.get_objects())


def load_and_decide():
    engine = jurisdiction.load(root, evaluator=evaluator)
    assert engine.decide(facts, "who").outcome == "responsible"


def registered():
    if evaluator != "durable":
        return None
    from jurisdiction.engine import durable
    return sorted(durable.registered_rulesets())


for _ in range(warm):
    load_and_decide()
gc.collect()
before_rss, before_live, before_sets = rss_mb(), live(), registered()
for _ in range(loads):
    load_and_decide()
gc.collect()
print(json.dumps({"growth": rss_mb() - before_rss, "live_before": before_live,
                  "live_after": live(), "same_rulesets": registered() == before_sets}))
"""


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="reads /proc")
@pytest.mark.parametrize("evaluator", ["compiled", "durable"])
def test_a_thousand_loads_keep_memory_flat(evaluator: str, tmp_path: Path) -> None:
    """Measured in a fresh process: the suite's own process holds what other tests left, and
    its allocator's arenas move with them."""
    _evaluator_available(evaluator)
    root = compose(tmp_path / "policy")
    args = [str(root), evaluator, str(LOADS), str(WARM), json.dumps(FACTS)]
    run = subprocess.run(
        [sys.executable, "-c", _MEASURE, *args], capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr
    got = json.loads(run.stdout.strip().splitlines()[-1])
    assert got["live_after"] <= got["live_before"]  # not one of the loads is still alive
    assert got["growth"] < GROWTH_MB, f"{got['growth']:.1f} MB more after {LOADS} loads"
    assert got["same_rulesets"]  # durable: the same content shares its rulesets


_BY_AGE = """
questions:
  by_age:
    subject: resident
    title: {zh: 按年龄, en: by age}
    rules:
      - id: by_age.young
        cite: {article: 2, item: 4}
        when: resident.age < 40
        answer:
          bodies: [{body: fp_department, place: residence, level: street, role: responsible}]
"""


def test_durable_rules_cannot_delete_a_sessions_state(tmp_path: Path) -> None:
    """Why rulesets are shared rather than released: ``delete_state`` on the session of a
    ruleset whose decision matched no rule kills the process (durable-rules 2.0.28). If a
    release of durable-rules fixes this, this test fails: release rulesets then."""
    if not os.environ.get("CI"):
        pytest.importorskip("durable")
    root = base_policy(tmp_path)
    write(root, "rules.yaml", _BY_AGE)
    older = {**FACTS, "age": 45}
    child = textwrap.dedent(
        f"""
        import sys
        import jurisdiction
        from jurisdiction.engine import durable
        engine = jurisdiction.load(sys.argv[1], evaluator="durable")
        assert engine.decide({older!r}, "by_age").outcome == "no_rule"
        dre = durable._engine()
        for handle in durable.registered_rulesets().values():
            dre.delete_state(handle, "0")
        print("survived")
        """
    )
    run = subprocess.run(
        [sys.executable, "-c", child, str(root)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == -11, run.stdout + run.stderr  # SIGSEGV
    assert "survived" not in run.stdout
