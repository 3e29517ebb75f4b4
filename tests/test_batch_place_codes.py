"""The batch validity test of a place code (``sql_vocabulary.place_ok``) accepts exactly the codes
``Hierarchy.problem`` accepts, of the levels asked for: one regular expression for all the levels
of a field, each level's ranges of digits written into it (``_digit_range``)."""

from __future__ import annotations

import dataclasses
import itertools
import random
import re

import pytest

duckdb = pytest.importorskip("duckdb")
pytest.importorskip("sqlglot")

from sqlglot import exp  # noqa: E402 - after the skips

import jurisdiction  # noqa: E402
from jurisdiction.batch.sql_vocabulary import _digit_range, _not_literal, place_ok  # noqa: E402


@pytest.mark.parametrize(
    ("lo", "hi"),
    [("000", "599"), ("600", "799"), ("123", "456"), ("05", "93"), ("0", "9"), ("099", "100")],
)
def test_digit_range_matches_exactly_the_range(lo: str, hi: str) -> None:
    pattern = re.compile(_digit_range(lo, hi))
    width = len(lo)
    for n in range(10**width):
        text = f"{n:0{width}d}"
        assert (pattern.fullmatch(text) is not None) == (lo <= text <= hi), (lo, hi, text)


def _codes(lengths: list[int], seed: int = 5) -> list[str]:
    """Codes of every level's length and of none, near misses among them: a district part of
    zeros, a letter, a non-ASCII digit, a code of this city."""
    rng = random.Random(seed)
    codes: set[str] = set()
    for _ in range(4000):
        n = rng.choice([*lengths, lengths[0] - 1, lengths[-1] + 1, 8, 10, 11])
        code = "".join(rng.choice("0123456789") for _ in range(n))
        if rng.random() < 0.3:
            code = code[:2] + "0000" + code[6:]
        if rng.random() < 0.05:
            code = code[:3] + rng.choice(["a", " ", "\u0663", "+"]) + code[4:]
        if rng.random() < 0.3:
            code = "12" + code[2:]
        codes.add(code)
    return sorted(codes)


def test_place_ok_accepts_what_the_hierarchy_accepts() -> None:
    h = jurisdiction.load().policy.hierarchy
    names = [lv.name for lv in h.levels]
    codes = _codes([lv.length for lv in h.levels])
    con = duckdb.connect()
    con.execute("CREATE TABLE c AS SELECT unnest(?) AS x", [codes])
    choices = [c for k in range(len(names) + 1) for c in itertools.combinations(names, k)]
    accepted = 0
    for levels in choices:
        test = place_ok(h, exp.column("x"), levels).sql(dialect="duckdb")
        got = dict(con.execute(f"SELECT x, coalesce({test}, false) FROM c").fetchall())
        for code in codes:
            level = next((lv for lv in h.levels if lv.length == len(code)), None)
            wanted = h.problem(code) is None and (
                not levels or (level is not None and level.name in levels)
            )
            assert got[code] == wanted, (levels, code, h.problem(code))
            accepted += wanted
    assert accepted > len(choices) * 50  # valid codes of each level were drawn


@pytest.mark.parametrize("text", ["0000", "0", "90", "123", "0909"])
def test_a_literal_left_out_matches_every_other_string_of_digits(text: str) -> None:
    positions = ["[0-9]"] * len(text)
    pattern = re.compile(_not_literal(positions, text) or "")
    for n in range(10 ** len(text)):
        other = f"{n:0{len(text)}d}"
        assert (pattern.fullmatch(other) is not None) == (other != text), (text, other)
    assert _not_literal(positions, "0a") is None  # only literals of digits are written in
    assert _not_literal(["[0-5]"] * 2, "00") is None  # only over classes of all ten digits


def test_a_negative_lookahead_of_digits_is_written_into_the_one_regular_expression() -> None:
    """The bundled district pattern's ``(?!0000)`` is part of the expression, not a second
    test of a substring (a quarter less time a code in DuckDB, benchmarks/README.md round 6)."""
    h = jurisdiction.load().policy.hierarchy
    assert any("(?!" in lv.pattern.pattern for lv in h.levels)  # else this test tests nothing
    test = place_ok(h, exp.column("x"), ()).sql(dialect="duckdb")
    assert "SUBSTRING" not in test.upper()
    assert test.count("REGEXP_MATCHES") == 1


@pytest.mark.parametrize(
    "patterns",
    [
        {"district": "[0-9A-Z]{2}(?!ZZ)[0-9A-Z]{4}"},  # of letters: not written in
        {"street": "[0-9]{2}(?!0000)[0-9]{4}(?!59)[0-9]{3}"},  # over a ranged part: not either
    ],
)
def test_a_lookahead_that_cannot_be_written_in_stays_a_test_of_its_own(
    patterns: dict[str, str],
) -> None:
    h = jurisdiction.load().policy.hierarchy
    h = dataclasses.replace(
        h,
        levels=tuple(
            dataclasses.replace(lv, pattern=re.compile(patterns[lv.name]))
            if lv.name in patterns
            else lv
            for lv in h.levels
        ),
        _checked={},  # not the loaded policy's memo of codes checked
    )
    codes = [*_codes([lv.length for lv in h.levels]), "12ZZ34", "12AB34", "120105590", "120105591"]
    con = duckdb.connect()
    con.execute("CREATE TABLE c AS SELECT unnest(?) AS x", [codes])
    test = place_ok(h, exp.column("x"), ()).sql(dialect="duckdb")
    got = dict(con.execute(f"SELECT x, coalesce({test}, false) FROM c").fetchall())
    assert "(?!" in "".join(lv.pattern.pattern for lv in h.levels if lv.name in patterns)
    assert got == {c: h.problem(c) is None for c in codes}
    assert sum(got.values()) > 100
    assert not got["12ZZ34"] if "district" in patterns else not got["120105590"]
