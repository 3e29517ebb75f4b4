"""Compiling a condition tree into a Python closure: the default evaluator's fast path.

Parameters are substituted once, at compile time; features are read through their getters.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any

from ._conditions import (
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
    StrConst,
    Term,
)
from ._subjects import SUBJECTS, Context

__all__ = ["Predicate", "compile_predicate"]

Predicate = Callable[[Any, Context], bool]
_Value = Callable[[Any, Context], Any]

_OPS: Mapping[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def _const(value: Any) -> _Value:
    return lambda _f, _c: value


def _term(term: Term, subject: str, params: Mapping[str, int | bool | str]) -> _Value:
    if isinstance(term, FactRef):
        getter: _Value = SUBJECTS[subject].features[term.feature].get
        return getter
    if isinstance(term, ParamRef):
        return _const(params[term.name])
    if isinstance(term, IntConst | StrConst | BoolConst):
        return _const(term.value)
    raise TypeError(f"not a term: {term!r}")  # pragma: no cover - the type checker forbids it


def compile_predicate(
    expr: Expr, subject: str, params: Mapping[str, int | bool | str]
) -> Predicate:
    """A closure that evaluates ``expr`` (already expanded: no DefRef) on a fact set."""
    if isinstance(expr, BoolConst):
        value = expr.value
        return lambda _f, _c: value
    if isinstance(expr, FactRef):
        get = _term(expr, subject, params)
        return lambda f, c: bool(get(f, c))
    if isinstance(expr, Not):
        inner = compile_predicate(expr.item, subject, params)
        return lambda f, c: not inner(f, c)
    if isinstance(expr, And):
        parts = tuple(compile_predicate(i, subject, params) for i in expr.items)
        return lambda f, c: all(p(f, c) for p in parts)
    if isinstance(expr, Or):
        parts = tuple(compile_predicate(i, subject, params) for i in expr.items)
        return lambda f, c: any(p(f, c) for p in parts)
    if isinstance(expr, Compare):
        left = _term(expr.left, subject, params)
        right = _term(expr.right, subject, params)
        op = _OPS[expr.op]
        return lambda f, c: op(left(f, c), right(f, c))
    if isinstance(expr, InSet):
        get = _term(expr.term, subject, params)
        values = frozenset(v.value for v in expr.values)
        return lambda f, c: get(f, c) in values
    if isinstance(expr, DefRef):
        raise TypeError(f"definition `{expr.name}` was not expanded before compiling")
    raise TypeError(f"not a condition: {expr!r}")  # pragma: no cover
