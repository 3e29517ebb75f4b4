"""A question compiled into one specialised Python function: its decision tree, as source.

The engine decides a fact set by computing every feature its rules read, then looking up the
class of those values (see ``language.compile.Program``). A question decided often enough gets
a function of its own instead, generated from the same classes the batch plan builds
(``batch.plan``): every class of feature values is decided once, here, by the engine's own
program and plan (``plan_of``), and the function is the decision tree over them —

* at each node it tests the feature that leaves least to tell apart below it, so it reads only
  the features the answer depends on along its path, and each of those once (a field as an
  attribute, a computed feature by its compiled getter);
* a boolean is tested as ``is True`` / ``is False``, an enum by equality, a whole number against
  the cut points of the rules' comparisons (``Program.cuts``);
* a leaf is the plan of its class: it builds the decision (in place, where the plan gives its
  statements as source: ``_Plan.source``).

A question whose classes are more than ``MAX_CLASSES`` is not enumerated: its tree is grown
from its conditions instead (``_Residuals``, ``engine.residual``), each node holding what is left
of every rule's condition once the values tested on its path are put in, a leaf where all are
decided.

Nothing of a policy is in this module: the source is generated from the question's features and
the classes its rules make. A value the tree does not know (an enum value, a null, a whole number
compared with another feature, a feature kind the classes do not cover) is decided by the
general path (``general``), as is a question whose tree would be too large (``MAX_LINES``): the
specialised function is an optimisation that decides exactly as the general path does
(``tests/test_specialise.py`` checks it on drawn facts for every question).
"""

from __future__ import annotations

import itertools
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..language.compile import Program, _Compiler
from ..language.conditions import Expr
from ..language.expressions import Names
from ..language.subjects import Feature
from . import residual

__all__ = [
    "MAX_CLASSES",
    "MAX_LINES",
    "Dim",
    "Partition",
    "Specialised",
    "Writer",
    "specialise",
    "tree",
]

Specialised = Callable[[Any, Any, Any, Any], Any]
"""``(facts, ctx, as_of, source) -> Decision``: a question's specialised function."""

MAX_CLASSES = 1 << 14
"""A question (or district variant) with more classes of feature values than this is not
enumerated class by class (that would cost seconds: second_child_approval has 50,176): its tree
is grown from its conditions."""

MAX_LINES = 20_000
"""... and so does one whose tree would take more lines of source than this."""

Dim = tuple[str, str, tuple[Any, ...]]  # (feature, kind, values or cut points)
_Table = frozenset[tuple[tuple[int, ...], int]]  # (index along each free dimension, leaf number)


class _TooLargeError(Exception):
    pass


def specialise(
    features: Mapping[str, Feature],
    conditions: Sequence[Expr],
    plan_of: Callable[[list[Any]], Any],
    general: Specialised,
    name: str = "question",
) -> Specialised | None:
    """The specialised function of a question's (folded) ``conditions`` over ``features``; None
    where the general path must decide it (see the module's docstring). ``plan_of`` gives the
    plan of one class (a list of feature values, in the compiler's slot order); its ``decide``
    makes the decision."""
    found = tree(
        features,
        conditions,
        plan_of,
        lambda dims, partition, names: Writer(dims, features, partition, names),
        {"general": general},
    )
    if found is None:
        return None
    lines, dims, partition, scope = found
    source = "def decide(m, ctx, as_of, source):\n" + "\n".join(lines) + "\n"
    for i, plan in enumerate(partition.leaves):
        scope[f"P{i}"] = plan.decide
    for i, (feature, _kind, _values) in enumerate(dims):
        scope[f"g{i}"] = features[feature].get
    code = compile(source, f"<specialised {name}>", "exec")
    exec(code, scope)  # the source is generated above from identifiers and repr()s only
    decide: Specialised = scope["decide"]
    return decide


def tree(
    features: Mapping[str, Feature],
    conditions: Sequence[Expr],
    plan_of: Callable[[list[Any]], Any],
    writer: Callable[[list[Dim], Partition, Names], Writer],
    scope: dict[str, Any],
) -> tuple[list[str], list[Dim], Partition, dict[str, Any]] | None:
    """The body of a question's decide function (its lines, indented once), its dimensions, its
    partition (whose ``leaves`` are the plans) and the scope its names are bound in; None where
    the general path must decide it. ``writer`` makes the writer of the lines (``Writer``, or a
    subclass with other leaves and reads: ``engine.kept_answers``)."""
    comp = _Compiler(features, conditions)
    program = comp.program()
    names = sorted(comp.slot, key=comp.slot.__getitem__)
    cuts = dict(program.cuts)
    dims: list[Dim] = []
    choices: list[list[Any]] = []
    for i, feature in enumerate(names):
        ftype = features[feature].type
        if ftype.kind == "bool":
            dims.append((feature, "bool", (False, True)))
            choices.append([False, True])
        elif ftype.kind == "enum":
            dims.append((feature, "enum", ftype.values))
            choices.append(list(ftype.values))
        elif ftype.kind == "int" and i in cuts:
            points = cuts[i]
            dims.append((feature, "int", points))
            choices.append([points[0] - 1, *points] if points else [0])
        else:  # compared with another feature, or a kind the classes do not cover
            return None
    partition: Partition
    if _product(len(c) for c in choices) <= MAX_CLASSES:
        partition = _Classes(choices, plan_of)
    else:  # too many to enumerate: a tree over the features, grown from the conditions
        partition = _Residuals(dims, choices, conditions, program, plan_of)
    w = writer(dims, partition, Names(scope))
    try:
        w.node(tuple(range(len(dims))), partition.root, frozenset(), 1)
    except _TooLargeError:
        return None
    return w.lines, dims, partition, scope


def _product(sizes: Any) -> int:
    out = 1
    for n in sizes:
        out *= n
    return out


def _split(table: _Table, p: int) -> dict[int, _Table]:
    """The sub-tables of each index along the ``p``-th free dimension, without it."""
    groups: dict[int, list[tuple[tuple[int, ...], int]]] = {}
    for idx, leaf in table:
        groups.setdefault(idx[p], []).append((idx[:p] + idx[p + 1 :], leaf))
    return {v: frozenset(g) for v, g in groups.items()}


class Partition(ABC):
    """What a node of the tree knows, and how it splits: ``root`` is the whole question's
    state; ``leaf`` the number of the plan a state decides alone (None if it does not);
    ``best`` the free dimension to test next; ``split`` the state under each of its values (by
    index: False then True, an enum's values, a whole number's classes). States are compared
    and hashed: equal states below a test share a branch."""

    root: Any
    leaves: list[Any]

    @abstractmethod
    def leaf(self, state: Any) -> int | None:
        """See the class."""

    @abstractmethod
    def best(self, free: tuple[int, ...], state: Any) -> int:
        """See the class."""

    @abstractmethod
    def split(self, free: tuple[int, ...], state: Any, p: int) -> list[Any]:
        """See the class."""


class _Classes(Partition):
    """Every class of feature values enumerated, each decided by its plan: a state is a table
    of (index along each free dimension, leaf number)."""

    def __init__(self, choices: list[list[Any]], plan_of: Callable[[list[Any]], Any]) -> None:
        self.leaves = []
        number: dict[int, int] = {}
        rows: list[tuple[tuple[int, ...], int]] = []
        for idx, combo in zip(
            itertools.product(*(range(len(c)) for c in choices)),
            itertools.product(*choices),
            strict=True,
        ):
            plan = plan_of(list(combo))
            leaf = number.get(id(plan))
            if leaf is None:
                leaf = number[id(plan)] = len(self.leaves)
                self.leaves.append(plan)
            rows.append((idx, leaf))
        self.root = frozenset(rows)
        self.choice: dict[tuple[tuple[int, ...], _Table], int] = {}
        self.sizes = [len(c) for c in choices]

    def leaf(self, state: _Table) -> int | None:
        leaves = {leaf for _i, leaf in state}
        return leaves.pop() if len(leaves) == 1 else None

    def best(self, free: tuple[int, ...], state: _Table) -> int:
        """The dimension that leaves least to tell apart below it (as the batch plan's tree
        chooses)."""
        key = (free, state)
        found = self.choice.get(key)
        if found is None:

            def cost(p: int) -> tuple[int, int]:
                subs = set(_split(state, p).values())
                return sum(len({leaf for _i, leaf in sub}) for sub in subs), len(subs)

            found = self.choice[key] = min(range(len(free)), key=cost)
        return found

    def split(self, free: tuple[int, ...], state: _Table, p: int) -> list[_Table]:
        groups = _split(state, p)
        return [groups[v] for v in range(self.sizes[free[p]])]


class _Residuals(Partition):
    """A tree over the features, for a question whose classes are too many to enumerate: a
    state is what is left of each rule's condition once the values tested on the path are put
    in (``engine.residual``); it is a leaf once every condition is left true or false. The
    next test is of the feature most of the undecided conditions read (ties: fewer values,
    then the first)."""

    def __init__(
        self,
        dims: Sequence[Dim],
        choices: list[list[Any]],
        conditions: Sequence[Expr],
        program: Program,
        plan_of: Callable[[list[Any]], Any],
    ) -> None:
        self.dims, self.choices, self.program, self.plan_of = dims, choices, program, plan_of
        self.root = tuple(conditions)
        self.leaves = []
        self.number: dict[int, int] = {}  # a mask's leaf
        self.known: dict[tuple[Expr, ...], dict[int, Any]] = {self.root: {}}
        """Values that lead to each state met (a witness: its leaf's plan is found by them)."""
        self.read: dict[int, frozenset[str]] = {}

    def leaf(self, state: tuple[Expr, ...]) -> int | None:
        mask = residual.decided(state)
        if mask is None:
            return None
        found = self.number.get(mask)
        if found is None:
            known = self.known[state]
            values = [known.get(d, c[0]) for d, c in enumerate(self.choices)]
            if self.program.mask_of(list(values)) != mask:  # pragma: no cover - a safeguard
                raise _TooLargeError  # the general path decides it rather than a wrong tree
            found = self.number[mask] = len(self.leaves)
            self.leaves.append(self.plan_of(values))
        return found

    def mentions(self, c: Expr) -> frozenset[str]:
        found = self.read.get(id(c))
        if found is None:
            found = self.read[id(c)] = residual.mentions(c)
        return found

    def best(self, free: tuple[int, ...], state: tuple[Expr, ...]) -> int:
        count: dict[str, int] = {}
        for c in state:
            for feature in self.mentions(c):
                count[feature] = count.get(feature, 0) + 1

        def order(p: int) -> tuple[int, int, int]:
            d = free[p]
            return (-count.get(self.dims[d][0], 0), len(self.choices[d]), p)

        return min(range(len(free)), key=order)

    def split(self, free: tuple[int, ...], state: tuple[Expr, ...], p: int) -> list[Any]:
        d = free[p]
        feature = self.dims[d][0]
        known = self.known[state]
        out = []
        for value in self.choices[d]:
            memo: dict[int, Expr] = {}
            sub = tuple(residual.assign(c, feature, value, memo) for c in state)
            self.known.setdefault(sub, {**known, d: value})
            out.append(sub)
        return out


class Writer:
    """The tree as indented lines of Python. A node tests one free dimension (the partition's
    ``best``), reading its feature first if this path has not read it yet."""

    def __init__(
        self,
        dims: Sequence[Dim],
        features: Mapping[str, Feature],
        partition: Partition,
        names: Names,
    ) -> None:
        self.dims, self.features, self.partition, self.names = dims, features, partition, names
        self.lines: list[str] = []
        self.code: dict[int, str] = {}
        self.leaves: dict[int, list[str]] = {}

    def emit(self, depth: int, line: str) -> None:
        if len(self.lines) >= MAX_LINES:
            raise _TooLargeError
        self.lines.append("    " * depth + line)

    def node(self, free: tuple[int, ...], state: Any, read: frozenset[int], depth: int) -> None:
        leaf = self.partition.leaf(state)
        if leaf is not None:
            for line in self.leaf(leaf):
                self.emit(depth, line)
            return
        p = self.partition.best(free, state)
        d = free[p]
        _feature, kind, values = self.dims[d]
        rest = free[:p] + free[p + 1 :]
        keys = self.partition.split(free, state, p)
        if len(set(keys)) == 1:
            self.node(rest, keys[0], read, depth)
            return
        if d not in read:
            self.emit(depth, f"v{d} = {self.reader(d)}")
            read = read | {d}
        v = f"v{d}"
        if kind == "bool":
            self.branch(depth, f"if {v} is True:", rest, keys[1], read)
            self.branch(depth, f"if {v} is False:", rest, keys[0], read)
        elif kind == "enum":
            together: dict[Any, list[Any]] = {}
            for value, key in zip(values, keys, strict=True):
                together.setdefault(key, []).append(value)
            for key, vs in together.items():
                # a set of constants after `in` is one constant of the compiled code
                listed = "{" + ", ".join(repr(x) for x in vs) + "}"
                test = f"{v} == {vs[0]!r}" if len(vs) == 1 else f"{v} in {listed}"
                self.branch(depth, f"if {test}:", rest, key, read)
        else:
            self.emit(depth, f"if {v}.__class__ is int:")
            for i, point in enumerate(values):
                if keys[i] != keys[i + 1]:
                    self.branch(depth + 1, f"if {v} < {point!r}:", rest, keys[i], read)
            self.node(rest, keys[-1], read, depth + 1)
        self.emit(depth, "return general(m, ctx, as_of, source)")

    def leaf(self, leaf: int) -> list[str]:
        """The statements of a leaf: its plan's own, where the plan gives them as source (the
        decision built in place, ``_Plan.source``), else a call of its ``decide``."""
        found = self.leaves.get(leaf)
        if found is None:
            plan = self.partition.leaves[leaf]
            source = getattr(plan, "source", None)
            lines = source(self.names, "m", "ctx", "as_of", "source") if source else None
            found = self.leaves[leaf] = lines or [f"return P{leaf}(m, ctx, as_of, source)"]
        return found

    def branch(
        self, depth: int, test: str, free: tuple[int, ...], state: Any, read: frozenset[int]
    ) -> None:
        self.emit(depth, test)
        self.node(free, state, read, depth + 1)

    def reader(self, d: int) -> str:
        """How the function reads feature ``d``: an attribute, its expression as source (the
        same text wherever the tree reads it), or its compiled getter."""
        feature = self.features[self.dims[d][0]]
        field = feature.field
        if field is not None and field.isidentifier() and not field.startswith("_"):
            return f"m.{field}"
        if feature.code is not None:
            found = self.code.get(d)
            if found is None:
                found = self.code[d] = feature.code("m", "ctx", self.names)
            return found
        return f"g{d}(m, ctx)"
