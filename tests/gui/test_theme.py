"""gui/theme.py: the themes live apart from start-up, and the window never imports app.py."""
from __future__ import annotations

import ast

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QStyle

from .conftest import ROOT


def _imports(module: str) -> set[str]:
    """The modules a gui file imports (relative ones as '.name')."""
    tree = ast.parse((ROOT / "gui" / f"{module}.py").read_text("utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            out.add("." * node.level + (node.module or ""))
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


def test_no_cycle_between_app_and_main_window():
    assert ".app" not in _imports("main_window")
    assert ".theme" in _imports("main_window")
    theme = _imports("theme")
    assert ".app" not in theme and ".main_window" not in theme


def test_dark_palette_is_the_json(qapp):
    from pbscope.gui.theme import dark_palette
    p = dark_palette()
    assert p.color(QPalette.Base).getRgb()[:3] == (30, 30, 32)
    assert p.color(QPalette.Window).getRgb()[:3] == (45, 45, 48)
    assert p.color(QPalette.Text).getRgb()[:3] == (220, 220, 220)
    assert p.color(QPalette.Disabled, QPalette.Text).getRgb()[:3] == (120, 120, 124)


def test_apply_theme_and_back_to_system(app):
    from pbscope.gui import theme
    system = theme.system_palette(app).color(QPalette.Base).name()
    try:
        assert theme.apply_theme("dark", app) == "dark"
        assert app.palette().color(QPalette.Base).name() == "#1e1e20"
        assert theme.apply_theme("light", app) == "light"
        assert app.palette().color(QPalette.Base).name() == app.style().standardPalette().color(QPalette.Base).name()
        assert theme.apply_theme("no such theme", app) == "system"
        assert app.palette().color(QPalette.Base).name() == system
    finally:
        theme.apply_theme("system", app)
    assert theme.THEMES == ("system", "light", "dark")


def test_app_uses_the_theme_module(app):
    from pbscope.gui import app as app_module
    from pbscope.gui import theme
    assert app_module.apply_theme is theme.apply_theme and app_module.THEMES is theme.THEMES
    assert not hasattr(app_module, "dark_palette")
    assert isinstance(app.style(), theme.IndicatorStyle)
    assert theme.IndicatorStyle.INDICATORS[0] == QStyle.PE_IndicatorCheckBox


def test_window_switches_theme_and_saves_it(window):
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QGuiApplication
    try:
        window.set_theme("dark")
        assert QGuiApplication.palette().color(QPalette.Base).name() == "#1e1e20"
        assert QSettings().value("view/theme") == "dark" and window.theme_actions["dark"].isChecked()
    finally:
        window.set_theme("system")
    assert QSettings().value("view/theme") == "system"
