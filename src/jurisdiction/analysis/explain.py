"""Why a decision is what it is, and why not otherwise: ``Engine.explain(facts, question)``.

Every rule of the question is shown with its condition evaluated node by node against the facts
(the feature and parameter values each comparison read, and its truth), the question's scope and
the definitions it uses opened in place; which rules fired, which were overridden and by which
rule; and, for each rule that does not fire (or fires but is overridden), the nearest change of
facts that would make it apply, with the answer the policy would then give.

The nearest change comes from the exact partition of the question's fact space
(``analysis.partition``): among the classes where the rule applies, the one that differs from the
facts' own class in the fewest features, then by the least distance of whole numbers; the change is
given feature by feature (a whole number moved to the nearest value of the class's interval), with
the class's witness, a fact set ``decide`` answers so.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from ..core.errors import ConflictError, FactsError
from ..core.text import Lang, Text, placeholders
from ..engine.decision import Decision
from ..language.compile import COMPARE_OPS
from ..language.conditions import (
    And,
    BoolConst,
    Compare,
    DefRef,
    Expr,
    FactRef,
    InSet,
    IntConst,
    Not,
    Or,
    ParamRef,
    StrConst,
)

if TYPE_CHECKING:
    from ..engine.engine import Engine
    from ..policy.model import ParamValue, Question, Rule
    from .partition import ClassValue, DecidedClass, QuestionPartition, Split

__all__ = ["Explanation", "NearestChange", "NodeTrace", "RuleTrace", "explain"]


@dataclass(frozen=True, slots=True)
class NodeTrace:
    """One node of a condition: its text, the values it read, and whether it holds."""

    text: str
    value: bool | None  # None: not evaluable here (the rule's truth comes from the engine)
    seen: tuple[tuple[str, Any], ...] = ()
    children: tuple[NodeTrace, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"node": self.text, "value": self.value}
        if self.seen:
            out["seen"] = dict(self.seen)
        if self.children:
            out["children"] = [c.to_dict() for c in self.children]
        return out


@dataclass(frozen=True, slots=True)
class NearestChange:
    """The least change of the facts' features under which a rule applies, and the answer then."""

    changes: tuple[tuple[str, Any, Any], ...]  # (feature, value now, value then)
    outcome: str
    answer: Text
    rules_applied: tuple[str, ...]
    witness: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "changes": [{"feature": f, "now": a, "then": b} for f, a, b in self.changes],
            "outcome": self.outcome,
            "answer": {"zh": self.answer.zh, "en": self.answer.en},
            "rules_applied": list(self.rules_applied),
            "witness": self.witness,
        }


@dataclass(frozen=True, slots=True)
class RuleTrace:
    rule: str
    cites: tuple[str, ...]
    condition: NodeTrace
    fired: bool
    applied: bool
    overridden_by: tuple[str, ...]
    overrides: tuple[str, ...]
    note: Text | None
    nearest: NearestChange | None
    labels: tuple[Text, ...] = ()  # the articles as the text reads them, in each language

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "articles": list(self.cites),
            "fired": self.fired,
            "applied": self.applied,
            "overridden_by": list(self.overridden_by),
            "overrides": list(self.overrides),
            "note": None if self.note is None else {"zh": self.note.zh, "en": self.note.en},
            "condition": self.condition.to_dict(),
            "nearest_change": self.nearest.to_dict() if self.nearest else None,
        }


@dataclass(frozen=True, slots=True)
class Explanation:
    """The explanation of one decision (or of the conflict that stops it)."""

    question: str
    subject: str
    decision: Decision | None
    error: str | None
    parameters: tuple[tuple[str, ParamValue], ...]
    sources: tuple[str, ...]
    rules: tuple[RuleTrace, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "subject": self.subject,
            "decision": self.decision.to_dict() if self.decision else None,
            "error": self.error,
            "parameters": dict(self.parameters),
            "sources": list(self.sources),
            "rules": [r.to_dict() for r in self.rules],
        }

    def render(self, lang: Lang = "en", *, full: bool = False, ids: bool = True) -> str:
        """The short form: the answer, the rule that decided it (with the values it read) and
        the nearest change that gives another answer; ``full``: every rule, node by node.
        ``ids=False`` (a caseworker's text) names rules by their articles and leaves out the
        question, rule and parameter identifiers and the conditions as written."""
        return _render(self, lang, ids) if full else _render_short(self, lang, ids)

    def nearest(self) -> NearestChange | None:
        """Of the rules' nearest changes, the least one that gives another answer (see
        :func:`_size`); None if there is none."""
        d = self.decision
        now = set(d.rules_applied) if d is not None else set()
        outcome = d.outcome if d is not None else None
        # another answer: not the same bodies or reason reached by other rules (a reading said
        # beside another rule with the same answer, or two grounds for one answer)
        same = (outcome, _answer_text(d, "en")) if d is not None else None
        found = [
            r.nearest
            for r in self.rules
            if r.nearest is not None
            and set(r.nearest.rules_applied) != now
            and (r.nearest.outcome, r.nearest.answer.en) != same
        ]
        return min(found, key=lambda n: _size(n, outcome), default=None)


def _size(n: NearestChange, outcome: str | None) -> tuple[int, bool, int]:
    """Fewest features changed; then another answer of the same outcome (another body, say)
    before another outcome (out of scope, say); then the least distance of whole numbers."""
    far = sum(
        abs(b - a) if isinstance(a, int) and isinstance(b, int) and not isinstance(a, bool) else 1
        for _f, a, b in n.changes
    )
    return len(n.changes), n.outcome != outcome, far


# --- the condition, node by node ----------------------------------------------------------------


class _Tracer:
    def __init__(self, engine: Engine, facts: BaseModel, subject: str) -> None:
        self.policy = engine.policy
        self.features = engine.policy.subjects[subject].features
        self.facts, self.ctx = facts, engine.context
        self.params = engine.parameters_for(facts)

    def term(self, term: Any) -> tuple[Any, tuple[tuple[str, Any], ...]]:
        if isinstance(term, FactRef):
            feature = self.features.get(term.feature)
            value = feature.get(self.facts, self.ctx) if feature is not None else None
            return value, ((str(term), value),)
        if isinstance(term, ParamRef):
            value = self.params.get(term.name)
            return value, ((str(term), value),)
        if isinstance(term, IntConst | StrConst | BoolConst):
            return term.value, ()
        feature = self.features.get(str(term))  # a derived feature, named by its expression
        if feature is not None:
            value = feature.get(self.facts, self.ctx)
            return value, ((str(term), value),)
        return None, ()

    def trace(self, node: Expr, text: str | None = None) -> NodeTrace:
        shown = text if text is not None else str(node)
        if isinstance(node, And | Or):
            kids = tuple(self.trace(item) for item in node.items)
            values = [k.value for k in kids]
            if None in values:
                return NodeTrace(shown, None, (), kids)
            holds = all(values) if isinstance(node, And) else any(values)
            return NodeTrace(shown, holds, (), kids)
        if isinstance(node, Not):
            kid = self.trace(node.item)
            return NodeTrace(shown, None if kid.value is None else not kid.value, (), (kid,))
        if isinstance(node, DefRef):
            definition = self.policy.definitions.get(node.name)
            if definition is None:
                return NodeTrace(shown, None)
            kid = self.trace(definition.condition)
            return NodeTrace(shown, kid.value, (), (kid,))
        if isinstance(node, Compare):
            (left, seen_l), (right, seen_r) = self.term(node.left), self.term(node.right)
            try:
                value: bool | None = bool(COMPARE_OPS[node.op](left, right))
            except TypeError:  # a comparison with an absent value
                value = False if left is None or right is None else None
            return NodeTrace(shown, value, seen_l + seen_r)
        if isinstance(node, InSet):
            got, seen = self.term(node.term)
            return NodeTrace(shown, got in {v.value for v in node.values}, seen)
        got, seen = self.term(node)
        return NodeTrace(shown, got if isinstance(got, bool) else None, seen)


def _condition(question: Question, rule: Rule) -> tuple[Expr, str]:
    """The rule's condition as the engine evaluates it: the question's scope, then its own."""
    if question.scope is not None and not rule.from_scope:
        scope = DefRef(question.scope)
        node = And((scope, rule.condition))
        return node, f"{question.scope} and ({rule.condition})"
    return rule.condition, str(rule.condition)


# --- the nearest change -------------------------------------------------------------------------


def _class_of(split: Split, value: Any) -> ClassValue | None:
    from .partition import Interval

    for v in split.values:
        if isinstance(v, Interval):
            if isinstance(value, int) and not isinstance(value, bool) and v.low <= value <= v.high:
                return v
        elif v == value:
            return v
    return None


def _moved(now: Any, target: ClassValue) -> Any:
    from .partition import Interval

    if isinstance(target, Interval):
        if isinstance(now, int) and not isinstance(now, bool):
            return min(max(now, target.low), target.high)
        return target.low
    return target


def _distance(
    splits: Sequence[Split], now: Mapping[str, Any], mine: Sequence[ClassValue | None], cls: Any
) -> tuple[int, int]:
    from .partition import Interval

    changed, far = 0, 0
    for split, own, (_name, theirs) in zip(splits, mine, cls.values, strict=True):
        if own == theirs:
            continue
        changed += 1
        if isinstance(theirs, Interval):
            value = now[split.feature]
            moved = _moved(value, theirs)
            far += abs(moved - value) if isinstance(value, int) else 1
    return changed, far


def _answer_text(decision: Decision, lang: Lang, reason: Text | None = None) -> str:
    """The answer in a few words: its bodies (by kind and level, never a place code), else its
    reason (``reason``, filled in with the caller's values, in place of the decision's own), else
    its outcome."""
    if decision.bodies:
        if lang == "zh":
            return "、".join(
                f"{'' if b.name.zh.startswith(b.level_name.zh) else b.level_name.zh}"
                f"{b.name.zh}（{b.cite.label('zh')}）"
                for b in decision.bodies
            )
        return "; ".join(
            f"the {b.name.en} of the {b.level_name.en} ({b.cite})" for b in decision.bodies
        )
    if reason is not None:
        return reason[lang]
    if decision.reason is not None:
        return decision.reason[lang]
    return decision.outcome_name[lang]


def _nearest(
    engine: Engine,
    part: QuestionPartition,
    facts: BaseModel,
    rule: str,
    want_applied: bool,
) -> NearestChange | None:
    features = engine.policy.subjects[part.question.subject].features
    now = {s.feature: features[s.feature].get(facts, engine.context) for s in part.splits}
    mine = [_class_of(s, now[s.feature]) for s in part.splits]
    best: tuple[tuple[int, int], DecidedClass] | None = None
    for cls in part.classes:
        if cls.decision is None:
            continue
        if rule not in (cls.decision.rules_applied if want_applied else cls.fired):
            continue
        score = _distance(part.splits, now, mine, cls)
        if best is None or score < best[0]:
            best = (score, cls)
    if best is None:
        return None
    cls = best[1]
    assert cls.decision is not None
    from .partition import label

    subject = part.question.subject
    changed = {
        s.feature: _moved(now[s.feature], theirs)
        for s, own, (_n, theirs) in zip(part.splits, mine, cls.values, strict=True)
        if own != theirs
    }
    changes = tuple((label(subject, f), now[f], then) for f, then in changed.items())
    reason = _reason_with_own_values(engine, part.question, cls.decision, facts, changed)
    return NearestChange(
        changes,
        cls.decision.outcome,
        Text(
            _answer_text(cls.decision, "zh", reason),
            _answer_text(cls.decision, "en", reason),
        ),
        cls.decision.rules_applied,
        cls.facts.model_dump(mode="json", exclude_none=True),
    )


def _reason_with_own_values(
    engine: Engine,
    question: Question,
    decision: Decision,
    facts: BaseModel,
    changed: Mapping[str, Any],
) -> Text | None:
    """The reason the nearest answer gives, filled in with the caller's own values (never the
    example values of the class's witness); a value the change itself alters reads as the
    change (``[subject.flag → false]``). None when that answer gives no reason."""
    rule = next(
        (r for r in question.rules if r.id in decision.rules_applied and r.answer.reason),
        None,
    )
    if rule is None or rule.answer.reason is None:
        return None
    from .partition import label

    subject = engine.policy.subjects[question.subject]
    params = engine.parameters_for(facts)
    moved = {f: {path.split(".", 1)[0] for path in subject.features[f].reads} for f in changed}
    zh, en = rule.answer.reason.zh, rule.answer.reason.en
    for head, name in placeholders(rule.answer.reason):
        if head == "param":
            shown = _shown(params.get(name))
        else:
            found = subject.features.get(name) or subject.places[name]
            reads = {path.split(".", 1)[0] for path in found.reads} or {name}
            alters = [f for f, fields in moved.items() if fields & reads or f == name]
            if alters == [name]:  # the placeholder's own value is what changes
                shown = _shown(changed[name])
            elif alters:
                shown = (
                    "["
                    + ", ".join(
                        f"{label(question.subject, f)} → {_shown(changed[f])}" for f in alters
                    )
                    + "]"
                )
            else:
                value = found.get(facts, engine.context)
                shown = (
                    ", ".join(map(str, value))
                    if isinstance(value, tuple)
                    else str(_shown(value) if isinstance(value, bool) or value is None else value)
                )
        placeholder = f"{{{head}.{name}}}"
        zh, en = zh.replace(placeholder, shown), en.replace(placeholder, shown)
    return Text(zh, en)


def _partition_for(engine: Engine, question: Question, facts: BaseModel) -> QuestionPartition:
    """The partition of the question with the parameter values the facts are decided with."""
    from ..engine.engine import Engine as EngineClass
    from .partition import partition, realiser_for

    policy = engine.policy
    district = engine.district_of(facts)
    if district is not None and engine.sources(question, facts):
        flat = dataclasses.replace(policy, parameters=policy.parameters_for(district), overlays={})
        engine = EngineClass(flat)
    return partition(engine, engine.policy.questions[question.name], realiser_for(engine))


# --- explain ------------------------------------------------------------------------------------


def explain(
    engine: Engine,
    data: Mapping[str, Any] | BaseModel,
    question: str,
    *,
    as_of: datetime.date | str | None = None,
) -> Explanation:
    """Every rule of ``question`` evaluated against ``data`` (see the module's docstring), as of
    the day ``decide`` would decide it (``as_of``, the facts' date, or today): the rules in force
    that day."""
    from ..engine.engine import resolve

    facts = engine.parse_facts(data)
    day, source = engine.day_of(facts, as_of)
    engine = engine.at(day)
    as_of = day if source == "given" else None
    q = engine.question(question)
    subject = engine.subject_of(facts)
    if q.subject != subject:
        raise FactsError(
            f"question `{question}` is about a {q.subject}, the facts describe a {subject}"
        )
    decision: Decision | None
    error: str | None = None
    try:
        decision = engine.decide(facts, question, as_of=as_of)
    except ConflictError as exc:
        decision, error = None, str(exc)
    holding = engine.holding(q, facts)
    _fired, overridden, remaining = resolve(q, holding)
    applied = {r.id for r in remaining}
    knocked = {r.id for r in overridden}
    tracer = _Tracer(engine, facts, subject)
    part: QuestionPartition | None = None
    traces = []
    for rule in sorted(q.rules, key=lambda r: r.id):
        node, text = _condition(q, rule)
        trace = tracer.trace(node, text)
        fired = rule.id in holding
        trace = dataclasses.replace(trace, value=fired)  # the engine's truth, always
        by = (
            tuple(sorted(r.id for r in q.rules if r.id in holding and rule.id in r.overrides))
            if rule.id in knocked
            else ()
        )
        nearest = None
        if rule.id not in applied:
            if part is None:
                part = _partition_for(engine, q, facts)
            nearest = _nearest(engine, part, facts, rule.id, want_applied=True)
            if nearest is None and not fired:
                nearest = _nearest(engine, part, facts, rule.id, want_applied=False)
        traces.append(
            RuleTrace(
                rule.id,
                tuple(str(c) for c in rule.cites),
                trace,
                fired,
                rule.id in applied,
                by,
                rule.overrides,
                rule.note,
                nearest,
                tuple(Text(c.label("zh"), c.label("en")) for c in rule.cites),
            )
        )
    return Explanation(
        question,
        subject,
        decision,
        error,
        tuple(sorted(engine.parameters_for(facts).items())),
        engine.sources(q, facts),
        tuple(traces),
    )


# --- text ---------------------------------------------------------------------------------------

_WORDS = {
    "fired": Text("成立", "fired"),
    "fired_rules": Text("成立的规则", "rules fired"),
    "not_fired": Text("不成立", "did not fire"),
    "applied": Text("适用", "applied"),
    "overridden": Text("被以下规则排除", "overridden by"),
    "overrides": Text("排除", "overrides"),
    "nearest": Text("最近的改变", "nearest change"),
    "then": Text("则", "then"),
    "never": Text("在任何情况下都不适用", "applies in no class of the partition"),
    "answer": Text("结论", "answer"),
    "note": Text("说明", "note"),
    "overlay": Text("取值依据", "overlay"),
    "decided_by": Text("据以决定的规则", "decided by"),
    "no_other": Text("任何改变都不改变结论", "no change of the facts gives another answer"),
    "full": Text("逐条规则：--full", "every rule, node by node: --full"),
    "ids": Text("规则及其条件：--ids", "rules and their conditions: --ids"),
    # punctuation: Chinese is set full-width
    ":": Text("：", ": "),
    ",": Text("，", ", "),
    "(": Text("（", "("),
    ")": Text("）", ")"),
}


def _seen(node: NodeTrace) -> dict[str, Any]:
    """Every value the condition read, once, in the order it read them."""
    out: dict[str, Any] = dict(node.seen)
    for child in node.children:
        for k, v in _seen(child).items():
            out.setdefault(k, v)
    return out


def _status(r: RuleTrace, w: Mapping[str, str], ids: bool = True) -> str:
    status = w["fired"] if r.fired else w["not_fired"]
    if r.applied:
        status += f"{w[',']}{w['applied']}"
    if r.overridden_by and ids:
        status += f"{w[',']}{w['overridden']} {', '.join(r.overridden_by)}"
    return status


def _named(r: RuleTrace, w: Mapping[str, str], ids: bool, lang: Lang = "en") -> str:
    """A rule as the text names it: its id and articles, or (a caseworker's) its articles as
    the text reads them."""
    if ids:
        return f"{r.rule} {w['(']}{w[','].join(r.cites)}{w[')']}"
    return w[","].join(label[lang] for label in r.labels) if r.labels else w[","].join(r.cites)


def _nearest_line(n: NearestChange, w: Mapping[str, str], lang: Lang, ids: bool = True) -> str:
    change = w[","].join(f"{f}{w[':']}{_shown(a)} → {_shown(b)}" for f, a, b in n.changes)
    rules = f" [{', '.join(n.rules_applied)}]" if ids else ""
    return f"{w['nearest']}{w[':']}{change} — {w['then']} {n.answer[lang]}{rules}"


def _render_short(e: Explanation, lang: Lang, ids: bool = True) -> str:
    """The answer, the deciding rule(s) with the values read, and the nearest other answer."""
    w = {k: v[lang] for k, v in _WORDS.items()}
    lines = [
        e.decision.render(lang, ids=ids)
        if e.decision is not None
        else f"{e.question}{w[':']}{e.error}"
    ]
    if e.sources:
        lines.append(f"{w['overlay']}{w[':']}{', '.join(e.sources)}")
    lines.append("")
    deciding = [r for r in e.rules if r.applied] or [r for r in e.rules if r.fired]
    for r in deciding:
        lines.append(
            f"{w['decided_by']}{w[':']}{_named(r, w, ids, lang)}{w[':']}{_status(r, w, ids)}"
        )
        if ids:
            lines.append(f"  {r.condition.text}")
        seen = {k: v for k, v in _seen(r.condition).items() if ids or not k.startswith("param.")}
        if seen:
            lines.append("  [" + w[","].join(f"{k} = {_shown(v)}" for k, v in seen.items()) + "]")
    nearest = e.nearest()
    lines.append(_nearest_line(nearest, w, lang, ids) if nearest is not None else w["no_other"])
    lines.append(f"{w['(']}{w['full']}{w[')']}")
    if not ids:
        lines.append(f"{w['(']}{w['ids']}{w[')']}")
    return "\n".join(lines)


def _node_lines(node: NodeTrace, depth: int) -> list[str]:
    mark = {True: "true", False: "false", None: "?"}[node.value]
    seen = ", ".join(f"{k} = {_shown(v)}" for k, v in node.seen)
    line = f"{'  ' * depth}{'✓' if node.value else '✗' if node.value is False else '·'} "
    line += f"{node.text}  → {mark}" + (f"   [{seen}]" if seen else "")
    out = [line]
    for child in node.children:
        out += _node_lines(child, depth + 1)
    return out


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return f'"{value}"' if isinstance(value, str) else str(value)


def _rule_lines(r: RuleTrace, w: Mapping[str, str], lang: Lang, ids: bool = True) -> list[str]:
    lines = ["", f"{_named(r, w, ids, lang)}{w[':']}{_status(r, w, ids)}"]
    if r.fired and r.overrides and ids:
        lines.append(f"  {w['overrides']}{w[':']}{', '.join(r.overrides)}")
    if r.applied and r.note:
        lines.append(f"  {w['note']}{w[':']}{r.note[lang]}")
    if ids:
        lines += _node_lines(r.condition, 1)
    if r.applied:
        return lines
    n = r.nearest
    if n is None:
        return [*lines, f"  {w['nearest']}{w[':']}{w['never']}"]
    lines.append(f"  {_nearest_line(n, w, lang, ids)}")
    return lines


def _render(e: Explanation, lang: Lang, ids: bool = True) -> str:
    w = {k: v[lang] for k, v in _WORDS.items()}
    lines = []
    if e.decision is not None:
        lines.append(e.decision.render(lang, ids=ids))
    else:
        lines.append(f"{e.question}{w[':']}{e.error}")
    if e.sources:
        lines.append(f"{w['overlay']}{w[':']}{', '.join(e.sources)}")
    fired = [r for r in e.rules if r.fired]
    if fired and ids:
        lines.append("")
        lines.append(f"{w['fired_rules']}{w[':']}{', '.join(r.rule for r in fired)}")
        for r in fired:
            knocked = [o for o in r.overrides if any(f.rule == o for f in fired)]
            if knocked:
                lines.append(f"  {r.rule} {w['overrides']} {', '.join(knocked)}")
    for r in e.rules:
        lines += _rule_lines(r, w, lang, ids)
    if not ids:
        lines.append(f"\n{w['(']}{w['ids']}{w[')']}")
    return "\n".join(lines)
