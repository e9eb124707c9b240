"""Filtering a graph's ops by name (text, regex, glob), op type and weights-only: the
rules the window's filter bar and ``ls`` share.

All names are one string, joined by newlines; a text filter is a vectorized search
over its bytes (numpy), so a keystroke over 357,000 names costs a few milliseconds,
not a Python loop. Matches become a mask over the ops; the scope tree's preorder
numbering turns it into "which tree nodes show" with two cumulative sums.
"""
from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .model import Graph

MODES = ("text", "regex", "glob")


@dataclass(frozen=True)
class FilterQuery:
    text: str = ""
    mode: str = "text"          # one of MODES
    op_type: str = ""           # "" for every type
    weights_only: bool = False

    @property
    def active(self) -> bool:
        return bool(self.text or self.op_type or self.weights_only)


def compile_query(query: FilterQuery) -> re.Pattern | None:
    """The query's text as a case-insensitive regex; raises re.error for a bad one.

    Glob patterns are anchored at a name-part boundary and at the end, so ``weights``
    finds every ``…/weights`` and ``Conv2d_1*`` every op under a ``Conv2d_1…`` scope.
    """
    text = query.text
    if not text:
        return None
    if query.mode == "regex":
        return re.compile(text, re.IGNORECASE)
    if query.mode == "glob":
        return re.compile(r"(?:^|(?<=/))" + fnmatch.translate(text), re.IGNORECASE)
    return re.compile(re.escape(text), re.IGNORECASE)


def highlight_spans(pattern: re.Pattern | None, path: str, leaf: str) -> list[tuple[int, int]]:
    """Where ``pattern`` matched, as spans of the shown ``leaf`` (the end of ``path``)."""
    if pattern is None or not leaf:
        return []
    if path.endswith(leaf):
        offset = len(path) - len(leaf)
        text = path
    else:  # a renamed duplicate ("w (2)"): match the label alone
        offset, text = 0, leaf
    spans = []
    for m in pattern.finditer(text):
        s, e = max(m.start() - offset, 0), min(m.end() - offset, len(leaf))
        if e > s:  # empty matches (regex "x*") highlight nothing
            spans.append((s, e))
    return spans


class FilterResult:
    """The ops a query matched (a mask over ``graph.all_ops``) and what the tree shows."""

    def __init__(self, index: "FilterIndex", query: FilterQuery, mask: np.ndarray | None,
                 pattern: re.Pattern | None):
        self.index = index
        self.query = query
        self.mask = mask                    # None: every op matched
        self.pattern = pattern              # for highlighting
        self.names = index.names

    @cached_property
    def indices(self) -> np.ndarray | range:
        """Matched ops (positions in ``graph.all_ops``), in file order."""
        return range(self.index.total) if self.mask is None else np.flatnonzero(self.mask)

    @property
    def count(self) -> int:
        return len(self.indices)

    @property
    def matched(self) -> list[str]:
        """Names of the matched ops, file order."""
        names = self.names
        return [names[i] for i in self.indices]

    @cached_property
    def shown(self) -> np.ndarray | None:
        """Over the scope tree's nodes: those with a match in their subtree. None: all."""
        if self.mask is None:
            return None
        tree = self.index.graph.scope_tree
        hit = np.zeros(len(tree.preorder) + 1, np.int64)
        hit[tree.pre[:tree.n_ops] + 1] = self.mask
        csum = np.cumsum(hit)
        return (csum[tree.pre + tree.size] - csum[tree.pre]) > 0

    # the same as path sets (tests, small callers)
    @property
    def visible(self) -> set[str] | None:
        shown = self.shown
        if shown is None:
            return None
        tree = self.index.graph.scope_tree
        return {tree.path(int(n)) for n in np.flatnonzero(shown) if n != tree.root}

    @property
    def parents(self) -> set[str]:
        shown = self.shown
        if shown is None:
            return set()
        tree = self.index.graph.scope_tree
        with_kid = np.zeros(len(shown), bool)
        kids = tree.children[shown[tree.children]]
        with_kid[tree.parent[kids]] = True
        with_kid[tree.root] = False
        return {tree.path(int(n)) for n in np.flatnonzero(with_kid)}


class FilterIndex:
    """What filtering a graph needs, built once (in the window's loading worker)."""

    def __init__(self, graph: Graph):
        self.graph = graph
        t = graph._own_table()
        self.table = t
        self.names: list[str] = t.names     # graph.all_ops order
        self.total = t.n
        self.type_counts: dict[str, int] = t.type_counts()
        self.functions: set[str] = {op.name.partition("/")[0] for op in getattr(graph, "function_ops", ())}
        self._text: str | None = None
        self._lower: np.ndarray | None = None
        self._starts: np.ndarray | None = None
        self._weights: np.ndarray | None = None
        self._last: tuple[str, np.ndarray] | None = None    # the last text search and its hits
        self._buffers: list[np.ndarray | None] = [None, None]

    # -- precomputed, once -------------------------------------------------------
    def text(self) -> str:
        """Every name, each followed by a newline."""
        if self._text is None:
            self._text = "\n".join(self.names) + "\n"
        return self._text

    def line_starts(self) -> np.ndarray:
        """Where each name starts in ``text()`` (characters), and the text's length."""
        if self._starts is None:
            lens = np.fromiter(map(len, self.names), np.int64, self.total) + 1
            self._starts = np.concatenate([[0], np.cumsum(lens)])
        return self._starts

    def lower(self) -> np.ndarray | None:
        """The lowered text as bytes (numpy), when it is ASCII; None otherwise."""
        if self._lower is None:
            kept = self._text is not None
            text = self.text()
            if text.isascii():
                self._lower = np.frombuffer(text.lower().encode("ascii"), np.uint8)
                if not kept:
                    self._text = None     # only regex and glob need it: joined again then
            else:
                self._lower = np.zeros(0, np.uint8)
        return self._lower if len(self._lower) or not self.total else None

    def warm(self) -> None:
        """Build what the first keystroke would otherwise pay for."""
        self.lower()
        self.line_starts()
        _ = self.graph.scope_tree

    def weight_mask(self) -> np.ndarray:
        if self._weights is None:
            g = self.graph
            mask = np.zeros(self.total, bool)
            index = self.table.index
            rows = g.weights.rows
            mask[rows[rows >= 0]] = True
            for w in g.extra_weights:
                r = index.get(w.name)
                if r is not None:
                    mask[r] = True
            if len(index) != self.total:     # duplicate names: the name decides
                first = np.fromiter(map(index.__getitem__, self.names), np.int64, self.total)
                mask = mask[first]
            self._weights = mask
        return self._weights

    # -- matching ---------------------------------------------------------------
    def run(self, query: FilterQuery) -> FilterResult:
        """Match every op name once; raises re.error for a bad pattern."""
        pattern = compile_query(query)
        if not query.active:
            return FilterResult(self, query, None, None)
        mask = np.ones(self.total, bool)
        if query.op_type:
            mask &= self.table.type_code == self.table.code(query.op_type)
        if query.weights_only:
            mask &= self.weight_mask()
        if pattern is not None:
            mask &= self._text_mask(query.text) if query.mode == "text" else self._regex_mask(pattern, query)
        if mask.all():
            mask = None
        return FilterResult(self, query, mask, pattern)

    def _lines_of(self, positions: np.ndarray) -> np.ndarray:
        """A mask of the names holding these text positions."""
        starts = self.line_starts()
        if len(positions) <= self.total // 16:
            mask = np.zeros(self.total, bool)
            if len(positions):
                mask[np.searchsorted(starts, positions, "right") - 1] = True
            return mask
        hit = self._scratch(0, int(starts[-1]))      # many hits: one pass over the text
        hit[:] = False
        hit[positions] = True
        return np.maximum.reduceat(hit.view(np.uint8), starts[:-1]).astype(bool)

    def _scratch(self, k: int, n: int) -> np.ndarray:
        """Boolean scratch space ``k`` (0 or 1) of the text's length, kept between
        keystrokes: fresh pages of this size cost more than the search itself."""
        buf = self._buffers[k]
        if buf is None or len(buf) < n:
            buf = self._buffers[k] = np.empty(len(self.lower()), bool)
        return buf[:n]

    def _text_mask(self, needle: str) -> np.ndarray:
        """Names holding ``needle``, ignoring case: a byte search over all names at once."""
        low = self.lower()
        sub = needle.lower()
        if low is None or not sub.isascii() or "\n" in sub:
            return np.fromiter((sub in n.lower() for n in self.names), bool, self.total)
        pat = np.frombuffer(sub.encode("ascii"), np.uint8)
        k = len(pat)
        if k > len(low):
            return np.zeros(self.total, bool)
        last = self._last
        if last is not None and sub.startswith(last[0]):     # typing on: narrow the last hits
            done, cand = len(last[0]), last[1]
            cand = cand[cand + k <= len(low)]
        else:
            end = len(low) - k + 1
            first = np.equal(low[:end], pat[0], out=self._scratch(0, end))
            if k == 1:
                self._last = None
                return np.maximum.reduceat(first.view(np.uint8), self.line_starts()[:-1]).astype(bool)
            done = min(k, 3)        # the first characters over the whole text, then candidates
            more = self._scratch(1, end)
            for j in range(1, done):
                first &= np.equal(low[j:end + j], pat[j], out=more)
            cand = np.flatnonzero(first)
        for j in range(done, k):
            cand = cand[low[cand + j] == pat[j]]
            if not len(cand):
                break
        self._last = (sub, cand)
        return self._lines_of(cand)

    def _regex_mask(self, pattern: re.Pattern, query: FilterQuery) -> np.ndarray:
        """Names the pattern finds something in. One search over the joined names finds
        candidates; each is confirmed against its name alone (exact, whatever the pattern
        does across a newline), and the search goes on from the next name."""
        text, starts = self.text(), self.line_starts()
        names, confirm = self.names, pattern.search
        search = _scanner(query).search
        mask = np.zeros(self.total, bool)
        pos, end = 0, len(text)
        while pos < end:
            m = search(text, pos)
            if m is None:
                break
            line = int(np.searchsorted(starts, m.start(), "right")) - 1
            if line >= self.total:
                break
            if confirm(names[line]):
                mask[line] = True
            pos = int(starts[line + 1])
        return mask


def _scanner(query: FilterQuery) -> re.Pattern:
    """The query as a pattern over the joined names: anchors per line, globs that stay
    inside one name."""
    if query.mode == "glob":
        return re.compile(r"(?:^|(?<=/))" + _glob(query.text) + "$", re.IGNORECASE | re.MULTILINE)
    text = query.text.replace(r"\A", "^").replace(r"\Z", "$")
    try:
        return re.compile(text, re.IGNORECASE | re.MULTILINE)
    except re.error:
        return re.compile(query.text, re.IGNORECASE | re.MULTILINE)


def _glob(pat: str) -> str:
    """fnmatch's translation, with wildcards that never cross a newline."""
    out, i, n = [], 0, len(pat)
    while i < n:
        c = pat[i]
        i += 1
        if c == "*":
            out.append(r"[^\n]*")
        elif c == "?":
            out.append(r"[^\n]")
        elif c == "[":
            j = i
            if j < n and pat[j] == "!":
                j += 1
            if j < n and pat[j] == "]":
                j += 1
            while j < n and pat[j] != "]":
                j += 1
            if j >= n:
                out.append("\\[")
            else:
                body = pat[i:j].replace("\\", "\\\\")
                i = j + 1
                if body.startswith("!"):
                    out.append(r"[^\n" + body[1:] + "]")
                else:
                    out.append("[" + body + "]")
        else:
            out.append(re.escape(c))
    return "".join(out)


# -- the command line's side: ``ls`` lists what the window's filter matches --------------

def resolve_op_types(index: FilterIndex, op_type: str) -> list[str]:
    """The graph's op types ``op_type`` names: itself if one has exactly that name, else
    every one equal to it ignoring case (``ls --op matmul``; the window's list offers the
    exact names)."""
    if op_type in index.type_counts:
        return [op_type]
    low = op_type.lower()
    return [t for t in index.type_counts if t.lower() == low]


def match_rows(index: FilterIndex, text: str = "", regex: str = "", glob: str = "", op_type: str = "",
               weights_only: bool = False) -> np.ndarray:
    """Positions in ``graph.all_ops`` of the ops the window's filter matches, file order:
    each pattern given (``text``: a substring, ``regex``, ``glob``; all ignore case) is
    one FilterQuery run through ``index``, as the filter bar would, and an op must match
    them all. Raises re.error for a bad regular expression."""
    types: list[str] = [""]
    if op_type:
        types = resolve_op_types(index, op_type)
        if not types:
            return np.zeros(0, np.int64)
    patterns = [(t, mode) for t, mode in ((text, "text"), (regex, "regex"), (glob, "glob")) if t] or [("", "text")]
    mask: np.ndarray | None = None
    for t in types:                 # one type in practice; a case-only clash: either
        hit: np.ndarray | None = None
        for pattern, mode in patterns:
            r = index.run(FilterQuery(pattern, mode, t, weights_only))
            part = r.mask if r.mask is not None else np.ones(index.total, bool)
            hit = part if hit is None else hit & part
        mask = hit if mask is None else mask | hit
    return np.flatnonzero(mask)
