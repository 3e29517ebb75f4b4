"""Every example runs, says what its answer is, and is right about it; every question has one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import jurisdiction
from jurisdiction.cli.main import cli

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.yaml"))
_CLAIM = re.compile(r"^# (item|question|outcome|codes|as_of): (.+)$", re.MULTILINE)
_DECIDED_AS_OF = re.compile(r"^# decided as of: (\S+)", re.MULTILINE)
_OVERLAYS = re.compile(r"^# overlays: (.+)$", re.MULTILINE)


def overlays_of(path: Path) -> Path | None:
    """An example decided with an illustrative overlay says so: `# overlays: DIR` (relative to
    the examples folder), as a caller passes `overlays=DIR`."""
    found = _OVERLAYS.search(path.read_text(encoding="utf-8"))
    return path.parent / found.group(1).strip() if found else None


def claims(path: Path) -> list[dict[str, str]]:
    """The `# question:` claims of an example, each with its `# outcome:` and `# codes:`; in a
    file holding a list of fact sets, `# item: N` says which one the claims below it are about."""
    out: list[dict[str, str]] = []
    item = "0"
    for key, value in _CLAIM.findall(path.read_text(encoding="utf-8")):
        if key == "item":
            item = value.strip()
        elif key == "question":
            out.append({"question": value.strip(), "item": item})
        else:
            out[-1][key] = value.strip()
    return out


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_answers_as_its_comment_says(path: Path) -> None:
    engine = jurisdiction.load(overlays=overlays_of(path))
    facts = yaml.safe_load(path.read_text(encoding="utf-8"))
    header = "\n".join(
        line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("#")
    )
    assert "Answer" in header, f"{path.name}: the comment must say what the answer is"
    assert "Why:" in header, f"{path.name}: the comment must say why"
    stated = claims(path)
    assert stated, f"{path.name} states no `# question:` / `# outcome:` claim"
    # an example whose answers later law changed says the day it is decided as of (the text's
    # own, before 2016, unless a claim gives another); the others hold on any day
    dated = _DECIDED_AS_OF.search(header)
    day = dated.group(1) if dated else None
    for claim in stated:
        fact_set = facts[int(claim["item"])] if isinstance(facts, list) else facts
        decision = engine.decide(fact_set, claim["question"], as_of=claim.get("as_of") or day)
        assert decision.outcome == claim["outcome"], (path.name, decision.render("en"))
        if "codes" in claim:
            assert [b.place_code for b in decision.bodies] == claim["codes"].split()


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_runs_from_the_cli(path: Path) -> None:
    extra = overlays_of(path)
    args = ["--overlays", str(extra)] if extra is not None else []
    result = CliRunner().invoke(cli, ["decide", str(path), *args])
    assert result.exit_code == 0, result.output
    assert "Question:" in result.output


def test_every_question_of_the_bundled_policy_has_an_example() -> None:
    engine = jurisdiction.load()
    covered = {c["question"] for p in EXAMPLES for c in claims(p)}
    assert set(engine.questions()) - covered == set()
