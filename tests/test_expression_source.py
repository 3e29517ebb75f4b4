"""A feature's expression as Python source computes what its closure computes.

The specialised function of a question (``engine.specialise``) reads a computed feature by its
expression's source (``language.expressions.source``), not by calling its closure. For every
feature of every subject of the bundled policy and of each example policy, on drawn fact sets
(hypothesis's, as of 2012-06-01 and today), the source's value must be the closure's — the
same value, not merely an equal one, since the tree tests booleans with ``is``.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from pydantic import BaseModel

import jurisdiction
from drawn_settings import compared_on
from jurisdiction.language.expressions import Names
from jurisdiction.testing import facts

EXAMPLES = 200 if os.environ.get("JURISDICTION_FULL") else 25
ROOT = Path(__file__).resolve().parent.parent / "examples"
POLICIES = [None, *sorted(p.parent.name for p in ROOT.glob("*/policy.yaml"))]
DAYS = ("2012-06-01", datetime.date.today().isoformat())


def _compiled(code: Any) -> tuple[Any, str]:
    scope: dict[str, Any] = {}
    text = code("m", "ctx", Names(scope))
    exec(compile(f"def get(m, ctx):\n    return {text}\n", "<feature>", "exec"), scope)
    return scope["get"], text


@pytest.mark.parametrize("day", DAYS)
@pytest.mark.parametrize("name", POLICIES, ids=lambda n: n or "bundled")
def test_every_feature_s_source_computes_what_its_closure_does(name: str | None, day: str) -> None:
    engine = (jurisdiction.load() if name is None else jurisdiction.load(ROOT / name)).at(day)
    ctx = engine.context
    compared = 0
    for subject in engine.policy.subjects.values():
        pairs = [
            (f.name, f.get, *_compiled(f.code))
            for f in subject.features.values()
            if f.code is not None
        ]
        compared += len(pairs)
        _alike(pairs, facts(engine, subject.name), ctx)
    assert compared, "no feature of the policy has a source"


def _alike(pairs: list[tuple[str, Any, Any, str]], strategy: Any, ctx: Any) -> None:
    @compared_on(EXAMPLES)
    @given(strategy)
    def same(model: BaseModel) -> None:
        for feature, closure, generated, text in pairs:
            want, got = closure(model, ctx), generated(model, ctx)
            assert type(got) is type(want), (feature, text, want, got)
            assert got == want, (feature, text, want, got)

    same()


def test_a_computed_feature_reads_as_source_not_as_a_call_of_its_closure() -> None:
    """The bundled policy's computed features are of the kinds that have a source: the text
    calls no closure of an expression (a function of the place hierarchy, such as the form of
    a code, it may call)."""
    engine = jurisdiction.load()
    computed = [
        f for s in engine.policy.subjects.values() for f in s.features.values() if f.field is None
    ]
    assert computed
    calls = []
    for f in computed:
        assert f.code is not None, f.name
        scope: dict[str, Any] = {}
        f.code("m", "ctx", Names(scope))
        calls += [
            f"{f.name}: {value.__qualname__}"
            for value in scope.values()
            if callable(value) and value.__module__.startswith(CLOSURES)
        ]
    assert calls == [], f"features read through a call of a closure: {calls}"


CLOSURES = (
    "jurisdiction.language.expressions",
    "jurisdiction.policy",
    "jurisdiction.language.aggregates",
)
