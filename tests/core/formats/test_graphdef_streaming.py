"""Large files take the memory-mapped path: same graph, tensors viewed in place."""
from __future__ import annotations

import mmap

import numpy as np
import pytest

from pbscope.core.errors import Cancelled
from pbscope.core.formats import graphdef, open_model
from pbscope.core.progress import Progress

from ..graphs import tf1_mlp


@pytest.fixture
def streaming(monkeypatch):
    monkeypatch.setattr(graphdef, "MAP_FILE", 0)
    monkeypatch.setattr(graphdef, "BIG_NODE", 1024)
    monkeypatch.setattr(graphdef, "RUN_BYTES", 200)


def test_streaming_path_equals_one_shot_parse(tmp_path, monkeypatch):
    data, expected = tf1_mlp(big=300)   # a 8x300 float32 kernel: 9.6 KB
    p = tmp_path / "g.pb"
    p.write_bytes(data)
    plain = open_model(p)
    monkeypatch.setattr(graphdef, "MAP_FILE", 0)
    monkeypatch.setattr(graphdef, "BIG_NODE", 1024)
    monkeypatch.setattr(graphdef, "RUN_BYTES", 200)
    streamed = open_model(p)
    assert [(o.name, o.type, o.inputs) for o in streamed.ops] == [(o.name, o.type, o.inputs) for o in plain.ops]
    assert [w.key for w in streamed.weights] == [w.key for w in plain.weights] == list(expected)
    for w in streamed.weights:
        a = w.array()
        np.testing.assert_array_equal(a, expected[w.key])
        assert not a.flags.writeable
    big = streamed.find_weight("net/layer_0/weights:0").array()
    # a view of the memory-mapped file, not a copy protobuf made
    base = big
    while getattr(base, "base", None) is not None and not isinstance(base, (mmap.mmap, memoryview)):
        base = base.base
    assert isinstance(base, (mmap.mmap, memoryview))
    assert streamed.find_weight("net/layer_0/weights").op.node.attr["value"].tensor.tensor_content == b""


def test_cancel_stops_opening(tmp_path, streaming):
    data, _ = tf1_mlp(big=300)
    p = tmp_path / "g.pb"
    p.write_bytes(data)
    seen = []
    prog = Progress(lambda f, t: (seen.append(f), prog.cancel() if len(seen) > 2 else None), path=str(p))
    with pytest.raises(Cancelled):
        open_model(p, prog)
    assert len(seen) == 3


def test_progress_reaches_one(tmp_path):
    data, _ = tf1_mlp()
    p = tmp_path / "g.pb"
    p.write_bytes(data)
    seen = []
    open_model(p, Progress(lambda f, t: seen.append(f)))
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)
