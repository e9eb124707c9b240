"""A structure-aware fuzz of every reader, through the command line (issue 16).

Seeds are real files from ../shared/corpus (frozen graphs, text graphs, checkpoints,
SavedModels, TFLite models, Keras .h5 and .keras files, TF.js model folders) and files made
here (a graph, a TFLite model, npz, npy, safetensors, pickle). Each mutant is a seed whose
messages are decoded and re-serialised with hostile field values: dtypes, ranks and dims,
offsets and sizes, tensor_content lengths, broadcast typed values, string tensors, keys and
names, header claims, nesting; flatbuffer fields patched in place (vector lengths, vtables,
buffer indices, 64-bit buffer offsets), Keras configs and datasets rewritten with h5py,
TF.js manifests and shards. Each mutant runs `info`, `ls`, `show` and `export` (python
main.py's own cli.main) in a child process capped at 4 GB of address space, with a
timeout; the child's peak RSS comes from wait4.

Outcomes per command: ok (exit 0), refused (exit 1, one line "pbscope: error: <path>:
<cause>"), bad-refusal (exit 1 otherwise), traceback (an exception escaped); per
mutant: crash (killed by a signal), timeout, leftover (files other than the export's own
output left in its folder).

    python tools/fuzz_long.py --count 5500 --seed 16 --jobs 2

prints the counts and ends with a RESULT line. tests/core/test_fuzz_structure.py runs a
short pass of the same code.
"""
from __future__ import annotations

import argparse
import collections
import contextlib
import io
import json
import os
import pickle
import random
import resource
import shutil
import struct
import sys
import tempfile
import time
import warnings
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("PBSCOPE_CORPUS", REPO.parent / "shared" / "corpus"))
MEMORY_CAP = 4 << 30
TIMEOUT = 60
KINDS = ("graphdef", "pbtxt", "checkpoint", "savedmodel", "npz", "npy", "safetensors", "pickle", "tflite",
         "keras", "tfjs")
SEED_LIMIT = 4 << 20    # corpus seeds up to this size (a TF.js seed: its whole folder)
FORMATS = ("pkl", "npz", "safetensors", "npy")
EXT = {"pkl": "out.pkl", "npz": "out.npz", "safetensors": "out.safetensors", "npy": "out_npy"}

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
if "pbscope" not in sys.modules:      # run as a script: this clone is `pbscope` (imported by
    import main  # noqa: E402,F401     # the tests, the pbscope under test stays)


# -- an SSTable writer (the checkpoint index format), for re-serialising indexes ------

def _varint(n: int) -> bytes:
    out = bytearray()
    n &= (1 << 64) - 1
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def write_table(path, records: list[tuple[bytes, bytes]]) -> None:
    """A LevelDB table holding ``records`` in one uncompressed block, as TF writes indexes."""
    block = bytearray()
    for key, value in records:
        block += _varint(0) + _varint(len(key)) + _varint(len(value)) + key + value
    block += struct.pack("<II", 0, 1)
    data = bytes(block) + b"\x00" + b"\x00" * 4
    handle = _varint(0) + _varint(len(block))
    index = _varint(0) + _varint(1) + _varint(len(handle)) + b"\xff" + handle + struct.pack("<II", 0, 1)
    index_offset = len(data)
    data += index + b"\x00" + b"\x00" * 4
    handles = _varint(0) + _varint(0) + _varint(index_offset) + _varint(len(index))
    footer = handles + b"\x00" * (40 - len(handles)) + struct.pack("<Q", 0xDB4775248B80FB57)
    Path(path).write_bytes(data + footer)


def read_table(path) -> list[tuple[bytes, bytes]]:
    from pbscope.core.formats.tensorbundle import _table_records
    return list(_table_records(Path(path).read_bytes()))


# -- seeds ------------------------------------------------------------------------------

def _small(p: Path, limit: int) -> bool:
    return p.is_file() and 0 < p.stat().st_size <= limit


def seeds() -> dict[str, list]:
    """Seed files by kind: corpus files that parse, and weights files made here."""
    from google.protobuf import text_format

    from pbscope.core import proto
    found: dict[str, list] = {k: [] for k in KINDS}
    if CORPUS.is_dir():
        for p in sorted(CORPUS.rglob("*")):
            name = p.name
            if name.endswith(".pb") and name != "saved_model.pb" and _small(p, 300_000):
                with contextlib.suppress(Exception):
                    if len(proto.GraphDef.FromString(p.read_bytes()).node):
                        found["graphdef"].append(p)
            elif name.endswith(".pbtxt") and name != "saved_model.pbtxt" and _small(p, 100_000):
                with contextlib.suppress(Exception):
                    if len(text_format.Parse(p.read_text(), proto.GraphDef()).node):
                        found["pbtxt"].append(p)
            elif name.endswith(".index") and p.parent.name != "variables":
                prefix = str(p)[:-len(".index")]
                if os.path.exists(prefix + ".data-00000-of-00001") and _small(p, 100_000):
                    found["checkpoint"].append(Path(prefix))
            elif name == "saved_model.pb" and _small(p, 100_000) and \
                    (p.parent / "variables" / "variables.index").exists() and \
                    (p.parent / "variables" / "variables.data-00000-of-00001").exists():
                found["savedmodel"].append(p.parent)
            elif name.endswith(".tflite") and _small(p, SEED_LIMIT) and p.read_bytes()[4:8] == b"TFL3":
                found["tflite"].append(p)
            elif name.endswith(".h5") and _small(p, SEED_LIMIT) and p.read_bytes()[:4] == b"\x89HDF":
                found["keras"].append(p)
            elif name.endswith(".keras") and _small(p, SEED_LIMIT) and _keras_without_pickles(p):
                found["keras"].append(p)
            elif name == "model.json" and \
                    sum(f.stat().st_size for f in p.parent.iterdir() if f.is_file()) <= SEED_LIMIT:
                found["tfjs"].append(p.parent)
    found["graphdef"].append(made_graph())
    found["tflite"].append(made_tflite())
    for kind in ("npz", "npy", "safetensors", "pickle"):
        found[kind].append(kind)     # made per mutant from made_arrays()
    return found


def _keras_without_pickles(p: Path) -> bool:
    """A .keras archive whose weights are not Keras' pickled npz store (the corpus's
    evil_keras/model.keras holds code there: it is never a seed)."""
    with contextlib.suppress(zipfile.BadZipFile, OSError):
        with zipfile.ZipFile(p) as z:
            return not any(n.endswith(".npz") for n in z.namelist())
    return False


def made_graph() -> bytes:
    """A small TF1-frozen graph: two weights (Const + Identity /read) and a broadcast one."""
    import numpy as np

    from pbscope.core import proto
    gd = proto.GraphDef()
    gd.node.add(name="x", op="Placeholder").attr["dtype"].type = 1
    for name, value in (("w", np.arange(12, dtype=np.float32).reshape(3, 4)), ("b", np.ones(4, np.float32))):
        n = gd.node.add(name=name, op="Const")
        t = n.attr["value"].tensor
        t.dtype = 1
        for d in value.shape:
            t.tensor_shape.dim.add(size=d)
        t.tensor_content = value.tobytes()
        gd.node.add(name=name + "/read", op="Identity", input=[name])
    n = gd.node.add(name="fill", op="Const")
    t = n.attr["value"].tensor
    t.dtype = 1
    t.tensor_shape.dim.add(size=1000)
    t.float_val.append(0.5)
    gd.node.add(name="fill/read", op="Identity", input=["fill"])
    return gd.SerializeToString()


def made_arrays(rng: random.Random) -> dict:
    import numpy as np
    return {"dense/kernel": np.arange(12, dtype=np.float32).reshape(3, 4),
            "dense/bias": np.zeros(4, np.float64),
            "emb/ids": np.arange(rng.randint(1, 9), dtype=np.int64)}


# -- hostile values -----------------------------------------------------------------------

DTYPES = [0, 1, 2, 3, 4, 7, 9, 10, 14, 18, 19, 20, 21, 23, 24, 29, 31, 77, 101, 107, 1000]
DIMS = [-1, -7, 0, 1, 2, 3, 17, 2**29, 2**31, 2**40, 2**62, 2**63 - 1]
RANKS = [0, 1, 2, 4, 8, 32, 33, 64, 65, 200, 1100]


def hostile_shape(rng: random.Random) -> list[int]:
    rank = rng.choice(RANKS)
    if rank > 8:
        return [rng.choice([1, 2, 2, 2, -1, 0]) for _ in range(rank)]
    return [rng.choice(DIMS) if rng.random() < 0.4 else rng.randint(0, 5) for _ in range(rank)]


def hostile_name(rng: random.Random, old: str) -> str:
    return rng.choice(["k" * 100_000, "a/" * 5000 + "b", old + "\u00e9\u4e2d", "", old + ":0", "/", old])


def mutate_tensor(rng: random.Random, t) -> None:
    """One hostile change to a TensorProto."""
    what = rng.choice(["dtype", "shape", "broadcast", "content", "strings", "typed", "unknown", "half"])
    if what == "dtype":
        t.dtype = rng.choice(DTYPES)
    elif what == "shape":
        t.tensor_shape.ClearField("dim")
        for d in hostile_shape(rng):
            t.tensor_shape.dim.add(size=d)
    elif what == "broadcast":
        t.ClearField("tensor_content")
        t.dtype = rng.choice([1, 1, 3, 7, 9, 19, 8])
        t.tensor_shape.ClearField("dim")
        for d in rng.choice([[2**24], [2**12, 2**12], [2**36], [10**6, 10**6], [2**20, 3], [5, 7]] * 3 +
                            [[2**29]]):
            t.tensor_shape.dim.add(size=d)
        field = {1: "float_val", 3: "int_val", 7: "string_val", 9: "int64_val", 19: "half_val",
                 8: "scomplex_val"}[t.dtype]
        values = {7: [b"ab"]}.get(t.dtype, [1])
        getattr(t, field).extend(values * rng.choice([0, 1, 1, 1, 2, 3]))
    elif what == "content":
        n = len(t.tensor_content)
        t.tensor_content = rng.randbytes(rng.choice([0, 1, 3, max(n - 1, 0), n + 1, 4096]))
    elif what == "strings":
        t.dtype = 7
        t.ClearField("tensor_content")
        t.string_val.extend([rng.randbytes(rng.randint(0, 300)) for _ in range(rng.randint(0, 40))])
        if rng.random() < 0.5:
            t.tensor_shape.ClearField("dim")
            for d in hostile_shape(rng):
                t.tensor_shape.dim.add(size=d)
    elif what == "typed":
        t.ClearField("tensor_content")
        t.dtype = rng.choice([1, 2, 3, 6, 9, 10])
        field = {1: "float_val", 2: "double_val", 3: "int_val", 6: "int_val", 9: "int64_val", 10: "bool_val"}[t.dtype]
        vals = {"bool_val": [True, False]}.get(field, [1, 2**31 - 1, -5, 300])
        getattr(t, field).extend(vals * rng.randint(1, 50))
    elif what == "unknown":
        t.tensor_shape.unknown_rank = True
    else:
        t.dtype = rng.choice([14, 19])
        t.ClearField("tensor_content")
        t.half_val.extend([rng.randint(0, 2**31 - 1) for _ in range(rng.randint(0, 5))])


def mutate_graph(rng: random.Random, gd) -> None:
    """Hostile changes to a GraphDef's nodes (Consts mostly), its functions included."""
    nodes = list(gd.node)
    for f in gd.library.function:
        nodes.extend(f.node_def)
    if not nodes:
        return
    consts = [n for n in nodes if n.op == "Const"] or nodes
    for _ in range(rng.randint(1, 4)):
        n = rng.choice(consts if rng.random() < 0.8 else nodes)
        what = rng.random()
        if what < 0.7:
            if n.op != "Const":
                n.op = "Const"
            mutate_tensor(rng, n.attr["value"].tensor)
        elif what < 0.8:
            old = n.name
            n.name = hostile_name(rng, old)
            for m in nodes:     # keep its readers pointing at it, so it stays a weight
                for i, inp in enumerate(m.input):
                    if inp == old:
                        m.input[i] = n.name
        elif what < 0.9:
            shape = n.attr["shape"].shape
            for d in hostile_shape(rng):
                shape.dim.add(size=d)
        else:
            n.input.extend(["missing:3", "^" + n.name, n.name])


def mutate_entry(rng: random.Random, e) -> None:
    what = rng.choice(["dtype", "shape", "offset", "size", "shard", "strings", "crc"])
    if what == "dtype":
        e.dtype = rng.choice(DTYPES)
    elif what == "shape":
        e.shape.ClearField("dim")
        for d in hostile_shape(rng):
            e.shape.dim.add(size=d)
    elif what == "offset":
        e.offset = rng.choice([-1, 2**40, 2**63 - 1, e.offset + 1, 10**6])
    elif what == "size":
        e.size = rng.choice([-1, 0, 2**40, e.size + 1, max(e.size - 1, 0), 2**63 - 1])
    elif what == "shard":
        e.shard_id = rng.choice([1, 7, 2**31 - 1, -1])
    elif what == "strings":
        e.dtype = 7
        if rng.random() < 0.5:
            e.shape.ClearField("dim")
            for d in hostile_shape(rng):
                e.shape.dim.add(size=d)
    else:
        e.crc32c = rng.randint(0, 2**32 - 1)


def mutate_checkpoint(rng: random.Random, prefix_in: str, prefix_out: str) -> None:
    from pbscope.core import proto
    records = read_table(prefix_in + ".index")
    out = []
    for key, value in records:
        if key == b"":
            h = proto.BundleHeaderProto.FromString(value)
            if rng.random() < 0.1:
                h.num_shards = rng.choice([0, 2, 2**31 - 1])
            out.append((key, h.SerializeToString()))
            continue
        e = proto.BundleEntryProto.FromString(value)
        if rng.random() < 0.6:
            mutate_entry(rng, e)
        if rng.random() < 0.15:
            key = rng.choice([b"k" * 100_000, key + b"\xff\xfe", b"a/" * 3000 + b"b"])
        out.append((key, e.SerializeToString()))
    out.sort(key=lambda kv: kv[0])
    write_table(prefix_out + ".index", out)
    data = Path(prefix_in + ".data-00000-of-00001").read_bytes()
    if rng.random() < 0.2:
        data = data[:rng.randint(0, len(data))]
    Path(prefix_out + ".data-00000-of-00001").write_bytes(data)
    if os.path.exists(prefix_in + ".meta") and rng.random() < 0.5:
        shutil.copyfile(prefix_in + ".meta", prefix_out + ".meta")


# -- weights files ------------------------------------------------------------------------

DESCRS = ["<f4", "<f8", "<i8", "|u1", "|b1", "<c16", ">i4", "<U5", "|S3", "|V0", "|V7", "<M8[s]", "|O"]


def npy_bytes(rng: random.Random, a) -> bytes:
    """An .npy file for ``a`` with a hostile header claim, or a hostile data length."""
    import numpy as np
    header = {"descr": np.lib.format.dtype_to_descr(a.dtype), "fortran_order": False, "shape": a.shape}
    data = a.tobytes()
    what = rng.choice(["shape", "descr", "data", "fortran", "none"])
    if what == "shape":
        header["shape"] = tuple(hostile_shape(rng))
    elif what == "descr":
        header["descr"] = rng.choice(DESCRS)
    elif what == "data":
        data = data[:rng.randint(0, len(data))] if rng.random() < 0.7 else data + rng.randbytes(9)
    elif what == "fortran":
        header["fortran_order"] = True
    f = io.BytesIO()
    try:
        np.lib.format.write_array_header_1_0(f, header)
    except ValueError:
        np.lib.format.write_array_header_2_0(f, header)
    return f.getvalue() + data


def write_weights(rng: random.Random, kind: str, folder: Path) -> Path:
    arrays = made_arrays(rng)
    if kind == "npy":
        p = folder / "w.npy"
        p.write_bytes(npy_bytes(rng, arrays["dense/kernel"]))
    elif kind == "npz":
        p = folder / "w.npz"
        method = rng.choice([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
        with zipfile.ZipFile(p, "w", compression=method) as z, warnings.catch_warnings():
            warnings.simplefilter("ignore")     # duplicate member names are one of the mutations
            for k, a in arrays.items():
                name = k + ".npy"
                if rng.random() < 0.15:
                    name = rng.choice(["k" * 65_000 + ".npy", "noext", "../up.npy", "a/" * 200 + ".npy"])
                info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))   # the same bytes each run
                info.compress_type = method
                z.writestr(info, npy_bytes(rng, a) if rng.random() < 0.6 else _plain_npy(a))
    elif kind == "safetensors":
        p = folder / "w.safetensors"
        p.write_bytes(safetensors_bytes(rng, arrays))
    else:
        p = folder / "w.pkl"
        p.write_bytes(pickle_bytes(rng, arrays))
    return p


def _plain_npy(a) -> bytes:
    import numpy as np
    f = io.BytesIO()
    np.save(f, a)
    return f.getvalue()


ST_DTYPES = ["F32", "F64", "I64", "U8", "BOOL", "BF16", "F8_E4M3", "F16", "XX", "I4", ""]


def safetensors_bytes(rng: random.Random, arrays: dict) -> bytes:
    header, blob = {}, b""
    codes = {"float32": "F32", "float64": "F64", "int64": "I64"}
    for k, a in arrays.items():
        header[k] = {"dtype": codes[a.dtype.name], "shape": list(a.shape),
                     "data_offsets": [len(blob), len(blob) + a.nbytes]}
        blob += a.tobytes()
    key = rng.choice(list(header))
    what = rng.choice(["dtype", "shape", "offsets", "key", "length", "metadata"])
    if what == "dtype":
        header[key]["dtype"] = rng.choice(ST_DTYPES)
    elif what == "shape":
        header[key]["shape"] = hostile_shape(rng)
    elif what == "offsets":
        header[key]["data_offsets"] = rng.choice([[0, 2**40], [-1, 4], [8, 0], [0, len(blob) + 64]])
    elif what == "key":
        header["k" * 100_000] = header.pop(key)
    elif what == "metadata":
        header["__metadata__"] = {"format": "np", "x": "y" * rng.randint(0, 5000)}
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    n = len(text) if what != "length" else rng.choice([2**40, len(text) + 8, 0, 2**63])
    return struct.pack("<Q", n) + text + blob


def pickle_bytes(rng: random.Random, arrays: dict) -> bytes:
    what = rng.choice(["nested", "claim", "alloc", "shape", "list", "keys", "objects", "plain"])
    if what == "nested":
        depth = rng.choice([50, 150, 5000, 200_000])
        return b"\x80\x02}" + b"X\x01\x00\x00\x00a}" * depth + b"s" * depth + b"."
    if what == "claim":    # BINBYTES8 / BINUNICODE8 / FRAME with a length the file does not hold
        op = rng.choice([b"\x8e", b"\x8d", b"\x95"])
        return b"\x80\x05" + op + struct.pack("<Q", rng.choice([2**31, 2**40, 2**62])) + b"\x00" * 16 + b"."
    if what == "alloc":    # bytearray(n) / bytes(n): allowed callables asked for a huge size
        name = rng.choice([b"bytearray", b"bytes"])
        return (b"\x80\x02}X\x01\x00\x00\x00ac__builtin__\n" + name + b"\n" +
                b"\x8a\x06\x00\x00\x00\x00\x00\x01\x85R" + b"s.")
    d = dict(arrays)
    if what == "shape":
        import numpy as np
        a = np.zeros(2, np.float32)
        raw = bytearray(pickle.dumps({"a": a}, protocol=2))
        i = raw.find(b"K\x02\x85")    # the shape tuple (2,)
        if i >= 0:
            raw[i:i + 3] = b"\x8a\x05\x00\x00\x00\x00\x02\x85"  # (2**33,)
        return bytes(raw)
    if what == "list":
        return pickle.dumps(list(d.values()))
    if what == "keys":
        d[7] = d.pop("dense/bias")
        d["k" * 70_000] = d.pop("dense/kernel")
    if what == "objects":
        import numpy as np
        d["obj"] = np.array([b"x", "y", b"z" * 1000], dtype=object)
    return pickle.dumps(d, protocol=rng.choice([2, 4, 5]))


# -- TFLite: a flatbuffer walked to its fields, patched in place or repointed ----------

def _u32(b, p: int) -> int:
    return struct.unpack_from("<I", b, p)[0]


class FlatWalk:
    """The positions of the fields a TFLite reader trusts, found by walking the tables
    (flatc's accessors hide them): what the mutator patches."""
    CAP = 4000      # tables walked per vector

    def __init__(self, b: bytes):
        self.b = b
        self.tables, self.vectors, self.shapes, self.types, self.buffer_refs = [], [], [], [], []
        self.buffer_elems, self.buffer_offsets, self.buffer_sizes, self.opcode_refs = [], [], [], []
        self.builtins, self.op_inputs = [], []
        self.root = _u32(b, 0)
        self.tables.append(self.root)
        self.subgraphs = self.vector(self.root, 2)
        self.buffers = self.vector(self.root, 4)
        self.opcodes = self.vector(self.root, 1)
        for _, t in self.elements(self.opcodes):
            self.builtins += [(p, f) for p, f in ((self.field(t, 0), "<b"), (self.field(t, 3), "<i")) if p]
        for e, t in self.elements(self.buffers):
            self.buffer_elems.append(e)
            self.buffer_offsets += [p for p in [self.field(t, 1)] if p]
            self.buffer_sizes += [p for p in [self.field(t, 2)] if p]
        for _, sg in self.elements(self.subgraphs):
            for _, t in self.elements(self.vector(sg, 0)):
                p = self.field(t, 0)
                if p:
                    self.shapes.append((p, p + _u32(b, p)))
                self.types += [p for p in [self.field(t, 1)] if p]
                self.buffer_refs += [p for p in [self.field(t, 2)] if p]
            for _, op in self.elements(self.vector(sg, 3)):
                self.opcode_refs += [p for p in [self.field(op, 0)] if p]
                self.op_inputs += [v for v in [self.vector(op, 1)] if v]

    def field(self, table: int, slot: int) -> int | None:
        vt = table - struct.unpack_from("<i", self.b, table)[0]
        if 4 + 2 * slot >= struct.unpack_from("<H", self.b, vt)[0]:
            return None
        o = struct.unpack_from("<H", self.b, vt + 4 + 2 * slot)[0]
        return table + o if o else None

    def vector(self, table: int, slot: int) -> int | None:
        p = self.field(table, slot)
        if p is None:
            return None
        self.vectors.append(p + _u32(self.b, p))
        return self.vectors[-1]

    def elements(self, vec: int | None) -> list[tuple[int, int]]:
        """(element position, table position) of a vector of tables."""
        if vec is None:
            return []
        out = [(vec + 4 + 4 * i, vec + 4 + 4 * i + _u32(self.b, vec + 4 + 4 * i))
               for i in range(min(_u32(self.b, vec), self.CAP))]
        self.tables += [t for _, t in out]
        return out


def append_aligned(b: bytearray, data: bytes) -> int:
    """``data`` appended at the next 8-byte boundary: its position."""
    b += b"\x00" * (-len(b) % 8)
    pos = len(b)
    b += data
    return pos


def _buffer_table(b: bytearray, offset: int, size: int) -> int:
    """A Buffer table with only offset and size (as models over 2 GB store data), appended."""
    vt = append_aligned(b, struct.pack("<HHHHH", 10, 20, 0, 4, 12))
    pos = append_aligned(b, bytes(20))
    struct.pack_into("<iQQ", b, pos, pos - vt, offset % 2**64, size % 2**64)
    return pos


def made_tflite() -> bytes:
    """A FULLY_CONNECTED model written with the flatbuffers builder (no TensorFlow): kernel
    (3, 4) inside the flatbuffer, bias (3,) past it at Buffer.offset/size."""
    import flatbuffers
    import numpy as np
    kernel, bias = np.arange(12, dtype=np.float32).reshape(3, 4), np.array([0.5, -1, 2], np.float32)
    b = flatbuffers.Builder(1024)
    b.ForceDefaults(True)     # every field written, so every field can be mutated
    prepend = {"off": b.PrependUOffsetTRelativeSlot, "u32": b.PrependUint32Slot, "i32": b.PrependInt32Slot,
               "i8": b.PrependInt8Slot, "u64": b.PrependUint64Slot}

    def vector(values, add):
        b.StartVector(4, len(values), 4)
        for v in reversed(values):
            add(v)
        return b.EndVector()

    def table(*fields):     # (slot, kind, value); children are made before it
        b.StartObject(max((f[0] + 1 for f in fields), default=0))
        for slot, kind, value in fields:
            prepend[kind](slot, value, 0)
        return b.EndObject()

    tensors = [table((0, "off", vector(shape, b.PrependInt32)), (1, "i8", 0), (2, "u32", buf),
                     (3, "off", b.CreateString(name)))
               for name, shape, buf in (("input", [1, 4], 0), ("dense/kernel", [3, 4], 1),
                                        ("dense/bias", [3], 2), ("output", [1, 3], 0))]
    op = table((0, "u32", 0), (1, "off", vector([0, 1, 2], b.PrependInt32)), (2, "off", vector([3], b.PrependInt32)))
    sg = [vector(tensors, b.PrependUOffsetTRelative), vector([0], b.PrependInt32), vector([3], b.PrependInt32),
          vector([op], b.PrependUOffsetTRelative), b.CreateString("main")]
    sg = table(*((i, "off", v) for i, v in enumerate(sg)))
    code = table((0, "i8", 9), (2, "i32", 1), (3, "i32", 9))     # FULLY_CONNECTED
    data = b.CreateByteVector(kernel.tobytes())
    buffers = [table(), table((0, "off", data)), table((1, "u64", 1 << 40), (2, "u64", bias.nbytes))]
    model = [vector([code], b.PrependUOffsetTRelative), vector([sg], b.PrependUOffsetTRelative),
             vector(buffers, b.PrependUOffsetTRelative)]
    b.Finish(table((0, "u32", 3), (1, "off", model[0]), (2, "off", model[1]), (4, "off", model[2])),
             file_identifier=b"TFL3")
    out = bytearray(b.Output())
    out += b"\x00" * (-len(out) % 16)
    struct.pack_into("<Q", out, FlatWalk(out).buffer_offsets[-1], len(out))   # the bias past the flatbuffer
    return bytes(out) + bias.tobytes()


TFL_DIMS = [-1, -2**31, 0, 2**31 - 1, 2**16, 65536 * 3]
U32S = [0, 1, 2**31 - 1, 2**31, 2**32 - 1]
U64S = [0, 1, 2**31, 2**40, 2**63 - 1, 2**64 - 1, 2**64 - 8]


def mutate_tflite(rng: random.Random, data: bytes) -> bytes:
    """One to three hostile changes to a .tflite's tables, or a truncation at a table."""
    b = bytearray(data)
    walk = FlatWalk(data)
    n_buffers = _u32(data, walk.buffers) if walk.buffers else 0
    n_codes = _u32(data, walk.opcodes) if walk.opcodes else 0
    for _ in range(rng.randint(1, 3)):
        what = rng.choice(["shape", "dim", "type", "buffer", "offset", "veclen", "vtable", "opcode",
                           "builtin", "input", "subgraphs", "truncate"])
        if what == "shape" and walk.shapes:     # a new shape vector appended, the tensor repointed
            field, _ = rng.choice(walk.shapes)
            dims = rng.choice([[2] * 40, [rng.choice(TFL_DIMS) for _ in range(rng.randint(1, 4))],
                               [2**16] * 4, [], [1] * 33, [-1]])
            pos = append_aligned(b, struct.pack(f"<I{len(dims)}i", len(dims), *dims))
            struct.pack_into("<I", b, field, pos - field)
        elif what == "dim" and walk.shapes:
            _, vec = rng.choice(walk.shapes)
            if _u32(data, vec):     # the length before any mutation: the elements there
                struct.pack_into("<i", b, vec + 4 + 4 * rng.randrange(_u32(data, vec)), rng.choice(TFL_DIMS))
        elif what == "type" and walk.types:
            b[rng.choice(walk.types)] = rng.choice([*range(21), 21, 64, 127, 128, 255])
        elif what == "buffer" and walk.buffer_refs:
            struct.pack_into("<I", b, rng.choice(walk.buffer_refs), rng.choice([n_buffers, n_buffers + 7, *U32S]))
        elif what == "offset" and walk.buffer_elems:    # Buffer.offset/size (64-bit), past the file or overflowing
            elem = rng.choice(walk.buffer_elems)
            size = len(data)
            offset, n = rng.choice([(size, 16), (size - 4, 16), (2**63, 8), (2**64 - 4, 8), (16, 2**64 - 8),
                                    (rng.choice(U64S), rng.choice(U64S)), (8, size), (16, 12), (2, 7)])
            struct.pack_into("<I", b, elem, _buffer_table(b, offset, n) - elem)
        elif what == "veclen" and walk.vectors:
            vec = rng.choice(walk.vectors)
            struct.pack_into("<I", b, vec, rng.choice([_u32(b, vec) + 1, _u32(b, vec) * 1000, *U32S]))
        elif what == "vtable":
            table = rng.choice(walk.tables)
            if rng.random() < 0.5:
                struct.pack_into("<i", b, table, rng.choice([0, 4, -4, 2**31 - 1, -2**31, table + 1, -len(b)]))
            else:
                vt = table - struct.unpack_from("<i", data, table)[0]
                struct.pack_into("<H", b, vt + rng.choice([0, 2, 4, 6, 8]), rng.choice([0, 1, 3, 0xFFFF, 0xFFFE]))
        elif what == "opcode" and walk.opcode_refs:
            struct.pack_into("<I", b, rng.choice(walk.opcode_refs), rng.choice([n_codes, n_codes + 1, *U32S]))
        elif what == "builtin" and walk.builtins:
            pos, fmt = rng.choice(walk.builtins)
            struct.pack_into(fmt, b, pos, rng.choice([-1, 127, -128, 32]) if fmt == "<b" else
                             rng.choice([-1, 1000, 2**31 - 1, -2**31, 32]))   # 32: CUSTOM with no custom code
        elif what == "input" and walk.op_inputs:
            vec = rng.choice(walk.op_inputs)
            if _u32(data, vec):
                struct.pack_into("<i", b, vec + 4 + 4 * rng.randrange(_u32(data, vec)),
                                 rng.choice([-1, -2, 2**31 - 1, 100_000]))
        elif what == "subgraphs" and walk.subgraphs:
            struct.pack_into("<I", b, walk.subgraphs, rng.choice([0, 2, 2**20, 2**32 - 1]))
        elif what == "truncate":
            cut = rng.choice(walk.tables + walk.vectors + [0, 4, 8, len(data) - 1])
            return bytes(b[:max(0, min(cut + rng.choice([0, 0, 2, 4]), len(b)))])
    return bytes(b)


# -- JSON configs (Keras, TF.js): hostile values at random places ----------------------

DEEP = "@@deep@@"     # replaced, once serialised, by arrays nested past any recursion limit
HOSTILE_JSON = [None, -1, 0, 2**63, 10**400, float("nan"), float("inf"), "", "k" * 100_000, [], {}, True,
                [[[]]], 1.5, "\u00e9\u4e2d", [None, -5, 2**70], DEEP]


def json_slots(obj, cap: int = 20_000) -> list[tuple]:
    """(container, key) of every value in a JSON tree, breadth first, at most ``cap``."""
    out, todo = [], collections.deque([obj])
    while todo and len(out) < cap:
        c = todo.popleft()
        items = c.items() if isinstance(c, dict) else enumerate(c) if isinstance(c, list) else ()
        for k, v in items:
            out.append((c, k))
            todo.append(v)
    return out


def dump_json(rng: random.Random, obj) -> str:
    """``obj`` as JSON text, with DEEP replaced by arrays nested 200 to 100,000 deep."""
    text = json.dumps(obj)
    depth = rng.choice([200, 5000, 100_000])
    return text.replace(json.dumps(DEEP), "[" * depth + "]" * depth)


def mutate_json(rng: random.Random, obj) -> None:
    """One value anywhere in the tree replaced by a hostile one."""
    slots = json_slots(obj)
    if slots:
        c, k = rng.choice(slots)
        c[k] = rng.choice(HOSTILE_JSON)


def _layer_lists(config) -> list[list]:
    return [c[k] for c, k in json_slots(config) if k == "layers" and isinstance(c[k], list) and c[k]]


def mutate_keras_config(rng: random.Random, config) -> None:
    """A layer name of 100,000 characters, inbound nodes naming missing layers or making a
    cycle, a nested value past any recursion limit, or a hostile value anywhere."""
    lists = _layer_lists(config)
    what = rng.choice(["name", "missing", "cycle", "deep", "json", "json", "layers"]) if lists else "json"
    if what == "json":
        return mutate_json(rng, config)
    layers = rng.choice(lists)
    names = [lay.get("config", {}).get("name") if isinstance(lay, dict) else None for lay in layers]
    i = rng.randrange(len(layers))
    if what == "name" and isinstance(layers[i], dict):
        layers[i].setdefault("config", {})["name"] = rng.choice(["k" * 100_000, "", "a/b:0", None, 7])
        layers[i]["name"] = layers[i]["config"]["name"]
    elif what in ("missing", "cycle") and isinstance(layers[i], dict):
        target = "missing_layer" if what == "missing" else names[rng.randint(i, len(names) - 1)]
        for c, k in json_slots(layers[i].get("inbound_nodes", [])):
            if isinstance(c[k], str) and c[k] in names:
                c[k] = target
    elif what == "deep":
        layers[i] = DEEP
    else:
        c = rng.choice([c for c, k in json_slots(config) if k == "layers" and isinstance(c[k], list)])
        c["layers"] = rng.choice([None, {}, "x", [1, 2], [[]], DEEP])


# -- Keras: HDF5 copies rewritten with h5py, .keras archives rewritten ------------------

def _text_of(v) -> str:
    return v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)


def _hostile_config_text(rng: random.Random, text: str) -> str:
    if rng.random() < 0.15:
        return rng.choice(["", "null", "[]", "{", text[:len(text) // 2], "\x01\xff garbage", '{"config": 7}'])
    try:
        config = json.loads(text)
    except (ValueError, RecursionError):    # not JSON, or a mutant of a mutant nested too deep
        return text
    mutate_keras_config(rng, config)
    return dump_json(rng, config)


def copy_h5(src, dst) -> None:
    """``src`` rewritten by h5py in the latest object-header format, where attributes may
    pass 64 KB (old files' headers refuse a 100,000-byte layer name)."""
    import h5py
    with h5py.File(src, "r") as s, h5py.File(dst, "w", libver="latest") as d:
        d.attrs.update(s.attrs)
        for k in s:
            s.copy(s[k], d, name=k)


def _set_names(attrs, key: str, names: list[bytes]) -> None:
    """A list of names as Keras writes it, or, past HDF5's 64 KB for an attribute in the
    object header, as variable-length strings (kept in the file's heap)."""
    import h5py
    import numpy as np
    if sum(map(len, names)) < 30_000:
        attrs[key] = np.array(names)
    else:
        attrs.create(key, names, dtype=h5py.string_dtype("ascii"))


def mutate_h5(rng: random.Random, path: Path) -> None:
    """Hostile changes to a Keras HDF5 file written by copy_h5: its model_config, a
    dataset's shape, dtype or presence, a huge claimed shape, weight_names and layer_names."""
    import h5py
    import numpy as np
    with h5py.File(path, "r+", libver="latest") as f:
        datasets = []
        f.visititems(lambda name, obj: datasets.append(name) if isinstance(obj, h5py.Dataset) else None)
        groups = []
        f.visititems(lambda name, obj: groups.append(name) if "weight_names" in obj.attrs else None)
        for _ in range(rng.randint(1, 3)):
            what = rng.choice(["config", "config", "shape", "dtype", "missing", "huge", "weight_names",
                               "layer_names"])
            if what == "config" and "model_config" in f.attrs:
                f.attrs["model_config"] = _hostile_config_text(rng, _text_of(f.attrs["model_config"]))
            elif what in ("shape", "dtype", "missing", "huge") and datasets:
                name = rng.choice(datasets)
                old = f[name]
                shape, dtype = old.shape, old.dtype
                del f[name]
                if what == "shape":
                    f.create_dataset(name, data=np.ones(rng.choice([(), (1,), (shape[-1] + 1,) if shape else (3,),
                                                                    tuple(reversed(shape)) + (2,), (2,) * 9]),
                                                        dtype))
                elif what == "dtype" and len(shape) < 4 and np.prod(shape) < 10**6:
                    kind = rng.choice(["i1", "i8", "?", "S5", "c8", "f2", "u2", [("a", "f4"), ("b", "i4")]])
                    f.create_dataset(name, data=np.zeros(shape, np.dtype(kind)))
                elif what == "huge":
                    shape = rng.choice([(2**40,), (2**20, 2**20), (2**31, 4), (1,) * 32, (2**62,)])
                    with contextlib.suppress(ValueError, OSError, TypeError):
                        f.create_dataset(name, shape=shape, dtype="f4", chunks=tuple(min(d, 64) for d in shape))
                datasets.remove(name)
            elif what == "weight_names" and groups:
                g = f[rng.choice(groups)]
                names = [_text_of(n).encode() for n in g.attrs["weight_names"]]
                _set_names(g.attrs, "weight_names", rng.choice(
                    [names + [b"missing/kernel:0"], [b"k" * 100_000], names[:1] * 3, [b""], [b"../../x"]]) or [b"x"])
            elif what == "layer_names":
                g = f["model_weights"] if "model_weights" in f else f
                if "layer_names" in g.attrs:
                    _set_names(g.attrs, "layer_names", [_text_of(n).encode() for n in g.attrs["layer_names"]] +
                               [rng.choice([b"missing", b"k" * 70_000, b""])])


def mutate_keras_zip(rng: random.Random, src: Path, out: Path) -> None:
    """A .keras archive rewritten: config.json missing, garbage or hostile; its weights
    file mutated as an HDF5 copy, or missing; the archive cut short."""
    with zipfile.ZipFile(src) as z:
        members = {n: z.read(n) for n in z.namelist()}
    what = rng.choice(["config", "config", "no-config", "weights", "weights", "no-weights", "metadata", "cut"])
    if what == "config" and "config.json" in members:
        members["config.json"] = _hostile_config_text(rng, members["config.json"].decode()).encode()
    elif what == "no-config":
        members.pop("config.json", None)
    elif what == "weights" and "model.weights.h5" in members:
        raw, tmp = out.parent / "raw.h5", out.parent / "w.h5"
        raw.write_bytes(members["model.weights.h5"])
        copy_h5(raw, tmp)
        mutate_h5(rng, tmp)
        members["model.weights.h5"] = tmp.read_bytes()
        raw.unlink()
        tmp.unlink()
    elif what == "no-weights":
        members.pop("model.weights.h5", None)
    elif what == "metadata":
        members["metadata.json"] = rng.choice([b"", b"\xff\xfe", b'{"keras_version": 7}', b"[" * 100_000])
    with zipfile.ZipFile(out, "w") as z:
        for name, data in members.items():
            z.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)), data)
    if what == "cut":
        out.write_bytes(out.read_bytes()[:rng.randint(0, out.stat().st_size)])


# -- TF.js: a model folder copied, its model.json and shards mutated ---------------------

def mutate_tfjs(rng: random.Random, folder: Path) -> None:
    """Hostile manifest entries (shapes, dtypes, quantization, names), paths escaping the
    folder, shards cut, grown, missing or split (weights spanning shards), a topology nested
    100,000 deep or holding huge numbers, a model.json cut short."""
    mj = folder / "model.json"
    model = json.loads(mj.read_text())
    shards = sorted(p for p in folder.iterdir() if p.name != "model.json")
    for _ in range(rng.randint(1, 3)):
        groups = model.get("weightsManifest") if isinstance(model, dict) else None
        group = rng.choice(groups) if isinstance(groups, list) and groups else {}
        weights = group.get("weights") if isinstance(group, dict) else None
        w = rng.choice(weights) if isinstance(weights, list) and weights else {}
        if not isinstance(group, dict) or not isinstance(w, dict):
            continue
        weights = weights if isinstance(weights, list) else [w]
        what = rng.choice(["shape", "dtype", "quant", "name", "path", "cut", "grow", "missing", "split",
                           "deep", "topology", "entry", "json"])
        if what == "shape":
            w["shape"] = rng.choice([hostile_shape(rng), [2] * 40, "x", None, [1.5], [2**53], [10**30]])
        elif what == "dtype":
            w["dtype"] = rng.choice(["float32", "int32", "uint8", "string", "complex64", "bfloat16", "", None, 7,
                                     "int4", "bool", "float16"])
        elif what == "quant":
            w["quantization"] = {"dtype": rng.choice(["uint8", "uint16", "float16", "int4", "bogus", None]),
                                 "min": rng.choice([float("nan"), float("inf"), -1e308, 0.0, "x"]),
                                 "scale": rng.choice([float("nan"), 0.0, -1.0, 1e308, None]),
                                 "original_dtype": rng.choice(["float32", "int32", "bogus"])}
        elif what == "name":
            w["name"] = rng.choice(["k" * 100_000, "", None, weights[0].get("name"), "../x", "a/" * 3000 + "b"])
        elif what == "path":
            group["paths"] = rng.choice([["../../etc/passwd"], ["/etc/passwd"], ["missing.bin"], [""], [7], "x",
                                         [".."], ["model.json"], (group.get("paths") or []) * 2])
        elif what in ("cut", "grow") and shards:
            s = rng.choice(shards)
            raw = s.read_bytes()
            grown = raw + rng.randbytes(rng.choice([1, 4, 4096]))
            s.write_bytes(raw[:rng.randint(0, len(raw))] if what == "cut" else grown)
        elif what == "missing" and shards:
            s = rng.choice(shards)
            s.unlink()
            shards.remove(s)
        elif what == "split" and group.get("paths") and isinstance(group["paths"], list) and \
                (folder / str(group["paths"][-1])).is_file():     # the last shard cut in two: weights span them
            last = folder / group["paths"][-1]
            raw = last.read_bytes()
            cut = rng.randint(1, max(1, len(raw) - 1))
            last.write_bytes(raw[:cut])
            (folder / (last.name + ".b")).write_bytes(raw[cut:])
            group["paths"].append(last.name + ".b")
        elif what == "deep":
            model["modelTopology"] = DEEP
        elif what == "topology" and isinstance(model.get("modelTopology"), (dict, list)):
            if rng.random() < 0.5:
                mutate_json(rng, model["modelTopology"])
            else:
                mutate_keras_config(rng, model["modelTopology"])
        elif what == "entry":
            w.update(rng.choice([{"shape": [2**31], "dtype": "float32"}, {"dtype": "string"},
                                 {"group": 7}, {"shape": []}, {}]))
            if rng.random() < 0.3:
                weights.append(dict(w))     # a duplicate entry: the offsets after it move
        else:
            mutate_json(rng, model)
    text = dump_json(rng, model)
    if rng.random() < 0.05:
        text = text[:rng.randint(0, len(text))]
    mj.write_text(text)


# -- mutants ------------------------------------------------------------------------------

def make_mutant(index: int, seed: int, pool: dict[str, list], folder: Path) -> tuple[str, Path]:
    """Mutant ``index`` of run ``seed``, written into ``folder``: (kind, path to open)."""
    from google.protobuf import text_format

    from pbscope.core import proto
    rng = random.Random(f"{seed}-{index}")
    kinds = [k for k in KINDS if pool.get(k)]
    kind = kinds[index % len(kinds)]
    src = rng.choice(pool[kind])
    folder.mkdir(parents=True, exist_ok=True)
    if kind == "graphdef":
        gd = proto.GraphDef.FromString(src if isinstance(src, bytes) else Path(src).read_bytes())
        mutate_graph(rng, gd)
        p = folder / "m.pb"
        p.write_bytes(gd.SerializeToString())
    elif kind == "pbtxt":
        gd = text_format.Parse(Path(src).read_text(), proto.GraphDef())
        mutate_graph(rng, gd)
        p = folder / "m.pbtxt"
        p.write_text(text_format.MessageToString(gd))
    elif kind == "checkpoint":
        p = folder / "model.ckpt"
        mutate_checkpoint(rng, str(src), str(p))
    elif kind == "savedmodel":
        sm = proto.SavedModel.FromString((Path(src) / "saved_model.pb").read_bytes())
        if rng.random() < 0.6 and sm.meta_graphs:
            mutate_graph(rng, sm.meta_graphs[0].graph_def)
        p = folder / "sm"
        (p / "variables").mkdir(parents=True)
        (p / "saved_model.pb").write_bytes(sm.SerializeToString())
        mutate_checkpoint(rng, str(Path(src) / "variables" / "variables"), str(p / "variables" / "variables"))
    elif kind == "tflite":
        p = folder / "m.tflite"
        p.write_bytes(mutate_tflite(rng, src if isinstance(src, bytes) else Path(src).read_bytes()))
    elif kind == "keras":
        p = folder / src.name
        if src.suffix == ".keras":
            mutate_keras_zip(rng, src, p)
        else:
            copy_h5(src, p)
            mutate_h5(rng, p)
    elif kind == "tfjs":
        (folder / "tfjs").mkdir()
        for f in Path(src).iterdir():
            if f.is_file():
                shutil.copyfile(f, folder / "tfjs" / f.name)
        mutate_tfjs(rng, folder / "tfjs")
        p = folder / "tfjs" / "model.json"
    else:
        p = write_weights(rng, kind, folder)
    return kind, p


# -- the child: the four commands, in one process --------------------------------------

def run_commands(path: str, out_dir: str, fmt: str) -> list[dict]:
    """info, ls, show and export through cli.main, as `python main.py …` runs them."""
    from pbscope.core import cli
    results = []
    name = "x"
    for argv in (["info", path], ["ls", path, "--weights", "--json"], ["show", path, None],
                 ["export", path, "-o", os.path.join(out_dir, EXT[fmt]), "--format", fmt]):
        argv = [name if a is None else a for a in argv]
        out, err = io.StringIO(), io.StringIO()
        row = {"cmd": argv[0]}
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                row["code"] = cli.main(argv)
        except SystemExit as e:
            row["code"] = e.code if isinstance(e.code, int) else 2
        except BaseException as e:  # noqa: BLE001 - the fuzz counts what escapes
            row["code"], row["traceback"] = -1, f"{type(e).__name__}: {str(e)[:300]}"
        row["stderr"] = err.getvalue()[:2000]
        if argv[0] == "ls" and row["code"] == 0:
            with contextlib.suppress(ValueError, IndexError, KeyError, TypeError):
                name = json.loads(out.getvalue())[0]["name"]
        results.append(row)
    return results


def classify(row: dict) -> str:
    if "traceback" in row or "Traceback" in row["stderr"]:
        return "traceback"
    if row["code"] == 0:
        return "ok"
    lines = row["stderr"].strip().splitlines()
    if row["code"] == 1 and len(lines) == 1 and lines[0].startswith("pbscope: error: ") and \
            lines[0].rsplit(": ", 1)[-1].strip():
        return "refused"
    return "bad-refusal"


def _limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def _child(path: Path, out_dir: Path, fmt: str, result: Path) -> None:
    """In a forked child: cap the memory, run the commands, write the rows, exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        _limit_memory()
        rows = run_commands(str(path), str(out_dir), fmt)
        result.write_text(json.dumps(rows))
    finally:
        os._exit(0)


def fuzz(count: int, seed: int, jobs: int = 2, work: Path | None = None, timeout: float = TIMEOUT,
         report=print) -> dict:
    """Make and run ``count`` mutants, ``jobs`` at a time, each in a child forked from this
    process once pbscope is imported (the same code `python main.py` runs, without paying
    the interpreter's start-up per mutant); the child's peak RSS comes from wait4."""
    from pbscope.core import cli, export, formats, stats  # noqa: F401 - imported once, before forking
    import safetensors  # noqa: F401
    pool = seeds()
    work = Path(work or tempfile.mkdtemp(prefix="pbscope-fuzz-"))
    counts = {"mutants": 0, "runs": 0, "ok": 0, "refused": 0, "bad-refusal": 0, "traceback": 0,
              "crash": 0, "timeout": 0, "leftover": 0, "peak_rss_mb": 0.0}
    by_kind: dict[str, int] = {}
    by_kind_outcome: dict[str, dict[str, int]] = {}
    failures = []
    running: dict[int, dict] = {}
    started = 0
    t0 = time.perf_counter()
    while started < count or running:
        while started < count and len(running) < jobs:
            folder = work / f"m{started:06d}"
            kind, path = make_mutant(started, seed, pool, folder / "in")
            fmt = FORMATS[(started // len(KINDS)) % len(FORMATS)]
            (folder / "out").mkdir()
            job = {"kind": kind, "path": str(path), "fmt": fmt, "folder": folder, "t0": time.perf_counter()}
            pid = os.fork()
            if pid == 0:
                _child(path, folder / "out", fmt, folder / "result.json")
            running[pid] = job
            started += 1
        pid, status, usage = os.wait4(-1, os.WNOHANG)
        if pid == 0:
            now = time.perf_counter()
            for child, job in running.items():
                if now - job["t0"] > timeout and not job.get("killed"):
                    job["killed"] = True
                    os.kill(child, 9)
            time.sleep(0.002)
            continue
        r = _outcome(running.pop(pid), status, usage)
        counts["mutants"] += 1
        by_kind[r["kind"]] = by_kind.get(r["kind"], 0) + 1
        if r["mutant"] in ("crash", "timeout"):
            counts[r["mutant"]] += 1
        for o in r["outcomes"]:
            counts["runs"] += 1
            counts[o] += 1
            kind_counts = by_kind_outcome.setdefault(r["kind"], {})
            kind_counts[o] = kind_counts.get(o, 0) + 1
        counts["leftover"] += 1 if "leftover" in r else 0
        counts["peak_rss_mb"] = max(counts["peak_rss_mb"], round(r["rss"] / 2**20, 1))
        if r["bad"]:
            failures.append(r)
        else:
            shutil.rmtree(r["folder"], ignore_errors=True)
        if counts["mutants"] % 500 == 0:
            report(f"{counts['mutants']} mutants, {time.perf_counter() - t0:.0f} s: {json.dumps(counts)}")
    counts["seconds"] = round(time.perf_counter() - t0, 1)
    counts["by_kind"] = by_kind
    counts["by_kind_outcome"] = by_kind_outcome
    counts["failures"] = failures
    if not failures:
        shutil.rmtree(work, ignore_errors=True)
    return counts


def _outcome(job: dict, status: int, usage) -> dict:
    folder = job.pop("folder")
    r = dict(job, folder=str(folder), outcomes=[], rss=usage.ru_maxrss * 1024)
    result = folder / "result.json"
    if job.get("killed"):
        r["mutant"] = "timeout"
    elif os.WIFSIGNALED(status) or not result.exists():
        r["mutant"] = "crash"
        r["detail"] = f"status {status}"
    else:
        r["rows"] = json.loads(result.read_text())
        r["outcomes"] = [classify(row) for row in r["rows"]]
        r["mutant"] = "done"
    left = sorted(n for n in os.listdir(folder / "out") if n != EXT[job["fmt"]])
    if left:
        r["leftover"] = left
    r["bad"] = r["mutant"] != "done" or "leftover" in r or \
        any(o in ("traceback", "bad-refusal") for o in r["outcomes"])
    return r


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--count", type=int, default=5000)
    p.add_argument("--seed", type=int, default=16)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--timeout", type=float, default=TIMEOUT)
    p.add_argument("--work", help="folder for the mutants (failing ones are kept there)")
    p.add_argument("--one", nargs=3, metavar=("PATH", "OUT_DIR", "FORMAT"),
                   help="run the four commands on one (kept, failing) mutant and print what they said")
    args = p.parse_args(argv)
    if args.one:
        print(json.dumps(run_commands(*args.one), indent=1))
        return 0
    counts = fuzz(args.count, args.seed, args.jobs, Path(args.work) if args.work else None, args.timeout)
    failures = counts.pop("failures")
    for r in failures[:20]:
        print("FAILED", json.dumps({k: r.get(k) for k in ("kind", "path", "fmt", "mutant", "outcomes",
                                                            "leftover", "detail", "rows")})[:3000])
    kinds = counts.pop("by_kind")
    for kind, outcomes in counts.pop("by_kind_outcome").items():
        print(f"KIND {kind} " + " ".join(f"{o}={n}" for o, n in sorted(outcomes.items())))
    print(json.dumps(counts, indent=1))
    print("RESULT " + " ".join(f"{k}={v}" for k, v in counts.items()) + " kinds=" +
          ",".join(f"{k}:{n}" for k, n in kinds.items()))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
