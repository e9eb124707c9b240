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


def define(inputs=None, num_classes: int = NUM_CLASSES, rng: np.random.RandomState | None = None):
    """Define the demo model in the current TF1 default graph, with reference variables
    under TF-slim's MobileNetV1 names; return the softmax output.

    With ``rng`` the variables start from its values (as in the demo file); without, from
    zeros (ones for variances): the "define the original graph in code" of the seed.
    """
    import tensorflow as tf

    v1 = tf.compat.v1

    def init(shape, draw):
        return (draw(shape) if rng is not None else np.zeros(shape)).astype(np.float32)

    def var(name: str, shape, draw):
        return v1.get_variable(name, initializer=init(shape, draw))

    def batch_norm(x, channels: int):
        with v1.variable_scope("BatchNorm"):
            beta = var("beta", channels, lambda n: rng.normal(0.0, 0.1, n))
            gamma = var("gamma", channels, lambda n: rng.uniform(0.5, 1.5, n))
            # moving statistics are not trained, as in TF-slim
            mean = v1.get_variable("moving_mean", initializer=init(channels, lambda n: rng.normal(0.0, 0.2, n)),
                                   trainable=False)
            variance = v1.get_variable("moving_variance", trainable=False, initializer=(
                rng.uniform(0.5, 2.0, channels) if rng is not None else np.ones(channels)).astype(np.float32))
            y, _, _ = v1.nn.fused_batch_norm(x, gamma, beta, mean=mean, variance=variance,
                                             epsilon=BN_EPSILON, is_training=False,
                                             name="FusedBatchNorm")
        return y

    def he(fan_in: int):
        return lambda shape: rng.normal(0.0, np.sqrt(2.0 / fan_in), shape)

    x = inputs if inputs is not None else v1.placeholder(tf.float32, [None, IMAGE, IMAGE, 3], name=INPUT)
    with v1.variable_scope("MobileNetV1", use_resource=False):
        with v1.variable_scope("Conv2d_0"):
            w = var("weights", (3, 3, 3, CONV0_CHANNELS), he(27))
            x = tf.nn.conv2d(x, w, strides=[1, 2, 2, 1], padding="SAME", name="Conv2D")
            x = tf.nn.relu6(batch_norm(x, CONV0_CHANNELS), name="Relu6")
        channels = CONV0_CHANNELS
        for i, (stride, out_channels) in enumerate(BLOCKS, 1):
            with v1.variable_scope(f"Conv2d_{i}_depthwise"):
                w = var("depthwise_weights", (3, 3, channels, 1), he(9))
                x = tf.nn.depthwise_conv2d(x, w, strides=[1, stride, stride, 1],
                                           padding="SAME", name="depthwise")
                x = tf.nn.relu6(batch_norm(x, channels), name="Relu6")
            with v1.variable_scope(f"Conv2d_{i}_pointwise"):
                w = var("weights", (1, 1, channels, out_channels), he(channels))
                x = tf.nn.conv2d(x, w, strides=[1, 1, 1, 1], padding="SAME", name="Conv2D")
                x = tf.nn.relu6(batch_norm(x, out_channels), name="Relu6")
            channels = out_channels
        with v1.variable_scope("Logits"):
            size = int(x.shape[1])
            x = tf.nn.avg_pool2d(x, ksize=size, strides=1, padding="VALID", name="AvgPool_1a")
        with v1.variable_scope("Bottleneck2"):
            w = var("weights", (1, 1, channels, num_classes),
                    lambda shape: rng.normal(0.0, 1.0 / np.sqrt(channels), shape))
            b = var("biases", num_classes, lambda n: rng.normal(0.0, 0.01, n))
            x = tf.nn.conv2d(x, w, strides=[1, 1, 1, 1], padding="SAME", name="Conv2D")
            x = tf.nn.bias_add(x, b, name="BiasAdd")
        x = tf.squeeze(x, [1, 2], name="SpatialSqueeze")
        with v1.variable_scope("Predictions"):
            return v1.nn.softmax(x, name="Softmax")


def build(out_path: str = DEFAULT_OUT) -> dict[str, np.ndarray]:
    """Write the frozen demo graph to ``out_path``.

    Returns the frozen weights as {TF1 ``var.name`` ('MobileNetV1/Conv2d_0/weights:0'): value}.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf

    v1 = tf.compat.v1
    graph = tf.Graph()
    with graph.as_default():
        define(rng=np.random.RandomState(SEED))
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
