"""TensorFlow's checkpoint format (TensorBundle, "V2"), read without TensorFlow.

A checkpoint ``prefix`` is ``prefix.index``, an SSTable (LevelDB's table format) that maps
each tensor's name to a BundleEntryProto (dtype, shape, shard, offset, size), and
``prefix.data-NNNNN-of-MMMMM`` shards holding the raw little-endian bytes. Listing a
checkpoint reads only the index; a tensor's values are a numpy view of the memory-mapped
shard. Tensors this reader does not decode itself (strings, partitioned variables) and
"V1" checkpoints are read through TensorFlow's CheckpointReader, imported only then.
"""
from __future__ import annotations

import mmap
import os
import struct
from dataclasses import dataclass

import numpy as np

from .. import proto
from ..errors import PbscopeError
from ..limits import name_text
from ..proto.wire import WireError, read_varint
from ..tensors import TensorError, TensorMeta, dtype_of, from_content
from ..tfimport import import_tensorflow

MAGIC = 0xDB4775248B80FB57
FOOTER = 48


@dataclass(frozen=True, slots=True)
class Entry:
    key: str
    dtype: int
    shape: tuple[int, ...]
    shard: int
    offset: int
    size: int
    sliced: bool

    def meta(self) -> TensorMeta:
        return TensorMeta(dtype_of(self.dtype), self.shape)


class BundleReader:
    """The tensors of the checkpoint at ``prefix`` (without its extension)."""

    def __init__(self, prefix: str, index_path: str | None = None):
        self.prefix = prefix
        self.index_path = index_path or prefix + ".index"
        self.num_shards = 1
        self.entries: dict[str, Entry] = {}
        self._maps: dict[int, mmap.mmap] = {}
        self._tf_reader = None
        self.v1 = False
        self._read_index()

    # -- the index ------------------------------------------------------------
    def _read_index(self) -> None:
        path = self.index_path
        try:
            with open(path, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            raise PbscopeError(path, "missing: the checkpoint's .index file is not there") from None
        except OSError as e:
            raise PbscopeError(path, f"cannot read it: {e.strerror or e}") from None
        try:
            records = list(_table_records(data))
        except (WireError, IndexError, ValueError, struct.error) as e:
            raise PbscopeError(path, f"corrupt checkpoint index: {e}") from None
        if not records:
            raise PbscopeError(path, "corrupt checkpoint index: it lists no tensors")
        header = dict(records).get(b"")
        if header is None or header[:1] == b"\x0a" or not path.endswith(".index"):
            # a "V1" checkpoint: a table of SavedTensorSlices, the data inline; TF reads those
            self._v1_entries()
            return
        try:
            h = proto.BundleHeaderProto.FromString(header)
        except Exception:
            raise PbscopeError(path, "corrupt checkpoint index: unreadable header") from None
        self.num_shards = max(1, h.num_shards)
        if h.endianness != 0:
            raise PbscopeError(path, "a big-endian checkpoint; pbscope reads little-endian ones")
        for key, value in records:
            if key == b"" or key[:1] == b"\x00":
                # b"": the header; b"\x00"…: one slice of a partitioned variable, whose full
                # entry (listing its slices) comes under the variable's own name
                continue
            try:
                e = proto.BundleEntryProto.FromString(value)
                name = key.decode("utf-8")
            except Exception:
                raise PbscopeError(path, f"corrupt checkpoint index entry {key[:60]!r}") from None
            shape = tuple(d.size for d in e.shape.dim)
            self.entries[name] = Entry(name, e.dtype, shape, e.shard_id, e.offset, e.size, len(e.slices) > 0)

    def _v1_entries(self) -> None:
        self.v1 = True
        reader = self._tf()
        shapes = reader.get_variable_to_shape_map()
        dtypes = reader.get_variable_to_dtype_map()
        for name in sorted(shapes):
            self.entries[name] = Entry(name, dtypes[name].as_datatype_enum, tuple(shapes[name]),
                                       0, 0, 0, sliced=True)

    def shard_path(self, shard: int) -> str:
        return f"{self.prefix}.data-{shard:05d}-of-{self.num_shards:05d}"

    def missing_shards(self) -> list[str]:
        needed = {e.shard for e in self.entries.values() if not e.sliced}
        return [self.shard_path(s) for s in sorted(needed) if not os.path.exists(self.shard_path(s))]

    # -- values ---------------------------------------------------------------
    def meta(self, key: str) -> TensorMeta:
        e = self.entries[key]
        return TensorMeta(dtype_of(e.dtype), e.shape)

    def read(self, key: str) -> np.ndarray:
        e = self.entries[key]
        try:
            meta = e.meta()
        except TensorError as err:
            raise PbscopeError(self.index_path, f"{name_text(key)}: {err}") from None
        if e.sliced:
            return self._read_with_tf(key)
        path = self.shard_path(e.shard)
        if e.offset < 0 or e.size < 0:
            raise PbscopeError(self.index_path, f"{name_text(key)}: a negative offset or size "
                                                f"({e.offset:,}+{e.size:,})")
        buf = self._map(e.shard)
        if e.offset + e.size > len(buf):
            raise PbscopeError(path, f"{name_text(key)}: the data file is shorter than the index says "
                                     f"({len(buf):,} bytes, tensor at {e.offset:,}+{e.size:,})")
        data = memoryview(buf)[e.offset:e.offset + e.size]
        try:
            if meta.dtype.field == "string_val":
                return _strings(data, meta)
            return from_content(meta, data)
        except (TensorError, WireError) as err:
            raise PbscopeError(path, f"{name_text(key)}: {err}") from None

    def span(self, key: str) -> tuple[str, int, int] | None:
        """(shard file, offset, length) of a numeric tensor's raw bytes."""
        e = self.entries.get(key)
        if e is None or e.sliced or self.v1 or e.dtype % 100 == 7:
            return None
        return self.shard_path(e.shard), e.offset, e.size

    def release(self, key: str) -> None:
        """Drop the pages of ``key``'s bytes from this process's RSS (streaming exports)."""
        e = self.entries.get(key)
        buf = self._maps.get(e.shard) if e else None
        if buf is not None and hasattr(mmap, "MADV_DONTNEED") and e.size:
            page = mmap.PAGESIZE
            a = -(-e.offset // page) * page
            b = (e.offset + e.size) // page * page
            if b > a:
                buf.madvise(mmap.MADV_DONTNEED, a, b - a)

    def _map(self, shard: int) -> mmap.mmap:
        buf = self._maps.get(shard)
        if buf is None:
            path = self.shard_path(shard)
            try:
                with open(path, "rb") as f:
                    size = os.fstat(f.fileno()).st_size
                    buf = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
            except FileNotFoundError:
                raise PbscopeError(path, "missing: the checkpoint's data file is not there") from None
            except OSError as e:
                raise PbscopeError(path, f"cannot read it: {e.strerror or e}") from None
            self._maps[shard] = buf
        return buf

    def _tf(self):
        if self._tf_reader is None:
            import_tensorflow("reading this (V1) checkpoint")    # lazily: 2 s, only here
            from tensorflow.python.training import py_checkpoint_reader
            try:
                self._tf_reader = py_checkpoint_reader.NewCheckpointReader(
                    self.index_path if self.v1 else self.prefix)
            except Exception as e:   # TF raises its own error types
                raise PbscopeError(self.prefix, f"TensorFlow cannot read this checkpoint: "
                                                f"{str(e).splitlines()[0] if str(e) else type(e).__name__}") from None
        return self._tf_reader

    def _read_with_tf(self, key: str) -> np.ndarray:
        a = np.asarray(self._tf().get_tensor(key))
        a.flags.writeable = False
        return a


def _strings(data: memoryview, meta: TensorMeta) -> np.ndarray:
    """A string tensor's bytes: every length as a varint, a 4-byte checksum, then the bytes."""
    n = meta.size
    if n > len(data):   # each string takes at least its one-byte length
        raise TensorError(f"{n:,} strings cannot fit in {len(data):,} bytes")
    pos, lengths = 0, []
    for _ in range(n):
        length, pos = read_varint(data, pos, len(data))
        lengths.append(length)
    pos += 4
    out = np.empty(n, dtype=object)
    for i, length in enumerate(lengths):
        if pos + length > len(data):
            raise TensorError("string data shorter than its lengths say")
        out[i] = bytes(data[pos:pos + length])
        pos += length
    out = out.reshape(meta.shape)
    out.flags.writeable = False
    return out


def snappy_decompress(data: bytes) -> bytes:
    """Snappy's raw format (TF compresses some index blocks with it); blocks are small."""
    n, pos = read_varint(data, 0, len(data))
    out = bytearray()
    end = len(data)
    while pos < end:
        tag = data[pos]
        pos += 1
        kind = tag & 3
        if kind == 0:                       # literal
            length = tag >> 2
            if length >= 60:
                extra = length - 59
                length = int.from_bytes(data[pos:pos + extra], "little")
                pos += extra
            length += 1
            out += data[pos:pos + length]
            pos += length
            continue
        if kind == 1:                       # copy, 1-byte offset
            length = 4 + ((tag >> 2) & 7)
            offset = ((tag >> 5) << 8) | data[pos]
            pos += 1
        elif kind == 2:                     # copy, 2-byte offset
            length = 1 + (tag >> 2)
            offset = int.from_bytes(data[pos:pos + 2], "little")
            pos += 2
        else:                               # copy, 4-byte offset
            length = 1 + (tag >> 2)
            offset = int.from_bytes(data[pos:pos + 4], "little")
            pos += 4
        if offset == 0 or offset > len(out):
            raise ValueError("corrupt snappy data")
        for _ in range(length):             # copies may overlap their own output
            out.append(out[-offset])
    if len(out) != n:
        raise ValueError("corrupt snappy data: wrong length")
    return bytes(out)


def _table_records(data: bytes):
    """(key, value) of every entry in an SSTable (LevelDB table format, uncompressed)."""
    if len(data) < FOOTER:
        raise ValueError(f"the file is {len(data)} bytes, shorter than a table footer")
    footer = data[-FOOTER:]
    if struct.unpack("<Q", footer[-8:])[0] != MAGIC:
        raise ValueError("no table magic number at the end")
    pos = 0
    _, pos = read_varint(footer, pos, FOOTER)       # metaindex handle (unused)
    _, pos = read_varint(footer, pos, FOOTER)
    index_offset, pos = read_varint(footer, pos, FOOTER)
    index_size, pos = read_varint(footer, pos, FOOTER)
    for _, handle in _block_entries(data, index_offset, index_size):
        p = 0
        offset, p = read_varint(handle, p, len(handle))
        size, p = read_varint(handle, p, len(handle))
        yield from _block_entries(data, offset, size)


def _block_entries(data: bytes, offset: int, size: int):
    if offset + size + 5 > len(data):
        raise ValueError(f"a block at {offset:,}+{size:,} runs past the end of the file")
    kind = data[offset + size]
    block = data[offset:offset + size]
    if kind == 1:
        block = snappy_decompress(block)
        size = len(block)
    elif kind != 0:
        raise ValueError(f"a block compressed with an unknown method ({kind})")
    if size < 4:
        raise ValueError("a block too short for its restart count")
    restarts = struct.unpack("<I", block[-4:])[0]
    end = size - 4 - 4 * restarts
    if end < 0:
        raise ValueError("a block with a bad restart count")
    pos, key = 0, b""
    while pos < end:
        shared, pos = read_varint(block, pos, end)
        non_shared, pos = read_varint(block, pos, end)
        value_len, pos = read_varint(block, pos, end)
        if shared > len(key) or pos + non_shared + value_len > end:
            raise ValueError(f"a block entry at {offset + pos:,} runs past its block")
        key = key[:shared] + block[pos:pos + non_shared]
        pos += non_shared
        yield key, block[pos:pos + value_len]
        pos += value_len
