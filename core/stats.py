"""Summary statistics of a tensor, shared by the CLI's ``show`` and the GUI's preview."""
from __future__ import annotations

import math

import numpy as np


def tensor_stats(a: np.ndarray) -> dict:
    """min, max, mean, std (over finite values), zeros, nan and inf counts.

    Complex tensors are summarised by magnitude; strings have counts only.
    Sums run in float64 so float16/bfloat16 tensors do not overflow.
    """
    size = int(a.size)
    out = {"size": size, "min": None, "max": None, "mean": None, "std": None,
           "zeros": 0, "nan": 0, "inf": 0}
    if size == 0:
        return out
    if a.dtype.kind == "O":
        out["zeros"] = int(sum(1 for v in a.flat if not v))
        return out
    if a.dtype.kind == "c":
        x = np.abs(a).astype(np.float64, copy=False)
        out["zeros"] = int(size - np.count_nonzero(a))
    elif a.dtype.kind == "b":
        x = a.astype(np.uint8)
        out["zeros"] = int(size - np.count_nonzero(a))
    elif a.dtype.kind in "iu":
        x = a
        out["zeros"] = int(size - np.count_nonzero(a))
    else:
        x = a.astype(np.float64, copy=False) if a.dtype.itemsize < 4 or a.dtype.kind != "f" else a
        out["zeros"] = int(size - np.count_nonzero(x))
    if x.dtype.kind == "f":
        finite = np.isfinite(x)
        n_finite = int(np.count_nonzero(finite))
        out["nan"] = int(np.count_nonzero(np.isnan(x)))
        out["inf"] = size - n_finite - out["nan"]
        if n_finite < size:
            x = x[finite]
        if n_finite == 0:
            return out
        out["min"], out["max"] = float(x.min()), float(x.max())
        out["mean"] = float(np.mean(x, dtype=np.float64))
        out["std"] = float(np.std(x, dtype=np.float64))
    else:
        out["min"], out["max"] = int(x.min()), int(x.max())
        out["mean"] = float(np.mean(x, dtype=np.float64))
        out["std"] = float(np.std(x, dtype=np.float64))
    return out


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
