"""What a policy may read of each kind of fact set: typed features and place references.

A condition never reads a fact model directly. It reads *features*: booleans, integers and enums
computed from the facts and, for membership of the city, from the policy's city parameter. Because
every feature is finite or an integer, the checker can partition the fact space exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import product
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from ._facts import (
    Area,
    BirthCase,
    BlindSpotCause,
    CommunityOrganisation,
    District,
    MaritalStatus,
    Rank,
    Resident,
    Sex,
    Unit,
    UnitCategory,
    Urbanisation,
)
from ._places import Form, Level, form_of, level_of

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
    field: str | None = None
    """The attribute of the fact model this feature is, if it is one as it is (an enum member,
    always a StrEnum, compares and hashes as its value): compilers may read it directly."""


@dataclass(frozen=True, slots=True)
class PlaceRef:
    """A place an answer can name, e.g. the residence place of a resident.

    A place reference with ``many`` names several places (the districts adjoining an area): its
    getter returns a tuple of codes, and an answer body that names it stands for one body per
    place.
    """

    name: str
    doc: str
    get: Callable[[Any, Context], str | tuple[str, ...] | None] = field(compare=False)
    many: bool = False


Samples = Callable[[Context], Iterable[dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class Subject:
    """A kind of fact set: its model, the features conditions read, the places answers name.

    ``samples`` yields raw fact sets (without the integer fields) that between them realise every
    consistent combination of the boolean and enum features; ``int_fields`` maps each integer
    feature to the model field that sets it. Together they let :func:`realize` build a concrete
    fact set for any feature assignment — what the checker's witnesses and the property tests use.
    A sample that sets an optional integer field to None realises its absence: an assigned value
    does not replace it (the feature then reads the field's stand-in, documented with it).
    Boolean and enum features never depend on integer fields (a test holds every subject to it).

    ``location`` names the place reference whose district decides which district overlay of the
    policy applies to a fact set.
    """

    name: str
    model: type[BaseModel]
    doc: str
    features: Mapping[str, Feature]
    places: Mapping[str, PlaceRef]
    samples: Samples = field(compare=False)
    int_fields: Mapping[str, str] = field(default_factory=dict)
    location: str | None = None


def realize(
    subject: Subject, assignment: Mapping[str, FeatureValue], ctx: Context
) -> BaseModel | None:
    """A fact set whose features take the assigned values, or None if no fact set can."""
    ints = {
        subject.int_fields[name]: value
        for name, value in assignment.items()
        if subject.features[name].type.kind == "int"
    }
    finite = {n: v for n, v in assignment.items() if subject.features[n].type.kind != "int"}
    for base, features in _indexed_samples(subject, ctx):
        if any(features[n] != v for n, v in finite.items()):
            continue  # integer fields never move these features, so this sample cannot match
        pinned = {k: v for k, v in ints.items() if not (k in base and base[k] is None)}
        try:
            model = subject.model.model_validate({**base, **pinned})
        except ValidationError:
            continue
        if all(subject.features[n].get(model, ctx) == v for n, v in assignment.items()):
            return model
    return None


_Indexed = tuple[tuple[dict[str, Any], dict[str, FeatureValue]], ...]
_INDEX: dict[tuple[str, Context], tuple[Subject, _Indexed]] = {}


def _indexed_samples(subject: Subject, ctx: Context) -> _Indexed:
    """The valid samples of a subject with their boolean and enum features, computed once."""
    key = (subject.name, ctx)
    cached = _INDEX.get(key)
    if cached is not None and cached[0] is subject:
        return cached[1]
    finite = [n for n, f in subject.features.items() if f.type.kind != "int"]
    indexed: list[tuple[dict[str, Any], dict[str, FeatureValue]]] = []
    for base in subject.samples(ctx):
        try:
            model = subject.model.model_validate(base)
        except ValidationError:
            continue
        indexed.append((base, {n: subject.features[n].get(model, ctx) for n in finite}))
    result = tuple(indexed)
    _INDEX[key] = (subject, result)
    return result


def _codes(ctx: Context) -> dict[str, str]:
    """Street codes for samples: two streets of one district in the city, one street of another
    district in the city, streets of two districts outside the city; urban and rural variants."""
    city = ctx.city_prefix
    district_a = (city + "0101")[:6] if len(city) < 6 else city
    district_b = (city + "0102")[:6] if len(city) < 6 else city[:4] + "99"
    other, other_b = ("110101", "110102") if not city.startswith("11") else ("130102", "130103")
    return {
        "a1": district_a + "001",
        "a2": district_a + "002",
        "a_rural": district_a + "101",
        "b1": district_b + "001",
        "out": other + "001",
        "out2": other + "002",
        "out_b": other_b + "001",
    }


def _in_city(attr: str) -> Getter:
    def get(facts: Any, ctx: Context) -> bool:
        code: str = getattr(facts, attr)
        return code.startswith(ctx.city_prefix)

    return get


def _attr(attr: str) -> Getter:
    def get(facts: Any, _ctx: Context) -> FeatureValue:
        value: FeatureValue = getattr(facts, attr)
        # an enum member's value (`_value_` is what `.value` returns, without its descriptor)
        return getattr(value, "_value_", value)

    return get


def _as_is(name: str, kind: FeatureType, doc: str) -> Feature:
    """A feature that is the fact model's attribute of the same name (an enum as its value)."""
    return Feature(name, kind, doc, _attr(name), field=name)


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


_NO_BLIND_SPOT = "none"
_CAUSE_UNSPECIFIED = "unspecified"
BLIND_SPOT_CAUSE = FeatureType(
    "enum", (_NO_BLIND_SPOT, *(c.value for c in BlindSpotCause), _CAUSE_UNSPECIFIED)
)
"""The blind-spot cause as conditions read it: "none" where management is in place,
"unspecified" for a blind spot whose cause the facts do not give."""

_STATUS_UNKNOWN = "unknown"
COMMUNITY_STATUS = FeatureType("enum", (*(c.value for c in CommunityOrganisation), _STATUS_UNKNOWN))


def _area_cause(area: Area) -> str:
    if area.management_in_place:
        return _NO_BLIND_SPOT
    cause = area.blind_spot_cause
    return cause.value if cause is not None else _CAUSE_UNSPECIFIED


def _resident_blind_spot(resident: Resident, ctx: Context) -> str:
    area = resident.area
    if area is None or not area.place.startswith(ctx.city_prefix):
        return _NO_BLIND_SPOT
    return _area_cause(area)


def _resident_areas(residence: str, codes: Mapping[str, str]) -> Iterator[dict[str, Any] | None]:
    """No area first, then an area at the residence for every blind-spot cause."""
    yield None
    yield {"place": residence, "management_in_place": True}
    yield {"place": residence, "management_in_place": False}
    for cause in BlindSpotCause:
        area: dict[str, Any] = {
            "place": residence,
            "management_in_place": False,
            "blind_spot_cause": cause.value,
        }
        if cause is BlindSpotCause.division_unclear:
            area["adjacent_districts"] = [codes["a1"][:6], codes["b1"][:6]]
        yield area


def _resident_samples(ctx: Context) -> Iterator[dict[str, Any]]:
    codes = _codes(ctx)
    for with_area in (False, True):
        for hukou, residence in _PAIRS:
            areas = list(_resident_areas(codes[residence], codes))
            for area in areas[1:] if with_area else areas[:1]:
                for sample in _resident_people(codes, hukou, residence):
                    yield sample if area is None else {**sample, "area": area}


def _resident_people(
    codes: Mapping[str, str], hukou: str, residence: str
) -> Iterator[dict[str, Any]]:
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


_SEPARATION = (
    Feature("hukou_in_city", BOOL, "the hukou place is in this city", _in_city("hukou"), True),
    Feature(
        "residence_in_city", BOOL, "the residence is in this city", _in_city("residence"), True
    ),
    _as_is("cross_street", BOOL, "hukou and residence are in different streets/townships"),
    _as_is("cross_district", BOOL, "hukou and residence are in different districts/counties"),
)
"""The features of any fact set with a hukou and a residence place: where each is, how far apart."""


RESIDENT = Subject(
    name="resident",
    model=Resident,
    doc="a person, with hukou and residence places",
    features=_features(
        *_SEPARATION,
        _as_is("sex", _enum(Sex), "the resident's sex"),
        _as_is("age", FeatureType("int", minimum=0, maximum=150), "age in years"),
        _as_is("marital_status", _enum(MaritalStatus), "marital status"),
        Feature(
            "woman_hukou_known",
            BOOL,
            "the hukou place of the woman of the couple is known (she is the resident, or the "
            "resident's wife with a known hukou place)",
            lambda r, _c: r.woman_hukou is not None,
        ),
        Feature(
            "blind_spot_cause",
            BLIND_SPOT_CAUSE,
            "why the area where the resident lives is a blind spot of this city (articles "
            '(七)-(九)); "none" if no area is given, its management is in place, or it is not in '
            'this city; "unspecified" for a blind spot of no stated cause',
            _resident_blind_spot,
            True,
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
    location="residence",
)

BIRTH_CASE = Subject(
    name="birth_case",
    model=BirthCase,
    doc="an out-of-policy birth to a separated person",
    features=_features(
        *_SEPARATION,
        _as_is("hukou_reported", BOOL, "the hukou place has reported"),
        _as_is("residence_reported", BOOL, "the residence place has reported"),
        _as_is("attribution_disputed", BOOL, "the two places disagree on attribution"),
    ),
    places=_places(
        PlaceRef("hukou", "the parent's hukou place", _place("hukou")),
        PlaceRef("residence", "the parent's residence place", _place("residence")),
        _CITY_PLACE,
    ),
    samples=_birth_case_samples,
    location="residence",
)


# --- areas: chapters 2, 4 and 5 -------------------------------------------------------------

_SECTION_8 = (BlindSpotCause.no_community_organisation, BlindSpotCause.not_fully_occupied)


def _area_places(ctx: Context) -> dict[tuple[bool, str, str], str]:
    """An area code for each (in the city, level, form)."""
    codes = _codes(ctx)
    out: dict[tuple[bool, str, str], str] = {}
    for in_city, urban in ((True, codes["a1"]), (False, codes["out"])):
        rural = urban[:6] + "101"
        out[(in_city, "street", "urban")] = urban
        out[(in_city, "street", "rural")] = rural
        out[(in_city, "community", "urban")] = urban + "001"
        out[(in_city, "community", "rural")] = rural + "201"
    return out


def _area_causes() -> Iterator[tuple[bool, BlindSpotCause | None]]:
    yield True, None
    yield False, None
    for cause in BlindSpotCause:
        yield False, cause


def _area_samples(ctx: Context) -> Iterator[dict[str, Any]]:
    """Every consistent combination of the area's boolean and enum features, built directly
    (combinations the model would refuse are skipped before validation, to keep realize fast)."""
    codes = _codes(ctx)
    places = _area_places(ctx)
    district_a, district_b = codes["a1"][:6], codes["b1"][:6]
    others = (district_a, district_b, codes["a2"])
    pairs = ((False, False), (True, False), (False, True), (True, True))
    for place, (in_place, cause), urbanisation, status, committee, (designated, proxy) in product(
        places.values(),
        _area_causes(),
        Urbanisation,
        (None, *CommunityOrganisation),
        (False, True),
        pairs,
    ):
        sample = _area_sample(
            place, in_place, cause, urbanisation, status, committee, designated, proxy, others
        )
        if sample is not None:
            yield sample
            yield {**sample, "households": None}


def _area_sample(
    place: str,
    in_place: bool,
    cause: BlindSpotCause | None,
    urbanisation: Urbanisation,
    status: CommunityOrganisation | None,
    committee: bool,
    designated: bool,
    proxy: bool,
    others: tuple[str, str, str],
) -> dict[str, Any] | None:
    district_a, district_b, street_a2 = others
    if (designated or proxy) and cause not in _SECTION_8:
        return None
    if proxy and status is CommunityOrganisation.established:
        return None
    if cause is BlindSpotCause.no_community_organisation and status in (
        None,
        CommunityOrganisation.established,
    ):
        return None
    urbanising = urbanisation is not Urbanisation.none
    if urbanising and status is None:
        return None
    sample: dict[str, Any] = {
        "kind": "area",
        "place": place,
        "management_in_place": in_place,
        "urbanisation": urbanisation.value,
        "original_villagers_committee": committee,
        "households": 100,
    }
    if cause is not None:
        sample["blind_spot_cause"] = cause.value
    if cause is BlindSpotCause.division_unclear:
        sample["adjacent_districts"] = [district_a, district_b]
    if status is not None:
        sample["community_organisation"] = status.value
    if designated:
        sample["designated_street"] = place[:6] + street_a2[6:9]
    if proxy:
        sample["proxy_community"] = street_a2 + "001"
    is_community = level_of(place) is Level.community
    if (
        urbanising
        and status is CommunityOrganisation.established
        and not (is_community and form_of(place) is Form.urban)
    ):
        sample["community"] = street_a2 + "002"
    if (
        urbanising
        and status is not CommunityOrganisation.established
        and committee
        and not (is_community and form_of(place) is Form.rural)
    ):
        sample["original_village"] = place[:6] + "101202"
    return sample


AREA = Subject(
    name="area",
    model=Area,
    doc="an area of a district: a blind spot, an urbanising village, a community",
    features=_features(
        Feature("in_city", BOOL, "the area is in this city", _in_city("place"), True),
        Feature(
            "blind_spot",
            BOOL,
            "family-planning management is not in place: a blind spot (六)",
            lambda a, _c: not a.management_in_place,
        ),
        Feature(
            "blind_spot_cause",
            BLIND_SPOT_CAUSE,
            'why the area is a blind spot; "none" where management is in place, '
            '"unspecified" for a blind spot of no stated cause',
            lambda a, _c: _area_cause(a),
        ),
        Feature(
            "street_designated",
            BOOL,
            "(八) the district designated a street/township to be responsible",
            lambda a, _c: a.designated_street is not None,
        ),
        Feature(
            "proxy_community_designated",
            BOOL,
            "(八) the street designated an adjacent community to manage on its behalf",
            lambda a, _c: a.proxy_community is not None,
        ),
        Feature(
            "community_organisation",
            COMMUNITY_STATUS,
            'whether a community organisation is established; "unknown" if not given',
            lambda a, _c: (
                a.community_organisation.value
                if a.community_organisation is not None
                else _STATUS_UNKNOWN
            ),
        ),
        Feature(
            "original_villagers_committee",
            BOOL,
            "the original villagers' committee still exists (false if not given)",
            lambda a, _c: bool(a.original_villagers_committee),
        ),
        _as_is(
            "urbanisation",
            _enum(Urbanisation),
            "a demonstration small town or an apartment-block village (十三), or neither",
        ),
        Feature(
            "form",
            _enum(Form),
            "urban or rural form of the area's place, from its code",
            lambda a, _c: form_of(a.place).value,
        ),
        Feature(
            "level",
            FeatureType("enum", (Level.street.value, Level.community.value)),
            "the area is a street/township (9 digits) or a community/village (12)",
            lambda a, _c: level_of(a.place).value,
        ),
        Feature(
            "households_known",
            BOOL,
            "the number of households is given",
            lambda a, _c: a.households is not None,
        ),
        Feature(
            "households",
            FeatureType("int", minimum=0, maximum=10_000_000),
            "number of households; 0 when not given (see households_known)",
            lambda a, _c: a.households if a.households is not None else 0,
        ),
    ),
    places=_places(
        PlaceRef("locality", "the area itself, where it lies (所属地)", _place("place")),
        PlaceRef(
            "designated_street",
            "the street/township the district designated (八)",
            _place("designated_street"),
        ),
        PlaceRef(
            "managing_street",
            "the street/township that manages the area: designated, or its own (八)",
            _place("managing_street"),
        ),
        PlaceRef(
            "proxy_community",
            "the adjacent community that manages on the street's behalf (八)",
            _place("proxy_community"),
        ),
        PlaceRef(
            "adjacent_districts",
            "the districts/counties adjoining the area (九)",
            lambda a, _c: tuple(a.adjacent_districts),
            many=True,
        ),
        PlaceRef(
            "community_organisation",
            "the residents' committee of the area's community organisation",
            _place("community_code"),
        ),
        PlaceRef(
            "original_village",
            "the original villagers' committee of the area",
            _place("original_village_code"),
        ),
        _CITY_PLACE,
    ),
    samples=_area_samples,
    int_fields={"households": "households"},
    location="locality",
)


# --- units: chapter 3 -----------------------------------------------------------------------


def _unit_samples(ctx: Context) -> Iterator[dict[str, Any]]:
    codes = _codes(ctx)
    for location in (codes["a1"] + "001", codes["a_rural"] + "201", codes["out"] + "001"):
        for category in UnitCategory:
            for rank in Rank:
                larges = (
                    (False, True) if category is UnitCategory.state_owned_enterprise else (False,)
                )
                for large in larges:
                    yield {
                        "kind": "unit",
                        "category": category.value,
                        "rank": rank.value,
                        "large_state_owned_enterprise": large,
                        "staff": 10,
                        "location": location,
                    }


UNIT = Subject(
    name="unit",
    model=Unit,
    doc="a unit located in the area (驻地单位): organ, institution, enterprise",
    features=_features(
        Feature("in_city", BOOL, "the unit is located in this city", _in_city("location"), True),
        _as_is("category", _enum(UnitCategory), "what kind of unit it is"),
        _as_is("rank", _enum(Rank), "administrative rank (行政级别)"),
        _as_is(
            "large_state_owned_enterprise",
            BOOL,
            "designated a large state-owned enterprise (国营大企业)",
        ),
        _as_is(
            "staff", FeatureType("int", minimum=0, maximum=10_000_000), "total staff (职工总数)"
        ),
    ),
    places=_places(
        PlaceRef("location", "where the unit is located (驻地)", _place("location")),
        _CITY_PLACE,
    ),
    samples=_unit_samples,
    int_fields={"staff": "staff"},
    location="location",
)


# --- districts: chapter 5 -------------------------------------------------------------------


def _district_samples(ctx: Context) -> Iterator[dict[str, Any]]:
    codes = _codes(ctx)
    for street in (codes["a1"], codes["out"]):
        yield {"kind": "district", "code": street[:6]}


DISTRICT = Subject(
    name="district",
    model=District,
    doc="a district or county (区县)",
    features=_features(
        Feature("in_city", BOOL, "the district is in this city", _in_city("code"), True),
    ),
    places=_places(
        PlaceRef("district", "the district/county itself", _place("code")),
        _CITY_PLACE,
    ),
    samples=_district_samples,
    location="district",
)

SUBJECTS: Mapping[str, Subject] = {s.name: s for s in (RESIDENT, BIRTH_CASE, AREA, UNIT, DISTRICT)}
"""Every kind of fact set a policy may ask questions about, by name."""
