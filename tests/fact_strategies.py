"""Hypothesis strategies for valid fact sets of any subject, for differential tests.

One helper, :func:`fact_sets`, so that it can be swapped for ``jurisdiction.testing`` once that
lands. It draws a *feature assignment* — one of the combinations of boolean and enum features
that some valid fact set has (the subject's samples realise every one of them), plus whole
numbers concentrated at the policy's thresholds — and asks :func:`realize` for a fact set with
exactly those features. The districts of that fact set are then renamed at random among the
city's districts, the districts with an overlay included, so that overlay variants come up often;
renaming districts one-to-one changes no feature.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from functools import cache
from typing import Any

from hypothesis import assume
from hypothesis import strategies as st
from pydantic import BaseModel

from jurisdiction import Engine
from jurisdiction._conditions import Compare, FactRef, InSet, IntConst, ParamRef, walk
from jurisdiction._subjects import SUBJECTS, Context, FeatureValue, realize

__all__ = ["fact_sets"]


Vector = tuple[tuple[str, FeatureValue], ...]


@cache
def _vectors(subject: str, ctx: Context) -> tuple[Vector, ...]:
    """The distinct combinations of finite features that the subject's samples realise."""
    subj = SUBJECTS[subject]
    finite = [n for n, f in subj.features.items() if f.type.kind != "int"]
    found = {
        tuple((n, subj.features[n].get(model, ctx)) for n in finite)
        for model in (subj.model.model_validate(s) for s in subj.samples(ctx))
    }
    return tuple(sorted(found, key=repr))


def _thresholds(engine: Engine, subject: str) -> dict[str, set[int]]:
    """For each integer feature, every whole number a rule compares it with (all districts)."""
    policy = engine.policy
    tables = [policy.parameters, *(o.parameters for o in policy.overlays.values())]
    values: dict[str, set[int]] = {}
    for question in policy.questions.values():
        if question.subject != subject:
            continue
        for node in (n for r in question.rules for n in walk(r.expanded)):
            if not isinstance(node, Compare | InSet):
                continue
            terms = list(walk(node))
            numbers = {t.value for t in terms if isinstance(t, IntConst)}
            numbers |= {
                int(table[t.name].value)
                for t in terms
                if isinstance(t, ParamRef)
                for table in tables
                if t.name in table and table[t.name].type == "int"
            }
            for t in terms:
                if isinstance(t, FactRef):
                    values.setdefault(t.feature, set()).update(numbers)
    return values


def _integers(engine: Engine, subject: str) -> dict[str, st.SearchStrategy[int]]:
    subj = SUBJECTS[subject]
    found = _thresholds(engine, subject)
    out: dict[str, st.SearchStrategy[int]] = {}
    for name, feature in subj.features.items():
        if feature.type.kind != "int":
            continue
        low, high = feature.type.minimum, feature.type.maximum
        near = {low, high} | {t + d for t in found.get(name, ()) for d in (-1, 0, 1)}
        points = sorted(v for v in near if low <= v <= high)
        out[name] = st.one_of(st.sampled_from(points), st.integers(low, high))
    return out


def _rename(value: Any, districts: Mapping[str, str]) -> Any:
    if isinstance(value, str) and value.isdigit() and value[:6] in districts:
        return districts[value[:6]] + value[6:]
    if isinstance(value, dict):
        return {k: _rename(v, districts) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_rename(v, districts) for v in value]
    return value


def fact_sets(
    engine: Engine, subject: str, focus: Collection[str] = ()
) -> st.SearchStrategy[BaseModel]:
    """Valid fact sets of ``subject``, spread over every consistent combination of features.

    ``focus`` names the features a test is about (those its question reads): their combinations
    are drawn evenly first, then the other features — so that rare combinations of the focused
    features come up as often as common ones.
    """
    ctx = engine.context
    subj = SUBJECTS[subject]
    groups: dict[tuple[tuple[str, FeatureValue], ...], list[Vector]] = {}
    for vector in _vectors(subject, ctx):
        groups.setdefault(tuple(p for p in vector if p[0] in focus), []).append(vector)
    keys = sorted(groups, key=repr)
    integers = _integers(engine, subject)
    samples = [subj.model.model_validate(s) for s in subj.samples(ctx)]
    used = sorted(
        {
            v[:6]
            for m in samples
            for v in _flat(m.model_dump(mode="json"))
            if v.isdigit() and v.startswith(ctx.city_prefix)
        }
    )
    city = sorted(
        set(used) | set(engine.policy.overlays) | {ctx.city_prefix + f"010{i}" for i in (3, 5)}
    )

    @st.composite
    def draw(draw: st.DrawFn) -> BaseModel:
        key = draw(st.sampled_from(keys))
        assignment: dict[str, FeatureValue] = dict(draw(st.sampled_from(groups[key])))
        for name, strategy in integers.items():
            assignment[name] = draw(strategy)
        model = realize(subj, assignment, ctx)
        assume(model is not None)
        assert model is not None
        targets = draw(st.permutations(city))
        renamed = _rename(model.model_dump(mode="json"), dict(zip(used, targets, strict=False)))
        return subj.model.model_validate(renamed)

    return draw()


def _flat(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _flat(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _flat(v)]
    return []
