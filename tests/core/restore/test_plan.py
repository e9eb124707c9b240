"""The matching rules and the plan (core/restore/matching.py, plan.py), without TensorFlow:
the source is a pickle of arrays, the target a stand-in with the Target protocol's parts."""
from __future__ import annotations

import pickle
from dataclasses import dataclass, field

import numpy as np
import pytest
from pbscope.core import tfimport
from pbscope.core.errors import PbscopeError
from pbscope.core.formats import open_model
from pbscope.core.restore import plan as plan_module
from pbscope.core.restore import plan_restore
from pbscope.core.restore.matching import (
    compile_maps,
    final_scope,
    map_name,
    normalise,
    same_shape,
    source_names,
    under,
)
from pbscope.core.restore.plan import match_row
from pbscope.core.restore.targets.base import TargetVar

F32 = 1     # TF's DataType enum
I32 = 3


@pytest.fixture
def source(tmp_path):
    arrays = {"net/conv/weights:0": np.ones((3, 3, 1, 4), np.float32), "net/conv/biases:0": np.ones(4, np.float32),
              "net/logits/weights:0": np.ones((4, 10), np.float32), "net/logits/biases:0": np.ones(10, np.float32),
              "net/step:0": np.array(7, np.int32)}
    path = tmp_path / "weights.pkl"
    with open(path, "wb") as f:
        pickle.dump(arrays, f)
    return open_model(path)


def var(name, shape, dtype="float32", number=F32, trainable=True) -> TargetVar:
    return TargetVar(name, shape, dtype, number, trainable)


@dataclass
class FakeTarget:
    """A loaded target: the protocol's variables and final layer, nothing written."""
    variables: list
    widen_norm: bool = True
    kind: str = "builder"
    trainable_order: list = field(default_factory=list)

    def last_scope(self):
        return final_scope(self.trainable_order or [v.name for v in self.variables if v.trainable],
                           self.widen_norm)


@pytest.fixture
def fake_target(monkeypatch):
    """plan_restore with the target's loading replaced: TensorFlow is not asked for."""
    monkeypatch.setattr(tfimport, "available", lambda: True)
    holder = {}
    monkeypatch.setattr(plan_module, "open_target", lambda spec, source, progress: holder["target"])

    def use(variables, **kw):
        holder["target"] = FakeTarget(variables, **kw)
        return "any_builder.py:build"    # a builder spec: detected by its name alone
    return use


# -- names ---------------------------------------------------------------------------------

def test_normalise_drops_the_output_index_and_read():
    assert normalise("a/b:0") == "a/b" and normalise("a/b/read") == "a/b" and normalise("a/b:0/x") == "a/b:0/x"
    assert normalise("a/b:1") == "a/b:1"        # only the first output is the variable


def test_maps_rename_scopes_or_apply_regexes():
    rules = compile_maps([("net/", "MobileNetV1")])
    assert map_name("net/conv/weights", rules) == "MobileNetV1/conv/weights"
    assert map_name("network/conv", rules) == "network/conv"
    assert map_name("x", compile_maps([("x", "")])) == "x"       # renaming a whole name to nothing keeps it
    assert map_name("a/b/c", compile_maps([("a", "z"), ("z/b", "y")])) == "y/c"   # in order
    assert map_name("l3/k", compile_maps([(r"l(\d)", r"layer_\1")])) == "layer_3/k"
    for bad, why in (([("", "x")], "OLD is empty"), ([("a",)], "expected OLD=NEW"),
                     ([("(", "x")], "not a valid regular expression")):
        with pytest.raises(PbscopeError, match=why):
            compile_maps(bad)
    with pytest.raises(PbscopeError, match=r"--map \(a\)=\\2"):
        map_name("a", compile_maps([("(a)", r"\2")]))


def test_two_source_keys_with_one_name_are_refused(source):
    names = source_names(source.path, source.weights, [])
    assert list(names) == ["net/conv/weights", "net/conv/biases", "net/logits/weights", "net/logits/biases",
                           "net/step"]
    with pytest.raises(PbscopeError, match="two source keys have the name 'x' after --map"):
        source_names(source.path, source.weights, compile_maps([(r".*/weights$", "x")]))


def test_scopes_and_globs():
    assert under("a/b/c", "a/b") and under("a/b", "a/b/") and under("a/b", "a/b:0")
    assert not under("a/bc", "a/b") and not under("a/b", "  ")
    assert under("tower_3/conv/w", "tower_*") and under("x/BatchNorm/beta", "*/BatchNorm")
    assert not under("tower/conv", "tower_?")


def test_final_scope():
    assert final_scope([], True) is None
    assert final_scope(["a/conv/weights", "a/logits/weights", "a/logits/biases"], True) == "a/logits"
    assert final_scope(["a/conv/weights", "a/conv/BatchNorm/beta"], True) == "a/conv"      # widened
    assert final_scope(["a/conv/weights", "a/conv/BatchNorm/beta"], False) == "a/conv/BatchNorm"
    assert final_scope(["a/extra/weights/part_1"], True) == "a/extra"                      # partitioned
    assert final_scope(["bias"], True) == "bias"


def test_shapes():
    assert same_shape((3, None), (3, 7)) and not same_shape((3, 4), (3, 7)) and not same_shape((3,), (3, 1))
    assert same_shape(None, (5,)) and not same_shape((5,), None) and not same_shape(None, None)


# -- rows ------------------------------------------------------------------------------------

def test_rows(source):
    w = {x.var_name: x for x in source.weights}
    row = match_row(var("net/conv/weights", (3, 3, 1, 4)), w["net/conv/weights"], [])
    assert row.status == "matched" and row.source == "net/conv/weights:0" and row.source_value().shape == (3, 3, 1, 4)
    row = match_row(var("net/logits/weights", (4, 5)), w["net/logits/weights"], [])
    assert row.status == "mismatch" and row.why == "shape [4,10] in the source, [4,5] in the target"
    row = match_row(var("net/step", (), "int64", 9), w["net/step"], [])
    assert row.status == "mismatch" and row.source_dtype == "int32" and row.why == "dtype int32 in the source, int64 in the target"
    row = match_row(var("net/step", (), "int32", None), w["net/step"], [])     # no enum: by the name
    assert row.status == "matched"
    row = match_row(var("net/logits/weights", (4, 5)), w["net/logits/weights"], [("net/logits", "--except-last")])
    assert row.status == "skipped" and row.why == "--except-last" and row.source == "net/logits/weights:0"
    assert match_row(var("net/other", (1,)), None, []).status == "missing"


# -- plan_restore with a stand-in target ----------------------------------------------------------

def test_plan_counts_notes_and_unused(source, fake_target):
    target = fake_target([var("net/conv/weights", (3, 3, 1, 4)), var("net/conv/biases", (4,)),
                          var("net/logits/weights", (4, 5)), var("net/logits/biases", (5,)),
                          var("net/extra", (2,), trainable=False)])
    plan = plan_restore(source, target, except_last=True, excludes=["net/nowhere"])
    assert plan.counts == {"matched": 2, "mismatch": 0, "missing": 1, "skipped": 2}
    assert plan.unused == ["net/step:0"] and plan.kind == "builder"
    assert plan.notes == ["--except-last: the final layer is net/logits",
                          "--exclude net/nowhere: no target variable is under it"]
    assert plan.strict_ok                     # the missing one is not trainable
    text = plan.table(color=False)
    assert text.splitlines()[0] == f"restore plan: {source.path} -> TF1 builder {target}"
    assert "unused source keys (1): no target variable has their name" in text
    assert text.splitlines()[-1] == plan.summary()


def test_plan_without_a_match_says_how_to_rename(source, fake_target):
    target = fake_target([var("dense/kernel", (4, 10))])
    with pytest.raises(PbscopeError, match=r"no source key matches any target variable \(source keys like "
                                           r"'net/conv/weights:0', 'net/conv/biases:0', …; target variables "
                                           r"like 'dense/kernel'\); rename with --map OLD=NEW"):
        plan_restore(source, target)
    plan = plan_restore(source, target, maps=[("net/logits", "dense"), ("dense/weights", "dense/kernel")])
    assert [r.source for r in plan.by_status("matched")] == ["net/logits/weights:0"]


def test_plan_with_no_source_weights(source, fake_target):
    target = fake_target([var("net/conv/weights", (3, 3, 1, 4))])
    with pytest.raises(PbscopeError, match="no source weights selected"):
        plan_restore(source, target, weights=[])
    assert plan_restore(source, target, except_last=True).notes == ["--except-last: the final layer is net/conv"]
    fake_target([var("net/conv/weights", (3, 3, 1, 4), trainable=False)])
    plan = plan_restore(source, target, except_last=True)
    assert plan.notes == ["--except-last: the target has no trainable variables; nothing skipped"]
