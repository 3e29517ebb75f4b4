"""The durable_rules evaluator: the same compiled policy, decided by a Rete engine.

``jurisdiction.load(evaluator="durable")`` gives an engine whose rule evaluation happens here,
inside durable_rules (``pip install 'jurisdiction[durable]'``; nothing else in the library
imports it). For each question — and for each district overlay that changes the question's
parameters — one durable_rules ruleset is registered, named by the policy's fingerprint, the
question and the district. It evaluates, on one fact set, in two stages:

1. **conditions**: every rule's ``expanded`` condition, with the parameters of the city (or of
   the district's overlay) substituted, becomes durable rules over one fact: the features of the
   fact set, computed in Python by the same getters every evaluator reads and posted as a flat
   JSON object. The durable rules that fire say which policy rules *hold*;
2. **overrides**: every "rule A overrides rule B" of the question becomes a durable rule that
   joins two *fired* facts, one asserted per rule that held. The join rules that fire say which
   holding rules are *overridden*.

Python then builds the decision from those two sets with the code common to every evaluator
(:func:`jurisdiction.engine.engine.decide_from_resolution`): conflicts, the explicit no-rule
answer and the answer's bodies are never implemented twice.

Traps of durable_rules 2.0.28 (reproduced in tests/test_durable.py), and what is done here:

* **one process-global registry** of rulesets in the C engine: a ruleset is registered once per
  process under a name made of the question and a digest of its definition (not of the policy's
  fingerprint), and shared by every engine whose question translates alike: reloading a policy
  registers only the questions that changed. Rulesets are never deleted, because durable_rules
  2.0.28 cannot release one safely: ``delete_state`` kills the process on the session of a
  ruleset whose last decision matched no rule, and ``delete_ruleset`` alone frees only about a
  third of the ~180 KiB a ruleset holds (tests/test_reload_memory.py). So memory is flat across
  loads of the same content and grows only with the distinct translations a process meets;
* **fork**: the lock is taken around ``os.fork`` (``os.register_at_fork``), so that a child never
  inherits it held by a thread that does not exist there, nor the C engine in mid-call; the
  child gets a fresh lock;
* **not thread-safe**, and ``durable.engine.Host`` runs background threads that can steal a
  queued action: this module drives the C extension directly (no Host, no threads), every call
  into it holds one process-wide lock, and each ruleset is registered and warmed (its state
  created) before first use;
* **a fact fires a rule once per satisfied branch of an ``or``**: conditions are translated into
  a *disjoint* disjunctive normal form — every ``or`` becomes ``a or (not a and b) or …`` — one
  durable rule per term, so a policy rule fires at most once; a second firing is an error;
* **a fact that matches nothing is "not handled"** (the Host raises): that is the explicit
  no-rule answer, not a failure;
* **exceptions inside actions are swallowed** by the Host (stored in the state): there are no
  Python actions here — this module reads each action back from the C engine, and anything that
  goes wrong while it does aborts the action and raises :class:`EvaluatorError`;
* **a missing attribute makes every comparison false**, ``!=`` included: every feature a ruleset
  reads is always posted, and a negation is the complementary comparison;
* **the per-session state object is itself a fact** that rules match: every condition starts
  with a guard attribute only our facts carry; attribute names ``id``, ``sid`` and ``$…`` are
  special: features are posted as ``f_<name>``;
* **attributes are looked up by a 32-bit hash of their name**: collisions are refused when the
  ruleset is built; **strings are compared as JSON text**: rules and facts are serialised by the
  same encoder, and strings are only compared for (in)equality (the type checker allows no
  ordering of enums); **ints beyond 64 bits** are refused;
* **C limits**: at most 64 alpha nodes pending (error 303) and 511 children of a node: the terms
  of a question are split over several rulesets of at most :data:`CHUNK` terms.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from ..core.errors import EvaluatorError
from ..language.conditions import (
    And,
    BoolConst,
    Compare,
    Expr,
    FactRef,
    InSet,
    IntConst,
    Not,
    Or,
    ParamRef,
    StrConst,
    Term,
)
from ..language.subjects import Context, Feature, FeatureType
from ..policy.model import ParamValue, Policy, Question

__all__ = [
    "CHUNK",
    "INSTALL_HINT",
    "DurableEvaluator",
    "Translation",
    "explain",
    "fnv1_32",
    "registered_rulesets",
    "term_holds",
    "translate",
]

INSTALL_HINT = "pip install 'jurisdiction[durable]'"
DURABLE_VERSION = "2.0.28"
"""The one release of durable-rules whose behaviour this translation was built and tested on."""

CHUNK = 60
"""Condition terms per C ruleset: keeps the pending alpha nodes under 64 and children under 512."""

MAX_OVERRIDING_RULES = 60
"""Rules of one question that may take part in overrides: each is a child of one alpha node."""

MAX_TERMS_PER_RULE = 4096
"""A rule whose condition needs more disjoint terms than this is refused, not silently slow."""

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
GUARD = "g__"
"""Attribute that every fact of ours carries: 1 on a fact set's features, 2 on a fired fact."""
FIRED = "r__"
"""Attribute of a fired fact: the index of the rule that held."""
PREFIX = "f_"
"""Features are posted as ``f_<feature>``: never ``id``, ``sid`` or ``$…``."""

_LOCK = threading.Lock()
"""Held by every call into the C engine, which is neither thread-safe nor re-entrant."""

_REGISTRY: dict[str, int] = {}
"""Ruleset name -> handle, for the whole process: the C engine's registry is global too."""


def _before_fork() -> None:
    _LOCK.acquire()


def _after_fork_in_parent() -> None:
    _LOCK.release()


def _after_fork_in_child() -> None:
    global _LOCK  # noqa: PLW0603 - the child's own lock: the parent's threads do not exist here
    _LOCK = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(
        before=_before_fork,
        after_in_parent=_after_fork_in_parent,
        after_in_child=_after_fork_in_child,
    )


_DUMPS = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode
"""The one encoder of rules and facts: strings are compared as the JSON text it writes."""

_NOT_HANDLED = 1  # ERR_EVENT_NOT_HANDLED: no rule matched the fact; nothing was stored
_SESSION = "0"  # the session (durable_rules "sid") facts without a sid go to


def available() -> None:
    """Nothing if durable-rules is installed as the evaluator needs it; else the EvaluatorError
    that says how to install it."""
    _engine()


def _engine() -> Any:
    """The C extension of durable-rules, or an EvaluatorError that says how to install it."""
    try:  # the package durable-rules installs, and the C extension it ships (all we use)
        durable: ModuleType = importlib.import_module("durable")
        engine: ModuleType = importlib.import_module("durable_rules_engine")
    except ModuleNotFoundError as exc:
        raise EvaluatorError(
            f"the durable evaluator needs durable-rules, which is not installed: {INSTALL_HINT} "
            "(it compiles a C extension, so a C compiler is needed)"
        ) from exc
    except ImportError as exc:  # installed, but its C extension does not load
        raise EvaluatorError(
            f"durable-rules is installed but its C extension does not load ({exc}); on Python "
            "3.13 and later rebuild it with: CPPFLAGS='-DPyEval_CallObject=PyObject_CallObject' "
            f"pip install --no-cache-dir --force-reinstall durable-rules=={DURABLE_VERSION}"
        ) from exc
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("durable-rules")
    except PackageNotFoundError:  # pragma: no cover - importable but not installed by pip
        found = "unknown"
    if found != DURABLE_VERSION:
        raise EvaluatorError(
            f"the durable evaluator was built for durable-rules {DURABLE_VERSION}, found "
            f"{found} ({durable.__name__}); install the pinned version: {INSTALL_HINT}"
        )
    return engine


# --- translation: condition tree -> disjoint DNF -> durable_rules JSON ---------------------------

Const = int | bool | str
Literal_ = tuple[str, str, str, Const]
"""``("k", feature, op, constant)`` or ``("f", feature, op, other_feature)``."""
Conj = frozenset[Literal_]
"""A conjunction of literals; a condition is a tuple of pairwise exclusive conjunctions."""

_COMPLEMENT = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}
_FLIPPED = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
_DURABLE_OP = {"!=": "$neq", "<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte"}
_PY_OP: Mapping[str, Callable[[Any, Any], bool]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}
_ORDERING = frozenset({"<", "<=", ">", ">="})
_TRUE: tuple[Conj, ...] = (frozenset(),)
_FALSE: tuple[Conj, ...] = ()


class _TooLargeError(Exception):
    pass


@dataclass(frozen=True, slots=True)
class _Side:
    feature: str | None  # a feature of the facts, or
    value: Const | None  # a constant (a literal, or a parameter's value)


class _Translator:
    """Disjoint DNF of conditions about one subject, with one set of parameter values."""

    def __init__(self, features: Mapping[str, Feature], params: Mapping[str, ParamValue]) -> None:
        self.features = features
        self.params = params

    def side(self, term: Term) -> _Side:
        if isinstance(term, FactRef):
            return _Side(term.feature, None)
        if isinstance(term, ParamRef):
            value = self.params[term.name]
            if isinstance(value, tuple):  # several code prefixes: kept out of rules on load
                raise TypeError(f"`{term}` is several code prefixes, not a value a rule compares")
            return _Side(None, value)
        if isinstance(term, IntConst | StrConst | BoolConst):
            return _Side(None, term.value)
        raise TypeError(f"not a term: {term!r}")  # pragma: no cover - the type checker forbids it

    def dnf(self, expr: Expr, positive: bool = True) -> tuple[Conj, ...]:
        """The terms of ``expr`` (or of ``not expr``): at most one of them holds for any facts."""
        if isinstance(expr, BoolConst):
            return _TRUE if expr.value == positive else _FALSE
        if isinstance(expr, FactRef):
            return self.literal(expr.feature, "==" if positive else "!=", True)
        if isinstance(expr, Compare):
            return self.compare(expr, positive)
        if isinstance(expr, InSet):
            return self.in_set(expr, positive)
        if isinstance(expr, Not):
            return self.dnf(expr.item, not positive)
        if isinstance(expr, And):
            if positive:  # a and b: the product of exclusive lists is exclusive
                return self.product([self.dnf(i, True) for i in expr.items])
            return self.chain(expr.items, first=False)  # not a or (a and not b) or ...
        if isinstance(expr, Or):
            if positive:  # a or (not a and b) or ...: branches made exclusive
                return self.chain(expr.items, first=True)
            return self.product([self.dnf(i, False) for i in expr.items])
        raise TypeError(f"`{expr}` cannot be translated (definitions must be expanded first)")

    def compare(self, expr: Compare, positive: bool) -> tuple[Conj, ...]:
        left, right = self.side(expr.left), self.side(expr.right)
        op = expr.op if positive else _COMPLEMENT[expr.op]
        if left.feature is None and right.feature is None:
            return _TRUE if _PY_OP[op](left.value, right.value) else _FALSE
        if left.feature is None:
            left, right, op = right, left, _FLIPPED[op]
        assert left.feature is not None
        if op in _ORDERING and self.features[left.feature].type.kind != "int":
            # durable_rules orders strings by their raw JSON text: wrong, so never asked
            raise EvaluatorError(
                f"`{expr}`: durable_rules cannot order values that are not numbers"
            )
        if right.feature is not None:
            return (frozenset({("f", left.feature, op, right.feature)}),)
        assert right.value is not None
        return self.literal(left.feature, op, right.value)

    def in_set(self, expr: InSet, positive: bool) -> tuple[Conj, ...]:
        side = self.side(expr.term)
        values = tuple(dict.fromkeys(v.value for v in expr.values))  # distinct: exclusive
        if side.feature is None:
            return _TRUE if (side.value in values) == positive else _FALSE
        if positive:
            return tuple(t for v in values for t in self.literal(side.feature, "==", v))
        return self.product([self.literal(side.feature, "!=", v) for v in values])

    def literal(self, feature: str, op: str, value: Const) -> tuple[Conj, ...]:
        term = _simplify(frozenset({("k", feature, op, value)}), self.features)
        return _FALSE if term is None else (term,)

    def product(self, lists: Sequence[tuple[Conj, ...]]) -> tuple[Conj, ...]:
        out: list[Conj] = [frozenset()]
        for terms in lists:
            out = [
                merged
                for a in out
                for b in terms
                if (merged := _simplify(a | b, self.features)) is not None
            ]
            if len(out) > MAX_TERMS_PER_RULE:
                raise _TooLargeError
        return tuple(out)

    def chain(self, items: Sequence[Expr], *, first: bool) -> tuple[Conj, ...]:
        """``first`` (or its negation) of each item, after the opposite of the items before."""
        out: list[Conj] = []
        for i, item in enumerate(items):
            before = [self.dnf(p, not first) for p in items[:i]]
            out.extend(self.product([*before, self.dnf(item, first)]))
            if len(out) > MAX_TERMS_PER_RULE:
                raise _TooLargeError
        return tuple(out)


def _simplify(term: Conj, features: Mapping[str, Any]) -> Conj | None:
    """The same conjunction with each feature's comparisons merged; None if it cannot hold.

    Sound because every feature is posted with a value of its type: bool, int or str.
    """
    by_feature: dict[str, list[Literal_]] = {}
    out: set[Literal_] = set()
    for lit in term:
        if lit[0] == "f":
            out.add(lit)
        else:
            by_feature.setdefault(lit[1], []).append(lit)
    for name, lits in by_feature.items():
        kind: FeatureType = features[name].type
        merged = _MERGE[kind.kind](name, lits, kind)
        if merged is None:
            return None
        out.update(merged)
    return frozenset(out)


def _merge_bool(name: str, lits: list[Literal_], _kind: FeatureType) -> list[Literal_] | None:
    wanted = {bool(v) == (op == "==") for _k, _n, op, v in lits}
    return None if len(wanted) > 1 else [("k", name, "==", wanted.pop())]


def _merge_equalities(name: str, lits: list[Literal_], kind: FeatureType) -> list[Literal_] | None:
    """An enum's comparisons: its values are known (and checked when posted)."""
    equal = {v for _k, _n, op, v in lits if op == "=="}
    unequal = {v for _k, _n, op, v in lits if op == "!="}
    left = [v for v in kind.values if v not in unequal and (not equal or v in equal)]
    if len(equal) > 1 or not left:
        return None
    if len(left) == 1:
        return [("k", name, "==", left[0])]
    return [("k", name, "!=", v) for v in sorted(unequal)]


def _merge_interval(name: str, lits: list[Literal_], _kind: FeatureType) -> list[Literal_] | None:
    low, high, unequal = INT64_MIN, INT64_MAX, set()
    for _k, _n, op, v in lits:
        value = int(v)
        if op == "==":
            low, high = max(low, value), min(high, value)
        elif op == "!=":
            unequal.add(value)
        elif op == "<":
            high = min(high, value - 1)
        elif op == "<=":
            high = min(high, value)
        elif op == ">":
            low = max(low, value + 1)
        else:
            low = max(low, value)
    unequal = {v for v in unequal if low <= v <= high}
    if high < low or high - low + 1 <= len(unequal):
        return None
    if low == high:
        return [("k", name, "==", low)]
    out: list[Literal_] = []
    if low > INT64_MIN or high == INT64_MAX:  # one comparison at least: "it is present"
        out.append(("k", name, ">=", low))
    if high < INT64_MAX:
        out.append(("k", name, "<=", high))
    out.extend(("k", name, "!=", v) for v in sorted(unequal))
    return out


_MERGE: Mapping[str, Callable[[str, list[Literal_], FeatureType], list[Literal_] | None]] = {
    "bool": _merge_bool,
    "enum": _merge_equalities,
    "int": _merge_interval,
}


def _attr(feature: str) -> str:
    return PREFIX + feature


def _literal_json(lit: Literal_) -> dict[str, Any]:
    kind, feature, op, value = lit
    operand: Any = {"$m": _attr(str(value))} if kind == "f" else value
    if op == "==":
        return {_attr(feature): operand}
    return {_DURABLE_OP[op]: {_attr(feature): operand}}


def _sort_key(lit: Literal_) -> tuple[str, str, str, str]:
    return (lit[1], lit[0], lit[2], repr(lit[3]))


def _condition_json(term: Conj, guard: int) -> dict[str, Any]:
    lits = [_literal_json(lit) for lit in sorted(term, key=_sort_key)]
    return {GUARD: guard} if not lits else {"$and": [{GUARD: guard}, *lits]}


@dataclass(frozen=True, slots=True)
class Translation:
    """A question's rules as durable_rules ruleset definitions (JSON-ready dictionaries).

    ``rule_ids[i]`` is the policy rule behind the durable rules named ``h<i>_<k>`` (its
    condition's terms) and ``o<i>_<j>`` (rule ``i`` is overridden by rule ``j``).
    ``definitions[0]`` also holds the override rules. ``features`` are the features the
    conditions read, posted as ``f_<feature>`` beside the guard ``g__: 1``.
    """

    rule_ids: tuple[str, ...]
    features: tuple[str, ...]
    terms: tuple[tuple[Conj, ...], ...]  # per rule: its exclusive terms
    overrides: frozenset[tuple[int, int]]  # (overridden rule, overriding rule)
    definitions: tuple[dict[str, Any], ...]
    holds: Mapping[str, int]  # durable rule name of a term -> the rule that holds
    knocks: Mapping[str, tuple[int, int]]  # durable rule name of an override -> its pair


def translate(
    question: Question, params: Mapping[str, ParamValue], chunk: int = CHUNK
) -> Translation:
    """The durable_rules rulesets of one question, with these parameter values."""
    rules = sorted(question.rules, key=lambda r: r.id)
    index = {r.id: i for i, r in enumerate(rules)}
    translator = _Translator(question.features, params)
    terms: list[tuple[Conj, ...]] = []
    for rule in rules:
        try:
            terms.append(translator.dnf(rule.expanded))
        except _TooLargeError:
            raise EvaluatorError(
                f"rule `{rule.id}` ({rule.location}): its condition needs more than "
                f"{MAX_TERMS_PER_RULE} terms in durable_rules; use the compiled evaluator"
            ) from None
    overrides = frozenset(
        (index[target], index[r.id]) for r in rules for target in r.overrides if target in index
    )
    if len({i for pair in overrides for i in pair}) > MAX_OVERRIDING_RULES:
        # each such rule is a child of one node of durable_rules' network: past 511 of them it
        # hangs while building the ruleset, past 64 matching ones it fails while deciding
        raise EvaluatorError(
            f"question `{question.name}`: more than {MAX_OVERRIDING_RULES} of its rules take part "
            "in overrides, more than durable_rules can join safely; use the compiled evaluator"
        )
    features = sorted(
        {lit[1] for ts in terms for t in ts for lit in t}
        | {str(lit[3]) for ts in terms for t in ts for lit in t if lit[0] == "f"}
    )
    _check_names(features)
    named = [(f"h{i}_{k}", t) for i, ts in enumerate(terms) for k, t in enumerate(ts)]
    knocks = {f"o{target}_{by}": (target, by) for target, by in sorted(overrides)}
    definitions: list[dict[str, Any]] = [
        {name: {"all": [{"m": _condition_json(t, 1)}]} for name, t in named[c : c + chunk]}
        for c in range(0, len(named), chunk)
    ] or [{}]
    for name, (target, by) in knocks.items():
        definitions[0][name] = {
            "all": [
                {"a": {"$and": [{GUARD: 2}, {FIRED: target}]}},
                {"b": {"$and": [{GUARD: 2}, {FIRED: by}]}},
            ]
        }
    return Translation(
        tuple(r.id for r in rules),
        tuple(features),
        tuple(terms),
        overrides,
        tuple(d for d in definitions if d),
        {name: int(name[1:].split("_")[0]) for name, _ in named},
        knocks,
    )


def fnv1_32(name: str) -> int:
    """The hash durable_rules looks attributes up by (FNV-1, 32 bits, over signed chars)."""
    h = 0x811C9DC5
    for b in name.encode("utf-8"):
        h ^= b if b < 128 else (b - 256) & 0xFFFFFFFF
        h = (h * 16777619) & 0xFFFFFFFF
    return h


def _check_names(features: Iterable[str]) -> None:
    seen: dict[int, str] = {}
    for attr in (GUARD, FIRED, *(_attr(f) for f in features)):
        other = seen.setdefault(fnv1_32(attr), attr)
        if other != attr:
            raise EvaluatorError(
                f"features `{other}` and `{attr}` have the same hash in durable_rules, which "
                "would read one for the other; rename one of them"
            )


# --- running: registered rulesets, one session per decision ---------------------------------------


def registered_rulesets() -> Mapping[str, int]:
    """The rulesets this process registered with durable_rules, by name (a copy)."""
    with _LOCK:
        return dict(_REGISTRY)


def _register(dre: Any, name: str, definition: dict[str, Any]) -> int:
    """The handle of a ruleset, registered (and warmed) once per process. Holds the lock."""
    handle = _REGISTRY.get(name)
    if handle is not None:
        return handle
    try:
        handle = int(dre.create_ruleset(name, _DUMPS(definition)))
        # warm: create the session state now, with a fact that no rule matches
        code, _ = dre.assert_fact(handle, _DUMPS({GUARD: 0}))
    except Exception as exc:
        raise EvaluatorError(f"durable_rules refused ruleset `{name}`: {exc}") from exc
    if code != _NOT_HANDLED:  # pragma: no cover - no rule of ours matches guard 0
        raise EvaluatorError(f"durable_rules ruleset `{name}` matched its warm-up fact")
    _REGISTRY[name] = handle
    return handle


_Read = tuple[str, Callable[[Any, Context], Any], FeatureType]
"""A feature as posted: its attribute, its getter and its type."""


@dataclass(frozen=True, slots=True)
class _Compiled:
    translation: Translation
    handles: tuple[int, ...]
    reads: tuple[_Read, ...]


class DurableEvaluator:
    """Registered durable_rules rulesets for every question (and district variant) of a policy."""

    __slots__ = ("_dre", "_questions")

    def __init__(
        self,
        policy: Policy,
        variants: Iterable[tuple[Question, Mapping[str, ParamValue], str | None]],
    ) -> None:
        self._dre = _engine()
        self._questions: dict[tuple[str, str | None], _Compiled] = {}
        for question, params, district in variants:
            translation = translate(question, params, CHUNK)
            digest = hashlib.sha256(_DUMPS(translation.definitions).encode()).hexdigest()[:12]
            base = f"jurisdiction_{question.name}"
            base += f"_{district}" if district else ""
            with _LOCK:
                handles = []
                for n, definition in enumerate(translation.definitions):
                    name = f"{base}_{digest}_{n}"
                    handles.append(_register(self._dre, name, definition))
            features = question.features
            reads = tuple(
                (_attr(f), features[f].get, features[f].type) for f in translation.features
            )
            self._questions[(question.name, district)] = _Compiled(
                translation, tuple(handles), reads
            )

    def resolution(
        self, question: Question, district: str | None, facts: Any, ctx: Context
    ) -> tuple[frozenset[str], frozenset[str]]:
        """(rules that hold, rules of them overridden), as durable_rules finds them."""
        compiled = self._questions[(question.name, district)]
        payload = _DUMPS(_features(compiled.reads, facts, ctx))
        translation = compiled.translation
        with _LOCK:
            names = [n for h in compiled.handles for n in self._session(h, [payload])]
            fired = _fired(translation, names)
            pairs: list[str] = []
            if compiled.handles and translation.overrides and len(fired) > 1:
                facts_ = [_DUMPS({GUARD: 2, FIRED: i}) for i in sorted(fired)]
                pairs = self._session(compiled.handles[0], facts_)
        overridden = _overridden(translation, fired, pairs)
        ids = translation.rule_ids
        return frozenset(ids[i] for i in fired), frozenset(ids[i] for i in overridden)

    def _session(self, handle: int, facts: Sequence[str]) -> list[str]:
        """Assert ``facts``, read back the name of every durable rule that fired, retract them.

        Holds the lock. Any failure — in the C engine, or in reading an action back — abandons
        the pending action, wipes the session (facts and queued actions) so that nothing of it
        can leak into the next decision, and raises EvaluatorError.
        """
        dre = self._dre
        state = 0
        leased = acting = False
        asserted: list[str] = []
        try:
            for fact in facts:
                code, state = dre.assert_fact(handle, fact)
                if _stored(code):
                    asserted.append(fact)
            names: list[str] = []
            if asserted:
                acting = True
                started = dre.start_action_for_state(handle, state)
                message = started[1] if started is not None else None
                leased = message is not None
                while message is not None:
                    names.append(_rule_name(message))
                    message = dre.complete_and_start_action(handle, state)
                leased = False
            for fact in asserted:
                dre.retract_fact(handle, fact)
        except Exception as exc:
            self._reset(handle, state, leased, asserted, acting)
            if isinstance(exc, EvaluatorError):
                raise
            raise EvaluatorError(f"durable_rules failed while deciding: {exc!r}") from exc
        return names

    def _reset(
        self, handle: int, state: int, leased: bool, asserted: Sequence[str], acting: bool
    ) -> None:
        """Make the session clean for the next decision. A failure while actions ran: abandon a
        leased action and delete the session (its queued actions with it). A failure before
        any action (the C engine refusing a fact): take back the facts stored, never
        ``delete_state``, which then kills the process (after such an error on a ruleset
        registered after another day's; tests/test_durable.py), as it does on the session of a
        decision that matched no rule (tests/test_reload_memory.py)."""
        dre = self._dre
        try:
            if not acting:
                for fact in asserted:
                    dre.retract_fact(handle, fact)
                return
            if leased:
                dre.abandon_action(handle, state)
            dre.delete_state(handle, _SESSION)
            dre.assert_fact(handle, _DUMPS({GUARD: 0}))  # warm again
        except Exception as exc:  # pragma: no cover - the C engine failed twice in a row
            raise EvaluatorError(
                f"durable_rules could not reset ruleset {handle}: {exc!r}"
            ) from exc


def _stored(code: int) -> bool:
    """Whether an asserted fact was stored (some rule matched it); other codes are errors."""
    if code not in (0, _NOT_HANDLED):
        raise EvaluatorError(f"durable_rules could not assert a fact (code {code})")
    return code == 0


def _features(reads: Iterable[_Read], facts: Any, ctx: Context) -> dict[str, Any]:
    """The fact durable_rules matches: the guard and every feature the question reads, each
    checked to be of its type (the translation relies on it: see :func:`_simplify`)."""
    out: dict[str, Any] = {GUARD: 1}
    for attr, get, kind in reads:
        value = get(facts, ctx)
        if kind.kind == "bool":
            ok = type(value) is bool
        elif kind.kind == "int":
            ok = type(value) is int and INT64_MIN <= value <= INT64_MAX
        else:
            ok = type(value) is str and value in kind.values
        if not ok:
            raise EvaluatorError(
                f"feature `{attr[len(PREFIX) :]}` gave {value!r}, which is not {kind}"
            )
        out[attr] = value
    return out


def _rule_name(message: str) -> str:
    """The durable rule an action message is for: ``{"<name>":{...}}``."""
    end = message.find('"', 2)
    if not message.startswith('{"') or end < 0:
        raise EvaluatorError(f"unexpected action from durable_rules: {message[:80]!r}")
    return message[2:end]


def _fired(translation: Translation, names: Iterable[str]) -> set[int]:
    fired: set[int] = set()
    for name in names:
        rule = translation.holds.get(name)
        if rule is None:
            raise EvaluatorError(f"durable_rules fired `{name}`, which is no condition's term")
        if rule in fired:
            raise EvaluatorError(
                f"durable_rules fired rule `{translation.rule_ids[rule]}` more than once for "
                "one fact set: its translated terms are not exclusive"
            )
        fired.add(rule)
    return fired


def _overridden(translation: Translation, fired: set[int], names: Iterable[str]) -> set[int]:
    overridden: set[int] = set()
    for name in names:
        pair = translation.knocks.get(name)
        if pair is None:
            raise EvaluatorError(f"durable_rules fired `{name}`, which is no override")
        target, by = pair
        if not {target, by} <= fired:
            raise EvaluatorError(f"durable_rules fired override `{name}` for rules that did not")
        overridden.add(target)
    return overridden


def explain(translation: Translation) -> Iterator[str]:
    """The translation, one durable rule per line (for debugging and the docs)."""
    for definition in translation.definitions:
        for name, rule in definition.items():
            yield f"{name}: {_DUMPS(rule)}"


def term_holds(term: Conj, values: Mapping[str, Any]) -> bool:
    """Whether a translated term holds for these feature values (the tests' reference)."""
    for kind, feature, op, operand in term:
        other = values[str(operand)] if kind == "f" else operand
        if not _PY_OP[op](values[feature], other):
            return False
    return True
