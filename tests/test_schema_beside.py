"""Editor support that survives copying (issue 21): ``jurisdiction schema --write DIR`` writes the
schemas beside a policy, ``--modelines`` points its files at them by relative paths, and the
loader allows ``*.schema.json`` there."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import yaml
from click.testing import CliRunner

from jurisdiction.cli.main import cli
from jurisdiction.cli.schemas import MODELINE
from jurisdiction.policy.load import load_policy

ROOT = Path(__file__).resolve().parent.parent
PERMIT = ROOT / "examples" / "residence_permit"


def _target(path: Path) -> Path:
    """The schema a file's modeline names, resolved as an editor does: from the file's folder."""
    first = path.read_text("utf-8").splitlines()[0]
    assert first.startswith(MODELINE), first
    return (path.parent / first.removeprefix(MODELINE)).resolve()


def test_schemas_written_beside_a_policy_survive_copying_it(tmp_path: Path) -> None:
    root = tmp_path / "permit"
    shutil.copytree(PERMIT, root)
    (root / "cases").mkdir()
    (root / "cases" / "basic.yaml").write_text("cases: []\n", "utf-8")
    result = CliRunner().invoke(cli, ["schema", "--write", str(root), "--modelines"])
    assert result.exit_code == 0, result.output
    for kind in ("policy", "overlay", "cases", "facts"):
        assert (root / f"{kind}.schema.json").is_file()
    copy = tmp_path / "elsewhere" / "my_policy"
    shutil.copytree(root, copy)
    assert load_policy(copy).name == "residence_permit"  # the schemas beside it are allowed
    for path in sorted(copy.glob("*.yaml")):
        schema_file = _target(path)
        assert schema_file == copy / "policy.schema.json"  # inside the copy, not the original
        schema = json.loads(schema_file.read_text("utf-8"))
        jsonschema.validate(yaml.safe_load(path.read_text("utf-8")), schema)
    assert _target(copy / "cases" / "basic.yaml") == copy / "cases.schema.json"
    facts = json.loads((copy / "facts.schema.json").read_text("utf-8"))
    jsonschema.validate({"kind": "applicant", "residence": "KN01", "hukou_in_city": False,
                         "age": 12}, facts)  # fmt: skip
    again = CliRunner().invoke(cli, ["schema", "--write", str(copy), "--modelines"])
    assert again.exit_code == 0
    assert "modeline set" not in again.output  # an existing modeline is replaced, not stacked


def test_write_goes_without_a_kind() -> None:
    result = CliRunner().invoke(cli, ["schema", "policy", "--write", str(PERMIT)])
    assert result.exit_code == 2
    assert "no KIND" in result.output
    assert CliRunner().invoke(cli, ["schema"]).exit_code == 2
