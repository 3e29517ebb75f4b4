"""Interchangeable place codes: which candidate codes a failed search need not try again.

The realiser's place pool is a tree of codes (each code's parent is its code at the level
above). An expression that reads place values only by ``at``, ``within``, ``all_within``,
``level``, ``form``, ``class_of``, equality, ``in``, ``count``, ``distinct`` and ``null`` tests
gives the same answer when every code is replaced by its image under a *symmetry* of that tree:
a permutation that maps each code's parent to its image's parent and keeps each code's level,
class, form, the code prefixes the expressions test (``within(x, "12")``) and the codes they
name (literals, fixed). Such a search that failed for one candidate code therefore fails for
every code a symmetry maps it to, if that symmetry also fixes the codes already set that the
later checks read: the realiser skips those candidates. It skips only searches that fail, so it
finds the same fact set as before, in fewer steps.

``place_reads`` decides, from the parsed expressions, whether a check reads places only so (and
which prefixes and codes it names); ``PlaceTree.orbit`` gives the class of a code under the
symmetries that fix given codes: two codes are in one class when, level by level from the top,
their ancestors have the same *type* (label, fixed code if one, and the types of the children,
as a multiset).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..language.conditions import (
    And,
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
from ..language.places import Hierarchy
from ..language.subjects import Context, Subject
from .cuts import _parsed  # one parse (kept) of each expression text, as cuts reads them

__all__ = ["PlaceReads", "PlaceTree", "place_reads"]


@dataclass(frozen=True, slots=True)
class PlaceReads:
    """How a set of expressions reads place values: ``safe`` if only as the module's doc says,
    with the code prefixes they test and the codes they name."""

    safe: bool
    prefixes: frozenset[str] = frozenset()
    codes: frozenset[str] = frozenset()


_UNSAFE = PlaceReads(False)


class _UnsafeError(Exception):
    """An expression reads a place value otherwise than a symmetry keeps."""


# what a node is: a place, a list of places, a constant (its value), or another value
_PLACE, _PLACES, _VALUE = "place", "places", "value"
_RELATIONS = frozenset({"at", "within", "all_within", "level", "form", "class_of"})
_OF_LISTS = frozenset({"count", "distinct"})


@dataclass(frozen=True, slots=True)
class _Const:
    value: Any


class _Walker:
    def __init__(self, subjects: Mapping[str, Subject], ctx: Context) -> None:
        self.subjects = subjects
        self.ctx = ctx
        self.prefixes: set[str] = set()
        self.codes: set[str] = set()
        self.stack: list[tuple[str, tuple[str, ...], str]] = []

    def text(self, text: str, subject: Subject, prefix: tuple[str, ...]) -> Any:
        node = _parsed(text)
        if node is None:
            raise _UnsafeError(text)
        return self.kind(node, subject, prefix)

    def name(self, values: Any) -> None:
        """Codes a place is compared with: each is fixed."""
        for v in values if isinstance(values, list | tuple | set | frozenset) else (values,):
            if isinstance(v, str):
                self.codes.add(v)
            elif v is not None:
                raise _UnsafeError(str(v))

    def kind(self, node: Node, subject: Subject, prefix: tuple[str, ...]) -> Any:  # noqa: PLR0912 - one branch per kind of node
        if isinstance(node, IntConst | StrConst | BoolConst):
            return _Const(node.value)
        if isinstance(node, NullConst):
            return _Const(None)
        if isinstance(node, ParamRef):
            try:
                return _Const(self.ctx.param(node.name))
            except KeyError:
                raise _UnsafeError(node.name) from None
        if isinstance(node, AsOf):
            return _VALUE
        if isinstance(node, And | Or):
            for item in node.items:
                self.kind(item, subject, prefix)
            return _VALUE
        if isinstance(node, Not):
            self.kind(node.item, subject, prefix)
            return _VALUE
        if isinstance(node, Compare | Relation):
            a, b = self.kind(node.left, subject, prefix), self.kind(node.right, subject, prefix)
            for x, y in ((a, b), (b, a)):
                if x in (_PLACE, _PLACES):
                    if node.op not in ("==", "!="):
                        raise _UnsafeError(str(node))
                    if isinstance(y, _Const):
                        self.name(y.value)
                    elif y != x:
                        raise _UnsafeError(str(node))
            return _VALUE
        if isinstance(node, InSet):
            if self.kind(node.term, subject, prefix) in (_PLACE, _PLACES):
                self.name([v.value for v in node.values])
            return _VALUE
        if isinstance(node, Member):
            item = self.kind(node.item, subject, prefix)
            container = self.kind(node.container, subject, prefix)
            if item == _PLACE and container == _PLACES:
                return _VALUE
            if item == _PLACE and isinstance(node.container, ListConst):
                for i in node.container.items:
                    found = self.kind(i, subject, prefix)
                    if not isinstance(found, _Const):
                        raise _UnsafeError(str(node))
                    self.name(found.value)
                return _VALUE
            if item in (_PLACE, _PLACES) or container in (_PLACE, _PLACES):
                raise _UnsafeError(str(node))
            return _VALUE
        if isinstance(node, If):
            self.kind(node.cond, subject, prefix)
            kinds = {self.kind(node.then, subject, prefix), self.kind(node.other, subject, prefix)}
            for k in (_PLACE, _PLACES):
                if k in kinds:
                    rest = kinds - {k}
                    if any(not (isinstance(r, _Const) and r.value is None) for r in rest):
                        raise _UnsafeError(str(node))
                    return k
            return _VALUE
        if isinstance(node, Call):
            return self.call(node, subject, prefix)
        if isinstance(node, ListConst):
            found = [self.kind(i, subject, prefix) for i in node.items]
            if any(f in (_PLACE, _PLACES) for f in found):
                raise _UnsafeError(str(node))
            return _VALUE
        if isinstance(node, FactRef):
            return self.path(subject, prefix, (node.feature,))
        if isinstance(node, Path):
            return self.path(subject, prefix, node.names)
        raise _UnsafeError(str(node))  # arithmetic is of numbers; anything else: not known here

    def call(self, node: Call, subject: Subject, prefix: tuple[str, ...]) -> Any:
        args = node.args
        if node.name in _RELATIONS or node.name in _OF_LISTS:
            first = self.kind(args[0], subject, prefix)
            if isinstance(first, _Const):  # a code named: fixed
                self.name(first.value)
            if node.name in ("within", "all_within"):
                other = self.kind(args[1], subject, prefix)
                if isinstance(other, _Const):
                    value = other.value
                    for p in value if isinstance(value, list | tuple) else (value,):
                        if not isinstance(p, str):
                            raise _UnsafeError(str(node))
                        self.prefixes.add(p)
                elif other != _PLACE:
                    raise _UnsafeError(str(node))
            return _PLACE if node.name == "at" and first == _PLACE else _VALUE
        if node.name == "date":
            return _VALUE
        for arg in args:  # any other function: of numbers or dates, never of a place
            if self.kind(arg, subject, prefix) in (_PLACE, _PLACES):
                raise _UnsafeError(str(node))
        return _VALUE

    def path(self, subject: Subject, prefix: tuple[str, ...], names: tuple[str, ...]) -> Any:
        current, path = subject, prefix
        for i, name in enumerate(names):
            info = current.fields.get(name)
            last = i + 1 == len(names)
            if info is not None:
                path = (*path, name)
                if info.kind == "subject" and not last and info.subject is not None:
                    current = self.subjects[info.subject]
                    continue
                if not last:
                    raise _UnsafeError(".".join(names))
                if info.kind == "records":
                    raise _UnsafeError(name)
                return {"place": _PLACE, "places": _PLACES}.get(info.kind, _VALUE)
            if last and name in current.features:
                return self.nested(current, path, name, current.features[name].expr)
            if last and name in current.places:
                return self.nested(current, path, "@" + name, current.places[name].expr)
            raise _UnsafeError(name)
        raise _UnsafeError(".".join(names))

    def nested(self, subject: Subject, prefix: tuple[str, ...], name: str, text: str) -> Any:
        key = (subject.name, prefix, name)
        if not text or key in self.stack:
            raise _UnsafeError(name)
        self.stack.append(key)
        try:
            return self.text(text, subject, prefix)
        finally:
            self.stack.pop()


def place_reads(
    subjects: Mapping[str, Subject],
    ctx: Context,
    texts: Iterable[tuple[Subject, tuple[str, ...], str]],
) -> PlaceReads:
    """Whether the expressions (each with the subject it is about and the path of that subject
    in the fact set) read places only as a symmetry of the pool keeps, and what they name."""
    walker = _Walker(subjects, ctx)
    try:
        for subject, prefix, text in texts:
            if walker.text(text, subject, prefix) in (_PLACE, _PLACES):
                return _UNSAFE  # a value that is a place: not kept by a symmetry
    except _UnsafeError:
        return _UNSAFE
    return PlaceReads(True, frozenset(walker.prefixes), frozenset(walker.codes))


class PlaceTree:
    """The pool's codes as a tree, with each code's type (see the module's doc)."""

    def __init__(self, hierarchy: Hierarchy, codes: Iterable[str], reads: PlaceReads) -> None:
        lengths = sorted(lv.length for lv in hierarchy.levels)

        def parent_of(code: str) -> str | None:
            above = [n for n in lengths if n < len(code)]
            return code[: above[-1]] if above else None

        self.parent: dict[str, str | None] = {}
        todo = list(codes)
        while todo:  # each code and its ancestors (one not in the pool joins)
            code = todo.pop()
            if code not in self.parent:
                self.parent[code] = above = parent_of(code)
                if above is not None:
                    todo.append(above)
        self.children: dict[str | None, list[str]] = {}
        for code, up in self.parent.items():
            self.children.setdefault(up, []).append(code)
        prefixes = sorted(reads.prefixes)
        self.label = {
            code: (
                len(code),
                hierarchy.klass(code),
                hierarchy.form_of(code),
                tuple(code.startswith(p) for p in prefixes),
                code if code in reads.codes else None,
            )
            for code in self.parent
        }
        self._types: dict[Any, int] = {}
        self.base: dict[str, int] = {}
        for code in sorted(self.parent, key=len, reverse=True):
            kids = tuple(sorted(self.base[c] for c in self.children.get(code, ())))
            self.base[code] = self._intern((self.label[code], None, kids))
        self._paths = {code: self._path(code) for code in self.parent}
        self._classes: dict[tuple[str, ...], dict[str, int]] = {}

    def _intern(self, key: Any) -> int:
        found = self._types.get(key)
        if found is None:
            found = self._types[key] = len(self._types)
        return found

    def _path(self, code: str) -> tuple[str, ...]:
        out = [code]
        up = self.parent[code]
        while up is not None:
            out.append(up)
            up = self.parent[up]
        return tuple(reversed(out))

    def __contains__(self, code: object) -> bool:
        return code in self.parent

    def classes(self, fixed: Sequence[str]) -> dict[str, int]:
        """Each code's class under the symmetries that fix the ``fixed`` codes (a number: two
        codes of one number are in one class), kept per set of fixed codes."""
        key = tuple(sorted(set(fixed))) if len(fixed) > 1 else tuple(fixed)
        found = self._classes.get(key)
        if found is None:
            hot = {a for f in key if f in self.parent for a in self._paths[f]}
            typed: dict[str, int] = {}
            for code in sorted(hot, key=len, reverse=True):
                kids = tuple(
                    sorted(typed.get(c, self.base[c]) for c in self.children.get(code, ()))
                )
                typed[code] = self._intern((self.label[code], code if code in key else None, kids))
            # each code's types along its path, the fixed ones' over the rest (looked up by
            # ``map`` over one merged table: no Python call per code and level)
            types = {**self.base, **typed}
            known, new = self._types, self._types.setdefault
            found = self._classes[key] = {}
            for code, path in self._paths.items():
                along = tuple(map(types.__getitem__, path))
                number = known.get(along)
                found[code] = new(along, len(known)) if number is None else number
        return found
