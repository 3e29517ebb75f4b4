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
* lists of places: empty, one place, two places;
* lists of records: empty, one sample record, a few together (the samples take every value of
  a record's booleans and enums and the whole numbers its parameters suggest); a class these
  miss is left unverified, never proved impossible.

Every feature, constraint and goal is evaluated as soon as the fields it reads are set, and a
branch that contradicts the wanted values is cut there.

A class the first search does not realise is searched again *exactly* (``realise_class``): the
wanted values are the class's own (an interval, not one representative), and each field's domain
is cut at every constant the expressions compare it with (``analysis.cuts``), so that it holds a
value of every region a condition can tell apart. A field tied to others (compared with another
field, in arithmetic, an argument of ``years_between``) has no such complete domain: a date is
then also tried at the steps its functions can tell apart from each date set before it
(``DATE_STEPS``), which constructs, say, two dates two whole years apart. If that search fails and
every field it went through had a complete domain, the class is *impossible* (proved by
exhausting them); otherwise the result says which fields and expressions it could not construct,
and the checker lists the class as unverified — never as absent.
"""

from __future__ import annotations

import datetime
import functools
import itertools
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from keyword import iskeyword
from types import SimpleNamespace
from typing import Any

from pydantic import BaseModel, ValidationError

from ..core.errors import EvaluatorError
from ..language.expressions import Names, generated
from ..language.periods import add_months
from ..language.places import Hierarchy
from ..language.subjects import Context, Feature, FeatureValue, FieldInfo, Subject
from .cuts import NOT_A_VALUE, Uses, partner_value, target_uses, uses_of
from .known import KnownValues
from .symmetry import PlaceReads, PlaceTree, place_reads

__all__ = ["DATE_STEPS", "Goal", "GoalText", "Realiser", "Unrealised", "Wanted", "place_pool"]

Wanted = FeatureValue | range
"""A wanted feature value: one value, or (exact search) a range of whole numbers."""


@dataclass(frozen=True, slots=True)
class Unrealised:
    """Why the exact search found no fact set for a class.

    ``proved``: every field the search went through had a complete domain, so no fact set has
    these feature values (the class is impossible). Otherwise ``fields`` are the fields whose
    values it could not exhaust, ``by`` the constraints and features that tie them, and ``note``
    anything else that stopped it.
    """

    proved: bool
    fields: tuple[str, ...] = ()
    by: tuple[str, ...] = ()
    note: str | None = None

    def why(self) -> str:
        if self.proved:
            return "no fact set has these values"
        parts = []
        if self.fields:
            parts.append(
                "the realiser cannot search every value of "
                + ", ".join(f"`{f}`" for f in self.fields)
            )
        if self.by:
            parts.append("tied by " + "; ".join(self.by))
        if self.note:
            parts.append(self.note)
        return ", ".join(parts) or "the realiser could not construct a fact set"


_IMPOSSIBLE = Unrealised(True)
_ANCHOR = datetime.date(2000, 1, 1)
"""A date the realiser starts from when the policy names none (and tries too when it does)."""

DateStep = Callable[[datetime.date], "datetime.date | None"]


def _add_years(d: datetime.date, k: int) -> datetime.date | None:
    try:
        return d.replace(year=d.year + k)
    except ValueError:  # 29 February in a common year: the 28th
        try:
            return d.replace(year=d.year + k, day=28)
        except ValueError:
            return None


def _year_steps(amounts: Sequence[int]) -> list[DateStep]:
    """``years_between`` changes at each anniversary: a date k whole years after or before
    another, and the days either side of that anniversary, for every k up to the largest
    amount (and one more)."""
    top = max((abs(a) for a in amounts), default=1)
    return [
        _anniversary(n, days)
        for k in range(1, min(top, _MAX_YEARS) + 2)
        for n in (k, -k)
        for days in (0, -1, 1)
    ]


def _anniversary(years: int, days: int) -> DateStep:
    return _date_step(_add_years, years, days)


def _date_step(
    add: Callable[[datetime.date, int], datetime.date | None], amount: int, days: int
) -> DateStep:
    """A date ``amount`` years or months (``add``) after another, then ``days`` either side."""
    shift = datetime.timedelta(days=days)

    def step(d: datetime.date) -> datetime.date | None:
        x = add(d, amount)
        try:
            return None if x is None else x + shift
        except OverflowError:  # beyond the calendar's first or last day
            return None

    return step


def _month_steps(amounts: Sequence[int]) -> list[DateStep]:
    """``months_between`` changes at each monthly anniversary (a month's end where the day does
    not exist in it): a date k calendar months after or before another, and the days either
    side, for every k up to the largest amount (and one more)."""
    top = max((abs(a) for a in amounts), default=1)
    return [
        _months(n, days)
        for k in range(1, min(top, _MAX_YEARS * 12) + 2)
        for n in (k, -k)
        for days in (0, -1, 1)
    ]


def _months(months: int, days: int) -> DateStep:
    return _date_step(add_months, months, days)


def _days_steps(amounts: Sequence[int]) -> list[DateStep]:
    """``days_between`` changes every day: a date n days after or before another, for each whole
    number n in play and the numbers either side of it."""
    numbers = {abs(a) for a in amounts} | {0}
    return [
        _anniversary(0, sign * n) for a in numbers for n in {a - 1, a, a + 1} for sign in (1, -1)
    ]


DATE_STEPS: dict[str, Callable[[Sequence[int]], list[DateStep]]] = {
    "years_between": _year_steps,
    "months_between": _month_steps,
    "days_between": _days_steps,
}
"""For each function of dates, the steps from one date to another at which its value can change,
given the whole numbers in play (thresholds, wanted values): the realiser tries each date field
that the function ties at these steps from each date set before it. A new date function
(``days_between``, ``months_between``, ``add_months``…) adds its entry here."""

_MAX_YEARS = 200
"""The most whole years a step spans: dates further apart are not constructed (the class is then
reported unverified, not absent)."""


def _day_steps() -> list[DateStep]:
    """Any tie between dates (an ordering, equality): the same day, the day before and after."""
    return [_anniversary(0, 0), _anniversary(0, 1), _anniversary(0, -1)]


Goal = Callable[[Any, Context], bool]
"""An extra condition a realised fact set must meet (checked once its ``reads`` are set)."""

GoalSpec = tuple[Goal, frozenset[str], Any]
"""A goal, the fields it reads, and a key that names it (goals with one key are one goal)."""


@dataclass(frozen=True, slots=True)
class GoalText:
    """A goal's key that also gives the goal as an expression of the policy's language (about
    the subject): the realiser reads the text only to learn how the goal reads places
    (``analysis.symmetry``); the goal itself decides. A goal whose key is no ``GoalText`` reads
    places in ways unknown, and its searches try every code."""

    key: Any
    expr: str


_PRESENT = object()
_MAX_NODES = 2_000_000
"""A search that visits more nodes than this stops with an error rather than run for ever; it
never calls a class unrealisable that it did not search through."""
_MAX_EXACT_NODES = 50_000
"""The exact search of one class stops sooner: the class is then unverified, as its finding
says."""


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


def place_pool(
    hierarchy: Hierarchy, roots: str | Sequence[str], extra: Sequence[str] = ()
) -> dict[str, list[str]]:
    """Representative codes for each level: inside and outside the jurisdiction (inside each of
    its prefixes, where it has several, and outside all), of every form and class, with siblings
    where it matters. ``extra`` codes (literals of the policy) join in, with their parents."""
    levels = hierarchy.levels
    top = levels[0]
    pool: dict[str, list[str]] = {lv.name: [] for lv in levels}
    root = (roots,) if isinstance(roots, str) else tuple(roots)
    inside: list[str] = []
    for prefix in root:
        if len(prefix) >= top.length:
            code = prefix[: top.length]
            inside += [code] if hierarchy.problem(code) is None else []
        else:
            inside += _first_valid(hierarchy, prefix, top.length - len(prefix), 2, lambda _c: True)
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
        # the first child of each range of a first place: every path of ranges, down to the
        # last level, is in the pool (a child of a later range under a parent of a later range,
        # not only under the first) — for places inside and outside the jurisdiction alike
        firsts = {
            next(c for c in children if c[: lv.start] == parent and r.holds(c[lv.start :]))
            for parent in firsts
            for r in lv.ranges
            if any(c[: lv.start] == parent and r.holds(c[lv.start :]) for c in children)
        } or {
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
    source: str = ""  # what it is, as ``analysis.cuts`` names what ties a field
    expr: str = ""  # the expression it evaluates (about the subject at ``scope``); "" if none
    representative: bool = False  # a wanted whole number that stands for an interval


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


@dataclass(frozen=True, slots=True)
class _Schedule:
    """What a search of one order of fields with one list of checks works out before it
    starts (checks by their index in the list)."""

    plain: tuple[tuple[int, ...], ...]  # per position, the checks due there on the subject
    scoped: tuple[tuple[int, ...], ...]  # … and those due on a nested subject
    frontier: list[tuple[int, ...]]  # see ``_schedule``
    filters: tuple[tuple[int, int], ...]  # (position, check) that filter a domain at once
    rest: tuple[int, ...]  # the subject's fields (by position) outside the order
    inputs: tuple[tuple[int, ...], ...]  # per position, the fields before it its checks read
    each: tuple[tuple[tuple[int, ...], ...], ...]  # … per check due there (plain, then scoped)
    due: tuple[tuple[int, ...], ...]  # per position, the checks due there (plain, then scoped)
    parents: tuple[tuple[str, ...], ...]  # per position, where its field is set (() the root)
    # per place field, the place fields before it in its frontier, and those its checks read
    # (``Realiser._symmetry``: what a symmetry of the codes is worked out for)
    fixing: dict[int, tuple[int, ...]]
    reading: dict[int, tuple[int, ...]]
    symmetric: bool  # whether its fields may have one, whatever the checks (``_symmetric``)


def _symmetric(order: Sequence[_Var]) -> bool:
    """Whether a search of these fields may skip codes a symmetry maps together (``Realiser.
    _symmetry``), as far as the fields tell: a place among them, none computed, no list."""
    kinds = {v.info.kind for v in order}
    lists = {"places", "records"}
    return "place" in kinds and not kinds & lists and all(v.derived is None for v in order)


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


def _inputs(
    order: Sequence[_Var], index: Mapping[str, int], n: int, due: Sequence[_Check]
) -> tuple[int, ...]:
    """The fields before position ``n`` on which the checks due there depend, besides the
    field at ``n``: those they read, and the parents and a computed default's inputs of those
    and of the field at ``n`` (which decide whether it is present, and its value when null)."""
    found = {index[r] for c in due for r in c.reads if r in index} | {n}
    todo = list(found)
    while todo:
        m = todo.pop()
        for k in range(m):
            if k not in found and order[m].after(order[k]):
                found.add(k)
                todo.append(k)
    return tuple(sorted(k for k in found if k < n))


@functools.cache
def _default_inputs(variables: tuple[_Var, ...]) -> tuple[tuple[int, int], ...]:
    """The pairs (field, input) of a computed default among fields of one depth, by position:
    the same for every search of a subject, so worked out once."""
    return tuple(
        (j, k)
        for j, var in enumerate(variables)
        for k in range(len(variables))
        if var.after(variables[k]) and len(var.path) == len(variables[k].path)
    )


_Maker = Callable[..., Callable[[Any], bool]]


def _equals(
    feature: Feature, value: Any, ctx: Context, makers: dict[Any, _Maker] | None = None
) -> Callable[[Any], bool]:
    """The check that ``feature`` takes ``value`` (a range: a whole number within it): a
    function generated from the feature's expression as source (``Feature.code``), which
    calls no closure where its kinds allow (a third of the search's evaluation went through
    the closures of these checks); the closure's where the feature has no source. The source
    is compiled once per feature and kind of value (``makers``, kept by the caller: a
    threshold's many values share it), each value bound in a closure of its own."""
    code = feature.code
    field = feature.field
    if code is None and field is not None and field.isidentifier() and not iskeyword(field):
        code = functools.partial(_attribute, field)  # a field as it is
    if code is None:
        return _closure_equals(feature.get, value, ctx)
    ranged = isinstance(value, range)
    key = (id(feature), ranged)
    make = makers.get(key) if makers is not None else None
    if make is None:
        make = _maker(code, ctx, ranged)
        if makers is not None:
            makers[key] = make  # (the feature is the subject's, alive as long as the realiser)
    return make(value.start, value.stop - 1) if ranged else make(value)


def _attribute(field: str, o: str, _c: str, _n: Names) -> str:
    return f"{o}.{field}"


def _maker(code: Callable[[str, str, Any], str], ctx: Context, ranged: bool) -> _Maker:
    """A function that makes the check of one value (or range) from a feature's source."""
    if ranged:
        head, body = "_low, _high", "isinstance(_x := {}, int) and _low <= _x <= _high"
    else:
        head, body = "_value", "bool({} == _value)"
    found: _Maker = generated(
        code,
        lambda text: (
            f"def f({head}):\n    def holds(o):\n        return {body.format(text)}\n"
            "    return holds\n"
        ),
        {"ctx": ctx},
        "<realiser check>",
    )
    return found


def _generated_holds(code: Callable[[str, str, Any], str]) -> Callable[[Any], bool]:
    """A constraint's check, as ``_holds`` of its closure (with no context: a constraint reads
    none), generated from its condition's source (``Constraint.code``)."""
    found: Callable[[Any], bool] = generated(
        code,
        lambda text: f"def f(o):\n    return bool({text})\n",
        {"ctx": None},
        "<realiser check>",
    )
    return found


def _closure_equals(
    get: Callable[[Any, Context], Any], value: Any, ctx: Context
) -> Callable[[Any], bool]:
    if isinstance(value, range):
        low, high = value.start, value.stop - 1

        def within(o: Any) -> bool:
            x = get(o, ctx)
            return isinstance(x, int) and low <= x <= high

        return within

    def holds(o: Any) -> bool:
        return bool(get(o, ctx) == value)

    return holds


def _unique(values: Sequence[Any]) -> list[Any]:
    return list(dict.fromkeys(values))


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


_RECORD_SAMPLES = 24
"""At most this many sample records of a kind are tried, each alone in a list."""
_RECORD_TRIES = 4096
"""At most this many combinations of a record's values are tried for the samples."""


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
        self.pool = place_pool(hierarchy, ctx.prefixes, extra_codes)
        days = sorted(
            {x for d in dates for k in (-1, 0, 1) if (x := _anniversary(0, k)(d)) is not None}
        )
        self.dates = days or [_ANCHOR]
        """The policy's date literals and the days either side: every comparison can go both
        ways."""
        self._found: dict[Any, BaseModel | Unrealised | None] = {}
        self._solved: dict[Any, tuple[Any, ...] | frozenset[str] | None] = {}
        self._vars: dict[str, tuple[_Var, ...]] = {}
        self._records: dict[str, list[BaseModel]] = {}
        self._uses: dict[Any, Uses] = {}
        self._exact: dict[Any, BaseModel | Unrealised] = {}
        self._constraint_checks: dict[str, list[_Check]] = {}
        self._first: dict[Any, tuple[Any, ...]] = {}  # each field's first value, per ints
        self._layouts: dict[
            Any, list[tuple[tuple[int, ...], tuple[int, ...], tuple[str, ...], bool]]
        ]
        self._layouts = {}  # the groups of fields and their checks, per shape of a search
        self._targets: dict[Any, _Check] = {}  # per feature and wanted value
        self._makers: dict[Any, _Maker] = {}  # per feature and kind of value: ``_equals``
        self._goals: dict[Any, _Check] = {}  # per goal
        self._orders: dict[Any, list[int]] = {}  # ``_ranked`` per group and shape of checks
        self._plans: dict[Any, _Schedule] = {}  # ``_solve_ordered``'s schedule per order and checks
        self._indexes: dict[str, dict[str, int]] = {}  # each field's position, per subject
        self._relaxations: dict[Any, tuple[tuple[int, ...], tuple[int, ...]] | None] = {}
        self._symmetries: dict[Any, PlaceTree | None] = {}  # per search of fields and checks
        self._trees: dict[PlaceReads, PlaceTree] = {}
        self._domains: dict[Any, list[Any]] = {}  # the first search's domain of each field
        # ``_suffixes`` per shape of a search
        self._suffix_ids: dict[Any, tuple[tuple[int, ...], tuple[int, ...]]] = {}
        self._suffix_names: dict[Any, int] = {}  # what a search does from a position on
        self._suffix_fixed: dict[int, list[tuple[int, int]]] = {}  # per schedule (kept: id)
        # … per check due at each position, with the check (by its index)
        self._check_fixed: dict[int, list[tuple[tuple[int, int], ...]]] = {}
        self._verdicts: dict[tuple[Any, ...], list[bool | None]] = {}  # see ``_Admitted``
        self._dead: set[tuple[int, tuple[Any, ...]]] = set()  # (suffix, values before): fails
        self._passing: dict[tuple[int, tuple[Any, ...]], _Admitted] = {}  # see ``_suffixes``
        self._bound: dict[int, _Bound] = {}  # per schedule (kept: id), see ``_bind``
        self.steps = 0
        """The values the searches tried, all told (a measure, for tests and benchmarks)."""
        self.shapes: dict[str, list[tuple[str, ...]]] = {}
        """Per subject, the features of each set of values the partition learnt no fact set has
        together (``partition._ImpossiblePairs.learn``): tried first on the next impossible
        class, of any question of the subject."""
        self.known: dict[str, KnownValues] = {}
        """Per subject, the feature values each fact set found takes (``analysis.known``): a
        question whether some of them have a fact set is answered without a search."""

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

    def _domain(  # noqa: PLR0912 - one branch per kind of field
        self,
        var: _Var,
        subject: Subject,
        ints: Mapping[str, set[int]],
        uses: Uses | None = None,
    ) -> list[Any]:
        """The values the search tries for a field; with ``uses`` (the exact search), also every
        cut of the field and its neighbours, after the values the first search tries."""
        info = var.info
        none: list[Any] = [None] if info.optional or info.derived_default else []
        kind = info.kind
        found = uses.fields.get(".".join(var.path)) if uses is not None else None
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
            if uses is not None:
                cuts = sorted(c for c in found.cuts if isinstance(c, int)) if found else []
                near = [c + d for c in cuts for d in (-1, 0, 1)]
                ends = [info.minimum if info.minimum is not None else base]
                values = _unique([*values, *(v for v in near if _in_range(v, info)), *ends])
            return [*none, *values]
        if kind == "text":
            if uses is not None and found is not None:
                texts = sorted(c for c in found.cuts if isinstance(c, str))
                fresh = next(t for t in ("x", "x0", "x00", "x000") if t not in texts)
                return [*none, fresh, *texts]
            return [*none, "x"]
        if kind == "date":
            if uses is not None and found is not None:
                days = sorted(c for c in found.cuts if isinstance(c, datetime.date))
                around: list[Any] = [
                    x for c in days for d in (-1, 0, 1) if (x := _anniversary(0, d)(c)) is not None
                ]
                return [*none, *_unique([*self.dates, *around, _ANCHOR])]
            return [*none, *self.dates]
        if kind == "place":
            codes = [c for lv in info.levels for c in self.pool.get(lv, [])]
            return [*none, *codes]
        if kind == "places":
            codes = [c for lv in info.levels for c in self.pool.get(lv, [])]
            lists: list[Any] = [()]
            lists += [(c,) for c in codes[:2]]
            lists += [(a, b) for i, a in enumerate(codes) for b in codes[i + 1 :]][:6]
            if uses is not None and found is not None:  # longer lists where a count asks
                for n in sorted({c + d for c in found.counts for d in (-1, 0, 1)}):
                    if 2 < n <= len(codes):
                        lists += _unique([tuple(codes[:n]), tuple(codes[len(codes) - n :])])
            return lists
        if kind == "records":  # a few lists of sample records: a class they miss is unverified
            return self._record_lists(info)
        return [*none, _PRESENT]  # a nested subject

    def _domain_of(
        self, var: _Var, subject: Subject, ints: Mapping[str, set[int]], uses: Uses | None
    ) -> list[Any]:
        """``_domain``, kept for the first search (it reads of ``ints`` only the field's own
        wanted numbers): the same list for every search of the field (not to be changed)."""
        if uses is not None:
            return self._domain(var, subject, ints, uses)
        path = ".".join(var.path)
        key = (subject.name, var.path, frozenset(ints.get(path, ())))
        found = self._domains.get(key)
        if found is None:
            found = self._domains[key] = self._domain(var, subject, ints)
        return found

    def _record_lists(self, info: FieldInfo) -> list[Any]:
        """Lists of records to try: none, each sample record alone, and the first few together
        (within the list's ``max``). A sample record takes each value of its booleans and enums,
        and for a whole number its least and greatest values, its default, and every
        whole-number parameter (and the numbers either side) in its range: what a record's
        condition is likely to compare it with. The samples vary every field early (the
        combinations are taken in order of the sum of their values' positions)."""
        assert info.subject is not None
        samples = self._records.get(info.subject)
        if samples is None:
            samples = self._samples(self.subjects[info.subject])
            self._records[info.subject] = samples
        most = info.maximum if info.maximum is not None else len(samples)
        lists: list[Any] = [()]
        lists += [(r,) for r in samples[:_RECORD_SAMPLES]] if most >= 1 else []
        for n in (2, 3):
            if n <= most and n <= len(samples):
                lists.append(tuple(samples[:n]))
        return lists

    def _samples(self, subject: Subject) -> list[BaseModel]:
        numbers = [v for _n, v in self.ctx.params if isinstance(v, int) and not isinstance(v, bool)]
        choices: list[list[tuple[str, Any]]] = []
        for name, f in subject.fields.items():
            values = self._sample_values(f, numbers)
            if f.optional or f.has_default:
                values = values or [None]
            if not values:
                return []
            choices.append([(name, v) for v in values])
        out: list[BaseModel] = []
        combos = itertools.islice(
            itertools.product(*(range(len(c)) for c in choices)), _RECORD_TRIES
        )
        for picks in sorted(combos, key=sum):  # the first values of every field first, varied
            combo = [choices[i][k] for i, k in enumerate(picks)]
            data = {"kind": subject.name, **{n: v for n, v in combo if v is not None}}
            try:
                out.append(subject.model.model_validate(data))
            except ValidationError:
                continue
            if len(out) >= _RECORD_SAMPLES:
                break
        return out

    def _sample_values(self, f: FieldInfo, numbers: list[int]) -> list[Any]:
        """The values a sample record tries for one field (none: absent, or no sample)."""
        if f.kind == "bool":
            return [False, True]
        if f.kind == "enum":
            return list(f.values)
        if f.kind == "int":
            near = [
                f.minimum,
                f.maximum,
                f.default,
                *(n + d for n in numbers for d in (-1, 0, 1)),
            ]
            return _unique([v for v in near if v is not None and _in_range(v, f)])
        if f.kind == "place":
            return [c for lv in f.levels for c in self.pool.get(lv, [])][:2]
        if f.kind == "date":
            return self.dates[:1]
        if f.kind == "text":
            return ["x"]
        # a nested subject, a list: absent where it may be, else no sample
        return []

    @staticmethod
    def _complete(var: _Var, uses: Uses, sources: set[str]) -> bool:
        """Whether the exact search's domain of the field holds a value of every region that
        the checks (named by ``sources``) can tell apart: true of booleans, enums, places (the
        pool's representatives) and nested subjects; of whole numbers, dates and text unless
        one of the checks ties them. Never of a list of records, of which the search tries a
        few sample lists only."""
        if var.info.kind == "records":
            return False
        if var.info.kind not in ("int", "date", "text"):
            return True
        found = uses.fields.get(".".join(var.path))
        return found is None or not (found.by & sources)

    # the search ---------------------------------------------------------------------------------

    def realise(
        self,
        subject: Subject,
        assignment: Mapping[str, FeatureValue],
        goal: GoalSpec | None = None,
    ) -> BaseModel | None:
        """A fact set of ``subject`` whose features take the assigned values (and that meets
        ``goal``, a predicate with the fields it reads), or None if the search finds none."""
        found = self.attempt(subject, assignment, goal)
        return None if isinstance(found, Unrealised) else found

    def attempt(
        self,
        subject: Subject,
        assignment: Mapping[str, FeatureValue],
        goal: GoalSpec | None = None,
    ) -> BaseModel | Unrealised | None:
        """As ``realise``, but a failure that is already a proof (the fields it searched all
        have complete domains, and no wanted value stood for an interval) says so: an
        ``Unrealised`` that is ``proved``. None: not found, and not proved impossible."""
        key = (subject.name, tuple(sorted(assignment.items())), goal[2] if goal else None)
        if key in self._found:
            return self._found[key]
        found = self._search(subject, assignment, goal)
        self._found[key] = found
        return found

    def realise_class(
        self, subject: Subject, wanted: Mapping[str, Wanted]
    ) -> BaseModel | Unrealised:
        """A fact set of ``subject`` whose features take the wanted values (an integer feature:
        any value of its range), by the exact search; or why there is none — proved impossible,
        or not constructed (see the module's doc)."""
        key = (subject.name, tuple(sorted(wanted.items())))
        found = self._exact.get(key)
        if found is None:
            uses = self._uses_for(subject, wanted)
            try:
                found = self._search(subject, wanted, None, uses)
            except EvaluatorError as exc:
                found = Unrealised(False, note=str(exc))
            if found is None:  # pragma: no cover - the exact search says why
                found = Unrealised(False)
            self._exact[key] = found
        return found

    def _uses_for(self, subject: Subject, wanted: Mapping[str, Wanted]) -> Uses:
        """How the subject's constraints and the wanted features read each field."""
        uses = self._uses.get(subject.name)
        if uses is None:
            uses = self._uses[subject.name] = uses_of(self.subjects, subject, self.ctx)
        more = []
        for name, value in sorted(wanted.items()):
            key = (subject.name, name, value)
            found = self._uses.get(key)
            if found is None:
                found = self._uses[key] = target_uses(self.subjects, subject, self.ctx, name, value)
            more.append(found)
        return uses.merged(*more)

    def _checks(
        self,
        subject: Subject,
        assignment: Mapping[str, Wanted],
        goal: GoalSpec | None,
    ) -> list[_Check]:
        checks = [self._target(subject, name, value) for name, value in assignment.items()]
        if goal is not None:
            checks.append(self._goal(subject, goal))
        constraints = self._constraint_checks.get(subject.name)
        if constraints is None:  # the same for every search of the subject
            constraints = self._constraint_checks[subject.name] = list(
                self._constraints(subject, ())
            )
        checks.extend(constraints)
        return checks

    def _target(self, subject: Subject, name: str, value: Wanted) -> _Check:
        """The check that feature ``name`` takes ``value``: one object per feature and value, so
        that the schedules kept per shape of a search (``_plan``) apply to every search that
        wants it."""
        key = (subject.name, name, value)
        found = self._targets.get(key)
        if found is None:
            feature = subject.features[name]
            found = self._targets[key] = _Check(
                _equals(feature, value, self.ctx, self._makers),
                feature.reads,
                (),
                target=True,
                source=f"feature `{feature.expr}`",
                representative=feature.type.kind == "int" and not isinstance(value, range),
                expr=feature.expr if feature.field is None else f"{subject.name}.{feature.field}",
            )
        return found

    def _goal(self, subject: Subject, goal: GoalSpec) -> _Check:
        """The check of a goal: one per key (goals with one key are one goal)."""
        key = (subject.name, goal[1], goal[2])
        found = self._goals.get(key)
        if found is None:
            g, ctx = goal[0], self.ctx
            text = goal[2].expr if isinstance(goal[2], GoalText) else ""
            found = self._goals[key] = _Check(
                lambda o: g(o, ctx), goal[1], (), goal=True, expr=text
            )
        return found

    def _constraints(self, subject: Subject, prefix: tuple[str, ...]) -> Iterator[_Check]:
        dotted = "".join(p + "." for p in prefix)
        for c in subject.constraints:
            yield _Check(
                _holds(c.holds) if c.code is None else _generated_holds(c.code),
                frozenset(dotted + r for r in c.reads) | ({prefix[0]} if prefix else set()),
                prefix,
                source=f"constraint `{c.text}`",
                expr=c.text,
            )
        for name, info in subject.fields.items():
            if info.kind == "subject" and info.subject is not None:
                yield from self._constraints(self.subjects[info.subject], (*prefix, name))

    def _search(
        self,
        subject: Subject,
        assignment: Mapping[str, Wanted],
        goal: GoalSpec | None,
        uses: Uses | None = None,
    ) -> BaseModel | Unrealised | None:
        """The fact set, or None; with ``uses`` (the exact search), the fact set or why not."""
        variables = self.variables(subject)
        index = self._index(subject)
        ints: dict[str, set[int]] = {}
        for name, value in assignment.items():
            feature = subject.features[name]
            if feature.type.kind == "int" and isinstance(value, int):
                for read in feature.reads:
                    ints.setdefault(read, set()).add(value)
        checks = self._checks(subject, assignment, goal)
        record: list[Any] = list(self._first_values(subject, ints))
        for group, at, relevant, reads_goal in self._layout(
            subject, assignment, goal, index, checks
        ):
            group_checks = [checks[i] for i in at]
            key = (
                subject.name,
                group,
                tuple((k, assignment[k]) for k in relevant),
                goal[2] if goal is not None and reads_goal else None,
                tuple(sorted(k for k in ints if index.get(k) in group)),
                uses is not None,
            )
            if key in self._solved:
                values = self._solved[key]
            else:
                values = self._solve(subject, variables, group, group_checks, ints, uses)
                self._solved[key] = values
            if values is None:
                return None
            if isinstance(values, frozenset) and uses is None:  # the first search failed
                return _IMPOSSIBLE if goal is None and not values else None
            if isinstance(values, frozenset):  # the exact search failed over these fields
                assert uses is not None
                sources = {c.source for c in group_checks}
                records = (uses.fields.get(f) for f in values)  # not `of`: records are shared
                by = sorted({b for u in records if u is not None for b in u.by & sources})
                return Unrealised(not values, tuple(sorted(values)), tuple(by))
            for i, value in zip(group, values, strict=True):
                record[i] = value
        model = self._model(subject, variables, record)
        if model is None or not self._confirms(subject, model, assignment, goal):
            if uses is None:
                return None
            return Unrealised(False, note="the fact set it built does not give the wanted values")
        return model

    def _first_values(self, subject: Subject, ints: Mapping[str, set[int]]) -> tuple[Any, ...]:
        """Each field's first value (what a field no check reads keeps), kept per ``ints``."""
        start = (subject.name, tuple(sorted((k, tuple(sorted(v))) for k, v in ints.items())))
        first = self._first.get(start)
        if first is None:
            first = self._first[start] = tuple(
                self._domain(var, subject, ints)[0] for var in self.variables(subject)
            )
        return first

    def _layout(
        self,
        subject: Subject,
        assignment: Mapping[str, Wanted],
        goal: GoalSpec | None,
        index: Mapping[str, int],
        checks: Sequence[_Check],
    ) -> list[tuple[tuple[int, ...], tuple[int, ...], tuple[str, ...], bool]]:
        """``_components`` by position of the checks, with the wanted features that read each
        group's fields (by name) and whether its checks hold the goal: the same for every search
        of the same features and goal, whatever their values, so kept."""
        shape = (subject.name, tuple(assignment), goal[1] if goal is not None else None)
        layout = self._layouts.get(shape)
        if layout is None:
            variables = self.variables(subject)
            layout = self._layouts[shape] = [
                (
                    group,
                    tuple(checks.index(c) for c in group_checks),
                    tuple(sorted(k for k in assignment if subject.features[k].reads & paths)),
                    any(c.goal for c in group_checks),
                )
                for group, group_checks in self._components(variables, index, checks)
                for paths in [frozenset(".".join(variables[i].path) for i in group)]
            ]
        return layout

    def _index(self, subject: Subject) -> dict[str, int]:
        """Each field's position among the subject's variables, by dotted path."""
        found = self._indexes.get(subject.name)
        if found is None:
            variables = self.variables(subject)
            found = self._indexes[subject.name] = {
                ".".join(v.path): i for i, v in enumerate(variables)
            }
        return found

    @staticmethod
    def _components(
        variables: tuple[_Var, ...], index: Mapping[str, int], checks: Sequence[_Check]
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
        for j, k in _default_inputs(variables):  # a computed default reads its inputs
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
        uses: Uses | None = None,
    ) -> tuple[Any, ...] | frozenset[str] | None:
        """Values of the group's fields under which every check holds, or None; with ``uses``
        (the exact search), on failure the fields whose domain it could not exhaust (none: the
        failure is a proof).

        First the fields the wanted values read are searched with only the checks among them:
        if that relaxed search fails, so does the whole (a quick proof for most classes no fact
        set realises). A first search with a goal relaxes around the goal before that
        (``_relaxed`` with ``goal``): its failure, whatever fields it went through, is the
        whole's (a goal search is never a proof)."""
        shapes = [self._relaxed(subject, variables, group, checks)]
        if uses is None and any(c.goal for c in checks):  # the goal's few fields first
            shapes.insert(0, self._relaxed(subject, variables, group, checks, goal=True))
        for k, shape in enumerate(shapes):
            if shape is None or shape in shapes[:k]:
                continue
            inner = shape[0]
            relaxed = [checks[c] for c in shape[1]]
            ranked = self._order_of(subject, variables, inner, relaxed)
            order = [variables[i] for i in ranked]
            if self._solve_ordered(subject, order, relaxed, ints, uses) is None:
                return self._unproved(order, relaxed, uses)
        ranked = self._order_of(subject, variables, group, checks)
        position = {i: n for n, i in enumerate(ranked)}
        order = [variables[i] for i in ranked]
        solved = self._solve_ordered(subject, order, checks, ints, uses)
        if solved is None:
            return self._unproved(order, checks, uses)
        return tuple(solved[position[i]] for i in group)

    def _unproved(
        self, order: Sequence[_Var], checks: Sequence[_Check], uses: Uses | None
    ) -> frozenset[str]:
        """What keeps a failed search from being a proof: the fields whose domain it could not
        exhaust (none: it is one). The first search (no ``uses``) proves only over fields whose
        first domain is complete whatever reads them (no whole number, date, text or list: those
        are a few values) and without a wanted whole number standing for its interval."""
        if uses is not None:
            return self._unexhausted(order, uses, checks)
        open_ = {
            ".".join(v.path)
            for v in order
            if v.info.kind in ("int", "date", "text", "places", "records")
        }
        if any(c.representative for c in checks):
            open_.add("")
        return frozenset(open_)

    def _unexhausted(
        self, order: Sequence[_Var], uses: Uses, checks: Sequence[_Check]
    ) -> frozenset[str]:
        """The fields of a failed search whose domain is not complete for its checks: a field
        is tied only by the checks of this search that tie it (a relaxed search may not hold
        the constraint that ties a date, and is then a proof)."""
        sources = {c.source for c in checks}
        return frozenset(".".join(v.path) for v in order if not self._complete(v, uses, sources))

    def _relaxed(
        self,
        subject: Subject,
        variables: Sequence[_Var],
        group: tuple[int, ...],
        checks: Sequence[_Check],
        *,
        goal: bool = False,
    ) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
        """The fields the wanted values read (and what they need) and the checks among them
        only (by index), or None when those are the whole group: kept per shape of checks.

        With ``goal``, around the goal instead: the fields the goal reads, those of the wanted
        values that read one of them (and what they need), and the checks among them only. A
        goal search that fails (the place failures' do, mostly) fails there first, over a few
        of its fields."""
        shape = tuple(
            (c.reads, c.goal, c.target) if goal else (c.reads, c.goal or c.target) for c in checks
        )
        key = (goal, subject.name, group, shape)
        if key in self._relaxations:
            return self._relaxations[key]
        read = _reads_among(variables, group)
        if goal:
            wanted = {i for c in checks if c.goal for i in read(c)}
            around = set(wanted)
            for c in checks:
                if c.target and read(c) & around:
                    wanted |= read(c)
        else:
            wanted = {i for c in checks if c.goal or c.target for i in read(c)}
        found = self._relaxations[key] = _closed(variables, group, checks, wanted, read)
        return found

    def _order_of(
        self,
        subject: Subject,
        variables: Sequence[_Var],
        group: tuple[int, ...],
        checks: Sequence[_Check],
    ) -> list[int]:
        """``_ranked``, kept: it reads only which fields each check reads and which are wanted,
        the same for every class of a question whatever its values."""
        key = (subject.name, group, tuple((c.reads, c.goal or c.target) for c in checks))
        found = self._orders.get(key)
        if found is None:
            found = self._orders[key] = self._ranked(variables, group, checks)
        return found

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
        # what each field must come after, worked out once (``after`` is the costly test)
        needs_of = {
            i: frozenset(k for k in group if k != i and variables[i].after(variables[k]))
            for i in group
        }
        # the fields the wanted values read (and what they need) first: a contradiction among
        # them is met before fields that only constraints read are searched
        first = {i for r, w in zip(reads, wanted, strict=True) if w for i in r}
        for i in list(first):
            first.update(needs_of[i])
        while remaining:
            tier = (remaining & first) or remaining
            eligible = [i for i in tier if not (needs_of[i] & remaining)] or sorted(tier)

            def completes(i: int, after: set[int]) -> int:
                return sum(1 for r in reads if i in r and r <= after)

            def score(i: int) -> tuple[int, int, int, int]:
                after = done | {i}
                completed = completes(i, after)
                for j in remaining:  # a field this one unlocks counts for it too
                    if j != i and needs_of[j] & remaining == {i}:
                        completed = max(completed, completes(j, after | {j}))
                touching = sum(len(r & done) for r in reads if i in r)
                target = sum(1 for r, w in zip(reads, wanted, strict=True) if w and i in r)
                return (completed, touching, target, -i)

            best = max(eligible, key=score)
            placed.append(best)
            done.add(best)
            remaining.discard(best)
        return placed

    def _solve_ordered(  # noqa: PLR0915 - one search, its steps inline (it is the hot loop)
        self,
        subject: Subject,
        order: Sequence[_Var],
        checks: Sequence[_Check],
        ints: Mapping[str, set[int]],
        uses: Uses | None = None,
    ) -> tuple[Any, ...] | None:
        plan = self._plan(subject, order, checks)
        domains = [self._domain_of(var, subject, ints, uses) for var in order]
        # the first search's failures below a position hold for every search whose remaining
        # positions are alike (see ``_suffixes``): kept across searches; the exact search's
        # domains are built per search, its failures kept for the search alone
        shared = self._suffixes(subject, plan, order, checks, domains) if uses is None else None
        failed: set[tuple[int, tuple[Any, ...]]] = self._dead if shared is not None else set()
        named = shared[0] if shared is not None else range(len(order) + 1)
        # … and the values that pass the checks due at a position, per values they read there
        passing = self._passing if shared is not None else None
        local = shared[1] if shared is not None else ()
        relative = self._date_steps(order, uses) if uses is not None else {}
        limit = _MAX_NODES if uses is None else _MAX_EXACT_NODES
        partners: dict[int, list[tuple[Any, tuple[str, ...]]]] = {}
        if uses is not None:
            for n, var in enumerate(order):
                found = uses.fields.get(".".join(var.path))
                if found is not None and found.partners and var.info.kind in ("int", "date"):
                    partners[n] = sorted(found.partners, key=str)
        for n, c in plan.filters if passing is None else ():  # (``passing`` filters them all)
            # a check of one top-level field filters its domain at once
            name, holds = order[n].path[0], checks[c].holds
            domains[n] = [v for v in domains[n] if holds(SimpleNamespace(**{name: v}))]
        if not order:
            ns = SimpleNamespace()
            return () if all(c.holds(ns) for c in checks) else None
        root = SimpleNamespace()
        first = self._first_values(subject, ints)
        variables = self.variables(subject)
        for k in plan.rest:  # the other fields: their first values (no check here reads them)
            var = variables[k]
            parent = _scope(root, var.path[:-1])
            if parent is not None:
                value = first[k]
                actual = SimpleNamespace() if value is _PRESENT else value
                setattr(parent, var.path[-1], actual)
        # the checks due at each position: those of the subject itself, then those of a nested
        # subject (checked where it is present); all of them must hold, in whatever order
        plain = [[checks[c].holds for c in at] for at in plan.plain]
        scoped = [[(checks[c].scope, checks[c].holds) for c in at] for at in plan.scoped]
        record: list[Any] = [None] * len(order)
        parents = plan.parents
        nodes = 0
        tree = self._symmetry(subject, order, checks) if plan.symmetric else None
        # for each place field: the place fields before it that the checks due from it on read,
        # and those that the checks due at it read (which ``passing`` is kept for)
        fixing, reading = (plan.fixing, plan.reading) if tree is not None else ({}, {})
        # the checks due at each position, as ``_Schedule.each`` lists them: (scope, test) (a
        # check on the subject itself has the scope ())
        due = [[(checks[c].scope, checks[c].holds) for c in at] for at in plan.due]

        # … and what names each of them at its position (``_check_fixed``), but for the values
        # of the fields it reads: the key to its verdicts (``_Admitted``)
        every = self._verdicts
        statics = (
            [
                [(fixed, checks[c], d) for fixed, c in at]
                for at, d in zip(self._check_fixed[id(plan)], map(id, domains), strict=True)
            ]
            if passing is not None
            else []
        )

        def put(n: int, parent: Any, value: Any) -> None:
            """Set ``value`` at position ``n`` (on ``parent``)."""
            var = order[n]
            actual = SimpleNamespace() if value is _PRESENT else value
            if actual is None and var.derived is not None:
                actual = var.derived(parent, None)
            setattr(parent, var.path[-1], actual)

        def run(n: int, j: int) -> bool:
            """Whether the ``j``th check due at ``n`` holds for the values set."""
            scope_path, holds = due[n][j]
            if not scope_path:
                return holds(root)
            scope = _scope(root, scope_path)
            return scope is None or holds(scope)

        size = len(order)
        before, read_before, read_each, leaves, derived = self._bind(plan, order)

        def step(n: int) -> bool:  # noqa: PLR0912, PLR0915 - the hot loop, its steps inline
            nonlocal nodes
            if n == size:
                return True
            key = (named[n], before[n](record))
            if key in failed:
                return False
            up = parents[n]
            parent = _scope(root, up) if up else root
            candidates: Iterable[Any] = domains[n] if parent is not None else [None]
            checked = False  # whether ``candidates`` pass the checks due here already
            if passing is not None and parent is not None:
                kept = (local[n], read_before[n](record))
                found = passing.get(kept)
                if found is None:
                    together = None  # codes a symmetry keeping the codes read here maps together
                    if tree is not None and n in reading:
                        fixed = [record[k] for k in reading[n] if record[k] is not None]
                        together = tree.classes(fixed)
                    arrays = []
                    for static, reads in zip(statics[n], read_each[n], strict=True):
                        at_j = (*static, reads(record))
                        verdicts = every.get(at_j)
                        if verdicts is None:
                            verdicts = every[at_j] = [None] * len(domains[n])
                        arrays.append(verdicts)
                    found = passing[kept] = _Admitted(domains[n], arrays, together)
                candidates, checked = found.passed or found.values(put, run, n, parent), True
            if n in relative and parent is not None:  # dates at steps from the dates set
                earlier, steps = relative[n]
                near = [
                    x
                    for k in earlier
                    if isinstance(record[k], datetime.date)
                    for step in steps
                    if (x := step(record[k])) is not None
                ]
                candidates = _unique([*candidates, *near])
            if n in partners and parent is not None:  # values of what it is compared with
                proposed: list[Any] = []
                for node, where in partners[n]:
                    x = partner_value(node, root, where, self.ctx)
                    if isinstance(x, int) and not isinstance(x, bool):
                        proposed += [x, x - 1, x + 1]
                    elif x is not NOT_A_VALUE and x is not None:
                        proposed.append(x)
                candidates = _unique([*candidates, *proposed])
            classes: dict[str, int] | None = None
            if tree is not None and n in fixing:
                classes = tree.classes([record[k] for k in fixing[n] if record[k] is not None])
                tried: set[int] = set()
            leaf, default = leaves[n], derived[n]
            if checked and classes is None and parent is not None:  # the common case, lean
                for value in candidates:
                    nodes += 1
                    if nodes > limit:
                        _too_many(subject, order, limit)
                    record[n] = value
                    if value is _PRESENT:
                        setattr(parent, leaf, SimpleNamespace())
                    elif value is None and default is not None:
                        setattr(parent, leaf, default(parent, None))
                    else:
                        setattr(parent, leaf, value)
                    if step(n + 1):
                        return True
                failed.add(key)
                return False
            for value in candidates:
                if classes is not None and value is not None:  # a symmetry of a value tried here
                    orbit = classes[value]
                    if orbit in tried:  # … that failed: so does this one (see ``symmetry``)
                        continue
                    tried.add(orbit)
                nodes += 1
                if nodes > limit:
                    _too_many(subject, order, limit)
                record[n] = value
                if parent is not None:
                    actual = SimpleNamespace() if value is _PRESENT else value
                    if actual is None and default is not None:
                        actual = default(parent, None)
                    setattr(parent, leaf, actual)
                if checked:
                    if step(n + 1):
                        return True
                    continue
                ok = True
                for holds in plain[n]:
                    if not holds(root):
                        ok = False
                        break
                if ok:
                    for scope_path, holds in scoped[n]:
                        scope = _scope(root, scope_path)
                        if scope is not None and not holds(scope):
                            ok = False
                            break
                if ok and step(n + 1):
                    return True
            failed.add(key)
            return False

        solved = step(0)
        self.steps += nodes
        return tuple(record) if solved else None

    def _bind(self, plan: _Schedule, order: Sequence[_Var]) -> _Bound:
        """Per position of a search, bound once per schedule (its fields are the order's): the
        values before it that key its failures, those that key its passing values and each
        check's verdicts (``_values_of``), the name it is set by and its computed default."""
        found = self._bound.get(id(plan))
        if found is None:
            size = len(order)
            found = self._bound[id(plan)] = (
                [_values_of(plan.frontier[n]) for n in range(size)],
                [_values_of(plan.inputs[n]) for n in range(size)],
                [[_values_of(reads) for reads in plan.each[n]] for n in range(size)],
                [var.path[-1] for var in order],
                [var.derived for var in order],
            )
        return found

    def _suffixes(
        self,
        subject: Subject,
        plan: _Schedule,
        order: Sequence[_Var],
        checks: Sequence[_Check],
        domains: Sequence[list[Any]],
    ) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Numbers naming what a first search does at each position, so that searches share
        what they learn there; kept per shape of a search.

        The first, per position (and the end), names what the search does from there on: the
        fields left in their order, the checks due at each (the same objects: a wanted value's
        check is one object per feature and value), their domains (the same kept lists,
        ``_domain_of``) and which fields set before each the checks still read. Whether the
        search fails from a position, given the values of those fields, depends on nothing
        else: two searches that agree on the number share their failures there (a class's
        search skips what its neighbour's proved fails).

        The second names the position alone: its field, domain and checks due, and the fields
        before it they depend on (``_Schedule.inputs``). Which of its values pass those checks,
        given those fields' values, is then the same in every search: worked out once.

        Either way the search tries the same values in the same order, but for failures it
        already knows: the fact set found, if any, is the one it found before, in fewer steps.
        """
        key = (id(plan), tuple(checks), tuple(id(d) for d in domains))
        found = self._suffix_ids.get(key)
        if found is not None:
            return found
        ids = self._suffix_names
        fixed = self._suffix_fixed.get(id(plan))
        if fixed is None:  # what of each position is the same whatever the checks' objects
            fixed = self._suffix_fixed[id(plan)] = [
                (
                    ids.setdefault((var.path, var.derived, "fields before", before), len(ids)),
                    ids.setdefault((var.path, var.derived, "inputs", reads), len(ids)),
                )
                for n, var in enumerate(order)
                for before in [tuple(order[k].path for k in plan.frontier[n])]
                for reads in [tuple(order[k].path for k in plan.inputs[n])]
            ]
            self._check_fixed[id(plan)] = [
                tuple(
                    (
                        ids.setdefault(
                            (var.path, var.derived, "check", tuple(order[k].path for k in reads)),
                            len(ids),
                        ),
                        c,
                    )
                    for reads, c in zip(plan.each[n], plan.due[n], strict=True)
                )
                for n, var in enumerate(order)
            ]
        named = [0] * (len(order) + 1)
        local = [0] * len(order)
        below = ids.setdefault(("end", subject.name), len(ids))
        named[len(order)] = below
        for n in range(len(order) - 1, -1, -1):
            due = tuple(checks[c] for c in (*plan.plain[n], *plan.scoped[n]))
            here, alone = fixed[n]
            below = named[n] = ids.setdefault((here, due, id(domains[n]), below), len(ids))
            local[n] = ids.setdefault((alone, due, id(domains[n])), len(ids))
        found = self._suffix_ids[key] = (tuple(named), tuple(local))
        return found

    def _symmetry(
        self, subject: Subject, order: Sequence[_Var], checks: Sequence[_Check]
    ) -> PlaceTree | None:
        """The pool's tree of codes with the types the checks keep, if the search may skip a
        candidate code that a symmetry maps from one that failed (``analysis.symmetry``): its
        place fields' domains are the pool's codes of their levels, and every check is an
        expression that reads places only as a symmetry keeps. Kept per fields and checks."""
        key = (subject.name, tuple(v.path for v in order), tuple((c.expr, c.scope) for c in checks))
        if key in self._symmetries:
            return self._symmetries[key]
        found = None
        if _symmetric(order) and all(c.expr for c in checks):
            texts = [(self._owner(subject, c.scope), c.scope, c.expr) for c in checks]
            reads = place_reads(self.subjects, self.ctx, texts)
            if reads.safe:
                found = self._trees.get(reads)
                if found is None:
                    codes = [c for lv in self.hierarchy.levels for c in self.pool.get(lv.name, [])]
                    found = self._trees[reads] = PlaceTree(self.hierarchy, codes, reads)
        self._symmetries[key] = found
        return found

    def _owner(self, subject: Subject, scope: tuple[str, ...]) -> Subject:
        """The nested subject at ``scope`` of ``subject``."""
        for name in scope:
            info = subject.fields[name]
            assert info.subject is not None
            subject = self.subjects[info.subject]
        return subject

    def _plan(self, subject: Subject, order: Sequence[_Var], checks: Sequence[_Check]) -> _Schedule:
        """When each check is due, the frontier of each position, the checks that filter a
        domain and the fields outside the order: the same for every search of the same fields
        and checks' reads, whatever the wanted values, so kept."""
        key = (
            subject.name,
            tuple(var.path for var in order),
            tuple((c.reads, c.scope) for c in checks),
        )
        found = self._plans.get(key)
        if found is not None:
            return found
        index = {".".join(var.path): n for n, var in enumerate(order)}
        due, frontier = _schedule(order, index, checks)
        at = {id(c): i for i, c in enumerate(checks)}
        filters = []
        for c, check in enumerate(checks):
            reads = [index[r] for r in check.reads if r in index]
            if len(set(reads)) == 1 and not check.scope:
                n = reads[0]
                var = order[n]
                if len(var.path) == 1 and var.derived is None and var.info.kind != "subject":
                    filters.append((n, c))
        paths = {var.path for var in order}
        inputs = tuple(_inputs(order, index, n, due[n]) for n in range(len(order)))
        places = sorted(n for n, var in enumerate(order) if var.info.kind == "place")
        plain = tuple(tuple(at[id(c)] for c in d if not c.scope) for d in due)
        scoped = tuple(tuple(at[id(c)] for c in d if c.scope) for d in due)
        found = self._plans[key] = _Schedule(
            inputs=inputs,
            each=tuple(
                tuple(
                    _inputs(order, index, n, [c])
                    for c in (*(c for c in due[n] if not c.scope), *(c for c in due[n] if c.scope))
                )
                for n in range(len(order))
            ),
            plain=plain,
            scoped=scoped,
            frontier=frontier,
            filters=tuple(filters),
            rest=tuple(k for k, var in enumerate(self.variables(subject)) if var.path not in paths),
            due=tuple((*p, *q) for p, q in zip(plain, scoped, strict=True)),
            parents=tuple(var.path[:-1] for var in order),
            fixing={n: tuple(k for k in frontier[n] if k in places) for n in places},
            reading={n: tuple(k for k in inputs[n] if k in places) for n in places},
            symmetric=_symmetric(order),
        )
        return found

    def _date_steps(
        self, order: Sequence[_Var], uses: Uses
    ) -> dict[int, tuple[list[int], list[DateStep]]]:
        """For each tied date field of the search order: the date fields set before it, and the
        steps from them at which its readers can change (``DATE_STEPS``)."""
        amounts = sorted(
            {
                abs(c)
                for u in uses.fields.values()
                for c in u.cuts
                if isinstance(c, int) and not isinstance(c, bool)
            }
            | {abs(a) for a in uses.amounts}
        )
        out: dict[int, tuple[list[int], list[DateStep]]] = {}
        for n, var in enumerate(order):
            found = uses.fields.get(".".join(var.path))
            if var.info.kind != "date" or found is None or not found.tied:
                continue
            earlier = [k for k in range(n) if order[k].info.kind == "date"]
            if not earlier:
                continue
            steps = _day_steps()
            for name in sorted(found.functions):
                make = DATE_STEPS.get(name)
                if make is not None:
                    steps += make(amounts)
            out[n] = (earlier, steps)
        return out

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
        assignment: Mapping[str, Wanted],
        goal: GoalSpec | None,
    ) -> bool:
        if goal is not None and not goal[0](model, self.ctx):
            return False
        # each wanted value by the search's own check of it (``_target``: generated from the
        # feature's source: what the feature's closure says, ``_closure_equals``)
        target = self._target
        return all(target(subject, n, v).holds(model) for n, v in assignment.items())


class _Admitted:
    """The values of a position's domain that pass the checks due there, for one set of values
    of the fields those checks read: worked out as the search asks for them (a search that
    succeeds at the first value does not try the rest), and kept for the next search that
    comes there with the same values.

    Each check's verdicts (``verdicts``, one list per check due, indexed as the domain) are
    kept per values of the fields that check alone reads, shared by every position and search
    that runs it on those values: a value another check rules out is not run again. With
    ``classes`` (``PlaceTree.classes`` for the codes the checks read), codes of one class pass
    or fail together: one is tried for all."""

    __slots__ = ("_arrays", "_classes", "_domain", "_next", "_orbits", "_passed", "passed")

    def __init__(
        self,
        domain: Sequence[Any],
        verdicts: list[list[bool | None]],
        classes: Mapping[str, int] | None,
    ) -> None:
        self._domain = domain
        self._arrays = verdicts
        self._classes = classes
        self._passed: list[Any] = []
        self._next = 0  # the first value of the domain not yet tried
        self._orbits: dict[int, bool] = {}
        self.passed: list[Any] | None = None
        """Every value that passes, once all are known (a list is quicker to go through)."""

    def values(
        self,
        put: Callable[[int, Any, Any], None],
        run: Callable[[int, int], bool],
        n: int,
        parent: Any,
    ) -> Iterator[Any]:
        """The values that pass, in the domain's order; ``put(n, parent, value)`` sets one at
        position ``n``, ``run(n, j)`` runs the ``j``th check due there."""
        passed, domain, arrays, classes = self._passed, self._domain, self._arrays, self._classes
        orbits = self._orbits
        yield from passed  # (only this generator adds to it, and not while it is yielding them)
        k, end = self._next, len(domain)
        while k < end:
            value = domain[k]
            orbit = None if classes is None or value is None else classes[value]
            ok = None if orbit is None else orbits.get(orbit)
            if ok is None:
                ok, placed = True, False
                for j, verdicts in enumerate(arrays):
                    verdict = verdicts[k]
                    if verdict is None:
                        if not placed:
                            put(n, parent, value)
                            placed = True
                        verdict = verdicts[k] = run(n, j)
                    if not verdict:
                        ok = False
                        break
                if orbit is not None:
                    orbits[orbit] = ok
            k += 1
            if ok:
                self._next = k
                passed.append(value)
                yield value
        self._next = k
        self.passed = passed


_Values = Callable[[Sequence[Any]], Any]
_Bound = tuple[
    list[_Values], list[_Values], list[list[_Values]], list[str], list[Callable[..., Any] | None]
]


def _values_of(positions: Sequence[int]) -> _Values:
    """What a search's values at ``positions`` are, as a key: a tuple of them (one position:
    the value alone; none: ``()``). A key is only compared with keys of the same positions."""
    if not positions:
        return _nothing
    return operator.itemgetter(*positions)


def _nothing(_record: Sequence[Any]) -> tuple[()]:
    return ()


def _too_many(subject: Subject, order: Sequence[_Var], limit: int) -> None:
    raise EvaluatorError(
        f"the checker's search for a {subject.name} fact set stopped after "
        f"{limit:,} steps (fields {', '.join('.'.join(v.path) for v in order)}"
        "): declare fewer or narrower fields for it, or split the subject"
    )


def _in_range(value: int, info: FieldInfo) -> bool:
    low = info.minimum if info.minimum is not None else value
    high = info.maximum if info.maximum is not None else value
    return low <= value <= high


def _reads_among(variables: Sequence[_Var], group: tuple[int, ...]) -> Callable[[_Check], set[int]]:
    """The fields of ``group`` (by index) a check reads."""
    paths = {".".join(variables[i].path): i for i in group}

    def read(c: _Check) -> set[int]:
        return {paths[r] for r in c.reads if r in paths}

    return read


def _closed(
    variables: Sequence[_Var],
    group: tuple[int, ...],
    checks: Sequence[_Check],
    wanted: set[int],
    read: Callable[[_Check], set[int]],
) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
    """A relaxed search's shape: the ``wanted`` fields with the fields they need (those they
    come after), and the checks that read no other field of the group (by index); or None when
    the fields are the whole group."""
    for i in list(wanted):
        wanted.update(k for k in group if variables[i].after(variables[k]))
    if not wanted or len(wanted) >= len(group):
        return None
    return tuple(sorted(wanted)), tuple(n for n, c in enumerate(checks) if read(c) <= wanted)
