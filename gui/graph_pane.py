"""The graph pane: how the ops connect, one scope at a time, child scopes as boxes that
open in place (double-click or Enter), a breadcrumb above.

Layouts run in a worker (core.graphview.build_view); the pane shows the last one that
finished and drops any that a newer request overtook. Clicks, the context menu and the
arrow keys only emit signals or start layouts: the window ties them to the tree, the
details, the ticks and the history.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QPainter, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..core.graphview import View, build_view, graph_index
from ..core.model import Graph, Weight

from .fmt import error_line
from .graph_canvas import Colors, GraphCanvas
from .workers import Jobs, Worker

ZOOM_STEP = 1.25
READABLE = 0.8           # the zoom a box revealed from the tree is shown at, at least
MIN_ZOOM, MAX_ZOOM = 0.02, 4.0


class GraphView(QGraphicsView):
    """Wheel zoom at the cursor, drag to pan, keys for fit, zoom and moving along edges."""
    clicked = Signal(object, object)          # Item | None, row name | None
    double_clicked = Signal(object)           # Item
    context = Signal(object, object, object)  # Item, row name | None, global pos
    key = Signal(str)                         # "up", "down", "left", "right", "enter"

    def __init__(self, scene: QGraphicsScene, canvas: GraphCanvas, parent=None):
        super().__init__(scene, parent)
        self.canvas = canvas
        self.setObjectName("graphView")
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.SmartViewportUpdate)
        self.setFrameShape(QFrame.NoFrame)
        self.setFocusPolicy(Qt.StrongFocus)
        self._press: QPointF | None = None

    @property
    def zoom(self) -> float:
        return self.transform().m11()

    def zoom_by(self, factor: float, anchor_under_mouse: bool = True) -> None:
        factor = max(MIN_ZOOM / self.zoom, min(MAX_ZOOM / self.zoom, factor))
        self.setTransformationAnchor(QGraphicsView.AnchorUnderMouse if anchor_under_mouse
                                     else QGraphicsView.AnchorViewCenter)
        self.scale(factor, factor)
        self.setTransformationAnchor(QGraphicsView.AnchorUnderMouse)

    def fit(self) -> None:
        r = self.canvas.boundingRect()
        if r.isEmpty():
            return
        self.fitInView(r, Qt.KeepAspectRatio)
        if self.zoom > 1.0:          # a small graph: natural size, centred
            self.resetTransform()
            self.centerOn(r.center())

    def wheelEvent(self, event) -> None:
        if event.modifiers() & Qt.ShiftModifier:     # Shift+wheel pans sideways
            super().wheelEvent(event)
            return
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom_by(ZOOM_STEP ** steps)
        event.accept()

    def mousePressEvent(self, event) -> None:
        self._press = event.position()
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        super().mouseReleaseEvent(event)
        if event.button() == Qt.LeftButton and self._press is not None:
            moved = (event.position() - self._press).manhattanLength()
            if moved < 4:            # a click, not the end of a drag
                p = self.mapToScene(event.position().toPoint())
                it = self.canvas.item_at(p)
                self.clicked.emit(it, self.canvas.row_at(it, p) if it is not None else None)
        self._press = None

    def mouseDoubleClickEvent(self, event) -> None:
        it = self.canvas.item_at(self.mapToScene(event.position().toPoint()))
        if it is not None:
            self.double_clicked.emit(it)
        event.accept()

    def contextMenuEvent(self, event) -> None:
        p = self.mapToScene(event.pos())
        it = self.canvas.item_at(p)
        if it is not None:
            self.context.emit(it, self.canvas.row_at(it, p), event.globalPos())

    def keyPressEvent(self, event) -> None:
        k = event.key()
        keys = {Qt.Key_Up: "up", Qt.Key_Down: "down", Qt.Key_Left: "left", Qt.Key_Right: "right",
                Qt.Key_Return: "enter", Qt.Key_Enter: "enter"}
        if k in keys and not event.modifiers() & (Qt.AltModifier | Qt.ControlModifier):
            self.key.emit(keys[k])
        elif k == Qt.Key_F and not event.modifiers():
            self.fit()
        elif k in (Qt.Key_Plus, Qt.Key_Equal):
            self.zoom_by(ZOOM_STEP, anchor_under_mouse=False)
        elif k == Qt.Key_Minus:
            self.zoom_by(1 / ZOOM_STEP, anchor_under_mouse=False)
        else:
            super().keyPressEvent(event)


class GraphPane(QWidget):
    activated = Signal(str)          # an op name or scope path to make current (tree, details)
    tick = Signal(object, bool)      # [Weight], ticked
    laid_out = Signal(object)        # View: a layout has been shown
    message = Signal(str)            # a line for the status bar

    def __init__(self, jobs: Jobs, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("graphPane")
        self.jobs = jobs
        self.graph: Graph | None = None
        self.selection = None
        self.view_scope = ""
        self.expanded: set[str] = set()
        self.direction = "TB"
        self.constants = False
        self._generation = 0
        self._worker: Worker | None = None
        self.current: View | None = None
        self.canvas = GraphCanvas()
        self.scene = QGraphicsScene(self)
        self.scene.setItemIndexMethod(QGraphicsScene.NoIndex)
        self.scene.addItem(self.canvas)
        self.view = GraphView(self.scene, self.canvas, self)
        self.view.clicked.connect(self._clicked)
        self.view.double_clicked.connect(self.toggle)
        self.view.context.connect(self._menu)
        self.view.key.connect(self._key)
        self._build_bar()
        self.notes = QLabel(self)
        self.notes.setObjectName("graphNotes")
        self.notes.setWordWrap(True)
        self.notes.setContentsMargins(8, 2, 8, 4)
        self.notes.hide()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.bar)
        lay.addWidget(self.view, 1)
        lay.addWidget(self.notes)
        self.busy = QLabel(self.tr("Laying out…"), self.view)
        self.busy.setObjectName("graphBusy")
        self.busy.setStyleSheet("background: rgba(40,50,60,170); color: white; padding: 4px 10px; "
                                "border-radius: 4px;")
        self.busy.hide()
        self._busy_timer = QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.timeout.connect(self._show_busy)
        self.apply_palette()

    def _build_bar(self) -> None:
        self.bar = QWidget(self)
        self.bar.setObjectName("graphBar")
        row = QHBoxLayout(self.bar)
        row.setContentsMargins(6, 3, 6, 3)
        row.setSpacing(2)
        self.crumbs = QWidget(self.bar)
        self.crumbs_row = QHBoxLayout(self.crumbs)
        self.crumbs_row.setContentsMargins(0, 0, 0, 0)
        self.crumbs_row.setSpacing(0)
        row.addWidget(self.crumbs, 1)

        def button(text, tip, slot, checkable=False):
            b = QToolButton(self.bar)
            b.setText(text)
            b.setToolTip(tip)
            b.setAutoRaise(True)
            b.setCheckable(checkable)
            b.clicked.connect(slot)
            row.addWidget(b)
            return b
        self.btn_direction = button(self.tr("Top → bottom"),
                                    self.tr("Data flows top to bottom; click for left to right"),
                                    self.toggle_direction)
        self.btn_constants = button(self.tr("Constants"), self.tr("Draw every constant as its own node, not "
                                    "folded into the op that reads it"), self.toggle_constants, checkable=True)
        self.btn_collapse = button(self.tr("Collapse"), self.tr("Close every opened scope"), self.collapse_all)
        self.btn_fit = button(self.tr("Fit"), self.tr("Fit the picture in the pane (F)"), self.view.fit)

    def apply_palette(self) -> None:
        dark = QGuiApplication.palette().color(QPalette.Window).lightness() < 128
        self.canvas.colors = Colors(dark)
        self.view.setBackgroundBrush(self.canvas.colors.canvas)
        self.canvas.update()

    def changeEvent(self, event) -> None:
        if event.type() in (QEvent.PaletteChange, QEvent.ApplicationPaletteChange):
            self.apply_palette()
        super().changeEvent(event)

    # -- the model ----------------------------------------------------------------------------
    def set_graph(self, graph: Graph | None, selection=None) -> None:
        self.graph, self.selection = graph, selection
        self.view_scope = ""
        self.expanded = set()
        self.canvas.selected = None
        self.canvas.set_matches(None)
        self.canvas.set_view(None)
        self.current = None
        if selection is not None:
            self.canvas.is_ticked = selection.__contains__
            self.canvas.tickable = self._tickable
        self._update_crumbs()
        if graph is not None and self.isVisible():
            self.relayout(fit=True)

    def _tickable(self, name: str) -> bool:
        w = self.graph.weight_of(name) if self.graph is not None else None
        return w is not None and w.available

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.graph is not None and self.current is None and self._worker is None:
            self.relayout(fit=True)

    def refresh_ticks(self) -> None:
        self.canvas.update()

    def set_matches(self, positions) -> None:
        """Outline what the filter matched: op positions in ``graph.all_ops``, or None."""
        self.canvas.set_matches(positions)

    # -- layouts ------------------------------------------------------------------------------
    def relayout(self, reveal: str | None = None, select: str | None = None, row: str | None = None,
                 fit: bool = False) -> Worker | None:
        if self.graph is None:
            return None
        self._generation += 1
        gen = self._generation
        g, scope, expanded = self.graph, self.view_scope, set(self.expanded)
        direction, constants = self.direction, self.constants

        def run(progress):
            graph_index(g)          # built once per graph, here rather than on the GUI thread
            progress.report(0.5, "laying out")
            return build_view(g, scope, expanded, direction=direction, constants=constants, reveal=reveal)

        if self._worker is not None:
            self._worker.cancel()
        worker = Worker(run, path=g.path, name="layout")
        worker.signals.result.connect(lambda v, w=worker: self._shown(w, gen, v, select, row, reveal, fit))
        worker.signals.error.connect(lambda e, tb, w=worker: self._failed(w, gen, e))
        worker.signals.cancelled.connect(lambda w=worker: self._done(w))
        self._worker = worker
        self._busy_timer.start(150)      # quick layouts never flash the label
        self.jobs.start(worker)
        return worker

    def _done(self, worker: Worker) -> None:
        if worker is self._worker:
            self._worker = None
            self._busy_timer.stop()
            self.busy.hide()

    def _show_busy(self) -> None:
        self.busy.adjustSize()
        self.busy.move(10, 10)
        self.busy.show()
        self.busy.raise_()

    def _failed(self, worker: Worker, gen: int, e: Exception) -> None:
        self._done(worker)
        if gen == self._generation:
            self.message.emit(error_line(e, self.graph.path if self.graph else None,
                                         self.tr("cannot draw the graph")))

    def _shown(self, worker, gen: int, view: View, select, row, reveal, fit: bool) -> None:
        self._done(worker)
        if gen != self._generation or view.graph is not self.graph:
            return            # overtaken by a newer request, or another model
        old_center = self.view.mapToScene(self.view.viewport().rect().center())
        anchor = self.canvas.selected.id if self.canvas.selected is not None else None
        anchor_pos = self._pos_of(anchor)
        self.current = view
        self.expanded = {it.id for it in view.items if it.expanded}
        self.canvas.set_view(view)
        self.scene.setSceneRect(self.canvas.boundingRect())
        target = None
        if reveal:
            target = view.box_of(reveal)
            row = reveal if target is not None and target.kind == "op" and target.id != reveal else row
        elif select:
            target = view.find(select)
        elif anchor is not None:
            target = view.find(anchor)
        self.canvas.selected = target
        self.canvas.selected_row = row
        self._update_crumbs()
        self.notes.setText("  ·  ".join(view.notes))
        self.notes.setVisible(bool(view.notes))
        if fit:
            self.view.fit()
        elif target is not None and (reveal or select):
            if reveal and self.view.zoom < READABLE:     # revealed from the tree: make it legible
                self.view.zoom_by(READABLE / self.view.zoom, anchor_under_mouse=False)
            self.view.centerOn(QRectF(target.x, target.y, target.w, target.h).center())
        elif anchor_pos is not None and target is not None:    # keep the box in the same place
            new_pos = QPointF(target.x, target.y)
            self.view.centerOn(old_center + (new_pos - anchor_pos))
        self.canvas.update()
        self.laid_out.emit(view)

    def _pos_of(self, item_id: str | None) -> QPointF | None:
        if item_id is None or self.current is None:
            return None
        it = self.current.find(item_id)
        return QPointF(it.x, it.y) if it is not None else None

    # -- what the window asks -------------------------------------------------------------------
    def reveal(self, name: str) -> None:
        """Select the box showing op or scope ``name``, opening scopes down to it and centring it."""
        if self.graph is None:
            return
        target = self.current.box_of(name) if self.current is not None else None
        if target is not None and _shows(target, name):
            self.canvas.selected = target
            self.canvas.selected_row = name if target.kind == "op" and target.id != name else None
            self.canvas.update()
            r = QRectF(target.x, target.y, target.w, target.h)
            if not self.view.mapToScene(self.view.viewport().rect()).boundingRect().contains(r):
                self.view.centerOn(r.center())
            return
        if self.view_scope and not name.startswith(self.view_scope + "/"):
            self.view_scope = ""        # outside the scope drawn: back to the top level
        self.relayout(reveal=name)

    def toggle(self, it) -> None:
        """Open a closed box in place, close an open one."""
        if not it.expandable or self.graph is None:
            return
        if it.expanded:
            self.expanded = {e for e in self.expanded if e != it.id and not e.startswith(it.id.rstrip("/") + "/")}
        else:
            self.expanded.add(it.id)
        self.canvas.selected = it
        self.relayout(select=it.id)

    def collapse_all(self) -> None:
        self.expanded = set()
        self.relayout(fit=True)

    def toggle_direction(self) -> None:
        self.direction = "LR" if self.direction == "TB" else "TB"
        if self.direction == "LR":
            self.btn_direction.setText(self.tr("Left → right"))
            self.btn_direction.setToolTip(self.tr("Data flows left to right; click for top to bottom"))
        else:
            self.btn_direction.setText(self.tr("Top → bottom"))
            self.btn_direction.setToolTip(self.tr("Data flows top to bottom; click for left to right"))
        self.relayout(fit=True)

    def toggle_constants(self) -> None:
        self.constants = self.btn_constants.isChecked()
        self.relayout()

    def enter_scope(self, path: str) -> None:
        """Draw only what is inside scope ``path`` (the breadcrumb leads back)."""
        self.view_scope = path.rstrip("/")
        self.expanded = {e for e in self.expanded if e.startswith(self.view_scope + "/")}
        self.relayout(fit=True)

    # -- breadcrumb -----------------------------------------------------------------------------
    def _update_crumbs(self) -> None:
        row = self.crumbs_row
        while row.count():
            w = row.takeAt(0).widget()
            if w is not None:
                w.deleteLater()
        parts = self.view_scope.split("/") if self.view_scope else []
        name = self.graph.path.rsplit("/", 1)[-1] if self.graph is not None else self.tr("No model")
        for k in range(len(parts) + 1):
            path = "/".join(parts[:k])
            b = QToolButton(self.crumbs)
            b.setText(name if k == 0 else parts[k - 1])
            b.setAutoRaise(True)
            b.setToolTip(self.tr("The top level") if k == 0 else self.tr("Draw only {path}").format(path=path))
            b.setEnabled(k < len(parts))
            b.clicked.connect(lambda _=False, p=path: self.enter_scope(p))
            if k:
                row.addWidget(QLabel("›", self.crumbs))
            row.addWidget(b)
        row.addStretch(1)

    def crumb_texts(self) -> list[str]:
        row = self.crumbs_row
        return [w.text() for w in (row.itemAt(k).widget() for k in range(row.count()))
                if isinstance(w, QToolButton)]

    # -- interaction ----------------------------------------------------------------------------
    def _clicked(self, it, row) -> None:
        self.canvas.selected = it
        self.canvas.selected_row = row
        self.canvas.update()
        if it is None:
            return
        target = row or _path_of(it)
        if target:
            self.activated.emit(target)

    def _key(self, key: str) -> None:
        view, it = self.current, self.canvas.selected
        if view is None:
            return
        if it is None:
            if view.items:
                self._select(view.items[0])
            return
        if key == "enter":
            self.toggle(it)
            return
        tb = self.direction == "TB"
        move = ({"up": "in", "down": "out", "left": "prev", "right": "next"} if tb else
                {"left": "in", "right": "out", "up": "prev", "down": "next"})[key]
        if move == "in":
            ends = [e.src for e in view.edges if e.dst is it]
        elif move == "out":
            ends = [e.dst for e in view.edges if e.src is it]
        else:       # a neighbour in the same layer: beside it across the flow, level along it
            def across(k):
                return k.x + k.w / 2 if tb else k.y + k.h / 2

            def along(k):
                return (k.y + k.h / 2, k.h) if tb else (k.x + k.w / 2, k.w)
            sign = -1 if move == "prev" else 1
            ends = [k for k in (it.parent.children if it.parent else []) if k is not it
                    and sign * (across(k) - across(it)) > 0
                    and abs(along(k)[0] - along(it)[0]) < max(along(k)[1], along(it)[1])]
        if ends:
            cx, cy = it.x + it.w / 2, it.y + it.h / 2
            self._select(min(ends, key=lambda k: abs(k.x + k.w / 2 - cx) + abs(k.y + k.h / 2 - cy)))

    def _select(self, it) -> None:
        self.canvas.selected, self.canvas.selected_row = it, None
        self.canvas.update()
        self.view.ensureVisible(QRectF(it.x, it.y, it.w, it.h), 40, 40)
        target = _path_of(it)
        if target:
            self.activated.emit(target)

    def weights_of(self, it) -> list[Weight]:
        """The weights a box holds: its rows, its own op's, and everything below a scope."""
        g = self.graph
        if g is None:
            return []
        out: list[Weight] = []
        seen: set[str] = set()

        def add(w):
            if w is not None and w.available and w.name not in seen:
                seen.add(w.name)
                out.append(w)
        if it.kind == "op":
            if it.node >= 0:
                add(g.weight_of(it.id))
            for r in it.rows:
                add(g.weight_of(r.name))
            return out
        ix = graph_index(g)
        for a, b in it.spans:
            for k in range(a, b):
                s = ix.nodes[k]
                if s.weight is not None:
                    add(s.weight)
        return out

    def _menu(self, it, row, pos) -> None:
        m = QMenu(self)
        ws = self.weights_of(it)
        if ws:
            n = len(ws)
            tick = self.tr("Tick {n} Weight") if n == 1 else self.tr("Tick {n} Weights")
            m.addAction(tick.format(n=f"{n:,}"), lambda: self.tick.emit(ws, True))
            m.addAction(self.tr("Untick"), lambda: self.tick.emit(ws, False))
            previews = m.addMenu(self.tr("Preview"))
            for w in ws[:30]:
                previews.addAction(w.var_name, lambda n=w.name: self.activated.emit(n))
            m.addSeparator()
        if it.expandable:
            m.addAction(self.tr("Collapse") if it.expanded else self.tr("Expand"), lambda: self.toggle(it))
        if it.kind == "scope" and not it.group and it.scope is not None:
            m.addAction(self.tr("Draw Only This Scope"), lambda: self.enter_scope(it.scope.path))
        path = _path_of(it)
        if path:
            m.addAction(self.tr("Copy Name"), lambda: QGuiApplication.clipboard().setText(path))
        if not m.isEmpty():
            m.exec(pos)


def _path_of(it) -> str | None:
    """The tree path a box stands for (a made-up group or stub has none)."""
    if it.missing or it.group:
        return None
    if it.kind == "scope":
        return it.scope.path if it.scope is not None else None
    return it.id


def _shows(it, name: str) -> bool:
    """Does box ``it`` show ``name`` itself (not just hold it, closed)?"""
    return it.id in (name, name + "/") or (it.kind == "op" and any(r.name == name for r in it.rows))
