"""`jurisdiction serve` as a process: loopback by default, SIGHUP reloads (and a broken policy
keeps the old one serving), the decision log is flushed when the server is stopped."""

from __future__ import annotations

import json
import shutil
import signal
from pathlib import Path

from service_server import serving

ROOT = Path(__file__).resolve().parent.parent
UNIT = {"kind": "unit", "category": "other_enterprise", "staff": 1000, "location": "120101002001"}


def test_sighup_reloads_and_a_broken_policy_keeps_serving(tmp_path: Path) -> None:
    policy = tmp_path / "policy"
    shutil.copytree(ROOT / "policies", policy)
    log = tmp_path / "decisions.jsonl"
    with serving([str(policy), "--decision-log", str(log), "--no-reload-check"]) as server:
        status, first = server.post("/v1/decide/unit_management", UNIT)
        assert status == 200
        assert first["bodies"][0]["place_code"] == "120101"
        old = first["policy_fingerprint"]
        text = (policy / "policy.yaml").read_text("utf-8")
        edited = text.replace(
            "  unit_district_min_staff:\n    type: int\n    value: 1000\n",
            "  unit_district_min_staff:\n    type: int\n    value: 5000\n",
        )
        assert edited != text
        (policy / "policy.yaml").write_text(edited, "utf-8")
        server.process.send_signal(signal.SIGHUP)
        server.wait_for(lambda: server.get("/readyz")[1]["policy_fingerprint"] != old)
        new = server.get("/readyz")[1]["policy_fingerprint"]
        status, second = server.post("/v1/decide/unit_management", UNIT)
        assert second["bodies"][0]["place_code"] == "120101002"
        (policy / "policy.yaml").write_text("parameters: [\n", "utf-8")
        server.process.send_signal(signal.SIGHUP)
        server.wait_for(lambda: "failed to load" in server.stderr())
        status, third = server.post("/v1/decide/unit_management", UNIT)
        assert status == 200
        assert third["policy_fingerprint"] == new
    lines = [json.loads(line) for line in log.read_text("utf-8").splitlines()]
    assert [line["policy_fingerprint"] for line in lines] == [old, new, new]
    assert [line["decision_id"] for line in lines] == [
        first["decision_id"],
        second["decision_id"],
        third["decision_id"],
    ]


def test_the_server_binds_loopback_by_default() -> None:
    with serving() as server:
        assert server.url.startswith("http://127.0.0.1:")
        status, ready = server.get("/readyz")
        assert status == 200
        assert ready["status"] == "ready"
        err = server.stderr()
        assert "127.0.0.1" in err
        assert "reachable from other machines" not in err


def test_the_dockerfile_runs_the_service_as_an_unprivileged_user() -> None:
    lines = [
        line.strip()
        for line in (ROOT / "Dockerfile").read_text("utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users
    assert users[-1].split(":")[0] not in ("root", "0")
    (entry,) = [line for line in lines if line.startswith("ENTRYPOINT ")]
    assert lines.index(f"USER {users[-1]}") < lines.index(entry)
    command = json.loads(entry.removeprefix("ENTRYPOINT "))
    assert command[:2] == ["jurisdiction", "serve"]
    # the options it passes are the command's own
    from click.testing import CliRunner

    from jurisdiction.cli.main import cli

    usage = CliRunner().invoke(cli, ["serve", "--help"]).stdout
    assert all(option in usage for option in command[2:] if option.startswith("--"))
    copied = {line.split()[1] for line in lines if line.startswith("COPY ")}
    assert {"src", "policies", "schemas", "pyproject.toml"} <= copied


def test_a_token_file_guards_the_api_and_enables_reload(tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("a-token-for-this-test-only\n", "utf-8")
    unit = dict(UNIT)
    with serving(["--token-file", str(token)]) as server:
        status, refused = server.post("/v1/decide/unit_management", unit)
        assert (status, refused["code"]) == (401, "missing-token")
        status, ok = server.post("/v1/decide/unit_management", unit, "a-token-for-this-test-only")
        assert status == 200
        status, reloaded = server.post("/v1/admin/reload", {}, "a-token-for-this-test-only")
        assert status == 200
        assert reloaded["policy_fingerprint"] == ok["policy_fingerprint"]
        assert server.get("/healthz")[0] == 200


def test_serve_refuses_a_short_token_and_an_unwritable_log(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from jurisdiction.cli.main import cli

    short = tmp_path / "short"
    short.write_text("abc\n", "utf-8")
    result = CliRunner().invoke(cli, ["serve", "--token-file", str(short)])
    assert result.exit_code == 2
    assert "16 characters" in result.output
    result = CliRunner().invoke(cli, ["serve", "--decision-log", str(tmp_path / "no" / "log")])
    assert result.exit_code == 2
    assert "cannot write the decision log" in result.output
