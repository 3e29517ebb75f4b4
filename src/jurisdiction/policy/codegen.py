"""Generate a typed Python module of a policy's fact models, for callers' static type checkers.

The engine builds its fact models at run time (``policy.fact_models``), so a type checker cannot
see them. ``jurisdiction models`` writes them out as source text instead: a ``StrEnum`` per
declared enum and a frozen pydantic model per subject, with the declared docs as docstrings. The
text is built from the loaded policy, never executed here; ``Engine.decide`` accepts an instance of
a generated class by revalidating its ``model_dump()`` against the policy's own model, so the
checks that need the place hierarchy and the constraints still run.
"""

from __future__ import annotations

import keyword
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..core.errors import PolicyError
from ..core.text import Text
from ..language.subjects import FieldInfo, Subject
from .fact_models import class_name
from .model import Policy

__all__ = ["COMMAND", "generate"]

COMMAND = "jurisdiction models"
"""The command that writes the module (named in its header)."""

_WIDTH = 100  # the longest line written, in display columns (a CJK character takes two)
_INDENT = "    "
_IMPORTED = frozenset({"BaseModel", "ConfigDict", "Field", "Literal", "StrEnum", "datetime"})
_ENUM_RESERVED = frozenset({*dir(str), "name", "value"})  # a member may not shadow these
_MODEL_RESERVED = frozenset({"kind", "id", "model_config", *dir(object)})


def _columns(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _wrap(text: str, width: int) -> list[str]:
    """``text`` as lines of at most ``width`` display columns, broken at spaces."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if line and _columns(candidate) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    if line:
        lines.append(line)
    return lines


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')


def _docstring(paragraphs: Iterable[str], indent: str) -> list[str]:
    """A docstring whose paragraphs are wrapped to fit the width at ``indent``."""
    width = _WIDTH - len(indent) - 6  # room for the quotes on a one-line docstring
    body: list[str] = []
    for paragraph in paragraphs:
        if body:
            body.append("")
        body.extend(_wrap(_escape(paragraph), width))
    if not body:
        return []
    if len(body) == 1:
        text = body[0]
        if text.endswith('"'):
            text += " "
        return [f'{indent}"""{text}"""']
    return [
        f'{indent}"""{body[0]}',
        *(f"{indent}{line}" if line else "" for line in body[1:]),
        f'{indent}"""',
    ]


def _identifier(name: str, reserved: frozenset[str]) -> str:
    """A Python name for a policy name (the policy's names are already lowercase identifiers)."""
    if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name in reserved:
        return name + "_"
    return name


def _sentence(text: str) -> str:
    """``text`` as a sentence: a capital first letter, a full stop at the end."""
    text = " ".join(text.split())
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?\u3002" else text + "."


def _label(text: Text) -> str:
    return text.zh if text.zh == text.en else f"{text.zh} ({text.en})"


@dataclass(frozen=True, slots=True)
class _Names:
    """What the module calls things: each enum's class and values, each subject's class, and the
    declared type of each field (an enum field's type names its enum)."""

    enums: Mapping[str, str]
    values: Mapping[str, tuple[str, ...]]
    subjects: Mapping[str, str]
    types: Mapping[tuple[str, str], str]
    lengths: Mapping[str, int]  # the code length of each level of the place hierarchy

    def enum_class(self, subject: str, info: FieldInfo) -> str:
        declared = self.types.get((subject, info.name))
        if declared is not None and declared in self.enums:
            return self.enums[declared]
        found = [cls for name, cls in self.enums.items() if self.values[name] == info.values]
        if not found:
            raise PolicyError.single(
                "unknown-type", f"field `{info.name}` takes an enum the policy does not declare"
            )
        return found[0]


def _declared_types(policy: Policy) -> dict[tuple[str, str], str]:
    """The type each field is declared with, where the loaded policy still holds declarations."""
    builder = policy.facts.builder if policy.facts is not None else None
    if builder is None:
        return {}
    return {
        (subject, name): spec.type
        for subject, (decl, _src) in builder.m.subjects.items()
        for name, spec in decl.fields.items()
    }


def _names(policy: Policy) -> _Names:
    """The class of each enum and of each subject; an enum whose class would be a subject's, or
    a name the module imports, is suffixed."""
    assert policy.facts is not None
    subjects = {name: class_name(name) for name in policy.subjects}
    taken = set(subjects.values()) | _IMPORTED
    enums: dict[str, str] = {}
    for name in policy.facts.enums:
        cls = class_name(name)
        if cls in taken:
            cls += "Value"
        enums[name] = cls
    clash = sorted(n for n, c in subjects.items() if c in _IMPORTED)
    if clash:
        raise PolicyError.single(
            "duplicate-name",
            "a generated module cannot name a subject's class like the names it imports: "
            + ", ".join(clash),
        )
    values = {n: tuple(v) for n, v in policy.facts.enums.items()}
    lengths = {lv.name: lv.length for lv in policy.hierarchy.levels}
    return _Names(enums, values, subjects, _declared_types(policy), lengths)


def _ordered(subjects: Mapping[str, Subject]) -> list[Subject]:
    """Subjects in declaration order, each after the subjects its fields contain."""
    done: dict[str, Subject] = {}

    def visit(subject: Subject) -> None:
        if subject.name in done:
            return
        for info in subject.fields.values():
            if info.subject is not None and info.subject in subjects:
                visit(subjects[info.subject])
        done[subject.name] = subject

    for subject in subjects.values():
        visit(subject)
    return list(done.values())


def _enum(name: str, cls: str, values: Mapping[str, Text]) -> list[str]:
    lines = [f"class {cls}(StrEnum):"]
    lines += _docstring([f"The values of the policy's enum `{name}`."], _INDENT)
    for value, text in values.items():
        lines.append("")
        lines.append(f'{_INDENT}{_identifier(value, _ENUM_RESERVED)} = "{value}"')
        lines += _docstring([_sentence(_label(text))], _INDENT)
    return lines


def _levels_doc(info: FieldInfo, lengths: Mapping[str, int]) -> str:
    what = "Place codes, each" if info.kind == "places" else "A place code"
    levels = " or ".join(f"{lv} ({lengths[lv]} characters)" for lv in info.levels)
    return f"{what} of level {levels}."


def _annotation(subject: str, info: FieldInfo, names: _Names) -> tuple[str, list[str]]:
    """A field's type, and the ``Field`` arguments that check it as the policy's model does."""
    kind = info.kind
    if kind == "bool":
        return "bool", ["strict=True"]
    if kind == "int":
        return "int", ["strict=True", f"ge={info.minimum}", f"le={info.maximum}"]
    if kind in ("text", "place"):
        return "str", ["strict=True"]
    if kind == "date":
        return "datetime.date", []
    if kind == "places":
        return "tuple[str, ...]", []
    if kind == "enum":
        return names.enum_class(subject, info), []
    assert info.subject is not None
    if kind == "records":
        most = [] if info.maximum is None else [f"max_length={info.maximum}"]
        return f"tuple[{names.subjects[info.subject]}, ...]", most
    return names.subjects[info.subject], []


def _default(subject: str, info: FieldInfo, names: _Names) -> str | None:
    """A field's default as source text; None if the field is required."""
    if info.kind in ("places", "records"):
        return "()" if info.has_default or info.optional else None
    if info.has_default:
        value = info.default
        if info.kind == "enum" and isinstance(value, str):
            return f"{names.enum_class(subject, info)}.{_identifier(value, _ENUM_RESERVED)}"
        if isinstance(value, str):
            return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return repr(value)
    return "None" if info.optional or info.derived_default else None


def _field(subject: str, info: FieldInfo, names: _Names) -> list[str]:
    """The annotated assignment and docstring of one field."""
    annotation, checks = _annotation(subject, info, names)
    if (info.optional or info.derived_default) and info.kind not in ("places", "records"):
        annotation += " | None"
    default = _default(subject, info, names)
    head = f"{_INDENT}{info.name}: {annotation}"
    if checks:
        args = ([] if default is None else [f"default={default}"]) + checks
        head += f" = Field({', '.join(args)})"
    elif default is not None:
        head += f" = {default}"
    notes = [_sentence(info.doc)]
    if info.kind in ("place", "places"):
        notes.append(_levels_doc(info, names.lengths))
    if info.derived_default:
        notes.append("When absent, the policy derives it from the other fields.")
    return [head, *_docstring(notes, _INDENT)]


def _model(subject: Subject, names: _Names) -> list[str]:
    for name in subject.fields:
        if _identifier(name, _MODEL_RESERVED) != name or name.startswith("model_"):
            raise PolicyError.single(
                "schema",
                f"subject `{subject.name}`: a generated model cannot have a field named `{name}`",
            )
    lines = [f"class {names.subjects[subject.name]}(BaseModel):"]
    lines += _docstring([_sentence(subject.doc)], _INDENT)
    lines += [
        "",
        f'{_INDENT}model_config = ConfigDict(frozen=True, extra="forbid")',
        "",
        f'{_INDENT}kind: Literal["{subject.name}"] = "{subject.name}"',
        f'{_INDENT}"""What this fact set describes."""',
        "",
        f"{_INDENT}id: str | None = None",
        f'{_INDENT}"""The caller\'s own identifier, kept as is."""',
    ]
    for info in subject.fields.values():
        lines.append("")
        lines += _field(subject.name, info, names)
    return lines


def generate(policy: Policy) -> str:
    """The source text of a module of ``policy``'s fact models."""
    assert policy.facts is not None
    names = _names(policy)
    title = policy.title.en.rstrip(".")
    header = [
        f"The fact models of the policy `{policy.name}`, for static type checkers.",
        f"GENERATED by `{COMMAND}`: do not edit; run it again when the policy changes.",
        f"Policy: {policy.name} version {policy.version}, {title}.",
        f"Vocabulary digest: {policy.facts.digest}",
        "(of its places, enums, subjects and parameter values: the rules may change freely)",
        "A fact set built from these classes is checked again when the engine decides it: place "
        "codes against the policy's place hierarchy, and the constraints between fields.",
    ]
    body: list[str] = []
    for name, values in policy.facts.enums.items():
        body += ["", "", *_enum(name, names.enums[name], values)]
    for subject in _ordered(policy.subjects):
        body += ["", "", *_model(subject, names)]
    used = "\n".join(body)
    pydantic = ["BaseModel", "ConfigDict", *(["Field"] if "Field(" in used else [])]
    return (
        "\n".join(
            [
                *_docstring(header, ""),
                "",
                "from __future__ import annotations",
                "",
                *(["import datetime"] if "datetime.date" in used else []),
                *(["from enum import StrEnum"] if names.enums else []),
                "from typing import Literal",
                "",
                f"from pydantic import {', '.join(pydantic)}",
                "",
                "__all__ = [",
                *(
                    f'{_INDENT}"{cls}",'
                    for cls in sorted([*names.enums.values(), *names.subjects.values()])
                ),
                "]",
                *body,
            ]
        )
        + "\n"
    )
