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


def test_the_bundled_items_are_numbered_by_their_order() -> None:
    """The bundled chapters and articles keep their numbers (an analyst looks an article up by
    it); their items, which say their number in their text (一是, 二是, ...), leave it to order."""
    policy = jurisdiction.load().policy
    text = (Path(policy.root) / "articles.yaml").read_text(encoding="utf-8")
    assert "\n      - number:" not in text  # no item gives its number
    assert sorted(policy.articles) == list(range(1, 20))
    assert sorted(policy.chapters) == [1, 2, 3, 4, 5]
    assert sorted(policy.articles[2].items) == list(range(1, 8))
    assert policy.articles[3].items[1].zh.startswith("一是对女方户籍地")
    assert policy.articles[2].items[7].zh.startswith("七是上级")
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
    # item 5 of article 3 says it is 4, which item 4 is by its order: a duplicate, at the later
    # entry (the rules citing (三)6, which no longer is, are refused as well)
    patch(articles, '      - zh: "五是国家规定', '      - number: 4\n        zh: "五是国家规定')
    with pytest.raises(jurisdiction.PolicyError) as err:
        load_policy(root)
    (found,) = [d for d in err.value.diagnostics if d.code == "duplicate-name"]
    assert "item 4 is listed twice" in found.message
    assert found.location is not None
    assert found.location.line == line_of(articles, 'zh: "五是国家规定') - 1  # `- number: 4`
