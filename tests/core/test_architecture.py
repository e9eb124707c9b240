"""The layering rules, checked: core never imports Qt; gui never imports TensorFlow;
opening a .pb never imports TensorFlow; our schema never clashes with TensorFlow's."""
from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.procs import INSTALLED, PRELUDE

ROOT = Path(__file__).resolve().parents[2]


def imports_of(folder: str) -> dict[str, set[str]]:
    found = {}
    for path in (ROOT / folder).rglob("*.py"):
        mods = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                mods.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                mods.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = mods
    return found


def test_core_never_imports_qt():
    for path, mods in imports_of("core").items():
        assert not mods & {"PySide6", "pyqtgraph", "shiboken6", "gui", "PyQt5", "PyQt6", "qtpy"}, path


def test_gui_never_imports_tensorflow():
    if not (ROOT / "gui").exists():
        pytest.skip("no gui yet")
    for path, mods in imports_of("gui").items():
        assert not mods & {"tensorflow", "keras", "tf_keras"}, path


def test_import_linter_contracts(tmp_path):
    """import-linter's contracts (.importlinter), run by this Python: no `lint-imports` needed on
    PATH (a venv's Python run without activating the venv has none). The package checked is
    the one under test: the installed pbscope, or this clone seen through a link named pbscope."""
    env = dict(os.environ)
    if not INSTALLED:
        (tmp_path / "pbscope").symlink_to(ROOT, target_is_directory=True)
        env["PYTHONPATH"] = str(tmp_path)
    code = ("import sys; from importlinter.cli import lint_imports; "
            "sys.exit(lint_imports(config_filename=sys.argv[1], no_cache=True, no_logo=True))")
    r = subprocess.run([sys.executable, "-c", code, str(ROOT / ".importlinter")], cwd=tmp_path, env=env,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Contracts: 2 kept, 0 broken." in r.stdout, r.stdout


def test_opening_a_graph_does_not_import_tensorflow(tmp_path):
    from .graphs import tf1_mlp
    data, _ = tf1_mlp()
    (tmp_path / "m.pb").write_bytes(data)
    code = (PRELUDE + "import sys; from pbscope.core.formats import open_model; g = open_model(sys.argv[1]); "
            "[w.array() for w in g.weights]; g.root; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras', 'PySide6')]; "
            "print(bad); sys.exit(1 if bad else 0)")
    r = subprocess.run([sys.executable, "-c", code, str(tmp_path / "m.pb")], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_tensorflow_imports_after_our_schema():
    """Our TF schema lives in a private descriptor pool: TF must still import beside it."""
    pytest.importorskip("tensorflow")  # skips fast when TF is absent; the real test is below
    code = (PRELUDE + "import pbscope.core.proto as p; g = p.GraphDef(); g.node.add(name='a', op='Const'); "
            "import tensorflow as tf; "
            "print(tf.compat.v1.GraphDef.FromString(g.SerializeToString()).node[0].name)")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.strip() == "a", r.stderr[-2000:]


def test_schema_is_tensorflows_own():
    pytest.importorskip("tensorflow")
    from pbscope.core.proto.regenerate import OUT, build
    assert build() == OUT.read_bytes(), "run: python -m core.proto.regenerate"
