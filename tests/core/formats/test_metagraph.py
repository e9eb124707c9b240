"""MetaGraphDefs (core/formats/metagraph.py, read through checkpoint.py): a .meta and its
text form written here with pbscope's own schema (no TensorFlow): the graph, tags,
signatures and the trainable_variables collection; the weights get values when a
checkpoint (written here by TF's SaveV2 op) is beside the .meta."""
from __future__ import annotations

import numpy as np
import pytest
from google.protobuf import text_format

from pbscope.core import proto
from pbscope.core.errors import PbscopeError
from pbscope.core.formats import detect, open_model

from ..graphs import op

KERNEL = np.arange(12, dtype=np.float32).reshape(3, 4) / 8
BIAS = np.array([0.5, -1.0, 2.0, 0.0], np.float32)
STEP = np.array(17, np.int64)


def variable(gd, name: str, dtype: int, shape):
    n = gd.node.add(name=name, op="VariableV2")
    n.attr["dtype"].type = dtype
    for d in shape:
        n.attr["shape"].shape.dim.add(size=d)
    op(gd, f"{name}/read", "Identity", name)


def meta_graph():
    """x → MatMul(net/kernel) → BiasAdd(net/bias); a global_step that is not trainable."""
    mg = proto.MetaGraphDef()
    mg.meta_info_def.tags.append("train")
    mg.meta_info_def.tensorflow_version = "1.15.5"
    gd = mg.graph_def
    x = op(gd, "x", "Placeholder")
    x.attr["dtype"].type = 1
    variable(gd, "net/kernel", 1, (3, 4))
    variable(gd, "net/bias", 1, (4,))
    variable(gd, "global_step", 9, ())
    op(gd, "net/MatMul", "MatMul", "x", "net/kernel/read")
    op(gd, "net/BiasAdd", "BiasAdd", "net/MatMul", "net/bias/read")
    op(gd, "save/Const", "Const")
    for coll, names in (("trainable_variables", ["net/kernel", "net/bias"]),
                        ("variables", ["net/kernel", "net/bias", "global_step"])):
        for name in names:
            v = proto.VariableDef(variable_name=f"{name}:0", snapshot_name=f"{name}/read:0")
            mg.collection_def[coll].bytes_list.value.append(v.SerializeToString())
    sig = mg.signature_def["predict"]
    sig.method_name = "tensorflow/serving/predict"
    sig.inputs["x"].name = "x:0"
    sig.inputs["x"].dtype = 1
    sig.inputs["x"].tensor_shape.dim.add(size=-1)
    sig.inputs["x"].tensor_shape.dim.add(size=3)
    sig.outputs["y"].name = "net/BiasAdd:0"
    sig.outputs["y"].dtype = 1
    return mg


@pytest.fixture(params=["binary", "text"])
def meta(request, tmp_path):
    mg = meta_graph()
    path = tmp_path / "model.ckpt.meta"
    if request.param == "binary":
        path.write_bytes(mg.SerializeToString())
    else:
        path.write_text(text_format.MessageToString(mg))
    return path, request.param


def test_meta_alone_graph_tags_signatures(meta):
    path, form = meta
    assert detect(path).name == {"binary": "metagraph", "text": "metagraph-text"}[form]
    g = open_model(path)
    assert g.format == "MetaGraphDef (.meta)"
    assert [(o.name, o.type, o.raw_inputs) for o in g.ops] == [
        ("x", "Placeholder", ()),
        ("net/kernel", "VariableV2", ()), ("net/kernel/read", "Identity", ("net/kernel",)),
        ("net/bias", "VariableV2", ()), ("net/bias/read", "Identity", ("net/bias",)),
        ("global_step", "VariableV2", ()), ("global_step/read", "Identity", ("global_step",)),
        ("net/MatMul", "MatMul", ("x", "net/kernel/read")),
        ("net/BiasAdd", "BiasAdd", ("net/MatMul", "net/bias/read")), ("save/Const", "Const", ())]
    assert g.tags == ["train"]
    assert g.signatures["predict"] == {
        "method": "tensorflow/serving/predict",
        "inputs": {"x": {"name": "x:0", "dtype": "float32", "shape": [-1, 3]}},
        "outputs": {"y": {"name": "net/BiasAdd:0", "dtype": "float32", "shape": []}}}   # no dims: a scalar
    weights = {w.var_name: w for w in g.weights + g.extra_weights}
    assert set(weights) == {"net/kernel", "net/bias", "global_step"}
    assert weights["net/kernel"].shape == (3, 4) and weights["net/kernel"].dtype.name == "float32"
    assert weights["net/bias"].shape == (4,)
    assert weights["net/kernel"].trainable and weights["net/bias"].trainable
    assert all(not w.available for w in weights.values())
    assert any("no checkpoint beside model.ckpt.meta" in n for n in g.notes)
    with pytest.raises(PbscopeError, match="no value"):
        weights["net/kernel"].array()


@pytest.fixture(scope="module")
def tf():
    return pytest.importorskip("tensorflow")


def save_v2(tf, prefix: str, tensors: dict[str, np.ndarray]) -> None:
    """A V2 checkpoint holding exactly ``tensors``, written by TF's SaveV2 op."""
    names = list(tensors)
    tf.raw_ops.SaveV2(prefix=prefix, tensor_names=names, shape_and_slices=[""] * len(names),
                      tensors=[tf.constant(tensors[n]) for n in names])


def check_values(g):
    assert g.format == "TF1 checkpoint (.meta + checkpoint)"
    weights = {w.var_name: w for w in g.weights + g.extra_weights}
    np.testing.assert_array_equal(weights["net/kernel"].array(), KERNEL)
    np.testing.assert_array_equal(weights["net/bias"].array(), BIAS)
    assert weights["net/kernel"].key == "net/kernel:0"
    assert weights["net/kernel"].trainable
    assert weights["global_step"].array() == 17 and not weights["global_step"].trainable


def test_meta_beside_its_checkpoint_gets_the_values(meta, tf):
    path, form = meta
    prefix = str(path)[: -len(".meta")]
    save_v2(tf, prefix, {"net/kernel": KERNEL, "net/bias": BIAS, "global_step": STEP})
    check_values(open_model(path))
    if form == "text":
        return      # opened through its checkpoint: see the next test
    for opened in (path.parent, prefix, prefix + ".index"):
        check_values(open_model(opened))


@pytest.mark.parametrize("how", ["folder", "prefix", "index"])
def test_text_meta_opened_through_its_checkpoint(tmp_path, tf, how):
    path = tmp_path / "model.ckpt.meta"
    path.write_text(text_format.MessageToString(meta_graph()))
    prefix = str(path)[: -len(".meta")]
    save_v2(tf, prefix, {"net/kernel": KERNEL, "net/bias": BIAS, "global_step": STEP})
    check_values(open_model({"folder": tmp_path, "prefix": prefix, "index": prefix + ".index"}[how]))


def test_damaged_meta_is_one_line(tmp_path):
    data = meta_graph().SerializeToString()
    path = tmp_path / "bad.meta"
    path.write_bytes(data[: len(data) - 7])
    with pytest.raises(PbscopeError) as e:
        open_model(path)
    assert str(e.value).startswith(f"{path}: ") and "\n" not in str(e.value)
