"""Small GraphDefs built with core's own schema (no TensorFlow), for core's tests."""
from __future__ import annotations

import numpy as np

from pbscope.core import proto

DT = {np.dtype("float32"): 1, np.dtype("float64"): 2, np.dtype("int32"): 3, np.dtype("uint8"): 4,
      np.dtype("int16"): 5, np.dtype("int8"): 6, np.dtype("int64"): 9, np.dtype("bool"): 10,
      np.dtype("float16"): 19}


def const(gd, name: str, value: np.ndarray, dtype: int | None = None):
    n = gd.node.add(name=name, op="Const")
    t = n.attr["value"].tensor
    t.dtype = dtype if dtype is not None else DT[value.dtype]
    for d in value.shape:
        t.tensor_shape.dim.add(size=d)
    t.tensor_content = np.ascontiguousarray(value).tobytes()
    n.attr["dtype"].type = t.dtype
    return n


def op(gd, name: str, type_: str, *inputs: str, **attrs):
    n = gd.node.add(name=name, op=type_)
    n.input.extend(inputs)
    for k, v in attrs.items():
        if isinstance(v, str):
            n.attr[k].s = v.encode()
        elif isinstance(v, int):
            n.attr[k].i = v
    return n


def tf1_mlp(rng=None, big: int = 0) -> tuple[bytes, dict[str, np.ndarray]]:
    """A TF1-frozen two-layer MLP: Const w + Identity w/read, as convert_variables_to_constants
    leaves it. ``big`` adds a hidden width large enough to cross core's size thresholds."""
    rng = rng or np.random.default_rng(0)
    gd = proto.GraphDef()
    x = gd.node.add(name="inputs", op="Placeholder")
    x.attr["dtype"].type = 1
    x.attr["shape"].shape.dim.add(size=-1)
    x.attr["shape"].shape.dim.add(size=8)
    hidden = max(16, big)
    expected = {}
    prev, width = "inputs", 8
    for i, out in enumerate((hidden, 4)):
        scope = f"net/layer_{i}"
        w = rng.standard_normal((width, out)).astype(np.float32)
        b = rng.standard_normal(out).astype(np.float32)
        for name, v in (("weights", w), ("biases", b)):
            const(gd, f"{scope}/{name}", v)
            op(gd, f"{scope}/{name}/read", "Identity", f"{scope}/{name}")
            expected[f"{scope}/{name}:0"] = v
        op(gd, f"{scope}/MatMul", "MatMul", prev, f"{scope}/weights/read")
        op(gd, f"{scope}/BiasAdd", "BiasAdd", f"{scope}/MatMul", f"{scope}/biases/read")
        op(gd, f"{scope}/Relu", "Relu", f"{scope}/BiasAdd")
        const(gd, f"{scope}/Reshape/shape", np.array([-1, out], np.int32))
        prev, width = f"{scope}/Relu", out
    op(gd, "output", "Identity", prev)
    gd.versions.producer = 1882
    return gd.SerializeToString(), expected


def dtype_samples() -> dict[str, tuple[np.ndarray, int]]:
    """One small array per dtype exports care about: name → (values, TF dtype number)."""
    import ml_dtypes
    rng = np.random.default_rng(7)
    f = rng.standard_normal((3, 4))
    return {
        "f16": (f.astype(np.float16), 19), "f32": (f.astype(np.float32), 1),
        "f64": (f.astype(np.float64), 2), "bf16": (f.astype(ml_dtypes.bfloat16), 14),
        "i8": (np.arange(-6, 6, dtype=np.int8).reshape(3, 4), 6),
        "i16": (np.arange(12, dtype=np.int16).reshape(3, 4) * -300, 5),
        "i32": (np.arange(12, dtype=np.int32).reshape(3, 4) * 70000, 3),
        "i64": (np.arange(12, dtype=np.int64).reshape(3, 4) * 2**40, 9),
        "u8": (np.arange(12, dtype=np.uint8).reshape(3, 4) * 20, 4),
        "bool": ((f > 0), 10),
        "c64": ((f + 1j * f[::-1]).astype(np.complex64), 8),
    }


def dtypes_graph() -> tuple[bytes, dict[str, np.ndarray]]:
    gd = proto.GraphDef()
    expected = {}
    for name, (value, number) in dtype_samples().items():
        const(gd, f"dtypes/{name}", value, dtype=number)
        op(gd, f"dtypes/{name}/read", "Identity", f"dtypes/{name}")
        expected[f"dtypes/{name}:0"] = value
    n = gd.node.add(name="dtypes/str", op="Const")
    t = n.attr["value"].tensor
    t.dtype = 7
    t.tensor_shape.dim.add(size=2)
    t.string_val.extend([b"hello", b"\xffbytes"])
    op(gd, "dtypes/str/read", "Identity", "dtypes/str")
    expected["dtypes/str:0"] = np.array([b"hello", b"\xffbytes"], dtype=object)
    return gd.SerializeToString(), expected
