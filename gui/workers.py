"""Background work: a QRunnable that runs one callable with a core Progress.

The callable gets a ``core.progress.Progress``; its reports become the ``progress``
signal (throttled), Cancel calls ``Progress.cancel()`` so core raises ``Cancelled``
at its next step. Results and errors come back as queued signals on the GUI thread.
``Jobs`` keeps every running worker referenced until its ``finished`` arrives, so
no signals object is collected while a queued emission is still on its way.
"""
from __future__ import annotations

import time
import traceback
from typing import Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from core.errors import Cancelled
from core.progress import Progress


class WorkerSignals(QObject):
    progress = Signal(float, str)
    result = Signal(object)
    error = Signal(object, str)      # exception, traceback text (the dialog's details)
    cancelled = Signal()
    finished = Signal()


class Worker(QRunnable):
    """Run ``fn(progress)`` on the thread pool; see the module doc for the signals."""

    PROGRESS_INTERVAL = 0.03  # seconds between progress signals: enough for a smooth bar

    def __init__(self, fn: Callable[[Progress], object], path: str | None = None, name: str = ""):
        super().__init__()
        self.setAutoDelete(False)  # Python owns it (Jobs holds a reference until finished)
        self.fn = fn
        self.name = name
        self.signals = WorkerSignals()
        self.progress = Progress(self._report, path)
        self._last = 0.0

    def cancel(self) -> None:
        self.progress.cancel()

    @property
    def cancelled(self) -> bool:
        return self.progress.cancelled

    def _report(self, fraction: float, text: str) -> None:
        now = time.monotonic()
        if fraction >= 1.0 or now - self._last >= self.PROGRESS_INTERVAL:
            self._last = now
            self.signals.progress.emit(fraction, text)

    def run(self) -> None:
        try:
            result = self.fn(self.progress)
        except Cancelled:
            self.signals.cancelled.emit()
        except Exception as e:  # noqa: BLE001 - every failure must reach the GUI, not kill a thread
            self.signals.error.emit(e, traceback.format_exc())
        else:
            if self.progress.cancelled:
                self.signals.cancelled.emit()
            else:
                self.signals.result.emit(result)
        finally:
            self.signals.finished.emit()


class Jobs(QObject):
    """The running workers of one window: start, cancel all, wait."""

    def __init__(self, parent: QObject | None = None, pool: QThreadPool | None = None):
        super().__init__(parent)
        self.pool = pool or QThreadPool.globalInstance()
        self._running: set[Worker] = set()

    def start(self, worker: Worker) -> Worker:
        self._running.add(worker)
        worker.signals.finished.connect(lambda w=worker: self._running.discard(w))
        self.pool.start(worker)
        return worker

    def running(self) -> list[Worker]:
        return list(self._running)

    def cancel_all(self) -> None:
        for w in list(self._running):
            w.cancel()

    def wait(self, msecs: int = 10_000) -> bool:
        return self.pool.waitForDone(msecs)
