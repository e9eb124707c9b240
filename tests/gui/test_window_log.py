"""The window logs to a rotating file in the user's state folder ($XDG_STATE_HOME/pbscope)."""
from __future__ import annotations

import os
import subprocess
import sys


from .conftest import ROOT
from tests.procs import PRELUDE


def test_window_writes_its_log_to_the_state_folder(demo_path, tmp_path):
    code = PRELUDE + "import sys; from pbscope.gui.app import main; sys.exit(main(sys.argv[1]))"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PBSCOPE_BENCH_FIRST_PAINT="1",
               XDG_CONFIG_HOME=str(tmp_path / "config"), HOME=str(tmp_path / "home"),
               XDG_STATE_HOME=str(tmp_path / "state"))
    r = subprocess.run([sys.executable, "-c", code, demo_path], cwd=ROOT, env=env,
                       check=False, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "pbscope.core" not in r.stderr           # the window logs to its file, not to stderr
    log = (tmp_path / "state" / "pbscope" / "pbscope.log").read_text()
    assert f"INFO    pbscope.core.formats: opened {demo_path}: GraphDef" in log
