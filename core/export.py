"""Weights out: pickle (the load-and-restore recipe's format), npz, safetensors, a folder of .npy.

Every write is atomic: it goes to a temporary file in the target folder, is
fsynced, then renamed into place. Cancel, a failing disk or a tensor that cannot be
decoded leaves no partial file behind and any file already at the target untouched.
npz, safetensors and npy stream tensor by tensor, a constant that stores fewer values than
its shape holds (a broadcast view or a Repeated, see tensors.py) in 1 MiB chunks; pickle
needs the whole dict, so it takes those only up to limits.MAX_EXPAND_BYTES expanded.

Errors blame the file at fault: a defect of the input (a tensor that cannot be read, a
name no .npz can hold) names the input and the tensor; only the destination's own
problems (no space, no permission, a dtype the format lacks) name the destination.
"""
from __future__ import annotations

import json
import logging
import os
import pickle
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from .atomic import fsync_dir, output_folder, temp_file_beside
from .errors import Cancelled, PbscopeError
from .limits import MAX_EXPAND_BYTES, TensorError, bytes_text, check_npz_key, count_text, name_text
from .model import KEY_ALIASES, KEY_STYLES, Weight
from .progress import NO_PROGRESS, Progress
from .tensors import Repeated, flat_chunks, is_broadcast

log = logging.getLogger(__name__)

FORMATS = {
    "pkl": "Pickle {key: ndarray} (TF1 keys, the load-and-restore recipe's format)",
    "npz": "NumPy .npz archive",
    "safetensors": "safetensors",
    "npy": "Folder of .npy files + index.json",
}
EXTENSIONS = {".pkl": "pkl", ".pickle": "pkl", ".npz": "npz", ".safetensors": "safetensors"}
SUFFIXES = {"pkl": ".pkl", "npz": ".npz", "safetensors": ".safetensors", "npy": ""}   # what each format writes


def key_style(keys: str, out: str | os.PathLike | None = None) -> str:
    """"tf1" or "var" (an alias resolved); raises PbscopeError for anything else."""
    keys = KEY_ALIASES.get(keys, keys)
    if keys not in KEY_STYLES:
        raise PbscopeError(out, f"unknown key style {keys!r}; use 'tf1' or 'var'")
    return keys


@dataclass
class ExportReport:
    path: str
    format: str
    count: int
    nbytes: int
    seconds: float

    def as_dict(self) -> dict:
        return {"path": self.path, "format": self.format, "count": self.count,
                "bytes": self.nbytes, "seconds": round(self.seconds, 4)}


def format_for(out: str | os.PathLike, fmt: str | None = None) -> str:
    if fmt:
        if fmt not in FORMATS:
            raise PbscopeError(out, f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
        return fmt
    ext = Path(out).suffix.lower()
    if ext in EXTENSIONS:
        return EXTENSIONS[ext]
    if ext == "":
        return "npy"
    raise PbscopeError(out, f"cannot tell the format from {ext!r}; "
                            f"use .pkl, .npz, .safetensors or a folder (or --format)")


def export_stem(model_path: str | os.PathLike) -> tuple[str, str]:
    """(the folder beside the model, the model's name) for naming what comes out of it.

    A file: its folder and its name without the extension (``.index``, ``.meta``, ``.ckpt``
    of a checkpoint too; a checkpoint named ``checkpoint``, ``model.ckpt…`` or
    ``variables…`` takes its folder's name). A folder (a SavedModel): its parent and its
    name; a SavedModel version folder ``…/half_plus_two/00000123`` is
    ``half_plus_two_00000123`` beside ``half_plus_two``."""
    path = os.fspath(model_path)
    if os.path.isdir(path):
        path = os.path.abspath(path).rstrip(os.sep) or path
        base = os.path.basename(path)
        if base.isdigit():
            parent = os.path.dirname(path)
            return os.path.dirname(parent), f"{os.path.basename(parent)}_{base}" if os.path.basename(parent) \
                else base
        return os.path.dirname(path), base
    path = path.rstrip("/\\") if len(path) > 1 else path
    folder, name = os.path.split(path)
    for suffix in (".index", ".meta", ".ckpt"):
        name = name.removesuffix(suffix)
    if name == "checkpoint" or name.startswith(("model.ckpt", "variables")):
        name = os.path.basename(os.path.abspath(folder or ".")) or name
    return folder, os.path.splitext(name)[0] or name


def default_export_path(model_path: str | os.PathLike, folder: str | os.PathLike | None = None,
                        fmt: str = "pkl") -> str:
    """``<folder or the model's folder>/<model name>_weights.pkl`` (the extension per
    format, none for a folder of .npy), never clobbering the model: what the window's
    Export writes and ``export`` without ``-o``. The model's name: see export_stem."""
    base, name = export_stem(model_path)
    if fmt not in SUFFIXES:
        raise PbscopeError(model_path, f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return os.path.join(os.fspath(folder) if folder else base, f"{name}_weights{SUFFIXES[fmt]}")


def export_weights(weights: Iterable[Weight], out: str | os.PathLike, fmt: str | None = None,
                   keys: str = "tf1", progress: Progress = NO_PROGRESS,
                   model_path: str | None = None, dequantize: bool = False,
                   stored: bool = False) -> ExportReport:
    """Write ``weights`` to ``out``. Keys: ``tf1`` → ``scope/name:0``; ``var`` → ``scope/name``
    (``seed``, the old name of ``tf1``, is accepted).
    ``dequantize``: quantized weights as float32 real values, not as stored. ``stored``: the
    weights a reader dequantizes itself (TF.js) as the file stores them (uint8, float16)."""
    t0 = time.perf_counter()
    out = os.fspath(out)
    fmt = format_for(out, fmt)
    weights = list(weights)
    if not weights:
        raise PbscopeError(out, "nothing to export: no weights selected")
    if dequantize and stored:
        raise PbscopeError(out, "choose the stored values or the dequantized ones, not both")
    keys = key_style(keys, out)
    if model_path and os.path.exists(out) and _same_file(out, model_path):
        raise PbscopeError(out, "refusing to overwrite the model file itself")
    folder = os.path.dirname(os.path.abspath(out))
    if not os.path.isdir(folder):
        raise PbscopeError(out, f"the folder {folder} does not exist")
    if fmt != "npy" and os.path.isdir(out):
        raise PbscopeError(out, "is a folder; give a file name")
    named = _named(weights, keys, out)
    _check_dtypes(named, fmt, out)
    _check_space(named, out)
    writer = {"pkl": _write_pickle, "npz": _write_npz, "safetensors": _write_safetensors,
              "npy": _write_npy_folder}[fmt]
    progress.path = progress.path or out
    try:
        nbytes = writer(named, out, progress, dequantize, stored)
    except MemoryError as e:
        asked = f" ({e})" if str(e) else ""
        raise PbscopeError(out, f"not enough memory to write it{asked}; the {fmt} format needs "
                                f"{bytes_text(sum(w.nbytes for _, w in named))} of tensors") from None
    progress.report(1.0, "written")
    report = ExportReport(out, fmt, len(named), nbytes, time.perf_counter() - t0)
    log.info("exported %d tensors (%s, %s keys) to %s in %.2f s", report.count, bytes_text(nbytes), keys,
             out, report.seconds)
    return report


def _check_dtypes(named, fmt: str, out: str) -> None:
    """Refuse before writing anything what the format cannot hold."""
    for k, w in named:
        name = w.dtype_name
        if fmt == "safetensors" and name not in SAFETENSORS_DTYPES:
            what = "string" if name == "object" else name
            raise PbscopeError(out, f"{k}: safetensors has no {what} dtype; use pkl or npz")
        if fmt in ("npz", "npy") and w.dtype is not None and w.dtype.np.kind == "V":
            raise PbscopeError(out, f"{k}: .npy/.npz cannot hold {name} (numpy would store raw "
                                    f"bytes); use pkl or safetensors")
        if fmt == "npz":    # a name from the input that no .npz can hold: the input's defect
            try:
                check_npz_key(k)
            except TensorError as e:
                raise PbscopeError(w.graph.path, f"{name_text(k)}: {e}") from None


def _check_space(named, out: str) -> None:
    """Refuse before writing a byte what the destination's free space cannot hold."""
    need = sum(w.nbytes for _, w in named)
    try:
        st = os.statvfs(os.path.dirname(os.path.abspath(out)))
    except (OSError, AttributeError):
        return
    free = st.f_bavail * st.f_frsize
    if need > free:
        raise PbscopeError(out, f"not enough free space: the tensors take {bytes_text(need)}, "
                                f"the disk has {bytes_text(free)} free")


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _named(weights: list[Weight], keys: str, out: str) -> list[tuple[str, Weight]]:
    seen: dict[str, Weight] = {}
    for w in weights:
        k = w.key if keys == "tf1" else w.var_name
        if k in seen and seen[k] is not w:
            raise PbscopeError(w.graph.path, f"two weights share the key {name_text(k)!r} "
                                             f"({name_text(seen[k].name)}, {name_text(w.name)})")
        if not w.available:
            raise PbscopeError(w.graph.path, f"{name_text(w.name)}: {w.error}")
        seen[k] = w
    return list(seen.items())


def _arrays(named, progress: Progress, share: float = 1.0, release: bool = True,
            dequantize: bool = False, stored: bool = False):
    """(key, array) one at a time; once the writer is done with one, its pages of a
    memory-mapped model are released, so streaming formats hold one tensor at a time."""
    total = max(1, len(named))
    for i, (k, w) in enumerate(named):
        progress.report(share * i / total, f"{k}")
        # its PbscopeError names the input file and the tensor
        a = w.array(dequantize=dequantize, stored=stored) if dequantize or stored else w.array()
        yield k, a
        del a
        if release:
            w.graph.release(w)


WRITE_CHUNK = 1 << 20


def write_npy(f, a: np.ndarray | Repeated) -> None:
    """An .npy file, its data written straight from the array in 1 MiB slices: numpy's own
    writer copies up to 16M elements at a time into a bytes object."""
    header = {"descr": np.lib.format.dtype_to_descr(a.dtype), "fortran_order": False, "shape": tuple(a.shape)}
    try:
        np.lib.format.write_array_header_1_0(f, header)
    except ValueError:   # a header too long for format 1.0
        np.lib.format.write_array_header_2_0(f, header)
    for chunk in flat_chunks(a, WRITE_CHUNK):
        f.write(chunk.view(np.uint8))


def _plain(a: np.ndarray | Repeated, key: str, out: str) -> np.ndarray | Repeated:
    """Strings as fixed-width bytes, so .npy/.npz need no pickle to hold them. numpy's
    format has no bfloat16/float8/int4: it would store raw bytes and lose the type."""
    if a.dtype.kind == "V":
        raise PbscopeError(out, f"{key}: .npy/.npz cannot hold {a.dtype.name} (numpy would store raw "
                                f"bytes); use pkl or safetensors")
    if a.dtype.kind == "O":
        if isinstance(a, Repeated):     # convert the stored strings, keep them stored
            return Repeated(_plain(a.stored, key, out), a.shape)
        if is_broadcast(a):     # one string for the whole shape: convert it, keep the view
            return np.broadcast_to(_plain(a.flat[:1], key, out).reshape(()), a.shape)
        return np.array([x if isinstance(x, bytes) else str(x).encode() for x in a.flat],
                        dtype=bytes).reshape(a.shape)
    return a if isinstance(a, Repeated) else np.asanyarray(a)


# -- atomic plumbing ----------------------------------------------------------

def _atomic_file(out: str, write: Callable[[object], int]) -> int:
    folder = os.path.dirname(os.path.abspath(out))
    fd, tmp = temp_file_beside(out)
    try:
        with os.fdopen(fd, "wb") as f:
            n = write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, out)
        fsync_dir(folder)
        return n
    except BaseException as e:
        _unlink(tmp)
        _reraise(e, out)
        raise


def _reraise(e: BaseException, out: str) -> None:
    if isinstance(e, (PbscopeError, KeyboardInterrupt)):
        return
    if isinstance(e, OSError):
        raise PbscopeError(out, f"cannot write it: {e.strerror or e}") from None


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


class _Sink:
    """The output file, as the writers see it: counts bytes for the progress bar (Cancel
    stops a long dump there), and copies a tensor whose bytes lie raw in the model's file
    straight from file to file inside the kernel (copy_file_range): no page faults on
    the memory map, no copy through this process."""

    def __init__(self, f, progress: Progress, total: int, start: float = 0.0):
        self.f, self.progress, self.total, self.start = f, progress, max(total, 1), start
        self.written = 0
        # id(array) → (the array, fd, offset, length); holding the array keeps its id from
        # being reused by another array while the entry lives
        self._spans: dict[int, tuple[np.ndarray, int, int, int]] = {}
        self._fds: dict[str, int] = {}

    def know(self, a: np.ndarray, w: Weight) -> None:
        """``a`` is ``w``'s values: remember where they lie in a file, if they do."""
        span = w.graph.span(w)
        if (span is None or not hasattr(os, "copy_file_range") or span[2] != a.nbytes
                or w.dtype is None or a.dtype != w.dtype.np):   # dequantized: not the file's bytes
            return
        path, offset, length = span
        fd = self._fds.get(path)
        if fd is None:
            try:
                fd = self._fds[path] = os.open(path, os.O_RDONLY)
            except OSError:
                return
        self._spans[id(a)] = (a, fd, offset, length)

    def write(self, data) -> int:
        view = memoryview(data)
        n = view.nbytes
        span = self._spans.pop(id(view.obj), None) if isinstance(data, (pickle.PickleBuffer, np.ndarray)) \
            else None
        if span is None or span[0] is not view.obj or not self._copy(*span[1:]):
            self.f.write(data)
        self.written += n
        self.progress.report(self.start + (1 - self.start) * min(1.0, self.written / self.total))
        return n

    def write_array(self, a: np.ndarray | Repeated) -> None:
        """An array's raw bytes (C order), copied file to file where they allow."""
        if is_broadcast(a) or isinstance(a, Repeated):
            for chunk in flat_chunks(a, WRITE_CHUNK):
                self.write(chunk.view(np.uint8))
            return
        a = np.ascontiguousarray(a)
        raw = a.reshape(-1).view(np.uint8)     # a memoryview refuses some dtypes (bfloat16)
        span = self._spans.pop(id(a), None)
        if span is not None and span[0] is a:  # its file span goes with the bytes write() is given
            self._spans[id(raw)] = (raw, *span[1:])
        self.write(raw)

    def _copy(self, src: int, offset: int, length: int) -> bool:
        self.f.flush()
        dst = self.f.fileno()
        done = 0
        try:
            while done < length:
                n = os.copy_file_range(src, dst, length - done, offset + done)
                if n <= 0:
                    break
                done += n
        except OSError:
            pass
        if done == length:
            return True
        if done:   # a partial kernel copy: undo it, the plain write redoes it all
            os.lseek(dst, -done, os.SEEK_CUR)
            os.ftruncate(dst, os.lseek(dst, 0, os.SEEK_CUR))
        return False

    def close(self) -> None:
        for fd in self._fds.values():
            os.close(fd)
        self._fds.clear()
        self._spans.clear()


# -- formats ------------------------------------------------------------------

def _write_pickle(named, out: str, progress: Progress, dequantize: bool = False, stored: bool = False) -> int:
    def write(f) -> int:
        sink = _Sink(f, progress, sum(w.nbytes for _, w in named), 0.1)
        d = {}
        try:
            for (k, a), (_, w) in zip(_arrays(named, progress, share=0.1, release=False,
                                                       dequantize=dequantize, stored=stored), named):
                d[k] = _whole(a, k, w, out)
                sink.know(a, w)
            pickle.dump(d, sink, protocol=pickle.HIGHEST_PROTOCOL)
        finally:
            sink.close()
        return sum(a.nbytes for a in d.values())
    return _atomic_file(out, write)


def _whole(a: np.ndarray | Repeated, key: str, w: Weight, out: str) -> np.ndarray:
    """A constant that stores fewer values than its shape holds, expanded for a pickle,
    which must hold every value."""
    repeated = isinstance(a, Repeated)
    if not (repeated or is_broadcast(a)):
        return a
    if a.nbytes > MAX_EXPAND_BYTES:
        what = f"{a.stored.size:,} stored values, the last repeated," if repeated else "one stored value repeated"
        raise PbscopeError(out, f"{name_text(key)}: {what} to {count_text(a.size)} elements "
                                f"({bytes_text(a.nbytes)} expanded); a pickle must hold them all, "
                                f"pbscope expands up to {bytes_text(MAX_EXPAND_BYTES)}: export it to "
                                f"npz, npy or safetensors, which stream it")
    return a.expand() if repeated else np.ascontiguousarray(a)


def _write_npz(named, out: str, progress: Progress, dequantize: bool = False, stored: bool = False) -> int:
    def write(f) -> int:
        total = 0
        with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
            for k, a in _arrays(named, progress, dequantize=dequantize, stored=stored):
                with zf.open(k + ".npy", "w", force_zip64=True) as member:
                    write_npy(member, _plain(a, k, out))
                total += a.nbytes
        return total
    return _atomic_file(out, write)


SAFETENSORS_DTYPES = {
    "float16": "F16", "float32": "F32", "float64": "F64", "bfloat16": "BF16",
    "int8": "I8", "int16": "I16", "int32": "I32", "int64": "I64",
    "uint8": "U8", "uint16": "U16", "uint32": "U32", "uint64": "U64", "bool": "BOOL",
    "float8_e5m2": "F8_E5M2", "float8_e4m3fn": "F8_E4M3",
}


def _write_safetensors(named, out: str, progress: Progress, dequantize: bool = False,
                       stored: bool = False) -> int:
    header: dict[str, dict] = {}
    offset = 0
    for k, w in named:
        dt = w.out_dtype(dequantize, stored)     # float32 when dequantized, uint8 when stored, …
        code, nbytes = SAFETENSORS_DTYPES[dt.name], w.size * dt.itemsize
        header[k] = {"dtype": code, "shape": list(w.shape), "data_offsets": [offset, offset + nbytes]}
        offset += nbytes
    blob = json.dumps(header, separators=(",", ":")).encode()
    blob += b" " * (-len(blob) % 8)

    def write(f) -> int:
        f.write(len(blob).to_bytes(8, "little"))
        f.write(blob)
        sink = _Sink(f, progress, offset)
        try:
            for (k, a), (_, w) in zip(_arrays(named, progress, dequantize=dequantize, stored=stored), named):
                sink.know(a, w)
                sink.write_array(a)
        finally:
            sink.close()
        return offset
    return _atomic_file(out, write)


def _write_npy_folder(named, out: str, progress: Progress, dequantize: bool = False,
                      stored: bool = False) -> int:
    if os.path.exists(out) and not os.path.isdir(out):
        raise PbscopeError(out, "exists and is not a folder")
    index, total = {}, 0
    with output_folder(out, force=True) as tmp:    # fsynced and swapped in as a whole
        for i, (k, a) in enumerate(_arrays(named, progress, dequantize=dequantize, stored=stored)):
            fname = f"{i:05d}_{_safe(k)}.npy"
            with open(os.path.join(tmp, fname), "wb") as f:
                write_npy(f, _plain(a, k, out))
            index[k] = fname
            total += a.nbytes
        with open(os.path.join(tmp, "index.json"), "w") as f:
            json.dump(index, f, indent=1)
    return total


def _safe(key: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in key)[:120]


__all__ = ["FORMATS", "KEY_STYLES", "SUFFIXES", "Cancelled", "ExportReport", "default_export_path",
           "export_stem", "export_weights", "format_for", "key_style"]
