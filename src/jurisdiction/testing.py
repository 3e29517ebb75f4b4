"""Hypothesis strategies for every kind of fact set, and property tests for any policy.

Install with ``pip install 'jurisdiction[test]'`` (hypothesis is an optional dependency). Turn the
questions of your own policy into property tests::

    import jurisdiction
    from jurisdiction.testing import policy_properties

    PROPERTIES = policy_properties(jurisdiction.load("my_policy/"))

    @pytest.mark.parametrize("question", sorted(PROPERTIES))
    def test_policy(question):
        PROPERTIES[question]()  # hypothesis runs the question on generated fact sets

Each property asserts, for every generated fact set, what must hold of any policy
(:func:`check_decision`): ``decide`` raises no conflict and names no missing place, never answers
``no_rule`` to a question that must always answer, cites only articles (and items) of the policy
with their text, and its decision survives a JSON round trip.

The strategies are built from the subjects' own description (``SUBJECTS``), so a new kind of
fact set gets one automatically: :func:`facts` draws either one of the subject's sample fact sets
(which between them realise every consistent combination of its boolean and enum features) with
fresh place codes, or a fact set built field by field from its model. Whole numbers are
concentrated around the thresholds the policy compares them with (t−1, t, t+1), and place codes
on a few districts and streets in and outside the policy's city, so that every relation between
two places (same street, same district, another district, another city) comes up often.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from enum import Enum
from functools import lru_cache
from types import NoneType, UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

try:
    import hypothesis
    from hypothesis import strategies as st
    from hypothesis.strategies import SearchStrategy
except ImportError as exc:  # pragma: no cover - exercised by a test that hides hypothesis
    raise ImportError(
        "jurisdiction.testing needs hypothesis, an optional dependency; install it with: "
        "pip install 'jurisdiction[test]'"
    ) from exc

from pydantic import BaseModel, ValidationError

from ._decision import Decision
from ._engine import Engine
from ._errors import ConflictError, FactsError
from ._partition import Realiser, int_thresholds
from ._places import validate_place
from ._subjects import SUBJECTS, Context, FeatureType, FeatureValue, Subject

__all__ = [
    "check_decision",
    "facts",
    "place_codes",
    "policy_properties",
    "question_property",
    "thresholds",
]

# --- thresholds and whole numbers --------------------------------------------------------------


def _subject(subject: str | Subject) -> Subject:
    return subject if isinstance(subject, Subject) else SUBJECTS[subject]


def thresholds(engine: Engine, subject: str | Subject) -> dict[str, tuple[int, ...]]:
    """For each integer feature of ``subject``, the thresholds the policy compares it with, in
    the city and in every district overlay."""
    subj = _subject(subject)
    policy = engine.policy
    exprs = [
        r.expanded for q in policy.questions.values() if q.subject == subj.name for r in q.rules
    ]
    exprs += [d.expanded for d in policy.definitions.values() if d.subject == subj.name]
    found, _relational = int_thresholds(policy, subj, exprs)
    for district in policy.overlays:  # a district's own thresholds matter as much as the city's
        local = replace(policy, parameters=policy.parameters_for(district), overlays={})
        for name, values in int_thresholds(local, subj, exprs)[0].items():
            found.setdefault(name, set()).update(values)
    return {name: tuple(sorted(values)) for name, values in found.items()}


def _near(lo: int, hi: int, ts: Iterable[int]) -> SearchStrategy[int]:
    """Whole numbers in [lo, hi]: half the time next to a threshold or at an end."""
    points = sorted({p for t in ts for p in (t - 1, t, t + 1)} | {lo, hi})
    points = [p for p in points if lo <= p <= hi]
    return st.one_of(st.sampled_from(points), st.integers(lo, hi))


# --- place codes --------------------------------------------------------------------------------


def _districts(city: str) -> tuple[list[str], list[str]]:
    """A few districts in the city and a few outside it, as 6-digit codes."""
    fill = {4: ("0101", "0102", "0221"), 2: ("01", "02", "21"), 0: ("",)}[6 - len(city)]
    inside = [city + f for f in fill]
    outside = [d for d in ("110101", "110102", "130102", "310104") if not d.startswith(city)]
    return inside, outside


def place_codes(city_prefix: str, *, communities: bool = True) -> SearchStrategy[str]:
    """Valid 9-digit street/township codes (and, with ``communities``, 12-digit community and
    village codes), concentrated on a few districts and streets in and outside the city."""
    inside, outside = _districts(city_prefix)
    district = st.one_of(st.sampled_from(inside), st.sampled_from(outside))
    street = st.one_of(
        st.sampled_from(("001", "002", "003", "101", "201", "301")),
        st.integers(0, 399).map(lambda n: f"{n:03d}"),
    )
    code = st.tuples(district, street).map("".join)
    if not communities:
        return code
    community = st.one_of(
        st.sampled_from(("001", "002", "101", "201", "301")),
        st.integers(0, 399).map(lambda n: f"{n:03d}"),
    )
    return st.one_of(code, st.tuples(code, community).map("".join))


def _is_place(metadata: Iterable[Any]) -> bool:
    return any(getattr(m, "func", None) is validate_place for m in metadata)


# --- fact sets from the subject's samples, with fresh codes -------------------------------------


def _place_fields(model: type[BaseModel]) -> list[str]:
    out = []
    for name, info in model.model_fields.items():
        metadata = list(info.metadata)
        for arg in get_args(info.annotation):
            if get_origin(arg) is Annotated:
                metadata += list(get_args(arg)[1:])
        if _is_place(metadata):
            out.append(name)
    return out


_FORMS = ((0, 99), (100, 199), (200, 399))  # subdistrict / town / township; urban and rural


def _form_range(part: str) -> tuple[int, int]:
    n = int(part)
    return next((lo, hi) for lo, hi in _FORMS if lo <= n <= hi)


def _district_like(code: str, city: str) -> SearchStrategy[str]:
    """Another district code, in the city if ``code`` is, outside it if not."""
    width = 6 - len(city)
    if code.startswith(city):
        if not width:
            return st.just(code)  # the city is one district: nothing to rename
        return st.integers(1, 10**width - 1).map(lambda n: f"{city}{n:0{width}d}")
    return (
        st.tuples(st.integers(11, 65), st.integers(101, 9999))
        .map(lambda t: f"{t[0]}{t[1]:04d}")
        .filter(lambda c: not c.startswith(city))
    )


def _codes_of(value: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The place codes in a field's value: one code, or several (e.g. adjacent districts)."""
    return tuple(value) if isinstance(value, tuple | list) else (value,)


@st.composite
def _recoded(draw: st.DrawFn, model: BaseModel, city: str) -> BaseModel:
    """``model`` with its place codes renamed consistently: districts to other districts (in the
    city or not, as before), streets and communities to others of the same form, distinct
    codes staying distinct — so every relation between the places is kept."""
    data = model.model_dump()
    fields = [f for f in _place_fields(type(model)) if data.get(f)]
    codes = {c for f in fields for c in _codes_of(data[f])}
    parts = sorted({c[:n] for c in codes for n in (6, 9, 12) if len(c) >= n}, key=len)
    mapping: dict[str, str] = {}
    for part in parts:  # districts first, then streets, then communities
        if len(part) == 6:
            new = draw(_district_like(part, city))
        else:
            lo, hi = _form_range(part[-3:])
            new = mapping[part[:-3]] + f"{draw(st.integers(lo, hi)):03d}"
        if new in mapping.values():  # a collision: keep this part as it was
            new = part
        mapping[part] = new
    for f in fields:
        value = data[f]
        data[f] = (
            type(value)(mapping[c] for c in value)
            if isinstance(value, tuple | list)
            else (mapping[value])
        )
    try:
        return type(model).model_validate(data)
    except ValidationError:
        return model


@lru_cache(maxsize=64)
def _samples(
    engine: Engine, subject: str
) -> tuple[tuple[BaseModel, Mapping[str, FeatureValue]], ...]:
    return tuple(Realiser(engine.context).samples(SUBJECTS[subject]))


def _from_samples(
    engine: Engine, subj: Subject, where: Mapping[str, FeatureValue]
) -> SearchStrategy[BaseModel]:
    ctx = engine.context
    plain = {k: v for k, v in where.items() if subj.features[k].type.kind != "int"}
    bases = [
        m
        for m, values in _samples(engine, subj.name)
        if all(values[k] == v for k, v in plain.items())
    ]
    if not bases:
        raise ValueError(f"no {subj.name} fact set has {dict(where)}")
    near = thresholds(engine, subj)
    ints: dict[str, SearchStrategy[Any]] = {}
    for feature, fieldname in subj.int_fields.items():
        ftype = subj.features[feature].type
        ints[fieldname] = (
            st.just(where[feature])
            if feature in where
            else _near(ftype.minimum, ftype.maximum, near.get(feature, ()))
        )

    def build(base: BaseModel, values: dict[str, Any]) -> BaseModel | None:
        try:
            return subj.model.model_validate({**base.model_dump(), **values})
        except ValidationError:
            return None

    def keeps(model: BaseModel | None, base: BaseModel) -> bool:
        if model is None:
            return False
        return all(
            subj.features[k].get(model, ctx) == subj.features[k].get(base, ctx)
            for k in subj.features
            if subj.features[k].type.kind != "int"
        ) and all(subj.features[k].get(model, ctx) == v for k, v in where.items())

    @st.composite
    def draw(d: st.DrawFn) -> BaseModel:
        base = d(st.sampled_from(bases))
        model = build(base, d(st.fixed_dictionaries(ints)))
        hypothesis.assume(model is not None)
        assert model is not None
        recoded = d(_recoded(model, ctx.city_prefix))
        return recoded if keeps(recoded, model) else model

    return draw()


# --- fact sets built field by field -----------------------------------------------------------


def _int_bounds(metadata: Iterable[Any]) -> tuple[int | None, int | None]:
    lo = hi = None
    for m in metadata:
        for inner in (m, *getattr(m, "metadata", ())):
            if getattr(inner, "ge", None) is not None:
                lo = inner.ge
            if getattr(inner, "gt", None) is not None:
                lo = inner.gt + 1
            if getattr(inner, "le", None) is not None:
                hi = inner.le
            if getattr(inner, "lt", None) is not None:
                hi = inner.lt - 1
    return lo, hi


def _for_type(
    tp: Any,
    metadata: list[Any],
    city: str,
    near: tuple[int, ...],
    ftype: FeatureType | None,
    digits: frozenset[int] = frozenset({9, 12}),
) -> SearchStrategy[Any] | None:
    origin = get_origin(tp)
    if origin is Annotated:
        base, *extra = get_args(tp)
        return _for_type(base, [*metadata, *extra], city, near, ftype, digits)
    if origin in (Union, UnionType):
        parts = [_for_type(a, metadata, city, near, ftype, digits) for a in get_args(tp)]
        return None if any(p is None for p in parts) else st.one_of(*parts)  # type: ignore[arg-type]
    if tp is NoneType:
        return st.none()
    if origin is Literal:
        return st.sampled_from(get_args(tp))
    if isinstance(tp, type) and issubclass(tp, Enum):
        return st.sampled_from(list(tp))
    if tp is bool:
        return st.booleans()
    if tp is int:
        lo, hi = _int_bounds(metadata)
        lo = lo if lo is not None else (ftype.minimum if ftype else -(10**6))
        hi = hi if hi is not None else (ftype.maximum if ftype else 10**6)
        return _near(lo, hi, near)
    if tp is str:
        if not _is_place(metadata):
            return st.text(max_size=12)
        # codes of the levels the field takes (as its samples show): district, street, community
        inside, outside = _districts(city)
        options: list[SearchStrategy[str]] = []
        if digits & {9, 12}:
            options.append(
                place_codes(city, communities=12 in digits).filter(lambda c: len(c) in digits)
            )
        if 6 in digits:
            options.append(st.sampled_from((*inside, *outside)))
        return st.one_of(*options)
    return None


def _code_lengths(subj: Subject, ctx: Context) -> dict[str, frozenset[int]]:
    """For each place field, the code lengths it takes, as its samples show."""
    found: dict[str, set[int]] = {}
    for sample in subj.samples(ctx):
        for name in _place_fields(subj.model):
            value = sample.get(name)
            if value:
                found.setdefault(name, set()).update(len(c) for c in _codes_of(value))
    # a field that takes a street usually takes a community of it too (the model's validator
    # refuses what does not fit), and community codes exercise "same street, other community"
    return {
        name: frozenset(lengths | ({12} if 9 in lengths else set()))
        for name, lengths in found.items()
    }


def _from_fields(engine: Engine, subj: Subject) -> SearchStrategy[BaseModel] | None:
    city = engine.context.city_prefix
    near = thresholds(engine, subj)
    by_field = {fieldname: feature for feature, fieldname in subj.int_fields.items()}
    digits = _code_lengths(subj, engine.context)
    required: dict[str, SearchStrategy[Any]] = {}
    optional: dict[str, SearchStrategy[Any]] = {}
    for name, info in subj.model.model_fields.items():
        feature = by_field.get(name)
        ftype = subj.features[feature].type if feature else None
        strategy = _for_type(
            info.annotation,
            list(info.metadata),
            city,
            near.get(feature or "", ()),
            ftype,
            digits.get(name, frozenset({9, 12})),
        )
        if strategy is None:
            if info.is_required():
                return None  # a field we cannot generate: samples only
            continue
        (required if info.is_required() else optional)[name] = strategy

    def build(values: dict[str, Any]) -> BaseModel | None:
        try:
            return subj.model.model_validate(values)
        except ValidationError:
            return None

    dicts = st.fixed_dictionaries(required, optional=optional)
    return dicts.map(build).filter(lambda m: m is not None)  # type: ignore[return-value]


def facts(
    engine: Engine, subject: str | Subject, *, where: Mapping[str, FeatureValue] | None = None
) -> SearchStrategy[BaseModel]:
    """Valid fact sets of ``subject`` for the policy of ``engine``.

    ``where`` fixes feature values (``{"cross_district": True, "hukou_reported": True}``): the
    fact sets are then drawn from the samples that have them, with fresh place codes.
    """
    subj = _subject(subject)
    if where:
        unknown = set(where) - set(subj.features)
        if unknown:
            raise ValueError(f"{subj.name} has no feature {', '.join(sorted(unknown))}")
        return _from_samples(engine, subj, where)
    sampled = _from_samples(engine, subj, {})
    built = _from_fields(engine, subj)
    return sampled if built is None else st.one_of(sampled, built)


# --- properties -------------------------------------------------------------------------------


def check_decision(
    engine: Engine, question: str, fact_set: BaseModel | Mapping[str, Any]
) -> Decision:
    """Decide ``question`` for ``fact_set`` and assert what must hold for any policy; returns
    the decision. Raises AssertionError, naming the facts, when a property fails."""
    policy = engine.policy
    q = engine.question(question)
    try:
        decision = engine.decide(fact_set, question)
    except ConflictError as exc:
        raise AssertionError(f"decide raised a conflict for {fact_set!r}: {exc}") from exc
    except FactsError as exc:
        raise AssertionError(f"decide refused valid facts {fact_set!r}: {exc}") from exc
    if q.always_answers:
        assert decision.outcome != "no_rule", f"no rule answers `{question}` for {fact_set!r}"
    for citation in decision.citations:
        article = policy.articles.get(citation.article)
        assert article is not None, f"{citation.cite} is not an article of the policy"
        assert citation.item is None or citation.item in article.items, f"{citation.cite}"
        assert citation.quote == article.quote(citation.item), f"{citation.cite} misquoted"
    cited = {c.cite for c in decision.citations}
    for body in decision.bodies:
        assert body.cite in cited, f"{body.kind} rests on {body.cite}, which is not cited"
    assert set(decision.rules_applied) <= set(decision.rules_fired)
    assert set(decision.rules_overridden) <= set(decision.rules_fired)
    assert not set(decision.rules_applied) & set(decision.rules_overridden)
    assert decision.policy_fingerprint == policy.fingerprint
    assert Decision.from_json(decision.to_json()) == decision, "JSON round trip changed it"
    assert Decision.from_dict(decision.to_dict()) == decision, "dict round trip changed it"
    return decision


def question_property(
    engine: Engine, question: str, *, settings: hypothesis.settings | None = None
) -> Callable[[], None]:
    """A hypothesis test of ``question``: call it to run :func:`check_decision` on generated
    fact sets of the question's subject."""
    subject = engine.question(question).subject

    def prop(fact_set: BaseModel) -> None:
        check_decision(engine, question, fact_set)

    prop.__name__ = prop.__qualname__ = f"property_of_{question}"
    test: Callable[[], None] = hypothesis.given(facts(engine, subject))(prop)
    return settings(test) if settings is not None else test


def policy_properties(
    engine: Engine, *, settings: hypothesis.settings | None = None
) -> dict[str, Callable[[], None]]:
    """One hypothesis property test per question of the policy, by question name."""
    return {name: question_property(engine, name, settings=settings) for name in engine.questions()}
