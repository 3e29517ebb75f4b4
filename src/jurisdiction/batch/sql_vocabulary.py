"""A policy's vocabulary compiled to SQL column expressions (one sqlglot syntax tree, rendered to
any dialect sqlglot speaks: DuckDB and Spark SQL are the two the batch evaluator runs on).

What ``language.expressions`` turns into Python closures, this module turns into SQL over the
columns of a table whose columns are a subject's fields (a nested subject is a struct column). The
same declarations are read — each feature's, place's, default's and constraint's expression, parsed
again from its text — and the null semantics are the closures' own:

* a field that is absent (null) takes its declared default, then its computed default;
* ``==``/``!=`` are null-safe (``null == null`` holds); an ordering with null does not hold;
* ``not``, ``and``, ``or`` and a condition of ``if`` read null as false;
* a function of null is null (``count`` of it is 0, ``within`` false).

It also compiles a *sound* validity test: a row it passes is one the subject's pydantic model
accepts as it is (required fields present, ranges, enum values, place codes with their patterns
and ranges, nested fact sets, constraints). A row it fails is handed to the Python validator for
the message, which may still accept it (the test is allowed to be stricter, never looser).
Nothing here names any policy's subjects, fields or codes: they are read from the declaration.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache, reduce
from typing import Any

from sqlglot import exp

from ..language.aggregates import AGGREGATES
from ..language.conditions import (
    And,
    Arith,
    AsOf,
    BoolConst,
    Call,
    Compare,
    FactRef,
    If,
    InSet,
    IntConst,
    Lambda,
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
    TableRef,
)
from ..language.parse import parse_condition, parse_expression
from ..language.periods import MAX_DAYS, MAX_MONTHS
from ..language.places import Hierarchy, Level
from ..language.subjects import FieldInfo, Subject
from ..policy.body_levels import SUBJECT as BODY
from ..policy.body_levels import BodyLevel
from ..policy.model import Policy
from .sql_records import aggregate_sql, lookup_sql, records_ok

_re_parser: Any = importlib.import_module("re._parser")  # the stdlib's (sre_parse is deprecated)

__all__ = [
    "ColumnKinds",
    "Given",
    "SqlUnsupportedError",
    "SqlVocabulary",
    "cast",
    "lit",
    "true_or_false",
]

ColumnKinds = Mapping[str, str]
"""For each top-level input column, what it holds, as the batch runner found it: ``ok`` (the
declared type), ``text`` (text to be cast to the declared type, a CSV's), ``wrong`` (another
type: every non-null value is refused) or ``missing`` (no such column: every value is null)."""


class SqlUnsupportedError(ValueError):
    """An expression this compiler cannot express in SQL (the batch evaluator refuses the
    question with this message rather than answer it differently from ``decide``)."""


@cache
def _data_type(text: str) -> exp.DataType:
    return exp.DataType.build(text, dialect="duckdb")


def cast(value: exp.Expr, to: str) -> exp.Expr:
    """``CAST(value AS to)``, ``to`` in DuckDB's words (each type parsed once: a plan casts
    hundreds of times)."""
    return exp.Cast(this=value, to=_data_type(to).copy())


def lit(value: Any) -> exp.Expr:
    """A SQL literal of a Python value (text, whole number, boolean, None)."""
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int):
        return exp.Literal.number(value)
    if isinstance(value, str):
        return exp.Literal.string(value)
    raise SqlUnsupportedError(f"no SQL literal for {value!r}")


def true_or_false(cond: exp.Expr) -> exp.Expr:
    """``cond``, with null read as false (as it is where it is never null: a COALESCE costs a
    pass over the rows, and the tests nest many)."""
    if never_null(cond):
        # in parentheses where it is AND or OR: a NOT around it must take it whole
        return exp.Paren(this=cond) if isinstance(cond, exp.And | exp.Or) else cond
    return exp.func("COALESCE", cond, exp.false())


def tested(cond: exp.Expr) -> exp.Expr:
    """``cond`` read as a filter reads it, true or false (null false): ``CASE WHEN cond THEN
    TRUE ELSE FALSE END``. A ``WHEN`` is evaluated as a filter, where DuckDB tests each part of
    an AND or OR only on the rows the parts before it left undecided (an expression elsewhere
    computes every part on every row), so a long validity test of optional fields costs little
    where they are absent. A ``COALESCE(x, FALSE)`` reached from the ``WHEN`` through AND and
    OR alone is dropped: there a null reads as false already (Kleene's AND and OR are monotone,
    so what was true stays true and nothing else becomes true)."""
    return _case([(_as_condition(cond), exp.true())], exp.false())


def _as_condition(e: exp.Expr) -> exp.Expr:
    """``e`` without the ``COALESCE(…, FALSE)`` that a condition does not need (see ``tested``)."""
    if isinstance(e, exp.Paren):
        return exp.Paren(this=_as_condition(e.this))
    if isinstance(e, exp.And | exp.Or):
        return type(e)(this=_as_condition(e.this), expression=_as_condition(e.expression))
    if (
        isinstance(e, exp.Coalesce)
        and len(e.expressions) == 1
        and isinstance(e.expressions[0], exp.Boolean)
        and not e.expressions[0].this
    ):
        return _as_condition(e.this)
    return e


def never_null(e: exp.Expr) -> bool:
    """``e`` is never null, whatever the row: a constant, a null test, a null-safe comparison,
    a COALESCE ending in a constant, or NOT, AND, OR, CASE of such."""
    if isinstance(e, exp.Paren):
        return never_null(e.this)
    if isinstance(e, exp.Boolean | exp.Literal | exp.Is | exp.NullSafeEQ):
        return True
    if isinstance(e, exp.Not):
        return never_null(e.this)
    if isinstance(e, exp.And | exp.Or):
        return never_null(e.this) and never_null(e.expression)
    if isinstance(e, exp.Coalesce):
        items = [e.this, *e.expressions]
        return any(never_null(i) for i in items)
    if isinstance(e, exp.Case):
        default = e.args.get("default")
        return (
            default is not None
            and never_null(default)
            and all(never_null(w.args["true"]) for w in e.args.get("ifs") or [])
        )
    return False


def _case(branches: list[tuple[exp.Expr, exp.Expr]], default: exp.Expr | None) -> exp.Expr:
    case = exp.Case()
    for cond, value in branches:
        case = case.when(cond, value, copy=False)
    if default is not None:
        case = case.else_(default, copy=False)
    return case


def _substr(x: exp.Expr, start: int, length: int) -> exp.Expr:
    """``length`` characters of ``x`` from ``start`` (0-based); of a prefix of a code that holds
    them all, read from the code itself (one SUBSTRING, not two: a place test runs on every
    row)."""
    if isinstance(x, exp.Substring):
        first, size = _whole(x.args.get("start")), _whole(x.args.get("length"))
        if first == 1 and size is not None and start + length <= size:
            return exp.Substring(this=x.this, start=lit(start + 1), length=lit(length))
    return exp.Substring(this=x, start=lit(start + 1), length=lit(length))


def _whole(e: exp.Expr | None) -> int | None:
    """The value of a whole-number literal (None for anything else)."""
    if isinstance(e, exp.Literal) and not e.is_string and e.this.isdigit():
        return int(e.this)
    return None


def _length(x: exp.Expr) -> exp.Expr:
    return exp.Length(this=x)


def _null_safe_eq(a: exp.Expr, b: exp.Expr) -> exp.Expr:
    if isinstance(a, exp.Null) and isinstance(b, exp.Null):
        return exp.true()
    if isinstance(b, exp.Null):
        return exp.Is(this=a, expression=exp.Null())
    if isinstance(a, exp.Null):
        return exp.Is(this=b, expression=exp.Null())
    return exp.NullSafeEQ(this=a, expression=b)


_SQL_TYPES = {"bool": "BOOLEAN", "int": "BIGINT", "date": "DATE", "text": "VARCHAR"}


def sql_type(info: FieldInfo) -> str | None:
    """The SQL type of a primitive field (None for a nested subject, whose struct is as given)."""
    if info.kind in ("enum", "place", "text"):
        return "VARCHAR"
    if info.kind == "places":
        return "VARCHAR[]"
    return _SQL_TYPES.get(info.kind)


# --- place codes ---------------------------------------------------------------------------------


def _fixed_width(pattern: str) -> int | None:
    lo, hi = _re_parser.parse(pattern).getwidth()
    return lo if lo == hi else None


def _regex_test(x: exp.Expr, pattern: str) -> exp.Expr:
    """``pattern`` matches the whole of ``x``, in a regular expression dialect shared by RE2
    (DuckDB) and java.util.regex (Spark). A lookahead the first lacks, ``(?!...)`` or ``(?=...)``
    at the top level after a fixed-width prefix, is tested on its own, anchored where it stands;
    anything else RE2 cannot read raises SqlUnsupportedError."""
    plain, parts = _pattern_parts(x, pattern)
    whole = _full_match(x, plain)
    return exp.and_(whole, *parts, copy=False) if parts else whole


def _full_match(x: exp.Expr, plain: str) -> exp.Expr:
    return exp.RegexpLike(this=x, expression=lit(f"^(?:{plain})\\z"))


def _pattern_parts(  # noqa: PLR0912 - a scanner
    x: exp.Expr, pattern: str, literals: list[tuple[int, str, exp.Expr]] | None = None
) -> tuple[str, list[exp.Expr]]:
    """``pattern`` without its top-level lookaheads, and the lookaheads as tests of ``x``;
    a negative lookahead of a literal is also put in ``literals``, if given, as its offset, its
    text and its test (which stays in the tests: the caller takes it out if it folds it)."""
    parts: list[exp.Expr] = []
    plain = ""
    i, depth = 0, 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            plain += pattern[i : i + 2]
            i += 2
            continue
        if ch == "[":  # a character class: copied as it is
            j = i + 1
            if j < len(pattern) and pattern[j] == "^":
                j += 1
            if j < len(pattern) and pattern[j] == "]":
                j += 1
            while j < len(pattern) and pattern[j] != "]":
                j += 2 if pattern[j] == "\\" else 1
            plain += pattern[i : j + 1]
            i = j + 1
            continue
        if depth == 0 and pattern.startswith(("(?!", "(?="), i):
            end, level = i + 3, 1
            while end < len(pattern) and level:
                level += {"(": 1, ")": -1}.get(pattern[end], 0)
                end += 1
            inner = pattern[i + 3 : end - 1]
            offset = _fixed_width(plain) if plain else 0
            if offset is None or "(?" in inner:
                raise SqlUnsupportedError(
                    f"place pattern {pattern!r}: a lookahead after a prefix of "
                    "varying width has no SQL form here"
                )
            test: exp.Expr
            literal = re.fullmatch(r"[A-Za-z0-9 _-]*", inner) is not None
            if literal:  # a literal: compared, not matched
                test = exp.EQ(this=_substr(x.copy(), offset, len(inner)), expression=lit(inner))
            else:
                test = exp.RegexpLike(
                    this=exp.Substring(this=x.copy(), start=lit(offset + 1)),
                    expression=lit(f"^(?:{inner})"),
                )
            negative = pattern[i + 2] == "!"
            parts.append(exp.Not(this=test) if negative else test)
            if literals is not None and literal and negative:
                literals.append((offset, inner, parts[-1]))
            i = end
            continue
        if pattern.startswith(("(?<", "(?P=", "(?#"), i) or (
            ch == "(" and "\\" in pattern[i : i + 2]
        ):
            raise SqlUnsupportedError(f"place pattern {pattern!r} has no SQL form here")
        depth += {"(": 1, ")": -1}.get(ch, 0)
        plain += ch
        i += 1
    if re.search(r"\\[1-9]", plain):
        raise SqlUnsupportedError(f"place pattern {pattern!r}: back references have no SQL form")
    return plain, parts


_CATEGORIES = {
    "CATEGORY_DIGIT": r"\d",
    "CATEGORY_NOT_DIGIT": r"\D",
    "CATEGORY_SPACE": r"\s",
    "CATEGORY_NOT_SPACE": r"\S",
    "CATEGORY_WORD": r"\w",
    "CATEGORY_NOT_WORD": r"\W",
}


def _char(c: int) -> str:
    ch = chr(c)
    return ch if ch.isalnum() else "\\" + ch if ch.isascii() and ch.isprintable() else ch


def _one_char(op: str, av: Any) -> str | None:
    """A parsed item that matches exactly one character, as regular expression text."""
    if op == "LITERAL":
        return _char(av)
    if op != "IN":
        return None
    body = ""
    for item_op, item in av:
        name = str(item_op)
        if name == "NEGATE":
            body = "^" + body
        elif name == "LITERAL":
            body += _char(item)
        elif name == "RANGE":
            body += f"{_char(item[0])}-{_char(item[1])}"
        elif name == "CATEGORY" and str(item) in _CATEGORIES:
            body += _CATEGORIES[str(item)]
        else:
            return None
    return f"[{body}]"


def _positions(plain: str) -> list[str] | None:
    """What each character of a match of ``plain`` must be (one character class each), if
    ``plain`` is a fixed sequence of single characters; else None."""
    try:
        parsed = _re_parser.parse(plain)
    except re.error:
        return None
    out: list[str] = []
    for op, av in parsed:
        name = str(op)
        if name in ("MAX_REPEAT", "MIN_REPEAT"):
            low, high, sub = av
            if low != high or len(sub) != 1:
                return None
            one = _one_char(str(sub[0][0]), sub[0][1])
            if one is None:
                return None
            out += [one] * low
        else:
            one = _one_char(name, av)
            if one is None:
                return None
            out.append(one)
    return out


def _compact(positions: list[str]) -> str:
    """Per-position classes as one pattern, runs of one class as a repeat."""
    out, i = "", 0
    while i < len(positions):
        j = i
        while j < len(positions) and positions[j] == positions[i]:
            j += 1
        out += positions[i] + (f"{{{j - i}}}" if j - i > 1 else "")
        i = j
    return out


def _in_ranges(part: exp.Expr, level: Level) -> exp.Expr:
    return exp.or_(
        *(exp.Between(this=part, low=lit(r.first), high=lit(r.last)) for r in level.ranges),
        copy=False,
    )


def _one_pass(h: Hierarchy, x: exp.Expr, target: Level) -> exp.Expr | None:
    """``place_ok`` for one level with one regular expression over the whole code, where the
    patterns of the levels down to ``target`` agree character by character (each a fixed
    sequence of character classes, one level's a prefix of the next): a code matching the
    target's matches every coarser level's at its prefix, and the match fixes the length."""
    tests: list[exp.Expr] = []
    target_positions: list[str] | None = None
    for lv in h.levels:
        prefix = _substr(x, 0, lv.length)
        plain, parts = _pattern_parts(prefix, lv.pattern.pattern)
        positions = _positions(plain)
        if positions is None or len(positions) != lv.length:
            return None
        if target_positions is not None and positions[: len(target_positions)] != (
            target_positions
        ):
            return None
        target_positions = positions
        tests += parts
        if lv.ranges:
            part = _substr(x, lv.start, lv.length - lv.start)
            digits = all(p in ("[0-9]", r"\d") for p in positions[lv.start : lv.length])
            spans = _merged(lv) if digits else [(r.first, r.last) for r in lv.ranges]
            tests.append(
                exp.or_(
                    *(exp.Between(this=part.copy(), low=lit(a), high=lit(b)) for a, b in spans),
                    copy=False,
                )
            )
        if lv is target:
            break
    assert target_positions is not None
    return exp.and_(_full_match(x, _compact(target_positions)), *tests, copy=False)


def _merged(lv: Level) -> list[tuple[str, str]]:
    """A level's ranges with the adjacent ones joined ("000"-"099" and "100"-"199" are
    "000"-"199"), for a part that is all digits: between two adjacent ranges there is no other
    string of digits of that width."""
    spans: list[tuple[str, str]] = []
    for r in sorted(lv.ranges, key=lambda r: r.first):
        width = len(r.first)
        same = len(r.last) == width and r.first.isdigit() and r.last.isdigit()
        if (
            spans
            and same
            and len(spans[-1][1]) == width
            and spans[-1][1].isdigit()
            and int(spans[-1][1]) + 1 == int(r.first)
        ):
            spans[-1] = (spans[-1][0], r.last)
        else:
            spans.append((r.first, r.last))
    return spans


def _digit_range(lo: str, hi: str) -> str:
    """A regular expression matching the strings of digits of ``lo``'s width from ``lo`` to
    ``hi`` (``lo <= hi``, both of digits, of one width)."""
    if lo == hi:
        return lo
    if lo[0] == hi[0]:
        return lo[0] + _digit_range(lo[1:], hi[1:])
    rest = len(lo) - 1
    tail = "" if rest == 0 else "[0-9]" if rest == 1 else f"[0-9]{{{rest}}}"
    parts: list[str] = []
    first, last = int(lo[0]), int(hi[0])
    if lo[1:] != "0" * rest:  # from lo to the end of its first digit's run
        parts.append(lo[0] + _digit_range(lo[1:], "9" * rest))
        first += 1
    upper = hi[1:] != "9" * rest
    if upper:
        last -= 1
    if first <= last:
        parts.append((f"[{first}-{last}]" if first < last else str(first)) + tail)
    if upper:  # from the start of hi's first digit's run to hi
        parts.append(hi[0] + _digit_range("0" * rest, hi[1:]))
    return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"


_DIGIT_CLASSES = ("[0-9]", r"\d")  # in RE2, as in the one regular expression, ASCII digits


def _not_literal(positions: list[str], text: str) -> str | None:
    """A regular expression matching what ``positions`` (one class each, ``text``'s length)
    match except ``text`` itself: by the first position that differs from it, each of the
    others as its class or as ``text``'s character. Only for classes of digits and a ``text``
    of ASCII digits (a class less one digit is written as the digits left); else None."""
    if not all(p in _DIGIT_CLASSES for p in positions) or not re.fullmatch(r"[0-9]+", text):
        return None
    alternatives = []
    for i, ch in enumerate(text):
        others = "".join(d for d in "0123456789" if d != ch)
        alternatives.append(text[:i] + f"[{others}]" + _compact(positions[i + 1 :]))
    return "(?:" + "|".join(alternatives) + ")"


def _own_text(positions: list[str], folds: dict[int, tuple[str, str]]) -> str:
    """``positions`` as one pattern, each fold (at its offset into them) taking the place of
    as many positions as its literal is long."""
    out, i = "", 0
    for at in sorted(folds):
        out += _compact(positions[i:at]) + folds[at][1]
        i = at + len(folds[at][0])
    return out + _compact(positions[i:])


def _folded(
    lv: Level, positions: list[str], known: int, literals: list[tuple[int, str, exp.Expr]]
) -> tuple[dict[int, tuple[str, str]], list[exp.Expr]]:
    """The negative lookaheads of literals that can be written into the level's own part of
    the expression (within it, before its ranged part, over classes of digits, not
    overlapping): offset into the own part, to the literal and its expression; and the tests
    so written, to be left out."""
    end = lv.start if lv.ranges else lv.length
    folds: dict[int, tuple[str, str]] = {}
    done: list[exp.Expr] = []
    taken: set[int] = set()
    for offset, text, test in literals:
        span = set(range(offset, offset + len(text)))
        if offset < known or offset + len(text) > end or span & taken:
            continue
        regex = _not_literal(positions[offset : offset + len(text)], text)
        if regex is None:
            continue
        folds[offset - known] = (text, regex)
        taken |= span
        done.append(test)
    return folds, done


def _one_regex(h: Hierarchy, x: exp.Expr, wanted: list[Level]) -> exp.Expr | None:
    """``place_ok`` for all of ``wanted`` with one regular expression: each level's part of
    the code is its pattern's characters, its ranges of digits written into the expression,
    the finer levels' parts optional where a coarser level is wanted, so that a code is matched
    once whatever its level; a negative lookahead of a literal of digits is written into it
    (``_folded``), any other lookahead of a level's pattern tested apart, on the codes long
    enough to reach it. None where the patterns are not fixed sequences of characters
    one level's a prefix of the next's, or a range is not of digits within the level's part."""
    deepest = wanted[-1]
    segments: list[tuple[Level, str]] = []
    tests: list[exp.Expr] = []
    known: list[str] = []
    for lv in h.levels:
        literals: list[tuple[int, str, exp.Expr]] = []
        plain, parts = _pattern_parts(_substr(x, 0, lv.length), lv.pattern.pattern, literals)
        positions = _positions(plain)
        if positions is None or len(positions) != lv.length or positions[: len(known)] != known:
            return None
        own = positions[len(known) :]
        folds, done = _folded(lv, positions, len(known), literals)
        parts = [t for t in parts if not any(t is d for d in done)]
        if lv.ranges:
            spans = _merged(lv)
            width = lv.length - lv.start
            if lv.start < len(known) or not all(
                len(a) == len(b) == width and a.isdigit() and b.isdigit() and a <= b
                for a, b in spans
            ):
                return None
            if not all(p in ("[0-9]", r"\d") for p in positions[lv.start : lv.length]):
                return None
            ranged = [_digit_range(a, b) for a, b in spans]
            own_text = _own_text(positions[len(known) : lv.start], folds) + (
                ranged[0] if len(ranged) == 1 else "(?:" + "|".join(ranged) + ")"
            )
        else:
            own_text = _own_text(own, folds)
        segments.append((lv, own_text))
        if parts:  # a code of a wanted level shorter than this one does not reach them
            reached = exp.GTE(this=_length(x.copy()), expression=lit(lv.length))
            shorter = any(w.length < lv.length for w in wanted)
            tests += [
                exp.or_(exp.Not(this=reached), t, copy=False) if shorter else t for t in parts
            ]
        known = positions
        if lv is deepest:
            break
    regex = ""
    for lv, own_text in reversed(segments):
        if lv is deepest:
            regex = own_text
        elif lv in wanted:
            regex = f"{own_text}(?:{regex})?"
        else:
            regex = own_text + regex
    return exp.and_(_full_match(x, regex), *tests, copy=False)


def place_ok(h: Hierarchy, x: exp.Expr, levels: tuple[str, ...]) -> exp.Expr:
    """``x`` (not null) is a code of one of ``levels``, valid at every level down to its own
    (what ``Hierarchy.problem`` and the level check of a place field accept)."""
    wanted = [lv for lv in h.levels if not levels or lv.name in levels]
    if wanted:
        whole = _one_regex(h, x, wanted)
        if whole is not None:
            return whole
    alternatives: list[exp.Expr] = []
    for target in wanted:
        fast = _one_pass(h, x, target)
        if fast is not None:
            alternatives.append(fast)
            continue
        tests: list[exp.Expr] = [exp.EQ(this=_length(x), expression=lit(target.length))]
        for lv in h.levels:
            prefix = _substr(x, 0, lv.length)
            tests.append(_regex_test(prefix, lv.pattern.pattern))
            if lv.ranges:
                tests.append(_in_ranges(_substr(x, lv.start, lv.length - lv.start), lv))
            if lv is target:
                break
        alternatives.append(exp.and_(*tests, copy=False))
    return exp.or_(*alternatives, copy=False) if alternatives else exp.false()


def _level_of(h: Hierarchy, x: exp.Expr) -> exp.Expr:
    return _case(
        [(exp.EQ(this=_length(x), expression=lit(lv.length)), lit(lv.name)) for lv in h.levels],
        None,
    )


def _range_value(
    x: exp.Expr, lv: Level, pick: Callable[[Any], str]
) -> list[tuple[exp.Expr, exp.Expr]]:
    part = _substr(x, lv.start, lv.length - lv.start)
    return [
        (exp.Between(this=part, low=lit(r.first), high=lit(r.last)), lit(pick(r)))
        for r in lv.ranges
    ]


def _form_of(h: Hierarchy, x: exp.Expr) -> exp.Expr:
    """``Hierarchy.form_of``: the form of the finest level with ranges that one of its ranges
    holds; the first form if none does."""
    branches: list[tuple[exp.Expr, exp.Expr]] = []
    for lv in reversed(h.levels):
        if not lv.ranges:
            continue
        long_enough = exp.GTE(this=_length(x), expression=lit(lv.length))
        for cond, value in _range_value(x, lv, lambda r: r.form):
            branches.append((exp.and_(long_enough, cond, copy=False), value))
    return _case(branches, lit(h.forms[0])) if branches else lit(h.forms[0])


def _klass(h: Hierarchy, x: exp.Expr) -> exp.Expr:
    """``Hierarchy.klass``: the class of the finest level with ranges the code reaches (null if
    none of that level's ranges holds)."""
    branches: list[tuple[exp.Expr, exp.Expr]] = []
    for lv in reversed(h.levels):
        if not lv.ranges:
            continue
        long_enough = exp.GTE(this=_length(x), expression=lit(lv.length))
        branches.append((long_enough, _case(_range_value(x, lv, lambda r: r.klass), None)))
    return _case(branches, None) if branches else exp.Null()


def at_level(x: exp.Expr, n: int) -> exp.Expr:
    """The code's first ``n`` characters; null if it is shorter (``Hierarchy.at``)."""
    return _case([(exp.GTE(this=_length(x), expression=lit(n)), _substr(x, 0, n))], None)


# --- expressions ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Value:
    sql: exp.Expr
    kind: str  # bool, int, enum, text, place, places, date, subject, null, prefix, list
    subject: str | None = None  # kind subject: which
    const: tuple[Any] | None = None


class Given:
    """The field values a plan reads, each computed once per row: a projection under the one
    that computes the features, places and validity test, which read these columns instead of
    repeating the expressions (a field's default, a nested fact set's field, a text cell cast to
    its type). Shared by every vocabulary of one query; named ``_v0``, ``_v1``, ..."""

    def __init__(self) -> None:
        self.columns: dict[str, tuple[str, exp.Expr]] = {}  # by the SQL: (name, expression)
        self._by_name: dict[str, exp.Expr] = {}

    def column(self, sql: exp.Expr) -> exp.Expr:
        """A column holding ``sql``'s value (a constant stays a constant)."""
        if isinstance(sql, exp.Literal | exp.Null | exp.Boolean) or (
            isinstance(sql, exp.Cast) and isinstance(sql.this, exp.Null)
        ):
            return sql
        key = sql.sql()
        if key not in self.columns:
            name = f"_v{len(self.columns)}"
            self.columns[key] = (name, sql)
            self._by_name[name] = sql
        return exp.column(self.columns[key][0], quoted=True)

    def expression(self, sql: exp.Expr) -> exp.Expr | None:
        """The expression behind a column of this projection (None: ``sql`` is no such column)."""
        if isinstance(sql, exp.Column) and not sql.table:
            found = self._by_name.get(sql.name)
            return None if found is None else found.copy()
        return None

    def names(self) -> set[str]:
        """The names of the projection's columns."""
        return set(self._by_name)

    def select(self) -> list[exp.Expr]:
        """The projection's columns, each aliased to its name."""
        return [exp.alias_(sql, name, quoted=True) for name, sql in self.columns.values()]


class SqlVocabulary:
    """The SQL of one subject's features, places, validity and fields, over an input table whose
    columns are named after the subject's fields."""

    def __init__(
        self,
        policy: Policy,
        subject: str,
        columns: ColumnKinds | None = None,
        as_of: exp.Expr | None = None,
        given: Given | None = None,
    ) -> None:
        """``as_of``: the SQL of the date the decisions are made as of (a literal, a column),
        which ``as_of`` in the policy compiles to; without it, compiling ``as_of`` raises
        SqlUnsupportedError. ``given``: where the field values are computed once (the
        expressions then read its columns, which the query must compute under them)."""
        facts = policy.facts
        assert facts is not None
        assert facts.builder is not None
        self.policy = policy
        self.builder = facts.builder
        self.h = facts.hierarchy
        self.subjects: Mapping[str, Subject] = facts.subjects
        self.subject = subject
        self.columns: ColumnKinds = columns or {}
        self.params = self.builder.params
        self.root = self.builder.root_value
        self.as_of = as_of
        self.given = given
        self._memo: dict[tuple[str, ...], _Value] = {}

    # fields -------------------------------------------------------------------------------------

    def raw(self, name: str) -> exp.Expr:
        """A top-level field's value as the input gives it, cast to its declared type."""
        info = self.subjects[self.subject].fields[name]
        kind = self.columns.get(name, "ok")
        column = exp.column(name, quoted=True)
        if kind == "missing":
            typ = sql_type(info)
            return cast(exp.Null(), typ) if typ else exp.Null()
        if kind == "wrong":
            typ = sql_type(info)
            return cast(exp.Null(), typ) if typ else exp.Null()
        if kind == "text":
            return _from_text(column, info)
        return column

    def _field(self, subject: str, base: exp.Expr | None, name: str) -> exp.Expr:
        """A field's value with its defaults applied, as the model holds it (a column of
        ``given`` where there is one, and the field is not read from a lambda's record)."""
        info = self.subjects[subject].fields[name]
        given = self.given
        inner = given.expression(base) if given is not None and base is not None else None
        shared = given is not None and (base is None or inner is not None)
        if inner is not None:  # the nested fact set is a column of `given`: read its own column
            base = inner
        value: exp.Expr
        if base is None:
            value = self.raw(name)
        else:
            value = exp.Dot(this=base.copy(), expression=exp.to_identifier(name, quoted=True))
        defaulted = True
        if info.has_default and info.kind == "records":
            defaulted = False  # a null list of records is read as empty by every function of it
        elif info.has_default:
            if info.kind == "places":
                value = exp.func("COALESCE", value, cast(exp.Array(expressions=[]), "VARCHAR[]"))
            else:
                value = exp.func("COALESCE", value, lit(info.default))
        elif info.derived_default:
            computed = self._default(subject, base, name)
            value = exp.func("COALESCE", value, computed)
        else:
            defaulted = False
        if base is not None and defaulted:
            # a field of an absent nested fact set is null, default or not (without a default,
            # the field of a null struct is null as it is)
            value = _case([(exp.Is(this=base.copy(), expression=exp.Null()), exp.Null())], value)
        if shared:
            assert given is not None
            return given.column(value)
        return value

    def _default(self, subject: str, base: exp.Expr | None, name: str) -> exp.Expr:
        decl, _src = self.builder.m.subjects[subject]
        text = decl.fields[name].default_from
        assert text is not None
        return self._compile(parse_expression(text), subject, base).sql

    # names ----------------------------------------------------------------------------------------

    def _member(self, subject: str, base: exp.Expr | None, name: str, rule_mode: bool) -> _Value:
        key = (subject, str(base), name, str(rule_mode))
        found = self._memo.get(key)
        if found is not None:
            return _Value(found.sql.copy(), found.kind, found.subject, found.const)
        value = self._resolve(subject, base, name, rule_mode)
        self._memo[key] = value
        return _Value(value.sql.copy(), value.kind, value.subject, value.const)

    def _resolve(self, subject: str, base: exp.Expr | None, name: str, rule_mode: bool) -> _Value:
        decl, _src = self.builder.m.subjects[subject]
        subj = self.subjects[subject]
        order = ("feature", "field", "place") if rule_mode else ("field", "feature", "place")
        for what in order:
            if what == "field" and name in subj.fields:
                info = subj.fields[name]
                return _Value(self._field(subject, base, name), info.kind, info.subject)
            if what == "feature" and name in decl.features:
                return self._compile(parse_expression(decl.features[name].expr), subject, base)
            if what == "place" and name in decl.places:
                return self._compile(parse_expression(decl.places[name].expr), subject, base)
            if what == "place" and name == self.h.root:
                return _Value(lit(self.root), "place", const=(self.root,))
        raise SqlUnsupportedError(f"`{subject}.{name}` has no SQL form")

    def _path(
        self, subject: str, names: tuple[str, ...], base: exp.Expr | None, rule_mode: bool = False
    ) -> _Value:
        value = self._member(subject, base, names[0], rule_mode)
        for name in names[1:]:
            if value.kind != "subject" or value.subject is None:
                raise SqlUnsupportedError(
                    f"`{'.'.join(names)}` reads into a value that is no subject"
                )
            value = self._member(value.subject, value.sql, name, False)
        return value

    # compiling ------------------------------------------------------------------------------------

    def feature(self, name: str) -> exp.Expr:
        """A feature of the subject, as a column expression (its value is never null)."""
        feature = self.subjects[self.subject].features[name]
        decl, _src = self.builder.m.subjects[self.subject]
        if name in decl.features:  # declared: its expression (which may refine a field)
            return self._member(self.subject, None, name, True).sql
        if name in self.subjects[self.subject].fields:  # a finite field, a feature as it is
            return self._member(self.subject, None, name, False).sql
        # a feature a rule derived (named by its text): read as the rule reads it
        try:
            node: Node = parse_condition(feature.expr)
        except Exception:
            node = parse_expression(feature.expr)
        return self._compile(node, self.subject, None, rule_mode=True).sql

    def place(self, name: str) -> tuple[exp.Expr, bool]:
        """A place reference: its code (or list of codes, then True) as a column expression."""
        if name == self.h.root:
            return lit(self.root), False
        value = self._member(self.subject, None, name, False)
        return value.sql, value.kind == "places"

    def shown(self, name: str) -> exp.Expr:
        """A feature's (else a place's) value as text, as a decision's reason shows it
        (``engine.filled.shown``: a boolean in lower case, a list joined by ", ", null as "—")."""
        subj = self.subjects[self.subject]
        kind: str
        if name in subj.features:
            sql, kind = self.feature(name), subj.features[name].type.kind
        else:
            sql, many = self.place(name)
            kind = "places" if many else "place"
        dash = lit("—")
        if kind == "bool":
            return _case([(sql.copy(), lit("true")), (exp.Not(this=sql), lit("false"))], dash)
        if kind in ("places", "list"):
            item = exp.to_identifier("_s")
            each = exp.func("COALESCE", exp.column("_s"), dash.copy())
            texts = exp.Transform(this=sql, expression=exp.Lambda(this=each, expressions=[item]))
            return exp.func("COALESCE", exp.ArrayToString(this=texts, expression=lit(", ")), dash)
        return exp.func("COALESCE", cast(sql, "VARCHAR"), dash)

    def _compile(
        self, node: Node, subject: str, base: exp.Expr | None, rule_mode: bool = False
    ) -> _Value:
        c = _Compiler(self, subject, base, rule_mode)
        return c.visit(node)

    def body_level(self, level: BodyLevel, code: exp.Expr) -> exp.Expr:
        """The own level of a body at the place ``code`` (``bodies.<kind>.level``: its
        expression over ``body.place``, read as ``BodyLevel.of`` reads it; null where it
        gives null)."""
        return _BodyCompiler(self, code).visit(parse_expression(level.expr)).sql

    # validity -------------------------------------------------------------------------------------

    def valid(self) -> exp.Expr:
        """True only for rows the subject's model accepts (see the module's docstring)."""
        tests = [test for _name, test in self._top_tests()]
        return tested(exp.and_(*tests, copy=False)) if tests else exp.true()

    def failed_fields(self) -> exp.Expr | None:
        """The names of the top-level fields whose own tests refuse the row, as a list of text
        (None: no field is tested). Read for the rows the validity test refuses only: where
        some field fails, the model's errors are those fields' alone (``FieldChecks``), so the
        row's errors are found by validating these fields, not every one."""
        by_field: dict[str, list[exp.Expr]] = {}
        for name, test in self._top_tests():
            if name is not None:
                by_field.setdefault(name, []).append(test)
        if not by_field:
            return None
        items = [
            _case([(_as_condition(exp.and_(*tests, copy=False)), exp.Null())], lit(name))
            for name, tests in by_field.items()
        ]
        return exp.ArrayFilter(
            this=exp.Array(expressions=items),
            expression=exp.Lambda(
                this=exp.Not(this=exp.Is(this=exp.column("_n"), expression=exp.Null())),
                expressions=[exp.to_identifier("_n")],
            ),
        )

    def _top_tests(self) -> list[tuple[str | None, exp.Expr]]:
        """The validity test's parts, each with the top-level field it tests (None: a
        constraint of the model, which tests the whole row)."""
        tests = self._valid_by_field(self.subject, None)
        for name, kind in self.columns.items():
            if kind == "wrong":
                tests.append(
                    (name, exp.Is(this=exp.column(name, quoted=True), expression=exp.Null()))
                )
            elif kind == "text":
                info = self.subjects[self.subject].fields[name]
                tests.append(
                    (
                        name,
                        exp.or_(
                            exp.Is(this=exp.column(name, quoted=True), expression=exp.Null()),
                            exp.Not(this=exp.Is(this=self.raw(name), expression=exp.Null())),
                            copy=False,
                        )
                        if info.kind in ("int", "bool", "date")
                        else exp.true(),
                    )
                )
        return tests

    def _valid(self, subject: str, base: exp.Expr | None) -> list[exp.Expr]:
        return [test for _name, test in self._valid_by_field(subject, base)]

    def _valid_by_field(
        self, subject: str, base: exp.Expr | None
    ) -> list[tuple[str | None, exp.Expr]]:
        """The validity test's parts of ``subject``'s fact set (at ``base``), each with the
        field it tests (None: a constraint)."""
        subj = self.subjects[subject]
        tests: list[tuple[str | None, exp.Expr]] = []
        for name, info in subj.fields.items():
            value = self._field(subject, base, name)
            is_null = exp.Is(this=value.copy(), expression=exp.Null())
            required = not (info.optional or info.derived_default or info.has_default)
            check = self._field_ok(info, value)
            if check is not None and self._never_null(info):
                # a constant default: null only where the nested fact set is absent, which
                # the test of the nested fact set holds true on its own
                tests.append((name, check))
            elif check is not None and info.kind == "subject":
                # a nested fact set's test is true where it is absent (its CASE's first
                # WHEN): not tested for null a second time
                if required:
                    tests.append((name, exp.Not(this=is_null.copy())))
                tests.append((name, check))
            elif required and check is not None and info.kind in self._NULL_IN_NULL_OUT:
                # the check of a null value is null, never true, and the tests are read as
                # false where null (``true_or_false``): the check alone refuses a missing value
                tests.append((name, check))
            elif required:
                tests.append((name, exp.Not(this=is_null.copy())))
                if check is not None:
                    tests.append((name, exp.or_(is_null, check, copy=False)))
            elif check is not None:
                tests.append((name, exp.or_(is_null, check, copy=False)))
        for constraint in subj.constraints:
            cond = self._compile(parse_condition(constraint.text), subject, base).sql
            tests.append((None, true_or_false(cond)))
        if base is not None:
            inner = exp.and_(*(t for _n, t in tests), copy=False) if tests else exp.true()
            # tested only where the nested fact set is given (a CASE: not on the other rows),
            # and as a filter (``tested``)
            return [
                (
                    None,
                    _case(
                        [
                            (exp.Is(this=base.copy(), expression=exp.Null()), exp.true()),
                            (_as_condition(inner), exp.true()),
                        ],
                        exp.false(),
                    ),
                )
            ]
        return tests

    _NULL_IN_NULL_OUT = ("int", "enum", "place")
    """Kinds of field whose check (``_field_ok``) is null for a null value."""

    @staticmethod
    def _never_null(info: FieldInfo) -> bool:
        """The field's value, defaults applied, is never null (a constant default)."""
        return (
            info.has_default
            and info.kind not in ("records", "places", "subject")
            and info.default is not None
        )

    def _field_ok(self, info: FieldInfo, value: exp.Expr) -> exp.Expr | None:
        if info.kind == "int":
            return exp.Between(this=value.copy(), low=lit(info.minimum), high=lit(info.maximum))
        if info.kind == "enum":
            return exp.In(this=value.copy(), expressions=[lit(v) for v in info.values])
        if info.kind == "place":
            return place_ok(self.h, value.copy(), info.levels)
        if info.kind == "places":
            item = exp.to_identifier("_code")
            bad = exp.Not(this=true_or_false(place_ok(self.h, exp.column("_code"), info.levels)))
            return exp.EQ(
                this=exp.ArraySize(
                    this=exp.ArrayFilter(
                        this=value.copy(), expression=exp.Lambda(this=bad, expressions=[item])
                    )
                ),
                expression=lit(0),
            )
        if info.kind == "subject":
            assert info.subject is not None
            (test,) = self._valid(info.subject, value.copy())  # one CASE, true where absent
            return test
        if info.kind == "records":
            assert info.subject is not None
            var = "_record"  # an inner list's lambda shadows it: it reads its own records only
            inner = exp.and_(*self._valid(info.subject, exp.column(var)), exp.true(), copy=False)
            return records_ok(value, var, true_or_false(inner), info.maximum)
        return None


def _from_text(column: exp.Expr, info: FieldInfo) -> exp.Expr:
    """A text column (a CSV's) read as the field's declared type; null where it is not one."""
    if info.kind == "int":
        ok = exp.RegexpLike(this=column.copy(), expression=lit(r"^-?[0-9]{1,18}$"))
        return _case([(ok, cast(column.copy(), "BIGINT"))], None)
    if info.kind == "bool":
        lowered = exp.Lower(this=column.copy())
        return _case(
            [
                (exp.In(this=lowered, expressions=[lit("true"), lit("1")]), exp.true()),
                (exp.In(this=lowered.copy(), expressions=[lit("false"), lit("0")]), exp.false()),
            ],
            None,
        )
    if info.kind == "date":
        ok = exp.RegexpLike(this=column.copy(), expression=lit(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))
        return _case([(ok, exp.TryCast(this=column.copy(), to=_data_type("DATE").copy()))], None)
    return column


class _Compiler:
    """One expression of the vocabulary language, compiled to SQL (``_expressions._Checker``'s
    closures, node for node)."""

    def __init__(
        self,
        v: SqlVocabulary,
        subject: str,
        base: exp.Expr | None,
        rule_mode: bool,
        alias: str | None = None,
    ) -> None:
        self.v, self.subject, self.base, self.rule_mode = v, subject, base, rule_mode
        self.alias = alias  # inside `f(list, m -> body)`: `m`, the record (the column `base`)
        self.depth = 0  # how many such functions this expression is inside

    def cond(self, node: Node) -> exp.Expr:
        return true_or_false(self.visit(node).sql)

    def visit(self, node: Node) -> _Value:  # noqa: PLR0912 - one branch per node type
        if isinstance(node, BoolConst):
            return _Value(lit(node.value), "bool", const=(node.value,))
        if isinstance(node, IntConst):
            return _Value(lit(node.value), "int", const=(node.value,))
        if isinstance(node, StrConst):
            return _Value(lit(node.value), "enum", const=(node.value,))
        if isinstance(node, NullConst):
            return _Value(exp.Null(), "null", const=(None,))
        if isinstance(node, ParamRef):
            ptype, value, _delegated = self.v.params[node.name]
            kind = {"int": "int", "bool": "bool", "code_prefix": "prefix"}.get(ptype, "enum")
            if isinstance(value, tuple):  # several prefixes: only `within` reads them (_starts)
                return _Value(lit("|".join(value)), kind, const=(value,))
            return _Value(lit(value), kind, const=(value,))
        if isinstance(node, AsOf):
            if self.v.as_of is None:
                raise SqlUnsupportedError(
                    "the policy reads `as_of`, and no as-of date was given for these decisions"
                )
            return _Value(cast(self.v.as_of.copy(), "DATE"), "date")
        if isinstance(node, FactRef):
            names: tuple[str, ...] = (node.feature,)
            return self.v._path(self.named(node.subject), names, self.base, self.rule_mode)
        if isinstance(node, Path):
            return self.v._path(self.named(node.subject), node.names, self.base, self.rule_mode)
        if isinstance(node, Compare | Relation):
            return self.compare(node.left, node.op, node.right)
        if isinstance(node, InSet):
            return self.member(node.term, ListConst(node.values, node.span))
        if isinstance(node, Member):
            return self.member(node.item, node.container)
        if isinstance(node, Not):
            return _Value(exp.Not(this=self.cond(node.item)), "bool")
        if isinstance(node, And):
            return _Value(exp.and_(*(self.cond(i) for i in node.items), copy=False), "bool")
        if isinstance(node, Or):
            return _Value(exp.or_(*(self.cond(i) for i in node.items), copy=False), "bool")
        if isinstance(node, If):
            then, other = self.visit(node.then), self.visit(node.other)
            kind = then.kind if then.kind != "null" else other.kind
            return _Value(
                _case([(self.cond(node.cond), then.sql)], other.sql),
                kind,
                then.subject or other.subject,
            )
        if isinstance(node, Arith):
            a, b = self.visit(node.left).sql, self.visit(node.right).sql
            ops = {"+": exp.Add, "-": exp.Sub, "*": exp.Mul}
            return _Value(exp.Paren(this=ops[node.op](this=a, expression=b)), "int")
        if isinstance(node, Call):
            return self.call(node)
        if isinstance(node, ListConst):
            items = [self.visit(i) for i in node.items]
            return _Value(exp.Array(expressions=[i.sql for i in items]), "list")
        raise SqlUnsupportedError(f"`{node}` has no SQL form")

    def named(self, subject: str) -> str:
        """The subject a path starts from: the record's, where it starts from the alias."""
        return self.subject if self.alias is not None and subject == self.alias else subject

    def aggregate(self, node: Call) -> _Value:
        """``any``, ``all``, ``count``, ``sum``, ``min``, ``max`` over a list of records."""
        items = self.visit(node.args[0])
        lam = node.args[1]
        assert isinstance(lam, Lambda)  # type-checked on load
        assert items.subject is not None
        var = f"_record{self.depth}"
        inner = _Compiler(self.v, items.subject, exp.column(var), False, lam.var)
        inner.depth = self.depth + 1
        conditions = node.name in ("any", "all", "count")
        body = inner.cond(lam.body) if conditions else inner.visit(lam.body).sql
        kind = "bool" if node.name in ("any", "all") else "int"
        return _Value(aggregate_sql(node.name, items.sql, var, body), kind)

    def compare(self, left: Node, op: str, right: Node) -> _Value:
        a, b = self.visit(left), self.visit(right)
        if op == "==":
            return _Value(_null_safe_eq(a.sql, b.sql), "bool")
        if op == "!=":
            return _Value(exp.Not(this=_null_safe_eq(a.sql, b.sql)), "bool")
        ops = {"<": exp.LT, "<=": exp.LTE, ">": exp.GT, ">=": exp.GTE}
        return _Value(true_or_false(ops[op](this=a.sql, expression=b.sql)), "bool")

    def member(self, item: Node, container: Node) -> _Value:
        a = self.visit(item)
        if isinstance(container, ListConst):
            values = [self.visit(v) for v in container.items]
            if any(v.kind == "null" for v in values):
                raise SqlUnsupportedError(
                    f"`{item} in {container}`: null in a list has no SQL form"
                )
            test = exp.In(this=a.sql, expressions=[v.sql for v in values])
            return _Value(true_or_false(test), "bool")
        b = self.visit(container)
        contains = exp.ArrayContains(this=b.sql, expression=a.sql)
        return _Value(true_or_false(contains), "bool")

    def call(self, node: Call) -> _Value:
        h = self.v.h
        name = node.name
        if name == "date":
            arg = node.args[0]
            assert isinstance(arg, StrConst)
            return _Value(cast(lit(arg.value), "DATE"), "date")
        if name in AGGREGATES and len(node.args) == 2:
            return self.aggregate(node)
        if name == "lookup":
            ref = node.args[0]
            assert isinstance(ref, TableRef)  # type-checked on load
            table = self.v.builder.tables[ref.name]
            kind = table.value if table.value in ("int", "bool", "text") else "enum"
            return _Value(lookup_sql(table, self.visit(node.args[1]).sql), kind)
        args = [self.visit(a) for a in node.args]
        x = args[0].sql
        if name == "count":
            return _Value(
                _case(
                    [(exp.Is(this=x.copy(), expression=exp.Null()), lit(0))], exp.ArraySize(this=x)
                ),
                "int",
            )
        if name == "distinct":
            same = exp.EQ(
                this=exp.ArraySize(this=exp.ArrayDistinct(this=x.copy())),
                expression=exp.ArraySize(this=x.copy()),
            )
            return _Value(
                _case([(exp.Is(this=x, expression=exp.Null()), exp.true())], same), "bool"
            )
        if name in _DATES:
            kind, fn = _DATES[name]
            return _Value(fn(args[0].sql, args[1].sql), kind)
        if name == "at":
            level = node.args[1]
            assert isinstance(level, StrConst)
            return _Value(at_level(x, h.length(level.value)), "place")
        if name == "within":
            return _Value(true_or_false(_starts(x, args[1])), "bool")
        if name == "all_within":
            return _Value(_all_within(x, args[1]), "bool")
        if name == "level":
            return _Value(_level_of(h, x), "enum")
        if name == "form":
            return _Value(
                _case([(exp.Is(this=x.copy(), expression=exp.Null()), exp.Null())], _form_of(h, x)),
                "enum",
            )
        if name == "class_of":
            return _Value(_klass(h, x), "enum")
        raise SqlUnsupportedError(f"function `{name}` has no SQL form")


class _BodyCompiler(_Compiler):
    """A body's level expression: ``body.place`` is the code of the place the body is at;
    parameters, tables and functions are read as in the rest of the vocabulary."""

    def __init__(self, v: SqlVocabulary, code: exp.Expr) -> None:
        super().__init__(v, BODY, None, False)
        self.code = code

    def visit(self, node: Node) -> _Value:
        if isinstance(node, FactRef) and (node.subject, node.feature) == (BODY, "place"):
            return _Value(self.code.copy(), "place")
        if isinstance(node, FactRef | Path) and node.subject == BODY:
            raise SqlUnsupportedError(f"`{node}`: a body's level reads `{BODY}.place` only")
        return super().visit(node)


# --- dates (``language.periods``, value for value) ----------------------------------------------


def _within(value: exp.Expr, low: int, high: int, then: exp.Expr) -> exp.Expr:
    """``then`` where ``low <= value <= high``, else null: a date function's guard, tested on
    its arguments (so the result is computed once in the SQL, and only inside the calendar)."""
    return _case([(exp.Between(this=value, low=lit(low), high=lit(high)), then)], exp.Null())


def _clamped(n: exp.Expr, bound: int) -> exp.Expr:
    """``n`` within -bound .. bound, as a 32-bit integer (Spark's ``DATE_ADD`` and
    ``ADD_MONTHS`` take no other). The guards keep every offset used within it: this only keeps
    an engine that computes a branch it does not take from failing on it."""
    value = _case(
        [
            (exp.GT(this=n.copy(), expression=lit(bound)), lit(bound)),
            (exp.LT(this=n.copy(), expression=lit(-bound)), lit(-bound)),
        ],
        n,
    )
    return cast(value, "INTEGER")


def _plus_days(d: exp.Expr, n: exp.Expr) -> exp.Expr:
    return cast(
        exp.DateAdd(this=d, expression=_clamped(n, MAX_DAYS + 1), unit=exp.var("DAY")), "DATE"
    )


def _plus_months(d: exp.Expr, n: exp.Expr) -> exp.Expr:
    """``d`` + ``n`` months, the day clamped to the month's end (DuckDB's ``+ INTERVAL`` and
    Spark's ``ADD_MONTHS`` both clamp)."""
    return cast(
        exp.DateAdd(this=d, expression=_clamped(n, MAX_MONTHS + 1), unit=exp.var("MONTH")), "DATE"
    )


def _add_days(d: exp.Expr, n: exp.Expr) -> exp.Expr:
    """``periods.add_days``: null unless the day's number from 0001-01-01, plus ``n``, is a day
    of the calendar."""
    ordinal = exp.DateDiff(
        this=d.copy(), expression=cast(lit("0001-01-01"), "DATE"), unit=exp.var("DAY")
    )
    return _within(exp.Add(this=ordinal, expression=n.copy()), 0, MAX_DAYS, _plus_days(d, n))


def _month_number(d: exp.Expr) -> exp.Expr:
    """Months from January of year 0 to ``d``'s month (12 for January 0001)."""
    return exp.Paren(
        this=exp.Add(
            this=exp.Mul(this=exp.Year(this=d.copy()), expression=lit(12)),
            expression=exp.Sub(this=exp.Month(this=d.copy()), expression=lit(1)),
        )
    )


def _add_months(d: exp.Expr, n: exp.Expr) -> exp.Expr:
    """``periods.add_months``: null unless the month reached is of years 1 to 9999."""
    reached = exp.Add(this=_month_number(d), expression=n.copy())
    return _within(reached, 12, 12 * 10000 - 1, _plus_months(d, n))


def _next_anniversary(d: exp.Expr, ref: exp.Expr) -> exp.Expr:
    """``periods.next_anniversary``, with y = year(ref) - year(d): the anniversary in ``ref``'s
    year if y >= 1 and it is not before ``ref``; else the one in the year after ``ref``'s (or
    ``d``'s first, if ``ref`` is not after ``d``'s year); null past 9999."""
    years = exp.Paren(
        this=exp.Sub(this=exp.Year(this=ref.copy()), expression=exp.Year(this=d.copy()))
    )
    same_year = _plus_months(d.copy(), exp.Mul(this=lit(12), expression=years.copy()))
    k = exp.Paren(
        this=exp.Add(
            this=_case([(exp.LT(this=years.copy(), expression=lit(0)), lit(0))], years.copy()),
            expression=lit(1),
        )
    )
    later = _plus_months(d.copy(), exp.Mul(this=lit(12), expression=k.copy()))
    fits = exp.LTE(this=exp.Add(this=exp.Year(this=d.copy()), expression=k), expression=lit(9999))
    return _case(
        [
            (
                exp.and_(
                    exp.GTE(this=years.copy(), expression=lit(1)),
                    exp.GTE(this=same_year.copy(), expression=ref.copy()),
                    copy=False,
                ),
                same_year,
            ),
            (fits, later),
        ],
        exp.Null(),
    )


def _months_between(a: exp.Expr, b: exp.Expr) -> exp.Expr:
    """``periods.months_between``: the months from ``a``'s to ``b``'s, one less where ``a <= b``
    and ``b`` is on an earlier day of its month that is not its last, one more in the symmetric
    case where ``b < a``."""

    def short_of(x: exp.Expr, y: exp.Expr) -> exp.Expr:
        """``x`` on an earlier day of its month than ``y``, and not on the month's last."""
        return exp.and_(
            exp.LT(this=exp.Day(this=x.copy()), expression=exp.Day(this=y.copy())),
            exp.NEQ(this=x.copy(), expression=exp.LastDay(this=x.copy())),
            copy=False,
        )

    n = exp.Sub(this=_month_number(b), expression=_month_number(a))
    fewer = exp.and_(exp.LTE(this=a.copy(), expression=b.copy()), short_of(b, a), copy=False)
    more = exp.and_(exp.LT(this=b.copy(), expression=a.copy()), short_of(a, b), copy=False)
    adjust = _case([(fewer, lit(-1)), (more, lit(1))], lit(0))
    return exp.Paren(this=exp.Add(this=n, expression=adjust))


def _years_between(a: exp.Expr, b: exp.Expr) -> exp.Expr:
    earlier = exp.or_(
        exp.LT(this=exp.Month(this=b.copy()), expression=exp.Month(this=a.copy())),
        exp.and_(
            exp.EQ(this=exp.Month(this=b.copy()), expression=exp.Month(this=a.copy())),
            exp.LT(this=exp.Day(this=b.copy()), expression=exp.Day(this=a.copy())),
            copy=False,
        ),
        copy=False,
    )
    years = exp.Sub(this=exp.Year(this=b.copy()), expression=exp.Year(this=a.copy()))
    return exp.Paren(this=exp.Sub(this=years, expression=_case([(earlier, lit(1))], lit(0))))


def _days_between(a: exp.Expr, b: exp.Expr) -> exp.Expr:
    return exp.DateDiff(this=b, expression=a, unit=exp.var("DAY"))


_DATES: Mapping[str, tuple[str, Callable[[exp.Expr, exp.Expr], exp.Expr]]] = {
    "years_between": ("int", _years_between),
    "days_between": ("int", _days_between),
    "months_between": ("int", _months_between),
    "add_days": ("date", _add_days),
    "add_months": ("date", _add_months),
    "next_anniversary": ("date", _next_anniversary),
}
"""The functions of dates: the kind of their value and their SQL, of their arguments' SQL."""


def _starts(x: exp.Expr, other: _Value) -> exp.Expr:
    """``x`` begins with ``other`` (a constant prefix, or a place's code); null if either is."""
    if other.const is not None and isinstance(other.const[0], str):
        prefix = other.const[0]
        return exp.EQ(this=_substr(x, 0, len(prefix)), expression=lit(prefix))
    if other.const is not None and isinstance(other.const[0], tuple):  # several prefixes: any
        tests: list[exp.Expr] = [
            exp.EQ(this=_substr(x.copy(), 0, len(p)), expression=lit(p)) for p in other.const[0]
        ]
        return exp.Paren(this=reduce(lambda a, b: exp.Or(this=a, expression=b), tests))
    y = other.sql
    return exp.EQ(this=exp.Substring(this=x, start=lit(1), length=_length(y.copy())), expression=y)


def _all_within(places: exp.Expr, other: _Value) -> exp.Expr:
    """``all_within``: every code of the list begins with ``other`` (an absent or empty list
    holds; a list with a code while ``other`` is null does not)."""
    item = exp.to_identifier("_w")
    outside = exp.Not(this=true_or_false(_starts(exp.column("_w"), other)))
    count = exp.ArraySize(
        this=exp.ArrayFilter(
            this=places.copy(), expression=exp.Lambda(this=outside, expressions=[item])
        )
    )
    return _case(
        [(exp.Is(this=places.copy(), expression=exp.Null()), exp.true())],
        exp.EQ(this=count, expression=lit(0)),
    )
