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

from collections.abc import Mapping, Sequence

import numpy as np
from google.protobuf.message import DecodeError

from ..errors import PbscopeError
from ..model import Graph, Scope

FOLDED_SOURCES = {"Const", "VariableV2", "Variable", "VarHandleOp"}
FOLDED_READERS = {"Identity", "ReadVariableOp"}
CALL_TYPES = {"StatefulPartitionedCall", "PartitionedCall"}


class _Nodes(Sequence):
    """The scope tree's nodes in preorder, as Scope views made when asked for."""

    def __init__(self, tree):
        self.tree = tree

    def __len__(self) -> int:
        return len(self.tree.preorder)

    def __getitem__(self, i: int) -> Scope:
        return self.tree.view(int(self.tree.preorder[i]))


class _ByName(Mapping):
    """Op name → the number of its op's node (the first op of that name)."""

    def __init__(self, index: dict[str, int], pre: np.ndarray):
        self.index, self.pre = index, pre

    def __getitem__(self, name: str) -> int:
        return int(self.pre[self.index[name]])

    def get(self, name: str, default=None):
        r = self.index.get(name)
        return default if r is None else int(self.pre[r])

    def __iter__(self):
        return iter(self.index)

    def __len__(self) -> int:
        return len(self.index)


class GraphIndex:
    def __init__(self, graph: Graph):
        self.graph = graph
        tree = graph.scope_tree
        table = graph.table
        self.tree = tree
        self.nodes = _Nodes(tree)                # preorder; nodes[0] is the root
        pre = tree.pre
        n = len(tree.preorder)
        self.end = np.arange(n, dtype=np.int64) + tree.size[tree.preorder]
        self.by_name = _ByName(table.index, pre)
        ops = tree.n_ops
        # the node of each op in graph.all_ops order (the window's filter numbers ops so)
        self.node_of_position = pre[:ops].copy()
        owner = table.owner_of_inputs()
        found = table.in_src >= 0
        src = pre[table.in_src[found]]
        dst = pre[owner[found]]
        order = np.argsort(dst, kind="stable")        # edges by consumer node, then slot
        self.src, self.dst = src[order], dst[order]
        self.ctrl = table.in_ctrl[found][order]
        self.slot = table.in_slot[found][order].astype(np.int64)
        self.missing: list[tuple[int, str, bool]] = sorted(   # (consumer node, input name, control)
            (int(pre[owner[j]]), table.input_name(j), bool(table.in_ctrl[j]))
            for j in np.flatnonzero(~found).tolist())
        self.has_op = np.zeros(n, bool)
        self.has_op[pre[:ops]] = True
        self.fold, self.base = self._folding(table, pre)
        self._unfolded_before = np.concatenate(([0], np.cumsum(self.has_op & ~self.fold)))
        self._ops_before = np.concatenate(([0], np.cumsum(self.has_op)))
        self._in_edges = np.arange(len(self.dst))
        self._in_start = np.searchsorted(self.dst, np.arange(n + 1))
        self.functions = {op.name.partition("/")[0] for op in graph.function_ops}

    def _folding(self, table, pre: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """fold[i]: node i is drawn as a row of its consumers, not as a box.
        base[i]: the constant a folded reader reads (i itself for a constant)."""
        n = len(self.has_op)
        consumed = np.zeros(n, dtype=bool)
        consumed[self.src] = True
        ops = len(table.names)
        fold = np.zeros(n, bool)
        fold[pre[table.rows_of_type(*FOLDED_SOURCES)]] = True
        fold &= consumed
        base = np.arange(n)
        readers = table.rows_of_type(*FOLDED_READERS)
        readers = readers[readers < ops]
        one = np.diff(table.in_ptr)[readers] == 1
        readers = readers[one]
        first = table.in_ptr[readers]
        ok = (table.in_src[first] >= 0) & ~table.in_ctrl[first]
        readers, first = readers[ok], first[ok]
        me, them = pre[readers], pre[table.in_src[first]]
        keep = consumed[me]
        me, them = me[keep], them[keep]
        for _ in range(2):     # readers of readers (Identity of an Identity) are rare: two passes
            go = ~fold[me] & fold[them]
            fold[me[go]] = True
            base[me[go]] = base[them[go]]
        return fold, base

    # -- queries ---------------------------------------------------------
    def node(self, scope: Scope) -> int:
        return int(self.tree.pre[scope.node])

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
