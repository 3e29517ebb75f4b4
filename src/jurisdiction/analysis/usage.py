"""What a policy uses of itself: the definitions, parameters and features its rules read, and
the articles it cites — one notion of "cited" that ``check`` (uncited articles) and
``jurisdiction test --coverage`` (what cases exercised) share.

An article, paragraph or item is *cited* when a rule cites it, or a definition or parameter the
rules use does; a rule *carries* the citations of what it reads, so that a case in which the rule
fired exercises them too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING

from ..core.text import Cite
from ..language.conditions import DefRef, Expr, FactRef, ParamRef, walk
from ..policy.model import Policy, Question, Rule

if TYPE_CHECKING:
    from ..language.subjects import Feature

__all__ = [
    "carried",
    "cited",
    "question_definitions",
    "used_definitions",
    "used_features",
    "used_parameters",
]

_PARAM = re.compile(r"\bparam\.([a-z][a-z0-9_]*)")
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"


def _definitions_reached(policy: Policy, start: Iterable[str]) -> set[str]:
    todo = list(start)
    used: set[str] = set()
    while todo:
        name = todo.pop()
        if name in used or name not in policy.definitions:
            continue
        used.add(name)
        todo += [n.name for n in walk(policy.definitions[name].condition) if isinstance(n, DefRef)]
    return used


def _rule_definitions(policy: Policy, question: Question, rule: Rule) -> set[str]:
    start = [n.name for n in walk(rule.condition) if isinstance(n, DefRef)]
    return _definitions_reached(policy, start + ([question.scope] if question.scope else []))


def _features(policy: Policy, subject: str) -> Mapping[str, Feature]:
    return policy.subjects[subject].features if subject in policy.subjects else {}


def _rule_parameters(policy: Policy, question: Question, rule: Rule) -> set[str]:
    used: set[str] = set()
    features = _features(policy, question.subject)
    for n in walk(rule.expanded):  # one walk: a feature a rule reads may read a parameter itself
        if isinstance(n, ParamRef):
            used.add(n.name)
        elif isinstance(n, FactRef) and n.feature in features:
            used.update(_PARAM.findall(features[n.feature].expr))
    used.update(b.level_param for b in rule.answer.bodies if b.level_param is not None)
    return used


def _rules(policy: Policy) -> Iterator[tuple[Question, Rule]]:
    return ((q, r) for q in policy.questions.values() for r in q.rules)


def question_definitions(policy: Policy, question: Question) -> list[str]:
    """The definitions the question's scope or rules reach, directly or not, in the policy's
    order."""
    reached = set().union(*(_rule_definitions(policy, question, r) for r in question.rules))
    if question.scope:
        reached |= _definitions_reached(policy, [question.scope])
    return [name for name in policy.definitions if name in reached]


def used_definitions(policy: Policy) -> set[str]:
    """The definitions a rule's condition or a question's scope reaches, directly or not."""
    start = [q.scope for q in policy.questions.values() if q.scope]
    start += [
        n.name for _q, r in _rules(policy) for n in walk(r.condition) if isinstance(n, DefRef)
    ]
    return _definitions_reached(policy, start)


def used_parameters(policy: Policy) -> set[str]:
    """The parameters some rule reads (in its condition as expanded, through a feature, or as
    the level of an answer), those a body's level expression reads (``bodies.<kind>.level``:
    every decision naming the body reads it), and the city parameter, always in use."""
    used = {p for q, r in _rules(policy) for p in _rule_parameters(policy, q, r)}
    levels = [s.level.expr for s in policy.bodies.values() if s.level is not None]
    used |= {name for text in levels for name in _PARAM.findall(text)}
    return used | {policy.hierarchy.root_parameter}


def used_features(policy: Policy, subject: str) -> set[str]:
    """The features of ``subject`` that a rule, definition or constraint of the policy reads,
    or that a feature in use reads in turn."""
    features = _features(policy, subject)
    exprs: list[Expr] = [r.expanded for q, r in _rules(policy) if q.subject == subject]
    for d in policy.definitions.values():
        if d.subject == subject:
            exprs += [d.expanded, *(o.expanded for o in d.outside_cases)]
    todo = [
        n.feature for e in exprs for n in walk(e) if isinstance(n, FactRef) and n.subject == subject
    ]
    if subject in policy.subjects:  # a constraint on the facts reads features too
        names = rf"\b{re.escape(subject)}\.({_NAME})"
        todo += [n for k in policy.subjects[subject].constraints for n in re.findall(names, k.text)]
    used: set[str] = set()
    while todo:
        name = todo.pop()
        if name in used or name not in features:
            continue
        used.add(name)
        todo += re.findall(rf"\b{re.escape(subject)}\.({_NAME})", features[name].expr)
    return used


def carried(policy: Policy, question: Question, rule: Rule) -> set[Cite]:
    """The citations a rule carries: its own, and those of the definitions (its question's scope
    among them) and parameters it reads."""
    cites = set(rule.cites)
    for name in _rule_definitions(policy, question, rule):
        cite = policy.definitions[name].cite
        if cite is not None:
            cites.add(cite)
    params = _rule_parameters(policy, question, rule) | {policy.hierarchy.root_parameter}
    for name in params:
        param = policy.parameters.get(name)
        if param is not None and param.cite is not None:
            cites.add(param.cite)
    return cites


def cited(policy: Policy) -> set[Cite]:
    """Every citation of the policy that counts as encoding its text: what some rule cites, or
    a definition or parameter in use does (see :func:`carried`)."""
    cites = {cite for q, r in _rules(policy) for cite in carried(policy, q, r)}
    for name in used_definitions(policy):  # a scope of a question that has no rule yet
        cite = policy.definitions[name].cite
        if cite is not None:
            cites.add(cite)
    for name in used_parameters(policy):
        param = policy.parameters.get(name)
        if param is not None and param.cite is not None:
            cites.add(param.cite)
    return cites
