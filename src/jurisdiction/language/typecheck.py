"""Type-checking a condition tree against a subject's features and the policy's parameters."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from ..core.errors import suggest
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
    QuestionRef,
    Span,
    StrConst,
    Term,
)
from .subjects import FeatureType, Subject

__all__ = ["Problem", "typecheck"]

_ORDERING = {"<", "<=", ">", ">="}


@dataclass(frozen=True, slots=True)
class Problem:
    code: str
    message: str
    span: Span
    suggestion: str | None = None


@dataclass(frozen=True, slots=True)
class _Scope:
    subject: str
    params: Mapping[str, str]  # name -> parameter type
    definitions: Mapping[str, str]  # name -> subject
    subjects: Mapping[str, Subject]


def typecheck(
    expr: Expr,
    subject: str,
    params: Mapping[str, str],
    definitions: Mapping[str, str],
    subjects: Mapping[str, Subject],
) -> list[Problem]:
    """All problems of ``expr`` read as a condition about ``subject``."""
    return list(_condition(expr, _Scope(subject, params, definitions, subjects)))


def _condition(expr: Expr, scope: _Scope) -> Iterator[Problem]:
    if isinstance(expr, BoolConst):
        return
    if isinstance(expr, Not):
        yield from _condition(expr.item, scope)
    elif isinstance(expr, And | Or):
        for item in expr.items:
            yield from _condition(item, scope)
    elif isinstance(expr, DefRef):
        yield from _definition(expr, scope)
    elif isinstance(expr, FactRef):
        kind, problems = _term(expr, scope)
        yield from problems
        if kind is not None and kind.kind != "bool":
            yield Problem(
                "type-mismatch",
                f"`{expr}` is {kind}, not a condition; compare it with something",
                expr.span,
            )
    elif isinstance(expr, Compare):
        yield from _compare(expr, scope)
    elif isinstance(expr, InSet):
        yield from _in_set(expr, scope)
    elif isinstance(expr, QuestionRef):
        yield Problem(
            "type-mismatch",
            f"`{expr}` is another question's value; compare it with one of its values",
            expr.span,
        )
    else:  # the loader lifts every other node into a derived feature before this check
        yield Problem("type-mismatch", f"`{expr}` cannot be read here", expr.span)


def _definition(ref: DefRef, scope: _Scope) -> Iterator[Problem]:
    owner = scope.definitions.get(ref.name)
    if owner is None:
        yield Problem(
            "unknown-definition",
            f"unknown definition `{ref.name}` (a fact is `{scope.subject}.name`, "
            "a parameter `param.name`)",
            ref.span,
            suggest(ref.name, set(scope.definitions)),
        )
    elif owner != scope.subject:
        yield Problem(
            "type-mismatch",
            f"definition `{ref.name}` is about {owner}, this condition about {scope.subject}",
            ref.span,
        )


def _term(term: Term, scope: _Scope) -> tuple[FeatureType | None, list[Problem]]:
    if isinstance(term, FactRef):
        if term.subject != scope.subject:
            return None, [
                Problem(
                    "unknown-fact",
                    f"`{term}`: this condition reads facts of `{scope.subject}`",
                    term.span,
                    suggest(term.subject, {scope.subject, "param"}),
                )
            ]
        features = scope.subjects[scope.subject].features
        feature = features.get(term.feature)
        if feature is None:
            near = suggest(term.feature, set(features))
            return None, [
                Problem(
                    "unknown-fact",
                    f"unknown fact `{term}`; {scope.subject} has " + ", ".join(sorted(features)),
                    term.span,
                    f"{scope.subject}.{near}" if near else None,
                )
            ]
        return feature.type, []
    if isinstance(term, ParamRef):
        ptype = scope.params.get(term.name)
        if ptype is None:
            near = suggest(term.name, set(scope.params))
            return None, [
                Problem(
                    "unknown-parameter",
                    f"unknown parameter `{term}`",
                    term.span,
                    f"param.{near}" if near else None,
                )
            ]
        if ptype == "int":
            return FeatureType("int"), []
        if ptype == "bool":
            return FeatureType("bool"), []
        what = "a place-code prefix" if ptype == "code_prefix" else "a level for answers"
        return None, [
            Problem(
                "type-mismatch",
                f"`{term}` is {what}; conditions cannot read it",
                term.span,
            )
        ]
    if isinstance(term, IntConst):
        return FeatureType("int"), []
    if isinstance(term, BoolConst):
        return FeatureType("bool"), []
    return FeatureType("enum", (term.value,)), []


def _compare(expr: Compare, scope: _Scope) -> Iterator[Problem]:
    left, lp = _term(expr.left, scope)
    right, rp = _term(expr.right, scope)
    yield from lp
    yield from rp
    if left is None or right is None:
        return
    for side, other in ((expr.left, right), (expr.right, left)):
        if isinstance(side, StrConst) and other.kind == "enum" and len(other.values) > 1:
            yield from _enum_value(side, other)
            return
    if expr.op in _ORDERING and (left.kind != "int" or right.kind != "int"):
        yield Problem(
            "type-mismatch",
            f"`{expr.op}` compares whole numbers; `{expr}` compares {left} with {right}",
            expr.span,
        )
    elif left.kind != right.kind:
        yield Problem("type-mismatch", f"`{expr}` compares {left} with {right}", expr.span)


def _enum_value(const: StrConst, enum: FeatureType) -> Iterator[Problem]:
    if const.value not in enum.values:
        yield Problem(
            "unknown-value",
            f'"{const.value}" is not {enum}',
            const.span,
            suggest(const.value, set(enum.values)),
        )


def _in_set(expr: InSet, scope: _Scope) -> Iterator[Problem]:
    kind, problems = _term(expr.term, scope)
    yield from problems
    if kind is None:
        return
    for value in expr.values:
        if kind.kind == "enum" and isinstance(value, StrConst):
            yield from _enum_value(value, kind)
        elif not (kind.kind == "int" and isinstance(value, IntConst)):
            yield Problem(
                "type-mismatch",
                f"`{expr.term}` is {kind}; `{value}` cannot be one of it",
                value.span,
            )
