"""Pass 1a of loading a policy: features one subject takes from another, written once.

A subject may say ``features_from: {OTHER: [NAME, ...]}``: each named feature that subject
``OTHER`` declares is declared here too — its expression, doc and every other key as written
there but ``kept`` (why the other keeps it though nothing reads it there), each path of the
expression that starts at ``OTHER`` starting at this subject instead (found by the expression
parser, never by searching the text). Two subjects of the same
shape (a person and a case about that person, say) so state their shared features once. The
taken features come first, in the order listed, then the subject's own.

Each copied value is located where it is written, in the other subject, with the taking
subject named, so that a problem with it (a field this subject lacks) is reported there. A
subject that is not declared is an ``unknown-subject`` error, a feature it does not declare
itself an ``unknown-fact``, and a name the taking subject declares as well a
``duplicate-name``, each at the name in ``features_from``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ..core.errors import Diagnostic, suggest
from ..language.conditions import ConditionSyntaxError
from ..language.parse import parse_expression
from .strict_yaml import LocatedDocument, Mark, Path_, each_document

__all__ = ["FEATURES_FROM", "take_subject_features"]

FEATURES_FROM = "features_from"
_FEATURES = "features"
KEPT = "kept"


def _roots(node: Any, subject: str) -> list[tuple[int, int]]:
    """(line, column) of every path in an expression tree that starts at ``subject``."""
    found: list[tuple[int, int]] = []
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        if getattr(node, "subject", None) == subject and hasattr(node, "span"):
            found.append((node.span.line, node.span.column))
        for f in dataclasses.fields(node):
            found.extend(_roots(getattr(node, f.name), subject))
    elif isinstance(node, tuple | list):
        for item in node:
            found.extend(_roots(item, subject))
    return found


def _rebased(text: str, source: str, target: str) -> str:
    """``text`` with each path starting at subject ``source`` starting at ``target``; a text
    that does not parse is left as it is (its own error is reported where it is written)."""
    try:
        node = parse_expression(text)
    except ConditionSyntaxError:
        return text
    lines = text.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    offsets = sorted({starts[line - 1] + column - 1 for line, column in _roots(node, source)})
    out = text
    for offset in reversed(offsets):
        if out[offset : offset + len(source) + 1] == f"{source}.":
            out = out[:offset] + target + out[offset + len(source) :]
    return out


def _problem(
    doc: LocatedDocument, at: Path_, code: str, message: str, hint: str | None = None
) -> Diagnostic:
    return Diagnostic(code, message, doc.location(at), hint, at)


def _features(subject: dict[str, Any]) -> dict[str, Any]:
    features = subject.get(_FEATURES)
    return features if isinstance(features, dict) else {}


def _taken(
    doc: LocatedDocument,
    name: str,
    subjects: dict[str, Any],
    marks: dict[Path_, Mark],
    keys: dict[Path_, Any],
    problems: list[Diagnostic],
) -> dict[str, Any]:
    """Subject ``name`` with the features it takes written out."""
    subject = subjects[name]
    at: Path_ = ("subjects", name, FEATURES_FROM)
    wanted = subject[FEATURES_FROM]
    own = _features(subject)
    if not isinstance(wanted, dict) or not all(
        isinstance(names, list) and all(isinstance(n, str) for n in names)
        for names in wanted.values()
    ):
        problems.append(
            _problem(
                doc,
                at,
                "schema",
                f"{FEATURES_FROM}: a mapping of subjects to the names "
                "of the features taken from each, {OTHER: [NAME, ...]}",
            )
        )
        return {k: v for k, v in subject.items() if k != FEATURES_FROM}
    taken: dict[str, Any] = {}
    for source, names in wanted.items():
        other = subjects.get(source)
        if not isinstance(other, dict) or source == name:
            problems.append(
                _problem(
                    doc,
                    (*at, source),
                    "unknown-subject",
                    f"subject `{name}` takes features from `{source}`, "
                    + ("itself" if source == name else "which is no subject"),
                    suggest(source, set(subjects) - {name}),
                )
            )
            continue
        theirs = _features(other)
        for i, feature in enumerate(names):
            if feature not in theirs:
                problems.append(
                    _problem(
                        doc,
                        (*at, source, i),
                        "unknown-fact",
                        f"subject `{source}` declares no feature `{feature}` of its own",
                        suggest(feature, set(theirs)),
                    )
                )
                continue
            if feature in own or feature in taken:
                problems.append(
                    _problem(
                        doc,
                        (*at, source, i),
                        "duplicate-name",
                        f"feature `{feature}` of subject `{name}` is "
                        + ("declared here as well" if feature in own else "taken twice"),
                    )
                )
                continue
            spec = theirs[feature]
            if isinstance(spec, dict):  # `kept` says why the other keeps it unread: not taken
                spec = {k: v for k, v in spec.items() if k != KEPT}
                if isinstance(spec.get("expr"), str):
                    spec["expr"] = _rebased(spec["expr"], source, name)
            taken[feature] = spec
            context = f"the feature `{feature}` subject `{name}` takes ({FEATURES_FROM})"
            src: Path_ = ("subjects", source, _FEATURES, feature)
            dst: Path_ = ("subjects", name, _FEATURES, feature)
            n = len(src)
            for p, m in doc.marks.items():
                if p[:n] == src and p[n : n + 1] != (KEPT,):
                    rewritten = p[n:] == ("expr",) and spec is not theirs[feature]
                    style = None if rewritten else m.style  # positions in a new text do not map
                    marks[(*dst, *p[n:])] = Mark(m.location.within(context), style, m.source)
            for p, k in doc.keys.items():
                if p[:n] == src and p[n : n + 1] != (KEPT,):
                    keys[(*dst, *p[n:])] = k.within(context)
    out = {k: v for k, v in subject.items() if k != FEATURES_FROM}
    out[_FEATURES] = {**taken, **own}
    return out


def _document(doc: LocatedDocument, problems: list[Diagnostic]) -> LocatedDocument:
    subjects = doc.value.get("subjects") if isinstance(doc.value, dict) else None
    if not isinstance(subjects, dict):
        return doc
    takers = [n for n, d in subjects.items() if isinstance(d, dict) and FEATURES_FROM in d]
    if not takers:
        return doc
    marks = {
        p: m
        for p, m in doc.marks.items()
        if not (p[:1] == ("subjects",) and p[2:3] == (FEATURES_FROM,))
    }
    keys = {
        p: k
        for p, k in doc.keys.items()
        if not (p[:1] == ("subjects",) and p[2:3] == (FEATURES_FROM,))
    }
    written = dict(subjects)
    for name in takers:
        written[name] = _taken(doc, name, subjects, marks, keys, problems)
    return LocatedDocument(doc.file, {**doc.value, "subjects": written}, marks, keys, doc.digest)


def take_subject_features(docs: list[LocatedDocument]) -> list[LocatedDocument]:
    """The documents with each subject's ``features_from`` written out as features of its own."""
    return each_document(docs, _document)
