"""A chapter may say where it starts (`first_article`), and an article that names no `chapter` is
then in the chapter whose first article is the greatest at or below its number
(docs/policy-format.md); a start that is no article, or two chapters starting at one article, is
a located error."""

from __future__ import annotations

from pathlib import Path

import pytest

import jurisdiction
from jurisdiction.policy.load import load_policy
from policy_files import bundled_copy, line_of, patch


def _articles(tmp_path: Path) -> tuple[Path, Path]:
    root = bundled_copy(tmp_path / "policy")
    return root, root / "articles.yaml"


def test_each_article_is_in_the_chapter_that_starts_at_or_before_it() -> None:
    policy = jurisdiction.load().policy
    text = (Path(policy.root) / "articles.yaml").read_text(encoding="utf-8")
    assert "\n    chapter:" not in text  # the bundled articles name no chapter of their own
    chapters = {n: a.chapter for n, a in policy.articles.items()}
    assert chapters == {
        n: 1 if n <= 5 else 2 if n <= 9 else 3 if n <= 12 else 4 if n <= 16 else 5
        for n in range(1, 20)
    }


def test_an_article_that_names_its_chapter_keeps_it(tmp_path: Path) -> None:
    root, articles = _articles(tmp_path)
    patch(articles, '\n    zh: "充分发挥市', '\n    chapter: 2\n    zh: "充分发挥市')  # article 4
    policy = load_policy(root, strict=False)
    assert [policy.articles[n].chapter for n in (3, 4, 5)] == [1, 2, 1]


@pytest.mark.parametrize(
    ("old", "new", "code", "needle"),
    [
        ("first_article: 17", "first_article: 27", "unknown-article", "article 27"),
        ("first_article: 17", "first_article: 13", "duplicate-name", "both start at article 13"),
    ],
)
def test_a_bad_start_is_located(tmp_path: Path, old: str, new: str, code: str, needle: str) -> None:
    root, articles = _articles(tmp_path)
    patch(articles, old, new)
    with pytest.raises(jurisdiction.PolicyError) as err:
        load_policy(root)
    (found,) = [d for d in err.value.diagnostics if d.code == code]
    assert needle in found.message
    assert found.location is not None
    assert found.location.file == str(articles)
    lines = articles.read_text(encoding="utf-8").splitlines()
    last = max(n for n, line in enumerate(lines, start=1) if new in line)  # chapter 5's
    assert found.location.line == last == line_of(articles, 'zh: "保障措施"') - 1
