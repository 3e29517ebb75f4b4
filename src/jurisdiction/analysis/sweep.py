"""Which rules hold, class after class of a partition, evaluating each rule once per region.

A partition decides every class of a product of splits; asking the engine which rules hold for
each class evaluates every rule for every class, so a question whose rules cut a whole number at
T thresholds costs T rules times 2T classes. But a rule's truth is constant over a class of its
*own* splits: a rule that compares a whole number with two thresholds has five regions of it
(below, at, between, at, above), whatever the other rules cut. So a sweep keeps the set of rules
holding from one class to the next and re-evaluates only the rules the step can change — those
reading a boolean or enum that changed, and those with a threshold between the old and the new
whole number — each once per region of its own (remembered), on the class's witness, with the
engine's compiled condition for the city's parameter values; where a step changes a quarter of
the rules or more, the engine runs them all at once instead (cheaper for a handful of rules). The
cost grows with the rules' thresholds and the classes, not with their product.

It answers only where that is exact: every feature a rule reads is one of the splits, no two
whole numbers are compared with each other (a relational split is representative, not uniform),
the engine evaluates with its compiled closures, and the witness is decided with the city's
values (a witness in a district whose overlay changes the question is asked of the engine).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from ..engine.engine import Engine
from ..language.compile import Predicate, compile_predicate
from ..language.conditions import Expr, FactRef, walk
from ..policy.model import Question

__all__ = ["RuleSweep"]

Thresholds = Callable[[Expr], tuple[Mapping[str, set[int]], set[str]]]
"""The thresholds a condition compares each whole-number feature with, and the features it
compares with another (``partition.int_thresholds`` for one rule)."""


class _Kind(Protocol):
    @property
    def kind(self) -> str: ...


class _Split(Protocol):
    @property
    def feature(self) -> str: ...
    @property
    def type(self) -> _Kind: ...
    @property
    def relational(self) -> bool: ...


class RuleSweep:
    """The rules holding for each class of one question's partition, in the order met."""

    def __init__(
        self, engine: Engine, question: Question, split_list: Sequence[_Split], reads: list[Any]
    ) -> None:
        self._engine = engine
        self._question = question
        self._ids = [r.id for r in question.rules]
        self._reads = reads  # per rule: ((position, thresholds or None), ...)
        self._readers: dict[int, list[int]] = {}
        self._at: dict[int, tuple[list[int], list[int]]] = {}  # position: thresholds, rules
        for n, read in enumerate(reads):
            for position, thresholds in read:
                if thresholds is None:
                    self._readers.setdefault(position, []).append(n)
        points: dict[int, list[tuple[int, int]]] = {}
        for n, read in enumerate(reads):
            for position, thresholds in read:
                for t in thresholds or ():
                    points.setdefault(position, []).append((t, n))
        for position, pairs in points.items():
            pairs.sort()
            self._at[position] = ([t for t, _ in pairs], [n for _, n in pairs])
        self._whole = {i for i, s in enumerate(split_list) if s.type.kind == "int"}
        # the first class evaluates every rule; later ones only those a step can change
        self._predicates: dict[int, Predicate] = {}
        self._truth: dict[tuple[int, tuple[Any, ...]], bool] = {}
        self._previous: tuple[Any, ...] | None = None
        self._holding: set[int] = set()

    @classmethod
    def of(
        cls,
        engine: Engine,
        question: Question,
        split_list: Sequence[_Split],
        thresholds_of: Thresholds,
    ) -> RuleSweep | None:
        """The sweep of ``question``'s partition over ``split_list``, or None where it would not
        be exact (see the module's doc): the engine is then asked class by class."""
        if engine.evaluator != "compiled" or any(s.relational for s in split_list):
            return None
        position = {s.feature: i for i, s in enumerate(split_list)}
        reads: list[Any] = []
        for rule in question.rules:
            read = {n.feature for n in walk(rule.expanded) if isinstance(n, FactRef)}
            if not read <= position.keys():
                return None
            thresholds, relational = thresholds_of(rule.expanded)
            if relational:
                return None
            reads.append(
                tuple(
                    (
                        position[f],
                        tuple(sorted(thresholds.get(f, ())))
                        if split_list[position[f]].type.kind == "int"
                        else None,
                    )
                    for f in sorted(read)
                )
            )
        return cls(engine, question, split_list, reads)

    def holding(self, combo: tuple[Any, ...], facts: Any) -> frozenset[str] | None:
        """The ids of the rules that hold for this class (``facts`` its witness), or None when
        the witness is decided with a district's values: ask the engine."""
        compiled = self._engine._compiled_for(self._question, facts)  # the program decide runs
        if compiled.district is not None:
            self._previous = None
            return None
        previous = self._previous
        if previous is None:
            recheck: set[int] | range = range(len(self._ids))
        else:
            recheck = set()
            for i, (a, b) in enumerate(zip(previous, combo, strict=True)):
                if a == b:
                    continue
                recheck.update(self._readers.get(i, ()))
                if i in self._whole and i in self._at:
                    low, high = sorted((a.low, b.low))
                    points, rules = self._at[i]
                    recheck.update(rules[bisect_left(points, low) : bisect_right(points, high)])
        self._previous = combo
        if len(recheck) * 4 >= len(self._ids):  # most rules to ask again: one run of them all
            found = self._engine.holding(self._question, facts)
            self._holding = {n for n, rule in enumerate(self._ids) if rule in found}
            return found
        for n in recheck:
            if self._holds(n, combo, facts, compiled.params):
                self._holding.add(n)
            else:
                self._holding.discard(n)
        return frozenset(self._ids[n] for n in self._holding)

    def _holds(self, n: int, combo: tuple[Any, ...], facts: Any, params: Mapping[str, Any]) -> bool:
        key = (n, tuple(_region(combo[p], ts) for p, ts in self._reads[n]))
        found = self._truth.get(key)
        if found is None:
            predicate = self._predicates.get(n)
            if predicate is None:
                engine = self._engine
                rule = self._question.rules[n]
                features = engine.policy.subjects[self._question.subject].features
                predicate = compile_predicate(rule.expanded, features, params)
                self._predicates[n] = predicate
            found = self._truth[key] = predicate(facts, self._engine.context)
        return found


def _region(value: Any, thresholds: tuple[int, ...] | None) -> Any:
    """Where a class value lies among a rule's own thresholds: below how many, and on one or
    not (an interval of the partition never straddles a threshold); other values as they are."""
    if thresholds is None:
        return value
    i = bisect_left(thresholds, value.low)
    return (i, i < len(thresholds) and thresholds[i] == value.low)
