"""A question's kept answer program: Python source that validates one fact set, decides it and
builds its ``Decision``, importing no pydantic, for the command line to keep and run again.

The program is generated from what the engine decides with, never written by hand here:

* **validation**, conservative: a fact set is accepted only where the subject's every field is
  of a kind checked here exactly as its fact model checks it (a bool is ``bool``, a whole number
  ``int`` within its bounds, an enum one of its values, text ``str``, a place code one the
  policy's place hierarchy accepts, at one of its levels, a list of such codes; a nested fact
  set only where it is absent), no key is unknown, and every
  constraint holds (its generated source, ``Constraint.code``). Anything else — a shape the model
  may accept or refuse in words of its own — gives None, and the caller decides the long way;
* **the decision**: the question's decision tree, one per stretch of the policy's time, written
  by ``engine.specialise``'s writer with the leaves of a kept program: every value of the
  decision a literal of source, a body made from its template (every field but the place's
  code and name, checked against the engine's body of every place the policy names) for a
  place the policy names (``place_names``), the reason filled at once. A leaf the tree cannot
  build (a conflict to report, failed criteria, a place the policy does not name, a value the
  tree does not know) gives None;
* **the day**: the one given, or today; the stretch of time by the policy's breaks.

A subject, question or policy the program cannot vouch for (another kind of field, a computed
default, a feature without source, a question an overlay varies, a date field that dates the
case, a context the reads need) gets no program: ``program`` returns None.

The source holds only identifiers, ``repr()``s of plain values and constructors of the frozen
values of ``core.text``, ``engine.decision`` and ``language.places``; ``cli.kept_answers``
keeps it as ``core.user_cache`` says and runs it with ``answer(value, day, source)``.
"""

from __future__ import annotations

import dataclasses
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..core.text import Cite, Text, placeholders, shown
from ..language.compile import _fold
from ..language.expressions import Names
from ..language.places import Hierarchy, Level, PlaceRange
from ..language.subjects import Subject
from .decision import Body, Citation, Decision, DecisionTwin, Instrument
from .engine import Engine, _BodySlot, _Plan
from .specialise import Dim, Partition, Writer, tree

__all__ = ["NotKeptError", "program"]

KINDS = frozenset({"bool", "int", "enum", "text", "place", "places", "subject"})
"""The kinds of field the program validates itself (a nested fact set only where it is absent)."""

_LITERAL_CLASSES: tuple[type, ...] = (
    Text,
    Cite,
    Citation,
    Body,
    Instrument,
    Hierarchy,
    Level,
    PlaceRange,
)
_OTHER_NAMES = tuple(
    f.name for f in dataclasses.fields(Body) if f.name not in ("place_code", "place_label")
)
_OTHERS = operator.attrgetter(*_OTHER_NAMES)
"""A body's fields but its place's code and name: what a body of a table's template holds (the
program's ``_body`` gives it the code and its name)."""
_CTX = "_CTX_"
"""The context's name in generated reads: a read that mentions it is not kept (the program has
no context)."""

HEADER = """\
import datetime
import re
from bisect import bisect_right
from dataclasses import replace as _replace
from types import SimpleNamespace

from jurisdiction.core.text import Cite, Text, filled
from jurisdiction.engine.decision import Body, Citation, Decision, DecisionTwin, Instrument
from jurisdiction.language.places import Hierarchy, Level, PlaceRange


class _Bail(Exception):
    pass


def _bail(*_args):
    raise _Bail


general = _bail
_MISSING = object()


def _body(templates, variants, code):
    i = variants.get(code)
    if i is None:
        raise _Bail
    label = _LABELS.get(code)
    label = None if label is None else Text(*label)
    return _replace(templates[i], place_code=code, place_label=label)
"""

FOOTER = """

def answer(value, day, source):
    try:
        m = check(value)
        if m is None:
            return None
        tree = TREES[0 if BREAKS is None else bisect_right(BREAKS, day)]
        return tree(m, None, day.isoformat(), source)
    except _Bail:
        return None
"""


class NotKeptError(Exception):
    """What the program cannot vouch for (see the module's docstring)."""


class LiteralNames(Names):
    """The names of a kept program: each object bound is written once, as a literal of source,
    at the program's top (``defs``; equal literals once); an object that has no literal raises
    ``NotKeptError``."""

    def __init__(self) -> None:
        super().__init__({})
        self.defs: list[str] = []
        self.written: dict[str, str] = {}
        """The name of each literal written: equal values are written once."""

    def bind(self, obj: Any) -> str:
        name = self.bound.get(id(obj))
        if name is None:
            text = self.literal(obj)
            name = self.written.get(text)  # an equal value of another stretch of time
            if name is None:
                name = self.written[text] = f"_k{len(self.written)}"
                self.defs.append(f"{name} = {text}")
            self.bound[id(obj)] = name
            self.scope[f"_id{id(obj)}"] = obj  # kept alive: its id is not reused
        return name

    def literal(self, obj: Any) -> str:
        if obj is None or type(obj) in (bool, int, str):
            return repr(obj)
        if type(obj) is tuple:
            return "(" + "".join(f"{self.literal(x)}, " for x in obj) + ")"
        if type(obj) is frozenset:
            items = sorted(obj, key=repr)
            return "frozenset({" + ", ".join(self.literal(x) for x in items) + "})"
        if type(obj) is dict:
            pairs = (f"{self.literal(k)}: {self.literal(v)}" for k, v in obj.items())
            return "{" + ", ".join(pairs) + "}"
        if isinstance(obj, re.Pattern):
            return f"re.compile({obj.pattern!r}, {obj.flags!r})"
        if obj is Decision or obj is DecisionTwin:
            return obj.__name__
        if type(obj) in _LITERAL_CLASSES:
            args = (
                f"{f.name}={self.literal(getattr(obj, f.name))}"
                for f in dataclasses.fields(obj)
                if f.init and f.repr
            )
            return f"{type(obj).__name__}({', '.join(args)})"
        owner = getattr(obj, "__self__", None)
        func = getattr(obj, "__func__", None)
        name = str(getattr(func, "__name__", ""))
        if type(owner) in _LITERAL_CLASSES and getattr(type(owner), name, None) is func:
            return f"{self.bind(owner)}.{name}"  # a method of a value with a literal
        raise NotKeptError(f"no literal for a {type(obj).__name__}")


def _read(code: Callable[[str, str, Any], str] | None, names: Names) -> str:
    """A generated read over the facts ``m``, without the context."""
    if code is None:
        raise NotKeptError("a read without source")
    text = code("m", _CTX, names)
    if _CTX in text:
        raise NotKeptError("a read of the context")
    return text


class _KeptWriter(Writer):
    """The tree with a kept program's leaves (see the module's docstring)."""

    def __init__(
        self,
        dims: Sequence[Dim],
        subject: Subject,
        partition: Partition,
        names: LiteralNames,
        tables: dict[int, tuple[str, str]],
        variants: dict[tuple[tuple[str, int], ...], str],
        place_names: Mapping[str, Any],
    ) -> None:
        super().__init__(dims, subject.features, partition, names)
        self.subject, self.kept, self.tables = subject, names, tables
        self.variants, self.place_names = variants, place_names

    def leaf(self, leaf: int) -> list[str]:
        found = self.leaves.get(leaf)
        if found is None:
            plan = self.partition.leaves[leaf]
            found = self.leaves[leaf] = self.statements(plan) or ["raise _Bail"]
        return found

    def statements(self, plan: _Plan) -> list[str] | None:
        if plan.conflict is not None or plan.criteria:
            return None  # the long way says what is wrong, or lists the criteria
        parts = [self.bodies(slot) for slot in plan.slots]
        bodies = " + ".join(parts) if parts else "()"
        reason = self.kept.bind(plan.reason)
        if plan.fills:
            reason = self.reason(plan)
        return plan.statements(self.kept, "m", "as_of", "source", bodies, reason)

    def reason(self, plan: _Plan) -> str:
        """The reason filled at once (``core.text.filled``): each placeholder's value read by
        its feature's or place's source, a parameter's as its literal."""
        assert plan.reason is not None
        pairs = []
        for (head, name), (placeholder, get) in zip(
            placeholders(plan.reason), plan.fills, strict=True
        ):
            if head == "param":
                value = repr(shown(get(None, None)))  # a constant (engine._constant)
            else:
                found = self.subject.features.get(name) or self.subject.places[name]
                value = _read(found.code, self.kept)
            pairs.append(f"({placeholder!r}, lambda m, _c: {value})")
        return f"filled({self.kept.bind(plan.reason)}, ({', '.join(pairs)},), m, None)"

    def bodies(self, slot: _BodySlot) -> str:
        """The slot's bodies: its one body at the root, else the body of the place its code
        names, for a place the policy names (``place_names``): its body's template (all but the
        code and its name) looked up by code, each checked equal to the engine's body."""
        if slot.city is not None:
            return self.kept.bind(slot.city)
        n = slot.digits
        found = self.tables.get(id(slot.template))
        if found is None:
            rest: dict[tuple[Any, ...], int] = {}  # every other field's value: a template
            variant: dict[str, int] = {}
            for code in sorted(c for c in self.place_names if len(c) == n):
                body = slot.body(code)
                if body.place_code != code or body.place_label != self.place_names.get(code):
                    raise NotKeptError(f"the body of {code} is not its template's")
                variant[code] = rest.setdefault(_OTHERS(body), len(rest))
            templates = tuple(
                Body(**dict(zip(_OTHER_NAMES, r, strict=True)), place_code="", place_label=None)
                for r in rest
            )
            listed = self.kept.bind(templates)
            key = tuple(variant.items())
            shared = self.variants.get(key)
            if shared is None:
                shared = self.variants[key] = self.kept.bind(variant)
            found = self.tables[id(slot.template)] = (listed, shared)
            self.kept.scope[f"_template{id(slot.template)}"] = slot.template  # its id stays
        raw = self.kept.temp()
        read = _read(slot.code, self.kept)
        usual = f"({raw} := {read}).__class__ is str and len({raw}) >= {n}"
        return f"((_body({found[0]}, {found[1]}, {raw}[:{n}]),) if {usual} else _bail())"

    def reader(self, d: int) -> str:
        feature = self.features[self.dims[d][0]]
        field = feature.field
        if field is not None and field.isidentifier() and not field.startswith("_"):
            return f"m.{field}"
        found = self.code.get(d)
        if found is None:
            found = self.code[d] = _read(feature.code, self.kept)
        return found


def _check(subject: Subject, names: LiteralNames, hierarchy: Hierarchy) -> list[str]:
    """``check(value)``: the fact set as the model would hold it, or None (see the module)."""
    lines = [
        "def check(v):",
        "    if v.__class__ is not dict or v.get('kind') != " + repr(subject.name) + ":",
        "        return None",
        "    for key in v:",
        f"        if key not in {names.bind(frozenset({'kind', 'id', *subject.fields}))}:",
        "            return None",
        "    x = v.get('id')",
        "    if x is not None and x.__class__ is not str:",
        "        return None",
        "    m = {'kind': " + repr(subject.name) + ", 'id': x}",
    ]
    h = names.bind(hierarchy)
    for name, info in subject.fields.items():
        if info.kind not in KINDS or info.derived_default or info.name in ("kind", "id"):
            raise NotKeptError(f"a field of kind {info.kind}")
        if info.kind == "subject" and (not info.optional or info.has_default):
            raise NotKeptError("a nested fact set that must be given")
        lines.append(f"    x = v.get({name!r}, _MISSING)")
        if info.has_default:
            lines.append(f"    if x is _MISSING:\n        x = {names.literal(info.default)}")
        elif info.kind == "places" and info.optional:
            lines.append("    if x is _MISSING:\n        x = ()")
        elif info.optional:
            lines.append("    if x is _MISSING:\n        x = None")
        else:
            lines.append("    if x is _MISSING:\n        return None")
        place = f"{h}.problem(p) is None"
        if info.levels:
            place += f" and {h}.level_of(p) in {names.bind(info.levels)}"
        test = {
            "bool": "x.__class__ is bool",
            "int": "x.__class__ is int"
            + (f" and x >= {info.minimum!r}" if info.minimum is not None else "")
            + (f" and x <= {info.maximum!r}" if info.maximum is not None else ""),
            "enum": f"x.__class__ is str and x in {names.bind(frozenset(info.values))}",
            "text": "x.__class__ is str",
            "place": f"(p := x).__class__ is str and {place}",
            # a list of codes, held as a tuple; a tuple already is one (a default)
            "places": f"x.__class__ in (list, tuple) and all("
            f"p.__class__ is str and {place} for p in x)",
            "subject": "x is None",  # only without the nested fact set: it is not checked here
        }[info.kind]
        if info.optional and info.kind not in ("places", "subject"):
            test = f"x is None or ({test})"
        lines.append(f"    if not ({test}):\n        return None")
        lines.append(f"    m[{name!r}] = {'tuple(x)' if info.kind == 'places' else 'x'}")
    lines.append("    m = SimpleNamespace(**m)")
    lines.extend(
        f"    if not ({_read(c.code, names)}):\n        return None" for c in subject.constraints
    )
    lines.append("    return m")
    return lines


def program(engine: Engine, question: str) -> str | None:
    """The kept answer program of ``question`` (see the module's docstring), or None."""
    try:
        return _program(engine, question)
    except NotKeptError:
        return None


def _program(engine: Engine, question: str) -> str:
    policy = engine.policy
    q = engine.question(question)
    subject = policy.subjects[q.subject]
    if policy.dated_by.get(q.subject) or policy.facts is None:
        raise NotKeptError("a case dated by its facts")
    names = LiteralNames()
    check = _check(subject, names, policy.hierarchy)
    labels = {code: (t.zh, t.en) for code, t in policy.facts.place_names.items()}
    names.defs.append(f"_LABELS = {names.literal(labels)}")
    variants: dict[tuple[tuple[str, int], ...], str] = {}
    breaks = policy.dating.breaks if policy.dating is not None else None
    epochs = [engine] if breaks is None else [engine._epoch(i) for i in range(len(breaks) + 1)]
    trees = []
    for i, epoch in enumerate(epochs):
        if question in epoch._varied or epoch._reads_as_of:
            raise NotKeptError("a question an overlay varies, or that reads the day")
        lines = _tree(epoch, question, names, variants)
        trees.append(f"\ndef decide_{i}(m, ctx, as_of, source):\n" + "\n".join(lines) + "\n")
    listed = "None" if breaks is None else repr(tuple(breaks))
    return (
        HEADER
        + "\n".join(names.defs)
        + "\n\n"
        + "\n".join(check)
        + "\n"
        + "".join(trees)
        + f"\nBREAKS = {listed}\nTREES = ({''.join(f'decide_{i}, ' for i in range(len(trees)))})\n"
        + FOOTER
    )


def _tree(
    engine: Engine,
    question: str,
    names: LiteralNames,
    variants: dict[tuple[tuple[str, int], ...], str],
) -> list[str]:
    """The lines of the decision tree of ``question`` as ``engine`` decides it."""
    compiled = engine._city(question)
    policy = engine.policy
    ctx = engine.context
    subject = policy.subjects[compiled.question.subject]
    tables: dict[int, tuple[str, str]] = {}
    place_names = policy.facts.place_names if policy.facts is not None else {}

    def writer(dims: list[Dim], partition: Partition, _names: Names) -> Writer:
        return _KeptWriter(dims, subject, partition, names, tables, variants, place_names)

    found = tree(
        subject.features,
        [_fold(r.expanded, compiled.params) for r in compiled.rules],
        lambda values: compiled.plan(policy, ctx, values),
        writer,
        {},
    )
    if found is None:
        raise NotKeptError("no tree")
    return found[0]
