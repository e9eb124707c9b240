"""What TF1 targets share (a builder's graph, an imported .meta): their variables, and
the writing of the checkpoint.

The target graph's own saver writes the checkpoint, its save op fed with the source's
arrays for the matched variables: the arrays go straight from pbscope's views to the
checkpoint, with no assign ops and no copy held in variables. Variables that are not fed
keep the target's values (``fill_unfed``: a checkpoint target restores its own checkpoint,
a builder target runs the initializers).
"""
from __future__ import annotations

import os

from ...errors import PbscopeError, first_line
from ...progress import Progress
from ..matching import final_scope, normalise
from .base import TargetBase, TargetVar

CKPT = "model.ckpt"


def import_tf(purpose: str = "restoring into a TF1 model"):
    """TensorFlow, imported quietly (its start-up notices kept off stderr): core.tfimport."""
    from ...tfimport import import_tensorflow
    return import_tensorflow(purpose)


def quiet(tf):
    from ...tfimport import quiet
    return quiet(tf)


class TF1Target(TargetBase):
    """A TF1 graph with variables. Subclasses: a saver (``make_saver``), a .meta for the
    output (``write_meta``), and the values of the variables the source does not set."""
    checkpoint_name = CKPT

    def __init__(self, path, graph, variables, trainable_order, saver=None):
        self.path = path                  # the builder file, or the checkpoint prefix
        self.graph = graph
        self.variables: list[TargetVar] = variables
        self.trainable_order = trainable_order
        self.saver = saver                # a checkpoint's own; a builder's is made on first apply

    def last_scope(self) -> str | None:
        return final_scope(self.trainable_order, widen_norm=True)

    def make_saver(self, v1):
        return self.saver

    def write_meta(self, saver, prefix: str, target: str) -> None:
        raise NotImplementedError

    def fill_unfed(self, tf, sess, unfed: list, target: str) -> None:
        raise NotImplementedError

    def write(self, plan, chosen, folder: str, name: str, progress: Progress) -> str:
        tf = import_tf()
        v1 = tf.compat.v1
        progress.report(0.05, "preparing the checkpoint")
        g = self.graph
        prefix = os.path.join(folder, CKPT)
        with g.as_default(), quiet(tf):
            saver = self.saver = self.make_saver(v1)
            save_t, filename_t, saved = save_op_inputs(tf, g, saver, plan.target)
            self.write_meta(saver, prefix, plan.target)
        progress.report(0.1, "reading the source's weights")

        rows = {r.target: r for r in chosen}
        feeds = {filename_t: prefix}
        fed_vars, unfed = set(), []
        for key, tensor, var in saved:
            r = rows.get(var) if var is not None else None
            if r is None:
                unfed.append(var)
                continue
            try:
                feeds[tensor] = r.source_value()
            except PbscopeError as e:
                raise PbscopeError(plan.source, e.cause) from None
            fed_vars.add(var)
        missing = [r.target for r in chosen if r.target not in fed_vars]
        if missing:   # a matched variable the saver does not save: say so rather than drop it
            raise PbscopeError(plan.target, f"{missing[0]}: the model's saver does not save this variable")
        progress.report(0.2, "writing the checkpoint")
        config = v1.ConfigProto(allow_soft_placement=True)
        with v1.Session(graph=g, config=config) as sess, quiet(tf):
            if unfed:
                self.fill_unfed(tf, sess, unfed, plan.target)
            progress.check()
            try:
                sess.run(save_t, feed_dict=feeds)
            except (ValueError, TypeError) as e:
                raise PbscopeError(plan.source, f"TensorFlow refused a value: {first_line(e)}") from None
            except tf.errors.OpError as e:
                raise PbscopeError(plan.target, f"cannot write the checkpoint: {first_line(e)}") from None
        del feeds
        for r in chosen:
            r.weight.graph.release(r.weight)
        with open(os.path.join(folder, "checkpoint"), "w") as f:
            f.write(f'model_checkpoint_path: "{CKPT}"\nall_model_checkpoint_paths: "{CKPT}"\n')
        return folder


def tf1_variables(tf, graph) -> tuple[list[TargetVar], list[str]]:
    """(every global variable, the trainable ones' names in creation order)."""
    v1 = tf.compat.v1
    trainable = graph.get_collection(v1.GraphKeys.TRAINABLE_VARIABLES)
    trainable_ids = {id(v) for v in trainable}
    out = []
    for v in graph.get_collection(v1.GraphKeys.GLOBAL_VARIABLES):
        dt = v.dtype.base_dtype
        shape = None if v.shape.rank is None else tuple(v.shape.as_list())
        out.append(TargetVar(normalise(v.name), shape, dt.name, dt.as_datatype_enum,
                             id(v) in trainable_ids, v))
    return out, [normalise(v.name) for v in trainable]


def save_op_inputs(tf, g, saver, target: str):
    """(save tensor, filename tensor, [(key, tensor, variable name or None)]) of the saver:
    every tensor its SaveV2 op(s) write, and which variable each is."""
    from tensorflow.python.framework import tensor_util
    sd = saver.saver_def
    try:
        save_t = g.get_tensor_by_name(sd.save_tensor_name)
        filename_t = g.get_tensor_by_name(sd.filename_tensor_name)
    except (KeyError, ValueError) as e:
        raise PbscopeError(target, f"the model's saver is incomplete: {first_line(e)}") from None
    seen, stack, saves = set(), [save_t.op], []
    while stack:
        op = stack.pop()
        if op.name in seen:
            continue
        seen.add(op.name)
        if op.type == "SaveV2":
            saves.append(op)
            continue
        stack.extend(i.op for i in op.inputs)
        stack.extend(op.control_inputs)
    if not saves:
        raise PbscopeError(target, "the model's saver writes no V2 checkpoint (no SaveV2 op); "
                                   "only V2 checkpoints are supported")
    out = []
    for op in saves:
        names = tensor_util.constant_value(op.inputs[1])
        tensors = list(op.inputs)[3:]
        keys = [n.decode() if isinstance(n, bytes) else str(n) for n in names] if names is not None \
            else [None] * len(tensors)
        for key, tensor in zip(keys, tensors):
            out.append((key, tensor, variable_of(tensor)))
    return save_t, filename_t, out


def variable_of(tensor) -> str | None:
    """The variable a saved tensor reads (through Identity / ReadVariableOp), or None."""
    op = tensor.op
    for _ in range(8):
        if op.type in ("VariableV2", "Variable", "VarHandleOp"):
            return op.name
        if op.type in ("Identity", "ReadVariableOp", "Snapshot") and op.inputs:
            op = op.inputs[0].op
        else:
            return None
    return None
