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

The strategies are derived from the policy's own declaration (``facts.yaml``) and nothing else,
so a new kind of fact set, field or place hierarchy gets them without code. :func:`facts` draws
either a fact set built field by field from the subject's declared fields, or a witness the
realiser finds for a random consistent assignment of the subject's features (so that rare
combinations come up as often as common ones), with its place codes renamed consistently. Whole
numbers are concentrated around the thresholds the policy compares them with (t−1, t, t+1), and
place codes are built from the hierarchy's levels and ranges, in and outside the jurisdiction,
often sharing a prefix with the fact set's other places, so that every relation between two
places (the same place at some level, siblings, cousins, one inside and one outside the
jurisdiction) comes up often.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

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

from ..analysis.partition import Realiser, int_thresholds, realiser_for
from ..core.errors import ConflictError, FactsError
from ..engine.decision import Decision
from ..engine.engine import Engine
from ..language.places import Hierarchy, Level
from ..language.subjects import FeatureValue, FieldInfo, Subject

__all__ = [
    "check_decision",
    "facts",
    "place_codes",
    "policy_properties",
    "property_settings",
    "question_property",
    "thresholds",
]

_REPAIRS = 4
"""How many times a field-built fact set the model refuses is repaired (the field it names
dropped) before it is rejected."""


def _subject(engine: Engine, subject: str | Subject) -> Subject:
    if isinstance(subject, Subject):
        return subject
    found = engine.subjects.get(subject)
    if found is None:
        known = ", ".join(sorted(engine.subjects))
        raise ValueError(f"the policy has no subject {subject!r} (it has {known})")
    return found


# --- thresholds and whole numbers --------------------------------------------------------------


def thresholds(engine: Engine, subject: str | Subject) -> dict[str, tuple[int, ...]]:
    """For each integer feature of ``subject``, the thresholds the policy compares it with, in
    the jurisdiction and in every district overlay."""
    return dict(_thresholds(engine, _subject(engine, subject).name))


@lru_cache(maxsize=64)
def _thresholds(engine: Engine, subject: str) -> Mapping[str, tuple[int, ...]]:
    """``thresholds``, found once per engine and subject (each drawn fact set asks)."""
    subj = engine.subjects[subject]
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


def _points(lo: int | None, hi: int | None, ts: Iterable[int]) -> list[int]:
    """The values next to each threshold (t-1, t, t+1) and the ends, inside [lo, hi]."""
    near = {p for t in ts for p in (t - 1, t, t + 1)} | {v for v in (lo, hi) if v is not None}
    return sorted(p for p in near if (lo is None or p >= lo) and (hi is None or p <= hi))


def _near(lo: int | None, hi: int | None, ts: Iterable[int]) -> SearchStrategy[int]:
    """Whole numbers in [lo, hi]: half the time next to a threshold or at an end."""
    points = _points(lo, hi, ts)
    anywhere = st.integers(lo, hi)
    return st.one_of(st.sampled_from(points), anywhere) if points else anywhere


@lru_cache(maxsize=64)
def _field_thresholds(engine: Engine, subject: str) -> Mapping[str, tuple[int, ...]]:
    """For each whole-number field (a dotted path, nested subjects' fields included), the
    thresholds of the integer features that read it."""
    subj = engine.subjects[subject]
    ts = _thresholds(engine, subj.name)
    out: dict[str, set[int]] = {}
    for name, values in ts.items():
        for read in subj.features[name].reads:
            out.setdefault(read, set()).update(values)
    for fname, info in subj.fields.items():  # a nested subject's own thresholds
        if info.kind == "subject" and info.subject is not None:
            for path, values in _field_thresholds(engine, info.subject).items():
                out.setdefault(f"{fname}.{path}", set()).update(values)
    return {path: tuple(sorted(values)) for path, values in out.items()}


# --- place codes --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Places:
    """What the strategies draw place codes from: the hierarchy, the jurisdiction's prefix, the
    realiser's representative codes per level and the codes the overlays are keyed by."""

    hierarchy: Hierarchy
    root: tuple[str, ...]  # the jurisdiction's code prefixes (one, or several)
    pool: Mapping[str, tuple[str, ...]]
    overlays: tuple[str, ...]
    alphabet: str

    def level_index(self, code: str) -> int:
        """The index in ``hierarchy.levels`` of the level of ``code``."""
        name = self.hierarchy.level_of(code)
        return next(i for i, lv in enumerate(self.hierarchy.levels) if lv.name == name)

    def inside(self, code: str) -> bool:
        return code.startswith(self.root)


@lru_cache(maxsize=64)
def _places(engine: Engine) -> _Places:
    h = engine.policy.hierarchy
    pool = {name: tuple(codes) for name, codes in _realiser(engine).pool.items()}
    overlays = tuple(sorted(c for c in engine.policy.overlays if h.problem(c) is None))
    chars = {ch for codes in pool.values() for code in codes for ch in code}
    roots = engine.context.prefixes
    chars |= {ch for prefix in roots for ch in prefix}
    return _Places(h, roots, pool, overlays, "".join(sorted(chars)) or "0123456789")


@lru_cache(maxsize=64)
def _realiser(engine: Engine) -> Realiser:
    return realiser_for(engine)


def _part_in(draw: st.DrawFn, places: _Places, level: Level, klass: str | None) -> str:
    """An own part for a code of ``level``: in one of its ranges (of class ``klass``, if given),
    or any string of the codes' characters where the level declares no ranges."""
    width = level.length - level.start
    ranges = [r for r in level.ranges if klass is None or r.klass == klass] or list(level.ranges)
    if ranges:
        r = draw(st.sampled_from(ranges))
        if r.first.isdigit() and r.last.isdigit() and len(r.first) == len(r.last) == width:
            return f"{draw(st.integers(int(r.first), int(r.last))):0{width}d}"
        return draw(st.sampled_from((r.first, r.last)))
    return draw(st.text(alphabet=places.alphabet, min_size=width, max_size=width))


def _top(draw: st.DrawFn, places: _Places, inside: bool | None = None) -> str:
    """A code of the coarsest level: inside or outside the jurisdiction, a representative one,
    one an overlay is keyed by, or a random one."""
    h = places.hierarchy
    top = h.levels[0]
    if inside is None:
        inside = draw(st.booleans())
    known = [c for c in places.pool[top.name] if places.inside(c) == inside]
    if inside:
        known += [c for c in places.overlays if h.level_of(c) == top.name]
    pick_known: bool = draw(st.booleans())
    if known and pick_known:
        return draw(st.sampled_from(sorted(set(known))))
    prefix = draw(st.sampled_from(places.root)) if inside else ""
    part = _part_in(draw, places, top, None)
    code = prefix + part[len(prefix) :]
    if h.problem(code) is None and places.inside(code) == inside:
        return code
    return draw(st.sampled_from(known)) if known else draw(st.sampled_from(places.pool[top.name]))


def _extend(draw: st.DrawFn, places: _Places, code: str, level: str) -> str:
    """``code`` extended with fresh parts down to ``level`` (a valid code of it)."""
    h = places.hierarchy
    for lv in h.levels:
        if lv.length <= len(code):
            continue
        if lv.length > h.length(level):
            break
        new = code + _part_in(draw, places, lv, None)
        if h.problem(new) is not None:  # the drawn part breaks a pattern: a representative one
            children = [c for c in places.pool[lv.name] if c.startswith(code)]
            if children:
                new = draw(st.sampled_from(children))
            else:
                new = code + draw(st.sampled_from(places.pool[lv.name]))[lv.start :]
                if h.problem(new) is not None:
                    new = draw(st.sampled_from(places.pool[lv.name]))
        code = new
    return code


class _Codes:
    """The place codes of one fact set being drawn: a new one often has a prefix in common with one
    drawn before (the same place at some level), so that relations between places come up."""

    def __init__(self, draw: st.DrawFn, places: _Places) -> None:
        self.draw = draw
        self.places = places
        self.used: list[str] = []

    def code(self, levels: Sequence[str]) -> str:
        draw = self.draw
        places = self.places
        h = places.hierarchy
        level = draw(st.sampled_from(tuple(levels) or tuple(lv.name for lv in h.levels)))
        wanted = h.length(level)
        near: int = draw(st.integers(0, 2))
        if self.used and near:  # two times in three: near a code drawn before
            base = draw(st.sampled_from(self.used))
            depth = [lv.length for lv in h.levels if lv.length <= min(len(base), wanted)]
            if depth:
                keep = draw(st.sampled_from(depth))
                code = _extend(draw, places, base[:keep], level)
                self.used.append(code)
                return code
        code = _extend(draw, places, _top(draw, places), level)
        self.used.append(code)
        return code


def place_codes(engine: Engine, levels: Sequence[str] | None = None) -> SearchStrategy[str]:
    """Valid place codes of the policy's hierarchy, of ``levels`` (every level if None): the
    realiser's representative codes, the overlays' codes and random codes built from the levels'
    ranges, inside and outside the jurisdiction."""
    places = _places(engine)
    names = tuple(lv.name for lv in places.hierarchy.levels)
    wanted = tuple(levels) if levels is not None else names
    unknown = [lv for lv in wanted if lv not in names]
    if unknown or not wanted:
        raise ValueError(f"no level {', '.join(unknown)}: the levels are {', '.join(names)}")
    known = [c for lv in wanted for c in places.pool[lv]]
    known += [c for c in places.overlays if places.hierarchy.level_of(c) in wanted]

    @st.composite
    def fresh(draw: st.DrawFn) -> str:
        return _Codes(draw, places).code(wanted)

    return st.one_of(st.sampled_from(known), fresh()) if known else fresh()


# --- fact sets built field by field -------------------------------------------------------------


def _value(
    draw: st.DrawFn,
    engine: Engine,
    info: FieldInfo,
    path: str,
    root: str,
    codes: _Codes,
) -> Any:
    """A value of one declared field (``path`` is its dotted path in the ``root`` subject)."""
    kind = info.kind
    if kind == "bool":
        return draw(st.booleans())
    if kind == "enum":
        return draw(st.sampled_from(info.values))
    if kind == "int":
        ts = _field_thresholds(engine, root).get(path, ())
        return draw(_near(info.minimum, info.maximum, ts))
    if kind == "text":
        return draw(st.text(max_size=12))
    if kind == "date":
        return draw(st.dates())
    if kind == "place":
        return codes.code(info.levels)
    if kind == "places":
        n = draw(st.integers(0, 3))
        return list(dict.fromkeys(codes.code(info.levels) for _ in range(n)))
    if kind == "subject" and info.subject is not None:
        return _fields_of(draw, engine, engine.subjects[info.subject], root, path + ".", codes)
    if kind == "records" and info.subject is not None:
        n = draw(st.integers(0, min(3, info.maximum if info.maximum is not None else 3)))
        record = engine.subjects[info.subject]
        return [_fields_of(draw, engine, record, root, path + ".", codes) for _ in range(n)]
    raise ValueError(f"a field of kind {kind!r} cannot be drawn ({path})")


def _fields_of(
    draw: st.DrawFn, engine: Engine, subj: Subject, root: str, prefix: str, codes: _Codes
) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if not prefix:
        data["kind"] = subj.name
    for name, info in subj.fields.items():
        # an optional field is left out a third of the time (its default or null), a nested
        # subject half the time
        leave_out = info.optional or info.has_default or info.derived_default
        if leave_out and not draw(st.integers(0, 1 if info.kind == "subject" else 2)):
            continue
        data[name] = _value(draw, engine, info, prefix + name, root, codes)
    return data


def _drop_refused(
    data: dict[str, Any], subj: Subject, exc: ValidationError, engine: Engine
) -> bool:
    """Drop, for each error, the innermost optional field on its path; whether any was."""
    dropped = False
    for error in exc.errors():
        loc = [part for part in error["loc"] if isinstance(part, str)]
        trail: list[tuple[dict[str, Any], str]] = []  # (the dict, a field that can be left out)
        node: Any = data
        current: Subject | None = subj
        for part in loc:
            if current is None or not isinstance(node, dict) or part not in node:
                break
            info = current.fields.get(part)
            if info is None:
                break
            if info.optional or info.has_default or info.derived_default:
                trail.append((node, part))
            node = node[part]
            current = engine.subjects.get(info.subject) if info.subject else None
        if trail:
            where, name = trail[-1]
            if name in where:
                del where[name]
                dropped = True
    return dropped


def _from_fields(engine: Engine, subj: Subject) -> SearchStrategy[BaseModel]:
    """Fact sets built field by field from the subject's declaration; a field the model refuses
    (a constraint names it) is left out and the fact set tried again."""
    places = _places(engine)

    @st.composite
    def build(draw: st.DrawFn) -> BaseModel:
        data = _fields_of(draw, engine, subj, subj.name, "", _Codes(draw, places))
        for _ in range(_REPAIRS):
            try:
                return subj.model.model_validate(data)
            except ValidationError as exc:
                if not _drop_refused(data, subj, exc, engine):
                    break
        hypothesis.reject()
        raise AssertionError("unreachable: reject() raises")

    return build()


# --- fact sets the realiser finds, with fresh codes --------------------------------------------


def _features(engine: Engine, subj: Subject, model: BaseModel) -> dict[str, FeatureValue]:
    ctx = engine.context
    return {n: f.get(model, ctx) for n, f in subj.features.items()}


def _assignment(
    draw: st.DrawFn, engine: Engine, subj: Subject, fixed: Mapping[str, FeatureValue]
) -> tuple[dict[str, FeatureValue], BaseModel]:
    """A random assignment of every feature that some fact set has, extending ``fixed``, and
    the realiser's witness for it: the features in random order, each given the first of its
    values (in random order) that keeps the assignment realisable — one always does, the
    witness's own."""
    realiser = _realiser(engine)
    assignment = dict(fixed)
    witness = realiser.realise(subj, assignment)
    if witness is None:
        raise ValueError(f"no {subj.name} fact set has {dict(fixed)}")
    ts = _thresholds(engine, subj.name)
    ctx = engine.context
    rest = [n for n in subj.features if n not in assignment]
    for name in draw(st.permutations(rest)):
        ftype = subj.features[name].type
        options: list[FeatureValue]
        if ftype.kind == "bool":
            options = list(draw(st.permutations((False, True))))
        elif ftype.kind == "enum":
            options = list(draw(st.permutations(ftype.values)))
        else:
            lo, hi = ftype.minimum, ftype.maximum
            first = draw(_near(lo, hi, ts.get(name, ())))
            options = [first, *draw(st.permutations(_points(lo, hi, ts.get(name, ()))))]
        own = subj.features[name].get(witness, ctx)
        for value in options:
            if value == own:  # the witness has it already: no search
                assignment[name] = value
                break
            if not _pairs_realisable(realiser, subj, assignment, name, value):
                continue  # a quick proof: most contradictions are between two features
            found = realiser.realise(subj, {**assignment, name: value})
            if found is not None:
                assignment[name] = value
                witness = found
                break
    return assignment, witness


def _pairs_realisable(
    realiser: Realiser,
    subj: Subject,
    assignment: Mapping[str, FeatureValue],
    name: str,
    value: FeatureValue,
) -> bool:
    """Whether ``name = value`` is realisable together with each one and each two finite
    feature values of ``assignment``: most contradictions are between two or three features,
    and the realiser keeps these small searches, so they are cheap after the first time, where
    a whole assignment no fact set has may take a long exhaustive search."""
    if subj.features[name].type.kind == "int":
        return True
    finite = [(k, v) for k, v in assignment.items() if subj.features[k].type.kind != "int"]
    for size in (1, 2):
        for combo in itertools.combinations(finite, size):
            if realiser.realise(subj, {**dict(combo), name: value}) is None:
                return False
    return True


def _codes_in(engine: Engine, subj: Subject, data: Mapping[str, Any]) -> Iterator[str]:
    """The place codes in a fact set's data, by its declared fields (nested subjects too)."""
    for name, info in subj.fields.items():
        value = data.get(name)
        if value is None:
            continue
        if info.kind == "place":
            yield value
        elif info.kind == "places":
            yield from value
        elif info.kind == "subject" and info.subject is not None:
            yield from _codes_in(engine, engine.subjects[info.subject], value)


def _renamed(engine: Engine, subj: Subject, data: Any, mapping: Mapping[str, str]) -> Any:
    out = dict(data)
    for name, info in subj.fields.items():
        value = out.get(name)
        if value is None:
            continue
        if info.kind == "place":
            out[name] = mapping[value]
        elif info.kind == "places":
            out[name] = [mapping[c] for c in value]
        elif info.kind == "subject" and info.subject is not None:
            out[name] = _renamed(engine, engine.subjects[info.subject], value, mapping)
    return out


def _recoded(draw: st.DrawFn, engine: Engine, subj: Subject, model: BaseModel) -> BaseModel:
    """``model`` with its place codes renamed one to one, level by level: a code of the
    coarsest level to another inside or outside the jurisdiction as before, a finer part to
    another of the same class — so that every relation between the places is kept. If a
    feature moves all the same (a literal code the policy names, say), ``model`` itself."""
    places = _places(engine)
    h = places.hierarchy
    data = model.model_dump(mode="json")
    codes = set(_codes_in(engine, subj, data))
    prefixes = sorted(
        {c[: lv.length] for c in codes for lv in h.levels if lv.length <= len(c)}, key=len
    )
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for prefix in prefixes:
        index = places.level_index(prefix)
        level = h.levels[index]
        if index == 0:
            new = _top(draw, places, places.inside(prefix))
        else:
            parent = mapping[prefix[: level.start]]
            r = level.range_of(prefix)
            new = parent + _part_in(draw, places, level, r.klass if r is not None else None)
            if h.problem(new) is not None or level.range_of(new) != r:
                new = parent + prefix[level.start :]
        if new in taken:  # two places must stay two: keep this one's own part
            new = prefix if index == 0 else mapping[prefix[: level.start]] + prefix[level.start :]
        if new in taken or h.problem(new) is not None:
            return model
        mapping[prefix] = new
        taken.add(new)
    try:
        recoded = subj.model.model_validate(_renamed(engine, subj, data, mapping))
    except ValidationError:
        return model
    same = _features(engine, subj, recoded) == _features(engine, subj, model)
    return recoded if same else model


def _from_realiser(
    engine: Engine, subj: Subject, where: Mapping[str, FeatureValue]
) -> SearchStrategy[BaseModel]:
    """Witnesses the realiser finds for random consistent assignments of the subject's features
    (extending ``where``), with fresh place codes."""

    @st.composite
    def witness(draw: st.DrawFn) -> BaseModel:
        _values, model = _assignment(draw, engine, subj, where)
        return _recoded(draw, engine, subj, model)

    return witness()


def facts(
    engine: Engine, subject: str | Subject, *, where: Mapping[str, FeatureValue] | None = None
) -> SearchStrategy[BaseModel]:
    """Valid fact sets of ``subject`` for the policy of ``engine``.

    Half are built field by field from the subject's declared fields, half are what the
    realiser finds for a random consistent assignment of its features, with fresh place codes.
    ``where`` fixes feature values, whole-number features included
    (``{"some_flag": True, "some_number": 49}``): the fact sets are then the realiser's, for
    assignments that extend it; it raises ValueError for a feature the subject lacks or values
    no fact set has.
    """
    subj = _subject(engine, subject)
    if where:
        unknown = set(where) - set(subj.features)
        if unknown:
            raise ValueError(f"{subj.name} has no feature {', '.join(sorted(unknown))}")
        if _realiser(engine).realise(subj, where) is None:
            raise ValueError(f"no {subj.name} fact set has {dict(where)}")
        return _from_realiser(engine, subj, dict(where))
    return st.one_of(_from_fields(engine, subj), _from_realiser(engine, subj, {}))


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
        quoted = article.quote(citation.item, citation.cite.paragraph)
        assert citation.quote == quoted, f"{citation.cite} misquoted"
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


def property_settings(**changes: Any) -> hypothesis.settings:
    """The settings the property tests run with unless given others: those of the profile
    loaded when it is called (its ``max_examples``, database, …), with ``changes``, and two set
    deliberately for a loaded machine:

    * ``deadline=None``: the first example of a run compiles the question and warms caches, and
      a machine shared with other work stalls any example now and then — a per-example deadline
      would fail on timing, not on the policy;
    * the ``too_slow`` health check suppressed: drawing a fact set runs the realiser (a
      consistent assignment of the subject's features, then a witness for it), legitimately
      milliseconds a draw. The other health checks (``filter_too_much``, ``data_too_large``)
      stay on: the strategies are built to pass them.

    Speed is measured in benchmarks, not by a property test's clock."""
    current = hypothesis.settings()
    suppressed = [*current.suppress_health_check, hypothesis.HealthCheck.too_slow]
    chosen: dict[str, Any] = {"deadline": None, "suppress_health_check": suppressed}
    return hypothesis.settings(current, **{**chosen, **changes})


def question_property(
    engine: Engine, question: str, *, settings: hypothesis.settings | None = None
) -> Callable[[], None]:
    """A hypothesis test of ``question``: call it to run :func:`check_decision` on generated
    fact sets of the question's subject, with ``settings`` (default: :func:`property_settings`,
    robust on a loaded machine; build yours with it, ``property_settings(max_examples=500)``,
    to keep that)."""
    subject = engine.question(question).subject

    def prop(fact_set: BaseModel) -> None:
        check_decision(engine, question, fact_set)

    prop.__name__ = prop.__qualname__ = f"property_of_{question}"
    test: Callable[[], None] = hypothesis.given(facts(engine, subject))(prop)
    return (settings if settings is not None else property_settings())(test)


def policy_properties(
    engine: Engine, *, settings: hypothesis.settings | None = None
) -> dict[str, Callable[[], None]]:
    """One hypothesis property test per question of the policy, by question name."""
    return {name: question_property(engine, name, settings=settings) for name in engine.questions()}
