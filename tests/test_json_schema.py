"""The JSON Schemas (2020-12) of policy, overlay, facts and case files: generated from the
loader's models, shipped, up to date, named by every bundled YAML file's `$schema` line, and
accepting every bundled file while refusing broken ones."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from jurisdiction.cli.main import cli
from jurisdiction.cli.schemas import KINDS, render_schema, schema, shipped_schemas_path

ROOT = Path(__file__).resolve().parent.parent
LINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)\n")
BUNDLED = sorted(
    [
        *ROOT.glob("policies/**/*.yaml"),
        *ROOT.glob("examples/**/*.yaml"),
        *ROOT.glob("tests/cases/*.yaml"),
    ]
)


@cache
def _validator(path: Path) -> jsonschema.Draft202012Validator:
    data = json.loads(path.read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(data)
    return jsonschema.Draft202012Validator(data)


@pytest.mark.parametrize("kind", KINDS)
def test_the_shipped_schema_is_the_generated_one(kind: str) -> None:
    shipped = shipped_schemas_path() / f"{kind}.schema.json"
    assert shipped.read_text("utf-8") == render_schema(schema(kind))  # type: ignore[arg-type]
    assert json.loads(shipped.read_text("utf-8"))["$schema"].endswith("/draft/2020-12/schema")


def test_the_command_prints_a_schema() -> None:
    result = CliRunner().invoke(cli, ["schema", "overlay"])
    assert result.exit_code == 0
    assert json.loads(result.output) == schema("overlay")


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_bundled_file_names_its_schema_and_passes_it(path: Path) -> None:
    text = path.read_text("utf-8")
    match = LINE.match(text)
    assert match, f"{path}: the first line must be `# yaml-language-server: $schema=...`"
    target = (path.parent / match.group(1)).resolve()
    kind = target.name.split(".")[0]
    expected = {"cases": "cases"}.get(path.parent.name)
    if expected is None:
        expected = "overlay" if path.parent.name == "overlays" else None
    if expected is not None:
        assert kind == expected
    errors = sorted(_validator(target).iter_errors(yaml.safe_load(text)), key=str)
    assert errors == [], f"{path}: {errors[0].message}"


def _errors(kind: str, data: Any) -> list[str]:
    validator = _validator(shipped_schemas_path() / f"{kind}.schema.json")
    return [e.message for e in validator.iter_errors(data)]


def test_broken_files_fail_their_schema() -> None:
    policy = yaml.safe_load((ROOT / "policies" / "policy.yaml").read_text("utf-8"))
    assert _errors("policy", policy) == []
    misspelt = {**policy, "parameter": policy["parameters"]}
    assert any("'parameter' was unexpected" in m for m in _errors("policy", misspelt))
    overlay = yaml.safe_load((ROOT / "examples" / "overlays" / "120104.yaml").read_text("utf-8"))
    assert _errors("overlay", overlay) == []
    no_note = {**overlay, "parameters": {"unit_district_min_staff": {"value": 500}}}
    assert any("'note' is a required property" in m for m in _errors("overlay", no_note))
    half_note = {"value": 500, "note": {"zh": "五百人以上"}}  # a bilingual note has both
    assert _errors("overlay", {**overlay, "parameters": {"unit_district_min_staff": half_note}})
    plain_note = {"value": 500, "note": "own range"}  # a plain string is still accepted
    assert (
        _errors("overlay", {**overlay, "parameters": {"unit_district_min_staff": plain_note}}) == []
    )
    facts = {"kind": "unit", "category": "no_such_category", "staff": 5, "location": "120101002"}
    assert _errors("facts", facts)
    assert _errors("facts", {**facts, "category": "other"}) == []
    case = {"cases": [{"name": "x", "question": "q", "facts": {}, "expect": {"outcom": "x"}}]}
    assert _errors("cases", case)
