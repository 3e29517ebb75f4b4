"""Pass 1 of loading a policy, before question defaults: a rule's answer written in the rule.

A rule (a question's, or a template's) may give the keys of its answer — ``bodies``, ``detail``,
``not_applicable``, ``undetermined`` — beside its ``id`` and ``cite`` instead of under
``answer``; they are moved under ``answer``, each keeping where it is written, so that every
later pass, and every problem reported, sees the answer as if written out. A rule that writes
both ``answer`` and one of these keys is refused, located at the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..core.errors import Diagnostic, Location
from .strict_yaml import LocatedDocument, Mark, Path_, each_document

__all__ = ["ANSWER_KEYS", "nest_inline_answers"]

ANSWER = "answer"
ANSWER_KEYS = ("bodies", "detail", "not_applicable", "undetermined")
"""The keys of an answer (``schema.Answer``) a rule may write at its own level."""

_RULE_SECTIONS = ("questions", "templates")


def _rules(value: Any) -> list[tuple[str, str, str, int]]:
    """The path of every rule written as a mapping (not a use of a template)."""
    out: list[tuple[str, str, str, int]] = []
    for section in _RULE_SECTIONS:
        named = value.get(section)
        if not isinstance(named, dict):
            continue
        for name, item in named.items():
            rules = item.get("rules") if isinstance(item, dict) else None
            if isinstance(rules, list):
                out.extend(
                    (section, name, "rules", i)
                    for i, rule in enumerate(rules)
                    if isinstance(rule, dict) and "use" not in rule
                )
    return out


_DEPTH = 5
"""The length of the path of a key a rule writes: (section, name, "rules", i, key)."""


def _moved(store: Mapping[Path_, Any], moves: dict[Path_, Path_]) -> dict[Path_, Any]:
    """``store`` (marks or keys) with every path under a moved key moved with it."""
    out: dict[Path_, Any] = {}
    for p, v in store.items():
        to = moves.get(p[:_DEPTH])
        out[(*to, *p[_DEPTH:]) if to is not None else p] = v
    return out


def _lifted(doc: LocatedDocument, problems: list[Diagnostic]) -> LocatedDocument:
    if not isinstance(doc.value, dict):
        return doc
    value: dict[str, Any] = doc.value
    moves: dict[Path_, Path_] = {}
    firsts: list[tuple[Path_, Path_]] = []  # (the answer's path, its first key's) per rule
    for at in _rules(value):
        section, name, _, i = at
        rule = value[section][name]["rules"][i]
        inline = [k for k in rule if k in ANSWER_KEYS]
        if not inline:
            continue
        if ANSWER in rule:
            problems.append(
                Diagnostic(
                    "schema",
                    f"rule writes both `{ANSWER}` and `{inline[0]}`: give the answer's keys "
                    f"({', '.join(ANSWER_KEYS)}) under `{ANSWER}` or in the rule, not both",
                    doc.key_location((*at, inline[0])),
                    None,
                    (*at, inline[0]),
                )
            )
            continue
        if not moves:  # copy the containers on the way to the rules before changing them
            value = {**value, **{s: _copied(value[s]) for s in _RULE_SECTIONS if s in value}}
        nested = {k: v for k, v in rule.items() if k not in ANSWER_KEYS}
        nested[ANSWER] = {k: rule[k] for k in inline}
        value[section][name]["rules"][i] = nested
        moves.update({(*at, k): (*at, ANSWER, k) for k in inline})
        firsts.append(((*at, ANSWER), (*at, ANSWER, inline[0])))
    if not moves:
        return doc
    marks: dict[Path_, Mark] = _moved(doc.marks, moves)
    keys: dict[Path_, Location] = _moved(doc.keys, moves)
    for answer, first in firsts:  # `answer` stands where its first key is written
        keys[answer] = keys.get(first) or doc.location(first[:-2])
        if first in marks:
            marks[answer] = marks[first]
    return LocatedDocument(doc.file, value, marks, keys, doc.digest)


def _copied(named: Any) -> Any:
    if not isinstance(named, dict):
        return named
    return {
        name: (
            {**item, "rules": list(item["rules"])}
            if isinstance(item, dict) and isinstance(item.get("rules"), list)
            else item
        )
        for name, item in named.items()
    }


def nest_inline_answers(docs: list[LocatedDocument]) -> list[LocatedDocument]:
    """The documents with every rule's inline answer keys moved under ``answer``."""
    return each_document(docs, _lifted)
