"""A pytest plugin (entry point ``pytest11``) that collects YAML test cases, one test per case.

A file is collected when it is a ``*.yaml`` file in a directory named ``cases`` with a
top-level ``cases:`` key (the format of docs/testing.md), or any ``*.cases.yaml`` file. Cases
are decided with the policy the file names (``policy:``, relative to the file), else the one
the ini option ``jurisdiction_policy`` names (relative to the rootdir), else the bundled policy.
A failing case shows expected-vs-got with the rules that fired, as ``jurisdiction test`` does.

Nothing of the engine is imported until a case file is collected, so the plugin costs nothing
to test sessions without case files.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .cases import CaseModel, CaseResult, Engines

__all__ = ["CaseFailedError", "CaseFile", "CaseItem"]

_HEAD = re.compile(r'^\{?\s*"?cases"?\s*:', re.MULTILINE)  # a top-level `cases` key (or JSON's)
_ENGINES = pytest.StashKey["Engines"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "jurisdiction_policy",
        "policy directory for YAML test cases that name none (default: the bundled policy)",
        default="",
    )


def _is_case_file(path: Path) -> bool:
    if path.name.endswith(".cases.yaml"):
        return True
    if path.suffix != ".yaml" or path.parent.name != "cases":
        return False
    try:
        return _HEAD.search(path.read_text(encoding="utf-8")) is not None
    except (OSError, UnicodeDecodeError):
        return False


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if _is_case_file(file_path):
        return CaseFile.from_parent(parent, path=file_path)
    return None


def _engines(config: pytest.Config) -> Engines:
    from .cases import Engines

    found = config.stash.get(_ENGINES, None)
    if found is None:
        named = str(config.getini("jurisdiction_policy"))
        found = Engines(config.rootpath / named if named else None)
        config.stash[_ENGINES] = found
    return found


class CaseFile(pytest.File):
    """A YAML file of test cases."""

    def collect(self) -> Iterator[pytest.Item]:
        from .cases import load_case_file

        model = load_case_file(self.path)
        engines = _engines(self.config)
        root = engines.root_for(self.path, model.policy)
        overlays = engines.overlays_for(self.path, model.overlays)
        for case in model.cases:
            parameters = {**model.parameters, **case.parameters}
            yield CaseItem.from_parent(
                self, name=case.name, case=case, root=root, parameters=parameters, overlays=overlays
            )


class CaseFailedError(Exception):
    """A case whose decision differs from what it expects."""

    def __init__(self, result: CaseResult) -> None:
        super().__init__(result.report())
        self.result = result


class CaseItem(pytest.Item):
    """One case: decide it, compare the decision with its expectation."""

    def __init__(
        self,
        *,
        case: CaseModel,
        root: Path,
        parameters: dict[str, Any],
        overlays: Path | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.case = case
        self.root = root
        self.parameters = parameters
        self.overlays = overlays

    def runtest(self) -> None:
        from .cases import run_case

        engine = _engines(self.config).get(self.root, self.parameters, self.overlays)
        result = run_case(engine, self.path, self.case)
        if not result.passed:
            raise CaseFailedError(result)

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: Any = None,
    ) -> str:
        if isinstance(excinfo.value, CaseFailedError):
            return excinfo.value.result.report()
        return str(super().repr_failure(excinfo, style))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"case: {self.name}"
