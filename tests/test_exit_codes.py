"""Issue 23: every exit code docs/errors.md lists is produced, by a command as a user runs it,
with one line on stderr; and the table lists every code these produce."""

from __future__ import annotations

import re
import signal
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

import jurisdiction
from jurisdiction.cli.main import cli
from test_engine import AGE_RULES, SEPARATED, _engine

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "errors.md"
EXAMPLE = str(ROOT / "examples" / "separated_resident.yaml")


def documented() -> set[int]:
    text = DOCS.read_text(encoding="utf-8")
    table = text.split("<!-- exit-codes -->")[1].split("<!-- /exit-codes -->")[0]
    return {int(code) for code in re.findall(r"^\| (\d+) \|", table, flags=re.MULTILINE)}


def _invoke(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(cli, args)
    return result.exit_code, result.stderr


def _facts(tmp: Path, text: str) -> str:
    path = tmp / "f.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def _raise(exc: BaseException) -> Callable[..., None]:
    def fail(*_args: object, **_kwargs: object) -> None:
        raise exc

    return fail


def _case(tmp: Path, mp: pytest.MonkeyPatch, code: int) -> list[str]:
    """A command line that ends with ``code``."""
    if code == 0:
        return ["decide", EXAMPLE]
    if code == 1:
        bad = tmp / "u.csv"
        bad.write_text("id,category,staff,location\na,other,many,120101001001\n", "utf-8")
        return ["batch", str(bad), "-q", "unit_management", "-o", str(tmp / "o.csv")]
    if code == 2:
        return ["decide", "--no-such-option"]
    if code == 3:
        return ["decide", EXAMPLE, "--policy", str(tmp)]  # no policy there
    if code == 4:
        return ["decide", _facts(tmp, "kind: resident\nage: .nan\n")]
    if code == 5:
        root = str(_engine(tmp, AGE_RULES.replace("{overrides}", "")).policy.root)
        facts = _facts(tmp, "".join(f"{k}: {v!r}\n" for k, v in {**SEPARATED, "age": 40}.items()))
        return ["decide", facts, "-q", "by_age", "--policy", root]
    if code == 6:
        mp.setattr("jurisdiction.engine.durable._engine", _raise(jurisdiction.EvaluatorError("x")))
        return ["decide", EXAMPLE, "--evaluator", "durable"]
    if code == 7:
        units = tmp / "u.csv"
        units.write_text("id,category,staff,location\na,other,5,120101001001\n", "utf-8")
        return ["batch", str(units), "-q", "unit_management", "-o", str(tmp / "no" / "o.csv")]
    if code == 8:  # the months policy whose check cannot construct some of its classes
        from policy_files import FIXTURES, compose

        root = compose(tmp / "incomplete", FIXTURES / "check-incomplete")
        return ["check", str(root)]
    if code == 70:
        mp.setattr("jurisdiction.cli.common.read_facts", _raise(RuntimeError("a bug")))
        mp.setattr("jurisdiction.cli.main.read_facts", _raise(RuntimeError("a bug")))
        return ["decide", EXAMPLE]
    if code == 130:
        mp.setattr("jurisdiction.cli.main.read_facts", _raise(KeyboardInterrupt()))
        return ["decide", EXAMPLE]
    if code == 143:
        from jurisdiction.core.errors import InterruptedRunError

        mp.setattr(
            "jurisdiction.batch.embedded.run_batch",
            _raise(InterruptedRunError(signal.SIGTERM)),
        )
        return ["batch", EXAMPLE, "-q", "unit_management", "-o", str(tmp / "o.csv")]
    raise AssertionError(f"docs/errors.md lists exit code {code}, which no case here produces")


CODES = sorted(documented())


def test_the_table_lists_the_codes_walked() -> None:
    assert CODES == [0, 1, 2, 3, 4, 5, 6, 7, 8, 70, 130, 143]


@pytest.mark.parametrize("code", CODES)
def test_each_documented_exit_code_is_produced_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    exit_code, stderr = _invoke(_case(tmp_path, monkeypatch, code))
    assert exit_code == code, stderr
    if code >= 3 and code != 8:  # check prints its findings, then one summary line
        lines = stderr.strip().splitlines()
        assert len(lines) == 1, stderr
        assert lines[0].startswith("error"), stderr
        assert "Traceback" not in stderr
