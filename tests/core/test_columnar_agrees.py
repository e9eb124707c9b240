"""pbscope's model (Graph, Op, Scope, weights) agrees with a plain protobuf parse.

Pins today's public API against tests/core/reference.py, an independent reading of the
same GraphDefs, for every graph of ../shared/corpus that opens and for generated ones
(hypothesis). Written so that a rewrite of core's data model can be checked against it.
"""
from __future__ import annotations

import csv
import itertools
import math

import numpy as np
from tests.fixtures import corpus
import pytest
from google.protobuf import text_format
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pbscope.core import proto
from pbscope.core.errors import PbscopeError
from pbscope.core.formats import open_model
from tests.core import reference as ref
from tests.core.graphs import const

CORPUS = corpus.CORPUS      # ../shared/corpus, or $PBSCOPE_CORPUS
GRAPH_KINDS = ("GraphDef", "GraphDef(text)", "MetaGraphDef", "MetaGraphDef(text)",
               "SavedModel", "SavedModel(text)")
ROWS = []
if (CORPUS / "SOURCES.tsv").exists():
    with open(CORPUS / "SOURCES.tsv", newline="") as f:
        ROWS = [r for r in csv.DictReader(f, delimiter="\t") if r["parsed_as"] in GRAPH_KINDS]

# numpy's dtype name for the TF dtype numbers pbscope gives one (quantized ones as stored)
DTYPE_NAMES = {1: "float32", 2: "float64", 3: "int32", 4: "uint8", 5: "int16", 6: "int8",
               9: "int64", 10: "bool", 11: "int8", 12: "uint8", 13: "int32", 17: "uint16",
               19: "float16", 22: "uint32", 23: "uint64"}
BIG_NODE = 64 << 10   # binary nodes this large come back without their tensor_content


# -- the comparison ---------------------------------------------------------------

def check_graph(g, gd, *, discover_weights: bool, sample: int = 40) -> None:
    """Everything the brief pins, for a Graph ``g`` opened from a file holding GraphDef ``gd``."""
    want = ref.graph_ops(gd)
    real = [op for op in g.ops if not op.synthetic]
    synthetic = [op for op in g.ops if op.synthetic]
    # real ops first, in file order; synthetic ones (checkpoint variables no op claims) after
    assert g.ops[:len(real)] == real
    assert [(o.name, o.type, o.raw_inputs, o.device) for o in real] == \
        [(o.name, o.type, o.raw_inputs, o.device) for o in want]
    assert [o.index for o in real] == list(range(len(real)))
    assert len(g) == len(g.ops)
    # function ops: named f/<node>, indices counting on after the graph's own ops
    fwant = ref.function_ops(gd)
    assert [(o.name, o.type, o.raw_inputs, o.device) for o in g.function_ops] == \
        [(o.name, o.type, o.raw_inputs, o.device) for o in fwant]
    assert [o.index for o in g.function_ops] == list(range(len(real), len(real) + len(fwant)))
    assert not any(o.synthetic for o in g.function_ops if o.type != "_Arg")
    assert g.all_ops == g.ops + g.function_ops
    for o in real:
        assert o.inputs == [i for i in o.raw_inputs if not i.startswith("^")]
        assert o.control_inputs == [i[1:] for i in o.raw_inputs if i.startswith("^")]
        assert o.input_ops == [ref.source_of(i)[0] for i in o.raw_inputs if not i.startswith("^")]

    # get(): the first op of that name, graph ops before function ops
    everything = want + [ref.RefOp(o.name, o.type, o.raw_inputs) for o in synthetic] + fwant
    first: dict[str, int] = {}
    for pos, o in enumerate(everything):
        first.setdefault(o.name, pos)
    all_ops = g.ops + g.function_ops
    for name, pos in first.items():
        assert g.get(name) is all_ops[pos], name
        assert g.op(name) is all_ops[pos]
    assert g.get("\x00 no such op") is None
    with pytest.raises(PbscopeError):
        g.op("\x00 no such op")

    # consumers: (op, slot) in file order (graph ops, then function ops), input order within an op
    cons = ref.consumers(want + fwant)
    pos_to_op = real + g.function_ops
    names = set(first) | set(cons) | {"", "\x00 no such op"}
    for name in names:
        got = [(c.index, c.name, slot) for c, slot in g.consumers(name)]
        exp = [(pos_to_op[p].index, n, slot) for p, n, slot in cons.get(name, [])]
        assert got == exp, name
        assert all(c is pos_to_op[p] for (c, _), (p, _, _) in zip(g.consumers(name), cons.get(name, [])))
    for o in real[:sample]:
        assert o.consumers == g.consumers(o.name)

    # outputs and inputs
    weighted = {w.name for w in g.weights + g.extra_weights}
    graph_side = want + [ref.RefOp(o.name, o.type, o.raw_inputs) for o in synthetic]
    assert [o.name for o in g.outputs] == ref.outputs(graph_side, cons, weighted)
    assert [o.name for o in g.inputs] == [o.name for o in graph_side if o.type in (
        "Placeholder", "PlaceholderWithDefault") or (o.type == "InputLayer" and not o.raw_inputs)]

    # the scope tree, node for node
    by_op = {w.name: w for w in g.weights + g.extra_weights}
    params_of = {n: (math.prod(w.shape) if w.shape is not None else 0) for n, w in by_op.items()}
    tree = ref.scope_tree([o.name for o in everything], params_of)
    nodes = 0
    for r, s in ref.walk_pairs(tree, g.root):
        nodes += 1
        assert (s.name, s.path, s.op_count, s.weight_count, s.params) == \
            (r.name, r.path, r.op_count, r.weight_count, r.params), r.path
        assert (s.op.name if s.op is not None else None) == r.op_name, r.path
        assert s.weight is (by_op.get(r.op_name) if r.op_name is not None else None)
        assert s.rows == list(s.children.values())
    assert nodes == sum(1 for _ in g.root.walk())
    assert g.root.op_count == len(everything)

    # weights of the TF1 rule (Const X read by Identity X/read)
    if discover_weights:
        tf1 = [w for w in g.weights if w.rule == "tf1-read"]
        got = [(w.op.index, w.name, w.key, w.shape, w.dtype_name) for w in tf1]
        exp = []
        for i in ref.tf1_weights(gd):
            n = gd.node[i]
            t = ref.value_tensor(n)
            dtn = DTYPE_NAMES.get(t.dtype, "?") if t is not None else "?"
            shape = tuple(d.size for d in t.tensor_shape.dim) if t is not None else None
            if t is None or t.tensor_shape.unknown_rank or any(d < 0 for d in shape) or dtn == "?":
                shape, dtn = None, "?"
            exp.append((i, n.name, n.name + ":0", shape, dtn))
        assert got == exp
        last = {w.name: w for w in g.weights + g.extra_weights}   # a duplicate name: the last one
        for w in tf1:
            assert w.op is real[w.op.index]
            t = ref.value_tensor(gd.node[w.op.index])
            a = ref.tensor_array(t) if t is not None and w.available else None
            if a is not None:
                np.testing.assert_array_equal(w.array(), a)
                assert w.array().dtype == a.dtype
            assert g.find_weight(w.name) is last[w.name] and g.find_weight(w.key) is last[w.name]
            assert g.weight_of(w.name) is last[w.name]

    # op.node and op.attrs for a sample of ops
    step = max(1, len(real) // sample)
    for o, n in list(zip(real, gd.node))[::step]:
        node = o.node
        if n.ByteSize() < BIG_NODE:
            assert node == n, o.name
        else:   # a big binary node is parsed without its tensor bytes (numpy views them in the file)
            stripped = proto.NodeDef()
            stripped.CopyFrom(n)
            for a in stripped.attr.values():
                if a.HasField("tensor"):
                    a.tensor.ClearField("tensor_content")
            other = proto.NodeDef()
            other.CopyFrom(node)
            for a in other.attr.values():
                if a.HasField("tensor"):
                    a.tensor.ClearField("tensor_content")
            assert other == stripped, o.name
        attrs = o.attrs
        assert list(attrs) == sorted(n.attr)
        for k, v in n.attr.items():
            kind = v.WhichOneof("value")
            if kind in ("i", "b"):
                assert attrs[k] == getattr(v, kind)
            elif kind == "f":
                assert attrs[k] == pytest.approx(v.f)
            elif kind == "s":
                try:
                    assert attrs[k] == v.s.decode("utf-8")
                except UnicodeDecodeError:
                    assert attrs[k] == v.s
            elif kind == "shape":
                assert attrs[k] == (None if v.shape.unknown_rank else [d.size for d in v.shape.dim])


# -- the corpus ----------------------------------------------------------------------

@pytest.mark.skipif(not ROWS, reason="../shared/corpus is not here")
@pytest.mark.parametrize("row", ROWS, ids=lambda r: r["path"])
def test_corpus_graph_agrees_with_protobuf(row):
    path = CORPUS / row["path"]
    try:
        g = open_model(path)
    except PbscopeError as e:
        pytest.skip(f"pbscope refuses it: {e}")
    gd = ref.read_graph_def(path, row["parsed_as"])
    assert len(gd.node) == int(row["node_count"])
    check_graph(g, gd, discover_weights=row["parsed_as"].startswith("GraphDef"))


# -- generated graphs -----------------------------------------------------------------

SEGMENTS = ["a", "b", "w", "read", "é", "", "x y"]
TYPES = ["Relu", "Identity", "Foo", "Placeholder", "NoOp", "Const", "VariableV2", "Variable",
         "PlaceholderWithDefault", "InputLayer"]
MISSING = ["missing", "a/missing", "ghost/read"]
SHAPES = [(), (1,), (2,), (2, 3), (0,), (3, 1, 2)]
DEVICES = ["", "/cpu:0", "/device:GPU:0"]

names = st.lists(st.sampled_from(SEGMENTS), min_size=1, max_size=4).map("/".join)


@st.composite
def graph_defs(draw):
    """A small GraphDef: random scope-like names (duplicates, empty parts, slashes at the
    ends), random op types, inputs to existing or missing ops with ports and ^controls,
    and a few float32 Consts with X/read Identity readers (TF1 weights)."""
    nodes = []   # [name, type, inputs, value, device]
    for _ in range(draw(st.integers(1, 10))):   # an empty file is refused, not a graph
        nodes.append([draw(names), draw(st.sampled_from(TYPES)), [], None, draw(st.sampled_from(DEVICES))])
    for _ in range(draw(st.integers(0, 3))):
        base = draw(names)
        value = None
        if draw(st.integers(0, 5)):   # mostly with a value; sometimes a Const without one
            shape = draw(st.sampled_from(SHAPES))
            seed = draw(st.integers(0, 2**32 - 1))
            value = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
        reader = draw(st.sampled_from(["Identity", "Identity", "Identity", "Relu"]))
        first = draw(st.sampled_from([base, base, base, base + ":0", "^" + base]))
        nodes.append([base, "Const", [], value, ""])
        nodes.append([base + "/read", reader, [first], None, ""])
    for _ in range(draw(st.integers(0, 2))):   # a loose float Const (a "folded" weight if size > 1)
        shape = draw(st.sampled_from(SHAPES))
        value = np.arange(math.prod(shape), dtype=np.float32).reshape(shape)
        nodes.append([draw(names), "Const", [], value, ""])
    order = draw(st.permutations(range(len(nodes))))
    nodes = [nodes[i] for i in order]
    targets = [n[0] for n in nodes] + MISSING
    for n in nodes:
        for _ in range(draw(st.integers(0, 3))):
            t = draw(st.sampled_from(targets))
            port = draw(st.sampled_from(["", "", ":0", ":1", ":2"]))
            ctl = draw(st.integers(0, 4)) == 0
            n[2].append("^" + t if ctl else t + port)
    gd = proto.GraphDef()
    for name, type_, inputs, value, device in nodes:
        if type_ == "Const" and value is not None:
            nd = const(gd, name, value)
        else:
            nd = gd.node.add(name=name, op=type_)
            if type_ == "Const":
                nd.attr["dtype"].type = 1
        nd.input.extend(inputs)
        nd.device = device
    return gd


def expected_weights(gd) -> list[tuple[str, str, tuple | None, str, str]]:
    """(name, key, shape, dtype, rule) in file order, for the generated graphs' op types:
    tf1-read for Const X + Identity X/read; folded for any other float Const with a shape
    and more than one element; variable (no dtype or shape attrs) for Variable/VariableV2."""
    tf1 = set(ref.tf1_weights(gd))
    out = []
    for i, n in enumerate(gd.node):
        t = ref.value_tensor(n)
        known = t is not None and t.dtype == 1
        shape = tuple(d.size for d in t.tensor_shape.dim) if known else None
        if n.op == "Const" and i in tf1:
            out.append((n.name, n.name + ":0", shape, "float32" if known else "?", "tf1-read"))
        elif n.op == "Const" and known and len(shape) and math.prod(shape) > 1:
            out.append((n.name, n.name + ":0", shape, "float32", "folded"))
        elif n.op in ("Variable", "VariableV2"):
            out.append((n.name, n.name + ":0", None, "?", "variable"))
    return out


_counter = itertools.count()


@pytest.fixture(scope="module")
def gen_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("generated")


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(gd=graph_defs(), as_text=st.booleans())
def test_generated_graph_agrees_with_protobuf(gen_dir, gd, as_text):
    n = next(_counter)
    if as_text:
        path = gen_dir / f"g{n}.pbtxt"
        path.write_text(text_format.MessageToString(gd), encoding="utf-8")
    else:
        path = gen_dir / f"g{n}.pb"
        path.write_bytes(gd.SerializeToString())
    g = open_model(path)
    assert g.format == ("GraphDef (text)" if as_text else "GraphDef")
    back = ref.read_graph_def(path, "GraphDef(text)" if as_text else "GraphDef")
    assert back == gd
    check_graph(g, gd, discover_weights=True)
    assert not g.function_ops and not any(o.synthetic for o in g.ops)

    # every weight, whatever the rule, and its values
    got = [(w.name, w.key, w.shape, w.dtype_name, w.rule) for w in g.weights]
    assert got == expected_weights(gd)
    assert g.extra_weights == []
    first = {}
    for nd in gd.node:
        first.setdefault(nd.name, nd)
    for w in g.weights:
        assert w.op.name == w.name and w.op.type in ("Const", "Variable", "VariableV2")
        assert w.op is g.ops[w.op.index]
        if w.rule == "variable" or w.shape is None:
            assert not w.available
            with pytest.raises(PbscopeError):
                w.array()
            continue
        a = w.array()
        exp = ref.tensor_array(ref.value_tensor(gd.node[w.op.index]))
        if exp is None:   # an empty tensor: no tensor_content
            exp = np.zeros(w.shape, np.float32)
        np.testing.assert_array_equal(a, exp)
        assert a.dtype == np.float32 and a.shape == w.shape
        assert w.size == math.prod(w.shape) and w.nbytes == 4 * w.size
    assert g.params == sum(w.size for w in g.weights)
    # find_weight: by op name, key, or var name; a duplicate name finds the last weight
    by_name = {w.name: w for w in g.weights}
    for name, w in by_name.items():
        assert g.find_weight(name) is w
        assert g.find_weight(name + ":0") is w
    # the root's totals. The tree gives a weight to every op *named* like one: in a graph
    # with duplicate names, a Relu "a" beside a weight Const "a" counts as a weight too.
    named = [o for o in g.ops if o.name in by_name]
    assert g.root.weight_count == len(named)
    assert g.root.params == sum(by_name[o.name].size for o in named)
