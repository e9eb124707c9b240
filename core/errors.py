"""The one error type users see: its message is the whole line, "<path>: <cause>"."""
from __future__ import annotations

import os


class PbscopeError(Exception):
    """A problem with the user's input. ``str(err)`` is ``"<path>: <cause>"``."""

    def __init__(self, path: str | os.PathLike | None, cause: str):
        self.path = os.fspath(path) if path is not None else None
        self.cause = cause
        super().__init__(f"{self.path}: {cause}" if self.path else cause)


class Cancelled(PbscopeError):
    """The user pressed Cancel; raised between steps of long work."""

    def __init__(self, path=None):
        super().__init__(path, "cancelled")
