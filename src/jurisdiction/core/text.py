"""Small immutable values shared by the policy and the decisions: bilingual text, citations."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, NoReturn

__all__ = ["PLACEHOLDER", "Cite", "Lang", "Text", "numeral", "placeholders", "yes_no"]

PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)\}")
"""A value in a reason's text: ``{<subject>.<feature or place>}`` or ``{param.<name>}``."""

Lang = Literal["zh", "en"]

_DIGITS = "零一二三四五六七八九"


def numeral(n: int) -> str:
    """Chinese numeral for 1..99, as articles are numbered: 1 → 一, 12 → 十二, 20 → 二十."""
    if not 0 < n < 100:
        raise ValueError(f"article and item numbers run from 1 to 99, got {n}")
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + (_DIGITS[ones] if ones else "")


@dataclass(frozen=True, slots=True)
class Text:
    """The same words in Chinese and in English."""

    zh: str
    en: str

    def __getitem__(self, lang: Lang) -> str:
        return self.zh if lang == "zh" else self.en

    def __contains__(self, part: object) -> bool:
        """Refused: ``x in text`` would otherwise iterate ``text[0]``, ``text[1]``, … forever."""
        raise TypeError("a Text holds two languages: search text.zh or text.en")

    def __iter__(self) -> NoReturn:
        raise TypeError("a Text holds two languages: take text.zh or text.en")


def yes_no(value: bool) -> Text:
    """A true/false value as words of each language (a parameter's value shown in a note)."""
    return Text("是", "true") if value else Text("否", "false")


def placeholders(text: Text) -> list[tuple[str, str]]:
    """The ``(head, name)`` of each value the text asks to be filled in, in either language."""
    return sorted({(m[1], m[2]) for t in (text.zh, text.en) for m in PLACEHOLDER.finditer(t)})


@dataclass(frozen=True, slots=True, order=True)
class Cite:
    """A reference to an article of the policy text, and optionally one of its items."""

    article: int
    item: int | None = None

    def __str__(self) -> str:
        label = f"({numeral(self.article)})"
        return label if self.item is None else f"{label}{self.item}"

    def label(self, lang: Lang) -> str:
        if lang == "zh":
            head = f"第({numeral(self.article)})条"
            return head if self.item is None else f"{head}第{numeral(self.item)}项"
        head = f"article ({numeral(self.article)})"
        return head if self.item is None else f"{head} item {self.item}"
