"""The preview's numbers, without Qt: statistics as text, histogram bins, heat-map slices,
a conv kernel's filter mosaic, the value table's cells. The window's preview panel
draws them; ``show`` in the command line prints the same statistics and bins.

``compute_preview`` (pure numpy, run in the window's worker) decodes the tensor and
does every pass over all of its elements. A constant that stores fewer values than
its shape holds (a broadcast view or a tensors.Repeated) is never expanded:
statistics and histogram come from its stored values and their counts, the heat map
and the value table read only the elements they show.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from .model import Weight
from .progress import Progress
from .stats import Summary, number, summarize
from .tensors import Repeated

HIST_FULL_MAX = 16_000_000   # histogram over every element up to this; a strided sample beyond
HIST_BINS = 128
IMAGE_MAX = 1024             # heat-map pixels per side; larger slices are strided down
MAX_TILES = 4096
MAX_TILE_SIDE = 64
MOSAIC_EXPAND_MAX = 64 << 20  # a Repeated kernel is expanded to sum its input channels up to this
TABLE_MAX_COLS = 4096        # a wider last axis is shown as one flat column

STAT_KEYS = ("min", "max", "mean", "std", "zeros", "NaN", "Inf", "elements")


# -- numbers ------------------------------------------------------------------------------

@dataclass
class PreviewData:
    weight: Weight
    array: np.ndarray | Repeated | None = None     # as decoded (read-only)
    numeric: np.ndarray | Repeated | None = None   # real values for plots; None for strings
    numeric_note: str = ""
    stats: dict[str, str] | None = None
    mean: float | None = None
    hist: tuple[np.ndarray, np.ndarray] | None = None   # (counts, edges)
    hist_values: int = 0                  # the values the histogram counts…
    hist_step: int = 1                    # …of which it draws every hist_step-th
    image: np.ndarray | None = None       # the first heat-map slice, display-ready
    image_levels: tuple[float, float] = (0.0, 1.0)
    image_note: str = ""
    mosaic: np.ndarray | None = None
    mosaic_note: str = ""
    seconds: float = 0.0


def stats_text(st: Summary) -> dict[str, str]:
    """core.stats' figures as the preview shows them."""
    stats: dict[str, str] = {"elements": f"{st.size:,}"}
    if st.finite is None:
        return stats
    dash = "–"
    stats.update({"min": number(st.min) if st.min is not None else dash,
                  "max": number(st.max) if st.max is not None else dash,
                  "mean": number(st.mean) if st.mean is not None else dash,
                  "std": number(st.std) if st.std is not None else dash,
                  "zeros": f"{100.0 * st.zeros / st.size:.2f} %", "NaN": f"{st.nan:,}", "Inf": f"{st.inf:,}"})
    return stats


def histogram(finite: np.ndarray, mn, mx, bins: int = HIST_BINS, counts: np.ndarray | None = None):
    """(counts, edges, note); integer tensors with a small range get one bin per value.
    ``counts``: how many elements each of ``finite`` stands for (stored values, see stats)."""
    n, step = histogram_sampling(finite, counts)
    if n == 0 or mn is None:
        return None, ""
    sample, note = finite[::step], histogram_note(n, step)
    lo, hi = float(mn), float(mx)
    if finite.dtype.kind in "iu" and hi - lo < 512:
        bins, lo, hi = int(hi - lo) + 1, lo - 0.5, hi + 0.5
    elif hi <= lo:
        lo, hi, bins = lo - 0.5, hi + 0.5, 1
    hist, edges = np.histogram(sample, bins=bins, range=(lo, hi), weights=counts)
    return (hist.astype(np.int64), edges), note


def histogram_sampling(finite: np.ndarray, counts: np.ndarray | None = None) -> tuple[int, int]:
    """(values counted, step): past HIST_FULL_MAX values, every step-th is drawn."""
    n = finite.size if counts is None else int(counts.sum())
    step = -(-n // HIST_FULL_MAX) if counts is None and n > HIST_FULL_MAX else 1
    return n, step


def histogram_note(n: int, step: int) -> str:
    """What the bins count: ``'432 values'``, ``'every 3th of 48,000,000 values'``."""
    return f"{n:,} values" if step == 1 else f"every {step}th of {n:,} values"


def heat_axes(shape: tuple[int, ...]) -> list[int]:
    """The axes the heat map pages through or shows: every axis longer than 1
    (a depthwise 3×3×32×1 kernel pages through 3 rows of 3×32), at least two
    (the last short ones added: a 5×1×1 bias shows as 5×1)."""
    axes = [i for i, d in enumerate(shape) if d > 1]
    if len(axes) < 2:
        short = [i for i in range(len(shape)) if i not in axes]
        axes = sorted(axes + short[len(short) - min(len(short), 2 - len(axes)):])
    return axes


def _heat_shaped(a):
    """``a`` with the heat map's axes only, at least 2-D (a reshape: nothing is read)."""
    if a.ndim > 2:
        return a.reshape([a.shape[i] for i in heat_axes(a.shape)])
    return a.reshape(1, 1) if a.ndim == 0 else a.reshape(1, -1) if a.ndim == 1 else a


def slice_2d(a, index: tuple[int, ...] = (), step: tuple[int, int] = (1, 1)) -> np.ndarray:
    """The 2-D slice the heat map shows: the last two long axes, ``index`` for the others,
    every ``step``th row and column."""
    a = _heat_shaped(a)
    lead = a.ndim - 2
    index = tuple(index[:lead]) + (0,) * max(0, lead - len(index))
    return a[index + (slice(None, None, step[0]), slice(None, None, step[1]))]


def display_image(a, index: tuple[int, ...] = ()) -> tuple[np.ndarray, tuple[float, float], str]:
    """``slice_2d(a, index)`` strided down to at most IMAGE_MAX per side before any value
    is read, as float32, with its levels."""
    note = ""
    h, w = _heat_shaped(a).shape[-2:]
    sy, sx = -(-h // IMAGE_MAX), -(-w // IMAGE_MAX)
    if sy > 1 or sx > 1:
        note = f"every {sy}×{sx}th value shown"
    img = np.asarray(slice_2d(a, index, (sy, sx)), dtype=np.float32)
    finite = img[np.isfinite(img)] if not np.isfinite(img).all() else img
    if finite.size:
        lo, hi = float(finite.min()), float(finite.max())
    else:
        lo, hi = 0.0, 1.0
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    return img, (lo, hi), note


def is_kernel(shape) -> bool:
    """H×W×Cin×Cout with small spatial sides (1×1 kernels have nothing to look at)."""
    return (shape is not None and len(shape) == 4 and shape[0] * shape[1] > 1
            and shape[0] <= MAX_TILE_SIDE and shape[1] <= MAX_TILE_SIDE)


def filter_mosaic(a: np.ndarray, how: str = "sum", normalize: bool = True) -> tuple[np.ndarray | None, str]:
    """A conv kernel's filters as one image: one H×W tile per output channel.

    ``how`` folds the input channels: "sum" or "first". A depthwise kernel
    (H×W×C×1) shows one tile per input channel instead. Tiles are separated by a
    one-pixel NaN gap, which pyqtgraph leaves transparent. A Repeated kernel is expanded
    to be summed up to MOSAIC_EXPAND_MAX; past it, it shows its first input channel.
    """
    if a is None or not is_kernel(a.shape):
        return None, ""
    h, w, cin, cout = a.shape
    big = ""
    if isinstance(a, Repeated):
        if a.nbytes <= MOSAIC_EXPAND_MAX:
            a = a.expand(MOSAIC_EXPAND_MAX)
        elif how == "sum":
            how, big = "first", " (too large to sum)"
    # only the tiles shown are read: a Repeated expands no more than those
    if cout == 1 and cin > 1:
        tiles, n, note = a[:, :, :MAX_TILES, 0], cin, f"{cin} depthwise filters, one per input channel"
    elif how == "first":
        tiles, n, note = a[:, :, 0, :MAX_TILES], cout, f"{cout} filters, input channel 0{big}"
    else:
        tiles, n = a[:, :, :, :MAX_TILES].sum(axis=2, dtype=np.float64), cout
        note = f"{cout} filters, summed over {cin} input channels"
    tiles = np.moveaxis(np.asarray(tiles, dtype=np.float32), 2, 0)  # (N, H, W)
    if n > MAX_TILES:
        note += f" (first {MAX_TILES})"
    n = tiles.shape[0]
    if normalize:
        scale = np.abs(tiles).reshape(n, -1).max(axis=1)
        scale[~np.isfinite(scale) | (scale == 0)] = 1.0
        tiles = tiles / scale[:, None, None]
        note += "; each filter scaled to ±1"
    cols = max(1, math.ceil(math.sqrt(n * (h + 1) / (w + 1))))
    rows = -(-n // cols)
    canvas = np.full((rows * cols, h + 1, w + 1), np.nan, dtype=np.float32)
    canvas[:n, :h, :w] = tiles
    canvas = canvas.reshape(rows, cols, h + 1, w + 1).transpose(0, 2, 1, 3).reshape(rows * (h + 1), cols * (w + 1))
    return canvas[:-1, :-1], note


def compute_preview(w: Weight, progress: Progress | None = None) -> PreviewData:
    """Everything the preview draws, off the GUI thread. Raises PbscopeError."""
    t0 = time.perf_counter()
    data = PreviewData(w)
    a = w.array()
    data.array = a
    if progress is not None:
        progress.check()
    st = summarize(a, progress.check if progress is not None else None)
    data.stats, data.mean, data.numeric_note = stats_text(st), st.mean, st.note
    num = data.numeric = st.numeric
    if num is not None:
        if progress is not None:
            progress.check()
        data.hist, _ = histogram(st.finite, st.min, st.max, counts=st.counts)
        data.hist_values, data.hist_step = histogram_sampling(st.finite, st.counts)
        if progress is not None:
            progress.check()
        data.image, data.image_levels, data.image_note = display_image(num)
        data.mosaic, data.mosaic_note = filter_mosaic(num)
    data.seconds = time.perf_counter() - t0
    return data


# -- the value table's cells ---------------------------------------------------------------

def as_table(a):
    """A 2-D view: rows are every index but the last axis, columns the last axis (a
    Repeated stays one: a cell reads one element)."""
    if a.ndim == 0:
        return a.reshape(1, 1)
    if a.ndim == 1 or a.shape[-1] > TABLE_MAX_COLS:
        return a.reshape(-1, 1)
    return a.reshape(-1, a.shape[-1])


def cell_text(v) -> str:
    if isinstance(v, (bytes, np.bytes_)):
        text = repr(bytes(v))
        return text if len(text) <= 80 else text[:80] + "…"
    if isinstance(v, (float, np.floating)) and not isinstance(v, np.complexfloating):
        return number(v) if float(v).is_integer() else f"{float(v):.6g}"
    return str(v)


