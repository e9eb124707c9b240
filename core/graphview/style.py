"""Colours of the graph picture, shared by the window's view and the SVG writer: an op's
header colour tells its family at a glance, as in Netron."""
from __future__ import annotations

FAMILIES: dict[str, tuple[str, ...]] = {
    "layer": ("Conv", "MatMul", "Depthwise", "BiasAdd", "Dense", "Einsum", "FULLY_CONNECTED",
              "CONV_", "DEPTHWISE_", "Embedding", "LSTM", "GRU", "RNN", "_Fused"),
    "activation": ("Relu", "Sigmoid", "Tanh", "Softmax", "Elu", "Selu", "Gelu", "Swish",
                   "LeakyRelu", "Softplus", "HardSwish", "Activation", "RELU", "LOGISTIC",
                   "SOFTMAX", "TANH", "HARD_SWISH"),
    "norm": ("BatchNorm", "LRN", "Normalization", "L2Normalize", "Rsqrt"),
    "pool": ("Pool", "Mean", "Max", "Min", "Sum", "Prod", "POOL", "MEAN"),
    "shape": ("Reshape", "Squeeze", "ExpandDims", "Transpose", "Concat", "Pack", "Unpack",
              "Slice", "StridedSlice", "Shape", "Gather", "Split", "Tile", "Pad", "Flatten",
              "Fill", "RESHAPE", "CONCAT", "PAD", "Cast", "Identity"),
    "flow": ("Enter", "Exit", "Merge", "Switch", "NextIteration", "LoopCond", "While", "If",
             "PartitionedCall", "StatefulPartitionedCall"),
    "io": ("Placeholder", "InputLayer", "_Arg", "_Retval", "input", "output"),
    "const": ("Const", "Variable", "VarHandleOp", "ReadVariableOp", "Tensor"),
}

HEADER = {"layer": "#3b6ea5", "activation": "#a8463d", "norm": "#2f7f73", "pool": "#4f7f3a",
          "shape": "#6e6a62", "flow": "#71509a", "io": "#3c4650", "const": "#8a6d3b",
          "other": "#55636f", "missing": "#b23b3b"}
SCOPE_FILL, SCOPE_LINE, SCOPE_TEXT = "#e8eef5", "#8fa3b8", "#22303c"
GROUP_FILL = "#efe9f5"
OPEN_FILL, OPEN_LINE = "#f7f9fb", "#b5c3d1"
BODY_FILL, BODY_TEXT, ROW_TEXT = "#ffffff", "#1f2a33", "#4a5863"
EDGE, CONTROL_EDGE, BACK_EDGE, EDGE_TEXT = "#7d8b97", "#9aa6b0", "#d0822a", "#5e6b76"
MATCH, SELECTED, TICKED = "#f2c230", "#1f78d1", "#2c9a52"
CANVAS = "#fbfcfd"


def family(op_type: str | None) -> str:
    if not op_type:
        return "other"
    for fam, keys in FAMILIES.items():
        if any(k in op_type for k in keys):
            return fam
    return "other"
