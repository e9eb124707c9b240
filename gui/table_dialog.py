"""What the table dialogs (Compare: diff_view.py, Restore: restore_dialog.py) share.

One row per name, each with a status (``{status: (label, hue)}``) that tints it; a proxy
that filters by text and by status; the filter row above the table (a text box, one check
box per status with its colour, a count); double-clicking a row shows that weight in the
main window; a TaskStrip runs the dialog's work in a worker (``start_work``), and errors
go to the window's error box as one line (``report_error``).
"""
from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from typing import ClassVar

from PySide6.QtCore import QCoreApplication, QEvent, QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QWidget,
)

from ..core.progress import Progress

from .widgets import RowsTableModel, TaskStrip, status_boxes, swatch, tint
from .workers import Jobs, Worker, run_in_worker

STATUS_ROLE = int(Qt.UserRole) + 1      # a row's status (a key of STATUSES)
SORT_ROLE = int(Qt.UserRole) + 2        # what a column sorts by


def h(text) -> str:
    """HTML-escaped for a QLabel (which shows &#x27; literally, so quotes stay as they are)."""
    return html.escape(str(text), quote=False)


def dim_color() -> str:
    """The palette's placeholder colour, for secondary text in rich-text labels."""
    return QGuiApplication.palette().color(QPalette.PlaceholderText).name()


class StatusTableModel(RowsTableModel):
    """Rows (objects with a ``status``) under ``HEADERS``; each row tinted by its status's
    hue, ``STATUS_COLUMN`` showing its label. Subclasses give ``STATUSES`` and ``cell``; the
    labels, like ``HEADERS``, are marked QT_TRANSLATE_NOOP(HEADERS_CONTEXT, …) and translated
    as shown (``label``)."""

    STATUSES: ClassVar[dict[str, tuple[str, str]]] = {}     # status → (label, hue), in their order
    STATUS_COLUMN = 0

    def __init__(self, parent=None):
        super().__init__(parent)
        self._tints: dict[str, object] = {}
        self.refresh_palette()

    def set_rows(self, rows) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def tint_amount(self, status: str) -> float | None:
        """How much of the hue a row gets (None: widgets.tint's default)."""
        return None

    def refresh_palette(self) -> None:
        pal = QGuiApplication.palette()
        self._tints = {s: tint(hue, pal, self.tint_amount(s)) for s, (_, hue) in self.STATUSES.items()}
        self.all_changed()

    def all_changed(self) -> None:
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, len(self.HEADERS) - 1))

    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in self.STATUSES}
        for r in self.rows:
            out[r.status] = out.get(r.status, 0) + 1
        return out

    def background(self, row):
        return self._tints.get(row.status)

    def label(self, status: str) -> str:
        """A status's label in the UI's language."""
        return QCoreApplication.translate(self.HEADERS_CONTEXT, self.STATUSES[status][0])

    def cell(self, row, column: int, role):
        """Every other role of a cell (DisplayRole, ToolTipRole…); None if none."""

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        r, col, role = self.rows[index.row()], index.column(), int(role)
        if role == int(Qt.DisplayRole) and col == self.STATUS_COLUMN:
            return self.label(r.status)
        if role == int(Qt.BackgroundRole):
            return self.background(r)
        if role == STATUS_ROLE:
            return r.status
        if role == SORT_ROLE:
            if col == self.STATUS_COLUMN:
                return list(self.STATUSES).index(r.status)
            return self.sort_key(r, col, index)
        return self.cell(r, col, Qt.ItemDataRole(role))

    def sort_key(self, row, column: int, index):
        """What ``column`` sorts by (its text unless a subclass says otherwise)."""
        return self.data(index, Qt.DisplayRole) or ""


class StatusFilter(QSortFilterProxyModel):
    """Rows whose status is ticked and one of whose ``fields(row)`` contains the text
    (case-insensitive); sorts by SORT_ROLE."""

    def __init__(self, statuses: Iterable[str], fields: Callable[[object], Iterable[str | None]], parent=None):
        super().__init__(parent)
        self.text = ""
        self.statuses = set(statuses)
        self.fields = fields
        self.setSortRole(SORT_ROLE)

    def set_text(self, text: str) -> None:
        self.beginFilterChange()
        self.text = text.lower()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_statuses(self, statuses) -> None:
        self.beginFilterChange()
        self.statuses = set(statuses)
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, row: int, parent: QModelIndex) -> bool:
        r = self.sourceModel().rows[row]
        if r.status not in self.statuses:
            return False
        t = self.text
        return not t or any(f is not None and t in f.lower() for f in self.fields(r))


class FilterRow(QWidget):
    """The line above a status table: a filter box, a check box per status (its swatch the
    rows' colour), any extra widgets (``add``), and "N of M …" at the end."""

    def __init__(self, proxy: StatusFilter, statuses: dict, placeholder: str, count_format: str,
                 parent: QWidget | None = None, context: str = "RowsTableModel"):
        super().__init__(parent)
        self.proxy = proxy
        self.statuses = statuses
        self.context = context                # the labels' translation context
        self.count_format = count_format      # "{shown:,} of {total:,} keys"
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText(placeholder)
        self.edit.setClearButtonEnabled(True)
        self.edit.textChanged.connect(self._text_changed)
        self.boxes = status_boxes(self, statuses, self._statuses_changed, context)
        self.count = QLabel(self)
        self.count.setForegroundRole(QPalette.PlaceholderText)
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.setSpacing(10)
        self.row.addWidget(self.edit, 1)
        for box in self.boxes.values():
            self.row.addWidget(box)
        self.row.addWidget(self.count)
        for signal in (proxy.rowsInserted, proxy.rowsRemoved, proxy.modelReset, proxy.layoutChanged):
            signal.connect(self.update_count)

    def add(self, widget: QWidget) -> None:
        """After the status boxes, before the count."""
        self.row.insertWidget(self.row.indexOf(self.count), widget)

    def _text_changed(self, text: str) -> None:
        self.proxy.set_text(text)
        self.update_count()

    def _statuses_changed(self) -> None:
        self.proxy.set_statuses({s for s, b in self.boxes.items() if b.isChecked()})
        self.update_count()

    def update_count(self, *args) -> None:
        model = self.proxy.sourceModel()
        total = model.rowCount() if model is not None else 0
        self.count.setText(self.count_format.format(shown=self.proxy.rowCount(), total=total) if total else "")

    def set_counts(self, counts: dict[str, int] | None) -> None:
        """Each box's label, with its row count when there are rows to count."""
        for s, box in self.boxes.items():
            label = QCoreApplication.translate(self.context, self.statuses[s][0])
            box.setText(f"{label} ({counts.get(s, 0):,})" if counts is not None else label)
        self.update_count()

    def refresh_palette(self) -> None:
        for s, box in self.boxes.items():
            box.setIcon(swatch(self.statuses[s][1]))


class StatusTableDialog(QDialog):
    """A dialog around one status table; see the module doc. Subclasses call ``build_table``
    and lay out ``filter_row``, ``table`` and ``task``."""

    key_activated = Signal(str)        # a weight's key, to show in the main window
    failed = Signal(str)               # the one line of an error

    def __init__(self, jobs: Jobs, parent: QWidget | None = None):
        super().__init__(parent)
        self.jobs = jobs
        self.task = TaskStrip(self)

    def build_table(self, model: StatusTableModel, fields, *, name: str, placeholder: str, count_format: str,
                    key_column: int, stretch_column: int, widths: dict[int, str], sortable: bool = False) -> None:
        """The model, its StatusFilter, the FilterRow and the QTableView (named ``name``);
        ``widths``: a sample text per column, the others fitted to it."""
        self.model = model
        self.key_column = key_column
        self.proxy = StatusFilter(model.STATUSES, fields, self)
        self.proxy.setSourceModel(model)
        self.filter_row = FilterRow(self.proxy, model.STATUSES, placeholder, count_format, self,
                                    context=model.HEADERS_CONTEXT)
        self.filter_edit, self.status_boxes, self.count = self.filter_row.edit, self.filter_row.boxes, \
            self.filter_row.count
        t = self.table = QTableView(self)
        t.setObjectName(name)
        t.setModel(self.proxy)
        if sortable:
            t.setSortingEnabled(True)
            t.sortByColumn(-1, Qt.AscendingOrder)
        t.setSelectionBehavior(QAbstractItemView.SelectRows)
        t.setWordWrap(False)
        t.verticalHeader().hide()
        t.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        hh = t.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.Interactive)
        hh.setSectionResizeMode(stretch_column, QHeaderView.Stretch)
        hh.setStretchLastSection(False)
        fm = self.fontMetrics()
        for col, sample in widths.items():
            t.setColumnWidth(col, fm.horizontalAdvance(sample) + 20)
        t.doubleClicked.connect(self._activated)

    # -- rows ---------------------------------------------------------------------------
    def shown(self, column: int | None = None) -> list:
        """The text of ``column`` (the key column) in every row the filter shows, in order."""
        col = self.key_column if column is None else column
        return [self.proxy.index(r, col).data() for r in range(self.proxy.rowCount())]

    def activated_key(self, row, column: int) -> str | None:
        """The weight a double-click on ``row`` shows (None: nothing)."""
        return getattr(row, "key", None)

    def _activated(self, index: QModelIndex) -> None:
        source = self.proxy.mapToSource(index)
        if not source.isValid():
            return
        key = self.activated_key(self.model.rows[source.row()], source.column())
        if key:
            self.key_activated.emit(key)

    # -- work ---------------------------------------------------------------------------
    def start_work(self, fn: Callable[[Progress], object], on_done, *, text: str, path: str, name: str, doing: str,
            cancelled_text: str, tf: bool = False, on_end=None) -> Worker:
        """``fn`` in a worker behind the TaskStrip (a new run cancels the one before);
        errors as one line in the window's error box."""
        return run_in_worker(self.jobs, fn, on_done, self.report_error, progress=self.task, slot=self.task,
                             text=text, cancelled_text=cancelled_text, on_end=on_end, path=path, name=name,
                             doing=doing, tf=tf)

    def report_error(self, line: str, details: str = "") -> None:
        parent = self.parent()
        if parent is not None and hasattr(parent, "show_error"):
            parent.show_error(line, details, self)
        self.failed.emit(line)

    def cancel(self) -> None:
        self.task.cancel()

    # -- look ---------------------------------------------------------------------------
    def refresh_palette(self) -> None:
        self.model.refresh_palette()
        self.filter_row.refresh_palette()

    def changeEvent(self, event) -> None:
        if event.type() in (QEvent.PaletteChange, QEvent.ApplicationPaletteChange):
            self.refresh_palette()
        super().changeEvent(event)

    def reject(self) -> None:
        self.cancel()
        super().reject()
