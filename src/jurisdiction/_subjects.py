"""What a policy may read of each kind of fact set: typed features and place references.

A condition never reads a fact model directly. It reads *features*: booleans, integers and enums
computed from the facts and, for membership of the city, from the policy's city parameter. Because
every feature is finite or an integer, the checker can partition the fact space exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel

from ._facts import BirthCase, MaritalStatus, Resident, Sex

__all__ = [
    "CITY_PARAMETER",
    "SUBJECTS",
    "Context",
    "Feature",
    "FeatureType",
    "PlaceRef",
    "Subject",
]

CITY_PARAMETER = "city_code"
"""The policy parameter that names the city by its code prefix (2 digits for a municipality)."""


@dataclass(frozen=True, slots=True)
class Context:
    """What features may need from the policy besides the facts."""

    city_prefix: str


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


BOOL = FeatureType("bool")


def _enum(values: type[Any]) -> FeatureType:
    return FeatureType("enum", tuple(str(v.value) for v in values))


FeatureValue = bool | int | str
Getter = Callable[[Any, Context], FeatureValue]


@dataclass(frozen=True, slots=True)
class Feature:
    name: str
    type: FeatureType
    doc: str
    get: Getter = field(compare=False)
    uses_city: bool = False


@dataclass(frozen=True, slots=True)
class PlaceRef:
    """A place an answer can name, e.g. the residence place of a resident."""

    name: str
    doc: str
    get: Callable[[Any, Context], str | None] = field(compare=False)


@dataclass(frozen=True, slots=True)
class Subject:
    name: str
    model: type[BaseModel]
    doc: str
    features: Mapping[str, Feature]
    places: Mapping[str, PlaceRef]


def _in_city(attr: str) -> Getter:
    def get(facts: Any, ctx: Context) -> bool:
        code: str = getattr(facts, attr)
        return code.startswith(ctx.city_prefix)

    return get


def _attr(attr: str) -> Getter:
    def get(facts: Any, _ctx: Context) -> FeatureValue:
        value: FeatureValue = getattr(facts, attr)
        return value.value if hasattr(value, "value") else value

    return get


def _place(attr: str) -> Callable[[Any, Context], str | None]:
    def get(facts: Any, _ctx: Context) -> str | None:
        value: str | None = getattr(facts, attr)
        return value

    return get


def _city(_facts: Any, ctx: Context) -> str:
    return ctx.city_prefix


def _features(*items: Feature) -> dict[str, Feature]:
    return {f.name: f for f in items}


def _places(*items: PlaceRef) -> dict[str, PlaceRef]:
    return {p.name: p for p in items}


_CITY_PLACE = PlaceRef("city", "the city itself (the policy's city_code)", _city)

RESIDENT = Subject(
    name="resident",
    model=Resident,
    doc="a person, with hukou and residence places",
    features=_features(
        Feature("hukou_in_city", BOOL, "the hukou place is in this city", _in_city("hukou"), True),
        Feature(
            "residence_in_city", BOOL, "the residence is in this city", _in_city("residence"), True
        ),
        Feature(
            "cross_street",
            BOOL,
            "hukou and residence are in different streets/townships",
            _attr("cross_street"),
        ),
        Feature(
            "cross_district",
            BOOL,
            "hukou and residence are in different districts/counties",
            _attr("cross_district"),
        ),
        Feature("sex", _enum(Sex), "the resident's sex", _attr("sex")),
        Feature("age", FeatureType("int", minimum=0, maximum=150), "age in years", _attr("age")),
        Feature("marital_status", _enum(MaritalStatus), "marital status", _attr("marital_status")),
        Feature(
            "woman_hukou_known",
            BOOL,
            "the hukou place of the woman of the couple is known (she is the resident, or the "
            "resident's wife with a known hukou place)",
            lambda r, _c: r.woman_hukou is not None,
        ),
    ),
    places=_places(
        PlaceRef("hukou", "the resident's hukou place", _place("hukou")),
        PlaceRef("residence", "the resident's residence place", _place("residence")),
        PlaceRef(
            "woman_hukou", "the hukou place of the woman of the couple", _place("woman_hukou")
        ),
        _CITY_PLACE,
    ),
)

BIRTH_CASE = Subject(
    name="birth_case",
    model=BirthCase,
    doc="an out-of-policy birth to a separated person",
    features=_features(
        Feature("hukou_in_city", BOOL, "the hukou place is in this city", _in_city("hukou"), True),
        Feature(
            "residence_in_city", BOOL, "the residence is in this city", _in_city("residence"), True
        ),
        Feature(
            "cross_street",
            BOOL,
            "hukou and residence are in different streets/townships",
            _attr("cross_street"),
        ),
        Feature(
            "cross_district",
            BOOL,
            "hukou and residence are in different districts/counties",
            _attr("cross_district"),
        ),
        Feature("hukou_reported", BOOL, "the hukou place has reported", _attr("hukou_reported")),
        Feature(
            "residence_reported",
            BOOL,
            "the residence place has reported",
            _attr("residence_reported"),
        ),
        Feature(
            "attribution_disputed",
            BOOL,
            "the two places disagree on attribution",
            _attr("attribution_disputed"),
        ),
    ),
    places=_places(
        PlaceRef("hukou", "the parent's hukou place", _place("hukou")),
        PlaceRef("residence", "the parent's residence place", _place("residence")),
        _CITY_PLACE,
    ),
)

SUBJECTS: Mapping[str, Subject] = {s.name: s for s in (RESIDENT, BIRTH_CASE)}
"""Every kind of fact set a policy may ask questions about, by name."""
