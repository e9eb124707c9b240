"""What Keras calls a layer's variables, and which shapes its config allows them.

Keras 3's weights store (``.weights.h5``, ``model.weights.h5`` in a ``.keras``) keeps a
layer's variables as ``vars/0``, ``vars/1``, … in the order the layer created them,
trainable ones first. The names (``kernel``, ``bias``, ``moving_mean``) are not in the
file: this table gives them for Keras' built-in layers, from the flags in their config
(``use_bias``, ``center``, ``scale``). A class it does not know keeps the numbers.
"""
from __future__ import annotations

import re

_KERNEL_BIAS = {"Dense", "Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose",
                "Conv3DTranspose", "DepthwiseConv1D", "DepthwiseConv2D", "Convolution1D",
                "Convolution2D", "Convolution3D"}
_SEPARABLE = {"SeparableConv1D", "SeparableConv2D"}
_NORM = {"LayerNormalization", "GroupNormalization"}
_CELLS = {"LSTMCell", "GRUCell", "SimpleRNNCell"}
# an RNN layer keeps its cell as the attribute ``cell``
RNN_CELLS = {"LSTM": "LSTMCell", "GRU": "GRUCell", "SimpleRNN": "SimpleRNNCell"}
NON_TRAINABLE = {"moving_mean", "moving_variance"}
# the config key that sets a kernel's last dimension and a bias' length
_FILTERS = {"Dense": "units", "Conv1D": "filters", "Conv2D": "filters", "Conv3D": "filters"}


def var_names(class_name: str, config: dict) -> list[str] | None:
    """The variables' names in store order, or None for a class this table does not know."""
    on = lambda key: config.get(key, True) is not False   # noqa: E731  (Keras' defaults are True)
    if class_name in _KERNEL_BIAS:
        return ["kernel"] + (["bias"] if on("use_bias") else [])
    if class_name in _SEPARABLE:
        return ["depthwise_kernel", "pointwise_kernel"] + (["bias"] if on("use_bias") else [])
    if class_name == "EinsumDense":
        return ["kernel"] + (["bias"] if config.get("bias_axes") else [])
    if class_name == "BatchNormalization":
        return (["gamma"] if on("scale") else []) + (["beta"] if on("center") else []) + \
            ["moving_mean", "moving_variance"]
    if class_name in _NORM:
        return (["gamma"] if on("scale") else []) + (["beta"] if on("center") else [])
    if class_name == "Embedding":
        return ["embeddings"]
    if class_name == "PReLU":
        return ["alpha"]
    if class_name in _CELLS:
        return ["kernel", "recurrent_kernel"] + (["bias"] if on("use_bias") else [])
    return None


_SNAKE_TO_CLASS = {re.sub("([a-z])([A-Z])", r"\1_\2", re.sub("(.)([A-Z][a-z]+)", r"\1_\2", c)).lower(): c
                   for c in (*_KERNEL_BIAS, *_SEPARABLE, *_NORM, *_CELLS, *RNN_CELLS, "EinsumDense",
                             "BatchNormalization", "Embedding", "PReLU", "Sequential", "Functional")}


def class_from_group(group: str) -> str | None:
    """A layer class from the name of its group in a weights store without a config
    (``batch_normalization_2`` → ``BatchNormalization``): the store names groups so."""
    return _SNAKE_TO_CLASS.get(re.sub(r"_\d+$", "", group))


def shape_problem(class_name: str, config: dict, var: str, shape: tuple[int, ...]) -> str | None:
    """Why ``shape`` cannot be this layer's ``var``, going by its config; None if it can
    (or the config does not say)."""
    key = _FILTERS.get(class_name)
    if class_name == "Embedding":
        key = "output_dim"
    want = config.get(key) if key else None
    if not isinstance(want, int) or isinstance(want, bool):
        return None
    if var in ("kernel", "embeddings") and (not shape or shape[-1] != want):
        return f"its shape {list(shape)} does not end in {key}={want} from the config of this {class_name}"
    if var == "bias" and tuple(shape) != (want,):
        return f"its shape {list(shape)} is not [{want}] ({key} in the config of this {class_name})"
    return None
