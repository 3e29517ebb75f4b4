"""``jurisdiction decide -``: JSON or YAML facts from standard input, decided as a file's are,
with errors located in ``<stdin>``."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from jurisdiction.cli.main import cli

ROOT = Path(__file__).resolve().parent.parent
UNIT = (ROOT / "examples" / "unit_1000_staff.yaml").read_text("utf-8")
ASKED = ["-q", "unit_management", "--format", "json"]


def _decide(stdin: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["decide", "-", *args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_yaml_on_stdin_decides_as_the_file_does() -> None:
    code, out, _ = _decide(UNIT, *ASKED)
    from_file = CliRunner().invoke(cli, ["decide", "examples/unit_1000_staff.yaml", *ASKED])
    assert code == 0
    assert json.loads(out) == json.loads(from_file.stdout)
    assert json.loads(out)[0]["bodies"][0]["place_code"] == "120101"


def test_json_on_stdin_and_a_list_of_fact_sets() -> None:
    facts = {"kind": "unit", "category": "other_enterprise", "staff": 1000}
    facts["location"] = "120101002001"
    code, out, _ = _decide(json.dumps([facts, {**facts, "staff": 50}]), *ASKED)
    assert code == 0
    assert [d["rules_applied"] != [] for d in json.loads(out)] == [True, True]
    assert len(json.loads(out)) == 2


def test_yaml_flow_style_is_not_mistaken_for_json() -> None:
    code, out, _ = _decide(
        "{kind: unit, category: other_enterprise, staff: 1000, location: '120101002001'}", *ASKED
    )
    assert code == 0, out
    assert json.loads(out)[0]["outcome"] == "responsible"


def test_bad_facts_on_stdin_are_located_in_stdin() -> None:
    code, _, err = _decide("kind: unit\ncategory: other_enterprise\nstaff: lots\n", *ASKED)
    assert code == 4
    assert "<stdin>:3:8: staff:" in err
    code, _, err = _decide('{"kind": "unit", "staff": 1, "staff": 2}', *ASKED)
    assert code == 4
    assert "duplicate key `staff`" in err


def test_empty_stdin_is_an_error_not_a_crash() -> None:
    code, _, err = _decide("", *ASKED)
    assert code == 4
    assert "error (FactsError)" in err
