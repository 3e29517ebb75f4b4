"""Small immutable values shared by the policy and the decisions: bilingual text, citations."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, NoReturn

__all__ = [
    "PLACEHOLDER",
    "Cite",
    "CiteStyle",
    "Lang",
    "Text",
    "filled",
    "numeral",
    "placeholders",
    "shown",
    "yes_no",
]

PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)\}")
"""A value in a reason's text: ``{<subject>.<feature or place>}`` or ``{param.<name>}``."""

Lang = Literal["zh", "en"]
CiteStyle = Literal["opinion", "statute"]
"""How a policy's text numbers its parts: an opinion's ``(九)`` articles with items ``(二)5``, or a
statute's 条/款/项 (``第九条第二款``, ``第十二条第（一）项``)."""

_DIGITS = "零一二三四五六七八九"


def numeral(n: int) -> str:
    """Chinese numeral for 1..999, as articles are numbered: 1 → 一, 12 → 十二, 20 → 二十,
    105 → 一百零五, 110 → 一百一十."""
    if not 0 < n < 1000:
        raise ValueError(f"article and item numbers run from 1 to 999, got {n}")
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    if hundreds == 0:
        head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
        return head + (_DIGITS[ones] if ones else "")
    out = _DIGITS[hundreds] + "百"
    if tens:
        out += _DIGITS[tens] + "十"
    elif ones:
        out += "零"
    return out + (_DIGITS[ones] if ones else "")


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


def shown(value: object) -> str:
    """A value as a reason shows it."""
    if isinstance(value, bool):
        return str(value).lower()
    if value is None:
        return "—"
    if isinstance(value, tuple):
        return ", ".join(shown(v) for v in value)
    return str(value)


def filled(
    reason: Text, fills: tuple[tuple[str, Callable[[Any, Any], Any]], ...], facts: Any, ctx: Any
) -> Text:
    """The reason with the fact set's values in it, now."""
    zh, en = reason.zh, reason.en
    for placeholder, get in fills:
        value = shown(get(facts, ctx))
        zh, en = zh.replace(placeholder, value), en.replace(placeholder, value)
    return Text(zh, en)


def placeholders(text: Text) -> list[tuple[str, str]]:
    """The ``(head, name)`` of each value the text asks to be filled in, in either language."""
    return sorted({(m[1], m[2]) for t in (text.zh, text.en) for m in PLACEHOLDER.finditer(t)})


@dataclass(frozen=True, slots=True)
class Cite:
    """A reference to an article of the policy text, and optionally one of its paragraphs (款)
    and items (项), written in the style of the policy's text (``style``, which two citations
    equal without)."""

    article: int
    item: int | None = None
    paragraph: int | None = None
    style: CiteStyle = field(default="opinion", compare=False)

    # Citations sort in the order of the text: an article before its paragraphs, a paragraph
    # before its items, whichever parts each names (a whole article and an item of it compare).
    def _key(self) -> tuple[int, int, int]:
        """Absent parts sort first: 0 stands for "the whole" (numbers count from 1)."""
        return (self.article, self.paragraph or 0, self.item or 0)

    def __lt__(self, other: Cite) -> bool:
        return self._key() < other._key()

    def __le__(self, other: Cite) -> bool:
        return self._key() <= other._key()

    def __gt__(self, other: Cite) -> bool:
        return self._key() > other._key()

    def __ge__(self, other: Cite) -> bool:
        return self._key() >= other._key()

    def __str__(self) -> str:
        if self.style == "statute":
            return self.label("zh")
        label = f"({numeral(self.article)})"
        if self.paragraph is not None:
            label += f"第{numeral(self.paragraph)}款"
        return label if self.item is None else f"{label}{self.item}"

    def label(self, lang: Lang) -> str:
        if self.style == "statute":
            return self._statute(lang)
        paragraph = self.paragraph
        if lang == "zh":
            head = f"第({numeral(self.article)})条"
            head += "" if paragraph is None else f"第{numeral(paragraph)}款"
            return head if self.item is None else f"{head}第{numeral(self.item)}项"
        head = f"article ({numeral(self.article)})"
        head += "" if paragraph is None else f" paragraph {paragraph}"
        return head if self.item is None else f"{head} item {self.item}"

    def _statute(self, lang: Lang) -> str:
        """条/款/项: 第九条第二款第（一）项; in English, Article 9(2) item (1)."""
        paragraph, item = self.paragraph, self.item
        if lang == "zh":
            out = f"第{numeral(self.article)}条"
            out += "" if paragraph is None else f"第{numeral(paragraph)}款"
            return out + ("" if item is None else f"第（{numeral(item)}）项")
        out = f"Article {self.article}" + ("" if paragraph is None else f"({paragraph})")
        return out + ("" if item is None else f" item ({item})")
