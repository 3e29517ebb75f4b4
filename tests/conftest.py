"""Shared test settings. The YAML cases of ``tests/cases/`` are collected by the package's own
pytest plugin (``jurisdiction.testing.pytest_plugin``, entry point ``pytest11``), as an
analyst's would be; their format is documented in docs/testing.md."""

from __future__ import annotations

import os

from hypothesis import settings

# Property tests: no per-example deadline (the first example of a run compiles and warms caches).
settings.register_profile("jurisdiction", deadline=None)
# Under CI (.ci/run sets CI) the property tests draw a quarter of hypothesis's default 100
# examples, so the suite keeps to its 10-minute budget on a 2-core machine; a test that sets
# its own max_examples (the searches for rare combinations) keeps it.
settings.register_profile("ci", parent=settings.get_profile("jurisdiction"), max_examples=25)
settings.load_profile("ci" if os.environ.get("CI") else "jurisdiction")
