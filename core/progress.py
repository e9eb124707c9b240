"""Progress reporting and cancellation for long work (open, export, restore).

Core functions take an optional ``Progress``; the GUI's workers pass one whose
callback emits a Qt signal and whose ``cancelled`` flag the Cancel button sets.
``report`` raises ``Cancelled`` once cancel is asked, so work stops between steps.
"""
from __future__ import annotations

import threading
from typing import Callable

from .errors import Cancelled


class Progress:
    def __init__(self, callback: Callable[[float, str], None] | None = None,
                 path: str | None = None):
        self._callback = callback
        self._cancel = threading.Event()
        self.path = path

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled(self.path)

    def report(self, fraction: float, text: str = "") -> None:
        self.check()
        if self._callback is not None:
            self._callback(min(max(fraction, 0.0), 1.0), text)


NO_PROGRESS = Progress()
