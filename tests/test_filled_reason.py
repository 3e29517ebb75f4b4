"""A reason that shows the facts' values is filled when it is read, and is the same value as
the reason filled at once: equal, same hash, same JSON, pickled and copied as text."""

from __future__ import annotations

import copy
import dataclasses
import pickle

import jurisdiction
from jurisdiction.core.text import Text
from jurisdiction.engine.filled import FilledText

ENGINE = jurisdiction.load().at("2012-06-01")
FACTS = {"kind": "resident", "hukou": "120101001", "residence": "110101001", "sex": "female"}


def _decision() -> jurisdiction.Decision:
    return ENGINE.decide({**FACTS, "age": 30}, "first_child_certificate")


def test_the_reason_is_filled_only_when_read() -> None:
    reason = _decision().reason
    assert isinstance(reason, FilledText)
    assert reason._pending is not None  # not filled yet: it still holds the facts
    assert "110101001" in reason.en
    assert "110101001" in reason.zh
    assert reason._pending is None  # filled once, and the facts let go


def test_a_filled_reason_is_the_same_value_as_its_text() -> None:
    decision = _decision()
    reason = decision.reason
    assert isinstance(reason, FilledText)
    text = Text(reason.zh, reason.en)
    assert reason == text
    assert text == reason
    assert hash(reason) == hash(text)
    assert repr(reason) == repr(text)
    assert type(pickle.loads(pickle.dumps(reason))) is Text
    assert copy.deepcopy(decision) == decision
    assert dataclasses.asdict(decision)["reason"] == {"zh": text.zh, "en": text.en}
    back = jurisdiction.Decision.from_json(decision.to_json())
    assert back == decision
    assert back.reason == text
    assert hash(back) == hash(decision)
    assert decision.to_dict()["reason"] == {"zh": text.zh, "en": text.en}


def test_two_fact_sets_keep_their_own_words() -> None:
    first = ENGINE.decide({**FACTS, "age": 30}, "first_child_certificate")
    other = {**FACTS, "residence": "110102001", "age": 30}
    second = ENGINE.decide(other, "first_child_certificate")
    assert first.reason is not None
    assert second.reason is not None
    assert "110101001" in first.reason.en
    assert "110102001" in second.reason.en
    assert first != second
