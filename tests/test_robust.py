"""Issue 23: every failure is a documented exit, and nothing is kept or lost that should not be.

Regression tests for the round-3 adversarial inputs outside the batch (the batch ones are in
tests/test_batch_robust.py): memory across reloads, non-finite numbers, far dates, the help
cache, empty case files, bad API arguments, a list of fact sets with one conflict.
"""

from __future__ import annotations

import gc
import json
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import jurisdiction
from jurisdiction.cli.main import cli
from jurisdiction.policy.model import Policy
from test_engine import (
    AGE_RULES,
    SEPARATED,
    _engine,
)


def _live_policies() -> int:
    gc.collect()
    return sum(isinstance(o, Policy) for o in gc.get_objects())


def _python_blocks() -> int:
    """Blocks held by Python's object allocator after a full collection: what a kept load holds
    (tens of thousands of blocks a reload), without the allocator's arenas and fragmentation,
    which made the process's RSS a noisy measure in a test worker of 1.7 GB."""
    gc.collect()
    return sys.getallocatedblocks()


@pytest.mark.parametrize("evaluator", ["compiled", "durable"])
def test_reloading_a_policy_keeps_no_earlier_load(evaluator: str) -> None:
    """Each load() was kept for ever by a validator cache keyed by id(policy): 3.8 MB a reload
    (about 200 MB after 40 loads of the bundled policy). Loads are counted, not timed."""

    def reload() -> None:
        engine = jurisdiction.load(evaluator=evaluator)  # type: ignore[arg-type]
        assert engine.decide(SEPARATED, "first_child_certificate", as_of="2012-06-01").outcome == (
            "responsible"
        )

    for _ in range(3):
        reload()
    before_blocks, before = _python_blocks(), _live_policies()
    for _ in range(12):
        reload()
    assert _live_policies() <= before  # none of the twelve is still alive
    # about 15 blocks a reload stay (interned names, small caches); one kept load is far more
    assert _python_blocks() - before_blocks < 5_000


# --- one line and a documented exit for every bad input ------------------------------------------


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan", ".NaN"])
def test_a_non_finite_number_in_a_facts_file_is_exit_4(tmp_path: Path, value: str) -> None:
    """`age: .inf` and `age: .nan` gave a ValueError traceback, exit 1."""
    facts = tmp_path / "f.yaml"
    facts.write_text(
        f'kind: resident\nhukou: "120101001"\nresidence: "120104002"\nsex: female\nage: {value}\n',
        encoding="utf-8",
    )
    code, _out, err = _run("decide", str(facts))
    assert code == 4
    assert f"f.yaml:5:6: yaml-scalar: `{value}` is not a finite number" in err
    assert len(err.strip().splitlines()) == 1


def test_a_list_of_fact_sets_with_one_conflict_answers_the_others(tmp_path: Path) -> None:
    """One conflicting fact set printed nothing for the others (exit 5)."""
    engine = _engine(tmp_path, AGE_RULES.replace("{overrides}", ""))
    facts = tmp_path / "list.yaml"
    facts.write_text(
        yaml.safe_dump([{**SEPARATED, "age": 30}, {**SEPARATED, "age": 40}]), encoding="utf-8"
    )
    root = str(engine.policy.root)
    code, out, err = _run("decide", str(facts), "-q", "by_age", "--policy", root)
    assert code == 5
    assert out.strip()  # the first fact set's answer
    assert "error (ConflictError) in fact set 2, question by_age" in err
    code, out, _err = _run(
        "decide", str(facts), "-q", "by_age", "--policy", root, "--format", "json"
    )
    answers = json.loads(out)
    assert answers[0]["outcome"] == "responsible"
    assert answers[1]["error"] == "ConflictError"


def test_an_empty_case_file_is_invalid_not_passed(tmp_path: Path) -> None:
    """`cases: []` passed as "0 passed"."""
    cases = tmp_path / "empty.yaml"
    cases.write_text("cases: []\n", encoding="utf-8")
    code, out, _err = _run("test", str(cases))
    assert code == 2
    assert "at least 1 item" in out


def test_decide_table_of_none_is_a_facts_error() -> None:
    pytest.importorskip("duckdb")
    with pytest.raises(jurisdiction.FactsError, match="decide_table reads an Arrow table"):
        jurisdiction.load().decide_table(None, "first_child_certificate")


def test_without_the_batch_extra_batch_is_exit_6_with_the_install_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`batch` without the extra exited 4, as if the input were wrong."""
    import jurisdiction.batch

    # importing the stage again binds a new package to `jurisdiction.batch`: bind the old back after
    monkeypatch.setattr(jurisdiction, "batch", jurisdiction.batch)
    for name in [m for m in sys.modules if m.startswith("jurisdiction.batch")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "duckdb", None)  # import duckdb raises ImportError
    units = tmp_path / "u.csv"
    units.write_text("id,category,staff,location\n", encoding="utf-8")
    code, _out, err = _run("batch", str(units), "-q", "unit_management", "-o", "o.csv")
    assert code == 6
    assert "pip install 'jurisdiction[batch]'" in err
    with pytest.raises(jurisdiction.EvaluatorError, match=r"jurisdiction\[batch\]"):
        jurisdiction.load().decide_table([], "unit_management")


def test_the_help_cache_does_not_follow_a_link_to_a_device(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A help cache file linked to /dev/zero was read until MemoryError."""
    from jurisdiction.cli import main as cli_main

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    expected = cli_main._help_values()  # writes the cache
    (cache,) = (tmp_path / "jurisdiction").glob("help-*.json")
    cache.unlink()
    cache.symlink_to("/dev/zero")
    assert cli_main._help_values() == expected  # read from the policy again, and cached
    assert not cache.is_symlink()
    assert json.loads(cache.read_text(encoding="utf-8")) == expected
