"""A body's level computed by an expression over the place it is at (``bodies.<kind>.level``).

A body's own level may depend on its place: a city government is province-level in a
municipality and prefecture-level elsewhere. The policy says so once, in the body's declaration:
an expression in the policy's language over ``body.place`` (the code of the place the body is
at), giving one of the level's declared ``values``. It is type-checked when the policy loads and
evaluated when a decision names the body.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..core.errors import Diagnostic
from ..core.text import Text
from ..language.conditions import ConditionSyntaxError, Span
from ..language.expressions import Resolver, Typed, VType, check
from ..language.parse import parse_expression
from ..language.typecheck import Problem
from .strict_yaml import LocatedDocument, Path_

__all__ = ["BodyLevel", "body_level"]

SUBJECT = "body"
"""The name an expression over a body's place reads it by: ``body.place``."""


@dataclass(frozen=True, slots=True)
class BodyLevel:
    """How a kind of body's level is found: ``expr`` over its place, giving one of ``values``."""

    expr: str
    get: Callable[[str, Any], Any] = field(compare=False, repr=False)  # compiled from ``expr``
    values: Mapping[str, Text] = field(default_factory=dict)

    def of(self, code: str, ctx: Any) -> tuple[str, Text] | None:
        """The level of the body at ``code`` and its name; None if the expression gives null."""
        value = self.get(code, ctx)
        return None if value is None else (value, self.values[value])


class _BodyPlace(Resolver):
    """Names in a body's level expression: ``body.place``, parameters and tables."""

    def __init__(self, base: Resolver) -> None:
        super().__init__(base.hierarchy, base.params, base.tables)
        self.enums = base.enums

    def member(self, subject: str, name: str, span: Span) -> tuple[Typed | None, list[Problem]]:
        if name == "place":
            return Typed(VType("place"), lambda o, _c: o), []
        return None, [
            Problem(
                "unknown-fact",
                f"`{subject}.{name}`: a body's level reads the place it is at, `body.place`",
                span,
                "place",
            )
        ]

    def names(self, subject: str) -> set[str]:
        return {"place"}


def body_level(
    expr: str,
    values: Mapping[str, Text],
    base: Resolver,
    doc: LocatedDocument,
    path: Path_,
) -> tuple[BodyLevel | None, list[Diagnostic]]:
    """The level of a kind of body, from its expression (at ``path`` of ``doc``); or the
    located problems: a syntax error, an unknown name, or a value that is not one of
    ``values`` (``body-level``)."""
    where: Path_ = (*path, "expr")
    try:
        node = parse_expression(expr)
    except ConditionSyntaxError as exc:
        at = doc.text_location(where, exc.span.line, exc.span.column)
        return None, [Diagnostic("condition-syntax", str(exc), at, None, where)]
    typed, found = check(node, SUBJECT, _BodyPlace(base), as_of=False)
    if found or typed is None:
        return None, [
            Diagnostic(
                p.code,
                p.message,
                doc.text_location(where, p.span.line, p.span.column),
                p.suggestion,
                where,
            )
            for p in found
        ]
    kind = typed.type
    listed = ", ".join(values)
    if kind.kind != "enum" or not set(kind.values) <= set(values):
        given = ", ".join(repr(v) for v in kind.values) if kind.kind == "enum" else str(kind)
        return None, [
            Diagnostic(
                "body-level",
                f"a body's level is one of its `values` ({listed}); the expression gives {given}",
                doc.location(where),
                None,
                where,
            )
        ]
    return BodyLevel(expr, typed.get, dict(values)), []
