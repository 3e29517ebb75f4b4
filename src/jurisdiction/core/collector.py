"""Python's cyclic garbage collector, paused while a policy is imported and loaded, and held back
while the command line checks one."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["held_back", "paused", "whole_process"]

# young collections every 10,000 net allocations instead of 700; the older generations (10 and
# 10 by default) collected after 100 and 1,000 of the younger one's: in a check, none
HELD_BACK = (10_000, 100, 1_000)

_WHOLE_PROCESS: list[bool] = []


@contextmanager
def whole_process() -> Iterator[None]:
    """Within it, the process keeps what it loads to its end (the command line's ``main``): after
    a pause, everything allocated so far is moved out of the collector's reach (``gc.freeze``),
    else the first collection after the pause walks all of it once more, and later ones again.
    Not for a library's caller, whose garbage in cycles made meanwhile would never be collected."""
    _WHOLE_PROCESS.append(True)
    try:
        yield
    finally:
        _WHOLE_PROCESS.pop()


@contextmanager
def paused() -> Iterator[None]:
    """The collector paused, if it runs, and resumed after.

    Importing the engine and loading a policy allocate some 150,000 containers that mostly live on
    (modules, classes, the documents, their marks, the policy) and free the rest by reference
    counting; meanwhile the collector would run a few hundred times and walk every object of the
    process more than once: about a fifth of a load, measured. The pause is bounded by one import
    and load; garbage in cycles made meanwhile waits for the next collection.
    """
    if not gc.isenabled():  # paused by the caller, or by another thread's load: theirs to resume
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        if _WHOLE_PROCESS:
            gc.freeze()
        gc.enable()


@contextmanager
def held_back() -> Iterator[None]:
    """The collector's thresholds raised, if it runs, and restored after: young collections
    rarer, the middle and full ones held back (``HELD_BACK``).

    A check of the bundled policy keeps much of what it makes until its end (classes, their
    witnesses and decisions, the searches' caches) and makes some cyclic garbage; at Python's
    thresholds the collector ran some 950 young, 87 middle and 6 full collections during it, each
    full one walking everything the check had kept so far: a tenth of the check, measured.
    Raised, some 75 young ones and no other: the cyclic garbage waits, a percent more memory at
    the peak (paused outright, as ``paused`` does, the check was a little faster but its peak
    14 % higher). Bounded by one check; for the command line's, whose process ends after it.
    The library's ``Checker`` does not do it: its caller owns the process.
    """
    if not gc.isenabled():  # paused by the caller: no thresholds to raise
        yield
        return
    before = gc.get_threshold()
    gc.set_threshold(*HELD_BACK)
    try:
        yield
    finally:
        gc.set_threshold(*before)
