#!/usr/bin/env python3
"""Regenerate docs/screenshot.png: the main window on the demo model, a filter typed,
the graph pane open on the selection and a weight previewed. Runs headless (Qt offscreen) with throw-away settings.

    python tools/make_screenshot.py                       # docs/screenshot.png
    python tools/make_screenshot.py --theme dark --out /tmp/pbscope-dark.png
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import main as _clone  # noqa: E402,F401 - registers the clone as `pbscope`

from PySide6.QtCore import QEventLoop, QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

TABS = {"histogram": 0, "heatmap": 1, "filters": 2, "values": 3}


def wait_for(signal, timeout_ms: int = 20_000) -> list:
    loop = QEventLoop()
    got: list = []

    def done(*args):
        got.extend(args)
        loop.quit()
    signal.connect(done)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    signal.disconnect(done)
    if not got:
        raise SystemExit(f"timed out waiting for {signal}")
    return got


def settle(ms: int = 150) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=str(ROOT / "resources" / "demo_mobilenet_v1.pb"))
    ap.add_argument("--filter", default="Conv2d_1")
    ap.add_argument("--select", default="", help="op to select (default: the first weight the filter shows)")
    ap.add_argument("--tab", default="filters", choices=sorted(TABS))
    ap.add_argument("--theme", default="light", choices=("light", "dark", "system"))
    ap.add_argument("--size", default="1600x900")
    ap.add_argument("--no-graph", action="store_true", help="leave the graph pane closed")
    ap.add_argument("--out", default=str(ROOT / "docs" / "screenshot.png"))
    args = ap.parse_args(argv)

    tmp = tempfile.mkdtemp(prefix="pbscope-shot-")
    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, tmp)
    from pbscope.gui.app import apply_theme, create_app
    app = create_app()
    apply_theme(args.theme, app)
    from pbscope.gui.main_window import MainWindow
    QSettings().setValue("export/lastFolder", tmp)

    win = MainWindow()
    w, h = (int(v) for v in args.size.split("x"))
    win.resize(w, h)
    win.show()
    win.show_graph(not args.no_graph)
    win.open_path(args.model)
    wait_for(win.model_shown)
    if args.filter:
        win.filter_bar.edit.setText(args.filter)
        win.filter_bar.flush()
    target = args.select
    if not target:
        result = win.tree_model.result
        names = result.matched if result is not None else win.index.names
        target = next(n for n in names if win.graph.weight_of(n) is not None)
    win.navigate(target)
    if not args.no_graph:
        wait_for(win.graph_pane.laid_out)      # the scopes opened down to the selection
    win.preview.tabs.setCurrentIndex(TABS[args.tab])
    if win.preview.data is None or win.preview.data.weight.name != target:
        wait_for(win.preview.ready)
    settle(300)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if not win.grab().save(str(out)):
        raise SystemExit(f"could not write {out}")
    print(f"wrote {out} ({w}x{h}, {args.theme}, {target})")
    win.close()
    QApplication.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
