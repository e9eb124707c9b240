"""Help ▸ About pbscope: what pbscope is, and the versions it runs on (core.about's, plus
Qt's and PySide6's), selectable so a bug report can quote them."""
from __future__ import annotations

import html

import PySide6
from PySide6.QtCore import QCoreApplication, Qt, qVersion
from PySide6.QtWidgets import QMessageBox, QWidget

from ..core.about import versions


def all_versions() -> dict[str, str | None]:
    """core.about.versions() with Qt and PySide6 after pbscope; None: not installed."""
    v = versions()
    out = {"pbscope": v.pop("pbscope"), "Qt": qVersion(), "PySide6": PySide6.__version__}
    out.update(v)
    return out


def about_html() -> str:
    rows = []
    for name, version in all_versions().items():
        missing = QCoreApplication.translate("AboutBox", "not installed")
        shown = html.escape(version) if version else f"<i>{html.escape(missing)}</i>"
        rows.append(f"<tr><td>{html.escape(name)}</td><td style='padding-left: 14px;'>{shown}</td></tr>")
    intro = html.escape(QCoreApplication.translate(
        "AboutBox", "An inspector for TensorFlow models: frozen graphs, checkpoints, SavedModels and weights "
        "files. Browse ops by name scope, preview weights, export them, compare two models, restore weights "
        "into a model, and unfreeze a frozen graph to a trainable checkpoint."))
    head = html.escape(QCoreApplication.translate("AboutBox", "Versions"))
    return f"<b>pbscope</b><p>{intro}</p><p><b>{head}</b></p><table>{''.join(rows)}</table>"


class AboutBox(QMessageBox):
    """A window-modal QMessageBox with the text of ``about_html``; ``open()`` it."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("aboutBox")
        self.setWindowTitle(QCoreApplication.translate("AboutBox", "About pbscope"))
        self.setTextFormat(Qt.RichText)
        self.setText(about_html())
        self.setTextInteractionFlags(Qt.TextSelectableByMouse)
        icon = parent.windowIcon() if parent is not None else None
        if icon is not None and not icon.isNull():
            self.setIconPixmap(icon.pixmap(64, 64))
        self.setStandardButtons(QMessageBox.Ok)
