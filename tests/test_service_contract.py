"""The service's OpenAPI contract, fuzzed with schemathesis: for every operation, generated
requests (valid and not) never get a 5xx, and every response matches the schema the contract
declares for its status (the Decision schema for a decision, the Error schema for a refusal).

One check is left out, and why: `positive_data_acceptance` expects every request the JSON
Schema admits to be decided. A fact set's JSON Schema is what JSON Schema can say of the
policy's fact models (types, enums, ranges, required fields); the models also hold the place
hierarchy's codes and the constraints between fields, so a schema-valid body may still get a
located 422 — which the Error schema then describes, and the other checks hold."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings

import jurisdiction
from jurisdiction.service.app import create_app
from jurisdiction.service.service import Service, Settings

APP = create_app(Service(Settings(), engine=jurisdiction.load()))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(suppress_health_check=list(HealthCheck), deadline=None)
def test_the_service_keeps_its_contract(case: schemathesis.Case) -> None:
    case.call_and_validate(excluded_checks=[schemathesis.checks.positive_data_acceptance])
