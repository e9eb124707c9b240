"""Weight preview: statistics, histogram, heat map, filter grid and a lazy value table.

The numbers come from core.preview (``compute_preview``, pure numpy, run in a worker;
``show`` in the command line prints the same statistics and bins). A constant that
stores fewer values than its shape holds (a broadcast view or a core.tensors.Repeated)
is never expanded: statistics and histogram come from its stored values and their
counts, the heat map and the value table read only the elements they show. The panel
only draws what it gets, through items
created once and updated with setData/setImage, and drops results that arrive
after the user moved on (a generation number). pyqtgraph is imported on first use,
not at start-up: it is most of a cold start's import time.
"""
from __future__ import annotations

import html
import time

import numpy as np
from PySide6.QtCore import QT_TRANSLATE_NOOP, QAbstractTableModel, QCoreApplication, QModelIndex, Qt, Signal
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

from ..core.model import Weight
from ..core.preview import (  # noqa: F401 - the numbers live in core; tests import them from here
    HIST_FULL_MAX,
    IMAGE_MAX,
    MAX_TILE_SIDE,
    MAX_TILES,
    MOSAIC_EXPAND_MAX,
    STAT_KEYS,
    TABLE_MAX_COLS,
    PreviewData,
    as_table,
    cell_text,
    compute_preview,
    display_image,
    filter_mosaic,
    heat_axes,
    histogram,
    is_kernel,
    slice_2d,
    stats_text,
)
from ..core.tensors import Repeated

from .fmt import human_bytes, shape_text
from .workers import Jobs, Worker, run_in_worker

TABLE_CHUNK = 1000           # value-table rows fetched per step

pg = None  # pyqtgraph, imported by _pyqtgraph()

# the statistics' labels (core.preview.STAT_KEYS), translated where shown
STAT_LABELS = {"min": QT_TRANSLATE_NOOP("PreviewPanel", "min"), "max": QT_TRANSLATE_NOOP("PreviewPanel", "max"),
               "mean": QT_TRANSLATE_NOOP("PreviewPanel", "mean"), "std": QT_TRANSLATE_NOOP("PreviewPanel", "std"),
               "zeros": QT_TRANSLATE_NOOP("PreviewPanel", "zeros"), "NaN": QT_TRANSLATE_NOOP("PreviewPanel", "NaN"),
               "Inf": QT_TRANSLATE_NOOP("PreviewPanel", "Inf"),
               "elements": QT_TRANSLATE_NOOP("PreviewPanel", "elements")}


def _pyqtgraph():
    global pg
    if pg is None:
        import pyqtgraph
        pyqtgraph.setConfigOptions(imageAxisOrder="row-major", antialias=True)
        pg = pyqtgraph
    return pg


# -- the lazy value table -------------------------------------------------------------

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
                return QCoreApplication.translate("ValueTableModel", "value")
            if self._t.shape[1] == 1 and (self._a.ndim == 1 or self._flat):
                return QCoreApplication.translate("ValueTableModel", "value")
            return str(section)
        if self._a.ndim == 0:
            return ""
        if self._a.ndim == 1 and not self._flat:
            return str(section)
        shape = self._a.shape if self._flat else self._lead
        idx = np.unravel_index(section, shape)
        return "[" + ", ".join(str(int(i)) for i in idx) + (", :]" if not self._flat else "]")


# -- the panel ---------------------------------------------------------------------------


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
            name = QLabel(QCoreApplication.translate("PreviewPanel", STAT_LABELS.get(key, key)), self.stats_box)
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
        self.details_button = QPushButton(self.tr("Details…"), self)
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
        self.tabs.addTab(self.hist_page, self.tr("Histogram"))
        self.tabs.addTab(self.heat_page, self.tr("Heat map"))
        self.tabs.addTab(self.filter_page, self.tr("Filters"))
        self.tabs.addTab(self.table, self.tr("Values"))

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
        self.hist_plot.setLabel("left", self.tr("count"))
        self.hist_plot.setLabel("bottom", self.tr("value"))
        self.hist_plot.showGrid(x=True, y=True, alpha=0.15)
        self.hist_curve = pg.PlotDataItem(stepMode="center", fillLevel=0)
        self.hist_plot.addItem(self.hist_curve)
        self.mean_line = pg.InfiniteLine(angle=90, movable=False)
        self.hist_plot.addItem(self.mean_line)
        self.hist_note = QLabel(self.hist_page)
        self.hist_note.setForegroundRole(QPalette.PlaceholderText)
        self.log_box = QCheckBox(self.tr("log count"), self.hist_page)
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
        self.heat_plot.setLabel("left", self.tr("row"))
        self.heat_plot.setLabel("bottom", self.tr("column"))
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
        self.fold.addItem(self.tr("Sum over input channels"), "sum")
        self.fold.addItem(self.tr("First input channel"), "first")
        self.fold.currentIndexChanged.connect(self._redo_mosaic)
        self.normalize = QCheckBox(self.tr("Scale each filter"), grid_page)
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
        self.no_filters = QLabel(self.tr("The filter grid shows 4-D convolution kernels (H×W×Cin×Cout)."))
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
        q = _html(self.tr(" · quantized")) if w.dtype is not None and w.dtype.quantized else ""
        quant = ("<br>" + _html(self.tr("quantized: {summary}").format(summary=w.quant.summary()))
                 if w.quant is not None else "")
        params = _html(self.tr("{n} params").format(n=f"{w.size:,}"))
        self.title.setText(f"<b>{_html(w.var_name)}</b><br>{_html(shape_text(w.shape, compact=True))} · {_html(w.dtype_name)}{q}"
                           f" · {params} · {human_bytes(w.nbytes)}{quant}")
        if self._worker is not None:
            self._worker.cancel()
        if not w.available:
            self._clear_values()
            self.stats_box.setVisible(False)
            dim = QGuiApplication.palette().color(QPalette.PlaceholderText).name()
            self.no_values.setText("<p><b>{}</b></p><p>{}</p><p style='color:{}'>{}</p>".format(
                _html(self.tr("No values to show")), _html(w.error), dim, _html(self.tr(
                    "This weight is listed from the graph, but its values are not in the files that were "
                    "opened, so it cannot be previewed or exported."))))
            self.body.setCurrentIndex(1)
            self.status.setText("")
            self._error = (f"{w.name}: {w.error}", "")
            self.failed.emit(f"{w.name}: {w.error}")
            return
        self.stats_box.setVisible(True)
        self.body.setCurrentIndex(0)
        self.status.setText(self.tr("computing statistics…"))
        self._t0 = time.perf_counter()
        self._worker = run_in_worker(self.jobs, lambda progress: compute_preview(w, progress),
                                     lambda data, g=gen: self._apply(g, data),
                                     lambda line, details, g=gen: self._failed(g, line, details),
                                     path=w.name, name="preview", doing=self.tr("cannot preview it"))

    def _clear_values(self) -> None:
        for lab in self.stat_values.values():
            lab.setText("–")
        self.data = None
        self.table_model.set_array(None)
        if self._built:
            self.hist_curve.setData([], [])
            self.heat_image.clear()
            self.filter_image.clear()

    def _failed(self, gen: int, line: str, details: str) -> None:
        if gen != self._gen:
            return
        self._clear_values()
        self._fail(line, details)

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
            if data.hist_step > 1:
                note = self.tr("{bins} bins over every {step}th of {n} values")
            else:
                note = self.tr("{bins} bins over {n} values")
            self.hist_note.setText(note.format(bins=len(counts), step=data.hist_step, n=f"{data.hist_values:,}"))
            self.mean_line.setVisible(data.mean is not None)
            if data.mean is not None:
                self.mean_line.setValue(data.mean)
            self.hist_plot.getPlotItem().enableAutoRange()
        else:
            self.hist_curve.setData([], [])
            self.hist_note.setText(self.tr("no numeric values"))
            self.mean_line.setVisible(False)
        # heat map
        self._make_sliders(data.numeric.shape if data.numeric is not None else ())
        if data.image is not None:
            self._set_heat(data.image, data.image_levels, data.image_note)
        else:
            self.heat_image.clear()
            self.heat_note.setText(self.tr("no numeric values"))
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
            axes = ", ".join(self.tr("axis {axis} = {i}").format(axis=ax, i=i)
                             for ax, i in zip(self._slider_axes, self._index))
            where = self.tr("slice {axes}").format(axes=axes) + " · "
        self.heat_note.setText(where + self.tr("{h}×{w} shown").format(h=h, w=w) + (f" · {note}" if note else ""))

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
            label.setText(self.tr("axis {axis}: {i} / {last}").format(axis=axis, i=slider.value(), last=size - 1))

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
