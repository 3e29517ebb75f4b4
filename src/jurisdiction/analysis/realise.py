"""Realising feature values as a concrete fact set, from the declaration alone.

The checker cuts a question's fact space into classes of feature values; each class is decided on
one fact set that has those values. This module finds one by a depth-first search over the
subject's declared fields (nested subjects' fields included), each over a small finite domain:

* booleans and enums: their values (and null when optional);
* whole numbers: the values the wanted integer features ask of them, else the field's minimum;
* place codes: representatives built from the place hierarchy — places inside and outside the
  jurisdiction, and for every place two children of its level's first range and one of each other
  range, so that "same place", "same parent, other place", "another parent" and "outside the
  jurisdiction" come up at every level, with every form and class of code;
* lists of places: empty, one place, two places.

Every feature, constraint and goal is evaluated as soon as the fields it reads are set, and a
branch that contradicts the wanted values is cut there. A class no assignment of the domains can
give is reported unrealisable: the search is exhaustive over them.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from pydantic import BaseModel, ValidationError

from ..core.errors import EvaluatorError
from ..language.places import Hierarchy
from ..language.subjects import Context, FeatureValue, FieldInfo, Subject

__all__ = ["Goal", "Realiser", "place_pool"]

Goal = Callable[[Any, Context], bool]
"""An extra condition a realised fact set must meet (checked once its ``reads`` are set)."""

GoalSpec = tuple[Goal, frozenset[str], Any]
"""A goal, the fields it reads, and a key that names it (goals with one key are one goal)."""

_PRESENT = object()
_MAX_NODES = 2_000_000
"""A search that visits more nodes than this stops with an error rather than run for ever; it
never calls a class unrealisable that it did not search through."""


def _count_codes(width: int, alphabet: str) -> Iterator[str]:
    """Strings of ``width`` characters of ``alphabet`` in counting order, from 0...01."""
    base = len(alphabet)
    n = 1
    while n < base**width:
        digits = []
        m = n
        for _ in range(width):
            digits.append(alphabet[m % base])
            m //= base
        yield "".join(reversed(digits))
        n += 1


_ALPHABETS = ("0123456789", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _first_valid(
    hierarchy: Hierarchy, prefix: str, width: int, want: int, ok: Callable[[str], bool]
) -> list[str]:
    found: list[str] = []
    for alphabet in _ALPHABETS:
        for count, tail in enumerate(_count_codes(width, alphabet)):
            if count > 5000:
                break
            code = prefix + tail
            if ok(code) and hierarchy.problem(code) is None:
                found.append(code)
                if len(found) >= want:
                    return found
        if found:
            return found
    return found


def _in_range_but(rng: Any, start: int, taken: str) -> Callable[[str], bool]:
    def ok(code: str) -> bool:
        return bool(rng.holds(code[start:])) and code != taken

    return ok


def _children(
    hierarchy: Hierarchy, lv: Any, parent: str, siblings: int, every_range: bool
) -> list[str]:
    """Children of ``parent`` at level ``lv``: ``siblings`` of the first range, and with
    ``every_range`` one of each other range."""
    width = lv.length - lv.start
    if not lv.ranges:
        return _first_valid(hierarchy, parent, width, siblings, lambda _c: True)
    out: list[str] = []
    for j, r in enumerate(lv.ranges if every_range else lv.ranges[:1]):
        want = siblings if j == 0 else 1
        first = parent + r.first
        picks = [first] if hierarchy.problem(first) is None else []
        if len(picks) < want:
            picks += _first_valid(
                hierarchy, parent, width, want - len(picks), _in_range_but(r, lv.start, first)
            )
        out.extend(picks[:want])
    return out


def place_pool(hierarchy: Hierarchy, root: str, extra: Sequence[str] = ()) -> dict[str, list[str]]:
    """Representative codes for each level: inside and outside the jurisdiction, of every form
    and class, with siblings where it matters. ``extra`` codes (literals of the policy) join in,
    with their parents."""
    levels = hierarchy.levels
    top = levels[0]
    pool: dict[str, list[str]] = {lv.name: [] for lv in levels}
    if len(root) >= top.length:
        inside = [root[: top.length]] if hierarchy.problem(root[: top.length]) is None else []
    else:
        inside = _first_valid(hierarchy, root, top.length - len(root), 2, lambda _c: True)
    outside = _first_valid(hierarchy, "", top.length, 2, lambda c: not c.startswith(root))
    named = [c[: top.length] for c in extra if len(c) >= top.length]
    pool[top.name] = list(dict.fromkeys([*inside, *outside, *named]))
    firsts = set(pool[top.name])  # the first child of each place: children of every range
    for above, lv in itertools.pairwise(levels):
        children: list[str] = []
        for code in extra:  # a code the policy names: its parent has children in the pool
            if len(code) >= lv.length and code[: above.length] not in pool[above.name]:
                pool[above.name].append(code[: above.length])
        for i, parent in enumerate(pool[above.name]):
            siblings = 2 if i == 0 or (parent.startswith(root) and parent in firsts) else 1
            children.extend(_children(hierarchy, lv, parent, siblings, parent in firsts))
        firsts = {
            next(c for c in children if c[: lv.start] == parent)
            for parent in firsts
            if any(c[: lv.start] == parent for c in children)
        }
        pool[lv.name] = children
    for code in extra:
        if hierarchy.problem(code) is not None:
            continue
        for lv in levels:
            if lv.length <= len(code) and code[: lv.length] not in pool[lv.name]:
                pool[lv.name].append(code[: lv.length])
    return pool


@dataclass(frozen=True, slots=True)
class _Var:
    path: tuple[str, ...]
    info: FieldInfo
    derived: Callable[[Any, Any], Any] | None  # the computed default when the value is null
    inputs: tuple[tuple[str, ...], ...] = ()  # the fields that default reads

    def after(self, other: _Var) -> bool:
        """Whether this field must be set after ``other``: its parent, or an input of its
        computed default."""
        return (other.path == self.path[: len(other.path)] and other.path != self.path) or (
            other.path in self.inputs
        )


@dataclass(frozen=True, slots=True, eq=False)
class _Check:
    holds: Callable[[Any], bool]
    reads: frozenset[str]
    scope: tuple[str, ...]  # the nested subject it belongs to ((): the subject itself)
    goal: bool = False
    target: bool = False  # a wanted feature value


def _schedule(
    order: Sequence[_Var], index: Mapping[str, int], checks: Sequence[_Check]
) -> tuple[list[list[_Check]], list[tuple[int, ...]]]:
    """When each check is due (once the last field it reads is set), and, for each position,
    the fields before it that a check due there or later still reads: a search that fails below
    a position fails for every assignment that agrees on those fields."""
    due: list[list[_Check]] = [[] for _ in order] or [[]]
    latest: list[int] = []
    for check in checks:
        positions = [index[r] for r in check.reads if r in index]
        at = max(positions) if positions else 0
        due[at].append(check)
        latest.append(at)
    frontier: list[tuple[int, ...]] = []
    for n in range(len(order)):
        later = {
            index[r]
            for check, at in zip(checks, latest, strict=True)
            if at >= n
            for r in check.reads
            if r in index and index[r] < n
        }
        for m in list(later):  # a nested field's parent and a derived default's inputs
            var = order[m]
            for k in range(m):
                if var.after(order[k]):
                    later.add(k)
        frontier.append(tuple(sorted(later)))
    return due, frontier


def _positions(variables: Sequence[_Var], index: Mapping[str, int], check: _Check) -> list[int]:
    """The fields a check reads, by position; a nested field's parent with it."""
    pos = {index[r] for r in check.reads if r in index}
    for j in list(pos):
        var = variables[j]
        if len(var.path) > 1:
            up = index.get(".".join(var.path[:-1]))
            if up is not None:
                pos.add(up)
    return sorted(pos)


def _equals(get: Callable[[Any, Context], Any], value: Any, ctx: Context) -> Callable[[Any], bool]:
    def holds(o: Any) -> bool:
        return bool(get(o, ctx) == value)

    return holds


def _holds(get: Callable[[Any, Any], Any]) -> Callable[[Any], bool]:
    def holds(o: Any) -> bool:
        return bool(get(o, None))

    return holds


def _scope(o: Any, path: tuple[str, ...]) -> Any:
    for name in path:
        o = getattr(o, name, None)
        if o is None:
            return None
    return o


def _shifted(day: datetime.date, days: int) -> datetime.date | None:
    """``day`` moved by ``days``, or None past the calendar's ends (1-01-01, 9999-12-31)."""
    try:
        return day + datetime.timedelta(days=days)
    except OverflowError:
        return None


class Realiser:
    """Fact sets for feature assignments; results are kept, so each is searched for once."""

    def __init__(
        self,
        subjects: Mapping[str, Subject],
        hierarchy: Hierarchy,
        ctx: Context,
        extra_codes: Sequence[str] = (),
        dates: Sequence[datetime.date] = (),
    ) -> None:
        self.subjects = subjects
        self.hierarchy = hierarchy
        self.ctx = ctx
        self.pool = place_pool(hierarchy, ctx.root, extra_codes)
        days = sorted({day for d in dates for k in (-1, 0, 1) if (day := _shifted(d, k))})
        self.dates = days or [datetime.date(2000, 1, 1)]
        """The policy's date literals and the days either side: every comparison can go both
        ways."""
        self._found: dict[Any, BaseModel | None] = {}
        self._solved: dict[Any, tuple[Any, ...] | None] = {}
        self._vars: dict[str, tuple[_Var, ...]] = {}

    # the variables of a subject ----------------------------------------------------------------

    def variables(self, subject: Subject) -> tuple[_Var, ...]:
        if subject.name not in self._vars:
            self._vars[subject.name] = tuple(self._flatten(subject, ()))
        return self._vars[subject.name]

    def _flatten(self, subject: Subject, prefix: tuple[str, ...]) -> Iterator[_Var]:
        derived = self._derived_defaults(subject)
        for name, info in subject.fields.items():
            inputs = tuple(
                (*prefix, *r.split(".")) for r in subject.default_reads.get(name, frozenset())
            )
            yield _Var((*prefix, name), info, derived.get(name), inputs)
            if info.kind == "subject" and info.subject is not None:
                yield from self._flatten(self.subjects[info.subject], (*prefix, name))

    @staticmethod
    def _derived_defaults(subject: Subject) -> Mapping[str, Callable[[Any, Any], Any]]:
        return subject.defaults

    def _domain(self, var: _Var, subject: Subject, ints: Mapping[str, set[int]]) -> list[Any]:
        info = var.info
        none: list[Any] = [None] if info.optional or info.derived_default else []
        kind = info.kind
        if kind == "bool":
            return [*none, False, True]
        if kind == "enum":
            return [*none, *info.values]
        if kind == "int":
            wanted = sorted(ints.get(".".join(var.path), set()))
            base = info.default if info.has_default else info.minimum
            values = [v for v in wanted if _in_range(v, info)] or (
                [base] if base is not None else []
            )
            return [*none, *values]
        if kind == "text":
            return [*none, "x"]
        if kind == "date":
            return [*none, *self.dates]
        if kind == "place":
            codes = [c for lv in info.levels for c in self.pool.get(lv, [])]
            return [*none, *codes]
        if kind == "places":
            codes = [c for lv in info.levels for c in self.pool.get(lv, [])]
            lists: list[Any] = [()]
            lists += [(c,) for c in codes[:2]]
            lists += [(a, b) for i, a in enumerate(codes) for b in codes[i + 1 :]][:6]
            return lists
        return [*none, _PRESENT]  # a nested subject

    # the search ---------------------------------------------------------------------------------

    def realise(
        self,
        subject: Subject,
        assignment: Mapping[str, FeatureValue],
        goal: GoalSpec | None = None,
    ) -> BaseModel | None:
        """A fact set of ``subject`` whose features take the assigned values (and that meets
        ``goal``, a predicate with the fields it reads), or None if the search finds none."""
        key = (subject.name, tuple(sorted(assignment.items())), goal[2] if goal else None)
        if key in self._found:
            return self._found[key]
        found = self._search(subject, assignment, goal)
        self._found[key] = found
        return found

    def _checks(
        self,
        subject: Subject,
        assignment: Mapping[str, FeatureValue],
        goal: GoalSpec | None,
    ) -> list[_Check]:
        ctx = self.ctx
        checks: list[_Check] = []
        for name, value in assignment.items():
            feature = subject.features[name]
            checks.append(_Check(_equals(feature.get, value, ctx), feature.reads, (), target=True))
        if goal is not None:
            g = goal[0]
            checks.append(_Check(lambda o: g(o, ctx), goal[1], (), goal=True))
        checks.extend(self._constraints(subject, ()))
        return checks

    def _constraints(self, subject: Subject, prefix: tuple[str, ...]) -> Iterator[_Check]:
        dotted = "".join(p + "." for p in prefix)
        for c in subject.constraints:
            yield _Check(
                _holds(c.holds),
                frozenset(dotted + r for r in c.reads) | ({prefix[0]} if prefix else set()),
                prefix,
            )
        for name, info in subject.fields.items():
            if info.kind == "subject" and info.subject is not None:
                yield from self._constraints(self.subjects[info.subject], (*prefix, name))

    def _search(
        self,
        subject: Subject,
        assignment: Mapping[str, FeatureValue],
        goal: GoalSpec | None,
    ) -> BaseModel | None:
        variables = self.variables(subject)
        index = {".".join(v.path): i for i, v in enumerate(variables)}
        ints: dict[str, set[int]] = {}
        for name, value in assignment.items():
            feature = subject.features[name]
            if feature.type.kind == "int" and isinstance(value, int):
                for read in feature.reads:
                    ints.setdefault(read, set()).add(value)
        checks = self._checks(subject, assignment, goal)
        record: list[Any] = [self._domain(var, subject, ints)[0] for var in variables]
        for group, group_checks in self._components(variables, index, checks):
            key = (
                subject.name,
                group,
                tuple(sorted(assignment.items())) if group_checks else (),
                goal[2] if goal is not None and any(c.goal for c in group_checks) else None,
                tuple(sorted(k for k in ints if index.get(k) in group)),
            )
            relevant = {
                k: v
                for k, v in assignment.items()
                if subject.features[k].reads & {".".join(variables[i].path) for i in group}
            }
            key = (*key[:2], tuple(sorted(relevant.items())), *key[3:])
            if key in self._solved:
                values = self._solved[key]
            else:
                values = self._solve(subject, variables, group, group_checks, ints)
                self._solved[key] = values
            if values is None:
                return None
            for i, value in zip(group, values, strict=True):
                record[i] = value
        model = self._model(subject, variables, record)
        if model is None or not self._confirms(subject, model, assignment, goal):
            return None
        return model

    @staticmethod
    def _components(
        variables: Sequence[_Var], index: Mapping[str, int], checks: Sequence[_Check]
    ) -> list[tuple[tuple[int, ...], list[_Check]]]:
        """The checks in groups that share no field, each with the fields it reads: groups can
        be solved one by one (and remembered), since no check of one reads a field of another."""
        parent = list(range(len(variables)))

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        positions = [_positions(variables, index, check) for check in checks]
        for pos in positions:
            for a, b in itertools.pairwise(pos):
                parent[find(a)] = find(b)
        for j, var in enumerate(variables):  # a computed default reads its inputs
            for k in range(len(variables)):
                if var.after(variables[k]) and len(var.path) == len(variables[k].path):
                    parent[find(k)] = find(j)
        groups: dict[int, tuple[set[int], list[_Check]]] = {}
        for check, pos in zip(checks, positions, strict=True):
            if not pos:
                continue
            root = find(pos[0])
            found = groups.setdefault(root, (set(), []))
            found[0].update(pos)
            found[1].append(check)
        for j in range(len(variables)):
            root = find(j)
            if root in groups:
                groups[root][0].add(j)
        out = [(tuple(sorted(v)), c) for v, c in groups.values()]
        free = [c for c, pos in zip(checks, positions, strict=True) if not pos]
        if free:
            out.append(((), free))
        return out

    def _solve(
        self,
        subject: Subject,
        variables: Sequence[_Var],
        group: tuple[int, ...],
        checks: Sequence[_Check],
        ints: Mapping[str, set[int]],
    ) -> tuple[Any, ...] | None:
        """Values of the group's fields under which every check holds, or None.

        First the fields the wanted values read are searched with only the checks among them:
        if that relaxed search fails, so does the whole (a quick proof for most classes no fact
        set realises)."""
        paths = {".".join(variables[i].path): i for i in group}
        wanted = {paths[r] for c in checks if c.goal or c.target for r in c.reads if r in paths}
        for i in list(wanted):
            wanted.update(k for k in group if variables[i].after(variables[k]))
        if wanted and len(wanted) < len(group):
            inner = tuple(sorted(wanted))
            relaxed = [c for c in checks if all(paths[r] in wanted for r in c.reads if r in paths)]
            ranked = self._ranked(variables, inner, relaxed)
            if self._solve_ordered(subject, [variables[i] for i in ranked], relaxed, ints) is None:
                return None
        ranked = self._ranked(variables, group, checks)
        position = {i: n for n, i in enumerate(ranked)}
        solved = self._solve_ordered(subject, [variables[i] for i in ranked], checks, ints)
        if solved is None:
            return None
        return tuple(solved[position[i]] for i in group)

    @staticmethod
    def _ranked(
        variables: Sequence[_Var], group: tuple[int, ...], checks: Sequence[_Check]
    ) -> list[int]:
        """The group's fields in search order, chosen greedily: next, the field that completes
        the most checks (so a contradiction is met as early as possible), then the one most
        connected to the fields placed, then the one the wanted features read; a nested field
        comes after its parent, a computed default after its inputs."""
        paths = {".".join(variables[i].path): i for i in group}
        reads = [frozenset(paths[r] for r in c.reads if r in paths) for c in checks]
        wanted = [c.goal or c.target for c in checks]
        placed: list[int] = []
        done: set[int] = set()
        remaining = set(group)
        # the fields the wanted values read (and what they need) first: a contradiction among
        # them is met before fields that only constraints read are searched
        first = {i for r, w in zip(reads, wanted, strict=True) if w for i in r}
        for i in list(first):
            first.update(k for k in group if variables[i].after(variables[k]))
        while remaining:
            tier = (remaining & first) or remaining
            eligible = [
                i
                for i in tier
                if not any(variables[i].after(variables[k]) for k in remaining if k != i)
            ] or sorted(tier)

            def completes(i: int, after: set[int]) -> int:
                return sum(1 for r in reads if i in r and r <= after)

            def score(i: int) -> tuple[int, int, int, int]:
                after = done | {i}
                completed = completes(i, after)
                for j in remaining:  # a field this one unlocks counts for it too
                    needs = [k for k in remaining if k != j and variables[j].after(variables[k])]
                    if j != i and needs == [i]:
                        completed = max(completed, completes(j, after | {j}))
                touching = sum(len(r & done) for r in reads if i in r)
                target = sum(1 for r, w in zip(reads, wanted, strict=True) if w and i in r)
                return (completed, touching, target, -i)

            best = max(eligible, key=score)
            placed.append(best)
            done.add(best)
            remaining.discard(best)
        return placed

    def _solve_ordered(
        self,
        subject: Subject,
        order: Sequence[_Var],
        checks: Sequence[_Check],
        ints: Mapping[str, set[int]],
    ) -> tuple[Any, ...] | None:
        index = {".".join(var.path): n for n, var in enumerate(order)}
        due, frontier = _schedule(order, index, checks)
        domains = [self._domain(var, subject, ints) for var in order]
        for check in checks:  # a check of one top-level field filters its domain at once
            reads = [index[r] for r in check.reads if r in index]
            if len(set(reads)) == 1 and not check.scope:
                n = reads[0]
                var = order[n]
                if len(var.path) == 1 and var.derived is None and var.info.kind != "subject":
                    domains[n] = [
                        v for v in domains[n] if check.holds(SimpleNamespace(**{var.path[0]: v}))
                    ]
        if not order:
            ns = SimpleNamespace()
            return () if all(c.holds(ns) for c in checks) else None
        root = SimpleNamespace()
        for var in self.variables(subject):  # the other fields: their first values
            if var not in order:
                parent = _scope(root, var.path[:-1])
                if parent is not None:
                    value = self._domain(var, subject, ints)[0]  # no check here reads it
                    actual = SimpleNamespace() if value is _PRESENT else value
                    setattr(parent, var.path[-1], actual)
        record: list[Any] = [None] * len(order)
        failed: set[tuple[int, tuple[Any, ...]]] = set()
        nodes = 0

        def step(n: int) -> bool:
            nonlocal nodes
            if n == len(order):
                return True
            key = (n, tuple(record[k] for k in frontier[n]))
            if key in failed:
                return False
            var = order[n]
            parent = _scope(root, var.path[:-1])
            candidates = domains[n] if parent is not None else [None]
            for value in candidates:
                nodes += 1
                if nodes > _MAX_NODES:
                    raise EvaluatorError(
                        f"the checker's search for a {subject.name} fact set stopped after "
                        f"{_MAX_NODES:,} steps (fields {', '.join('.'.join(v.path) for v in order)}"
                        "): declare fewer or narrower fields for it, or split the subject"
                    )
                record[n] = value
                if parent is not None:
                    actual = SimpleNamespace() if value is _PRESENT else value
                    if actual is None and var.derived is not None:
                        actual = var.derived(parent, None)
                    setattr(parent, var.path[-1], actual)
                if all(
                    (scope := _scope(root, c.scope)) is None or c.holds(scope) for c in due[n]
                ) and step(n + 1):
                    return True
            failed.add(key)
            return False

        return tuple(record) if step(0) else None

    def _model(
        self, subject: Subject, variables: Sequence[_Var], record: Sequence[Any]
    ) -> BaseModel | None:
        data: dict[str, Any] = {"kind": subject.name}
        nested: dict[tuple[str, ...], dict[str, Any]] = {(): data}
        for var, value in zip(variables, record, strict=True):
            parent = nested.get(var.path[:-1])
            if parent is None:
                continue
            if value is _PRESENT:
                child: dict[str, Any] = {}
                nested[var.path] = child
                parent[var.path[-1]] = child
            elif value is not None:
                parent[var.path[-1]] = list(value) if isinstance(value, tuple) else value
        try:
            return subject.model.model_validate(data)
        except ValidationError:
            return None

    def _confirms(
        self,
        subject: Subject,
        model: BaseModel,
        assignment: Mapping[str, FeatureValue],
        goal: GoalSpec | None,
    ) -> bool:
        ctx = self.ctx
        if goal is not None and not goal[0](model, ctx):
            return False
        return all(subject.features[n].get(model, ctx) == v for n, v in assignment.items())


def _in_range(value: int, info: FieldInfo) -> bool:
    low = info.minimum if info.minimum is not None else value
    high = info.maximum if info.maximum is not None else value
    return low <= value <= high
