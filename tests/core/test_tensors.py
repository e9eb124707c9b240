import ml_dtypes
import numpy as np
import pytest

from pbscope.core import proto
from pbscope.core.tensors import TensorError, decode, dtype_of


def tensor(dtype: int, shape, **fields):
    t = proto.TensorProto(dtype=dtype)
    for d in shape:
        t.tensor_shape.dim.add(size=d)
    for k, v in fields.items():
        if isinstance(v, bytes):
            setattr(t, k, v)
        else:
            getattr(t, k).extend(v)
    return t


CONTENT_CASES = [
    (1, np.float32), (2, np.float64), (3, np.int32), (4, np.uint8), (5, np.int16), (6, np.int8),
    (9, np.int64), (10, np.bool_), (17, np.uint16), (19, np.float16), (22, np.uint32),
    (23, np.uint64), (8, np.complex64), (18, np.complex128), (14, ml_dtypes.bfloat16),
    (11, np.int8), (12, np.uint8), (13, np.int32), (15, np.int16), (16, np.uint16),
    (24, ml_dtypes.float8_e5m2), (25, ml_dtypes.float8_e4m3fn),
]


@pytest.mark.parametrize("number,np_type", CONTENT_CASES)
def test_tensor_content_every_dtype(number, np_type):
    rng = np.random.default_rng(number)
    raw = rng.integers(0, 2, size=(2, 3, 4)) if np_type is np.bool_ else rng.standard_normal((2, 3, 4)) * 5
    a = np.asarray(raw).astype(np_type)
    got = decode(tensor(number, a.shape, tensor_content=a.tobytes()))
    assert got.dtype == np.dtype(np_type)
    assert got.shape == (2, 3, 4)
    np.testing.assert_array_equal(got.view(np.uint8), a.view(np.uint8))
    assert not got.flags.writeable
    assert dtype_of(number).quantized == (number in (11, 12, 13, 15, 16))


def test_content_view_is_zero_copy():
    buf = bytearray(np.arange(12, dtype=np.float32).tobytes())
    view = memoryview(bytes(buf))
    got = decode(tensor(1, (3, 4)), content=view)
    assert np.shares_memory(got, np.frombuffer(view, np.uint8))
    np.testing.assert_array_equal(got, np.arange(12, dtype=np.float32).reshape(3, 4))


TYPED_CASES = [
    (1, "float_val", [1.5, -2.0], np.float32),
    (2, "double_val", [1.25, 3.0], np.float64),
    (3, "int_val", [7, -9], np.int32),
    (6, "int_val", [-128, 127], np.int8),
    (4, "int_val", [0, 255], np.uint8),
    (9, "int64_val", [2**40, -3], np.int64),
    (22, "uint32_val", [2**32 - 1, 1], np.uint32),
    (23, "uint64_val", [2**64 - 1, 1], np.uint64),
    (10, "bool_val", [True, False], np.bool_),
    (12, "int_val", [3, 250], np.uint8),
]


@pytest.mark.parametrize("number,field,values,np_type", TYPED_CASES)
def test_typed_values(number, field, values, np_type):
    got = decode(tensor(number, (2,), **{field: values}))
    np.testing.assert_array_equal(got, np.array(values, dtype=np_type))


def test_one_value_broadcasts_and_short_lists_repeat_the_last():
    np.testing.assert_array_equal(decode(tensor(1, (2, 3), float_val=[0.5])), np.full((2, 3), 0.5, np.float32))
    np.testing.assert_array_equal(decode(tensor(3, (5,), int_val=[1, 2])), [1, 2, 2, 2, 2])
    np.testing.assert_array_equal(decode(tensor(3, (3,))), [0, 0, 0])
    assert decode(tensor(1, (), float_val=[4.0])).shape == ()


def test_half_bfloat16_complex_string():
    h = np.array([1.0, -2.5], np.float16)
    np.testing.assert_array_equal(decode(tensor(19, (2,), half_val=h.view(np.uint16).tolist())), h)
    b = np.array([1.0, 3.0], ml_dtypes.bfloat16)
    np.testing.assert_array_equal(decode(tensor(14, (2,), half_val=b.view(np.uint16).tolist())), b)
    c = decode(tensor(8, (2,), scomplex_val=[1, 2, 3, 4]))
    np.testing.assert_array_equal(c, np.array([1 + 2j, 3 + 4j], np.complex64))
    s = decode(tensor(7, (2,), string_val=[b"a", b"bc"]))
    assert s.tolist() == [b"a", b"bc"]
    f8 = np.array([1.0, 2.0], ml_dtypes.float8_e4m3fn)
    np.testing.assert_array_equal(decode(tensor(25, (2,), float8_val=f8.tobytes())), f8)


@pytest.mark.parametrize("t,msg", [
    (tensor(1, (10**6, 10**6), float_val=[1.0]), "refusing to expand"),
    (tensor(1, (10**6, 10**6), tensor_content=b"\0" * 8), "stores 8 bytes"),
    (tensor(1, (3,), tensor_content=b"\0" * 8), "has 3 elements of 4 bytes"),
    (tensor(1, (1,), float_val=[1, 2]), "stores 2 values"),
    (tensor(77, (1,)), "unknown dtype number 77"),
    (tensor(20, (1,)), "holds handles"),
    (tensor(1, (-1, 3)), "unknown dimension"),
    (tensor(8, (1,), scomplex_val=[1, 2, 3]), "odd number"),
])
def test_bad_tensors_get_one_clear_error(t, msg):
    with pytest.raises(TensorError, match=msg):
        decode(t)
