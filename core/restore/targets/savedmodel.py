"""A SavedModel folder (TF1 or TF2) as the target.

Its variables are listed by pbscope's own reader (``open_model``), under their readable
names (a TF2 checkpoint key ``dense/kernel/.ATTRIBUTES/VARIABLE_VALUE`` is the variable
``dense/kernel``), in the graph's order. The output is the SavedModel copied (graph,
assets) with a new ``variables/`` bundle holding every key of the old one, the matched
ones from the source; ``fingerprint.pb`` is left out, as it hashes the old variables.
"""
from __future__ import annotations

import os
import shutil

from ...errors import PbscopeError, first_line
from ...progress import Progress
from ..matching import final_scope, normalise
from .base import TargetBase, TargetVar
from .tf1 import import_tf, quiet


class SavedModelTarget(TargetBase):
    kind = "savedmodel"

    def __init__(self, path, bundle, variables, keys):
        self.path = path
        self.bundle = bundle          # the old variables/ bundle (pbscope's reader)
        self.variables = variables
        self.keys = keys              # target name → checkpoint key
        self.trainable_order = [tv.name for tv in variables if tv.trainable]

    def last_scope(self) -> str | None:
        return final_scope(self.trainable_order, widen_norm=True)

    def write(self, plan, chosen, folder: str, name: str, progress: Progress) -> str:
        tf = import_tf("restoring into a SavedModel")
        v1 = tf.compat.v1
        progress.report(0.05, "copying the SavedModel")
        for entry in sorted(os.listdir(self.path)):
            if entry in ("variables", "fingerprint.pb"):
                continue
            src, dst = os.path.join(self.path, entry), os.path.join(folder, entry)
            if os.path.isdir(src):
                shutil.copytree(src, dst, symlinks=True)
            else:
                shutil.copy2(src, dst)
        os.mkdir(os.path.join(folder, "variables"))
        progress.report(0.15, "reading the weights")
        by_key = {self.keys[r.target]: r for r in chosen}
        names, values, dtypes = [], [], []
        for key, e in self.bundle.entries.items():
            r = by_key.get(key)
            try:
                value = r.source_value() if r is not None else self.bundle.read(key)
            except PbscopeError as err:
                raise PbscopeError(plan.source if r is not None else self.path, err.cause) from None
            names.append(key)
            values.append(value)
            dtypes.append(e.dtype)
        progress.report(0.3, "writing the variables")
        g = tf.Graph()
        with g.as_default(), quiet(tf):
            holders = [v1.placeholder(tf.as_dtype(dt)) for dt in dtypes]
            save = tf.raw_ops.SaveV2(prefix=os.path.join(folder, "variables", "variables"), tensor_names=names,
                                     shape_and_slices=[""] * len(names), tensors=holders)
        with v1.Session(graph=g) as sess:
            progress.check()
            try:
                sess.run(save, feed_dict=dict(zip(holders, values)))
            except (ValueError, TypeError) as e:
                raise PbscopeError(plan.source, f"TensorFlow refused a value: {first_line(e)}") from None
            except tf.errors.OpError as e:
                raise PbscopeError(plan.target, f"cannot write the variables: {first_line(e)}") from None
        for r in chosen:
            r.weight.graph.release(r.weight)
        return folder


def open_target(spec, source, progress: Progress) -> SavedModelTarget:
    from ...formats import open_model
    from ...formats.tensorbundle import BundleReader
    folder = spec.path
    prefix = os.path.join(folder, "variables", "variables")
    if not os.path.isfile(prefix + ".index"):
        raise PbscopeError(folder, "the SavedModel has no variables/variables.index: no variables to restore into")
    progress.report(0.1, "reading the SavedModel")
    graph = open_model(folder)
    bundle = BundleReader(prefix)
    sliced = [e.key for e in bundle.entries.values() if e.sliced]
    if bundle.v1 or sliced:
        what = "a V1 variables bundle" if bundle.v1 else f"partitioned variables ({sliced[0]}, …)"
        raise PbscopeError(folder, f"the SavedModel holds {what}; restoring into it is not supported")
    variables, keys = [], {}
    for w in graph.weights:
        key = w.raw_key or w.var_name
        name = normalise(w.var_name)
        if key not in bundle.entries or name in keys:
            continue
        keys[name] = key
        variables.append(TargetVar(name, w.shape, w.dtype_name, w.dtype.number if w.dtype else None,
                                   w.trainable, w))
    if not variables:
        raise PbscopeError(folder, "the SavedModel has no variables to restore into")
    return SavedModelTarget(folder, bundle, variables, keys)
