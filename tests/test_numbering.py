"""Numbers the text's order implies (docs/policy-format.md, "document, chapters, articles"): a
chapter, article, item or paragraph that gives no `number` takes the one after the entry before
it (the first: 1); one that gives its number keeps it, and the count goes on from there; a number
that comes out twice is a located `duplicate-name`."""

from __future__ import annotations

from pathlib import Path

import pytest

import jurisdiction
from jurisdiction.policy.load import load_policy
from policy_files import bundled_copy, line_of, patch


def test_the_bundled_articles_are_numbered_by_their_order() -> None:
    policy = jurisdiction.load().policy
    text = (Path(policy.root) / "articles.yaml").read_text(encoding="utf-8")
    assert "number:" not in text  # every number is implied
    assert sorted(policy.articles) == list(range(1, 20))
    assert sorted(policy.chapters) == [1, 2, 3, 4, 5]
    assert sorted(policy.articles[2].items) == list(range(1, 8))
    assert policy.articles[3].items[1].zh.startswith("一是对女方户籍地")
    assert policy.articles[19].text.zh.startswith("完善人口和计划生育目标管理责任制")


def test_a_given_number_is_kept_and_the_count_goes_on_from_it(tmp_path: Path) -> None:
    root = bundled_copy(tmp_path / "policy")
    articles = root / "articles.yaml"
    # give item 4 of article 3 the number 9: the items after it are 10 and 11
    patch(articles, '      - zh: "四是落实', '      - number: 9\n        zh: "四是落实')
    with pytest.raises(jurisdiction.PolicyError) as err:  # the rules cite (三)4, 5 and 6
        load_policy(root)
    unknown = {d.message.split(" (in an instance")[0] for d in err.value.diagnostics}
    assert unknown == {
        f"article (三)6 has no item {n} (items: 1, 2, 3, 9, 10, 11)".replace("6", str(n), 1)
        for n in (4, 5, 6)
    }, unknown


def test_a_number_that_comes_out_twice_is_located(tmp_path: Path) -> None:
    root = bundled_copy(tmp_path / "policy")
    articles = root / "articles.yaml"
    # article 5 says it is 4, which article 4 is by its order: a duplicate, at the later entry
    patch(articles, '\n  - zh: "本市内跨区县', '\n  - number: 4\n    zh: "本市内跨区县')
    with pytest.raises(jurisdiction.PolicyError) as err:
        load_policy(root)
    (found,) = err.value.diagnostics
    assert found.code == "duplicate-name"
    assert "article `4` is defined twice" in found.message
    assert found.location is not None
    assert found.location.line == line_of(articles, "number: 4")
