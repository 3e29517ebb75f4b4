"""Place codes as a policy declares them: levels by code length, classes and forms by range.

A policy's ``places`` section (in ``facts.yaml``) says how its place codes are built: a *root*
level (the jurisdiction itself, named by a code-prefix parameter), then levels from coarse to
fine, each a code of a fixed length whose own part (the characters after its parent's code) must
match a pattern and, where the level declares ranges, fall in one of them. A range names a
*class* of place and its *form* (one of the forms the policy declares), which chooses the words a
body is named with. Nothing here knows any country's codes: they are data.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass, field

__all__ = ["Hierarchy", "Level", "PlaceRange", "prefixes", "root_code"]

_CHECKED_MAX = 1 << 16


def prefixes(value: object) -> tuple[str, ...]:
    """The code prefixes of a code_prefix parameter's value: one, or several (a tuple)."""
    if isinstance(value, tuple):
        return tuple(str(v) for v in value)
    return (str(value),)


def root_code(value: object) -> str:
    """How the jurisdiction reads as a place: its code prefix, or several joined by ``|``."""
    return "|".join(prefixes(value))


@dataclass(frozen=True, slots=True)
class PlaceRange:
    """The codes of one class at a level: its own part from ``first`` to ``last`` (inclusive,
    compared as text of the same length)."""

    first: str
    last: str
    klass: str
    form: str

    def holds(self, part: str) -> bool:
        return self.first <= part <= self.last


@dataclass(frozen=True, slots=True)
class Level:
    name: str
    length: int  # the whole code's length at this level
    start: int  # where the level's own part begins (the parent level's length)
    pattern: re.Pattern[str]  # the whole code at this level must match it
    ranges: tuple[PlaceRange, ...] = ()
    doc: str | None = None

    def range_of(self, code: str) -> PlaceRange | None:
        part = code[self.start : self.length]
        return next((r for r in self.ranges if r.holds(part)), None)


@dataclass(frozen=True, slots=True)
class Hierarchy:
    """The levels of a policy's place codes, and the jurisdiction they lie in."""

    root: str  # the name of the root level (the jurisdiction itself)
    root_parameter: str  # the code-prefix parameter that names it
    levels: tuple[Level, ...]
    forms: tuple[str, ...]
    overlay_levels: tuple[str, ...] = ()
    """The levels whose places may have an overlay, coarse to fine: a fact set is decided with
    the overlay of each place containing it, the widest first."""
    _by_name: Mapping[str, Level] = field(default_factory=dict, compare=False, repr=False)
    _by_length: Mapping[int, Level] = field(default_factory=dict, compare=False, repr=False)
    _checked: dict[str, str | None] = field(default_factory=dict, compare=False, repr=False)
    """Codes checked so far, with their problem: a register repeats its codes."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {lv.name: lv for lv in self.levels})
        object.__setattr__(self, "_by_length", {lv.length: lv for lv in self.levels})

    @property
    def overlay_level(self) -> str | None:
        """The widest level with overlays (the only one of a policy that declares one)."""
        return self.overlay_levels[0] if self.overlay_levels else None

    @property
    def overlay_lengths(self) -> tuple[int, ...]:
        """The code lengths of the overlay levels, the finest first."""
        return tuple(sorted((self.length(n) for n in self.overlay_levels), reverse=True))

    def enclosing(self, code: str | None, keys: Container[str]) -> str | None:
        """The finest place of an overlay level that contains ``code`` (or is it) and is one of
        ``keys`` (the places with an overlay); None if there is none."""
        if code is None:
            return None
        for n in self.overlay_lengths:
            if len(code) >= n and code[:n] in keys:
                return code[:n]
        return None

    @property
    def names(self) -> tuple[str, ...]:
        """Every level's name, the root first."""
        return (self.root, *(lv.name for lv in self.levels))

    def level(self, name: str) -> Level:
        return self._by_name[name]

    def length(self, name: str) -> int:
        """The code length of a level; 0 for the root (its code is a parameter's prefix)."""
        level = self._by_name.get(name)
        return level.length if level is not None else 0

    def problem(self, code: object) -> str | None:
        """Why ``code`` is not a place code of this hierarchy, or None if it is one."""
        if not isinstance(code, str):
            return f"a place code is text, got {type(code).__name__}"
        checked = self._checked
        if code in checked:
            return checked[code]
        found = self._problem(code)
        if len(checked) >= _CHECKED_MAX:
            checked.clear()
        checked[code] = found
        return found

    def _problem(self, code: str) -> str | None:
        level = self._by_length.get(len(code))
        if level is None:
            shown = ", ".join(f"{lv.length} ({lv.name})" for lv in self.levels)
            return f"a place code has {shown} characters, got {len(code)}: {code!r}"
        for lv in self.levels:
            prefix = code[: lv.length]
            if not lv.pattern.fullmatch(prefix):
                what = lv.doc or f"pattern {lv.pattern.pattern}"
                return f"{code!r}: {prefix!r} is not a {lv.name} code ({what})"
            if lv.ranges and lv.range_of(code) is None:
                part = code[lv.start : lv.length]
                listed = ", ".join(f"{r.first}-{r.last} {r.klass}" for r in lv.ranges)
                return f"{code!r}: the {lv.name} part {part} is in none of its ranges ({listed})"
            if lv is level:
                break
        return None

    def refused(self, codes: Iterable[str]) -> dict[str, str]:
        """Why each code of ``codes`` that is no place code is refused (``problem``), for many
        codes at once (a names table): the codes of a level are matched against its pattern in
        one pass, and their parents and own parts (a few hundred distinct ones for thousands of
        codes) are checked once each."""
        by_length: dict[int, list[str]] = {}
        for code in codes:
            by_length.setdefault(len(code), []).append(code)
        wrong: list[str] = []
        for length, group in by_length.items():
            level = self._by_length.get(length)
            if level is None:
                wrong += group
                continue
            match = level.pattern.fullmatch
            wrong += [code for code in group if not match(code)]
            start = level.start
            if start:
                parents = {code[:start] for code in group}
                bad = {p for p in parents if self.problem(p) is not None}
                if bad:
                    wrong += [code for code in group if code[:start] in bad]
            if level.ranges:
                parts = {code[start:] for code in group}
                bad = {p for p in parts if not any(r.holds(p) for r in level.ranges)}
                if bad:
                    wrong += [code for code in group if code[start:] in bad]
        found = {code: self._problem(code) for code in dict.fromkeys(wrong)}
        return {code: why for code, why in found.items() if why is not None}

    def level_of(self, code: str) -> str | None:
        level = self._by_length.get(len(code))
        return level.name if level is not None else None

    def at(self, code: str | None, level: str) -> str | None:
        """The code of the place at ``level`` that contains ``code``; None if it is coarser."""
        if code is None:
            return None
        n = self.length(level)
        return code[:n] if len(code) >= n else None

    def klass(self, code: str) -> str | None:
        """The class of the finest level of ``code`` that declares ranges."""
        found = None
        for lv in self.levels:
            if lv.length > len(code):
                break
            if lv.ranges:
                r = lv.range_of(code)
                found = r.klass if r is not None else None
        return found

    def form_of(self, code: str) -> str:
        """The form of the finest level of ``code`` that declares ranges (the first form if
        none does)."""
        form = self.forms[0]
        for lv in self.levels:
            if lv.length > len(code):
                break
            if lv.ranges:
                r = lv.range_of(code)
                if r is not None:
                    form = r.form
        return form

    def form_index(self, code: str) -> int:
        return self.forms.index(self.form_of(code))
