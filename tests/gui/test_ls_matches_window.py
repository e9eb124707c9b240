"""``ls`` lists the ops the window's filter matches: on the same graphs and the same
queries, the names ``ls --json`` prints equal the matches the window's tree shows
(set through the real filter bar, shown by the real OpTreeModel)."""
from __future__ import annotations

import json

import numpy as np
import pytest
from pbscope.core import cli, proto

from ..core.graphs import const, op, tf1_mlp
from .conftest import DEMO


def _mixed_case_graph(path):
    """Names in mixed case, an op that is also a scope (``Block`` and ``Block/conv``), a
    name with regex metacharacters, weights and structural constants."""
    gd = proto.GraphDef()
    x = gd.node.add(name="Input", op="Placeholder")
    x.attr["dtype"].type = 1
    prev = "Input"
    for i, scope in enumerate(("Block", "block_2", "BLOCK_3/Inner")):
        const(gd, f"{scope}/Kernel", np.full((2, 2), i, np.float32))
        op(gd, f"{scope}/Kernel/read", "Identity", f"{scope}/Kernel")
        op(gd, f"{scope}/conv", "MatMul", prev, f"{scope}/Kernel/read")
        const(gd, f"{scope}/Shape", np.array([-1, 2], np.int32))
        op(gd, f"{scope}/Reshape", "Reshape", f"{scope}/conv", f"{scope}/Shape")
        prev = f"{scope}/Reshape"
    op(gd, "Block", "Identity", prev)               # an op named like the scope above it
    op(gd, "out(1)+x", "Identity", "Block")
    op(gd, "Output", "Softmax", "out(1)+x")
    path.write_bytes(gd.SerializeToString())
    return str(path)


@pytest.fixture
def graphs(tmp_path):
    mlp = tmp_path / "mlp.pb"
    mlp.write_bytes(tf1_mlp()[0])
    return {"demo": str(DEMO), "mlp": str(mlp), "mixed": _mixed_case_graph(tmp_path / "mixed.pb")}


# (graph, ls flags, the filter bar's (text, mode, op type, weights only))
CASES = [
    ("demo", ["--filter", "conv2d_1"], ("conv2d_1", "text", "", False)),
    ("demo", ["--filter", "BatchNorm/GAMMA"], ("BatchNorm/GAMMA", "text", "", False)),
    ("demo", ["--regex", r"Conv2d_[23]_pointwise/weights$"], (r"Conv2d_[23]_pointwise/weights$", "regex", "", False)),
    ("demo", ["--regex", r"^mobilenetv1/conv2d_1\d*_"], (r"^mobilenetv1/conv2d_1\d*_", "regex", "", False)),
    ("demo", ["--glob", "Conv2d_0/*/gamma"], ("Conv2d_0/*/gamma", "glob", "", False)),
    ("demo", ["--glob", "*WEIGHTS"], ("*WEIGHTS", "glob", "", False)),
    ("demo", ["--op", "DepthwiseConv2dNative"], ("", "text", "DepthwiseConv2dNative", False)),
    ("demo", ["--weights"], ("", "text", "", True)),
    ("demo", ["--filter", "pointwise", "--op", "Const", "--weights"], ("pointwise", "text", "Const", True)),
    ("demo", ["--glob", "BatchNorm*", "--weights"], ("BatchNorm*", "glob", "", True)),
    ("demo", ["--filter", "no such op"], ("no such op", "text", "", False)),
    ("mlp", ["--filter", "LAYER_1/b"], ("LAYER_1/b", "text", "", False)),
    ("mlp", ["--regex", "BIASES$"], ("BIASES$", "regex", "", False)),
    ("mlp", ["--op", "MatMul"], ("", "text", "MatMul", False)),
    ("mixed", ["--filter", "block"], ("block", "text", "", False)),
    ("mixed", ["--regex", r"^block(_\d)?$"], (r"^block(_\d)?$", "regex", "", False)),
    ("mixed", ["--filter", "out(1)+"], ("out(1)+", "text", "", False)),
    ("mixed", ["--glob", "kernel"], ("kernel", "glob", "", False)),
    ("mixed", ["--glob", "block*", "--op", "Identity"], ("block*", "glob", "Identity", False)),
    ("mixed", ["--regex", "k.rnel", "--weights"], ("k.rnel", "regex", "", True)),
]


def _ls(capsys, path, flags) -> list[str]:
    assert cli.main(["ls", path, *flags, "--json"]) == 0
    return [r["name"] for r in json.loads(capsys.readouterr().out)]


def _window_matches(win, text, mode, op_type, weights_only) -> list[str]:
    """Set the query through the filter bar's widgets, then read what the tree shows."""
    bar = win.filter_bar
    bar.mode.setCurrentIndex(bar.mode.findData(mode))
    i = bar.types.findData(op_type) if op_type else 0
    assert i >= 0, op_type
    bar.types.setCurrentIndex(i)
    bar.weights_only.setChecked(weights_only)
    bar.edit.setText(text)
    bar.flush()
    model = win.tree_model
    result = model.result
    matched = result.matched if result is not None else list(win.index.names)
    total = win.index.total
    assert bar.count.text() == f"{len(matched):,} of {total:,} ops"
    # every match is a row of the tree; the other op rows are only there as their parents
    win.tree.expandAll()
    shown = set(win.visible_paths())
    ops = {o.name for o in win.graph.all_ops}
    assert set(matched) <= shown
    parents = {"/".join(n.split("/")[:k]) for n in matched for k in range(1, n.count("/") + 1)}
    assert (shown & ops) - set(matched) <= parents
    return matched


@pytest.mark.parametrize("graph, flags, query", CASES, ids=[" ".join([c[0], *c[1]]) for c in CASES])
def test_ls_lists_what_the_window_shows(window, qtbot, capsys, graphs, graph, flags, query):
    path = graphs[graph]
    with qtbot.waitSignal(window.model_shown, timeout=15_000):
        window.open_path(path)
    in_window = _window_matches(window, *query)
    assert _ls(capsys, path, flags) == in_window


def test_op_type_in_any_case_is_the_windows_type(window, qtbot, capsys):
    with qtbot.waitSignal(window.model_shown, timeout=15_000):
        window.open_path(str(DEMO))
    assert _ls(capsys, str(DEMO), ["--op", "depthwiseconv2dnative"]) == \
        _window_matches(window, "", "text", "DepthwiseConv2dNative", False)
