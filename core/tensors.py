"""TensorProto → numpy: every dtype TF stores in Consts, lazily and zero-copy where possible.

``tensor_content`` is viewed with ``numpy.frombuffer``; a caller that knows where
those bytes sit in the file (see formats/graphdef.py) passes them as ``content`` so
that the array is a view of the file, not a copy. Typed ``*_val`` fields follow
TensorFlow's rule: fewer stored values than the shape holds means the last value
repeats. One value (or none: zeros) for a whole shape, the common case, becomes a
read-only "broadcast" view with all strides 0: a 2 GB constant stored in 91 bytes costs
no memory. Several values for a shape past 1 MiB become a ``Repeated``: the stored values
and the shape, never expanded unless asked. Statistics (stats.py) read either by its
stored values and their counts, ``flat_chunks`` streams either for exports (export.py).
Shapes are checked against core/limits.py first.
"""
from __future__ import annotations

import math
import operator
from dataclasses import dataclass

import ml_dtypes
import numpy as np

from .limits import (
    MAX_BROADCAST_BYTES,
    MAX_EXPAND_BYTES,
    TensorError,
    bytes_text,
    check_data,
    check_shape,
    count_text,
    shape_text,
)
from .proto import dtype_name

# Several stored values followed by repeats of the last cannot be a strided view: up to
# this size expanded, such a tensor is simply expanded; past it, kept as a Repeated.
REPEATED_MIN_BYTES = 1 << 20


@dataclass(frozen=True, slots=True)
class DType:
    number: int
    name: str          # numpy's name ('float32', 'bfloat16', 'quint8' shows as 'uint8')
    np: np.dtype
    field: str         # the typed *_val field that holds values when tensor_content is empty
    quantized: bool = False

    @property
    def tf_name(self) -> str:
        return dtype_name(self.number)

    @property
    def is_float(self) -> bool:
        return self.np.kind in "fc" or self.np in _ML_FLOATS


_ML_FLOATS = {np.dtype(t) for t in (ml_dtypes.bfloat16, ml_dtypes.float8_e5m2, ml_dtypes.float8_e4m3fn,
                                    ml_dtypes.float8_e4m3fnuz, ml_dtypes.float8_e4m3b11fnuz,
                                    ml_dtypes.float8_e5m2fnuz, ml_dtypes.float4_e2m1fn)}


def _dt(number, np_type, field, quantized=False):
    d = np.dtype(np_type)
    return DType(number, d.name, d, field, quantized)


DTYPES: dict[int, DType] = {d.number: d for d in (
    _dt(1, np.float32, "float_val"),
    _dt(2, np.float64, "double_val"),
    _dt(3, np.int32, "int_val"),
    _dt(4, np.uint8, "int_val"),
    _dt(5, np.int16, "int_val"),
    _dt(6, np.int8, "int_val"),
    _dt(7, np.object_, "string_val"),
    _dt(8, np.complex64, "scomplex_val"),
    _dt(9, np.int64, "int64_val"),
    _dt(10, np.bool_, "bool_val"),
    _dt(11, np.int8, "int_val", quantized=True),     # qint8
    _dt(12, np.uint8, "int_val", quantized=True),    # quint8
    _dt(13, np.int32, "int_val", quantized=True),    # qint32
    _dt(14, ml_dtypes.bfloat16, "half_val"),
    _dt(15, np.int16, "int_val", quantized=True),    # qint16
    _dt(16, np.uint16, "int_val", quantized=True),   # quint16
    _dt(17, np.uint16, "int_val"),
    _dt(18, np.complex128, "dcomplex_val"),
    _dt(19, np.float16, "half_val"),
    _dt(22, np.uint32, "uint32_val"),
    _dt(23, np.uint64, "uint64_val"),
    _dt(24, ml_dtypes.float8_e5m2, "float8_val"),
    _dt(25, ml_dtypes.float8_e4m3fn, "float8_val"),
    _dt(26, ml_dtypes.float8_e4m3fnuz, "float8_val"),
    _dt(27, ml_dtypes.float8_e4m3b11fnuz, "float8_val"),
    _dt(28, ml_dtypes.float8_e5m2fnuz, "float8_val"),
    _dt(29, ml_dtypes.int4, "int_val"),
    _dt(30, ml_dtypes.uint4, "int_val"),
    _dt(31, ml_dtypes.int2, "int_val"),
    _dt(32, ml_dtypes.uint2, "int_val"),
)}


def dtype_of(number: int) -> DType:
    """The DType for a TF DataType number (``*_REF`` types read as their base)."""
    base = number - 100 if number > 100 else number
    found = DTYPES.get(base)
    if found is None:
        if base in (20, 21):
            raise TensorError(f"dtype {dtype_name(base)} holds handles, not values")
        raise TensorError(f"unknown dtype number {number}")
    return found


_BY_NUMPY = {}
for _d in DTYPES.values():
    if not _d.quantized:
        _BY_NUMPY.setdefault(_d.np, _d)


def dtype_for_numpy(dt: np.dtype) -> DType:
    """The DType for a numpy dtype (strings of any width map to TF's string)."""
    if dt.kind in "OSU":
        return DTYPES[7]
    found = _BY_NUMPY.get(np.dtype(dt).newbyteorder("=")) if dt.byteorder not in "=|" else _BY_NUMPY.get(dt)
    if found is None:
        raise TensorError(f"dtype {dt} has no TensorFlow counterpart")
    return found


def shape_of(shape_proto) -> tuple[int, ...]:
    if shape_proto.unknown_rank:
        raise TensorError("the shape has unknown rank")
    dims = tuple(d.size for d in shape_proto.dim)
    if -1 in dims:
        raise TensorError(f"the shape {shape_text(dims)} has an unknown dimension")
    check_shape(dims)
    return dims


@dataclass(frozen=True, slots=True)
class TensorMeta:
    dtype: DType
    shape: tuple[int, ...]

    def __post_init__(self):
        check_shape(self.shape, self.dtype.np.itemsize)

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    @property
    def nbytes(self) -> int:
        return self.size * self.dtype.np.itemsize


def meta(tensor) -> TensorMeta:
    return TensorMeta(dtype_of(tensor.dtype), shape_of(tensor.tensor_shape))


def decode(tensor, content=None) -> np.ndarray | Repeated:
    """The tensor's values as a read-only numpy array (or a Repeated, see above).

    ``content`` stands in for ``tensor.tensor_content`` when the caller holds those
    bytes already (a view of the file): the result is then a view, not a copy.
    """
    m = meta(tensor)
    dt, shape, count = m.dtype, m.shape, m.size
    if content is None and dt.field != "string_val":
        content = tensor.tensor_content
    if content is not None and len(content):
        return from_content(m, content)
    return _from_typed_values(tensor, dt, shape, count)


def from_content(m: TensorMeta, content) -> np.ndarray:
    """A read-only array over ``content`` (tensor_content bytes), without copying them."""
    dt, shape, count = m.dtype, m.shape, m.size
    itemsize = dt.np.itemsize
    if dt.field == "string_val":
        raise TensorError("a string tensor stores its values in string_val, not tensor_content")
    check_data(shape, itemsize, len(content))
    out = np.frombuffer(content, dtype=dt.np, count=count).reshape(shape)
    out.flags.writeable = False
    return out


def _from_typed_values(tensor, dt: DType, shape, count: int) -> np.ndarray | Repeated:
    values = getattr(tensor, dt.field)
    if dt.field == "half_val":        # float16 / bfloat16 bit patterns in int32s
        stored = np.array(values, dtype=np.uint16).view(dt.np)
    elif dt.field == "float8_val":    # one byte per element, in a bytes field
        stored = np.frombuffer(values, dtype=dt.np)
    elif dt.field in ("scomplex_val", "dcomplex_val"):  # (real, imag) pairs
        base = np.float32 if dt.field == "scomplex_val" else np.float64
        flat = np.array(values, dtype=base)
        if flat.size % 2:
            raise TensorError(f"a complex tensor stores an odd number ({flat.size}) of parts")
        stored = flat.view(dt.np)
    elif dt.field == "string_val":
        stored = np.empty(len(values), dtype=object)
        stored[:] = list(values)
    else:
        try:
            stored = np.array(values, dtype=dt.np)
        except OverflowError as err:
            raise TensorError(f"a stored value does not fit {dt.name}: {err}") from None
    n = stored.size
    if n == count:
        out = stored.reshape(shape)
    elif n > count:
        raise TensorError(f"the shape {shape_text(shape)} has {count_text(count)} elements, "
                          f"but the tensor stores {n:,} values")
    elif count * dt.np.itemsize > MAX_BROADCAST_BYTES:
        raise TensorError(f"the shape {shape_text(shape)} claims {count_text(count)} elements "
                          f"({bytes_text(count * dt.np.itemsize)}) from {n:,} stored values; refusing to expand "
                          f"it past {bytes_text(MAX_BROADCAST_BYTES)}")
    elif n <= 1:    # one value (or none: zeros) for the whole shape, viewed, never expanded
        one = stored[:1] if n else np.zeros(1, dtype=dt.np)
        if dt.field == "string_val" and not n:
            one[0] = b""
        out = np.broadcast_to(one.reshape(()), shape)
    elif count * max(dt.np.itemsize, 1) > REPEATED_MIN_BYTES:
        stored.flags.writeable = False
        return Repeated(stored, shape)
    else:
        out = np.empty(count, dtype=dt.np)
        out[:n] = stored
        out[n:] = stored[-1]
        out = out.reshape(shape)
    out.flags.writeable = False
    return out


def is_broadcast(a: np.ndarray) -> bool:
    """Whether ``a`` repeats one value through a view with all strides 0 (see above)."""
    return isinstance(a, np.ndarray) and a.size > 1 and a.ndim > 0 and not any(a.strides)


class Repeated:
    """A constant that stores n values for a larger shape, TensorFlow repeating the last:
    the stored values (1-D, read-only) and the shape, never expanded unless asked.

    It answers what the viewers and writers ask of an array: ``shape``, ``dtype``, ``size``,
    ``nbytes``; ``values_and_counts()`` for statistics; ``reshape`` (the same values);
    ``r[index]`` with ints and slices expands only the sub-array asked (a heat-map slice,
    a table row, a chunk); ``elements(start, stop)`` a run in C order; ``expand(limit)``
    the whole array, which ``np.asarray`` also gives, up to MAX_EXPAND_BYTES. It is not an
    ndarray, so a consumer that knows nothing of it fails loudly, never reads wrong values.
    """
    __slots__ = ("stored", "shape", "dtype")

    def __init__(self, stored: np.ndarray, shape):
        self.stored, self.shape, self.dtype = stored, tuple(shape), stored.dtype

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def itemsize(self) -> int:
        return self.dtype.itemsize

    @property
    def nbytes(self) -> int:
        return self.size * self.itemsize

    def __repr__(self) -> str:
        return f"Repeated({self.stored.size:,} stored values, shape {shape_text(self.shape)}, {self.dtype})"

    def values_and_counts(self) -> tuple[np.ndarray, np.ndarray]:
        """The stored values, and how many elements each stands for (the last: all the rest)."""
        counts = np.ones(self.stored.size, dtype=np.int64)
        counts[-1] = self.size - self.stored.size + 1
        return self.stored, counts

    def astype(self, dtype) -> Repeated:
        return Repeated(self.stored.astype(dtype), self.shape)

    def reshape(self, *shape) -> Repeated:
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        # numpy checks the shape and resolves a -1, on a view of no memory
        return Repeated(self.stored, np.broadcast_to(np.empty((), np.int8), self.shape).reshape(shape).shape)

    def elements(self, start: int, stop: int) -> np.ndarray:
        """Elements ``start`` to ``stop`` - 1 in C order, as a new array."""
        out = np.empty(max(0, stop - start), dtype=self.dtype)
        k = min(max(0, self.stored.size - 1 - start), out.size)   # of them stored before the last
        out[:k] = self.stored[start:start + k]
        out[k:] = self.stored[-1]
        return out

    def __getitem__(self, key):
        """Basic indexing (ints and slices): only the selected elements are made."""
        key = key if isinstance(key, tuple) else (key,)
        if len(key) > self.ndim:
            raise IndexError(f"too many indices: {len(key)} for a {self.ndim}-D array")
        key += (slice(None),) * (self.ndim - len(key))
        base, axes = 0, []
        stride = self.size
        for k, dim in zip(key, self.shape):
            stride //= max(dim, 1)
            if isinstance(k, slice):
                axes.append(np.arange(*k.indices(dim), dtype=np.int64) * stride)
                continue
            i = operator.index(k)
            if not -dim <= i < dim:
                raise IndexError(f"index {i} is out of bounds for an axis of size {dim}")
            base += (i % dim) * stride
        count = math.prod(len(a) for a in axes)
        if count * max(self.itemsize, 8) > MAX_EXPAND_BYTES:
            raise TensorError(f"a selection of {count_text(count)} elements of a repeated constant; "
                              f"pbscope expands at most {bytes_text(MAX_EXPAND_BYTES)}")
        positions = base + sum(np.ix_(*axes)) if axes else np.int64(base)
        # every position past the stored values reads the last one
        return self.stored[np.minimum(positions, self.stored.size - 1)]

    def expand(self, limit: int = MAX_EXPAND_BYTES) -> np.ndarray:
        """The whole array, read-only; TensorError when it takes more than ``limit`` bytes."""
        if self.nbytes > limit:
            raise TensorError(f"{self.stored.size:,} stored values, the last repeated, to "
                              f"{count_text(self.size)} elements ({bytes_text(self.nbytes)} expanded); "
                              f"pbscope expands at most {bytes_text(limit)}")
        out = self.elements(0, self.size).reshape(self.shape)
        out.flags.writeable = False
        return out

    def __array__(self, dtype=None, copy=None):
        if copy is False:
            raise ValueError("a repeated constant has no array to view: it must be expanded")
        a = self.expand()
        return a if dtype is None else a.astype(dtype)


def flat_chunks(a, chunk_bytes: int = 1 << 20):
    """``a``'s values in C order as contiguous 1-D arrays of about ``chunk_bytes`` each,
    without ever holding a broadcast array or a Repeated expanded."""
    step = max(1, chunk_bytes // max(a.itemsize, 1))
    if isinstance(a, Repeated):
        for i in range(0, a.size, step):
            yield a.elements(i, min(i + step, a.size))
        return
    if is_broadcast(a):
        block = np.full(min(step, a.size), a.flat[0], dtype=a.dtype)
        for i in range(0, a.size, step):
            yield block[:min(step, a.size - i)]
        return
    flat = np.ascontiguousarray(a).reshape(-1)
    for i in range(0, flat.size, step):
        yield flat[i:i + step]
