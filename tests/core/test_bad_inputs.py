"""Every error a user can cause: one clear line ``pbscope: error: <path>: <cause>``, exit 1,
no traceback, nothing written."""
from __future__ import annotations

import builtins
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

from pbscope.core import cli, proto
from pbscope.core.errors import PbscopeError
from pbscope.core.formats import open_model
from tests.procs import PBSCOPE

from .graphs import const, op, tf1_mlp

ROOT = Path(__file__).resolve().parents[2]


def run_cli(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line(code, err, path, fragment):
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"pbscope: error: {path}: "), lines[0]
    assert fragment in lines[0], lines[0]
    assert "Traceback" not in err


@pytest.fixture
def good_pb(tmp_path) -> Path:
    data, _ = tf1_mlp()
    p = tmp_path / "good.pb"
    p.write_bytes(data)
    return p


def write(tmp_path, name, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


CASES = {
    "empty": (lambda t, g: write(t, "empty.pb", b""), "empty"),
    "random": (lambda t, g: write(t, "random.pb", np.random.default_rng(1).bytes(4096)),
               "not a TensorFlow model"),
    "truncated": (lambda t, g: write(t, "cut.pb", g.read_bytes()[: len(g.read_bytes()) // 2]),
                  "truncated"),
    "plain text": (lambda t, g: write(t, "notes.pbtxt", b"hello, this is not a graph\n"),
                   "not a TensorFlow graph in protobuf text format"),
    "pbtxt syntax": (lambda t, g: write(t, "bad.pbtxt", b'node {\n  name: "a"\n  op: "Const"\n  input: \n'),
                     "not a valid GraphDef in text format: line 5, column 1"),
    "missing": (lambda t, g: t / "nope.pb", "no such file"),
    "folder": (lambda t, g: (t / "emptydir").mkdir() or t / "emptydir", "a folder with no TensorFlow model"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_file_gives_one_line(case, tmp_path, good_pb, capsys):
    make, fragment = CASES[case]
    path = make(tmp_path, good_pb)
    before = sorted(os.listdir(tmp_path))
    for command in (["info"], ["ls"], ["show", None, "x"]):
        argv = [a if a is not None else str(path) for a in command]
        if command[0] != "show":
            argv.append(str(path))
        code, out, err = run_cli(capsys, *argv)
        assert_one_line(code, err, path, fragment)
    assert sorted(os.listdir(tmp_path)) == before


def test_unreadable_file(tmp_path, good_pb, capsys, monkeypatch):
    # CI runs as root, whom permissions do not stop: inject the failure instead.
    real_open = builtins.open

    def deny(file, *a, **k):
        if os.fspath(file) == str(good_pb):
            raise PermissionError(13, "Permission denied", str(good_pb))
        return real_open(file, *a, **k)
    monkeypatch.setattr(builtins, "open", deny)
    code, _, err = run_cli(capsys, "info", str(good_pb))
    assert_one_line(code, err, good_pb, "permission denied")


def test_unreadable_file_for_real(tmp_path, good_pb, capsys):
    if os.geteuid() == 0:
        pytest.skip("root reads everything")
    good_pb.chmod(0)
    code, _, err = run_cli(capsys, "info", str(good_pb))
    assert_one_line(code, err, good_pb, "permission denied")


def graph_file(tmp_path, name, build) -> Path:
    gd = proto.GraphDef()
    build(gd)
    return write(tmp_path, name, gd.SerializeToString())


def test_huge_shape_claim_opens_but_refuses_to_decode(tmp_path, capsys):
    def build(gd):
        n = gd.node.add(name="huge", op="Const")
        t = n.attr["value"].tensor
        t.dtype = 1
        t.tensor_shape.dim.add(size=10**6)
        t.tensor_shape.dim.add(size=10**6)
        t.float_val.append(1.0)
        op(gd, "huge/read", "Identity", "huge")
    p = graph_file(tmp_path, "huge.pb", build)
    g = open_model(p)
    assert g.weights[0].shape == (10**6, 10**6)
    code, _, err = run_cli(capsys, "show", str(p), "huge")
    assert_one_line(code, err, p, "huge: the shape [1000000, 1000000] claims 1e+12 elements")


def test_unknown_dtype_number(tmp_path, capsys):
    def build(gd):
        n = gd.node.add(name="odd", op="Const")
        n.attr["value"].tensor.dtype = 77
        n.attr["value"].tensor.tensor_content = b"1234"
        op(gd, "odd/read", "Identity", "odd")
    p = graph_file(tmp_path, "odd.pb", build)
    code, out, err = run_cli(capsys, "info", str(p))
    assert code == 0
    code, _, err = run_cli(capsys, "show", str(p), "odd:0")
    assert_one_line(code, err, p, "unknown dtype number 77")


def test_node_name_not_utf8(tmp_path, good_pb, capsys):
    data = good_pb.read_bytes()
    i = data.index(b"net/layer_0/weights")
    bad = data[:i] + b"\xff\xfe" + data[i + 2:]
    p = write(tmp_path, "latin.pb", bad)
    code, _, err = run_cli(capsys, "info", str(p))
    assert_one_line(code, err, p, "not valid UTF-8")


def test_shape_disagrees_with_bytes(tmp_path, capsys):
    def build(gd):
        n = const(gd, "w", np.zeros((2, 2), np.float32))
        n.attr["value"].tensor.tensor_shape.dim[0].size = 3
        op(gd, "w/read", "Identity", "w")
    p = graph_file(tmp_path, "mismatch.pb", build)
    code, _, err = run_cli(capsys, "show", str(p), "w")
    assert_one_line(code, err, p, "has 6 elements of 4 bytes, but the tensor stores 16 bytes")


@pytest.mark.parametrize("kind,data,label", [
    ("hdf5", b"\x89HDF\r\n\x1a\n" + b"\0" * 64, "HDF5"),
    ("zip", b"PK\x03\x04" + b"\0" * 64, "zip archive"),
])
def test_known_but_unsupported_kinds_are_named(kind, data, label, tmp_path, capsys):
    p = write(tmp_path, "model.pb", data)
    code, _, err = run_cli(capsys, "info", str(p))
    assert_one_line(code, err, p, label)


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as e:
        cli.main(["ls"])
    assert e.value.code == 2
    with pytest.raises(SystemExit) as e:
        cli.main(["show", "x"])
    assert e.value.code == 2


def test_bad_regex_is_a_clear_line(good_pb, capsys):
    code, _, err = run_cli(capsys, "ls", str(good_pb), "--regex", "(")
    assert code == 1 and err.startswith("pbscope: error: --regex '('") and "Traceback" not in err


def test_real_process_prints_no_traceback(tmp_path):
    p = write(tmp_path, "random.pb", np.random.default_rng(2).bytes(1000))
    r = subprocess.run([*PBSCOPE, "info", str(p)],
                       capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 1
    assert r.stderr.strip().startswith(f"pbscope: error: {p}: ")
    assert len(r.stderr.strip().splitlines()) == 1
    assert r.stdout == ""
    assert sorted(os.listdir(tmp_path)) == ["random.pb"]


def test_open_model_raises_only_our_error(tmp_path):
    with pytest.raises(PbscopeError) as e:
        open_model(tmp_path / "missing.pb")
    assert str(e.value) == f"{tmp_path / 'missing.pb'}: no such file or folder"
