"""GUI test fixtures: offscreen Qt, throw-away QSettings, a window that must leave no thread running."""
from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"

from pathlib import Path  # noqa: E402

from tests.fixtures import corpus
import pytest  # noqa: E402
from PySide6.QtCore import QSettings, QThreadPool  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "resources" / "demo_mobilenet_v1.pb"
CORPUS = corpus.CORPUS      # ../shared/corpus, or $PBSCOPE_CORPUS


@pytest.fixture(scope="session", autouse=True)
def _private_settings(tmp_path_factory):
    """Every QSettings() in the tests reads and writes an ini file under tmp, not the user's."""
    folder = tmp_path_factory.mktemp("qsettings")
    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(folder))
    QSettings.setPath(QSettings.IniFormat, QSettings.SystemScope, str(folder / "system"))
    yield folder


@pytest.fixture
def app(qapp):
    from pbscope.gui.app import setup_application
    setup_application(qapp)
    QSettings().clear()
    return qapp


@pytest.fixture
def demo_path() -> str:
    assert DEMO.is_file(), "resources/demo_mobilenet_v1.pb is missing (python resources/make_demo.py)"
    return str(DEMO)


@pytest.fixture
def window(app, qtbot, tmp_path):
    """A shown MainWindow exporting into tmp; closed afterwards with no worker left running."""
    from pbscope.gui.main_window import MainWindow
    QSettings().setValue("export/lastFolder", str(tmp_path))
    win = MainWindow()
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()
    pool = QThreadPool.globalInstance()
    assert pool.waitForDone(10_000), "a worker thread did not finish"
    assert pool.activeThreadCount() == 0
    qtbot.wait(20)   # let the workers' queued "finished" signals arrive
    assert not win.jobs.running()
    win.deleteLater()


@pytest.fixture
def demo(window, qtbot, demo_path):
    """The window with the demo model open and its tree painted."""
    with qtbot.waitSignal(window.model_shown, timeout=15_000):
        window.open_path(demo_path)
    return window
