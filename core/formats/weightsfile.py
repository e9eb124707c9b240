"""Weights files opened as models: .pkl, .npz, .safetensors, .npy and npy folders.

Each tensor becomes an op of type ``Tensor`` named after its key (``a/b:0`` → ``a/b``)
and a weight whose key is the file's key, so the tree, preview, export and diff work
on a weights file as on a graph. Values load lazily where the format allows (npz,
safetensors, npy); a pickle is loaded whole, through the restricted unpickler.

What a header claims is checked before numpy allocates anything (core/limits.py): the
rank, the dims, and the bytes the shape needs against the bytes the file (or the zip
member) really holds.
"""
from __future__ import annotations

import json
import os
import zipfile
from zlib import error as zlib_error

import numpy as np

from .. import proto
from ..errors import PbscopeError
from ..limits import TensorError, bytes_text, check_shape, name_text, shape_text
from ..model import Graph, Op, Weight
from ..progress import NO_PROGRESS, Progress
from ..safeload import load_pickle
from ..tensors import dtype_for_numpy
from .sniff import Kind

KINDS = ("pickle", "npz", "safetensors", "npy", "npy-dir")
FORMAT_NAMES = {"pickle": "Pickle (weights)", "npz": "NumPy .npz (weights)",
                "safetensors": "safetensors (weights)", "npy": "NumPy .npy (weights)",
                "npy-dir": "npy folder (weights)"}


def var_name_of(key: str) -> str:
    return key[:-2] if key.endswith(":0") else key


def open_graph(kind: Kind, progress: Progress = NO_PROGRESS) -> Graph:
    path = kind.path
    progress.report(0.0, "reading")
    entries, loader = _READERS[kind.name](path)   # [(key, dtype, shape)], key -> ndarray
    graph = Graph(path, FORMAT_NAMES[kind.name])
    weights: list[Weight] = []
    for i, (key, dt, shape) in enumerate(entries):
        name = var_name_of(key)
        op = Op(graph, i, name, "Tensor", (), "")
        graph.ops.append(op)
        try:
            dtype, err = dtype_for_numpy(dt), None
        except TensorError as e:
            dtype, err = None, str(e)
        weights.append(Weight(op, name, name, dtype, tuple(shape), graph, role=name.rpartition("/")[2],
                              rule="file", error=err))
        if i % 256 == 0:
            progress.report(0.9 * i / max(1, len(entries)), "reading")

    by_name = {var_name_of(k): k for k, _, _ in entries}
    graph.value_loader = lambda w: load_key(w, by_name, loader, path)
    graph.node_parser = weight_node
    graph.finish(lambda g: weights)
    progress.report(1.0, "done")
    return graph


def load_key(w: Weight, by_name: dict[str, str], loader, path: str) -> np.ndarray:
    try:
        a = np.asarray(loader(by_name[w.var_name]))
    except PbscopeError:
        raise
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError, zlib_error) as e:
        raise PbscopeError(path, f"{name_text(w.name)}: cannot read it: {e}") from None
    except MemoryError as e:
        raise PbscopeError(path, f"{name_text(w.name)}: not enough memory to load it "
                                 f"({e or bytes_text(w.nbytes) + ' asked for'})") from None
    if a.flags.writeable:
        a.flags.writeable = False
    return a


def weight_node(op: Op, node=None):
    """A NodeDef describing a made-up op's tensor (dtype, shape, how it is stored), so the
    details pane shows them; the readers of weights files, Keras and TF.js share it."""
    node = proto.NodeDef(name=op.name, op=op.type) if node is None else node
    w = op.graph.weight_of(op.name)
    if w is not None and w.dtype is not None:
        node.attr["dtype"].type = w.dtype.number
        for d in w.shape:
            node.attr["shape"].shape.dim.add(size=d)
        if w.quant is not None:
            node.attr["stored"].s = w.quant.note.encode()
    return node


# -- one function per format: (entries, loader) ----------------------------------

def _pickle(path: str):
    arrays = load_pickle(path)
    return [(k, a.dtype, a.shape) for k, a in arrays.items()], arrays.__getitem__


def _npy_header(f, present: int, path: str, key: str | None = None):
    """(dtype, shape) from an .npy header, checked against the ``present`` bytes (header
    included) that the file or zip member holds."""
    version = np.lib.format.read_magic(f)
    if version == (1, 0):
        shape, _, dtype = np.lib.format.read_array_header_1_0(f)
    else:
        shape, _, dtype = np.lib.format.read_array_header_2_0(f)
    where = f"{name_text(key)}: " if key is not None else ""
    try:
        count = check_shape(shape, dtype.itemsize)
    except TensorError as e:
        raise PbscopeError(path, f"{where}{e}") from None
    need, have = count * dtype.itemsize, present - f.tell()
    if not dtype.hasobject and need > have:
        raise PbscopeError(path, f"{where}the header claims {shape_text(shape)} {dtype} "
                                 f"({bytes_text(need)}), but only {max(have, 0):,} bytes of data follow")
    return dtype, shape


# deflate expands at most about 1032:1; a member claiming more is lying about its size
_DEFLATE_RATIO = 1032


def _npz(path: str):
    try:
        with zipfile.ZipFile(path) as z:
            entries = []
            for info in z.infolist():
                member = info.filename
                if info.compress_type == zipfile.ZIP_STORED and info.file_size != info.compress_size or \
                        info.file_size > info.compress_size * _DEFLATE_RATIO + 1024:
                    raise PbscopeError(path, f"{name_text(member)}: the zip member claims {info.file_size:,} "
                                             f"bytes from {info.compress_size:,} stored")
                with z.open(member) as f:
                    dtype, shape = _npy_header(f, info.file_size, path, member[:-4])
                entries.append((member[:-4], dtype, shape))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError,
            UnicodeDecodeError, zlib_error) as e:
        raise PbscopeError(path, f"not a readable .npz: {e}") from None
    for key, dtype, _ in entries:
        if dtype.hasobject:
            raise PbscopeError(path, f"{key}: holds pickled Python objects; refusing to load it")
    npz = np.load(path, allow_pickle=False)
    return entries, npz.__getitem__


def _safetensors(path: str):
    from safetensors import safe_open
    try:
        f = safe_open(path, framework="np")
        entries = []
        for key in _in_file_order(path, f.keys()):
            sl = f.get_slice(key)
            entries.append((key, np.dtype(_ST_DTYPES.get(sl.get_dtype(), "V")), tuple(sl.get_shape())))
    except Exception as e:   # the package raises its own error types
        raise PbscopeError(path, f"not a readable safetensors file: {' '.join(str(e).split())}") from None
    for key, dtype, shape in entries:   # the package checked the offsets; the shapes are ours
        try:
            check_shape(shape, dtype.itemsize)
        except TensorError as e:
            raise PbscopeError(path, f"{name_text(key)}: {e}") from None
    return entries, f.get_tensor


def _in_file_order(path: str, keys) -> list[str]:
    """safetensors lists keys sorted; show them in the order their bytes were written."""
    with open(path, "rb") as fh:
        n = int.from_bytes(fh.read(8), "little")
        header = json.loads(fh.read(n))
    offset = {k: v.get("data_offsets", [0])[0] for k, v in header.items() if isinstance(v, dict)}
    return sorted(keys, key=lambda k: offset.get(k, 0))


def _st_dtypes():
    import ml_dtypes
    table = {"F16": "float16", "F32": "float32", "F64": "float64", "I8": "int8", "I16": "int16",
             "I32": "int32", "I64": "int64", "U8": "uint8", "U16": "uint16", "U32": "uint32",
             "U64": "uint64", "BOOL": "bool"}
    table.update({"BF16": ml_dtypes.bfloat16, "F8_E5M2": ml_dtypes.float8_e5m2,
                  "F8_E4M3": ml_dtypes.float8_e4m3fn})
    return table


_ST_DTYPES = _st_dtypes()


def _npy(path: str):
    key = os.path.splitext(os.path.basename(path))[0]
    try:
        with open(path, "rb") as f:
            dtype, shape = _npy_header(f, os.fstat(f.fileno()).st_size, path)
    except (ValueError, OSError) as e:
        raise PbscopeError(path, f"not a readable .npy: {e}") from None
    if dtype.hasobject:
        raise PbscopeError(path, "holds pickled Python objects; refusing to load it")
    return [(key, dtype, shape)], lambda k: np.load(path, mmap_mode="r", allow_pickle=False)


def _npy_dir(path: str):
    index_path = os.path.join(path, "index.json")
    try:
        with open(index_path) as f:
            index = json.load(f)
    except (OSError, ValueError) as e:
        raise PbscopeError(index_path, f"not a readable index: {e}") from None
    if not isinstance(index, dict):
        raise PbscopeError(index_path, "is not a JSON object {key: file}")
    entries, files = [], {}
    for key, fname in index.items():
        if not isinstance(fname, str) or os.path.basename(fname) != fname or fname in ("", ".", ".."):
            raise PbscopeError(index_path, f"{key}: {fname!r} is not a file name in this folder")
        full = os.path.join(path, fname)
        try:
            with open(full, "rb") as f:
                dtype, shape = _npy_header(f, os.fstat(f.fileno()).st_size, full)
        except (ValueError, OSError) as e:
            raise PbscopeError(full, f"not a readable .npy: {e}") from None
        if dtype.hasobject:
            raise PbscopeError(full, "holds pickled Python objects; refusing to load it")
        entries.append((key, dtype, shape))
        files[key] = full
    return entries, lambda k: np.load(files[k], mmap_mode="r", allow_pickle=False)


_READERS = {"pickle": _pickle, "npz": _npz, "safetensors": _safetensors, "npy": _npy, "npy-dir": _npy_dir}
