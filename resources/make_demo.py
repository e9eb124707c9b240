"""Build the bundled demo model: a small TF1 MobileNetV1-style frozen graph.

    python resources/make_demo.py [OUT]        (default: resources/demo_mobilenet_v1.pb)

The graph is built in TF1 graph mode with ``tf.compat.v1.get_variable`` (reference
variables, so the frozen graph keeps each ``<name>/read`` Identity) under TF-slim's
MobileNetV1 scope names, then frozen with ``convert_variables_to_constants``. The
initial values come from a seeded numpy generator and the GraphDef is serialized
with ``deterministic=True``, so the output is the same bytes on every run (with the
same TensorFlow version: the GraphDef records TF's producer version).

Nothing here touches TensorFlow's process-wide switches (eager execution, resource
variables): the tests call ``build()`` in the same process as Keras 3 fixtures.
"""
from __future__ import annotations

import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "demo_mobilenet_v1.pb")

INPUT = "inputs"
OUTPUT = "MobileNetV1/Predictions/Softmax"
IMAGE = 64          # input is [None, 64, 64, 3]
NUM_CLASSES = 1001
SEED = 20240601
# (depthwise stride, pointwise output channels) for Conv2d_1 … Conv2d_6, as in
# MobileNetV1 at depth multiplier 0.5; Conv2d_0 is a 3x3 stride-2 conv to 16 channels.
CONV0_CHANNELS = 16
BLOCKS = [(1, 32), (2, 64), (1, 64), (2, 128), (1, 128), (2, 256)]
BN_EPSILON = 0.001


def build(out_path: str = DEFAULT_OUT) -> dict[str, np.ndarray]:
    """Write the frozen demo graph to ``out_path``.

    Returns the frozen weights as {TF1 ``var.name`` ('MobileNetV1/Conv2d_0/weights:0'): value}.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf

    v1 = tf.compat.v1
    rng = np.random.RandomState(SEED)

    def var(name: str, value: np.ndarray):
        return v1.get_variable(name, initializer=value.astype(np.float32))

    def batch_norm(x, channels: int):
        with v1.variable_scope("BatchNorm"):
            beta = var("beta", rng.normal(0.0, 0.1, channels))
            gamma = var("gamma", rng.uniform(0.5, 1.5, channels))
            mean = var("moving_mean", rng.normal(0.0, 0.2, channels))
            variance = var("moving_variance", rng.uniform(0.5, 2.0, channels))
            y, _, _ = v1.nn.fused_batch_norm(x, gamma, beta, mean=mean, variance=variance,
                                             epsilon=BN_EPSILON, is_training=False,
                                             name="FusedBatchNorm")
        return y

    def he(shape, fan_in: int) -> np.ndarray:
        return rng.normal(0.0, np.sqrt(2.0 / fan_in), shape)

    graph = tf.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.float32, [None, IMAGE, IMAGE, 3], name=INPUT)
        with v1.variable_scope("MobileNetV1", use_resource=False):
            with v1.variable_scope("Conv2d_0"):
                w = var("weights", he((3, 3, 3, CONV0_CHANNELS), 27))
                x = tf.nn.conv2d(x, w, strides=[1, 2, 2, 1], padding="SAME", name="Conv2D")
                x = tf.nn.relu6(batch_norm(x, CONV0_CHANNELS), name="Relu6")
            channels = CONV0_CHANNELS
            for i, (stride, out_channels) in enumerate(BLOCKS, 1):
                with v1.variable_scope(f"Conv2d_{i}_depthwise"):
                    w = var("depthwise_weights", he((3, 3, channels, 1), 9))
                    x = tf.nn.depthwise_conv2d(x, w, strides=[1, stride, stride, 1],
                                               padding="SAME", name="depthwise")
                    x = tf.nn.relu6(batch_norm(x, channels), name="Relu6")
                with v1.variable_scope(f"Conv2d_{i}_pointwise"):
                    w = var("weights", he((1, 1, channels, out_channels), channels))
                    x = tf.nn.conv2d(x, w, strides=[1, 1, 1, 1], padding="SAME", name="Conv2D")
                    x = tf.nn.relu6(batch_norm(x, out_channels), name="Relu6")
                channels = out_channels
            with v1.variable_scope("Logits"):
                size = int(x.shape[1])
                x = tf.nn.avg_pool2d(x, ksize=size, strides=1, padding="VALID",
                                     name="AvgPool_1a")
            with v1.variable_scope("Bottleneck2"):
                w = var("weights", rng.normal(0.0, 1.0 / np.sqrt(channels),
                                              (1, 1, channels, NUM_CLASSES)))
                b = var("biases", rng.normal(0.0, 0.01, NUM_CLASSES))
                x = tf.nn.conv2d(x, w, strides=[1, 1, 1, 1], padding="SAME", name="Conv2D")
                x = tf.nn.bias_add(x, b, name="BiasAdd")
            x = tf.squeeze(x, [1, 2], name="SpatialSqueeze")
            with v1.variable_scope("Predictions"):
                v1.nn.softmax(x, name="Softmax")
        variables = v1.global_variables()
        logger = tf.get_logger()   # silence convert_variables_to_constants' deprecation notes
        level = logger.level
        logger.setLevel("ERROR")
        try:
            with v1.Session(graph=graph) as sess:
                sess.run(v1.global_variables_initializer())
                values = dict(zip([v.name for v in variables], sess.run(variables)))
                frozen = v1.graph_util.convert_variables_to_constants(
                    sess, graph.as_graph_def(), [OUTPUT])
        finally:
            logger.setLevel(level)
    data = frozen.SerializeToString(deterministic=True)
    parent = os.path.dirname(os.path.abspath(out_path))
    os.makedirs(parent, exist_ok=True)
    with open(out_path, "wb") as f:
        f.write(data)
    return values


def main(argv: list[str]) -> int:
    out = argv[1] if len(argv) > 1 else DEFAULT_OUT
    weights = build(out)
    params = sum(v.size for v in weights.values())
    from hashlib import sha256

    import tensorflow as tf
    with open(out, "rb") as f:
        data = f.read()
    ops = len(tf.compat.v1.GraphDef.FromString(data).node)
    print(f"{out}: {len(data):,} bytes, {ops} ops, {len(weights)} weights, {params:,} params, "
          f"TF {tf.__version__}, sha256 {sha256(data).hexdigest()[:16]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
