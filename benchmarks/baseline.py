"""A hand-written if/else version of four questions: the floor the engine is measured against.

What it is: the code a developer would write for these questions without a rules engine, on
the same validated fact models, as the policy stands on one day (``build(engine)`` for the
engine's day: ``engine.at("2012-06-01")``, the text as written, or ``engine.at(today)``). Each
function returns a *light* answer — ``(outcome, bodies, citations)`` with each body ``(kind,
level, place_code, role, cite)`` — the same information a ``Decision`` carries in those fields,
but none of the rest: no body names or level names in two languages, no quoted article text, no
rules fired/overridden, no notes, no policy fingerprint, and no frozen dataclass. Thresholds are
read once from the loaded policy (as constants would be in hand-written code), not per decision.

It cannot drift unnoticed: ``tests/test_handwritten_baseline.py`` checks every function against
``engine.decide`` on thousands of drawn fact sets, as of both days, so a policy change that
breaks it fails the suite, not the benchmark.

Questions: ``first_child_certificate`` (with the exceptions of (六)–(九) for a residence outside
the city and a blind spot; (七) reaches every resident of an area of unclear affiliation, separated
or not), ``second_child_approval`` (the couple's childbearing age, a man with no wife and a
same-sex couple, (七) as for the certificate), ``out_of_policy_birth_assessment`` and
``unit_management`` (the tiers of (十), with a district's overlay; the policy's readings of (十),
each a rule beside a tier's with the tier's answer, need no branch of their own here).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from typing import Any

from jurisdiction import Engine

# The fact models are generated from the policy's declaration: enums are plain strings.
Resident = BirthCase = Unit = Any

LightBody = tuple[str, str, str, str, str]
Light = tuple[str, tuple[LightBody, ...], tuple[str, ...]]

_NOT_SEPARATED: Light = ("not_applicable", (), ("(一)",))
_RANKED = ("government_organ", "public_institution")
_EIGHT = ("no_community_organisation", "not_fully_occupied")
_DIGITS = {"district": 6, "street": 9, "community": 12}

# The 2015 amendment of the Population and Family Planning Law (in force 2016-01-01) ended the
# first-child certificate and the second-child approval: from then on both answer that they are
# no longer in force, citing every article of the question.
_ENDED_ON = datetime.date(2016, 1, 1)
_ENDED: Mapping[str, Light] = {
    "first_child_certificate": (
        "not_in_force",
        (),
        ("(一)", "(二)5", "(六)", "(七)", "(八)", "(九)"),
    ),
    "second_child_approval": ("not_in_force", (), ("(一)", "(三)1")),
}


def build(engine: Engine) -> dict[str, Callable[[Any], Light]]:
    """The hand-written functions as of the engine's day (``engine.at(day)``; today without
    one), with the policy's parameter values baked in."""
    policy = engine.policy
    day = engine.day or datetime.date.today()
    city = str(policy.parameters["city_code"].value)

    def value(name: str, district: str | None = None) -> int:
        return int(policy.parameters_for(district)[name].value)

    female = (value("childbearing_age_female_min"), value("childbearing_age_female_max"))
    male = (value("childbearing_age_male_min"), value("childbearing_age_male_max"))
    residence_digits = _DIGITS[str(policy.parameters["residence_fp_level"].value)]
    hukou_digits = _DIGITS[str(policy.parameters["hukou_fp_level"].value)]

    def of_age(r: Resident) -> bool:
        low, high = female if r.sex == "female" else male
        return low <= r.age <= high

    def first_child_certificate(r: Resident) -> Light:
        cause = _cause(r, city)
        # (一) a separated person, or (七) any resident of an area of unclear affiliation
        if not of_age(r) or not (_separated(r, city) or cause == "affiliation_unclear"):
            return _NOT_SEPARATED
        if not r.residence.startswith(city):
            return ("not_applicable", (), ("(一)", "(二)5"))
        if cause is None:
            body = ("fp_department", "street", r.residence[:residence_digits], "responsible")
            return ("responsible", ((*body, "(二)5"),), ("(二)5",))
        if cause == "affiliation_unclear":
            if not r.hukou.startswith(city):
                return ("not_applicable", (), ("(二)5", "(七)"))
            body = ("fp_department", "street", r.hukou[:hukou_digits], "responsible")
            return ("responsible", ((*body, "(七)"),), ("(七)",))
        return _blind_spot(r, r.area, cause)

    tiers: Mapping[str | None, tuple[int, int, int, bool]] = {
        district: (
            value("unit_district_min_staff", district),
            value("unit_street_min_staff", district),
            value("unit_street_max_staff", district),
            bool(policy.parameters_for(district)["unit_vice_bureau_rank_counts"].value),
        )
        for district in (None, *policy.overlays)
    }
    city_tiers = tiers[None]

    def unit_management(u: Unit) -> Light:
        location = u.location
        if not location.startswith(city):
            return ("not_applicable", (), ("(十)",))
        district_min, street_min, street_max, vice = tiers.get(location[:6], city_tiers)
        rank = u.rank
        if (
            u.large_state_owned_enterprise
            or u.staff >= district_min
            or (
                u.category in _RANKED
                and (rank in {"ministerial", "bureau"} or (vice and rank == "vice_bureau"))
            )
        ):
            body = ("fp_department", "district", location[:6], "responsible", "(十)")
        elif street_min <= u.staff <= street_max:
            body = ("street_office", "street", location[:9], "responsible", "(十)")
        else:
            body = ("community_committee", "community", location, "responsible", "(十)")
        return ("responsible", (body,), ("(十)",))

    functions: dict[str, Callable[[Any], Light]] = {
        "first_child_certificate": first_child_certificate,
        "second_child_approval": _second_child_approval(city, female, male, hukou_digits),
        "out_of_policy_birth_assessment": _birth_assessment(city),
        "unit_management": unit_management,
    }
    return _in_force(day, functions)


def _second_child_approval(
    city: str, female: tuple[int, int], male: tuple[int, int], hukou_digits: int
) -> Callable[[Any], Light]:
    """(三)1: the woman's hukou place approves a couple; (一)'s childbearing age is the
    couple's (the resident's, or his wife's where he is past it)."""

    def of_age(sex: str, age: int) -> bool:
        low, high = female if sex == "female" else male
        return low <= age <= high

    def wife_age_missing(r: Resident) -> bool:
        return (
            r.sex == "male"
            and r.marital_status == "married"
            and r.spouse_sex == "female"
            and r.spouse_age is None
        )

    def couple_separated(r: Resident) -> bool:
        """(一) for (三)1: separated, or (七) living in an area of unclear affiliation; of the
        couple's childbearing age — the resident's, or his wife's."""
        if not (_separated(r, city) or _cause(r, city) == "affiliation_unclear"):
            return False
        if of_age(r.sex, r.age) or wife_age_missing(r):
            return True
        return (
            r.sex == "male"
            and r.marital_status == "married"
            and r.spouse_sex == "female"
            and r.spouse_age is not None
            and of_age("female", r.spouse_age)
        )

    def second_child_approval(r: Resident) -> Light:
        if not couple_separated(r):
            return _NOT_SEPARATED
        if r.marital_status == "married" and r.spouse_sex == r.sex:
            return ("not_applicable", (), ("(三)1",))
        if r.sex == "male" and r.marital_status != "married":
            return ("not_applicable", (), ("(三)1",))
        if not of_age(r.sex, r.age) and wife_age_missing(r):
            return ("undetermined", (), ("(一)", "(三)1"))
        woman: str | None
        if r.sex == "female":
            woman = r.hukou
        elif r.spouse_sex == "female":
            woman = r.spouse_hukou
        else:
            woman = None
        if woman is None:
            return ("undetermined", (), ("(三)1",))
        if not woman.startswith(city):
            return ("not_applicable", (), ("(三)1",))
        return (
            "responsible",
            (("fp_department", "street", woman[:hukou_digits], "responsible", "(三)1"),),
            ("(三)1",),
        )

    return second_child_approval


def _separated(r: Resident, city: str) -> bool:
    """(一) hukou in the city, living across streets (childbearing age is asked apart)."""
    return bool(r.hukou.startswith(city) and r.hukou[:9] != r.residence[:9])


def _cause(r: Resident, city: str) -> str | None:
    """Why the area the resident lives in is a blind spot of the city; None if it is none."""
    area = r.area
    if area is None or not area.place.startswith(city) or area.management_in_place:
        return None
    return str(area.blind_spot_cause or "unspecified")


def _birth_assessment(city: str) -> Callable[[Any], Light]:
    """Article (五): who assesses a birth outside the policy across districts."""

    def out_of_policy_birth_assessment(b: BirthCase) -> Light:
        hukou, residence = b.hukou[:6], b.residence[:6]
        if not (b.hukou.startswith(city) and b.residence.startswith(city)) or hukou == residence:
            return ("not_applicable", (), ("(五)",))
        if b.hukou_reported and b.residence_reported and not b.attribution_disputed:
            return (
                "responsible",
                (
                    ("fp_department", "district", residence, "primary", "(五)"),
                    ("fp_department", "district", hukou, "joint", "(五)"),
                ),
                ("(五)",),
            )
        return (
            "responsible",
            (
                ("city_fp_commission", "city", city, "rules", "(五)"),
                ("fp_department", "district", hukou, "party", "(五)"),
                ("fp_department", "district", residence, "party", "(五)"),
            ),
            ("(五)",),
        )

    return out_of_policy_birth_assessment


def _blind_spot(r: Resident, area: Any, cause: str) -> Light:
    """The first-child certificate where the resident lives in a blind spot of (八) or (九), or
    one whose cause the facts do not tell ((六)). The certificate takes none of (八)'s 代管: the
    adjacent community a street designates is named by the questions that include it, not here."""
    if cause == "division_unclear":
        return (
            "responsible",
            tuple(
                ("fp_department", "district", d[:6], "negotiates", "(二)5")
                for d in area.adjacent_districts
            ),
            ("(二)5", "(九)"),
        )
    if cause not in _EIGHT:
        return ("undetermined", (), ("(六)",))
    if area.designated_street is not None:
        bodies: tuple[LightBody, ...] = (
            ("fp_department", "street", area.designated_street[:9], "responsible", "(二)5"),
        )
    else:
        bodies = (("fp_department", "district", r.residence[:6], "responsible", "(二)5"),)
    return ("responsible", bodies, ("(二)5", "(八)"))


def _in_force(
    day: datetime.date, functions: dict[str, Callable[[Any], Light]]
) -> dict[str, Callable[[Any], Light]]:
    """The functions as of ``day``: those of an ended question answer so, whatever the facts."""
    if day >= _ENDED_ON:
        for name, ended in _ENDED.items():
            functions[name] = _constant(ended)
    return functions


def _constant(answer: Light) -> Callable[[Any], Light]:
    def ended(_facts: Any) -> Light:
        return answer

    return ended


def light(decision: Any) -> Light:
    """The fields of a ``Decision`` the hand-written functions give, in their shape."""
    return (
        decision.outcome,
        tuple((b.kind, b.level, b.place_code, b.role, str(b.cite)) for b in decision.bodies),
        tuple(str(c.cite) for c in decision.citations),
    )
