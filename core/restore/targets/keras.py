"""A Keras model file (``.keras``, ``.h5``) as the target, loaded with
``keras.saving.load_model(compile=False, safe_mode=True)``.

Its variables are named by their layer's place, as pbscope's Keras reader names them, so a
Keras source matches its own architecture. The output is ``model.save`` (``.keras``,
``.h5``) or ``model.save_weights`` (``.weights.h5``); the loaded model gets its own values
back afterwards, so that another apply of the same plan starts from the target's.
"""
from __future__ import annotations

import os

from ...errors import PbscopeError
from ...progress import Progress
from ..matching import final_scope, normalise
from .base import TargetBase, TargetVar, describe
from .tf1 import import_tf

SUFFIXES = (".keras", ".weights.h5", ".h5")


class KerasTarget(TargetBase):
    kind = "keras"

    def __init__(self, path, model, variables, trainable_order):
        self.path = path
        self.model = model
        self.variables = variables
        self.trainable_order = trainable_order

    def last_scope(self) -> str | None:
        return final_scope(self.trainable_order, widen_norm=False)

    def check_output(self, out: str, out_abs: str, force: bool) -> None:
        if not out.lower().endswith(SUFFIXES):
            raise PbscopeError(out, "a Keras target is written as a .keras, .h5 or .weights.h5 file; "
                                    "end OUT with one of them")
        if force and os.path.isdir(out_abs):
            raise PbscopeError(out, "is a folder; a Keras target is written as one file")

    def write(self, plan, chosen, folder: str, name: str, progress: Progress) -> str:
        by_name = {tv.name: tv.obj for tv in self.variables}
        path = os.path.join(folder, name)
        originals = []
        try:
            for i, r in enumerate(chosen):
                progress.report(0.1 + 0.5 * i / len(chosen), r.target)
                v = by_name[r.target]
                try:
                    value = r.source_value()
                except PbscopeError as e:
                    raise PbscopeError(plan.source, e.cause) from None
                originals.append((v, v.numpy()))
                try:
                    v.assign(value)
                except Exception as e:
                    raise PbscopeError(plan.source, f"{r.source}: Keras refused the value: {describe(e)}") from None
                r.weight.graph.release(r.weight)
            progress.report(0.7, "writing the Keras model")
            try:
                if path.lower().endswith(".weights.h5"):
                    self.model.save_weights(path)
                else:
                    self.model.save(path)
            except Exception as e:
                raise PbscopeError(plan.target, f"Keras cannot save the model: {describe(e)}") from None
        finally:   # the plan's model keeps the target's values: another apply starts from them
            for v, value in originals:
                v.assign(value)
        return path


def open_target(spec, source, progress: Progress) -> KerasTarget:
    path = spec.path
    progress.report(0.05, "importing Keras")
    import_tf("restoring into a Keras model")
    try:
        import keras
    except ImportError as e:
        raise PbscopeError(path, f"restoring into a Keras model needs Keras, which is not installed ({e})") from None
    progress.report(0.2, f"loading {os.path.basename(path)}")
    try:
        model = keras.saving.load_model(path, compile=False, safe_mode=True)
    except Exception as e:
        raise PbscopeError(path, f"Keras cannot load it: {describe(e)}") from None
    names = keras_names(keras, model)
    name = lambda v: names.get(id(v)) or normalise(v.path)
    variables = []
    for v in model.weights:
        dt = str(getattr(v.dtype, "name", v.dtype))
        variables.append(TargetVar(name(v), tuple(v.shape), dt, None, bool(v.trainable), v))
    if not variables:
        raise PbscopeError(path, "the Keras model has no weights to restore into")
    # model.trainable_weights follows the layers' topological order: the last is the final layer's
    return KerasTarget(path, model, variables, [name(v) for v in model.trainable_weights])


def keras_names(keras, model, prefix: str = "") -> dict[int, str]:
    """Each variable by its layer's place: nested models, the layer, then the variable's
    path below its layer (``head/dense/kernel``), as pbscope's Keras reader names them.
    ``v.path`` also holds the scopes the layer was built in, which differ for one model
    loaded from .keras (``dense/kernel``) or .h5 (``head/dense/kernel``)."""
    out: dict[int, str] = {}
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            out.update(keras_names(keras, layer, f"{prefix}{layer.name}/"))
            continue
        for v in layer.weights:
            parts = normalise(v.path).split("/")
            tail = parts[parts.index(layer.name) + 1:] if layer.name in parts else [v.name]
            out.setdefault(id(v), "/".join([prefix + layer.name, *tail]))
    return out
