"""The decision service (docs/service.md), through Starlette's test client: decisions and their
contract, located refusals, limits, the bearer token, the decision log and its replay, reload."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

import jurisdiction
from jurisdiction.cli.main import cli
from jurisdiction.cli.schemas import render_schema, shipped_schemas_path
from jurisdiction.engine.decision import Decision
from jurisdiction.service.app import FINGERPRINT_HEADER, create_app
from jurisdiction.service.contract import decision_schema
from jurisdiction.service.log import DecisionLog
from jurisdiction.service.service import Service, Settings

ROOT = Path(__file__).resolve().parent.parent
UNIT = {"kind": "unit", "category": "other_enterprise", "staff": 1000, "location": "120101002001"}
TOKEN = "a-test-token-of-enough-length"
ENGINE = jurisdiction.load()


def _client(settings: Settings | None = None, log: DecisionLog | None = None) -> TestClient:
    service = Service(settings or Settings(), engine=ENGINE, decision_log=log)
    return TestClient(create_app(service), raise_server_exceptions=False)


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with _client() as c:
        yield c


def test_a_unit_of_1000_staff_is_the_district_citing_article_ten(client: TestClient) -> None:
    r = client.post("/v1/decide/unit_management", json=UNIT)
    assert r.status_code == 200
    body = r.json()
    assert [b["place_code"] for b in body["bodies"]] == ["120101"]
    assert [c["cite"]["article"] for c in body["citations"]] == [10]
    assert body["policy_fingerprint"] == ENGINE.policy.fingerprint
    assert r.headers[FINGERPRINT_HEADER] == ENGINE.policy.fingerprint
    assert len(body["decision_id"]) == 32
    # the same decision the library makes, read back whole
    again = Decision.from_dict({k: v for k, v in body.items() if k != "decision_id"})
    assert again == ENGINE.decide(UNIT, "unit_management")


def test_lang_adds_the_rendered_text(client: TestClient) -> None:
    zh = client.post("/v1/decide/unit_management?lang=zh", json=UNIT).json()
    en = client.post("/v1/decide/unit_management?lang=en", json=UNIT).json()
    decision = ENGINE.decide(UNIT, "unit_management")
    assert zh["text"] == decision.render("zh")
    assert en["text"] == decision.render("en")
    assert "text" not in client.post("/v1/decide/unit_management", json=UNIT).json()
    bad = client.post("/v1/decide/unit_management?lang=fr", json=UNIT)
    assert (bad.status_code, bad.json()["code"]) == (400, "bad-request")


def test_bad_facts_get_a_422_naming_the_field(client: TestClient) -> None:
    r = client.post("/v1/decide/unit_management", json={**UNIT, "staff": "many", "stafff": 3})
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "invalid-facts"
    by_field = {e["field"]: e for e in body["errors"]}
    assert by_field["staff"]["code"] == "invalid-value"
    assert "'many'" in by_field["staff"]["message"]
    assert by_field["stafff"]["code"] == "unknown-field"
    assert by_field["stafff"]["suggestion"] == "staff"
    missing = client.post("/v1/decide/unit_management", json={"kind": "unit", "staff": 5})
    assert {e["field"]: e["code"] for e in missing.json()["errors"]} == {
        "category": "missing-field",
        "location": "missing-field",
    }
    other = client.post("/v1/decide/unit_management", json={**UNIT, "kind": "resident"})
    assert other.status_code == 422
    assert other.json()["errors"][0]["path"] == ["kind"]


def test_an_unknown_question_is_404_with_a_suggestion(client: TestClient) -> None:
    r = client.post("/v1/decide/unit_managment", json=UNIT)
    assert r.status_code == 404
    assert r.json()["code"] == "unknown-question"
    assert r.json()["errors"][0]["suggestion"] == "unit_management"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{", 400, "bad-request"),
        (b"[1, 2]", 400, "bad-request"),
        (b"\xff\xfe", 400, "bad-request"),
        (b"null", 400, "bad-request"),
    ],
)
def test_bodies_that_are_no_fact_set_are_400_not_500(
    client: TestClient, body: bytes, status: int, code: str
) -> None:
    r = client.post("/v1/decide/unit_management", content=body)
    assert (r.status_code, r.json()["code"]) == (status, code)


def test_no_route_and_no_method_are_json_too(client: TestClient) -> None:
    r = client.get("/v1/nothing")
    assert (r.status_code, r.json()["code"]) == (404, "not-found")
    r = client.get("/v1/decide/unit_management")
    assert (r.status_code, r.json()["code"]) == (405, "method-not-allowed")
    assert r.headers[FINGERPRINT_HEADER] == ENGINE.policy.fingerprint


def test_as_of_decides_as_of_that_day(client: TestClient) -> None:
    r = client.post("/v1/decide/unit_management?as_of=2020-01-01", json=UNIT)
    assert r.status_code == 200
    assert (r.json()["as_of"], r.json()["as_of_source"]) == ("2020-01-01", "given")
    woman = {
        "kind": "resident",
        "hukou": "120101001",
        "residence": "120104002",
        "sex": "female",
        "age": 31,
    }
    then = client.post("/v1/decide/social_maintenance_fee?as_of=2010-06-01", json=woman)
    now = client.post("/v1/decide/social_maintenance_fee?as_of=2022-01-01", json=woman)
    assert (then.json()["outcome"], now.json()["outcome"]) == ("responsible", "not_in_force")
    bad = client.post("/v1/decide/unit_management?as_of=2020-13-01", json=UNIT)
    assert (bad.status_code, bad.json()["code"]) == (400, "bad-request")
    assert "as_of" in bad.json()["message"]


def test_several_fact_sets_and_questions_in_one_request(client: TestClient) -> None:
    small = {**UNIT, "staff": 50}
    r = client.post("/v1/decide", json={"facts": [UNIT, small], "questions": ["unit_management"]})
    assert r.status_code == 200
    decisions = r.json()["decisions"]
    assert [d["bodies"][0]["place_code"] for d in decisions] == ["120101", "120101002001"]
    every = client.post("/v1/decide", json={"facts": UNIT}).json()["decisions"]
    assert [d["question"] for d in every] == list(ENGINE.questions("unit"))
    bad = client.post("/v1/decide", json={"facts": [UNIT, {**UNIT, "kind": "unitt"}]})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["path"] == ["facts", 1, "kind"]
    assert bad.json()["errors"][0]["suggestion"] == "unit"
    wrong = client.post("/v1/decide", json={"facts": UNIT, "questions": ["district_lead"]})
    assert wrong.status_code in (404, 422)


def test_size_and_count_limits() -> None:
    with _client(Settings(max_body_bytes=200, max_decisions=3)) as c:
        big = c.post("/v1/decide/unit_management", json={**UNIT, "id": "x" * 300})
        assert (big.status_code, big.json()["code"]) == (413, "body-too-large")
        many = c.post("/v1/decide", json={"facts": [UNIT] * 2})  # 2 × 3 unit questions
        assert (many.status_code, many.json()["code"]) == (413, "body-too-large")
        assert c.post("/v1/decide", json={"facts": UNIT}).status_code == 200


def test_the_bearer_token_guards_the_api_but_not_health() -> None:
    with _client(Settings(token=TOKEN)) as c:
        assert c.post("/v1/decide/unit_management", json=UNIT).json()["code"] == "missing-token"
        wrong = c.post(
            "/v1/decide/unit_management", json=UNIT, headers={"Authorization": "Bearer nope"}
        )
        assert (wrong.status_code, wrong.json()["code"]) == (401, "bad-token")
        assert wrong.headers["WWW-Authenticate"] == "Bearer"
        ok = c.post(
            "/v1/decide/unit_management", json=UNIT, headers={"Authorization": f"Bearer {TOKEN}"}
        )
        assert ok.status_code == 200
        assert c.get("/healthz").status_code == 200
        assert c.get("/readyz").json()["policy_fingerprint"] == ENGINE.policy.fingerprint
        doc = c.get("/openapi.json", headers={"Authorization": f"Bearer {TOKEN}"}).json()
        assert doc["security"] == [{"bearer": []}]


def test_the_openapi_document_is_made_from_the_vocabulary(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    assert set(ENGINE.policy.questions) == {
        p.removeprefix("/v1/decide/") for p in doc["paths"] if p.startswith("/v1/decide/")
    }
    schemas = doc["components"]["schemas"]
    for name in ENGINE.policy.subjects:
        assert f"facts_{name}" in schemas
    op = doc["paths"]["/v1/decide/unit_management"]["post"]
    assert op["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/facts_unit"
    }
    # the request schema takes the example and refuses bad facts; the response matches its own
    registry_doc = {**doc, "$id": "urn:doc"}

    def valid(ref: str, value: object) -> bool:
        schema = {"$ref": f"urn:doc#/components/schemas/{ref}"}
        from referencing import Registry, Resource

        resource = Resource.from_contents(registry_doc, default_specification=_draft())
        validator = jsonschema.Draft202012Validator(
            schema, registry=Registry().with_resource("urn:doc", resource)
        )
        return validator.is_valid(value)

    assert valid("facts_unit", UNIT)
    assert not valid("facts_unit", {**UNIT, "staff": "many"})
    response = client.post("/v1/decide/unit_management?lang=en", json=UNIT).json()
    assert valid("DecisionResponse", response)
    assert not valid("DecisionResponse", {**response, "bodies": "none"})


def _draft() -> object:
    from referencing.jsonschema import DRAFT202012

    return DRAFT202012


def test_the_decision_schema_is_shipped_and_describes_decisions() -> None:
    shipped = shipped_schemas_path() / "decision.schema.json"
    assert shipped.read_text("utf-8") == render_schema(decision_schema())
    validator = jsonschema.Draft202012Validator(decision_schema())
    for name in ENGINE.questions("unit"):
        validator.validate(ENGINE.decide(UNIT, name).to_dict())
    printed = CliRunner().invoke(cli, ["schema", "decision"])
    assert json.loads(printed.stdout) == decision_schema()


def test_questions_policy_and_places(client: TestClient) -> None:
    names = [q["name"] for q in client.get("/v1/questions").json()["questions"]]
    assert names == list(ENGINE.policy.questions)
    view = client.get("/v1/policy").json()
    assert view["fingerprint"] == ENGINE.policy.fingerprint
    ten = next(a for a in view["articles"] if a["number"] == 10)
    assert ten["text"]["zh"] == ENGINE.policy.articles[10].text.zh
    assert {r["question"] for r in ten["rules"]} >= {"unit_management"}
    fields = {f["name"]: f for s in view["subjects"] if s["name"] == "unit" for f in s["fields"]}
    assert {v["value"] for v in fields["category"]["values"]} >= {"other_enterprise"}
    place = client.get("/v1/places/120101002001").json()
    assert (place["valid"], place["level"]) == (True, "community")
    assert [w["code"] for w in place["within"]] == ["120101", "120101002"]
    assert client.get("/v1/places/12x").json()["valid"] is False


def test_every_decision_is_a_log_line_with_the_fingerprint(tmp_path: Path) -> None:
    path = tmp_path / "decisions.jsonl"
    log = DecisionLog(str(path), with_facts=True)
    with _client(log=log) as c:
        first = c.post("/v1/decide/unit_management", json=UNIT).json()
        c.post("/v1/decide", json={"facts": [UNIT, {**UNIT, "staff": 50}]})
    lines = [json.loads(line) for line in path.read_text("utf-8").splitlines()]  # flushed on stop
    assert len(lines) == 1 + 2 * len(ENGINE.questions("unit"))
    line = lines[0]
    assert line["decision_id"] == first["decision_id"]
    assert line["policy_fingerprint"] == ENGINE.policy.fingerprint
    assert line["question"] == "unit_management"
    assert line["outcome"] == "responsible"
    assert line["bodies"][0]["place_code"] == "120101"
    assert line["citations"] == ["(十)"]
    assert line["facts"]["staff"] == 1000
    assert len(line["facts_sha256"]) == 64
    assert line["as_of"] == first["as_of"]  # the day it was decided as of (today here)
    assert line["duration_ms"] >= 0
    hashed = tmp_path / "hashed.jsonl"
    log = DecisionLog(str(hashed))
    with _client(log=log) as c:
        c.post("/v1/decide/unit_management", json=UNIT)
    only = json.loads(hashed.read_text("utf-8"))
    assert "facts" not in only
    assert only["facts_sha256"] == line["facts_sha256"]


def _policy_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "policy"
    shutil.copytree(ROOT / "policies", copy)
    return copy


def _set_district_minimum(policy: Path, value: int) -> None:
    path = policy / "policy.yaml"
    text = path.read_text("utf-8")
    old = "  unit_district_min_staff:\n    type: int\n    value: 1000\n"
    assert old in text
    path.write_text(text.replace(old, old.replace("1000", str(value))), "utf-8")


def test_replay_reports_decisions_the_current_policy_answers_differently(
    tmp_path: Path,
) -> None:
    policy = _policy_copy(tmp_path)
    path = tmp_path / "decisions.jsonl"
    service = Service(
        Settings(policy_dir=policy), decision_log=DecisionLog(str(path), with_facts=True)
    )
    with TestClient(create_app(service)) as c:
        c.post("/v1/decide/unit_management", json=UNIT)
        c.post("/v1/decide/unit_management", json={**UNIT, "staff": 50})
    same = CliRunner().invoke(cli, ["replay", str(path), "--policy", str(policy)])
    assert same.exit_code == 0, same.output
    assert "2 same, 0 changed" in same.stderr
    _set_district_minimum(policy, 5000)
    changed = CliRunner().invoke(cli, ["replay", str(path), "--policy", str(policy)])
    assert changed.exit_code == 1
    assert "line 1 " in changed.stdout
    assert ": changed: " in changed.stdout
    assert "1 same, 1 changed" in changed.stderr


def test_reload_swaps_a_sound_policy_and_keeps_serving_on_a_broken_one(tmp_path: Path) -> None:
    policy = _policy_copy(tmp_path)
    settings = Settings(policy_dir=policy, token=TOKEN, check_on_reload=False)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with TestClient(create_app(Service(settings))) as c:
        before = c.post("/v1/decide/unit_management", json=UNIT, headers=auth)
        old = before.json()["policy_fingerprint"]
        _set_district_minimum(policy, 5000)
        done = c.post("/v1/admin/reload", headers=auth)
        assert done.status_code == 200
        new = done.json()["policy_fingerprint"]
        assert new != old
        after = c.post("/v1/decide/unit_management", json=UNIT, headers=auth)
        assert after.headers[FINGERPRINT_HEADER] == new
        assert after.json()["bodies"][0]["place_code"] == "120101002"  # now the street's range
        (policy / "policy.yaml").write_text("parameters: [\n", "utf-8")
        broken = c.post("/v1/admin/reload", headers=auth)
        assert (broken.status_code, broken.json()["code"]) == (409, "reload-failed")
        assert "policy.yaml" in broken.json()["errors"][0]["message"]
        still = c.post("/v1/decide/unit_management", json=UNIT, headers=auth)
        assert still.status_code == 200
        assert still.headers[FINGERPRINT_HEADER] == new
        assert c.post("/v1/admin/reload").json()["code"] == "missing-token"
    without = _client()
    assert without.post("/v1/admin/reload").json()["code"] == "reload-disabled"


def test_a_reload_that_fails_its_check_keeps_the_old_policy(tmp_path: Path) -> None:
    policy = _policy_copy(tmp_path)
    service = Service(Settings(policy_dir=policy))
    old = service.engine.policy.fingerprint
    # without the override that resolves it, a unit of 1000 staff is in two tiers: an overlap
    path = policy / "chapter3.yaml"
    text = path.read_text("utf-8")
    resolving = "          - unit_management.street_by_staff   # the overlap: rule staff_overlap\n"
    assert resolving in text
    path.write_text(text.replace(resolving, ""), "utf-8")
    done = service.reload()
    assert not done.ok
    assert done.message == "the policy failed its check"
    assert any("overlap" in p for p in done.problems)
    assert service.engine.policy.fingerprint == old


def test_the_docs_name_every_route_log_field_and_refusal(tmp_path: Path) -> None:
    docs = (ROOT / "docs" / "service.md").read_text("utf-8")
    app = create_app(Service(Settings(), engine=ENGINE))
    for route in app.routes:
        path = getattr(route, "path", "")
        assert f" {path}`" in docs or f"`{path}`" in docs, path
    path = tmp_path / "one.jsonl"
    log = DecisionLog(str(path), with_facts=True)
    with _client(log=log) as c:
        c.post("/v1/decide/unit_management", json=UNIT)
    line = json.loads(path.read_text("utf-8"))
    for key in line:
        assert f'"{key}"' in docs, key
    from jurisdiction.core.codes import SERVICE_CODES

    for code in SERVICE_CODES:
        assert f"`{code}`" in docs, code
