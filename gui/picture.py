"""PNG pictures of the graph: core's SVG rasterised by QtSvg, so the window and
``pbscope graph … -o x.png`` draw the same picture."""
from __future__ import annotations

import os

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

MAX_SIDE = 16384        # QImage's practical limit; bigger pictures are scaled down to it


def svg_to_png(svg: bytes, out: str, scale: float = 1.5) -> None:
    if QGuiApplication.instance() is None:     # the command line: no window, no display
        before = os.environ.get("QT_QPA_PLATFORM")
        os.environ["QT_QPA_PLATFORM"] = before or "offscreen"
        try:
            svg_to_png.app = QGuiApplication([])   # kept alive for the process's remaining work
        finally:                                   # the environment as it was, for children
            if before is None:
                del os.environ["QT_QPA_PLATFORM"]
    renderer = QSvgRenderer(QByteArray(svg))
    size = renderer.defaultSize()
    scale = min(scale, MAX_SIDE / max(size.width(), size.height(), 1))
    image = QImage(max(1, int(size.width() * scale)), max(1, int(size.height() * scale)),
                   QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.white)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    renderer.render(painter, QRectF(0, 0, image.width(), image.height()))
    painter.end()
    if not image.save(out, "PNG"):
        raise OSError(f"Qt could not write the PNG {out}")
