"""jurisdiction: an administrative policy as a typed, explainable rules engine.

>>> import jurisdiction
>>> engine = jurisdiction.load()                     # the bundled policy
>>> d = engine.decide({"kind": "resident", "hukou": "120101001", "residence": "120104002",
...                    "sex": "female", "age": 30}, "first_child_certificate")
>>> d.bodies[0].place_code, str(d.citations[0].cite)
('120104002', '(二)5')

``load(evaluator="durable")`` decides the same with durable_rules instead (an extra:
``pip install 'jurisdiction[durable]'``); see docs/evaluators.md.
"""

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

__version__ = "0.1.0"
