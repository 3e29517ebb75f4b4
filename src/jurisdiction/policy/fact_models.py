"""Pydantic models of fact sets, generated from a policy's declared subjects.

Each subject becomes a frozen model (``create_model``) that forbids unknown fields: strict
booleans and whole numbers, enums as literals, place codes checked against the policy's place
hierarchy, nested subjects as nested models. After the fields, computed defaults are filled in and
the subject's constraints are checked; a violated constraint is reported at the field it names.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, Literal, Self, TypeVar

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

from ..language.expressions import Names
from ..language.places import Hierarchy
from ..language.subjects import Constraint, FieldInfo

__all__ = ["FactModel", "class_name", "make_model"]

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
    scope: dict[str, Any] = {}
    text = code("o", "ctx", Names(scope))
    exec(compile(f"def holds(o, ctx):\n    return {text}\n", "<constraint>", "exec"), scope)
    # (the source is generated from identifiers, repr()s and names bound in ``scope`` only)
    found: Callable[[Any, Any], Any] = scope["holds"]
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
    # of closures: the checker validates thousands of fact sets), its closure where it has none
    tests = [(c, c.holds if c.code is None else _generated(c.code)) for c in constraints]

    def validate(self: BaseModel) -> BaseModel:
        for fname, compute in defaults:
            if getattr(self, fname) is None:
                object.__setattr__(self, fname, compute(self, None))
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
