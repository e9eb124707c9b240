"""What the graph picture needs of a Graph, computed once per graph (in a worker).

- The scope tree numbered in preorder, so each scope is a contiguous range of node
  numbers: mapping every op to the box it is drawn in is then one array fill.
- Every edge as a pair of node numbers (numpy arrays), control edges flagged, and the
  inputs that name no op of the graph.
- Which ops fold into their consumers: constants (and variables) read by something,
  and the Identity / ReadVariableOp that only reads one (TF1's ``X/read``). Netron
  folds the same way; a toggle draws them as nodes.
"""
from __future__ import annotations

import numpy as np
from google.protobuf.message import DecodeError

from ..errors import PbscopeError
from ..model import Graph, Scope, op_name

FOLDED_SOURCES = {"Const", "VariableV2", "Variable", "VarHandleOp"}
FOLDED_READERS = {"Identity", "ReadVariableOp"}
CALL_TYPES = {"StatefulPartitionedCall", "PartitionedCall"}


class GraphIndex:
    def __init__(self, graph: Graph):
        self.graph = graph
        nodes: list[Scope] = list(graph.root.walk())     # preorder; nodes[0] is the root
        self.nodes = nodes
        n = len(nodes)
        self.number = {id(s): i for i, s in enumerate(nodes)}
        parent = [0] * n
        end = list(range(1, n + 1))
        for i, s in enumerate(nodes):
            if s.parent is not None:
                parent[i] = self.number[id(s.parent)]
        for i in range(n - 1, 0, -1):       # a subtree ends where its last descendant does
            p = parent[i]
            if end[i] > end[p]:
                end[p] = end[i]
        self.end = np.asarray(end, dtype=np.int64)

        by_name: dict[str, int] = {}
        for i, s in enumerate(nodes):
            if s.op is not None:
                by_name.setdefault(s.op.name, i)
        self.by_name = by_name
        node_of_op = {id(s.op): i for i, s in enumerate(nodes) if s.op is not None}
        # the node of each op in graph.all_ops order (the window's filter numbers ops so)
        self.node_of_position = np.fromiter((node_of_op.get(id(op), -1) for op in graph.all_ops),
                                            dtype=np.int64, count=len(graph.all_ops))
        src, dst, ctrl, slot = [], [], [], []
        self.missing: list[tuple[int, str, bool]] = []    # (consumer node, input name, control)
        for i, s in enumerate(nodes):
            op = s.op
            if op is None or not op.raw_inputs:
                continue
            k = 0
            for raw in op.raw_inputs:
                control = raw[:1] == "^"
                name = op_name(raw)
                j = by_name.get(name)
                if j is None:
                    self.missing.append((i, name, control))
                else:
                    src.append(j)
                    dst.append(i)
                    ctrl.append(control)
                    slot.append(-1 if control else k)
                if not control:
                    k += 1
        self.src = np.asarray(src, dtype=np.int64)
        self.dst = np.asarray(dst, dtype=np.int64)
        self.ctrl = np.asarray(ctrl, dtype=bool)
        self.slot = np.asarray(slot, dtype=np.int64)
        self.has_op = np.fromiter((s.op is not None for s in nodes), dtype=bool, count=n)
        self.fold, self.base = self._folding()
        self._unfolded_before = np.concatenate(([0], np.cumsum(self.has_op & ~self.fold)))
        self._ops_before = np.concatenate(([0], np.cumsum(self.has_op)))
        order = np.argsort(self.dst, kind="stable")   # incoming edges of each node, in slot order
        self._in_edges = order
        self._in_start = np.searchsorted(self.dst[order], np.arange(n + 1))
        self.functions = {op.name.partition("/")[0] for op in graph.function_ops}

    def _folding(self) -> tuple[np.ndarray, np.ndarray]:
        """fold[i]: node i is drawn as a row of its consumers, not as a box.
        base[i]: the constant a folded reader reads (i itself for a constant)."""
        n = len(self.nodes)
        consumed = np.zeros(n, dtype=bool)
        consumed[self.src] = True
        types = [s.op.type if s.op is not None else "" for s in self.nodes]
        fold = np.fromiter((t in FOLDED_SOURCES for t in types), dtype=bool, count=n) & consumed
        base = np.arange(n)
        for _ in range(2):     # readers of readers (Identity of an Identity) are rare: two passes
            for i, s in enumerate(self.nodes):
                if fold[i] or types[i] not in FOLDED_READERS or not consumed[i]:
                    continue
                raw = s.op.raw_inputs
                if len(raw) == 1 and raw[0][:1] != "^":
                    j = self.by_name.get(op_name(raw[0]))
                    if j is not None and fold[j]:
                        fold[i], base[i] = True, base[j]
        return fold, base

    # -- queries ---------------------------------------------------------
    def node(self, scope: Scope) -> int:
        return self.number[id(scope)]

    def drawn_ops_below(self, i: int, fold: bool) -> int:
        """Ops strictly below node i that would be drawn as boxes."""
        counts = self._unfolded_before if fold else self._ops_before
        return int(counts[self.end[i]] - counts[i + 1])

    def folded_inputs(self, i: int) -> list[tuple[int, int]]:
        """(slot, constant node) for each data input of node i that folds into it."""
        out = []
        for e in self._in_edges[self._in_start[i]:self._in_start[i + 1]]:
            s = self.src[e]
            if self.fold[s] and not self.ctrl[e]:
                out.append((int(self.slot[e]), int(self.base[s])))
        return out

    def shown_at(self, i: int) -> int:
        """The node whose box shows node i when constants fold: i itself, or the first op
        that reads it (through its /read) — where it is a row. A constant's scope can be far
        from its reader's (TF2 graphs read ``model/x`` from ``model_1/...``)."""
        seen = set()
        while self.fold[i] and i not in seen:
            seen.add(i)
            readers = self.dst[self.src == i]
            if not len(readers):
                break
            kept = readers[~self.fold[readers]]
            i = int(kept[0] if len(kept) else readers[0])
        return i

    def called_function(self, i: int) -> str | None:
        """The function a call op runs, when the graph holds its body."""
        op = self.nodes[i].op
        if op is None or not self.functions:
            return None
        if op.type in self.functions:
            return op.type
        if op.type in CALL_TYPES:
            try:
                f = op.node.attr["f"].func.name
            except (PbscopeError, DecodeError):   # a node that does not parse: no body to show
                return None
            return f if f in self.functions else None
        return None
