"""Summary statistics of a tensor: one implementation for the CLI's ``show`` and the
window's preview.

min and max first: they propagate NaN, so only a tensor that holds NaN or Inf pays for
the masks. mean and std are exact to float64, computed a chunk at a time (BLAS ``dot``
for the sum of squares), so a 16M-element tensor needs no 128 MB float64 copy. A
constant that stores fewer values than its shape holds (a broadcast view or a Repeated,
see tensors.py) is summed up from its stored values and their counts, never expanded:
``finite`` then holds those values and ``counts`` how many elements each stands for.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .tensors import Repeated, is_broadcast

CHUNK = 1 << 20


@dataclass
class Summary:
    size: int
    min: float | int | None = None
    max: float | int | None = None
    mean: float | None = None
    std: float | None = None
    zeros: int = 0
    nan: int = 0
    inf: int = 0
    finite: np.ndarray | None = None   # the finite values, flat (a view when all are finite)
    counts: np.ndarray | None = None   # elements per value of ``finite``; None: one each
    numeric: np.ndarray | None = None  # the values as real numbers (numeric_view), shaped as given
    note: str = ""                     # how the values were read ("magnitudes of complex values")


def numeric_view(a: np.ndarray | Repeated) -> tuple[np.ndarray | Repeated | None, str]:
    """Real numbers to compute on: the array itself where numpy reduces it, else a cast."""
    if isinstance(a, Repeated):     # cast the stored values, keep them stored
        num, note = numeric_view(a.stored)
        return (None if num is None else Repeated(num, a.shape)), note
    if is_broadcast(a):     # cast the one value, keep the view
        num, note = numeric_view(a.flat[:1])
        return (None if num is None else np.broadcast_to(num.reshape(()), a.shape)), note
    kind = a.dtype.kind
    if kind in "iuf":
        return a, ""
    if kind == "b":
        return a.view(np.uint8), "booleans as 0/1"
    if kind == "c":
        return np.abs(a), "magnitudes of complex values"
    if kind in "OSU":
        return None, "strings: values only"
    try:  # bfloat16, float8, int4 (ml_dtypes)
        return a.astype(np.float32), f"{a.dtype.name} shown as float32"
    except (TypeError, ValueError):
        return None, f"{a.dtype.name}: values only"


def summarize(a: np.ndarray | Repeated, check=None) -> Summary:
    """Statistics of ``a``; ``check()`` (if given) is called between passes (Cancel)."""
    num, note = numeric_view(a)
    s = Summary(int(a.size), numeric=num, note=note)
    if s.size == 0:
        return s
    counted = values_and_counts(num if num is not None else a)
    if counted is not None:
        return _summarize_counted(s, *counted, numeric=num is not None, check=check)
    if num is None:
        s.zeros = int(sum(1 for v in a.flat if not v))
        return s
    flat = num.reshape(-1)
    mn, mx = flat.min(), flat.max()
    finite = flat
    if flat.dtype.kind == "f" and not (np.isfinite(mn) and np.isfinite(mx)):
        s.nan = int(np.count_nonzero(np.isnan(flat)))
        s.inf = int(np.count_nonzero(np.isinf(flat)))
        finite = flat[np.isfinite(flat)]
        mn, mx = (finite.min(), finite.max()) if finite.size else (None, None)
    s.finite = finite
    s.zeros = int(np.count_nonzero(flat == 0))
    if check:
        check()
    if finite.size:
        s.min, s.max = _py(mn), _py(mx)
        total = 0.0
        for i in range(0, finite.size, CHUNK):
            total += float(finite[i:i + CHUNK].sum(dtype=np.float64))
        s.mean = total / finite.size
        if check:
            check()
        squares = 0.0
        for i in range(0, finite.size, CHUNK):
            d = finite[i:i + CHUNK].astype(np.float64) - s.mean
            squares += float(np.dot(d, d))
        s.std = math.sqrt(squares / finite.size)
    return s


def values_and_counts(a) -> tuple[np.ndarray, np.ndarray] | None:
    """A constant's stored values and the elements each stands for; None for a plain array."""
    if isinstance(a, Repeated):
        return a.values_and_counts()
    if is_broadcast(a):
        return a.reshape(-1)[:1], np.array([a.size], dtype=np.int64)
    return None


def _summarize_counted(s: Summary, values: np.ndarray, counts: np.ndarray, numeric: bool,
                       check=None) -> Summary:
    """Every figure from stored values, each standing for ``counts`` elements."""
    if not numeric:
        s.zeros = sum(int(c) for v, c in zip(values, counts) if not v)
        return s
    if values.dtype.kind == "f":
        nan, inf = np.isnan(values), np.isinf(values)
        s.nan, s.inf = int(counts[nan].sum()), int(counts[inf].sum())
        if s.nan or s.inf:
            values, counts = values[~(nan | inf)], counts[~(nan | inf)]
    s.finite, s.counts = values, counts
    s.zeros = int(counts[values == 0].sum())
    if not values.size:
        return s
    s.min, s.max = _py(values.min()), _py(values.max())
    n = int(counts.sum())
    parts = range(0, values.size, CHUNK)
    ref = float(values[0])      # summed as offsets from it: one value repeated has mean ref exactly
    s.mean = ref + sum(float(np.dot(values[i:i + CHUNK].astype(np.float64) - ref, counts[i:i + CHUNK]))
                       for i in parts) / n
    if check:
        check()
    squares = 0.0
    for i in parts:
        d = values[i:i + CHUNK].astype(np.float64) - s.mean
        squares += float(np.dot(d * d, counts[i:i + CHUNK]))
    s.std = math.sqrt(squares / n)
    return s


def number(v) -> str:
    """A statistic for display: compact but exact enough to compare (the preview's and
    ``show``'s text)."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return str(v)
    if math.isnan(f):
        return "nan"
    if math.isinf(f):
        return "inf" if f > 0 else "-inf"
    if f == int(f) and abs(f) < 1e15:
        return f"{int(f)}"
    return f"{f:.6g}"


def _py(v):
    return int(v) if isinstance(v, np.integer) else float(v)


def tensor_stats(a: np.ndarray | Repeated) -> dict:
    """The CLI's figures: size, min, max, mean, std (over finite values), zeros, nan, inf."""
    s = summarize(a)
    return {"size": s.size, "min": s.min, "max": s.max, "mean": s.mean, "std": s.std,
            "zeros": s.zeros, "nan": s.nan, "inf": s.inf}


def first_values(a: np.ndarray | Repeated, n: int = 10) -> list:
    """The first ``n`` values in C order as JSON-safe Python values."""
    flat = a.reshape(-1)[:n]
    return [json_safe(v) for v in flat.tolist()] if a.dtype.kind != "O" else \
        [v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in flat]


def json_safe(v):
    if isinstance(v, float) and not math.isfinite(v):
        return "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")
    if isinstance(v, complex):
        return [json_safe(v.real), json_safe(v.imag)]
    return v
