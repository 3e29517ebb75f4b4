"""A pytest plugin (entry point ``pytest11``) that collects YAML test cases, one test per case.

It is opt-in: it collects nothing unless the project's configuration says
``jurisdiction_cases = true`` (``[tool.pytest.ini_options]``, pytest.ini, …), or pytest is
pointed at a policy (``pytest POLICY`` or ``pytest POLICY/cases``, a folder beside a
``policy.yaml``). Installed in every environment, it leaves other projects' ``cases/`` alone.

Once on, a file is collected when it is a ``*.yaml`` file in a directory named ``cases`` with a
top-level ``cases:`` key (the format of docs/testing.md), or any ``*.cases.yaml`` file. Cases
are decided with the policy the file names (``policy:``, relative to the file), else the policy
its ``cases/`` folder belongs to (the parent folder, when it holds a ``policy.yaml``), else the
one the ini option ``jurisdiction_policy`` names (relative to the rootdir). A file for which none
of these finds a policy is a collection error saying so. A failing case shows expected-vs-got
with the rules that fired, and the policy it was decided with.

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

CASES_DIR = "cases"
_HEAD = re.compile(r'^\{?\s*"?cases"?\s*:', re.MULTILINE)  # a top-level `cases` key (or JSON's)
_ENGINES = pytest.StashKey["Engines"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "jurisdiction_cases",
        "collect YAML test cases (cases/*.yaml, *.cases.yaml) as tests (default: only when "
        "pytest is pointed at a policy or its cases/ folder)",
        type="bool",
        default=False,
    )
    parser.addini(
        "jurisdiction_policy",
        "policy directory for YAML test cases that name none and are in no policy's cases/",
        default="",
    )


_ON = pytest.StashKey[bool]()


def _holds_policy(folder: Path) -> bool:
    return (folder / "policy.yaml").is_file()


def _names_a_policy(arg: str, invocation: Path) -> bool:
    """Whether a command-line argument is a policy folder, its ``cases/``, or a file in it."""
    path = (invocation / arg.split("::", 1)[0]).resolve()
    folder = path if path.is_dir() else path.parent
    return _holds_policy(folder) or (folder.name == CASES_DIR and _holds_policy(folder.parent))


def pytest_configure(config: pytest.Config) -> None:
    invocation = config.invocation_params.dir
    config.stash[_ON] = bool(config.getini("jurisdiction_cases")) or any(
        _names_a_policy(arg, invocation) for arg in config.args
    )


def _is_case_file(path: Path) -> bool:
    if path.name.endswith(".cases.yaml"):
        return True
    if path.suffix != ".yaml" or path.parent.name != CASES_DIR:
        return False
    try:
        return _HEAD.search(path.read_text(encoding="utf-8")) is not None
    except (OSError, UnicodeDecodeError):
        return False


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if parent.config.stash.get(_ON, False) and _is_case_file(file_path):
        return CaseFile.from_parent(parent, path=file_path)
    return None


def _engines(config: pytest.Config) -> Engines:
    from .cases import Engines

    found = config.stash.get(_ENGINES, None)
    if found is None:
        named = str(config.getini("jurisdiction_policy"))
        found = Engines(config.rootpath / named if named else None, bundled=False)
        config.stash[_ENGINES] = found
    return found


class CaseFile(pytest.File):
    """A YAML file of test cases."""

    def collect(self) -> Iterator[pytest.Item]:
        from .cases import CaseFileError, load_case_file

        engines = _engines(self.config)
        try:
            model = load_case_file(self.path)
            root = engines.root_for(self.path, model.policy)
        except CaseFileError as exc:  # said as it is, without a traceback of the plugin
            raise self.CollectError(str(exc)) from None
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
            return f"{excinfo.value.result.report()}\ndecided with the policy at {self.root}"
        return str(super().repr_failure(excinfo, style))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"case: {self.name}"
