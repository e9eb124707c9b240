"""Pause Python's cyclic garbage collector while building large object graphs.

Building 350,000 ops or scopes allocates millions of objects; each allocation burst
triggers a full collection that rescans every object made so far, which made building
quadratic-looking (3.8 s instead of 1 s here). None of these objects form cycles that
need collecting in the meantime.
"""
from __future__ import annotations

import gc
import threading
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0              # pauses in progress, over all threads
_was_enabled = False    # the collector's state before the first of them


@contextmanager
def gc_paused():
    """The collector off while the block runs; back as it was when the last pause ends. The
    pauses are counted, so two threads loading at once cannot leave it off (or turn it on
    under the other's feet)."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
