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
from .gcpause import gc_paused
from .tensors import (
    DType,
    TensorError,
    TensorMeta,
    decode,
    dtype_of,
    from_content,
    shape_of,
)


class Op:
    """One operation. Name, type, inputs and device are read when the file is opened;
    the full NodeDef (attrs) is parsed only when asked for, from the file's bytes.

    ``index`` identifies the op within its graph; it is its position in ``graph.ops`` for
    the graph's own ops, and counts on after them for function ops and synthetic ones.
    """
    __slots__ = ("graph", "index", "name", "type", "raw_inputs", "device", "_span", "_node")

    def __init__(self, graph: "Graph", index: int, name: str, type_: str, raw_inputs: tuple[str, ...],
                 device: str = "", node=None, span: tuple[int, int] | None = None):
        self.graph = graph
        self.index = index
        self.name = name
        self.type = type_
        self.raw_inputs = raw_inputs    # as in the NodeDef: "op", "op:1", "^op"
        self.device = device
        self._node = node
        self._span = span

    @classmethod
    def from_node(cls, graph: "Graph", index: int, node) -> "Op":
        return cls(graph, index, node.name, node.op, tuple(node.input), node.device, node=node)

    def __repr__(self) -> str:
        return f"<Op {self.name!r} {self.type}>"

    @property
    def synthetic(self) -> bool:
        """Made by pbscope, not read from a graph: a tensor of a weights file, a checkpoint
        variable no graph op claims, a function's argument."""
        return self._node is None and self._span is None

    @property
    def node(self):
        """The NodeDef (parsed on each call for ops read from a binary file: keep it while needed)."""
        if self._node is not None:
            return self._node
        return self.graph.parse_node(self)

    @property
    def inputs(self) -> list[str]:
        """Data inputs as written: ``"op"`` or ``"op:1"``."""
        return [i for i in self.raw_inputs if not i.startswith("^")]

    @property
    def control_inputs(self) -> list[str]:
        """Names of the ops this one waits for (``^name`` inputs, without the ``^``)."""
        return [i[1:] for i in self.raw_inputs if i.startswith("^")]

    @property
    def input_ops(self) -> list[str]:
        """Names of the ops behind the data inputs, in slot order."""
        return [op_name(i) for i in self.raw_inputs if not i.startswith("^")]

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
    if number % 100 == 7:
        return "string" + ("_ref" if number > 100 else "")
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


@dataclass(frozen=True, eq=False, slots=True)
class Quantization:
    """How a weight's stored integers map to real values: ``real = (q - zero_point) * scale``,
    per tensor (scalar scale) or per channel along ``axis``. Readers of quantized formats
    (TFLite, TF.js) attach it; the preview shows it; export applies it on request."""
    scale: np.ndarray
    zero_point: np.ndarray
    axis: int | None = None
    note: str = ""      # how the file stored it, in words ("int8, per channel", "uint8 min/scale")
    applied: bool = False   # the reader already gives real values (TF.js): shown, never re-applied
    stored: np.dtype | None = None  # with ``applied``: the dtype in the file, for ``array(stored=True)``

    def dequantize(self, q: np.ndarray) -> np.ndarray:
        scale = np.asarray(self.scale, np.float32)
        zero = np.asarray(self.zero_point, np.float32)
        if self.axis is not None and scale.ndim == 1 and q.ndim:
            shape = [1] * q.ndim
            shape[self.axis] = -1
            scale, zero = scale.reshape(shape), zero.reshape(shape)
        return ((q.astype(np.float32) - zero) * scale).astype(np.float32)

    def summary(self) -> str:
        """One line for ``show`` and the preview: 'int8, per tensor: scale 0.0039, zero point -128'."""
        def values(a) -> str:
            a = np.asarray(a).reshape(-1)
            if not a.size:
                return "-"
            if (a == a[0]).all():
                return f"{a[0]:.6g}"
            return f"{a.min():.6g} to {a.max():.6g} ({a.size:,} values)"
        text = f"scale {values(self.scale)}, zero point {values(self.zero_point)}"
        return f"{self.note}: {text}" if self.note else text


@dataclass(frozen=True, slots=True)
class Layout:
    """How a weight's stored layout maps to the one its source framework uses (a TFLite
    FULLY_CONNECTED kernel is (out, in), the Keras Dense kernel it came from (in, out)):
    transpose by ``perm``, then reshape to ``shape``. diff compares through it; export
    writes the stored layout."""
    perm: tuple[int, ...]
    shape: tuple[int, ...]
    note: str           # what the mapping does, for diff's rows

    def apply(self, a: np.ndarray) -> np.ndarray:
        return np.transpose(a, self.perm).reshape(self.shape)


@dataclass(eq=False, slots=True)
class Weight:
    """A tensor worth exporting, whatever the format stored it in.

    ``var_name`` is the variable the tensor came from (``MobileNetV1/Conv2d_0/weights``);
    ``key`` adds ``:0``, the name TF1's ``var.name`` has, which the seed's restore
    compares against. ``array()`` reads the values through the graph (lazily: only
    when asked) and raises PbscopeError when the file holds none.
    """
    op: Op | None
    name: str
    var_name: str
    dtype: DType | None
    shape: tuple[int, ...] | None
    graph: "Graph" = field(repr=False)
    role: str = ""
    rule: str = "const"
    trainable: bool = True
    error: str | None = None
    raw_key: str | None = None     # the file's own name for it, where that is not var_name
    quant: Quantization | None = None  # stored quantized: how to get real values
    layout: Layout | None = None       # stored in another layout than its framework's

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

    def array(self, dequantize: bool = False, stored: bool = False) -> np.ndarray:
        """The values as the reader gives them; with ``dequantize``, quantized ones as float32
        real values; with ``stored``, those the reader dequantizes itself (TF.js) as stored."""
        if self.error:
            raise PbscopeError(self.graph.path, f"{self.name}: {self.error}")
        q = self.quant
        if stored and q is not None and q.applied:
            return self.graph.stored_loader(self)
        a = self.graph.load_weight(self)
        return q.dequantize(a) if dequantize and q is not None and not q.applied else a

    def out_dtype(self, dequantize: bool = False, stored: bool = False) -> np.dtype | None:
        """The dtype ``array(dequantize, stored)`` gives, without reading a value."""
        q = self.quant
        if q is not None and stored and q.applied:
            return q.stored
        if q is not None and dequantize and not q.applied:
            return np.dtype(np.float32)
        return self.dtype.np if self.dtype is not None else None


_NO_CHILDREN: dict = {}


class Scope:
    """A node of the name-scope tree (names split on ``/``).

    A path can be both an op and a scope (``w`` and ``w/read``): then ``op`` is set
    and ``children`` is not empty. Counts and totals cover the whole subtree.
    """
    __slots__ = ("name", "path", "parent", "_children", "op", "weight",
                 "op_count", "weight_count", "params", "nbytes", "_rows")

    def __init__(self, name: str, path: str, parent: "Scope | None"):
        self.name = name
        self.path = path
        self.parent = parent
        self._children: dict[str, Scope] | None = None   # most nodes are leaves: no dict
        self.op: Op | None = None
        self.weight: Weight | None = None
        self.op_count = self.weight_count = self.params = self.nbytes = 0
        self._rows: list[Scope] | None = None

    def __repr__(self) -> str:
        return f"<Scope {self.path!r} ops={self.op_count} weights={self.weight_count}>"

    @property
    def children(self) -> dict[str, "Scope"]:
        """Children by name, in file order (read-only: the tree is built once)."""
        return self._children if self._children is not None else _NO_CHILDREN

    def _add(self, name: str, child: "Scope") -> None:
        if self._children is None:
            self._children = {}
        self._children[name] = child

    @property
    def rows(self) -> list["Scope"]:
        """Children as a list, in file order (cached: views index into it)."""
        if self._rows is None:
            self._rows = list(self._children.values()) if self._children else []
        return self._rows

    def walk(self) -> Iterable["Scope"]:
        stack = [self]
        while stack:
            s = stack.pop()
            yield s
            if s._children:
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
    """The tree of name scopes. Ops come in file order, where neighbours share a parent
    scope, so the parent is usually the previous op's: that case costs one compare."""
    root = Scope("", "", None)
    parents: dict[str, Scope] = {"": root}
    order: list[Scope] = []

    def scope_at(path: str) -> Scope:
        node = parents.get(path)
        if node is not None:
            return node
        missing = [path]        # the path's scopes not made yet, deepest first (no recursion:
        path = path.rpartition("/")[0]      # a hostile name can nest thousands deep)
        while (node := parents.get(path)) is None:
            missing.append(path)
            path = path.rpartition("/")[0]
        for path in reversed(missing):
            leaf = path.rpartition("/")[2]
            child = node.children.get(leaf)
            if child is None:
                child = Scope(leaf, path, node)
                node._add(leaf, child)
                order.append(child)
            parents[path] = node = child
        return node

    last_path, kids, last_parent = None, {}, root
    get_weight = weights_by_op.get
    for op in ops:
        name = op.name
        parent_path, _, leaf = name.rpartition("/")
        if parent_path != last_path:
            last_path, last_parent = parent_path, scope_at(parent_path)
            if last_parent._children is None:
                last_parent._children = {}
            kids = last_parent._children
        node = kids.get(leaf)
        if node is None:
            node = kids[leaf] = Scope(leaf, name, last_parent)
            order.append(node)
        elif node.op is not None:  # a duplicate name in a broken graph: keep both, side by side
            n = 2
            while f"{leaf} ({n})" in kids:
                n += 1
            node = kids[f"{leaf} ({n})"] = Scope(f"{leaf} ({n})", name, last_parent)
            order.append(node)
        node.op = op
        node.op_count = 1
        w = get_weight(name)
        if w is not None:
            node.weight = w
            node.weight_count, node.params, node.nbytes = 1, w.size, w.nbytes
    # Totals: children come after their parents in ``order``, so one backward pass sums them.
    for node in reversed(order):
        p = node.parent
        p.op_count += node.op_count
        if node.weight_count:
            p.weight_count += node.weight_count
            p.params += node.params
            p.nbytes += node.nbytes
    return root


class Graph:
    """A model as pbscope sees it: ops in file order, weights, and the scope tree.

    Readers create it, add ops with ``add_op``/``Op.from_node``, then call ``finish``.
    For ops read from a binary file, ``node_bytes`` gives a node's bytes for a lazy parse
    and ``const_meta`` the dtype, shape and in-file bytes of each Const's value.
    """

    def __init__(self, path: str, format: str, *, notes: Iterable[str] = ()):
        self.path = path
        self.format = format
        self.ops: list[Op] = []
        self.function_ops: list[Op] = []    # ops inside the function library, named "<function>/<node>"
        self.notes: list[str] = list(notes)
        self.signatures: dict[str, dict] = {}   # SavedModel signatures: {name: {"inputs": …, "outputs": …}}
        self.tags: list[str] = []
        self._by_name: dict[str, Op] = {}
        self._consumers: dict[str, list[tuple[Op, int]]] | None = None
        self._root: Scope | None = None
        self._constants: list[Weight] | None = None
        self.weights: list[Weight] = []
        self.extra_weights: list[Weight] = []
        self._weights_by_op: dict[str, Weight] = {}
        self._weights_by_key: dict[str, Weight] = {}
        # set by readers: a lazy NodeDef for ops read from bytes, and where values come
        # from when they are not Consts of the graph (weights files, checkpoints)
        self.node_parser: Callable[[Op], object] | None = None
        self.value_loader: Callable[[Weight], np.ndarray] | None = None
        self.stored_loader: Callable[[Weight], np.ndarray] | None = None   # values before an applied Quantization
        self.page_release: Callable[[Weight], None] | None = None
        self.file_span: Callable[[Weight], tuple[str, int, int] | None] | None = None
        self.const_meta: dict[int, ConstMeta] = {}

    def finish(self, discover: Callable[["Graph"], list[Weight]]) -> "Graph":
        by_name = self._by_name
        for op in self.ops:
            by_name.setdefault(op.name, op)
        for op in self.function_ops:
            by_name.setdefault(op.name, op)
        found = discover(self)
        if isinstance(found, tuple):   # (weights, extra weights)
            self.set_weights(*found)
        else:
            self.set_weights(found)
        return self

    @property
    def all_ops(self) -> list[Op]:
        """The graph's ops, then those inside its functions."""
        return self.ops + self.function_ops if self.function_ops else self.ops

    def parse_node(self, op: Op):
        if self.node_parser is None:
            raise PbscopeError(self.path, f"{op.name}: no node data")
        return self.node_parser(op)

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
            with gc_paused():
                self._consumers = self._index_consumers()
        return self._consumers.get(name, [])

    def _index_consumers(self) -> dict[str, list[tuple[Op, int]]]:
        index: dict[str, list[tuple[Op, int]]] = {}
        for op in self.all_ops:
            slot = 0
            for inp in op.raw_inputs:
                if inp[:1] == "^":
                    src, s = inp[1:], -1
                else:
                    src, s = (op_name(inp) if ":" in inp else inp), slot
                    slot += 1
                lst = index.get(src)
                if lst is None:
                    index[src] = [(op, s)]
                else:
                    lst.append((op, s))
        return index

    @property
    def inputs(self) -> list[Op]:
        return [op for op in self.ops if op.type in ("Placeholder", "PlaceholderWithDefault")
                or (op.type == "InputLayer" and not op.raw_inputs)]   # a Keras model's own inputs

    @property
    def outputs(self) -> list[Op]:
        """Ops that nothing consumes (variables that no op reads, as a Keras layer's, aside)."""
        self.consumers("")  # build the index
        assert self._consumers is not None
        return [op for op in self.ops if op.name not in self._consumers
                and not (op.type == "Variable" and op.name in self._weights_by_op)]

    def op_types(self) -> dict[str, int]:
        hist: dict[str, int] = {}
        for op in self.ops:
            hist[op.type] = hist.get(op.type, 0) + 1
        return dict(sorted(hist.items(), key=lambda kv: (-kv[1], kv[0])))

    # -- weights ---------------------------------------------------------
    def set_weights(self, weights: list[Weight], extra: list[Weight] = ()) -> None:
        """``weights`` are what export takes by default; ``extra`` ones (optimizer slots,
        global_step) are shown, previewed and exportable on request, but grouped apart."""
        self.weights = weights
        self.extra_weights = list(extra)
        self._weights_by_op = {w.name: w for w in (*weights, *extra)}
        self._weights_by_key = {w.key: w for w in (*weights, *extra)}
        self._root = None
        self._constants = None

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

    def tensor_meta(self, op: Op) -> TensorMeta:
        """dtype and shape of a Const's value, without decoding it. Raises TensorError."""
        m = self.const_meta.get(op.index)
        if m is not None:
            return m.meta()
        t = op.node.attr["value"].tensor
        return TensorMeta(dtype_of(t.dtype), shape_of(t.tensor_shape))

    def const_weight(self, op: Op, var_name: str, role: str = "", rule: str = "const") -> Weight:
        """A Weight whose values are the Const ``op``'s."""
        try:
            m = self.tensor_meta(op)
            dt, shape, err = m.dtype, m.shape, None
        except TensorError as e:
            dt, shape, err = None, None, str(e)
        return Weight(op, op.name, var_name, dt, shape, self, role=role, rule=rule, error=err)

    def load_weight(self, w: Weight) -> np.ndarray:
        if self.value_loader is not None:
            found = self.value_loader(w)   # None: not one of the loader's (a Const of the graph)
            if found is not None:
                return found
        op = w.op
        try:
            m = self.const_meta.get(op.index)
            if m is not None and m.content is not None:
                return from_content(m.meta(), m.content)   # a view of the file's bytes
            return decode(op.node.attr["value"].tensor)
        except TensorError as e:
            raise PbscopeError(self.path, f"{op.name}: {e}") from None

    def span(self, w: Weight) -> tuple[str, int, int] | None:
        """(file, offset, length) where ``w``'s values lie as raw little-endian bytes, if
        they do: exports then copy them file to file, inside the kernel."""
        return self.file_span(w) if self.file_span is not None else None

    def release(self, w: Weight) -> None:
        """Done with ``w``'s values for now: a memory-mapped reader drops their pages from
        this process's RSS (the page cache keeps them). Streaming exports call this."""
        if self.page_release is not None:
            self.page_release(w)

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
            with gc_paused():
                self._root = build_scope_tree(self.all_ops, self._weights_by_op)
        return self._root


@dataclass(slots=True)
class ConstMeta:
    """What a binary reader saw of a Const's value while scanning the file."""
    dtype: int
    dims: tuple[int, ...]
    unknown_rank: bool = False
    content: memoryview | None = None   # tensor_content, in place; None: typed *_val fields
    offset: int = 0                     # where content starts in the file

    def meta(self) -> TensorMeta:
        if self.unknown_rank:
            raise TensorError("the shape has unknown rank")
        if any(d < 0 for d in self.dims):
            raise TensorError(f"the shape {list(self.dims)} has an unknown dimension")
        return TensorMeta(dtype_of(self.dtype), self.dims)
