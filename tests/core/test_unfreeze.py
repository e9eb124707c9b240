"""Unfreeze: a frozen graph becomes a TF1 checkpoint that computes the same outputs,
whose variables carry the weights' names and values, and that trains.

For every model (the demo, the TF-made fixtures, every float-weight GraphDef of
../shared/corpus that stock TensorFlow imports) the checkpoint is loaded the seed's
way (``import_meta_graph`` + ``Saver.restore``) and:

(a) its outputs equal the frozen graph's on random inputs;
(b) one gradient step changes the trainable variables and lowers a loss;
(c) its variables are named like pbscope's weights (the TF2 ones by ``var_name``).
"""
from __future__ import annotations

import csv
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from tests.fixtures import corpus
import pytest

from pbscope.core import cli
from pbscope.core.errors import Cancelled, PbscopeError
from pbscope.core.formats import open_model
from pbscope.core.progress import Progress
from pbscope.core.unfreeze import UnfreezeReport, unfreeze
from tests.procs import PRELUDE

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "resources" / "demo_mobilenet_v1.pb"
CORPUS = corpus.CORPUS      # ../shared/corpus, or $PBSCOPE_CORPUS
FLOATS = ("float16", "bfloat16", "float32", "float64", "complex64", "complex128")


@pytest.fixture(scope="module")
def tf():
    tf = pytest.importorskip("tensorflow")
    tf.get_logger().setLevel("ERROR")
    return tf


@pytest.fixture(scope="module")
def loop_model(tmp_path_factory, tf):
    from tests.fixtures import models
    return models.tf1_loop_consts_frozen(tmp_path_factory.mktemp("loops"))


# ==============================================================================
# checking one unfrozen model against its frozen graph
# ==============================================================================

def frozen_graph_def(tf, path: Path):
    gd = tf.compat.v1.GraphDef()
    data = Path(path).read_bytes()
    try:
        gd.ParseFromString(data)
    except Exception:
        from google.protobuf import text_format
        gd = tf.compat.v1.GraphDef()
        text_format.Parse(data.decode("utf-8"), gd)
    return gd


def random_feeds(g, rng, shapes: dict | None = None) -> dict[str, np.ndarray]:
    """A value for each Placeholder (and ``_Arg``): unknown dimensions are 1, unknown
    shapes scalars, unless ``shapes`` says otherwise; float scalars are 1.0 (a keep_prob
    must keep everything), ints 0 or 1 (a token id, an index), bools False."""
    feeds = {}
    shapes = shapes or {}
    for op in g.ops:
        if op.type not in ("Placeholder", "_Arg"):
            continue
        a = op.attrs
        dtype, shape = a.get("dtype", a.get("T")), shapes.get(op.name, a.get("shape", []))
        if dtype in (None, "object", "string"):
            continue
        shape = [d if d >= 0 else 1 for d in shape or []]
        if dtype in ("float16", "float32", "float64", "bfloat16"):
            v = np.ones(shape) if not shape else rng.uniform(-1, 1, shape)
        elif dtype == "bool":
            v = np.zeros(shape, bool)
        elif dtype.startswith(("int", "uint")):
            v = rng.randint(0, 2, shape)
        else:
            continue
        feeds[op.name + ":0"] = np.asarray(v).astype(dtype)
    return feeds


def _output_candidates(graph, g, limit: int):
    """The graph's float outputs; for an output that is not float (ArgMax, a _Retval),
    the float tensors it is computed from."""
    seen, out = set(), []
    todo = [t for op in g.outputs for t in graph.get_operation_by_name(op.name).outputs]
    todo += [t for op in g.outputs for t in graph.get_operation_by_name(op.name).inputs
             if not graph.get_operation_by_name(op.name).outputs]
    while todo and len(out) < 4 * limit:
        t = todo.pop(0)
        if t.name in seen:
            continue
        seen.add(t.name)
        if t.dtype.is_floating and t.dtype.name in FLOATS:
            out.append(t)
        elif t.op.type not in ("Const", "Placeholder", "_Arg"):
            todo.extend(t.op.inputs)
    return out


def evaluable_outputs(tf, gd, g, feeds, limit: int = 6) -> dict[str, np.ndarray]:
    """Float outputs of the frozen graph that evaluate, the same way twice, on ``feeds``."""
    v1 = tf.compat.v1
    found = {}
    graph = tf.Graph()
    with graph.as_default():
        tf.import_graph_def(gd, name="")
        with v1.Session(graph=graph) as sess:
            for t in _output_candidates(graph, g, limit):
                try:
                    a = sess.run(t, feeds)
                    b = sess.run(t, feeds)
                except Exception:
                    continue
                a = np.asarray(a, np.float64)
                if a.size and np.isfinite(a).all() and np.array_equal(a, np.asarray(b, np.float64)):
                    found[t.name] = a
                if len(found) >= limit:
                    break
    return found


def expected_names(g, report: UnfreezeReport, weights=None) -> tuple[list[str], set[str]]:
    weights = g.weights if weights is None else weights
    chosen = [w for w in weights if w.dtype_name in FLOATS and w.available]
    names = [w.var_name if w.rule == "tf2-resource" else w.name for w in chosen]
    return names, {n for n, w in zip(names, chosen) if w.trainable}


def load_checkpoint(tf, outdir: Path):
    """The seed's load_model(model_dir): find the .meta and the checkpoint state's prefix
    (facenet's get_model_filenames), import_meta_graph, restore."""
    v1 = tf.compat.v1
    files = os.listdir(outdir)
    metas = [f for f in files if f.endswith(".meta")]
    assert len(metas) == 1, files
    state = v1.train.get_checkpoint_state(str(outdir))
    assert state and state.model_checkpoint_path
    ckpt = os.path.basename(state.model_checkpoint_path)
    graph = tf.Graph()
    with graph.as_default():
        saver = v1.train.import_meta_graph(str(outdir / metas[0]))
        sess = v1.Session(graph=graph)
        saver.restore(sess, str(outdir / ckpt))
    return graph, sess, saver, str(outdir / ckpt)


def check_unfrozen(tf, pb: Path, outdir: Path, report: UnfreezeReport, weights=None,
                   shapes: dict | None = None) -> dict:
    """(a), (b), (c) for one model. Returns what was checked."""
    v1 = tf.compat.v1
    g = open_model(pb)
    feeds = random_feeds(g, np.random.RandomState(0), shapes)
    gd = frozen_graph_def(tf, pb)
    ref = evaluable_outputs(tf, gd, g, feeds)
    names, trainable = expected_names(g, report, weights)

    graph, sess, saver, prefix = load_checkpoint(tf, outdir)
    done = {"outputs": 0, "trained": None}
    with graph.as_default(), sess:
        # (c) names, collections, and the placeholders still there
        assert [v.op.name for v in v1.global_variables()] == names == report.variables
        assert {v.op.name for v in v1.trainable_variables()} == trainable
        assert report.trainable == len(trainable)
        assert report.non_trainable == len(names) - len(trainable)
        for op in g.inputs:
            graph.get_operation_by_name(op.name)
        # (a) the same outputs
        if ref:
            got = sess.run(list(ref), feeds)
            for (name, want), have in zip(ref.items(), got):
                have = np.asarray(have, np.float64)
                scale = float(np.abs(want).max())
                diff = float(np.abs(have - want).max())
                assert diff <= 1e-5 * scale, f"{name}: max abs diff {diff} (scale {scale})"
            done["outputs"] = len(ref)
        # (b) one gradient step
        done["trained"] = _train_step(tf, graph, sess, saver, prefix, ref, feeds)
    return done


def _train_step(tf, graph, sess, saver, prefix, ref, feeds):
    v1 = tf.compat.v1
    tvars = v1.trainable_variables()
    if not tvars:
        return None
    for name in ref:
        t = graph.get_tensor_by_name(name)
        if t.dtype.is_complex or t.dtype.base_dtype not in (tf.float16, tf.float32, tf.float64,
                                                            tf.bfloat16):
            continue
        loss = tf.reduce_sum(tf.square(tf.cast(t, tf.float32)))
        try:
            grads = tf.gradients(loss, tvars)
        except (LookupError, ValueError, TypeError):
            continue
        pairs = [(gr, v) for gr, v in zip(grads, tvars) if gr is not None]
        if not pairs:
            continue
        lr = v1.placeholder(tf.float32, [], name="unfreeze_test_lr")
        step = v1.train.GradientDescentOptimizer(lr).apply_gradients(pairs)
        gvals = sess.run([gr for gr, _ in pairs], feeds)
        gvals = [getattr(gv, "values", gv) for gv in gvals]        # IndexedSlices: embeddings
        moved = [v for (gv, (_, v)) in zip(gvals, pairs) if np.any(np.asarray(gv) != 0)]
        if not moved:
            continue
        before = sess.run(moved)
        loss0 = sess.run(loss, feeds)
        for rate in (1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6):
            saver.restore(sess, prefix)
            sess.run(step, {**feeds, lr: rate})
            after = sess.run(moved)
            loss1 = sess.run(loss, feeds)
            if loss1 < loss0:
                changed = [v.op.name for v, a, b in zip(moved, before, after) if not np.array_equal(a, b)]
                assert changed, "the step changed no variable"
                return {"output": name, "variables": len(pairs), "changed": len(changed),
                        "loss": (float(loss0), float(loss1)), "lr": rate}
        pytest.fail(f"no step size lowered the loss of {name} ({loss0})")
    return None


def unfreeze_and_check(tf, pb, tmp_path, **kw):
    g = open_model(pb)
    out = tmp_path / "ckpt"
    report = unfreeze(g, out, **kw)
    assert sorted(os.listdir(out)) == ["checkpoint", "model.ckpt.data-00000-of-00001",
                                       "model.ckpt.index", "model.ckpt.meta"]
    assert report.outdir == str(out) and report.checkpoint == str(out / "model.ckpt")
    return report, check_unfrozen(tf, Path(pb), out, report, kw.get("weights"))


# ==============================================================================
# models made by TensorFlow
# ==============================================================================

def test_import_does_not_import_tensorflow():
    code = (PRELUDE + "import sys; import pbscope.core.unfreeze; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras')]; "
            "sys.exit(1 if bad else 0)")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_demo_model(tf, tmp_path):
    before = hashlib.sha256(DEMO.read_bytes()).hexdigest()
    report, done = unfreeze_and_check(tf, DEMO, tmp_path)
    assert hashlib.sha256(DEMO.read_bytes()).hexdigest() == before     # the input is untouched
    assert len(report.variables) == 67 and report.non_trainable == 26
    assert done["outputs"] >= 1 and done["trained"] and done["trained"]["changed"] >= 1


@pytest.mark.parametrize("key", ["tf1", "tf2", "rnn"])
def test_fixture_models(tf, tf_models, tmp_path, key):
    m = tf_models[key]
    report, done = unfreeze_and_check(tf, m["pb"], tmp_path)
    assert done["outputs"] >= 1
    assert done["trained"] is not None, "no gradient reached a variable"
    if key == "rnn":     # the cell's kernel is read inside the while loop: gradients reach it
        assert done["trained"]["variables"] == 4
    names = set(report.variables)
    if key == "tf2":
        assert {"conv1/kernel", "conv1_bn/gamma", "conv1_bn/moving_mean", "predictions/bias"} <= names
    else:
        assert names == {k[:-2] for k in m["weights"]}


def test_text_graph(tf, tf_models, tmp_path):
    report, done = unfreeze_and_check(tf, tf_models["tf1"]["pbtxt"], tmp_path)
    assert len(report.variables) == 17 and done["outputs"] >= 1 and done["trained"]


def test_constants_inside_while_loops(tf, loop_model, tmp_path):
    """Consts in a loop body (one and two loops deep) become variables read through Enter
    ops; gradients flow through both loops to each of them."""
    report, done = unfreeze_and_check(tf, loop_model["pb"], tmp_path)
    assert set(report.variables) == {"proj/kernel", "outer/recurrent_kernel",
                                     "outer/inner/inner_kernel", "outer/inner/inner_bias"}
    assert done["outputs"] == 1
    assert done["trained"]["variables"] == 4 and done["trained"]["changed"] == 4
    assert not report.notes


def test_batchnorm_statistics_are_not_trainable(tf, tf_models, tmp_path):
    for key, stats in (("tf1", "MobileNetV1/Conv2d_1_pointwise/BatchNorm/moving_mean"),
                       ("tf2", "conv_dw_1_bn/moving_variance")):
        out = tmp_path / key
        report = unfreeze(open_model(tf_models[key]["pb"]), out)
        graph, sess, _, _ = load_checkpoint(tf, out)
        with graph.as_default(), sess:
            glob = {v.op.name for v in tf.compat.v1.global_variables()}
            train = {v.op.name for v in tf.compat.v1.trainable_variables()}
        assert stats in glob and stats not in train
        assert {n for n in glob - train} == {n for n in glob if n.endswith(("moving_mean", "moving_variance"))}
        assert report.non_trainable == (6 if key == "tf1" else 4)


def test_tie_in_variables_equal_the_frozen_constants(tf, tf_models, tmp_path):
    """open_model → unfreeze → import_meta_graph + restore: each variable's value is the
    frozen graph's constant, bit for bit."""
    for key in ("tf1", "tf2", "rnn"):
        pb = tf_models[key]["pb"]
        out = tmp_path / key
        unfreeze(open_model(pb), out)
        fresh = open_model(pb)
        graph, sess, _, _ = load_checkpoint(tf, out)
        with graph.as_default(), sess:
            variables = tf.compat.v1.global_variables()
            values = sess.run(variables)
        assert len(variables) == len(fresh.weights)
        for v, value in zip(variables, values):
            w = fresh.find_weight(v.op.name)
            assert w is not None, v.op.name
            assert value.dtype == w.array().dtype
            np.testing.assert_array_equal(value, w.array())
        # pbscope's own checkpoint reader (no TensorFlow) sees the same variables and values
        try:
            ck = open_model(out)
        except PbscopeError:
            continue
        assert sorted(w.var_name for w in ck.weights) == sorted(v.op.name for v in variables)
        for w in ck.weights:
            frozen_w = fresh.find_weight(w.var_name)
            np.testing.assert_array_equal(w.array(), frozen_w.array())
            assert w.trainable == frozen_w.trainable, w.var_name


def test_every_float_dtype(tf, tf_models, tmp_path):
    """float16/bfloat16/float32/float64/complex weights become variables holding their
    exact bits (NaN and Inf too); int, bool, string and quantized ones stay constants."""
    pb = tf_models["dtypes"]["pb"]
    g = open_model(pb)
    report = unfreeze(g, tmp_path / "out")
    floats = [w for w in g.weights if w.dtype_name in FLOATS]
    assert report.variables == [w.name for w in floats]
    others = [w for w in g.weights if w.dtype_name not in FLOATS]
    assert others and len(report.skipped) == len(others)
    assert "not a float type" in report.summary()
    graph, sess, _, _ = load_checkpoint(tf, tmp_path / "out")
    with graph.as_default(), sess:
        variables = tf.compat.v1.global_variables()
        values = sess.run(variables)
        consts = {op.name for op in graph.get_operations() if op.type == "Const"}
    assert {w.name for w in others} <= consts
    for v, value in zip(variables, values):
        want = g.find_weight(v.op.name).array()
        assert value.dtype == want.dtype
        assert value.tobytes() == want.tobytes(), v.op.name
    with graph.as_default(), tf.compat.v1.Session(graph=graph) as sess:
        # the initializers are get_variable's zeros: a fresh start still works
        sess.run(tf.compat.v1.global_variables_initializer())
        for v, value in zip(variables, sess.run(variables)):
            assert value.shape == v.shape and not np.any(value.astype(np.complex128)), v.op.name
    json.dumps(report.as_dict(), allow_nan=False)


def test_in_a_worker_thread(tf, tf_models, tmp_path):
    """The GUI unfreezes off its own thread; TensorFlow's default graph is per thread."""
    import threading
    g = open_model(tf_models["rnn"]["pb"])
    box = {}

    def work():
        try:
            box["report"] = unfreeze(g, tmp_path / "out")
        except BaseException as e:  # noqa: BLE001 - handed to the test thread
            box["error"] = e
    t = threading.Thread(target=work)
    t.start()
    t.join(60)
    assert "error" not in box, box.get("error")
    check_unfrozen(tf, Path(g.path), tmp_path / "out", box["report"])


# ==============================================================================
# selection, output folder, failures
# ==============================================================================

@pytest.mark.parametrize("key, select, exclude, count", [
    ("tf1", ["MobileNetV1/Conv2d_0"], ["*/moving_variance"], 4),
    ("tf2", ["conv1_bn", "predictions/kernel"], [], 5),
])
def test_selected_subset_leaves_other_weights_constant(tf, tf_models, tmp_path, key, select, exclude,
                                                         count):
    pb = tf_models[key]["pb"]
    g = open_model(pb)
    chosen = cli.select_weights(g.weights, select, exclude)
    assert len(chosen) == count
    report, done = unfreeze_and_check(tf, pb, tmp_path, weights=chosen)
    assert report.variables == [w.var_name for w in chosen]
    assert done["outputs"] == 1 and done["trained"]
    graph, sess, _, _ = load_checkpoint(tf, tmp_path / "ckpt")
    sess.close()
    ops = {op.name: op.type for op in graph.get_operations()}
    for w in g.weights:
        if w in chosen:
            assert ops[w.var_name] == "VariableV2"
            assert w.rule != "tf2-resource" or w.name not in ops      # its readers were rewired
        else:
            assert ops[w.name] == "Const", w.name


def test_cli_unfreeze(tf, tf_models, tmp_path, capsys):
    pb = tf_models["tf2"]["pb"]
    out = tmp_path / "out"
    assert cli.main(["unfreeze", pb, "-o", str(out), "--select", "conv1_bn", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert set(d) == {"outdir", "checkpoint", "variables", "trainable", "non_trainable", "seconds"}
    assert d["variables"] == ["conv1_bn/moving_variance", "conv1_bn/gamma", "conv1_bn/beta",
                              "conv1_bn/moving_mean"]
    assert (d["trainable"], d["non_trainable"]) == (2, 2)
    assert cli.main(["unfreeze", pb, "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.strip() == f"pbscope: error: {out}: already exists; use --force to replace it"
    assert cli.main(["unfreeze", pb, "-o", str(out), "--force"]) == 0
    assert "unfroze 14 weights into variables (10 trainable, 4 not trainable)" in capsys.readouterr().out


def test_outdir_exists_needs_force(tf, tf_models, tmp_path):
    g = open_model(tf_models["rnn"]["pb"])
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(PbscopeError, match="already exists; use --force"):
        unfreeze(g, out)
    assert os.listdir(out) == ["keep.txt"]
    unfreeze(g, out, force=True)
    assert "keep.txt" not in os.listdir(out) and "model.ckpt.meta" in os.listdir(out)
    assert os.listdir(tmp_path) == ["out"]                 # no temporary folders left


def test_force_never_replaces_the_folder_holding_the_model(tf, tf_models, tmp_path):
    pb = Path(tf_models["tf1"]["pb"])
    with pytest.raises(PbscopeError, match="holds the model"):
        unfreeze(open_model(pb), pb.parent, force=True)
    assert pb.exists()


@pytest.mark.parametrize("force", [False, True])
def test_failure_midway_leaves_no_outdir(tf, tf_models, tmp_path, force):
    """Cancel while the values are being copied: no OUTDIR (or the old one, untouched),
    and no temporary folder left beside it."""
    g = open_model(tf_models["tf1"]["pb"])
    out = tmp_path / "out"
    if force:
        out.mkdir()
        (out / "old.txt").write_text("old")
    progress = Progress()
    stages = []

    def callback(fraction, text):
        stages.append(text)
        if fraction >= 0.2:
            progress.cancel()
    progress._callback = callback
    with pytest.raises(Cancelled):
        unfreeze(g, out, force=force, progress=progress)
    assert "importing the graph into TensorFlow" in stages
    if force:
        assert os.listdir(out) == ["old.txt"]
        assert os.listdir(tmp_path) == ["out"]
    else:
        assert os.listdir(tmp_path) == []


def test_a_weight_that_fails_to_decode_leaves_nothing(tf, tf_models, tmp_path, monkeypatch):
    g = open_model(tf_models["tf2"]["pb"])
    w = g.weights[-1]

    def broken(weight):
        raise PbscopeError(g.path, f"{weight.name}: corrupt")
    monkeypatch.setattr(g, "load_weight", broken)
    with pytest.raises(PbscopeError, match="corrupt"):
        unfreeze(g, tmp_path / "out", weights=[w])
    assert os.listdir(tmp_path) == []


def test_a_checkpoint_is_not_unfrozen_again(tf, tf_models, tmp_path):
    unfreeze(open_model(tf_models["rnn"]["pb"]), tmp_path / "ckpt")
    for path in (tmp_path / "ckpt", tmp_path / "ckpt" / "model.ckpt.meta"):
        try:
            g = open_model(path)
        except PbscopeError:
            continue          # a reader that does not open it yet
        with pytest.raises(PbscopeError) as e:
            unfreeze(g, tmp_path / "again")
        assert "unfreeze needs a frozen GraphDef" in _one_line(e.value, path)
        assert "variables already" in str(e.value)
    assert not (tmp_path / "again").exists()


def test_missing_parent_folder(tf_models, tmp_path):
    g = open_model(tf_models["tf1"]["pb"])
    with pytest.raises(PbscopeError, match="does not exist"):
        unfreeze(g, tmp_path / "no" / "such")


# ==============================================================================
# graphs that cannot be unfrozen: one clear line each
# ==============================================================================

def _write_graph(path: Path, build) -> Path:
    from pbscope.core import proto
    from tests.core.graphs import const, op
    gd = proto.GraphDef()
    gd.versions.producer = 1000
    build(gd, const, op)
    path.write_bytes(gd.SerializeToString())
    return path


def _one_line(e: PbscopeError, path: Path) -> str:
    msg = str(e)
    assert "\n" not in msg and msg.startswith(f"{path}: ")
    return msg


def test_no_float_weights(tmp_path):
    def build(gd, const, op):
        x = op(gd, "x", "Placeholder")
        x.attr["dtype"].type = 3
        const(gd, "table", np.arange(6, dtype=np.int32).reshape(2, 3))
        op(gd, "y", "MatMul", "x", "table").attr["T"].type = 3    # a kernel, but int32
    p = _write_graph(tmp_path / "ints.pb", build)
    g = open_model(p)
    assert g.weights
    with pytest.raises(PbscopeError) as e:
        unfreeze(g, tmp_path / "out")
    assert "no float weights to make trainable: the selected weight is int32" in _one_line(e.value, p)
    assert not (tmp_path / "out").exists()


def test_not_frozen(tmp_path):
    def build(gd, const, op):
        v = op(gd, "w", "VariableV2")
        v.attr["dtype"].type = 1
        v.attr["shape"].shape.dim.add(size=3)
        op(gd, "w/read", "Identity", "w")
        const(gd, "b", np.ones(3, np.float32))
    p = _write_graph(tmp_path / "vars.pb", build)
    with pytest.raises(PbscopeError) as e:
        unfreeze(open_model(p), tmp_path / "out")
    assert "the graph is not frozen: 1 of its weights are variables" in _one_line(e.value, p)


def test_custom_ops_are_named(tf, tmp_path):
    def build(gd, const, op):
        const(gd, "w", np.ones((2, 2), np.float32))
        op(gd, "w/read", "Identity", "w").attr["T"].type = 1
        op(gd, "y", "DescrptSeA", "w/read")
        op(gd, "z", "ProdForceSeA", "y")
    p = _write_graph(tmp_path / "custom.pb", build)
    with pytest.raises(PbscopeError) as e:
        unfreeze(open_model(p), tmp_path / "out")
    assert "uses ops stock TensorFlow does not know: DescrptSeA, ProdForceSeA" in _one_line(e.value, p)
    assert os.listdir(tmp_path) == ["custom.pb"]


# ==============================================================================
# the corpus: real graphs nobody here wrote
# ==============================================================================

ROWS = []
if (CORPUS / "SOURCES.tsv").exists():
    with open(CORPUS / "SOURCES.tsv", newline="") as f:
        ROWS = [r for r in csv.DictReader(f, delimiter="\t") if r["parsed_as"] in ("GraphDef", "GraphDef(text)")]

# The corpus graphs that must unfreeze: (variables, whether a gradient step must succeed).
# Each must also match the frozen graph on at least one output. stylize_quantized's
# float weights only feed eight-bit ops, which have no gradients.
CORPUS_EXPECT = {
    "canaree_stylize/app/src/main/assets/stylize_quantized.pb": (36, False),
    "char_rnn_lstm/frozen_model.pb": (7, True),                  # dynamic_rnn: a v1 while loop
    "char_rnn_lstm/frozen_model_mobile.pb": (7, True),
    "char_rnn_lstm/rnn_optimized_model.pb": (7, True),
    "char_rnn_lstm/rnn_optimized_model_mobile.pb": (7, True),
    "ngraph_bridge/test/test_axpy.pbtxt": (1, True),
    "ngraph_bridge/test/test_axpy_launchop.pbtxt": (1, True),   # _Arg/_Retval nodes
    "ngraph_bridge/test/test_general_graph.pbtxt": (2, True),
    "tf2onnx/tests/models/ae0/frozen.pb": (8, True),
    "tf2onnx/tests/models/fc-layers/frozen.pb": (6, True),
    "tf2onnx/tests/models/gru/frozen.pb": (6, True),
    "tf2onnx/tests/models/lstm/frozen.pb": (4, True),
    "tf2onnx/tests/models/regression/graphdef/frozen.pb": (2, True),
    "tf_mirror/tensorflow/compiler/mlir/lite/tests/end2end/conv_2d.pbtxt": (2, True),
    "tf_mirror/tensorflow/compiler/mlir/lite/tests/end2end/fake_quant_per_channel.pbtxt": (6, True),
    "tf_mirror/tensorflow/compiler/mlir/lite/tests/end2end/ophint_lstm.pbtxt": (27, True),
    "tf_mirror/tensorflow/compiler/mlir/tensorflow/tests/graphdef2mlir/const-values.pbtxt": (2, True),
    "tf_mirror/tensorflow/lite/python/testdata/permute.pbtxt": (1, True),
    "utensor_cgen/tests/deep_cnn/buggy.pb": (18, True),
    "utensor_cgen/tests/deep_cnn/cifar10_cnn.pb": (18, True),
    "utensor_cgen/tests/deep_mlp/simple_mnist.pb": (6, True),
    "utensor_cgen/tests/temp/deep_mlp.pb": (6, True),
    "utensor_cgen/tutorials/component_registration/models/cifar10_cnn.pb": (18, True),
}
# Refusals whose words the test pins (the others are checked by kind of graph)
CORPUS_REFUSALS = {
    "deepmd_cu_clusters/frozen_model.pb":
        "uses ops stock TensorFlow does not know: DescrptSeA, ProdForceSeA, ProdVirialSeA",
    "ngraph_bridge/test/test_axpy_const.pbtxt": "uses ops stock TensorFlow does not know: Constant",
    "graduation_thesis/TensorFlow/tutorial/models/test.pb": "the graph is not frozen",
    "utensor_cgen/simple_graph.pb": "no float weights to make trainable: the graph has no weights",
}
# Placeholders whose shape the file leaves unknown (or, in an old graph, says [] for)
CORPUS_SHAPES = {
    "tf2onnx/tests/models/gru/frozen.pb": {"X": [2, 28, 28]},
    "tf2onnx/tests/models/regression/graphdef/frozen.pb": {"X": [3]},
    "canaree_stylize/app/src/main/assets/stylize_quantized.pb": {"input": [1, 32, 32, 3]},
}


@pytest.mark.skipif(not ROWS, reason="../shared/corpus is not here")
@pytest.mark.parametrize("row", ROWS, ids=lambda r: r["path"])
def test_corpus_graph(tf, row, tmp_path):
    path = CORPUS / row["path"]
    try:
        g = open_model(path)
    except PbscopeError:
        pytest.skip("pbscope does not open it")
    out = tmp_path / "out"
    try:
        report = unfreeze(g, out)
    except PbscopeError as e:
        msg = _one_line(e, path)
        assert row["path"] not in CORPUS_EXPECT, msg
        assert CORPUS_REFUSALS.get(row["path"], "") in msg
        assert not out.exists() and os.listdir(tmp_path) == []
        floats = [w for w in g.weights if w.dtype_name in FLOATS]
        if any(w.rule == "variable" for w in g.weights):
            assert "the graph is not frozen" in msg
        elif not floats:
            assert "no float weights to make trainable" in msg
        else:
            assert "uses ops stock TensorFlow does not know" in msg
        print(f"{row['path']}: refused: {e.cause}")
        return
    assert row["path"] not in CORPUS_REFUSALS
    done = check_unfrozen(tf, path, out, report, shapes=CORPUS_SHAPES.get(row["path"]))
    print(f"{row['path']}: {len(report.variables)} variables, {done}")
    if row["path"] in CORPUS_EXPECT:
        count, trains = CORPUS_EXPECT[row["path"]]
        assert len(report.variables) == count
        assert done["outputs"] >= 1
        assert bool(done["trained"]) == trains
