"""A question compiled into a batch plan: one SQL projection that answers a whole table.

The plan is the engine's own compiled question read as a lookup table (``Engine.decide`` makes
the same lookup per fact set, see ``_CompiledQuestion.plan``):

1. each feature the question's rules read becomes a column expression (``batch.sql_vocabulary``);
2. each feature becomes the index of its value: a boolean 0/1, an enum its value's position, a
   whole number the bucket between the program's cut points (``Program.cuts``: within a bucket
   every comparison of the rules has one truth value);
3. the indices make one class number; every class of the product is decided once, here, by the
   engine's program and ``_Plan`` (fired rules, overrides, outcome, bodies, citations), and the
   class number indexes a constant array of answer numbers;
4. each answer's outcome, citations and sources are constants, and its bodies are its templates
   with the place codes read from the row's place columns at the template's level.

A district whose overlay changes the question gets a lookup of its own (its parameter values
move the cut points), chosen by the district of the row's location, as ``decide`` chooses.

Rows the plan cannot answer as ``decide`` would — facts the model refuses (the validity test of
``batch.sql_vocabulary``), a class whose rules conflict, an answer naming a place the facts lack —
are
*flagged*: the runner decides them with ``decide`` itself, so their error is decide's message.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from ..core.text import PLACEHOLDER
from ..engine.decision import Decision
from ..engine.filled import shown
from ..language.compile import _Compiler, _fold
from .sql_vocabulary import SqlUnsupportedError, SqlVocabulary, at_level, cast, lit

if TYPE_CHECKING:
    from ..engine.engine import Engine, _CompiledQuestion

__all__ = [
    "BODY_FIELDS",
    "Answer",
    "QuestionPlan",
    "answer_columns",
    "answer_number",
    "body_fields",
    "column_type",
    "decision_row",
    "error_row",
    "features_read",
    "levelled",
    "output_columns",
    "places_read",
    "plan_question",
    "reason_facts",
]

SEP = "; "
"""How the flat output joins several bodies' fields, citations or sources in one text cell."""

FLAT_COLUMNS = (
    "outcome",
    "body_kind",
    "body_level",
    "body_place_code",
    "body_role",
    "body_cite",
    "citations",
    "sources",
    "reason_zh",
    "reason_en",
    "error",
)
NESTED_COLUMNS = ("outcome", "bodies", "citations", "sources", "reason_zh", "reason_en", "error")
BODY_FIELDS = ("kind", "level", "place_code", "role", "cite", "via")
"""A body of the nested output; the flat output's ``body_cite`` is its chain, "via → cite"."""
OWN_LEVEL = "body_level"
"""A body's own level, computed from its place (``bodies.<kind>.level``, ``Body.body_level``):
a field of the nested output's bodies and, prefixed ``body_``, a column of the flat output —
only where the policy computes the level of some body (other policies' outputs are as they
were)."""


def levelled(engine: Engine) -> bool:
    """Whether the policy computes the level of some body from its place: its batch output
    then carries each body's own level."""
    return any(spec.level is not None for spec in engine.policy.bodies.values())


def body_fields(levels: bool = False) -> tuple[str, ...]:
    """The fields of a body of the nested output (with its own level: ``levels``)."""
    return (*BODY_FIELDS, OWN_LEVEL) if levels else BODY_FIELDS


def output_columns(nested: bool, levels: bool = False) -> tuple[str, ...]:
    """The answer columns of one question, in order (``levels``: see ``levelled``)."""
    if nested or not levels:
        return NESTED_COLUMNS if nested else FLAT_COLUMNS
    at = FLAT_COLUMNS.index("body_level") + 1
    return (*FLAT_COLUMNS[:at], f"body_{OWN_LEVEL}", *FLAT_COLUMNS[at:])


def column_type(name: str, nested: bool, levels: bool = False) -> str:
    """The SQL type (DuckDB's words) of an answer column: text, or a list in the nested form."""
    if name == "bodies":
        return "STRUCT(" + ", ".join(f"{f} VARCHAR" for f in body_fields(levels)) + ")[]"
    return "VARCHAR[]" if nested and name in ("citations", "sources") else "VARCHAR"


@dataclass(frozen=True, slots=True)
class BodySpec:
    kind: str
    level: str
    place: str
    role: str
    cite: str
    via: str | None

    @property
    def chain(self) -> str:
        return self.cite if self.via is None else f"{self.via} → {self.cite}"


@dataclass(frozen=True, slots=True)
class FactValue:
    """A value of the row's facts a reason shows (its placeholder ``{subject.name}``)."""

    name: str


ReasonParts = tuple[str | FactValue, ...]
"""A reason in one language: its text, cut where it shows a value of the row's facts."""


@dataclass(frozen=True, slots=True)
class Answer:
    """What a class of fact sets gets: everything of a decision but the bodies' place codes."""

    outcome: str
    bodies: tuple[BodySpec, ...]
    citations: tuple[str, ...]
    sources: tuple[str, ...]
    reason: tuple[ReasonParts, ReasonParts] | None = None  # zh, en
    python: bool = False  # decided row by row by decide (a conflict: decide raises its error;
    # a scope that lists every failed criterion: which fail is the row's own)


@dataclass(frozen=True, slots=True)
class _Lookup:
    """One compiled variant of the question (the city's, or a district's): its class lookup."""

    district: str | None
    dims: tuple[tuple[str, str, tuple[Any, ...]], ...]  # (feature, kind, values or cut points)
    answers: tuple[int, ...]  # answer number of each class number


@dataclass(frozen=True, slots=True)
class QuestionPlan:
    question: str
    subject: str
    lookups: tuple[_Lookup, ...]  # the city's first
    answers: tuple[Answer, ...]
    district_digits: int
    location: str | None

    @property
    def classes(self) -> int:
        return sum(len(lk.answers) for lk in self.lookups)


# --- from the engine's compiled question to a lookup table ---------------------------------------


def _lookup(engine: Engine, compiled: _CompiledQuestion, answers: dict[Answer, int]) -> _Lookup:
    policy = engine.policy
    features = policy.subjects[compiled.question.subject].features
    folded = [_fold(r.expanded, compiled.params) for r in compiled.rules]
    comp = _Compiler(features, folded)
    program = comp.program()
    names = sorted(comp.slot, key=comp.slot.__getitem__)
    cuts = dict(program.cuts)
    dims: list[tuple[str, str, tuple[Any, ...]]] = []
    choices: list[list[Any]] = []
    for i, name in enumerate(names):
        ftype = features[name].type
        if ftype.kind == "bool":
            dims.append((name, "bool", (False, True)))
            choices.append([False, True])
        elif ftype.kind == "enum":
            dims.append((name, "enum", ftype.values))
            choices.append(list(ftype.values))
        else:
            if i not in cuts:
                raise SqlUnsupportedError(
                    f"question `{compiled.question.name}` compares whole-number feature `{name}` "
                    "with another feature: the batch plan buckets whole numbers at constants only"
                )
            points = cuts[i]
            dims.append((name, "int", points))
            # a representative of each bucket: below the first cut point, then each cut point
            choices.append([points[0] - 1, *points] if points else [0])
    ctx = engine.context
    numbers: list[int] = []
    for combo in itertools.product(*choices):
        plan = compiled.plan(policy, ctx, list(combo))
        answer = _answer_of(plan)
        numbers.append(answers.setdefault(answer, len(answers)))
    return _Lookup(compiled.district, tuple(dims), tuple(numbers))


def _answer_of(plan: Any) -> Answer:
    """The answer of one engine ``_Plan``, without its place codes."""
    if plan.conflict is not None:
        return Answer("", (), (), plan.sources, python=True)
    if plan.criteria:  # every failed criterion (`criteria: all`): the rows' own, by decide
        return Answer(plan.outcome, (), (), plan.sources, python=True)
    bodies = tuple(
        BodySpec(
            t.kind,
            t.level,
            t.place,
            t.role,
            str(t.cite),
            None if t.via is None else str(t.via),
        )
        for t in (s.template for s in plan.slots)
    )
    citations = tuple(str(c.cite) for c in plan.citations)
    reason = None
    if plan.reason is not None:
        fills = dict(plan.fills)
        reason = (_parts(plan.reason.zh, fills), _parts(plan.reason.en, fills))
    return Answer(plan.outcome, bodies, citations, tuple(plan.sources), reason)


def _parts(text: str, fills: Mapping[str, Any]) -> ReasonParts:
    """A reason's text cut at its placeholders: a parameter's value (a constant of the plan,
    the overlay's where one applies) filled in, a fact's left as a FactValue."""
    out: list[str | FactValue] = []
    at = 0
    for m in PLACEHOLDER.finditer(text):
        if m.group(0) not in fills:
            continue
        out.append(text[at : m.start()])
        if m[1] == "param":
            out.append(shown(fills[m.group(0)](None, None)))
        else:
            out.append(FactValue(m[2]))
        at = m.end()
    out.append(text[at:])
    merged: list[str | FactValue] = []
    for part in out:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        elif part != "":
            merged.append(part)
    return tuple(merged)


_PLANS: dict[int, tuple[Engine, dict[str, QuestionPlan]]] = {}
"""The plans built for the last few engines (an engine is immutable; each is held here, so its
id stays its own): a question's plan decides each of its classes, which takes a good part of
a second for the largest questions."""
_ENGINES_KEPT = 4


def plan_question(engine: Engine, question: str) -> QuestionPlan:
    """The batch plan of ``question``: a lookup for the city and one per district overlay that
    changes the question (built once per engine)."""
    kept = _PLANS.get(id(engine))
    if kept is None:
        while len(_PLANS) >= _ENGINES_KEPT:
            del _PLANS[next(iter(_PLANS))]
        kept = _PLANS[id(engine)] = (engine, {})
    plans = kept[1]
    found = plans.get(question)
    if found is None:
        found = plans[question] = _plan_question(engine, question)
    return found


def _plan_question(engine: Engine, question: str) -> QuestionPlan:
    q = engine.question(question)
    answers: dict[Answer, int] = {}
    lookups = [_lookup(engine, c, answers) for c in engine.compiled_variants(q.name)]
    policy = engine.policy
    h = policy.hierarchy
    digits = h.length(h.overlay_level) if h.overlay_level else 0
    ordered = sorted(answers, key=answers.__getitem__)
    return QuestionPlan(
        q.name,
        q.subject,
        tuple(lookups),
        tuple(ordered),
        digits,
        policy.subjects[q.subject].location,
    )


# --- the plan as SQL -----------------------------------------------------------------------------


def _size(kind: str, values: tuple[Any, ...]) -> int:
    return 2 if kind == "bool" else len(values) + (1 if kind == "int" else 0)


_Table = list[tuple[tuple[int, ...], int]]
"""Classes of a lookup: each one's index per dimension, and its answer number."""


def _answer_number(lookup: _Lookup, features: Mapping[str, exp.Expr]) -> exp.Expr:
    """A row's answer number: a decision tree over its feature columns, null where a feature
    has a value no class holds. The tree tests at each node the dimension that leaves the
    least to tell apart below it, and joins the branches that lead to the same answers, so a
    row's answer costs a few comparisons (an array indexed by a computed class number costs
    far more on DuckDB)."""
    sizes = [_size(kind, values) for _n, kind, values in lookup.dims]
    table: _Table = list(
        zip(itertools.product(*(range(n) for n in sizes)), lookup.answers, strict=True)
    )
    return _Tree(lookup.dims, features).build(tuple(range(len(sizes))), frozenset(table))


class _Tree:
    """The decision tree of one lookup. A node is a sub-table: its free dimensions, and each
    class's indices along them with its answer; equal nodes are built once."""

    def __init__(
        self,
        dims: tuple[tuple[str, str, tuple[Any, ...]], ...],
        features: Mapping[str, exp.Expr],
    ) -> None:
        self.dims, self.features = dims, features
        self.built: dict[tuple[tuple[int, ...], frozenset[tuple[tuple[int, ...], int]]], exp.Expr]
        self.built = {}

    @staticmethod
    def split(table: frozenset[tuple[tuple[int, ...], int]], p: int) -> dict[int, frozenset[Any]]:
        """The sub-tables of each index along the ``p``-th free dimension, without it."""
        groups: dict[int, list[tuple[tuple[int, ...], int]]] = {}
        for idx, a in table:
            groups.setdefault(idx[p], []).append((idx[:p] + idx[p + 1 :], a))
        return {v: frozenset(g) for v, g in groups.items()}

    def build(
        self, free: tuple[int, ...], table: frozenset[tuple[tuple[int, ...], int]]
    ) -> exp.Expr:
        found = self.built.get((free, table))
        if found is None:
            found = self.built[(free, table)] = self._build(free, table)
        return found.copy()

    def _build(
        self, free: tuple[int, ...], table: frozenset[tuple[tuple[int, ...], int]]
    ) -> exp.Expr:
        answers = {a for _i, a in table}
        if len(answers) == 1:
            return lit(answers.pop())

        def cost(p: int) -> tuple[int, int]:
            """How much is left to tell apart below a split on the ``p``-th free dimension:
            the different answers of each different sub-table, summed; then their number."""
            subs = set(self.split(table, p).values())
            return sum(len({a for _i, a in sub}) for sub in subs), len(subs)

        p = min(range(len(free)), key=cost)
        name, kind, values = self.dims[free[p]]
        rest = free[:p] + free[p + 1 :]
        groups = self.split(table, p)
        keys = [groups[v] for v in range(_size(kind, values))]
        if len(set(keys)) == 1:
            return self.build(rest, keys[0])
        f = self.features[name]
        case = exp.Case()
        if kind == "bool":
            return case.when(f.copy(), self.build(rest, keys[1]), copy=False).when(
                exp.Not(this=f.copy()), self.build(rest, keys[0]), copy=False
            )
        if kind == "enum":
            together: dict[frozenset[Any], list[Any]] = {}
            for v, key in zip(values, keys, strict=True):
                together.setdefault(key, []).append(v)
            for key, vs in together.items():
                test = (
                    exp.EQ(this=f.copy(), expression=lit(vs[0]))
                    if len(vs) == 1
                    else exp.In(this=f.copy(), expressions=[lit(v) for v in vs])
                )
                case = case.when(test, self.build(rest, key), copy=False)
            return case
        # whole numbers: bucket i is below cut point i; the last, at or above the last one
        for i, point in enumerate(values):
            if keys[i] != keys[i + 1]:
                below = exp.LT(this=f.copy(), expression=lit(point))
                case = case.when(below, self.build(rest, keys[i]), copy=False)
        not_null = exp.Not(this=exp.Is(this=f.copy(), expression=exp.Null()))
        return case.when(not_null, self.build(rest, keys[-1]), copy=False)


def _ids(aid: exp.Expr, ids: list[int]) -> exp.Expr:
    """``aid`` is one of ``ids``: runs of consecutive numbers as ranges (a long IN list would
    become a join)."""
    runs: list[tuple[int, int]] = []
    for i in sorted(ids):
        if runs and runs[-1][1] + 1 == i:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    tests = [
        exp.EQ(this=aid.copy(), expression=lit(a))
        if a == b
        else exp.Between(this=aid.copy(), low=lit(a), high=lit(b))
        for a, b in runs
    ]
    return exp.or_(*tests, copy=False)


def _by_answer(
    aid: exp.Expr,
    answers: Sequence[Answer],
    make: Callable[[Answer], exp.Expr | None],
    key: Callable[[Answer], Hashable],
) -> exp.Expr:
    """A column's value for the row's answer, as a CASE over answer numbers: answers of one
    ``key`` share one value, made once (``make``; None: the column is null for them), and
    answers whose values are the same expression share one branch (each branch is a test of
    every row the branches before it left: a body's kind, the same for several answers, is one
    test, not one per answer)."""
    groups: dict[Hashable, list[int]] = {}
    for i, a in enumerate(answers):
        groups.setdefault(key(a), []).append(i)
    by_value: dict[exp.Expr, list[int]] = {}  # the branches are disjoint: their order is free
    for ids in groups.values():
        value = make(answers[ids[0]])
        if value is not None:
            by_value.setdefault(value, []).extend(ids)
    if not by_value:
        return exp.Null()
    case = exp.Case()
    for value, ids in by_value.items():
        case = case.when(_ids(aid, ids), value, copy=False)
    return case


class _Bodies:
    """The body columns of each answer, from its templates and the row's place columns (and,
    where the policy computes a body's own level from its place, that level: ``levelled``)."""

    def __init__(
        self, places: Mapping[str, tuple[exp.Expr, bool]], engine: Engine, subject: str
    ) -> None:
        self.places, self.h, self.root = places, engine.policy.hierarchy, engine.context.root
        self.own = {k: s.level for k, s in engine.policy.bodies.items() if s.level is not None}
        self.levels = bool(self.own)
        self.v = SqlVocabulary(engine.policy, subject) if self.own else None

    def own_level(self, b: BodySpec, code: exp.Expr) -> exp.Expr | None:
        """The own level of body ``b`` at the place ``code`` (None: its kind has none)."""
        level = self.own.get(b.kind)
        if level is None or self.v is None:
            return None
        return self.v.body_level(level, code)

    def place(self, name: str) -> tuple[exp.Expr, bool]:
        sql, many = self.places[name]
        return sql.copy(), many

    def codes(self, b: BodySpec) -> tuple[exp.Expr, bool]:
        """The place code(s) of one body: a text, or a list for a place of several codes."""
        if b.level == self.h.root:
            return lit(self.root), False
        n = self.h.length(b.level)
        sql, many = self.place(b.place)
        if not many:
            return at_level(sql, n), False
        item = exp.to_identifier("_p")
        return exp.Transform(
            this=sql, expression=exp.Lambda(this=at_level(exp.column("_p"), n), expressions=[item])
        ), True

    def missing(self, answer: Answer) -> exp.Expr | None:
        """True when a body of the answer names a place the row lacks (decide raises)."""
        tests: list[exp.Expr] = []
        for b in answer.bodies:
            codes, many = self.codes(b)
            if b.level == self.h.root:
                continue
            if not many:
                tests.append(exp.Is(this=codes, expression=exp.Null()))
                continue
            item = exp.to_identifier("_c")
            nulls = exp.ArrayFilter(
                this=codes.copy(),
                expression=exp.Lambda(
                    this=exp.Is(this=exp.column("_c"), expression=exp.Null()), expressions=[item]
                ),
            )
            tests.append(
                exp.func(
                    "COALESCE",
                    exp.or_(
                        exp.EQ(this=exp.ArraySize(this=codes), expression=lit(0)),
                        exp.GT(this=exp.ArraySize(this=nulls), expression=lit(0)),
                        copy=False,
                    ),
                    exp.true(),
                )
            )
        return exp.or_(*tests, copy=False) if tests else None

    def nested(self, answer: Answer, *, chain: bool = False) -> exp.Expr:
        """The answer's bodies as a list of structs (BODY_FIELDS; with ``chain``, the flat
        output's citation chain too)."""
        parts: list[exp.Expr] = []
        singles: list[exp.Expr] = []
        for b in answer.bodies:
            codes, many = self.codes(b)
            if not many:
                singles.append(self.struct(b, codes, chain))
                continue
            if singles:
                parts.append(exp.Array(expressions=singles))
                singles = []
            item = exp.to_identifier("_q")
            parts.append(
                exp.Transform(
                    this=codes,
                    expression=exp.Lambda(
                        this=self.struct(b, exp.column("_q"), chain), expressions=[item]
                    ),
                )
            )
        if singles or not parts:
            parts.append(
                exp.Array(expressions=singles) if singles else _empty_bodies(chain, self.levels)
            )
        out = parts[0]
        for p in parts[1:]:
            out = exp.ArrayConcat(this=out, expressions=[p])
        return out

    def flat(self, answer: Answer, field: str) -> exp.Expr | None:
        """One field of the answer's bodies as text, several joined by SEP (null: no body)."""
        if not answer.bodies:
            return None
        if not any(self.codes(b)[1] for b in answer.bodies):
            values = [
                self.codes(b)[0] if field == "place_code" else lit(_flat_field(b, field))
                for b in answer.bodies
            ]
            if len(values) == 1:
                return values[0]
            joined: list[exp.Expr] = []
            for i, value in enumerate(values):
                if i:
                    joined.append(lit(SEP))
                joined.append(value)
            return exp.Concat(expressions=joined, safe=False, coalesce=False)
        # the field of each body straight from its place's list, no struct built and picked
        # from: a place code list is the field itself, any other field one constant an item
        parts: list[exp.Expr] = []
        singles: list[exp.Expr] = []
        for b in answer.bodies:
            codes, many = self.codes(b)
            if not many:
                singles.append(codes if field == "place_code" else lit(_flat_field(b, field)))
                continue
            if singles:
                parts.append(exp.Array(expressions=singles))
                singles = []
            if field == "place_code":
                parts.append(codes)
                continue
            raw, _ = self.place(b.place)  # as many items as its codes, each the same text
            parts.append(
                exp.Transform(
                    this=raw,
                    expression=exp.Lambda(
                        this=lit(_flat_field(b, field)), expressions=[exp.to_identifier("_q")]
                    ),
                )
            )
        if singles:
            parts.append(exp.Array(expressions=singles))
        picked = parts[0]
        for part in parts[1:]:
            picked = exp.ArrayConcat(this=picked, expressions=[part])
        return exp.ArrayToString(this=picked, expression=lit(SEP))

    def flat_own(self, answer: Answer) -> exp.Expr | None:
        """The answer's bodies' own levels as text, several joined by SEP ("" for a body
        without one); null where no body of the row has one (as ``decision_row``)."""
        if not any(b.kind in self.own for b in answer.bodies):
            return None
        if not any(self.codes(b)[1] for b in answer.bodies):
            values = [self.own_level(b, self.codes(b)[0]) for b in answer.bodies]
            none = exp.and_(
                *(exp.Is(this=v.copy(), expression=exp.Null()) for v in values if v is not None),
                copy=False,
            )
            pieces: list[exp.Expr] = []
            for i, v in enumerate(values):
                if i:
                    pieces.append(lit(SEP))
                pieces.append(lit("") if v is None else exp.func("COALESCE", v, lit("")))
            text = (
                pieces[0]
                if len(pieces) == 1
                else exp.Concat(expressions=pieces, safe=False, coalesce=False)
            )
            return exp.Case().when(none, exp.Null(), copy=False).else_(text, copy=False)
        item, each = exp.to_identifier("_b"), exp.to_identifier("_l")
        picked = exp.Transform(
            this=self.nested(answer),
            expression=exp.Lambda(
                this=exp.Dot(this=exp.column("_b"), expression=exp.to_identifier(OWN_LEVEL)),
                expressions=[item],
            ),
        )
        present = exp.ArrayFilter(
            this=picked.copy(),
            expression=exp.Lambda(
                this=exp.Not(this=exp.Is(this=exp.column("_l"), expression=exp.Null())),
                expressions=[each],
            ),
        )
        text = exp.ArrayToString(
            this=exp.Transform(
                this=picked,
                expression=exp.Lambda(
                    this=exp.func("COALESCE", exp.column("_l"), lit("")),
                    expressions=[each.copy()],
                ),
            ),
            expression=lit(SEP),
        )
        empty = exp.EQ(this=exp.ArraySize(this=present), expression=lit(0))
        return exp.Case().when(empty, exp.Null(), copy=False).else_(text, copy=False)

    def struct(self, b: BodySpec, code: exp.Expr, chain: bool = False) -> exp.Expr:
        """One body of the nested output (BODY_FIELDS, its own level where the policy computes
        some; with ``chain``, the flat output's citation chain too)."""
        null = cast(exp.Null(), "VARCHAR")
        fields = {
            "kind": lit(b.kind),
            "level": lit(b.level),
            "place_code": code,
            "role": lit(b.role),
            "cite": lit(b.cite),
            "via": null.copy() if b.via is None else lit(b.via),
        }
        if self.levels:
            own = self.own_level(b, code)
            fields[OWN_LEVEL] = null.copy() if own is None else own
        if chain:
            fields["chain"] = lit(b.chain)
        return exp.Struct(
            expressions=[
                exp.PropertyEQ(this=exp.to_identifier(k), expression=v) for k, v in fields.items()
            ]
        )


def _flat_field(b: BodySpec, field: str) -> str:
    return b.chain if field == "cite" else str(getattr(b, field))


def _empty_bodies(chain: bool = False, levels: bool = False) -> exp.Expr:
    names = [*body_fields(levels), "chain"] if chain else list(body_fields(levels))
    struct = ", ".join(f"{n} VARCHAR" for n in names)
    return cast(exp.Array(expressions=[]), f"STRUCT<{struct}>[]")


def reason_facts(plan: QuestionPlan) -> list[str]:
    """The names of the facts the reasons of the plan's answers show."""
    return sorted(
        {
            p.name
            for a in plan.answers
            if a.reason is not None
            for parts in a.reason
            for p in parts
            if isinstance(p, FactValue)
        }
    )


def _reason(parts: ReasonParts, shown_sql: Mapping[str, exp.Expr]) -> exp.Expr:
    """A reason's text, with the row's values (``shown_sql``: as decide shows them) in it."""
    pieces = [lit(p) if isinstance(p, str) else shown_sql[p.name].copy() for p in parts]
    if len(pieces) == 1:
        return pieces[0]
    return exp.Concat(expressions=pieces, safe=False, coalesce=False)


def _text_list(values: tuple[str, ...]) -> exp.Expr:
    if not values:
        return cast(exp.Array(expressions=[]), "VARCHAR[]")
    return exp.Array(expressions=[lit(v) for v in values])


def places_read(engine: Engine, plan: QuestionPlan) -> list[str]:
    """The place references the plan reads: the location (for overlays) and the bodies'."""
    root = engine.policy.hierarchy.root
    names = [b.place for a in plan.answers for b in a.bodies if b.level != root]
    if len(plan.lookups) > 1 and plan.location is not None:
        names.append(plan.location)
    return sorted(set(names))


def features_read(plan: QuestionPlan) -> list[str]:
    return sorted({name for lk in plan.lookups for name, _k, _v in lk.dims})


def answer_number(
    plan: QuestionPlan,
    features: Mapping[str, exp.Expr],
    places: Mapping[str, tuple[exp.Expr, bool]],
) -> exp.Expr:
    """The answer number of a row, from its feature (and location) columns."""
    aid: exp.Expr = _answer_number(plan.lookups[0], features)
    if len(plan.lookups) > 1:
        assert plan.location is not None
        where, _many = places[plan.location]
        case = exp.Case()
        # the finest place first: a narrower place's overlay applies over a wider one's
        for lk in sorted(plan.lookups[1:], key=lambda lk: -len(lk.district or "")):
            assert lk.district is not None
            district = at_level(where.copy(), len(lk.district))
            case = case.when(
                exp.EQ(this=district, expression=lit(lk.district)),
                _answer_number(lk, features),
                copy=False,
            )
        aid = case.else_(aid, copy=False)
    return aid


def answer_columns(
    engine: Engine,
    plan: QuestionPlan,
    aid: exp.Expr,
    places: Mapping[str, tuple[exp.Expr, bool]],
    shown_sql: Mapping[str, exp.Expr],
    *,
    nested: bool,
    prefix: str = "",
) -> tuple[list[tuple[str, exp.Expr]], exp.Expr]:
    """The answer columns of one question (named ``prefix + column``) from its answer number
    and place columns, and its flag (but for the validity test): true for a row the runner
    must decide with ``decide``."""
    answers = plan.answers
    bodies = _Bodies(places, engine, plan.subject)

    def column(
        make: Callable[[Answer], exp.Expr | None], key: Callable[[Answer], Hashable]
    ) -> exp.Expr:
        return _by_answer(aid, answers, make, key)

    def by_bodies(a: Answer) -> Hashable:
        return a.bodies

    out: list[tuple[str, exp.Expr]] = [
        (
            "outcome",
            column(lambda a: None if a.python else lit(a.outcome), lambda a: (a.python, a.outcome)),
        )
    ]
    if nested:
        out.append(("bodies", column(bodies.nested, by_bodies)))
        out.append(("citations", column(lambda a: _text_list(a.citations), lambda a: a.citations)))
        out.append(("sources", column(lambda a: _text_list(a.sources), lambda a: a.sources)))
    else:
        for field in ("kind", "level", "place_code", "role", "cite"):
            out.append((f"body_{field}", column(partial(bodies.flat, field=field), by_bodies)))
            if field == "level" and bodies.levels:  # each body's own level beside its place's
                out.append((f"body_{OWN_LEVEL}", column(bodies.flat_own, by_bodies)))
        out.append(
            (
                "citations",
                column(
                    lambda a: lit(SEP.join(a.citations)) if a.citations else None,
                    lambda a: a.citations,
                ),
            )
        )
        out.append(
            (
                "sources",
                column(
                    lambda a: lit(SEP.join(a.sources)) if a.sources else None, lambda a: a.sources
                ),
            )
        )
    for i, lang in enumerate(("zh", "en")):

        def reason(a: Answer, i: int = i) -> exp.Expr | None:
            return None if a.reason is None else _reason(a.reason[i], shown_sql)

        def reason_key(a: Answer, i: int = i) -> Hashable:
            return None if a.reason is None else a.reason[i]

        out.append((f"reason_{lang}", column(reason, reason_key)))
    out.append(("error", cast(exp.Null(), "VARCHAR")))
    python = [i for i, a in enumerate(answers) if a.python]
    flags: list[exp.Expr] = [exp.Is(this=aid.copy(), expression=exp.Null())]
    if python:
        flags.append(_ids(aid, python))
    if any(bodies.missing(a) is not None for a in answers):
        flags.append(exp.func("COALESCE", column(bodies.missing, by_bodies), exp.false()))
    typed: list[tuple[str, exp.Expr]] = [
        (prefix + name, cast(sql, column_type(name, nested, bodies.levels))) for name, sql in out
    ]
    assert [name for name, _sql in out] == list(output_columns(nested, bodies.levels))
    flag: exp.Expr = exp.or_(*flags, copy=False)
    return typed, flag


# --- the same columns from a decision, for rows decided one by one -------------------------------


def decision_row(decision: Decision, nested: bool, levels: bool = False) -> dict[str, Any]:
    """The answer columns of a decision, as the plan computes them (with each body's own
    level: ``levels``, see ``levelled``)."""
    bodies = decision.bodies
    citations = tuple(str(c.cite) for c in decision.citations)
    r = decision.reason
    reason = {"reason_zh": r.zh if r else None, "reason_en": r.en if r else None}
    if nested:
        return {
            "outcome": decision.outcome,
            "bodies": [
                {
                    "kind": b.kind,
                    "level": b.level,
                    "place_code": b.place_code,
                    "role": b.role,
                    "cite": str(b.cite),
                    "via": None if b.via is None else str(b.via),
                    **({OWN_LEVEL: b.body_level} if levels else {}),
                }
                for b in bodies
            ],
            "citations": list(citations),
            "sources": list(decision.sources),
            **reason,
            "error": None,
        }

    def joined(values: Sequence[str]) -> str | None:
        return SEP.join(values) if values else None

    own: dict[str, str | None] = {}
    if levels:  # "" for a body without its own level; null where none has one
        mine = [b.body_level or "" for b in bodies]
        own[f"body_{OWN_LEVEL}"] = SEP.join(mine) if any(mine) else None
    return {
        "outcome": decision.outcome,
        "body_kind": joined([b.kind for b in bodies]),
        "body_level": joined([b.level for b in bodies]),
        **own,
        "body_place_code": joined([b.place_code for b in bodies]),
        "body_role": joined([b.role for b in bodies]),
        "body_cite": joined(
            [str(b.cite) if b.via is None else f"{b.via} → {b.cite}" for b in bodies]
        ),
        "citations": joined(citations),
        "sources": joined(decision.sources),
        **reason,
        "error": None,
    }


def error_row(message: str, nested: bool, levels: bool = False) -> dict[str, Any]:
    """The answer columns of a row that has no decision: only its error."""
    row: dict[str, Any] = dict.fromkeys(output_columns(nested, levels))
    row["error"] = message
    return row
