"""Python's cyclic garbage collector, paused while a policy is imported and loaded."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["paused"]


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
        gc.enable()
