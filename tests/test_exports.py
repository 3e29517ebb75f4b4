"""The public surface is exactly `__all__`; everything else lives in private modules."""

from __future__ import annotations

import pkgutil

import jurisdiction


def test_all_names_exist_and_nothing_public_is_unlisted() -> None:
    for name in jurisdiction.__all__:
        assert hasattr(jurisdiction, name), name
    public = {n for n in vars(jurisdiction) if not n.startswith("_")}
    modules = {m.name for m in pkgutil.iter_modules(jurisdiction.__path__)}
    assert public - set(jurisdiction.__all__) - modules == set()


def test_modules_are_private_except_the_documented_ones() -> None:
    modules = {m.name for m in pkgutil.iter_modules(jurisdiction.__path__)}
    assert {m for m in modules if not m.startswith("_")} <= {"testing"}


def test_exceptions_form_one_tree_with_distinct_exit_codes() -> None:
    classes = [
        jurisdiction.PolicyError,
        jurisdiction.FactsError,
        jurisdiction.ConflictError,
        jurisdiction.EvaluatorError,
    ]
    assert all(issubclass(c, jurisdiction.JurisdictionError) for c in classes)
    assert len({c.exit_code for c in classes}) == len(classes)


def test_all_is_sorted_and_check_is_public() -> None:
    assert sorted(jurisdiction.__all__) == jurisdiction.__all__
    assert {"check", "Finding"} <= set(jurisdiction.__all__)
    assert jurisdiction.Finding.__module__ == "jurisdiction._check"


def test_the_package_declares_itself_typed() -> None:
    from importlib.resources import files

    assert files("jurisdiction").joinpath("py.typed").is_file()
