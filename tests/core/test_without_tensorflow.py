"""TensorFlow is an extra (`pbscope[tf]`): without it, browsing, export and diff work, and
restore, unfreeze and "V1" checkpoints each say in one line what to install.

The children hide TensorFlow and Keras from the import system (as if not installed) and run
the command line; TensorFlow in this process only makes the input files."""
from __future__ import annotations

import subprocess
import sys

import pytest

from tests.procs import INSTALLED, ROOT

DEMO = ROOT / "resources" / "demo_mobilenet_v1.pb"
HINT = "pip install 'pbscope[tf]'"

# Runs the command line with tensorflow, keras and tf_keras impossible to import.
CHILD = """
import importlib.abc, sys
class Hide(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('tensorflow', 'keras', 'tf_keras'):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, Hide())
""" + ("from pbscope.main import main\n" if INSTALLED else f"sys.path.insert(0, {str(ROOT)!r})\nfrom main import main\n") + """
code = main(sys.argv[1:])
assert not [m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras')]
sys.exit(code)
"""


def run(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", CHILD, *map(str, argv)], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)


def one_line(r: subprocess.CompletedProcess) -> str:
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    return lines[0]


def test_browsing_export_and_diff_need_no_tensorflow(tmp_path):
    assert run("info", DEMO).returncode == 0
    r = run("ls", DEMO, "--weights")
    assert r.returncode == 0 and "MobileNetV1/Conv2d_0/weights" in r.stdout, r.stderr
    out = tmp_path / "w.npz"
    r = run("export", DEMO, "-o", out)
    assert r.returncode == 0 and out.is_file(), r.stderr
    r = run("diff", DEMO, out)
    assert r.returncode == 0, r.stderr


def test_unfreeze_says_what_to_install(tmp_path):
    out = tmp_path / "ckpt"
    r = run("unfreeze", DEMO, "-o", out)
    assert r.returncode == 1
    line = one_line(r)
    assert line.startswith("pbscope: error:") and HINT in line and "TensorFlow" in line
    assert list(tmp_path.iterdir()) == []


def test_restore_says_what_to_install(tmp_path):
    target = tmp_path / "target.keras"
    target.write_bytes(b"")                 # never read: TensorFlow is asked for first
    r = run("restore", DEMO, "--into", target, "-o", tmp_path / "out")
    assert r.returncode == 1
    line = one_line(r)
    assert HINT in line and "TensorFlow" in line, line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["target.keras"]


@pytest.fixture(scope="module")
def v1_checkpoint(tmp_path_factory):
    """A "V1" checkpoint (one table file, the data inline), written by TensorFlow."""
    pytest.importorskip("tensorflow")
    from pbscope.core.tfimport import import_tensorflow
    tf = import_tensorflow("making a V1 checkpoint")
    v1 = tf.compat.v1
    prefix = str(tmp_path_factory.mktemp("v1") / "model.ckpt")
    graph = tf.Graph()
    with graph.as_default():
        v1.get_variable("dense/kernel", initializer=tf.constant([[1.0, 2.0], [3.0, 4.0]]), use_resource=False)
        saver = v1.train.Saver(write_version=v1.train.SaverDef.V1)
        with v1.Session(graph=graph) as sess:
            sess.run(v1.global_variables_initializer())
            saver.save(sess, prefix, write_meta_graph=False)
    return prefix


def test_v1_checkpoint_says_what_to_install(v1_checkpoint):
    for argv in (["info", v1_checkpoint], ["ls", v1_checkpoint], ["export", v1_checkpoint, "-o", "x.pkl"]):
        r = run(*argv)
        assert r.returncode == 1
        line = one_line(r)
        assert line.startswith(f"pbscope: error: {v1_checkpoint}") or HINT in line, line
        assert HINT in line and "V1" in line, line


def test_available_and_require(monkeypatch):
    from pbscope.core import tfimport
    from pbscope.core.errors import PbscopeError
    monkeypatch.setattr(tfimport, "available", lambda: False)
    with pytest.raises(PbscopeError, match=r"unfreezing needs TensorFlow, which is not installed: pip install 'pbscope\[tf\]'"):
        tfimport.require("unfreezing")
