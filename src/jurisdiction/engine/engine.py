"""The evaluation semantics, stated once:

1. every rule of the question whose (expanded) condition holds *fires*;
2. a fired rule named in the ``overrides`` of another fired rule drops out;
3. the remaining rules must agree on one answer, else :class:`ConflictError`;
   none remaining is an explicit ``no_rule`` decision.

Rule order never matters: rules are kept sorted by id and every step works on sets.
An ``Engine`` holds immutable data, and memo tables that it fills on first use with pure
functions of that data (see ``_Plan``), so one engine may serve many threads.

District overlays: the engine compiles, for each district with an overlay, the questions whose
rules read a parameter that the overlay sets; a fact set located in that district (see
``Subject.location``) is decided with them, and its decision lists the overlay file in
``sources``.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
import threading
import time
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self, TypeVar, Union, get_args

from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from ..core.errors import ConflictError, EvaluatorError, FactsError, Location, PolicyError, suggest
from ..core.paths import bundled_policy_path
from ..core.text import Text, placeholders, yes_no
from ..language.compile import Program, _fold, compile_predicate, compile_question
from ..language.conditions import AsOf, ParamRef, reaches, walk
from ..language.expressions import Names
from ..language.places import prefixes, root_code
from ..language.subjects import Context, Subject
from ..policy.content import PolicyContent, content_of, policy_of
from ..policy.load import load_policy
from ..policy.model import AnswerSpec, BodyTemplate, Overlay, ParamValue, Policy, Question, Rule
from .criteria import Criterion, failed, joined
from .decision import AsOfSource, Body, Citation, Decision, DecisionTwin, Instrument
from .filled import Fill, FilledText, later, shown
from .specialise import Specialised, specialise

if TYPE_CHECKING:
    from .durable import DurableEvaluator

__all__ = [
    "Engine",
    "Evaluator",
    "bundled_policy_path",
    "facts_message",
    "load",
    "parse_facts",
    "policy_at",
]

HoldingFn = Callable[[Question, Any, Context], frozenset[str]]

Evaluator = Literal["compiled", "durable"]
"""Which implementation evaluates the conditions and overrides (see docs/evaluators.md):
``compiled``, the default, Python closures; ``durable``, durable_rules' Rete engine (an extra)."""

_EVALUATORS: tuple[str, ...] = get_args(Evaluator)


_ADAPTERS: dict[tuple[type[BaseModel], ...], TypeAdapter[Any]] = {}
"""The validators built so far, by the fact models they dispatch to. A policy loaded again gets
the same model classes (they are cached by content in ``policy.vocabulary``), so a reload reuses
its validator and the cache holds no policy: it grows with distinct vocabularies, not loads."""

_EPOCH_LOCK = threading.RLock()
"""Held while an engine builds the engine of one stretch of its policy's time (rarely: once)."""


def _facts_adapter(policy: Policy) -> TypeAdapter[Any]:
    """One validator for every kind of fact set of a policy, dispatched on the ``kind`` field."""
    models = tuple(s.model for s in policy.subjects.values())
    found = _ADAPTERS.get(models)
    if found is not None:
        return found
    if len(models) == 1:
        adapter: TypeAdapter[Any] = TypeAdapter(models[0])
    else:
        union = Annotated[Union[models], Field(discriminator="kind")]  # type: ignore[valid-type]  # noqa: UP007
        adapter = TypeAdapter(union)
    _ADAPTERS[models] = adapter
    return adapter


@cache
def _bundled() -> Policy:
    return load_policy(bundled_policy_path())


def parse_facts(
    data: Mapping[str, Any] | BaseModel, source: str | None = None, *, policy: Policy | None = None
) -> BaseModel:
    """Validate a fact set given as a mapping with a ``kind`` (or pass a model of the policy's
    through) against ``policy``'s subjects (the bundled policy's by default)."""
    policy = policy if policy is not None else _bundled()
    subjects = policy.subjects
    if isinstance(data, BaseModel):
        if any(type(data) is s.model for s in subjects.values()):
            return data
        data = data.model_dump()  # another class of the same shape (a generated module's, say)
    if not isinstance(data, Mapping):
        raise FactsError(f"a fact set is a mapping, got {type(data).__name__}", source=source)
    kind = data.get("kind")
    if not isinstance(kind, str) or kind not in subjects:
        near = suggest(str(kind), set(subjects)) if isinstance(kind, str) else None
        hint = f" (did you mean `{near}`?)" if near else ""
        raise FactsError(
            f"`kind` must be one of {', '.join(sorted(subjects))}, got {kind!r}{hint}",
            source=source,
        )
    try:
        model: BaseModel = _facts_adapter(policy).validate_python(dict(data))
    except ValidationError as exc:
        raise FactsError(_facts_message(exc, len(subjects) > 1), source=source) from exc
    return model


def _facts_message(exc: ValidationError, tagged: bool = True) -> str:
    return facts_message(exc.errors(), 1 if tagged else 0)


def facts_message(errors: Iterable[Mapping[str, Any]], skip: int = 0) -> str:
    """The message of a fact set's validation errors (pydantic's, each ``loc`` without its
    first ``skip`` parts: a union's tag), as ``decide`` raises it."""
    parts = []
    for err in errors:
        loc = ".".join(str(p) for p in err["loc"][skip:]) or "facts"
        parts.append(f"{loc}: {err['msg']}")
    return "invalid facts: " + "; ".join(parts)


def subject_of(facts: BaseModel, policy: Policy | None = None) -> str:
    policy = policy if policy is not None else _bundled()
    for subject in policy.subjects.values():
        if isinstance(facts, subject.model):
            return subject.name
    raise FactsError(f"not a fact set of this policy: {type(facts).__name__}")


@dataclass(frozen=True, slots=True)
class _CompiledQuestion:
    """A question compiled with one set of parameter values: the city's, or a district's.

    ``rules`` are sorted by id; bit ``i`` of a mask stands for ``rules[i]``. ``plans`` memoises,
    per set of fired (and overridden) rules, everything of the decision that does not depend on
    the facts' place codes — a pure function of immutable data, filled on first use.
    """

    question: Question
    rules: tuple[Rule, ...]
    program: Program
    params: Mapping[str, ParamValue]
    district: str | None = None  # the district whose overlay set ``params``, if any
    sources: tuple[str, ...] = ()
    overlay: Overlay | None = None
    plans: dict[Any, _Plan] = field(default_factory=dict, compare=False, repr=False)
    classes: dict[tuple[Any, ...], _Plan] = field(default_factory=dict, compare=False, repr=False)
    """The plan of each class of feature values met so far (see ``Program.cuts``)."""
    fast: list[Any] = field(default_factory=lambda: [0, None], compare=False, repr=False)
    """How often the general path decided it, and its specialised function once it has one
    (``engine.specialise``; False where the general path must keep deciding it)."""

    def fired(self, mask: int) -> list[str]:
        return [r.id for i, r in enumerate(self.rules) if mask >> i & 1]

    def plan(self, policy: Policy, ctx: Context, values: list[Any]) -> _Plan:
        """The plan for these feature values: of their class if it was met, else computed."""
        key = self.program.class_of(values)
        plan = self.classes.get(key)
        if plan is None:
            mask = self.program.mask_of(values)
            plan = self.plans.get(mask)
            if plan is None:
                fired = self.fired(mask)
                overridden = overridden_by_fired(self.question, fired)
                plan = _Plan(
                    policy, self.question, fired, overridden, ctx, self.sources, self.overlay
                )
                self.plans[mask] = plan
            if len(self.classes) >= _CLASSES:
                self.classes.clear()
            self.classes[key] = plan
        return plan


_CLASSES = 1 << 16
"""At most this many classes of feature values are remembered per question (and district)."""


def _compile_question(
    policy: Policy,
    q: Question,
    params: Mapping[str, ParamValue],
    overlay: Overlay | None = None,
) -> _CompiledQuestion:
    rules = tuple(sorted(q.rules, key=lambda r: r.id))
    features = policy.subjects[q.subject].features
    return _CompiledQuestion(
        q,
        rules,
        compile_question([r.expanded for r in rules], features, params),
        params,
        overlay.district if overlay else None,
        tuple(m.file for m in overlay.setters(parameters_read(q))) if overlay else (),
        overlay,
    )


_READ: dict[int, tuple[Question, frozenset[str]]] = {}


def parameters_read(question: Question) -> frozenset[str]:
    """The parameters that some rule of the question reads.

    Kept per question (a frozen value; the entry holds it, so its id is not reused): an engine
    asks it for every question and every district overlay, a thousand overlays and more."""
    found = _READ.get(id(question))
    if found is not None and found[0] is question:
        return found[1]
    read = frozenset(
        node.name for r in question.rules for node in walk(r.expanded) if isinstance(node, ParamRef)
    )
    if len(_READ) >= _READ_SIZE:
        _READ.clear()
    _READ[id(question)] = (question, read)
    return read


_READ_SIZE = 1 << 14


def _varied_by(policy: Policy, overlay: Overlay) -> frozenset[str]:
    """The questions an overlay changes: those reading a parameter it sets."""
    return frozenset(
        name for name, q in policy.questions.items() if parameters_read(q) & set(overlay.parameters)
    )


class Engine:
    """A loaded, compiled policy that answers questions about fact sets.

    ``evaluator`` chooses what evaluates the conditions and overrides: ``"compiled"`` (the
    default) or ``"durable"`` (durable_rules, installed with ``pip install
    'jurisdiction[durable]'``). Both give the same decisions, built by the same code.
    """

    __slots__ = (
        "_breaks",
        "_compiled",
        "_context",
        "_contexts",
        "_dated_by",
        "_day",
        "_durable",
        "_epochs",
        "_evaluator",
        "_fast",
        "_last",
        "_location",
        "_overlay_lengths",
        "_params",
        "_policy",
        "_reads_as_of",
        "_subject_of_model",
        "_variant_names",
        "_variants",
        "_varied",
    )

    def __init__(self, policy: Policy, *, evaluator: Evaluator = "compiled") -> None:
        if evaluator not in _EVALUATORS:
            raise EvaluatorError(
                f"unknown evaluator `{evaluator}`; choose one of {', '.join(_EVALUATORS)}"
            )
        self._policy = policy
        self._evaluator: Evaluator = evaluator
        dating = policy.dating
        self._breaks: tuple[datetime.date, ...] | None = dating.breaks if dating else None
        """Where the policy changes (None: it never does): a decision is made by the engine of
        the policy as it stands on its day (``at``), one per stretch between two breaks."""
        self._epochs: dict[int, Any] = {}  # of this engine's own class
        self._dated_by: Mapping[str, str] = policy.dated_by
        self._day: datetime.date | None = None
        """The day this engine decides as of when none is given (``at``), else None."""
        self._contexts: dict[datetime.date, Context] = {}
        """The context with each day's ``as_of``, for conditions that read it."""
        self._reads_as_of = _reads_as_of(policy)
        self._last: tuple[datetime.date, Engine] | None = None
        """The day last decided and the engine of its stretch (most decisions share a day)."""
        self._fast: dict[str, tuple[type, Specialised, Context, str]] = {}
        """For an engine of one day (``at``): each question's specialised function, with the
        facts' model, context and day it decides with, where nothing else can change which
        function decides (no overlay varies the question); ``decide`` goes straight to it."""
        params = {name: p.value for name, p in policy.parameters.items()}
        hierarchy = policy.hierarchy
        root = params[hierarchy.root_parameter]
        self._context = Context(
            root=root_code(root),
            roots=prefixes(root) if isinstance(root, tuple) else (),
            params=tuple(sorted(params.items())),
        )
        subjects = policy.subjects
        self._subject_of_model: Mapping[type, str] = {s.model: s.name for s in subjects.values()}
        self._location: Mapping[type, Callable[[Any, Context], Any]] = {
            s.model: s.places[s.location].get for s in subjects.values() if s.location is not None
        }
        """For each subject's model, the place whose overlay level decides the overlay."""
        self._overlay_lengths = hierarchy.overlay_lengths
        """The code lengths of the overlay levels, the finest first."""
        self._params = params
        # Each question is compiled when it is first asked (a command line asks one or two of
        # dozens), with the city's values, and with a district's for the questions its overlay
        # changes. Compiling is a pure function of the policy: two threads that both compile a
        # question get equal programs, and one of them is kept.
        self._compiled: dict[str, _CompiledQuestion] = {}
        self._variant_names: Mapping[str, frozenset[str]] = {
            district: _varied_by(policy, overlay) for district, overlay in policy.overlays.items()
        }
        self._variants: Mapping[str, dict[str, _CompiledQuestion]] = {
            district: {} for district in policy.overlays
        }
        self._varied = frozenset(n for names in self._variant_names.values() for n in names)
        self._durable: DurableEvaluator | None = None
        if evaluator == "durable" and dating is None:  # a dated policy: each day's engine has one
            from .durable import DurableEvaluator  # the optional extra: imported on demand

            every = [self._city(name) for name in policy.questions]
            every += [
                self._district(district, name)
                for district, names in self._variant_names.items()
                for name in policy.questions
                if name in names
            ]
            self._durable = DurableEvaluator(
                policy, [(c.question, c.params, c.district) for c in every]
            )
        if evaluator == "durable" and dating is not None:
            # each day's engine registers its own rulesets when first asked; a missing or broken
            # durable_rules is said now, on load, as for a policy with nothing dated
            from .durable import available

            available()

    def _city(self, name: str) -> _CompiledQuestion:
        """Question ``name`` compiled with the city's values; raises FactsError if unknown."""
        found = self._compiled.get(name)
        if found is None:
            question = self.question(name)
            found = _compile_question(self._policy, question, self._params)
            self._compiled[name] = found
        return found

    def _district(self, district: str, name: str) -> _CompiledQuestion:
        """Question ``name``, which ``district``'s overlay changes, with the district's values."""
        variant = self._variants[district]
        found = variant.get(name)
        if found is None:
            overlay = self._policy.overlays[district]
            values = {**self._params, **{n: p.value for n, p in overlay.parameters.items()}}
            question = self._policy.questions[name]
            found = _compile_question(self._policy, question, values, overlay)
            variant[name] = found
        return found

    def compiled_variants(self, name: str) -> list[_CompiledQuestion]:
        """Question ``name`` as compiled for the city, then for each district (in code order)
        whose overlay changes it: every program ``decide`` may run for it (for the batch
        plan, ``batch.plan``; each is compiled here if it has not been yet)."""
        variants = [self._city(name)]
        variants += [
            self._district(district, name)
            for district, names in sorted(self._variant_names.items())
            if name in names
        ]
        return variants

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as the bytes behind its policy's fingerprint (``policy.content``): the other
        side (a spawned pool worker, a Spark executor on another machine) rebuilds the same
        policy from them, never from a path, which need not resolve there."""
        return (
            _engine_of_content,
            (
                type(self),
                content_of(self._policy),
                self.evaluator,
                self._day.isoformat() if self._day else None,
            ),
        )

    @property
    def policy(self) -> Policy:
        return self._policy

    @property
    def context(self) -> Context:
        return self._context

    @property
    def evaluator(self) -> Evaluator:
        """The evaluator this engine decides with."""
        return self._evaluator

    def at(self, day: datetime.date | str) -> Self:
        """The engine of the policy as it stands on ``day`` (a date, or ``"YYYY-MM-DD"``): rules
        and values in force that day, ended questions answering ``not_in_force``. For a policy
        with nothing dated, this engine itself. What ``decide(..., as_of=day)`` decides with, and
        what the checker, ``explain`` and the batch plans read for a day."""
        d = as_day(day)
        base = self if self._breaks is None else self._epoch(bisect_right(self._breaks, d))
        bound = base._shallow()  # the compiled questions and plans stay shared
        bound._fast = {}  # its own: what it holds is for this day
        bound._day = d
        bound._context = base._context_on(d)
        return bound

    def _shallow(self) -> Self:
        """A second engine over the same policy, sharing every table this one fills."""
        other = object.__new__(type(self))
        for cls in type(self).__mro__:
            for name in getattr(cls, "__slots__", ()):
                if hasattr(self, name):
                    object.__setattr__(other, name, getattr(self, name))
        return other

    @property
    def day(self) -> datetime.date | None:
        """The day an engine from ``at`` decides as of when none is given; None otherwise."""
        return self._day

    def _context_on(self, day: datetime.date) -> Context:
        found = self._contexts.get(day)
        if found is None:
            if len(self._contexts) >= 4096:
                self._contexts.clear()
            found = self._contexts[day] = dataclasses.replace(self._context, as_of=day)
        return found

    def _epoch(self, epoch: int) -> Self:
        found = self._epochs.get(epoch)
        if found is None:
            with _EPOCH_LOCK:  # one engine per stretch: threads that race here share it
                found = self._epochs.get(epoch)
                if found is None:
                    from ..policy.dated import policy_on

                    assert self._policy.dating is not None
                    day = self._policy.dating.day_in(epoch)
                    found = type(self)(policy_on(self._policy, day), evaluator=self._evaluator)
                    self._epochs[epoch] = found
        return found

    def epochs(self) -> tuple[tuple[datetime.date | None, datetime.date | None], ...]:
        """The stretches of time between the policy's changes, in order: (from, until), None
        open. One, ``(None, None)``, for a policy with nothing dated."""
        breaks = self._breaks or ()
        starts: list[datetime.date | None] = [None, *breaks]
        ends: list[datetime.date | None] = [*breaks, None]
        return tuple(zip(starts, ends, strict=True))

    def day_of(
        self, facts: BaseModel, as_of: datetime.date | str | None = None
    ) -> tuple[datetime.date, AsOfSource]:
        """The day a decision about ``facts`` is made as of, and where it came from: ``as_of``
        if given; else the field the policy names as dating this kind of case, if the facts
        have it; else today."""
        if as_of is not None:
            return as_day(as_of), "given"
        if self._day is not None:
            return self._day, "given"
        if self._dated_by:
            field_name = self._dated_by.get(self.subject_of(facts))
            value = getattr(facts, field_name, None) if field_name else None
            if isinstance(value, datetime.date):
                return value, "facts"
        return _today(), "today"

    def questions(self, subject: str | None = None) -> tuple[str, ...]:
        """The names of the questions, optionally only those about one kind of subject."""
        return tuple(n for n, q in self._policy.questions.items() if subject in (None, q.subject))

    def question(self, name: str) -> Question:
        if not isinstance(name, str):
            raise FactsError(f"a question is named by a string, got {type(name).__name__}")
        q = self._policy.questions.get(name)
        if q is None:
            near = suggest(name, set(self._policy.questions))
            hint = f" (did you mean `{near}`?)" if near else ""
            raise FactsError(f"unknown question `{name}`{hint}; see `jurisdiction questions`")
        return q

    @property
    def subjects(self) -> Mapping[str, Subject]:
        """The kinds of fact set this engine's policy declares, by name."""
        return self._policy.subjects

    def parse_facts(self, data: Mapping[str, Any] | BaseModel) -> BaseModel:
        """A fact set validated against this policy's subjects (see :func:`parse_facts`)."""
        return parse_facts(data, policy=self._policy)

    def _own(self, facts: BaseModel) -> BaseModel:
        """``facts`` as a model of this engine's policy (another load's model is revalidated)."""
        return facts if type(facts) in self._subject_of_model else self.parse_facts(facts)

    def subject_of(self, facts: BaseModel) -> str:
        """The subject a validated fact set is of."""
        found = self._subject_of_model.get(type(facts))
        return found if found is not None else subject_of(facts, self._policy)

    def district_of(self, facts: BaseModel) -> str | None:
        """The place whose overlay applies to a fact set: the finest place with an overlay that
        contains its location (its overlay applies over those of the wider places), else the
        place of the widest overlay level that contains it."""
        facts = self._own(facts)
        subject = self._policy.subjects[self.subject_of(facts)]
        h = self._policy.hierarchy
        level = h.overlay_level
        if subject.location is None or level is None:
            return None
        code = subject.places[subject.location].get(facts, self._context)
        if not isinstance(code, str):
            return None
        return h.enclosing(code, self._policy.overlays) or h.at(code, level)

    def parameters_for(self, facts: BaseModel) -> Mapping[str, ParamValue]:
        """The parameter values a fact set is decided with: the city's, or its district's."""
        facts = self._own(facts)
        return {n: p.value for n, p in self._policy.parameters_for(self.district_of(facts)).items()}

    def _compiled_for(self, question: Question, facts: Any) -> _CompiledQuestion:
        if question.name in self._varied:
            location = self._location.get(type(facts))
            if location is None:  # not one of the subjects' own models: the long way
                district = self.district_of(facts)
            else:
                code = location(facts, self._context)  # what district_of does, without lookups
                district = None
                if isinstance(code, str):
                    for n in self._overlay_lengths:  # the finest place with an overlay
                        if len(code) >= n and code[:n] in self._variant_names:
                            district = code[:n]
                            break
            names = self._variant_names.get(district or "")
            if names is not None and question.name in names:
                return self._district(district or "", question.name)
        return self._city(question.name)

    def sources(self, question: Question, facts: Any) -> tuple[str, ...]:
        """The overlay files (relative to the policy root) that decide this question here."""
        return self._compiled_for(question, facts).sources

    def holding(self, question: Question, facts: Any) -> frozenset[str]:
        """The ids of the rules whose condition holds, as this engine's evaluator finds them."""
        compiled = self._compiled_for(question, facts)
        if self._durable is not None:
            return self._durable.resolution(question, compiled.district, facts, self._context)[0]
        return frozenset(compiled.fired(compiled.program.mask(facts, self._context)))

    def decide(
        self,
        facts: Mapping[str, Any] | BaseModel,
        question: str,
        *,
        as_of: datetime.date | str | None = None,
    ) -> Decision:
        """Answer ``question`` for ``facts`` as of a day: ``as_of`` (a date or "YYYY-MM-DD"), or
        the date field the policy names as dating the case, or today — what is in force that day
        decides, and the decision says which day and why. Raises ConflictError on an unresolved
        conflict."""
        if as_of is None:
            fast = self._fast.get(question)
            if fast is not None and type(facts) is fast[0]:
                return fast[1](facts, fast[2], fast[3], "given")  # type: ignore[no-any-return]
        subject = self._subject_of_model.get(type(facts))  # None: not (yet) one of our models
        model: Any = facts if subject is not None else self.parse_facts(facts)
        day: datetime.date
        source: AsOfSource
        if as_of is not None:
            day, source = as_day(as_of), "given"
        elif self._day is not None:
            day, source = self._day, "given"
        elif self._dated_by:
            day, source = self.day_of(model)
        else:
            day, source = _today(), "today"
        engine = self
        if self._breaks is not None:
            last = self._last
            if last is not None and last[0] is day:
                engine = last[1]
            else:
                engine = self._epoch(bisect_right(self._breaks, day))
                self._last = (day, engine)
        decision = engine._decide(model, subject, question, day, source)
        if as_of is None and self._day is not None and subject is not None:
            found = engine._straight(question, subject, day)
            if found is not None:
                self._fast[question] = (type(model), *found)
        return decision

    def _straight(
        self, question: str, subject: str, day: datetime.date
    ) -> tuple[Specialised, Context, str] | None:
        """What ``_decide`` calls for ``question`` about ``subject`` on ``day`` whatever the
        facts (its specialised function, context and day), where that is so; else None."""
        compiled = self._compiled.get(question)
        if compiled is None or compiled.question.subject != subject or question in self._varied:
            return None
        fn = compiled.fast[1]
        if not fn or self._durable is not None:
            return None
        ctx = self._context
        if self._reads_as_of and ctx.as_of != day:
            ctx = self._context_on(day)
        return fn, ctx, _ISO.get(day) or _iso(day)

    def _decide(
        self, model: Any, subject: str | None, question: str, day: datetime.date, source: AsOfSource
    ) -> Decision:
        compiled = self._compiled.get(question)
        if compiled is None:
            compiled = self._city(question)  # raises FactsError on an unknown question
        q = compiled.question
        if subject != q.subject:
            subject = self.subject_of(model)
            if q.subject != subject:
                raise FactsError(
                    f"question `{question}` is about a {q.subject}, the facts describe a {subject}"
                )
        if question in self._varied:
            compiled = self._compiled_for(q, model)
        ctx = self._context
        if self._reads_as_of and ctx.as_of != day:  # what `as_of` reads: the decision's day
            ctx = self._context_on(day)
        if self._durable is None:
            fast = compiled.fast
            fn = fast[1]
            if fn:
                return fn(model, ctx, _ISO.get(day) or _iso(day), source)  # type: ignore[no-any-return]
            if fn is None:
                fast[0] += 1
                if fast[0] >= SPECIALISE_AFTER:
                    fast[1] = self.specialised(compiled) or False
            plan = _class_plan(self._policy, compiled, model, ctx)
        else:
            fired, overridden = self._durable.resolution(q, compiled.district, model, ctx)
            found = compiled.plans.get((fired, overridden))
            if found is None:
                found = _Plan(
                    self._policy, q, fired, overridden, ctx, compiled.sources, compiled.overlay
                )
                compiled.plans[(fired, overridden)] = found
            plan = found
        return plan.decide(model, ctx, _ISO.get(day) or _iso(day), source)

    def specialised(self, compiled: _CompiledQuestion) -> Specialised | None:
        """The specialised function of a compiled question (see ``engine.specialise``), or None
        where the general path keeps deciding it. ``decide`` makes it once the question has
        been decided ``SPECIALISE_AFTER`` times (a command that decides once never pays for
        it); the two paths decide alike (``tests/test_specialise.py``)."""
        policy = self._policy
        q = compiled.question
        ctx = self._context
        return specialise(
            policy.subjects[q.subject].features,
            [_fold(r.expanded, compiled.params) for r in compiled.rules],
            lambda values: compiled.plan(policy, ctx, values),
            partial(_general, policy, compiled),
            q.name if compiled.district is None else f"{q.name}@{compiled.district}",
        )

    def decide_all(
        self, facts: Mapping[str, Any] | BaseModel, *, as_of: datetime.date | str | None = None
    ) -> dict[str, Decision]:
        """Every question about this kind of subject, answered (as of ``as_of``, as ``decide``)."""
        model = self.parse_facts(facts)
        subject = self.subject_of(model)
        day, source = self.day_of(model, as_of)
        engine = self.at(day)
        return {
            name: engine._decide(model, subject, name, day, source)
            for name in self.questions(subject)
        }


SPECIALISE_AFTER = 64
"""Decisions of one compiled question by the general path before it gets its specialised one."""


def _class_plan(policy: Policy, compiled: _CompiledQuestion, model: Any, ctx: Context) -> _Plan:
    """The plan of the class of ``model``'s feature values: every feature computed, the class
    looked up (``Program.values`` and ``.class_of``, inlined: the general path)."""
    program = compiled.program
    values = list(program.fields(model)) if program.fields is not None else []
    for get in program.getters:
        values.append(get(model, ctx))
    for i, cuts in program.cuts:
        values[i] = bisect_right(cuts, values[i])
    plan = compiled.classes.get(tuple(values))
    if plan is None:
        plan = compiled.plan(policy, ctx, program.values(model, ctx))
    return plan


def _general(
    policy: Policy,
    compiled: _CompiledQuestion,
    model: Any,
    ctx: Context,
    as_of: str | None,
    source: AsOfSource | None,
) -> Decision:
    """The general path's decision: what a specialised function falls back to."""
    return _class_plan(policy, compiled, model, ctx).decide(model, ctx, as_of, source)


def overridden_by_fired(question: Question, fired: Iterable[str]) -> frozenset[str]:
    """The fired rules that another fired rule overrides: the override semantics, in Python."""
    fired_ids = set(fired)
    return frozenset(
        target
        for r in question.rules
        if r.id in fired_ids
        for target in r.overrides
        if target in fired_ids
    )


def resolve(question: Question, fired: Iterable[str]) -> tuple[list[Rule], list[Rule], list[Rule]]:
    """(fired, overridden, remaining) rules, each sorted by id (whatever the order of the rules)."""
    fired_ids = set(fired)
    return _split(question, fired_ids, overridden_by_fired(question, fired_ids))


def _split(
    question: Question, fired: Iterable[str], overridden: Iterable[str]
) -> tuple[list[Rule], list[Rule], list[Rule]]:
    fired_ids, knocked = set(fired), set(overridden)
    if not knocked <= fired_ids:
        raise ValueError(f"overridden rules that did not fire: {sorted(knocked - fired_ids)}")
    fired_rules = sorted((r for r in question.rules if r.id in fired_ids), key=lambda r: r.id)
    overridden_rules = [r for r in fired_rules if r.id in knocked]
    remaining = [r for r in fired_rules if r.id not in knocked]
    return fired_rules, overridden_rules, remaining


def decide_from_holding(
    policy: Policy,
    question: Question,
    facts: Any,
    ctx: Context,
    holding: frozenset[str],
    *,
    sources: tuple[str, ...] = (),
) -> Decision:
    """The decision for a question, given which of its rules hold (overrides resolved here).

    ``sources`` names the district overlay the holding rules were evaluated with, if any.
    """
    return decide_from_resolution(
        policy,
        question,
        facts,
        ctx,
        holding,
        overridden_by_fired(question, holding),
        sources=sources,
    )


def decide_from_resolution(
    policy: Policy,
    question: Question,
    facts: Any,
    ctx: Context,
    fired: Iterable[str],
    overridden: Iterable[str],
    *,
    sources: tuple[str, ...] = (),
) -> Decision:
    """The decision, given the rules that fired and those of them overridden. Shared by every
    evaluator: conflicts, the explicit no-rule answer and the answer's bodies are decided here.
    """
    return _Plan(policy, question, fired, overridden, ctx, sources).decide(facts, ctx)


class _Plan:
    """The decision for one question and one set of fired and overridden rules, but for what
    depends on the facts themselves: the bodies' place codes and the subject's id.

    Built once per such set (the engine keeps it), and the one place where conflicts, the
    explicit no-rule answer and every field of a Decision are decided.
    """

    __slots__ = (
        "applied",
        "citations",
        "conflict",
        "criteria",
        "detail",
        "fills",
        "fingerprint",
        "fired",
        "has_id",
        "instruments",
        "name",
        "notes",
        "outcome",
        "outcome_name",
        "overridden",
        "policy",
        "provenance",
        "reason",
        "slots",
        "sources",
        "subject",
        "title",
        "value",
        "value_name",
    )

    def __init__(
        self,
        policy: Policy,
        question: Question,
        fired: Iterable[str],
        overridden: Iterable[str],
        ctx: Context,
        sources: tuple[str, ...],
        overlay: Overlay | None = None,
    ) -> None:
        fired_rules, overridden_rules, remaining = _split(question, fired, overridden)
        self.name, self.title, self.subject = question.name, question.title, question.subject
        fields = getattr(policy.subjects[question.subject].model, "model_fields", {})
        self.has_id = "id" in fields  # its models have the attribute: read without getattr
        self.conflict: list[tuple[str, str, Location | None]] | None = None
        if len({r.answer for r in remaining}) > 1:
            self.conflict = [
                (r.id, ", ".join(str(c) for c in r.cites), r.location) for r in remaining
            ]
        answer = remaining[0].answer if remaining else None
        cites = sorted({c for r in remaining for c in r.cites})
        self.outcome = answer.outcome if answer else "no_rule"
        self.outcome_name = policy.vocabulary.outcomes[self.outcome]
        self.slots = (
            tuple(_BodySlot(policy, question, b, ctx) for b in answer.bodies) if answer else ()
        )
        self.citations = tuple(
            Citation(c, policy.articles[c.article].quote(c.item, c.paragraph)) for c in cites
        )
        self.reason = answer.reason if answer else None
        self.fills = _fills(policy, question, self.reason, ctx, overlay)
        self.criteria = (
            _criteria(policy, question, answer, ctx, overlay) if answer and answer.criteria else ()
        )
        self.detail = answer.detail if answer else ()
        self.applied = tuple(r.id for r in remaining)
        self.fired = tuple(r.id for r in fired_rules)
        self.overridden = tuple(r.id for r in overridden_rules)
        self.policy, self.fingerprint = policy.name, policy.fingerprint
        self.sources = sources
        self.notes = _notes(question, remaining, overlay)
        self.provenance = policy.provenance
        self.instruments = _instruments(policy, question.name)
        self.value = answer.value if answer else None
        self.value_name = question.value_names.get(self.value) if self.value else None

    def decide(
        self,
        facts: Any,
        ctx: Context,
        as_of: str | None = None,
        source: AsOfSource | None = None,
    ) -> Decision:
        if self.conflict is not None:
            raise ConflictError(self.name, self.conflict)
        slots = self.slots
        if len(slots) == 1:
            bodies = slots[0].bodies(facts, ctx)
        else:
            bodies = ()
            for slot in slots:
                bodies += slot.bodies(facts, ctx)
        decision = DecisionTwin(  # make_decision, inlined: this is the hot path
            self.name,
            self.title,
            self.subject,
            getattr(facts, "id", None),
            self.outcome,
            self.outcome_name,
            bodies,
            self.citations,
            self.reason if not self.fills else FilledText(self.reason, self.fills, facts, ctx),  # type: ignore[arg-type]  # fills only where there is a reason
            self.detail,
            self.applied,
            self.fired,
            self.overridden,
            self.policy,
            self.fingerprint,
            self.sources,
            self.notes,
            as_of,
            source,
            self.provenance,
            self.instruments,
            self.value,
            self.value_name,
        )
        if self.criteria:  # `criteria: all`: every failed criterion, and their joined reasons
            decision.failed = failed(self.criteria, facts, ctx, shown)
            decision.reason = joined(decision.failed)
        decision.__class__ = Decision
        return decision  # type: ignore[no-any-return]

    def source(
        self, names: Names, facts: str, ctx: str, as_of: str, source: str
    ) -> list[str] | None:
        """What ``decide`` does, as Python statements over the names given, for a specialised
        function to build the decision in place (``engine.specialise``): every value that does
        not depend on the facts bound once in its scope. None where ``decide`` must be called
        (a conflict to raise, failed criteria to list)."""
        if self.conflict is not None or self.criteria:
            return None
        k = names.bind
        parts = [slot.source(names, facts, ctx) for slot in self.slots]
        bodies = " + ".join(parts) if parts else "()"
        reason = k(self.reason)
        if self.fills:
            reason = later(names, reason, k(self.fills), facts, ctx)
        return self.statements(names, facts, as_of, source, bodies, reason)

    def statements(
        self, names: Names, facts: str, as_of: str, source: str, bodies: str, reason: str
    ) -> list[str]:
        """The statements that build the decision and return it, given the expressions of its
        bodies and its reason (``source``'s, or a kept answer program's: ``kept_answers``);
        every other value bound by ``names``."""
        k = names.bind
        values = [
            k(self.name),
            k(self.title),
            k(self.subject),
            f"{facts}.id" if self.has_id else f"getattr({facts}, 'id', None)",
            k(self.outcome),
            k(self.outcome_name),
            bodies,
            k(self.citations),
            reason,
            k(self.detail),
            k(self.applied),
            k(self.fired),
            k(self.overridden),
            k(self.policy),
            k(self.fingerprint),
            k(self.sources),
            k(self.notes),
            as_of,
            source,
            k(self.provenance),
            k(self.instruments),
            k(self.value),
            k(self.value_name),
        ]
        return [
            f"_d = {k(DecisionTwin)}({', '.join(values)})",  # make_decision, as in decide
            f"_d.__class__ = {k(Decision)}",
            "return _d",
        ]


def _instruments(policy: Policy, question: str) -> tuple[Instrument, ...]:
    """The later instruments a decision of this question carries on the policy's day: those that
    ended it, the cautions said in it, and those that renamed a body."""
    epoch = policy.epoch
    if epoch is None:
        return ()
    out: list[Instrument] = []
    for ending in epoch.endings.get(question, ()):
        i = ending.instrument
        out.append(
            Instrument(i.id, i.title, i.in_force, i.certainty, i.source, ending.note, not i.quoted)
        )
    for caution in epoch.cautions.get(question, ()):
        i = caution.instrument
        out.append(
            Instrument(i.id, i.title, i.in_force, i.certainty, i.source, caution.note, not i.quoted)
        )
    out.extend(
        Instrument(i.id, i.title, i.in_force, i.certainty, i.source, i.summary, not i.quoted)
        for i in epoch.renamed
    )
    return tuple(out)


_ISO: dict[datetime.date, str] = {}
"""Days as YYYY-MM-DD, kept: a decision carries its day as text."""

_TODAY: list[Any] = [None, -1.0]
"""Today, and until when (monotonic seconds) it is taken to be today without asking the clock."""


def _iso(day: datetime.date) -> str:
    if len(_ISO) >= 4096:
        _ISO.clear()
    text = _ISO[day] = day.isoformat()
    return text


def _today() -> datetime.date:
    """Today's date, read from the clock at most once a second (the same object meanwhile, so
    that an engine finds the stretch of time it decided last by identity)."""
    now = time.monotonic()
    if now >= _TODAY[1]:
        day = datetime.date.today()
        if day != _TODAY[0]:
            _TODAY[0] = day
        _TODAY[1] = now + 1.0
    today: datetime.date = _TODAY[0]
    return today


_WORD_AS_OF = re.compile(r"\bas_of\b")


def _reads_as_of(policy: Policy) -> bool:
    """Whether some condition, feature or place of the policy reads ``as_of`` (the day)."""
    if reaches((rule.expanded for q in policy.questions.values() for rule in q.rules), AsOf):
        return True
    if policy.facts is None:
        return False
    for subject in policy.subjects.values():
        exprs = [f.expr for f in subject.features.values()]
        exprs += [getattr(p, "expr", "") for p in subject.places.values()]
        if any(_WORD_AS_OF.search(x) for x in exprs):
            return True
    return False


def as_day(value: datetime.date | str) -> datetime.date:
    """A day given as a date or as "YYYY-MM-DD"; FactsError otherwise."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    raise FactsError(f"as_of must be a date, YYYY-MM-DD; got {value!r}")


_Fill = Fill


def _fills(
    policy: Policy,
    question: Question,
    reason: Text | None,
    ctx: Context,
    overlay: Overlay | None,
) -> tuple[_Fill, ...]:
    """How to fill in the values a reason asks for (``{subject.x}``, ``{param.x}``): for each,
    its placeholder and a getter (the loader checked that each names something)."""
    if reason is None:
        return ()
    subject = policy.subjects[question.subject]
    values = {
        n: p.value for n, p in policy.parameters_for(overlay.district if overlay else None).items()
    }
    out: list[_Fill] = []
    for head, name in placeholders(reason):
        if head == "param":
            value = values[name]
            out.append((f"{{{head}.{name}}}", _constant(value)))
        else:
            found = subject.features.get(name) or subject.places[name]
            out.append((f"{{{head}.{name}}}", found.get))
    return tuple(out)


def _criteria(
    policy: Policy, question: Question, answer: AnswerSpec, ctx: Context, overlay: Overlay | None
) -> tuple[Criterion, ...]:
    """The cases of the scope, each compiled to be tested on the facts (see ``criteria``)."""
    features = policy.subjects[question.subject].features
    district = overlay.district if overlay else None
    params = {n: p.value for n, p in policy.parameters_for(district).items()}
    return tuple(
        Criterion(
            case.id,
            compile_predicate(case.expanded, features, params),
            case.reason,
            _fills(policy, question, case.reason, ctx, overlay),
        )
        for case in answer.criteria
    )


def _constant(value: ParamValue) -> Callable[[Any, Context], Any]:
    def get(_facts: Any, _ctx: Context) -> Any:
        return value

    return get


def _notes(question: Question, remaining: list[Rule], overlay: Overlay | None) -> tuple[Text, ...]:
    """The notes a decision carries: those of the rules applied — but where an overlay set a
    parameter a rule reads, that rule's note speaks of the city's values and does not apply:
    the overlay's own title, values and notes stand in its place."""
    if overlay is None:
        return tuple(r.note for r in remaining if r.note)
    set_here = parameters_read(question) & set(overlay.parameters)
    if not set_here:
        return tuple(r.note for r in remaining if r.note)
    notes: list[Text] = []
    for member in overlay.setters(set_here):  # each file that set a value read, the widest first
        title = member.title
        notes.append(Text(f"{member.file}:{title.zh}", f"{member.file}: {title.en}"))
        for name in sorted(
            n for n in set_here if member.parameters.get(n) is overlay.parameters[n]
        ):
            p = overlay.parameters[name]
            value = (
                yes_no(p.value) if isinstance(p.value, bool) else Text(str(p.value), str(p.value))
            )
            head = Text(
                f"{name} = {value.zh}({member.file})", f"{name} = {value.en} ({member.file})"
            )
            if p.note is None:
                notes.append(head)
            else:
                notes.append(Text(f"{head.zh}:{p.note.zh}", f"{head.en}: {p.note.en}"))
    for r in remaining:
        reads = {n.name for n in walk(r.expanded) if isinstance(n, ParamRef)}
        if r.note and not reads & set_here:
            notes.append(r.note)
    return tuple(notes)


_BODY_CACHE_SIZE = 4096


class _BodySlot:
    """One body template of an answer: its bodies for a fact set's place, kept by place code."""

    __slots__ = (
        "cache",
        "city",
        "code",
        "digits",
        "get",
        "hierarchy",
        "policy",
        "question",
        "template",
    )

    def __init__(self, policy: Policy, question: Question, b: BodyTemplate, ctx: Context) -> None:
        self.policy, self.question, self.template = policy, question, b
        self.hierarchy = policy.hierarchy
        self.cache: dict[str, Body] = {}
        root = b.level == self.hierarchy.root
        self.city = (_body(policy, b, ctx.root, 0),) if root else None
        place = policy.subjects[question.subject].places[b.place]
        self.get, self.code = place.get, place.code
        self.digits = self.hierarchy.length(b.level)

    def bodies(self, facts: Any, ctx: Context) -> tuple[Body, ...]:
        """The bodies it names: one, or one per place of a place reference with ``many``."""
        if self.city is not None:
            return self.city
        raw = self.get(facts, ctx)
        if type(raw) is str and len(raw) >= self.digits:  # the usual case: one place
            code = raw[: self.digits]
            found = self.cache.get(code)
            return (found if found is not None else self.body(code),)
        raws = raw if isinstance(raw, tuple) else (raw,)
        b = self.template
        codes = [self.hierarchy.at(r, b.level) if r is not None else None for r in raws]
        if not codes or None in codes:
            raise FactsError(
                f"question `{self.question.name}` names the {b.level} of the {b.place} "
                f"place, but the facts give {raw!r}"
            )
        return tuple(self.body(code) for code in codes if code is not None)

    def source(self, names: Names, facts: str, ctx: str) -> str:
        """``bodies`` as a Python expression: the usual case (one place, its body kept) in
        place, anything else by calling ``bodies``."""
        k = names.bind
        if self.city is not None:
            return k(self.city)
        call = f"{k(self.bodies)}({facts}, {ctx})"
        if self.code is None:
            return call
        raw, got, n = names.temp(), names.temp(), self.digits
        read = self.code(facts, ctx, names)
        kept = f"({got} if ({got} := {k(self.cache)}.get({raw}[:{n}])) is not None"
        kept += f" else {k(self.body)}({raw}[:{n}]))"
        usual = f"({raw} := {read}).__class__ is str and len({raw}) >= {n}"
        return f"(({kept},) if {usual} else {call})"

    def body(self, code: str) -> Body:
        found = self.cache.get(code)
        if found is None:
            if len(self.cache) >= _BODY_CACHE_SIZE:
                self.cache.clear()
            found = _body(self.policy, self.template, code, self.hierarchy.form_index(code))
            self.cache[code] = found
        return found


def _body(policy: Policy, b: BodyTemplate, code: str, form_index: int) -> Body:
    vocab = policy.vocabulary
    spec = policy.bodies[b.kind]
    own = spec.level.of(code, None) if spec.level is not None else None
    return Body(
        kind=b.kind,
        name=spec.name(form_index),
        level=b.level,
        level_name=vocab.levels[b.level][form_index],
        place=b.place,
        place_name=vocab.places[b.place],
        place_code=code,
        role=b.role,
        role_name=vocab.roles[b.role],
        cite=b.cite,
        via=b.via,
        level_param=b.level_param,
        actor=spec.actor,
        place_label=policy.facts.place_names.get(code) if policy.facts is not None else None,
        body_level=own[0] if own is not None else None,
        body_level_name=own[1] if own is not None else None,
    )


E = TypeVar("E", bound=Engine)


def _engine_of_content(
    cls: type[E], content: PolicyContent, evaluator: Evaluator, day: str | None = None
) -> E:
    """The engine of an unpickled :class:`Engine` (or of a subclass): its policy rebuilt from
    the bytes it carried, and the same (as of its day, if it had one)."""
    engine = cls(policy_of(content), evaluator=evaluator)
    return engine.at(day) if day is not None else engine


def policy_at(path: str | Path | None = None, overlays: str | Path | None = None) -> Policy:
    """The policy an engine is made of: the bundled one, or the directory at ``path``, with the
    caller's ``overlays`` folder (see :func:`jurisdiction.load`)."""
    if path is not None and not isinstance(path, str | Path):
        raise PolicyError.single(
            "file", f"a policy is a path, got {type(path).__name__}", Location("<api>", 1, 1)
        )
    if overlays is not None and not isinstance(overlays, str | Path):
        raise PolicyError.single(
            "file",
            f"overlays is a folder's path, got {type(overlays).__name__}",
            Location("<api>", 1, 1),
        )
    root = Path(path) if path is not None else bundled_policy_path()
    extra = Path(overlays) if overlays is not None else None
    return load_policy(root, overlays=extra)


def load(
    path: str | Path | None = None,
    *,
    evaluator: Evaluator = "compiled",
    overlays: str | Path | None = None,
) -> Engine:
    """An engine of this layer (no methods of the layers above it: ``jurisdiction.load`` gives
    those); the arguments of :func:`jurisdiction.load`."""
    return Engine(policy_at(path, overlays), evaluator=evaluator)
