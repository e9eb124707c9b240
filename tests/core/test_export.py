"""Export: every format and dtype round-trips; writes are atomic; faults leave nothing."""
from __future__ import annotations

import os
import pickle

import numpy as np
import pytest

from pbscope.core import atomic
from pbscope.core import export as export_mod
from pbscope.core.errors import Cancelled, PbscopeError
from pbscope.core.export import default_export_path, export_weights
from pbscope.core.formats import open_model
from pbscope.core.progress import Progress

from .graphs import dtypes_graph, tf1_mlp

FORMATS = {"pkl": "w.pkl", "npz": "w.npz", "safetensors": "w.safetensors", "npy": "w_npy"}
# what each format cannot hold (and says so)
REFUSED = {"safetensors": {"c64", "str"}, "npz": {"bf16"}, "npy": {"bf16"}}


@pytest.fixture
def dtypes(tmp_path):
    data, expected = dtypes_graph()
    p = tmp_path / "dtypes.pb"
    p.write_bytes(data)
    return open_model(p), expected


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_round_trip_every_dtype(fmt, dtypes, tmp_path):
    g, expected = dtypes
    refused = REFUSED.get(fmt, set())
    ok = [w for w in g.weights if w.name.rsplit("/", 1)[1] not in refused]
    out = tmp_path / FORMATS[fmt]
    report = export_weights(ok, out)
    assert report.format == fmt and report.count == len(ok)
    back = open_model(out)
    assert [w.key for w in back.weights] == [w.key for w in ok]
    for w in ok:
        got = back.find_weight(w.key).array()
        want = expected[w.key]
        if want.dtype == object:   # strings come back as bytes (npz/npy: fixed width)
            assert [bytes(x) for x in got.reshape(-1)] == list(want.reshape(-1))
            continue
        assert got.dtype == want.dtype, w.key
        np.testing.assert_array_equal(got, want)
    for name in refused:
        w = g.find_weight(f"dtypes/{name}")
        with pytest.raises(PbscopeError, match=f"dtypes/{name}:0: .*(cannot hold|has no)"):
            export_weights([w], tmp_path / ("refused_" + FORMATS[fmt]))
        assert not (tmp_path / ("refused_" + FORMATS[fmt])).exists()


def test_pickle_is_a_plain_dict_with_seed_keys(tmp_path):
    data, expected = tf1_mlp()
    (tmp_path / "m.pb").write_bytes(data)
    g = open_model(tmp_path / "m.pb")
    out = tmp_path / "m.pkl"
    export_weights(g.weights, out)
    raw = out.read_bytes()
    assert raw[0] == 0x80 and raw[1] == pickle.HIGHEST_PROTOCOL
    d = pickle.loads(raw)
    assert type(d) is dict and list(d) == list(expected)
    for k, v in d.items():
        assert type(v) is np.ndarray
        np.testing.assert_array_equal(v, expected[k])
    export_weights(g.weights, tmp_path / "v.pkl", keys="var")
    assert list(pickle.loads((tmp_path / "v.pkl").read_bytes())) == [k[:-2] for k in expected]


def test_default_path_and_refusals(tmp_path):
    data, _ = tf1_mlp()
    model = tmp_path / "m.pb"
    model.write_bytes(data)
    g = open_model(model)
    assert default_export_path(model) == str(tmp_path / "m_weights.pkl")
    assert default_export_path(model, "/x", "npz") == "/x/m_weights.npz"
    with pytest.raises(PbscopeError, match="refusing to overwrite the model file itself"):
        export_weights(g.weights, model, fmt="pkl", model_path=str(model))
    assert model.read_bytes() == data
    with pytest.raises(PbscopeError, match="nothing to export"):
        export_weights([], tmp_path / "e.pkl")
    with pytest.raises(PbscopeError, match="cannot tell the format"):
        export_weights(g.weights, tmp_path / "w.txt")
    with pytest.raises(PbscopeError, match="does not exist"):
        export_weights(g.weights, tmp_path / "nodir" / "w.pkl")
    assert sorted(os.listdir(tmp_path)) == ["m.pb"]


# -- faults: no partial file, and an old file stays byte-identical ------------------

@pytest.fixture
def model_and_old(tmp_path):
    data, _ = tf1_mlp(big=2000)
    (tmp_path / "m.pb").write_bytes(data)
    old = {}
    for fmt, name in FORMATS.items():
        if fmt != "npy":
            (tmp_path / name).write_bytes(b"old contents " + fmt.encode())
            old[name] = (tmp_path / name).read_bytes()
    return open_model(tmp_path / "m.pb"), tmp_path, old


def assert_untouched(tmp_path, old):
    names = sorted(os.listdir(tmp_path))
    assert not [n for n in names if n.endswith(".part") or ".part" in n], names
    for name, data in old.items():
        assert (tmp_path / name).read_bytes() == data
    assert not (tmp_path / FORMATS["npy"]).exists()


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_folder_refusing_writes(fmt, model_and_old, monkeypatch):
    g, tmp, old = model_and_old

    def refuse(*a, **k):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(atomic.tempfile, "mkstemp", refuse)
    monkeypatch.setattr(atomic.tempfile, "mkdtemp", refuse)
    with pytest.raises(PbscopeError, match="Permission denied"):
        export_weights(g.weights, tmp / FORMATS[fmt])
    assert_untouched(tmp, old)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_disk_full_mid_write(fmt, model_and_old, monkeypatch):
    g, tmp, old = model_and_old
    real_fsync, real_save = os.fsync, np.save
    calls = {"n": 0}

    def full(*a, **k):
        raise OSError(28, "No space left on device")

    def save_then_fail(*a, **k):   # the npy folder: fail on the second file
        calls["n"] += 1
        if calls["n"] == 2:
            full()
        return real_save(*a, **k)
    monkeypatch.setattr(export_mod.os, "fsync", lambda fd: full() if fd > 2 else real_fsync(fd))
    monkeypatch.setattr(export_mod.np, "save", save_then_fail)
    with pytest.raises(PbscopeError, match="No space left on device"):
        export_weights(g.weights, tmp / FORMATS[fmt])
    assert_untouched(tmp, old)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_cancel_mid_write(fmt, model_and_old):
    g, tmp, old = model_and_old
    seen = []
    prog = Progress(lambda f, t: (seen.append(f), prog.cancel() if len(seen) == 2 else None))
    with pytest.raises(Cancelled):
        export_weights(g.weights, tmp / FORMATS[fmt], progress=prog)
    assert_untouched(tmp, old)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_undecodable_tensor_mid_write(fmt, model_and_old, monkeypatch):
    g, tmp, old = model_and_old
    bad = g.weights[2]
    monkeypatch.setattr(type(bad), "array", lambda self: (_ for _ in ()).throw(
        PbscopeError(g.path, f"{self.name}: the shape claims 1e12 elements")) if self is bad
        else g.load_weight(self))
    with pytest.raises(PbscopeError, match="claims 1e12"):
        export_weights(g.weights, tmp / FORMATS[fmt])
    assert_untouched(tmp, old)


def test_outputs_get_ordinary_permissions(model_and_old):
    g, tmp, _ = model_and_old
    export_weights(g.weights, tmp / "p.pkl")
    export_weights(g.weights, tmp / "p_npy")
    mask = atomic.umask()
    assert (tmp / "p.pkl").stat().st_mode & 0o777 == 0o666 & ~mask
    assert (tmp / "p_npy").stat().st_mode & 0o777 == 0o777 & ~mask


def test_replaces_an_existing_file_atomically(model_and_old):
    g, tmp, old = model_and_old
    export_weights(g.weights, tmp / "w.pkl")
    assert pickle.loads((tmp / "w.pkl").read_bytes()).keys() == {w.key for w in g.weights}
    export_weights(g.weights, tmp / "w_npy")
    export_weights(g.weights[:1], tmp / "w_npy")      # a second export replaces the folder
    assert len(open_model(tmp / "w_npy").weights) == 1
    assert not [n for n in os.listdir(tmp) if ".part" in n or ".old-" in n]


@pytest.mark.parametrize("fmt", ["pkl", "safetensors"])
def test_big_tensors_are_copied_file_to_file_and_equal(fmt, tmp_path, monkeypatch):
    """Tensors stored raw in the model's file go out by copy_file_range: same bytes."""
    from pbscope.core.formats import graphdef
    monkeypatch.setattr(graphdef, "MAP_FILE", 0)          # memory-map even this small file
    data, expected = _big_and_small_graph()
    (tmp_path / "m.pb").write_bytes(data)
    g = open_model(tmp_path / "m.pb")
    big = g.find_weight("big/w0:0")
    assert g.span(big) is not None and sum(1 for w in g.weights if g.span(w)) == 6
    copies = []
    real = os.copy_file_range
    monkeypatch.setattr(os, "copy_file_range", lambda *a: copies.append(a[2]) or real(*a))
    export_weights(g.weights, tmp_path / ("w." + fmt))
    assert sorted(copies) == sorted(w.nbytes for w in g.weights if g.span(w))
    back = open_model(tmp_path / ("w." + fmt))
    assert [w.key for w in back.weights] == list(expected)
    for k, v in expected.items():
        np.testing.assert_array_equal(back.find_weight(k).array(), v)


def _big_and_small_graph():
    """Big weights (read in place) between small ones (copied by protobuf), interleaved,
    so that freed arrays' ids get reused while an export streams."""
    from pbscope.core import proto

    from .graphs import const, op
    rng = np.random.default_rng(5)
    gd, expected = proto.GraphDef(), {}
    for i in range(6):
        for name, shape in ((f"big/w{i}", (90, 200 + i)), (f"small/b{i}", (7 + i,))):
            v = rng.standard_normal(shape).astype(np.float32)
            const(gd, name, v)
            op(gd, name + "/read", "Identity", name)
            expected[name + ":0"] = v
    return gd.SerializeToString(), expected
