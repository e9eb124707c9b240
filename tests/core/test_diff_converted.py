"""diff of a Keras model against the .tflite TFLiteConverter made from it: the TFLite
constants are named after their Keras layer and role, and compared in Keras' layout."""
from __future__ import annotations

import numpy as np
import pytest

from pbscope.core import cli
from pbscope.core.diff import diff
from pbscope.core.export import export_weights
from pbscope.core.formats import open_model

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")   # the converter's notices


@pytest.fixture(scope="session")
def converted(tmp_path_factory):
    """{"h5", "keras", "float", "dynamic", "fp16": path, "weights": {Keras path: values}}: a
    functional model with Dense, Conv2D and DepthwiseConv2D layers (random weights, biases
    included: the converter drops a zero bias), saved by Keras and converted to float,
    dynamic-range int8 and float16 TFLite."""
    pytest.importorskip("tensorflow")
    from pbscope.core.tfimport import import_tensorflow
    tf = import_tensorflow("making the converted test models")
    keras = tf.keras
    inp = keras.Input((8, 8, 3), name="image")
    x = keras.layers.Conv2D(8, 3, padding="same", activation="relu", name="conv")(inp)
    x = keras.layers.DepthwiseConv2D(3, depth_multiplier=2, name="dw")(x)
    x = keras.layers.Conv2D(4, 1, name="conv_1")(x)       # traced as conv_1_2: the _n rule
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dense(16, activation="relu", name="fc")(x)   # 2,304 weights: int8 when dynamic
    out = keras.layers.Dense(5, name="head")(x)
    model = keras.Model(inp, out)
    rng = np.random.default_rng(0)
    for v in model.weights:
        v.assign(rng.normal(0, 0.5, v.shape).astype(np.float32))
    folder = tmp_path_factory.mktemp("converted")
    paths = {"h5": folder / "model.h5", "keras": folder / "model.keras"}
    model.save(paths["h5"])
    model.save(paths["keras"])
    for kind in ("float", "dynamic", "fp16"):
        c = tf.lite.TFLiteConverter.from_keras_model(model)
        if kind != "float":
            c.optimizations = [tf.lite.Optimize.DEFAULT]
        if kind == "fp16":
            c.target_spec.supported_types = [tf.float16]
        paths[kind] = folder / f"{kind}.tflite"
        paths[kind].write_bytes(c.convert())
    return {**paths, "weights": {v.path: v.numpy() for v in model.weights}}


KERAS_WEIGHTS = ["conv/kernel", "conv/bias", "dw/kernel", "dw/bias", "conv_1/kernel", "conv_1/bias",
                 "fc/kernel", "fc/bias", "head/kernel", "head/bias"]


def test_the_fixture_has_every_layer(converted):
    assert sorted(converted["weights"]) == sorted(KERAS_WEIGHTS)


@pytest.mark.parametrize("keras_file", ["h5", "keras"])
def test_float_tflite_lines_up_with_its_keras_model(converted, keras_file):
    a, b = open_model(converted[keras_file]), open_model(converted["float"])
    report = diff(a, b)
    rows = {d.key: d for d in report.common}
    assert sorted(rows) == sorted(k + ":0" for k in KERAS_WEIGHTS)
    assert not report.only_a and not report.mismatched
    for name in KERAS_WEIGHTS:
        d = rows[name + ":0"]
        assert d.equal and d.max_abs_diff == 0.0, (name, d)
        kernel = name.endswith("kernel")
        assert ("B: TFLite layout transposed" in d.note) == kernel
        assert d.a_shape == list(converted["weights"][name].shape)
        w = b.find_weight(name)
        assert w.raw_key.startswith("main/") and w.rule == "tflite"
        np.testing.assert_array_equal(w.layout.apply(w.array()) if kernel else w.array(),
                                      converted["weights"][name])
    assert b.find_weight("fc/kernel").shape == (16, 144)        # stored (out, in)
    assert b.find_weight("dw/kernel").shape == (1, 3, 3, 16)    # (1, h, w, in·mult)
    assert b.find_weight("conv/kernel").shape == (8, 3, 3, 3)   # (out, h, w, in)
    # the other way round, the note names A
    back = diff(b, a)
    assert all(d.equal for d in back.common) and len(back.common) == len(KERAS_WEIGHTS)
    assert "A: TFLite layout transposed" in {d.key: d for d in back.common}["fc/kernel:0"].note


def test_export_keeps_the_tflite_layout_under_the_keras_key(converted, tmp_path):
    g = open_model(converted["float"])
    out = tmp_path / "w.npz"
    export_weights(g.weights, out)
    with np.load(out) as z:
        assert z["fc/kernel:0"].shape == (16, 144)
        np.testing.assert_array_equal(z["fc/kernel:0"], converted["weights"]["fc/kernel"].T)
        assert any(k.startswith("main/functional") and "/flatten" in k for k in z.files)   # the others keep theirs


def test_dynamic_range_int8_reports_what_it_can(converted, capsys):
    report = diff(open_model(converted["h5"]), open_model(converted["dynamic"]))
    rows = {d.key: d for d in report.common}
    assert sorted(rows) == sorted(k + ":0" for k in KERAS_WEIGHTS) and not report.mismatched
    fc = rows["fc/kernel:0"]   # int8 against float32: compared as its dequantized values
    assert fc.b_dtype == "int8" and "B dequantized" in fc.note and "TFLite layout transposed" in fc.note
    w = open_model(converted["dynamic"]).find_weight("fc/kernel")
    assert 0 < fc.max_abs_diff <= float(w.quant.scale.max()) / 2 * 1.001   # rounding, at most half a step
    assert all(d.equal for k, d in rows.items() if k != "fc/kernel:0")
    assert cli.main(["diff", str(converted["h5"]), str(converted["dynamic"])]) == 0
    out = capsys.readouterr().out
    assert "fc/kernel:0" in out and "B dequantized" in out and "9 equal, 1 differ" in out


def test_float16_behind_dequantize_lines_up(converted):
    report = diff(open_model(converted["h5"]), open_model(converted["fp16"]))
    rows = {d.key: d for d in report.common}
    assert sorted(rows) == sorted(k + ":0" for k in KERAS_WEIGHTS) and not report.mismatched
    for name, value in converted["weights"].items():
        d = rows[name + ":0"]
        assert d.b_dtype == "float16" and "B dequantized" in d.note
        assert d.max_abs_diff == float(np.abs(value.astype(np.float16).astype(np.float32) - value).max())


def test_restore_from_the_tflite_into_its_keras_model(converted, tmp_path):
    """The .tflite as restore's source: every kernel and bias matches its Keras variable,
    kernels mapped back from TFLite's layout, and the restored model holds the values."""
    import keras

    from pbscope.core.restore import apply_restore, plan_restore
    plan = plan_restore(open_model(converted["float"]), str(converted["keras"]))
    assert plan.counts["matched"] == len(KERAS_WEIGHTS), plan.table() if hasattr(plan, "table") else plan
    relaid = {r.target for r in plan.rows if r.relayout}
    assert {"conv/kernel", "dw/kernel", "fc/kernel", "head/kernel"} <= relaid
    out = tmp_path / "restored.keras"
    apply_restore(plan, out)
    got = {v.path: v.numpy() for v in keras.saving.load_model(out, compile=False).weights}
    for name, want in converted["weights"].items():
        np.testing.assert_array_equal(got[name], want)
