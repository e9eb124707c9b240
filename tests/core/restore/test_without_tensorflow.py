"""Without TensorFlow (``tfimport.available`` made to say so), every restore entry point
gives the one line that says what to install, before it looks at the target at all."""
from __future__ import annotations

from pathlib import Path

import pytest
from pbscope.core import cli, tfimport
from pbscope.core.errors import PbscopeError
from pbscope.core.formats import open_model
from pbscope.core.restore import RestorePlan, apply_restore, plan_restore

ROOT = Path(__file__).resolve().parents[3]
DEMO = ROOT / "resources" / "demo_mobilenet_v1.pb"
HINT = "pip install 'pbscope[tf]'"


@pytest.fixture
def no_tf(monkeypatch):
    monkeypatch.setattr(tfimport, "available", lambda: False)


@pytest.fixture(scope="module")
def demo():
    return open_model(DEMO)


def targets(tmp_path) -> list[str]:
    builder = tmp_path / "builder.py"
    builder.write_text("raise SystemExit('a builder must not even be loaded')\n")
    return [f"{builder}:build", str(tmp_path / "model.ckpt"), str(tmp_path / "model.keras"),
            str(tmp_path / "saved"), str(tmp_path / "nothing_there"), str(DEMO)]


def test_plan_and_apply_say_what_to_install(no_tf, demo, tmp_path):
    want = tfimport.missing_message("restoring into a model")
    assert HINT in want
    for target in targets(tmp_path):
        with pytest.raises(PbscopeError) as e:
            plan_restore(demo, target, maps=[("(", "not even compiled")])
        assert str(e.value) == want, target
    plan = RestorePlan(str(DEMO), "x.py:f", "builder", [], [])
    with pytest.raises(PbscopeError) as e:
        apply_restore(plan, tmp_path / "out")
    assert str(e.value) == want
    assert sorted(p.name for p in tmp_path.iterdir()) == ["builder.py"]


def test_cli_gives_one_line(no_tf, tmp_path, capsys):
    for target in targets(tmp_path):
        for tail in (["-o", str(tmp_path / "out")], ["--dry-run", "--json"]):
            assert cli.main(["restore", str(DEMO), "--into", target, *tail]) == 1
            captured = capsys.readouterr()
            lines = captured.err.strip().splitlines()
            assert len(lines) == 1 and "pbscope[tf]" in lines[0] and "Traceback" not in captured.err, captured.err
            assert lines[0].startswith("pbscope: error: ") and captured.out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["builder.py"]
