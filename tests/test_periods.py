"""Periods in the language: ``days_between``, ``months_between``, ``add_days``, ``add_months``,
``next_anniversary`` and ``as_of``.

The calendar arithmetic is property-tested against the standard library (``datetime``,
``calendar.monthrange``); the language's closures and the batch evaluator's SQL (DuckDB, and
Spark where it runs) are compared value for value on drawn dates, month ends and leap days among
them; misuse is refused with located type errors; the checker runs over a policy that uses them.
"""

from __future__ import annotations

import calendar
import datetime
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import jurisdiction
from jurisdiction import FactsError, PolicyError
from jurisdiction.language import periods
from jurisdiction.language.conditions import AsOf, Relation
from jurisdiction.language.expressions import check
from jurisdiction.language.parse import decode_tree, encode_tree, parse_condition, parse_expression
from jurisdiction.language.periods import (
    add_days,
    add_months,
    days_between,
    months_between,
    next_anniversary,
)
from jurisdiction.language.subjects import Context

ROOT = Path(__file__).resolve().parent.parent
DOGS = ROOT / "examples" / "dog_licence"
D = datetime.date
FIRST, LAST = datetime.date.min, datetime.date.max

# --- strategies: any date, with month ends and 29 February drawn often -------------------------


@st.composite
def _month_end(draw: st.DrawFn) -> datetime.date:
    year = draw(st.integers(1, 9999))
    month = draw(st.integers(1, 12))
    return D(year, month, calendar.monthrange(year, month)[1])


@st.composite
def _leap_day(draw: st.DrawFn) -> datetime.date:
    year = draw(st.integers(1, 2499).map(lambda i: 4 * i))
    return D(year, 2, 29) if calendar.isleap(year) else D(year, 2, 28)


_NEAR_ENDS = st.one_of(
    st.dates(max_value=D(2, 12, 31)), st.dates(min_value=D(9998, 1, 1))
)  # offsets from these leave the calendar
DATES = st.one_of(st.dates(), _month_end(), _leap_day(), _NEAR_ENDS)
DAYS = st.one_of(
    st.integers(-1000, 1000),
    st.integers(-periods.MAX_DAYS - 10, periods.MAX_DAYS + 10),
    st.integers(-(10**12), 10**12),
)
MONTHS = st.one_of(
    st.integers(-100, 100),
    st.integers(-periods.MAX_MONTHS - 10, periods.MAX_MONTHS + 10),
    st.integers(-(10**12), 10**12),
)


def reference_add_months(d: datetime.date, n: int) -> datetime.date | None:
    """Adding months as the standard library's calendar has it (month lengths from
    ``calendar.monthrange``); None past the calendar's ends."""
    year, month0 = divmod(d.year * 12 + (d.month - 1) + n, 12)
    if not datetime.MINYEAR <= year <= datetime.MAXYEAR:
        return None
    length = calendar.monthrange(year, month0 + 1)[1]
    return D(year, month0 + 1, min(d.day, length))


# --- the calendar arithmetic against the standard library --------------------------------------


@given(DATES, DATES)
def test_days_between_is_the_difference_of_dates(a: datetime.date, b: datetime.date) -> None:
    assert days_between(a, b) == (b - a).days


@given(DATES, DAYS)
@example(LAST, 1)
@example(FIRST, -1)
@example(FIRST, periods.MAX_DAYS)
@example(FIRST, periods.MAX_DAYS + 1)
def test_add_days_is_timedelta_addition(d: datetime.date, n: int) -> None:
    try:
        expected: datetime.date | None = d + datetime.timedelta(days=n)
    except OverflowError:
        expected = None
    assert add_days(d, n) == expected
    if expected is not None:
        assert days_between(d, expected) == n


@given(DATES, MONTHS)
@example(D(2024, 1, 31), 1)
@example(D(2023, 1, 31), 1)
@example(D(9999, 12, 31), 1)
@example(FIRST, -1)
def test_add_months_agrees_with_monthrange(d: datetime.date, n: int) -> None:
    assert add_months(d, n) == reference_add_months(d, n)


def test_month_end_and_leap_day_rules() -> None:
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert add_months(D(2023, 1, 31), 1) == D(2023, 2, 28)
    assert add_months(D(2024, 3, 31), -1) == D(2024, 2, 29)
    assert add_months(D(2024, 2, 29), 12) == D(2025, 2, 28)
    assert add_months(D(2024, 2, 29), 48) == D(2028, 2, 29)
    assert add_months(D(1900, 1, 29), 1) == D(1900, 2, 28)  # 1900: no leap year
    assert add_months(D(2000, 1, 29), 1) == D(2000, 2, 29)  # 2000: a leap year
    # a month later than a month end is not always a month end: the day is kept when it fits
    assert add_months(D(2023, 2, 28), 1) == D(2023, 3, 28)
    assert months_between(D(2024, 1, 31), D(2024, 2, 29)) == 1
    assert months_between(D(2023, 1, 31), D(2023, 2, 28)) == 1
    assert months_between(D(2024, 1, 31), D(2024, 2, 28)) == 0
    assert months_between(D(2024, 2, 29), D(2025, 2, 28)) == 12
    assert months_between(D(2024, 1, 15), D(2024, 7, 14)) == 5
    assert months_between(D(2024, 1, 15), D(2024, 7, 15)) == 6
    assert months_between(D(2024, 7, 15), D(2024, 1, 15)) == -6
    assert months_between(D(2024, 7, 14), D(2024, 1, 15)) == -5
    assert months_between(D(2024, 2, 29), D(2024, 1, 31)) == -1
    assert next_anniversary(D(2020, 2, 29), D(2021, 1, 1)) == D(2021, 2, 28)
    assert next_anniversary(D(2020, 2, 29), D(2024, 1, 1)) == D(2024, 2, 29)
    assert next_anniversary(D(2020, 5, 10), D(2023, 5, 10)) == D(2023, 5, 10)
    assert next_anniversary(D(2020, 5, 10), D(2023, 5, 11)) == D(2024, 5, 10)
    assert next_anniversary(D(2020, 5, 10), D(2020, 5, 10)) == D(2021, 5, 10)  # never d itself
    assert next_anniversary(D(2020, 5, 10), D(1990, 1, 1)) == D(2021, 5, 10)
    assert next_anniversary(D(9999, 1, 1), D(9999, 6, 1)) is None
    assert add_days(LAST, 1) is None
    assert add_days(FIRST, -1) is None
    assert add_months(D(9999, 12, 1), 1) is None


@given(DATES, DATES)
@example(D(2024, 2, 29), D(2025, 2, 28))
@example(D(2024, 1, 31), D(2024, 2, 29))
@example(D(2024, 3, 31), D(2024, 2, 29))
@example(FIRST, LAST)
def test_months_between_brackets_the_later_date(a: datetime.date, b: datetime.date) -> None:
    """For a <= b: add_months(a, m) <= b < add_months(a, m + 1); for b < a, the symmetric
    value."""
    m = months_between(a, b)
    if a <= b:
        low, high = reference_add_months(a, m), reference_add_months(a, m + 1)
        assert m >= 0
        assert low is not None
        assert low <= b
        assert high is None or b < high
    else:
        assert m == -months_between(b, a)
        assert m <= 0


@given(DATES, MONTHS)
def test_months_between_undoes_add_months(d: datetime.date, n: int) -> None:
    later = add_months(d, n)
    if later is not None:
        assert months_between(d, later) == n


@given(DATES, DATES)
@example(D(2020, 2, 29), D(2021, 3, 1))
@example(D(2020, 2, 29), D(2021, 2, 28))
@example(D(9999, 3, 1), D(9999, 12, 31))
def test_next_anniversary_is_the_first_on_or_after(d: datetime.date, ref: datetime.date) -> None:
    found = next_anniversary(d, ref)
    # the first k >= 1 whose anniversary (the reference's month arithmetic) is on or after ref
    k = max(ref.year - d.year - 1, 1)
    while (candidate := reference_add_months(d, 12 * k)) is not None and candidate < ref:
        k += 1
    assert found == candidate
    if found is not None:
        assert found >= ref
        assert found.year - d.year >= 1


# --- the language: types, closures, as_of --------------------------------------------------------

_SUBJECT = """
  period:
    doc: two dates and a number, for the period functions
    fields:
      a: {type: date, doc: one date}
      b: {type: date, optional: true, doc: another date}
      k: {type: int, min: -5000000, max: 5000000, doc: a number of days or months}
"""

_QUESTIONS = """
  six_months:
    subject: period
    title: {zh: 六个月, en: Six months lived?}
    rules:
      - id: six_months.yes
        cite: {article: 5}
        when: >-
          months_between(period.a, period.b) >= 6
          and days_between(period.a, period.b) < 4000
        answer:
          not_applicable: {zh: 是, en: "six whole months or more, under 4000 days"}
      - id: six_months.no
        cite: {article: 5}
        when: >-
          not (months_between(period.a, period.b) >= 6
               and days_between(period.a, period.b) < 4000)
        answer:
          not_applicable: {zh: 否, en: not so}
"""

_AS_OF_QUESTION = """
  renewal_window:
    subject: period
    title: {zh: 续期, en: Is it the renewal window?}
    rules:
      - id: renewal_window.open
        cite: {article: 5}
        when: as_of >= add_months(next_anniversary(period.a, as_of), -1)
        answer:
          not_applicable: {zh: 续期窗口内, en: within the month before an anniversary}
      - id: renewal_window.closed
        cite: {article: 5}
        when: not (as_of >= add_months(next_anniversary(period.a, as_of), -1))
        answer:
          not_applicable: {zh: 续期窗口外, en: not within the month before an anniversary}
"""


def _policy(tmp: Path, questions: str, name: str = "periods") -> Path:
    root = tmp / name
    shutil.copytree(DOGS, root)
    shutil.rmtree(root / "overlays", ignore_errors=True)
    with (root / "facts.yaml").open("a", encoding="utf-8") as f:
        f.write(_SUBJECT)
    with (root / "chapter2.yaml").open("a", encoding="utf-8") as f:
        f.write(questions)
    return root


@pytest.fixture(scope="module")
def policy_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _policy(tmp_path_factory.mktemp("periods"), _QUESTIONS + _AS_OF_QUESTION)


@pytest.fixture(scope="module")
def engine(policy_dir: Path) -> jurisdiction.Engine:
    return jurisdiction.load(policy_dir)


def _typed(engine: jurisdiction.Engine, text: str, *, as_of: bool = True) -> Any:
    facts = engine.policy.facts
    assert facts is not None
    assert facts.builder is not None
    typed, problems = check(parse_expression(text), "period", facts.builder, as_of=as_of)
    assert not problems, problems
    return typed


def _problems(engine: jurisdiction.Engine, text: str, *, as_of: bool = True) -> list[Any]:
    facts = engine.policy.facts
    assert facts is not None
    assert facts.builder is not None
    typed, problems = check(parse_expression(text), "period", facts.builder, as_of=as_of)
    assert typed is None
    return problems


def test_as_of_is_a_node_of_its_own() -> None:
    node = parse_expression("as_of")
    assert node == AsOf()
    assert str(node) == "as_of"
    cond = parse_condition('as_of >= date("2021-08-20")')
    assert isinstance(cond, Relation)
    assert cond.left == AsOf()
    assert str(cond) == 'as_of >= date("2021-08-20")'
    assert parse_condition(str(cond)) == cond
    assert decode_tree(encode_tree(cond)) == cond  # the parse cache keeps it


def test_as_of_is_read_from_the_context(engine: jurisdiction.Engine) -> None:
    model = engine.policy.subjects["period"].model
    facts = model(a="2020-05-10", k=0)
    window = _typed(engine, "as_of >= add_months(next_anniversary(period.a, as_of), -1)")
    assert window.type.kind == "bool"

    def at(day: datetime.date) -> Context:
        return Context("K", as_of=day)

    assert window.get(facts, at(D(2023, 4, 9))) is False
    assert window.get(facts, at(D(2023, 4, 10))) is True
    assert window.get(facts, at(D(2023, 5, 10))) is True  # the anniversary itself
    assert window.get(facts, at(D(2023, 5, 11))) is False
    assert _typed(engine, "as_of").get(facts, at(D(2001, 2, 3))) == D(2001, 2, 3)
    assert _typed(engine, "months_between(period.a, as_of)").get(facts, at(D(2020, 11, 9))) == 5


def test_as_of_without_a_date_is_a_clear_error(engine: jurisdiction.Engine) -> None:
    model = engine.policy.subjects["period"].model
    facts = model(a="2020-05-10", k=0)
    typed = _typed(engine, "days_between(period.a, as_of) > 30")
    with pytest.raises(FactsError, match="no as-of date"):
        typed.get(facts, Context("K"))
    with pytest.raises(FactsError, match="no as-of date"):
        typed.get(facts, None)  # a constraint's or a default's closure is given no context
    problems = _problems(engine, "days_between(period.a, as_of) > 30", as_of=False)
    assert [(p.code, p.span.column) for p in problems] == [("type-mismatch", 24)]


def test_null_in_null_out(engine: jurisdiction.Engine) -> None:
    model = engine.policy.subjects["period"].model
    facts = model(a="2020-05-10", k=3)  # b absent
    ctx = Context("K", as_of=D(2024, 1, 1))
    for text in (
        "days_between(period.a, period.b)",
        "months_between(period.b, period.a)",
        "next_anniversary(period.b, as_of)",
        "add_days(period.b, period.k)",
        "add_months(period.b, 1)",
    ):
        assert _typed(engine, text).get(facts, ctx) is None, text
        assert _typed(engine, text).type.optional, text
    assert _typed(engine, "days_between(period.a, as_of)").type.optional is False
    # a date out of the calendar is null too, so a date-valued function may always be null
    assert _typed(engine, "add_days(period.a, 1)").type.optional
    assert _typed(engine, "add_days(period.a, period.k)").get(model(a="9999-12-31", k=1), ctx) is (
        None
    )


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        ("days_between(period.a)", 1, "`days_between` takes 2 arguments"),
        ("months_between(period.a, period.b, period.a)", 1, "`months_between` takes 2 arguments"),
        ("add_days(period.a, period.b)", 1, "takes a whole number as argument 2, got a date"),
        ("add_months(period.k, 1)", 1, "takes a date as argument 1, got a whole number"),
        ("next_anniversary(period.a, 3)", 1, "takes a date as argument 2"),
        ('months_between("2020-01-01", period.a)', 1, "takes a date as argument 1"),
        ('add_days(date("2020-02-30"), 1)', 10, '`date` takes a literal "YYYY-MM-DD"'),
        ("as_of + 1", 1, "`+` works on whole numbers; `as_of` is a date"),
        ("as_of == 3", 1, "they never equal"),
        ("add_days(period.a, 1) > 3", 1, "compares whole numbers or dates"),
        ("days_between(period.a, as_of) > as_of", 1, "compares whole numbers or dates"),
    ],
)
def test_misuse_is_a_located_type_error(
    engine: jurisdiction.Engine, text: str, column: int, message: str
) -> None:
    problems = _problems(engine, f"  {text}")
    assert [p.code for p in problems] == ["type-mismatch"]
    assert problems[0].span.line == 1
    assert problems[0].span.column == column + 2
    assert message in problems[0].message


@pytest.mark.parametrize(
    ("when", "column", "code", "message"),
    [
        ("add_days(period.a, period.b) <= period.a", 1, "type-mismatch", "as argument 2"),
        ("as_of", 1, "condition-syntax", "`as_of` is a value, not a condition"),
        ("period.a < add_months(as_of, period.a)", 12, "type-mismatch", "as argument 2"),
        ("months_between(period.a, as_of)", 1, "type-mismatch", "is a whole number, not a"),
    ],
)
def test_misuse_in_a_rule_is_located_in_its_file(
    tmp_path: Path, when: str, column: int, code: str, message: str
) -> None:
    bad = f"""
  misused:
    subject: period
    title: {{zh: 误用, en: Misused}}
    rules:
      - id: misused.rule
        cite: {{article: 5}}
        when: {when}
        answer:
          not_applicable: {{zh: 否, en: misused}}
"""
    root = _policy(tmp_path, bad)
    with pytest.raises(PolicyError) as caught:
        jurisdiction.load(root)
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == code
    assert message in diagnostic.message
    lines = (root / "chapter2.yaml").read_text(encoding="utf-8").splitlines()
    line = next(i for i, t in enumerate(lines, 1) if t.strip() == f"when: {when}")
    start = lines[line - 1].index(when)  # the text's first column, from 0
    assert str(diagnostic.location).endswith(f"chapter2.yaml:{line}:{start + column}")


def test_rules_read_periods(engine: jurisdiction.Engine) -> None:
    model = engine.policy.subjects["period"].model

    def answer(a: str, b: str | None) -> str:
        decision = engine.decide(model(a=a, b=b, k=0), "six_months")
        return decision.rules_applied[0]

    assert answer("2024-01-31", "2024-07-30") == "six_months.no"
    assert answer("2024-01-31", "2024-07-31") == "six_months.yes"
    assert answer("2024-08-31", "2025-02-28") == "six_months.yes"  # the month's last day
    assert answer("2024-08-31", "2025-02-27") == "six_months.no"
    assert answer("2024-08-31", None) == "six_months.no"  # null: the ordering does not hold


# --- SQL: the closures' values, on DuckDB (and Spark) -------------------------------------------

EXPRESSIONS = (
    "days_between(period.a, period.b)",
    "months_between(period.a, period.b)",
    "months_between(period.b, period.a)",
    "years_between(period.a, period.b)",
    "add_days(period.a, period.k)",
    "add_months(period.a, period.k)",
    "add_months(period.b, -period.k)",
    "next_anniversary(period.a, period.b)",
    "next_anniversary(period.b, as_of)",
    "as_of >= add_months(next_anniversary(period.a, as_of), -1)",
    "months_between(period.a, as_of) >= 6",
    "days_between(add_days(period.a, period.k), as_of)",
)

Row = tuple[datetime.date, datetime.date | None, int, datetime.date]

ROWS = st.lists(
    st.tuples(
        DATES,
        st.one_of(st.none(), DATES),
        st.one_of(st.integers(-5_000_000, 5_000_000), st.integers(-40, 40)),
        DATES,
    ),
    min_size=1,
    max_size=40,
)

_EDGES: list[Row] = [
    (D(2024, 1, 31), D(2024, 2, 29), 1, D(2024, 2, 29)),
    (D(2023, 1, 31), D(2023, 2, 28), 1, D(2023, 2, 28)),
    (D(2024, 2, 29), D(2025, 2, 28), 12, D(2025, 2, 28)),
    (D(2024, 3, 31), D(2024, 2, 29), -1, D(2024, 2, 29)),
    (LAST, FIRST, 5_000_000, LAST),
    (FIRST, LAST, -5_000_000, FIRST),
    (D(9999, 3, 1), D(9999, 12, 31), -5, D(9999, 12, 31)),
    (D(2020, 5, 10), None, 0, D(2023, 4, 10)),
]


def _sql_date(d: datetime.date | None) -> str:
    return "CAST(NULL AS DATE)" if d is None else f"DATE '{d.isoformat()}'"


def _values(rows: list[Row]) -> str:
    return ", ".join(
        f"({i}, {_sql_date(a)}, {_sql_date(b)}, CAST({k} AS BIGINT), {_sql_date(when)})"
        for i, (a, b, k, when) in enumerate(rows)
    )


def _query(compiled: list[tuple[str, Any, str]], rows: list[Row]) -> str:
    """One query of every compiled expression over the rows (one job on Spark)."""
    columns = ", ".join(f"{sql} AS c{i}" for i, (_t, _g, sql) in enumerate(compiled))
    return f"SELECT {columns} FROM (VALUES {_values(rows)}) AS t(i, a, b, k, when_) ORDER BY i"


def _compiled(engine: jurisdiction.Engine, dialect: str) -> list[tuple[str, Any, str]]:
    from sqlglot import exp

    from jurisdiction.batch.sql_vocabulary import SqlVocabulary

    v = SqlVocabulary(engine.policy, "period", as_of=exp.column("when_"))
    out = []
    for text in EXPRESSIONS:
        node = parse_expression(text)
        out.append(
            (text, _typed(engine, text).get, v._compile(node, "period", None).sql.sql(dialect))
        )
    return out


def _expected(engine: jurisdiction.Engine, getter: Any, rows: list[Row]) -> list[Any]:
    model = engine.policy.subjects["period"].model
    return [getter(model(a=a, b=b, k=k), Context("K", as_of=when)) for a, b, k, when in rows]


@pytest.fixture(scope="module")
def duck(engine: jurisdiction.Engine) -> tuple[Any, list[tuple[str, Any, str]]]:
    duckdb = pytest.importorskip("duckdb")
    pytest.importorskip("sqlglot")
    return duckdb.connect(), _compiled(engine, "duckdb")


@given(rows=ROWS)
def test_sql_gives_the_closures_values_on_duckdb(
    engine: jurisdiction.Engine, duck: tuple[Any, list[tuple[str, Any, str]]], rows: list[Row]
) -> None:
    con, compiled = duck
    rows = rows + _EDGES
    got = con.execute(_query(compiled, rows)).fetchall()
    for column, (text, getter, _sql) in enumerate(compiled):
        assert [g[column] for g in got] == _expected(engine, getter, rows), text


def test_sql_needs_an_as_of_date(engine: jurisdiction.Engine) -> None:
    pytest.importorskip("sqlglot")
    from jurisdiction.batch.sql_vocabulary import SqlUnsupportedError, SqlVocabulary

    v = SqlVocabulary(engine.policy, "period")
    node = parse_expression("months_between(period.a, as_of) >= 6")
    with pytest.raises(SqlUnsupportedError, match="no as-of date was given"):
        v._compile(node, "period", None)
    # what reads no as_of compiles as before
    v._compile(parse_expression("months_between(period.a, period.b) >= 6"), "period", None)


def _spark_or_skip() -> Any:
    if not os.environ.get("CI"):
        pytest.importorskip("pyspark")
        if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
            pytest.skip("Spark needs Java")
    from jurisdiction.batch.spark import session

    return session()


def _sample(n: int) -> Iterator[Row]:
    import random

    rng = random.Random(18)
    for _ in range(n):
        a = D.fromordinal(rng.randint(1, LAST.toordinal()))
        b = None if rng.random() < 0.1 else D.fromordinal(rng.randint(1, LAST.toordinal()))
        near = D.fromordinal(max(1, min(LAST.toordinal(), a.toordinal() + rng.randint(-800, 800))))
        k = rng.choice([rng.randint(-40, 40), rng.randint(-5_000_000, 5_000_000)])
        yield (a, b if rng.random() < 0.5 else near, k, near)


@pytest.mark.filterwarnings(
    "ignore::FutureWarning", "ignore::DeprecationWarning", "ignore::ResourceWarning"
)
def test_sql_gives_the_closures_values_on_spark(engine: jurisdiction.Engine) -> None:
    spark = _spark_or_skip()
    rows = _EDGES + list(_sample(120))
    compiled = _compiled(engine, "spark")
    got = spark.sql(_query(compiled, rows)).collect()
    for column, (text, getter, _sql) in enumerate(compiled):
        assert [g[column] for g in got] == _expected(engine, getter, rows), text


# --- the rest of the library reads policies that use them ---------------------------------------


def test_batch_answers_as_decide_does(engine: jurisdiction.Engine) -> None:
    pa = pytest.importorskip("pyarrow")
    pytest.importorskip("duckdb")
    from jurisdiction.batch.embedded import decide_table
    from jurisdiction.batch.plan import decision_row
    from jurisdiction.batch.query import arrow_schema

    rows = [
        {"id": str(i), "a": a, "b": b, "k": k}
        for i, (a, b, k, _when) in enumerate(_EDGES + list(_sample(60)))
    ]
    schema = arrow_schema(engine, "period").insert(0, pa.field("id", pa.string()))
    table = pa.Table.from_pylist(rows, schema=schema)
    got = decide_table(engine, table, "six_months", nested=True).to_pylist()
    for row, out in zip(rows, got, strict=True):
        assert out.pop("id") == row["id"]
        assert (out.pop("as_of"), out.pop("as_of_source")) == (datetime.date.today(), "today")
        fact_set = {"kind": "period", **{k: v for k, v in row.items() if v is not None}}
        fact_set.pop("id")
        assert out == decision_row(engine.decide(fact_set, "six_months"), nested=True), row


def test_checker_reads_policies_with_periods(tmp_path: Path) -> None:
    """The checker, partition and realiser run to the end over the period functions (exactness
    over dates is the checker's own; here: nothing breaks)."""
    root = _policy(tmp_path, _QUESTIONS)
    engine = jurisdiction.load(root)
    findings = list(jurisdiction.check(engine))
    assert all(f.question != "six_months" or f.code != "conflict" for f in findings)
