"""Vocabulary expressions: type-checked and compiled to closures in one pass.

A policy's features, place references, constraints and computed defaults are expressions over a
fact set's fields (``facts.yaml``). This module checks each expression against the declared types
and turns it into a closure ``(facts, ctx) -> value``; the same closures serve every evaluator, the
checker's realiser and the property tests. Parameters are bound when the policy loads: a
vocabulary expression reads the city's values, never an overlay's (a delegated parameter is
refused here).

Null: a field that is absent is ``null``; a path through an absent fact set is ``null``; a
function of ``null`` is ``null`` (``count`` of it is 0, ``within`` false); ``null == null`` holds,
and an ordering with ``null`` on either side does not. ``not``, ``and``, ``or`` read ``null`` as
false.

``as_of`` is the date the decision is made as of: its closure reads ``ctx.as_of`` (a
``Context``), and raises FactsError when the decision has none (this layer never guesses
today's date).
"""

from __future__ import annotations

import datetime
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from keyword import iskeyword
from typing import Any, Literal

from ..core.errors import FactsError, suggest
from . import periods
from .aggregates import AGGREGATES, CONDITIONS, Table, aggregate, lookup
from .conditions import (
    And,
    Arith,
    AsOf,
    BoolConst,
    Call,
    Compare,
    DefRef,
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
)
from .places import Hierarchy
from .typecheck import Problem

__all__ = [
    "FUNCTIONS",
    "Code",
    "Names",
    "Resolver",
    "Typed",
    "VType",
    "check",
    "generated",
    "source",
]

Kind = Literal[
    "bool",
    "int",
    "enum",
    "text",
    "place",
    "places",
    "date",
    "subject",
    "null",
    "prefix",
    "list",
    "records",
]


@dataclass(frozen=True, slots=True)
class VType:
    """The type of an expression's value."""

    kind: Kind
    values: tuple[str, ...] = ()  # enum: its values; a string literal: its one value
    minimum: int | None = None  # int
    maximum: int | None = None
    levels: tuple[str, ...] = ()  # place, places
    subject: str | None = None  # subject; records: the subject of each record
    optional: bool = False
    literal: bool = False  # a string literal: fits an enum that has it, a place, a text

    def __str__(self) -> str:
        base: str
        if self.kind == "enum":
            base = (
                ('"' + self.values[0] + '"')
                if self.literal
                else ("one of " + ", ".join(f'"{v}"' for v in self.values))
            )
        elif self.kind == "place":
            base = "a place (" + " or ".join(self.levels) + ")"
        elif self.kind == "places":
            base = "a list of places"
        elif self.kind == "subject":
            base = f"a {self.subject}"
        elif self.kind == "records":
            base = f"a list of {self.subject} records"
        else:
            base = {
                "bool": "true or false",
                "int": "a whole number",
                "text": "text",
                "date": "a date",
                "null": "null",
                "prefix": "a code prefix",
                "list": "a list",
            }[self.kind]
        return base + (" or null" if self.optional and self.kind != "null" else "")


BOOL = VType("bool")
NULL = VType("null", optional=True)
Getter = Callable[[Any, Any], Any]


class Names:
    """The scope of a function generated from expressions (``source``): the objects its text
    names (constants, functions), and its temporaries."""

    def __init__(self, scope: dict[str, Any]) -> None:
        self.scope = scope
        self.bound: dict[int, str] = {}
        self.temps = 0

    def bind(self, obj: Any) -> str:
        """A name for ``obj`` in the scope."""
        name = self.bound.get(id(obj))
        if name is None:
            name = self.bound[id(obj)] = f"_k{len(self.bound)}"
            self.scope[name] = obj  # the scope keeps it alive: its id is not reused
        return name

    def temp(self) -> str:
        self.temps += 1
        return f"_t{self.temps}"


Code = Callable[[str, str, Names], str]
"""An expression as Python source: given the names of the facts and of the context, and the
scope, the text of a Python expression whose value is the closure's on the same facts."""


def generated(code: Code, define: Callable[[str], str], scope: dict[str, Any], where: str) -> Any:
    """The function ``f`` that ``define(text)`` defines, compiled in ``scope``: ``text`` is the
    expression ``code`` writes over the facts ``o`` and the context ``ctx``, and ``define`` the
    source of a ``def f`` around it. The source holds only identifiers, repr()s and the names
    ``code`` bound in ``scope`` (``Names``); ``where`` names it in tracebacks."""
    text = code("o", "ctx", Names(scope))
    exec(compile(define(text), where, "exec"), scope)
    return scope["f"]


@dataclass(frozen=True, slots=True)
class Typed:
    """An expression checked and compiled: its type, its closure, the fields it reads."""

    type: VType
    get: Getter
    reads: frozenset[str] = frozenset()
    field: str | None = None  # the expression is this field of the subject, as it is
    constant: tuple[Any] | None = None  # the expression is this value, whatever the facts
    code: Code | None = None  # the expression as source (``source``), where it is not a call


def source(typed: Typed, o: str, c: str, names: Names) -> str:
    """``typed`` as a Python expression over the facts named ``o`` and the context named ``c``:
    its ``code``, a constant, a field read in place, or else a call of its closure. The value
    is the closure's (``tests/test_expression_source.py``); a function generated from it calls
    no closure where the expression's kinds allow."""
    if typed.code is not None:
        return typed.code(o, c, names)
    if typed.constant is not None:
        return _literal(typed.constant[0], names)
    if typed.field is not None and typed.field.isidentifier() and not iskeyword(typed.field):
        return f"{o}.{typed.field}"
    return f"{names.bind(typed.get)}({o}, {c})"


def _literal(value: Any, names: Names) -> str:
    if value is None or type(value) in (bool, int, str):
        return repr(value)
    return names.bind(value)


def _unary_code(arg: Typed, text: Callable[[str, Names], str]) -> Code:
    """``text`` of the argument's value (named by a temporary), null for null: ``_unary``."""

    def code(o: str, c: str, n: Names) -> str:
        t = n.temp()
        return f"(None if ({t} := {source(arg, o, c, n)}) is None else {text(t, n)})"

    return code


def _call_code(fn: Callable[[Any], Any]) -> Callable[[str, Names], str]:
    return lambda t, n: f"{n.bind(fn)}({t})"


def _both_code(a: Typed, b: Typed, text: Callable[[str, str], str], null: str) -> Code:
    """``text`` of both values, each read once and both always read (as the closures do);
    ``null`` where either is null."""

    def code(o: str, c: str, n: Names) -> str:
        x, y = n.temp(), n.temp()
        sa, sb = source(a, o, c, n), source(b, o, c, n)
        present = f"(({x} := {sa}) is not None) & (({y} := {sb}) is not None)"
        return f"({text(x, y)} if {present} else {null})"

    return code


def _op_code(parts: tuple[Typed, ...], op: str, wrap: tuple[str, str] = ("(", ")")) -> Code:
    """The parts joined by a Python operator (``and``, ``==``, ...), in parentheses."""

    def code(o: str, c: str, n: Names) -> str:
        joined = f" {op} ".join(source(p, o, c, n) for p in parts)
        return f"{wrap[0]}{joined}{wrap[1]}"

    return code


def _equality_code(a: Typed, b: Typed, op: str) -> Code:
    """``a == b`` (or ``!=``); with null on one side, ``is`` (``is not``): the same truth for
    every value a fact set holds, without calling a model's ``__eq__``."""
    if b.constant == (None,) or a.constant == (None,):
        return _op_code((a, b), "is" if op == "==" else "is not")
    return _op_code((a, b), op)


def _junction_code(parts: tuple[Typed, ...], op: str) -> Code:
    """``bool(a and b ...)`` without the call: ``_all`` and ``_any``."""
    return _op_code(parts, op, ("(True if (", ") else False)"))


def _chain_code(steps: list[Typed]) -> Code:
    """A path: each step read from the one before, null through null (``path``'s chain)."""

    def code(o: str, c: str, n: Names) -> str:
        text = source(steps[0], o, c, n)
        for step in steps[1:]:
            t = n.temp()
            text = f"(None if ({t} := {text}) is None else {source(step, t, c, n)})"
        return text

    return code


def _const(vtype: VType, value: Any) -> Typed:
    return Typed(vtype, lambda _o, _c: value, constant=(value,))


def _unary(fn: Callable[[Any], Any], arg: Typed) -> Getter:
    """``fn`` of the argument's value, null for null: a field is read in place (one call less on
    the hot path of every decision)."""
    name = arg.field
    if name is not None:

        def of_field(o: Any, _c: Any) -> Any:
            x = getattr(o, name)
            return None if x is None else fn(x)

        return of_field
    g = arg.get

    def of_value(o: Any, c: Any) -> Any:
        x = g(o, c)
        return None if x is None else fn(x)

    return of_value


class Resolver:
    """What names mean while checking: a subject's fields, features and places, parameters."""

    def __init__(
        self,
        hierarchy: Hierarchy,
        params: Mapping[str, tuple[str, Any, bool]],
        tables: Mapping[str, Table] | None = None,
    ) -> None:
        self.hierarchy = hierarchy
        self.params = params  # name -> (type, value, delegated)
        self.tables: Mapping[str, Table] = tables or {}
        self.enums: Mapping[str, tuple[str, ...]] = {}

    def member(self, subject: str, name: str, span: Span) -> tuple[Typed | None, list[Problem]]:
        """A field, feature or place of ``subject`` (raises nothing; problems returned)."""
        raise NotImplementedError

    def names(self, subject: str) -> set[str]:
        raise NotImplementedError


def check(
    node: Node, subject: str, resolver: Resolver, *, as_of: bool = True
) -> tuple[Typed | None, list[Problem]]:
    """The type and closure of ``node`` read about ``subject``, or the problems found. With
    ``as_of=False`` (an expression evaluated apart from any decision: a constraint, a computed
    default) reading ``as_of`` is a problem."""
    problems: list[Problem] = []
    typed = _Checker(subject, resolver, problems, as_of).visit(node)
    return (typed if not problems else None), problems


# --- built-in functions ---------------------------------------------------------------------------

FUNCTIONS: Mapping[str, str] = {
    "at": 'at(place, "level"): the place of that level containing it (null if it is coarser)',
    "within": "within(place, other): the place lies in the other (a place or a code prefix)",
    "level": "level(place): the level of the place",
    "form": "form(place): the form of the place (one of the hierarchy's forms), from its code",
    "class_of": "class_of(place): the class of the place's code range at its finest level",
    "count": "count(list): how many items the list has (0 for null); count(list, m -> "
    "condition): how many records of a list of records meet the condition",
    **{k: v for k, v in AGGREGATES.items() if k != "count"},
    "lookup": "lookup(table.name, key): the table's value for the key (its default, or null, "
    "where it has no row)",
    "distinct": "distinct(list): no item of the list is there twice",
    "all_within": "all_within(places, other): every place of the list lies in the other (a place "
    "or a code prefix); true of an empty list or null",
    "date": 'date("YYYY-MM-DD"): a date',
    "years_between": "years_between(a, b): whole years from date a to date b",
    "days_between": "days_between(a, b): whole days from date a to date b (negative if b is "
    "before a)",
    "months_between": "months_between(a, b): whole calendar months from date a to date b "
    "(negative if b is before a)",
    "add_days": "add_days(d, n): the date n days after date d (before, if n is negative)",
    "add_months": "add_months(d, n): the date n calendar months after date d, on the month's "
    "last day if it is shorter",
    "next_anniversary": "next_anniversary(d, ref): the first anniversary of date d on or after "
    "date ref (29 February's is 28 February in a common year)",
}

_ARITY: Mapping[str, int] = {
    "at": 2,
    "lookup": 2,
    "any": 2,
    "all": 2,
    "sum": 2,
    "min": 2,
    "max": 2,
    "within": 2,
    "all_within": 2,
    "date": 1,
    "years_between": 2,
    "days_between": 2,
    "months_between": 2,
    "add_days": 2,
    "add_months": 2,
    "next_anniversary": 2,
}


def _years(a: datetime.date, b: datetime.date) -> int:
    years = b.year - a.year
    if (b.month, b.day) < (a.month, a.day):
        years -= 1
    return years


_PERIODS: Mapping[str, tuple[tuple[Kind, Kind], Kind, Callable[[Any, Any], Any]]] = {
    "years_between": (("date", "date"), "int", _years),
    "days_between": (("date", "date"), "int", periods.days_between),
    "months_between": (("date", "date"), "int", periods.months_between),
    "add_days": (("date", "int"), "date", periods.add_days),
    "add_months": (("date", "int"), "date", periods.add_months),
    "next_anniversary": (("date", "date"), "date", periods.next_anniversary),
}
"""The functions of dates: argument kinds, result kind, the function of present values. A
result that is a date may be null even of present arguments (outside the calendar)."""

_WANTED = {"date": "a date", "int": "a whole number"}


def _read_as_of(_o: Any, c: Any) -> datetime.date:
    when = getattr(c, "as_of", None)
    if when is None:
        if c is None:
            raise FactsError(
                "`as_of` cannot be read here: a constraint or a computed default of a fact set "
                "is checked apart from any decision, so it has no as-of date"
            )
        raise FactsError(
            "the decision has no as-of date, and the policy reads `as_of`: decide as of a date "
            "(as_of=YYYY-MM-DD, --as-of)"
        )
    result: datetime.date = when
    return result


def _none_safe(fn: Callable[[Any], Any], arg: Getter) -> Getter:
    def get(o: Any, c: Any) -> Any:
        x = arg(o, c)
        return None if x is None else fn(x)

    return get


_ORDER: Mapping[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


class _Checker:
    def __init__(
        self, subject: str, resolver: Resolver, problems: list[Problem], as_of: bool = True
    ) -> None:
        self.subject = subject
        self.r = resolver
        self.problems = problems
        self.as_of = as_of
        self.alias: str | None = None  # inside `f(list, m -> body)`: `m`, naming a record

    def fail(self, code: str, message: str, span: Span, suggestion: str | None = None) -> None:
        self.problems.append(Problem(code, message, span, suggestion))

    # values ------------------------------------------------------------------------------------

    def visit(self, node: Node) -> Typed | None:  # noqa: PLR0912 - one branch per node type
        if isinstance(node, BoolConst):
            v = node.value
            return _const(BOOL, v)
        if isinstance(node, IntConst):
            n = node.value
            return _const(VType("int", minimum=n, maximum=n), n)
        if isinstance(node, StrConst):
            s = node.value
            return _const(VType("enum", (s,), literal=True), s)
        if isinstance(node, NullConst):
            return _const(NULL, None)
        if isinstance(node, ParamRef):
            return self.param(node)
        if isinstance(node, AsOf):
            if not self.as_of:
                self.fail(
                    "type-mismatch",
                    "`as_of` is the date a decision is made as of; this expression is evaluated "
                    "apart from any decision, so it cannot read it",
                    node.span,
                )
                return None
            return Typed(VType("date"), _read_as_of)
        if isinstance(node, FactRef):
            return self.path(node.subject, (node.feature,), node.span)
        if isinstance(node, Path):
            return self.path(node.subject, node.names, node.span)
        if isinstance(node, Compare | Relation):
            return self.compare(node.left, node.op, node.right, node.span)
        if isinstance(node, InSet):
            return self.member(node.term, ListConst(node.values, node.span), node.span)
        if isinstance(node, Member):
            return self.member(node.item, node.container, node.span)
        if isinstance(node, Not):
            inner = self.condition(node.item)
            if inner is None:
                return None
            return Typed(
                BOOL,
                _unary_not(inner),
                inner.reads,
                code=lambda o, c, n: f"(not {source(inner, o, c, n)})",
            )
        if isinstance(node, And | Or):
            return self.junction(node)
        if isinstance(node, If):
            return self.if_(node)
        if isinstance(node, Arith):
            return self.arith(node)
        if isinstance(node, Call):
            return self.call(node)
        if isinstance(node, ListConst):
            return self.list_(node)
        if isinstance(node, Lambda):
            self.fail(
                "type-mismatch",
                f"`{node}` is the last argument of a function over a list of records: "
                + ", ".join(f"`{n}(list, {node.var} -> …)`" for n in AGGREGATES),
                node.span,
            )
            return None
        if isinstance(node, TableRef):
            self.fail(
                "type-mismatch",
                f"`{node}` is a lookup table: read it with `lookup({node}, key)`",
                node.span,
            )
            return None
        if isinstance(node, DefRef):
            self.fail(
                "unknown-fact",
                f"`{node.name}`: a vocabulary expression reads `{self.subject}.<name>`; "
                "definitions are for rules",
                node.span,
            )
            return None
        if isinstance(node, QuestionRef):
            self.fail(
                "unknown-fact",
                f"`{node}`: a vocabulary expression cannot read a question's answer",
                node.span,
            )
            return None
        raise TypeError(f"not a node: {node!r}")  # pragma: no cover

    def condition(self, node: Node) -> Typed | None:
        typed = self.visit(node)
        if typed is None:
            return None
        if typed.type.kind != "bool":
            self.fail(
                "type-mismatch",
                f"`{node}` is {typed.type}, not a condition; compare it with something",
                getattr(node, "span", Span(1, 1)),
            )
            return None
        return typed

    def param(self, node: ParamRef) -> Typed | None:
        found = self.r.params.get(node.name)
        if found is None:
            near = suggest(node.name, set(self.r.params))
            self.fail(
                "unknown-parameter",
                f"unknown parameter `{node}`",
                node.span,
                f"param.{near}" if near else None,
            )
            return None
        ptype, value, delegated = found
        if delegated:
            self.fail(
                "type-mismatch",
                f"`{node}` is delegated to overlays; the vocabulary reads the city's values only, "
                "so compare a feature with it in a rule instead",
                node.span,
            )
            return None
        vtype = {
            "int": VType("int", minimum=value, maximum=value),
            "bool": BOOL,
            "code_prefix": VType("prefix"),
        }[ptype]
        return _const(vtype, value)

    def path(self, subject: str, names: tuple[str, ...], span: Span) -> Typed | None:
        if self.alias is not None and subject != self.alias:
            self.fail(
                "unknown-fact",
                f"`{'.'.join((subject, *names))}`: inside `{self.alias} -> …` an expression "
                f"reads the record, `{self.alias}.<name>`, parameters and tables only",
                span,
                self.alias,
            )
            return None
        if self.alias is None and subject != self.subject:
            self.fail(
                "unknown-fact",
                f"`{'.'.join((subject, *names))}`: this expression reads facts of `{self.subject}`",
                span,
                suggest(subject, {self.subject, "param"}),
            )
            return None
        current = self.subject
        getter: Getter | None = None
        reads: set[str] = set()
        prefix = ""
        optional = False
        typed: Typed | None = None
        steps: list[Typed] = []
        for i, name in enumerate(names):
            typed, problems = self.r.member(current, name, span)
            if typed is None:
                self.problems.extend(problems)
                return None
            steps.append(typed)
            step = typed.get
            if getter is None:
                getter = step
            else:
                outer = getter

                def chained(o: Any, c: Any, outer: Getter = outer, step: Getter = step) -> Any:
                    x = outer(o, c)
                    return None if x is None else step(x, c)

                getter = chained
            reads.update(prefix + r for r in typed.reads)
            prefix += name + "."
            if typed.type.kind == "subject" and i + 1 < len(names):
                optional = optional or typed.type.optional
                current = typed.type.subject or current
            elif i + 1 < len(names):
                self.fail(
                    "unknown-fact",
                    f"`{'.'.join((subject, *names[: i + 1]))}` is {typed.type}: it has no "
                    f"`{names[i + 1]}`",
                    span,
                )
                return None
        assert typed is not None
        assert getter is not None
        vtype = replace(typed.type, optional=typed.type.optional or optional)
        field = typed.field if len(names) == 1 else None
        return Typed(vtype, getter, frozenset(reads), field, code=_chain_code(steps))

    # conditions ----------------------------------------------------------------------------------

    def junction(self, node: And | Or) -> Typed | None:
        parts = [self.condition(i) for i in node.items]
        if any(p is None for p in parts):
            return None
        typed = tuple(p for p in parts if p is not None)
        getters = tuple(p.get for p in typed)
        reads = frozenset().union(*(p.reads for p in typed))
        if isinstance(node, And):
            return Typed(BOOL, _all(getters), reads, code=_junction_code(typed, "and"))
        return Typed(BOOL, _any(getters), reads, code=_junction_code(typed, "or"))

    def compare(self, left: Node, op: str, right: Node, span: Span) -> Typed | None:
        a, b = self.visit(left), self.visit(right)
        if a is None or b is None:
            return None
        if not self.comparable(a.type, b.type, op, left, right, span):
            return None
        ga, gb = a.get, b.get
        reads = a.reads | b.reads
        if op in ("==", "!="):
            return Typed(BOOL, _equality(a, b, op == "=="), reads, code=_equality_code(a, b, op))
        order = _ORDER[op]

        def ordered(o: Any, c: Any) -> bool:
            x, y = ga(o, c), gb(o, c)
            return x is not None and y is not None and order(x, y)

        return Typed(
            BOOL, ordered, reads, code=_both_code(a, b, lambda x, y: f"{x} {op} {y}", "False")
        )

    def comparable(self, a: VType, b: VType, op: str, left: Node, right: Node, span: Span) -> bool:
        if op in _ORDER:
            if a.kind == b.kind and a.kind in ("int", "date"):
                return True
            self.fail(
                "type-mismatch",
                f"`{op}` compares whole numbers or dates; `{left} {op} {right}` compares {a} "
                f"with {b}",
                span,
            )
            return False
        return self.fits(a, b, left, right, span)

    def fits(self, a: VType, b: VType, left: Node, right: Node, span: Span) -> bool:
        """Whether values of the two types may be compared for equality."""
        if a.kind == "null" or b.kind == "null":
            return True
        for x, y, node in ((a, b, right), (b, a, left)):
            if x.literal and y.kind == "enum" and not y.literal:
                if x.values[0] not in y.values:
                    self.fail(
                        "unknown-value",
                        f'"{x.values[0]}" is not {replace(y, optional=False)}',
                        getattr(node, "span", span) if node is right else span,
                        suggest(x.values[0], set(y.values)),
                    )
                    return False
                return True
            if x.literal and y.kind in ("place", "text"):
                if y.kind == "place":
                    problem = self.r.hierarchy.problem(x.values[0])
                    if problem is not None:
                        self.fail("type-mismatch", problem, span)
                        return False
                return True
        if a.kind == b.kind:
            return True
        self.fail("type-mismatch", f"`{left}` is {a}, `{right}` is {b}: they never equal", span)
        return False

    def member(self, item: Node, container: Node, span: Span) -> Typed | None:
        a, b = self.visit(item), self.visit(container)
        if a is None or b is None:
            return None
        element: VType | None = None
        if b.type.kind == "places":
            element = VType("place", levels=b.type.levels)
        elif b.type.kind == "list":
            element = VType((b.type.values and "enum") or "int")
            if isinstance(container, ListConst):
                for v in container.items:
                    typed = self.visit(v)
                    if typed is not None and not self.fits(a.type, typed.type, item, v, span):
                        return None
                element = None
        else:
            self.fail("type-mismatch", f"`{container}` is {b.type}, not a list", span)
            return None
        if element is not None and not self.fits(a.type, element, item, container, span):
            return None
        ga, gb = a.get, b.get
        return Typed(
            BOOL,
            lambda o, c: ga(o, c) in (gb(o, c) or ()),
            a.reads | b.reads,
            code=lambda o, c, n: f"({source(a, o, c, n)} in ({source(b, o, c, n)} or ()))",
        )

    def list_(self, node: ListConst) -> Typed | None:
        parts = [self.visit(i) for i in node.items]
        if any(p is None for p in parts):
            return None
        getters = tuple(p.get for p in parts if p is not None)
        strings = tuple(v for p in parts if p is not None for v in p.type.values)
        if all(isinstance(i, IntConst | StrConst | BoolConst) for i in node.items):
            frozen = frozenset(g(None, None) for g in getters)
            return _const(VType("list", strings), frozen)
        reads = frozenset().union(*(p.reads for p in parts if p is not None))
        typed = tuple(p for p in parts if p is not None)
        return Typed(
            VType("list", strings),
            lambda o, c: tuple(g(o, c) for g in getters),
            reads,
            code=_op_code(typed, ",", ("(", ",)")),
        )

    def if_(self, node: If) -> Typed | None:
        cond, then, other = self.condition(node.cond), self.visit(node.then), self.visit(node.other)
        if cond is None or then is None or other is None:
            return None
        present, absent = _null_tests(node.cond)
        then_type, other_type = then.type, other.type
        if str(node.then) in present:  # `if x != null then x else ...`: x is not null there
            then_type = replace(then_type, optional=False)
        if str(node.other) in absent:  # `if x == null then ... else x`
            other_type = replace(other_type, optional=False)
        vtype = self.unify(then_type, other_type, node)
        if vtype is None:
            return None
        gc, gt, go = cond.get, then.get, other.get

        def code(o: str, c: str, n: Names) -> str:
            test = source(cond, o, c, n)
            return f"({source(then, o, c, n)} if {test} else {source(other, o, c, n)})"

        return Typed(
            vtype,
            lambda o, c: gt(o, c) if gc(o, c) else go(o, c),
            cond.reads | then.reads | other.reads,
            code=code,
        )

    def unify(self, a: VType, b: VType, node: If) -> VType | None:
        if a.kind == "null":
            return replace(b, optional=True)
        if b.kind == "null":
            return replace(a, optional=True)
        optional = a.optional or b.optional
        if a.kind == "enum" and b.kind == "enum":
            values = tuple(dict.fromkeys((*a.values, *b.values)))
            return VType("enum", values, optional=optional)
        if a.kind == b.kind == "int":
            lows = [a.minimum, b.minimum]
            highs = [a.maximum, b.maximum]
            low = None if None in lows else min(x for x in lows if x is not None)
            high = None if None in highs else max(x for x in highs if x is not None)
            return VType("int", minimum=low, maximum=high, optional=optional)
        if a.kind == b.kind and a.kind in ("place", "places"):
            levels = tuple(dict.fromkeys((*a.levels, *b.levels)))
            return VType(a.kind, levels=levels, optional=optional)
        if a.kind == b.kind and a.kind in ("bool", "text", "date"):
            return VType(a.kind, optional=optional)
        if a.kind == b.kind == "subject" and a.subject == b.subject:
            return replace(a, optional=optional)
        self.fail(
            "type-mismatch",
            f"`{node}`: `then` gives {a}, `else` gives {b}; both must be of one type",
            node.span,
        )
        return None

    def arith(self, node: Arith) -> Typed | None:
        a, b = self.visit(node.left), self.visit(node.right)
        if a is None or b is None:
            return None
        for side, typed in ((node.left, a), (node.right, b)):
            if typed.type.kind != "int":
                self.fail(
                    "type-mismatch",
                    f"`{node.op}` works on whole numbers; `{side}` is {typed.type}",
                    node.span,
                )
                return None
        op = {"+": operator.add, "-": operator.sub, "*": operator.mul}[node.op]
        low, high = _range(node.op, a.type, b.type)
        ga, gb = a.get, b.get

        def get(o: Any, c: Any) -> Any:
            x, y = ga(o, c), gb(o, c)
            return None if x is None or y is None else op(x, y)

        return Typed(
            VType("int", minimum=low, maximum=high, optional=a.type.optional or b.type.optional),
            get,
            a.reads | b.reads,
            code=_both_code(a, b, lambda x, y: f"{x} {node.op} {y}", "None"),
        )

    # functions -----------------------------------------------------------------------------------

    def list_call(self, node: Call, typed: list[Typed], reads: frozenset[str]) -> Typed | None:
        """``count``, ``distinct`` and ``all_within``: functions of a list."""
        name, first = node.name, typed[0]
        if name == "count" and first.type.kind == "records":
            g0 = first.get
            return Typed(
                VType("int", minimum=0, maximum=first.type.maximum),
                lambda o, c: len(g0(o, c) or ()),
                reads,
            )
        if first.type.kind not in ("places", "list"):
            return self.wrong_arg(node, 0, "a list", first.type)
        g = first.get
        if name == "count":
            return Typed(VType("int", minimum=0), lambda o, c: len(g(o, c) or ()), reads)
        if name == "distinct":
            return Typed(BOOL, lambda o, c: len(set(x := g(o, c) or ())) == len(x), reads)
        if first.type.kind != "places":
            return self.wrong_arg(node, 0, "a list of places", first.type)
        other = typed[1]
        if other.type.kind not in ("place", "prefix") and not other.type.literal:
            return self.wrong_arg(node, 1, "a place or a code prefix", other.type)
        g1 = other.get

        def all_within(o: Any, c: Any) -> bool:
            places, outer = g(o, c) or (), g1(o, c)
            return all(outer is not None and p.startswith(outer) for p in places)

        return Typed(BOOL, all_within, reads)

    def call(self, node: Call) -> Typed | None:  # noqa: PLR0912 - one branch a function
        name = node.name
        if name not in FUNCTIONS:
            self.fail(
                "unknown-fact",
                f"unknown function `{name}`; known: " + ", ".join(sorted(FUNCTIONS)),
                node.span,
                suggest(name, set(FUNCTIONS)),
            )
            return None
        if name in AGGREGATES and (name != "count" or len(node.args) == 2):
            return self.aggregate(node)
        if name == "lookup" and len(node.args) == 2:
            return self.lookup(node)
        arity = _ARITY.get(name, 1)
        if len(node.args) != arity:
            self.fail(
                "type-mismatch",
                f"`{name}` takes {arity} argument{'s' if arity > 1 else ''}: {FUNCTIONS[name]}",
                node.span,
            )
            return None
        h = self.r.hierarchy
        if name == "date":
            return self.date_const(node)
        args = [self.visit(a) for a in node.args]
        if any(a is None for a in args):
            return None
        typed = [a for a in args if a is not None]
        first = typed[0]
        reads = frozenset().union(*(a.reads for a in typed))
        if name in ("count", "distinct", "all_within"):
            return self.list_call(node, typed, reads)
        if name in _PERIODS:
            return self.period(node, typed, reads)
        if first.type.kind != "place":
            return self.wrong_arg(node, 0, "a place", first.type)
        g = first.get
        optional = first.type.optional
        if name == "at":
            level = node.args[1]
            if not isinstance(level, StrConst) or level.value not in h.names[1:]:
                self.fail(
                    "unknown-value",
                    f"`{name}`: the level is one of {', '.join(repr(n) for n in h.names[1:])}",
                    node.span,
                    suggest(str(getattr(level, "value", "")), set(h.names[1:])),
                )
                return None
            n = h.length(level.value)
            finer = first.type.levels and all(h.length(lv) >= n for lv in first.type.levels)

            return Typed(
                VType("place", levels=(level.value,), optional=optional or not finer),
                _at_field(first.field, n) if first.field is not None else _unary(_prefix(n), first),
                reads,
                code=_unary_code(first, lambda t, _n: f"(None if len({t}) < {n} else {t}[:{n}])"),
            )
        if name == "within":
            other = typed[1]
            if other.type.kind not in ("place", "prefix") and not other.type.literal:
                return self.wrong_arg(node, 1, "a place or a code prefix", other.type)
            if other.constant is not None and isinstance(other.constant[0], str):
                prefix: str = other.constant[0]

                def inside_code(o: str, c: str, n: Names) -> str:
                    t = n.temp()
                    x = source(first, o, c, n)
                    return f"(({t} := {x}) is not None and {t}.startswith({prefix!r}))"

                if first.field is not None:
                    return Typed(BOOL, _within_field(first.field, prefix), reads, code=inside_code)
                inside = _unary(lambda x: x.startswith(prefix), first)
                return Typed(BOOL, lambda o, c: inside(o, c) is True, reads, code=inside_code)
            g1 = other.get

            def within(o: Any, c: Any) -> bool:
                x, y = g(o, c), g1(o, c)
                return x is not None and y is not None and x.startswith(y)

            code = _both_code(first, other, lambda x, y: f"{x}.startswith({y})", "False")
            return Typed(BOOL, within, reads, code=code)
        if name == "level":
            levels = first.type.levels or tuple(lv.name for lv in h.levels)
            return Typed(
                VType("enum", levels, optional=optional),
                _unary(h.level_of, first),
                reads,
                code=_unary_code(first, _call_code(h.level_of)),
            )
        if name == "form":
            return Typed(
                VType("enum", h.forms, optional=optional),
                _unary(h.form_of, first),
                reads,
                code=_unary_code(first, _call_code(h.form_of)),
            )
        kinds = tuple(dict.fromkeys(r.klass for lv in h.levels for r in lv.ranges))
        return Typed(
            VType("enum", kinds, optional=True),
            _unary(h.klass, first),
            reads,
            code=_unary_code(first, _call_code(h.klass)),
        )

    def aggregate(self, node: Call) -> Typed | None:
        """``any``, ``all``, ``count``, ``sum``, ``min``, ``max`` over a list of records: the
        body is checked about the list's record subject, with the variable naming a record."""
        name = node.name
        lam = node.args[-1]
        if len(node.args) != 2 or not isinstance(lam, Lambda):
            self.fail(
                "type-mismatch",
                f"`{name}` takes a list of records and `m -> …`: {AGGREGATES[name]}",
                node.span,
            )
            return None
        items = self.visit(node.args[0])
        if items is None:
            return None
        if items.type.kind != "records" or items.type.subject is None:
            return self.wrong_arg(node, 0, "a list of records", items.type)
        inner = _Checker(items.type.subject, self.r, self.problems, self.as_of)
        inner.alias = lam.var
        body = inner.condition(lam.body) if name in CONDITIONS else inner.visit(lam.body)
        if body is None:
            return None
        if name not in CONDITIONS and body.type.kind != "int":
            self.fail(
                "type-mismatch",
                f"`{name}` adds or compares whole numbers; `{lam.body}` is {body.type}",
                lam.span,
            )
            return None
        get = aggregate(name, items.get, body.get)
        most = items.type.maximum
        if name in ("any", "all"):
            return Typed(BOOL, get, items.reads)
        if name == "count":
            return Typed(VType("int", minimum=0, maximum=most), get, items.reads)
        low, high = body.type.minimum, body.type.maximum
        if name == "sum":
            if low is None or high is None or most is None:
                return Typed(VType("int"), get, items.reads)
            return Typed(
                VType("int", minimum=min(0, low * most), maximum=max(0, high * most)),
                get,
                items.reads,
            )
        return Typed(VType("int", minimum=low, maximum=high, optional=True), get, items.reads)

    def lookup(self, node: Call) -> Typed | None:
        """``lookup(table.name, key)``: the key must be of the table's key type."""
        ref = node.args[0]
        if not isinstance(ref, TableRef):
            self.fail(
                "type-mismatch",
                f"`lookup` reads a table, `lookup(table.<name>, key)`; `{ref}` is no table",
                node.span,
            )
            return None
        table = self.r.tables.get(ref.name)
        if table is None:
            near = suggest(ref.name, set(self.r.tables))
            self.fail(
                "unknown-table",
                f"unknown table `{ref}`; the policy's tables: "
                + (", ".join(sorted(self.r.tables)) or "none"),
                ref.span,
                f"table.{near}" if near else None,
            )
            return None
        key = self.visit(node.args[1])
        if key is None:
            return None
        wanted = self.table_type(table.key)
        if not self.fits(key.type, wanted, node.args[1], ref, node.span):
            return None
        vtype = replace(self.table_type(table.value, table), optional=table.default is None)
        return Typed(vtype, lookup(table, key.get), key.reads)

    def table_type(self, kind: str, table: Table | None = None) -> VType:
        """The type of a table's key or value (with a value's range, from the rows)."""
        if kind in self.r.enums:
            return VType("enum", self.r.enums[kind])
        if kind == "int" and table is not None:
            values = [*table.rows.values(), *([table.default] if table.default is not None else [])]
            return VType("int", minimum=min(values, default=0), maximum=max(values, default=0))
        if kind == "place":
            return VType("place", levels=tuple(lv.name for lv in self.r.hierarchy.levels))
        return VType(kind)  # type: ignore[arg-type]

    def period(self, node: Call, typed: list[Typed], reads: frozenset[str]) -> Typed | None:
        """A function of dates (``_PERIODS``): null of a null argument."""
        kinds, result, fn = _PERIODS[node.name]
        for i, (a, kind) in enumerate(zip(typed, kinds, strict=True)):
            if a.type.kind != kind:
                return self.wrong_arg(node, i, _WANTED[kind], a.type)
        g0, g1 = typed[0].get, typed[1].get

        def get(o: Any, c: Any) -> Any:
            x, y = g0(o, c), g1(o, c)
            return None if x is None or y is None else fn(x, y)

        optional = result == "date" or any(a.type.optional for a in typed)
        return Typed(VType(result, optional=optional), get, reads)

    def date_const(self, node: Call) -> Typed | None:
        arg = node.args[0]
        value: datetime.date | None = None
        if isinstance(arg, StrConst):
            try:
                value = datetime.date.fromisoformat(arg.value)
            except ValueError:
                value = None
        if value is None:
            self.fail("type-mismatch", '`date` takes a literal "YYYY-MM-DD"', node.span)
            return None
        return _const(VType("date"), value)

    def wrong_arg(self, node: Call, i: int, wanted: str, got: VType) -> Typed | None:
        self.fail(
            "type-mismatch",
            f"`{node.name}` takes {wanted} as argument {i + 1}, got {got}: {FUNCTIONS[node.name]}",
            node.span,
        )
        return None


def _prefix(n: int) -> Callable[[str], str | None]:
    def at(x: str) -> str | None:
        return x[:n] if len(x) >= n else None

    return at


def _at_field(name: str, n: int) -> Getter:
    """``at(field, level)``: what ``_unary(_prefix(n), field)`` computes, in one call."""

    def at(o: Any, _c: Any) -> str | None:
        x = getattr(o, name)
        return None if x is None or len(x) < n else x[:n]

    return at


def _within_field(name: str, prefix: str) -> Getter:
    """``within(field, "prefix")``: true where the field's code starts with the prefix (false
    for null), in one call."""

    def within(o: Any, _c: Any) -> bool:
        x = getattr(o, name)
        return x is not None and x.startswith(prefix)

    return within


def _unary_not(inner: Typed) -> Getter:
    name = inner.field
    if name is not None:
        return lambda o, _c: not getattr(o, name)
    g = inner.get
    return lambda o, c: not g(o, c)


def _all(getters: tuple[Getter, ...]) -> Getter:
    if len(getters) == 2:
        a, b = getters
        return lambda o, c: bool(a(o, c) and b(o, c))
    if len(getters) == 3:
        a, b, d = getters
        return lambda o, c: bool(a(o, c) and b(o, c) and d(o, c))
    return lambda o, c: all(g(o, c) for g in getters)


def _any(getters: tuple[Getter, ...]) -> Getter:
    if len(getters) == 2:
        a, b = getters
        return lambda o, c: bool(a(o, c) or b(o, c))
    if len(getters) == 3:
        a, b, d = getters
        return lambda o, c: bool(a(o, c) or b(o, c) or d(o, c))
    return lambda o, c: any(g(o, c) for g in getters)


def _equality(a: Typed, b: Typed, equal: bool) -> Getter:
    """``a == b`` (or ``!=``) with a field read in place and a constant bound."""
    if a.constant is not None and b.constant is None:
        a, b = b, a
    if b.constant is not None:
        k = b.constant[0]
        name = a.field
        if name is not None:
            if equal:
                return lambda o, _c: getattr(o, name) == k
            return lambda o, _c: getattr(o, name) != k
        g = a.get
        if equal:
            return lambda o, c: g(o, c) == k
        return lambda o, c: g(o, c) != k
    ga, gb = a.get, b.get
    if equal:
        return lambda o, c: ga(o, c) == gb(o, c)
    return lambda o, c: ga(o, c) != gb(o, c)


def _null_tests(cond: Node) -> tuple[set[str], set[str]]:
    """What a condition proves present when it holds (``x != null``, joined by ``and``) and when
    it does not (``x == null``, joined by ``or``), as the text of each ``x``."""
    present: set[str] = set()
    absent: set[str] = set()
    items = cond.items if isinstance(cond, And | Or) else (cond,)
    for item in items:
        if isinstance(item, Compare | Relation) and item.op in ("==", "!="):
            sides = (item.left, item.right)
            if isinstance(sides[1], NullConst) or isinstance(sides[0], NullConst):
                x = sides[0] if isinstance(sides[1], NullConst) else sides[1]
                if item.op == "!=" and not isinstance(cond, Or):
                    present.add(str(x))
                if item.op == "==" and not isinstance(cond, And):
                    absent.add(str(x))
    return present, absent


def _range(op: str, a: VType, b: VType) -> tuple[int | None, int | None]:
    ends = (a.minimum, a.maximum, b.minimum, b.maximum)
    if any(e is None for e in ends):
        return None, None
    a0, a1, b0, b1 = (int(e) for e in ends if e is not None)
    if op == "+":
        return a0 + b0, a1 + b1
    if op == "-":
        return a0 - b1, a1 - b0
    products = [a0 * b0, a0 * b1, a1 * b0, a1 * b1]
    return min(products), max(products)
