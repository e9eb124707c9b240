"""The TF.js reader: layers and graph models written here from the documented format
(model.json + binary shards), quantized weights, shards cut through weights, the corpus's
real files, and every way a model.json and its shards can be wrong."""
from __future__ import annotations

import json
import pickle
import subprocess
from pathlib import Path

import numpy as np
from tests.fixtures import corpus
import pytest

from pbscope.core import cli
from pbscope.core.diff import diff
from pbscope.core.errors import PbscopeError
from pbscope.core.export import export_weights
from pbscope.core.formats import detect, open_model, tfjs
from tests.procs import PBSCOPE

ROOT = Path(__file__).resolve().parents[3]


# -- writing TF.js files, as the converter and tfjs.io do ------------------------------------

def quantize(a: np.ndarray, how: str):
    """(stored bytes, quantization dict, real values) the way tfjs-converter quantizes."""
    if how == "float16":
        q = a.astype("<f2")
        return q.tobytes(), {"dtype": "float16"}, q.astype(np.float32)
    levels, dt = {"uint8": (255, "|u1"), "uint16": (65535, "<u2")}[how]
    lo, hi = float(a.min()), float(a.max())
    scale = (hi - lo) / levels or 1.0
    q = np.round((a - lo) / scale).astype(dt)
    real = q.astype(np.float32) * np.float32(scale) + np.float32(lo)
    return q.tobytes(), {"dtype": how, "min": lo, "scale": scale}, real


def write_tfjs(folder: Path, topology, weights: dict[str, np.ndarray], *, fmt: str | None = None,
               quant: dict[str, str] | None = None, shard_bytes: int = 4 << 20, extra: dict | None = None):
    """model.json + group1-shardKofN files; returns {name: real values}."""
    folder.mkdir(parents=True, exist_ok=True)
    entries, blob, real = [], bytearray(), {}
    for name, a in weights.items():
        how = (quant or {}).get(name)
        entry = {"name": name, "shape": list(a.shape), "dtype": str(a.dtype)}
        if how:
            data, entry["quantization"], real[name] = quantize(a, how)
        else:
            data, real[name] = np.ascontiguousarray(a).tobytes(), a
        blob += data
        entries.append(entry)
    n = max(1, -(-len(blob) // shard_bytes))
    paths = [f"group1-shard{i + 1}of{n}.bin" for i in range(n)]
    for i, p in enumerate(paths):
        (folder / p).write_bytes(bytes(blob[i * shard_bytes:(i + 1) * shard_bytes]))
    doc = {"modelTopology": topology, "weightsManifest": [{"paths": paths, "weights": entries}]}
    if fmt:
        doc["format"] = fmt
    doc.update(extra or {})
    (folder / "model.json").write_text(json.dumps(doc))
    return real


def keras2_topology():
    """An old (no "format" key) Keras 2 functional model: a branch, and a nested Sequential
    whose weights are named after its layers only (Keras 2's ``d1/kernel``)."""
    def node(*names):
        return [[[n, 0, 0, {}] for n in names]]
    layers = [
        {"class_name": "InputLayer", "name": "x", "config": {"name": "x", "batch_input_shape": [None, 4]},
         "inbound_nodes": []},
        {"class_name": "Dense", "name": "a", "config": {"name": "a", "units": 3, "activation": "relu"},
         "inbound_nodes": node("x")},
        {"class_name": "Sequential", "name": "inner", "config": {"name": "inner", "layers": [
            {"class_name": "Dense", "config": {"name": "d1", "units": 3}}]},
         "inbound_nodes": node("x")},
        {"class_name": "Add", "name": "add", "config": {"name": "add"}, "inbound_nodes": node("a", "inner")},
    ]
    return {"keras_version": "2.2.4", "backend": "tensorflow",
            "model_config": {"class_name": "Model", "config": {
                "name": "m", "layers": layers, "input_layers": [["x", 0, 0]], "output_layers": [["add", 0, 0]]}}}


def keras2_weights():
    rng = np.random.default_rng(0)
    return {"a/kernel": rng.standard_normal((4, 3)).astype(np.float32),
            "a/bias": rng.standard_normal(3).astype(np.float32),
            "d1/kernel": rng.standard_normal((4, 3)).astype(np.float32),
            "d1/bias": np.arange(3, dtype=np.float32)}


@pytest.fixture
def small(tmp_path) -> tuple[Path, dict]:
    """A Keras 2 layers model in 3 shards of 50 bytes (weights cut across them)."""
    real = write_tfjs(tmp_path / "m", keras2_topology(), keras2_weights(), shard_bytes=50)
    return tmp_path / "m" / "model.json", real


@pytest.fixture(scope="session")
def keras_model(tmp_path_factory):
    """A Keras 3 functional model (a branch, a nested Sequential, batch norm) written as a
    TF.js layers model in 1 KB shards, with uint8, uint16 and float16 weights; also saved
    as .keras for restore."""
    pytest.importorskip("tensorflow")
    from pbscope.core.tfimport import import_tensorflow
    import_tensorflow("making Keras models")
    import keras
    keras.utils.set_random_seed(1)
    inner = keras.Sequential([keras.Input((12,), name="inner_in"),
                              keras.layers.Dense(16, activation="relu", name="d1"),
                              keras.layers.Dense(8, name="d2")], name="inner")
    x = keras.Input((12,), name="x")
    a = keras.layers.Dense(8, name="a")(x)
    c = keras.layers.Add(name="add")([a, inner(x)])
    out = keras.layers.BatchNormalization(name="bn")(c)
    model = keras.Model(x, out, name="outer")
    model.get_layer("bn").set_weights([np.linspace(0.5, 2, 8, dtype=np.float32)] * 2 + [
        np.linspace(-1, 1, 8, dtype=np.float32), np.linspace(1, 3, 8, dtype=np.float32)])
    folder = tmp_path_factory.mktemp("tfjs_keras")
    weights = {w.path: w.numpy() for w in model.weights}
    quant = {"a/kernel": "uint8", "inner/d1/kernel": "uint16", "bn/gamma": "float16"}
    topology = {"class_name": "Functional", "config": model.get_config(), "keras_version": keras.__version__}
    real = write_tfjs(folder / "tfjs", topology, weights, fmt="layers-model", quant=quant, shard_bytes=1024)
    model.save(folder / "model.keras")
    return {"json": folder / "tfjs" / "model.json", "keras": folder / "model.keras", "weights": weights,
            "real": real, "quant": quant}


@pytest.fixture(scope="session")
def graph_model(tmp_path_factory):
    """A frozen TF2 GraphDef written as a TF.js graph model: Const values moved to shards
    (one of them uint8), the nodes keeping dtype and shape only."""
    pytest.importorskip("tensorflow")
    from pbscope.core.tfimport import import_tensorflow
    tf = import_tensorflow("making a graph model")
    from google.protobuf import json_format
    from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2

    w = tf.Variable(np.arange(24, dtype=np.float32).reshape(4, 6) / 10, name="w")
    b = tf.Variable(np.linspace(-1, 1, 6, dtype=np.float32), name="b")

    @tf.function(input_signature=[tf.TensorSpec([None, 4], tf.float32, name="x")])
    def f(x):
        return tf.nn.relu(tf.matmul(x, w) + b)

    gd = convert_variables_to_constants_v2(f.get_concrete_function()).graph.as_graph_def()
    topology = json_format.MessageToDict(gd)
    values = {}
    for n in topology["node"]:
        if n["op"] == "Const":
            t = n["attr"]["value"]["tensor"]
            values[n["name"]] = tf.make_ndarray(next(x for x in gd.node if x.name == n["name"]).attr["value"].tensor)
            n["attr"]["value"]["tensor"] = {"dtype": t["dtype"], "tensorShape": t.get("tensorShape", {})}
    kernel = next(k for k, v in values.items() if v.shape == (4, 6))
    folder = tmp_path_factory.mktemp("tfjs_graph")
    real = write_tfjs(folder, topology, values, fmt="graph-model", quant={kernel: "uint8"}, shard_bytes=64,
                      extra={"signature": {"inputs": {"x:0": {"name": "x:0", "dtype": "DT_FLOAT"}}}})
    return {"json": folder / "model.json", "gd": gd, "values": values, "real": real, "kernel": kernel}


# -- layers models ---------------------------------------------------------------------------

def test_layers_model_keras3_names_inputs_values(keras_model):
    g = open_model(keras_model["json"])
    assert g.format == "TF.js layers model"
    assert [w.var_name for w in g.weights] == list(keras_model["weights"])
    assert [w.key for w in g.weights] == [k + ":0" for k in keras_model["weights"]]
    for w in g.weights:
        want = keras_model["weights"][w.var_name]
        assert w.shape == want.shape and w.dtype_name == "float32"
        a = w.array()
        assert a.dtype == np.float32
        np.testing.assert_array_equal(a, keras_model["real"][w.var_name])
        if w.var_name not in keras_model["quant"]:
            np.testing.assert_array_equal(a, want)
    # layers are ops of their class, inputs from the inbound nodes, nested model a scope
    # (and an op, as the Keras reader shows it), each weight an op under its layer
    op = g.op
    assert op("a").type == "Dense" and op("a").inputs == ["x"]
    assert op("inner").type == "Sequential" and op("inner").inputs == ["x"]
    assert op("inner/inner_in").inputs == ["x"]
    assert op("inner/d1").inputs == ["inner/inner_in"]
    assert op("inner/d1/kernel").type == "Variable"
    assert op("add").type == "Add" and op("add").inputs == ["a", "inner"]
    assert op("bn").inputs == ["add"]
    assert [o.name for o in g.outputs] == ["inner/d2", "bn"]    # the nested model's output feeds "inner"
    assert g.root.find("inner").op_count == 8
    assert op("a").attrs["units"] == 8
    assert not g.weight_of("bn/moving_mean").trainable


def test_quantized_weights_are_real_values_with_the_stored_form_recorded(keras_model):
    g = open_model(keras_model["json"])
    for name, how in keras_model["quant"].items():
        w = g.find_weight(name)
        assert w.quant is not None and w.quant.applied and how in w.quant.note
        a = w.array()
        assert w.array(dequantize=True) is not None
        np.testing.assert_array_equal(w.array(dequantize=True), a)   # never applied twice
        original = keras_model["weights"][name]
        step = float(np.ptp(original)) / (255 if how == "uint8" else 65535) if how != "float16" else 1e-3
        np.testing.assert_allclose(a, original, atol=step, rtol=1e-3)
    w = g.find_weight("a/kernel")
    lo, scale = float(w.quant.zero_point) * -float(w.quant.scale), float(w.quant.scale)
    assert lo == pytest.approx(float(keras_model["weights"]["a/kernel"].min()), rel=1e-5)
    assert scale == pytest.approx(float(np.ptp(keras_model["weights"]["a/kernel"])) / 255, rel=1e-5)


def test_keras2_layers_model_without_format_key(small):
    path, real = small
    g = open_model(path)
    assert [op.name for op in g.ops] == ["x", "a", "a/kernel", "a/bias", "inner", "inner/d1",
                                         "inner/d1/kernel", "inner/d1/bias", "add"]
    assert [w.key for w in g.weights] == ["a/kernel:0", "a/bias:0", "d1/kernel:0", "d1/bias:0"]
    assert g.op("inner/d1").inputs == ["x"]
    assert g.op("add").inputs == ["a", "inner"]
    for w in g.weights:    # 3 shards of 50 bytes: two weights span two
        np.testing.assert_array_equal(w.array(), real[w.var_name])


def test_sequential_config_as_a_list_chains_layers(tmp_path):
    topology = {"class_name": "Sequential", "config": [
        {"class_name": "Dense", "config": {"name": "h", "units": 2, "batch_input_shape": [None, 2]}},
        {"class_name": "Dropout", "config": {"name": "drop", "rate": 0.5}},
        {"class_name": "Dense", "config": {"name": "out", "units": 1}}]}
    real = write_tfjs(tmp_path, topology, {"h/kernel": np.eye(2, dtype=np.float32),
                                           "out/kernel": np.ones((2, 1), np.float32)}, fmt="layers-model")
    g = open_model(tmp_path / "model.json")
    assert [op.inputs for op in g.ops if op.type != "Variable"] == [[], ["h"], ["drop"]]
    np.testing.assert_array_equal(g.find_weight("out/kernel:0").array(), real["out/kernel"])


def test_a_shard_opens_its_model(small):
    path, _ = small
    shard = path.parent / "group1-shard2of3.bin"
    assert detect(shard).name == "tfjs-shard"
    g = open_model(shard)
    assert g.path == str(path) and len(g.weights) == 4
    assert any("group1-shard2of3.bin" in n for n in g.notes)


# -- graph models ----------------------------------------------------------------------------

def graph_topology():
    """A GraphDef in JSON as tfjs-converter writes it: x → MatMul(dense/kernel) → BiasAdd
    (dense/bias) → Relu, the Consts keeping only dtype and shape (values in the shards)."""
    def const(name, shape, dtype="DT_FLOAT"):
        dims = {"dim": [{"size": str(d)} for d in shape]}
        return {"name": name, "op": "Const", "attr": {"dtype": {"type": dtype},
                "value": {"tensor": {"dtype": dtype, "tensorShape": dims}}}}
    return {"node": [
        {"name": "x", "op": "Placeholder", "attr": {"dtype": {"type": "DT_FLOAT"},
                                                    "shape": {"shape": {"dim": [{"size": "-1"}, {"size": "3"}]}}}},
        const("dense/kernel", (3, 2)), const("dense/bias", (2,)), const("steps", (), "DT_INT32"),
        {"name": "dense/MatMul", "op": "MatMul", "input": ["x", "dense/kernel"], "attr": {"T": {"type": "DT_FLOAT"}}},
        {"name": "dense/BiasAdd", "op": "BiasAdd", "input": ["dense/MatMul", "dense/bias"]},
        {"name": "Identity", "op": "Relu", "input": ["dense/BiasAdd"]},
    ], "versions": {"producer": 1882}}


@pytest.fixture
def small_graph(tmp_path) -> tuple[Path, dict]:
    """A graph model written here without TensorFlow, its weights in 3 shards of 16 bytes (cut through a weight)."""
    weights = {"dense/kernel": np.arange(6, dtype=np.float32).reshape(3, 2) / 4,
               "dense/bias": np.array([-1.5, 2.0], np.float32), "steps": np.array(7, np.int32)}
    real = write_tfjs(tmp_path / "g", graph_topology(), weights, fmt="graph-model", shard_bytes=16)
    return tmp_path / "g" / "model.json", real


def test_handwritten_graph_model_ops_shapes_dtypes_values(small_graph):
    path, real = small_graph
    assert detect(path).name == "json" and detect(path.parent).name == "json"
    assert detect(path.parent / "group1-shard2of3.bin").name == "tfjs-shard"
    g = open_model(path)
    assert g.format == "TF.js graph model"
    assert [(op.name, op.type, op.raw_inputs) for op in g.ops] == [
        ("x", "Placeholder", ()), ("dense/kernel", "Const", ()), ("dense/bias", "Const", ()),
        ("steps", "Const", ()), ("dense/MatMul", "MatMul", ("x", "dense/kernel")),
        ("dense/BiasAdd", "BiasAdd", ("dense/MatMul", "dense/bias")), ("Identity", "Relu", ("dense/BiasAdd",))]
    consts = {c.name: c for c in g.constants}
    assert set(consts) == {"dense/kernel", "dense/bias", "steps"}
    for name, c in consts.items():
        a = c.array()
        assert a.dtype == real[name].dtype and a.shape == real[name].shape == tuple(c.shape)
        np.testing.assert_array_equal(a, real[name])
    assert {w.name for w in g.weights} >= {"dense/kernel", "dense/bias"}
    assert g.find_weight("dense/kernel").dtype.name == "float32"
    assert g.find_weight("dense/kernel").role == "kernel"


def test_graph_model_is_the_graphdef_with_values_from_the_shards(graph_model):
    g = open_model(graph_model["json"])
    gd = graph_model["gd"]
    assert g.format == "TF.js graph model"
    assert [(op.name, op.type, op.raw_inputs) for op in g.ops] == \
        [(n.name, n.op, tuple(n.input)) for n in gd.node]
    consts = {c.name: c for c in g.constants}
    assert consts.keys() == graph_model["values"].keys()
    for name, c in consts.items():
        a = c.array()
        np.testing.assert_array_equal(a, graph_model["real"][name])
        if name != graph_model["kernel"]:
            np.testing.assert_array_equal(a, graph_model["values"][name])
    kernel = g.find_weight(graph_model["kernel"])
    assert kernel in g.weights and kernel.quant.note == "stored as uint8 (min/scale)"
    # named by the GraphDef rules (docs/weights.md), as the same graph in a .pb would be
    assert kernel.name == graph_model["kernel"] and kernel.raw_key == graph_model["kernel"]
    assert kernel.key == "kernel:0"
    matmul = next(op for op in g.ops if op.type == "MatMul")
    assert g.op(matmul.input_ops[1]).input_ops == [kernel.name]     # through its ReadVariableOp
    assert list(g.signatures["serving_default"]["inputs"]) == ["x:0"]


def test_export_round_trip_and_diff(graph_model, keras_model, tmp_path):
    for source in (graph_model["json"], keras_model["json"]):
        g = open_model(source)
        out = tmp_path / (source.parent.name + ".pkl")
        export_weights(g.weights, out)
        d = pickle.loads(out.read_bytes())
        assert list(d) == [w.key for w in g.weights]
        for w in g.weights:
            np.testing.assert_array_equal(d[w.key], w.array())
        report = diff(g, open_model(out))
        assert len(report.common) == len(g.weights) and all(d.equal for d in report.common)
        assert not report.only_a and not report.only_b and not report.mismatched


def test_cli_info_ls_show_export(keras_model, capsys, tmp_path):
    p = str(keras_model["json"])
    assert cli.main(["info", p, "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["format"] == "TF.js layers model" and info["weights"] == len(keras_model["weights"])
    assert cli.main(["ls", p, "--weights", "--json"]) == 0
    assert [r["key"] for r in json.loads(capsys.readouterr().out)] == [k + ":0" for k in keras_model["weights"]]
    assert cli.main(["show", p, "a/kernel:0", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["min"] == pytest.approx(float(keras_model["real"]["a/kernel"].min()))
    out = tmp_path / "w.npz"
    assert cli.main(["export", p, "-o", str(out)]) == 0
    with np.load(out) as z:
        for k, v in keras_model["real"].items():
            np.testing.assert_array_equal(z[k + ":0"], v)


def _stored_in_shards(model_json: Path) -> dict[str, np.ndarray]:
    """Each quantized weight's values straight from the shard bytes, at its manifest offset."""
    doc = json.loads(model_json.read_text())
    out = {}
    for group in doc["weightsManifest"]:
        blob = b"".join((model_json.parent / p).read_bytes() for p in group["paths"])
        offset = 0
        for e in group["weights"]:
            q = e.get("quantization")
            dt = np.dtype(tfjs.QUANTIZED[q["dtype"]] if q else e["dtype"])
            count = int(np.prod(e["shape"]))
            if q:
                out[e["name"]] = np.frombuffer(blob, dt, count, offset).reshape(e["shape"])
            offset += count * dt.itemsize
    return out


@pytest.mark.parametrize("fmt", ["npz", "safetensors", "pkl", "npy"])
def test_export_stored_writes_the_shard_bytes(keras_model, tmp_path, capsys, fmt):
    path = str(keras_model["json"])
    raw = _stored_in_shards(keras_model["json"])
    assert {k: v.dtype.name for k, v in raw.items()} == \
        {"a/kernel": "uint8", "inner/d1/kernel": "uint16", "bn/gamma": "float16"}
    got = {}
    for stored in (True, False):
        out = tmp_path / f"w{int(stored)}{'' if fmt == 'npy' else '.' + fmt}"
        assert cli.main(["export", path, "-o", str(out)] + ["--stored"] * stored) == 0
        got[stored] = _read_export(out, fmt)
    assert set(got[True]) == set(got[False]) == {k + ":0" for k in keras_model["weights"]}
    for name, real in keras_model["real"].items():
        default, stored = got[False][name + ":0"], got[True][name + ":0"]
        np.testing.assert_array_equal(default, real)        # the default stays dequantized
        if name in raw:
            assert stored.dtype == raw[name].dtype
            np.testing.assert_array_equal(stored, raw[name])
        else:                                               # not quantized: --stored changes nothing
            assert stored.dtype == default.dtype
            np.testing.assert_array_equal(stored, default)
    if fmt == "safetensors":    # the header declares the stored dtypes
        data = (tmp_path / "w1.safetensors").read_bytes()
        header = json.loads(data[8:8 + int.from_bytes(data[:8], "little")])
        assert {k: header[k + ":0"]["dtype"] for k in raw} == {"a/kernel": "U8", "inner/d1/kernel": "U16",
                                                                 "bn/gamma": "F16"}


def _read_export(out: Path, fmt: str) -> dict[str, np.ndarray]:
    if fmt == "pkl":
        return pickle.loads(out.read_bytes())
    if fmt == "npz":
        with np.load(out) as z:
            return {k: z[k] for k in z.files}
    if fmt == "npy":
        index = json.loads((out / "index.json").read_text())
        return {k: np.load(out / f) for k, f in index.items()}
    from safetensors.numpy import load_file
    return load_file(str(out))


def test_export_stored_and_dequantize_together_is_a_usage_error(keras_model, tmp_path, capsys):
    out = tmp_path / "w.npz"
    with pytest.raises(SystemExit) as e:
        cli.main(["export", str(keras_model["json"]), "-o", str(out), "--stored", "--dequantize"])
    assert e.value.code == 2 and not out.exists()
    err = capsys.readouterr().err
    assert err.strip().splitlines()[-1] == \
        "pbscope: error: argument --dequantize: not allowed with argument --stored"
    g = open_model(keras_model["json"])
    with pytest.raises(PbscopeError, match="not both"):
        export_weights(g.weights, out, stored=True, dequantize=True)


def test_restore_into_keras_from_tfjs(keras_model, tmp_path):
    import keras

    from pbscope.core.restore import apply_restore, plan_restore
    plan = plan_restore(open_model(keras_model["json"]), str(keras_model["keras"]))
    assert plan.strict_ok and len(plan.by_status("matched")) == len(keras_model["weights"])
    apply_restore(plan, tmp_path / "restored.keras")
    model = keras.saving.load_model(tmp_path / "restored.keras", compile=False)
    assert len(model.weights) == len(keras_model["real"])
    for v, want in zip(model.weights, keras_model["real"].values()):
        np.testing.assert_array_equal(v.numpy(), want)


def test_opening_never_imports_tensorflow(small, small_graph):
    graph_model = corpus.CORPUS / "pytraining/tensorflow/tfv2/mnist_to_browser/model/web_model2/model.json"
    runs = [("show", str(small[0]), "a/kernel"), ("show", str(small_graph[0]), "dense/kernel")]
    if graph_model.exists():
        runs.append(("show", str(graph_model), "StatefulPartitionedCall/model/conv2d/Conv2D/ReadVariableOp"))
    for argv in runs:
        r = subprocess.run([PBSCOPE[0], "-X", "importtime", *PBSCOPE[1:], *argv],
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        imported = {line.split("|")[-1].strip() for line in r.stderr.splitlines() if "|" in line}
        assert not any(m == "tensorflow" or m.startswith(("tensorflow.", "keras")) for m in imported)


# -- the corpus: real files nobody here wrote ------------------------------------------------

@pytest.mark.skipif(not corpus.HERE, reason=corpus.SKIP_REASON)
@pytest.mark.parametrize("row", corpus.rows("tfjs"), ids=lambda r: r["path"])
def test_corpus_tfjs_files_open(row):
    path = corpus.CORPUS / row["path"]
    g = open_model(path)
    model_json = path if path.name == "model.json" else path.parent / "model.json"
    assert g.path == str(model_json) or Path(g.path) == model_json.resolve()
    doc = json.loads(model_json.read_text())
    listed = [w["name"] for grp in doc["weightsManifest"] for w in grp["weights"]]
    everything = {w.var_name for w in g.weights} | {c.name for c in g.constants}
    assert set(listed) <= everything
    if row["path"].endswith("model.json"):    # the counts an independent read noted
        weights = int(row["note"].split("weights ")[1].split(",")[0])
        params = int(row["note"].split("params ")[1].split(",")[0])
        sizes = [int(np.prod(w["shape"], dtype=np.int64)) for grp in doc["weightsManifest"] for w in grp["weights"]]
        assert len(listed) == weights and sum(sizes) == params
    for w in g.weights:
        if w.available:
            assert w.array().shape == w.shape


@pytest.mark.skipif(not (corpus.CORPUS / "nsfwjs").exists(), reason=corpus.SKIP_REASON)
def test_corpus_uint8_values_and_missing_shard():
    folder = corpus.CORPUS / "nsfwjs" / "models" / "mobilenet_v2"
    g = open_model(folder / "model.json")
    doc = json.loads((folder / "model.json").read_text())
    first = doc["weightsManifest"][0]["weights"][0]
    q = np.frombuffer((folder / "group1-shard1of1").read_bytes(), np.uint8, int(np.prod(first["shape"])))
    want = q.astype(np.float32) * np.float32(first["quantization"]["scale"]) + np.float32(first["quantization"]["min"])
    np.testing.assert_array_equal(g.find_weight("Conv1/kernel").array().ravel(), want)
    assert g.op("Conv1").inputs == ["Conv1_pad"] and g.op("Conv1/kernel").type == "Variable"

    mid = open_model(corpus.CORPUS / "nsfwjs" / "models" / "mobilenet_v2_mid" / "model.json")
    lost = [w for w in mid.weights if not w.available]
    assert len(lost) == 104 and all("group1-shard1of2, which is missing" in w.error for w in lost)
    assert any("group1-shard1of2 is missing: 104 weights" in n for n in mid.notes)
    # the second shard's size is known, so the first one's follows: its weights read
    kept = [c for c in mid.constants if c.available]
    assert len(kept) == 4 and all(c.array().shape == c.shape for c in kept)


# -- bad input: one clear line each ----------------------------------------------------------

def one_line(capsys, *argv) -> str:
    assert cli.main(list(argv)) == 1
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err
    return err


def test_missing_shard_greys_its_weights(small, capsys):
    path, _ = small
    (path.parent / "group1-shard2of3.bin").unlink()
    g = open_model(path)     # only the middle shard is gone: its size follows from the others
    assert {w.var_name: w.available for w in g.weights} == \
        {"a/kernel": True, "a/bias": False, "d1/kernel": False, "d1/bias": True}
    err = one_line(capsys, "show", str(path), "a/bias")
    assert err.endswith("a/bias: its bytes are in the shard group1-shard2of3.bin, which is missing")
    assert "is missing" in one_line(capsys, "export", str(path), "-o", str(path.parent / "w.pkl"))
    (path.parent / "group1-shard3of3.bin").unlink()   # two gone: nothing after the first is placed
    g = open_model(path)
    assert [w.available for w in g.weights] == [True, False, False, False]
    assert "whose size is unknown" in g.weights[3].error


@pytest.mark.parametrize("change", ["short", "long"])
def test_shards_and_manifest_disagree(small, capsys, change):
    path, _ = small
    shard = path.parent / "group1-shard3of3.bin"
    data = shard.read_bytes()
    shard.write_bytes(data[:-4] if change == "short" else data + b"\0" * 4)
    g = open_model(path)
    assert not any(w.available for w in g.weights)
    assert any("no offset can be trusted" in n for n in g.notes)
    err = one_line(capsys, "show", str(path), "d1/bias")
    assert "the manifest's weights take 120 bytes, but their shards" in err and "hold" in err


def test_hostile_shapes_are_checked_before_any_allocation(small):
    path, _ = small
    doc = json.loads(path.read_text())
    doc["weightsManifest"][0]["weights"][0]["shape"] = [1 << 40, 1 << 40]
    path.write_text(json.dumps(doc))
    g = open_model(path)
    assert g.weights[0].shape == (1 << 40, 1 << 40) and not g.weights[0].available
    doc["weightsManifest"][0]["weights"][0]["shape"] = [4, 3]
    doc["weightsManifest"][0]["weights"][3]["shape"] = [3] + [1] * 40    # same bytes, too many dims
    path.write_text(json.dumps(doc))
    g = open_model(path)
    assert [w.available for w in g.weights] == [True, True, True, False]
    assert "dimensions" in g.weights[3].error


@pytest.mark.parametrize("text, fragment", [
    ('{"name": "not a model", "layers": []}', "a JSON file, but not a TF.js model"),
    ('{"modelTopology": {"class_name": "Model", "config"', "not valid JSON: Expecting"),
    ('{"weightsManifest": {"paths": []}}', "weightsManifest is not a list"),
    ('{"weightsManifest": [{"paths": ["x.bin"], "weights": [{"name": "w", "shape": [-1], "dtype": "float32"}]}]}',
     "the shape [-1] is not a list of sizes"),
    ('{"format": "graph-model", "modelTopology": {"node": [{"name": 3, "op": []}]}, "weightsManifest": []}',
     "modelTopology is not a valid GraphDef"),
    ('{"format": "layers-model", "modelTopology": {"class_name": "Model", "config": {"layers": [{}]}}}',
     "modelTopology is not a Keras model config: a layer in the config has no class_name"),
])
def test_bad_json_is_one_line(tmp_path, capsys, text, fragment):
    p = tmp_path / "model.json"
    p.write_text(text)
    err = one_line(capsys, "info", str(p))
    assert err.startswith(f"pbscope: error: {p}: ") and fragment in err


def test_json_over_the_cap_is_not_read(small, monkeypatch):
    path, _ = small
    monkeypatch.setattr(tfjs, "MAX_JSON", 100)
    with pytest.raises(PbscopeError, match="larger than the 0 MB pbscope reads"):
        open_model(path)


def test_weights_only_manifest_opens_as_tensors(tmp_path):
    real = write_tfjs(tmp_path, None, keras2_weights())
    doc = json.loads((tmp_path / "model.json").read_text())
    del doc["modelTopology"]
    (tmp_path / "model.json").write_text(json.dumps(doc))
    g = open_model(tmp_path / "model.json")
    assert g.format == "TF.js weights (no topology)" and {op.type for op in g.ops} == {"Tensor"}
    for w in g.weights:
        np.testing.assert_array_equal(w.array(), real[w.var_name])
