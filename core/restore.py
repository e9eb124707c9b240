"""Restore weights into a model the user chooses, with a match report first.

The seed's section 6 as a tool: "define the original graph in code, then assign each
variable the saved value whose key equals ``var.name``". ``plan_restore`` says, for
every variable of the chosen model, what would happen to it; ``apply_restore`` writes
a NEW model with the matched values and never touches its inputs::

    plan = plan_restore(open_model("frozen.pb"), "builders.py:define", except_last=True)
    print(plan.table())                  # matched / mismatch / missing / skipped, unused keys
    apply_restore(plan, "restored/")     # restored/model.ckpt.{meta,index,data-…} + checkpoint

Targets (told apart by the TARGET string):

* a TF1 checkpoint: a prefix (``model.ckpt`` with ``.meta``/``.index``/``.data-*``), its
  ``.meta`` or ``.index``, or a folder holding a ``checkpoint`` state file (or one ``.meta``).
  Its variables come from ``import_meta_graph`` in a fresh ``tf.Graph``;
* a builder ``path/file.py:function`` that defines the model's variables in TF1 graph
  mode. It is loaded with importlib and called inside a fresh ``tf.Graph`` with no
  arguments, or with an input placeholder copied from the source's input when it has
  one required parameter (``make_demo.define(inputs)``);
* a Keras model file (``.keras``, ``.h5``), loaded with ``keras.saving.load_model(compile=False)``;
* a SavedModel folder (TF1 or TF2): its variables are listed by pbscope's own reader
  (``open_model``, no TensorFlow while planning), under their readable names (a TF2
  checkpoint key ``dense/kernel/.ATTRIBUTES/VARIABLE_VALUE`` is the variable ``dense/kernel``).

Matching is by name. Both sides are normalised: ``:0`` and ``/read`` are dropped, so
the seed's keys (``scope/w:0``), pbscope's variable names (``scope/w``) and Keras paths
(``dense/kernel``) compare equal when they name the same thing; no other guessing is
done (``MobileNetV1/Conv2d_0/weights`` never matches a Keras path). ``--map OLD=NEW``
renames source names first: a plain scope prefix renames ``OLD`` and ``OLD/…``; OLD with
a regex metacharacter (``()[]{}?*+|^$\\``) is a regular expression for ``re.sub``.
Shape or dtype mismatches are reported with both sides and are never applied.

``except_last`` skips the target's final layer. The rule: take the trainable variables
in creation order (TF1: the ``TRAINABLE_VARIABLES`` collection; Keras:
``model.trainable_weights``, which follows the layers' topological order; SavedModel: the
order of its variables in the graph); the final layer is the scope of the last one (its
name without the last part, and without ``part_N`` for a partitioned variable). For TF1
and SavedModel targets, a scope named like a normalisation sub-scope (``BatchNorm``, ``bn``, ``LayerNorm``, …)
is widened to its parent, so that a slim ``conv + BatchNorm`` layer is skipped whole.
Every target variable under that scope is skipped, trainable or not.

Writing (TF1 targets): the target graph's own saver writes the checkpoint, its save op
fed with the source's arrays for the matched variables (the arrays go straight from
pbscope's views to the checkpoint; no assign ops, no copy held in variables). Variables
that are not fed keep the target's values: a checkpoint target restores them from its
own checkpoint first, a builder target runs their initializers. The ``.meta`` is the
target's: re-exported for a builder, copied byte for byte for a checkpoint. Keras
targets are written with ``model.save`` (``.keras``, ``.h5``) or ``model.save_weights``
(``.weights.h5``). A SavedModel target is copied (graph, assets) with a new
``variables/`` bundle holding every key of the old one, matched ones from the source;
its ``fingerprint.pb`` is left out, as it hashes the old variables. Output is built in
a temporary folder beside OUT and renamed into place: an error or Cancel leaves nothing.

TensorFlow (and Keras) are imported inside the functions only: ``import core.restore``
is cheap and TF-free, as the GUI needs.
"""
from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import importlib.util
import inspect
import os
import re
import shutil
import sys
import time
from dataclasses import dataclass, field

from .atomic import fsync_file, fsync_tree, move_into_place, temp_dir_beside
from .errors import PbscopeError
from .model import Graph, Weight
from .progress import NO_PROGRESS, Progress

CKPT = "model.ckpt"
STATUSES = ("matched", "mismatch", "missing", "skipped")
KIND_LABELS = {"checkpoint": "TF1 checkpoint", "builder": "TF1 builder", "keras": "Keras model",
               "savedmodel": "SavedModel"}
TARGETS_HINT = ("give a TF1 checkpoint (prefix, or a folder with a .meta), a builder "
                "file.py:function, a Keras .keras/.h5 file or a SavedModel folder")
# scope names that are a part of a layer rather than a layer (for except_last)
NORM_SCOPES = {"batchnorm", "batch_norm", "batchnormalization", "batch_normalization", "bn",
               "layernorm", "layer_norm", "groupnorm", "group_norm", "instancenorm", "instance_norm"}
_REGEX_CHARS = frozenset("()[]{}?*+|^$\\")
_GLOB_CHARS = frozenset("*?[")
_KERAS_SUFFIXES = (".keras", ".weights.h5", ".h5")


# ==============================================================================
# the plan
# ==============================================================================

@dataclass
class PlanRow:
    """One target variable and what the restore does to it."""
    target: str                          # variable name (TF1: without ':0'; Keras: its path)
    shape: tuple | None                  # None dims: unknown
    dtype: str
    trainable: bool
    status: str                          # one of STATUSES
    source: str | None = None            # the source key (Weight.key) that names it
    source_shape: tuple | None = None
    source_dtype: str | None = None
    why: str = ""                        # the reason of a mismatch or a skip
    weight: Weight | None = field(default=None, repr=False, compare=False)
    relayout: bool = False               # the source's stored layout is mapped to the target's

    def source_value(self):
        """The source weight's values, in the target's layout (a TFLite kernel transposed)."""
        a = self.weight.array()
        return self.weight.layout.apply(a) if self.relayout else a

    def as_dict(self) -> dict:
        d = {"target": self.target, "shape": _shape_list(self.shape), "dtype": self.dtype,
             "trainable": self.trainable, "status": self.status, "source": self.source,
             "source_shape": _shape_list(self.source_shape)}
        if self.source_dtype is not None:
            d["source_dtype"] = self.source_dtype
        if self.why:
            d["why"] = self.why
        return d


@dataclass
class RestorePlan:
    source: str                          # the source's path
    target: str                          # the TARGET string as given
    kind: str                            # 'checkpoint' | 'builder' | 'keras' | 'savedmodel'
    rows: list[PlanRow]
    unused: list[str]                    # source keys whose name no target variable has
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    _target: object = field(default=None, repr=False, compare=False)   # the loaded target

    def by_status(self, status: str) -> list[PlanRow]:
        return [r for r in self.rows if r.status == status]

    @property
    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in STATUSES}
        for r in self.rows:
            out[r.status] += 1
        return out

    @property
    def unmatched_trainable(self) -> list[PlanRow]:
        return [r for r in self.rows if r.trainable and r.status in ("mismatch", "missing")]

    @property
    def strict_ok(self) -> bool:
        """Every trainable target variable is matched (skipped ones do not count)."""
        return not self.unmatched_trainable

    def strict_failure(self) -> str:
        bad = self.unmatched_trainable
        if not bad:
            return "every trainable variable is matched"
        names = ", ".join(f"{r.target} ({r.status})" for r in bad[:5])
        more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
        n = len(bad)
        return f"{n} trainable variable{'s' if n != 1 else ''} unmatched: {names}{more} (see the plan)"

    def summary(self) -> str:
        c = self.counts
        return (f"{len(self.rows)} target variables: {c['matched']} matched, {c['mismatch']} mismatched "
                f"(not applied), {c['missing']} missing, {c['skipped']} skipped; "
                f"{len(self.unused)} source key{'s' if len(self.unused) != 1 else ''} unused")

    def table(self, color: bool | None = None) -> str:
        """The plan as text: rows grouped by status (matched, skipped, missing, mismatch),
        the unused source keys, then the counts. ``color``: ANSI colours for the status
        words (default: when stdout is a terminal and NO_COLOR is unset)."""
        if color is None:
            color = _stdout_is_tty() and not os.environ.get("NO_COLOR")
        head = ["status", "target variable", "shape", "dtype", "train", "source key", "source shape", "note"]
        groups = [r for s in ("matched", "skipped", "missing", "mismatch") for r in self.rows if r.status == s]
        cells = [[r.status, r.target, _shape_text(r.shape), r.dtype, "yes" if r.trainable else "no",
                  r.source or "-", _shape_text(r.source_shape) if r.source else "-", r.why] for r in groups]
        widths = [max([len(head[i])] + [len(c[i]) for c in cells]) for i in range(len(head))]
        widths[-1] = 0   # the note column is last: no padding

        def line(c, colour_status=False):
            parts = [v.ljust(w) for v, w in zip(c, widths)]
            if colour_status and color:
                parts[0] = _COLOURS[c[0]] + parts[0] + "\033[0m"
            return "  ".join(parts).rstrip()

        out = [f"restore plan: {self.source} -> {KIND_LABELS.get(self.kind, self.kind)} {self.target}",
               "", line(head), "  ".join("-" * max(w, len(h)) for w, h in zip(widths, head))]
        out += [line(c, True) for c in cells]
        if self.unused:
            out.append("")
            out.append(f"unused source keys ({len(self.unused)}): no target variable has their name")
            out += [f"  {k}" for k in self.unused]
        for note in self.notes:
            out.append(f"note: {note}")
        out.append("")
        out.append(self.summary())
        return "\n".join(out)

    def as_dict(self) -> dict:
        """JSON-safe: matched, mismatched, missing, skipped (lists of rows), unused (keys),
        target, source, plus kind, counts and strict_ok."""
        return {
            "source": self.source, "target": self.target, "kind": self.kind,
            "matched": [r.as_dict() for r in self.by_status("matched")],
            "mismatched": [r.as_dict() for r in self.by_status("mismatch")],
            "missing": [r.as_dict() for r in self.by_status("missing")],
            "skipped": [r.as_dict() for r in self.by_status("skipped")],
            "unused": list(self.unused),
            "counts": {**self.counts, "unused": len(self.unused)},
            "strict_ok": self.strict_ok,
            "notes": list(self.notes),
        }


_COLOURS = {"matched": "\033[32m", "mismatch": "\033[31m", "missing": "\033[33m", "skipped": "\033[36m"}


def _stdout_is_tty() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


@dataclass
class RestoreResult:
    out: str
    written: int                # target variables given the source's values
    seconds: float
    kind: str                   # the target's kind: 'checkpoint' | 'builder' | 'keras' | 'savedmodel'
    kept: int = 0               # target variables that kept the target's values
    checkpoint: str | None = None   # TF1: the checkpoint prefix (OUT/model.ckpt)

    def as_dict(self) -> dict:
        return {"out": self.out, "kind": self.kind, "written": self.written, "kept": self.kept,
                "checkpoint": self.checkpoint, "seconds": round(self.seconds, 4)}

    def summary(self) -> str:
        where = (f"the TF1 checkpoint {self.checkpoint}" if self.checkpoint else
                 f"the SavedModel {self.out}" if self.kind == "savedmodel" else f"the Keras model {self.out}")
        return (f"restored {self.written} variable{'s' if self.written != 1 else ''} into {where} "
                f"in {self.seconds:.2f} s; {self.kept} kept the target's values")


# ==============================================================================
# plan_restore
# ==============================================================================

def plan_restore(source: Graph, target: str, *, maps=(), excludes=(), except_last: bool = False,
                 weights: list[Weight] | None = None, progress: Progress = NO_PROGRESS) -> RestorePlan:
    """Match the source's weights to the variables of the model ``target`` names.

    ``maps``: [(OLD, NEW)] renames of source names, applied in order; ``excludes``:
    target scopes to skip; ``weights``: a subset of ``source.weights`` to use.
    Raises PbscopeError with one line for anything the user can fix."""
    t0 = time.perf_counter()
    target = os.fspath(target)
    progress.path = progress.path or target
    rules = _compile_maps(maps)
    chosen = list(source.weights if weights is None else weights)
    if not chosen:
        raise PbscopeError(source.path, "no source weights to restore from" if weights is None
                           else "no source weights selected")
    src = _source_names(source, chosen, rules)

    kind, spec = _detect(target)
    progress.report(0.02, "loading the target")
    if kind == "builder":
        loaded = _open_builder(spec, source, progress)
    elif kind == "checkpoint":
        loaded = _open_checkpoint(spec, progress)
    elif kind == "savedmodel":
        loaded = _open_savedmodel(spec, progress)
    else:
        loaded = _open_keras(spec, progress)
    progress.report(0.9, "matching")

    skip_scopes = [(s, f"--exclude {s}") for s in excludes]
    notes = []
    if except_last:
        last = loaded.last_scope()
        if last:
            skip_scopes.append((last, "--except-last"))
            notes.append(f"--except-last: the final layer is {last}")
        else:
            notes.append("--except-last: the target has no trainable variables; nothing skipped")
    rows = []
    for tv in loaded.variables:
        rows.append(_row(tv, src.get(tv.name), skip_scopes))
    names = {tv.name for tv in loaded.variables}
    if not any(r.source for r in rows):
        raise PbscopeError(source.path, "no source key matches any target variable (source keys like "
                           f"{_examples([w.key for w in src.values()])}; target variables like "
                           f"{_examples([tv.name for tv in loaded.variables])}); rename with --map OLD=NEW")
    for scope in excludes:
        if not any(r.why == f"--exclude {scope}" for r in rows):
            notes.append(f"--exclude {scope}: no target variable is under it")
    unused = [w.key for n, w in src.items() if n not in names]
    progress.report(1.0, "planned")
    return RestorePlan(source=source.path, target=target, kind=kind, rows=rows, unused=unused,
                       notes=notes, seconds=time.perf_counter() - t0, _target=loaded)


def _examples(names: list[str], n: int = 2) -> str:
    shown = ", ".join(repr(x) for x in names[:n])
    return shown + (", …" if len(names) > n else "")


@dataclass
class _TargetVar:
    name: str                    # normalised: no ':0'
    shape: tuple | None
    dtype: str
    dtype_number: int | None     # TF's DataType enum, when known
    trainable: bool
    obj: object = field(default=None, repr=False)   # tf.Variable / keras Variable


def _row(tv: _TargetVar, w: Weight | None, skip_scopes) -> PlanRow:
    row = PlanRow(tv.name, tv.shape, tv.dtype, tv.trainable, "missing")
    if w is not None:
        row.source, row.source_shape, row.weight = w.key, w.shape, w
    for scope, why in skip_scopes:
        if _under(tv.name, scope):
            row.status, row.why = "skipped", why
            return row
    if w is None:
        return row
    if not w.available:
        row.status, row.why = "mismatch", f"the source value is unreadable: {w.error}"
        return row
    if not _same_dtype(tv, w):
        row.status, row.source_dtype = "mismatch", w.dtype_name
        row.why = f"dtype {w.dtype_name} in the source, {tv.dtype} in the target"
        return row
    if not _same_shape(tv.shape, w.shape) and w.layout is not None and _same_shape(tv.shape, w.layout.shape):
        row.status, row.relayout, row.why = "matched", True, w.layout.note
        return row
    if not _same_shape(tv.shape, w.shape):
        row.status = "mismatch"
        row.why = f"shape {_shape_text(w.shape)} in the source, {_shape_text(tv.shape)} in the target"
        return row
    row.status = "matched"
    return row


def _same_dtype(tv: _TargetVar, w: Weight) -> bool:
    if w.dtype is None:
        return False
    if tv.dtype_number is not None:
        return tv.dtype_number == w.dtype.number
    return tv.dtype == w.dtype_name


def _same_shape(target: tuple | None, source: tuple | None) -> bool:
    if target is None or source is None:
        return target is None and source is not None    # unknown rank in the target accepts any
    return len(target) == len(source) and all(t is None or t == s for t, s in zip(target, source))


def _shape_list(shape):
    return None if shape is None else [None if d is None else int(d) for d in shape]


def _shape_text(shape) -> str:
    if shape is None:
        return "?"
    return "[" + ",".join("?" if d is None else str(d) for d in shape) + "]"


# -- names ----------------------------------------------------------------------

def normalise(name: str) -> str:
    """The name both sides are compared by: ``a/b:0`` → ``a/b``; ``a/b/read`` → ``a/b``."""
    if name.endswith(":0"):
        name = name[:-2]
    if name.endswith("/read"):
        name = name[:-5]
    return name


def _compile_maps(maps) -> list:
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


def _source_names(source: Graph, weights: list[Weight], rules) -> dict[str, Weight]:
    """{normalised, mapped name: weight}, in the source's order."""
    out: dict[str, Weight] = {}
    for w in weights:
        name = map_name(normalise(w.var_name), rules)
        other = out.get(name)
        if other is not None and other is not w:
            how = " after --map" if rules else ""
            raise PbscopeError(source.path, f"two source keys have the name {name!r}{how}: "
                                            f"{other.key} and {w.key}")
        out[name] = w
    return out


def _under(name: str, scope: str) -> bool:
    scope = normalise(scope.strip()).rstrip("/")
    if not scope:
        return False
    if not _GLOB_CHARS.isdisjoint(scope):
        return fnmatch.fnmatchcase(name, scope) or fnmatch.fnmatchcase(name, scope + "/*")
    return name == scope or name.startswith(scope + "/")


def _final_scope(trainable_names: list[str], widen_norm: bool) -> str | None:
    if not trainable_names:
        return None
    name = trainable_names[-1]
    if re.fullmatch(r"part_\d+", name.rpartition("/")[2]) and "/" in name:
        name = name.rpartition("/")[0]          # a partitioned variable's part: the variable
    scope = name.rpartition("/")[0] or name
    if widen_norm and "/" in scope and scope.rpartition("/")[2].lower() in NORM_SCOPES:
        scope = scope.rpartition("/")[0]
    return scope


# ==============================================================================
# targets
# ==============================================================================

def _detect(target: str) -> tuple[str, object]:
    """('builder', (file, function)) | ('checkpoint', (prefix, meta)) | ('keras', path)
    | ('savedmodel', folder)."""
    head, sep, func = target.rpartition(":")
    if sep and head.lower().endswith(".py"):
        if not func.isidentifier():
            raise PbscopeError(head, f"{func!r} is not a function name; write {head}:FUNCTION")
        return "builder", (head, func)
    if target.lower().endswith(".py"):
        raise PbscopeError(target, f"name the builder function: {target}:FUNCTION")
    if os.path.isdir(target):
        return _detect_dir(target)
    if os.path.basename(target) in ("saved_model.pb", "saved_model.pbtxt") and os.path.isfile(target):
        return "savedmodel", os.path.dirname(target) or "."
    low = target.lower()
    if os.path.isfile(target) and low.endswith(_KERAS_SUFFIXES):
        if low.endswith(".weights.h5"):
            raise PbscopeError(target, "a Keras weights file holds no model to restore into; "
                                       "give the .keras (or .h5) model file")
        return "keras", target
    for suffix in (".meta", ".index"):
        if low.endswith(suffix) and os.path.isfile(target):
            return _checkpoint_at(target[: -len(suffix)], target)
    if os.path.exists(target + ".meta") or os.path.exists(target + ".index"):
        return _checkpoint_at(target, target)
    if not os.path.exists(target):
        raise PbscopeError(target, "no such file or folder")
    raise PbscopeError(target, f"not a model to restore into: {_what_is(target)}; {TARGETS_HINT}")


def _what_is(path: str) -> str:
    from .formats import detect
    try:
        kind = detect(path)
    except PbscopeError as e:
        return e.cause
    if kind.name in ("graphdef", "graphdef-text"):
        return f"it is {kind.label}, whose weights are constants (unfreeze it first: pbscope unfreeze)"
    return f"it is {kind.label}"


def _detect_dir(folder: str) -> tuple[str, object]:
    names = set(os.listdir(folder))
    if "saved_model.pb" in names or "saved_model.pbtxt" in names:
        return "savedmodel", folder
    if "checkpoint" in names:
        prefix = _state_prefix(os.path.join(folder, "checkpoint"), folder)
        return _checkpoint_at(prefix, folder)
    metas = sorted(n for n in names if n.endswith(".meta"))
    if len(metas) == 1:
        return _checkpoint_at(os.path.join(folder, metas[0][:-5]), folder)
    if len(metas) > 1:
        raise PbscopeError(folder, f"holds {len(metas)} .meta graphs and no 'checkpoint' file; "
                                   f"give one checkpoint prefix (e.g. {os.path.join(folder, metas[-1][:-5])})")
    raise PbscopeError(folder, f"not a model to restore into: a folder with no 'checkpoint' file, "
                               f".meta graph or saved_model.pb; {TARGETS_HINT}")


def _state_prefix(state: str, folder: str) -> str:
    try:
        with open(state, encoding="utf-8", errors="replace") as f:
            text = f.read(1 << 20)
    except OSError as e:
        raise PbscopeError(state, f"cannot read it: {e.strerror or e}") from None
    m = re.search(r'^model_checkpoint_path:\s*"((?:[^"\\]|\\.)*)"', text, re.M)
    if not m:
        raise PbscopeError(state, "no model_checkpoint_path in this checkpoint state file")
    p = m.group(1).encode().decode("unicode_escape")
    full = p if os.path.isabs(p) else os.path.join(folder, p)
    if not (os.path.exists(full + ".index") or os.path.exists(full + ".meta")):
        local = os.path.join(folder, os.path.basename(p))     # a folder moved since it was written
        if os.path.exists(local + ".index") or os.path.exists(local + ".meta"):
            full = local
    return full


def _checkpoint_at(prefix: str, given: str) -> tuple[str, object]:
    meta = prefix + ".meta"
    if not os.path.isfile(meta):
        raise PbscopeError(given, f"the checkpoint {os.path.basename(prefix)} has no .meta graph; "
                                  f"pbscope needs {os.path.basename(meta)} to know the model")
    if not os.path.isfile(prefix + ".index"):
        raise PbscopeError(given, f"the checkpoint {os.path.basename(prefix)} has no .index "
                                  "(only TF1 V2 checkpoints are supported)")
    return "checkpoint", (prefix, meta)


# -- TensorFlow plumbing ------------------------------------------------------------

def _import_tf(purpose: str = "restoring into a TF1 model"):
    """TensorFlow, imported quietly (its start-up notices kept off stderr): core.tfimport."""
    from .tfimport import import_tensorflow
    return import_tensorflow(purpose)


def _quiet(tf):
    from .tfimport import quiet
    return quiet(tf)


def _first_line(e: BaseException) -> str:
    msg = getattr(e, "message", None) or str(e) or type(e).__name__
    lines = [ln.strip() for ln in str(msg).splitlines() if ln.strip()]
    text = lines[0] if lines else type(e).__name__
    return text if len(text) <= 300 else text[:299] + "…"


def _describe(e: BaseException) -> str:
    return f"{type(e).__name__}: {_first_line(e)}" if str(e) else type(e).__name__


class _TF1Target:
    """A TF1 graph with variables: a builder's or an imported .meta's."""

    def __init__(self, kind, path, graph, variables, trainable_order, saver=None, prefix=None, meta=None):
        self.kind = kind
        self.path = path                  # the builder file, or the checkpoint prefix
        self.graph = graph
        self.variables: list[_TargetVar] = variables
        self.trainable_order = trainable_order
        self.saver = saver                # a checkpoint's own; a builder's is made on first apply
        self.prefix = prefix              # checkpoint: where unmatched values come from
        self.meta = meta                  # checkpoint: the .meta copied into the output

    def last_scope(self) -> str | None:
        return _final_scope(self.trainable_order, widen_norm=True)


def _tf1_variables(tf, graph) -> tuple[list[_TargetVar], list[str]]:
    v1 = tf.compat.v1
    trainable = graph.get_collection(v1.GraphKeys.TRAINABLE_VARIABLES)
    trainable_ids = {id(v) for v in trainable}
    out = []
    for v in graph.get_collection(v1.GraphKeys.GLOBAL_VARIABLES):
        dt = v.dtype.base_dtype
        shape = None if v.shape.rank is None else tuple(v.shape.as_list())
        out.append(_TargetVar(normalise(v.name), shape, dt.name, dt.as_datatype_enum,
                              id(v) in trainable_ids, v))
    return out, [normalise(v.name) for v in trainable]


def _load_builder_function(file: str, func: str):
    path = os.path.abspath(file)
    if not os.path.exists(path):
        raise PbscopeError(file, "no such file")
    if not os.path.isfile(path):
        raise PbscopeError(file, "not a file")
    mod_name = "_pbscope_builder_" + hashlib.sha1(path.encode()).hexdigest()[:12]
    spec = importlib.util.spec_from_file_location(mod_name, path)
    if spec is None or spec.loader is None:
        raise PbscopeError(file, "cannot be loaded as a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[mod_name] = module
    try:
        with _on_sys_path(os.path.dirname(path)), contextlib.redirect_stdout(sys.stderr):
            spec.loader.exec_module(module)
    except (Exception, SystemExit) as e:
        sys.modules.pop(mod_name, None)
        raise PbscopeError(file, f"loading it raised {_describe(e)}") from None
    fn = getattr(module, func, None)
    if fn is None:
        found = sorted(n for n, v in vars(module).items() if inspect.isfunction(v)
                       and v.__module__ == mod_name and not n.startswith("_"))
        listing = f" (it has: {', '.join(found[:8])}{', …' if len(found) > 8 else ''})" if found else ""
        raise PbscopeError(file, f"has no function {func!r}{listing}")
    if not callable(fn):
        raise PbscopeError(file, f"{func} is not a function")
    return fn


@contextlib.contextmanager
def _on_sys_path(folder: str):
    """The builder's folder on sys.path while it loads and runs (for its own imports)."""
    added = folder not in sys.path
    if added:
        sys.path.insert(0, folder)
    try:
        yield
    finally:
        if added:
            try:
                sys.path.remove(folder)
            except ValueError:
                pass


def _builder_arity(fn, file: str, func: str) -> int:
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return 0
    required = [p for p in params if p.default is p.empty
                and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    if len(required) > 1 or any(p.kind == p.KEYWORD_ONLY for p in required):
        raise PbscopeError(file, f"{func}() takes {len(required)} required arguments; a builder takes "
                                 "none, or one: the input tensor")
    return len(required)


def _input_placeholder(tf, source: Graph, file: str, func: str):
    inputs = source.inputs
    if not inputs:
        raise PbscopeError(file, f"{func}() takes an input, and the source {source.path} has no input "
                                 "placeholder to copy; give the parameter a default")
    op = inputs[0]
    attrs = op.attrs
    try:
        dtype = tf.as_dtype(str(attrs.get("dtype", "float32")).removesuffix("_ref"))
    except TypeError:
        dtype = tf.float32
    shape = attrs.get("shape")
    if shape is not None:
        shape = [None if d < 0 else d for d in shape]
    return tf.compat.v1.placeholder(dtype, shape, name=op.name)


def _open_builder(spec, source: Graph, progress: Progress) -> _TF1Target:
    file, func = spec
    tf = _import_tf()
    v1 = tf.compat.v1
    progress.report(0.1, f"loading {os.path.basename(file)}")
    fn = _load_builder_function(file, func)
    arity = _builder_arity(fn, file, func)
    progress.report(0.2, f"building {func}()")
    graph = tf.Graph()
    resource_vars = v1.resource_variables_enabled()
    try:
        # the builder's prints go to stderr: stdout carries the plan (and --json)
        with graph.as_default(), _quiet(tf), _on_sys_path(os.path.dirname(os.path.abspath(file))), \
                contextlib.redirect_stdout(sys.stderr):
            args = (_input_placeholder(tf, source, file, func),) if arity else ()
            fn(*args)
    except PbscopeError:
        raise
    except (Exception, SystemExit) as e:
        raise PbscopeError(file, f"{func}() raised {_describe(e)}") from None
    finally:   # a builder that flips TF's process-wide switch does not keep it flipped
        if v1.resource_variables_enabled() != resource_vars:
            (v1.enable_resource_variables if resource_vars else v1.disable_resource_variables)()
    variables, trainable = _tf1_variables(tf, graph)
    if not variables:
        raise PbscopeError(file, f"{func}() created no variables; a builder defines the model in TF1 "
                                 "graph mode (e.g. with tf.compat.v1.get_variable)")
    return _TF1Target("builder", file, graph, variables, trainable)


def _open_checkpoint(spec, progress: Progress) -> _TF1Target:
    prefix, meta = spec
    tf = _import_tf()
    v1 = tf.compat.v1
    progress.report(0.2, f"importing {os.path.basename(meta)}")
    graph = tf.Graph()
    try:
        with graph.as_default(), _quiet(tf):
            saver = v1.train.import_meta_graph(meta, clear_devices=True)
    except Exception as e:  # DecodeError, ValueError, KeyError (unknown op), OpError
        raise PbscopeError(meta, f"TensorFlow cannot import the .meta graph: {_describe(e)}") from None
    variables, trainable = _tf1_variables(tf, graph)
    if not variables or saver is None:
        raise PbscopeError(meta, "the .meta graph has no variables to restore into")
    return _TF1Target("checkpoint", prefix, graph, variables, trainable, saver=saver,
                      prefix=prefix, meta=meta)


class _KerasTarget:
    kind = "keras"

    def __init__(self, path, model, variables, trainable_order):
        self.path = path
        self.model = model
        self.variables = variables
        self.trainable_order = trainable_order

    def last_scope(self) -> str | None:
        return _final_scope(self.trainable_order, widen_norm=False)


def _open_keras(path: str, progress: Progress) -> _KerasTarget:
    from .formats import detect
    kind = detect(path).name
    if kind not in ("keras", "hdf5"):
        raise PbscopeError(path, f"not a Keras model: {_what_is(path)}")
    progress.report(0.05, "importing Keras")
    _import_tf("restoring into a Keras model")
    try:
        import keras
    except ImportError as e:
        raise PbscopeError(path, f"restoring into a Keras model needs Keras, which is not installed ({e})") from None
    progress.report(0.2, f"loading {os.path.basename(path)}")
    try:
        model = keras.saving.load_model(path, compile=False, safe_mode=True)
    except Exception as e:
        raise PbscopeError(path, f"Keras cannot load it: {_describe(e)}") from None
    names = _keras_names(keras, model)
    name = lambda v: names.get(id(v)) or normalise(v.path)   # noqa: E731
    variables = []
    for v in model.weights:
        dt = str(getattr(v.dtype, "name", v.dtype))
        variables.append(_TargetVar(name(v), tuple(v.shape), dt, None, bool(v.trainable), v))
    if not variables:
        raise PbscopeError(path, "the Keras model has no weights to restore into")
    return _KerasTarget(path, model, variables, [name(v) for v in model.trainable_weights])


def _keras_names(keras, model, prefix: str = "") -> dict[int, str]:
    """Each variable by its layer's place: nested models, the layer, then the variable's
    path below its layer (``head/dense/kernel``), as pbscope's Keras reader names them.
    ``v.path`` also holds the scopes the layer was built in, which differ for one model
    loaded from .keras (``dense/kernel``) or .h5 (``head/dense/kernel``)."""
    out: dict[int, str] = {}
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            out.update(_keras_names(keras, layer, f"{prefix}{layer.name}/"))
            continue
        for v in layer.weights:
            parts = normalise(v.path).split("/")
            tail = parts[parts.index(layer.name) + 1:] if layer.name in parts else [v.name]
            out.setdefault(id(v), "/".join([prefix + layer.name, *tail]))
    return out


class _SavedModelTarget:
    kind = "savedmodel"

    def __init__(self, path, bundle, variables, keys):
        self.path = path
        self.bundle = bundle          # the old variables/ bundle (pbscope's reader)
        self.variables = variables
        self.keys = keys              # target name → checkpoint key
        self.trainable_order = [tv.name for tv in variables if tv.trainable]

    def last_scope(self) -> str | None:
        return _final_scope(self.trainable_order, widen_norm=True)


def _open_savedmodel(folder: str, progress: Progress) -> _SavedModelTarget:
    from .formats import open_model
    from .formats.tensorbundle import BundleReader
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
        variables.append(_TargetVar(name, w.shape, w.dtype_name, w.dtype.number if w.dtype else None,
                                    w.trainable, w))
    if not variables:
        raise PbscopeError(folder, "the SavedModel has no variables to restore into")
    return _SavedModelTarget(folder, bundle, variables, keys)


# ==============================================================================
# apply_restore
# ==============================================================================

def apply_restore(plan: RestorePlan, out: str, *, force: bool = False, skip=frozenset(),
                  progress: Progress = NO_PROGRESS) -> RestoreResult:
    """Write a new model at ``out`` with the plan's matched variables set from the source.

    TF1 targets: ``out`` is a folder (``out/model.ckpt.*`` + ``out/checkpoint``); Keras
    targets: ``out`` ends with ``.keras``, ``.h5`` or ``.weights.h5``. ``skip``: target
    variable names to leave as they are (unticked in the GUI)."""
    t0 = time.perf_counter()
    out = os.fspath(out)
    out_abs = os.path.abspath(out)
    progress.path = progress.path or out
    loaded = plan._target
    if loaded is None:
        raise PbscopeError(plan.target, "this plan has no loaded target; make it with plan_restore")
    skip = {normalise(s) for s in skip}
    chosen = [r for r in plan.rows if r.status == "matched" and r.target not in skip]
    if not chosen:
        c = plan.counts
        unticked = sum(1 for r in plan.rows if r.status == "matched" and r.target in skip)
        raise PbscopeError(plan.source, f"nothing to restore: no target variable is matched and ticked "
                                        f"({c['matched']} matched, {unticked} of them unticked; "
                                        f"{c['mismatch']} mismatched, {c['missing']} missing, "
                                        f"{c['skipped']} skipped)")
    if plan.kind == "keras":
        low = out.lower()
        if not low.endswith(_KERAS_SUFFIXES):
            raise PbscopeError(out, "a Keras target is written as a .keras, .h5 or .weights.h5 file; "
                                    "end OUT with one of them")
    _check_out(out_abs, out, plan, loaded, force)

    tmp = temp_dir_beside(out_abs)
    checkpoint = None
    try:
        if plan.kind == "keras":
            _write_keras(plan, loaded, chosen, tmp, out_abs, progress)
            progress.report(0.97, "finishing")
            written = os.path.join(tmp, os.path.basename(out_abs))
            fsync_file(written)
            move_into_place(written, out_abs, out, force)
            shutil.rmtree(tmp, ignore_errors=True)
        elif plan.kind == "savedmodel":
            _write_savedmodel(plan, loaded, chosen, tmp, progress)
            progress.report(0.97, "finishing")
            fsync_tree(tmp)
            move_into_place(tmp, out_abs, out, force)
        else:
            _write_tf1(plan, loaded, chosen, tmp, progress)
            progress.report(0.97, "finishing")
            fsync_tree(tmp)
            move_into_place(tmp, out_abs, out, force)
            checkpoint = os.path.join(out, CKPT)
    except BaseException as e:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(e, OSError):
            raise PbscopeError(out, f"cannot write it: {e.strerror or e}") from None
        raise
    progress.report(1.0, "done")
    return RestoreResult(out=out, written=len(chosen), seconds=time.perf_counter() - t0, kind=plan.kind,
                         kept=len(plan.rows) - len(chosen), checkpoint=checkpoint)


def _inputs_of(plan: RestorePlan, loaded) -> list[str]:
    paths = [plan.source]
    if isinstance(loaded, _TF1Target):
        if loaded.kind == "checkpoint":
            paths += [loaded.meta, loaded.prefix + ".index", os.path.dirname(os.path.abspath(loaded.meta))]
        else:
            paths.append(loaded.path)
    else:     # Keras file, SavedModel folder
        paths.append(loaded.path)
    return [os.path.abspath(p) for p in paths if p]


def _check_out(out_abs: str, out: str, plan: RestorePlan, loaded, force: bool) -> None:
    parent = os.path.dirname(out_abs)
    if not os.path.isdir(parent):
        raise PbscopeError(out, f"the folder {parent} does not exist")
    for p in _inputs_of(plan, loaded):
        if _same_or_inside(p, out_abs):
            raise PbscopeError(out, f"is an input of this restore ({p}); choose another output")
    if os.path.lexists(out_abs):
        if not force:
            raise PbscopeError(out, "already exists; use --force to replace it")
        if plan.kind == "keras" and os.path.isdir(out_abs):
            raise PbscopeError(out, "is a folder; a Keras target is written as one file")


def _same_or_inside(path: str, out_abs: str) -> bool:
    """Is ``path`` the output itself, or inside the output folder?"""
    try:
        if os.path.exists(path) and os.path.exists(out_abs) and os.path.samefile(path, out_abs):
            return True
    except OSError:
        pass
    try:
        return os.path.commonpath([os.path.realpath(path), os.path.realpath(out_abs)]) == os.path.realpath(out_abs)
    except ValueError:
        return False


# -- TF1 ---------------------------------------------------------------------------

def _write_tf1(plan: RestorePlan, t: _TF1Target, chosen: list[PlanRow], folder: str,
               progress: Progress) -> None:
    tf = _import_tf()
    v1 = tf.compat.v1
    progress.report(0.05, "preparing the checkpoint")
    g = t.graph
    prefix = os.path.join(folder, CKPT)
    with g.as_default(), _quiet(tf):
        if t.saver is None:        # a builder: one saver for its global variables, made once
            t.saver = v1.train.Saver(var_list=[tv.obj for tv in t.variables], sharded=False,
                                     save_relative_paths=True, max_to_keep=None,
                                     write_version=v1.train.SaverDef.V2)
        saver = t.saver
        save_t, filename_t, saved = _save_op_inputs(tf, g, saver, plan.target)
        if t.kind == "builder":
            try:
                saver.export_meta_graph(prefix + ".meta")
            except Exception as e:
                raise PbscopeError(plan.target, f"TensorFlow cannot export the model's graph: {_describe(e)}") from None
    if t.kind == "checkpoint":
        shutil.copyfile(t.meta, prefix + ".meta")
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
    with v1.Session(graph=g, config=config) as sess, _quiet(tf):
        if unfed:
            _fill_unfed(tf, sess, t, unfed, plan.target)
        progress.check()
        try:
            sess.run(save_t, feed_dict=feeds)
        except (ValueError, TypeError) as e:
            raise PbscopeError(plan.source, f"TensorFlow refused a value: {_first_line(e)}") from None
        except tf.errors.OpError as e:
            raise PbscopeError(plan.target, f"cannot write the checkpoint: {_first_line(e)}") from None
    del feeds
    for r in chosen:
        r.weight.graph.release(r.weight)
    with open(os.path.join(folder, "checkpoint"), "w") as f:
        f.write(f'model_checkpoint_path: "{CKPT}"\nall_model_checkpoint_paths: "{CKPT}"\n')


def _save_op_inputs(tf, g, saver, target: str):
    """(save tensor, filename tensor, [(key, tensor, variable name or None)]) of the saver:
    every tensor its SaveV2 op(s) write, and which variable each is."""
    from tensorflow.python.framework import tensor_util
    sd = saver.saver_def
    try:
        save_t = g.get_tensor_by_name(sd.save_tensor_name)
        filename_t = g.get_tensor_by_name(sd.filename_tensor_name)
    except (KeyError, ValueError) as e:
        raise PbscopeError(target, f"the model's saver is incomplete: {_first_line(e)}") from None
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
            out.append((key, tensor, _variable_of(tensor)))
    return save_t, filename_t, out


def _variable_of(tensor) -> str | None:
    op = tensor.op
    for _ in range(8):
        if op.type in ("VariableV2", "Variable", "VarHandleOp"):
            return op.name
        if op.type in ("Identity", "ReadVariableOp", "Snapshot") and op.inputs:
            op = op.inputs[0].op
        else:
            return None
    return None


def _fill_unfed(tf, sess, t: _TF1Target, unfed: list, target: str) -> None:
    """Give the variables the source does not set the target's own values."""
    try:
        if t.kind == "checkpoint":
            t.saver.restore(sess, t.prefix)
            return
        by_name = {tv.name: tv.obj for tv in t.variables}
        if all(v in by_name for v in unfed):
            try:
                sess.run([by_name[v].initializer for v in unfed])
                return
            except tf.errors.FailedPreconditionError:
                pass   # an initializer reads another variable: initialise all, in order
        for tv in t.variables:
            sess.run(tv.obj.initializer)
    except tf.errors.OpError as e:
        what = "restore the target's checkpoint" if t.kind == "checkpoint" else "initialise the target's variables"
        raise PbscopeError(target, f"cannot {what}: {_first_line(e)}") from None


# -- SavedModel ----------------------------------------------------------------------

def _write_savedmodel(plan: RestorePlan, t: _SavedModelTarget, chosen: list[PlanRow], folder: str,
                      progress: Progress) -> None:
    """The SavedModel copied into ``folder``, with a new variables/ bundle: every key of
    the old one (the object graph too), the matched ones set from the source."""
    tf = _import_tf("restoring into a SavedModel")
    v1 = tf.compat.v1
    progress.report(0.05, "copying the SavedModel")
    for name in sorted(os.listdir(t.path)):
        if name in ("variables", "fingerprint.pb"):
            continue
        src, dst = os.path.join(t.path, name), os.path.join(folder, name)
        if os.path.isdir(src):
            shutil.copytree(src, dst, symlinks=True)
        else:
            shutil.copy2(src, dst)
    os.mkdir(os.path.join(folder, "variables"))
    progress.report(0.15, "reading the weights")
    by_key = {t.keys[r.target]: r for r in chosen}
    names, values, dtypes = [], [], []
    for key, entry in t.bundle.entries.items():
        r = by_key.get(key)
        try:
            value = r.source_value() if r is not None else t.bundle.read(key)
        except PbscopeError as e:
            raise PbscopeError(plan.source if r is not None else t.path, e.cause) from None
        names.append(key)
        values.append(value)
        dtypes.append(entry.dtype)
    progress.report(0.3, "writing the variables")
    g = tf.Graph()
    with g.as_default(), _quiet(tf):
        holders = [v1.placeholder(tf.as_dtype(dt)) for dt in dtypes]
        save = tf.raw_ops.SaveV2(prefix=os.path.join(folder, "variables", "variables"), tensor_names=names,
                                 shape_and_slices=[""] * len(names), tensors=holders)
    with v1.Session(graph=g) as sess:
        progress.check()
        try:
            sess.run(save, feed_dict=dict(zip(holders, values)))
        except (ValueError, TypeError) as e:
            raise PbscopeError(plan.source, f"TensorFlow refused a value: {_first_line(e)}") from None
        except tf.errors.OpError as e:
            raise PbscopeError(plan.target, f"cannot write the variables: {_first_line(e)}") from None
    for r in chosen:
        r.weight.graph.release(r.weight)


# -- Keras ---------------------------------------------------------------------------

def _write_keras(plan: RestorePlan, t: _KerasTarget, chosen: list[PlanRow], folder: str, out_abs: str,
                 progress: Progress) -> None:
    by_name = {tv.name: tv.obj for tv in t.variables}
    path = os.path.join(folder, os.path.basename(out_abs))
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
                raise PbscopeError(plan.source, f"{r.source}: Keras refused the value: {_describe(e)}") from None
            r.weight.graph.release(r.weight)
        progress.report(0.7, "writing the Keras model")
        try:
            if path.lower().endswith(".weights.h5"):
                t.model.save_weights(path)
            else:
                t.model.save(path)
        except Exception as e:
            raise PbscopeError(plan.target, f"Keras cannot save the model: {_describe(e)}") from None
    finally:   # the plan's model keeps the target's values: another apply starts from them
        for v, value in originals:
            v.assign(value)


# -- files ---------------------------------------------------------------------------

__all__ = ["plan_restore", "apply_restore", "RestorePlan", "RestoreResult", "PlanRow", "normalise",
           "map_name", "STATUSES"]
