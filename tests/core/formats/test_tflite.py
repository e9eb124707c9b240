"""The TFLite reader, on models TensorFlow's TFLiteConverter makes (float, dynamic-range
int8, full-integer int8, float16, buffers stored past the flatbuffer), checked against
``tf.lite.Interpreter``; on the corpus's real .tflite files; and on damaged ones."""
from __future__ import annotations

import pickle
import struct
import subprocess
import sys
import tracemalloc
from pathlib import Path

import numpy as np
from tests.fixtures import corpus
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pbscope.core import cli
from pbscope.core.errors import PbscopeError
from pbscope.core.formats import detect, open_model
from pbscope.core.formats.tflite import clean_name
from pbscope.core.formats.tflite_schema import Model
from tests.procs import PBSCOPE, PRELUDE

ROOT = Path(__file__).resolve().parents[3]
KINDS = ("float", "dynamic", "int8", "fp16", "offset")
LOOP_W = np.arange(16, dtype=np.float32).reshape(4, 4) / 10
# the converter's and the deprecated Interpreter's notices
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def _make(folder: Path) -> dict[str, Path]:
    from pbscope.core.tfimport import import_tensorflow
    tf = import_tensorflow("making the TFLite test models")
    keras = tf.keras
    keras.utils.set_random_seed(0)
    inp = keras.Input((8, 8, 3), name="image")
    x = keras.layers.Conv2D(16, 3, padding="same", name="conv1")(inp)
    x = keras.layers.ReLU()(x)
    x = keras.layers.Conv2D(16, 3, name="conv2")(x)       # 2,304 weights: dynamic range quantizes it
    x = keras.layers.DepthwiseConv2D(3, name="dw")(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dense(32, activation="relu", name="fc1")(x)
    out = keras.layers.Dense(5, name="fc2")(x)
    model = keras.Model(inp, out)

    def representative():
        rng = np.random.default_rng(0)
        for _ in range(8):
            yield [rng.random((1, 8, 8, 3), dtype=np.float32)]

    paths = {}
    for kind in KINDS:
        c = tf.lite.TFLiteConverter.from_keras_model(model)
        if kind in ("dynamic", "int8", "fp16"):
            c.optimizations = [tf.lite.Optimize.DEFAULT]
        if kind == "int8":
            c.representative_dataset = representative
            c.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
            c.inference_input_type = c.inference_output_type = tf.int8
        if kind == "fp16":
            c.target_spec.supported_types = [tf.float16]
        if kind == "offset":
            c._experimental_use_buffer_offset = True     # how models over 2 GB store buffers
        paths[kind] = folder / f"{kind}.tflite"
        paths[kind].write_bytes(c.convert())

    @tf.function(input_signature=[tf.TensorSpec([1, 4], tf.float32)])
    def loop(x):    # a WHILE op: its condition and body are subgraphs of their own
        return tf.while_loop(lambda i, x: i < 3, lambda i, x: (i + 1, tf.matmul(x, LOOP_W)), (0, x))[1]
    c = tf.lite.TFLiteConverter.from_concrete_functions([loop.get_concrete_function()], loop)
    paths["loop"] = folder / "loop.tflite"
    paths["loop"].write_bytes(c.convert())
    return paths


@pytest.fixture(scope="session")
def tflite_models(tmp_path_factory):
    """{kind: path} of the converted models (KINDS, and "loop"), and {kind: details} from the
    Interpreter: {tensor name: (index, values or None, quantization parameters)}."""
    pytest.importorskip("tensorflow")
    paths = _make(tmp_path_factory.mktemp("tflite"))
    from pbscope.core.tfimport import import_tensorflow
    tf = import_tensorflow("making the TFLite test models")
    truth = {}
    for kind in KINDS:
        it = tf.lite.Interpreter(model_path=str(paths[kind]))
        details = {}
        for d in it.get_tensor_details():
            try:
                value = np.array(it.get_tensor(d["index"]))
            except ValueError:   # not a constant: no data before allocate_tensors()
                value = None
            details[d["name"]] = (d["index"], value, d["quantization_parameters"], d["dtype"])
        ops = [(o["op_name"], list(o["inputs"]), list(o["outputs"])) for o in it._get_ops_details()]
        truth[kind] = (details, ops)
    return paths, truth


def _tensor(w):
    return w.op.attrs["tensor"]


def _consts(details):
    return {name: v for name, v in details.items() if v[1] is not None}


# -- what TensorFlow made ---------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_constants_are_the_weights_with_interpreter_values(tflite_models, kind):
    paths, truth = tflite_models
    details, ops = truth[kind]
    g = open_model(paths[kind])
    assert detect(paths[kind]).name == "tflite" and g.format == "TensorFlow Lite"
    consts = _consts(details)
    assert sorted(_tensor(w) for w in g.weights) == sorted(consts)
    for w in g.weights:
        index, value, _, _ = consts[_tensor(w)]
        assert w.name == f"main/{clean_name(_tensor(w))}" and w.key == w.var_name + ":0"
        assert w.var_name == w.name if w.raw_key is None else w.raw_key == w.name   # see test_keras_names
        assert w.shape == value.shape and w.op.type == "Const"
        a = w.array()
        assert a.dtype == value.dtype
        np.testing.assert_array_equal(a, value)
    # the operators, in order, typed as TFLite spells them, reading their tensors' producers
    operators = [op for op in g.ops if op.type not in ("Const", "Placeholder")]
    assert [op.type for op in operators] == [name for name, _, _ in ops]
    by_index = {v[0]: n for n, v in details.items()}
    producer = {}
    for op in g.ops:
        a = op.attrs
        for slot, t in enumerate(a.get("output_tensors") or [a.get("tensor")]):
            producer[t] = op.name if slot == 0 else f"{op.name}:{slot}"
    for op, (_, ins, _) in zip(operators, ops):
        assert list(op.raw_inputs) == [producer[by_index[i]] for i in ins if i >= 0]
    assert [op.name for op in g.inputs] == ["main/serving_default_image"]
    assert g.signatures["serving_default"]["inputs"]["image"]["name"] == "main/serving_default_image"


def test_names_and_roles(tflite_models):
    g = open_model(tflite_models[0]["float"])
    conv = [op for op in g.ops if op.type == "CONV_2D"]
    assert len(conv) == 2
    kernel = g.op(conv[1].raw_inputs[1]).weight
    assert kernel.role == "kernel" and kernel.shape == (16, 3, 3, 16)
    assert g.op(conv[1].raw_inputs[2]).weight.role == "bias"
    # named after the Keras layer (tests/core/test_diff_converted.py has the rule's cases)
    assert (kernel.var_name, kernel.raw_key) == ("conv2/kernel", kernel.name)
    shared = g.op(conv[1].raw_inputs[2]).weight     # the zero bias the three convolutions share
    assert len(shared.op.consumers) == 3 and shared.var_name == shared.name and shared.raw_key is None
    # a fused op's tensor lists the TF ops it replaces: the first names it, ':0' goes
    assert clean_name("model/re_lu/Relu;model/conv/BiasAdd") == "model/re_lu/Relu"
    assert clean_name("serving_default_image:0") == "serving_default_image"
    assert len({op.name for op in g.ops}) == len(g.ops)
    assert g.root.find(kernel.name).weight is kernel       # main/<keras model>/conv2_1/convolution


@pytest.mark.parametrize("kind", ("dynamic", "int8"))
def test_dequantized_values_are_q_minus_zero_point_times_scale(tflite_models, kind):
    paths, truth = tflite_models
    consts = _consts(truth[kind][0])
    g = open_model(paths[kind])
    quantized = [w for w in g.weights if w.quant is not None]
    assert quantized
    for w in quantized:
        _, q, params, _ = consts[_tensor(w)]
        scale, zero, axis = params["scales"], params["zero_points"], params["quantized_dimension"]
        np.testing.assert_array_equal(w.array(), q)
        shape = [1] * q.ndim
        if scale.size > 1:
            shape[axis] = -1
            assert w.quant.axis == axis and "per channel" in w.quant.note
        expect = (q.astype(np.float32) - zero.reshape(shape).astype(np.float32)) * scale.reshape(shape)
        real = w.array(dequantize=True)
        assert real.dtype == np.float32
        np.testing.assert_allclose(real, expect, rtol=1e-6)
    kernels = [w for w in quantized if w.role == "kernel"]
    assert kernels and all(w.dtype_name == "int8" for w in kernels)
    if kind == "int8":
        assert g.inputs[0].attrs["dtype"] == "int8"
        assert any(w.dtype_name == "int32" and w.role == "bias" for w in quantized)


def test_float16_weights_behind_dequantize(tflite_models):
    paths, truth = tflite_models
    consts = _consts(truth["fp16"][0])
    g = open_model(paths["fp16"])
    halves = [w for w in g.weights if w.dtype_name == "float16"]
    assert len(halves) >= 4
    for w in halves:
        assert "float16 behind DEQUANTIZE" in w.role
        assert any(c.type == "DEQUANTIZE" for c, _ in w.op.consumers)
        real = w.array(dequantize=True)
        assert real.dtype == np.float32
        np.testing.assert_array_equal(real, consts[_tensor(w)][1].astype(np.float32))


def test_buffers_past_the_flatbuffer(tflite_models):
    g = open_model(tflite_models[0]["offset"])
    model = Model.GetRootAs(Path(g.path).read_bytes(), 0)
    external = [model.Buffers(i) for i in range(model.BuffersLength()) if model.Buffers(i).Offset() > 1]
    assert len(external) == len(g.weights)       # every constant lies past the flatbuffer
    spans = [g.span(w) for w in g.weights]
    assert {s[1] for s in spans} == {b.Offset() for b in external}   # values viewed in place there


def test_each_subgraph_is_a_scope(tflite_models):
    g = open_model(tflite_models[0]["loop"])
    assert [s.name for s in g.root.rows] == ["main", "while_cond", "while_body"]
    assert "WHILE" in g.op_types() and "LESS" in g.op_types()
    body = [w for w in g.weights if w.name.startswith("while_body/")]
    kernel = next(w for w in body if w.role == "kernel")
    np.testing.assert_array_equal(kernel.array(), LOOP_W.T)   # FULLY_CONNECTED keeps [out, in]
    assert "3 subgraph(s)" in g.notes[0]
    assert [op.name for op in g.inputs] == ["main/x"]       # the body's and condition's are _Arg


# -- the command line -------------------------------------------------------------------

def test_cli_info_ls_show_export(tflite_models, tmp_path, capsys):
    paths, truth = tflite_models
    path = str(paths["int8"])
    assert cli.main(["info", path]) == 0
    out = capsys.readouterr().out
    assert "TensorFlow Lite" in out and "CONV_2D 2" in out and "serving_default" in out
    assert cli.main(["ls", path, "--weights"]) == 0
    assert "int8" in capsys.readouterr().out
    g = open_model(path)
    kernel = next(w for w in g.weights if w.role == "kernel" and w.quant.axis is not None)
    assert cli.main(["show", path, kernel.key]) == 0
    out = capsys.readouterr().out
    assert "quant   int8, per channel along axis 0: scale" in out
    for fmt in ("pkl", "npz", "safetensors"):
        for dequantize in (False, True):
            out_path = tmp_path / f"w{int(dequantize)}.{fmt}"
            assert cli.main(["export", path, "-o", str(out_path)] + ["--dequantize"] * dequantize) == 0
            capsys.readouterr()
            got = _load(out_path, fmt)
            assert set(got) == {w.key for w in g.weights}
            for w in g.weights:
                np.testing.assert_array_equal(got[w.key], w.array(dequantize))
            assert got[kernel.key].dtype == (np.float32 if dequantize else np.int8)


def _load(path: Path, fmt: str) -> dict:
    if fmt == "pkl":
        with open(path, "rb") as f:
            return pickle.load(f)
    if fmt == "npz":
        with np.load(path) as z:
            return {k: z[k] for k in z.files}
    from safetensors.numpy import load_file
    return load_file(str(path))


def test_opening_does_not_import_tensorflow(tflite_models):
    code = (PRELUDE + "import sys; from pbscope.core.formats import open_model; g = open_model(sys.argv[1]); "
            "[w.array(True) for w in g.weights]; g.root; [op.attrs for op in g.ops]; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras', 'tflite')]; "
            "print(bad); sys.exit(1 if bad else 0)")
    r = subprocess.run([sys.executable, "-c", code, str(tflite_models[0]["int8"])], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_schema_is_tensorflows_own():
    pytest.importorskip("tensorflow")
    from pbscope.core.formats.tflite_schema.regenerate import OUT, build
    assert build() == OUT.read_text(), "run: python -m core.formats.tflite_schema.regenerate"


# -- real files -------------------------------------------------------------------------

def _corpus_rows():
    return [r for r in corpus.rows() if r["kind"] == "tflite"]


@pytest.mark.skipif(not _corpus_rows(), reason=corpus.SKIP_REASON)
@pytest.mark.parametrize("row", _corpus_rows(), ids=lambda r: r["path"])
def test_corpus_tflite_opens(row):
    g = open_model(corpus.CORPUS / row["path"])
    assert len(g.weights) == int(row["const_count"])
    assert g.params == int(row["note"].split("params ")[1].split(",")[0])
    types = {op.type for op in g.ops}
    leaves = {"Const", "Placeholder", "Variable", "Tensor"}
    assert set(row["parsed_as"].split("ops ")[1].split("/")) == types - leaves
    for w in g.weights:
        assert w.array().shape == w.shape
    if "ethos-u" in row["note"]:
        assert "CUSTOM:ethos-u" in types


# -- damaged files: one line, naming the file -------------------------------------------

def _refused(path: Path, match: str) -> str:
    tracemalloc.start()
    try:
        with pytest.raises(PbscopeError, match=match) as e:
            g = open_model(path)
            for w in g.weights:
                w.array()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    msg = str(e.value)
    assert msg.startswith(f"{path}: ") and "\n" not in msg
    assert peak < 32 << 20    # nothing sized from what the file claims
    return msg


def _edit(src: Path, dst: Path, edit) -> Path:
    data = bytearray(src.read_bytes())
    edit(data, Model.GetRootAs(bytes(data), 0))
    dst.write_bytes(bytes(data))
    return dst


def test_truncated_flatbuffer(tflite_models, tmp_path):
    data = tflite_models[0]["float"].read_bytes()
    for n in (12, len(data) // 3, len(data) - 200):
        p = tmp_path / f"cut{n}.tflite"
        p.write_bytes(data[:n])
        _refused(p, "corrupt TFLite file")


def test_external_buffer_past_the_end(tflite_models, tmp_path):
    data = tflite_models[0]["offset"].read_bytes()
    p = tmp_path / "short.tflite"
    p.write_bytes(data[:len(data) - 64])
    _refused(p, r"buffer \d+ claims bytes [\d,]+ to [\d,]+, past the end of the file")


def test_buffer_size_outside_the_file(tflite_models, tmp_path):
    def edit(data, model):
        for i in range(model.BuffersLength()):
            tab = model.Buffers(i)._tab
            o = tab.Offset(4)
            if o and tab.VectorLen(o):
                struct.pack_into("<I", data, tab.Vector(o) - 4, 0x7FFFFFF0)   # the data's length
                return
    p = _edit(tflite_models[0]["float"], tmp_path / "len.tflite", edit)
    _refused(p, "past the end of the file")


def test_vtable_outside_the_file(tflite_models, tmp_path):
    def edit(data, model):
        pos = model.Subgraphs(0)._tab.Pos
        struct.pack_into("<i", data, pos, -0x10000000)     # the vtable 256 MB past the table
    p = _edit(tflite_models[0]["float"], tmp_path / "vtable.tflite", edit)
    _refused(p, "subgraph 0: its vtable points outside the file")


def test_huge_vector_and_bad_tensor_index(tflite_models, tmp_path):
    def huge(data, model):
        tab = model.Subgraphs(0)._tab
        struct.pack_into("<I", data, tab.Vector(tab.Offset(4)) - 4, 0x3FFFFFFF)   # tensors
    _refused(_edit(tflite_models[0]["float"], tmp_path / "huge.tflite", huge), "claimed, more than the file")

    def index(data, model):
        op = model.Subgraphs(0).Operators(0)._tab
        struct.pack_into("<i", data, op.Vector(op.Offset(6)), 9999)       # its first input
    _refused(_edit(tflite_models[0]["float"], tmp_path / "index.tflite", index),
             "refers to a tensor that does not exist")


def test_cli_prints_one_line(tflite_models, tmp_path):
    p = tmp_path / "cut.tflite"
    p.write_bytes(tflite_models[0]["float"].read_bytes()[:100])
    r = subprocess.run([*PBSCOPE, "info", str(p)], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 1
    assert r.stderr.count("\n") == 1 and r.stderr.startswith(f"pbscope: error: {p}: ")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(0, 1 << 16), flips=st.lists(st.tuples(st.integers(0, 1 << 16), st.integers(0, 7)),
                                                   max_size=6))
def test_damage_gives_only_pbscope_errors(tflite_models, tmp_path, cut, flips):
    data = bytearray(tflite_models[0]["int8"].read_bytes())
    for pos, bit in flips:
        data[pos % len(data)] ^= 1 << bit
    data = data[:len(data) - cut % len(data)]
    p = tmp_path / "damaged.tflite"
    p.write_bytes(bytes(data))
    try:
        g = open_model(p)
    except PbscopeError as e:
        assert "\n" not in str(e)
        return
    for op in g.ops:
        try:
            op.attrs
        except PbscopeError:
            pass
    for w in g.weights:
        try:
            w.array(dequantize=True)
        except PbscopeError:
            pass
