"""The stable codes: the registry, the sections of docs/errors.md and the codes the source emits
are one and the same set."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from jurisdiction.core.codes import CHECK_CODES, CODES, LOAD_CODES, SERVICE_CODES

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "jurisdiction"
DOCS = ROOT / "docs" / "errors.md"

# Calls whose first argument is a code: diagnostics, the loader's and YAML reader's helpers,
# the type checker's problems and the checker's raw findings.
EMITTERS = {"Diagnostic", "single", "problem", "fail", "Problem", "_Raw"}
KEBAB = re.compile(r"^[a-z]+(?:-[a-z]+)+$")  # a hyphenated code, wherever it is written


# kebab-case strings in src that are names, not codes: a package, a kind of diff change
NOT_CODES = {"durable-rules", "reason-text-only"}


def emitted_codes() -> dict[str, str]:
    """Every code the source can emit, with where it is first written."""
    found: dict[str, str] = {}
    for path in sorted(SRC.rglob("*.py")):
        if path.relative_to(SRC).as_posix() == "core/codes.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            code = None
            if isinstance(node, ast.Call) and node.args:
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                first = node.args[0]
                if name in EMITTERS and isinstance(first, ast.Constant):
                    code = first.value
            elif (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and KEBAB.match(node.value)
            ):
                code = node.value
            if isinstance(code, str) and code not in NOT_CODES:
                found.setdefault(code, f"{path.name}:{getattr(node, 'lineno', 0)}")
    return found


def documented_codes() -> list[str]:
    return re.findall(r"^## (\S+)\s*$", DOCS.read_text(encoding="utf-8"), flags=re.MULTILINE)


def test_every_code_the_source_emits_is_registered() -> None:
    unregistered = {code: where for code, where in emitted_codes().items() if code not in CODES}
    assert not unregistered, f"add these to core/codes.py and docs/errors.md: {unregistered}"


def test_every_registered_code_is_emitted_by_the_source() -> None:
    assert set(CODES) - set(emitted_codes()) == set()


def test_docs_have_one_section_per_code() -> None:
    documented = documented_codes()
    assert len(documented) == len(set(documented)), "a code is documented twice"
    assert set(documented) == set(CODES)


def test_every_code_is_loaded_checked_or_served_and_has_a_summary() -> None:
    assert set(CODES) == LOAD_CODES | CHECK_CODES | SERVICE_CODES
    assert not SERVICE_CODES & (LOAD_CODES | CHECK_CODES)
    assert all(c.summary and c.code == name for name, c in CODES.items())
    assert {c for c in CHECK_CODES if CODES[c].severity == "error"} == {
        "overlap",
        "gap",
        "answer-place",
        "check-incomplete",
        "override",
    }
