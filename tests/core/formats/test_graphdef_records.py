"""Graphs of many small nodes: after the first PROBE nodes, protobuf finds the node
records (``_Scanner._records``). Whatever the path, the ops, weights and errors are
those of the record-by-record walk."""
from __future__ import annotations

import numpy as np
import pytest

from pbscope.core import proto
from pbscope.core.errors import PbscopeError
from pbscope.core.formats import graphdef, open_model
from tests.core.graphs import const, op

N_LAYERS = 1200     # 1 + 4·1200 + 1 nodes: past PROBE


def _graph(library: str = "none", big_at: int | None = None) -> bytes:
    gd = proto.GraphDef()
    op(gd, "x", "Placeholder")
    prev = "x"
    rng = np.random.default_rng(3)
    for i in range(N_LAYERS):
        shape = (200, 100) if i == big_at else (2, 2)
        const(gd, f"l{i}/w", rng.standard_normal(shape).astype(np.float32))
        op(gd, f"l{i}/w/read", "Identity", f"l{i}/w")
        op(gd, f"l{i}/MatMul", "MatMul", prev, f"l{i}/w/read", "^x")
        op(gd, f"l{i}/Relu", "Relu", f"l{i}/MatMul:0" if i % 2 else f"l{i}/MatMul")
        prev = f"l{i}/Relu"
    op(gd, "out", "Identity", prev, "missing:1")
    data = gd.SerializeToString()
    if library == "none":
        return data
    lib = proto.GraphDef()
    lib.library.function.add().signature.name = "f"
    lib_bytes = lib.SerializeToString()
    if library == "end":
        return data + lib_bytes
    # in the middle of the nodes: split the node records at a record boundary
    cut, pos, count = 0, 0, 0
    while count < 3000:
        n = data[pos + 1]
        s = pos + 2
        if n >= 0x80:
            n, s = graphdef.read_varint(data, pos + 1, len(data))
        pos = s + n
        count += 1
    cut = pos
    return data[:cut] + lib_bytes + data[cut:]


def _summary(g):
    return ([(o.name, o.type, o.raw_inputs) for o in g.ops],
            [(w.name, w.shape, w.array().tobytes()) for w in g.weights],
            [(c.name, s) for c, s in g.consumers("l5/w/read")], [o.name for o in g.outputs])


@pytest.mark.parametrize("library", ["none", "end", "middle"])
@pytest.mark.parametrize("big_at", [None, 2500 // 4, N_LAYERS - 1])
def test_found_records_equal_the_walk(tmp_path, monkeypatch, library, big_at):
    path = tmp_path / "g.pb"
    path.write_bytes(_graph(library, big_at))
    fast = open_model(path)
    monkeypatch.setattr(graphdef, "PROBE", 10 ** 9)     # walk every record in Python
    walked = open_model(path)
    assert len(fast.ops) == 2 + 4 * N_LAYERS
    assert _summary(fast) == _summary(walked)
    assert [o.name for o in fast.function_ops] == [o.name for o in walked.function_ops]
    if big_at is not None:
        assert fast.weights[big_at].shape == (200, 100)


@pytest.mark.parametrize("damage", ["truncate", "bad_utf8", "bad_wire", "huge_length"])
def test_damage_past_the_probe_gives_the_walks_line(tmp_path, monkeypatch, damage):
    data = bytearray(_graph())
    at = len(data) * 3 // 4
    if damage == "truncate":
        data = data[:at]
    elif damage == "bad_utf8":
        i = data.index(b"l1000/MatMul")
        data[i:i + 2] = b"\xff\xfe"
    elif damage == "bad_wire":
        i = data.index(b"l1100/Relu") - 2      # the name field's tag inside that node
        data[i] = 0x0F                         # field 1, wire type 7
    else:
        i = data.index(b"l1150/Relu") - 1      # the name's length
        data[i] = 0x7F
    path = tmp_path / "bad.pb"
    path.write_bytes(bytes(data))
    with pytest.raises(PbscopeError) as fast:
        open_model(path)
    monkeypatch.setattr(graphdef, "PROBE", 10 ** 9)
    with pytest.raises(PbscopeError) as walked:
        open_model(path)
    assert str(fast.value) == str(walked.value)
    assert "\n" not in str(fast.value)


@pytest.mark.parametrize("at", ["parsing", "reading names", "linking inputs", "locating constants"])
def test_cancel_between_the_column_steps(tmp_path, at):
    """Cancel asked during any step of a big graph's open stops it at the next step."""
    from pbscope.core.errors import Cancelled
    from pbscope.core.progress import Progress
    path = tmp_path / "g.pb"
    path.write_bytes(_graph())
    seen = []

    def report(fraction, text):
        seen.append(text)
        if text == at:
            progress.cancel()
    progress = Progress(report)
    with pytest.raises(Cancelled):
        open_model(path, progress)
    assert seen[-1] == at
