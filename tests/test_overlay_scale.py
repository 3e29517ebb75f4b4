"""Checking many district overlays: the work is shared, the findings stay each overlay's own.

The policy here is the bundled one with two changes that let an overlay's values create an
overlap: the district tier no longer overrides the street tier in ``unit_management``, and the
city's street range ends at 999 (so the city itself is clean). An overlay whose street range
reaches its district minimum then makes two rules apply with different answers.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import jurisdiction
from jurisdiction.analysis import check as _check
from jurisdiction.analysis import patterns as _patterns
from jurisdiction.analysis.check import Finding, check
from jurisdiction.engine.engine import Engine
from jurisdiction.policy.load import load_policy

ROOT = Path(__file__).resolve().parent.parent


def _policy(tmp_path: Path) -> Path:
    root = tmp_path / "policy"
    shutil.copytree(ROOT / "policies", root)
    chapter = root / "chapter3.yaml"
    text = chapter.read_text(encoding="utf-8")
    override = "          - unit_management.street_by_staff   # the overlap: rule staff_overlap\n"
    assert override in text
    text = text.replace(override, "", 1)
    # with the street maximum at 999 below, no unit is in both ranges: the reading said for
    # those units (rule staff_overlap) would never apply, so it goes too
    start = text.index("      - use: tier_reading\n        with:\n          reading: staff_overlap")
    end = text.index("      - use: reading_by_staff", start)
    chapter.write_text(text[:start] + text[end:], encoding="utf-8")
    policy = root / "policy.yaml"
    text = policy.read_text(encoding="utf-8")
    start = text.index("  unit_street_max_staff:")
    at = text.index("value: 1000", start)
    policy.write_text(text[:at] + "value: 999" + text[at + len("value: 1000") :], "utf-8")
    (root / "overlays").mkdir()
    return root


def _overlay(root: Path, district: str, dmin: int, smin: int, smax: int, vice: bool) -> None:
    (root / "overlays" / f"{district}.yaml").write_text(
        f"""overlay:
  district: "{district}"
  title: {{zh: 示例, en: example}}
parameters:
  unit_district_min_staff: {{value: {dmin}, note: test}}
  unit_street_min_staff: {{value: {smin}, note: test}}
  unit_street_max_staff: {{value: {smax}, note: test}}
  unit_vice_bureau_rank_counts: {{value: {str(vice).lower()}, note: test}}
""",
        encoding="utf-8",
    )


def _valid(root: Path, n: int, seed: int = 3) -> list[str]:
    """``n`` overlays with random valid ranges (street range ends just below the district's)."""
    rng = random.Random(seed)
    districts = [f"12{c:04d}" for c in rng.sample(range(2000, 9999), n)]
    for d in districts:
        dmin = rng.randrange(200, 2000)
        _overlay(root, d, dmin, rng.randrange(10, dmin - 1), dmin - 1, rng.random() < 0.5)
    return districts


class _Counted:
    """Counts the partitions the checker computes (the expensive part it shares)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        real = _check.partition

        def counted(*args: Any) -> Any:
            self.calls += 1
            return real(*args)

        monkeypatch.setattr(_check, "partition", counted)


def _overlay_findings(root: Path) -> list[Finding]:
    """The overlays' errors. A reading of (十) is said only for the units it touches, so an
    overlay's own values may leave one with nothing to apply to (street and district ranges that
    do not meet: staff_overlap; deputy bureau rank counted: vice_bureau_by_staff_*): such an
    `unreachable` warning is not what these tests are about."""
    return [f for f in check(root) if "with the overlay" in f.message and f.code != "unreachable"]


def _confirm_overlap(engine: Engine, finding: Finding, district: str) -> None:
    """The witness lies in ``district`` and the engine meets the overlap on it."""
    assert finding.witness is not None
    assert engine.district_of(finding.witness) == district
    assert finding.question is not None
    with pytest.raises(jurisdiction.ConflictError):
        engine.decide(finding.witness, finding.question)


def test_the_city_of_the_test_policy_is_clean(tmp_path: Path) -> None:
    assert list(check(_policy(tmp_path))) == []


def test_an_overlay_identical_to_another_shares_the_work_but_keeps_its_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _policy(tmp_path)
    _overlay(root, "120104", 500, 50, 600, True)
    counted = _Counted(monkeypatch)
    alone = _overlay_findings(root)
    once = counted.calls
    assert {f.code for f in alone} == {"overlap"}
    assert once > 0

    _overlay(root, "120105", 500, 50, 600, True)  # the same values, another district
    counted.calls = 0
    both = _overlay_findings(root)
    assert counted.calls == once, "the second overlay's questions were partitioned again"
    assert len(both) == 2 * len(alone)
    engine = jurisdiction.load(root)
    for district in ("120104", "120105"):
        own = [f for f in both if f"overlays/{district}.yaml (district {district})" in f.message]
        assert len(own) == len(alone)
        for mine, first in zip(own, alone, strict=True):
            assert mine.location == first.location
            assert mine.rules == first.rules
            assert mine.message.replace(district, "120104") == first.message
            _confirm_overlap(engine, mine, district)


def test_an_overlap_is_found_among_twenty_five_valid_overlays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _policy(tmp_path)
    valid = _valid(root, 25)
    _overlay(root, "121999", 800, 30, 805, False)  # street range reaches into the district's
    counted = _Counted(monkeypatch)
    findings = _overlay_findings(root)
    assert findings, "the overlapping overlay was not found"
    assert all("overlays/121999.yaml (district 121999)" in f.message for f in findings)
    assert {f.code for f in findings} == {"overlap"}
    assert {f.question for f in findings} >= {"unit_management"}
    engine = jurisdiction.load(root)
    for finding in findings:
        _confirm_overlap(engine, finding, "121999")
        assert 800 <= finding.witness.staff <= 805  # type: ignore[union-attr]
    # 26 overlays, 3 questions each: most partitions were taken from an earlier overlay's
    assert counted.calls < (len(valid) + 1) * 3 // 2


def _mixed(root: Path) -> None:
    """Overlays of a few order patterns, several values each: clean, overlapping (by one staff
    or many), a street range of one value, an empty one, the vice-bureau rank either way."""
    rng = random.Random(11)
    for i in range(12):  # each of the six street-range shapes twice, the rank either way
        d = f"12{3000 + i:04d}"
        dmin = rng.randrange(300, 2000)
        smin = rng.randrange(10, dmin - 100)
        smax = [dmin - 1, dmin, dmin + rng.randrange(1, 40), smin, smin - 1, dmin - 2][i % 6]
        _overlay(root, d, dmin, smin, smax, i % 4 < 2)


def _without_reuse(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_check, "eligible", lambda policy, question: None)


def _as_data(findings: Iterator[Finding]) -> list[dict[str, Any]]:
    return [f.to_dict() for f in findings]


def test_reuse_by_order_pattern_finds_exactly_what_a_full_partition_finds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _policy(tmp_path)
    _mixed(root)
    engine = Engine(load_policy(root, strict=False))
    checker = _check.Checker(engine)
    reused = _as_data(checker.all_findings())
    assert any(f["code"] == "overlap" for f in reused)
    assert any(f["code"] == "unreachable" for f in reused)
    with monkeypatch.context() as m:
        _without_reuse(m)
        full_checker = _check.Checker(engine)
        full = _as_data(full_checker.all_findings())
    assert reused == full  # the same findings, messages, locations and witnesses, in order
    assert checker.classes_decided == full_checker.classes_decided


def test_a_witness_that_does_not_confirm_falls_back_to_a_full_partition(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _policy(tmp_path)
    _mixed(root)
    with monkeypatch.context() as m:
        _without_reuse(m)
        full = _as_data(check(root))
    monkeypatch.setattr(_check, "_confirmed", lambda *args: None)
    counted = _Counted(monkeypatch)
    assert _as_data(check(root)) == full
    assert counted.calls > 0


def test_which_questions_may_reuse_a_partition() -> None:
    policy = jurisdiction.load().policy
    assert _patterns.eligible(policy, policy.questions["unit_management"]) == {"staff": "staff"}
    # conditions with calls (within a place), or an int feature read by something else, do not
    refused = [q for q in policy.questions.values() if _patterns.eligible(policy, q) is None]
    assert refused, "every question eligible: the eligibility test would prove nothing"


def test_the_order_pattern_tells_apart_what_changes_the_partition() -> None:
    policy = jurisdiction.load().policy
    q = policy.questions["unit_management"]
    city = {n: p.value for n, p in policy.parameters.items()}

    def shape(dmin: int, smin: int, smax: int, vice: bool = True) -> tuple[Any, ...]:
        values = {
            **city,
            "unit_district_min_staff": dmin,
            "unit_street_min_staff": smin,
            "unit_street_max_staff": smax,
            "unit_vice_bureau_rank_counts": vice,
        }
        return _patterns.pattern(policy, q, values, policy.hierarchy.root_parameter)

    assert shape(500, 50, 499) == shape(700, 60, 699)  # same order, same adjacencies
    assert shape(500, 50, 499) != shape(500, 50, 498)  # an interval opens between the tiers
    assert shape(500, 50, 499) != shape(500, 50, 500)  # the tiers share a value
    assert shape(500, 50, 499) != shape(500, 50, 600)  # the tiers overlap
    assert shape(500, 50, 499) != shape(500, 50, 499, vice=False)  # another bool value
    assert shape(500, 1, 499) != shape(500, 2, 499)  # 1 is next to the bound 0, 2 is not
