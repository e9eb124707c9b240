"""Compare the open model's weights with another model or weights file.

``core.diff.diff`` runs in a worker (after opening B there); the report becomes one
row per key in a status table (table_dialog.py: tinted by status, filtered by text and
status). Double-clicking a row shows that weight in the main window.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..core.diff import DiffReport, TensorDiff
from ..core.model import Graph
from ..core.progress import Progress

from .details import model_name
from .fmt import number, shape_text
from .table_dialog import (
    SORT_ROLE,
    STATUS_ROLE,
    StatusTableDialog,
    StatusTableModel,
    dim_color,
    h,
)
from .widgets import HUES, PathField
from .workers import Jobs, SubProgress, Worker

# status → (label, hue); in the order rows are listed by default (what needs a look first)
# (labels and headers translated where shown, context "DiffTableModel")
STATUSES = {
    "differs": (QT_TRANSLATE_NOOP("DiffTableModel", "differs"), "warn"),
    "mismatch": (QT_TRANSLATE_NOOP("DiffTableModel", "shape or dtype mismatch"), "bad"),
    "only_a": (QT_TRANSLATE_NOOP("DiffTableModel", "only in A"), "info"),
    "only_b": (QT_TRANSLATE_NOOP("DiffTableModel", "only in B"), "other"),
    "unknown": (QT_TRANSLATE_NOOP("DiffTableModel", "not compared"), "none"),
    "equal": (QT_TRANSLATE_NOOP("DiffTableModel", "equal"), "good"),
}
STATUS, KEY, A_SHAPE, B_SHAPE, A_DTYPE, B_DTYPE, MAX_DIFF, NOTE = range(8)
HEADERS = (QT_TRANSLATE_NOOP("DiffTableModel", "Status"), QT_TRANSLATE_NOOP("DiffTableModel", "Key"),
           QT_TRANSLATE_NOOP("DiffTableModel", "A shape"), QT_TRANSLATE_NOOP("DiffTableModel", "B shape"),
           QT_TRANSLATE_NOOP("DiffTableModel", "A dtype"), QT_TRANSLATE_NOOP("DiffTableModel", "B dtype"),
           QT_TRANSLATE_NOOP("DiffTableModel", "Max abs diff"), QT_TRANSLATE_NOOP("DiffTableModel", "Note"))


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
    """A side's shape; blank where that side has no such key."""
    return "" if shape is None else shape_text(shape)


class DiffTableModel(StatusTableModel):
    HEADERS = HEADERS
    HEADERS_CONTEXT = "DiffTableModel"
    STATUSES = STATUSES
    STATUS_COLUMN = STATUS

    def tint_amount(self, status: str) -> float | None:
        return 0.09 if status == "equal" else None     # equal rows (most of them) faint: the others stand out

    def cell(self, r: DiffRow, col: int, role):
        if role == Qt.DisplayRole:
            return (self.label(r.status), r.key, _shape(r.a_shape), _shape(r.b_shape), r.a_dtype, r.b_dtype,
                    "" if r.max_abs_diff is None else number(r.max_abs_diff), r.note)[col]
        if role == Qt.TextAlignmentRole and col == MAX_DIFF:
            return int(Qt.AlignRight | Qt.AlignVCenter)
        if role == Qt.ToolTipRole:
            tip = f"{r.key}: {self.label(r.status)}"
            if r.status == "mismatch":
                tip += f"\nA {r.a_dtype} {_shape(r.a_shape)}\nB {r.b_dtype} {_shape(r.b_shape)}"
            if r.note:
                tip += f"\n{r.note}"
            return tip
        return None

    def sort_key(self, r: DiffRow, col: int, index):
        if col == MAX_DIFF:
            return -1.0 if r.max_abs_diff is None else float(r.max_abs_diff)
        return super().sort_key(r, col, index)


def compare(graph_a: Graph, path_b: str, progress: Progress):
    """Worker side: open B, diff. Returns (report, rows)."""
    from ..core.formats import open_model
    b = open_model(path_b, SubProgress(progress, 0.0, 0.25))
    from ..core.diff import diff
    report = diff(graph_a, b, SubProgress(progress, 0.25, 1.0))
    return report, rows_of(report, graph_a, b), b.format


class DiffDialog(StatusTableDialog):
    """A = the open model; B = a model or weights file chosen here."""

    compared = Signal(object)          # DiffReport
    # key_activated(str): a key of A to show in the main window; failed(str): an error's line

    def __init__(self, jobs: Jobs, file_filter: str, parent: QWidget | None = None):
        super().__init__(jobs, parent)
        self.setObjectName("diffDialog")
        self.setWindowTitle(self.tr("Compare weights — pbscope"))
        self.graph_a: Graph | None = None
        self.report: DiffReport | None = None

        self.a_label = QLabel(self)
        self.a_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.b_field = PathField(self.tr("a model or weights file (.pb, checkpoint, SavedModel, .pkl, .npz, …)"),
                                 file_filter, self.tr("Compare with"), parent=self)
        self.b_field.edit.returnPressed.connect(self.run)
        self.compare_button = QPushButton(self.tr("Compare"), self)
        self.compare_button.setDefault(True)
        self.compare_button.clicked.connect(self.run)
        self.b_field.layout().addWidget(self.compare_button)
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(6)
        grid.addWidget(QLabel("<b>A</b>", self), 0, 0)
        grid.addWidget(self.a_label, 0, 1)
        grid.addWidget(QLabel("<b>B</b>", self), 1, 0)
        grid.addWidget(self.b_field, 1, 1)
        grid.setColumnStretch(1, 1)

        self.summary = QLabel(self)
        self.summary.setObjectName("diffSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextSelectableByMouse)

        model = DiffTableModel(self)
        self.build_table(model, lambda r: (r.key,), name="diffTable", placeholder=self.tr("Filter keys"),
                         count_format=self.tr("{shown:,} of {total:,} keys"), key_column=KEY, stretch_column=KEY,
                         widths={STATUS: model.label("mismatch"), A_SHAPE: "[3, 3, 256, 256]",
                                 B_SHAPE: "[3, 3, 256, 256]", A_DTYPE: "bfloat16", B_DTYPE: "bfloat16",
                                 MAX_DIFF: model.headerData(MAX_DIFF, Qt.Horizontal), NOTE: "note about it"},
                         sortable=True)
        self.table.setSelectionMode(self.table.SelectionMode.SingleSelection)

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
        lay.addWidget(self.filter_row)
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
        self.a_label.setText(f"<b>{h(model_name(graph.path))}</b> "
                             f"<span style='color:{dim_color()}'>{h(graph.format)} · "
                             + h(self.tr("{n} weights").format(n=f"{len(graph.weights):,}"))
                             + f" · {h(graph.path)}</span>")

    def compare_with(self, path: str) -> Worker | None:
        self.b_field.set_path(path)
        return self.run()

    def run(self) -> Worker | None:
        path = self.b_field.path()
        if self.graph_a is None:
            return None
        if not path:
            self.b_field.edit.setFocus()
            self.task.label.setText(self.tr("Choose B: a model or weights file to compare with"))
            return None
        graph_a = self.graph_a
        return self.start_work(lambda p: compare(graph_a, path, p), self._done, path=path, name="diff",
                           doing=self.tr("cannot compare"), cancelled_text=self.tr("Comparison cancelled"),
                           text=self.tr("Comparing with {name}…").format(
                               name=os.path.basename(path.rstrip('/')) or path))

    def _done(self, result) -> None:
        report, rows, b_format = result
        self.report = report
        self.model.set_rows(rows)
        self.task.label.setText(f"B: {b_format} · {report.b}")
        self._show_summary()
        self.compared.emit(report)

    # -- showing -------------------------------------------------------------------------
    def _show_summary(self) -> None:
        r = self.report
        if r is None:
            self.summary.setText(f"<span style='color:{dim_color()}'>" + self.tr(
                "Choose B and press Compare: weights are matched by variable name (<code>x</code> and "
                "<code>x:0</code> are one key) and compared value by value.") + "</span>")
        else:
            self.summary.setText(f"<b>{h(r.summary)}</b>")
        self.filter_row.set_counts(self.model.counts() if r is not None else None)

    def shown_keys(self) -> list[str]:
        return self.shown()

    def refresh_palette(self) -> None:
        super().refresh_palette()
        if self.graph_a is not None:
            self.set_a(self.graph_a)
        self._show_summary()


__all__ = ["HUES", "SORT_ROLE", "STATUSES", "STATUS_ROLE", "DiffDialog", "DiffRow", "DiffTableModel",
           "rows_of"]
