"""Give freed memory back to the operating system.

Opening a big graph makes large numpy temporaries. glibc's malloc raises its mmap
threshold after freeing the first of them, so the later ones come from the heap and
stay in the process's RSS once freed (254 MB at 357,000 ops). ``malloc_trim`` returns
them; elsewhere than glibc this does nothing.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import sys

_trim = None


def give_back() -> None:
    global _trim
    if not sys.platform.startswith("linux"):
        return
    if _trim is None:
        try:
            _trim = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
        except (OSError, AttributeError):
            _trim = False
    if _trim:
        _trim(0)
