"""An independent reading of GraphDefs, for tests that pin pbscope's model against it.

Everything here works from protobuf messages parsed whole (``proto.GraphDef.FromString``,
``text_format``) and plain Python: no code from core.model, core.weights or core.formats.
The rules it encodes are today's behaviour of core (tests/core/test_columnar_agrees.py
checks that both agree), written out the simple, slow way.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
from google.protobuf import text_format

from pbscope.core import proto

_PORT = re.compile(r"^(.*):(\d+)$", re.S)


# -- reading --------------------------------------------------------------------

def read_graph_def(path, parsed_as: str):
    """The GraphDef a file holds, by how SOURCES.tsv says a plain parse reads it:
    GraphDef / GraphDef(text) / MetaGraphDef / MetaGraphDef(text) / SavedModel / SavedModel(text).
    For a SavedModel, the meta graph tagged "serve", else the first (as pbscope shows)."""
    data = open(path, "rb").read()
    text = parsed_as.endswith("(text)")
    kind = parsed_as.removesuffix("(text)")
    cls = {"GraphDef": proto.GraphDef, "MetaGraphDef": proto.MetaGraphDef,
           "SavedModel": proto.SavedModel}[kind]
    msg = cls()
    if text:
        text_format.Parse(data.decode("utf-8"), msg)
    else:
        msg.ParseFromString(data)
    if kind == "GraphDef":
        return msg
    if kind == "MetaGraphDef":
        return msg.graph_def
    metas = list(msg.meta_graphs)
    chosen = next((m for m in metas if "serve" in m.meta_info_def.tags), metas[0])
    return chosen.graph_def


# -- ops ------------------------------------------------------------------------

@dataclass
class RefOp:
    name: str
    type: str
    raw_inputs: tuple[str, ...]
    device: str = ""


def graph_ops(gd) -> list[RefOp]:
    return [RefOp(n.name, n.op, tuple(n.input), n.device) for n in gd.node]


def function_ops(gd) -> list[RefOp]:
    """The ops pbscope makes of the function library: per function, one ``_Arg`` op per
    input argument (``f/arg``), then ``f/node`` per node, inputs rewritten from the
    FunctionDef spelling (``node:out:1`` → ``f/node:1``, ``node:out:0`` → ``f/node``)."""
    out = []
    if not gd.HasField("library"):
        return out
    for f in gd.library.function:
        fname = f.signature.name
        for arg in f.signature.input_arg:
            out.append(RefOp(f"{fname}/{arg.name}", "_Arg", ()))
        for n in f.node_def:
            ins = []
            for i in n.input:
                ctl = i.startswith("^")
                body = i[1:] if ctl else i
                parts = body.split(":")
                s = f"{fname}/{parts[0]}"
                if len(parts) == 3 and parts[2] != "0":
                    s += ":" + parts[2]
                ins.append("^" + s if ctl else s)
            out.append(RefOp(f"{fname}/{n.name}", n.op, tuple(ins), n.device))
    return out


def source_of(inp: str) -> tuple[str, bool]:
    """(op name, is control) for a raw input: ``^a`` → (a, True), ``a:1`` → (a, False)."""
    if inp.startswith("^"):
        return inp[1:], True
    m = _PORT.match(inp)
    return (m.group(1) if m else inp), False


def consumers(ops) -> dict[str, list[tuple[int, str, int]]]:
    """name → [(position in ``ops``, consumer name, slot)], in ``ops`` order then input order;
    slot counts data inputs only, -1 for a control input."""
    index: dict[str, list[tuple[int, str, int]]] = {}
    for pos, op in enumerate(ops):
        slot = 0
        for inp in op.raw_inputs:
            src, ctl = source_of(inp)
            if ctl:
                index.setdefault(src, []).append((pos, op.name, -1))
            else:
                index.setdefault(src, []).append((pos, op.name, slot))
                slot += 1
    return index


def outputs(ops, consumer_index, variable_weights: set[str] = frozenset()) -> list[str]:
    """Names of ops nothing consumes, in order (ops of type Variable that are weights aside)."""
    return [op.name for op in ops if op.name not in consumer_index
            and not (op.type == "Variable" and op.name in variable_weights)]


# -- scope tree -----------------------------------------------------------------

@dataclass
class RefScope:
    name: str
    path: str
    children: dict = field(default_factory=dict)   # key → RefScope, insertion order
    op_name: str | None = None
    op_count: int = 0
    weight_count: int = 0
    params: int = 0


def scope_tree(names: list[str], params_of: dict[str, int]) -> RefScope:
    """The scope tree from op names in order. The parent of a name is the scope at the
    text before its last '/' ("" being the root); a scope path is found the same way,
    recursively. A name already held by an op gets a sibling ``leaf (2)``, ``leaf (3)``…
    ``params_of``: op name → element count, for the ops that are weights."""
    root = RefScope("", "")

    def at(path: str) -> RefScope:
        if path == "":
            return root
        parent_path, _, leaf = path.rpartition("/")
        parent = at(parent_path)
        node = parent.children.get(leaf)
        if node is None:
            node = parent.children[leaf] = RefScope(leaf, path)
        return node

    for name in names:
        parent_path, _, leaf = name.rpartition("/")
        parent = at(parent_path)
        node = parent.children.get(leaf)
        if node is None:
            node = parent.children[leaf] = RefScope(leaf, name)
        elif node.op_name is not None:
            n = 2
            while f"{leaf} ({n})" in parent.children:
                n += 1
            node = parent.children[f"{leaf} ({n})"] = RefScope(f"{leaf} ({n})", name)
        node.op_name = name
        node.op_count = 1
        if name in params_of:
            node.weight_count, node.params = 1, params_of[name]

    def total(s: RefScope) -> None:
        for c in s.children.values():
            total(c)
            s.op_count += c.op_count
            s.weight_count += c.weight_count
            s.params += c.params
    total(root)
    return root


def walk_pairs(ref: RefScope, got):
    """Yield (reference scope, pbscope scope) pairs, depth first, after checking that each
    node's children agree in names and order."""
    stack = [(ref, got)]
    while stack:
        r, g = stack.pop()
        yield r, g
        assert [c.name for c in g.rows] == [c.name for c in r.children.values()], r.path
        assert list(g.children) == list(r.children), r.path
        stack.extend(zip(r.children.values(), g.rows))


def describe_tree(s, depth: int = 0) -> list[str]:
    """pbscope's tree as text lines (for tests that write the expected tree out)."""
    tag = " op" if s.op is not None else ""
    lines = [f"{'  ' * depth}{s.name!r} path={s.path!r}{tag} ops={s.op_count} w={s.weight_count} p={s.params}"]
    for c in s.rows:
        lines += describe_tree(c, depth + 1)
    return lines


# -- weights --------------------------------------------------------------------

DTYPES = {1: np.float32, 2: np.float64, 3: np.int32, 9: np.int64}


def tensor_array(t) -> np.ndarray | None:
    """A TensorProto's value from tensor_content (or float_val), or None if it has neither."""
    dt = DTYPES.get(t.dtype)
    if dt is None:
        return None
    shape = tuple(d.size for d in t.tensor_shape.dim)
    if t.tensor_content:
        return np.frombuffer(t.tensor_content, dtype=np.dtype(dt).newbyteorder("<")).reshape(shape)
    return None


def tf1_weights(gd) -> list[int]:
    """Positions of the Consts X whose first op named X/read is an Identity with X as its
    first input, in file order. (Reads attrs with ``in`` only: never inserts map entries.)"""
    first: dict[str, object] = {}
    for n in gd.node:
        first.setdefault(n.name, n)
    out = []
    for i, n in enumerate(gd.node):
        if n.op != "Const":
            continue
        r = first.get(n.name + "/read")
        if r is not None and r.op == "Identity" and len(r.input) and r.input[0] == n.name:
            out.append(i)
    return out


def value_tensor(node):
    """The node's ``value`` tensor, or None (without adding an empty attr to the node)."""
    return node.attr["value"].tensor if "value" in node.attr else None
