"""The facts a caller supplies, as frozen pydantic models that reject unknown fields.

Facts say what *is* (codes, ages, flags). What follows from them under a policy is the engine's
business; relations that need no policy (same street, urban form) are derived here.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ._places import Form, Level, Place, code_at, form_of, level_of

__all__ = [
    "Area",
    "BirthCase",
    "BlindSpotCause",
    "CommunityOrganisation",
    "District",
    "MaritalStatus",
    "Rank",
    "Resident",
    "Sex",
    "Unit",
    "UnitCategory",
    "Urbanisation",
]


class Sex(StrEnum):
    female = "female"
    male = "male"


class MaritalStatus(StrEnum):
    unmarried = "unmarried"
    married = "married"
    divorced = "divorced"
    widowed = "widowed"


class BlindSpotCause(StrEnum):
    """Why family-planning management is not in place in an area (articles (七)–(九))."""

    affiliation_unclear = "affiliation_unclear"
    """行政区划明确、由于行政归属不明确: the division is clear, the affiliation is not — (七)."""
    no_community_organisation = "no_community_organisation"
    """尚未建立社区组织: no community organisation has been set up yet — (八)."""
    not_fully_occupied = "not_fully_occupied"
    """新建尚未完全入住: newly built housing not yet fully occupied — (八)."""
    division_unclear = "division_unclear"
    """行政区划不清: the administrative division itself is unclear — (九)."""


class CommunityOrganisation(StrEnum):
    """Where the area stands in setting up a community organisation (社区组织), (十四)–(十六)."""

    established = "established"
    being_established = "being_established"
    not_established = "not_established"


class Urbanisation(StrEnum):
    """Whether the area is one that article (十三) names."""

    none = "none"
    demonstration_small_town = "demonstration_small_town"
    """示范小城镇."""
    apartment_blocks = "apartment_blocks"
    """已实行农村楼房化的地区: villagers have moved into apartment blocks."""


class UnitCategory(StrEnum):
    """What kind of unit (单位) it is, as article (十) distinguishes them."""

    government_organ = "government_organ"
    """机关."""
    public_institution = "public_institution"
    """事业单位."""
    state_owned_enterprise = "state_owned_enterprise"
    """国营企业."""
    other_enterprise = "other_enterprise"
    other = "other"


class Rank(StrEnum):
    """Administrative rank (行政级别) of a unit; the ranks around 局级 are told apart."""

    ministerial = "ministerial"
    """省部级, principal or deputy."""
    bureau = "bureau"
    """正厅局级."""
    vice_bureau = "vice_bureau"
    """副厅局级: whether it counts as 局级 is the policy's parameter, not a fact."""
    division = "division"
    """县处级, principal or deputy."""
    section = "section"
    """乡科级 and below, with a rank."""
    none = "none"
    """No administrative rank."""


class _Facts(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=False)


Age = Annotated[int, Field(ge=0, le=150, description="age in whole years")]


def _differ(a: str, b: str, digits: int) -> bool:
    """Whether two codes lie in different places of the level with ``digits`` digits; what
    ``code_at(a, level) != code_at(b, level)`` says, without its lookups (it is asked often)."""
    return (a[:digits] if len(a) >= digits else None) != (b[:digits] if len(b) >= digits else None)


def _fine_enough(code: str, what: str) -> None:
    if code_at(code, Level.street) is None:
        raise ValueError(
            f"{what} must name a street/township (9 digits) or community/village (12 digits), "
            f"got the district code {code!r}"
        )


def _at_level(code: str, level: Level, what: str) -> None:
    if level_of(code) is not level:
        digits = {Level.district: 6, Level.street: 9, Level.community: 12}[level]
        raise ValueError(f"{what} must be a {level.value} code ({digits} digits), got {code!r}")


_SECTION_8_CAUSES = (BlindSpotCause.no_community_organisation, BlindSpotCause.not_fully_occupied)

Households = Annotated[int, Field(ge=0, le=10_000_000)]
Staff = Annotated[int, Field(ge=0, le=10_000_000)]


class Area(_Facts):
    """An area of a district: a street/township or a community/village, or a development in it.

    It carries what chapters 2, 4 and 5 ask of a place: whether family-planning management is in
    place there (if not, it is a blind spot (盲区) and ``blind_spot_cause`` says why), the state of
    its community organisation while a village becomes a community, and its size.
    """

    kind: Literal["area"] = "area"
    id: str | None = Field(default=None, description="the caller's own identifier, kept as is")
    place: Place = Field(
        description="the area's code: street/township (9 digits) or community/village (12); "
        "where the division is unclear, the code the area is provisionally recorded under"
    )
    management_in_place: bool = Field(
        description="family-planning management services are in place (已落实); "
        "if not, the area is a blind spot (盲区), article (六)"
    )
    blind_spot_cause: BlindSpotCause | None = Field(
        default=None, description="why management is not in place; only for a blind spot"
    )
    designated_street: Place | None = Field(
        default=None,
        description="(八) the street/township (9 digits) the district designated to be "
        "responsible for the blind spot; in the area's district",
    )
    proxy_community: Place | None = Field(
        default=None,
        description="(八) the adjacent community (12 digits) the street designated to manage "
        "the blind spot on its behalf (代管) until a community organisation exists",
    )
    adjacent_districts: tuple[Place, ...] = Field(
        default=(),
        description="(九) the districts/counties (6 digits) adjoining the area; at least two "
        "where the division is unclear",
    )
    community_organisation: CommunityOrganisation | None = Field(
        default=None,
        description="whether a community organisation (社区组织) is established; required for an "
        "area of article (十三); implied `not_established` by the blind-spot cause "
        "`no_community_organisation`",
    )
    community: Place | None = Field(
        default=None,
        description="the community organisation's residents' committee (12 digits, urban form); "
        "defaults to `place` when that is a residents' committee",
    )
    original_villagers_committee: bool | None = Field(
        default=None,
        description="the original villagers' committee (原村民委员会) still exists; required for "
        "an area of article (十三) whose community organisation is not yet established",
    )
    original_village: Place | None = Field(
        default=None,
        description="the original villagers' committee (12 digits, rural form); defaults to "
        "`place` when that is a villagers' committee",
    )
    urbanisation: Urbanisation = Field(
        default=Urbanisation.none,
        description="a demonstration small town or an apartment-block village (十三), or neither",
    )
    households: Households | None = Field(
        default=None, description="number of households (户), where known"
    )

    @model_validator(mode="before")
    @classmethod
    def _implied_status(cls, data: object) -> object:
        """A blind spot caused by a missing community organisation has none established."""
        if (
            isinstance(data, dict)
            and data.get("blind_spot_cause") == BlindSpotCause.no_community_organisation.value
            and data.get("community_organisation") is None
        ):
            return {**data, "community_organisation": CommunityOrganisation.not_established.value}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Self:  # noqa: PLR0912 - one check per rule of the facts
        _fine_enough(self.place, "place")
        cause = self.blind_spot_cause
        if self.management_in_place and cause is not None:
            raise ValueError(
                "an area whose management is in place is no blind spot: give no blind_spot_cause"
            )
        if self.designated_street is not None:
            _at_level(self.designated_street, Level.street, "designated_street")
            if code_at(self.designated_street, Level.district) != self.district:
                raise ValueError("designated_street must be a street of the area's own district")
            if cause not in _SECTION_8_CAUSES:
                raise ValueError(
                    "designated_street is for a blind spot without a community organisation "
                    "or not fully occupied (八)"
                )
        if self.proxy_community is not None:
            _at_level(self.proxy_community, Level.community, "proxy_community")
            if cause not in _SECTION_8_CAUSES:
                raise ValueError(
                    "proxy_community is for a blind spot without a community organisation "
                    "or not fully occupied (八)"
                )
            if self.community_organisation is CommunityOrganisation.established:
                raise ValueError(
                    "proxy_community manages only until a community organisation is established"
                )
        for code in self.adjacent_districts:
            _at_level(code, Level.district, "adjacent_districts")
        if len(set(self.adjacent_districts)) != len(self.adjacent_districts):
            raise ValueError("adjacent_districts lists a district twice")
        if cause is BlindSpotCause.division_unclear and len(self.adjacent_districts) < 2:
            raise ValueError(
                "where the division is unclear, adjacent_districts must name at least two "
                "districts/counties (九)"
            )
        if (
            cause is BlindSpotCause.no_community_organisation
            and self.community_organisation is CommunityOrganisation.established
        ):
            raise ValueError(
                "the blind-spot cause says no community organisation exists, but "
                "community_organisation is `established`"
            )
        if self.community is not None:
            _at_level(self.community, Level.community, "community")
            if form_of(self.community) is not Form.urban:
                raise ValueError("community must be a residents' committee (last three 0xx-1xx)")
        if self.original_village is not None:
            _at_level(self.original_village, Level.community, "original_village")
            if form_of(self.original_village) is not Form.rural:
                raise ValueError(
                    "original_village must be a villagers' committee (last three 2xx-3xx)"
                )
        if self.urbanisation is not Urbanisation.none:
            self._urbanising_consistent()
        return self

    def _urbanising_consistent(self) -> None:
        status = self.community_organisation
        if status is None:
            raise ValueError(
                "an area of article (十三) must say whether its community organisation is "
                "established (community_organisation)"
            )
        if status is CommunityOrganisation.established:
            if self.community_code is None:
                raise ValueError(
                    "the community organisation is established: give its code (community), "
                    "or give the area's place as a residents' committee code"
                )
            return
        if self.original_villagers_committee is None:
            raise ValueError(
                "the community organisation is not yet established: say whether the original "
                "villagers' committee still exists (original_villagers_committee)"
            )
        if self.original_villagers_committee and self.original_village_code is None:
            raise ValueError(
                "the original villagers' committee exists: give its code (original_village), or "
                "give the area's place as a villagers' committee code"
            )

    @property
    def district(self) -> str:
        return self.place[:6]

    @property
    def managing_street(self) -> str:
        """The street/township that manages the area under (八): designated, or its own."""
        return self.designated_street or self.place[:9]

    @property
    def community_code(self) -> str | None:
        """The residents' committee of the area's community organisation, where known."""
        if self.community is not None:
            return self.community
        if level_of(self.place) is Level.community and form_of(self.place) is Form.urban:
            return self.place
        return None

    @property
    def original_village_code(self) -> str | None:
        """The original villagers' committee, where known."""
        if self.original_village is not None:
            return self.original_village
        if level_of(self.place) is Level.community and form_of(self.place) is Form.rural:
            return self.place
        return None


class Unit(_Facts):
    """A unit located in the area (驻地单位), article (十): its kind, rank, size and location."""

    kind: Literal["unit"] = "unit"
    id: str | None = Field(default=None, description="the caller's own identifier, kept as is")
    category: UnitCategory = Field(description="government organ, public institution, ...")
    rank: Rank = Field(default=Rank.none, description="administrative rank (行政级别)")
    large_state_owned_enterprise: bool = Field(
        default=False,
        description="designated a large state-owned enterprise (国营大企业); the text sets no "
        "size, so this is a designation the caller supplies",
    )
    staff: Staff = Field(description="total staff (职工总数)")
    location: Place = Field(
        description="the community/village (12 digits) where the unit is located"
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        _at_level(self.location, Level.community, "location")
        if (
            self.large_state_owned_enterprise
            and self.category is not UnitCategory.state_owned_enterprise
        ):
            raise ValueError(
                "large_state_owned_enterprise is for a unit of category state_owned_enterprise"
            )
        return self

    @property
    def district(self) -> str:
        return self.location[:6]


class District(_Facts):
    """A district or county (区县), for the duties of chapter 5 that each district carries."""

    kind: Literal["district"] = "district"
    id: str | None = Field(default=None, description="the caller's own identifier, kept as is")
    code: Place = Field(description="the district/county code (6 digits)")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        _at_level(self.code, Level.district, "code")
        return self


class _HukouAndResidence(_Facts):
    """A fact set with a hukou place and a residence place, and how far apart they are."""

    hukou: Place
    residence: Place

    @property
    def cross_street(self) -> bool:
        """Hukou and residence lie in different streets/townships (the first 9 digits differ)."""
        return _differ(self.hukou, self.residence, 9)  # code_at(..., Level.street)

    @property
    def cross_district(self) -> bool:
        """Hukou and residence lie in different districts/counties (the first 6 digits differ)."""
        return _differ(self.hukou, self.residence, 6)  # code_at(..., Level.district)


class Resident(_HukouAndResidence):
    """A person registered (户籍) in one place and living (现居住) in another, or the same."""

    kind: Literal["resident"] = "resident"
    id: str | None = Field(default=None, description="the caller's own identifier, kept as is")
    hukou: Place = Field(description="household registration place (户籍登记地), from the register")
    residence: Place = Field(description="current residence place (现居住地)")
    sex: Sex
    age: Age
    marital_status: MaritalStatus = MaritalStatus.unmarried
    spouse_sex: Sex | None = Field(default=None, description="only for a married resident")
    spouse_hukou: Place | None = Field(
        default=None, description="the spouse's hukou place, where known; only if married"
    )
    area: Area | None = Field(
        default=None,
        description="the facts of the area where the resident lives (a blind spot, say); its "
        "place must be in the residence's street/township",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        _fine_enough(self.hukou, "hukou")
        _fine_enough(self.residence, "residence")
        if self.area is not None and code_at(self.area.place, Level.street) != code_at(
            self.residence, Level.street
        ):
            raise ValueError(
                "the resident lives in the area: area.place must be in the residence's "
                f"street/township {code_at(self.residence, Level.street)}"
            )
        if self.spouse_hukou is not None:
            _fine_enough(self.spouse_hukou, "spouse_hukou")
        if self.marital_status is not MaritalStatus.married and (
            self.spouse_sex is not None or self.spouse_hukou is not None
        ):
            raise ValueError("spouse_sex and spouse_hukou are only for a married resident")
        return self

    @property
    def woman_hukou(self) -> str | None:
        """The hukou place of the woman of the couple (女方户籍地), where the facts tell it."""
        if self.sex is Sex.female:
            return self.hukou
        if self.spouse_sex is Sex.female:
            return self.spouse_hukou
        return None


class BirthCase(_HukouAndResidence):
    """An out-of-policy birth (政策外生育) to a separated person, as article (五) handles it."""

    kind: Literal["birth_case"] = "birth_case"
    id: str | None = Field(default=None, description="the caller's own identifier, kept as is")
    hukou: Place = Field(description="the separated parent's hukou place")
    residence: Place = Field(description="the separated parent's residence place")
    hukou_reported: bool = Field(description="the hukou place has reported the birth")
    residence_reported: bool = Field(description="the residence place has reported the birth")
    attribution_disputed: bool = Field(
        default=False,
        description="the two places cannot agree to which of them the case is attributed",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        _fine_enough(self.hukou, "hukou")
        _fine_enough(self.residence, "residence")
        return self
