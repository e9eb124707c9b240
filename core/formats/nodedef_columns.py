"""NodeDefs read as columns: names, types, inputs and devices of every node, and where
each Const's value lies in the file, from a few vectorized passes (``vecwire.scan``).

Nothing here builds a Python object per node: 350,000 nodes become one list of names
(decoded in C, ``vecwire.texts``) and numpy arrays.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..limits import MAX_RANK
from ..model import ConstMeta
from ..optable import OpTable
from ..progress import NO_PROGRESS, Progress
from ..proto.vecwire import Fields, Scan, scan, short_codes, texts
from ..proto.wire import LEN, VARINT
from ..tensors import TensorError, dtype_of

NAME, OP, INPUT, DEVICE, ATTR = 1, 2, 3, 4, 5


def _last(f: Scan, number: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(start, end) of each message's last field ``number``; (0, 0), the empty string, if
    none. (A repeated singular field: protobuf keeps the last.) Later rounds overwrite."""
    s = np.zeros(n, np.int64)
    e = np.zeros(n, np.int64)
    for owner, num, wire, start, stop, _ in f.parts:
        keep = (num == number) & (wire == LEN)
        if keep.any():
            s[owner[keep]] = start[keep]
            e[owner[keep]] = stop[keep]
    return s, e


def op_table(a: np.ndarray, buf, starts: np.ndarray, ends: np.ndarray,
             progress: Progress = NO_PROGRESS) -> tuple[OpTable, ConstColumns]:
    """The ops of the NodeDefs at a[starts[i]:ends[i]]. Raises WireError, BadText, and
    Cancelled between its steps."""
    n = len(starts)
    f = scan(a, starts, ends, buf)
    progress.report(0.87, "reading names")
    name_start, name_end = _last(f, NAME, n)
    names = texts(a, name_start, name_end)
    progress.report(0.88, "reading op types and inputs")
    type_start, type_end = _last(f, OP, n)
    types = short_codes(a, type_start, type_end) or texts(a, type_start, type_end)
    dev_start, dev_end = _last(f, DEVICE, n)
    devices = None
    if np.any(dev_end > dev_start):
        devices = short_codes(a, dev_start, dev_end) or texts(a, dev_start, dev_end)
    ins = f.where(INPUT)
    inputs = texts(a, ins.start, ins.end)
    counts = np.bincount(ins.owner, minlength=n)
    progress.report(0.89, "linking inputs")
    table = OpTable(names, types, devices, inputs, counts, np.asarray(starts, np.int64),
                    np.asarray(ends, np.int64))
    nonempty = name_end > name_start
    table._lead = bool(np.any(a[name_start[nonempty]] == ord("/")))
    progress.report(0.9, "locating constants")
    is_const = table.type_code == table.code("Const")
    return table, ConstColumns.find(a, buf, table, f.where(ATTR, among=is_const))


@dataclass
class ConstColumns:
    """dtype, dims and content span of each Const's ``value`` tensor, by op row."""
    rows: np.ndarray          # op rows of the Consts with a readable value, ascending
    dtype: np.ndarray         # int64 TF dtype enum
    unknown: np.ndarray       # bool: unknown rank
    dims_ptr: np.ndarray      # CSR into dims
    dims: np.ndarray          # int64
    content_start: np.ndarray  # -1: the values are in typed *_val fields
    content_end: np.ndarray
    view: memoryview | None = None

    @classmethod
    def find(cls, a: np.ndarray, buf, table: OpTable, attrs: Fields) -> ConstColumns:
        entries = attrs.owner                      # the node of each attr map entry
        e = scan(a, attrs.start, attrs.end, buf)
        key = e.where(1)
        five = key.owner[(key.end - key.start) == 5]
        s5 = key.start[(key.end - key.start) == 5]
        is_value = np.zeros(len(entries), bool)
        if len(s5):
            word = a[s5[:, None] + np.arange(5)]
            is_value[five[(word == np.frombuffer(b"value", np.uint8)).all(axis=1)]] = True
        val = e.where(2)
        val = val.pick(is_value[val.owner])
        vs, ve = _last_of(val)
        node_of_value = entries[val.owner[val.last()]]
        # AttrValue.tensor (field 8) → TensorProto
        av = scan(a, vs, ve, buf).where(8)
        ts, te = _last_of(av)
        node_of_tensor = node_of_value[av.owner[av.last()]]
        t = scan(a, ts, te, buf)
        k = len(ts)
        dtype = np.zeros(k, np.int64)
        dt = t.where(1, VARINT)
        dtype[dt.owner] = dt.value.astype(np.int64)
        content_start = np.full(k, -1, np.int64)
        content_end = np.full(k, -1, np.int64)
        c = t.where(4)
        c = c.pick(c.end > c.start)
        content_start[c.owner] = c.start
        content_end[c.owner] = c.end
        shape = t.where(2)
        ss, se = _last_of(shape)
        tensor_of_shape = shape.owner[shape.last()]
        sf = scan(a, ss, se, buf)
        unknown = np.zeros(k, bool)
        u = sf.where(3, VARINT)
        unknown[tensor_of_shape[u.owner]] = u.value != 0
        dim = sf.where(2)
        d = scan(a, dim.start, dim.end, buf)
        size = np.zeros(len(dim), np.int64)
        sz = d.where(1, VARINT)
        size[sz.owner] = sz.value.view(np.int64)
        tensor_of_dim = tensor_of_shape[dim.owner]
        dims_ptr = np.zeros(k + 1, np.int64)
        np.cumsum(np.bincount(tensor_of_dim, minlength=k), out=dims_ptr[1:])
        # attrs come grouped by node, so tensors (and their dims) are in op-row order
        return cls(node_of_tensor, dtype, unknown, dims_ptr, size, content_start, content_end,
                   memoryview(buf))

    def position(self, row: int) -> int:
        i = int(np.searchsorted(self.rows, row))
        return i if i < len(self.rows) and self.rows[i] == row else -1

    def get(self, row: int) -> ConstMeta | None:
        i = self.position(row)
        if i < 0:
            return None
        s, e = int(self.content_start[i]), int(self.content_end[i])
        dims = tuple(self.dims[self.dims_ptr[i]:self.dims_ptr[i + 1]].tolist())
        content = self.view[s:e] if s >= 0 and self.view is not None else None
        return ConstMeta(int(self.dtype[i]), dims, bool(self.unknown[i]), content, max(s, 0))

    def __contains__(self, row: int) -> bool:
        return self.position(row) >= 0

    def __len__(self) -> int:
        return len(self.rows)

    def ranks(self) -> np.ndarray:
        return np.diff(self.dims_ptr)

    def sizes_and_bytes(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(element count, bytes, readable) of the Consts at these op rows, as their
        Weights will have them: 0 and not readable for a value that Weight reports as an
        error (unknown dims or rank, no value, a dtype that holds no numbers)."""
        pos = np.searchsorted(self.rows, rows)
        pos = np.minimum(pos, max(len(self.rows) - 1, 0))
        found = (self.rows[pos] == rows) if len(self.rows) else np.zeros(len(rows), bool)
        sizes = np.where(found, self.sizes()[pos] if len(self.rows) else 0, 0)
        item = np.zeros(256, np.int64)
        valid = np.zeros(256, bool)
        for code in range(256):
            try:
                dt = dtype_of(code)
            except TensorError:
                continue
            valid[code] = True
            item[code] = 0 if dt.np.kind == "O" else dt.np.itemsize
        dt = self.dtype[pos] if len(self.rows) else np.zeros(len(rows), np.int64)
        dt = np.where((dt >= 0) & (dt < 256), dt, 0)
        ok = found & valid[dt] & ~(self.unknown[pos] if len(self.rows) else False) & (sizes >= 0)
        sizes = np.where(ok, sizes, 0)
        return sizes, sizes * item[dt], ok

    def sizes(self) -> np.ndarray:
        """Element counts (-1 where a dim is unknown or the shape is past the limits)."""
        k = len(self.rows)
        out = np.ones(k, np.float64)
        bad = np.diff(self.dims_ptr) > MAX_RANK
        if len(self.dims):
            owner = np.repeat(np.arange(k), np.diff(self.dims_ptr))
            d = self.dims
            bad[owner[d < 0]] = True
            np.multiply.at(out, owner, np.maximum(d, 0).astype(np.float64))
        bad |= out > 2.0 ** 53
        return np.where(bad, -1, out).astype(np.int64)


def _last_of(f: Fields) -> tuple[np.ndarray, np.ndarray]:
    m = f.last()
    return f.start[m], f.end[m]
