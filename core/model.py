"""The one data model every reader fills: Graph, Op, Weight and the Scope tree.

Nothing downstream of ``core.formats`` knows which file format a Graph came from.
Ops wrap the parsed NodeDefs and decode attrs and inputs only when asked, so a
graph of 350,000 ops opens without building 350,000 attr dicts.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .errors import PbscopeError
from .gcpause import gc_paused
from .optable import OpTable
from .scopetree import Scope, ScopeTree
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
    __slots__ = ("_node", "_raw_inputs", "_span", "device", "graph", "index", "name", "type")

    def __init__(self, graph: Graph, index: int, name: str, type_: str, raw_inputs: tuple[str, ...] | None,
                 device: str = "", node=None, span: tuple[int, int] | None = None):
        self.graph = graph
        self.index = index
        self.name = name
        self.type = type_
        self._raw_inputs = raw_inputs   # None: read from the graph's op table when asked
        self.device = device
        self._node = node
        self._span = span

    @property
    def raw_inputs(self) -> tuple[str, ...]:
        """Inputs as in the NodeDef: ``"op"``, ``"op:1"``, ``"^op"``."""
        if self._raw_inputs is None:
            self._raw_inputs = self.graph.table.raw_inputs(self.index)
        return self._raw_inputs

    @classmethod
    def from_node(cls, graph: Graph, index: int, node) -> Op:
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
    def consumers(self) -> list[tuple[Op, int]]:
        """(op, input slot) for each op reading this one; slot -1 for a control input."""
        return self.graph.consumers(self.name)

    @property
    def attrs(self) -> dict[str, object]:
        return {k: attr_value(v) for k, v in sorted(self.node.attr.items())}

    @property
    def weight(self) -> Weight | None:
        return self.graph.weight_of(self.name)


def op_name(tensor_name: str) -> str:
    """``"a/b:1"`` → ``"a/b"``; ``"^a"`` → ``"a"``."""
    name = tensor_name.removeprefix("^")
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


# How exports name a weight: "tf1" is Weight.key (scope/name:0, the name TF1's var.name has),
# "var" its variable name (scope/name)
KEY_STYLES = {"tf1": "scope/name:0, as TF1's restore expects", "var": "scope/name, the variable's name"}
KEY_ALIASES = {"seed": "tf1"}      # the old name of "tf1", still accepted


@dataclass(eq=False, slots=True)
class Weight:
    """A tensor worth exporting, whatever the format stored it in.

    ``var_name`` is the variable the tensor came from (``MobileNetV1/Conv2d_0/weights``);
    ``key`` adds ``:0``, the name TF1's ``var.name`` has, which the recipe's restore
    compares against. ``array()`` reads the values through the graph (lazily: only
    when asked) and raises PbscopeError when the file holds none.
    """
    op: Op | None
    name: str
    var_name: str
    dtype: DType | None
    shape: tuple[int, ...] | None
    graph: Graph = field(repr=False)
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


def int_array(values) -> np.ndarray:
    """Sizes as int64, or as Python ints when a hostile file claims more than int64 holds
    (totals stay exact; the limits refuse such tensors' values, not their listing)."""
    values = list(values)
    try:
        return np.array(values, np.int64)
    except OverflowError:
        return np.array(values, object)


def _kept(cache: list, i: int, make: Callable[[int], object]):
    """``cache[i]``, made by ``make(i)`` on first access and kept."""
    item = cache[i]
    if item is None:
        item = cache[i] = make(i)
    return item


def _all_kept(cache: list, make: Callable[[int], object]):
    """Every item of ``cache`` in order, each made on first access and kept."""
    for i, item in enumerate(cache):
        yield item if item is not None else _kept(cache, i, make)


class _ListLike(Sequence):
    """A lazy sequence that indexes, adds and compares like the list it stands for;
    subclasses give ``_item(i)`` for 0 <= i < len."""

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self._item(k) for k in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self._item(i)

    def __add__(self, other) -> list:
        return list(self) + list(other)

    def __eq__(self, other) -> bool:
        return isinstance(other, (list, tuple, Sequence)) and list(self) == list(other)

    __hash__ = None


class OpList(_ListLike):
    """The ops of an op table, each made on first access and then kept, so that
    ``graph.get(name) is graph.ops[i]``. Readers may append ops of their own (a
    checkpoint's variables that no graph op claims) before ``Graph.finish``."""

    def __init__(self, graph: Graph, table: OpTable):
        self.graph = graph
        self.table = table
        self._cache: list[Op | None] = [None] * table.n
        self.extra: list[Op] = []

    def __len__(self) -> int:
        return len(self._cache) + len(self.extra)

    def _item(self, i: int) -> Op:
        n = len(self._cache)
        return self.extra[i - n] if i >= n else _kept(self._cache, i, self._make)

    def _make(self, i: int) -> Op:
        t = self.table
        span = (int(t.span_start[i]), int(t.span_end[i])) if t.span_start is not None else None
        return Op(self.graph, i, t.names[i], t.types[t.type_code[i]], None,
                  t.devices[t.device_code[i]], span=span)

    def __iter__(self):
        yield from _all_kept(self._cache, self._make)
        yield from self.extra

    def append(self, op: Op) -> None:
        self.extra.append(op)


class _Chain(_ListLike):
    """``graph.ops`` then ``graph.function_ops``, without copying either."""

    def __init__(self, first: Sequence, second: Sequence):
        self.first, self.second = first, second

    def __len__(self) -> int:
        return len(self.first) + len(self.second)

    def _item(self, i: int) -> Op:
        n = len(self.first)
        return self.first[i] if i < n else self.second[i - n]

    def __iter__(self):
        yield from self.first
        yield from self.second


class WeightList(_ListLike):
    """Weights whose Weight objects are made on first access: a reader that finds
    100,000 weights in columns (``weights.discover``) fills ``rows``, ``sizes`` and
    ``nbytes`` with arrays and gives a function that makes weight ``i``."""

    def __init__(self, items: list, rows: np.ndarray, sizes: np.ndarray, nbytes: np.ndarray,
                 make: Callable[[int], Weight] | None, available: np.ndarray):
        self._items = items        # a Weight, or None until made
        self.rows = rows           # the table row of each weight's op
        self.sizes = sizes
        self.nbytes = nbytes
        self.available = available  # values readable (Weight.available)
        self._make = make
        self._by_row: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self._items)

    @classmethod
    def of(cls, weights: Iterable[Weight], index: dict[str, int]) -> WeightList:
        """The weights a reader made as objects, with their columns (rows by op name)."""
        ws = list(weights)
        return cls(ws, np.array([index.get(w.name, -1) for w in ws], np.int64),
                   int_array(w.size for w in ws), int_array(w.nbytes for w in ws),
                   None, np.array([w.available for w in ws], bool))

    def _item(self, i: int) -> Weight:
        return _kept(self._items, i, self._make)

    def __iter__(self):
        return _all_kept(self._items, self._make)


    def position_of_row(self, row: int, n_rows: int) -> int:
        if self._by_row is None:
            by = np.full(max(n_rows, int(self.rows.max()) + 1 if len(self.rows) else 0), -1, np.int64)
            known = self.rows >= 0       # weights whose name is no op's: found by name only
            by[self.rows[known]] = np.flatnonzero(known)
            self._by_row = by
        return int(self._by_row[row]) if 0 <= row < len(self._by_row) else -1


class Graph:
    """A model as pbscope sees it: ops in file order, weights, and the scope tree.

    Readers create it, add ops with ``add_op``/``Op.from_node``, then call ``finish``.
    A binary GraphDef's reader gives its ops as an ``OpTable`` (``ops`` is then a lazy
    ``OpList``); ``finish`` makes one table of every op either way, and consumers,
    outputs, counts and the scope tree are computed over it. ``const_meta`` gives the
    dtype, shape and in-file bytes of each Const's value, by op index.
    """

    def __init__(self, path: str, format: str, *, notes: Iterable[str] = ()):
        self.path = path
        self.format = format
        self.ops: list[Op] | OpList = []
        self.function_ops: list[Op] = []    # ops inside the function library, named "<function>/<node>"
        self.notes: list[str] = list(notes)
        self.signatures: dict[str, dict] = {}   # SavedModel signatures: {name: {"inputs": …, "outputs": …}}
        self.tags: list[str] = []
        self.table: OpTable | None = None    # every op as columns (set by finish, or by a reader)
        self._by_name: dict[str, Op] = {}    # ops a reader added before finish
        self._root: Scope | None = None
        self._constants: list[Weight] | None = None
        self.weights: WeightList | list[Weight] = []     # a WeightList once set_weights ran
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
        self.const_meta = {}   # op index → ConstMeta (a dict, or a reader's columns with .get)

    def finish(self, discover: Callable[[Graph], list[Weight]]) -> Graph:
        with gc_paused():
            self._make_table()
            found = discover(self)
        if isinstance(found, tuple):   # (weights, extra weights)
            self.set_weights(*found)
        else:
            self.set_weights(found)
        return self

    def _make_table(self) -> None:
        """One table of ``all_ops``, in that order."""
        ops = self.ops
        if isinstance(ops, OpList):
            self.table = ops.table.extended([*ops.extra, *self.function_ops])
        else:
            self.table = OpTable.from_ops(self.all_ops)
        self._by_name = {}

    @property
    def all_ops(self) -> Sequence[Op]:
        """The graph's ops, then those inside its functions."""
        return _Chain(self.ops, self.function_ops) if self.function_ops else self.ops

    def parse_node(self, op: Op):
        if self.node_parser is None:
            raise PbscopeError(self.path, f"{op.name}: no node data")
        return self.node_parser(op)

    # -- ops -------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.ops)

    def get(self, name: str) -> Op | None:
        t = self.table
        if t is not None:
            row = t.index.get(name)
            if row is not None:
                return self.all_ops[row]
        return self._by_name.get(name)

    def op(self, name: str) -> Op:
        op = self.get(name)
        if op is None:
            raise PbscopeError(self.path, f"no op named {name!r}")
        return op

    def _own_table(self) -> OpTable:
        if self.table is None:
            self._make_table()
        return self.table

    def consumers(self, name: str) -> list[tuple[Op, int]]:
        t = self._own_table()
        row = t.index.get(name)
        found = t.consumers(row) if row is not None else t.missing_consumers(name)
        ops = self.all_ops
        return [(ops[r], slot) for r, slot in found]

    def ops_of_type(self, *op_types: str) -> list[Op]:
        """The graph's own ops (not function ops) of these types, in file order."""
        t = self.table
        if t is None:
            return [op for op in self.ops if op.type in op_types]
        ops, n = self.ops, len(self.ops)
        return [ops[r] for r in t.rows_of_type(*op_types).tolist() if r < n]

    @property
    def inputs(self) -> list[Op]:
        found = self.ops_of_type("Placeholder", "PlaceholderWithDefault", "InputLayer")
        return [op for op in found if op.type != "InputLayer" or not op.raw_inputs]  # a Keras model's own inputs

    @property
    def outputs(self) -> list[Op]:
        """Ops that nothing consumes (variables that no op reads, as a Keras layer's, aside)."""
        t = self._own_table()
        n = len(self.ops)
        consumed = t.consumed()
        if len(t.index) != t.n:    # duplicate names: a name read is read for all its ops
            first = np.fromiter(map(t.index.__getitem__, t.names), np.int64, t.n)
            consumed = consumed[first]
        rows = np.flatnonzero(~consumed[:n]).tolist()
        ops = self.ops
        return [ops[r] for r in rows
                if not (ops[r].type == "Variable" and self.weight_of(ops[r].name) is not None)]

    def op_types(self) -> dict[str, int]:
        return self._own_table().type_counts(slice(0, len(self.ops)))

    # -- weights ---------------------------------------------------------
    def set_weights(self, weights: list[Weight] | WeightList, extra: list[Weight] = ()) -> None:
        """``weights`` are what export takes by default; ``extra`` ones (optimizer slots,
        global_step) are shown, previewed and exportable on request, but grouped apart.
        Either way ``self.weights`` becomes a WeightList, with its columns."""
        t = self.table
        if not isinstance(weights, WeightList):
            weights = WeightList.of(weights, t.index if t is not None else {})
        self.weights = weights
        self.extra_weights = list(extra)
        if t is not None and len(t.index) != t.n:
            made = list(weights)     # duplicate op names (a broken graph): look up as a dict, the last wins
        else:
            made = [w for w in weights._items if w is not None]
        self._weights_by_op = {w.name: w for w in (*made, *extra)}
        self._weights_by_key = {w.key: w for w in (*made, *extra)}
        self._root = None
        self._constants = None

    def _lazy_weight(self, op_name: str) -> Weight | None:
        """A weight of a WeightList, found through its op's row (its name is its op's)."""
        ws = self.weights
        if not isinstance(ws, WeightList) or self.table is None:    # before finish
            return None
        row = self.table.index.get(op_name)
        if row is None:
            return None
        k = ws.position_of_row(row, self.table.n)
        return ws[k] if k >= 0 else None

    def weight_of(self, op_name: str) -> Weight | None:
        w = self._weights_by_op.get(op_name)
        return w if w is not None else self._lazy_weight(op_name)

    def find_weight(self, name_or_key: str) -> Weight | None:
        """By op name, export key (``x:0``) or variable name; constants too."""
        w = (self.weight_of(name_or_key) or self._weights_by_key.get(name_or_key)
             or self._weights_by_key.get(name_or_key + ":0"))
        if w is None and name_or_key.endswith(":0"):
            w = self._lazy_weight(name_or_key[:-2])
        if w is None:
            for c in self.constants:
                if name_or_key in (c.name, c.key):
                    return c
        return w

    @property
    def constants(self) -> list[Weight]:
        """Every Const as a Weight: the weights, plus structural ones (shapes, axes, …)."""
        if self._constants is None:
            t = self._own_table()
            n = len(self.ops)
            rows = set(t.rows_of_type("Const").tolist())      # and the ops of the weights:
            if isinstance(self.weights, WeightList):          # (a plain list before finish)
                rows.update(self.weights.rows.tolist())
            rows.update(t.index[w.name] for w in self.extra_weights if w.name in t.index)
            rows.discard(-1)
            out = []
            ops = self.all_ops
            for r in sorted(rows):
                if r >= n:
                    continue
                op = ops[r]
                w = self.weight_of(op.name)
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
        attrs = op.node.attr
        if "value" not in attrs:     # (indexing a missing key would add it to the node)
            raise TensorError("the Const has no value")
        t = attrs["value"].tensor
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
            attrs = op.node.attr
            if "value" not in attrs:
                raise TensorError("the Const has no value")
            return decode(attrs["value"].tensor)
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
        return int(np.sum(self.weights.sizes))

    @property
    def nbytes(self) -> int:
        return int(np.sum(self.weights.nbytes))

    # -- scopes ----------------------------------------------------------
    @property
    def scope_tree(self) -> ScopeTree:
        if self._root is None:
            t = self._own_table()
            rows, sizes, nbytes = self._weight_columns()
            with gc_paused():
                self._root = ScopeTree(self, t.names, t.index, rows, sizes, nbytes)
        return self._root

    @property
    def root(self) -> Scope:
        tree = self.scope_tree
        return tree.view(tree.root)

    def _weight_columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(op row, size, bytes) of each weight and extra weight that has an op here."""
        index = self.table.index
        ws = self.weights
        known = ws.rows >= 0
        rows, sizes, nbytes = [ws.rows[known]], [ws.sizes[known]], [ws.nbytes[known]]
        if len(index) != self.table.n:   # duplicate op names: each op shows its name's weight
            names, get = self.table.names, self.weight_of
            found = [(r, w.size, w.nbytes) for r, w in enumerate(map(get, names)) if w is not None]
            rows, sizes, nbytes = [], [], []
        else:
            found = [(index[w.name], w.size, w.nbytes) for w in self.extra_weights if w.name in index]
        if found:
            r, s, b = zip(*found)
            rows.append(np.array(r, np.int64))
            sizes.append(int_array(s))
            nbytes.append(int_array(b))
        if not rows:
            z = np.zeros(0, np.int64)
            return z, z, z
        rows, sizes, nbytes = np.concatenate(rows), np.concatenate(sizes), np.concatenate(nbytes)
        _, first = np.unique(rows, return_index=True)     # one weight per op, the first
        return rows[first], sizes[first], nbytes[first]


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
