"""A hand-written if/else version of four questions: the floor the engine is measured against.

What it is: the code a developer would write for these questions without a rules engine, on
the same validated fact models. Each function returns a *light* answer —
``(outcome, bodies, citations)`` with each body ``(kind, level, place_code, role, cite)`` — the
same information a ``Decision`` carries in those fields (``run.py`` checks, before timing, that
it agrees with the engine on every benchmark fact), but none of the rest: no body names or
level names in two languages, no quoted article text, no rules fired/overridden, no notes, no
policy fingerprint, and no frozen dataclass. Thresholds are read once from the loaded policy
(as constants would be in hand-written code), not looked up per decision.

Questions: ``first_child_certificate`` (with the (七) exception for a blind spot whose
affiliation is unclear), ``second_child_approval``, ``out_of_policy_birth_assessment`` and
``unit_management`` (the tiers of (十), with a district's overlay).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from jurisdiction import Engine

# The fact models are generated from the policy's declaration: enums are plain strings.
Resident = BirthCase = Unit = Any

LightBody = tuple[str, str, str, str, str]
Light = tuple[str, tuple[LightBody, ...], tuple[str, ...]]

_NOT_SEPARATED: Light = ("not_applicable", (), ("(一)",))
_RANKED = ("government_organ", "public_institution")


def build(engine: Engine) -> dict[str, Callable[[Any], Light]]:
    """The hand-written functions, with the policy's parameter values baked in."""
    policy = engine.policy
    city = str(policy.parameters["city_code"].value)

    def value(name: str, district: str | None = None) -> int:
        return int(policy.parameters_for(district)[name].value)

    female = (value("childbearing_age_female_min"), value("childbearing_age_female_max"))
    male = (value("childbearing_age_male_min"), value("childbearing_age_male_max"))

    def separated(r: Resident) -> bool:
        if not r.hukou.startswith(city) or r.hukou[:9] == r.residence[:9]:
            return False
        low, high = female if r.sex == "female" else male
        return low <= r.age <= high

    def first_child_certificate(r: Resident) -> Light:
        if not separated(r):
            return _NOT_SEPARATED
        area = r.area
        if (
            area is not None
            and area.place.startswith(city)
            and not area.management_in_place
            and area.blind_spot_cause == "affiliation_unclear"
        ):
            return (
                "responsible",
                (("fp_department", "street", r.hukou[:9], "responsible", "(七)"),),
                ("(七)",),
            )
        return (
            "responsible",
            (("fp_department", "street", r.residence[:9], "responsible", "(二)5"),),
            ("(二)5",),
        )

    def second_child_approval(r: Resident) -> Light:
        if not separated(r):
            return _NOT_SEPARATED
        woman: str | None
        if r.sex == "female":
            woman = r.hukou
        elif r.spouse_sex == "female":
            woman = r.spouse_hukou
        else:
            woman = None
        if woman is None:
            return ("undetermined", (), ("(三)1",))
        return (
            "responsible",
            (("fp_department", "street", woman[:9], "responsible", "(三)1"),),
            ("(三)1",),
        )

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

    return {
        "first_child_certificate": first_child_certificate,
        "second_child_approval": second_child_approval,
        "out_of_policy_birth_assessment": out_of_policy_birth_assessment,
        "unit_management": unit_management,
    }
