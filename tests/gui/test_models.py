"""Every kind of model opens in the window: SavedModels (functions, signatures), TF1
checkpoints (variables valued from the checkpoint, optimizer slots kept apart),
weights files, graphs whose weights have no values; the model summary and the way
back to it. Corpus files are read in place (skipped where the corpus is absent)."""
from __future__ import annotations

import os

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QFileDialog

from pbscope.core import proto
from pbscope.core.export import export_weights
from pbscope.core.formats import open_model
from pbscope.gui.details import MODEL, model_name

from .conftest import CORPUS

SAVEDMODEL = (CORPUS / "tfserving/tensorflow_serving/servables/tensorflow/testdata"
              / "saved_model_half_plus_two_tf2_cpu/00000123")
HOUSEPRICES = CORPUS / "houseprices"
MNIST_NO_DATA = CORPUS / "daviesx_mnist" / "cnn.ckpt.index"   # .index/.meta, data shard missing


def needs(path):
    return pytest.mark.skipif(not path.exists(), reason=f"corpus file {path} not present")


def open_in(win, qtbot, path):
    with qtbot.waitSignal(win.model_shown, timeout=15_000):
        win.open_path(str(path))
    return win.graph


def index_of(win, path):
    scope = win.tree_model.find(path)
    assert scope is not None, path
    idx = win.tree_model.index_of(scope)
    assert idx.isValid(), path
    return idx


def unfrozen_graph(tmp_path):
    """A GraphDef with one Const weight (a/w + a/w/read) and one VariableV2 (a/var) whose
    values are in no file."""
    gd = proto.GraphDef()
    n = gd.node.add()
    n.name, n.op = "a/w", "Const"
    n.attr["dtype"].type = 1
    t = n.attr["value"].tensor
    t.dtype = 1
    t.tensor_shape.dim.add().size = 3
    t.tensor_content = np.arange(3, dtype=np.float32).tobytes()
    r = gd.node.add()
    r.name, r.op = "a/w/read", "Identity"
    r.input.append("a/w")
    v = gd.node.add()
    v.name, v.op = "a/var", "VariableV2"
    v.attr["dtype"].type = 1
    v.attr["shape"].shape.dim.add().size = 4
    path = tmp_path / "unfrozen.pb"
    path.write_bytes(gd.SerializeToString())
    return path


# -- opening -----------------------------------------------------------------------------------

def test_open_dialog_offers_every_kind(window, monkeypatch):
    seen = {}

    def fake(parent, caption, folder, filters, *a, **k):
        seen["filters"] = filters
        return "", ""
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(fake))
    window.act_open.trigger()
    first = seen["filters"].split(";;")[0]
    for pattern in ("*.pb", "*.pbtxt", "*.index", "*.meta", "checkpoint", "*.pkl", "*.npz", "*.safetensors",
                    "*.npy"):
        assert pattern in first, pattern
    assert "saved_model.pb" in seen["filters"]
    assert window.act_open_folder.shortcut().toString() == "Ctrl+Shift+O"


@needs(SAVEDMODEL)
def test_open_folder_opens_a_savedmodel_with_functions(window, qtbot, monkeypatch):
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(SAVEDMODEL)))
    with qtbot.waitSignal(window.model_shown, timeout=15_000):
        window.act_open_folder.trigger()
    g = window.graph
    assert g.format == "SavedModel" and g.function_ops
    assert window.windowTitle() == "saved_model_half_plus_two_tf2_cpu/00000123 — pbscope"
    # the filter covers the ops inside functions too
    assert window.filter_bar.count.text() == f"{len(g.ops) + len(g.function_ops)} ops"
    fn = g.function_ops[-1].name.split("/")[0]
    top = index_of(window, fn)
    assert top.siblingAtColumn(1).data().startswith("function · ")
    window.filter_bar.edit.setText(fn)
    window.filter_bar.flush()
    shown = int(window.filter_bar.count.text().split()[0])
    assert shown >= sum(1 for op in g.function_ops if op.name.startswith(fn + "/"))
    assert window.navigate(g.function_ops[-1].name)
    assert "function" in window.details.toPlainText() or "Model" in window.details.toPlainText()
    # Variable ops that are weights: VarHandleOp valued from the checkpoint, raw key in the details
    w = next(w for w in g.weights if w.raw_key)
    assert w.op.type == "VarHandleOp" and w.rule == "checkpoint"
    with qtbot.waitSignal(window.preview.ready, timeout=15_000):
        window.navigate(w.name)
    text = window.details.toPlainText()
    assert "Checkpoint key" in text and w.raw_key in text
    assert window.preview.body.currentIndex() == 0


@needs(SAVEDMODEL)
def test_savedmodel_summary_signatures_and_links(window, qtbot):
    g = open_in(window, qtbot, SAVEDMODEL)
    text = window.details.toPlainText()
    for expected in ("Format", "SavedModel", "Tags", "serve", "29 in the graph", "inside 14 functions",
                     f"Signatures ({len(g.signatures)})", "serving_default", "tensorflow/serving/predict",
                     "Inputs (", "Outputs (", "Notes"):
        assert expected in text, expected
    for note in g.notes:
        assert note in text
    # signature tensors and inputs are links to their ops
    targets = window.details.link_targets()
    assert "serving_default_x" in targets and "StatefulPartitionedCall_5" in targets
    i = targets.index("serving_default_x")
    window.details.anchorClicked.emit(QUrl(f"go:{i}"))
    assert window.current_scope().path == "serving_default_x"
    # the "Model" crumb leads back to the summary; Back returns to the op
    crumbs = window.details.link_targets()
    assert crumbs[0] == MODEL
    window.details.anchorClicked.emit(QUrl("go:0"))
    assert window.current_scope() is None
    assert "Signatures" in window.details.toPlainText()
    window.act_back.trigger()
    assert window.current_scope().path == "serving_default_x"
    window.act_back.trigger()
    assert window.current_scope() is None and "Signatures" in window.details.toPlainText()
    window.act_forward.trigger()
    window.act_model.trigger()          # Go ▸ Model Summary
    assert window.current_scope() is None and "Signatures" in window.details.toPlainText()


@needs(SAVEDMODEL)
def test_unsaved_variable_is_kept_apart_and_has_no_values(window, qtbot):
    g = open_in(window, qtbot, SAVEDMODEL)
    w = next(w for w in g.extra_weights if not w.available)       # "Variable": the saver skips it
    idx = index_of(window, w.name)
    assert not (window.tree_model.flags(idx) & Qt.ItemIsUserCheckable)
    assert idx.data(Qt.ForegroundRole) is not None                  # greyed
    assert idx.data(Qt.FontRole).italic()                            # kept apart
    assert w.error in idx.data(Qt.ToolTipRole)
    with qtbot.waitSignal(window.preview.failed, timeout=5_000):
        window.navigate(w.name)
    p = window.preview
    assert p.body.currentIndex() == 1 and w.error in p.no_values.text()
    assert "without values" in window.ticked_label.text()


@needs(HOUSEPRICES)
def test_checkpoint_optimizer_slots_kept_apart(window, qtbot, tmp_path):
    g = open_in(window, qtbot, HOUSEPRICES)
    assert g.format.startswith("TF1 checkpoint") and g.extra_weights
    sel = window.selection
    # the default selection and Tick All leave the kept-apart ones out
    assert len(sel) == len(g.weights) and not any(w.name in sel for w in g.extra_weights)
    window.tick_none()
    window.tick_all()
    assert sel.names() == {w.name for w in g.weights}
    slot = g.weight_of("Variable_2/Adam")
    assert slot in g.extra_weights
    idx = index_of(window, slot.name)
    assert idx.data(Qt.FontRole).italic()
    assert "kept apart: not exported by default" in idx.data(Qt.ToolTipRole)
    assert idx.data(Qt.CheckStateRole) == Qt.Unchecked
    # a weight's box ticks its ordinary weight only, not the slots under it
    owner = index_of(window, slot.name.rsplit("/", 1)[0])
    window.tree_model.setData(owner, Qt.Unchecked, Qt.CheckStateRole)
    window.tree_model.setData(owner, Qt.Checked, Qt.CheckStateRole)
    assert slot.name not in sel
    # ticked by hand, it is exported
    window.tree_model.setData(idx, Qt.Checked, Qt.CheckStateRole)
    assert slot.name in sel and "+ 1 kept apart" in window.ticked_label.text()
    window.tick_invert()                    # invert leaves the kept-apart pool alone
    assert slot.name in sel
    window.tick_all()
    with qtbot.waitSignal(window.export_done, timeout=15_000) as sig:
        window.export()
    report = sig.args[0]
    assert report.count == len(g.weights) + 1
    assert os.path.basename(report.path) == "houseprices_weights.pkl"
    # details and preview of a slot
    with qtbot.waitSignal(window.preview.ready, timeout=15_000):
        window.navigate(slot.name)
    assert "Kept apart" in window.details.toPlainText()
    # "Tick matches" on a filter matching weights and slots ticks the weights only
    window.tick_none()
    window.filter_bar.edit.setText(slot.name.rsplit("/", 1)[0])
    window.filter_bar.flush()
    window.tick_matches()
    assert sel.names() == {slot.name.rsplit("/", 1)[0]}
    # …and a filter matching slots alone ticks them
    window.filter_bar.edit.setText("/Adam_1")
    window.filter_bar.flush()
    window.tick_matches()
    assert {w.name for w in g.extra_weights if w.name.endswith("/Adam_1")} <= sel.names()


@needs(HOUSEPRICES)
def test_checkpoint_prefix_opens(window, qtbot):
    g = open_in(window, qtbot, HOUSEPRICES / "model.ckpt")
    assert g.weights and all(w.rule == "checkpoint" for w in g.weights)
    assert all(w.op.type in ("VariableV2", "VarHandleOp", "Variable") for w in g.weights)


@needs(MNIST_NO_DATA)
def test_checkpoint_without_data_greys_weights(window, qtbot):
    g = open_in(window, qtbot, MNIST_NO_DATA)
    assert g.weights and not any(w.available for w in g.weights)
    assert len(window.selection) == 0
    assert not window.act_export.isEnabled()
    n = len(g.weights) + len(g.extra_weights)
    assert f"{n} without values" in window.ticked_label.text()
    assert "Without values" in window.details.toPlainText()
    w = g.weights[0]
    idx = index_of(window, w.name)
    assert not (window.tree_model.flags(idx) & Qt.ItemIsUserCheckable)
    window.tick_all()
    assert len(window.selection) == 0


def test_unavailable_weight_preview_shows_why(window, qtbot, tmp_path):
    path = unfrozen_graph(tmp_path)
    g = open_in(window, qtbot, path)
    var = g.weight_of("a/var")
    assert not var.available
    with qtbot.waitSignal(window.preview.failed, timeout=5_000):
        window.navigate("a/var")
    p = window.preview
    assert p.isVisible() and p.body.currentIndex() == 1
    assert var.error in p.no_values.text() and not p.stats_box.isVisible()
    assert "none:" in window.details.toPlainText()
    # a weight with values shows plots again
    with qtbot.waitSignal(window.preview.ready, timeout=10_000):
        window.navigate("a/w")
    assert p.body.currentIndex() == 0 and p.stats_box.isVisible()
    # export leaves it out and says so
    with qtbot.waitSignal(window.export_done, timeout=10_000) as sig:
        window.export()
    assert sig.args[0].count == 1
    assert "1 weight without values left out" in window.statusBar().currentMessage()


def test_weights_file_opens_as_a_model(window, qtbot, tmp_path, demo_path):
    src = open_model(demo_path)
    out = tmp_path / "weights.npz"
    export_weights(src.weights, out)
    g = open_in(window, qtbot, out)
    assert {op.type for op in g.ops} == {"Tensor"}
    assert window.tree_model.rowCount() == 1 and index_of(window, "MobileNetV1").isValid()
    assert len(window.selection) == len(src.weights)
    text = window.details.toPlainText()
    assert "Outputs" not in text and "Inputs" not in text     # every tensor would be one
    w = g.weights[0]
    with qtbot.waitSignal(window.preview.ready, timeout=10_000):
        window.navigate(w.name)
    np.testing.assert_array_equal(window.preview.data.array, src.find_weight(w.key).array())


@needs(SAVEDMODEL)
def test_drop_a_folder_opens_it(window, qtbot):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(SAVEDMODEL))])
    event = QDropEvent(QPointF(10, 10), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    with qtbot.waitSignal(window.model_shown, timeout=15_000):
        window.dropEvent(event)
    assert window.graph.format == "SavedModel"


def test_model_name():
    assert model_name("/a/b/half_plus_two/00000123") == "half_plus_two/00000123"
    assert model_name("/a/b/model.pb") == "model.pb"
    assert model_name("/a/b/folder/") == "folder"
