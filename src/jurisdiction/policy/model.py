"""A loaded policy: frozen values with source locations, read by the engine and the checker.

Every rule holds its condition twice: as written (``condition``, for explanations and lints) and
``expanded`` — definitions and the question's scope inlined — the one tree every evaluator reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from ..core.errors import Location
from ..core.text import Cite, CiteStyle, Text
from ..language.conditions import Expr

if TYPE_CHECKING:
    from ..language.places import Hierarchy
    from ..language.subjects import Feature, Subject
    from .body_levels import BodyLevel
    from .dating import Dating, Epoch
    from .strict_yaml import ScalarText
    from .vocabulary import Vocabulary as Facts

__all__ = [
    "AnswerSpec",
    "ArticleText",
    "BodySpec",
    "BodyTemplate",
    "Definition",
    "OutsideCase",
    "Overlay",
    "Parameter",
    "Policy",
    "Question",
    "Rule",
    "Vocabulary",
]

Outcome = Literal["responsible", "not_applicable", "undetermined", "no_rule", "not_in_force"]
ParamValue = int | bool | str | tuple[str, ...]
"""A parameter's value; a code_prefix of several prefixes is a tuple of them."""


@dataclass(frozen=True, slots=True)
class ArticleText:
    number: int
    chapter: int | None
    text: Text
    items: Mapping[int, Text]
    not_encoded: tuple[tuple[str, str], ...]
    location: Location
    paragraphs: Mapping[int, Text] = field(default_factory=dict)
    """The paragraphs a citation may name."""
    provenance: Text | None = None
    """Where the wording comes from."""

    def quote(self, item: int | None, paragraph: int | None = None) -> Text:
        if item is not None:
            return self.items[item]
        return self.text if paragraph is None else self.paragraphs[paragraph]


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    type: Literal["int", "bool", "code_prefix", "level"]
    value: ParamValue
    doc: str
    bound: Literal["inclusive", "exclusive"] | None
    delegated: bool
    cite: Cite | None
    note: Text | None
    location: Location
    source: str  # the file that set the value (an overlay, or the policy's own file)
    type_location: Location | None = None


@dataclass(frozen=True, slots=True)
class BodySpec:
    kind: str
    names: tuple[Text, ...]  # by form, in the order of the hierarchy's forms
    actor: bool = False
    """An actor that is not a government body (``actor: true``)."""
    level: BodyLevel | None = None
    """The body's own level by the place it is at (``bodies.<kind>.level``), if declared."""

    def name(self, form_index: int) -> Text:
        return self.names[form_index]


@dataclass(frozen=True, slots=True)
class BodyTemplate:
    """One body of an answer, before its place is resolved from the facts."""

    kind: str
    place: str
    level: str
    role: str
    cite: Cite
    via: Cite | None = None
    """The article through which ``cite`` applies (a citation chain: via → cite)."""
    level_param: str | None = None
    """The level parameter ``level`` was read from, where the text states no level."""


@dataclass(frozen=True, slots=True)
class AnswerSpec:
    outcome: Outcome
    bodies: tuple[BodyTemplate, ...] = ()
    detail: tuple[Text, ...] = ()
    reason: Text | None = None
    value: str | None = None
    criteria: tuple[OutsideCase, ...] = ()
    """Of a scope whose definition says ``criteria: all``: every case of its ``outside``, each
    tested on the facts, so that the decision lists every failed criterion."""


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    question: str
    cites: tuple[Cite, ...]
    condition: Expr
    expanded: Expr
    answer: AnswerSpec
    overrides: tuple[str, ...]
    location: Location
    note: Text | None = None
    from_scope: bool = False
    when_text: ScalarText | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class OutsideCase:
    """One way of falling outside a scope: tried in order, the first that holds gives its
    reason (a template: ``{subject.x}``, ``{param.x}`` are filled in from the facts)."""

    id: str
    condition: Expr
    expanded: Expr
    reason: Text
    location: Location


@dataclass(frozen=True, slots=True)
class Definition:
    name: str
    subject: str
    condition: Expr
    expanded: Expr
    doc: str
    cite: Cite | None
    outside: Text | None
    location: Location
    when_text: ScalarText | None = field(default=None, compare=False, repr=False)
    outside_cases: tuple[OutsideCase, ...] = ()
    criteria: str = "first"
    """``all``: a decision outside the scope lists every case of ``outside`` that holds."""


@dataclass(frozen=True, slots=True)
class Question:
    name: str
    subject: str
    title: Text
    scope: str | None
    always_answers: bool
    rules: tuple[Rule, ...]
    location: Location
    features: Mapping[str, Feature] = field(default_factory=dict, compare=False, repr=False)
    """The features of the question's subject: what its conditions read."""
    values: tuple[str, ...] = ()
    """The values its answer may take (each rule's ``value``), read as ``question.<name>``."""
    value_names: Mapping[str, Text] = field(default_factory=dict)
    """The words of each value, where the policy gives them: a decision renders its value."""

    @property
    def cites(self) -> tuple[Cite, ...]:
        return tuple(sorted({c for r in self.rules for c in r.cites}))


@dataclass(frozen=True, slots=True)
class Vocabulary:
    levels: Mapping[str, tuple[Text, ...]]  # level -> its name in each form
    places: Mapping[str, Text]
    roles: Mapping[str, Text]
    outcomes: Mapping[str, Text]


@dataclass(frozen=True, slots=True)
class Overlay:
    """A place's values for delegated parameters (``overlays/<code>.yaml``), with the overlays
    of the places containing it applied first (``chain``)."""

    district: str  # the code of the place (of any overlay level; the name is the first policy's)
    title: Text
    file: str  # relative to the policy root: "overlays/<code>.yaml"
    parameters: Mapping[str, Parameter]
    """The values in force in the place, the full records: its own, and those of the overlays
    of the places containing it that it does not set itself."""
    location: Location
    chain: tuple[Overlay, ...] = ()
    """The overlay files that apply here, the widest first and this place's own last (each with
    its own values only); empty: this file alone."""
    within: str | None = None
    """The place the file says it applies over (``overlay.within``), if it says."""

    @property
    def members(self) -> tuple[Overlay, ...]:
        """The overlay files that apply here, the widest first."""
        return self.chain or (self,)

    def setters(self, names: Iterable[str]) -> tuple[Overlay, ...]:
        """The overlay files whose values of ``names`` are the ones in force here (a narrower
        file's value replaces a wider one's), the widest first."""
        wanted = set(names) & set(self.parameters)
        return tuple(
            m
            for m in self.members
            if any(m.parameters.get(n) is self.parameters[n] for n in wanted)
        )


@dataclass(frozen=True, slots=True)
class Policy:
    name: str
    version: str
    title: Text
    document_title: Text
    chapters: Mapping[int, Text]
    articles: Mapping[int, ArticleText]
    parameters: Mapping[str, Parameter]
    vocabulary: Vocabulary
    bodies: Mapping[str, BodySpec]
    definitions: Mapping[str, Definition]
    questions: Mapping[str, Question]
    fingerprint: str
    root: str
    files: tuple[str, ...] = field(default=())
    digests: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)
    """sha256 (hex) of each file's bytes as loaded, by name relative to the root (the manifest)."""
    overlays: Mapping[str, Overlay] = field(default_factory=dict)
    overlays_dir: str | None = None
    """The caller's folder of further overlays (``load(..., overlays=DIR)``), if any."""
    facts: Facts | None = field(default=None, compare=False, repr=False)
    provenance: Text | None = None
    """Where the text comes from and what is not known of it: said in every decision."""
    dating: Dating | None = field(default=None, compare=False, repr=False)
    """Everything dated in the policy (periods, dated values, amendments); None if nothing is.
    ``policy.dated.policy_on`` gives the policy as it stands on a day, which has none."""
    epoch: Epoch | None = field(default=None, compare=False, repr=False)
    """On the policy as it stands on a day: the period it holds for, and what its decisions
    carry besides (the instruments that ended questions, cautions)."""
    dated_by: Mapping[str, str] = field(default_factory=dict)
    """For each subject that names one, the date field that dates a case."""
    citation_style: CiteStyle = "opinion"
    """How the policy's citations read (``document.citation``)."""

    @property
    def subjects(self) -> Mapping[str, Subject]:
        """The kinds of fact set the policy declares, by name."""
        assert self.facts is not None
        return self.facts.subjects

    @property
    def hierarchy(self) -> Hierarchy:
        """The policy's place hierarchy."""
        assert self.facts is not None
        return self.facts.hierarchy

    def parameters_for(self, district: str | None) -> Mapping[str, Parameter]:
        """The parameters in force in a district: the city's, with its overlay applied."""
        overlay = self.overlays.get(district) if district is not None else None
        if overlay is None:
            return self.parameters
        return {**self.parameters, **overlay.parameters}

    def rule(self, rule_id: str) -> Rule:
        for question in self.questions.values():
            for rule in question.rules:
                if rule.id == rule_id:
                    return rule
        raise KeyError(rule_id)
