"""gui/table_dialog.py (the Compare and Restore dialogs' base) and workers.run_in_worker."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from pbscope.core.errors import PbscopeError
from pbscope.gui.table_dialog import (
    SORT_ROLE,
    STATUS_ROLE,
    FilterRow,
    StatusFilter,
    StatusTableDialog,
    StatusTableModel,
)
from pbscope.gui.widgets import tint
from pbscope.gui.workers import Jobs, Slot, run_in_worker

STATUSES = {"good": ("fine", "good"), "bad": ("broken", "bad"), "odd": ("odd one", "other")}


@dataclass
class Row:
    key: str
    status: str
    other: str | None = None


class Model(StatusTableModel):
    HEADERS = ("Status", "Key", "Other")
    STATUSES = STATUSES

    def cell(self, r, col, role):
        if role == Qt.DisplayRole:
            return (None, r.key, r.other or "")[col]
        return None


ROWS = [Row("a/w", "good"), Row("a/b", "bad", "x/Y"), Row("c/w", "odd"), Row("c/b", "good", "a/q")]


class Dialog(StatusTableDialog):
    def __init__(self, jobs, parent=None):
        super().__init__(jobs, parent)
        self.build_table(Model(self), lambda r: (r.key, r.other), name="t", placeholder="Filter",
                         count_format="{shown:,} of {total:,} rows", key_column=1, stretch_column=1,
                         widths={0: "broken", 2: "x/Y"}, sortable=True)
        lay = QVBoxLayout(self)
        lay.addWidget(self.filter_row)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.task)


class Window(QWidget):
    """Stands in for the main window: what dialogs report errors to."""

    def __init__(self):
        super().__init__()
        self.errors = []

    def show_error(self, line, details="", parent=None):
        self.errors.append((line, details, parent))


@pytest.fixture
def dialog(app, qtbot):
    jobs = Jobs()
    parent = Window()
    qtbot.addWidget(parent)
    d = Dialog(jobs, parent)
    d.model.set_rows(ROWS)
    yield d
    d.reject()
    assert jobs.wait(5_000)
    qtbot.wait(20)


def test_model_status_column_roles_and_tints(dialog):
    m = dialog.model
    assert m.rowCount() == 4 and m.columnCount() == 3
    assert [m.index(r, 0).data() for r in range(4)] == ["fine", "broken", "odd one", "fine"]
    assert m.index(1, 1).data() == "a/b" and m.index(1, 2).data() == "x/Y"
    assert m.index(2, 0).data(STATUS_ROLE) == "odd"
    assert [m.index(r, 0).data(SORT_ROLE) for r in range(4)] == [0, 1, 2, 0]
    assert m.index(3, 1).data(SORT_ROLE) == "c/b"
    assert m.index(1, 2).data(Qt.BackgroundRole).name() == tint("bad").name()
    assert m.index(0, 0).data(Qt.BackgroundRole).name() == tint("good").name()
    assert m.counts() == {"good": 2, "bad": 1, "odd": 1}
    assert m.headerData(2, Qt.Horizontal) == "Other"


def test_filter_by_text_and_status(dialog, qtbot):
    d = dialog
    assert d.count.text() == "4 of 4 rows"
    d.filter_edit.setText("A/")                 # case-insensitive, key or the other field
    assert d.shown() == ["a/w", "a/b", "c/b"]
    assert d.count.text() == "3 of 4 rows"
    d.status_boxes["good"].setChecked(False)
    assert d.shown() == ["a/b"] and d.proxy.statuses == {"bad", "odd"}
    assert d.count.text() == "1 of 4 rows"
    d.filter_edit.clear()
    assert d.shown() == ["a/b", "c/w"]
    assert d.shown(2) == ["x/Y", ""]


def test_sorting_by_status_order(dialog):
    d = dialog
    d.table.sortByColumn(0, Qt.DescendingOrder)
    assert d.shown() == ["c/w", "a/b", "a/w", "c/b"]
    d.table.sortByColumn(1, Qt.AscendingOrder)
    assert d.shown() == ["a/b", "a/w", "c/b", "c/w"]


def test_counts_on_the_boxes(dialog):
    row = dialog.filter_row
    row.set_counts(dialog.model.counts())
    assert [b.text() for b in row.boxes.values()] == ["fine (2)", "broken (1)", "odd one (1)"]
    row.set_counts(None)
    assert [b.text() for b in row.boxes.values()] == ["fine", "broken", "odd one"]
    assert all(not b.icon().isNull() for b in row.boxes.values())


def test_filter_row_extra_widgets_go_before_the_count(app, qtbot):
    proxy = StatusFilter(STATUSES, lambda r: (r.key,))
    proxy.setSourceModel(Model())
    row = FilterRow(proxy, STATUSES, "Filter", "{shown} of {total}")
    qtbot.addWidget(row)
    extra = QWidget()
    row.add(extra)
    lay = row.layout()
    assert lay.indexOf(extra) == lay.indexOf(row.count) - 1 == 1 + len(STATUSES)
    assert row.count.text() == ""               # nothing to count yet


def test_double_click_shows_the_key(dialog, qtbot):
    d = dialog
    d.filter_edit.setText("c/")
    with qtbot.waitSignal(d.key_activated) as sig:
        d.table.doubleClicked.emit(d.proxy.index(1, 2))
    assert sig.args == ["c/b"]
    d._activated(QModelIndex())                 # nowhere: nothing


def test_start_work_result_error_and_cancel(dialog, qtbot):
    d = dialog
    done = []
    w = d.start_work(lambda p: (p.report(0.5, "half"), 42)[1], done.append, text="Working…", path="/m.pb",
                     name="job", doing="cannot work", cancelled_text="Stopped")
    assert d.task.busy and d.task.label.text() == "Working…" and d.task.worker is w
    qtbot.waitUntil(lambda: done == [42], timeout=5_000)
    assert not d.task.busy and not d.task.bar.isVisible()

    def boom(p):
        raise ValueError("bad\nmore")
    with qtbot.waitSignal(d.failed, timeout=5_000) as sig:
        d.start_work(boom, done.append, text="…", path="/m.pb", name="job", doing="cannot work", cancelled_text="")
    assert sig.args == ["/m.pb: cannot work: ValueError: bad"]
    line, details, parent = d.parent().errors[-1]
    assert line == sig.args[0] and "ValueError: bad" in details and parent is d

    with qtbot.waitSignal(d.failed, timeout=5_000) as sig:
        d.start_work(lambda p: (_ for _ in ()).throw(PbscopeError("/b.npz", "truncated")), done.append, text="…",
                     path="/m.pb", name="job", doing="cannot work", cancelled_text="")
    assert sig.args == ["/b.npz: truncated"]
    assert d.parent().errors[-1][1].startswith("File: /b.npz\nCause: truncated\n\n")

    def slow(p):
        while True:
            p.report(0.1)
            time.sleep(0.005)
    w = d.start_work(slow, done.append, text="…", path="/m.pb", name="job", doing="", cancelled_text="Stopped")
    with qtbot.waitSignal(w.signals.cancelled, timeout=5_000):
        d.task.cancel_button.click()
    assert d.task.label.text() == "Stopped" and done == [42]


def test_run_in_worker_newest_run_wins(app, qtbot):
    jobs = Jobs()
    slot = Slot()
    got, ended, cancelled = [], [], []
    gate = threading.Event()

    def first(p):
        gate.wait(5)
        p.check()                                # cancelled by the second run: raises Cancelled
        return "first"
    w1 = run_in_worker(jobs, first, got.append, slot=slot, on_cancelled=lambda: cancelled.append(1),
                       on_end=lambda: ended.append(1))
    assert slot.worker is w1 and slot.busy
    w2 = run_in_worker(jobs, lambda p: "second", got.append, slot=slot, on_end=lambda: ended.append(2))
    assert w1.cancelled and slot.worker is w2
    gate.set()
    qtbot.waitUntil(lambda: not jobs.running(), timeout=5_000)
    qtbot.waitUntil(lambda: got == ["second"])
    qtbot.wait(20)
    assert got == ["second"] and ended == [2] and cancelled == []      # the first run's end is dropped
    assert slot.worker is None
    assert jobs.wait(5_000)


def test_run_in_worker_without_slot_always_delivers(app, qtbot):
    jobs = Jobs()
    errors = []
    run_in_worker(jobs, lambda p: 1 / 0, lambda r: None, lambda line, details: errors.append(line),
                  path="/out.pkl", doing="cannot export")
    qtbot.waitUntil(lambda: errors == ["/out.pkl: cannot export: ZeroDivisionError: division by zero"])
    assert jobs.wait(5_000)
