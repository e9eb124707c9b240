"""Start-up: QApplication, settings names, theme, the main window, ``main(path)``.

Kept light on imports: pyqtgraph loads only when the first weight is previewed
(or just after the first paint), so ``python main.py model.pb`` paints the tree
without paying for it.
"""
from __future__ import annotations

import json
import os
import sys
import time
from importlib.resources import files

from .. import resources
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QProxyStyle, QStyle, QStyleFactory

ORGANIZATION = "pbscope"
APPLICATION = "pbscope"
RESOURCES = Path(__file__).resolve().parent.parent / "resources"
DEMO_MODEL = RESOURCES / "demo_mobilenet_v1.pb"
THEMES = ("system", "light", "dark")

_system_palette: QPalette | None = None


def demo_model_path() -> str | None:
    return str(DEMO_MODEL) if DEMO_MODEL.is_file() else None


def dark_palette() -> QPalette:
    """The dark theme for the Fusion style: resources/style/dark_palette.json, every colour
    role the widgets use, plus the disabled state's."""
    spec = json.loads((files(resources) / "style" / "dark_palette.json").read_text("utf-8"))
    p = QPalette()
    for group, colors in ((QPalette.All, spec["all"]), (QPalette.Disabled, spec["disabled"])):
        for role, rgb in colors.items():
            p.setColor(group, getattr(QPalette, role), QColor(*rgb))
    return p


class IndicatorStyle(QProxyStyle):
    """Fusion, with check boxes and radio buttons legible on dark palettes: Fusion outlines
    them with Window.darker(140), which vanishes on a dark Window or Base. There, the
    indicator is drawn with a Window colour between Text and Base instead (the tree's
    delegate does the same for its boxes)."""

    INDICATORS = (QStyle.PE_IndicatorCheckBox, QStyle.PE_IndicatorRadioButton,
                  QStyle.PE_IndicatorItemViewItemCheck)

    def drawPrimitive(self, element, option, painter, widget=None) -> None:
        if element in self.INDICATORS and option is not None:
            pal = option.palette
            base, text = pal.color(QPalette.Base), pal.color(QPalette.Text)
            if base.lightness() < 128:
                saved = QPalette(pal)
                mixed = QPalette(pal)
                mixed.setColor(QPalette.Window, QColor((text.red() * 3 + base.red() * 2) // 5,
                                                       (text.green() * 3 + base.green() * 2) // 5,
                                                       (text.blue() * 3 + base.blue() * 2) // 5))
                option.palette = mixed
                try:
                    super().drawPrimitive(element, option, painter, widget)
                finally:
                    option.palette = saved
                return
        super().drawPrimitive(element, option, painter, widget)


def apply_theme(name: str, app: QApplication | None = None) -> None:
    """'system' (the platform's palette), 'light' (Fusion's) or 'dark'."""
    app = app or QApplication.instance()
    global _system_palette
    if _system_palette is None:
        _system_palette = QPalette(app.palette())
    if name == "dark":
        app.setPalette(dark_palette())
    elif name == "light":
        app.setPalette(app.style().standardPalette())
    else:
        app.setPalette(_system_palette)


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
    """``python main.py [PATH]``: the window, with PATH or else the bundled demo model."""
    app = create_app()
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
        win.statusBar().showMessage("Open a model with File ▸ Open or Open Folder, or drop it here")
    return app.exec()


if __name__ == "__main__":  # pragma: no cover - `python -m gui.app [PATH]`
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else None))
