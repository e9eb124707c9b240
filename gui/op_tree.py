"""The ops tree: a QAbstractItemModel over core's scope tree, and its delegate.

The model adds nothing per op: an index's internal pointer is a core ``Scope`` view
of a tree node, made when the view first asks for that row, and a node's children
are a slice of the tree's arrays (``ScopeTree.kids``), so setting a model of any
size is O(1). Filtering (core.filter) gives a mask over the tree's nodes; a
parent's shown rows are its children's slice masked by it, made when the view
first asks. (A QSortFilterProxyModel was tried first: its hasChildren() filters
every child of each row on screen, and it re-filters every mapping on each
keystroke: 100-400 ms a keystroke at 35k ops.) A filter change resets the model,
which is O(1); the window re-expands what should show.
"""
from __future__ import annotations

import re

from PySide6.QtCore import QT_TRANSLATE_NOOP, QAbstractItemModel, QCoreApplication, QModelIndex, QObject, QRect, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
)

from ..core.filter import (  # noqa: F401 - the filter bar and tests import them from here
    MODES,
    FilterIndex,
    FilterQuery,
    FilterResult,
    compile_query,
    highlight_spans,
)
from ..core.model import Graph, Op, Scope

from .fmt import human_bytes, shape_text
from .icons import IconSet
from .selection import CHECKED, PARTIAL, Selection

NAME, TYPE, SHAPE, DTYPE, PARAMS, SIZE = range(6)
HEADERS = (QT_TRANSLATE_NOOP("OpTreeModel", "Name"), QT_TRANSLATE_NOOP("OpTreeModel", "Type"),
           QT_TRANSLATE_NOOP("OpTreeModel", "Shape"), QT_TRANSLATE_NOOP("OpTreeModel", "DType"),
           QT_TRANSLATE_NOOP("OpTreeModel", "Params"), QT_TRANSLATE_NOOP("OpTreeModel", "Size"))
SCOPE_ROLE = int(Qt.UserRole) + 1      # the Scope node
PATH_ROLE = int(Qt.UserRole) + 2       # its path (op name for ops)

# data() runs for every cell painted: compare plain ints (an int == Qt enum
# comparison costs ~3 µs in PySide6) and build flag values once.
_DISPLAY, _DECORATION, _TOOLTIP = int(Qt.DisplayRole), int(Qt.DecorationRole), int(Qt.ToolTipRole)
_ALIGN, _FOREGROUND, _CHECKSTATE = int(Qt.TextAlignmentRole), int(Qt.ForegroundRole), int(Qt.CheckStateRole)
_FONT = int(Qt.FontRole)
KEPT_APART_TIP = QT_TRANSLATE_NOOP("OpTreeModel", "kept apart: not exported by default (tick it to export it)")
_RIGHT = int(Qt.AlignRight | Qt.AlignVCenter)
_FLAGS = Qt.ItemIsEnabled | Qt.ItemIsSelectable
_FLAGS_CHECK = _FLAGS | Qt.ItemIsUserCheckable
_NO_FLAGS = Qt.NoItemFlags
_CHECK = {0: Qt.Unchecked, PARTIAL: Qt.PartiallyChecked, CHECKED: Qt.Checked}


# -- filtering: core.filter (the rules ``ls`` shares) ---------------------------

def _counts() -> dict[str, tuple[str, str]]:
    """The tree's count texts in the UI's language: {word: (one, many)}, each with {n}."""
    return {"op": (QCoreApplication.translate("OpTreeModel", "{n} op"),
                   QCoreApplication.translate("OpTreeModel", "{n} ops")),
            "weight": (QCoreApplication.translate("OpTreeModel", "{n} weight"),
                       QCoreApplication.translate("OpTreeModel", "{n} weights")),
            "function": (QCoreApplication.translate("OpTreeModel", "function · {n} op"),
                         QCoreApplication.translate("OpTreeModel", "function · {n} ops"))}


def _plural(n: int, word: str, counts: dict | None = None) -> str:
    one, many = (counts or _counts())[word]
    return (one if n == 1 else many).format(n=f"{n:,}")


# -- the model ----------------------------------------------------------------

class OpTreeModel(QAbstractItemModel):
    """Columns: name, op type, shape, dtype, params, bytes; tri-state ticks in column 0.

    Shows the rows a FilterResult leaves visible (``set_filter``), or all of them.
    """

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.graph: Graph | None = None
        self.root: Scope | None = None
        self.selection: Selection | None = None
        self.result: FilterResult | None = None
        self.icons = IconSet()
        self._shown = None                          # over the tree's nodes: those the filter shows
        self._rows: dict = {}                       # node → its shown children, while filtering
        self._row_of: dict[int, int] = {}           # node → row, filled per sibling list, while filtering
        self._info: dict[int, tuple[str, str]] = {}   # op index → (shape, dtype) text
        self.functions: set[str] = set()            # top-level scopes that are library functions
        self._dim = QColor()
        self._italic = QFont()
        self._counts = _counts()                    # translated once: data() runs per cell painted
        self.refresh_palette()

    # -- setup --------------------------------------------------------------
    def set_graph(self, graph: Graph | None, root: Scope | None, selection: Selection | None,
                  functions: set[str] | None = None) -> None:
        self.beginResetModel()
        self.graph, self.root, self.selection = graph, root, selection
        self.functions = set(functions or ())
        self.result, self._shown = None, None
        self._rows, self._row_of, self._info = {}, {}, {}
        self.endResetModel()

    def set_filter(self, result: FilterResult | None) -> None:
        """Show what ``result`` leaves visible (None: everything). O(1): rows are made on demand."""
        self.beginResetModel()
        self.result = result
        self._shown = result.shown if result is not None else None
        self._rows, self._row_of = {}, {}
        self.endResetModel()

    @property
    def pattern(self) -> re.Pattern | None:
        return self.result.pattern if self.result is not None else None

    def refresh_palette(self) -> None:
        self.icons.refresh()
        self._dim = QGuiApplication.palette().color(QPalette.PlaceholderText)
        self._italic = QFont(QGuiApplication.font())
        self._italic.setItalic(True)

    def checks_changed(self) -> None:
        """The ticked set changed: repaint every check box (state is computed on demand)."""
        if self.root is not None:
            n = self.rowCount()
            if n:
                self.dataChanged.emit(self.index(0, NAME), self.index(n - 1, NAME), [Qt.CheckStateRole])

    # -- structure ------------------------------------------------------------
    def _kids(self, p: Scope):
        """Node numbers of the rows shown under ``p``."""
        kids = p.tree.kids(p.node)
        if self._shown is None:
            return kids
        rows = self._rows.get(p.node)
        if rows is None:
            rows = self._rows[p.node] = kids[self._shown[kids]]
        return rows

    def shown_rows(self, p: Scope) -> list[Scope]:
        """The rows shown under ``p``."""
        view = p.tree.view
        return [view(c) for c in self._kids(p).tolist()]

    def is_shown(self, scope: Scope) -> bool:
        return self._shown is None or bool(self._shown[scope.node])

    def scope(self, index: QModelIndex) -> Scope | None:
        return index.internalPointer() if index.isValid() else self.root

    def index(self, row: int, column: int, parent: QModelIndex = QModelIndex()) -> QModelIndex:
        p = parent.internalPointer() if parent.isValid() else self.root
        if p is None or column < 0 or column >= len(HEADERS):
            return QModelIndex()
        kids = self._kids(p)
        if 0 <= row < len(kids):
            return self.createIndex(row, column, p.tree.view(int(kids[row])))
        return QModelIndex()

    def parent(self, index: QModelIndex = None):  # noqa: D401 - also QObject.parent()
        if index is None:
            return QObject.parent(self)
        if not index.isValid():
            return QModelIndex()
        p = index.internalPointer().parent
        if p is None or p is self.root:
            return QModelIndex()
        return self.createIndex(self.row_of(p), 0, p)

    def row_of(self, scope: Scope) -> int:
        if self._shown is None:
            return scope.tree.row_in_parent(scope.node)
        row = self._row_of.get(scope.node)
        if row is None:
            parent = scope.parent
            rows = {int(k): i for i, k in enumerate(self._kids(parent).tolist())}
            self._row_of.update(rows)
            row = rows.get(scope.node, -1)
        return row

    def index_of(self, scope: Scope | None, column: int = NAME) -> QModelIndex:
        """The index of a node, invalid if it is the root or filtered out."""
        if scope is None or scope is self.root or scope.parent is None or not self.is_shown(scope):
            return QModelIndex()
        row = self.row_of(scope)
        return self.createIndex(row, column, scope) if row >= 0 else QModelIndex()

    def find(self, path: str) -> Scope | None:
        return self.root.find(path) if self.root is not None and path else None

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        if parent.column() > 0:
            return 0
        p = parent.internalPointer() if parent.isValid() else self.root
        if p is None:
            return 0
        return len(self._kids(p))

    def hasChildren(self, parent: QModelIndex = QModelIndex()) -> bool:
        if parent.column() > 0:
            return False
        p = parent.internalPointer() if parent.isValid() else self.root
        if p is None:
            return False
        if self._shown is None:
            return p.has_children
        return p is self.root or len(self._kids(p)) > 0

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return len(HEADERS)

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation == Qt.Horizontal:
            if role == Qt.DisplayRole:
                return QCoreApplication.translate("OpTreeModel", HEADERS[section])
            if role == Qt.TextAlignmentRole and section in (PARAMS, SIZE):
                return int(Qt.AlignRight | Qt.AlignVCenter)
        return None

    def flags(self, index: QModelIndex):
        if not index.isValid():
            return _NO_FLAGS
        if index.column() == NAME and self.selection is not None \
                and self.selection.state(index.internalPointer()) is not None:
            return _FLAGS_CHECK
        return _FLAGS

    # -- data -----------------------------------------------------------------
    def op_info(self, op: Op) -> tuple[str, str]:
        """(shape, dtype) text for an op row; cached, only rows on screen ask."""
        info = self._info.get(op.index)
        if info is None:
            w = op.weight
            if w is None and op.type == "Const" and self.graph is not None:
                w = self.graph.const_weight(op, op.name, rule="structural")
            if w is not None:
                dt = w.dtype_name + (" (q)" if w.dtype is not None and w.dtype.quantized else "")
                info = (shape_text(w.shape, compact=True), dt)
            else:
                try:
                    attrs = op.attrs
                except Exception:  # noqa: BLE001 - a malformed attr must not break painting
                    attrs = {}
                shape = attrs.get("shape")
                dt = attrs.get("dtype") or attrs.get("T") or attrs.get("DstT") or ""
                info = (shape_text(shape, compact=True) if isinstance(shape, list) else "",
                        dt if isinstance(dt, str) else "")
            self._info[op.index] = info
        return info

    def is_function(self, s: Scope) -> bool:
        """A top-level scope holding a function of the library (SavedModels, TF2 graphs)."""
        return s.op is None and s.parent is self.root and s.name in self.functions

    def is_extra(self, s: Scope) -> bool:
        return s.weight is not None and self.selection is not None and self.selection.is_extra(s.path)

    def kind(self, s: Scope) -> str:
        w = s.weight
        if w is not None:
            if not w.available:
                return "weight_off"
            return "weight_extra" if self.is_extra(s) else "weight"
        op = s.op
        if op is None:
            return "function" if self.functions and self.is_function(s) else "scope"
        if op.type == "Const":
            return "const"
        if op.type in ("Placeholder", "PlaceholderWithDefault"):
            return "input"
        return "scope" if s.has_children else "op"

    def data(self, index: QModelIndex, role: int = 0):
        if not index.isValid():
            return None
        s: Scope = index.internalPointer()
        col = index.column()
        if role == _DISPLAY:
            op = s.op
            if col == NAME:
                return s.name
            if col == TYPE:
                if op is not None:
                    return op.type
                if self.functions and self.is_function(s):
                    return _plural(s.op_count, "function", self._counts)
                return _plural(s.op_count, "op", self._counts)
            if col == SHAPE:
                if op is not None:
                    return self.op_info(op)[0]
                return _plural(s.weight_count, "weight", self._counts) if s.weight_count else ""
            if col == DTYPE:
                return self.op_info(op)[1] if op is not None else ""
            if col == PARAMS:
                return f"{s.params:,}" if s.params else ""
            if col == SIZE:
                return human_bytes(s.nbytes) if s.nbytes else ""
            return None
        if col == NAME:
            if role == _CHECKSTATE:
                if self.selection is None:
                    return None
                st = self.selection.state(s)
                return None if st is None else _CHECK[st]
            if role == _DECORATION:
                return self.icons.get(self.kind(s))
        if role == _FOREGROUND:
            w = s.weight
            if w is not None and w.error is not None:
                return self._dim        # no values in the file: greyed
            return self._dim if s.op is None and (col == TYPE or col == SHAPE) else None
        if role == _ALIGN:
            return _RIGHT if col >= PARAMS else None
        if role == _FONT:
            return self._italic if s.weight is not None and self.is_extra(s) else None
        if role == _TOOLTIP:
            return self._tooltip(s)
        if role == SCOPE_ROLE:
            return s
        if role == PATH_ROLE:
            return s.path
        return None

    def _tooltip(self, s: Scope) -> str:
        lines = [s.path]
        if s.op is not None:
            lines.append(QCoreApplication.translate("OpTreeModel", "{type} op").format(type=s.op.type))
        w = s.weight
        if w is not None:
            lines.append(QCoreApplication.translate("OpTreeModel", "weight {key}  {shape} {dtype}").format(
                key=w.key, shape=shape_text(w.shape, compact=True), dtype=w.dtype_name))
            if w.raw_key:
                lines.append(QCoreApplication.translate("OpTreeModel", "checkpoint key {key}").format(key=w.raw_key))
            if not w.available:
                lines.append(QCoreApplication.translate(
                    "OpTreeModel", "no values, cannot be exported: {error}").format(error=w.error))
            elif self.is_extra(s):
                lines.append(QCoreApplication.translate("OpTreeModel", KEPT_APART_TIP))
        if self.functions and self.is_function(s):
            lines.append(QCoreApplication.translate("OpTreeModel", "a function of the graph's function library"))
        if s.has_children:
            lines.append(QCoreApplication.translate(
                "OpTreeModel", "{ops} ops, {weights} weights, {params} params, {size}").format(
                ops=f"{s.op_count:,}", weights=f"{s.weight_count:,}", params=f"{s.params:,}",
                size=human_bytes(s.nbytes)))
        return "\n".join(lines)

    def setData(self, index: QModelIndex, value, role: int = Qt.EditRole) -> bool:
        if int(role) != _CHECKSTATE or not index.isValid() or self.selection is None:
            return False
        s: Scope = index.internalPointer()
        want = Qt.CheckState(value) if not isinstance(value, Qt.CheckState) else value
        ticked = want != Qt.Unchecked
        self.selection.tick_scope(s, ticked)
        return True


class HighlightDelegate(QStyledItemDelegate):
    """Paints the name column with the filter's matches on a highlight-coloured band."""

    def __init__(self, model: OpTreeModel, parent: QObject | None = None):
        super().__init__(parent)
        self.model = model

    def initStyleOption(self, option, index) -> None:
        super().initStyleOption(option, index)
        if index.column() == NAME:
            # Fusion outlines check boxes with Window.darker(140), which vanishes on a dark
            # Base: give the indicator a Window colour between Text and Base instead.
            pal = option.palette
            base, text = pal.color(QPalette.Base), pal.color(QPalette.Text)
            if base.lightness() < 128:
                mix = QColor((text.red() * 3 + base.red() * 2) // 5, (text.green() * 3 + base.green() * 2) // 5,
                             (text.blue() * 3 + base.blue() * 2) // 5)
                pal.setColor(QPalette.Window, mix)
                option.palette = pal

    def paint(self, painter, option, index) -> None:
        pattern = self.model.pattern
        if pattern is None or index.column() != NAME:
            super().paint(painter, option, index)
            return
        s = index.data(SCOPE_ROLE)
        spans = highlight_spans(pattern, s.path, s.name) if s is not None else []
        if not spans:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        text = opt.text
        text_rect = style.subElementRect(QStyle.SE_ItemViewItemText, opt, widget)
        opt.text = ""
        style.drawControl(QStyle.CE_ItemViewItem, opt, painter, widget)

        margin = style.pixelMetric(QStyle.PM_FocusFrameHMargin, None, widget) + 1
        r = text_rect.adjusted(margin, 0, -margin, 0)
        fm = opt.fontMetrics
        shown = fm.elidedText(text, Qt.ElideRight, r.width())
        keep = len(shown) if shown == text else max(len(shown) - 1, 0)  # drop the "…"
        selected = bool(opt.state & QStyle.State_Selected)
        group = QPalette.Active if opt.state & QStyle.State_Active else QPalette.Inactive
        band = QColor(opt.palette.color(group, QPalette.HighlightedText if selected else QPalette.Highlight))
        band.setAlpha(70 if selected else 80)
        painter.save()
        painter.setFont(opt.font)
        top, height = r.top() + (r.height() - fm.height()) // 2, fm.height()
        for a, b in spans:
            b = min(b, keep)
            if b <= a:
                continue
            x0 = r.left() + fm.horizontalAdvance(shown[:a])
            w = fm.horizontalAdvance(shown[a:b])
            painter.fillRect(QRect(x0, top, w, height), band)
        painter.setPen(opt.palette.color(group, QPalette.HighlightedText if selected else QPalette.Text))
        painter.drawText(r, int(Qt.AlignLeft | Qt.AlignVCenter), shown)
        painter.restore()
