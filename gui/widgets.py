"""Small pieces the dialogs share: status tints, a progress strip with Cancel, a path
field with File…/Folder… buttons, the result dialog, and the "replace it?" question."""
from __future__ import annotations

import os

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, Qt, QUrl, Signal
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QFontDatabase,
    QGuiApplication,
    QIcon,
    QPainter,
    QPalette,
    QPixmap,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from .workers import Worker

# -- colours --------------------------------------------------------------------------------

HUES = {
    "good": QColor(46, 160, 67),      # equal, matched
    "warn": QColor(226, 148, 0),      # differs, missing
    "bad": QColor(214, 54, 48),       # shape/dtype mismatch
    "info": QColor(40, 120, 220),     # only in A
    "other": QColor(150, 90, 200),    # only in B, skipped
    "none": QColor(128, 128, 128),    # not compared
}


def tint(hue: str, palette: QPalette | None = None, amount: float | None = None) -> QColor:
    """A row background: the hue mixed into the palette's Base, so text in the Text role
    stays readable on light and dark palettes alike."""
    pal = palette or QGuiApplication.palette()
    base = pal.color(QPalette.Base)
    c = HUES[hue]
    if amount is None:
        amount = 0.30 if base.lightness() < 128 else 0.20
    return QColor(round(base.red() + (c.red() - base.red()) * amount),
                  round(base.green() + (c.green() - base.green()) * amount),
                  round(base.blue() + (c.blue() - base.blue()) * amount))


def swatch(hue: str, size: int = 12) -> QIcon:
    """A small rounded square of the hue's row colour, outlined in Text: the legend of a
    status check box."""
    icon = QIcon()
    for scale in (1, 2):
        pm = QPixmap(size * scale, size * scale)
        pm.fill(Qt.transparent)
        p = QPainter(pm)
        p.setRenderHint(QPainter.Antialiasing)
        p.scale(scale, scale)
        text = QColor(QGuiApplication.palette().color(QPalette.Text))
        text.setAlpha(120)
        p.setPen(text)
        p.setBrush(tint(hue, amount=0.55))
        p.drawRoundedRect(1, 1, size - 2, size - 2, 2.5, 2.5)
        p.end()
        icon.addPixmap(pm)
    return icon


# -- progress ------------------------------------------------------------------------------

class TaskStrip(QWidget):
    """A line of text, a progress bar and Cancel, for the work a dialog runs in a worker."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.worker: Worker | None = None
        self.label = QLabel(self)
        self.label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.label.setForegroundRole(QPalette.PlaceholderText)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        self.bar.setFixedWidth(200)
        self.cancel_button = QToolButton(self)
        self.cancel_button.setText(QCoreApplication.translate("TaskStrip", "Cancel"))
        self.cancel_button.clicked.connect(self.cancel)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(8)
        lay.addWidget(self.label, 1)
        lay.addWidget(self.bar)
        lay.addWidget(self.cancel_button)
        self._idle()

    def _idle(self) -> None:
        self.bar.hide()
        self.cancel_button.hide()

    @property
    def busy(self) -> bool:
        return self.worker is not None

    def start(self, worker: Worker, text: str) -> None:
        self.worker = worker
        self.label.setText(text)
        self.label.setToolTip(text)
        self.bar.setValue(0)
        self.bar.show()
        self.cancel_button.show()
        self.cancel_button.setEnabled(True)
        worker.signals.progress.connect(lambda f, t, w=worker: self._progress(w, f, t))

    def _progress(self, worker: Worker, fraction: float, text: str) -> None:
        if worker is self.worker:
            self.bar.setValue(int(fraction * 1000))
            if text:
                self.bar.setToolTip(text)

    def finish(self, worker: Worker, text: str = "") -> None:
        if worker is not self.worker:
            return
        self.worker = None
        self.label.setText(text)
        self.label.setToolTip(text)
        self._idle()

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
            self.cancel_button.setEnabled(False)
            self.label.setText(QCoreApplication.translate("TaskStrip", "Cancelling…"))


# -- paths ---------------------------------------------------------------------------------

class PathField(QWidget):
    """A path line edit with File… and Folder… buttons; ``changed(str)`` as it is edited."""

    changed = Signal(str)

    def __init__(self, placeholder: str = "", file_filter: str | None = None, caption: str | None = None,
                 folders: bool = True, parent: QWidget | None = None):
        super().__init__(parent)
        self.file_filter = file_filter or QCoreApplication.translate("PathField", "All files (*)")
        self.caption = caption or QCoreApplication.translate("PathField", "Choose")
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText(placeholder)
        self.edit.setClearButtonEnabled(True)
        self.edit.textChanged.connect(self.changed)
        self.file_button = QPushButton(QCoreApplication.translate("PathField", "File…"), self)
        self.file_button.clicked.connect(self.pick_file)
        self.folder_button = QPushButton(QCoreApplication.translate("PathField", "Folder…"), self)
        self.folder_button.clicked.connect(self.pick_folder)
        self.folder_button.setVisible(folders)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)
        lay.addWidget(self.edit, 1)
        lay.addWidget(self.file_button)
        lay.addWidget(self.folder_button)

    def path(self) -> str:
        return self.edit.text().strip()

    def set_path(self, path: str) -> None:
        self.edit.setText(path)

    def _start(self) -> str:
        p = self.path()
        if p and os.path.isdir(p):
            return p
        return os.path.dirname(p) if p else ""

    def pick_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.caption, self._start(), self.file_filter)
        if path:
            self.set_path(path)

    def pick_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, self.caption, self._start())
        if path:
            self.set_path(path)


def confirm_replace(parent: QWidget, path: str, what: str = "folder") -> bool:
    """Ask before replacing an existing output (then the core call gets force=True).
    ``what`` is "folder" or "file"."""
    if what == "file":
        question = QCoreApplication.translate(
            "confirm_replace", "{path} already exists.\n\nReplace the file with the new output? "
            "Its current content is deleted once the new one is complete.")
    else:
        question = QCoreApplication.translate(
            "confirm_replace", "{path} already exists.\n\nReplace the folder with the new output? "
            "Its current content is deleted once the new one is complete.")
    answer = QMessageBox.question(
        parent, QCoreApplication.translate("confirm_replace", "Replace it?"), question.format(path=path),
        QMessageBox.Yes | QMessageBox.Cancel, QMessageBox.Cancel)
    return answer == QMessageBox.Yes


# -- results -------------------------------------------------------------------------------

class ResultDialog(QDialog):
    """What a long job wrote: a headline, the summary, details to scroll, and buttons to
    open the output in pbscope or show its folder."""

    open_requested = Signal(str)

    def __init__(self, parent: QWidget | None, title: str, headline: str, summary: str, path: str,
                 details: str = "", open_path: str | None = None):
        super().__init__(parent)
        self.setObjectName("resultDialog")
        self.setWindowTitle(title)
        self.path = path
        self.open_target = open_path
        icon = QLabel(self)
        icon.setPixmap(self.style().standardIcon(QStyle.SP_DialogApplyButton).pixmap(32, 32))
        icon.setAlignment(Qt.AlignTop)
        head = QLabel(f"<b>{_esc(headline)}</b>", self)
        head.setWordWrap(True)
        summary = summary[:1].upper() + summary[1:]
        self.summary = QLabel(_esc(summary).replace("\n", "<br>"), self)
        self.summary.setObjectName("resultSummary")
        self.summary.setTextFormat(Qt.RichText)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.summary.setMinimumWidth(520)
        where = QLabel("<span>{}</span> <code>{}</code>".format(
            _esc(QCoreApplication.translate("ResultDialog", "Output:")), _esc(path)), self)
        where.setTextInteractionFlags(Qt.TextSelectableByMouse)
        where.setWordWrap(True)
        text = QVBoxLayout()
        text.setSpacing(8)
        text.addWidget(head)
        text.addWidget(self.summary)
        text.addWidget(where)
        top = QHBoxLayout()
        top.setSpacing(14)
        top.addWidget(icon)
        top.addLayout(text, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(18, 16, 18, 14)
        lay.setSpacing(12)
        lay.addLayout(top)
        if not details:
            lay.addStretch(1)
        self.details = None
        if details:
            self.details = QPlainTextEdit(details, self)
            self.details.setReadOnly(True)
            self.details.setLineWrapMode(QPlainTextEdit.NoWrap)
            self.details.setFont(QFontDatabase.systemFont(QFontDatabase.FixedFont))
            self.details.setMinimumHeight(150)
            lay.addWidget(self.details, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.Close, self)
        buttons.rejected.connect(self.reject)
        if open_path:
            b = buttons.addButton(QCoreApplication.translate("ResultDialog", "Open in pbscope"),
                                  QDialogButtonBox.ActionRole)
            b.setObjectName("openInPbscope")
            b.clicked.connect(self._open)
        self.show_folder = buttons.addButton(QCoreApplication.translate("ResultDialog", "Show Folder"),
                                             QDialogButtonBox.ActionRole)
        self.show_folder.clicked.connect(self._show_folder)
        lay.addWidget(buttons)
        self.resize(760, 440 if details else 190)

    def _open(self) -> None:
        self.open_requested.emit(self.open_target)
        self.accept()

    def _show_folder(self) -> None:
        folder = self.path if os.path.isdir(self.path) else os.path.dirname(os.path.abspath(self.path))
        QDesktopServices.openUrl(QUrl.fromLocalFile(folder))


def _esc(text: str) -> str:
    import html
    return html.escape(str(text), quote=False)     # QLabel shows &#x27; literally


class RowsTableModel(QAbstractTableModel):
    """A flat table of ``rows`` under the column titles ``HEADERS`` (set by subclasses, each
    marked ``QT_TRANSLATE_NOOP(HEADERS_CONTEXT, "…")`` and translated as shown)."""
    HEADERS: tuple[str, ...] = ()
    HEADERS_CONTEXT = "RowsTableModel"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list = []

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return QCoreApplication.translate(self.HEADERS_CONTEXT, self.HEADERS[section])
        return None


def status_boxes(parent, statuses: dict, on_toggled, context: str | None = None) -> dict:
    """One ticked check box per status ({status: (label, hue)}), with its colour swatch;
    the labels translated in ``context`` if given."""
    boxes = {}
    for status, (label, hue) in statuses.items():
        box = QCheckBox(QCoreApplication.translate(context, label) if context else label, parent)
        box.setChecked(True)
        box.setIcon(swatch(hue))
        box.toggled.connect(on_toggled)
        boxes[status] = box
    return boxes
