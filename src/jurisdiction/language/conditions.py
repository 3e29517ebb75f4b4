"""The condition language: text → typed syntax tree, checked against a subject's features.

An analyst writes, for example::

    person.registered_here and person.moved_away and of_working_age
    firm.headcount >= param.large_firm_min_headcount or firm.sector in ["public", "charity"]

* ``subject.feature`` reads a feature of the facts (see ``jurisdiction._subjects``);
* ``param.name`` reads a named parameter of the policy;
* a bare ``name`` is a definition: a named condition declared in the policy;
* literals are whole numbers, ``"strings"`` (enum values), ``true`` and ``false``;
* ``== != < <= > >=``, ``in [...]``, ``not``, ``and``, ``or`` and parentheses.

The grammar is parsed by lark (``_grammar``, imported on the first parse); nothing is ever
``eval``-ed. The tree is the one representation that the checker, every evaluator and any future
compiler (SQL) read.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass, field, fields
from functools import cache
from pathlib import Path as _FilePath
from typing import Any, Literal, cast

from . import _parse_cache

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


Value = NullConst | Path | QuestionRef | Call | If | Arith | ListConst
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
    return ()


def walk(expr: Node) -> Iterator[Node]:
    """Every node of a tree, parents before children (iteratively: no recursion limit)."""
    stack: list[Node] = [expr]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(children(node)))


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
    if isinstance(node, ParamRef | IntConst | StrConst | NullConst | Arith | ListConst):
        raise ConditionSyntaxError(f"`{node}` is a value, not a condition", node.span)
    return node


def _as_value(node: Node) -> Node:
    if isinstance(node, DefRef | Not | And | Or | Compare | InSet | Relation | Member):
        raise ConditionSyntaxError(
            f"`{node}` is a condition; here a value is expected (a fact, parameter or literal)",
            getattr(node, "span", _NOWHERE),
        )
    return node


_PARSED: dict[str, Node] = {}
"""Trees by text: they are immutable, so a text parsed once (by any load) is parsed for good."""
_PARSED_MAX = 1 << 14


def parse_expression(text: str) -> Node:
    """Parse an expression (a condition or a value) into a tree; raises ConditionSyntaxError."""
    found = _PARSED.get(text)
    if found is not None:
        return found
    node = _kept(text)
    if node is None:
        node = _parse_expression(text)
        _keep(text, node)
    if len(_PARSED) >= _PARSED_MAX:
        _PARSED.clear()
    _PARSED[text] = node
    return node


# --- trees kept between runs of the command line (see _parse_cache) ---------------------------

_NODE_CLASSES: dict[str, type[Any]] = {
    cls.__name__: cls
    for cls in (
        FactRef,
        ParamRef,
        IntConst,
        StrConst,
        BoolConst,
        NullConst,
        Path,
        QuestionRef,
        Call,
        If,
        Arith,
        ListConst,
        Relation,
        Member,
        DefRef,
        Compare,
        InSet,
        Not,
        And,
        Or,
    )
}
_NODE_FIELDS = {name: tuple(f.name for f in fields(cls)) for name, cls in _NODE_CLASSES.items()}
_NODE_KEYS = {name: frozenset(["", *names]) for name, names in _NODE_FIELDS.items()}
_NODE_TYPES = tuple(_NODE_CLASSES.values())


@cache
def parser_digest() -> str | None:
    """What a tree depends on besides its text: the source of the modules that build trees, and
    lark's ``__init__.py``, which states its version (None if one cannot be read: then no tree is
    kept). Read, not imported: finding the trees kept is what spares importing lark."""
    from importlib.util import find_spec

    try:
        lark = find_spec("lark")
        origin = lark.origin if lark is not None else None
        if origin is None:
            return None
        here = _FilePath(__file__)
        digest = hashlib.sha256()
        for path in (here, here.with_name("_grammar.py"), _FilePath(origin)):
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    except (OSError, ImportError, ValueError):
        return None
    return digest.hexdigest()[:32]


def encode_tree(value: Any) -> Any:
    """A tree as JSON values: a node is an object of its fields with its class under ``""`` (its
    ``span`` as ``[line, column]``), a tuple a list; strings, whole numbers and booleans stay.
    Raises TypeError on anything else."""
    if isinstance(value, tuple):
        return [encode_tree(v) for v in value]
    if isinstance(value, str | int):  # bool is an int, and JSON keeps it apart
        return value
    name = type(value).__name__
    if _NODE_CLASSES.get(name) is not type(value):
        raise TypeError(f"not a node of a condition: {value!r}")
    out: dict[str, Any] = {"": name}
    for f in _NODE_FIELDS[name]:
        item = getattr(value, f)
        if f == "span":
            if type(item) is not Span:
                raise TypeError(f"not a span: {item!r}")
            out[f] = [item.line, item.column]
        else:
            out[f] = encode_tree(item)
    return out


def decode_tree(data: Any) -> Any:
    """The tree :func:`encode_tree` gave ``data`` for; raises ValueError or TypeError on anything
    it would not have given (an unknown class, missing or extra fields, another type of value)."""
    if type(data) is dict:
        name = data.get("")
        cls = _NODE_CLASSES.get(name) if type(name) is str else None
        if cls is None or data.keys() != _NODE_KEYS[name]:  # type: ignore[index]
            raise ValueError(f"not a node of a condition: {data!r}")
        args: list[Any] = []
        for f in _NODE_FIELDS[name]:  # type: ignore[index]
            item = data[f]
            if f == "span":
                line, column = item  # ValueError unless two
                if type(line) is not int or type(column) is not int:
                    raise TypeError(f"not a span: {item!r}")
                args.append(Span(line, column))
            else:
                args.append(decode_tree(item))
        return cls(*args)
    if type(data) is list:
        return tuple([decode_tree(v) for v in data])
    if isinstance(data, str | int):
        return data
    raise TypeError(f"not a value of a tree: {data!r}")


def _kept(text: str) -> Node | None:
    """The tree of ``text`` kept by an earlier run, if the command line keeps them."""
    store = _parse_cache.active()
    parser = parser_digest() if store is not None else None
    if store is None or parser is None:
        return None
    found = store.get(parser, text)
    if found is None:
        return None
    try:
        node = decode_tree(found)
    except (ValueError, TypeError, RecursionError):
        node = None
    if not isinstance(node, _NODE_TYPES):
        store.forget(text)
        return None
    return cast(Node, node)


def _keep(text: str, node: Node) -> None:
    store = _parse_cache.active()
    parser = parser_digest() if store is not None else None
    if store is not None and parser is not None:
        with suppress(TypeError, RecursionError):  # not kept: parsed again next time
            store.put(parser, text, encode_tree(node))


MAX_CONDITION_CHARS = 2000
"""A condition (or expression) is at most this long; the bundled policy's longest is 274."""
MAX_CONDITION_TERMS = 200
"""At most this many names, numbers, strings and operators in one condition."""
MAX_CONDITION_DEPTH = 32
"""At most this many parentheses, brackets and ``not`` nested inside each other."""
MAX_INT_DIGITS = 18
"""An integer literal has at most this many digits: every int fits in 64 bits."""

_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|\d+|[A-Za-z_][A-Za-z0-9_]*|[<>!=]=|[()\[\]]|\S', re.ASCII)


def _bounded(text: str) -> None:
    """Refuse a condition too large to analyse in bounded time, before it is parsed."""
    if len(text) > MAX_CONDITION_CHARS:
        raise ConditionSyntaxError(
            f"the condition has {len(text)} characters; at most {MAX_CONDITION_CHARS} "
            "(name a part of it as a definition)",
            _NOWHERE,
        )
    depth = nots = 0
    for terms, match in enumerate(_TOKENS.finditer(text), start=1):
        tok = match.group()
        if tok.isdigit() and len(tok) > MAX_INT_DIGITS:
            raise ConditionSyntaxError(
                f"an integer of {len(tok)} digits; at most {MAX_INT_DIGITS}", _span_at(text, match)
            )
        if tok in ("(", "["):
            depth += 1
        elif tok in (")", "]"):
            depth, nots = depth - 1, 0
        elif tok == "not":
            nots += 1
        else:
            nots = 0
        if terms > MAX_CONDITION_TERMS or depth + nots > MAX_CONDITION_DEPTH:
            what = (
                f"more than {MAX_CONDITION_TERMS} terms"
                if terms > MAX_CONDITION_TERMS
                else f"nested more than {MAX_CONDITION_DEPTH} deep"
            )
            raise ConditionSyntaxError(
                f"the condition has {what} (name a part of it as a definition)",
                _span_at(text, match),
            )


def _span_at(text: str, match: re.Match[str]) -> Span:
    before = text[: match.start()]
    return Span(before.count("\n") + 1, match.start() - (before.rfind("\n") + 1) + 1)


def _parse_expression(text: str) -> Node:
    if not text.strip():
        raise ConditionSyntaxError(
            "empty condition (write `true` for a rule that always holds)", _NOWHERE
        )
    _bounded(text)
    from ._grammar import parse_tree  # lark, and its parser built: on the first parse only

    return parse_tree(text)


def parse_condition(text: str) -> Expr:
    """Parse condition text into a tree (not yet type-checked); raises ConditionSyntaxError."""
    return _as_condition(parse_expression(text))


ParamValues = Mapping[str, int | bool | str]
