"""Background work: a QRunnable that runs one callable with a core Progress.

The callable gets a ``core.progress.Progress``; its reports become the ``progress``
signal (throttled), Cancel calls ``Progress.cancel()`` so core raises ``Cancelled``
at its next step. Results and errors come back as queued signals on the GUI thread.
``Jobs`` keeps every running worker referenced until its ``finished`` arrives, so
no signals object is collected while a queued emission is still on its way.

``run_in_worker`` is how the window, its dialogs and the preview start work: one call
wires the worker to a progress view (a dialog's TaskStrip, the window's status bar) with
Cancel, to the callbacks for its result, its error (as one line, see ``fmt.error_line``)
and its cancellation, and, given a ``Slot``, makes it the one run of its kind that counts.

Work that calls TensorFlow (restore, unfreeze: ``Worker(tf=True)``) does not run on
QThreadPool: PySide gives a pool thread a fresh Python thread state for each run
and drops it afterwards, and TensorFlow keeps per-thread state across calls, so the
second TF job on a reused pool thread crashed the process (a segfault in
``Graph.graph_def_versions`` while building a Saver). Those jobs run one at a time
on a single long-lived Python thread instead, as TensorFlow expects.
"""
from __future__ import annotations

import threading
import time
import traceback
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from ..core.errors import Cancelled
from ..core.progress import Progress

from .fmt import error_details, error_line


class WorkerSignals(QObject):
    progress = Signal(float, str)
    result = Signal(object)
    error = Signal(object, str)      # exception, traceback text (the dialog's details)
    cancelled = Signal()
    finished = Signal()


class Worker(QRunnable):
    """Run ``fn(progress)`` on the thread pool; see the module doc for the signals."""

    PROGRESS_INTERVAL = 0.03  # seconds between progress signals: enough for a smooth bar

    def __init__(self, fn: Callable[[Progress], object], path: str | None = None, name: str = "",
                 tf: bool = False):
        super().__init__()
        self.setAutoDelete(False)  # Python owns it (Jobs holds a reference until finished)
        self.fn = fn
        self.name = name
        self.tf = tf               # calls TensorFlow: runs on the TF thread (see the module doc)
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


_tf_lock = threading.Lock()
_tf_executor: ThreadPoolExecutor | None = None


def tf_executor() -> ThreadPoolExecutor:
    """The one long-lived Python thread TensorFlow work runs on (made on first use)."""
    global _tf_executor
    with _tf_lock:
        if _tf_executor is None:
            _tf_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pbscope-tf")
        return _tf_executor


class Jobs(QObject):
    """The running workers of one window: start, cancel all, wait."""

    def __init__(self, parent: QObject | None = None, pool: QThreadPool | None = None):
        super().__init__(parent)
        self.pool = pool or QThreadPool.globalInstance()
        self._running: set[Worker] = set()
        self._futures: set[Future] = set()

    def start(self, worker: Worker) -> Worker:
        self._running.add(worker)
        worker.signals.finished.connect(lambda w=worker: self._running.discard(w))
        if worker.tf:
            fut = tf_executor().submit(worker.run)
            self._futures.add(fut)
            fut.add_done_callback(self._futures.discard)
        else:
            self.pool.start(worker)
        return worker

    def running(self) -> list[Worker]:
        return list(self._running)

    def cancel_all(self) -> None:
        for w in list(self._running):
            w.cancel()

    def wait(self, msecs: int = 10_000) -> bool:
        t0 = time.monotonic()
        done = self.pool.waitForDone(msecs)
        futures = list(self._futures)
        if futures:
            left = max(0.0, msecs / 1000 - (time.monotonic() - t0))
            done = not wait_futures(futures, timeout=left).not_done and done
        return done


class SubProgress(Progress):
    """The share [lo, hi] of another Progress: one job that calls core twice (open a
    model, then compare it) reports one bar, and Cancel reaches both calls."""

    def __init__(self, parent: Progress, lo: float, hi: float):
        super().__init__(None, parent.path)
        self.parent, self.lo, self.hi = parent, lo, hi

    def cancel(self) -> None:
        self.parent.cancel()

    @property
    def cancelled(self) -> bool:
        return self.parent.cancelled

    def check(self) -> None:
        self.parent.check()

    def report(self, fraction: float, text: str = "") -> None:
        self.parent.report(self.lo + (self.hi - self.lo) * min(max(fraction, 0.0), 1.0), text)


# -- one way to run work ------------------------------------------------------------------------

class ProgressView(Protocol):
    """What shows a running worker: text, a bar and Cancel (widgets.TaskStrip, the window's
    status bar). ``finish`` ignores a worker the view no longer shows."""

    def start(self, worker: Worker, text: str) -> None: ...

    def finish(self, worker: Worker, text: str = "") -> None: ...


class Slot:
    """The newest run of one kind of work (opening a model, a preview, a dialog's job):
    starting another cancels it, and a superseded run's result, error or cancellation is
    dropped. A TaskStrip is a slot too (its ``worker``)."""

    def __init__(self) -> None:
        self.worker: Worker | None = None

    @property
    def busy(self) -> bool:
        return self.worker is not None


def run_in_worker(jobs: Jobs, fn: Callable[[Progress], object], on_done: Callable[[object], None],
                  on_error: Callable[[str, str], None] | None = None, *,
                  progress: ProgressView | None = None, text: str = "", slot=None,
                  on_cancelled: Callable[[], None] | None = None, cancelled_text: str = "",
                  on_end: Callable[[], None] | None = None, path: str | None = None, name: str = "",
                  doing: str = "", tf: bool = False) -> Worker:
    """Run ``fn(progress)`` in a worker of ``jobs`` and come back on the GUI thread.

    - ``progress`` (a ProgressView) shows ``text``, the bar and Cancel while it runs; it is
      finished before any callback (with ``cancelled_text`` when cancelled, else blank);
    - ``slot`` (a Slot, or a TaskStrip): its running worker is cancelled first, and this one's
      callbacks only come while it is still the slot's worker;
    - ``on_end()`` after any ending that counts, before the callback of that ending;
    - ``on_done(result)``; ``on_error(line, details)``, the line from ``fmt.error_line(e, path,
      doing)``, the details the file, the cause and the traceback; ``on_cancelled()``.

    ``path``, ``name`` and ``tf`` are the Worker's (``tf=True``: TensorFlow work, see above).
    Returns the worker (started)."""
    if slot is not None and slot.worker is not None:
        slot.worker.cancel()
    worker = Worker(fn, path=path, name=name, tf=tf)
    if slot is not None:
        slot.worker = worker
    if progress is not None:
        progress.start(worker, text)

    def ending(text: str = "") -> bool:
        """Whether this ending counts; if so, the views are told it ended."""
        if slot is not None and slot.worker is not worker:
            return False
        if progress is not None:
            progress.finish(worker, text)
        if slot is not None and slot.worker is worker:
            slot.worker = None
        if on_end is not None:
            on_end()
        return True

    def done(result) -> None:
        if ending():
            on_done(result)

    def failed(e: Exception, tb: str) -> None:
        if ending() and on_error is not None:
            on_error(error_line(e, path, doing), error_details(e, tb, path))

    def cancelled() -> None:
        if ending(cancelled_text) and on_cancelled is not None:
            on_cancelled()

    worker.signals.result.connect(done)
    worker.signals.error.connect(failed)
    worker.signals.cancelled.connect(cancelled)
    jobs.start(worker)
    return worker
