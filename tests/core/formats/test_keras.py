"""The Keras reader (core/formats/keras.py): .keras, .h5 and .weights.h5 opened without Keras.

The models are made with Keras once per session: a functional model with a branch
(Add, Concatenate) and a nested Sequential, saved three ways, plus a Sequential with an
LSTM (a cell as a sublayer). Every corpus Keras file opens, the malicious one is refused.
"""
from __future__ import annotations

import collections
import contextlib
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
from tests.fixtures import corpus
import pytest

from pbscope.core import cli
from pbscope.core.errors import PbscopeError
from pbscope.core.export import export_weights
from pbscope.core.formats import open_model
from pbscope.core.formats.keras_h5 import H5Source
from tests.procs import PRELUDE

ROOT = Path(__file__).resolve().parents[3]
# the layer graph of the functional fixture: op → the ops feeding it
LAYER_GRAPH = {"image": [], "conv": ["image"], "bn": ["conv"], "branch_a": ["bn"], "branch_b": ["bn"],
               "add": ["branch_a", "branch_b"], "cat": ["add", "bn"], "pool": ["cat"], "head": ["pool"],
               "head/input_layer": ["pool"], "head/dense": ["head/input_layer"],
               "head/dense_1": ["head/dense"]}
FORMATS = ("keras", "h5", "weights")


def _functional(keras, seed: int):
    from keras import layers
    keras.utils.set_random_seed(seed)
    inp = keras.Input((8, 8, 3), name="image")
    x = layers.Conv2D(4, 3, padding="same", name="conv")(inp)
    x = layers.BatchNormalization(name="bn")(x)
    a = layers.Conv2D(4, 1, name="branch_a")(x)
    b = layers.DepthwiseConv2D(3, padding="same", name="branch_b")(x)
    c = layers.Concatenate(name="cat")([layers.Add(name="add")([a, b]), x])
    f = layers.GlobalAveragePooling2D(name="pool")(c)
    head = keras.Sequential([layers.Dense(6, activation="relu", name="dense"), layers.Dense(3, name="dense_1")],
                            name="head")
    model = keras.Model(inp, head(f), name="net")
    rng = np.random.RandomState(seed)
    for v in model.weights:    # BN statistics too: every value differs between seeds
        v.assign(rng.uniform(0.5, 1.5, tuple(v.shape)).astype(np.float32))
    return model


@contextlib.contextmanager
def _own_keras_names():
    """Keras numbers auto-named layers per process (input_layer, input_layer_1, …): count
    ours from zero and put the count back after, so that no other test's layer names
    depend on whether this file ran first."""
    from keras.src.backend.common import global_state
    saved = global_state.get_global_attribute("object_name_uids")
    global_state.set_global_attribute("object_name_uids", collections.defaultdict(int))
    try:
        yield
    finally:
        global_state.set_global_attribute("object_name_uids", saved)


@pytest.fixture(scope="session")
def kmodels(tmp_path_factory):
    """{fmt: path} for the functional model (seed 1) and a same-architecture target
    (seed 2), the LSTM Sequential, and {path: value} of each one's weights."""
    pytest.importorskip("tensorflow")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    with _own_keras_names():
        return _make_models(tmp_path_factory.mktemp("keras"))


def _make_models(d):
    import keras
    model = _functional(keras, 1)
    out = {"keras": d / "m.keras", "h5": d / "m.h5", "weights": d / "m.weights.h5",
           "target_keras": d / "target.keras", "target_h5": d / "target.h5",
           "lstm_keras": d / "lstm.keras", "lstm_weights": d / "lstm.weights.h5"}
    model.save(out["keras"])
    model.save(out["h5"])
    model.save_weights(out["weights"])
    out["values"] = {v.path: np.array(v.numpy()) for v in model.weights}
    out["paths"] = [v.path for v in model.weights]
    target = _functional(keras, 2)
    target.save(out["target_keras"])
    target.save(out["target_h5"])
    out["target_values"] = {v.path: np.array(v.numpy()) for v in target.weights}
    lstm = keras.Sequential([keras.Input((5, 4)), keras.layers.LSTM(3, name="lstm"),
                             keras.layers.Dense(2, name="out")], name="seq")
    lstm.save(out["lstm_keras"])
    lstm.save_weights(out["lstm_weights"])
    # Keras prefixes a Sequential's paths with its own name (seq/lstm/…); pbscope names by layer
    out["lstm_values"] = {v.path.removeprefix("seq/"): np.array(v.numpy()) for v in lstm.weights}
    return out


# -- names, shapes, values, layers --------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_weights_are_named_as_keras_names_them(kmodels, fmt):
    g = open_model(kmodels[fmt])
    names = [w.var_name for w in g.weights]
    if fmt == "weights":   # a weights file lists its layers' groups alphabetically
        assert sorted(names) == sorted(kmodels["paths"])
    else:
        assert names == kmodels["paths"]
    assert g.extra_weights == []
    for w in g.weights:
        want = kmodels["values"][w.var_name]
        assert w.shape == want.shape and w.dtype_name == "float32" and w.key == w.var_name + ":0"
        np.testing.assert_array_equal(w.array(), want)
        assert g.get(w.name).type == "Variable"
        parent = g.get(w.name.rpartition("/")[0])
        assert parent is not None and parent.type in ("Conv2D", "BatchNormalization", "DepthwiseConv2D", "Dense")
    assert {w.var_name for w in g.weights if not w.trainable} == {"bn/moving_mean", "bn/moving_variance"}


@pytest.mark.parametrize("fmt", ("keras", "h5"))
def test_layers_are_ops_with_the_layer_graph(kmodels, fmt):
    g = open_model(kmodels[fmt])
    layers = {op.name: op for op in g.ops if op.type != "Variable"}
    assert {k: op.input_ops for k, op in layers.items()} == LAYER_GRAPH
    assert layers["head"].type == "Sequential" and layers["add"].type == "Add"
    assert layers["cat"].type == "Concatenate" and layers["image"].type == "InputLayer"
    assert sorted(op.name for op, _ in g.op("bn").consumers) == ["branch_a", "branch_b", "cat"]
    assert [op.name for op in g.inputs] == ["image"]
    assert g.op("head/dense").attrs["units"] == 6
    assert g.op("image").attrs["shape"] == [-1, 8, 8, 3]
    assert [s.name for s in g.root.find("head").rows] == ["input_layer", "dense", "dense_1"]
    assert g.root.find("head").weight_count == 4


def test_lstm_cell_and_sequential(kmodels):
    for fmt in ("lstm_keras", "lstm_weights"):
        g = open_model(kmodels[fmt])
        assert {w.var_name for w in g.weights} == set(kmodels["lstm_values"])
        for w in g.weights:
            np.testing.assert_array_equal(w.array(), kmodels["lstm_values"][w.var_name])
    g = open_model(kmodels["lstm_keras"])
    assert g.op("out").input_ops == ["lstm"] and g.op("lstm").input_ops == [g.inputs[0].name]


def test_values_are_read_lazily_and_the_file_is_untouched(kmodels, monkeypatch):
    calls = []
    real = H5Source.read
    monkeypatch.setattr(H5Source, "read", lambda self, *a: calls.append(a[0]) or real(self, *a))
    before = {f: Path(kmodels[f]).read_bytes() for f in FORMATS}
    g = open_model(kmodels["keras"])
    cli.main(["info", str(kmodels["h5"])])
    assert calls == []
    g.find_weight("conv/kernel").array()
    assert calls == ["layers/conv2d/vars/0"]
    assert {f: Path(kmodels[f]).read_bytes() for f in FORMATS} == before


def test_recompressed_keras_archive(kmodels, tmp_path):
    """A .keras zipped again with deflate: its weights file is unpacked, then read by h5py."""
    p = tmp_path / "deflated.keras"
    with zipfile.ZipFile(kmodels["keras"]) as z, zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as out:
        for name in z.namelist():
            out.writestr(name, z.read(name))
    g = open_model(p)
    assert {w.var_name: w.array().tolist() for w in g.weights} == \
        {k: v.tolist() for k, v in kmodels["values"].items()}


def test_export_round_trips_values(kmodels, tmp_path):
    g = open_model(kmodels["keras"])
    for fmt in ("pkl", "npz", "safetensors", "npy"):
        out = tmp_path / f"w.{fmt}"
        export_weights(g.weights, out, fmt=fmt)
        back = open_model(out)
        assert {w.key: w.array().tolist() for w in back.weights} == \
            {k + ":0": v.tolist() for k, v in kmodels["values"].items()}


def test_cli_diff_h5_against_keras_and_show(kmodels, capsys):
    assert cli.main(["diff", str(kmodels["h5"]), str(kmodels["keras"]), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["only_a"] == d["only_b"] == d["mismatched"] == []
    assert len(d["common"]) == 14 and all(c["equal"] for c in d["common"])
    assert cli.main(["show", str(kmodels["weights"]), "head/dense/bias"]) == 0
    assert "shape   [6]" in capsys.readouterr().out


@pytest.mark.parametrize("source, target", [("h5", "target_keras"), ("weights", "target_h5"),
                                            ("keras", "target_h5")])
def test_restore_as_source_matches_every_variable(kmodels, tmp_path, source, target):
    import keras
    from pbscope.core.restore import apply_restore, plan_restore
    plan = plan_restore(open_model(kmodels[source]), str(kmodels[target]))
    assert plan.counts["matched"] == 14 and plan.unused == [] and plan.strict_ok
    out = tmp_path / "restored.keras"
    apply_restore(plan, out)
    got = {v.path: v.numpy() for v in keras.saving.load_model(out, compile=False).weights}
    want = list(kmodels["values"].values())     # same layer order, whatever the paths
    assert len(got) == len(want)
    for g, w in zip(got.values(), want):
        np.testing.assert_array_equal(g, w)


def test_opening_never_imports_tensorflow_or_keras(kmodels):
    code = (PRELUDE + "import sys; from pbscope.core.formats import open_model; "
            "[open_model(p).weights[0].array() for p in sys.argv[1:]]")
    r = subprocess.run([sys.executable, "-X", "importtime", "-c", code,
                        *(str(kmodels[f]) for f in FORMATS)], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-2000:]
    imported = {line.split("|")[-1].strip() for line in r.stderr.splitlines() if "|" in line}
    assert "h5py" in imported
    assert not any(m.split(".")[0] in ("tensorflow", "keras", "tf_keras") for m in imported)


def test_a_model_still_open_at_exit_exits_cleanly(kmodels):
    """h5py reads a .keras member through a Python file object; one still open when the
    interpreter ends must be closed before it, or HDF5's exit handler crashes (code 139)."""
    code = (PRELUDE + "import ctypes, sys; from pbscope.core.formats import open_model; "
            "kept = [open_model(p) for p in sys.argv[1:]]; [g.weights[0].array() for g in kept]; "
            "ctypes.pythonapi.Py_IncRef(ctypes.py_object(kept))")   # never freed, as a Qt-held graph
    r = subprocess.run([sys.executable, "-c", code, *(str(kmodels[f]) for f in FORMATS),
                        str(kmodels["lstm_keras"])], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-2000:]


# -- Keras 2 .h5 files written here with h5py, as Keras 2 wrote them (no Keras) -------------

KERAS2_CONFIG = {"class_name": "Sequential", "config": {"name": "seq", "layers": [
    {"class_name": "InputLayer", "config": {"name": "in", "batch_input_shape": [None, 4], "dtype": "float32"}},
    {"class_name": "Dense", "config": {"name": "dense_2", "units": 3, "activation": "relu", "use_bias": True}},
    {"class_name": "Dense", "config": {"name": "dense_3", "units": 1, "activation": "linear", "use_bias": True}}]}}


def _keras2_values():
    rng = np.random.default_rng(4)
    return {"dense_2/kernel": rng.standard_normal((4, 3)).astype(np.float32),
            "dense_2/bias": np.array([0.5, -1, 2], np.float32),
            "dense_3/kernel": rng.standard_normal((3, 1)).astype(np.float32),
            "dense_3/bias": np.array([7.0], np.float32)}


def _write_keras2_layers(group, values, stored_as=lambda layer: layer):
    """Keras 2's layout: layer_names on the group, weight_names on each layer's group,
    the datasets at <layer>/<stored name>:0 (Keras 2.x named them after the tf variable)."""
    layers = ["in", "dense_2", "dense_3"]
    group.attrs["layer_names"] = np.array([n.encode() for n in layers])
    group.attrs["backend"] = b"tensorflow"
    group.attrs["keras_version"] = b"2.4.0"
    for layer in layers:
        g = group.create_group(layer)
        names = [f"{stored_as(layer)}/{k.split('/')[1]}:0" for k in values if k.startswith(layer + "/")]
        g.attrs["weight_names"] = np.array([n.encode() for n in names])
        for name in names:
            g[name] = values[f"{layer}/{name.split('/')[1][:-2]}"]


def test_keras2_full_model_h5_written_with_h5py(tmp_path):
    import h5py
    values = _keras2_values()
    path = tmp_path / "keras2.h5"
    with h5py.File(path, "w") as f:
        f.attrs["model_config"] = json.dumps(KERAS2_CONFIG).encode()
        f.attrs["keras_version"] = b"2.4.0"
        f.attrs["backend"] = b"tensorflow"
        _write_keras2_layers(f.create_group("model_weights"), values)
    g = open_model(path)
    assert [(op.name, op.type) for op in g.ops if op.type == "Dense"] == [("dense_2", "Dense"), ("dense_3", "Dense")]
    assert [w.var_name for w in g.weights] == list(values)
    for w in g.weights:
        assert w.dtype.name == "float32" and w.shape == values[w.var_name].shape
        np.testing.assert_array_equal(w.array(), values[w.var_name])
    assert g.params == 4 * 3 + 3 + 3 + 1


def test_keras2_weights_only_h5_written_with_h5py(tmp_path):
    """save_weights at the root, the variables stored under other names (dense_2_1/kernel:0,
    as a model built twice in one session left them): named by layer, raw_key kept."""
    import h5py
    values = _keras2_values()
    path = tmp_path / "weights.h5"
    with h5py.File(path, "w") as f:
        _write_keras2_layers(f, values, stored_as=lambda layer: layer + "_1")
    g = open_model(path)
    assert [w.var_name for w in g.weights] == list(values)
    assert g.weights[0].raw_key == "dense_2_1/kernel"
    assert g.op("dense_2").type == "Dense"
    for w in g.weights:
        np.testing.assert_array_equal(w.array(), values[w.var_name])


# -- the corpus -------------------------------------------------------------------------

@pytest.mark.skipif(not corpus.HERE, reason=corpus.SKIP_REASON)
@pytest.mark.parametrize("row", corpus.rows("keras-"), ids=lambda r: r["path"])
def test_corpus_keras_files(row):
    path = corpus.CORPUS / row["path"]
    if "MALICIOUS" in row["note"]:
        with pytest.raises(PbscopeError, match=r"pickled Python objects \(4 of 4 entries\); pbscope never unpickles") \
                as e:
            open_model(path)
        assert "\n" not in str(e.value)
        return
    g = open_model(path)
    m = re.search(r"independent read: weights (\d+), params (\d+)", row["note"])
    assert (len(g.weights), g.params) == (int(m.group(1)), int(m.group(2)))
    for w in g.weights + g.extra_weights:
        assert w.array().shape == w.shape


@pytest.mark.skipif(not corpus.HERE, reason=corpus.SKIP_REASON)
def test_corpus_keras2_and_bare_weights_names():
    g = open_model(corpus.CORPUS / "dl_buch_2020/Quellcode/chap_6/addition_weights.h5")
    assert [w.var_name for w in g.weights] == ["dense_2/kernel", "dense_2/bias", "dense_3/kernel", "dense_3/bias"]
    assert g.weights[0].raw_key == "dense_2_1/kernel" and g.op("dense_2").type == "Dense"
    g = open_model(corpus.CORPUS / "aimed_digits/model.weights.h5")
    assert [w.var_name for w in g.weights][:2] == ["dense/kernel", "dense/bias"]
    assert g.op("dense").type == "Dense" and len(g.extra_weights) == 14
    assert all(w.rule == "optimizer" and not w.trainable for w in g.extra_weights)


# -- bad input: one line, or a weight marked unavailable ---------------------------------

def _edit_h5(src, dst, edit):
    import shutil
    import h5py
    shutil.copyfile(src, dst)
    with h5py.File(dst, "a") as f:
        edit(f)
    return dst


def _one_line_error(capsys, *args) -> str:
    assert cli.main(list(args)) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    return err


def test_config_naming_missing_datasets(kmodels, tmp_path, capsys):
    p = _edit_h5(kmodels["h5"], tmp_path / "missing.h5", lambda f: f.__delitem__("model_weights/conv/conv/kernel"))
    g = open_model(p)
    w = g.find_weight("conv/kernel")
    assert not w.available and "no such dataset" in w.error
    np.testing.assert_array_equal(g.find_weight("conv/bias").array(), kmodels["values"]["conv/bias"])
    assert "conv/kernel" in _one_line_error(capsys, "export", str(p), "-o", str(tmp_path / "w.npz"))
    assert not (tmp_path / "w.npz").exists()


def test_keras_archive_missing_a_layer_group(kmodels, tmp_path):
    import h5py
    p = tmp_path / "gap.keras"
    with zipfile.ZipFile(kmodels["keras"]) as z, zipfile.ZipFile(p, "w") as out:
        for name in z.namelist():
            data = z.read(name)
            if name == "model.weights.h5":
                h = tmp_path / "w.h5"
                h.write_bytes(data)
                with h5py.File(h, "a") as f:
                    del f["layers/sequential/layers/dense_1"]
                data = h.read_bytes()
            out.writestr(name, data)
    g = open_model(p)
    bad = sorted(w.var_name for w in g.weights if not w.available)
    assert bad == ["head/dense_1/bias", "head/dense_1/kernel"]
    assert "no group for its layer" in g.find_weight("head/dense_1/kernel").error


def test_dataset_shape_disagreeing_with_the_config(kmodels, tmp_path):
    def edit(f):
        del f["model_weights/head/head/dense/kernel"]
        f["model_weights/head/head/dense/kernel"] = np.zeros((8, 5), np.float32)
    g = open_model(_edit_h5(kmodels["h5"], tmp_path / "shape.h5", edit))
    w = g.find_weight("head/dense/kernel")
    assert not w.available and "units=6" in w.error
    with pytest.raises(PbscopeError, match="units=6"):
        w.array()


def test_dataset_claiming_values_it_does_not_store(kmodels, tmp_path):
    def edit(f):
        del f["model_weights/conv/conv/kernel"]
        f.create_dataset("model_weights/conv/conv/kernel", shape=(3, 3, 3, 4), dtype="f4", chunks=True)
    w = open_model(_edit_h5(kmodels["h5"], tmp_path / "empty.h5", edit)).find_weight("conv/kernel")
    assert w.error == "the file stores no values for it"


def test_truncated_h5(kmodels, tmp_path, capsys):
    p = tmp_path / "cut.h5"
    p.write_bytes(Path(kmodels["h5"]).read_bytes()[:3000])
    err = _one_line_error(capsys, "info", str(p))
    assert err.startswith(f"pbscope: error: {p}: ") and "HDF5" in err


@pytest.mark.parametrize("members, why", [({"a.txt": b"x", "b.weights.h5": b"y"}, "no config.json"),
                                          ({"config.json": b"{}", "x.bin": b""}, "no model.weights.h5"),
                                          ({"config.json": b"[1, 2]", "model.weights.h5": b"x"},
                                           "not a Keras model")])
def test_zips_that_are_not_keras_archives(tmp_path, capsys, members, why):
    p = tmp_path / "x.keras"
    with zipfile.ZipFile(p, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    assert why in _one_line_error(capsys, "ls", str(p))


def test_hdf5_that_is_no_keras_model(tmp_path, capsys):
    import h5py
    p = tmp_path / "plain.h5"
    with h5py.File(p, "w") as f:
        f["x"] = np.zeros(3)
    assert "not a Keras model" in _one_line_error(capsys, "info", str(p))
    with h5py.File(p, "a") as f:
        f.attrs["model_config"] = '{"class_name": "Dense", "config": {}}'
    assert "not a model with layers" in _one_line_error(capsys, "info", str(p))


def test_mutated_configs_give_one_line_or_open(kmodels, tmp_path):
    """Values of the wrong type anywhere in config.json: never anything but PbscopeError,
    also when the opened graph's attrs, inputs and weights are used."""
    import copy
    import json as _json
    import random
    with zipfile.ZipFile(kmodels["keras"]) as z:
        cfg, weights = _json.loads(z.read("config.json")), z.read("model.weights.h5")
    rng = random.Random(7)
    junk = [None, -5, 2.5, "x", [], {}, [1, 2], True, "image", ["conv", 0, 0], 10**30, {"a": [1]}]
    p = tmp_path / "mutant.keras"
    for _ in range(60):
        c = copy.deepcopy(cfg)
        for _ in range(rng.randint(1, 4)):
            spots = [n for n in _containers(c) if n]
            n = rng.choice(spots)
            n[rng.choice(list(n)) if isinstance(n, dict) else rng.randrange(len(n))] = rng.choice(junk)
        with zipfile.ZipFile(p, "w") as z:
            z.writestr("config.json", _json.dumps(c))
            z.writestr("model.weights.h5", weights)
        try:
            g = open_model(p)
            for op in g.ops:
                op.attrs, op.consumers
            g.root, g.inputs, g.outputs
            for w in g.weights:
                if w.available:
                    w.array()
        except PbscopeError as e:
            assert "\n" not in str(e)


def _containers(x):
    out = [x] if isinstance(x, (dict, list)) else []
    for v in (x.values() if isinstance(x, dict) else x if isinstance(x, list) else ()):
        out += _containers(v)
    return out
