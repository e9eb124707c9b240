"""Unfreeze: turn a frozen graph back into a trainable TF1 checkpoint.

``unfreeze(graph, outdir)`` writes ``outdir/model.ckpt.{meta,index,data-00000-of-00001}``
and ``outdir/checkpoint``, which the TF1 way of resuming training loads::

    saver = tf.compat.v1.train.import_meta_graph("outdir/model.ckpt.meta")
    saver.restore(sess, "outdir/model.ckpt")
    tf.compat.v1.trainable_variables()      # the weights, by their own names

How the graph is rebuilt, weight by weight (rules in docs/weights.md):

* ``tf1-read`` (Const ``X`` read by the Identity ``X/read``): the Const becomes the
  variable ``X`` (a ``VariableV2``); ``X/read`` stays and now reads it, so nothing
  else in the graph changes.
* ``tf2-resource`` (``…/ReadVariableOp/resource``): the variable is named after the
  weight's ``var_name`` (``conv1_bn/gamma``), and every former reader of the Const
  reads ``conv1_bn/gamma/read`` instead.
* ``folded``: the variable takes the Const's name; its readers read ``X/read``.
  A Const that lived inside a TF1 while loop (a control input from the loop's
  pivot) is read through ``Enter`` ops, the way TF1 feeds any outside value into a
  loop.

Each variable gets a zeros initializer (``X/Initializer/zeros`` + ``X/Assign``), as
``get_variable`` makes; its value comes from the checkpoint. BatchNorm moving
statistics are variables outside ``TRAINABLE_VARIABLES``. Weights that are not
selected, and every other constant, stay constants. TF1 while loops lose their
Python-side description (``WhileContextDef``) when frozen; it is rebuilt from the
graph so that ``tf.gradients`` works through the loops again.

Only the small part of the GraphDef is parsed by TensorFlow: the big Consts being
replaced are skipped in the file's bytes, and their values go from pbscope's
arrays (views of the file) into the variables a few MB at a time, each weight's
pages released once copied. The output is built in a temporary folder beside
``outdir`` and renamed into place at the end: an error or Cancel leaves nothing.

TensorFlow is imported inside ``unfreeze`` only: ``import core.unfreeze`` is cheap.
"""
from __future__ import annotations

import logging
import mmap
import os
import time
from collections import deque
from dataclasses import dataclass, field

from .atomic import output_folder
from .errors import PbscopeError, first_line
from .model import Graph, Weight, op_name
from .progress import NO_PROGRESS, Progress
from .tfimport import import_tensorflow, quiet

log = logging.getLogger(__name__)

CKPT = "model.ckpt"
# dtypes a VariableV2 can hold and an optimizer can update
TRAINABLE_DTYPES = ("float16", "bfloat16", "float32", "float64", "complex64", "complex128")
BATCH_BYTES = 32 << 20          # values fed into the variables per Session.run
_GRAPHDEF_KINDS = ("graphdef", "graphdef-text")


@dataclass
class UnfreezeReport:
    outdir: str
    checkpoint: str             # the prefix: outdir/model.ckpt
    variables: list[str]        # variable names, in graph order
    trainable: int
    non_trainable: int
    seconds: float
    skipped: list[str] = field(default_factory=list)   # selected weights kept constant, with why
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"outdir": self.outdir, "checkpoint": self.checkpoint,
                "variables": list(self.variables), "trainable": self.trainable,
                "non_trainable": self.non_trainable, "seconds": round(self.seconds, 4)}

    def summary(self) -> str:
        n = len(self.variables)
        line = (f"unfroze {n} weight{'s' if n != 1 else ''} into variables ({self.trainable} trainable, "
                f"{self.non_trainable} not trainable) in {self.checkpoint} in {self.seconds:.2f} s")
        extra = []
        if self.skipped:
            extra.append(f"kept {len(self.skipped)} as constants: " + _clip("; ".join(self.skipped)))
        extra += self.notes
        return line + ("\n" + "; ".join(extra) if extra else "")


def _clip(s: str, n: int = 300) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


@dataclass
class _Var:
    """One weight becoming a variable: where it was and what the new nodes are called."""
    weight: Weight
    const: str                  # the Const being replaced
    name: str                   # the variable (VariableV2) op
    read: str = ""              # its snapshot Identity
    init: str = ""              # zeros Const
    assign: str = ""            # Assign(var, zeros): the initializer
    trainable: bool = True


# ==============================================================================
# the entry point
# ==============================================================================

def unfreeze(graph: Graph, outdir: str | os.PathLike, weights: list[Weight] | None = None,
             force: bool = False, progress: Progress = NO_PROGRESS) -> UnfreezeReport:
    """Write a TF1 checkpoint folder in which ``weights`` (default: all of the graph's)
    are variables. Raises PbscopeError with one line on any problem; leaves no
    partial ``outdir`` behind."""
    t0 = time.perf_counter()
    outdir = os.fspath(outdir)
    out_abs = os.path.abspath(outdir)
    src = graph.path
    progress.path = progress.path or outdir
    kind = _check_source(graph)
    plan, skipped = _plan(graph, weights)
    _check_outdir(out_abs, outdir, src, force)
    log.info("unfreeze %s (%s): %d weights become variables, %d skipped", src, kind, len(plan), len(skipped))

    progress.report(0.0, "importing TensorFlow")
    tf = import_tensorflow("unfreeze")
    log.debug("TensorFlow imported after %.2f s", time.perf_counter() - t0)
    progress.report(0.05, "reading the graph")
    drop = {v.const for v in plan}
    gd = _read_graph_def(tf, graph, kind, drop)
    progress.report(0.1, "making variables")
    names = _name_nodes(gd, plan, src)
    _rewrite(tf, gd, plan, names, src)
    _check_ops(tf, gd, src)
    log.debug("graph rewritten after %.2f s: %d nodes", time.perf_counter() - t0, len(gd.node))

    with output_folder(outdir, force) as tmp:
        notes = _build_and_save(tf, gd, plan, tmp, src, progress)
        progress.report(0.97, "syncing to disk")
    progress.report(1.0, "done")
    trainable = sum(1 for v in plan if v.trainable)
    log.info("unfreeze wrote %s in %.2f s", outdir, time.perf_counter() - t0)
    return UnfreezeReport(outdir=outdir, checkpoint=os.path.join(outdir, CKPT),
                          variables=[v.name for v in plan], trainable=trainable,
                          non_trainable=len(plan) - trainable, seconds=time.perf_counter() - t0,
                          skipped=skipped, notes=notes)


# ==============================================================================
# checks, before TensorFlow is imported
# ==============================================================================

def _check_source(graph: Graph) -> str:
    from .formats import detect
    kind = detect(graph.path)
    if kind.name not in _GRAPHDEF_KINDS:
        held = ("; its weights are variables already" if kind.name.startswith(
            ("metagraph", "savedmodel", "checkpoint")) else "")
        raise PbscopeError(graph.path, f"unfreeze needs a frozen GraphDef (.pb or .pbtxt); "
                                       f"this is {kind.label}{held}")
    return kind.name


def _plan(graph: Graph, weights: list[Weight] | None) -> tuple[list[_Var], list[str]]:
    """The weights that become variables, and why the others stay constants."""
    src = graph.path
    unfrozen = [w for w in graph.weights if w.rule == "variable"]
    if unfrozen:
        names = ", ".join(w.name for w in unfrozen[:3]) + (", …" if len(unfrozen) > 3 else "")
        raise PbscopeError(src, f"the graph is not frozen: {len(unfrozen)} of its weights are variables "
                                f"whose values are not in this file ({names}); unfreeze needs a frozen graph")
    chosen = graph.weights if weights is None else list(weights)
    plan: list[_Var] = []
    skipped: list[str] = []
    seen: set[str] = set()
    for w in chosen:
        if w.graph is not graph:     # the same weight of another opening of the file is fine
            w = graph.weight_of(w.name) if w.graph.path == graph.path else None
        if w is None or graph.weight_of(w.name) is not w:
            raise PbscopeError(src, f"{getattr(w, 'name', '?')}: not a weight of this graph")
        if w.name in seen:
            continue
        seen.add(w.name)
        if w.error:
            skipped.append(f"{w.name} ({w.error})")
        elif w.op is None or w.op.type != "Const":
            skipped.append(f"{w.name} (not a constant)")
        elif w.op.index >= len(graph.ops) or graph.ops[w.op.index] is not w.op:
            skipped.append(f"{w.name} (inside a function of the graph's library)")
        elif w.dtype is None or w.dtype_name not in TRAINABLE_DTYPES or w.dtype.quantized:
            skipped.append(f"{w.name} ({w.dtype_name}: not a float type a variable can train)")
        else:
            name = w.var_name if w.rule == "tf2-resource" else w.name
            plan.append(_Var(w, w.name, name, trainable=w.trainable))
    if not plan:
        if not graph.weights:
            why = "the graph has no weights"
        elif not chosen:
            why = "no weights were selected"
        else:
            kinds = ", ".join(sorted({w.dtype_name for w in chosen}))
            why = (f"the selected weight is {kinds}" if len(chosen) == 1
                   else f"the {len(chosen)} selected weights are {kinds}")
        raise PbscopeError(src, f"no float weights to make trainable: {why}")
    names: dict[str, Weight] = {}
    for v in plan:
        other = names.setdefault(v.name, v.weight)
        if other is not v.weight:
            raise PbscopeError(src, f"two weights would become the variable {v.name!r}: "
                                    f"{other.name} and {v.weight.name}")
    plan.sort(key=lambda v: v.weight.op.index)
    return plan, skipped


def _check_outdir(out_abs: str, outdir: str, src: str, force: bool) -> None:
    if os.path.lexists(out_abs):
        if not force:
            raise PbscopeError(outdir, "already exists; use --force to replace it")
        src_abs = os.path.realpath(src)
        real = os.path.realpath(out_abs)
        if src_abs == real or src_abs.startswith(real.rstrip(os.sep) + os.sep):
            raise PbscopeError(outdir, "holds the model being unfrozen; choose another folder")
    parent = os.path.dirname(out_abs)
    if not os.path.isdir(parent):
        raise PbscopeError(outdir, f"the folder {parent} does not exist")


# ==============================================================================
# TensorFlow
# ==============================================================================

def _read_graph_def(tf, graph: Graph, kind: str, drop: set[str]):
    """The file's GraphDef as TensorFlow's message, without the Consts in ``drop``.

    A binary file is walked record by record and only the other records are handed
    to protobuf, so the big tensors being replaced are never parsed or copied."""
    path = graph.path
    gd = tf.compat.v1.GraphDef()
    if kind == "graphdef-text":
        from google.protobuf import text_format
        try:
            with open(path, "rb") as f:
                text_format.Parse(f.read().decode("utf-8"), gd)
        except (OSError, UnicodeDecodeError, text_format.ParseError) as e:
            raise PbscopeError(path, f"cannot read it again: {' '.join(str(e).split())}") from None
        kept = [n for n in gd.node if n.name not in drop]
        if len(gd.node) - len(kept) != len(drop):
            raise PbscopeError(path, "the file changed since it was opened")
        del gd.node[:]
        gd.node.extend(kept)
        return gd
    from .proto.wire import LEN, WireError, first_field, iter_fields
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            buf = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
    except OSError as e:
        raise PbscopeError(path, f"cannot read it: {e.strerror or e}") from None
    try:
        parts, run, k, dropped = [], 0, 0, 0
        ops = graph.ops
        for fnum, wire, s, e, start in iter_fields(buf, 0, len(buf)):
            if fnum != 1 or wire != LEN:
                continue
            if k >= len(ops):
                raise PbscopeError(path, "the file changed since it was opened")
            op = ops[k]
            k += 1
            if op.name in drop:
                span = first_field(buf, s, e, 1)
                if span is None or bytes(buf[span[0]:span[1]]) != op.name.encode("utf-8"):
                    raise PbscopeError(path, "the file changed since it was opened")
                parts.append(buf[run:start])
                run = e
                dropped += 1
        parts.append(buf[run:len(buf)])
        if k != len(ops) or dropped != len(drop):
            raise PbscopeError(path, "the file changed since it was opened")
        data = b"".join(parts)
        del parts
    except WireError:
        raise PbscopeError(path, "the file changed since it was opened (it no longer parses)") from None
    finally:
        if isinstance(buf, mmap.mmap):
            buf.close()
    try:
        gd.ParseFromString(data)
    except Exception as e:  # google.protobuf.message.DecodeError
        raise PbscopeError(path, f"TensorFlow cannot parse the graph: {e}") from None
    return gd


class _Names:
    """The graph's op names, and fresh ones that clash with none of them."""

    def __init__(self, gd):
        self.taken = {n.name for n in gd.node}

    def __contains__(self, name: str) -> bool:
        return name in self.taken

    def add(self, name: str) -> None:
        self.taken.add(name)

    def unique(self, base: str) -> str:
        name, i = base, 1
        while name in self.taken:
            name = f"{base}_{i}"
            i += 1
        self.taken.add(name)
        return name


def _name_nodes(gd, plan: list[_Var], src: str) -> _Names:
    """Names for each variable's nodes; none may clash with the graph's own."""
    taken = _Names(gd)
    unique = taken.unique

    for v in plan:
        if v.name in taken:
            raise PbscopeError(src, f"cannot name a variable {v.name!r} (for {v.const}): "
                                    f"the graph already has an op of that name")
        taken.add(v.name)
    for v in plan:
        if v.weight.rule == "tf1-read":
            v.read = v.name + "/read"      # the Identity already in the graph
        else:
            v.read = unique(v.name + "/read")
        v.init = unique(v.name + "/Initializer/zeros")
        v.assign = unique(v.name + "/Assign")
    return taken


def _rewrite(tf, gd, plan: list[_Var], names: _Names, src: str) -> None:
    """Add each variable's nodes and point the Consts' readers at them."""
    by_name = {n.name: n for n in gd.node}
    frames = _ConstFrames(by_name)
    new = tf.compat.v1.GraphDef()      # the new nodes, added after the readers are rewired
    data_map: dict[str, str] = {}      # former Const → the tensor its readers now read
    loc_map: dict[bytes, bytes] = {}   # colocation "loc:@C" → "loc:@V"
    for v in plan:
        w = v.weight
        dt = w.dtype.number
        device = w.op.device
        loc = f"loc:@{v.name}".encode()
        var = _add(new, v.name, "VariableV2", device=device)
        var.attr["dtype"].type = dt
        _set_shape(var.attr["shape"].shape, w.shape)
        var.attr["container"].s = b""
        var.attr["shared_name"].s = b""
        zeros = _add(new, v.init, "Const", device=device)
        zeros.attr["dtype"].type = dt
        t = zeros.attr["value"].tensor
        t.dtype = dt
        _set_shape(t.tensor_shape, w.shape)
        getattr(t, w.dtype.field).extend([0] * (2 if w.dtype.np.kind == "c" else 1))
        zeros.attr["_class"].list.s.append(loc)
        assign = _add(new, v.assign, "Assign", [v.name, v.init], device=device)
        assign.attr["T"].type = dt
        assign.attr["validate_shape"].b = True
        assign.attr["use_locking"].b = True
        assign.attr["_class"].list.s.append(loc)
        controls = list(w.op.control_inputs)
        if w.rule == "tf1-read":
            # readers read X and X/read, which now name the variable; a control input
            # the Const had (freezing never adds one) moves to X/read
            if controls:
                if frames.of(controls, src, v.const):
                    raise PbscopeError(src, f"{v.const}: a weight read through {v.read} inside a "
                                            f"while loop; keep it constant (--exclude {v.const})")
                by_name[v.read].input.extend("^" + c for c in controls)
            continue
        read = _add(new, v.read, "Identity", [v.name], device=device)
        read.attr["T"].type = dt
        read.attr["_class"].list.s.append(loc)
        chain = frames.of(controls, src, v.const) if controls else []
        source = v.read
        if chain:
            # A Const inside a while loop: bring the value in through Enter ops, one per frame.
            for frame, parallel in chain:
                enter = _add(new, names.unique(v.read + "/Enter"), "Enter", [source], device=device)
                enter.attr["T"].type = dt
                enter.attr["frame_name"].s = frame
                enter.attr["is_constant"].b = True
                enter.attr["parallel_iterations"].i = parallel
                source = enter.name
        else:
            read.input.extend("^" + c for c in controls)
        data_map[v.const] = source
        if v.const != v.name:
            loc_map[f"loc:@{v.const}".encode()] = loc
    for node in gd.node if data_map else ():
        changed = False
        ins = list(node.input)
        for i, inp in enumerate(ins):
            if inp.startswith("^"):
                to = data_map.get(inp[1:])
                if to is not None:
                    ins[i], changed = "^" + to, True
            else:
                name, _, port = inp.partition(":")
                if port in ("", "0") and name in data_map:
                    ins[i], changed = data_map[name], True
        if changed:
            del node.input[:]
            node.input.extend(ins)
        if loc_map and "_class" in node.attr:
            locs = node.attr["_class"].list.s
            if any(s in loc_map for s in locs):
                new_locs = [loc_map.get(s, s) for s in locs]
                del locs[:]
                locs.extend(new_locs)
    gd.node.extend(new.node)


def _add(gd, name: str, op: str, inputs=(), device: str = ""):
    n = gd.node.add()
    n.name = name
    n.op = op
    n.input.extend(inputs)
    if device:
        n.device = device
    return n


def _set_shape(shape_proto, shape) -> None:
    shape_proto.SetInParent()          # a scalar's shape has no dims, but must be set
    for d in shape:
        shape_proto.dim.add().size = int(d)


class _ConstFrames:
    """Which TF1 while-loop frames a Const with control inputs lives in, outermost first.

    Walks back from the control input: an ``Enter`` reached at depth 0 names the frame
    (and the frames around it are those of the Enter's input); an ``Exit`` leads into an
    inner loop (depth + 1), whose ``Enter`` leads back out (depth − 1)."""

    def __init__(self, by_name: dict):
        self.by_name = by_name
        self.cache: dict[str, list[tuple[bytes, int]]] = {}

    def of(self, controls: list[str], src: str, const: str) -> list[tuple[bytes, int]]:
        chains = {tuple(self._chain(c)) for c in controls}
        if len(chains) > 1:
            raise PbscopeError(src, f"{const}: its control inputs lie in different while loops")
        return list(chains.pop())

    def _chain(self, start: str) -> list[tuple[bytes, int]]:
        if start in self.cache:
            return self.cache[start]
        self.cache[start] = []               # a cycle back to here: root, until found otherwise
        seen: set[tuple[str, int]] = set()
        todo = deque([(start, 0)])
        found: list[tuple[bytes, int]] = []
        while todo:
            name, depth = todo.popleft()
            if (name, depth) in seen:
                continue
            seen.add((name, depth))
            node = self.by_name.get(name)
            if node is None:
                continue
            inner = depth
            if node.op in ("Enter", "RefEnter"):
                if depth == 0:
                    frame = (node.attr["frame_name"].s, node.attr["parallel_iterations"].i or 10)
                    outer = self._chain(op_name(node.input[0])) if node.input else []
                    found = outer + [frame]
                    break
                inner = depth - 1
            elif node.op in ("Exit", "RefExit"):
                inner = depth + 1
            for inp in node.input:
                todo.append((op_name(inp), inner))
        self.cache[start] = found
        return found


def _check_ops(tf, gd, src: str) -> None:
    """Every op type is one stock TensorFlow knows, or a function of the graph's library."""
    try:
        from tensorflow.python.framework import op_def_registry
    except ImportError:      # a TensorFlow without it: import_graph_def names the first one
        return
    functions = {f.signature.name for f in gd.library.function}
    unknown = sorted({n.op for n in gd.node if n.op not in functions and op_def_registry.get(n.op) is None})
    if unknown:
        raise PbscopeError(src, "uses ops stock TensorFlow does not know: " + _clip(", ".join(unknown), 200)
                                + " (custom ops: load their library into TensorFlow first)")


def _build_and_save(tf, gd, plan: list[_Var], folder: str, src: str, progress: Progress) -> list[str]:
    """Import the rewritten graph, make Variables of the new nodes, fill them, save."""
    v1 = tf.compat.v1
    from tensorflow.core.framework import variable_pb2
    notes: list[str] = []
    g = tf.Graph()
    with g.as_default(), quiet(tf):
        progress.report(0.15, "importing the graph into TensorFlow")
        try:
            tf.import_graph_def(gd, name="")
        except (ValueError, TypeError, tf.errors.OpError) as e:
            raise PbscopeError(src, "TensorFlow cannot import the graph: " + first_line(e)) from None
        del gd
        variables = []
        for v in plan:
            d = variable_pb2.VariableDef()
            d.variable_name = v.name + ":0"
            d.initial_value_name = v.init + ":0"
            d.initializer_name = v.assign
            d.snapshot_name = v.read + ":0"
            d.trainable = v.trainable
            var = v1.Variable.from_proto(d)
            g.add_to_collection(v1.GraphKeys.GLOBAL_VARIABLES, var)
            if v.trainable:
                g.add_to_collection(v1.GraphKeys.TRAINABLE_VARIABLES, var)
            variables.append(var)
        notes += _restore_while_contexts(tf, g)
        saver = v1.train.Saver(var_list=variables, max_to_keep=1, save_relative_paths=True,
                               write_version=v1.train.SaverDef.V2, sharded=False)
        config = v1.ConfigProto(allow_soft_placement=True)
        with v1.Session(graph=g, config=config) as sess:
            _fill(sess, plan, variables, src, progress)
            progress.report(0.9, "writing the checkpoint")
            try:
                saver.save(sess, os.path.join(folder, CKPT), write_meta_graph=True, write_state=True)
            except tf.errors.OpError as e:
                raise PbscopeError(folder, "cannot write the checkpoint: " + first_line(e)) from None
    return notes


def _fill(sess, plan: list[_Var], variables, src: str, progress: Progress) -> None:
    """Set each variable to its weight's value, a few MB per Session.run, releasing
    the file's pages of each weight once TensorFlow has its copy."""
    total = max(1, sum(v.weight.nbytes for v in plan))
    progress.report(0.2, "setting variables")
    done = 0
    batch: list[int] = []
    size = 0

    def flush():
        nonlocal done
        feed, inits = {}, []
        for i in batch:
            w = plan[i].weight
            try:
                a = w.array()
            except PbscopeError as e:
                raise PbscopeError(src, e.cause) from None
            feed[variables[i].initial_value] = a
            inits.append(variables[i].initializer)
        try:
            sess.run(inits, feed_dict=feed)
        except Exception as e:  # tf.errors.OpError, ValueError (shape), TypeError (dtype)
            raise PbscopeError(src, "TensorFlow could not set the variables: " + first_line(e)) from None
        del feed
        for i in batch:
            w = plan[i].weight
            release = getattr(w.graph, "release", None)
            if release is not None:
                release(w)
            done += w.nbytes
        batch.clear()
        progress.report(0.2 + 0.7 * done / total, f"setting variables: {plan[i].name}")

    for i, v in enumerate(plan):
        batch.append(i)
        size += v.weight.nbytes
        if size >= BATCH_BYTES:
            flush()
            size = 0
    if batch:
        flush()


# ==============================================================================
# TF1 while loops: rebuild the WhileContextDefs freezing dropped
# ==============================================================================

def _restore_while_contexts(tf, g) -> list[str]:
    """Give the graph's v1 while loops their Python contexts back (``while_context``
    collection), so that ``tf.gradients`` can differentiate through them."""
    ops_ = g.get_operations()
    if not any(op.type in ("Enter", "RefEnter") for op in ops_):
        return []
    try:
        frames = _frames(ops_)
    except _NoContext as e:
        return [f"gradients through while loops are not available: {e}"]
    try:
        from tensorflow.core.protobuf import control_flow_pb2
        from tensorflow.python.ops import control_flow_ops
    except ImportError as e:
        return [f"gradients through while loops are not available: {e}"]
    defs: dict[str, object] = {}
    notes: list[str] = []
    for name, fr in frames.items():
        try:
            defs[name] = _while_context_def(control_flow_pb2, name, fr)
        except _NoContext as e:
            notes.append(f"gradients through the loop {name} are not available: {e}")
    # nest inner loops in their outer loop's def
    tops = []
    for name, fr in frames.items():
        if name not in defs:
            continue
        parent = fr.parent
        if parent is None:
            tops.append(name)
        elif parent in defs:
            continue
        else:
            notes.append(f"gradients through the loop {name} are not available: its outer loop has none")
    for name in _inner_first(frames, defs):
        parent = frames[name].parent
        if parent is not None and parent in defs:
            defs[parent].nested_contexts.add().while_ctxt.CopyFrom(defs[name])
    for name in tops:
        try:
            ctx = control_flow_ops.WhileContext.from_proto(defs[name])
        except Exception as e:  # a def TF does not accept: leave that loop without
            notes.append(f"gradients through the loop {name} are not available: {first_line(e)}")
            continue
        g.add_to_collection(tf.compat.v1.GraphKeys.WHILE_CONTEXT, ctx)
    return notes


class _NoContext(Exception):
    pass


@dataclass
class _Frame:
    name: str
    parent: str | None
    ops: list = field(default_factory=list)
    enters: list = field(default_factory=list)


def _frames(ops_) -> dict[str, _Frame]:
    """Each op's while frame, found as TensorFlow's executor does: Enter ops open the
    frame their ``frame_name`` names, Exit ops return to the parent frame."""
    frame_of: dict[object, str | None] = {}
    frames: dict[str, _Frame] = {}
    consumers: dict[object, list] = {}
    for op in ops_:
        for t in op.inputs:
            consumers.setdefault(t.op, []).append(op)
        for c in op.control_inputs:
            consumers.setdefault(c, []).append(op)

    def out_frame(op):
        f = frame_of[op]
        if op.type in ("Exit", "RefExit"):
            return frames[f].parent if f is not None else None
        return f

    todo = deque(op for op in ops_ if not op.inputs and not op.control_inputs)
    for op in todo:
        frame_of[op] = None
    while todo:
        op = todo.popleft()
        out = out_frame(op)
        for c in consumers.get(op, ()):
            if c in frame_of:
                continue
            if c.type in ("Enter", "RefEnter"):
                name = c.get_attr("frame_name").decode()
                fr = frames.get(name)
                if fr is None:
                    fr = frames[name] = _Frame(name, out)
                frame_of[c] = name
                fr.enters.append(c)
            else:
                frame_of[c] = out
            if frame_of[c] is not None:
                frames[frame_of[c]].ops.append(c)
            todo.append(c)
    return frames


def _inner_first(frames: dict[str, _Frame], defs: dict) -> list[str]:
    def depth(name):
        d, f = 0, frames[name].parent
        while f is not None:
            d, f = d + 1, frames[f].parent
        return d
    return sorted(defs, key=depth, reverse=True)


def _while_context_def(pb, name: str, fr: _Frame):
    """A WhileContextDef as ``tf.while_loop`` would have written it for this frame."""
    loop_enters = [e for e in fr.enters if not e.get_attr("is_constant")]
    const_enters = [e for e in fr.enters if e.get_attr("is_constant")]
    if not loop_enters:
        raise _NoContext("no loop variables")
    merges, switches, exits, bodies = [], [], [], []
    pivot = None
    for enter in loop_enters:
        merge = _only(enter.outputs[0].consumers(), ("Merge", "RefMerge"), enter)
        switch = _only(merge.outputs[0].consumers(), ("Switch", "RefSwitch"), merge)
        cond = switch.inputs[1].op
        if cond.type != "LoopCond" or (pivot is not None and cond is not pivot):
            raise _NoContext(f"{switch.name} is not switched by the loop's LoopCond")
        pivot = cond
        # freezing prunes the Exit of a loop variable nothing reads after the loop
        exit_ = [c for c in switch.outputs[0].consumers() if c.type in ("Exit", "RefExit")]
        if len(exit_) > 1:
            raise _NoContext(f"{switch.name} has {len(exit_)} Exits")
        body = [c for c in switch.outputs[1].consumers() if c.type in ("Identity", "RefIdentity")]
        merges.append(merge)
        switches.append(switch)
        exits.extend(exit_)
        bodies.append(body[0] if body else None)
    if bodies[0] is None:
        raise _NoContext(f"{switches[0].name} has no Identity in the loop body")
    d = pb.WhileContextDef()
    d.context_name = name
    d.parallel_iterations = loop_enters[0].get_attr("parallel_iterations") or 10
    d.back_prop = True
    d.swap_memory = False
    d.pivot_name = pivot.outputs[0].name
    d.pivot_for_pred_name = merges[0].outputs[0].name
    d.pivot_for_body_name = bodies[0].outputs[0].name
    d.loop_exit_names.extend(e.outputs[0].name for e in exits)
    d.loop_enter_names.extend(e.outputs[0].name for e in loop_enters)
    values = set()
    for op in fr.ops:
        values.update(t.name for t in op.outputs)
    for e in const_enters:
        ext = e.inputs[0].name
        values.add(ext)
        d.values_def.external_values[ext] = e.outputs[0].name
    d.values_def.values.extend(sorted(values))
    return d


def _only(consumers, types: tuple[str, ...], after):
    found = [c for c in consumers if c.type in types]
    if len(found) != 1:
        raise _NoContext(f"{after.name} is not followed by one {types[0]}")
    return found[0]
