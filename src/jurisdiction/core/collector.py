"""Python's cyclic garbage collector, paused while a policy is imported and loaded."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["paused", "whole_process"]

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
