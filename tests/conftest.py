"""Shared test settings. The YAML cases of ``tests/cases/`` are collected by the package's own
pytest plugin (``jurisdiction.testing.pytest_plugin``, entry point ``pytest11``), as an
analyst's would be — switched on, and pointed at the bundled policy, by pyproject.toml's
``jurisdiction_cases`` and ``jurisdiction_policy``; their format is documented in
docs/testing.md."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# Property tests, robust on a loaded 2-core machine (shared with other work), set deliberately
# as `jurisdiction.testing.property_settings` sets them for an analyst's tests (docs/testing.md):
# no per-example deadline (the first example of a run compiles and warms caches, and a busy
# machine stalls any example now and then), and the `too_slow` health check off (drawing a fact
# set runs the realiser, legitimately milliseconds a draw). The other health checks stay on.
# Speed is measured in benchmarks/, not by a test's clock.
settings.register_profile(
    "jurisdiction", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
# By default the property tests draw a quarter of hypothesis's default 100 examples, so the
# README's test command keeps well within 10 minutes on a 2-core machine, with or without CI;
# JURISDICTION_FULL=1 draws the full 100 (a nightly run). A test that sets its own max_examples
# (the searches for rare combinations) keeps it.
FULL = bool(os.environ.get("JURISDICTION_FULL"))
settings.register_profile("ci", parent=settings.get_profile("jurisdiction"), max_examples=25)
settings.load_profile("jurisdiction" if FULL else "ci")
