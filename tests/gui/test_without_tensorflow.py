"""Without TensorFlow (``pbscope[tf]`` not installed): Restore and Unfreeze stay in the menus
but say, in one message, what to install; a "V1" checkpoint fails to open with core's line,
the one the command line prints."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QFileDialog

import pbscope.core.tfimport
from tests.core.test_without_tensorflow import v1_checkpoint  # noqa: F401 - the fixture

HINT = "pip install 'pbscope[tf]'"


@pytest.fixture
def no_tf(monkeypatch):
    monkeypatch.setattr(pbscope.core.tfimport, "available", lambda: False)

    def never(*a, **k):
        raise AssertionError("no file dialog without TensorFlow")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(never))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(never))


def test_restore_and_unfreeze_say_what_to_install(demo, qtbot, no_tf):
    tools = next(m for m in demo.menuBar().findChildren(type(demo.recent_menu)) if m.title() == "&Tools")
    assert demo.act_restore in tools.actions() and demo.act_unfreeze in tools.actions()
    assert demo.act_restore.isEnabled() and demo.act_unfreeze.isEnabled()

    with qtbot.waitSignal(demo.error_shown, timeout=5_000) as sig:
        demo.act_restore.trigger()
    assert sig.args == ["Restore needs TensorFlow, which is not installed: pip install 'pbscope[tf]'"]
    assert demo.error_box.text() == sig.args[0] and demo.error_box.isVisible()
    assert demo.restore_dialog is None and demo.restore_into() is None
    demo.error_box.close()

    with qtbot.waitSignal(demo.error_shown, timeout=5_000) as sig:
        demo.act_unfreeze.trigger()
    assert sig.args == ["Unfreeze needs TensorFlow, which is not installed: pip install 'pbscope[tf]'"]
    assert demo.error_box.text() == sig.args[0]
    assert demo.unfreeze() is None and not demo.progress_bar.isVisible() and not demo.jobs.running()
    demo.error_box.close()


def test_v1_checkpoint_shows_cores_line(window, qtbot, v1_checkpoint, no_tf, capsys):  # noqa: F811
    from pbscope.core import cli
    with qtbot.waitSignal(window.error_shown, timeout=10_000) as sig:
        window.open_path(v1_checkpoint)
    line = sig.args[0]
    assert HINT in line and "V1" in line and "\n" not in line
    assert window.error_box.text() == line and window.graph is None
    assert cli.main(["info", v1_checkpoint]) == 1
    assert capsys.readouterr().err.strip().splitlines() == [f"pbscope: error: {line}"]
