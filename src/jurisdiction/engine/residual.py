"""A question's conditions with some features' values known: what is left of them to decide.

The specialised function of a question whose classes of feature values are too many to
enumerate (``engine.specialise``) is grown as a tree over the features themselves: a node
knows the values of the features tested on its path and holds what is left of each rule's
condition once they are put in (``assign``); a node where every condition is left true or false
is a leaf, the plan of that set of rules. Only folded conditions occur here (parameters bound,
definitions expanded: the compiler's ``_fold``): constants, features, comparisons of features
with constants or with each other, membership in a list of constants, ``not``, ``and``, ``or``.

Values are put in exactly as the compiled program compares them (``language.compile``): the
same Python operators on the same values, so a condition left true here holds for the program.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..language.compile import COMPARE_OPS, fold_junction
from ..language.conditions import (
    And,
    BoolConst,
    Compare,
    Expr,
    FactRef,
    InSet,
    IntConst,
    Not,
    Or,
    StrConst,
    Term,
    walk,
)

__all__ = ["assign", "decided", "mentions"]

TRUE, FALSE = BoolConst(True), BoolConst(False)


def assign(expr: Expr, feature: str, value: Any, memo: dict[int, Expr]) -> Expr:
    """``expr`` with ``feature`` known to be ``value``, folded. ``memo`` (by node identity, for
    the nodes a condition has in common with others) is the caller's, one per value put in."""
    found = memo.get(id(expr))
    if found is None:
        found = memo[id(expr)] = _assign(expr, feature, value, memo)
    return found


def _assign(expr: Expr, feature: str, value: Any, memo: dict[int, Expr]) -> Expr:
    if isinstance(expr, BoolConst):
        return expr
    if isinstance(expr, FactRef):
        return (TRUE if value else FALSE) if expr.feature == feature else expr
    if isinstance(expr, Compare):
        left, right = _term(expr.left, feature, value), _term(expr.right, feature, value)
        if left is expr.left and right is expr.right:
            return expr
        if isinstance(left, FactRef) or isinstance(right, FactRef):
            return Compare(left, expr.op, right, expr.span)
        return TRUE if COMPARE_OPS[expr.op](_value(left), _value(right)) else FALSE
    if isinstance(expr, InSet):
        term = expr.term
        if not isinstance(term, FactRef) or term.feature != feature:
            return expr
        return TRUE if value in {v.value for v in expr.values} else FALSE
    if isinstance(expr, Not):
        item = assign(expr.item, feature, value, memo)
        if isinstance(item, BoolConst):
            return FALSE if item.value else TRUE
        return expr if item is expr.item else Not(item, expr.span)
    if isinstance(expr, And | Or):
        return fold_junction(expr, (assign(i, feature, value, memo) for i in expr.items))
    raise TypeError(f"not a folded condition: {expr!r}")


def _term(term: Term, feature: str, value: Any) -> Term:
    if not isinstance(term, FactRef) or term.feature != feature:
        return term
    if isinstance(value, bool):
        return BoolConst(value, term.span)
    if isinstance(value, int):
        return IntConst(value, term.span)
    return StrConst(value, term.span)


def _value(term: Term) -> Any:
    assert isinstance(term, IntConst | StrConst | BoolConst)  # folded: no parameter is left
    return term.value


def decided(conditions: Iterable[Expr]) -> int | None:
    """The rules that hold, as a bit mask, where every condition is left true or false; else
    None."""
    mask = 0
    for i, c in enumerate(conditions):
        if not isinstance(c, BoolConst):
            return None
        if c.value:
            mask |= 1 << i
    return mask


def mentions(expr: Expr) -> frozenset[str]:
    """The features a condition still reads."""
    return frozenset(n.feature for n in walk(expr) if isinstance(n, FactRef))
