"""Pass 1a of loading a policy: a file's ``question_defaults`` and ``definition_defaults`` —
what every question (its subject, its scope, ...) or every definition (its subject, its
citation) of the file says unless it says otherwise, written once.

A key an entry gives itself wins (``scope: null`` says "no scope"); every other key of the
section is copied into the entry, located at the section's line with the entry named, so that a
problem with a default value is reported where it is written. The section is gone before the
file is validated: every later pass sees questions and definitions written out.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from ..core.errors import Diagnostic, PolicyError
from . import schema as s
from .sources import pydantic_diagnostics
from .strict_yaml import LocatedDocument, Mark, Path_

__all__ = ["SECTION", "SECTIONS", "apply_question_defaults", "copy_located"]

SECTION = "question_defaults"
SECTIONS: dict[str, tuple[str, str, type[BaseModel]]] = {
    SECTION: ("questions", "question", s.QuestionDefaults),
    "definition_defaults": ("definitions", "definition", s.DefinitionDefaults),
}
"""Each defaults section: the section of entries it gives to, what an entry is called, and the
model of its keys."""


def _defaults(
    doc: LocatedDocument, section: str, problems: list[Diagnostic]
) -> dict[str, Any] | None:
    """The section's keys as written, or None after a located problem."""
    written = doc.value[section]
    model = SECTIONS[section][2]
    try:
        model.model_validate(written)
    except ValidationError as exc:
        problems.extend(pydantic_diagnostics(doc, exc, (section,)))
        return None
    if not isinstance(written, dict) or not written:
        entry = SECTIONS[section][1]
        problems.append(
            Diagnostic(
                "schema",
                f"{section}: a mapping of what every {entry} of the file says unless it says "
                "otherwise (" + ", ".join(model.model_fields) + ")",
                doc.location((section,)),
            )
        )
        return None
    return dict(written)


def _applied(doc: LocatedDocument, section: str, defaults: dict[str, Any]) -> LocatedDocument:
    entries_key, entry, _ = SECTIONS[section]
    value: dict[str, Any] = doc.value
    marks = {p: m for p, m in doc.marks.items() if p[:1] != (section,)}
    keys = {p: k for p, k in doc.keys.items() if p[:1] != (section,)}
    entries = value.get(entries_key)
    out = {k: v for k, v in value.items() if k != section}
    if isinstance(entries, dict):
        written: dict[str, Any] = {}
        for name, item in entries.items():
            if isinstance(item, dict):
                given = {k: v for k, v in defaults.items() if k not in item}
                context = f"the default of {entry} `{name}` ({section})"
                for key in given:
                    copy_located(
                        doc, (section, key), (entries_key, name, key), context, marks, keys
                    )
                written[name] = {**given, **item}
            else:
                written[name] = item
        out[entries_key] = written
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
    """The documents with each file's question and definition defaults given to its entries."""
    problems: list[Diagnostic] = []
    out: list[LocatedDocument] = []
    for written in docs:
        doc = written
        for section in SECTIONS:
            if not isinstance(doc.value, dict) or section not in doc.value:
                continue
            defaults = _defaults(doc, section, problems)
            doc = _applied(doc, section, defaults) if defaults is not None else doc
        out.append(doc)
    if problems:
        raise PolicyError(problems)
    return out
