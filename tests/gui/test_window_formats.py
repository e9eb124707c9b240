"""Every format opens in the window from files the tests make (no ../shared needed): the tree,
the details, a weight's preview with its real values, and the graph pane."""
from __future__ import annotations

import numpy as np
import pytest

# Session fixtures that write the models (TensorFlow/Keras, or by hand), shared with core's tests
from tests.core.formats.test_checkpoint import tf1_ckpt  # noqa: F401
from tests.core.formats.test_keras import kmodels  # noqa: F401
from tests.core.formats.test_savedmodel import keras_savedmodel  # noqa: F401
from tests.core.formats.test_tflite import tflite_models  # noqa: F401
from tests.core.formats.test_tfjs import graph_model, keras_model  # noqa: F401

CASES = {
    "keras": lambda f: f["kmodels"]["keras"],
    "h5": lambda f: f["kmodels"]["h5"],
    "weights.h5": lambda f: f["kmodels"]["weights"],
    "tflite": lambda f: f["tflite_models"][0]["float"],
    "tfjs layers": lambda f: f["keras_model"]["json"],
    "tfjs graph": lambda f: f["graph_model"]["json"],
    "savedmodel": lambda f: f["keras_savedmodel"]["folder"],
    "tf1 checkpoint": lambda f: f["tf1_ckpt"]["folder"],
}
FIXTURES = {"keras": "kmodels", "h5": "kmodels", "weights.h5": "kmodels", "tflite": "tflite_models",
            "tfjs layers": "keras_model", "tfjs graph": "graph_model", "savedmodel": "keras_savedmodel",
            "tf1 checkpoint": "tf1_ckpt"}


@pytest.mark.parametrize("case", list(CASES))
def test_the_window_opens_it(window, qtbot, request, case):
    fixture = FIXTURES[case]
    path = str(CASES[case]({fixture: request.getfixturevalue(fixture)}))
    window.show_graph(True)
    with qtbot.waitSignal(window.model_shown, timeout=60_000):
        window.open_path(path)
    graph = window.graph
    assert window.tree_model.rowCount() > 0
    assert graph.weights, f"{case}: no weights"
    qtbot.waitUntil(lambda: bool(window.graph_pane.canvas.view and window.graph_pane.canvas.view.items),
                    timeout=60_000)
    # the biggest weight with its values: previewed, the statistics its own
    w = max((w for w in graph.weights if w.available), key=lambda w: w.size)
    with qtbot.waitSignal(window.preview.ready, timeout=30_000):
        window.navigate(w.name)
    a = np.asarray(w.array(), dtype=np.float64)
    stats = window.preview.stat_values
    assert float(stats["min"].text()) == pytest.approx(a.min(), rel=1e-5, abs=1e-6)
    assert float(stats["max"].text()) == pytest.approx(a.max(), rel=1e-5, abs=1e-6)
    assert window.preview.data.hist[0].sum() == a.size
