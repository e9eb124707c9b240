"""TensorProto → numpy: every dtype TF stores in Consts, lazily and zero-copy where possible.

``tensor_content`` is viewed with ``numpy.frombuffer``; a caller that knows where
those bytes sit in the file (see formats/graphdef.py) passes them as ``content`` so
that the array is a view of the file, not a copy. Typed ``*_val`` fields follow
TensorFlow's rule: fewer stored values than the shape holds means the last value
repeats. One value (or none: zeros) for a whole shape, the common case, becomes a
read-only "broadcast" view with all strides 0: a 2 GB constant stored in 91 bytes costs
no memory; statistics (stats.py) and exports (export.py) read it by its one value, and
``flat_chunks`` streams it. Shapes are checked against core/limits.py first.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import ml_dtypes
import numpy as np

from .limits import (
    MAX_BROADCAST_BYTES,
    TensorError,
    bytes_text,
    check_data,
    check_shape,
    count_text,
    shape_text,
)
from .proto import dtype_name

# Several stored values followed by repeats of the last cannot be a strided view:
# such a tensor is expanded, up to this size (TensorFlow itself never writes one).
MAX_EXPANDED_BYTES = 64 << 20


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


def decode(tensor, content=None) -> np.ndarray:
    """The tensor's values as a read-only numpy array.

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


def _from_typed_values(tensor, dt: DType, shape, count: int) -> np.ndarray:
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
    else:
        need = count * max(dt.np.itemsize, 1)
        if need > MAX_EXPANDED_BYTES:
            raise TensorError(f"the shape {shape_text(shape)} claims {count_text(count)} elements "
                              f"({bytes_text(need)}) from {n:,} stored values, the last one repeated; "
                              f"refusing to expand it past {bytes_text(MAX_EXPANDED_BYTES)}")
        out = np.empty(count, dtype=dt.np)
        out[:n] = stored
        out[n:] = stored[-1]
        out = out.reshape(shape)
    out.flags.writeable = False
    return out


def is_broadcast(a: np.ndarray) -> bool:
    """Whether ``a`` repeats one value through a view with all strides 0 (see above)."""
    return a.size > 1 and a.ndim > 0 and not any(a.strides)


def flat_chunks(a: np.ndarray, chunk_bytes: int = 1 << 20):
    """``a``'s values in C order as contiguous 1-D arrays of about ``chunk_bytes`` each,
    without ever holding a broadcast array expanded."""
    step = max(1, chunk_bytes // max(a.itemsize, 1))
    if is_broadcast(a):
        block = np.full(min(step, a.size), a.flat[0], dtype=a.dtype)
        for i in range(0, a.size, step):
            yield block[:min(step, a.size - i)]
        return
    flat = np.ascontiguousarray(a).reshape(-1)
    for i in range(0, flat.size, step):
        yield flat[i:i + step]
