"""The tree of name scopes (names split on ``/``), as arrays.

Every op is a node (its row in the op table); every scope path that is not also an op's
name gets a node after them; the root is the last node. ``parent``, children in CSR
form (``child_ptr``/``children``) and the subtree totals are numpy arrays, computed
level by level, so 350,000 ops make a tree in a few passes and no object per op.
``Scope`` objects are views made for the nodes somebody visits (and then kept).

The rules (unchanged from the object tree this replaces):
- a path can be both an op and a scope (``w`` and ``w/read``): one node, with an op
  and children;
- children are in order of creation: when the first op under (or of) them appears;
- a name used by several ops (a broken graph) gives one node per op, the later ones
  labelled ``leaf (2)``, ``leaf (3)``…, and each counts its op.
"""
from __future__ import annotations

from collections.abc import Iterable
from itertools import repeat
from operator import eq, itemgetter, methodcaller
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .model import Graph, Op, Weight


EMPTY = "\x00/"     # the key of the root's child named "" (a "//x" path's parent)


def _key(path: str) -> str:
    """A parent path's key: "" for the root, EMPTY for "/", else without a leading "/"."""
    if not path:
        return ""
    if path[0] != "/":
        return path
    return path[1:] if len(path) > 1 else EMPTY


def _parent_key(key: str) -> str:
    """The key of a key's parent scope."""
    if key == EMPTY:
        return ""
    head, sep, _ = key.rpartition("/")
    return (head or EMPTY) if sep else ""


class ScopeTree:
    def __init__(self, graph: Graph, names: list[str], index: dict[str, int],
                 weight_rows: np.ndarray, weight_sizes: np.ndarray, weight_nbytes: np.ndarray):
        self.graph = graph
        n = len(names)
        self.n_ops = n
        self.names = names
        # A leading "/" adds no level: "/a" is the root's child "a", as "a" is. Names
        # are compared in that canonical form; EMPTY stands for the root's child "".
        lead = graph.table.lead_slash() if graph.table is not None and graph.table.names is names \
            else any(map(methodcaller("startswith", "/"), names))
        cnames = [x[1:] if x[:1] == "/" else x for x in names] if lead else names
        cindex = dict(zip(reversed(cnames), range(n - 1, -1, -1))) if lead else index
        heads = list(map(itemgetter(0), map(str.rpartition, names, repeat("/", n))))
        keys = list(map(_key, heads)) if lead else heads
        # node of each distinct parent key: an op's (its first op of that name) or a new scope
        scope_keys: list[str] = []
        node_of: dict[str, int] = {"": -1}
        scope_parent_key: list[str] = []
        # neighbours in file order mostly share their scope: work on runs of equal keys
        if n > 1:
            same = np.fromiter(map(eq, heads[1:], heads[:-1]), bool, n - 1)
            run_start = np.flatnonzero(np.concatenate([[True], ~same]))
        else:
            run_start = np.zeros(n, np.int64)
        # and a run often starts under the op just before it ("w" then "w/read"): that op
        # is the parent, no lookup needed (unless names repeat: the first op of a name is)
        prev_op = np.zeros(len(run_start), bool)
        if len(run_start) > 1 and len(cindex) == n:
            r = run_start[1:]
            prev_op[1:] = np.fromiter(map(eq, [keys[i] for i in r.tolist()], [cnames[i] for i in (r - 1).tolist()]),
                                      bool, len(r))
        looked = run_start[~prev_op]
        run_keys = [keys[i] for i in looked.tolist()]
        todo = [k for k in dict.fromkeys(run_keys) if k not in node_of]
        while todo:       # one level of new scopes per round, with C-level list operations
            found = list(map(cindex.get, todo if not lead else ["" if k == EMPTY else k for k in todo]))
            node_of.update((k, r) for k, r in zip(todo, found) if r is not None)
            new = [k for k, r in zip(todo, found) if r is None]
            node_of.update(zip(new, range(n + len(scope_keys), n + len(scope_keys) + len(new))))
            scope_keys.extend(new)
            ups = list(map(_parent_key, new)) if lead else \
                list(map(itemgetter(0), map(str.rpartition, new, repeat("/", len(new)))))
            scope_parent_key.extend(ups)
            todo = [k for k in dict.fromkeys(ups) if k not in node_of]
        del heads
        s = len(scope_keys)
        self.root = root = n + s
        total = n + s + 1
        parent = np.empty(total, np.int64)
        get = node_of.__getitem__
        run_parent = np.empty(len(run_start), np.int64)
        run_parent[prev_op] = run_start[prev_op] - 1
        run_parent[~prev_op] = np.fromiter(map(get, run_keys), np.int64, len(run_keys))
        parent[:n] = np.repeat(run_parent, np.diff(np.append(run_start, n)))
        parent[n:n + s] = np.fromiter(map(get, scope_parent_key), np.int64, s)
        parent[parent < 0] = root
        parent[root] = -1
        self.parent = parent
        depth = np.empty(total, np.int64)
        slash = repeat("/")
        depth[:n] = np.fromiter(map(str.count, cnames, slash), np.int64, n) + 1
        depth[n:n + s] = np.fromiter((0 if k == EMPTY else k.count("/") for k in scope_keys), np.int64, s) + 1
        depth[root] = 0
        # duplicate names: rows that are not the first op of their name
        self.dup_label: dict[int, str] = {}
        if len(cindex) != n:
            first = np.fromiter(map(cindex.__getitem__, cnames), np.int64, n)
            seen: dict[str, int] = {}
            for r in np.flatnonzero(first != np.arange(n)).tolist():
                leaf = names[r].rpartition("/")[2]
                k = seen.get(cnames[r], 1) + 1
                seen[cnames[r]] = k
                self.dup_label[r] = f"{leaf} ({k})"
        # per-node values, then subtree totals bottom-up, one depth level at a time
        key = np.full(total, np.iinfo(np.int64).max, np.int64)
        key[:n] = np.arange(n)
        op_count = np.zeros(total, np.int64)
        op_count[:n] = 1
        wcount = np.zeros(total, np.int64)
        big = object if object in (weight_sizes.dtype, weight_nbytes.dtype) else np.int64
        params = np.zeros(total, big)       # Python ints only for a hostile file's claims
        nbytes = np.zeros(total, big)
        wcount[weight_rows] = 1
        params[weight_rows] = weight_sizes
        nbytes[weight_rows] = weight_nbytes
        size = np.ones(total, np.int64)        # nodes in each subtree, itself included
        by_depth = np.argsort(depth, kind="stable")
        bounds = np.searchsorted(depth[by_depth], np.arange(int(depth.max()) + 2))
        for d in range(int(depth.max()), 0, -1):
            nodes = by_depth[bounds[d]:bounds[d + 1]]
            up = parent[nodes]
            np.minimum.at(key, up, key[nodes])
            for a in (op_count, wcount, params, nbytes, size):
                np.add.at(a, up, a[nodes])
        self.op_count, self.weight_count, self.params, self.nbytes = op_count, wcount, params, nbytes
        self.first_row, self.depth = key, depth
        kids = np.flatnonzero(parent >= 0)
        order = kids[np.lexsort((key[kids], parent[kids]))]
        self.children = order
        self.child_ptr = np.zeros(total + 1, np.int64)
        np.cumsum(np.bincount(parent[kids], minlength=total), out=self.child_ptr[1:])
        # preorder: each subtree is one range of ``preorder``, found top-down by levels
        csum = np.cumsum(size[order]) - size[order]
        first_kid = np.repeat(csum[self.child_ptr[:-1][np.diff(self.child_ptr) > 0]],
                              np.diff(self.child_ptr)[np.diff(self.child_ptr) > 0])
        before = np.empty(total, np.int64)
        before[order] = csum - first_kid          # nodes in earlier siblings' subtrees
        pre = np.zeros(total, np.int64)
        for d in range(1, len(bounds) - 1):
            nodes = by_depth[bounds[d]:bounds[d + 1]]
            pre[nodes] = pre[parent[nodes]] + 1 + before[nodes]
        self.pre, self.size = pre, size
        self.preorder = np.empty(total, np.int64)
        self.preorder[pre] = np.arange(total)
        if total < 1 << 31:      # half the memory for what stays (350k ops: ~20 MB)
            for attr in ("parent", "first_row", "depth", "op_count", "weight_count", "size", "pre",
                         "preorder", "children", "child_ptr"):
                setattr(self, attr, getattr(self, attr).astype(np.int32))
        self._node_of = node_of
        self.index = cindex
        self._lead = lead
        self._row_in_parent: np.ndarray | None = None
        self._views: dict[int, Scope] = {}

    # -- nodes ------------------------------------------------------------------
    def path(self, node: int) -> str:
        """The path as first written: the first op under a scope names it (so a scope
        that ``/a/b`` made is ``/a``, and an op ``w`` under a scope that ``w/read`` made
        first has the scope's path ``w``)."""
        if node == self.root:
            return ""
        d = int(self.first_row[node])
        p = self.names[d]
        for _ in range(int(self.depth[d] - self.depth[node])):
            p = p.rpartition("/")[0]
        return p

    def name(self, node: int) -> str:
        label = self.dup_label.get(node) if self.dup_label else None
        return label if label is not None else self.path(node).rpartition("/")[2]

    def kids(self, node: int) -> np.ndarray:
        return self.children[self.child_ptr[node]:self.child_ptr[node + 1]]

    def child_count(self, node: int) -> int:
        return int(self.child_ptr[node + 1] - self.child_ptr[node])

    def row_in_parent(self, node: int) -> int:
        if self._row_in_parent is None:
            r = np.empty(len(self.parent), np.int32)
            r[self.children] = np.arange(len(self.children)) - np.repeat(
                self.child_ptr[:-1], np.diff(self.child_ptr))
            r[self.root] = 0
            self._row_in_parent = r
        return int(self._row_in_parent[node])

    def is_op(self, node: int) -> bool:
        return node < self.n_ops

    def find(self, path: str, start: int | None = None) -> int:
        """The node at ``path`` (relative to ``start``), or -1."""
        start = self.root if start is None else start
        if not self._lead and not self.dup_label:    # paths are unique: look them up
            base = self.path(start) if start != self.root else ""
            full = f"{base}/{path}" if base else path
            r = self.index.get(full)
            if r is None and full:
                r = self._node_of.get(full)
            if r is not None and r >= 0 and self.path(r) == full:
                return r
        node = start                                    # walk the names, part by part
        for part in path.split("/"):
            child = self.view(node).children.get(part)
            if child is None:
                return -1
            node = child.node
        return node

    def view(self, node: int) -> Scope:
        v = self._views.get(node)
        if v is None:
            v = self._views[node] = Scope(self, node)
        return v

    def subtree(self, node: int) -> np.ndarray:
        """The nodes of ``node``'s subtree (itself included), in preorder."""
        a = int(self.pre[node])
        return self.preorder[a:a + int(self.size[node])]

    def subtree_ops(self, node: int) -> np.ndarray:
        """Rows of the ops in ``node``'s subtree (itself included), in preorder."""
        nodes = self.subtree(node)
        return nodes[nodes < self.n_ops]


_NO_CHILDREN: dict = {}


class Scope:
    """A node of the name-scope tree: a view over ``ScopeTree``'s arrays.

    A path can be both an op and a scope (``w`` and ``w/read``): then ``op`` is set
    and ``children`` is not empty. Counts and totals cover the whole subtree.
    """
    __slots__ = ("_children", "_op", "node", "tree")

    def __init__(self, tree: ScopeTree, node: int):
        self.tree = tree
        self.node = node
        self._children: dict[str, Scope] | None = None
        self._op = None

    def __repr__(self) -> str:
        return f"<Scope {self.path!r} ops={self.op_count} weights={self.weight_count}>"

    @property
    def name(self) -> str:
        return self.tree.name(self.node)

    @property
    def path(self) -> str:
        return self.tree.path(self.node)

    @property
    def parent(self) -> Scope | None:
        p = int(self.tree.parent[self.node])
        return self.tree.view(p) if p >= 0 else None

    @property
    def op(self) -> Op | None:
        op = self._op
        if op is None and self.node < self.tree.n_ops:
            op = self._op = self.tree.graph.all_ops[self.node]
        return op

    @property
    def has_children(self) -> bool:
        return self.tree.child_count(self.node) > 0

    @property
    def weight(self) -> Weight | None:
        t = self.tree
        return t.graph.weight_of(t.names[self.node]) if self.node < t.n_ops else None

    @property
    def op_count(self) -> int:
        return int(self.tree.op_count[self.node])

    @property
    def weight_count(self) -> int:
        return int(self.tree.weight_count[self.node])

    @property
    def params(self) -> int:
        return int(self.tree.params[self.node])

    @property
    def nbytes(self) -> int:
        return int(self.tree.nbytes[self.node])

    @property
    def children(self) -> dict[str, Scope]:
        """Children by name, in file order."""
        if self._children is None:
            t = self.tree
            kids = t.kids(self.node)
            self._children = {t.name(c): t.view(c) for c in kids.tolist()} if len(kids) else _NO_CHILDREN
        return self._children

    @property
    def rows(self) -> list[Scope]:
        """Children as a list, in file order."""
        return list(self.children.values())

    def walk(self) -> Iterable[Scope]:
        stack = [self]
        while stack:
            s = stack.pop()
            yield s
            if s.tree.child_count(s.node):
                stack.extend(reversed(s.rows))

    def weights(self) -> list[Weight]:
        t = self.tree
        graph = t.graph
        rows = t.subtree_ops(self.node)
        rows = rows[t.weight_count[rows] > 0] if len(rows) else rows
        out = []
        for r in rows.tolist():
            w = graph.weight_of(t.names[r])
            if w is not None:
                out.append(w)
        return out

    def find(self, path: str) -> Scope | None:
        node = self.tree.find(path, self.node)
        return self.tree.view(node) if node >= 0 else None
