"""The grammar of the condition language, and lark's parser built from it.

Imported by :func:`jurisdiction.language.parse.parse_expression` on the first text it has to parse
(not on importing the package): building the parser is most of the cost of a first parse, and a
command line that finds every condition of its policy among the trees it keeps
(``language.parse_cache``) never imports lark at all. The syntax tree, its checks and its limits
are in ``language.conditions``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import (
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedInput,
    UnexpectedToken,
    VisitError,
)

from .conditions import (
    _NOWHERE,
    _TERMS,
    And,
    Arith,
    AsOf,
    BoolConst,
    Call,
    Compare,
    CompareOp,
    ConditionSyntaxError,
    DefRef,
    Expr,
    FactRef,
    If,
    InSet,
    IntConst,
    Lambda,
    ListConst,
    Member,
    Node,
    Not,
    NullConst,
    Or,
    ParamRef,
    Path,
    QuestionRef,
    Relation,
    Span,
    StrConst,
    TableRef,
    _as_condition,
    _as_value,
)

__all__ = ["parse_tree"]

_GRAMMAR = r"""
?start: expr
?expr: IF expr _THEN expr _ELSE expr -> if_
     | or_expr
?or_expr: and_expr (_OR and_expr)*
?and_expr: not_expr (_AND not_expr)*
?not_expr: NOT not_expr -> not_
         | comparison
?comparison: sum COMPARE sum -> compare
           | sum _IN sum -> member
           | sum
?sum: product
    | sum ADD product -> arith
?product: unary
        | product MUL unary -> arith
?unary: MINUS unary -> neg
      | atom
?atom: dotted
     | call
     | literal
     | "[" [expr ("," expr)*] "]" -> list_
     | "(" expr ")"
dotted: NAME ("." NAME)*
call: NAME "(" [arg ("," arg)*] ")"
?arg: expr
    | NAME ARROW expr -> lambda_
?literal: INT -> int_
        | STRING -> str_
        | TRUE -> true_
        | FALSE -> false_
        | NULL -> null_
_OR.2: /or\b/
_AND.2: /and\b/
NOT.2: /not\b/
_IN.2: /in\b/
IF.2: /if\b/
_THEN.2: /then\b/
_ELSE.2: /else\b/
TRUE.2: /true\b/
FALSE.2: /false\b/
NULL.2: /null\b/
COMPARE: "==" | "!=" | "<=" | ">=" | "<" | ">"
ADD: "+" | "-"
MUL: "*"
ARROW.2: "->"
MINUS: "-"
NAME: /[A-Za-z_][A-Za-z0-9_]*/
INT: /[0-9]+/
STRING: /"[^"\\\n]*"/
WS: /[ \t\f\r\n]+/
%ignore WS
"""


def _tspan(tok: Token) -> Span:
    return Span(tok.line or 1, tok.column or 1)


@v_args(inline=True)
class _ToAst(Transformer[Token, Node]):
    def dotted(self, *names: Token) -> Node:
        span = _tspan(names[0])
        parts = [str(n) for n in names]
        if len(parts) == 1:
            return AsOf(span) if parts[0] == "as_of" else DefRef(parts[0], span)
        if parts[0] == "param":
            if len(parts) != 2:
                raise ConditionSyntaxError(
                    f"`{'.'.join(parts)}`: a parameter is `param.name`", span
                )
            return ParamRef(parts[1], span)
        if parts[0] == "table":
            if len(parts) != 2:
                raise ConditionSyntaxError(
                    f"`{'.'.join(parts)}`: a lookup table is `table.name`", span
                )
            return TableRef(parts[1], span)
        if parts[0] == "question":
            if len(parts) != 2:
                raise ConditionSyntaxError(
                    f"`{'.'.join(parts)}`: another question's answer is `question.name`", span
                )
            return QuestionRef(parts[1], span)
        if len(parts) == 2:
            return FactRef(parts[0], parts[1], span)
        return Path(parts[0], tuple(parts[1:]), span)

    def call(self, name: Token, *args: Node | None) -> Call:
        return Call(str(name), tuple(a for a in args if a is not None), _tspan(name))

    def lambda_(self, var: Token, _arrow: Token, body: Node) -> Lambda:
        return Lambda(str(var), body, _tspan(var))

    def int_(self, tok: Token) -> IntConst:
        return IntConst(int(tok), _tspan(tok))

    def str_(self, tok: Token) -> StrConst:
        return StrConst(str(tok)[1:-1], _tspan(tok))

    def true_(self, tok: Token) -> BoolConst:
        return BoolConst(True, _tspan(tok))

    def false_(self, tok: Token) -> BoolConst:
        return BoolConst(False, _tspan(tok))

    def null_(self, tok: Token) -> NullConst:
        return NullConst(_tspan(tok))

    def neg(self, tok: Token, item: Node) -> Node:
        if isinstance(item, IntConst):
            return IntConst(-item.value, _tspan(tok))
        return Arith("-", IntConst(0, _tspan(tok)), _as_value(item), _tspan(tok))

    def arith(self, left: Node, op: Token, right: Node) -> Arith:
        sign: Literal["+", "-", "*"] = str(op)  # type: ignore[assignment]
        return Arith(sign, _as_value(left), _as_value(right), _span_of(left))

    def list_(self, *items: Node | None) -> ListConst:
        kept = tuple(_as_value(i) for i in items if i is not None)
        return ListConst(kept, _span_of(kept[0]) if kept else _NOWHERE)

    def if_(self, tok: Token, cond: Node, then: Node, other: Node) -> If:
        return If(_as_condition(cond), _as_value(then), _as_value(other), _tspan(tok))

    def compare(self, left: Node, op: Token, right: Node) -> Expr:
        left, right = _as_value(left), _as_value(right)
        op_text: CompareOp = str(op)  # type: ignore[assignment]
        if isinstance(left, _TERMS) and isinstance(right, _TERMS):
            return Compare(left, op_text, right, left.span)
        return Relation(left, op_text, right, _span_of(left))

    def member(self, item: Node, container: Node) -> Expr:
        item = _as_value(item)
        if isinstance(container, ListConst) and all(
            isinstance(v, IntConst | StrConst | BoolConst) for v in container.items
        ):
            if not container.items:
                raise ConditionSyntaxError("`in []` needs at least one value", _span_of(item))
            if any(isinstance(v, BoolConst) for v in container.items):
                raise ConditionSyntaxError(
                    "`in [...]` lists numbers or strings", _span_of(container.items[0])
                )
            if isinstance(item, _TERMS):
                values: tuple[IntConst | StrConst, ...] = container.items  # type: ignore[assignment]
                return InSet(item, values, item.span)
        return Member(item, _as_value(container), _span_of(item))

    def not_(self, tok: Token, item: Node) -> Not:
        return Not(_as_condition(item), _tspan(tok))

    def and_expr(self, *items: Node) -> And:
        kept = tuple(_as_condition(i) for i in items)
        return And(kept, _span_of(kept[0]))

    def or_expr(self, *items: Node) -> Or:
        kept = tuple(_as_condition(i) for i in items)
        return Or(kept, _span_of(kept[0]))


def _span_of(node: Node) -> Span:
    return getattr(node, "span", _NOWHERE)


# Whitespace is defined here rather than imported from lark's `common` grammar: reading that
# grammar doubled the time to build the parser, which the first parse of a process pays.
_PARSER = Lark(_GRAMMAR, parser="lalr", propagate_positions=True, maybe_placeholders=True)

_TOKEN_NAMES = {
    "_OR": "`or`",
    "_AND": "`and`",
    "NOT": "`not`",
    "_IN": "`in`",
    "TRUE": "`true`",
    "FALSE": "`false`",
    "NULL": "`null`",
    "IF": "`if`",
    "_THEN": "`then`",
    "_ELSE": "`else`",
    "ADD": "`+` or `-`",
    "MUL": "`*`",
    "ARROW": "`->`",
    "MINUS": "`-`",
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


def parse_tree(text: str) -> Node:
    """The tree of ``text``, already checked against the limits; raises ConditionSyntaxError."""
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
    try:
        result: Node = _ToAst().transform(tree)
    except VisitError as exc:
        if isinstance(exc.orig_exc, ConditionSyntaxError):
            raise exc.orig_exc from None
        meta = getattr(exc.obj, "meta", None)
        where = Span(getattr(meta, "line", 1) or 1, getattr(meta, "column", 1) or 1)
        raise ConditionSyntaxError(f"cannot read this: {exc.orig_exc}", where) from None
    except RecursionError:
        raise ConditionSyntaxError("the condition is nested too deeply", _NOWHERE) from None
    return result
