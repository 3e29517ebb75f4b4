"""A change of ``diff`` named by one of the policy's own definitions, where that is exact.

``diff`` merges the classes of one change into products of feature values; a change whose
classes are those where a definition holds (a disjunction, say) is then several products — one
per disjunct — though the policy has a name for their union. Here each change is matched
against the definitions its question reads, and against their negations: when the change's
classes are exactly the compared classes where the definition holds (or does not), within the
smallest product that holds them all, the change is named by the definition, and the product
(less what the definition already says) is what is left to say.

Exact means over the compared classes: each definition a question reads is part of its rules'
conditions, so the question's splits cut every feature it reads at every threshold it compares
with, and its truth is constant over each class — deciding it on the class's witness decides it
for the class.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..engine.engine import Engine
from ..language.compile import compile_predicate
from ..language.conditions import FactRef, walk
from ..policy.model import Definition, Question
from .partition import ClassValue, Split
from .region import Region
from .usage import question_definitions

__all__ = ["Named", "Truths", "Witnessed", "name_region", "truths"]


@dataclass(frozen=True, slots=True)
class Named:
    """A change's classes: where ``definition`` holds (or, ``holds`` false, does not), within
    ``rest``."""

    definition: str
    holds: bool
    rest: Region

    @property
    def phrase(self) -> str:
        return self.definition if self.holds else f"not {self.definition}"


@dataclass(frozen=True, slots=True)
class Witnessed:
    """One compared class: its values, and its witness as each policy's engine read it (None
    where that policy refuses the fact set)."""

    values: tuple[tuple[str, ClassValue], ...]
    facts: tuple[Any, Any]


Truth = Callable[[Witnessed], bool]
"""Whether a definition holds on a class (decided on its witness)."""


def _definitions(
    engines: tuple[Engine, Engine], questions: tuple[Question, Question], features: set[str]
) -> list[tuple[str, set[str], Truth]]:
    """Each definition either policy's question reads (the new policy's, where both have one of
    the name: the same condition, else neither) whose features are all split, with how to decide
    it on a class (and the features it reads)."""
    found: dict[str, tuple[int, Definition]] = {}
    clash: set[str] = set()
    for side in (1, 0):
        engine, question = engines[side], questions[side]
        for name in question_definitions(engine.policy, question):
            definition = engine.policy.definitions[name]
            if definition.subject != question.subject:
                continue
            if name in found:
                if str(found[name][1].expanded) != str(definition.expanded):
                    clash.add(name)
                continue
            found[name] = (side, definition)
    out: list[tuple[str, set[str], Truth]] = []
    for name, (side, definition) in found.items():
        reads = {
            n.feature
            for n in walk(definition.expanded)
            if isinstance(n, FactRef) and n.subject == definition.subject
        }
        if name in clash or not reads <= features:
            continue
        engine = engines[side]
        params = {n: p.value for n, p in engine.policy.parameters.items()}
        subject = engine.policy.subjects[definition.subject].features
        predicate = compile_predicate(definition.expanded, subject, params)

        def truth(cls: Witnessed, predicate: Any = predicate, side: int = side) -> bool:
            facts = cls.facts[side]
            return facts is not None and bool(predicate(facts, engines[side].context))

        out.append((name, reads, truth))
    return out


def _bounding(regions: Sequence[Region]) -> Region:
    box = regions[0]
    for other in regions[1:]:
        box = box.join(other)
    return box


def _widened(box: Region, split_list: Sequence[Split], features: set[str]) -> Region:
    every = {s.feature: s.values for s in split_list}
    return Region(tuple((n, every[n] if n in features else vs) for n, vs in box.values))


def _restricted(box: Region, split_list: Sequence[Split]) -> int:
    every = {s.feature: set(s.values) for s in split_list}
    return sum(1 for n, vs in box.values if not set(vs) >= every[n])


Truths = list[tuple[str, set[str], list[bool]]]
"""Each candidate definition, the features it reads, and whether it holds on each compared
class."""


def truths(
    engines: tuple[Engine, Engine],
    questions: tuple[Question, Question],
    split_list: Sequence[Split],
    compared: Sequence[Witnessed],
) -> Truths:
    """Each definition the question reads that can name a region, decided on every compared
    class once (for all the question's changes)."""
    features = {s.feature for s in split_list}
    return [
        (name, reads, [truth(cls) for cls in compared])
        for name, reads, truth in _definitions(engines, questions, features)
    ]


def name_region(
    decided: Truths,
    split_list: Sequence[Split],
    compared: Sequence[Witnessed],
    changed: Sequence[bool],
    regions: Sequence[Region],
) -> Named | None:
    """The definition (or negation) that names the change whose classes are those of
    ``compared`` marked in ``changed`` (reported as ``regions``) — when that says it in fewer
    phrases than the regions do; else None."""
    box = _bounding(regions)
    count = sum(changed)
    best: tuple[int, Named] | None = None
    for name, reads, holds in decided:
        for positive in (True, False):
            if any(c and h != positive for c, h in zip(changed, holds, strict=True)):
                continue
            for rest in (_widened(box, split_list, reads), box):
                within = [
                    i
                    for i, cls in enumerate(compared)
                    if holds[i] == positive and rest.contains(cls.values)
                ]
                if len(within) == count and all(changed[i] for i in within):
                    cost = _restricted(rest, split_list)
                    if best is None or cost < best[0]:
                        best = (cost, Named(name, positive, rest))
                    break
    if best is None:
        return None
    if len(regions) == 1 and best[0] + 1 >= _restricted(regions[0], split_list):
        return None  # the one region says it as briefly
    return best[1]
