"""The Simplified Chinese UI: the .ts covers every tr() string and translates each, the .qm
and the CJK font subset ship and load, the language comes from the setting or the locale,
and the translated window, About box, restore dialog and filter bar show every text whole
(screenshots are written to tmp for a person to look at)."""
from __future__ import annotations

import importlib.util
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, QSettings, Qt, QTranslator
from PySide6.QtGui import QFont, QFontDatabase, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QTabBar,
    QToolButton,
    QWidget,
)

ROOT = Path(__file__).resolve().parents[2]
TS = ROOT / "resources" / "i18n" / "pbscope_zh_CN.ts"
QM = ROOT / "resources" / "i18n" / "pbscope_zh_CN.qm"
FONT = ROOT / "resources" / "fonts" / "NotoSansSC-pbscope-subset.ttf"


def _tools_i18n():
    spec = importlib.util.spec_from_file_location("pbscope_tools_i18n", ROOT / "tools" / "i18n.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _zh(context: str, source: str) -> str:
    return QCoreApplication.translate(context, source)


@pytest.fixture
def zh(app):
    """The saved language is zh_CN and its translators are installed, as at start-up."""
    from pbscope.gui.i18n import install_translation, remove_translation
    font = QFont(app.font())
    QSettings().setValue("view/language", "zh_CN")
    assert install_translation(app) == "zh_CN"
    yield app
    remove_translation(app)
    app.setFont(font)


# -- the files ------------------------------------------------------------------------------------

def test_ts_translates_every_string():
    unfinished = []
    count = 0
    for ctx in ET.parse(TS).getroot().iter("context"):
        for m in ctx.iter("message"):
            count += 1
            t = m.find("translation")
            if t is None or t.get("type") in ("unfinished", "obsolete", "vanished") or not "".join(t.itertext()):
                unfinished.append((ctx.findtext("name"), m.findtext("source")))
    assert count > 300
    assert unfinished == []


def test_ts_covers_every_tr_string(tmp_path):
    """lupdate over gui/ finds no string that the committed .ts lacks, nor the reverse."""
    tools = _tools_i18n()
    fresh = tmp_path / "fresh.ts"
    tools.lupdate(fresh, extra=())
    want = {(c, s) for c, s, _t, _ok in tools.messages(fresh)}
    have = {(c, s) for c, s, _t, _ok in tools.messages(TS)}
    assert want - have == set(), "run python tools/i18n.py and translate the new strings"
    assert have - want == set(), "run python tools/i18n.py to drop strings no longer in gui/"


def test_placeholders_survive_translation():
    """Every {name} of a source is in its translation, so .format() never fails."""
    import re
    tools = _tools_i18n()
    for ctx, src, text, _ok in tools.messages(TS):
        assert set(re.findall(r"\{[^}]*\}", src)) == set(re.findall(r"\{[^}]*\}", text)), (ctx, src, text)
        if "&" in src.replace("&&", "") and not src.startswith("<"):
            assert "&" in text, (ctx, src, text)        # the shortcut letter is kept


def test_qm_loads():
    assert QM.is_file()
    t = QTranslator()
    assert t.load(str(QM))
    assert t.translate("FilterBar", "Weights only") == "仅权重"


def test_font_subset_covers_the_translations(app):
    assert FONT.is_file()
    assert FONT.stat().st_size < 1_000_000
    assert (FONT.parent / "OFL.txt").is_file()
    font_id = QFontDatabase.addApplicationFont(str(FONT))
    assert font_id >= 0
    family = QFontDatabase.applicationFontFamilies(font_id)[0]
    fm = QFontMetrics(QFont(family))
    tools = _tools_i18n()
    from pbscope.gui.i18n import NATIVE_NAMES
    shown = ("".join(text for _c, _s, text, _ok in tools.messages(TS)) + tools.qt_text("zh_CN")
             + "".join(NATIVE_NAMES.values()))
    missing = {ch for ch in shown if not ch.isspace() and not fm.inFontUcs4(ord(ch))}
    assert missing == set(), "run python tools/i18n.py --font … to regenerate the subset"
    assert "确" in tools.qt_text("zh_CN")       # Qt's "OK" button: 确定


# -- choosing the language ------------------------------------------------------------------------

@pytest.mark.parametrize("name, want", [("zh_CN", "zh_CN"), ("zh_SG", "zh_CN"), ("zh_Hans_CN", "zh_CN"),
                                        ("zh_TW", "zh_CN"), ("zh", "zh_CN"), ("en_US", "en"), ("de_DE", "en"),
                                        ("ja_JP", "en")])
def test_system_language(name, want):
    from pbscope.gui.i18n import system_language
    assert system_language(QLocale(name)) == want


def test_setting_chooses_the_language(app):
    from pbscope.gui.i18n import install_translation, remove_translation, resolve, system_language
    QSettings().setValue("view/language", "en")
    assert resolve() == "en"
    assert install_translation(app) == "en"
    assert QCoreApplication.translate("FilterBar", "Weights only") == "Weights only"
    QSettings().setValue("view/language", "nonsense")
    assert resolve() == system_language()
    QSettings().setValue("view/language", "zh_CN")
    font = QFont(app.font())
    try:
        assert install_translation(app) == "zh_CN"
        assert QCoreApplication.translate("FilterBar", "Weights only") == "仅权重"
        # Qt's own strings too (standard dialog buttons)
        assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"
    finally:
        remove_translation(app)
        app.setFont(font)
    assert QCoreApplication.translate("FilterBar", "Weights only") == "Weights only"


def test_language_menu_saves_the_choice(window, qtbot):
    from pbscope.gui.i18n import saved_language
    actions = window.language_actions
    assert list(actions) == ["system", "en", "zh_CN"]
    assert actions["system"].isChecked() and actions["zh_CN"].text() == "简体中文"
    actions["zh_CN"].trigger()
    assert saved_language() == "zh_CN"
    assert actions["zh_CN"].isChecked()
    box = window.findChild(QMessageBox, "languageNotice")
    assert box is not None and "restarted" in box.text()
    box.close()
    assert QSettings().value("view/language") == "zh_CN"


# -- Help ▸ About ---------------------------------------------------------------------------------

def test_about_shows_the_versions(window, qtbot):
    import PySide6
    from PySide6.QtCore import qVersion

    from pbscope.core.about import versions
    window.act_about.trigger()
    box = window.about_box
    assert box is not None and box.isVisible()
    text = box.text()
    for name, version in versions().items():
        assert name in text
        assert (version or "not installed") in text
    assert qVersion() in text and PySide6.__version__ in text
    box.close()


# -- the translated window, with nothing cut off ------------------------------------------------

def _cut_off(root: QWidget) -> list[str]:
    """Texts of visible labels, buttons and tabs under ``root`` that do not fit their widget."""
    bad = []
    for w in [root, *root.findChildren(QWidget)]:
        if not w.isVisible() or w.width() <= 0:
            continue
        if isinstance(w, QLabel):
            text = w.text()
            if not text or w.wordWrap() or w.sizePolicy().horizontalPolicy() == QSizePolicy.Ignored:
                continue
            if w.textFormat() == 1 or text.lstrip().startswith("<"):    # rich text: its size hint
                need = w.sizeHint().width()
            else:
                need = w.fontMetrics().horizontalAdvance(text) + 2 * w.margin()
            if need > w.width() + 1:
                bad.append(f"QLabel {text!r}: needs {need}, has {w.width()}")
        elif isinstance(w, (QPushButton, QCheckBox, QToolButton)):
            text = w.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
            if not text or (isinstance(w, QToolButton) and w.toolButtonStyle() == 0):   # icon only
                continue
            need = w.sizeHint().width()
            if need > w.width() + 1:
                bad.append(f"{type(w).__name__} {text!r}: needs {need}, has {w.width()}")
        elif isinstance(w, QTabBar):
            for i in range(w.count()):
                text = w.tabText(i)
                if w.fontMetrics().horizontalAdvance(text) > w.tabRect(i).width():
                    bad.append(f"tab {text!r}: has {w.tabRect(i).width()}")
    return bad


def _menus_fit(window) -> list[str]:
    bad = []
    mb = window.menuBar()
    if mb.sizeHint().width() > mb.width():
        bad.append(f"menu bar needs {mb.sizeHint().width()}, has {mb.width()}")
    for menu in window.findChildren(QMenu):
        for a in menu.actions():
            if a.isSeparator() or not a.text():
                continue
            if menu.fontMetrics().horizontalAdvance(a.text().replace("&", "")) > menu.sizeHint().width():
                bad.append(f"menu item {a.text()!r}")
    return bad


def _save(widget: QWidget, path: Path) -> None:
    assert widget.grab().save(str(path)), path


def test_chinese_window(zh, demo, qtbot, tmp_path):
    win = demo
    titles = [a.text() for a in win.menuBar().actions()]
    assert titles[0] == _zh("MainWindow", "&File")
    assert "文件" in titles[0] and "&F" in titles[0]
    assert any("帮助" in t for t in titles)
    assert win.filter_bar.weights_only.text() == "仅权重"
    assert win.tree_model.headerData(0, Qt.Horizontal) == "名称"
    win.resize(1280, 800)
    qtbot.wait(100)
    _save(win, tmp_path / "zh_main_window.png")
    _save(win.filter_bar, tmp_path / "zh_filter_bar.png")
    assert _cut_off(win) == []
    assert _menus_fit(win) == []
    # a weight's preview and details
    w = next(w for w in win.graph.weights if w.available and len(w.shape) == 4)
    with qtbot.waitSignal(win.preview.ready, timeout=15_000):
        win.navigate(w.name)
    qtbot.wait(50)
    _save(win, tmp_path / "zh_main_window_weight.png")
    assert _cut_off(win) == []
    print("screenshots:", tmp_path)


def test_chinese_about_box(zh, window, qtbot, tmp_path):
    window.act_about.trigger()
    box = window.about_box
    qtbot.waitExposed(box)
    assert box.windowTitle() == "关于 pbscope"
    assert "版本" in box.text()
    _save(box, tmp_path / "zh_about.png")
    assert _cut_off(box) == []
    box.close()


def test_chinese_restore_dialog(zh, demo, qtbot, tmp_path):
    demo.restore_into()
    dialog = demo.restore_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    qtbot.wait(100)
    assert dialog.windowTitle() != "Restore into Model"
    _save(dialog, tmp_path / "zh_restore_dialog.png")
    assert _cut_off(dialog) == []
    dialog.close()


def test_buttons_keep_mnemonics(zh, window):
    """&-shortcuts survive translation: each menu title still has one."""
    for a in window.menuBar().actions():
        assert "&" in a.text(), a.text()


def test_english_is_untouched(window):
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles[0] == "&File"
    assert isinstance(window.filter_bar.weights_only, QAbstractButton)
    assert window.filter_bar.weights_only.text() == "Weights only"
