"""The one error type users see: its message is the whole line, "<path>: <cause>"."""
from __future__ import annotations

import os


class PbscopeError(Exception):
    """A problem with the user's input. ``str(err)`` is ``"<path>: <cause>"``."""

    def __init__(self, path: str | os.PathLike | None, cause: str):
        self.path = os.fspath(path) if path is not None else None
        self.cause = cause
        super().__init__(f"{self.path}: {cause}" if self.path else cause)


def first_line(e: BaseException, limit: int = 300) -> str:
    """The first non-blank line of a library's exception, at most ``limit`` characters
    (TensorFlow's and h5py's messages run long): the cause in a PbscopeError's one line."""
    msg = getattr(e, "message", None) or str(e) or type(e).__name__
    lines = [ln.strip() for ln in str(msg).splitlines() if ln.strip()]
    text = lines[0] if lines else type(e).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Cancelled(PbscopeError):
    """The user pressed Cancel; raised between steps of long work."""

    def __init__(self, path=None):
        super().__init__(path, "cancelled")
