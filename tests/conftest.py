"""Shared test settings. The YAML cases of ``tests/cases/`` are collected by the package's own
pytest plugin (``jurisdiction._pytest_plugin``, entry point ``pytest11``), as an analyst's would be;
their format is documented in docs/testing.md."""

from __future__ import annotations

from hypothesis import settings

# Property tests: no per-example deadline (the first example of a run compiles and warms caches).
settings.register_profile("jurisdiction", deadline=None)
settings.load_profile("jurisdiction")
