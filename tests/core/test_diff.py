from __future__ import annotations

import json
import pickle

import numpy as np
import pytest

from pbscope.core import cli
from pbscope.core.diff import diff
from pbscope.core.export import export_weights
from pbscope.core.formats import open_model

from .graphs import tf1_mlp


def test_diff_reports_each_kind_of_difference(tmp_path, capsys):
    data, expected = tf1_mlp()
    model = tmp_path / "m.pb"
    model.write_bytes(data)
    g = open_model(model)
    export_weights(g.weights, tmp_path / "same.npz")
    d = {k: v.copy() for k, v in expected.items()}
    d.pop("net/layer_0/weights:0")
    d["extra:0"] = np.ones(2, np.float32)
    d["net/layer_1/weights:0"] = np.ones((3, 3), np.float32)
    d["net/layer_0/biases:0"][3] += 0.25
    d["net/layer_1/biases:0"] = d["net/layer_1/biases:0"].astype(np.float64)
    (tmp_path / "changed.pkl").write_bytes(pickle.dumps(d))

    same = diff(g, open_model(tmp_path / "same.npz"))
    assert not (same.only_a or same.only_b or same.mismatched)
    assert all(t.equal and t.max_abs_diff == 0.0 for t in same.common) and len(same.common) == 4

    r = diff(g, open_model(tmp_path / "changed.pkl"))
    assert r.only_a == ["net/layer_0/weights:0"] and r.only_b == ["extra:0"]
    assert {t.key: (t.a_shape, t.b_shape, t.a_dtype, t.b_dtype) for t in r.mismatched} == {
        "net/layer_1/weights:0": ([16, 4], [3, 3], "float32", "float32"),
        "net/layer_1/biases:0": ([4], [4], "float32", "float64")}
    (common,) = r.common
    assert common.key == "net/layer_0/biases:0" and common.max_abs_diff == pytest.approx(0.25) and not common.equal

    assert cli.main(["diff", str(model), str(tmp_path / "changed.pkl"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"only_a", "only_b", "mismatched", "common", "summary"} <= set(out)
    assert out["summary"].startswith("1 common tensors (0 equal, 1 differ, max abs diff 0.25)")
    assert cli.main(["diff", str(model), str(tmp_path / "changed.pkl")]) == 0
    text = capsys.readouterr().out
    assert "only in A (1):\n  net/layer_0/weights:0" in text and "differs" in text


def test_nan_against_nan_is_equal_and_against_a_number_is_infinite(tmp_path):
    a = {"w:0": np.array([np.nan, 1.0, 2.0], np.float32)}
    b = {"w:0": np.array([np.nan, 1.0, np.nan], np.float32)}
    for name, d in (("a.pkl", a), ("b.pkl", b)):
        (tmp_path / name).write_bytes(pickle.dumps(d))
    r = diff(open_model(tmp_path / "a.pkl"), open_model(tmp_path / "b.pkl"))
    assert r.common[0].max_abs_diff == float("inf")
    r = diff(open_model(tmp_path / "a.pkl"), open_model(tmp_path / "a.pkl"))
    assert r.common[0].equal
