"""Reader for GraphDefs: binary ``.pb`` and text ``.pbtxt`` (frozen or not).

Binary files parse in protobuf's compiled backend. A large file is memory-mapped
and walked record by record: runs of ordinary nodes are parsed a few MB at a time
(and their pages released), while the payload of each big Const is *not* handed to
protobuf, which would copy it, but viewed in place by numpy when asked for. So
opening a 200 MB frozen graph and decoding every weight keeps about one copy of the
file in memory, not three.
"""
from __future__ import annotations

import mmap
import re


from google.protobuf import text_format
from google.protobuf.message import DecodeError

from .. import proto
from ..errors import PbscopeError
from ..model import Graph, Op
from ..progress import NO_PROGRESS, Progress
from ..proto.wire import LEN, WireError, first_field, iter_fields
from ..tensors import decode
from ..weights import discover
from .sniff import Kind

KINDS = ("graphdef", "graphdef-text")

SMALL_FILE = 32 << 20   # below this, read the file and parse it in one call
BIG_NODE = 64 << 10     # node records above this have their tensor bytes viewed in place
RUN_BYTES = 8 << 20     # parse runs of small nodes in slices of about this size


def open_graph(kind: Kind, progress: Progress = NO_PROGRESS) -> Graph:
    path = kind.path
    progress.report(0.0, "reading")
    if kind.name == "graphdef-text":
        nodes, library = _read_text(path), None
        content: dict[int, memoryview] = {}
        fmt = "GraphDef (text)"
    else:
        buf = _load(path, kind.size)
        nodes, library, content = _read_binary(path, buf, progress)
        fmt = "GraphDef"
    progress.report(0.9, "indexing")
    node_content = {}  # op name → payload view, for big Consts

    def load_const(op: Op):
        return decode(op.node.attr["value"].tensor, node_content.get(op.name))

    graph = Graph(path, fmt, nodes, const_loader=load_const)
    for i, view in content.items():
        node_content[graph.ops[i].name] = view
    if library is not None and len(library.function):
        graph.notes.append(f"{len(library.function)} functions in the function library (not shown)")
    graph.set_weights(discover(graph))
    progress.report(1.0, "done")
    return graph


def _load(path: str, size: int):
    try:
        with open(path, "rb") as f:
            if size <= SMALL_FILE:
                return f.read()
            return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    except OSError as e:
        raise PbscopeError(path, f"cannot read it: {e.strerror or e}") from None


def _read_text(path: str):
    try:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8")
    except UnicodeDecodeError as e:
        raise PbscopeError(path, f"not valid UTF-8 text at byte {e.start}") from None
    gd = proto.GraphDef()
    try:
        text_format.Parse(text, gd)
    except text_format.ParseError as e:
        raise PbscopeError(path, f"not a valid GraphDef in text format: {text_error(e)}") from None
    return list(gd.node)


def text_error(err: text_format.ParseError) -> str:
    """'line 5, column 1: Expected string but found: ...' on one line."""
    msg = " ".join(str(err).split())
    msg = re.sub(r"^\d+:\d+ : ", "", msg)
    if err.GetLine():
        return f"line {err.GetLine()}, column {err.GetColumn()}: {msg}"
    return msg


def _read_binary(path: str, buf, progress: Progress):
    """(nodes in file order, FunctionDefLibrary or None, {node index: payload view})."""
    view = memoryview(buf)
    if len(buf) <= SMALL_FILE:
        gd = _parse(path, proto.GraphDef, view, buf)
        return list(gd.node), (gd.library if gd.HasField("library") else None), {}
    nodes: list = []
    content: dict[int, memoryview] = {}
    library = None
    run_start = 0
    total = len(buf)

    def flush(a: int, b: int) -> None:
        nonlocal library
        if b <= a:
            return
        gd = _parse(path, proto.GraphDef, view[a:b], buf, offset=a)
        nodes.extend(gd.node)
        if gd.HasField("library"):
            library = gd.library
        _release(buf, a, b)
        progress.report(0.85 * b / total, "parsing")

    try:
        for field, wire, s, e, fs in iter_fields(view, 0, total):
            if field == 1 and wire == LEN and e - s >= BIG_NODE:
                flush(run_start, fs)
                try:
                    node, payload = _split_big_node(view, s, e)
                except (DecodeError, WireError):
                    problem = _node_problem(view, s, e, len(nodes))
                    raise PbscopeError(path, problem or f"node #{len(nodes)} (at byte {fs:,}) is corrupt") from None
                if payload is not None:
                    content[len(nodes)] = payload
                nodes.append(node)
                run_start = e
            elif e - run_start >= RUN_BYTES:
                flush(run_start, e)
                run_start = e
        flush(run_start, total)
    except WireError as err:
        raise PbscopeError(path, str(err)) from None
    return nodes, library, content


def _split_big_node(view, s: int, e: int):
    """Parse the NodeDef in view[s:e] without the bytes of its ``value`` tensor's
    ``tensor_content``; return (NodeDef, view of those bytes or None)."""
    keep, payload, tensor, key = [], None, None, None
    for f, w, vs, ve, fs in iter_fields(view, s, e):
        if f == 5 and w == LEN and payload is None and ve - vs >= BIG_NODE // 2:
            key_span = first_field(view, vs, ve, 1)
            value_span = first_field(view, vs, ve, 2)
            tensor_span = value_span and first_field(view, *value_span, 8)
            if key_span and tensor_span:
                parts = []
                for tf, tw, tvs, tve, tfs in iter_fields(view, *tensor_span):
                    if tf == 4 and tw == LEN:
                        payload = view[tvs:tve]
                    else:
                        parts.append(view[tfs:tve])
                if payload is not None:
                    tensor = proto.TensorProto.FromString(b"".join(parts))
                    key = bytes(view[key_span[0]:key_span[1]]).decode("utf-8", "replace")
                    continue
        keep.append(view[fs:ve])
    node = proto.NodeDef.FromString(b"".join(keep))
    if tensor is not None:
        node.attr[key].tensor.CopyFrom(tensor)
    return node, payload


def _parse(path: str, cls, view, buf, offset: int = 0):
    msg = cls()
    try:
        msg.ParseFromString(view)
    except DecodeError:
        raise PbscopeError(path, _diagnose(view, offset)) from None
    return msg


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
    """Drop parsed pages of a memory map from our RSS (they stay in the page cache)."""
    if isinstance(buf, mmap.mmap) and hasattr(mmap, "MADV_DONTNEED"):
        page = mmap.PAGESIZE
        a = -(-a // page) * page
        b = b // page * page
        if b > a:
            buf.madvise(mmap.MADV_DONTNEED, a, b - a)


