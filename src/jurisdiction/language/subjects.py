"""What a policy may read of each kind of fact set: typed features and place references.

Every subject is declared by the policy (``facts.yaml``, built by ``policy.vocabulary``): its
fields, the constraints between them, its *features* — the booleans, enums and whole numbers
conditions read, each an expression over the fields — and its *place references*, the places
answers name. Because every feature is finite or a whole number, the checker can partition the fact
space exactly. Nothing here knows any particular policy.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from dataclasses import field as _field
from typing import Any, Literal

from pydantic import BaseModel

from ..core.errors import Location

__all__ = ["Context", "Feature", "FeatureType", "FieldInfo", "PlaceRef", "Subject"]


@dataclass(frozen=True, slots=True)
class Context:
    """What features may need besides the facts: the policy's parameter values, the decision's
    date."""

    root: str
    """The code of the jurisdiction as a place (the root level's parameter): its code prefix,
    or its prefixes joined by ``|`` where it has several."""
    params: tuple[tuple[str, int | bool | str | tuple[str, ...]], ...] = ()
    as_of: datetime.date | None = None
    """The date the decision is made as of, which ``as_of`` reads (None: no date given, and an
    expression reading it raises FactsError)."""

    roots: tuple[str, ...] = ()
    """The jurisdiction's code prefixes (a code is in it when it starts with any of them); empty:
    ``root`` alone."""

    @property
    def prefixes(self) -> tuple[str, ...]:
        """The jurisdiction's code prefixes: one, or several."""
        return self.roots or (self.root,)

    def param(self, name: str) -> int | bool | str | tuple[str, ...]:
        for key, value in self.params:
            if key == name:
                return value
        raise KeyError(name)


@dataclass(frozen=True, slots=True)
class FeatureType:
    kind: Literal["bool", "int", "enum"]
    values: tuple[str, ...] = ()
    minimum: int = 0
    maximum: int = 0

    def __str__(self) -> str:
        if self.kind == "enum":
            return "one of " + ", ".join(f'"{v}"' for v in self.values)
        return "a whole number" if self.kind == "int" else "true or false"


FeatureValue = bool | int | str
Getter = Callable[[Any, Any], Any]
"""``(facts, ctx) -> value``: vocabulary closures read nothing of ``ctx`` (parameters are bound)
but its ``as_of``, where the expression reads ``as_of``."""


@dataclass(frozen=True, slots=True)
class Feature:
    name: str
    type: FeatureType
    doc: str
    get: Getter = field(compare=False)
    reads: frozenset[str] = frozenset()
    """The fields it depends on, as dotted paths (``home``, ``home.postcode``)."""
    field: str | None = None
    """The attribute of the fact model this feature is, if it is one as it is: compilers may
    read it directly."""
    expr: str = ""
    """The expression that defines it, as written."""
    location: Location | None = _field(default=None, compare=False)  # `field` is taken above
    """Where the policy declares it (a feature of ``features:``); None for one that is a field,
    or that a rule's condition derived."""
    kept: str | None = _field(default=None, compare=False)
    """Why the policy keeps it though nothing reads it (its ``kept:``), or None."""
    code: Callable[[str, str, Any], str] | None = _field(default=None, compare=False)
    """Its expression as Python source (``language.expressions.source``: facts, context and
    scope in, text out), for a generated function to compute it without calling ``get``."""

    @property
    def declared(self) -> bool:
        """Whether the policy declares it under ``features:`` (not a field, not derived)."""
        return self.location is not None


@dataclass(frozen=True, slots=True)
class PlaceRef:
    """A place an answer can name, e.g. where the person of a fact set lives.

    A place reference with ``many`` names several places (the neighbours of a place, say): its
    getter returns a tuple of codes, and an answer body that names it stands for one body per
    place.
    """

    name: str
    doc: str
    get: Getter = field(compare=False)
    many: bool = False
    reads: frozenset[str] = frozenset()
    optional: bool = True
    """Some fact set may lack it (null)."""
    levels: tuple[str, ...] = ()
    """The levels its codes may be of (every level, if empty)."""
    expr: str = field(default="", compare=False)
    """The expression it is (its text, as declared); empty for the jurisdiction's root."""
    code: Callable[[str, str, Any], str] | None = field(default=None, compare=False)
    """Its expression as Python source, as a feature's (``Feature.code``)."""


@dataclass(frozen=True, slots=True)
class FieldInfo:
    """A declared field: its type as the realiser and the strategies need it."""

    name: str
    kind: str  # bool, int, date, text, place, places, enum, subject, records (a list of subject)
    doc: str
    optional: bool
    values: tuple[str, ...] = ()  # enum
    minimum: int | None = None  # int
    maximum: int | None = None
    levels: tuple[str, ...] = ()  # place, places
    subject: str | None = None  # subject
    default: Any = None
    has_default: bool = False
    derived_default: bool = False  # the value, when absent, comes from an expression


@dataclass(frozen=True, slots=True)
class Constraint:
    """A condition every fact set of the subject must meet, and what to say if it does not."""

    holds: Getter = field(compare=False)
    field: str | None
    message: str
    reads: frozenset[str]
    text: str
    code: Callable[[str, str, Any], str] | None = _field(default=None, compare=False)
    """Its condition as Python source, as a feature's (``Feature.code``)."""


@dataclass(frozen=True, slots=True)
class Subject:
    """A kind of fact set: its model, the features conditions read, the places answers name.

    ``location`` names the place reference whose district decides which overlay of the policy
    applies to a fact set.
    """

    name: str
    model: type[BaseModel]
    doc: str
    features: Mapping[str, Feature]
    places: Mapping[str, PlaceRef]
    fields: Mapping[str, FieldInfo] = field(default_factory=dict)
    constraints: tuple[Constraint, ...] = ()
    location: str | None = None
    defaults: Mapping[str, Getter] = field(default_factory=dict)
    """Fields whose value, when absent, an expression computes."""
    default_reads: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """The fields each of those expressions reads."""
