"""The graph picture on screen: one QGraphicsItem that paints the boxes and edges of a
laid-out view (core.graphview), only those in the exposed rectangle, with less detail
when zoomed out. Hit tests use numpy over the boxes' rectangles, so a view of a few
thousand boxes costs no QGraphicsItem per box."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QCoreApplication, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem

from ..core.graphview import Item, View, style
from ..core.graphview.layout import HEADER, ROW_H

from .fmt import shape_text

MARGIN = 40.0
TEXT_LOD = 0.5           # below this zoom, titles only
TITLE_LOD = 0.28         # below this, no text: boxes and edges only
DETAIL_LOD = 0.15        # below this, boxes are plain rectangles and edges plain lines




class Colors:
    """The picture's colours; canvas, box body and text follow a dark palette."""

    def __init__(self, dark: bool = False):
        self.canvas = QColor("#1e2227" if dark else style.CANVAS)
        self.body = QColor("#2a3038" if dark else style.BODY_FILL)
        self.text = QColor("#dfe6ec" if dark else style.BODY_TEXT)
        self.row = QColor("#aeb9c3" if dark else style.ROW_TEXT)
        self.scope = QColor("#2c3b4a" if dark else style.SCOPE_FILL)
        self.group = QColor("#3a3148" if dark else style.GROUP_FILL)
        self.scope_line = QColor(style.SCOPE_LINE)
        self.scope_text = QColor("#e4ecf3" if dark else style.SCOPE_TEXT)
        self.open = QColor("#23292f" if dark else style.OPEN_FILL)
        self.open_line = QColor("#4a5866" if dark else style.OPEN_LINE)
        self.edge = QColor(style.EDGE)
        self.control = QColor(style.CONTROL_EDGE)
        self.back = QColor(style.BACK_EDGE)
        self.match = QColor(style.MATCH)
        self.selected = QColor(style.SELECTED)
        self.ticked = QColor(style.TICKED)
        self.headers = {k: QColor(v) for k, v in style.HEADER.items()}


class GraphCanvas(QGraphicsItem):
    def __init__(self):
        super().__init__()
        self.setFlag(QGraphicsItem.ItemUsesExtendedStyleOption)   # paint gets the exposed rect only
        self.view: View | None = None
        self.colors = Colors()
        self.selected: Item | None = None
        self.selected_row: str | None = None     # a folded constant's name, in its consumer's box
        self.matches = None                       # positions of the ops the filter matched
        self._match_nodes = np.zeros(0, dtype=np.int64)
        self.is_ticked = lambda name: False
        self.tickable = lambda name: False
        self._leaves: list[Item] = []
        self._boxes = np.zeros((0, 4))
        self._containers: list[Item] = []
        self._paths: list[tuple[QPainterPath, QRectF, object]] = []
        self._rect = QRectF()
        self.f_title = QFont()
        self.f_title.setPixelSize(12)
        self.f_title.setBold(True)
        self.f_text = QFont()
        self.f_text.setPixelSize(11)
        self.f_row = QFont()
        self.f_row.setPixelSize(10)
        self.fm_title, self.fm_text, self.fm_row = map(QFontMetricsF, (self.f_title, self.f_text, self.f_row))

    # -- data ------------------------------------------------------------------
    def set_view(self, view: View | None) -> None:
        self.prepareGeometryChange()
        self.view = view
        items = view.items if view is not None else []
        self._leaves = [it for it in items if not it.expanded]
        self._containers = [it for it in items if it.expanded]
        self._boxes = np.array([(it.x, it.y, it.x + it.w, it.y + it.h) for it in self._leaves],
                               dtype=float).reshape(-1, 4)
        self._paths = []
        for e in (view.edges if view is not None else []):
            path = QPainterPath(QPointF(*e.points[0]))
            for p in e.points[1:]:
                path.lineTo(QPointF(*p))
            self._paths.append((path, path.boundingRect().adjusted(-8, -8, 8, 8), e))
        w, h = (view.width, view.height) if view is not None else (0.0, 0.0)
        self._rect = QRectF(-MARGIN, -MARGIN, w + 2 * MARGIN, h + 2 * MARGIN)
        self._update_match_nodes()
        self.update()

    def set_matches(self, positions) -> None:
        """The ops the filter matched, as positions in ``graph.all_ops`` (None: no filter)."""
        self.matches = positions
        self._update_match_nodes()
        self.update()

    def _update_match_nodes(self) -> None:
        if self.view is None or self.matches is None:
            self._match_nodes = np.zeros(0, dtype=np.int64)
            return
        from ..core.graphview import graph_index
        nodes = graph_index(self.view.graph).node_of_position[np.asarray(self.matches, dtype=np.int64)]
        self._match_nodes = np.sort(nodes[nodes >= 0])

    def _has_match(self, node: int) -> bool:
        m = self._match_nodes
        k = np.searchsorted(m, node)
        return node >= 0 and k < len(m) and m[k] == node

    def matched(self, it: Item) -> bool:
        m = self._match_nodes
        if not len(m):
            return False
        for a, b in it.spans:
            k = np.searchsorted(m, a)
            if k < len(m) and m[k] < b:
                return True
        from ..core.graphview import graph_index
        by_name = graph_index(self.view.graph).by_name
        return any(self._has_match(by_name.get(r.name, -1)) for r in it.rows)

    # -- hit tests -----------------------------------------------------------------
    def item_at(self, p: QPointF) -> Item | None:
        b = self._boxes
        if len(b):
            hit = np.nonzero((b[:, 0] <= p.x()) & (p.x() <= b[:, 2]) & (b[:, 1] <= p.y()) & (p.y() <= b[:, 3]))[0]
            if len(hit):
                return self._leaves[int(hit[-1])]
        inner = None
        for it in self._containers:     # the innermost expanded box under the point
            if it.x <= p.x() <= it.x + it.w and it.y <= p.y() <= it.y + it.h:
                if inner is None or it.depth > inner.depth:
                    inner = it
        return inner

    def row_at(self, it: Item, p: QPointF) -> str | None:
        """The folded constant whose row is under ``p`` in op box ``it``."""
        if it.kind != "op" or not it.rows:
            return None
        k = int((p.y() - (it.y + 40.0)) // ROW_H)
        return it.rows[k].name if 0 <= k < len(it.rows) else None

    # -- painting -----------------------------------------------------------------
    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter: QPainter, option, widget=None) -> None:
        if self.view is None:
            return
        c = self.colors
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        exposed = option.exposedRect
        painter.fillRect(exposed, c.canvas)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, lod >= DETAIL_LOD)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        for it in self._containers:
            r = QRectF(it.x, it.y, it.w, it.h)
            if r.intersects(exposed):
                self._paint_container(painter, it, r, lod)
        self._paint_edges(painter, exposed, lod)
        b = self._boxes
        if len(b):
            vis = np.nonzero((b[:, 2] >= exposed.left()) & (b[:, 0] <= exposed.right())
                             & (b[:, 3] >= exposed.top()) & (b[:, 1] <= exposed.bottom()))[0]
            for k in vis.tolist():
                it = self._leaves[k]
                if it.kind == "scope":
                    self._paint_scope(painter, it, lod)
                else:
                    self._paint_op(painter, it, lod)

    def _outline(self, it: Item, base: QColor, width: float) -> QPen:
        if it is self.selected:
            return QPen(self.colors.selected, 3.0)
        if self.matches is not None and self.matched(it):
            return QPen(self.colors.match, 3.0)
        return QPen(base, width)

    def _paint_container(self, p: QPainter, it: Item, r: QRectF, lod: float) -> None:
        c = self.colors
        p.setPen(self._outline(it, c.open_line, 1.2))
        p.setBrush(c.open)
        p.drawRoundedRect(r, 8, 8)
        if lod >= TITLE_LOD:
            p.setPen(c.scope_text)
            p.setFont(self.f_title)
            title = it.title + ("  ▾" if it.expandable else "")
            p.drawText(QRectF(r.x() + 10, r.y(), r.width() - 20, HEADER), Qt.AlignVCenter | Qt.AlignLeft,
                       self.fm_title.elidedText(title, Qt.ElideRight, r.width() - 20))

    def _paint_edges(self, p: QPainter, exposed: QRectF, lod: float) -> None:
        c = self.colors
        for path, bounds, e in self._paths:
            if not bounds.intersects(exposed):
                continue
            color = c.back if e.back else (c.control if e.control else c.edge)
            pen = QPen(color, 1.3 if e.count == 1 else min(1.3 + e.count ** 0.5 * 0.4, 4.0))
            if e.control:
                pen.setStyle(Qt.DashLine)
            p.setPen(pen)
            p.setBrush(Qt.NoBrush)
            p.drawPath(path)
            if lod < DETAIL_LOD or len(e.points) < 2:
                continue
            self._arrow(p, e.points[-2], e.points[-1], color)
            if e.count > 1 and lod >= TEXT_LOD:
                (x0, y0), (x1, y1) = e.points[-2], e.points[-1]
                p.setPen(c.row)
                p.setFont(self.f_row)
                p.drawText(QPointF((x0 + x1) / 2 + 5, (y0 + y1) / 2), f"×{e.count}")

    @staticmethod
    def _arrow(p: QPainter, a, b, color: QColor) -> None:
        dx, dy = b[0] - a[0], b[1] - a[1]
        n = (dx * dx + dy * dy) ** 0.5 or 1.0
        ux, uy = dx / n, dy / n
        tip = QPointF(*b)
        left = QPointF(b[0] - 8 * ux + 4 * uy, b[1] - 8 * uy - 4 * ux)
        right = QPointF(b[0] - 8 * ux - 4 * uy, b[1] - 8 * uy + 4 * ux)
        p.setPen(Qt.NoPen)
        p.setBrush(color)
        p.drawPolygon(QPolygonF([tip, left, right]))

    def _paint_scope(self, p: QPainter, it: Item, lod: float) -> None:
        c = self.colors
        r = QRectF(it.x, it.y, it.w, it.h)
        p.setPen(self._outline(it, c.scope_line, 1.2))
        p.setBrush(c.group if it.group else c.scope)
        p.drawRoundedRect(r, 8, 8)
        if lod < TITLE_LOD:
            return
        p.setPen(c.scope_text)
        p.setFont(self.f_title)
        w = it.w - 24
        p.drawText(QRectF(it.x + 12, it.y + 6, w, 18), Qt.AlignVCenter | Qt.AlignLeft,
                   self.fm_title.elidedText(it.title + "  ▸", Qt.ElideMiddle, w))
        if lod < TEXT_LOD:
            return
        p.setPen(c.row)
        p.setFont(self.f_text)
        p.drawText(QRectF(it.x + 12, it.y + 24, w, 16), Qt.AlignVCenter | Qt.AlignLeft,
                   self.fm_text.elidedText(it.subtitle, Qt.ElideRight, w))

    def _paint_op(self, p: QPainter, it: Item, lod: float) -> None:
        c = self.colors
        head = c.headers["missing" if it.missing else style.family(it.op_type)]
        r = QRectF(it.x, it.y, it.w, it.h)
        pen = self._outline(it, head, 1.2)
        if it.missing:
            pen.setStyle(Qt.DashLine)
        p.setPen(pen)
        p.setBrush(c.body)
        p.drawRoundedRect(r, 5, 5)
        top = QRectF(it.x, it.y, it.w, 20)
        p.setPen(Qt.NoPen)
        p.setBrush(head)
        if lod < DETAIL_LOD:
            p.drawRect(top)
            return
        p.drawRoundedRect(top, 5, 5)
        p.drawRect(QRectF(it.x, it.y + 10, it.w, 10))     # square lower corners
        if lod < TITLE_LOD:
            return
        w = it.w - 16
        p.setPen(QColor("#ffffff"))
        p.setFont(self.f_title)
        p.drawText(QRectF(it.x + 8, it.y, w, 20), Qt.AlignVCenter | Qt.AlignLeft,
                   self.fm_title.elidedText(it.title, Qt.ElideRight, w))
        if lod < TEXT_LOD:
            return
        subtitle, pen = it.subtitle, c.text
        if self.tickable(it.id):        # a weight drawn as its own box (constants shown)
            ticked = self.is_ticked(it.id)
            subtitle, pen = ("☑ " if ticked else "☐ ") + subtitle, (c.ticked if ticked else c.text)
        p.setPen(pen)
        p.setFont(self.f_text)
        p.drawText(QRectF(it.x + 8, it.y + 22, w, 16), Qt.AlignVCenter | Qt.AlignLeft,
                   self.fm_text.elidedText(subtitle, Qt.ElideMiddle, w))
        fm = self.fm_row
        p.setFont(self.f_row)
        y = it.y + 40
        for row in it.rows:
            rr = QRectF(it.x + 6, y, it.w - 12, ROW_H)
            if row.name == self.selected_row and it is self.selected:
                p.fillRect(rr, QColor(31, 120, 209, 50))
            mark = ""
            if self.tickable(row.name):
                mark = "☑ " if self.is_ticked(row.name) else "☐ "
            shape = f"⟨{shape_text(row.shape, compact=True)}⟩"
            sw = fm.horizontalAdvance(shape)
            p.setPen(c.ticked if mark == "☑ " else c.row)
            p.drawText(QRectF(rr.x() + 2, y, rr.width() - sw - 8, ROW_H), Qt.AlignVCenter | Qt.AlignLeft,
                       fm.elidedText(mark + row.label, Qt.ElideRight, rr.width() - sw - 8))
            p.setPen(c.row)
            p.drawText(QRectF(rr.right() - sw - 2, y, sw + 2, ROW_H), Qt.AlignVCenter | Qt.AlignRight, shape)
            y += ROW_H
        if it.more_rows:
            p.setPen(c.row)
            p.drawText(QRectF(it.x + 8, y, it.w - 16, ROW_H), Qt.AlignVCenter | Qt.AlignLeft,
                       QCoreApplication.translate("GraphCanvas", "+{n} more").format(n=it.more_rows))
