"""Ticks of a big graph's weights as arrays (gui/selection.py _ArrayPool): the same
answers as ticking weight by weight."""
from __future__ import annotations

from pbscope.core.formats import open_model
from pbscope.gui.selection import CHECKED, PARTIAL, UNCHECKED, Selection, _ArrayPool


def test_scope_ticks_are_array_operations_with_the_same_answers(demo_path):
    g = open_model(demo_path)
    sel = Selection(g)
    assert isinstance(sel.main, _ArrayPool)
    root = g.root
    block = root.find("MobileNetV1/Conv2d_3_depthwise")
    below = block.weights()
    assert below and sel.state(block) == UNCHECKED
    assert sel.tick_scope(block) == len(below)
    assert sel.state(block) == CHECKED and sel.state(root) == PARTIAL
    assert sel.names() == {w.name for w in below}
    assert sel.weights() == below
    assert sel.params == sum(w.size for w in below) and sel.nbytes == sum(w.nbytes for w in below)
    one = below[0]
    assert sel.set_ticked([one], False) == 1 and sel.state(block) == PARTIAL and one.name not in sel
    sel.tick_all()
    assert len(sel) == sel.total == len(g.weights) and sel.state(root) == CHECKED
    sel.invert()
    assert len(sel) == 0 and sel.state(root) == UNCHECKED
    sel.invert()
    assert sel.tick_scope(root, False) == len(g.weights) and len(sel) == 0
