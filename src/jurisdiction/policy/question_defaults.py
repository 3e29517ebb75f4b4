"""Pass 1a of loading a policy: a file's ``question_defaults`` — what every question of the file
says unless it says otherwise (its subject, its scope), written once.

A key a question gives itself wins (``scope: null`` says "no scope"); every other key of the
section is copied into the question, located at the section's line with the question named, so
that a problem with a default value is reported where it is written. The section is gone before
the file is validated: every later pass sees questions written out.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from ..core.errors import Diagnostic, PolicyError
from . import schema as s
from .sources import pydantic_diagnostics
from .strict_yaml import LocatedDocument, Mark, Path_

__all__ = ["SECTION", "apply_question_defaults", "copy_located"]

SECTION = "question_defaults"


def _defaults(doc: LocatedDocument, problems: list[Diagnostic]) -> dict[str, Any] | None:
    """The section's keys as written, or None after a located problem."""
    section = doc.value[SECTION]
    try:
        s.QuestionDefaults.model_validate(section)
    except ValidationError as exc:
        problems.extend(pydantic_diagnostics(doc, exc, (SECTION,)))
        return None
    if not isinstance(section, dict) or not section:
        problems.append(
            Diagnostic(
                "schema",
                f"{SECTION}: a mapping of what every question of the file says unless it says "
                "otherwise (" + ", ".join(s.QuestionDefaults.model_fields) + ")",
                doc.location((SECTION,)),
            )
        )
        return None
    return dict(section)


def _applied(doc: LocatedDocument, defaults: dict[str, Any]) -> LocatedDocument:
    value: dict[str, Any] = doc.value
    marks = {p: m for p, m in doc.marks.items() if p[:1] != (SECTION,)}
    keys = {p: k for p, k in doc.keys.items() if p[:1] != (SECTION,)}
    questions = value.get("questions")
    out = {k: v for k, v in value.items() if k != SECTION}
    if isinstance(questions, dict):
        written: dict[str, Any] = {}
        for name, question in questions.items():
            if isinstance(question, dict):
                given = {k: v for k, v in defaults.items() if k not in question}
                context = f"the default of question `{name}` ({SECTION})"
                for key in given:
                    copy_located(
                        doc, (SECTION, key), ("questions", name, key), context, marks, keys
                    )
                written[name] = {**given, **question}
            else:
                written[name] = question
        out["questions"] = written
    return LocatedDocument(doc.file, out, marks, keys, doc.digest)


def copy_located(
    doc: LocatedDocument,
    source: Path_,
    target: Path_,
    context: str,
    marks: dict[Path_, Mark],
    keys: dict[Path_, Any],
) -> None:
    """Every mark and key under ``source`` also under ``target``, each said to be ``context``."""
    n = len(source)
    for p, m in doc.marks.items():
        if p[:n] == source:
            marks[(*target, *p[n:])] = Mark(m.location.within(context), m.style, m.source)
    for p, k in doc.keys.items():
        if p[:n] == source:
            keys[(*target, *p[n:])] = k.within(context)


def apply_question_defaults(docs: list[LocatedDocument]) -> list[LocatedDocument]:
    """The documents with each file's question defaults given to its questions."""
    problems: list[Diagnostic] = []
    out: list[LocatedDocument] = []
    for doc in docs:
        if not isinstance(doc.value, dict) or SECTION not in doc.value:
            out.append(doc)
            continue
        defaults = _defaults(doc, problems)
        out.append(_applied(doc, defaults) if defaults is not None else doc)
    if problems:
        raise PolicyError(problems)
    return out
