"""Weights files load without running code; a hostile pickle is refused, and nothing runs."""
from __future__ import annotations

import os
import pickle
import subprocess

import ml_dtypes
import numpy as np
import pytest

from pbscope.core import cli
from pbscope.core.errors import PbscopeError
from pbscope.core.formats import open_model
from pbscope.core.safeload import load_pickle
from tests.procs import PBSCOPE


class _Marker:
    """Unpickling this would create a marker file."""
    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


class _System:
    def __init__(self, cmd):
        self.cmd = cmd

    def __reduce__(self):
        return (os.system, (self.cmd,))


class _Eval:
    def __reduce__(self):
        return (eval, ("__import__('os').system('true')",))


@pytest.mark.parametrize("protocol", [2, 4, 5])
@pytest.mark.parametrize("make,global_name", [
    (lambda m: {"w": _Marker(m)}, "io.open"),
    (lambda m: {"w": _System(f"touch {m}")}, "posix.system"),
    (lambda m: {"w": _Eval()}, "builtins.eval"),
    (lambda m: {"w": np.ones(2), "x": [_System(f"touch {m}")]}, "posix.system"),
    (lambda m: _System(f"touch {m}"), "posix.system"),
])
def test_hostile_pickles_are_refused_and_nothing_runs(make, global_name, protocol, tmp_path, capsys):
    marker = tmp_path / "MARKER"
    p = tmp_path / "evil.pkl"
    p.write_bytes(pickle.dumps(make(str(marker)), protocol=protocol))
    with pytest.raises(PbscopeError, match=f"refusing to load: the pickle asks for {global_name}"):
        load_pickle(p)
    assert cli.main(["info", str(p)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"pbscope: error: {p}: refusing to load") and global_name in err
    assert not marker.exists()


def test_a_class_instance_is_refused(tmp_path):
    p = tmp_path / "obj.pkl"
    p.write_bytes(pickle.dumps({"w": PbscopeError("x", "y")}))
    with pytest.raises(PbscopeError, match="pbscope.core.errors.PbscopeError"):
        load_pickle(p)


def test_in_a_fresh_process_no_code_runs(tmp_path):
    marker = tmp_path / "MARKER"
    p = tmp_path / "evil.pkl"
    p.write_bytes(pickle.dumps({"w": _System(f"touch {marker}")}))
    r = subprocess.run([*PBSCOPE, "show", str(p), "w"], capture_output=True, text=True,
                       cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    assert r.returncode == 1 and "refusing to load" in r.stderr
    assert not marker.exists()


@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_plain_dicts_of_arrays_load(protocol, tmp_path):
    d = {"a:0": np.arange(6, dtype=np.float32).reshape(2, 3), "b": np.array([b"x", b"yz"], dtype=object),
         "bf": np.ones(3, ml_dtypes.bfloat16), "s": np.float64(2.5), "n": {"x": np.arange(3)},
         "c": np.array([1 + 2j], np.complex64), "flag": np.array(True)}
    p = tmp_path / "ok.pkl"
    p.write_bytes(pickle.dumps(d, protocol=protocol))
    got = load_pickle(p)
    assert list(got) == ["a:0", "b", "bf", "s", "n/x", "c", "flag"]
    np.testing.assert_array_equal(got["a:0"], d["a:0"])
    assert got["b"].tolist() == [b"x", b"yz"] and got["bf"].dtype == ml_dtypes.bfloat16
    assert got["s"] == 2.5 and got["n/x"].tolist() == [0, 1, 2]


@pytest.mark.parametrize("payload,cause", [
    (pickle.dumps([1, 2]), "holds a list, not a dict of arrays"),
    (pickle.dumps({1: np.ones(1)}), "key that is not a string"),
    (b"\x80\x05garbage", "not a readable pickle"),
    (pickle.dumps({"a": np.ones(3)})[:-10], "not a readable pickle"),
])
def test_bad_pickles_get_one_line(payload, cause, tmp_path):
    p = tmp_path / "bad.pkl"
    p.write_bytes(payload)
    with pytest.raises(PbscopeError, match=cause):
        open_model(p)


def test_npz_with_pickled_objects_is_refused(tmp_path):
    p = tmp_path / "obj.npz"
    np.savez(p, a=np.array([{"x": 1}], dtype=object))
    with pytest.raises(PbscopeError, match="pickled Python objects"):
        open_model(p)


def test_npy_folder_cannot_escape(tmp_path):
    d = tmp_path / "w"
    d.mkdir()
    np.save(d / "a.npy", np.ones(2))
    (d / "index.json").write_text('{"a:0": "../../etc/passwd"}')
    with pytest.raises(PbscopeError, match="not a file name in this folder"):
        open_model(d)
