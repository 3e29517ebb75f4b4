"""The YAML schema of a policy file, as strict pydantic models.

These models describe what an analyst writes, section by section. Cross-references (a rule
citing an article, a condition naming a fact) are checked afterwards, in ``policy.model``, where
every file of the policy is known.
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


DateText = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"),
    Field(description='a date, "YYYY-MM-DD" (quoted or not)'),
]
RoughDateText = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"),
    Field(
        description='a date "YYYY-MM-DD", or "YYYY-MM" / "YYYY" where the day is not known (it '
        "then counts from the first day of that month or year, and is shown as written)"
    ),
]


class Period(_Strict):
    """When something is in force: from a date (inclusive) until a date (exclusive); either open."""

    from_: DateText | None = Field(default=None, alias="from")
    until: DateText | None = None


Note = Annotated[
    Text | Annotated[str, StringConstraints(min_length=1)],
    Field(
        description="how the policy reads the text here: {zh, en}, or one plain string for a "
        "policy written in one language only"
    ),
]


class DatedValue(_Strict):
    """A parameter's value from a date on (until the next dated value)."""

    from_: DateText = Field(alias="from")
    value: int | bool | str
    note: Note | None = None


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
    first_article: int | None = Field(
        default=None,
        ge=1,
        description="the number of its first article: an article that names no `chapter` is in "
        "the chapter whose first_article is the greatest at or below its number",
    )


class Article(_Strict):
    number: int = Field(ge=1)
    chapter: int | None = Field(
        default=None, ge=1, description="the chapter it belongs to (a text without chapters: none)"
    )
    zh: str
    en: str
    items: list[Item] = Field(default_factory=list, description="its enumerated items")
    paragraphs: list[Item] = Field(
        default_factory=list, description="its paragraphs, where a citation names one"
    )
    not_encoded: list[NotEncoded] = Field(default_factory=list)
    in_force: Period | None = None
    provenance: Note | None = Field(
        default=None,
        description="where the wording comes from (the gazette, a consolidated version, a "
        "translation), {zh, en} or one string",
    )


class Document(_Strict):
    title: Text
    preamble: Text
    citation: Literal["opinion", "statute"] = Field(
        default="opinion",
        description="how citations read: `opinion`, an opinion's numbered articles and their "
        "items; or `statute`, article, paragraph and item with Chinese numerals, as laws are "
        "cited (docs/policy-format.md)",
    )


class Citation(_Strict):
    article: int = Field(ge=1)
    paragraph: int | None = Field(default=None, ge=1, description="one of the article's paragraphs")
    item: int | None = Field(default=None, ge=1)


class Parameter(_Strict):
    type: Literal["int", "bool", "code_prefix", "level"] = Field(
        description="int, bool, code_prefix (a prefix of place codes), or level: a level of the "
        "place hierarchy that an answer's body names as `level: param.NAME` (resolved on load)"
    )
    value: int | bool | str | list[int | bool | str] = Field(
        description="a value of the type; a code_prefix may be a list of prefixes (a place is in "
        "it when its code starts with any of them)"
    )
    doc: str = Field(min_length=1)
    bound: Literal["inclusive", "exclusive"] | None = None
    delegated: bool = False
    cite: Citation | None = None
    note: Note | None = None
    values: list[DatedValue] = Field(
        default_factory=list,
        description="later values, each from its date (OpenFisca-style); `value` holds before the "
        "first of them",
    )

    @model_validator(mode="after")
    def _typed(self) -> Parameter:
        for later in self.values:
            self._check(later.value)
        self._check(self.value)
        if self.values and self.type == "level":
            raise ValueError(
                "a level parameter has one value: it is resolved when the policy loads"
            )
        if self.bound is not None and self.type != "int":
            raise ValueError("only an int parameter has a bound")
        return self

    def _check(self, value: int | bool | str | list[int | bool | str]) -> None:
        kind = self.type
        if isinstance(value, list):
            if kind != "code_prefix":
                raise ValueError(
                    f"only a code_prefix may be a list (of prefixes); a {kind} parameter has "
                    f"one value, got {value!r}"
                )
            for one in value:
                self._check(one)
            return
        if kind == "int" and (isinstance(value, bool) or not isinstance(value, int)):
            raise ValueError(f"value must be a whole number for type int, got {value!r}")
        if kind == "bool" and not isinstance(value, bool):
            raise ValueError(f"value must be true or false for type bool, got {value!r}")
        if kind == "code_prefix" and not (
            isinstance(value, str) and (value == "" or (value.isascii() and value.isalnum()))
        ):
            raise ValueError(
                'a code_prefix is a quoted string of letters and digits, such as "12" (or "" '
                f"for the root of a national policy), got {value!r}"
            )
        if kind == "level" and not (isinstance(value, str) and value.isidentifier()):
            raise ValueError(f"a level parameter's value is the name of a level, got {value!r}")
        if kind == "level" and self.delegated:
            raise ValueError(
                "a level parameter cannot be delegated: it is resolved when the policy loads, "
                "before any overlay"
            )


class Vocabulary(_Strict):
    levels: dict[Name, Text | dict[Name, Text]] = Field(
        description="the name of each level of the place hierarchy, in one form or per form"
    )
    places: dict[Name, Text]
    roles: dict[Name, Text]
    outcomes: dict[Name, Text]


class BodyLevelSpec(_Strict):
    """A body's level by its place: an expression over ``body.place`` giving one of ``values``."""

    expr: str = Field(
        min_length=1,
        description='an expression over `body.place`, e.g. `if within(body.place, "11") then '
        '"province" else "prefecture"`',
    )
    values: dict[Name, Text] = Field(min_length=1, description="each level it may give, named")


class Body(_Strict):
    name: Text | dict[Name, Text]
    doc: str | None = None
    level: BodyLevelSpec | None = Field(
        default=None,
        description="the body's own level where it depends on the place it is at (a city "
        "government: province-level in a municipality, prefecture-level elsewhere)",
    )
    actor: bool = Field(
        default=False,
        description="an actor that is not a government body (a guardian, an employer): answers "
        "list it apart from the responsible bodies",
    )


Condition = Annotated[
    str | bool,
    Field(description="condition text; a bare YAML true/false is read as that condition"),
]


class OutsideCase(_Strict):
    """One way of falling outside a scope, with the reason it gives (``{subject.x}`` and
    ``{param.x}`` in the text are filled in with the fact set's values)."""

    id: Name
    when: Condition = True
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Definition(_Strict):
    subject: Name
    when: Condition
    doc: str = Field(min_length=1)
    cite: Citation | None = None
    outside: Text | list[OutsideCase] | None = Field(
        default=None,
        description="why a question scoped by this definition does not apply: one reason, or "
        "cases tried in order, each naming the criterion that failed",
    )
    criteria: Literal["first", "all"] = Field(
        default="first",
        description="with `outside` as cases: `first` names the first case that holds (the "
        "default), `all` lists every case that holds — every failed criterion, with its values",
    )


class AnswerBody(_Strict):
    body: Name
    place: Name
    level: str = Field(
        pattern=r"^(param\.)?[a-z][a-z0-9_]*$",
        description="a level of the place hierarchy, or `param.NAME`: a level parameter, where "
        "the text names a place but no level (the level is then this policy's reading)",
    )
    role: Name
    cite: Citation | None = None
    via: Citation | None = Field(
        default=None,
        description="the article through which `cite` applies here (a chain: via → cite)",
    )


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
    note: Note | None = None
    value: Name | None = Field(
        default=None, description="what this rule's answer is, as other questions read it"
    )
    in_force: Period | None = None


class Question(_Strict):
    subject: Name
    title: Text
    scope: Name | None = None
    always_answers: bool = True
    values: list[Name] | dict[Name, Text] | None = Field(
        default=None,
        description="the values this question's answer may take (each rule's `value`), which "
        "other questions read as `question.<name>`: a list of names, or each name with its "
        "words {zh, en}, which a decision then renders",
    )
    rules: list[Rule] = Field(min_length=1)
    in_force: Period | None = None


class Meta(_Strict):
    name: Name
    version: str
    title: Text
    in_force: Period | None = Field(
        default=None, description="when the policy as a whole is in force (either end open)"
    )
    provenance: Text | None = Field(
        default=None,
        description="where the text comes from and what is not known of it (issuer, number, "
        "date): said in every decision",
    )


# --- amendments: later instruments and what each does from its date ----------------------------


class ItemRef(_Strict):
    article: int = Field(ge=1)
    item: int | None = Field(default=None, ge=1)


class Ends(_Strict):
    """What an instrument ends: a question, a rule, or every rule citing an article (item)."""

    question: Name | None = None
    rule: RuleId | None = None
    item: ItemRef | None = None

    @model_validator(mode="after")
    def _one(self) -> Ends:
        given = [k for k in ("question", "rule", "item") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("`ends` names exactly one of `question`, `rule` or `item`")
        return self


class Effect(_Strict):
    """One thing an amendment does from the date it is in force."""

    ends: Ends | None = None
    replaced_by: Text | None = Field(
        default=None,
        description="with `ends`: what replaces the ended duty (for example registration "
        "instead of approval), said in the decision",
    )
    sets: Name | None = Field(default=None, description="a parameter the amendment gives a value")
    value: int | bool | str | None = None
    renames: Name | None = Field(default=None, description="a body the amendment renames")
    name: Text | dict[Name, Text] | None = Field(
        default=None, description="with `renames`: the body's new name (by form, or one name)"
    )
    caution: Text | None = Field(
        default=None,
        description="a note where the amendment's effect on the text is not certain",
    )
    questions: list[Name] | None = Field(
        default=None, description="with `caution`: the questions it is said in (default: all)"
    )

    @model_validator(mode="after")
    def _one_kind(self) -> Effect:
        kinds = [k for k in ("ends", "sets", "renames", "caution") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError(
                "an effect is exactly one of `ends`, `sets`, `renames` or `caution`"
                + (f", got {', '.join(kinds)}" if kinds else "")
            )
        pairs = {"replaced_by": "ends", "value": "sets", "name": "renames", "questions": "caution"}
        for extra, owner in pairs.items():
            if getattr(self, extra) is not None and getattr(self, owner) is None:
                raise ValueError(f"`{extra}` goes with `{owner}`")
        if self.sets is not None and self.value is None:
            raise ValueError("`sets` needs a `value`")
        if self.renames is not None and self.name is None:
            raise ValueError("`renames` needs a `name`")
        return self


class Amendment(_Strict):
    """A later instrument that changes what the policy answers, from the date it is in force."""

    id: Name
    title: Text
    issuer: Text | None = None
    adopted: RoughDateText | None = None
    in_force: RoughDateText
    certainty: Literal["certain", "fairly_sure", "uncertain"]
    source: str = Field(min_length=1, description="where the instrument is published")
    summary: Text = Field(description="what it does to the policy, in our words")
    quoted: bool = Field(
        default=False,
        description="true only where `summary` quotes text the project ships verbatim; "
        "otherwise it is a summary and is said to be one",
    )
    effects: list[Effect] = Field(min_length=1)


# --- the vocabulary: the facts a policy reads --------------------------------------------------


class PlaceRange(_Strict):
    """The codes of one class at a level, by their own part (compared as text)."""

    first: str = Field(min_length=1)
    last: str = Field(min_length=1)
    kind: Name
    form: Name
    doc: str | None = None


class PlaceLevel(_Strict):
    name: Name
    length: int = Field(ge=1, le=64, description="the whole code's length at this level")
    pattern: str = Field(min_length=1, description="a regular expression for the whole code")
    ranges: list[PlaceRange] = Field(default_factory=list)
    doc: str | None = None


class PlaceRoot(_Strict):
    level: Name
    parameter: Name
    doc: str | None = None


class Places(_Strict):
    """The place hierarchy: the jurisdiction (root), then levels from coarse to fine."""

    root: PlaceRoot
    forms: list[Name] = Field(min_length=1)
    levels: list[PlaceLevel] = Field(min_length=1)
    overlays: Name | list[Name] | None = Field(
        default=None,
        description="the level whose places may have an overlay, or several levels (a narrower "
        "place's overlay applies over a wider one's)",
    )


class FieldSpec(_Strict):
    type: Name = Field(
        description="bool, int, date, text, place, places, list (of records: with `of`), or the "
        "name of an enum or a subject"
    )
    of: Name | None = Field(
        default=None, description="for type list: the subject each record of the list is"
    )
    doc: str = Field(min_length=1)
    optional: bool = False
    default: int | bool | str | None = None
    default_from: str | None = Field(
        default=None, description="an expression giving the value when the field is absent"
    )
    min: int | None = None
    max: int | None = Field(
        default=None, description="an int's greatest value; a list's greatest number of records"
    )
    levels: list[Name] | None = Field(default=None, description="the levels a place may be")


class Constraint(_Strict):
    require: Condition
    field: str | None = Field(default=None, description="the field a violation is reported at")
    message: str = Field(min_length=1)


class FeatureSpec(_Strict):
    expr: str = Field(min_length=1)
    doc: str = Field(min_length=1)
    values: list[str] | None = Field(default=None, description="an enum feature's values, in order")
    min: int | None = None
    max: int | None = None
    kept: str | None = Field(
        default=None,
        min_length=1,
        description="why the feature is kept though nothing reads it yet (vocabulary for a "
        "later question): `check` then does not warn it as unused",
    )


class PlaceSpec(_Strict):
    expr: str = Field(min_length=1)
    doc: str = Field(min_length=1)


class Subject(_Strict):
    doc: str = Field(min_length=1)
    location: Name | None = Field(
        default=None, description="the place reference whose overlay applies to a fact set"
    )
    fields: dict[Name, FieldSpec] = Field(min_length=1)
    constraints: list[Constraint] = Field(default_factory=list)
    features: dict[Name, FeatureSpec] = Field(default_factory=dict)
    places: dict[Name, PlaceSpec] = Field(default_factory=dict)
    dated_by: Name | None = Field(
        default=None,
        description="the date field that dates a case: a decision is made as of it when no date "
        "is given",
    )


class Table(_Strict):
    """A lookup table held by the policy: a typed value for each key (city -> population)."""

    doc: str = Field(min_length=1)
    key: Name = Field(description="the keys' type: int, text, place or an enum's name")
    value: Name = Field(description="the values' type: int, bool, text or an enum's name")
    rows: dict[str | int, int | bool | str] = Field(min_length=1, description="key: value")
    default: int | bool | str | None = Field(
        default=None, description="the value for a key without a row (else null)"
    )
    cite: Citation | None = None


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
    places: Places | None = None
    enums: dict[Name, dict[Name, Text]] = Field(default_factory=dict)
    subjects: dict[Name, Subject] = Field(default_factory=dict)
    tables: dict[Name, Table] = Field(default_factory=dict)
    place_names: dict[str, Text | Annotated[str, StringConstraints(min_length=1)]] = Field(
        default_factory=dict,
        description="the names of place codes, shown beside them: code: {zh, en} (or one name)",
    )
    place_name_tables: dict[Name, str] = Field(
        default_factory=dict,
        description="names of place codes in compact form: each a CSV text whose header is "
        "`code,name` or `code,zh,en`, one code a line (a large table loads fast this way)",
    )
    amendments: list[Amendment] = Field(default_factory=list)


# --- district overlays ---------------------------------------------------------------------------

OVERLAY_SECTIONS = ("overlay", "parameters")
"""The only sections an overlay file may have."""


class OverlayMeta(_Strict):
    place: str | None = Field(
        default=None,
        min_length=1,
        description="the code of the place the overlay is for, of a level the place hierarchy "
        "names in `overlays`",
    )
    district: str | None = Field(
        default=None,
        min_length=1,
        description="the same as `place`, as the first policy (whose overlays are by district) "
        "writes it",
    )
    within: str | None = Field(
        default=None,
        min_length=1,
        description="optional: the place of the overlay this one applies over (the nearest "
        "enclosing place with an overlay), checked",
    )
    title: Text

    @model_validator(mode="after")
    def _one_place(self) -> OverlayMeta:
        if (self.place is None) == (self.district is None):
            raise ValueError(
                "an overlay names its place once: `place: CODE` (or, as before, `district: CODE`)"
            )
        return self

    @property
    def code(self) -> str:
        """The code of the place the overlay is for."""
        found = self.place if self.place is not None else self.district
        assert found is not None
        return found


class OverlayValue(_Strict):
    """A district's own value for a delegated parameter, and where it comes from."""

    value: int | bool | str
    note: Note = Field(description="why, or which district document sets it")


class OverlayFile(_Strict):
    """``overlays/<district>.yaml``: a district's values for the parameters the city delegates."""

    overlay: OverlayMeta
    parameters: dict[Name, OverlayValue] = Field(min_length=1)


# --- templates: rules written once, used by many questions (``policy.templates``) ----------------


class TemplateArgument(_Strict):
    """One named argument of a template; without ``default`` every use must give it."""

    doc: str = Field(min_length=1)
    default: object = Field(
        default=None, description="the value when a use does not give one (any YAML value)"
    )


ArgumentSpec = TemplateArgument | Annotated[str, StringConstraints(min_length=1)]
"""An argument's declaration: its doc, or {doc, default}."""


class Template(_Strict):
    """A rule, or a group of rules with their overrides, written once: ``${name}`` in any value
    is replaced by the argument of that name (``${question}``: the question it is used in)."""

    doc: str = Field(min_length=1)
    arguments: dict[Name, ArgumentSpec] | list[Name | dict[Name, ArgumentSpec]] = Field(
        default_factory=dict,
        description="each argument: its doc (a text), or {doc, default}; or a list whose items "
        "are names declared once in a `template_arguments` section, or {name: declaration}",
    )
    rules: list[dict[str, object]] = Field(
        min_length=1,
        description="rules as a question writes them, with ${argument} placeholders, or uses "
        "of other templates",
    )


class Use(_Strict):
    """An instance of a template among a question's rules: its rules, with these arguments."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True, populate_by_name=True)

    use: Name = Field(description="the template's name")
    with_: dict[Name, object] = Field(
        default_factory=dict, alias="with", description="the template's arguments, by name"
    )


class QuestionDefaults(_Strict):
    """What every question of a file says unless it says otherwise (``question_defaults``)."""

    subject: Name | None = None
    scope: Name | None = None
    always_answers: bool | None = None
    in_force: Period | None = None


class WrittenRule(Rule):
    """A rule as written: the keys of its answer may stand in the rule itself, in place of
    ``answer`` (the JSON Schema's view; the loader nests them, ``inline_answers``)."""

    cite: Citation | list[Citation] | None = Field(  # type: ignore[assignment]
        default=None, description="what the rule rests on; in a question, its `cite` if not given"
    )
    answer: Answer | None = None  # type: ignore[assignment]
    bodies: list[AnswerBody] | None = Field(default=None, description="the answer's bodies")
    detail: list[Text] | None = Field(default=None, description="the answer's detail")
    not_applicable: Text | None = Field(default=None, description="the answer: not applicable")
    undetermined: Text | None = Field(default=None, description="the answer: undetermined")


class DefinitionDefaults(_Strict):
    """What every definition of a file says unless it says otherwise (``definition_defaults``)."""

    subject: Name | None = None
    cite: Citation | None = None


class WrittenSubject(Subject):
    """A subject as written: it may take features from another (``features_from``)."""

    features_from: dict[Name, list[Name]] | None = Field(
        default=None,
        description="features another subject declares, taken as written there with its paths "
        "read from this subject: {OTHER: [NAME, ...]}",
    )


class WrittenQuestion(Question):
    """A question as written: its rules may be uses of templates or give their answer's keys
    in themselves, its file's ``question_defaults`` may give its subject, and its ``cite`` the
    citation of its rules that give none (the JSON Schema's view)."""

    subject: Name | None = None  # type: ignore[assignment]
    rules: list[WrittenRule | Use] = Field(min_length=1)  # type: ignore[assignment]
    cite: Citation | list[Citation] | None = Field(
        default=None,
        description="the citation of each of its rules written here that gives none "
        "(`question_cites`)",
    )
    with_: dict[Name, object] | None = Field(
        default=None,
        alias="with",
        description="the arguments each use of a template among its rules takes unless it "
        "gives its own",
    )


class SameAs(_Strict):
    """An ``outside`` case written once: the case of that id in another definition's list."""

    same_as: str = Field(
        pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$",
        description="DEFINITION.CASE: that definition's outside case of that id, copied",
    )


class WrittenDefinition(Definition):
    """A definition as written: a case of its ``outside`` may name another's (``same_as``), and
    its file's ``definition_defaults`` may give its subject."""

    subject: Name | None = None  # type: ignore[assignment]

    outside: Text | list[OutsideCase | SameAs] | None = Field(  # type: ignore[assignment]
        default=None,
        description="why a question scoped by this definition does not apply: one reason, or "
        "cases tried in order, each naming the criterion that failed (or `same_as` another "
        "definition's case)",
    )


_IMPLIED = "implied by its place in the list: the number after the entry before it (first: 1)"


class WrittenItem(Item):
    """An item or paragraph as written: its number may be implied (``numbering``)."""

    number: int | None = Field(default=None, ge=1, description=_IMPLIED)  # type: ignore[assignment]


class WrittenChapter(Chapter):
    """A chapter as written: its number may be implied (``numbering``)."""

    number: int | None = Field(default=None, ge=1, description=_IMPLIED)  # type: ignore[assignment]


class WrittenArticle(Article):
    """An article as written: its number, and its items' and paragraphs', may be implied."""

    number: int | None = Field(default=None, ge=1, description=_IMPLIED)  # type: ignore[assignment]
    items: list[WrittenItem] = Field(  # type: ignore[assignment]
        default_factory=list, description="its enumerated items"
    )
    paragraphs: list[WrittenItem] = Field(  # type: ignore[assignment]
        default_factory=list, description="its paragraphs, where a citation names one"
    )


class WrittenPolicyFile(PolicyFile):
    """A policy file as an analyst writes it, templates and their uses included: the JSON
    Schema's view. The loader expands every use before validating a file as a ``PolicyFile``."""

    templates: dict[Name, Template] = Field(default_factory=dict)
    template_arguments: dict[Name, ArgumentSpec] = Field(
        default_factory=dict,
        description="arguments several templates share, declared once: a template lists them "
        "by name (`arguments: [duty, role]`)",
    )
    question_defaults: QuestionDefaults | None = Field(
        default=None,
        description="what every question of this file says unless it says otherwise: its "
        "subject, scope, always_answers, in_force (a key the question gives wins)",
    )
    definition_defaults: DefinitionDefaults | None = Field(
        default=None,
        description="what every definition of this file says unless it says otherwise: its "
        "subject, cite (a key the definition gives wins)",
    )
    subjects: dict[Name, WrittenSubject] = Field(default_factory=dict)  # type: ignore[assignment]
    questions: dict[Name, WrittenQuestion] = Field(default_factory=dict)  # type: ignore[assignment]
    definitions: dict[Name, WrittenDefinition] = Field(default_factory=dict)  # type: ignore[assignment]
    chapters: list[WrittenChapter] = Field(default_factory=list)  # type: ignore[assignment]
    articles: list[WrittenArticle] = Field(default_factory=list)  # type: ignore[assignment]
