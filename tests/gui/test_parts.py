"""Pieces of the GUI without a window: selection, filter index, preview numbers, value table."""
from __future__ import annotations

import time

import numpy as np
import pytest

from core import proto
from core.formats import open_model
from gui.op_tree import FilterIndex, FilterQuery
from gui.preview import (ValueTableModel, compute_stats, filter_mosaic, heat_axes, histogram, numeric_view,
                         slice_2d)
from gui.selection import CHECKED, PARTIAL, UNCHECKED, Selection


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
    stats, finite, mn, mx, mean = compute_stats(a)
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
    stats, finite, mn, mx, mean = compute_stats(q)
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
