"""The policy as the page (and any client) reads it: its subjects and their fields with the
labels of their values, its questions, its articles with the rules that cite each; and what the
place hierarchy says of a code. Made from the policy's declarations, in both languages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..core.text import Text
    from ..language.subjects import FieldInfo
    from ..policy.model import Policy

__all__ = ["place_view", "policy_view"]


def _text(t: Text | None) -> dict[str, str] | None:
    return None if t is None else {"zh": t.zh, "en": t.en}


def _labels(policy: Policy, info: FieldInfo) -> dict[str, dict[str, str] | None]:
    enums = policy.facts.enums if policy.facts is not None else {}
    for labels in enums.values():
        if set(labels) == set(info.values):
            return {v: _text(labels[v]) for v in info.values}
    return dict.fromkeys(info.values)


def _field(policy: Policy, info: FieldInfo) -> dict[str, Any]:
    default = info.default if info.has_default and not info.derived_default else None
    if not isinstance(default, str | int | bool | None):
        default = None
    return {
        "name": info.name,
        "type": info.kind,
        "doc": info.doc,
        "optional": info.optional or info.has_default,
        "default": default,
        "values": [{"value": v, "label": label} for v, label in _labels(policy, info).items()],
        "minimum": info.minimum,
        "maximum": info.maximum,
        "levels": list(info.levels),
        "subject": info.subject,
    }


def policy_view(policy: Policy) -> dict[str, Any]:
    """Everything the caseworker page shows of a policy, as JSON-ready data."""
    cited_by: dict[int, list[dict[str, Any]]] = {}
    for name, question in policy.questions.items():
        for rule in question.rules:
            for cite in rule.cites:
                cited_by.setdefault(cite.article, []).append(
                    {"rule": rule.id, "question": name, "cite": str(cite)}
                )
    from ..core.text import Cite

    articles = [
        {
            "number": number,
            "label": {"zh": Cite(number).label("zh"), "en": str(Cite(number))},
            "chapter": article.chapter,
            "chapter_title": _text(
                policy.chapters.get(article.chapter) if article.chapter is not None else None
            ),
            "text": _text(article.text),
            "items": [{"item": i, "text": _text(t)} for i, t in sorted(article.items.items())],
            "rules": cited_by.get(number, []),
        }
        for number, article in sorted(policy.articles.items())
    ]
    subjects = [
        {
            "name": s.name,
            "doc": s.doc,
            "fields": [_field(policy, f) for f in s.fields.values()],
        }
        for s in policy.subjects.values()
    ]
    questions = [
        {
            "name": name,
            "subject": q.subject,
            "title": _text(q.title),
            "cites": [{"zh": c.label("zh"), "en": str(c)} for c in q.cites],
        }
        for name, q in policy.questions.items()
    ]
    return {
        "name": policy.name,
        "version": policy.version,
        "title": _text(policy.title),
        "document_title": _text(policy.document_title),
        "fingerprint": policy.fingerprint,
        "overlays": [
            {"district": o.district, "file": o.file, "title": _text(o.title)}
            for o in policy.overlays.values()
        ],
        "subjects": subjects,
        "questions": questions,
        "articles": articles,
    }


def place_view(policy: Policy, code: str) -> dict[str, Any]:
    """What the place hierarchy tells of ``code``: its level and that level's name, its class
    and form where the level declares them, or why it is no code of the hierarchy."""
    hierarchy = policy.hierarchy
    problem = hierarchy.problem(code)
    if problem is not None:
        return {"code": code, "valid": False, "problem": problem}
    level = hierarchy.level_of(code)
    assert level is not None
    form_index = hierarchy.form_index(code)
    names = policy.vocabulary.levels.get(level, ())
    found = hierarchy.level(level).range_of(code)
    return {
        "code": code,
        "valid": True,
        "problem": None,
        "level": level,
        "level_name": _text(names[form_index]) if form_index < len(names) else None,
        "class": found.klass if found is not None else None,
        "form": hierarchy.form_of(code),
        "within": [
            {"level": name, "code": hierarchy.at(code, name)}
            for name in hierarchy.names
            if hierarchy.at(code, name) not in (None, "", code)
        ],
    }
