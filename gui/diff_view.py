"""Compare the open model's weights with another model or weights file.

``core.diff.diff`` runs in a worker (after opening B there); the report becomes one
row per key in a QAbstractTableModel, coloured by status, behind a proxy that
filters by text and by status. Double-clicking a row shows that weight in the main
window.
"""
from __future__ import annotations

import html
import os
from dataclasses import dataclass

from PySide6.QtCore import (
    QModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..core.diff import DiffReport, TensorDiff
from ..core.errors import PbscopeError
from ..core.model import Graph
from ..core.progress import Progress

from .details import model_name
from .fmt import number
from .widgets import (
    HUES,
    PathField,
    RowsTableModel,
    TaskStrip,
    status_boxes,
    swatch,
    tint,
)
from .workers import Jobs, SubProgress, Worker

# status → (label, hue); in the order rows are listed by default (what needs a look first)
STATUSES = {
    "differs": ("differs", "warn"),
    "mismatch": ("shape or dtype mismatch", "bad"),
    "only_a": ("only in A", "info"),
    "only_b": ("only in B", "other"),
    "unknown": ("not compared", "none"),
    "equal": ("equal", "good"),
}
STATUS, KEY, A_SHAPE, B_SHAPE, A_DTYPE, B_DTYPE, MAX_DIFF, NOTE = range(8)
HEADERS = ("Status", "Key", "A shape", "B shape", "A dtype", "B dtype", "Max abs diff", "Note")
SORT_ROLE = int(Qt.UserRole) + 1
STATUS_ROLE = int(Qt.UserRole) + 2


def _h(text) -> str:
    """HTML-escaped for a QLabel (which shows &#x27; literally, so quotes stay as they are)."""
    return html.escape(str(text), quote=False)


@dataclass
class DiffRow:
    key: str
    status: str
    a_shape: list | None = None
    b_shape: list | None = None
    a_dtype: str = ""
    b_dtype: str = ""
    max_abs_diff: float | None = None
    note: str = ""


def _status_of(d: TensorDiff) -> str:
    if d.equal is None:
        return "unknown"
    return "equal" if d.equal else "differs"


def rows_of(report: DiffReport, a: Graph | None = None, b: Graph | None = None) -> list[DiffRow]:
    """One row per key, the ones to look at first."""
    rows = [DiffRow(d.key, _status_of(d), d.a_shape, d.b_shape, d.a_dtype, d.b_dtype, d.max_abs_diff, d.note)
            for d in report.common]
    rows += [DiffRow(d.key, "mismatch", d.a_shape, d.b_shape, d.a_dtype, d.b_dtype, None, d.note)
             for d in report.mismatched]

    def side(key: str, g: Graph | None):
        w = g.find_weight(key) if g is not None else None
        return (list(w.shape) if w is not None and w.shape is not None else None,
                w.dtype_name if w is not None else "")
    for k in report.only_a:
        shape, dt = side(k, a)
        rows.append(DiffRow(k, "only_a", a_shape=shape, a_dtype=dt))
    for k in report.only_b:
        shape, dt = side(k, b)
        rows.append(DiffRow(k, "only_b", b_shape=shape, b_dtype=dt))
    order = {s: i for i, s in enumerate(STATUSES)}
    rows.sort(key=lambda r: order[r.status])     # stable: each group keeps the report's order
    return rows


def _shape(shape) -> str:
    if shape is None:
        return ""
    return "[" + ", ".join(str(d) for d in shape) + "]"


class DiffTableModel(RowsTableModel):
    HEADERS = HEADERS

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[DiffRow] = []
        self._tints: dict[str, object] = {}
        self.refresh_palette()

    def set_rows(self, rows: list[DiffRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def refresh_palette(self) -> None:
        pal = QGuiApplication.palette()
        # equal rows (usually most of them) get a faint tint: the others stand out
        self._tints = {s: tint(hue, pal, 0.09 if s == "equal" else None) for s, (_, hue) in STATUSES.items()}
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, len(HEADERS) - 1))

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        r = self.rows[index.row()]
        col = index.column()
        if role == Qt.DisplayRole:
            return (STATUSES[r.status][0], r.key, _shape(r.a_shape), _shape(r.b_shape), r.a_dtype, r.b_dtype,
                    "" if r.max_abs_diff is None else number(r.max_abs_diff), r.note)[col]
        if role == Qt.BackgroundRole:
            return self._tints.get(r.status)
        if role == Qt.TextAlignmentRole and col == MAX_DIFF:
            return int(Qt.AlignRight | Qt.AlignVCenter)
        if role == Qt.ToolTipRole:
            tip = f"{r.key}: {STATUSES[r.status][0]}"
            if r.status == "mismatch":
                tip += f"\nA {r.a_dtype} {_shape(r.a_shape)}\nB {r.b_dtype} {_shape(r.b_shape)}"
            if r.note:
                tip += f"\n{r.note}"
            return tip
        if role == SORT_ROLE:
            if col == MAX_DIFF:
                return -1.0 if r.max_abs_diff is None else float(r.max_abs_diff)
            if col == STATUS:
                return list(STATUSES).index(r.status)
            return self.data(index, Qt.DisplayRole)
        if role == STATUS_ROLE:
            return r.status
        return None


class DiffFilter(QSortFilterProxyModel):
    """Rows whose key contains the text (case-insensitive) and whose status is shown."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.text = ""
        self.statuses = set(STATUSES)
        self.setSortRole(SORT_ROLE)

    def set_text(self, text: str) -> None:
        self.beginFilterChange()
        self.text = text.lower()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_statuses(self, statuses: set[str]) -> None:
        self.beginFilterChange()
        self.statuses = set(statuses)
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, row: int, parent: QModelIndex) -> bool:
        r = self.sourceModel().rows[row]
        return r.status in self.statuses and (not self.text or self.text in r.key.lower())


def compare(graph_a: Graph, path_b: str, progress: Progress):
    """Worker side: open B, diff. Returns (report, rows)."""
    from ..core.formats import open_model
    b = open_model(path_b, SubProgress(progress, 0.0, 0.25))
    from ..core.diff import diff
    report = diff(graph_a, b, SubProgress(progress, 0.25, 1.0))
    return report, rows_of(report, graph_a, b), b.format


class DiffDialog(QDialog):
    """A = the open model; B = a model or weights file chosen here."""

    key_activated = Signal(str)        # a key of A to show in the main window
    compared = Signal(object)          # DiffReport
    failed = Signal(str)               # the one line of an error

    def __init__(self, jobs: Jobs, file_filter: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("diffDialog")
        self.setWindowTitle("Compare weights — pbscope")
        self.jobs = jobs
        self.graph_a: Graph | None = None
        self.report: DiffReport | None = None

        self.a_label = QLabel(self)
        self.a_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.b_field = PathField("a model or weights file (.pb, checkpoint, SavedModel, .pkl, .npz, …)",
                                 file_filter, "Compare with", parent=self)
        self.b_field.edit.returnPressed.connect(self.run)
        self.compare_button = QPushButton("Compare", self)
        self.compare_button.setDefault(True)
        self.compare_button.clicked.connect(self.run)
        self.b_field.layout().addWidget(self.compare_button)
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(6)
        a_tag, b_tag = QLabel("<b>A</b>", self), QLabel("<b>B</b>", self)
        grid.addWidget(a_tag, 0, 0)
        grid.addWidget(self.a_label, 0, 1)
        grid.addWidget(b_tag, 1, 0)
        grid.addWidget(self.b_field, 1, 1)
        grid.setColumnStretch(1, 1)

        self.summary = QLabel(self)
        self.summary.setObjectName("diffSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextSelectableByMouse)

        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText("Filter keys")
        self.filter_edit.setClearButtonEnabled(True)
        self.status_boxes = status_boxes(self, STATUSES, self._statuses_changed)
        filters = QHBoxLayout()
        filters.setSpacing(10)
        filters.addWidget(self.filter_edit, 1)
        for box in self.status_boxes.values():
            filters.addWidget(box)
        self.count = QLabel(self)
        self.count.setForegroundRole(QPalette.PlaceholderText)
        filters.addWidget(self.count)

        self.model = DiffTableModel(self)
        self.proxy = DiffFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView(self)
        self.table.setObjectName("diffTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        h = self.table.horizontalHeader()
        h.setSectionResizeMode(QHeaderView.Interactive)
        h.setSectionResizeMode(KEY, QHeaderView.Stretch)
        fm = self.fontMetrics()
        for col, sample in ((STATUS, "shape or dtype mismatch"), (A_SHAPE, "[3, 3, 256, 256]"),
                            (B_SHAPE, "[3, 3, 256, 256]"), (A_DTYPE, "bfloat16"), (B_DTYPE, "bfloat16"),
                            (MAX_DIFF, "Max abs diff"), (NOTE, "note about it")):
            self.table.setColumnWidth(col, fm.horizontalAdvance(sample) + 20)
        self.table.doubleClicked.connect(self._activated)
        self.filter_edit.textChanged.connect(self._text_changed)
        self.proxy.rowsInserted.connect(self._update_count)
        self.proxy.rowsRemoved.connect(self._update_count)
        self.proxy.modelReset.connect(self._update_count)
        self.proxy.layoutChanged.connect(self._update_count)

        self.task = TaskStrip(self)
        buttons = QDialogButtonBox(QDialogButtonBox.Close, self)
        buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.task, 1)
        bottom.addWidget(buttons)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(14, 12, 14, 12)
        lay.setSpacing(10)
        lay.addLayout(grid)
        lay.addWidget(self.summary)
        lay.addLayout(filters)
        lay.addWidget(self.table, 1)
        lay.addLayout(bottom)
        self.resize(1180, 640)
        self._show_summary()

    # -- running ------------------------------------------------------------------------
    def set_a(self, graph: Graph) -> None:
        if graph is not self.graph_a:
            self.graph_a = graph
            self.report = None
            self.model.set_rows([])
            self._show_summary()
        self.a_label.setText(f"<b>{_h(model_name(graph.path))}</b> "
                             f"<span style='color:{self._dim()}'>{_h(graph.format)} · "
                             f"{len(graph.weights):,} weights · {_h(graph.path)}</span>")

    def compare_with(self, path: str) -> Worker | None:
        self.b_field.set_path(path)
        return self.run()

    def run(self) -> Worker | None:
        path = self.b_field.path()
        if self.graph_a is None:
            return None
        if not path:
            self.b_field.edit.setFocus()
            self.task.label.setText("Choose B: a model or weights file to compare with")
            return None
        if self.task.worker is not None:
            self.task.worker.cancel()
        graph_a = self.graph_a
        worker = Worker(lambda p: compare(graph_a, path, p), path=path, name="diff")
        worker.signals.result.connect(lambda r, w=worker: self._done(w, r))
        worker.signals.error.connect(lambda e, tb, w=worker: self._failed(w, path, e, tb))
        worker.signals.cancelled.connect(lambda w=worker: self.task.finish(w, "Comparison cancelled"))
        self.task.start(worker, f"Comparing with {os.path.basename(path.rstrip('/')) or path}…")
        self.jobs.start(worker)
        return worker

    def _done(self, worker: Worker, result) -> None:
        if worker is not self.task.worker:
            return
        report, rows, b_format = result
        self.report = report
        self.model.set_rows(rows)
        self.task.finish(worker, f"B: {b_format} · {report.b}")
        self._show_summary()
        self.compared.emit(report)

    def _failed(self, worker: Worker, path: str, e: Exception, tb: str) -> None:
        if worker is not self.task.worker:
            return
        line = str(e) if isinstance(e, PbscopeError) else f"{path}: cannot compare: {type(e).__name__}: {e}"
        self.task.finish(worker, "")
        parent = self.parent()
        if parent is not None and hasattr(parent, "show_error"):
            parent.show_error(line, tb, self)
        self.failed.emit(line)

    def cancel(self) -> None:
        self.task.cancel()

    # -- showing -------------------------------------------------------------------------
    def _dim(self) -> str:
        return QGuiApplication.palette().color(QPalette.PlaceholderText).name()

    def _show_summary(self) -> None:
        r = self.report
        if r is None:
            self.summary.setText(f"<span style='color:{self._dim()}'>Choose B and press Compare: weights are "
                                 "matched by variable name (<code>x</code> and <code>x:0</code> are one key) "
                                 "and compared value by value.</span>")
        else:
            self.summary.setText(f"<b>{_h(r.summary)}</b>")
        counts = {s: 0 for s in STATUSES}
        for row in self.model.rows:
            counts[row.status] += 1
        for s, box in self.status_boxes.items():
            box.setText(f"{STATUSES[s][0]} ({counts[s]:,})" if self.report is not None else STATUSES[s][0])
        self._update_count()

    def _update_count(self, *args) -> None:
        total = self.model.rowCount()
        shown = self.proxy.rowCount()
        self.count.setText(f"{shown:,} of {total:,} keys" if total else "")

    def _text_changed(self, text: str) -> None:
        self.proxy.set_text(text)
        self._update_count()

    def _statuses_changed(self) -> None:
        self.proxy.set_statuses({s for s, b in self.status_boxes.items() if b.isChecked()})
        self._update_count()

    def shown_keys(self) -> list[str]:
        return [self.proxy.index(r, KEY).data() for r in range(self.proxy.rowCount())]

    def _activated(self, index: QModelIndex) -> None:
        key = self.proxy.index(index.row(), KEY).data()
        if key:
            self.key_activated.emit(key)

    def refresh_palette(self) -> None:
        self.model.refresh_palette()
        for s, box in self.status_boxes.items():
            box.setIcon(swatch(STATUSES[s][1]))
        if self.graph_a is not None:
            self.set_a(self.graph_a)
        self._show_summary()

    def changeEvent(self, event) -> None:
        from PySide6.QtCore import QEvent
        if event.type() in (QEvent.PaletteChange, QEvent.ApplicationPaletteChange):
            self.refresh_palette()
        super().changeEvent(event)

    def reject(self) -> None:
        self.cancel()
        super().reject()


__all__ = ["DiffDialog", "DiffTableModel", "DiffFilter", "DiffRow", "rows_of", "STATUSES", "HUES"]
