"""Where the boxes go: a layered (Sugiyama) drawing by igraph, one container at a time.

igraph's ``layout_sugiyama`` (C core) breaks cycles, assigns layers, orders each layer
to cut crossings and routes long edges through dummy points. It treats nodes as points,
so two small steps of ours follow: each layer is spaced for its boxes' real sizes
(order kept, gaps kept, igraph's positions as the target), and layers are spaced by the
tallest box in each. An expanded scope is laid out first, inside out, and then placed as
one big box at its parent's level, as Model Explorer does. Figures and the choice of
library: docs/layout-candidates.md.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..limits import shape_text

from .visible import Edge, Item, Visible

GAP = 28.0              # between boxes of a layer
LAYER_GAP = 46.0        # between layers (room for the edges)
PAD = 14.0              # inside an expanded box, around its contents
HEADER = 28.0           # an expanded box's title bar
DUMMY = 6.0             # the room a long edge takes where it passes a layer
TITLE_CHAR, TEXT_CHAR, ROW_CHAR, SHAPE_CHAR = 8.3, 6.7, 6.0, 7.2   # advances of the view's fonts
ROW_H = 16.0
MAX_ITERATIONS = 100            # igraph's default for crossing reduction
ITERATION_BUDGET = 200_000      # iterations × points per layout


def box_size(it: Item) -> tuple[float, float]:
    """The size of a collapsed box, from its text (the view elides what does not fit)."""
    if it.missing:
        return _clamp(TEXT_CHAR * len(it.subtitle) + 26, 70, 240), 34.0
    if it.kind == "scope":
        w = max(TITLE_CHAR * (len(it.title) + 3), TEXT_CHAR * len(it.subtitle)) + 28    # + " ▸"
        return _clamp(w, 110, 320), 46.0
    w = max(TITLE_CHAR * len(it.title), TEXT_CHAR * len(it.subtitle))
    for r in it.rows:
        w = max(w, ROW_CHAR * (len(r.label) + 2) + SHAPE_CHAR * (len(shape_text(r.shape, compact=True)) + 2) + 16)
    rows = len(it.rows) + (1 if it.more_rows else 0)
    return _clamp(w + 20, 90, 320), 40.0 + (ROW_H * rows + 6 if rows else 0)


def _clamp(v: float, lo: float, hi: float) -> float:
    return float(min(max(v, lo), hi))




@dataclass
class LevelEdge:
    a: int
    b: int
    points: list[tuple[float, float]]     # relative to the container's content origin
    back: bool


def layout(view: Visible, direction: str = "TB") -> tuple[float, float]:
    """Set every item's x, y, w, h and every edge's points; returns the picture's size."""
    lr = direction == "LR"
    level_edges = _edges_by_container(view)
    routes: dict[int, dict[tuple[int, int], LevelEdge]] = {}

    def place(box: Item) -> None:
        for k in box.children:
            if not (k.expanded and k.children):
                k.w, k.h = box_size(k)
        kids = box.children
        sizes = [((k.h, k.w) if lr else (k.w, k.h)) for k in kids]    # (across, along)
        pairs = sorted(level_edges.get(id(box), ()))
        centers, level = _layered(sizes, pairs)
        routes[id(box)] = level
        if not kids:
            w, h = (160.0, 40.0)
        else:
            lo_a = min(c[0] - s[0] / 2 for c, s in zip(centers, sizes))
            lo_b = min(c[1] - s[1] / 2 for c, s in zip(centers, sizes))
            hi_a = max(c[0] + s[0] / 2 for c, s in zip(centers, sizes))
            hi_b = max(c[1] + s[1] / 2 for c, s in zip(centers, sizes))
            for k, c, s in zip(kids, centers, sizes):    # relative top-left, for now
                a, b = c[0] - s[0] / 2 - lo_a, c[1] - s[1] / 2 - lo_b
                k.x, k.y = (b, a) if lr else (a, b)
            for e in level.values():
                e.points = [(pa - lo_a, pb - lo_b) for pa, pb in e.points]
                e.points = [(pb, pa) for pa, pb in e.points] if lr else e.points
            w, h = (hi_b - lo_b, hi_a - lo_a) if lr else (hi_a - lo_a, hi_b - lo_b)
        if box is view.root:
            box.w, box.h = w, h
        else:
            box.w, box.h = max(w + 2 * PAD, box_size(box)[0]), h + 2 * PAD + HEADER

    def absolute(box: Item, ox: float, oy: float) -> None:
        for k in box.children:
            k.x += ox
            k.y += oy
        for e in routes.get(id(box), {}).values():
            e.points = [(px + ox, py + oy) for px, py in e.points]

    # view.items lists parents before children: inside out is that order reversed (no
    # recursion, as scopes can nest deeper than Python's stack), then outside in
    boxes = [it for it in view.items if it is view.root or (it.expanded and it.children)]
    for box in reversed(boxes):
        place(box)
    view.root.x = view.root.y = 0.0
    for box in boxes:
        if box is view.root:
            absolute(box, 0.0, 0.0)
        else:
            absolute(box, box.x + PAD, box.y + PAD + HEADER)
    for e in view.edges:
        _route(e, routes, lr)
    return view.root.w, view.root.h


def _edges_by_container(view: Visible) -> dict[int, set[tuple[int, int]]]:
    """Each edge counts at the level where its ends' boxes are siblings."""
    index = {id(k): n for box in view.items for n, k in enumerate(box.children)}
    out: dict[int, set[tuple[int, int]]] = {}
    for e in view.edges:
        a, b, box = _siblings(e.src, e.dst)
        if box is not None and a is not b:
            out.setdefault(id(box), set()).add((index[id(a)], index[id(b)]))
    return out


def _siblings(a: Item, b: Item):
    """The ancestors (or selves) of a and b that share a parent, and that parent."""
    while a.depth > b.depth:
        a = a.parent
    while b.depth > a.depth:
        b = b.parent
    while a.parent is not b.parent:
        a, b = a.parent, b.parent
    return a, b, a.parent


def _layered(sizes: list[tuple[float, float]], pairs: list[tuple[int, int]]):
    """Centres (across, along) of n boxes of the given sizes, and the routes of ``pairs``."""
    n = len(sizes)
    if n == 0:
        return [], {}
    xy = np.zeros((n, 2))
    bends: list[list[tuple[float, float]]] = [[] for _ in pairs]
    linked = sorted({k for pair in pairs for k in pair})
    if linked:
        xy[linked], bends = _sugiyama(linked, pairs)
    # boxes with no edge at this level: a block of rows under the drawing, not one endless layer
    alone = np.setdiff1d(np.arange(n), linked)
    if len(alone):
        top = int(np.rint(xy[linked, 1].max())) + 1 if linked else 0
        cols = max(4, int(np.ceil(np.sqrt(len(alone) * 2))))
        xy[alone, 0] = np.arange(len(alone)) % cols
        xy[alone, 1] = top + np.arange(len(alone)) // cols
    layer = np.rint(xy[:, 1]).astype(int)
    nl = int(layer.max()) + 1
    # the points of each layer: boxes, then the dummies of long edges
    pts: list[list[tuple[float, float, tuple]]] = [[] for _ in range(nl)]   # (x, extent, key)
    for k in range(n):
        pts[layer[k]].append((xy[k, 0], sizes[k][0], (k,)))
    for e, ctrl in enumerate(bends):
        for m, (cx, cy) in enumerate(ctrl):
            pts[int(round(cy))].append((cx, DUMMY, (e, m)))
    unit = float(np.median([s[0] for s in sizes])) + GAP
    across: dict[tuple, float] = {}
    for row in pts:
        row.sort(key=lambda p: p[0])
        pos = _spread([p[0] * unit for p in row], [p[1] for p in row])
        for p, c in zip(row, pos):
            across[p[2]] = c
    depth = np.zeros(nl)
    np.maximum.at(depth, layer, np.array([sz[1] for sz in sizes]))
    along = [0.0] * nl
    for lv in range(1, nl):
        along[lv] = along[lv - 1] + depth[lv - 1] / 2 + LAYER_GAP + depth[lv] / 2
    centers = [(across[(k,)], along[layer[k]]) for k in range(n)]
    level: dict[tuple[int, int], LevelEdge] = {}
    for e, (a, b) in enumerate(pairs):
        ctrl = bends[e] if e < len(bends) else []
        points = [(across[(e, m)], along[int(round(cy))]) for m, (_, cy) in enumerate(ctrl)]
        level[(a, b)] = LevelEdge(a, b, points, back=layer[a] >= layer[b])
    return centers, level


def _sugiyama(nodes: list[int], pairs: list[tuple[int, int]]):
    """igraph's layered layout of ``nodes`` (those with edges): their (x, layer) and each
    edge's bends, in igraph's units."""
    import igraph      # C core; imported only when a picture is laid out
    local = {k: i for i, k in enumerate(nodes)}
    edges = [(local[a], local[b]) for a, b in pairs]
    n = len(nodes)
    g = igraph.Graph(n=n, edges=edges, directed=True)
    layers = _layers(g)
    # Crossing reduction costs iterations × points, and long edges add a point per layer
    # they pass: a quick pass counts the points, then the iterations are fitted to a
    # budget of about a tenth of a second.
    lay, ext = g.layout_sugiyama(layers=layers, hgap=1, vgap=1, maxiter=1, return_extended_graph=True)
    iterations = min(MAX_ITERATIONS, ITERATION_BUDGET // len(lay.coords))
    if iterations > 1:
        lay, ext = g.layout_sugiyama(layers=layers, hgap=1, vgap=1, maxiter=iterations,
                                     return_extended_graph=True)
    coords = np.asarray(lay.coords, dtype=float).reshape(-1, 2)
    return coords[:n], _bends(edges, n, coords, ext)


def _layers(g) -> list[int]:
    """Layers as late as the edges allow. igraph's own (longest path from the sources) puts
    every side chain at the top (a batch norm's reshapes, shape arithmetic) with a long edge
    down to where it is used: a dummy point on every layer passed, and crossings with it.
    Here each box sits just above its nearest consumer; cycles are broken first by igraph's
    feedback arc set (Eades), whose edges are drawn back up. docs/layout-candidates.md
    measured this: 4–65× fewer crossings and 8–37× faster than igraph's own layering."""
    back = set(g.feedback_arc_set(method="eades"))
    forward = [e for k, e in enumerate(g.get_edgelist()) if k not in back]
    n = g.vcount()
    succs: list[list[int]] = [[] for _ in range(n)]
    preds: list[list[int]] = [[] for _ in range(n)]
    for a, b in forward:
        succs[a].append(b)
        preds[b].append(a)
    import igraph
    order = igraph.Graph(n=n, edges=forward, directed=True).topological_sorting()
    layer = [0] * n
    for v in order:             # longest path from the sources...
        layer[v] = max((layer[p] + 1 for p in preds[v]), default=0)
    for v in reversed(order):   # ...then down to just above the nearest consumer
        if succs[v]:
            layer[v] = min(layer[t] for t in succs[v]) - 1
    low = min(layer)
    return [x - low for x in layer]


def _bends(pairs, n: int, coords: np.ndarray, ext) -> list[list[tuple[float, float]]]:
    """Each edge's bend points, source to target: the dummy vertices igraph put on it,
    found through the extended graph's ``_original_eid``."""
    links: dict[int, dict[int, list[int]]] = {}
    for (u, v), e in zip(ext.get_edgelist(), ext.es["_original_eid"]):
        adj = links.setdefault(e, {})
        adj.setdefault(u, []).append(v)
        adj.setdefault(v, []).append(u)
    out = []
    for e, (a, b) in enumerate(pairs):
        adj = links.get(e, {})
        chain, prev, cur = [], None, a
        while True:
            nxt = [v for v in adj.get(cur, ()) if v != prev and v >= n]
            if not nxt:
                break
            prev, cur = cur, nxt[0]
            chain.append((float(coords[cur, 0]), float(coords[cur, 1])))
        out.append(chain)
    return out


def _spread(target: list[float], extent: list[float]) -> list[float]:
    """Positions as near ``target`` as a left and a right sweep allow, order kept, no overlap."""
    n = len(target)
    left, right = list(target), list(target)
    for k in range(1, n):
        need = (extent[k - 1] + extent[k]) / 2 + GAP
        left[k] = max(left[k], left[k - 1] + need)
    for k in range(n - 2, -1, -1):
        need = (extent[k + 1] + extent[k]) / 2 + GAP
        right[k] = min(right[k], right[k + 1] - need)
    return [(a + b) / 2 for a, b in zip(left, right)]


def _route(e: Edge, routes, lr: bool) -> None:
    a, b, box = _siblings(e.src, e.dst)
    kids = box.children if box is not None else []
    level = None
    if box is not None and a is not b:
        level = routes[id(box)].get((kids.index(a), kids.index(b)))
    e.back = bool(level and level.back)
    mid = list(level.points) if level else []
    if e.back:      # leaves from the side it faces, enters from the other
        start, end = _port(e.src, lr, entry=True), _port(e.dst, lr, entry=False)
    else:
        start, end = _port(e.src, lr, entry=False), _port(e.dst, lr, entry=True)
    pts = [start]
    if a is not e.src and not e.back:       # down out of the expanded box it sits in
        pts.append((start[0], a.y + a.h) if not lr else (a.x + a.w, start[1]))
    pts.extend(mid)
    if b is not e.dst and not e.back:
        pts.append((end[0], b.y) if not lr else (b.x, end[1]))
    pts.append(end)
    e.points = pts


def _port(it: Item, lr: bool, entry: bool) -> tuple[float, float]:
    if lr:
        return (it.x if entry else it.x + it.w, it.y + it.h / 2)
    return (it.x + it.w / 2, it.y if entry else it.y + it.h)
