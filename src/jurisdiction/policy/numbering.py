"""Pass 1 of loading a policy, with the answers written in rules: numbers the text implies.

A chapter, an article, or an article's item or paragraph that gives no ``number`` takes the one
after the entry before it in its list (the first entry: 1), so a text written in order need not
number what its order already says. The number is located at the entry, so a problem with it
(two articles 5, say: ``duplicate-name``) is reported where the entry is written. Entries that
give their number keep it, as before.
"""

from __future__ import annotations

from typing import Any

from .strict_yaml import LocatedDocument, Mark, Path_

__all__ = ["NUMBER", "number_in_order"]

NUMBER = "number"
_LISTS = ("chapters", "articles")
_PARTS = ("items", "paragraphs")  # an article's lists


def _numbered(
    entries: Any, at: Path_, doc: LocatedDocument, marks: dict[Path_, Mark]
) -> tuple[Any, bool]:
    """``entries`` with each entry that gives no number numbered after the one before."""
    if not isinstance(entries, list):
        return entries, False
    out: list[Any] = []
    previous, changed = 0, False
    for i, written in enumerate(entries):
        entry = written
        if isinstance(written, dict) and NUMBER not in written:
            entry = {NUMBER: previous + 1, **written}
            marks[(*at, i, NUMBER)] = marks.get((*at, i)) or Mark(doc.location((*at, i)), None)
            changed = True
        number = entry.get(NUMBER) if isinstance(entry, dict) else None
        previous = number if isinstance(number, int) and not isinstance(number, bool) else previous
        out.append(entry)
    return out, changed


def _document(doc: LocatedDocument) -> LocatedDocument:
    if not isinstance(doc.value, dict) or not any(k in doc.value for k in _LISTS):
        return doc
    marks = dict(doc.marks)
    value = dict(doc.value)
    changed = False
    for section in _LISTS:
        value[section], did = _numbered(value.get(section), (section,), doc, marks)
        changed |= did
        if section not in doc.value:
            del value[section]
    articles = value.get("articles")
    if isinstance(articles, list):
        for i, written in enumerate(articles):
            if not isinstance(written, dict):
                continue
            article = dict(written)
            for part in _PARTS:
                if part in article:
                    article[part], did = _numbered(article[part], ("articles", i, part), doc, marks)
                    changed |= did
            articles[i] = article
    return LocatedDocument(doc.file, value, marks, doc.keys, doc.digest) if changed else doc


def number_in_order(docs: list[LocatedDocument]) -> list[LocatedDocument]:
    """The documents with every chapter, article, item and paragraph numbered."""
    return [_document(doc) for doc in docs]
