"""Interchangeable place codes (analysis/symmetry.py): which candidate codes a failing search of
the realiser may skip, and that skipping them finds the very fact sets the full search finds."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

import jurisdiction
from jurisdiction.analysis.partition import _candidates, _ImpossiblePairs, realiser_for, splits
from jurisdiction.analysis.realise import GoalText, Realiser, Unrealised
from jurisdiction.analysis.symmetry import PlaceReads, PlaceTree, place_reads

ENGINE = jurisdiction.load()
CTX = ENGINE.context
SUBJECTS = ENGINE.subjects
RESIDENT = SUBJECTS["resident"]
HIERARCHY = ENGINE.policy.hierarchy


def _reads(*texts: str) -> PlaceReads:
    return place_reads(SUBJECTS, CTX, [(RESIDENT, (), t) for t in texts])


def test_relations_between_places_are_kept_by_a_symmetry() -> None:
    found = _reads(
        'at(resident.hukou, "street") != at(resident.residence, "street")',
        "within(resident.woman_hukou, param.city_code)",  # through a place reference
        'resident.blind_spot_cause == "none" or resident.sex == "female"',
        'class_of(resident.hukou) == "town" and level(resident.residence) == "street"',
    )
    assert found.safe
    assert found.prefixes == {CTX.root}
    assert found.codes == frozenset()


def test_a_code_the_expression_names_is_fixed() -> None:
    found = _reads('resident.hukou == "120001000" or resident.residence in ["120002000"]')
    assert found.safe
    assert found.codes == {"120001000", "120002000"}


@pytest.mark.parametrize(
    "text",
    [
        "lookup(table.anything, resident.hukou) == 1",  # a table keyed by codes
        'at(resident.hukou, "street")',  # a value that is a place
        "count(resident.area.adjacent_districts) > 1 and resident.unknown_name",
    ],
)
def test_other_reads_of_places_keep_every_candidate(text: str) -> None:
    assert not _reads(text).safe


def _tree(reads: PlaceReads) -> PlaceTree:
    codes = [c for lv in HIERARCHY.levels for c in realiser_for(ENGINE).pool[lv.name]]
    return PlaceTree(HIERARCHY, codes, reads)


def test_twin_places_are_one_class_until_one_is_fixed() -> None:
    tree = _tree(PlaceReads(True, frozenset({CTX.root})))
    free = tree.classes([])
    inside = sorted(c for c in tree.parent if len(c) == 6 and c.startswith(CTX.root))
    outside = sorted(c for c in tree.parent if len(c) == 6 and not c.startswith(CTX.root))
    assert len(inside) == len(outside) == 2
    assert free[inside[0]] == free[inside[1]]  # two districts alike, street by street
    assert free[inside[0]] != free[outside[0]]  # the prefix tells inside from outside
    street = inside[0] + "000"
    twin = inside[1] + "000"
    assert free[street] == free[twin]
    fixed = tree.classes([street])
    assert fixed[street] != fixed[twin]  # fixed: its twin is no longer interchangeable
    assert fixed[inside[1]] != fixed[inside[0]]  # nor the district holding it
    assert len(set(free.values())) < len(free)


def test_a_named_code_is_a_class_of_its_own() -> None:
    street = sorted(c for c in realiser_for(ENGINE).pool["street"] if c.startswith(CTX.root))[0]
    tree = _tree(PlaceReads(True, frozenset({CTX.root}), frozenset({street})))
    classes = tree.classes([])
    assert [c for c in classes if classes[c] == classes[street]] == [street]


def _second_child_assignments() -> list[dict[str, Any]]:
    """One class in 25 of those the partition of second_child_approval searches (each with
    the first representative of its whole numbers)."""
    split_list = splits(ENGINE.policy, ENGINE.question("second_child_approval"))
    walk = _ImpossiblePairs(realiser_for(ENGINE), RESIDENT, split_list).possible()
    return [next(_candidates(split_list, c)) for c in itertools.islice(walk, 0, None, 25)]


def _without_symmetry() -> Realiser:
    realiser = realiser_for(ENGINE)
    realiser._symmetry = lambda *_args: None  # type: ignore[method-assign]
    return realiser


def test_skipping_symmetric_codes_finds_the_same_fact_sets_in_fewer_steps() -> None:
    """The first fact set found, or the proof that there is none, is the full search's; the
    failing searches try fewer values."""
    with_, without = realiser_for(ENGINE), _without_symmetry()
    found = 0
    for assignment in _second_child_assignments():
        a, b = with_.attempt(RESIDENT, assignment), without.attempt(RESIDENT, assignment)
        assert a == b, assignment
        found += a is not None and not hasattr(a, "proved")
        if isinstance(a, Unrealised) or a is not None:
            continue
        exact = {k: range(v, v + 1) if k == "age" else v for k, v in assignment.items()}
        c, d = with_.realise_class(RESIDENT, exact), without.realise_class(RESIDENT, exact)
        if isinstance(d, Unrealised) and d.note and "stopped after" in d.note:
            assert c == d or (isinstance(c, Unrealised) and c.proved)  # fewer steps, or as many
        else:
            assert c == d, assignment
    assert 0 < found < len(_second_child_assignments())  # some found, some not
    assert with_.steps < 0.8 * without.steps


def _lacks_community(facts: Any, ctx: Any) -> bool:
    code = RESIDENT.places["woman_hukou"].get(facts, ctx)
    return code is None or len(code) < HIERARCHY.length("community")


def test_a_goal_said_as_an_expression_skips_symmetric_codes_with_the_same_result() -> None:
    text = 'at(resident.woman_hukou, "community") == null'
    reads = RESIDENT.places["woman_hukou"].reads
    told = (_lacks_community, reads, GoalText("lacks", text))
    untold = (_lacks_community, reads, "lacks")
    with_, without = realiser_for(ENGINE), realiser_for(ENGINE)
    for assignment in _second_child_assignments():
        assert with_.attempt(RESIDENT, assignment, told) == without.attempt(
            RESIDENT, assignment, untold
        ), assignment
    assert with_.steps < 0.8 * without.steps


def test_an_impossible_class_teaches_the_values_that_make_it_so() -> None:
    """Hukou outside the city in the residence's street, and the residence in a blind spot of
    the city: no fact set, whatever the other features. Learnt from one such class, the fewest
    of its values that no fact set has are skipped in every later class holding them."""
    question = ENGINE.question("second_child_approval")
    split_list = splits(ENGINE.policy, question)
    realiser = realiser_for(ENGINE)
    pairs = _ImpossiblePairs(realiser, RESIDENT, split_list)
    names = [s.feature for s in split_list]
    combos = list(pairs.possible())
    triple = {"hukou_in_city": False, "cross_street": False, "blind_spot_cause": "unspecified"}
    held = [c for c in combos if all(c[names.index(k)] == v for k, v in triple.items())]
    assert held  # the walk meets them: the three end with the last split
    pairs.learn(held[0])
    (shape,) = realiser.shapes["resident"]
    core = tuple((n, held[0][names.index(n)]) for n in shape)
    assert 3 <= len(core) < len([s for s in split_list if s.type.kind != "int"])
    assert pairs._impossible(core)
    for left_out in range(len(core)):  # the fewest: each of them is needed
        assert not pairs._impossible(core[:left_out] + core[left_out + 1 :])

    def holds(combo: tuple[Any, ...]) -> bool:
        return all(combo[names.index(k)] == v for k, v in core)

    after = list(pairs.possible())
    assert not any(holds(c) for c in after)
    assert len(after) == len(combos) - sum(holds(c) for c in combos) < len(combos)
