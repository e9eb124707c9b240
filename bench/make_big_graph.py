"""Make a big TF1 frozen graph, MobileNet-style, for the benchmarks.

    python bench/make_big_graph.py --size-mb 200 --out /tmp/big.pb
    python bench/make_big_graph.py --ops 1000000          # no TensorFlow; see make_ops_graph
    python bench/make_big_graph.py --ops 357020 --out /tmp/g.pb

The graph is built in TF1 graph mode (a fresh ``tf.Graph``, ref variables): 22
blocks ``MobileNetV1/Conv2d_<i>`` of a 3x3 Conv2D + FusedBatchNorm + Relu6, each
with the variables ``weights`` and ``BatchNorm/{beta,gamma,moving_mean,
moving_variance}``, then ``Logits/Conv2d_1c_1x1/{weights,biases}``, a squeeze and a
softmax. Channel counts follow MobileNet's doubling pattern, scaled so that the
float32 weights add up to the asked size. Variables get random values (TF's own
random initializers, so no big numpy array is made by hand) and the graph is frozen
with ``tf.compat.v1.graph_util.convert_variables_to_constants``: each variable ``X``
becomes a Const ``X`` read through the Identity ``X/read``. About 296 ops.

Importing TensorFlow happens here only; bench/load.py runs this in a subprocess.

``--ops N`` (``make_ops_graph``) needs no TensorFlow: a GraphDef of exactly N small ops
shaped like bench/gui.py's ``make_graph``: ``model/input`` (Placeholder), then blocks
``model/block_<b>/layer_<l>/{weights, weights/read, Conv2D, biases, biases/read, BiasAdd,
Relu}`` (100 layers a block; 3x3x2x2 and 2-element float32 Consts), ``model/output``
(Identity), and up to 6 ``model/tail/pad_<i>`` NoOps to make the count exact. Seeded
values. Written node by node (each NodeDef a field-1 record of the GraphDef, encoded by
hand here and checked against core.proto by ``--check``), so 1M ops take seconds and
little memory. Cached as ``$PBSCOPE_BENCH_CACHE/ops_<N>.pb`` (default
~/.cache/pbscope-bench/) with a ``.json`` sidecar; ``ops_graph(N)`` returns that path.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

VERSION = 1          # bump when the graph's layout changes: it is part of the cache name
LAYERS = 22
CLASSES = 1001
# MobileNet's channel pattern (x base): the big 3x3 kernels sit at the end.
MULT = [1, 2, 4, 4, 8, 8] + [16] * 10 + [32] * 6
STRIDE2 = {0, 1, 3, 5, 16}      # 224 → 7 by the last block
OVERHEAD = 40 << 10             # names, attrs, shapes: a few hundred bytes per node


def plan(target_bytes: int) -> list[int]:
    """Output channels of each block, so the weights total about target_bytes."""
    def total(channels):
        n, cin = 0, 3
        for c in channels:
            n += 9 * cin * c + 4 * c        # 3x3 kernel + 4 BatchNorm vectors
            cin = c
        n += cin * CLASSES + CLASSES        # logits 1x1 kernel + biases
        return 4 * n

    want = max(target_bytes - OVERHEAD, 0)
    lo, hi = 0.01, 4096.0
    for _ in range(100):                    # bisect the base width
        mid = (lo + hi) / 2
        if total([max(1, round(mid * m)) for m in MULT]) < want:
            lo = mid
        else:
            hi = mid
    best = None
    for base in (lo, hi):
        ch = [max(1, round(base * m)) for m in MULT]
        err = abs(total(ch) - want)
        if best is None or err < best[0]:
            best = (err, ch)
    return best[1]


def define(channels: list[int]):
    """The model, defined in the current TF1 default graph with reference variables and
    random initializers; returns the softmax output. bench/restore.py's builder too."""
    import tensorflow as tf
    v1 = tf.compat.v1
    x = v1.placeholder(tf.float32, [1, 224, 224, 3], name="input")
    with v1.variable_scope("MobileNetV1", use_resource=False):
        cin = 3
        for i, c in enumerate(channels):
            with v1.variable_scope(f"Conv2d_{i}"):
                std = (2.0 / (9 * cin)) ** 0.5
                w = v1.get_variable("weights", [3, 3, cin, c], tf.float32,
                                    v1.random_normal_initializer(stddev=std))
                s = 2 if i in STRIDE2 else 1
                x = tf.nn.conv2d(x, w, [1, s, s, 1], "SAME")
                with v1.variable_scope("BatchNorm"):
                    beta = v1.get_variable("beta", [c], tf.float32,
                                           v1.random_normal_initializer(stddev=0.1))
                    gamma = v1.get_variable("gamma", [c], tf.float32,
                                            v1.random_uniform_initializer(0.5, 1.5))
                    mean = v1.get_variable("moving_mean", [c], tf.float32,
                                           v1.random_normal_initializer(stddev=0.1))
                    var = v1.get_variable("moving_variance", [c], tf.float32,
                                          v1.random_uniform_initializer(0.5, 1.5))
                    x, _, _ = v1.nn.fused_batch_norm(x, gamma, beta, mean, var,
                                                     epsilon=1e-3, is_training=False)
                x = tf.nn.relu6(x)
            cin = c
        with v1.variable_scope("Logits"):
            x = tf.nn.avg_pool2d(x, [1, 7, 7, 1], [1, 1, 1, 1], "VALID", name="AvgPool_1a")
            with v1.variable_scope("Conv2d_1c_1x1"):
                w = v1.get_variable("weights", [1, 1, cin, CLASSES], tf.float32,
                                    v1.random_normal_initializer(stddev=0.01))
                b = v1.get_variable("biases", [CLASSES], tf.float32, v1.zeros_initializer())
                x = tf.nn.bias_add(tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME"), b)
            x = tf.squeeze(x, [1, 2], name="SpatialSqueeze")
        return tf.nn.softmax(x, name="Predictions/Softmax")


def build_and_freeze(size_mb: float, seed: int = 1234):
    """The frozen GraphDef's bytes, and a summary."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf
    v1 = tf.compat.v1
    v1.disable_resource_variables()

    channels = plan(int(size_mb * 2**20))
    graph = tf.Graph()
    with graph.as_default():
        v1.set_random_seed(seed)
        out = define(channels)
        with v1.Session(graph=graph) as sess:
            sess.run(v1.global_variables_initializer())
            frozen = v1.graph_util.convert_variables_to_constants(
                sess, graph.as_graph_def(), [out.op.name])
    data = frozen.SerializeToString()
    ops = len(frozen.node)
    consts = sum(1 for n in frozen.node if n.op == "Const")
    reads = sum(1 for n in frozen.node if n.name.endswith("/read"))
    del frozen
    return data, {"ops": ops, "consts": consts, "reads": reads, "channels": channels,
                  "tf": tf.__version__, "output": out.op.name}


# -- --ops N: many small ops, no TensorFlow ---------------------------------------------------------
OPS_VERSION = 1      # bump when make_ops_graph's output changes: cached files are then rebuilt
CACHE = Path(os.environ.get("PBSCOPE_BENCH_CACHE", Path.home() / ".cache" / "pbscope-bench"))
LAYERS_PER_BLOCK = 100
W_SHAPE, B_SHAPE = (3, 3, 2, 2), (2,)


def _varint(n: int) -> bytes:
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _field(num: int, payload: bytes) -> bytes:
    """A length-delimited field (num < 16: one tag byte)."""
    return bytes([num << 3 | 2]) + _varint(len(payload)) + payload


def _attr(key: str, value: bytes) -> bytes:          # NodeDef.attr (5): map entry {1: key, 2: AttrValue}
    return _field(5, _field(1, key.encode()) + _field(2, value))


_FLOAT = b"\x30\x01"                                  # AttrValue.type (6) = DT_FLOAT
_ATTR_T, _ATTR_DTYPE = _attr("T", _FLOAT), _attr("dtype", _FLOAT)


def _shape(dims) -> bytes:                            # TensorShapeProto.dim (2) {size (1)}
    return b"".join(_field(2, b"\x08" + _varint(d)) for d in dims)


_W_SHAPE, _B_SHAPE = _shape(W_SHAPE), _shape(B_SHAPE)


def _node(name: str, op: str, inputs=(), attrs: bytes = b"") -> bytes:
    body = _field(1, name.encode()) + _field(2, op.encode()) + \
        b"".join(_field(3, i.encode()) for i in inputs) + attrs
    return _field(1, body)                            # GraphDef.node (1)


def _const(name: str, shape: bytes, content: bytes) -> bytes:
    tensor = b"\x08\x01" + _field(2, shape) + _field(4, content)   # dtype, tensor_shape, tensor_content
    return _node(name, "Const", (), _ATTR_DTYPE + _attr("value", _field(8, tensor)))


def ops_plan(n_ops: int) -> tuple[int, int]:
    """(layers, tail pads): 1 input + 7 per layer + 1 output + pads == n_ops."""
    if n_ops < 2:
        raise ValueError("a graph needs at least 2 ops (input and output)")
    layers, pads = divmod(n_ops - 2, 7)
    return layers, pads


def ops_graph(n_ops: int) -> Path:
    """The cached N-op graph, made on first use."""
    return make_ops_graph(CACHE / f"ops_{n_ops}.pb", n_ops)


def make_ops_graph(path, n_ops: int, seed: int = 0) -> Path:
    """Write a GraphDef of exactly ``n_ops`` ops to ``path`` (see the module doc); return the path.
    Kept if it exists and its ``.json`` sidecar says it was made with the same N, seed and version."""
    import numpy as np
    path = Path(path)
    meta_path = Path(str(path) + ".json")
    want = {"ops": n_ops, "seed": seed, "version": OPS_VERSION}
    if path.is_file() and meta_path.is_file():
        try:
            meta = json.loads(meta_path.read_text())
        except ValueError:
            meta = {}
        if all(meta.get(k) == v for k, v in want.items()) and meta.get("bytes") == path.stat().st_size:
            return path
    t0 = time.perf_counter()
    layers, pads = ops_plan(n_ops)
    rng = np.random.default_rng(seed)
    nw, nb = int(np.prod(W_SHAPE)), int(np.prod(B_SHAPE))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    size = 0
    with open(tmp, "wb") as f:
        def put(parts):
            nonlocal size
            data = b"".join(parts)
            size += len(data)
            f.write(data)
        put([_node("model/input", "Placeholder", (), _ATTR_DTYPE)])
        prev = "model/input"
        for start in range(0, layers, LAYERS_PER_BLOCK):       # one block at a time
            count = min(LAYERS_PER_BLOCK, layers - start)
            w = (rng.standard_normal((count, nw), dtype=np.float32) * 0.05).astype("<f4")
            bias = (rng.standard_normal((count, nb), dtype=np.float32) * 0.01).astype("<f4")
            b = start // LAYERS_PER_BLOCK
            parts = []
            for layer in range(count):
                p = f"model/block_{b}/layer_{layer}"
                parts += [
                    _const(f"{p}/weights", _W_SHAPE, w[layer].tobytes()),
                    _node(f"{p}/weights/read", "Identity", [f"{p}/weights"], _ATTR_T),
                    _node(f"{p}/Conv2D", "Conv2D", [prev, f"{p}/weights/read"], _ATTR_T),
                    _const(f"{p}/biases", _B_SHAPE, bias[layer].tobytes()),
                    _node(f"{p}/biases/read", "Identity", [f"{p}/biases"], _ATTR_T),
                    _node(f"{p}/BiasAdd", "BiasAdd", [f"{p}/Conv2D", f"{p}/biases/read"], _ATTR_T),
                    _node(f"{p}/Relu", "Relu", [f"{p}/BiasAdd"], _ATTR_T),
                ]
                prev = f"{p}/Relu"
            put(parts)
        put([_node("model/output", "Identity", [prev], _ATTR_T)] +
            [_node(f"model/tail/pad_{i}", "NoOp") for i in range(pads)])
    os.replace(tmp, path)
    meta = dict(want, layers=layers, weights=2 * layers, pads=pads, bytes=size,
                seconds=round(time.perf_counter() - t0, 2),
                peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1))
    tmp_meta = Path(str(meta_path) + ".part")
    tmp_meta.write_text(json.dumps(meta, indent=1))
    os.replace(tmp_meta, meta_path)
    return path


def check_ops_graph(path, n_ops: int) -> str:
    """Parse ``path`` with core.proto and check it against the layout (slow at 1M: a full parse)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import main  # noqa: F401 - registers the clone as `pbscope`
    import math

    from pbscope.core import proto
    gd = proto.GraphDef.FromString(Path(path).read_bytes())
    assert len(gd.node) == n_ops, (len(gd.node), n_ops)
    names = [n.name for n in gd.node]
    assert len(set(names)) == n_ops, "duplicate node names"
    known = set()
    for n in gd.node:
        assert all(i in known for i in n.input), n.name
        known.add(n.name)
        if n.op == "Const":
            t = n.attr["value"].tensor
            shape = tuple(d.size for d in t.tensor_shape.dim)
            assert t.dtype == 1 and len(t.tensor_content) == 4 * math.prod(shape), n.name
    if ops_plan(n_ops)[0]:    # the first layer, field by field, equals the same nodes built with core.proto
        ref = proto.NodeDef(name="model/block_0/layer_0/Conv2D", op="Conv2D",
                            input=["model/input", "model/block_0/layer_0/weights/read"])
        ref.attr["T"].type = 1
        assert gd.node[3] == ref, gd.node[3]
        w = gd.node[1]
        assert w.name == "model/block_0/layer_0/weights" and w.attr["dtype"].type == 1
        assert [d.size for d in w.attr["value"].tensor.tensor_shape.dim] == list(W_SHAPE)
    ops = {}
    for n in gd.node:
        ops[n.op] = ops.get(n.op, 0) + 1
    return f"ok: {n_ops:,} ops, {ops}"


def main_ops(args) -> int:
    out = args.out or str(CACHE / f"ops_{args.ops}.pb")
    seed = 0 if args.seed is None else args.seed
    if args.regen:
        Path(out + ".json").unlink(missing_ok=True)
    path = make_ops_graph(out, args.ops, seed)
    info = json.loads(Path(str(path) + ".json").read_text())
    info["path"] = str(path)
    print(json.dumps(info))
    if args.check:
        print(check_ops_graph(path, args.ops))
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size-mb", type=float, default=200.0, help="file size in MiB (default 200)")
    ap.add_argument("--out", help="where to write the .pb (required without --ops; with --ops "
                                  "default $PBSCOPE_BENCH_CACHE/ops_N.pb)")
    ap.add_argument("--seed", type=int, default=None, help="default 1234 (TF mode), 0 (--ops)")
    ap.add_argument("--ops", type=int, help="exactly this many small ops, no TensorFlow")
    ap.add_argument("--regen", action="store_true", help="--ops: rebuild even if cached")
    ap.add_argument("--check", action="store_true", help="--ops: parse the result and check it")
    args = ap.parse_args(argv)
    if args.ops is not None:
        return main_ops(args)
    if not args.out:
        ap.error("--out is required (without --ops)")
    if args.seed is None:
        args.seed = 1234

    t0 = time.perf_counter()
    data, info = build_and_freeze(args.size_mb, args.seed)
    tmp = args.out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, args.out)
    info.update(bytes=len(data), seconds=round(time.perf_counter() - t0, 2),
                peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                version=VERSION, size_mb=args.size_mb)
    with open(args.out + ".json", "w") as f:
        json.dump(info, f, indent=1)
    print(json.dumps(info))
    return 0


if __name__ == "__main__":
    sys.exit(main())
