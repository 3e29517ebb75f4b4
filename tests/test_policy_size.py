"""The bundled policy says each thing once (issue 19): no run of ten consecutive non-blank lines
appears twice across policies/*.yaml — a block written twice belongs in a template
(docs/policy-format.md, "Templates") — the whole is under issue 19's goal of 2,100 lines, and it
does not grow past the ceiling below, which holds what was reached. Shared template arguments,
question defaults and chapters' first articles took 2,507 to 2,317; short mappings in flow style,
answers written in their rules and outside cases written once took it to 2,187; {zh, en} pairs
in two-line flow style, a question's `cite` and `with`, template defaults built from the
arguments given, definition defaults and features one subject takes from another took it to
2,098 (the chapters and articles keep their numbers, which an analyst looks an article up by).
Lower the ceiling as the policy shrinks."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import yaml

POLICIES = Path(__file__).resolve().parent.parent / "policies"
WINDOW = 10
GOAL = 2100  # issue 19: the bundled policy under 2,100 lines (wc -l)
CEILING = 2098  # what the bundled policy is held to today (wc -l): lower it as it shrinks


DATA_SECTIONS = {"place_names", "place_name_tables"}
"""Sections that hold published data (the names of place codes), not what the text says: a file
of only these is not counted."""


def _is_data(file: Path) -> bool:
    return set(yaml.safe_load(file.read_text(encoding="utf-8")) or {}) <= DATA_SECTIONS


def _files() -> list[Path]:
    files = sorted(f for f in POLICIES.glob("*.yaml") if not _is_data(f))
    assert files, f"no policy files in {POLICIES}"
    return files


def repeated_windows(files: list[Path], window: int = WINDOW) -> dict[tuple[str, ...], list[str]]:
    """Each run of ``window`` consecutive non-blank lines (stripped) that occurs more than once,
    with where each occurrence starts (``file:line``)."""
    where: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for file in files:
        lines = [
            (number, line.strip())
            for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1)
            if line.strip()
        ]
        for start in range(len(lines) - window + 1):
            run = tuple(text for _, text in lines[start : start + window])
            where[run].append(f"{file.name}:{lines[start][0]}")
    return {run: places for run, places in where.items() if len(places) > 1}


def test_no_ten_line_block_is_written_twice() -> None:
    repeated = repeated_windows(_files())
    assert not repeated, "written twice (use a template): " + "; ".join(
        " and ".join(places) for places in list(repeated.values())[:5]
    )


def test_the_check_sees_a_block_written_twice(tmp_path: Path) -> None:
    block = "".join(f"line{i}: {i}\n" for i in range(WINDOW))
    (tmp_path / "a.yaml").write_text("a: 1\n" + block, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(block + "\nb: 2\n", encoding="utf-8")
    found = repeated_windows(sorted(tmp_path.glob("*.yaml")))
    assert list(found.values()) == [["a.yaml:2", "b.yaml:1"]]
    (tmp_path / "b.yaml").write_text(block.replace("line9", "other"), encoding="utf-8")
    assert repeated_windows(sorted(tmp_path.glob("*.yaml"))) == {}


def _total() -> int:
    return sum(len(f.read_text(encoding="utf-8").splitlines()) for f in _files())


def test_the_bundled_policy_does_not_grow() -> None:
    assert _total() <= CEILING, f"policies/*.yaml is {_total()} lines (wc -l), {CEILING} at most"


def test_the_bundled_policy_is_under_the_goal() -> None:
    assert _total() < GOAL, f"policies/*.yaml is {_total()} lines (wc -l); issue 19 asks < {GOAL}"
