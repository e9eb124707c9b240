"""TensorFlow's checkpoint format (core/formats/tensorbundle.py) read without TensorFlow:
checkpoints written here by TF (its SaveV2 op, TF1's Saver, partitioned variables, a "V1"
checkpoint), every dtype, checked against what was written and tf.train.load_variable."""
from __future__ import annotations

import os
import shutil

import ml_dtypes
import numpy as np
import pytest

from pbscope.core.errors import PbscopeError
from pbscope.core.formats import detect, open_model
from pbscope.core.formats.tensorbundle import BundleReader

# TF's DataType numbers of what TENSORS holds
DTYPES = {"f16": 19, "f32": 1, "f64": 2, "bf16": 14, "i8": 6, "i16": 5, "i32": 3, "i64": 9, "u8": 4,
          "u16": 17, "u32": 22, "u64": 23, "bool": 10, "c64": 8, "c128": 18, "str": 7,
          "scalar": 1, "empty": 1, "deep/scope/name": 3}


def tensors() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(5)
    f = rng.standard_normal((2, 3))
    return {
        "f16": f.astype(np.float16), "f32": f.astype(np.float32), "f64": f,
        "bf16": f.astype(ml_dtypes.bfloat16),
        "i8": np.array([-128, 127, 0], np.int8), "i16": np.array([-32768, 7], np.int16),
        "i32": np.arange(-3, 3, dtype=np.int32).reshape(3, 2), "i64": np.array([-2**63, 2**63 - 1], np.int64),
        "u8": np.array([0, 255], np.uint8), "u16": np.array([65535], np.uint16),
        "u32": np.array([2**32 - 1, 1], np.uint32), "u64": np.array([2**64 - 1], np.uint64),
        "bool": np.array([[True, False], [False, True]]),
        "c64": (f + 1j * f).astype(np.complex64), "c128": f[0] - 2j * f[1],
        "str": np.array([b"hello", b"", b"\xff\x00bytes", "caf\u00e9".encode()], dtype=object),
        "scalar": np.array(2.5, np.float32), "empty": np.zeros((0, 3), np.float32),
        "deep/scope/name": np.array([1, 2, 3], np.int32),
    }


@pytest.fixture(scope="module")
def tf():
    tf = pytest.importorskip("tensorflow")
    return tf


def save_v2(tf, prefix: str, values: dict[str, np.ndarray]) -> str:
    """A V2 checkpoint holding exactly ``values``, written by TF's SaveV2 op."""
    names = list(values)
    tf.raw_ops.SaveV2(prefix=prefix, tensor_names=names, shape_and_slices=[""] * len(names),
                      tensors=[tf.constant(values[n]) for n in names])
    return prefix


@pytest.fixture(scope="module")
def every_dtype(tf, tmp_path_factory):
    prefix = str(tmp_path_factory.mktemp("bundle") / "all")
    want = tensors()
    save_v2(tf, prefix, want)
    return prefix, want


def test_index_lists_every_tensor_with_dtype_and_shape(every_dtype):
    prefix, want = every_dtype
    assert detect(prefix + ".index").name == "checkpoint-index"
    assert detect(prefix + ".data-00000-of-00001").name == "checkpoint-data"
    b = BundleReader(prefix)
    assert not b.v1 and b.num_shards == 1 and b.missing_shards() == []
    assert set(b.entries) == set(want)
    for key, a in want.items():
        e = b.entries[key]
        assert e.dtype == DTYPES[key] and e.shape == a.shape and not e.sliced, key
        assert b.meta(key).shape == a.shape


def test_values_equal_what_was_written_and_what_tf_reads(every_dtype, tf):
    prefix, want = every_dtype
    b = BundleReader(prefix)
    for key, a in want.items():
        got = b.read(key)
        assert got.shape == a.shape, key
        if key == "str":
            assert got.tolist() == a.tolist()
            continue
        assert got.dtype == a.dtype, key
        np.testing.assert_array_equal(got, a)
        np.testing.assert_array_equal(got, tf.train.load_variable(prefix, key))
        path, offset, size = b.span(key)
        assert path == prefix + ".data-00000-of-00001" and size == a.nbytes
        with open(path, "rb") as f:
            f.seek(offset)
            assert f.read(size) == np.ascontiguousarray(a).tobytes()


def test_a_checkpoint_without_meta_opens_as_its_variables(every_dtype, tmp_path):
    prefix, want = every_dtype
    for ext in (".index", ".data-00000-of-00001"):
        shutil.copy(prefix + ext, tmp_path / ("ck" + ext))
    g = open_model(tmp_path / "ck")
    assert g.format == "TF checkpoint (no .meta: variables only)"
    weights = {w.var_name: w for w in g.weights + g.extra_weights}
    assert set(weights) == set(want)
    for key in ("f32", "i64", "bf16", "deep/scope/name"):
        np.testing.assert_array_equal(weights[key].array(), want[key])
        assert weights[key].shape == want[key].shape
    assert g.root.find("deep/scope/name").weight is not None


def test_missing_data_shard_is_named(every_dtype, tmp_path):
    prefix, _ = every_dtype
    shutil.copy(prefix + ".index", tmp_path / "ck.index")
    b = BundleReader(str(tmp_path / "ck"))
    assert b.missing_shards() == [str(tmp_path / "ck.data-00000-of-00001")]
    with pytest.raises(PbscopeError, match="missing: the checkpoint's data file is not there"):
        b.read("f32")


def test_partitioned_variable_is_read_whole(tf, tmp_path):
    """A partitioned variable is stored as slices of one key: read (through TF) as one array."""
    v1 = tf.compat.v1
    value = np.arange(40, dtype=np.float32).reshape(8, 5)
    with tf.Graph().as_default():
        parts = v1.get_variable("part/w", [8, 5], tf.float32, partitioner=v1.fixed_size_partitioner(3, axis=0),
                                use_resource=False)
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            row = 0
            for part in parts:      # rows 0:3, 3:6, 6:8
                n = part.shape[0]
                sess.run(part.assign(value[row:row + n]))
                row += n
            prefix = v1.train.Saver().save(sess, str(tmp_path / "p.ckpt"))
    b = BundleReader(prefix)
    assert b.entries["part/w"].sliced and b.entries["part/w"].shape == (8, 5)
    np.testing.assert_array_equal(b.read("part/w"), value)
    g = open_model(tmp_path)
    np.testing.assert_array_equal(g.find_weight("part/w").array(), value)


def test_v1_checkpoint(tf, tmp_path):
    """TF1's older format: one table file holding the values (read through TF)."""
    v1 = tf.compat.v1
    w = np.arange(6, dtype=np.float32).reshape(2, 3)
    b = np.array([1, -2, 3], np.int64)
    with tf.Graph().as_default():
        v1.get_variable("net/w", initializer=w, use_resource=False)
        v1.get_variable("net/b", initializer=b, use_resource=False)
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            prefix = v1.train.Saver(write_version=v1.train.SaverDef.V1).save(sess, str(tmp_path / "v1.ckpt"))
    assert os.path.isfile(prefix) and not os.path.exists(prefix + ".index")
    bundle = BundleReader(prefix, prefix)
    assert bundle.v1 and set(bundle.entries) == {"net/w", "net/b"}
    np.testing.assert_array_equal(bundle.read("net/w"), w)
    for opened in (tmp_path, prefix + ".meta"):
        g = open_model(opened)
        assert g.format == "TF1 checkpoint (.meta + checkpoint)"
        weights = {x.var_name: x for x in g.weights}
        np.testing.assert_array_equal(weights["net/w"].array(), w)
        np.testing.assert_array_equal(weights["net/b"].array(), b)
        assert weights["net/b"].dtype.name == "int64"
