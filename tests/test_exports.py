"""The public surface is exactly `__all__`; everything else lives in private modules."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import jurisdiction
from jurisdiction import models


def test_all_names_exist_and_nothing_public_is_unlisted() -> None:
    for name in jurisdiction.__all__:
        assert hasattr(jurisdiction, name), name
    # (names that are no identifier, such as the helpers pytest's assertion rewriting adds to the
    # modules of a distribution with a pytest plugin, are nobody's public API)
    public = {n for n in vars(jurisdiction) if not n.startswith("_") and n.isidentifier()}
    modules = {m.name for m in pkgutil.iter_modules(jurisdiction.__path__)}
    assert public - set(jurisdiction.__all__) - modules == set()


STAGES = {"core", "language", "policy", "engine", "analysis", "batch", "service", "cli"}
"""The stage folders (docs/architecture.md): private by convention, each saying so."""


def test_modules_are_private_except_the_documented_ones() -> None:
    modules = {m.name for m in pkgutil.iter_modules(jurisdiction.__path__)}
    assert {m for m in modules if not m.startswith("_")} == {"models", "testing", *STAGES}


@pytest.mark.parametrize("stage", sorted(STAGES))
def test_a_stage_folder_exports_nothing_and_says_what_it_may_import(stage: str) -> None:
    package = importlib.import_module(f"jurisdiction.{stage}")
    assert package.__doc__ is not None
    assert "import" in package.__doc__  # its one paragraph says what it may import
    names = {n for n in vars(package) if not n.startswith("_") and n.isidentifier()}
    submodules = {m.name for m in pkgutil.iter_modules(package.__path__)}
    assert names <= submodules  # no public name of its own: the API is jurisdiction.__all__


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
    # the engine's names, sorted, then the bundled policy's fact models (jurisdiction.models)
    own = jurisdiction.__all__[: -len(models.__all__)]
    assert sorted(own) == own
    assert jurisdiction.__all__[len(own) :] == models.__all__
    assert {"check", "Finding"} <= set(jurisdiction.__all__)
    assert jurisdiction.Finding.__module__ == "jurisdiction.analysis.check"


def test_the_package_declares_itself_typed() -> None:
    from importlib.resources import files

    assert files("jurisdiction").joinpath("py.typed").is_file()


def test_the_bundled_fact_models_are_exported_from_their_generated_module() -> None:
    assert {"Resident", "BirthCase", "Area", "Unit", "District", "Sex", "Rank"} <= set(
        models.__all__
    )
    for name in models.__all__:
        assert getattr(jurisdiction, name).__module__ == "jurisdiction.models"
    assert jurisdiction.Sex.female == "female"


def test_init_names_no_word_of_the_policy() -> None:
    # __init__ re-exports the fact models by their module's __all__, naming none of them
    from pathlib import Path

    text = Path(jurisdiction.__file__).read_text(encoding="utf-8")
    for name in models.__all__:
        assert name not in text, name
