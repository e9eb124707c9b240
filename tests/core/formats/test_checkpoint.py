"""TF1 checkpoints (core/formats/checkpoint.py): the graph from the .meta without TF, values
read lazily from the checkpoint, opened every way a user may name it; checked against
tf.train.load_variable. The checkpoint is made here by TF1's Saver."""
from __future__ import annotations

import os
import pickle
import shutil

import numpy as np
import pytest

from pbscope.core import cli
from pbscope.core.export import export_weights
from pbscope.core.formats import open_model


@pytest.fixture(scope="session")
def tf1_ckpt(tmp_path_factory):
    """A TF1 model trained one Adam step and saved: prefix, folder, and the variables."""
    tf = pytest.importorskip("tensorflow")
    v1 = tf.compat.v1
    folder = tmp_path_factory.mktemp("tf1ckpt")
    rng = np.random.default_rng(3)
    with tf.Graph().as_default() as g:
        x = v1.placeholder(tf.float32, [None, 4], name="x")
        with v1.variable_scope("net", use_resource=False):
            w = v1.get_variable("dense/kernel", initializer=rng.standard_normal((4, 3)).astype(np.float32))
            b = v1.get_variable("dense/bias", initializer=np.zeros(3, np.float32))
            mean = v1.get_variable("bn/moving_mean", initializer=np.ones(3, np.float32), trainable=False)
        y = tf.matmul(x, w) + b - mean
        loss = tf.reduce_sum(y * y)
        step = v1.train.get_or_create_global_step()
        train = v1.train.AdamOptimizer(0.1).minimize(loss, global_step=step)
        with v1.Session(graph=g) as sess:
            sess.run(v1.global_variables_initializer())
            sess.run(train, {x: np.ones((2, 4), np.float32)})
            prefix = v1.train.Saver().save(sess, str(folder / "model.ckpt"))
    names = [n for n, _ in tf.train.list_variables(prefix)]
    values = {n: tf.train.load_variable(prefix, n) for n in names}
    return {"prefix": prefix, "folder": folder, "values": values}


def test_tf1_checkpoint_opens_every_way(tf1_ckpt):
    prefix, folder, values = tf1_ckpt["prefix"], tf1_ckpt["folder"], tf1_ckpt["values"]
    for path in (folder, prefix, prefix + ".index", prefix + ".meta", folder / "checkpoint",
                 prefix + ".data-00000-of-00001"):
        g = open_model(path)
        assert g.format == "TF1 checkpoint (.meta + checkpoint)"
        assert [w.var_name for w in g.weights] == ["net/dense/kernel", "net/dense/bias", "net/bn/moving_mean"]
        assert [w.key for w in g.weights][0] == "net/dense/kernel:0"
        assert [w.trainable for w in g.weights] == [True, True, False]
        extra = {w.var_name for w in g.extra_weights}
        assert extra == {"global_step", "beta1_power", "beta2_power", "net/dense/kernel/Adam",
                         "net/dense/kernel/Adam_1", "net/dense/bias/Adam", "net/dense/bias/Adam_1"}
        for w in g.weights + g.extra_weights:
            np.testing.assert_array_equal(w.array(), values[w.var_name])
        assert any(op.type == "ApplyAdam" for op in g.ops)


def test_tf1_checkpoint_export_leaves_slots_out_and_restores_by_name(tf1_ckpt, tmp_path):
    g = open_model(tf1_ckpt["folder"])
    export_weights(g.weights, tmp_path / "w.pkl")
    d = pickle.loads((tmp_path / "w.pkl").read_bytes())
    assert list(d) == ["net/dense/kernel:0", "net/dense/bias:0", "net/bn/moving_mean:0"]
    np.testing.assert_array_equal(d["net/dense/kernel:0"], tf1_ckpt["values"]["net/dense/kernel"])


def test_checkpoint_without_meta_lists_its_variables(tf1_ckpt, tmp_path):
    for ext in (".index", ".data-00000-of-00001"):
        shutil.copy(tf1_ckpt["prefix"] + ext, tmp_path / ("m" + ext))
    g = open_model(tmp_path / "m")
    assert g.format == "TF checkpoint (no .meta: variables only)"
    assert {op.type for op in g.ops} == {"Variable"}
    assert {w.var_name for w in g.weights + g.extra_weights} == set(tf1_ckpt["values"])
    assert g.root.find("net/dense/kernel").weight is not None


# -- bad inputs: one clear line each ---------------------------------------------

def copy_ckpt(tf1_ckpt, dst, parts=(".index", ".data-00000-of-00001", ".meta")):
    for ext in parts:
        shutil.copy(tf1_ckpt["prefix"] + ext, dst / ("model.ckpt" + ext))
    (dst / "checkpoint").write_text('model_checkpoint_path: "model.ckpt"\n')
    return dst / "model.ckpt"


def one_line(capsys, argv, path, fragment):
    assert cli.main(argv) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"pbscope: error: {path}") and fragment in err, err


def test_missing_data_file(tf1_ckpt, tmp_path, capsys):
    prefix = copy_ckpt(tf1_ckpt, tmp_path, parts=(".index", ".meta"))
    g = open_model(tmp_path)                      # the graph opens; the weights have no values
    assert all(not w.available for w in g.weights)
    assert any("data file" in n for n in g.notes)
    one_line(capsys, ["show", str(tmp_path), "net/dense/kernel"], tmp_path,
             "model.ckpt.data-00000-of-00001 is missing")
    os.unlink(str(prefix) + ".meta")              # no graph to show: the open itself says so
    one_line(capsys, ["info", str(tmp_path)], str(prefix), "data-00000-of-00001 is missing")


def test_state_file_pointing_to_a_missing_prefix(tf1_ckpt, tmp_path, capsys):
    copy_ckpt(tf1_ckpt, tmp_path)
    (tmp_path / "checkpoint").write_text('model_checkpoint_path: "/elsewhere/model.ckpt-900"\n')
    one_line(capsys, ["info", str(tmp_path)], tmp_path / "checkpoint",
             "points to '/elsewhere/model.ckpt-900', but model.ckpt-900.index is not in")


@pytest.mark.parametrize("damage", ["truncate", "garble"])
def test_corrupted_index(tf1_ckpt, tmp_path, capsys, damage):
    prefix = copy_ckpt(tf1_ckpt, tmp_path)
    index = tmp_path / "model.ckpt.index"
    data = index.read_bytes()
    index.write_bytes(data[: len(data) // 2] if damage == "truncate"
                      else data[:20] + bytes(b ^ 0x5A for b in data[20:-48]) + data[-48:])
    one_line(capsys, ["info", str(prefix) + ".index"], index, "corrupt checkpoint index")


def test_meta_without_checkpoint_opens_with_unavailable_weights(tf1_ckpt, tmp_path, capsys):
    shutil.copy(tf1_ckpt["prefix"] + ".meta", tmp_path / "lonely.meta")
    g = open_model(tmp_path / "lonely.meta")
    assert g.format == "MetaGraphDef (.meta)" and len(g.weights) == 3
    assert all(not w.available for w in g.weights)
    one_line(capsys, ["show", str(tmp_path / "lonely.meta"), "net/dense/bias"], tmp_path / "lonely.meta",
             "no value")
