"""Restore weights into a model the user chooses: source, target, options, the plan, apply.

``core.restore.plan_restore`` and ``apply_restore`` import TensorFlow, so both run
in workers (module attributes looked up at call time: tests swap in fakes). The
plan is shown one row per target variable in a status table (table_dialog.py); matched
rows carry a tick box, and unticked ones are passed to ``apply_restore`` as ``skip``. A
filter and "Tick shown"/"Untick shown" (or a row's context menu) untick whole scopes.
Double-clicking a row whose source is the open model shows that weight in the window.
"""
from __future__ import annotations

import os

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..core.model import Graph, Weight
from ..core.progress import Progress

from .details import model_name
from .fmt import shape_text
from .table_dialog import StatusTableDialog, StatusTableModel, dim_color, h
from .widgets import PathField, confirm_replace, tint
from .workers import Jobs, SubProgress, Worker

STATUSES = {               # status → (label, hue); labels and headers translated where shown
    "matched": (QT_TRANSLATE_NOOP("PlanTableModel", "matched"), "good"),
    "mismatch": (QT_TRANSLATE_NOOP("PlanTableModel", "mismatch"), "bad"),
    "missing": (QT_TRANSLATE_NOOP("PlanTableModel", "missing"), "warn"),
    "skipped": (QT_TRANSLATE_NOOP("PlanTableModel", "skipped"), "other"),
}
USE, TARGET, STATUS, SHAPE, DTYPE, TRAINABLE, SOURCE, SOURCE_SHAPE, NOTE = range(9)
HEADERS = (QT_TRANSLATE_NOOP("PlanTableModel", "Use"), QT_TRANSLATE_NOOP("PlanTableModel", "Target variable"),
           QT_TRANSLATE_NOOP("PlanTableModel", "Status"), QT_TRANSLATE_NOOP("PlanTableModel", "Shape"),
           QT_TRANSLATE_NOOP("PlanTableModel", "DType"), QT_TRANSLATE_NOOP("PlanTableModel", "Train"),
           QT_TRANSLATE_NOOP("PlanTableModel", "Source key"), QT_TRANSLATE_NOOP("PlanTableModel", "Source shape"),
           QT_TRANSLATE_NOOP("PlanTableModel", "Note"))
TARGET_HINT = QT_TRANSLATE_NOOP(
    "RestoreDialog", "A TF1 checkpoint (a prefix, its .meta/.index, or a folder), a Keras .keras/.h5 file, a "
    "SavedModel folder, or a Python file that builds the model (then name its function).")
TARGET_FILTER = QT_TRANSLATE_NOOP(
    "RestoreDialog", "Models to restore into (*.meta *.index *.keras *.h5 *.py checkpoint);;TF1 checkpoints "
    "(*.meta *.index checkpoint);;Keras models (*.keras *.h5);;Python builders (*.py);;All files (*)")


# -- the plan table ---------------------------------------------------------------------------

class PlanTableModel(StatusTableModel):
    """One row per target variable (``plan.rows``); matched rows have a tick box (column USE)."""

    HEADERS = HEADERS
    HEADERS_CONTEXT = "PlanTableModel"
    STATUSES = STATUSES
    STATUS_COLUMN = STATUS

    ticks_changed = Signal()

    def __init__(self, parent=None):
        self.skip: set[str] = set()
        super().__init__(parent)

    def set_rows(self, rows) -> None:
        self.skip = set()
        super().set_rows(rows)
        self.ticks_changed.emit()

    def applied(self) -> list:
        """Matched rows still ticked: what Apply writes."""
        return [r for r in self.rows if r.status == "matched" and r.target not in self.skip]

    def set_ticked(self, targets, ticked: bool) -> int:
        changed = 0
        for r in self.rows:
            if r.target in targets and r.status == "matched" and (r.target in self.skip) == ticked:
                (self.skip.discard if ticked else self.skip.add)(r.target)
                changed += 1
        if changed:
            self.all_changed()
            self.ticks_changed.emit()
        return changed

    def flags(self, index):
        if not index.isValid():
            return Qt.NoItemFlags
        f = Qt.ItemIsEnabled | Qt.ItemIsSelectable
        if index.column() == USE and self.rows[index.row()].status == "matched":
            f |= Qt.ItemIsUserCheckable
        return f

    def background(self, r):
        if r.status == "matched" and r.target in self.skip:
            return None                      # unticked: the target keeps its own value
        return super().background(r)

    def cell(self, r, col: int, role):
        if role == Qt.DisplayRole:
            if col == TARGET:
                return r.target
            if col == SHAPE:
                return shape_text(r.shape)
            if col == DTYPE:
                return r.dtype
            if col == TRAINABLE:
                return (QCoreApplication.translate("PlanTableModel", "yes") if r.trainable
                        else QCoreApplication.translate("PlanTableModel", "no"))
            if col == SOURCE:
                return r.source or ""
            if col == SOURCE_SHAPE:
                return shape_text(r.source_shape) if r.source else ""
            if col == NOTE:
                return r.why or ("" if r.status != "missing" else
                                 QCoreApplication.translate("PlanTableModel", "no source key has this name"))
            return None
        if role == Qt.CheckStateRole and col == USE and r.status == "matched":
            return Qt.Unchecked if r.target in self.skip else Qt.Checked
        if role == Qt.ForegroundRole and r.status == "matched" and r.target in self.skip:
            return QGuiApplication.palette().color(QPalette.PlaceholderText)
        if role == Qt.ToolTipRole:
            tip = f"{r.target}: {self.label(r.status)}"
            if r.source:
                tip += "\n" + QCoreApplication.translate("PlanTableModel", "from {source} {shape}").format(
                    source=r.source, shape=shape_text(r.source_shape))
            if r.why:
                tip += f"\n{r.why}"
            if r.status == "matched":
                tip += "\n" + (QCoreApplication.translate("PlanTableModel", "unticked: keeps the target's own value")
                               if r.target in self.skip else
                               QCoreApplication.translate("PlanTableModel", "untick to keep the target's own value"))
            return tip
        return None

    def setData(self, index, value, role=Qt.EditRole) -> bool:
        if not index.isValid() or int(role) != int(Qt.CheckStateRole) or index.column() != USE:
            return False
        r = self.rows[index.row()]
        if r.status != "matched":
            return False
        want = Qt.CheckState(value) if not isinstance(value, Qt.CheckState) else value
        return self.set_ticked({r.target}, want == Qt.Checked) > 0


def _plan_fields(r):
    return (r.target, r.source)


# -- the dialog -------------------------------------------------------------------------------

def make_plan(source: Graph | None, source_path: str, target: str, maps, excludes, except_last: bool,
              weights: list[Weight] | None, progress: Progress):
    """Worker side: open the source file if one was given, then plan."""
    from ..core import restore
    if source is None:
        from ..core.formats import open_model
        source = open_model(source_path, SubProgress(progress, 0.0, 0.2))
        progress = SubProgress(progress, 0.2, 1.0)
    return restore.plan_restore(source, target, maps=maps, excludes=excludes, except_last=except_last,
                                weights=weights, progress=progress)


def apply_plan(plan, out: str, force: bool, skip: set[str], progress: Progress):
    from ..core import restore
    return restore.apply_restore(plan, out, force=force, skip=skip, progress=progress)


class RestoreDialog(StatusTableDialog):
    planned = Signal(object)           # RestorePlan
    applied = Signal(object)           # RestoreResult
    open_requested = Signal(str)       # a written model to open in the main window
    # key_activated(str): a source weight of the open model to show; failed(str): an error's line

    def __init__(self, jobs: Jobs, file_filter: str, parent: QWidget | None = None):
        super().__init__(jobs, parent)
        self.setObjectName("restoreDialog")
        self.setWindowTitle(self.tr("Restore weights into a model — pbscope"))
        self.graph: Graph | None = None
        self.selection = None              # the window's Selection: "its ticked weights"
        self.plan = None
        self.result = None
        self.last_output: str | None = None
        self._plan_key: tuple | None = None

        # source
        self.src_model = QRadioButton(self)
        self.src_ticked = QRadioButton(self)
        self.src_file = QRadioButton(self.tr("A file:"), self)
        self.src_group = QButtonGroup(self)
        for i, b in enumerate((self.src_model, self.src_ticked, self.src_file)):
            self.src_group.addButton(b, i)
        self.src_path = PathField(self.tr("weights file (.pkl, .npz, .safetensors, npy folder) or any model"),
                                  file_filter, self.tr("Restore from"), parent=self)
        self.src_path.changed.connect(lambda _t: self.src_file.setChecked(True) if _t else None)
        src_box = QGroupBox(self.tr("Source: the weights to restore"), self)
        g = QGridLayout(src_box)
        g.setVerticalSpacing(6)
        g.addWidget(self.src_model, 0, 0, 1, 2)
        g.addWidget(self.src_ticked, 1, 0, 1, 2)
        g.addWidget(self.src_file, 2, 0)
        g.addWidget(self.src_path, 2, 1)
        g.setColumnStretch(1, 1)

        # target
        self.target = PathField(self.tr("model to restore into"),
                                QCoreApplication.translate("RestoreDialog", TARGET_FILTER),
                                self.tr("Restore into"), parent=self)
        self.target.changed.connect(self._target_changed)
        self.function = QLineEdit(self)
        self.function.setPlaceholderText(self.tr("function that defines the model, e.g. define"))
        self.function_label = QLabel(self.tr("Builder function:"), self)
        target_hint = QLabel(QCoreApplication.translate("RestoreDialog", TARGET_HINT), self)
        target_hint.setWordWrap(True)
        target_hint.setForegroundRole(QPalette.PlaceholderText)
        tgt_box = QGroupBox(self.tr("Target: the model to restore into"), self)
        g = QGridLayout(tgt_box)
        g.setVerticalSpacing(6)
        g.addWidget(QLabel(self.tr("Model:"), self), 0, 0)
        g.addWidget(self.target, 0, 1)
        g.addWidget(self.function_label, 1, 0)
        g.addWidget(self.function, 1, 1)
        g.addWidget(target_hint, 2, 0, 1, 2)
        g.setColumnStretch(1, 1)

        # options
        self.maps = QTableWidget(0, 2, self)
        self.maps.setObjectName("mapTable")
        self.maps.setHorizontalHeaderLabels([self.tr("Source name or regex (OLD)"), self.tr("Renamed to (NEW)")])
        self.maps.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.maps.verticalHeader().hide()
        self.maps.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.maps.setMinimumHeight(self.fontMetrics().height() * 5)
        add_map = QToolButton(self)
        add_map.setText("+")
        add_map.setToolTip(self.tr("Add a rename: a scope prefix (OLD → NEW), or a regular expression"))
        add_map.clicked.connect(lambda: self.add_map("", ""))
        del_map = QToolButton(self)
        del_map.setText("−")
        del_map.setToolTip(self.tr("Remove the selected rename"))
        del_map.clicked.connect(self._remove_map)
        map_buttons = QVBoxLayout()
        map_buttons.addWidget(add_map)
        map_buttons.addWidget(del_map)
        map_buttons.addStretch(1)
        map_row = QHBoxLayout()
        map_row.addWidget(self.maps, 1)
        map_row.addLayout(map_buttons)
        self.excludes = QLineEdit(self)
        self.excludes.setPlaceholderText(self.tr("target scopes to skip, comma-separated (globs allowed)"))
        self.except_last = QCheckBox(self.tr("Except the last layer"), self)
        self.except_last.setToolTip(self.tr("Skip the target's final layer (e.g. to train a new classifier)"))
        self.strict = QCheckBox(self.tr("Strict"), self)
        self.strict.setToolTip(self.tr("Refuse to apply unless every trainable target variable is matched"))
        self.strict.toggled.connect(lambda _on: self._show_plan())
        self.plan_button = QPushButton(self.tr("Plan"), self)
        self.plan_button.setObjectName("planButton")
        self.plan_button.setDefault(True)
        self.plan_button.setToolTip(self.tr("Match the source's weights to the target's variables (nothing is "
                                            "written)"))
        self.plan_button.clicked.connect(self.make_plan)
        opt_box = QGroupBox(self.tr("Options"), self)
        g = QGridLayout(opt_box)
        g.setVerticalSpacing(6)
        rename = QLabel(self.tr("Rename:"), self)
        rename.setToolTip(self.tr("Rename source names before matching: a scope prefix (OLD → NEW), or a regular "
                                  "expression for re.sub when OLD has ()[]{}?*+|^$\\"))
        g.addWidget(rename, 0, 0, Qt.AlignTop | Qt.AlignLeft)
        g.addLayout(map_row, 0, 1, 1, 4)
        g.setRowStretch(0, 1)
        g.addWidget(QLabel(self.tr("Exclude:"), self), 1, 0)
        g.addWidget(self.excludes, 1, 1, 1, 4)
        g.addWidget(self.except_last, 2, 1)
        g.addWidget(self.strict, 2, 2)
        g.setColumnStretch(3, 1)
        g.addWidget(self.plan_button, 2, 4)

        top = QHBoxLayout()
        top.setSpacing(10)
        left = QVBoxLayout()
        left.addWidget(src_box)
        left.addWidget(tgt_box)
        left.addStretch(1)
        top.addLayout(left, 3)
        top.addWidget(opt_box, 2)

        # plan
        self.plan_summary = QLabel(self)
        self.plan_summary.setObjectName("planSummary")
        self.plan_summary.setWordWrap(True)
        self.plan_summary.setTextInteractionFlags(Qt.TextSelectableByMouse)
        model = PlanTableModel(self)
        self.build_table(model, _plan_fields, name="planTable",
                         placeholder=self.tr("Filter variables (a scope, a name…)"),
                         count_format=self.tr("{shown:,} of {total:,} variables"), key_column=TARGET,
                         stretch_column=TARGET,
                         widths={USE: model.headerData(USE, Qt.Horizontal), STATUS: model.label("mismatch"),
                                 SHAPE: "[3, 3, 256, 256]", DTYPE: "float32",
                                 TRAINABLE: model.headerData(TRAINABLE, Qt.Horizontal),
                                 SOURCE: "Conv2d_1_depthwise/BatchNorm/beta:0",
                                 SOURCE_SHAPE: "[3, 3, 256, 256]", NOTE: "--exclude MobileNetV1/Conv2d"})
        self.model.ticks_changed.connect(self._update_apply)
        self.table.setTextElideMode(Qt.ElideLeft)     # long names keep their layer and leaf
        self.table.setContextMenuPolicy(Qt.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._table_menu)
        self.tick_shown = QPushButton(self.tr("Tick shown"), self)
        self.tick_shown.setToolTip(self.tr("Tick every matched variable the filter shows"))
        self.tick_shown.clicked.connect(lambda: self._tick_shown(True))
        self.untick_shown = QPushButton(self.tr("Untick shown"), self)
        self.untick_shown.setToolTip(self.tr("Untick every matched variable the filter shows: they keep the "
                                             "target's values"))
        self.untick_shown.clicked.connect(lambda: self._tick_shown(False))
        self.filter_row.add(self.tick_shown)
        self.filter_row.add(self.untick_shown)
        self.unused = QLabel(self)
        self.unused.setObjectName("unusedKeys")
        self.unused.setWordWrap(True)
        self.unused.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.unused.setForegroundRole(QPalette.PlaceholderText)
        self.unused.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)

        plan_page = QWidget(self)
        pv = QVBoxLayout(plan_page)
        pv.setContentsMargins(0, 0, 0, 0)
        pv.setSpacing(8)
        pv.addWidget(self.plan_summary)
        pv.addWidget(self.filter_row)
        pv.addWidget(self.table, 1)
        pv.addWidget(self.unused)

        self.apply_button = QPushButton(self.tr("Apply…"), self)
        self.apply_button.setObjectName("applyButton")
        self.apply_button.clicked.connect(self.apply)
        close = QPushButton(self.tr("Close"), self)
        close.clicked.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.task, 1)
        bottom.addWidget(self.apply_button)
        bottom.addWidget(close)

        setup = QWidget(self)
        setup.setLayout(top)
        top.setContentsMargins(0, 0, 0, 0)
        self.splitter = QSplitter(Qt.Vertical, self)
        self.splitter.addWidget(setup)
        self.splitter.addWidget(plan_page)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(1, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(14, 12, 14, 12)
        lay.setSpacing(10)
        lay.addWidget(self.splitter, 1)
        lay.addLayout(bottom)
        self.resize(1320, 860)
        self._target_changed("")
        self._show_plan()

    # -- inputs -----------------------------------------------------------------------------
    def set_source(self, graph: Graph | None, selection=None) -> None:
        """The open model and its ticked weights (the first two source choices).
        ``selection`` is the window's Selection, read when a plan is made."""
        self.graph = graph
        self.selection = selection
        self.refresh_source()

    def refresh_source(self) -> None:
        graph = self.graph
        has = graph is not None
        n_all = len(graph.weights) if has else 0
        n_ticked = len(self.selection) if has and self.selection is not None else 0
        self.src_model.setText(self.tr("The open model, all its weights ({n}): {name}").format(
            n=f"{n_all:,}", name=model_name(graph.path)) if has else self.tr("The open model (none is open)"))
        self.src_ticked.setText(self.tr("Its ticked weights ({n})").format(n=f"{n_ticked:,}") if has
                                else self.tr("Its ticked weights"))
        self.src_model.setEnabled(has)
        self.src_ticked.setEnabled(has and n_ticked > 0)
        if self.src_ticked.isChecked() and not self.src_ticked.isEnabled() and has:
            self.src_model.setChecked(True)
        if not has:
            self.src_file.setChecked(True)
        elif self.src_group.checkedButton() is None or not self.src_group.checkedButton().isEnabled():
            self.src_model.setChecked(True)

    def set_target(self, path: str, function: str = "") -> None:
        head, sep, func = path.rpartition(":")
        if sep and head.lower().endswith(".py") and not function:
            path, function = head, func
        self.target.set_path(path)
        self.function.setText(function)

    def add_map(self, old: str, new: str) -> None:
        r = self.maps.rowCount()
        self.maps.insertRow(r)
        self.maps.setItem(r, 0, QTableWidgetItem(old))
        self.maps.setItem(r, 1, QTableWidgetItem(new))
        if not old:
            self.maps.setCurrentCell(r, 0)
            self.maps.editItem(self.maps.item(r, 0))

    def _remove_map(self) -> None:
        rows = sorted({i.row() for i in self.maps.selectedIndexes()} or
                      ({self.maps.currentRow()} if self.maps.currentRow() >= 0 else set()), reverse=True)
        for r in rows:
            self.maps.removeRow(r)

    def map_pairs(self) -> list[tuple[str, str]]:
        out = []
        for r in range(self.maps.rowCount()):
            old = (self.maps.item(r, 0).text() if self.maps.item(r, 0) else "").strip()
            new = (self.maps.item(r, 1).text() if self.maps.item(r, 1) else "").strip()
            if old:
                out.append((old, new))
        return out

    def exclude_list(self) -> list[str]:
        return [s.strip() for s in self.excludes.text().replace(";", ",").split(",") if s.strip()]

    # core.restore's naming rules, imported when used: the window starts without core.restore
    def target_text(self) -> str:
        from ..core.restore.detect import builder_target
        return builder_target(self.target.path(), self.function.text())

    def _target_changed(self, path: str) -> None:
        from ..core.restore.detect import is_builder, split_builder
        builder = is_builder(path)
        parts = split_builder(path)
        if parts is not None:                       # "file.py:fn" typed in one go: split it
            self.target.edit.blockSignals(True)
            self.target.set_path(parts[0])
            self.target.edit.blockSignals(False)
            self.function.setText(parts[1])
        self.function.setEnabled(builder)
        self.function_label.setEnabled(builder)

    # -- planning -----------------------------------------------------------------------------
    def make_plan(self) -> Worker | None:
        target = self.target_text()
        if not self.target.path():
            self.task.label.setText(self.tr("Choose the model to restore into"))
            self.target.edit.setFocus()
            return None
        from ..core.restore.detect import is_builder
        if is_builder(self.target.path()) and not self.function.text().strip():
            self.task.label.setText(self.tr("Name the builder's function (the one that defines the model)"))
            self.function.setFocus()
            return None
        source, source_path, weights = self.graph, "", None
        if self.src_file.isChecked():
            source_path = self.src_path.path()
            if not source_path:
                self.task.label.setText(self.tr("Choose the source file, or restore from the open model"))
                self.src_path.edit.setFocus()
                return None
            source = None
        elif self.src_ticked.isChecked():
            weights = self.selection.weights() if self.selection is not None else []
        if source is None and not source_path:
            return None
        maps, excludes, except_last = self.map_pairs(), self.exclude_list(), self.except_last.isChecked()
        worker = self.start_work(
            lambda p: make_plan(source, source_path, target, maps, excludes, except_last, weights, p),
            self._planned, path=target, name="plan", doing=self.tr("cannot plan the restore"), tf=True,
            cancelled_text=self.tr("Planning cancelled"), on_end=self._idle,
            text=self.tr("Planning: reading {name} (TensorFlow loads the first time)…").format(
                name=os.path.basename(self.target.path().rstrip('/'))))
        self.plan_button.setEnabled(False)
        self.apply_button.setEnabled(False)
        return worker

    def _idle(self) -> None:
        """A plan or a restore ended (done, failed or cancelled): Plan and Apply work again."""
        self.plan_button.setEnabled(True)
        self._update_apply()

    def _planned(self, plan) -> None:
        self.task.label.setText(self.tr("Planned in {seconds} s: nothing written yet. Untick what should keep "
                                        "the target's values, then Apply.").format(
                                            seconds=f"{getattr(plan, 'seconds', 0.0):.2f}"))
        self.plan = plan
        self.result = None
        self.model.set_rows(plan.rows)
        self._show_plan()
        self.planned.emit(plan)

    # -- showing the plan -------------------------------------------------------------------------
    def _show_plan(self) -> None:
        plan = self.plan
        if plan is None:
            self.plan_summary.setText(f"<span style='color:{dim_color()}'>" + self.tr(
                "Press <b>Plan</b> to see, for every variable of the target, which source weight it gets (matched "
                "by name: <code>scope/w</code>, <code>scope/w:0</code> and <code>scope/w/read</code> are one "
                "name). Nothing is written until Apply.") + "</span>")
            self.unused.setText("")
            self.filter_row.set_counts(None)
        else:
            kind = {"checkpoint": self.tr("TF1 checkpoint"), "builder": self.tr("TF1 builder"),
                    "keras": self.tr("Keras model")}.get(plan.kind, plan.kind)
            lines = [f"<b>{h(plan.summary())}</b>",
                     f"<span style='color:{dim_color()}'>{h(model_name(plan.source))} → {kind} "
                     f"{h(plan.target)}</span>"]
            for note in plan.notes:
                note = h(self.tr("note: {note}").format(note=note))
                lines.append(f"<span style='color:{dim_color()}'>{note}</span>")
            if self.strict.isChecked() and not plan.strict_ok:
                strict = self.tr("strict: {failure}").format(failure=plan.strict_failure())
                lines.append(f"<b style='color:{tint('bad', amount=0.9).name()}'>{h(strict)}</b>")
            self.plan_summary.setText("<br>".join(lines))
            self.filter_row.set_counts(plan.counts)
            if plan.unused:
                more = self.tr(", … ({n} more)").format(n=f"{len(plan.unused) - 12:,}")
                shown = ", ".join(plan.unused[:12]) + (more if len(plan.unused) > 12 else "")
                self.unused.setText(h(self.tr("Unused source keys ({n}, no target variable has their name; rename "
                                              "with a map): {keys}").format(n=f"{len(plan.unused):,}", keys=shown)))
                self.unused.setToolTip("\n".join(plan.unused[:200]))
            else:
                self.unused.setText(self.tr("Every source key names a target variable.") if plan.rows else "")
                self.unused.setToolTip("")
        self._update_apply()

    def _update_apply(self) -> None:
        plan = self.plan
        busy = self.task.busy
        if plan is None:
            ok, tip = False, self.tr("Make a plan first")
        elif self.strict.isChecked() and not plan.strict_ok:
            ok, tip = False, self.tr("Strict: {failure}").format(failure=plan.strict_failure())
        elif not self.model.applied():
            ok, tip = False, self.tr("Nothing to apply: no matched variable is ticked")
        else:
            n = len(self.model.applied())
            ok, tip = True, self.tr("Write a new model with the {n} ticked matched variables set from the "
                                    "source").format(n=f"{n:,}")
        self.apply_button.setEnabled(ok and not busy)
        self.apply_button.setToolTip(tip)
        if plan is not None:
            n, m = len(self.model.applied()), len(plan.by_status("matched"))
            self.apply_button.setText(self.tr("Apply {n} of {m}…").format(n=f"{n:,}", m=f"{m:,}") if n != m
                                      else self.tr("Apply…"))

    def shown_targets(self) -> list[str]:
        return self.shown()

    def activated_key(self, row, column: int) -> str | None:
        """A double-click shows the source weight, when the source is the open model."""
        if column == USE or not row.source or self.plan is None or self.graph is None:
            return None
        return row.source if self.plan.source == self.graph.path else None

    def _tick_shown(self, ticked: bool) -> int:
        return self.model.set_ticked(set(self.shown_targets()), ticked)

    def _table_menu(self, pos) -> None:
        idx = self.table.indexAt(pos)
        if not idx.isValid():
            return
        name = self.proxy.index(idx.row(), TARGET).data()
        parts = name.split("/")
        m = QMenu(self)
        for depth in range(len(parts) - 1, 0, -1):
            scope = "/".join(parts[:depth])
            under = {r.target for r in self.model.rows if r.target.startswith(scope + "/")}
            m.addAction(self.tr("Untick all under {scope}/").format(scope=scope),
                        lambda u=under: self.model.set_ticked(u, False))
            m.addAction(self.tr("Tick all under {scope}/").format(scope=scope),
                        lambda u=under: self.model.set_ticked(u, True))
            if depth <= len(parts) - 3:
                break
        m.exec(self.table.viewport().mapToGlobal(pos))

    # -- applying ----------------------------------------------------------------------------
    def default_output(self) -> str:
        plan = self.plan
        target = self.target.path().rstrip("/\\")
        base = os.path.splitext(os.path.basename(target))[0] or "model"
        if base in ("checkpoint", "model.ckpt"):
            base = os.path.basename(os.path.dirname(os.path.abspath(target))) or base
        folder = os.path.dirname(os.path.abspath(target)) if target else os.getcwd()
        if os.path.isdir(target):
            folder = os.path.dirname(os.path.abspath(target))
        if plan is not None and plan.kind == "keras":
            return os.path.join(folder, f"{base}_restored.keras")
        return os.path.join(folder, f"{base}_restored")

    def ask_output(self) -> tuple[str, bool] | None:
        """(output path, force) from the user, or None."""
        keras = self.plan is not None and self.plan.kind == "keras"
        if keras:
            caption = self.tr("Write the restored Keras model to")
            filt = self.tr("Keras model (*.keras);;HDF5 model (*.h5);;Keras weights (*.weights.h5)")
        else:
            caption = self.tr("Write the restored checkpoint into a new folder")
            filt = self.tr("Folder (*)")
        path, chosen = QFileDialog.getSaveFileName(self, caption, self.default_output(), filt, "",
                                                   QFileDialog.DontConfirmOverwrite)
        if not path:
            return None
        if keras and not path.lower().endswith((".keras", ".h5")):
            path += ".h5" if "HDF5" in (chosen or "") else ".keras"
        force = False
        if os.path.lexists(path):
            if not confirm_replace(self, path, "file" if keras else "folder"):
                return None
            force = True
        return path, force

    def apply(self) -> Worker | None:
        if self.plan is None or not self.apply_button.isEnabled():
            return None
        answer = self.ask_output()
        if answer is None:
            return None
        return self.apply_to(*answer)

    def apply_to(self, out: str, force: bool = False) -> Worker:
        plan, skip = self.plan, set(self.model.skip)
        n = len(self.model.applied())
        worker = self.start_work(lambda p: apply_plan(plan, out, force, skip, p), self._applied, path=out,
                                 name="restore", doing=self.tr("cannot restore"), tf=True, on_end=self._idle,
                                 cancelled_text=self.tr("Restore cancelled; nothing was written"),
                                 text=self.tr("Restoring {n} variables into {path}…").format(n=f"{n:,}", path=out))
        self.apply_button.setEnabled(False)
        self.plan_button.setEnabled(False)
        return worker

    def _applied(self, result) -> None:
        self.result = result
        self.last_output = result.out
        self.task.label.setText(result.summary())
        self.applied.emit(result)

    # -- housekeeping ---------------------------------------------------------------------------
    def refresh_palette(self) -> None:
        super().refresh_palette()
        self._show_plan()
