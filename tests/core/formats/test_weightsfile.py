"""Weights files (core/formats/weightsfile.py): .pkl, .npz, .safetensors, .npy and a folder of
.npy files with an index.json, each written here by numpy, pickle or the safetensors
package (not by pbscope's own export), opened as models: one ``Tensor`` op and one weight
per key, with the dtype, shape and values that were written."""
from __future__ import annotations

import json
import pickle

import ml_dtypes
import numpy as np
import pytest

from pbscope.core.errors import PbscopeError
from pbscope.core.formats import detect, open_model


def arrays() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(11)
    return {
        "net/conv/kernel": rng.standard_normal((3, 3, 2, 4)).astype(np.float32),
        "net/conv/bias": np.linspace(-1, 1, 4).astype(np.float64),
        "net/bn/count": np.arange(6, dtype=np.int64).reshape(2, 3) * 2**40,
        "net/emb/table": rng.integers(0, 255, (5, 2)).astype(np.uint8),
        "net/mask": np.array([True, False, True]),
        "net/half": np.array([1.5, -2.0, 65504.0], np.float16),
        "step": np.array(42, np.int32),
    }


def check(g, want: dict[str, np.ndarray], fmt: str, keys=None):
    """The graph lists ``want`` in order: a Tensor op and a weight per key, same values."""
    keys = list(want) if keys is None else keys
    assert g.format == fmt
    assert [(op.name, op.type) for op in g.ops] == [(k.removesuffix(":0"), "Tensor") for k in keys]
    assert [w.var_name for w in g.weights] == [k.removesuffix(":0") for k in keys]
    assert [w.key for w in g.weights] == [k if k.endswith(":0") else k + ":0" for k in keys]
    for key in keys:
        w = g.find_weight(key.removesuffix(":0"))
        a = w.array()
        assert w.shape == want[key].shape and a.shape == want[key].shape
        assert a.dtype == want[key].dtype and w.dtype.name == want[key].dtype.name
        np.testing.assert_array_equal(a, want[key])
        assert not a.flags.writeable
    assert g.find_weight("net/conv/kernel").role == "kernel"


def test_pickle_of_a_dict_of_arrays(tmp_path):
    want = {k + ":0": v for k, v in arrays().items()}     # the seed's keys: var.name
    p = tmp_path / "w.pkl"
    p.write_bytes(pickle.dumps(want, protocol=4))
    assert detect(p).name == "pickle"
    check(open_model(p), want, "Pickle (weights)")


def test_npz_written_by_numpy(tmp_path):
    want = arrays()
    for compress, name in ((np.savez, "w.npz"), (np.savez_compressed, "wc.npz")):
        compress(tmp_path / name, **want)
        assert detect(tmp_path / name).name == "npz"
        check(open_model(tmp_path / name), want, "NumPy .npz (weights)")


def test_safetensors_written_by_the_package(tmp_path):
    from safetensors.numpy import save_file
    want = arrays()
    want["net/bf16"] = np.array([0.5, -3.0], ml_dtypes.bfloat16)
    p = tmp_path / "w.safetensors"
    save_file(want, str(p), metadata={"format": "np"})
    assert detect(p).name == "safetensors"
    g = open_model(p)
    # listed in the order their bytes lie in the file, which the package chose
    header = json.loads(p.read_bytes()[8:8 + int.from_bytes(p.read_bytes()[:8], "little")])
    order = sorted(want, key=lambda k: header[k]["data_offsets"][0])
    check(g, want, "safetensors (weights)", keys=order)


def test_safetensors_written_by_hand(tmp_path):
    """The documented layout: an 8-byte little-endian header length, a JSON header, the data."""
    a = np.arange(6, dtype="<f4").reshape(2, 3)
    b = np.array([7, -8], "<i2")
    header = {"z/first": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},
              "a/second": {"dtype": "I16", "shape": [2], "data_offsets": [24, 28]},
              "__metadata__": {"made": "by hand"}}
    text = json.dumps(header).encode()
    p = tmp_path / "hand.safetensors"
    p.write_bytes(len(text).to_bytes(8, "little") + text + a.tobytes() + b.tobytes())
    check_order = ["z/first", "a/second"]
    g = open_model(p)
    assert [op.name for op in g.ops] == check_order
    np.testing.assert_array_equal(g.find_weight("z/first").array(), a)
    np.testing.assert_array_equal(g.find_weight("a/second").array(), b)
    assert g.find_weight("a/second").dtype.name == "int16"


def test_one_npy_file(tmp_path):
    a = arrays()["net/conv/kernel"]
    p = tmp_path / "kernel.npy"
    np.save(p, a)
    assert detect(p).name == "npy"
    g = open_model(p)
    assert g.format == "NumPy .npy (weights)"
    assert [(op.name, op.type) for op in g.ops] == [("kernel", "Tensor")]
    (w,) = g.weights
    assert w.shape == (3, 3, 2, 4) and w.dtype.name == "float32"
    np.testing.assert_array_equal(w.array(), a)


def test_npy_folder_with_an_index(tmp_path):
    want = arrays()
    d = tmp_path / "w_npy"
    d.mkdir()
    index = {}
    for i, (key, a) in enumerate(want.items()):
        np.save(d / f"{i:03d}.npy", a)
        index[key] = f"{i:03d}.npy"
    (d / "index.json").write_text(json.dumps(index))
    assert detect(d).name == "npy-dir"
    check(open_model(d), want, "npy folder (weights)")


def test_npy_folder_naming_a_missing_file(tmp_path):
    d = tmp_path / "w_npy"
    d.mkdir()
    np.save(d / "a.npy", np.ones(2))
    (d / "index.json").write_text(json.dumps({"a": "a.npy", "b": "b.npy"}))
    with pytest.raises(PbscopeError, match="b.npy: not a readable .npy") as e:
        open_model(d)
    assert "\n" not in str(e.value)
