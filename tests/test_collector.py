"""The collector held back during the command line's check (``core.collector.held_back``)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from jurisdiction.analysis import over_time
from jurisdiction.cli.main import cli
from jurisdiction.core.collector import HELD_BACK, held_back


def test_held_back_raises_the_thresholds_and_restores_them() -> None:
    before = gc.get_threshold()
    with held_back():
        assert gc.get_threshold() == HELD_BACK
        assert gc.isenabled()
    assert gc.get_threshold() == before


def test_held_back_restores_the_thresholds_when_the_body_fails() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), held_back():
        raise RuntimeError("inside")
    assert gc.get_threshold() == before


def test_held_back_leaves_a_paused_collector_alone() -> None:
    before = gc.get_threshold()
    gc.disable()
    try:
        with held_back():
            assert gc.get_threshold() == before
            assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_commands_check_runs_with_the_collector_held_back(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The thresholds seen from inside the check (a hook on the checker the command makes), and
    while the certificate is rendered; Python's own ones before and after."""
    seen: list[tuple[int, ...]] = []
    made = over_time.checker_for

    def hooked(engine: Any) -> Any:
        checker = made(engine)
        findings = checker.all_findings

        def observed() -> Iterator[Any]:
            seen.append(gc.get_threshold())
            yield from findings()
            seen.append(gc.get_threshold())

        checker.all_findings = observed  # type: ignore[method-assign]
        return checker

    monkeypatch.setattr(over_time, "checker_for", hooked)
    before = gc.get_threshold()
    certificate = tmp_path / "certificate.json"
    result = CliRunner().invoke(cli, ["check", "--certificate", str(certificate)])
    assert result.exit_code in (0, 1, 8), result.output
    assert certificate.stat().st_size > 0
    assert seen == [HELD_BACK, HELD_BACK]
    assert gc.get_threshold() == before
