"""Passes 1–3 of loading a policy: read every file strictly, validate each against the schema,
and merge them — a section, and every name inside one, may be defined in one file only."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import Diagnostic, Location, PolicyError, suggest
from .files import Listing, policy_listing
from .strict_yaml import LocatedDocument, Path_, load_yaml

if TYPE_CHECKING:  # imported where used: kept documents are not validated again (doc_cache)
    from pydantic import ValidationError

    from . import schema as s

__all__ = ["pydantic_diagnostics"]


@cache
def _field_names() -> frozenset[str]:
    """Every key a schema model has, for suggestions."""
    from pydantic import BaseModel

    from . import schema as s

    names: set[str] = set()
    for obj in vars(s).values():
        if isinstance(obj, type) and issubclass(obj, BaseModel):
            names.update(f.alias or n for n, f in obj.model_fields.items())
    return frozenset(names)


@dataclass
class _Source:
    doc: LocatedDocument
    model: s.PolicyFile


@dataclass
class _Merged:
    """Every section of every file, each name with the file that defined it."""

    meta: tuple[s.Meta, _Source] | None = None
    document: tuple[s.Document, _Source] | None = None
    vocabulary: tuple[s.Vocabulary, _Source] | None = None
    chapters: dict[int, tuple[int, s.Chapter, _Source]] = field(default_factory=dict)
    articles: dict[int, tuple[int, s.Article, _Source]] = field(default_factory=dict)
    parameters: dict[str, tuple[s.Parameter, _Source]] = field(default_factory=dict)
    bodies: dict[str, tuple[s.Body, _Source]] = field(default_factory=dict)
    definitions: dict[str, tuple[s.Definition, _Source]] = field(default_factory=dict)
    questions: dict[str, tuple[s.Question, _Source]] = field(default_factory=dict)
    places: tuple[s.Places, _Source] | None = None
    enums: dict[str, tuple[dict[str, s.Text], _Source]] = field(default_factory=dict)
    subjects: dict[str, tuple[s.Subject, _Source]] = field(default_factory=dict)
    tables: dict[str, tuple[s.Table, _Source]] = field(default_factory=dict)
    place_names: dict[str, tuple[s.Text | str, _Source]] = field(default_factory=dict)
    place_name_tables: dict[str, tuple[str, _Source]] = field(default_factory=dict)
    amendments: list[tuple[s.Amendment, _Source]] = field(default_factory=list)


_NAMED_SECTIONS = (
    "parameters",
    "bodies",
    "definitions",
    "questions",
    "enums",
    "subjects",
    "tables",
    "place_names",
    "place_name_tables",
)
"""The sections that are mappings of names, each name defined in one file only."""


# --- pass 1 and 2: read and validate --------------------------------------------------------------


def _listing(root: Path) -> Listing | None:
    """What the policy directory holds (None for a policy of one file); refuses what it cannot
    read, and every file that would be neither read nor documentation."""
    if not root.exists():
        raise PolicyError.single("file", "no such policy directory", Location(str(root), 1, 1))
    if not root.is_dir():
        return None
    try:
        return policy_listing(root)
    except OSError as exc:
        raise PolicyError.single(
            "file", f"cannot list the directory: {exc.strerror or exc}", Location(str(root), 1, 1)
        ) from exc


def _read(
    root: Path, listing: Listing | None, shown: Callable[[Path], str] = str
) -> list[LocatedDocument]:
    """Every policy file, each named (in its locations) as ``shown`` says: the path itself,
    or for a policy rebuilt from its content, the path it had where it was loaded."""
    if listing is None:
        return [load_yaml(root, shown(root))]
    if not listing.policy:
        raise PolicyError.single(
            "file", "the policy directory holds no *.yaml file", Location(str(root), 1, 1)
        )
    return [load_yaml(f, shown(f), within=root) for f in listing.policy]


def pydantic_diagnostics(
    doc: LocatedDocument, exc: ValidationError, prefix: Path_ = ()
) -> list[Diagnostic]:
    """Located diagnostics for a pydantic error on a YAML document (or on the value at
    ``prefix`` inside it)."""
    out: list[Diagnostic] = []
    seen: set[tuple[Path_, str]] = set()
    for err in exc.errors():
        path, last = _doc_path(doc.value, (*prefix, *err["loc"]))
        kind = err["type"]
        if kind == "extra_forbidden":
            code, suggestion = "unknown-key", suggest(str(last), _field_names())
            message = f"unknown key `{last}`"
        elif kind == "missing":
            code, suggestion = "missing-key", None
            message = f"missing key `{last}`"
        else:
            code, suggestion = "schema", None
            where = ".".join(str(p) for p in path) or "document"
            message = f"{where}: {err['msg']}"
        if (path, code) in seen:
            continue
        seen.add((path, code))
        at = doc.key_location(path) if code == "unknown-key" else doc.location(path)
        out.append(Diagnostic(code, message, at, suggestion, path))
    return out


def _doc_path(value: Any, loc: Iterable[int | str]) -> tuple[Path_, int | str]:
    """The part of a pydantic location that indexes into the document, and its last element."""
    path: list[str | int] = []
    last: int | str = ""
    for part in loc:
        last = part
        inside_dict = isinstance(value, dict) and part in value
        inside_list = isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value)
        if inside_dict or inside_list:
            value = value[part]
            path.append(part)
    return tuple(path), last


def _validate(docs: list[LocatedDocument]) -> list[_Source]:
    from pydantic import ValidationError

    from . import schema as s

    sources: list[_Source] = []
    problems: list[Diagnostic] = []
    for doc in docs:
        try:
            sources.append(_Source(doc, s.PolicyFile.model_validate(doc.value)))
        except ValidationError as exc:
            problems.extend(pydantic_diagnostics(doc, exc))
    if problems:
        raise PolicyError(problems)
    return sources


# --- pass 3: merge --------------------------------------------------------------------------------


def _merge(sources: list[_Source]) -> _Merged:
    merged = _Merged()
    problems: list[Diagnostic] = []

    def once(name: str, current: tuple[Any, _Source] | None, src: _Source, path: Path_) -> None:
        if current is not None:
            problems.append(
                Diagnostic(
                    "duplicate-name",
                    f"section `{name}` is also in {current[1].doc.file}",
                    src.doc.location(path),
                )
            )

    for src in sources:
        m = src.model
        if m.policy is not None:
            once("policy", merged.meta, src, ("policy",))
            merged.meta = (m.policy, src)
        if m.document is not None:
            once("document", merged.document, src, ("document",))
            merged.document = (m.document, src)
        if m.vocabulary is not None:
            once("vocabulary", merged.vocabulary, src, ("vocabulary",))
            merged.vocabulary = (m.vocabulary, src)
        if m.places is not None:
            once("places", merged.places, src, ("places",))
            merged.places = (m.places, src)
        for i, chapter in enumerate(m.chapters):
            _put(
                merged.chapters,
                chapter.number,
                (i, chapter, src),
                src,
                ("chapters", i),
                "chapter",
                problems,
            )
        for i, article in enumerate(m.articles):
            _put(
                merged.articles,
                article.number,
                (i, article, src),
                src,
                ("articles", i),
                "article",
                problems,
            )
        merged.amendments.extend((a, src) for a in m.amendments)
        for section in _NAMED_SECTIONS:
            table: dict[str, Any] = getattr(merged, section)
            for name, value in getattr(m, section).items():
                _put(table, name, (value, src), src, (section, name), section[:-1], problems)
    for section, where in (
        ("policy", merged.meta),
        ("vocabulary", merged.vocabulary),
        ("document", merged.document),
        ("places", merged.places),
    ):
        if where is None:
            first = sources[0].doc
            problems.append(
                Diagnostic(
                    "missing-key",
                    f"no file of the policy has the `{section}` section",
                    first.location(()),
                )
            )
    if problems:
        raise PolicyError(problems)
    return merged


def _put(
    table: dict[Any, Any],
    key: Any,
    value: Any,
    src: _Source,
    path: Path_,
    what: str,
    problems: list[Diagnostic],
) -> None:
    if key in table:
        other: _Source = table[key][-1]
        problems.append(
            Diagnostic(
                "duplicate-name",
                f"{what} `{key}` is defined twice (also in {other.doc.file})",
                src.doc.location(path),
            )
        )
    else:
        table[key] = value
