"""The policy against its source text: every article cited, every quotation verbatim.

``docs/source/opinion.zh.txt`` is the in-repo copy of the seed text; where the shared seed sits
beside the repository (``../shared/seed/opinion.zh.txt``) the two must be identical.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

import jurisdiction
from jurisdiction.core.text import numeral

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "docs" / "source" / "opinion.zh.txt"
SHARED_SEED = ROOT / ".." / "shared" / "seed" / "opinion.zh.txt"

_ARTICLE = re.compile(r"^\(([一二三四五六七八九十]+)\)(.+)$")
_CHAPTER = re.compile(r"^([一二三四五六七八九十]+)、(.+)$")
_NUMBERS = {numeral(n): n for n in range(1, 100)}
_CJK = re.compile(r"[\u4e00-\u9fff]")
_QUOTED = re.compile(r"“([^”]+)”|\"([^\"]+)\"")


def _source_lines() -> list[str]:
    return SOURCE.read_text(encoding="utf-8").splitlines()


def _source_articles() -> dict[int, str]:
    out: dict[int, str] = {}
    for line in _source_lines():
        match = _ARTICLE.match(line)
        if match:
            out[_NUMBERS[match.group(1)]] = match.group(2)
    return out


def _source_chapters() -> dict[int, str]:
    out: dict[int, str] = {}
    for line in _source_lines():
        match = _CHAPTER.match(line)
        if match:
            out[_NUMBERS[match.group(1)]] = match.group(2)
    return out


@pytest.fixture(scope="module")
def policy() -> jurisdiction.Policy:
    return jurisdiction.load().policy


def test_the_in_repo_source_is_the_seed() -> None:
    copies = [p for p in (SHARED_SEED,) if p.exists()]
    for copy in copies:
        assert copy.read_bytes() == SOURCE.read_bytes(), f"{SOURCE} differs from {copy}"
    assert len(_source_articles()) == 19
    assert len(_source_chapters()) == 5


def test_every_article_is_in_the_policy_verbatim(policy: jurisdiction.Policy) -> None:
    source = _source_articles()
    assert sorted(policy.articles) == sorted(source) == list(range(1, 20))
    for number, text in source.items():
        assert policy.articles[number].text.zh == text, f"article {number} is not verbatim"


def test_chapters_and_preamble_are_verbatim(policy: jurisdiction.Policy) -> None:
    chapters = _source_chapters()
    assert {n: t.zh for n, t in policy.chapters.items()} == chapters
    document = yaml.safe_load((ROOT / "policies" / "articles.yaml").read_text(encoding="utf-8"))
    assert document["document"]["preamble"]["zh"] == _source_lines()[0]


def test_items_and_clauses_not_encoded_quote_their_article(policy: jurisdiction.Policy) -> None:
    source = _source_articles()
    for number, article in policy.articles.items():
        for item in article.items.values():
            assert item.zh in source[number]
        for clause, reason in article.not_encoded:
            assert clause in source[number]
            assert reason.strip()


def test_every_article_is_cited_by_a_rule(policy: jurisdiction.Policy) -> None:
    """Not by a scope alone: each article decides some answer of its own."""
    cited = {
        c.article
        for q in policy.questions.values()
        for r in q.rules
        if not r.from_scope
        for c in r.cites
    }
    assert cited == set(range(1, 20)), f"not cited by any rule: {set(range(1, 20)) - cited}"


def test_every_detail_quotes_an_article_the_rule_cites(policy: jurisdiction.Policy) -> None:
    source = _source_articles()
    for q in policy.questions.values():
        for r in q.rules:
            texts = [source[c.article] for c in r.cites]
            for detail in r.answer.detail:
                assert any(detail.zh in t for t in texts), (
                    f"{r.id}: detail {detail.zh!r} is not verbatim from "
                    + ", ".join(str(c) for c in r.cites)
                )


def _explanations(policy: jurisdiction.Policy) -> Iterator[tuple[str, str]]:
    for q in policy.questions.values():
        for r in q.rules:
            if r.note:
                yield r.id, r.note.zh
                yield r.id, r.note.en
    for name, p in policy.parameters.items():
        yield f"parameter {name}", p.doc
        if p.note:
            yield f"parameter {name}", p.note.zh
            yield f"parameter {name}", p.note.en
    for name, d in policy.definitions.items():
        yield f"definition {name}", d.doc


def test_chinese_quoted_in_notes_and_docs_is_verbatim(policy: jurisdiction.Policy) -> None:
    """A Chinese phrase in quotation marks in a note or doc is a quotation of the source."""
    whole = "".join(_source_lines())
    quoted = 0
    for where, text in _explanations(policy):
        for match in _QUOTED.finditer(text):
            phrase = match.group(1) or match.group(2)
            if _CJK.search(phrase):
                quoted += 1
                assert phrase in whole, f"{where}: “{phrase}” is not in the source text"
    assert quoted >= 5


def test_delegated_parameters_rest_on_article_10(policy: jurisdiction.Policy) -> None:
    delegated = [p for p in policy.parameters.values() if p.delegated]
    assert {p.name for p in delegated} >= {
        "unit_district_min_staff",
        "unit_street_min_staff",
        "unit_street_max_staff",
    }
    for p in delegated:
        assert p.cite is not None
        assert p.cite.article == 10
    for p in policy.parameters.values():
        if p.type == "int":
            assert p.bound in ("inclusive", "exclusive"), f"{p.name} must state its bound"


def _quotations(policy: jurisdiction.Policy) -> list[str]:
    """Everything the policy quotes: items, details, clauses not encoded, quoted phrases."""
    quotes = [i.zh for a in policy.articles.values() for i in a.items.values()]
    quotes += [c for a in policy.articles.values() for c, _reason in a.not_encoded]
    quotes += [d.zh for q in policy.questions.values() for r in q.rules for d in r.answer.detail]
    for _where, text in _explanations(policy):
        quotes += [m.group(1) or m.group(2) for m in _QUOTED.finditer(text)]
    return [q for q in quotes if _CJK.search(q)]


_CLAUSE_END = re.compile(r"[。,;:,;:]")


def _clauses(text: str) -> list[str]:
    """The clauses of an article: its sentences split at commas, semicolons and colons."""
    return [c for c in _CLAUSE_END.split(text) if c]


def _unaccounted(quotes: list[str]) -> list[str]:
    """Each clause no quotation holds whole: quoting a fragment of a clause does not count."""
    return [
        f"({numeral(n)}) {clause}"
        for n, text in _source_articles().items()
        for clause in _clauses(text)
        if not any(clause in q for q in quotes)
    ]


def test_every_clause_is_quoted_where_it_is_encoded_or_listed_as_not_encoded(
    policy: jurisdiction.Policy,
) -> None:
    """Each clause of each article is accounted for, whole: an item (which an item's citation
    quotes), a detail, or a quotation in a note or doc holds it verbatim, or it is listed under
    its article's `not_encoded` with the reason. A whole article's citation does not count: it
    would account for every clause of every cited article."""
    quotes = _quotations(policy)
    unaccounted = _unaccounted(quotes)
    assert not unaccounted, "\n".join(unaccounted)


def test_a_fragment_of_a_clause_does_not_account_for_it(policy: jurisdiction.Policy) -> None:
    """What the sentence-level test missed: (六)'s principle and (四)'s first clauses."""
    assert _clauses(
        "计划生育盲区管理服务遵循区分情况、分类解决、属地管理的原则,鼓励积极探索。"
    ) == [
        "计划生育盲区管理服务遵循区分情况、分类解决、属地管理的原则",
        "鼓励积极探索",
    ]
    quotes = _quotations(policy)
    principle = "计划生育盲区管理服务遵循区分情况、分类解决、属地管理的原则"
    fragment_only = [q.replace(principle, "区分情况、分类解决、属地管理") for q in quotes]
    assert "(六) " + principle in _unaccounted(fragment_only)
    without_not_encoded = [
        q for q in quotes if q not in ("充分发挥市全员人口信息管理系统作用", "及时变更和完善信息")
    ]
    missing = _unaccounted(without_not_encoded)
    assert "(四) 充分发挥市全员人口信息管理系统作用" in missing
    assert "(四) 及时变更和完善信息" in missing
