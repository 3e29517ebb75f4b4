"""Time in a policy: periods of force, dated parameter values and amendments — and the policy as
it stands on a given day.

A policy may say when it, an article, a question or a rule is in force (``in_force: {from,
until}``, either end open, ``until`` exclusive), give a parameter later values from their dates
(``values: [{from, value}]``), and carry *amendments*: later instruments, each with the date it is
in force and how certain that is, and what it does from that date — ends a question, a rule or
every rule citing an article (item), with what replaces it; sets a parameter; renames a body; or
adds a caution where its effect on the text is not certain.

All of it reduces to a sorted list of dates (``Dating.breaks``) between which nothing changes.
:func:`policy_on` gives, for a day, the policy as it stands then: a policy without any of this
(so every evaluator, the checker and ``diff`` read it as they read any policy), whose ended
questions answer ``not_in_force`` with a reason that names the instrument and its date.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from ..core.errors import Diagnostic
from ..core.text import Cite, Text
from ..language.conditions import BoolConst
from .dating import NOT_IN_FORCE, Caution, Dating, Ending, Epoch, Instrument, Period
from .model import AnswerSpec, Parameter, Policy, Question, Rule

if TYPE_CHECKING:
    from . import schema as s
    from .model import ArticleText, BodySpec, ParamValue
    from .sources import _Merged, _Source

__all__ = [
    "NOT_IN_FORCE",
    "Dating",
    "Ending",
    "Instrument",
    "Period",
    "build_dating",
    "dated_by",
    "parse_day",
    "policy_on",
]

# --- reading dates ----------------------------------------------------------------------------


def parse_day(text: str) -> datetime.date:
    """A day written ``YYYY-MM-DD`` — or ``YYYY-MM`` / ``YYYY``, counted from its first day.
    Raises ValueError for a date that does not exist."""
    parts = text.split("-")
    year = int(parts[0])
    month = int(parts[1]) if len(parts) > 1 else 1
    day = int(parts[2]) if len(parts) > 2 else 1
    return datetime.date(year, month, day)


class _Reader:
    def __init__(self, problems: list[Diagnostic]) -> None:
        self.problems = problems

    def day(
        self, text: str | None, src: _Source, path: tuple[str | int, ...]
    ) -> datetime.date | None:
        if text is None:
            return None
        try:
            return parse_day(text)
        except ValueError as exc:
            self.problems.append(
                Diagnostic("date", f"`{text}` is not a date ({exc})", src.doc.location(path))
            )
            return None

    def period(
        self, given: s.Period | None, src: _Source, path: tuple[str | int, ...]
    ) -> Period | None:
        if given is None:
            return None
        start = self.day(given.from_, src, (*path, "from"))
        end = self.day(given.until, src, (*path, "until"))
        if start is not None and end is not None and start >= end:
            self.problems.append(
                Diagnostic(
                    "period",
                    f"`from` {start} is not before `until` {end} (`until` is the first day it "
                    "is no longer in force)",
                    src.doc.location(path),
                )
            )
        return Period(start, end)


# --- building the dating of a policy -----------------------------------------------------------


def build_dating(
    merged: _Merged,
    articles: Mapping[int, ArticleText],
    params: Mapping[str, Parameter],
    bodies: Mapping[str, BodySpec],
    questions: Mapping[str, Question],
    outcomes: Mapping[str, Text],
    forms: int,
) -> tuple[Dating | None, list[Diagnostic]]:
    """The dating of the merged policy files (None if nothing in them is dated), and the located
    problems found: dates that are not dates, empty periods, dated values out of order, an
    amendment naming what does not exist, an uncertain amendment that would change an answer."""
    problems: list[Diagnostic] = []
    read = _Reader(problems)
    periods = _periods(merged, read)
    values = _dated_values(merged, read, problems)
    amendments = _Amendments(read, problems, articles, params, bodies, questions, forms)
    for k, (amendment, src) in enumerate(merged.amendments):
        amendments.add(k, amendment, src)
    in_force, article_periods, question_periods, rule_periods = periods
    if not (
        in_force != Period()
        or article_periods
        or question_periods
        or rule_periods
        or values
        or merged.amendments
    ):
        return None, problems
    for pname, entry in amendments.sets:
        values.setdefault(pname, []).append(entry)
    ends = bool(
        amendments.ends_questions
        or amendments.ends_rules
        or amendments.ends_cites
        or question_periods
        or rule_periods
        or article_periods
        or in_force != Period()
    )
    if ends and NOT_IN_FORCE not in outcomes and merged.vocabulary is not None:
        problems.append(
            Diagnostic(
                "missing-key",
                f"the policy dates what it answers, so the vocabulary's `outcomes` must name "
                f"`{NOT_IN_FORCE}` (the outcome of a question not in force on the day asked)",
                merged.vocabulary[1].doc.location(("vocabulary", "outcomes")),
            )
        )
    breaks: set[datetime.date] = set()
    for period in [
        in_force,
        *article_periods.values(),
        *question_periods.values(),
        *rule_periods.values(),
    ]:
        breaks.update(d for d in (period.start, period.end) if d is not None)
    for dated in values.values():
        breaks.update(entry[0] for entry in dated)
    breaks.update(i.starts for i in amendments.instruments)
    return (
        Dating(
            in_force=in_force,
            articles=article_periods,
            questions=question_periods,
            rules=rule_periods,
            values={n: tuple(sorted(v, key=lambda t: t[0])) for n, v in values.items()},
            ends_questions=amendments.ends_questions,
            ends_rules=amendments.ends_rules,
            ends_cites=amendments.ends_cites,
            renames={
                n: tuple(sorted(v, key=lambda t: t[0])) for n, v in amendments.renames.items()
            },
            cautions=tuple(amendments.cautions),
            instruments=tuple(amendments.instruments),
            breaks=tuple(sorted(breaks)),
        ),
        problems,
    )


def _periods(
    merged: _Merged, read: _Reader
) -> tuple[Period, dict[int, Period], dict[str, Period], dict[str, Period]]:
    """The periods of force of the policy, its articles, questions and rules."""
    in_force = Period()
    if merged.meta is not None:
        meta, src = merged.meta
        in_force = read.period(meta.in_force, src, ("policy", "in_force")) or Period()
    articles: dict[int, Period] = {}
    for number, (i, article, src) in merged.articles.items():
        found = read.period(article.in_force, src, ("articles", i, "in_force"))
        if found is not None:
            articles[number] = found
    questions: dict[str, Period] = {}
    rules: dict[str, Period] = {}
    for qname, (q, src) in merged.questions.items():
        found = read.period(q.in_force, src, ("questions", qname, "in_force"))
        if found is not None:
            questions[qname] = found
        for i, r in enumerate(q.rules):
            found = read.period(r.in_force, src, ("questions", qname, "rules", i, "in_force"))
            if found is not None:
                rules[r.id] = found
    return in_force, articles, questions, rules


_DatedValue = tuple[datetime.date, "ParamValue", Text | None, str]


def _dated_values(
    merged: _Merged, read: _Reader, problems: list[Diagnostic]
) -> dict[str, list[_DatedValue]]:
    """Each parameter's later values, checked to be in order of their dates."""
    values: dict[str, list[_DatedValue]] = {}
    for pname, (p, src) in merged.parameters.items():
        previous: datetime.date | None = None
        for j, later in enumerate(p.values):
            path: tuple[str | int, ...] = ("parameters", pname, "values", j)
            day = read.day(later.from_, src, (*path, "from"))
            if day is None:
                continue
            if previous is not None and day <= previous:
                problems.append(
                    Diagnostic(
                        "period",
                        f"the dated values of `{pname}` must be in order of their dates, each "
                        f"after the one before ({day} is not after {previous})",
                        src.doc.location(path),
                    )
                )
            previous = day
            values.setdefault(pname, []).append((day, later.value, _note(later.note), src.doc.file))
    return values


def dated_by(merged: _Merged) -> tuple[dict[str, str], list[Diagnostic]]:
    """For each subject that names one, the date field that dates its cases; a located problem
    where the field is not one of the subject's date fields."""
    found: dict[str, str] = {}
    problems: list[Diagnostic] = []
    for name, (subject, src) in merged.subjects.items():
        field_name = subject.dated_by
        if field_name is None:
            continue
        spec = subject.fields.get(field_name)
        if spec is None or spec.type != "date":
            what = "no field" if spec is None else f"a {spec.type} field, not a date field,"
            problems.append(
                Diagnostic(
                    "unknown-fact",
                    f"`dated_by: {field_name}`: subject `{name}` has {what} of that name",
                    src.doc.location(("subjects", name, "dated_by")),
                )
            )
            continue
        found[name] = field_name
    return found, problems


def _note(note: s.Text | str | None) -> Text | None:
    if note is None:
        return None
    if isinstance(note, str):
        return Text(note, note)
    return Text(note.zh, note.en)


def _text(t: s.Text) -> Text:
    return Text(t.zh, t.en)


class _Amendments:
    """The amendments of a policy, resolved against what they name."""

    def __init__(
        self,
        read: _Reader,
        problems: list[Diagnostic],
        articles: Mapping[int, ArticleText],
        params: Mapping[str, Parameter],
        bodies: Mapping[str, BodySpec],
        questions: Mapping[str, Question],
        forms: int,
    ) -> None:
        self.read, self.problems = read, problems
        self.articles, self.params, self.bodies, self.questions = (
            articles,
            params,
            bodies,
            questions,
        )
        self.forms = forms
        self.rule_ids = {r.id for q in questions.values() for r in q.rules}
        self.instruments: list[Instrument] = []
        self.ends_questions: dict[str, Ending] = {}
        self.ends_rules: dict[str, Ending] = {}
        self.ends_cites: dict[Cite, Ending] = {}
        self.sets: list[tuple[str, tuple[datetime.date, ParamValue, Text | None, str]]] = []
        self.renames: dict[str, list[tuple[datetime.date, tuple[Text, ...], Instrument]]] = {}
        self.cautions: list[Caution] = []
        self.ids: set[str] = set()

    def fail(self, code: str, message: str, src: _Source, path: tuple[str | int, ...]) -> None:
        self.problems.append(Diagnostic(code, message, src.doc.location(path)))

    def add(self, k: int, a: s.Amendment, src: _Source) -> None:
        path: tuple[str | int, ...] = ("amendments", k)
        if a.id in self.ids:
            self.fail("duplicate-name", f"amendment `{a.id}` is defined twice", src, (*path, "id"))
        self.ids.add(a.id)
        starts = self.read.day(a.in_force, src, (*path, "in_force"))
        self.read.day(a.adopted, src, (*path, "adopted"))
        if starts is None:
            return
        instrument = Instrument(
            id=a.id,
            title=_text(a.title),
            issuer=_text(a.issuer) if a.issuer else None,
            adopted=a.adopted,
            in_force=a.in_force,
            starts=starts,
            certainty=a.certainty,
            source=a.source,
            summary=_text(a.summary),
            quoted=a.quoted,
            location=src.doc.location(path),
        )
        self.instruments.append(instrument)
        for j, effect in enumerate(a.effects):
            self.effect(instrument, effect, src, (*path, "effects", j))

    def effect(
        self, instrument: Instrument, e: s.Effect, src: _Source, path: tuple[str | int, ...]
    ) -> None:
        if e.caution is not None:
            unknown = [q for q in e.questions or () if q not in self.questions]
            for q in unknown:
                self.fail(
                    "amendment-target", f"no question `{q}` to caution", src, (*path, "questions")
                )
            self.cautions.append(
                Caution(
                    instrument, _text(e.caution), frozenset(e.questions) if e.questions else None
                )
            )
            return
        if instrument.certainty != "certain":
            self.fail(
                "amendment-certainty",
                f"amendment `{instrument.id}` is {instrument.certainty.replace('_', ' ')}, not "
                "certain: it may add a `caution`, but may not change an answer (end, set, "
                "rename)",
                src,
                path,
            )
            return
        if len(instrument.in_force.split("-")) != 3:
            self.fail(
                "amendment-certainty",
                f"amendment `{instrument.id}` changes an answer, so its `in_force` must be a day "
                f"(YYYY-MM-DD), not `{instrument.in_force}`",
                src,
                path,
            )
            return
        if e.ends is not None:
            self.ends(instrument, e, src, path)
        elif e.sets is not None:
            if e.sets not in self.params:
                self.fail(
                    "amendment-target", f"no parameter `{e.sets}` to set", src, (*path, "sets")
                )
                return
            assert e.value is not None
            kind = self.params[e.sets].type
            ok = {
                "int": isinstance(e.value, int) and not isinstance(e.value, bool),
                "bool": isinstance(e.value, bool),
                "code_prefix": isinstance(e.value, str),
                "level": False,
            }[kind]
            if not ok:
                self.fail(
                    "amendment-target",
                    f"parameter `{e.sets}` is {kind}; `{e.value!r}` is not a value of it"
                    + (
                        " (a level parameter is resolved on load and cannot change)"
                        if kind == "level"
                        else ""
                    ),
                    src,
                    (*path, "value"),
                )
                return
            self.sets.append(
                (e.sets, (instrument.starts, e.value, instrument.summary, instrument.id))
            )
        elif e.renames is not None:
            if e.renames not in self.bodies:
                self.fail(
                    "amendment-target", f"no body `{e.renames}` to rename", src, (*path, "renames")
                )
                return
            assert e.name is not None
            names = (
                tuple(_text(e.name) for _ in range(self.forms))
                if not isinstance(e.name, dict)
                else tuple(_text(t) for t in e.name.values())
            )
            if len(names) != self.forms:
                self.fail(
                    "amendment-target",
                    f"`name` gives {len(names)} forms; the place hierarchy has {self.forms}",
                    src,
                    (*path, "name"),
                )
                return
            self.renames.setdefault(e.renames, []).append((instrument.starts, names, instrument))

    def ends(
        self, instrument: Instrument, e: s.Effect, src: _Source, path: tuple[str | int, ...]
    ) -> None:
        assert e.ends is not None
        ending = Ending(instrument, _text(e.replaced_by) if e.replaced_by else None)
        target = e.ends
        if target.question is not None:
            if target.question not in self.questions:
                self.fail(
                    "amendment-target",
                    f"no question `{target.question}` to end",
                    src,
                    (*path, "ends", "question"),
                )
                return
            self.ends_questions.setdefault(target.question, ending)
        elif target.rule is not None:
            if target.rule not in self.rule_ids:
                self.fail(
                    "amendment-target",
                    f"no rule `{target.rule}` to end",
                    src,
                    (*path, "ends", "rule"),
                )
                return
            self.ends_rules.setdefault(target.rule, ending)
        elif target.item is not None:
            article = self.articles.get(target.item.article)
            if article is None or (
                target.item.item is not None and target.item.item not in article.items
            ):
                what = Cite(target.item.article, target.item.item)
                self.fail(
                    "amendment-target",
                    f"the policy has no article {what} to end",
                    src,
                    (*path, "ends", "item"),
                )
                return
            self.ends_cites.setdefault(Cite(target.item.article, target.item.item), ending)


# --- the policy on a day ------------------------------------------------------------------------


def _ending_of_rule(dating: Dating, rule: Rule, day: datetime.date) -> Ending | bool | None:
    """Why a rule is not in force on ``day``: its Ending, True (a period of force), or None."""
    found = dating.ends_rules.get(rule.id)
    if found is not None and found.instrument.starts <= day:
        return found
    for cite in rule.cites:
        for key in (cite, Cite(cite.article, None)):
            ended = dating.ends_cites.get(key)
            if ended is not None and ended.instrument.starts <= day:
                return ended
    period = dating.rules.get(rule.id)
    if period is not None and not period.holds(day):
        return True
    for cite in rule.cites:
        article = dating.articles.get(cite.article)
        if article is not None and not article.holds(day):
            return True
    return None


def policy_on(policy: Policy, day: datetime.date) -> Policy:
    """The policy as it stands on ``day``: rules not in force dropped, parameters at their value
    of that day, bodies under their name of that day, and each question not in force answering
    ``not_in_force`` (for every fact set) with why. Its ``dating`` is None and its ``epoch``
    says what the decisions of that day carry besides."""
    dating = policy.dating
    if dating is None:
        return policy
    questions: dict[str, Question] = {}
    endings: dict[str, tuple[Ending, ...]] = {}
    for name, q in policy.questions.items():
        questions[name], why = _question_on(q, dating, day)
        if why is not None:
            endings[name] = why
    parameters = _parameters_on(policy.parameters, dating, day)
    bodies, renamed = _bodies_on(policy.bodies, dating, day)
    cautions: dict[str, list[Caution]] = {}
    for caution in dating.cautions:
        if caution.instrument.starts > day:
            continue
        for name in caution.questions if caution.questions is not None else policy.questions:
            cautions.setdefault(name, []).append(caution)
    epoch = Epoch(
        period=dating.epoch_period(dating.epoch(day)),
        endings=endings,
        cautions={n: tuple(c) for n, c in cautions.items()},
        renamed=renamed,
    )
    return dataclasses.replace(
        policy,
        questions=questions,
        parameters=parameters,
        bodies=bodies,
        dating=None,
        epoch=epoch,
    )


def _question_on(
    q: Question, dating: Dating, day: datetime.date
) -> tuple[Question, tuple[Ending, ...] | None]:
    """The question on ``day``, and why it is not in force (None: it is)."""
    why: list[Ending] = []
    whole = dating.ends_questions.get(q.name)
    by_period = not dating.in_force.holds(day) or not dating.questions.get(q.name, Period()).holds(
        day
    )
    if whole is not None and whole.instrument.starts <= day:
        why.append(whole)
    kept: list[Rule] = []
    for rule in q.rules:
        ending = _ending_of_rule(dating, rule, day)
        if ending is None:
            kept.append(rule)
        elif isinstance(ending, Ending) and ending not in why:
            why.append(ending)
    # a question whose every rule naming bodies has ended has no duty left to answer for: it is
    # not in force for anyone (its not-applicable rules would only say who it does not concern)
    duties_left = any(r.answer.bodies for r in kept)
    if (why and not duties_left) or (whole is not None and whole in why) or by_period:
        return _not_in_force(q, tuple(why), day, dating, by_period), tuple(why)
    if len(kept) == len(q.rules):
        return q, None
    kept_ids = {r.id for r in kept}
    rules = tuple(
        dataclasses.replace(r, overrides=tuple(o for o in r.overrides if o in kept_ids))
        for r in kept
    )
    if not rules:  # every rule out of its period of force: nothing answers, by design
        return _not_in_force(q, (), day, dating, True), ()
    return dataclasses.replace(q, rules=rules), None


def _not_in_force(
    q: Question, why: Sequence[Ending], day: datetime.date, dating: Dating, by_period: bool
) -> Question:
    """The question answering ``not_in_force`` for every fact set, citing what it rested on."""
    parts_zh: list[str] = []
    parts_en: list[str] = []
    for ending in why:
        i = ending.instrument
        parts_zh.append(f"{i.title.zh}自 {i.in_force} 起施行，本项职责不再适用")
        parts_en.append(f"{i.title.en}, in force from {i.in_force}, ended this duty")
        if ending.replaced_by is not None:
            parts_zh.append(f"代之以：{ending.replaced_by.zh}")
            parts_en.append(f"replaced by: {ending.replaced_by.en}")
    if by_period or not why:
        period = dating.questions.get(q.name, Period())
        if not dating.in_force.holds(day):
            period = dating.in_force
        label = period.label()
        parts_zh.append(f"本问题的施行期间为{label.zh}")
        parts_en.append(f"this question is in force {label.en}")
    reason = Text("；".join(parts_zh), "; ".join(parts_en))
    cites = q.cites or ()
    first = q.rules[0]
    rule = Rule(
        id=f"{q.name}.not_in_force",
        question=q.name,
        cites=cites,
        condition=BoolConst(True),
        expanded=BoolConst(True),
        answer=AnswerSpec(outcome=NOT_IN_FORCE, reason=reason),  # type: ignore[arg-type]
        overrides=(),
        location=first.location,
    )
    return dataclasses.replace(q, rules=(rule,), always_answers=True)


def _parameters_on(
    parameters: Mapping[str, Parameter], dating: Dating, day: datetime.date
) -> Mapping[str, Parameter]:
    changed: dict[str, Parameter] = {}
    for name, dated in dating.values.items():
        current: tuple[datetime.date, ParamValue, Text | None, str] | None = None
        for entry in dated:
            if entry[0] <= day:
                current = entry
        if current is None:
            continue
        p = parameters[name]
        changed[name] = dataclasses.replace(
            p, value=current[1], note=current[2] if current[2] is not None else p.note
        )
    return {**parameters, **changed} if changed else parameters


def _bodies_on(
    bodies: Mapping[str, BodySpec], dating: Dating, day: datetime.date
) -> tuple[Mapping[str, BodySpec], tuple[Instrument, ...]]:
    changed: dict[str, BodySpec] = {}
    instruments: list[Instrument] = []
    for name, dated in dating.renames.items():
        for starts, names, instrument in dated:
            if starts <= day:
                changed[name] = dataclasses.replace(bodies[name], names=names)
                instruments.append(instrument)
    return ({**bodies, **changed} if changed else bodies), tuple(instruments)


def instruments_changing(dating: Dating, day: datetime.date) -> Iterable[Instrument]:
    """The instruments in force from exactly ``day``."""
    return [i for i in dating.instruments if i.starts == day]
