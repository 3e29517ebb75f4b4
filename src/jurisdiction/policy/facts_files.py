"""Reading a facts file: YAML (with the policy loader's strict YAML 1.2 reading) or, for a
``.json`` file, strict JSON — bounded in size and nesting, every problem a located FactsError."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, overload

from ..core.errors import FactsError, Location, PolicyError
from .files import MAX_FACTS_BYTES, FileRefusedError, read_bytes
from .strict_yaml import MAX_DEPTH, MAX_INT_DIGITS, LocatedDocument, Mark, parse_yaml

__all__ = ["STDIN", "read_facts_bytes", "read_facts_file"]

STDIN = "<stdin>"
"""The name standard input goes by in messages (``jurisdiction decide -``)."""


def read_facts_file(path: Path) -> LocatedDocument:
    """The fact set(s) of a facts file, with the location of every value where known."""
    file = str(path)
    if not path.exists() and not path.is_symlink():
        raise FactsError("no such facts file", source=file)
    try:
        data = read_bytes(path, MAX_FACTS_BYTES)
    except FileRefusedError as exc:
        raise FactsError(exc.message, source=file) from exc
    return read_facts_bytes(data, file, json_only=path.suffix.lower() == ".json")


def read_facts_bytes(data: bytes, file: str = STDIN, *, json_only: bool = False) -> LocatedDocument:
    """The fact set(s) of a document that is not a file (standard input, a request's body):
    strict JSON when ``json_only`` or when it opens with ``{`` or ``[`` and parses as JSON,
    else YAML (a flow mapping such as ``{a: 1}`` is YAML, not JSON)."""
    if len(data) > MAX_FACTS_BYTES:
        raise FactsError(f"more than {MAX_FACTS_BYTES} bytes of facts", source=file)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FactsError(f"not UTF-8 text ({exc.reason})", source=file) from exc
    if json_only:
        return _json(text, file)
    if text.lstrip()[:1] in ("{", "["):
        found = _json(text, file, yaml_next=True)
        if found is not None:
            return found  # else YAML's flow style: the YAML reader says what is wrong, if anything
    try:
        return parse_yaml(text, file)
    except PolicyError as exc:
        raise FactsError(str(exc)) from exc


class _RefusedError(ValueError):
    pass


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _RefusedError(f"duplicate key `{key}`")
        out[key] = value
    return out


def _int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_INT_DIGITS:
        raise _RefusedError(f"an integer of {digits} digits; at most {MAX_INT_DIGITS}")
    return int(text)


def _constant(name: str) -> Any:
    raise _RefusedError(f"`{name}` is not JSON")


def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                return deepest
            stack.extend(
                (v, depth + 1) for v in (item.values() if isinstance(item, dict) else item)
            )
    return deepest


@overload
def _json(text: str, file: str) -> LocatedDocument: ...
@overload
def _json(text: str, file: str, *, yaml_next: bool) -> LocatedDocument | None: ...


def _json(text: str, file: str, *, yaml_next: bool = False) -> LocatedDocument | None:
    """Strict JSON: no NaN or Infinity, no duplicate keys, integers of bounded length; then the
    YAML reader, only for the locations of values (JSON is YAML 1.2), where it can. With
    ``yaml_next``, text that is no JSON at all gives ``None`` (the caller reads it as YAML)."""
    try:
        value = json.loads(text, object_pairs_hook=_pairs, parse_int=_int, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        if yaml_next:
            return None
        raise FactsError(f"{Location(file, exc.lineno, exc.colno)}: not JSON: {exc.msg}") from None
    except _RefusedError as exc:
        raise FactsError(f"{Location(file, 1, 1)}: {exc}") from None
    except RecursionError:
        raise FactsError(f"{Location(file, 1, 1)}: nested too deeply") from None
    if _depth(value) > MAX_DEPTH:
        raise FactsError(f"{Location(file, 1, 1)}: nested more than {MAX_DEPTH} levels deep")
    try:
        marks = parse_yaml(text, file).marks
    except PolicyError:
        marks = {(): Mark(Location(file, 1, 1), None)}
    return LocatedDocument(file, value, marks)
