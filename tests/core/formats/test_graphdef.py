"""GraphDefs (core/formats/graphdef.py, functions.py, nodedef_columns.py): binary .pb and
text .pbtxt written here with pbscope's own schema (no TensorFlow), and TF's own frozen
graphs (tests/fixtures/models.py): op names, types, inputs, weights' dtypes, shapes and
values as written. (Large files: test_graphdef_streaming.py; many small nodes:
test_graphdef_records.py; TF-made graphs in depth: tests/core/test_fixtures_models.py.)"""
from __future__ import annotations

import numpy as np
import pytest
from google.protobuf import text_format

from pbscope.core import proto
from pbscope.core.errors import PbscopeError
from pbscope.core.formats import detect, open_model

from ..graphs import const, dtypes_graph, op, tf1_mlp

MLP_OPS = [
    ("inputs", "Placeholder", ()),
    ("net/layer_0/weights", "Const", ()), ("net/layer_0/weights/read", "Identity", ("net/layer_0/weights",)),
    ("net/layer_0/biases", "Const", ()), ("net/layer_0/biases/read", "Identity", ("net/layer_0/biases",)),
    ("net/layer_0/MatMul", "MatMul", ("inputs", "net/layer_0/weights/read")),
    ("net/layer_0/BiasAdd", "BiasAdd", ("net/layer_0/MatMul", "net/layer_0/biases/read")),
    ("net/layer_0/Relu", "Relu", ("net/layer_0/BiasAdd",)),
    ("net/layer_0/Reshape/shape", "Const", ()),
]


@pytest.fixture(params=["pb", "pbtxt"])
def mlp(request, tmp_path):
    """The two-layer MLP of tests/core/graphs.py as binary and as text."""
    data, expected = tf1_mlp()
    if request.param == "pb":
        path = tmp_path / "mlp.pb"
        path.write_bytes(data)
    else:
        path = tmp_path / "mlp.pbtxt"
        path.write_text(text_format.MessageToString(proto.GraphDef.FromString(data)))
    return path, expected, request.param


def test_ops_inputs_and_weights(mlp):
    path, expected, fmt = mlp
    assert detect(path).name == {"pb": "graphdef", "pbtxt": "graphdef-text"}[fmt]
    g = open_model(path)
    assert g.format == {"pb": "GraphDef", "pbtxt": "GraphDef (text)"}[fmt]
    assert [(o.name, o.type, o.raw_inputs) for o in g.ops][:len(MLP_OPS)] == MLP_OPS
    assert len(g.ops) == 1 + 2 * 8 + 1 and g.ops[-1].name == "output"
    assert [o.name for o in g.outputs if o.type != "Const"] == ["output"]   # and the unused shape Consts
    assert [o.name for o in g.inputs] == ["inputs"]
    # the frozen variables are the weights, keyed like the variables they were (w:0)
    assert [w.key for w in g.weights] == list(expected)
    assert [w.role for w in g.weights] == ["kernel", "bias"] * 2     # roles by what the op does
    for w in g.weights:
        a = w.array()
        assert w.dtype.name == "float32" and a.dtype == np.float32
        assert w.shape == a.shape == expected[w.key].shape
        np.testing.assert_array_equal(a, expected[w.key])
    assert g.find_weight("net/layer_0/weights").shape == (8, 16)
    shape = next(c for c in g.constants if c.name == "net/layer_1/Reshape/shape")
    assert shape.array().tolist() == [-1, 4] and shape.dtype.name == "int32"
    assert [c.name for c, _ in g.consumers("net/layer_0/MatMul")] == ["net/layer_0/BiasAdd"]


def test_every_dtype_decodes(tmp_path):
    data, expected = dtypes_graph()
    for fmt in ("pb", "pbtxt"):
        path = tmp_path / f"dtypes.{fmt}"
        if fmt == "pb":
            path.write_bytes(data)
        else:
            path.write_text(text_format.MessageToString(proto.GraphDef.FromString(data)))
        g = open_model(path)
        assert [w.key for w in g.weights] == list(expected)
        for w in g.weights:
            a = w.array()
            assert a.dtype == expected[w.key].dtype and a.shape == expected[w.key].shape, w.key
            if a.dtype == object:
                assert a.tolist() == expected[w.key].tolist()
            else:
                np.testing.assert_array_equal(a, expected[w.key])


def test_text_graph_with_typed_values(tmp_path):
    """A hand-written .pbtxt: values in float_val / int_val, one broadcast over its shape."""
    path = tmp_path / "hand.pbtxt"
    path.write_text('''
node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } } }
node { name: "scale" op: "Const"
  attr { key: "dtype" value { type: DT_FLOAT } }
  attr { key: "value" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 2 } dim { size: 3 } }
                                       float_val: 0.5 } } } }
node { name: "ids" op: "Const"
  attr { key: "dtype" value { type: DT_INT32 } }
  attr { key: "value" value { tensor { dtype: DT_INT32 tensor_shape { dim { size: 3 } }
                                       int_val: 4 int_val: -5 int_val: 6 } } } }
node { name: "y" op: "Mul" input: "x" input: "scale" device: "/cpu:0" }
versions { producer: 1882 }
''')
    g = open_model(path)
    assert [(o.name, o.type, o.raw_inputs, o.device) for o in g.ops] == [
        ("x", "Placeholder", (), ""), ("scale", "Const", (), ""), ("ids", "Const", (), ""),
        ("y", "Mul", ("x", "scale"), "/cpu:0")]
    consts = {c.name: c.array() for c in g.constants}
    np.testing.assert_array_equal(consts["scale"], np.full((2, 3), 0.5, np.float32))
    assert consts["ids"].tolist() == [4, -5, 6] and consts["ids"].dtype == np.int32
    assert g.op("x").attrs == {"dtype": "float32"}


def test_function_library_ops_are_named_under_their_function(tmp_path):
    """functions.py: a FunctionDef's args and nodes become ops ``f/…``, inputs rewritten."""
    data, _ = tf1_mlp()
    gd = proto.GraphDef.FromString(data)
    f = gd.library.function.add()
    f.signature.name = "scaled_relu"
    f.signature.input_arg.add(name="t", type=1)
    n = f.node_def.add(name="mul", op="Mul")
    n.input.extend(["t", "factor:output:0"])
    n = f.node_def.add(name="factor", op="Const")
    n.attr["value"].tensor.dtype = 1
    n.attr["value"].tensor.float_val.append(2.0)
    n = f.node_def.add(name="relu", op="Relu")
    n.input.extend(["mul:z:0", "^factor"])
    gd.node.add(name="call", op="scaled_relu", input=["output"])
    for fmt in ("pb", "pbtxt"):
        path = tmp_path / f"lib.{fmt}"
        if fmt == "pb":
            path.write_bytes(gd.SerializeToString())
        else:
            path.write_text(text_format.MessageToString(gd))
        g = open_model(path)
        assert [(o.name, o.type, o.raw_inputs) for o in g.function_ops] == [
            ("scaled_relu/t", "_Arg", ()), ("scaled_relu/mul", "Mul", ("scaled_relu/t", "scaled_relu/factor")),
            ("scaled_relu/factor", "Const", ()),
            ("scaled_relu/relu", "Relu", ("scaled_relu/mul", "^scaled_relu/factor"))]
        assert any("1 functions in the function library, 4 ops" in note for note in g.notes)
        assert g.op("call").type == "scaled_relu"


@pytest.mark.parametrize("fmt,content,cause", [
    ("pb", None, "truncated: a field at byte"),
    ("pbtxt", 'node { name: "x" op: }\n', "not a valid GraphDef in text format: line 1"),
])
def test_damaged_graph_is_one_line(tmp_path, fmt, content, cause):
    path = tmp_path / f"bad.{fmt}"
    if content is None:
        data, _ = tf1_mlp()
        path.write_bytes(data[:len(data) // 2])
    else:
        path.write_text(content)
    with pytest.raises(PbscopeError) as e:
        open_model(path)
    assert str(e.value).startswith(f"{path}: ") and cause in str(e.value) and "\n" not in str(e.value)


# -- graphs TensorFlow wrote ---------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["pb", "pbtxt"])
def test_tf1_frozen_graph_written_by_tensorflow(tf_models, fmt):
    tf1 = tf_models["tf1"]
    g = open_model(tf1[fmt])
    assert {w.var_name + ":0" for w in g.weights} == set(tf1["weights"])
    for w in g.weights:
        want = tf1["weights"][w.var_name + ":0"]
        assert w.dtype.name == "float32" and w.shape == want.shape
        np.testing.assert_array_equal(w.array(), want)
    assert [o.name for o in g.outputs] == tf1["outputs"]
    assert g.op("MobileNetV1/Conv2d_0/Conv2D").type == "Conv2D"


# -- what test_corpus.py checks on real graphs, on graphs made here ------------------------

def test_quantized_weights_are_labelled(tmp_path):
    """quint8/qint8 Consts (as in stylize_quantized.pb of the corpus): labelled quantized,
    values in their integer base type."""
    gd = proto.GraphDef()
    q = np.array([[0, 255], [7, 128]], np.uint8)
    const(gd, "conv/weights_quint8", q, dtype=12)            # DT_QUINT8
    const(gd, "conv/weights_qint8", q.astype(np.int8), dtype=11)   # DT_QINT8
    const(gd, "conv/min", np.array(-1.0, np.float32))
    op(gd, "conv/Dequantize", "Dequantize", "conv/weights_quint8", "conv/min", "conv/min")
    op(gd, "conv/Dequantize_1", "Dequantize", "conv/weights_qint8", "conv/min", "conv/min")
    path = tmp_path / "q.pb"
    path.write_bytes(gd.SerializeToString())
    g = open_model(path)
    quantized = {w.name: w for w in g.constants if w.dtype is not None and w.dtype.quantized}
    assert set(quantized) == {"conv/weights_quint8", "conv/weights_qint8"}
    a = quantized["conv/weights_quint8"].array()
    assert a.dtype == np.uint8 and a.tolist() == q.tolist()
    b = quantized["conv/weights_qint8"].array()
    assert b.dtype == np.int8 and b.tolist() == q.astype(np.int8).tolist()


def test_not_frozen_graph_has_weights_without_values(tmp_path):
    """A GraphDef with variables, not frozen (as test.pb of the corpus): the variables are
    weights whose values are not in the file, and say so."""
    gd = proto.GraphDef()
    op(gd, "x", "Placeholder")
    for name, shape in (("dense/kernel", (4, 2)), ("dense/bias", (2,))):
        n = gd.node.add(name=name, op="VariableV2")
        n.attr["dtype"].type = 1
        for d in shape:
            n.attr["shape"].shape.dim.add(size=d)
        op(gd, f"{name}/read", "Identity", name)
    op(gd, "dense/MatMul", "MatMul", "x", "dense/kernel/read")
    op(gd, "dense/BiasAdd", "BiasAdd", "dense/MatMul", "dense/bias/read")
    path = tmp_path / "not_frozen.pb"
    path.write_bytes(gd.SerializeToString())
    g = open_model(path)
    variables = [w for w in g.weights if w.rule == "variable"]
    assert [(w.var_name, w.shape) for w in variables] == [("dense/kernel", (4, 2)), ("dense/bias", (2,))]
    assert all(not w.available and "not frozen" in w.error for w in variables)
    with pytest.raises(PbscopeError, match="not frozen"):
        variables[0].array()
