"""Timing calls in turns: what run.py and zen_engine.py measure per decision with."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

Variant = tuple[Callable[[Any], object], list[Any]]


def per_call(variants: dict[str, Variant], rounds: int) -> dict[str, float]:
    """µs per call of each variant: the best of ``rounds`` passes over its items. The variants
    take turns, pass by pass, so that a change in the machine's speed hits them alike."""
    best = dict.fromkeys(variants, float("inf"))
    for fn, items in variants.values():
        fn(items[0])
    for _ in range(rounds):
        for name, (fn, items) in variants.items():
            t0 = time.perf_counter()
            for item in items:
                fn(item)
            best[name] = min(best[name], (time.perf_counter() - t0) / len(items) * 1e6)
    return best
