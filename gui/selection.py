"""The ticked weights, kept apart from the tree: no item carries state of its own.

Tri-state boxes need "how many weights under this scope are ticked" for every
visible scope. A graph's ordinary weights are a flag each (``_ArrayPool``); the
ticked count of a scope is a difference of one cumulative sum over the scope tree's
preorder, redone after a change, so tick all, none, invert and ticking a scope of
100,000 weights are array operations. Weights whose values the file does not hold
(variables of an unfrozen graph, a checkpoint whose data file is missing) cannot be
exported, so they cannot be ticked.

A graph's ``extra_weights`` (optimizer slots, ``global_step``, variables the saver
skips) are a second pool: tickable one by one (or a scope that holds nothing else),
but never by "tick all", "invert" or the default selection, and a scope's box that
holds ordinary weights ticks those only.
"""
from __future__ import annotations

from typing import Callable, Iterable

import numpy as np

from ..core.model import Graph, Scope, Weight, WeightList

UNCHECKED, PARTIAL, CHECKED = 0, 1, 2


def _prefixes(name: str):
    yield ""
    i = name.find("/")
    while i >= 0:
        yield name[:i]
        i = name.find("/", i + 1)
    yield name


def _count_prefixes(weights: Iterable[Weight]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for w in weights:
        for p in _prefixes(w.name):
            counts[p] = counts.get(p, 0) + 1
    return counts


class _Names:
    """Membership by name in an _ArrayPool's available weights."""

    def __init__(self, pool: "_ArrayPool"):
        self.pool = pool

    def __contains__(self, name: str) -> bool:
        k = self.pool.position(name)
        return k >= 0 and bool(self.pool.ok[k])

    def __len__(self) -> int:
        return self.pool.total


class _ArrayPool:
    """A graph's ordinary weights (core's WeightList) as arrays: one flag per weight, and
    ticked counts per scope from the scope tree's preorder (a cumulative sum, redone
    after a change), so ticking a scope of 100,000 weights is a few array operations."""

    def __init__(self, graph: Graph):
        ws = graph.weights
        self.graph, self.ws = graph, ws
        self.ok = np.asarray(ws.available, bool)
        self.rows = ws.rows
        self.sizes, self.bytes_ = ws.sizes, ws.nbytes
        self.total = int(self.ok.sum())
        self.total_params = int(self.sizes[self.ok].sum())
        self.total_nbytes = int(self.bytes_[self.ok].sum())
        self.unavailable: list[Weight] = [ws[k] for k in np.flatnonzero(~self.ok).tolist()]
        self.avail = _Names(self)
        self.under: dict[str, int] = {}
        self.reset(False)

    def position(self, name: str) -> int:
        t = self.graph.table
        row = t.index.get(name)
        return -1 if row is None else self.ws.position_of_row(row, t.n)

    def reset(self, ticked_all: bool) -> None:
        self.ticked = self.ok.copy() if ticked_all else np.zeros(len(self.ok), bool)
        self._csum = None

    def invert(self) -> None:
        self.ticked = ~self.ticked & self.ok
        self._csum = None

    def __len__(self) -> int:
        return int(self.ticked.sum())

    def __contains__(self, name: str) -> bool:
        k = self.position(name)
        return k >= 0 and bool(self.ticked[k])

    def ticked_in_scope(self, scope: Scope, tickable: int) -> int:
        tree = scope.tree
        if self._csum is None:
            flag = np.zeros(len(tree.preorder) + 1, np.int64)
            rows = self.rows[self.ticked]
            flag[tree.pre[rows[rows >= 0]] + 1] = 1     # (a weight named after no op has no row)
            self._csum = np.cumsum(flag)
        a = tree.pre[scope.node]
        return int(self._csum[a + tree.size[scope.node]] - self._csum[a])

    def ticked_params(self) -> int:
        return int(self.sizes[self.ticked].sum())

    def ticked_nbytes(self) -> int:
        return int(self.bytes_[self.ticked].sum())

    def names(self) -> set[str]:
        rows, names, ws = self.rows[self.ticked], self.graph.table.names, self.ws
        out = {names[r] for r in rows[rows >= 0].tolist()}
        out.update(ws[k].name for k in np.flatnonzero(self.ticked & (self.rows < 0)).tolist())
        return out

    def ticked_weights(self) -> list[Weight]:
        ws = self.ws
        return [ws[k] for k in np.flatnonzero(self.ticked).tolist()]

    def positions_under(self, scope: Scope) -> np.ndarray:
        """Positions of the available weights in ``scope``'s subtree."""
        t = self.graph.table
        rows = scope.tree.subtree_ops(scope.node)
        pos = self.ws._by_row if self.ws._by_row is not None else None
        if pos is None:
            self.ws.position_of_row(0, t.n)
            pos = self.ws._by_row
        rows = rows[rows < len(pos)]
        k = pos[rows]
        k = k[k >= 0]
        return k[self.ok[k]]

    def set_positions(self, k: np.ndarray, ticked: bool) -> int:
        changed = int((self.ticked[k] != ticked).sum())
        if changed:
            self.ticked[k] = ticked
            self._csum = None
        return changed

    def set_ticked(self, weights: Iterable[Weight], ticked: bool) -> int:
        ks = [self.position(w.name) for w in weights if w is not None]
        return self.set_positions(np.array([k for k in ks if k >= 0], np.int64), ticked)


class _Pool:
    """A small set of tickable weights (the kept-apart ones; a graph's own weights when
    it has no op table), with per-prefix counts of the ticked ones ('a', 'a/b', 'a/b/w'
    each count the members below them); after "tick all" or "invert" the members are
    the unticked ones, so those are O(1). ``under`` (tickable weights per scope path) is counted for the small
    kept-apart pool only: the ordinary pool reads it off the scope tree."""

    def __init__(self, weights: Iterable[Weight], count: bool = False):
        self.avail: set[str] = set()
        self.total_params = self.total_nbytes = 0
        self.unavailable: list[Weight] = []
        for w in weights:
            if w.available:
                self.avail.add(w.name)
                self.total_params += w.size
                self.total_nbytes += w.nbytes
            else:
                self.unavailable.append(w)
        self.under: dict[str, int] = _count_prefixes(w for w in weights if w.available) if count else {}
        self.total = len(self.avail)
        self.reset(False)

    def reset(self, inverted: bool) -> None:
        self.inverted = inverted        # False: members are ticked; True: members are unticked
        self.members: set[str] = set()
        self.counts: dict[str, int] = {}
        self.params = self.nbytes = 0   # of the members

    def __len__(self) -> int:
        return self.total - len(self.members) if self.inverted else len(self.members)

    def __contains__(self, name: str) -> bool:
        return name in self.avail and (name in self.members) != self.inverted

    def ticked_in(self, path: str, tickable: int) -> int:
        n = self.counts.get(path, 0)
        return tickable - n if self.inverted else n

    def ticked_in_scope(self, scope: Scope, tickable: int) -> int:
        return self.ticked_in(scope.path, tickable)

    def invert(self) -> None:
        self.inverted = not self.inverted

    def ticked_params(self) -> int:
        return self.total_params - self.params if self.inverted else self.params

    def ticked_nbytes(self) -> int:
        return self.total_nbytes - self.nbytes if self.inverted else self.nbytes

    def names(self) -> set[str]:
        return self.avail - self.members if self.inverted else set(self.members)

    def set_ticked(self, weights: Iterable[Weight], ticked: bool) -> int:
        members, counts, avail = self.members, self.counts, self.avail
        join = ticked != self.inverted      # does the change add to the member set?
        delta = 1 if join else -1
        changed = 0
        for w in weights:
            if w is None or w.name not in avail or (w.name in members) == join:
                continue
            if join:
                members.add(w.name)
            else:
                members.discard(w.name)
            for p in _prefixes(w.name):
                counts[p] = counts.get(p, 0) + delta
            self.params += delta * w.size
            self.nbytes += delta * w.nbytes
            changed += 1
        return changed


class Selection:
    def __init__(self, graph: Graph):
        self.graph = graph
        extra = list(getattr(graph, "extra_weights", ()))
        big = isinstance(graph.weights, WeightList) and getattr(graph, "table", None) is not None
        self.main = _ArrayPool(graph) if big else _Pool(graph.weights)
        self.extra = _Pool(extra, count=True)
        self._extra_names = {w.name for w in extra}
        self.total = self.main.total            # what "tick all" ticks
        self.total_extra = self.extra.total
        self.total_params, self.total_nbytes = self.main.total_params, self.main.total_nbytes
        self.unavailable: list[Weight] = self.main.unavailable + self.extra.unavailable
        # a scope's weight_count covers every weight below it; these are not ordinary tickable ones
        self._not_main = _count_prefixes(self.unavailable)
        for path, n in self.extra.under.items():
            self._not_main[path] = self._not_main.get(path, 0) + n
        self._listeners: list[Callable[[], None]] = []

    # -- queries -------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.main) + len(self.extra)

    def __contains__(self, name: str) -> bool:
        return name in self.main or name in self.extra

    @property
    def params(self) -> int:
        return self.main.ticked_params() + self.extra.ticked_params()

    @property
    def nbytes(self) -> int:
        return self.main.ticked_nbytes() + self.extra.ticked_nbytes()

    @property
    def extra_ticked(self) -> int:
        return len(self.extra)

    def is_extra(self, name: str) -> bool:
        """Is ``name`` a kept-apart weight (optimizer slot, step counter, unsaved variable)?"""
        return name in self._extra_names

    def names(self) -> set[str]:
        return self.main.names() | self.extra.names()

    def weights(self) -> list[Weight]:
        """The ticked weights: the graph's in file order, then the kept-apart ones."""
        main = self.main.ticked_weights() if isinstance(self.main, _ArrayPool) else \
            [w for w in self.graph.weights if w.name in self.main]
        return (main
                + [w for w in getattr(self.graph, "extra_weights", ()) if w.name in self.extra])

    def _pool(self, scope: Scope) -> tuple[_Pool | None, int]:
        """The pool a scope's box works on (its ordinary weights, else its kept-apart ones)
        and how many tickable weights of it lie below."""
        path = scope.path
        n = scope.weight_count - self._not_main.get(path, 0)
        if n > 0:
            return self.main, n
        n = self.extra.under.get(path, 0)
        if n > 0:
            return self.extra, n
        return None, 0

    def tickable(self, scope: Scope) -> int:
        return self._pool(scope)[1]

    def ticked_in(self, scope: Scope) -> int:
        pool, n = self._pool(scope)
        return pool.ticked_in_scope(scope, n) if pool is not None else 0

    def state(self, scope: Scope) -> int | None:
        """UNCHECKED/PARTIAL/CHECKED for a tree node, None when it holds nothing tickable."""
        pool, total = self._pool(scope)
        if pool is None:
            return None
        n = pool.ticked_in_scope(scope, total)
        return UNCHECKED if n <= 0 else CHECKED if n >= total else PARTIAL

    def tick_targets(self, scope: Scope) -> list[Weight]:
        """What a scope's box ticks: its ordinary weights, or (none there) its kept-apart ones."""
        ws = scope.weights() if scope.children else ([scope.weight] if scope.weight is not None else [])
        main = [w for w in ws if w.name in self.main.avail]
        return main or [w for w in ws if w.name in self.extra.avail]

    def split(self, weights: Iterable[Weight]) -> tuple[list[Weight], list[Weight]]:
        """(ordinary tickable weights, kept-apart tickable weights) among ``weights``."""
        main, extra = [], []
        for w in weights:
            if w is None:
                continue
            if w.name in self.main.avail:
                main.append(w)
            elif w.name in self.extra.avail:
                extra.append(w)
        return main, extra

    # -- changes -------------------------------------------------------------
    def on_change(self, callback: Callable[[], None]) -> None:
        self._listeners.append(callback)

    def _changed(self) -> None:
        for cb in self._listeners:
            cb()

    def set_ticked(self, weights: Iterable[Weight], ticked: bool = True, notify: bool = True) -> int:
        """Tick (or untick) ``weights``; returns how many changed. Weights without values
        are left alone."""
        main, extra = self.split(weights)
        changed = self.main.set_ticked(main, ticked) + self.extra.set_ticked(extra, ticked)
        if changed and notify:
            self._changed()
        return changed

    def tick_scope(self, scope: Scope, ticked: bool = True) -> int:
        """Tick (or untick) what a scope's box ticks (see tick_targets); with array
        operations for a big graph's ordinary weights."""
        if isinstance(self.main, _ArrayPool):
            k = self.main.positions_under(scope)
            if len(k):
                changed = self.main.set_positions(k, ticked)
                if changed:
                    self._changed()
                return changed
        return self.set_ticked(self.tick_targets(scope), ticked)

    def tick_all(self, notify: bool = True) -> None:
        """Tick every ordinary weight (kept-apart ones stay as they are)."""
        self.main.reset(True)
        if notify:
            self._changed()

    def clear(self, notify: bool = True) -> None:
        self.main.reset(False)
        self.extra.reset(False)
        if notify:
            self._changed()

    def invert(self) -> None:
        """Invert the ticks of the ordinary weights (the members swap meaning; nothing moves)."""
        self.main.invert()
        self._changed()
