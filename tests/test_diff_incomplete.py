"""`diff` and `timeline` never drop a class silently (issue 18): a class neither policy's realiser
constructs — not even by the exact search — nor proves impossible is reported (how many, which
question, why), and the comparison is incomplete (exit 8, as an incomplete check)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from jurisdiction.analysis.diff import diff_policies
from jurisdiction.analysis.timeline import timeline
from jurisdiction.cli.main import cli
from jurisdiction.policy.load import load_policy
from policy_files import FIXTURES, compose, patch

LONG = "    value: 24\n    bound: inclusive\n"


def _stay(target: Path, months: int | None = None, dated: bool = False) -> Path:
    """The check-incomplete fixture (months tied to years by arithmetic, which the realiser
    cannot search), its long-stay threshold set to ``months`` or dated to 30 from 2020."""
    root = compose(target, FIXTURES / "check-incomplete")
    stay = root / "stay.yaml"
    if months is not None:
        patch(stay, LONG, LONG.replace("24", str(months)))
    if dated:
        patch(stay, LONG, LONG + '    values:\n      - {from: "2020-01-01", value: 30}\n')
    return root


def test_the_classes_diff_cannot_construct_are_reported_not_dropped(tmp_path: Path) -> None:
    old = _stay(tmp_path / "old")
    new = _stay(tmp_path / "new", months=30)
    result = diff_policies(load_policy(old, strict=False), load_policy(new, strict=False))
    assert not result.complete
    (q,) = [q for q in result.questions if q.unverified]
    assert q.question == "stay_office"
    # every class from 24 months on is tied to the years: none is compared, each is named
    assert [u.describe("stay") for u in q.unverified] == [
        "stay.months = 24",
        "stay.months in 25..29",
        "stay.months = 30",
        "stay.months in 31..1200",
    ]
    assert all("stay.years" in u.why.why() for u in q.unverified)
    assert q.classes == 1  # the one class below 24 months, compared (alike)

    out = CliRunner().invoke(cli, ["diff", str(old), str(new)])
    assert out.exit_code == 8, out.output
    assert "stay_office [stay] INCOMPLETE: 4 of 5 classes" in out.output
    assert "no difference" not in out.output
    data = json.loads(
        CliRunner().invoke(cli, ["diff", str(old), str(new), "--format", "json"]).output
    )
    assert data["complete"] is False
    (qd,) = data["questions"]
    assert qd["classes_unverified"] == 4


def test_a_complete_diff_still_exits_0(tmp_path: Path) -> None:
    old = compose(tmp_path / "old", FIXTURES / "gap")
    out = CliRunner().invoke(cli, ["diff", str(old), str(old)])
    assert out.exit_code == 0, out.output
    assert out.output.startswith("no difference")


def test_the_timeline_says_where_it_is_incomplete(tmp_path: Path) -> None:
    root = _stay(tmp_path / "dated", dated=True)
    (day,) = list(timeline(load_policy(root, strict=False)))
    assert str(day.day) == "2020-01-01"
    assert not day.diff.complete
    out = CliRunner().invoke(cli, ["timeline", str(root)])
    assert out.exit_code == 8, out.output
    assert "INCOMPLETE" in out.output
    data = json.loads(CliRunner().invoke(cli, ["timeline", str(root), "--format", "json"]).output)
    assert data["complete"] is False
    assert data["days"][0]["complete"] is False
