"""The ticked weights, kept apart from the tree: no item carries state of its own.

Tri-state boxes need "how many weights under this scope are ticked" for every
visible scope, so the selection keeps, for each prefix of a member's name ('a',
'a/b', 'a/b/w'), how many members lie below it: asking a scope's state is one dict
lookup. The member set is either the ticked weights or, after "tick all" or
"invert", the unticked ones (``_inverted``), so every operation costs in
proportion to the weights it changes: tick all, none and invert are O(1) even at
100,000 weights. Weights whose values the file does not hold (variables of an
unfrozen graph) cannot be exported, so they cannot be ticked.
"""
from __future__ import annotations

from typing import Callable, Iterable

from core.model import Graph, Scope, Weight

UNCHECKED, PARTIAL, CHECKED = 0, 1, 2


def _prefixes(name: str):
    yield ""
    i = name.find("/")
    while i >= 0:
        yield name[:i]
        i = name.find("/", i + 1)
    yield name


class Selection:
    def __init__(self, graph: Graph):
        self.graph = graph
        self._avail: set[str] = set()
        self._blocked: dict[str, int] = {}     # unavailable weights per scope path
        self.total_params = self.total_nbytes = 0
        for w in graph.weights:
            if w.available:
                self._avail.add(w.name)
                self.total_params += w.size
                self.total_nbytes += w.nbytes
            else:
                for p in _prefixes(w.name):
                    self._blocked[p] = self._blocked.get(p, 0) + 1
        self.total = len(self._avail)
        self._inverted = False          # False: _members are ticked; True: _members are unticked
        self._members: set[str] = set()
        self._counts: dict[str, int] = {}
        self._params = self._nbytes = 0  # of the members
        self._listeners: list[Callable[[], None]] = []

    # -- queries -------------------------------------------------------------
    def __len__(self) -> int:
        return self.total - len(self._members) if self._inverted else len(self._members)

    def __contains__(self, name: str) -> bool:
        return name in self._avail and (name in self._members) != self._inverted

    @property
    def params(self) -> int:
        return self.total_params - self._params if self._inverted else self._params

    @property
    def nbytes(self) -> int:
        return self.total_nbytes - self._nbytes if self._inverted else self._nbytes

    def names(self) -> set[str]:
        return self._avail - self._members if self._inverted else set(self._members)

    def weights(self) -> list[Weight]:
        """The ticked weights, in file order."""
        return [w for w in self.graph.weights if w.name in self]

    def tickable(self, scope: Scope) -> int:
        return scope.weight_count - self._blocked.get(scope.path, 0)

    def ticked_in(self, scope: Scope) -> int:
        n = self._counts.get(scope.path, 0)
        return self.tickable(scope) - n if self._inverted else n

    def state(self, scope: Scope) -> int | None:
        """UNCHECKED/PARTIAL/CHECKED for a tree node, None when it holds nothing tickable."""
        total = self.tickable(scope)
        if total <= 0:
            return None
        n = self.ticked_in(scope)
        return UNCHECKED if n <= 0 else CHECKED if n >= total else PARTIAL

    # -- changes -------------------------------------------------------------
    def on_change(self, callback: Callable[[], None]) -> None:
        self._listeners.append(callback)

    def _changed(self) -> None:
        for cb in self._listeners:
            cb()

    def set_ticked(self, weights: Iterable[Weight], ticked: bool = True, notify: bool = True) -> int:
        """Tick (or untick) ``weights``; returns how many changed."""
        members, counts, avail = self._members, self._counts, self._avail
        join = ticked != self._inverted      # does the change add to the member set?
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
            self._params += delta * w.size
            self._nbytes += delta * w.nbytes
            changed += 1
        if changed and notify:
            self._changed()
        return changed

    def _reset(self, inverted: bool) -> None:
        self._inverted = inverted
        self._members, self._counts = set(), {}
        self._params = self._nbytes = 0

    def tick_all(self, notify: bool = True) -> None:
        self._reset(True)
        if notify:
            self._changed()

    def clear(self, notify: bool = True) -> None:
        self._reset(False)
        if notify:
            self._changed()

    def invert(self) -> None:
        self._inverted = not self._inverted   # the members swap meaning; nothing else moves
        self._changed()
