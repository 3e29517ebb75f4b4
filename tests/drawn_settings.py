"""The hypothesis settings of a differential test over drawn fact sets: two ways of computing
the same thing compared on each fact set drawn."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

__all__ = ["compared_on"]


def compared_on(examples: int) -> settings:
    """``examples`` fact sets, the same on every run (derandomized, no example database), with
    no per-example deadline (the first draw compiles and warms caches) and without the health
    checks that drawing fact sets trips legitimately (the realiser is slow to draw from, and a
    strategy filters)."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
