"""The preview of a constant that stores three values for 2**29 elements (2 GiB as float32):
statistics, histogram, heat-map slices and the value table, none of it expanded."""
from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from pbscope.core import proto
from pbscope.core.formats import open_model
from pbscope.core.tensors import Repeated
from pbscope.gui.preview import PreviewPanel, compute_preview
from pbscope.gui.workers import Jobs

SHAPE = (512, 1024, 1024)
STORED = (-1.5, 4.0, 0.5)


@pytest.fixture(scope="module")
def weight(tmp_path_factory):
    gd = proto.GraphDef()
    t = gd.node.add(name="w", op="Const").attr["value"].tensor
    t.dtype = 1
    for d in SHAPE:
        t.tensor_shape.dim.add(size=d)
    t.float_val.extend(STORED)
    gd.node.add(name="w/read", op="Identity", input=["w"])
    p = tmp_path_factory.mktemp("rep") / "rep.pb"
    p.write_bytes(gd.SerializeToString())
    return open_model(p).find_weight("w")


def test_preview_figures_from_the_stored_values(weight):
    tracemalloc.start()
    try:
        data = compute_preview(weight)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 64 << 20, peak      # 2 GiB expanded; the heat-map slice is 4 MiB
    assert isinstance(data.array, Repeated)
    n = 2**29
    assert data.stats["elements"] == f"{n:,}" and data.stats["min"] == "-1.5" and data.stats["max"] == "4"
    assert data.mean == pytest.approx((-1.5 + 4.0 + 0.5 * (n - 2)) / n, rel=1e-12)
    counts, edges = data.hist
    assert counts.sum() == n and counts[0] == 1 and counts[-1] == 1
    assert counts[np.searchsorted(edges, 0.5, side="right") - 1] == n - 2
    assert data.image.shape == (1024, 1024)
    assert data.image[0, :4].tolist() == [-1.5, 4.0, 0.5, 0.5] and (data.image[1:] == 0.5).all()


def test_panel_shows_stats_slices_and_values(weight, qtbot, qapp):
    panel = PreviewPanel(Jobs())
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.ready, timeout=20_000):
        panel.show_weight(weight)
    assert panel.stat_values["max"].text() == "4" and panel.stat_values["elements"].text() == "536,870,912"
    img = panel.heat_image.image
    assert img.shape == (1024, 1024) and img[0, 1] == 4.0
    panel.set_slice((3,))                 # another slice: expanded alone, all the last value
    assert (panel.heat_image.image == 0.5).all() and "axis 0 = 3" in panel.heat_note.text()
    m = panel.table_model
    assert m.total_rows() == 512 * 1024 and m.columnCount() == 1024
    assert [m.data(m.index(0, c)) for c in range(4)] == ["-1.5", "4", "0.5", "0.5"]
    panel.jobs.cancel_all()


def test_a_bias_with_unit_axes_has_a_heat_map():
    from pbscope.gui.preview import display_image, heat_axes
    a = np.arange(5, dtype=np.float32).reshape(5, 1, 1)       # failed to reshape before
    assert heat_axes(a.shape) == [0, 2]
    img, levels, _ = display_image(a)
    assert img.tolist() == [[0], [1], [2], [3], [4]] and levels == (0.0, 4.0)
