"""The layout of a batch's CSV input, the same on DuckDB and on Spark: a header line whose names
are the columns (distinct, not empty), comma, double quote doubled to escape; a row with fewer
or more fields than the header is that row's error (``MALFORMED``), in the same words on both."""

from __future__ import annotations

import csv
import glob
from typing import Any

from ..core.errors import FactsError

__all__ = ["MALFORMED", "csv_header", "malformed_message"]

MALFORMED = "#malformed"
"""The column of a CSV read that says why a row is malformed (null when it is not)."""


def more_fields(width: int) -> str:
    """A malformed row's error: more fields than the header's ``width``."""
    return f"a malformed CSV row: more fields than the header has ({width})"


def fewer_fields(given: int, width: int) -> str:
    """A malformed row's error: ``given`` fields where the header has ``width``."""
    return f"a malformed CSV row: {given} fields where the header has {width}"


def malformed_message(raw: str, width: int) -> str:
    """The error of the malformed row whose text is ``raw``, under a header of ``width``."""
    fields = next(csv.reader([raw.rstrip("\r\n")]), [])
    return more_fields(width) if len(fields) > width else fewer_fields(len(fields), width)


def csv_header(con: Any, path: str) -> list[str]:
    """The column names of a CSV file (of the first file a glob matches), from its first line;
    refused unless they are distinct and not empty."""
    if "://" in path:  # a URL: DuckDB reads it (its header, with the same layout)
        found = list(con.read_csv(path, header=True, all_varchar=True, sep=",").columns)
        where = path
    else:
        files = sorted(glob.glob(path)) if any(c in path for c in "*?[") else [path]
        if not files:
            raise FactsError(f"no file matches {path}")
        where = files[0]
        try:
            with open(where, encoding="utf-8", newline="") as f:
                first = next(csv.reader(f), None)
        except UnicodeDecodeError as exc:
            raise FactsError(
                f"{where}: not UTF-8 text ({exc.reason} at byte {exc.start})"
            ) from None
        except csv.Error as exc:
            raise FactsError(f"{where}: the header line is not CSV: {exc}") from None
        except OSError as exc:
            raise FactsError(f"{where}: cannot read: {exc.strerror}") from None
        if first is None:
            raise FactsError(f"{where}: the CSV file is empty: it has no header line")
        found = first
    if any(not n.strip() for n in found):
        raise FactsError(f"{where}: the header line has an empty column name: {found}")
    twice = sorted({n for n in found if found.count(n) > 1})
    if twice:
        raise FactsError(f"{where}: the header line names a column twice: " + ", ".join(twice))
    if any(n.startswith("#") for n in found):
        raise FactsError(f"{where}: a column name may not begin with '#': {found}")
    return found
