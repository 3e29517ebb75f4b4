"""Every stable code a policy diagnostic, a check finding or a refusal of the decision service
may carry, with a one-line summary.

The codes are part of the public contract: analysts and tools match on them, and each has a
section in ``docs/errors.md``. A test keeps three lists equal: this registry, the sections of the
docs, and the codes the source emits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

__all__ = ["CHECK_CODES", "CODES", "LOAD_CODES", "SERVICE_CODES", "Code", "Severity", "severity"]

Severity = Literal["error", "warning"]
Stage = Literal["load", "check", "service"]


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    stages: tuple[Stage, ...]
    severity: Severity
    summary: str


def _load(code: str, summary: str) -> Code:
    return Code(code, ("load",), "error", summary)


def _check(code: str, severity: Severity, summary: str) -> Code:
    return Code(code, ("check",), severity, summary)


def _service(code: str, summary: str) -> Code:
    return Code(code, ("service",), "error", summary)


_ALL = (
    # reading files
    _load("file", "the policy directory or a file cannot be read"),
    _load("file-too-large", "a policy file is larger than the loader accepts"),
    _load("yaml-syntax", "a file is not well-formed YAML"),
    _load("yaml-alias", "anchors, aliases and merge keys are not allowed"),
    _load("duplicate-key", "a mapping has the same key twice"),
    _load("yaml-tag", "a tag (!name, !!type) is not allowed"),
    _load("yaml-scalar", "a plain value YAML 1.1 and 1.2 read differently (yes, 0100, 16:40)"),
    _load("limit", "a file is nested too deeply or writes an integer with too many digits"),
    _load("unexpected-file", "a file or folder in the policy directory that would be ignored"),
    _load("manifest", "the directory's files differ from its manifest, or the manifest is bad"),
    # the schema of each file
    _load("schema", "a value has the wrong shape or type for its place in the file"),
    _load("unknown-key", "a key the policy format does not know (often a misspelling)"),
    _load("missing-key", "a required key or section is missing"),
    _load("duplicate-name", "a section, name, article or item is defined twice"),
    # templates
    _load("unknown-template", "a question's rules use a template the policy does not declare"),
    _load(
        "template-argument",
        "a use of a template gives an unknown argument or lacks one, or a template reads one "
        "it does not declare",
    ),
    # articles and citations
    _load("unknown-chapter", "an article names a chapter that is not defined"),
    _load("article-text", "an item or not-encoded clause is not part of its article's text"),
    _load("unknown-article", "a citation names an article that is not in the policy"),
    _load("unknown-item", "a citation names an item its article does not have"),
    _load("cite", "a body cites an article its rule does not, or must say which it rests on"),
    _load("city-parameter", "the place hierarchy's root is not named by a code_prefix parameter"),
    _load(
        "empty-prefix",
        "a code_prefix parameter other than the place hierarchy's root is empty",
    ),
    _load(
        "prefix-list",
        "a code_prefix of several prefixes lists none, one twice, the empty one, or one inside "
        "another",
    ),
    # conditions
    _load("unknown-subject", "a question or definition is about a subject the policy lacks"),
    # the vocabulary (facts.yaml)
    _load("unknown-type", "a field's type is no primitive, declared enum or subject"),
    _load("table-row", "a row of a lookup table has a key or value not of the table's types"),
    _load("unknown-table", "a condition looks up a table the policy does not have"),
    _load("place-name", "a name is given for a code that is no place of the hierarchy"),
    _load(
        "place-name-table",
        "a compact table of place names is not CSV of `code,name` or `code,zh,en`, "
        "or names a code twice",
    ),
    _load("place-hierarchy", "the place hierarchy is inconsistent (lengths, patterns, ranges)"),
    _load("feature-cycle", "features or places refer to each other in a circle"),
    _load("condition-syntax", "a condition does not follow the condition grammar"),
    _load("type-mismatch", "a condition compares or uses values of different types"),
    _load("unknown-fact", "a condition reads a fact its subject does not have"),
    _load("unknown-parameter", "a condition reads a parameter the policy does not define"),
    _load("unknown-definition", "a condition or scope names a definition that does not exist"),
    _load("unknown-value", "a condition compares an enum fact with a value it cannot take"),
    _load("definition-cycle", "definitions refer to each other in a circle"),
    _load("scope", "a definition used as a question's scope lacks `cite` or `outside`"),
    # time: periods of force, dated values, amendments
    _load("date", "a date that does not exist, or is not written YYYY-MM-DD"),
    _load("period", "a period that ends before it starts, or dated values out of order"),
    _load(
        "amendment-target",
        "an amendment names a question, rule, article, parameter or body "
        "the policy lacks, or a value its parameter cannot take",
    ),
    _load(
        "amendment-certainty",
        "an amendment that is not certain, or has no known day, would change an answer",
    ),
    # district overlays
    _load("overlay-section", "an overlay has a section other than `overlay` and `parameters`"),
    _load("overlay-not-delegated", "an overlay sets a parameter the city policy does not delegate"),
    _load("overlay-unknown-parameter", "an overlay sets a parameter the policy does not have"),
    _load("overlay-value", "an overlay's value is not of the parameter's type"),
    _load(
        "overlay-district", "an overlay's district is invalid, outside the city, misnamed or twice"
    ),
    _load(
        "overlay-parent",
        "an overlay's `within` is not the place of the nearest wider overlay it applies over",
    ),
    # rules and answers
    _load("duplicate-rule", "two rules have the same id"),
    _load("unknown-body", "an answer names a body the policy does not define"),
    _load(
        "body-level",
        "a body's level expression gives a value that is not one of its declared `values`",
    ),
    _load("unknown-place", "an answer names a place its subject does not have, or no label"),
    _load("unknown-role", "an answer names a role the vocabulary does not define"),
    Code(
        "override",
        ("load", "check"),
        "error",
        "an override names an unknown rule, a rule of another question, or forms a cycle",
    ),
    # findings of `jurisdiction check`
    _check("overlap", "error", "two rules with different answers both apply; none overrides"),
    _check("gap", "error", "a question that must always answer has no answer for some facts"),
    _check("answer-place", "error", "an answer names a place the facts of some case do not give"),
    _check(
        "check-incomplete",
        "error",
        "some classes of cases could be neither constructed nor proved impossible: unverified",
    ),
    _check("unreachable", "warning", "a rule can never apply, or is always overridden"),
    _check(
        "bounds", "warning", "a threshold's inclusive/exclusive bound is missing or contradicted"
    ),
    _check("unused-parameter", "warning", "a parameter that no rule reads"),
    _check("unused-definition", "warning", "a definition that no rule, scope or definition uses"),
    _check("unused-feature", "warning", "a declared feature that nothing in use reads"),
    _check("uncited-article", "warning", "an article or item that no rule encodes or cites"),
    # refusals of the decision service (`jurisdiction serve`), each with an HTTP status
    _service("invalid-facts", "422: the facts of a request are invalid; each problem located"),
    _service("invalid-value", "a field's value has the wrong type or is out of range"),
    _service("missing-field", "a required field is absent"),
    _service("unknown-field", "a field the subject does not have (often a misspelling)"),
    _service("unknown-kind", "a fact set's `kind` names no subject of the policy"),
    _service("wrong-subject", "422: a question is asked of a fact set of another subject"),
    _service("unknown-question", "404: no question of that name (422 inside a request's body)"),
    _service("bad-request", "400: the body is no JSON object, or a query parameter is invalid"),
    _service("body-too-large", "413: the body, or the decisions it asks, exceed the limits"),
    _service("request-timeout", "503: the body took too long to arrive, or deciding did"),
    _service("missing-token", "401: the service needs a bearer token and none was given"),
    _service("bad-token", "401: the bearer token is not the service's"),
    _service("reload-disabled", "403: reloading over HTTP needs a service with a token"),
    _service("reload-failed", "409: a reloaded policy failed to load or check; the old serves"),
    _service("rule-conflict", "409: two rules answer differently and no override resolves it"),
    _service("not-found", "404: no such path"),
    _service("method-not-allowed", "405: the path does not take that method"),
    _service("internal-error", "500: the service failed; its log has the traceback, not the reply"),
)

CODES: Mapping[str, Code] = {c.code: c for c in _ALL}
"""Every stable code, by name."""

LOAD_CODES = frozenset(c.code for c in _ALL if "load" in c.stages)
CHECK_CODES = frozenset(c.code for c in _ALL if "check" in c.stages)
SERVICE_CODES = frozenset(c.code for c in _ALL if "service" in c.stages)


def severity(code: str) -> Severity:
    return CODES[code].severity
