"""The realiser's check that a feature takes a value, generated from the feature's source,
answers as the feature's closure does.

The search tests a wanted feature value on every candidate it builds (``realise._equals``):
a function generated from the feature's expression as source, not a call of its closure. For
every feature of every subject of the bundled policy, each of its values (a boolean's both, an
enum's every value, a whole number's bounds and a range of them), on drawn fact sets, the
generated check must say what the closure's says (``realise._closure_equals``); and so must
each constraint's check, generated from its condition's source (``realise._generated_holds``,
and the model's validator's, ``fact_models._generated``).
"""

from __future__ import annotations

from typing import Any

from hypothesis import given
from pydantic import BaseModel

import jurisdiction
from drawn_settings import compared_on
from jurisdiction.analysis import realise
from jurisdiction.policy import fact_models
from jurisdiction.testing import facts


def _wanted(feature: Any) -> list[Any]:
    ftype = feature.type
    if ftype.kind == "bool":
        return [True, False]
    if ftype.kind == "enum":
        return list(ftype.values)
    low, high = ftype.minimum, ftype.maximum
    return [low, high, range(low, high + 1), range(low, low + 1)]


def test_every_target_check_answers_as_the_feature_s_closure() -> None:
    engine = jurisdiction.load().at("2012-06-01")
    ctx = engine.context
    generated = 0
    for subject in engine.policy.subjects.values():
        checks = []
        for feature in subject.features.values():
            for value in _wanted(feature):
                ours = realise._equals(feature, value, ctx)
                theirs = realise._closure_equals(feature.get, value, ctx)
                generated += ours.__code__.co_filename == "<realiser check>"
                checks.append((feature.name, value, ours, theirs))
        for constraint in subject.constraints:
            assert constraint.code is not None, constraint.text
            ours = realise._generated_holds(constraint.code)
            checks.append((constraint.text, None, ours, realise._holds(constraint.holds)))
            model_s = fact_models._generated(constraint.code)  # what validating a model tests
            checks.append(
                (constraint.text, "model", _truth(model_s), realise._holds(constraint.holds))
            )
            generated += 1
        _alike(checks, facts(engine, subject.name))
    assert generated, "no check was generated from a feature's source"
    assert any(s.constraints for s in engine.policy.subjects.values())


def _truth(get: Any) -> Any:
    return lambda model: bool(get(model, None))


def _alike(checks: list[tuple[str, Any, Any, Any]], strategy: Any) -> None:
    @compared_on(25)
    @given(strategy)
    def same(model: BaseModel) -> None:
        for name, value, ours, theirs in checks:
            want, got = theirs(model), ours(model)
            assert type(got) is bool, (name, value, got)
            assert got == want, (name, value, want, got)

    same()
