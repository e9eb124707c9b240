"""A builder target leaves the process as it was (core/restore/targets/builder.py):
sys.path and sys.modules after a plan and an apply are what they were before, even when
the builder imports modules beside it, changes sys.path itself, or fails."""
from __future__ import annotations

import pickle
import re
import sys
import textwrap

import numpy as np
import pytest
from pbscope.core.errors import PbscopeError
from pbscope.core.formats import open_model
from pbscope.core.restore.targets.builder import isolated_imports, module_name

BUILDER = '''
import sys
import pbscope_helper_mod
from pbscope_helper_pkg import sub

sys.path.append("/nowhere/added/by/the/builder")


def build():
    import tensorflow as tf
    v1 = tf.compat.v1
    v1.get_variable("net/w", [2, 3], initializer=v1.constant_initializer(pbscope_helper_mod.VALUE))
    v1.get_variable("net/b", [3], initializer=v1.constant_initializer(sub.VALUE))


def broken():
    import pbscope_helper_late
    raise RuntimeError("broken on purpose")
'''


@pytest.fixture
def builder_dir(tmp_path):
    folder = tmp_path / "builders"
    (folder / "pbscope_helper_pkg").mkdir(parents=True)
    (folder / "model_def.py").write_text(textwrap.dedent(BUILDER))
    (folder / "pbscope_helper_mod.py").write_text("VALUE = 2.0\n")
    (folder / "pbscope_helper_late.py").write_text("VALUE = 3.0\n")
    (folder / "pbscope_helper_pkg" / "__init__.py").write_text("")
    (folder / "pbscope_helper_pkg" / "sub.py").write_text("VALUE = 4.0\n")
    (folder / "import_fails.py").write_text("import pbscope_helper_mod\nimport no_such_module_for_pbscope\n")
    return folder


def ours(names) -> list[str]:
    return sorted(n for n in names if n.startswith(("pbscope_helper", "_pbscope_builder_", "model_def")))


def test_isolated_imports_without_tensorflow(builder_dir):
    import importlib
    path_before, modules_before = list(sys.path), dict(sys.modules)
    with isolated_imports(str(builder_dir)):
        assert sys.path[0] == str(builder_dir)
        importlib.import_module("pbscope_helper_pkg.sub")
        importlib.import_module("colorsys")            # a library's module: it stays
        sys.path.append("/elsewhere")
        sys.modules["json"] = importlib.import_module("pbscope_helper_mod")   # a replaced entry
    assert sys.path == path_before
    assert ours(sys.modules) == []
    assert sys.modules["json"] is modules_before["json"]
    assert "colorsys" in sys.modules
    # a folder already on sys.path imports for others too: its modules stay
    sys.path.insert(0, str(builder_dir))
    try:
        with isolated_imports(str(builder_dir)):
            importlib.import_module("pbscope_helper_late")
        assert "pbscope_helper_late" in sys.modules
    finally:
        sys.path.remove(str(builder_dir))
        del sys.modules["pbscope_helper_late"]


@pytest.fixture
def source(tmp_path):
    path = tmp_path / "weights.pkl"
    with open(path, "wb") as f:
        pickle.dump({"net/w:0": np.full((2, 3), 5.0, np.float32), "net/b:0": np.full(3, 6.0, np.float32)}, f)
    return open_model(path)


def test_plan_and_apply_leave_sys_path_and_sys_modules_as_they_were(builder_dir, source, tmp_path):
    pytest.importorskip("tensorflow")
    from pbscope.core.restore import apply_restore, plan_restore
    spec = f"{builder_dir / 'model_def.py'}:build"
    # once first: TensorFlow loads its own modules lazily on first use, and they may stay
    apply_restore(plan_restore(source, spec), tmp_path / "warm")
    path_before, modules_before = list(sys.path), set(sys.modules)
    assert ours(modules_before) == []
    plan = plan_restore(source, spec)
    assert sys.path == path_before and set(sys.modules) == modules_before
    assert plan.counts["matched"] == 2
    result = apply_restore(plan, tmp_path / "out")
    assert result.written == 2
    assert sys.path == path_before and set(sys.modules) == modules_before
    assert module_name(str(builder_dir / "model_def.py")) not in sys.modules


@pytest.mark.parametrize("function, file, why", [
    ("broken", "model_def.py", "broken() raised RuntimeError: broken on purpose"),
    ("nothing_here", "model_def.py", "has no function 'nothing_here' (it has: broken, build)"),
    ("build", "import_fails.py", "loading it raised ModuleNotFoundError"),
])
def test_a_failing_builder_leaves_nothing_either(builder_dir, source, function, file, why):
    pytest.importorskip("tensorflow")
    from pbscope.core.restore import plan_restore
    plan_restore  # noqa: B018 - imported before the snapshot
    path_before, modules_before = list(sys.path), set(sys.modules)
    with pytest.raises(PbscopeError, match=re.escape(why)):
        plan_restore(source, f"{builder_dir / file}:{function}")
    assert sys.path == path_before
    assert ours(set(sys.modules) - modules_before) == []
