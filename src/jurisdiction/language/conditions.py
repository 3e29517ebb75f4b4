"""The condition language: text → typed syntax tree, checked against a subject's features.

An analyst writes, for example::

    person.registered_here and person.moved_away and of_working_age
    firm.headcount >= param.large_firm_min_headcount or firm.sector in ["public", "charity"]

* ``subject.feature`` reads a feature of the facts (see ``jurisdiction.language.subjects``);
* ``param.name`` reads a named parameter of the policy;
* a bare ``name`` is a definition: a named condition declared in the policy;
* literals are whole numbers, ``"strings"`` (enum values), ``true`` and ``false``;
* ``== != < <= > >=``, ``in [...]``, ``not``, ``and``, ``or`` and parentheses.

Text becomes a tree in ``parse`` (with lark, ``grammar``, imported on the first parse); nothing
is ever ``eval``-ed. The tree is the one representation that the checker, every evaluator and
any future compiler (SQL) read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "And",
    "AsOf",
    "BoolConst",
    "Compare",
    "ConditionSyntaxError",
    "DefRef",
    "Expr",
    "FactRef",
    "InSet",
    "IntConst",
    "Lambda",
    "Not",
    "Or",
    "ParamRef",
    "Span",
    "StrConst",
    "TableRef",
    "Term",
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
        """``subject.field``; a feature a rule's condition derived is named by its expression, which
        names the subject already: it prints as written (``subject.day >= date(…)``)."""
        if not self.feature.isidentifier():
            return self.feature
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


@dataclass(frozen=True, slots=True)
class NullConst:
    """``null``: the absent value of an optional field."""

    span: Span = field(default=_NOWHERE, compare=False, repr=False)

    def __str__(self) -> str:
        return "null"


@dataclass(frozen=True, slots=True)
class Path:
    """``subject.a.b``: a field of a nested fact set (``person.home.postcode``)."""

    subject: str
    names: tuple[str, ...]
    span: Span = field(default=_NOWHERE, compare=False, repr=False)

    def __str__(self) -> str:
        return ".".join((self.subject, *self.names))


@dataclass(frozen=True, slots=True)
class QuestionRef:
    """``question.name``: the value another question's answer gives (its rule's ``value``)."""

    name: str
    span: Span = field(default=_NOWHERE, compare=False, repr=False)

    def __str__(self) -> str:
        return f"question.{self.name}"


@dataclass(frozen=True, slots=True)
class Call:
    """``function(arg, ...)``: one of the built-in functions (see ``_functions``)."""

    name: str
    args: tuple[Node, ...]
    span: Span = field(default=_NOWHERE, compare=False, repr=False)

    def __str__(self) -> str:
        return f"{self.name}({', '.join(str(a) for a in self.args)})"


@dataclass(frozen=True, slots=True)
class AsOf:
    """``as_of``: the date the decision is made as of (a reserved name, never a definition)."""

    span: Span = field(default=_NOWHERE, compare=False, repr=False)

    def __str__(self) -> str:
        return "as_of"


@dataclass(frozen=True, slots=True)
class If:
    """``if c then a else b``."""

    cond: Node
    then: Node
    other: Node
    span: Span = field(default=_NOWHERE, compare=False, repr=False)

    def __str__(self) -> str:
        return f"(if {self.cond} then {self.then} else {self.other})"


@dataclass(frozen=True, slots=True)
class Arith:
    """Whole-number arithmetic: ``a + b``, ``a - b``, ``a * b``."""

    op: Literal["+", "-", "*"]
    left: Node
    right: Node
    span: Span = field(default=_NOWHERE, compare=False, repr=False)

    def __str__(self) -> str:
        return f"({self.left} {self.op} {self.right})"


@dataclass(frozen=True, slots=True)
class ListConst:
    """``[a, b, ...]`` of values that are not all literals."""

    items: tuple[Node, ...]
    span: Span = field(default=_NOWHERE, compare=False, repr=False)

    def __str__(self) -> str:
        return "[" + ", ".join(str(i) for i in self.items) + "]"


@dataclass(frozen=True, slots=True)
class Relation:
    """A comparison of values that are not all facts, parameters or literals (a function's
    result, a nested field, arithmetic): read by vocabulary expressions; in a rule condition the
    loader turns it into a derived feature of its own."""

    left: Node
    op: CompareOp
    right: Node
    span: Span = field(default=_NOWHERE, compare=False, repr=False)

    def __str__(self) -> str:
        return f"{self.left} {self.op} {self.right}"


@dataclass(frozen=True, slots=True)
class Member:
    """``item in container``: membership of a list (a field of places, say)."""

    item: Node
    container: Node
    span: Span = field(default=_NOWHERE, compare=False, repr=False)

    def __str__(self) -> str:
        return f"{self.item} in {self.container}"


@dataclass(frozen=True, slots=True)
class Lambda:
    """``m -> body``: the last argument of a function over a list of records (``any``, ``all``,
    ``count``, ``sum``, ``min``, ``max``); ``m`` names each record in turn."""

    var: str
    body: Node
    span: Span = field(default=_NOWHERE, compare=False, repr=False)

    def __str__(self) -> str:
        return f"{self.var} -> {self.body}"


@dataclass(frozen=True, slots=True)
class TableRef:
    """``table.name``: a lookup table of the policy, read by ``lookup(table.name, key)``."""

    name: str
    span: Span = field(default=_NOWHERE, compare=False, repr=False)

    def __str__(self) -> str:
        return f"table.{self.name}"


Value = NullConst | Path | QuestionRef | Call | If | Arith | ListConst | AsOf | Lambda | TableRef
"""Nodes that are values beyond the terms of a plain comparison."""

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


Expr = (
    BoolConst
    | FactRef
    | DefRef
    | Compare
    | InSet
    | Not
    | And
    | Or
    | Relation
    | Member
    | Call
    | If
    | Path
    | QuestionRef
)
"""A condition: what a rule's ``when`` is (a boolean node)."""

Node = Expr | Term | Value
"""Any node of the tree."""


def _wrap(e: Expr) -> str:
    return f"({e})" if isinstance(e, And | Or) else str(e)


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-nodes of a node, in order."""
    return _CHILDREN.get(type(node), _children_of)(node)


def _children_of(node: Node) -> tuple[Node, ...]:
    """:func:`children` of a node whose class is not in ``_CHILDREN``, by its base class."""
    if isinstance(node, Not):
        return (node.item,)
    if isinstance(node, And | Or):
        return node.items
    if isinstance(node, Compare | Relation):
        return (node.left, node.right)
    if isinstance(node, InSet):
        return (node.term, *node.values)
    if isinstance(node, Member):
        return (node.item, node.container)
    if isinstance(node, Call):
        return node.args
    if isinstance(node, If):
        return (node.cond, node.then, node.other)
    if isinstance(node, Arith):
        return (node.left, node.right)
    if isinstance(node, ListConst):
        return node.items
    if isinstance(node, Lambda):
        return (node.body,)
    return ()


def _none(_node: Node) -> tuple[Node, ...]:
    return ()


_CHILDREN: dict[type, Callable[[Any], tuple[Node, ...]]] = {
    Not: lambda n: (n.item,),
    And: lambda n: n.items,
    Or: lambda n: n.items,
    Compare: lambda n: (n.left, n.right),
    Relation: lambda n: (n.left, n.right),
    InSet: lambda n: (n.term, *n.values),
    Member: lambda n: (n.item, n.container),
    Call: lambda n: n.args,
    If: lambda n: (n.cond, n.then, n.other),
    Arith: lambda n: (n.left, n.right),
    ListConst: lambda n: n.items,
    Lambda: lambda n: (n.body,),
    **dict.fromkeys(
        (FactRef, ParamRef, IntConst, StrConst, BoolConst, NullConst, Path, QuestionRef, AsOf),
        _none,
    ),
    **dict.fromkeys((TableRef, DefRef), _none),
}
"""The sub-nodes of each class of node, looked up by its exact class (a chain of ``isinstance``
tests was a sixth of building the bundled policy's questions); :func:`_children_of` answers for
any other class."""


def walk(expr: Node) -> Iterator[Node]:
    """Every node of a tree, parents before children (iteratively: no recursion limit)."""
    stack: list[Node] = [expr]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(children(node)))


def reaches(trees: Iterable[Node], cls: type | tuple[type, ...]) -> bool:
    """Whether some node of the trees is an instance of ``cls``. A node shared by several trees,
    or several times by one (a definition inlined wherever it is used), is looked into once: the
    bundled policy's rules are 12,787 nodes as :func:`walk` gives them, 1,156 distinct ones."""
    seen: set[int] = set()
    stack = list(trees)
    while stack:
        node = stack.pop()
        if isinstance(node, cls):
            return True
        for child in children(node):
            if id(child) not in seen:  # the trees are alive throughout: ids are not reused
                seen.add(id(child))
                stack.append(child)
    return False


def _rebuilt(node: Node, new: tuple[Node, ...]) -> Node:
    if isinstance(node, Not):
        return Not(new[0], node.span)  # type: ignore[arg-type]
    if isinstance(node, And):
        return And(new, node.span)  # type: ignore[arg-type]
    if isinstance(node, Or):
        return Or(new, node.span)  # type: ignore[arg-type]
    if isinstance(node, Relation):
        return Relation(new[0], node.op, new[1], node.span)
    if isinstance(node, Member):
        return Member(new[0], new[1], node.span)
    if isinstance(node, Call):
        return Call(node.name, new, node.span)
    if isinstance(node, If):
        return If(new[0], new[1], new[2], node.span)
    if isinstance(node, Arith):
        return Arith(node.op, new[0], new[1], node.span)
    if isinstance(node, ListConst):
        return ListConst(new, node.span)
    if isinstance(node, Lambda):
        return Lambda(node.var, new[0], node.span)
    return node  # Compare and InSet hold terms only: nothing below them is replaced


def transform(expr: Expr, visit: Callable[[Expr], Expr | None]) -> Expr:
    """Rebuild a tree bottom-up; ``visit`` may return a replacement for a node, or None."""
    return _transform(expr, visit)  # type: ignore[arg-type, return-value]


def _transform(node: Node, visit: Callable[[Node], Node | None]) -> Node:
    kids = children(node)
    if kids and not isinstance(node, Compare | InSet):
        new = tuple(_transform(k, visit) for k in kids)
        if any(a is not b for a, b in zip(new, kids, strict=True)):
            node = _rebuilt(node, new)
    replaced = visit(node)
    return node if replaced is None else replaced


# --- parsing ----------------------------------------------------------------------------------


_TERMS = (FactRef, ParamRef, IntConst, StrConst, BoolConst)
_CONDITIONS = (BoolConst, FactRef, DefRef, Compare, InSet, Not, And, Or, Relation, Member)


class ConditionSyntaxError(ValueError):
    """A condition's text does not follow the grammar."""

    def __init__(self, message: str, span: Span) -> None:
        super().__init__(message)
        self.span = span


def _is_condition(node: Node) -> bool:
    return isinstance(node, _CONDITIONS)


def _as_condition(node: Node) -> Expr:
    """A node used where a condition is expected: a value that may be boolean (a field, a call,
    an if) is kept for the type checker to judge; a literal value is refused here."""
    if isinstance(node, ParamRef | IntConst | StrConst | NullConst | Arith | ListConst | AsOf):
        raise ConditionSyntaxError(f"`{node}` is a value, not a condition", node.span)
    if isinstance(node, Lambda | TableRef):
        raise ConditionSyntaxError(f"`{node}` is a value, not a condition", node.span)
    return node


def _as_value(node: Node) -> Node:
    if isinstance(node, DefRef | Not | And | Or | Compare | InSet | Relation | Member):
        raise ConditionSyntaxError(
            f"`{node}` is a condition; here a value is expected (a fact, parameter or literal)",
            getattr(node, "span", _NOWHERE),
        )
    return node


ParamValues = Mapping[str, int | bool | str | tuple[str, ...]]
