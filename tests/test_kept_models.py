"""The validated schema models the command line keeps beside a policy's documents
(``jurisdiction.policy.kept_models``): read back as plain objects, every file of the bundled and
example policies has the same fields, dumps and equality as the pydantic models it was kept from;
the list of model classes is the schema's; anything else is not believed."""

from __future__ import annotations

import json
import typing
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from jurisdiction.core.paths import bundled_policy_path
from jurisdiction.policy import schema
from jurisdiction.policy.doc_cache import documents
from jurisdiction.policy.kept_models import (
    CLASS,
    MODEL_NAMES,
    Plain,
    decode_models,
    encode_models,
)
from jurisdiction.policy.sources import _listing, _validate

ROOT = Path(__file__).resolve().parent.parent
POLICIES = [
    bundled_policy_path(),
    *sorted(p for p in (ROOT / "examples").iterdir() if (p / "facts.yaml").exists()),
]


def _models_within(annotation: Any, found: set[type[BaseModel]]) -> None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation not in found:
            found.add(annotation)
            for info in annotation.model_fields.values():
                _models_within(info.annotation, found)
        return
    for arg in typing.get_args(annotation):
        _models_within(arg, found)


def test_the_classes_kept_are_the_schema_models_a_policy_file_holds() -> None:
    found: set[type[BaseModel]] = set()
    _models_within(schema.PolicyFile, found)
    assert sorted(m.__name__ for m in found) == sorted(MODEL_NAMES)
    assert len(set(MODEL_NAMES)) == len(MODEL_NAMES)


def _validated(root: Path) -> list[schema.PolicyFile]:
    listing = _listing(root)
    return [s.model for s in _validate(documents(root, listing, str).docs)]


def _same(plain: Any, model: Any, where: str) -> None:
    """``plain`` reads as ``model`` does, field by field, to the leaves."""
    if isinstance(model, BaseModel):
        assert type(plain).__name__ == type(model).__name__, where
        assert isinstance(plain, Plain), where
        for name in type(model).model_fields:
            _same(getattr(plain, name), getattr(model, name), f"{where}.{name}")
    elif isinstance(model, list):
        assert isinstance(plain, list), where
        assert len(plain) == len(model), where
        for i, (p, m) in enumerate(zip(plain, model, strict=True)):
            _same(p, m, f"{where}[{i}]")
    elif isinstance(model, dict):
        assert isinstance(plain, dict), where
        assert list(plain) == list(model), where
        for key in model:
            _same(plain[key], model[key], f"{where}[{key!r}]")
    else:
        assert type(plain) is type(model), where
        assert plain == model, where


@pytest.mark.parametrize("root", POLICIES, ids=[p.name for p in POLICIES])
def test_every_file_reads_back_as_validated(root: Path) -> None:
    models = _validated(root)
    plain = decode_models(encode_models(list(models)), len(models))
    again = decode_models(encode_models(list(models)), len(models))
    for p, m in zip(plain, models, strict=True):
        _same(p, m, root.name)
        assert p.model_dump() == m.model_dump()
        assert json.dumps(p.model_dump(), sort_keys=True, ensure_ascii=False) == json.dumps(
            m.model_dump(), sort_keys=True, ensure_ascii=False
        )
    assert plain == again  # equal by value, as frozen pydantic models are
    hashes = [[hash(x.policy) for x in side if x.policy] for side in (plain, again)]
    assert hashes[0] == hashes[1]


def test_a_kept_model_is_frozen_and_compared_by_class_and_fields() -> None:
    [text, other, same] = decode_models(
        json.dumps(
            [
                {CLASS: "PolicyFile", "policy": None, "chapters": []},
                {CLASS: "PolicyFile", "policy": None, "chapters": [1]},
                {CLASS: "PolicyFile", "policy": None, "chapters": []},
            ]
        ),
        3,
    )
    assert text == same
    assert text != other
    with pytest.raises(AttributeError):
        text.chapters = []  # type: ignore[misc]


@pytest.mark.parametrize(
    "text",
    [
        json.dumps([{CLASS: "Unknown"}]),  # a class the schema has not
        json.dumps([{CLASS: "Text", "zh": "a", "en": "b"}]),  # not a policy file
        json.dumps({CLASS: "PolicyFile"}),  # not a list
        json.dumps([{CLASS: "PolicyFile"}, {CLASS: "PolicyFile"}]),  # not one per document
    ],
)
def test_anything_else_is_not_believed(text: str) -> None:
    with pytest.raises((TypeError, KeyError, ValueError)):
        decode_models(text, 1)


def test_a_mapping_key_that_would_read_back_otherwise_is_not_kept() -> None:
    class Odd(BaseModel):
        pass

    with pytest.raises(TypeError):
        encode_models([Odd()])
    [model] = _validated(bundled_policy_path() / "facts.yaml")
    assert model.enums
    bad = model.model_copy(update={"enums": {f"{CLASS}x": {}}})
    with pytest.raises(TypeError):
        encode_models([bad])


def test_no_schema_model_a_policy_file_holds_has_more_than_its_fields() -> None:
    """A property or public method on one of these models would be missing from the plain
    object a warm load reads: the loader may only read fields (see ``kept_models``)."""
    found: set[type[BaseModel]] = set()
    _models_within(schema.PolicyFile, found)
    extra = {
        f"{model.__name__}.{name}"
        for model in found
        for name in vars(model)
        if not name.startswith("_") and name not in model.model_fields and name != "model_config"
    }
    assert extra == set()
