"""One question's partition for many districts: reused between overlays of one order pattern.

A question's partition (``analysis.partition``) cuts each integer feature at the values it is
compared with. Two sets of parameter values give *isomorphic* partitions when they order every
integer the question's conditions name — each int parameter it reads, each int literal, each int
feature's bounds — the same way, with the same equalities and the same adjacencies (two values
1 apart leave no interval between them), and agree on every other parameter the question reads:
then the intervals of each feature correspond one to one, in order, singletons to singletons,
and every comparison in a condition has the same truth on corresponding classes.

That alone would say only which rules hold. Which classes some fact set realises, and which fact
set the realiser returns, is made the same by what :func:`eligible` requires of the question:

* its conditions are comparisons, sets, ``not``/``and``/``or`` of features, parameters and
  literals (no arithmetic, calls, paths or references to other questions);
* no integer feature is compared with another (no relational split);
* each integer feature is a top-level int field as it is, with the field's bounds, and nothing
  else reads that field: no constraint, no place, no other feature, no computed default.

The realiser (``analysis.realise``) solves independent groups of fields one by one; such a field is
a group of its own, whose only check is "the feature has the wanted value", always met in range.
So a class is realised for one set of values exactly when its counterpart is for the other, by
the same representative (the same choice, next to a threshold or at the far end), and the fact
set realised differs only in those fields: the other groups are solved from equal inputs. The
same holds for the search of a fact set that lacks a place (``_place_failure``), whose goal
reads places only. A class's answer — rules fired, overridden, remaining, a conflict, no rule,
a place the facts lack — reads features and places only, and so is its counterpart's.

:func:`remap` builds the partition for the new values from the reference one on these grounds;
the caller still confirms each witness it shows with the engine's program for the new values
(``analysis.check``), and partitions again in full whenever anything does not confirm.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..language.conditions import (
    And,
    BoolConst,
    Compare,
    FactRef,
    InSet,
    IntConst,
    Not,
    NullConst,
    Or,
    ParamRef,
    StrConst,
    walk,
)
from ..policy.model import Policy, Question
from .partition import (
    ClassValue,
    DecidedClass,
    Interval,
    QuestionPartition,
    Split,
    _representatives,
)

__all__ = ["eligible", "pattern", "remap"]

_PLAIN = (And, Or, Not, Compare, InSet, FactRef, ParamRef, IntConst, StrConst, BoolConst, NullConst)


def eligible(policy: Policy, question: Question) -> dict[str, str] | None:
    """The question's integer features, each with the field it is, if its partition may be
    reused between order patterns (see the module's docstring), else None."""
    subject = policy.subjects[question.subject]
    nodes = [n for r in question.rules for n in walk(r.expanded)]
    if not all(isinstance(n, _PLAIN) for n in nodes):
        return None
    read = {n.feature for n in nodes if isinstance(n, FactRef) and n.feature in subject.features}
    ints = sorted(f for f in read if subject.features[f].type.kind == "int")
    for node in nodes:
        if isinstance(node, Compare):
            sides = (node.left, node.right)
            if all(isinstance(t, FactRef) and t.feature in ints for t in sides):
                return None  # relational
    for name in ints:
        feature = subject.features[name]
        info = subject.fields.get(feature.field or "")
        if (
            info is None
            or info.kind != "int"
            or feature.reads != frozenset({info.name})
            or (info.minimum, info.maximum) != (feature.type.minimum, feature.type.maximum)
            or info.has_default
            or info.derived_default
            or info.name in subject.defaults
            or info.name in subject.default_reads
            or any(info.name in reads for reads in subject.default_reads.values())
            or any(info.name in c.reads for c in subject.constraints)
            or any(info.name in p.reads for p in subject.places.values())
            or any(info.name in f.reads for n, f in subject.features.items() if n != name)
        ):
            return None
    return {name: subject.features[name].field or "" for name in ints}


@dataclass(frozen=True, slots=True)
class _Terms:
    """What a question's order pattern is made of, but for the values."""

    int_params: tuple[str, ...]
    other_params: tuple[str, ...]
    constants: tuple[int, ...]  # its int literals and its int features' bounds


_TERMS: dict[int, tuple[Question, _Terms]] = {}


def _terms(policy: Policy, question: Question) -> _Terms:
    found = _TERMS.get(id(question))
    if found is not None and found[0] is question:
        return found[1]
    subject = policy.subjects[question.subject]
    nodes = [n for r in question.rules for n in walk(r.expanded)]
    read = sorted({n.name for n in nodes if isinstance(n, ParamRef)})
    int_params = tuple(n for n in read if policy.parameters[n].type == "int")
    features = {
        n.feature for n in nodes if isinstance(n, FactRef) and n.feature in subject.features
    }
    types = [subject.features[n].type for n in features]
    constants = {n.value for n in nodes if isinstance(n, IntConst)}
    constants |= {b for t in types if t.kind == "int" for b in (t.minimum, t.maximum)}
    terms = _Terms(
        int_params, tuple(n for n in read if n not in int_params), tuple(sorted(constants))
    )
    if len(_TERMS) >= 1 << 14:
        _TERMS.clear()
    _TERMS[id(question)] = (question, terms)
    return terms


def pattern(
    policy: Policy, question: Question, values: Mapping[str, Any], root: str
) -> tuple[Any, ...]:
    """The order pattern of ``values`` for ``question``: equal patterns, isomorphic partitions
    (for a question :func:`eligible` accepts). Where each int parameter the question reads
    stands among all the integers it names (literals, features' bounds), which of those are 1
    apart, and the values of its other parameters and of the root parameter."""
    terms = _terms(policy, question)
    named = [int(values[n]) for n in terms.int_params]
    points = sorted({*named, *terms.constants})
    place = {v: i for i, v in enumerate(points)}
    return (
        question.name,
        values[root],
        tuple((n, values[n]) for n in terms.other_params),
        tuple(place[v] for v in named),
        tuple(place[v] for v in terms.constants),
        tuple(b - a == 1 for a, b in itertools.pairwise(points)),
    )


def _counterparts(
    old: tuple[Split, ...], new: tuple[Split, ...], ints: Mapping[str, str]
) -> dict[str, dict[ClassValue, Interval]] | None:
    """For each integer split, each reference interval's counterpart; None if the splits do not
    correspond one to one, in order, singletons to singletons (other splits equal)."""
    if len(old) != len(new):
        return None
    mapping: dict[str, dict[ClassValue, Interval]] = {}
    for a, b in zip(old, new, strict=True):
        if a.feature != b.feature or len(a.values) != len(b.values):
            return None
        if a.type.kind != "int":
            if a.values != b.values:
                return None
            continue
        if a.relational or b.relational or a.feature not in ints:
            return None
        pairs: dict[ClassValue, Interval] = {}
        for x, y in zip(a.values, b.values, strict=True):
            if not isinstance(x, Interval) or not isinstance(y, Interval):
                return None
            if (x.low == x.high) != (y.low == y.high):
                return None
            pairs[x] = y
        mapping[a.feature] = pairs
    return mapping


def remap(
    reference: QuestionPartition, new: tuple[Split, ...], ints: Mapping[str, str]
) -> tuple[QuestionPartition, dict[int, dict[str, int]]] | None:
    """The partition for the new splits, from the reference partition of the same pattern:
    each class with its intervals replaced by their counterparts. None if the splits do not
    correspond (they do for equal patterns; this is a check, not a search).

    The classes keep the reference's fact sets and decisions: the checks read only a class's
    values, rules, outcome and error, which are its counterpart's. The fact set of the new
    class is the reference's with each integer field moved to the counterpart of its
    representative: returned too, as the fields to set, by ``id`` of the reference's fact set
    (building a model per class would cost more than all the rest; the caller builds, and
    confirms, only the witnesses it shows).
    """
    old = reference.splits
    mapping = _counterparts(old, new, ints)
    if mapping is None:
        return None
    # for each integer feature: its place in a class's values, its field, and for each interval
    # of the reference its counterpart with the counterpart of each representative
    types = {s.feature: s.type for s in new}
    table: list[tuple[int, str, str, dict[ClassValue, tuple[Interval, dict[int, int]]]]] = []
    for position, split in enumerate(old):
        pairs = mapping.get(split.feature)
        if pairs is None:
            continue
        entries: dict[ClassValue, tuple[Interval, dict[int, int]]] = {}
        for x, y in pairs.items():
            old_reps = _representatives(x, types[split.feature])  # type: ignore[arg-type]
            new_reps = _representatives(y, types[split.feature])
            if len(old_reps) != len(new_reps):
                return None
            entries[x] = (y, dict(zip(old_reps, new_reps, strict=True)))
        table.append((position, split.feature, ints[split.feature], entries))
    moves: dict[int, dict[str, int]] = {}

    def move(cls: DecidedClass) -> DecidedClass | None:
        values = list(cls.values)
        update: dict[str, int] = {}
        for position, feature, field, entries in table:
            target, reps = entries[values[position][1]]
            rep = reps.get(getattr(cls.facts, field, None))  # type: ignore[arg-type]
            if rep is None:
                return None
            update[field] = rep
            values[position] = (feature, target)
        moves[id(cls.facts)] = update
        return DecidedClass(
            tuple(values),
            cls.facts,
            cls.fired,
            cls.overridden,
            cls.remaining,
            cls.decision,
            cls.error,
        )

    if reference.unverified:  # unverified classes' values are not moved: partition anew
        return None
    classes = [move(c) for c in reference.classes]
    failures = [move(c) for c in reference.place_failures]
    if any(c is None for c in classes) or any(c is None for c in failures):
        return None
    part = QuestionPartition(
        reference.question,
        new,
        reference.considered,
        tuple(c for c in classes if c is not None),
        tuple(c for c in failures if c is not None),
    )
    return part, moves
