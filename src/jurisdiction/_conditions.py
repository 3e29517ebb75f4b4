"""The condition language: text → typed syntax tree, checked against a subject's features.

An analyst writes, for example::

    resident.hukou_in_city and resident.cross_street and childbearing_age
    unit.staff >= param.district_min_staff or unit.kind in ["organ", "institution"]

* ``subject.feature`` reads a feature of the facts (see ``jurisdiction._subjects``);
* ``param.name`` reads a named parameter of the policy;
* a bare ``name`` is a definition: a named condition declared in the policy;
* literals are whole numbers, ``"strings"`` (enum values), ``true`` and ``false``;
* ``== != < <= > >=``, ``in [...]``, ``not``, ``and``, ``or`` and parentheses.

The grammar is parsed by lark; nothing is ever ``eval``-ed. The tree is the one representation
that the checker, every evaluator and any future compiler (SQL) read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

__all__ = [
    "And",
    "BoolConst",
    "Compare",
    "ConditionSyntaxError",
    "DefRef",
    "Expr",
    "FactRef",
    "InSet",
    "IntConst",
    "Not",
    "Or",
    "ParamRef",
    "Span",
    "StrConst",
    "Term",
    "parse_condition",
    "walk",
]

CompareOp = Literal["==", "!=", "<", "<=", ">", ">="]


@dataclass(frozen=True, slots=True)
class Span:
    """Line and column (from 1) inside the condition text."""

    line: int
    column: int


_NOWHERE = Span(1, 1)


# --- terms: values that comparisons read -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FactRef:
    subject: str
    feature: str
    span: Span = field(default=_NOWHERE, compare=False, repr=False)

    def __str__(self) -> str:
        return f"{self.subject}.{self.feature}"


@dataclass(frozen=True, slots=True)
class ParamRef:
    name: str
    span: Span = field(default=_NOWHERE, compare=False, repr=False)

    def __str__(self) -> str:
        return f"param.{self.name}"


@dataclass(frozen=True, slots=True)
class IntConst:
    value: int
    span: Span = field(default=_NOWHERE, compare=False, repr=False)

    def __str__(self) -> str:
        return str(self.value)


@dataclass(frozen=True, slots=True)
class StrConst:
    value: str
    span: Span = field(default=_NOWHERE, compare=False, repr=False)

    def __str__(self) -> str:
        return f'"{self.value}"'


@dataclass(frozen=True, slots=True)
class BoolConst:
    value: bool
    span: Span = field(default=_NOWHERE, compare=False, repr=False)

    def __str__(self) -> str:
        return "true" if self.value else "false"


Term = FactRef | ParamRef | IntConst | StrConst | BoolConst

# --- expressions: conditions ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DefRef:
    """A reference to a named definition (resolved when the policy compiles)."""

    name: str
    span: Span = field(default=_NOWHERE, compare=False, repr=False)

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class Compare:
    left: Term
    op: CompareOp
    right: Term
    span: Span = field(default=_NOWHERE, compare=False, repr=False)

    def __str__(self) -> str:
        return f"{self.left} {self.op} {self.right}"


@dataclass(frozen=True, slots=True)
class InSet:
    term: Term
    values: tuple[IntConst | StrConst, ...]
    span: Span = field(default=_NOWHERE, compare=False, repr=False)

    def __str__(self) -> str:
        return f"{self.term} in [{', '.join(str(v) for v in self.values)}]"


@dataclass(frozen=True, slots=True)
class Not:
    item: Expr
    span: Span = field(default=_NOWHERE, compare=False, repr=False)

    def __str__(self) -> str:
        return f"not {_wrap(self.item)}"


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Expr, ...]
    span: Span = field(default=_NOWHERE, compare=False, repr=False)

    def __str__(self) -> str:
        return " and ".join(_wrap(i) for i in self.items)


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Expr, ...]
    span: Span = field(default=_NOWHERE, compare=False, repr=False)

    def __str__(self) -> str:
        return " or ".join(_wrap(i) for i in self.items)


Expr = BoolConst | FactRef | DefRef | Compare | InSet | Not | And | Or


def _wrap(e: Expr) -> str:
    return f"({e})" if isinstance(e, And | Or) else str(e)


def walk(expr: Expr | Term) -> Iterator[Expr | Term]:
    """Every node of a tree, parents before children."""
    yield expr
    if isinstance(expr, Not):
        yield from walk(expr.item)
    elif isinstance(expr, And | Or):
        for item in expr.items:
            yield from walk(item)
    elif isinstance(expr, Compare):
        yield from walk(expr.left)
        yield from walk(expr.right)
    elif isinstance(expr, InSet):
        yield from walk(expr.term)
        yield from expr.values


def transform(expr: Expr, visit: Callable[[Expr], Expr | None]) -> Expr:
    """Rebuild a tree bottom-up; ``visit`` may return a replacement for a node, or None."""
    if isinstance(expr, Not):
        expr = Not(transform(expr.item, visit), expr.span)
    elif isinstance(expr, And):
        expr = And(tuple(transform(i, visit) for i in expr.items), expr.span)
    elif isinstance(expr, Or):
        expr = Or(tuple(transform(i, visit) for i in expr.items), expr.span)
    replaced = visit(expr)
    return expr if replaced is None else replaced


# --- parsing ----------------------------------------------------------------------------------

_GRAMMAR = r"""
?start: or_expr
?or_expr: and_expr (_OR and_expr)*
?and_expr: not_expr (_AND not_expr)*
?not_expr: NOT not_expr -> not_
         | comparison
?comparison: term COMPARE term -> compare
           | term _IN "[" [literal ("," literal)*] "]" -> in_set
           | term
?term: dotted | literal | "(" or_expr ")"
dotted: NAME ("." NAME)*
?literal: INT -> int_
        | STRING -> str_
        | TRUE -> true_
        | FALSE -> false_
_OR.2: /or\b/
_AND.2: /and\b/
NOT.2: /not\b/
_IN.2: /in\b/
TRUE.2: /true\b/
FALSE.2: /false\b/
COMPARE: "==" | "!=" | "<=" | ">=" | "<" | ">"
NAME: /[A-Za-z_][A-Za-z0-9_]*/
INT: /-?[0-9]+/
STRING: /"[^"\\\n]*"/
WS: /[ \t\f\r\n]+/
%ignore WS
"""


class ConditionSyntaxError(ValueError):
    """A condition's text does not follow the grammar."""

    def __init__(self, message: str, span: Span) -> None:
        super().__init__(message)
        self.span = span


def _tspan(tok: Token) -> Span:
    return Span(tok.line or 1, tok.column or 1)


@v_args(inline=True)
class _ToAst(Transformer[Token, Expr]):
    def dotted(self, *names: Token) -> Expr | Term:
        span = _tspan(names[0])
        parts = [str(n) for n in names]
        if len(parts) == 1:
            return DefRef(parts[0], span)
        if len(parts) != 2:
            raise ConditionSyntaxError(
                f"`{'.'.join(parts)}`: a name is `subject.feature`, `param.name` or a definition",
                span,
            )
        if parts[0] == "param":
            return ParamRef(parts[1], span)
        return FactRef(parts[0], parts[1], span)

    def int_(self, tok: Token) -> IntConst:
        return IntConst(int(tok), _tspan(tok))

    def str_(self, tok: Token) -> StrConst:
        return StrConst(str(tok)[1:-1], _tspan(tok))

    def true_(self, tok: Token) -> BoolConst:
        return BoolConst(True, _tspan(tok))

    def false_(self, tok: Token) -> BoolConst:
        return BoolConst(False, _tspan(tok))

    def compare(self, left: Term, op: Token, right: Term) -> Compare:
        for side in (left, right):
            if isinstance(side, DefRef | Not | And | Or | Compare | InSet):
                raise ConditionSyntaxError(
                    f"`{side}` is a condition; a comparison needs a fact, parameter or literal",
                    getattr(side, "span", _NOWHERE),
                )
        op_text: CompareOp = str(op)  # type: ignore[assignment]
        return Compare(left, op_text, right, left.span)

    def in_set(self, term: Term, *values: IntConst | StrConst | BoolConst | None) -> InSet:
        literals: list[IntConst | StrConst] = []
        for v in values:
            if v is None:
                continue
            if isinstance(v, BoolConst):
                raise ConditionSyntaxError("`in [...]` lists numbers or strings", v.span)
            literals.append(v)
        if not literals:
            raise ConditionSyntaxError("`in []` needs at least one value", term.span)
        return InSet(term, tuple(literals), term.span)

    def not_(self, tok: Token, item: Expr) -> Not:
        return Not(item, _tspan(tok))

    def and_expr(self, *items: Expr) -> And:
        return And(tuple(items), items[0].span)

    def or_expr(self, *items: Expr) -> Or:
        return Or(tuple(items), items[0].span)


# Whitespace is defined here rather than imported from lark's `common` grammar: reading that
# grammar doubled the time to build the parser, which every import of the library pays.
_PARSER = Lark(_GRAMMAR, parser="lalr", propagate_positions=True, maybe_placeholders=True)

_TOKEN_NAMES = {
    "_OR": "`or`",
    "_AND": "`and`",
    "NOT": "`not`",
    "_IN": "`in`",
    "TRUE": "`true`",
    "FALSE": "`false`",
    "COMPARE": "a comparison",
    "NAME": "a name",
    "INT": "a number",
    "STRING": 'a "string"',
    "LPAR": "`(`",
    "RPAR": "`)`",
    "LSQB": "`[`",
    "RSQB": "`]`",
    "COMMA": "`,`",
    "DOT": "`.`",
    "$END": "the end",
}


def _expected(names: Iterable[object]) -> str:
    shown = sorted({_TOKEN_NAMES.get(str(n), str(n)) for n in names})
    return ", ".join(shown[:6]) + (" …" if len(shown) > 6 else "")


def parse_condition(text: str) -> Expr:
    """Parse condition text into an untyped-checked tree; raises ConditionSyntaxError."""
    if not text.strip():
        raise ConditionSyntaxError(
            "empty condition (write `true` for a rule that always holds)", _NOWHERE
        )
    try:
        tree = _PARSER.parse(text)
    except UnexpectedEOF as exc:
        lines = text.splitlines() or [""]
        raise ConditionSyntaxError(
            f"the condition ends too early; expected {_expected(exc.expected)}",
            Span(len(lines), len(lines[-1]) + 1),
        ) from None
    except UnexpectedToken as exc:
        found = "the end" if exc.token.type == "$END" else f"`{exc.token}`"
        raise ConditionSyntaxError(
            f"unexpected {found}; expected {_expected(exc.expected)}",
            Span(exc.line if exc.line > 0 else 1, exc.column if exc.column > 0 else 1),
        ) from None
    except UnexpectedCharacters as exc:
        raise ConditionSyntaxError(
            f"unexpected character `{text[exc.pos_in_stream or 0]}`", Span(exc.line, exc.column)
        ) from None
    except UnexpectedInput as exc:  # pragma: no cover - the three above are exhaustive
        raise ConditionSyntaxError(str(exc), _NOWHERE) from None
    result = _ToAst().transform(tree)
    if isinstance(result, ParamRef | IntConst | StrConst):
        raise ConditionSyntaxError(f"`{result}` is a value, not a condition", result.span)
    return result


ParamValues = Mapping[str, int | bool | str]
