"""Reader for GraphDefs: binary ``.pb`` and text ``.pbtxt`` (frozen or not).

A binary file is scanned once, record by record, in Python: each node's name, type,
inputs and device, and for each Const where its value's bytes lie in the file. Runs of
ordinary nodes are also handed to protobuf's compiled parser, which checks them (and is
then dropped: 350,000 parsed NodeDefs would cost three times the file in memory). A
node's attrs are parsed again from its bytes only when asked for.

Nothing copies tensor bytes: numpy views them in place, in the file read into memory,
or memory-mapped for a large file (whose pages are released once scanned). So opening
a 200 MB frozen graph and decoding every weight keeps about one copy of the file.
"""
from __future__ import annotations

import mmap
import re
import sys

from google.protobuf import text_format
from google.protobuf.message import DecodeError

from .. import proto
from ..errors import PbscopeError
from ..model import ConstMeta, Graph, Op
from ..progress import NO_PROGRESS, Progress
from ..proto.wire import LEN, VARINT, WireError, iter_fields, read_varint
from ..weights import discover
from .functions import add_function_ops
from .sniff import Kind

KINDS = ("graphdef", "graphdef-text")

MAP_FILE = 32 << 20     # memory-map files above this size; read smaller ones
BIG_NODE = 64 << 10     # never hand a node this large to protobuf whole (it would copy its tensor)
RUN_BYTES = 4 << 20     # check runs of ordinary nodes with protobuf in slices of about this size


def open_graph(kind: Kind, progress: Progress = NO_PROGRESS) -> Graph:
    path = kind.path
    progress.report(0.0, "reading")
    if kind.name == "graphdef-text":
        gd = parse_text(path, proto.GraphDef(), "GraphDef")
        graph = Graph(path, "GraphDef (text)")
        graph.ops = [Op.from_node(graph, i, n) for i, n in enumerate(gd.node)]
        library = gd.library if gd.HasField("library") else None
    else:
        graph = Graph(path, "GraphDef")
        library = scan_graphdef(path, load(path, kind.size), graph, progress)
    progress.report(0.9, "finding weights")
    add_function_ops(graph, library)
    graph.finish(discover)
    progress.report(1.0, "done")
    return graph


def scan_graphdef(path: str, buf, graph: Graph, progress: Progress = NO_PROGRESS,
                  start: int = 0, end: int | None = None):
    """Fill ``graph.ops`` from the binary GraphDef in buf[start:end]; return its function
    library (a FunctionDefLibrary) or None."""
    return _Scanner(path, buf, graph, progress, start, len(buf) if end is None else end).run()


def load(path: str, size: int):
    """The file's bytes: read into memory, or memory-mapped when large."""
    try:
        with open(path, "rb") as f:
            if size <= MAP_FILE:
                return f.read()
            return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    except OSError as e:
        raise PbscopeError(path, f"cannot read it: {e.strerror or e}") from None


def parse_text(path: str, message, what: str):
    """``message`` filled from the protobuf text file at ``path``; one line if it is not."""
    try:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8")
    except UnicodeDecodeError as e:
        raise PbscopeError(path, f"not valid UTF-8 text at byte {e.start}") from None
    try:
        text_format.Parse(text, message)
    except text_format.ParseError as e:
        raise PbscopeError(path, f"not a valid {what} in text format: {text_error(e)}") from None
    return message


def text_error(err: text_format.ParseError) -> str:
    """'line 5, column 1: Expected string but found: ...' on one line."""
    msg = " ".join(str(err).split())
    msg = re.sub(r"^\d+:\d+ : ", "", msg)
    if err.GetLine():
        return f"line {err.GetLine()}, column {err.GetColumn()}: {msg}"
    return msg


class _Scanner:
    """One pass over a binary GraphDef: ops into ``graph``, Const values located."""

    def __init__(self, path: str, buf, graph: Graph, progress: Progress, start: int, end: int):
        self.path, self.buf, self.graph, self.progress = path, buf, graph, progress
        self.start, self.end = start, end
        self.view = memoryview(buf)
        self.library = None
        self.names: dict[str, str] = {}   # one str object per op name, shared by inputs
        self.types: dict[str, str] = {}   # likewise for op types and devices

    def run(self):
        view, total = self.view, self.end
        run_start, spans = self.start, []
        try:
            pos = self.start
            while pos < total:
                field, wire, s, e = _next(self.buf, pos, total)
                if field == 1 and wire == LEN:
                    if e - s >= BIG_NODE:
                        self._flush(run_start, pos, spans)
                        self._big_node(s, e)
                        run_start, spans = e, []
                    else:
                        spans.append((s, e))
                elif field == 2 and wire == LEN:   # the function library
                    self.library = self._parse(proto.FunctionDefLibrary, s, e)
                pos = e
                if pos - run_start >= RUN_BYTES:
                    self._flush(run_start, pos, spans)
                    run_start, spans = pos, []
            self._flush(run_start, total, spans)
        except (WireError, IndexError):
            raise PbscopeError(self.path, _diagnose(view[self.start:total], self.start)) from None
        self.graph.node_parser = self._node_of
        self.graph.file_span = self._span
        if isinstance(self.buf, mmap.mmap):
            self.graph.page_release = self._release_weight
        return self.library

    def _span(self, w):
        m = self.graph.const_meta.get(w.op.index) if w.op is not None else None
        if m is None or m.content is None:
            return None
        return self.path, m.offset, len(m.content)

    def _release_weight(self, w) -> None:
        m = self.graph.const_meta.get(w.op.index) if w.op is not None else None
        if m is not None and m.content is not None:
            _release(self.buf, m.offset, m.offset + len(m.content))

    def _flush(self, a: int, b: int, spans: list[tuple[int, int]]) -> None:
        """Parse buf[a:b], whole top-level records, with protobuf; keep what ops need."""
        if b <= a:
            return
        chunk = self._parse(proto.GraphDef, a, b)
        graph, ops, names, types = self.graph, self.graph.ops, self.names, self.types
        if len(chunk.node) != len(spans):   # cannot happen for bytes protobuf accepted
            raise PbscopeError(self.path, f"corrupt GraphDef data near byte {a:,}")
        for node, span in zip(chunk.node, spans):
            index = len(ops)
            name = node.name
            t = node.op
            type_ = types.get(t) or types.setdefault(t, t)
            inputs = tuple([names.get(i, i) for i in node.input])
            device = node.device
            ops.append(Op(graph, index, name, type_, inputs, types.setdefault(device, device) if device else "",
                          span=span))
            names.setdefault(name, name)
            if type_ == "Const":
                t = node.attr["value"].tensor
                graph.const_meta[index] = ConstMeta(
                    t.dtype, tuple([d.size for d in t.tensor_shape.dim]), t.tensor_shape.unknown_rank)
        del chunk
        if isinstance(self.buf, mmap.mmap):
            _release(self.buf, a, b)
        self.progress.report(0.85 * (b - self.start) / max(1, self.end - self.start), "parsing")

    def _big_node(self, s: int, e: int) -> None:
        """A node too large to hand to protobuf whole: scan it here, parse it without its
        tensor bytes, and keep that parsed node (there are few such nodes)."""
        graph = self.graph
        index = len(graph.ops)
        name, type_, inputs, device, value = self._scan_node(self.buf, s, e, index, sys.intern)
        op = Op(graph, index, name, type_, inputs, device, span=(s, e))
        graph.ops.append(op)
        self.names.setdefault(name, name)
        if type_ == "Const" and value is not None:
            self._scan_const(self.buf, value, index)
        op._node = self._parse_big(s, e, index)

    # -- scanning -----------------------------------------------------------
    def _scan_node(self, buf, s: int, e: int, index: int, intern):
        """(name, op type, raw inputs, device, span of the 'value' AttrValue or None)."""
        name = type_ = ""
        device = ""
        inputs = []
        value = None
        pos = s
        try:
            while pos < e:
                tag = buf[pos]
                if tag < 0x80:
                    pos += 1
                else:
                    tag, pos = read_varint(buf, pos, e)
                wire = tag & 7
                if wire != LEN:
                    pos = _skip(buf, pos, e, wire)
                    continue
                n = buf[pos] if pos < e else 0x80
                if n < 0x80:
                    pos += 1
                else:
                    n, pos = read_varint(buf, pos, e)
                end = pos + n
                if end > e:
                    raise WireError(pos, f"truncated: node #{index} ends before its fields do")
                field = tag >> 3
                if field == 3:
                    inputs.append(intern(buf[pos:end].decode("utf-8")))
                elif field == 1:
                    name = intern(buf[pos:end].decode("utf-8"))
                elif field == 2:
                    type_ = intern(buf[pos:end].decode("utf-8"))
                elif field == 4:
                    device = intern(buf[pos:end].decode("utf-8"))
                elif field == 5 and value is None and buf[pos:pos + 7] == b"\n\x05value":
                    value = (pos + 7, end)   # the map entry's rest: field 2, the AttrValue
                pos = end
        except UnicodeDecodeError:
            raise PbscopeError(self.path, _node_problem(self.view, s, e, index) or
                               f"node #{index} has text that is not valid UTF-8") from None
        except IndexError:
            raise WireError(pos, f"truncated: node #{index} at byte {s:,} is cut short") from None
        return name, type_, tuple(inputs), device, value

    def _scan_const(self, buf, value: tuple[int, int], index: int) -> None:
        """Record dtype, shape and the tensor_content span of a Const's value tensor."""
        try:
            span = _field(buf, *value, 2)              # the map entry's value: an AttrValue
            tensor = span and _field(buf, *span, 8)    # AttrValue.tensor
            if not tensor:
                return
            dtype, dims, unknown, content, offset = 0, [], False, None, 0
            pos, end = tensor
            while pos < end:
                f, w, vs, ve = _next(buf, pos, end)
                if f == 1 and w == VARINT:
                    dtype = read_varint(buf, vs, ve)[0]
                elif f == 2 and w == LEN:          # TensorShapeProto
                    p, pe = vs, ve
                    while p < pe:
                        sf, sw, ss, se = _next(buf, p, pe)
                        if sf == 2 and sw == LEN:  # Dim
                            size, q = 0, ss
                            while q < se:
                                df, dw, ds, de = _next(buf, q, se)
                                if df == 1 and dw == VARINT:
                                    size = read_varint(buf, ds, de)[0]
                                q = de
                            dims.append(size - (1 << 64) if size >= 1 << 63 else size)
                        elif sf == 3 and sw == VARINT:
                            unknown = read_varint(buf, ss, se)[0] != 0
                        p = se
                elif f == 4 and w == LEN and ve > vs:
                    content, offset = self.view[vs:ve], vs
                pos = ve
            self.graph.const_meta[index] = ConstMeta(dtype, tuple(dims), unknown, content, offset)
        except (WireError, IndexError):
            return   # protobuf's check of the same bytes gives the message

    # -- protobuf -----------------------------------------------------------
    def _parse(self, cls, a: int, b: int):
        try:
            return cls.FromString(self.view[a:b])
        except DecodeError:
            raise PbscopeError(self.path, _diagnose(self.view[a:b], a)) from None

    def _parse_big(self, s: int, e: int, index: int):
        try:
            return _parse_without_content(self.view, s, e)
        except (DecodeError, WireError, UnicodeDecodeError):
            raise PbscopeError(self.path, _node_problem(self.view, s, e, index)
                               or f"node #{index} (at byte {s:,}) is corrupt") from None

    def _node_of(self, op: Op):
        s, e = op._span
        return proto.NodeDef.FromString(self.view[s:e])


def _skip(buf, pos: int, end: int, wire: int) -> int:
    if wire == VARINT:
        return read_varint(buf, pos, end)[1]
    if wire == 1:
        return pos + 8
    if wire == 5:
        return pos + 4
    raise WireError(pos, f"corrupt: unknown wire type {wire} at byte {pos}")


def _next(buf, pos: int, end: int) -> tuple[int, int, int, int]:
    """(field, wire type, value start, value end) of the field at ``pos``."""
    tag = buf[pos]
    if tag < 0x80:
        pos += 1
    else:
        tag, pos = read_varint(buf, pos, end)
    wire = tag & 7
    if wire == LEN:
        n = buf[pos]
        if n < 0x80:
            pos += 1
        else:
            n, pos = read_varint(buf, pos, end)
        if pos + n > end:
            raise WireError(pos, "truncated")
        return tag >> 3, wire, pos, pos + n
    return tag >> 3, wire, pos, _skip(buf, pos, end, wire)


def _field(buf, pos: int, end: int, number: int):
    """(start, end) of the first length-delimited field ``number`` in buf[pos:end]."""
    while pos < end:
        f, w, vs, ve = _next(buf, pos, end)
        if f == number and w == LEN:
            return vs, ve
        pos = ve
    return None


def _sub(buf, s: int, e: int, number: int):
    """(start, end) of the first length-delimited field ``number`` in buf[s:e]."""
    view = memoryview(buf) if not isinstance(buf, memoryview) else buf
    for f, w, vs, ve, _ in iter_fields(view, s, e):
        if f == number and w == LEN:
            return vs, ve
    return None


def _parse_without_content(view, s: int, e: int):
    """The NodeDef in view[s:e], parsed without the bytes of its value's tensor_content
    (protobuf would copy them; numpy views them in place instead)."""
    keep, tensor, key = [], None, None
    for f, w, vs, ve, fs in iter_fields(view, s, e):
        if f == 5 and w == LEN and tensor is None:
            key_span = _sub(view, vs, ve, 1)
            value_span = _sub(view, vs, ve, 2)
            tensor_span = value_span and _sub(view, *value_span, 8)
            if key_span and tensor_span:
                parts = [view[tfs:tve] for tf, tw, tvs, tve, tfs in iter_fields(view, *tensor_span)
                         if not (tf == 4 and tw == LEN)]
                tensor = proto.TensorProto.FromString(b"".join(parts))
                key = bytes(view[key_span[0]:key_span[1]]).decode("utf-8")
                continue
        keep.append(view[fs:ve])
    node = proto.NodeDef.FromString(b"".join(keep))
    if tensor is not None:
        node.attr[key].tensor.CopyFrom(tensor)
    return node


def _diagnose(view, offset: int) -> str:
    """Why protobuf refused the bytes: find the first bad record ourselves."""
    try:
        index = 0
        for field, wire, s, e, fs in iter_fields(view, 0, len(view)):
            if field == 1 and wire == LEN:
                problem = _node_problem(view, s, e, index, offset)
                if problem:
                    return problem
                index += 1
    except WireError as err:
        return f"{err} (not a valid GraphDef)" if offset == 0 else \
            f"corrupt GraphDef data near byte {offset + err.offset:,}"
    return "corrupt GraphDef: protobuf could not parse it"


_STRING_FIELDS = {1: "name", 2: "op type", 3: "input", 4: "device"}


def _node_problem(view, s: int, e: int, index: int, offset: int = 0) -> str | None:
    """A one-line description of what is wrong inside the NodeDef at view[s:e], if we can tell."""
    try:
        for f, w, vs, ve, _ in iter_fields(view, s, e):
            if w == LEN and f in _STRING_FIELDS:
                try:
                    bytes(view[vs:ve]).decode("utf-8")
                except UnicodeDecodeError:
                    sample = bytes(view[vs:ve])[:40]
                    return (f"node #{index} (at byte {offset + s:,}) has a {_STRING_FIELDS[f]} "
                            f"that is not valid UTF-8: {sample!r}")
    except WireError as err:
        return f"node #{index} (at byte {offset + s:,}) is corrupt: {err}"
    return None


def _release(buf, a: int, b: int) -> None:
    """Drop scanned pages of a memory map from our RSS (they stay in the page cache)."""
    if hasattr(mmap, "MADV_DONTNEED"):
        page = mmap.PAGESIZE
        a = -(-a // page) * page
        b = b // page * page
        if b > a:
            buf.madvise(mmap.MADV_DONTNEED, a, b - a)
