"""The main window end to end: open, filter, tick, export, navigate, errors, screenshot."""
from __future__ import annotations

import os
import pickle
import subprocess
import sys

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QImage
from PySide6.QtWidgets import QFileDialog

from pbscope.core.errors import PbscopeError
from pbscope.core.formats import open_model
from tests.procs import PRELUDE

from .conftest import ROOT


def ancestors(name: str):
    parts = name.split("/")
    return {"/".join(parts[:i]) for i in range(1, len(parts))}


def expected_visible(names):
    out = set(names)
    for n in names:
        out |= ancestors(n)
    return out


def shown_paths(win) -> set[str]:
    win.tree.expandAll()
    return set(win.visible_paths())


def index_of(win, path):
    scope = win.tree_model.find(path)
    assert scope is not None, path
    idx = win.tree_model.index_of(scope)
    assert idx.isValid(), path
    return idx


# -- opening ---------------------------------------------------------------------------------

def test_open_demo_fills_tree_title_and_status(demo, demo_path):
    g = demo.graph
    assert demo.windowTitle() == "demo_mobilenet_v1.pb — pbscope"
    assert demo.tree_model.rowCount() == len(g.root.rows)
    assert demo.filter_bar.count.text() == f"{len(g.ops)} ops"
    # everything is ticked on open, so one click exports every weight
    assert len(demo.selection) == len(g.weights)
    assert demo.ticked_label.text().startswith(f"Ticked {len(g.weights)} of {len(g.weights)} weights")
    assert demo.act_export.isEnabled()
    assert demo.recent_files()[0] == os.path.abspath(demo_path)
    # the first level of the model scope is open
    top = index_of(demo, "MobileNetV1")
    assert demo.tree.isExpanded(top)


def test_open_bad_file_shows_one_line_and_app_keeps_working(window, qtbot, tmp_path, demo_path):
    bad = tmp_path / "garbage.pb"
    bad.write_bytes(np.random.default_rng(1).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    with pytest.raises(PbscopeError) as expected:
        open_model(str(bad))
    with qtbot.waitSignal(window.error_shown, timeout=10_000) as sig:
        window.open_path(bad)
    assert sig.args == [str(expected.value)]
    box = window.error_box
    assert box is not None and box.isVisible()
    assert box.text() == str(expected.value)
    assert "\n" not in box.text()
    assert str(bad) in box.text()
    assert expected.value.cause in box.detailedText()
    box.close()
    assert window.graph is None
    # still usable: the demo opens afterwards
    with qtbot.waitSignal(window.model_shown, timeout=10_000):
        window.open_path(demo_path)
    assert window.graph is not None and len(window.graph.ops) > 0


def test_open_missing_file_error(window, qtbot, tmp_path):
    missing = tmp_path / "nope.pb"
    with qtbot.waitSignal(window.error_shown, timeout=10_000) as sig:
        window.open_path(missing)
    assert sig.args[0].startswith(str(missing) + ": ")


def test_bad_file_keeps_the_open_model(demo, qtbot, tmp_path):
    bad = tmp_path / "empty.pb"
    bad.write_bytes(b"\xff\xff\xff\xff")
    g = demo.graph
    with qtbot.waitSignal(demo.error_shown, timeout=10_000):
        demo.open_path(bad)
    assert demo.graph is g
    assert demo.tree_model.rowCount() == len(g.root.rows)


def test_cancel_open(window, qtbot, monkeypatch, demo_path):
    import time

    import pbscope.gui.main_window as mw

    def slow_open(path, progress):
        while True:
            progress.report(0.3, "reading")
            time.sleep(0.01)
    monkeypatch.setattr(mw, "open_model", slow_open)
    window.open_path(demo_path)
    assert window.cancel_button.isVisible() and window.progress_bar.isVisible()
    with qtbot.waitSignal(window._task.signals.cancelled, timeout=5_000):
        window.cancel_button.click()
    assert window.graph is None
    assert not window.progress_bar.isVisible()
    assert "cancelled" in window.statusBar().currentMessage()


def test_drop_a_file_opens_it(window, qtbot, demo_path):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(demo_path)])
    event = QDropEvent(QPointF(10, 10), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    with qtbot.waitSignal(window.model_shown, timeout=10_000):
        window.dropEvent(event)
    assert window.graph.path == demo_path


def test_recent_files_menu(demo, demo_path):
    demo._fill_recent()
    actions = [a for a in demo.recent_menu.actions() if a.toolTip() == os.path.abspath(demo_path)]
    assert actions and actions[0].isEnabled()


# -- filtering ---------------------------------------------------------------------------------

def test_filter_as_you_type(demo, qtbot):
    g = demo.graph
    qtbot.keyClicks(demo.filter_bar.edit, "Conv2d_1")
    matched = [op.name for op in g.ops if "conv2d_1" in op.name.lower()]
    assert matched
    assert demo.filter_bar.count.text() == f"{len(matched)} of {len(g.ops)} ops"
    assert shown_paths(demo) == expected_visible(matched)
    # Esc clears (the window-wide shortcut)
    demo.act_clear_filter.trigger()
    assert demo.filter_bar.edit.text() == ""
    assert demo.filter_bar.count.text() == f"{len(g.ops)} ops"
    assert len(shown_paths(demo)) == len(list(g.root.walk())) - 1


def test_filter_reveals_matches(demo, qtbot):
    demo.filter_bar.edit.setText("depthwise_weights")
    demo.filter_bar.flush()
    first = next(op.name for op in demo.graph.ops if op.name.endswith("depthwise_weights"))
    idx = index_of(demo, first)
    assert demo.tree.isExpanded(idx.parent())


def test_filter_modes_type_and_weights_only(demo):
    g = demo.graph
    bar = demo.filter_bar
    bar.mode.setCurrentIndex(bar.mode.findData("regex"))
    bar.edit.setText(r"Conv2d_[23]_pointwise/weights$")
    bar.flush()
    want = [op.name for op in g.ops if op.name.endswith("/weights") and
            ("Conv2d_2_pointwise" in op.name or "Conv2d_3_pointwise" in op.name)]
    assert len(want) == 2
    assert shown_paths(demo) == expected_visible(want)

    bar.mode.setCurrentIndex(bar.mode.findData("glob"))
    bar.edit.setText("Conv2d_0/*/gamma")
    bar.flush()
    assert shown_paths(demo) == expected_visible(["MobileNetV1/Conv2d_0/BatchNorm/gamma"])

    bar.edit.setText("")
    bar.types.setCurrentIndex(bar.types.findData("DepthwiseConv2dNative"))
    want = [op.name for op in g.ops if op.type == "DepthwiseConv2dNative"]
    assert bar.count.text() == f"{len(want)} of {len(g.ops)} ops"
    assert shown_paths(demo) == expected_visible(want)

    bar.types.setCurrentIndex(0)
    bar.weights_only.setChecked(True)
    want = [w.name for w in g.weights]
    assert bar.count.text() == f"{len(want)} of {len(g.ops)} ops"
    assert shown_paths(demo) == expected_visible(want)


def test_bad_regex_keeps_last_filter(demo):
    bar = demo.filter_bar
    bar.edit.setText("Relu6")
    bar.flush()
    before = shown_paths(demo)
    bar.mode.setCurrentIndex(bar.mode.findData("regex"))
    bar.edit.setText("Relu6(")
    bar.flush()
    assert bar.count.text() == "invalid pattern"
    assert "regular expression" in bar.count.toolTip()
    assert shown_paths(demo) == before


def test_highlight_spans():
    from pbscope.gui.op_tree import FilterQuery, compile_query, highlight_spans
    p = compile_query(FilterQuery("conv2d_1"))
    assert highlight_spans(p, "M/Conv2d_1_depthwise", "Conv2d_1_depthwise") == [(0, 8)]
    assert highlight_spans(p, "M/Conv2d_1_depthwise/weights", "weights") == []
    g = compile_query(FilterQuery("weights", mode="glob"))
    assert g.search("a/b/weights") and not g.search("a/b/depthwise_weights")


def test_tick_matches(demo):
    demo.tick_none()
    assert len(demo.selection) == 0
    demo.filter_bar.edit.setText("Conv2d_1_pointwise")
    demo.filter_bar.flush()
    demo.filter_bar.tick.click()
    scope = demo.graph.root.find("MobileNetV1/Conv2d_1_pointwise")
    assert demo.selection.names() == {w.name for w in scope.weights()}


# -- ticking ---------------------------------------------------------------------------------------

def test_tick_scope_with_space_is_tristate(demo, qtbot):
    demo.tick_none()
    assert not demo.act_export.isEnabled()
    assert "Nothing is ticked" in demo.act_export.toolTip()
    path = "MobileNetV1/Conv2d_3_depthwise"
    scope = demo.graph.root.find(path)
    idx = index_of(demo, path)
    demo.tree.setCurrentIndex(idx)
    demo.tree.setFocus()
    qtbot.keyClick(demo.tree, Qt.Key_Space)
    weights = scope.weights()
    assert len(weights) == 5
    assert demo.selection.names() == {w.name for w in weights}
    assert idx.data(Qt.CheckStateRole) == Qt.Checked
    top = index_of(demo, "MobileNetV1")
    assert top.data(Qt.CheckStateRole) == Qt.PartiallyChecked
    w_idx = index_of(demo, weights[0].name)
    assert w_idx.data(Qt.CheckStateRole) == Qt.Checked
    params = sum(w.size for w in weights)
    assert demo.selection.params == params
    assert demo.ticked_label.text().startswith(f"Ticked 5 of {len(demo.graph.weights)} weights")
    assert demo.act_export.isEnabled()
    # unticking one weight makes the scope partial; ticking the scope again fills it
    demo.tree_model.setData(w_idx, Qt.Unchecked, Qt.CheckStateRole)
    assert idx.data(Qt.CheckStateRole) == Qt.PartiallyChecked
    demo.tree_model.setData(idx, Qt.Checked, Qt.CheckStateRole)
    assert len(demo.selection) == 5
    qtbot.keyClick(demo.tree, Qt.Key_Space)   # checked → unchecked
    assert len(demo.selection) == 0


def test_select_all_none_invert(demo):
    n = len(demo.graph.weights)
    demo.act_tick_none.trigger()
    assert len(demo.selection) == 0
    demo.act_tick_invert.trigger()
    assert len(demo.selection) == n
    demo.selection.set_ticked(demo.graph.weights[:3], False)
    demo.act_tick_invert.trigger()
    assert demo.selection.names() == {w.name for w in demo.graph.weights[:3]}
    demo.act_tick_all.trigger()
    assert len(demo.selection) == n
    assert demo.selection.nbytes == demo.graph.nbytes


# -- export ------------------------------------------------------------------------------------------

def test_export_button_writes_seed_pickle(demo, qtbot, tmp_path):
    demo.tick_none()
    scope = demo.graph.root.find("MobileNetV1/Conv2d_1_pointwise")
    demo.selection.set_ticked(scope.weights(), True)
    with qtbot.waitSignal(demo.export_done, timeout=15_000) as sig:
        demo.act_export.trigger()
    report = sig.args[0]
    out = tmp_path / "demo_mobilenet_v1_weights.pkl"
    assert report.path == str(out) and out.is_file()
    with open(out, "rb") as f:
        data = pickle.load(f)
    assert set(data) == {w.key for w in scope.weights()}
    for k, v in data.items():
        np.testing.assert_array_equal(v, demo.graph.find_weight(k).array())
    msg = demo.statusBar().currentMessage()
    assert str(out) in msg and f"{len(data)} tensors" in msg
    assert not demo.progress_bar.isVisible()


def test_export_with_nothing_ticked_writes_nothing(demo, tmp_path):
    demo.tick_none()
    assert demo.export() is None
    assert "Nothing is ticked" in demo.statusBar().currentMessage()
    assert not list(tmp_path.glob("*.pkl"))


def test_export_as_npz(demo, qtbot, tmp_path, monkeypatch):
    target = tmp_path / "sub" / "picked"
    target.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(target), "NumPy .npz archive (*.npz)")))
    with qtbot.waitSignal(demo.export_done, timeout=15_000) as sig:
        demo.act_export_as.trigger()
    assert sig.args[0].path == str(target) + ".npz"
    with np.load(str(target) + ".npz") as z:
        assert set(z.files) == {w.key for w in demo.graph.weights}
    # the next one-click export lands in the folder picked last
    assert demo.export_folder() == str(tmp_path / "sub")


def test_export_error_is_one_line(demo, qtbot, tmp_path):
    with qtbot.waitSignal(demo.error_shown, timeout=10_000) as sig:
        demo.export_to(str(tmp_path / "no" / "such" / "dir" / "x.pkl"), "pkl")
    assert sig.args[0].startswith(str(tmp_path / "no"))
    assert demo.error_box.text() == sig.args[0]


# -- details and navigation ----------------------------------------------------------------------------

def test_navigate_via_input_link_and_history(demo, qtbot):
    conv = next(op for op in demo.graph.ops if op.type == "Conv2D")
    assert demo.navigate(conv.name)
    assert demo.current_scope().path == conv.name
    html = demo.details.toPlainText()
    assert conv.type in html and "Inputs (2)" in html
    src = conv.input_ops[1]
    targets = demo.details.link_targets()
    assert src in targets
    demo.details.anchorClicked.emit(QUrl(f"go:{targets.index(src)}"))
    assert demo.current_scope().path == src
    # a consumer link leads back
    assert conv.name in demo.details.link_targets()
    demo.act_back.trigger()
    assert demo.current_scope().path == conv.name
    demo.act_forward.trigger()
    assert demo.current_scope().path == src
    assert demo.act_back.shortcut().toString() == "Alt+Left"
    assert demo.act_forward.shortcut().toString() == "Alt+Right"


def test_link_to_op_hidden_by_filter_clears_it(demo):
    demo.filter_bar.edit.setText("Conv2d_0/Conv2D")
    demo.filter_bar.flush()
    demo.navigate("MobileNetV1/Conv2d_0/Conv2D")
    src = demo.graph.get("MobileNetV1/Conv2d_0/Conv2D").input_ops[0]
    assert demo.navigate(src)
    assert demo.current_scope().path == src
    assert demo.filter_bar.edit.text() == ""


def test_scope_details_and_summary(demo):
    assert "Op types" in demo.details.toPlainText()   # the model summary
    demo.navigate("MobileNetV1/Conv2d_0")
    text = demo.details.toPlainText()
    assert "Children" in text and "Ticked" in text
    assert not demo.preview.isVisible()


# -- preview -------------------------------------------------------------------------------------------

def _preview(win, qtbot, name):
    with qtbot.waitSignal(win.preview.ready, timeout=15_000):
        win.navigate(name)
    return win.preview


def test_preview_stats_plots_and_table(demo, qtbot):
    w = next(w for w in demo.graph.weights if len(w.shape) == 4 and w.shape[0] == 3)
    p = _preview(demo, qtbot, w.name)
    a = w.array()
    assert p.isVisible()
    assert p.stat_values["min"].text() == f"{float(a.min()):.6g}"
    assert p.stat_values["max"].text() == f"{float(a.max()):.6g}"
    assert float(p.stat_values["std"].text()) == pytest.approx(float(a.std()), rel=1e-4)
    assert p.stat_values["NaN"].text() == "0"
    counts, edges = p.data.hist
    assert counts.sum() == a.size
    assert p.heat_image.image.shape == a.shape[-2:]
    assert p.filter_stack.currentIndex() == 0 and p.data.mosaic is not None
    m = p.table_model
    assert m.total_rows() == a.size // a.shape[-1]
    assert m.data(m.index(0, 0)) == f"{float(a.reshape(-1, a.shape[-1])[0, 0]):.6g}"
    assert m.headerData(1, Qt.Vertical) == "[0, 0, 1, :]"
    # the index sliders move the heat-map slice
    p.set_slice((1, 2))
    np.testing.assert_array_equal(p.heat_image.image, a[1, 2].astype(np.float32))


def test_preview_ignores_stale_results(demo, qtbot):
    ws = demo.graph.weights
    demo.navigate(ws[0].name)
    with qtbot.waitSignal(demo.preview.ready, timeout=15_000) as sig:
        demo.navigate(ws[1].name)
    # the last selection wins, whatever order the workers finished in
    qtbot.wait(100)
    assert demo.preview.data.weight is ws[1]
    assert sig.args == [ws[1].name]


def test_screenshot_is_not_blank(demo, qtbot, tmp_path):
    demo.resize(1400, 850)
    demo.filter_bar.edit.setText("Conv2d_1")
    demo.filter_bar.flush()
    w = next(w for w in demo.graph.weights if "Conv2d_1" in w.name and len(w.shape) == 4)
    p = _preview(demo, qtbot, w.name)
    p.tabs.setCurrentIndex(1)   # the heat map
    qtbot.wait(200)
    out = tmp_path / "window.png"
    assert demo.grab().save(str(out))
    img = QImage(str(out)).convertToFormat(QImage.Format_RGB32)
    assert img.width() >= 1000 and img.height() >= 600
    ptr = img.constBits()
    arr = np.frombuffer(ptr, dtype=np.uint32, count=img.width() * img.height())
    assert len(np.unique(arr)) > 300


def test_dark_theme(demo, qtbot):
    from PySide6.QtGui import QGuiApplication, QPalette
    try:
        demo.set_theme("dark")
        assert QGuiApplication.palette().color(QPalette.Base).lightness() < 80
        w = demo.graph.weights[0]
        _preview(demo, qtbot, w.name)
        img = demo.grab().toImage()
        assert img.pixelColor(img.width() // 4, img.height() // 2).lightness() < 110
    finally:
        demo.set_theme("light")


# -- process level -----------------------------------------------------------------------------------

def test_main_paints_demo_without_tensorflow(demo_path, tmp_path):
    code = (PRELUDE + "import sys; from pbscope.gui.app import main; rc = main(sys.argv[1]); "
            "bad = [m for m in sys.modules if m.split('.')[0] == 'tensorflow']; "
            "print('TF', bad); sys.exit(rc)")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PBSCOPE_BENCH_FIRST_PAINT="1",
               XDG_CONFIG_HOME=str(tmp_path), HOME=str(tmp_path))
    r = subprocess.run([sys.executable, "-c", code, demo_path], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "PBSCOPE_FIRST_PAINT" in r.stdout
    assert "TF []" in r.stdout


def test_gui_never_imports_tensorflow():
    code = (PRELUDE + "import sys, pbscope.gui.app, pbscope.gui.main_window, pbscope.gui.preview, "
            "pbscope.gui.op_tree, pbscope.gui.details, pbscope.gui.workers; "
            "sys.exit(1 if any(m.split('.')[0] == 'tensorflow' for m in sys.modules) else 0)")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                       env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    assert r.returncode == 0, r.stderr


def test_closing_the_window_unfreezes_the_collector(app, qtbot, demo_path):
    """Loading freezes the graph's objects out of the collector's sweeps (gc.freeze); closing
    the window gives them back."""
    import gc

    from pbscope.gui.main_window import MainWindow
    win = MainWindow()
    win.show()
    with qtbot.waitSignal(win.model_shown, timeout=15_000):
        win.open_path(demo_path)
    assert gc.get_freeze_count() > 0
    win.close()
    assert gc.get_freeze_count() == 0
    win.deleteLater()
