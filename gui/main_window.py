"""The main window: ops tree and filter on the left, details and preview on the right.

Opening and exporting run in workers (see workers.py) behind a progress bar with
Cancel; the window only swaps in results, which is O(1) for the tree model.
"""
from __future__ import annotations

import gc
import os
import re
import time
from collections import deque
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QModelIndex, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QFileDialog, QHeaderView, QLabel, QMainWindow, QMenu,
                               QMessageBox, QProgressBar, QSplitter, QStyle, QToolButton, QTreeView,
                               QVBoxLayout, QWidget)

from core.errors import PbscopeError
from core.export import FORMATS, ExportReport, default_export_path, export_weights
from core.formats import open_model
from core.model import Graph, Scope, Weight
from core.progress import Progress

from .details import DetailsView, History, Summary
from .filter_bar import FilterBar
from .fmt import human_bytes, human_count
from .icons import app_icon
from .op_tree import DTYPE, NAME, PARAMS, SHAPE, SIZE, TYPE, FilterIndex, FilterQuery, HighlightDelegate, \
    OpTreeModel
from .preview import PreviewPanel
from .selection import Selection
from .workers import Jobs, Worker

MAX_RECENT = 10
REVEAL_ROWS = 400          # a filter expands scopes until about this many rows show
BIG_GRAPH = 50_000         # from here on, typing waits for a short pause before filtering
FILE_FILTER = "TensorFlow graphs (*.pb *.pbtxt *.graphdef);;All files (*)"
EXPORT_EXT = {"pkl": ".pkl", "npz": ".npz", "safetensors": ".safetensors", "npy": ""}


@dataclass
class Loaded:
    """A model opened and indexed in the loading worker, ready to show."""
    graph: Graph
    root: Scope
    index: FilterIndex
    selection: Selection
    summary: Summary
    seconds: float


def load_model(path: str, progress: Progress) -> Loaded:
    """Everything opening needs that costs more than O(1): done off the GUI thread."""
    t0 = time.perf_counter()
    graph = open_model(path, progress)
    progress.report(0.92, "building the scope tree")
    root = graph.root
    progress.report(0.95, "indexing")
    summary = Summary.of(graph)       # also builds core's consumer index, used by links
    index = FilterIndex(graph)
    index.lower()                     # the first keystrokes should not pay for these
    index.parent_of()
    selection = Selection(graph)
    selection.tick_all(notify=False)  # export everything by default, like the seed did
    progress.report(1.0, "done")
    # A graph is millions of GC-tracked objects that live until the next open; moved to
    # the permanent generation, no full collection walks them while the user types
    # (one would stall the window for ~0.6 s at 350k ops).
    gc.freeze()
    return Loaded(graph, root, index, selection, summary, time.perf_counter() - t0)


def _collect_old_graphs() -> None:
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def settings() -> QSettings:
    return QSettings()


class MainWindow(QMainWindow):
    model_shown = Signal(str)        # the tree of a newly opened model has been painted
    export_done = Signal(object)     # ExportReport
    error_shown = Signal(str)        # the one line of an error dialog

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)
        self.jobs = Jobs(self)
        self.graph: Graph | None = None
        self.index: FilterIndex | None = None
        self.selection: Selection | None = None
        self.summary: Summary | None = None
        self.history = History()
        self.error_box: QMessageBox | None = None
        self.last_export: ExportReport | None = None
        self._load_worker: Worker | None = None
        self._task: Worker | None = None
        self._navigating = False
        self._filtering = False
        self._shown: Scope | None = None               # the item the right pane shows
        self._saved_expansion: list[str] | None = None  # expanded rows before a filter
        self._await_paint: str | None = None
        self._collect_after_paint = False
        self._opened_at = 0.0

        self._build_tree()
        self._build_right()
        self.splitter = QSplitter(Qt.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.left)
        self.splitter.addWidget(self.right)
        self.splitter.setStretchFactor(0, 5)
        self.splitter.setStretchFactor(1, 4)
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)
        self._build_status()
        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._update_title()
        self._update_selection_ui()
        self._restore_settings()

    # -- construction ---------------------------------------------------------------------
    def _build_tree(self) -> None:
        self.left = QWidget(self)
        self.filter_bar = FilterBar(self.left)
        self.filter_bar.query_changed.connect(self.apply_filter)
        self.filter_bar.tick_matches.connect(self.tick_matches)
        self.tree_model = OpTreeModel(self)
        self.tree = QTreeView(self.left)
        self.tree.setObjectName("opTree")
        self.tree.setModel(self.tree_model)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setAllColumnsShowFocus(True)
        self.tree.setSelectionMode(QAbstractItemView.SingleSelection)
        self.tree.setAnimated(False)
        self.tree.setItemDelegate(HighlightDelegate(self.tree_model, self.tree))
        self.tree.setContextMenuPolicy(Qt.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._tree_menu)
        self.tree.selectionModel().currentChanged.connect(self._on_current)
        self.tree.viewport().installEventFilter(self)
        self._default_header()
        lay = QVBoxLayout(self.left)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.filter_bar)
        lay.addWidget(self.tree, 1)

    def _default_header(self) -> None:
        h = self.tree.header()
        h.setStretchLastSection(False)
        h.setSectionResizeMode(NAME, QHeaderView.Stretch)
        fm = self.tree.fontMetrics()
        widths = {TYPE: "FusedBatchNormV3", SHAPE: "3×3×512×512", DTYPE: "float32 (q)",
                  PARAMS: "3,000,000", SIZE: "100.0 MB"}
        for col, sample in widths.items():
            h.setSectionResizeMode(col, QHeaderView.Interactive)
            self.tree.setColumnWidth(col, fm.horizontalAdvance(sample) + 16)
        h.setMinimumSectionSize(40)

    def _build_right(self) -> None:
        self.right = QSplitter(Qt.Vertical, self)
        self.right.setObjectName("rightSplitter")
        self.details = DetailsView(self.right)
        self.details.link_activated.connect(self.navigate)
        self.preview = PreviewPanel(self.jobs, self.right)
        self.preview.error_details.connect(self.show_error)
        self.right.addWidget(self.details)
        self.right.addWidget(self.preview)
        self.right.setStretchFactor(0, 2)
        self.right.setStretchFactor(1, 3)
        self.right.setChildrenCollapsible(False)
        self.preview.hide()
        self.details.clear_page("Open a TensorFlow graph (.pb) with File ▸ Open (Ctrl+O), or drop one here.")

    def _build_status(self) -> None:
        sb = self.statusBar()
        self.ticked_label = QLabel(self)
        self.ticked_label.setObjectName("tickedLabel")
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setMaximumWidth(220)
        self.progress_bar.setTextVisible(False)
        self.cancel_button = QToolButton(self)
        self.cancel_button.setText("Cancel")
        self.cancel_button.clicked.connect(self.cancel_task)
        self.progress_bar.hide()
        self.cancel_button.hide()
        sb.addPermanentWidget(self.progress_bar)
        sb.addPermanentWidget(self.cancel_button)
        sb.addPermanentWidget(self.ticked_label)

    def _action(self, text: str, slot, shortcut=None, tip: str = "", icon=None, checkable=False) -> QAction:
        a = QAction(text, self)
        if shortcut is not None:
            a.setShortcut(QKeySequence(shortcut))
        if icon is not None:
            a.setIcon(self.style().standardIcon(icon))
        if checkable:
            a.setCheckable(True)
        if tip:
            a.setToolTip(tip)
            a.setStatusTip(tip)
        a.triggered.connect(slot)
        self.addAction(a)  # shortcuts work even where the menu bar is hidden
        return a

    def _build_actions(self) -> None:
        S = QStyle.StandardPixmap
        self.act_open = self._action("&Open…", self.open_dialog, QKeySequence.Open,
                                     "Open a TensorFlow graph", S.SP_DialogOpenButton)
        self.act_export = self._action("&Export", self.export, "Ctrl+E", "", S.SP_DialogSaveButton)
        self.act_export_as = self._action("Export &As…", self.export_as, "Ctrl+Shift+E",
                                          "Choose where and in which format to export the ticked weights")
        self.act_quit = self._action("&Quit", self.close, QKeySequence.Quit)
        self.act_find = self._action("&Find…", self.filter_bar.focus, QKeySequence.Find, "Filter the ops tree")
        self.act_clear_filter = self._action("&Clear Filter", self.filter_bar.clear, "Esc")
        self.act_tick_all = self._action("Tick &All Weights", self.tick_all, "Ctrl+Shift+A")
        self.act_tick_none = self._action("Tick &None", self.tick_none, "Ctrl+Shift+N")
        self.act_tick_invert = self._action("&Invert Ticks", self.tick_invert, "Ctrl+Shift+I")
        self.act_tick_matches = self._action("Tick &Matches", self.tick_matches, "Ctrl+Shift+M",
                                             "Tick every weight the filter shows")
        self.act_back = self._action("&Back", self.go_back, "Alt+Left", "Go back", S.SP_ArrowBack)
        self.act_forward = self._action("&Forward", self.go_forward, "Alt+Right", "Go forward", S.SP_ArrowForward)
        self.act_expand = self._action("&Expand All", self.expand_all, "Ctrl+Shift+Right")
        self.act_collapse = self._action("&Collapse All", self.tree.collapseAll, "Ctrl+Shift+Left")
        self.act_about = self._action("&About pbscope", self.about)
        self.theme_group = QActionGroup(self)
        self.theme_actions = {}
        for name, label in (("system", "&System"), ("light", "&Light"), ("dark", "&Dark")):
            a = QAction(label, self, checkable=True)
            a.setData(name)
            a.triggered.connect(lambda _=False, n=name: self.set_theme(n))
            self.theme_group.addAction(a)
            self.theme_actions[name] = a
        self._update_nav_actions()

    def _build_menus(self) -> None:
        mb = self.menuBar()
        m = mb.addMenu("&File")
        m.addAction(self.act_open)
        self.recent_menu = m.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        m.addSeparator()
        m.addAction(self.act_export)
        m.addAction(self.act_export_as)
        m.addSeparator()
        m.addAction(self.act_quit)
        m = mb.addMenu("&Edit")
        m.addAction(self.act_find)
        m.addAction(self.act_clear_filter)
        m.addSeparator()
        for a in (self.act_tick_all, self.act_tick_none, self.act_tick_invert, self.act_tick_matches):
            m.addAction(a)
        m = mb.addMenu("&View")
        m.addAction(self.act_expand)
        m.addAction(self.act_collapse)
        m.addSeparator()
        theme = m.addMenu("&Theme")
        for a in self.theme_actions.values():
            theme.addAction(a)
        m = mb.addMenu("&Go")
        m.addAction(self.act_back)
        m.addAction(self.act_forward)
        m = mb.addMenu("&Help")
        m.addAction(self.act_about)

    def _build_toolbar(self) -> None:
        tb = self.addToolBar("Main")
        tb.setObjectName("mainToolbar")
        tb.setMovable(False)
        tb.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        tb.addAction(self.act_open)
        tb.addSeparator()
        tb.addAction(self.act_export)
        tb.addAction(self.act_export_as)
        tb.addSeparator()
        tb.addAction(self.act_back)
        tb.addAction(self.act_forward)

    # -- settings -----------------------------------------------------------------------------
    def _restore_settings(self) -> None:
        s = settings()
        geo = s.value("window/geometry")
        if geo is not None:
            self.restoreGeometry(geo)
        else:
            self.resize(1400, 850)
        for key, splitter in (("window/mainSplitter", self.splitter), ("window/rightSplitter", self.right)):
            state = s.value(key)
            if state is not None:
                splitter.restoreState(state)
        if s.value("window/mainSplitter") is None:
            self.splitter.setSizes([760, 640])
            self.right.setSizes([330, 470])
        header = s.value("tree/header")
        if header is not None:
            self.tree.header().restoreState(header)
            self.tree.header().setSectionResizeMode(NAME, QHeaderView.Stretch)
        theme = s.value("view/theme", "system")
        if theme in self.theme_actions:
            self.theme_actions[theme].setChecked(True)

    def save_settings(self) -> None:
        s = settings()
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/mainSplitter", self.splitter.saveState())
        s.setValue("window/rightSplitter", self.right.saveState())
        s.setValue("tree/header", self.tree.header().saveState())
        s.sync()

    def recent_files(self) -> list[str]:
        value = settings().value("recent/files", [], type=list)
        return [str(p) for p in value if p]

    def _add_recent(self, path: str) -> None:
        path = os.path.abspath(path)
        files = [p for p in self.recent_files() if p != path]
        files.insert(0, path)
        s = settings()
        s.setValue("recent/files", files[:MAX_RECENT])
        s.sync()

    def _fill_recent(self) -> None:
        m = self.recent_menu
        m.clear()
        files = self.recent_files()
        for i, path in enumerate(files):
            a = m.addAction(f"&{i + 1 if i < 9 else 0}  {os.path.basename(path)}")
            a.setToolTip(path)
            a.setStatusTip(path)
            a.setEnabled(os.path.exists(path))
            a.triggered.connect(lambda _=False, p=path: self.open_path(p))
        if files:
            m.addSeparator()
            m.addAction("Clear Recent Files", self._clear_recent)
        else:
            m.addAction("No recent files").setEnabled(False)

    def _clear_recent(self) -> None:
        settings().setValue("recent/files", [])

    def export_folder(self) -> str | None:
        folder = settings().value("export/lastFolder")
        return str(folder) if folder and os.path.isdir(str(folder)) else None

    def set_theme(self, name: str) -> None:
        from .app import apply_theme
        apply_theme(name)
        settings().setValue("view/theme", name)
        if name in self.theme_actions:
            self.theme_actions[name].setChecked(True)

    # -- opening ---------------------------------------------------------------------------------
    def open_dialog(self) -> None:
        start = os.path.dirname(self.graph.path) if self.graph else (self.recent_files() or [""])[0]
        path, _ = QFileDialog.getOpenFileName(self, "Open a TensorFlow graph", os.path.dirname(start) if
                                              os.path.isfile(start) else start, FILE_FILTER)
        if path:
            self.open_path(path)

    def open_path(self, path) -> Worker:
        """Open ``path`` in a worker; the current model stays until the new one is ready."""
        path = os.fspath(path)
        if self._load_worker is not None:
            self._load_worker.cancel()
        worker = Worker(lambda progress: load_model(path, progress), path=path, name="open")
        worker.signals.result.connect(lambda loaded, w=worker: self._loaded(w, loaded))
        worker.signals.error.connect(lambda e, tb, w=worker: self._load_failed(w, path, e, tb))
        worker.signals.cancelled.connect(lambda w=worker: self._load_cancelled(w, path))
        self._load_worker = worker
        self._opened_at = time.perf_counter()
        self._begin_task(worker, f"Opening {os.path.basename(path)}…")
        self.jobs.start(worker)
        return worker

    def _loaded(self, worker: Worker, loaded: Loaded) -> None:
        if worker is not self._load_worker:
            return
        self._load_worker = None
        self._end_task(worker)
        self.set_model(loaded)

    def _load_failed(self, worker: Worker, path: str, e: Exception, tb: str) -> None:
        if worker is not self._load_worker:
            return
        self._load_worker = None
        self._end_task(worker)
        if isinstance(e, PbscopeError):
            line = str(e)
            details = f"File: {e.path or path}\nCause: {e.cause}\n\n{tb}"
        else:
            line = f"{path}: cannot open it: {type(e).__name__}: {e}"
            details = tb
        self.show_error(line, details)

    def _load_cancelled(self, worker: Worker, path: str) -> None:
        if worker is self._load_worker:
            self._load_worker = None
        self._end_task(worker)
        self.statusBar().showMessage(f"Opening {os.path.basename(path)} cancelled", 5000)

    def set_model(self, loaded: Loaded) -> None:
        """Show a loaded model. O(1) in its size: every index was built in the worker."""
        replaced = self.graph is not None
        self.graph, self.index, self.selection, self.summary = \
            loaded.graph, loaded.index, loaded.selection, loaded.summary
        self._collect_after_paint = replaced  # the old graph was frozen with the new one
        self.selection.on_change(self._selection_changed)
        self.preview.hide()
        self.history.clear()
        self.filter_bar.set_debounce(0 if loaded.index.total < BIG_GRAPH else 40)
        self.filter_bar.set_types(loaded.index.type_counts)
        self.filter_bar.blockSignals(True)
        self.filter_bar.clear()
        self.filter_bar.blockSignals(False)
        self._saved_expansion = None
        self._shown = None
        self.tree_model.set_graph(loaded.graph, loaded.root, loaded.selection)
        self.filter_bar.set_count(loaded.index.total, loaded.index.total, False)
        rows = loaded.root.rows
        if len(rows) <= 3:   # one model scope (MobileNetV1/…) and an input or two: open them
            for r, s in enumerate(rows):
                if s.children:
                    self.tree.expand(self.tree_model.index(r, 0))
        self.details.show_summary(loaded.graph, loaded.summary)
        self._update_title()
        self._update_selection_ui()
        self._update_nav_actions()
        self._add_recent(loaded.graph.path)
        g = loaded.graph
        self.statusBar().showMessage(
            f"Opened {os.path.basename(g.path)}: {len(g.ops):,} ops, {len(g.weights):,} weights "
            f"({human_bytes(loaded.summary.nbytes)}) in {loaded.seconds:.2f} s", 8000)
        self._await_paint = g.path
        self.tree.viewport().update()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if self._await_paint and event.type() == QEvent.Paint and obj is self.tree.viewport():
            path, self._await_paint = self._await_paint, None
            QTimer.singleShot(0, lambda: self._first_paint_done(path))  # after this paint is done
        return super().eventFilter(obj, event)

    def _first_paint_done(self, path: str) -> None:
        self.model_shown.emit(path)
        if self._collect_after_paint:
            self._collect_after_paint = False
            _collect_old_graphs()

    # -- the task bar ----------------------------------------------------------------------------------
    def _begin_task(self, worker: Worker, text: str) -> None:
        self._task = worker
        self.progress_bar.setValue(0)
        self.progress_bar.show()
        self.cancel_button.show()
        self.cancel_button.setEnabled(True)
        self.statusBar().showMessage(text)
        worker.signals.progress.connect(lambda f, t, w=worker: self._task_progress(w, f, t))

    def _task_progress(self, worker: Worker, fraction: float, text: str) -> None:
        if worker is self._task:
            self.progress_bar.setValue(int(fraction * 1000))

    def _end_task(self, worker: Worker) -> None:
        if worker is self._task:
            self._task = None
            self.progress_bar.hide()
            self.cancel_button.hide()
            self.statusBar().clearMessage()

    def cancel_task(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self.cancel_button.setEnabled(False)
            self.statusBar().showMessage("Cancelling…")

    # -- errors ---------------------------------------------------------------------------------------
    def show_error(self, line: str, details: str = "") -> QMessageBox:
        """One clear line, details behind a button; window-modal, never blocks the event loop."""
        if self.error_box is not None:
            self.error_box.close()
        box = QMessageBox(QMessageBox.Warning, "pbscope", line, QMessageBox.Ok, self)
        box.setObjectName("errorBox")
        box.setTextInteractionFlags(Qt.TextSelectableByMouse)
        if details:
            box.setDetailedText(details)
        box.open()
        self.error_box = box
        self.statusBar().showMessage(line, 10_000)
        self.error_shown.emit(line)
        return box

    # -- filtering --------------------------------------------------------------------------------------
    def apply_filter(self, query: FilterQuery) -> None:
        if self.index is None:
            return
        try:
            result = self.index.run(query)
        except re.error as e:
            self.filter_bar.set_error(f"invalid regular expression: {e}")
            return
        was_active = self.tree_model.result is not None
        if query.active and not was_active:
            self._saved_expansion = self.expanded_paths()
        current = self.current_scope() or self._shown
        self._filtering = True    # the reset drops the current index: not a user's move
        try:
            self.tree.setUpdatesEnabled(False)
            self.tree_model.set_filter(result if query.active else None)
            if query.active:
                self._reveal()
            elif self._saved_expansion is not None:
                self._expand_paths(self._saved_expansion)
                self._saved_expansion = None
            idx = self.tree_model.index_of(current)
            if idx.isValid():
                self.tree.setCurrentIndex(idx)
                self.tree.scrollTo(idx)
        finally:
            self._filtering = False
            self.tree.setUpdatesEnabled(True)
        self.filter_bar.set_count(result.count, self.index.total, query.active)

    def expanded_paths(self) -> list[str]:
        """Expanded rows, parents before children (to restore them in order)."""
        out = []
        idx = self.tree_model.index(0, 0)
        tree, model = self.tree, self.tree_model
        while idx.isValid():
            if tree.isExpanded(idx):
                out.append(model.scope(idx).path)
            idx = tree.indexBelow(idx)
        return out

    def _expand_paths(self, paths: list[str]) -> None:
        model = self.tree_model
        for path in paths:
            idx = model.index_of(model.find(path))
            if idx.isValid():
                self.tree.expand(idx)

    def _reveal(self, budget: int = REVEAL_ROWS) -> None:
        """Expand scopes breadth-first so that matches show, up to about ``budget`` rows."""
        shown = 0
        queue = deque([QModelIndex()])
        model = self.tree_model
        while queue and shown < budget:
            parent = queue.popleft()
            n = model.rowCount(parent)
            if parent.isValid():
                self.tree.expand(parent)
            shown += n
            for r in range(min(n, budget)):
                child = model.index(r, 0, parent)
                if model.hasChildren(child):
                    queue.append(child)

    def visible_paths(self) -> list[str]:
        """Paths of every row the tree shows (expanded parents only), top to bottom."""
        out = []
        idx = self.tree_model.index(0, 0)
        while idx.isValid():
            out.append(self.tree_model.scope(idx).path)
            idx = self.tree.indexBelow(idx)
        return out

    def expand_all(self) -> None:
        if self.index is not None and self.index.total > 20_000:
            self.statusBar().showMessage("Too many ops to expand everything; filter first", 5000)
            return
        self.tree.expandAll()

    # -- ticks ------------------------------------------------------------------------------------------
    def tick_all(self) -> None:
        if self.selection is not None:
            self.selection.tick_all()

    def tick_none(self) -> None:
        if self.selection is not None:
            self.selection.clear()

    def tick_invert(self) -> None:
        if self.selection is not None:
            self.selection.invert()

    def tick_matches(self) -> None:
        if self.selection is None or self.graph is None:
            return
        result = self.tree_model.result
        names = result.matched if result is not None else self.index.names
        weight_of = self.graph.weight_of
        n = self.selection.set_ticked([w for w in map(weight_of, names) if w is not None], True)
        self.statusBar().showMessage(f"Ticked {n:,} more weights", 4000)

    def _selection_changed(self) -> None:
        self.tree_model.checks_changed()
        self.tree.viewport().update()
        self._update_selection_ui()
        s = self.current_scope()
        if s is not None:
            self.details.show_scope(s, self.selection)

    def _update_selection_ui(self) -> None:
        sel = self.selection
        if sel is None or self.graph is None:
            self.ticked_label.setText("No model")
            self.act_export.setEnabled(False)
            self.act_export_as.setEnabled(False)
            self.act_export.setToolTip("Open a model first")
            return
        total = sel.total
        self.ticked_label.setText(f"Ticked {len(sel):,} of {total:,} weights · "
                                  f"{human_count(sel.params)} params · {human_bytes(sel.nbytes)}")
        has = len(sel) > 0
        self.act_export.setEnabled(has)
        self.act_export_as.setEnabled(has)
        if has:
            target = default_export_path(self.graph.path, self.export_folder(), "pkl")
            tip = f"Write the {len(sel):,} ticked weights to {target} (Ctrl+E)"
        else:
            tip = "Nothing is ticked: tick weights in the tree to export them"
        self.act_export.setToolTip(tip)
        self.act_export.setStatusTip(tip)

    # -- current item, navigation -------------------------------------------------------------------------
    def current_scope(self) -> Scope | None:
        idx = self.tree.currentIndex()
        return self.tree_model.scope(idx) if idx.isValid() else None

    def _on_current(self, current: QModelIndex, previous: QModelIndex) -> None:
        if self._filtering:
            return
        s = self.tree_model.scope(current) if current.isValid() else None
        if s is not None and s is self._shown:
            return
        self._shown = s
        if s is None or self.graph is None:
            if self.graph is not None and self.summary is not None:
                self.details.show_summary(self.graph, self.summary)
            self.preview.hide()
            return
        if not self._navigating:
            self.history.push(s.path)
        self._update_nav_actions()
        self.details.show_scope(s, self.selection)
        w = self.previewable(s)
        if w is not None:
            self.preview.show()
            self.preview.show_weight(w)
        else:
            self.preview.hide()

    def previewable(self, s: Scope) -> Weight | None:
        if s.weight is not None:
            return s.weight
        if s.op is not None and s.op.type == "Const" and self.graph is not None:
            return self.graph.const_weight(s.op, s.op.name, rule="structural")
        return None

    def navigate(self, path: str, push: bool = True) -> bool:
        """Make ``path`` the current tree item (clearing a filter that hides it)."""
        scope = self.tree_model.find(path)
        if scope is None:
            self.statusBar().showMessage(f"No op named {path}", 5000)
            return False
        idx = self.tree_model.index_of(scope)
        if not idx.isValid():
            self.filter_bar.clear()
            idx = self.tree_model.index_of(scope)
        self._navigating = not push
        try:
            self.tree.setCurrentIndex(idx)
            self.tree.scrollTo(idx, QAbstractItemView.PositionAtCenter)
        finally:
            self._navigating = False
        self._update_nav_actions()
        return True

    def go_back(self) -> None:
        path = self.history.back()
        if path is not None:
            self.navigate(path, push=False)

    def go_forward(self) -> None:
        path = self.history.forward()
        if path is not None:
            self.navigate(path, push=False)

    def _update_nav_actions(self) -> None:
        self.act_back.setEnabled(self.history.can_back())
        self.act_forward.setEnabled(self.history.can_forward())

    def _tree_menu(self, pos) -> None:
        idx = self.tree.indexAt(pos)
        s = self.tree_model.scope(idx) if idx.isValid() else None
        if s is None or self.selection is None:
            return
        m = QMenu(self)
        ws = s.weights() if s.children else ([s.weight] if s.weight else [])
        if ws:
            m.addAction(f"Tick {len(ws):,} weight{'s' if len(ws) != 1 else ''}",
                        lambda: self.selection.set_ticked(ws, True))
            m.addAction("Untick", lambda: self.selection.set_ticked(ws, False))
            m.addSeparator()
        m.addAction("Copy Name", lambda: QGuiApplication.clipboard().setText(s.path))
        if s.weight is not None:
            m.addAction("Copy Export Key", lambda: QGuiApplication.clipboard().setText(s.weight.key))
        m.exec(self.tree.viewport().mapToGlobal(pos))

    # -- export ------------------------------------------------------------------------------------------------
    def export(self) -> Worker | None:
        """One click: the ticked weights to <model>_weights.pkl next to the model (or the last folder)."""
        if self.graph is None or self.selection is None:
            return None
        if not len(self.selection):
            self.statusBar().showMessage("Nothing is ticked: tick weights in the tree to export them", 6000)
            return None
        out = default_export_path(self.graph.path, self.export_folder(), "pkl")
        return self.export_to(out, "pkl")

    def export_as(self) -> None:
        if self.graph is None or self.selection is None or not len(self.selection):
            self.export()
            return
        filters = {f"{desc} (*{EXPORT_EXT[f]})" if EXPORT_EXT[f] else f"{desc} (*)": f for f, desc in FORMATS.items()}
        start = default_export_path(self.graph.path, self.export_folder(), "pkl")
        path, chosen = QFileDialog.getSaveFileName(self, "Export ticked weights", start, ";;".join(filters))
        if not path:
            return
        fmt = filters.get(chosen, "pkl")
        if EXPORT_EXT[fmt] and not os.path.splitext(path)[1]:
            path += EXPORT_EXT[fmt]
        s = settings()
        s.setValue("export/lastFolder", os.path.dirname(os.path.abspath(path)))
        s.sync()
        self.export_to(path, fmt)

    def export_to(self, out: str, fmt: str) -> Worker:
        weights = self.selection.weights()
        model_path = self.graph.path
        worker = Worker(lambda p: export_weights(weights, out, fmt, keys="seed", progress=p, model_path=model_path),
                        path=out, name="export")
        worker.signals.result.connect(lambda r, w=worker: self._exported(w, r))
        worker.signals.error.connect(lambda e, tb, w=worker: self._export_failed(w, out, e, tb))
        worker.signals.cancelled.connect(lambda w=worker: (self._end_task(w), self.statusBar().showMessage(
            "Export cancelled; nothing was written", 5000)))
        self._begin_task(worker, f"Exporting {len(weights):,} weights to {out}…")
        self.jobs.start(worker)
        return worker

    def _exported(self, worker: Worker, report: ExportReport) -> None:
        self._end_task(worker)
        self.last_export = report
        self.statusBar().showMessage(f"Exported {report.count:,} tensors ({human_bytes(report.nbytes)}) "
                                     f"to {report.path}", 15_000)
        self._update_selection_ui()
        self.export_done.emit(report)

    def _export_failed(self, worker: Worker, out: str, e: Exception, tb: str) -> None:
        self._end_task(worker)
        line = str(e) if isinstance(e, PbscopeError) else f"{out}: cannot export: {type(e).__name__}: {e}"
        self.show_error(line, tb)

    # -- window ----------------------------------------------------------------------------------------------
    def _update_title(self) -> None:
        if self.graph is None:
            self.setWindowTitle("pbscope")
        else:
            self.setWindowTitle(f"{os.path.basename(self.graph.path)} — pbscope")

    def about(self) -> None:
        QMessageBox.about(self, "About pbscope",
                          "<b>pbscope</b><br>An inspector for TensorFlow frozen graphs: browse ops by "
                          "name scope, preview weights, export them to a pickle.")

    def dragEnterEvent(self, event) -> None:
        if any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dragMoveEvent(self, event) -> None:
        if any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.open_path(paths[0])

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.PaletteChange, QEvent.ApplicationPaletteChange):
            self.tree_model.refresh_palette()
            self.details.apply_palette()
            self.preview.apply_palette()
            self.tree.viewport().update()
        super().changeEvent(event)

    def closeEvent(self, event) -> None:
        self.save_settings()
        self.jobs.cancel_all()
        self.jobs.wait(10_000)
        if self.error_box is not None:
            self.error_box.close()
        super().closeEvent(event)
