"""What the service answers when it cannot decide: an :class:`ApiError` with an HTTP status, a
stable code, a message and, for invalid facts, each problem located by its field path with a
suggestion where a name was misspelt. Never a traceback."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from ..core.errors import suggest

__all__ = ["ApiError", "Problem", "problems_of"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One located problem of a request body."""

    code: str
    path: tuple[str | int, ...]
    message: str
    suggestion: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "path": list(self.path),
            "field": ".".join(str(p) for p in self.path),
            "message": self.message,
            "suggestion": self.suggestion,
        }


@dataclass(slots=True)
class ApiError(Exception):
    """A refusal: status, stable code, message, located problems."""

    status: int
    code: str
    message: str
    errors: Sequence[Problem] = field(default_factory=tuple)

    def body(self, fingerprint: str | None) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "errors": [p.to_dict() for p in self.errors],
            "policy_fingerprint": fingerprint,
        }


_CODES = {"missing": "missing-field", "extra_forbidden": "unknown-field"}


def problems_of(
    exc: ValidationError, model: type[BaseModel], at: tuple[str | int, ...] = ()
) -> list[Problem]:
    """The problems of a fact set that ``model`` refused, located under ``at`` in the body."""
    fields = set(model.model_fields)
    out: list[Problem] = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if isinstance(p, str | int))
        code = _CODES.get(err["type"], "invalid-value")
        near = None
        if code == "unknown-field" and loc and isinstance(loc[-1], str):
            near = suggest(loc[-1], fields)
        message = err["msg"]
        if code == "invalid-value" and "input" in err and not isinstance(err["input"], dict):
            message = f"{message}, got {repr(err['input'])[:80]}"
        out.append(Problem(code, (*at, *loc), message, near))
    return out
