"""Damaged and hostile files (issue 16): each class is a small file made here, run through
the command line: exit 1, the one line ``pbscope: error: <path>: <cause>``, and the path
it names is the file at fault (the input for an input's defect, the destination only for
the destination's own problems)."""
from __future__ import annotations

import hashlib
import json
import math
import os
import pickle
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from pbscope.core import atomic, cli, proto
from pbscope.core.errors import PbscopeError
from pbscope.core.limits import MAX_RANK, bytes_text, count_text, shape_text
from tests.procs import INSTALLED, PBSCOPE
from tools.fuzz_long import FlatWalk, append_aligned, made_tflite, write_table

from .graphs import op

ROOT = Path(__file__).resolve().parents[2]


def run(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def one_line(code: int, err: str, path, *fragments: str) -> str:
    """Assert exit 1 and one line naming ``path``; return the cause."""
    assert code == 1, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    prefix = f"pbscope: error: {path}: "
    assert lines[0].startswith(prefix), lines[0]
    cause = lines[0][len(prefix):]
    assert cause.strip()
    for f in fragments:
        assert f in cause, cause
    return cause


def digest(*paths) -> list[str]:
    return [hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in paths]


# -- files made here --------------------------------------------------------------------

def checkpoint(folder: Path, entries: dict[bytes, dict], data: bytes) -> Path:
    """A TF2-format checkpoint (index + one data shard) with the given raw entries."""
    prefix = folder / "model.ckpt"
    records = [(b"", proto.BundleHeaderProto(num_shards=1).SerializeToString())]
    for key, fields in sorted(entries.items()):
        e = proto.BundleEntryProto(dtype=fields.get("dtype", 1), offset=fields.get("offset", 0),
                                   size=fields.get("size", len(data)))
        for d in fields["shape"]:
            e.shape.dim.add(size=d)
        records.append((key, e.SerializeToString()))
    write_table(str(prefix) + ".index", records)
    (folder / "model.ckpt.data-00000-of-00001").write_bytes(data)
    return prefix


def broadcast_pb(path: Path, shape=(2**29,), value=2.5, names=("fill",)) -> Path:
    """Consts that store one float (or a list of them, the last repeated) for a whole shape,
    each read through an Identity."""
    gd = proto.GraphDef()
    for name in names:
        n = gd.node.add(name=name, op="Const")
        t = n.attr["value"].tensor
        t.dtype = 1
        for d in shape:
            t.tensor_shape.dim.add(size=d)
        t.float_val.extend(np.atleast_1d(value).tolist())
        op(gd, name + "/read", "Identity", name)
    path.write_bytes(gd.SerializeToString())
    return path


def npy_bytes(header: dict, data: bytes) -> bytes:
    import io
    f = io.BytesIO()
    np.lib.format.write_array_header_1_0(f, header)
    return f.getvalue() + data


# -- the five classes of traceback ----------------------------------------------------------

def test_a_key_no_npz_can_hold_names_the_input_and_the_key(tmp_path, capsys):
    prefix = checkpoint(tmp_path, {b"k" * 100_000: {"shape": [2]}}, np.ones(2, np.float32).tobytes())
    out = tmp_path / "w.npz"
    code, _, err = run(capsys, "export", prefix, "-o", out)
    one_line(code, err, prefix, "kkkk… (100,002 characters)", "100,002 bytes long",
             "at most 65,531")
    assert not out.exists()
    code, _, err = run(capsys, "export", prefix, "-o", tmp_path / "w.pkl")    # a pickle holds it
    assert code == 0, err
    assert list(pickle.loads((tmp_path / "w.pkl").read_bytes())) == ["k" * 100_000 + ":0"]


@pytest.mark.parametrize("rank", [33, 65, 1100])
def test_ranks_beyond_the_limit(rank, tmp_path, capsys):
    prefix = checkpoint(tmp_path, {b"deep": {"shape": [1] * rank, "size": 4}}, b"\0" * 4)
    code, out, err = run(capsys, "info", prefix)
    assert code == 0, err
    for argv in (["show", prefix, "deep"], ["export", prefix, "-o", tmp_path / "w.npz"]):
        code, _, err = run(capsys, *argv)
        one_line(code, err, prefix, f"deep: the shape has {rank:,} dimensions; pbscope reads at most {MAX_RANK}")
    assert not (tmp_path / "w.npz").exists()


@pytest.mark.parametrize("shape,fragment", [([-3, 2], "negative dimension (-3)"),
                                            ([1] * 33, "33 dimensions")])
def test_string_tensors_with_hostile_shapes(shape, fragment, tmp_path, capsys):
    prefix = checkpoint(tmp_path, {b"words": {"dtype": 7, "shape": shape, "size": 8}}, b"\x01\x01" + b"\0" * 6)
    for argv in (["show", prefix, "words"], ["export", prefix, "-o", tmp_path / "w.pkl"]):
        code, _, err = run(capsys, *argv)
        one_line(code, err, prefix, "words: ", fragment)


def test_thousands_of_dims_in_a_text_graph(tmp_path, capsys):
    dims = "".join("dim { size: 2 } " for _ in range(1100))
    p = tmp_path / "deep.pbtxt"
    p.write_text('node { name: "c" op: "Const" attr { key: "dtype" value { type: DT_FLOAT } } '
                 f'attr {{ key: "value" value {{ tensor {{ dtype: DT_FLOAT tensor_shape {{ {dims}}} '
                 'float_val: 1 } } } }\nnode { name: "c/read" op: "Identity" input: "c" }\n')
    assert 15_000 < p.stat().st_size < 20_000
    for argv in (["info", p], ["ls", p, "--weights"], ["ls", p, "--all-consts"]):
        code, _, err = run(capsys, *argv)
        assert code == 0, err
    code, _, err = run(capsys, "show", p, "c")
    one_line(code, err, p, "c: the shape has 1,100 dimensions")


def test_size_and_shape_formatters_never_raise():
    from pbscope.gui import fmt
    for n in (2**200, -3, 2**63, 10**5000, 0, None, float("inf"), "x"):
        for f in (bytes_text, count_text, fmt.human_bytes, fmt.human_count, cli.human_bytes):
            assert isinstance(f(n), str)
    assert bytes_text(2**200) == "1.39e+42 EB" and count_text(10**12) == "1e+12"
    for shape in ([2] * 1100, [2**200, -1], [], None, [None, "x"]):
        assert isinstance(shape_text(shape), str) and isinstance(fmt.shape_text(shape), str)
    assert shape_text([2] * 1100) == "[2, 2, 2, 2, 2, 2, 2, 2, …] (1,100 dims)"


# -- the file at fault --------------------------------------------------------------------

def test_a_short_data_file_is_blamed_not_the_destination(tmp_path, capsys):
    prefix = checkpoint(tmp_path, {b"w": {"shape": [4], "size": 16}}, b"\0" * 8)
    code, _, err = run(capsys, "export", prefix, "-o", tmp_path / "w.npz")
    one_line(code, err, str(prefix) + ".data-00000-of-00001", "w: the data file is shorter than the index says")


def test_bytes_disagreeing_with_the_shape_blame_the_input(tmp_path, capsys):
    prefix = checkpoint(tmp_path, {b"w": {"shape": [3], "size": 8}}, b"\0" * 8)
    code, _, err = run(capsys, "export", prefix, "-o", tmp_path / "w.safetensors")
    one_line(code, err, str(prefix) + ".data-00000-of-00001", "w: the shape [3] has 3 elements of 4 bytes")


def test_an_unfrozen_graph_is_blamed_not_the_destination(tmp_path, capsys):
    gd = proto.GraphDef()
    v = gd.node.add(name="v", op="VariableV2")
    v.attr["dtype"].type = 1
    v.attr["shape"].shape.dim.add(size=2)
    p = tmp_path / "train.pb"
    p.write_bytes(gd.SerializeToString())
    code, _, err = run(capsys, "export", p, "-o", tmp_path / "w.pkl")
    one_line(code, err, p, "v: no value in this file: the graph is not frozen")


def test_the_destinations_own_problems_name_the_destination(tmp_path, capsys, monkeypatch):
    p = broadcast_pb(tmp_path / "m.pb", shape=(4,))
    out = tmp_path / "w.npz"

    class Full:
        f_bavail, f_frsize = 1, 4
    monkeypatch.setattr(os, "statvfs", lambda path: Full)
    code, _, err = run(capsys, "export", p, "-o", out)
    one_line(code, err, out, "not enough free space: the tensors take 16 B, the disk has 4 B free")


# -- broadcast constants ----------------------------------------------------------------

def _child(argv: list[str]) -> tuple[int, str, str, float]:
    """``python main.py …`` in a child; its exit code, output and peak RSS in MB (VmHWM: the
    child's own memory; ru_maxrss would carry over the high-water mark of this test process,
    which spawned it)."""
    code = ("import sys\nsys.path.insert(0, sys.argv[1])\n" + ("from pbscope.main import main\n" if INSTALLED else "from main import main\n") +
            "c = main(sys.argv[2:])\n"
            "hwm = [line.split()[1] for line in open('/proc/self/status') if line.startswith('VmHWM')]\n"
            "print('RSS', int(hwm[0]) / 1024, file=sys.stderr)\n"
            "sys.exit(c)\n")
    r = subprocess.run([sys.executable, "-c", code, str(ROOT), *map(str, argv)], capture_output=True,
                       text=True, timeout=120)
    err, _, rss = r.stderr.rpartition("RSS ")
    return r.returncode, r.stdout, err, float(rss)


@pytest.fixture(scope="module")
def big_broadcast(tmp_path_factory) -> Path:
    """The issue's 91-byte graph: one float stored for a shape of 2**29 (2 GiB as float32)."""
    p = broadcast_pb(tmp_path_factory.mktemp("bc") / "bc.pb", names=("w",))
    assert len(p.read_bytes()) < 100
    return p


def test_show_of_a_broadcast_constant_stays_small(big_broadcast):
    code, out, err, rss = _child(["show", big_broadcast, "w", "--json", "--values", "3"])
    assert code == 0, err
    shown = json.loads(out)
    assert shown["shape"] == [2**29] and shown["values"] == [2.5] * 3
    assert (shown["min"], shown["max"], shown["mean"], shown["std"], shown["zeros"]) == (2.5, 2.5, 2.5, 0.0, 0)
    assert rss <= 300, rss


@pytest.fixture
def roomy_dir(tmp_path):
    """A folder for a 2 GiB output: in memory (/dev/shm) where it has room, so the test
    does not wait on the disk's fsync; else the test's own folder."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK) and shutil.disk_usage(shm).free > 3 << 30:
        folder = Path(tempfile.mkdtemp(prefix="pbscope-test-", dir=shm))
        yield folder
        shutil.rmtree(folder, ignore_errors=True)
    else:
        yield tmp_path


def test_safetensors_export_of_a_broadcast_constant_streams(big_broadcast, roomy_dir):
    before = digest(big_broadcast)
    out = roomy_dir / "w.safetensors"
    code, _, err, rss = _child(["export", big_broadcast, "-o", out])
    assert code == 0, err
    assert rss <= 300, rss
    with open(out, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(n))
        assert header["w:0"] == {"dtype": "F32", "shape": [2**29], "data_offsets": [0, 2**31]}
        for at in (0, 2**30, 2**31 - 16):
            f.seek(8 + n + at)
            assert np.frombuffer(f.read(16), np.float32).tolist() == [2.5] * 4
    assert out.stat().st_size == 8 + n + 2**31
    assert digest(big_broadcast) == before


@pytest.mark.parametrize("fmt", ["npz", "npy", "safetensors", "pkl"])
def test_streamed_broadcast_equals_the_expanded_array(fmt, tmp_path, capsys):
    from pbscope.core.formats import open_model
    p = broadcast_pb(tmp_path / "m.pb", shape=(3, 1000, 700), value=-1.25)
    out = tmp_path / {"npz": "w.npz", "npy": "w_npy", "safetensors": "w.safetensors", "pkl": "w.pkl"}[fmt]
    code, _, err = run(capsys, "export", p, "-o", out)
    assert code == 0, err
    back = open_model(out).find_weight("fill:0").array()
    np.testing.assert_array_equal(back, np.full((3, 1000, 700), -1.25, np.float32))


def test_a_pickle_refuses_a_huge_broadcast_and_names_the_streaming_formats(big_broadcast, tmp_path, capsys):
    out = tmp_path / "w.pkl"
    code, _, err = run(capsys, "export", big_broadcast, "-o", out)
    one_line(code, err, out, "w:0: one stored value repeated to 536,870,912 elements (2.0 GB expanded)",
             "export it to npz, npy or safetensors")
    assert os.listdir(tmp_path) == []


def test_preview_figures_come_from_the_stored_value(big_broadcast):
    from pbscope.core.formats import open_model
    from pbscope.core.stats import summarize
    a = open_model(big_broadcast).find_weight("w").array()
    assert a.shape == (2**29,) and a.strides == (0,)      # viewed, never expanded
    s = summarize(a)
    assert (s.size, s.min, s.max, s.mean, s.std, s.zeros) == (2**29, 2.5, 2.5, 2.5, 0.0, 0)
    assert s.finite.tolist() == [2.5] and s.counts.tolist() == [2**29]     # the value and its count
    assert a.reshape(2**14, 2**15)[3, :4].tolist() == [2.5] * 4


# -- several stored values, the last repeated ------------------------------------------------

STORED = (-1.5, 4.0, 0.5)


@pytest.fixture(scope="module")
def big_repeated(tmp_path_factory) -> Path:
    """Three floats stored for a shape of 2**29 (2 GiB as float32): TensorFlow repeats the last."""
    p = broadcast_pb(tmp_path_factory.mktemp("rep") / "rep.pb", value=STORED, names=("w",))
    assert len(p.read_bytes()) < 120
    return p


def test_show_of_a_repeated_constant_stays_small(big_repeated):
    code, out, err, rss = _child(["show", big_repeated, "w", "--json", "--values", "5"])
    assert code == 0, err
    assert rss <= 300, rss
    shown = json.loads(out)
    n, rest = 2**29, 2**29 - 2
    mean = (-1.5 + 4.0 + 0.5 * rest) / n        # from the values and their counts
    std = math.sqrt(((-1.5 - mean) ** 2 + (4.0 - mean) ** 2 + rest * (0.5 - mean) ** 2) / n)
    assert shown["shape"] == [n] and shown["values"] == [-1.5, 4.0, 0.5, 0.5, 0.5]
    assert (shown["min"], shown["max"], shown["zeros"], shown["nan"]) == (-1.5, 4.0, 0, 0)
    assert shown["mean"] == pytest.approx(mean, rel=1e-12) and shown["std"] == pytest.approx(std, rel=1e-9)


@pytest.mark.parametrize("fmt", ["safetensors", "npy"])
def test_export_of_a_repeated_constant_streams(fmt, big_repeated, roomy_dir):
    out = roomy_dir / ("w.safetensors" if fmt == "safetensors" else "w_npy")
    code, _, err, rss = _child(["export", big_repeated, "-o", out])
    assert code == 0, err
    assert rss <= 300, rss
    if fmt == "safetensors":
        from safetensors import safe_open
        with safe_open(out, "np") as f:
            part = f.get_slice("w:0")
            assert part.get_shape() == [2**29]
            head, tail = part[:4], part[2**29 - 2:]
    else:
        a = np.load(out / json.loads((out / "index.json").read_text())["w:0"], mmap_mode="r")
        assert a.shape == (2**29,) and a.dtype == np.float32
        head, tail = np.array(a[:4]), np.array(a[-2:])
    assert head.tolist() == [-1.5, 4.0, 0.5, 0.5] and tail.tolist() == [0.5, 0.5]


def test_a_pickle_refuses_a_huge_repeated_constant(big_repeated, tmp_path, capsys):
    out = tmp_path / "w.pkl"
    code, _, err = run(capsys, "export", big_repeated, "-o", out)
    one_line(code, err, out, "w:0: 3 stored values, the last repeated, to 536,870,912 elements "
             "(2.0 GB expanded)", "export it to npz, npy or safetensors")
    assert os.listdir(tmp_path) == []


def test_free_space_is_checked_before_a_repeated_constant_streams(big_repeated, tmp_path, capsys, monkeypatch):
    class Full:
        f_bavail, f_frsize = 1 << 20, 1024
    monkeypatch.setattr(os, "statvfs", lambda path: Full)
    out = tmp_path / "w.safetensors"
    code, _, err = run(capsys, "export", big_repeated, "-o", out)
    one_line(code, err, out, "not enough free space: the tensors take 2.0 GB, the disk has 1.0 GB free")
    assert os.listdir(tmp_path) == []


def test_repeated_constants_decode_to_tensorflows_expansion(tmp_path, capsys):
    """A small one (5 values for 4×8) is expanded; a 2.4 MB one is kept as a Repeated whose
    elements, slices and streamed chunks are TensorFlow's own, as its exports are."""
    from pbscope.core.formats import open_model
    from pbscope.core.tensors import Repeated, flat_chunks
    tf = pytest.importorskip("tensorflow")
    p = broadcast_pb(tmp_path / "m.pb", shape=(4, 8), value=[1, 2, 3, 4, 5], names=("small",))
    big = broadcast_pb(tmp_path / "big.pb", shape=(6, 100, 1000), value=[7, -1, 0.25, 9], names=("big",))
    want = {}
    for path, name in ((p, "small"), (big, "big")):
        gd = tf.compat.v1.GraphDef.FromString(path.read_bytes())
        gd.node[0].attr["dtype"].type = gd.node[1].attr["T"].type = 1    # TensorFlow wants them
        with tf.Graph().as_default() as g:
            tf.import_graph_def(gd, name="")
            with tf.compat.v1.Session(graph=g) as sess:
                want[name] = sess.run(name + ":0")
    small = open_model(p).find_weight("small").array()
    assert isinstance(small, np.ndarray)
    np.testing.assert_array_equal(small, want["small"])
    r = open_model(big).find_weight("big").array()
    assert isinstance(r, Repeated) and r.stored.tolist() == [7, -1, 0.25, 9]
    w = want["big"]
    np.testing.assert_array_equal(r.expand(), w)
    np.testing.assert_array_equal(np.concatenate(list(flat_chunks(r, 1000))), w.reshape(-1))
    for key in [(0,), (0, 0, slice(0, 6)), (slice(None), 0, slice(None, None, 333)), (5, -1, -1), (2, 7)]:
        np.testing.assert_array_equal(r[key], w[key])
    np.testing.assert_array_equal(r.reshape(-1, 3000)[0], w.reshape(-1, 3000)[0])
    out = tmp_path / "w.npz"
    code, _, err = run(capsys, "export", big, "-o", out)
    assert code == 0, err
    np.testing.assert_array_equal(np.load(out)["big:0"], w)
    code, _, err = run(capsys, "export", big, "-o", tmp_path / "w.pkl")      # small enough to expand
    assert code == 0, err
    np.testing.assert_array_equal(pickle.loads((tmp_path / "w.pkl").read_bytes())["big:0"], w)


# -- claims checked before allocation --------------------------------------------------------

def test_npz_member_claiming_more_than_it_holds(tmp_path, capsys):
    p = tmp_path / "w.npz"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("big.npy", npy_bytes({"descr": "<f4", "fortran_order": False, "shape": (2**31,)}, b"\0" * 16))
    code, _, err = run(capsys, "show", p, "big")
    one_line(code, err, p, "big: the header claims [2147483648] float32 (8.0 GB), but only 16 bytes of data follow")


def test_npy_claiming_more_than_it_holds(tmp_path, capsys):
    p = tmp_path / "w.npy"
    p.write_bytes(npy_bytes({"descr": "<f8", "fortran_order": False, "shape": (1000, 1000)}, b"\0" * 8))
    code, _, err = run(capsys, "info", p)
    one_line(code, err, p, "the header claims [1000, 1000] float64 (7.6 MB), but only 8 bytes of data follow")


def test_safetensors_claims(tmp_path, capsys):
    p = tmp_path / "w.safetensors"
    header = json.dumps({"w": {"dtype": "F32", "shape": [2**31], "data_offsets": [0, 16]}}).encode()
    p.write_bytes(struct.pack("<Q", len(header)) + header + b"\0" * 16)
    code, _, err = run(capsys, "info", p)
    one_line(code, err, p, "not a readable safetensors file")
    p.write_bytes(struct.pack("<Q", 2**40) + header)     # a header length past the end: not one
    code, _, err = run(capsys, "info", p)
    one_line(code, err, p, "not a TensorFlow model")


@pytest.mark.parametrize("payload,fragment", [
    (b"\x80\x05\x8e" + struct.pack("<Q", 2**40) + b"\0" * 16 + b".",
     "not a readable pickle: UnpicklingError: its BINBYTES8 claims 1,099,511,627,776 bytes, but 17 follow"),
    (b"\x80\x05\x95" + struct.pack("<Q", 2**40) + b"}.",
     "its FRAME claims 1,099,511,627,776 bytes, but 2 follow"),
    (b"\x80\x02}X\x01\x00\x00\x00ac__builtin__\nbytearray\n\x8a\x06\x00\x00\x00\x00\x00\x01\x85Rs.",
     "refusing to load the pickle: bytearray(1099511627776) asks for 1.0 TB"),
    (b"\x80\x02}" + b"X\x01\x00\x00\x00a}" * 200_000 + b"s" * 200_000 + b".",
     "the pickle nests dicts more than 100 levels deep"),
    (pickle.dumps([1, 2]), "the pickle holds a list, not a dict of arrays"),
], ids=["bytes-claim", "frame-claim", "bytearray-alloc", "nested-200000", "list"])
def test_pickle_claims_and_shapes(payload, fragment, tmp_path, capsys):
    p = tmp_path / "w.pkl"
    p.write_bytes(payload)
    code, _, err = run(capsys, "info", p)
    one_line(code, err, p, fragment)


def test_pickle_array_shape_beyond_its_bytes(tmp_path, capsys):
    raw = bytearray(pickle.dumps({"a": np.zeros(2, np.float32)}, protocol=2))
    i = raw.index(b"K\x00\x85")          # _reconstruct(ndarray, (0,), b'b'): ask for 2**40 instead
    raw[i:i + 3] = b"\x8a\x06\x00\x00\x00\x00\x00\x01\x85"
    p = tmp_path / "w.pkl"
    p.write_bytes(bytes(raw))
    code, _, err = run(capsys, "show", p, "a")
    one_line(code, err, p, "an array of shape (1099511627776,) asks for 1.0 TB")


# -- interrupted exports --------------------------------------------------------------------

def test_stale_temporaries_of_dead_processes_are_removed_live_ones_kept(tmp_path, capsys):
    p = broadcast_pb(tmp_path / "m.pb", shape=(8,))
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    suffix = atomic._suffix()
    stale = tmp_path / f".w.npz.abc{suffix.replace(str(os.getpid()), str(dead.pid))}"
    stale_dir = tmp_path / f".w_npy.xyz{suffix.replace(str(os.getpid()), str(dead.pid))}"
    live = tmp_path / f".w.npz.def{suffix.replace(str(os.getpid()), str(os.getppid()))}"
    other = tmp_path / ".notes.part"
    stale.write_bytes(b"x")
    stale_dir.mkdir()
    (stale_dir / "a.npy").write_bytes(b"x")
    live.write_bytes(b"x")
    other.write_bytes(b"x")
    code, _, err = run(capsys, "export", p, "-o", tmp_path / "w.npz")
    assert code == 0, err
    assert sorted(os.listdir(tmp_path)) == sorted([live.name, other.name, "m.pb", "w.npz"])


def test_kill_during_export_leaves_nothing_after_the_next_export(tmp_path):
    p = broadcast_pb(tmp_path / "m.pb", shape=(2**28,))     # 1 GiB to stream
    out = tmp_path / "w.npz"
    child = subprocess.Popen([*PBSCOPE, "export", str(p), "-o", str(out)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 30
    while time.time() < deadline and not any(n.endswith(".part") and (tmp_path / n).stat().st_size
                                             for n in os.listdir(tmp_path)):
        time.sleep(0.01)
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert not out.exists()
    assert [n for n in os.listdir(tmp_path) if n.endswith(".part")]     # what kill -9 leaves …
    small = broadcast_pb(tmp_path / "s.pb", shape=(4,))
    code = subprocess.run([*PBSCOPE, "export", str(small), "-o",
                           str(tmp_path / "s.npz")], capture_output=True).returncode
    assert code == 0
    assert sorted(os.listdir(tmp_path)) == ["m.pb", "s.npz", "s.pb"]     # … the next export removes


def test_hostile_inputs_are_never_modified(tmp_path, capsys):
    prefix = checkpoint(tmp_path, {b"deep": {"shape": [1] * 70, "size": 4}}, b"\0" * 4)
    files = [str(prefix) + ".index", str(prefix) + ".data-00000-of-00001"]
    before = digest(*files)
    for argv in (["info", prefix], ["ls", prefix], ["show", prefix, "deep"],
                 ["export", prefix, "-o", tmp_path / "o.npz"]):
        run(capsys, *argv)
    assert digest(*files) == before


def test_pbscope_error_is_one_line_for_a_refused_memory_request(tmp_path, monkeypatch):
    from pbscope.core import export as export_mod
    from pbscope.core.formats import open_model
    g = open_model(broadcast_pb(tmp_path / "m.pb", shape=(4,)))

    def no_memory(*a, **k):
        raise MemoryError("Unable to allocate 16.0 GiB for an array with shape (2**32,)")
    monkeypatch.setattr(export_mod, "_write_npz", no_memory)
    with pytest.raises(PbscopeError, match=r"not enough memory to write it \(Unable to allocate 16.0 GiB"):
        export_mod.export_weights(g.weights, tmp_path / "w.npz")


# -- found by the fuzz in the TFLite, Keras and TF.js mutants (tools/fuzz_long.py) ------------

def tfjs_model(folder: Path, layers, quantization=None) -> Path:
    """A TF.js layers model: a Dense layer's kernel (2 floats, or 2 bytes quantized) and bias."""
    folder.mkdir()
    kernel = {"name": "dense/kernel", "shape": [2], "dtype": "float32"}
    if quantization:
        kernel["quantization"] = quantization
    model = {"format": "layers-model",
             "modelTopology": {"class_name": "Sequential", "config": {"name": "s", "layers": layers}},
             "weightsManifest": [{"paths": ["w.bin"], "weights": [kernel, {"name": "dense/bias", "shape": [2],
                                                                             "dtype": "float32"}]}]}
    (folder / "model.json").write_text(json.dumps(model))
    kernel_bytes = bytes([1, 2]) if quantization else np.array([1, 2], np.float32).tobytes()
    (folder / "w.bin").write_bytes(kernel_bytes + np.array([0.5, -1], np.float32).tobytes())
    return folder / "model.json"


@pytest.mark.parametrize("layers", [7, None, "x", {"a": 1}])
def test_keras_config_whose_layers_are_not_a_list(layers, tmp_path, capsys):
    p = tfjs_model(tmp_path / "tfjs", layers)
    one_line(*run(capsys, "info", p)[::2], p, "the model's layers are not a list")
    import h5py
    h5 = tmp_path / "m.h5"
    with h5py.File(h5, "w") as f:
        f.attrs["model_config"] = json.dumps({"class_name": "Sequential", "config": {"name": "s", "layers": layers}})
        f.attrs["keras_version"] = "2.15.0"
        f.create_group("model_weights").attrs["layer_names"] = np.array([], "S1")
    one_line(*run(capsys, "info", h5)[::2], h5, "the model's layers are not a list")


def test_tfjs_quantization_with_a_number_past_any_float(tmp_path, capsys):
    """min = 10**400: json reads it as an int that no float holds (math.isfinite raised
    OverflowError); the weight is unavailable, saying why, and the model opens."""
    p = tfjs_model(tmp_path / "tfjs", [{"class_name": "Dense", "config": {"name": "dense", "units": 2}}],
                   {"dtype": "uint8", "min": 10**400, "scale": 1.0})
    code, out, err = run(capsys, "info", p)
    assert code == 0 and "weights  2" in out, err
    one_line(*run(capsys, "show", p, "dense/kernel")[::2], p, "dense/kernel: the quantization",
             "lacks a finite min and scale")
    good = tfjs_model(tmp_path / "good", [{"class_name": "Dense", "config": {"name": "dense", "units": 2}}],
                      {"dtype": "uint8", "min": -1.0, "scale": 0.5})
    code, out, err = run(capsys, "export", good, "-o", tmp_path / "w.npz")
    assert code == 0, err
    with np.load(tmp_path / "w.npz") as z:
        values = {k.split(":")[0]: z[k] for k in z.files}
    np.testing.assert_array_equal(values["dense/kernel"], [-0.5, 0.0])     # q * scale + min
    np.testing.assert_array_equal(values["dense/bias"], [0.5, -1])


def test_keras_archive_whose_metadata_is_nested_too_deeply_still_opens(tmp_path, capsys):
    """metadata.json only gives the Keras version for a note: nested 100,000 deep (a
    RecursionError in json) it is skipped, and the weights are read."""
    import h5py
    kernel, bias = np.arange(6, dtype=np.float32).reshape(2, 3), np.array([0.5, -1, 2], np.float32)
    with h5py.File(tmp_path / "w.h5", "w") as f:
        f["layers/dense/vars/0"], f["layers/dense/vars/1"] = kernel, bias
    config = {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "InputLayer", "config": {"batch_shape": [None, 2], "name": "input_layer"}},
        {"class_name": "Dense", "config": {"name": "dense", "units": 3}}]}}
    p = tmp_path / "m.keras"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("metadata.json", "[" * 100_000 + "]" * 100_000)
        z.writestr("config.json", json.dumps(config))
        z.write(tmp_path / "w.h5", "model.weights.h5")
    code, _, err = run(capsys, "export", p, "-o", tmp_path / "w.npz")
    assert code == 0, err
    with np.load(tmp_path / "w.npz") as z:
        values = {k.split(":")[0]: z[k] for k in z.files}
    np.testing.assert_array_equal(values["dense/kernel"], kernel)
    np.testing.assert_array_equal(values["dense/bias"], bias)


def test_bfloat16_tensor_read_in_place_exports_to_safetensors(tmp_path, capsys):
    """A TFLite kernel retyped BFLOAT16 ([3, 8] over its 48 bytes): its bytes are copied
    from the file to safetensors (a memoryview of a bfloat16 array raised ValueError)."""
    b = bytearray(made_tflite())
    walk = FlatWalk(bytes(b))
    shape_field, _ = walk.shapes[1]     # the tensors in order: input, dense/kernel, dense/bias, output
    b[walk.types[1]] = 18               # TensorType BFLOAT16
    struct.pack_into("<I", b, shape_field, append_aligned(b, struct.pack("<I2i", 2, 3, 8)) - shape_field)
    p = tmp_path / "m.tflite"
    p.write_bytes(bytes(b))
    code, _, err = run(capsys, "export", p, "-o", tmp_path / "w.safetensors")
    assert code == 0, err
    from safetensors.numpy import load_file
    kernel = next(v for k, v in load_file(tmp_path / "w.safetensors").items() if "kernel" in k)
    assert kernel.dtype.name == "bfloat16" and kernel.shape == (3, 8)
    np.testing.assert_array_equal(kernel.view(np.uint16).ravel(),
                                  np.frombuffer(np.arange(12, dtype=np.float32).tobytes(), np.uint16))


def test_tfjs_graph_model_with_a_number_past_any_float(tmp_path, capsys):
    """A float attr of 10**400 in a graph model's topology: protobuf's json_format raised
    OverflowError; now the topology is refused in one line. The same model with a plain
    attr is read, its weight equal to the shard's values."""
    folder = tmp_path / "tfjs"
    folder.mkdir()
    value = {"tensor": {"dtype": "DT_FLOAT", "tensorShape": {"dim": [{"size": "2"}]}}}
    nodes = [{"name": "w", "op": "Const", "attr": {"dtype": {"type": "DT_FLOAT"}, "value": value}},
             {"name": "y", "op": "MatMul", "input": ["x", "w"], "attr": {"alpha": {"f": 10**400}}},
             {"name": "x", "op": "Placeholder", "attr": {"dtype": {"type": "DT_FLOAT"}}}]
    model = {"format": "graph-model", "modelTopology": {"node": nodes},
             "weightsManifest": [{"paths": ["w.bin"], "weights": [{"name": "w", "shape": [2], "dtype": "float32"}]}]}
    (folder / "w.bin").write_bytes(np.array([1.5, -2], np.float32).tobytes())
    (folder / "model.json").write_text(json.dumps(model))
    one_line(*run(capsys, "info", folder / "model.json")[::2], folder / "model.json",
             "modelTopology is not a valid GraphDef")
    nodes[1]["attr"]["alpha"] = {"f": 0.5}
    (folder / "model.json").write_text(json.dumps(model))
    code, _, err = run(capsys, "export", folder / "model.json", "-o", tmp_path / "w.npz")
    assert code == 0, err
    with np.load(tmp_path / "w.npz") as z:
        assert [v.tolist() for v in z.values()] == [[1.5, -2]]
