"""The fact space of one question, cut into finitely many classes, each decided by the engine.

A question's rules read a few features of its subject (walk every rule's ``expanded`` tree). Each
feature is split into the values a condition can tell apart:

* a boolean both ways; an enum into its values;
* an integer into intervals at every threshold the rules compare it with: for thresholds
  ``t1 < … < tk`` inside the feature's range ``[min, max]`` the intervals are ``[min, t1-1]``,
  ``{t1}``, ``[t1+1, t2-1]``, …, ``{tk}``, ``[tk+1, max]`` (empty ones dropped). A comparison of
  the feature with a constant or parameter has the same truth value everywhere in an interval,
  so one representative per interval — the value next to a threshold, t−1 or t+1 — decides it.

The classes are the product of the splits. Each is realised as a concrete fact set and decided
with the engine's own semantics, so what the checker finds is what ``decide`` does. A class the
realiser does not construct at once is searched again exactly (``Realiser.realise_class``): it
is then realised, or proved impossible (no fact set has its values, such as "same place at a
fine level but different places at a coarser one": skipped), or — where the realiser cannot
exhaust the values of a field tied by a constraint — kept as *unverified*, which the checker
states (``check-incomplete``): no class is ever dropped without a word. The cost grows with the
number of features and thresholds a question reads, not with any population.

A comparison between two integer features makes the classes representative rather than uniform:
both features are then also split at both ends of each interval, so that every order between
the two (less, equal, greater) within and across intervals is decided.
"""

from __future__ import annotations

import dataclasses
import datetime
import itertools
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from ..core.errors import ConflictError, FactsError
from ..engine.decision import Decision
from ..engine.engine import Engine, _Plan, overridden_by_fired, resolve
from ..language.conditions import Compare, Expr, FactRef, InSet, IntConst, ParamRef, StrConst, walk
from ..language.subjects import FeatureType, FeatureValue, Subject
from ..policy.model import AnswerSpec, Policy, Question, Rule
from .known import KnownValues
from .realise import GoalSpec, GoalText, Realiser, Unrealised, Wanted
from .sweep import RuleSweep

_Resolved = tuple[list[Rule], list[Rule], list[Rule]]
"""A set of holding rules resolved: fired, overridden, remaining (``engine.resolve``)."""

__all__ = [
    "DecidedClass",
    "Interval",
    "QuestionPartition",
    "Realiser",
    "Split",
    "Unverified",
    "int_thresholds",
    "label",
    "partition",
    "splits",
]


@dataclass(frozen=True, slots=True, order=True)
class Interval:
    """The whole numbers from ``low`` to ``high``, both included."""

    low: int
    high: int

    def __str__(self) -> str:
        return str(self.low) if self.low == self.high else f"{self.low}..{self.high}"

    def to_json(self) -> dict[str, int]:
        return {"min": self.low, "max": self.high}


ClassValue = bool | str | Interval


@dataclass(frozen=True, slots=True)
class Split:
    """The values of one feature that the question's conditions can tell apart."""

    feature: str
    type: FeatureType
    values: tuple[ClassValue, ...]
    thresholds: tuple[int, ...] = ()
    relational: bool = False


@dataclass(frozen=True, slots=True)
class DecidedClass:
    """One class of fact sets, its representative, and what the engine decides for it."""

    values: tuple[tuple[str, ClassValue], ...]
    facts: BaseModel
    fired: tuple[str, ...]
    overridden: tuple[str, ...]
    remaining: tuple[str, ...]
    decision: Decision | None
    error: ConflictError | FactsError | None = field(default=None, compare=False)

    def describe(self, subject: str) -> str:
        """The class in the words of the condition language, e.g. ``person.years = 18``."""
        return ", ".join(f"{label(subject, name)} {_show(value)}" for name, value in self.values)


def label(subject: str, feature: str) -> str:
    """How a feature is named to a reader: ``person.years``; a derived feature of a rule (named
    by its expression, which names the subject already) in parentheses."""
    return f"{subject}.{feature}" if feature.isidentifier() else f"({feature})"


def _show(value: ClassValue) -> str:
    if isinstance(value, bool):
        return "= true" if value else "= false"
    if isinstance(value, Interval):
        return f"= {value.low}" if value.low == value.high else f"in {value.low}..{value.high}"
    return f'= "{value}"'


@dataclass(frozen=True, slots=True)
class Unverified:
    """A class the realiser could neither construct nor prove impossible: the check says nothing
    about it, and says so."""

    values: tuple[tuple[str, ClassValue], ...]
    why: Unrealised

    def describe(self, subject: str) -> str:
        return ", ".join(f"{label(subject, name)} {_show(value)}" for name, value in self.values)


@dataclass(frozen=True, slots=True)
class QuestionPartition:
    question: Question
    splits: tuple[Split, ...]
    considered: int  # classes in the product of the splits
    classes: tuple[DecidedClass, ...]  # those some fact set realises, decided
    place_failures: tuple[DecidedClass, ...] = ()  # other fact sets of a class that decide fails
    unverified: tuple[Unverified, ...] = ()  # neither realised nor proved impossible


# --- which features, which thresholds ----------------------------------------------------------


def _int_param(policy: Policy, term: Any) -> int | None:
    if isinstance(term, IntConst):
        return term.value
    if isinstance(term, ParamRef):
        param = policy.parameters.get(term.name)
        if param is not None and param.type == "int" and isinstance(param.value, int):
            return param.value
    return None


def _int_feature(subject: Subject, term: Any) -> str | None:
    if isinstance(term, FactRef):
        feature = subject.features.get(term.feature)
        if feature is not None and feature.type.kind == "int":
            return feature.name
    return None


def int_thresholds(
    policy: Policy, subject: Subject, exprs: Iterable[Expr]
) -> tuple[dict[str, set[int]], set[str]]:
    """The thresholds each integer feature is compared with, and the features compared with
    another feature (relational)."""
    found: dict[str, set[int]] = {}
    relational: set[str] = set()
    for expr in exprs:
        for node in walk(expr):
            if isinstance(node, Compare):
                left, right = _int_feature(subject, node.left), _int_feature(subject, node.right)
                if left and right:
                    relational.update((left, right))
                    found.setdefault(left, set())
                    found.setdefault(right, set())
                for feature, other in ((left, node.right), (right, node.left)):
                    value = _int_param(policy, other)
                    if feature and value is not None:
                        found.setdefault(feature, set()).add(value)
            elif isinstance(node, InSet):
                feature = _int_feature(subject, node.term)
                if feature:
                    found.setdefault(feature, set()).update(
                        v.value for v in node.values if isinstance(v, IntConst)
                    )
    return found, relational


def _features_read(subject: Subject, exprs: Iterable[Expr]) -> list[str]:
    read = {
        node.feature
        for expr in exprs
        for node in walk(expr)
        if isinstance(node, FactRef) and node.feature in subject.features
    }
    return [name for name in subject.features if name in read]  # the subject's own order


def _intervals(ftype: FeatureType, thresholds: Iterable[int], relational: bool) -> list[Interval]:
    lo, hi = ftype.minimum, ftype.maximum
    out: list[Interval] = []
    cursor = lo
    for t in sorted({t for t in thresholds if lo <= t <= hi}):
        if cursor <= t - 1:
            out.append(Interval(cursor, t - 1))
        out.append(Interval(t, t))
        cursor = t + 1
    if cursor <= hi:
        out.append(Interval(cursor, hi))
    if not relational:
        return out
    ends: list[Interval] = []
    for iv in out:
        ends.append(Interval(iv.low, iv.low))
        if iv.high - iv.low >= 2:
            ends.append(Interval(iv.low + 1, iv.high - 1))
        if iv.high > iv.low:
            ends.append(Interval(iv.high, iv.high))
    return ends


def splits(policy: Policy, question: Question) -> tuple[Split, ...]:
    """How the question's fact space is cut: one split per feature its rules read."""
    subject = policy.subjects[question.subject]
    exprs = [r.expanded for r in question.rules]
    thresholds, relational = int_thresholds(policy, subject, exprs)
    out: list[Split] = []
    for name in _features_read(subject, exprs):
        ftype = subject.features[name].type
        if ftype.kind == "bool":
            out.append(Split(name, ftype, (False, True)))
        elif ftype.kind == "enum":
            out.append(Split(name, ftype, ftype.values))
        else:
            ts = thresholds.get(name, set())
            values = tuple(_intervals(ftype, ts, name in relational))
            out.append(Split(name, ftype, values, tuple(sorted(ts)), name in relational))
    return tuple(out)


# --- realising a class -------------------------------------------------------------------------


def _representatives(iv: Interval, ftype: FeatureType) -> tuple[int, ...]:
    """The value next to a threshold first (t-1 or t+1), then the interval's other end."""
    if iv.low == iv.high:
        return (iv.low,)
    if iv.low == ftype.minimum and iv.high < ftype.maximum:
        return (iv.high, iv.low)
    return (iv.low, iv.high)


def realiser_for(engine: Engine) -> Realiser:
    """A realiser over the engine's policy: its subjects, hierarchy and parameter values."""
    policy = engine.policy
    return Realiser(
        policy.subjects, policy.hierarchy, engine.context, _codes_in(policy), _dates_in(policy)
    )


def _dates_in(policy: Policy) -> list[datetime.date]:
    """The dates the policy's features and constraints name (``date("YYYY-MM-DD")``)."""
    texts = [f.expr for s in policy.subjects.values() for f in s.features.values()]
    texts += [c.text for s in policy.subjects.values() for c in s.constraints]
    found: set[datetime.date] = set()
    for text in texts:
        for literal in re.findall(r'date\(\s*"([^"]*)"\s*\)', text):
            try:
                found.add(datetime.date.fromisoformat(literal))
            except ValueError:  # pragma: no cover - the type checker refused it at load
                continue
    return sorted(found)


def _codes_in(policy: Policy) -> list[str]:
    """The place codes the policy's conditions name: the realiser tries them too."""
    h = policy.hierarchy
    exprs: list[Any] = [r.expanded for q in policy.questions.values() for r in q.rules]
    found = {
        n.value
        for e in exprs
        for n in walk(e)
        if isinstance(n, StrConst) and h.problem(n.value) is None
    }
    for subject in policy.subjects.values():
        for feature in subject.features.values():  # derived features name codes as literals
            found.update(re.findall(r'"([^"]*)"', feature.expr))
    return sorted(c for c in found if h.problem(c) is None)


# --- deciding every class ----------------------------------------------------------------------


def _candidates(
    split_list: tuple[Split, ...], combo: tuple[ClassValue, ...]
) -> Iterator[dict[str, FeatureValue]]:
    """Assignments that represent one class: next to the thresholds first, then the far ends."""
    for pick in (0, 1):
        assignment: dict[str, FeatureValue] = {}
        tried_other = False
        for split, value in zip(split_list, combo, strict=True):
            if isinstance(value, Interval):
                reps = _representatives(value, split.type)
                assignment[split.feature] = reps[min(pick, len(reps) - 1)]
                tried_other = tried_other or len(reps) > 1
            else:
                assignment[split.feature] = value
        yield assignment
        if not tried_other:
            return


def partition(engine: Engine, question: Question, realiser: Realiser) -> QuestionPartition:
    """Every class of the question's fact space that some fact set realises, decided."""
    policy = engine.policy
    subject = policy.subjects[question.subject]
    split_list = splits(policy, question)
    decided: list[DecidedClass] = []
    failures: list[DecidedClass] = []
    unverified: list[Unverified] = []
    plans: dict[frozenset[str], _Plan] = {}
    resolved: dict[frozenset[str], _Resolved] = {}
    sweep = RuleSweep.of(
        engine, question, split_list, lambda e: int_thresholds(policy, subject, [e])
    )
    rules = {r.id: r for r in question.rules}
    impossible = _ImpossiblePairs(realiser, subject, split_list)
    goals = _PlaceGoals(policy, question, rules)
    considered = math.prod(len(s.values) for s in split_list)
    for combo in impossible.possible():
        facts = None
        proved = False
        for assignment in _candidates(split_list, combo):
            attempt = realiser.attempt(subject, assignment)
            if isinstance(attempt, Unrealised):
                proved = True
                break
            facts = attempt
            if facts is not None:
                break
        values = tuple((s.feature, v) for s, v in zip(split_list, combo, strict=True))
        if proved:
            impossible.learn(combo)
            continue
        if facts is not None:
            impossible.found(combo)
        if facts is None:
            found = realiser.realise_class(subject, _wanted(values))
            if isinstance(found, Unrealised):
                if not found.proved:
                    unverified.append(Unverified(values, found))
                else:
                    impossible.learn(combo)
                continue
            facts = found
            impossible.found(combo)
            assignment = {
                name: found_value
                for name, _v in values
                if (found_value := subject.features[name].get(facts, engine.context)) is not None
            }
        holding = sweep.holding(combo, facts) if sweep is not None else None
        cls = _decide(engine, question, values, facts, plans, holding, resolved, rules)
        decided.append(cls)
        if cls.decision is not None and cls.remaining:
            failure = _place_failure(engine, question, realiser, cls, goals, assignment, plans)
            if failure is not None:
                failures.append(failure)
    return QuestionPartition(
        question, split_list, considered, tuple(decided), tuple(failures), tuple(unverified)
    )


class _ImpossiblePairs:
    """Pairs of class values no fact set has, proved once each: a class holding such a pair is
    impossible without a search of its own.

    Most classes of a product of splits can be impossible (a feature that only a nested subject
    sets, say, with another that says the nested subject is absent), and for the same reason, a
    pair of their values. Each
    pair of values the product meets is searched for once (the realiser's first search, whose
    failure over complete domains is a proof); classes are then ruled out by a lookup each.
    Whole-number intervals are left out: a representative's failure proves nothing of its
    interval.

    Most of the rest are impossible for the values of three or four features (two features that
    each read a field, and a third that reads both). So the walk also asks, at each feature from
    the third on (but the last, whose values are a whole class's, searched as such), whether the
    values chosen so far — whole numbers left out — have a fact set: proved impossible once,
    by the first search or the exact one, every class below is skipped unvisited. A proof is a
    proof: the classes skipped are exactly those no fact set has.
    """

    def __init__(self, realiser: Realiser, subject: Subject, split_list: tuple[Split, ...]):
        self._realiser = realiser
        self._subject = subject
        self._splits = split_list
        self._names = [s.feature for s in split_list]
        self._known: dict[tuple[int, ClassValue, int, ClassValue], bool] = {}
        self._prefixes: dict[tuple[tuple[str, ClassValue], ...], bool] = {}
        self._pairs = [
            (i, j)
            for i, j in itertools.combinations(range(len(split_list)), 2)
            if split_list[i].type.kind != "int" and split_list[j].type.kind != "int"
        ]
        self._plain = [k for k, s in enumerate(split_list) if s.type.kind != "int"]
        # values no fact set has together, learnt from impossible classes: by their last feature
        self._cores: list[list[tuple[tuple[int, ClassValue], ...]]] = [[] for _ in split_list]
        # values some fact set found has together (of any question of the subject)
        self._seen = realiser.known.setdefault(subject.name, KnownValues())

    def possible(self) -> Iterator[tuple[ClassValue, ...]]:
        """The product of the splits' values in its order, but for the classes holding a pair
        of values no fact set has: a value that clashes with one chosen before cuts off every
        class below it, unvisited."""
        values = [s.values for s in self._splits]
        combo: list[ClassValue] = [False] * len(values)
        before = [[i for i, j in self._pairs if j == k] for k in range(len(values))]
        plain = [k for k, s in enumerate(self._splits) if s.type.kind != "int"]
        prefixes = set(plain[2:-1])  # a triple or more, short of a whole class's values

        known, clash = self._known, self._clash

        def walk(k: int) -> Iterator[tuple[ClassValue, ...]]:
            if k == len(values):
                yield tuple(combo)
                return
            pairs, cores = before[k], self._cores[k]
            for value in values[k]:
                combo[k] = value
                ruled_out = False
                for i in pairs:  # (a pair proved or answered before: looked up here)
                    out = known.get((i, combo[i], k, value))
                    if out is None:
                        out = clash(i, k, combo)
                    if out:
                        ruled_out = True
                        break
                if ruled_out:
                    continue
                if k in prefixes and self._impossible(
                    tuple((self._names[i], combo[i]) for i in plain if i <= k)
                ):
                    continue
                if cores and any(all(combo[i] == v for i, v in core) for core in cores):
                    continue
                yield from walk(k + 1)

        return walk(0)

    def learn(self, combo: Sequence[ClassValue]) -> None:
        """A class proved impossible: if its values but the whole numbers are impossible too,
        the fewest of them that still are (each left out in turn, kept if the rest are then
        possible) are learnt, and every later class holding them is skipped unvisited. Most
        impossible classes are so for the values of three features that the walk meets only at
        the last (the prefixes above test the features in their order only): learnt once, they
        spare a search per class."""
        if any(all(combo[i] == v for i, v in core) for cores in self._cores for core in cores):
            return  # pragma: no cover - a class holding a learnt core is not searched
        position = {name: i for i, name in enumerate(self._names)}
        shapes = self._realiser.shapes.setdefault(self._subject.name, [])
        for names in shapes:  # the features of a core learnt before, with these values
            shape = [position[n] for n in names if n in position]
            if len(shape) == len(names) and self._impossible(self._of(shape, combo)):
                self._cores[shape[-1]].append(tuple((i, combo[i]) for i in shape))
                return
        kept = list(self._plain)
        if len(kept) < 3 or not self._impossible(self._of(kept, combo)):
            return  # impossible only with its whole numbers, or a pair (proved already)
        for k in self._plain:
            trial = [i for i in kept if i != k]
            if trial and self._impossible(self._of(trial, combo)):
                kept = trial
        self._cores[kept[-1]].append(tuple((i, combo[i]) for i in kept))
        shapes.append(tuple(self._names[i] for i in kept))

    def _of(
        self, indexes: Sequence[int], combo: Sequence[ClassValue]
    ) -> tuple[tuple[str, ClassValue], ...]:
        return tuple((self._names[i], combo[i]) for i in indexes)

    def _impossible(self, values: tuple[tuple[str, ClassValue], ...]) -> bool:
        """Whether no fact set has these values (of the features before one in the walk, whole
        numbers left out): proved by the first search or, failing that, the exact one. Most
        impossible classes are so for the values of three or four features: proved once for
        them, every class below is skipped unvisited rather than searched for one by one."""
        found = self._prefixes.get(values)
        if found is None and self._seen.together(values):
            found = self._prefixes[values] = False
        if found is None:
            wanted: dict[str, FeatureValue] = {}
            for name, value in values:
                assert not isinstance(value, Interval)  # whole numbers are left out
                wanted[name] = value
            attempt = self._realiser.attempt(self._subject, wanted)
            if attempt is None:
                attempt = self._realiser.realise_class(self._subject, wanted)
            found = self._prefixes[values] = isinstance(attempt, Unrealised) and attempt.proved
            self._keep(attempt)
        return found

    def found(self, combo: Sequence[ClassValue]) -> None:
        """A class realised: some fact set has its values (but the whole numbers) together."""
        self._seen.add((self._names[k], combo[k]) for k in self._plain)

    def _keep(self, attempt: BaseModel | Unrealised | None) -> None:
        """A fact set a pair's or a prefix's search found: the values of every feature of the
        splits it takes (but the whole numbers) have a fact set together."""
        if not isinstance(attempt, BaseModel):
            return
        features, ctx = self._subject.features, self._realiser.ctx
        taken = ((self._names[k], features[self._names[k]].get(attempt, ctx)) for k in self._plain)
        self._seen.add((name, v) for name, v in taken if isinstance(v, bool | str))

    def _clash(self, i: int, j: int, combo: Sequence[ClassValue]) -> bool:
        key = (i, combo[i], j, combo[j])
        out = self._known.get(key)
        if out is None:
            a, b = combo[i], combo[j]
            assert not isinstance(a, Interval)
            assert not isinstance(b, Interval)
            if self._seen.together(((self._names[i], a), (self._names[j], b))):
                self._known[key] = False
                return False
            attempt = self._realiser.attempt(self._subject, {self._names[i]: a, self._names[j]: b})
            out = self._known[key] = isinstance(attempt, Unrealised) and attempt.proved
            self._keep(attempt)
        return out

    def rules_out(self, combo: tuple[ClassValue, ...]) -> bool:
        """Whether the class holds a pair of values no fact set has."""
        return any(self._clash(i, j, combo) for i, j in self._pairs)


def _wanted(values: tuple[tuple[str, ClassValue], ...]) -> dict[str, Wanted]:
    """A class's values as the exact search wants them: an interval as a range."""
    return {name: range(v.low, v.high + 1) if isinstance(v, Interval) else v for name, v in values}


class _PlaceGoals:
    """The goal of each rule's answer (``_place_goal``), made once per rule: the same for every
    class the rule answers."""

    def __init__(self, policy: Policy, question: Question, rules: Mapping[str, Rule]) -> None:
        self._policy, self._question, self._rules = policy, question, rules
        self._goals: dict[str, GoalSpec | None] = {}

    def of(self, rule: str) -> GoalSpec | None:
        if rule not in self._goals:
            answer = self._rules[rule].answer
            self._goals[rule] = _place_goal(self._policy, self._question, answer)
        return self._goals[rule]


def _place_goal(policy: Policy, question: Question, answer: AnswerSpec) -> GoalSpec | None:
    """What a fact set must meet for ``answer`` to name a place the facts lack (see
    ``_place_failure``), or None if no fact set can: the answer's places are all required and
    at the level it names or finer."""
    subject = policy.subjects[question.subject]
    h = policy.hierarchy
    wanted = [
        (subject.places[b.place], h.length(b.level)) for b in answer.bodies if b.level != h.root
    ]
    risky = [
        (place, n)
        for place, n in wanted
        if place.optional or any(h.length(lv) < n for lv in place.levels) or not place.levels
    ]
    if not risky:
        return None
    reads = frozenset().union(*(place.reads for place, _n in risky))

    def lacks(facts: Any, ctx: Any) -> bool:
        for place, n in risky:
            raw = place.get(facts, ctx)
            codes = (raw or (None,)) if isinstance(raw, tuple) else (raw,)
            if any(code is None or len(code) < n for code in codes):
                return True
        return False

    key: Any = tuple((place.name, n) for place, n in risky)
    if not any(place.many for place, _n in risky):  # the same test, as an expression
        level = {lv.length: lv.name for lv in h.levels}
        key = GoalText(
            key,
            " or ".join(f'at({subject.name}.{p.name}, "{level[n]}") == null' for p, n in risky),
        )
    return (lacks, reads, key)


def _place_failure(
    engine: Engine,
    question: Question,
    realiser: Realiser,
    cls: DecidedClass,
    goals: _PlaceGoals,
    assignment: Mapping[str, FeatureValue],
    plans: dict[frozenset[str], _Plan],
) -> DecidedClass | None:
    """Another fact set of the class for which the answer names a place the facts lack.

    Features the rules do not read may still decide whether a place is known (a place reference
    some fact sets lack) or fine enough (an answer at a finer level than a code the facts give):
    the realiser searches the class for a fact set where one of the answer's places is
    missing or coarser than the level the answer names (``_place_goal``).
    """
    goal = goals.of(cls.remaining[0])
    if goal is None:
        return None
    subject = engine.policy.subjects[question.subject]
    facts = realiser.realise(subject, assignment, goal)
    if facts is None:
        return None
    other = _decide(engine, question, cls.values, facts, plans)
    return other if isinstance(other.error, FactsError) else None


def _decide(
    engine: Engine,
    question: Question,
    values: tuple[tuple[str, ClassValue], ...],
    facts: BaseModel,
    plans: dict[frozenset[str], _Plan] | None = None,
    holding: frozenset[str] | None = None,
    resolved: dict[frozenset[str], _Resolved] | None = None,
    rules: Mapping[str, Rule] | None = None,
) -> DecidedClass:
    """The class decided on ``facts`` as ``decide_from_holding`` decides it; ``plans`` keeps the
    plan of each set of holding rules met (what a decision is but for the facts' place codes
    and id), as the engine does: a question has hundreds of classes and a handful of plans;
    ``resolved`` keeps how each set resolves. ``holding``: the rules that hold for ``facts``
    if known (``RuleSweep``), else the engine says. ``rules``: the question's rules by id, to
    resolve over the holding rules alone (overrides among rules that hold are all that
    ``resolve`` reads) rather than walk every rule of the question for each set."""
    if holding is None:
        holding = engine.holding(question, facts)
    found = resolved.get(holding) if resolved is not None else None
    held = question
    if rules is not None and (found is None or plans is None or holding not in plans):
        held = dataclasses.replace(question, rules=tuple(rules[r] for r in sorted(holding)))
    if found is None:
        found = resolve(held, holding)
        if resolved is not None:
            resolved[holding] = found
    fired, overridden, remaining = found
    ids = (tuple(r.id for r in fired), tuple(r.id for r in overridden))
    rest = tuple(r.id for r in remaining)
    ctx = engine.context
    plan = plans.get(holding) if plans is not None else None
    if plan is None:
        plan = _Plan(engine.policy, question, holding, overridden_by_fired(held, holding), ctx, ())
        if plans is not None:
            plans[holding] = plan
    try:
        decision = plan.decide(facts, ctx)
    except (ConflictError, FactsError) as exc:
        return DecidedClass(values, facts, *ids, rest, None, exc)
    return DecidedClass(values, facts, *ids, rest, decision)
