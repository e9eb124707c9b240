"""The command line's outputs, on a graph whose values the test knows."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

from pbscope.core import cli
from tests.procs import PBSCOPE

from .graphs import tf1_mlp

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def mlp(tmp_path):
    data, expected = tf1_mlp()
    p = tmp_path / "mlp.pb"
    p.write_bytes(data)
    return p, expected


def run_json(capsys, *argv):
    assert cli.main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_info_json(mlp, capsys):
    p, expected = mlp
    info = run_json(capsys, "info", str(p))
    assert {"format", "ops", "weights", "params", "bytes", "op_types", "inputs", "outputs"} <= set(info)
    assert info["format"] == "GraphDef"
    assert info["ops"] == 18
    assert info["weights"] == 4
    assert info["params"] == sum(v.size for v in expected.values())
    assert info["bytes"] == sum(v.nbytes for v in expected.values())
    assert info["inputs"] == ["inputs"]
    assert "output" in info["outputs"]
    assert info["op_types"]["Const"] == 6 and info["op_types"]["MatMul"] == 2


def test_info_text(mlp, capsys):
    p, _ = mlp
    assert cli.main(["info", str(p)]) == 0
    out = capsys.readouterr().out
    assert "ops      18 (6 types)" in out
    assert "inputs   inputs (float32 [?,8])" in out


def test_ls_filters(mlp, capsys):
    p, expected = mlp
    rows = run_json(capsys, "ls", str(p))
    assert len(rows) == 18 and all({"name", "op"} <= set(r) for r in rows)
    weights = run_json(capsys, "ls", str(p), "--weights")
    assert [r["key"] for r in weights] == list(expected)
    for r in weights:
        assert r["shape"] == list(expected[r["key"]].shape)
        assert r["dtype"] == "float32" and r["bytes"] == expected[r["key"]].nbytes
    assert [r["name"] for r in run_json(capsys, "ls", str(p), "--op", "matmul")] == \
        ["net/layer_0/MatMul", "net/layer_1/MatMul"]
    assert len(run_json(capsys, "ls", str(p), "--filter", "LAYER_1/b")) == 3
    assert [r["name"] for r in run_json(capsys, "ls", str(p), "--regex", r"biases$")] == \
        ["net/layer_0/biases", "net/layer_1/biases"]
    consts = run_json(capsys, "ls", str(p), "--all-consts")
    assert len(consts) == 6 and {"net/layer_0/Reshape/shape"} < {r["name"] for r in consts}


@pytest.mark.parametrize("name", ["net/layer_0/weights", "net/layer_0/weights:0", "net/layer_0/weights/read"])
def test_show_by_name_or_key(mlp, capsys, name):
    p, expected = mlp
    v = expected["net/layer_0/weights:0"]
    s = run_json(capsys, "show", str(p), name)
    assert {"name", "key", "shape", "dtype", "min", "max", "mean", "std", "zeros", "nan", "inf", "values"} <= set(s)
    assert s["key"] == "net/layer_0/weights:0" and s["shape"] == [8, 16] and s["dtype"] == "float32"
    assert s["min"] == pytest.approx(float(v.min())) and s["max"] == pytest.approx(float(v.max()))
    assert s["mean"] == pytest.approx(float(v.astype(np.float64).mean()))
    assert s["std"] == pytest.approx(float(v.astype(np.float64).std()))
    assert s["zeros"] == 0 and s["nan"] == 0 and s["inf"] == 0
    assert s["values"] == pytest.approx(v.reshape(-1)[:10].tolist())


def test_show_a_structural_const_and_an_op(mlp, capsys):
    p, _ = mlp
    s = run_json(capsys, "show", str(p), "net/layer_0/Reshape/shape")
    assert s["values"] == [-1, 16] and s["dtype"] == "int32"
    o = run_json(capsys, "show", str(p), "net/layer_0/MatMul")
    assert o["op"] == "MatMul" and o["inputs"] == ["inputs", "net/layer_0/weights/read"]
    assert o["consumers"] == ["net/layer_0/BiasAdd"]


def test_show_unknown_name(mlp, capsys):
    p, _ = mlp
    assert cli.main(["show", str(p), "nope"]) == 1
    assert capsys.readouterr().err == f"pbscope: error: {p}: no op, weight or key named 'nope'\n"


def test_show_nan_inf_is_valid_json(tmp_path, capsys):
    from pbscope.core import proto

    from .graphs import const
    gd = proto.GraphDef()
    const(gd, "w", np.array([np.nan, np.inf, -np.inf, 0.0, 2.0], np.float32))
    p = tmp_path / "nan.pb"
    p.write_bytes(gd.SerializeToString())
    s = run_json(capsys, "show", str(p), "w")
    assert (s["nan"], s["inf"], s["zeros"]) == (1, 2, 1)
    assert s["min"] == 0.0 and s["max"] == 2.0
    assert s["values"] == ["NaN", "Infinity", "-Infinity", 0.0, 2.0]


def test_export_pickle_from_cli(mlp, capsys, tmp_path):
    import pickle
    p, expected = mlp
    out = tmp_path / "w.pkl"
    r = run_json(capsys, "export", str(p), "-o", str(out), "--exclude", "net/layer_1")
    assert r["count"] == 2
    d = pickle.loads(out.read_bytes())
    assert list(d) == ["net/layer_0/weights:0", "net/layer_0/biases:0"]
    for k, v in d.items():
        np.testing.assert_array_equal(v, expected[k])


def test_info_never_imports_tensorflow(tmp_path):
    data, _ = tf1_mlp()
    p = tmp_path / "m.pb"
    p.write_bytes(data)
    r = subprocess.run([PBSCOPE[0], "-X", "importtime", *PBSCOPE[1:], "info", str(p)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    imported = {line.split("|")[-1].strip() for line in r.stderr.splitlines() if "|" in line}
    assert not any(m == "tensorflow" or m.startswith(("tensorflow.", "keras")) for m in imported)
    assert not any(m.startswith(("PySide6", "pyqtgraph")) for m in imported)


# -- ls: the window's filter rules ------------------------------------------------------

def test_ls_regex_ignores_case_and_glob_matches_name_parts(mlp, capsys):
    p, _ = mlp
    assert [r["name"] for r in run_json(capsys, "ls", str(p), "--regex", r"BIASES$")] == \
        ["net/layer_0/biases", "net/layer_1/biases"]
    assert [r["name"] for r in run_json(capsys, "ls", str(p), "--glob", "WEIGHTS")] == \
        ["net/layer_0/weights", "net/layer_1/weights"]
    assert [r["name"] for r in run_json(capsys, "ls", str(p), "--glob", "layer_1/*", "--op", "relu")] == \
        ["net/layer_1/Relu"]
    assert run_json(capsys, "ls", str(p), "--op", "NoSuchType") == []
    assert "case-insensitive" in cli.build_parser()._subparsers._group_actions[0].choices["ls"].format_help()


def test_ls_bad_regex_is_one_line(mlp, capsys):
    p, _ = mlp
    assert cli.main(["ls", str(p), "--regex", "a("]) == 1
    err = capsys.readouterr().err
    assert err.startswith("pbscope: error: --regex 'a(': ") and err.count("\n") == 1


# -- show: the preview's figures ----------------------------------------------------------

def test_show_prints_the_previews_statistics_and_bins(mlp, capsys):
    from pbscope.core.preview import histogram, stats_text
    from pbscope.core.stats import summarize
    p, expected = mlp
    v = expected["net/layer_0/weights:0"]
    st = summarize(v)
    text = stats_text(st)
    assert cli.main(["show", str(p), "net/layer_0/weights", "--hist"]) == 0
    out = capsys.readouterr().out
    assert f"min     {text['min']}   max {text['max']}" in out
    assert f"mean    {text['mean']}   std {text['std']}" in out
    (counts, edges), note = histogram(st.finite, st.min, st.max, counts=st.counts)
    assert f"histogram  {len(counts)} bins over {note}" in out
    s = run_json(capsys, "show", str(p), "net/layer_0/weights", "--hist")
    assert s["histogram"]["counts"] == counts.tolist() and s["histogram"]["edges"] == edges.tolist()
    assert sum(s["histogram"]["counts"]) == v.size


# -- info: the window's model page -----------------------------------------------------------

def test_info_is_the_window_summary(mlp, capsys):
    from pbscope.core.formats import open_model
    from pbscope.core.summary import Summary
    p, _ = mlp
    summary = Summary.of(open_model(str(p)))
    info = run_json(capsys, "info", str(p))
    assert info == json.loads(json.dumps(summary.as_dict()))
    assert info["functions"] == 0 and info["unavailable"] == 0 and info["extra_bytes"] == 0
    assert cli.main(["info", str(p)]) == 0
    assert capsys.readouterr().out.splitlines() == summary.lines()


# -- export: names and key styles ------------------------------------------------------------

def test_export_without_output_writes_beside_the_model(mlp, capsys):
    import pickle
    p, expected = mlp
    r = run_json(capsys, "export", str(p))
    assert r["path"] == str(p.parent / "mlp_weights.pkl")
    assert list(pickle.loads((p.parent / "mlp_weights.pkl").read_bytes())) == list(expected)
    r = run_json(capsys, "export", str(p), "--format", "npz", "--keys", "var")
    assert r["path"] == str(p.parent / "mlp_weights.npz")
    assert sorted(np.load(p.parent / "mlp_weights.npz")) == sorted(k[:-2] for k in expected)


def test_keys_tf1_with_seed_as_a_hidden_alias(mlp, capsys, tmp_path):
    import pickle
    p, expected = mlp
    for keys in ("tf1", "seed"):
        out = tmp_path / f"{keys}.pkl"
        assert cli.main(["export", str(p), "-o", str(out), "--keys", keys]) == 0
        assert list(pickle.loads(out.read_bytes())) == list(expected)
    capsys.readouterr()
    with pytest.raises(SystemExit) as e:
        cli.main(["export", str(p), "--keys", "nope"])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert "'tf1', 'var'" in err and "seed" not in err
    helps = [cli.build_parser().format_help()]
    for sub in cli.build_parser()._subparsers._group_actions[0].choices.values():
        helps.append(sub.format_help())
    assert not any("seed" in h.lower() for h in helps)


# -- -v: pbscope's log records on stderr ------------------------------------------------------

def test_verbose_prints_log_records_on_stderr(mlp, capsys):
    from pbscope.core import logs
    p, _ = mlp
    try:
        assert cli.main(["info", str(p)]) == 0
        assert capsys.readouterr().err == ""
        assert cli.main(["-v", "info", str(p)]) == 0
        err = capsys.readouterr().err
        assert f"pbscope: INFO: pbscope.core.formats: opened {p}: GraphDef, 18 ops, 4 weights" in err
        assert "DEBUG" not in err
        assert cli.main(["ls", str(p), "-vv", "--filter", "relu"]) == 0
        err = capsys.readouterr().err
        assert "DEBUG: pbscope.core.cli: ls: 2 of 18 ops match" in err
        assert cli.main(["export", str(p), "--format", "npz"]) == 0     # no -v: nothing again
        assert capsys.readouterr().err == ""
    finally:
        logs.unconfigure()


def test_no_verbose_subprocess_stderr_is_empty(mlp):
    p, _ = mlp
    r = subprocess.run([*PBSCOPE, "info", str(p)], check=False, capture_output=True, text=True)
    assert r.returncode == 0 and r.stderr == ""
    r = subprocess.run([*PBSCOPE, "info", str(p), "-v"], check=False, capture_output=True, text=True)
    assert r.returncode == 0 and "pbscope.core.formats: opened" in r.stderr
