"""Compiling condition trees into Python closures: the default evaluator's fast path.

A question compiles into one :class:`Program`: parameters are substituted and constants folded
once; each feature the question's rules read is computed once per fact set (by the subject's
getter, as every evaluator reads it), into a list of values; a sub-condition that several rules
share — typically the question's scope, which is inlined into every rule — is evaluated once
into that list too; then each rule is a closure over the list. ``Program.mask`` gives the rules
that hold as a bit mask: bit ``i`` is rule ``i`` of the rules the program was compiled from.

Evaluation reads every feature and shared sub-condition eagerly; features are total functions
of valid facts, so this gives the same answers as short-circuit evaluation.
"""

from __future__ import annotations

import operator
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from .conditions import (
    And,
    BoolConst,
    Compare,
    DefRef,
    Expr,
    FactRef,
    InSet,
    IntConst,
    Not,
    Or,
    ParamRef,
    ParamValues,
    StrConst,
    Term,
    walk,
)
from .subjects import Context, Feature

__all__ = ["Predicate", "Program", "compile_predicate", "compile_question"]

Predicate = Callable[[Any, Context], bool]
Values = list[Any]
_Cond = Callable[[Values], Any]
Getter = Callable[[Any, Context], Any]

COMPARE_OPS: Mapping[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
"""The Python operator of each comparison, as compiled programs compare values (and whatever
folds a condition with values put in, so that it holds for the program)."""
_FLIPPED = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


def _true(_v: Values) -> bool:
    return True


def _false(_v: Values) -> bool:
    return False


@dataclass(frozen=True, slots=True)
class Program:
    """A question's rules, compiled: the features to read, shared steps, one closure per rule.

    ``cuts`` makes classes of feature values: for each whole-number feature compared only with
    constants, the points where some comparison changes its truth; two fact sets whose features
    agree but for whole numbers between the same cuts have the same rules holding (the engine
    keeps one answer per class). A whole number compared with another feature keeps its value.
    """

    fields: Callable[[Any], tuple[Any, ...]] | None  # reads the features that are attributes
    getters: tuple[Getter, ...]  # ... and these compute the others
    steps: tuple[_Cond, ...]
    rules: tuple[tuple[int, _Cond], ...]  # (bit, condition)
    cuts: tuple[tuple[int, tuple[int, ...]], ...] = ()  # (index of a feature, its cut points)
    names: tuple[str, ...] = ()  # the features ``values`` gives, in its order

    def values(self, facts: Any, ctx: Context) -> Values:
        """The features the rules read: those ``fields`` reads, then those of ``getters``."""
        values = list(self.fields(facts)) if self.fields is not None else []
        for get in self.getters:
            values.append(get(facts, ctx))
        return values

    def mask_of(self, values: Values) -> int:
        """The rules that hold, as a bit mask, for these feature values (extended in place)."""
        for step in self.steps:
            values.append(step(values))
        mask = 0
        for bit, cond in self.rules:
            if cond(values):
                mask |= bit
        return mask

    def mask(self, facts: Any, ctx: Context) -> int:
        """The rules whose condition holds for ``facts``, as a bit mask."""
        return self.mask_of(self.values(facts, ctx))

    def class_of(self, values: Values) -> tuple[Any, ...]:
        """The class of these feature values: its fact sets have the same rules holding."""
        if not self.cuts:
            return tuple(values)
        key = list(values)
        for i, cuts in self.cuts:
            key[i] = bisect_right(cuts, key[i])
        return tuple(key)


def compile_question(
    conditions: Sequence[Expr],
    features: Mapping[str, Feature],
    params: ParamValues,
) -> Program:
    """A program evaluating ``conditions`` (expanded: no DefRef) over a subject's ``features``;
    bit ``i`` is ``conditions[i]``."""
    folded = [_fold(c, params) for c in conditions]
    return _Compiler(features, folded).program()


def compile_predicate(
    expr: Expr,
    features: Mapping[str, Feature],
    params: ParamValues,
) -> Predicate:
    """A closure that tells whether one condition holds for a fact set."""
    program = compile_question([expr], features, params)
    return lambda facts, ctx: program.mask(facts, ctx) == 1


# --- constant folding ------------------------------------------------------------------------


def _fold(expr: Expr, params: ParamValues) -> Expr:
    """``expr`` with parameters substituted, and what constants decide decided."""
    if isinstance(expr, BoolConst | FactRef):
        return expr
    if isinstance(expr, Compare):
        left, right = _bind(expr.left, params), _bind(expr.right, params)
        if isinstance(left, FactRef) or isinstance(right, FactRef):
            return Compare(left, expr.op, right, expr.span)
        return BoolConst(COMPARE_OPS[expr.op](left.value, right.value))
    if isinstance(expr, InSet):
        term = _bind(expr.term, params)
        if isinstance(term, FactRef):
            return InSet(term, expr.values, expr.span)
        return BoolConst(term.value in {v.value for v in expr.values})
    if isinstance(expr, Not):
        item = _fold(expr.item, params)
        return BoolConst(not item.value) if isinstance(item, BoolConst) else Not(item, expr.span)
    if isinstance(expr, And | Or):
        return _fold_junction(expr, params)
    if isinstance(expr, DefRef):
        raise TypeError(f"definition `{expr.name}` was not expanded before compiling")
    raise TypeError(f"not a condition: {expr!r}")  # pragma: no cover - the type checker forbids it


def _fold_junction(expr: And | Or, params: ParamValues) -> Expr:
    return fold_junction(expr, (_fold(i, params) for i in expr.items))


_TRUE, _FALSE = BoolConst(True), BoolConst(False)


def fold_junction(expr: And | Or, parts: Iterable[Expr]) -> Expr:
    """``and`` or ``or`` of its items once each is folded (``parts``, read only as far as a
    decisive constant): decided, its one undecided item, or the undecided ones (``expr`` itself
    when every item is left as it was)."""
    decisive = isinstance(expr, Or)  # the constant that decides it: true for or, false for and
    items: list[Expr] = []
    for item in parts:
        if isinstance(item, BoolConst):
            if item.value == decisive:
                return _TRUE if decisive else _FALSE
            continue
        items.append(item)
    if not items:
        return _FALSE if decisive else _TRUE
    if len(items) == 1:
        return items[0]
    if len(items) == len(expr.items) and all(map(operator.is_, items, expr.items)):
        return expr
    return type(expr)(tuple(items), expr.span)


def _bind(term: Term, params: ParamValues) -> FactRef | IntConst | StrConst | BoolConst:
    if not isinstance(term, ParamRef):
        return term
    value = params[term.name]
    if isinstance(value, bool):
        return BoolConst(value, term.span)
    if isinstance(value, int):
        return IntConst(value, term.span)
    if isinstance(value, tuple):  # several code prefixes: the type checker keeps them out of rules
        raise TypeError(f"`{term}` is several code prefixes, not a value a rule compares")
    return StrConst(value, term.span)


# --- closures --------------------------------------------------------------------------------


def _compare_const(i: int, op: str, c: Any) -> _Cond:
    if op == "==":
        return lambda v: v[i] == c
    if op == "!=":
        return lambda v: v[i] != c
    if op == "<":
        return lambda v: v[i] < c
    if op == "<=":
        return lambda v: v[i] <= c
    if op == ">":
        return lambda v: v[i] > c
    return lambda v: v[i] >= c


def _all(parts: tuple[_Cond, ...]) -> _Cond:
    if len(parts) == 2:
        a, b = parts
        return lambda v: a(v) and b(v)
    if len(parts) == 3:
        a, b, c = parts
        return lambda v: a(v) and b(v) and c(v)
    return lambda v: all(p(v) for p in parts)


def _any(parts: tuple[_Cond, ...]) -> _Cond:
    if len(parts) == 2:
        a, b = parts
        return lambda v: a(v) or b(v)
    if len(parts) == 3:
        a, b, c = parts
        return lambda v: a(v) or b(v) or c(v)
    return lambda v: any(p(v) for p in parts)


def _count_uses(expr: Expr, uses: Counter[Expr]) -> None:
    """Count the places each sub-condition is used, looking inside each distinct one once."""
    uses[expr] += 1
    if uses[expr] > 1:
        return
    if isinstance(expr, Not):
        _count_uses(expr.item, uses)
    elif isinstance(expr, And | Or):
        for item in expr.items:
            _count_uses(item, uses)


class _Compiler:
    def __init__(self, features: Mapping[str, Feature], conditions: Sequence[Expr]) -> None:
        self.features = features
        self.conditions = conditions
        read = dict.fromkeys(
            n.feature for c in conditions for n in walk(c) if isinstance(n, FactRef)
        )
        # features that are attributes of the facts are read together, in one call
        self.fields = [n for n in read if self.features[n].field is not None]
        if len(self.fields) < 2:
            self.fields = []
        others = [n for n in read if n not in self.fields]
        self.slot = {name: i for i, name in enumerate([*self.fields, *others])}
        self.computed = others
        # a compound sub-condition used in more than one place is evaluated once per fact set
        uses: Counter[Expr] = Counter()
        for c in conditions:
            _count_uses(c, uses)
        self.repeated = {n for n, k in uses.items() if k > 1 and isinstance(n, And | Or | Not)}
        self.shared: dict[Expr, int] = {}
        self.steps: list[_Cond] = []

    def program(self) -> Program:
        rules = tuple((1 << i, self.cond(c)) for i, c in enumerate(self.conditions))
        getters = tuple(self.features[name].get for name in self.computed)
        attributes = [self.features[name].field or name for name in self.fields]
        fields = attrgetter(*attributes) if attributes else None
        names = (*self.fields, *self.computed)
        return Program(fields, getters, tuple(self.steps), rules, self.cuts(), names)

    def cuts(self) -> tuple[tuple[int, tuple[int, ...]], ...]:
        """Cut points of the whole-number features that are compared with constants only."""
        points: dict[str, set[int]] = {
            name: set() for name in self.slot if self.features[name].type.kind == "int"
        }
        for node in (n for c in self.conditions for n in walk(c)):
            if isinstance(node, Compare):
                facts = [t for t in (node.left, node.right) if isinstance(t, FactRef)]
                consts = [t for t in (node.left, node.right) if isinstance(t, IntConst)]
            elif isinstance(node, InSet):
                facts = [node.term] if isinstance(node.term, FactRef) else []
                consts = [v for v in node.values if isinstance(v, IntConst)]
            else:
                continue
            if len(facts) > 1:  # two features compared: their values are kept as they are
                for f in facts:
                    points.pop(f.feature, None)
                continue
            for f in facts:
                if f.feature in points:
                    points[f.feature].update(p for c in consts for p in (c.value, c.value + 1))
        return tuple((self.slot[name], tuple(sorted(cut))) for name, cut in points.items())

    def cond(self, expr: Expr) -> _Cond:
        if expr not in self.repeated:
            return self.build(expr)
        index = self.shared.get(expr)
        if index is None:
            step = self.build(expr)
            index = len(self.slot) + len(self.steps)
            self.steps.append(step)
            self.shared[expr] = index
        return lambda v: v[index]

    def build(self, expr: Expr) -> _Cond:
        if isinstance(expr, BoolConst):
            return _true if expr.value else _false
        if isinstance(expr, FactRef):
            i = self.slot[expr.feature]
            return lambda v: v[i]
        if isinstance(expr, Compare):
            return self.compare(expr)
        if isinstance(expr, InSet):
            assert isinstance(expr.term, FactRef)  # folded
            i = self.slot[expr.term.feature]
            values = frozenset(v.value for v in expr.values)
            return lambda v: v[i] in values
        if isinstance(expr, Not):
            inner = self.cond(expr.item)
            return lambda v: not inner(v)
        if isinstance(expr, And):
            return _all(tuple(self.cond(i) for i in expr.items))
        if isinstance(expr, Or):
            return _any(tuple(self.cond(i) for i in expr.items))
        raise TypeError(f"not a condition: {expr!r}")  # pragma: no cover

    def compare(self, expr: Compare) -> _Cond:
        left, right = expr.left, expr.right
        op: str = expr.op
        if not isinstance(left, FactRef):
            left, op, right = right, _FLIPPED[op], left
        assert isinstance(left, FactRef)  # folded: one side at least reads a fact
        i = self.slot[left.feature]
        if isinstance(right, FactRef):
            j, compare = self.slot[right.feature], COMPARE_OPS[op]
            return lambda v: compare(v[i], v[j])
        assert isinstance(right, IntConst | StrConst | BoolConst)
        return _compare_const(i, op, right.value)
