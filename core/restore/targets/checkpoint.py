"""A TF1 checkpoint as the target: its variables come from ``import_meta_graph`` in a
fresh ``tf.Graph``; the output's ``.meta`` is the target's, copied byte for byte, and the
variables the source does not set keep the values of the target's own checkpoint.
"""
from __future__ import annotations

import os
import shutil

from ...errors import PbscopeError, first_line
from ...progress import Progress
from .base import describe
from .tf1 import TF1Target, import_tf, quiet, tf1_variables


class CheckpointTarget(TF1Target):
    kind = "checkpoint"

    def __init__(self, prefix, meta, graph, variables, trainable_order, saver):
        super().__init__(prefix, graph, variables, trainable_order, saver=saver)
        self.prefix = prefix              # where unmatched values come from
        self.meta = meta                  # the .meta copied into the output

    def inputs(self) -> list[str]:
        return [self.meta, self.prefix + ".index", os.path.dirname(os.path.abspath(self.meta))]

    def write_meta(self, saver, prefix: str, target: str) -> None:
        shutil.copyfile(self.meta, prefix + ".meta")

    def fill_unfed(self, tf, sess, unfed: list, target: str) -> None:
        try:
            self.saver.restore(sess, self.prefix)
        except tf.errors.OpError as e:
            raise PbscopeError(target, f"cannot restore the target's checkpoint: {first_line(e)}") from None


def open_target(spec, source, progress: Progress) -> CheckpointTarget:
    prefix, meta = spec.prefix, spec.meta
    tf = import_tf()
    v1 = tf.compat.v1
    progress.report(0.2, f"importing {os.path.basename(meta)}")
    graph = tf.Graph()
    try:
        with graph.as_default(), quiet(tf):
            saver = v1.train.import_meta_graph(meta, clear_devices=True)
    except Exception as e:  # DecodeError, ValueError, KeyError (unknown op), OpError
        raise PbscopeError(meta, f"TensorFlow cannot import the .meta graph: {describe(e)}") from None
    variables, trainable = tf1_variables(tf, graph)
    if not variables or saver is None:
        raise PbscopeError(meta, "the .meta graph has no variables to restore into")
    return CheckpointTarget(prefix, meta, graph, variables, trainable, saver)
