"""The graph picture, without Qt: which boxes and edges a scope shows (visible.py), where
they go (layout.py, igraph's layered layout), and the picture as JSON or SVG (svg.py).
The window's graph pane and ``python main.py graph`` both draw what ``build_view`` gives.
"""
from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass

from ..errors import PbscopeError
from ..model import Graph
from .index import GraphIndex
from .layout import layout
from .visible import ALL, CAP, Builder, Edge, Item, Row, Visible

_INDEXES: "weakref.WeakKeyDictionary[Graph, GraphIndex]" = weakref.WeakKeyDictionary()
_BUILDING = threading.Lock()


def graph_index(graph: Graph) -> GraphIndex:
    """The graph's index for pictures, built on first use (a worker's job on big graphs;
    two layouts asked in a row wait for one build rather than each making its own)."""
    with _BUILDING:
        ix = _INDEXES.get(graph)
        if ix is None:
            ix = _INDEXES[graph] = GraphIndex(graph)
    return ix


@dataclass(eq=False)
class View:
    """A laid-out picture of one scope."""
    graph: Graph
    scope: str
    direction: str
    constants: bool
    visible: Visible
    width: float
    height: float

    @property
    def items(self) -> list[Item]:
        """Every box but the canvas itself, parents before children."""
        return self.visible.items[1:]

    @property
    def edges(self) -> list[Edge]:
        return self.visible.edges

    @property
    def notes(self) -> list[str]:
        return self.visible.notes

    def find(self, item_id: str) -> Item | None:
        return self.visible.find(item_id)

    def box_of(self, name: str) -> Item | None:
        """The box that shows op or scope ``name``: its own box, the op box where it is a
        folded row, or else the innermost closed box that holds it."""
        s = self.graph.root.find(name) if name else None
        node = graph_index(self.graph).node(s) if s is not None else -1
        own = holder = inner = None
        for it in self.items:
            if it.id == name or (it.id == name + "/" and own is None):
                own = it
            elif it.kind == "op" and holder is None and any(r.name == name for r in it.rows):
                holder = it
            elif (not it.expanded and node >= 0 and any(a <= node < b for a, b in it.spans)
                  and (inner is None or it.depth > inner.depth)):
                inner = it
        return own or holder or inner

    def to_json(self) -> dict:
        return {
            "scope": self.scope, "direction": self.direction, "width": round(self.width, 1),
            "height": round(self.height, 1), "notes": list(self.notes),
            "nodes": [_node_json(it) for it in self.items],
            "edges": [{"from": e.src.id, "to": e.dst.id, "count": e.count, "control": e.control,
                       "back": e.back, "points": [[round(x, 1), round(y, 1)] for x, y in e.points]}
                      for e in self.edges],
        }


def _node_json(it: Item) -> dict:
    return {
        "id": it.id, "label": it.subtitle if it.kind == "op" else it.title, "kind": it.kind,
        "op_type": it.op_type, "x": round(it.x, 1), "y": round(it.y, 1),
        "width": round(it.w, 1), "height": round(it.h, 1),
        "weights": [{"name": r.name, "label": r.label, "shape": list(r.shape) if r.shape is not None else None,
                     "dtype": r.dtype} for r in it.rows],
        "parent": it.parent.id if it.parent is not None and it.parent.parent is not None else None,
        "expanded": it.expanded, "expandable": it.expandable, "ops": it.ops, "params": it.params,
        "missing": it.missing, "group": it.group or None, "function": it.call,
    }


def with_ancestors(ids) -> set[str]:
    """Scope paths and their parents, each as given and with the trailing '/' an id has
    when an op shares the scope's path: expanding ``a/b`` opens ``a`` too."""
    out: set[str] = set()
    for sid in ids:
        parts = sid.rstrip("/").split("/")
        for k in range(1, len(parts) + 1):
            p = "/".join(parts[:k])
            out.update((p, p + "/"))
    return out


def build_view(graph: Graph, scope: str = "", expanded=(), *, direction: str = "TB",
               constants: bool = False, cap: int = CAP, reveal: str | None = None) -> View:
    """Lay out ``scope`` of ``graph`` (the top level by default) with the scopes whose ids
    are in ``expanded`` (or ALL) opened in place, and those holding op ``reveal``."""
    if direction not in ("TB", "LR"):
        raise PbscopeError(graph.path, f"unknown direction {direction!r}: TB or LR")
    ix = graph_index(graph)
    root = graph.root.find(scope.strip("/")) if scope.strip("/") else graph.root
    if root is None:
        raise PbscopeError(graph.path, f"no scope named {scope!r}")
    if expanded != ALL:
        expanded = with_ancestors(expanded)
    shown = graph.root.find(reveal) if reveal else None
    node = ix.node(shown) if shown is not None else -1
    if node >= 0 and not constants:
        node = ix.shown_at(node)        # a folded constant: open down to the op it is a row of
    visible = Builder(ix, fold=not constants, cap=cap).build(root, expanded, reveal=node)
    w, h = layout(visible, direction)
    return View(graph, root.path, direction, constants, visible, w, h)


__all__ = ["ALL", "CAP", "View", "Item", "Edge", "Row", "build_view", "graph_index", "with_ancestors"]
