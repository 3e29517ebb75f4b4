"""``FieldChecks`` (the batch runner's rows the SQL test refused, told apart field by field) gives
``decide``'s own message, word for word, for every fact set some field of which fails, and
leaves every other fact set to the whole model: drawn valid fact sets of every subject of the
bundled policy and of a second one, with one to three fields spoiled (a value of another type,
out of range or not a code, a field removed, a nested fact set spoiled inside)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

import jurisdiction
from jurisdiction.core.errors import FactsError
from jurisdiction.engine.engine import Engine, facts_message
from jurisdiction.policy.fact_models import field_checks
from jurisdiction.testing.strategies import facts

ROOT = Path(__file__).resolve().parent.parent
ENGINES = {
    "bundled": jurisdiction.load(overlays=ROOT / "examples" / "overlays"),
    "dog_licence": jurisdiction.load(ROOT / "examples" / "dog_licence"),
}
CASES = [(name, subject) for name, e in ENGINES.items() for subject in e.policy.subjects]

_SPOILT: list[Any] = ["", "x", "99", "120101901001", -1, 10**12, True, 0, 1.5, [], ["x"], {}]
"""Values no field should take as they are, of every shape (some a field does take)."""


def _spoil(data: Any, draw: st.DrawFn, depth: int = 0) -> dict[str, Any]:
    """A fact set's mapping with one field spoiled: removed, given a value of ``_SPOILT``, or
    (a nested fact set) spoiled inside."""
    out = dict(data)
    names = [k for k in out if k != "kind"]
    if not names:
        return out
    name = draw(st.sampled_from(names))
    how = draw(st.sampled_from(["remove", "value", "inside"]))
    if how == "remove":
        del out[name]
    elif how == "inside" and isinstance(out[name], dict) and depth < 2:
        out[name] = _spoil(out[name], draw, depth + 1)
    else:
        out[name] = draw(st.sampled_from(_SPOILT))
    return out


def _mapping(model: BaseModel) -> dict[str, Any]:
    """A fact set as ``decide`` is given it: its fields, nested ones as mappings, nulls absent."""

    def plain(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items() if v is not None}
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        return value

    return plain(model.model_dump())  # type: ignore[no-any-return]


def _engine_message(engine: Engine, data: dict[str, Any]) -> str | None:
    try:
        engine.parse_facts(data)
    except FactsError as exc:
        return str(exc)
    return None


@pytest.mark.parametrize(("policy", "subject"), CASES)
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_the_fields_own_checks_give_decides_message(
    policy: str, subject: str, data: st.DataObject
) -> None:
    engine = ENGINES[policy]
    model = data.draw(facts(engine, subject))
    spoilt = _mapping(model)
    for _ in range(data.draw(st.integers(1, 3))):
        spoilt = _spoil(spoilt, data.draw)
    checks = field_checks(engine.policy.subjects[subject].model)
    expected = _engine_message(engine, spoilt)
    found = checks.errors(spoilt)
    if found is None:  # left to the whole model (decide itself)
        return
    assert expected is not None, f"the fields' checks refuse {spoilt}, the model accepts it"
    assert facts_message(found) == expected
    assert checks.errors(spoilt) == found  # from the memo: the same
    # the fields that fail, named (as the batch's SQL test names them): those alone validated
    failing = {str(e["loc"][0]) for e in found}
    assert checks.errors(spoilt, failing) == found
    # named fields that all pass after all: every field validated, as without names
    passing = set(spoilt) - failing - {"kind"}
    if passing:
        assert checks.errors(spoilt, passing) == found


@pytest.mark.parametrize(("policy", "subject"), CASES)
def test_a_valid_fact_set_is_left_to_the_model_and_a_missing_field_is_found(
    policy: str, subject: str
) -> None:
    engine = ENGINES[policy]
    model_class = engine.policy.subjects[subject].model
    checks = field_checks(model_class)
    if model_class.model_fields["kind"].default != subject:
        # a field `kind` of its own: decide never picks the model by its name, nor do the checks
        assert checks.errors({"kind": subject}) is None
        assert "does not match any of the expected tags" in str(
            _engine_message(engine, {"kind": subject})
        )
        return

    @settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(facts(engine, subject))
    def check(model: BaseModel) -> None:
        data = _mapping(model)
        assert checks.errors(data) is None
        required = [
            n
            for n, f in engine.policy.subjects[subject].model.model_fields.items()
            if f.is_required()
        ]
        assert required
        for name in required:
            without = {k: v for k, v in data.items() if k != name}
            found = checks.errors(without)
            assert found is not None
            assert facts_message(found) == _engine_message(engine, without)

    check()
