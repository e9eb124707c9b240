"""Start-up: QApplication, settings names, the saved theme (theme.py), the main window, ``main(path)``.

Kept light on imports: pyqtgraph loads only when the first weight is previewed
(or just after the first paint), so ``pbscope model.pb`` paints the tree
without paying for it.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSettings, QTimer
from PySide6.QtWidgets import QApplication, QStyleFactory

from .theme import THEMES, IndicatorStyle, apply_theme

ORGANIZATION = "pbscope"
APPLICATION = "pbscope"
RESOURCES = Path(__file__).resolve().parent.parent / "resources"
DEMO_MODEL = RESOURCES / "demo_mobilenet_v1.pb"


def demo_model_path() -> str | None:
    return str(DEMO_MODEL) if DEMO_MODEL.is_file() else None


def setup_application(app: QApplication) -> QApplication:
    """Names (QSettings files live under them), style, theme. Tests call this too."""
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setStyle(IndicatorStyle(QStyleFactory.create("Fusion")))
    theme = QSettings().value("view/theme", "system")
    apply_theme(theme if theme in THEMES else "system", app)
    return app


def create_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    return setup_application(app)


def main(path: str | None = None) -> int:
    """``pbscope [PATH]``: the window, with PATH or else the bundled demo model."""
    from ..core.logs import configure_file
    configure_file()          # $XDG_STATE_HOME/pbscope/pbscope.log, rotating; none if it cannot be made
    app = create_app()
    from .i18n import install_translation
    install_translation(app)  # the saved language (Help ▸ Language), else the locale's; before any window
    from .main_window import (
        MainWindow,  # after QApplication: it builds palette-drawn icons
    )

    win = MainWindow()
    if os.environ.get("PBSCOPE_BENCH_FIRST_PAINT"):
        # bench/gui.py: print the wall-clock time of the first paint of a filled tree, then quit
        def painted(p: str) -> None:
            print(f"PBSCOPE_FIRST_PAINT {time.time():.6f}", flush=True)
            app.quit()

        def failed(line: str) -> None:
            print(f"PBSCOPE_ERROR {line}", flush=True)
            app.exit(1)
        win.model_shown.connect(painted)
        win.error_shown.connect(failed)
    else:
        # warm pyqtgraph up once the window is on screen, so the first preview is quick
        win.model_shown.connect(lambda _p: QTimer.singleShot(50, win.preview.build_plots))
    win.show()
    target = path or demo_model_path()
    if target:
        win.open_path(target)
    else:
        win.statusBar().showMessage(QCoreApplication.translate(
            "MainWindow", "Open a model with File ▸ Open or Open Folder, or drop it here"))
    return app.exec()


if __name__ == "__main__":  # pragma: no cover - `python -m gui.app [PATH]`
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else None))
