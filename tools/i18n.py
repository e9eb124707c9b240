"""Update the UI translations and the CJK font subset that ships with them.

    python tools/i18n.py [--font PATH]

1. ``lupdate`` (PySide6's, found next to the PySide6 package, so an unactivated venv
   works) collects every ``tr()`` / ``QCoreApplication.translate()`` /
   ``QT_TRANSLATE_NOOP()`` string of gui/*.py into resources/i18n/pbscope_zh_CN.ts,
   keeping the translations already there and dropping strings no longer in the code.
   New strings come in marked ``type="unfinished"``: translate them in the .ts (Qt
   Linguist, or by hand) and run this again; tests/gui/test_i18n.py fails while any is
   left unfinished or any tr() string is missing from the .ts.
2. ``lrelease`` builds resources/i18n/pbscope_zh_CN.qm, the file pbscope loads.
3. If fontTools (a dev-only tool: ``pip install fonttools``) and the source font are at
   hand, resources/fonts/NotoSansSC-pbscope-subset.ttf is regenerated: Noto Sans SC
   Regular cut down to ASCII, common CJK punctuation, exactly the characters of the
   translations, and those of the Qt strings pbscope shows in Qt's own translation
   (QT_STRINGS: standard buttons, shortcut key names, Qt's file dialog), so Chinese
   renders on machines without a CJK font (CI has none).

The source font: Noto Sans SC (SIL Open Font License 1.1, resources/fonts/OFL.txt), the
variable ``NotoSansSC[wght].ttf`` of the PyPI package justmytype-intl-cjk 0.1.0::

    pip download --no-deps justmytype-intl-cjk==0.1.0 -d /tmp/cjk
    unzip /tmp/cjk/justmytype_intl_cjk-0.1.0-py3-none-any.whl -d /tmp/cjk
    python tools/i18n.py --font "/tmp/cjk/justmytype_intl_cjk/fonts/ofl/notosanssc/NotoSansSC[wght].ttf"

(or set PBSCOPE_CJK_FONT to that path). The variable font is pinned at weight 400
(Regular) before subsetting; the subset's family is renamed "Noto Sans SC pbscope", as
the OFL asks of modified versions, so it never shadows an installed Noto Sans SC.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUI = ROOT / "gui"
I18N = ROOT / "resources" / "i18n"
FONTS = ROOT / "resources" / "fonts"
LANGUAGES = ("zh_CN",)
SUBSET = FONTS / "NotoSansSC-pbscope-subset.ttf"
FAMILY = "Noto Sans SC pbscope"
# beside the translations' own characters: what Chinese UI text commonly uses
PUNCTUATION = "，。、；：？！“”‘’（）《》〈〉【】「」『』…—～·￥％＋－×÷≤≥→←↑↓▸▾☑☐"


def qt_tool(name: str) -> str:
    """PySide6's lupdate / lrelease: next to the package first, then on PATH."""
    import PySide6
    here = Path(PySide6.__file__).resolve().parent
    for candidate in (here / name, here / f"{name}.exe", here / "Qt" / "libexec" / name):
        if candidate.is_file():
            return str(candidate)
    found = shutil.which(f"pyside6-{name}") or shutil.which(name)
    if found is None:
        sys.exit(f"{name} not found: install PySide6-Essentials")
    return found


def sources() -> list[str]:
    return sorted(str(p) for p in GUI.glob("*.py"))


def ts_path(language: str) -> Path:
    return I18N / f"pbscope_{language}.ts"


def qm_path(language: str) -> Path:
    return I18N / f"pbscope_{language}.qm"


def lupdate(ts: Path, extra: tuple[str, ...] = ("-no-obsolete",), language: str = "zh_CN") -> None:
    ts.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([qt_tool("lupdate"), *sources(), "-locations", "none", "-target-language", language,
                    *extra, "-ts", str(ts)], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)


def lrelease(ts: Path, qm: Path) -> None:
    subprocess.run([qt_tool("lrelease"), str(ts), "-qm", str(qm)], check=True, stdout=subprocess.DEVNULL)


def messages(ts: Path) -> list[tuple[str, str, str, bool]]:
    """(context, source, translation, finished) for each message of a .ts file."""
    out = []
    for ctx in ET.parse(ts).getroot().iter("context"):
        name = ctx.findtext("name") or ""
        for m in ctx.iter("message"):
            t = m.find("translation")
            text = "".join(t.itertext()) if t is not None else ""
            finished = t is not None and t.get("type") not in ("unfinished", "obsolete", "vanished")
            out.append((name, m.findtext("source") or "", text, finished))
    return out


# Qt's own strings pbscope shows (standard buttons, message boxes, line-edit menus, Qt's file
# dialog): their characters from Qt's qtbase_<lang>.qm go into the font subset too
QT_STRINGS = {
    "QPlatformTheme": ("OK", "Save", "Save All", "Open", "&Yes", "Yes to &All", "&No", "N&o to All", "Abort",
                       "Retry", "Ignore", "Close", "Cancel", "Discard", "Help", "Apply", "Reset",
                       "Restore Defaults"),
    "QMessageBox": ("Show Details...", "Hide Details..."),
    "QLineEdit": ("&Undo", "&Redo", "Cu&t", "&Copy", "&Paste", "Delete", "Select All"),
    "QWidgetTextControl": ("&Undo", "&Redo", "Cu&t", "&Copy", "&Paste", "Delete", "Select All",
                           "Copy &Link Location"),
    "QFileDialog": ("Look in:", "File &name:", "Files of type:", "Back", "Forward", "Parent Directory",
                    "Create New Folder", "List View", "Detail View", "&Open", "&Save", "&Choose", "Directory:",
                    "Directories", "All Files (*)", "New Folder", "&Delete", "&Rename", "Show &hidden files",
                    "&New Folder", "Recent Places", "My Computer", "Are you sure you want to delete '%1'?",
                    "%1 already exists.\nDo you want to replace it?", "Open", "Save As", "Find Directory",
                    "Go back", "Go forward", "Go to the parent directory", "Create a New Folder",
                    "Change to list view mode", "Change to detail view mode", "Sidebar", "File", "Folder", "Alias",
                    "Shortcut", "Unknown", "File Folder"),
    "QFileSystemModel": ("Name", "Size", "Kind", "Type", "Date Modified", "My Computer", "Computer"),
    "QShortcut": ("Left", "Right", "Up", "Down", "Return", "Enter", "Space", "Backspace", "Home", "End", "Esc",
                  "Del", "PgUp", "PgDown", "Tab", "Ins"),
}
# shown untranslated: each language's name in itself (gui/i18n.py NATIVE_NAMES)
NATIVE = "English 简体中文"


def qt_text(language: str) -> str:
    """The characters of QT_STRINGS in Qt's own translation for ``language`` ("" without it)."""
    from PySide6.QtCore import QLibraryInfo, QTranslator
    t = QTranslator()
    if not t.load(f"qtbase_{language}", QLibraryInfo.path(QLibraryInfo.TranslationsPath)):
        return ""
    return "".join(t.translate(ctx, s) for ctx, sources in QT_STRINGS.items() for s in sources)


def subset_font(font: Path, out: Path = SUBSET) -> int:
    """Cut ``font`` down to what the translations show; returns the subset's size in bytes."""
    from fontTools import subset
    from fontTools.ttLib import TTFont
    text = set(PUNCTUATION) | set(NATIVE) | {chr(c) for c in range(0x20, 0x7F)}
    for language in LANGUAGES:
        for _ctx, _src, translation, _ok in messages(ts_path(language)):
            text.update(translation)
        text.update(qt_text(language))
    f = TTFont(str(font))
    if "fvar" in f:
        from fontTools.varLib import instancer
        f = instancer.instantiateVariableFont(f, {"wght": 400})
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    sub = subset.Subsetter(options)
    sub.populate(text="".join(sorted(text)))
    sub.subset(f)
    names = f["name"]
    for rec in list(names.names):
        if rec.nameID in (1, 16):
            names.setName(FAMILY, rec.nameID, rec.platformID, rec.platEncID, rec.langID)
        elif rec.nameID in (4,):
            names.setName(f"{FAMILY} Regular", rec.nameID, rec.platformID, rec.platEncID, rec.langID)
        elif rec.nameID == 6:
            names.setName(FAMILY.replace(" ", "") + "-Regular", rec.nameID, rec.platformID, rec.platEncID,
                          rec.langID)
        elif rec.nameID == 17:
            names.setName("Regular", rec.nameID, rec.platformID, rec.platEncID, rec.langID)
    out.parent.mkdir(parents=True, exist_ok=True)
    f.save(str(out))
    return out.stat().st_size


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--font", default=os.environ.get("PBSCOPE_CJK_FONT"),
                    help="Noto Sans SC (variable or Regular) to subset; default $PBSCOPE_CJK_FONT")
    args = ap.parse_args(argv)
    for language in LANGUAGES:
        ts = ts_path(language)
        lupdate(ts, language=language)
        msgs = messages(ts)
        todo = [src for _c, src, _t, ok in msgs if not ok]
        print(f"{ts.relative_to(ROOT)}: {len(msgs)} strings, {len(todo)} unfinished")
        for src in todo[:20]:
            print(f"  unfinished: {src!r}")
        lrelease(ts, qm_path(language))
        print(f"{qm_path(language).relative_to(ROOT)}: {qm_path(language).stat().st_size:,} bytes")
    try:
        import fontTools  # noqa: F401
    except ImportError:
        print("fontTools not installed: the font subset is left as it is")
        return 0
    if not args.font or not Path(args.font).is_file():
        print("no source font (--font or PBSCOPE_CJK_FONT): the font subset is left as it is")
        return 0
    size = subset_font(Path(args.font))
    print(f"{SUBSET.relative_to(ROOT)}: {size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
