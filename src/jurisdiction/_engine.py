"""The evaluation semantics, stated once:

1. every rule of the question whose (expanded) condition holds *fires*;
2. a fired rule named in the ``overrides`` of another fired rule drops out;
3. the remaining rules must agree on one answer, else :class:`ConflictError`;
   none remaining is an explicit ``no_rule`` decision.

Rule order never matters: rules are kept sorted by id and every step works on sets.
An ``Engine`` holds only immutable data after construction, so one engine may serve many threads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Union

from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from ._compile import Predicate, compile_predicate
from ._decision import Body, Citation, Decision
from ._errors import ConflictError, FactsError, suggest
from ._load import load_policy
from ._places import Level, code_at, form_of
from ._policy import Policy, Question, Rule
from ._subjects import CITY_PARAMETER, SUBJECTS, Context

__all__ = ["Engine", "bundled_policy_path", "load", "parse_facts"]

HoldingFn = Callable[[Question, Any, Context], frozenset[str]]


def bundled_policy_path() -> Path:
    """The policy shipped with the package (or, in a source checkout, the top-level folder)."""
    here = Path(__file__).resolve().parent
    packaged = here / "policies"
    if packaged.is_dir():
        return packaged
    checkout = here.parent.parent / "policies"
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError("the bundled policy is missing from this installation")


@cache
def _facts_adapter() -> TypeAdapter[Any]:
    """One validator for every kind of fact set, dispatched on the ``kind`` field."""
    models = tuple(s.model for s in SUBJECTS.values())
    union = Annotated[Union[models], Field(discriminator="kind")]  # type: ignore[valid-type]  # noqa: UP007
    return TypeAdapter(union)


def parse_facts(data: Mapping[str, Any] | BaseModel, source: str | None = None) -> BaseModel:
    """Validate a fact set given as a mapping with a ``kind`` (or pass a model through)."""
    if isinstance(data, BaseModel):
        return data
    if not isinstance(data, Mapping):
        raise FactsError(f"a fact set is a mapping, got {type(data).__name__}", source=source)
    kind = data.get("kind")
    if kind not in SUBJECTS:
        near = suggest(str(kind), set(SUBJECTS)) if kind else None
        hint = f" (did you mean `{near}`?)" if near else ""
        raise FactsError(
            f"`kind` must be one of {', '.join(sorted(SUBJECTS))}, got {kind!r}{hint}",
            source=source,
        )
    try:
        model: BaseModel = _facts_adapter().validate_python(dict(data))
    except ValidationError as exc:
        raise FactsError(_facts_message(exc), source=source) from exc
    return model


def _facts_message(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"][1:]) or "facts"
        parts.append(f"{loc}: {err['msg']}")
    return "invalid facts: " + "; ".join(parts)


def subject_of(facts: BaseModel) -> str:
    for subject in SUBJECTS.values():
        if isinstance(facts, subject.model):
            return subject.name
    raise FactsError(f"not a fact set this library knows: {type(facts).__name__}")


@dataclass(frozen=True, slots=True)
class _CompiledQuestion:
    question: Question
    predicates: tuple[tuple[Rule, Predicate], ...]


class Engine:
    """A loaded, compiled policy that answers questions about fact sets."""

    __slots__ = ("_compiled", "_context", "_policy")

    def __init__(self, policy: Policy) -> None:
        self._policy = policy
        params = {name: p.value for name, p in policy.parameters.items()}
        self._context = Context(city_prefix=str(params[CITY_PARAMETER]))
        self._compiled: Mapping[str, _CompiledQuestion] = {
            name: _CompiledQuestion(
                q,
                tuple((r, compile_predicate(r.expanded, q.subject, params)) for r in q.rules),
            )
            for name, q in policy.questions.items()
        }

    @property
    def policy(self) -> Policy:
        return self._policy

    @property
    def context(self) -> Context:
        return self._context

    def questions(self, subject: str | None = None) -> tuple[str, ...]:
        """The names of the questions, optionally only those about one kind of subject."""
        return tuple(n for n, q in self._policy.questions.items() if subject in (None, q.subject))

    def question(self, name: str) -> Question:
        q = self._policy.questions.get(name)
        if q is None:
            near = suggest(name, set(self._policy.questions))
            hint = f" (did you mean `{near}`?)" if near else ""
            raise FactsError(f"unknown question `{name}`{hint}; see `jurisdiction questions`")
        return q

    def holding(self, question: Question, facts: Any) -> frozenset[str]:
        """The ids of the rules whose condition holds (the reference evaluator)."""
        ctx = self._context
        return frozenset(r.id for r, p in self._compiled[question.name].predicates if p(facts, ctx))

    def decide(self, facts: Mapping[str, Any] | BaseModel, question: str) -> Decision:
        """Answer ``question`` for ``facts``; raises ConflictError on an unresolved conflict."""
        model = parse_facts(facts)
        q = self.question(question)
        subject = subject_of(model)
        if q.subject != subject:
            raise FactsError(
                f"question `{question}` is about a {q.subject}, the facts describe a {subject}"
            )
        return decide_from_holding(self._policy, q, model, self._context, self.holding(q, model))

    def decide_all(self, facts: Mapping[str, Any] | BaseModel) -> dict[str, Decision]:
        """Every question about this kind of subject, answered."""
        model = parse_facts(facts)
        subject = subject_of(model)
        return {name: self.decide(model, name) for name in self.questions(subject)}


def resolve(question: Question, fired: Iterable[str]) -> tuple[list[Rule], list[Rule], list[Rule]]:
    """(fired, overridden, remaining) rules, each sorted by id (whatever the order of the rules)."""
    fired_ids = set(fired)
    fired_rules = sorted((r for r in question.rules if r.id in fired_ids), key=lambda r: r.id)
    knocked = {target for r in fired_rules for target in r.overrides}
    overridden = [r for r in fired_rules if r.id in knocked]
    remaining = [r for r in fired_rules if r.id not in knocked]
    return fired_rules, overridden, remaining


def decide_from_holding(
    policy: Policy, question: Question, facts: Any, ctx: Context, holding: frozenset[str]
) -> Decision:
    """The decision for a question, given which of its rules hold. Shared by every evaluator."""
    fired, overridden, remaining = resolve(question, holding)
    answers = {r.answer for r in remaining}
    if len(answers) > 1:
        raise ConflictError(
            question.name,
            [(r.id, ", ".join(str(c) for c in r.cites), r.location) for r in remaining],
        )
    vocab = policy.vocabulary
    answer = remaining[0].answer if remaining else None
    cites = sorted({c for r in remaining for c in r.cites})
    outcome = answer.outcome if answer else "no_rule"
    return Decision(
        question=question.name,
        question_title=question.title,
        subject=question.subject,
        subject_id=getattr(facts, "id", None),
        outcome=outcome,
        outcome_name=vocab.outcomes[outcome],
        bodies=tuple(_body(policy, question, b, facts, ctx) for b in answer.bodies)
        if answer
        else (),
        citations=tuple(Citation(c, policy.articles[c.article].quote(c.item)) for c in cites),
        reason=answer.reason if answer else None,
        detail=answer.detail if answer else (),
        rules_applied=tuple(r.id for r in remaining),
        rules_fired=tuple(r.id for r in fired),
        rules_overridden=tuple(r.id for r in overridden),
        policy=policy.name,
        policy_fingerprint=policy.fingerprint,
    )


def _body(policy: Policy, question: Question, b: Any, facts: Any, ctx: Context) -> Body:
    vocab = policy.vocabulary
    ref = SUBJECTS[question.subject].places[b.place]
    if b.level is Level.city:
        code = ctx.city_prefix
        form_index = 0
    else:
        raw = ref.get(facts, ctx)
        code_or_none = code_at(raw, b.level) if raw is not None else None
        if code_or_none is None:
            raise FactsError(
                f"question `{question.name}` names the {b.level.value} of the {b.place} place, "
                f"but the facts give {raw!r}"
            )
        code = code_or_none
        form_index = 0 if form_of(code) == "urban" else 1
    spec = policy.bodies[b.kind]
    return Body(
        kind=b.kind,
        name=spec.urban if form_index == 0 else spec.rural,
        level=b.level.value,
        level_name=vocab.levels[b.level.value][form_index],
        place=b.place,
        place_name=vocab.places[b.place],
        place_code=code,
        role=b.role,
        role_name=vocab.roles[b.role],
        cite=b.cite,
    )


def load(path: str | Path | None = None) -> Engine:
    """An engine for the bundled policy, or for the policy directory at ``path``."""
    root = Path(path) if path is not None else bundled_policy_path()
    return Engine(load_policy(root))
