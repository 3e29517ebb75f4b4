"""The durable_rules evaluator: its translation, and each trap of durable_rules handled.

The traps (see the docstring of ``jurisdiction.engine.durable``): one process-global registry; not
thread-safe; a fact fires a rule once per satisfied ``or`` branch; a fact that matches nothing is
"not handled"; failures while actions run are swallowed by durable_rules' own host. And without
the extra installed, asking for the evaluator says how to install it.
"""

from __future__ import annotations

import dataclasses
import importlib
import itertools
import json
import operator
import os
import random
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import jurisdiction
from jurisdiction import EvaluatorError
from jurisdiction.cli.main import cli
from jurisdiction.engine import durable
from jurisdiction.language.conditions import (
    And,
    BoolConst,
    Compare,
    Expr,
    FactRef,
    InSet,
    IntConst,
    Not,
    Or,
    ParamRef,
    StrConst,
    Term,
    walk,
)
from jurisdiction.policy.model import Question

from policy_kit import base_policy, write

ROOT = Path(__file__).resolve().parent.parent
SEPARATED = {
    "kind": "resident",
    "hukou": "120101001",
    "residence": "120104002",
    "sex": "female",
    "age": 30,
}
EXAMPLE_OVERLAYS = Path(__file__).resolve().parent.parent / "examples" / "overlays"
# with the illustrative overlay (the bundled policy has none), so that overlay variants are covered
COMPILED = jurisdiction.load(overlays=EXAMPLE_OVERLAYS)
DURABLE = jurisdiction.load(evaluator="durable", overlays=EXAMPLE_OVERLAYS)
TEXT_DAY = "2012-06-01"
"""A day when the text stood as written (later law ends some of its duties from 2016)."""

# --- the translation, checked exhaustively against the conditions' meaning ----------------------

_OPS: Mapping[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def _value(term: Term, values: Mapping[str, Any], params: Mapping[str, Any]) -> Any:
    if isinstance(term, FactRef):
        return values[term.feature]
    if isinstance(term, ParamRef):
        return params[term.name]
    assert isinstance(term, IntConst | StrConst | BoolConst)
    return term.value


def _holds(expr: Expr, values: Mapping[str, Any], params: Mapping[str, Any]) -> bool:
    """What a condition means, over feature values: the reference for the translation."""
    if isinstance(expr, BoolConst):
        return expr.value
    if isinstance(expr, FactRef):
        return bool(values[expr.feature])
    if isinstance(expr, Compare):
        left, right = _value(expr.left, values, params), _value(expr.right, values, params)
        return _OPS[expr.op](left, right)
    if isinstance(expr, InSet):
        return _value(expr.term, values, params) in {v.value for v in expr.values}
    if isinstance(expr, Not):
        return not _holds(expr.item, values, params)
    if isinstance(expr, And):
        return all(_holds(i, values, params) for i in expr.items)
    assert isinstance(expr, Or)
    return any(_holds(i, values, params) for i in expr.items)


def _assignments(question: Question, params: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Every combination of the values of the features the question reads (whole numbers at
    each threshold, one either side, and the extremes) — consistent with the facts or not."""
    features = question.features
    read = sorted(
        {n.feature for r in question.rules for n in walk(r.expanded) if isinstance(n, FactRef)}
    )
    numbers = {0} | {
        int(v) for v in params.values() if isinstance(v, int) and not isinstance(v, bool)
    }
    numbers |= {
        n.value for r in question.rules for n in walk(r.expanded) if isinstance(n, IntConst)
    }
    domains = []
    for name in read:
        kind = features[name].type
        if kind.kind == "bool":
            domains.append([False, True])
        elif kind.kind == "enum":
            domains.append(list(kind.values))
        else:
            points = {kind.minimum, kind.maximum} | {n + d for n in numbers for d in (-1, 0, 1)}
            domains.append(sorted(p for p in points if kind.minimum <= p <= kind.maximum))
    for combo in itertools.product(*domains):
        yield dict(zip(read, combo, strict=True))


def _variants(engine: jurisdiction.Engine) -> Iterator[tuple[Question, dict[str, Any]]]:
    policy = engine.policy
    for question in policy.questions.values():
        yield question, {n: p.value for n, p in policy.parameters.items()}
        for district in policy.overlays:
            yield question, {n: p.value for n, p in policy.parameters_for(district).items()}


# Every assignment of every question under JURISDICTION_FULL=1 (335,184 in the bundled policy,
# 200,704 of them second_child_approval's); by default at most SAMPLE per question and district,
# drawn with a fixed seed, so that the README's test command keeps within its budget on 2 cores.
SAMPLE = None if os.environ.get("JURISDICTION_FULL") else 3_000


def _sampled(assignments: Iterator[dict[str, Any]]) -> list[dict[str, Any]]:
    every = list(assignments)
    if SAMPLE is None or len(every) <= SAMPLE:
        return every
    return random.Random(0).sample(every, SAMPLE)


def test_the_translation_is_exact_and_each_rule_has_exclusive_terms() -> None:
    checked = 0
    for question, params in _variants(COMPILED):
        translation = durable.translate(question, params)
        rules = {r.id: r for r in question.rules}
        for values in _sampled(_assignments(question, params)):
            for rule_id, terms in zip(translation.rule_ids, translation.terms, strict=True):
                holding = [t for t in terms if durable.term_holds(t, values)]
                assert len(holding) <= 1, (rule_id, values, holding)  # exclusive branches
                assert bool(holding) == _holds(rules[rule_id].expanded, values, params)
                checked += 1
    assert checked > 10_000


def test_rulesets_are_named_by_question_district_and_translation() -> None:
    """Not by the policy's fingerprint: a reload whose question translates alike (a comment
    edited, say) shares the ruleset instead of registering a new one for ever."""
    DURABLE.at(TEXT_DAY)  # the rulesets of a day are registered when that day is first asked
    names = set(durable.registered_rulesets())
    for question in COMPILED.policy.questions:
        assert any(n.startswith(f"jurisdiction_{question}_") for n in names)
    assert any(n.startswith("jurisdiction_unit_management_120104_") for n in names)


# --- trap: one process-global registry -----------------------------------------------------------


def test_a_second_engine_of_the_same_policy_registers_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = durable.registered_rulesets()
    created: list[str] = []
    real = durable._engine

    def spying() -> Any:
        module = real()
        return _Proxy(module, create_ruleset=lambda name, text: created.append(name))

    monkeypatch.setattr(durable, "_engine", spying)
    again = jurisdiction.load(evaluator="durable", overlays=EXAMPLE_OVERLAYS)
    assert created == []
    assert durable.registered_rulesets() == before
    assert again.decide(SEPARATED, "first_child_certificate") == COMPILED.decide(
        SEPARATED, "first_child_certificate"
    )


def test_another_policy_gets_its_own_rulesets(tmp_path: Path) -> None:
    root = base_policy(tmp_path)
    write(root, "rules.yaml", _ONE_RULE)
    before = durable.registered_rulesets()
    engine = jurisdiction.load(root, evaluator="durable")
    added = set(durable.registered_rulesets()) - set(before)
    assert added
    assert all(n.startswith("jurisdiction_by_age_") for n in added)
    assert engine.decide({**SEPARATED, "age": 45}, "by_age") == jurisdiction.load(root).decide(
        {**SEPARATED, "age": 45}, "by_age"
    )


# --- trap: not thread-safe -----------------------------------------------------------------------


def test_many_threads_share_one_durable_engine() -> None:
    facts = [
        {**SEPARATED, "age": age, "sex": sex, "residence": residence}
        for age in (14, 15, 30, 49, 50)
        for sex in ("female", "male")
        for residence in ("120104002", "120101001", "110101001")
    ]
    questions = COMPILED.questions("resident")
    expected = {(i, q): COMPILED.decide(f, q) for i, f in enumerate(facts) for q in questions}
    start = threading.Barrier(8)

    def work(offset: int) -> int:
        start.wait()
        wrong = 0
        for k in range(len(expected)):
            i, q = list(expected)[(k + offset * 7) % len(expected)]
            wrong += DURABLE.decide(facts[i], q) != expected[(i, q)]
        return wrong

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert sum(pool.map(work, range(8))) == 0


# --- trap: a fact fires once per satisfied branch of an `or` --------------------------------------


def test_durable_rules_fires_an_or_once_per_branch_so_we_never_write_one() -> None:
    """The trap itself, on the C engine: one fact, one rule with `$or`, two firings."""
    dre = durable._engine()
    rule = {"all": [{"m": {"$or": [{"$gt": {"x": 0}}, {"$gt": {"y": 0}}]}}]}
    with durable._LOCK:
        handle = dre.create_ruleset("jurisdiction_test_or_trap", json.dumps({"r": rule}))
        fact = json.dumps({"x": 1, "y": 1})
        code, state = dre.assert_fact(handle, fact)
        fired = []
        started = dre.start_action_for_state(handle, state)
        message = started[1] if started else None
        while message is not None:
            fired.append(durable._rule_name(message))
            message = dre.complete_and_start_action(handle, state)
        dre.retract_fact(handle, fact)
        dre.delete_ruleset(handle)
    assert (code, fired) == (0, ["r", "r"])
    for question, params in _variants(COMPILED):
        for definition in durable.translate(question, params).definitions:
            assert "$or" not in json.dumps(definition)


def test_a_rule_whose_translation_fires_twice_is_an_evaluator_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    real = durable.translate

    def overlapping(question: Question, params: Mapping[str, Any], chunk: int = 60) -> Any:
        t = real(question, params, chunk)
        definitions = [dict(d) for d in t.definitions]
        definitions[0]["h0_9"] = {"all": [{"m": {durable.GUARD: 1}}]}  # a second term, always
        return type(t)(
            t.rule_ids,
            t.features,
            t.terms,
            t.overrides,
            tuple(definitions),
            {**t.holds, "h0_9": 0},
            t.knocks,
        )

    monkeypatch.setattr(durable, "translate", overlapping)
    root = base_policy(tmp_path)
    write(root, "rules.yaml", _ONE_RULE)
    engine = jurisdiction.load(root, evaluator="durable")
    with pytest.raises(EvaluatorError, match="more than once"):
        engine.decide({**SEPARATED, "age": 20}, "by_age")


# --- trap: no match is "not handled" -------------------------------------------------------------


_ONE_RULE = """
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


def test_facts_no_rule_matches_get_the_explicit_no_rule_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = base_policy(tmp_path)
    write(root, "rules.yaml", _ONE_RULE)
    engine = jurisdiction.load(root, evaluator="durable")
    codes: list[int] = []
    real = engine.at(TEXT_DAY)._durable._dre  # type: ignore[union-attr]

    def assert_fact(handle: int, fact: str) -> tuple[int, int]:
        result: tuple[int, int] = real.assert_fact(handle, fact)
        codes.append(result[0])
        return result

    monkeypatch.setattr(engine.at(TEXT_DAY)._durable, "_dre", _Proxy(real, assert_fact=assert_fact))
    decision = engine.decide({**SEPARATED, "age": 45}, "by_age")
    assert codes == [1]  # ERR_EVENT_NOT_HANDLED: durable_rules matched nothing
    assert decision.outcome == "no_rule"
    assert decision == jurisdiction.load(root).decide({**SEPARATED, "age": 45}, "by_age")


# --- trap: failures while actions run are swallowed by durable's host ----------------------------


class _Proxy:
    """The C extension, with some functions replaced (a replacement returning None is a spy)."""

    def __init__(self, module: Any, **replaced: Callable[..., Any]) -> None:
        self._module = module
        self._replaced = replaced

    def __getattr__(self, name: str) -> Any:
        real = getattr(self._module, name)
        replacement = self._replaced.get(name)
        if replacement is None:
            return real

        def call(*args: Any) -> Any:
            result = replacement(*args)
            return real(*args) if result is None else result

        return call


@pytest.mark.parametrize("where", ["complete_and_start_action", "start_action_for_state"])
def test_a_failure_inside_an_action_is_an_evaluator_error_and_leaves_nothing_behind(
    monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    engine = jurisdiction.load(evaluator="durable", overlays=EXAMPLE_OVERLAYS)
    evaluator = engine.at(TEXT_DAY)._durable
    assert evaluator is not None
    real = evaluator._dre
    fail = [True]

    def broken(*_args: Any) -> None:
        if fail[0]:
            fail[0] = False
            raise RuntimeError("boom inside an action")

    monkeypatch.setattr(evaluator, "_dre", _Proxy(real, **{where: broken}))
    unit = {
        "kind": "unit",
        "category": "government_organ",
        "rank": "bureau",
        "staff": 2000,
        "location": "120101002001",
    }
    with pytest.raises(EvaluatorError, match="boom inside an action") as info:
        engine.decide(unit, "unit_management", as_of=TEXT_DAY)
    assert isinstance(info.value.__cause__, RuntimeError)
    assert info.value.exit_code == 6
    # the session was wiped: no fact and no queued action leaks into the next decision
    compiled = evaluator._questions[("unit_management", None)]
    assert json.loads(real.get_facts(compiled.handles[0], "0")) == []
    for _ in range(3):
        assert engine.decide(unit, "unit_management", as_of=TEXT_DAY) == COMPILED.decide(
            unit, "unit_management", as_of=TEXT_DAY
        )


def test_a_c_engine_error_is_an_evaluator_error(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = jurisdiction.load(evaluator="durable")
    evaluator = engine.at(TEXT_DAY)._durable
    assert evaluator is not None
    real = evaluator._dre

    def refuse(*_args: Any) -> tuple[int, int]:
        return (303, 0)  # ERR_MAX_STACK_SIZE

    monkeypatch.setattr(evaluator, "_dre", _Proxy(real, assert_fact=refuse))
    with pytest.raises(EvaluatorError, match="code 303"):
        engine.decide(SEPARATED, "contraceptives", as_of=TEXT_DAY)


def test_a_c_engine_error_on_a_later_days_ruleset_does_not_kill_the_process() -> None:
    """The session was reset with ``delete_state``, which kills the process after such an error
    on a ruleset registered after another day's: now the facts are taken back instead. In a
    child, so that a regression fails this test rather than the whole run."""
    child = textwrap.dedent(
        f"""
        import jurisdiction
        from jurisdiction import EvaluatorError
        from test_durable import _Proxy
        facts = {SEPARATED!r}
        engine = jurisdiction.load(evaluator="durable")
        engine.decide(facts, "first_child_certificate", as_of={TEXT_DAY!r})
        later = engine.at("2022-01-01")._durable
        real = later._dre
        later._dre = _Proxy(real, assert_fact=lambda *args: (303, 0))
        try:
            engine.decide(facts, "first_child_certificate", as_of="2022-01-01")
        except EvaluatorError as exc:
            print("refused:", exc)
        later._dre = real
        again = engine.decide(facts, "first_child_certificate", as_of="2022-01-01")
        want = jurisdiction.load().decide(facts, "first_child_certificate", as_of="2022-01-01")
        print("same" if again == want else "different")
        """
    )
    run = subprocess.run(
        [sys.executable, "-c", child],
        cwd=Path(__file__).parent,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert "refused: durable_rules could not assert a fact (code 303)" in run.stdout
    assert run.stdout.strip().endswith("same")


# --- without the extra ------------------------------------------------------------------------


def test_without_durable_rules_the_error_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "durable", None)
    monkeypatch.setitem(sys.modules, "durable_rules_engine", None)
    with pytest.raises(EvaluatorError) as info:
        jurisdiction.load(evaluator="durable")
    assert "pip install 'jurisdiction[durable]'" in str(info.value)
    assert jurisdiction.load().decide(
        SEPARATED, "first_child_certificate", as_of=TEXT_DAY
    ).outcome == ("responsible")
    result = CliRunner().invoke(
        cli,
        ["decide", str(ROOT / "examples" / "separated_resident.yaml"), "--evaluator", "durable"],
    )
    assert result.exit_code == 6
    assert "pip install 'jurisdiction[durable]'" in result.stderr


def test_another_release_of_durable_rules_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.metadata

    monkeypatch.setattr(importlib.metadata, "version", lambda _name: "2.0.27")
    with pytest.raises(EvaluatorError, match=r"built for durable-rules 2\.0\.28, found 2\.0\.27"):
        jurisdiction.load(evaluator="durable")


def test_the_core_never_imports_durable_rules() -> None:
    code = (
        "import sys, jurisdiction\n"
        "e = jurisdiction.load()\n"
        f"e.decide({SEPARATED!r}, 'first_child_certificate')\n"
        "loaded = {'durable', 'durable_rules_engine', 'jurisdiction.engine.durable'}\n"
        "loaded &= set(sys.modules)\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_an_unknown_evaluator_is_refused() -> None:
    with pytest.raises(EvaluatorError, match="unknown evaluator `rete`"):
        jurisdiction.load(evaluator="rete")  # type: ignore[arg-type]


def test_the_cli_decides_alike_with_either_evaluator() -> None:
    facts = str(ROOT / "examples" / "unit_in_overlay_district.yaml")
    outputs = [
        CliRunner().invoke(
            cli,
            [
                "decide",
                facts,
                "--format",
                "json",
                "--evaluator",
                e,
                "--overlays",
                str(EXAMPLE_OVERLAYS),
            ],
        )
        for e in ("compiled", "durable")
    ]
    assert [o.exit_code for o in outputs] == [0, 0]
    assert outputs[0].stdout == outputs[1].stdout
    assert "overlays/120104.yaml" in outputs[1].stdout


# --- C limits: the terms of a question are split over several rulesets ---------------------------


def test_terms_split_over_several_rulesets_decide_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(durable, "CHUNK", 2)
    engine = jurisdiction.load(evaluator="durable", overlays=EXAMPLE_OVERLAYS)
    compiled = engine.at(TEXT_DAY)._durable._questions[("first_child_certificate", None)]  # type: ignore[union-attr]
    assert len(compiled.handles) > 2
    unclear = {"place": "120104002", "management_in_place": False}
    unclear["blind_spot_cause"] = "affiliation_unclear"
    overridden = 0
    for age in (14, 15, 30, 49, 50):
        for sex in ("female", "male"):
            for area in ({}, {"area": unclear}):
                facts = {**SEPARATED, "age": age, "sex": sex, **area}
                for question in ("first_child_certificate", "management_principle"):
                    decision = engine.decide(facts, question)
                    assert decision == COMPILED.decide(facts, question)
                    overridden += bool(decision.rules_overridden)
    assert overridden  # the override stage ran too


# --- what durable_rules cannot do faithfully is refused, never evaluated differently --------------


def test_ordering_values_that_are_not_numbers_is_refused() -> None:
    question = COMPILED.policy.questions["first_child_certificate"]
    rule = question.rules[0]
    odd = Compare(FactRef("resident", "sex"), "<", StrConst("male"))
    rules = (dataclasses.replace(rule, expanded=odd), *question.rules[1:])
    with pytest.raises(EvaluatorError, match="cannot order values that are not numbers"):
        durable.translate(dataclasses.replace(question, rules=rules), {})


def test_an_installed_but_broken_extension_says_how_to_rebuild_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = importlib.import_module

    def broken(name: str) -> Any:
        if name == "durable_rules_engine":
            raise ImportError("undefined symbol: PyEval_CallObject")
        return real(name)

    monkeypatch.setattr(importlib, "import_module", broken)
    with pytest.raises(EvaluatorError, match="PyEval_CallObject=PyObject_CallObject"):
        jurisdiction.load(evaluator="durable")


# --- the docs show what the code does ------------------------------------------------------------

DOCS = (ROOT / "docs" / "evaluators.md").read_text(encoding="utf-8")


def test_the_docs_show_the_translation_the_evaluator_registers() -> None:
    shown = DOCS.split("<!-- durable:first_child_certificate -->\n```text\n")[1].split("```")[0]
    question = COMPILED.policy.questions["first_child_certificate"]
    params = {n: p.value for n, p in COMPILED.policy.parameters.items()}
    assert shown.splitlines() == list(durable.explain(durable.translate(question, params)))


def test_the_python_example_of_the_docs_runs(capsys: pytest.CaptureFixture[str]) -> None:
    example = DOCS.split("```python\n")[1].split("```")[0]
    exec(compile(example, "docs/evaluators.md", "exec"), {})  # our own docs
    assert capsys.readouterr().out == "durable\n"
