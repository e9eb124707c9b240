"""Weight discovery and naming, on graphs shaped like what TF1 and TF2 freezing leave."""
from __future__ import annotations

import numpy as np

from pbscope.core import proto
from pbscope.core.model import Graph, Op
from pbscope.core.weights import discover

from .graphs import const, op

P = "mobilenet_1.00_224_1"


def graph_of(gd) -> Graph:
    g = Graph("mem.pb", "GraphDef")
    g.ops = [Op.from_node(g, i, n) for i, n in enumerate(gd.node)]
    return g.finish(discover)


def tf2_var(gd, scope: str, value):
    const(gd, f"{scope}/ReadVariableOp/resource", value)
    op(gd, f"{scope}/ReadVariableOp", "Identity", f"{scope}/ReadVariableOp/resource")
    return f"{scope}/ReadVariableOp"


def keras3_frozen():
    """The pattern convert_variables_to_constants_v2 leaves for a Keras 3 model (seen on TF 2.21)."""
    gd = proto.GraphDef()
    v = np.ones(4, np.float32)
    op(gd, "t", "Placeholder")
    k = tf2_var(gd, f"{P}/conv1_1/convolution", np.ones((3, 3, 3, 4), np.float32))
    op(gd, f"{P}/conv1_1/convolution", "Conv2D", "t", k)
    b = tf2_var(gd, f"{P}/conv1_1/Reshape", v)
    const(gd, f"{P}/conv1_1/Reshape/shape", np.array([1, 1, 1, 4], np.int32))
    op(gd, f"{P}/conv1_1/Reshape", "Reshape", b, f"{P}/conv1_1/Reshape/shape")
    op(gd, f"{P}/conv1_1/Squeeze", "Squeeze", f"{P}/conv1_1/Reshape")
    op(gd, f"{P}/conv1_1/BiasAdd", "BiasAdd", f"{P}/conv1_1/convolution", f"{P}/conv1_1/Squeeze")
    bn = f"{P}/conv1_bn_1"
    var = tf2_var(gd, f"{bn}/Cast_1", v)
    const(gd, f"{bn}/batchnorm/add/y", np.array(0.001, np.float32))
    op(gd, f"{bn}/batchnorm/add", "AddV2", var, f"{bn}/batchnorm/add/y")
    op(gd, f"{bn}/batchnorm/Rsqrt", "Rsqrt", f"{bn}/batchnorm/add")
    gamma = tf2_var(gd, f"{bn}/Cast_2", v)
    op(gd, f"{bn}/batchnorm/mul", "Mul", f"{bn}/batchnorm/Rsqrt", gamma)
    op(gd, f"{bn}/batchnorm/mul_1", "Mul", f"{P}/conv1_1/BiasAdd", f"{bn}/batchnorm/mul")
    beta = tf2_var(gd, f"{bn}/Cast_3", v)
    mean = tf2_var(gd, f"{bn}/Cast", v)
    op(gd, f"{bn}/batchnorm/mul_2", "Mul", mean, f"{bn}/batchnorm/mul")
    op(gd, f"{bn}/batchnorm/sub", "Sub", beta, f"{bn}/batchnorm/mul_2")
    op(gd, f"{bn}/batchnorm/add_1", "AddV2", f"{bn}/batchnorm/mul_1", f"{bn}/batchnorm/sub")
    k = tf2_var(gd, f"{P}/fc_1/Cast", np.ones((4, 5), np.float32))
    op(gd, f"{P}/fc_1/MatMul", "MatMul", f"{bn}/batchnorm/add_1", k)
    b = tf2_var(gd, f"{P}/fc_1/BiasAdd", np.ones(5, np.float32))
    op(gd, f"{P}/fc_1/BiasAdd", "BiasAdd", f"{P}/fc_1/MatMul", b)
    noop = op(gd, "NoOp", "NoOp")
    noop.input.extend("^" + n.name for n in gd.node if n.name.endswith("/ReadVariableOp"))
    op(gd, "Identity", "Identity", f"{P}/fc_1/BiasAdd", "^NoOp")
    return gd


def test_keras3_names_roles_and_trainability():
    g = graph_of(keras3_frozen())
    names = {w.name: w.var_name for w in g.weights}
    assert names == {
        f"{P}/conv1_1/convolution/ReadVariableOp/resource": "conv1/kernel",
        f"{P}/conv1_1/Reshape/ReadVariableOp/resource": "conv1/bias",
        f"{P}/conv1_bn_1/Cast_1/ReadVariableOp/resource": "conv1_bn/moving_variance",
        f"{P}/conv1_bn_1/Cast_2/ReadVariableOp/resource": "conv1_bn/gamma",
        f"{P}/conv1_bn_1/Cast_3/ReadVariableOp/resource": "conv1_bn/beta",
        f"{P}/conv1_bn_1/Cast/ReadVariableOp/resource": "conv1_bn/moving_mean",
        f"{P}/fc_1/Cast/ReadVariableOp/resource": "fc/kernel",
        f"{P}/fc_1/BiasAdd/ReadVariableOp/resource": "fc/bias",
    }
    trainable = {w.var_name: w.trainable for w in g.weights}
    assert not trainable["conv1_bn/moving_mean"] and not trainable["conv1_bn/moving_variance"]
    assert trainable["conv1_bn/gamma"] and trainable["fc/kernel"]
    assert g.find_weight("conv1_bn/gamma:0").rule == "tf2-resource"
    # structural constants are not weights, but are listed on request
    assert g.find_weight(f"{P}/conv1_1/Reshape/shape").rule == "structural"
    assert len(g.constants) == len(g.weights) + 2


def test_tf2_const_without_a_role_keeps_its_name():
    gd = proto.GraphDef()
    v = tf2_var(gd, "model/odd/Cast", np.ones(3, np.float32))
    op(gd, "model/odd/Sin", "Sin", v)
    g = graph_of(gd)
    assert [w.var_name for w in g.weights] == ["model/odd/Cast/ReadVariableOp/resource"]


def test_tf1_read_and_folded_and_not_frozen():
    gd = proto.GraphDef()
    op(gd, "x", "Placeholder")
    const(gd, "a/weights", np.ones((2, 2), np.float32))
    op(gd, "a/weights/read", "Identity", "a/weights")
    const(gd, "folded/kernel", np.ones((2, 2), np.float32))       # no /read: folded
    op(gd, "mm", "MatMul", "x", "folded/kernel")
    const(gd, "folded/one_bias", np.ones(1, np.float32))           # one element, but at a bias slot
    op(gd, "ba", "BiasAdd", "mm", "folded/one_bias")
    const(gd, "eps", np.array(1e-3, np.float32))                    # scalar: structural
    const(gd, "axes", np.array([0, 1], np.int32))                   # ints: structural
    v = op(gd, "v", "VariableV2")
    v.attr["dtype"].type = 1
    v.attr["shape"].shape.dim.add(size=3)
    g = graph_of(gd)
    by = {w.name: w for w in g.weights}
    assert set(by) == {"a/weights", "folded/kernel", "folded/one_bias", "v"}
    assert by["a/weights"].rule == "tf1-read" and by["a/weights"].key == "a/weights:0"
    assert by["folded/kernel"].rule == "folded" and by["folded/kernel"].role == "kernel"
    assert by["folded/one_bias"].role == "bias"
    assert not by["v"].available and by["v"].shape == (3,) and by["v"].nbytes == 12


def test_scope_tree_totals():
    gd = proto.GraphDef()
    const(gd, "m/a/w", np.ones((2, 3), np.float32))
    op(gd, "m/a/w/read", "Identity", "m/a/w")
    const(gd, "m/b/w", np.ones(5, np.float32))
    op(gd, "m/b/w/read", "Identity", "m/b/w")
    op(gd, "m/b/add", "AddV2", "m/a/w/read", "m/b/w/read")
    g = graph_of(gd)
    root = g.root
    m = root.find("m")
    assert (m.op_count, m.weight_count, m.params, m.nbytes) == (5, 2, 11, 44)
    assert [s.name for s in m.rows] == ["a", "b"]
    w = root.find("m/a/w")
    assert w.op.type == "Const" and w.weight is not None and [c.name for c in w.rows] == ["read"]
    assert [s.path for s in m.walk()] == ["m", "m/a", "m/a/w", "m/a/w/read", "m/b", "m/b/w",
                                          "m/b/w/read", "m/b/add"]
