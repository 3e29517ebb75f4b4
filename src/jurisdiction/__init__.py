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

from . import models
from ._check import Finding, check
from ._decision import Body, Citation, Decision, Outcome
from ._engine import Engine, Evaluator, bundled_policy_path, load, parse_facts
from ._errors import (
    ConflictError,
    Diagnostic,
    EvaluatorError,
    FactsError,
    JurisdictionError,
    Location,
    PolicyError,
)
from ._load import load_policy
from ._policy import Overlay, Policy
from ._text import Cite, Text
from .models import *  # noqa: F403  (the bundled policy's fact models; names in models.__all__)

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
__all__ += models.__all__  # the fact models: generated, so listed by their own module

__version__ = "0.1.0"
