"""Mutated .pb bytes never crash the reader: it opens, or raises PbscopeError."""
from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pbscope.core.errors import PbscopeError
from pbscope.core.formats import graphdef, open_model

from .graphs import tf1_mlp

VALID, _ = tf1_mlp()


@st.composite
def mutations(draw):
    data = bytearray(VALID)
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["flip", "set", "cut", "insert", "delete"]))
        if not data:
            break
        i = draw(st.integers(0, len(data) - 1))
        if kind == "flip":
            data[i] ^= 1 << draw(st.integers(0, 7))
        elif kind == "set":
            data[i] = draw(st.integers(0, 255))
        elif kind == "cut":
            del data[i:]
        elif kind == "insert":
            data[i:i] = draw(st.binary(min_size=1, max_size=8))
        else:
            del data[i:i + draw(st.integers(1, 16))]
    return bytes(data)


def _exercise(path):
    try:
        g = open_model(path)
    except PbscopeError as e:
        assert "\n" not in str(e)
        return
    _ = g.root, g.outputs, g.inputs
    for w in g.constants:
        try:
            a = w.array()
            assert isinstance(a, np.ndarray)
        except PbscopeError:
            pass
    for op in g.ops:
        _ = op.attrs


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=mutations())
def test_mutated_bytes_never_crash(data, tmp_path):
    p = tmp_path / "m.pb"
    p.write_bytes(data)
    _exercise(p)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=mutations())
def test_mutated_bytes_never_crash_on_the_streaming_path(data, tmp_path, monkeypatch):
    # the memory-mapped, record-by-record path that big files take
    monkeypatch.setattr(graphdef, "MAP_FILE", 0)
    monkeypatch.setattr(graphdef, "BIG_NODE", 64)
    monkeypatch.setattr(graphdef, "RUN_BYTES", 256)
    p = tmp_path / "m.pb"
    p.write_bytes(data)
    _exercise(p)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2048))
def test_random_bytes_never_crash(data, tmp_path):
    p = tmp_path / "r.pb"
    p.write_bytes(data)
    _exercise(p)
