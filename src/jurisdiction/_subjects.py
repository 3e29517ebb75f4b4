"""What a policy may read of each kind of fact set: typed features and place references.

A condition never reads a fact model directly. It reads *features*: booleans, integers and enums
computed from the facts and, for membership of the city, from the policy's city parameter. Because
every feature is finite or an integer, the checker can partition the fact space exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from ._facts import BirthCase, MaritalStatus, Resident, Sex

__all__ = [
    "CITY_PARAMETER",
    "SUBJECTS",
    "Context",
    "Feature",
    "FeatureType",
    "PlaceRef",
    "Subject",
    "realize",
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


Samples = Callable[[Context], Iterable[dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class Subject:
    """A kind of fact set: its model, the features conditions read, the places answers name.

    ``samples`` yields raw fact sets (without the integer fields) that between them realise every
    consistent combination of the boolean and enum features; ``int_fields`` maps each integer
    feature to the model field that sets it. Together they let :func:`realize` build a concrete
    fact set for any feature assignment — what the checker's witnesses and the property tests use.
    """

    name: str
    model: type[BaseModel]
    doc: str
    features: Mapping[str, Feature]
    places: Mapping[str, PlaceRef]
    samples: Samples = field(compare=False)
    int_fields: Mapping[str, str] = field(default_factory=dict)


def realize(
    subject: Subject, assignment: Mapping[str, FeatureValue], ctx: Context
) -> BaseModel | None:
    """A fact set whose features take the assigned values, or None if no fact set can."""
    ints = {
        subject.int_fields[name]: value
        for name, value in assignment.items()
        if subject.features[name].type.kind == "int"
    }
    for base in subject.samples(ctx):
        try:
            model = subject.model.model_validate({**base, **ints})
        except ValidationError:
            continue
        if all(subject.features[n].get(model, ctx) == v for n, v in assignment.items()):
            return model
    return None


def _codes(ctx: Context) -> dict[str, str]:
    """Street codes for samples: two streets of one district in the city, one street of another
    district in the city, streets of two districts outside the city; urban and rural variants."""
    city = ctx.city_prefix
    district_a = (city + "0101")[:6] if len(city) < 6 else city
    district_b = (city + "0102")[:6] if len(city) < 6 else city[:4] + "99"
    other = "110101" if not "110101".startswith(city) else "130102"
    return {
        "a1": district_a + "001",
        "a2": district_a + "002",
        "a_rural": district_a + "101",
        "b1": district_b + "001",
        "out": other + "001",
        "out2": other + "002",
        "out_b": other[:4] + "99001",
    }


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

_PAIRS = (
    ("a1", "a1"),
    ("a1", "a2"),
    ("a1", "b1"),
    ("a1", "out"),
    ("out", "a1"),
    ("out", "out"),
    ("out", "out2"),
    ("out", "out_b"),
    ("a_rural", "a1"),
)


def _resident_samples(ctx: Context) -> Iterator[dict[str, Any]]:
    codes = _codes(ctx)
    for hukou, residence in _PAIRS:
        for sex in Sex:
            spouses: list[dict[str, Any]] = [{"marital_status": m.value} for m in MaritalStatus]
            other = Sex.male if sex is Sex.female else Sex.female
            spouses += [
                {"marital_status": "married", "spouse_sex": other.value},
                {
                    "marital_status": "married",
                    "spouse_sex": other.value,
                    "spouse_hukou": codes["b1"],
                },
            ]
            for spouse in spouses:
                yield {
                    "kind": "resident",
                    "hukou": codes[hukou],
                    "residence": codes[residence],
                    "sex": sex.value,
                    "age": 30,
                    **spouse,
                }


def _birth_case_samples(ctx: Context) -> Iterator[dict[str, Any]]:
    codes = _codes(ctx)
    for hukou, residence in _PAIRS:
        for flags in range(8):
            yield {
                "kind": "birth_case",
                "hukou": codes[hukou],
                "residence": codes[residence],
                "hukou_reported": bool(flags & 1),
                "residence_reported": bool(flags & 2),
                "attribution_disputed": bool(flags & 4),
            }


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
    samples=_resident_samples,
    int_fields={"age": "age"},
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
    samples=_birth_case_samples,
)

SUBJECTS: Mapping[str, Subject] = {s.name: s for s in (RESIDENT, BIRTH_CASE)}
"""Every kind of fact set a policy may ask questions about, by name."""
