"""Start-up fit for a loop: importing the package, and `jurisdiction --help` once its cache is
filled, import no engine, no pydantic, no YAML reader and no condition parser (the figures are
in benchmarks/startup.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HEAVY = ["jurisdiction._engine", "jurisdiction._load", "pydantic", "lark", "yaml"]

PROBE = """
import json, sys
from jurisdiction._cli import main
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
    assert "jurisdiction._load" in loaded  # the first help reads the bundled policy ...
    assert list((tmp_path / "jurisdiction").glob("help-*.json"))
    second, loaded = _help(tmp_path)
    assert loaded == []  # ... and the next ones import none of it
    assert second == first
    assert "The bundled policy is" in second
