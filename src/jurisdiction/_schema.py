"""The YAML schema of a policy file, as strict pydantic models.

These models describe what an analyst writes, section by section. Cross-references (a rule
citing an article, a condition naming a fact) are checked afterwards, in ``_policy``, where every
file of the policy is known.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Name = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
RuleId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")]


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class Text(_Strict):
    """The same words in Chinese and in English."""

    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class FormText(_Strict):
    """Words that differ between the urban and the rural form of a place."""

    urban: Text
    rural: Text


class Item(_Strict):
    number: int = Field(ge=1)
    zh: str
    en: str


class NotEncoded(_Strict):
    zh: str
    reason: str


class Chapter(_Strict):
    number: int = Field(ge=1)
    zh: str
    en: str


class Article(_Strict):
    number: int = Field(ge=1)
    chapter: int = Field(ge=1)
    zh: str
    en: str
    items: list[Item] = Field(default_factory=list)
    not_encoded: list[NotEncoded] = Field(default_factory=list)


class Document(_Strict):
    title: Text
    preamble: Text


class Citation(_Strict):
    article: int = Field(ge=1)
    item: int | None = Field(default=None, ge=1)


class Parameter(_Strict):
    type: Literal["int", "bool", "code_prefix"]
    value: int | bool | str
    doc: str = Field(min_length=1)
    bound: Literal["inclusive", "exclusive"] | None = None
    delegated: bool = False
    cite: Citation | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _typed(self) -> Parameter:
        kind = self.type
        value = self.value
        if kind == "int" and (isinstance(value, bool) or not isinstance(value, int)):
            raise ValueError(f"value must be a whole number for type int, got {value!r}")
        if kind == "bool" and not isinstance(value, bool):
            raise ValueError(f"value must be true or false for type bool, got {value!r}")
        if kind == "code_prefix" and not (
            isinstance(value, str) and value.isdigit() and len(value) in (2, 4, 6)
        ):
            raise ValueError(
                f'a code_prefix is a quoted string of 2, 4 or 6 digits, such as "12", got {value!r}'
            )
        if self.bound is not None and kind != "int":
            raise ValueError("only an int parameter has a bound")
        return self


class Levels(_Strict):
    city: Text
    district: Text
    street: FormText
    community: FormText


class Vocabulary(_Strict):
    levels: Levels
    places: dict[Name, Text]
    roles: dict[Name, Text]
    outcomes: dict[Name, Text]


class Body(_Strict):
    name: Text | FormText
    doc: str | None = None


Condition = Annotated[
    str | bool,
    Field(description="condition text; a bare YAML true/false is read as that condition"),
]


class Definition(_Strict):
    subject: Name
    when: Condition
    doc: str = Field(min_length=1)
    cite: Citation | None = None
    outside: Text | None = Field(
        default=None, description="why a question scoped by this definition does not apply"
    )


class AnswerBody(_Strict):
    body: Name
    place: Name
    level: Literal["city", "district", "street", "community"]
    role: Name
    cite: Citation | None = None


class Answer(_Strict):
    bodies: list[AnswerBody] = Field(default_factory=list)
    detail: list[Text] = Field(default_factory=list)
    not_applicable: Text | None = None
    undetermined: Text | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Answer:
        kinds = [k for k in ("bodies", "not_applicable", "undetermined") if getattr(self, k)]
        if len(kinds) != 1:
            raise ValueError(
                "an answer has exactly one of `bodies`, `not_applicable` or `undetermined`"
                + (f", got {', '.join(kinds)}" if kinds else "")
            )
        if self.detail and not self.bodies:
            raise ValueError("`detail` goes with `bodies`")
        return self


class Rule(_Strict):
    id: RuleId
    cite: Citation | list[Citation]
    when: Condition = True
    answer: Answer
    overrides: list[RuleId] = Field(default_factory=list)
    note: str | None = None


class Question(_Strict):
    subject: Name
    title: Text
    scope: Name | None = None
    always_answers: bool = True
    rules: list[Rule] = Field(min_length=1)


class Meta(_Strict):
    name: Name
    version: str
    title: Text


class PolicyFile(_Strict):
    """One YAML file of a policy; every section is optional, each may appear in one file only."""

    policy: Meta | None = None
    document: Document | None = None
    chapters: list[Chapter] = Field(default_factory=list)
    articles: list[Article] = Field(default_factory=list)
    parameters: dict[Name, Parameter] = Field(default_factory=dict)
    vocabulary: Vocabulary | None = None
    bodies: dict[Name, Body] = Field(default_factory=dict)
    definitions: dict[Name, Definition] = Field(default_factory=dict)
    questions: dict[Name, Question] = Field(default_factory=dict)


# --- district overlays ---------------------------------------------------------------------------

OVERLAY_SECTIONS = ("overlay", "parameters")
"""The only sections an overlay file may have."""


class OverlayMeta(_Strict):
    district: str = Field(pattern=r"^[0-9]{6}$", description="the district's 6-digit code")
    title: Text


class OverlayValue(_Strict):
    """A district's own value for a delegated parameter, and where it comes from."""

    value: int | bool | str
    note: str = Field(min_length=1, description="why, or which district document sets it")


class OverlayFile(_Strict):
    """``overlays/<district>.yaml``: a district's values for the parameters the city delegates."""

    overlay: OverlayMeta
    parameters: dict[Name, OverlayValue] = Field(min_length=1)
