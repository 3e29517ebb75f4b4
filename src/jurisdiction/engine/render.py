"""Rendering a decision as text, in Chinese or English. All words come from the decision itself
(and so from the policy's vocabulary), except the few headings below."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.text import Lang, Text

if TYPE_CHECKING:  # the decision imports this module to render itself
    from .decision import Body, Decision, Instrument

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


def _instrument(i: Instrument, lang: Lang) -> str:
    h = {k: v[lang] for k, v in _HEAD.items()}
    marked = h["summary"] if i.summary else ""
    when = f"{h['in_force']} {i.in_force}"
    sure = h.get(i.certainty, i.certainty)
    if lang == "zh":
        return f"{i.title.zh}({when};{h['certainty']}:{sure}):{i.note.zh}{marked}"
    return f"{i.title.en} ({when}; {h['certainty']}: {sure}): {i.note.en}{marked}"


def _actor(b: Body, lang: Lang) -> str:
    """An actor that is not a government body: its name, where, its role, why."""
    if lang == "zh":
        where = f"({b.place_name.zh} {b.place_code})"
        return f"{b.name.zh}{where} — {b.role_name.zh} — 依据{b.cite_label('zh')}"
    where = f"({b.place_name.en} {b.place_code})"
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
        how = f"({h[d.as_of_source]})" if d.as_of_source else ""
        how = how if lang == "zh" else f" {how}"
        lines.append(f"{h['as_of']}{sep}{d.as_of}{how}")
    return lines


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
    lines.extend(_dated(d, lang))
    sources = f" ({', '.join(d.sources)})" if d.sources else ""
    lines.append(f"{h['policy']}{sep}{d.policy} {d.policy_fingerprint}{sources}")
    return "\n".join(lines)
