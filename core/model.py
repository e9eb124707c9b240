"""The one data model every reader fills: Graph, Op, Weight and the Scope tree.

Nothing downstream of ``core.formats`` knows which file format a Graph came from.
Ops wrap the parsed NodeDefs and decode attrs and inputs only when asked, so a
graph of 350,000 ops opens without building 350,000 attr dicts.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Iterable

import numpy as np

from .errors import PbscopeError
from .tensors import DType, TensorError, dtype_of, shape_of


class Op:
    __slots__ = ("graph", "index", "name", "type", "node")

    def __init__(self, graph: "Graph", index: int, node):
        self.graph = graph
        self.index = index
        self.name: str = node.name
        self.type: str = node.op
        self.node = node

    def __repr__(self) -> str:
        return f"<Op {self.name!r} {self.type}>"

    @property
    def device(self) -> str:
        return self.node.device

    @property
    def inputs(self) -> list[str]:
        """Data inputs as written: ``"op"`` or ``"op:1"``."""
        return [i for i in self.node.input if not i.startswith("^")]

    @property
    def control_inputs(self) -> list[str]:
        """Names of the ops this one waits for (``^name`` inputs, without the ``^``)."""
        return [i[1:] for i in self.node.input if i.startswith("^")]

    @property
    def input_ops(self) -> list[str]:
        """Names of the ops behind the data inputs, in slot order."""
        return [op_name(i) for i in self.inputs]

    @property
    def consumers(self) -> list[tuple["Op", int]]:
        """(op, input slot) for each op reading this one; slot -1 for a control input."""
        return self.graph.consumers(self.name)

    @property
    def attrs(self) -> dict[str, object]:
        return {k: attr_value(v) for k, v in sorted(self.node.attr.items())}

    @property
    def weight(self) -> "Weight | None":
        return self.graph.weight_of(self.name)


def op_name(tensor_name: str) -> str:
    """``"a/b:1"`` → ``"a/b"``; ``"^a"`` → ``"a"``."""
    name = tensor_name[1:] if tensor_name.startswith("^") else tensor_name
    head, sep, tail = name.rpartition(":")
    return head if sep and tail.isdigit() else name


def dtype_label(number: int) -> str:
    """numpy's name for a TF dtype ('float32'), '_ref' kept; TF's name otherwise."""
    try:
        name = dtype_of(number).name
    except TensorError:
        from .proto import dtype_name
        name = dtype_name(number % 100 if number > 100 else number).removeprefix("DT_").lower()
    return name + "_ref" if number > 100 else name


def attr_value(v):
    """An AttrValue as a plain Python value."""
    kind = v.WhichOneof("value")
    if kind is None:
        return None
    if kind == "s":
        try:
            return v.s.decode("utf-8")
        except UnicodeDecodeError:
            return v.s
    if kind in ("i", "f", "b", "placeholder"):
        return getattr(v, kind)
    if kind == "type":
        return dtype_label(v.type)
    if kind == "shape":
        return shape_value(v.shape)
    if kind == "tensor":
        return tensor_summary(v.tensor)
    if kind == "func":
        return {"name": v.func.name, "attr": {k: attr_value(a) for k, a in v.func.attr.items()}}
    lst = v.list
    for f in ("s", "i", "f", "b"):
        if len(getattr(lst, f)):
            vals = list(getattr(lst, f))
            return [x.decode("utf-8", "replace") for x in vals] if f == "s" else vals
    if len(lst.type):
        return [dtype_label(t) for t in lst.type]
    if len(lst.shape):
        return [shape_value(s) for s in lst.shape]
    if len(lst.tensor):
        return [tensor_summary(t) for t in lst.tensor]
    if len(lst.func):
        return [f.name for f in lst.func]
    return []


def shape_value(shape) -> list[int] | None:
    return None if shape.unknown_rank else [d.size for d in shape.dim]


def tensor_summary(t) -> str:
    return f"<tensor {dtype_label(t.dtype)} {shape_value(t.tensor_shape)}>"


@dataclass(eq=False)
class Weight:
    """A tensor worth exporting, whatever the format stored it in.

    ``var_name`` is the variable the tensor came from (``MobileNetV1/Conv2d_0/weights``);
    ``key`` adds ``:0``, the name TF1's ``var.name`` has, which the seed's restore
    compares against. ``load`` returns the values; it raises PbscopeError when the
    file holds none (a graph that is not frozen, say).
    """
    op: Op | None
    name: str
    var_name: str
    dtype: DType | None
    shape: tuple[int, ...] | None
    load: Callable[[], np.ndarray] = field(repr=False)
    role: str = ""
    rule: str = "const"
    trainable: bool = True
    error: str | None = None

    @property
    def key(self) -> str:
        return self.var_name + ":0"

    @property
    def size(self) -> int:
        return math.prod(self.shape) if self.shape is not None else 0

    @property
    def nbytes(self) -> int:
        if self.dtype is None or self.dtype.np.kind == "O":
            return 0
        return self.size * self.dtype.np.itemsize

    @property
    def dtype_name(self) -> str:
        return self.dtype.name if self.dtype else "?"

    @property
    def available(self) -> bool:
        return self.error is None

    def array(self) -> np.ndarray:
        if self.error:
            raise PbscopeError(None, f"{self.name}: {self.error}")
        return self.load()


class Scope:
    """A node of the name-scope tree (names split on ``/``).

    A path can be both an op and a scope (``w`` and ``w/read``): then ``op`` is set
    and ``children`` is not empty. Counts and totals cover the whole subtree.
    """
    __slots__ = ("name", "path", "parent", "children", "op", "weight",
                 "op_count", "weight_count", "params", "nbytes", "_rows")

    def __init__(self, name: str, path: str, parent: "Scope | None"):
        self.name = name
        self.path = path
        self.parent = parent
        self.children: dict[str, Scope] = {}
        self.op: Op | None = None
        self.weight: Weight | None = None
        self.op_count = self.weight_count = self.params = self.nbytes = 0
        self._rows: list[Scope] | None = None

    def __repr__(self) -> str:
        return f"<Scope {self.path!r} ops={self.op_count} weights={self.weight_count}>"

    @property
    def rows(self) -> list["Scope"]:
        """Children as a list, in file order (cached: views index into it)."""
        if self._rows is None:
            self._rows = list(self.children.values())
        return self._rows

    def walk(self) -> Iterable["Scope"]:
        stack = [self]
        while stack:
            s = stack.pop()
            yield s
            stack.extend(reversed(s.rows))

    def weights(self) -> list[Weight]:
        return [s.weight for s in self.walk() if s.weight is not None]

    def find(self, path: str) -> "Scope | None":
        node = self
        for part in path.split("/"):
            node = node.children.get(part)
            if node is None:
                return None
        return node


def build_scope_tree(ops: list[Op], weights_by_op: dict[str, Weight]) -> Scope:
    root = Scope("", "", None)
    by_path: dict[str, Scope] = {"": root}

    def scope_at(path: str) -> Scope:
        node = by_path.get(path)
        if node is None:
            parent_path, _, leaf = path.rpartition("/")
            parent = scope_at(parent_path)
            node = parent.children.get(leaf)
            if node is None:
                node = Scope(leaf, path, parent)
                parent.children[leaf] = node
            by_path[path] = node
        return node

    for op in ops:
        node = scope_at(op.name)
        if node.op is not None:  # duplicate name in a broken graph: keep both, side by side
            parent = node.parent
            n = 2
            while f"{node.name} ({n})" in parent.children:
                n += 1
            leaf = f"{node.name} ({n})"
            node = Scope(leaf, op.name, parent)
            parent.children[leaf] = node
        node.op = op
        w = weights_by_op.get(op.name)
        node.weight = w
        # totals, pushed up the chain (depth is small; this beats a second pass)
        params, nbytes, is_w = (w.size, w.nbytes, 1) if w is not None else (0, 0, 0)
        s = node
        while s is not None:
            s.op_count += 1
            if is_w:
                s.weight_count += 1
                s.params += params
                s.nbytes += nbytes
            s = s.parent
    return root


class Graph:
    """A model as pbscope sees it: ops in file order, weights, and the scope tree."""

    def __init__(self, path: str, format: str, ops_nodes, *, notes: Iterable[str] = (),
                 const_loader: Callable[[Op], np.ndarray] | None = None):
        self.path = path
        self.format = format
        self.ops: list[Op] = [Op(self, i, n) for i, n in enumerate(ops_nodes)]
        self._by_name: dict[str, Op] = {}
        for op in self.ops:
            self._by_name.setdefault(op.name, op)
        self.notes: list[str] = list(notes)
        self._const_loader = const_loader
        self._consumers: dict[str, list[tuple[Op, int]]] | None = None
        self._root: Scope | None = None
        self._constants: list[Weight] | None = None
        self.weights: list[Weight] = []
        self._weights_by_op: dict[str, Weight] = {}
        self._weights_by_key: dict[str, Weight] = {}

    # -- ops -------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.ops)

    def get(self, name: str) -> Op | None:
        return self._by_name.get(name)

    def op(self, name: str) -> Op:
        op = self._by_name.get(name)
        if op is None:
            raise PbscopeError(self.path, f"no op named {name!r}")
        return op

    def consumers(self, name: str) -> list[tuple[Op, int]]:
        if self._consumers is None:
            self._consumers = self._index_consumers()
        return self._consumers.get(name, [])

    def _index_consumers(self) -> dict[str, list[tuple[Op, int]]]:
        index: dict[str, list[tuple[Op, int]]] = {}
        for op in self.ops:
            slot = 0
            for inp in op.node.input:
                if inp[:1] == "^":
                    index.setdefault(inp[1:], []).append((op, -1))
                else:
                    src = inp
                    if ":" in inp:
                        src = op_name(inp)
                    index.setdefault(src, []).append((op, slot))
                    slot += 1
        return index

    @property
    def inputs(self) -> list[Op]:
        return [op for op in self.ops if op.type in ("Placeholder", "PlaceholderWithDefault")]

    @property
    def outputs(self) -> list[Op]:
        """Ops that nothing consumes."""
        self.consumers("")  # build the index
        assert self._consumers is not None
        return [op for op in self.ops if op.name not in self._consumers]

    def op_types(self) -> dict[str, int]:
        hist: dict[str, int] = {}
        for op in self.ops:
            hist[op.type] = hist.get(op.type, 0) + 1
        return dict(sorted(hist.items(), key=lambda kv: (-kv[1], kv[0])))

    # -- weights ---------------------------------------------------------
    def set_weights(self, weights: list[Weight]) -> None:
        self.weights = weights
        self._weights_by_op = {w.name: w for w in weights}
        self._weights_by_key = {w.key: w for w in weights}
        self._root = None

    def weight_of(self, op_name: str) -> Weight | None:
        return self._weights_by_op.get(op_name)

    def find_weight(self, name_or_key: str) -> Weight | None:
        """By op name, export key (``x:0``) or variable name; constants too."""
        w = (self._weights_by_op.get(name_or_key) or self._weights_by_key.get(name_or_key)
             or self._weights_by_key.get(name_or_key + ":0"))
        if w is None:
            for c in self.constants:
                if name_or_key in (c.name, c.key):
                    return c
        return w

    @property
    def constants(self) -> list[Weight]:
        """Every Const as a Weight: the weights, plus structural ones (shapes, axes, …)."""
        if self._constants is None:
            out = []
            for op in self.ops:
                w = self._weights_by_op.get(op.name)
                if w is None and op.type == "Const":
                    w = self.const_weight(op, op.name, rule="structural")
                if w is not None:
                    out.append(w)
            self._constants = out
        return self._constants

    def const_weight(self, op: Op, var_name: str, role: str = "", rule: str = "const") -> Weight:
        """A Weight whose values are the Const ``op``'s."""
        try:
            t = op.node.attr["value"].tensor
            dt, shape, err = dtype_of(t.dtype), shape_of(t.tensor_shape), None
        except TensorError as e:
            dt, shape, err = None, None, str(e)
        loader = self._const_loader
        return Weight(op, op.name, var_name, dt, shape, lambda: self._load_const(op, loader),
                      role=role, rule=rule, error=err)

    def _load_const(self, op: Op, loader) -> np.ndarray:
        try:
            return loader(op)
        except TensorError as e:
            raise PbscopeError(self.path, f"{op.name}: {e}") from None

    @property
    def params(self) -> int:
        return sum(w.size for w in self.weights)

    @property
    def nbytes(self) -> int:
        return sum(w.nbytes for w in self.weights)

    # -- scopes ----------------------------------------------------------
    @property
    def root(self) -> Scope:
        if self._root is None:
            self._root = build_scope_tree(self.ops, self._weights_by_op)
        return self._root
