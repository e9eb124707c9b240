"""core.logs: the window's rotating log file in the user's state folder, the CLI's -v,
and neither touching the root logger."""
from __future__ import annotations

import logging
import logging.handlers
import sys

import pytest
from pbscope.core import logs


@pytest.fixture(autouse=True)
def _clean():
    root = logging.getLogger()
    before = (root.level, list(root.handlers))
    yield
    logs.unconfigure()
    assert (root.level, list(root.handlers)) == before     # nothing leaked into the root logger


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="XDG is Linux's")
def test_state_dir_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert logs.state_dir() == tmp_path / "state" / "pbscope"
    monkeypatch.delenv("XDG_STATE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert logs.state_dir() == tmp_path / "home" / ".local" / "state" / "pbscope"
    monkeypatch.setenv("XDG_STATE_HOME", "relative/ignored")      # the spec: only absolute paths count
    assert logs.state_dir() == tmp_path / "home" / ".local" / "state" / "pbscope"


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="XDG is Linux's")
def test_file_handler_writes_to_the_state_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    path = logs.configure_file()
    assert path == tmp_path / "pbscope" / "pbscope.log"
    ours = [h for h in logging.getLogger("pbscope").handlers if isinstance(h, logging.handlers.RotatingFileHandler)]
    assert len(ours) == 1 and ours[0].maxBytes == logs.MAX_BYTES and ours[0].backupCount == logs.BACKUPS
    logging.getLogger("pbscope.core.test").info("opened %s", "m.pb")
    logging.getLogger("elsewhere").warning("not ours")
    logs.configure_file()                    # again: replaces, never doubles
    logging.getLogger("pbscope.gui.test").info("second")
    for h in logging.getLogger("pbscope").handlers:
        h.flush()
    text = path.read_text()
    assert "INFO    pbscope.core.test: opened m.pb" in text
    assert text.count("second") == 1 and "not ours" not in text


def test_file_that_cannot_be_made_is_ignored(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert logs.configure_file(blocker / "sub" / "pbscope.log") is None
    assert not [h for h in logging.getLogger("pbscope").handlers if isinstance(h, logging.FileHandler)]
    logging.getLogger("pbscope.core.test").info("still fine")


def test_cli_levels(capsys):
    log = logging.getLogger("pbscope.core.test")
    logs.configure_cli(0)
    log.warning("quiet")                  # no -v: not even warnings (no last-resort handler)
    logs.configure_cli(1)
    log.info("info shown")
    log.debug("debug hidden")
    logs.configure_cli(2)
    log.debug("debug shown")
    err = capsys.readouterr().err
    assert "quiet" not in err and "debug hidden" not in err
    assert "pbscope: INFO: pbscope.core.test: info shown" in err
    assert "pbscope: DEBUG: pbscope.core.test: debug shown" in err
    assert err.count("info shown") == 1
