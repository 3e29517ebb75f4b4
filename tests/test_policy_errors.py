"""Bad-policy fixtures: one directory per stable code under tests/policy_errors/<code>/.

Each fixture is the tiny base policy (``_base``) with a few files added or replaced, and an
``expect.yaml`` listing exactly what loading it (``load``) and checking it (``check``) reports:
code, file, line and column, a did-you-mean suggestion where there is one, and for findings with a
witness the facts it must contain. Every witness is confirmed by ``decide``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

import jurisdiction
from jurisdiction.core.codes import CODES, LOAD_CODES, SERVICE_CODES
from jurisdiction.policy.load import load_policy
from policy_files import FIXTURES, compose

CASES = sorted(d.name for d in FIXTURES.iterdir() if d.is_dir() and not d.name.startswith("_"))
WITHOUT_FIXTURE = {
    "file-too-large": "test_file_too_large",  # a 1 MB file is made on the fly
    "manifest": "test_reliability.py::test_a_manifest_refuses_a_file_that_differs",  # a dotfile
    # the base policy's facts.yaml keeps its shared vocabulary (`kept:`): a fixture would have to
    # replace the whole file to declare one feature unkept
    "unused-feature": "test_analyst_coverage.py::test_an_unused_feature_is_warned_where_it_is_"
    "declared",
}


def _view(code: str, loc: jurisdiction.Location | None, suggestion: str | None) -> tuple[Any, ...]:
    assert loc is not None, f"{code} has no location"
    return (code, Path(loc.file).name, loc.line, loc.column, suggestion)


def _expected(entries: list[dict[str, Any]], with_suggestion: bool) -> set[tuple[Any, ...]]:
    return {
        (
            e["code"],
            e["file"],
            e["line"],
            e["column"],
            e.get("suggestion") if with_suggestion else None,
        )
        for e in entries
    }


def confirm_witness(engine: jurisdiction.Engine, finding: jurisdiction.Finding) -> None:
    """``decide`` does on the witness what the finding says."""
    assert finding.witness is not None
    assert finding.question is not None
    facts = finding.witness_data()
    assert facts is not None
    if finding.code == "overlap":
        with pytest.raises(jurisdiction.ConflictError) as err:
            engine.decide(facts, finding.question, as_of=finding.day())
        assert {rid for rid, _cite, _loc in err.value.rules} == set(finding.rules)
    elif finding.code == "gap":
        assert engine.decide(facts, finding.question, as_of=finding.day()).outcome == "no_rule"
    elif finding.code == "answer-place":
        with pytest.raises(jurisdiction.FactsError):
            engine.decide(facts, finding.question, as_of=finding.day())
    elif finding.code == "unreachable":
        decision = engine.decide(facts, finding.question, as_of=finding.day())
        assert finding.rules[0] in decision.rules_overridden
        assert finding.rules[0] not in decision.rules_applied
    else:  # pragma: no cover - a new finding code with a witness must be confirmed here
        raise AssertionError(f"no confirmation for {finding.code}")


@pytest.mark.parametrize("name", CASES)
def test_fixture(name: str, tmp_path: Path) -> None:
    expect = yaml.safe_load((FIXTURES / name / "expect.yaml").read_text(encoding="utf-8"))
    root = compose(tmp_path / "policy", FIXTURES / name)
    codes = {e["code"] for e in expect.get("load", []) + expect.get("check", [])}
    assert codes == {name}, "a fixture shows its own code, and only it"

    if "load" in expect:
        with pytest.raises(jurisdiction.PolicyError) as err:
            load_policy(root)
        got = {_view(d.code, d.location, d.suggestion) for d in err.value.diagnostics}
        assert got == _expected(expect["load"], with_suggestion=True), str(err.value)
    else:
        load_policy(root)  # loads strictly: what is wrong is for the checker to find

    if "check" not in expect:
        with pytest.raises(jurisdiction.PolicyError):
            load_policy(root, strict=False)
        return
    engine = jurisdiction.Engine(load_policy(root, strict=False))
    findings = list(jurisdiction.check(engine))
    got = {_view(f.code, f.location, None) for f in findings}
    assert got == _expected(expect["check"], with_suggestion=False), "\n".join(map(str, findings))
    for entry in expect["check"]:
        if "witness" not in entry:
            continue
        (finding,) = [
            f
            for f in findings
            if f.location is not None
            and (f.location.line, f.location.column) == (entry["line"], entry["column"])
        ]
        data = finding.witness_data()
        assert data is not None
        assert entry["witness"].items() <= data.items(), data
        confirm_witness(engine, finding)


def test_every_code_has_a_fixture() -> None:
    assert set(CASES) | set(WITHOUT_FIXTURE) == set(CODES) - SERVICE_CODES  # a policy's codes


def test_the_base_policy_loads_and_checks_clean(tmp_path: Path) -> None:
    root = compose(tmp_path / "policy")
    assert list(jurisdiction.check(load_policy(root))) == []


def test_file_too_large(tmp_path: Path) -> None:
    root = compose(tmp_path / "policy")
    big = root / "big.yaml"
    big.write_text("# " + "x" * (1 << 20) + "\n", encoding="utf-8")
    with pytest.raises(jurisdiction.PolicyError) as err:
        load_policy(root)
    (diagnostic,) = err.value.diagnostics
    assert diagnostic.code == "file-too-large"
    assert diagnostic.location == jurisdiction.Location(str(big), 1, 1)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "missing", "no such policy directory"),
        (lambda p: p, "holds no *.yaml file"),
    ],
)
def test_file_errors_for_directories(tmp_path: Path, make: Any, message: str) -> None:
    with pytest.raises(jurisdiction.PolicyError) as err:
        load_policy(make(tmp_path))
    assert err.value.codes == ("file",)
    assert message in str(err.value)


def test_load_codes_are_errors_of_the_loader() -> None:
    assert {"override"} <= LOAD_CODES
    assert all(CODES[c].severity == "error" for c in LOAD_CODES)
