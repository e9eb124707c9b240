"""Make a big TF1 frozen graph, MobileNet-style, for the benchmarks.

    python bench/make_big_graph.py --size-mb 200 --out /tmp/big.pb

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
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time

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


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size-mb", type=float, default=200.0, help="file size in MiB (default 200)")
    ap.add_argument("--out", required=True, help="where to write the .pb")
    ap.add_argument("--seed", type=int, default=1234)
    args = ap.parse_args(argv)

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
