"""Diagnostics and the exception tree.

The tree is split by who must fix the problem::

    JurisdictionError
    ├── PolicyError            the policy author: a YAML file is malformed or inconsistent
    ├── FactsError             the caller: facts are invalid, or the question is unknown
    ├── ConflictError          the policy author: two rules give different answers at run time
    ├── EvaluatorError         us or the environment: an optional evaluator failed or is missing
    ├── OutputError            the environment: an output file cannot be written
    └── InterruptedRunError            a signal stopped a run, which cleaned up after itself

Every policy problem is a :class:`Diagnostic` record with a stable code and a location, printed as
``file:line:col: code: message``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path

__all__ = [
    "ConflictError",
    "Diagnostic",
    "EvaluatorError",
    "FactsError",
    "InterruptedRunError",
    "JurisdictionError",
    "Location",
    "OutputError",
    "PolicyError",
    "suggest",
]


@dataclass(frozen=True, slots=True)
class Location:
    """A place in a source file; line and column count from 1.

    ``context`` says how the place came to matter when it is not where the problem was written
    itself: a line of a template names the instance it was used for ("in an instance of template
    … used at …"). It is shown after the message, and two locations equal without it.
    """

    file: str
    line: int
    column: int
    context: str = field(default="", compare=False)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"

    def shifted(self, lines: int = 0, columns: int = 0) -> Location:
        return Location(self.file, self.line + lines, self.column + columns, self.context)

    def within(self, context: str) -> Location:
        """The same place, reached through ``context`` (an instance of a template)."""
        return Location(self.file, self.line, self.column, context)

    @property
    def suffix(self) -> str:
        """What a message printed at this location ends with: its context, if any."""
        return f" ({self.context})" if self.context else ""


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in a policy: a stable code, a message and where it is."""

    code: str
    message: str
    location: Location | None = None
    suggestion: str | None = None
    path: tuple[str | int, ...] = field(default=())

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        hint = f" (did you mean `{self.suggestion}`?)" if self.suggestion else ""
        context = self.location.suffix if self.location else ""
        return f"{where}{self.code}: {self.message}{hint}{context}"


def suggest(word: str, candidates: Sequence[str] | set[str] | frozenset[str]) -> str | None:
    """The closest candidate to a misspelt name, if one is close enough."""
    matches = get_close_matches(word, sorted(candidates), n=1, cutoff=0.6)
    return matches[0] if matches else None


class JurisdictionError(Exception):
    """Root of every error this library raises on purpose.

    Every error pickles to an equal one (a process pool hands it back to its caller), and two
    errors are equal when they are of the same class with the same arguments.
    """

    exit_code = 1

    def _state(self) -> tuple[object, ...]:
        """The arguments that rebuild this error: ``type(self)(*self._state())``."""
        return tuple(self.args)

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (type(self), self._state()))

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, JurisdictionError)
        return self._state() == other._state()

    def __hash__(self) -> int:
        return hash((type(self), self._state()))


def _rebuild(cls: type[JurisdictionError], state: tuple[object, ...]) -> JurisdictionError:
    if cls is FactsError:
        message, source = state
        return FactsError(str(message), source=source if source is None else str(source))
    return cls(*state)


class PolicyError(JurisdictionError):
    """A policy cannot be loaded; the policy author must fix its files."""

    exit_code = 3

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics: tuple[Diagnostic, ...] = tuple(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))

    def _state(self) -> tuple[object, ...]:
        return (self.diagnostics,)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(d.code for d in self.diagnostics)

    @classmethod
    def single(
        cls,
        code: str,
        message: str,
        location: Location | None = None,
        suggestion: str | None = None,
    ) -> PolicyError:
        return cls([Diagnostic(code, message, location, suggestion)])


class FactsError(JurisdictionError):
    """The caller's facts or question are not acceptable."""

    exit_code = 4

    def __init__(self, message: str, *, source: str | Path | None = None) -> None:
        self.source = str(source) if source is not None else None
        self.message = message
        super().__init__(f"{self.source}: {message}" if self.source else message)

    def _state(self) -> tuple[object, ...]:
        return (self.message, self.source)


class ConflictError(JurisdictionError):
    """Two or more rules hold, none overrides the other, and their answers differ."""

    exit_code = 5

    def __init__(self, question: str, rules: Sequence[tuple[str, str, Location | None]]) -> None:
        self.question = question
        self.rules: tuple[tuple[str, str, Location | None], ...] = tuple(rules)
        listed = "; ".join(
            f"rule `{rid}` citing {cite}" + (f" at {loc}" if loc else "")
            for rid, cite, loc in self.rules
        )
        super().__init__(
            f"conflict in question `{question}`: different answers that no override resolves: "
            f"{listed}"
        )

    def _state(self) -> tuple[object, ...]:
        return (self.question, self.rules)


class EvaluatorError(JurisdictionError):
    """An optional evaluator is missing or failed inside its own machinery."""

    exit_code = 6


class OutputError(JurisdictionError):
    """An output cannot be written: its folder is missing or not writable, or the disk is full.
    Nothing is left under the output's name."""

    exit_code = 7


class InterruptedRunError(JurisdictionError):
    """A run was stopped by a signal (SIGINT, SIGTERM) and has cleaned up after itself; the exit
    code is the shell's for the signal, 128 + its number (130, 143)."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        self.exit_code = 128 + signum
        name = {2: "SIGINT", 15: "SIGTERM"}.get(signum, f"signal {signum}")
        super().__init__(f"interrupted by {name}; no output was written")

    def _state(self) -> tuple[object, ...]:
        return (self.signum,)
