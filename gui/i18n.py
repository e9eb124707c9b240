"""The UI's language: Qt translators for pbscope's strings (resources/i18n/*.qm, built by
tools/i18n.py) and Qt's own (standard dialog buttons), and the CJK font that ships with them.

The language is the setting ``view/language``: "system" (the default: Chinese locales get
zh_CN, others English), "en" or "zh_CN". Help ▸ Language changes the setting; the new
language applies when pbscope is restarted. ``install_translation`` runs at start-up, after
the QApplication exists and before any window is built.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QSettings, Qt, QTranslator
from PySide6.QtGui import QAction, QActionGroup, QFont, QFontDatabase
from PySide6.QtWidgets import QApplication, QMessageBox

SETTING = "view/language"
LANGUAGES = ("system", "en", "zh_CN")          # what the setting may say
TRANSLATIONS = ("zh_CN",)                     # the languages a .qm ships for
RESOURCES = Path(__file__).resolve().parent.parent / "resources"
I18N = RESOURCES / "i18n"
FONT = RESOURCES / "fonts" / "NotoSansSC-pbscope-subset.ttf"

_installed: list[QTranslator] = []            # kept alive: Qt does not own them
_font_family: str | None = None


def qm_path(language: str) -> Path:
    return I18N / f"pbscope_{language}.qm"


def saved_language() -> str:
    value = QSettings().value(SETTING, "system")
    return value if value in LANGUAGES else "system"


def save_language(language: str) -> None:
    QSettings().setValue(SETTING, language if language in LANGUAGES else "system")


def system_language(locale: QLocale | None = None) -> str:
    """zh_CN for Chinese locales (zh_CN, zh_SG, zh_Hans, and Chinese in general: pbscope
    ships Simplified Chinese only), else en."""
    locale = locale or QLocale.system()
    if locale.language() == QLocale.Chinese:
        return "zh_CN"
    return "en"


def resolve(language: str | None = None) -> str:
    """The language to show: the setting (or ``language``), with "system" looked up."""
    language = language or saved_language()
    if language == "system":
        language = system_language()
    return language if language in TRANSLATIONS else "en"


def register_font(app: QApplication) -> str | None:
    """Add the shipped Noto Sans SC subset to the application fonts and put it after the
    normal family, so CJK glyphs are found even where the system has no CJK font."""
    global _font_family
    if _font_family is None:
        if not FONT.is_file():
            return None
        font_id = QFontDatabase.addApplicationFont(str(FONT))
        families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
        if not families:
            return None
        _font_family = families[0]
    font = QFont(app.font())
    families = [f for f in font.families() or [font.family()] if f != _font_family]
    font.setFamilies(families + [_font_family])
    app.setFont(font)
    return _font_family


def remove_translation(app: QApplication) -> None:
    while _installed:
        app.removeTranslator(_installed.pop())


def install_translation(app: QApplication, language: str | None = None) -> str:
    """Install the translators for ``language`` (default: the saved setting) and return
    the language in effect ("en" or "zh_CN"). English installs none."""
    remove_translation(app)
    language = resolve(language)
    if language == "en":
        return "en"
    ours = QTranslator(app)
    if not ours.load(str(qm_path(language))):
        return "en"
    qt = QTranslator(app)
    if qt.load(f"qtbase_{language}", QLibraryInfo.path(QLibraryInfo.TranslationsPath)):
        app.installTranslator(qt)
        _installed.append(qt)
    app.installTranslator(ours)
    _installed.append(ours)
    register_font(app)
    return language


# -- Help ▸ Language ----------------------------------------------------------------------------
# each language's name in itself (the way language menus show them), "System" translated
NATIVE_NAMES = {"en": "English", "zh_CN": "简体中文"}


def build_language_menu(menu, parent) -> dict:
    """Fill ``menu`` with System / English / 简体中文, checkable, the saved one ticked;
    choosing one saves it and says that it applies on restart. Returns {language: QAction}."""
    group = QActionGroup(menu)
    actions = {}
    labels = {"system": QCoreApplication.translate("LanguageMenu", "&System"), **NATIVE_NAMES}
    current = saved_language()
    for language in LANGUAGES:
        a = QAction(labels[language], menu, checkable=True)
        a.setData(language)
        a.setChecked(language == current)
        a.triggered.connect(lambda _=False, lang=language: _chosen(parent, lang))
        group.addAction(a)
        menu.addAction(a)
        actions[language] = a
    return actions


def _chosen(parent, language: str) -> None:
    if language == saved_language():
        return
    save_language(language)
    box = QMessageBox(QMessageBox.Information, QCoreApplication.translate("LanguageMenu", "Language"),
                      QCoreApplication.translate("LanguageMenu", "The language changes when pbscope is restarted."),
                      QMessageBox.Ok, parent)
    box.setObjectName("languageNotice")
    box.setAttribute(Qt.WA_DeleteOnClose)
    box.open()
