"""Variables whose values live in a checkpoint: attach them to a graph as weights.

Shared by the checkpoint and SavedModel readers. A graph's variable ops (VariableV2,
VarHandleOp, …) get their values from the checkpoint entry of the same name (TF1), or
through the checkpoint's object graph (TF2 keys like ``dense/kernel/.ATTRIBUTES/
VARIABLE_VALUE`` whose full name is ``dense/kernel``). Entries no op claims become ops of
type ``Variable`` of their own, so a checkpoint without a graph lists as a tree too.
Optimizer slots and ``global_step`` are kept apart: shown, but not exported by default.
"""
from __future__ import annotations

import re

from .. import proto
from ..errors import PbscopeError
from ..model import Graph, Op, Weight
from ..tensors import TensorError, dtype_of, shape_of
from ..weights import BN_STATS, VARIABLE_OPS
from .tensorbundle import BundleReader

OBJECT_GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH"
_VALUE_SUFFIX = "/.ATTRIBUTES/VARIABLE_VALUE"
_SLOT = re.compile(r"(^|/)(Adam|Adam_\d+|Momentum|RMSProp|RMSProp_\d+|Adagrad|AdagradDA|"
                   r"AdagradDA_\d+|Ftrl|Ftrl_\d+|Adadelta|Adadelta_\d+|Nadam|Nadam_\d+|"
                   r"ExponentialMovingAverage)$")
_STEP = {"global_step", "beta1_power", "beta2_power"}
NOT_SAVED = "not in the checkpoint: the saver does not save this variable"
_KERAS_SLOT = re.compile(r"(^|/)(optimizer|OPTIMIZER_SLOT)(/|$)")


def is_optimizer_state(name: str) -> bool:
    return bool(_SLOT.search(name) or name in _STEP or name.endswith(("/beta1_power", "/beta2_power"))
                or _KERAS_SLOT.search(name))


def readable_names(bundle: BundleReader) -> dict[str, str]:
    """Checkpoint key → the variable's full name, from a TF2 checkpoint's object graph."""
    if OBJECT_GRAPH_KEY not in bundle.entries:
        return {}
    try:
        raw = bundle.read(OBJECT_GRAPH_KEY).item()
        graph = proto.message_class("tensorflow.TrackableObjectGraph").FromString(raw)
    except Exception:   # an unreadable object graph only costs the nice names
        return {}
    names = {}
    for node in graph.nodes:
        for attr in node.attributes:
            if attr.checkpoint_key:
                names[attr.checkpoint_key] = attr.full_name or attr.checkpoint_key
    # Keras 3 full names may be bare ("kernel"): keep the object path where names repeat
    counts: dict[str, int] = {}
    for n in names.values():
        counts[n] = counts.get(n, 0) + 1
    for key, n in list(names.items()):
        if counts[n] > 1 or not n:
            names[key] = key.removesuffix(_VALUE_SUFFIX)
    return names


def attach_variables(graph: Graph, bundle: BundleReader | None, unavailable: str | None = None,
                     trainable: set[str] | None = None) -> tuple[list[Weight], list[Weight]]:
    """(weights, extra weights) for ``graph``'s variables, valued from ``bundle``.

    ``unavailable`` is why values cannot be had (no checkpoint, a missing data file): the
    weights are still listed, with that as their error. ``trainable`` is the set of
    trainable variable names, when the graph says (its trainable_variables collection).
    """
    names = readable_names(bundle) if bundle is not None else {}
    by_full = {full: key for key, full in names.items()}
    entries = bundle.entries if bundle is not None else {}
    claimed: set[str] = set()
    key_of: dict[str, str] = {}     # weight name → checkpoint key
    weights: list[Weight] = []
    extra: list[Weight] = []

    def add(w: Weight) -> None:
        if is_optimizer_state(w.var_name):
            w.rule, w.trainable = "optimizer", False
            extra.append(w)
        elif w.error == NOT_SAVED:   # a variable the saver leaves out (an asset path, say)
            extra.append(w)
        else:
            weights.append(w)

    for op in graph.ops:
        if op.type not in VARIABLE_OPS:
            continue
        attrs = op.node.attr
        shared = attrs["shared_name"].s.decode("utf-8", "replace") if "shared_name" in attrs else ""
        key = next((k for k in (op.name, shared) if k and k in entries), None) or \
            next((by_full[k] for k in (op.name, shared) if k and k in by_full), None)
        var_name = names.get(key, key) if key else op.name
        try:
            dt, shape = dtype_of(attrs["dtype"].type), shape_of(attrs["shape"].shape)
        except TensorError:
            dt, shape = None, None
        error = unavailable
        if key is None and bundle is not None:
            error = NOT_SAVED
        if key is not None:
            claimed.add(key)
            key_of[op.name] = key
            try:
                m = bundle.meta(key)
                dt, shape = m.dtype, m.shape
            except TensorError as e:
                error = str(e)
        w = Weight(op, op.name, var_name, dt, shape, graph, role=var_name.rpartition("/")[2],
                   rule="checkpoint", error=error, raw_key=key if key != var_name else None)
        w.trainable = (var_name in trainable) if trainable is not None else w.role not in BN_STATS
        add(w)
    # checkpoint entries no op claimed: ops of their own
    index = len(graph.ops) + len(graph.function_ops)
    for key, entry in entries.items():
        if key in claimed or key == OBJECT_GRAPH_KEY:
            continue
        name = names.get(key, key)
        if graph.get(name) is not None:
            name = key
        op = Op(graph, index, name, "Variable", (), "")
        key_of[name] = key
        index += 1
        graph.ops.append(op)
        graph._by_name.setdefault(name, op)
        try:
            m = bundle.meta(key)
            dt, shape, error = m.dtype, m.shape, unavailable
        except TensorError as e:
            dt, shape, error = None, None, str(e)
        w = Weight(op, name, name, dt, shape, graph, role=name.rpartition("/")[2], rule="checkpoint",
                   error=error, raw_key=key if key != name else None)
        w.trainable = w.role not in BN_STATS
        add(w)

    if bundle is not None:
        graph.value_loader = lambda w: bundle.read(key_of[w.name]) if w.name in key_of else None
        graph.page_release = lambda w: bundle.release(key_of.get(w.name, ""))
        graph.file_span = lambda w: bundle.span(key_of[w.name]) if w.name in key_of else None
    return weights, extra


def note_kept_apart(graph: Graph) -> None:
    if graph.extra_weights:
        graph.notes.append(f"{len(graph.extra_weights)} variables kept apart (optimizer slots, step "
                           "counters, variables the saver skips): shown, but not exported by default")


def trainable_names(meta_graph) -> set[str] | None:
    """Variable names in a MetaGraphDef's trainable_variables collection (None: no such)."""
    if "trainable_variables" not in meta_graph.collection_def:
        return None
    out = set()
    for raw in meta_graph.collection_def["trainable_variables"].bytes_list.value:
        try:
            v = proto.VariableDef.FromString(raw)
        except Exception:
            continue
        out.add(v.variable_name.rsplit(":", 1)[0])
    return out


def require_values(path: str, bundle: BundleReader) -> str | None:
    """Why the checkpoint's values cannot be read (a missing data shard), or None."""
    missing = bundle.missing_shards()
    if missing:
        return f"the checkpoint's data file {missing[0]} is missing"
    return None


__all__ = ["attach_variables", "readable_names", "trainable_names", "require_values",
           "is_optimizer_state", "PbscopeError"]
