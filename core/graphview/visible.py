"""What the graph picture shows: the boxes of one scope, some of them expanded in place,
and the edges between them, merged.

The contents of a scope are its child scopes (one box each, collapsed unless asked) and
its ops, with constants folded into their consumers as rows. A scope with more direct
children than the cap is grouped (by op type, else in numbered chunks); no more than
``cap`` boxes are drawn in all, and what is left collapsed for that is said in a note.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import PbscopeError
from ..limits import compact_count
from ..model import Scope
from ..tensors import TensorError
from .index import GraphIndex

CAP = 2000                  # boxes laid out at once, at most
MAX_ROWS = 6                # weight rows shown in an op's box before "+n more"
MAX_MISSING = 24            # missing-input stubs per container before they are merged
ALL = "*"                   # expand every scope (while the cap allows)


@dataclass(eq=False)
class Row:
    """A constant folded into the op that reads it."""
    name: str          # the constant's op name
    label: str
    shape: tuple[int, ...] | None
    dtype: str


@dataclass(eq=False)
class Item:
    """One box of the picture: an op, a scope, a made-up group, or a missing input."""
    id: str
    kind: str                      # "op" or "scope" (groups are scopes too)
    title: str
    subtitle: str = ""
    op_type: str | None = None
    node: int = -1                 # its node number in the GraphIndex; -1: made up here
    spans: list[tuple[int, int]] = field(default_factory=list)   # node ranges it stands for
    expandable: bool = False
    expanded: bool = False
    group: str = ""                # for a made-up group: how it was formed
    missing: bool = False
    call: str | None = None        # the function whose body it shows when expanded
    ops: int = 0
    params: int = 0
    rows: list[Row] = field(default_factory=list)
    more_rows: int = 0
    children: list["Item"] = field(default_factory=list)
    parent: "Item | None" = None
    depth: int = 0
    members: list["Item"] = field(default_factory=list)   # a group's contents
    scope: Scope | None = None
    # geometry: top-left corner and size, in scene units, set by the layout
    x: float = 0.0
    y: float = 0.0
    w: float = 0.0
    h: float = 0.0

    def ancestors(self):
        p = self.parent
        while p is not None:
            yield p
            p = p.parent


@dataclass(eq=False)
class Edge:
    src: Item
    dst: Item
    count: int
    control: bool
    back: bool = False
    points: list[tuple[float, float]] = field(default_factory=list)


@dataclass(eq=False)
class Visible:
    root: Item
    items: list[Item]              # every box, containers included, parents first
    edges: list[Edge]
    notes: list[str]

    def find(self, item_id: str) -> Item | None:
        for it in self.items:
            if it.id == item_id:
                return it
        return None


class Builder:
    def __init__(self, index: GraphIndex, *, fold: bool = True, cap: int = CAP):
        self.ix = index
        self.fold = fold
        self.cap = cap
        self.notes: list[str] = []

    # -- the contents of a box ----------------------------------------------
    def op_item(self, i: int, rel_to: str) -> Item:
        ix = self.ix
        s = ix.nodes[i]
        op = s.op
        short = op.name[len(rel_to) + 1:] if rel_to and op.name.startswith(rel_to + "/") else op.name
        oid = op.name if s.path.rpartition("/")[2] == s.name else f"{s.path} [{s.name}]"   # a duplicate name
        it = Item(oid, "op", op.type, short, op_type=op.type, node=i, spans=[(i, i + 1)],
                  ops=1, scope=s)
        w = op.graph.weight_of(op.name)
        if w is not None:
            it.params = w.size
        if self.fold:
            rows = [self.row(c) for _, c in ix.folded_inputs(i)]
            it.rows, it.more_rows = rows[:MAX_ROWS], max(0, len(rows) - MAX_ROWS)
            it.params += sum(_size(r.shape) for r in rows)
        f = ix.called_function(i) if ix.functions else None
        if f is not None and ix.nodes[0].children.get(f) is not None:
            it.call, it.expandable = f, True
        return it

    def row(self, c: int) -> Row:
        op = self.ix.nodes[c].op
        g = op.graph
        w = g.weight_of(op.name)
        if w is not None:
            label = w.var_name.rpartition("/")[2] or w.var_name
            return Row(op.name, label, w.shape, w.dtype_name)
        label = op.name.rpartition("/")[2]
        if op.type != "Const":
            return Row(op.name, label, None, "?")
        try:
            m = g.tensor_meta(op)
            return Row(op.name, label, m.shape, m.dtype.name)
        except (TensorError, PbscopeError):
            return Row(op.name, label, None, "?")

    def scope_item(self, i: int) -> Item:
        s = self.ix.nodes[i]
        sid = s.path + "/" if s.op is not None else s.path   # an op may share the path
        return Item(sid, "scope", s.name, f"{s.op_count:,} ops · {compact_count(s.params)} params",
                    node=i, spans=[(i, int(self.ix.end[i]))], expandable=True, ops=s.op_count,
                    params=s.params, scope=s)

    def entries(self, i: int, own_op: bool) -> list[Item]:
        """The boxes inside scope node i, in file order."""
        ix = self.ix
        s = ix.nodes[i]
        out: list[Item] = []
        if own_op and s.op is not None and not (self.fold and ix.fold[i]):
            out.append(self.op_item(i, s.parent.path if s.parent else ""))
        for c in s.rows:
            j = ix.node(c)
            below = ix.drawn_ops_below(j, self.fold) if c.has_children else 0
            if below:
                out.append(self.scope_item(j))
            elif c.op is not None and not (self.fold and ix.fold[j]):
                out.append(self.op_item(j, s.path))
        return out

    def contents(self, it: Item) -> list[Item]:
        if it.group:
            items = it.members
        elif it.call is not None:
            items = self.entries(self.ix.node(self.ix.nodes[0].children[it.call]), own_op=False)
        else:
            items = self.entries(it.node, own_op=it.node != 0)
        return self.grouped(items, it.id)

    def grouped(self, items: list[Item], parent_id: str) -> list[Item]:
        """At most ``cap`` boxes: by op type if that is few enough groups, else chunks."""
        if len(items) <= self.cap:
            return items
        prefix = parent_id.rstrip("/") + "/" if parent_id else ""
        by_type: dict[str, list[Item]] = {}
        for it in items:
            by_type.setdefault(it.op_type if it.kind == "op" else "(scopes)", []).append(it)
        if 1 < len(by_type) <= self.cap:
            out = []
            for t, members in by_type.items():
                if len(members) == 1:
                    out.append(members[0])
                else:
                    out.append(self.group(f"{prefix}[{t}]", f"{t} ×{len(members):,}", members, "by op type"))
            self.notes.append(f"{parent_id or 'the top level'}: {len(items):,} boxes, over the cap of "
                              f"{self.cap:,}: grouped by op type")
            return out
        size = max(self.cap, -(-len(items) // self.cap))   # bigger chunks are chunked again when opened
        out = []
        for k in range(0, len(items), size):
            members = items[k:k + size]
            out.append(self.group(f"{prefix}[{k + 1}-{k + len(members)}]",
                                  f"{k + 1:,}–{k + len(members):,} of {len(items):,}", members, "in chunks"))
        self.notes.append(f"{parent_id or 'the top level'}: {len(items):,} boxes, over the cap of "
                          f"{self.cap:,}: shown in {len(out)} numbered chunks")
        return out

    def group(self, gid: str, title: str, members: list[Item], how: str) -> Item:
        ops = sum(m.ops for m in members)
        params = sum(m.params for m in members)
        return Item(gid, "scope", title, f"{ops:,} ops · {compact_count(params)} params", group=how,
                    spans=[sp for m in members for sp in m.spans], expandable=True, ops=ops,
                    params=params, members=members)

    # -- the whole picture --------------------------------------------------
    def build(self, scope: Scope, expanded, reveal: int = -1) -> Visible:
        """The boxes inside ``scope``, those in ``expanded`` (ids, or ALL) opened, and the
        boxes that hold node ``reveal`` opened down to it."""
        ix = self.ix
        i = ix.node(scope)
        root = Item(scope.path, "scope", scope.name or "(top level)", node=i, expanded=True,
                    spans=[], ops=scope.op_count, params=scope.params, scope=scope)
        everything = expanded == ALL
        wanted = set() if everything else set(expanded)
        items = [root]
        total = 0
        bodies: set[str] = set()
        left_shut = 0
        queue = [root]
        while queue:        # breadth first: shallow expansions win when the cap bites
            nxt = []
            for box in queue:
                kids = self.contents(box)
                if box is not root and total + len(kids) > self.cap:
                    box.expanded = False
                    left_shut += 1
                    if not everything:
                        self.notes.append(f"{box.id}: not expanded: it would draw {len(kids):,} more "
                                          f"boxes, over the cap of {self.cap:,}")
                    continue
                total += len(kids)
                box.children = kids
                for k in kids:
                    k.parent, k.depth = box, box.depth + 1
                    items.append(k)
                    if k.expandable and (everything or k.id in wanted or _holds(k, reveal)):
                        if k.call is not None:
                            # a body is drawn once: not twice for two calls, nor beside
                            # its own expanded scope (everything expanded shows it there)
                            if everything or k.call in bodies or k.call in wanted:
                                continue
                            bodies.add(k.call)
                        k.expanded = True
                        nxt.append(k)
            queue = nxt
        if len(items) == 1:
            self.notes.append(f"nothing to draw: no ops in {scope.path or 'the graph'}")
        if everything and left_shut:
            self.notes.append(f"{left_shut:,} scope{'s' if left_shut != 1 else ''} left collapsed: opening "
                              f"{'them' if left_shut != 1 else 'it'} would draw more than the cap of "
                              f"{self.cap:,} boxes")
        for box in items:
            if box.expanded and box is not root and box.call is None:
                box.spans = []      # its contents stand for it now
        edges = self.edges(items)
        return Visible(root, items, edges, self.notes)

    def edges(self, items: list[Item]) -> list[Edge]:
        ix = self.ix
        n = len(ix.nodes)
        item_of = np.full(n, -1, dtype=np.int64)
        # call boxes first, so the body drawn inside one overrides the function's own box
        order = sorted(range(len(items)), key=lambda k: _inside_call(items[k]))
        for k in order:
            for a, b in items[k].spans:
                item_of[a:b] = k
        s_item, d_item = item_of[ix.src], item_of[ix.dst]
        keep = (s_item >= 0) & (d_item >= 0) & (s_item != d_item)
        if self.fold:
            keep &= ~ix.fold[ix.src] & ~ix.fold[ix.dst]
        s_item, d_item, ctrl = s_item[keep], d_item[keep], ix.ctrl[keep]
        key = (s_item * len(items) + d_item) * 2 + ctrl
        uniq, counts = np.unique(key, return_counts=True)
        edges = [Edge(items[int(k // 2 // len(items))], items[int(k // 2 % len(items))], int(c), bool(k % 2))
                 for k, c in zip(uniq.tolist(), counts.tolist())]
        edges.extend(self.missing_stubs(items, item_of))
        return edges

    def missing_stubs(self, items: list[Item], item_of: np.ndarray) -> list[Edge]:
        """Inputs naming ops the graph lacks: a stub marked "missing" beside the consumer."""
        per_box: dict[int, dict[str, list]] = {}
        for node, name, control in self.ix.missing:
            k = int(item_of[node])
            if k < 0:
                continue
            box = items[k].parent
            if box is None:
                continue
            per_box.setdefault(id(box), {}).setdefault(name, []).append((k, control))
        out = []
        for stubs in per_box.values():
            names = list(stubs)
            merged = names[MAX_MISSING:]
            for name in names[:MAX_MISSING]:
                stub = self.stub(f"missing:{name}", name, items, stubs[name][0][0])
                out.extend(self.stub_edges(stub, stubs[name], items))
            if merged:
                first = stubs[merged[0]][0][0]
                stub = self.stub(f"missing:+{len(merged)}@{items[first].parent.id}",
                                 f"{len(merged):,} more", items, first)
                out.extend(self.stub_edges(stub, [u for m in merged for u in stubs[m]], items))
        return out

    def stub(self, sid: str, name: str, items: list[Item], beside: int) -> Item:
        box = items[beside].parent
        stub = Item(sid, "op", "missing", name, missing=True, parent=box, depth=box.depth + 1)
        box.children.append(stub)
        items.append(stub)
        return stub

    @staticmethod
    def stub_edges(stub: Item, uses: list[tuple[int, bool]], items: list[Item]) -> list[Edge]:
        merged: dict[tuple[int, bool], int] = {}
        for k, control in uses:
            merged[(k, control)] = merged.get((k, control), 0) + 1
        return [Edge(stub, items[k], c, control) for (k, control), c in merged.items()]


def _holds(it: Item, node: int) -> bool:
    """Is node inside box ``it`` (and not the box itself)?"""
    return node >= 0 and it.call is None and it.node != node and any(a <= node < b for a, b in it.spans)


def _inside_call(it: Item) -> int:
    return sum(1 for a in it.ancestors() if a.call is not None)


def _size(shape) -> int:
    if not shape:
        return 1 if shape == () else 0
    n = 1
    for d in shape:
        n *= max(int(d), 0)
    return n
