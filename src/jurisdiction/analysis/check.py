"""Static verification of a policy: every check a small generator, one dispatcher that locates.

``check(policy)`` yields :class:`Finding` records lazily — overlaps and gaps first, the softer
lints after. The partition of each question's fact space (``analysis.partition``) is exact, so an
overlap or a gap is reported if and only if ``decide`` would meet it, and each comes with a
witness: a complete fact set that ``decide`` confirms. Where the realiser can neither construct a
class nor prove it impossible, the check says so (``check-incomplete``): a check with no finding
has decided every class there is.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import string
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ..core.codes import Severity, severity
from ..core.errors import ConflictError, FactsError, Location
from ..core.text import Cite
from ..engine.engine import (
    Engine,
    _compile_question,
    _Plan,
    overridden_by_fired,
    parameters_read,
    resolve,
)
from ..language.conditions import (
    AsOf,
    Compare,
    FactRef,
    IntConst,
    ParamRef,
    walk,
)
from ..language.places import prefixes, root_code
from ..language.subjects import Context
from ..policy.load import load_policy, override_problems
from ..policy.model import ArticleText, Definition, Overlay, Parameter, Policy, Question, Rule
from . import usage
from .partition import (
    DecidedClass,
    Interval,
    QuestionPartition,
    Realiser,
    partition,
    realiser_for,
    splits,
)
from .patterns import eligible, pattern, remap

__all__ = ["Checker", "Finding", "check", "usage_lints"]


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem ``check`` found in a policy.

    ``witness`` is a complete fact set that demonstrates the problem (``decide`` raises the
    conflict, returns ``no_rule``, …); static lints (bounds, unused, uncited, override) have none.
    """

    code: str
    severity: Severity
    message: str
    location: Location | None
    question: str | None = None
    rules: tuple[str, ...] = ()
    articles: tuple[Cite, ...] = ()
    witness: BaseModel | None = None
    suggestion: str | None = None
    period: tuple[str | None, str | None] | None = None
    """For a policy that dates what it answers: the days (from, until; None open) over which the
    finding holds. None for a policy with nothing dated."""

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        hint = f" ({self.suggestion})" if self.suggestion else ""
        when = ""
        if self.period is not None:
            start, end = self.period
            when = (
                " ["
                + " ".join(
                    part
                    for part in (f"from {start}" if start else "", f"until {end}" if end else "")
                    if part
                )
                + "]"
            )
        context = self.location.suffix if self.location else ""
        return f"{where}{self.code}: {self.message}{hint}{context}{when}"

    def day(self) -> str | None:
        """A day within ``period`` (its first, or the day before it ends) to decide the witness
        as of, YYYY-MM-DD; None for a finding that holds whatever the day."""
        if self.period is None:
            return None
        start, end = self.period
        if start is not None:
            return start
        assert end is not None
        return (datetime.date.fromisoformat(end) - datetime.timedelta(days=1)).isoformat()

    def witness_data(self) -> dict[str, Any] | None:
        """The witness as JSON-ready data (a fact set ``decide`` accepts), or None."""
        if self.witness is None:
            return None
        data: dict[str, Any] = self.witness.model_dump(mode="json", exclude_none=True)
        return data

    def witness_json(self) -> str | None:
        """The witness as compact JSON, or None."""
        data = self.witness_data()
        return None if data is None else json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    def to_dict(self) -> dict[str, Any]:
        loc = self.location
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "location": (
                {
                    "file": loc.file,
                    "line": loc.line,
                    "column": loc.column,
                    **({"context": loc.context} if loc.context else {}),
                }
                if loc
                else None
            ),
            "question": self.question,
            "rules": list(self.rules),
            "articles": [str(c) for c in self.articles],
            "witness": self.witness_data(),
            "suggestion": self.suggestion,
            "period": ({"from": self.period[0], "until": self.period[1]} if self.period else None),
        }


Where = Rule | Question | Parameter | Definition | ArticleText | Location


@dataclass(frozen=True, slots=True)
class _Raw:
    """What a check yields; the dispatcher turns it into a located :class:`Finding`."""

    code: str
    message: str
    at: Where
    rules: tuple[Rule, ...] = ()
    witness: BaseModel | None = None
    suggestion: str | None = None
    articles: tuple[Cite, ...] = ()
    question: str | None = None


class Checker:
    """One run of the checks over one engine; the partitions are computed once, on demand.

    ``only`` limits the partitioned questions (an overlay re-checks the questions it changes).
    """

    def __init__(
        self,
        engine: Engine,
        only: frozenset[str] | None = None,
        realiser: Realiser | None = None,
    ) -> None:
        self.engine = engine
        self.policy = engine.policy
        self.only = only
        self._realiser = realiser if realiser is not None else realiser_for(engine)
        self._partitions: dict[str, QuestionPartition] = {}
        self._overlay_classes: list[int] = []

    def partition(self, question: Question) -> QuestionPartition:
        if question.name not in self._partitions:
            self._partitions[question.name] = partition(self.engine, question, self._realiser)
        return self._partitions[question.name]

    def partitions(self) -> Iterator[QuestionPartition]:
        for question in self.policy.questions.values():
            if self.only is None or question.name in self.only:
                yield self.partition(question)

    @property
    def classes_decided(self) -> int:
        """Classes decided so far, those of the district overlays included."""
        return sum(len(p.classes) for p in self._partitions.values()) + sum(self._overlay_classes)

    @property
    def classes_unverified(self) -> int:
        """Classes neither realised nor proved impossible so far (the city's partitions; an
        overlay's show as its own ``check-incomplete`` findings)."""
        return sum(len(p.unverified) for p in self._partitions.values())

    def findings(self) -> Iterator[Finding]:
        """The findings about the policy with the city's own parameter values."""
        for check_ in _CHECKS:
            for raw in check_(self):
                yield self._locate(raw)

    def value_findings(self) -> Iterator[Finding]:
        """The findings a parameter's value can change (``_BY_VALUE``), as ``findings`` gives
        them: what a later stretch of a dated policy is checked for."""
        for check_ in _VALUE_CHECKS:
            for raw in check_(self):
                yield self._locate(raw)

    def all_findings(self) -> Iterator[Finding]:
        """The city's findings, then each district overlay's, in district order."""
        yield from self.findings()
        overlays = _OverlayChecks(self.engine)
        self._overlay_classes = overlays.classes
        for district in sorted(self.policy.overlays):
            yield from overlays.findings(self.policy.overlays[district])

    def _locate(self, raw: _Raw) -> Finding:
        at = raw.at
        location = at if isinstance(at, Location) else at.location
        question = raw.question
        if question is None and isinstance(at, Rule):
            question = at.question
        elif question is None and isinstance(at, Question):
            question = at.name
        articles = raw.articles or tuple(sorted({c for r in raw.rules for c in r.cites}))
        return Finding(
            code=raw.code,
            severity=severity(raw.code),
            message=raw.message,
            location=location,
            question=question,
            rules=tuple(r.id for r in raw.rules),
            articles=articles,
            witness=raw.witness,
            suggestion=raw.suggestion,
        )


def check(policy: Policy | Engine | str | os.PathLike[str]) -> Iterator[Finding]:
    """(A policy that dates what it answers is checked stretch by stretch by
    ``analysis.over_time.check``, which ``jurisdiction.check`` is.)

    The findings of every check on ``policy``, lazily: overlaps and gaps first.

    ``policy`` is a loaded :class:`Policy`, an :class:`Engine`, or a policy directory (loaded
    leniently, so that inconsistent overrides are findings rather than a ``PolicyError``).
    """
    if isinstance(policy, Engine):
        engine = policy
    elif isinstance(policy, Policy):
        engine = Engine(policy)
    else:
        engine = Engine(load_policy(Path(policy), strict=False))
    return Checker(engine).all_findings()


_BY_VALUE = ("overlap", "gap", "answer-place", "check-incomplete", "unreachable")
"""The findings a parameter's value can change, in the order they are reported: an overlay is
checked for these (the partition checks), the other checks read nothing an overlay sets."""


class _OverlayChecks:
    """The partition checks of every district overlay of one policy, sharing the work by value.

    What the partition checks find about a question is a pure function of the question and of
    the values of the parameters its rules read (its thresholds and its compiled program), and
    of the place codes the realiser starts from (the root parameter): the vocabulary — features,
    places, constraints — may not read a delegated parameter (the type checker refuses it), so
    the fact sets realised for a class are the same in every district. So two overlays whose
    values of those parameters are equal get one partition of the question and its findings;
    and every overlay with the same root uses one realiser (which keeps what it found).
    Each overlay still gets its own findings: its file and district in the message, and each
    witness moved into its district.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.policy = engine.policy
        self.root = self.policy.hierarchy.root_parameter
        self._realisers: dict[Any, Realiser] = {}
        self._found: dict[Any, tuple[dict[str, list[Finding]], int]] = {}
        self._eligible: dict[str, Mapping[str, str] | None] = {}
        self._reference: dict[Any, QuestionPartition] = {}
        self.classes: list[int] = []
        self.reused = 0
        """Partitions taken from an earlier overlay's of the same order pattern."""

    def _key(self, question: Question, values: dict[str, Any]) -> Any:
        read = sorted(parameters_read(question) | {self.root})
        return (question.name, tuple((n, values[n]) for n in read))

    def findings(self, overlay: Overlay) -> Iterator[Finding]:
        policy = self.policy
        params = policy.parameters_for(overlay.district)
        values = {n: p.value for n, p in params.items()}
        changed = [
            q for q in policy.questions.values() if parameters_read(q) & set(overlay.parameters)
        ]
        if not changed:
            return
        flat: Policy | None = None
        per_question: list[dict[str, list[Finding]]] = []
        for q in changed:
            key = self._key(q, values)
            found = self._found.get(key)
            if found is None:
                if flat is None:
                    flat = replace(policy, parameters=params, overlays={})
                found = self._check(flat, q, values)
                self._found[key] = found
            per_question.append(found[0])
            self.classes.append(found[1])
        prefix = f"with the overlay {overlay.file} (district {overlay.district}): "
        for code in _BY_VALUE:  # the order Checker.findings gives: by check, then by question
            for by_code in per_question:
                for finding in by_code.get(code, ()):
                    witness = finding.witness
                    if witness is not None:
                        witness = _into_district(self.engine, witness, overlay.district)
                    yield replace(finding, message=prefix + finding.message, witness=witness)

    def _check(
        self, flat: Policy, question: Question, values: dict[str, Any]
    ) -> tuple[dict[str, list[Finding]], int]:
        """The partition findings of ``question`` with the values of ``flat``: from the
        partition of an earlier overlay of the same order pattern when every witness reported
        confirms (``analysis.patterns``), else from a partition of its own."""
        name = question.name
        if name not in self._eligible:
            self._eligible[name] = eligible(self.policy, question)
        ints = self._eligible[name]
        shape = pattern(self.policy, question, values, self.root) if ints is not None else None
        reference = self._reference.get(shape) if shape is not None else None
        if reference is not None and ints is not None:
            mapped = remap(reference, splits(flat, question), ints)
            if mapped is not None:
                found = self._from_partition(question, mapped[0], (flat, values, mapped[1]))
                if found is not None:
                    self.reused += 1
                    return found
        engine = Engine(flat)
        root = values[self.root]
        realiser = self._realisers.get(root)
        if realiser is None:
            realiser = realiser_for(engine)
            self._realisers[root] = realiser
        part = partition(engine, question, realiser)
        if shape is not None:
            self._reference.setdefault(shape, part)
        found = self._from_partition(question, part, None)
        assert found is not None  # nothing to confirm
        return found

    def _from_partition(
        self,
        question: Question,
        part: QuestionPartition,
        confirm: tuple[Policy, dict[str, Any], dict[int, dict[str, int]]] | None,
    ) -> tuple[dict[str, list[Finding]], int] | None:
        """The partition checks' findings on ``part``. With ``confirm`` (the values, and the
        fields that move each class's fact set to these values, see ``remap``): each witness
        reported is moved and confirmed — None unless it is a fact set of its class that the
        engine's program for those values decides as the class says."""
        checker = Checker(self.engine, only=frozenset({question.name}), realiser=self._any())
        checker._partitions[question.name] = part
        by_code: dict[str, list[Finding]] = {}
        for check_ in _PARTITION_CHECKS:
            for raw in check_(checker):
                finding = checker._locate(raw)
                by_code.setdefault(finding.code, []).append(finding)
        if confirm is not None:
            flat, values, moves = confirm
            classes = {id(c.facts): c for c in (*part.classes, *part.place_failures)}
            compiled = None
            ctx = _context(flat, values)
            for code, findings in by_code.items():
                confirmed = []
                for finding in findings:
                    if finding.witness is None:
                        confirmed.append(finding)
                        continue
                    cls = classes.get(id(finding.witness))
                    if compiled is None:
                        compiled = _compile_question(flat, question, values)
                    update = moves.get(id(finding.witness))
                    facts = (
                        _confirmed(flat, question, compiled, ctx, cls, update)
                        if cls is not None and update is not None
                        else None
                    )
                    if facts is None:
                        return None
                    confirmed.append(replace(finding, witness=facts))
                by_code[code] = confirmed
        return by_code, len(part.classes)

    def _any(self) -> Realiser:
        if not self._realisers:
            self._realisers[self.policy.parameters[self.root].value] = realiser_for(self.engine)
        return next(iter(self._realisers.values()))


def _context(policy: Policy, values: dict[str, Any]) -> Context:
    root = values[policy.hierarchy.root_parameter]
    return Context(
        root=root_code(root),
        roots=prefixes(root) if isinstance(root, tuple) else (),
        params=tuple(sorted(values.items())),
    )


def _confirmed(
    flat: Policy,
    question: Question,
    compiled: Any,
    ctx: Context,
    cls: DecidedClass,
    update: dict[str, int],
) -> BaseModel | None:
    """``cls.facts`` with the fields of ``update`` set, validated, if that is a fact set of the
    class and the engine's program for these values decides it as the class says (rules fired,
    overridden and remaining, the outcome or the error), else None."""
    try:
        facts = type(cls.facts).model_validate({**cls.facts.model_dump(), **update})
    except ValidationError:
        return None
    features = flat.subjects[question.subject].features
    for name, value in cls.values:
        got = features[name].get(facts, ctx)
        if isinstance(value, Interval):
            if isinstance(got, bool) or not isinstance(got, int):
                return None
            if not value.low <= got <= value.high:
                return None
        elif got != value:
            return None
    holding = frozenset(compiled.fired(compiled.program.mask(facts, ctx)))
    fired, overridden, remaining = resolve(question, holding)
    if (
        tuple(r.id for r in fired) != cls.fired
        or tuple(r.id for r in overridden) != cls.overridden
        or tuple(r.id for r in remaining) != cls.remaining
    ):
        return None
    plan = _Plan(flat, question, holding, overridden_by_fired(question, holding), ctx, ())
    try:
        decision = plan.decide(facts, ctx)
    except (ConflictError, FactsError) as exc:
        return facts if type(exc) is type(cls.error) else None
    if cls.error is not None or cls.decision is None:
        return None
    return facts if decision.outcome == cls.decision.outcome else None


def _into_district(engine: Engine, facts: BaseModel, district: str) -> BaseModel | None:
    """``facts`` with the district of its location renamed to ``district`` (every code in that
    district moves with it), or None if the result is not a valid fact set."""
    home = engine.district_of(facts)
    if home is not None and len(home) != len(district):  # an overlay of another level
        subject = engine.policy.subjects[engine.subject_of(facts)]
        code = (
            subject.places[subject.location].get(facts, engine.context)
            if subject.location is not None
            else None
        )
        home = code[: len(district)] if isinstance(code, str) else None
        if home is not None and len(home) != len(district):
            return None  # located coarser than the place: it cannot be moved into it
    if home is None or home == district:
        return facts

    def move(value: Any) -> Any:
        if (
            isinstance(value, str)
            and value.startswith(home)
            and engine.policy.hierarchy.problem(value) is None
        ):
            return district + value[len(home) :]
        if isinstance(value, list | tuple):
            return type(value)(move(v) for v in value)
        if isinstance(value, dict):
            return {k: move(v) for k, v in value.items()}
        return value

    try:
        return type(facts).model_validate(move(facts.model_dump()))
    except ValidationError:
        return None


# --- helpers ----------------------------------------------------------------------------------


def _by_position(rules: Iterable[Rule]) -> list[Rule]:
    return sorted(rules, key=lambda r: (r.location.file, r.location.line, r.location.column, r.id))


def _rule_list(rules: Sequence[Rule]) -> str:
    """The rules with their citations; every one but the first (where the finding points) with
    its location."""
    parts = []
    for i, r in enumerate(rules):
        cites = ", ".join(str(c) for c in r.cites)
        where = f" at {r.location}" if i else ""
        parts.append(f"`{r.id}` {cites}{where}")
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]


def _share(n: int, total: int) -> str:
    return "1 case" if n == total == 1 else f"{n} of {total} classes of cases"


def _group(
    classes: Iterable[DecidedClass], key: Callable[[DecidedClass], tuple[str, ...] | None]
) -> dict[tuple[str, ...], list[DecidedClass]]:
    groups: dict[tuple[str, ...], list[DecidedClass]] = {}
    for cls in classes:
        k = key(cls)
        if k is not None:
            groups.setdefault(k, []).append(cls)
    return groups


def _rules(question: Question, ids: Iterable[str]) -> list[Rule]:
    wanted = set(ids)
    return [r for r in question.rules if r.id in wanted]


# --- the checks, in the order findings come out -----------------------------------------------


def _overlaps(c: Checker) -> Iterator[_Raw]:
    for part in c.partitions():
        q = part.question
        groups = _group(
            part.classes, lambda k: k.remaining if isinstance(k.error, ConflictError) else None
        )
        for ids, classes in groups.items():
            rules = _by_position(_rules(q, ids))
            example = classes[0]
            yield _Raw(
                "overlap",
                f"question `{q.name}`: rules {_rule_list(rules)} "
                f"{'both' if len(rules) == 2 else 'all'} apply and give different answers, and "
                f"{'neither overrides the other' if len(rules) == 2 else 'none overrides another'}"
                " — in "
                f"{_share(len(classes), len(part.classes))}, e.g. {example.describe(q.subject)}",
                rules[0],
                tuple(rules),
                example.facts,
                "say which rule wins with `overrides:`, or narrow one condition",
            )


def _gaps(c: Checker) -> Iterator[_Raw]:
    for part in c.partitions():
        q = part.question
        if not q.always_answers:
            continue
        groups = _group(
            part.classes,
            lambda k: (
                k.fired if k.decision is not None and k.decision.outcome == "no_rule" else None
            ),
        )
        for fired, classes in groups.items():
            example = classes[0]
            why = (
                f" (rules {', '.join(f'`{i}`' for i in fired)} hold but are all overridden)"
                if fired
                else ""
            )
            yield _Raw(
                "gap",
                f"question `{q.name}` must always answer, but no rule applies in "
                f"{_share(len(classes), len(part.classes))}{why}, e.g. "
                f"{example.describe(q.subject)}",
                q,
                tuple(_rules(q, fired)),
                example.facts,
                "add a rule for these cases, or set `always_answers: false` on the question",
                articles=q.cites,
            )


def _answer_places(c: Checker) -> Iterator[_Raw]:
    for part in c.partitions():
        q = part.question
        groups = _group(
            (*part.classes, *part.place_failures),
            lambda k: k.remaining if isinstance(k.error, FactsError) else None,
        )
        for ids, classes in groups.items():
            rules = _by_position(_rules(q, ids))
            example = classes[0]
            yield _Raw(
                "answer-place",
                f"question `{q.name}`: the answer of {_rule_list(rules)} cannot be given in "
                f"{_share(len(classes), len(part.classes))}, e.g. "
                f"{example.describe(q.subject)}: {example.error}",
                rules[0],
                tuple(rules),
                example.facts,
                "require the facts that name the place in the rule's condition",
            )


def _incomplete(c: Checker) -> Iterator[_Raw]:
    """Classes neither realised nor proved impossible: the check says nothing about them."""
    for part in c.partitions():
        if not part.unverified:
            continue
        q = part.question
        n = len(part.unverified)
        example = part.unverified[0]
        reasons = list(dict.fromkeys(u.why.why() for u in part.unverified))
        more = f" (and {len(reasons) - 1} other reasons)" if len(reasons) > 1 else ""
        yield _Raw(
            "check-incomplete",
            f"question `{q.name}`: the check is incomplete — {n} of {part.considered} classes "
            "of cases could be neither constructed nor proved impossible, so no overlap, gap or "
            "answer-place is ruled out there (and no rule of the question is called "
            f"unreachable); e.g. {example.describe(q.subject)}: {reasons[0]}{more}",
            q,
            suggestion="decide such a case yourself with `jurisdiction decide`, or state the "
            "tie between the fields so that the realiser can construct it (see docs/check.md, "
            "“An incomplete check”)",
            question=q.name,
        )


_AS_OF = re.compile(r"\bas_of\b")


def reads_as_of(policy: Policy, question: Question) -> Rule | None:
    """The first rule of ``question`` whose condition reads ``as_of`` — itself, or through a
    feature it reads or a place its answer names; None if none does. Such a question's answer
    may change from one day to the next within a stretch where the policy does not change."""
    subject = policy.subjects[question.subject]
    dated_features = {n for n, f in subject.features.items() if _AS_OF.search(f.expr)}
    dated_places = {n for n, p in subject.places.items() if _AS_OF.search(getattr(p, "expr", ""))}
    for rule in question.rules:
        for node in walk(rule.expanded):
            if isinstance(node, AsOf):
                return rule
            if isinstance(node, FactRef) and node.feature in dated_features:
                return rule
        if any(b.place in dated_places for b in rule.answer.bodies):
            return rule
    return None


def _day_by_day(c: Checker) -> Iterator[_Raw]:
    """Questions that read ``as_of``: the partition decides them as of one day of the stretch
    (``as_of`` held constant), which is exact for that day only — on another day of the same
    stretch a cut such as ``add_months(as_of, -6)`` moves. The check is incomplete there."""
    day = c.engine.day
    on = f"as of {day.isoformat()} only" if day is not None else "as of one day only"
    for part in c.partitions():
        q = part.question
        rule = reads_as_of(c.policy, q)
        if rule is None:
            continue
        yield _Raw(
            "check-incomplete",
            f"question `{q.name}`: the check is incomplete — rule `{rule.id}` reads `as_of` "
            f"(the day a decision is made as of), so its cases were decided {on}; on the other "
            "days of this period its answer can change from day to day, and no overlap, gap or "
            "answer-place is ruled out there (nor any rule of the question called unreachable)",
            rule,
            (rule,),
            suggestion="decide cases of other days yourself with `jurisdiction decide --as-of`, "
            "or make the day a fact of the case (a date field compared with the other dates) "
            "so that the checker cuts it (see docs/time.md, “Checking over time”)",
            question=q.name,
        )


def _overrides(c: Checker) -> Iterator[_Raw]:
    for rule, message in override_problems(c.policy):
        yield _Raw("override", message, rule, (rule,))


def _unreachable(c: Checker) -> Iterator[_Raw]:
    for part in c.partitions():
        q = part.question
        fired: dict[str, DecidedClass] = {}
        stays: set[str] = set()
        for cls in part.classes:
            for rid in cls.fired:
                fired.setdefault(rid, cls)
            stays.update(cls.remaining)
        if part.unverified:  # a rule may apply in a class not verified: `check-incomplete` says so
            continue
        if reads_as_of(c.policy, q) is not None:  # nor on another day: `check-incomplete` says so
            continue
        for rule in q.rules:
            if rule.id not in fired:
                what = (
                    f"the scope `{q.scope}` holds for every case, so its not-applicable "
                    f"answer `{rule.id}` never applies"
                    if rule.from_scope
                    else f"rule `{rule.id}` can never apply: no case satisfies `{rule.condition}`"
                )
                yield _Raw("unreachable", what, rule, (rule,))
            elif rule.id not in stays:
                example = fired[rule.id]
                winners = sorted(
                    {r.id for r in q.rules if rule.id in r.overrides and r.id in example.fired}
                )
                yield _Raw(
                    "unreachable",
                    f"rule `{rule.id}` is overridden wherever it applies (e.g. by "
                    f"{', '.join(f'`{w}`' for w in winners)} when "
                    f"{example.describe(q.subject)}), so it never gives the answer",
                    rule,
                    (rule, *_rules(q, winners)),
                    example.facts,
                )


_ORDERING = {"<", "<=", ">", ">="}
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
_INCLUSIVE = {">=", "<="}


@dataclass(frozen=True, slots=True)
class _Comparison:
    node: Compare
    fact: FactRef
    op: str  # as if the fact were on the left
    threshold: ParamRef | IntConst
    location: Location
    owner: Rule | Definition


def _comparisons(c: Checker) -> Iterator[_Comparison]:
    """Every comparison of an integer fact with a parameter or literal, as written."""
    owners: list[tuple[Rule | Definition, str]] = [
        (d, d.subject) for d in c.policy.definitions.values()
    ]
    owners += [(r, q.subject) for q in c.policy.questions.values() for r in q.rules]
    for owner, subject in owners:
        if isinstance(owner, Rule) and owner.from_scope:
            continue
        features = c.policy.subjects[subject].features
        for node in walk(owner.condition):
            if not isinstance(node, Compare):
                continue
            for fact, other, op in (
                (node.left, node.right, node.op),
                (node.right, node.left, _FLIP[node.op]),
            ):
                if (
                    isinstance(fact, FactRef)
                    and fact.feature in features
                    and features[fact.feature].type.kind == "int"
                    and isinstance(other, ParamRef | IntConst)
                ):
                    text = owner.when_text
                    where = (
                        text.location(node.span.line, node.span.column)
                        if text is not None
                        else owner.location
                    )
                    yield _Comparison(node, fact, op, other, where, owner)


def _bounds(c: Checker) -> Iterator[_Raw]:
    params = c.policy.parameters
    unbounded: dict[str, list[_Comparison]] = {}
    for cmp in _comparisons(c):
        threshold = cmp.threshold
        if isinstance(threshold, IntConst):
            if cmp.op in _ORDERING:
                yield _Raw(
                    "bounds",
                    f"`{cmp.node}` compares with the literal {threshold.value}: a threshold is a "
                    "named parameter whose `bound:` says whether the value itself is in range",
                    cmp.location,
                    suggestion="declare an int parameter with `bound: inclusive` or `exclusive`",
                )
            continue
        param = params.get(threshold.name)
        if param is None or param.type != "int":
            continue
        if param.bound is None:
            unbounded.setdefault(param.name, []).append(cmp)
        elif cmp.op in _ORDERING and (cmp.op in _INCLUSIVE) != (param.bound == "inclusive"):
            want = (
                {">": ">=", "<": "<="} if param.bound == "inclusive" else {">=": ">", "<=": "<"}
            )[cmp.op]
            inclusive = param.bound == "inclusive"
            yield _Raw(
                "bounds",
                f"`{cmp.node}`: parameter `{param.name}` is declared `bound: {param.bound}` "
                f"(the value {param.value} itself is {'in' if inclusive else 'out of'} range), "
                f"but `{cmp.node.op}` {'excludes' if inclusive else 'includes'} it",
                cmp.location,
                suggestion=f"write `{cmp.fact} {want} {threshold}`, or change the bound; for the "
                f"cases outside the range write `not ({cmp.fact} {_FLIP[want]} {threshold})`",
                articles=(param.cite,) if param.cite else (),
            )
    for name, uses in unbounded.items():
        param = params[name]
        first = uses[0]
        more = f" (and {len(uses) - 1} more)" if len(uses) > 1 else ""
        yield _Raw(
            "bounds",
            f"int parameter `{name}` is a threshold (`{first.node}` at {first.location}{more}) "
            "but has no `bound:`: say whether the value itself is in range",
            param,
            suggestion="add `bound: inclusive` (the value itself is in range) or `exclusive`",
            articles=(param.cite,) if param.cite else (),
        )


def _unused_parameters(c: Checker) -> Iterator[_Raw]:
    used = usage.used_parameters(c.policy)
    for name, param in c.policy.parameters.items():
        if name not in used:
            yield _Raw(
                "unused-parameter",
                f"parameter `{name}` is read by no rule (nor by a definition a rule uses)",
                param,
                suggestion="use it in a condition as `param." + name + "`, or remove it",
                articles=(param.cite,) if param.cite else (),
            )


def _unused_definitions(c: Checker) -> Iterator[_Raw]:
    used = usage.used_definitions(c.policy)
    for name, definition in c.policy.definitions.items():
        if name not in used:
            yield _Raw(
                "unused-definition",
                f"definition `{name}` is used by no rule, scope or other definition in use",
                definition,
                suggestion=f"use it in a condition as `{name}`, or remove it",
                articles=(definition.cite,) if definition.cite else (),
            )


def _unused_features(c: Checker) -> Iterator[_Raw]:
    """A feature declared for a subject some question asks about that nothing in use reads (a
    subject no question asks about is vocabulary kept for later questions: none is warned; nor
    is a feature whose ``kept:`` says why it is kept)."""
    asked = {q.subject for q in c.policy.questions.values()}
    for subject, subj in c.policy.subjects.items():
        if subject not in asked:
            continue
        used = usage.used_features(c.policy, subject)
        for name, feature in subj.features.items():
            if feature.location is not None and feature.kept is None and name not in used:
                yield _Raw(
                    "unused-feature",
                    f"feature `{subject}.{name}` is read by no rule, definition or feature in use",
                    feature.location,
                    suggestion=f"use it in a condition as `{subject}.{name}`, or remove it",
                )


_LITERAL_THRESHOLD = re.compile(
    r"(?:<=|>=|<|>)\s*-?\d+\b(?![-\"])|(?<![-\"\w])-?\d+\s*(?:<=|>=|<|>)"
)
"""A whole number compared with ``<``, ``<=``, ``>``, ``>=`` (a date literal is not one)."""


def _literal_thresholds(c: Checker) -> Iterator[_Raw]:
    """A number literal compared with ``<``, ``<=``, ``>``, ``>=`` inside a feature's
    expression — one the policy declares, or one a rule's condition derived (a whole number
    plus a number, say): a threshold the text sets, which belongs among the parameters.

    A date literal is not warned: the day a text takes force, or a transitional provision's
    cut-off day, is data of that text (docs/check.md)."""
    seen: set[tuple[str, str]] = set()
    for subject, subj in c.policy.subjects.items():
        for name, feature in subj.features.items():
            found = _LITERAL_THRESHOLD.search(feature.expr)
            if feature.location is None or found is None:
                continue
            seen.add((subject, name))
            yield _Raw(
                "bounds",
                f"feature `{subject}.{name}` compares with a literal (`{found[0].strip()}`): a "
                "threshold is a named parameter, cited and bounded",
                feature.location,
                suggestion="declare a parameter for the value and read it as `param.NAME`",
            )
    for q in c.policy.questions.values():
        features = c.policy.subjects[q.subject].features if q.subject in c.policy.subjects else {}
        for r in q.rules:
            if r.from_scope:
                continue
            for node in walk(r.condition):
                if not isinstance(node, FactRef) or node.subject != q.subject:
                    continue
                derived = features.get(node.feature)
                if derived is None or derived.location is not None or derived.field is not None:
                    continue
                found = _LITERAL_THRESHOLD.search(derived.expr)
                if found is None or (q.subject, derived.name) in seen:
                    continue
                seen.add((q.subject, derived.name))
                yield _Raw(
                    "bounds",
                    f"`{derived.expr}` compares with a literal (`{found[0].strip()}`): a "
                    "threshold is a named parameter, cited and bounded",
                    r,
                    rules=(r,),
                    suggestion="declare a parameter for the value and read it as `param.NAME`",
                )


_PUNCTUATION = set(string.punctuation) | set("。，、；：？！“”‘’《》（）【】…—·")


def _declared_not_encoded(text: str, clauses: Iterable[str]) -> bool:
    """Whether the not-encoded clauses cover every word of ``text`` (punctuation aside)."""
    covered = [False] * len(text)
    for clause in clauses:
        start = text.find(clause)
        while clause and start >= 0:
            for i in range(start, start + len(clause)):
                covered[i] = True
            start = text.find(clause, start + 1)
    return all(
        covered[i] or ch.isspace() or ch in _PUNCTUATION or unicodedata.category(ch).startswith("P")
        for i, ch in enumerate(text)
    )


def _uncited_articles(c: Checker) -> Iterator[_Raw]:
    cited = usage.cited(c.policy)
    for number, article in c.policy.articles.items():
        clauses = [zh for zh, _reason in article.not_encoded]
        style = c.policy.citation_style
        whole = Cite(number, style=style)
        if _declared_not_encoded(article.text.zh, clauses):
            continue
        any_item = any(cite.article == number for cite in cited)
        if not any_item:
            yield _Raw(
                "uncited-article",
                f"article {whole} is not encoded: no rule cites it, and its text is not "
                "declared `not_encoded`",
                article,
                suggestion="encode it as a rule that cites it, or list its text under "
                "`not_encoded` with the reason",
                articles=(whole,),
            )
            continue
        if whole in cited:
            continue
        for item, text in article.items.items():
            one = Cite(number, item, style=style)
            if one not in cited and not _declared_not_encoded(text.zh, clauses):
                yield _Raw(
                    "uncited-article",
                    f"item {one} is not encoded: no rule cites it, and its text "
                    "is not declared `not_encoded`",
                    article,
                    suggestion="encode it as a rule that cites it, or list its text under "
                    "`not_encoded` with the reason",
                    articles=(one,),
                )


_CHECKS: tuple[Callable[[Checker], Iterator[_Raw]], ...] = (
    _overlaps,
    _gaps,
    _answer_places,
    _incomplete,
    _day_by_day,
    _overrides,
    _unreachable,
    _bounds,
    _unused_parameters,
    _unused_definitions,
    _unused_features,
    _literal_thresholds,
    _uncited_articles,
)
"""Every check, in the order its findings are reported: overlaps and gaps first."""

_VALUE_CHECKS = (_overlaps, _gaps, _answer_places, _incomplete, _day_by_day, _unreachable)
"""The checks whose findings (``_BY_VALUE``) a parameter's value can change, in ``_CHECKS``'s
order; the others (overrides, bounds, what is unused or uncited) read the policy's text alone."""

_USAGE_LINTS = (_unused_features, _literal_thresholds)
"""The lints of what a policy declares and does not use as it should: ``check`` lists them
among its findings, and ``jurisdiction test --coverage`` beside the cases' coverage."""


def usage_lints(policy: Policy | Engine) -> list[Finding]:
    """Unused features (``unused-feature``) and literal thresholds inside features and derived
    conditions (``bounds``) of ``policy``, located, as ``check`` lists them."""
    checker = Checker(policy if isinstance(policy, Engine) else Engine(policy))
    return [checker._locate(raw) for lint in _USAGE_LINTS for raw in lint(checker)]


_PARTITION_CHECKS = (_overlaps, _gaps, _answer_places, _incomplete, _unreachable)
"""The checks whose findings ``_BY_VALUE`` names, in the same order: an overlay's checks."""
