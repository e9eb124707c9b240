"""The look: the themes (system, light, dark), the dark palette and the Fusion style that
keeps check boxes legible on it. The window switches themes here (View ▸ Theme); start-up
(app.py) applies the saved one. Nothing here imports the window or the start-up module."""
from __future__ import annotations

import json
from importlib.resources import files

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QProxyStyle, QStyle

from .. import resources

THEMES = ("system", "light", "dark")

_system_palette: QPalette | None = None     # the platform's palette, kept before a theme replaces it


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


def system_palette(app: QApplication | None = None) -> QPalette:
    """The platform's palette, as it was before the first theme was applied."""
    global _system_palette
    if _system_palette is None:
        _system_palette = QPalette((app or QApplication.instance()).palette())
    return _system_palette


def apply_theme(name: str, app: QApplication | None = None) -> str:
    """'system' (the platform's palette), 'light' (Fusion's) or 'dark'; anything else is
    'system'. Returns the theme applied."""
    app = app or QApplication.instance()
    saved = system_palette(app)
    if name == "dark":
        app.setPalette(dark_palette())
    elif name == "light":
        app.setPalette(app.style().standardPalette())
    else:
        name = "system"
        app.setPalette(saved)
    return name
