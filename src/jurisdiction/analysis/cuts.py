"""Which values of each field the policy can tell apart: the cuts of the realiser's domains.

The realiser searches a small domain per field. That search proves a class of cases impossible
only when each domain holds a value of every region of the field's values that some condition
can tell apart. This module finds those regions from the expressions themselves (features,
constraints, the class's wanted feature values), as the partition cuts integer features:

* a field that is only compared with constants (``x >= 18``, ``x == null``, ``x in [1, 2]``,
  ``d < date("2025-01-01")``), directly or through an ``if`` that passes it on unchanged, is
  *cut* at those constants: its value matters only as below, at, or above each, so the constants
  and their neighbours (c−1, c, c+1; the day before and after) are a complete domain;
* ``count(list)`` compared with constants cuts the list's length the same way;
* a field read any other way — compared with another field, in arithmetic, as an argument of a
  function such as ``years_between`` — is *tied*: no finite set of its values is known to be
  complete, so a search that fails over it proves nothing ("could not construct"), and the
  realiser instead constructs values relative to the other fields (see ``DATE_STEPS`` in
  ``realise``), recording which functions tie it.

Nothing here knows any policy: it reads the subject's declarations and the parsed expressions.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from ..language.conditions import (
    And,
    Arith,
    AsOf,
    BoolConst,
    Call,
    Compare,
    FactRef,
    If,
    InSet,
    IntConst,
    ListConst,
    Member,
    Node,
    Not,
    NullConst,
    Or,
    ParamRef,
    Path,
    Relation,
    StrConst,
)
from ..language.parse import parse_expression
from ..language.periods import add_days, add_months, days_between, months_between
from ..language.subjects import Context, Subject

__all__ = ["NOT_A_VALUE", "VALUES", "FieldUses", "Uses", "partner_value", "target_uses", "uses_of"]

_NO = object()
"""Not a constant."""


@dataclass(slots=True)
class FieldUses:
    """How one field (a dotted path) is read."""

    cuts: set[Any] = field(default_factory=set)
    """Constants it is compared with (ints, dates, strings; null left out)."""
    counts: set[int] = field(default_factory=set)
    """Constants its ``count`` is compared with (a list of places)."""
    tied: bool = False
    """Read otherwise than compared with a constant: its domain is not known to be complete."""
    functions: set[str] = field(default_factory=set)
    """The functions it is an argument of where it is tied (``years_between``, ...)."""
    by: set[str] = field(default_factory=set)
    """The expressions (their text) that tie it: what a report of incompleteness names."""
    partners: set[tuple[Node, tuple[str, ...]]] = field(default_factory=set)
    """What it is compared with where that is no constant (``12 * years_between(a, b)`` in
    ``months >= 12 * years_between(a, b)``), with the path of the subject that expression reads
    from: the realiser tries the value of each (and its neighbours) once the fields it reads
    are set."""


@dataclass(slots=True)
class Uses:
    """Every field's uses, for one subject (nested subjects' fields by dotted path)."""

    fields: dict[str, FieldUses] = field(default_factory=dict)
    amounts: set[int] = field(default_factory=set)
    """Whole numbers a function's value is compared with (``years_between(a, b) >= 3``): how
    far apart the realiser tries dates."""

    def of(self, path: str) -> FieldUses:
        found = self.fields.get(path)
        if found is None:
            found = self.fields[path] = FieldUses()
        return found

    def merged(self, *others: Uses) -> Uses:
        """These uses and the others together, as new uses: a field only one of them reads
        keeps the same record object (records are not changed once the uses are built), a
        field several read gets a new one — so a merge costs the fields of ``others``, not
        those of ``self`` too (and ``self``'s are copied once, however many others)."""
        fields = dict(self.fields)
        amounts = set(self.amounts)
        for other in others:
            for path, u in other.fields.items():
                mine = fields.get(path)
                fields[path] = (
                    u
                    if mine is None
                    else FieldUses(
                        mine.cuts | u.cuts,
                        mine.counts | u.counts,
                        mine.tied or u.tied,
                        mine.functions | u.functions,
                        mine.by | u.by,
                        mine.partners | u.partners,
                    )
                )
            amounts |= other.amounts
        return Uses(fields, amounts)


@cache
def _parsed(text: str) -> Node | None:
    try:
        return parse_expression(text)
    except ValueError:  # pragma: no cover - the loader parsed it already
        return None


_SHIFTS = {"add_days": add_days, "add_months": add_months}
"""The date functions folded when their arguments are constants (``add_months(as_of, -6)``)."""

# contexts a node is read in
_COND = ("cond",)
_OPAQUE = ("opaque", None)


class _Reader:
    def __init__(
        self, subjects: Mapping[str, Subject], ctx: Context, out: Uses, source: str
    ) -> None:
        self.subjects = subjects
        self.ctx = ctx
        self.out = out
        self.source = source
        self.stack: list[tuple[str, str]] = []

    def constant(self, node: Node) -> Any:
        if isinstance(node, IntConst | StrConst | BoolConst):
            return node.value
        if isinstance(node, NullConst):
            return None
        if isinstance(node, ParamRef):
            try:
                return self.ctx.param(node.name)
            except KeyError:
                return _NO
        if isinstance(node, AsOf):  # the day the check decides as of: a constant there
            return self.ctx.as_of if self.ctx.as_of is not None else _NO
        if isinstance(node, Call) and node.name == "date" and len(node.args) == 1:
            arg = node.args[0]
            if isinstance(arg, StrConst):
                try:
                    return datetime.date.fromisoformat(arg.value)
                except ValueError:
                    return _NO
        if isinstance(node, Call) and node.name in _SHIFTS and len(node.args) == 2:
            day, n = self.constant(node.args[0]), self.constant(node.args[1])
            if isinstance(day, datetime.date) and isinstance(n, int) and not isinstance(n, bool):
                shifted = _SHIFTS[node.name](day, n)
                return shifted if shifted is not None else _NO
        return _NO

    def read(  # noqa: PLR0912 - one branch per kind of node
        self, node: Node, ctx: tuple[Any, ...], subject: Subject, prefix: tuple[str, ...]
    ) -> None:
        if isinstance(node, Compare | Relation):
            left, right = self.constant(node.left), self.constant(node.right)
            if left is _NO and right is not _NO:
                self.read(node.left, ("const", frozenset([right])), subject, prefix)
            elif right is _NO and left is not _NO:
                self.read(node.right, ("const", frozenset([left])), subject, prefix)
            elif left is _NO and right is _NO:
                self.read(node.left, ("opaque", None, node.right, prefix), subject, prefix)
                self.read(node.right, ("opaque", None, node.left, prefix), subject, prefix)
        elif isinstance(node, InSet):
            values = frozenset(v.value for v in node.values)
            self.read(node.term, ("const", values), subject, prefix)
        elif isinstance(node, Member):
            items = self.constant_list(node.container)
            if items is not None:
                self.read(node.item, ("const", items), subject, prefix)
            else:
                self.read(node.item, _OPAQUE, subject, prefix)
                self.read(node.container, _OPAQUE, subject, prefix)
        elif isinstance(node, If):
            self.read(node.cond, _COND, subject, prefix)
            self.read(node.then, ctx, subject, prefix)
            self.read(node.other, ctx, subject, prefix)
        elif isinstance(node, Not):
            self.read(node.item, _COND, subject, prefix)
        elif isinstance(node, And | Or):
            for item in node.items:
                self.read(item, _COND, subject, prefix)
        elif isinstance(node, Call):
            if node.name == "date":
                return
            if node.name == "count" and ctx[0] == "const" and len(node.args) == 1:
                self.read(node.args[0], ("count", ctx[1]), subject, prefix)
                return
            if ctx[0] == "const":
                self.out.amounts.update(
                    v for v in ctx[1] if isinstance(v, int) and not isinstance(v, bool)
                )
            for arg in node.args:  # a number it is given (``add_days(d, 30)``) is an amount too
                value = self.constant(arg)
                if isinstance(value, int) and not isinstance(value, bool):
                    self.out.amounts.add(value)
            for arg in node.args:
                self.read(arg, ("opaque", node.name), subject, prefix)
        elif isinstance(node, Arith | ListConst):
            for child in (node.left, node.right) if isinstance(node, Arith) else node.items:
                self.read(
                    child, ("opaque", ctx[1] if ctx[0] == "opaque" else None), subject, prefix
                )
        elif isinstance(node, FactRef):
            self.name(subject, prefix, node.subject, (node.feature,), ctx)
        elif isinstance(node, Path):
            self.name(subject, prefix, node.subject, node.names, ctx)
        # constants, definitions and questions read no field

    def constant_list(self, node: Node) -> frozenset[Any] | None:
        if isinstance(node, ListConst):
            values = [self.constant(i) for i in node.items]
            return None if any(v is _NO for v in values) else frozenset(values)
        return None

    def name(
        self,
        subject: Subject,
        prefix: tuple[str, ...],
        head: str,
        names: tuple[str, ...],
        ctx: tuple[Any, ...],
    ) -> None:
        if head != subject.name:  # pragma: no cover - the type checker refused it
            return
        current = subject
        path = prefix
        for i, name in enumerate(names):
            info = current.fields.get(name)
            last = i + 1 == len(names)
            if info is not None:
                path = (*path, name)
                if info.kind == "subject" and not last and info.subject is not None:
                    current = self.subjects[info.subject]
                    continue
                self.leaf(".".join(path), ctx)
                return
            if name in current.features and last:
                self.feature(current, path, name, ctx)
                return
            if name in current.places and last:
                dotted = "".join(p + "." for p in path)
                for read in current.places[name].reads:
                    self.leaf(dotted + read, _OPAQUE)
                return
            return  # pragma: no cover - an unknown name was refused at load

    def feature(
        self, subject: Subject, prefix: tuple[str, ...], name: str, ctx: tuple[Any, ...]
    ) -> None:
        key = (subject.name + "/" + ".".join(prefix), name)
        if key in self.stack:  # pragma: no cover - feature cycles are refused at load
            return
        node = _parsed(subject.features[name].expr)
        if node is None:  # pragma: no cover
            return
        self.stack.append(key)
        try:
            self.read(node, ctx, subject, prefix)
        finally:
            self.stack.pop()

    def leaf(self, path: str, ctx: tuple[Any, ...]) -> None:
        uses = self.out.of(path)
        kind = ctx[0]
        if kind == "const":
            uses.cuts.update(v for v in ctx[1] if v is not None)
        elif kind == "count":
            uses.counts.update(v for v in ctx[1] if isinstance(v, int))
        elif kind == "opaque":
            uses.tied = True
            if ctx[1] is not None:
                uses.functions.add(ctx[1])
            if len(ctx) > 2:  # compared with this expression, as it is
                uses.partners.add((ctx[2], ctx[3]))
            uses.by.add(self.source)


def _flat_constraints(
    subjects: Mapping[str, Subject], subject: Subject, prefix: tuple[str, ...]
) -> Iterable[tuple[Subject, tuple[str, ...], str]]:
    for c in subject.constraints:
        yield subject, prefix, c.text
    for name, info in subject.fields.items():
        if info.kind == "subject" and info.subject is not None:
            yield from _flat_constraints(subjects, subjects[info.subject], (*prefix, name))


def uses_of(subjects: Mapping[str, Subject], subject: Subject, ctx: Context) -> Uses:
    """The uses of every field of ``subject`` by its constraints (nested subjects' included)."""
    out = Uses()
    for owner, prefix, text in _flat_constraints(subjects, subject, ()):
        node = _parsed(text)
        if node is not None:
            _Reader(subjects, ctx, out, f"constraint `{text}`").read(node, _COND, owner, prefix)
    return out


def target_uses(
    subjects: Mapping[str, Subject], subject: Subject, ctx: Context, name: str, value: Any
) -> Uses:
    """The uses of the fields that feature ``name`` reads when it must take ``value`` (a bool,
    an enum value, a whole number, or a ``range`` of whole numbers)."""
    out = Uses()
    feature = subject.features[name]
    if isinstance(value, bool):
        target: tuple[Any, ...] = _COND
    elif isinstance(value, range):
        target = ("const", frozenset({value.start, value.stop - 1}))
    else:
        target = ("const", frozenset({value}))
    reader = _Reader(subjects, ctx, out, f"feature `{feature.expr}`")
    reader.feature(subject, (), name, target)
    return out


def _years(a: datetime.date, b: datetime.date) -> int:
    years = b.year - a.year
    if (b.month, b.day) < (a.month, a.day):
        years -= 1
    return years


VALUES: dict[str, Any] = {
    "years_between": _years,
    "months_between": months_between,
    "days_between": days_between,
}
"""Functions a partner expression may call, evaluated to propose a value (``partner_value``):
a new function of dates adds its entry here. Only proposals: every value is then checked by
the policy's own compiled constraints."""


def partner_value(  # noqa: PLR0912 - one branch per kind of node
    node: Node, root: Any, prefix: tuple[str, ...], ctx: Context
) -> Any:
    """The value of a partner expression on a partly built fact set, or ``_NO`` if it reads
    something not set (or that it cannot evaluate): a proposal for the field compared with it."""
    if isinstance(node, IntConst | StrConst | BoolConst):
        return node.value
    if isinstance(node, ParamRef):
        try:
            return ctx.param(node.name)
        except KeyError:
            return _NO
    if isinstance(node, FactRef | Path):
        names = (node.feature,) if isinstance(node, FactRef) else node.names
        value = root
        for name in (*prefix, *names):
            value = getattr(value, name, _NO)
            if value is _NO or value is None:
                return _NO
        return value
    if isinstance(node, Arith):
        a = partner_value(node.left, root, prefix, ctx)
        b = partner_value(node.right, root, prefix, ctx)
        if not isinstance(a, int) or not isinstance(b, int):
            return _NO
        return a + b if node.op == "+" else a - b if node.op == "-" else a * b
    if isinstance(node, Call) and node.name in VALUES:
        args = [partner_value(a, root, prefix, ctx) for a in node.args]
        if any(a is _NO for a in args):
            return _NO
        try:
            return VALUES[node.name](*args)
        except (TypeError, ValueError):
            return _NO
    if isinstance(node, Call) and node.name == "date" and isinstance(node.args[0], StrConst):
        try:
            return datetime.date.fromisoformat(node.args[0].value)
        except ValueError:
            return _NO
    return _NO


NOT_A_VALUE = _NO
