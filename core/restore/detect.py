"""What the TARGET string names: the one place that tells restore targets apart.

* ``path/file.py:function``: a builder (by the name alone: the file is user code);
* a TF1 checkpoint: a prefix (``model.ckpt`` with ``.meta``/``.index``/``.data-*``), its
  ``.meta``, ``.index`` or data shard, its ``checkpoint`` state file, or a folder holding
  one (or a single ``.meta``);
* a Keras model file (``.keras``, ``.h5``);
* a SavedModel folder, or its ``saved_model.pb``.

Files are told apart by their content, as the readers do (formats/sniff.py), and a
checkpoint's prefix and ``.meta`` are found by the checkpoint reader's own ``resolve``, so
that restore accepts what the window opens. Anything else gets one line saying what the
file is and what a target can be.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from ..errors import PbscopeError
from ..formats import checkpoint as checkpoint_reader
from ..formats.sniff import Kind, sniff

TARGETS_HINT = ("give a TF1 checkpoint (prefix, or a folder with a .meta), a builder "
                "file.py:function, a Keras .keras/.h5 file or a SavedModel folder")
_SAVED_MODEL_FILES = ("saved_model.pb", "saved_model.pbtxt")


@dataclass(frozen=True)
class TargetSpec:
    kind: str                      # 'builder' | 'checkpoint' | 'keras' | 'savedmodel'
    path: str                      # the builder file, checkpoint prefix, Keras file or SavedModel folder
    function: str | None = None    # builder: the function to call
    meta: str | None = None        # checkpoint: its .meta graph

    @property
    def prefix(self) -> str:
        return self.path


def split_builder(target: str) -> tuple[str, str] | None:
    """``file.py:function`` → (``file.py``, ``function``); None for any other TARGET."""
    head, sep, func = os.fspath(target).strip().rpartition(":")
    return (head, func) if sep and head.lower().endswith(".py") else None


def is_builder(target: str) -> bool:
    """Whether TARGET names a builder (``file.py`` or ``file.py:function``), by its name alone."""
    return os.fspath(target).strip().lower().endswith(".py") or split_builder(target) is not None


def builder_target(path: str, function: str) -> str:
    """The TARGET string for a file and a function: ``file.py:function`` for a builder file,
    the path alone otherwise (the window's two fields)."""
    path, function = path.strip(), function.strip()
    return f"{path}:{function}" if path.lower().endswith(".py") and function else path


def detect(target: str) -> TargetSpec:
    """The target's kind and where its parts are; PbscopeError with one line otherwise."""
    target = os.fspath(target)
    head, sep, func = target.rpartition(":")
    if sep and head.lower().endswith(".py"):
        if not func.isidentifier():
            raise PbscopeError(head, f"{func!r} is not a function name; write {head}:FUNCTION")
        return TargetSpec("builder", head, function=func)
    if target.lower().endswith(".py"):
        raise PbscopeError(target, f"name the builder function: {target}:FUNCTION")
    if os.path.basename(target) in _SAVED_MODEL_FILES and os.path.isfile(target):
        return TargetSpec("savedmodel", os.path.dirname(target) or ".")
    if not os.path.lexists(target) and os.path.exists(target + ".meta"):
        return _checkpoint_at(target, target + ".meta", target)     # says what is missing
    try:
        kind = sniff(target)
    except PbscopeError as e:
        if not os.path.lexists(target):
            raise PbscopeError(target, "no such file or folder") from None
        raise PbscopeError(target, f"not a model to restore into: {e.cause}; {TARGETS_HINT}") from None
    name = kind.name
    if name == "savedmodel-dir":
        return TargetSpec("savedmodel", kind.path)
    if name in ("keras", "hdf5"):
        if target.lower().endswith(".weights.h5"):
            raise PbscopeError(target, "a Keras weights file holds no model to restore into; "
                                       "give the .keras (or .h5) model file")
        return TargetSpec("keras", target)
    if name in checkpoint_reader.KINDS:
        return _checkpoint(kind, target)
    raise PbscopeError(target, f"not a model to restore into: {what_is(kind)}; {TARGETS_HINT}")


def what_is(kind: Kind) -> str:
    if kind.name in ("graphdef", "graphdef-text"):
        return f"it is {kind.label}, whose weights are constants (unfreeze it first: pbscope unfreeze)"
    if kind.name in ("savedmodel", "savedmodel-text"):
        return f"it is {kind.label} not named {_SAVED_MODEL_FILES[0]}; give the SavedModel's folder"
    return f"it is {kind.label}"


def _checkpoint(kind: Kind, given: str) -> TargetSpec:
    """A checkpoint's prefix and .meta, as the checkpoint reader finds them. A folder with
    no state file and one .meta is that .meta's checkpoint (several: the user says which)."""
    folder = kind.path
    if kind.name == "checkpoint-dir" and not os.path.isfile(os.path.join(folder, "checkpoint")):
        metas = sorted(n for n in os.listdir(folder) if n.endswith(".meta"))
        if len(metas) > 1:
            raise PbscopeError(folder, f"holds {len(metas)} .meta graphs and no 'checkpoint' file; "
                                       f"give one checkpoint prefix (e.g. {os.path.join(folder, metas[-1][:-5])})")
        if len(metas) == 1:
            prefix = os.path.join(folder, metas[0][:-5])
            return _checkpoint_at(prefix, prefix + ".meta", given)
    meta, _, prefix, _index = checkpoint_reader.resolve(kind)   # prefix: a "V1" table file too
    if prefix is None:            # a .meta with no checkpoint beside it
        if not meta.endswith(".meta"):
            raise PbscopeError(given, f"not a model to restore into: it is {kind.label} with no checkpoint "
                                      f"beside it; {TARGETS_HINT}")
        prefix = meta[: -len(".meta")]
    return _checkpoint_at(prefix, meta, given)


def _checkpoint_at(prefix: str, meta: str | None, given: str) -> TargetSpec:
    if meta is None or not os.path.isfile(meta):
        raise PbscopeError(given, f"the checkpoint {os.path.basename(prefix)} has no .meta graph; "
                                  f"pbscope needs {os.path.basename(prefix)}.meta to know the model")
    if not os.path.isfile(prefix + ".index"):
        raise PbscopeError(given, f"the checkpoint {os.path.basename(prefix)} has no .index "
                                  "(only TF1 V2 checkpoints are supported)")
    return TargetSpec("checkpoint", prefix, meta=meta)
