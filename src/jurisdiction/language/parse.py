"""Condition text → syntax tree: bounded, parsed once per text, kept between runs of the command
line (``parse_cache``).

The tree's nodes are defined in ``conditions``; the grammar that builds them is ``grammar`` (lark,
imported on the first parse only, so that a run whose trees are all kept never imports it).
"""

from __future__ import annotations

import hashlib
import re
from contextlib import suppress
from dataclasses import fields
from functools import cache
from pathlib import Path as _FilePath
from typing import Any, cast

from . import parse_cache
from .conditions import (
    _NOWHERE,
    And,
    Arith,
    AsOf,
    BoolConst,
    Call,
    Compare,
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
)

__all__ = ["decode_tree", "encode_tree", "parse_condition", "parse_expression", "parser_digest"]


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


# --- trees kept between runs of the command line (see parse_cache) ---------------------------

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
        AsOf,
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
        Lambda,
        TableRef,
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
        for path in (
            here,
            here.with_name("conditions.py"),
            here.with_name("grammar.py"),
            _FilePath(origin),
        ):
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
    store = parse_cache.active()
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
    store = parse_cache.active()
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
    from .grammar import parse_tree  # lark, and its parser built: on the first parse only

    return parse_tree(text)


def parse_condition(text: str) -> Expr:
    """Parse condition text into a tree (not yet type-checked); raises ConditionSyntaxError."""
    return _as_condition(parse_expression(text))
