"""The names of place codes a policy ships: ``place_names`` (one entry a code) and
``place_name_tables`` (the same in compact form, CSV text), merged into one mapping.

A table is the form for thousands of codes (every place of a large jurisdiction): one YAML
scalar, read by the standard library's ``csv`` reader, loads in a fraction of the time thousands
of YAML entries take. Every code must be one the hierarchy accepts (``place-name``, located at
its row); a table that is not CSV of ``code,name`` or ``code,zh,en``, or that names a code twice,
is ``place-name-table``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ..core.errors import Diagnostic, Location
from ..core.text import Text
from ..language.places import Hierarchy
from .sources import _Merged, _Source

__all__ = ["HEADERS", "build_place_names"]

HEADERS = (("code", "name"), ("code", "zh", "en"))
"""The headers a names table may have: one name for both languages, or one for each."""


@dataclass(frozen=True, slots=True)
class _Origin:
    """A names table: where its rows are written."""

    src: _Source
    path: tuple[str, str]

    def location(self, line: int) -> Location:
        """Where line ``line`` (from 1) of the table stands: in a literal block (``|``), the
        lines of the text are the lines of the file below the first; in any other style the
        scalar is read up to it."""
        mark = self.src.doc.marks.get(self.path)
        if mark is not None and mark.style == "|":
            return self.src.doc.text_location(self.path, 1, 1).shifted(lines=line - 1)
        return self.src.doc.text_location(self.path, line, 1)


def build_place_names(merged: _Merged, h: Hierarchy) -> tuple[dict[str, Text], list[Diagnostic]]:
    """Every named code with its name, or the problems: ``place_names`` entries first, then each
    table's rows in order. Nothing is located unless it is wrong: a large table costs the
    ``csv`` reader and a pass or two over its rows."""
    problems: list[Diagnostic] = []
    names: dict[str, Text] = {
        code: Text(name, name) if isinstance(name, str) else Text(name.zh, name.en)
        for code, (name, _src) in merged.place_names.items()
    }
    for table, (text, src) in merged.place_name_tables.items():
        _table(_Origin(src, ("place_name_tables", table)), text, names, problems)
    refused = h.refused(names)
    where = _where(merged, refused) if refused else {}
    for code, why in refused.items():
        message = f"`{code}` is no place code of this policy: {why}"
        problems.append(Diagnostic("place-name", message, where[code]))
    if problems:
        return {}, problems
    return names, problems


def _table(origin: _Origin, text: str, names: dict[str, Text], problems: list[Diagnostic]) -> None:
    """Add the names of one table to ``names``, or report what is wrong with its rows."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None or tuple(header) not in HEADERS:
        shown = " or ".join(",".join(h) for h in HEADERS)
        got = ",".join(header) if header is not None else "nothing"
        message = f"table `{origin.path[1]}`: the header is {shown}, got {got}"
        problems.append(Diagnostic("place-name-table", message, origin.location(1)))
        return
    width = len(header)
    rows = [row for row in reader if row]
    codes = [row[0] for row in rows]
    if (
        not all(len(row) == width and all(row) for row in rows)
        or len(set(codes)) != len(codes)
        or not names.keys().isdisjoint(codes)
    ):
        problems.extend(_row_problems(origin, text, width, names))
    elif width == 2:
        names.update({row[0]: Text(row[1], row[1]) for row in rows})
    else:
        names.update({row[0]: Text(row[1], row[2]) for row in rows})


def _numbered(text: str) -> Iterator[tuple[int, list[str]]]:
    """The rows of a table after its header, each with its line (from 1; a row written over
    several lines, with the line it ends on)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader, None)
    for row in reader:
        if row:
            yield reader.line_num, row


def _row_problems(
    origin: _Origin, text: str, width: int, names: dict[str, Text]
) -> Iterator[Diagnostic]:
    """Each wrong row of a table, located: a cell too many or too few, an empty one, a code
    named before (in ``place_names``, another table or this one)."""
    table = origin.path[1]
    seen: dict[str, int] = {}
    for line, row in _numbered(text):
        if len(row) != width or not all(row):
            message = (
                f"table `{table}`: a row has {width} non-empty cells (as its header), "
                f"got {','.join(row)!r}"
            )
            yield Diagnostic("place-name-table", message, origin.location(line))
            continue
        code = row[0]
        if code in names or code in seen:
            also = f"line {seen[code]} of the table" if code in seen else "another entry"
            message = f"table `{table}`: `{code}` is named twice (also at {also})"
            yield Diagnostic("place-name-table", message, origin.location(line))
            continue
        seen[code] = line


def _where(merged: _Merged, codes: Iterable[str]) -> dict[str, Location]:
    """Where the names of ``codes`` are written: their ``place_names`` entries or table rows."""
    wanted = set(codes)
    found = {
        code: src.doc.location(("place_names", code))
        for code, (_name, src) in merged.place_names.items()
        if code in wanted
    }
    for table, (text, src) in merged.place_name_tables.items():
        origin = _Origin(src, ("place_name_tables", table))
        for line, row in _numbered(text):
            if row[0] in wanted and row[0] not in found:
                found[row[0]] = origin.location(line)
    return found
