"""The HDF5 side of the Keras reader: a read-only h5py file, or the ``model.weights.h5``
member of a ``.keras`` zip read in place, and dataset values read only when asked.

Before any value is read, the dataset's shape and dtype are checked against what was
listed when the file was opened, and its stored bytes against what the shape claims:
nothing is allocated from a size the file merely claims. Uncompressed, contiguous
little-endian datasets (what Keras writes) are viewed in place in the memory-mapped file;
others are read by h5py. (No file span is offered for kernel copies on export: writing
from the hot map measured faster here than copy_file_range, see bench/keras_h5.py.)
"""
from __future__ import annotations

import atexit
import io
import math
import mmap
import os
import shutil
import struct
import tempfile
import weakref
import zipfile

import h5py
import numpy as np

from ..errors import PbscopeError, first_line

# a compressed dataset may expand at most this much (and always to 1 MiB)
MAX_EXPANSION = 1000

# Files h5py reads through a Python file object (a .keras member) must be closed while the
# interpreter lives: HDF5's own exit handler closes them later, calls back into Python and
# crashes the process after it finished (exit code 139).
_OPEN: weakref.WeakSet = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    for source in list(_OPEN):
        source.close()


class H5Source:
    """One HDF5 file of a Keras model, open read-only for the graph's lifetime."""

    def __init__(self, path: str, member: zipfile.ZipInfo | None = None):
        self.path = path               # what errors name: the .h5, or the .keras
        self.map_path: str | None = path
        self.base = 0                  # where the HDF5 bytes start in map_path
        if member is None:
            fileobj = None
        elif member.compress_type == zipfile.ZIP_STORED:
            self.base = _member_offset(path, member)
            fileobj = _Window(path, self.base, member.file_size)
        else:                          # a re-compressed archive: unpack the member to a temp file
            fileobj = _unpacked(path, member)
            self.map_path = None
        self._buf: mmap.mmap | None = None
        self._where: dict[str, tuple[int, int] | None] = {}   # dataset → its bytes in map_path
        try:
            self.file = h5py.File(fileobj if fileobj is not None else path, "r")
        except OSError as e:
            raise PbscopeError(path, f"a truncated or damaged HDF5 file: {first_line(e)}") from None
        _OPEN.add(self)

    def close(self) -> None:
        try:
            self.file.close()
        except Exception:   # already closed, or h5py half torn down
            pass

    def read(self, name: str, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
        where = self._where.get(name)         # located when the file was opened, once checked
        if where is None:
            where = self._in_file(name, self._checked(name, shape, dtype))
        if where is not None and where[0] + where[1] <= len(self._map()):
            return np.frombuffer(self._buf, dtype, math.prod(shape), where[0]).reshape(shape)  # read-only
        ds = self._checked(name, shape, dtype)
        a = np.empty(shape, dtype)
        if a.size:
            ds.read_direct(a)
        a.flags.writeable = False
        return a

    def _checked(self, name: str, shape: tuple[int, ...], dtype: np.dtype) -> h5py.Dataset:
        ds = self.file.get(name)
        if not isinstance(ds, h5py.Dataset):
            raise PbscopeError(self.path, f"{name}: not in the file")
        if ds.shape != tuple(shape) or ds.dtype != dtype:
            raise PbscopeError(self.path, f"{name}: its shape or dtype is not what the file listed")
        problem = stored_problem(ds)
        if problem:
            raise PbscopeError(self.path, f"{name}: {problem}")
        return ds

    def release(self, name: str) -> None:
        """Drop a dataset's pages from this process's RSS (streaming exports)."""
        where = self._in_file(name) if self._buf is not None else None
        if where is not None and hasattr(mmap, "MADV_DONTNEED"):
            page = mmap.PAGESIZE
            a = -(-where[0] // page) * page
            b = min(where[0] + where[1], len(self._buf)) // page * page
            if b > a:
                self._buf.madvise(mmap.MADV_DONTNEED, a, b - a)

    def locate(self, name: str, ds: h5py.Dataset) -> None:
        """Remember where a dataset whose shape, dtype and storage were checked lies."""
        self._in_file(name, ds)

    def _in_file(self, name: str, ds=None) -> tuple[int, int] | None:
        """(offset, length) of a dataset's raw little-endian bytes in map_path, if they lie so."""
        if name in self._where:
            return self._where[name]
        ds = ds if ds is not None else self.file.get(name)
        where = None
        if self.map_path is not None and isinstance(ds, h5py.Dataset) and ds.chunks is None \
                and ds.dtype.byteorder != ">" and ds.dtype.kind in "biuf":
            offset = ds.id.get_offset()
            if offset is not None:
                where = (self.base + offset, ds.size * ds.dtype.itemsize)
        self._where[name] = where
        return where

    def _map(self) -> mmap.mmap:
        if self._buf is None:
            with open(self.map_path, "rb") as f:
                self._buf = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        return self._buf


def stored_problem(ds: h5py.Dataset) -> str | None:
    """Why the values the dataset's shape claims are not all in the file, or None."""
    if ds.dtype.kind not in "biuf":
        return f"its dtype {ds.dtype} is not a tensor's"
    nbytes = math.prod(ds.shape or ()) * ds.dtype.itemsize
    if not nbytes:
        return None
    stored = ds.id.get_storage_size()
    if stored == 0:
        return "the file stores no values for it"
    if ds.chunks is None and stored < nbytes:
        return f"its shape needs {nbytes} bytes, the file holds {stored}"
    if nbytes > MAX_EXPANSION * stored + (1 << 20):
        return f"its shape claims {nbytes} bytes from {stored} stored; refusing to expand it"
    return None


def attr_list(group, name: str) -> list[str] | None:
    """A list of strings Keras keeps in an attribute, or split in ``name0``, ``name1``, …
    when it did not fit one; None when there is no such attribute."""
    attrs = group.attrs
    if name in attrs:
        parts = [attrs[name]]
    elif f"{name}0" in attrs:
        parts, i = [], 0
        while f"{name}{i}" in attrs:
            parts.append(attrs[f"{name}{i}"])
            i += 1
    else:
        return None
    out = []
    for part in parts:
        for v in np.atleast_1d(np.asarray(part)).tolist():
            if isinstance(v, float):    # an empty list is stored as float64[0]
                continue
            out.append(v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v))
    return out


def attr_text(group, name: str) -> str | None:
    v = group.attrs.get(name)
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    return v if isinstance(v, str) else None


def _member_offset(path: str, member: zipfile.ZipInfo) -> int:
    """Where a stored member's bytes start: after its local header, whose name and extra
    field lengths may differ from the central directory's."""
    with open(path, "rb") as f:
        f.seek(member.header_offset)
        head = f.read(30)
        size = os.fstat(f.fileno()).st_size
    if len(head) < 30 or head[:4] != b"PK\x03\x04":
        raise PbscopeError(path, f"{member.filename}: a damaged zip entry (no local header)")
    n_name, n_extra = struct.unpack("<HH", head[26:30])
    start = member.header_offset + 30 + n_name + n_extra
    if start + member.file_size > size:
        raise PbscopeError(path, f"{member.filename}: the zip entry runs past the end of the file")
    return start


def _unpacked(path: str, member: zipfile.ZipInfo):
    """A compressed member copied to an anonymous temp file, at most its declared size."""
    out = tempfile.TemporaryFile()
    with zipfile.ZipFile(path) as z, z.open(member) as src:
        shutil.copyfileobj(src, out, 1 << 20)
    out.seek(0)
    return out


class _Window(io.RawIOBase):
    """A read-only, seekable view of ``size`` bytes at ``offset`` of a file, for h5py."""

    def __init__(self, path: str, offset: int, size: int):
        super().__init__()
        self._f = open(path, "rb", buffering=0)
        self._offset, self._size, self._pos = offset, size, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        n = min(len(b), self._size - self._pos)
        if n <= 0:
            return 0
        self._f.seek(self._offset + self._pos)
        got = self._f.readinto(memoryview(b)[:n]) or 0
        self._pos += got
        return got

    def seek(self, pos: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._pos, 2: self._size}[whence]
        self._pos = max(0, base + pos)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        self._f.close()
        super().close()
