"""The examples run, say what they answer, and between them ask every question; the CLI help
and the docs describe what the code does."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

import jurisdiction
from jurisdiction.cli.main import cli

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def test_there_are_examples() -> None:
    assert len(EXAMPLES) >= 10


def test_the_1000_staff_example_is_one_documented_answer() -> None:
    result = CliRunner().invoke(
        cli, ["decide", str(ROOT / "examples" / "unit_1000_staff.yaml"), "-q", "unit_management"]
    )
    assert result.exit_code == 0
    assert "district/county 和平区 (120101)" in result.output
    assert "per article (十)" in result.output
    assert "exactly 1000" in result.output  # the note of the override
    assert result.output.count("Question:") == 1


def test_decide_help_lists_every_kind_of_fact_set() -> None:
    result = CliRunner().invoke(cli, ["decide", "--help"])
    assert result.exit_code == 0
    for kind in jurisdiction.load().subjects:
        assert f"kind: {kind}" in result.output
    assert "overlay" in result.output


def test_facts_docs_describe_every_kind() -> None:
    text = (ROOT / "docs" / "facts.md").read_text(encoding="utf-8")
    for kind in jurisdiction.load().subjects:
        assert f"`kind: {kind}`" in text


def _codes_in_source() -> set[str]:
    source = (ROOT / "src" / "jurisdiction" / "policy" / "overlays.py").read_text(encoding="utf-8")
    return set(re.findall(r'"(overlay-[a-z-]+)"', source))


def test_every_overlay_error_code_has_a_docs_section() -> None:
    codes = _codes_in_source()
    assert len(codes) >= 5
    sections = set(
        re.findall(r"^## (\S+)$", (ROOT / "docs" / "errors.md").read_text(), re.MULTILINE)
    )
    assert codes <= sections, f"undocumented: {codes - sections}"


def test_the_docs_quote_the_1000_note_as_the_policy_has_it() -> None:
    note = jurisdiction.load().policy.rule("unit_management.staff_overlap").note
    assert note is not None
    docs = (ROOT / "docs" / "chapters-2-5.md").read_text(encoding="utf-8")
    quoted = " ".join(
        line.removeprefix("  >").strip() for line in docs.splitlines() if line.startswith("  >")
    )
    assert " ".join(note.en.split()) in quoted
