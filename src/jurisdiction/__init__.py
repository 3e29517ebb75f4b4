"""jurisdiction: an administrative policy as a typed, explainable rules engine.

Load a policy (the bundled one by default), then decide questions for fact sets::

    import jurisdiction, yaml
    engine = jurisdiction.load()
    facts = engine.parse_facts(yaml.safe_load(open("examples/<some fact set>.yaml")))
    for decision in engine.decide_all(facts).values():
        print(decision.render("en"))   # who answers for it, and the articles behind that

A fact set is a mapping with a ``kind``, or an instance of a class of ``jurisdiction.models``:
the bundled policy's fact models, generated from its declaration (``jurisdiction models``) and
re-exported here for static type checkers. ``jurisdiction features`` lists what conditions read.

``load(evaluator="durable")`` decides the same with durable_rules instead (an extra:
``pip install 'jurisdiction[durable]'``); see docs/evaluators.md.
"""

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (the command's start-up)
if TYPE_CHECKING:  # what a type checker sees; at run time each name is imported on first use
    from . import models as models
    from ._api import Engine, load
    from .analysis.check import Finding
    from .analysis.over_time import check
    from .core.errors import (
        ConflictError,
        Diagnostic,
        EvaluatorError,
        FactsError,
        JurisdictionError,
        Location,
        PolicyError,
    )
    from .core.paths import bundled_policy_path
    from .core.text import Cite, Text
    from .engine.decision import Body, Citation, Decision, Outcome
    from .engine.engine import Evaluator, parse_facts
    from .models import *  # noqa: F403  (the bundled policy's fact models; names in models.__all__)
    from .policy.load import load_policy
    from .policy.model import Overlay, Policy

_HOMES = {
    "Finding": "analysis.check",
    "check": "analysis.over_time",
    "Body": "engine.decision",
    "Citation": "engine.decision",
    "Decision": "engine.decision",
    "Outcome": "engine.decision",
    "Engine": "_api",
    "Evaluator": "engine.engine",
    "bundled_policy_path": "core.paths",
    "load": "_api",
    "parse_facts": "engine.engine",
    "ConflictError": "core.errors",
    "Diagnostic": "core.errors",
    "EvaluatorError": "core.errors",
    "FactsError": "core.errors",
    "JurisdictionError": "core.errors",
    "Location": "core.errors",
    "PolicyError": "core.errors",
    "load_policy": "policy.load",
    "Overlay": "policy.model",
    "Policy": "policy.model",
    "Cite": "core.text",
    "Text": "core.text",
}
"""Where each public name lives: importing the package imports none of them, so that a command
pays only for what it uses (``jurisdiction --help`` imports no engine)."""


def _model_names() -> list[str]:
    """``models.__all__``, read from the module's source without importing it (which builds
    pydantic models): the generated module lists its names in one literal, one quoted name a
    line (``jurisdiction models`` writes it so; tests/test_exports.py checks the names against
    the module's). Read as text: parsing the module with ``ast`` cost the command's start-up
    several milliseconds."""
    import os

    with open(os.path.join(os.path.dirname(__file__), "models.py"), encoding="utf-8") as f:
        text = f.read()
    start = text.find("\n__all__ = [")
    if start < 0:  # pragma: no cover - the generated module always lists its names
        return []
    names = text[start : text.index("]", start)].split("[", 1)[1].split(",")
    return [n.strip().strip("\"'") for n in names if n.strip()]


__all__ = [
    "Body",
    "Citation",
    "Cite",
    "ConflictError",
    "Decision",
    "Diagnostic",
    "Engine",
    "Evaluator",
    "EvaluatorError",
    "FactsError",
    "Finding",
    "JurisdictionError",
    "Location",
    "Outcome",
    "Overlay",
    "Policy",
    "PolicyError",
    "Text",
    "bundled_policy_path",
    "check",
    "load",
    "load_policy",
    "parse_facts",
]
_MODELS = _model_names()
__all__.extend(_MODELS)  # the fact models: generated, so listed by their own module
del TYPE_CHECKING


def __getattr__(name: str) -> object:
    """Import a public name on first use (PEP 562), and keep it."""
    from importlib import import_module as _import_module  # here: importlib imports warnings

    home = _HOMES.get(name)
    if home is not None:
        value = getattr(_import_module(f"{__name__}.{home}"), name)
    elif name == "models":
        value = _import_module(f"{__name__}.models")
    elif name in _MODELS:
        value = getattr(_import_module(f"{__name__}.models"), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__, "models"})


__version__ = "0.1.0"
