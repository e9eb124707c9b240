"""The matching rules, without TensorFlow: names, renames, scopes, dtypes and shapes.

Matching is by name and nothing else. Both sides are normalised: ``:0`` and ``/read``
are dropped, so the recipe's keys (``scope/w:0``), pbscope's variable names (``scope/w``)
and Keras paths (``dense/kernel``) compare equal when they name the same thing; no other
guessing is done (``MobileNetV1/Conv2d_0/weights`` never matches a Keras path): a wrong
guess would load weights into the wrong layer without a word. ``--map OLD=NEW`` renames
source names first: a plain scope prefix renames ``OLD`` and ``OLD/…``; OLD with a regex
metacharacter (``()[]{}?*+|^$\\``) is a regular expression for ``re.sub``.

``final_scope`` is the rule behind ``--except-last``: take the trainable variables in
creation order (TF1: the ``TRAINABLE_VARIABLES`` collection; Keras:
``model.trainable_weights``, which follows the layers' topological order; SavedModel: the
order of its variables in the graph); the final layer is the scope of the last one (its
name without the last part, and without ``part_N`` for a partitioned variable). For TF1
and SavedModel targets a scope named like a normalisation sub-scope (``BatchNorm``,
``bn``, ``LayerNorm``, …) is widened to its parent, so that a slim ``conv + BatchNorm``
layer is skipped whole. Every target variable under that scope is skipped, trainable or not.
"""
from __future__ import annotations

import fnmatch
import re

from ..errors import PbscopeError

# scope names that are a part of a layer rather than a layer (for except_last)
NORM_SCOPES = {"batchnorm", "batch_norm", "batchnormalization", "batch_normalization", "bn",
               "layernorm", "layer_norm", "groupnorm", "group_norm", "instancenorm", "instance_norm"}
_REGEX_CHARS = frozenset("()[]{}?*+|^$\\")
_GLOB_CHARS = frozenset("*?[")


def normalise(name: str) -> str:
    """The name both sides are compared by: ``a/b:0`` → ``a/b``; ``a/b/read`` → ``a/b``."""
    return name.removesuffix(":0").removesuffix("/read")


def compile_maps(maps) -> list:
    """[(OLD, NEW)] → rules for ``map_name``; PbscopeError for a pair that cannot be one."""
    rules = []
    for pair in maps:
        try:
            old, new = pair
        except (TypeError, ValueError):
            raise PbscopeError(None, f"--map {pair!r}: expected OLD=NEW") from None
        if not old:
            raise PbscopeError(None, f"--map {old}={new}: OLD is empty")
        if _REGEX_CHARS.isdisjoint(old):
            rules.append(("prefix", old.rstrip("/"), new.rstrip("/"), f"{old}={new}"))
        else:
            try:
                rules.append(("regex", re.compile(old), new, f"{old}={new}"))
            except re.error as e:
                raise PbscopeError(None, f"--map {old}={new}: not a valid regular expression: {e}") from None
    return rules


def map_name(name: str, rules) -> str:
    """``name`` after the rules, in order: a scope prefix is renamed only at a ``/``."""
    for kind, old, new, text in rules:
        if kind == "prefix":
            if name == old:
                name = new or name
            elif name.startswith(old + "/"):
                rest = name[len(old) + 1:]
                name = f"{new}/{rest}" if new else rest
        else:
            try:
                name = old.sub(new, name)
            except (re.error, IndexError) as e:
                raise PbscopeError(None, f"--map {text}: {e}") from None
    return name


def source_names(path: str, weights, rules) -> dict:
    """{normalised, mapped name: weight}, in the source's order. Two weights with one name
    are an error: which of them would be restored is a guess."""
    out: dict = {}
    for w in weights:
        name = map_name(normalise(w.var_name), rules)
        other = out.get(name)
        if other is not None and other is not w:
            how = " after --map" if rules else ""
            raise PbscopeError(path, f"two source keys have the name {name!r}{how}: {other.key} and {w.key}")
        out[name] = w
    return out


def under(name: str, scope: str) -> bool:
    """Is ``name`` the scope or inside it? A scope with ``*?[`` is a glob."""
    scope = normalise(scope.strip()).rstrip("/")
    if not scope:
        return False
    if not _GLOB_CHARS.isdisjoint(scope):
        return fnmatch.fnmatchcase(name, scope) or fnmatch.fnmatchcase(name, scope + "/*")
    return name == scope or name.startswith(scope + "/")


def final_scope(trainable_names: list[str], widen_norm: bool) -> str | None:
    """The final layer's scope, from the trainable variables' names in creation order."""
    if not trainable_names:
        return None
    name = trainable_names[-1]
    if re.fullmatch(r"part_\d+", name.rpartition("/")[2]) and "/" in name:
        name = name.rpartition("/")[0]          # a partitioned variable's part: the variable
    scope = name.rpartition("/")[0] or name
    if widen_norm and "/" in scope and scope.rpartition("/")[2].lower() in NORM_SCOPES:
        scope = scope.rpartition("/")[0]
    return scope


def same_dtype(tv, w) -> bool:
    """TF's DataType enum when the target knows it (``float32_ref`` is float32), else the name."""
    if w.dtype is None:
        return False
    if tv.dtype_number is not None:
        return tv.dtype_number == w.dtype.number
    return tv.dtype == w.dtype_name


def same_shape(target: tuple | None, source: tuple | None) -> bool:
    """Unknown dimensions of the target accept any size; an unknown rank accepts any shape."""
    if target is None or source is None:
        return target is None and source is not None
    return len(target) == len(source) and all(t is None or t == s for t, s in zip(target, source))
