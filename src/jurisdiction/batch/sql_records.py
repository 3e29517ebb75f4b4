"""Lists of records and lookup tables in SQL: ``any``, ``all``, ``count``, ``sum``, ``min``,
``max`` over a list column of structs, and ``lookup`` in a policy's table, value for value as
``language.aggregates`` computes them in Python.

A list of records is a list column whose items are structs (Parquet, JSON); the functions become
the list functions of DuckDB (``list_filter``, ``list_transform``, ``list_sum``…) and of Spark
(``filter``, ``transform``, ``aggregate``…), which sqlglot writes in each dialect. A null list is
read as the empty list; a null body is false (``any``, ``all``, ``count``) or left out (``sum``,
``min``, ``max``). A lookup is a ``CASE`` over the table's rows.
"""

from __future__ import annotations

from sqlglot import exp

from ..language.aggregates import Table

__all__ = ["aggregate_sql", "lookup_sql", "records_ok", "spark_sums"]


def _lit(value: object) -> exp.Expr:
    if isinstance(value, bool):
        return exp.true() if value else exp.false()
    if isinstance(value, int):
        return exp.Literal.number(value)
    return exp.Literal.string(str(value))


def _count_where(items: exp.Expr, var: str, cond: exp.Expr) -> exp.Expr:
    """How many items meet ``cond`` (0 of a null list: tested first, for Spark's ``size`` of
    null is -1 unless ANSI mode is on)."""
    kept = exp.ArrayFilter(
        this=items.copy(), expression=exp.Lambda(this=cond, expressions=[exp.to_identifier(var)])
    )
    null = exp.Is(this=items.copy(), expression=exp.Null())
    return exp.Case(
        ifs=[exp.If(this=null, true=exp.Literal.number(0))], default=exp.ArraySize(this=kept)
    )


def aggregate_sql(name: str, items: exp.Expr, var: str, body: exp.Expr) -> exp.Expr:
    """``name(items, var -> body)``; ``body`` reads the record as the column ``var``, and is
    never null where it is a condition (``true_or_false``)."""
    zero = exp.Literal.number(0)
    if name == "any":
        return exp.GT(this=_count_where(items, var, body), expression=zero)
    if name == "all":
        return exp.EQ(this=_count_where(items, var, exp.Not(this=body)), expression=zero)
    if name == "count":
        return _count_where(items, var, body)
    values = exp.Transform(
        this=items, expression=exp.Lambda(this=body, expressions=[exp.to_identifier(var)])
    )
    present = exp.ArrayFilter(
        this=values,
        expression=exp.Lambda(
            this=exp.Not(this=exp.Is(this=exp.column("_v"), expression=exp.Null())),
            expressions=[exp.to_identifier("_v")],
        ),
    )
    if name == "sum":
        total = exp.Cast(this=exp.ArraySum(this=present), to=exp.DataType.build("BIGINT"))
        return exp.func("COALESCE", total, zero)
    if name == "min":
        return exp.ArrayMin(this=present)
    return exp.ArrayMax(this=present)


def lookup_sql(table: Table, key: exp.Expr) -> exp.Expr:
    """``lookup(table.<name>, key)``: the row's value, else the default (or null)."""
    default = exp.Null() if table.default is None else _lit(table.default)
    ifs = [
        exp.If(this=exp.EQ(this=key.copy(), expression=_lit(k)), true=_lit(v))
        for k, v in table.rows.items()
    ]
    return exp.Case(ifs=ifs, default=default)


def records_ok(value: exp.Expr, var: str, valid: exp.Expr, maximum: int | None) -> exp.Expr:
    """Every record of the list is valid (``valid`` reads it as the column ``var``), and there
    are at most ``maximum`` of them."""
    bad = _count_where(value.copy(), var, exp.Not(this=valid))
    ok: exp.Expr = exp.EQ(this=bad, expression=exp.Literal.number(0))
    if maximum is not None:
        size = _count_where(value.copy(), var, exp.true())
        ok = exp.and_(ok, exp.LTE(this=size, expression=exp.Literal.number(maximum)), copy=False)
    return ok


def spark_sums(select: exp.Expr) -> exp.Expr:
    """``select`` with each sum of a list written for Spark: ``aggregate`` from a BIGINT zero
    (sqlglot's zero is an INT, which Spark refuses to add whole numbers of BIGINT to)."""

    def spark(node: exp.Expr) -> exp.Expr:
        if not isinstance(node, exp.ArraySum):
            return node
        acc, x = exp.to_identifier("_acc"), exp.to_identifier("_x")
        add = exp.Lambda(
            this=exp.Add(this=exp.column("_acc"), expression=exp.column("_x")),
            expressions=[acc, x],
        )
        zero = exp.Cast(this=exp.Literal.number(0), to=exp.DataType.build("BIGINT"))
        return exp.Anonymous(this="AGGREGATE", expressions=[node.this, zero, add])

    return select.transform(spark)
