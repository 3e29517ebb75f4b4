"""The facts a caller supplies, as frozen pydantic models that reject unknown fields.

Facts say what *is* (codes, ages, flags). What follows from them under a policy is the engine's
business; relations that need no policy (same street, urban form) are derived here.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ._places import Level, Place, code_at

__all__ = [
    "BirthCase",
    "MaritalStatus",
    "Resident",
    "Sex",
]


class Sex(StrEnum):
    female = "female"
    male = "male"


class MaritalStatus(StrEnum):
    unmarried = "unmarried"
    married = "married"
    divorced = "divorced"
    widowed = "widowed"


class _Facts(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=False)


Age = Annotated[int, Field(ge=0, le=150, description="age in whole years")]


def _fine_enough(code: str, what: str) -> None:
    if code_at(code, Level.street) is None:
        raise ValueError(
            f"{what} must name a street/township (9 digits) or community/village (12 digits), "
            f"got the district code {code!r}"
        )


class Resident(_Facts):
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

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        _fine_enough(self.hukou, "hukou")
        _fine_enough(self.residence, "residence")
        if self.spouse_hukou is not None:
            _fine_enough(self.spouse_hukou, "spouse_hukou")
        if self.marital_status is not MaritalStatus.married and (
            self.spouse_sex is not None or self.spouse_hukou is not None
        ):
            raise ValueError("spouse_sex and spouse_hukou are only for a married resident")
        return self

    @property
    def cross_street(self) -> bool:
        return code_at(self.hukou, Level.street) != code_at(self.residence, Level.street)

    @property
    def cross_district(self) -> bool:
        return code_at(self.hukou, Level.district) != code_at(self.residence, Level.district)

    @property
    def woman_hukou(self) -> str | None:
        """The hukou place of the woman of the couple (女方户籍地), where the facts tell it."""
        if self.sex is Sex.female:
            return self.hukou
        if self.spouse_sex is Sex.female:
            return self.spouse_hukou
        return None


class BirthCase(_Facts):
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

    @property
    def cross_street(self) -> bool:
        return code_at(self.hukou, Level.street) != code_at(self.residence, Level.street)

    @property
    def cross_district(self) -> bool:
        return code_at(self.hukou, Level.district) != code_at(self.residence, Level.district)
