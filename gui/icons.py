"""Tree and toolbar icons: SVG files in resources/icons, coloured from the palette.

The files name their colours ``{text}`` and ``{accent}``; each is drawn with the
current palette's Text and Highlight colours, so the icons stay legible in light and
dark themes. ``IconSet.refresh()`` redraws them after a palette change.
"""
from __future__ import annotations

from importlib.resources import files

from .. import resources

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

KINDS = ("scope", "weight", "weight_extra", "weight_off", "function", "op", "const", "input")


def _svg(kind: str) -> str:
    return (files(resources) / "icons" / f"{kind}.svg").read_text(encoding="utf-8")


def _icon(kind: str) -> QIcon:
    pal = QGuiApplication.palette()
    svg = (_svg(kind).replace("{text}", pal.color(QPalette.Text).name())
           .replace("{accent}", pal.color(QPalette.Highlight).name()))
    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    icon = QIcon()
    for size in (16, 32):
        pm = QPixmap(size, size)
        pm.fill(Qt.transparent)
        p = QPainter(pm)
        renderer.render(p)
        p.end()
        icon.addPixmap(pm)
    return icon


class IconSet:
    KINDS = KINDS

    def __init__(self):
        self._icons: dict[str, QIcon] = {}

    def refresh(self) -> None:
        self._icons = {}

    def get(self, kind: str) -> QIcon:
        icon = self._icons.get(kind)
        if icon is None:
            icon = self._icons[kind] = _icon(kind)
        return icon


def app_icon() -> QIcon:
    """The window icon: the weight glyph in the highlight colour."""
    return _icon("weight")
