"""What a tensor read from a file may claim, checked before anything is allocated.

Every reader calls these on a tensor's dtype size, shape and stored bytes before numpy
sees them; each raises ``TensorError`` (a ValueError) whose text is the cause, for the
reader to prefix with the file and the tensor. The formatters at the end never raise,
whatever the value, so a one-line message can always be written.

The limits:

- rank at most ``MAX_RANK`` = 32: numpy's arrays hold 64 dimensions, but some of its
  paths (``np.array`` of objects, ``nditer``, ufunc loops over strings) stop at 32;
  TensorFlow's own kernels stop at 8 for most ops, so no real model comes close;
- every dimension a whole number >= 0 (TensorFlow writes -1 only for unknown sizes,
  which a stored tensor cannot have);
- the byte size (elements × item size) below ``MAX_TENSOR_BYTES`` = 2**62, so that
  numpy's index arithmetic (int64) never overflows; readers then compare it with the
  bytes the file really holds;
- a constant that stores fewer values than its shape holds (TensorFlow repeats the last)
  at most ``MAX_BROADCAST_BYTES`` = 4 GiB expanded: it is browsed and streamed without
  being expanded, but TensorFlow expands it to run the graph, and no frozen graph (2 GiB
  at most, protobuf's limit) holds a tensor that large; more would only make an export
  write gigabytes that the file never held;
- such a constant expanded whole, for what needs every value at once (a pickle, a
  value TensorFlow is fed in restore or unfreeze), at most ``MAX_EXPAND_BYTES`` = 256 MiB;
- names an export format must hold: an .npz member name (the key plus ".npy") is at
  most 65,535 bytes of UTF-8 (the zip format's 16-bit length field).
"""
from __future__ import annotations

from decimal import Decimal


class TensorError(ValueError):
    """A tensor that cannot be decoded; the message is the cause, for one line."""


MAX_RANK = 32
MAX_TENSOR_BYTES = 1 << 62
ZIP_NAME_MAX = 0xFFFF           # bytes of UTF-8 in a zip member name
NPZ_KEY_MAX = ZIP_NAME_MAX - len(".npy")
MAX_EXPAND_BYTES = 256 << 20
MAX_BROADCAST_BYTES = 4 << 30


def check_shape(shape, itemsize: int = 1) -> int:
    """The element count of ``shape`` (a sequence of ints), after checking the rank, the
    dims and the byte size against the limits above. Raises TensorError."""
    if len(shape) > MAX_RANK:
        raise TensorError(f"the shape has {len(shape):,} dimensions; pbscope reads at most {MAX_RANK}")
    count = span = 1    # span: the product of the dims but zeros, which numpy checks too
    for d in shape:
        if not isinstance(d, int) or isinstance(d, bool):
            raise TensorError(f"the shape {shape_text(shape)} has a dimension that is not a whole number")
        if d < 0:
            raise TensorError(f"the shape {shape_text(shape)} has a negative dimension ({d})")
        count *= d
        span *= max(d, 1)
    if span * max(itemsize, 1) >= MAX_TENSOR_BYTES:
        raise TensorError(f"the shape {shape_text(shape)} spans {count_text(span)} elements "
                          f"({bytes_text(span * max(itemsize, 1))}), more than any file can hold")
    return count


def check_data(shape, itemsize: int, present: int) -> int:
    """The element count of ``shape``, checked as above and against ``present``, the bytes
    the file really holds for it. Raises TensorError."""
    count = check_shape(shape, itemsize)
    need = count * itemsize
    if need != present:
        raise TensorError(f"the shape {shape_text(shape)} has {count_text(count)} elements of "
                          f"{itemsize} bytes, but the tensor stores {present:,} bytes")
    return count


def check_npz_key(key: str) -> None:
    """An .npz member's name is ``key + ".npy"``, at most 65,535 bytes of UTF-8."""
    n = len(key.encode("utf-8", "surrogatepass"))
    if n > NPZ_KEY_MAX:
        raise TensorError(f"the name is {n:,} bytes long; an .npz member name holds at most "
                          f"{NPZ_KEY_MAX:,} (use pkl, safetensors or npy)")


def name_text(name: str, n: int = 60) -> str:
    """A tensor's name for a one-line message: clipped, its length said when clipped."""
    return name if len(name) <= n else f"{name[:n]}… ({len(name):,} characters)"


# -- formatting that never raises -------------------------------------------------------

def bytes_text(n) -> str:
    """1536 → '1.5 KB', 2**200 → '1.4e+48 EB', -3 → '-3 B'; never raises."""
    try:
        n = int(n)
    except (TypeError, ValueError, OverflowError):
        return str(n)
    if -1024 < n < 1024:
        return f"{n:,} B"
    sign, n = ("-" if n < 0 else ""), abs(n)
    for i, unit in enumerate(("KB", "MB", "GB", "TB", "PB")):
        if n < 1024 ** (i + 2):
            return f"{sign}{n / 1024 ** (i + 1):.1f} {unit}"
    return f"{sign}{_big(n // 1024 ** 6)} EB"


def count_text(n) -> str:
    """4231848 → '4,231,848'; past 10**12 in scientific notation; never raises."""
    try:
        n = int(n)
    except (TypeError, ValueError, OverflowError):
        return str(n)
    return f"{n:,}" if abs(n) < 10**12 else _big(n)


def shape_text(shape, n: int = 8, compact: bool = False, sep: str = ", ") -> str:
    """The one shape formatter (messages, the window's tables, tree and graph); never raises.

    ``'[1024, 3]'``, or ``compact``: ``'1024×3'``. An unknown shape (None) is ``'?'``, an
    unknown dimension (None or negative: TensorFlow writes -1) ``'?'``, a dimension that is
    not a whole number its repr, a huge one ``'1.61e+60'``; no dimensions: ``'[]'``, compact
    ``'scalar'``. A shape of more than ``n`` dims shows its first ``n`` and its rank:
    ``'[2, 2, …] (1,100 dims)'``, compact ``'2×2×… (1,100 dims)'``. ``sep=","`` gives the
    terse ``'[?,224]'`` that ``info`` prints for inputs and signatures."""
    if shape is None:
        return "?"
    try:
        dims = list(shape)
    except TypeError:
        return str(shape)
    if compact and not dims:
        return "scalar"
    head = [_dim(d) for d in dims[:n]]
    rank = f" ({len(dims):,} dims)" if len(dims) > n else ""
    if compact:
        return "×".join(head) + (f"×…{rank}" if rank else "")
    return "[" + sep.join(head) + (f"{sep}…]{rank}" if rank else "]")


def _dim(d) -> str:
    if d is None or (isinstance(d, int) and not isinstance(d, bool) and d < 0):
        return "?"
    if isinstance(d, int) and not isinstance(d, bool):
        return str(d) if d < 10**15 else _big(d)
    return repr(d)


def compact_count(n) -> str:
    """4231848 → '4.23M'; small numbers stay exact; never raises."""
    try:
        n = int(n)
    except (TypeError, ValueError, OverflowError):
        return str(n)
    if not 0 <= n < 10**12:
        return count_text(n)
    if n < 10_000:
        return f"{n:,}"
    for unit, div in (("k", 10**3), ("M", 10**6), ("G", 10**9)):
        if n < div * 1000 or unit == "G":
            return f"{n / div:.3g}{unit}"
    return str(n)  # pragma: no cover


def _big(n: int) -> str:
    """A huge int as '1.61e+60', without a float (which overflows) or str() (limited to
    4,300 digits)."""
    mantissa, exponent = format(Decimal(n), ".2e").split("e")
    return f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent):+03d}"
