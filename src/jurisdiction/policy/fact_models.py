"""Pydantic models of fact sets, generated from a policy's declared subjects.

Each subject becomes a frozen model (``create_model``) that forbids unknown fields: strict
booleans and whole numbers, enums as literals, place codes checked against the policy's place
hierarchy, nested subjects as nested models. After the fields, computed defaults are filled in and
the subject's constraints are checked; a violated constraint is reported at the field it names.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Annotated, Any, Literal, Self, TypeVar, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
    create_model,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from ..language.expressions import generated
from ..language.places import Hierarchy
from ..language.subjects import Constraint, FieldInfo

__all__ = ["FactModel", "FieldChecks", "class_name", "field_checks", "make_model"]

_M = TypeVar("_M", bound=BaseModel)


def class_name(subject: str) -> str:
    """``some_subject`` -> ``SomeSubject``."""
    return "".join(part.capitalize() for part in subject.split("_"))


class FactModel(BaseModel):
    """The base of every generated fact model: frozen, no unknown fields, and never a value that
    was not validated: ``model_copy(update=...)`` and ``model_construct`` validate what they
    build (pydantic's own skip validation, so a copy could carry a string where an int belongs
    and make the evaluators answer wrongly)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        if not update:
            return super().model_copy(deep=deep)
        return _validated(type(self), {**dict(self), **update})

    @classmethod
    def model_construct(cls, _fields_set: set[str] | None = None, **values: Any) -> Self:  # type: ignore[override]
        return _validated(cls, values)


def _validated(cls: type[_M], values: Any) -> _M:
    from ..core.errors import FactsError

    try:
        return cls.model_validate(values)
    except ValidationError as exc:
        parts = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'facts'}: {e['msg']}" for e in exc.errors()
        )
        raise FactsError(f"invalid facts: {parts}") from None


def _place_check(hierarchy: Hierarchy, levels: tuple[str, ...]) -> Callable[[str], str]:
    wanted = frozenset(levels)
    shown = " or ".join(levels)

    def check(code: str) -> str:
        problem = hierarchy.problem(code)
        if problem is not None:
            raise ValueError(problem)
        level = hierarchy.level_of(code)
        if wanted and level not in wanted:
            raise ValueError(f"must be a {shown} code, got the {level} code {code!r}")
        return code

    return check


def _annotation(
    info: FieldInfo, hierarchy: Hierarchy, nested: Mapping[str, type[BaseModel]]
) -> Any:
    kind = info.kind
    if kind == "bool":
        return StrictBool
    if kind == "int":
        return Annotated[StrictInt, Field(ge=info.minimum, le=info.maximum)]
    if kind == "text":
        return StrictStr
    if kind == "date":
        return datetime.date
    if kind == "enum":
        return Literal[info.values]
    if kind == "place":
        return Annotated[StrictStr, AfterValidator(_place_check(hierarchy, info.levels))]
    if kind == "places":
        place = Annotated[StrictStr, AfterValidator(_place_check(hierarchy, info.levels))]
        return tuple[place, ...]
    assert info.subject is not None
    if kind == "records":
        records: Any = tuple[nested[info.subject], ...]  # type: ignore[valid-type, name-defined]
        if info.maximum is None:
            return records
        return Annotated[records, Field(max_length=info.maximum)]
    return nested[info.subject]


def _violation(field: str | None, message: str, value: Any) -> ValidationError:
    return ValidationError.from_exception_data(
        "facts",
        [
            InitErrorDetails(
                type=PydanticCustomError("constraint", message),
                loc=(field,) if field else (),
                input=value,
            )
        ],
    )


def _generated(code: Callable[[str, str, Any], str]) -> Callable[[Any, Any], Any]:
    """A constraint's condition as a function ``(facts, ctx) -> value`` generated from its
    source (``Constraint.code``): the value its closure gives (``tests/test_realise_checks.py``)."""
    found: Callable[[Any, Any], Any] = generated(
        code, lambda text: f"def f(o, ctx):\n    return {text}\n", {}, "<constraint>"
    )
    return found


def make_model(
    name: str,
    doc: str,
    fields: Mapping[str, FieldInfo],
    hierarchy: Hierarchy,
    nested: Mapping[str, type[BaseModel]],
    constraints: Sequence[Constraint],
    defaults: Sequence[tuple[str, Callable[[Any, Any], Any]]],
) -> type[BaseModel]:
    """The model of one subject; ``nested`` holds the models of the subjects it contains."""
    definitions: dict[str, Any] = {
        "kind": (Literal[name], Field(default=name, description="what this fact set describes")),
        "id": (StrictStr | None, Field(default=None, description="the caller's own identifier")),
    }
    for fname, info in fields.items():
        annotation = _annotation(info, hierarchy, nested)
        if (info.optional or info.derived_default) and info.kind not in ("places", "records"):
            annotation = annotation | None
        if info.has_default:
            default: Any = info.default
        elif info.kind in ("places", "records") and info.optional:
            default = ()
        elif info.optional or info.derived_default:
            default = None
        else:
            default = ...
        definitions[fname] = (annotation, Field(default=default, description=info.doc))

    # each constraint tested by a function generated from its condition's source (no chain
    # of closures: the checker validates thousands of fact sets), its closure where it has none;
    # generated at the first validation, not when the model is made (every load makes it)
    tests: list[tuple[Constraint, Callable[[Any, Any], Any]]] | None = None

    def validate(self: BaseModel) -> BaseModel:
        nonlocal tests
        for fname, compute in defaults:
            if getattr(self, fname) is None:
                object.__setattr__(self, fname, compute(self, None))
        if tests is None:
            tests = [(c, c.holds if c.code is None else _generated(c.code)) for c in constraints]
        for constraint, holds in tests:
            if not holds(self, None):
                value = getattr(self, constraint.field) if constraint.field else None
                raise _violation(constraint.field, constraint.message, value)
        return self

    model: type[BaseModel] = create_model(
        class_name(name),
        __base__=FactModel,
        __doc__=doc,
        __validators__={"_constraints": model_validator(mode="after")(validate)},  # type: ignore[dict-item]
        **definitions,
    )
    return model


_MISSING: Any = object()
_REMEMBERED = 4096
"""Values remembered per field, at most (a register's invalid values are few; a bound keeps a
register of many distinct ones from growing the memo without end)."""


class FieldChecks:
    """A fact model's validation errors found field by field, each field's from its value alone
    and remembered per value: the batch runner's rows that the SQL test refused are many, their
    invalid values few.

    Pydantic validates a model's fields one by one, each from its own value (no field validator
    here reads another field), gives their errors in the fields' order, and runs the model's
    own validator (computed defaults, constraints) only when every field passed. So where some
    field fails, the errors of the fields validated each on its own (by a model of that one
    field, with the same annotation, constraints and configuration) are the fact set's errors,
    in the same order and words."""

    def __init__(self, model: type[BaseModel]) -> None:
        self.model = model
        self._fields = dict(model.model_fields)
        kind = self._fields.get("kind")
        tags = get_args(kind.annotation) if kind is not None else ()
        self._tag = tags[0] if len(tags) == 1 else None
        """The one ``kind`` this model is chosen by (None: a subject whose own field ``kind``
        takes other values, never chosen by its name)."""
        self._ones: dict[str, type[BaseModel]] = {}
        self._memo: dict[str, dict[Any, tuple[Any, ...]]] = {f: {} for f in self._fields}

    def errors(
        self, data: Mapping[str, Any], suspects: Collection[str] | None = None
    ) -> list[Any] | None:
        """The errors (pydantic's, ``loc`` from the fact set) of ``data``, where some field
        fails; None where every field passes (the model's own validator may still refuse it:
        validate it whole), or where ``data`` is not plainly this model's: its ``kind`` is not
        the model's one tag, or it has a key the model does not declare.

        ``suspects``: the fields a test that refuses exactly what each field's validation
        refuses found failing (the batch's SQL test, field by field); those alone are
        validated, and every field only where none of them fails after all."""
        if self._tag is None or data.get("kind") != self._tag:
            return None
        if any(key not in self._fields for key in data):
            return None
        found: list[Any] = []
        if suspects:
            for name in self._fields:
                if name in suspects:
                    found.extend(self._errors_of(name, data.get(name, _MISSING)))
            if found:
                return found
        for name in self._fields:
            found.extend(self._errors_of(name, data.get(name, _MISSING)))
        return found or None

    def _errors_of(self, name: str, value: Any) -> tuple[Any, ...]:
        key = _MISSING if value is _MISSING else _frozen(value)
        memo = self._memo[name]
        found = memo.get(key)
        if found is not None:
            return found
        one = self._ones.get(name)
        if one is None:
            info = self._fields[name]
            one = self._ones[name] = create_model(  # type: ignore[call-overload]
                f"{self.model.__name__}_{name}",
                __config__=self.model.model_config,
                **{name: (info.annotation, info)},
            )
        try:
            one.model_validate({} if value is _MISSING else {name: value})
            found = ()
        except ValidationError as exc:
            found = tuple(exc.errors())
        if len(memo) < _REMEMBERED:
            memo[key] = found
        return found


_CHECKS: dict[type[BaseModel], FieldChecks] = {}
"""The field checks of each fact model (a reload gets the same model classes: they are cached by
content, so this grows with distinct vocabularies, not loads)."""


def field_checks(model: type[BaseModel]) -> FieldChecks:
    """The ``FieldChecks`` of ``model``, built once."""
    found = _CHECKS.get(model)
    if found is None:
        found = _CHECKS[model] = FieldChecks(model)
    return found


def _frozen(value: Any) -> Any:
    """A key for a value that tells apart what validation tells apart (``1`` from ``True``, a
    list from a tuple), at every depth."""
    if isinstance(value, dict):
        return (dict, tuple((k, _frozen(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return (type(value), tuple(_frozen(v) for v in value))
    return (type(value), value)
