"""What the engine does for speed changes no answer.

Each shortcut is held to the slow way it replaces: libyaml against PyYAML's pure-Python loader,
scalars resolved by their first character against every pattern tried, the fast Decision builder
against ``Decision(...)``, features read as attributes against their getters, and the per-class
memo of answers against evaluating every rule.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import jurisdiction
from drawn_settings import compared_on
from jurisdiction import Decision, PolicyError
from jurisdiction.analysis.partition import realiser_for
from jurisdiction.engine.decision import make_decision
from jurisdiction.language.conditions import FactRef, IntConst, walk
from jurisdiction.policy import strict_yaml as located_yaml

from fact_strategies import fact_sets

ROOT = Path(__file__).resolve().parent.parent
ENGINE = jurisdiction.load()


def _pure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(located_yaml, "_FAST_LOADER", located_yaml._core(yaml.SafeLoader))


def test_libyaml_reads_every_policy_file_as_the_pure_python_loader_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert issubclass(located_yaml._FAST_LOADER, yaml.CSafeLoader)  # libyaml is there to be tested
    files = sorted((ROOT / "policies").rglob("*.yaml")) + sorted((ROOT / "tests").rglob("*.yaml"))

    def read(path: Path) -> tuple[Any, ...]:  # the bad-policy fixtures fail on purpose
        try:
            doc = located_yaml.load_yaml(path)
        except PolicyError as exc:
            return ("error", str(exc))
        return ("ok", doc.value, doc.marks)

    fast = [read(f) for f in files]
    assert sum(r[0] == "ok" for r in fast) > 40
    _pure(monkeypatch)
    for path, outcome in zip(files, fast, strict=True):
        assert outcome == read(path), path


BROKEN = [
    "a: [1, 2\n",
    "a: 1\n  b: 2\n",
    'a: "unterminated\n',
    "a: b: c\n",
    "- a\nb: 1\n",
    "a:\n\t- tab\n",
    "a: &x 1\nb: *y\n",
    "a: 1\na: 2\n",
    "? [a]\n: 1\n",
]


@pytest.mark.parametrize("text", BROKEN)
def test_a_broken_file_reads_the_same_with_either_loader(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def outcome() -> tuple[str, Any]:
        try:
            doc = located_yaml.parse_yaml(text, "f.yaml")
        except PolicyError as exc:
            return ("error", str(exc))
        return ("ok", (doc.value, doc.marks))

    fast = outcome()
    _pure(monkeypatch)
    assert fast == outcome()


SCALARS = [
    *["", "~", "null", "Null", "NULL", "nul", "true", "True", "TRUE", "tRue", "false", "False"],
    *["0", "-0", "+12", "012", "-012", "0o17", "0x1F", "0x", "1_000", "0b101", "16:40", "1:2:3"],
    *["1.5", ".5", "-.5e3", "1e5", ".inf", "-.Inf", ".nan", ".NaN", "1.", "+1.e-2", "0x1_F"],
    *["yes", "Yes", "YES", "no", "NO", "on", "Off", "y", "N", "o", "yesno", "district", "名字"],
]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SCALARS) | st.text("0123456789+-._:xobeEyYnNoOtTfF~a", max_size=8))
def test_scalars_are_resolved_as_by_trying_every_pattern(text: str) -> None:
    """The scalar reader tries a pattern only on texts starting with one of its first characters."""
    every = next((t for t, pattern, _ in located_yaml._CORE_PATTERNS if pattern.match(text)), None)
    assert located_yaml._implicit(text) == (every or located_yaml._STR)
    if located_yaml._AMBIGUOUS.match(text):
        assert text[:1] in located_yaml._AMBIGUOUS_FIRST


def test_the_fast_decision_builder_builds_a_frozen_decision() -> None:
    facts = {"kind": "resident", "hukou": "120101001", "residence": "120104002"}
    d = ENGINE.decide({**facts, "sex": "female", "age": 30}, "first_child_certificate")
    values = [getattr(d, f.name) for f in dataclasses.fields(Decision)]
    built = make_decision(*values)
    assert type(built) is Decision
    assert built == Decision(*values)
    assert hash(built) == hash(Decision(*values))
    assert Decision.from_json(built.to_json()) == built
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.outcome = "no_rule"  # type: ignore[misc]


@pytest.mark.parametrize("name", sorted(ENGINE.subjects))
def test_features_read_as_attributes_are_their_getters_values(name: str) -> None:
    subject = ENGINE.subjects[name]
    ctx = ENGINE.context
    fields = [f for f in subject.features.values() if f.field is not None]
    assert fields or name in ("district", "area")
    realiser = realiser_for(ENGINE)
    wanted = [
        {feature.name: value}
        for feature in subject.features.values()
        for value in (feature.type.values if feature.type.kind == "enum" else (False, True))
        if feature.type.kind != "int"
    ]
    models = [m for w in wanted if (m := realiser.realise(subject, w)) is not None]
    assert len(models) > len(wanted) // 2
    for model in models:
        for feature in fields:
            direct = getattr(model, str(feature.field))
            value = feature.get(model, ctx)
            assert direct == value
            assert hash(direct) == hash(value)
            assert isinstance(direct, str) == (feature.type.kind == "enum")


_WITH_NUMBERS = sorted(
    name
    for name, q in ENGINE.policy.questions.items()
    if any(isinstance(n, IntConst) for r in q.rules for n in walk(r.expanded))
    or any(
        isinstance(n, FactRef) and q.features[n.feature].type.kind == "int"
        for r in q.rules
        for n in walk(r.expanded)
    )
)


@pytest.mark.parametrize("question", _WITH_NUMBERS)
def test_answers_kept_per_class_of_features_are_those_of_every_rule_evaluated(
    question: str,
) -> None:
    q = ENGINE.policy.questions[question]
    # its memo starts empty, and fills as the test goes (the text as written: later law ends some)
    fresh = jurisdiction.load().at("2012-06-01")

    @compared_on(100)
    @given(fact_sets(ENGINE, q.subject))
    def same(facts: Any) -> None:
        try:
            decision = fresh.decide(facts, question)
        except jurisdiction.JurisdictionError:
            return
        assert frozenset(decision.rules_fired) == fresh.holding(q, facts)

    same()
    assert _WITH_NUMBERS


def test_the_sub_nodes_looked_up_by_class_are_those_the_isinstance_chain_gives() -> None:
    from jurisdiction.language import conditions as nodes

    classes = {
        obj
        for obj in vars(nodes).values()
        if isinstance(obj, type) and dataclasses.is_dataclass(obj) and obj is not nodes.Span
    }
    assert classes <= set(nodes._CHILDREN)  # every class of node is looked up, none falls back
    seen: set[type] = set()
    policy = ENGINE.policy
    for question in policy.questions.values():
        for rule in question.rules:
            for tree in (rule.condition, rule.expanded):
                for node in walk(tree):
                    seen.add(type(node))
                    assert nodes.children(node) == nodes._children_of(node)
    assert {nodes.And, nodes.Or, nodes.Not, nodes.Compare, nodes.FactRef} <= seen


def test_reaches_finds_a_class_of_node_as_walking_every_node_does() -> None:
    from jurisdiction.language import conditions as nodes

    classes = [cls for cls in nodes._CHILDREN if cls is not nodes.Span]
    trees = [r.expanded for q in ENGINE.policy.questions.values() for r in q.rules]
    trees += [r.condition for q in ENGINE.policy.questions.values() for r in q.rules]
    found = 0
    for cls in classes:
        every = [any(isinstance(n, cls) for n in walk(tree)) for tree in trees]
        assert [nodes.reaches([tree], cls) for tree in trees] == every, cls.__name__
        assert nodes.reaches(trees, cls) == any(every), cls.__name__
        found += any(every)
    assert found >= 6  # classes present and absent were both tried
    assert found < len(classes)
