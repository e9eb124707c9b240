"""core against models TensorFlow wrote (tests/fixtures/models.py, resources/make_demo.py).

What TF says a file holds (its own parse, make_ndarray, the variables' values) is
the expectation; core must read the same.
"""
from __future__ import annotations

import importlib.util
import os

import numpy as np
import pytest

from pbscope.core.formats import open_model
from tests.fixtures.models import DTYPE_SAMPLES

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEMO = os.path.join(ROOT, "resources", "demo_mobilenet_v1.pb")
FORMS = ("content", "list", "broadcast", "partial", "scalar")


def _tf_graph_def(path: str):
    import tensorflow as tf
    from google.protobuf import text_format
    gd = tf.compat.v1.GraphDef()
    with open(path, "rb") as f:
        data = f.read()
    if path.endswith(".pbtxt"):
        text_format.Parse(data.decode("utf-8"), gd)
    else:
        gd.ParseFromString(data)
    return gd


def _assert_weights(g, expected: dict[str, np.ndarray], by: str) -> None:
    """Every expected weight is found (by key or var_name) with TF's value, shape, dtype."""
    found = {getattr(w, by): w for w in g.weights}
    missing = sorted(set(expected) - set(found))
    assert not missing, f"core has no weight for {missing}; it has {sorted(found)}"
    for name, value in expected.items():
        w = found[name]
        a = w.array()
        assert w.shape == value.shape, name
        assert w.dtype_name == value.dtype.name, name
        np.testing.assert_array_equal(a, value, err_msg=name)


def test_fixtures_leave_tf_switches_alone(tf_models):
    """Generating the models changed none of TF's process-wide modes."""
    import tensorflow as tf
    assert tf.executing_eagerly()
    assert tf.compat.v1.resource_variables_enabled()
    assert tf.compat.v1.control_flow_v2_enabled()


# -- TF1 frozen ------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["pb", "pbtxt"])
def test_tf1_ops_match_tf_parse(tf_models, fmt):
    m = tf_models["tf1"]
    g = open_model(m[fmt])
    gd = _tf_graph_def(m[fmt])
    assert len(g.ops) == len(gd.node)
    assert [(op.name, op.type) for op in g.ops] == [(n.name, n.op) for n in gd.node]
    assert [op.name for op in g.inputs] == m["inputs"]
    assert [op.name for op in g.outputs] == m["outputs"]


@pytest.mark.parametrize("fmt", ["pb", "pbtxt"])
def test_tf1_weight_values(tf_models, fmt):
    m = tf_models["tf1"]
    _assert_weights(open_model(m[fmt]), m["weights"], by="key")


@pytest.mark.parametrize("fmt", ["pb", "pbtxt"])
def test_tf1_weight_keys_are_the_variables(tf_models, fmt):
    m = tf_models["tf1"]
    g = open_model(m[fmt])
    assert sorted(w.key for w in g.weights) == sorted(m["weights"])
    assert all(w.key.startswith("MobileNetV1/") and w.key.endswith(":0") for w in g.weights)


def test_tf1_roles(tf_models):
    g = open_model(tf_models["tf1"]["pb"])
    roles = {w.key: w.role for w in g.weights}
    assert roles["MobileNetV1/Conv2d_0/weights:0"] == "kernel"
    assert roles["MobileNetV1/Logits/biases:0"] == "bias"
    for stat in ("gamma", "beta", "moving_mean", "moving_variance"):
        assert roles[f"MobileNetV1/Conv2d_0/BatchNorm/{stat}:0"] == stat
        assert roles[f"MobileNetV1/Conv2d_1_pointwise/BatchNorm/{stat}:0"] == stat


# -- Keras 3 frozen --------------------------------------------------------------

KERAS_PATHS = {
    "conv1/kernel", "conv1/bias",
    "conv1_bn/gamma", "conv1_bn/beta", "conv1_bn/moving_mean", "conv1_bn/moving_variance",
    "conv_dw_1/kernel", "conv_dw_1/bias",
    "conv_dw_1_bn/gamma", "conv_dw_1_bn/beta", "conv_dw_1_bn/moving_mean",
    "conv_dw_1_bn/moving_variance",
    "predictions/kernel", "predictions/bias",
}


def test_tf2_fixture_paths(tf_models):
    """The fixture reports Keras 3's own ``v.path``s (guards the expectation below)."""
    assert set(tf_models["tf2"]["weights"]) == KERAS_PATHS


def test_tf2_var_names_are_keras_paths(tf_models):
    g = open_model(tf_models["tf2"]["pb"])
    assert sorted(w.var_name for w in g.weights) == sorted(KERAS_PATHS)


def test_tf2_weight_values(tf_models):
    m = tf_models["tf2"]
    _assert_weights(open_model(m["pb"]), m["weights"], by="var_name")


def test_tf2_roles(tf_models):
    g = open_model(tf_models["tf2"]["pb"])
    for path in KERAS_PATHS:
        w = g.find_weight(path)
        assert w is not None, path
        assert w.role == path.rpartition("/")[2], path
        assert w.trainable == (w.role not in ("moving_mean", "moving_variance")), path


def test_tf2_ops_match_tf_parse(tf_models):
    m = tf_models["tf2"]
    g = open_model(m["pb"])
    gd = _tf_graph_def(m["pb"])
    assert [(op.name, op.type) for op in g.ops] == [(n.name, n.op) for n in gd.node]
    assert [op.name for op in g.inputs] == m["inputs"]


# -- every dtype -----------------------------------------------------------------

@pytest.mark.parametrize("prefix", list(DTYPE_SAMPLES))
def test_dtype_consts(tf_models, prefix):
    import tensorflow as tf
    m = tf_models["dtypes"]
    g = open_model(m["pb"])
    consts = {c.name: c for c in g.constants}
    tf_name = DTYPE_SAMPLES[prefix][0]
    names = [f"{prefix}_{form}" for form in FORMS if f"{prefix}_{form}" in m["expected"]]
    assert len(names) == (4 if tf_name == "string" else 5)
    for name in names:
        expected = m["expected"][name]
        c = consts.get(name)
        assert c is not None, name
        assert g.find_weight(name) is c, name
        assert c.dtype.number == tf.as_dtype(tf_name).as_datatype_enum, name
        a = c.array()
        assert a.dtype == expected.dtype, (name, a.dtype, expected.dtype)
        assert a.shape == expected.shape, name
        assert c.shape == expected.shape, name
        np.testing.assert_array_equal(a, expected, err_msg=name)


def test_dtype_fixture_matches_tf_runtime(tf_models):
    """TF's runtime reads each Const as make_ndarray does (the expectations are right)."""
    import tensorflow as tf

    from tests.fixtures.models import normalise
    m = tf_models["dtypes"]
    graph = tf.Graph()
    with graph.as_default():
        tf.graph_util.import_graph_def(_tf_graph_def(m["pb"]), name="")
        names = sorted(m["expected"])
        with tf.compat.v1.Session(graph=graph) as sess:
            got = sess.run([graph.get_tensor_by_name(n + ":0") for n in names])
    for name, value in zip(names, got):
        value = normalise(np.asarray(value), m["dtypes"][name])
        np.testing.assert_array_equal(value, m["expected"][name], err_msg=name)


# -- TF1 loop --------------------------------------------------------------------

def test_rnn_graph(tf_models):
    m = tf_models["rnn"]
    g = open_model(m["pb"])
    gd = _tf_graph_def(m["pb"])
    assert [(op.name, op.type) for op in g.ops] == [(n.name, n.op) for n in gd.node]
    types = g.op_types()
    for t in ("Enter", "Merge", "Switch", "NextIteration", "Exit", "LoopCond"):
        assert t in types, t
    assert sorted(w.key for w in g.weights) == sorted(m["weights"])
    _assert_weights(g, m["weights"], by="key")
    assert g.find_weight("rnn/basic_rnn_cell/kernel").role == "kernel"
    assert [op.name for op in g.inputs] == m["inputs"]
    assert [op.name for op in g.outputs] == m["outputs"]


# -- the bundled demo ------------------------------------------------------------

def _make_demo():
    spec = importlib.util.spec_from_file_location(
        "make_demo", os.path.join(ROOT, "resources", "make_demo.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def demo_rebuilt(tmp_path_factory):
    pytest.importorskip("tensorflow")
    out = str(tmp_path_factory.mktemp("demo") / "demo_mobilenet_v1.pb")
    return out, _make_demo().build(out)


def test_demo_is_reproducible(demo_rebuilt):
    out, _ = demo_rebuilt
    with open(out, "rb") as f:
        rebuilt = f.read()
    with open(DEMO, "rb") as f:
        committed = f.read()
    import tensorflow as tf
    assert rebuilt == committed, (
        f"resources/make_demo.py (TF {tf.__version__}) no longer writes the committed "
        "demo bytes; rerun it if the change is intended")


def test_demo_opens_in_core(demo_rebuilt):
    _, expected = demo_rebuilt
    g = open_model(DEMO)
    assert os.path.getsize(DEMO) <= 5 << 20
    assert g.find_weight("MobileNetV1/Conv2d_0/weights:0") is not None
    assert g.find_weight("MobileNetV1/Conv2d_0/weights:0").key == "MobileNetV1/Conv2d_0/weights:0"
    assert g.find_weight("MobileNetV1/Bottleneck2/weights").shape[-1] == 1001
    assert g.find_weight("MobileNetV1/Bottleneck2/biases").shape == (1001,)
    assert sorted(w.key for w in g.weights) == sorted(expected)
    _assert_weights(g, expected, by="key")
    assert [op.name for op in g.inputs] == ["inputs"]
    assert [op.name for op in g.outputs] == ["MobileNetV1/Predictions/Softmax"]
    for w in g.weights:
        a = w.array()
        assert np.all(np.isfinite(a)) and np.std(a) > 0, w.key   # histograms need spread
        if w.role == "moving_variance":
            assert a.min() > 0, w.key


def test_demo_runs_in_tf():
    tf = pytest.importorskip("tensorflow")
    graph = tf.Graph()
    with graph.as_default():
        tf.graph_util.import_graph_def(_tf_graph_def(DEMO), name="")
        x = np.random.RandomState(0).uniform(0, 1, (2, 64, 64, 3)).astype(np.float32)
        with tf.compat.v1.Session(graph=graph) as sess:
            y = sess.run("MobileNetV1/Predictions/Softmax:0", {"inputs:0": x})
    assert y.shape == (2, 1001)
    np.testing.assert_allclose(y.sum(axis=1), 1.0, rtol=1e-5)
