"""Which rules hold, class after class of a partition, evaluating only the rules a step changes.

A partition decides every class of a product of splits; asking the engine which rules hold for
each class evaluates every rule for every class, so a question whose rules cut a whole number at
T thresholds costs T rules times 2T classes. But a rule's truth is constant over a class of its
*own* splits: a rule that compares a whole number with two thresholds has five regions of it
(below, at, between, at, above), whatever the other rules cut. So a sweep keeps the set of rules
holding from one class to the next and re-evaluates only the rules the step can change — those
reading a boolean or enum that changed, and those with a threshold between the old and the new
whole number — with the engine's compiled condition for the city's parameter values, on the
class's own values: every feature the rules read is a split, so the witness's features are the
class's values (a whole number any of its interval, which no rule's threshold cuts: its lowest
stands for it), and the features are not computed from the witness again. The cost grows with
the rules' thresholds and the classes, not with their product.

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
from ..language.compile import Program
from ..language.conditions import Expr, FactRef, walk
from ..policy.model import Question

__all__ = ["RuleSweep"]

Thresholds = Callable[[Expr], tuple[Mapping[str, set[int]], set[str]]]
"""The thresholds a condition compares each whole-number feature with, and the features it
compares with another (``partition.int_thresholds`` for one rule)."""


_Layout = tuple[list[tuple[int, bool]], list[Callable[[list[Any]], Any]], Program]
"""``RuleSweep._layout``: the program's features by split position, the rules' conditions."""


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
        self._position = {s.feature: i for i, s in enumerate(split_list)}
        # per program (kept with it, so its id is not reused): ``_layout``
        self._layouts: dict[int, _Layout] = {}
        # the first class evaluates every rule; later ones only those a step can change
        self._previous: tuple[Any, ...] | None = None
        self._holding: set[int] = set()  # the rules holding for the class before
        self._mask = 0  # … as bits (rule n: bit n), the key to their ids
        self._sets: dict[int, frozenset[str]] = {}  # the ids of each set of rules met

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
        program = compiled.program
        layout = self._layouts.get(id(program))
        if layout is None:
            layout = self._layout(program, [r.id for r in compiled.rules])
        slots, conds, _program = layout
        # the class's own values stand for the witness's: a whole number's interval by its
        # lowest (no rule's truth changes inside it), the others as they are
        values = [combo[p].low if whole else combo[p] for p, whole in slots]
        for step in program.steps:
            values.append(step(values))
        previous = self._previous
        recheck = range(len(self._ids)) if previous is None else self._changed(previous, combo)
        self._previous = combo
        holding, mask = self._holding, self._mask
        for n in recheck:
            if conds[n](values):
                if n not in holding:
                    holding.add(n)
                    mask |= 1 << n
            elif n in holding:
                holding.discard(n)
                mask ^= 1 << n
        self._mask = mask
        found = self._sets.get(mask)
        if found is None:
            found = self._sets[mask] = frozenset(self._ids[n] for n in holding)
        return found

    def _changed(self, previous: tuple[Any, ...], combo: tuple[Any, ...]) -> set[int]:
        """The rules a step from ``previous`` to ``combo`` can change: those reading a boolean
        or enum that changed, and those with a threshold between the old and new whole number."""
        recheck: set[int] = set()
        for i, (a, b) in enumerate(zip(previous, combo, strict=True)):
            if a == b:
                continue
            recheck.update(self._readers.get(i, ()))
            if i in self._whole and i in self._at:
                low, high = sorted((a.low, b.low))
                points, rules = self._at[i]
                recheck.update(rules[bisect_left(points, low) : bisect_right(points, high)])
        return recheck

    def _layout(self, program: Program, order: list[str]) -> _Layout:
        """Where the program's features are among the splits (and whether a whole number), and
        each rule's compiled condition in the question's order (``order``: the ids of the
        program's rules, bit by bit); kept per program, with it (so its id is not reused)."""
        position = self._position
        slots = [(position[name], position[name] in self._whole) for name in program.names]
        bit = {rule: i for i, rule in enumerate(order)}
        conds = [program.rules[bit[rule]][1] for rule in self._ids]
        found = self._layouts[id(program)] = (slots, conds, program)
        return found
