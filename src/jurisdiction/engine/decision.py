"""Decisions: the answer to one question for one fact set, as a frozen value, and its text in
Chinese or English (``Decision.render``, at the end of this module).

A decision carries everything needed to read it without the policy: the bodies with their
labels, the citations with the quoted text, the rules that fired and were overridden, and the
fingerprint of the policy that produced it. It round-trips through JSON.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

from ..core.errors import FactsError
from ..core.text import Cite, Lang, Text

if TYPE_CHECKING:  # imported where used: a kept answer program renders without pydantic
    from pydantic import TypeAdapter, ValidationError

__all__ = [
    "AsOfSource",
    "Body",
    "Citation",
    "Decision",
    "DecisionTwin",
    "Failure",
    "Instrument",
    "Outcome",
    "make_decision",
]

Outcome = Literal["responsible", "not_applicable", "undetermined", "no_rule", "not_in_force"]


@dataclass(frozen=True, slots=True)
class Body:
    """A responsible body: what it is, at which level of which place, in which role, and why."""

    kind: str
    name: Text
    level: str
    level_name: Text
    place: str
    place_name: Text
    place_code: str
    role: str
    role_name: Text
    cite: Cite
    via: Cite | None = None
    """The article through which ``cite`` applies here: the body rests on ``via`` → ``cite``."""
    level_param: str | None = None
    """The parameter that gives ``level`` where the text names a place but no level: the level
    is then this policy's reading, documented at that parameter."""
    actor: bool = False
    """An actor that is not a government body (a guardian): listed apart from the bodies."""
    place_label: Text | None = None
    """The name of ``place_code``, where the policy's ``place_names`` gives one: shown before
    the code, ``name(code)``."""
    body_level: str | None = None
    """The body's own level where its declaration computes it from the place it is at
    (``bodies.<kind>.level``): a city government is province-level in a municipality."""
    body_level_name: Text | None = None
    """The name of ``body_level``, shown after the body's name."""

    def cite_label(self, lang: Literal["zh", "en"] = "en") -> str:
        """The citation as a chain where there is one: "article (7) → article (2) item 4"
        (in the policy's own numerals)."""
        head = f"{self.via.label(lang)} → " if self.via is not None else ""
        return head + self.cite.label(lang)


@dataclass(frozen=True, slots=True)
class Citation:
    """An article (and item) of the policy text, with the words quoted."""

    cite: Cite
    quote: Text

    @property
    def article(self) -> int:
        return self.cite.article

    @property
    def item(self) -> int | None:
        return self.cite.item


AsOfSource = Literal["given", "facts", "today"]
"""Where a decision's date came from: the caller, the fact that dates the case, or the clock."""


@dataclass(frozen=True, slots=True)
class Instrument:
    """A later instrument that bears on a decision: what it is, from when, how sure, and what it
    does here."""

    id: str
    title: Text
    in_force: str
    """As the policy writes it: a day, or a month or year where the day is not known."""
    certainty: str
    """``certain``, ``fairly_sure`` or ``uncertain``."""
    source: str
    note: Text
    """What it does to this decision: ends the duty (and what replaces it), or a caution."""
    summary: bool = True
    """True where the instrument's words here are the policy's summary, not a quotation."""


@dataclass(frozen=True, slots=True)
class Failure:
    """A criterion of a question's scope that the facts fail (a case of the scope's
    ``outside``), with its reason and the values of the facts the reason names."""

    criterion: str
    """The case's id."""
    reason: Text
    values: tuple[tuple[str, str], ...] = ()
    """Each value the reason names, as ``(placeholder, value shown)``:
    ``("subject.field", "52")``."""


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer to one question for one fact set."""

    question: str
    question_title: Text
    subject: str
    subject_id: str | None
    outcome: Outcome
    outcome_name: Text
    bodies: tuple[Body, ...]
    citations: tuple[Citation, ...]
    reason: Text | None
    detail: tuple[Text, ...]
    rules_applied: tuple[str, ...]
    rules_fired: tuple[str, ...]
    rules_overridden: tuple[str, ...]
    policy: str
    policy_fingerprint: str
    sources: tuple[str, ...] = ()
    """Files besides the city policy that decided it: the district overlay, where one applied."""
    notes: tuple[Text, ...] = ()
    """The notes of the rules applied: how the policy reads an ambiguous clause."""
    as_of: str | None = None
    """The day the decision was made as of (YYYY-MM-DD): what was in force that day decided."""
    as_of_source: AsOfSource | None = None
    """Where that day came from: ``given`` by the caller, from the ``facts`` (the field the
    policy names as dating a case), or ``today``."""
    provenance: Text | None = None
    """Where the policy's text comes from and what is not known of it (issuer, number, date)."""
    instruments: tuple[Instrument, ...] = ()
    """Later instruments that bear on this decision as of its day: an ended duty, a caution."""
    value: str | None = None
    """The value the answer gives, for a question that declares its ``values``."""
    value_name: Text | None = None
    """That value's words, where the policy gives them."""
    failed: tuple[Failure, ...] = ()
    """Outside a scope whose definition says ``criteria: all``: every criterion the facts fail,
    each with its reason and values (``reason`` then joins them); empty otherwise."""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        result: dict[str, Any] = _adapter().dump_python(self, mode="json")
        return result

    def to_json(self, *, indent: int | None = None) -> str:
        return _adapter().dump_json(self, indent=indent).decode()

    @classmethod
    def from_json(cls, data: str | bytes) -> Decision:
        """A decision read back from :meth:`to_json`; FactsError if it is not one."""
        from pydantic import ValidationError

        try:
            return _adapter().validate_json(data)
        except ValidationError as exc:
            raise FactsError(f"not a decision: {_summary(exc)}") from None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Decision:
        """A decision read back from :meth:`to_dict`; FactsError if it is not one."""
        from pydantic import ValidationError

        try:
            return _adapter().validate_python(data)
        except ValidationError as exc:
            raise FactsError(f"not a decision: {_summary(exc)}") from None

    def render(self, lang: Literal["zh", "en"] = "en", *, ids: bool = True) -> str:
        """Human-readable text in Chinese or English; ``ids=False`` leaves out the question,
        value, rule and parameter identifiers, for a caseworker (the CLI's default)."""
        if lang not in ("zh", "en"):
            raise FactsError(f"render in `zh` or `en`, not {lang!r}")
        return render_decision(self, lang, ids=ids)


def _summary(exc: ValidationError) -> str:
    errors = exc.errors()
    shown = "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'decision'}: {e['msg']}" for e in errors[:5]
    )
    return shown + (f" (and {len(errors) - 5} more)" if len(errors) > 5 else "")


@cache
def _adapter() -> TypeAdapter[Decision]:
    from pydantic import TypeAdapter

    return TypeAdapter(Decision)


# A plain slotted twin of Decision: the same slots in the same order, so that an instance can
# take Decision as its class. A frozen dataclass's __init__ sets each of its 17 fields through
# object.__setattr__, which costs more than everything else a decision takes; the engine builds
# the twin (plain attribute stores) and turns it into a Decision, frozen from then on.
DecisionTwin = dataclasses.make_dataclass(
    "DecisionTwin",
    [
        (f.name, f.type, dataclasses.field(default=f.default))
        if f.default is not dataclasses.MISSING
        else (f.name, f.type)
        for f in dataclasses.fields(Decision)
    ],
    slots=True,
    eq=False,
    repr=False,
    match_args=False,
)


def make_decision(*values: Any) -> Decision:
    """``Decision(*values)``, built faster: positional values in the order of the fields."""
    twin = DecisionTwin(*values)
    twin.__class__ = Decision
    decision: Decision = twin
    return decision


# --- rendering a decision as text ---------------------------------------------------------------
# All words come from the decision itself (and so from the policy's vocabulary), except the few
# headings below. Chinese is set with full-width punctuation (colon, comma, semicolon,
# parentheses); identifiers (question, value, rule, parameter) are shown only when asked for
# (``ids``).

_HEAD = {
    "question": Text("问题", "Question"),
    "outcome": Text("结论", "Outcome"),
    "value": Text("取值", "Value"),
    "bodies": Text("负责机构", "Bodies"),
    "actors": Text("其他参与方", "Other parties"),
    "reason": Text("理由", "Reason"),
    "failed": Text("未满足的条件", "Criteria not met"),
    "detail": Text("内容", "Covers"),
    "citations": Text("依据", "Cited"),
    "rules": Text("适用规则", "Rules applied"),
    "overridden": Text("被排除的规则", "Rules overridden"),
    "notes": Text("说明", "Notes"),
    "policy": Text("政策指纹", "Policy"),
    "by": Text("依据", "per"),
    "set_by": Text("取值依据", "with the values of"),
    "as_of": Text("决定日期", "As of"),
    "given": Text("由调用方指定", "given"),
    "facts": Text("取自案件事实", "from the facts"),
    "today": Text("当日", "today"),
    "provenance": Text("文本来源", "Source text"),
    "instruments": Text("其后的法律文件", "Later instruments"),
    "in_force": Text("施行", "in force"),
    "summary": Text("(概述,非原文)", " (our summary, not a quotation)"),
    "certainty": Text("确定程度", "certainty"),
    "certain": Text("确定", "certain"),
    "fairly_sure": Text("基本确定", "fairly sure"),
    "uncertain": Text("不确定", "uncertain"),
    "reading": Text("，层级为本政策的解读", "; the level is this policy's reading"),
    "parameter": Text("：参数 ", ", parameter "),
}

_SEP = {"zh": "：", "en": ": "}


def joined(failures: tuple[Failure, ...] | list[Failure]) -> Text:
    """The reasons of every failed criterion as one reason (joined as each language writes a
    list of clauses)."""
    return Text("；".join(f.reason.zh for f in failures), "; ".join(f.reason.en for f in failures))


def _code(b: Body, lang: Lang) -> str:
    """The place code, after its name where the policy names it: ``name(code)``."""
    if b.place_label is None:
        return b.place_code
    return (
        f"{b.place_label.zh}({b.place_code})"
        if lang == "zh"
        else f"{b.place_label.en} ({b.place_code})"
    )


def _chain_zh(b: Body) -> str:
    """A citation chain as Chinese reads it: "by <via>, under <cite>" (issue 20.8's example is
    article 7 then article 2 item 4); without a via, "per <cite>"."""
    if b.via is None:
        return f"依据{b.cite.label('zh')}"
    return f"依{b.via.label('zh')}，按{b.cite.label('zh')}"


def _body(b: Body, lang: Lang, ids: bool = True) -> str:
    reading = ""
    if b.level_param:
        named = f"{_HEAD['parameter'][lang]}{b.level_param}" if ids else ""
        reading = f"{_HEAD['reading'][lang]}{named}"
    own = b.body_level_name
    if lang == "zh":
        where = f"{b.place_name.zh}（{b.level_name.zh} {_code(b, lang)}{reading}）"
        ranked = f"（{own.zh}）" if own is not None else ""
        return f"{where}{b.name.zh}{ranked} — {b.role_name.zh} — {_chain_zh(b)}"
    where = f"{b.place_name.en} ({b.level_name.en} {_code(b, lang)}{reading})"
    ranked = f" ({own.en})" if own is not None else ""
    return f"the {b.name.en}{ranked} of the {where} — {b.role_name.en} — per {b.cite_label('en')}"


def _instrument(i: Instrument, lang: Lang) -> str:
    h = {k: v[lang] for k, v in _HEAD.items()}
    marked = h["summary"] if i.summary else ""
    when = f"{h['in_force']} {i.in_force}"
    sure = h.get(i.certainty, i.certainty)
    if lang == "zh":
        return f"{i.title.zh}（{when}；{h['certainty']}：{sure}）：{i.note.zh}{marked}"
    return f"{i.title.en} ({when}; {h['certainty']}: {sure}): {i.note.en}{marked}"


def _actor(b: Body, lang: Lang) -> str:
    """An actor that is not a government body: its name, where, its role, why."""
    if lang == "zh":
        where = f"（{b.place_name.zh} {_code(b, lang)}）"
        return f"{b.name.zh}{where} — {b.role_name.zh} — {_chain_zh(b)}"
    where = f"({b.place_name.en} {_code(b, lang)})"
    return f"{b.name.en} {where} — {b.role_name.en} — per {b.cite_label('en')}"


def _dated(d: Decision, lang: Lang) -> list[str]:
    """The lines that say what day a decision was made as of, and what later law bears on it."""
    sep = _SEP[lang]
    h = {k: v[lang] for k, v in _HEAD.items()}
    lines: list[str] = []
    if d.instruments:
        lines.append(f"{h['instruments']}{sep.rstrip()}")
        lines.extend(f"  - {_instrument(i, lang)}" for i in d.instruments)
    if d.provenance is not None:
        lines.append(f"{h['provenance']}{sep}{d.provenance[lang]}")
    if d.as_of is not None:
        how = ""
        if d.as_of_source:
            how = f"（{h[d.as_of_source]}）" if lang == "zh" else f" ({h[d.as_of_source]})"
        lines.append(f"{h['as_of']}{sep}{d.as_of}{how}")
    return lines


def _why(d: Decision, lang: Lang, ids: bool) -> list[str]:
    """The reason, or every failed criterion on a line of its own instead of the joined one."""
    h, sep = _HEAD, _SEP[lang]
    if d.failed:
        return [f"{h['failed'][lang]}{sep.rstrip()}"] + [
            f"  - {f.reason[lang]}" + (f" [{f.criterion}]" if ids else "") for f in d.failed
        ]
    if d.reason is not None:
        return [f"{h['reason'][lang]}{sep}{d.reason[lang]}"]
    return []


def render_decision(d: Decision, lang: Lang = "en", *, ids: bool = True) -> str:
    """The decision as text; ``ids=False`` leaves out the question, value, rule and parameter
    identifiers (a caseworker reads the titles, names and articles instead)."""
    sep = _SEP[lang]
    h = {k: v[lang] for k, v in _HEAD.items()}
    lines = [
        f"{h['question']}{sep}{d.question_title[lang]}" + (f" [{d.question}]" if ids else ""),
        f"{h['outcome']}{sep}{d.outcome_name[lang]}",
    ]
    if d.value_name is not None:  # a value with words of its own (a question's `values`)
        lines.append(f"{h['value']}{sep}{d.value_name[lang]}" + (f" [{d.value}]" if ids else ""))
    bodies = [b for b in d.bodies if not b.actor]
    if bodies:
        lines.append(f"{h['bodies']}{sep.rstrip()}")
        via = f" — {h['set_by']} {', '.join(d.sources)}" if d.sources else ""
        lines.extend(f"  - {_body(b, lang, ids)}{via}" for b in bodies)
    actors = [b for b in d.bodies if b.actor]
    if actors:  # parties that are not government bodies: not under the bodies' heading
        lines.append(f"{h['actors']}{sep.rstrip()}")
        lines.extend(f"  - {_actor(b, lang)}" for b in actors)
    lines.extend(_why(d, lang, ids))
    if d.detail:  # items may hold 、 themselves: a separator they do not contain
        joiner = "；" if lang == "zh" else "; "
        lines.append(f"{h['detail']}{sep}{joiner.join(t[lang] for t in d.detail)}")
    if d.citations:
        lines.append(f"{h['citations']}{sep.rstrip()}")
        for c in d.citations:
            lines.append(f"  {c.cite.label(lang)}{sep}{c.quote[lang]}")
            if lang == "en":  # the translation, and beside it the text it translates
                lines.append(f"    ({c.cite.label('zh')}{_SEP['zh']}{c.quote.zh})")
    if ids and d.rules_applied:
        lines.append(f"{h['rules']}{sep}{', '.join(d.rules_applied)}")
    if ids and d.rules_overridden:
        lines.append(f"{h['overridden']}{sep}{', '.join(d.rules_overridden)}")
    if d.notes:
        lines.append(f"{h['notes']}{sep.rstrip()}")
        lines.extend(f"  - {note[lang]}" for note in d.notes)
    lines.extend(_dated(d, lang))
    sources = ""
    if d.sources:
        sources = f"（{'、'.join(d.sources)}）" if lang == "zh" else f" ({', '.join(d.sources)})"
    lines.append(f"{h['policy']}{sep}{d.policy} {d.policy_fingerprint}{sources}")
    return "\n".join(lines)
