"""Compare the weights of two models or weights files, key by key.

Where the two sides store a tensor differently, the values are brought together before they
are compared, and the row's note says how: a weight in another layout (a TFLite kernel
against its Keras layer's, ``Weight.layout``) is compared in the other side's layout, and a
quantized one against a float one as its dequantized real values."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from .errors import PbscopeError
from .model import Graph, Layout, Weight
from .progress import NO_PROGRESS, Progress

CHUNK = 1 << 20   # elements compared at a time, in float64: bounded memory for big tensors


@dataclass
class TensorDiff:
    key: str
    a_shape: list[int] | None
    b_shape: list[int] | None
    a_dtype: str
    b_dtype: str
    max_abs_diff: float | None = None   # None: not comparable by value (strings, unreadable)
    equal: bool | None = None
    note: str = ""


@dataclass
class DiffReport:
    a: str
    b: str
    only_a: list[str] = field(default_factory=list)
    only_b: list[str] = field(default_factory=list)
    mismatched: list[TensorDiff] = field(default_factory=list)
    common: list[TensorDiff] = field(default_factory=list)

    @property
    def summary(self) -> str:
        differ = [d for d in self.common if d.equal is False]
        worst = max((d.max_abs_diff for d in self.common if d.max_abs_diff is not None), default=0.0)
        return (f"{len(self.common)} common tensors ({len(self.common) - len(differ)} equal, "
                f"{len(differ)} differ, max abs diff {worst:.3g}); {len(self.mismatched)} shape/dtype "
                f"mismatches; {len(self.only_a)} only in A; {len(self.only_b)} only in B")

    def as_dict(self) -> dict:
        d = asdict(self)
        d["summary"] = self.summary
        return d


def diff(a: Graph, b: Graph, progress: Progress = NO_PROGRESS) -> DiffReport:
    """Match weights by variable name (``x`` and ``x:0`` are one key)."""
    wa = {w.var_name: w for w in a.weights}
    wb = {w.var_name: w for w in b.weights}
    report = DiffReport(a.path, b.path, [w.key for k, w in wa.items() if k not in wb],
                        [w.key for k, w in wb.items() if k not in wa])
    common = [k for k in wa if k in wb]
    for i, k in enumerate(common):
        progress.report(i / max(1, len(common)), k)
        x, y = wa[k], wb[k]
        d = TensorDiff(x.key, _shape(x), _shape(y), x.dtype_name, y.dtype_name)
        how = _alignment(x, y)
        if how is None:
            report.mismatched.append(d)
            continue
        d.note = "; ".join(how[2])
        _compare(d, x, y, *how[:2])
        report.common.append(d)
    progress.report(1.0, "compared")
    return report


def _shape(w: Weight):
    return list(w.shape) if w.shape is not None else None


Side = tuple[bool, Layout | None]     # (dequantize, layout to apply) for one side


def _alignment(x: Weight, y: Weight) -> tuple[Side, Side, list[str]] | None:
    """How to read ``x`` and ``y`` so that their values line up, with a note for each step;
    None when they cannot (a real shape or dtype mismatch)."""
    notes = []
    lx = ly = None
    if x.shape != y.shape:
        if x.layout is not None and x.layout.shape == y.shape:
            lx = x.layout
            notes.append(f"A: {lx.note}")
        elif y.layout is not None and y.layout.shape == x.shape:
            ly = y.layout
            notes.append(f"B: {ly.note}")
        else:
            return None
    qx = qy = False
    if x.dtype_name != y.dtype_name:
        if x.out_dtype(dequantize=True) == y.out_dtype():
            qx = True
            notes.append("A dequantized")
        elif y.out_dtype(dequantize=True) == x.out_dtype():
            qy = True
            notes.append("B dequantized")
        else:
            return None
    return (qx, lx), (qy, ly), notes


def _read(w: Weight, dequantize: bool, layout: Layout | None) -> np.ndarray:
    a = w.array(dequantize=dequantize)
    return layout.apply(a) if layout is not None else a


def _compare(d: TensorDiff, x: Weight, y: Weight, sx: Side = (False, None), sy: Side = (False, None)) -> None:
    try:
        a, b = _read(x, *sx), _read(y, *sy)
    except PbscopeError as e:
        d.note = e.cause
        return
    fa, fb = a.reshape(-1), b.reshape(-1)     # a Repeated (tensors.py) expands a chunk at a time
    if a.dtype.kind in "OSU" or b.dtype.kind in "OSU":
        d.equal = all(np.array_equal(fa[s:s + CHUNK], fb[s:s + CHUNK]) for s in range(0, fa.size, CHUNK))
        return
    worst = 0.0
    for s in range(0, fa.size, CHUNK):
        ca = fa[s:s + CHUNK].astype(np.complex128 if a.dtype.kind == "c" else np.float64)
        cb = fb[s:s + CHUNK].astype(ca.dtype)
        both_nan = np.isnan(ca) & np.isnan(cb)
        delta = np.abs(ca - cb)
        delta[both_nan] = 0.0
        delta[np.isnan(delta)] = np.inf     # NaN against a number
        if delta.size:
            worst = max(worst, float(delta.max()))
    d.max_abs_diff = worst
    d.equal = worst == 0.0
