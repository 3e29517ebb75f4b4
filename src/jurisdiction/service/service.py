"""What a running service holds: its settings, the engine that decides (swapped whole on reload),
its decision log. No web framework here: ``app`` wraps it in HTTP."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import JurisdictionError

if TYPE_CHECKING:
    from .._api import Engine
    from .log import DecisionLog

__all__ = ["Reloaded", "Service", "Settings"]


@dataclass(frozen=True, slots=True)
class Settings:
    """How a service runs (see ``jurisdiction serve --help`` and docs/service.md)."""

    policy_dir: Path | None = None
    overlays_dir: Path | None = None
    token: str | None = None
    max_body_bytes: int = 1 << 20
    max_decisions: int = 1000
    """At most this many decisions (fact sets × questions) in one request to ``/v1/decide``."""
    timeout_seconds: float = 10.0
    """Reading a request's body, and deciding a request of several decisions, may take this long."""
    check_on_reload: bool = True
    """A reloaded policy must also pass ``jurisdiction check`` (no error finding)."""


@dataclass(frozen=True, slots=True)
class Reloaded:
    """What a reload did."""

    ok: bool
    fingerprint: str
    previous: str
    message: str
    problems: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "reloaded": self.ok,
            "policy_fingerprint": self.fingerprint,
            "previous_fingerprint": self.previous,
            "message": self.message,
            "problems": list(self.problems),
        }


def _load(settings: Settings) -> Engine:
    from .._api import load

    return load(settings.policy_dir, overlays=settings.overlays_dir)


class Service:
    """The engine in use, and how to replace it. Each request reads :attr:`engine` once and is
    decided wholly by that engine (its fingerprint is the one the response names); a reload
    builds and checks a new engine beside it, then replaces it in one assignment."""

    def __init__(
        self,
        settings: Settings,
        *,
        engine: Engine | None = None,
        decision_log: DecisionLog | None = None,
    ) -> None:
        self.settings = settings
        self.engine: Engine = engine if engine is not None else _load(settings)
        self.decision_log = decision_log
        self._reloading = threading.Lock()
        self.reloads = 0

    def reload(self) -> Reloaded:
        """Load the policy again and, if it loads and checks clean, swap it in; else keep the
        engine in use and say why. One reload at a time."""
        with self._reloading:
            old = self.engine
            previous = old.policy.fingerprint
            try:
                new = _load(self.settings)
            except JurisdictionError as exc:
                return Reloaded(False, previous, previous, "the policy failed to load", (str(exc),))
            if self.settings.check_on_reload:
                from ..analysis.check import check

                errors = [str(f) for f in check(new) if f.severity == "error"]
                if errors:
                    return Reloaded(
                        False, previous, previous, "the policy failed its check", tuple(errors)
                    )
            self.engine = new
            self.reloads += 1
            same = new.policy.fingerprint == previous
            return Reloaded(
                True,
                new.policy.fingerprint,
                previous,
                "reloaded (unchanged)" if same else "reloaded",
            )

    def close(self) -> None:
        if self.decision_log is not None:
            self.decision_log.close()
