"""Pass 1 of loading a policy, after question defaults: an ``outside`` case written once.

A case of a definition's ``outside`` list may be ``{same_as: DEFINITION.CASE}``: the case of that
id in that definition's list (in any file), copied with its ``id``, ``when`` and texts, each
located where it is written, so that a problem with it is reported there. A name that is no
definition, or no case of it, is an ``unknown-definition`` error at the ``same_as``; a case that
is itself a ``same_as`` is not followed (``schema``).
"""

from __future__ import annotations

from typing import Any

from ..core.errors import Diagnostic, suggest
from .strict_yaml import LocatedDocument, Mark, Path_, each_document

__all__ = ["SAME_AS", "copy_outside_cases"]

SAME_AS = "same_as"
_Case = tuple[LocatedDocument, Path_, dict[str, Any]]


def _cases(docs: list[LocatedDocument]) -> dict[str, dict[str, _Case]]:
    """Every written case of every definition's ``outside`` list, by definition and id."""
    out: dict[str, dict[str, _Case]] = {}
    for doc in docs:
        defs = doc.value.get("definitions") if isinstance(doc.value, dict) else None
        for name, definition in (defs or {}).items() if isinstance(defs, dict) else ():
            outside = definition.get("outside") if isinstance(definition, dict) else None
            if not isinstance(outside, list):
                continue
            for i, case in enumerate(outside):
                if isinstance(case, dict) and isinstance(case.get("id"), str):
                    out.setdefault(name, {})[case["id"]] = (
                        doc,
                        ("definitions", name, "outside", i),
                        case,
                    )
    return out


def _resolved(
    doc: LocatedDocument,
    at: Path_,
    reference: Any,
    cases: dict[str, dict[str, _Case]],
    marks: dict[Path_, Mark],
    problems: list[Diagnostic],
) -> dict[str, Any] | None:
    where = doc.location((*at, SAME_AS))
    name, _, case_id = reference.partition(".") if isinstance(reference, str) else ("", "", "")
    if not name or not case_id:
        problems.append(
            Diagnostic(
                "schema",
                f"`{SAME_AS}` names a case as DEFINITION.CASE, got {reference!r}",
                where,
                None,
                (*at, SAME_AS),
            )
        )
        return None
    known = cases.get(name, {})
    found = known.get(case_id)
    if found is None:
        what = (
            f"definition `{name}` has no case `{case_id}`"
            if name in cases
            else (f"no definition `{name}` with `outside` cases")
        )
        problems.append(
            Diagnostic(
                "unknown-definition",
                f"`{SAME_AS}: {reference}`: {what}",
                where,
                suggest(case_id, set(known)) if name in cases else suggest(name, set(cases)),
                (*at, SAME_AS),
            )
        )
        return None
    source, path, case = found
    if SAME_AS in case:
        problems.append(
            Diagnostic(
                "schema",
                f"`{SAME_AS}: {reference}` names a case that is itself a `{SAME_AS}`: name the "
                "case where it is written",
                where,
                None,
                (*at, SAME_AS),
            )
        )
        return None
    context = f"the case `{case_id}` of `{name}`, used at {where}"
    n = len(path)
    for p, m in source.marks.items():
        if p[:n] == path and len(p) > n:
            marks[(*at, *p[n:])] = Mark(m.location.within(context), m.style, m.source)
    return dict(case)


def _copied(
    doc: LocatedDocument, cases: dict[str, dict[str, _Case]], problems: list[Diagnostic]
) -> LocatedDocument:
    defs = doc.value.get("definitions") if isinstance(doc.value, dict) else None
    if not isinstance(defs, dict):
        return doc
    marks = dict(doc.marks)
    written: dict[str, Any] = {}
    changed = False
    for name, definition in defs.items():
        outside = definition.get("outside") if isinstance(definition, dict) else None
        if not isinstance(outside, list) or not any(
            isinstance(c, dict) and SAME_AS in c for c in outside
        ):
            written[name] = definition
            continue
        out: list[Any] = []
        for i, case in enumerate(outside):
            at: Path_ = ("definitions", name, "outside", i)
            if isinstance(case, dict) and SAME_AS in case and set(case) == {SAME_AS}:
                copy = _resolved(doc, at, case[SAME_AS], cases, marks, problems)
                out.append(copy if copy is not None else case)
            else:
                out.append(case)
        written[name] = {**definition, "outside": out}
        changed = True
    if not changed:
        return doc
    value = {**doc.value, "definitions": written}
    return LocatedDocument(doc.file, value, marks, doc.keys, doc.digest)


def copy_outside_cases(docs: list[LocatedDocument]) -> list[LocatedDocument]:
    """The documents with every ``same_as`` case of an ``outside`` list replaced by its case."""
    cases = _cases(docs)
    return each_document(docs, lambda doc, problems: _copied(doc, cases, problems))
