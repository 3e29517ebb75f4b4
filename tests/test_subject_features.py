"""A subject's `features_from`: features another subject declares, taken as written there with
their paths read from this subject (docs/policy-format.md, "features"). They must load exactly
as if written out, and every misuse must be reported where it is written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import jurisdiction
from jurisdiction.policy.load import load_policy
from jurisdiction.policy.model import Policy
from policy_files import compose, line_of, patch

WRITTEN = """\
      residence_in_city:
        kept: vocabulary the fixtures share (each reads part of it)
        expr: within(birth_case.residence, param.city_code)
        doc: the residence is in this city
"""
TAKEN = "    features_from: {resident: [residence_in_city]}\n"


def _root(tmp_path: Path, name: str, taken: str = TAKEN) -> Path:
    root = compose(tmp_path / name)
    patch(root / "facts.yaml", WRITTEN, "")
    patch(
        root / "facts.yaml",
        "    features:\n      hukou_in_city:\n        kept: vocabulary"
        " the fixtures share (each reads part of it)\n        expr: within(birth_case.hukou",
        taken + "    features:\n      hukou_in_city:\n        kept: vocabulary the fixtures "
        "share (each reads part of it)\n        expr: within(birth_case.hukou",
    )
    return root


def _feature(policy: Policy, subject: str, name: str) -> tuple[Any, ...]:
    f = policy.facts.subjects[subject].features[name]
    return (f.type, f.doc, f.expr, f.reads, f.field)


def test_a_taken_feature_loads_as_if_written_out(tmp_path: Path) -> None:
    out = load_policy(compose(tmp_path / "out"))
    taken = load_policy(_root(tmp_path, "taken"))
    assert _feature(taken, "birth_case", "residence_in_city") == _feature(
        out, "birth_case", "residence_in_city"
    )
    feature = taken.facts.subjects["birth_case"].features["residence_in_city"]
    assert feature.expr == "within(birth_case.residence, param.city_code)"
    assert feature.location is not None
    assert "subject `birth_case` takes" in (feature.location.context or "")
    assert next(iter(taken.facts.subjects["birth_case"].features)) == "residence_in_city"


@pytest.mark.parametrize(
    ("taken", "code", "hint"),
    [
        ("    features_from: {residnet: [residence_in_city]}\n", "unknown-subject", "resident"),
        (
            "    features_from: {resident: [residence_in_cty]}\n",
            "unknown-fact",
            "residence_in_city",
        ),
        ("    features_from: {resident: [hukou_in_city]}\n", "duplicate-name", None),
        ("    features_from: [resident]\n", "schema", None),
    ],
)
def test_a_misuse_is_located_at_features_from(
    tmp_path: Path, taken: str, code: str, hint: str | None
) -> None:
    root = _root(tmp_path, "bad", taken)
    with pytest.raises(jurisdiction.PolicyError) as err:
        load_policy(root)
    (found,) = [d for d in err.value.diagnostics if d.code == code]
    assert found.location is not None
    assert found.location.line == line_of(root / "facts.yaml", "features_from:")
    assert found.suggestion == hint


def test_a_taken_expression_is_checked_in_the_taking_subject(tmp_path: Path) -> None:
    # the case has no field `age`: the resident's `age` read from it is refused, located at the
    # resident's expression with the taking subject named
    root = _root(tmp_path, "lacks", "    features_from: {resident: [age]}\n")
    with pytest.raises(jurisdiction.PolicyError) as err:
        load_policy(root)
    (found,) = err.value.diagnostics
    assert found.location is not None
    assert found.location.line == line_of(root / "facts.yaml", "      age: {expr: resident.age")
    assert "subject `birth_case` takes" in (found.location.context or "")
    assert "birth_case.age" in found.message


def test_the_bundled_case_takes_the_resident_s_place_features() -> None:
    policy = jurisdiction.load().policy
    text = (Path(policy.root) / "facts.yaml").read_text(encoding="utf-8")
    assert text.count("expr: within(birth_case.hukou") == 0  # said once, of the resident
    feature = policy.facts.subjects["birth_case"].features["cross_district"]
    assert (
        feature.expr == 'at(birth_case.hukou, "district") != at(birth_case.residence, "district")'
    )
    assert feature.kept is None  # the resident's reason to keep it unread is its own
    assert policy.facts.subjects["resident"].features["cross_district"].kept is not None
