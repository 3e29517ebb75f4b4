"""Testing a policy: hypothesis strategies and property tests for any policy (``strategies``,
public as ``jurisdiction.testing``), YAML test cases (``cases``, run by ``jurisdiction test``) and
the pytest plugin that collects them (``pytest_plugin``).

May import ``core``, ``language``, ``policy``, ``engine`` and ``analysis`` (the strategies draw
witnesses from the checker's partition); nothing imports it but ``cli``. The public names are
imported on first use, so that the pytest plugin, which every pytest run loads, does not import
hypothesis.
"""

from __future__ import annotations

import typing as _typing
from importlib import import_module as _import_module

if _typing.TYPE_CHECKING:
    from .strategies import (
        check_decision,
        facts,
        place_codes,
        policy_properties,
        property_settings,
        question_property,
        thresholds,
    )

__all__ = [
    "check_decision",
    "facts",
    "place_codes",
    "policy_properties",
    "property_settings",
    "question_property",
    "thresholds",
]


def __getattr__(name: str) -> object:
    """A public name of ``strategies``, imported on first use (PEP 562)."""
    if name in __all__:
        value = getattr(_import_module(f"{__name__}.strategies"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
