"""The service's contract, as JSON Schemas (draft 2020-12) and an OpenAPI 3.1 document.

Everything is generated: the request schemas from the policy's fact models (one per subject,
the same schema ``jurisdiction schema facts`` writes for a fact set), the response schema from
the :class:`~jurisdiction.engine.decision.Decision` dataclass. ``DECISION_SCHEMA_VERSION`` is
the contract's version: it changes when the shape of a decision changes, and the shipped
``schemas/decision.schema.json`` is held to the generated one by a test.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from pydantic import TypeAdapter

if TYPE_CHECKING:
    from ..policy.model import Policy

__all__ = [
    "DECISION_SCHEMA_VERSION",
    "DRAFT",
    "decision_schema",
    "facts_file_schema",
    "openapi",
    "subject_schema",
]

DRAFT = "https://json-schema.org/draft/2020-12/schema"
DECISION_SCHEMA_VERSION = "1"
"""The version of the Decision schema (and of the service's /v1 contract)."""

_ERROR_CODES = (
    "the stable code of the problem (docs/errors.md): invalid-facts, unknown-question, "
    "wrong-subject, bad-request, body-too-large, request-timeout, missing-token, bad-token, "
    "rule-conflict, reload-failed, reload-disabled, not-found, method-not-allowed, internal-error"
)


def facts_file_schema(policy: Policy) -> dict[str, Any]:
    """The JSON Schema of a facts file of ``policy``: one fact set, or a list of them."""
    from ..engine.engine import _facts_adapter

    one = _facts_adapter(policy).json_schema()
    defs = one.pop("$defs", {})
    many: dict[str, Any] = TypeAdapter(list[Any]).json_schema()
    many["items"] = {"$ref": "#/$defs/fact_set"}
    many["minItems"] = 1
    return {
        "title": f"a facts file of policy {policy.name}: one fact set, or a list of them",
        "anyOf": [{"$ref": "#/$defs/fact_set"}, many],
        "$defs": {**defs, "fact_set": one},
    }


def subject_schema(policy: Policy, subject: str, ref_template: str) -> dict[str, Any]:
    """The JSON Schema of one fact set of ``subject`` (its ``$defs``, if any, referenced by
    ``ref_template``)."""
    return TypeAdapter(policy.subjects[subject].model).json_schema(ref_template=ref_template)


def _decision_schema(ref_template: str) -> dict[str, Any]:
    from ..engine.decision import Decision

    return TypeAdapter(Decision).json_schema(mode="serialization", ref_template=ref_template)


def decision_schema() -> dict[str, Any]:
    """The JSON Schema of a decision, as ``Decision.to_json`` writes it (and the service sends
    it, with a ``decision_id`` and, when asked, its ``text``)."""
    schema = _decision_schema("#/$defs/{model}")
    schema["title"] = "a decision of a jurisdiction policy"
    schema["$id"] = f"urn:jurisdiction:decision:{DECISION_SCHEMA_VERSION}"
    return {"$schema": DRAFT, **schema}


def _error_schema() -> dict[str, Any]:
    entry = {
        "type": "object",
        "properties": {
            "code": {"type": "string", "description": "the stable code of this problem"},
            "path": {
                "type": "array",
                "items": {"type": ["string", "integer"]},
                "description": "where in the request body: keys and list positions",
            },
            "field": {"type": "string", "description": "the path, dotted"},
            "message": {"type": "string"},
            "suggestion": {"type": ["string", "null"], "description": "a name it may mean"},
        },
        "required": ["code", "path", "field", "message", "suggestion"],
    }
    return {
        "type": "object",
        "properties": {
            "code": {"type": "string", "description": _ERROR_CODES},
            "message": {"type": "string"},
            "errors": {"type": "array", "items": entry},
            "policy_fingerprint": {"type": ["string", "null"]},
        },
        "required": ["code", "message", "errors", "policy_fingerprint"],
    }


def _hoist(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    for name, sub in schema.pop("$defs", {}).items():
        components.setdefault(name, sub)
    return schema


def _json_body(ref: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
    }


def _errors(*statuses: int) -> dict[str, Any]:
    said = {
        400: "the body is not a JSON object, or a parameter is invalid",
        401: "a token is required and was missing or wrong",
        403: "reloading is disabled: the service was started without a token",
        404: "no such question",
        409: "the policy has two rules that answer differently here (rule-conflict)",
        413: "the body is larger than the service accepts",
        422: "the facts are invalid: each problem located by its field path",
        503: "the request took longer than the service allows",
    }
    return {str(s): _json_body("Error", said[s]) for s in statuses}


def openapi(policy: Policy, *, token: bool = False) -> dict[str, Any]:
    """The OpenAPI 3.1 document of a service deciding with ``policy``: a path per question,
    whose request body is the schema of its subject's fact set."""
    ref = "#/components/schemas/{model}"
    components: dict[str, Any] = {}
    for name in policy.subjects:
        schema = _hoist(subject_schema(policy, name, ref), components)
        components[f"facts_{name}"] = schema
    decision = _hoist(_decision_schema(ref), components)
    components["Decision"] = decision
    components["DecisionResponse"] = {
        "allOf": [
            {"$ref": "#/components/schemas/Decision"},
            {
                "type": "object",
                "properties": {
                    "decision_id": {"type": "string", "description": "as in the decision log"},
                    "text": {"type": "string", "description": "the decision rendered (?lang=)"},
                },
                "required": ["decision_id"],
            },
        ]
    }
    components["Error"] = _error_schema()
    subjects = sorted(policy.subjects)
    components["BatchRequest"] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "facts": {
                "description": "one fact set, or a list of them (each with its `kind`)",
                "anyOf": [{"$ref": f"#/components/schemas/facts_{s}"} for s in subjects]
                + [
                    {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "anyOf": [{"$ref": f"#/components/schemas/facts_{s}"} for s in subjects]
                        },
                    }
                ],
            },
            "questions": {
                "type": "array",
                "items": {"type": "string", "enum": sorted(policy.questions)},
                "description": "questions to answer for each fact set (default: every question "
                "about its subject); each must be about the fact set's subject",
            },
        },
        "required": ["facts"],
    }
    components["BatchResponse"] = {
        "type": "object",
        "properties": {
            "decisions": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/DecisionResponse"},
                "description": "for each fact set in order, each question in order",
            },
            "policy_fingerprint": {"type": "string"},
        },
        "required": ["decisions", "policy_fingerprint"],
    }
    lang = {
        "name": "lang",
        "in": "query",
        "required": False,
        "schema": {"type": "string", "enum": ["zh", "en"]},
        "description": "also render each decision as text in this language (`text`)",
    }
    paths: dict[str, Any] = {}
    for name, question in sorted(policy.questions.items()):
        cites = ", ".join(str(c) for c in question.cites)
        paths[f"/v1/decide/{name}"] = {
            "post": {
                "operationId": f"decide_{name}",
                "summary": question.title.en,
                "description": f"{question.title.zh} — rests on {cites}. "
                f"The body is one fact set of kind `{question.subject}`.",
                "tags": [question.subject],
                "parameters": [lang],
                "requestBody": {"required": True, **_json_body(f"facts_{question.subject}", "")},
                "responses": {
                    "200": _json_body("DecisionResponse", "the decision"),
                    **_errors(400, 409, 413, 422, 503),
                },
            }
        }
    paths["/v1/decide"] = {
        "post": {
            "operationId": "decide_many",
            "summary": "several questions, or several fact sets, in one request",
            "parameters": [lang],
            "requestBody": {"required": True, **_json_body("BatchRequest", "")},
            "responses": {
                "200": _json_body("BatchResponse", "the decisions"),
                **_errors(400, 409, 413, 422, 503),
            },
        }
    }
    plain = {"type": "object"}
    paths["/v1/questions"] = {
        "get": {
            "operationId": "questions",
            "summary": "the questions, with their subjects, titles and articles",
            "responses": {"200": {"description": "", "content": _any_json(plain)}},
        }
    }
    paths["/v1/policy"] = {
        "get": {
            "operationId": "policy",
            "summary": "the policy: name, fingerprint, overlays, subjects, articles (and the "
            "rules that cite each)",
            "responses": {"200": {"description": "", "content": _any_json(plain)}},
        }
    }
    paths["/healthz"] = {
        "get": {
            "operationId": "healthz",
            "summary": "the process answers",
            "security": [],
            "responses": {"200": {"description": "", "content": _any_json(plain)}},
        }
    }
    paths["/readyz"] = {
        "get": {
            "operationId": "readyz",
            "summary": "a policy is loaded and deciding",
            "security": [],
            "responses": {"200": {"description": "", "content": _any_json(plain)}},
        }
    }
    paths["/v1/admin/reload"] = {
        "post": {
            "operationId": "reload",
            "summary": "load the policy again, check it, and swap it in if it is sound "
            "(needs the service's token; refused when it has none)",
            "responses": {
                "200": {"description": "reloaded", "content": _any_json(plain)},
                **_errors(401, 403),
                "409": _json_body(
                    "Error", "the new policy failed to load or check (reload-failed)"
                ),
            },
        }
    }
    doc: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": f"jurisdiction: {policy.title.en}",
            "description": f"{policy.title.zh}. Decisions of policy `{policy.name}` "
            f"(fingerprint {policy.fingerprint}). Every response carries the header "
            "X-Policy-Fingerprint.",
            "version": DECISION_SCHEMA_VERSION,
        },
        "jsonSchemaDialect": DRAFT,
        "paths": paths,
        "components": {"schemas": components},
    }
    if token:
        doc["components"]["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
        doc["security"] = [{"bearer": []}]
    return copy.deepcopy(doc)


def _any_json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}
