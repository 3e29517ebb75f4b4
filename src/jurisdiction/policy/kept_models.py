"""A policy file's validated schema models (``policy.schema``) as plain data, and back as plain
objects that read like them, for the documents the command line keeps (``policy.doc_cache``).

Importing ``policy.schema`` makes its ~45 pydantic models: about a sixth of a warm
``jurisdiction decide``. A kept document was validated against those models when it was kept,
and the loader only reads the fields of the validated models (``sources._merge`` and the
builders after it). So the validated models are kept beside the documents, every field of each
model with its value as validation left it (defaults filled, aliases resolved to field names),
and read back as :class:`Plain` objects: one small class per schema model, named as it, whose
attributes are those fields, compared and dumped (``model_dump``) as the pydantic model is.
Nothing is validated again on read, and ``policy.schema`` is not imported.

What the loader may do with a schema model is therefore limited to what :class:`Plain` offers:
read its fields, compare it, hash it, dump it. ``tests/test_kept_models.py`` holds every file
of the bundled and example policies to the same fields and dumps both ways.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from pydantic import BaseModel

    from .schema import PolicyFile

__all__ = ["MODEL_NAMES", "Plain", "decode_models", "encode_models"]

MODEL_NAMES = (
    "PolicyFile",
    "Meta",
    "Document",
    "Text",
    "Chapter",
    "Article",
    "Item",
    "NotEncoded",
    "Period",
    "Parameter",
    "DatedValue",
    "Citation",
    "Vocabulary",
    "Body",
    "BodyLevelSpec",
    "Definition",
    "OutsideCase",
    "Question",
    "Rule",
    "Answer",
    "AnswerBody",
    "Places",
    "PlaceRoot",
    "PlaceLevel",
    "PlaceRange",
    "Subject",
    "FieldSpec",
    "Constraint",
    "FeatureSpec",
    "PlaceSpec",
    "Table",
    "Amendment",
    "ItemRef",
    "Ends",
    "Effect",
)
"""The schema models a validated policy file may hold (``tests/test_kept_models.py`` checks the
list against ``policy.schema``)."""

CLASS = "\0"
"""The key that names a model's class in its JSON object; no mapping of a policy holds it."""


class Plain:
    """A validated schema model as read back: its fields as attributes, frozen; equal to another
    of the same class with equal fields, and dumped as ``model_dump()`` dumps the model."""

    __slots__ = ("__dict__",)

    def __init__(self, fields: dict[str, Any]) -> None:
        object.__setattr__(self, "__dict__", fields)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen")

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.__dict__ == self.__dict__

    def __hash__(self) -> int:
        return hash((type(self).__name__, *self.__dict__.values()))

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in self.__dict__.items())
        return f"{type(self).__name__}({fields})"

    def model_dump(self) -> dict[str, Any]:
        """The fields as plain values, models as mappings: what pydantic's ``model_dump()``
        gives for the model this was kept from."""
        return {k: _dumped(v) for k, v in self.__dict__.items()}


def _dumped(value: Any) -> Any:
    if isinstance(value, Plain):
        return value.model_dump()
    if isinstance(value, list):
        return [_dumped(v) for v in value]
    if isinstance(value, dict):
        return {k: _dumped(v) for k, v in value.items()}
    return value


_CLASSES: dict[str, type[Plain]] = {
    name: type(name, (Plain,), {"__slots__": (), "__module__": __name__}) for name in MODEL_NAMES
}

_SCALARS = (str, int, bool, type(None))


def _encoded(value: Any) -> Any:
    """A validated model's value as JSON holds it; TypeError for anything else (not kept)."""
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, list):
        return [_encoded(v) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) and not k.startswith(CLASS) for k in value):
            raise TypeError("a mapping key JSON would not give back")
        return {k: _encoded(v) for k, v in value.items()}
    name = type(value).__name__
    fields = getattr(type(value), "model_fields", None)
    if name not in _CLASSES or not isinstance(fields, dict):
        raise TypeError(f"not a schema model: {name}")
    return {CLASS: name, **{f: _encoded(getattr(value, f)) for f in fields}}


def encode_models(models: list[BaseModel]) -> str:
    """The validated models of a policy's files as one line of JSON (TypeError if a value is
    not one JSON holds as it is)."""
    return json.dumps(
        [_encoded(m) for m in models], ensure_ascii=False, separators=(",", ":"), allow_nan=False
    )


def _object(found: dict[str, Any]) -> Any:
    name = found.pop(CLASS, None)
    if name is None:
        return found
    return _CLASSES[name](found)  # KeyError for a class not listed: the file is not believed


def decode_models(text: str | bytes, count: int) -> list[PolicyFile]:
    """The models :func:`encode_models` gave ``text`` from, as :class:`Plain` objects; TypeError,
    ValueError or KeyError if it is not ``count`` policy files."""
    found = json.loads(text, object_hook=_object)
    policy_file = _CLASSES["PolicyFile"]
    if not isinstance(found, list) or len(found) != count:
        raise TypeError("not the models of the documents")
    if not all(type(m) is policy_file for m in found):
        raise TypeError("not policy files")
    return cast("list[PolicyFile]", found)
