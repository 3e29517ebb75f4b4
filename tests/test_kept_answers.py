"""Kept answer programs (cli/kept_answers.py, engine/kept_answers.py): a plain `decide` answered
without the engine prints exactly what the command line proper prints, or nothing (None) and
the command line answers; a kept file that is not the user's own, was tampered with or was made
from other sources is not used."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import jurisdiction
from jurisdiction.cli import kept_answers, main
from jurisdiction.core import user_cache
from jurisdiction.engine.kept_answers import program
from jurisdiction.testing import strategies

pytestmark = pytest.mark.skipif(not user_cache.SUPPORTED, reason="no private cache here")

ENGINE = jurisdiction.load()
KEPT = [q for q in ENGINE.questions() if program(ENGINE, q) is not None]
DAYS = [None, "2012-06-01", "2016-01-01", "2019-03-03", "2021-06-01", "2030-01-01"]
NAMED = sorted(ENGINE.policy.facts.place_names) if ENGINE.policy.facts is not None else []


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(home))
        kept_answers.keep(ENGINE, ENGINE.questions())
        yield home / "jurisdiction"


def _full(argv: list[str]) -> tuple[str, int]:
    """What the command line proper prints (the engine loaded once for all the examples)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(main, "engine_for", lambda *_a, **_k: ENGINE)
        result = CliRunner().invoke(main.cli, argv)
    return result.stdout, result.exit_code


def _same(argv: list[str]) -> bool:
    """The kept programs print what the command line does, or nothing; True if they printed."""
    fast = kept_answers.answered(argv)
    if fast is None:
        return False
    out, code = _full(argv)
    assert (fast, 0) == (out, code), argv
    return True


def test_some_questions_of_every_simple_subject_are_kept() -> None:
    kept = {ENGINE.question(q).subject for q in KEPT}
    assert {"unit", "district", "birth_case", "resident"} <= kept


def _named(value: dict[str, Any], draw: st.DrawFn) -> dict[str, Any]:
    """Each place code replaced by a place of the same level that the policy names."""
    out = dict(value)
    for key, v in value.items():
        if isinstance(v, str) and v.isdigit() and len(v) >= 6:
            same = [c for c in NAMED if len(c) == len(v)]
            if same:
                out[key] = draw(st.sampled_from(same))
    return out


MALFORMED = [
    lambda v, k: {**v, k: True},
    lambda v, k: {**v, k: 1},
    lambda v, k: {**v, k: 0},
    lambda v, k: {**v, k: -1},
    lambda v, k: {**v, k: 10**12},
    lambda v, k: {**v, k: 1.0},
    lambda v, k: {**v, k: "x"},
    lambda v, k: {**v, k: "12x101"},
    lambda v, k: {**v, k: "120101"},
    lambda v, k: {**v, k: None},
    lambda v, k: {**v, k: []},
    lambda v, k: {**v, k: {}},
    lambda v, k: {a: b for a, b in v.items() if a != k},
    lambda v, k: {**v, "unknown_field": 1},
    lambda v, k: {**v, "kind": "nothing"},
    lambda v, k: [v],
    lambda v, k: {**v, "id": 7},
]


@pytest.mark.parametrize("question", KEPT)
@given(data=st.data())
def test_kept_answers_print_what_the_command_line_prints(
    question: str, data: st.DataObject, cache: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    subject = ENGINE.question(question).subject
    model = data.draw(strategies.facts(ENGINE, subject))
    value: Any = model.model_dump(mode="json")
    if data.draw(st.booleans()):
        value = _named(value, data.draw)
    if data.draw(st.booleans()):
        key = data.draw(st.sampled_from(sorted(value)))
        value = data.draw(st.sampled_from(MALFORMED))(value, key)
    path = tmp_path_factory.mktemp("facts") / "facts.json"
    path.write_text(json.dumps(value), encoding="utf-8")
    argv = ["decide", str(path), "-q", question]
    day = data.draw(st.sampled_from(DAYS))
    argv += ["--as-of", day] if day else []
    argv += ["--lang", data.draw(st.sampled_from(["en", "zh"]))]
    argv += ["--ids"] if data.draw(st.booleans()) else []
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(cache.parent))
        _same(argv)


EXAMPLES = sorted(Path(__file__).resolve().parent.parent.joinpath("examples").glob("*.yaml"))


def test_the_examples_are_answered_by_the_kept_programs(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache.parent))
    answered = 0
    for example in EXAMPLES:
        for question in KEPT:
            for extra in ([], ["--lang", "zh", "--ids", "--as-of", "2012-06-01"]):
                answered += _same(["decide", str(example), "-q", question, *extra])
    assert answered >= 6  # the unit, district and birth examples of their questions


def test_other_forms_go_the_long_way() -> None:
    for argv in (
        ["decide", "f.yaml"],
        ["decide", "f.yaml", "-q", "q", "--format", "json"],
        ["decide", "f.yaml", "-q", "q", "--as-of", "2012-6-1"],
        ["decide", "f.yaml", "-q", "q", "--lang", "fr"],
        ["decide", "f.yaml", "g.yaml", "-q", "q"],
        ["decide", "-", "-q", "q"],
        ["decide", "f.yaml", "-q", "q", "--policy", "p"],
        ["decide", "f.yaml", "-q"],
        ["questions"],
    ):
        assert kept_answers.plain(argv) is None, argv
    found = kept_answers.plain(["decide", "f.yaml", "-q", "a", "--ids", "-q", "b", "--lang", "zh"])
    assert found is not None
    assert (found.facts, found.questions, found.lang, found.ids) == (
        "f.yaml",
        ["a", "b"],
        "zh",
        True,
    )


UNIT = str(Path(__file__).resolve().parent.parent / "examples" / "unit_1000_staff.yaml")
ARGV = ["decide", UNIT, "-q", "unit_management"]


def _one(home: Path) -> Path:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(home))
        kept_answers.keep(ENGINE, ["unit_management"])
    (found,) = (home / "jurisdiction").glob("answer-*.bin")
    return found


def _answered(home: Path) -> str | None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(home))
        return kept_answers.answered(ARGV)


def test_a_tampered_or_shared_program_is_not_run(tmp_path: Path) -> None:
    kept = _one(tmp_path)
    assert kept.stat().st_mode & 0o077 == 0
    assert _answered(tmp_path) == _full(ARGV)[0]
    data = kept.read_bytes()
    at = data.index("和平区".encode())  # a place's name in the program's source
    kept.write_bytes(data[:at] + "河西区".encode() + data[at + len("和平区".encode()) :])
    assert _answered(tmp_path) is None
    kept.write_bytes(data)
    assert _answered(tmp_path) is not None
    os.chmod(kept, 0o620)
    assert _answered(tmp_path) is None


def test_a_program_made_from_other_sources_is_not_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _one(tmp_path)
    assert _answered(tmp_path) is not None
    real = kept_answers.sources_key
    monkeypatch.setattr(kept_answers, "sources_key", lambda head, p=(): real(head, p) + b"x")
    assert _answered(tmp_path) is None


@pytest.mark.parametrize("unkept", [q for q in ENGINE.questions() if q not in KEPT])
def test_a_question_without_a_program_is_kept_as_answering_nothing(
    unkept: str, tmp_path: Path
) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(tmp_path))
        kept_answers.keep(ENGINE, [unkept])
        assert len(list((tmp_path / "jurisdiction").glob("answer-*.bin"))) == 1
        for example in EXAMPLES:
            assert kept_answers.answered(["decide", str(example), "-q", unkept]) is None


def test_a_warm_decide_runs_the_kept_program_without_pydantic(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    script = (
        "import sys; from jurisdiction.cli.entry import main"
        "\nsys.argv = ['jurisdiction', *sys.argv[1:]]"
        "\ntry:\n    main()\nfinally:\n"
        "    print(sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'click')),"
        " file=sys.stderr)"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", script, *ARGV], env=env, capture_output=True, check=True
        )
        for _ in range(2)
    ]
    assert runs[0].stdout == runs[1].stdout == _full(ARGV)[0].encode()
    assert b"pydantic" in runs[0].stderr  # the first: the command line proper, which keeps it
    assert runs[1].stderr.strip() == b"[]"  # the second: the kept program alone


def test_a_question_keeps_its_newest_programs_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A program is made again after each change of the sources: the older ones of the same
    question are removed but the newest few, and other questions' are left alone."""
    real = kept_answers.sources_key
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = tmp_path / "jurisdiction"
    kept_answers.keep(ENGINE, ["unit_guidance"])
    other = set(folder.glob("answer-*.bin"))
    for change in range(5):
        monkeypatch.setattr(
            kept_answers, "sources_key", lambda h, p=(), c=change: real(h, p) + str(c).encode()
        )
        kept_answers.keep(ENGINE, ["unit_management"])
        assert _answered(tmp_path) == _full(ARGV)[0]  # the newest is read
        mine = set(folder.glob("answer-*.bin")) - other
        assert len(mine) == min(change + 1, kept_answers.KEPT_PER_QUESTION)
    assert other <= set(folder.glob("answer-*.bin"))
