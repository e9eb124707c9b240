"""Summary statistics of a tensor: one implementation for the CLI's ``show`` and the
window's preview.

min and max first: they propagate NaN, so only a tensor that holds NaN or Inf pays for
the masks. mean and std are exact to float64, computed a chunk at a time (BLAS ``dot``
for the sum of squares), so a 16M-element tensor needs no 128 MB float64 copy. A
broadcast constant (one stored value viewed with strides 0, see tensors.py) is summed up
from that value and its count: its finite values stay a view, never expanded.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .tensors import is_broadcast

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
    numeric: np.ndarray | None = None  # the values as real numbers (numeric_view), shaped as given
    note: str = ""                     # how the values were read ("magnitudes of complex values")


def numeric_view(a: np.ndarray) -> tuple[np.ndarray | None, str]:
    """Real numbers to compute on: the array itself where numpy reduces it, else a cast."""
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


def summarize(a: np.ndarray, check=None) -> Summary:
    """Statistics of ``a``; ``check()`` (if given) is called between passes (Cancel)."""
    num, note = numeric_view(a)
    s = Summary(int(a.size), numeric=num, note=note)
    if s.size == 0:
        return s
    if is_broadcast(a):
        return _summarize_broadcast(s, a, num)
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


def _summarize_broadcast(s: Summary, a: np.ndarray, num: np.ndarray | None) -> Summary:
    """One value repeated ``s.size`` times: every figure from that value and the count."""
    if num is None:
        s.zeros = s.size if not a.flat[0] else 0
        return s
    flat = num.reshape(-1)      # a view: strides stay 0
    v = flat[:1]
    if flat.dtype.kind == "f" and not np.isfinite(v[0]):
        s.nan = s.size if np.isnan(v[0]) else 0
        s.inf = s.size - s.nan
        s.finite = flat[:0]
        return s
    s.finite = flat
    s.zeros = s.size if v[0] == 0 else 0
    s.min = s.max = _py(v[0])
    s.mean, s.std = float(v[0]), 0.0
    return s


def _py(v):
    return int(v) if isinstance(v, np.integer) else float(v)


def tensor_stats(a: np.ndarray) -> dict:
    """The CLI's figures: size, min, max, mean, std (over finite values), zeros, nan, inf."""
    s = summarize(a)
    return {"size": s.size, "min": s.min, "max": s.max, "mean": s.mean, "std": s.std,
            "zeros": s.zeros, "nan": s.nan, "inf": s.inf}


def first_values(a: np.ndarray, n: int = 10) -> list:
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
