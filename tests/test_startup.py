"""Start-up fit for a loop: importing the package, and `jurisdiction --help` once its cache is
filled, import no engine, no pydantic, no YAML reader and no condition parser; `jurisdiction
decide` imports no checker nor optional evaluator, and once the conditions it parsed and the
documents it validated are kept, no parser nor the policy format's schema either, and still
decides as written (the figures are in benchmarks/startup.py)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

HEAVY = ["jurisdiction.engine.engine", "jurisdiction.policy.load", "pydantic", "lark", "yaml"]

PROBE = """
import json, sys
from jurisdiction.cli.main import main
try:
    main(["--help"])
except SystemExit:
    pass
print(json.dumps(sorted(m for m in {heavy} if m in sys.modules)), file=sys.stderr)
"""


def _help(cache: Path) -> tuple[str, list[str]]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    proc = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return proc.stdout, json.loads(proc.stderr.strip().splitlines()[-1])


def test_importing_the_package_imports_nothing_heavy() -> None:
    code = f"import sys, jurisdiction; print([m for m in {HEAVY} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_help_reads_the_policy_once_then_from_its_cache(tmp_path: Path) -> None:
    first, loaded = _help(tmp_path)
    assert "jurisdiction.policy.load" in loaded  # the first help reads the bundled policy ...
    assert list((tmp_path / "jurisdiction").glob("help-*.json"))
    second, loaded = _help(tmp_path)
    assert loaded == []  # ... and the next ones import none of it
    assert second == first
    assert "The bundled policy is" in second


EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "unit_1000_staff.yaml"

NOT_FOR_DECIDE = [
    "jurisdiction.analysis.check",
    "jurisdiction.analysis.realise",
    "jurisdiction.analysis.partition",
    "jurisdiction.analysis.certificate",
    "jurisdiction.analysis.explain",
    "jurisdiction.analysis.diff",
    "jurisdiction.testing.cases",
    "jurisdiction.policy.codegen",
    "jurisdiction.engine.durable",
    "jurisdiction.cli.schemas",
    "jurisdiction.testing",
    "durable",
    "hypothesis",
    "jsonschema",
]

DECIDE = """
import json, sys
from jurisdiction.cli.main import main
try:
    main(["decide", *sys.argv[1:]])
except SystemExit:
    pass
print(json.dumps(sorted(m for m in {modules} if m in sys.modules)), file=sys.stderr)
"""


def _decide(cache: Path, *args: str) -> tuple[str, list[str]]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    code = DECIDE.format(modules=[*NOT_FOR_DECIDE, "lark", "jurisdiction.policy.schema"])
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=True
    )
    return proc.stdout, json.loads(proc.stderr.strip().splitlines()[-1])


def test_decide_imports_no_checker_and_then_no_parser_nor_schema(tmp_path: Path) -> None:
    args = (str(EXAMPLE), "-q", "unit_management", "--ids")
    first, imported = _decide(tmp_path, *args)
    # the first run validates the documents and parses the conditions ...
    assert imported == ["jurisdiction.policy.schema", "lark"]
    assert list((tmp_path / "jurisdiction").glob("conditions-*.jsonl"))
    second, imported = _decide(tmp_path, *args)
    assert imported == []  # ... the next finds them kept, and the documents' models with them
    assert second == first
    assert "unit_management.district_by_staff" in second


def test_a_changed_condition_is_decided_as_written(tmp_path: Path) -> None:
    policy = tmp_path / "policy"
    shutil.copytree(Path(__file__).resolve().parent.parent / "policies", policy)
    cache = tmp_path / "cache"
    args = (str(EXAMPLE), "-q", "unit_management", "--ids", "--policy", str(policy))
    before, _ = _decide(cache, *args)
    assert "Rules applied: unit_management.district_by_staff" in before
    chapter = policy / "chapter3.yaml"
    text = chapter.read_text(encoding="utf-8")
    rule = "unit.staff >= param.unit_district_min_staff"  # the tier and the readings by staff
    assert text.count(rule) > 1
    chapter.write_text(
        text.replace(rule, rule.replace(">=", "> ")), encoding="utf-8"
    )  # a byte each
    after, _ = _decide(cache, *args)
    assert "Rules applied: unit_management.street_by_staff" in after
    cold, imported = _decide(tmp_path / "empty", *args)
    assert imported == ["jurisdiction.policy.schema", "lark"]
    assert after == cold  # as a run that kept nothing decides


ENTRY_PROBE = """
import json, sys
sys.argv = ["jurisdiction", "--help"]
from jurisdiction.cli.entry import main
main()
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("click", "typing")
    or m == "jurisdiction.cli.main")), file=sys.stderr)
"""


def test_the_console_scripts_help_once_kept_imports_not_even_click(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}

    def run() -> tuple[str, list[str]]:
        proc = subprocess.run(
            [sys.executable, "-c", ENTRY_PROBE], capture_output=True, text=True, env=env, check=True
        )
        return proc.stdout, json.loads(proc.stderr.strip().splitlines()[-1])

    first, imported = run()
    assert "jurisdiction.cli.main" in imported  # the first is printed by the command line
    second, imported = run()
    assert second == first
    assert second.startswith("Usage: jurisdiction")
    assert imported == []
