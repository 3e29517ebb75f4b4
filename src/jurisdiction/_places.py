"""Places as Chinese statistical division codes.

* 6 digits: district or county (GB/T 2260);
* 9 digits: street or township (GB/T 10114): the last three 0xx subdistrict (urban form),
  1xx town, 2xx–3xx township (rural form);
* 12 digits: community or village: the last three 0xx–1xx residents' committee (urban form),
  2xx–3xx villagers' committee (rural form).

A code is data: whether it still exists is for a code table, not for this module.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator

__all__ = [
    "Form",
    "Level",
    "Place",
    "code_at",
    "form_of",
    "level_of",
    "validate_place",
]


class Level(StrEnum):
    city = "city"
    district = "district"
    street = "street"
    community = "community"


class Form(StrEnum):
    urban = "urban"
    rural = "rural"


DIGITS = {Level.district: 6, Level.street: 9, Level.community: 12}
_LEVEL_BY_LENGTH = {n: level for level, n in DIGITS.items()}


def validate_place(code: str) -> str:
    """Check a district (6), street/township (9) or community/village (12) code."""
    if not code.isascii() or not code.isdigit():
        raise ValueError(f"a place code is 6, 9 or 12 digits, got {code!r}")
    if len(code) not in _LEVEL_BY_LENGTH:
        raise ValueError(
            f"a place code is 6 (district), 9 (street/township) or 12 (community/village) "
            f"digits, got {len(code)} digits: {code!r}"
        )
    if code[2:6] == "0000":
        raise ValueError(f"{code!r} names a province, not a district: digits 3-6 are 0000")
    if len(code) >= 9 and int(code[6:9]) >= 400:
        raise ValueError(
            f"{code!r}: the street/township part {code[6:9]} is not a subdistrict (0xx), "
            "town (1xx) or township (2xx-3xx)"
        )
    if len(code) == 12 and int(code[9:12]) >= 400:
        raise ValueError(
            f"{code!r}: the community part {code[9:12]} is not a residents' committee (0xx-1xx) "
            "or villagers' committee (2xx-3xx)"
        )
    return code


Place = Annotated[str, AfterValidator(validate_place)]
"""A validated place code (6, 9 or 12 digits)."""


def level_of(code: str) -> Level:
    return _LEVEL_BY_LENGTH[len(code)]


def code_at(code: str, level: Level) -> str | None:
    """The code of the place containing ``code`` at ``level``; None if ``code`` is coarser."""
    if level is Level.city:
        raise ValueError("the city is a policy parameter, not a part of a place code")
    digits = DIGITS[level]
    return code[:digits] if len(code) >= digits else None


def form_of(code: str) -> Form:
    """Urban or rural form, from the finest level the code has (a district is urban)."""
    if len(code) == 12:
        return Form.urban if int(code[9:12]) < 200 else Form.rural
    if len(code) == 9:
        return Form.urban if int(code[6:9]) < 100 else Form.rural
    return Form.urban
