"""The console script's entry (cli/entry.py): the top-level help from the user's cache, exactly
as the command line prints it, and only from a file that is the user's and was made from the
same sources."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from jurisdiction.cli import entry
from jurisdiction.core import user_cache

pytestmark = pytest.mark.skipif(not user_cache.SUPPORTED, reason="no private cache here")


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    old = sys.argv
    sys.argv = ["jurisdiction", *argv]
    try:
        entry.main()
    finally:
        sys.argv = old
    return capsys.readouterr().out


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("COLUMNS", "100")
    return tmp_path / "jurisdiction"


def _help_files(cache: Path) -> list[Path]:
    return sorted(cache.glob("help-*.txt"))


def test_the_help_is_the_command_lines_then_read_from_the_cache(
    cache: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    printed, code = entry._printed(["--help"])
    assert code == 0
    assert b"Usage: jurisdiction" in printed
    first = _run(["--help"], capsys)
    assert first.encode() == printed
    (kept,) = _help_files(cache)
    assert kept.stat().st_mode & 0o077 == 0

    def not_again(argv: list[str]) -> tuple[bytes, int]:
        raise AssertionError("the help was made again instead of read from the cache")

    monkeypatch.setattr(entry, "_printed", not_again)
    assert _run(["--help"], capsys) == first


def test_a_changed_source_or_width_is_not_served_the_old_help(
    cache: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _run(["--help"], capsys)
    key = entry.help_key(["--help"])
    monkeypatch.setenv("COLUMNS", "60")
    assert entry.help_key(["--help"]) != key
    assert entry._kept(str(cache), entry.help_key(["--help"])) is None


def test_a_file_whose_description_differs_is_not_used(
    cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(["--help"], capsys)
    (kept,) = _help_files(cache)
    key = entry.help_key(["--help"])
    data = kept.read_bytes()
    # the same name, but a description one byte off (a stale or forged file): not used
    forged = data.replace(key[-8:], key[-8:-1] + b"X", 1)
    kept.write_bytes(forged)
    assert entry._kept(str(cache), key) is None
    assert _run(["--help"], capsys).startswith("Usage: jurisdiction")  # made again
    assert entry._kept(str(cache), key) is not None


def test_a_file_others_may_write_is_not_read(
    cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(["--help"], capsys)
    (kept,) = _help_files(cache)
    key = entry.help_key(["--help"])
    os.chmod(kept, 0o620)
    assert entry._kept(str(cache), key) is None
    os.chmod(kept, 0o600)
    link = kept.with_name("elsewhere.txt")
    kept.rename(link)
    kept.symlink_to(link)
    assert entry._kept(str(cache), key) is None


def test_other_arguments_go_to_the_command_line(
    cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        _run(["questions", "--help"], capsys)
    assert exit_.value.code == 0
    assert _help_files(cache) == []
