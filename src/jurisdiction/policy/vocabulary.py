"""Pass 4a of loading a policy: the vocabulary — the place hierarchy, enums and subjects that
``facts.yaml`` declares — built into the typed features, place references, constraints and
pydantic models the engine, the checker and the property tests read.

Within a subject, ``<subject>.<name>`` means, in a vocabulary expression, a field first, then a
feature, then a place reference; in a rule condition a feature first (a feature may refine a
field of the same name, e.g. give a value where the field is absent). Every bool, enum or bounded
whole-number field that is not optional is a feature as it is, unless a feature of its name is
declared.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from ..core.errors import Diagnostic, suggest
from ..core.text import Text
from ..language.aggregates import Table
from ..language.conditions import (
    And,
    BoolConst,
    Compare,
    ConditionSyntaxError,
    DefRef,
    Expr,
    FactRef,
    InSet,
    IntConst,
    Node,
    Not,
    Or,
    ParamRef,
    Span,
    StrConst,
)
from ..language.expressions import Resolver, Typed, VType, check, source
from ..language.parse import parse_condition, parse_expression
from ..language.places import Hierarchy, Level, PlaceRange, prefixes, root_code
from ..language.subjects import Constraint, Feature, FeatureType, FieldInfo, PlaceRef, Subject
from ..language.typecheck import Problem
from .fact_models import make_model
from .place_names import build_place_names
from .sources import _Merged, _Source
from .strict_yaml import Path_
from .tables import build_tables

if TYPE_CHECKING:  # read, not validated, here: kept documents come without it (kept_models)
    from . import schema as s

__all__ = ["Vocabulary", "build_vocabulary"]

PRIMITIVES = ("bool", "int", "date", "text", "place", "places", "list")


@dataclass(frozen=True, slots=True)
class Vocabulary:
    hierarchy: Hierarchy
    enums: Mapping[str, Mapping[str, Text]]
    subjects: Mapping[str, Subject]
    builder: _Builder | None = field(default=None, compare=False, repr=False)
    tables: Mapping[str, Table] = field(default_factory=dict)
    """The policy's lookup tables (``tables:``), by name."""
    place_names: Mapping[str, Text] = field(default_factory=dict)
    """The names of place codes (``place_names:``), shown beside a code in every decision."""

    @property
    def digest(self) -> str:
        """A digest of everything the fact models are built from (the declaration and the
        parameter values): equal digests, equal models."""
        return self.builder.key if self.builder is not None else ""

    def lift(self, expr: Expr, subject: str) -> tuple[Expr, list[Problem]]:
        """``expr`` with every part a plain condition cannot say — a function, a nested field, a
        field that is no feature, arithmetic on facts — turned into a derived boolean feature of
        its own (named by its text), so that every evaluator and the checker read features only."""
        problems: list[Problem] = []
        subj = self.subjects.get(subject)
        if subj is None or self.builder is None:
            return expr, problems
        features = subj.features

        known = self.builder.names(subject)

        def plain(node: Node) -> bool:
            if isinstance(node, FactRef):  # a feature, or no name at all (reported as unknown)
                return (
                    node.subject != subject
                    or node.feature in features
                    or (node.feature not in known)
                )
            return isinstance(node, ParamRef | IntConst | StrConst | BoolConst)

        def lifted(node: Expr) -> Expr:
            """Top-down: keep the plain parts of a condition, lift each maximal other part."""
            if isinstance(node, Not):
                return Not(lifted(node.item), node.span)
            if isinstance(node, And):
                return And(tuple(lifted(i) for i in node.items), node.span)
            if isinstance(node, Or):
                return Or(tuple(lifted(i) for i in node.items), node.span)
            if isinstance(node, BoolConst | DefRef):
                return node
            if isinstance(node, Compare) and plain(node.left) and plain(node.right):
                return node
            if isinstance(node, InSet) and plain(node.term):
                return node
            if isinstance(node, FactRef) and plain(node):
                return node
            found = self._lifted(node, subj, problems)
            return node if found is None else found

        return lifted(expr), problems

    def _lifted(self, node: Expr, subj: Subject, problems: list[Problem]) -> Expr | None:
        name = str(node)
        if name in subj.features:
            return FactRef(subj.name, name, node.span)
        builder = self.builder
        assert builder is not None
        builder.rule_mode = True
        try:
            typed, found = check(node, subj.name, builder)
        finally:
            builder.rule_mode = False
        problems.extend(found)
        if typed is None:
            return None
        if typed.type.kind != "bool" or typed.type.optional:
            problems.append(
                Problem(
                    "type-mismatch",
                    f"`{node}` is {typed.type}, not a condition; compare it with something",
                    node.span,
                )
            )
            return None
        assert isinstance(subj.features, dict)
        subj.features[name] = Feature(
            name,
            FeatureType("bool"),
            f"derived from a rule: {name}",
            typed.get,
            typed.reads,
            None,
            name,
            code=partial(source, typed),
        )
        return FactRef(subj.name, name, node.span)


def _reader(name: str) -> Any:
    """A getter ``(facts, ctx) -> facts.<name>``."""
    read = attrgetter(name)

    def get(o: Any, _c: Any) -> Any:
        return read(o)

    return get


class _Problems:
    def __init__(self) -> None:
        self.items: list[Diagnostic] = []

    def at(
        self, code: str, message: str, src: _Source, path: Path_, suggestion: str | None = None
    ) -> None:
        self.items.append(Diagnostic(code, message, src.doc.location(path), suggestion, path))

    def located(self, found: list[Problem], src: _Source, path: Path_) -> None:
        for p in found:
            where = src.doc.text_location(path, p.span.line, p.span.column)
            self.items.append(Diagnostic(p.code, p.message, where, p.suggestion, path))


def _hierarchy(
    decl: s.Places, src: _Source, params: Mapping[str, Any], problems: _Problems
) -> Hierarchy | None:
    before = len(problems.items)
    levels: list[Level] = []
    start = 0
    forms = tuple(decl.forms)
    for i, lv in enumerate(decl.levels):
        path: Path_ = ("places", "levels", i)
        if lv.length <= start:
            problems.at(
                "place-hierarchy",
                f"level `{lv.name}` must have longer codes than the level above it ({start})",
                src,
                (*path, "length"),
            )
            break  # the levels below cannot be read without it
        try:
            pattern = re.compile(lv.pattern)
        except re.error as exc:
            problems.at("place-hierarchy", f"invalid pattern: {exc}", src, (*path, "pattern"))
            continue
        ranges: list[PlaceRange] = []
        width = lv.length - start
        for j, r in enumerate(lv.ranges):
            rpath: Path_ = (*path, "ranges", j)
            if len(r.first) != width or len(r.last) != width or r.first > r.last:
                problems.at(
                    "place-hierarchy",
                    f"a range of level `{lv.name}` is two codes of its own part ({width} "
                    f"characters), first <= last; got {r.first!r}..{r.last!r}",
                    src,
                    rpath,
                )
            if r.form not in forms:
                problems.at(
                    "place-hierarchy",
                    f"unknown form `{r.form}`; the forms are " + ", ".join(forms),
                    src,
                    (*rpath, "form"),
                    suggest(r.form, set(forms)),
                )
            ranges.append(PlaceRange(r.first, r.last, r.kind, r.form))
        levels.append(Level(lv.name, lv.length, start, pattern, tuple(ranges), lv.doc))
        start = lv.length
    names = [lv.name for lv in decl.levels]
    if decl.root.level in names or len(set(names)) != len(names):
        problems.at("place-hierarchy", "every level needs a name of its own", src, ("places",))
    param = params.get(decl.root.parameter)
    if param is None:
        problems.at(
            "city-parameter",
            f"the root `{decl.root.level}` is named by parameter `{decl.root.parameter}`, which "
            "the policy does not define: give it as a parameter of type code_prefix (e.g. value: "
            '"12")',
            src,
            ("places", "root", "parameter"),
        )
    elif param.type != "code_prefix":
        problems.items.append(
            Diagnostic(
                "city-parameter",
                f"parameter `{decl.root.parameter}` names the root `{decl.root.level}` of the "
                f'place hierarchy, so it must be of type code_prefix (e.g. value: "12"), not '
                f"{param.type}",
                param.type_location or param.location,
            )
        )
    _empty_prefixes(decl.root.parameter, params, problems)
    _prefix_lists(params, problems)
    overlay_levels = _overlay_levels(decl, names, src, problems)
    if len(problems.items) > before:
        return None
    return Hierarchy(decl.root.level, decl.root.parameter, tuple(levels), forms, overlay_levels)


def _overlay_levels(
    decl: s.Places, names: list[str], src: _Source, problems: _Problems
) -> tuple[str, ...]:
    """The levels ``places.overlays`` names (one, or a list), coarse to fine; each must be a
    level of the hierarchy, named once (``place-hierarchy``)."""
    listed = [decl.overlays] if isinstance(decl.overlays, str) else list(decl.overlays or ())
    for i, level in enumerate(listed):
        where: Path_ = ("places", "overlays")
        if not isinstance(decl.overlays, str):
            where = (*where, i)
        if level not in names:
            problems.at(
                "place-hierarchy",
                f"overlays are keyed by a level; `{level}` is none of " + ", ".join(names),
                src,
                where,
                suggest(level, set(names)),
            )
        elif listed.index(level) != i:
            problems.at("place-hierarchy", f"overlay level `{level}` is listed twice", src, where)
    return tuple(sorted(set(listed) & set(names), key=names.index))


def _empty_prefixes(root: str, params: Mapping[str, Any], problems: _Problems) -> None:
    """Only the root's code prefix may be empty (a national root): every code starts with ``""``,
    so any other empty prefix would hold every place (``empty-prefix``)."""
    for name, param in params.items():
        if param.type == "code_prefix" and param.value == "" and name != root:
            problems.items.append(
                Diagnostic(
                    "empty-prefix",
                    f"parameter `{name}` is an empty code prefix, which every code starts with: "
                    f"only the root of the place hierarchy (`{root}`) may be empty, for a policy "
                    "of the whole country",
                    param.location,
                )
            )


def _prefix_lists(params: Mapping[str, Any], problems: _Problems) -> None:
    """A code_prefix of several prefixes (``value: ["11", "12"]``) lists each once, none empty
    and none inside another: a code lies in one of them at most (``prefix-list``)."""
    for name, param in params.items():
        value = param.value
        if param.type != "code_prefix" or not isinstance(value, tuple):
            continue
        why = None
        if not value:
            why = "lists no prefix (give one or more, or one string)"
        elif "" in value:
            why = 'holds the empty prefix, which every code starts with (give "" alone)'
        else:
            twice = sorted({p for p in value if value.count(p) > 1})
            inside = sorted((p, q) for p in value for q in value if p != q and q.startswith(p))
            if twice:
                why = "names " + ", ".join(repr(p) for p in twice) + " more than once"
            elif inside:
                p, q = inside[0]
                why = f"lists {q!r} inside {p!r} (a code that starts with {q!r} starts with {p!r})"
        if why is not None:
            problems.items.append(
                Diagnostic(
                    "prefix-list",
                    f"parameter `{name}`, a list of code prefixes, {why}",
                    param.location,
                )
            )


_MODELS: dict[tuple[str, str], type[BaseModel]] = {}
"""The fact models built so far, by what they are built from: a policy loaded twice (or two
policies with the same vocabulary and parameter values) gets the same classes, so that fact sets
validated by one engine are the other's own."""


def _declaration_key(merged: _Merged, params: Mapping[str, Any]) -> str:
    """A digest of everything the fact models are built from."""
    parts: dict[str, Any] = {
        "places": merged.places[0].model_dump() if merged.places else None,
        "enums": {
            n: {v: t.model_dump() for v, t in e.items()} for n, (e, _s) in merged.enums.items()
        },
        "subjects": {n: d.model_dump() for n, (d, _s) in merged.subjects.items()},
        "params": {n: [p.type, p.value, p.delegated] for n, p in sorted(params.items())},
        "tables": {n: d.model_dump() for n, (d, _s) in sorted(merged.tables.items())},
    }
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


class _Builder(Resolver):
    """Builds every subject; features and places are built on first use, so that they may read
    one another (and a nested subject's) in any order, with cycles reported."""

    def __init__(
        self,
        merged: _Merged,
        hierarchy: Hierarchy,
        params: Mapping[str, Any],
        problems: _Problems,
        tables: Mapping[str, Table] | None = None,
    ) -> None:
        super().__init__(
            hierarchy, {n: (p.type, p.value, p.delegated) for n, p in params.items()}, tables
        )
        self.m = merged
        self.problems = problems
        self.enums = {n: tuple(values) for n, (values, _src) in merged.enums.items()}
        self.fields: dict[str, dict[str, tuple[FieldInfo, VType]]] = {}
        self.features: dict[tuple[str, str], Typed | None] = {}
        self.places: dict[tuple[str, str], Typed | None] = {}
        self.building: list[tuple[str, str]] = []
        self.rule_mode = False
        self.key = _declaration_key(merged, params)
        root = params[hierarchy.root_parameter].value
        self.root_value = root_code(root)
        self.root_prefixes = prefixes(root)

    # fields ----------------------------------------------------------------------------------

    def field_table(self, subject: str) -> dict[str, tuple[FieldInfo, VType]]:
        if subject not in self.fields:
            decl, src = self.m.subjects[subject]
            table: dict[str, tuple[FieldInfo, VType]] = {}
            for name, f in decl.fields.items():
                built = self.field(subject, name, f, src)
                if built is not None:
                    table[name] = built
            self.fields[subject] = table
        return self.fields[subject]

    def field(
        self, subject: str, name: str, f: s.FieldSpec, src: _Source
    ) -> tuple[FieldInfo, VType] | None:
        path: Path_ = ("subjects", subject, "fields", name)
        t = f.type
        kinds = (*PRIMITIVES, *self.enums, *self.m.subjects)
        if t not in kinds:
            self.problems.at(
                "unknown-type",
                f"unknown type `{t}`; a field is "
                + ", ".join(PRIMITIVES)
                + ", an enum ("
                + (", ".join(sorted(self.enums)) or "none declared")
                + ") or a subject",
                src,
                (*path, "type"),
                suggest(t, set(kinds)),
            )
            return None
        if (t == "list" or f.of is not None) and not self.records_fit(f, src, path):
            return None
        levels: tuple[str, ...] = ()
        if t in ("place", "places"):
            known = [lv.name for lv in self.hierarchy.levels]
            levels = tuple(f.levels or known)
            for i, lv in enumerate(levels):
                if lv not in known:
                    self.problems.at(
                        "unknown-value",
                        f"unknown level `{lv}`; the levels are " + ", ".join(known),
                        src,
                        (*path, "levels", i),
                        suggest(lv, set(known)),
                    )
                    return None
        if t == "int" and (f.min is None or f.max is None or f.min > f.max):
            self.problems.at("schema", "a whole-number field declares `min` and `max`", src, path)
            return None
        if t in self.enums:
            kind, values = "enum", self.enums[t]
        elif t in self.m.subjects:
            kind, values = "subject", ()
        elif t == "list":
            kind, values = "records", ()
        else:
            kind, values = t, ()
        listed = kind in ("places", "records")  # a list is never null: absent, it is empty
        info = FieldInfo(
            name,
            kind,
            f.doc,
            f.optional,
            values,
            f.min,
            f.max,
            levels,
            t if kind == "subject" else f.of,
            () if listed and f.default is None else f.default,
            f.default is not None or (listed and f.optional),
            f.default_from is not None,
        )
        if f.default is not None and (listed or not self.default_fits(info, f.default)):
            self.problems.at(
                "schema",
                f"default {f.default!r} is not a value of type {t}",
                src,
                (*path, "default"),
            )
            return None
        vtype = VType(
            kind,  # type: ignore[arg-type]
            values,
            f.min,
            f.max,
            levels,
            info.subject,
            optional=f.optional and not listed,
        )
        return info, vtype

    def records_fit(self, f: s.FieldSpec, src: _Source, path: Path_) -> bool:
        """Whether a list of records (``type: list``, ``of: <subject>``) is declared as one."""
        if (f.type == "list") != (f.of is not None):
            self.problems.at(
                "schema",
                "a list of records is `type: list` with `of: <subject>`; `of` is for lists only",
                src,
                (*path, "of" if f.of is not None else "type"),
            )
            return False
        if f.of is not None and f.of not in self.m.subjects:
            self.problems.at(
                "unknown-type",
                f"unknown subject `{f.of}`; the records of a list are one of the subjects ("
                + ", ".join(sorted(self.m.subjects))
                + ")",
                src,
                (*path, "of"),
                suggest(f.of, set(self.m.subjects)),
            )
            return False
        if f.default is not None or f.default_from is not None or f.min is not None:
            self.problems.at(
                "schema",
                "a list of records has no `default`, `default_from` or `min`: absent, it is empty "
                "(`max` bounds how many records it may hold)",
                src,
                path,
            )
            return False
        return True

    @staticmethod
    def default_fits(info: FieldInfo, value: Any) -> bool:
        if info.kind == "enum":
            return value in info.values
        if info.kind == "bool":
            return isinstance(value, bool)
        if info.kind == "int":
            return (
                isinstance(value, int)
                and not isinstance(value, bool)
                and (info.minimum or 0) <= value <= (info.maximum or 0)
            )
        return isinstance(value, str)

    # what names mean ---------------------------------------------------------------------------

    def names(self, subject: str) -> set[str]:
        decl, _src = self.m.subjects[subject]
        return {*decl.fields, *decl.features, *decl.places, self.hierarchy.root}

    def member(self, subject: str, name: str, span: Span) -> tuple[Typed | None, list[Problem]]:
        decl, _src = self.m.subjects[subject]
        table = self.field_table(subject)
        order = ("feature", "field", "place") if self.rule_mode else ("field", "feature", "place")
        for what in order:
            if what == "field" and name in table:
                _info, vtype = table[name]
                return Typed(vtype, _reader(name), frozenset({name}), name), []
            if what == "feature" and name in decl.features:
                return self.built_feature(subject, name, span)
            if what == "place" and name == self.hierarchy.root and len(self.root_prefixes) > 1:
                shown = ", ".join(repr(p) for p in self.root_prefixes)
                return None, [
                    Problem(
                        "type-mismatch",
                        f"`{subject}.{name}`: the jurisdiction is several places (code prefixes "
                        f"{shown}), not one; read the prefixes as "
                        f"`param.{self.hierarchy.root_parameter}` (`within(place, "
                        f"param.{self.hierarchy.root_parameter})`)",
                        span,
                    )
                ]
            if what == "place" and (name in decl.places or name == self.hierarchy.root):
                return self.built_place(subject, name, span)
        if name in decl.fields:  # declared, but its declaration failed (reported there)
            return None, []
        near = suggest(name, self.names(subject))
        return None, [
            Problem(
                "unknown-fact",
                f"unknown fact `{subject}.{name}`; {subject} has "
                + ", ".join(sorted(self.names(subject))),
                span,
                f"{subject}.{near}" if near else None,
            )
        ]

    def expression(
        self, text: str, subject: str, src: _Source, path: Path_, *, condition: bool = False
    ) -> Typed | None:
        try:
            node: Node = parse_condition(text) if condition else parse_expression(text)
        except ConditionSyntaxError as exc:
            self.problems.items.append(
                Diagnostic(
                    "condition-syntax",
                    str(exc),
                    src.doc.text_location(path, exc.span.line, exc.span.column),
                    None,
                    path,
                )
            )
            return None
        rule_mode, self.rule_mode = self.rule_mode, False
        try:
            typed, found = check(node, subject, self)
        finally:
            self.rule_mode = rule_mode
        self.problems.located(found, src, path)
        return typed

    def cyclic(self, key: tuple[str, str], span: Span) -> list[Problem]:
        cycle = self.building[self.building.index(key) :]
        shown = " → ".join(f"{s_}.{n}" for s_, n in (*cycle, key))
        return [Problem("feature-cycle", f"features refer to each other: {shown}", span)]

    def built_feature(
        self, subject: str, name: str, span: Span
    ) -> tuple[Typed | None, list[Problem]]:
        key = (subject, name)
        if key in self.building:
            return None, self.cyclic(key, span)
        if key not in self.features:
            decl, src = self.m.subjects[subject]
            self.building.append(key)
            try:
                self.features[key] = self.expression(
                    decl.features[name].expr,
                    subject,
                    src,
                    ("subjects", subject, "features", name, "expr"),
                )
            finally:
                self.building.pop()
        return self.features[key], []  # a feature that failed was reported where it is declared

    def built_place(
        self, subject: str, name: str, span: Span
    ) -> tuple[Typed | None, list[Problem]]:
        if name == self.hierarchy.root:
            root = self.root_value
            return Typed(VType("place", levels=(name,)), lambda _o, _c: root), []
        key = (subject, name)
        if key in self.building:
            return None, self.cyclic(key, span)
        if key not in self.places:
            decl, src = self.m.subjects[subject]
            self.building.append(key)
            try:
                path: Path_ = ("subjects", subject, "places", name, "expr")
                typed = self.expression(decl.places[name].expr, subject, src, path)
                if typed is not None and typed.type.kind not in ("place", "places"):
                    self.problems.at(
                        "type-mismatch",
                        f"place `{name}` is {typed.type}, not a place",
                        src,
                        path,
                    )
                    typed = None
                self.places[key] = typed
            finally:
                self.building.pop()
        return self.places[key], []  # as for features: reported where it is declared

    # subjects ----------------------------------------------------------------------------------

    def feature(self, subject: str, name: str, spec: s.FeatureSpec, src: _Source) -> Feature | None:
        typed, _found = self.built_feature(subject, name, Span(1, 1))
        if typed is None:
            return None
        path: Path_ = ("subjects", subject, "features", name)
        ftype = self.feature_type(typed.type, spec, src, path)
        if ftype is None:
            return None
        return Feature(
            name,
            ftype,
            spec.doc,
            typed.get,
            typed.reads,
            typed.field,
            spec.expr.strip(),
            src.doc.location(path),
            spec.kept,
            partial(source, typed),
        )

    def feature_type(
        self, vtype: VType, spec: s.FeatureSpec | None, src: _Source, path: Path_
    ) -> FeatureType | None:
        if vtype.optional:
            self.problems.at(
                "type-mismatch",
                f"a feature has a value for every fact set, but this one may be null ({vtype}); "
                "say what it is when the facts are absent (if ... then ... else ...)",
                src,
                (*path, "expr"),
            )
            return None
        if vtype.kind == "bool":
            return FeatureType("bool")
        if vtype.kind == "enum":
            values = vtype.values
            if spec is not None and spec.values is not None:
                missing = set(values) - set(spec.values)
                if missing:
                    self.problems.at(
                        "unknown-value",
                        "the feature takes values its `values` do not list: "
                        + ", ".join(sorted(missing)),
                        src,
                        (*path, "values"),
                    )
                    return None
                values = tuple(spec.values)
            return FeatureType("enum", values)
        if vtype.kind == "int":
            low = spec.min if spec is not None and spec.min is not None else vtype.minimum
            high = spec.max if spec is not None and spec.max is not None else vtype.maximum
            if low is None or high is None:
                self.problems.at(
                    "type-mismatch",
                    "a whole-number feature needs a range: declare `min` and `max`",
                    src,
                    path,
                )
                return None
            return FeatureType("int", minimum=low, maximum=high)
        self.problems.at(
            "type-mismatch",
            f"a feature is true/false, an enum or a whole number; this one is {vtype}",
            src,
            (*path, "expr"),
        )
        return None

    def features_of(
        self,
        name: str,
        decl: s.Subject,
        src: _Source,
        table: Mapping[str, tuple[FieldInfo, VType]],
    ) -> dict[str, Feature]:
        """The declared features, then every finite field that no feature of its name refines."""
        features: dict[str, Feature] = {}
        for fname, spec in decl.features.items():
            feature = self.feature(name, fname, spec, src)
            if feature is not None:
                features[fname] = feature
        for fname, (info, vtype) in table.items():
            if fname in features or vtype.optional or info.kind not in ("bool", "enum", "int"):
                continue
            ftype = self.feature_type(vtype, None, src, ("subjects", name, "fields", fname))
            if ftype is not None:
                features[fname] = Feature(
                    fname, ftype, info.doc, _reader(fname), frozenset({fname}), fname, fname
                )
        return features

    def places_of(self, name: str, decl: s.Subject) -> dict[str, PlaceRef]:
        places: dict[str, PlaceRef] = {}
        for pname in (*decl.places, self.hierarchy.root):
            typed, _found = self.built_place(name, pname, Span(1, 1))
            if typed is not None:
                places[pname] = PlaceRef(
                    pname,
                    decl.places[pname].doc if pname in decl.places else "the jurisdiction itself",
                    typed.get,
                    typed.type.kind == "places",
                    typed.reads,
                    typed.type.optional or typed.type.kind == "places",
                    typed.type.levels,
                    decl.places[pname].expr if pname in decl.places else "",
                    partial(source, typed),
                )
        return places

    def constraints_of(
        self,
        name: str,
        decl: s.Subject,
        src: _Source,
        table: Mapping[str, tuple[FieldInfo, VType]],
    ) -> list[Constraint]:
        constraints: list[Constraint] = []
        for i, c in enumerate(decl.constraints):
            path: Path_ = ("subjects", name, "constraints", i)
            text = c.require if isinstance(c.require, str) else ("true" if c.require else "false")
            typed = self.expression(text, name, src, (*path, "require"), condition=True)
            if c.field is not None and c.field.split(".")[0] not in table:
                self.problems.at(
                    "unknown-fact",
                    f"`{c.field}` is not a field of {name}",
                    src,
                    (*path, "field"),
                    suggest(c.field, set(table)),
                )
            if typed is not None:
                constraints.append(
                    Constraint(
                        typed.get,
                        c.field,
                        c.message,
                        typed.reads,
                        text,
                        partial(source, typed),
                    )
                )
        return constraints

    def subject(self, name: str, models: dict[str, type[BaseModel] | None]) -> Subject | None:
        decl, src = self.m.subjects[name]
        before = len(self.problems.items)
        table = self.field_table(name)
        features = self.features_of(name, decl, src, table)
        places = self.places_of(name, decl)
        constraints = self.constraints_of(name, decl, src, table)
        defaults: list[tuple[str, Any]] = []
        default_reads: dict[str, frozenset[str]] = {}
        for fname, f in decl.fields.items():
            if f.default_from is None:
                continue
            path: Path_ = ("subjects", name, "fields", fname, "default_from")
            typed = self.expression(f.default_from, name, src, path)
            if typed is not None:
                defaults.append((fname, typed.get))
                default_reads[fname] = typed.reads
        if decl.location is not None and decl.location not in places:
            self.problems.at(
                "unknown-place",
                f"location `{decl.location}` is not a place of {name}",
                src,
                ("subjects", name, "location"),
                suggest(decl.location, set(places)),
            )
        nested: dict[str, type[BaseModel]] = {}
        for info, _vtype in table.values():
            if info.subject is not None:
                model = self.model(info.subject, models)
                if model is None:
                    return None
                nested[info.subject] = model
        if len(self.problems.items) > before:
            return None
        key = (self.key, name)
        model = _MODELS.get(key)
        if model is None:
            model = make_model(
                name,
                decl.doc,
                {n: info for n, (info, _v) in table.items()},
                self.hierarchy,
                nested,
                constraints,
                defaults,
            )
            _MODELS[key] = model
        models[name] = model
        return Subject(
            name,
            model,
            decl.doc,
            features,  # a dict: rules may add derived features (see Vocabulary.lift)
            places,
            {n: info for n, (info, _v) in table.items()},
            tuple(constraints),
            decl.location,
            dict(defaults),
            default_reads,
        )

    def model(self, name: str, models: dict[str, type[BaseModel] | None]) -> type[BaseModel] | None:
        if name in models:
            found = models[name]
            if found is None:
                _decl, src = self.m.subjects[name]
                self.problems.at(
                    "feature-cycle",
                    f"subject `{name}` contains itself",
                    src,
                    ("subjects", name),
                )
            return found
        models[name] = None
        built = self.subject(name, models)
        self.built[name] = built
        return None if built is None else built.model

    built: dict[str, Subject | None]


def build_vocabulary(
    merged: _Merged, params: Mapping[str, Any]
) -> tuple[Vocabulary | None, list[Diagnostic]]:
    """The vocabulary of the merged policy, or the problems that prevent it."""
    problems = _Problems()
    if merged.places is None:
        return None, problems.items  # reported by the merge as a missing section
    decl, src = merged.places
    hierarchy = _hierarchy(decl, src, params, problems)
    if hierarchy is None:
        return None, problems.items
    enum_values = {n: tuple(values) for n, (values, _src) in merged.enums.items()}
    tables, table_problems = build_tables(merged.tables, enum_values, hierarchy)
    problems.items.extend(table_problems)
    builder = _Builder(merged, hierarchy, params, problems, tables)
    builder.enums = enum_values
    builder.built = {}
    models: dict[str, type[BaseModel] | None] = {}
    for name in merged.subjects:
        if name not in builder.built:
            builder.model(name, models)
    if problems.items:
        return None, problems.items
    subjects = {n: sj for n, sj in builder.built.items() if sj is not None}
    enums = {
        n: {v: Text(t.zh, t.en) for v, t in values.items()}
        for n, (values, _src) in merged.enums.items()
    }
    ordered = {n: subjects[n] for n in merged.subjects if n in subjects}
    names, name_problems = build_place_names(merged, hierarchy)
    problems.items.extend(name_problems)
    if problems.items:
        return None, problems.items
    return Vocabulary(hierarchy, enums, ordered, builder, tables, names), problems.items
