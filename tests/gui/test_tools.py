"""Compare, Restore and Unfreeze from the window.

The dialogs' logic is tested with core's functions swapped for fakes (fast, no
TensorFlow); one real end-to-end test each runs restore and unfreeze for real (the
first imports TensorFlow, ~3 s, once per session)."""
from __future__ import annotations

import os
import time

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

import pbscope.core.restore
import pbscope.core.unfreeze
from pbscope.core.errors import PbscopeError
from pbscope.core.formats import open_model
from pbscope.core.restore import PlanRow, RestorePlan, RestoreResult
from pbscope.core.unfreeze import UnfreezeReport
from pbscope.gui import diff_view, restore_dialog
from pbscope.gui.restore_dialog import STATUS, USE

from .conftest import ROOT

BUILDERS = ROOT / "tests" / "fixtures" / "builders.py"


def say_yes(monkeypatch):
    asked = []
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: asked.append(a) or QMessageBox.Yes))
    return asked


def save_as(monkeypatch, path):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(path), "")))


# -- compare -----------------------------------------------------------------------------------

def b_weights(demo, tmp_path):
    """The demo's weights with one changed, one reshaped, one dropped, one added (an .npz)."""
    ws = demo.graph.weights
    d = {w.key: np.array(w.array()) for w in ws}
    changed, reshaped, dropped = ws[0].key, ws[1].key, ws[2].key
    d[changed] = d[changed] + 0.5
    d[reshaped] = np.zeros((2, 2), np.float32)
    del d[dropped]
    d["Extra/weights:0"] = np.ones(3, np.float32)
    path = tmp_path / "b.npz"
    np.savez(path, **d)
    return path, changed, reshaped, dropped


def test_compare_dialog(demo, qtbot, tmp_path, monkeypatch):
    path, changed, reshaped, dropped = b_weights(demo, tmp_path)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), "")))
    assert demo.act_compare.shortcut().toString() == "Ctrl+D"
    demo.act_compare.trigger()
    d = demo.diff_dialog
    with qtbot.waitSignal(d.compared, timeout=20_000) as sig:
        pass
    report = sig.args[0]
    assert d.isVisible()
    assert d.summary.text() == f"<b>{report.summary}</b>"
    n = len(demo.graph.weights)
    status = {r.key: r.status for r in d.model.rows}
    assert status[changed] == "differs" and status[reshaped] == "mismatch"
    assert status[dropped] == "only_a" and status["Extra/weights:0"] == "only_b"
    assert sum(s == "equal" for s in status.values()) == n - 3
    assert d.count.text() == f"{n + 1} of {n + 1} keys"
    row = {r.key: i for i, r in enumerate(d.model.rows)}
    diff_row = d.model.rows[row[changed]]
    assert diff_row.max_abs_diff == pytest.approx(0.5)
    assert d.model.index(row[changed], diff_view.MAX_DIFF).data() == "0.5"
    # each status its own colour
    colours = {s: d.model.index(row[k], 0).data(Qt.BackgroundRole)
               for s, k in (("differs", changed), ("mismatch", reshaped), ("only_a", dropped),
                            ("only_b", "Extra/weights:0"))}
    assert len({c.name() for c in colours.values()}) == 4
    # filter by status and by text
    for s, box in d.status_boxes.items():
        box.setChecked(s in ("differs", "mismatch"))
    assert set(d.shown_keys()) == {changed, reshaped}
    d.filter_edit.setText(changed.split("/")[-1][:6])
    assert changed in d.shown_keys() and "Extra/weights:0" not in d.shown_keys()
    assert d.count.text().endswith(f"of {n + 1} keys")
    # double-click: the weight in the main window
    d.filter_edit.clear()
    proxy_row = d.shown_keys().index(changed)
    d.table.doubleClicked.emit(d.proxy.index(proxy_row, 0))
    assert demo.current_scope().path == demo.graph.find_weight(changed).name


def test_compare_error_is_one_line(demo, qtbot, tmp_path):
    d = demo._diff_dialog()
    d.show()
    missing = tmp_path / "nope.npz"
    with qtbot.waitSignal(demo.error_shown, timeout=10_000) as sig:
        d.compare_with(str(missing))
    assert sig.args[0] == f"{missing}: no such file or folder"
    assert demo.error_box.text() == sig.args[0] and d.isVisible()


def test_compare_cancel(demo, qtbot, monkeypatch):
    def slow(graph_a, path, progress):
        while True:
            progress.report(0.2, "comparing")
            time.sleep(0.01)
    monkeypatch.setattr(diff_view, "compare", slow)
    d = demo._diff_dialog()
    d.show()
    worker = d.compare_with("/whatever")
    assert d.task.cancel_button.isVisible()
    with qtbot.waitSignal(worker.signals.cancelled, timeout=5_000):
        d.task.cancel_button.click()
    assert d.task.label.text() == "Comparison cancelled" and not d.task.bar.isVisible()


# -- restore, with fakes --------------------------------------------------------------------------

def fake_plan(source, target, kind="checkpoint"):
    rows = [
        PlanRow("M/a/w", (3, 3), "float32", True, "matched", "M/a/w:0", (3, 3)),
        PlanRow("M/a/b", (3,), "float32", True, "matched", "M/a/b:0", (3,)),
        PlanRow("M/c/w", (2,), "float32", True, "matched", "M/c/w:0", (2,)),
        PlanRow("M/c/mean", (2,), "float32", False, "mismatch", "M/c/mean:0", (4,),
                why="shape [4] in the source, [2] in the target"),
        PlanRow("M/d/w", (5,), "float32", True, "missing"),
        PlanRow("M/last/w", (7,), "float32", True, "skipped", "M/last/w:0", (7,), why="--except-last"),
    ]
    return RestorePlan(source=source.path, target=target, kind=kind, rows=rows, unused=["Old/x:0"],
                       notes=["--except-last: the final layer is M/last"], _target=object())


@pytest.fixture
def fakes(monkeypatch):
    calls = {}

    def plan_restore(source, target, *, maps=(), excludes=(), except_last=False, weights=None, progress=None):
        calls["plan"] = dict(source=source, target=target, maps=maps, excludes=excludes,
                             except_last=except_last, weights=weights)
        progress.report(0.5, "matching")
        return fake_plan(source, target)

    def apply_restore(plan, out, *, force=False, skip=frozenset(), progress=None):
        calls["apply"] = dict(plan=plan, out=out, force=force, skip=set(skip))
        os.makedirs(out, exist_ok=True)
        written = sum(1 for r in plan.rows if r.status == "matched" and r.target not in skip)
        return RestoreResult(out=out, written=written, seconds=0.01, kind=plan.kind,
                             kept=len(plan.rows) - written, checkpoint=os.path.join(out, "model.ckpt"))
    monkeypatch.setattr(pbscope.core.restore, "plan_restore", plan_restore)
    monkeypatch.setattr(pbscope.core.restore, "apply_restore", apply_restore)
    return calls


def plan_in(d, qtbot):
    with qtbot.waitSignal(d.planned, timeout=10_000):
        d.plan_button.click()
    return d.plan


def test_restore_dialog_plan_untick_and_apply(demo, qtbot, tmp_path, monkeypatch, fakes):
    demo.tick_none()
    ticked = demo.graph.root.find("MobileNetV1/Conv2d_1_pointwise").weights()
    demo.selection.set_ticked(ticked)
    d = demo.restore_into()
    assert d.isVisible() and d.src_model.isChecked()
    assert d.src_ticked.text() == f"Its ticked weights ({len(ticked)})"
    d.src_ticked.setChecked(True)
    d.set_target("some/model.ckpt")
    assert not d.function.isEnabled()
    d.add_map("MobileNetV1", "M")
    d.add_map("^(.*)/read$", r"\1")
    d.excludes.setText("M/x, M/y ;M/z")
    d.except_last.setChecked(True)
    plan = plan_in(d, qtbot)
    call = fakes["plan"]
    assert call["source"] is demo.graph and call["target"] == "some/model.ckpt"
    assert call["maps"] == [("MobileNetV1", "M"), ("^(.*)/read$", r"\1")]
    assert call["excludes"] == ["M/x", "M/y", "M/z"] and call["except_last"] is True
    assert [w.name for w in call["weights"]] == [w.name for w in ticked]
    # the table: one row per target variable, coloured by status, tick boxes on matched rows only
    m = d.model
    assert m.rowCount() == len(plan.rows)
    assert [m.index(r, STATUS).data() for r in range(6)] == [r.status for r in plan.rows]
    assert len({m.index(r, 0).data(Qt.BackgroundRole).name() for r in (0, 3, 4, 5)}) == 4
    assert m.index(0, USE).flags() & Qt.ItemIsUserCheckable
    assert not (m.index(3, USE).flags() & Qt.ItemIsUserCheckable)
    assert "6 target variables: 3 matched" in d.plan_summary.text()
    assert "the final layer is M/last" in d.plan_summary.text()
    assert "Old/x:0" in d.unused.text()
    assert d.apply_button.isEnabled() and d.apply_button.text() == "Apply…"
    # untick a scope through the filter
    d.filter_edit.setText("M/a/")
    assert d.shown_targets() == ["M/a/w", "M/a/b"]
    d.untick_shown.click()
    assert m.skip == {"M/a/w", "M/a/b"}
    assert d.apply_button.text() == "Apply 1 of 3…"
    d.filter_edit.clear()
    for s, box in d.status_boxes.items():
        box.setChecked(s == "mismatch")
    assert d.shown_targets() == ["M/c/mean"]
    # strict: a trainable variable is missing, so Apply is refused
    d.strict.setChecked(True)
    assert not d.apply_button.isEnabled() and "M/d/w (missing)" in d.apply_button.toolTip()
    assert "strict" in d.plan_summary.text()
    d.strict.setChecked(False)
    assert d.apply_button.isEnabled()
    # apply into an existing folder: confirmed, so force=True; unticked rows are skipped
    out = tmp_path / "restored"
    out.mkdir()
    save_as(monkeypatch, out)
    asked = say_yes(monkeypatch)
    with qtbot.waitSignal(d.applied, timeout=10_000) as sig:
        d.apply_button.click()
    assert asked
    call = fakes["apply"]
    assert call["plan"] is plan and call["out"] == str(out) and call["force"] is True
    assert call["skip"] == {"M/a/w", "M/a/b"}
    result = sig.args[0]
    assert d.task.label.text() == result.summary()
    box = demo.result_dialog
    assert box is not None and box.isVisible()
    assert box.summary.text().startswith("Restored 1 variable into the TF1 checkpoint")
    assert str(out) in demo.statusBar().currentMessage()
    box.close()


def test_restore_dialog_source_file_and_prompts(demo, qtbot, tmp_path, fakes):
    d = demo.restore_into()
    # a builder needs its function named; nothing runs until it is
    d.set_target(str(tmp_path / "builders.py"))
    assert d.function.isEnabled()
    assert d.make_plan() is None and "function" in d.task.label.text()
    d.set_target(str(tmp_path / "builders.py:define"))
    assert d.target.path() == str(tmp_path / "builders.py") and d.function.text() == "define"
    assert d.target_text() == f"{tmp_path / 'builders.py'}:define"
    # the source can be a weights file: opened in the worker
    src = tmp_path / "w.npz"
    np.savez(src, **{"a/w:0": np.ones(3, np.float32)})
    d.src_path.set_path(str(src))
    assert d.src_file.isChecked()
    plan_in(d, qtbot)
    assert fakes["plan"]["source"].path == str(src) and fakes["plan"]["weights"] is None


def test_restore_errors_are_one_line(demo, qtbot, tmp_path, monkeypatch):
    d = demo.restore_into()
    missing = tmp_path / "nothing.ckpt"
    d.set_target(str(missing))
    with qtbot.waitSignal(demo.error_shown, timeout=10_000) as sig:
        d.plan_button.click()
    assert sig.args[0] == f"{missing}: no such file or folder"       # core's line, before TF loads
    assert demo.error_box.text() == sig.args[0] and "\n" not in sig.args[0]
    assert d.isVisible() and d.plan_button.isEnabled() and not d.apply_button.isEnabled()

    def boom(*a, **k):
        raise PbscopeError("x.keras", "cannot load it")
    monkeypatch.setattr(pbscope.core.restore, "plan_restore", boom)
    d.set_target(str(tmp_path))
    with qtbot.waitSignal(demo.error_shown, timeout=10_000) as sig:
        d.plan_button.click()
    assert sig.args[0] == "x.keras: cannot load it"


def test_restore_dialog_follows_the_window(demo, qtbot, tmp_path):
    d = demo.restore_into()
    n = len(demo.graph.weights)
    assert d.src_ticked.text() == f"Its ticked weights ({n})"
    demo.tick_none()
    assert d.src_ticked.text() == "Its ticked weights (0)" and not d.src_ticked.isEnabled()


# -- unfreeze --------------------------------------------------------------------------------------

def test_unfreeze_disabled_where_it_cannot_work(window, qtbot, tmp_path, demo_path):
    assert not window.act_unfreeze.isEnabled()
    src = open_model(demo_path)
    npz = tmp_path / "w.npz"
    np.savez(npz, **{w.key: w.array() for w in src.weights[:2]})
    with qtbot.waitSignal(window.model_shown, timeout=10_000):
        window.open_path(str(npz))
    assert not window.act_unfreeze.isEnabled()
    assert "needs a frozen graph" in window.act_unfreeze.toolTip()
    with qtbot.waitSignal(window.model_shown, timeout=10_000):
        window.open_path(demo_path)
    assert window.act_unfreeze.isEnabled()
    window.tick_none()
    assert not window.act_unfreeze.isEnabled() and "Nothing is ticked" in window.act_unfreeze.toolTip()


def test_unfreeze_with_fake(demo, qtbot, tmp_path, monkeypatch):
    calls = {}

    def fake(graph, outdir, weights=None, force=False, progress=None):
        calls.update(graph=graph, outdir=outdir, weights=weights, force=force)
        progress.report(0.5, "making variables")
        return UnfreezeReport(outdir=outdir, checkpoint=os.path.join(outdir, "model.ckpt"),
                              variables=[w.name for w in weights], trainable=len(weights), non_trainable=0,
                              seconds=0.01)
    monkeypatch.setattr(pbscope.core.unfreeze, "unfreeze", fake)
    demo.tick_none()
    chosen = demo.graph.root.find("MobileNetV1/Conv2d_0").weights()
    demo.selection.set_ticked(chosen)
    out = tmp_path / "unf"
    out.mkdir()
    save_as(monkeypatch, out)
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.Cancel))
    assert demo.unfreeze() is None and not calls           # replacing declined: nothing runs
    say_yes(monkeypatch)
    with qtbot.waitSignal(demo.unfreeze_done, timeout=10_000) as sig:
        demo.act_unfreeze.trigger()
    assert calls["graph"] is demo.graph and calls["outdir"] == str(out) and calls["force"] is True
    assert [w.name for w in calls["weights"]] == [w.name for w in chosen]
    report = sig.args[0]
    box = demo.result_dialog
    assert box.isVisible() and box.summary.text().startswith(f"Unfroze {len(chosen)} weights into variables")
    assert "import_meta_graph" in box.details.toPlainText()
    assert report.summary().splitlines()[0] == demo.statusBar().currentMessage()
    box.close()


def test_unfreeze_error_is_one_line(demo, qtbot, tmp_path):
    out = tmp_path / "exists"
    out.mkdir()
    with qtbot.waitSignal(demo.error_shown, timeout=10_000) as sig:
        demo.unfreeze_to(str(out), force=False)            # core refuses before TensorFlow loads
    assert sig.args[0] == f"{out}: already exists; use --force to replace it"
    assert not demo.progress_bar.isVisible()


# -- real, end to end -------------------------------------------------------------------------------

def test_unfreeze_end_to_end(demo, qtbot, tmp_path):
    pytest.importorskip("tensorflow")
    demo.tick_none()
    chosen = demo.graph.root.find("MobileNetV1/Conv2d_1_pointwise").weights()
    demo.selection.set_ticked(chosen)
    out = tmp_path / "unfrozen"
    with qtbot.waitSignal(demo.unfreeze_done, timeout=120_000) as sig:
        demo.unfreeze_to(str(out))
    report = sig.args[0]
    assert (out / "model.ckpt.index").is_file() and (out / "model.ckpt.meta").is_file()
    assert (out / "checkpoint").is_file()
    assert report.variables == [w.name for w in chosen]
    box = demo.result_dialog
    summary = report.summary()
    assert box.summary.text().startswith("Unfroze 5 weights into variables (3 trainable, 2 not trainable)")
    assert summary.startswith("unfroze 5 weights")
    # "Open in pbscope" opens the new checkpoint in the window
    button = box.findChild(type(box.show_folder), "openInPbscope")
    with qtbot.waitSignal(demo.model_shown, timeout=15_000):
        button.click()
    g = demo.graph
    assert g.format.startswith("TF1 checkpoint")
    w = g.find_weight(chosen[0].key)
    np.testing.assert_array_equal(w.array(), chosen[0].array())


@pytest.mark.skipif(not BUILDERS.is_file(), reason="tests/fixtures/builders.py is not there")
def test_restore_end_to_end_into_a_builder(demo, qtbot, tmp_path, monkeypatch):
    pytest.importorskip("tensorflow")
    d = demo.restore_into()
    d.set_target(f"{BUILDERS}:demo_10")          # the demo with a 10-class last layer
    d.strict.setChecked(True)
    plan = plan_in(d, qtbot)
    assert plan.kind == "builder" and not plan.strict_ok       # the 1001-class layer does not fit
    assert not d.apply_button.isEnabled() and "Strict" in d.apply_button.toolTip()
    statuses = {r.target: r.status for r in plan.rows}
    assert statuses["MobileNetV1/Bottleneck2/weights"] == "mismatch"
    d.except_last.setChecked(True)
    plan = plan_in(d, qtbot)
    assert plan.strict_ok and d.apply_button.isEnabled()
    assert {r.target: r.status for r in plan.rows}["MobileNetV1/Bottleneck2/weights"] == "skipped"
    # untick one layer: it keeps the builder's zeros
    d.filter_edit.setText("Conv2d_0/")
    kept = set(d.shown_targets())
    d.untick_shown.click()
    out = tmp_path / "restored"
    save_as(monkeypatch, out)
    with qtbot.waitSignal(d.applied, timeout=120_000) as sig:
        d.apply_button.click()
    result = sig.args[0]
    assert (out / "checkpoint").is_file() and (out / "model.ckpt.index").is_file()
    matched = len(plan.by_status("matched"))
    assert result.written == matched - len(kept)
    assert demo.result_dialog.summary.text().startswith(f"Restored {result.written} variables into the TF1 "
                                                        f"checkpoint {out}")
    g = open_model(str(out))
    src = demo.graph
    for name in ("MobileNetV1/Conv2d_1_pointwise/weights", "MobileNetV1/Conv2d_0/weights"):
        got = g.find_weight(name).array()
        if name.startswith("MobileNetV1/Conv2d_0/"):
            assert not got.any()                                 # unticked: the builder's zeros
        else:
            np.testing.assert_array_equal(got, src.find_weight(name).array())
    demo.result_dialog.close()


def test_restore_helpers():
    from pbscope.core.restore import builder_target, is_builder
    assert builder_target("a/b.py", "define") == "a/b.py:define"
    assert builder_target("a/model.ckpt", "define") == "a/model.ckpt"
    assert is_builder("x.py:f") and is_builder("x.py") and is_builder(" x.PY ")
    assert not is_builder("x.keras") and not is_builder("c:/models/x.keras")
    assert restore_dialog.shape_text((None, 3)) == "[?, 3]"

