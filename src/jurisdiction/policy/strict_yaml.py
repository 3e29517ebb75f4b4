"""Strict YAML with source marks.

Files are composed with PyYAML's safe loader into nodes, then turned into plain Python values
while every mapping key and value records where it stands. Duplicate keys, anchors and aliases,
non-string keys and oversized files are rejected with a located diagnostic.

Scalars are read with the YAML 1.2 core schema: ``true``/``false`` (not ``yes``/``no``), decimal,
``0o`` and ``0x`` integers, floats and ``null``; a plain scalar that YAML 1.1 reads otherwise
(``yes``, ``off``, ``0100``, ``16:40``, ``1_000``, ``0b1``) is refused as ambiguous, and so is
any tag (``!foo``, ``!!python/name:``). Nesting deeper than :data:`MAX_DEPTH` and integers of more
than :data:`MAX_INT_DIGITS` digits are refused before anything is built.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..core.errors import Diagnostic, Location, PolicyError
from .files import MAX_POLICY_FILE_BYTES, FileRefusedError, read_bytes

MAX_FILE_BYTES = MAX_POLICY_FILE_BYTES
MAX_DEPTH = 64
"""Mappings and lists nested deeper than this are refused (the bundled policy needs 8)."""
MAX_INT_DIGITS = 18
"""An integer written with more digits than this is refused: every int fits in 64 bits."""

Path_ = tuple[str | int, ...]

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"

_CORE: tuple[tuple[str, str, str], ...] = (
    (_BOOL, r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    (_NULL, r"^(?:~|null|Null|NULL|)$", "~nN"),
    (_INT, r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    (
        _FLOAT,
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+0123456789.",
    ),
)
_AMBIGUOUS = re.compile(
    r"^(?:yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|y|Y|n|N"  # YAML 1.1 booleans
    r"|[-+]?0[0-9]+"  # YAML 1.1 octal, 1.2 decimal
    r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?"  # YAML 1.1 base 60
    r"|[-+]?0b[0-1_]+|[-+]?[0-9][0-9_]*_[0-9_]*(?:\.[0-9_]*)?"  # YAML 1.1 binary, 1_000
    r"|[-+]?0x[0-9a-fA-F_]*_[0-9a-fA-F_]*)$"
)


_AMBIGUOUS_FIRST = frozenset("yYnNoO+-0123456789")
"""The characters a text that ``_AMBIGUOUS`` matches can start with."""

_CORE_PATTERNS = tuple(
    (tag, re.compile(pattern), frozenset([*first, ""] if tag == _NULL else first))
    for tag, pattern, first in _CORE
)


def _implicit(text: str) -> str:
    """The core schema's tag of a plain scalar. A pattern is tried only on a text that starts
    with one of its first characters, as the resolver does: most texts are tried on none."""
    first = text[:1]
    for tag, pattern, starts in _CORE_PATTERNS:
        if first in starts and pattern.match(text):
            return tag
    return _STR


def _core(base: type[yaml.SafeLoader]) -> type[yaml.SafeLoader]:
    """``base`` with the YAML 1.2 core schema's implicit resolvers instead of YAML 1.1's."""
    loader: type[yaml.SafeLoader] = type(f"Core{base.__name__}", (base,), {})
    loader.yaml_implicit_resolvers = {}
    for tag, pattern, first in _CORE:
        loader.add_implicit_resolver(
            tag, re.compile(pattern), [*first, ""] if tag == _NULL else list(first)
        )
    return loader


_FAST_LOADER: type[yaml.SafeLoader] = _core(getattr(yaml, "CSafeLoader", yaml.SafeLoader))
"""libyaml's composer where PyYAML has it: several times faster than the pure-Python one."""


@dataclass(frozen=True, slots=True)
class Mark:
    """Where a value starts, and how its text maps onto the file for scalars."""

    location: Location
    style: str | None  # None for plain scalars, '"' or "'" quoted, '|' or '>' block
    source: str = ""  # for scalars: the text as written, from the start mark to the end mark


@dataclass(frozen=True, slots=True)
class ScalarText:
    """A scalar's parsed text and where it is written: maps positions in the text to the file.

    YAML folds plain and ``>`` scalars (line breaks become spaces) and unescapes quoted ones, so a
    (line, column) in the parsed text is not a fixed offset from the scalar's start. Folding and
    unescaping only touch whitespace, backslashes and doubled quotes, so the n-th non-blank
    character of the text is the n-th non-blank character written in the file.
    """

    text: str
    mark: Mark

    def location(self, line: int, column: int) -> Location:
        """The file location of (line, column), both from 1, of the parsed text."""
        lines = self.text.split("\n")
        line = min(max(line, 1), len(lines))
        offset = sum(len(t) + 1 for t in lines[: line - 1]) + max(column, 1) - 1
        wanted = sum(1 for ch in self.text[:offset] if not ch.isspace())
        return self._nth_written(wanted)

    def _nth_written(self, wanted: int) -> Location:
        mark = self.mark
        source, style = mark.source, mark.style
        row, col, i = mark.location.line, mark.location.column, 0
        if style in ("|", ">"):  # the text starts on the line after the indicator
            i = source.find("\n") + 1 if "\n" in source else len(source)
            row, col = row + 1, 1
        elif style in ('"', "'"):
            i, col = 1, col + 1
        seen, last = 0, (row, col)
        while i < len(source):
            ch = source[i]
            if ch == "\n":
                row, col, i = row + 1, 1, i + 1
                continue
            if ch.isspace():
                col, i = col + 1, i + 1
                continue
            if style in ('"', "'") and ch == style and not _escape_pair(style, source, i):
                break  # the closing quote
            if seen == wanted:
                return Location(mark.location.file, row, col, mark.location.context)
            width = 2 if _escape_pair(style, source, i) else 1
            seen += 1
            col, i = col + width, i + width
            last = (row, col)
        return Location(mark.location.file, *last, mark.location.context)


def _escape_pair(style: str | None, source: str, i: int) -> bool:
    """Whether two written characters at ``i`` stand for one parsed character."""
    if style == '"':
        return source[i] == "\\"
    return style == "'" and source[i : i + 2] == "''"


@dataclass(frozen=True, slots=True)
class LocatedDocument:
    """A parsed file: its plain value and the mark of every path inside it."""

    file: str
    value: Any
    marks: Mapping[Path_, Mark]
    keys: Mapping[Path_, Location] = field(default_factory=dict)  # where each mapping key stands
    digest: str = ""  # sha256 (hex) of the bytes parsed, for files read by load_yaml

    def location(self, path: Path_) -> Location:
        """The location of the deepest recorded path that prefixes ``path``."""
        probe = tuple(path)
        while probe:
            mark = self.marks.get(probe)
            if mark is not None:
                return mark.location
            probe = probe[:-1]
        return self.marks[()].location

    def key_location(self, path: Path_) -> Location:
        """Where the key that ends ``path`` is written (for problems about the key itself)."""
        return self.keys.get(tuple(path)) or self.location(path)

    def scalar(self, path: Path_) -> ScalarText | None:
        """The text of the string scalar at ``path`` with its mark, if there is one."""
        mark = self.marks.get(tuple(path))
        value: Any = self.value
        for part in path:
            try:
                value = value[part]
            except (KeyError, IndexError, TypeError):
                return None
        if mark is None or not isinstance(value, str):
            return None
        return ScalarText(value, mark)

    def text_location(self, path: Path_, line: int, column: int) -> Location:
        """The file location of (line, column) inside the scalar at ``path`` (both from 1)."""
        scalar = self.scalar(path)
        if scalar is None:
            return self.location(path)
        return scalar.location(line, column)


def each_document(
    docs: list[LocatedDocument],
    rewrite: Callable[[LocatedDocument, list[Diagnostic]], LocatedDocument],
) -> list[LocatedDocument]:
    """The documents, each rewritten by one pass of the loader (``rewrite`` adds what it finds
    wrong to the list it is given); a ``PolicyError`` of every problem of every document, if any."""
    problems: list[Diagnostic] = []
    out = [rewrite(doc, problems) for doc in docs]
    if problems:
        raise PolicyError(problems)
    return out


def _loc(file: str, node: yaml.Node) -> Location:
    return Location(file, node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    def __init__(self, file: str, text: str) -> None:
        self.file = file
        self.text = text
        self.marks: dict[Path_, Mark] = {}
        self.keys: dict[Path_, Location] = {}

    def fail(self, code: str, message: str, node: yaml.Node) -> PolicyError:
        return PolicyError([Diagnostic(code, message, _loc(self.file, node))])

    def build(self, node: yaml.Node, path: Path_) -> Any:
        if len(path) > MAX_DEPTH:
            raise self.fail("limit", f"nested more than {MAX_DEPTH} levels deep", node)
        style = getattr(node, "style", None) or None  # libyaml says "" for plain
        source = ""
        if isinstance(node, yaml.ScalarNode):  # marks index characters of the text, both loaders
            source = self.text[node.start_mark.index : node.end_mark.index]
        self.marks[path] = Mark(_loc(self.file, node), style, source)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                raise self.fail("yaml-tag", f"tags are not allowed: {node.tag}", node)
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self._scalar(node)

    def _mapping(self, node: yaml.MappingNode, path: Path_) -> dict[str, Any]:
        if node.tag != _MAP:
            raise self.fail("yaml-tag", f"tags are not allowed: {node.tag}", node)
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
            self.keys[(*path, key)] = _loc(self.file, key_node)
            out[key] = self.build(value_node, (*path, key))
            if not isinstance(value_node, yaml.ScalarNode):
                # errors about a whole block point at its key, where the reader looks
                self.marks[(*path, key)] = Mark(_loc(self.file, key_node), None)
        return out

    def _scalar(self, node: yaml.Node) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail("schema", "a mapping key must be a plain name", node)
        text: str = node.value
        tag = node.tag
        plain = not node.style
        if tag != (_implicit(text) if plain else _STR):  # a tag, written explicitly
            raise self.fail(
                "yaml-tag", f"tags are not allowed: {tag} (write the value plainly)", node
            )
        if (
            plain
            and tag in (_STR, _INT)
            and text[:1] in _AMBIGUOUS_FIRST
            and _AMBIGUOUS.match(text)
        ):
            raise self.fail(
                "yaml-scalar",
                f"`{text}` is read differently by YAML 1.1 and 1.2: write true or false, a "
                f'decimal number without leading zeros, or quote it ("{text}")',
                node,
            )
        if tag == _STR:
            return text
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return text.lower() == "true"
        if tag == _INT:
            digits = text.lstrip("+-")
            if len(digits) > MAX_INT_DIGITS:
                raise self.fail(
                    "limit", f"an integer of {len(digits)} digits; at most {MAX_INT_DIGITS}", node
                )
            if digits.startswith(("0o", "0x")):
                return int(digits[2:], 8 if digits[1] == "o" else 16)
            return int(text)
        if len(text) > 64:
            raise self.fail("limit", f"a number written with {len(text)} characters", node)
        if text.lstrip("+-").lower() in (".inf", ".nan"):  # float() reads neither spelling
            raise self.fail(
                "yaml-scalar", f"`{text}` is not a finite number: write a number, or quote it", node
            )
        return float(text)

    def dispose(self) -> None:
        pass


def load_yaml(
    path: Path, display: str | None = None, *, within: Path | None = None
) -> LocatedDocument:
    """Read one YAML file strictly, keeping the location of every value; its ``digest`` is the
    sha256 of the very bytes parsed. ``within``: the directory a symbolic link must stay in."""
    file = display or str(path)
    try:
        data = read_bytes(path, MAX_FILE_BYTES, within=within)
    except FileRefusedError as exc:
        raise PolicyError.single(exc.code, exc.message, Location(file, 1, 1)) from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PolicyError.single(
            "file", f"not UTF-8 text ({exc.reason})", Location(file, 1, 1)
        ) from exc
    doc = parse_yaml(text, file)
    return LocatedDocument(
        doc.file, doc.value, doc.marks, doc.keys, hashlib.sha256(data).hexdigest()
    )


class _AnchorError(yaml.MarkedYAMLError):
    """An anchor or alias, refused before it is composed (so nothing is ever expanded)."""


class _DepthError(yaml.MarkedYAMLError):
    """Nesting deeper than MAX_DEPTH, refused while scanning events (before composing)."""


class _NoAnchorLoader(_core(yaml.SafeLoader)):  # type: ignore[misc]
    """PyYAML's safe loader, refusing anchors and aliases as the composer meets them."""

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _AnchorError(problem="anchor or alias", problem_mark=event.start_mark)
        node: yaml.Node | None = super().compose_node(parent, index)
        return node


def _refuse_anchors(text: str) -> None:
    """Raise on any anchor or alias, reading events only (libyaml where available); the
    pure-Python loader then says where."""
    depth = 0
    for event in yaml.parse(text, Loader=_FAST_LOADER):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _AnchorError(problem="anchor or alias")
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise _DepthError(problem="too deep", problem_mark=event.start_mark)  # type: ignore[arg-type]
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def parse_yaml(text: str, file: str) -> LocatedDocument:
    """Parse YAML text strictly; ``file`` is the name used in locations.

    The events are scanned for anchors and aliases first (nothing is composed, so nothing is
    expanded); a text with one, or one libyaml refuses, is composed again by the pure-Python
    loader, which describes the problem at its place in its own words.
    """
    try:
        try:
            _refuse_anchors(text)
            node = yaml.compose(text, Loader=_FAST_LOADER)
        except (_DepthError, RecursionError):
            raise
        except yaml.YAMLError:
            node = yaml.compose(text, Loader=_NoAnchorLoader)
    except _DepthError as exc:
        mark = exc.problem_mark
        raise PolicyError.single(
            "limit",
            f"nested more than {MAX_DEPTH} levels deep",
            Location(file, mark.line + 1, mark.column + 1) if mark else Location(file, 1, 1),
        ) from None
    except RecursionError:
        raise PolicyError.single(
            "limit", f"nested more than {MAX_DEPTH} levels deep", Location(file, 1, 1)
        ) from None
    except _AnchorError as exc:
        mark = exc.problem_mark
        raise PolicyError.single(
            "yaml-alias",
            "anchors (&name) and aliases (*name) are not allowed in a policy: write the value out",
            Location(file, mark.line + 1, mark.column + 1) if mark else Location(file, 1, 1),
        ) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = Location(file, mark.line + 1, mark.column + 1) if mark else Location(file, 1, 1)
        raise PolicyError.single("yaml-syntax", str(exc.problem or exc), where) from exc
    except yaml.YAMLError as exc:
        raise PolicyError.single("yaml-syntax", str(exc), Location(file, 1, 1)) from exc
    builder = _Builder(file, text)
    try:
        if node is None:
            builder.marks[()] = Mark(Location(file, 1, 1), None)
            return LocatedDocument(file, {}, builder.marks)
        value = builder.build(node, ())
    finally:
        builder.dispose()
    return LocatedDocument(file, value, builder.marks, builder.keys)
