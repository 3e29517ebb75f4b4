"""Strict YAML with source marks.

Files are composed with PyYAML's safe loader into nodes (libyaml's, where PyYAML has it: the
pure-Python one is fifteen times slower; a file libyaml refuses is composed again by the
pure-Python loader, so errors read the same either way), then turned into plain Python values
while every mapping key and value records where it stands. Duplicate keys, anchors and aliases,
non-string keys and oversized files are rejected with a located diagnostic.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ._errors import Diagnostic, Location, PolicyError

MAX_FILE_BYTES = 1 << 20

_FAST_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Path_ = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Segment:
    """One source line of a scalar that spans several: where its text starts, and the text."""

    line: int
    column: int
    text: str


@dataclass(frozen=True, slots=True)
class Mark:
    """Where a value starts, and how its text maps onto the file for scalars."""

    location: Location
    style: str | None  # None for plain scalars, '"' or "'" quoted, '|' or '>' block
    segments: tuple[Segment, ...] = ()  # for scalars spanning several lines


@dataclass(frozen=True, slots=True)
class LocatedDocument:
    """A parsed file: its plain value and the mark of every path inside it."""

    file: str
    value: Any
    marks: dict[Path_, Mark]

    def location(self, path: Path_) -> Location:
        """The location of the deepest recorded path that prefixes ``path``."""
        probe = tuple(path)
        while probe:
            mark = self.marks.get(probe)
            if mark is not None:
                return mark.location
            probe = probe[:-1]
        return self.marks[()].location

    def text_location(self, path: Path_, line: int, column: int) -> Location:
        """The file location of (line, column) inside the scalar at ``path`` (both from 1)."""
        mark = self.marks.get(tuple(path))
        if mark is None:
            return self.location(path)
        if not mark.segments:
            quote = 1 if mark.style in ('"', "'") else 0
            return mark.location.shifted(lines=line - 1, columns=column - 1 + quote)
        if mark.style == "|":  # literal: value lines are source lines
            seg = mark.segments[min(line, len(mark.segments)) - 1]
            return Location(self.file, seg.line, seg.column + column - 1)
        # folded, plain or quoted over several lines: source lines are joined by one space
        offset = column - 1
        for seg in mark.segments:
            if offset <= len(seg.text):
                return Location(self.file, seg.line, seg.column + offset)
            offset -= len(seg.text) + 1
        last = mark.segments[-1]
        return Location(self.file, last.line, last.column + len(last.text))


def _loc(file: str, node: yaml.Node) -> Location:
    return Location(file, node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    def __init__(self, file: str, text: str) -> None:
        self.file = file
        self.text = text
        self.marks: dict[Path_, Mark] = {}
        self._lines: list[str] | None = None
        self._constructor = yaml.SafeLoader("")

    def fail(self, code: str, message: str, node: yaml.Node) -> PolicyError:
        return PolicyError([Diagnostic(code, message, _loc(self.file, node))])

    def build(self, node: yaml.Node, path: Path_) -> Any:
        if getattr(node, "anchor", None):
            raise self.fail("yaml-alias", "anchors and aliases are not allowed in a policy", node)
        style = getattr(node, "style", None) or None  # libyaml says "" for plain
        segments = self._segments(node) if isinstance(node, yaml.ScalarNode) else ()
        self.marks[path] = Mark(_loc(self.file, node), style, segments)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self._scalar(node)

    def _segments(self, node: yaml.ScalarNode) -> tuple[Segment, ...]:
        start, end = node.start_mark, node.end_mark
        block = node.style in ("|", ">")
        if start.line == end.line and not block:
            return ()
        if self._lines is None:  # the marks of libyaml's nodes carry no buffer
            self._lines = (self.text + "\0").splitlines()
        lines = self._lines
        out: list[Segment] = []
        first = start.line + 1 if block else start.line
        for number in range(first, min(end.line, len(lines) - 1) + 1):
            raw = lines[number]
            if number == start.line:
                col = start.column + (1 if node.style in ('"', "'") else 0)
            else:
                col = len(raw) - len(raw.lstrip(" "))
            text = raw[col:].rstrip()
            if number == end.line and node.style in ('"', "'"):
                text = text[: end.column - col - 1] if end.column - col - 1 >= 0 else text
            if text or not block:
                out.append(Segment(number + 1, col + 1, text))
        return tuple(out)

    def _mapping(self, node: yaml.MappingNode, path: Path_) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise self.fail("yaml-alias", "merge keys (<<) are not allowed", key_node)
            key = self._scalar(key_node)
            if isinstance(key, bool | float) or key is None:
                raise self.fail("schema", f"a mapping key must be a name, got {key!r}", key_node)
            key = str(key)
            if key in out:
                first = self.marks[(*path, key)].location
                raise self.fail(
                    "duplicate-key",
                    f"duplicate key `{key}` (first defined at line {first.line})",
                    key_node,
                )
            out[key] = self.build(value_node, (*path, key))
            if not isinstance(value_node, yaml.ScalarNode):
                # errors about a whole block point at its key, where the reader looks
                key_mark = Mark(_loc(self.file, key_node), None)
                self.marks[(*path, key)] = key_mark
        return out

    def _scalar(self, node: yaml.Node) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail("schema", "a mapping key must be a plain name", node)
        return self._constructor.construct_object(node, deep=True)

    def dispose(self) -> None:
        self._constructor.dispose()


def load_yaml(path: Path, display: str | None = None) -> LocatedDocument:
    """Read one YAML file strictly, keeping the location of every value."""
    file = display or str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise PolicyError.single(
            "file", f"cannot read: {exc.strerror}", Location(file, 1, 1)
        ) from exc
    if size > MAX_FILE_BYTES:
        raise PolicyError.single(
            "file-too-large",
            f"{size} bytes; a policy file may have at most {MAX_FILE_BYTES}",
            Location(file, 1, 1),
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise PolicyError.single(
            "file", f"not UTF-8 text ({exc.reason})", Location(file, 1, 1)
        ) from exc
    return parse_yaml(text, file)


def parse_yaml(text: str, file: str) -> LocatedDocument:
    """Parse YAML text strictly; ``file`` is the name used in locations."""
    try:
        try:
            node = yaml.compose(text, Loader=_FAST_LOADER)
        except yaml.YAMLError:
            node = yaml.compose(text, Loader=yaml.SafeLoader)  # its errors are the ones we report
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = Location(file, mark.line + 1, mark.column + 1) if mark else Location(file, 1, 1)
        raise PolicyError.single("yaml-syntax", str(exc.problem or exc), where) from exc
    except yaml.YAMLError as exc:
        raise PolicyError.single("yaml-syntax", str(exc), Location(file, 1, 1)) from exc
    builder = _Builder(file, text)
    if node is None:
        builder.marks[()] = Mark(Location(file, 1, 1), None)
        return LocatedDocument(file, {}, builder.marks)
    try:
        value = builder.build(node, ())
    finally:
        builder.dispose()
    return LocatedDocument(file, value, builder.marks)
