"""The bar above the tree: pattern, mode, op type, "weights only", match count."""
from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from .op_tree import MODES, FilterQuery

# English here, translated where shown (context "FilterBar")
MODE_LABELS = {"text": QT_TRANSLATE_NOOP("FilterBar", "Text"), "regex": QT_TRANSLATE_NOOP("FilterBar", "Regex"),
               "glob": QT_TRANSLATE_NOOP("FilterBar", "Glob")}
MODE_TIPS = {
    "text": QT_TRANSLATE_NOOP("FilterBar", "Ops whose name contains the text (case-insensitive)"),
    "regex": QT_TRANSLATE_NOOP("FilterBar", "Ops whose name matches the regular expression (case-insensitive)"),
    "glob": QT_TRANSLATE_NOOP("FilterBar", "Glob on name parts: 'weights', 'Conv2d_1*', '*/BatchNorm/*'"),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("FilterBar", text)


class FilterBar(QWidget):
    """Emits ``query_changed`` as the user types (debounced for big graphs)."""

    query_changed = Signal(object)        # FilterQuery
    tick_matches = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.edit = QLineEdit(self)
        self.edit.setObjectName("filterEdit")
        self.edit.setPlaceholderText(self.tr("Filter ops by name  (Ctrl+F)"))
        self.edit.setClearButtonEnabled(True)
        self.mode = QComboBox(self)
        for m in MODES:
            self.mode.addItem(_tr(MODE_LABELS[m]), m)
            self.mode.setItemData(self.mode.count() - 1, _tr(MODE_TIPS[m]), Qt.ToolTipRole)
        self.mode.setToolTip(self.tr("How the pattern matches op names"))
        self.types = QComboBox(self)
        self.types.setToolTip(self.tr("Show only ops of this type"))
        self.types.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.types.setMinimumContentsLength(14)
        self.weights_only = QCheckBox(self.tr("Weights only"), self)
        self.weights_only.setToolTip(self.tr("Show only ops that hold a weight"))
        self.count = QLabel(self)
        self.count.setObjectName("filterCount")
        self.count.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.count.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Preferred)
        self.count.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
        self.tick = QToolButton(self)
        self.tick.setText(self.tr("Tick matches"))
        self.tick.setToolTip(self.tr("Tick every weight the filter shows (Ctrl+Shift+M)"))
        self.tick.clicked.connect(self.tick_matches)

        row1 = QHBoxLayout()
        row1.setContentsMargins(0, 0, 0, 0)
        row1.setSpacing(6)
        row1.addWidget(self.edit, 1)
        row1.addWidget(self.mode)
        row2 = QHBoxLayout()
        row2.setContentsMargins(0, 0, 0, 0)
        row2.setSpacing(8)
        row2.addWidget(self.types)
        row2.addWidget(self.weights_only)
        row2.addWidget(self.count, 1)
        row2.addWidget(self.tick)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 4)
        lay.setSpacing(4)
        lay.addLayout(row1)
        lay.addLayout(row2)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.flush)
        self.edit.textChanged.connect(self._schedule)
        self.mode.currentIndexChanged.connect(self.flush)
        self.types.currentIndexChanged.connect(self.flush)
        self.weights_only.toggled.connect(self.flush)
        self.set_types({})

    # -- state ----------------------------------------------------------------
    def query(self) -> FilterQuery:
        return FilterQuery(self.edit.text(), self.mode.currentData() or "text",
                           self.types.currentData() or "", self.weights_only.isChecked())

    def set_debounce(self, msecs: int) -> None:
        """0 applies each keystroke at once; big graphs wait for a pause in typing."""
        self._timer.setInterval(msecs)

    def set_types(self, counts: dict[str, int]) -> None:
        with QSignalBlocker(self.types):
            current = self.types.currentData()
            self.types.clear()
            self.types.addItem(self.tr("All op types"), "")
            for t, n in counts.items():
                self.types.addItem(f"{t}  ({n:,})", t)
            i = self.types.findData(current) if current else 0
            self.types.setCurrentIndex(max(i, 0))

    def set_count(self, shown: int, total: int, active: bool) -> None:
        if active:
            self.count.setText(self.tr("{shown} of {total} ops").format(shown=f"{shown:,}", total=f"{total:,}"))
        else:
            self.count.setText(self.tr("{total} ops").format(total=f"{total:,}"))
        self.count.setToolTip("")

    def set_error(self, message: str) -> None:
        self.count.setText(self.tr("invalid pattern"))
        self.count.setToolTip(message)

    def clear(self) -> None:
        """Esc: drop every filter at once (one update, not four)."""
        with QSignalBlocker(self.edit), QSignalBlocker(self.types), QSignalBlocker(self.weights_only):
            self.edit.clear()
            self.types.setCurrentIndex(0)
            self.weights_only.setChecked(False)
        self.flush()

    def focus(self) -> None:
        self.edit.setFocus(Qt.ShortcutFocusReason)
        self.edit.selectAll()

    # -- plumbing ---------------------------------------------------------------
    def _schedule(self) -> None:
        if self._timer.interval() == 0:
            self.flush()
        else:
            self._timer.start()

    def apply_pending(self) -> None:
        """Apply a query still waiting for the typing pause, if any."""
        if self._timer.isActive():
            self.flush()

    def flush(self) -> None:
        """Apply the current query now (tests and the benchmark call it directly)."""
        self._timer.stop()
        self.query_changed.emit(self.query())
