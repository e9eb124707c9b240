"""Restore weights into a model the user chooses (core/restore/), through core and the CLI.

Targets: TF1 builders (tests/fixtures/builders.py, the demo model defined in code),
TF1 checkpoints and TF1 SavedModels (a builder's model saved first), a TF2 SavedModel
(a tf.Module) and Keras files (the tf2 fixture's architecture). Sources: the demo .pb
directly, the pickle core.export writes of it, and the tf1/tf2/rnn fixtures.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pbscope.core import cli
from pbscope.core.errors import Cancelled, PbscopeError
from pbscope.core.export import export_weights
from pbscope.core.formats import open_model
from pbscope.core.progress import Progress
from pbscope.core.restore import apply_restore, map_name, normalise, plan_restore
from tests.procs import PBSCOPE, PRELUDE

ROOT = Path(__file__).resolve().parents[3]
DEMO = ROOT / "resources" / "demo_mobilenet_v1.pb"
BUILDERS = ROOT / "tests" / "fixtures" / "builders.py"
LAST = "MobileNetV1/Bottleneck2"

tf = pytest.importorskip("tensorflow")
v1 = tf.compat.v1


def builder(name: str) -> str:
    return f"{BUILDERS}:{name}"


@pytest.fixture(scope="module")
def demo():
    return open_model(DEMO)


@pytest.fixture(scope="module")
def demo_pkl(demo, tmp_path_factory):
    out = tmp_path_factory.mktemp("pkl") / "demo_weights.pkl"
    export_weights(demo.weights, out)          # seed keys: 'MobileNetV1/…/weights:0'
    return out


@pytest.fixture(scope="module")
def restored(tmp_path_factory):
    """The demo .pb restored into the 10-class builder with --except-last, by the CLI."""
    out = tmp_path_factory.mktemp("restored") / "ckpt"
    assert cli.main(["restore", str(DEMO), "--into", builder("demo_10"), "--except-last",
                     "-o", str(out)]) == 0
    return out


def checkpoint_values(prefix) -> dict[str, np.ndarray]:
    reader = tf.train.load_checkpoint(str(prefix))
    return {k: reader.get_tensor(k) for k in reader.get_variable_to_shape_map()}


def one_error_line(capsys, path) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert lines[0].startswith(f"pbscope: error: {path}: "), lines[0]
    return lines[0]


def no_leftovers(folder: Path, name: str) -> None:
    """No output and no temporary '.<name>.*.part' beside it."""
    assert not (folder / name).exists()
    assert not [p for p in os.listdir(folder) if p.startswith(f".{name}.")], os.listdir(folder)


# -- names -------------------------------------------------------------------------

def test_names_are_normalised_and_mapped():
    assert normalise("a/b:0") == "a/b" and normalise("a/b/read") == "a/b"
    assert normalise("dense/kernel") == "dense/kernel"
    from pbscope.core.restore import _compile_maps
    rules = _compile_maps([("net", "MobileNetV1")])
    assert map_name("net/Conv2d_0/weights", rules) == "MobileNetV1/Conv2d_0/weights"
    assert map_name("network/x", rules) == "network/x"            # a scope, not a string prefix
    assert map_name("net", rules) == "MobileNetV1"
    assert map_name("a/b", _compile_maps([("a", "")])) == "b"     # strip a scope
    rules = _compile_maps([(r"^model_\d+/", ""), (r"(\w+)_bn/", r"\1/BatchNorm/")])
    assert map_name("model_3/conv1_bn/gamma", rules) == "conv1/BatchNorm/gamma"
    with pytest.raises(PbscopeError, match="not a valid regular expression"):
        _compile_maps([("a(", "b")])


# -- plans -------------------------------------------------------------------------

def test_plan_reports_the_last_layers_shape_mismatch(demo):
    plan = plan_restore(demo, builder("demo_10"))
    mism = plan.by_status("mismatch")
    assert [r.target for r in mism] == [f"{LAST}/weights", f"{LAST}/biases"]
    assert mism[0].shape == (1, 1, 256, 10) and mism[0].source_shape == (1, 1, 256, 1001)
    assert mism[0].source == f"{LAST}/weights:0"
    assert len(plan.by_status("matched")) == len(demo.weights) - 2 == 65
    assert not plan.by_status("missing") and not plan.by_status("skipped") and plan.unused == []
    assert not plan.strict_ok
    assert plan.strict_failure().startswith(f"2 trainable variables unmatched: {LAST}/weights (mismatch)")
    table = plan.table(color=False)
    assert "[1,1,256,1001] in the source, [1,1,256,10] in the target" in table
    assert "65 matched, 2 mismatched (not applied), 0 missing, 0 skipped" in table.splitlines()[-1]
    assert "\033[" not in table and "\033[31m" in plan.table(color=True)
    d = plan.as_dict()
    assert {"matched", "mismatched", "missing", "skipped", "unused", "target", "source"} <= set(d)
    assert d["mismatched"][1] == {"target": f"{LAST}/biases", "shape": [10], "dtype": "float32",
                                  "trainable": True, "status": "mismatch", "source": f"{LAST}/biases:0",
                                  "source_shape": [1001], "why": "shape [1001] in the source, [10] in the target"}
    # the moving statistics are matched as well, and marked not trainable
    mm = next(r for r in plan.rows if r.target == "MobileNetV1/Conv2d_0/BatchNorm/moving_mean")
    assert mm.status == "matched" and not mm.trainable


def test_except_last_skips_the_final_layer(demo):
    plan = plan_restore(demo, builder("demo_10"), except_last=True)
    assert [r.target for r in plan.by_status("skipped")] == [f"{LAST}/weights", f"{LAST}/biases"]
    assert all(r.why == "--except-last" for r in plan.by_status("skipped"))
    assert plan.strict_ok and not plan.by_status("mismatch")
    assert any(LAST in n for n in plan.notes)


def test_exclude_and_weights_subset(demo):
    plan = plan_restore(demo, builder("demo"), excludes=["MobileNetV1/Conv2d_0", "MobileNetV1/Nope"])
    assert plan.notes == ["--exclude MobileNetV1/Nope: no target variable is under it"]
    skipped = plan.by_status("skipped")
    assert len(skipped) == 5 and all(r.target.startswith("MobileNetV1/Conv2d_0/") for r in skipped)
    assert plan.strict_ok and len(plan.by_status("matched")) == 62
    # the GUI's ticked weights: the others are missing
    ticked = [w for w in demo.weights if "Conv2d_1_" in w.var_name]
    plan = plan_restore(demo, builder("demo"), weights=ticked)
    assert len(plan.by_status("matched")) == len(ticked) == 10
    assert len(plan.by_status("missing")) == 57 and not plan.strict_ok


def test_map_renames_source_keys(demo, tmp_path):
    arrays = {w.key.replace("MobileNetV1/", "net/"): w.array() for w in demo.weights}
    pkl = tmp_path / "renamed.pkl"
    with open(pkl, "wb") as f:
        pickle.dump(arrays, f)
    src = open_model(pkl)
    with pytest.raises(PbscopeError, match="no source key matches any target variable.*--map"):
        plan_restore(src, builder("demo"))
    for maps in ([("net", "MobileNetV1")], [(r"^net/", "MobileNetV1/")]):
        plan = plan_restore(src, builder("demo"), maps=maps)
        assert len(plan.by_status("matched")) == 67 and plan.by_status("matched")[0].source.startswith("net/")


def test_builder_gets_the_input_placeholder(demo, demo_pkl):
    plan = plan_restore(demo, builder("demo_10_input"), except_last=True)
    assert plan.strict_ok and len(plan.by_status("matched")) == 65
    graph = plan._target.graph
    assert graph.get_tensor_by_name("inputs:0").shape.as_list() == [None, 64, 64, 3]
    with pytest.raises(PbscopeError, match="has no input placeholder to copy"):
        plan_restore(open_model(demo_pkl), builder("demo_10_input"))


# -- TF1 builder targets: apply ---------------------------------------------------------

def test_restored_checkpoint_loads_matches_and_trains(restored, demo):
    prefix = str(restored / "model.ckpt")
    assert sorted(os.listdir(restored)) == ["checkpoint", "model.ckpt.data-00000-of-00001",
                                            "model.ckpt.index", "model.ckpt.meta"]
    assert tf.train.latest_checkpoint(str(restored)) == prefix
    g = tf.Graph()
    with g.as_default(), v1.Session(graph=g) as sess:
        saver = v1.train.import_meta_graph(prefix + ".meta")
        saver.restore(sess, prefix)
        variables = v1.global_variables()
        trainable = v1.trainable_variables()
        assert len(variables) == 67 and len(trainable) == 41
        values = dict(zip([v.op.name for v in variables], sess.run(variables)))
        for name, value in values.items():
            if name.startswith(LAST):     # skipped: the builder's initial values (zeros)
                assert value.shape[-1] == 10 and not value.any()
            else:
                np.testing.assert_array_equal(value, demo.find_weight(name).array())
        # optimizer steps run and change the restored weights
        x = g.get_tensor_by_name("inputs:0")
        probs = g.get_tensor_by_name("MobileNetV1/Predictions/Softmax:0")
        loss = -tf.reduce_mean(tf.math.log(probs[:, 3] + 1e-6))
        step = v1.train.GradientDescentOptimizer(0.5).minimize(loss)
        batch = np.random.RandomState(0).uniform(0, 1, (2, 64, 64, 3)).astype(np.float32)
        sess.run(step, {x: batch})     # the zero last layer passes no gradient back: a 2nd step does
        sess.run(step, {x: batch})
        w = next(v for v in trainable if v.op.name == "MobileNetV1/Conv2d_6_pointwise/weights")
        b = next(v for v in trainable if v.op.name == f"{LAST}/biases")
        assert not np.array_equal(sess.run(w), values[w.op.name])
        assert not np.array_equal(sess.run(b), values[b.op.name])


def test_pickle_source_gives_the_same_checkpoint(restored, demo_pkl, tmp_path):
    src = open_model(demo_pkl)
    plan = plan_restore(src, builder("demo_10"), except_last=True)
    assert plan.strict_ok and len(plan.by_status("matched")) == 65
    result = apply_restore(plan, tmp_path / "from_pkl")
    assert result.written == 65 and result.kept == 2 and result.kind == "builder"
    a = checkpoint_values(restored / "model.ckpt")
    b = checkpoint_values(tmp_path / "from_pkl" / "model.ckpt")
    assert a.keys() == b.keys() and len(a) == 67
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])


def test_unticked_variables_keep_the_targets_values(demo, tmp_path):
    plan = plan_restore(demo, builder("demo"))
    keep = "MobileNetV1/Conv2d_0/weights"
    result = apply_restore(plan, tmp_path / "out", skip={keep + ":0"})
    assert result.written == 66 and result.kept == 1
    values = checkpoint_values(tmp_path / "out" / "model.ckpt")
    assert not values[keep].any()                     # the builder's zeros
    np.testing.assert_array_equal(values[f"{LAST}/weights"], demo.find_weight(f"{LAST}/weights").array())
    # a second apply of the same plan, nothing unticked: everything from the source
    apply_restore(plan, tmp_path / "out2")
    np.testing.assert_array_equal(checkpoint_values(tmp_path / "out2" / "model.ckpt")[keep],
                                  demo.find_weight(keep).array())


def test_partitioned_target_variables_are_saved_as_slices(demo, tmp_path):
    plan = plan_restore(demo, builder("demo_extra"))
    missing = [r.target for r in plan.by_status("missing")]
    assert missing == ["MobileNetV1/Extra/weights/part_0", "MobileNetV1/Extra/weights/part_1",
                       "MobileNetV1/Extra/biases"]
    apply_restore(plan, tmp_path / "out")
    prefix = str(tmp_path / "out" / "model.ckpt")
    values = checkpoint_values(prefix)
    np.testing.assert_array_equal(values["MobileNetV1/Extra/weights"], np.full((1001, 6), 0.5, np.float32))
    g = tf.Graph()
    with g.as_default(), v1.Session(graph=g) as sess:
        v1.train.import_meta_graph(prefix + ".meta").restore(sess, prefix)
        got = {v.op.name: sess.run(v) for v in v1.global_variables()}
    assert got["MobileNetV1/Extra/weights/part_1"].shape == (500, 6)
    np.testing.assert_array_equal(got[f"{LAST}/biases"], demo.find_weight(f"{LAST}/biases").array())


def test_resource_variable_builder(tf_models, tmp_path):
    tf1 = tf_models["tf1"]
    plan = plan_restore(open_model(tf1["pb"]), builder("tf1_fixture_resource"))
    assert [r.target for r in plan.by_status("missing")] == ["MobileNetV1/Logits/scale"]
    assert len(plan.by_status("matched")) == 3 and len(plan.unused) == len(tf1["weights"]) - 3
    apply_restore(plan, tmp_path / "out")
    prefix = str(tmp_path / "out" / "model.ckpt")
    g = tf.Graph()
    with g.as_default(), v1.Session(graph=g) as sess:
        v1.train.import_meta_graph(prefix + ".meta").restore(sess, prefix)
        got = {v.op.name: sess.run(v) for v in v1.global_variables()}
    assert got.keys() == {"MobileNetV1/Conv2d_0/weights", "MobileNetV1/Logits/weights",
                          "MobileNetV1/Logits/biases", "MobileNetV1/Logits/scale"}
    np.testing.assert_array_equal(got["MobileNetV1/Logits/scale"], np.ones(10, np.float32))
    for name in ("MobileNetV1/Conv2d_0/weights", "MobileNetV1/Logits/weights", "MobileNetV1/Logits/biases"):
        np.testing.assert_array_equal(got[name], tf1["weights"][name + ":0"])


# -- TF1 checkpoint targets ------------------------------------------------------------------

@pytest.fixture(scope="module")
def target_ckpt(tmp_path_factory):
    """The 10-class builder's model saved as a checkpoint, its last layer set to 7.0."""
    sys.path.insert(0, str(BUILDERS.parent))
    try:
        import builders
    finally:
        sys.path.remove(str(BUILDERS.parent))
    folder = tmp_path_factory.mktemp("target") / "ckpt"
    g = tf.Graph()
    with g.as_default(), v1.Session(graph=g) as sess:
        builders.demo_10()
        sess.run(v1.global_variables_initializer())
        for v in v1.global_variables():
            if v.op.name.startswith(LAST):
                v.load(np.full(v.shape.as_list(), 7.0, np.float32), sess)
        v1.train.Saver().save(sess, str(folder / "model.ckpt"))
    return folder


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def test_checkpoint_target_round_trip(target_ckpt, demo, tmp_path, capsys):
    before = _digest(target_ckpt)
    # the folder, the prefix and the .meta name the same target
    for spec in (target_ckpt / "model.ckpt", target_ckpt / "model.ckpt.meta"):
        assert plan_restore(demo, str(spec), except_last=True).strict_ok
    out = tmp_path / "restored"
    assert cli.main(["restore", str(DEMO), "--into", str(target_ckpt), "--except-last", "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "TF1 checkpoint" in text and "65 matched, 0 mismatched (not applied), 0 missing, 2 skipped" in text
    values = checkpoint_values(out / "model.ckpt")
    for k, v in values.items():
        if k.startswith(LAST):
            np.testing.assert_array_equal(v, np.full(v.shape, 7.0, np.float32))   # the target's own
        else:
            np.testing.assert_array_equal(v, demo.find_weight(k).array())
    assert (out / "model.ckpt.meta").read_bytes() == (target_ckpt / "model.ckpt.meta").read_bytes()
    assert _digest(target_ckpt) == before, "the target checkpoint must not change"
    g = tf.Graph()
    with g.as_default(), v1.Session(graph=g) as sess:
        v1.train.import_meta_graph(str(out / "model.ckpt.meta")).restore(sess, str(out / "model.ckpt"))
        assert len(v1.trainable_variables()) == 41


def test_output_may_not_be_an_input(target_ckpt, demo, capsys):
    rc = cli.main(["restore", str(DEMO), "--into", str(target_ckpt), "--except-last", "-o",
                   str(target_ckpt), "--force"])
    assert rc == 1
    assert "is an input of this restore" in one_error_line(capsys, target_ckpt)
    assert (target_ckpt / "model.ckpt.meta").exists()


# -- SavedModel targets --------------------------------------------------------------------

@pytest.fixture(scope="module")
def tf1_savedmodel(tmp_path_factory):
    """The 10-class builder's model as a TF1 SavedModel ('serve'), its last layer set to 7.0."""
    from tests.fixtures import builders
    folder = tmp_path_factory.mktemp("sm1") / "saved"
    g = tf.Graph()
    with g.as_default(), v1.Session(graph=g) as sess:
        out = builders.demo_10()
        sess.run(v1.global_variables_initializer())
        for v in v1.global_variables():
            if v.op.name.startswith(LAST):
                v.load(np.full(v.shape.as_list(), 7.0, np.float32), sess)
        b = v1.saved_model.Builder(str(folder))
        sig = v1.saved_model.predict_signature_def({"x": g.get_tensor_by_name("inputs:0")}, {"y": out})
        b.add_meta_graph_and_variables(sess, ["serve"], signature_def_map={"serving_default": sig})
        b.save()
    return folder


def test_tf1_savedmodel_target_round_trip(tf1_savedmodel, demo, tmp_path, capsys):
    plan = plan_restore(demo, str(tf1_savedmodel), except_last=True)
    assert plan.kind == "savedmodel" and plan.strict_ok and len(plan.by_status("matched")) == 65
    assert [r.target for r in plan.by_status("skipped")] == [f"{LAST}/weights", f"{LAST}/biases"]
    out = tmp_path / "restored"
    assert cli.main(["restore", str(DEMO), "--into", str(tf1_savedmodel / "saved_model.pb"),
                     "--except-last", "-o", str(out)]) == 0
    assert "into the SavedModel" in capsys.readouterr().out
    g = tf.Graph()
    with g.as_default(), v1.Session(graph=g) as sess:
        v1.saved_model.loader.load(sess, ["serve"], str(out))
        got = {v.op.name: sess.run(v) for v in v1.global_variables()}
        y = sess.run("MobileNetV1/Predictions/Softmax:0", {"inputs:0": np.zeros((1, 64, 64, 3), np.float32)})
    assert len(got) == 67 and y.shape == (1, 10)
    for name, value in got.items():
        want = np.full(value.shape, 7.0, np.float32) if name.startswith(LAST) else demo.find_weight(name).array()
        np.testing.assert_array_equal(value, want)


def test_tf2_savedmodel_target_round_trip(tf_models, tmp_path):
    tf1 = tf_models["tf1"]
    names = ["MobileNetV1/Logits/weights", "MobileNetV1/Logits/biases"]

    class Head(tf.Module):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable(np.zeros((8, 10), np.float32), name=names[0])
            self.b = tf.Variable(np.zeros(10, np.float32), name=names[1])
            self.scale = tf.Variable(np.full(10, 3.0, np.float32), name="scale")

        @tf.function(input_signature=[tf.TensorSpec([None, 8], tf.float32)])
        def __call__(self, x):
            return (tf.matmul(x, self.w) + self.b) * self.scale

    saved = tmp_path / "head"
    tf.saved_model.save(Head(), str(saved))
    plan = plan_restore(open_model(tf1["pb"]), str(saved))
    assert sorted(r.target for r in plan.by_status("matched")) == sorted(names)
    assert [r.target for r in plan.by_status("missing")] == ["scale"]
    apply_restore(plan, tmp_path / "out")
    assert not (tmp_path / "out" / "fingerprint.pb").exists()
    loaded = tf.saved_model.load(str(tmp_path / "out"))
    np.testing.assert_array_equal(loaded.w.numpy(), tf1["weights"][names[0] + ":0"])
    np.testing.assert_array_equal(loaded.b.numpy(), tf1["weights"][names[1] + ":0"])
    np.testing.assert_array_equal(loaded.scale.numpy(), np.full(10, 3.0, np.float32))
    x = np.ones((1, 8), np.float32)
    want = (x @ tf1["weights"][names[0] + ":0"] + tf1["weights"][names[1] + ":0"]) * 3.0
    np.testing.assert_allclose(loaded(x).numpy(), want, rtol=1e-6)


# -- Keras targets ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def keras_target(tmp_path_factory, tf_models):
    from tests.fixtures.builders import keras_tf2_like
    return keras_tf2_like(tmp_path_factory.mktemp("keras"))


def test_keras_target_round_trip(tf_models, keras_target, tmp_path):
    import keras
    tf2 = tf_models["tf2"]
    src = open_model(tf2["pb"])
    plan = plan_restore(src, keras_target["keras"])
    assert plan.kind == "keras" and plan.strict_ok
    assert len(plan.by_status("matched")) == len(tf2["weights"]) == 14 and plan.unused == []
    out = tmp_path / "restored.keras"
    result = apply_restore(plan, out)
    assert result.written == 14 and result.checkpoint is None
    model = keras.saving.load_model(out, compile=False)
    got = {v.path: v.numpy() for v in model.weights}
    assert got.keys() == tf2["weights"].keys()
    for k, v in tf2["weights"].items():
        np.testing.assert_array_equal(got[k], v)
    # the plan's model is left with the target's values; the target file is untouched
    for v in plan._target.model.weights:
        np.testing.assert_array_equal(v.numpy(), keras_target["weights"][v.path])


def test_keras_h5_target_except_last_to_weights_file(tf_models, keras_target, tmp_path):
    from tests.fixtures.builders import keras_tf2_model
    src = open_model(tf_models["tf2"]["pb"])
    plan = plan_restore(src, keras_target["h5"], except_last=True)
    assert [r.target for r in plan.by_status("skipped")] == ["predictions/kernel", "predictions/bias"]
    out = tmp_path / "restored.weights.h5"
    apply_restore(plan, out)
    model = keras_tf2_model(seed=5)
    model.load_weights(out)
    for v in model.weights:
        origin = keras_target if v.path.startswith("predictions/") else tf_models["tf2"]
        want = origin["weights"][v.path]
        np.testing.assert_array_equal(v.numpy(), want)
    with pytest.raises(PbscopeError, match=r"\.keras, \.h5 or \.weights\.h5"):
        apply_restore(plan, tmp_path / "restored_folder")


def test_keras_target_does_not_match_tf1_names(demo, keras_target):
    with pytest.raises(PbscopeError, match="no source key matches any target variable"):
        plan_restore(demo, keras_target["keras"])


# -- bad inputs: one clear line, exit 1, nothing written ----------------------------------------

@pytest.fixture(scope="module")
def bad_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("bad")
    (d / "notes.txt").write_text("just some notes\n")
    (d / "broken_builder.py").write_text("import nonexistent_module_for_pbscope_tests\n")
    sm = d / "saved"
    sm.mkdir()
    (sm / "saved_model.pb").write_bytes(b"\x08\x01")
    return d


@pytest.mark.parametrize("case", ["raises", "no_function", "import_error", "no_variables", "text_file",
                                  "saved_model", "no_match", "frozen_pb", "py_without_function"])
def test_bad_inputs_one_line(case, capsys, tmp_path, tf_models, bad_files):
    source, target = str(DEMO), {
        "raises": builder("raises"),
        "no_function": builder("no_such_function"),
        "import_error": f"{bad_files / 'broken_builder.py'}:build",
        "no_variables": builder("no_variables"),
        "text_file": str(bad_files / "notes.txt"),
        "saved_model": str(bad_files / "saved"),
        "no_match": builder("demo"),
        "frozen_pb": str(DEMO),
        "py_without_function": str(BUILDERS),
    }[case]
    if case == "no_match":
        source = tf_models["rnn"]["pb"]
    rc = cli.main(["restore", source, "--into", target, "-o", str(tmp_path / "out")])
    assert rc == 1
    path = {"raises": BUILDERS, "no_function": BUILDERS, "no_variables": BUILDERS,
            "import_error": bad_files / "broken_builder.py", "no_match": source}.get(case, target)
    line = one_error_line(capsys, path)
    expect = {
        "raises": "raises() raised RuntimeError: the builder is broken on purpose",
        "no_function": "has no function 'no_such_function' (it has: ",
        "import_error": "loading it raised ModuleNotFoundError: No module named 'nonexistent_module_for_pbscope_tests'",
        "no_variables": "no_variables() created no variables",
        "text_file": "not a model to restore into: a text file",
        "saved_model": "the SavedModel has no variables/variables.index",
        "no_match": "no source key matches any target variable",
        "frozen_pb": "unfreeze it first",
        "py_without_function": "name the builder function",
    }[case]
    assert expect in line, line
    no_leftovers(tmp_path, "out")


def test_output_that_exists_is_refused_unless_force(demo, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    args = ["restore", str(DEMO), "--into", builder("demo"), "-o", str(out)]
    assert cli.main(args) == 1
    assert "already exists; use --force" in one_error_line(capsys, out)
    assert (out / "keep.txt").read_text() == "mine"
    assert cli.main(args + ["--force", "--json"]) == 0
    assert sorted(os.listdir(out)) == ["checkpoint", "model.ckpt.data-00000-of-00001", "model.ckpt.index",
                                       "model.ckpt.meta"]
    assert [p for p in os.listdir(tmp_path) if p != "out"] == []


@pytest.mark.parametrize("target", ["demo_10", "demo_extra"])
def test_strict_fails_with_the_report_printed(target, tmp_path, capsys):
    out = tmp_path / "out"
    rc = cli.main(["restore", str(DEMO), "--into", builder(target), "--strict", "-o", str(out)])
    assert rc == 1
    captured = capsys.readouterr()
    status = "mismatch" if target == "demo_10" else "missing"
    assert any(line.startswith(status) for line in captured.out.splitlines()), captured.out
    assert "target variables:" in captured.out
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "trainable variables unmatched: " in lines[0] and f"({status})" in lines[0]
    no_leftovers(tmp_path, "out")
    # --except-last makes both clean: Bottleneck2 (demo_10), the extra layer (demo_extra)
    assert cli.main(["restore", str(DEMO), "--into", builder(target), "--strict", "--except-last",
                     "--dry-run"]) == 0
    assert "0 mismatched (not applied), 0 missing" in capsys.readouterr().out


def test_dry_run_and_json(capsys, tmp_path):
    import json
    assert cli.main(["restore", str(DEMO), "--into", builder("demo_10"), "--dry-run", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert len(d["matched"]) == 65 and len(d["mismatched"]) == 2 and d["unused"] == [] and "result" not in d
    assert d["plan"]["mismatched"][0]["source_shape"] == [1, 1, 256, 1001]
    # a builder's prints go to stderr: stdout stays JSON
    assert cli.main(["restore", str(DEMO), "--into", builder("noisy"), "-o", str(tmp_path / "o"), "--json"]) == 0
    captured = capsys.readouterr()
    d = json.loads(captured.out)
    assert d["result"]["written"] == 67 and d["result"]["checkpoint"] == str(tmp_path / "o" / "model.ckpt")
    assert "building the demo model" in captured.err


def test_cancel_leaves_nothing(demo, tmp_path):
    plan = plan_restore(demo, builder("demo"))
    progress = Progress(lambda f, text: progress.cancel() if text == "writing the checkpoint" else None)
    with pytest.raises(Cancelled):
        apply_restore(plan, tmp_path / "out", progress=progress)
    no_leftovers(tmp_path, "out")
    assert os.listdir(tmp_path) == []


def test_importing_core_restore_does_not_import_tensorflow():
    code = (PRELUDE + "import sys, pbscope.core.restore, pbscope.core.cli; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras')]; "
            "print(bad); sys.exit(1 if bad else 0)")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_cli_error_is_one_line_in_a_fresh_process(tmp_path):
    """TensorFlow's start-up notices (fd 2) stay out of the user's one line."""
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    r = subprocess.run([*PBSCOPE, "restore", str(DEMO), "--into", builder("raises"),
                        "-o", str(tmp_path / "out")], cwd=ROOT, capture_output=True, text=True, env=env)
    assert r.returncode == 1
    assert r.stderr.strip().splitlines() == [
        f"pbscope: error: {BUILDERS}: raises() raised RuntimeError: the builder is broken on purpose"], r.stderr
    assert r.stdout == "" and os.listdir(tmp_path) == []
