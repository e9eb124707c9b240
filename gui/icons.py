"""Tree and toolbar icons, drawn with QPainter from the current palette.

Drawing them (instead of shipping fixed-colour images) keeps them legible in light
and dark palettes: outlines use the Text role, accents the Highlight role.
``IconSet.refresh()`` redraws after a palette change.
"""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QIcon,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPixmap,
    QPolygonF,
)


def _color(role: QPalette.ColorRole, alpha: int = 255) -> QColor:
    c = QColor(QGuiApplication.palette().color(role))
    c.setAlpha(alpha)
    return c


def _icon(draw) -> QIcon:
    icon = QIcon()
    for size in (16, 32):
        pm = QPixmap(size, size)
        pm.fill(Qt.transparent)
        p = QPainter(pm)
        p.setRenderHint(QPainter.Antialiasing)
        p.scale(size / 16.0, size / 16.0)
        draw(p)
        p.end()
        icon.addPixmap(pm)
    return icon


def _scope(p: QPainter) -> None:
    path = QPainterPath()
    path.moveTo(1.5, 3.5)
    path.lineTo(6.0, 3.5)
    path.lineTo(7.5, 5.0)
    path.lineTo(14.5, 5.0)
    path.lineTo(14.5, 13.5)
    path.lineTo(1.5, 13.5)
    path.closeSubpath()
    p.setPen(QPen(_color(QPalette.Text, 170), 1.0))
    p.setBrush(_color(QPalette.Highlight, 70))
    p.drawPath(path)


def _weight(p: QPainter) -> None:
    # a 2×2 grid of cells: a tensor
    p.setPen(Qt.NoPen)
    p.setBrush(_color(QPalette.Highlight, 235))
    for x, y in ((2, 2), (8.5, 2), (2, 8.5), (8.5, 8.5)):
        p.drawRoundedRect(QRectF(x, y, 5.5, 5.5), 1.2, 1.2)


def _weight_extra(p: QPainter) -> None:
    # kept apart (optimizer slots, step counters): the tensor glyph, faint
    p.setPen(QPen(_color(QPalette.Highlight, 200), 1.0))
    p.setBrush(_color(QPalette.Highlight, 70))
    for x, y in ((2, 2), (8.5, 2), (2, 8.5), (8.5, 8.5)):
        p.drawRoundedRect(QRectF(x + 0.5, y + 0.5, 4.5, 4.5), 1.0, 1.0)


def _weight_off(p: QPainter) -> None:
    # no values in the file: empty cells, struck through
    p.setPen(QPen(_color(QPalette.Text, 130), 1.0))
    p.setBrush(Qt.NoBrush)
    for x, y in ((2, 2), (8.5, 2), (2, 8.5), (8.5, 8.5)):
        p.drawRoundedRect(QRectF(x + 0.5, y + 0.5, 4.5, 4.5), 1.0, 1.0)
    p.setPen(QPen(_color(QPalette.Text, 170), 1.3))
    p.drawLine(QPointF(2.5, 13.5), QPointF(13.5, 2.5))


def _function(p: QPainter) -> None:
    # a function of the library: "f" in a rounded box
    p.setPen(QPen(_color(QPalette.Text, 160), 1.0))
    p.setBrush(_color(QPalette.Highlight, 45))
    p.drawRoundedRect(QRectF(1.5, 2.5, 13, 11), 2.5, 2.5)
    p.setPen(QPen(_color(QPalette.Text, 220), 1.4))
    path = QPainterPath()
    path.moveTo(10.0, 5.0)
    path.cubicTo(8.2, 4.2, 7.2, 5.2, 7.2, 7.0)
    path.lineTo(7.2, 11.5)
    p.setBrush(Qt.NoBrush)
    p.drawPath(path)
    p.drawLine(QPointF(5.5, 8.0), QPointF(9.5, 8.0))


def _op(p: QPainter) -> None:
    p.setPen(QPen(_color(QPalette.Text, 160), 1.4))
    p.setBrush(Qt.NoBrush)
    p.drawEllipse(QPointF(8, 8), 4.6, 4.6)


def _const(p: QPainter) -> None:
    p.setPen(QPen(_color(QPalette.Text, 150), 1.3))
    p.setBrush(_color(QPalette.Text, 40))
    p.drawPolygon(QPolygonF([QPointF(8, 2.5), QPointF(13.5, 8), QPointF(8, 13.5), QPointF(2.5, 8)]))


def _input(p: QPainter) -> None:
    p.setPen(QPen(_color(QPalette.Highlight, 230), 1.2))
    p.setBrush(_color(QPalette.Highlight, 90))
    p.drawPolygon(QPolygonF([QPointF(3, 2.5), QPointF(13.5, 8), QPointF(3, 13.5)]))


class IconSet:
    KINDS = {"scope": _scope, "weight": _weight, "weight_extra": _weight_extra, "weight_off": _weight_off,
             "function": _function, "op": _op, "const": _const, "input": _input}

    def __init__(self):
        self._icons: dict[str, QIcon] = {}

    def refresh(self) -> None:
        self._icons = {}

    def get(self, kind: str) -> QIcon:
        icon = self._icons.get(kind)
        if icon is None:
            icon = self._icons[kind] = _icon(self.KINDS[kind])
        return icon


def app_icon() -> QIcon:
    """The window icon: the weight glyph in the highlight colour."""
    return _icon(_weight)
