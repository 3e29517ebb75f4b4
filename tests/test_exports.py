"""The public surface is `jurisdiction.__all__` (and the `jurisdiction.testing` module)."""

from __future__ import annotations

import jurisdiction


def test_all_names_are_exported_and_public() -> None:
    for name in jurisdiction.__all__:
        assert not name.startswith("_")
        assert hasattr(jurisdiction, name), name
    assert sorted(jurisdiction.__all__) == jurisdiction.__all__


def test_check_and_its_finding_are_public() -> None:
    assert {"check", "Finding"} <= set(jurisdiction.__all__)
    assert jurisdiction.Finding.__module__ == "jurisdiction._check"
