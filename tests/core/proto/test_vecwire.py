"""core/proto/vecwire.py against the one-message-at-a-time walker (wire.py)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pbscope.core import proto
from pbscope.core.proto import vecwire
from pbscope.core.proto.wire import VARINT, WireError, iter_fields, read_varint


def _nodes(names_inputs):
    out = []
    for name, inputs, device in names_inputs:
        n = proto.NodeDef(name=name, op="Op" + name[:3], device=device)
        n.input.extend(inputs)
        n.attr["T"].type = 1
        out.append(n.SerializeToString())
    return out


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.text(min_size=0, max_size=12),
                          st.lists(st.text(max_size=8), max_size=70), st.sampled_from(["", "/cpu:0"])),
                min_size=1, max_size=40))
def test_scan_finds_what_the_walker_finds(items):
    blobs = _nodes(items)
    data = b"".join(blobs)
    a = np.frombuffer(data, np.uint8)
    ends = np.cumsum([len(b) for b in blobs])
    starts = ends - [len(b) for b in blobs]
    f = vecwire.scan(a, starts, ends, data)
    for number in (1, 2, 3, 4, 5):
        got = f.where(number)
        want = [(m, s, e) for m, (a0, b0) in enumerate(zip(starts, ends))
                for fn, w, s, e, _ in iter_fields(data, int(a0), int(b0)) if fn == number and w == 2]
        assert list(zip(got.owner.tolist(), got.start.tolist(), got.end.tolist())) == want
    names = vecwire.texts(a, *_last(f.where(1), len(blobs)))
    assert names == [name for name, _, _ in items]
    inputs = f.where(3)
    assert vecwire.texts(a, inputs.start, inputs.end) == [i for _, ins, _ in items for i in ins]


def _last(f, n):
    s, e = np.zeros(n, np.int64), np.zeros(n, np.int64)
    m = f.last()
    s[f.owner[m]], e[f.owner[m]] = f.start[m], f.end[m]
    return s, e


def test_varints_values_and_errors():
    data = bytes([0x05, 0xAC, 0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]) + b"\xff" * 11
    a = np.frombuffer(data, np.uint8)
    v, end = vecwire.varints(a, np.array([0, 1, 3]), np.full(3, len(data)))
    assert v.tolist() == [5, 300, 0xFFFFFFFF] and end.tolist() == [1, 3, 8]
    assert read_varint(data, 3, len(data)) == (0xFFFFFFFF, 8)
    with pytest.raises(WireError):
        vecwire.varints(a, np.array([8]), np.array([len(data)]))      # over-long
    with pytest.raises(WireError):
        vecwire.varints(a, np.array([1]), np.array([2]))              # cut short


@pytest.mark.parametrize("blob", [b"\x0a\x05ab", b"\x0f\x00", b"\x00\x01", b"\x0a\xff\xff\xff\xff\xff\xff\xff\xff\x7f"])
def test_damaged_messages_raise(blob):
    a = np.frombuffer(blob, np.uint8)
    with pytest.raises(WireError):
        vecwire.scan(a, np.array([0]), np.array([len(blob)]), blob)


def test_a_long_message_is_finished_in_python():
    n = proto.NodeDef(name="x", op="Concat")
    n.input.extend(f"in_{i}" for i in range(5000))
    data = n.SerializeToString()
    a = np.frombuffer(data, np.uint8)
    f = vecwire.scan(a, np.array([0]), np.array([len(data)]), data)
    ins = f.where(3)
    assert vecwire.texts(a, ins.start, ins.end) == [f"in_{i}" for i in range(5000)]
    assert f.where(99, VARINT).owner.size == 0


def test_texts_with_newlines_and_bad_utf8():
    data = b"a\nbxy\xffz"
    a = np.frombuffer(data, np.uint8)
    assert vecwire.texts(a, np.array([0, 3, 0]), np.array([3, 5, 1])) == ["a\nb", "xy", "a"]
    with pytest.raises(vecwire.BadText) as e:
        vecwire.texts(a, np.array([0, 4]), np.array([1, 7]))
    assert e.value.index == 1


def test_short_codes():
    words = ["Const", "Identity", "FusedBatchNormGradV3", "FusedBatchNormGradV2", "", "Const", "é"]
    data = "".join(words).encode() + b"\0" * 24
    a = np.frombuffer(data, np.uint8)
    lens = [len(w.encode()) for w in words]
    ends = np.cumsum(lens)
    starts = ends - lens
    codes, distinct = vecwire.short_codes(a, starts, ends)
    assert [distinct[c] for c in codes] == words
    assert distinct == list(dict.fromkeys(words))
    long = b"ResourceSparseApplyAdagradV2" + b"\0" * 24
    assert vecwire.short_codes(np.frombuffer(long, np.uint8), np.array([0]), np.array([28])) is None
    bad = b"\xff\xfe" + b"\0" * 24
    assert vecwire.short_codes(np.frombuffer(bad, np.uint8), np.array([0]), np.array([2])) is None
