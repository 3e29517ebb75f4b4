"""Values some fact set found takes together (analysis/known.py): the partition's walk answers
"have these values a fact set?" from them without a search, and skips exactly the classes it
skipped when it searched each pair and prefix."""

from __future__ import annotations

import jurisdiction
from jurisdiction.analysis.known import KnownValues
from jurisdiction.analysis.partition import _ImpossiblePairs, partition, realiser_for, splits

ENGINE = jurisdiction.load()


def test_values_are_together_only_when_one_fact_set_takes_them_all() -> None:
    known = KnownValues()
    assert not known.together([("a", True)])
    known.add([("a", True), ("b", "x"), ("c", False)])
    known.add([("a", False), ("b", "y"), ("c", False)])
    assert known.together([("a", True), ("b", "x")])
    assert known.together([("c", False), ("b", "y"), ("a", False)])
    assert not known.together([("a", True), ("b", "y")])  # each taken, never together
    assert not known.together([("a", True), ("d", True)])  # a feature no fact set gave
    assert known.together([])


class _Forgetful(KnownValues):
    """Knows nothing: every pair and prefix is searched, as before this module."""

    def together(self, values: object) -> bool:  # type: ignore[override]
        return False


def _walk(answered: bool) -> tuple[list[tuple[object, ...]], int]:
    """The classes the walk of second_child_approval yields, and the searches it ran, with the
    values found so far answering for pairs and prefixes, or not."""
    question = ENGINE.question("second_child_approval")
    subject = ENGINE.subjects[question.subject]
    realiser = realiser_for(ENGINE)
    walk = _ImpossiblePairs(realiser, subject, splits(ENGINE.policy, question))
    if not answered:
        walk._seen = _Forgetful()
    searches = 0
    attempt = realiser.attempt

    def counted(*args: object, **kwargs: object) -> object:
        nonlocal searches
        searches += 1
        return attempt(*args, **kwargs)  # type: ignore[arg-type]

    realiser.attempt = counted  # type: ignore[assignment,method-assign]
    classes = []
    for combo in walk.possible():
        classes.append(combo)  # (no class realised: the pairs' and prefixes' fact sets alone)
        if len(classes) == 400:
            break
    return classes, searches


def test_the_walk_skips_the_same_classes_with_fewer_searches() -> None:
    with_known, fewer = _walk(answered=True)
    without, searched = _walk(answered=False)
    assert with_known == without
    assert fewer < searched


def test_the_partition_keeps_what_it_found_per_subject() -> None:
    question = ENGINE.question("first_child_certificate")
    realiser = realiser_for(ENGINE)
    found = partition(ENGINE, question, realiser)
    known = realiser.known[question.subject]
    for cls in found.classes[:50]:
        plain = [(name, v) for name, v in cls.values if isinstance(v, bool | str)]
        assert known.together(plain), cls.values
