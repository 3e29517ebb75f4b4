"""Rendering a decision as text, in Chinese or English. All words come from the decision itself
(and so from the policy's vocabulary), except the few headings below."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.text import Lang, Text

if TYPE_CHECKING:  # the decision imports this module to render itself
    from .decision import Body, Decision

__all__ = ["render_decision"]

_HEAD = {
    "question": Text("问题", "Question"),
    "outcome": Text("结论", "Outcome"),
    "value": Text("取值", "Value"),
    "bodies": Text("负责机构", "Bodies"),
    "actors": Text("其他参与方", "Other parties"),
    "reason": Text("理由", "Reason"),
    "detail": Text("内容", "Covers"),
    "citations": Text("依据", "Cited"),
    "rules": Text("适用规则", "Rules applied"),
    "overridden": Text("被排除的规则", "Rules overridden"),
    "notes": Text("说明", "Notes"),
    "policy": Text("政策指纹", "Policy"),
    "by": Text("依据", "per"),
    "set_by": Text("取值依据", "with the values of"),
    "reading": Text(
        ",层级为本政策的解读:参数 ", "; the level is this policy's reading, parameter "
    ),
}

_SEP = {"zh": ":", "en": ": "}


def _body(b: Body, lang: Lang) -> str:
    reading = f"{_HEAD['reading'][lang]}{b.level_param}" if b.level_param else ""
    if lang == "zh":
        where = f"{b.place_name.zh}({b.level_name.zh} {b.place_code}{reading})"
        return f"{where}{b.name.zh} — {b.role_name.zh} — 依据{b.cite_label('zh')}"
    where = f"{b.place_name.en} ({b.level_name.en} {b.place_code}{reading})"
    return f"the {b.name.en} of the {where} — {b.role_name.en} — per {b.cite_label('en')}"


def _actor(b: Body, lang: Lang) -> str:
    """An actor that is not a government body: its name, where, its role, why."""
    if lang == "zh":
        where = f"({b.place_name.zh} {b.place_code})"
        return f"{b.name.zh}{where} — {b.role_name.zh} — 依据{b.cite_label('zh')}"
    where = f"({b.place_name.en} {b.place_code})"
    return f"{b.name.en} {where} — {b.role_name.en} — per {b.cite_label('en')}"


def render_decision(d: Decision, lang: Lang = "en") -> str:
    sep = _SEP[lang]
    h = {k: v[lang] for k, v in _HEAD.items()}
    lines = [
        f"{h['question']}{sep}{d.question_title[lang]} [{d.question}]",
        f"{h['outcome']}{sep}{d.outcome_name[lang]}",
    ]
    if d.value_name is not None:  # a value with words of its own (a question's `values`)
        lines.append(f"{h['value']}{sep}{d.value_name[lang]} [{d.value}]")
    bodies = [b for b in d.bodies if not b.actor]
    if bodies:
        lines.append(f"{h['bodies']}{sep.rstrip()}")
        via = f" — {h['set_by']} {', '.join(d.sources)}" if d.sources else ""
        lines.extend(f"  - {_body(b, lang)}{via}" for b in bodies)
    actors = [b for b in d.bodies if b.actor]
    if actors:  # parties that are not government bodies: not under the bodies' heading
        lines.append(f"{h['actors']}{sep.rstrip()}")
        lines.extend(f"  - {_actor(b, lang)}" for b in actors)
    if d.reason is not None:
        lines.append(f"{h['reason']}{sep}{d.reason[lang]}")
    if d.detail:
        joiner = "、" if lang == "zh" else "; "
        lines.append(f"{h['detail']}{sep}{joiner.join(t[lang] for t in d.detail)}")
    if d.citations:
        lines.append(f"{h['citations']}{sep.rstrip()}")
        for c in d.citations:
            lines.append(f"  {c.cite.label(lang)}{sep}{c.quote[lang]}")
            if lang == "en":  # the translation, and beside it the text it translates
                lines.append(f"    ({c.cite.label('zh')}{_SEP['zh']}{c.quote.zh})")
    if d.rules_applied:
        lines.append(f"{h['rules']}{sep}{', '.join(d.rules_applied)}")
    if d.rules_overridden:
        lines.append(f"{h['overridden']}{sep}{', '.join(d.rules_overridden)}")
    if d.notes:
        lines.append(f"{h['notes']}{sep.rstrip()}")
        lines.extend(f"  - {note[lang]}" for note in d.notes)
    sources = f" ({', '.join(d.sources)})" if d.sources else ""
    lines.append(f"{h['policy']}{sep}{d.policy} {d.policy_fingerprint}{sources}")
    return "\n".join(lines)
