"""A laid-out view as an SVG picture, in the window's colours (no Qt: the CLI writes it,
and the window's File ▸ Export Graph Picture too, rasterising it for PNG)."""
from __future__ import annotations

from xml.sax.saxutils import escape

from ..limits import shape_text

from . import style
from .layout import HEADER, ROW_H, TEXT_CHAR, TITLE_CHAR

MARGIN = 24.0
FONT = "DejaVu Sans, Segoe UI, Helvetica, Arial, sans-serif"


def _fit(text: str, width: float, char: float) -> str:
    n = max(1, int(width / char))
    return text if len(text) <= n else text[:max(1, n - 1)] + "…"




def to_svg(view) -> str:
    w, h = view.width + 2 * MARGIN, view.height + 2 * MARGIN
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0f}" height="{h:.0f}" '
           f'viewBox="{-MARGIN:.0f} {-MARGIN:.0f} {w:.0f} {h:.0f}" font-family="{FONT}">',
           '<defs>',
           *(f'<marker id="{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
             f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{c}"/></marker>'
             for name, c in (("arrow", style.EDGE), ("arrow-back", style.BACK_EDGE))),
           '</defs>',
           f'<rect x="{-MARGIN:.0f}" y="{-MARGIN:.0f}" width="{w:.0f}" height="{h:.0f}" fill="{style.CANVAS}"/>']
    for it in view.items:
        if it.expanded:
            out.append(_container(it))
    for e in view.edges:
        out.append(_edge(e))
    for it in view.items:
        if not it.expanded:
            out.append(_box(it))
    out.append("</svg>")
    return "\n".join(out)


def _container(it) -> str:
    title = escape(_fit(it.title, it.w - 16, TITLE_CHAR))
    return (f'<g><rect x="{it.x:.1f}" y="{it.y:.1f}" width="{it.w:.1f}" height="{it.h:.1f}" rx="8" '
            f'fill="{style.OPEN_FILL}" stroke="{style.OPEN_LINE}"/>'
            f'<text x="{it.x + 10:.1f}" y="{it.y + HEADER / 2 + 5:.1f}" font-size="12" font-weight="bold" '
            f'fill="{style.SCOPE_TEXT}">{title}</text></g>')


def _edge(e) -> str:
    pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in e.points)
    color = style.BACK_EDGE if e.back else (style.CONTROL_EDGE if e.control else style.EDGE)
    dash = ' stroke-dasharray="5,4"' if e.control else ""
    marker = "arrow-back" if e.back else "arrow"
    label = ""
    if e.count > 1 and len(e.points) >= 2:
        (x0, y0), (x1, y1) = e.points[-2], e.points[-1]
        label = (f'<text x="{(x0 + x1) / 2 + 4:.1f}" y="{(y0 + y1) / 2:.1f}" font-size="10" '
                 f'fill="{style.EDGE_TEXT}">×{e.count}</text>')
    return (f'<g><polyline points="{pts}" fill="none" stroke="{color}" stroke-width="1.3"{dash} '
            f'marker-end="url(#{marker})"/>{label}</g>')


def _box(it) -> str:
    x, y, w, h = it.x, it.y, it.w, it.h
    if it.kind == "scope":
        fill = style.GROUP_FILL if it.group else style.SCOPE_FILL
        return (f'<g><rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="8" fill="{fill}" '
                f'stroke="{style.SCOPE_LINE}" stroke-width="1.2"/>'
                f'<text x="{x + 12:.1f}" y="{y + 19:.1f}" font-size="12" font-weight="bold" '
                f'fill="{style.SCOPE_TEXT}">{escape(_fit(it.title, w - 24, TITLE_CHAR))}</text>'
                f'<text x="{x + 12:.1f}" y="{y + 36:.1f}" font-size="10.5" fill="{style.ROW_TEXT}">'
                f'{escape(_fit(it.subtitle, w - 24, TEXT_CHAR))}</text></g>')
    fam = "missing" if it.missing else style.family(it.op_type)
    head = style.HEADER[fam]
    dash = ' stroke-dasharray="4,3"' if it.missing else ""
    parts = [f'<g><rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="5" '
             f'fill="{style.BODY_FILL}" stroke="{head}" stroke-width="1.2"{dash}/>',
             f'<path d="M{x:.1f},{y + 20:.1f} v-15 a5,5 0 0 1 5,-5 h{w - 10:.1f} a5,5 0 0 1 5,5 v15 z" fill="{head}"/>',
             f'<text x="{x + 8:.1f}" y="{y + 14.5:.1f}" font-size="11.5" font-weight="bold" fill="#ffffff">'
             f'{escape(_fit(it.title, w - 16, TITLE_CHAR))}</text>',
             f'<text x="{x + 8:.1f}" y="{y + 33:.1f}" font-size="10.5" fill="{style.BODY_TEXT}">'
             f'{escape(_fit(it.subtitle, w - 16, TEXT_CHAR))}</text>']
    ry = y + 40
    for r in it.rows:
        ry += ROW_H
        parts.append(f'<text x="{x + 10:.1f}" y="{ry - 3:.1f}" font-size="10" fill="{style.ROW_TEXT}">'
                     f'{escape(_fit(r.label, w - 16 - 7.2 * (len(shape_text(r.shape, compact=True)) + 2), 6.0))}</text>'
                     f'<text x="{x + w - 8:.1f}" y="{ry - 3:.1f}" font-size="10" text-anchor="end" '
                     f'fill="{style.ROW_TEXT}">⟨{escape(shape_text(r.shape, compact=True))}⟩</text>')
    if it.more_rows:
        ry += ROW_H
        parts.append(f'<text x="{x + 10:.1f}" y="{ry - 3:.1f}" font-size="10" fill="{style.ROW_TEXT}">'
                     f'+{it.more_rows} more</text>')
    parts.append("</g>")
    return "".join(parts)
