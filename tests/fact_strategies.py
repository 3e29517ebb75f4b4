"""Hypothesis strategies for valid fact sets of any subject, for differential tests.

One helper, :func:`fact_sets`, on top of ``jurisdiction.testing``: its fact sets are derived
from the policy's declaration (fields built one by one, or the realiser's witnesses for random
consistent feature assignments, with fresh place codes — overlay districts among them, so that
overlay variants come up). ``focus`` names the features a test is about: every combination of
them that some fact set has is drawn evenly, the other features at random.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable, Sequence
from functools import cache

from hypothesis import strategies as st
from pydantic import BaseModel

from jurisdiction import Engine
from jurisdiction.analysis.partition import Realiser, realiser_for
from jurisdiction.language.subjects import FeatureValue
from jurisdiction.testing.strategies import facts

__all__ = ["fact_sets"]

Combination = tuple[tuple[str, FeatureValue], ...]


@cache
def _realiser(engine: Engine) -> Realiser:
    return realiser_for(engine)


@cache
def _combinations(engine: Engine, subject: str, focus: frozenset[str]) -> tuple[Combination, ...]:
    """The combinations of the focused boolean and enum features that some fact set has."""
    subj = engine.subjects[subject]
    names = [n for n, f in subj.features.items() if n in focus and f.type.kind != "int"]
    values = [
        (False, True) if subj.features[n].type.kind == "bool" else subj.features[n].type.values
        for n in names
    ]
    realiser = _realiser(engine)
    return tuple(
        tuple(zip(names, combo, strict=True))
        for combo in itertools.product(*values)
        if realiser.realise(subj, dict(zip(names, combo, strict=True))) is not None
    )


def _projected(
    engine: Engine,
    subject: str,
    focus: frozenset[str],
    classes: Iterable[Sequence[tuple[str, object]]],
) -> tuple[Combination, ...]:
    """The combinations of the focused boolean and enum features that the classes have."""
    subj = engine.subjects[subject]
    finite = {n for n, f in subj.features.items() if n in focus and f.type.kind != "int"}
    found: dict[Combination, None] = {}
    for values in classes:
        combo = tuple((n, v) for n, v in sorted(values) if n in finite)
        found[combo] = None  # type: ignore[index]  # class values are feature values
    realiser = _realiser(engine)  # those the drawing's quick search reaches, as above
    return tuple(c for c in found if realiser.realise(subj, dict(c)) is not None)


def fact_sets(
    engine: Engine,
    subject: str,
    focus: Collection[str] = (),
    classes: Iterable[Sequence[tuple[str, object]]] | None = None,
) -> st.SearchStrategy[BaseModel]:
    """Valid fact sets of ``subject``, spread over every consistent combination of features.

    ``focus`` names the features a test is about (those its question reads): their combinations
    are drawn evenly first, then the other features — so that rare combinations of the focused
    features come up as often as common ones. ``classes`` (a question's partition, each class's
    feature values) gives those combinations where a test has them already: the realiser then
    need not search the product of the focused features again.
    """
    combos = (
        _combinations(engine, subject, frozenset(focus))
        if classes is None
        else _projected(engine, subject, frozenset(focus), classes)
    )
    if not any(combos):  # nothing finite to focus on
        return facts(engine, subject)
    return st.sampled_from(combos).flatmap(lambda combo: facts(engine, subject, where=dict(combo)))
