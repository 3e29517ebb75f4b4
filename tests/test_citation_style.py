"""Citation styles: an opinion's (九) articles and (二)5 items, or a statute's 条/款/项.

A policy whose `document` says `citation: statute` cites 第九条第二款 and 第十二条第（一）项: the
decision, its rendering in both languages, the certificate and check findings all read so. Its
articles need no chapter, may list paragraphs (款) that citations name, and may say where their
wording comes from (`provenance`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import jurisdiction
from jurisdiction.core.text import Cite, numeral
from jurisdiction.policy.load import load_policy
from policy_files import compose, line_of, patch

STATUTE_ARTICLES = """\
document:
  title: {zh: 条例, en: A regulation}
  preamble: {zh: 为此制定本条例。, en: This regulation is made.}
  citation: statute
articles:
  - number: 1
    zh: 成年人由现居住地负责。未成年人由户籍地负责:(一)由监护人申请;(二)由户籍地受理。
    en: Adults by the residence place. Minors by the hukou place.
    provenance: {zh: 据公报文本, en: as published in the gazette}
    paragraphs:
      - {number: 1, zh: 成年人由现居住地负责。, en: Adults by the residence place.}
      - {number: 2, zh: 未成年人由户籍地负责, en: Minors by the hukou place}
    items:
      - {number: 1, zh: (一)由监护人申请, en: (1) the guardian applies}
      - {number: 2, zh: (二)由户籍地受理, en: (2) the hukou place accepts}
"""


def _statute(tmp_path: Path) -> Path:
    root = compose(tmp_path / "policy")
    policy = root / "policy.yaml"
    text = policy.read_text(encoding="utf-8")
    start, end = text.index("document:"), text.index("parameters:")
    policy.write_text(text[:start] + STATUTE_ARTICLES + text[end:], encoding="utf-8")
    rules = root / "rules.yaml"
    patch(
        rules,
        "      - id: who.adult\n        cite: {article: 1, item: 1}",
        "      - id: who.adult\n        cite: {article: 1, paragraph: 1}",
    )
    patch(
        rules,
        "    cite: {article: 1, item: 1}\n    when: resident.age",
        "    cite: {article: 1, paragraph: 1}\n    when: resident.age",
    )
    return root


FACTS = {"kind": "resident", "hukou": "120101001", "residence": "120104002", "sex": "female"}


def test_a_statute_cites_articles_paragraphs_and_items(tmp_path: Path) -> None:
    engine = jurisdiction.load(_statute(tmp_path))
    adult = engine.decide({**FACTS, "age": 30}, "who")
    minor = engine.decide({**FACTS, "age": 12}, "who")
    assert str(adult.bodies[0].cite) == "第一条第一款"
    assert str(minor.bodies[0].cite) == "第一条第（二）项"
    assert adult.citations[0].quote.zh == "成年人由现居住地负责。"
    assert "第一条第一款" in adult.render("zh")
    assert "Article 1(1)" in adult.render("en")
    assert "Article 1 item (2)" in minor.render("en")
    assert jurisdiction.Decision.from_json(minor.to_json()) == minor
    article = engine.policy.articles[1]
    assert article.chapter is None
    assert article.provenance == jurisdiction.Text("据公报文本", "as published in the gazette")
    assert list(jurisdiction.check(engine)) == []


def test_an_unknown_paragraph_is_located(tmp_path: Path) -> None:
    root = _statute(tmp_path)
    patch(
        root / "rules.yaml",
        "cite: {article: 1, paragraph: 1}\n    when: resident.age",
        "cite: {article: 1, paragraph: 3}\n    when: resident.age",
    )
    with pytest.raises(jurisdiction.PolicyError) as err:
        load_policy(root)
    (found,) = err.value.diagnostics
    assert found.code == "unknown-item"
    assert "has no paragraph 3 (paragraphs: 1, 2)" in found.message
    assert found.location is not None
    assert found.location.line == line_of(root / "rules.yaml", "paragraph: 3")


def test_the_opinion_style_is_unchanged() -> None:
    assert str(Cite(2, 5)) == "(二)5"
    assert Cite(2, 5).label("zh") == "第(二)条第五项"
    assert Cite(9).label("en") == "article (九)"
    assert Cite(9, 1, 2, "statute").label("zh") == "第九条第二款第（一）项"
    assert Cite(9, 1, 2, "statute") == Cite(9, 1, 2)  # the style is how it reads, not what


@pytest.mark.parametrize(
    ("n", "zh"),
    [
        (1, "一"),
        (10, "十"),
        (12, "十二"),
        (20, "二十"),
        (99, "九十九"),
        (100, "一百"),
        (105, "一百零五"),
        (110, "一百一十"),
        (999, "九百九十九"),
    ],
)
def test_numerals(n: int, zh: str) -> None:
    assert numeral(n) == zh


EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "residence_permit"


def test_the_example_regulation_cites_as_a_statute_and_shares_a_template() -> None:
    engine = jurisdiction.load(EXAMPLE)
    assert list(jurisdiction.check(engine)) == []
    ids = {r.id for q in engine.policy.questions.values() for r in q.rules if not r.from_scope}
    assert ids == {
        f"{q}.{r}"
        for q in ("application", "endorsement")
        for r in ("in_person", "through_guardian")
    }
    facts = {"kind": "applicant", "residence": "KN01", "hukou_in_city": False, "age": 12}
    decision = engine.decide(facts, "endorsement")
    assert decision.rules_applied == ("endorsement.through_guardian",)
    assert [str(c.cite) for c in decision.citations] == ["第三条第二款", "第五条第二款"]
    assert decision.bodies[0].place_code == "KN01"
    station, guardian = decision.bodies
    assert (station.actor, guardian.actor) == (False, True)
    text = decision.render("zh")
    assert text.index("负责机构") < text.index("派出所") < text.index("其他参与方")
    assert text.index("其他参与方") < text.index("监护人")
    assert "Other parties:\n  - guardian (place of residence KN01)" in decision.render("en")
    assert engine.decide(facts, "application").rules_applied == ("application.through_guardian",)
    adult = engine.decide({**facts, "age": 16}, "application")
    assert adult.rules_applied == ("application.in_person",)
    local = engine.decide({**facts, "hukou_in_city": True}, "application")
    assert local.outcome == "not_applicable"
    assert local.reason is not None
    assert "第二条第（二）项" in local.reason.zh
