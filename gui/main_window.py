"""The main window: ops tree and filter on the left, details and preview on the right.

Opening, exporting and unfreezing run in workers (see workers.py) behind a progress
bar with Cancel; the window only swaps in results, which is O(1) for the tree model.
Compare (diff_view.py) and Restore (restore_dialog.py) are dialogs with their own
progress strip, running on the window's workers.
"""
from __future__ import annotations

import gc
import os
import re
import time
from collections import deque
from dataclasses import dataclass, field

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QEvent,
    QModelIndex,
    QObject,
    QSettings,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QActionGroup, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QStyle,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ..core import tfimport
from ..core.export import FORMATS, SUFFIXES, ExportReport, default_export_path, export_weights
from ..core.formats import open_model
from ..core.memory import give_back
from ..core.model import Graph, Scope, Weight
from ..core.progress import Progress

from .details import MODEL, DetailsView, History, Summary, model_name
from .diff_view import DiffDialog
from .filter_bar import FilterBar
from .fmt import human_bytes, human_count
from .graph_pane import GraphPane
from .about import AboutBox
from .i18n import build_language_menu
from .icons import app_icon
from .op_tree import (
    DTYPE,
    NAME,
    PARAMS,
    SHAPE,
    SIZE,
    TYPE,
    FilterIndex,
    FilterQuery,
    HighlightDelegate,
    OpTreeModel,
)
from .preview import PreviewPanel
from .restore_dialog import RestoreDialog
from .selection import Selection
from .theme import apply_theme
from .widgets import ResultDialog, confirm_replace
from .workers import Jobs, Slot, Worker, run_in_worker

MAX_RECENT = 10
NAME_MIN = 230             # px: the tree's name column never gets narrower
REVEAL_ROWS = 400          # a filter expands scopes until about this many rows show
BIG_GRAPH = 50_000         # from here on, typing waits for a short pause before filtering
MODEL_PATTERNS = ("*.pb *.pbtxt *.graphdef *.meta *.index checkpoint *.data-* *.keras *.h5 *.hdf5 *.tflite "
                  "model.json *.pkl *.pickle *.npz *.safetensors *.npy")
FILTERS = (    # the file dialogs' filters, translated where shown (file_filter())
    QT_TRANSLATE_NOOP("MainWindow", "Models and weights files ({patterns})"),
    QT_TRANSLATE_NOOP("MainWindow", "Frozen graphs (*.pb *.pbtxt *.graphdef)"),
    QT_TRANSLATE_NOOP("MainWindow", "TF1 checkpoints (*.index *.meta *.data-* checkpoint)"),
    QT_TRANSLATE_NOOP("MainWindow", "SavedModels (saved_model.pb saved_model.pbtxt)"),
    QT_TRANSLATE_NOOP("MainWindow", "Keras models (*.keras *.h5 *.hdf5)"),
    QT_TRANSLATE_NOOP("MainWindow", "TensorFlow Lite models (*.tflite)"),
    QT_TRANSLATE_NOOP("MainWindow", "TF.js models (model.json *.json)"),
    QT_TRANSLATE_NOOP("MainWindow", "Weights files (*.pkl *.pickle *.npz *.safetensors *.npy)"),
    QT_TRANSLATE_NOOP("MainWindow", "All files (*)"),
)


def file_filter() -> str:
    """The open dialogs' filter list, in the UI's language."""
    return ";;".join(QCoreApplication.translate("MainWindow", f).replace("{patterns}", MODEL_PATTERNS)
                     for f in FILTERS)


OPEN_HINT = QT_TRANSLATE_NOOP(
    "MainWindow", "Open a model with File ▸ Open (Ctrl+O) or Open Folder (Ctrl+Shift+O), or drop it here: a "
    "frozen graph (.pb/.pbtxt), a TF1 checkpoint, a SavedModel folder, or a weights file "
    "(.pkl/.npz/.safetensors/.npy).")


@dataclass
class Loaded:
    """A model opened and indexed in the loading worker, ready to show."""
    graph: Graph
    root: Scope
    index: FilterIndex
    selection: Selection
    summary: Summary
    seconds: float
    functions: set[str] = field(default_factory=set)   # top-level scopes that are library functions


def load_model(path: str, progress: Progress) -> Loaded:
    """Everything opening needs that costs more than O(1): done off the GUI thread."""
    t0 = time.perf_counter()
    graph = open_model(path, progress)
    progress.report(0.92, QCoreApplication.translate("MainWindow", "building the scope tree"))
    root = graph.root
    progress.report(0.95, "indexing")
    summary = Summary.of(graph)       # also builds core's consumer index, used by links
    index = FilterIndex(graph)
    index.warm()                      # the first keystrokes should not pay for these
    selection = Selection(graph)
    selection.tick_all(notify=False)  # export everything by default
    give_back()
    progress.report(1.0, "done")
    # A graph is millions of GC-tracked objects that live until the next open; moved to
    # the permanent generation, no full collection walks them while the user types
    # (one would stall the window for ~0.6 s at 350k ops).
    gc.freeze()
    return Loaded(graph, root, index, selection, summary, time.perf_counter() - t0, set(index.functions))


def _collect_old_graphs() -> None:
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def settings() -> QSettings:
    return QSettings()


class StatusProgress:
    """The window's progress view (workers.ProgressView): the work's text in the status bar,
    its bar and Cancel beside it. It shows the newest work started."""

    def __init__(self, window: MainWindow):
        self.window = window
        self.worker: Worker | None = None

    def start(self, worker: Worker, text: str) -> None:
        w = self.window
        self.worker = worker
        w.progress_bar.setValue(0)
        w.progress_bar.show()
        w.cancel_button.show()
        w.cancel_button.setEnabled(True)
        w.statusBar().showMessage(text)
        worker.signals.progress.connect(lambda f, t, wk=worker: self._progress(wk, f))

    def _progress(self, worker: Worker, fraction: float) -> None:
        if worker is self.worker:
            self.window.progress_bar.setValue(int(fraction * 1000))

    def finish(self, worker: Worker, text: str = "") -> None:
        if worker is not self.worker:
            return
        w = self.window
        self.worker = None
        w.progress_bar.hide()
        w.cancel_button.hide()
        if text:
            w.statusBar().showMessage(text, 5000)
        else:
            w.statusBar().clearMessage()

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
            self.window.cancel_button.setEnabled(False)
            self.window.statusBar().showMessage(QCoreApplication.translate("MainWindow", "Cancelling…"))


class MainWindow(QMainWindow):
    model_shown = Signal(str)        # the tree of a newly opened model has been painted
    export_done = Signal(object)     # ExportReport
    unfreeze_done = Signal(object)   # UnfreezeReport
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
        self.about_box: AboutBox | None = None
        self.last_export: ExportReport | None = None
        self.last_unfreeze = None                      # UnfreezeReport
        self.diff_dialog: DiffDialog | None = None
        self.restore_dialog: RestoreDialog | None = None
        self.result_dialog: ResultDialog | None = None
        self._load = Slot()                            # the model being opened
        self._navigating = False
        self._filtering = False
        self._shown: Scope | None = None               # the item the right pane shows
        self._saved_expansion: list[str] | None = None  # expanded rows before a filter
        self._await_paint: str | None = None
        self._collect_after_paint = False
        self._opened_at = 0.0

        self._build_tree()
        self._build_graph()
        self._build_right()
        self.splitter = QSplitter(Qt.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.left)
        self.splitter.addWidget(self.graph_pane)
        self.splitter.addWidget(self.right)
        self.splitter.setStretchFactor(0, 4)
        self.splitter.setStretchFactor(1, 5)
        self.splitter.setStretchFactor(2, 4)
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
        # only the name column paints in Python (highlights); the others keep Qt's own delegate
        self.tree.setItemDelegateForColumn(NAME, HighlightDelegate(self.tree_model, self.tree))
        self.tree.setContextMenuPolicy(Qt.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._tree_menu)
        self.tree.selectionModel().currentChanged.connect(self._on_current)
        self.tree.viewport().installEventFilter(self)
        self.tree.installEventFilter(self)
        self._default_header()
        lay = QVBoxLayout(self.left)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.filter_bar)
        lay.addWidget(self.tree, 1)

    def _fit_name_column(self) -> None:
        """Names stretch while the tree is wide; beside the graph pane, where it is narrow,
        they keep a readable width and the tree scrolls sideways."""
        h = self.tree.header()
        others = sum(h.sectionSize(c) for c in range(1, h.count()) if not h.isSectionHidden(c))
        narrow = self.tree.viewport().width() - others < NAME_MIN
        mode = QHeaderView.Interactive if narrow else QHeaderView.Stretch
        if h.sectionResizeMode(NAME) != mode:
            h.setSectionResizeMode(NAME, mode)
            if narrow:
                h.resizeSection(NAME, NAME_MIN)

    def _tick_from_graph(self, weights, ticked: bool) -> None:
        if self.selection is not None:
            self.selection.set_ticked(weights, ticked)

    def _build_graph(self) -> None:
        self.graph_pane = GraphPane(self.jobs, self)
        self.graph_pane.activated.connect(self.navigate)
        self.graph_pane.tick.connect(self._tick_from_graph)
        self.graph_pane.message.connect(lambda line: self.statusBar().showMessage(line, 8000))
        self.graph_pane.hide()

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
        self.details.clear_page(QCoreApplication.translate("MainWindow", OPEN_HINT))

    def _build_status(self) -> None:
        sb = self.statusBar()
        self.ticked_label = QLabel(self)
        self.ticked_label.setObjectName("tickedLabel")
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setMaximumWidth(220)
        self.progress_bar.setTextVisible(False)
        self.cancel_button = QToolButton(self)
        self.cancel_button.setText(self.tr("Cancel"))
        self.task_view = StatusProgress(self)
        self.cancel_button.clicked.connect(self.task_view.cancel)
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
        self.act_open = self._action(self.tr("&Open…"), self.open_dialog, QKeySequence.Open,
                                     self.tr("Open a model or weights file: .pb/.pbtxt, a checkpoint's "
                                             ".index/.meta, saved_model.pb, .pkl/.npz/.safetensors/.npy"),
                                     S.SP_DialogOpenButton)
        self.act_open_folder = self._action(self.tr("Open &Folder…"), self.open_folder_dialog, "Ctrl+Shift+O",
                                            self.tr("Open a SavedModel folder, a checkpoint folder or a folder "
                                                    "of .npy files"), S.SP_DirOpenIcon)
        self.act_compare = self._action(self.tr("&Compare With…"), lambda: self.compare_dialog(), "Ctrl+D",
                                        self.tr("Compare the open model's weights with another model or "
                                                "weights file"))
        self.act_restore = self._action(self.tr("&Restore into Model…"), self.restore_into, "Ctrl+R",
                                        self.tr("Restore weights into a model you choose (a checkpoint, a Keras "
                                                "file, a Python builder), with a match plan first"))
        self.act_unfreeze = self._action(self.tr("&Unfreeze to Checkpoint…"), self.unfreeze, "Ctrl+U",
                                         self.tr("Turn the ticked weights of this frozen graph into variables "
                                                 "of a trainable TF1 checkpoint"))
        self.act_model = self._action(self.tr("&Model Summary"), lambda: self.show_model(), "Alt+Home",
                                      self.tr("Show the model's summary (its format, inputs, outputs, "
                                              "signatures)"),
                                      S.SP_FileDialogInfoView)
        self.act_export = self._action(self.tr("&Export"), self.export, "Ctrl+E", "", S.SP_DialogSaveButton)
        self.act_export_as = self._action(self.tr("Export &As…"), self.export_as, "Ctrl+Shift+E",
                                          self.tr("Choose where and in which format to export the ticked weights"))
        self.act_quit = self._action(self.tr("&Quit"), self.close, QKeySequence.Quit)
        self.act_find = self._action(self.tr("&Find…"), self.filter_bar.focus, QKeySequence.Find,
                                     self.tr("Filter the ops tree"))
        self.act_clear_filter = self._action(self.tr("&Clear Filter"), self.filter_bar.clear, "Esc")
        self.act_tick_all = self._action(self.tr("Tick &All Weights"), self.tick_all, "Ctrl+Shift+A")
        self.act_tick_none = self._action(self.tr("Tick &None"), self.tick_none, "Ctrl+Shift+N")
        self.act_tick_invert = self._action(self.tr("&Invert Ticks"), self.tick_invert, "Ctrl+Shift+I")
        self.act_tick_matches = self._action(self.tr("Tick &Matches"), self.tick_matches, "Ctrl+Shift+M",
                                             self.tr("Tick every weight the filter shows"))
        self.act_back = self._action(self.tr("&Back"), self.go_back, "Alt+Left", self.tr("Go back"), S.SP_ArrowBack)
        self.act_forward = self._action(self.tr("&Forward"), self.go_forward, "Alt+Right", self.tr("Go forward"),
                                        S.SP_ArrowForward)
        self.act_expand = self._action(self.tr("&Expand All"), self.expand_all, "Ctrl+Shift+Right")
        self.act_collapse = self._action(self.tr("&Collapse All"), self.tree.collapseAll, "Ctrl+Shift+Left")
        self.act_about = self._action(self.tr("&About pbscope"), self.about)
        self.act_graph = self._action(self.tr("&Graph"), self.show_graph, "Ctrl+G",
                                      self.tr("Show how the ops connect, beside the tree"), checkable=True)
        self.act_picture = self._action(self.tr("Export Graph &Picture…"), self.export_picture, None,
                                        self.tr("Save the graph as drawn (scopes opened as they are) as SVG or PNG"))
        self.theme_group = QActionGroup(self)
        self.theme_actions = {}
        for name, label in (("system", self.tr("&System")), ("light", self.tr("&Light")), ("dark", self.tr("&Dark"))):
            a = QAction(label, self, checkable=True)
            a.setData(name)
            a.triggered.connect(lambda _=False, n=name: self.set_theme(n))
            self.theme_group.addAction(a)
            self.theme_actions[name] = a
        self._update_nav_actions()

    def _build_menus(self) -> None:
        mb = self.menuBar()
        m = mb.addMenu(self.tr("&File"))
        m.addAction(self.act_open)
        m.addAction(self.act_open_folder)
        self.recent_menu = m.addMenu(self.tr("Open &Recent"))
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        m.addSeparator()
        m.addAction(self.act_compare)
        m.addSeparator()
        m.addAction(self.act_export)
        m.addAction(self.act_export_as)
        m.addAction(self.act_picture)
        m.addSeparator()
        m.addAction(self.act_quit)
        m = mb.addMenu(self.tr("&Edit"))
        m.addAction(self.act_find)
        m.addAction(self.act_clear_filter)
        m.addSeparator()
        for a in (self.act_tick_all, self.act_tick_none, self.act_tick_invert, self.act_tick_matches):
            m.addAction(a)
        m = mb.addMenu(self.tr("&View"))
        m.addAction(self.act_graph)
        m.addSeparator()
        m.addAction(self.act_expand)
        m.addAction(self.act_collapse)
        m.addSeparator()
        theme = m.addMenu(self.tr("&Theme"))
        for a in self.theme_actions.values():
            theme.addAction(a)
        m = mb.addMenu(self.tr("&Go"))
        m.addAction(self.act_model)
        m.addAction(self.act_back)
        m.addAction(self.act_forward)
        m = mb.addMenu(self.tr("&Tools"))
        m.addAction(self.act_compare)
        m.addSeparator()
        m.addAction(self.act_restore)
        m.addAction(self.act_unfreeze)
        for menu in mb.findChildren(QMenu):
            menu.setToolTipsVisible(True)      # the reason a tool is disabled is its tooltip
        m = mb.addMenu(self.tr("&Help"))
        self.language_menu = m.addMenu(self.tr("&Language"))
        self.language_actions = build_language_menu(self.language_menu, self)
        m.addSeparator()
        m.addAction(self.act_about)

    def _build_toolbar(self) -> None:
        tb = self.addToolBar(self.tr("Main"))
        tb.setObjectName("mainToolbar")
        tb.setMovable(False)
        tb.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        tb.addAction(self.act_open)
        tb.addSeparator()
        tb.addAction(self.act_export)
        tb.addAction(self.act_export_as)
        tb.addSeparator()
        tb.addAction(self.act_graph)
        tb.addAction(self.act_model)
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
            self.splitter.setSizes([560, 640, 500])
            self.right.setSizes([330, 470])
        self.show_graph(s.value("view/graph", False, type=bool))
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
        s.setValue("view/graph", self.graph_pane.isVisibleTo(self))
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
            m.addAction(self.tr("Clear Recent Files"), self._clear_recent)
        else:
            m.addAction(self.tr("No recent files")).setEnabled(False)

    def _clear_recent(self) -> None:
        settings().setValue("recent/files", [])

    def export_folder(self) -> str | None:
        folder = settings().value("export/lastFolder")
        return str(folder) if folder and os.path.isdir(str(folder)) else None

    def set_theme(self, name: str) -> None:
        name = apply_theme(name)
        settings().setValue("view/theme", name)
        if name in self.theme_actions:
            self.theme_actions[name].setChecked(True)

    # -- opening ---------------------------------------------------------------------------------
    def _start_folder(self) -> str:
        """Where file dialogs start: beside the open model, else beside the last one opened."""
        start = self.graph.path if self.graph else (self.recent_files() or [""])[0]
        start = os.path.dirname(os.path.abspath(start)) if start else ""
        return start if start and os.path.isdir(start) else ""

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Open a model or weights file"), self._start_folder(),
                                              file_filter())
        if path:
            self.open_path(path)

    def open_folder_dialog(self) -> None:
        path = QFileDialog.getExistingDirectory(self, self.tr("Open a SavedModel, checkpoint or npy folder"),
                                                self._start_folder())
        if path:
            self.open_path(path)

    def open_path(self, path) -> Worker:
        """Open ``path`` in a worker; the current model stays until the new one is ready."""
        path = os.fspath(path)
        name = os.path.basename(path)
        self._opened_at = time.perf_counter()
        return run_in_worker(self.jobs, lambda progress: load_model(path, progress), self.set_model, self.show_error,
                             progress=self.task_view, slot=self._load, path=path, name="open",
                             doing=self.tr("cannot open it"), text=self.tr("Opening {name}…").format(name=name),
                             cancelled_text=self.tr("Opening {name} cancelled").format(name=name))

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
        self.tree_model.set_graph(loaded.graph, loaded.root, loaded.selection, loaded.functions)
        self.graph_pane.set_graph(loaded.graph, loaded.selection)
        self.details.functions = set(loaded.functions)
        self.history.push(MODEL)
        self.filter_bar.set_count(loaded.index.total, loaded.index.total, False)
        rows = loaded.root.rows
        if len(rows) <= 3:   # one model scope (MobileNetV1/…) and an input or two: open them
            for r, s in enumerate(rows):
                if s.children:
                    self.tree.expand(self.tree_model.index(r, 0))
        self.details.show_summary(loaded.graph, loaded.summary)
        if self.diff_dialog is not None:
            self.diff_dialog.set_a(loaded.graph)
        if self.restore_dialog is not None:
            self.restore_dialog.set_source(loaded.graph, loaded.selection)
        self._update_title()
        self._update_selection_ui()
        self._update_nav_actions()
        self._add_recent(loaded.graph.path)
        g = loaded.graph
        self.statusBar().showMessage(
            self.tr("Opened {name} · {format} · {ops} ops, {weights} weights ({size}) in {seconds} s").format(
                name=model_name(g.path), format=g.format, ops=f"{len(g.all_ops):,}", weights=f"{len(g.weights):,}",
                size=human_bytes(loaded.summary.nbytes), seconds=f"{loaded.seconds:.2f}"), 8000)
        self._await_paint = g.path
        self._fit_name_column()
        self.tree.viewport().update()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.tree and event.type() == QEvent.Resize:
            self._fit_name_column()
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
    @property
    def _task(self) -> Worker | None:
        """The worker the status bar's progress shows."""
        return self.task_view.worker

    # -- errors ---------------------------------------------------------------------------------------
    def show_error(self, line: str, details: str = "", parent: QWidget | None = None) -> QMessageBox:
        """One clear line, details behind a button; window-modal (over ``parent``, a dialog
        of this window, if given), never blocks the event loop."""
        if self.error_box is not None:
            self.error_box.close()
        box = QMessageBox(QMessageBox.Warning, "pbscope", line, QMessageBox.Ok, parent or self)
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
            self.filter_bar.set_error(self.tr("invalid regular expression: {error}").format(error=e))
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
        if self.graph_pane.isVisible():
            self._outline_matches()

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
            self.statusBar().showMessage(self.tr("Too many ops to expand everything; filter first"), 5000)
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
        """Tick the weights the filter shows; kept-apart ones only when nothing else matches."""
        if self.selection is None or self.graph is None:
            return
        result = self.tree_model.result
        names = result.matched if result is not None else self.index.names
        weight_of = self.graph.weight_of
        main, extra = self.selection.split(w for w in map(weight_of, names) if w is not None)
        n = self.selection.set_ticked(main or extra, True)
        msg = self.tr("Ticked {n} more weights").format(n=f"{n:,}")
        if main and extra:
            msg += self.tr("; {n} kept-apart ones (optimizer slots, step counters) left as they were: filter for "
                           "them alone to tick them").format(n=f"{len(extra):,}")
        self.statusBar().showMessage(msg, 6000)

    def _selection_changed(self) -> None:
        self.graph_pane.refresh_ticks()
        self.tree_model.checks_changed()
        self.tree.viewport().update()
        self._update_selection_ui()
        if self.restore_dialog is not None and self.restore_dialog.isVisible():
            self.restore_dialog.refresh_source()
        s = self.current_scope()
        if s is not None:
            self.details.show_scope(s, self.selection)

    def _update_tools(self) -> None:
        """Compare, Restore and Unfreeze: enabled when they can work, else a tooltip says why."""
        g, sel = self.graph, self.selection
        self.act_compare.setEnabled(g is not None)
        self.act_model.setEnabled(g is not None)
        if g is None:
            ok, tip = False, self.tr("Open a frozen graph (.pb or .pbtxt) first")
        elif not g.format.startswith("GraphDef"):
            ok, tip = False, self.tr("Unfreeze needs a frozen graph (.pb or .pbtxt); this is a {format}, whose "
                                     "weights are variables already").format(format=g.format)
        elif sel is None or not len(sel):
            ok, tip = False, self.tr("Nothing is ticked: tick the weights that should become variables")
        else:
            ok, tip = True, self.tr("Write a TF1 checkpoint in which the {n} ticked weights are trainable "
                                    "variables (Ctrl+U)").format(n=f"{len(sel):,}")
        self.act_unfreeze.setEnabled(ok)
        self.act_unfreeze.setToolTip(tip)
        self.act_unfreeze.setStatusTip(tip)

    def _update_selection_ui(self) -> None:
        sel = self.selection
        if sel is None or self.graph is None:
            self._update_tools()
            self.ticked_label.setText(self.tr("No model"))
            self.act_export.setEnabled(False)
            self.act_export_as.setEnabled(False)
            self.act_export.setToolTip(self.tr("Open a model first"))
            return
        total = sel.total
        extra = self.tr(" + {n} kept apart").format(n=f"{sel.extra_ticked:,}") if sel.extra_ticked else ""
        missing = (self.tr(" · {n} without values").format(n=f"{len(sel.unavailable):,}")
                   if sel.unavailable else "")
        self.ticked_label.setText(self.tr("Ticked {n} of {total} weights{extra} · {params} params · {size}").format(
            n=f"{len(sel) - sel.extra_ticked:,}", total=f"{total:,}", extra=extra, params=human_count(sel.params),
            size=human_bytes(sel.nbytes)) + missing)
        tips = []
        if sel.total_extra:
            tips.append(self.tr("{n} kept-apart weights (optimizer slots, step counters, unsaved variables) are not "
                                "ticked by Tick All; tick them in the tree to export them").format(
                                    n=f"{sel.total_extra:,}"))
        if sel.unavailable:
            tips.append(self.tr("{n} weights have no values in the files opened and cannot be ticked or "
                                "exported").format(n=f"{len(sel.unavailable):,}"))
        self.ticked_label.setToolTip("\n".join(tips))
        self._update_tools()
        has = len(sel) > 0
        self.act_export.setEnabled(has)
        self.act_export_as.setEnabled(has)
        if has:
            target = self.default_export(self.export_folder(), "pkl")
            tip = self.tr("Write the {n} ticked weights to {path} (Ctrl+E)").format(n=f"{len(sel):,}", path=target)
        else:
            tip = self.tr("Nothing is ticked: tick weights in the tree to export them")
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
                if not self._navigating:
                    self.history.push(MODEL)
                self._update_nav_actions()
            self.preview.hide()
            return
        if not self._navigating:
            self.history.push(s.path)
        self._update_nav_actions()
        if self.graph_pane.isVisible():
            self.graph_pane.reveal(s.path)
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

    def show_model(self, push: bool = True) -> None:
        """The model summary: no tree item current (the "Model" link, Go ▸ Model Summary)."""
        if self.graph is None:
            return
        self._navigating = not push
        try:
            self.tree.selectionModel().clearSelection()
            self.tree.setCurrentIndex(QModelIndex())
            if self._shown is not None or self.details._last is None or self.details._last[0] != "summary":
                self._shown = None
                self.details.show_summary(self.graph, self.summary)
                self.preview.hide()
                if push:
                    self.history.push(MODEL)
        finally:
            self._navigating = False
        self._update_nav_actions()

    def navigate(self, path: str, push: bool = True) -> bool:
        """Make ``path`` the current tree item (clearing a filter that hides it); ``MODEL``
        ("") is the model summary."""
        if path == MODEL:
            self.show_model(push)
            return self.graph is not None
        scope = self.tree_model.find(path)
        if scope is None:
            self.statusBar().showMessage(self.tr("No op named {path}").format(path=path), 5000)
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
        ws = self.selection.tick_targets(s)
        if ws:
            kept = all(self.selection.is_extra(w.name) for w in ws)
            if kept:
                tick = self.tr("Tick {n} kept-apart weight") if len(ws) == 1 else self.tr("Tick {n} kept-apart weights")
            else:
                tick = self.tr("Tick {n} weight") if len(ws) == 1 else self.tr("Tick {n} weights")
            m.addAction(tick.format(n=f"{len(ws):,}"), lambda: self.selection.set_ticked(ws, True))
            m.addAction(self.tr("Untick"), lambda: self.selection.set_ticked(ws, False))
            m.addSeparator()
        m.addAction(self.tr("Copy Name"), lambda: QGuiApplication.clipboard().setText(s.path))
        if s.weight is not None:
            m.addAction(self.tr("Copy Export Key"), lambda: QGuiApplication.clipboard().setText(s.weight.key))
            if s.weight.raw_key:
                m.addAction(self.tr("Copy Checkpoint Key"),
                            lambda: QGuiApplication.clipboard().setText(s.weight.raw_key))
        m.exec(self.tree.viewport().mapToGlobal(pos))

    # -- export ------------------------------------------------------------------------------------------------
    def export(self) -> Worker | None:
        """One click: the ticked weights to <model>_weights.pkl next to the model (or the last folder)."""
        if self.graph is None or self.selection is None:
            return None
        if not len(self.selection):
            self.statusBar().showMessage(self.tr("Nothing is ticked: tick weights in the tree to export them"), 6000)
            return None
        out = self.default_export(self.export_folder(), "pkl")
        return self.export_to(out, "pkl")

    def export_as(self) -> None:
        if self.graph is None or self.selection is None or not len(self.selection):
            self.export()
            return
        filters = {f"{desc} (*{SUFFIXES[f]})" if SUFFIXES[f] else f"{desc} (*)": f for f, desc in FORMATS.items()}
        start = self.default_export(self.export_folder(), "pkl")
        path, chosen = QFileDialog.getSaveFileName(self, self.tr("Export ticked weights"), start, ";;".join(filters))
        if not path:
            return
        fmt = filters.get(chosen, "pkl")
        if SUFFIXES[fmt] and not os.path.splitext(path)[1]:
            path += SUFFIXES[fmt]
        s = settings()
        s.setValue("export/lastFolder", os.path.dirname(os.path.abspath(path)))
        s.sync()
        ticked = self.selection.weights()
        quantized = sum(1 for w in ticked if w.quant is not None and not w.quant.applied)
        real = sum(1 for w in ticked if w.quant is not None and w.quant.applied)   # TF.js: read dequantized
        dequantize = bool(quantized) and self._yes(self.tr(
            "{n} of the ticked weights are stored quantized (TFLite). Write them as float32 real values, "
            "(q − zero point) × scale?\n\nNo writes the stored values.").format(n=f"{quantized:,}"))
        stored = not quantized and bool(real) and self._yes(self.tr(
            "{n} of the ticked weights are stored quantized (TF.js) and read as float32 real values. Write the "
            "stored uint8/uint16/float16 values instead?\n\nNo writes the real values.").format(n=f"{real:,}"))
        self.export_to(path, fmt, dequantize, stored)

    def _yes(self, question: str) -> bool:
        return QMessageBox.question(self, self.tr("Export ticked weights"), question, QMessageBox.Yes | QMessageBox.No,
                                    QMessageBox.No) == QMessageBox.Yes

    def default_export(self, folder: str | None, fmt: str) -> str:
        """``<folder or the model's folder>/<model name>_weights.pkl``. Folders (SavedModel
        ``…/half_plus_two/00000123``, checkpoints) are named after what holds them: core's
        rule, the one ``export`` without ``-o`` follows."""
        return default_export_path(os.path.abspath(self.graph.path), folder, fmt)

    def export_to(self, out: str, fmt: str, dequantize: bool = False, stored: bool = False) -> Worker:
        weights = self.selection.weights()
        model_path = self.graph.path
        return run_in_worker(
            self.jobs, lambda p: export_weights(weights, out, fmt, keys="tf1", progress=p, model_path=model_path,
                                                dequantize=dequantize, stored=stored),
            self._exported, self.show_error, progress=self.task_view, path=out, name="export",
            doing=self.tr("cannot export"),
            text=self.tr("Exporting {n} weights to {path}…").format(n=f"{len(weights):,}", path=out),
            cancelled_text=self.tr("Export cancelled; nothing was written"))

    def _exported(self, report: ExportReport) -> None:
        self.last_export = report
        left = ""
        if self.selection is not None and self.selection.unavailable:
            n = len(self.selection.unavailable)
            left = (self.tr("; {n} weight without values left out") if n == 1 else
                    self.tr("; {n} weights without values left out")).format(n=f"{n:,}")
        self.statusBar().showMessage(self.tr("Exported {n} tensors ({size}) to {path}").format(
            n=f"{report.count:,}", size=human_bytes(report.nbytes), path=report.path) + left, 15_000)
        self._update_selection_ui()
        self.export_done.emit(report)

    # -- TensorFlow ------------------------------------------------------------------------------------------------
    def missing_tensorflow(self, purpose: str) -> bool:
        """Whether TensorFlow is missing (an extra: ``pbscope[tf]``); if so, the one line that
        says what to install is shown. Restore and Unfreeze ask this first."""
        if tfimport.available():
            return False
        self.show_error(tfimport.missing_message(purpose))
        return True

    # -- compare -------------------------------------------------------------------------------------------------
    def compare_dialog(self, path: str | None = None) -> DiffDialog | None:
        """File ▸ Compare With… (Ctrl+D): pick B, then compare in the dialog."""
        if self.graph is None:
            return None
        d = self._diff_dialog()
        if path is None and not d.b_field.path():
            path, _ = QFileDialog.getOpenFileName(self, self.tr("Compare the open model with"),
                                                  self._start_folder(), file_filter())
        d.show()
        d.raise_()
        d.activateWindow()
        if path:
            d.compare_with(path)
        return d

    def _diff_dialog(self) -> DiffDialog:
        if self.diff_dialog is None:
            self.diff_dialog = DiffDialog(self.jobs, file_filter(), self)
            self.diff_dialog.key_activated.connect(self._show_key)
        self.diff_dialog.set_a(self.graph)
        return self.diff_dialog

    def _show_key(self, key: str) -> None:
        w = self.graph.find_weight(key) if self.graph is not None else None
        if w is None:
            self.statusBar().showMessage(self.tr("{key} is not in the open model").format(key=key), 5000)
            return
        self.navigate(w.name)
        self.raise_()
        self.activateWindow()

    # -- restore -------------------------------------------------------------------------------------------------
    def restore_into(self) -> RestoreDialog | None:
        """Tools ▸ Restore into Model…: the dialog, its source set to the open model (None,
        and a message, without TensorFlow)."""
        if self.missing_tensorflow("Restore"):
            return None
        if self.restore_dialog is None:
            self.restore_dialog = RestoreDialog(self.jobs, file_filter(), self)
            self.restore_dialog.applied.connect(self._restored)
            self.restore_dialog.key_activated.connect(self._show_key)
        self.restore_dialog.set_source(self.graph, self.selection)
        self.restore_dialog.show()
        self.restore_dialog.raise_()
        self.restore_dialog.activateWindow()
        return self.restore_dialog

    def _restored(self, result) -> None:
        checkpoint = getattr(result, "checkpoint", None)
        self.statusBar().showMessage(result.summary(), 15_000)
        self._show_result(self.tr("Restore complete — pbscope"),
                          self.tr("Restored {n} variables").format(n=f"{result.written:,}"),
                          result.summary(), result.out, "",
                          open_path=result.out if checkpoint else None,
                          parent=self.restore_dialog)

    # -- unfreeze -------------------------------------------------------------------------------------------------
    def default_unfreeze_dir(self) -> str:
        base = self.default_export(self.export_folder(), "npy")     # <folder>/<name>_weights
        return base[: -len("_weights")] + "_unfrozen" if base.endswith("_weights") else base + "_unfrozen"

    def unfreeze(self) -> Worker | None:
        """Tools ▸ Unfreeze to Checkpoint…: ask for a new folder, then unfreeze in a worker."""
        if not self.act_unfreeze.isEnabled() or self.graph is None or self.selection is None:
            self.statusBar().showMessage(self.act_unfreeze.toolTip(), 8000)
            return None
        if self.missing_tensorflow("Unfreeze"):
            return None
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Unfreeze into a new folder"), self.default_unfreeze_dir(),
                                              self.tr("Folder (*)"), "", QFileDialog.DontConfirmOverwrite)
        if not path:
            return None
        force = False
        if os.path.lexists(path):
            if not confirm_replace(self, path, "folder"):
                return None
            force = True
        return self.unfreeze_to(path, force)

    def unfreeze_to(self, outdir: str, force: bool = False) -> Worker:
        graph, weights = self.graph, self.selection.weights()

        def run(p: Progress):
            from ..core import (
                unfreeze as unfreeze_mod,  # TensorFlow is imported inside, in this worker
            )
            return unfreeze_mod.unfreeze(graph, outdir, weights=weights, force=force, progress=p)
        return run_in_worker(self.jobs, run, self._unfrozen, self.show_error, progress=self.task_view, path=outdir,
                             name="unfreeze", doing=self.tr("cannot unfreeze"), tf=True,
                             text=self.tr("Unfreezing {n} weights into {path} (TensorFlow loads the first "
                                          "time)…").format(n=f"{len(weights):,}", path=outdir),
                             cancelled_text=self.tr("Unfreeze cancelled; nothing was written"))

    def _unfrozen(self, report) -> None:
        self.last_unfreeze = report
        summary = report.summary()
        self.statusBar().showMessage(summary.splitlines()[0], 15_000)
        names = "\n".join(report.variables)
        details = (self.tr("Load it in TF1 to train:") + "\n"
                   f"    saver = tf.compat.v1.train.import_meta_graph(\"{report.checkpoint}.meta\")\n"
                   f"    saver.restore(sess, \"{report.checkpoint}\")\n\n"
                   + self.tr("Variables ({n}):").format(n=f"{len(report.variables):,}") + f"\n{names}")
        self._show_result(self.tr("Unfreeze complete — pbscope"),
                          self.tr("{n} weights are variables of a trainable TF1 checkpoint").format(
                              n=f"{len(report.variables):,}"),
                          summary, report.outdir, details, open_path=report.outdir)
        self.unfreeze_done.emit(report)

    def _show_result(self, title: str, headline: str, summary: str, path: str, details: str = "",
                     open_path: str | None = None, parent: QWidget | None = None) -> ResultDialog:
        if self.result_dialog is not None:
            self.result_dialog.close()
        d = ResultDialog(parent or self, title, headline, summary, path, details, open_path)
        d.open_requested.connect(self.open_path)
        d.setAttribute(Qt.WA_DeleteOnClose, False)
        d.open()
        self.result_dialog = d
        return d

    # -- the graph pane -----------------------------------------------------------------------------------
    def show_graph(self, on: bool = True) -> None:
        self.graph_pane.setVisible(bool(on))
        self.act_graph.setChecked(bool(on))
        QTimer.singleShot(0, self._fit_name_column)     # once the splitter has resized the tree
        if on:
            self._outline_matches()
            s = self.current_scope()
            if s is not None:
                self.graph_pane.reveal(s.path)

    def _outline_matches(self) -> None:
        result = self.tree_model.result
        self.graph_pane.set_matches(result.indices if result is not None else None)

    def export_picture(self, out: str | None = None) -> Worker | None:
        """The graph as the pane draws it, to an .svg or .png file."""
        view = self.graph_pane.current
        if view is None:
            self.statusBar().showMessage(self.tr("Show the graph first (View ▸ Graph, Ctrl+G)"), 5000)
            return None
        if out is None:
            start = os.path.join(self._start_folder(), model_name(view.graph.path).replace("/", "_") + "_graph.svg")
            out, _ = QFileDialog.getSaveFileName(self, self.tr("Export Graph Picture"), start,
                                                 self.tr("SVG picture (*.svg);;PNG picture (*.png)"))
            if not out:
                return None
        from ..core.graphview.picture import write_picture

        from .picture import svg_to_png
        return run_in_worker(self.jobs, lambda p: write_picture(view, out, svg_to_png),
                             lambda fmt: self.statusBar().showMessage(self.tr("Wrote {path}").format(path=out), 8000),
                             self.show_error, path=out, name="picture", doing=self.tr("cannot write the picture"))

    # -- window ----------------------------------------------------------------------------------------------
    def _update_title(self) -> None:
        if self.graph is None:
            self.setWindowTitle("pbscope")
        else:
            self.setWindowTitle(f"{model_name(self.graph.path)} — pbscope")

    def about(self) -> AboutBox:
        """Help ▸ About pbscope: what it is, and the versions it runs on (window-modal, never
        blocks the event loop)."""
        if self.about_box is not None:
            self.about_box.close()
        self.about_box = AboutBox(self)
        self.about_box.open()
        return self.about_box

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
            self.graph_pane.apply_palette()
            self.tree.viewport().update()
        super().changeEvent(event)

    def closeEvent(self, event) -> None:
        self.save_settings()
        for d in (self.diff_dialog, self.restore_dialog, self.result_dialog):
            if d is not None:
                d.close()
        self.jobs.cancel_all()
        self.jobs.wait(10_000)
        for box in (self.error_box, self.about_box):
            if box is not None:
                box.close()
        gc.unfreeze()       # the graph's objects back in the collector's care (frozen at load)
        super().closeEvent(event)
