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

import numpy as np
from google.protobuf import text_format
from google.protobuf.message import DecodeError

from .. import proto
from ..errors import PbscopeError
from ..model import Graph, Op, OpList
from ..progress import NO_PROGRESS, Progress
from ..proto.vecwire import BadText, varints
from ..proto.wire import LEN, VARINT, WireError, iter_fields, read_varint
from ..weights import discover
from .functions import add_function_ops
from .nodedef_columns import op_table
from .sniff import Kind

KINDS = ("graphdef", "graphdef-text")

MAP_FILE = 32 << 20     # memory-map files above this size; read smaller ones
PROBE = 2000            # nodes walked in Python before deciding how to find the rest
SMALL_NODES = 4096      # ... by their average size: below it, protobuf finds them
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
    progress.report(0.91, "finding weights")
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
    """One pass over a binary GraphDef's records, then the nodes read as columns."""

    def __init__(self, path: str, buf, graph: Graph, progress: Progress, start: int, end: int):
        self.path, self.buf, self.graph, self.progress = path, buf, graph, progress
        self.start, self.end = start, end
        self.view = memoryview(buf)
        self.library = None
        self.big_nodes: dict[int, object] = {}   # row → NodeDef parsed without its tensor bytes

    def run(self):
        total = self.end
        starts: list = []
        ends: list = []
        bigs: list[int] = []
        try:
            pos = self._walk(self.start, total, starts, ends, bigs, PROBE)
            if pos < total and pos - self.start < PROBE * SMALL_NODES:
                found = self._records(pos, total, len(starts))    # many small nodes: let protobuf find them
                if found is not None:
                    s, e, big, pos = found
                    starts, ends = [np.array(starts, np.int64), s], [np.array(ends, np.int64), e]
                    bigs.extend(big)
                    tail_s, tail_e = [], []
                    pos = self._walk(pos, total, tail_s, tail_e, bigs, None, offset=sum(map(len, starts)))
                    starts.append(np.array(tail_s, np.int64))
                    ends.append(np.array(tail_e, np.int64))
            if pos < total:
                self._walk(pos, total, starts, ends, bigs, None)
        except (WireError, IndexError):
            raise PbscopeError(self.path, _diagnose(self.view, self.start, total)) from None
        if starts and isinstance(starts[0], np.ndarray):
            starts, ends = np.concatenate(starts), np.concatenate(ends)
        for row in bigs:
            self.big_nodes[row] = self._parse_big(int(starts[row]), int(ends[row]), row)
        buf = self.buf
        try:
            table, consts = op_table(np.frombuffer(buf, np.uint8), buf, np.array(starts, np.int64),
                                     np.array(ends, np.int64), self.progress)
        except (WireError, BadText):
            raise PbscopeError(self.path, _diagnose(self.view, self.start, total)) from None
        if isinstance(buf, mmap.mmap):
            _release(buf, self.start, total)
        graph = self.graph
        graph.table = table
        graph.ops = OpList(graph, table)
        graph.const_meta = consts
        graph.node_parser = self._node_of
        graph.file_span = self._span
        if isinstance(buf, mmap.mmap):
            graph.page_release = self._release_weight
        return self.library

    def _walk(self, pos: int, total: int, starts: list, ends: list, bigs: list[int],
              limit: int | None, offset: int = 0) -> int:
        """Records from ``pos``, one by one (at most ``limit`` nodes), each run of nodes
        checked by protobuf; returns where it stopped."""
        buf = self.buf
        run_start = pos            # where the bytes protobuf has not checked yet start
        run_first = offset + len(starts)   # and the number of their first node
        count = 0
        while pos < total:
            if limit is not None and count >= limit:
                break
            if buf[pos] == 0x0A:                 # field 1, a node: the common case, inline
                n = buf[pos + 1]
                if n < 0x80:
                    s = pos + 2
                else:
                    n, s = read_varint(buf, pos + 1, total)
                e = s + n
                if e > total:
                    raise WireError(pos, "truncated")
                if n >= BIG_NODE:
                    self._check(run_start, pos, run_first)
                    bigs.append(offset + len(starts))
                    run_start, run_first = e, offset + len(starts) + 1
                starts.append(s)
                ends.append(e)
                count += 1
                pos = e
            else:
                field, wire, s, e = _next(buf, pos, total)
                if field == 2 and wire == LEN:   # the function library
                    self.library = self._parse(proto.FunctionDefLibrary, s, e)
                pos = e
            if pos - run_start >= RUN_BYTES:
                self._check(run_start, pos, run_first)
                run_start, run_first = pos, offset + len(starts)
        self._check(run_start, pos, run_first)
        return pos

    def _records(self, pos: int, total: int, before: int):
        """The node records from ``pos`` on, found by protobuf's parser (a GraphDef read
        as ``repeated bytes node``) and checked to lie back to back from ``pos``: their
        (starts, ends, big rows, end of the last); None if there are none that way."""
        try:
            lens = np.fromiter(map(len, proto.Records.FromString(self.view[pos:total]).node), np.int64)
        except DecodeError:
            return None     # the walk finds and names the damage
        if not len(lens):
            return None
        head = 2 + (lens >= 1 << 7) + (lens >= 1 << 14) + (lens >= 1 << 21) + (lens >= 1 << 28) \
            + (lens >= 1 << 35)
        rec = pos + np.concatenate([[0], np.cumsum(head + lens)[:-1]])
        a = np.frombuffer(self.buf, np.uint8)
        inside = rec + head + lens <= total
        ok = inside.copy()
        ok[inside] = a[rec[inside]] == 0x0A
        if ok.any():
            k = np.flatnonzero(ok)
            try:
                n, after = varints(a, rec[k] + 1, np.full(len(k), total, np.int64))
                ok[k] = (n.astype(np.int64) == lens[k]) & (after == rec[k] + head[k])
            except WireError:
                return None
        bad = np.flatnonzero(~ok)
        cut = int(bad[0]) if len(bad) else len(lens)    # records after an interleaved field: walked
        if cut == 0:
            return None
        rec, head, lens = rec[:cut], head[:cut], lens[:cut]
        s = rec + head
        e = s + lens
        big = np.flatnonzero(lens >= BIG_NODE)
        # protobuf checks the nodes in runs of about RUN_BYTES, big nodes apart
        bounds = sorted(set(np.searchsorted(e, np.arange(int(rec[0]) + RUN_BYTES, int(e[-1]), RUN_BYTES),
                                            "left").tolist()) | set(big.tolist()) | set((big + 1).tolist())
                        | {0, cut})
        for i, j in zip(bounds, bounds[1:]):
            if j > i and not (j == i + 1 and lens[i] >= BIG_NODE):
                self._check(int(rec[i]), int(e[j - 1]), before + i)
        return s, e, (big + before).tolist(), int(e[-1])

    def _check(self, a: int, b: int, first: int = 0) -> None:
        """Have protobuf's compiled parser check buf[a:b], whole records whose first node is
        node #first (then drop it)."""
        if b > a:
            self._parse(proto.GraphDef, a, b, first)
            if isinstance(self.buf, mmap.mmap):
                _release(self.buf, a, b)
        self.progress.report(0.85 * (b - self.start) / max(1, self.end - self.start), "parsing")

    def _span(self, w):
        m = self.graph.const_meta.get(w.op.index) if w.op is not None else None
        if m is None or m.content is None or len(m.content) < BIG_NODE:
            return None     # small values: a copy in memory beats a system call each
        return self.path, m.offset, len(m.content)

    def _release_weight(self, w) -> None:
        m = self.graph.const_meta.get(w.op.index) if w.op is not None else None
        if m is not None and m.content is not None:
            _release(self.buf, m.offset, m.offset + len(m.content))

    # -- protobuf -----------------------------------------------------------
    def _parse(self, cls, a: int, b: int, first: int = 0):
        try:
            return cls.FromString(self.view[a:b])
        except DecodeError:
            raise PbscopeError(self.path, _diagnose(self.view, a, b, first)) from None

    def _parse_big(self, s: int, e: int, index: int):
        try:
            return _parse_without_content(self.view, s, e)
        except (DecodeError, WireError, UnicodeDecodeError):
            raise PbscopeError(self.path, _node_problem(self.view, s, e, index)
                               or f"node #{index} (at byte {s:,}) is corrupt") from None

    def _node_of(self, op: Op):
        node = self.big_nodes.get(op.index)
        if node is not None and op.graph is self.graph:
            return node
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


def _diagnose(view, start: int, end: int, first: int = 0) -> str:
    """Why protobuf refused view[start:end]: find the first bad record ourselves (byte
    positions are the file's). ``first`` is the number of the first node there."""
    try:
        index = first
        for field, wire, s, e, fs in iter_fields(view, start, end):
            if field == 1 and wire == LEN:
                problem = _node_problem(view, s, e, index)
                if problem:
                    return problem
                index += 1
    except WireError as err:
        return f"{err} (not a valid GraphDef)" if start == 0 else \
            f"corrupt GraphDef data near byte {err.offset:,}"
    return "corrupt GraphDef: protobuf could not parse it"


_STRING_FIELDS = {1: "name", 2: "op type", 3: "input", 4: "device"}


def _node_problem(view, s: int, e: int, index: int) -> str | None:
    """A one-line description of what is wrong inside the NodeDef at view[s:e], if we can tell."""
    try:
        for f, w, vs, ve, _ in iter_fields(view, s, e):
            if w == LEN and f in _STRING_FIELDS:
                try:
                    bytes(view[vs:ve]).decode("utf-8")
                except UnicodeDecodeError:
                    sample = bytes(view[vs:ve])[:40]
                    return (f"node #{index} (at byte {s:,}) has a {_STRING_FIELDS[f]} "
                            f"that is not valid UTF-8: {sample!r}")
    except WireError as err:
        return f"node #{index} (at byte {s:,}) is corrupt: {err}"
    return None


def _release(buf, a: int, b: int) -> None:
    """Drop scanned pages of a memory map from our RSS (they stay in the page cache)."""
    if hasattr(mmap, "MADV_DONTNEED"):
        page = mmap.PAGESIZE
        a = -(-a // page) * page
        b = b // page * page
        if b > a:
            buf.madvise(mmap.MADV_DONTNEED, a, b - a)
