"""SavedModels (core/formats/savedmodel.py): signatures, function ops and variables read
without TF from a SavedModel that tf.saved_model.save makes here; checked against
tf.train.load_variable."""
from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from google.protobuf import text_format

from pbscope.core import cli, proto
from pbscope.core.errors import PbscopeError
from pbscope.core.formats import detect, open_model


# -- a Keras model saved by tf.saved_model.save ---------------------------------------

@pytest.fixture(scope="session")
def keras_savedmodel(tmp_path_factory):
    tf = pytest.importorskip("tensorflow")
    import keras
    folder = tmp_path_factory.mktemp("sm") / "model"
    inp = keras.Input((6,), name="features")
    h = keras.layers.Dense(5, activation="relu", name="hidden")(inp)
    out = keras.layers.Dense(2, name="logits")(h)
    model = keras.Model(inp, out, name="classifier")
    tf.saved_model.save(model, str(folder))
    prefix = str(folder / "variables" / "variables")
    return {"folder": folder, "prefix": prefix,
            "values": {k: tf.train.load_variable(prefix, k) for k, _ in tf.train.list_variables(prefix)}}


def test_keras_savedmodel_values_match_load_variable(keras_savedmodel):
    g = open_model(keras_savedmodel["folder"])
    assert g.format == "SavedModel" and "serve" in g.tags
    sig = g.signatures["serving_default"]
    (inp,) = sig["inputs"].values()
    assert inp["shape"] == [-1, 6] and inp["dtype"] == "float32"
    assert len(g.function_ops) > 0
    assert len(g.weights) == 4
    for w in g.weights:
        assert w.raw_key in keras_savedmodel["values"]
        np.testing.assert_array_equal(w.array(), keras_savedmodel["values"][w.raw_key])
    shapes = sorted(tuple(w.shape) for w in g.weights)
    assert shapes == [(2,), (5,), (5, 2), (6, 5)]


def test_savedmodel_without_variables(keras_savedmodel, tmp_path, capsys):
    dst = tmp_path / "sm"
    shutil.copytree(keras_savedmodel["folder"], dst)
    shutil.rmtree(dst / "variables")
    g = open_model(dst)
    assert g.weights and all(not w.available for w in g.weights)
    assert any("variables is missing" in n for n in g.notes)
    assert cli.main(["export", str(dst), "-o", str(tmp_path / "w.pkl")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "variables is missing" in err
    assert not (tmp_path / "w.pkl").exists()


def test_info_shows_signatures(keras_savedmodel, capsys):
    assert cli.main(["info", str(keras_savedmodel["folder"]), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert "serving_default" in info["signatures"] and info["tags"] == ["serve"]
    assert cli.main(["info", str(keras_savedmodel["folder"])]) == 0
    assert "signature serving_default" in capsys.readouterr().out


def test_open_model_raises_only_our_error_for_garbage_folders(tmp_path):
    (tmp_path / "saved_model.pb").write_bytes(b"\x08\x01\x12\x05junk!")
    with pytest.raises(PbscopeError):
        open_model(tmp_path)


def test_the_same_savedmodel_in_text_form(keras_savedmodel, tmp_path):
    """saved_model.pbtxt (what tf.saved_model.save(..., as_text) would write): the same graph."""
    dst = tmp_path / "sm_text"
    shutil.copytree(keras_savedmodel["folder"], dst)
    pb = dst / "saved_model.pb"
    (dst / "saved_model.pbtxt").write_text(text_format.MessageToString(proto.SavedModel.FromString(pb.read_bytes())))
    pb.unlink()
    assert detect(dst).name == "savedmodel-dir" and detect(dst / "saved_model.pbtxt").name == "savedmodel-text"
    binary, text = open_model(keras_savedmodel["folder"]), open_model(dst)
    assert text.format == "SavedModel" and text.tags == binary.tags
    assert [(o.name, o.type, o.raw_inputs) for o in text.ops] == [(o.name, o.type, o.raw_inputs) for o in binary.ops]
    assert [o.name for o in text.function_ops] == [o.name for o in binary.function_ops]
    assert text.signatures == binary.signatures
    assert [w.raw_key for w in text.weights] == [w.raw_key for w in binary.weights]
    for w in text.weights:
        np.testing.assert_array_equal(w.array(), keras_savedmodel["values"][w.raw_key])


# -- a SavedModel written here without TensorFlow ---------------------------------------

def handmade_savedmodel(folder):
    """Two meta graphs ("train" first, then "serve"): x → MatMul(w) → y, w a VarHandleOp."""
    sm = proto.SavedModel(saved_model_schema_version=1)
    for tags in (["train"], ["serve", "gpu"]):
        mg = sm.meta_graphs.add()
        mg.meta_info_def.tags.extend(tags)
        gd = mg.graph_def
        x = gd.node.add(name="x", op="Placeholder")
        x.attr["dtype"].type = 1
        w = gd.node.add(name="w", op="VarHandleOp")
        w.attr["dtype"].type = 1
        w.attr["shape"].shape.dim.add(size=3)
        w.attr["shape"].shape.dim.add(size=2)
        w.attr["shared_name"].s = b"w"
        gd.node.add(name="w/Read", op="ReadVariableOp", input=["w"]).attr["dtype"].type = 1
        gd.node.add(name="y" if "serve" in tags else "loss", op="MatMul", input=["x", "w/Read"])
        sig = mg.signature_def["serving_default"]
        sig.method_name = "tensorflow/serving/predict"
        sig.inputs["x"].name = "x:0"
        sig.inputs["x"].dtype = 1
        sig.inputs["x"].tensor_shape.dim.add(size=-1)
        sig.inputs["x"].tensor_shape.dim.add(size=3)
    folder.mkdir()
    (folder / "saved_model.pb").write_bytes(sm.SerializeToString())
    return folder


def test_handmade_savedmodel_shows_the_serve_graph(tmp_path):
    folder = handmade_savedmodel(tmp_path / "sm")
    assert detect(folder).name == "savedmodel-dir" and detect(folder / "saved_model.pb").name == "savedmodel"
    for opened in (folder, folder / "saved_model.pb"):
        g = open_model(opened)
        assert g.format == "SavedModel" and g.tags == ["serve", "gpu"]
        assert [(o.name, o.type, o.raw_inputs) for o in g.ops] == [
            ("x", "Placeholder", ()), ("w", "VarHandleOp", ()), ("w/Read", "ReadVariableOp", ("w",)),
            ("y", "MatMul", ("x", "w/Read"))]
        assert any(n.startswith("meta graphs: train; serve, gpu") for n in g.notes)
        assert g.signatures["serving_default"]["inputs"]["x"] == {"name": "x:0", "dtype": "float32",
                                                                  "shape": [-1, 3]}
        (w,) = g.weights
        assert w.var_name == "w" and w.shape == (3, 2) and w.dtype.name == "float32"
        assert not w.available and "variables is missing" in w.error


def test_handmade_savedmodel_with_its_variables(tmp_path):
    """The same, with variables/ written by TF's SaveV2 op under the name TF2 gives the key."""
    tf = pytest.importorskip("tensorflow")
    folder = handmade_savedmodel(tmp_path / "sm")
    (folder / "variables").mkdir()
    value = np.arange(6, dtype=np.float32).reshape(3, 2) - 2.5
    tf.raw_ops.SaveV2(prefix=str(folder / "variables" / "variables"), tensor_names=["w"],
                      shape_and_slices=[""], tensors=[tf.constant(value)])
    g = open_model(folder)
    (w,) = g.weights
    assert w.available
    np.testing.assert_array_equal(w.array(), value)
