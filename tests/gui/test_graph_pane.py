"""The graph pane (pytest-qt, offscreen): shown by View ▸ Graph, laid out off the GUI
thread, opened and closed in place, and kept in step with the tree, details, filter,
ticks and history."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtSvg import QSvgRenderer

from pbscope.core.formats import open_model

TIMEOUT = 15_000


def _laid_out(window, qtbot, action):
    with qtbot.waitSignal(window.graph_pane.laid_out, timeout=TIMEOUT) as blocker:
        action()
    return blocker.args[0]


def _center(view, item):
    return view.mapFromScene(QPointF(item.x + item.w / 2, item.y + item.h / 2))


def test_ctrl_g_shows_the_top_level(demo, qtbot):
    pane = demo.graph_pane
    assert not pane.isVisible()
    view = _laid_out(demo, qtbot, lambda: demo.act_graph.trigger())
    assert pane.isVisible() and demo.act_graph.isChecked()
    top = [s.path for s in open_model(demo.graph.path).root.rows]
    assert [it.id for it in view.items] == top          # inputs, MobileNetV1
    assert view.find("MobileNetV1").kind == "scope" and not view.find("MobileNetV1").expanded
    assert pane.canvas.boundingRect().width() > 0


def test_double_click_expands_and_collapses(demo, qtbot):
    view = _laid_out(demo, qtbot, lambda: demo.show_graph(True))
    gv = demo.graph_pane.view
    box = view.find("MobileNetV1")
    view = _laid_out(demo, qtbot, lambda: qtbot.mouseDClick(gv.viewport(), Qt.LeftButton, pos=_center(gv, box)))
    assert view.find("MobileNetV1").expanded and view.find("MobileNetV1/Conv2d_0") is not None
    gv.setFocus()
    view = _laid_out(demo, qtbot, lambda: qtbot.keyClick(gv, Qt.Key_Return))     # Enter closes it again
    assert not view.find("MobileNetV1").expanded
    assert view.find("MobileNetV1/Conv2d_0") is None


def test_click_selects_in_tree_and_details(demo, qtbot):
    view = _laid_out(demo, qtbot, lambda: demo.show_graph(True))
    view = _laid_out(demo, qtbot, lambda: demo.graph_pane.toggle(view.find("MobileNetV1")))
    gv = demo.graph_pane.view
    box = view.find("MobileNetV1/Conv2d_0")
    gv.centerOn(box.x + box.w / 2, box.y + box.h / 2)
    qtbot.mouseClick(gv.viewport(), Qt.LeftButton, pos=_center(gv, box))
    assert demo.current_scope().path == "MobileNetV1/Conv2d_0"
    assert demo.graph_pane.canvas.selected is box


def test_tree_selection_reveals_in_graph(demo, qtbot):
    _laid_out(demo, qtbot, lambda: demo.show_graph(True))
    name = "MobileNetV1/Conv2d_2_pointwise/BatchNorm/FusedBatchNorm"
    view = _laid_out(demo, qtbot, lambda: demo.navigate(name))
    sel = demo.graph_pane.canvas.selected
    assert sel is not None and sel.id == name
    assert view.find("MobileNetV1").expanded and view.find("MobileNetV1/Conv2d_2_pointwise").expanded
    visible = demo.graph_pane.view.mapToScene(demo.graph_pane.view.viewport().rect()).boundingRect()
    assert visible.contains(QPointF(sel.x + sel.w / 2, sel.y + sel.h / 2))     # centred on it
    # a folded weight shows as the row of the op that reads it
    demo.navigate("MobileNetV1/Conv2d_2_pointwise/BatchNorm/gamma")
    qtbot.waitUntil(lambda: demo.graph_pane.canvas.selected_row == "MobileNetV1/Conv2d_2_pointwise/BatchNorm/gamma",
                    timeout=TIMEOUT)
    assert demo.graph_pane.canvas.selected.id == name


def test_back_and_forward_across_graph_and_details(demo, qtbot):
    view = _laid_out(demo, qtbot, lambda: demo.show_graph(True))
    gv = demo.graph_pane.view
    qtbot.mouseClick(gv.viewport(), Qt.LeftButton, pos=_center(gv, view.find("inputs")))
    qtbot.mouseClick(gv.viewport(), Qt.LeftButton, pos=_center(gv, view.find("MobileNetV1")))
    assert demo.current_scope().path == "MobileNetV1"
    demo.go_back()
    assert demo.current_scope().path == "inputs" and demo.graph_pane.canvas.selected.id == "inputs"
    demo.go_forward()
    assert demo.current_scope().path == "MobileNetV1"


def test_arrow_keys_follow_edges(demo, qtbot):
    view = _laid_out(demo, qtbot, lambda: demo.show_graph(True))
    gv = demo.graph_pane.view
    qtbot.mouseClick(gv.viewport(), Qt.LeftButton, pos=_center(gv, view.find("inputs")))
    gv.setFocus()
    qtbot.keyClick(gv, Qt.Key_Down)                  # to its consumer
    assert demo.graph_pane.canvas.selected.id == "MobileNetV1"
    assert demo.current_scope().path == "MobileNetV1"
    qtbot.keyClick(gv, Qt.Key_Up)                    # back to its input
    assert demo.graph_pane.canvas.selected.id == "inputs"


def test_filter_matches_and_ticks_show(demo, qtbot):
    view = _laid_out(demo, qtbot, lambda: demo.show_graph(True))
    canvas = demo.graph_pane.canvas
    demo.filter_bar.edit.setText("Conv2d_3_depthwise")
    qtbot.waitUntil(lambda: canvas.matches is not None, timeout=TIMEOUT)
    assert canvas.matched(view.find("MobileNetV1")) and not canvas.matched(view.find("inputs"))
    demo.filter_bar.clear()
    assert canvas.matches is None
    name = "MobileNetV1/Conv2d_0/weights"
    assert canvas.tickable(name) and canvas.is_ticked(name)
    demo.selection.clear()
    assert not canvas.is_ticked(name)


def test_context_menu_ticks_a_box(demo, qtbot):
    view = _laid_out(demo, qtbot, lambda: demo.show_graph(True))
    pane = demo.graph_pane
    demo.selection.clear()
    ws = pane.weights_of(view.find("MobileNetV1"))
    assert len(ws) == len(demo.graph.weights)
    pane.tick.emit(ws, True)
    assert len(demo.selection) == len(ws)
    view = _laid_out(demo, qtbot, lambda: pane.toggle(view.find("MobileNetV1")))
    view = _laid_out(demo, qtbot, lambda: pane.toggle(view.find("MobileNetV1/Conv2d_0")))
    conv = view.find("MobileNetV1/Conv2d_0/Conv2D")
    assert [w.name for w in pane.weights_of(conv)] == ["MobileNetV1/Conv2d_0/weights"]
    pane.tick.emit(pane.weights_of(conv), False)
    assert "MobileNetV1/Conv2d_0/weights" not in demo.selection


def test_direction_constants_and_breadcrumb(demo, qtbot):
    _laid_out(demo, qtbot, lambda: demo.show_graph(True))
    pane = demo.graph_pane
    view = _laid_out(demo, qtbot, pane.btn_direction.click)
    assert view.direction == "LR" and pane.btn_direction.text() == "Left → right"
    view = _laid_out(demo, qtbot, lambda: pane.enter_scope("MobileNetV1/Conv2d_0"))
    assert view.scope == "MobileNetV1/Conv2d_0"
    assert pane.crumb_texts() == ["demo_mobilenet_v1.pb", "MobileNetV1", "Conv2d_0"]
    view = _laid_out(demo, qtbot, pane.btn_constants.click)
    assert view.constants and view.find("MobileNetV1/Conv2d_0/weights/") is not None   # weights + weights/read


def test_export_picture_svg_and_png(demo, qtbot, tmp_path):
    _laid_out(demo, qtbot, lambda: demo.show_graph(True))
    # wait for the file and an idle pool, not the worker's signal: a fast worker can finish
    # before a waitSignal made after export_picture() returns is connected
    svg = tmp_path / "g.svg"
    demo.export_picture(str(svg))
    qtbot.waitUntil(lambda: svg.exists() and not demo.jobs.running(), timeout=TIMEOUT)
    r = QSvgRenderer(str(svg))
    assert r.isValid() and r.defaultSize().width() > 100
    png = tmp_path / "g.png"
    demo.export_picture(str(png))
    qtbot.waitUntil(lambda: png.exists() and not demo.jobs.running(), timeout=TIMEOUT)
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_a_new_model_resets_the_pane(demo, qtbot, demo_path):
    _laid_out(demo, qtbot, lambda: demo.show_graph(True))
    demo.graph_pane.expanded.add("MobileNetV1")
    with qtbot.waitSignal(demo.graph_pane.laid_out, timeout=TIMEOUT):
        demo.open_path(demo_path)
    assert demo.graph_pane.expanded == set()


def test_screenshot_of_the_graph(demo, qtbot, tmp_path):
    view = _laid_out(demo, qtbot, lambda: demo.show_graph(True))
    _laid_out(demo, qtbot, lambda: demo.graph_pane.toggle(view.find("MobileNetV1")))
    demo.resize(1500, 900)
    qtbot.wait(50)
    img = demo.graph_pane.grab().toImage()
    colours = {img.pixel(x, y) for x in range(0, img.width(), 7) for y in range(0, img.height(), 7)}
    assert len(colours) > 8          # boxes, headers, text and edges, not a blank pane


def test_hostile_graphs_draw_or_say_one_line(window, qtbot, tmp_path):
    """100,000 ops in one flat scope are grouped; an empty graph says so; a dangling input
    is a stub. The window stays responsive: layouts run in a worker."""
    from pbscope.core import proto
    from tests.core.graphs import op
    flat = proto.GraphDef()
    op(flat, "x", "Placeholder")
    for i in range(100_000):
        op(flat, f"op_{i}", "Relu" if i % 3 else "Neg", "x", "ghost")
    path = tmp_path / "flat.pb"
    path.write_bytes(flat.SerializeToString())
    window.show_graph(True)
    with qtbot.waitSignal(window.graph_pane.laid_out, timeout=60_000) as blocker:
        window.open_path(str(path))
    view = blocker.args[0]
    assert len(view.items) <= 2000
    assert {it.title for it in view.items if it.group} == {"Relu ×66,666", "Neg ×33,334"}
    assert any(it.missing for it in view.items)
    assert window.graph_pane.notes.isVisibleTo(window) and "grouped by op type" in window.graph_pane.notes.text()
    empty = tmp_path / "empty.pb"
    gd = proto.GraphDef()
    gd.versions.producer = 1
    empty.write_bytes(gd.SerializeToString())
    with qtbot.waitSignal(window.graph_pane.laid_out, timeout=TIMEOUT):
        window.open_path(str(empty))
    assert window.graph_pane.notes.text() == "nothing to draw: no ops in the graph"


@pytest.mark.parametrize("rel", [
    "mlperf_tiny/benchmark/training/anomaly_detection/trained_models/ad01.h5",
    "flownet_ann/out/final_model.keras",
    "age_gender/mobilenetv2s_fp16.tflite",
    "nsfwjs/models/mobilenet_v2/model.json",
    "tfjs_repo/tfjs-automl/demo/img_classification/static/model.json",
])
def test_keras_tflite_tfjs_open_in_the_window_and_draw(window, qtbot, rel):
    from tests.gui.conftest import CORPUS
    path = CORPUS / rel
    if not path.exists():
        pytest.skip(f"corpus file {path} not present")
    window.show_graph(True)
    with qtbot.waitSignal(window.graph_pane.laid_out, timeout=60_000) as blocker:
        window.open_path(str(path))
    assert window.tree_model.rowCount() > 0 and window.graph.weights
    view = blocker.args[0]
    assert view.items and view.width > 0
    w = window.graph.weights[0]
    view = _laid_out(window, qtbot, lambda: window.navigate(w.name))     # tree → graph → details
    assert window.graph_pane.canvas.selected is not None
    assert window.current_scope().path == w.name


def test_left_and_right_move_between_boxes_of_a_layer(window, qtbot, tmp_path):
    from pbscope.core import proto
    from tests.core.graphs import op
    gd = proto.GraphDef()
    op(gd, "x", "Placeholder")
    op(gd, "a", "Relu", "x")
    op(gd, "b", "Neg", "x")
    path = tmp_path / "branches.pb"
    path.write_bytes(gd.SerializeToString())
    window.show_graph(True)
    with qtbot.waitSignal(window.graph_pane.laid_out, timeout=TIMEOUT) as blocker:
        window.open_path(str(path))
    view = blocker.args[0]
    left, right = sorted((view.find("a"), view.find("b")), key=lambda it: it.x)
    gv = window.graph_pane.view
    qtbot.mouseClick(gv.viewport(), Qt.LeftButton, pos=_center(gv, left))
    gv.setFocus()
    qtbot.keyClick(gv, Qt.Key_Right)
    assert window.graph_pane.canvas.selected is right
    qtbot.keyClick(gv, Qt.Key_Left)
    assert window.graph_pane.canvas.selected is left
    qtbot.keyClick(gv, Qt.Key_Up)
    assert window.graph_pane.canvas.selected.id == "x"
