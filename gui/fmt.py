"""Small text formatters shared by the tree, the details pane, the dialogs and the status bar.
None of them raises, whatever the value (a hostile file's shape can claim 2**200 bytes).

The one shape formatter is core's ``shape_text`` (core's messages need it too): '[3, 3, 32]',
or ``compact=True`` '3×3×32' for the tree and the details. The one error line is
``error_line`` below.
"""
from __future__ import annotations

import os
import traceback

from ..core.errors import PbscopeError
from ..core.limits import bytes_text, compact_count, shape_text
from ..core.stats import number  # a statistic's text: the preview's and `show`'s

_HUGE = 1 << 50     # past this, core's formatters (no float conversion, which overflows)


def human_bytes(n: int) -> str:
    """1536 → '1.5 KB' (powers of 1024, one decimal where it helps)."""
    if not isinstance(n, int) or not 0 <= n < _HUGE:
        return bytes_text(n)
    if n < 1024:
        return f"{n} B"
    for unit in ("KB", "MB", "GB", "TB"):
        n /= 1024.0
        if n < 1024 or unit == "TB":
            return f"{n:.1f} {unit}" if n < 100 else f"{n:.0f} {unit}"
    return f"{n:.0f} TB"  # pragma: no cover


human_count = compact_count      # 4231848 → '4.23M'

__all__ = ["error_details", "error_line", "human_bytes", "human_count", "number", "shape_text"]


def error_line(e: BaseException, path=None, doing: str = "") -> str:
    """The one line an error is shown as. A PbscopeError is its own text, ``'<path>: <cause>'``:
    the very line the command line prints after ``'pbscope: error: '``. Anything else (a bug, a
    library's exception) is ``'<path>: <doing>: <Type>: <the first line of its message>'``, the
    parts that are missing left out."""
    if isinstance(e, PbscopeError):
        return str(e)
    try:
        text = str(e)
    except Exception:  # noqa: BLE001 - a broken __str__ must not hide the error itself
        text = ""
    first = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    parts = [os.fspath(path) if path else "", doing, type(e).__name__, first]
    return ": ".join(p for p in parts if p)


def error_details(e: BaseException, tb: str = "", path=None) -> str:
    """What the error box shows behind "Show Details…": for a PbscopeError the file and the
    cause apart, then the traceback (``tb``, or the exception's own)."""
    if not tb and e.__traceback__ is not None:
        tb = "".join(traceback.format_exception(type(e), e, e.__traceback__))
    if isinstance(e, PbscopeError):
        head = f"File: {e.path or path or '-'}\nCause: {e.cause}"
        return f"{head}\n\n{tb}" if tb else head
    return tb
