"""Which constants of a graph are weights, and what each is called.

The rules, in order (docs/weights.md explains them with examples):

1. **TF1 frozen**: a ``Const`` ``X`` read through the Identity ``X/read`` is the weight
   ``X``; its key is ``X:0``, the ``var.name`` TF1 gave the variable.
2. **TF2 frozen** (``convert_variables_to_constants_v2``, Keras): a Const named
   ``…/ReadVariableOp/resource``. Its variable name is the layer's scope plus a role
   found from what reads it (through Identity/Cast/Reshape/Squeeze/ExpandDims):
   ``Conv2D``/``DepthwiseConv2dNative``/``MatMul`` input 1 → ``kernel``, ``BiasAdd``
   input 1 → ``bias``, ``FusedBatchNorm*`` inputs 1–4 → ``gamma``/``beta``/
   ``moving_mean``/``moving_variance``, and the arithmetic Keras 3 decomposes
   batch norm into (``add(v, eps)``→``Rsqrt``, ``Mul(rsqrt, γ)``, ``Mul(μ, …)``,
   ``Sub(β, …)``). The traced model's outer scope is dropped, and so is the ``_1``
   that tracing appends to every scope. Where no role is found, the Const keeps its
   own name.
3. **Folded** (no variable pattern left): a Const read at one of those weight slots,
   or any float/complex/quantized Const with more than one element.
4. **Not frozen**: ``VariableV2``/``VarHandleOp`` ops are weights without values.

Everything else (shapes, axes, scalar epsilons) is a structural constant, listed
only when asked (``Graph.constants``).
"""
from __future__ import annotations

import re
from itertools import repeat

import numpy as np

from .model import Graph, Op, Weight, WeightList, int_array
from .tensors import TensorError, dtype_of, shape_of

PASS_THROUGH = {"Identity", "Cast", "Reshape", "Squeeze", "ExpandDims", "ReadVariableOp",
                "Enter", "Snapshot", "StopGradient"}

SLOT_ROLES: dict[tuple[str, int], str] = {
    ("Conv2D", 1): "kernel", ("Conv3D", 1): "kernel", ("Conv1D", 1): "kernel",
    ("DepthwiseConv2dNative", 1): "kernel", ("Conv2DBackpropInput", 1): "kernel",
    ("Conv3DBackpropInputV2", 1): "kernel", ("MatMul", 1): "kernel",
    ("BatchMatMulV2", 1): "kernel", ("BatchMatMulV3", 1): "kernel",
    ("_FusedConv2D", 1): "kernel", ("_FusedMatMul", 1): "kernel",
    ("_FusedConv2D", 2): "bias", ("_FusedMatMul", 2): "bias",
    ("BiasAdd", 1): "bias", ("BiasAddV1", 1): "bias",
    ("GatherV2", 0): "embeddings", ("Gather", 0): "embeddings", ("ResourceGather", 0): "embeddings",
    ("Prelu", 1): "alpha",
}
for _bn in ("FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3", "_FusedBatchNormEx"):
    for _slot, _role in enumerate(("gamma", "beta", "moving_mean", "moving_variance"), 1):
        SLOT_ROLES[(_bn, _slot)] = _role

BN_STATS = {"moving_mean", "moving_variance"}
VARIABLE_OPS = {"VariableV2", "Variable", "VarHandleOp"}
_TF2_SUFFIX = "/ReadVariableOp/resource"
_TRACE_SUFFIX = re.compile(r"_\d+$")


def discover(graph: Graph) -> list[Weight] | WeightList:
    """The weights of a graph, in op order. TF1 ``X``/``X/read`` pairs are found with
    array operations over the op table; when the reader gave Const metadata as columns
    they become a WeightList whose Weight objects are made when visited."""
    t = graph.table
    n_own = len(graph.ops)
    consts = t.rows_of_type("Const")
    consts = consts[consts < n_own]
    tf1 = consts[_read_pairs(t, consts)]
    eager: list[Weight] = []
    tf2: list[tuple[Op, str]] = []
    ops = graph.ops
    for r in np.setdiff1d(consts, tf1, assume_unique=True).tolist():
        op = ops[r]
        if op.name.endswith(_TF2_SUFFIX):
            tf2.append((op, role_of(graph, op)))
        elif _rank(graph, op) != 0:  # scalars (epsilons, axes) are structural
            role = role_of(graph, op)
            if role or _numeric_tensor(graph, op):
                eager.append(_named(graph, op, op.name, role, "folded"))
    variables = t.rows_of_type(*VARIABLE_OPS)
    eager.extend(_variable(graph, ops[r]) for r in variables[variables < n_own].tolist())
    eager.extend(_tf2_weights(graph, tf2))
    columns = getattr(graph.const_meta, "sizes_and_bytes", None)
    if columns is None or not len(tf1):
        eager.extend(_named(graph, ops[r], ops[r].name, _tf1_role(ops[r].name), "tf1-read")
                     for r in tf1.tolist())
        eager.sort(key=lambda w: w.op.index)
        return eager
    # a WeightList: TF1 weights made on first visit, the others made now, all in op order
    sizes, nbytes, ok = columns(tf1)
    eager_rows = np.array([w.op.index for w in eager], np.int64)
    rows = np.concatenate([tf1, eager_rows])
    order = np.argsort(rows, kind="stable")
    items: list = [None] * len(rows)
    for k in np.flatnonzero(order >= len(tf1)).tolist():
        items[k] = eager[order[k] - len(tf1)]
    all_sizes = np.concatenate([sizes, int_array(w.size for w in eager)])[order]
    all_bytes = np.concatenate([nbytes, int_array(w.nbytes for w in eager)])[order]
    available = np.concatenate([ok, np.array([w.available for w in eager], bool)])[order]
    rows = rows[order]

    def make(k: int) -> Weight:
        op = ops[int(rows[k])]
        return _named(graph, op, op.name, _tf1_role(op.name), "tf1-read")
    return WeightList(items, rows, all_sizes, all_bytes, make, available)


def _read_pairs(t, consts: np.ndarray) -> np.ndarray:
    """A mask of the Consts ``X`` read by an Identity ``X/read`` whose first input is ``X``."""
    if not len(consts):
        return np.zeros(0, bool)
    names, index = t.names, t.index
    reads = np.fromiter(map(index.get, [names[r] + "/read" for r in consts.tolist()], repeat(-1)),
                        np.int64, len(consts))
    ok = reads >= 0
    ok[ok] = t.type_code[reads[ok]] == t.code("Identity")
    r = reads[ok]
    has_input = t.in_ptr[r + 1] > t.in_ptr[r]
    first = t.in_ptr[r]
    src = np.where(has_input, t.in_src[np.minimum(first, len(t.in_src) - 1)] if len(t.in_src) else -1, -1)
    const_first = consts[ok] if len(index) == t.n else \
        np.fromiter((index[names[c]] for c in consts[ok].tolist()), np.int64, int(ok.sum()))
    good = has_input & (src == const_first)
    if len(t.in_src):
        j = np.minimum(first, len(t.in_src) - 1)
        good &= ~t.in_ctrl[j] & (t.in_port[j] < 0)
    ok[ok] = good
    return ok


def _named(graph: Graph, op: Op, var_name: str, role: str, rule: str) -> Weight:
    w = graph.const_weight(op, var_name, role=role, rule=rule)
    w.trainable = role not in BN_STATS
    return w


def _tf1_role(name: str) -> str:
    leaf = name.rpartition("/")[2]
    return {"weights": "kernel", "biases": "bias"}.get(leaf, leaf)


def _rank(graph: Graph, op: Op) -> int:
    try:
        return len(graph.tensor_meta(op).shape)
    except TensorError:
        return -1


def _numeric_tensor(graph: Graph, op: Op) -> bool:
    """A float, complex or quantized Const with more than one element."""
    try:
        m = graph.tensor_meta(op)
    except TensorError:
        return False
    return (m.dtype.is_float or m.dtype.quantized) and m.size > 1


def role_of(graph: Graph, op: Op, depth: int = 0) -> str:
    """The role of ``op``'s value, from the op types (and slots) that read it."""
    for consumer, slot in graph.consumers(op.name):
        if slot < 0:
            continue
        role = SLOT_ROLES.get((consumer.type, slot))
        if role:
            return role
        role = _batchnorm_role(graph, consumer, slot)
        if role:
            return role
        if consumer.type in PASS_THROUGH and slot == 0 and depth < 6:
            role = role_of(graph, consumer, depth + 1)
            if role:
                return role
    return ""


def _batchnorm_role(graph: Graph, op: Op, slot: int) -> str:
    """Roles in batch norm decomposed into arithmetic (Keras 3, tf.nn.batch_normalization)."""
    t = op.type
    ins = op.input_ops
    other = graph.get(ins[1 - slot]) if len(ins) == 2 else None
    if t in ("Add", "AddV2") and slot == 0 and any(c.type == "Rsqrt" for c, _ in graph.consumers(op.name)):
        return "moving_variance"
    if t == "Mul" and other is not None:
        if slot == 1 and other.type == "Rsqrt":
            return "gamma"
        if slot == 0 and other.type in ("Rsqrt", "Mul") and "batchnorm" in op.name:
            return "moving_mean"
    if t == "Sub" and slot == 0 and "batchnorm" in op.name:
        return "beta"
    return ""


def _tf2_weights(graph: Graph, found: list[tuple[Op, str]]) -> list[Weight]:
    if not found:
        return []
    scopes = [op.name[: -len(_TF2_SUFFIX)].split("/")[:-1] for op, _ in found]
    # The traced model's scope (mobilenet_1.00_224_1/...) is shared by every weight: drop it.
    firsts = {s[0] for s in scopes if s}
    if len(firsts) == 1 and all(len(s) >= 2 for s in scopes):
        scopes = [s[1:] for s in scopes]
    # Tracing re-enters every layer's name scope, so TF appends _1 to each; undo that
    # only when every scope part carries such a suffix.
    if all(_TRACE_SUFFIX.search(part) for s in scopes for part in s) and any(scopes):
        scopes = [[_TRACE_SUFFIX.sub("", p) for p in s] for s in scopes]
    out: list[Weight] = []
    used: set[str] = set()
    for (op, role), scope in zip(found, scopes):
        if role:
            base = "/".join(scope + [role])
            name, n = base, 1
            while name in used:
                name = f"{base}_{n}"
                n += 1
        else:
            name = op.name
        used.add(name)
        out.append(_named(graph, op, name, role, "tf2-resource"))
    return out


def _variable(graph: Graph, op: Op) -> Weight:
    a = op.node.attr
    try:
        if "dtype" not in a or "shape" not in a:   # (indexing would add them to the node)
            raise TensorError("no dtype or shape")
        dt = dtype_of(a["dtype"].type)
        shape = shape_of(a["shape"].shape)
    except TensorError:
        dt, shape = None, None
    why = "no value in this file: the graph is not frozen (its weights live in a checkpoint)"
    return Weight(op, op.name, op.name, dt, shape, graph, role=_tf1_role(op.name),
                  rule="variable", error=why)
