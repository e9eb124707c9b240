"""Pieces of the GUI without a window: selection, filter index, preview numbers, value table."""
from __future__ import annotations

import time

import numpy as np
import pytest

from pbscope.core import proto
from pbscope.core.formats import open_model
from pbscope.core.stats import numeric_view, summarize
from pbscope.gui.op_tree import FilterIndex, FilterQuery
from pbscope.gui.preview import (
    ValueTableModel,
    filter_mosaic,
    heat_axes,
    histogram,
    slice_2d,
    stats_text,
)
from pbscope.gui.selection import CHECKED, PARTIAL, UNCHECKED, Selection


def _graph(tmp_path, frozen=True):
    """a/w (Const + read), a/b/v (Const + read), and an unfrozen a/var (VariableV2)."""
    gd = proto.GraphDef()

    def const(name, values):
        n = gd.node.add()
        n.name, n.op = name, "Const"
        n.attr["dtype"].type = 1
        t = n.attr["value"].tensor
        t.dtype = 1
        arr = np.asarray(values, np.float32)
        for d in arr.shape:
            t.tensor_shape.dim.add().size = d
        t.tensor_content = arr.tobytes()
        r = gd.node.add()
        r.name, r.op = name + "/read", "Identity"
        r.input.append(name)
    const("a/w", [[1, 2], [3, 4]])
    const("a/b/v", [5, 6, 7])
    var = gd.node.add()
    var.name, var.op = "a/var", "VariableV2"
    var.attr["dtype"].type = 1
    var.attr["shape"].shape.dim.add().size = 4
    path = tmp_path / "g.pb"
    path.write_bytes(gd.SerializeToString())
    return open_model(str(path))


def test_selection_tristate_and_unavailable(tmp_path):
    g = _graph(tmp_path)
    names = {w.name: w for w in g.weights}
    assert not names["a/var"].available
    sel = Selection(g)
    root = g.root
    a, b = root.find("a"), root.find("a/b")
    assert sel.total == 2
    assert sel.state(root.find("a/var")) is None       # nothing to tick there
    assert sel.state(a) == UNCHECKED
    sel.set_ticked([names["a/b/v"]])
    assert sel.state(b) == CHECKED and sel.state(a) == PARTIAL
    sel.tick_all()
    assert sel.state(a) == CHECKED and len(sel) == 2 and "a/var" not in sel
    assert sel.params == 4 + 3 and sel.nbytes == 28
    sel.set_ticked([names["a/w"]], False)
    assert sel.state(a) == PARTIAL and sel.names() == {"a/b/v"}
    sel.invert()
    assert sel.names() == {"a/w"} and sel.params == 4
    sel.set_ticked([names["a/var"]])                     # refused: no values to export
    assert "a/var" not in sel
    sel.clear()
    assert len(sel) == 0 and sel.state(a) == UNCHECKED


def test_selection_bulk_operations_are_cheap():
    class W:
        def __init__(self, i):
            self.name = f"m/b{i // 1000}/l{i}/w"
            self.available, self.size, self.nbytes = True, 1, 4

    class G:
        weights = [W(i) for i in range(100_000)]
    sel = Selection(G())
    t0 = time.perf_counter()
    for _ in range(10):
        sel.tick_all()
        sel.invert()
        sel.clear()
    assert time.perf_counter() - t0 < 0.05
    assert len(sel) == 0


def test_filter_index_visible_paths(tmp_path):
    g = _graph(tmp_path)
    idx = FilterIndex(g)
    r = idx.run(FilterQuery("v"))
    assert set(r.matched) == {"a/b/v", "a/b/v/read", "a/var"}
    assert r.visible == {"a", "a/b", "a/b/v", "a/b/v/read", "a/var"}
    assert r.parents == {"a", "a/b", "a/b/v"}
    r = idx.run(FilterQuery("read$", mode="regex", weights_only=True))
    assert r.count == 0 and r.visible == set()
    r = idx.run(FilterQuery("", op_type="Identity"))
    assert r.matched == ["a/w/read", "a/b/v/read"]
    assert idx.run(FilterQuery("A/")).visible is None     # everything matched: nothing hidden
    with pytest.raises(Exception):
        idx.run(FilterQuery("(", mode="regex"))


def test_stats_with_nan_inf_and_zeros():
    a = np.array([0, 0, 1, 2, np.nan, np.inf, -np.inf, 3], np.float32)
    st = summarize(a)
    stats, finite, mn, mx, mean = stats_text(st), st.finite, st.min, st.max, st.mean
    assert stats["NaN"] == "1" and stats["Inf"] == "2"
    assert stats["zeros"] == "25.00 %"
    assert (mn, mx) == (0, 3) and mean == pytest.approx(1.2)
    assert float(stats["std"]) == pytest.approx(np.std([0, 0, 1, 2, 3]), rel=1e-6)
    (counts, edges), note = histogram(finite, mn, mx)
    assert counts.sum() == 5


def test_numeric_views_and_int_histogram():
    num, note = numeric_view(np.array([True, False, True]))
    assert num.dtype == np.uint8 and "0/1" in note
    assert numeric_view(np.array([b"x"], dtype=object))[0] is None
    q = np.arange(256, dtype=np.uint8)
    st = summarize(q)
    finite, mn, mx = st.finite, st.min, st.max
    (counts, edges), _ = histogram(finite, mn, mx)
    assert len(counts) == 256 and (counts == 1).all()     # one bin per integer value


def test_heat_map_slices_and_mosaic():
    k = np.arange(3 * 3 * 8 * 1, dtype=np.float32).reshape(3, 3, 8, 1)   # depthwise
    assert heat_axes(k.shape) == [0, 1, 2]
    assert slice_2d(k, (1,)).shape == (3, 8)
    np.testing.assert_array_equal(slice_2d(k, (2,)), k[2, :, :, 0])
    mosaic, note = filter_mosaic(k)
    assert "8 depthwise filters" in note
    tiles = int(np.isfinite(mosaic).sum())
    assert tiles == 8 * 9
    conv = np.random.default_rng(0).standard_normal((5, 5, 3, 16)).astype(np.float32)
    mosaic, note = filter_mosaic(conv, "sum", normalize=False)
    assert np.nanmax(np.abs(mosaic)) == pytest.approx(np.abs(conv.sum(axis=2)).max(), rel=1e-5)
    assert filter_mosaic(np.zeros((1, 1, 4, 4)))[0] is None      # 1×1 kernels: nothing to see


def test_value_table_is_lazy_for_30m_elements(qapp):
    a = np.broadcast_to(np.float32(1.5), (30_000_000,))
    m = ValueTableModel()
    t0 = time.perf_counter()
    m.set_array(a)
    assert time.perf_counter() - t0 < 0.05
    assert m.rowCount() == 1000 and m.total_rows() == 30_000_000 and m.canFetchMore()
    m.fetchMore()
    assert m.rowCount() == 2000
    assert m.data(m.index(1999, 0)) == "1.5"
    b = np.arange(24, dtype=np.int32).reshape(2, 3, 4)
    m.set_array(b)
    assert (m.rowCount(), m.columnCount()) == (6, 4)
    assert m.headerData(4, __import__("PySide6.QtCore").QtCore.Qt.Vertical) == "[1, 1, :]"
    assert m.data(m.index(5, 3)) == "23"


# -- kept-apart weights, function ops, workers, colours -----------------------------------------

class _W:
    def __init__(self, name, available=True):
        self.name, self.size, self.nbytes = name, 2, 8
        self.error = None if available else "no value"

    @property
    def available(self):
        return self.error is None


class _Scope:
    def __init__(self, path, weights):
        self.path, self._ws = path, weights
        self.weight_count = len(weights)
        self.children = {"x": None} if len(weights) > 1 else {}
        self.weight = weights[0] if len(weights) == 1 else None

    def weights(self):
        return self._ws


def test_selection_keeps_extra_weights_apart():
    class G:
        weights = [_W("v"), _W("w"), _W("gone", available=False)]
        extra_weights = [_W("v/Adam"), _W("v/Adam_1"), _W("global_step"), _W("skipped", available=False)]
    g = G()
    sel = Selection(g)
    v, w = g.weights[:2]
    adam, adam1, step = g.extra_weights[:3]
    assert sel.total == 2 and sel.total_extra == 3
    assert [x.name for x in sel.unavailable] == ["gone", "skipped"]
    assert sel.is_extra("v/Adam") and not sel.is_extra("v")
    sel.tick_all()
    assert sel.names() == {"v", "w"} and sel.extra_ticked == 0
    # a scope holding a weight and its slots ticks the weight only
    scope_v = _Scope("v", [v, adam, adam1])
    assert sel.tick_targets(scope_v) == [v]
    assert sel.state(scope_v) == CHECKED
    # a scope of slots alone ticks the slots
    only_slots = _Scope("v/Adam", [adam])
    assert sel.tick_targets(only_slots) == [adam]
    assert sel.state(only_slots) == UNCHECKED
    sel.set_ticked([adam, step])
    assert sel.names() == {"v", "w", "v/Adam", "global_step"} and sel.extra_ticked == 2
    assert len(sel) == 4 and sel.params == 8 and sel.nbytes == 32
    assert [x.name for x in sel.weights()] == ["v", "w", "v/Adam", "global_step"]
    sel.invert()                       # ordinary weights only
    assert sel.names() == {"v/Adam", "global_step"}
    sel.tick_all()                     # leaves the kept-apart ticks as they were
    assert sel.names() == {"v", "w", "v/Adam", "global_step"}
    main, extra = sel.split([v, adam, g.weights[2], None])
    assert main == [v] and extra == [adam]
    sel.clear()
    assert len(sel) == 0 and sel.extra_ticked == 0


def test_filter_index_covers_function_ops(tmp_path):
    gd = proto.GraphDef()
    n = gd.node.add()
    n.name, n.op = "x", "Placeholder"
    f = gd.library.function.add()
    f.signature.name = "fn"
    f.signature.input_arg.add().name = "inp"
    nd = f.node_def.add()
    nd.name, nd.op = "mul", "Mul"
    nd.input.extend(["inp", "inp"])
    path = tmp_path / "fn.pb"
    path.write_bytes(gd.SerializeToString())
    g = open_model(str(path))
    idx = FilterIndex(g)
    assert idx.total == 3 and idx.functions == {"fn"}
    assert idx.type_counts == {"Mul": 1, "Placeholder": 1, "_Arg": 1}
    assert idx.run(FilterQuery("mul")).matched == ["fn/mul"]
    assert idx.run(FilterQuery("", op_type="Mul")).matched == ["fn/mul"]


def test_sub_progress_scales_and_cancels():
    from pbscope.core.errors import Cancelled
    from pbscope.core.progress import Progress
    from pbscope.gui.workers import SubProgress
    seen = []
    parent = Progress(lambda f, t: seen.append((round(f, 3), t)))
    sub = SubProgress(parent, 0.25, 0.75)
    sub.report(0.5, "half")
    sub.report(2.0)
    assert seen == [(0.5, "half"), (0.75, "")]
    sub.cancel()
    assert parent.cancelled and sub.cancelled
    with pytest.raises(Cancelled):
        sub.report(0.1)


def test_tf_jobs_run_on_one_lasting_python_thread(qtbot):
    import threading

    from pbscope.gui.workers import Jobs, Worker
    jobs = Jobs()
    names = []
    for _ in range(2):
        w = Worker(lambda p: threading.current_thread(), tf=True)
        with qtbot.waitSignal(w.signals.result, timeout=5_000) as sig:
            jobs.start(w)
        names.append(sig.args[0])
    assert names[0] is names[1] and names[0].name.startswith("pbscope-tf")
    assert jobs.wait(5_000)


def test_status_tints_keep_text_readable(qapp):
    from PySide6.QtGui import QPalette

    from pbscope.gui.theme import dark_palette
    from pbscope.gui.widgets import HUES, tint
    light = qapp.style().standardPalette()
    for pal in (light, dark_palette()):
        text = pal.color(QPalette.Text).lightness()
        for hue in HUES:
            c = tint(hue, pal)
            assert abs(c.lightness() - text) > 110, (hue, c.name())
