"""Weight preview: statistics, histogram, heat map, filter grid and a lazy value table.

``compute_preview`` (pure numpy, run in a worker) decodes the tensor and does every
pass over all of its elements. A constant that stores fewer values than its shape holds
(a broadcast view or a core.tensors.Repeated) is never expanded: statistics and histogram
come from its stored values and their counts, the heat map and the value table read only
the elements they show. The panel only draws what it gets, through items
created once and updated with setData/setImage, and drops results that arrive
after the user moved on (a generation number). pyqtgraph is imported on first use,
not at start-up: it is most of a cold start's import time.
"""
from __future__ import annotations

import html
import math
import time
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSlider,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..core.errors import PbscopeError
from ..core.model import Weight
from ..core.progress import Progress
from ..core.stats import Summary, summarize
from ..core.tensors import Repeated

from .fmt import human_bytes, number, shape_text
from .workers import Jobs, Worker

HIST_FULL_MAX = 16_000_000   # histogram over every element up to this; a strided sample beyond
IMAGE_MAX = 1024             # heat-map pixels per side; larger slices are strided down
MAX_TILES = 4096
MAX_TILE_SIDE = 64
MOSAIC_EXPAND_MAX = 64 << 20  # a Repeated kernel is expanded to sum its input channels up to this
TABLE_CHUNK = 1000           # value-table rows fetched per step
TABLE_MAX_COLS = 4096        # a wider last axis is shown as one flat column

pg = None  # pyqtgraph, imported by _pyqtgraph()


def _pyqtgraph():
    global pg
    if pg is None:
        import pyqtgraph
        pyqtgraph.setConfigOptions(imageAxisOrder="row-major", antialias=True)
        pg = pyqtgraph
    return pg


# -- numbers (worker side) ------------------------------------------------------------

@dataclass
class PreviewData:
    weight: Weight
    array: np.ndarray | Repeated | None = None     # as decoded (read-only)
    numeric: np.ndarray | Repeated | None = None   # real values for plots; None for strings
    numeric_note: str = ""
    stats: dict[str, str] | None = None
    mean: float | None = None
    hist: tuple[np.ndarray, np.ndarray] | None = None   # (counts, edges)
    hist_note: str = ""
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


def histogram(finite: np.ndarray, mn, mx, bins: int = 128, counts: np.ndarray | None = None):
    """(counts, edges, note); integer tensors with a small range get one bin per value.
    ``counts``: how many elements each of ``finite`` stands for (stored values, see stats)."""
    n = finite.size if counts is None else int(counts.sum())
    if n == 0 or mn is None:
        return None, ""
    sample, note = finite, f"{n:,} values"
    if counts is None and n > HIST_FULL_MAX:
        step = -(-n // HIST_FULL_MAX)
        sample = finite[::step]
        note = f"every {step}th of {n:,} values"
    lo, hi = float(mn), float(mx)
    if finite.dtype.kind in "iu" and hi - lo < 512:
        bins, lo, hi = int(hi - lo) + 1, lo - 0.5, hi + 0.5
    elif hi <= lo:
        lo, hi, bins = lo - 0.5, hi + 0.5, 1
    hist, edges = np.histogram(sample, bins=bins, range=(lo, hi), weights=counts)
    return (hist.astype(np.int64), edges), note


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
        data.hist, data.hist_note = histogram(st.finite, st.min, st.max, counts=st.counts)
        if progress is not None:
            progress.check()
        data.image, data.image_levels, data.image_note = display_image(num)
        data.mosaic, data.mosaic_note = filter_mosaic(num)
    data.seconds = time.perf_counter() - t0
    return data


# -- the lazy value table -------------------------------------------------------------

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


class ValueTableModel(QAbstractTableModel):
    """Cells computed from the array when asked; rows arrive TABLE_CHUNK at a time."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._a: np.ndarray | None = None
        self._t: np.ndarray | None = None
        self._loaded = 0
        self._lead: tuple[int, ...] = ()
        self._flat = False

    def set_array(self, a: np.ndarray | Repeated | None) -> None:
        self.beginResetModel()
        self._a = a
        self._t = as_table(a) if a is not None else None
        total = self._t.shape[0] if self._t is not None else 0
        self._loaded = min(total, TABLE_CHUNK)
        self._flat = a is not None and a.ndim >= 1 and self._t.shape[1] == 1 and a.ndim != 1
        self._lead = a.shape[:-1] if a is not None and a.ndim >= 2 and not self._flat else ()
        self.endResetModel()

    def total_rows(self) -> int:
        return self._t.shape[0] if self._t is not None else 0

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else self._loaded

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() or self._t is None else self._t.shape[1]

    def canFetchMore(self, parent=QModelIndex()) -> bool:
        return not parent.isValid() and self._loaded < self.total_rows()

    def fetchMore(self, parent=QModelIndex()) -> None:
        if parent.isValid():
            return
        n = min(TABLE_CHUNK, self.total_rows() - self._loaded)
        if n <= 0:
            return
        self.beginInsertRows(QModelIndex(), self._loaded, self._loaded + n - 1)
        self._loaded += n
        self.endInsertRows()

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid() or self._t is None:
            return None
        if role == Qt.DisplayRole:
            return cell_text(self._t[index.row(), index.column()])
        if role == Qt.TextAlignmentRole:
            return int(Qt.AlignRight | Qt.AlignVCenter)
        return None

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if role != Qt.DisplayRole or self._a is None:
            return None
        if orientation == Qt.Horizontal:
            if self._a.ndim == 0:
                return "value"
            return "value" if self._t.shape[1] == 1 and (self._a.ndim == 1 or self._flat) else str(section)
        if self._a.ndim == 0:
            return ""
        if self._a.ndim == 1 and not self._flat:
            return str(section)
        shape = self._a.shape if self._flat else self._lead
        idx = np.unravel_index(section, shape)
        return "[" + ", ".join(str(int(i)) for i in idx) + (", :]" if not self._flat else "]")


# -- the panel ---------------------------------------------------------------------------

STAT_KEYS = ("min", "max", "mean", "std", "zeros", "NaN", "Inf", "elements")


class PreviewPanel(QWidget):
    """Shows one weight; ``show_weight`` returns at once, the numbers come from a worker."""

    ready = Signal(str)           # weight name, after its stats and plots are drawn
    failed = Signal(str)
    error_details = Signal(str, str)   # one line, details: the window shows the dialog

    def __init__(self, jobs: Jobs, parent: QWidget | None = None):
        super().__init__(parent)
        self.jobs = jobs
        self.weight: Weight | None = None
        self.data: PreviewData | None = None
        self._gen = 0
        self._worker: Worker | None = None
        self._built = False
        self._error: tuple[str, str] | None = None
        self.last_seconds = 0.0

        self.title = QLabel(self)
        self.title.setTextFormat(Qt.RichText)
        self.title.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.title.setWordWrap(True)
        self.stats_box = QWidget(self)
        grid = QGridLayout(self.stats_box)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(2)
        self.stat_values: dict[str, QLabel] = {}
        for i, key in enumerate(STAT_KEYS):
            name = QLabel(key, self.stats_box)
            name.setForegroundRole(QPalette.PlaceholderText)
            val = QLabel("–", self.stats_box)
            val.setTextInteractionFlags(Qt.TextSelectableByMouse)
            val.setMinimumWidth(80)
            r, c = divmod(i, 4)
            grid.addWidget(name, r, 2 * c, Qt.AlignRight)
            grid.addWidget(val, r, 2 * c + 1)
            self.stat_values[key] = val
        for c in range(4):
            grid.setColumnStretch(2 * c + 1, 1)
        self.status = QLabel(self)
        self.status.setForegroundRole(QPalette.PlaceholderText)
        self.details_button = QPushButton("Details…", self)
        self.details_button.setVisible(False)
        self.details_button.clicked.connect(self._show_error_details)
        status_row = QHBoxLayout()
        status_row.setContentsMargins(0, 0, 0, 0)
        status_row.addWidget(self.status, 1)
        status_row.addWidget(self.details_button)

        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.hist_page = QWidget()
        self.heat_page = QWidget()
        self.filter_page = QWidget()
        self.table = QTableView()
        self.table_model = ValueTableModel(self.table)
        self.table.setModel(self.table_model)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        vh = self.table.verticalHeader()
        vh.setSectionResizeMode(QHeaderView.Fixed)
        vh.setDefaultSectionSize(self.fontMetrics().height() + 6)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.Fixed)
        hh.setDefaultSectionSize(96)
        self.tabs.addTab(self.hist_page, "Histogram")
        self.tabs.addTab(self.heat_page, "Heat map")
        self.tabs.addTab(self.filter_page, "Filters")
        self.tabs.addTab(self.table, "Values")

        # a weight the file holds no values for shows why, instead of empty plots
        self.no_values = QLabel(self)
        self.no_values.setObjectName("noValues")
        self.no_values.setWordWrap(True)
        self.no_values.setAlignment(Qt.AlignCenter)
        self.no_values.setTextFormat(Qt.RichText)
        self.no_values.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.no_values.setContentsMargins(24, 24, 24, 24)
        self.body = QStackedWidget(self)
        self.body.addWidget(self.tabs)
        self.body.addWidget(self.no_values)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 6, 8, 6)
        lay.setSpacing(6)
        lay.addWidget(self.title)
        lay.addWidget(self.stats_box)
        lay.addLayout(status_row)
        lay.addWidget(self.body, 1)
        self._index: tuple[int, ...] = ()
        self._slider_axes: list[int] = []

    # -- lazy plots ---------------------------------------------------------------------
    def build_plots(self) -> None:
        """Create every pyqtgraph item once (deferred until after the first paint)."""
        if self._built:
            return
        pg = _pyqtgraph()
        self._built = True
        pal = QGuiApplication.palette()

        # histogram
        self.hist_plot = pg.PlotWidget(self.hist_page)
        self.hist_plot.setMenuEnabled(False)
        self.hist_plot.setLabel("left", "count")
        self.hist_plot.setLabel("bottom", "value")
        self.hist_plot.showGrid(x=True, y=True, alpha=0.15)
        self.hist_curve = pg.PlotDataItem(stepMode="center", fillLevel=0)
        self.hist_plot.addItem(self.hist_curve)
        self.mean_line = pg.InfiniteLine(angle=90, movable=False)
        self.hist_plot.addItem(self.mean_line)
        self.hist_note = QLabel(self.hist_page)
        self.hist_note.setForegroundRole(QPalette.PlaceholderText)
        self.log_box = QCheckBox("log count", self.hist_page)
        self.log_box.toggled.connect(self._set_log)
        row = QHBoxLayout()
        row.addWidget(self.hist_note, 1)
        row.addWidget(self.log_box)
        v = QVBoxLayout(self.hist_page)
        v.setContentsMargins(0, 4, 0, 0)
        v.addWidget(self.hist_plot, 1)
        v.addLayout(row)

        # heat map: index sliders for leading axes, image + LUT
        self.slider_box = QWidget(self.heat_page)
        self.slider_grid = QGridLayout(self.slider_box)
        self.slider_grid.setContentsMargins(0, 0, 0, 0)
        self.sliders: list[tuple[QSlider, QLabel]] = []
        self.heat_view = pg.GraphicsLayoutWidget(self.heat_page)
        self.heat_plot = self.heat_view.addPlot()
        self.heat_plot.setMenuEnabled(False)
        self.heat_plot.invertY(True)
        self.heat_plot.setLabel("left", "row")
        self.heat_plot.setLabel("bottom", "column")
        self.heat_image = pg.ImageItem()
        self.heat_plot.addItem(self.heat_image)
        self.heat_lut = pg.HistogramLUTItem()
        self.heat_lut.setImageItem(self.heat_image)
        self.heat_lut.gradient.setColorMap(pg.colormap.get("viridis"))
        self.heat_view.addItem(self.heat_lut)
        self.heat_note = QLabel(self.heat_page)
        self.heat_note.setForegroundRole(QPalette.PlaceholderText)
        v = QVBoxLayout(self.heat_page)
        v.setContentsMargins(0, 4, 0, 0)
        v.addWidget(self.slider_box)
        v.addWidget(self.heat_view, 1)
        v.addWidget(self.heat_note)

        # filter grid
        self.filter_stack = QStackedWidget(self.filter_page)
        grid_page = QWidget()
        self.fold = QComboBox(grid_page)
        self.fold.addItem("Sum over input channels", "sum")
        self.fold.addItem("First input channel", "first")
        self.fold.currentIndexChanged.connect(self._redo_mosaic)
        self.normalize = QCheckBox("Scale each filter", grid_page)
        self.normalize.setChecked(True)
        self.normalize.toggled.connect(self._redo_mosaic)
        top = QHBoxLayout()
        top.addWidget(self.fold)
        top.addWidget(self.normalize)
        top.addStretch(1)
        self.filter_view = pg.GraphicsLayoutWidget(grid_page)
        self.filter_plot = self.filter_view.addPlot()
        self.filter_plot.setMenuEnabled(False)
        self.filter_plot.hideAxis("left")
        self.filter_plot.hideAxis("bottom")
        self.filter_plot.invertY(True)
        self.filter_plot.setAspectLocked(True)
        self.filter_image = pg.ImageItem()
        self.filter_image.setColorMap(pg.colormap.get("CET-D1"))
        self.filter_plot.addItem(self.filter_image)
        self.filter_note = QLabel(grid_page)
        self.filter_note.setForegroundRole(QPalette.PlaceholderText)
        gv = QVBoxLayout(grid_page)
        gv.setContentsMargins(0, 4, 0, 0)
        gv.addLayout(top)
        gv.addWidget(self.filter_view, 1)
        gv.addWidget(self.filter_note)
        self.no_filters = QLabel("The filter grid shows 4-D convolution kernels (H×W×Cin×Cout).")
        self.no_filters.setAlignment(Qt.AlignCenter)
        self.no_filters.setForegroundRole(QPalette.PlaceholderText)
        self.filter_stack.addWidget(grid_page)
        self.filter_stack.addWidget(self.no_filters)
        v = QVBoxLayout(self.filter_page)
        v.setContentsMargins(0, 0, 0, 0)
        v.addWidget(self.filter_stack)
        self.apply_palette(pal)

    def apply_palette(self, pal: QPalette | None = None) -> None:
        if not self._built:
            return
        pg = _pyqtgraph()
        pal = pal or QGuiApplication.palette()
        base, text, accent = pal.color(QPalette.Base), pal.color(QPalette.Text), pal.color(QPalette.Highlight)
        for view in (self.hist_plot, self.heat_view, self.filter_view):
            view.setBackground(base)
        for plot in (self.hist_plot.getPlotItem(), self.heat_plot):
            for name in ("left", "bottom"):
                ax = plot.getAxis(name)
                ax.setPen(pg.mkPen(text))
                ax.setTextPen(pg.mkPen(text))
        self.heat_lut.axis.setPen(pg.mkPen(text))
        self.heat_lut.axis.setTextPen(pg.mkPen(text))
        fill = QColor(accent)
        fill.setAlpha(110)
        self.hist_curve.setPen(pg.mkPen(accent, width=1.5))
        self.hist_curve.setBrush(pg.mkBrush(fill))
        dim = QColor(text)
        dim.setAlpha(150)
        self.mean_line.setPen(pg.mkPen(dim, width=1, style=Qt.DashLine))

    # -- showing a weight -----------------------------------------------------------------
    def show_weight(self, w: Weight) -> None:
        self.build_plots()
        self._gen += 1
        gen = self._gen
        self.weight = w
        self._error = None
        self.details_button.setVisible(False)
        q = " · quantized" if w.dtype is not None and w.dtype.quantized else ""
        quant = f"<br>quantized: {_html(w.quant.summary())}" if w.quant is not None else ""
        self.title.setText(f"<b>{_html(w.var_name)}</b><br>{_html(shape_text(w.shape))} · {_html(w.dtype_name)}{q}"
                           f" · {w.size:,} params · {human_bytes(w.nbytes)}{quant}")
        if self._worker is not None:
            self._worker.cancel()
        if not w.available:
            self._clear_values()
            self.stats_box.setVisible(False)
            dim = QGuiApplication.palette().color(QPalette.PlaceholderText).name()
            self.no_values.setText(f"<p><b>No values to show</b></p><p>{_html(w.error)}</p>"
                                   f"<p style='color:{dim}'>This weight is listed from the graph, but its "
                                   f"values are not in the files that were opened, so it cannot be "
                                   f"previewed or exported.</p>")
            self.body.setCurrentIndex(1)
            self.status.setText("")
            self._error = (f"{w.name}: {w.error}", "")
            self.failed.emit(f"{w.name}: {w.error}")
            return
        self.stats_box.setVisible(True)
        self.body.setCurrentIndex(0)
        self.status.setText("computing statistics…")
        self._t0 = time.perf_counter()
        worker = Worker(lambda progress: compute_preview(w, progress), name="preview")
        worker.signals.result.connect(lambda data, g=gen: self._apply(g, data))
        worker.signals.error.connect(lambda e, tb, g=gen: self._failed(g, e, tb))
        self._worker = worker
        self.jobs.start(worker)

    def _clear_values(self) -> None:
        for lab in self.stat_values.values():
            lab.setText("–")
        self.data = None
        self.table_model.set_array(None)
        if self._built:
            self.hist_curve.setData([], [])
            self.heat_image.clear()
            self.filter_image.clear()

    def _failed(self, gen: int, e: Exception, tb: str) -> None:
        if gen != self._gen:
            return
        self._clear_values()
        line = str(e) if isinstance(e, PbscopeError) else f"{self.weight.name}: cannot preview it: {type(e).__name__}: {e}"
        self._fail(line, tb)

    def _fail(self, line: str, details: str) -> None:
        self._error = (line, details)
        self.status.setText(line)
        self.details_button.setVisible(bool(details))
        self.failed.emit(line)

    def _show_error_details(self) -> None:
        if self._error:
            self.error_details.emit(*self._error)

    def _apply(self, gen: int, data: PreviewData) -> None:
        if gen != self._gen:   # the user moved on: this result is stale
            return
        self.data = data
        stats = data.stats or {}
        for key, lab in self.stat_values.items():
            lab.setText(stats.get(key, "–"))
        notes = [n for n in (data.numeric_note,) if n]
        self.status.setText(" · ".join(notes))
        # histogram
        if data.hist is not None:
            counts, edges = data.hist
            self.hist_curve.setData(edges, counts)
            self.hist_note.setText(f"{len(counts)} bins over {data.hist_note}")
            self.mean_line.setVisible(data.mean is not None)
            if data.mean is not None:
                self.mean_line.setValue(data.mean)
            self.hist_plot.getPlotItem().enableAutoRange()
        else:
            self.hist_curve.setData([], [])
            self.hist_note.setText("no numeric values")
            self.mean_line.setVisible(False)
        # heat map
        self._make_sliders(data.numeric.shape if data.numeric is not None else ())
        if data.image is not None:
            self._set_heat(data.image, data.image_levels, data.image_note)
        else:
            self.heat_image.clear()
            self.heat_note.setText("no numeric values")
        # filter grid
        self._set_mosaic(data.mosaic, data.mosaic_note)
        # values
        self.table_model.set_array(data.array)
        self.last_seconds = time.perf_counter() - self._t0
        self.ready.emit(data.weight.name)

    def _set_heat(self, img, levels, note: str) -> None:
        self.heat_image.setImage(img, autoLevels=False, levels=levels)
        self.heat_lut.setLevels(*levels)
        self.heat_lut.setHistogramRange(*levels)
        self.heat_plot.autoRange(padding=0)
        h, w = img.shape
        where = ""
        if self._index:
            where = "slice " + ", ".join(f"axis {ax} = {i}" for ax, i in zip(self._slider_axes, self._index)) + " · "
        self.heat_note.setText(f"{where}{h}×{w} shown" + (f" · {note}" if note else ""))

    def _set_mosaic(self, mosaic, note: str) -> None:
        if mosaic is None:
            self.filter_image.clear()
            self.filter_stack.setCurrentIndex(1)
            return
        self.filter_stack.setCurrentIndex(0)
        self.filter_image.setImage(mosaic, autoLevels=False, levels=(-1.0, 1.0) if self.normalize.isChecked()
                                   else _sym_levels(mosaic))
        self.filter_plot.autoRange(padding=0.01)
        self.filter_note.setText(note)

    def _redo_mosaic(self) -> None:
        if self.data is None or self.data.numeric is None:
            return
        mosaic, note = filter_mosaic(self.data.numeric, self.fold.currentData(), self.normalize.isChecked())
        self._set_mosaic(mosaic, note)

    def _set_log(self, on: bool) -> None:
        self.hist_plot.setLogMode(y=on)

    # -- index sliders for axes beyond the two shown ------------------------------------------------
    def _make_sliders(self, shape: tuple[int, ...]) -> None:
        axes = heat_axes(shape) if len(shape) > 2 else []
        self._slider_axes = axes[:-2]
        lead = tuple(shape[i] for i in self._slider_axes)
        self._index = tuple(0 for _ in lead)
        for slider, label in self.sliders:
            slider.deleteLater()
            label.deleteLater()
        self.sliders = []
        for axis, size in enumerate(lead):
            label = QLabel(self.slider_box)
            slider = QSlider(Qt.Horizontal, self.slider_box)
            slider.setRange(0, max(size - 1, 0))
            slider.setEnabled(size > 1)
            slider.valueChanged.connect(self._slice_changed)
            self.slider_grid.addWidget(label, axis, 0)
            self.slider_grid.addWidget(slider, axis, 1)
            self.sliders.append((slider, label))
        self._label_sliders(lead)
        self.slider_box.setVisible(bool(lead))

    def _label_sliders(self, lead) -> None:
        for axis, (slider, label), size in zip(self._slider_axes, self.sliders, lead):
            label.setText(f"axis {axis}: {slider.value()} / {size - 1}")

    def _slice_changed(self) -> None:
        if self.data is None or self.data.numeric is None:
            return
        a = self.data.numeric
        self._index = tuple(s.value() for s, _ in self.sliders)
        self._label_sliders(tuple(a.shape[i] for i in self._slider_axes))
        img, levels, note = display_image(a, self._index)
        self._set_heat(img, levels, note)

    def set_slice(self, index: tuple[int, ...]) -> None:
        """Move the index sliders (tests, and keyboard users through the sliders)."""
        for (slider, _), i in zip(self.sliders, index):
            slider.setValue(i)


def _sym_levels(a: np.ndarray) -> tuple[float, float]:
    m = float(np.nanmax(np.abs(a))) if np.isfinite(a).any() else 1.0
    m = m or 1.0
    return -m, m


def _html(text: str) -> str:
    return html.escape(str(text))
