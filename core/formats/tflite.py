"""TensorFlow Lite flatbuffers (.tflite): subgraphs, operators and constant tensors.

How it reads: the ``flatbuffers`` runtime (pure Python, ~100 KB, also a TensorFlow
dependency) with the accessors flatc generated from TensorFlow's own schema.fbs, trimmed to
the 11 tables and 2 enums read here (tflite_schema/generated.py, 49 KB, remade from the pinned
TensorFlow by one command). Not the ``tflite`` PyPI package: that is the same flatc output,
but 192 modules (480 KB) that its ``__init__`` imports all at once, kept by one person and
three TensorFlow releases behind (2.18 against 2.21). Speed is the generated code's either
way: a field is read from the buffer only when asked, so opening walks the tables below
and never touches tensor data.

What it shows: each subgraph is a scope; its operators are ops named after their first
output tensor and typed with TFLite's builtin names (``CONV_2D``, ``CUSTOM:<code>``); its
inputs are Placeholders (``_Arg`` in a subgraph that ops call, as a WHILE's body); its
constant tensors (those with buffer data) are Consts that feed the operators and are the
weights, viewed in place in the memory-mapped file. docs/weights.md gives the naming rules.

Safety: flatc's Python code verifies nothing. So every table's position and vtable are
checked before its fields are read, every vector's length against the bytes left in the
file before anything loops over it, and all buffer data (inside the flatbuffer, or past it
at Buffer.offset/size as models over 2 GB store it) against the file size. Whatever else
the runtime trips on (struct.error, TypeError for an offset out of range) is one line.
"""
from __future__ import annotations

import math
import mmap
import re
import struct

import numpy as np

from .. import proto
from ..errors import PbscopeError
from ..model import Graph, Layout, Op, Quantization, Weight, dtype_label
from ..progress import NO_PROGRESS, Progress
from ..tensors import TensorError, dtype_of
from .graphdef import _release
from .sniff import Kind
from .tflite_schema import BuiltinOperator, Model

KINDS = ("tflite",)
FORMAT = "TensorFlow Lite"

# TFLite's TensorType → TensorFlow's DataType number (core.tensors.DTYPES)
_TF_DTYPE = {0: 1, 1: 19, 2: 3, 3: 4, 4: 9, 5: 7, 6: 10, 7: 5, 8: 8, 9: 6, 10: 2, 11: 18, 12: 23,
             13: 20, 14: 21, 15: 22, 16: 17, 17: 29, 18: 14, 19: 31, 20: 30}
_FLOAT16, _STRING = 1, 5
_PACKED_BITS = {17: 4, 19: 2, 20: 4}    # INT4, INT2, UINT4: several values to a byte, low bits first
_BUILTINS = {v: k for k, v in vars(BuiltinOperator).items() if not k.startswith("_")}
# (operator, input slot) → what a constant there is
_ROLES = {("CONV_2D", 1): "kernel", ("CONV_2D", 2): "bias", ("DEPTHWISE_CONV_2D", 1): "kernel",
          ("DEPTHWISE_CONV_2D", 2): "bias", ("FULLY_CONNECTED", 1): "kernel", ("FULLY_CONNECTED", 2): "bias",
          ("CONV_3D", 1): "kernel", ("CONV_3D", 2): "bias", ("TRANSPOSE_CONV", 1): "kernel",
          ("TRANSPOSE_CONV", 3): "bias", ("BATCH_MATMUL", 1): "kernel", ("EMBEDDING_LOOKUP", 1): "embeddings",
          ("PRELU", 1): "alpha"}
# the operators whose kernels and biases are named after their Keras layer (docs/weights.md)
_KERAS_OPS = ("FULLY_CONNECTED", "CONV_2D", "DEPTHWISE_CONV_2D")
# the TF ops a Keras layer reads its variables with: a tensor's name before them is the layer
_TF_READS = frozenset(("MatMul", "Tensordot", "BiasAdd", "Conv2D", "convolution", "depthwise", "ReadVariableOp"))
_TRACE_SUFFIX = re.compile(r"_\d+$")   # as in core/weights.py's TF2 rule
_BUFFER_DATA = 4        # the vtable slot of Buffer.data (its first field)
_SOFFSET = struct.Struct("<i")
_VTABLE = struct.Struct("<HH")   # vtable size, table size
_TAIL_NUMBER = re.compile(r":\d+$")


def open_graph(kind: Kind, progress: Progress = NO_PROGRESS) -> Graph:
    path = kind.path
    progress.report(0.0, "reading")
    buf = map_file(path)
    graph = Graph(path, FORMAT)
    reader = _Reader(path, buf, graph, progress)
    try:
        weights = reader.run()
    except (struct.error, TypeError, ValueError, IndexError, OverflowError) as e:
        raise PbscopeError(path, f"corrupt TFLite file: {_why(e, len(buf))}") from None
    graph.value_loader = reader.load
    graph.node_parser = reader.node
    graph.file_span = reader.span
    graph.page_release = reader.release
    graph.finish(lambda g: weights)
    progress.report(1.0, "done")
    return graph


def map_file(path: str) -> mmap.mmap:
    """The file, memory-mapped whatever its size: opening reads only the tables' pages."""
    try:
        with open(path, "rb") as f:
            return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError) as e:   # ValueError: an empty file
        raise PbscopeError(path, f"cannot read it: {getattr(e, 'strerror', None) or e}") from None


def _why(e: Exception, size: int) -> str:
    if isinstance(e, struct.error):
        return f"a field lies past the end of the file ({size:,} bytes); is it truncated?"
    if isinstance(e, TypeError):
        return "an offset points outside the file"
    return str(e)


def _text(b: bytes | None) -> str:
    return b.decode("utf-8", "replace") if b else ""


def clean_name(name: str) -> str:
    """A tensor's name as an op name: a fused op's tensor lists every TF op it replaces,
    joined by ';' (the first names it); a ':0' suffix would read as an output slot."""
    name = _TAIL_NUMBER.sub("", name.split(";", 1)[0]).strip("/")
    return name.lstrip("^")


class _Sub:
    """One subgraph as the reader keeps it: tensor tables and names, and each tensor's
    producer as an input string (``op`` or ``op:1``)."""
    __slots__ = ("tensors", "names", "refs")

    def __init__(self, tensors: list, names: list[str]):
        self.tensors, self.names = tensors, names
        self.refs: dict[int, str] = {}


class _Reader:
    def __init__(self, path: str, buf, graph: Graph, progress: Progress):
        self.path, self.buf, self.graph, self.progress = path, buf, graph, progress
        self.size = len(buf)
        self.taken: set[str] = set()
        self.model = None
        self.opcodes: list[str] = []
        self.n_buffers = 0
        # op index → (subgraph, input tensors, output tensors); outputs None for a tensor's own op
        self.info: dict[int, tuple[_Sub, tuple[int, ...], tuple[int, ...] | None]] = {}
        # op index → (start, length, TFLite type, shape) of a Const's values
        self.consts: dict[int, tuple[int, int, int, tuple[int, ...]]] = {}
        self.data_spans: dict[int, tuple[int, int] | None] = {}     # buffer index → (start, length)
        self.weights: list[Weight] = []
        # kernels and biases of Keras layers' operators: (weight, operator, input slot, the
        # layer scope its own name gives)
        self.keras: list[tuple[Weight, tuple[int, int], int, list[str] | None]] = []

    # -- checks ----------------------------------------------------------------------
    def corrupt(self, what: str) -> PbscopeError:
        return PbscopeError(self.path, f"corrupt TFLite file: {what}")

    def table(self, obj, what: str):
        """``obj`` once its table and vtable are known to lie inside the file."""
        pos, size = obj._tab.Pos, self.size
        if pos + 4 > size:
            raise self.corrupt(f"{what} at byte {pos:,} lies past the end of the file ({size:,} bytes)")
        vt = pos - _SOFFSET.unpack_from(self.buf, pos)[0]
        if not 0 <= vt <= size - 4:
            raise self.corrupt(f"{what}: its vtable points outside the file (byte {vt:,} of {size:,})")
        vt_size, table_size = _VTABLE.unpack_from(self.buf, vt)
        if vt_size < 4 or vt + vt_size > size or pos + table_size > size:
            raise self.corrupt(f"{what}: its vtable or fields run past the end of the file")
        return obj

    def count(self, n: int, obj, what: str) -> int:
        """A vector length, once its entries (4 bytes each at least) fit in the file."""
        if n * 4 > self.size - obj._tab.Pos:
            raise self.corrupt(f"{n:,} {what} claimed, more than the file can hold")
        return n

    def indices(self, arr, n: int, what: str) -> tuple[int, ...]:
        """A vector of tensor indices (-1: an optional input left out), each checked."""
        if isinstance(arr, int):   # the generated code gives 0 when absent
            return ()
        found = tuple(arr.tolist())
        if found and (min(found) < -1 or max(found) >= n):
            raise self.corrupt(f"{what} refers to a tensor that does not exist (there are {n:,})")
        return found

    # -- the walk --------------------------------------------------------------------
    def run(self) -> list[Weight]:
        if self.size < 8:
            raise self.corrupt(f"{self.size} bytes is too short for a flatbuffer")
        self.model = model = self.table(Model.GetRootAs(self.buf, 0), "the model table")
        self.opcodes = [self.opcode(i) for i in range(self.count(model.OperatorCodesLength(), model,
                                                                  "operator codes"))]
        self.n_buffers = self.count(model.BuffersLength(), model, "buffers")
        n_sub = self.count(model.SubgraphsLength(), model, "subgraphs")
        signatures = [self.table(model.SignatureDefs(i), f"signature {i}")
                      for i in range(self.count(model.SignatureDefsLength(), model, "signatures"))]
        entries = {0} | {sig.SubgraphIndex() for sig in signatures}   # the others are called by ops
        subs = []
        for s in range(n_sub):
            subs.append(self.subgraph(s, "Placeholder" if s in entries else "_Arg"))
            self.progress.report(0.9 * (s + 1) / n_sub, "reading")
        self.describe(model, subs, signatures)
        self.name_after_keras()
        self.release_all()
        return self.weights

    def release_all(self) -> None:
        """Drop the pages the walk touched from our RSS (the page cache keeps them). Reading
        a buffer's length maps the page before its data, and with the large folios of recent
        kernels that maps up to megabytes of the data with it."""
        _release(self.buf, 0, self.size)

    def opcode(self, i: int) -> str:
        oc = self.table(self.model.OperatorCodes(i), f"operator code {i}")
        code = max(oc.BuiltinCode(), oc.DeprecatedBuiltinCode())
        name = _BUILTINS.get(code, f"BUILTIN_{code}")
        return f"CUSTOM:{_text(oc.CustomCode())}" if name == "CUSTOM" else name

    def subgraph(self, s: int, input_type: str) -> _Sub:
        sg = self.table(self.model.Subgraphs(s), f"subgraph {s}")
        what = f"subgraph {s}"
        scope = self.unique(clean_name(_text(sg.Name())) or f"subgraph_{s}")
        n_t = self.count(sg.TensorsLength(), sg, f"tensors in {what}")
        tensors = [self.table(sg.Tensors(i), f"tensor {i} of {what}") for i in range(n_t)]
        sub = _Sub(tensors, [_text(t.Name()) for t in tensors])

        operators = []      # (type, inputs, outputs)
        produced: dict[int, tuple[int, int]] = {}     # tensor → (operator, output slot)
        first_use: dict[int, tuple[int, int]] = {}    # tensor → (operator, input slot)
        uses: dict[int, int] = {}                       # tensor → how many operator inputs read it
        for k in range(self.count(sg.OperatorsLength(), sg, f"operators in {what}")):
            o = self.table(sg.Operators(k), f"operator {k} of {what}")
            index = o.OpcodeIndex()
            if index >= len(self.opcodes):
                raise self.corrupt(f"operator {k} of {what} has operator code {index}; there are "
                                   f"{len(self.opcodes)}")
            ins = self.indices(o.InputsAsNumpy(), n_t, f"operator {k} of {what}")
            outs = self.indices(o.OutputsAsNumpy(), n_t, f"operator {k} of {what}")
            for slot, t in enumerate(outs):
                produced.setdefault(t, (k, slot))
            for slot, t in enumerate(ins):
                first_use.setdefault(t, (k, slot))
                uses[t] = uses.get(t, 0) + 1
            operators.append((self.opcodes[index], ins, outs))
        inputs = self.indices(sg.InputsAsNumpy(), n_t, f"the inputs of {what}")

        # Tensors no operator produces, in the order they are first needed: inputs, then
        # operator inputs, then constants nothing reads. They keep their own names; the
        # operators, named after an output, give way to them.
        leaves = dict.fromkeys(t for t in inputs if t not in produced)
        for _, ins, _ in operators:
            leaves.update((t, None) for t in ins if t >= 0 and t not in produced)
        for t in range(n_t):
            if t not in produced and t not in leaves and self.data(tensors[t]) is not None:
                leaves[t] = None
        for t in leaves:
            sub.refs[t] = self.unique(f"{scope}/{clean_name(sub.names[t]) or f'tensor_{t}'}")
        op_names = []
        for k, (_, _, outs) in enumerate(operators):
            base = clean_name(sub.names[outs[0]]) if outs else ""
            name = self.unique(f"{scope}/{base or f'operator_{k}'}")
            op_names.append(name)
            for slot, t in enumerate(outs):
                sub.refs.setdefault(t, name if slot == 0 else f"{name}:{slot}")

        placeholders = set(inputs)
        emitted: set[int] = set()

        def emit_leaf(t: int) -> None:
            emitted.add(t)
            tensor = tensors[t]
            span = None if t in placeholders else self.data(tensor)
            type_ = (input_type if t in placeholders else "Const" if span is not None
                     else "Variable" if tensor.IsVariable() else "Tensor")
            op = self.add_op(sub.refs[t], type_, (), sub, (t,), None)
            if span is not None:
                self.weights.append(self.weight(op, sub, t, span, operators, first_use, uses))

        for t in leaves:
            if t in placeholders:
                emit_leaf(t)
        for k, (type_, ins, outs) in enumerate(operators):
            for t in ins:
                if t >= 0 and t in leaves and t not in emitted:
                    emit_leaf(t)
            self.add_op(op_names[k], type_, tuple(sub.refs[t] for t in ins if t >= 0), sub, ins, outs)
        for t in leaves:
            if t not in emitted:
                emit_leaf(t)
        return sub

    def unique(self, name: str) -> str:
        taken = self.taken
        if name in taken:
            n = 1
            while f"{name}_{n}" in taken:
                n += 1
            name = f"{name}_{n}"
        taken.add(name)
        return name

    def add_op(self, name: str, type_: str, raw_inputs: tuple[str, ...], sub: _Sub,
               ins: tuple[int, ...], outs: tuple[int, ...] | None) -> Op:
        op = Op(self.graph, len(self.graph.ops), name, type_, raw_inputs)
        self.graph.ops.append(op)
        self.info[op.index] = (sub, ins, outs)
        return op

    def data(self, tensor) -> tuple[int, int] | None:
        """(start, length) of a tensor's buffer data in the file; None if it has none."""
        b = tensor.Buffer()
        if b == 0:       # buffer 0 is the empty one, by convention
            return None
        if b not in self.data_spans:
            self.data_spans[b] = self.buffer_span(b)
            if len(self.data_spans) % 64 == 0:
                self.release_all()
        return self.data_spans[b]

    def buffer_span(self, b: int) -> tuple[int, int] | None:
        if b >= self.n_buffers:
            raise self.corrupt(f"a tensor refers to buffer {b:,}; there are {self.n_buffers:,}")
        buffer = self.table(self.model.Buffers(b), f"buffer {b}")
        tab = buffer._tab
        o = tab.Offset(_BUFFER_DATA)
        start, n = (tab.Vector(o), tab.VectorLen(o)) if o else (0, 0)
        if n == 0:   # none inside: past the flatbuffer (models over 2 GB), or none (offset 0 or 1)
            start, n = buffer.Offset(), buffer.Size()
            if start <= 1 or n == 0:
                return None
        if start + n > self.size:
            raise self.corrupt(f"buffer {b:,} claims bytes {start:,} to {start + n:,}, past the end of "
                               f"the file ({self.size:,} bytes)")
        return start, n

    # -- weights ---------------------------------------------------------------------
    def weight(self, op: Op, sub: _Sub, t: int, span: tuple[int, int], operators, first_use, uses) -> Weight:
        tensor = sub.tensors[t]
        ttype = tensor.Type()
        shape_arr = tensor.ShapeAsNumpy()
        shape = () if isinstance(shape_arr, int) else tuple(shape_arr.tolist())
        known = None if any(d < 0 for d in shape) else shape
        err, dtype = None, None
        try:
            dtype = dtype_of(_TF_DTYPE.get(ttype, -1))
        except TensorError:
            err = f"TFLite tensor type {ttype} holds no values pbscope reads"
        use = first_use.get(t)
        behind_dequantize = use is not None and operators[use[0]][0] == "DEQUANTIZE"
        only_use = uses.get(t) == 1
        if use is not None and behind_dequantize and operators[use[0]][2]:
            widened = operators[use[0]][2][0]     # the role is where the dequantized value goes
            use, only_use = first_use.get(widened), only_use and uses.get(widened) == 1
        role = _ROLES.get((operators[use[0]][0], use[1]), "") if use is not None else ""
        quant = None
        if err is None:
            if known is None:
                err = f"the shape {list(shape)} has an unknown dimension"
            elif tensor.Sparsity() is not None:
                err = "stored sparse (compressed); pbscope does not densify it"
            else:
                err = self.size_error(ttype, dtype, shape, span[1])
            if ttype == _FLOAT16 and behind_dequantize:
                quant = Quantization(np.ones(1, np.float32), np.zeros(1, np.int64), None,
                                     "float16; DEQUANTIZE widens it to float32")
                role = f"{role}, float16 behind DEQUANTIZE" if role else "float16 behind DEQUANTIZE"
            elif dtype.np.kind in "iu":
                quant = self.quantization(tensor, shape, dtype.name, behind_dequantize, op.name)
        w = Weight(op, op.name, op.name, dtype, known, self.graph,
                   role=role, rule="tflite", error=err, quant=quant)
        if err is None:
            self.consts[op.index] = (span[0], span[1], ttype, shape)
            if only_use and use is not None and operators[use[0]][0] in _KERAS_OPS:
                self.keras_layer(w, sub, t, operators[use[0]], use)
        return w

    def keras_layer(self, w: Weight, sub: _Sub, t: int, operator, use: tuple[int, int]) -> None:
        """A kernel or bias of a Keras layer's operator: its layout against Keras', and a
        candidate for a Keras name (given in ``name_after_keras``, once every one is known).
        A fused name across layers (``…/bn/FusedBatchNormV3;…/conv/Conv2D``) holds values
        folded from several layers' variables, no one Keras variable's: it gets none."""
        type_, ins, _ = operator
        slot = use[1]
        if slot == 1:
            w.layout = _keras_layout(type_, w.shape, self.channels(sub, ins[0]))
        scope = _layer_scope(sub.names[t])
        if slot in (1, 2) and (scope is not None or ";" not in sub.names[t]):   # fused: within one layer
            self.keras.append((w, (id(sub), use[0]), slot, scope))

    @staticmethod
    def channels(sub: _Sub, t: int) -> int | None:
        """The last dimension of tensor ``t`` (an operator's input), if known."""
        shape = sub.tensors[t].ShapeAsNumpy() if t >= 0 else 0
        return None if isinstance(shape, int) or not shape.size or shape[-1] <= 0 else int(shape[-1])

    def name_after_keras(self) -> None:
        """``dense/kernel``, as Keras names the variable: the layer from the kernel's name (a
        bias, often ``arith.constant``, takes its operator's kernel's), then the TF2 rule of
        docs/weights.md (the model's outer scope and the tracing's ``_1`` dropped). The
        TFLite name is kept as raw_key; names two weights would share stay TFLite's."""
        layers = {op: scope for _, op, slot, scope in self.keras if slot == 1 and scope}
        found = [(w, layers[op]) for w, op, slot, scope in self.keras
                 if op in layers and (slot == 1 or scope is None or scope == layers[op])]
        if not found:
            return
        scopes = [s for _, s in found]
        if len({s[0] for s in scopes}) == 1 and all(len(s) >= 2 for s in scopes):
            scopes = [s[1:] for s in scopes]
        if all(_TRACE_SUFFIX.search(part) for s in scopes for part in s):
            scopes = [[_TRACE_SUFFIX.sub("", part) for part in s] for s in scopes]
        names = ["/".join(s) + "/" + w.role.split(",")[0] for (w, _), s in zip(found, scopes)]
        taken = {w.var_name for w in self.weights}
        count: dict[str, int] = {}
        for n in names:
            count[n] = count.get(n, 0) + 1
        for (w, _), name in zip(found, names):
            if count[name] == 1 and name not in taken:
                w.raw_key, w.var_name = w.var_name, name

    @staticmethod
    def size_error(ttype: int, dtype, shape: tuple[int, ...], n: int) -> str | None:
        if ttype == _STRING:
            return None     # variable length: checked when decoded
        count = math.prod(shape)
        bits = _PACKED_BITS.get(ttype)
        need = -(-count * bits // 8) if bits else count * dtype.np.itemsize
        if n != need:
            return f"its buffer holds {n:,} bytes; {dtype.name} {list(shape)} needs {need:,}"
        return None

    def quantization(self, tensor, shape, dtype_name: str, behind_dequantize: bool, name: str):
        q = tensor.Quantization()
        if q is None:
            return None
        self.table(q, f"the quantization of {name}")
        scale, zero = q.ScaleAsNumpy(), q.ZeroPointAsNumpy()
        if isinstance(scale, int) or not scale.size:
            return None
        n = scale.size
        zero = np.zeros(n, np.int64) if isinstance(zero, int) or not zero.size else zero
        axis = q.QuantizedDimension() if n > 1 else None
        if zero.size not in (1, n) or (axis is not None and not (0 <= axis < len(shape) and shape[axis] == n)):
            self.graph.notes.append(f"{name}: its {n} quantization scales do not fit its shape "
                                    f"{list(shape)}; its values are shown as stored")
            return None
        how = "per tensor" if axis is None else f"per channel along axis {axis}"
        note = f"{dtype_name}, {how}" + ("; DEQUANTIZE widens it to float32" if behind_dequantize else "")
        return Quantization(np.array(scale, np.float32), np.array(zero, np.int64), axis, note)

    # -- values ----------------------------------------------------------------------
    def load(self, w: Weight) -> np.ndarray | None:
        c = self.consts.get(w.op.index) if w.op is not None else None
        if c is None:
            return None
        start, n, ttype, shape = c
        if ttype == _STRING:
            return self.strings(start, n, shape, w.name)
        bits = _PACKED_BITS.get(ttype)
        if bits:
            return _unpack(np.frombuffer(self.buf, np.uint8, n, start), bits, w.dtype.np, w.size,
                           ttype != 20).reshape(shape)
        return np.frombuffer(self.buf, w.dtype.np, w.size, start).reshape(shape)

    def strings(self, start: int, n: int, shape: tuple[int, ...], name: str) -> np.ndarray:
        """TFLite's string layout: count, count + 1 offsets from the buffer's start, bytes."""
        count = math.prod(shape)
        if n < 4 * (count + 2) or int.from_bytes(self.buf[start:start + 4], "little") != count:
            raise PbscopeError(self.path, f"{name}: its string buffer does not hold {count:,} strings")
        offsets = np.frombuffer(self.buf, "<i4", count + 1, start + 4)
        if count and (offsets[0] < 4 * (count + 2) or offsets[-1] > n or np.any(np.diff(offsets) < 0)):
            raise PbscopeError(self.path, f"{name}: its string offsets point outside its buffer")
        out = np.empty(count, dtype=object)
        for i in range(count):
            out[i] = bytes(self.buf[start + offsets[i]:start + offsets[i + 1]])
        return out.reshape(shape)

    def span(self, w: Weight) -> tuple[str, int, int] | None:
        c = self.consts.get(w.op.index) if w.op is not None else None
        if c is None or c[2] == _STRING or c[2] in _PACKED_BITS:
            return None
        return self.path, c[0], c[1]

    def release(self, w: Weight) -> None:
        c = self.consts.get(w.op.index) if w.op is not None else None
        if c is not None:
            _release(self.buf, c[0], c[0] + c[1])

    # -- what the details pane and ``info`` show ------------------------------------
    def node(self, op: Op):
        """A NodeDef describing the op: its TFLite tensors, dtype, shape, quantization."""
        try:
            return self._node(op)
        except (struct.error, TypeError, ValueError, IndexError, OverflowError) as e:
            raise PbscopeError(self.path, f"{op.name}: corrupt TFLite tensor: {_why(e, self.size)}") from None

    def _node(self, op: Op):
        sub, ins, outs = self.info[op.index]
        node = proto.NodeDef(name=op.name, op=op.type)
        if outs is not None:
            node.attr["input_tensors"].list.s.extend(sub.names[t].encode() for t in ins if t >= 0)
            node.attr["output_tensors"].list.s.extend(sub.names[t].encode() for t in outs)
            return node
        tensor = sub.tensors[ins[0]]
        node.attr["tensor"].s = sub.names[ins[0]].encode()
        dt = _TF_DTYPE.get(tensor.Type())
        if dt is not None:
            node.attr["dtype"].type = dt
        sig = tensor.ShapeSignatureAsNumpy()    # -1 where a dimension is dynamic
        dims = tensor.ShapeAsNumpy() if isinstance(sig, int) or not sig.size else sig
        node.attr["shape"].shape.SetInParent()
        for d in ([] if isinstance(dims, int) else dims.tolist()):
            node.attr["shape"].shape.dim.add(size=d)
        q = tensor.Quantization()
        scale = None if q is None else self.table(q, op.name).ScaleAsNumpy()
        if scale is not None and not isinstance(scale, int) and scale.size:
            node.attr["scale"].list.f.extend(scale[:64].tolist())
            zero = q.ZeroPointAsNumpy()
            if not isinstance(zero, int):
                node.attr["zero_point"].list.i.extend(zero[:64].tolist())
            if scale.size > 1:
                node.attr["quantized_dimension"].i = q.QuantizedDimension()
        return node

    def describe(self, model, subs: list[_Sub], signatures: list) -> None:
        """Notes and signatures for ``info`` and the details pane."""
        graph = self.graph
        desc = _text(model.Description())
        graph.notes.insert(0, f"TFLite schema version {model.Version()}, {len(subs)} subgraph(s)"
                              + (f"; {desc}" if desc else ""))
        custom = sorted({c for c in self.opcodes if c.startswith("CUSTOM:")})
        if custom:
            graph.notes.append(f"custom operators (their constants are whatever the op makes of them): "
                               f"{', '.join(c[7:] for c in custom)}")
        for i, sig in enumerate(signatures):
            s = sig.SubgraphIndex()
            if s >= len(subs):
                continue
            graph.signatures[_text(sig.SignatureKey()) or f"signature_{i}"] = {
                "method": "",
                "inputs": self.tensor_map(sig, sig.InputsLength(), sig.Inputs, subs[s]),
                "outputs": self.tensor_map(sig, sig.OutputsLength(), sig.Outputs, subs[s]),
            }

    def tensor_map(self, sig, n: int, get, sub: _Sub) -> dict:
        out = {}
        for j in range(self.count(n, sig, "signature entries")):
            m = self.table(get(j), "a signature entry")
            t = m.TensorIndex()
            if t >= len(sub.tensors):
                continue
            tensor = sub.tensors[t]
            dims = tensor.ShapeSignatureAsNumpy()
            dims = tensor.ShapeAsNumpy() if isinstance(dims, int) or not dims.size else dims
            dt = _TF_DTYPE.get(tensor.Type())
            out[_text(m.Name())] = {"name": sub.refs.get(t, sub.names[t]),
                                    "dtype": dtype_label(dt) if dt is not None else "?",
                                    "shape": [] if isinstance(dims, int) else dims.tolist()}
        return out


def _layer_scope(tensor_name: str) -> list[str] | None:
    """The layer a variable's tensor belongs to: the scope before the TF op that read it
    (``model/dense_1/BiasAdd/ReadVariableOp`` → ``[model, dense_1]``). A fused name lists
    every TF op the tensor stands for (``…/conv/Relu;…/conv/BiasAdd``): each must lie in
    that one scope (one naming no reading op, in its parent scope). None when no reading
    op is named, or the parts name different layers (a batch norm folded into a conv)."""
    scopes, read = [], False
    for name in tensor_name.split(";"):
        parts = _TAIL_NUMBER.sub("", name).strip("/").split("/")
        at = next((i for i, part in enumerate(parts) if part in _TF_READS), None)
        read = read or at is not None
        scopes.append(parts[:at] if at is not None else parts[:-1])
    if not read or not scopes[0] or any(s != scopes[0] for s in scopes):
        return None
    return scopes[0]


def _keras_layout(type_: str, shape: tuple[int, ...] | None, channels: int | None) -> Layout | None:
    """How a TFLite kernel maps to the Keras layer's: FULLY_CONNECTED (out, in) → Dense (in, out);
    CONV_2D (out, h, w, in) → (h, w, in, out); DEPTHWISE_CONV_2D (1, h, w, in·mult) →
    (h, w, in, mult), the channels of its input telling in from mult."""
    if shape is None:
        return None
    if type_ == "FULLY_CONNECTED" and len(shape) == 2:
        return Layout((1, 0), shape[::-1], "TFLite layout transposed: (out, in) → (in, out)")
    if type_ == "CONV_2D" and len(shape) == 4:
        o, h, w, i = shape
        return Layout((1, 2, 3, 0), (h, w, i, o), "TFLite layout transposed: (out, h, w, in) → (h, w, in, out)")
    if type_ == "DEPTHWISE_CONV_2D" and len(shape) == 4 and shape[0] == 1 and channels \
            and shape[3] % channels == 0:
        _, h, w, c = shape
        return Layout((1, 2, 3, 0), (h, w, channels, c // channels),
                      "TFLite layout transposed: (1, h, w, in·mult) → (h, w, in, mult)")
    return None


def _unpack(packed: np.ndarray, bits: int, dtype: np.dtype, count: int, signed: bool) -> np.ndarray:
    """Values packed several to a byte (int4, int2), low bits first, as one per element."""
    shifts = np.arange(8 // bits, dtype=np.uint8) * bits
    vals = ((packed[:, None] >> shifts) & ((1 << bits) - 1)).reshape(-1)[:count].astype(np.int8)
    if signed:
        vals = np.where(vals >= 1 << (bits - 1), vals - (1 << bits), vals).astype(np.int8)
    return vals.astype(dtype)
