"""Pass 1a of loading a policy, after question defaults: a question's ``cite`` — the citation
of each of its rules that gives none, written once where every rule rests on the same article.

A rule of the question written out (a use of a template is not: a template's rules say their own)
that has no ``cite`` takes the question's, located where the question writes it with the rule
named, so that a bad citation is reported there. The key is gone before the file is validated:
every later pass sees each rule's citation written out. A question ``cite`` that no rule takes
would say nothing, and is refused (``schema``, at the key).
"""

from __future__ import annotations

from typing import Any

from ..core.errors import Diagnostic
from .question_defaults import copy_located
from .strict_yaml import LocatedDocument, Mark, Path_, each_document

__all__ = ["CITE", "give_question_cites"]

CITE = "cite"


def _given(
    doc: LocatedDocument, name: str, question: dict[str, Any], problems: list[Diagnostic]
) -> tuple[dict[str, Any], dict[Path_, Mark], dict[Path_, Any]] | None:
    """The question with its citation given to its rules, and the marks and keys it adds."""
    rules = question.get("rules")
    at: Path_ = ("questions", name)
    takers = [
        i
        for i, rule in enumerate(rules if isinstance(rules, list) else [])
        if isinstance(rule, dict) and "use" not in rule and CITE not in rule
    ]
    if not takers:
        problems.append(
            Diagnostic(
                "schema",
                f"question `{name}` gives `{CITE}`, the citation of each of its rules that gives "
                "none, but every rule written here gives its own (and a template's rules say "
                "theirs): drop it",
                doc.key_location((*at, CITE)),
                None,
                (*at, CITE),
            )
        )
        return None
    marks: dict[Path_, Mark] = {}
    keys: dict[Path_, Any] = {}
    written = list(rules) if isinstance(rules, list) else []
    for i in takers:
        rule = written[i]
        context = f"the `{CITE}` of question `{name}` given to rule `{rule.get('id', i)}`"
        copy_located(doc, (*at, CITE), (*at, "rules", i, CITE), context, marks, keys)
        written[i] = {CITE: question[CITE], **rule}
    out = {k: v for k, v in question.items() if k != CITE}
    out["rules"] = written
    return out, marks, keys


def _document(doc: LocatedDocument, problems: list[Diagnostic]) -> LocatedDocument:
    questions = doc.value.get("questions") if isinstance(doc.value, dict) else None
    if not isinstance(questions, dict) or not any(
        isinstance(q, dict) and CITE in q for q in questions.values()
    ):
        return doc
    drop = {("questions", n, CITE) for n, q in questions.items() if isinstance(q, dict)}
    marks = {p: m for p, m in doc.marks.items() if p[:3] not in drop}
    keys = {p: k for p, k in doc.keys.items() if p[:3] not in drop}
    written: dict[str, Any] = {}
    for name, question in questions.items():
        given = (
            _given(doc, name, question, problems)
            if isinstance(question, dict) and CITE in question
            else None
        )
        if given is not None:
            written[name], more_marks, more_keys = given
            marks.update(more_marks)
            keys.update(more_keys)
        else:
            written[name] = question
    return LocatedDocument(doc.file, {**doc.value, "questions": written}, marks, keys, doc.digest)


def give_question_cites(docs: list[LocatedDocument]) -> list[LocatedDocument]:
    """The documents with each question's ``cite`` given to its rules that give none."""
    return each_document(docs, _document)
